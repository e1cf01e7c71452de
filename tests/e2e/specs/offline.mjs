// Works offline once loaded: after the page is up (editor, first analysis, the build worker
// loaded in the background), the network goes away; lint, an example, a build, a rebuild and
// a terminal command still work, and no request leaves the page.

import {
  assert, build, editorText, instructionRows, openPlayground, typeDocument, waitUntil,
} from '../lib.mjs';

export default async function offlineSpec(page, { origin, context }) {
  // Both worker instances (analysis and build) fetch the worker's wasm.
  let workerWasm = 0;
  page.on('response', (response) => {
    if (response.url().endsWith('build-worker_bg.wasm') && response.ok()) workerWasm += 1;
  });
  await openPlayground(page, origin);
  await waitUntil('the build worker to load in the background', async () => workerWasm >= 2 || `${workerWasm} worker wasm fetched`);

  const requests = [];
  page.on('request', (request) => {
    if (!/^(data|blob):/.test(request.url())) requests.push(request.url());
  });
  await context.setOffline(true);

  await typeDocument(page, 'FROM alpine:3.20\nRUN echo offline\n');
  await waitUntil('the offline edit to be analysed', async () => {
    const rows = await instructionRows(page);
    return rows.length === 2 || `${rows.length} rows`;
  });

  await page.locator('[data-testid="examples"] [data-example="python-app"]').click();
  await waitUntil('the Python example', async () => (await editorText(page)).startsWith('FROM python') || 'not yet');
  await page.getByTestId('tab-build').click();
  await build(page, 'the offline build', (rows) =>
    (rows.length === 6 && rows.every((r) => r.status === 'MISS' || r.status === 'CONFIG')) || JSON.stringify(rows.map((r) => r.status)),
  );
  await build(page, 'the offline rebuild', (rows) =>
    (rows.length === 6 && rows.every((r) => r.status === 'HIT' || r.status === 'CONFIG')) || JSON.stringify(rows.map((r) => r.status)),
  );

  await page.getByTestId('tab-terminal').click();
  const entries = page.locator('[data-testid="terminal-output"] .terminal-entry');
  const before = await entries.count();
  await page.getByTestId('terminal-input').fill('docker images');
  await page.getByTestId('terminal-input').press('Enter');
  await waitUntil('docker images to answer offline', async () => {
    if ((await entries.count()) <= before) return 'no entry yet';
    return (await entries.nth(before).getAttribute('data-status')) === '0' || 'not answered with 0';
  });

  assert(requests.length === 0, `no request while offline: ${requests.join(', ')}`);
  await context.setOffline(false);
}
