// End-to-end: the timing of the next order. A marketer builds "likely to
// order this month" from the models' 30-day chance, reads each member's
// chance in the list, most likely first, and downloads the list with the
// chances and the likely next order date; the counts and figures equal
// what `seglens clv` predicts (its formulas checked against lifetimes in
// tests/reference/clv_reference.py). In French too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { go, importDemoFiles, settingsMenu, shots, startOnDemoFiles } from './site.mjs';
import { cli, demoNoConsent, root } from './counts.mjs';

const dir = join(root, 'target', 'e2e-predictions');
let site, page, clv;

/** Rows of a CSV without quotes in the columns read here. */
const rows = (text) => text.replace(/^\ufeff/, '').trim().split(/\r?\n/).map((l) => l.split(','));

/** `day` (yyyy-mm-dd) plus `n` days. */
const plusDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

before(async () => {
  ({ site, page } = await startOnDemoFiles(dir, cli));
  // The e-mail results too: who unsubscribed is left out of exports.
  await importDemoFiles(page, dir, ['orders.csv', 'customers.csv', 'email.csv']);
  // The models as the command line fits them on the orders before the
  // analysis date: the app's defaults.
  clv = JSON.parse(execFileSync(cli, ['clv', '--orders', join(dir, 'demo', 'orders.csv')], { encoding: 'utf8', maxBuffer: 1 << 28 }));
});

after(async () => site?.close());

test('a rule on the chance of ordering within 30 days selects the customers the models give 50% or more, listed and exported with their chances', async () => {
  await go(page, 'segments', 'mine');
  const builder = page.getByTestId('rule-builder');
  await builder.scrollIntoViewIfNeeded();
  await page.getByTestId('group-add').click();
  await page.getByTestId('cond-0-field').selectOption('m:order_within_30_days');
  await page.getByTestId('cond-0-op').selectOption('at_least');
  await page.getByTestId('cond-0-value').fill('50');
  await page.getByTestId('cond-0-value').press('Tab');
  const likely = clv.customers.filter((c) => c.order_within_30_days >= 0.5);
  assert.ok(likely.length > 20 && likely.length < clv.customers.length / 2, `${likely.length} likely buyers`);
  await page.waitForFunction((n) => document.querySelector('[data-testid=rule-count]')?.textContent.startsWith(`${n.toLocaleString('en-US')} of `), likely.length);
  assert.match(await page.getByTestId('rule-words').innerText(), /chance of ordering within 30 days \(%\) at least 50/i);
  await builder.screenshot({ path: join(shots, 'predictions-rule-en.png') });

  await page.getByTestId('segment-name').fill('Likely to order this month');
  await page.getByTestId('save-segment').click();
  const saved = page.getByTestId('saved-segment').filter({ hasText: 'Likely to order this month' });
  await saved.waitFor();
  await saved.getByTestId('open-members').click();
  await page.getByTestId('members-table').waitFor();
  // Most likely to order first: the first row has the highest chance, as
  // the models give it.
  await page.locator('[data-testid=members] select').selectOption('soon');
  await page.waitForTimeout(300);
  await page.waitForFunction(() => document.querySelector('[data-testid=members-count]')?.textContent.includes('page 1'));
  const head = (await page.locator('[data-testid=members-table] thead th').allInnerTexts()).map((t) => t.trim());
  assert.equal(head[7], 'Order in 30 days');
  const first = (await page.locator('[data-testid=members-table] tbody tr').first().locator('td').allInnerTexts()).map((t) => t.trim());
  const best = likely.reduce((a, b) => (b.order_within_30_days > a.order_within_30_days ? b : a));
  assert.equal(first[7], `${(best.order_within_30_days * 100).toFixed(1)}%`);
  assert.equal(clv.customers.find((c) => c.customer_id === first[0]).order_within_30_days, best.order_within_30_days);
  await page.getByTestId('members').screenshot({ path: join(shots, 'predictions-members-en.png') });

  // The list with the chances and the likely next order date.
  await page.getByTestId('segment-export-layout').selectOption({ label: 'SegLens (choose the columns)' });
  await page.getByTestId('segment-export-columns').locator('summary').click();
  for (const c of ['customer_id', 'chance_active', 'order_within_7_days', 'order_within_30_days', 'next_order_date']) {
    await page.getByTestId('segment-export-columns').locator(`input[data-column="${c}"]`).check();
  }
  const [download] = await Promise.all([page.waitForEvent('download'), saved.getByTestId('download-segment').click()]);
  const file = rows(readFileSync(await download.path(), 'utf8'));
  assert.deepEqual(file[0], ['customer_id', 'chance_active', 'order_within_7_days', 'order_within_30_days', 'next_order_date']);
  const noConsent = demoNoConsent(join(dir, 'demo'));
  const wanted = likely.filter((c) => !noConsent.has(c.customer_id));
  assert.equal(file.length - 1, wanted.length);
  // The waits count from the analysis date: the day after the last order.
  const lastOrder = readFileSync(join(dir, 'demo', 'orders.csv'), 'utf8').trim().split('\n').slice(1)
    .map((l) => l.split(',')[2]).reduce((a, b) => (b > a ? b : a));
  const asOf = plusDays(lastOrder, 1);
  const byId = new Map(clv.customers.map((c) => [c.customer_id, c]));
  for (const [id, active, in7, in30, next] of file.slice(1)) {
    const c = byId.get(id);
    assert.deepEqual([active, in7, in30], [
      (c.p_alive * 100).toFixed(1),
      (c.order_within_7_days * 100).toFixed(1),
      (c.order_within_30_days * 100).toFixed(1),
    ], id);
    // The median wait in whole days; a wait within a millionth of a half
    // day (printed to six places) may round either way.
    const wait = c.days_to_next_order;
    const days = Math.abs(wait - Math.floor(wait) - 0.5) < 1e-5
      ? [Math.floor(wait), Math.ceil(wait)] : [Math.round(wait)];
    assert.ok(days.map((d) => plusDays(asOf, Math.max(1, d))).includes(next), `${id}: ${next} for a wait of ${wait} days from ${asOf}`);
  }
});

test('in French, the rule builder offers the timing predictions in plain words', async () => {
  await settingsMenu(page);
  await page.getByTestId('language-fr').click();
  await go(page, 'segments', 'mine');
  await page.getByTestId('group-add').click();
  const options = await page.getByTestId('cond-0-field').locator('option').allInnerTexts();
  for (const want of ['Probabilité d\'être encore client (%)', 'Probabilité de commander sous 7 jours (%)',
    'Probabilité de commander sous 30 jours (%)', 'Jours jusqu\'à la prochaine commande probable', 'Valeur prédite']) {
    assert.ok(options.includes(want), `${want} in ${options.join(' | ')}`);
  }
  await page.getByTestId('cond-0-field').selectOption('m:order_within_30_days');
  await page.getByTestId('cond-0-op').selectOption('at_least');
  await page.getByTestId('cond-0-value').fill('50');
  await page.getByTestId('cond-0-value').press('Tab');
  const likely = clv.customers.filter((c) => c.order_within_30_days >= 0.5).length;
  // French groups thousands with a narrow no-break space.
  await page.waitForFunction((n) => document.querySelector('[data-testid=rule-count]')?.textContent.replace(/\s/g, '').startsWith(`${n}clientssur`), likely);
  assert.match(await page.getByTestId('rule-words').innerText(), /probabilité de commander sous 30 jours \(%\) au moins 50/i);
  await page.getByTestId('rule-builder').screenshot({ path: join(shots, 'predictions-rule-fr.png') });
});
