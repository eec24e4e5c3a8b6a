// End-to-end: the release build, served under /seglens/ as GitHub Pages
// serves it, used as a marketer would in headless Chromium: one story over
// the demo and the marketer's own files, test after test in one page. The
// pages and addresses (pages.test.mjs), the languages and currencies
// (language.test.mjs), the colours and accessibility (look.test.mjs), real
// platform exports and workbooks run alone in their own files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import zlib from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './server.mjs';
import { launch, newContext } from './browser.mjs';
import { go as goOn, projectMenu, record as recordOn, said as saidOn, settingsMenu } from './site.mjs';
import { cliCounts, cliCountsOf, cliMembers, demoNoConsent, nonZero, tableCountsOn } from './counts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const dist = process.env.SEGLENS_DIST ?? join(root, 'dist');
const cli = process.env.SEGLENS_CLI ?? join(root, 'target', 'release', 'seglens');
const shots = join(here, 'screenshots');
mkdirSync(shots, { recursive: true });

let server, browser, context, page, base;
const requests = [];

before(async () => {
  server = await serve(dist);
  base = `http://127.0.0.1:${server.address().port}/seglens/`;
  browser = await launch();
  context = await newContext(browser);
  context.on('request', (r) => requests.push(r.url()));
  await context.addInitScript(() => {
    // The guided tour has its own test; here it would stand over the page.
    localStorage.setItem('seglens.tour-seen', '1');
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

after(async () => {
  await browser?.close();
  server?.close();
});

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

/** Starts writing down what the element `testid` says, each time it changes. */
const record = (testid, on = page) => recordOn(on, testid);

/** What the element `testid` said since `record` or the last call. */
const said = (testid, on = page) => saidOn(on, testid);

/** Opens a page of the workbench (and a section of it) from the navigation. */
const go = (name, section, on = page) => goOn(on, name, section);

/** The segment table as {segment: customers}. */
const tableCounts = () => tableCountsOn(page);

/** Opens the Overview and waits until the segment table has (or no longer
 * has) a row named `name`. */
async function untilTable(name, present = true) {
  await go('overview');
  await page.waitForFunction(([n, want]) => {
    const table = document.querySelector('[data-testid=rfm-table]');
    return table && [...table.querySelectorAll('tbody th')].some((th) => th.textContent === n) === want;
  }, [name, present]);
}

test('the start screen offers the demo and a drop zone', async () => {
  await page.goto(base);
  await page.getByTestId('explore-demo').waitFor();
  assert.ok(await page.getByTestId('drop-zone').isVisible());
  await shot('01-start');
});

test('the demo shows RFM segments in a table and a chart, as the command line computes them', async () => {
  await record('stage-progress');
  await page.getByTestId('explore-demo').click();
  await page.getByTestId('rfm-table').waitFor();
  // The analysis after the demo is read, part by part, the fits first.
  assert.deepEqual(await said('stage-progress'), [
    'Step 1 of 4: Fitting the purchase and spend models',
    'Step 2 of 4: Scoring recency, frequency and monetary value',
    'Step 3 of 4: Placing customers in segments',
    'Step 4 of 4: Measuring every KPI per segment',
  ]);
  const counts = await tableCounts();
  assert.equal(Object.keys(counts).length, 11);
  const demoDir = join(root, 'target', 'e2e-demo');
  execFileSync(cli, ['demo', '--out', demoDir]);
  assert.deepEqual(nonZero(counts), cliCounts(join(demoDir, 'orders.csv')));
  assert.match(await page.getByTestId('source').innerText(), /Demo business/);
  await shot('02-demo');
});

/** Churn-risk band counts from `seglens clv` on the same file. */
function cliBands(file, calibrationEnd, medium, low) {
  const json = execFileSync(cli, ['clv', '--orders', file, '--calibration-end', calibrationEnd, '--format', 'json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
  const counts = [0, 0, 0, 0];
  for (const c of JSON.parse(json).customers) {
    const band = c.frequency === 0 ? 3 : c.p_alive < medium ? 0 : c.p_alive < low ? 1 : 2;
    counts[band] += 1;
  }
  return counts;
}

async function bandCounts() {
  const cells = await page.locator('[data-testid=risk-bands] tbody tr td:first-of-type').allInnerTexts();
  return cells.map((t) => Number(t.replace(/,/g, '')));
}

test('the segment chart downloads as a picture that opens and as its figures', async () => {
  await go('segments', 'rfm');
  await page.locator('[data-testid=rfm-chart] svg').waitFor();
  const downloads = page.getByTestId('downloads-rfm-segments');
  await downloads.scrollIntoViewIfNeeded();
  const [svg] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('button', { name: 'SVG' }).click()]);
  const text = readFileSync(await svg.path(), 'utf8');
  const open = text.slice(0, text.indexOf('>'));
  assert.equal(open.match(/ width=/g)?.length, 1, open);
  const [png] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('button', { name: 'PNG' }).click()]);
  const bytes = readFileSync(await png.path());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'the browser could draw it');
  const [data] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('button', { name: 'CSV (figures)' }).click()]);
  const rows = readFileSync(await data.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
  assert.equal(rows[0], 'segment,customers,customer_share,revenue,revenue_share');
  const scored = execFileSync(cli, ['rfm', '--orders', join(root, 'target', 'e2e-demo', 'orders.csv')], { encoding: 'utf8' })
    .trim().split('\n').length - 1;
  assert.equal(rows.slice(1).reduce((n, r) => n + Number(r.split(',')[1]), 0), scored);
});

test('predictions: churn-risk bands as the command line computes them, editable thresholds, a holdout check', async () => {
  await go('predict');
  const demoOrders = join(root, 'target', 'e2e-demo', 'orders.csv');
  await page.getByTestId('predictions').waitFor();
  assert.match(await page.getByTestId('prediction-headline').innerText(),
    /In the next 12 months, these 4,732 customers are expected to place [\d,]+ orders worth €[\d,]+\.\d\d /);
  assert.deepEqual(await bandCounts(), cliBands(demoOrders, '2025-12-31', 0.3, 0.7));

  await page.getByTestId('medium-from').fill('50');
  await page.getByTestId('low-from').fill('80');
  await page.getByTestId('low-from').dispatchEvent('change');
  await page.getByTestId('medium-from').dispatchEvent('change');
  const before = await bandCounts();
  await record('stage-progress');
  await page.getByTestId('apply-thresholds').click();
  await page.waitForFunction((b) => {
    const cells = [...document.querySelectorAll('[data-testid=risk-bands] tbody tr td:first-of-type')];
    return cells.map((c) => c.textContent).join() !== b;
  }, before.map((n) => n.toLocaleString('en-US')).join());
  assert.deepEqual(await bandCounts(), cliBands(demoOrders, '2025-12-31', 0.5, 0.8));
  // Same analysis date: the models are not fitted again.
  assert.deepEqual(await said('stage-progress'), [
    'Step 1 of 3: Scoring recency, frequency and monetary value',
    'Step 2 of 3: Placing customers in segments',
    'Step 3 of 3: Measuring every KPI per segment',
  ]);
  assert.equal(await page.locator('.stage-toast').count(), 0, 'gone once analysed');

  await page.getByTestId('holdout-date').fill('2025-06-30');
  await page.getByTestId('check-model').click();
  const result = page.getByTestId('holdout-result');
  await result.waitFor();
  assert.deepEqual(await said('stage-progress'), [
    "Step 1 of 3: Summing each customer's purchases before and after the cut-off",
    'Step 2 of 3: Fitting the purchase model on the purchases before the cut-off',
    'Step 3 of 3: Comparing the predicted purchases with the real ones',
  ]);
  assert.equal(await page.getByTestId('stage-progress').count(), 0, 'gone once checked');
  assert.match(await result.innerText(), /Learning from the orders up to 2025-06-30, the model predicted [\d,]+ repeat purchases in the 26 weeks after; there were [\d,]+/);
  // Week by week: the repeat purchases up to the last point, counted here
  // (one per customer and day after their first, refunds left out).
  const summary = await page.getByTestId('cumulative-summary').innerText();
  const [, shown, upTo] = summary.match(/^Cumulated repeat purchases: ([\d,]+) by (\d{4}-\d\d-\d\d) against [\d,]+ predicted/);
  const days = new Set(rowsOf(demoOrders).filter((o) => Number(o.amount) >= 0 && o.order_date <= upTo)
    .map((o) => `${o.customer_id} ${o.order_date}`));
  const buyers = new Set([...days].map((k) => k.split(' ')[0]));
  assert.equal(num(shown), days.size - buyers.size);
  assert.ok(await page.locator('[data-testid=cumulative-chart] polyline').count() === 2);
  await page.getByTestId('predictions').screenshot({ path: join(shots, '02b-predictions.png') });
});

/** Simple CSV rows (the demo's order, e-mail and survey files have no quoted fields). */
function rowsOf(path) {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
}

test('KPIs: every family in one heatmap, as an independent computation finds them', async () => {
  await go('compare', 'kpis');
  const dir = join(root, 'target', 'e2e-demo');
  const scored = new Set(rowsOf(join(dir, 'orders.csv')).filter((r) => Number(r.amount) >= 0).map((r) => r.customer_id));
  const delivered = rowsOf(join(dir, 'email.csv')).filter((r) => scored.has(r.customer_id) && r.delivered === '1');
  const openRate = delivered.filter((r) => r.opened === '1').length / delivered.length;
  const last = new Map();
  for (const r of rowsOf(join(dir, 'surveys.csv'))) {
    if (!scored.has(r.customer_id) || r.nps === '') continue;
    const prev = last.get(r.customer_id);
    if (!prev || r.answered_at >= prev.answered_at) last.set(r.customer_id, r);
  }
  const answers = [...last.values()].map((r) => Number(r.nps));
  const nps = 100 * (answers.filter((v) => v >= 9).length - answers.filter((v) => v <= 6).length) / answers.length;

  const heatmap = page.getByTestId('kpi-heatmap');
  await heatmap.waitFor();
  const headers = await heatmap.locator('thead th').allInnerTexts();
  assert.equal(headers.length, 22);
  const col = (name) => headers.findIndex((h) => h.startsWith(name));
  const baseRow = heatmap.locator('tbody tr').last();
  const cells = await baseRow.locator('th, td').allInnerTexts();
  assert.equal(cells[0].trim(), 'All customers');
  assert.equal(cells[col('E-mail open rate')], `${(openRate * 100).toFixed(1)}%`);
  const shownNps = Number(cells[col('NPS')]);
  assert.equal(shownNps, Math.round(nps));
  const hover = await baseRow.locator('td').nth(col('NPS') - 1).getAttribute('title');
  assert.match(hover, /% promoters \(9–10\) − % detractors \(0–6\)/);
  assert.match(hover, /95% interval/);
  // Support tickets: tickets per customer among buyers, counted here.
  const tickets = rowsOf(join(dir, 'tickets.csv')).filter((r) => scored.has(r.customer_id));
  assert.equal(cells[col('Tickets per customer')], (tickets.length / scored.size).toFixed(2));
  // Revenue from the top 20% of buyers, counted here.
  const spend = new Map();
  for (const r of rowsOf(join(dir, 'orders.csv'))) if (scored.has(r.customer_id)) spend.set(r.customer_id, (spend.get(r.customer_id) ?? 0) + Number(r.amount));
  const sorted = [...spend.values()].sort((a, b) => b - a);
  const total = sorted.reduce((s, v) => s + v, 0);
  const top = sorted.slice(0, Math.ceil(sorted.length * 0.2)).reduce((s, v) => s + v, 0);
  assert.equal(cells[col('Revenue from the top 20%')], `${(100 * top / total).toFixed(1)}%`);
  assert.match(await page.getByTestId('concentration-sentence').innerText(), new RegExp(`bring ${(100 * top / total).toFixed(1)}% of revenue`));
  // The Lorenz curve downloads as a picture with its own colours.
  const lorenz = page.getByTestId('downloads-revenue-concentration');
  const [lorenzSvg] = await Promise.all([page.waitForEvent('download'), lorenz.getByRole('button', { name: 'SVG' }).click()]);
  assert.match(readFileSync(await lorenzSvg.path(), 'utf8'), /<path[^>]*fill="none"[^>]*stroke="#1f5fa8"/);
  const [lorenzPng] = await Promise.all([page.waitForEvent('download'), lorenz.getByRole('button', { name: 'PNG' }).click()]);
  assert.deepEqual([...readFileSync(await lorenzPng.path()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

  // Referrals: customers of the customers file who name a buyer as their
  // referrer, per buyer, counted here.
  const referrals = rowsOf(join(dir, 'customers.csv'))
    .filter((r) => r.referred_by && r.referred_by !== r.customer_id && scored.has(r.referred_by)).length;
  assert.ok(referrals > 0);
  assert.equal(cells[col('Referrals per customer')], (referrals / scored.size).toFixed(2));
  // Marketing costs: spend over the months of the costs file (to the end
  // of the last month) ÷ buyers whose first order falls in them, and their
  // revenue against that spend, counted here.
  const costs = rowsOf(join(dir, 'costs.csv'));
  const months = [...new Set(costs.map((r) => r.month))].sort();
  const dayOf = (iso) => Date.parse(`${iso}T00:00:00Z`) / 86400e3;
  const gaps = months.slice(1).map((m, i) => dayOf(m) - dayOf(months[i])).sort((a, b) => a - b);
  const [from, to] = [dayOf(months[0]), dayOf(months.at(-1)) + gaps[Math.floor(gaps.length / 2)] - 1];
  const spendTotal = costs.reduce((s, r) => s + Number(r.spend), 0);
  const firstOrder = new Map();
  const revenueOf = new Map();
  for (const r of rowsOf(join(dir, 'orders.csv'))) {
    revenueOf.set(r.customer_id, (revenueOf.get(r.customer_id) ?? 0) + Number(r.amount));
    if (Number(r.amount) < 0) continue;
    const d = dayOf(r.order_date);
    if (!firstOrder.has(r.customer_id) || d < firstOrder.get(r.customer_id)) firstOrder.set(r.customer_id, d);
  }
  const acquired = [...firstOrder.entries()].filter(([, d]) => d >= from && d <= to).map(([c]) => c);
  const acquiredRevenue = acquired.reduce((s, c) => s + revenueOf.get(c), 0);
  assert.ok(Math.abs(num(cells[col('Acquisition cost per customer')]) - spendTotal / acquired.length) < 0.006);
  // Thousands grouped, as the page writes every figure.
  const roi = (100 * (acquiredRevenue - spendTotal) / spendTotal).toFixed(1);
  assert.equal(cells[col('Return on marketing spend')], `${Number(roi).toLocaleString('en-US', { minimumFractionDigits: 1 })}%`);
  // The whole table downloads as CSV, with the counts and intervals.
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByTestId('downloads-kpis').getByRole('button', { name: 'CSV (figures)' }).click()]);
  assert.equal(download.suggestedFilename(), 'kpis.csv');
  const [head, ...lines] = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
  const names = head.split(',');
  const base = Object.fromEntries(lines.at(-1).split(',').map((v, i) => [names[i], v]));
  assert.equal(base.segment, 'All customers');
  assert.equal(Number(base.customers), num(cells[col('Customers')]));
  assert.equal(Number(base.cac_denominator), acquired.length);
  assert.ok(Math.abs(Number(base.cac_numerator) - spendTotal) < 1e-6);
  assert.ok(Number(base.open_rate_ci_low) < openRate && openRate < Number(base.open_rate_ci_high));
  await heatmap.evaluate((table) => { table.closest('.table-wrap, .scroll, div').scrollLeft = 1e6; });
  await page.getByTestId('kpi-heatmap').screenshot({ path: join(shots, '02c3-kpis-marketing.png') });

  // Churn and retention over another period: 60 days, counted here.
  const asOfDay = dayOf('2026-01-01');
  const recent = new Set();
  const before = new Set();
  for (const r of rowsOf(join(dir, 'orders.csv'))) {
    if (Number(r.amount) < 0) continue;
    const age = asOfDay - dayOf(r.order_date);
    if (age < 60) recent.add(r.customer_id);
    else if (age < 120) before.add(r.customer_id);
  }
  const kept = [...before].filter((c) => recent.has(c)).length;
  await page.getByTestId('churn-period').selectOption('60');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=kpi-heatmap] thead th')].some((t) => t.textContent.includes('Churn rate (60 days)')));
  const headers60 = await heatmap.locator('thead th').allInnerTexts();
  const cells60 = await heatmap.locator('tbody tr').last().locator('th, td').allInnerTexts();
  const at60 = (name) => cells60[headers60.findIndex((h) => h.startsWith(name))];
  assert.equal(at60('Churn rate (60 days)'), `${(100 * (before.size - kept) / before.size).toFixed(1)}%`);
  assert.equal(at60('Retention rate (60 days)'), `${(100 * kept / before.size).toFixed(1)}%`);
  await page.getByTestId('churn-period').selectOption('90');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=kpi-heatmap] thead th')].some((t) => t.textContent.includes('Churn rate (90 days)')));

  await page.getByTestId('sort-revenue_per_customer').click();
  assert.equal((await heatmap.locator('tbody tr th').first().innerText()).trim(), 'Champions');
  assert.match(await page.getByTestId('standouts').innerText(), /Champions: .*× all customers/);
  await page.getByTestId('kpis').screenshot({ path: join(shots, '02c-kpis.png') });
});

