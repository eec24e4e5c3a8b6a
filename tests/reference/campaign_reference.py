"""Checks `seglens campaign` against a computation from the raw rows.

From the order file, a sends file is drawn at random (seeded): a win-back
campaign sent to 60% of the customers who ordered before its send day,
with a 20% random control group, some customers sent on a second day too;
and an A/B test of two variants without a control group, sent two weeks
later to other customers, some of whom had not ordered yet or never do.
The orders are the file's, plus an effect: an extra order three days
after the send for 12% of the win-back's treated customers and 8% of
variant B's, so that some segments' uplifts are significant and others
not (and Holm's adjustment matters).

For each campaign and customer: the first send day; the RFM segment on the
orders dated before it, the analysis date being that day (DuckDB
aggregates, R's `rfm` rules as rfm_reference.py re-implements them);
converted when an order (not a refund) is dated from that day to before
that day + the window; revenue the amounts in those days. Per segment and
group: pandas counts and sums; the uplift's 95% interval from statsmodels'
confint_proportions_2indep (Wald, difference), its p-value from
proportions_ztest, Holm's adjustment over the segments from multipletests,
and the revenue per customer's from scipy's Welch test and statsmodels'
CompareMeans.

Usage: python campaign_reference.py SEGLENS_BINARY ORDERS_FILE [--sep ... --date ...]
Exits non-zero on the first difference.
"""

import csv
import datetime
import io
import json
import os
import subprocess
import tempfile

import numpy
import pandas
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from rfm_reference import RULES, order_file_arguments, r_bins, r_segment, typed_rows

WINDOW = 30
ALL, NONE = "All customers", "No order before"


def close(a, b, what, tol=1e-9):
    assert abs(a - b) <= tol * max(1.0, abs(b)), f"{what}: seglens {a}, reference {b}"


def segments_at(con, day):
    """Each customer's RFM segment on the orders dated before `day`."""
    agg = con.execute("""
        select customer_id,
               count(*) filter (where amount >= 0),
               max(day) filter (where amount >= 0),
               sum(amount)
        from t where day < ?
        group by customer_id
        having count(*) filter (where amount >= 0) > 0
    """, [day]).fetchall()
    values = [((day - r[2]).days, r[1], r[3]) for r in agg]
    edges = [r_bins([v[i] for v in values]) for i in range(3)]
    return {r[0]: r_segment(v, edges)[3] for r, v in zip(agg, values)}


