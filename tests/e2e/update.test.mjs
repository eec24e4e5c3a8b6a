// End-to-end: a project that lives with the business. A marketer imports
// January–March, saves two segments, sets a goal with a period and writes a
// note; a month later, updates the project with January–April: all of it is
// still there, "Since the last update" opens first, and who entered and left
// each RFM segment equals pandas's count on the two exports. Exports that do
// not fit ask first and change nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { go, projectMenu, settingsMenu, shots, startOnDemoFiles, real } from './site.mjs';
import { cli, root } from './counts.mjs';

const dir = join(root, 'target', 'e2e-update');
const python = join(root, '.venv', 'bin', 'python');
let site, context, page;

/** The demo's orders from `from` to `to` (ISO days, inclusive), as an
 * export of the shop covering those months. */
function exportOf(name, from, to) {
  const [header, ...lines] = readFileSync(join(dir, 'demo', 'orders.csv'), 'utf8').trim().split('\n');
  const kept = lines.filter((l) => {
    const day = l.split(',')[2];
    return day >= from && day <= to;
  });
  const path = join(dir, name);
  writeFileSync(path, [header, ...kept].join('\n') + '\n');
  return path;
}

/** The moves pandas finds between two exports: {segments: {name: {entered, left}}, new_customers}. */
function reference(oldPath, newPath) {
  const out = execFileSync(python, [join(root, 'tests', 'reference', 'update_reference.py'), '--moves', oldPath, newPath],
    { encoding: 'utf8', cwd: join(root, 'tests', 'reference'), maxBuffer: 1 << 26 });
  return JSON.parse(out);
}

const num = (text) => Number(text.replace(/[^\d]/g, ''));

