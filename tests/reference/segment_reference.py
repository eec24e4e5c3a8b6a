"""Checks segments against independent references on the demo files:

- `seglens segment` rules against the same conditions written in SQL and run
  by DuckDB (exact sets of customer ids);
- `seglens lifecycle --flows` against the monthly new / returning /
  resurrecting / dormant counts computed with pandas;
- `seglens cluster` against scikit-learn's KMeans on the same features,
  computed here from the raw orders and standardised with StandardScaler
  (our inertia within 1% of scikit-learn's, or lower).

Usage: python segment_reference.py SEGLENS_BINARY DEMO_DIR
Exits non-zero on the first difference.
"""

import io
import json
import os
import subprocess
import sys
import tempfile

import duckdb
import numpy
import pandas
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

RULES = {
    # The example: men aged 35 to 40 interested in DIY who have not
    # ordered in the last 6 weeks.
    "example": (
        {"all": [
            {"attribute": "gender", "equals": "M"},
            {"attribute": "age", "between": [35, 40]},
            {"attribute": "interests", "contains": "DIY"},
            {"measure": "orders", "days": 42, "at_most": 0},
        ]},
        """select customer_id from c
           where upper(trim(gender)) = 'M'
             and try_cast(age as double) between 35 and 40
             and lower(interests) like '%diy%'
             and customer_id not in (
               select customer_id from o
               where cast(amount as double) >= 0
                 and cast(order_date as date) >= date '{as_of}' - 42
                 and cast(order_date as date) < date '{as_of}')""",
    ),
    # Not a promoter (no answer counts as not a promoter) with two orders.
    "not_promoter": (
        {"all": [
            {"not": {"measure": "nps", "at_least": 9}},
            {"measure": "orders", "at_least": 2},
        ]},
        """select customer_id from o
           where cast(amount as double) >= 0 and cast(order_date as date) < date '{as_of}'
           group by customer_id having count(*) >= 2
           except
           select customer_id from (
             select customer_id, arg_max(cast(nps as int), answered_at) as nps
             from s where nps is not null and nps <> '' group by customer_id)
           where nps >= 9""",
    ),
    # Spent 100 or more, and either opened no e-mail in 90 days or added to
    # a cart twice in the last 30 days.
    "mixed": (
        {"all": [
            {"measure": "spend", "at_least": 100},
            {"any": [
                {"measure": "email_opens", "days": 90, "at_most": 0},
                {"event": "add_to_cart", "at_least": 2, "within_days": 30},
            ]},
        ]},
        """with spend as (
             select customer_id from o where cast(order_date as date) < date '{as_of}'
             group by customer_id having sum(cast(amount as double)) >= 100),
           opened as (
             select distinct customer_id from e
             where opened = '1'
               and cast(cast(sent_at as timestamp) as date) >= date '{as_of}' - 90
               and cast(cast(sent_at as timestamp) as date) < date '{as_of}'),
           carts as (
             select customer_id from v
             where event = 'add_to_cart'
               and cast(timestamp as timestamp) >= cast(date '{as_of}' - 30 as timestamp)
               and cast(timestamp as timestamp) < cast(date '{as_of}' as timestamp)
             group by customer_id having count(*) >= 2)
           select customer_id from spend
           where customer_id not in (select customer_id from opened)
              or customer_id in (select customer_id from carts)""",
    ),
    # Spent 50 or more on classical music in the last year, outside Paris
    # (customers without a city are not in Paris).
    "category": (
        {"all": [
            {"measure": "spend", "category": "classical", "days": 365, "at_least": 50},
            {"not": {"attribute": "city", "equals": "Paris"}},
        ]},
        """select customer_id from o
           where lower(category) = 'classical'
             and cast(order_date as date) >= date '{as_of}' - 365
             and cast(order_date as date) < date '{as_of}'
           group by customer_id having sum(cast(amount as double)) >= 50
           except
           select customer_id from c where upper(trim(city)) = 'PARIS'""",
    ),
    # Wrote to support in the last 180 days and is a detractor.
    "tickets": (
        {"all": [
            {"measure": "tickets", "days": 180, "at_least": 1},
            {"measure": "nps", "at_most": 6},
        ]},
        """select customer_id from t
           where cast(created_at as timestamp) >= cast(date '{as_of}' - 180 as timestamp)
             and cast(created_at as timestamp) < cast(date '{as_of}' as timestamp)
           intersect
           select customer_id from (
             select customer_id, arg_max(cast(nps as int), answered_at) as nps
             from s where nps is not null and nps <> '' group by customer_id)
           where nps <= 6""",
    ),
}


