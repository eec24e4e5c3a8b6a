// The RFM segment counts as the page shows them and as the command line
// gives them for the same file, shared by the end-to-end test files.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cli = process.env.SEGLENS_CLI ?? join(root, 'target', 'release', 'seglens');

/** The segment table of `page` as {segment: customers}, read on the
 * Overview: opened from the navigation when the page is elsewhere, and
 * left again with the browser's back button. */
export async function tableCountsOn(page) {
  const from = await page.evaluate(() => location.hash);
  const away = !['', '#', '#/'].includes(from);
  if (away) await page.getByTestId('nav-overview').click();
  await page.getByTestId('rfm-table').waitFor();
  const counts = await readTable(page);
  if (away) {
    await page.goBack();
    await page.waitForFunction((h) => location.hash === h, from);
  }
  return counts;
}

async function readTable(page) {
  const rows = await page.locator('[data-testid=rfm-table] tbody tr').all();
  const counts = {};
  for (const row of rows) {
    const name = (await row.locator('th').innerText()).trim();
    const customers = Number((await row.locator('td').first().innerText()).replace(/,/g, ''));
    counts[name] = customers;
  }
  return counts;
}

/** The segment counts of `seglens ARGS` (an `rfm` command). */
export function cliCountsOf(args) {
  const csv = execFileSync(cli, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const counts = {};
  for (const line of csv.trim().split('\n').slice(1)) {
    const segment = line.slice(line.lastIndexOf(',') + 1);
    counts[segment] = (counts[segment] ?? 0) + 1;
  }
  return counts;
}

/** The same counts from the command line on the same file. */
export const cliCounts = (file) => cliCountsOf(['rfm', '--orders', file]);

/** The counts without the empty segments. */
export const nonZero = (c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v > 0));

/** The customers of the demo in `dir` (as `seglens demo` writes it) who
 * may not be sent marketing, found by pandas: "no" in the customers
 * file's newsletter column, or an unsubscribe in the e-mail results. */
export function demoNoConsent(dir) {
  const python = join(root, '.venv', 'bin', 'python');
  const out = execFileSync(python, ['-c', [
    'import pandas as pd',
    `c = pd.read_csv("${join(dir, 'customers.csv')}", dtype=str)`,
    `e = pd.read_csv("${join(dir, 'email.csv')}", dtype=str)`,
    'no = set(c[c.newsletter.str.strip().str.lower() == "no"].customer_id) | set(e[e.unsubscribed == "1"].customer_id)',
    'print("\\n".join(sorted(no)))',
  ].join('\n')], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return new Set(out.trim().split('\n').filter(Boolean));
}

/** The customers of `segment` by `seglens rfm` on `orders`. */
export function cliMembers(orders, segment) {
  const csv = execFileSync(cli, ['rfm', '--orders', orders], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return csv.trim().split('\n').slice(1)
    .filter((line) => line.slice(line.lastIndexOf(',') + 1) === segment)
    .map((line) => line.split(',')[0]);
}