/** Customers of an export whose second order falls from `from` to `to`. */
function secondOrders(path, from, to) {
  const days = new Map();
  const [, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  for (const line of lines) {
    const [, customer, day, amount] = line.split(',');
    if (Number(amount) < 0) continue;
    if (!days.has(customer)) days.set(customer, []);
    days.get(customer).push(day);
  }
  return [...days.values()].filter((d) => d.length >= 2).map((d) => d.sort()[1]).filter((d) => d >= from && d <= to).length;
}

before(async () => {
  ({ site, context, page } = await startOnDemoFiles(dir, cli));
});

after(async () => site?.close());

let januaryToMarch, januaryToApril;

test('a project set up on January–March keeps its segments, goal and note when updated with January–April', async () => {
  januaryToMarch = exportOf('orders-2025-01-to-03.csv', '2025-01-01', '2025-03-31');
  januaryToApril = exportOf('orders-2025-01-to-04.csv', '2025-01-01', '2025-04-30');
  await page.getByTestId('file-input').setInputFiles(januaryToMarch);
  await page.getByTestId('rejected-banner').or(page.getByTestId('nav-overview')).first().waitFor();

  // Two saved segments, from the lifecycle stages.
  await go(page, 'segments', 'lifecycle');
  await page.getByTestId('save-stage-Repeat').click();
  await page.getByTestId('save-stage-AtRisk').click();
  await go(page, 'segments', 'mine');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=saved-segment]').length === 2);
  const savedBefore = await page.getByTestId('saved-segment').allInnerTexts();

  // A goal with a period: 600 customers place a second order from 1 March
  // by 15 May.
  await go(page, 'overview');
  await page.getByTestId('goal-kpi').selectOption('second_orders_in_period');
  await page.getByTestId('goal-since').fill('2025-03-01');
  await page.getByTestId('goal-since').dispatchEvent('change');
  await page.getByTestId('goal-target').fill('600');
  await page.getByTestId('goal-target').dispatchEvent('change');
  await page.getByTestId('goal-deadline').fill('2025-05-15');
  await page.getByTestId('goal-deadline').dispatchEvent('change');
  await page.getByTestId('add-goal').click();
  await page.getByTestId('goal').first().waitFor();
  const goalBefore = (await page.getByTestId('goal').first().innerText()).replace(/\s+/g, ' ');
  assert.match(goalBefore, /from 2025-03-01 by 2025-05-15/);
  assert.match(goalBefore, /44 days left/, goalBefore);
  // Its pace: the straight path from 0 on 1 March to 600 on 15 May expects
  // 600 × 30 / 75 = 240 by 31 March.
  const paceBefore = await page.getByTestId('goal-pace').innerText();
  const reachedBefore = secondOrders(januaryToMarch, '2025-03-01', '2025-03-31');
  assert.match(paceBefore, new RegExp(`^${reachedBefore >= 240 ? 'On track' : 'Behind the path'}: ${reachedBefore} on 2025-03-31, .* 240 `), paceBefore);

  // A note.
  await go(page, 'act', 'export');
  await page.getByTestId('note-about').selectOption('Champions');
  await page.getByTestId('note-text').fill('Spring mailing sent on 2 April');
  await page.getByTestId('note-add').click();
  await page.getByTestId('note').first().waitFor();

  // A month later: Project › Update with new exports.
  await projectMenu(page);
  await page.getByTestId('update-input').setInputFiles(januaryToApril);
  await page.getByTestId('since-update').waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#/', 'the update opens on the Overview');
  // "Since the last update" comes first on the page.
  const first = await page.locator('main section.card').first().getAttribute('data-testid');
  assert.equal(first, 'since-update');
  const summary = await page.getByTestId('since-summary').innerText();
  const rows = (path) => readFileSync(path, 'utf8').trim().split('\n').length - 1;
  assert.match(summary, new RegExp(`its ${rows(januaryToApril).toLocaleString('en-US')} order rows replace the project's ${rows(januaryToMarch).toLocaleString('en-US')}`), summary);
  assert.match(summary, /Orders now run from 2025-01-0\d to 2025-04-30; the analysis date moved from 2025-04-01 to 2025-05-01/, summary);

  // The KPIs that moved with the update, from the snapshot before it to
  // its own: the first of History's notable changes, the base's growth
  // among them when it is (10% is notable).
  const items = await page.getByTestId('since-kpis').locator('li').allInnerTexts();
  const history = await page.getByTestId('changes').locator('li').allInnerTexts();
  assert.ok(items.length > 0 && items.length <= 6, items.join('\n'));
  assert.deepEqual(items, history.slice(0, items.length));
  // The base's repeat-purchase rate (customers with two orders or more),
  // counted here from each file, moved by more than 5 points.
  const repeaters = (path) => {
    const orders = new Map();
    for (const line of readFileSync(path, 'utf8').trim().split('\n').slice(1)) {
      const [, customer, , amount] = line.split(',');
      if (Number(amount) >= 0) orders.set(customer, (orders.get(customer) ?? 0) + 1);
    }
    return [[...orders.values()].filter((n) => n >= 2).length, orders.size];
  };
  const [[k1, n1], [k2, n2]] = [repeaters(januaryToMarch), repeaters(januaryToApril)];
  const [before, after] = [k1 / n1, k2 / n2];
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  assert.ok(after - before > 0.05, `${pct(before)} → ${pct(after)}`);
  // Whether chance could move it so far: the pooled two-proportion z
  // statistic, worked here; past 3.29 the p-value is under 0.001.
  const pooled = (k1 + k2) / (n1 + n2);
  const z = (after - before) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  assert.ok(z > 3.2905, `z = ${z}`);
  const base = history.find((line) => line.startsWith('Repeat-purchase rate of All customers'));
  assert.equal(base, `Repeat-purchase rate of All customers up ${(100 * (after - before)).toFixed(1)} points (${pct(before)} → ${pct(after)}): unlikely to be chance (p < 0.001)`);
  // Who entered and who left each RFM segment: as pandas counts them.
  const want = reference(januaryToMarch, januaryToApril);
  for (const [name, { entered, left }] of Object.entries(want.segments)) {
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
    const row = page.getByTestId(`since-row-rfm-${slug}`);
    if (entered.length + left.length === 0 && !(await row.count())) continue;
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual([num(cells[2]), num(cells[3])], [entered.length, left.length], name);
  }
  assert.equal(num(await page.getByTestId('since-new-customers').innerText()), want.new_customers.length);
  // A list downloads as the customers themselves.
  const champions = want.segments.Champions;
  assert.ok(champions.entered.length > 0);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('since-entered-rfm-champions').click()]);
  const listed = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
  assert.equal(listed[0], 'customer_id');
  assert.deepEqual(listed.slice(1).sort(), champions.entered);
  await page.getByTestId('since-update').screenshot({ path: join(shots, 'update-since-en.png') });

  // Everything the marketer made is still there; the goal moved.
  const goalAfter = (await page.getByTestId('goal').first().innerText()).replace(/\s+/g, ' ');
  assert.equal(await page.getByTestId('goal').count(), 1);
  assert.notEqual(goalAfter, goalBefore);
  assert.match(goalAfter, /14 days left/, goalAfter);
  const progress = (text) => Number(text.match(/now ([\d,]+)/)[1].replace(/,/g, ''));
  assert.ok(progress(goalAfter) > progress(goalBefore), `${goalBefore} → ${goalAfter}`);
  // By 30 April the path expects 600 × 60 / 75 = 480.
  const reachedAfter = secondOrders(januaryToApril, '2025-03-01', '2025-04-30');
  assert.equal(progress(goalAfter), reachedAfter);
  // "Since the last update" says how far it moved: from the count up to
  // 31 March to the count up to 30 April, both read in the new export.
  const sinceGoal = (await page.getByTestId('since-goal').innerText()).replace(/\s+/g, ' ');
  const upToMarch = secondOrders(januaryToApril, '2025-03-01', '2025-03-31');
  assert.ok(upToMarch < reachedAfter, `${upToMarch} → ${reachedAfter}`);
  assert.match(sinceGoal, new RegExp(`^Customers .* from 2025-03-01 by 2025-05-15 · ${upToMarch} → ${reachedAfter} since the last update · ${reachedAfter >= 480 ? 'On track' : 'Behind the path'}: ${reachedAfter} on 2025-04-30, .* · 14 days left$`), sinceGoal);
  const paceAfter = await page.getByTestId('goal-pace').innerText();
  assert.match(paceAfter, new RegExp(`^${reachedAfter >= 480 ? 'On track' : 'Behind the path'}: ${reachedAfter} on 2025-04-30, .* 480 `), paceAfter);
  await page.getByTestId('goal-pace').click();
  await page.getByTestId('goals').screenshot({ path: join(shots, 'update-goal-en.png') });
  // The stages' "after" is what the lifecycle card shows now.
  const sinceStages = {};
  for (const row of await page.locator('[data-testid^=since-row-stage-]').all()) {
    const slug = (await row.getAttribute('data-testid')).replace('since-row-stage-', '');
    sinceStages[slug] = num((await row.locator('td').allInnerTexts())[1].split(/\s/)[0]);
  }
  await go(page, 'segments', 'lifecycle');
  for (const tr of await page.locator('[data-testid=lifecycle-table] tbody tr').all()) {
    const name = (await tr.locator('th').first().innerText()).trim();
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
    assert.equal(sinceStages[slug] ?? 0, num(await tr.locator('td.num').first().innerText()), name);
  }
  await go(page, 'segments', 'mine');
  assert.equal(await page.getByTestId('saved-segment').count(), 2);
  assert.notDeepEqual(await page.getByTestId('saved-segment').allInnerTexts(), savedBefore, 'the saved segments are measured on the new data');
  await go(page, 'act', 'export');
  assert.match(await page.getByTestId('note').first().innerText(), /Spring mailing sent on 2 April/);
  // The KPIs' history has the update as a point of its own.
  await go(page, 'overview');
  assert.match(await page.getByTestId('history').innerText(), /on update/);

  // Kept across a reload.
  await page.reload();
  await page.getByTestId('since-update').waitFor();
  assert.equal(await page.getByTestId('since-summary').innerText(), summary);
});

