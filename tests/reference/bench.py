"""Times the same work in SegLens, DuckDB and pandas and rewrites the table
between the markers of BENCHMARKS.md.

The work: read the demo's orders CSV and compute R-compatible RFM scores
and segments (SegLens: `seglens rfm`; DuckDB: the query `seglens sql`
writes, so the same scores; pandas: read_csv, groupby, the same quantile
breaks). Each is run three times; the best time is kept. Start-up is
included for SegLens (a process) and excluded for the Python libraries
(imported once), which favours them.

Usage: python bench.py SEGLENS DIR BENCHMARKS.md
"""

import datetime
import os
import platform
import subprocess
import sys
import time

import duckdb
import numpy as np
import pandas


def best(f, runs=3):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    binary, folder, doc = sys.argv[1:4]
    orders = os.path.join(folder, "orders.csv")
    size = os.path.getsize(orders) / 1e6
    rows = sum(1 for _ in open(orders)) - 1

    seglens = best(lambda: subprocess.run([binary, "rfm", "--orders", orders], check=True,
                                          stdout=subprocess.DEVNULL))
    query = subprocess.run([binary, "sql", "--orders", orders, "--table", "orders_csv"], check=True,
                           capture_output=True, text=True).stdout

    def duck():
        con = duckdb.connect()
        con.execute(f"create view orders_csv as select * from read_csv('{orders}', header=true)")
        con.execute(query).fetchall()

    duck_time = best(duck)

    def pandas_rfm():
        o = pandas.read_csv(orders, usecols=["customer_id", "order_date", "amount"], parse_dates=["order_date"])
        as_of = o.loc[o.amount >= 0, "order_date"].max() + pandas.Timedelta(days=1)
        paid = o[o.amount >= 0]
        g = pandas.DataFrame({
            "recency": (as_of - paid.groupby("customer_id").order_date.max()).dt.days,
            "frequency": paid.groupby("customer_id").size(),
            "monetary": o.groupby("customer_id").amount.sum(),
        }).dropna()
        for col in ["recency", "frequency", "monetary"]:
            breaks = np.quantile(g[col], [0.2, 0.4, 0.6, 0.8]) + 1
            g[col[0]] = np.searchsorted(breaks, g[col], side="right") + 1
        return g

    pandas_time = best(pandas_rfm)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, DuckDB {duckdb.__version__}, pandas {pandas.__version__}"
    table = [
        f"Measured {datetime.date.today().isoformat()} on {machine}, by `bash scripts/bench.sh`.",
        "",
        f"Read {size:.1f} MB of orders ({rows:,} rows) and compute RFM scores and segments:",
        "",
        "| tool | best of 3 | ratio to SegLens |",
        "| --- | --- | --- |",
        f"| SegLens (`seglens rfm`, start-up included) | {seglens:.3f} s | 1.00 |",
        f"| DuckDB (the same query, `seglens sql`) | {duck_time:.3f} s | {duck_time / seglens:.2f} |",
        f"| pandas (read_csv, groupby, numpy quantiles) | {pandas_time:.3f} s | {pandas_time / seglens:.2f} |",
    ]
    text = open(doc).read()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    block = start + "\n" + "\n".join(table) + "\n" + end
    if start in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n## Side by side\n\n" + block + "\n"
    open(doc, "w").write(text)
    print("\n".join(table))


if __name__ == "__main__":
    main()
