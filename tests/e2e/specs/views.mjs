// The results views: tabs (keyboard), build args and target, the live BuildKit-style log, the
// stage graph with skipped stages, the layer explorer (files added with sizes, efficiency, the
// apt lists lesson, the union filesystem), edit + rebuild in the cache view (first MISS
// marked, previous build beside the new one), import of an archive, and the dark theme.

import path from 'node:path';
import {
  artifacts, assert, build, editorText, here, openPlayground, sameList, waitUntil,
} from '../lib.mjs';

// Four stages: `test` builds on `base`, `unused` needs nothing, the last copies from `base`.
const STAGES = `FROM alpine:3.20 AS base
ARG GREETING=hello
RUN echo "greeting: $GREETING"

FROM base AS test
RUN echo testing > /test.txt

FROM alpine:3.20 AS unused
RUN echo never > /never.txt

FROM alpine:3.20
COPY --from=base /etc/alpine-release /release
RUN echo built > /built.txt
`;

// Package lists downloaded in one layer and deleted in a later one: still shipped.
const APT = `FROM debian:bookworm-slim
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl
RUN rm -rf /var/lib/apt/lists/*
`;

export default async function viewsSpec(page, { origin }) {
  await openPlayground(page, origin);
  await tabs(page);
  await liveLog(page);
  await stagesArgsAndLog(page);
  await cacheAfterAnEdit(page);
  await layerExplorer(page);
  await importArchive(page);
  await darkTheme(page);
}

// Replaces the editor's text and waits for its analysis.
async function setDockerfile(page, text) {
  await page.$eval('.cm-editor', (el, text) => {
    const { view } = el.stowageEditor;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }, text);
  await waitUntil('the new Dockerfile in the editor', async () => (await editorText(page)) === text || 'not yet');
}

const selectedTab = (page) => page.$eval('[role="tab"][aria-selected="true"]', (t) => t.dataset.testid);

// Tabs: a tablist whose arrows move the selection and the focus.
async function tabs(page) {
  assert((await page.getByRole('tablist').count()) === 1, 'one tablist');
  assert((await selectedTab(page)) === 'tab-lint', 'Lint is shown first');
  await page.getByTestId('tab-lint').focus();
  await page.keyboard.press('ArrowRight');
  await waitUntil('Build to be selected', async () => (await selectedTab(page)) === 'tab-build' || await selectedTab(page));
  const focused = await page.evaluate(() => document.activeElement?.dataset.testid);
  assert(focused === 'tab-build', `focus follows the selection: ${focused}`);
  assert(await page.locator('#panel-build').isVisible(), 'the Build panel shows');
  assert(!(await page.locator('#panel-lint').isVisible()), 'the Lint panel hides');
  await page.keyboard.press('End');
  await waitUntil('the last tab', async () => (await selectedTab(page)) === 'tab-terminal' || await selectedTab(page));
  await page.keyboard.press('ArrowRight');
  await waitUntil('wrapping to the first tab', async () => (await selectedTab(page)) === 'tab-lint' || await selectedTab(page));
}

// The log streams: the worker sends each step's header as the step starts, so the log of the
// Go example arrives in several pieces before the build's result (counted by the page; how
// fast the build runs does not matter).
async function liveLog(page) {
  await page.locator('[data-testid="examples"] [data-example="go-multistage"]').click();
  await waitUntil('the Go example in the editor', async () => (await editorText(page)).startsWith('FROM golang') || 'not yet');
  await page.getByTestId('build').click();
  const log = page.getByTestId('build-log');
  // Switching tabs works whatever the worker is doing.
  await page.getByTestId('tab-stages').click();
  assert((await selectedTab(page)) === 'tab-stages', 'tabs switch');
  await page.getByTestId('tab-build').click();
  await waitUntil('the Go build to finish', async () => (await log.getAttribute('data-building')) === 'false' || 'building');
  const text = await log.textContent();
  assert(text.includes('[build 1/6] FROM golang:1.22') && text.includes('exporting to image'), `the whole log once done: ${text}`);
  const chunks = Number(await log.getAttribute('data-chunks'));
  assert(chunks >= 6, `the log arrived in pieces while the build ran: ${chunks}`);
}

const stageState = (page) =>
  page.$$eval('[data-testid="stage"]', (stages) => stages.map((s) => `${s.dataset.name}:${s.dataset.skipped}`));

const logText = (page) => page.getByTestId('build-log').textContent();

