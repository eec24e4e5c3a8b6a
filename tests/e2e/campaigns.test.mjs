// End-to-end: act, then measure. A marketer exports the Champions for
// Mailchimp with a 20% control group held out, sends the campaign on
// 1 May, updates the project with the orders up to the end of June, and
// reads on Act & share › Campaign results what the campaign did: the
// groups' sizes, conversions, revenue and the uplift with its interval
// equal a count from the raw rows and statsmodels' interval; in French too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { go, projectMenu, settingsMenu, shots, startOnDemoFiles } from './site.mjs';
import { cli, cliMembers, root } from './counts.mjs';

const dir = join(root, 'target', 'e2e-campaigns');
const python = join(root, '.venv', 'bin', 'python');
const SEND = '2025-05-01';
const WINDOW_END = '2025-05-31'; // 30 days: from 1 May to before 31 May
let site, context, page;

/** The demo's orders up to `to` (inclusive), as an export of the shop. */
function exportUpTo(name, to) {
  const [header, ...lines] = readFileSync(join(dir, 'demo', 'orders.csv'), 'utf8').trim().split('\n');
  const path = join(dir, name);
  writeFileSync(path, [header, ...lines.filter((l) => l.split(',')[2] <= to)].join('\n') + '\n');
  return path;
}

/** Rows of a CSV without quotes in the columns read here. */
const rows = (text) => text.replace(/^\ufeff/, '').trim().split(/\r?\n/).map((l) => l.split(','));

before(async () => {
  ({ site, context, page } = await startOnDemoFiles(dir, cli));
});

after(async () => site?.close());

let treatedEmails, heldOut;

test('exporting the Champions for Mailchimp with a 20% control group keeps the held-out customers out of the file and in the project', async () => {
  const toApril = exportUpTo('orders-to-april.csv', '2025-04-30');
  await page.getByTestId('file-input').setInputFiles(toApril);
  await page.getByTestId('nav-overview').waitFor();
  await page.getByTestId('file-input').setInputFiles(join(dir, 'demo', 'customers.csv'));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=source-report]').length >= 1);

  // Before any campaign: the results page says what to add.
  await go(page, 'act', 'results');
  await page.getByTestId('campaign-empty').waitFor();

  await go(page, 'act', 'export');
  await page.getByTestId('export-0').check();
  await page.getByTestId('export-layout').selectOption({ label: 'Mailchimp' });
  await page.getByTestId('holdout-on').check();
  await page.getByTestId('holdout-name').fill('Win-back May');
  await page.getByTestId('holdout-share').fill('20');
  await page.getByTestId('holdout-share').dispatchEvent('change');
  await page.getByTestId('holdout-day').fill(SEND);
  await page.getByTestId('holdout-day').dispatchEvent('change');
  // The smallest uplift this split can detect, for the ticked segment's
  // customers, as statsmodels' power solver finds it.
  const ticked = Number((await page.getByTestId('export-0').locator('..').innerText()).match(/\(([\d,]+)\)/)[1].replace(/,/g, ''));
  // The share expected to order anyway within the 30 days: the Champions'
  // mean probability of ordering within 30 days, as `seglens clv` predicts
  // it (its BG/NBD checked against lifetimes elsewhere).
  const champions = new Set(cliMembers(toApril, 'Champions'));
  const predicted = JSON.parse(execFileSync(cli, ['clv', '--orders', toApril], { encoding: 'utf8', maxBuffer: 1 << 28 }))
    .customers.filter((c) => champions.has(c.customer_id)).map((c) => c.order_within_30_days);
  assert.equal(predicted.length, ticked);
  const base = (Math.round(1000 * predicted.reduce((a, b) => a + b, 0) / predicted.length) / 10).toFixed(1);
  assert.equal(await page.getByTestId('holdout-base').inputValue(), String(Number(base)));
  const power = await page.getByTestId('holdout-power').innerText();
  const [, sent, held, mde] = power.match(new RegExp(`^With ([\\d,]+) customers sent and ([\\d,]+) held out, this test tells an uplift of ([\\d.]+) points over ${base.replace('.', '\\.')}%`)) ?? [];
  assert.ok(mde, power);
  const control = Math.round(ticked * 0.2);
  assert.deepEqual([Number(sent.replace(/,/g, '')), Number(held.replace(/,/g, ''))], [ticked - control, control]);
  const want = execFileSync(python, ['-c', [
    'from statsmodels.stats.power import NormalIndPower',
    'import numpy as np',
    `h = NormalIndPower().solve_power(effect_size=None, nobs1=${ticked - control}, alpha=0.05, power=0.8, ratio=${control / (ticked - control)})`,
    `b = ${Number(base) / 100}`,
    'print(f"{(np.sin(np.arcsin(np.sqrt(b)) + h / 2) ** 2 - b) * 100:.1f}")',
  ].join('\n')], { encoding: 'utf8' }).trim();
  assert.equal(mde, want, power);
  await page.getByTestId('holdout').screenshot({ path: join(shots, 'campaign-holdout-en.png') });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  const file = rows(readFileSync(await download.path(), 'utf8'));
  assert.deepEqual(file[0], ['Email Address', 'First Name', 'Last Name', 'Last Category', 'Tags']);
  // The category of each customer's last order (refunds aside, the later
  // row on the same day), as pandas finds it: what *|LASTCAT|* reads.
  const lastCategory = new Map(JSON.parse(execFileSync(python, ['-c', [
    'import json, sys, pandas as pd',
    'o = pd.read_csv(sys.argv[1], dtype={"customer_id": str})',
    'o = o[(o.amount >= 0) & o.category.notna()].sort_values("order_date", kind="stable")',
    'last = o.groupby("customer_id").category.last()',
    'c = pd.read_csv(sys.argv[2], dtype=str).set_index("customer_id")',
    'print(json.dumps([[c.email[k], v] for k, v in last.items() if k in c.index]))',
  ].join('\n'), join(dir, 'orders-to-april.csv'), join(dir, 'demo', 'customers.csv')], { encoding: 'utf8', maxBuffer: 1 << 26 })));
  assert.ok(file.length > 10);
  for (const r of file.slice(1)) assert.equal(r[3], lastCategory.get(r[0]) ?? '', r[0]);
  treatedEmails = new Set(file.slice(1).map((r) => r[0]));
  const said = await page.getByTestId('holdout-result').innerText();
  heldOut = Number(said.match(/^([\d,]+) customers? held out/)[1].replace(/,/g, ''));
  // Exactly 20% of the list, rounded, is held out.
  const list = treatedEmails.size + heldOut;
  assert.equal(heldOut, Math.round(list * 0.2), said);
  assert.match(said, /"Win-back May"/);

  // The campaign ideas speak Mailchimp's merge tags, which the file's
  // columns fill.
  await go(page, 'act', 'ideas');
  assert.equal(await page.getByTestId('suggest-tool').locator('option:checked').innerText(), 'Mailchimp');
  const message = await page.getByTestId('suggestion').first().locator('textarea').first().inputValue();
  assert.match(message, /\*\|FNAME\|\*/);
  assert.doesNotMatch(message, /\{first_name\}|\{last_category\}/);
  assert.match(await page.getByTestId('suggest-tags').innerText(), /\*\|LASTCAT\|\* reads the Last Category column of the Mailchimp export/);
  await page.getByTestId('suggest-tool').selectOption({ label: 'HubSpot' });
  assert.match(await page.getByTestId('suggestion').first().locator('textarea').first().inputValue(), /\{\{ contact\.firstname \}\}/);
  await page.getByTestId('suggestions').screenshot({ path: join(shots, 'campaign-merge-tags-en.png') });
  await page.getByTestId('suggest-tool').selectOption({ label: 'Mailchimp' });
});