def main():
    args = order_file_arguments(__doc__.splitlines()[0])
    con = typed_rows(args)
    orders = con.execute("select * from t").df()
    orders["day"] = pandas.to_datetime(orders["day"]).dt.date
    first, last = orders["day"].min(), orders["day"].max()
    send = first + datetime.timedelta(days=int((last - first).days * 0.6))
    later = send + datetime.timedelta(days=14)

    rng = numpy.random.default_rng(20261206)
    before = sorted(orders.loc[orders["day"] < send, "customer_id"].unique())
    chosen = rng.choice(before, size=int(len(before) * 0.6), replace=False)
    control = rng.random(len(chosen)) < 0.2
    rows = [(c, "Win-back", send, "control" if h else "treatment", "") for c, h in zip(chosen, control)]
    # Some customers were sent again two days later: their first day counts.
    for c, h in list(zip(chosen, control))[:50]:
        rows.append((c, "Win-back", send + datetime.timedelta(days=2), "control" if h else "treatment", ""))
    others = sorted(set(orders["customer_id"]) - set(chosen))
    ab = rng.choice(others, size=min(len(others), 3000), replace=False)
    rows += [(c, "Offer A/B", later, "treatment", "A" if rng.random() < 0.5 else "B") for c in ab]
    rows += [(f"NEW{i}", "Offer A/B", later, "treatment", "AB"[i % 2]) for i in range(40)]

    extra = []
    for c, name, day, group, variant in rows:
        share = 0.12 if group == "treatment" and name == "Win-back" else 0.08 if variant == "B" else 0
        if share and rng.random() < share:
            extra.append((c, day + datetime.timedelta(days=3), 30.0))
    extra = pandas.DataFrame(extra, columns=["customer_id", "day", "amount"]).drop_duplicates("customer_id")
    orders = pandas.concat([orders, extra], ignore_index=True)
    con.register("extra", extra)
    con.execute("insert into t select customer_id, cast(day as date), amount from extra")

    with tempfile.TemporaryDirectory() as tmp:
        order_file = os.path.join(tmp, "orders.csv")
        orders.assign(order_date=[d.isoformat() for d in orders["day"]])[
            ["customer_id", "order_date", "amount"]].to_csv(order_file, index=False)
        # Each campaign in a file of its own, as a tool exports it: the
        # win-back's with a group column, the A/B test's with a variant.
        def sends_file(name, campaign, last):
            """The campaign's rows with `last` (group or variant) as the
            fourth column."""
            path = os.path.join(tmp, name)
            with open(path, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["customer_id", "campaign", "sent_at", last])
                for c, n, day, group, variant in rows:
                    if n == campaign:
                        w.writerow([c, n, day.isoformat(), group if last == "group" else variant])
            return path

        winback = sends_file("winback.csv", "Win-back", "group")
        abfile = sends_file("ab.csv", "Offer A/B", "variant")
        checked = 0
        significant = [0, 0, 0]
        for path, campaign in [(winback, "Win-back"), (abfile, "Offer A/B")]:
            run = lambda fmt: subprocess.run(
                [args.binary, "campaign", "--orders", order_file, "--sends", path,
                 "--window-days", str(WINDOW), "--format", fmt],
                check=True, capture_output=True, text=True).stdout
            got_csv = list(csv.DictReader(io.StringIO(run("csv"))))
            got_json = json.loads(run("json"))
            checked += check(con, orders, rows, campaign, got_csv, got_json, significant)
    print(f"{args.orders}: 2 campaigns, {checked} segment x group rows identical to the reference "
          f"(statsmodels intervals, Holm, Welch); {significant[0]} of {significant[1]} segment "
          f"uplifts significant after Holm, {significant[2]} before")


