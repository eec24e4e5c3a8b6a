#!/usr/bin/env bash
# Fuzzes the importer (fuzz/fuzz_targets/importer.rs) for SECONDS seconds
# (default 60), from seeds made of the project's own files: order files in
# several dialects, platform exports (order lines, statuses), the demo's sources, an HTML table, an Excel workbook, an OpenDocument
# spreadsheet, old Excel workbooks (.xls) and JSON lines.
# With FUZZ_RUNS=N it runs N inputs from a fixed
# seed instead, so that a run can be replayed (the test command does that).
# A crash leaves its input under fuzz/artifacts/importer/ and fails; once
# mended, the input joins fuzz/regressions/, which every run replays.
#
# cargo-fuzz drives libFuzzer through compiler flags that stable Rust only
# accepts with RUSTC_BOOTSTRAP=1; no sanitizer is needed, the engine
# forbids unsafe code.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked --version 0.13.2

seeds=target/fuzz-seeds
rm -rf "$seeds" && mkdir -p "$seeds"
demo=target/fuzz-demo
[ -f "$demo/costs.csv" ] || cargo run --release --locked -q -p seglens-cli -- demo --customers 200 --out "$demo" > /dev/null
seed() { # seed NAME PICK FILE: the pick byte, then the file's first 64 kB
  { printf "\\x$(printf %02x "$2")"; head -c 65536 "$3"; } > "$seeds/$1"
}
seed orders-csv 0 "$demo/orders.csv"
seed orders-fr 4 tests/fixtures/commandes-fr.csv
seed cdnow 8 ../shared/datasets/cdnow/CDNOW_sample.txt
# Platform exports: order lines, statuses and refunds; a customers file.
seed shopify 0 tests/fixtures/real/shopify_orders_babystore_zar.csv
seed stripe 12 tests/fixtures/real/stripe_payments_legacy_columns.csv
seed etsy-lines 16 tests/fixtures/real/etsy_sold_order_items_stickers_2021.csv
seed hubspot 1 tests/fixtures/real/hubspot_contacts_all_customers.csv
# A report's `#` preamble (Google Analytics) and events timed in microseconds.
seed ga4-report 1 tests/fixtures/real/ga4_report_events.csv
seed ga4-events 1 tests/fixtures/documented/ga4_bigquery_events.csv
seed surveymonkey 1 tests/fixtures/documented/surveymonkey_answers_nps.csv
seed mailchimp 1 tests/fixtures/documented/mailchimp_audience.csv
printf '<html><body><table><tr><th>N&deg; commande</th><th>Client</th><th>Date</th><th>Montant</th></tr><tr><td>C1<td>dupont<td>03/02/2024<td>12,50&nbsp;&euro;</table>' > "$seeds/page.xls"
seed html-table 2 "$seeds/page.xls" && rm "$seeds/page.xls"
for s in customers email surveys events tickets costs; do seed "$s" 1 "$demo/$s.csv"; done
.venv/bin/python - "$demo/orders.csv" "$seeds/workbook.xlsx" <<'PY'
import csv, io, re, sys, zipfile, openpyxl
book = openpyxl.Workbook()
sheet = book.active
for i, row in enumerate(csv.reader(open(sys.argv[1], encoding="utf-8"))):
    if i > 200:
        break
    sheet.append(row)
buffer = io.BytesIO()
book.save(buffer)
# The same bytes on every run: fixed times in the archive and the
# document's properties.
with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as out:
    for entry in src.infolist():
        data = src.read(entry.filename)
        if entry.filename == "docProps/core.xml":
            data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", data)
        out.writestr(zipfile.ZipInfo(entry.filename, date_time=(2025, 1, 1, 0, 0, 0)), data,
                     compress_type=zipfile.ZIP_DEFLATED)
PY
seed xlsx 2 "$seeds/workbook.xlsx" && rm "$seeds/workbook.xlsx"
.venv/bin/python - "$demo/orders.csv" "$seeds/sheet.ods" <<'PY'
import io, re, sys, zipfile
import pandas
buffer = io.BytesIO()
pandas.read_csv(sys.argv[1], nrows=200).to_excel(buffer, engine="odf", index=False)
with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as out:
    for entry in src.infolist():
        data = re.sub(rb"<meta:creation-date>[^<]*", b"<meta:creation-date>2025-01-01T00:00:00", src.read(entry.filename))
        out.writestr(zipfile.ZipInfo(entry.filename, date_time=(2025, 1, 1, 0, 0, 0)), data,
                     compress_type=zipfile.ZIP_DEFLATED)
PY
seed ods 6 "$seeds/sheet.ods" && rm "$seeds/sheet.ods"
seed xls 10 tests/fixtures/ventes.xls
.venv/bin/python - "$demo/customers.csv" "$seeds/book.xls" <<'PY'
import csv, sys, xlwt
book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("Clients")
for r, row in enumerate(csv.reader(open(sys.argv[1], encoding="utf-8"))):
    if r > 150:
        break
    for c, value in enumerate(row):
        sheet.write(r, c, value)
book.save(sys.argv[2])
PY
seed xls-customers 14 "$seeds/book.xls" && rm "$seeds/book.xls"
.venv/bin/python - "$demo/orders.csv" > "$seeds/orders.jsonl" <<'PY'
import csv, json, sys
for i, row in enumerate(csv.DictReader(open(sys.argv[1], encoding="utf-8"))):
    if i < 300:
        print(json.dumps(row))
PY
seed jsonl 3 "$seeds/orders.jsonl" && rm "$seeds/orders.jsonl"

if [ -n "${FUZZ_RUNS:-}" ]; then
  limits=(-seed=1 -runs="$FUZZ_RUNS")
  corpus=target/fuzz-corpus-fixed
  rm -rf "$corpus"
else
  limits=(-max_total_time="$seconds")
  corpus=target/fuzz-corpus
fi
mkdir -p "$corpus"
cd fuzz
RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none -O importer \
  "../$corpus" "../$seeds" regressions -- "${limits[@]}" -max_len=262144 -rss_limit_mb=2048
