// The docker console: build from the editor, images, history, inspect, tag, run, push/pull
// through the in-memory localhost:5000 registry, rmi, prune, unknown commands, ↑/↓ history and
// clear; then Export: the built image downloaded as an OCI archive that skopeo reads.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  artifacts, assert, build, editorText, openPlayground, waitUntil,
} from '../lib.mjs';

const run = promisify(execFile);

// Types `line` in the terminal, waits for its answer; returns { status, text }.
async function docker(page, line) {
  const entries = page.locator('[data-testid="terminal-output"] .terminal-entry');
  const before = await entries.count();
  await page.getByTestId('terminal-input').fill(line);
  await page.getByTestId('terminal-input').press('Enter');
  const entry = entries.nth(before);
  await waitUntil(`an answer to ${line}`, async () => {
    if ((await entries.count()) <= before) return 'no entry yet';
    return (await entry.getAttribute('data-status')) !== 'running' || 'running';
  });
  const status = Number(await entry.getAttribute('data-status'));
  const text = (await entry.locator('.terminal-text').count()) ? await entry.locator('.terminal-text').textContent() : '';
  return { status, text };
}

async function ok(page, line) {
  const reply = await docker(page, line);
  assert(reply.status === 0, `${line} succeeds: status ${reply.status}: ${reply.text}`);
  return reply.text;
}

export default async function terminalSpec(page, { origin }) {
  await openPlayground(page, origin);
  await page.locator('[data-testid="examples"] [data-example="python-app"]').click();
  await waitUntil('the Python example', async () => (await editorText(page)).startsWith('FROM python') || 'not yet');
  await page.getByTestId('tab-terminal').click();

  const built = await ok(page, 'docker build -t app .');
  assert(built.includes('[1/6] FROM python:3.12-slim'), `build log: ${built}`);
  assert(built.includes('naming to docker.io/library/app:latest done'), `build names the image: ${built}`);

  const images = await ok(page, 'docker images');
  const [header, ...rows] = images.split('\n');
  assert(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/.test(header), `images header: ${header}`);
  assert(rows.some((r) => /^app\s+latest\s+[0-9a-f]{12}\s/.test(r)), `app:latest listed: ${images}`);

  const history = await ok(page, 'docker history app');
  assert(history.startsWith('IMAGE') && history.includes('pip install'), `history: ${history}`);
  const inspect = JSON.parse(await ok(page, 'docker inspect app'));
  assert(inspect[0].RepoTags[0] === 'app:latest' && inspect[0].Config.WorkingDir === '/app', `inspect: ${JSON.stringify(inspect[0].Config)}`);

  assert((await ok(page, 'docker run --rm app ls')).split('\n').includes('app.py'), 'run ls shows the copied app');
  assert((await ok(page, 'docker run app cat requirements.txt')).trim() === 'flask==3.0.3', 'run cat reads the image');

  await ok(page, 'docker tag app localhost:5000/app:v1');
  const pushed = await ok(page, 'docker push localhost:5000/app:v1');
  assert(pushed.startsWith('The push refers to repository [localhost:5000/app]'), `push: ${pushed}`);
  assert(/v1: digest: sha256:[0-9a-f]{64} size: \d+/.test(pushed), `push digest: ${pushed}`);
  const removed = await ok(page, 'docker rmi localhost:5000/app:v1');
  assert(removed === 'Untagged: localhost:5000/app:v1', `rmi: ${removed}`);
  const pulled = await ok(page, 'docker pull localhost:5000/app:v1');
  assert(pulled.includes('Status: Image is up to date for localhost:5000/app:v1') || pulled.includes('Downloaded newer image'), `pull: ${pulled}`);

  // docker pull of a simulated base, and docker save -o: the archive arrives as a download (a
  // small image: the debug build takes its time over the Python one's 130 MB).
  const busybox = await ok(page, 'docker pull busybox');
  assert(busybox.includes('Status: Downloaded newer image for busybox:latest'), `pull busybox: ${busybox}`);
  const [saved] = await Promise.all([page.waitForEvent('download'), ok(page, 'docker save -o busybox.tar busybox')]);
  assert(saved.suggestedFilename() === 'busybox.tar', `docker save download: ${saved.suggestedFilename()}`);

  const unknown = await docker(page, 'docker frobnicate');
  assert(unknown.status !== 0 && unknown.text.startsWith("docker: 'frobnicate' is not a docker command."), `unknown: ${unknown.text}`);
  const noSuch = await docker(page, 'docker rmi nosuch');
  assert(noSuch.text === 'Error response from daemon: No such image: nosuch', `rmi nosuch: ${noSuch.text}`);

  // ↑ recalls the last command, ↑ again the one before, ↓ goes back.
  const input = page.getByTestId('terminal-input');
  await input.press('ArrowUp');
  assert((await input.inputValue()) === 'docker rmi nosuch', `↑: ${await input.inputValue()}`);
  await input.press('ArrowUp');
  assert((await input.inputValue()) === 'docker frobnicate', `↑↑: ${await input.inputValue()}`);
  await input.press('ArrowDown');
  assert((await input.inputValue()) === 'docker rmi nosuch', `↑↑↓: ${await input.inputValue()}`);
  // Tab completes the command word.
  await input.fill('docker hist');
  await input.press('Tab');
  assert((await input.inputValue()) === 'docker history ', `Tab: ${await input.inputValue()}`);
  await input.fill('');

  // The Build button and the terminal share the engine's store.
  await page.getByTestId('tab-build').click();
  await build(page, 'a Build-button build', (rows) => rows.length === 6 || `${rows.length} rows`);
  await page.getByTestId('tab-terminal').click();
  const shared = await ok(page, 'docker images');
  assert(/^playground\s+latest\s/m.test(shared), `the Build button's image is listed: ${shared}`);
  const pruned = await ok(page, 'docker image prune -f');
  assert(pruned.includes('Total reclaimed space:'), `prune: ${pruned}`);
  await page.screenshot({ path: path.join(artifacts, 'e2e-terminal.png') });
  await ok(page, 'help');
  await page.getByTestId('terminal-input').fill('clear');
  await page.getByTestId('terminal-input').press('Enter');
  await waitUntil('the terminal to be cleared', async () =>
    (await page.locator('[data-testid="terminal-output"] .terminal-entry').count()) === 0 || 'entries left');

  await exportArchive(page);
}

