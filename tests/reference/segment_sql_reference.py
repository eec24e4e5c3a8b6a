"""Runs the SQL that `seglens segment --sql` writes for saved segments of
every kind (rules over every source, lifecycle stages, groups of columns
and tiers, clusters) on a real database loaded with the raw demo files, and
checks that each query returns exactly the customers `seglens segment`
selects.

Usage:
  python segment_sql_reference.py SEGLENS DEMO_DIR duckdb
  python segment_sql_reference.py SEGLENS DEMO_DIR postgres PSQL_COMMAND...

For PostgreSQL the tables are created (every column as text) and loaded
with psql's \\copy; PSQL_COMMAND is how to run psql against the server.
"""

import csv
import json
import os
import subprocess
import sys
import tempfile

TABLES = ["orders", "customers", "email", "surveys", "events", "tickets"]

RULES = [
    # The kind of rule: attributes, spend, e-mail opens, an event.
    {"all": [{"attribute": "city", "one_of": ["Lyon", "Paris", "Montreal"]},
             {"measure": "spend", "at_least": 100},
             {"not": {"measure": "email_opens", "days": 90, "at_least": 1}}]},
    {"all": [{"attribute": "age", "between": [25, 40]},
             {"attribute": "interests", "contains": "diy"},
             {"event": "add_to_cart", "did": True, "within_days": 60}]},
    {"any": [{"attribute": "signup_date", "within_last_days": 365},
             {"attribute": "signup_date", "before": "2023-03-01"},
             {"attribute": "newsletter", "equals": "YES"}]},
    {"all": [{"measure": "average_order_value", "at_least": 40},
             {"measure": "days_since_last_order", "at_most": 120},
             {"measure": "days_since_first_order", "at_least": 200}]},
    {"any": [{"measure": "orders", "category": "Rock & Pop", "at_least": 2},
             {"measure": "spend", "category": "classical", "days": 365, "at_least": 60}]},
    {"all": [{"measure": "emails_received", "days": 180, "at_least": 5},
             {"measure": "email_clicks", "at_most": 0}]},
    {"any": [{"measure": "nps", "at_most": 6}, {"measure": "csat", "is_empty": True}]},
    {"all": [{"measure": "tickets", "days": 365, "at_least": 1},
             {"measure": "events", "days": 30, "at_most": 3},
             {"event": "purchase", "did": False}]},
    {"all": [{"measure": "orders", "at_most": 0},
             {"attribute": "gender", "is_not_empty": True},
             {"event": "view_product", "did": True, "at_least": 3}]},
    {"not": {"any": [{"attribute": "country", "equals": "FR"},
                     {"attribute": "postcode", "is_empty": True}]}},
]

STAGES = ["Prospect", "New", "OneTime", "Repeat", "Loyal", "AtRisk", "Lapsed"]

GROUPS = [
    ({"Attribute": {"column": "city", "edges": None}}, None),
    ({"Attribute": {"column": "age", "edges": None}}, None),
    ({"Attribute": {"column": "age", "edges": [30, 45.5, 60]}}, None),
    ({"Attribute": {"column": "interests", "edges": None}}, None),
    ({"Tier": "Frequency"}, ["Frequent buyers", "Occasional buyers", "Inactive buyers"]),
    ({"Tier": "Value"}, ["High value", "Medium value", "Low value"]),
    ({"Tier": "Usage"}, ["Heavy users", "Moderate users", "Light users", "No recent activity"]),
    ({"Tier": "Engagement"}, ["Engaged readers", "Passive readers", "Dormant readers"]),
    ({"Tier": "Loyalty"}, ["Promoters", "Passives", "Detractors"]),
    ({"Tier": "Journey"}, ["Awareness", "Consideration", "Decision"]),
    ({"Journey": {"stages": [["page_view", 0], ["add_to_cart", 1], ["purchase", 2]]}},
     ["Awareness", "Consideration", "Decision"]),
]

CLUSTERS = [
    ({"features": ["Recency", "Frequency", "Monetary", "Tenure", "Engagement"], "k": 4, "seed": 7, "runs": 2}, 4),
    ({"features": ["AverageOrderValue", {"Attribute": "age"}], "k": 3, "seed": 1, "runs": 1}, 3),
]


def run(args):
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args[:2])} ... {args[-2:]} failed: {done.stderr.strip()}")
    return done.stdout


class DuckDb:
    def __init__(self, demo):
        import duckdb
        self.con = duckdb.connect()
        for t in TABLES:
            self.con.execute(
                f"create table {t} as select * from read_csv('{demo}/{t}.csv', header=true, all_varchar=true)")

    def members(self, query):
        return {r[0] for r in self.con.execute(query).fetchall()}


