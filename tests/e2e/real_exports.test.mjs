// End-to-end: real platform exports dropped on the release build, in
// English and in French, each test in a fresh browser context so that this
// file runs alone (node --test tests/e2e/real_exports.test.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshContext, go, real, shots, startSite } from './site.mjs';
import { cli, cliCounts, cliCountsOf, nonZero, root, tableCountsOn } from './counts.mjs';

let site, browser, base;

before(async () => {
  site = await startSite();
  ({ browser, base } = site);
});

after(async () => site?.close());

/** A fresh page in `locale`, the tour already seen. */
async function freshPage(locale) {
  const context = await freshContext(browser, locale);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(base);
  return page;
}

/** Drops `name` from the real exports and waits for its analysis, shown
 * first as what was read (the Data page). */
async function drop(page, name) {
  await page.getByTestId('file-input').setInputFiles(join(real, name));
  await page.waitForFunction((n) => document.querySelector('[data-testid=source]')?.textContent === n, name);
  await page.getByTestId('import-report').waitFor();
}

/** What `seglens inspect` says of a real export. */
const inspect = (name, ...flags) =>
  JSON.parse(execFileSync(cli, ['inspect', join(real, name), '--format', 'json', ...flags], { encoding: 'utf8' }));

test('a Shopify orders export: line items grouped into orders, statuses left out and kept on request', async () => {
  const name = 'shopify_orders_activewear_usd.csv';
  const file = join(real, name);
  const page = await freshPage('en-US');
  await drop(page, name);
  const facts = inspect(name);
  // Every segment has the customers the command line gives the same file.
  assert.deepEqual(nonZero(await tableCountsOn(page)), cliCounts(file));
  const report = page.getByTestId('import-report');
  assert.match(await report.getByTestId('platform').innerText(), /Recognised as a Shopify orders export/);
  assert.equal(
    await report.getByTestId('order-lines').innerText(),
    `${facts.lines.rows} rows made ${facts.lines.orders} orders: the lines of an order share its Name, ` +
      "so frequency counts orders, not lines. An order's value is its Total.",
  );
  assert.match(
    await report.getByTestId('excluded-statuses').innerText(),
    new RegExp(`^${facts.excluded_orders} orders left out for their status \\(${facts.excluded_orders} cancelled, in Financial Status, Cancelled at\\)`),
  );
  assert.match(await report.getByTestId('refunded').innerText(), new RegExp(`taken off ${facts.refunded_orders} orders`));
  // No continuation line is listed as rejected: only the orders without
  // an e-mail are.
  assert.match(await report.innerText(), new RegExp(`${facts.orders} orders accepted, ${facts.rejected_total} rejected`));
  await report.screenshot({ path: join(shots, 'real-shopify-en.png') });

  // Keep every status: the cancelled orders come back.
  await page.getByTestId('keep-all-statuses').click();
  await page.getByTestId('all-statuses').waitFor();
  const all = inspect(name, '--all-statuses');
  assert.equal(all.excluded_orders, 0);
  assert.deepEqual(nonZero(await tableCountsOn(page)), cliCountsOf(['rfm', '--orders', file, '--all-statuses']));
  assert.match(await page.getByTestId('import-report').innerText(), new RegExp(`${all.orders} orders accepted`));
  // And out again.
  await page.getByTestId('leave-out-statuses').click();
  await page.getByTestId('excluded-statuses').waitFor();
  assert.deepEqual(nonZero(await tableCountsOn(page)), cliCounts(file));
  await page.context().close();
});