test('after the next orders, Campaign results shows what the campaign did, equal to a count from the raw rows and to statsmodels', async () => {
  await projectMenu(page);
  await page.getByTestId('update-input').setInputFiles(exportUpTo('orders-to-june.csv', '2025-06-30'));
  await page.getByTestId('since-update').waitFor();
  await go(page, 'act', 'results');
  await page.getByTestId('campaign-summary').waitFor();

  // Who was sent and who was held out, as the project kept them.
  const [sendsDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('campaign-sends-download').click()]);
  const sends = rows(readFileSync(await sendsDownload.path(), 'utf8'));
  assert.deepEqual(sends[0], ['customer_id', 'campaign', 'sent_at', 'group']);
  const group = new Map(sends.slice(1).map((r) => [r[0], r[3]]));
  assert.ok(sends.slice(1).every((r) => r[1] === 'Win-back May' && r[2] === SEND));
  // The held-out customers are those whose e-mail is not in the file.
  const email = new Map(rows(readFileSync(join(dir, 'demo', 'customers.csv'), 'utf8')).slice(1).map((r) => [r[0], r[1]]));
  for (const [customer, g] of group) {
    assert.equal(treatedEmails.has(email.get(customer)), g === 'treatment', customer);
  }
  assert.equal([...group.values()].filter((g) => g === 'control').length, heldOut);

  // The reference: orders dated from the send day to before day + 30.
  const count = { treatment: { n: 0, k: 0, revenue: 0 }, control: { n: 0, k: 0, revenue: 0 } };
  const converted = new Set();
  for (const g of group.values()) count[g].n += 1;
  for (const [, customer, day, amount] of rows(readFileSync(join(dir, 'orders-to-june.csv'), 'utf8')).slice(1)) {
    const g = group.get(customer);
    if (!g || day < SEND || day >= WINDOW_END) continue;
    count[g].revenue += Number(amount);
    if (Number(amount) >= 0 && !converted.has(customer)) {
      converted.add(customer);
      count[g].k += 1;
    }
  }
  const t = count.treatment, c = count.control;
  const [low, high] = JSON.parse(execFileSync(python, ['-c',
    `from statsmodels.stats.proportion import confint_proportions_2indep as ci; import json; print(json.dumps(list(ci(${t.k}, ${t.n}, ${c.k}, ${c.n}, method="wald", compare="diff"))))`],
    { encoding: 'utf8' }));

  const figure = async (id) => (await page.getByTestId(id).innerText()).trim();
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const pts = (x) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x * 100).toFixed(1)} pts`;
  const eur = (x) => `€${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  // The sent group first, then the control group.
  assert.equal(await figure('campaign-all-0-customers'), t.n.toLocaleString('en-US'));
  assert.equal(await figure('campaign-all-0-conversion'), pct(t.k / t.n));
  assert.equal(await figure('campaign-all-0-revenue'), eur(t.revenue / t.n));
  assert.equal(await figure('campaign-all-1-customers'), c.n.toLocaleString('en-US'));
  assert.equal(await figure('campaign-all-1-conversion'), pct(c.k / c.n));
  assert.equal(await figure('campaign-all-1-revenue'), eur(c.revenue / c.n));
  assert.equal(await figure('campaign-uplift-all'), `${pts(t.k / t.n - c.k / c.n)} [${pts(low)} ; ${pts(high)}]`);
  // One column per group and comparison: the table fits its card.
  const fits = await page.getByTestId('campaign-table').evaluate((table) => table.scrollWidth <= table.parentElement.clientWidth);
  assert.ok(fits, 'the results table scrolls sideways');
  const summary = await page.getByTestId('campaign-summary').innerText();
  assert.match(summary, new RegExp(`Sent to ${t.n.toLocaleString("en-US")} customers on ${SEND}; ${c.n.toLocaleString('en-US')} held out as a control group`));

  // The downloaded results hold the same figures, revenue too.
  const [results] = await Promise.all([page.waitForEvent('download'), page.getByTestId('campaign-download').click()]);
  const table = rows(readFileSync(await results.path(), 'utf8'));
  const line = (segment, g) => table.find((r) => r[1] === segment && r[2] === g);
  assert.ok(Math.abs(Number(line('All customers', 'Sent')[6]) - t.revenue) < 1e-6);
  assert.ok(Math.abs(Number(line('All customers', 'Control group')[6]) - c.revenue) < 1e-6);
  // The segments at the send day add up to everyone, group by group.
  for (const [g, want] of [['Sent', t.n], ['Control group', c.n]]) {
    const sum = table.filter((r) => r[1] !== 'All customers' && r[2] === g).reduce((s, r) => s + Number(r[3]), 0);
    assert.equal(sum, want, g);
  }
  await page.getByTestId('campaigns').screenshot({ path: join(shots, 'campaign-results-en.png') });
});