// The stage graph, the target select and a build arg, and what the log says.
async function stagesArgsAndLog(page) {
  await setDockerfile(page, STAGES);
  await page.getByTestId('tab-stages').click();
  await waitUntil('four stages in the graph', async () => {
    const stages = await stageState(page);
    return sameList(stages, ['base:false', 'test:true', 'unused:true', 'stage-3:false']) || JSON.stringify(stages);
  });
  const edges = await page.$$eval('[data-testid="stage-edge"]', (es) => es.map((e) => `${e.dataset.from}->${e.dataset.to} ${e.dataset.via}`));
  assert(sameList(edges, ['0->1 FROM', '0->3 COPY --from']), `edges: ${edges}`);
  await page.getByTestId('stage-graph').screenshot({ path: path.join(artifacts, 'views-stages.png') });

  // Build the default target: the log streams BuildKit's lines.
  await build(page, 'the multi-stage build', (rows) => rows.length === 6 || JSON.stringify(rows.map((r) => r.text)));
  const log = await logText(page);
  for (const expected of ['[base 1/3] FROM alpine:3.20', 'greeting: hello', ' DONE ', 'exporting to image']) {
    assert(log.includes(expected), `the log has ${expected}: ${log}`);
  }
  assert(!log.includes('testing'), `the skipped stage did not run: ${log}`);

  // Target `test` with GREETING=bonjour.
  await page.getByTestId('target').selectOption('test');
  await page.getByTestId('build-args').fill('GREETING=bonjour');
  await build(page, 'the build of target test', (rows) =>
    rows.some((r) => r.text.includes('[test 2/2] RUN echo testing')) || JSON.stringify(rows.map((r) => r.text)),
  );
  const targeted = await logText(page);
  assert(targeted.includes('greeting: bonjour'), `the build arg reached the RUN: ${targeted}`);
  assert(!targeted.includes('built > /built.txt'), 'the last stage is not built for target test');
  await page.getByTestId('tab-stages').click();
  await waitUntil('the graph to follow the target', async () => {
    const stages = await stageState(page);
    return sameList(stages, ['base:false', 'test:false', 'unused:true', 'stage-3:true']) || JSON.stringify(stages);
  });
  await page.getByTestId('tab-build').click();
  await page.getByTestId('target').selectOption('');
  await page.getByTestId('build-args').fill('');
}

const cacheRows = (page) =>
  page.$$eval('[data-testid="cache-row"]', (rows) => rows.map((r) => ({ status: r.dataset.status, first: r.dataset.firstMiss === 'true', text: r.textContent })));

// Build, edit the last RUN, rebuild: HITs up to the edit, the first MISS marked.
async function cacheAfterAnEdit(page) {
  await build(page, 'the build before the edit', (rows) => rows.length === 6 || JSON.stringify(rows.map((r) => r.text)));
  await setDockerfile(page, STAGES.replace('echo built', 'echo rebuilt'));
  const rows = await build(page, 'the rebuild after the edit', (rows) => {
    const statuses = rows.map((r) => r.status);
    return sameList(statuses, ['HIT', 'CONFIG', 'HIT', 'HIT', 'HIT', 'MISS']) || JSON.stringify(statuses);
  });
  const hits = await page.$$eval('[data-testid="step"][data-cache="hit"]', (s) => s.length);
  assert(hits === 4, `four step rows carry data-cache=hit: ${hits} (${rows.map((r) => r.status)})`);
  assert((await logText(page)).includes('CACHED'), 'the log says CACHED');
  await page.getByTestId('tab-cache').click();
  const cache = await cacheRows(page);
  assert(sameList(cache.map((r) => r.status), ['HIT', 'CONFIG', 'HIT', 'HIT', 'HIT', 'MISS']), `cache rows: ${JSON.stringify(cache)}`);
  assert(sameList(cache.map((r) => r.first), [false, false, false, false, false, true]), `the first MISS is marked: ${JSON.stringify(cache)}`);
  assert(cache[5].text.includes('RUN echo rebuilt'), `the edited step: ${cache[5].text}`);
  assert(cache[5].text.includes('MISS') && cache[5].text.includes('HIT'), `the previous build is beside it: ${cache[5].text}`);
  assert((await page.getByTestId('cache-summary').textContent()).includes('Invalidation started at step 6'), 'the summary names the step');
  await page.getByTestId('cache-table').screenshot({ path: path.join(artifacts, 'views-cache.png') });
}

