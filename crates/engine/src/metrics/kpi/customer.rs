//! Per-customer figures the KPIs sum (orders, spend, first and last
//! order, costs of acquisition) and the concentration of spend.

use super::*;

/// What the customers file says of each customer that the KPIs need, read
/// in one pass over its rows (once per analysis, whatever the segments).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerFacts {
    /// How many customers name each customer as their referrer (by key or
    /// e-mail, normalised as keys are), when the file has a referrer column.
    pub referrals: Option<Vec<u32>>,
    /// Each customer's acquisition channel as an index into the marketing
    /// costs' channels (matched ignoring case), when both exist.
    pub channel: Option<Vec<Option<u32>>>,
}

/// Reads [`CustomerFacts`] from the customers file.
pub fn customer_facts(
    customers: Option<&CustomerTable>,
    costs: Option<&CostTable>,
    orders: &Orders,
) -> CustomerFacts {
    let Some(t) = customers else {
        return CustomerFacts::default();
    };
    let n = orders.customer_keys.len();
    let referrer = crate::import::sources::referrer_column(t);
    let acquisition = costs.and(crate::import::sources::acquisition_column(t));
    let names: Vec<String> = costs
        .map(|c| c.channels.iter().map(|x| x.trim().to_lowercase()).collect())
        .unwrap_or_default();
    let channel_of = |value: &str| {
        let v = value.trim();
        names
            .iter()
            .position(|n| {
                if v.is_ascii() {
                    n.eq_ignore_ascii_case(v)
                } else {
                    *n == v.to_lowercase()
                }
            })
            .map(|i| i as u32)
    };
    let mut channel = acquisition.map(|_| vec![None; n]);
    // The referrers named, as normalised keys, with who named them.
    let mut named: rustc_hash::FxHashMap<String, Vec<u32>> = Default::default();
    for (row, c) in t.customer.iter().enumerate() {
        let cells = &t.attributes[row];
        if let (Some(col), Some(out)) = (acquisition, channel.as_mut())
            && let (Some(v), Some(slot)) = (cells.get(col), out.get_mut(*c as usize))
        {
            *slot = channel_of(v);
        }
        if let Some(value) = referrer
            .and_then(|col| cells.get(col))
            .filter(|v| !v.trim().is_empty())
        {
            named
                .entry(crate::import::orders::normalise_key(value))
                .or_default()
                .push(*c);
        }
    }
    let referrals = referrer.map(|_| {
        let mut counts = vec![0u32; n];
        let mut credit = |referrer: usize, by: &[u32]| {
            counts[referrer] += by.iter().filter(|who| **who as usize != referrer).count() as u32;
        };
        for (i, k) in orders.customer_keys.iter().enumerate() {
            if let Some(by) = named.remove(k.as_str()) {
                credit(i, &by);
            }
        }
        // Referrers named by e-mail in a file keyed by id.
        if !named.is_empty() {
            for (row, c) in t.customer.iter().enumerate() {
                if let Some(by) = named.remove(t.email[row].as_str()) {
                    credit(*c as usize, &by);
                }
            }
        }
        counts
    });
    CustomerFacts { referrals, channel }
}

/// The period the marketing costs cover: from their first date to the end
/// of their last period (the last date plus the median gap between
/// distinct dates, less a day), no later than the analysis date.
pub(crate) fn cost_period(costs: &CostTable, as_of: Day) -> Option<(Day, Day)> {
    let mut days: Vec<Day> = costs.day.iter().copied().filter(|d| *d <= as_of).collect();
    days.sort_unstable();
    days.dedup();
    let (&from, &last) = (days.first()?, days.last()?);
    let mut gaps: Vec<Day> = days.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_unstable();
    let step = gaps.get(gaps.len() / 2).copied().unwrap_or(1).max(1);
    Some((from, (last + step - 1).min(as_of)))
}

/// The acquisition cost of each customer acquired in the costs' period
/// (first order in it), `None` for the others; `None` when nobody was.
pub(super) fn acquisition_costs(
    costs: &CostTable,
    input: &KpiInputs<'_>,
    first: &[Option<Day>],
) -> Option<Vec<Option<f64>>> {
    let (from, to) = cost_period(costs, input.as_of)?;
    let n = first.len();
    let acquired: Vec<bool> = first
        .iter()
        .map(|d| d.is_some_and(|d| (from..=to).contains(&d)))
        .collect();
    let total_new = acquired.iter().filter(|a| **a).count();
    if total_new == 0 {
        return None;
    }
    // Each customer's channel among the costs' channels, from the
    // customers file.
    let channel = |c: usize| {
        input
            .customer_facts
            .and_then(|f| f.channel.as_ref())
            .and_then(|ch| ch.get(c).copied().flatten())
            .map(|ch| ch as usize)
            .filter(|ch| *ch < costs.channels.len())
    };
    let mut spend = vec![0.0; costs.channels.len()];
    for i in 0..costs.day.len() {
        if (from..=to).contains(&costs.day[i]) {
            spend[costs.channel[i] as usize] += costs.spend[i];
        }
    }
    let mut new_in = vec![0usize; costs.channels.len()];
    for (c, _) in acquired.iter().enumerate().filter(|(_, a)| **a) {
        if let Some(ch) = channel(c) {
            new_in[ch] += 1;
        }
    }
    // Spend of channels that acquired nobody is shared by everyone.
    let unexplained: f64 = (0..spend.len())
        .filter(|ch| new_in[*ch] == 0)
        .map(|ch| spend[ch])
        .sum();
    let even = unexplained / total_new as f64;
    Some(
        (0..n)
            .map(|c| {
                acquired[c]
                    .then(|| even + channel(c).map_or(0.0, |ch| spend[ch] / new_in[ch] as f64))
            })
            .collect(),
    )
}

/// The share of revenue from the `share` of customers who spent most
/// (their number rounded up).
pub(super) fn top_share(spend: &mut [f64], share: f64) -> KpiValue {
    let total: f64 = spend.iter().sum();
    if spend.is_empty() || total <= 0.0 {
        return KpiValue::default();
    }
    spend.sort_by(|a, b| b.total_cmp(a));
    let k = ((spend.len() as f64 * share).ceil() as usize).clamp(1, spend.len());
    let top: f64 = spend[..k].iter().sum();
    KpiValue {
        value: Some(top / total),
        numerator: top,
        denominator: total,
        ..KpiValue::default()
    }
}

/// The Lorenz curve of spend: after sorting customers from the smallest
/// spender, `(share of customers, share of revenue)` at each tenth, and
/// the Gini index (0: everyone spends the same; 1: one customer spends
/// everything).
pub fn lorenz(spend: &[f64]) -> Option<(Vec<(f64, f64)>, f64)> {
    let mut s: Vec<f64> = spend.iter().map(|x| x.max(0.0)).collect();
    let total: f64 = s.iter().sum();
    if s.is_empty() || total <= 0.0 {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let mut cumulative = Vec::with_capacity(n + 1);
    cumulative.push(0.0);
    for x in &s {
        cumulative.push(cumulative.last().copied().unwrap_or(0.0) + x);
    }
    let points = (0..=10)
        .map(|t| {
            let k = (n * t).div_ceil(10).min(n);
            (k as f64 / n as f64, cumulative[k] / total)
        })
        .collect();
    // Gini = 1 − 2 × area under the curve (trapezoids over customers).
    let area: f64 = (1..=n)
        .map(|i| (cumulative[i - 1] + cumulative[i]) / (2.0 * total * n as f64))
        .sum();
    Some((points, 1.0 - 2.0 * area))
}