test('the UCI Online Retail workbook in French: invoice lines, Excel date cells, cancellation invoices', async () => {
  const name = 'uci_online_retail_head.xlsx';
  const page = await freshPage('fr-FR');
  await drop(page, name);
  const facts = inspect(name);
  const number = (n) => page.evaluate((x) => new Intl.NumberFormat('fr-FR').format(x), n);
  const report = page.getByTestId('import-report');
  assert.equal(
    await report.getByTestId('order-lines').innerText(),
    `${await number(facts.lines.rows)} lignes ont donné ${await number(facts.lines.orders)} commandes : ` +
      "les lignes d'une commande partagent son InvoiceNo, la fréquence compte donc des commandes, pas des lignes. " +
      "La valeur d'une commande est la somme de Quantity × UnitPrice sur ses lignes.",
  );
  assert.equal(
    await report.getByTestId('cancellations').innerText(),
    `${facts.cancellation_invoices} factures d'annulation (numérotées C…) lues comme des remboursements.`,
  );
  // The dates are Excel date-time cells: read from their number format.
  assert.equal(facts.first_date, '2010-12-01');
  assert.equal(facts.last_date, '2010-12-02');
  // The customers scored are those the command line scores.
  const scored = execFileSync(cli, ['rfm', '--orders', join(real, name)], { encoding: 'utf8' }).trim().split('\n').length - 1;
  await report.screenshot({ path: join(shots, 'real-uci-fr.png') });
  await go(page, 'overview');
  const counts = await page.locator('[data-testid=rfm-table] tbody tr td:first-of-type').allInnerTexts();
  const total = counts.map((c) => Number(c.replace(/\D/g, ''))).reduce((a, b) => a + b, 0);
  assert.equal(total, scored);
  await page.context().close();
});

/** The rows of a CSV file without quoted commas (the demo's). */
function csvRows(file) {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const parse = (line) => {
    const out = [];
    let cell = '', quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) { out.push(cell); cell = ''; }
      else cell += ch;
    }
    out.push(cell);
    return out;
  };
  const names = parse(head);
  return lines.map((l) => Object.fromEntries(parse(l).map((v, i) => [names[i], v])));
}

test('a WooCommerce workbook in French: the cash-on-delivery orders without an e-mail are known by their phone', async () => {
  const name = 'woocommerce_orders_bookshop_dzd_fr.xlsx';
  const page = await freshPage('fr-FR');
  await drop(page, name);
  // inspect's counts are pandas' (tests/reference/real_exports_reference.py);
  // the fixture's notes count 692 orders without an e-mail.
  const facts = inspect(name);
  assert.equal(facts.by_phone, 692);
  assert.equal(facts.rejected_total, 0);
  const number = (n) => page.evaluate((x) => new Intl.NumberFormat('fr-FR').format(x), n);
  const report = page.getByTestId('import-report');
  assert.equal(
    await report.getByTestId('by-phone').innerText(),
    `${await number(facts.by_phone)} commandes sans client identifiées par leur téléphone (Téléphone (Facturation)) : ` +
      "chacune est rattachée au client d'une autre commande au même numéro, s'il y en a une.",
  );
  await report.screenshot({ path: join(shots, 'real-woocommerce-phone-fr.png') });
  // The customers scored, phone buyers among them, are those the command
  // line scores.
  const scored = execFileSync(cli, ['rfm', '--orders', join(real, name)], { encoding: 'utf8' }).trim().split('\n').length - 1;
  await go(page, 'overview');
  const counts = await page.locator('[data-testid=rfm-table] tbody tr td:first-of-type').allInnerTexts();
  assert.equal(counts.map((c) => Number(c.replace(/\D/g, ''))).reduce((a, b) => a + b, 0), scored);
  await page.context().close();
});

