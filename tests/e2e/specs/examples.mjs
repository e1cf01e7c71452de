// The example picker: every example loads its Dockerfile, context and explanation in one
// click, and one of them (the Node app: the cache-ordering lesson) builds and rebuilds with
// the HIT/MISS pattern its explanation promises.

import path from 'node:path';
import {
  artifacts, assert, build, editorText, openPlayground, sameList, waitUntil,
} from '../lib.mjs';

const contextPaths = (page) => page.$$eval('[data-testid="context"] > *', (rows) => rows.map((r) => r.dataset.path));

export default async function examplesSpec(page, { origin }) {
  await openPlayground(page, origin);
  const names = await page.$$eval('[data-testid="examples"] [data-example]', (buttons) => buttons.map((b) => b.dataset.example));
  assert(
    sameList(names, ['nginx-static', 'python-app', 'node-app', 'go-multistage', 'dockerignore', 'apt-cleanup', 'non-root-user']),
    `examples listed: ${names}`,
  );
  const firstLines = {
    'nginx-static': 'FROM nginx:1.27-alpine',
    'python-app': 'FROM python:3.12-slim',
    'node-app': 'FROM node:20-alpine',
    'go-multistage': 'FROM golang:1.22-alpine AS build',
    dockerignore: 'FROM python:3.12-slim',
    'apt-cleanup': 'FROM debian:bookworm-slim',
    'non-root-user': 'FROM alpine:3.20',
  };
  for (const name of names) {
    const button = page.locator(`[data-testid="examples"] [data-example="${name}"]`);
    await button.click();
    await waitUntil(`${name} in the editor`, async () => (await editorText(page)).startsWith(firstLines[name]) || (await editorText(page)).slice(0, 40));
    assert((await button.getAttribute('aria-pressed')) === 'true', `${name} is marked as loaded`);
    const note = page.getByTestId('example-note');
    assert((await note.locator('summary').textContent()).length > 10, `${name} has a title`);
    assert((await note.textContent()).length > 150, `${name} is explained`);
    // apt-cleanup copies nothing: its context is empty.
    assert(((await contextPaths(page)).length > 0) === (name !== 'apt-cleanup'), `${name}'s build context: ${await contextPaths(page)}`);
  }

  // The Node app: build, edit server.js, rebuild: only COPY . . runs again.
  await page.locator('[data-testid="examples"] [data-example="node-app"]').click();
  await waitUntil('the Node app in the editor', async () => (await editorText(page)).startsWith('FROM node') || 'not yet');
  assert(
    sameList(await contextPaths(page), ['.dockerignore', 'package-lock.json', 'package.json', 'server.js']),
    `Node context: ${await contextPaths(page)}`,
  );
  await page.getByTestId('tab-build').click();
  await build(page, 'the Node app build', (rows) =>
    (rows.length === 8 && rows.every((r) => r.status === 'MISS' || r.status === 'CONFIG')) || JSON.stringify(rows.map((r) => r.status)),
  );
  await page.locator('[data-testid="context"] > [data-path="server.js"] .file-name').click();
  await page.getByTestId('context-text').fill("console.log('edited');\n");
  const rebuilt = await build(page, 'the rebuild after editing server.js', (rows) => {
    const statuses = rows.map((r) => r.status);
    return sameList(statuses, ['HIT', 'HIT', 'HIT', 'HIT', 'MISS', 'CONFIG', 'CONFIG', 'CONFIG']) || JSON.stringify(statuses);
  });
  assert(rebuilt[3].text.includes('npm install'), `npm install is the cached fourth step: ${rebuilt[3].text}`);
  await page.screenshot({ path: path.join(artifacts, 'e2e-examples.png') });
}
