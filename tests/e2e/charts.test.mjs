// End to end, runnable alone: the charts a marketer downloads and the
// report's, drawn by charts-rs in the charts worker, which is fetched
// with the first of them and not before; in English and in French.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newContext } from './browser.mjs';
import { settingsMenu, shots } from './site.mjs';
import { cliCounts } from './counts.mjs';
import { demoDir, endChecks, story } from './story.mjs';

let page, browser;
/** What the page and its workers asked for (the service worker, which
 * fetches every file to keep the app offline, left out). */
const asked = [];
const s = story({ demo: true }, (ready) => {
  ({ page, browser } = ready);
  ready.context.on('request', (r) => { if (!r.serviceWorker()) asked.push(new URL(r.url()).pathname); });
});
const { go } = s;

/** The charts worker's files the page has fetched so far. */
const chartsFetched = () => asked.filter((p) => /\/charts[-_.][^/]*$/.test(p));
/** The texts of an SVG's `<text>` elements. */
const texts = (svg) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].trim());
/** A PNG's width and height, from its header. */
const pngSize = (bytes) => [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
/** What clicking `button` downloads. */
async function download(button) {
  const [d] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return readFileSync(await d.path());
}
/** The SVGs kept for a look, side by side in one picture. */
async function look(svgs, name) {
  const file = join(shots, `${name}.html`);
  writeFileSync(file, `<!DOCTYPE html><body style="margin:0;background:#e8ebef">${svgs.map((x) => `<div style="display:inline-block;margin:6px;vertical-align:top">${x}</div>`).join('')}</body>`);
  const other = await newContext(browser);
  const viewer = await other.newPage();
  await viewer.setViewportSize({ width: 1580, height: 900 });
  await viewer.goto(`file://${file}`);
  await viewer.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await other.close();
}

const kept = [];

test('the segment chart downloads as charts-rs draws it, its shares those of the command line; the charts worker comes then', async () => {
  await go('segments', 'rfm');
  await page.locator('[data-testid=rfm-chart] svg').waitFor();
  assert.deepEqual(chartsFetched(), [], 'no chart drawn yet');
  const downloads = page.getByTestId('downloads-rfm-segments');
  await downloads.scrollIntoViewIfNeeded();
  const svg = (await download(downloads.getByRole('button', { name: 'SVG' }))).toString('utf8');
  assert.ok(svg.startsWith('<svg'), svg.slice(0, 80));
  assert.match(svg, /font-family="Roboto, Helvetica, Arial, sans-serif"/);
  assert.match(svg, /<title>Share of customers and of revenue by segment<\/title>/);
  // Each segment's share of the customers, counted by the command line,
  // written with one decimal (trailing zeros dropped) on its bar.
  const counts = Object.entries(cliCounts(join(demoDir, 'orders.csv'))).filter(([, n]) => n > 0);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  const labels = texts(svg);
  for (const [segment, n] of counts) {
    assert.ok(labels.includes(segment), `${segment} in ${labels}`);
    const share = `${Number((100 * n / total).toFixed(1))}%`;
    assert.ok(labels.includes(share), `${segment}: ${share} in ${labels}`);
  }
  const fetched = chartsFetched();
  assert.ok(fetched.some((p) => p.endsWith('charts_loader.js')), JSON.stringify(fetched));
  assert.ok(fetched.some((p) => p.endsWith('.wasm')), JSON.stringify(fetched));
  // As a picture: twice charts-rs's 760 pixels wide.
  const png = await download(downloads.getByRole('button', { name: 'PNG' }));
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.equal(pngSize(png)[0], 1520);
  kept.push(svg);
});

test('the KPI heatmap and the segment profiles download as pictures: each segment against all customers', async () => {
  await go('compare');
  const table = page.getByTestId('downloads-kpis');
  await table.waitFor();
  const kpis = (await download(table.getByRole('button', { name: 'CSV (figures)' }))).toString('utf8').replace(/^\uFEFF/, '').trim().split('\n');
  const head = kpis[0].split(',');
  const row = (name) => kpis.find((l) => l.startsWith(`${name},`)).split(',');
  const aov = head.indexOf('aov');
  const ratio = Number(row('Champions')[aov]) / Number(row('All customers')[aov]);
  assert.ok(ratio > 1, `Champions spend more per order: ${ratio}`);

  const heatmap = page.getByTestId('downloads-kpi-heatmap');
  assert.match(await heatmap.innerText(), /^The heatmap as a picture:/);
  const svg = (await download(heatmap.getByRole('button', { name: 'SVG' }))).toString('utf8');
  assert.match(svg, /<title>KPIs by segment against all customers<\/title>/);
  const labels = texts(svg);
  assert.ok(labels.includes('Index: 100 = all customers, 200 = twice as much, 50 = half'), JSON.stringify(labels));
  assert.ok(labels.includes(String(Math.round(100 * ratio))), `${Math.round(100 * ratio)} in ${labels}`);
  // Its figures: one line per segment, one column per KPI, the ratios.
  const figures = (await download(heatmap.getByRole('button', { name: 'CSV (figures)' }))).toString('utf8').replace(/^\uFEFF/, '').trim().split('\n');
  const champions = figures.find((l) => l.startsWith('Champions,')).split(',');
  assert.ok(champions.some((cell) => Math.abs(Number(cell) - ratio) < 1e-9), figures.join('\n'));
  const columns = figures[0].split(',');
  assert.equal(columns[0], 'segment');
  assert.ok(!columns.includes('Customers') && !columns.includes('Revenue'), 'sums have no index');

  const radar = page.getByTestId('downloads-segment-profiles');
  const radarSvg = (await download(radar.getByRole('button', { name: 'SVG' }))).toString('utf8');
  assert.match(radarSvg, /<title>Segment profiles: each KPI against all customers<\/title>/);
  assert.ok(texts(radarSvg).includes('Champions'));
  const png = await download(radar.getByRole('button', { name: 'PNG' }));
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  kept.push(svg, radarSvg);
  await look(kept, 'charts-downloads-en');
});

test('the report in French: its charts drawn by charts-rs, numbers written the French way', async () => {
  await settingsMenu(page);
  await page.getByTestId('language-fr').click();
  await go('act', 'export');
  const html = (await download(page.getByTestId('download-report'))).toString('utf8');
  const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
  assert.equal(svgs.length, 4, 'shares, donut, heatmap, radar');
  assert.match(svgs[0], /<title>Part des clients et du chiffre d'affaires par segment<\/title>/);
  assert.match(svgs[1], /<title>Clients par segment<\/title>/);
  // The donut's slices: each segment's share of the customers, as the
  // command line counts them, in French (comma, no-break space before %).
  const counts = Object.entries(cliCounts(join(demoDir, 'orders.csv'))).filter(([, n]) => n > 0);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  const slices = texts(svgs[1]).filter((t) => t.includes(': '));
  assert.equal(slices.length, counts.length, JSON.stringify(slices));
  const largest = counts.sort((a, b) => b[1] - a[1])[0];
  const share = String(Number((100 * largest[1] / total).toFixed(1))).replace('.', ',');
  assert.ok(slices.some((t) => t.endsWith(`: ${share}\u00a0%`)), `${share} in ${JSON.stringify(slices)}`);
  assert.ok(!texts(svgs[0]).some((t) => /^\d+\.\d+%$/.test(t)), 'no English decimals');
  assert.match(svgs[2], /Indice : 100 = l(&apos;|&#39;|')ensemble des clients, 200 = deux fois plus/);

  const file = join(shots, 'charts-report-fr.html');
  writeFileSync(file, html);
  const other = await newContext(browser);
  const viewer = await other.newPage();
  const fetched = [];
  viewer.on('request', (r) => fetched.push(r.url()));
  await viewer.goto(`file://${file}`);
  await viewer.locator('h1').waitFor();
  await viewer.screenshot({ path: join(shots, 'charts-report-fr.png'), fullPage: true });
  await other.close();
  assert.deepEqual(fetched.filter((u) => !u.startsWith('file://')), [], 'the report fetches nothing');
  await settingsMenu(page);
  await page.getByTestId('language-en').click();
});

endChecks(s);
