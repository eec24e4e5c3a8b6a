//! The KPI table: every KPI for every segment and for everyone, with its
//! counts, interval and test against the rest of the base; and as CSV.

use super::*;
use crate::model::message::Message;

/// Computes every KPI for every segment and for the whole base.
pub fn compute(input: &KpiInputs<'_>) -> KpiTable {
    let n_groups = input.group_names.len();
    let n_customers = input.orders.customer_keys.len();
    let group = |c: usize| {
        input
            .group_of
            .get(c)
            .copied()
            .flatten()
            .filter(|g| *g < n_groups)
    };

    // Per customer.
    let mut revenue = vec![0.0; n_customers];
    let mut orders = vec![0u32; n_customers];
    let mut recent = vec![false; n_customers];
    let mut before = vec![false; n_customers];
    // Each customer's first order day (refunds aside), for acquisition.
    let mut first: Vec<Option<Day>> = vec![None; n_customers];
    let o = input.orders;
    for i in 0..o.len() {
        let (c, d, a) = (o.customer[i] as usize, o.day[i], o.amount[i]);
        if d > input.as_of {
            continue;
        }
        revenue[c] += a;
        if a >= 0.0 {
            orders[c] += 1;
            if first[c].is_none_or(|f| d < f) {
                first[c] = Some(d);
            }
            let age = input.as_of - d;
            if age < input.churn_period_days {
                recent[c] = true;
            } else if age < 2 * input.churn_period_days {
                before[c] = true;
            }
        }
    }
    let mut accs = vec![Acc::default(); n_groups + 1];
    let mut add = |c: usize, f: &dyn Fn(&mut Acc)| {
        if let Some(g) = group(c) {
            f(&mut accs[g]);
            f(&mut accs[n_groups]);
        }
    };
    for c in 0..n_customers {
        let (r, k, rec, bef) = (revenue[c], f64::from(orders[c]), recent[c], before[c]);
        add(c, &|a: &mut Acc| {
            a.customers += 1.0;
            a.revenue.add(r);
            a.orders.add(k);
            a.order_count += k;
            a.repeat += f64::from(u8::from(k >= 2.0));
            a.buyers += f64::from(u8::from(k >= 1.0));
            if bef {
                a.active_before += 1.0;
                a.churned += f64::from(u8::from(!rec));
            }
        });
    }
    if let Some(p) = input.predictions {
        for x in p {
            let v = x.clv;
            add(x.customer as usize, &|a: &mut Acc| a.clv.add(v));
        }
    }
    if let Some(s) = input.surveys {
        // Each customer's last answer (by day, then by row order).
        let mut last_nps: Vec<Option<(Option<Day>, u8)>> = vec![None; n_customers];
        let mut last_csat: Vec<Option<(Option<Day>, u8)>> = vec![None; n_customers];
        for i in 0..s.customer.len() {
            let c = s.customer[i] as usize;
            if s.day[i].is_some_and(|d| d > input.as_of) {
                continue;
            }
            if let Some(v) = s.nps[i]
                && last_nps[c].is_none_or(|(d, _)| s.day[i] >= d)
            {
                last_nps[c] = Some((s.day[i], v));
            }
            if let Some(v) = s.csat[i]
                && last_csat[c].is_none_or(|(d, _)| s.day[i] >= d)
            {
                last_csat[c] = Some((s.day[i], v));
            }
        }
        for c in 0..n_customers {
            if let Some((_, v)) = last_nps[c] {
                add(c, &|a: &mut Acc| {
                    a.nps_n += 1.0;
                    a.promoters += f64::from(u8::from(v >= 9));
                    a.detractors += f64::from(u8::from(v <= 6));
                });
            }
            if let Some((_, v)) = last_csat[c] {
                add(c, &|a: &mut Acc| {
                    a.csat_n += 1.0;
                    a.satisfied += f64::from(u8::from(v >= 4));
                });
            }
        }
    }
    if let Some(e) = input.email {
        // A campaign known only from who opened or clicked has no rates.
        let lists: Vec<bool> = (0..e.campaigns.len() as u32)
            .map(|c| e.is_activity_only(c))
            .collect();
        for i in 0..e.customer.len() {
            if e.day[i].is_some_and(|d| d > input.as_of)
                || !e.delivered[i]
                || lists.get(e.campaign[i] as usize).copied().unwrap_or(false)
            {
                continue;
            }
            let (op, cl) = (e.opened[i], e.clicked[i]);
            add(e.customer[i] as usize, &|a: &mut Acc| {
                a.delivered += 1.0;
                a.opened += f64::from(u8::from(op));
                a.clicked += f64::from(u8::from(cl));
            });
        }
    }

    if let Some(t) = input.tickets {
        // Up to the end of the analysis date, as orders.
        let end = (i64::from(input.as_of) + 1) * 86_400;
        let mut count = vec![0u32; n_customers];
        for i in 0..t.customer.len() {
            let c = t.customer[i] as usize;
            if t.created[i] >= end || c >= n_customers {
                continue;
            }
            count[c] += 1;
            if let Some(r) = t.resolved[i].filter(|r| *r < end) {
                let hours = (r - t.created[i]) as f64 / 3600.0;
                add(c, &|a: &mut Acc| a.resolution_hours.add(hours));
            }
        }
        for (c, k) in count.iter().enumerate() {
            let k = f64::from(*k);
            add(c, &|a: &mut Acc| a.tickets.add(k));
        }
    }

    if let Some(cost) = input
        .costs
        .and_then(|c| acquisition_costs(c, input, &first))
    {
        for (c, x) in cost.iter().enumerate() {
            if let Some(x) = *x {
                let r = revenue[c];
                add(c, &|a: &mut Acc| {
                    a.acquisition.add(x);
                    a.acquired_revenue += r;
                });
            }
        }
    }

    let referrals = input.customer_facts.and_then(|f| f.referrals.as_ref());
    if let Some(r) = referrals {
        for (c, k) in r.iter().enumerate() {
            let k = f64::from(*k);
            add(c, &|a: &mut Acc| a.referrals.add(k));
        }
    }

    // Revenue concentration needs each group's customers sorted by spend.
    let mut spends: Vec<Vec<f64>> = vec![Vec::new(); n_groups + 1];
    for (c, r) in revenue.iter().enumerate() {
        if let Some(g) = group(c) {
            spends[g].push(*r);
            spends[n_groups].push(*r);
        }
    }
    let top20: Vec<KpiValue> = spends.iter_mut().map(|s| top_share(s, 0.2)).collect();

    let prospects = orders.contains(&0);
    let kpis = definitions_for(input.churn_period_days);
    let base = accs[n_groups];
    let mut values: Vec<Vec<KpiValue>> = (0..=n_groups)
        .map(|g| {
            let a = accs[g];
            let rest = (g < n_groups).then(|| base.minus(a));
            kpis.iter()
                .map(|k| match k.id {
                    KpiId::Top20Share => top20[g].clone(),
                    KpiId::ReferralsPerCustomer if referrals.is_none() => missing(NEEDS_REFERRALS),
                    id => value(id, &a, rest.as_ref(), &base, input, prospects),
                })
                .collect()
        })
        .collect();
    // Differences from the whole base.
    for k in 0..kpis.len() {
        let Some(b) = values[n_groups][k].value else {
            continue;
        };
        for row in values.iter_mut() {
            if let Some(v) = row[k].value {
                row[k].relative = Some(if kpis[k].format == KpiFormat::Points {
                    (v - b) / 100.0
                } else if b.abs() > 1e-12 {
                    (v - b) / b.abs()
                } else {
                    0.0
                });
            }
        }
    }
    let mut groups = input.group_names.to_vec();
    groups.push(ALL_CUSTOMERS.into());
    KpiTable {
        kpis,
        groups,
        values,
        churn_period_days: input.churn_period_days,
    }
}