test('an export that does not fit asks first, and keeping the project changes nothing', async () => {
  const summary = await page.getByTestId('since-summary').innerText();
  // The older export again.
  await projectMenu(page);
  await page.getByTestId('update-input').setInputFiles(januaryToMarch);
  await page.getByTestId('update-question').waitFor();
  assert.match(await page.getByTestId('update-question').innerText(), /This export ends on 2025-03-31, before this project's orders do \(2025-04-30\)/);
  await page.getByTestId('update-keep').click();
  await page.getByTestId('update-question').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('since-summary').innerText(), summary);
  // Another shop's export.
  await projectMenu(page);
  await page.getByTestId('update-input').setInputFiles(join(real, 'shopify_orders_activewear_usd.csv'));
  await page.getByTestId('update-question').waitFor();
  assert.match(await page.getByTestId('update-question').innerText(), /None of the [\d,]+ customers in this file has an order in this project/);
  await page.getByTestId('update-question').screenshot({ path: join(shots, 'update-question-en.png') });
  await page.getByTestId('update-keep').click();
  assert.equal(await page.getByTestId('since-summary').innerText(), summary);
});

test('segment sizes month by month: the RFM segments at each month end as seglens history counts them, the stages as the lifecycle card does', async () => {
  await go(page, 'journeys', 'sizes');
  await page.getByTestId('sizes-chart').waitFor();
  const read = async () => {
    const table = page.getByTestId('sizes-table');
    const head = (await table.locator('thead th').allInnerTexts()).slice(1);
    const rows = {};
    for (const tr of await table.locator('tbody tr').all()) {
      const month = (await tr.locator('th').innerText()).trim();
      const cells = (await tr.locator('td').allInnerTexts()).map(num);
      rows[month] = Object.fromEntries(head.map((h, i) => [h, cells[i]]));
    }
    return rows;
  };
  await page.locator('#sizes details summary').click();
  const shown = await read();
  const csv = execFileSync(cli, ['history', '--orders', januaryToApril], { encoding: 'utf8' }).trim().split('\n').slice(1);
  const want = {};
  for (const line of csv) {
    const [end, segment, customers] = line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    const month = end.slice(0, 7);
    want[month] ??= {};
    if (Number(customers) > 0 || segment.replace(/"/g, '') in (shown[month] ?? {})) want[month][segment.replace(/"/g, '')] = Number(customers);
  }
  assert.deepEqual(Object.keys(shown).sort(), ['2025-01', '2025-02', '2025-03', '2025-04']);
  for (const [month, segments] of Object.entries(want)) {
    for (const [segment, customers] of Object.entries(segments)) {
      assert.equal(shown[month][segment] ?? 0, customers, `${month} ${segment}`);
    }
  }
  // The lifecycle stages at the last month end are the lifecycle card's
  // (the analysis date is the day after it).
  await page.getByTestId('sizes-kind-lifecycle').click();
  const stages = (await read())['2025-04'];
  await page.screenshot({ path: join(shots, 'update-sizes-en.png'), fullPage: true });
  await go(page, 'segments', 'lifecycle');
  const card = {};
  for (const tr of await page.locator('[data-testid=lifecycle-table] tbody tr').all()) {
    const name = (await tr.locator('th').first().innerText()).trim();
    card[name] = num((await tr.locator('td.num').first().innerText()));
  }
  for (const [stage, customers] of Object.entries(stages)) assert.equal(customers, card[stage], stage);
  // A segment's page follows it month by month.
  await page.goto(`${site.base}#/segment/Champions`);
  await page.getByTestId('segment-sizes').locator('svg').waitFor();
  await page.getByTestId('segment-sizes').locator('summary').click();
  const last = await page.getByTestId('segment-sizes-table').locator('tbody tr').first().locator('td').allInnerTexts();
  assert.equal(num(last[0]), shown['2025-04'].Champions);
});