def check(con, orders, rows, campaign, got_csv, got_json, significant):
    sends = pandas.DataFrame([r for r in rows if r[1] == campaign],
                             columns=["customer_id", "campaign", "day", "group", "variant"])
    first = sends.groupby("customer_id", sort=False).agg(day=("day", "min"), group=("group", "first"),
                                                         variant=("variant", "first")).reset_index()
    arm = first["variant"].where(first["variant"] != "", first["group"])
    first["arm"] = arm
    segs = {}
    for day in first["day"].unique():
        segs[day] = segments_at(con, day)
    first["segment"] = [segs[d].get(c, NONE) for c, d in zip(first["customer_id"], first["day"])]
    by = orders.groupby("customer_id")
    conv, rev = [], []
    for c, d in zip(first["customer_id"], first["day"]):
        if c not in by.groups:
            conv.append(False)
            rev.append(0.0)
            continue
        o = by.get_group(c)
        inside = o[(o["day"] >= d) & (o["day"] < d + datetime.timedelta(days=WINDOW))]
        conv.append(bool((inside["amount"] >= 0).any()))
        rev.append(float(inside["amount"].sum()))
    first["converted"], first["revenue"] = conv, rev

    arms = sorted(first["arm"].unique(), key=lambda a: (a == "control", a))
    reference = "control" if "control" in arms else arms[0]
    names = [name for name, *_ in RULES] + ["Others", NONE]
    want_rows = []
    fits = []
    for segment in [ALL] + names:
        inside = first if segment == ALL else first[first["segment"] == segment]
        if inside.empty:
            continue
        for a in arms:
            g = inside[inside["arm"] == a]
            want_rows.append((segment, a, len(g), int(g["converted"].sum()), float(g["revenue"].sum())))
        base = inside[inside["arm"] == reference]
        for a in arms:
            if a == reference:
                continue
            g = inside[inside["arm"] == a]
            k1, n1, k2, n2 = int(g["converted"].sum()), len(g), int(base["converted"].sum()), len(base)
            if n1 == 0 or n2 == 0:
                continue
            low, high = confint_proportions_2indep(k1, n1, k2, n2, method="wald", compare="diff")
            pooled = (k1 + k2) / (n1 + n2)
            p = 1.0 if pooled in (0.0, 1.0) else proportions_ztest([k1, k2], [n1, n2])[1]
            welch = None
            if n1 > 1 and n2 > 1:
                x1, x2 = g["revenue"].to_numpy(), base["revenue"].to_numpy()
                if x1.var(ddof=1) + x2.var(ddof=1) > 0:
                    wp = stats.ttest_ind(x1, x2, equal_var=False).pvalue
                    wl, wh = CompareMeans(DescrStatsW(x1), DescrStatsW(x2)).tconfint_diff(usevar="unequal")
                    welch = (x1.mean() - x2.mean(), wl, wh, wp)
            fits.append((segment, a, k1 / n1 - k2 / n2, low, high, p, welch))

    # Holm over the segments (not "All"), conversion and revenue apart.
    adjusted = {}
    conv_family = [f for f in fits if f[0] != ALL]
    if conv_family:
        for f, q in zip(conv_family, multipletests([f[5] for f in conv_family], method="holm")[1]):
            adjusted[(f[0], f[1], "conversion")] = q
    rev_family = [f for f in fits if f[0] != ALL and f[6] is not None]
    if rev_family:
        for f, q in zip(rev_family, multipletests([f[6][3] for f in rev_family], method="holm")[1]):
            adjusted[(f[0], f[1], "revenue")] = q

    label = lambda a: "treatment" if a == "treatment" else a
    got = [r for r in got_csv if r["campaign"] == campaign]
    assert len(got) == len(want_rows), f"{campaign}: {len(got)} rows from seglens, {len(want_rows)} expected"
    uplift_of = {(f[0], f[1]): f for f in fits}
    for have, (segment, a, n, k, revenue) in zip(got, want_rows):
        assert (have["segment"], have["group"]) == (segment, label(a)), f"{have} vs {(segment, a)}"
        assert (int(have["customers"]), int(have["converted"])) == (n, k), f"{campaign} {segment} {a}: {have}"
        close(float(have["revenue"]), revenue, f"{campaign} {segment} {a} revenue", 1e-9)
        if n:
            close(float(have["conversion_rate"]), k / n, f"{campaign} {segment} {a} rate")
        fit = uplift_of.get((segment, a))
        if fit is None:
            assert have["uplift"] == "", f"{campaign} {segment} {a}: an uplift where none is expected"
        else:
            close(float(have["uplift"]), fit[2], f"{segment} {a} uplift")
            close(float(have["uplift_low"]), fit[3], f"{segment} {a} uplift low")
            close(float(have["uplift_high"]), fit[4], f"{segment} {a} uplift high")

    [result] = [c for c in got_json if c["name"] == campaign]
    seen = 0
    for audience in result["audiences"]:
        who = audience["audience"]
        segment = ALL if who == "All" else NONE if who == "NoOrderBefore" else who["Rfm"]
        for u in audience["uplifts"]:
            a = "treatment" if u["arm"] == "Sent" else u["arm"]["Variant"]
            fit = uplift_of[(segment, a)]
            close(u["conversion"]["p"], fit[5], f"{segment} {a} p", 1e-7)
            if segment != ALL:
                close(u["conversion"]["p_adjusted"], adjusted[(segment, a, "conversion")],
                      f"{segment} {a} Holm", 1e-7)
                significant[0] += adjusted[(segment, a, "conversion")] < 0.05
                significant[1] += 1
                significant[2] += fit[5] < 0.05
            if fit[6] is None:
                continue
            d, lo, hi, wp = fit[6]
            r = u["revenue_per_customer"]
            close(r["value"], d, f"{segment} {a} revenue uplift")
            close(r["low"], lo, f"{segment} {a} revenue uplift low", 1e-7)
            close(r["high"], hi, f"{segment} {a} revenue uplift high", 1e-7)
            close(r["p"], wp, f"{segment} {a} Welch p", 1e-7)
            if segment != ALL:
                close(r["p_adjusted"], adjusted[(segment, a, "revenue")], f"{segment} {a} Welch Holm", 1e-7)
            seen += 1
    assert seen > 0, f"{campaign}: no revenue uplift checked"
    return len(want_rows)


if __name__ == "__main__":
    main()
