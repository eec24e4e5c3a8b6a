// Measures the release build in headless Chromium beside DuckDB-WASM in the
// same browser, on the same order file, and prints the figures as JSON.
//   node browser.mjs ORDERS.csv SEGLENS_BINARY [RUNS]
// The release build must be in ../../dist (built with --public-url /seglens/).
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launch, newContext } from '../e2e/browser.mjs';
import { serve } from '../e2e/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', '..', 'dist');
const [orders, seglens, runsArg = '3'] = process.argv.slice(2);
const runs = Number(runsArg);
const name = basename(orders);

/** The resident memory of every Chromium process, summed, in bytes. */
function chromiumMemory() {
  return new Promise((resolve) => {
    execFile('ps', ['-eo', 'rss=,comm='], (err, out) => {
      if (err) return resolve(0);
      let kb = 0;
      for (const line of out.split('\n')) {
        const [rss, comm] = line.trim().split(/\s+/, 2);
        if (comm && comm.startsWith('chrom')) kb += Number(rss);
      }
      resolve(kb * 1024);
    });
  });
}

/** Runs `work` while sampling the browser's memory; returns its result
 * and the peak growth over the memory before it. */
async function withPeakMemory(work) {
  const before = await chromiumMemory();
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await chromiumMemory());
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await work();
  sampling = false;
  await sampler;
  peak = Math.max(peak, await chromiumMemory());
  return { result, peak_growth_bytes: peak - before };
}

const best = (xs) => Math.min(...xs);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const app = await serve(dist, '/seglens/');
const bench = await serve(here, '/bench/');
const appUrl = `http://127.0.0.1:${app.address().port}/seglens/`;
const benchUrl = `http://127.0.0.1:${bench.address().port}/bench/duckdb.html`;
const browser = await launch();
const out = { file: name, bytes: statSync(orders).size, seglens: [], duckdb: [], interactive_ms: [] };

try {
  // Time to interactive: a fresh context (nothing cached) until the start
  // screen's first button can be used.
  for (let i = 0; i < 5; i++) {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(appUrl);
    await page.getByTestId('explore-demo').waitFor();
    out.interactive_ms.push(await page.evaluate(() => performance.now()));
    await context.close();
  }

  for (let i = 0; i < runs; i++) {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(appUrl);
    await page.getByTestId('explore-demo').waitFor();
    const { result, peak_growth_bytes } = await withPeakMemory(async () => {
      const start = Date.now();
      await page.getByTestId('file-input').setInputFiles(orders);
      await page.waitForFunction((n) => document.querySelector('[data-testid=source]')?.textContent === n
        && document.querySelector('[data-testid=import-timing]'), name, { timeout: 600_000 });
      return { total_ms: Date.now() - start };
    });
    const timing = page.getByTestId('import-timing');
    const attr = async (a) => Number(await timing.getAttribute(a));
    const rows = (await page.getByTestId('import-report').innerText()).match(/([\d,]+) rows accepted/)[1];
    const worker = {
      read_ms: await attr('data-read-ms'),
      analyse_ms: await attr('data-analyse-ms'),
      save_ms: await attr('data-save-ms'),
      engine_memory_bytes: await attr('data-memory-bytes'),
    };
    const reopen = Date.now();
    await page.reload();
    await page.waitForFunction((n) => document.querySelector('[data-testid=source]')?.textContent === n
      && document.querySelector('[data-testid=rfm-table]'), name, { timeout: 120_000 });
    out.seglens.push({
      ...result,
      ...worker,
      reopen_ms: Date.now() - reopen,
      rows: Number(rows.replaceAll(',', '')),
      peak_growth_bytes,
    });
    await context.close();
  }

  const sql = execFileSync(seglens, ['sql', '--orders', orders, '--table', 'orders_csv'], { encoding: 'utf8' });
  for (let i = 0; i < runs; i++) {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(benchUrl);
    await page.waitForFunction(() => window.ready === true);
    await page.locator('#file').setInputFiles(orders);
    const { result, peak_growth_bytes } = await withPeakMemory(() => page.evaluate((q) => window.runDuckdb(q), sql));
    out.duckdb.push({ ...result, peak_growth_bytes });
    await context.close();
  }

  // What the start screen fetches: the page alone. The engine worker comes
  // with the first file or the demo, the workbook worker with the first
  // workbook (first_load.test.mjs and workbooks.test.mjs check it), so
  // they are counted apart.
  const sizes = { wasm: 0, js: 0, wasm_raw: 0, on_demand: {} };
  for (const f of readdirSync(dist)) {
    const bytes = readFileSync(join(dist, f));
    if (!(f.endsWith('.wasm') || f.endsWith('.js')) || f === 'sw.js') continue;
    if (/^(worker|workbook)[-_.]/.test(f)) {
      sizes.on_demand[f] = gzipSync(bytes, { level: 9 }).length;
    } else if (f.endsWith('.wasm')) {
      sizes.wasm += gzipSync(bytes, { level: 9 }).length;
      sizes.wasm_raw += bytes.length;
    } else {
      sizes.js += gzipSync(bytes, { level: 9 }).length;
    }
  }
  out.bundle_gzip_bytes = sizes;
  out.chromium = browser.version();
  out.summary = {
    seglens_read_ms: best(out.seglens.map((r) => r.read_ms)),
    seglens_analyse_ms: best(out.seglens.map((r) => r.analyse_ms)),
    seglens_total_ms: best(out.seglens.map((r) => r.total_ms)),
    duckdb_import_ms: best(out.duckdb.map((r) => r.import_ms)),
    duckdb_rfm_ms: best(out.duckdb.map((r) => r.rfm_ms)),
    interactive_ms_median: median(out.interactive_ms),
  };
} finally {
  await browser.close();
  app.close();
  bench.close();
}
console.log(JSON.stringify(out, null, 2));
