// End-to-end: a file saved by Excel on Windows whose first accent comes
// after the first chunk the page sends (4 MB) is read again as
// Windows-1252, never with "�". Runs alone in a fresh browser context.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from './site.mjs';

let site, browser, base;

before(async () => {
  site = await startSite();
  ({ browser, base } = site);
});

after(async () => site?.close());

test('a Windows-1252 file whose accents come late is read as Windows-1252, detected, not chosen', async () => {
  const lines = ['client;date;montant;rayon'];
  for (let i = 0, length = 0; length < 5_000_000; i++) {
    const line = `c${i % 997};2024-01-${String(1 + (i % 28)).padStart(2, '0')};12,50;Livres`;
    lines.push(line);
    length += line.length + 1;
  }
  const ascii = Buffer.from(lines.join('\n') + '\n', 'latin1');
  // É and é in Windows-1252: 0xC9 and 0xE9.
  const late = Buffer.from([...Buffer.from('dupont;2024-02-01;99,00;'), 0xc9, ...Buffer.from('lectrom'), 0xe9, ...Buffer.from('nager\n')]);
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => localStorage.setItem('seglens.tour-seen', '1'));
  const page = await context.newPage();
  await page.goto(base);
  await page.getByTestId('file-input').setInputFiles({ name: 'ventes-excel.csv', mimeType: 'text/csv', buffer: Buffer.concat([ascii, late]) });
  await page.waitForFunction(() => document.querySelector('[data-testid=source]')?.textContent === 'ventes-excel.csv', null, { timeout: 60_000 });
  const report = await page.getByTestId('import-report').innerText();
  assert.match(report, /^Windows-1252 · séparateur ;/m);
  assert.doesNotMatch(report, /choisi/);
  assert.doesNotMatch(await page.locator('body').innerText(), /\uFFFD/);
  // The late row is there: its customer is counted.
  assert.match(report, /998 clients/);
  await context.close();
});
