#!/usr/bin/env bash
# Runs the PostgreSQL query of `seglens sql` on a throwaway local server
# (Debian's PostgreSQL, a Unix socket in a temporary folder, no network)
# over the demo orders, and compares every customer with `seglens rfm`;
# then runs the saved-segment queries of `seglens segment --sql postgres`
# over all six demo tables (segment_sql_reference.py).
# Usage: postgres_check.sh SEGLENS_BINARY ORDERS_CSV PYTHON
set -euo pipefail
seglens=$(realpath "$1")
orders=$(realpath "$2")
python=$3
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=$(mktemp -d)
chmod 755 "$dir"
# PostgreSQL refuses to run as root: as root, run it as the postgres user;
# otherwise as the current user.
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -o "-p 55439 -k $dir -c listen_addresses=" -l "$dir/log" -w start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
cp "$orders" "$dir/orders.csv"
chmod 644 "$dir/orders.csv"
psql=("$bin/psql" -h "$dir" -p 55439 -U postgres -v ON_ERROR_STOP=1 -q)
as_pg "${psql[@]}" -c "CREATE TABLE orders (order_id text, customer_id text, order_date text, amount text, currency text, category text, channel text, status text)"
as_pg "${psql[@]}" -c "\\copy orders FROM '$dir/orders.csv' WITH (FORMAT csv, HEADER true)"
"$seglens" sql --orders "$orders" --dialect postgres --table orders > "$dir/query.sql"
chmod 644 "$dir/query.sql"
as_pg "${psql[@]}" -At -F, -f "$dir/query.sql" > "$dir/result.csv"
"$seglens" rfm --orders "$orders" > "$dir/rfm.csv"
"$python" - "$dir/result.csv" "$dir/rfm.csv" "$2" <<'PY'
import csv, sys
got = {r[0]: r[1:] for r in csv.reader(open(sys.argv[1]))}
want = list(csv.DictReader(open(sys.argv[2])))
bad = []
for w in want:
    g = got.get(w["customer_id"])
    if g is None:
        bad.append(f"{w['customer_id']}: missing")
        continue
    rec, fre, mon, r, f, m, seg = g
    same = (int(rec), int(fre), int(r), int(f), int(m), seg) == (
        int(w["recency_days"]), int(w["frequency"]), int(w["r"]), int(w["f"]), int(w["m"]), w["segment"])
    if not same or abs(float(mon) - float(w["monetary"])) > 0.0051:
        bad.append(f"{w['customer_id']}: PostgreSQL {g}, seglens {dict(w)}")
if len(got) != len(want):
    bad.append(f"{len(got)} customers from PostgreSQL, {len(want)} from seglens rfm")
if bad:
    print("\n".join(bad[:20]))
    sys.exit(1)
print(f"{sys.argv[3]}: the PostgreSQL query gives the same {len(want)} customers, scores and segments")
PY
"$python" "$(dirname "$0")/segment_sql_reference.py" "$seglens" "$(dirname "$orders")" postgres \
  "$bin/psql" -h "$dir" -p 55439 -U postgres -v ON_ERROR_STOP=1 -q