test('two segments side by side: a pair of bars per KPI and where they differ, as counted here', async () => {
  await go('compare', 'two');
  const card = page.getByTestId('compare-two');
  await card.scrollIntoViewIfNeeded();
  await page.getByTestId('compare-first').selectOption({ label: 'Champions' });
  await page.getByTestId('compare-second').selectOption({ label: 'Lost' });
  await page.waitForFunction(() => /^Champions: .*; Lost: /.test(document.querySelector('[data-testid=compare-header]')?.textContent ?? ''));
  const counts = await tableCounts();
  assert.equal(await page.getByTestId('compare-header').innerText(),
    `Champions: ${counts.Champions.toLocaleString('en-US')} customers; Lost: ${counts.Lost.toLocaleString('en-US')} customers.`);
  // Every KPI with a value for both has its pair of bars, its formula on hover.
  const pairs = page.getByTestId('compare-kpi');
  assert.ok(await pairs.count() >= 10, `${await pairs.count()} KPIs`);
  assert.match(await pairs.first().getAttribute('title'), /=/);
  // A category sentence, checked against the orders and the command line's segments.
  const dir = join(root, 'target', 'e2e-demo');
  const segmentOf = new Map();
  const rfm = execFileSync(cli, ['rfm', '--orders', join(dir, 'orders.csv')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  for (const line of rfm.trim().split('\n').slice(1)) segmentOf.set(line.slice(0, line.indexOf(',')), line.slice(line.lastIndexOf(',') + 1));
  const sentences = await page.getByTestId('compare-differences').locator('li').allInnerTexts();
  assert.ok(sentences.length >= 1);
  const sentence = sentences.find((t) => t.includes('bought in'));
  assert.ok(sentence, sentences.join('\n'));
  const [, hi, category, hiPct, loPct, lo] = sentence.match(/^(.+?) more often bought in “(.+)”: (\d+)% of them against (\d+)% of (.+)\.$/);
  const buyers = new Map([['Champions', new Set()], ['Lost', new Set()]]);
  for (const r of rowsOf(join(dir, 'orders.csv'))) {
    const s = segmentOf.get(r.customer_id);
    if (buyers.has(s) && r.category === category && Number(r.amount) >= 0) buyers.get(s).add(r.customer_id);
  }
  // Shown rounded to a whole percent.
  const pct = (s) => 100 * buyers.get(s).size / counts[s];
  assert.ok(Math.abs(pct(hi) - Number(hiPct)) <= 0.5 && Math.abs(pct(lo) - Number(loPct)) <= 0.5,
    `${sentence}: ${pct(hi)}%, ${pct(lo)}% counted here`);
  assert.ok(pct(hi) > pct(lo));
  await card.screenshot({ path: join(shots, '02c2-compare-two.png') });
});

test('goals: a target on a KPI of a segment, where it stands, kept across a reload', async () => {
  await go('compare', 'kpis');
  const heatmap = page.getByTestId('kpi-heatmap');
  const headers = await heatmap.locator('thead th').allInnerTexts();
  const champions = heatmap.locator('tbody tr', { has: page.locator('th', { hasText: /^Champions$/ }) });
  const nps = (await champions.locator('th, td').allInnerTexts())[headers.findIndex((h) => h.startsWith('NPS'))];

  await go('overview');
  await page.getByTestId('goal-kpi').selectOption('nps');
  await page.getByTestId('goal-segment').selectOption('Champions');
  await page.getByTestId('goal-target').fill('50');
  await page.getByTestId('goal-target').dispatchEvent('change');
  await page.getByTestId('goal-deadline').fill('2026-06-30');
  await page.getByTestId('goal-deadline').dispatchEvent('change');
  await page.getByTestId('add-goal').click();
  await page.getByTestId('goal').first().waitFor();
  assert.match(await page.getByTestId('goal').first().innerText(),
    new RegExp(`NPS of Champions at least \\+50 by 2026-06-30 · now \\${nps}( |$)[\\s\\S]*180 days left`));
  // The heatmap colours that cell against the goal instead of the base.
  await go('compare', 'kpis');
  const goalCells = page.locator('[data-testid=kpi-heatmap] [data-testid=goal-cell]');
  await goalCells.first().waitFor();
  assert.equal(await goalCells.count(), 1);
  assert.match(await goalCells.first().getAttribute('title'), /NPS — Champions[\s\S]*Coloured against the goal: at least \+50 \(not yet\)/);

  await go('overview');
  await page.getByTestId('goal-kpi').selectOption('customers');
  await page.getByTestId('goal-segment').selectOption('All customers');
  await page.getByTestId('goal-target').fill('5000');
  await page.getByTestId('goal-target').dispatchEvent('change');
  await page.getByTestId('add-goal').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=goal]').length === 2);
  assert.match(await page.getByTestId('goal').nth(1).innerText(), /Customers of All customers at least 5,000 · now 4,732 — 268 to go/);

  // A count within a period: customers placing their second order in the
  // 45 days before the analysis date, counted here from the order file.
  const days = new Map();
  for (const r of rowsOf(join(root, 'target', 'e2e-demo', 'orders.csv'))) {
    if (Number(r.amount) < 0) continue;
    if (!days.has(r.customer_id)) days.set(r.customer_id, []);
    days.get(r.customer_id).push(r.order_date);
  }
  const asOf = '2026-01-01';
  const since = '2025-11-17';
  const second = [...days.values()].filter((d) => d.length >= 2)
    .map((d) => d.sort()[1]).filter((d) => d >= since && d <= asOf).length;
  assert.ok(second > 0 && second < 1000);
  await page.getByTestId('goal-kpi').selectOption('second_orders_in_period');
  await page.getByTestId('goal-since').fill(since);
  await page.getByTestId('goal-since').dispatchEvent('change');
  await page.getByTestId('goal-target').fill('1000');
  await page.getByTestId('goal-target').dispatchEvent('change');
  await page.getByTestId('goal-deadline').fill('2026-02-15');
  await page.getByTestId('goal-deadline').dispatchEvent('change');
  await page.getByTestId('add-goal').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=goal]').length === 3);
  const periodGoal = (await page.getByTestId('goal').nth(2).innerText()).replace(/\s+/g, ' ');
  assert.ok(periodGoal.includes(
    `Customers placing a second order of All customers at least 1,000 from ${since} by 2026-02-15 · now ${second.toLocaleString('en-US')} — ${(1000 - second).toLocaleString('en-US')} to go · 45 days left`), periodGoal);
  await page.getByTestId('goals').screenshot({ path: join(shots, '02f-goals.png') });

  await page.reload();
  await page.getByTestId('goals').waitFor();
  assert.equal(await page.getByTestId('goal').count(), 3);
  assert.match(await page.getByTestId('goal').nth(2).innerText(), new RegExp(`from ${since}`));
  for (const n of [2, 1]) {
    await page.getByTestId('goal').nth(n).getByRole('button').click();
    await page.waitForFunction((k) => document.querySelectorAll('[data-testid=goal]').length === k, n);
  }
});

test('split suggestions: segments whose NPS hides promoters and detractors, split in one click, as counted here', async () => {
  await go('compare', 'kpis');
  const dir = join(root, 'target', 'e2e-demo');
  // RFM segments from the command line; each customer's last NPS answer.
  const csv = execFileSync(cli, ['rfm', '--orders', join(dir, 'orders.csv')], { encoding: 'utf8' });
  const segmentOf = new Map(csv.trim().split('\n').slice(1).map((l) => [l.slice(0, l.indexOf(',')), l.slice(l.lastIndexOf(',') + 1)]));
  const last = new Map();
  for (const r of rowsOf(join(dir, 'surveys.csv'))) {
    if (r.nps === '') continue;
    const prev = last.get(r.customer_id);
    if (!prev || r.answered_at >= prev.answered_at) last.set(r.customer_id, r);
  }
  const bySegment = new Map();
  for (const [c, r] of last) {
    const s = segmentOf.get(c);
    if (!s) continue;
    if (!bySegment.has(s)) bySegment.set(s, { n: 0, promoters: 0, detractors: 0 });
    const t = bySegment.get(s);
    t.n += 1;
    t.promoters += Number(r.nps) >= 9 ? 1 : 0;
    t.detractors += Number(r.nps) <= 6 ? 1 : 0;
  }
  // Split: 30 answers or more, a quarter of promoters and of detractors.
  const expected = [...bySegment.entries()]
    .filter(([, t]) => t.n >= 30 && Math.min(t.promoters, t.detractors) / t.n >= 0.25)
    .map(([s]) => s).sort();
  assert.ok(expected.length > 0, 'the demo has a polarised segment');
  const items = page.locator('[data-testid=split-suggestion][data-measure=nps]');
  await items.first().waitFor();
  const shown = (await items.evaluateAll((els) => els.map((e) => e.dataset.segment))).sort();
  assert.deepEqual(shown, expected);

  const name = expected[0];
  const t = bySegment.get(name);
  const item = page.locator(`[data-testid=split-suggestion][data-segment="${name}"]`);
  assert.match(await item.innerText(), new RegExp(`${Math.round(100 * t.promoters / t.n)}% promoters and ${Math.round(100 * t.detractors / t.n)}% detractors among ${t.n} answers`));
  await page.getByTestId('split-suggestions').screenshot({ path: join(shots, '02g-split-suggestion.png') });
  await item.getByTestId('split-create').click();
  await go('segments', 'mine');
  for (const [half, count] of [[`${name} — promoters`, t.promoters], [`${name} — detractors`, t.detractors]]) {
    const saved = page.getByTestId('saved-segment').filter({ hasText: half });
    await saved.waitFor();
    assert.equal(num(await saved.locator('td.num').first().innerText()), count, half);
  }
  await go('compare', 'kpis');
  await item.getByText('Both halves are saved segments.').waitFor();
  await go('segments', 'mine');
  for (const half of [`${name} — promoters`, `${name} — detractors`]) {
    await page.getByRole('button', { name: `Delete ${half}` }).click();
    await page.getByRole('button', { name: `Delete ${half}` }).waitFor({ state: 'detached' });
  }
});

