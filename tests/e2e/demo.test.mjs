// End to end, runnable alone: the demo, analysed and kept: its RFM segments and chart as the command
// line computes them, the predictions and their thresholds, the RFM editor,
// reloads, offline use, where the data is, and the project as one file.
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
const s = story({ demo: false }, (ready) => ({ page, context, base } = ready));
const { shot, record, said, go, tableCounts, untilTable } = s;

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

endChecks(s);
