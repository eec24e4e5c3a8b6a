// End to end, runnable alone: comparing the demo's segments: every KPI in one heatmap as an independent
// count finds it, two segments side by side, goals, split suggestions,
// suggested actions and the history of snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import zlib from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectMenu, settingsMenu, shots } from './site.mjs';
import { cli, cliCounts, cliCountsOf, cliMembers, demoNoConsent, nonZero, root } from './counts.mjs';
import { cliOnDemo, demoDir, endChecks, num, rowsOf, story } from './story.mjs';

let page, context, base;
const s = story({ demo: true }, (ready) => ({ page, context, base } = ready));
const { shot, record, said, go, tableCounts, untilTable } = s;

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
  // The Lorenz curve downloads as a picture drawn by charts-rs: the curve
  // in the first colour, the equal split in the second, named.
  const lorenz = page.getByTestId('downloads-revenue-concentration');
  const [lorenzSvg] = await Promise.all([page.waitForEvent('download'), lorenz.getByRole('button', { name: 'SVG' }).click()]);
  const lorenzText = readFileSync(await lorenzSvg.path(), 'utf8');
  assert.match(lorenzText, /<title>How concentrated is revenue\?<\/title>/);
  assert.match(lorenzText, /<path[^>]*fill="none" stroke="#2166AC"/);
  assert.match(lorenzText, /<path[^>]*fill="none" stroke="#E08214"/);
  assert.match(lorenzText, />\s*If every customer spent the same\s*</);
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

  // The plays follow what each segment's customers did, never its name:
  // from `seglens rfm`, lapsed means a median recency at least 1.5 times
  // everyone's (and 60 days); lapsed with more orders or spend per
  // customer than everyone is a win-back, else a reactivation; not
  // lapsed, 60% or more one-time buyers away for 30 days or more get the
  // second-order nudge.
  const rfmFile = join(demoDir, 'rfm-plays.csv');
  writeFileSync(rfmFile, execFileSync(cli, ['rfm', '--orders', join(demoDir, 'orders.csv')], { encoding: 'utf8' }));
  const rfm = rowsOf(rfmFile);
  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const everyone = median(rfm.map((r) => Number(r.recency_days)));
  const [allOrders, allSpend] = [mean(rfm.map((r) => Number(r.frequency))), mean(rfm.map((r) => Number(r.monetary)))];
  const expected = (segment) => {
    const rows = rfm.filter((r) => r.segment === segment);
    const days = median(rows.map((r) => Number(r.recency_days)));
    const lapsed = days >= Math.max(1.5 * everyone, 60);
    if (lapsed) {
      const more = mean(rows.map((r) => Number(r.frequency))) >= allOrders || mean(rows.map((r) => Number(r.monetary))) >= allSpend;
      return more ? 'win_back' : 'reactivation';
    }
    const once = rows.filter((r) => r.frequency === '1').length / rows.length;
    return once >= 0.6 && days >= 30 ? 'second_order' : null;
  };
  const labels = await page.getByTestId('suggest-segment').locator('option').allInnerTexts();
  for (const segment of ['At Risk', 'Lost', 'Promising', 'About To Sleep']) {
    const want = expected(segment);
    assert.ok(want, segment);
    await page.getByTestId('suggest-segment').selectOption({ label: labels.find((l) => l.startsWith(`${segment} (`)) });
    await page.waitForFunction((play) => [...document.querySelectorAll('[data-testid=suggestion]')].some((e) => e.dataset.play === play), want);
    const plays = await page.getByTestId('suggestion').evaluateAll((list) => list.map((e) => e.dataset.play));
    assert.ok(plays.includes(want), `${segment}: ${plays} (expected ${want})`);
  }
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

endChecks(s);
