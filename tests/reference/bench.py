"""Times the same work in SegLens, DuckDB and pandas on order files of
several sizes and writes the figures as JSON.

The work: read the orders CSV and compute R-compatible RFM scores and
segments (SegLens: `seglens rfm`; DuckDB: the query `seglens sql` writes,
so the same scores; pandas: read_csv, groupby, the same quantile breaks).
Each is run three times; the best time is kept. Start-up is included for
SegLens (a process) and excluded for the Python libraries (imported once),
which favours them.

Usage: python bench.py SEGLENS OUT.json ORDERS.csv [ORDERS.csv ...]
"""

import json
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


def measure(binary, orders):
    size = os.path.getsize(orders)
    with open(orders, "rb") as f:
        rows = sum(1 for _ in f) - 1

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
    return {"file": orders, "bytes": size, "rows": rows, "seglens_s": seglens, "duckdb_s": duck_time,
            "pandas_s": pandas_time}


def main():
    binary, out = sys.argv[1:3]
    results = [measure(binary, orders) for orders in sys.argv[3:]]
    machine = {"machine": platform.machine(), "cores": os.cpu_count(), "python": platform.python_version(),
               "duckdb": duckdb.__version__, "pandas": pandas.__version__}
    with open(out, "w") as f:
        json.dump({"machine": machine, "sizes": results}, f, indent=2)
    for r in results:
        print(f"{r['rows']:>9,} rows: SegLens {r['seglens_s']:.3f} s, DuckDB {r['duckdb_s']:.3f} s, "
              f"pandas {r['pandas_s']:.3f} s")


if __name__ == "__main__":
    main()
