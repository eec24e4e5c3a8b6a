"""Import and RFM on order files of shapes SegLens was not tuned on, side by
side with DuckDB and pandas in the same run.

Five files of 1,000,000 rows, drawn from a fixed seed:
- skewed: unique order ids, a few customers with hundreds of orders (a
  Zipf-like draw), six columns;
- uniform: 100,000 customers drawn evenly, six columns;
- wide: the same orders with fourteen more text columns (names, address,
  product, campaign...);
- long: a free-text comment of 200 to 400 characters on every row;
- lines: order lines (about 2.5 per order, up to 8), quantity and unit
  price, the order's amount their sum.

The work: read the file and score recency, frequency and monetary value in
quintiles. SegLens: `seglens rfm` (a process, start-up included). DuckDB:
for the files of one order per row, the query `seglens sql` writes (the
same scores), after `read_csv`; for order lines, the lines summed into
orders first, then the same quintiles with `ntile`. pandas: `read_csv`,
groupby and the same quantile breaks. Each tool runs in turn, `RUNS` times
(paired runs), and the median is kept; the Python libraries' import is not
counted, which favours them.

Usage: python bench_shapes.py SEGLENS OUT_DIR [ROWS]
"""

import json
import os
import statistics
import subprocess
import sys
import time

import duckdb
import numpy as np
import pandas

RUNS = 5
SEED = 20261207


def draw(kind, rows, out):
    rng = np.random.default_rng(SEED)
    start = np.datetime64("2023-01-01")
    if kind == "skewed":
        # A few customers with hundreds of orders, most with one or two.
        customers = np.minimum(rng.zipf(1.6, rows), 400_000) - 1
    else:
        customers = rng.integers(0, 100_000, rows)
    days = rng.integers(0, 730, rows)
    frame = pandas.DataFrame({
        "order_id": [f"O{i:08d}" for i in range(rows)],
        "customer_id": [f"C{c:06d}" for c in customers],
        "order_date": (start + days.astype("timedelta64[D]")).astype(str),
        "amount": np.round(rng.gamma(2.0, 30.0, rows) + 1, 2),
        "currency": "EUR",
        "channel": rng.choice(["web", "store", "app", "marketplace"], rows),
    })
    if kind == "wide":
        words = np.array(["Lyon", "Paris", "Nantes", "Lille", "Bordeaux", "Nice", "Rennes", "Metz"])
        for i, name in enumerate(["first_name", "last_name", "street", "city", "region", "postcode",
                                  "country", "product", "sku", "campaign", "utm_source", "utm_medium",
                                  "device", "note"]):
            frame[name] = np.char.add(rng.choice(words, rows), str(i))
    if kind == "long":
        base = "Delivered on time, the parcel was well packed and the size fits; " * 7
        lengths = rng.integers(200, 400, rows)
        frame["comment"] = [base[:n] for n in lengths]
    if kind == "lines":
        lines = rng.integers(1, 9, rows // 2)
        lines = lines[np.cumsum(lines) <= rows]
        order = np.repeat(np.arange(len(lines)), lines)
        frame = frame.iloc[: len(order)].copy()
        frame["order_id"] = [f"O{i:08d}" for i in order]
        frame["customer_id"] = np.array([f"C{c:06d}" for c in rng.integers(0, 100_000, len(lines))])[order]
        frame["order_date"] = (start + rng.integers(0, 730, len(lines)).astype("timedelta64[D]")).astype(str)[order]
        frame["quantity"] = rng.integers(1, 4, len(order))
        frame["unit_price"] = np.round(rng.gamma(2.0, 12.0, len(order)) + 1, 2)
        frame = frame.drop(columns=["amount"])
    frame.to_csv(out, index=False)


def median_of_paired(runs):
    """Runs each tool in turn `RUNS` times; each tool's median, seconds."""
    times = {name: [] for name in runs}
    for _ in range(RUNS):
        for name, run in runs.items():
            t = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(t) for name, t in times.items()}


def quintiles(g):
    for col in ["recency", "frequency", "monetary"]:
        breaks = np.quantile(g[col], [0.2, 0.4, 0.6, 0.8]) + 1
        g[col[0]] = np.searchsorted(breaks, g[col], side="right") + 1
    return g


def measure(binary, kind, path):
    lines = kind == "lines"
    if lines:
        query = f"""
            with o as (
              select customer_id, order_id, min(cast(order_date as date)) as day,
                     sum(quantity * unit_price) as amount
              from read_csv('{path}', header = true) group by all),
            c as (
              select customer_id, (select max(day) from o) + 1 - max(day) as recency,
                     count(*) as frequency, sum(amount) as monetary
              from o group by all)
            select customer_id, ntile(5) over (order by recency desc) as r,
                   ntile(5) over (order by frequency) as f, ntile(5) over (order by monetary) as m
            from c"""
    else:
        sql = subprocess.run([binary, "sql", "--orders", path, "--table", "orders_csv"], check=True,
                             capture_output=True, text=True).stdout
        query = f"create view orders_csv as select * from read_csv('{path}', header = true); {sql}"

    def duck():
        con = duckdb.connect()
        *head, last = [q for q in query.split(";") if q.strip()]
        for q in head:
            con.execute(q)
        con.execute(last).fetchall()

    def pandas_rfm():
        if lines:
            o = pandas.read_csv(path, usecols=["order_id", "customer_id", "order_date", "quantity", "unit_price"],
                                parse_dates=["order_date"])
            o["amount"] = o.quantity * o.unit_price
            o = o.groupby(["customer_id", "order_id"], as_index=False).agg(
                order_date=("order_date", "min"), amount=("amount", "sum"))
        else:
            o = pandas.read_csv(path, usecols=["customer_id", "order_date", "amount"], parse_dates=["order_date"])
        as_of = o.order_date.max() + pandas.Timedelta(days=1)
        g = pandas.DataFrame({
            "recency": (as_of - o.groupby("customer_id").order_date.max()).dt.days,
            "frequency": o.groupby("customer_id").size(),
            "monetary": o.groupby("customer_id").amount.sum(),
        })
        return quintiles(g)

    def seglens():
        subprocess.run([binary, "rfm", "--orders", path], check=True, stdout=subprocess.DEVNULL)

    medians = median_of_paired({"seglens": seglens, "duckdb": duck, "pandas": pandas_rfm})
    with open(path, "rb") as f:
        rows = sum(1 for _ in f) - 1
    return {"shape": kind, "rows": rows, "bytes": os.path.getsize(path), **{f"{k}_s": v for k, v in medians.items()}}


def main():
    binary, out_dir = sys.argv[1:3]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    os.makedirs(out_dir, exist_ok=True)
    results = []
    for kind in ["skewed", "uniform", "wide", "long", "lines"]:
        path = os.path.join(out_dir, f"{kind}-{rows}.csv")
        if not os.path.exists(path):
            draw(kind, rows, path)
        r = measure(binary, kind, path)
        results.append(r)
        print(f"{kind:>8}: {r['rows']:,} rows, {r['bytes'] / 1e6:.1f} MB: SegLens {r['seglens_s']:.3f} s, "
              f"DuckDB {r['duckdb_s']:.3f} s ({r['seglens_s'] / r['duckdb_s']:.2f}), "
              f"pandas {r['pandas_s']:.3f} s", flush=True)
    with open(os.path.join(out_dir, "shapes.json"), "w") as f:
        json.dump({"duckdb": duckdb.__version__, "pandas": pandas.__version__, "cores": os.cpu_count(),
                   "runs": RUNS, "shapes": results}, f, indent=2)


if __name__ == "__main__":
    main()
