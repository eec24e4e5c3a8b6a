//! Goals on KPIs: counts within a period, where each goal stands, and the
//! segments that stand out most.

use super::*;

/// A business goal: a KPI of a segment (or of all customers) to bring to
/// a target by a deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    /// The KPI (one of [`definitions`] or [`period_definitions`]).
    pub kpi: KpiId,
    /// The segment's name, or "All customers".
    pub segment: String,
    /// True for "at least the target", false for "at most".
    pub at_least: bool,
    /// The target, in the KPI's unit (rates as shares, 0 to 1).
    pub target: f64,
    /// The deadline, if any.
    pub deadline: Option<Day>,
    /// For the counts within a period ([`period_definitions`]): the first
    /// day counted.
    #[serde(default)]
    pub since: Option<Day>,
}

/// The days before the analysis date whose counts [`period_counts`] keeps.
pub const PERIOD_DAYS: i32 = 730;

/// Counts per day of one group, for the goals counted within a period
/// ("25 customers place a second order within 45 days").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PeriodCounts {
    /// The day of the first entry of each vector.
    pub first_day: Day,
    /// Customers whose first order fell on each day.
    pub new_customers: Vec<u32>,
    /// Customers whose second order fell on each day.
    pub second_orders: Vec<u32>,
    /// Orders placed on each day (refunds are not orders).
    pub orders: Vec<u32>,
}

impl PeriodCounts {
    /// The count of a period KPI from `from` to `to`, both included; days
    /// before the kept window count as nothing.
    pub fn between(&self, kpi: KpiId, from: Day, to: Day) -> Option<f64> {
        let v = match kpi {
            KpiId::NewCustomersInPeriod => &self.new_customers,
            KpiId::SecondOrdersInPeriod => &self.second_orders,
            KpiId::OrdersInPeriod => &self.orders,
            _ => return None,
        };
        let index =
            |d: Day| (i64::from(d) - i64::from(self.first_day)).clamp(0, v.len() as i64) as usize;
        let (a, b) = (index(from), index(to.saturating_add(1)));
        Some(v[a..b.max(a)].iter().map(|&k| f64::from(k)).sum())
    }
}

/// The counts that goals measure within a period of their own, beside the
/// KPI table's columns.
pub fn period_definitions() -> Vec<KpiDef> {
    use KpiFormat::Count;
    vec![
        def(
            KpiId::SecondOrdersInPeriod,
            "Customers placing a second order",
            "Customers whose second order (refunds aside) falls between the goal's start and the analysis date",
            Count,
            true,
        ),
        def(
            KpiId::NewCustomersInPeriod,
            "New customers",
            "Customers whose first order falls between the goal's start and the analysis date",
            Count,
            true,
        ),
        def(
            KpiId::OrdersInPeriod,
            "Orders placed",
            "Orders (refunds aside) placed between the goal's start and the analysis date",
            Count,
            true,
        ),
    ]
}

/// Counts per day, over the [`PERIOD_DAYS`] up to the analysis date, for
/// `n_rows` rows: `rows_of(customer, out)` pushes the rows the customer
/// counts in (a segment, the whole base).
pub fn period_counts(
    orders: &Orders,
    as_of: Day,
    n_rows: usize,
    mut rows_of: impl FnMut(usize, &mut Vec<usize>),
) -> Vec<PeriodCounts> {
    let first_day = as_of - (PERIOD_DAYS - 1);
    let days = PERIOD_DAYS as usize;
    let mut out = vec![
        PeriodCounts {
            first_day,
            new_customers: vec![0; days],
            second_orders: vec![0; days],
            orders: vec![0; days],
        };
        n_rows
    ];
    let n = orders.customer_keys.len();
    // Each customer's rows, once.
    let mut starts = Vec::with_capacity(n + 1);
    let mut rows = Vec::new();
    starts.push(0);
    let mut scratch = Vec::new();
    for c in 0..n {
        scratch.clear();
        rows_of(c, &mut scratch);
        rows.extend(scratch.iter().copied().filter(|r| *r < n_rows));
        starts.push(rows.len());
    }
    // The two earliest order days of each customer.
    let mut first = vec![Day::MAX; n];
    let mut second = vec![Day::MAX; n];
    for i in 0..orders.len() {
        let (c, d) = (orders.customer[i] as usize, orders.day[i]);
        if orders.amount[i] < 0.0 || d > as_of {
            continue;
        }
        if d < first[c] {
            second[c] = first[c];
            first[c] = d;
        } else if d < second[c] {
            second[c] = d;
        }
        if d >= first_day {
            for &r in &rows[starts[c]..starts[c + 1]] {
                out[r].orders[(d - first_day) as usize] += 1;
            }
        }
    }
    for c in 0..n {
        for &r in &rows[starts[c]..starts[c + 1]] {
            if (first_day..=as_of).contains(&first[c]) {
                out[r].new_customers[(first[c] - first_day) as usize] += 1;
            }
            if (first_day..=as_of).contains(&second[c]) {
                out[r].second_orders[(second[c] - first_day) as usize] += 1;
            }
        }
    }
    out
}

