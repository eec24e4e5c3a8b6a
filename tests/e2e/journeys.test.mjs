// End to end, runnable alone: the demo's journeys: funnels, cross-sell, cohorts and migration, activity,
// which segment uses what, paths and the stage mix, as the command line
// and counts here find them.
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

test('cross-sell: what the same customers buy, as the command line finds it, for all buyers or one segment', async () => {
  await go('act', 'ideas');
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

endChecks(s);