// Export: a small image (the non-root USER example on alpine), downloaded and read by skopeo.
async function exportArchive(page) {
  await page.locator('[data-testid="examples"] [data-example="non-root-user"]').click();
  await waitUntil('the non-root example', async () => (await editorText(page)).startsWith('FROM alpine') || 'not yet');
  await page.getByTestId('tab-build').click();
  await build(page, 'the non-root build', (rows) => rows.length === 6 || `${rows.length} rows`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  assert(/^image-[0-9a-f]{12}\.oci\.tar$/.test(download.suggestedFilename()), `file name: ${download.suggestedFilename()}`);
  const dir = await mkdtemp(path.join(tmpdir(), 'stowage-export-'));
  try {
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    assert((await stat(file)).size > 1_000_000, 'the archive holds the layers');
    const { stdout } = await run('skopeo', ['inspect', `oci-archive:${file}`]);
    const info = JSON.parse(stdout);
    assert(info.Layers.length === 4, `skopeo sees 4 layers: ${JSON.stringify(info.Layers)}`);
    const { stdout: configText } = await run('skopeo', ['inspect', '--config', `oci-archive:${file}`]);
    const config = JSON.parse(configText);
    assert(config.config.User === 'app', `config User: ${config.config.User}`);
    assert(JSON.stringify(config.config.Cmd) === '["sh","./run.sh"]', `config Cmd: ${JSON.stringify(config.config.Cmd)}`);
    assert(config.rootfs.diff_ids.length === 4, `diff IDs: ${config.rootfs.diff_ids}`);
    console.log(`export: ${download.suggestedFilename()} read by skopeo (${info.Layers.length} layers)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
