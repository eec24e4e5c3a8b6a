// End-to-end: segments combine. A marketer builds "the Champions who live
// in Lyon" from the RFM segment and a column of the customers file, saves
// it, then "the Champions not in Lyon" from the saved segment; each count
// equals the command line's RFM members (checked against R's rfm rules
// elsewhere) joined by pandas to the customers file; then the customers at
// high risk of leaving who live in Lyon, the band as the command line's
// models predict it. In French too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { go, importDemoFiles, settingsMenu, shots, startOnDemoFiles } from './site.mjs';
import { cli, cliMembers, root } from './counts.mjs';

const dir = join(root, 'target', 'e2e-combine');
let site, page, champions, lyon;

before(async () => {
  ({ site, page } = await startOnDemoFiles(dir, cli));
  await importDemoFiles(page, dir, ['orders.csv', 'customers.csv']);
  champions = cliMembers(join(dir, 'demo', 'orders.csv'), 'Champions');
  const python = join(root, '.venv', 'bin', 'python');
  lyon = new Set(execFileSync(python, ['-c', [
    'import pandas as pd, sys',
    'c = pd.read_csv(sys.argv[1], dtype=str)',
    'print("\\n".join(c[c.city.str.strip().str.lower() == "lyon"].customer_id))',
  ].join('\n'), join(dir, 'demo', 'customers.csv')], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n'));
});

after(async () => site?.close());

/** Waits for the rule's count to read `n` customers. */
const counted = (n) => page.waitForFunction((want) => document.querySelector('[data-testid=rule-count]')?.textContent.replace(/[\s,]/g, '').startsWith(want), `${n}`);

/** Adds "city is Lyon" as the second condition and waits for the count of
 * the `members` who live in Lyon (some of them, not all). */
async function andInLyon(members) {
  await page.getByTestId('group-add').click();
  await page.getByTestId('cond-1-field').selectOption('a:city');
  await page.getByTestId('cond-1-value').fill('Lyon');
  await page.getByTestId('cond-1-value').press('Tab');
  const inLyon = members.filter((id) => lyon.has(id));
  assert.ok(inLyon.length > 0 && inLyon.length < members.length);
  await counted(inLyon.length);
  return inLyon;
}

test('a rule can use another segment: the Champions who live in Lyon, then the Champions not in that saved segment', async () => {
  await go(page, 'segments', 'mine');
  const builder = page.getByTestId('rule-builder');
  await builder.scrollIntoViewIfNeeded();
  await page.getByTestId('group-add').click();
  await page.getByTestId('cond-0-field').selectOption('s:segment');
  await page.getByTestId('cond-0-segment').selectOption({ label: 'Champions' });
  await counted(champions.length);
  const inLyon = await andInLyon(champions);
  assert.match(await page.getByTestId('rule-words').innerText(), /in the segment “Champions” and city is "Lyon"/);
  await builder.screenshot({ path: join(shots, 'combine-rule-en.png') });
  await page.getByTestId('segment-name').fill('Lyon Champions');
  await page.getByTestId('save-segment').click();
  await page.getByTestId('saved-segment').filter({ hasText: 'Lyon Champions' }).waitFor();

  // The saved segment is offered in turn: the Champions not in it.
  await page.getByTestId('group-add').click();
  await page.getByTestId('cond-0-field').selectOption('s:segment');
  await page.getByTestId('cond-0-segment').selectOption({ label: 'Champions' });
  await page.getByTestId('group-add').click();
  await page.getByTestId('cond-1-field').selectOption('s:segment');
  await page.getByTestId('cond-1-op').selectOption('not_in');
  await page.getByTestId('cond-1-segment').selectOption({ label: 'Lyon Champions' });
  await counted(champions.length - inLyon.length);
  assert.match(await page.getByTestId('rule-words').innerText(), /in the segment “Champions” and not \(in the segment “Lyon Champions”\)/);
  await page.getByTestId('segment-name').fill('Champions elsewhere');
  await page.getByTestId('save-segment').click();
  const saved = page.getByTestId('saved-segment').filter({ hasText: 'Champions elsewhere' });
  await saved.waitFor();
  assert.equal(Number((await saved.locator('td.num').first().innerText()).replace(/\D/g, '')), champions.length - inLyon.length);
});

test('a churn-risk band in a rule: the customers at high risk of leaving who live in Lyon, as the command line predicts them', async () => {
  await go(page, 'segments', 'mine');
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByTestId('group-add').click();
  await page.getByTestId('cond-0-field').selectOption('s:segment');
  const groups = await page.getByTestId('cond-0-segment').locator('optgroup').evaluateAll((gs) => gs.map((g) => g.label));
  assert.deepEqual(groups, ['RFM segments', 'Lifecycle stages', 'Churn risk (predicted)', 'My segments']);
  await page.getByTestId('cond-0-segment').selectOption({ label: 'High churn risk' });
  // The bands as the Predict page draws them (thresholds 30% and 70%):
  // repeat buyers whose chance of being active, as seglens clv fits the
  // models with the app's defaults, is below 30%.
  const clv = JSON.parse(execFileSync(cli, ['clv', '--orders', join(dir, 'demo', 'orders.csv')], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  const high = clv.customers.filter((c) => c.frequency > 0 && c.p_alive < 0.3).map((c) => c.customer_id);
  assert.ok(high.length > 20, `${high.length} at high risk`);
  await counted(high.length);
  await andInLyon(high);
  assert.match(await page.getByTestId('rule-words').innerText(), /in the segment “High churn risk” and city is "Lyon"/);
  await page.getByTestId('rule-builder').screenshot({ path: join(shots, 'combine-churn-en.png') });
  await page.getByRole('button', { name: 'Clear' }).click();
});

test('in French, the segments a rule can use are named in French', async () => {
  await settingsMenu(page);
  await page.getByTestId('language-fr').click();
  await go(page, 'segments', 'mine');
  await page.getByTestId('group-add').click();
  await page.getByTestId('cond-0-field').selectOption('s:segment');
  const groups = await page.getByTestId('cond-0-segment').locator('optgroup').evaluateAll((gs) => gs.map((g) => g.label));
  assert.deepEqual(groups, ['Segments RFM', 'Étapes du cycle de vie', 'Risque de départ (prévu)', 'Mes segments']);
  assert.equal(await page.getByTestId('cond-0-segment').locator('optgroup').nth(2).locator('option').first().innerText(), 'Risque de départ élevé');
  await page.getByTestId('cond-0-segment').selectOption({ label: 'Lyon Champions' });
  assert.match(await page.getByTestId('rule-words').innerText(), /dans le segment « Lyon Champions »/);
  await page.getByTestId('rule-builder').screenshot({ path: join(shots, 'combine-rule-fr.png') });

  // Words a user chose stay theirs: a segment named "High value" (which is
  // also the name of a value tier, "Valeur élevée" in French) is "High
  // value" in the list, the segment picker, the rules that use it and the
  // KPI table; the value tier keeps its French name.
  await page.getByTestId('segment-name').fill('High value');
  await page.getByTestId('save-segment').click();
  const mine = page.getByTestId('saved-segment').filter({ hasText: 'High value' });
  await mine.waitFor();
  assert.equal((await mine.locator('th a').innerText()).trim(), 'High value');
  assert.ok((await page.getByTestId('segment-picker').locator('option').allInnerTexts()).includes('High value'));
  // Saving empties the builder: the next rule starts from its first condition.
  await page.getByTestId('group-add').click();
  await page.getByTestId('cond-0-field').selectOption('s:segment');
  await page.getByTestId('cond-0-segment').selectOption({ label: 'High value' });
  assert.match(await page.getByTestId('rule-words').innerText(), /dans le segment « High value »/);
  await go(page, 'compare', 'kpis');
  await page.getByTestId('kpi-rows').selectOption('saved');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=kpi-heatmap] tbody th')].some((th) => th.textContent.trim() === 'High value'));
  await page.getByTestId('kpi-rows').selectOption('tier:1');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=kpi-heatmap] tbody th')].some((th) => th.textContent.trim() === 'Valeur élevée'));
});

test('a segment\'s ideas follow what it is: the Champions who live in Lyon get a local message, in French', async () => {
  // Where the Lyon Champions live, counted by pandas: the most common
  // city among them and its share, and that city's share of every
  // customer with a city.
  const python = join(root, '.venv', 'bin', 'python');
  const [city, share, everywhere] = execFileSync(python, ['-c', [
    'import pandas as pd, sys',
    'c = pd.read_csv(sys.argv[1], dtype=str)',
    'c["city"] = c.city.str.strip()',
    'members = set(sys.argv[2].split(","))',
    'm = c[c.customer_id.isin(members) & c.city.notna() & (c.city != "")]',
    'top = m.city.value_counts()',
    'known = c[c.city.notna() & (c.city != "")]',
    'print(top.index[0], round(100 * top.iloc[0] / len(m)), round(100 * (known.city == top.index[0]).mean()))',
  ].join('\n'), join(dir, 'demo', 'customers.csv'), champions.filter((c) => lyon.has(c)).join(',')], { encoding: 'utf8' }).trim().split(' ');
  assert.equal(city, 'Lyon');
  assert.ok(Number(share) >= 60 && Number(share) - Number(everywhere) >= 20, `${share} against ${everywhere}`);
  // Compared as my segments, the Lyon Champions' ideas start with a
  // message for Lyon.
  await go(page, 'compare', 'kpis');
  await page.getByTestId('kpi-rows').selectOption('saved');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=kpi-heatmap] tbody th')].some((th) => th.textContent.trim() === 'Lyon Champions'));
  await go(page, 'act', 'ideas');
  const labels = await page.getByTestId('suggest-segment').locator('option').allInnerTexts();
  await page.getByTestId('suggest-segment').selectOption({ label: labels.find((l) => l.startsWith('Lyon Champions (')) });
  const local = page.locator('[data-testid=suggestion][data-play=local]');
  await local.waitFor();
  assert.equal(await local.locator('h3').innerText(), 'Message local : Lyon');
  const pct = (n) => `${n}[\\s\\u00a0\\u202f]%`;
  assert.match(await local.innerText(), new RegExp(`${pct(share)} d'entre eux habitent Lyon \\(city ; ${pct(everywhere)} de tous les clients\\)`));
  assert.match(await local.locator('textarea').first().inputValue(), /Pour nos clients de Lyon/);
  await page.getByTestId('suggestions').screenshot({ path: join(shots, 'combine-local-play-fr.png') });
  // The segment's page lists it too.
  await page.getByTestId('segment-picker').selectOption({ label: 'Lyon Champions' });
  await page.getByTestId('segment-actions').filter({ hasText: 'Message local : Lyon' }).waitFor();
});