pub(super) fn rate(k: f64, n: f64, rest: Option<(f64, f64)>) -> KpiValue {
    KpiValue {
        value: (n > 0.0).then(|| k / n),
        ci: wilson(k, n),
        numerator: k,
        denominator: n,
        p_value: rest.and_then(|(k2, n2)| two_proportion_p(k, n, k2, n2)),
        ..KpiValue::default()
    }
}

pub(super) fn mean(m: Moments, rest: Option<Moments>) -> KpiValue {
    KpiValue {
        value: m.mean(),
        ci: m.ci(),
        numerator: m.sum,
        denominator: m.n,
        p_value: rest.and_then(|r| welch_p(m, r)),
        ..KpiValue::default()
    }
}

pub(super) fn missing(why: Message) -> KpiValue {
    KpiValue {
        missing: Some(why),
        ..KpiValue::default()
    }
}

/// `prospects`: some customer had no order by the analysis date (the
/// customers file or the events name people who have not bought).
pub(super) fn value(
    id: KpiId,
    a: &Acc,
    rest: Option<&Acc>,
    base: &Acc,
    input: &KpiInputs<'_>,
    prospects: bool,
) -> KpiValue {
    match id {
        KpiId::Customers => KpiValue {
            value: Some(a.customers),
            numerator: a.customers,
            denominator: base.customers,
            ..KpiValue::default()
        },
        KpiId::Revenue => KpiValue {
            value: Some(a.revenue.sum),
            numerator: a.revenue.sum,
            denominator: base.revenue.sum,
            ..KpiValue::default()
        },
        KpiId::RevenuePerCustomer => mean(a.revenue, rest.map(|r| r.revenue)),
        KpiId::OrdersPerCustomer => mean(a.orders, rest.map(|r| r.orders)),
        KpiId::Aov => KpiValue {
            value: (a.order_count > 0.0).then(|| a.revenue.sum / a.order_count),
            numerator: a.revenue.sum,
            denominator: a.order_count,
            ..KpiValue::default()
        },
        KpiId::RepeatRate => rate(a.repeat, a.customers, rest.map(|r| (r.repeat, r.customers))),
        KpiId::ConversionRate if !prospects => missing(NEEDS_PROSPECTS),
        KpiId::ConversionRate => rate(a.buyers, a.customers, rest.map(|r| (r.buyers, r.customers))),
        KpiId::ChurnRate => rate(
            a.churned,
            a.active_before,
            rest.map(|r| (r.churned, r.active_before)),
        ),
        KpiId::RetentionRate => rate(
            a.active_before - a.churned,
            a.active_before,
            rest.map(|r| (r.active_before - r.churned, r.active_before)),
        ),
        KpiId::PredictedClv if input.predictions.is_none() => missing(NEEDS_MODEL),
        KpiId::PredictedClv => mean(a.clv, rest.map(|r| r.clv)),
        KpiId::Nps | KpiId::Csat if input.surveys.is_none() => missing(NEEDS_SURVEY),
        KpiId::Nps => {
            let n = a.nps_n;
            if n <= 0.0 {
                return KpiValue {
                    missing: Some(Message::new("engine.no_nps_answer_in_this_segment")),
                    ..KpiValue::default()
                };
            }
            let (p, d) = (a.promoters / n, a.detractors / n);
            let var = |p: f64, d: f64, n: f64| (p + d - (p - d).powi(2)) / n;
            let half = 1.959_963_984_540_054 * var(p, d, n).sqrt() * 100.0;
            let nps = 100.0 * (p - d);
            let p_value = rest.filter(|r| r.nps_n > 0.0).and_then(|r| {
                let (p2, d2) = (r.promoters / r.nps_n, r.detractors / r.nps_n);
                let se = (var(p, d, n) + var(p2, d2, r.nps_n)).sqrt();
                (se > 0.0).then(|| two_sided((p - d - (p2 - d2)) / se))
            });
            KpiValue {
                value: Some(nps),
                ci: Some((nps - half, nps + half)),
                numerator: a.promoters - a.detractors,
                denominator: n,
                p_value,
                ..KpiValue::default()
            }
        }
        KpiId::Csat => rate(a.satisfied, a.csat_n, rest.map(|r| (r.satisfied, r.csat_n))),
        KpiId::OpenRate | KpiId::ClickRate | KpiId::ClickToOpen if input.email.is_none() => {
            missing(NEEDS_EMAIL)
        }
        KpiId::OpenRate => rate(a.opened, a.delivered, rest.map(|r| (r.opened, r.delivered))),
        KpiId::ClickRate => rate(
            a.clicked,
            a.delivered,
            rest.map(|r| (r.clicked, r.delivered)),
        ),
        KpiId::ClickToOpen => rate(a.clicked, a.opened, rest.map(|r| (r.clicked, r.opened))),
        KpiId::TicketsPerCustomer | KpiId::ResolutionHours if input.tickets.is_none() => {
            missing(NEEDS_TICKETS)
        }
        KpiId::Cac | KpiId::Roi if input.costs.is_none() => missing(NEEDS_COSTS),
        KpiId::Cac => mean(a.acquisition, rest.map(|r| r.acquisition)),
        KpiId::Roi => {
            let spend = a.acquisition.sum;
            KpiValue {
                value: (spend > 0.0).then(|| (a.acquired_revenue - spend) / spend),
                numerator: a.acquired_revenue - spend,
                denominator: spend,
                ..KpiValue::default()
            }
        }
        KpiId::ReferralsPerCustomer => mean(a.referrals, rest.map(|r| r.referrals)),
        KpiId::TicketsPerCustomer => mean(a.tickets, rest.map(|r| r.tickets)),
        KpiId::ResolutionHours => mean(a.resolution_hours, rest.map(|r| r.resolution_hours)),
        // Goals count these within their own period; they are no column.
        // The table computes the top 20%'s share from the sorted spends;
        // goals count the rest within their own period; they are no column.
        KpiId::Top20Share
        | KpiId::SecondOrdersInPeriod
        | KpiId::NewCustomersInPeriod
        | KpiId::OrdersInPeriod => KpiValue::default(),
    }
}

