// End-to-end: the workbench's pages, each at its own address, as a
// marketer moves between them (links, back, forward, reload, a shared
// link), a segment's own page, and the banner for rejected rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { go, projectMenu, shots, startSite } from './site.mjs';
import { cli, cliMembers, demoNoConsent, root, tableCountsOn } from './counts.mjs';

let site, context, page;

before(async () => {
  site = await startSite();
  ({ context, page } = await demoIn('en-US'));
});

after(async () => site?.close());

/** A fresh context at 1366×860 in `locale`, the tour seen, on the demo's
 * Overview: `{ context, page }`. */
async function demoIn(locale) {
  const context = await site.browser.newContext({ locale, timezoneId: 'Europe/Paris', viewport: { width: 1366, height: 860 } });
  await context.addInitScript(() => localStorage.setItem('seglens.tour-seen', '1'));
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error (${locale}):`, e.message));
  await page.goto(site.base);
  await page.getByTestId('explore-demo').click();
  await page.getByTestId('rfm-table').waitFor();
  return { context, page };
}

const PAGES = [['overview'], ['data'], ['segments', 'rfm'], ['segments', 'lifecycle'], ['segments', 'mine'],
  ['segments', 'clusters'], ['compare', 'kpis'], ['compare', 'two'], ['compare', 'whole'], ['journeys', 'funnel'], ['journeys', 'paths'],
  ['journeys', 'cohorts'], ['journeys', 'moves'], ['journeys', 'sizes'], ['journeys', 'activity'], ['predict'], ['act', 'ideas'], ['act', 'results'], ['act', 'export']];

/** What is drawn once a page has filled in (the cards computed on demand). */
const READY = { overview: 'rfm-table', 'compare/whole': 'separation-overlap', 'journeys/moves': 'migration-table', 'compare/kpis': 'kpi-heatmap', 'journeys/cohorts': 'cohort-table', 'journeys/sizes': 'sizes-chart', 'act/ideas': 'cross-sell-table', 'act/results': 'campaign-summary', predict: 'predictions' };

test('every page has its own address and fits in about three screens (2,600 px at 1366×860)', async () => {
  const heights = {};
  const addresses = new Set();
  for (const [name, section] of PAGES) {
    const screen = section ? `${name}/${section}` : name;
    await go(page, name, section);
    if (READY[screen]) await page.getByTestId(READY[screen]).waitFor();
    await page.waitForTimeout(150);
    addresses.add(await page.evaluate(() => location.hash));
    heights[screen] = await page.evaluate(() => document.documentElement.scrollHeight);
    // The link to the page says it is the current one.
    assert.equal(await page.getByTestId(`nav-${name}`).getAttribute('aria-current'), 'page', screen);
  }
  console.log('page heights (px):', JSON.stringify(heights));
  assert.equal(addresses.size, PAGES.length, [...addresses].join(' '));
  const tall = Object.entries(heights).filter(([, h]) => h > 2600);
  assert.deepEqual(tall, [], 'pages taller than 2,600 px');
  // The navigation is made of links a keyboard reaches.
  const links = await page.locator('nav.pages a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['#/', '#/data', '#/segments/rfm', '#/compare/kpis', '#/journeys/funnel', '#/predict', '#/act/ideas']);
});

test('back, forward, reload and a shared link bring the same page back', async () => {
  await go(page, 'journeys', 'paths');
  await page.getByTestId('paths').waitFor();
  await go(page, 'predict');
  await page.getByTestId('predictions').waitFor();
  await page.goBack();
  await page.getByTestId('paths').waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#/journeys/paths');
  await page.goForward();
  await page.getByTestId('predictions').waitFor();
  await page.reload();
  await page.getByTestId('predictions').waitFor();
  assert.equal(await page.getByTestId('nav-predict').getAttribute('aria-current'), 'page');
  // A link shared within this browser (another tab) opens that page.
  const other = await context.newPage();
  await other.goto(`${site.base}#/compare/two`);
  await other.getByTestId('compare-two').waitFor();
  await other.close();
});

