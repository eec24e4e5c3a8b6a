// End to end, runnable alone: building segments on the demo: a rule in a few clicks (saved, listed,
// exported, as SQL), lifecycle stages, clusters and one-click splits, each
// checked against the command line or a count here.
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

endChecks(s);
