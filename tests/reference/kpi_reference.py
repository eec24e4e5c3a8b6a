"""Checks `seglens kpis` against the same KPIs written in SQL and run by
DuckDB over the raw demo files: per RFM segment (taken from `seglens rfm`),
then per segment of the customers file (newsletter yes / no), which holds
prospects who never ordered and each customer's acquisition channel (for
the acquisition cost and return of the marketing costs).

Usage: python kpi_reference.py SEGLENS_BINARY DEMO_DIR
Exits non-zero on the first difference.
"""

import datetime
import io
import json
import os
import subprocess
import sys
import tempfile

import duckdb
import pandas


def main():
    binary, folder = sys.argv[1], sys.argv[2]
    orders, email, surveys, tickets, customers, costs = (
        f"{folder}/{n}.csv" for n in ("orders", "email", "surveys", "tickets", "customers", "costs"))
    sources = ["--orders", orders, "--email", email, "--surveys", surveys, "--tickets", tickets,
               "--costs", costs]
    rfm = subprocess.run([binary, "rfm", "--orders", orders], check=True,
                         capture_output=True, text=True).stdout
    con = duckdb.connect()
    con.execute(f"create table o as select * from read_csv('{orders}', header=true, all_varchar=true)")
    con.execute(f"create table e as select * from read_csv('{email}', header=true, all_varchar=true)")
    con.execute(f"create table s as select * from read_csv('{surveys}', header=true, all_varchar=true)")
    con.execute(f"create table t as select * from read_csv('{tickets}', header=true, all_varchar=true)")
    con.execute(f"create table c as select * from read_csv('{customers}', header=true, all_varchar=true)")
    con.execute(f"create table k as select * from read_csv('{costs}', header=true, all_varchar=true)")

    con.register("rfm_segments", pandas.read_csv(io.StringIO(rfm), dtype={"customer_id": str}))
    con.execute("create view seg as select * from rfm_segments")
    ours = kpis(binary, sources)
    compare(con, ours, folder, ["o", "e", "s", "t"], "RFM segments", 90)

    # Segments of the customers file, prospects included.
    con.execute("""create or replace view seg as
                   select customer_id, case newsletter when 'yes' then 'Newsletter'
                                                       else 'No newsletter' end as segment
                   from c where newsletter in ('yes', 'no')""")
    segments = [
        {"name": "Newsletter", "rule": {"attribute": "newsletter", "equals": "yes"}},
        {"name": "No newsletter", "rule": {"attribute": "newsletter", "equals": "no"}},
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "segments.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(segments, f)
        ours = kpis(binary, sources + ["--customers", customers, "--segments", path, "--churn-days", "60"])
    prospects = [r for r in ours if r["segment"] == "All customers"][0]["conversion_rate"]
    if not prospects["denominator"] > prospects["numerator"] > 0:
        print(f"expected prospects in the customers file, got {prospects}")
        sys.exit(1)
    compare(con, ours, folder, ["o", "e", "s", "t", "c"], "customers-file segments, 60-day churn", 60)


def kpis(binary, arguments):
    return json.loads(subprocess.run([binary, "kpis", *arguments, "--format", "json"],
                                     check=True, capture_output=True, text=True).stdout)


def compare(con, ours, folder, tables, what, period):
    """Computes every KPI per segment of the view `seg` in DuckDB and
    compares; `tables` are the sources whose customers form the customer
    space (a customer known only from a source has no order)."""
    as_of = con.execute(
        "select max(cast(order_date as date)) + 1 from o where cast(amount as double) >= 0").fetchone()[0]
    space = " union ".join(f"select customer_id from {t}" for t in tables)
    # The costs' period: first date to the last plus the median gap between
    # distinct dates (the upper one of an even count), less a day.
    days = sorted({d for (d,) in con.execute(
        f"select cast(month as date) from k where cast(month as date) <= date '{as_of}'").fetchall()})
    gaps = sorted(b - a for a, b in zip(days, days[1:]))
    step = gaps[len(gaps) // 2].days if gaps else 1
    start, end = days[0], min(days[-1] + datetime.timedelta(days=step - 1), as_of)
    channels = ("select customer_id, lower(trim(acquisition_channel)) as ch from c" if "c" in tables
                else "select null::varchar as customer_id, null::varchar as ch where false")
    referred = ("""select trim(referred_by) as customer_id, count(*) as referrals from c
                   where trim(coalesce(referred_by, '')) not in ('', customer_id) group by 1"""
                if "c" in tables else "select null::varchar as customer_id, 0 as referrals where false")
    sql = f"""
    with space as ({space}),
    acquired as (
        select customer_id from o
        where cast(amount as double) >= 0 and cast(order_date as date) < date '{as_of}'
        group by customer_id
        having min(cast(order_date as date)) between date '{start}' and date '{end}'),
    channel_of as ({channels}),
    referred as ({referred}),
    spend_by as (
        select lower(trim(channel)) as ch, sum(cast(spend as double)) as spend from k
        where cast(month as date) between date '{start}' and date '{end}' group by 1),
    new_by as (
        select ch, count(*) as n from acquired join channel_of using (customer_id)
        join spend_by using (ch) group by ch),
    acquisition as (
        select a.customer_id,
               (select coalesce(sum(spend), 0) from spend_by where ch not in (select ch from new_by))
                   / (select count(*) from acquired)
               + coalesce(s.spend / n.n, 0) as cost
        from acquired a left join channel_of using (customer_id)
        left join new_by n using (ch) left join spend_by s using (ch)),
    has_prospects as (
        select count(*) > 0 as yes from space
        where customer_id not in (
            select customer_id from o
            where cast(amount as double) >= 0 and cast(order_date as date) < date '{as_of}')),
    per_customer as (
        select customer_id,
               sum(cast(amount as double)) as revenue,
               count(*) filter (where cast(amount as double) >= 0) as orders,
               bool_or(cast(amount as double) >= 0 and date '{as_of}' - cast(order_date as date) < {period}) as recent,
               bool_or(cast(amount as double) >= 0
                       and date '{as_of}' - cast(order_date as date) between {period} and {2 * period - 1}) as before
        from o group by customer_id),
    last_nps as (
        select customer_id, arg_max(cast(nps as int), answered_at) as nps
        from s where nps is not null and nps <> '' group by customer_id),
    last_csat as (
        select customer_id, arg_max(cast(csat as int), answered_at) as csat
        from s where csat is not null and csat <> '' group by customer_id),
    mails as (
        select customer_id,
               count(*) filter (where delivered = '1') as delivered,
               count(*) filter (where delivered = '1' and opened = '1') as opened,
               count(*) filter (where delivered = '1' and clicked = '1') as clicked
        from e group by customer_id),
    support as (
        -- Tickets opened up to the end of the analysis date; resolution
        -- times of those resolved by then, in hours.
        select customer_id,
               count(*) as tickets,
               sum(epoch(cast(resolved_at as timestamp)) - epoch(cast(created_at as timestamp)))
                   filter (where resolved_at is not null and resolved_at <> ''
                           and cast(resolved_at as timestamp) < cast(date '{as_of}' + 1 as timestamp)) / 3600.0
                   as hours,
               count(*) filter (where resolved_at is not null and resolved_at <> ''
                                and cast(resolved_at as timestamp) < cast(date '{as_of}' + 1 as timestamp)) as resolved
        from t where cast(created_at as timestamp) < cast(date '{as_of}' + 1 as timestamp)
        group by customer_id),
    joined as (
        select seg.segment, seg.customer_id, coalesce(p.revenue, 0) as revenue,
               coalesce(p.orders, 0) as orders, coalesce(p.recent, false) as recent,
               coalesce(p.before, false) as before, n.nps, c.csat, m.delivered, m.opened, m.clicked,
               coalesce(k.tickets, 0) as tickets, k.hours, k.resolved, q.cost,
               coalesce(r.referrals, 0) as referrals
        from seg left join per_customer p using (customer_id)
        left join acquisition q using (customer_id)
        left join referred r using (customer_id)
        left join last_nps n using (customer_id)
        left join last_csat c using (customer_id)
        left join mails m using (customer_id)
        left join support k using (customer_id)),
    unioned as (
        select segment, * exclude (segment) from joined
        union all
        select 'All customers', * exclude (segment) from joined),
    grouped as (
        select *,
               row_number() over (partition by segment order by revenue desc) as rank_in_group,
               count(*) over (partition by segment) as group_size
        from unioned)
    select segment,
           count(*) as customers,
           sum(revenue) as revenue,
           avg(revenue) as revenue_per_customer,
           avg(orders) as orders_per_customer,
           sum(revenue) / nullif(sum(orders), 0) as aov,
           avg(case when orders >= 2 then 1.0 else 0.0 end) as repeat_rate,
           case when (select yes from has_prospects)
                then avg(case when orders >= 1 then 1.0 else 0.0 end) end as conversion_rate,
           count(*) filter (where before and not recent) / nullif(count(*) filter (where before), 0) as churn_rate,
           count(*) filter (where before and recent) / nullif(count(*) filter (where before), 0) as retention_rate,
           100.0 * (count(*) filter (where nps >= 9) - count(*) filter (where nps <= 6))
               / nullif(count(nps), 0) as nps,
           count(*) filter (where csat >= 4) / nullif(count(csat), 0) as csat,
           sum(opened) / nullif(sum(delivered), 0) as open_rate,
           sum(clicked) / nullif(sum(delivered), 0) as click_rate,
           sum(clicked) / nullif(sum(opened), 0) as click_to_open,
           avg(cost) as cac,
           (sum(revenue) filter (where cost is not null) - sum(cost)) / nullif(sum(cost), 0) as roi,
           sum(revenue) filter (where rank_in_group <= ceil(0.2 * group_size)) / sum(revenue) as top20_share,
           {"avg(referrals)" if "c" in tables else "null"} as referrals_per_customer,
           avg(tickets) as tickets_per_customer,
           sum(hours) / nullif(sum(resolved), 0) as resolution_hours
    from grouped group by segment
    """
    reference = {r[0]: r for r in con.execute(sql).fetchall()}
    names = [d[0] for d in con.description]
    problems = []
    for row in ours:
        ref = reference.get(row["segment"])
        if ref is None:
            if row["customers"]["value"] not in (0, None):
                problems.append(f"{row['segment']}: not in the reference")
            continue
        for i, name in enumerate(names[1:], start=1):
            want, have = ref[i], row[name]["value"]
            if want is None or have is None:
                if (want is None) != (have is None):
                    problems.append(f"{row['segment']} {name}: seglens {have}, DuckDB {want}")
                continue
            if abs(float(want) - have) > 1e-9 * max(1.0, abs(float(want))):
                problems.append(f"{row['segment']} {name}: seglens {have}, DuckDB {want}")
    if problems:
        print("\n".join(problems[:20]))
        sys.exit(1)
    print(f"{folder}, {what}: {len(ours)} rows x {len(names) - 1} KPIs identical to DuckDB")


if __name__ == "__main__":
    main()