def run(args):
    return subprocess.run(args, check=True, capture_output=True, text=True)


def main():
    binary, folder = sys.argv[1], sys.argv[2]
    files = {n: f"{folder}/{n}.csv" for n in ("orders", "customers", "email", "surveys", "events", "tickets")}
    con = duckdb.connect()
    for alias, name in (("o", "orders"), ("c", "customers"), ("e", "email"), ("s", "surveys"), ("v", "events"),
                        ("t", "tickets")):
        con.execute(f"create table {alias} as select * from read_csv('{files[name]}', header=true, all_varchar=true)")
    as_of = con.execute(
        "select max(cast(order_date as date)) + 1 from o where cast(amount as double) >= 0").fetchone()[0]
    base = [binary, "segment"] + [x for n in files for x in (f"--{n}", files[n])]

    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (rule, sql) in RULES.items():
            path = os.path.join(tmp, f"{name}.json")
            with open(path, "w") as f:
                json.dump(rule, f)
            ours = set(run(base + ["--rule", path]).stdout.split())
            theirs = {r[0] for r in con.execute(sql.format(as_of=as_of)).fetchall()}
            if ours != theirs or not theirs:
                failures += 1
                print(f"rule {name}: seglens {len(ours)}, DuckDB {len(theirs)}; "
                      f"only seglens {sorted(ours - theirs)[:5]}, only DuckDB {sorted(theirs - ours)[:5]}")
            else:
                print(f"rule {name}: {len(ours)} customers, same ids as DuckDB")

    failures += check_within_rfm(binary, base, files["orders"], con)
    failures += check_cross_sell(binary, files["orders"], con, as_of)
    failures += check_flows(binary, files["orders"], as_of)
    failures += check_cohorts(binary, files["orders"], as_of)
    failures += check_activity(binary, files, as_of)
    failures += check_migration(binary, files["orders"], as_of)
    failures += check_kmeans(binary, files["orders"], as_of)
    if failures:
        sys.exit(f"{failures} differences")


def check_within_rfm(binary, base, orders_path, con):
    """The halves of a split suggestion: the detractors of each RFM segment
    (segments from `seglens rfm`, last NPS answers in DuckDB)."""
    rfm = pandas.read_csv(io.StringIO(run([binary, "rfm", "--orders", orders_path]).stdout),
                          dtype={"customer_id": str})
    con.register("rfm", rfm)
    failures = 0
    for segment in sorted(rfm.segment.unique()):
        definition = {"Within": {"parent": {"Rfm": segment}, "rule": json.dumps({"measure": "nps", "at_most": 6})}}
        ours = set(run(base + ["--definition", json.dumps(definition)]).stdout.split())
        theirs = {r[0] for r in con.execute("""
            select customer_id from rfm join (
                select customer_id, arg_max(cast(nps as int), answered_at) as nps
                from s where nps is not null and nps <> '' group by customer_id) using (customer_id)
            where segment = ? and nps <= 6""", [segment]).fetchall()}
        if ours != theirs:
            failures += 1
            print(f"{segment}, detractors: seglens {len(ours)}, DuckDB {len(theirs)}")
    print(f"detractors within each of {rfm.segment.nunique()} RFM segments: same ids as DuckDB"
          if not failures else f"{failures} RFM segments differ")
    return failures