test("a segment's page: reached from the table and the picker, its size as the table counts it, its KPIs against all customers, its export", async () => {
  const counts = await tableCountsOn(page);
  await go(page, 'overview');
  await page.locator('[data-testid=rfm-table] tbody th a', { hasText: /^At Risk$/ }).click();
  await page.getByTestId('segment-page').waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#/segment/At%20Risk');
  assert.equal(await page.getByTestId('segment-title').innerText(), 'At Risk');
  assert.match(await page.getByTestId('segment-definition').innerText(), /^Recency score \d–\d, frequency \d–\d, monetary \d–\d/);
  const size = await page.getByTestId('segment-size').innerText();
  assert.match(size, new RegExp(`^${counts['At Risk'].toLocaleString('en-US')} customers \\(`));
  // Its KPIs beside all customers', each with its formula on hover.
  const kpis = page.getByTestId('segment-kpis');
  const first = kpis.locator('tbody tr').first();
  assert.match(await first.locator('td').first().getAttribute('title'), /= /);
  assert.equal(await kpis.locator('tbody tr').count() > 5, true);
  await page.screenshot({ path: join(shots, 'page-segment-en.png'), fullPage: true });
  // Exported in one click: as many rows as the table counts, but for the
  // customers who did not agree to marketing, counted and said.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('segment-export').click()]);
  const lines = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const demo = join(root, 'target', 'e2e-pages-demo');
  execFileSync(cli, ['demo', '--out', demo]);
  const noConsent = demoNoConsent(demo);
  const atRisk = cliMembers(join(demo, 'orders.csv'), 'At Risk');
  assert.equal(atRisk.length, counts['At Risk']);
  const refused = atRisk.filter((id) => noConsent.has(id)).length;
  assert.ok(refused > 0, 'the demo has At Risk customers who did not agree');
  assert.equal(lines.length - 1, counts['At Risk'] - refused);
  assert.match(await page.getByTestId('export-without-consent').innerText(), new RegExp(`^${refused} customers left out: did not agree to marketing or unsubscribed`));
  // The picker in the header leads to any segment; reload keeps it.
  await page.getByTestId('segment-picker').selectOption('Champions');
  await page.getByTestId('segment-title').filter({ hasText: /^Champions$/ }).waitFor();
  await page.reload();
  await page.getByTestId('segment-title').filter({ hasText: /^Champions$/ }).waitFor();
});

test('rejected rows: a banner on every page until the Data page has shown them', async () => {
  await projectMenu(page);
  await page.getByTestId('file-input').setInputFiles(join(root, 'tests', 'fixtures', 'commandes-fr.csv'));
  // What was read opens first; the banner is not needed there.
  await page.getByTestId('import-report').waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#/data');
  assert.equal(await page.getByTestId('rejected-banner').count(), 0);
  await go(page, 'compare', 'kpis');
  assert.equal(await page.getByTestId('rejected-banner').count(), 0, 'looked at already');
  // Opened again later (a reload), on another page: the banner until
  // the Data page is seen.
  await page.reload();
  await page.getByTestId('kpi-heatmap').waitFor();
  const banner = page.getByTestId('rejected-banner');
  await banner.waitFor();
  assert.match(await banner.innerText(), /2 rows of commandes-fr\.csv were set aside when it was read\./);
  await go(page, 'predict');
  await banner.waitFor();
  await page.screenshot({ path: join(shots, 'page-banner-en.png') });
  await banner.getByRole('link').click();
  await page.getByTestId('rejected-rows').waitFor();
  await go(page, 'overview');
  assert.equal(await banner.count(), 0);
});

