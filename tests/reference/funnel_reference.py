"""Checks `seglens funnel` and `seglens paths`.

`seglens funnel` against the same funnel written in DuckDB SQL
over the raw demo events: per customer, every occurrence of the first step
is tried as a start; each next step is the earliest later event of that
name (file order breaking ties in time), or strictly the very next event,
within the window from the start; the customer's deepest run counts. Four
funnels: two windows, with and without a rule, one strict.

`seglens paths` (every event kept) against pandas: sessions by their ids
(the demo's events all have one), events before the analysis date in time
order, repeats in a row counted once, from the first event or the first
`--from` event, `(end)` when the session stops before the depth.

Usage: python funnel_reference.py SEGLENS DEMO_DIR
"""

import csv
import io
import json
import subprocess
import sys
import tempfile

import duckdb


def seglens(binary, demo, *args):
    out = subprocess.run([binary, "funnel", "--orders", f"{demo}/orders.csv", "--events", f"{demo}/events.csv",
                          "--customers", f"{demo}/customers.csv", *args],
                         check=True, capture_output=True, text=True).stdout
    return [(r["event"], int(r["customers"])) for r in csv.DictReader(io.StringIO(out))]


def duck(con, steps, window_days, members=None, strict=False):
    """Customers reaching each step, in SQL; strictly, each step must be
    the very next event."""
    chain = ["s0 AS (SELECT c, r AS r0, t AS t0 FROM ranked WHERE e = ?)"]
    params = [steps[0]]
    for k in range(1, len(steps)):
        after = f"x.r = s.r{k - 1} + 1" if strict else f"x.r > s.r{k - 1}"
        chain.append(
            f"s{k} AS (SELECT s.*, (SELECT min(x.r) FROM ranked x WHERE x.c = s.c AND x.e = ? "
            f"AND {after} AND x.t <= s.t0 + {window_days * 86400}) AS r{k} FROM s{k - 1} s)")
        params.append(steps[k])
    depth = " + ".join(["1"] + [f"(r{k} IS NOT NULL)::INT" for k in range(1, len(steps))])
    last = len(steps) - 1
    keep = "" if members is None else "WHERE c IN (SELECT id FROM members)"
    query = f"""
        WITH ranked AS (
            SELECT c, t, e, row_number() OVER (PARTITION BY c ORDER BY t, f) AS r
            FROM ev {keep}
        ), {", ".join(chain)},
        depths AS (SELECT c, max({depth}) AS d FROM s{last} GROUP BY c)
        SELECT {", ".join(f"count(*) FILTER (WHERE d >= {k + 1})" for k in range(len(steps)))} FROM depths"""
    return list(con.execute(query, params).fetchone())


def main():
    binary, demo = sys.argv[1:3]
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"""CREATE TABLE ev AS
        SELECT trim(customer_id) AS c, epoch(CAST("timestamp" AS TIMESTAMP)) AS t, trim(event) AS e,
               row_number() OVER () AS f
        FROM read_csv('{demo}/events.csv', header = true, all_varchar = true)
        WHERE trim(coalesce(customer_id, '')) <> ''""")
    rule = {"all": [{"attribute": "country", "equals": "FR"}]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(rule, f)
    members = subprocess.run([binary, "segment", "--orders", f"{demo}/orders.csv", "--customers",
                              f"{demo}/customers.csv", "--rule", f.name],
                             check=True, capture_output=True, text=True).stdout.split()
    con.execute("CREATE TABLE members (id VARCHAR)")
    con.executemany("INSERT INTO members VALUES (?)", [[m] for m in members])
    problems = []
    cases = [
        (["page_view", "view_product", "add_to_cart", "begin_checkout", "purchase"], 7, False, False),
        (["view_product", "add_to_cart", "purchase"], 1, False, False),
        (["page_view", "add_to_cart", "purchase"], 30, True, False),
        (["view_product", "add_to_cart", "begin_checkout", "purchase"], 7, False, True),
    ]
    for steps, window, with_rule, strict in cases:
        args = ["--steps", ",".join(steps), "--window", f"{window}d"]
        if with_rule:
            args += ["--rule", f.name]
        if strict:
            args += ["--strict"]
        ours = seglens(binary, demo, *args)
        theirs = duck(con, steps, window, members if with_rule else None, strict)
        if [n for _, n in ours] != theirs or [e for e, _ in ours] != steps:
            problems.append(f"{steps} within {window} days{' (FR)' if with_rule else ''}"
                            f"{' strictly' if strict else ''}: "
                            f"seglens {ours}, DuckDB {theirs}")
        if theirs[-1] == 0 or theirs[0] == theirs[-1]:
            problems.append(f"{steps}: a degenerate funnel {theirs} proves little")
    problems += paths_check(binary, demo)
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"{demo}: {len(cases)} funnels count the same customers per step as DuckDB SQL; "
          "paths from the session start and from an event move as pandas counts them")


def paths_check(binary, demo):
    import pandas
    ev = pandas.read_csv(f"{demo}/events.csv", dtype=str).reset_index()
    ev = ev[ev["customer_id"].fillna("").str.strip() != ""]
    ev["t"] = pandas.to_datetime(ev["timestamp"], utc=True)
    problems = []
    for depth, start in [(4, None), (3, "view_product"), (5, "page_view")]:
        args = [binary, "paths", "--orders", f"{demo}/orders.csv", "--events", f"{demo}/events.csv",
                "--depth", str(depth), "--top", "0"] + (["--from", start] if start else [])
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        ours = {(int(r["step"]), r["from"], r["to"]): int(r["sessions"]) for r in csv.DictReader(io.StringIO(out))}
        want = {}
        # The analysis date is the day after the last order; the demo's
        # events all come before it.
        for _, g in ev.sort_values(["customer_id", "session_id", "t", "index"]).groupby(
                ["customer_id", "session_id"], sort=False):
            seq = []
            for e in g["event"]:
                if not seq or seq[-1] != e:
                    seq.append(e)
            if start is not None:
                if start not in seq:
                    continue
                seq = seq[seq.index(start):]
            path = seq[:depth]
            if len(path) < depth:
                path.append("(end)")
            for k in range(len(path) - 1):
                key = (k + 1, path[k], path[k + 1])
                want[key] = want.get(key, 0) + 1
        if ours != want:
            diff = sorted(set(ours.items()) ^ set(want.items()))[:6]
            problems.append(f"paths depth {depth} from {start}: differ on {diff}")
        if len(want) < 3:
            problems.append(f"paths depth {depth} from {start}: only {len(want)} moves")
    return problems


if __name__ == "__main__":
    main()
