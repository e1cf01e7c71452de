// Share: set up a Dockerfile and a context, click Share, read the link, open it in a new page
// (a fresh tab of the same profile) and compare the editor text and every context file; then a
// reload without the link restores the state from local storage.

import path from 'node:path';
import {
  artifacts, assert, editorText, openPlayground, sameList, typeDocument, waitUntil,
} from '../lib.mjs';

const dockerfile = 'FROM alpine:3.20\nWORKDIR /srv\nCOPY . .\nCMD ["sh", "run.sh"]';

// Every context file as [path, text], read by opening each one.
async function contextFiles(page) {
  const paths = await page.$$eval('[data-testid="context"] > [data-kind="file"]', (rows) => rows.map((r) => r.dataset.path));
  const files = [];
  for (const p of paths) {
    await page.locator(`[data-testid="context"] > [data-path="${p}"] .file-name`).click();
    files.push([p, await page.getByTestId('context-text').inputValue()]);
  }
  return files;
}

export default async function shareSpec(page, { origin, context }) {
  await openPlayground(page, origin);
  await typeDocument(page, dockerfile);
  // A file of our own with non-ASCII text and quotes, and an edit to one of the example's.
  await page.getByTestId('context-new').fill('scripts/run.sh');
  await page.getByTestId('context-new').press('Enter');
  await page.getByTestId('context-text').fill('#!/bin/sh\necho "héllo ✓ — \'quoted\'"\n');
  await page.locator('[data-testid="context"] > [data-path="app.py"] .file-name').click();
  await page.getByTestId('context-text').fill('print("shared")\n');
  const expectedText = await editorText(page);
  assert(expectedText === dockerfile, `typed: ${JSON.stringify(expectedText)}`);
  const expectedFiles = await contextFiles(page);

  await page.getByTestId('share').click();
  const linkBox = page.getByTestId('share-link');
  await linkBox.waitFor({ state: 'visible' });
  const link = await linkBox.inputValue();
  assert(link.startsWith(`${origin}/#s=`), `the link: ${link}`);
  await waitUntil('the URL to hold the state', async () => page.url() === link || page.url());
  console.log(`share link: ${link.length} characters for ${dockerfile.length + expectedFiles.reduce((n, [, t]) => n + t.length, 0)} characters of state`);

  const other = await context.newPage();
  const problems = [];
  other.on('pageerror', (e) => problems.push(e.message));
  other.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await other.goto(link);
  await other.getByTestId('editor').waitFor({ state: 'visible' });
  await waitUntil('the shared Dockerfile in the new page', async () => (await editorText(other)) === expectedText || JSON.stringify(await editorText(other)));
  const files = await contextFiles(other);
  assert(sameList(files, expectedFiles), `context restored: ${JSON.stringify(files)} vs ${JSON.stringify(expectedFiles)}`);
  await other.screenshot({ path: path.join(artifacts, 'e2e-share.png') });
  await other.close();
  assert(problems.length === 0, `the shared page had errors: ${problems}`);

  // A damaged link says so and leaves the page usable (with the example it starts with).
  const broken = await context.newPage();
  await broken.goto(`${origin}/#s=not*base64`);
  await broken.getByRole('alert').waitFor();
  const alert = await broken.getByRole('alert').textContent();
  assert(alert.includes('The shared link could not be opened: the link is not base64url'), `alert: ${alert}`);
  assert((await editorText(broken)).includes('FROM alpine:3.20 AS build'), 'the starting example is shown');
  await broken.close();

  // Local storage: a plain visit (no fragment) comes back to the latest state.
  await page.locator('[data-testid="context"] > [data-path="requirements.txt"] .file-name').click();
  await page.getByTestId('context-text').fill('flask==3.1.0\n');
  await waitUntil('the edit to be kept in the URL', async () => page.url() !== link || 'not yet');
  await page.goto(`${origin}/`);
  await waitUntil('the stored Dockerfile after a reload', async () => (await editorText(page)) === expectedText || JSON.stringify(await editorText(page)));
  const reloaded = Object.fromEntries(await contextFiles(page));
  assert(reloaded['requirements.txt'] === 'flask==3.1.0\n', `requirements.txt after reload: ${JSON.stringify(reloaded['requirements.txt'])}`);
  assert(reloaded['scripts/run.sh'] === expectedFiles.find(([p]) => p === 'scripts/run.sh')[1], 'the added file is back');
}
