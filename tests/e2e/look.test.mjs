// End-to-end: the colours (the system's, light or dark by choice) and
// axe-core on every page of the workbench in both themes and both
// languages, each test in a fresh browser context so that this file runs
// alone (node --test tests/e2e/look.test.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { go as goOn, settingsMenu, shots, startSite } from './site.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let site, browser, base;

before(async () => {
  site = await startSite();
  ({ browser, base } = site);
});

after(async () => site?.close());

const go = (name, section, on) => goOn(on, name, section);

test("colours: the system's by default, light or dark by choice, kept on this computer", async () => {
  const other = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 900 } });
  await other.addInitScript(() => localStorage.setItem('seglens.tour-seen', '1'));
  const p = await other.newPage();
  await p.goto(base);
  await p.getByTestId('explore-demo').waitFor();
  const background = () => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const theme = () => p.evaluate(() => document.documentElement.dataset.theme);
  // The system asks for dark: dark it is, until the user says otherwise.
  assert.equal(await p.getByTestId('theme').inputValue(), 'system');
  assert.equal(await theme(), 'dark');
  assert.equal(await background(), 'rgb(18, 22, 28)');
  await settingsMenu(p);
  await p.getByTestId('theme').selectOption('light');
  assert.equal(await theme(), 'light');
  assert.equal(await background(), 'rgb(246, 247, 249)');
  await p.reload();
  await p.getByTestId('explore-demo').waitFor();
  assert.equal(await p.getByTestId('theme').inputValue(), 'light');
  assert.equal(await background(), 'rgb(246, 247, 249)');
  // Following the system again follows its changes.
  await settingsMenu(p);
  await p.getByTestId('theme').selectOption('system');
  assert.equal(await theme(), 'dark');
  await p.emulateMedia({ colorScheme: 'light' });
  await p.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  await settingsMenu(p);
  await p.getByTestId('theme').selectOption('dark');
  await p.getByTestId('explore-demo').click();
  await p.getByTestId('rfm-table').waitFor();
  assert.equal(await background(), 'rgb(18, 22, 28)');
  await p.screenshot({ path: join(shots, '10-dark-by-choice.png') });
  await other.close();
});

for (const [scheme, locale] of [['light', 'en-US'], ['dark', 'en-US'], ['light', 'fr-FR'], ['dark', 'fr-FR']]) test(`accessibility: axe finds no serious or critical violation on the main screens, ${scheme} theme, ${locale}`, async () => {
  // Its own context: axe is injected by the test, which the page's
  // Content-Security-Policy would rightly refuse.
  const other = await browser.newContext({ bypassCSP: true, locale, colorScheme: scheme, viewport: { width: 1280, height: 900 } });
  const p = await other.newPage();
  const axe = readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const problems = [];
  const audit = async (screen) => {
    await p.evaluate(axe);
    const result = await p.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
    for (const v of result.violations.filter((x) => ['serious', 'critical'].includes(x.impact))) {
      problems.push(`${screen}: ${v.id} (${v.nodes.length}) ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
    }
  };
  await p.goto(base);
  await p.getByTestId('explore-demo').waitFor();
  await audit('start');
  await p.getByTestId('explore-demo').click();
  await p.getByTestId('tour').waitFor();
  await audit('tour');
  await p.getByTestId('tour-skip').click();
  const tag = locale.slice(0, 2);
  const look = async (screen) => {
    await audit(screen);
    await p.screenshot({ path: join(shots, `08-${scheme}-${tag}-${screen.replace('/', '-')}.png`), fullPage: true });
  };
  await go('segments', 'mine', p);
  await p.getByTestId('group-add').click();
  await go('segments', 'lifecycle', p);
  await p.getByTestId('save-stage-Loyal').click();
  await go('segments', 'mine', p);
  await p.getByTestId('saved-segment').first().waitFor();
  await p.getByTestId('open-members').first().click();
  await p.getByTestId('members-table').waitFor();
  await look('segments/mine');
  await go('segments', 'clusters', p);
  await p.getByTestId('run-clusters').click();
  await p.getByTestId('clusters-table').waitFor();
  await look('segments/clusters');
  // Every other page and section of the workbench, and a segment's page.
  const ready = { 'compare/whole': 'separation-overlap', 'journeys/cohorts': 'cohort-table', 'journeys/moves': 'migration-table', 'journeys/sizes': 'sizes-chart', 'act/ideas': 'cross-sell-table', 'act/results': 'campaign-summary', overview: 'rfm-table', 'compare/kpis': 'kpi-heatmap' };
  for (const [name, section] of [['overview'], ['data'], ['segments', 'rfm'], ['segments', 'lifecycle'], ['compare', 'kpis'],
    ['compare', 'two'], ['compare', 'whole'], ['journeys', 'funnel'], ['journeys', 'paths'], ['journeys', 'cohorts'], ['journeys', 'activity'],
    ['predict'], ['act', 'ideas'], ['act', 'results'], ['act', 'export'], ['journeys', 'moves'], ['journeys', 'sizes']]) {
    const screen = section ? `${name}/${section}` : name;
    await go(name, section, p);
    if (ready[screen]) await p.getByTestId(ready[screen]).waitFor();
    await look(screen);
  }
  await go('overview', undefined, p);
  await p.locator('[data-testid=rfm-table] tbody th a').first().click();
  await p.getByTestId('segment-page').waitFor();
  await look('segment');
  await settingsMenu(p);
  await p.getByTestId('where-is-my-data').click();
  await audit('privacy');
  await other.close();
  assert.deepEqual(problems, []);
});
