// The build-context tree: add a folder, rename a file into a new folder and the folder itself,
// delete a folder, .dockerignore greying (with the line in the title), files and a whole folder
// picked from disk (setInputFiles), a drop on the panel, and a build that uses them.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  artifacts, assert, build, editorText, openPlayground, sameList, waitUntil,
} from '../lib.mjs';

const projectDockerfile = 'FROM alpine:3.20\nWORKDIR /srv\nCOPY . .\n';

const rows = (page) =>
  page.$$eval('[data-testid="context"] > *', (items) => items.map((r) => `${r.dataset.kind}:${r.dataset.path}${r.dataset.ignored ? ' (ignored)' : ''}`));

async function waitRows(page, what, check) {
  await waitUntil(what, async () => check(await rows(page)) || JSON.stringify(await rows(page)));
}

async function rename(page, from, to) {
  await page.getByRole('button', { name: `Rename ${from}`, exact: true }).click();
  const input = page.getByTestId('context-rename');
  await input.fill(to);
  await input.press('Enter');
}

export default async function contextSpec(page, { origin }) {
  await openPlayground(page, origin);
  assert(
    sameList(await rows(page), ['file:.dockerignore', 'file:app.py', 'file:requirements.txt']),
    `start: ${await rows(page)}`,
  );

  // A folder, then a file renamed into a new folder, then that folder renamed.
  await page.getByTestId('context-new').fill('docs');
  await page.getByTestId('context-add-folder').click();
  await waitRows(page, 'the docs folder', (r) => r.includes('dir:docs'));
  await rename(page, 'app.py', 'src/app.py');
  await waitRows(page, 'app.py moved into src/', (r) => r.includes('dir:src') && r.includes('file:src/app.py') && !r.includes('file:app.py'));
  await rename(page, 'src', 'code');
  await waitRows(page, 'src renamed to code', (r) => r.includes('file:code/app.py') && !r.includes('dir:src'));
  assert((await page.getByTestId('context-text').inputValue()).includes('Flask'), 'the moved file stays open');

  // .dockerignore greys what it leaves out, and the title says which line.
  await page.locator('[data-testid="context"] > [data-path=".dockerignore"] .file-name').click();
  await page.getByTestId('context-text').fill('*.md\ndocs\n');
  await page.getByTestId('context-new').fill('NOTES.md');
  await page.getByTestId('context-new').press('Enter');
  await waitRows(page, 'NOTES.md greyed', (r) => r.includes('file:NOTES.md (ignored)') && r.includes('dir:docs (ignored)'));
  const title = await page.locator('[data-testid="context"] > [data-path="NOTES.md"]').getAttribute('title');
  assert(title === 'Not in the build context: excluded by .dockerignore line 1: *.md', `title: ${title}`);

  // Delete a folder with everything in it.
  await page.getByRole('button', { name: 'Delete docs', exact: true }).click();
  await waitRows(page, 'docs deleted', (r) => !r.some((x) => x.includes(':docs')));

  // Files and a folder from disk.
  const dir = await mkdtemp(path.join(tmpdir(), 'stowage-context-'));
  try {
    await writeFile(path.join(dir, 'one.txt'), 'first\n');
    await writeFile(path.join(dir, 'two.txt'), 'second\n');
    await page.getByTestId('context-pick-files').setInputFiles([path.join(dir, 'one.txt'), path.join(dir, 'two.txt')]);
    await waitRows(page, 'picked files', (r) => r.includes('file:one.txt') && r.includes('file:two.txt'));
    const project = path.join(dir, 'project');
    await mkdir(path.join(project, 'web', 'static'), { recursive: true });
    await writeFile(path.join(project, 'web', 'index.html'), '<h1>picked</h1>\n');
    await writeFile(path.join(project, 'web', 'static', 'app.css'), 'h1 { color: red; }\n');
    await writeFile(path.join(project, 'Dockerfile'), projectDockerfile);
    await page.getByTestId('context-pick-folder').setInputFiles(project);
    // The picked folder is the context root: its own name is dropped.
    await waitRows(page, 'the picked folder', (r) => r.includes('dir:web') && r.includes('dir:web/static') && r.includes('file:web/static/app.css'));
    assert((await page.getByTestId('context-status').textContent()).startsWith('Added 3 files'), 'status after the folder');
    // Its Dockerfile opens in the editor.
    await waitUntil('the project Dockerfile in the editor', async () => (await editorText(page)) === projectDockerfile || JSON.stringify(await editorText(page)));

    // A real drop of a folder from disk (Chromium's DevTools drag input): the page walks it
    // through webkitGetAsEntry and the directory reader.
    const dropped = path.join(dir, 'assets');
    await mkdir(path.join(dropped, 'img', 'icons'), { recursive: true });
    await writeFile(path.join(dropped, 'img', 'icons', 'logo.svg'), '<svg/>\n');
    await writeFile(path.join(dropped, 'readme.txt'), 'assets\n');
    await dragFromDesktop(page, [dropped]);
    await waitRows(page, 'the dropped folder', (r) => r.includes('file:img/icons/logo.svg') && r.includes('file:readme.txt'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // A drop on the panel (a synthetic DataTransfer: plain files, no file-system entries).
  const dataTransfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['dropped text\n'], 'dropped.txt', { type: 'text/plain' }));
    return dt;
  });
  await page.getByTestId('context-panel').dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('context-panel').dispatchEvent('drop', { dataTransfer });
  await waitRows(page, 'the dropped file', (r) => r.includes('file:dropped.txt'));
  assert((await page.getByTestId('context-text').inputValue()) === 'dropped text\n', 'the dropped file is open');

  // Collapse a folder: its rows go, its row stays.
  await page.locator('[data-testid="context"] > [data-path="web"] .file-name').click();
  await waitRows(page, 'web collapsed', (r) => r.includes('dir:web') && !r.includes('file:web/index.html'));
  await page.getByTestId('context-panel').screenshot({ path: path.join(artifacts, 'e2e-context.png') });

  // The build sees the moved and picked files (and not what .dockerignore leaves out).
  await page.getByTestId('tab-build').click();
  const steps = await build(page, 'a build of the edited context', (r) => r.length > 0 || 'no steps');
  const copy = steps.find((s) => s.text.includes('COPY . .'));
  assert(copy, `a COPY . . step: ${JSON.stringify(steps)}`);
}

// Drags `files` (paths on disk) from outside the browser onto the context panel.
async function dragFromDesktop(page, files) {
  const box = await page.getByTestId('context-panel').boundingBox();
  const [x, y] = [box.x + box.width / 2, box.y + Math.min(box.height / 2, 60)];
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
  }
  await cdp.detach();
}
