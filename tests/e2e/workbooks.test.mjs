// End-to-end: workbooks are read by a worker of their own, fetched only
// when a workbook is dropped, so the start screen does not carry a
// workbook reader. Runs alone: node --test tests/e2e/workbooks.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pageFetching, real, shots, startSite } from './site.mjs';
import { execFileSync } from 'node:child_process';
import { cli, cliCounts, nonZero, root, tableCountsOn } from './counts.mjs';

let site, browser, base;

before(async () => {
  site = await startSite();
  ({ browser, base } = site);
});

after(async () => site?.close());

/** A fresh page in `locale` and the list of what it has fetched. */
async function freshPage(locale) {
  const { page, fetched } = await pageFetching(browser, base, locale);
  await page.getByTestId('file-input').waitFor({ state: 'attached' });
  return { page, fetched };
}

const workbookFiles = (fetched) => fetched.filter((p) => /\/workbook[-_.]/.test(p));

test('the workbook reader is fetched when a workbook is dropped, not before', async () => {
  const { page, fetched } = await freshPage('en-US');
  await page.waitForLoadState('networkidle');
  assert.deepEqual(workbookFiles(fetched), [], 'the start screen fetched the workbook reader');
  // A CSV file does not need it either.
  await page.getByTestId('file-input').setInputFiles(join(root, 'tests', 'fixtures', 'commandes-fr.csv'));
  await page.getByTestId('import-report').waitFor();
  assert.deepEqual(workbookFiles(fetched), []);

  // The UCI workbook: the reader comes, and the page counts what the
  // command line counts.
  const name = 'uci_online_retail_head.xlsx';
  await page.getByTestId('file-input').setInputFiles(join(real, name));
  await page.waitForFunction((n) => document.querySelector('[data-testid=source]')?.textContent === n, name);
  await page.getByTestId('import-report').waitFor();
  const loaded = workbookFiles(fetched);
  assert.ok(loaded.some((p) => p.endsWith('.wasm')), JSON.stringify(loaded));
  assert.ok(loaded.some((p) => p.endsWith('workbook_loader.js')), JSON.stringify(loaded));
  assert.deepEqual(nonZero(await tableCountsOn(page)), cliCounts(join(real, name)));
  const report = await page.getByTestId('import-report').innerText();
  const facts = JSON.parse(execFileSync(cli, ['inspect', join(real, name), '--format', 'json'], { encoding: 'utf8' }));
  assert.match(report, /Excel workbook \(first sheet\)/);
  assert.match(report, new RegExp(`uci_online_retail_head\\.xlsx: ${facts.orders} orders accepted, ${facts.rejected_total} rejected`));
  await page.getByTestId('import-report').screenshot({ path: join(shots, 'workbook-uci-en.png') });
});

test('a damaged workbook is refused naming the file, and the analysis on screen stays', async () => {
  const { page } = await freshPage('en-US');
  const name = 'uci_online_retail_head.xlsx';
  await page.getByTestId('file-input').setInputFiles(join(real, name));
  await page.waitForFunction((n) => document.querySelector('[data-testid=source]')?.textContent === n, name);
  await page.getByTestId('import-report').waitFor();
  const before = nonZero(await tableCountsOn(page));

  const book = readFileSync(join(real, name));
  await page.getByTestId('file-input').setInputFiles({
    name: 'cut-short.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: book.subarray(0, book.length - 100),
  });
  await page.getByTestId('error').waitFor();
  assert.match(
    await page.getByTestId('error').innerText(),
    /cut-short\.xlsx could not be read as an Excel workbook: it is not a complete zip archive \(its end is missing\)/,
  );
  assert.equal(await page.getByTestId('source').innerText(), name);
  assert.deepEqual(nonZero(await tableCountsOn(page)), before);
  await page.getByTestId('error').screenshot({ path: join(shots, 'workbook-damaged-en.png') });
});
