"""Checks `seglens history` against an independent computation.

At each month end E from the first order's month to the last order's (E on
or before the last order's day), the customers' values come from DuckDB
SQL over the raw rows dated up to E (refunds lower the monetary value and
are not orders), the analysis date is E + 1, and scores and segments follow
R's `rfm` as tests/reference/rfm_reference.py re-implements it.

Usage: python history_reference.py SEGLENS_BINARY ORDERS_FILE [--sep ... --date ...]
Exits non-zero on the first difference.
"""

import csv
import datetime
import io
import subprocess

from rfm_reference import RULES, order_file_arguments, r_bins, r_segment, typed_rows


def month_ends(first, last):
    """The last day of every month from first's to last's, up to last."""
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
        end = nxt - datetime.timedelta(days=1)
        if first <= end <= last:
            yield end
        year, month = nxt.year, nxt.month


def main():
    args = order_file_arguments(__doc__.splitlines()[0])
    con = typed_rows(args)
    first = con.execute("select min(day) from t").fetchone()[0]
    last = con.execute("select max(day) from t where amount >= 0").fetchone()[0]
    names = [name for name, *_ in RULES] + ["Others"]

    want = []
    for end in month_ends(first, last):
        agg = con.execute("""
            select customer_id,
                   count(*) filter (where amount >= 0) as frequency,
                   max(day) filter (where amount >= 0) as last_day,
                   sum(amount) as monetary
            from t where day <= ?
            group by customer_id
            having count(*) filter (where amount >= 0) > 0
        """, [end]).fetchall()
        as_of = end + datetime.timedelta(days=1)
        values = [((as_of - r[2]).days, r[1], r[3]) for r in agg]
        edges = [r_bins([v[i] for v in values]) for i in range(3)]
        counts = dict.fromkeys(names, 0)
        for value in values:
            counts[r_segment(value, edges)[3]] += 1
        want += [(end.isoformat(), name, counts[name]) for name in names]

    out = subprocess.run([args.binary, "history", "--orders", args.orders], check=True,
                         capture_output=True, text=True).stdout
    got = [(r["month_end"], r["segment"], int(r["customers"])) for r in csv.DictReader(io.StringIO(out))]
    assert len(got) == len(want), f"{len(got)} rows from seglens, {len(want)} from the reference"
    for have, expected in zip(got, want):
        assert have == expected, f"seglens {have}, reference {expected}"
    months = len(want) // len(names)
    print(f"{args.orders}: {months} month ends x {len(names)} segments, identical to the reference")


if __name__ == "__main__":
    main()
