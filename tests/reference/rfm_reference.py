"""Checks `seglens rfm` against an independent computation.

Per-customer values come from DuckDB SQL over the raw file (refunds lower
the monetary value and are not orders); scores follow R's `rfm` source
(`rfm_table_order`, `bins`, `rfm_segment`), re-implemented here from R's
own arithmetic: `quantile(type = 7)`, interior breaks + 1, lower <= x <
upper with the last match winning, recency reversed, first matching
segment rule wins.

Usage: python rfm_reference.py SEGLENS_BINARY ORDERS_FILE [--sep ... --date ...]
Exits non-zero on the first difference.
"""

import argparse
import csv
import io
import math
import subprocess

import duckdb
import pandas

RULES = [  # name, r, f, m (inclusive ranges), in R's documented order
    ("Champions", (5, 5), (5, 5), (5, 5)),
    ("Potential Loyalist", (3, 5), (3, 5), (2, 5)),
    ("Loyal Customers", (2, 4), (2, 4), (2, 4)),
    ("Promising", (3, 4), (1, 3), (3, 5)),
    ("New Customers", (4, 5), (1, 3), (1, 5)),
    ("Can't Lose Them", (1, 2), (3, 4), (4, 5)),
    ("At Risk", (1, 2), (2, 5), (4, 5)),
    ("Need Attention", (1, 3), (3, 5), (3, 5)),
    ("About To Sleep", (2, 3), (1, 3), (1, 4)),
    ("Lost", (1, 1), (1, 5), (1, 5)),
]


def r_quantile7(sorted_values, p):
    """R's quantile.default, type 7, as written in R's source."""
    n = len(sorted_values)
    index = 1 + (n - 1) * p
    lo, hi = math.floor(index), math.ceil(index)
    qs = sorted_values[lo - 1]
    x_hi = sorted_values[hi - 1]
    if index > lo and x_hi != qs:
        h = index - lo
        qs = (1 - h) * qs + h * x_hi
    return qs


def r_bins(values, n_bins=5):
    """R rfm's bins(), bins_lower() and bins_upper()."""
    s = sorted(values)
    by = 1 / n_bins  # seq(0, 1, length.out = n + 1) is i * (1 / n)
    breaks = [r_quantile7(s, i * by) + 1 for i in range(1, n_bins)]
    return [s[0]] + breaks, breaks + [s[-1] + 1]


def r_score(x, lower, upper, reverse):
    score = None
    n = len(lower)
    for i in range(n):
        if lower[i] <= x < upper[i]:
            score = n - i if reverse else i + 1
    return score


def r_segment(value, edges):
    """The R, F and M scores of (recency, frequency, monetary) and the
    first segment rule they match."""
    recency, frequency, monetary = value
    r = r_score(recency, *edges[0], reverse=True)
    f = r_score(frequency, *edges[1], reverse=False)
    m = r_score(monetary, *edges[2], reverse=False)
    segment = next((name for name, rr, ff, mm in RULES
                    if rr[0] <= r <= rr[1] and ff[0] <= f <= ff[1] and mm[0] <= m <= mm[1]),
                   "Others")
    return r, f, m, segment


def order_file_arguments(description):
    """The command line both references take: the binary, the order file
    and how to read its columns."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("binary")
    ap.add_argument("orders")
    ap.add_argument("--sep", default=",", help="a delimiter, or 'spaces' for runs of spaces")
    ap.add_argument("--no-header", action="store_true")
    ap.add_argument("--customer", default="customer_id")
    ap.add_argument("--date", default="order_date")
    ap.add_argument("--date-format", default="%Y-%m-%d")
    ap.add_argument("--amount", default="amount")
    return ap.parse_args()


def raw_rows(args):
    """A DuckDB connection with the order file's raw rows registered as `o`."""
    df = pandas.read_csv(args.orders, sep=r"\s+" if args.sep == "spaces" else args.sep, dtype=str,
                         header=None if args.no_header else 0, engine="python")
    df.columns = [str(c) for c in df.columns]
    con = duckdb.connect()
    con.register("o", df)
    return con


def typed_rows(args):
    """A DuckDB connection with the order file's rows typed as table `t`
    (customer_id, day, amount), beside the raw rows `o`."""
    con = raw_rows(args)
    con.execute(f"""
        create table t as
        select trim("{args.customer}") as customer_id,
               cast(strptime("{args.date}", '{args.date_format}') as date) as day,
               cast("{args.amount}" as double) as amount
        from o""")
    return con


def main():
    args = order_file_arguments(__doc__.splitlines()[0])
    path = args.orders
    con = raw_rows(args)
    agg = con.execute(f"""
        with t as (
            select trim("{args.customer}") as customer_id,
                   cast(strptime("{args.date}", '{args.date_format}') as date) as day,
                   cast("{args.amount}" as double) as amount
            from o)
        select customer_id,
               count(*) filter (where amount >= 0) as frequency,
               max(day) filter (where amount >= 0) as last_day,
               sum(amount) as monetary
        from t group by customer_id
        having count(*) filter (where amount >= 0) > 0
        order by customer_id
    """).fetchall()
    last_order = max(r[2] for r in agg)
    as_of = con.execute("select ?::date + 1", [last_order]).fetchone()[0]
    values = {
        r[0]: ((as_of - r[2]).days, r[1], r[3]) for r in agg
    }
    rec = [v[0] for v in values.values()]
    fre = [v[1] for v in values.values()]
    mon = [v[2] for v in values.values()]
    edges = [r_bins(rec), r_bins(fre), r_bins(mon)]

    out = subprocess.run([args.binary, "rfm", "--orders", path], check=True,
                         capture_output=True, text=True).stdout
    got = list(csv.DictReader(io.StringIO(out)))
    assert len(got) == len(values), f"{len(got)} customers scored, reference {len(values)}"
    for row in got:
        key = row["customer_id"]
        recency, frequency, monetary = values[key]
        r, f, m, segment = r_segment(values[key], edges)
        want = (recency, frequency, round(monetary, 2), r, f, m, 100 * r + 10 * f + m, segment)
        have = (int(row["recency_days"]), int(row["frequency"]), float(row["monetary"]),
                int(row["r"]), int(row["f"]), int(row["m"]), int(row["rfm_score"]), row["segment"])
        assert abs(have[2] - want[2]) < 0.0051 and have[:2] == want[:2] and have[3:] == want[3:], \
            f"customer {key}: seglens {have}, reference {want}"
    print(f"{path}: {len(got)} customers, identical to the reference")


if __name__ == "__main__":
    main()