class Postgres:
    def __init__(self, demo, psql):
        self.psql = psql
        self.dir = tempfile.mkdtemp()
        os.chmod(self.dir, 0o755)
        for t in TABLES:
            with open(f"{demo}/{t}.csv", newline="", encoding="utf-8") as f:
                header = next(csv.reader(f))
            columns = ", ".join(f'"{c}" text' for c in header)
            self.sql(f'DROP TABLE IF EXISTS {t}; CREATE TABLE {t} ({columns})')
            self.sql(f"\\copy {t} FROM '{os.path.abspath(demo)}/{t}.csv' WITH (FORMAT csv, HEADER true)")

    def sql(self, text):
        path = os.path.join(self.dir, "q.sql")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.chmod(path, 0o644)
        return run(self.psql + ["-At", "-f", path])

    def members(self, query):
        return {line for line in self.sql(query).splitlines() if line}


def main():
    binary, demo, engine = sys.argv[1:4]
    db = DuckDb(demo) if engine == "duckdb" else Postgres(demo, sys.argv[4:])
    dialect = "duckdb" if engine == "duckdb" else "postgres"
    sources = ["--orders", f"{demo}/orders.csv"] + [
        a for t in TABLES[1:] for a in (f"--{t}", f"{demo}/{t}.csv")]
    definitions = [{"Rule": json.dumps(r)} for r in RULES]
    definitions += [{"Lifecycle": s} for s in STAGES]
    for split, groups in GROUPS:
        if groups is None:
            # Quartile bands, given bands and list items.
            groups = group_names(demo, split)
        definitions += [{"Group": {"split": split, "group": g}} for g in groups]
    for setup, k in CLUSTERS:
        definitions += [{"Cluster": {"setup": setup, "cluster": c}} for c in range(k)]
    # Halves of split suggestions: a condition within another segment.
    for parent in [{"Lifecycle": s} for s in STAGES[:3]] + definitions[:1]:
        for rule in ({"measure": "nps", "at_most": 6}, {"measure": "spend", "at_least": 100}):
            definitions.append({"Within": {"parent": parent, "rule": json.dumps(rule)}})
    problems, sizes = [], []
    for d in definitions:
        text = json.dumps(d)
        want = set(run([binary, "segment", *sources, "--definition", text]).split())
        query = run([binary, "segment", *sources, "--definition", text, "--sql", dialect])
        got = db.members(query)
        sizes.append(len(want))
        if got != want:
            problems.append(f"{text}: SQL {len(got)} customers, seglens {len(want)}; "
                            f"only SQL {sorted(got - want)[:5]}, only seglens {sorted(want - got)[:5]}")
    empty = sum(1 for s in sizes if s == 0)
    if empty > len(sizes) // 5:
        problems.append(f"{empty} of {len(sizes)} segments are empty: the checks would prove little")
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"{engine}: {len(definitions)} segment queries (rules, lifecycle, column and tier groups, "
          f"clusters, conditions within a segment) return the same members as seglens ({min(sizes)} to {max(sizes)} customers)")


def group_names(demo, split):
    """The group names of a column split, worked out here from the
    customers file: quartile bands (R type 7, rounded) or the given edges
    for numbers, the eight most frequent items of `;` lists."""
    import numpy as np
    column = split["Attribute"]["column"]
    edges = split["Attribute"]["edges"]
    with open(f"{demo}/customers.csv", newline="", encoding="utf-8") as f:
        values = [r[column].strip() for r in csv.DictReader(f)]
    present = [v for v in values if v]
    unknown = [f"{column} unknown"] if len(present) < len(values) else []
    fmt = lambda x: f"{x:.0f}" if float(x).is_integer() else f"{x}"
    try:
        numbers = [float(v) for v in present]
    except ValueError:
        numbers = None
    if numbers is not None:
        cuts = edges or sorted(set(float(np.round(np.percentile(numbers, p))) for p in (25, 50, 75)))
        names = [f"{column} under {fmt(cuts[0])}"]
        names += [f"{column} {fmt(a)} to under {fmt(b)}" for a, b in zip(cuts, cuts[1:])]
        names.append(f"{column} {fmt(cuts[-1])} and over")
        return names + unknown
    counts = {}
    for v in present:
        for item in (p.strip() for p in v.split(";")):
            if item:
                key = item.lower()
                n, original = counts.get(key, (0, item))
                counts[key] = (n + 1, original)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    names = [f"{column} = {original}" for _, (_, original) in ranked[:8]]
    if len(ranked) > 8:
        names.append(f"{column}: other values")
    return names + unknown


if __name__ == "__main__":
    main()
