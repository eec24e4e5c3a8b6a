"""Checks `seglens update` against an independent computation.

The order file is cut in two exports as a shop would send them: the first
up to a month end E1, the next from the month end before it, E0, on (one
month in both). A project of the first (`seglens project`) updated with the
next (`seglens update`) must hold exactly the whole file's orders (its
`seglens rfm` equal to the whole file's), count the overlap month's rows as
already there, and name who entered and who left each RFM segment as pandas
finds it: the segments of the first export at the day after its last order
and of the whole file at the day after its last order, scored by R's `rfm`
rules as tests/reference/rfm_reference.py re-implements them. The whole
file given as the update replaces the orders, with the same moves; the
first export given again is refused without --yes and writes nothing.

Usage: python update_reference.py SEGLENS_BINARY ORDERS_FILE [--sep ... --date ...]
       python update_reference.py --moves OLD.csv NEW.csv   (prints the moves as JSON)
Exits non-zero on the first difference.
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile

import pandas

from rfm_reference import r_bins, r_segment, order_file_arguments, raw_rows


def segments_of(rows):
    """customer -> RFM segment of a (customer, day, amount) frame, at the
    day after its last order (refunds lower the monetary value only)."""
    orders = rows[rows.amount >= 0]
    as_of = orders.day.max() + datetime.timedelta(days=1)
    agg = rows.groupby("customer").agg(monetary=("amount", "sum"))
    agg["frequency"] = orders.groupby("customer").size()
    agg["last"] = orders.groupby("customer").day.max()
    agg = agg.dropna(subset=["frequency"])
    values = {c: ((as_of - r["last"]).days, int(r.frequency), r.monetary) for c, r in agg.iterrows()}
    edges = [r_bins([v[i] for v in values.values()]) for i in range(3)]
    return {c: r_segment(v, edges)[3] for c, v in values.items()}


def moves(old_rows, new_rows):
    """segment -> (entered, left), sorted keys; and the new customers."""
    before, after = segments_of(old_rows), segments_of(new_rows)
    names = set(before.values()) | set(after.values())
    out = {}
    for name in names:
        was = {c for c, s in before.items() if s == name}
        now = {c for c, s in after.items() if s == name}
        out[name] = (sorted(now - was), sorted(was - now))
    had = set(old_rows[old_rows.amount >= 0].customer)
    new_customers = sorted(set(new_rows[new_rows.amount >= 0].customer) - had)
    return out, new_customers


def read_simple(path):
    """customer_id, order_date (ISO), amount of a CSV as seglens demo writes it."""
    df = pandas.read_csv(path, dtype=str)
    return pandas.DataFrame({
        "customer": df.customer_id.str.strip(),
        "day": pandas.to_datetime(df.order_date, format="%Y-%m-%d").dt.date,
        "amount": df.amount.astype(float),
    })


def run(binary, *args, check=True):
    return subprocess.run([binary, *args], check=check, capture_output=True, text=True)


def rfm_lines(binary, *args):
    """`seglens rfm`'s rows, sorted (a project lists its customers in the
    order they first came)."""
    header, *rows = run(binary, "rfm", *args).stdout.splitlines()
    return [header] + sorted(rows)


def got_moves(report):
    out = {}
    for g in report["groups"]:
        if "Rfm" in g["group"]:
            out[g["group"]["Rfm"]] = (sorted(g["entered"]), sorted(g["left"]))
    return out


def compare(label, report, want, want_new):
    got = got_moves(report)
    for name in set(got) | set(want):
        have = got.get(name, ([], []))
        expected = want.get(name, ([], []))
        assert have == expected, (
            f"{label}: {name}: seglens entered {len(have[0])} left {len(have[1])}, "
            f"reference entered {len(expected[0])} left {len(expected[1])}")
    assert sorted(report["new_customers"]) == want_new, (
        f"{label}: {len(report['new_customers'])} new customers, reference {len(want_new)}")
    # The lifecycle stages cut the customers in parts on both sides.
    stages = [g for g in report["groups"] if "Lifecycle" in g["group"]]
    return sum(g["before"] for g in stages), sum(g["after"] for g in stages)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--moves":
        want, new_customers = moves(read_simple(sys.argv[2]), read_simple(sys.argv[3]))
        json.dump({"segments": {k: {"entered": e, "left": l} for k, (e, l) in want.items()},
                   "new_customers": new_customers}, sys.stdout)
        return
    args = order_file_arguments(__doc__.splitlines()[0])
    con = raw_rows(args)
    raw = con.execute("select * from o").df()
    rows = pandas.DataFrame({
        "customer": raw[args.customer].str.strip(),
        "day": pandas.to_datetime(raw[args.date].str.strip(), format=args.date_format).dt.date,
        "amount": raw[args.amount].astype(float),
    })
    months = sorted({(d.year, d.month) for d in rows.day})
    (y1, m1) = months[len(months) * 3 // 4]
    e1 = datetime.date(y1 + m1 // 12, m1 % 12 + 1, 1) - datetime.timedelta(days=1)
    e0 = datetime.date(y1, m1, 1) - datetime.timedelta(days=1)
    first = rows.day <= e1
    later = rows.day > e0
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, keep in [("first", first), ("next", later), ("whole", rows.day == rows.day)]:
            paths[name] = os.path.join(tmp, f"{name}.csv")
            raw[keep.values].to_csv(paths[name], index=False)
        project = os.path.join(tmp, "first.seglens")
        run(args.binary, "project", "--orders", paths["first"], "--out", project)
        want, want_new = moves(rows[first.values], rows)
        whole_rfm = rfm_lines(args.binary, "--orders", paths["whole"])

        updated = os.path.join(tmp, "updated.seglens")
        report = json.loads(run(args.binary, "update", "--workspace", project, "--orders", paths["next"],
                                "--out", updated, "--format", "json").stdout)
        r = report["report"]
        assert r["mode"] == "Appended", r["mode"]
        overlap = int((first & later).sum())
        assert (r["rows_before"], r["rows_in_file"], r["already_there"], r["dropped"], r["rows_after"]) == (
            int(first.sum()), int(later.sum()), overlap, 0, len(rows)), r
        counts = compare("appended", report, want, want_new)
        assert counts == (rows[first.values].customer.nunique(), rows.customer.nunique()), counts
        assert rfm_lines(args.binary, "--workspace", updated) == whole_rfm, \
            "the updated project's RFM differs from the whole file's"

        replaced = os.path.join(tmp, "replaced.seglens")
        report = json.loads(run(args.binary, "update", "--workspace", project, "--orders", paths["whole"],
                                "--out", replaced, "--format", "json").stdout)
        assert report["report"]["mode"] == "Replaced", report["report"]["mode"]
        assert report["report"]["already_there"] == int(first.sum()), report["report"]
        compare("replaced", report, want, want_new)
        assert rfm_lines(args.binary, "--workspace", replaced) == whole_rfm

        again = os.path.join(tmp, "again.seglens")
        refused = run(args.binary, "update", "--workspace", project, "--orders", paths["first"],
                      "--out", again, check=False)
        assert refused.returncode != 0 and "already in the project" in refused.stderr, refused.stderr
        assert not os.path.exists(again), "a refused update wrote a file"
    moved = sum(len(e) + len(l) for e, l in want.values())
    print(f"{args.orders}: first export up to {e1}, next from {e0 + datetime.timedelta(days=1)} "
          f"({overlap} rows in both): {moved} moves between RFM segments and {len(want_new)} new customers, "
          f"identical to the reference, appended and replaced")


if __name__ == "__main__":
    main()