def check_cross_sell(binary, orders_path, con, as_of):
    ours = pandas.read_csv(io.StringIO(run([binary, "cross-sell", "--orders", orders_path, "--min", "10"]).stdout))
    theirs = con.execute(f"""
        with baskets as (
            select distinct customer_id, category from o
            where cast(amount as double) >= 0 and cast(order_date as date) < date '{as_of}'
              and category is not null and category <> ''),
        buyers as (select count(distinct customer_id) as n from baskets),
        single as (select category, count(*) as k from baskets group by category)
        select a.category as "from", b.category as "to", count(*) as both, sa.k as from_buyers,
               count(*) / buyers.n as support, count(*) / sa.k as confidence,
               (count(*) / sa.k) / (sb.k / buyers.n) as lift
        from baskets a join baskets b on a.customer_id = b.customer_id and a.category <> b.category
        join single sa on sa.category = a.category
        join single sb on sb.category = b.category, buyers
        group by a.category, b.category, sa.k, sb.k, buyers.n
        having count(*) >= 10""").df()
    key = ["from", "to"]
    merged = ours.merge(theirs, on=key, how="outer", suffixes=("", "_ref"), indicator=True)
    bad = merged[merged["_merge"] != "both"]
    for col in ["both", "from_buyers", "support", "confidence", "lift"]:
        diff = (merged[col] - merged[col + "_ref"]).abs() > 1e-6
        bad = pandas.concat([bad, merged[diff]])
    if len(bad) or not len(ours):
        print("cross-sell differs:\n", bad.head(10))
        return 1
    print(f"cross-sell: {len(ours)} category pairs, same support, confidence and lift as DuckDB")
    return 0


def check_flows(binary, orders_path, as_of):
    ours = pandas.read_csv(io.StringIO(run([binary, "lifecycle", "--orders", orders_path, "--flows"]).stdout))
    o = pandas.read_csv(orders_path, dtype={"customer_id": str}, parse_dates=["order_date"])
    o = o[(o.amount >= 0) & (o.order_date < pandas.Timestamp(as_of))]
    o["month"] = o.order_date.dt.year * 12 + o.order_date.dt.month - 1
    active = o[["customer_id", "month"]].drop_duplicates()
    months = range(active.month.min(), active.month.max() + 1)
    sets = {m: set(active.customer_id[active.month == m]) for m in months}
    first = active.groupby("customer_id").month.min()
    rows = []
    seen = set()
    for m in months:
        now, prev = sets[m], sets.get(m - 1, set())
        new = {c for c in now if first[c] == m}
        rows.append((f"{m // 12}-{m % 12 + 1:02d}", len(new), len(now & prev),
                     len((now - prev - new) & seen), len(prev - now)))
        seen |= now
    theirs = pandas.DataFrame(rows, columns=["month", "new", "returning", "resurrecting", "dormant"])
    mine = ours[["month", "new", "returning", "resurrecting", "dormant"]]
    if not mine.reset_index(drop=True).equals(theirs):
        print("lifecycle flows differ:\n", pandas.concat([mine, theirs], axis=1).head(30))
        return 1
    print(f"lifecycle flows: {len(theirs)} months, same counts as pandas")
    return 0


def check_cohorts(binary, orders_path, as_of):
    ours = pandas.read_csv(io.StringIO(run([binary, "cohorts", "--orders", orders_path]).stdout))
    o = pandas.read_csv(orders_path, dtype={"customer_id": str}, parse_dates=["order_date"])
    o = o[o.order_date < pandas.Timestamp(as_of)].copy()
    o["month"] = o.order_date.dt.year * 12 + o.order_date.dt.month - 1
    first = o[o.amount >= 0].groupby("customer_id").month.min().rename("first")
    o = o.join(first, on="customer_id").dropna(subset=["first"])
    o["months_after"] = (o.month - o["first"]).astype(int)
    sizes = first.value_counts().rename("size")
    active = o[o.amount >= 0].groupby(["first", "months_after"]).customer_id.nunique().rename("active")
    revenue = o.groupby(["first", "months_after"]).amount.sum().rename("revenue")
    theirs = pandas.concat([active, revenue], axis=1).reset_index()
    theirs["cohort"] = theirs["first"].map(lambda m: f"{int(m) // 12}-{int(m) % 12 + 1:02d}")
    theirs["size"] = theirs["first"].map(sizes)
    mine = ours[(ours.active > 0) | (ours.revenue != 0)]
    merged = mine.merge(theirs, on=["cohort", "months_after"], how="outer", suffixes=("", "_ref"), indicator=True)
    bad = merged[(merged["_merge"] != "both")
                 | (merged["size"] != merged["size_ref"])
                 | (merged["active"] != merged["active_ref"].fillna(0))
                 | ((merged["revenue"] - merged["revenue_ref"]).abs() > 0.006)]
    if len(bad):
        print("cohorts differ:\n", bad.head(10))
        return 1
    print(f"cohorts: {len(mine)} cohort-months, same sizes, active customers and revenue as pandas")
    return 0


