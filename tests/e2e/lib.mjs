// Shared by the end-to-end specs (tests/e2e/specs/*.mjs): waiting, asserting and reading the
// playground's state through its stable test hooks (data-testid) and the editor's test handle.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const artifacts = path.join(here, 'artifacts');
// Generous for a 2-core machine running a debug build; a pass takes a few seconds.
export const timeout = 20_000;

// Polls `check` (an async predicate that may return a string explaining what it saw) until it
// returns true, or fails with `what` and the last explanation.
export async function waitUntil(what, check) {
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

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

// Instruction rows as `KEYWORD start-end`.
export const instructionRows = (page) =>
  page.$$eval('[data-testid="instructions"] > *', (rows) =>
    rows.map((row) => `${row.dataset.keyword} ${row.dataset.lines}`),
  );

// Diagnostic rows as `code@line` plus their visible text.
export const diagnosticRows = (page) =>
  page.$$eval('[data-testid="diagnostics"] > *', (rows) =>
    rows.map((row) => ({
      testid: row.dataset.testid,
      key: `${row.dataset.code}@${row.dataset.line}`,
      severity: row.querySelector('.severity')?.textContent,
      position: row.querySelector('.position')?.textContent,
    })),
  );

export const sameList = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// The editor's text, through the facade's test handle (CodeMirror only draws visible lines).
export const editorText = (page) => page.$eval('.cm-editor', (el) => el.stowageEditor.getText());

// Selects the first occurrence of `needle` (offset by `skip` chars, `length` long) in the editor.
export const selectInEditor = (page, needle, skip = 0, length = needle.length) =>
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
export async function typeDocument(page, text) {
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
export const markedText = (page, code) =>
  page.$$eval(`.cm-lintRange.code-${code}`, (marks) => marks.map((m) => m.textContent).join(''));

// The revision the shown analysis describes (changes with every worker answer).
export const analysedRevision = (page) => page.getByTestId('lint-time').getAttribute('data-revision');

// The steps of the latest build: status and text of each row.
export const stepRows = (page) =>
  page.$$eval('[data-testid="steps"] > *', (rows) =>
    rows.map((row) => ({ status: row.dataset.status, text: row.textContent })),
  );

// Clicks Build and waits for the worker's answer (the button is disabled meanwhile).
export async function build(page, what, check) {
  const button = page.getByTestId('build');
  await button.click();
  await waitUntil(what, async () => {
    if (await button.isDisabled()) return 'still building';
    return check(await stepRows(page));
  });
  return stepRows(page);
}

// Opens the playground and waits for the editor and the example's first analysis; returns
// when each appeared (ms after navigation) for the budget report.
export async function openPlayground(page, origin) {
  const loading = Date.now();
  const response = await page.goto(`${origin}/`, { waitUntil: 'load' });
  assert(response?.ok(), `index.html loads (status ${response?.status()})`);
  await page.getByTestId('editor').waitFor({ state: 'visible', timeout });
  const editorShown = Date.now() - loading;
  await waitUntil('the example to be analysed', async () => {
    const rows = await instructionRows(page);
    return rows.length > 0 || 'no instruction rows';
  });
  return { editorShown, analysed: Date.now() - loading };
}

// The lint-as-you-type workload: 30 stages of 10 lines (300 lines), for the editor spec and
// the budget script.
const lintStage = (i) => [
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
export const lintWorkload = Array.from({ length: 30 }, (_, i) => lintStage(i)).flat().join('\n') + '\n';
