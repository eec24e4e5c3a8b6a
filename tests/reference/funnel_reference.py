"""Checks `seglens funnel` and `seglens paths`.

`seglens funnel` against the same funnel written in DuckDB SQL
over the raw demo events: per customer, every occurrence of the first step
is tried as a start; each next step is the earliest later event of that
name (file order breaking ties in time), or strictly the very next event,
within the window from the start; the customer's deepest run counts. Six
funnels: two windows, with and without a rule, one strict, two with steps
narrowed by another column of the events (equal to a value, or containing
a text, ignoring case); and a funnel side by side for a segment given
with `--segments` and for all customers.

`seglens paths` (every event kept) against pandas: sessions by their ids
(the demo's events all have one), events before the analysis date in time
order, repeats in a row counted once, from the first event or the first
`--from` event, `(end)` when the session stops before the depth; or the
steps leading to the first `--to` event, lined up on the right, `(start)`
where the session begins. And once on the events without their session
ids, cut after `--session-gap` minutes without an event.

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


def condition(alias, step):
    """A step as SQL: `event`, `event[column=value]` (equal ignoring case)
    or `event[column~text]` (containing it, ignoring case)."""
    if step.endswith("]") and "[" in step:
        event, rest = step[:-1].split("[", 1)
        op = "~" if "~" in rest and (rest.find("~") < rest.find("=") or "=" not in rest) else "="
        column, value = rest.split(op, 1)
        test = (f"contains(lower({alias}.{column.strip()}), lower(?))" if op == "~"
                else f"lower({alias}.{column.strip()}) = lower(?)")
        return f"{alias}.e = ? AND {test}", [event.strip(), value.strip()]
    return f"{alias}.e = ?", [step]


def duck(con, steps, window_days, members=None, strict=False):
    """Customers reaching each step, in SQL; strictly, each step must be
    the very next event."""
    first, params = condition("ranked", steps[0])
    chain = [f"s0 AS (SELECT c, r AS r0, t AS t0 FROM ranked WHERE {first})"]
    for k in range(1, len(steps)):
        after = f"x.r = s.r{k - 1} + 1" if strict else f"x.r > s.r{k - 1}"
        test, more = condition("x", steps[k])
        chain.append(
            f"s{k} AS (SELECT s.*, (SELECT min(x.r) FROM ranked x WHERE x.c = s.c AND {test} "
            f"AND {after} AND x.t <= s.t0 + {window_days * 86400}) AS r{k} FROM s{k - 1} s)")
        params += more
    depth = " + ".join(["1"] + [f"(r{k} IS NOT NULL)::INT" for k in range(1, len(steps))])
    last = len(steps) - 1
    keep = "" if members is None else "WHERE c IN (SELECT id FROM members)"
    query = f"""
        WITH ranked AS (
            SELECT c, t, e, page, channel, row_number() OVER (PARTITION BY c ORDER BY t, f) AS r
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
               trim(coalesce(page, '')) AS page, trim(coalesce(channel, '')) AS channel,
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
        (["page_view[channel=EMAIL]", "view_product[page~classical]", "add_to_cart", "purchase"], 7, False, False),
        (["view_product[page~/c/]", "add_to_cart[channel=social]", "purchase"], 30, True, False),
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
    # Side by side with --segments: the French customers' block and the
    # all-customers block, each against DuckDB.
    segments = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump([{"name": "French, by rule", "rule": rule},
               {"name": "French, saved", "definition": {"Rule": json.dumps(rule)}}], segments)
    segments.close()
    steps = ["page_view", "view_product[page~classical]", "add_to_cart", "purchase"]
    out = subprocess.run([binary, "funnel", "--orders", f"{demo}/orders.csv", "--events", f"{demo}/events.csv",
                          "--customers", f"{demo}/customers.csv", "--steps", ",".join(steps), "--window", "7",
                          "--segments", segments.name], check=True, capture_output=True, text=True).stdout
    blocks = {}
    for r in csv.DictReader(io.StringIO(out)):
        blocks.setdefault(r["group"], []).append(int(r["customers"]))
    # Overlapping segments each count all their members.
    want = {"French, by rule": duck(con, steps, 7, members), "French, saved": duck(con, steps, 7, members),
            "All customers": duck(con, steps, 7)}
    if blocks != want:
        problems.append(f"--segments: seglens {blocks}, DuckDB {want}")
    problems += paths_check(binary, demo)
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"{demo}: {len(cases)} funnels count the same customers per step as DuckDB SQL; "
          "paths from the session start, from an event, leading to an event and cut by time "
          "move as pandas counts them")


def paths_check(binary, demo):
    import pandas
    ev = pandas.read_csv(f"{demo}/events.csv", dtype=str).reset_index()
    ev = ev[ev["customer_id"].fillna("").str.strip() != ""]
    ev["t"] = pandas.to_datetime(ev["timestamp"], utc=True)
    # The same events without their session ids, for the cut by time.
    no_ids = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)
    pandas.read_csv(f"{demo}/events.csv", dtype=str).drop(columns=["session_id"]).to_csv(no_ids.name, index=False)
    problems = []
    cases = [(4, None, None, None), (3, "view_product", None, None), (5, "page_view", None, None),
             (4, None, "add_to_cart", None), (4, None, "purchase", 720), (4, None, None, 10),
             (3, None, "begin_checkout", 2)]
    for depth, start, end, gap in cases:
        events = no_ids.name if gap else f"{demo}/events.csv"
        args = [binary, "paths", "--orders", f"{demo}/orders.csv", "--events", events,
                "--depth", str(depth), "--top", "0"]
        args += ["--from", start] if start else []
        args += ["--to", end] if end else []
        args += ["--session-gap", f"{gap}m"] if gap else []
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        ours = {(int(r["step"]), r["from"], r["to"]): int(r["sessions"]) for r in csv.DictReader(io.StringIO(out))}
        want = {}
        # The analysis date is the day after the last order; the demo's
        # events all come before it.
        if gap:
            ordered = ev.sort_values(["customer_id", "t", "index"]).copy()
            new = (ordered["customer_id"] != ordered["customer_id"].shift()) | (
                (ordered["t"] - ordered["t"].shift()).dt.total_seconds() > gap * 60)
            ordered["cut"] = new.cumsum()
            sessions = ordered.groupby("cut", sort=False)
        else:
            sessions = ev.sort_values(["customer_id", "session_id", "t", "index"]).groupby(
                ["customer_id", "session_id"], sort=False)
        for _, g in sessions:
            seq = []
            for e in g["event"]:
                if not seq or seq[-1] != e:
                    seq.append(e)
            offset = 0
            if end is not None:
                if end not in seq:
                    continue
                before = seq[:seq.index(end) + 1]
                path = before[-depth:]
                if len(before) < depth:
                    path = ["(start)"] + path
                offset = depth - len(path)
            else:
                if start is not None:
                    if start not in seq:
                        continue
                    seq = seq[seq.index(start):]
                path = seq[:depth]
                if len(path) < depth:
                    path.append("(end)")
            for k in range(len(path) - 1):
                key = (offset + k + 1, path[k], path[k + 1])
                want[key] = want.get(key, 0) + 1
        name = f"paths depth {depth} from {start} to {end} gap {gap}"
        if ours != want:
            diff = sorted(set(ours.items()) ^ set(want.items()))[:6]
            problems.append(f"{name}: differ on {diff}")
        if len(want) < 3:
            problems.append(f"{name}: only {len(want)} moves")
    return problems


if __name__ == "__main__":
    main()
