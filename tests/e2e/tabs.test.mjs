// End to end: SegLens open in other tabs at other versions. An older tab
// that holds the saved projects open keeps this one from upgrading them:
// the page says what to do and goes on by itself once that tab is closed.
// A newer version opened in another tab upgrades them: this page lets it,
// says to reload, and saves nothing more. In English and in French.
// Runs alone: node --test tests/e2e/tabs.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { freshContext, shots, startSite } from './site.mjs';

let site, browser, base;

before(async () => {
  site = await startSite();
  ({ browser, base } = site);
});

after(async () => site?.close());

/** Opens the projects' database at `version` in `tab` and keeps it open,
 * as an older SegLens that lets no upgrade through would. */
const holdAt = (tab, version) => tab.evaluate((v) => new Promise((ok, no) => {
  const r = indexedDB.open('seglens', v);
  r.onupgradeneeded = () => { if (v === 1) r.result.createObjectStore('workspace'); };
  r.onsuccess = () => { globalThis.held = r.result; ok(r.result.version); };
  r.onblocked = () => no(new Error('blocked'));
  r.onerror = () => no(r.error);
}), version);

for (const [locale, older, newer] of [
  ['en-US', /also open in another tab with an older version, which keeps your saved projects locked\. Close or reload that tab/, /A newer version of SegLens opened in another tab .* reload it/],
  ['fr-FR', /aussi ouvert dans un autre onglet, dans une version plus ancienne/, /Une version plus récente de SegLens s'est ouverte dans un autre onglet .* rechargez-le/],
]) {
  test(`older and newer tabs (${locale})`, async () => {
    const context = await freshContext(browser, locale);
    const other = await context.newPage();
    await other.goto(`${base}favicon.svg`);
    assert.equal(await holdAt(other, 1), 1);

    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(base);
    const error = page.getByTestId('error');
    await error.waitFor();
    assert.match(await error.innerText(), older);
    await page.screenshot({ path: join(shots, `tabs-older-${locale}.png`) });

    // The older tab goes: the upgrade goes on, the message goes, and the
    // demo is analysed and kept.
    await other.evaluate(() => globalThis.held.close());
    await error.waitFor({ state: 'detached' });
    await page.getByTestId('explore-demo').click();
    await page.getByTestId('rfm-table').waitFor({ timeout: 60_000 });

    // A newer version opens the database at the next version: it is not
    // blocked, and this page says to reload.
    assert.equal(await holdAt(other, 3), 3);
    await error.waitFor();
    assert.match(await error.innerText(), newer);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, `tabs-newer-${locale}.png`) });
    await context.close();
  });
}