// The apt lesson, a layer's files, and the union filesystem.
async function layerExplorer(page) {
  await setDockerfile(page, APT);
  await build(page, 'the apt build', (rows) => rows.length === 4 || JSON.stringify(rows.map((r) => r.text)));
  await page.getByTestId('tab-layers').click();
  const efficiency = page.getByTestId('efficiency');
  await efficiency.waitFor();
  const score = Number(await efficiency.getAttribute('data-score'));
  assert(score > 0 && score < 10000, `some space is wasted: ${score}`);
  const lessons = await page.getByTestId('lesson').allTextContents();
  assert(
    lessons.some((l) => /^\/var\/lib\/apt\/lists was added in layer \d+ and deleted in layer \d+: .+B still shipped/.test(l)),
    `the apt lists lesson: ${JSON.stringify(lessons)}`,
  );
  // Expand the `apt-get update` layer: its package lists are added, with sizes.
  const update = page.locator('[data-testid="layer"]', { hasText: 'apt-get update' });
  await update.locator('summary').click();
  const lists = update.locator('[data-testid="layer-file"][data-change="added"][data-path^="/var/lib/apt/lists/"]');
  await lists.first().waitFor();
  assert(Number(await lists.first().getAttribute('data-size')) > 0, 'a list file has a size');
  assert((await lists.first().locator('.size').textContent()).endsWith('B'), 'sizes are shown');
  // The cleanup layer deletes them.
  const cleanup = page.locator('[data-testid="layer"]', { hasText: 'rm -rf' });
  await cleanup.locator('summary').click();
  assert((await cleanup.locator('[data-testid="layer-file"][data-change="deleted"]').count()) > 0, 'the cleanup layer deletes files');
  // The union filesystem at the update layer has the lists; browse into /var.
  await update.getByTestId('union-toggle').click();
  const union = update.getByTestId('union');
  await union.locator('[data-testid="union-entry"][data-path="/var"]').waitFor();
  await union.locator('[data-testid="union-entry"][data-path="/var"] button').click();
  await waitUntil('the /var listing', async () => (await union.getAttribute('data-dir')) === '/var' && (await union.locator('[data-testid="union-entry"][data-path="/var/lib"]').count()) === 1 || 'not yet');
  await update.screenshot({ path: path.join(artifacts, 'views-layer.png') });
}

// Import the committed fixture (made and checked by a Rust test: web/src/import/tests.rs).
async function importArchive(page) {
  await page.getByTestId('import').setInputFiles(path.join(here, 'fixtures', 'tiny-image.oci.tar'));
  await waitUntil('the imported layers', async () => {
    const imported = await page.getByTestId('imported').textContent().catch(() => '');
    return imported.includes('tiny-image.oci.tar') || imported;
  });
  const layers = await page.locator('[data-testid="layer"]').count();
  assert(layers === 2, `two layers imported: ${layers}`);
  const first = page.locator('[data-testid="layer"]').first();
  await first.locator('summary').click();
  const css = first.locator('[data-testid="layer-file"][data-path="/srv/site/style.css"]');
  assert((await css.getAttribute('data-change')) === 'added', 'style.css is added in the first layer');
  assert(Number(await css.getAttribute('data-size')) === 34, 'with its size');
  const wasted = await page.getByTestId('wasted').textContent();
  assert(wasted.includes('/srv/site/index.html'), `the overwritten file is wasted space: ${wasted}`);
}

async function darkTheme(page) {
  const toggle = page.getByTestId('theme');
  await toggle.click();
  await waitUntil('the dark theme', async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark' || 'not yet');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert(background === 'rgb(13, 17, 23)', `a dark background: ${background}`);
  // CodeMirror's base styles follow the toggle too (its darkTheme facet).
  const editorDark = () => page.$eval('.cm-editor', (el) => {
    const { view } = el.stowageEditor;
    return view.state.facet(view.constructor.darkTheme);
  });
  await waitUntil('the editor in dark mode', async () => (await editorDark()) === true || 'light');
  await page.screenshot({ path: path.join(artifacts, 'views-dark.png') });
  // A tablet in portrait: the editor over the results, nothing wider than the screen.
  await page.setViewportSize({ width: 820, height: 1180 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `no sideways scrolling on a tablet: ${overflow}px`);
  await page.screenshot({ path: path.join(artifacts, 'views-tablet.png') });
  await toggle.click();
  await waitUntil('the light theme', async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === 'light' || 'not yet');
  await waitUntil('the editor in light mode', async () => (await editorDark()) === false || 'dark');
  await toggle.click();
  await waitUntil('back to the system theme', async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === undefined || 'not yet');
}
