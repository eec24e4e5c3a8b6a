// End-to-end: SegLens in French and in English, and amounts in their
// currency, each test in a fresh browser context so that this file runs
// alone (node --test tests/e2e/language.test.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { go as goOn, record as recordOn, said as saidOn, settingsMenu, shots, startSite } from './site.mjs';
import { cli, root } from './counts.mjs';

let site, browser, base;
const demoDir = join(root, 'target', 'e2e-language-demo');

before(async () => {
  site = await startSite();
  ({ browser, base } = site);
  execFileSync(cli, ['demo', '--out', demoDir]);
});

after(async () => site?.close());

const go = (name, section, on) => goOn(on, name, section);
const record = (testid, on) => recordOn(on, testid);
const said = (testid, on) => saidOn(on, testid);

test('French: chosen from the browser, numbers and dates as the browser writes them, a guided tour, switchable', async () => {
  const other = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 } });
  const p = await other.newPage();
  p.on('pageerror', (e) => console.error('page error (fr):', e.message));
  await p.goto(base);
  await p.getByTestId('explore-demo').waitFor();
  assert.equal(await p.evaluate(() => document.documentElement.lang), 'fr');
  assert.equal(await p.getByTestId('explore-demo').innerText(), 'Explorer les données de démonstration');
  assert.match(await p.title(), /segments clients dans votre navigateur/);
  await p.screenshot({ path: join(shots, '09-fr-start.png'), fullPage: true });

  // The demo opens the tour the first time, at step 1 of 5, on "Collect".
  await record('stage-progress', p);
  await p.getByTestId('explore-demo').click();
  const tour = p.getByTestId('tour');
  await tour.waitFor();
  assert.deepEqual((await said('stage-progress', p)).slice(0, 2), [
    "Étape 1 sur 4 : Ajustement des modèles d'achat et de dépense",
    'Étape 2 sur 4 : Calcul des scores de récence, fréquence et montant',
  ]);
  assert.equal(await p.getByTestId('tour-step').innerText(), 'Étape 1 sur 5');
  assert.equal(await p.locator('.tour-target').getAttribute('id'), 'data');
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'tour-title', 'focus moves to the tour');
  await p.screenshot({ path: join(shots, '09-fr-tour.png') });
  const pointed = [];
  for (let step = 2; step <= 5; step++) {
    await p.getByTestId('tour-next').click();
    await p.waitForFunction((n) => document.querySelector('[data-testid=tour-step]')?.textContent === `Étape ${n} sur 5`, step);
    // The step's page is drawn, then its section marked (each step's
    // section differs from the one before).
    const before = pointed.at(-1) ?? 'data';
    const now = await p.waitForFunction((was) => {
      const el = document.querySelector('.tour-target');
      const marked = el && (el.id || el.className.split(' ')[0]);
      return marked && marked !== was ? marked : null;
    }, before);
    pointed.push(await now.jsonValue());
  }
  assert.deepEqual(pointed, ['goals', 'compare', 'share', 'suggestions']);
  // Each step opened its page: the last is Act & share › Campaign ideas.
  assert.equal(await p.evaluate(() => location.hash), '#/act/ideas');
  await p.getByTestId('tour-done').click();
  assert.equal(await tour.count(), 0);
  assert.equal(await p.locator('.tour-target').count(), 0);

  // The table in French, its figures as Intl.NumberFormat('fr-FR') writes
  // the command line's.
  const demoOrders = join(demoDir, 'orders.csv');
  const scored = execFileSync(cli, ['rfm', '--orders', demoOrders], { encoding: 'utf8' }).trim().split('\n').length - 1;
  await go('overview', undefined, p);
  const headers = await p.locator('[data-testid=rfm-table] thead th').allInnerTexts();
  assert.deepEqual(headers.slice(0, 3), ['Segment', 'Clients', 'Part']);
  assert.ok((await p.locator('[data-testid=rfm-table] tbody th').allInnerTexts()).includes('Perdus'));
  const total = await p.locator('[data-testid=rfm-table] tfoot td').first().innerText();
  assert.equal(total, await p.evaluate((n) => new Intl.NumberFormat('fr-FR').format(n), scored));
  assert.equal(await p.locator('[data-testid=rfm-table] tfoot td').nth(1).innerText(),
    await p.evaluate(() => new Intl.NumberFormat('fr-FR', { style: 'percent', minimumFractionDigits: 1 }).format(1)));
  const subtitle = await p.locator('.toolbar p.muted').first().innerText();
  assert.match(subtitle, /date d'analyse \d{2}\/\d{2}\/\d{4}$/);
  await go('segments', 'rfm', p);
  assert.match(await p.getByTestId('rfm-chart-summary').innerText(), /^Ce qui ressort : les .+ font [\d,]+\u00a0% des clients/);
  assert.match(await p.locator('[data-testid=rfm-chart] svg title').first().textContent(), /Part des clients/);
  // Each kind of segment says how to use it; each KPI, on hover, too.
  await go('overview', undefined, p);
  assert.match(await p.getByTestId('how-to-rfm').innerText(), /^Comment l'utiliser : commencez par les segments/);
  await go('compare', 'kpis', p);
  assert.match(await p.getByTestId('sort-repeat_rate').getAttribute('title'),
    /^Taux de réachat = Clients avec 2 commandes ou plus ÷ clients\. Cliquez pour trier\.\nComment l'utiliser : /);
  await p.screenshot({ path: join(shots, '09-fr-results.png') });
  // What the engine found, worded in French: a segment whose NPS averages
  // two camps, and the halves it could be split into.
  const split = p.locator('[data-testid=split-suggestion][data-measure=nps]').first();
  await split.scrollIntoViewIfNeeded();
  assert.match(await split.locator('span').first().innerText(),
    /^.+ : \d+\u00a0% de promoteurs et \d+\u00a0% de détracteurs sur \d+ réponses ; son NPS de [+-]\d+ est la moyenne de deux groupes opposés\.$/);
  assert.match(await split.getByTestId('split-create').innerText(), /^Séparer en « .+ — promoteurs » \(\d+\) et « .+ — détracteurs » \(\d+\)$/);
  await p.getByTestId('split-suggestions').screenshot({ path: join(shots, '09-fr-split-suggestion.png') });

  // Reopened from the top bar, skipped with Escape.
  await p.getByTestId('open-tour').click();
  await tour.waitFor();
  await p.keyboard.press('Escape');
  assert.equal(await tour.count(), 0);

  // English at a click, kept after a reload; the tour stays closed.
  await go('segments', 'rfm', p);
  await settingsMenu(p);
  await p.getByTestId('language-en').click();
  await p.getByText('Where the customers are, and where the revenue is').waitFor();
  assert.equal(await p.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await p.getByTestId('language-en').getAttribute('aria-pressed'), 'true');
  await p.reload();
  await go('overview', undefined, p);
  await p.getByTestId('rfm-table').waitFor();
  assert.equal(await p.locator('[data-testid=rfm-table] thead th').nth(1).innerText(), 'Customers');
  assert.equal(await tour.count(), 0, 'seen once, not again');
  await other.close();
});

test('amounts carry the currency, written as the browser writes it in each language, changed and kept with the project', async () => {
  const other = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 } });
  await other.addInitScript(() => localStorage.setItem('seglens.tour-seen', '1'));
  const p = await other.newPage();
  p.on('pageerror', (e) => console.error('page error (currency):', e.message));
  await p.goto(base);
  await p.getByTestId('explore-demo').click();
  await p.getByTestId('rfm-table').waitFor();
  // The revenue of every scored customer, summed from the command line's
  // RFM scores of the same orders, as Intl.NumberFormat writes it.
  const demoOrders = join(demoDir, 'orders.csv');
  const scores = execFileSync(cli, ['rfm', '--orders', demoOrders], { encoding: 'utf8' }).trim().split('\n');
  const monetary = scores[0].split(',').indexOf('monetary');
  const revenue = scores.slice(1).reduce((s, l) => s + Number(l.split(',')[monetary]), 0);
  const intl = (locale, currency) => p.evaluate(([l, c, v]) =>
    (c ? new Intl.NumberFormat(l, { style: 'currency', currency: c }) : new Intl.NumberFormat(l, { minimumFractionDigits: 2, maximumFractionDigits: 2 })).format(v),
  [locale, currency, revenue]);
  const totalRevenue = () => p.locator('[data-testid=rfm-table] tfoot td').nth(2).innerText();
  // The demo sells in euros.
  await go('data', undefined, p);
  assert.equal(await p.getByTestId('currency').inputValue(), 'EUR');
  await go('overview', undefined, p);
  assert.equal(await totalRevenue(), await intl('fr-FR', 'EUR'));
  await p.screenshot({ path: join(shots, '10-currency-fr.png') });
  // Another currency, and none, at a click; the choice is kept.
  await go('data', undefined, p);
  await p.getByTestId('currency').selectOption('CHF');
  await go('overview', undefined, p);
  await p.waitForFunction((want) => document.querySelectorAll('[data-testid=rfm-table] tfoot td')[2]?.textContent === want, await intl('fr-FR', 'CHF'));
  await settingsMenu(p);
  await p.getByTestId('language-en').click();
  await p.getByTestId('rfm-table').waitFor();
  assert.equal(await totalRevenue(), await intl('en', 'CHF'));
  await p.reload();
  await p.getByTestId('rfm-table').waitFor();
  await go('data', undefined, p);
  assert.equal(await p.getByTestId('currency').inputValue(), 'CHF');
  await p.getByTestId('currency').selectOption('');
  await go('overview', undefined, p);
  await p.waitForFunction((want) => document.querySelectorAll('[data-testid=rfm-table] tfoot td')[2]?.textContent === want, await intl('en', null));
  // The report writes its amounts with the same currency.
  await go('data', undefined, p);
  await p.getByTestId('currency').selectOption('GBP');
  await go('overview', undefined, p);
  await p.waitForFunction((want) => document.querySelectorAll('[data-testid=rfm-table] tfoot td')[2]?.textContent === want, await intl('en', 'GBP'));
  await go('act', 'export', p);
  const [report] = await Promise.all([p.waitForEvent('download'), p.getByTestId('download-report').click()]);
  assert.ok(readFileSync(await report.path(), 'utf8').includes('£'), 'the report writes pounds');
  await other.close();
});

test('an order file whose amounts name their currency is shown in it, and the report says so', async () => {
  // commandes-fr.csv writes "52,47 €".
  const other = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  await other.addInitScript(() => localStorage.setItem('seglens.tour-seen', '1'));
  const p = await other.newPage();
  await p.goto(base);
  await p.getByTestId('file-input').setInputFiles(join(root, 'tests', 'fixtures', 'commandes-fr.csv'));
  // What was read opens first: the Data page.
  await p.getByTestId('import-report').waitFor();
  assert.equal(await p.evaluate(() => location.hash), '#/data');
  assert.equal(await p.getByTestId('currency').inputValue(), 'EUR');
  assert.match(await p.getByTestId('currency-read').innerText(), /name their currency, EUR/);
  await go('overview', undefined, p);
  assert.match(await p.locator('[data-testid=rfm-table] tfoot td').nth(2).innerText(), /^€[\d,]+\.\d\d$/);
  await other.close();
});
