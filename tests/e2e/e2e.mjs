// End-to-end test of the playground in a real browser.
//
//   node tests/e2e/e2e.mjs <dist-dir>
//
// Serves the Trunk build in <dist-dir> on 127.0.0.1 (ephemeral port), drives the system
// Chromium through playwright-core (which downloads no browser), types a Dockerfile with an
// error into the CodeMirror editor, checks the instruction rows, the diagnostic and its
// underline, fixes the error, opens a rule's page from the editor's hover, applies a quick fix,
// and reports lint-as-you-type timings measured in the analysis worker. Any page error, console error, failed request or HTTP status >= 400
// fails the run. Screenshots go to tests/e2e/artifacts/.

import { createServer } from 'node:http';
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, 'artifacts');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Generous for a 2-core machine running a debug build; a pass takes a few seconds.
const timeout = 20_000;

// Without these flags Chromium keeps reaching for the (closed) network and may log errors.
const chromiumArgs = [
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

// Problems seen anywhere (server, network, console, page); the run fails if any.
const problems = [];

function serve(root) {
  const server = createServer(async (req, res) => {
    const respond = (status, body, type = 'text/plain; charset=utf-8') => {
      if (status >= 400) problems.push(`server: ${status} for ${req.method} ${req.url}`);
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

// Polls `check` (an async predicate that may return a string explaining what it saw) until it
// returns true, or fails with `what` and the last explanation.
async function waitUntil(what, check) {
  const deadline = Date.now() + timeout;
  let last = '';
  for (;;) {
    const result = await check();
    if (result === true) return;
    last = typeof result === 'string' ? result : '';
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `; last saw: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

// Instruction rows as `KEYWORD start-end`.
const instructionRows = (page) =>
  page.$$eval('[data-testid="instructions"] > *', (rows) =>
    rows.map((row) => `${row.dataset.keyword} ${row.dataset.lines}`),
  );

// Diagnostic rows as `code@line` plus their visible text.
const diagnosticRows = (page) =>
  page.$$eval('[data-testid="diagnostics"] > *', (rows) =>
    rows.map((row) => ({
      testid: row.dataset.testid,
      key: `${row.dataset.code}@${row.dataset.line}`,
      severity: row.querySelector('.severity')?.textContent,
      position: row.querySelector('.position')?.textContent,
    })),
  );

const sameList = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// The editor's text, through the facade's test handle (CodeMirror only draws visible lines).
const editorText = (page) => page.$eval('.cm-editor', (el) => el.stowageEditor.getText());

// Selects the first occurrence of `needle` (offset by `skip` chars, `length` long) in the editor.
const selectInEditor = (page, needle, skip = 0, length = needle.length) =>
  page.$eval(
    '.cm-editor',
    (el, [needle, skip, length]) => {
      const { view } = el.stowageEditor;
      const at = view.state.doc.toString().indexOf(needle);
      if (at < 0) throw new Error(`${needle} not in the editor`);
      view.focus();
      view.dispatch({ selection: { anchor: at + skip, head: at + skip + length } });
    },
    [needle, skip, length],
  );

// Replaces the whole text the way a user would: select all, then type it line by line. Enter
// copies the previous line's indentation; Shift+Home selects it so the next line replaces it.
async function typeDocument(page, text) {
  await page.getByTestId('editor').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  for (const [i, line] of text.split('\n').entries()) {
    if (i > 0) {
      await page.keyboard.press('Enter');
      await page.keyboard.press('Shift+Home');
    }
    await page.keyboard.type(line);
  }
}

// The text under the editor's underline(s) for one code.
const markedText = (page, code) =>
  page.$$eval(`.cm-lintRange.code-${code}`, (marks) => marks.map((m) => m.textContent).join(''));

// The revision the shown analysis describes (changes with every worker answer).
const analysedRevision = (page) => page.getByTestId('lint-time').getAttribute('data-revision');

// What the page downloads, gzipped (level 9), by kind: reported, not asserted.
async function reportSizes(root) {
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
}

async function run(page, origin) {
  const loading = Date.now();
  const response = await page.goto(`${origin}/`, { waitUntil: 'load' });
  assert(response?.ok(), `index.html loads (status ${response?.status()})`);
  const editor = page.getByTestId('editor');
  await editor.waitFor({ state: 'visible', timeout });
  const editorShown = Date.now() - loading;
  assert((await page.getByRole('textbox', { name: 'Dockerfile' }).count()) === 1, 'the editor is labelled "Dockerfile"');
  assert((await editor.getAttribute('contenteditable')) === 'true', 'the editor is CodeMirror\'s editable content');

  // The example: valid, so rows and no diagnostics; highlighted as a Dockerfile.
  await waitUntil('the example to be analysed', async () => {
    const rows = await instructionRows(page);
    return rows.length > 0 || 'no instruction rows';
  });
  console.log(`first render: editor after ${editorShown} ms, first analysis after ${Date.now() - loading} ms (localhost)`);
  assert((await diagnosticRows(page)).length === 0, 'the example has no diagnostics');
  assert((await page.locator('.cm-content .tok-keyword').count()) > 0, 'keywords are highlighted');
  await page.screenshot({ path: path.join(artifacts, 'e2e-example.png'), fullPage: true });

  // Type a Dockerfile whose CMD holds a non-string in its JSON array.
  const typed = 'FROM alpine\nRUN echo hi \\\n  && echo there\nCMD ["a", 1]\n';
  await typeDocument(page, typed);
  assert((await editorText(page)) === typed, `the editor holds what was typed: ${JSON.stringify(await editorText(page))}`);
  const expectedRows = ['FROM 1-1', 'RUN 2-3', 'CMD 4-4'];
  await waitUntil('three instruction rows', async () => {
    const rows = await instructionRows(page);
    return sameList(rows, expectedRows) || JSON.stringify(rows);
  });
  await waitUntil('the json-not-strings diagnostic on line 4', async () => {
    const rows = await diagnosticRows(page);
    return sameList(rows.map((row) => row.key), ['json-not-strings@4']) || JSON.stringify(rows);
  });
  const [diagnostic] = await diagnosticRows(page);
  assert(diagnostic.testid === 'diagnostic', 'diagnostic rows carry data-testid="diagnostic"');
  assert(diagnostic.severity === 'error', `row shows the severity: ${JSON.stringify(diagnostic)}`);
  assert(/^4:\d+$/.test(diagnostic.position), `row shows line:col: ${JSON.stringify(diagnostic)}`);
  const runRow = page.locator('[data-testid="instructions"] > *').nth(1);
  assert((await runRow.textContent()).includes('lines 2–3'), 'the RUN row shows its line range');
  // The editor underlines the diagnostic at its exact span.
  await waitUntil('the editor to underline the JSON array', async () => {
    const text = await markedText(page, 'json-not-strings');
    return text === '["a", 1]' || `underlined: ${JSON.stringify(text)}`;
  });
  assert((await page.locator('.cm-lintRange-error').count()) > 0, 'errors are underlined as errors');
  await page.screenshot({ path: path.join(artifacts, 'e2e-error.png'), fullPage: true });

  // Fix it the way a user would: select the `1` and type a string over it.
  await selectInEditor(page, ', 1]', 2, 1);
  await page.keyboard.type('"b"');
  await waitUntil('the diagnostic to go away', async () => {
    const rows = await diagnosticRows(page);
    return rows.length === 0 || JSON.stringify(rows);
  });
  assert(sameList(await instructionRows(page), expectedRows), 'the rows survive the fix');
  assert((await editorText(page)).includes('CMD ["a", "b"]'), 'the editor holds the fixed text');
  await page.getByText('No problems found.').waitFor({ state: 'visible', timeout });
  await waitUntil('the underline to go away', async () =>
    (await page.locator('.cm-lintRange.code-json-not-strings').count()) === 0 || 'still underlined');
  await page.screenshot({ path: path.join(artifacts, 'e2e.png'), fullPage: true });

  // Lint findings: listed with their rule, underlined in the editor, docs one click away.
  const untagged = page.locator('[data-testid="finding"][data-code="DL3006"]');
  await untagged.waitFor({ state: 'visible', timeout });
  assert((await untagged.getAttribute('data-line')) === '1', 'DL3006 is on line 1');
  const marked = await markedText(page, 'DL3006');
  assert(marked === 'alpine', `the underline covers the image name: ${JSON.stringify(marked)}`);
  const doc = untagged.getByTestId('rule-doc');
  assert(!(await doc.isVisible()), 'the rule documentation starts folded');
  await untagged.locator('summary').click();
  await doc.waitFor({ state: 'visible', timeout });
  assert((await doc.textContent()).includes('What it does'), 'the rule page shows its sections');

  // From the editor: hover the underline, then the tooltip's button opens the rule's page.
  await page.locator('.cm-lintRange.code-DL3006').first().hover();
  const tooltip = page.locator('.cm-tooltip-lint');
  await tooltip.waitFor({ state: 'visible', timeout });
  assert((await tooltip.textContent()).includes('DL3006'), `the hover names the rule: ${await tooltip.textContent()}`);
  await tooltip.locator('[data-testid="rule-link"][data-code="DL3006"]').click();
  const panel = page.locator('[data-testid="rule-panel"][data-code="DL3006"]');
  await panel.waitFor({ state: 'visible', timeout });
  assert((await panel.textContent()).includes('What it does'), 'the rule panel shows the page');
  await page.screenshot({ path: path.join(artifacts, 'e2e-lint.png'), fullPage: true });
  await panel.getByRole('button', { name: "close the rule's page" }).click();
  await panel.waitFor({ state: 'detached', timeout });

  // A quick fix: a lower-case `as` gets SW702 with a safe fix; applying it re-lints.
  await page.mouse.move(0, 0);
  await selectInEditor(page, 'FROM alpine');
  await page.keyboard.type('FROM alpine:3.20 as build');
  const casing = page.locator('[data-testid="finding"][data-code="SW702"]');
  await casing.waitFor({ state: 'visible', timeout });
  assert((await casing.getByTestId('fix').getAttribute('data-safe')) === 'true', 'SW702 offers a safe fix');
  await waitUntil('the `as` to be underlined', async () =>
    (await markedText(page, 'SW702')) === 'as' || `underlined: ${JSON.stringify(await markedText(page, 'SW702'))}`);
  await page.locator('.cm-lintRange.code-SW702').first().hover();
  const fixButton = page.locator('.cm-tooltip-lint .cm-diagnosticAction.safe');
  await fixButton.waitFor({ state: 'visible', timeout });
  await page.screenshot({ path: path.join(artifacts, 'e2e-quickfix.png'), fullPage: true });
  await fixButton.first().click();
  await casing.waitFor({ state: 'detached', timeout });
  assert((await editorText(page)).startsWith('FROM alpine:3.20 AS build\n'), `the fix applied: ${await editorText(page)}`);
  assert((await page.locator('[data-testid="finding"][data-code="DL3006"]').count()) === 0, 'the tag fixed DL3006 too');

  // Reset puts the example back into the editor (the app replacing the text, not the user).
  await page.getByRole('button', { name: 'Reset example' }).click();
  await waitUntil('the example back in the editor and analysed', async () => {
    const text = await editorText(page);
    const rows = await instructionRows(page);
    return (text.startsWith('# syntax=docker/dockerfile:1\n') && rows.length === 9) || `${rows.length} rows`;
  });

  // Lint as you type on a 300-line file: how long one analysis takes in the worker, and how
  // long from a keystroke to the new findings on screen (the pause before asking included).
  const stage = (i) => [
    `FROM debian:12 AS s${i}`,
    'RUN apt-get update \\',
    ' && apt-get install -y --no-install-recommends curl=8.0 git=1:2.39 \\',
    ' && rm -rf /var/lib/apt/lists/*',
    `ENV PORT=80${i % 10} MODE=prod`,
    'WORKDIR /app',
    'COPY . .',
    'RUN make build && make test',
    'USER app',
    'CMD ["/app/server"]',
  ];
  const big = Array.from({ length: 30 }, (_, i) => stage(i)).flat().join('\n') + '\n';
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(big);
  await waitUntil('the 300-line file to be analysed', async () => {
    const rows = await instructionRows(page);
    return rows.length === 240 || `${rows.length} rows`;
  });
  assert((await editorText(page)) === big, 'the editor holds the 300-line file');
  const worker = [];
  const roundTrip = [];
  for (let i = 0; i < 7; i++) {
    const before = await analysedRevision(page);
    await page.keyboard.press('ControlOrMeta+End');
    const started = Date.now();
    await page.keyboard.type(i % 2 ? '#' : ' ');
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid="lint-time"]')?.dataset.revision !== before,
      before,
      { polling: 'raf', timeout },
    );
    roundTrip.push(Date.now() - started);
    worker.push(Number(await page.getByTestId('lint-time').getAttribute('data-us')) / 1000);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `lint as you type, ${big.split('\n').length - 1} lines: median ${median(worker).toFixed(2)} ms in the worker ` +
      `(parse + checks + lint); keystroke to findings on screen ${median(roundTrip)} ms (60 ms typing pause included)`,
  );

  await buildAndRebuild(page);

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(artifacts, 'e2e-dark.png'), fullPage: true });
}

// The steps of the latest build: status and text of each row.
const stepRows = (page) =>
  page.$$eval('[data-testid="steps"] > *', (rows) =>
    rows.map((row) => ({ status: row.dataset.status, text: row.textContent })),
  );

// Clicks Build and waits for the worker's answer (the button is disabled meanwhile).
async function build(page, what, check) {
  const button = page.getByTestId('build');
  await button.click();
  await waitUntil(what, async () => {
    if (await button.isDisabled()) return 'still building';
    return check(await stepRows(page));
  });
  return stepRows(page);
}

// The Python example: build (all MISS), rebuild (all HIT), edit app.py, rebuild (COPY . . MISS).
async function buildAndRebuild(page) {
  await page.getByTestId('load-python').click();
  await waitUntil('the Python example in the editor', async () => (await editorText(page)).startsWith('FROM python') || 'not yet');
  const paths = await page.$$eval('[data-testid="context"] > *', (rows) => rows.map((r) => r.dataset.path));
  assert(sameList(paths, ['.dockerignore', 'app.py', 'requirements.txt']), `context files: ${paths}`);

  const started = Date.now();
  const first = await build(page, 'the first build', (rows) =>
    (rows.length === 6 && rows.every((r) => r.status === 'MISS' || r.status === 'CONFIG')) || JSON.stringify(rows.map((r) => r.status)),
  );
  console.log(`first build of the Python example: ${Date.now() - started} ms click to steps on screen`);
  assert(first[0].text.includes('[1/6] FROM python:3.12-slim'), `first step: ${first[0].text}`);
  const layers = await page.locator('[data-testid="layers"] > *').count();
  assert(layers >= 5, `layers listed: ${layers}`);
  assert((await page.getByTestId('image-size').textContent()).startsWith('Image total:'), 'the image total is shown');

  await build(page, 'the rebuild to hit the cache', (rows) =>
    (rows.length === 6 && rows.every((r) => r.status === 'HIT' || r.status === 'CONFIG')) || JSON.stringify(rows.map((r) => r.status)),
  );

  await page.locator('[data-testid="context"] > [data-path="app.py"] .file-name').click();
  await page.getByTestId('context-text').fill('print("edited in the playground")\n');
  const edited = await build(page, 'the rebuild after editing app.py', (rows) => {
    const statuses = rows.map((r) => r.status);
    return sameList(statuses, ['HIT', 'HIT', 'HIT', 'HIT', 'MISS', 'CONFIG']) || JSON.stringify(statuses);
  });
  assert(edited[4].text.includes('COPY . .'), `the fifth step is COPY . .: ${edited[4].text}`);
  assert(edited[4].text.includes('app.py'), `the COPY's reason names app.py: ${edited[4].text}`);
  // Add a file through the form (it opens for editing), then delete it.
  const contextPaths = () => page.$$eval('[data-testid="context"] > *', (rows) => rows.map((r) => r.dataset.path));
  await page.getByTestId('context-new').fill('src/util.py');
  await page.getByTestId('context-new').press('Enter');
  await waitUntil('src/util.py to be added', async () => (await contextPaths()).includes('src/util.py') || JSON.stringify(await contextPaths()));
  assert((await page.getByTestId('context-text').inputValue()) === '', 'the new file is empty and open');
  await page.getByRole('button', { name: 'Delete src/util.py' }).click();
  await waitUntil('src/util.py to be deleted', async () =>
    sameList(await contextPaths(), ['.dockerignore', 'app.py', 'requirements.txt']) || JSON.stringify(await contextPaths()),
  );

  // The results column scrolls on its own: bring the steps into view for the picture.
  await page.getByTestId('steps').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(artifacts, 'e2e-build.png') });

  // --no-cache runs every step after FROM again; unticked, the next build hits.
  await page.getByTestId('no-cache').check();
  await build(page, 'the --no-cache build', (rows) => {
    const statuses = rows.map((r) => r.status);
    return sameList(statuses, ['HIT', 'MISS', 'MISS', 'MISS', 'MISS', 'CONFIG']) || JSON.stringify(statuses);
  });
  await page.getByTestId('no-cache').uncheck();
  await build(page, 'the build after --no-cache to hit', (rows) => {
    const statuses = rows.map((r) => r.status);
    return sameList(statuses, ['HIT', 'HIT', 'HIT', 'HIT', 'HIT', 'CONFIG']) || JSON.stringify(statuses);
  });

  // A layer made here selects its instruction in the editor.
  await page.locator('[data-testid="layer"][data-lines="5-5"] button').click();
  const selectedText = () =>
    page.$eval('.cm-editor', (el) => {
      const { state } = el.stowageEditor.view;
      return state.sliceDoc(state.selection.main.from, state.selection.main.to);
    });
  await waitUntil('the COPY . . line to be selected', async () => (await selectedText()) === 'COPY . .' || JSON.stringify(await selectedText()));
}

async function main() {
  const distArg = process.argv[2];
  if (!distArg) {
    console.error('usage: node tests/e2e/e2e.mjs <dist-dir>');
    return 2;
  }
  const root = path.resolve(distArg);
  if (!(await stat(path.join(root, 'index.html')).catch(() => null))) {
    console.error(`no index.html in ${root}: build the app first (trunk build)`);
    return 2;
  }
  await mkdir(artifacts, { recursive: true });
  await reportSizes(root);

  const started = Date.now();
  const server = await serve(root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  // A fresh profile every run: nothing cached, nothing remembered.
  const profile = await mkdtemp(path.join(tmpdir(), 'stowage-e2e-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
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
      await run(page, origin);
    } catch (error) {
      problems.push(error.stack ?? String(error));
      await page.screenshot({ path: path.join(artifacts, 'e2e-failure.png'), fullPage: true }).catch(() => {});
    }
  } catch (error) {
    problems.push(error.stack ?? String(error));
  } finally {
    await context?.close().catch(() => {});
    server.close();
    await rm(profile, { recursive: true, force: true });
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length > 0) {
    console.error(`e2e FAILED after ${seconds}s:`);
    for (const problem of problems) console.error(`  - ${problem}`);
    return 1;
  }
  console.log(`e2e ok in ${seconds}s (screenshots in ${path.relative(process.cwd(), artifacts) || '.'})`);
  return 0;
}

process.exitCode = await main();