/// The KPI table as CSV: one row per segment (the whole base last), and
/// for each KPI its value, the counts behind it, its 95% interval and the
/// p-value of its difference from the rest of the base (`nps`,
/// `nps_numerator`, ..., `nps_p_value`); empty where there is none.
pub fn table_csv(table: &KpiTable) -> String {
    let mut out = b"segment".to_vec();
    for def in &table.kpis {
        for suffix in [
            "",
            "_numerator",
            "_denominator",
            "_ci_low",
            "_ci_high",
            "_p_value",
        ] {
            out.push(b',');
            out.extend_from_slice(format!("{}{suffix}", def.id).as_bytes());
        }
    }
    out.push(b'\n');
    let opt = |v: Option<f64>| v.map(|x| format!("{x}")).unwrap_or_default();
    for (g, name) in table.groups.iter().enumerate() {
        crate::import::delimited::push_csv_field(&mut out, name);
        for v in &table.values[g] {
            for cell in [
                opt(v.value),
                format!("{}", v.numerator),
                format!("{}", v.denominator),
                opt(v.ci.map(|c| c.0)),
                opt(v.ci.map(|c| c.1)),
                opt(v.p_value),
            ] {
                out.push(b',');
                out.extend_from_slice(cell.as_bytes());
            }
        }
        out.push(b'\n');
    }
    String::from_utf8(out).unwrap_or_default()
}
