"""Runs the SQL of `seglens sql` in DuckDB over the raw demo orders and
checks that it returns the same customers, values, scores and segments as
`seglens rfm`.

Usage: python sql_reference.py SEGLENS_BINARY ORDERS_CSV
"""

import csv
import io
import subprocess
import sys

import duckdb


def main():
    binary, path = sys.argv[1:3]
    query = subprocess.run([binary, "sql", "--orders", path, "--dialect", "duckdb", "--table", "orders"],
                           check=True, capture_output=True, text=True).stdout
    con = duckdb.connect()
    con.execute(f"create table orders as select * from read_csv('{path}', header=true, all_varchar=true)")
    got = {r[0]: r[1:] for r in con.execute(query).fetchall()}
    want_csv = subprocess.run([binary, "rfm", "--orders", path], check=True, capture_output=True, text=True).stdout
    want = list(csv.DictReader(io.StringIO(want_csv)))
    problems = []
    if len(got) != len(want):
        problems.append(f"{len(got)} customers from SQL, {len(want)} from seglens rfm")
    for row in want:
        g = got.get(row["customer_id"])
        if g is None:
            problems.append(f"{row['customer_id']}: missing from SQL")
            continue
        recency, frequency, monetary, r, f, m, segment = g
        if (int(recency), int(frequency), int(r), int(f), int(m), segment) != (
                int(row["recency_days"]), int(row["frequency"]), int(row["r"]), int(row["f"]), int(row["m"]),
                row["segment"]) or abs(monetary - float(row["monetary"])) > 0.0051:
            problems.append(f"{row['customer_id']}: SQL {g}, seglens {row}")
    champions = subprocess.run(
        [binary, "sql", "--orders", path, "--dialect", "duckdb", "--table", "orders", "--segment", "Champions"],
        check=True, capture_output=True, text=True).stdout
    members = {r[0] for r in con.execute(champions).fetchall()}
    expected = {r["customer_id"] for r in want if r["segment"] == "Champions"}
    if members != expected:
        problems.append(f"--segment Champions: {len(members)} members, expected {len(expected)}")
    if problems:
        print("\n".join(problems[:20]))
        sys.exit(1)
    print(f"{path}: the DuckDB query gives the same {len(want)} customers, scores and segments")


if __name__ == "__main__":
    main()
