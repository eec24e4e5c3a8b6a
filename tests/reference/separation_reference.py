"""Checks `seglens separation` (the RFM segments as a whole) against scipy and scikit-learn.

The customers' recency, frequency and monetary values come from DuckDB SQL
over the raw rows dated before the analysis date (refunds lower the
monetary value and are not orders), their segments from R's `rfm` rules
as tests/reference/rfm_reference.py re-implements them. Then:
- the share of each value's variance between the segments (eta squared) is
  derived from scipy's one-way ANOVA F statistic:
  eta2 = F (k - 1) / (F (k - 1) + N - k);
- the mean silhouette is scikit-learn's `silhouette_score` on the three
  values standardised by `StandardScaler` (when seglens measured every
  customer, i.e. up to its sample size);
- the overlap matrix's diagonal is each segment's size, off it zero.

Usage: python separation_reference.py SEGLENS_BINARY ORDERS_FILE [--sep ... --date ...]
Exits non-zero on the first difference.
"""

import datetime
import json
import subprocess

import numpy
from scipy.stats import f_oneway
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from rfm_reference import RULES, order_file_arguments, r_bins, r_segment, raw_rows


def main():
    args = order_file_arguments(__doc__.splitlines()[0])
    out = subprocess.run([args.binary, "separation", "--orders", args.orders, "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    got = json.loads(out)
    as_of = datetime.date.fromisoformat(got["as_of"])

    con = raw_rows(args)
    rows = con.execute(f"""
        select trim("{args.customer}") as customer_id,
               count(*) filter (where amount >= 0) as frequency,
               max(day) filter (where amount >= 0) as last_day,
               sum(amount) as monetary
        from (select "{args.customer}",
                     cast(strptime("{args.date}", '{args.date_format}') as date) as day,
                     cast("{args.amount}" as double) as amount
              from o)
        where day < ?
        group by 1
        having count(*) filter (where amount >= 0) > 0
        order by 1
    """, [as_of]).fetchall()
    values = [((as_of - r[2]).days, r[1], r[3]) for r in rows]
    edges = [r_bins([v[i] for v in values]) for i in range(3)]
    names = [name for name, *_ in RULES] + ["Others"]
    labels = numpy.array([names.index(r_segment(v, edges)[3]) for v in values])
    x = numpy.array(values, dtype=float)

    assert got["groups"] == names, f"groups {got['groups']}"
    sizes = [int((labels == g).sum()) for g in range(len(names))]
    for g, row in enumerate(got["overlap"]):
        for h, both in enumerate(row):
            want = sizes[g] if g == h else 0
            assert both == want, f"overlap of {names[g]} and {names[h]}: seglens {both}, reference {want}"
    assert got["measured"] == len(values) and got["in_several"] == 0, (got["measured"], len(values))

    present = [g for g in range(len(names)) if sizes[g] > 0]
    k, n = len(present), len(values)
    for d, measure in enumerate(["recency", "frequency", "monetary"]):
        f = f_oneway(*[x[labels == g, d] for g in present]).statistic
        eta2 = f * (k - 1) / (f * (k - 1) + n - k)
        have = next(s["between"] for s in got["spreads"] if s["measure"] == measure)
        assert abs(have - eta2) < 1e-9, f"eta squared of {measure}: seglens {have}, scipy {eta2}"

    checked = "eta squared"
    if got["silhouette_sample"] == n:
        want = silhouette_score(StandardScaler().fit_transform(x), labels)
        assert abs(got["silhouette"] - want) < 1e-9, f"silhouette: seglens {got['silhouette']}, scikit-learn {want}"
        checked += " and silhouette"
    print(f"{args.orders}: {n} customers in {k} segments, overlap, {checked} identical to the reference "
          f"(silhouette {got['silhouette']:.3f}, verdict {got['verdict']})")


if __name__ == "__main__":
    main()