test('a French CRM customers file with an NPS column, dropped beside its orders: customers and answers, no rejected row', async () => {
  // The demo's customers as a French CRM exports them, with each
  // customer's last NPS answer (empty for those who gave none).
  const dir = join(root, 'target', 'e2e-crm');
  execFileSync(cli, ['demo', '--out', dir]);
  const last = new Map();
  for (const r of csvRows(join(dir, 'surveys.csv'))) {
    if (r.nps === '') continue;
    const prev = last.get(r.customer_id);
    if (!prev || r.answered_at >= prev.answered_at) last.set(r.customer_id, r);
  }
  const customers = csvRows(join(dir, 'customers.csv'));
  const quote = (v) => (v.includes(';') ? `"${v}"` : v);
  const crm = ["id_client;e-mail;sexe;âge;ville;centres d'intérêt;NPS"]
    .concat(customers.map((c) => [c.customer_id, c.email, c.gender, c.age, c.city, c.interests, last.get(c.customer_id)?.nps ?? '']
      .map(quote).join(';')))
    .join('\n');
  const crmFile = join(dir, 'clients-crm.csv');
  writeFileSync(crmFile, crm + '\n');
  const answered = customers.filter((c) => last.has(c.customer_id)).length;
  assert.ok(answered > 0 && answered < customers.length);

  const page = await freshPage('fr-FR');
  await page.getByTestId('file-input').setInputFiles(join(dir, 'orders.csv'));
  await page.getByTestId('import-report').waitFor();
  await page.getByTestId('file-input').setInputFiles(crmFile);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=source-report]').length === 2);
  const reports = await page.getByTestId('source-report').allInnerTexts();
  const number = (n) => page.evaluate((x) => new Intl.NumberFormat('fr-FR').format(x), n);
  assert.ok(reports[0].startsWith(`clients-crm.csv : ${await number(customers.length)} clients, rejets : 0`), reports[0]);
  assert.ok(reports[1].startsWith(`clients-crm.csv : ${await number(answered)} réponses à l'enquête, rejets : 0`), reports[1]);

  // Its columns in the rule builder, its NPS among the KPIs: the NPS of
  // everyone scored, as the answers give it.
  await go(page, 'segments', 'mine');
  await page.getByTestId('group-add').click();
  const attributes = await page.getByTestId('cond-0-field').locator('optgroup[label="Attributs des clients"] option').allInnerTexts();
  for (const column of ['sexe', 'âge', 'ville', "centres d'intérêt"]) {
    assert.ok(attributes.some((a) => a.includes(column)), `${column} in ${attributes}`);
  }
  const scored = new Set(csvRows(join(dir, 'orders.csv')).filter((r) => Number(r.amount) >= 0).map((r) => r.customer_id));
  const scores = [...last.values()].filter((r) => scored.has(r.customer_id)).map((r) => Number(r.nps));
  const nps = 100 * (scores.filter((v) => v >= 9).length - scores.filter((v) => v <= 6).length) / scores.length;
  await go(page, 'compare', 'kpis');
  const heatmap = page.getByTestId('kpi-heatmap');
  const headers = await heatmap.locator('thead th').allInnerTexts();
  const cells = await heatmap.locator('tbody tr').last().locator('th, td').allInnerTexts();
  assert.equal(cells[0].trim(), 'Tous les clients');
  const shown = Number(cells[headers.findIndex((h) => h.startsWith('NPS'))].replace('\u2212', '-').replace(/[^\d-]/g, ''));
  assert.equal(shown, Math.round(nps));
  await go(page, 'data');
  await page.getByTestId('import-report').screenshot({ path: join(shots, 'real-crm-fr.png') });
  await page.context().close();
});

test('a Square transactions export is recognised, its refunds no sales; a Typeform export without a respondent is refused, in French, with the reason', async () => {
  // A file with Square's own header (rows written from a seed: no real
  // Square export could be used), as the command line reads it.
  const square = join(root, 'tests', 'fixtures', 'documented', 'square_transactions.csv');
  const page = await freshPage('en-US');
  await page.getByTestId('file-input').setInputFiles(square);
  await page.getByTestId('import-report').waitFor();
  const facts = JSON.parse(execFileSync(cli, ['inspect', square, '--format', 'json'], { encoding: 'utf8' }));
  assert.equal(facts.platform, 'square_transactions');
  const report = page.getByTestId('import-report');
  assert.match(await report.getByTestId('platform').innerText(), /Recognised as a Square transactions export/);
  assert.match(await report.innerText(), new RegExp(`${facts.orders} orders accepted, ${facts.rejected_total} rejected`));
  // One row per payment: no sentence about lines grouped into orders.
  assert.equal(facts.lines.rows, facts.lines.orders);
  assert.equal(await report.getByTestId('order-lines').count(), 0);
  // Its refunds, rows of their own, counted here from the raw file.
  const rows = readFileSync(square, 'utf8').trim().split('\n').slice(1);
  const refunds = rows.filter((r) => r.includes(',Refund,')).length;
  assert.ok(refunds > 0);
  assert.match(await report.innerText(), new RegExp(`${refunds} rows are no sales \\(${refunds} Refund, by Event Type\\) and were left aside: refunds written as rows of their own`));
  assert.deepEqual(nonZero(await tableCountsOn(page)), cliCounts(square));
  await report.screenshot({ path: join(shots, 'documented-square-en.png') });
  await page.context().close();

  // The Typeform answers beside orders, in French: refused, and why.
  const { page: fr, error, orders } = await refusedBesideOrders('typeform_answers_new_coder_survey_2016.csv', 'e2e-typeform');
  assert.match(await error.innerText(),
    /^typeform_answers_new_coder_survey_2016\.csv : un export des réponses Typeform, mais sans colonne qui nomme la personne qui répond/);
  await nothingLost(fr, orders);
  await error.screenshot({ path: join(shots, 'real-typeform-refused-fr.png') });
  await fr.context().close();
});

