// Live lint in the editor: instruction rows, diagnostics at their span, findings with their
// rule page, a quick fix, Reset, and lint-as-you-type timings on a 300-line file.

import path from 'node:path';
import {
  analysedRevision, artifacts, assert, diagnosticRows, editorText, instructionRows, lintWorkload, markedText,
  openPlayground, sameList, selectInEditor, timeout, typeDocument, waitUntil,
} from '../lib.mjs';

export default async function editorSpec(page, { origin }) {
  const { editorShown, analysed } = await openPlayground(page, origin);
  const editor = page.getByTestId('editor');
  assert((await page.getByRole('textbox', { name: 'Dockerfile' }).count()) === 1, 'the editor is labelled "Dockerfile"');
  assert((await editor.getAttribute('contenteditable')) === 'true', 'the editor is CodeMirror\'s editable content');

  // The example: valid, so rows and no diagnostics; highlighted as a Dockerfile.
  console.log(`first render: editor after ${editorShown} ms, first analysis after ${analysed} ms (localhost)`);
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
  const big = lintWorkload;
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

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(artifacts, 'e2e-dark.png'), fullPage: true });
}