test('journeys: the funnel per segment, as an independent count finds it', async () => {
  await go('journeys', 'funnel');
  const funnel = page.getByTestId('funnel');
  await funnel.waitFor();
  const steps = ['page_view', 'view_product', 'add_to_cart', 'begin_checkout', 'purchase'];
  // Count it here: every start tried, steps in order within 7 days of it.
  const byCustomer = new Map();
  for (const r of rowsOf(join(root, 'target', 'e2e-demo', 'events.csv'))) {
    if (!byCustomer.has(r.customer_id)) byCustomer.set(r.customer_id, []);
    byCustomer.get(r.customer_id).push([Date.parse(r.timestamp), r.event]);
  }
  const reached = steps.map(() => 0);
  for (const events of byCustomer.values()) {
    events.sort((a, b) => a[0] - b[0]);
    let best = 0;
    events.forEach(([t0, e], i) => {
      if (e !== steps[0]) return;
      let depth = 1;
      for (const [t, e2] of events.slice(i + 1)) {
        if (depth === steps.length || t > t0 + 7 * 86400e3) break;
        if (e2 === steps[depth]) depth += 1;
      }
      best = Math.max(best, depth);
    });
    for (let k = 0; k < best; k++) reached[k] += 1;
  }
  const table = page.getByTestId('funnel-table');
  const headers = await table.locator('thead th').allInnerTexts();
  const all = headers.indexOf('All customers');
  const rows = await table.locator('tbody tr').all();
  for (let k = 0; k < steps.length; k++) {
    const cells = await rows[k].locator('th, td').allInnerTexts();
    assert.ok(cells[0].endsWith(steps[k]), cells[0]);
    assert.equal(Number(cells[all].split(' · ')[0].replace(/,/g, '')), reached[k], `step ${steps[k]}`);
  }
  // A shorter funnel with a longer window, applied and kept.
  await page.getByTestId('step-3').selectOption('');
  await page.getByTestId('funnel-window').fill('30');
  await page.getByTestId('funnel-window').dispatchEvent('change');
  await page.getByTestId('apply-funnel').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=funnel-table] tbody tr').length === 4);
  assert.match(await funnel.innerText(), /within 30 days of the first/);
  await funnel.screenshot({ path: join(shots, '02e-funnel.png') });

  // Drop-off as a segment: did view_product but not add_to_cart within 30
  // days of the page view, counted here with the same walk.
  const short = ['page_view', 'view_product', 'add_to_cart'];
  let stopped = 0;
  for (const events of byCustomer.values()) {
    let best = 0;
    events.forEach(([t0, e], i) => {
      if (e !== short[0]) return;
      let depth = 1;
      for (const [t, e2] of events.slice(i + 1)) {
        if (depth === short.length || t > t0 + 30 * 86400e3) break;
        if (e2 === short[depth]) depth += 1;
      }
      best = Math.max(best, depth);
    });
    if (best === 2) stopped += 1;
  }
  await page.getByTestId('drop-step').selectOption('2');
  await page.getByTestId('save-drop').click();
  await go('segments', 'mine');
  const saved = page.getByTestId('saved-segment').filter({ hasText: 'Stopped after view_product' });
  await saved.waitFor();
  assert.equal(num(await saved.locator('td.num').first().innerText()), stopped);
  await page.getByRole('button', { name: 'Delete Stopped after view_product' }).click();
  await saved.waitFor({ state: 'detached' });

  await go('journeys', 'funnel');
  // In this exact order, nothing in between: as the command line counts it.
  await page.getByTestId('funnel-strict').check();
  await page.getByTestId('apply-funnel').click();
  await page.waitForFunction(() => /each right after the previous one/.test(document.querySelector('[data-testid=funnel]')?.innerText ?? ''));
  const strict = cliOnDemo(['funnel', '--steps', short.join(','), '--window', '30d', '--strict'])
    .trim().split('\n').slice(1).map((l) => Number(l.split(',')[2]));
  const strictRows = await page.getByTestId('funnel-table').locator('tbody tr').all();
  for (let k = 0; k < short.length; k++) {
    const cells = await strictRows[k].locator('th, td').allInnerTexts();
    assert.equal(Number(cells[all].split(' · ')[0].replace(/,/g, '')), strict[k], `strict step ${short[k]}`);
  }
  await page.getByTestId('funnel-strict').uncheck();
  await page.getByTestId('apply-funnel').click();
  await page.waitForFunction(() => /other events in between allowed/.test(document.querySelector('[data-testid=funnel]')?.innerText ?? ''));

  // Narrow step 2 to the product views of the classical pages: as the
  // command line counts it (itself checked against DuckDB SQL).
  await page.getByTestId('narrow-step').selectOption({ value: '1' });
  await page.getByTestId('narrow-column').selectOption('page');
  await page.getByTestId('narrow-op').selectOption('contains');
  await page.getByTestId('narrow-value').fill('classical');
  await page.getByTestId('narrow-apply').click();
  assert.match(await page.getByTestId('funnel-pending').innerText(), /view_product where page contains “classical”/);
  await page.getByTestId('apply-funnel').click();
  await page.waitForFunction(() => /where page contains/.test(document.querySelector('[data-testid=funnel-table]')?.innerText ?? ''));
  const narrowed = ['page_view', 'view_product[page~classical]', 'add_to_cart'];
  const want = cliOnDemo(['funnel', '--steps', narrowed.join(','), '--window', '30d'])
    .trim().split('\n').slice(1).map((l) => Number(l.split(',')[2]));
  const narrowRows = await page.getByTestId('funnel-table').locator('tbody tr').all();
  for (let k = 0; k < narrowed.length; k++) {
    const cells = await narrowRows[k].locator('th, td').allInnerTexts();
    assert.equal(Number(cells[all].split(' · ')[0].replace(/,/g, '')), want[k], `narrowed step ${narrowed[k]}`);
  }
  assert.ok(want[1] < reached[1], 'the narrowing keeps fewer customers');
  await funnel.screenshot({ path: join(shots, '02e2-funnel-narrowed.png') });
  // The table's figures as CSV.
  const [funnelCsv] = await Promise.all([page.waitForEvent('download'),
    page.getByTestId('downloads-funnel').getByRole('button', { name: 'CSV (figures)' }).click()]);
  const lines = readFileSync(await funnelCsv.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
  assert.equal(lines[0], 'group,step,event,customers,share_of_first,median_minutes_from_previous');
  assert.ok(lines.some((l) => l.startsWith(`All customers,2,view_product[page~classical],${want[1]},`)), lines.join('\n'));
  // Cleared again for the tests after this one.
  await page.getByTestId('narrow-clear').click();
  await page.getByTestId('apply-funnel').click();
  await page.waitForFunction(() => !/where page contains/.test(document.querySelector('[data-testid=funnel-table]')?.innerText ?? ''));
});

