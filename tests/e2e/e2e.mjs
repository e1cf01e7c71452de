// End-to-end tests of the playground in a real browser.
//
//   node tests/e2e/e2e.mjs <dist-dir> [spec-name-filter]
//
// Serves the Trunk build in <dist-dir> on 127.0.0.1 (ephemeral port) and runs every spec in
// tests/e2e/specs/ (sorted by name; a filter picks those whose name contains it), each in a
// fresh Chromium profile driven through playwright-core (which downloads no browser). A spec
// exports `default async function (page, { origin, context })`. Any page error, console
// error, failed request or HTTP status >= 400 fails the spec. Screenshots go to
// tests/e2e/artifacts/.

import { createServer } from 'node:http';
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

import { artifacts, here, timeout } from './lib.mjs';

export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

// Without these flags Chromium keeps reaching for the (closed) network and may log errors.
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const mimeTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  // Browsers only stream-compile wasm served with this type.
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

// Problems the server saw (requests it could not answer); the running spec fails if any.
const serverProblems = [];

export function serve(root) {
  const server = createServer(async (req, res) => {
    const respond = (status, body, type = 'text/plain; charset=utf-8') => {
      if (status >= 400) serverProblems.push(`server: ${status} for ${req.method} ${req.url}`);
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
      const file = path.resolve(root, rel);
      // Never serve outside the dist directory.
      if (file !== root && !file.startsWith(root + path.sep)) return respond(403, 'forbidden');
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return respond(404, 'not found');
      const type = mimeTypes[path.extname(file)] ?? 'application/octet-stream';
      respond(200, await readFile(file), type);
    } catch (error) {
      respond(500, String(error));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// What the page downloads, gzipped (level 9), by kind: reported (budget.mjs asserts the total
// for release builds). Returns the total in bytes.
export async function reportSizes(root) {
  const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const kinds = {};
  for (const entry of files) {
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const bytes = gzipSync(await readFile(file), { level: 9 }).length;
    const base = path.basename(file);
    const ext = path.extname(file).slice(1);
    const kind = base.startsWith('build-worker') ? `build-worker ${ext}` : base.startsWith('worker') ? `worker ${ext}` : ext;
    kinds[kind] = (kinds[kind] ?? 0) + bytes;
  }
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  const total = Object.values(kinds).reduce((a, b) => a + b, 0);
  const parts = Object.entries(kinds).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${kb(n)}`);
  console.log(`app over the wire: ${kb(total)} gzip (${parts.join(', ')})`);
  return total;
}

// One spec in a fresh profile (nothing cached or remembered between specs); returns the
// problems seen.
async function runSpec(name, spec, origin) {
  const problems = [];
  const profile = await mkdtemp(path.join(tmpdir(), 'stowage-e2e-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
      acceptDownloads: true,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(timeout);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    page.on('requestfailed', (request) => {
      problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
    });
    try {
      await spec(page, { origin, context });
    } catch (error) {
      problems.push(error.stack ?? String(error));
      await page.screenshot({ path: path.join(artifacts, `${name}-failure.png`), fullPage: true }).catch(() => {});
    }
  } catch (error) {
    problems.push(error.stack ?? String(error));
  } finally {
    await context?.close().catch(() => {});
    await rm(profile, { recursive: true, force: true });
  }
  return problems;
}

async function main() {
  const [distArg, filter = ''] = process.argv.slice(2);
  if (!distArg) {
    console.error('usage: node tests/e2e/e2e.mjs <dist-dir> [spec-name-filter]');
    return 2;
  }
  const root = path.resolve(distArg);
  if (!(await stat(path.join(root, 'index.html')).catch(() => null))) {
    console.error(`no index.html in ${root}: build the app first (trunk build)`);
    return 2;
  }
  await mkdir(artifacts, { recursive: true });
  await reportSizes(root);

  const specDir = path.join(here, 'specs');
  const names = (await readdir(specDir)).filter((f) => f.endsWith('.mjs') && f.includes(filter)).sort();
  if (names.length === 0) {
    console.error(`no spec in ${specDir} matches ${JSON.stringify(filter)}`);
    return 2;
  }
  const server = await serve(root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const failed = [];
  const started = Date.now();
  try {
    for (const file of names) {
      const name = path.basename(file, '.mjs');
      const { default: spec } = await import(path.join(specDir, file));
      const specStarted = Date.now();
      const problems = [...(await runSpec(name, spec, origin)), ...serverProblems.splice(0)];
      const seconds = ((Date.now() - specStarted) / 1000).toFixed(1);
      if (problems.length > 0) {
        failed.push(name);
        console.error(`spec ${name} FAILED after ${seconds}s:`);
        for (const problem of problems) console.error(`  - ${problem}`);
      } else {
        console.log(`spec ${name} ok in ${seconds}s`);
      }
    }
  } finally {
    server.close();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failed.length > 0) {
    console.error(`e2e FAILED after ${seconds}s: ${failed.join(', ')}`);
    return 1;
  }
  console.log(`e2e ok in ${seconds}s, ${names.length} specs (screenshots in ${path.relative(process.cwd(), artifacts) || '.'})`);
  return 0;
}

// Run only as a script: budget.mjs imports the server and the size report.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
