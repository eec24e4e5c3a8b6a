// End to end: what the start screen fetches. The page alone: the engine
// worker comes with the first file or the demo, the workbook reader with
// the first workbook, the charts worker with the first chart downloaded. Its weight (gzip -9 of the wasm and JavaScript the
// page fetched, as a static host compresses them) stays under 1 MB.
// Runs alone: node --test tests/e2e/first_load.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dist, pageFetching, shots, startSite } from './site.mjs';

let site, browser, base;

before(async () => {
  site = await startSite();
  ({ browser, base } = site);
});

after(async () => site?.close());

/** The files under the site's path that `fetched` names, once each. */
const files = (fetched) => [...new Set(fetched.map((p) => p.replace(/^\/seglens\//, '')))].filter((f) => f.length > 0);

test('the start screen fetches the page alone, under 1 MB; the engine comes with the demo', async () => {
  const { page, fetched } = await pageFetching(browser, base, 'en-US');
  await page.getByTestId('explore-demo').waitFor();
  await page.waitForLoadState('networkidle');

  const start = files(fetched);
  const code = start.filter((f) => /\.(wasm|js)$/.test(f) && f !== 'sw.js');
  assert.deepEqual(code.filter((f) => /^(worker|workbook|charts)[-_.]/.test(f)), [], JSON.stringify(code));
  assert.ok(code.some((f) => f.endsWith('.wasm')), JSON.stringify(code));
  const gzip = code.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0);
  console.log(`the start screen fetched ${code.join(', ')}: ${gzip} bytes gzip -9`);
  assert.ok(gzip < 1024 * 1024, `the start screen weighs ${gzip} bytes gzip`);

  // The demo starts the engine: its worker is fetched then, and the demo
  // is analysed.
  await page.getByTestId('explore-demo').click();
  await page.getByTestId('rfm-table').waitFor({ timeout: 60_000 });
  const later = files(fetched);
  assert.ok(later.includes('worker_loader.js'), JSON.stringify(later));
  assert.ok(later.some((f) => /^worker[-_].*\.wasm$/.test(f)), JSON.stringify(later));
  assert.deepEqual(later.filter((f) => /^workbook[-_.]/.test(f)), [], 'the demo fetched the workbook reader');
  assert.deepEqual(later.filter((f) => /^charts[-_.]/.test(f)), [], 'the demo fetched the charts worker');
  await page.screenshot({ path: join(shots, 'first-load-demo-en.png') });
  await page.context().close();
});