/// Where a goal stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalStatus {
    /// The KPI's current value, when there is one.
    pub current: Option<f64>,
    /// True when the target is reached.
    pub met: bool,
    /// How far along, 0 to 1: current ÷ target for "at least", target ÷
    /// current for "at most" (NPS: on a 0–200 scale shifted by 100).
    pub progress: Option<f64>,
    /// For counts, how many are still missing.
    pub remaining: Option<f64>,
    /// Days from the analysis date to the deadline (negative when past).
    pub days_left: Option<i32>,
}

/// How far a value is from a goal's target, as the heatmap colours it:
/// `(value − target) ÷ |target|` (in hundreds of points for NPS), positive
/// when the value is on the goal's good side (above an "at least" target,
/// below an "at most" one).
pub fn index_against_goal(value: f64, goal: &Goal, format: KpiFormat) -> f64 {
    let gap = if format == KpiFormat::Points {
        (value - goal.target) / 100.0
    } else if goal.target.abs() > 1e-12 {
        (value - goal.target) / goal.target.abs()
    } else {
        value.signum()
    };
    if goal.at_least { gap } else { -gap }
}

/// The KPI a goal can be set on: the table's and the counts within a
/// period.
pub fn goal_definition(table: &KpiTable, id: KpiId) -> Option<KpiDef> {
    table
        .kpis
        .iter()
        .find(|d| d.id == id)
        .cloned()
        .or_else(|| period_definitions().into_iter().find(|d| d.id == id))
}

/// Evaluates a goal against a KPI table and the period counts (one per
/// row of the table) at the analysis date. A count within a period runs
/// from the goal's start (the analysis date when it has none) to the
/// analysis date or the deadline, whichever comes first.
pub fn goal_status(
    table: &KpiTable,
    periods: &[PeriodCounts],
    goal: &Goal,
    as_of: Day,
) -> GoalStatus {
    let def = goal_definition(table, goal.kpi);
    let k = table.column(goal.kpi);
    let g = table.groups.iter().position(|n| *n == goal.segment);
    let current = match k {
        Some(k) => g.and_then(|g| table.values[g][k].value),
        None => g.and_then(|g| periods.get(g)).and_then(|p| {
            let to = goal.deadline.map_or(as_of, |d| d.min(as_of));
            p.between(goal.kpi, goal.since.unwrap_or(as_of), to)
        }),
    };
    let points = def.as_ref().is_some_and(|d| d.format == KpiFormat::Points);
    let shift = if points { 100.0 } else { 0.0 };
    let (met, progress) = match current {
        None => (false, None),
        Some(v) => {
            let (v, t) = (v + shift, goal.target + shift);
            let met = if goal.at_least { v >= t } else { v <= t };
            let progress = if goal.at_least {
                if t > 0.0 { v / t } else { 1.0 }
            } else if v > 0.0 {
                t / v
            } else {
                1.0
            };
            (met, Some(progress.clamp(0.0, 1.0)))
        }
    };
    let count = def.is_some_and(|d| d.format == KpiFormat::Count);
    GoalStatus {
        current,
        met,
        progress,
        remaining: current
            .filter(|_| count && goal.at_least)
            .map(|v| (goal.target - v).max(0.0)),
        days_left: goal.deadline.map(|d| d - as_of),
    }
}

/// The segments' differences from the base that stand out: significant,
/// at least 20% (or 10 NPS points) away, on segments of 20 customers or
/// more, largest first, at most `n`. Returns `(group, kpi)` pairs.
pub fn standouts(table: &KpiTable, n: usize) -> Vec<(usize, usize)> {
    let customers = table.column(KpiId::Customers);
    let mut found: Vec<(f64, usize, usize)> = Vec::new();
    for g in 0..table.groups.len().saturating_sub(1) {
        let size = customers
            .and_then(|c| table.values[g][c].value)
            .unwrap_or(0.0);
        if size < 20.0 {
            continue;
        }
        for (k, def) in table.kpis.iter().enumerate() {
            let v = &table.values[g][k];
            let threshold = if def.format == KpiFormat::Points {
                0.1
            } else {
                0.2
            };
            if let Some(rel) = v.relative
                && v.significant()
                && rel.abs() >= threshold
            {
                found.push((rel.abs(), g, k));
            }
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.into_iter().take(n).map(|(_, g, k)| (g, k)).collect()
}