def check_activity(binary, files, as_of):
    ours = pandas.read_csv(io.StringIO(run([binary, "activity", "--orders", files["orders"],
                                            "--events", files["events"]]).stdout))
    v = pandas.read_csv(files["events"], dtype={"customer_id": str})
    v = v[v.customer_id.notna()]
    t = pandas.to_datetime(v.timestamp, utc=True)
    t = t[t < pandas.Timestamp(as_of, tz="UTC")]
    theirs = t.groupby([t.dt.weekday + 1, t.dt.hour]).size()
    mine = ours.set_index(["weekday", "hour"]).events
    mine = mine[mine > 0]
    theirs.index.names = ["weekday", "hour"]
    if not mine.sort_index().equals(theirs.sort_index().astype(mine.dtype)):
        print("activity differs:\n", pandas.concat([mine, theirs], axis=1).head(10))
        return 1
    print(f"activity: {int(mine.sum())} events in {len(mine)} weekday-hours, same as pandas")
    return 0


def check_migration(binary, orders_path, as_of):
    earlier = (pandas.Timestamp(as_of) - pandas.Timedelta(days=90)).strftime("%Y-%m-%d")
    ours = pandas.read_csv(io.StringIO(run([binary, "migration", "--orders", orders_path, "--from", earlier]).stdout))
    rfm = lambda d: pandas.read_csv(io.StringIO(run([binary, "rfm", "--orders", orders_path, "--as-of", d]).stdout),
                                    dtype={"customer_id": str})[["customer_id", "segment"]]
    before = rfm(earlier).rename(columns={"segment": "from_segment"})
    after = rfm(str(as_of)).rename(columns={"segment": "to_segment"})
    joined = after.merge(before, on="customer_id", how="left").fillna({"from_segment": "Not yet a customer"})
    theirs = joined.groupby(["from_segment", "to_segment"]).size().rename("customers").reset_index()
    merged = ours.merge(theirs, on=["from_segment", "to_segment"], how="outer", suffixes=("", "_ref"))
    bad = merged[merged.customers != merged.customers_ref]
    if len(bad) or not len(ours):
        print("migration differs:\n", bad.head(10))
        return 1
    print(f"migration from {earlier}: {len(ours)} moves, {ours.customers.sum()} customers, same counts as two rfm runs joined in pandas")
    return 0


def check_kmeans(binary, orders_path, as_of):
    o = pandas.read_csv(orders_path, dtype={"customer_id": str}, parse_dates=["order_date"])
    o = o[o.order_date < pandas.Timestamp(as_of)]
    gross = o[o.amount >= 0]
    as_of = pandas.Timestamp(as_of)
    per = pandas.DataFrame({
        "recency": (as_of - gross.groupby("customer_id").order_date.max()).dt.days,
        "frequency": gross.groupby("customer_id").size(),
        "monetary": o.groupby("customer_id").amount.sum(),
        "tenure": (as_of - gross.groupby("customer_id").order_date.min()).dt.days,
    }).dropna()
    x = StandardScaler().fit_transform(per.to_numpy(dtype=float))
    failures = 0
    for k, seed in ((3, 1), (5, 7), (8, 42)):
        sk = KMeans(n_clusters=k, n_init=10, random_state=seed, algorithm="lloyd").fit(x)
        err = run([binary, "cluster", "--orders", orders_path, "--k", str(k), "--seed", str(seed),
                   "--runs", "10", "--features", "recency,frequency,monetary,tenure"]).stderr
        ours = float(next(l for l in err.splitlines() if l.startswith("inertia:")).split()[1])
        ratio = ours / sk.inertia_
        ok = ratio <= 1.01
        failures += not ok
        print(f"k-means k={k} seed={seed}: inertia seglens {ours:.3f}, scikit-learn {sk.inertia_:.3f} "
              f"(ratio {ratio:.4f}) {'ok' if ok else 'MORE THAN 1% WORSE'}")
    return failures


if __name__ == "__main__":
    numpy.seterr(all="ignore")
    main()