test('Campaign results in French', async () => {
  await settingsMenu(page);
  await page.getByTestId('language-fr').click();
  await page.getByTestId('campaign-summary').waitFor();
  assert.equal(await page.getByTestId('campaigns').locator('h2').innerText(), 'Ce que vos campagnes ont donné');
  assert.match(await page.getByTestId('campaign-summary').innerText(), /Envoyée à [\d\u202f\u00a0 ]+ clients le 01\/05\/2025 ; [\d\u202f\u00a0 ]+ exclus comme groupe témoin/);
  await page.getByTestId('campaigns').screenshot({ path: join(shots, 'campaign-results-fr.png') });
  await go(page, 'act', 'export');
  await page.getByTestId('holdout-on').check();
  await page.getByTestId('holdout').screenshot({ path: join(shots, 'campaign-holdout-fr.png') });
  await settingsMenu(page);
  await page.getByTestId('language-en').click();
});

test('e-mail results exported one campaign at a time add up, and a campaign read again replaces its rows', async () => {
  // The demo's e-mail results as two exports: the first five campaigns,
  // then the others.
  const [header, ...lines] = readFileSync(join(dir, 'demo', 'email.csv'), 'utf8').trim().split('\n');
  const campaignOf = (line) => line.split(',')[1];
  const names = [...new Set(lines.map(campaignOf))];
  const [first, second] = [names.slice(0, 5), names.slice(5)];
  const file = (name, keep) => {
    const path = join(dir, name);
    writeFileSync(path, [header, ...lines.filter((l) => keep.includes(campaignOf(l)))].join('\n') + '\n');
    return path;
  };
  await page.getByTestId('file-input').setInputFiles(file('email-part-1.csv', first));
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=source-report]')].some((e) => e.textContent.includes('email-part-1.csv')));
  await page.getByTestId('file-input').setInputFiles(file('email-part-2.csv', second));
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=source-report]')].some((e) => e.textContent.includes('email-part-2.csv')));
  await go(page, 'act', 'results');
  await page.getByTestId('campaign-pick').waitFor();
  const listed = await page.getByTestId('campaign-pick').locator('option').allInnerTexts();
  for (const name of names) assert.ok(listed.some((o) => o.startsWith(name)), `${name} in ${listed}`);
  // The list the project kept is still there.
  assert.ok(listed.some((o) => o.startsWith('Win-back May')), listed.join(', '));
});