/** A fresh page in French with the demo's orders imported, then the real
 * export `name` dropped beside them and refused: the page, its error and
 * the orders file. */
async function refusedBesideOrders(name, dirName) {
  const page = await freshPage('fr-FR');
  const dir = join(root, 'target', dirName);
  execFileSync(cli, ['demo', '--out', dir]);
  await page.getByTestId('file-input').setInputFiles(join(dir, 'orders.csv'));
  await page.getByTestId('import-report').waitFor();
  await page.getByTestId('file-input').setInputFiles(join(real, name));
  const error = page.getByTestId('error');
  await error.waitFor();
  return { page, error, orders: join(dir, 'orders.csv') };
}

/** Nothing already there was lost: the orders are still analysed, each
 * segment (named in French) with the customers the command line counts. */
async function nothingLost(page, orders) {
  await go(page, 'overview');
  const cells = await page.locator('[data-testid=rfm-table] tbody tr td:first-of-type').allInnerTexts();
  const shown = cells.map((c) => Number(c.replace(/\D/g, ''))).filter((n) => n > 0).sort((a, b) => a - b);
  const counted = Object.values(nonZero(cliCounts(orders))).sort((a, b) => a - b);
  assert.deepEqual(shown, counted);
}

test('a Google Analytics report is refused in French, saying what to export instead; its BigQuery events are read', async () => {
  // The report of counts per event, under its nine '#' lines: refused.
  const { page: fr, error, orders } = await refusedBesideOrders('ga4_report_events.csv', 'e2e-ga4');
  const said = await error.innerText();
  assert.match(said, /^ga4_report_events\.csv : ce rapport Google Analytics 4 compte par événement ou par campagne, sans client sur ses lignes/);
  assert.match(said, /Exportez plutôt les événements avec l'identifiant de l'utilisateur \(l'export BigQuery de GA4/);
  assert.match(said, /Colonnes trouvées : Event name, Event count, Total users/);
  await error.screenshot({ path: join(shots, 'real-ga4-report-refused-fr.png') });
  await nothingLost(fr, orders);
  // The BigQuery export of events is read: the events the command line
  // reads, the visits with no user id rejected.
  const events = join(root, 'tests', 'fixtures', 'documented', 'ga4_bigquery_events.csv');
  const facts = JSON.parse(execFileSync(cli, ['inspect', events, '--format', 'json'], { encoding: 'utf8' }));
  assert.equal(facts.platform, 'ga4_events');
  await fr.getByTestId('file-input').setInputFiles(events);
  await fr.getByTestId('source-report').first().waitFor();
  const report = (await fr.getByTestId('source-report').allInnerTexts()).join(' ');
  assert.match(report, new RegExp(`ga4_bigquery_events\\.csv : ${facts.rows} événements, rejets : ${facts.rejected_total}`));
  await fr.getByTestId('import-report').screenshot({ path: join(shots, 'documented-ga4-events-fr.png') });
  await fr.context().close();
});

test('a Mailchimp campaign report\'s lists, in French: who opened and clicked alone have no rate; with the Sent to list they make the campaign\'s results', async () => {
  // The lists as Mailchimp exports them one by one (documented header,
  // rows from a seed), and the shop's orders of the same people.
  const documented = join(root, 'tests', 'fixtures', 'documented');
  const file = (name) => join(documented, name);
  const emails = (name) => new Set(csvRows(file(name)).map((r) => r['Email Address'].trim().toLowerCase()));
  const sent = emails('mailchimp_sent_to.csv');
  const clicked = new Set([...emails('mailchimp_clicked_link1.csv'), ...emails('mailchimp_clicked_link2.csv')]);
  // A click is an open: images may be off.
  const acted = new Set([...emails('mailchimp_opened.csv'), ...clicked]);
  const page = await freshPage('fr-FR');
  const number = (n) => page.evaluate((x) => new Intl.NumberFormat('fr-FR').format(x), n);
  await page.getByTestId('file-input').setInputFiles(file('mailchimp_shop_orders.csv'));
  await page.getByTestId('import-report').waitFor();

  // Who opened and who clicked each link, dropped together: one
  // campaign known only from them, each person once.
  await page.getByTestId('file-input').setInputFiles(
    ['mailchimp_opened.csv', 'mailchimp_clicked_link1.csv', 'mailchimp_clicked_link2.csv'].map(file));
  const lists = page.getByTestId('email-lists-only');
  await lists.waitFor();
  assert.match(await lists.innerText(),
    new RegExp(`^La campagne des listes sans colonne de campagne n'est connue que par qui a ouvert ou cliqué \\(${acted.size} clients\\) : elle n'a pas encore de taux d'ouverture ni de clic\\. Déposez aussi la liste de ses destinataires \\(dans Mailchimp, la liste « Sent to » du rapport\\)`));
  assert.equal(await page.getByTestId('email-summary').count(), 0);
  await page.getByTestId('import-report').screenshot({ path: join(shots, 'documented-mailchimp-lists-fr.png') });

  // The Sent to list, recognised by its three columns: the campaign's
  // results, as counted here from the raw lists.
  await page.getByTestId('file-input').setInputFiles(file('mailchimp_sent_to.csv'));
  const summary = page.getByTestId('email-summary');
  await summary.waitFor();
  const opened = [...acted].filter((e) => sent.has(e)).length;
  const clickedSent = [...clicked].filter((e) => sent.has(e)).length;
  const said = (await summary.innerText()).replace(/\u202f|\u00a0/g, ' ');
  assert.match(said, new RegExp(`^Résultats d'e-mails lus jusqu'ici : 1 campagne, ${await number(sent.size)} e-mails délivrés, ${opened} ouverts \\(${(100 * opened / sent.size).toFixed(1).replace('.', ',')} %\\), ${clickedSent} cliqués \\(${(100 * clickedSent / sent.size).toFixed(1).replace('.', ',')} %\\)\\.$`));
  assert.equal(await lists.count(), 0);
  await page.getByTestId('import-report').screenshot({ path: join(shots, 'documented-mailchimp-campaign-fr.png') });

  // The open rate of all customers: the recipients who ordered.
  const ordered = new Set(csvRows(file('mailchimp_shop_orders.csv')).map((r) => r.email.toLowerCase()));
  const recipients = [...sent].filter((e) => ordered.has(e));
  const rate = 100 * recipients.filter((e) => acted.has(e)).length / recipients.length;
  await go(page, 'compare', 'kpis');
  const heatmap = page.getByTestId('kpi-heatmap');
  const headers = await heatmap.locator('thead th').allInnerTexts();
  const cells = await heatmap.locator('tbody tr').last().locator('th, td').allInnerTexts();
  assert.equal(cells[0].trim(), 'Tous les clients');
  const column = headers.findIndex((h) => h.startsWith("Taux d'ouverture"));
  assert.ok(column > 0, headers.join(' | '));
  const shown = Number(cells[column].replace(',', '.').replace(/[^\d.]/g, ''));
  assert.ok(Math.abs(shown - rate) < 0.06, `${cells[column]} against ${rate}`);
  await page.context().close();
});