test('in French, every page named in French, a screenshot of each', async () => {
  const { context: fr, page: p } = await demoIn('fr-FR');
  const names = await p.locator('nav.pages a').allInnerTexts();
  assert.deepEqual(names, ["Vue d'ensemble", 'Données', 'Segments', 'Comparer', 'Parcours', 'Prédire', 'Agir et partager']);
  for (const [name, section] of PAGES) {
    const screen = section ? `${name}-${section}` : name;
    await go(p, name, section);
    if (READY[screen.replace('-', '/')]) await p.getByTestId(READY[screen.replace('-', '/')]).waitFor();
    await p.screenshot({ path: join(shots, `page-${screen}-fr.png`), fullPage: true });
  }
  await p.getByTestId('segment-picker').selectOption('At Risk');
  await p.getByTestId('segment-title').filter({ hasText: /^À risque$/ }).waitFor();
  assert.match(await p.getByTestId('segment-size').innerText(), /clients \(/);
  // The count of who is selected names the segment as the title does.
  await p.getByTestId('segment-selected').filter({ hasText: /^\d+ clients sélectionnés \(À risque\)$/ }).waitFor();
  await p.screenshot({ path: join(shots, 'page-segment-fr.png'), fullPage: true });
  await fr.close();
});

test('a first-time task in at most six clicks from the Overview: the At Risk customers who live in Lyon, exported for Mailchimp', async () => {
  const { context: ctx, page: p } = await demoIn('en-US');
  let clicks = 0;
  const click = (locator) => { clicks += 1; return locator.click(); };
  const choose = (locator, option) => { clicks += 1; return locator.selectOption(option); };
  await click(p.locator('[data-testid=rfm-table] tbody th a', { hasText: /^At Risk$/ }));
  await choose(p.getByTestId('narrow-by-column'), 'city');
  await choose(p.getByTestId('narrow-by-value'), 'Lyon');
  await p.getByTestId('segment-selected').filter({ hasText: 'At Risk — city = Lyon' }).waitFor();
  await choose(p.getByTestId('segment-page-export-layout'), { label: 'Mailchimp' });
  const [download] = await Promise.all([p.waitForEvent('download'), click(p.getByTestId('segment-export'))]);
  assert.ok(clicks <= 6, `${clicks} clicks`);
  await p.screenshot({ path: join(shots, 'page-task-at-risk-lyon-en.png'), fullPage: true });
  // The same customers, found here: the command line's RFM segments of
  // the demo orders, joined by pandas to the customers file's city.
  const dir = join(root, 'target', 'e2e-pages-demo');
  execFileSync(cli, ['demo', '--out', dir]);
  const rfm = join(dir, 'rfm.csv');
  execFileSync('sh', ['-c', `"${cli}" rfm --orders "${join(dir, 'orders.csv')}" > "${rfm}"`]);
  const python = join(root, '.venv', 'bin', 'python');
  const expected = execFileSync(python, ['-c', [
    'import pandas as pd, sys',
    `r = pd.read_csv("${rfm}", dtype=str)`,
    `c = pd.read_csv("${join(dir, 'customers.csv')}", dtype=str)`,
    `e = pd.read_csv("${join(dir, 'email.csv')}", dtype=str)`,
    'm = r[r.segment == "At Risk"].merge(c, on="customer_id")',
    'm = m[m.city.str.strip().str.lower() == "lyon"]',
    '# Those who said no to the newsletter or unsubscribed are left out.',
    'ok = m[(m.newsletter.str.strip().str.lower() != "no") & ~m.customer_id.isin(e[e.unsubscribed == "1"].customer_id)]',
    'print(len(m))',
    'print("\\n".join(sorted(ok.email)))',
  ].join('\n')], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  const lyon = Number(expected.shift());
  assert.ok(expected.length > 0, 'the demo has At Risk customers in Lyon');
  const lines = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  assert.equal(lines[0], 'Email Address,First Name,Last Name,Last Category,Tags');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]).sort(), expected);
  assert.match(await p.getByTestId('segment-selected').innerText(), new RegExp(`^${lyon} customers? selected`));
  if (lyon > expected.length) {
    assert.match(await p.getByTestId('export-without-consent').innerText(), new RegExp(`^${lyon - expected.length} customers? left out`));
  }
  // The same customers as a Google Ads Customer Match list: each address
  // trimmed, lower-cased (Gmail's dots dropped) and hashed with SHA-256 as
  // Node's crypto does it; no readable address in the file.
  await p.getByTestId('segment-page-export-layout').selectOption({ label: 'Google Ads Customer Match (hashed e-mails)' });
  assert.match(await p.getByTestId('segment-page-export-hashed').innerText(), /hashed with SHA-256 here, in your browser/);
  const [audience] = await Promise.all([p.waitForEvent('download'), p.getByTestId('segment-export').click()]);
  const hashed = readFileSync(await audience.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const google = (email) => {
    const [local, domain] = email.trim().toLowerCase().split('@');
    return ['gmail.com', 'googlemail.com'].includes(domain) ? `${local.replaceAll('.', '')}@${domain}` : `${local}@${domain}`;
  };
  assert.equal(hashed[0], 'Email');
  assert.deepEqual(hashed.slice(1).sort(), [...new Set(expected.map((e) => createHash('sha256').update(google(e)).digest('hex')))].sort());
  await p.getByTestId('segment-page-export-layout').selectOption({ label: 'Mailchimp' });
  // Kept as a segment of its own in one more click.
  await p.getByTestId('segment-save-narrowed').click();
  await go(p, 'segments', 'mine');
  await p.getByTestId('saved-segment').filter({ hasText: 'At Risk — city = Lyon' }).waitFor();
  await ctx.close();
});

test('the segments as a whole: a verdict from the silhouette, the share of each measure between segments, the overlap, as the command line measures them', async () => {
  const { context: ctx, page } = await demoIn('en-US');
  await go(page, 'compare', 'whole');
  const overlap = page.getByTestId('separation-overlap');
  await overlap.waitFor();
  const dir = join(root, 'target', 'e2e-pages-demo');
  execFileSync(cli, ['demo', '--out', dir]);
  const want = JSON.parse(execFileSync(cli, ['separation', '--orders', join(dir, 'orders.csv'), '--format', 'json'], { encoding: 'utf8' }));
  const verdict = await page.getByTestId('separation-verdict').innerText();
  const words = { Distinct: /^Clearly apart/, Blurred: /^Apart, with blurred edges/, Overlapping: /^Their borders overlap/ };
  assert.match(verdict, words[want.verdict]);
  assert.match(verdict, new RegExp(`silhouette ${want.silhouette.toFixed(2)}\\)`));
  for (const s of want.spreads) {
    const line = await page.locator(`[data-testid=separation-spreads] li[data-measure=${s.measure}]`).innerText();
    assert.match(line, new RegExp(`: ${(100 * s.between).toFixed(1)}% of its variation`), line);
  }
  // The diagonal: each segment's size, as the segment table counts it.
  const counts = await tableCountsOn(page);
  const rows = await overlap.locator('tbody tr').all();
  for (const [i, row] of rows.entries()) {
    const name = (await row.locator('th').innerText()).trim();
    assert.equal(Number((await row.locator('td').nth(i).innerText()).replace(/,/g, '')), counts[name], name);
  }
  await page.screenshot({ path: join(shots, 'page-compare-whole-en.png'), fullPage: true });
  await ctx.close();
});