test('in French', async () => {
  await go(page, 'overview');
  await settingsMenu(page);
  await page.getByTestId('language-fr').click();
  await page.getByTestId('since-update').waitFor();
  assert.match(await page.locator('#since-title').innerText(), /Depuis la dernière mise à jour/);
  assert.match(await page.getByTestId('since-summary').innerText(), /lignes de commande remplacent/);
  // A user's segment keeps its name; the built-in ones are in French.
  assert.ok(await page.getByTestId('since-row-rfm-champions').count());
  await page.getByTestId('since-update').screenshot({ path: join(shots, 'update-since-fr.png') });
  await page.screenshot({ path: join(shots, 'update-overview-fr.png'), fullPage: true });
  await go(page, 'journeys', 'sizes');
  await page.getByTestId('sizes-chart').waitFor();
  assert.match(await page.getByTestId('sizes').innerText(), /Taille des segments mois par mois/);
  await page.getByTestId('sizes').screenshot({ path: join(shots, 'update-sizes-fr.png') });
  await settingsMenu(page);
  await page.getByTestId('language-en').click();
});

test('an export whose columns need choosing opens the columns screen, and imported from it updates the project', async () => {
  // January–May from another tool: its customer and amount columns under
  // names SegLens does not know, a third of its amounts "n/a", so that no
  // column looks like amounts.
  const [header, ...lines] = readFileSync(exportOf('orders-2025-01-to-05.csv', '2025-01-01', '2025-05-31'), 'utf8').trim().split('\n');
  const renamed = join(dir, 'orders-2025-01-to-05-renamed.csv');
  const blanked = lines.map((line, i) => {
    const cells = line.split(',');
    if (i % 3 === 0) cells[3] = 'n/a';
    return cells.join(',');
  });
  writeFileSync(renamed, [header.replace('customer_id', 'ref_x').replace('amount', 'v1'), ...blanked].join('\n') + '\n');
  await go(page, 'overview');
  await projectMenu(page);
  await page.getByTestId('update-input').setInputFiles(renamed);
  await page.getByTestId('column-choice').waitFor();
  assert.match(await page.getByTestId('column-choice').innerText(), /it updates the project in use/);
  await page.getByTestId('column-customer_id').selectOption({ label: 'ref_x' });
  await page.getByTestId('column-amount').selectOption({ label: 'v1' });
  await page.getByTestId('column-preview').waitFor();
  await page.getByTestId('import-with-columns').click();
  // Updated, not replaced: the analysis date moved a month on, the rows
  // with an amount replace the project's, and what the marketer made is
  // still there.
  await page.getByTestId('since-summary').filter({ hasText: /the analysis date moved from 2025-05-01 to 2025-06-01/ }).waitFor();
  const withAmount = blanked.filter((line) => !line.includes(',n/a,')).length;
  assert.match(await page.getByTestId('since-summary').innerText(), new RegExp(`its ${withAmount.toLocaleString('en-US')} order rows replace`));
  assert.equal(await page.getByTestId('since-goal').count(), 1);
  await go(page, 'segments', 'mine');
  assert.equal(await page.getByTestId('saved-segment').count(), 2);
  await go(page, 'act', 'export');
  assert.match(await page.getByTestId('note').first().innerText(), /Spring mailing sent on 2 April/);
});

test('several order files dropped at once make one project: the later months update the first', async () => {
  const early = exportOf('orders-2025-01-to-02.csv', '2025-01-01', '2025-02-28');
  const late = exportOf('orders-2025-03-to-04.csv', '2025-03-01', '2025-04-30');
  const rows = (path) => readFileSync(path, 'utf8').trim().split('\n').length - 1;
  // Given in any order, they are read by name: January–February first.
  await page.getByTestId('file-input').setInputFiles([late, early]);
  await page.getByTestId('since-summary').filter({ hasText: /the analysis date moved from 2025-03-01 to 2025-05-01/ }).waitFor();
  const summary = await page.getByTestId('since-summary').innerText();
  assert.match(summary, new RegExp(`^orders-2025-03-to-04\\.csv, .*: ${rows(late).toLocaleString('en-US')} new order rows added \\(0 were already in the project; 0 no longer in the export were removed\\)\\. Orders now run from 2025-01-0\\d to 2025-04-30`), summary);
  // One project holding both files' rows.
  assert.match(await page.locator('section.toolbar p.muted').first().innerText(), new RegExp(`^${(rows(early) + rows(late)).toLocaleString('en-US')} order rows`));
});
