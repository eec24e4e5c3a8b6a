// One story in one page, for a test file that runs alone: the release
// build served under /seglens/, a fresh browser context (the tour already
// seen, every request and Content-Security-Policy violation recorded), and
// the demo opened first when the story starts from it. A file ends with
// `endChecks`, which checks what its own story requested and violated.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, root, tableCountsOn } from './counts.mjs';
import { dist, freshContext, go as goOn, record as recordOn, said as saidOn, shots, startSite } from './site.mjs';

/** The demo business's files, as `seglens demo` writes them. */
export const demoDir = join(root, 'target', 'e2e-demo');

/** Registers the story's set-up and tear-down; its `page`, `context`,
 * `base` and `requests` are there once the file's first test runs, and
 * handed to `ready` as soon as they are (a test file's second `before`
 * could run before this one has finished). */
export function story({ demo = false } = {}, ready = () => {}) {
  const s = { requests: [] };
  before(async () => {
    s.site = await startSite();
    s.base = s.site.base;
    s.browser = s.site.browser;
    // The tour already seen: it has its own test, and would stand over the page.
    s.context = await freshContext(s.browser, 'en-US');
    s.context.on('request', (r) => s.requests.push(r.url()));
    await s.context.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    s.page = await s.context.newPage();
    s.page.on('pageerror', (e) => console.error('page error:', e.message));
    if (demo) {
      execFileSync(cli, ['demo', '--out', demoDir]);
      await s.page.goto(s.base);
      await s.page.getByTestId('explore-demo').click();
      await s.page.getByTestId('rfm-table').waitFor();
    }
    ready(s);
  });
  after(async () => {
    await s.site?.close();
  });
  /** A full-page screenshot under tests/e2e/screenshots. */
  s.shot = (name) => s.page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  /** Starts writing down what the element `testid` says, each time it changes. */
  s.record = (testid, on = s.page) => recordOn(on, testid);
  /** What the element `testid` said since `record` or the last call. */
  s.said = (testid, on = s.page) => saidOn(on, testid);
  /** Opens a page of the workbench (and a section of it) from the navigation. */
  s.go = (name, section, on = s.page) => goOn(on, name, section);
  /** The segment table as {segment: customers}. */
  s.tableCounts = () => tableCountsOn(s.page);
  /** Opens the Overview and waits until the segment table has (or no longer
   * has) a row named `name`. */
  s.untilTable = async (name, present = true) => {
    await s.go('overview');
    await s.page.waitForFunction(([n, want]) => {
      const table = document.querySelector('[data-testid=rfm-table]');
      return table && [...table.querySelectorAll('tbody th')].some((th) => th.textContent === n) === want;
    }, [name, present]);
  };
  return s;
}

/** The story's last two tests: the page's Content-Security-Policy, which
 * nothing violated, and no request outside the page's own origin. */
export function endChecks(s) {
  test('the built page carries a Content-Security-Policy that nothing violated', async () => {
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-[^"]*connect-src 'self'/);
    assert.deepEqual(await s.page.evaluate(() => window.__cspViolations), []);
  });

  test('the page requested nothing outside its own origin', () => {
    const origin = new URL(s.base).origin;
    const foreign = s.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
    assert.deepEqual(foreign, []);
    assert.ok(s.requests.length > 5);
  });
}

/** Simple CSV rows (the demo's order, e-mail and survey files have no quoted fields). */
export function rowsOf(path) {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
}

/** Runs the command line on the demo files of every source. */
export function cliOnDemo(args) {
  const files = ['orders', 'customers', 'email', 'surveys', 'events'].flatMap((n) => [`--${n}`, join(demoDir, `${n}.csv`)]);
  return execFileSync(cli, [...args, ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** The number a figure shows (thousands separators and units aside). */
export const num = (text) => Number(text.replace(/[^\d.-]/g, ''));
