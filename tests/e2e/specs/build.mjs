// Building in the worker: the Python example's first build (all MISS), the rebuild (all HIT),
// an edited context file (COPY . . MISS with the file named), adding and deleting a context
// file, --no-cache, and a layer selecting its instruction in the editor.

import path from 'node:path';
import {
  artifacts, assert, build, editorText, openPlayground, sameList, waitUntil,
} from '../lib.mjs';

export default async function buildSpec(page, { origin }) {
  await openPlayground(page, origin);
  await buildAndRebuild(page);
}

// The Python example: build (all MISS), rebuild (all HIT), edit app.py, rebuild (COPY . . MISS).
async function buildAndRebuild(page) {
  await page.locator('[data-testid="examples"] [data-example="python-app"]').click();
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
  await page.getByTestId('tab-layers').click();
  await page.locator('[data-testid="layer"][data-lines="5-5"] button.created-by').click();
  const selectedText = () =>
    page.$eval('.cm-editor', (el) => {
      const { state } = el.stowageEditor.view;
      return state.sliceDoc(state.selection.main.from, state.selection.main.to);
    });
  await waitUntil('the COPY . . line to be selected', async () => (await selectedText()) === 'COPY . .' || JSON.stringify(await selectedText()));
}
