// The release build served under /seglens/ and a headless Chromium, for a
// test file that opens its own fresh browser contexts.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from './server.mjs';
import { launch } from './browser.mjs';
import { root } from './counts.mjs';

export const dist = process.env.SEGLENS_DIST ?? join(root, 'dist');

/** Serves the site and launches the browser: `{ base, browser, close }`. */
export async function startSite() {
  const server = await serve(dist);
  const browser = await launch();
  return {
    base: `http://127.0.0.1:${server.address().port}/seglens/`,
    browser,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}

/** Where the end-to-end tests leave their screenshots. */
export const shots = join(root, 'tests', 'e2e', 'screenshots');
mkdirSync(shots, { recursive: true });

/** The real platform exports. */
export const real = join(root, 'tests', 'fixtures', 'real');

/** A fresh browser context in `locale` (Paris time, 1280×900), the tour
 * already seen. */
export async function freshContext(browser, locale) {
  const context = await browser.newContext({ locale, timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => localStorage.setItem('seglens.tour-seen', '1'));
  return context;
}

/** A fresh page in `locale` at `base`, and the paths it has fetched so far
 * (a live list). The service worker, which would fetch every file to keep
 * the app offline, is kept out: the list is what the page asks for. */
export async function pageFetching(browser, base, locale) {
  const context = await freshContext(browser, locale);
  await context.route('**/sw.js', (route) => route.abort());
  const page = await context.newPage();
  const fetched = [];
  context.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(base);
  return { page, fetched };
}

/** Opens a page of the workbench (and one of its sections) from the
 * navigation, as a user would. */
export async function go(page, name, section) {
  await page.getByTestId(`nav-${name}`).click();
  if (section) await page.getByTestId(`section-${section}`).click();
  await page.waitForFunction((want) => location.hash.startsWith(want), `#/${name === 'overview' ? '' : name}`);
}

/** Unfolds the project menu (import, save, open, demo, delete). */
export async function projectMenu(page) {
  const menu = page.getByTestId('project-menu');
  if (!(await menu.evaluate((d) => d.open))) await menu.locator('summary').click();
}

/** Unfolds the settings menu (language, colours, where the data is). */
export async function settingsMenu(page) {
  const menu = page.getByTestId('settings-menu');
  if (!(await menu.evaluate((d) => d.open))) await menu.locator('summary').click();
}

/** Starts writing down what the element `testid` of `page` says, each
 * time it changes. */
export async function record(page, testid) {
  await page.evaluate((id) => {
    window.__said ??= {};
    if (window.__said[id]) return window.__said[id].splice(0);
    window.__said[id] = [];
    new MutationObserver(() => {
      const text = document.querySelector(`[data-testid=${id}]`)?.innerText.trim();
      const said = window.__said[id];
      if (text && said.at(-1) !== text) said.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, testid);
}

/** What the element `testid` of `page` said since `record` or the last call. */
export const said = (page, testid) => page.evaluate((id) => window.__said[id].splice(0), testid);

/** Imports the demo's `files` (in `dir`/demo) one after the other, as a
 * user drops them: the first opens the project, each next one is added to
 * it. */
export async function importDemoFiles(page, dir, files) {
  for (const [i, name] of files.entries()) {
    await page.getByTestId('file-input').setInputFiles(join(dir, 'demo', name));
    if (i === 0) await page.getByTestId('nav-overview').waitFor();
    else await page.waitForFunction((n) => document.querySelectorAll('[data-testid=source-report]').length >= n, i);
  }
}

/** A site, an en-US context and its page opened on the start screen,
 * with the demo's files written by `seglens demo` into `dir`/demo, for the
 * test files that import exports cut from them. */
export async function startOnDemoFiles(dir, cli) {
  mkdirSync(dir, { recursive: true });
  execFileSync(cli, ['demo', '--out', join(dir, 'demo')]);
  const site = await startSite();
  const context = await freshContext(site.browser, 'en-US');
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(site.base);
  return { site, context, page };
}
