// End to end, runnable alone: sharing the demo's results: notes and the offline report, members in a
// tool's columns, and a second tab on the same project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import zlib from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newContext } from './browser.mjs';
import { projectMenu, settingsMenu, shots } from './site.mjs';
import { cli, cliCounts, cliCountsOf, cliMembers, demoNoConsent, nonZero, root } from './counts.mjs';
import { cliOnDemo, demoDir, endChecks, num, rowsOf, story } from './story.mjs';

let page, context, base, browser;
const s = story({ demo: true }, (ready) => ({ page, context, base, browser } = ready));
const { shot, record, said, go, tableCounts, untilTable } = s;

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

endChecks(s);