/** Runs the command line on the demo files of every source. */
function cliOnDemo(args) {
  const dir = join(root, 'target', 'e2e-demo');
  const files = ['orders', 'customers', 'email', 'surveys', 'events'].flatMap((n) => [`--${n}`, join(dir, `${n}.csv`)]);
  return execFileSync(cli, [...args, ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

const num = (text) => Number(text.replace(/[^\d.-]/g, ''));

test('segments: the example rule is built in a few clicks and counts what the command line selects', async () => {
  await go('segments', 'mine');
  const builder = page.getByTestId('rule-builder');
  await builder.scrollIntoViewIfNeeded();
  const add = () => page.getByTestId('group-add').click();
  const type = async (id, text) => { await page.getByTestId(id).fill(text); await page.getByTestId(id).press('Tab'); };
  // Men aged 35 to 40 interested in DIY who have not ordered in the last 6 weeks.
  await add();
  assert.equal(await page.getByTestId('cond-0-field').inputValue(), 'a:gender');
  await type('cond-0-value', 'M');
  await add();
  await page.getByTestId('cond-1-field').selectOption('a:age');
  await page.getByTestId('cond-1-op').selectOption('between');
  await type('cond-1-value', '35');
  await type('cond-1-value2', '40');
  await add();
  await page.getByTestId('cond-2-field').selectOption('a:interests');
  await page.getByTestId('cond-2-op').selectOption('contains');
  await type('cond-2-value', 'DIY');
  await add();
  await page.getByTestId('cond-3-field').selectOption('m:orders');
  await page.getByTestId('cond-3-op').selectOption('at_most');
  await type('cond-3-value', '0');
  await type('cond-3-days', '42');
  const rule = {
    all: [
      { attribute: 'gender', equals: 'M' },
      { attribute: 'age', between: [35, 40] },
      { attribute: 'interests', contains: 'DIY' },
      { measure: 'orders', days: 42, at_most: 0 },
    ],
  };
  const ruleFile = join(root, 'target', 'e2e-demo', 'rule.json');
  writeFileSync(ruleFile, JSON.stringify(rule));
  const expected = Number(cliOnDemo(['segment', '--count', '--rule', ruleFile]).trim());
  assert.ok(expected > 10, `${expected}`);
  await page.waitForFunction((n) => document.querySelector('[data-testid=rule-count]')?.textContent.startsWith(`${n} of 5,000`), expected);
  assert.match(await page.getByTestId('rule-words').innerText(), /gender is "M" and age from 35 to 40 and interests contains "DIY"/);
  await builder.screenshot({ path: join(shots, '02f-rule-builder.png') });

  // Saved, listed with its size, opened as a member list, searched.
  await page.getByTestId('segment-name').fill('DIY men to win back');
  await page.getByTestId('save-segment').click();
  const saved = page.getByTestId('saved-segment').filter({ hasText: 'DIY men to win back' });
  await saved.waitFor();
  assert.equal(num(await saved.locator('td.num').first().innerText()), expected);
  await saved.getByTestId('open-members').click();
  await page.getByTestId('members-table').waitFor();
  assert.match(await page.getByTestId('members-count').innerText(), new RegExp(`^${expected} members, page 1 of ${Math.ceil(expected / 25)}`));
  const ids = cliOnDemo(['segment', '--rule', ruleFile]).trim().split('\n');
  // Each member's chance of being active, as seglens clv predicts it.
  await page.locator('[data-testid=members] select').selectOption('risk');
  await page.waitForFunction(() => document.querySelector('[data-testid=members-count]')?.textContent.includes('page 1'));
  await page.waitForTimeout(300);
  const riskRow = (await page.locator('[data-testid=members-table] tbody tr').first().locator('td').allInnerTexts()).map((t) => t.trim());
  const clv = JSON.parse(execFileSync(cli, ['clv', '--orders', join(root, 'target', 'e2e-demo', 'orders.csv')], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  const mine = clv.customers.find((c) => c.customer_id === riskRow[0]);
  assert.equal(riskRow[6], `${(mine.p_alive * 100).toFixed(1)}%`);
  const pAlive = clv.customers.filter((c) => ids.includes(c.customer_id)).map((c) => c.p_alive);
  assert.equal(mine.p_alive, Math.min(...pAlive), 'the least likely to be active first');
  const shown = await page.locator('[data-testid=members-table] tbody td:first-child').allInnerTexts();
  assert.ok(shown.every((id) => ids.includes(id)), 'every member listed is one the command line selects');
  await page.getByTestId('members-search').fill(ids[3]);
  await page.getByTestId('members-search').press('Enter');
  await page.waitForFunction(() => /1 matching/.test(document.querySelector('[data-testid=members-count]')?.textContent ?? ''));
  await page.getByTestId('saved-segments').screenshot({ path: join(shots, '02g-my-segments.png') });

  // Downloaded in Mailchimp's columns: every member, e-mail first.
  await page.getByTestId('segment-export-layout').selectOption({ label: 'Mailchimp' });
  const [download] = await Promise.all([page.waitForEvent('download'), saved.getByTestId('download-segment').click()]);
  const lines = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines[0], 'Email Address,First Name,Last Name,Last Category,Tags');
  // Every member but those who did not agree to marketing.
  const noConsent = demoNoConsent(join(root, 'target', 'e2e-demo'));
  assert.equal(lines.length - 1, ids.filter((id) => !noConsent.has(id)).length);
  assert.ok(lines.slice(1).every((l) => l.endsWith(',DIY men to win back') && l.includes('@')));

  // As an Excel workbook with the columns chosen, read back by openpyxl.
  await page.getByTestId('segment-export-layout').selectOption({ label: 'SegLens (choose the columns)' });
  await page.getByTestId('segment-export-format').selectOption('xlsx');
  await page.getByTestId('segment-export-columns').locator('summary').click();
  for (const c of ['customer_id', 'age', 'segment']) {
    await page.getByTestId('segment-export-columns').locator(`input[data-column="${c}"]`).check();
  }
  const [book] = await Promise.all([page.waitForEvent('download'), saved.getByTestId('download-segment').click()]);
  assert.match(book.suggestedFilename(), /\.xlsx$/);
  const bookPath = join(root, 'target', 'e2e-demo', book.suggestedFilename());
  await book.saveAs(bookPath);
  const python = join(root, '.venv', 'bin', 'python');
  const sheet = JSON.parse(execFileSync(python, ['-c', [
    'import json, sys, openpyxl',
    'ws = openpyxl.load_workbook(sys.argv[1]).active',
    'print(json.dumps([[c for c in r] for r in ws.iter_rows(values_only=True)]))',
  ].join('\n'), bookPath], { encoding: 'utf8' }));
  assert.deepEqual(sheet[0], ['customer_id', 'age', 'segment']);
  assert.deepEqual(sheet.slice(1).map((r) => r[0]).sort(), ids.filter((id) => !noConsent.has(id)).sort());
  assert.ok(sheet.slice(1).every((r) => r[1] >= 35 && r[1] <= 40 && r[2] === 'DIY men to win back'));
  await page.getByTestId('segment-export-format').selectOption(',');

  // As SQL over the raw demo tables, run by DuckDB: the same customers,
  // with the customers table and its id column named as in the warehouse.
  await saved.locator('xpath=ancestor::section').locator('summary', { hasText: 'Your table and column names' }).click();
  await page.getByTestId('segment-sql-table-customers').fill('crm.people');
  await page.getByTestId('segment-sql-table-customers').dispatchEvent('change');
  await page.getByTestId('segment-sql-column-customers-customer').fill('person_id');
  await page.getByTestId('segment-sql-column-customers-customer').dispatchEvent('change');
  const [sqlFile] = await Promise.all([page.waitForEvent('download'), saved.getByTestId('segment-sql').click()]);
  const query = readFileSync(await sqlFile.path(), 'utf8');
  assert.match(query, /-- DIY men to win back: /);
  assert.match(query, /FROM crm\.people/);
  const dir = join(root, 'target', 'e2e-demo');
  const members = execFileSync(python, ['-c', [
    'import duckdb, sys',
    'con = duckdb.connect()',
    `for t in ['orders', 'email', 'surveys', 'events', 'tickets']: con.execute(f"create table {t} as select * from read_csv('${dir}/{t}.csv', header=true, all_varchar=true)")`,
    'con.execute("create schema crm")',
    `con.execute("create table crm.people as select customer_id as person_id, * exclude (customer_id) from read_csv('${dir}/customers.csv', header=true, all_varchar=true)")`,
    'print("\\n".join(r[0] for r in con.execute(sys.stdin.read()).fetchall()))',
  ].join('\n')], { input: query, encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(members.sort(), [...ids].sort());
  await page.getByTestId('saved-segments').screenshot({ path: join(shots, '02p-segment-exports.png') });

  // Spend in a product category, from the order file's category column.
  await page.getByRole('button', { name: 'Clear' }).click();
  await add();
  await page.getByTestId('cond-0-field').selectOption('m:spend');
  await page.getByTestId('cond-0-category').selectOption('Classical');
  await type('cond-0-value', '50');
  await type('cond-0-days', '365');
  writeFileSync(ruleFile, JSON.stringify({ measure: 'spend', category: 'Classical', days: 365, at_least: 50 }));
  const classical = Number(cliOnDemo(['segment', '--count', '--rule', ruleFile]).trim());
  await page.waitForFunction((n) => document.querySelector('[data-testid=rule-count]')?.textContent.startsWith(`${n.toLocaleString('en-US')} of 5,000`), classical);
  assert.match(await page.getByTestId('rule-words').innerText(), /spend in Classical in the last 365 days at least 50/);

  // Compared on every KPI against all customers; kept across a reload.
  await page.getByTestId('compare-saved').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=kpi-heatmap] tbody th')?.textContent === 'DIY men to win back');
  assert.equal(num(await page.locator('[data-testid=kpi-heatmap] tbody tr').first().locator('td').first().innerText()), expected);
  assert.match(await page.evaluate(() => location.hash), /^#\/compare\/kpis$/, 'the button opens the comparison');
  await page.reload();
  await page.getByTestId('kpi-heatmap').waitFor();
  assert.equal(await page.getByTestId('kpi-rows').inputValue(), 'saved');
});

test('lifecycle: every customer in one stage, as the command line assigns them, and the monthly flows', async () => {
  await go('segments', 'lifecycle');
  const card = page.getByTestId('lifecycle');
  await card.waitFor();
  const expected = {};
  for (const line of cliOnDemo(['lifecycle']).trim().split('\n').slice(1)) {
    const stage = line.slice(line.lastIndexOf(',') + 1);
    expected[stage] = (expected[stage] ?? 0) + 1;
  }
  const shown = {};
  for (const row of await page.locator('[data-testid=lifecycle-table] tbody tr').all()) {
    const n = num(await row.locator('td.num').first().innerText());
    if (n > 0) shown[(await row.locator('th').innerText()).trim()] = n;
  }
  assert.deepEqual(shown, expected);
  const flows = cliOnDemo(['lifecycle', '--flows']).trim().split('\n').slice(1).map((l) => l.split(','));
  const rows = await page.locator('[data-testid=flows-table] tbody tr').all();
  assert.equal(rows.length, flows.length);
  const first = (await rows[1].locator('th, td').allTextContents()).map((t) => t.trim());
  assert.deepEqual(first.slice(1).map(num), flows[1].slice(1, 5).map(Number));
  // The chart's figures download as the command line prints them.
  const [flowsCsv] = await Promise.all([page.waitForEvent('download'),
    page.getByTestId('downloads-lifecycle-flows').getByRole('button', { name: 'CSV (figures)' }).click()]);
  assert.equal(readFileSync(await flowsCsv.path(), 'utf8').replace(/^\uFEFF/, '').trim(),
    cliOnDemo(['lifecycle', '--flows']).trim());
  assert.match(await page.getByTestId('flows-summary').innerText(), /Over the last 3 complete months/);
  // A stricter "at risk" threshold, applied: more customers at risk.
  const atRisk = shown['At risk'];
  await page.getByTestId('lc-risk').fill('30');
  await page.getByTestId('lc-risk').dispatchEvent('change');
  await page.getByTestId('apply-lifecycle').click();
  await page.waitForFunction((before) => {
    const row = [...document.querySelectorAll('[data-testid=lifecycle-table] tbody tr')].find((r) => r.querySelector('th').textContent === 'At risk');
    return Number(row.querySelector('td.num').textContent.replace(/,/g, '')) > before;
  }, atRisk);
  await card.screenshot({ path: join(shots, '02h-lifecycle.png') });
  await page.getByText("Use the data's thresholds").click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=lifecycle]').textContent.includes('Thresholds set by you'));
});

test('clusters: a suggested k, clusters described in words, one saved with the command line\'s members', async () => {
  await go('segments', 'clusters');
  const card = page.getByTestId('clusters');
  await card.scrollIntoViewIfNeeded();
  // What the progress line says while the worker works, as it changes.
  await record('clustering-progress');
  await page.getByTestId('suggest-k').click();
  await page.getByTestId('silhouette').waitFor();
  assert.match(await page.getByTestId('silhouette').innerText(), /It is highest at k = \d+/);
  // k from 2 to 10: nine values tried, counted one by one.
  const tried = await said('clustering-progress');
  assert.ok(tried.includes('9 of 9 numbers of clusters tried'), JSON.stringify(tried));
  assert.ok(tried.every((s) => s === 'Working…' || /^\d of 9 numbers of clusters tried$/.test(s)), JSON.stringify(tried));
  await page.getByTestId('cluster-k').fill('4');
  await page.getByTestId('cluster-k').dispatchEvent('change');
  await page.getByTestId('run-clusters').click();
  await page.getByTestId('clusters-table').waitFor();
  // Four k-means runs, then the description: five steps.
  const steps = await said('clustering-progress');
  assert.ok(steps.includes('step 5 of 5: each k-means run, then the clusters described'), JSON.stringify(steps));
  const sizes = [];
  for (const row of await page.getByTestId('cluster-row').all()) {
    sizes.push(num(await row.locator('td.num').innerText()));
    assert.match(await row.locator('td').nth(1).innerText(), /on average/);
  }
  const out = cliOnDemo(['cluster', '--k', '4', '--seed', '42', '--runs', '4', '--features', 'recency,frequency,monetary,tenure,engagement']);
  const expected = [0, 0, 0, 0];
  for (const line of out.trim().split('\n').slice(1)) expected[Number(line.split(',')[1]) - 1] += 1;
  assert.deepEqual(sizes, expected);
  await card.screenshot({ path: join(shots, '02i-clusters.png') });
  await page.getByTestId('save-cluster-1').click();
  await go('segments', 'mine');
  const saved = page.getByTestId('saved-segment').filter({ hasText: 'Cluster 1' });
  await saved.waitFor();
  assert.equal(num(await saved.locator('td.num').first().innerText()), expected[0]);
  // Back to the RFM comparison, without the saved segments, for the next tests.
  for (const name of ['Cluster 1', 'DIY men to win back']) {
    await page.getByRole('button', { name: `Delete ${name}` }).click();
    await page.getByRole('button', { name: `Delete ${name}` }).waitFor({ state: 'detached' });
  }
  await go('compare', 'kpis');
  await page.getByTestId('kpi-rows').selectOption('rfm');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=kpi-heatmap] tbody th')].some((t) => t.textContent === 'Champions'));
});

test('splits: value tiers and a column compared in one click, saved as segments that overlap as counted here', async () => {
  await go('compare', 'kpis');
  const dir = join(root, 'target', 'e2e-demo');
  // Value tiers by hand: net spend of each buyer, R's type-7 quantiles.
  const spend = new Map();
  const buyers = new Set();
  for (const r of rowsOf(join(dir, 'orders.csv'))) {
    spend.set(r.customer_id, (spend.get(r.customer_id) ?? 0) + Number(r.amount));
    if (Number(r.amount) >= 0) buyers.add(r.customer_id);
  }
  const values = [...buyers].map((c) => spend.get(c)).sort((a, b) => a - b);
  const q = (p) => { const h = (values.length - 1) * p; const lo = Math.floor(h); return values[lo] + (h - lo) * ((values[lo + 1] ?? values[lo]) - values[lo]); };
  const [high, medium] = [q(0.8), q(0.5)];
  const expected = {
    'High value': values.filter((v) => v >= high).length,
    'Medium value': values.filter((v) => v >= medium && v < high).length,
    'Low value': values.filter((v) => v < medium).length,
  };
  const heatmapCounts = async () => {
    const out = {};
    for (const row of await page.locator('[data-testid=kpi-heatmap] tbody tr').all()) {
      out[(await row.locator('th').innerText()).trim()] = num(await row.locator('td').first().innerText());
    }
    return out;
  };
  const rowsSelect = page.getByTestId('kpi-rows');
  await rowsSelect.selectOption({ label: 'tiers: customer value' });
  await page.waitForFunction(() => document.querySelector('[data-testid=kpi-heatmap] tbody th')?.textContent === 'High value');
  const shown = await heatmapCounts();
  for (const [k, v] of Object.entries(expected)) assert.equal(shown[k], v, k);
  assert.match(await page.getByTestId('comparison-note').innerText(), /top 20% of buyers/);

  // By city: the eight most frequent cities, as counted in the customers file.
  const cities = new Map();
  for (const r of rowsOf(join(dir, 'customers.csv'))) cities.set(r.city, (cities.get(r.city) ?? 0) + 1);
  const top = [...cities.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  await rowsSelect.selectOption({ label: 'by city' });
  await page.waitForFunction((name) => document.querySelector('[data-testid=kpi-heatmap] tbody th')?.textContent === name, `city = ${top[0][0]}`);
  const byCity = await heatmapCounts();
  assert.equal(byCity[`city = ${top[0][0]}`], top[0][1]);
  assert.equal(byCity[`city = ${top[1][0]}`], top[1][1]);
  // The customers file lists prospects: the conversion rate of the first
  // city is its buyers over its customers, counted here.
  const inCity = rowsOf(join(dir, 'customers.csv')).filter((r) => r.city === top[0][0]);
  const converted = inCity.filter((r) => buyers.has(r.customer_id)).length;
  assert.ok(converted < inCity.length, 'the demo has prospects in its first city');
  const headers = await page.locator('[data-testid=kpi-heatmap] thead th').allInnerTexts();
  const cityRow = page.locator('[data-testid=kpi-heatmap] tbody tr', { has: page.locator('th', { hasText: `city = ${top[0][0]}` }) });
  const conversion = (await cityRow.locator('th, td').allInnerTexts())[headers.findIndex((h) => h.startsWith('Conversion rate'))];
  assert.equal(conversion, `${(100 * converted / inCity.length).toFixed(1)}%`);
  await page.getByTestId('kpis').screenshot({ path: join(shots, '02j-kpis-by-city.png') });

  // By age, in bands of our own.
  const ages = rowsOf(join(dir, 'customers.csv')).map((r) => Number(r.age));
  await rowsSelect.selectOption({ label: 'by age' });
  await page.getByTestId('band-edges').waitFor();
  await page.getByTestId('band-edges').fill('30, 50');
  await page.getByTestId('apply-bands').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=kpi-heatmap] tbody th')?.textContent === 'age under 30');
  const byAge = await heatmapCounts();
  assert.deepEqual(
    [byAge['age under 30'], byAge['age 30 to under 50'], byAge['age 50 and over']],
    [ages.filter((a) => a < 30).length, ages.filter((a) => a >= 30 && a < 50).length, ages.filter((a) => a >= 50).length],
  );
  assert.equal(await rowsSelect.inputValue(), 'col:age');

  // Journey stages: the furthest stage of the last 30 days, counted here;
  // then page views mapped to no stage.
  const asOf = Date.parse('2026-01-01T00:00:00Z');
  const stageOf = { page_view: 0, view_product: 1, add_to_cart: 1, begin_checkout: 2, purchase: 2 };
  const furthest = new Map();
  for (const r of rowsOf(join(dir, 'events.csv'))) {
    const t = Date.parse(r.timestamp);
    if (t < asOf - 30 * 86400e3 || t >= asOf || !(r.event in stageOf)) continue;
    furthest.set(r.customer_id, Math.max(furthest.get(r.customer_id) ?? -1, stageOf[r.event]));
  }
  const byStage = [0, 1, 2].map((s) => [...furthest.values()].filter((v) => v === s).length);
  await rowsSelect.selectOption({ label: 'tiers: journey stage' });
  await page.waitForFunction(() => /The furthest stage/.test(document.querySelector('[data-testid=comparison-note]')?.textContent ?? ''));
  const journey = await heatmapCounts();
  // Groups without customers are not shown.
  assert.deepEqual([journey.Awareness ?? 0, journey.Consideration ?? 0, journey.Decision ?? 0], byStage);
  await page.getByTestId('stage-page_view').selectOption('');
  await page.getByTestId('apply-mapping').click();
  await page.waitForFunction(() => !/page_view →/.test(document.querySelector('[data-testid=comparison-note]')?.textContent ?? 'page_view →'));
  assert.equal(await rowsSelect.inputValue(), 'tier:5');

  // Churn-risk bands from the predictions, as seglens clv predicts them.
  await rowsSelect.selectOption({ label: 'tiers: churn risk (predicted)' });
  await page.waitForFunction(() => /high risk below/.test(document.querySelector('[data-testid=comparison-note]')?.textContent ?? ''));
  const [, lo, hi] = (await page.getByTestId('comparison-note').innerText()).match(/high risk below (\d+)%, medium below (\d+)%/);
  const clv = JSON.parse(execFileSync(cli, ['clv', '--orders', join(dir, 'orders.csv')], { encoding: 'utf8', maxBuffer: 1 << 28 })).customers;
  const repeat = clv.filter((c) => c.frequency > 0);
  const risk = await heatmapCounts();
  assert.equal(risk['High churn risk'] ?? 0, repeat.filter((c) => c.p_alive < lo / 100).length);
  assert.equal(risk['Low churn risk'] ?? 0, repeat.filter((c) => c.p_alive >= hi / 100).length);
  assert.equal(risk['One-time buyers (not judged)'], clv.length - repeat.length);

  // Saved as segments: listed with their sizes, and their overlap matrix.
  await rowsSelect.selectOption({ label: 'tiers: customer value' });
  await page.waitForFunction(() => document.querySelector('[data-testid=kpi-heatmap] tbody th')?.textContent === 'High value');
  await page.getByTestId('save-groups').click();
  await go('segments', 'mine');
  await page.getByTestId('overlap').waitFor();
  const diagonal = await page.locator('[data-testid=overlap] tbody tr').evaluateAll((rows) =>
    rows.map((r, i) => Number(r.querySelectorAll('td')[i].textContent.replace(/,/g, ''))));
  assert.deepEqual(diagonal, Object.values(expected));
  const offDiagonal = await page.locator('[data-testid=overlap] tbody tr').first().locator('td').nth(1).innerText();
  assert.equal(num(offDiagonal), 0, 'tiers do not overlap');
  await page.getByTestId('saved-segments').screenshot({ path: join(shots, '02k-overlap.png') });
  for (const name of Object.keys(expected)) {
    await page.getByRole('button', { name: `Delete ${name}` }).click();
    await page.getByRole('button', { name: `Delete ${name}` }).waitFor({ state: 'detached' });
  }
  await go('compare', 'kpis');
  await rowsSelect.selectOption('rfm');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=kpi-heatmap] tbody th')].some((t) => t.textContent === 'Champions'));
});

test('suggested actions fit the segment, and a message can be edited and copied', async () => {
  await go('act', 'ideas');
  await page.getByTestId('suggest-segment').selectOption('6'); // At Risk, the seventh rule
  const first = page.getByTestId('suggestion').first();
  assert.equal(await first.locator('h3').innerText(), 'Win-back offer');
  // The demo sells in euros: amounts carry the sign.
  assert.match(await first.innerText(), /revenue per customer €[\d,]+\.\d\d \(all customers €[\d,]+\.\d\d\)/);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(base).origin });
  const box = first.locator('textarea').first();
  await box.fill('Hi {first_name}, come back for 20% off {last_category}.');
  await first.getByRole('button', { name: 'Copy message' }).first().click();
  await page.waitForFunction(() => navigator.clipboard.readText().then((t) => t.startsWith('Hi {first_name}, come back')));
  await page.getByTestId('suggestions').screenshot({ path: join(shots, '02g-suggestions.png') });
});

test('cross-sell: what the same customers buy, as the command line finds it, for all buyers or one segment', async () => {
  const card = page.getByTestId('cross-sell');
  await card.scrollIntoViewIfNeeded();
  await page.getByTestId('cross-sell-table').waitFor();
  const dir = join(root, 'target', 'e2e-demo');
  const csv = execFileSync(cli, ['cross-sell', '--orders', join(dir, 'orders.csv')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [from, to, both, , , confidence, lift] = csv.trim().split('\n')[1].split(',');
  const first = (await page.locator('[data-testid=cross-sell-table] tbody tr').first().locator('td').allInnerTexts()).map((t) => t.trim());
  assert.deepEqual(first, [from, to, Number(both).toLocaleString('en-US'), `${(Number(confidence) * 100).toFixed(1)}%`, `${Number(lift).toFixed(2)}×`]);
  assert.match(await page.getByTestId('cross-sell-headline').innerText(), /^(Customers like these who buy .+ also buy .+: \d+% of them|Among these customers, no category)/);
  const before = await page.getByTestId('cross-sell-table').innerText();
  await page.getByTestId('cross-sell-audience').selectOption({ label: 'Champions' });
  await page.waitForFunction((t) => document.querySelector('[data-testid=cross-sell-table]')?.innerText !== t, before);
  await card.screenshot({ path: join(shots, '02l-cross-sell.png') });
});

test('over time: cohort retention and segment migration, as the command line counts them', async () => {
  await go('journeys', 'cohorts');
  const card = page.getByTestId('over-time');
  await card.scrollIntoViewIfNeeded();
  await page.getByTestId('cohort-table').waitFor();
  const dir = join(root, 'target', 'e2e-demo');
  const lines = execFileSync(cli, ['cohorts', '--orders', join(dir, 'orders.csv')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trim().split('\n').slice(1).map((l) => l.split(','));
  const [cohort, size] = lines[0];
  const plusOne = lines.find((l) => l[0] === cohort && l[2] === '1');
  const row = (await page.locator('[data-testid=cohort-table] tbody tr').first().locator('th, td').allInnerTexts()).map((t) => t.trim());
  assert.equal(row[0], cohort);
  assert.equal(num(row[1]), Number(size));
  assert.equal(row[3], `${(100 * Number(plusOne[3]) / Number(size)).toFixed(1)}%`);
  await page.getByTestId('cohort-revenue').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=cohort-table] tbody td.cell')?.textContent.includes('%'));

  // Migration from 90 days before the analysis date (2026-01-01).
  const moves = execFileSync(cli, ['migration', '--orders', join(dir, 'orders.csv'), '--from', '2025-10-03'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trim().split('\n').slice(1).map((l) => l.split(','));
  await go('journeys', 'moves');
  await page.getByTestId('migration-table').waitFor();
  assert.equal(await page.getByTestId('migration-from').inputValue(), '2025-10-03');
  const stay = moves.find((m) => m[0] === 'Champions' && m[1] === 'Champions');
  const champions = page.locator('[data-testid=migration-table] tbody tr').filter({ has: page.locator('th', { hasText: /^Champions$/ }) });
  assert.equal(num(await champions.locator('td').first().innerText()), Number(stay[2]));
  const total = moves.reduce((s, m) => s + Number(m[2]), 0);
  const shown = await page.locator('[data-testid=migration-table] tbody tr td:last-child').allInnerTexts();
  assert.equal(shown.reduce((s, t) => s + num(t), 0), total);
  await page.getByTestId('migration').screenshot({ path: join(shots, '02m-migration.png') });
  const before = await page.getByTestId('migration-summary').innerText();
  await page.getByTestId('migration-from').fill('2025-06-30');
  await page.getByTestId('migration-from').dispatchEvent('change');
  await page.waitForFunction((t) => document.querySelector('[data-testid=migration-summary]')?.textContent !== t, before);
  assert.match(await page.getByTestId('migration-summary').innerText(), /on 2025-06-30/);
});

test('activity: events by weekday and hour, as the command line counts them, two groups side by side', async () => {
  await go('journeys', 'activity');
  const card = page.getByTestId('activity');
  await card.scrollIntoViewIfNeeded();
  await page.getByTestId('activity-table').first().waitFor();
  const dir = join(root, 'target', 'e2e-demo');
  const grid = execFileSync(cli, ['activity', '--orders', join(dir, 'orders.csv'), '--events', join(dir, 'events.csv')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  const titles = await page.getByTestId('activity-table').first().locator('td.dot').evaluateAll((cells) => cells.map((c) => c.getAttribute('title')));
  assert.equal(titles.length, 7 * 24);
  const shown = titles.map((t) => Number(t.match(/: ([\d,]+) events/)[1].replace(/,/g, '')));
  assert.deepEqual(shown, grid.map((r) => r[2]));
  const before = await page.getByTestId('activity-table').nth(1).locator('xpath=..').locator('figcaption').innerText();
  await page.getByTestId('activity-right').selectOption({ label: 'Lost' });
  await page.waitForFunction((t) => document.querySelectorAll('[data-testid=activity] figcaption')[1]?.textContent !== t, before);
  assert.match(await page.locator('[data-testid=activity] figcaption').nth(1).innerText(), /^Lost: [\d,]+ events$/);
  const [activityCsv] = await Promise.all([page.waitForEvent('download'),
    page.getByTestId('downloads-activity').getByRole('button', { name: 'CSV (figures)' }).click()]);
  const rows = readFileSync(await activityCsv.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\n').slice(1);
  assert.deepEqual(rows.filter((r) => r.startsWith('all customers,')).map((r) => Number(r.split(',')[3])), grid.map((r) => r[2]));
  await card.screenshot({ path: join(shots, '02n-activity.png') });
});

test('which segment uses what: the share of sessions with each event, as counted here', async () => {
  await go('journeys', 'funnel');
  const card = page.getByTestId('usage');
  await card.scrollIntoViewIfNeeded();
  const sessions = new Map();
  for (const r of rowsOf(join(root, 'target', 'e2e-demo', 'events.csv'))) {
    if (!r.customer_id) continue;
    if (!sessions.has(r.session_id)) sessions.set(r.session_id, new Set());
    sessions.get(r.session_id).add(r.event);
  }
  const withPurchase = [...sessions.values()].filter((s) => s.has('purchase')).length;
  const headers = (await page.locator('[data-testid=usage-table] thead th').allInnerTexts()).map((t) => t.trim());
  const all = page.locator('[data-testid=usage-table] tbody tr').last();
  const cells = (await all.locator('th, td').allInnerTexts()).map((t) => t.trim());
  assert.equal(cells[0], 'All customers');
  assert.equal(num(cells[1]), sessions.size);
  assert.equal(cells[headers.indexOf('purchase')], `${(100 * withPurchase / sessions.size).toFixed(1)}%`);
  await card.screenshot({ path: join(shots, '02o-usage.png') });
});

test('paths: where sessions go step by step, as the command line and a count here find them', async () => {
  await go('journeys', 'paths');
  const card = page.getByTestId('paths');
  await card.scrollIntoViewIfNeeded();
  const events = rowsOf(join(root, 'target', 'e2e-demo', 'events.csv')).filter((e) => e.customer_id);
  const sessions = new Set(events.map((e) => `${e.customer_id} ${e.session_id}`));
  const summary = (id, text) => page.waitForFunction(([id, t]) => document.querySelector(`[data-testid=${id}]`)?.textContent === t,
    [id, text]);
  await summary('paths-summary', `all customers: ${sessions.size.toLocaleString('en-US')} sessions followed.`);
  // Each band says its sessions; the command line counts the same moves.
  const moves = cliOnDemo(['paths', '--depth', '4']).trim().split('\n').slice(1).map((l) => l.split(','));
  const titles = await page.locator('[data-testid=paths-chart] path title').allTextContents();
  for (const [, from, to, n] of moves) {
    assert.ok(titles.includes(`${from} → ${to}: ${Number(n).toLocaleString('en-US')} sessions`), `${from} → ${to} ${n} in ${titles}`);
  }
  assert.equal(titles.length, moves.length);
  // From the first add-to-cart: only the sessions with one.
  await page.getByTestId('paths-from').selectOption('from:add_to_cart');
  const carts = new Set(events.filter((e) => e.event === 'add_to_cart').map((e) => `${e.customer_id} ${e.session_id}`));
  await summary('paths-summary', `all customers: ${carts.size.toLocaleString('en-US')} sessions followed.`);
  await card.screenshot({ path: join(shots, '02u-paths.png') });
  // The chart as SVG and PNG, its figures as CSV (the command line's).
  const downloads = page.getByTestId('downloads-paths');
  const [svg] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('button', { name: 'SVG' }).click()]);
  const svgText = readFileSync(await svg.path(), 'utf8');
  assert.match(svgText, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="760" height="320"/);
  const [png] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('button', { name: 'PNG' }).click()]);
  await png.saveAs(join(shots, '02v-paths-download.png'));
  const pngBytes = readFileSync(join(shots, '02v-paths-download.png'));
  assert.deepEqual([...pngBytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(pngBytes.readUInt32BE(16), 1520, 'twice the chart\'s width');
  const csvOf = async (id) => {
    const [data] = await Promise.all([page.waitForEvent('download'),
      page.getByTestId(id).getByRole('button', { name: 'CSV (figures)' }).click()]);
    return readFileSync(await data.path(), 'utf8').replace(/^\uFEFF/, '').trim();
  };
  assert.equal(await csvOf('downloads-paths'), cliOnDemo(['paths', '--depth', '4', '--from', 'add_to_cart']).trim());

  // Leading to the first purchase of each session: the sessions with one,
  // lined up on the right, as the command line finds them.
  await page.getByTestId('paths-from').selectOption('to:purchase');
  const buys = new Set(events.filter((e) => e.event === 'purchase').map((e) => `${e.customer_id} ${e.session_id}`));
  await summary('paths-summary', `all customers: ${buys.size.toLocaleString('en-US')} sessions followed.`);
  assert.equal(await csvOf('downloads-paths'), cliOnDemo(['paths', '--depth', '4', '--to', 'purchase']).trim());
  const last = await page.locator('[data-testid=paths-chart] rect title').allTextContents();
  assert.ok(last.includes(`Step 4: purchase (${buys.size.toLocaleString('en-US')})`), last.join(' | '));

  // Side by side with an RFM segment: its customers' sessions only.
  const rfm = execFileSync(cli, ['rfm', '--orders', join(root, 'target', 'e2e-demo', 'orders.csv')], { encoding: 'utf8' })
    .trim().split('\n');
  const col = rfm[0].split(',').indexOf('segment');
  const champions = new Set(rfm.slice(1).map((l) => l.split(',')).filter((r) => r[col] === 'Champions').map((r) => r[0]));
  const theirBuys = new Set(events.filter((e) => e.event === 'purchase' && champions.has(e.customer_id))
    .map((e) => `${e.customer_id} ${e.session_id}`));
  await page.getByTestId('paths-compare').selectOption('rfm:Champions');
  await summary('paths-summary-b', `Champions: ${theirBuys.size.toLocaleString('en-US')} sessions followed.`);
  assert.equal(await page.locator('[data-testid=paths-chart-b]').count(), 1);
  assert.equal(await page.getByTestId('paths-gap').inputValue(), '30');
  await card.screenshot({ path: join(shots, '02u2-paths-side-by-side.png') });
  await page.getByTestId('paths-compare').selectOption('');
  await page.locator('[data-testid=paths-chart-b]').waitFor({ state: 'detached' });
});

test('stage mix: each month\'s active customers by the furthest stage they reached, as counted here', async () => {
  const card = page.getByTestId('stage-mix');
  await card.scrollIntoViewIfNeeded();
  await page.getByTestId('stage-mix-chart').waitFor();
  const [data] = await Promise.all([page.waitForEvent('download'),
    page.getByTestId('downloads-stage-mix').getByRole('button', { name: 'CSV (figures)' }).click()]);
  const lines = readFileSync(await data.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
  assert.equal(lines[0], 'month,awareness,consideration,decision');
  assert.equal(lines.length, 13, 'twelve months');
  // Counted here with the demo's five events mapped by hand.
  const stage = { page_view: 0, view_product: 1, add_to_cart: 1, begin_checkout: 2, purchase: 2 };
  const deepest = new Map();
  for (const e of rowsOf(join(root, 'target', 'e2e-demo', 'events.csv'))) {
    if (!e.customer_id || !(e.event in stage)) continue;
    const key = `${e.timestamp.slice(0, 7)} ${e.customer_id}`;
    deepest.set(key, Math.max(deepest.get(key) ?? 0, stage[e.event]));
  }
  let active = 0;
  for (const line of lines.slice(1)) {
    const [month, ...counts] = line.split(',');
    const want = [0, 0, 0];
    for (const [key, s] of deepest) if (key.startsWith(`${month} `)) want[s] += 1;
    assert.deepEqual(counts.map(Number), want, month);
    active += want[0] + want[1] + want[2];
  }
  assert.ok(active > 100, `${active} customer-months`);
  await card.screenshot({ path: join(shots, '02w-stage-mix.png') });
});

test('share: notes kept across a reload, in a self-contained HTML report that opens offline, and a Markdown summary', async () => {
  await go('act', 'export');
  await page.getByTestId('note-about').selectOption('Champions');
  await page.getByTestId('note-text').fill('Ask them for referrals <b>before</b> the summer sale');
  await page.getByTestId('note-add').click();
  await page.getByTestId('note').first().waitFor();
  await page.reload();
  await page.getByTestId('note').first().waitFor();
  const today = new Date().toISOString().slice(0, 10);
  assert.match(await page.getByTestId('note').first().innerText(), new RegExp(`Champions · ${today}\\s+Ask them for referrals <b>before</b> the summer sale`));
  await page.getByTestId('notes').screenshot({ path: join(shots, '02q-notes.png') });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report').click()]);
  const file = join(shots, 'report.html');
  await download.saveAs(file);
  const html = readFileSync(file, 'utf8');
  assert.ok(!/<script/i.test(html), 'no script in the report');
  // Opened apart, as a colleague would: its own browser context.
  const other = await newContext(browser);
  const viewer = await other.newPage();
  const fetched = [];
  viewer.on('request', (r) => fetched.push(r.url()));
  await viewer.goto(`file://${file}`);
  await viewer.locator('h1').waitFor();
  assert.match(await viewer.locator('h1').innerText(), /SegLens report — Demo business/);
  assert.ok(await viewer.locator('svg').count() >= 1);
  assert.match(await viewer.locator('body').innerText(), /Segments compared on every KPI/);
  assert.match(await viewer.locator('body').innerText(), /Notes\s+Champions 20\d\d-\d\d-\d\d\s+Ask them for referrals <b>before<\/b> the summer sale/);
  assert.match(await viewer.locator('body').innerText(), /Where customers are in their lifecycle/);
  await viewer.screenshot({ path: join(shots, '02h-report.png'), fullPage: true });
  await other.close();
  assert.deepEqual(fetched.filter((u) => !u.startsWith('file://')), []);

  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(base).origin });
  await page.getByTestId('copy-summary').click();
  await page.waitForFunction(() => navigator.clipboard.readText().then((t) => t.includes('| Champions |') && t.includes('- Champions (20')));
});

test('export: the members of a segment in Mailchimp columns, e-mail first', async () => {
  const counts = await tableCounts();
  await go('act', 'export');
  await page.getByTestId('export-0').check();
  await page.getByTestId('export-layout').selectOption({ label: 'Mailchimp' });
  // The progress line, recorded as the worker tells its steps.
  await record('export-progress');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-download').click(),
  ]);
  const steps = await said('export-progress');
  const champions = counts['Champions'].toLocaleString('en-US');
  assert.equal(steps.at(-1), `Customers written: ${champions} of ${champions}`, JSON.stringify(steps));
  assert.ok(steps.every((s) => s === 'Preparing the file…' || new RegExp(`^Customers written: [\\d,]+ of ${champions}$`).test(s)), JSON.stringify(steps));
  assert.equal(await page.getByTestId('export-progress').count(), 0, 'gone once written');
  const raw = readFileSync(await download.path());
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark, for Excel');
  const lines = raw.subarray(3).toString('utf8').trim().split('\r\n');
  assert.equal(lines[0], 'Email Address,First Name,Last Name,Last Category,Tags');
  // The Champions but those who said no to the newsletter or unsubscribed.
  const noConsent = demoNoConsent(join(root, 'target', 'e2e-demo'));
  const championIds = cliMembers(join(root, 'target', 'e2e-demo', 'orders.csv'), 'Champions');
  assert.equal(championIds.length, counts['Champions']);
  const refused = championIds.filter((id) => noConsent.has(id)).length;
  assert.ok(refused > 0);
  assert.equal(lines.length - 1, counts['Champions'] - refused);
  assert.ok(lines.slice(1).every((l) => l.endsWith(',Champions')));
  // The e-mail addresses are the customers file's, for those customers.
  const dir = join(root, 'target', 'e2e-demo');
  const customers = readFileSync(join(dir, 'customers.csv'), 'utf8').trim().split('\n').slice(1)
    .map((l) => l.split(','));
  const emails = new Set(customers.map((c) => c[1]));
  assert.ok(lines.slice(1).every((l) => emails.has(l.split(',')[0])));
  assert.match(await page.getByTestId('export-result').innerText(),
    new RegExp(`${(counts['Champions'] - refused).toLocaleString('en-US')} customers written.* ${refused} customers left out: did not agree to marketing or unsubscribed`));

  // The same segment as SQL, run by DuckDB over the raw demo orders.
  await page.getByTestId('export').locator('summary', { hasText: 'Your table and column names' }).click();
  await page.getByTestId('sql-table-orders').fill('demo_orders');
  await page.getByTestId('sql-table-orders').dispatchEvent('change');
  const [sqlFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sql-download').click()]);
  const query = readFileSync(await sqlFile.path(), 'utf8');
  assert.match(query, /FROM demo_orders/);
  const python = join(root, '.venv', 'bin', 'python');
  const out = execFileSync(python, ['-c', [
    'import duckdb, sys',
    'con = duckdb.connect()',
    `con.execute("create table demo_orders as select * from read_csv('${join(dir, 'orders.csv')}', header=true, all_varchar=true)")`,
    'rows = con.execute(sys.stdin.read()).fetchall()',
    'print(len(rows), len({r[7] for r in rows}), rows[0][7])',
  ].join('\n')], { input: query, encoding: 'utf8' });
  assert.equal(out.trim(), `${counts['Champions']} 1 Champions`);
});

test('the RFM editor: a preset, live gaps, and the segments it gives as the command line scores them', async () => {
  await go('segments', 'rfm');
  const editor = page.getByTestId('rfm-editor');
  await editor.waitFor();
  assert.match(await page.getByTestId('rule-check').innerText(), /10 of 125 score combinations match no segment; their customers go to Others/);
  await page.getByTestId('preset').selectOption({ index: 2 });
  await page.waitForFunction(() => /All 27 score combinations belong to a segment/.test(
    document.querySelector('[data-testid=rule-check]').textContent));
  // Make a gap: "Inactive" (last rule) now only for frequency 1.
  const last = page.locator('[data-testid=rules] tbody tr').last();
  await last.locator('input[aria-label="Frequency to"]').fill('1');
  await last.locator('input[aria-label="Frequency to"]').dispatchEvent('change');
  await page.waitForFunction(() => /match no segment/.test(document.querySelector('[data-testid=rule-check]').textContent));
  await editor.screenshot({ path: join(shots, '02d-rfm-editor.png') });
  await last.locator('input[aria-label="Frequency to"]').fill('3');
  await last.locator('input[aria-label="Frequency to"]').dispatchEvent('change');
  await page.getByTestId('apply-rules').click();
  await untilTable('Inactive');

  // The same segments from `seglens rfm --bins 3` scores and the preset's rules, first match.
  const rules = [['Champions', 3, 3, 3, 3, 3, 3], ['Loyal', 2, 3, 3, 3, 1, 3], ['Recent', 3, 3, 1, 2, 1, 3],
    ['Needs Attention', 2, 2, 1, 2, 1, 3], ['At Risk', 1, 1, 2, 3, 2, 3], ['Inactive', 1, 1, 1, 3, 1, 3]];
  const csv = execFileSync(cli, ['rfm', '--orders', join(root, 'target', 'e2e-demo', 'orders.csv'), '--bins', '3'], { encoding: 'utf8' });
  const want = {};
  for (const line of csv.trim().split('\n').slice(1)) {
    const [r, f, m] = line.split(',').slice(4, 7).map(Number);
    const hit = rules.find(([, r0, r1, f0, f1, m0, m1]) => r >= r0 && r <= r1 && f >= f0 && f <= f1 && m >= m0 && m <= m1);
    const name = hit ? hit[0] : 'Others';
    want[name] = (want[name] ?? 0) + 1;
  }
  assert.deepEqual(nonZero(await tableCounts()), want);
});

test('the RFM setup is kept across a reload, then set back', async () => {
  await page.reload();
  await page.getByTestId('rfm-table').waitFor();
  assert.ok((await page.locator('[data-testid=rfm-table] tbody th').allInnerTexts()).includes('Inactive'));
  await go('segments', 'rfm');
  await page.getByTestId('preset').selectOption({ index: 1 });
  await page.getByTestId('apply-rules').click();
  await untilTable('Champions');
  await untilTable('Inactive', false);
});

test('history: snapshots on import and by hand, notable changes as the table counts them, a KPI over time', async () => {
  await go('compare', 'kpis');
  if (await page.getByTestId('kpi-rows').inputValue() !== 'rfm') {
    // Comparing the RFM segments: analysed again, the page drawn anew.
    await page.getByTestId('kpi-rows').selectOption('rfm');
    await page.waitForFunction(() => document.querySelector('[data-testid=kpi-rows]')?.value === 'rfm'
      && [...document.querySelectorAll('[data-testid=kpi-heatmap] tbody th')].some((t) => t.textContent.includes('Champions')));
  }
  await go('overview');
  const history = page.getByTestId('history');
  await history.scrollIntoViewIfNeeded();
  const before = await history.getByTestId('snapshot').count();
  assert.ok(before >= 1, 'the demo import took a snapshot');
  assert.match(await history.getByTestId('snapshot').last().innerText(), /on import/);
  await page.getByTestId('take-snapshot').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=snapshot]').length === n + 1, before);
  assert.match(await history.getByTestId('changes').innerText(), /Nothing notable changed/);

  // Other RFM rules: the segments' sizes move; the sentences say by how much.
  const a = await tableCounts();
  await go('segments', 'rfm');
  await page.getByTestId('preset').selectOption({ index: 2 });
  await page.getByTestId('apply-rules').click();
  await untilTable('Inactive');
  const b = await tableCounts();
  await page.getByTestId('take-snapshot').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=snapshot]').length === n + 2, before);
  const changes = await history.getByTestId('changes').locator('li').allInnerTexts();
  const en = (n) => n.toLocaleString('en-US');
  const expected = Object.keys(b).filter((g) => a[g] && Math.abs(b[g] - a[g]) / a[g] >= 0.1)
    .map((g) => `${g} ${b[g] > a[g] ? 'grew' : 'shrank'} ${en(Math.round(Math.abs(b[g] - a[g]) / a[g] * 100))}% (${en(a[g])} → ${en(b[g])})`);
  assert.ok(expected.length >= 1, JSON.stringify({ a, b }));
  for (const e of expected) assert.ok(changes.includes(e), `${e} in ${JSON.stringify(changes)}`);
  await page.getByTestId('history-kpi').selectOption('customers');
  assert.ok(await page.locator('[data-testid=history-chart] polyline').count() >= 2);
  await history.screenshot({ path: join(shots, '02r-history.png') });

  // Back to the usual rules; the two snapshots taken here are deleted, and
  // that is kept across a reload.
  await go('segments', 'rfm');
  await page.getByTestId('preset').selectOption({ index: 1 });
  await page.getByTestId('apply-rules').click();
  await untilTable('Inactive', false);
  for (let i = 0; i < 2; i++) {
    await history.getByTestId('snapshot').first().getByRole('button', { name: 'Delete this snapshot' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=snapshot]').length === n, before + 1 - i);
  }
  await page.reload();
  await page.getByTestId('history').waitFor();
  assert.equal(await page.getByTestId('snapshot').count(), before);
});

test('a second tab on the same project is told, and a tab whose project changed elsewhere saves nothing until reloaded', async () => {
  const second = await page.context().newPage();
  await second.goto(`${base}#/act/export`);
  await second.getByTestId('notes').waitFor();
  await second.getByTestId('other-tab').waitFor();
  await page.getByTestId('other-tab').waitFor();
  // The second tab saves a note; the first now knows its copy is old.
  await second.getByTestId('note-text').fill('Written in the second tab');
  await second.getByTestId('note-add').click();
  await page.getByTestId('stale').waitFor();
  await go('act', 'export');
  await page.getByTestId('note-text').fill('Written in the first tab');
  await page.getByTestId('note-add').click();
  assert.match(await page.getByTestId('stale').innerText(), /changed in another tab, so nothing is saved here/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, '02s-second-tab.png') });
  await second.close();
  await page.reload();
  await page.getByTestId('notes').waitFor();
  const notes = await page.getByTestId('note').allInnerTexts();
  assert.ok(notes.some((n) => n.includes('Written in the second tab')), 'the other tab\'s note is there');
  assert.ok(!notes.some((n) => n.includes('Written in the first tab')), 'the stale tab overwrote nothing');
  assert.equal(await page.getByTestId('stale').count(), 0);
  // Leave the notes as they were.
  await page.getByTestId('note').filter({ hasText: 'Written in the second tab' }).getByRole('button', { name: 'Delete this note' }).click();
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid=note]')].some((n) => n.textContent.includes('second tab')));
});

test('the churn-risk thresholds are kept across a reload', async () => {
  await page.reload();
  await go('predict');
  await page.getByTestId('risk-bands').waitFor();
  assert.equal(await page.getByTestId('medium-from').inputValue(), '50');
  assert.equal(await page.getByTestId('low-from').inputValue(), '80');
});

test('a reload restores the workspace without importing again', async () => {
  const before = await tableCounts();
  await page.reload();
  await page.getByTestId('source').waitFor();
  assert.deepEqual(await tableCounts(), before);
  await shot('03-reloaded');
});

test('after the first visit the app opens and works offline', async () => {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  // Once the service worker controls the page, take the network away.
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  try {
    await page.reload();
    await page.getByTestId('source').waitFor();
    await go('predict');
    await page.getByTestId('predictions').waitFor();
    assert.match(await page.getByTestId('source').innerText(), /Demo business/);
    await page.getByTestId('holdout-date').fill('2025-03-31');
    await page.getByTestId('check-model').click();
    await page.getByTestId('holdout-result').filter({ hasText: '2025-03-31' }).waitFor();
    await shot('03b-offline');
  } finally {
    await context.setOffline(false);
  }
});

test('"Where is my data?" says where, how much, and offers to keep it', async () => {
  await settingsMenu(page);
  await page.getByTestId('where-is-my-data').click();
  const panel = page.getByTestId('privacy');
  await panel.waitFor();
  assert.match(await panel.innerText(), /Nothing is uploaded/);
  await page.waitForFunction(() => /SegLens uses .* of the .* this browser allows/.test(
    document.querySelector('[data-testid=storage-usage]')?.textContent ?? ''));
  await shot('03c-where-is-my-data');
  await settingsMenu(page);
  await page.getByTestId('where-is-my-data').click();
  await panel.waitFor({ state: 'detached' });
});

test('a project saved as one file opens again after deleting everything; a damaged one is refused', async () => {
  const before = await tableCounts();
  await projectMenu(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-project').click()]);
  assert.match(download.suggestedFilename(), /\.seglens$/);
  const file = await download.path();
  const good = readFileSync(file);
  // The command line reads the same file.
  const kpis = JSON.parse(execFileSync(cli, ['kpis', '--workspace', file, '--format', 'json'], { encoding: 'utf8' }));
  assert.equal(kpis.at(-1).customers.value, Object.values(before).reduce((a, b) => a + b, 0));

  await projectMenu(page);
  await page.getByTestId('delete-all').click();
  await page.getByTestId('confirm-delete').click();
  await page.getByTestId('explore-demo').waitFor();

  const damaged = Buffer.from(good);
  damaged[damaged.length - 10] ^= 0xff;
  await page.getByTestId('project-input').setInputFiles({ name: 'damaged.seglens', mimeType: 'application/octet-stream', buffer: damaged });
  assert.match(await page.getByTestId('error').innerText(), /damaged\.seglens: This project file is damaged/);
  await page.getByTestId('project-input').setInputFiles({ name: 'notes.seglens', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await page.getByTestId('error').filter({ hasText: 'not a SegLens project file' }).waitFor();
  await page.reload();
  await page.getByTestId('explore-demo').waitFor();

  await page.getByTestId('project-input').setInputFiles({ name: 'demo.seglens', mimeType: 'application/octet-stream', buffer: good });
  await page.getByTestId('source').waitFor();
  assert.deepEqual(await tableCounts(), before);
  await go('predict');
  assert.equal(await page.getByTestId('medium-from').inputValue(), '50');
  await page.reload();
  await page.getByTestId('source').waitFor();
  assert.deepEqual(await tableCounts(), before);
});

test('a French Windows-1252 semicolon export is read, with its rejected rows listed', async () => {
  const file = join(root, 'tests', 'fixtures', 'commandes-fr.csv');
  // Chosen rather than detected (the same here): the report says so.
  await projectMenu(page);
  await page.getByTestId('encoding-select').first().selectOption('Windows-1252');
  await page.getByTestId('file-input').setInputFiles(file);
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'commandes-fr.csv');
  assert.deepEqual(nonZero(await tableCounts()), cliCounts(file));
  const report = await page.getByTestId('import-report').innerText();
  assert.match(report, /108 rows accepted, 2 rejected, 1 refund, 40 customers/);
  assert.match(report, /Windows-1252 \(as chosen\)/);
  await projectMenu(page);
  await page.getByTestId('encoding-select').first().selectOption('');
  assert.match(report, /delimiter ;/);
  assert.match(report, /dd\/mm\/yyyy/);
  const rejected = await page.getByTestId('rejected-rows').innerText();
  assert.match(rejected, /110\s+Date de commande\s+"31\/02\/2025" is not a real day/);
  assert.match(rejected, /111\s+Montant TTC\s+the amount is empty/);
  // The rejected rows as a CSV to fix: where, why, then the row as read.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-rejected').click()]);
  assert.equal(download.suggestedFilename(), 'commandes-fr-rejected.csv');
  const lines = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
  assert.equal(lines[0], 'line,column,reason,N° commande,Client,Date de commande,Montant TTC,Ville');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^110,Date de commande,"""31\/02\/2025"" is not a real day.*",CMD90002,CLI-002,31\/02\/2025,"10,00 €",Lyon$/);
  assert.equal(lines[2], '111,Montant TTC,the amount is empty,CMD90003,CLI-003,01/03/2025,,Lyon');
  await shot('04-french-upload');
});

/** Opens the stored project whose name starts with `name`. */
async function openProject(name) {
  const value = await page.getByTestId('project-select').evaluate(
    (select, n) => [...select.options].find((o) => o.textContent.startsWith(n))?.value, name);
  assert.ok(value, `a project named ${name}`);
  await page.getByTestId('project-select').selectOption(value);
  await page.waitForFunction((n) => document.querySelector('[data-testid=source]')?.textContent === n, name);
}

test('projects: a new order file opens beside the demo, each kept with its size, switched, started empty and deleted', async () => {
  // The French file went into a project of its own; the demo is still there.
  const names = await page.getByTestId('project-select').locator('option').allInnerTexts();
  assert.ok(names.some((n) => /^Demo business — [\d.,]+ (kB|MB)$/.test(n)), JSON.stringify(names));
  assert.ok(names.some((n) => /^commandes-fr\.csv — [\d.,]+ (B|kB)$/.test(n)), JSON.stringify(names));
  const count = names.length;
  await openProject('Demo business');
  assert.ok((await tableCounts()).Champions > 0);
  await page.getByTestId('projects').screenshot({ path: join(shots, '02t-projects.png') });
  // A new, empty project: the start screen; the demo there is a third one.
  await page.getByTestId('new-project').click();
  await page.getByTestId('explore-demo').click();
  await page.getByTestId('rfm-table').waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=project-select] option').length === n + 1, count);
  // Deleted after a confirmation: another project opens, and the list is
  // as before, also after a reload.
  await page.getByTestId('delete-project').click();
  await page.getByTestId('confirm-delete-project').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=project-select] option').length === n, count);
  await page.getByTestId('rfm-table').waitFor();
  await openProject('commandes-fr.csv');
  await page.reload();
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'commandes-fr.csv');
  assert.equal(await page.getByTestId('project-select').locator('option').count(), count);
});

test('e-mail results and survey answers join the orders by customer', async () => {
  const email = ['Email Address;Campaign;Opened;Clicked'];
  const survey = ['client;date;NPS'];
  for (let c = 1; c <= 40; c++) {
    const id = `CLI-${String(c).padStart(3, '0')}`;
    email.push(`${id};Rentrée;${c % 2 ? 'oui' : 'non'};${c % 4 === 1 ? 'oui' : 'non'}`);
    if (c % 3 === 0) survey.push(`${id};01/12/2025;${c % 11}`);
  }
  email.push('inconnu@example.com;Rentrée;oui;non');
  await page.getByTestId('file-input').setInputFiles([
    { name: 'campagne.csv', mimeType: 'text/csv', buffer: Buffer.from(email.join('\n')) },
    { name: 'avis.csv', mimeType: 'text/csv', buffer: Buffer.from(survey.join('\n')) },
  ]);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=source-report]').length === 2);
  const reports = await page.getByTestId('source-report').allInnerTexts();
  assert.match(reports.join(' '), /campagne\.csv: 41 e-mails, 0 rejected, 1 customer without orders/);
  assert.match(reports.join(' '), /avis\.csv: 13 survey answers/);
  // The source is still the order file; the KPI table now has e-mail rates.
  assert.equal(await page.getByTestId('source').innerText(), 'commandes-fr.csv');
  await go('compare', 'kpis');
  const heatmap = page.getByTestId('kpi-heatmap');
  const headers = await heatmap.locator('thead th').allInnerTexts();
  const cells = await heatmap.locator('tbody tr').last().locator('th, td').allInnerTexts();
  // 40 customers with orders: 20 opened (odd numbers), so 50.0%; the unknown address has no order.
  assert.equal(cells[headers.findIndex((h) => h.startsWith('E-mail open rate'))], '50.0%');
  await shot('04b-sources-joined');
});

test('bad files get a clear message and lose nothing', async () => {
  const cases = [
    [{ name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) }, /empty\.csv is empty/],
    [
      { name: 'photo.csv', mimeType: 'text/csv', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]) },
      /photo\.csv is not a text file/,
    ],
    [
      { name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from('name,city\nAnne,Paris\nLuc,Lyon\n') },
      /contacts\.csv: no order date .*, no amount .* column was recognised\. Columns found: name, city/,
    ],
  ];
  for (const [file, message] of cases) {
    await page.getByTestId('file-input').setInputFiles(file);
    const banner = page.getByTestId('error');
    await banner.waitFor();
    assert.match(await banner.innerText(), message);
    // The previous workspace is still on screen...
    assert.equal(await page.getByTestId('source').innerText(), 'commandes-fr.csv');
  }
  await shot('05-bad-file');
  // ...and still stored.
  await page.reload();
  await page.getByTestId('source').waitFor();
  assert.equal(await page.getByTestId('source').innerText(), 'commandes-fr.csv');
});

/** A large order file, made here: `rows` rows, ~33 bytes each. */
function bigFile(rows) {
  const lines = ['customer_id,order_date,amount'];
  for (let i = 0; i < rows; i++) {
    const day = 1 + (i * 7) % 28;
    const month = 1 + (i * 13) % 12;
    lines.push(`C${(i * 7919) % 100000},2025-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')},${(i % 9000) / 100 + 1}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

test('a large file streams with a moving progress bar and can be cancelled', async () => {
  const buffer = bigFile(1_000_000);
  const seen = new Set();
  await page.getByTestId('file-input').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer });
  await page.getByTestId('progress').waitFor();
  // The page keeps rendering while the worker reads: the bar moves.
  for (let i = 0; i < 80 && seen.size < 2; i++) {
    const v = await page.getByTestId('progress').getAttribute('value').catch(() => null);
    if (v !== null) seen.add(v);
    await page.waitForTimeout(10);
  }
  // Cancel while chunks are still being read (it takes effect between chunks).
  await page.getByTestId('cancel-import').click();
  await page.getByTestId('source').waitFor();
  assert.ok(seen.size >= 2, `progress values seen: ${[...seen]}`);
  assert.equal(await page.getByTestId('source').innerText(), 'commandes-fr.csv');

  const start = Date.now();
  await page.getByTestId('file-input').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer });
  await page.getByTestId('progress').waitFor();
  await shot('06-progress');
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'big.csv', null, { timeout: 120_000 });
  const seconds = (Date.now() - start) / 1000;
  console.log(`imported and analysed ${(buffer.length / 1e6).toFixed(1)} MB (1,000,000 rows) in ${seconds.toFixed(2)} s, storage included`);
  const report = await page.getByTestId('import-report').innerText();
  assert.match(report, /1,000,000 rows accepted, 0 rejected/);
  await shot('07-big-file');

  // Reopened from IndexedDB: read, decoded and analysed again, predictions included.
  const reopen = Date.now();
  await page.reload();
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'big.csv'
    && document.querySelector('[data-testid=import-report]'), null, { timeout: 60_000 });
  console.log(`reopened the 1,000,000-order workspace in ${((Date.now() - reopen) / 1000).toFixed(2)} s (page load included)`);

  // The rule builder's count over 100,000 customers, against a count here.
  const spend = new Map();
  for (const line of buffer.toString().trim().split('\n').slice(1)) {
    const [c, , a] = line.split(',');
    spend.set(c, (spend.get(c) ?? 0) + Number(a));
  }
  const atLeast = (x) => [...spend.values()].filter((v) => v >= x).length;
  await go('segments', 'mine');
  await page.getByTestId('group-add').click();
  await page.getByTestId('cond-0-field').selectOption('m:spend');
  const timings = [];
  for (const x of [450.5, 600]) {
    await page.getByTestId('cond-0-value').fill(String(x));
    await page.getByTestId('cond-0-value').press('Tab');
    const n = atLeast(x).toLocaleString('en-US');
    await page.waitForFunction((n) => document.querySelector('[data-testid=rule-count]')?.textContent.startsWith(`${n} of 100,000`), n);
    timings.push((await page.getByTestId('rule-count').innerText()).match(/counted in (\d+) ms/)[1]);
  }
  console.log(`rule builder count over 100,000 customers: ${timings[0]} ms the first time, ${timings[1]} ms after`);
  await page.getByRole('button', { name: 'Clear' }).click();
});

test('the import report points at repeated rows and amounts far beyond the others', async () => {
  const lines = ['order_id,customer_id,order_date,amount'];
  for (let i = 0; i < 30; i++) lines.push(`O${i},c${i % 7},2024-01-${String(i % 28 + 1).padStart(2, '0')},${10 + i}`);
  lines.push('O0,c0,2024-01-01,10', 'O100,c1,2024-01-02,250000', 'O101,c2,2031-05-06,20');
  await page.getByTestId('file-input').setInputFiles({ name: 'quality.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'quality.csv');
  assert.match(await page.getByTestId('duplicate-rows').innerText(), /^1 row repeats an earlier row exactly \(line 32 = line 2\)/);
  assert.match(await page.getByTestId('extreme-amounts').innerText(), /^1 amount is far beyond the others \(250,000\.00\)/);
  assert.match(await page.getByTestId('future-rows').innerText(), /^1 order is dated after today \(line 34: 2031-05-06\)\. Kept/);
  await page.getByTestId('import-report').screenshot({ path: join(shots, '05b-quality.png') });
});

test('columns it cannot tell are chosen on a screen with the first rows as read, and remembered for files with the same columns', async () => {
  // A third of the amounts are "n/a": no column looks like amounts.
  const rows = ['Kunde,Datum,Betrag'];
  for (let i = 0; i < 9; i++) rows.push(`k${i % 4},2024-03-${String(i + 1).padStart(2, '0')},${i % 3 === 0 ? 'n/a' : (10 + i).toFixed(2)}`);
  const buffer = Buffer.from(rows.join('\n') + '\n');
  await page.getByTestId('file-input').setInputFiles({ name: 'kunden.csv', mimeType: 'text/csv', buffer });
  await page.getByTestId('column-choice').waitFor();
  assert.match(await page.getByTestId('error').innerText(), /kunden\.csv: no amount .* column was recognised/);
  await page.getByTestId('column-amount').selectOption({ label: 'Betrag' });
  await page.getByTestId('column-preview').waitFor();
  const first = await page.locator('[data-testid=column-preview] tbody tr').first().locator('td').allInnerTexts();
  assert.deepEqual(first.map((t) => t.trim()), ['k1', '2024-03-02', '11.00']);
  assert.match(await page.getByTestId('column-preview-rejected').innerText(), /Line 2: "n\/a" is not an amount/);
  await page.getByTestId('column-choice').screenshot({ path: join(shots, '05e-columns.png') });
  await page.getByTestId('import-with-columns').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'kunden.csv');
  assert.match(await page.getByTestId('import-report').innerText(), /kunden\.csv: 6 rows accepted, 3 rejected/);
  assert.equal(await page.getByTestId('column-choice').count(), 0);
  // The same columns again: read with the remembered choice, no screen.
  await page.getByTestId('file-input').setInputFiles({ name: 'kunden-2.csv', mimeType: 'text/csv', buffer });
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'kunden-2.csv');
  assert.equal(await page.getByTestId('column-choice').count(), 0);
  assert.match(await page.getByTestId('import-report').innerText(), /6 rows accepted, 3 rejected/);
});

test('JSON lines are read as a table, a line that is not an object rejected with its line number', async () => {
  const lines = [
    '{"order_id": "J1", "customer_id": "j1", "order_date": "2024-01-02", "amount": 40.5, "category": "Books"}',
    '{"customer_id": "j2", "amount": "12.25", "order_date": "2024-01-05", "order_id": "J2"}',
    'not json at all',
    '{"order_id": "J3", "customer_id": "j1", "order_date": "2024-02-01", "amount": 7}',
  ];
  await page.getByTestId('file-input').setInputFiles({ name: 'orders.jsonl', mimeType: 'application/json', buffer: Buffer.from(lines.join('\n') + '\n') });
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'orders.jsonl');
  const report = await page.getByTestId('import-report').innerText();
  assert.match(report, /orders\.jsonl: 3 rows accepted, 1 rejected/);
  assert.match(report, /UTF-8 · JSON lines · the objects' keys as columns/);
  const first = await page.locator('[data-testid=rejected-rows] tbody tr').first().locator('td').allInnerTexts();
  assert.equal(first[0].trim(), '3');
  assert.equal(first[2], 'the line is not JSON: it should be one object such as {"customer_id": "C1", …} and goes wrong at character 2');
  assert.match(await page.getByTestId('import-timing').innerText(), /^Read in .+, analysed in .+, saved on this device in .+, all in this browser/);
  await page.getByTestId('import-report').screenshot({ path: join(shots, '05c-json-lines.png') });
});

/** A workbook as Excel writes one, built here (not by the app): the
 * package's relationships, text in shared strings, numbers as numbers, one
 * sheet, deflated zip parts. */
function xlsxOf(rows) {
  const strings = [];
  const shared = (t) => (strings.includes(t) ? strings.indexOf(t) : strings.push(t) - 1);
  const col = (i) => String.fromCharCode(65 + i);
  const sheetRows = rows.map((cells, r) => `<row r="${r + 1}">${cells.map((v, c) => (typeof v === 'number'
    ? `<c r="${col(c)}${r + 1}"><v>${v}</v></c>`
    : `<c r="${col(c)}${r + 1}" t="s"><v>${shared(v)}</v></c>`)).join('')}</row>`).join('');
  const parts = {
    '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    'xl/workbook.xml': '<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Commandes" sheetId="1" r:id="rId1"/></sheets></workbook>',
    '_rels/.rels': '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    'xl/_rels/workbook.xml.rels': '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    'xl/worksheets/sheet1.xml': `<worksheet><sheetData>${sheetRows}</sheetData></worksheet>`,
    'xl/sharedStrings.xml': `<sst>${strings.map((t) => `<si><t>${t.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</t></si>`).join('')}</sst>`,
  };
  return zipOf(parts);
}

/** An OpenDocument spreadsheet (LibreOffice), numbers and ISO dates as typed cells, with the empty rows LibreOffice pads a sheet with. */
function odsOf(rows) {
  const cell = (v) => (typeof v === 'number'
    ? `<table:table-cell office:value-type="float" office:value="${v}"><text:p>${String(v).replace('.', ',')}</text:p></table:table-cell>`
    : /^\d{4}-\d{2}-\d{2}$/.test(v)
      ? `<table:table-cell office:value-type="date" office:date-value="${v}"><text:p>${v.split('-').reverse().join('/')}</text:p></table:table-cell>`
      : `<table:table-cell office:value-type="string"><text:p>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text:p></table:table-cell>`);
  const body = rows.map((cells) => `<table:table-row>${cells.map(cell).join('')}</table:table-row>`).join('');
  return zipOf({
    mimetype: 'application/vnd.oasis.opendocument.spreadsheet',
    'META-INF/manifest.xml': '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
    'content.xml': `<?xml version="1.0" encoding="UTF-8"?><office:document-content><office:body><office:spreadsheet><table:table table:name="Commandes">${body}<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>`,
  });
}

/** A zip archive of text parts, deflated. */
function zipOf(parts) {
  const { deflateRawSync, crc32 } = zlib;
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [name, text] of Object.entries(parts)) {
    const raw = Buffer.from(text);
    const packed = deflateRawSync(raw);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0); head.writeUInt16LE(20, 4); head.writeUInt16LE(8, 8);
    head.writeUInt32LE(crc32(raw), 14); head.writeUInt32LE(packed.length, 18); head.writeUInt32LE(raw.length, 22);
    head.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0); entry.writeUInt16LE(20, 4); entry.writeUInt16LE(20, 6); entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc32(raw), 16); entry.writeUInt32LE(packed.length, 20); entry.writeUInt32LE(raw.length, 24);
    entry.writeUInt16LE(name.length, 28); entry.writeUInt32LE(offset, 42);
    locals.push(head, Buffer.from(name), packed);
    central.push(entry, Buffer.from(name));
    offset += 30 + name.length + packed.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(Object.keys(parts).length, 8); end.writeUInt16LE(Object.keys(parts).length, 10);
  end.writeUInt32LE(dir.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

test('an Excel workbook is read from its first sheet, rejected rows numbered as Excel shows them', async () => {
  // 45292 is 2024-01-01 as Excel counts days.
  const book = xlsxOf([
    ['Client', 'Date de commande', 'Montant TTC', 'Rayon'],
    ['x1', 45292, 40.5, 'Livres'],
    ['x2', 45293, 12.25, 'Jardin'],
    ['x1', 45300, 'douze', 'Livres'],
    ['x3', 45301, 7, 'Livres & BD'],
  ]);
  await page.getByTestId('file-input').setInputFiles({ name: 'commandes.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: book });
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'commandes.xlsx');
  const report = await page.getByTestId('import-report').innerText();
  assert.match(report, /commandes\.xlsx: 3 rows accepted, 1 rejected, 0 refunds, 3 customers/);
  assert.match(report, /Excel workbook \(first sheet\) · header line/);
  const first = await page.locator('[data-testid=rejected-rows] tbody tr').first().locator('td').allInnerTexts();
  assert.deepEqual(first.map((t) => t.trim()), ['4', 'Montant TTC', '"douze" is not an amount']);
  await page.getByTestId('import-report').screenshot({ path: join(shots, '05d-excel.png') });
});

test('a LibreOffice spreadsheet (.ods) is read from its first sheet, dates and decimal numbers as typed', async () => {
  const sheet = odsOf([
    ['Client', 'Date de commande', 'Montant TTC'],
    ['y1', '2024-01-01', 40.5],
    ['y2', '2024-01-02', 12.25],
    ['y1', '2024-01-09', 'douze'],
    ['y3', '2024-01-10', 7],
  ]);
  await page.getByTestId('file-input').setInputFiles({ name: 'commandes.ods', mimeType: 'application/vnd.oasis.opendocument.spreadsheet', buffer: sheet });
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'commandes.ods');
  const report = await page.getByTestId('import-report').innerText();
  assert.match(report, /commandes\.ods: 3 rows accepted, 1 rejected, 0 refunds, 3 customers/);
  assert.match(report, /OpenDocument spreadsheet \(first sheet\) · header line/);
  // The typed dates, not the text the sheet shows (31/01/2024).
  assert.match(report, /dates yyyy-mm-dd/);
  const first = await page.locator('[data-testid=rejected-rows] tbody tr').first().locator('td').allInnerTexts();
  assert.deepEqual(first.map((t) => t.trim()), ['4', 'Montant TTC', '"douze" is not an amount']);
  await page.getByTestId('import-report').screenshot({ path: join(shots, '05f-ods.png') });
});

test('an old Excel workbook (.xls) whose orders are on its second sheet: the sheet is chosen on the columns screen', async () => {
  // Written by xlwt (tests/reference/make_xls_fixture.py): a notes sheet
  // "Lisez-moi" first, the orders on "Commandes".
  const file = join(root, 'tests', 'fixtures', 'ventes.xls');
  await page.getByTestId('file-input').setInputFiles({ name: 'ventes.xls', mimeType: 'application/vnd.ms-excel', buffer: readFileSync(file) });
  // The notes are no orders: the screen opens, offering the sheets.
  await page.getByTestId('column-choice').waitFor();
  assert.match(await page.getByTestId('error').innerText(), /ventes\.xls: no order date .* column was recognised/);
  const sheets = await page.locator('[data-testid=sheet-choice] option').allInnerTexts();
  assert.deepEqual(sheets, ['Lisez-moi', 'Commandes']);
  await page.getByTestId('sheet-choice').selectOption('Commandes');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=column-preview] tbody tr').length === 4);
  const first = await page.locator('[data-testid=column-preview] tbody tr').first().locator('td').allInnerTexts();
  assert.deepEqual(first.map((t) => t.trim()), ['Éloïse Müller', '2024-01-31', '40.35']);
  await page.getByTestId('column-choice').screenshot({ path: join(shots, '05g-xls-sheet.png') });
  await page.getByTestId('import-with-columns').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'ventes.xls');
  const report = await page.getByTestId('import-report').innerText();
  // What the command line reads from the same sheet.
  const inspect = JSON.parse(execFileSync(cli, ['inspect', file, '--sheet', 'Commandes', '--format', 'json'], { encoding: 'utf8' }));
  assert.equal(inspect.rows, 4);
  assert.match(report, new RegExp(`ventes\\.xls: ${inspect.rows} rows accepted, 0 rejected, ${inspect.refunds} refunds?, ${inspect.customers} customers`));
  assert.match(report, /Excel 97–2003 workbook \(\.xls\), sheet “Commandes” · header line/);
  assert.deepEqual(nonZero(await tableCounts()), nonZero(cliCountsOf(['rfm', '--orders', file, '--sheet', 'Commandes'])));
});

test('a file SegLens cannot recognise is read as survey answers once the user says what it holds and which column is which', async () => {
  // "Qui" and "Note sur 10" are no names SegLens knows: the file is taken
  // for orders, which it cannot be (no date), and the screen opens.
  const rows = ['Qui;Note sur 10;Commentaire', 'bob@example.com;9;très bien', 'Éloïse Müller;4;trop cher', 'carole@example.com;10;', 'bob@example.com;onze;?'];
  const buffer = Buffer.from(rows.join('\n') + '\n');
  await page.getByTestId('file-input').setInputFiles({ name: 'avis.csv', mimeType: 'text/csv', buffer });
  await page.getByTestId('column-choice').waitFor();
  await page.getByTestId('file-kind').selectOption('surveys');
  await page.getByTestId('source-column-customer_id').waitFor();
  await page.getByTestId('source-column-customer_id').selectOption({ label: 'Qui' });
  await page.getByTestId('source-column-nps').selectOption({ label: 'Note sur 10' });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=column-preview] tbody tr').length === 3);
  const head = await page.locator('[data-testid=column-preview] thead th').allInnerTexts();
  const first = await page.locator('[data-testid=column-preview] tbody tr').first().locator('td').allInnerTexts();
  const cell = (name) => first[head.findIndex((h) => h.startsWith(name))].trim();
  assert.equal(cell('Line'), '2');
  assert.equal(cell('Customer'), 'bob@example.com');
  assert.equal(cell('NPS'), '9');
  assert.match(await page.getByTestId('column-preview-rejected').innerText(), /Line 5, column Note sur 10: .*onze/);
  await page.getByTestId('column-choice').screenshot({ path: join(shots, '05h-source-columns.png') });
  await page.getByTestId('import-with-columns').click();
  await page.waitForFunction(() => /avis\.csv: 3 survey answers, 1 rejected, 1 customer without orders/.test(
    document.querySelector('[data-testid=import-report]')?.innerText ?? ''));
  // The orders stay the workbook's; the survey joined them.
  assert.equal(await page.getByTestId('source').innerText(), 'ventes.xls');
  // The same columns again: read with the remembered choice, no screen.
  await page.getByTestId('file-input').setInputFiles({ name: 'avis-2.csv', mimeType: 'text/csv', buffer });
  await page.waitForFunction(() => /avis-2\.csv: 3 survey answers/.test(document.querySelector('[data-testid=import-report]')?.innerText ?? ''));
  assert.equal(await page.getByTestId('column-choice').count(), 0);
  // A customers file with ages to check: kept, and pointed at by line.
  const customers = 'customer_id;age;ville\nbob@example.com;-3;Lyon\nÉloïse Müller;212;Paris\n';
  await page.getByTestId('file-input').setInputFiles({ name: 'clients.csv', mimeType: 'text/csv', buffer: Buffer.from(customers) });
  await page.getByTestId('source-suspicious').waitFor();
  const warn = await page.getByTestId('source-suspicious').innerText();
  assert.match(warn, /clients\.csv: 2 rows with a value to check \(line 2 \(age\): a negative age \(-3\); line 3 \(age\): an age of 212 is beyond any customer\)/);
  // The join: the survey's carole@example.com is not in the customers file.
  const report = await page.getByTestId('import-report').innerText();
  assert.match(report, /clients\.csv: 2 customers, 0 rejected, 0 customers without orders;/);
  assert.match(report, /avis-2\.csv: 3 survey answers, 1 rejected, 0 customers without orders, 1 customer not in the customers file;/);
  // Each source can be read again differently from the report.
  assert.ok(await page.getByTestId('change-source-columns').count() >= 2);
  await page.getByTestId('import-report').screenshot({ path: join(shots, '05i-sources-report.png') });
});

test('delete all my data removes every project and the cached app files, and stays deleted after a reload', async () => {
  assert.ok(await page.getByTestId('project-select').locator('option').count() >= 2);
  assert.ok((await page.evaluate(() => caches.keys())).some((k) => k.startsWith('seglens-')), 'the app files were cached');
  await projectMenu(page);
  await page.getByTestId('delete-all').click();
  await page.getByTestId('confirm-delete').click();
  await page.getByTestId('explore-demo').waitFor();
  assert.deepEqual((await page.evaluate(() => caches.keys())).filter((k) => k.startsWith('seglens-')), []);
  assert.equal(await page.getByTestId('projects').count(), 0, 'no project left');
  await page.reload();
  await page.getByTestId('explore-demo').waitFor();
  assert.equal(await page.getByTestId('projects').count(), 0);
});

test('the built page carries a Content-Security-Policy that nothing violated', async () => {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-[^"]*connect-src 'self'/);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
});

test('the page requested nothing outside its own origin', () => {
  const origin = new URL(base).origin;
  const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, []);
  assert.ok(requests.length > 5);
});
