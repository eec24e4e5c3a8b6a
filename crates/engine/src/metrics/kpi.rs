//! KPIs per segment, with the counts behind them, 95% confidence intervals
//! and a test of each segment against the rest of the base.
//!
//! Rates use the Wilson interval and a two-proportion z-test; means use
//! Student's t interval and Welch's test (on Student's t distribution); NPS uses the
//! variance of the promoter/detractor difference. A KPI whose data is
//! missing says which file would provide it.

use serde::{Deserialize, Serialize};

use crate::import::orders::Orders;
use crate::import::sources::{CostTable, CustomerTable, EmailTable, SurveyTable};
use crate::model::date::Day;
use crate::models::clv::CustomerPrediction;

/// How a KPI's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KpiFormat {
    /// A count.
    Count,
    /// An amount of money.
    Money,
    /// A share, 0 to 1.
    Rate,
    /// A plain number.
    Number,
    /// A score in points (NPS: −100 to 100).
    Points,
}

/// What a KPI is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiDef {
    /// A stable identifier.
    pub id: String,
    /// Its name for people.
    pub name: String,
    /// How it is computed, in words.
    pub formula: String,
    /// How its values read.
    pub format: KpiFormat,
    /// True when a higher value is better.
    pub higher_is_better: bool,
}

/// One KPI of one segment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KpiValue {
    /// The value, when the data allows it.
    pub value: Option<f64>,
    /// The 95% confidence interval, for rates and means.
    pub ci: Option<(f64, f64)>,
    /// The count on top of the fraction (or the sum).
    pub numerator: f64,
    /// The count below it (customers, answers, e-mails).
    pub denominator: f64,
    /// The p-value of the difference from the rest of the base.
    pub p_value: Option<f64>,
    /// The difference from the whole base: `(value − base) / |base|`, or
    /// in hundreds of points for NPS.
    pub relative: Option<f64>,
    /// Why there is no value, in plain words.
    pub missing: Option<String>,
}

impl KpiValue {
    /// True when the difference from the rest of the base is significant
    /// at 5%.
    pub fn significant(&self) -> bool {
        self.p_value.is_some_and(|p| p < 0.05)
    }
}

/// The KPI table: one row per segment and a last row for the whole base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiTable {
    /// The KPIs, in column order.
    pub kpis: Vec<KpiDef>,
    /// The segments' names, then "All customers".
    pub groups: Vec<String>,
    /// `values[group][kpi]`.
    pub values: Vec<Vec<KpiValue>>,
    /// The churn period in days.
    pub churn_period_days: i32,
}

/// The name of the whole base's row.
pub const ALL_CUSTOMERS: &str = "All customers";

/// The days of the churn and retention period.
pub const CHURN_PERIOD_DAYS: i32 = 90;

/// The standard normal distribution function.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * (1.0 + libm::erf(z / std::f64::consts::SQRT_2))
}

fn two_sided(z: f64) -> f64 {
    2.0 * (1.0 - normal_cdf(z.abs()))
}

/// The 95% Wilson interval of `k` successes in `n` trials.
pub fn wilson(k: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let z = 1.959_963_984_540_054;
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// The p-value of the two-proportion z-test (pooled).
pub fn two_proportion_p(k1: f64, n1: f64, k2: f64, n2: f64) -> Option<f64> {
    if n1 <= 0.0 || n2 <= 0.0 {
        return None;
    }
    let pooled = (k1 + k2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se == 0.0 {
        return Some(1.0);
    }
    Some(two_sided((k1 / n1 - k2 / n2) / se))
}

/// Mean, variance (n − 1) and count of values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    /// Count.
    pub n: f64,
    /// Sum.
    pub sum: f64,
    /// Sum of squares.
    pub sum_sq: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.n += 1.0;
        self.sum += x;
        self.sum_sq += x * x;
    }

    fn minus(self, other: Moments) -> Moments {
        Moments {
            n: self.n - other.n,
            sum: self.sum - other.sum,
            sum_sq: self.sum_sq - other.sum_sq,
        }
    }

    /// The mean.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0.0).then(|| self.sum / self.n)
    }

    /// The sample variance.
    pub fn variance(&self) -> Option<f64> {
        (self.n > 1.0)
            .then(|| ((self.sum_sq - self.sum * self.sum / self.n) / (self.n - 1.0)).max(0.0))
    }

    /// The 95% interval of the mean on Student's t distribution with
    /// n − 1 degrees of freedom (the normal 1.96 is too narrow for small
    /// segments: 12.71 for two customers, 2.36 for eight).
    fn ci(&self) -> Option<(f64, f64)> {
        use statrs::distribution::{ContinuousCDF, StudentsT};
        let (m, v) = (self.mean()?, self.variance()?);
        let t = StudentsT::new(0.0, 1.0, self.n - 1.0)
            .ok()?
            .inverse_cdf(0.975);
        let half = t * (v / self.n).sqrt();
        Some((m - half, m + half))
    }
}

/// The p-value of Welch's test: the difference of the means over its
/// standard error, read on Student's t distribution with the
/// Welch–Satterthwaite degrees of freedom (the normal approximation calls
/// differences between small segments significant too often).
pub fn welch_p(a: Moments, b: Moments) -> Option<f64> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let (va, vb) = (a.variance()? / a.n, b.variance()? / b.n);
    let se2 = va + vb;
    if se2 == 0.0 {
        return Some(1.0);
    }
    let t = (a.mean()? - b.mean()?) / se2.sqrt();
    let df = se2 * se2 / (va * va / (a.n - 1.0) + vb * vb / (b.n - 1.0));
    let student = StudentsT::new(0.0, 1.0, df).ok()?;
    Some((2.0 * student.sf(t.abs())).min(1.0))
}

/// The inputs of the KPI table.
pub struct KpiInputs<'a> {
    /// The orders (their customer keys are the customer space).
    pub orders: &'a Orders,
    /// E-mail results, if imported.
    pub email: Option<&'a EmailTable>,
    /// Survey answers, if imported.
    pub surveys: Option<&'a SurveyTable>,
    /// Support tickets, if imported.
    pub tickets: Option<&'a crate::import::sources::TicketTable>,
    /// Marketing spend, if imported.
    pub costs: Option<&'a CostTable>,
    /// What the customers file says of each customer (referrals, the
    /// acquisition channel), read once by [`customer_facts`].
    pub customer_facts: Option<&'a CustomerFacts>,
    /// Predictions, if the models could be fitted.
    pub predictions: Option<&'a [CustomerPrediction]>,
    /// The analysis date.
    pub as_of: Day,
    /// The churn and retention period in days ([`CHURN_PERIOD_DAYS`]
    /// unless the user chose another).
    pub churn_period_days: i32,
    /// The segment of each customer (by dense index), if any; customers
    /// with none are not in the table.
    pub group_of: &'a [Option<usize>],
    /// The segments' names.
    pub group_names: &'a [String],
}

#[derive(Clone, Copy, Default)]
struct Acc {
    customers: f64,
    revenue: Moments,
    orders: Moments,
    order_count: f64,
    repeat: f64,
    buyers: f64,
    active_before: f64,
    churned: f64,
    clv: Moments,
    nps_n: f64,
    promoters: f64,
    detractors: f64,
    csat_n: f64,
    satisfied: f64,
    delivered: f64,
    opened: f64,
    clicked: f64,
    tickets: Moments,
    resolution_hours: Moments,
    /// Acquisition cost of each customer acquired in the costs' period.
    acquisition: Moments,
    /// Revenue to date of those customers.
    acquired_revenue: f64,
    /// Customers each customer referred.
    referrals: Moments,
}

impl Acc {
    fn minus(self, o: Acc) -> Acc {
        Acc {
            customers: self.customers - o.customers,
            revenue: self.revenue.minus(o.revenue),
            orders: self.orders.minus(o.orders),
            order_count: self.order_count - o.order_count,
            repeat: self.repeat - o.repeat,
            buyers: self.buyers - o.buyers,
            active_before: self.active_before - o.active_before,
            churned: self.churned - o.churned,
            clv: self.clv.minus(o.clv),
            nps_n: self.nps_n - o.nps_n,
            promoters: self.promoters - o.promoters,
            detractors: self.detractors - o.detractors,
            csat_n: self.csat_n - o.csat_n,
            satisfied: self.satisfied - o.satisfied,
            delivered: self.delivered - o.delivered,
            opened: self.opened - o.opened,
            clicked: self.clicked - o.clicked,
            tickets: self.tickets.minus(o.tickets),
            resolution_hours: self.resolution_hours.minus(o.resolution_hours),
            acquisition: self.acquisition.minus(o.acquisition),
            acquired_revenue: self.acquired_revenue - o.acquired_revenue,
            referrals: self.referrals.minus(o.referrals),
        }
    }
}

fn def(id: &str, name: &str, formula: &str, format: KpiFormat, higher_is_better: bool) -> KpiDef {
    KpiDef {
        id: id.into(),
        name: name.into(),
        formula: formula.into(),
        format,
        higher_is_better,
    }
}

/// The KPIs of the table, in column order, with the default churn period.
pub fn definitions() -> Vec<KpiDef> {
    definitions_for(CHURN_PERIOD_DAYS)
}

/// The KPIs of the table, in column order, with a churn and retention
/// period of `period` days.
pub fn definitions_for(period: i32) -> Vec<KpiDef> {
    use KpiFormat::*;
    vec![
        def(
            "customers",
            "Customers",
            "Customers in the segment",
            Count,
            true,
        ),
        def(
            "revenue",
            "Revenue",
            "Sum of order amounts, refunds deducted",
            Money,
            true,
        ),
        def(
            "revenue_per_customer",
            "Revenue per customer",
            "Revenue ÷ customers (historic value to date)",
            Money,
            true,
        ),
        def(
            "orders_per_customer",
            "Orders per customer",
            "Orders ÷ customers (refunds are not orders)",
            Number,
            true,
        ),
        def(
            "aov",
            "Average order value",
            "Revenue ÷ orders",
            Money,
            true,
        ),
        def(
            "repeat_rate",
            "Repeat-purchase rate",
            "Customers with 2 orders or more ÷ customers",
            Rate,
            true,
        ),
        def(
            "conversion_rate",
            "Conversion rate",
            "Customers with at least one order up to the analysis date ÷ customers, prospects (known from the customers file or from events, with no order) included",
            Rate,
            true,
        ),
        KpiDef {
            id: "churn_rate".into(),
            name: format!("Churn rate ({period} days)"),
            formula: format!(
                "Customers who ordered in the {period} days before the last {period} and not in the last {period} ÷ customers who ordered in those earlier {period} days"
            ),
            format: Rate,
            higher_is_better: false,
        },
        KpiDef {
            id: "retention_rate".into(),
            name: format!("Retention rate ({period} days)"),
            formula: format!(
                "Customers who ordered in the {period} days before the last {period} and again in the last {period} ÷ customers who ordered in those earlier {period} days (1 − churn rate)"
            ),
            format: Rate,
            higher_is_better: true,
        },
        def(
            "predicted_clv",
            "Predicted value per customer (12 months)",
            "Mean of each customer's expected orders (BG/NBD) × expected spend (Gamma-Gamma) over 52 weeks, discounted 1% a month",
            Money,
            true,
        ),
        def(
            "nps",
            "NPS",
            "% promoters (9–10) − % detractors (0–6), each customer's last answer",
            Points,
            true,
        ),
        def(
            "csat",
            "CSAT",
            "Answers of 4 or 5 ÷ answers (1–5 scale), each customer's last answer",
            Rate,
            true,
        ),
        def(
            "open_rate",
            "E-mail open rate",
            "E-mails opened ÷ e-mails delivered",
            Rate,
            true,
        ),
        def(
            "click_rate",
            "E-mail click rate",
            "E-mails clicked ÷ e-mails delivered",
            Rate,
            true,
        ),
        def(
            "click_to_open",
            "Click-to-open rate",
            "E-mails clicked ÷ e-mails opened",
            Rate,
            true,
        ),
        def(
            "cac",
            "Acquisition cost per customer (CAC)",
            "Marketing spend ÷ customers whose first order falls in the costs' period (first cost date to the end of the last cost period); each costs their acquisition channel's spend ÷ that channel's new customers (channel from the customers file), plus an even share of the spend no channel explains",
            Money,
            false,
        ),
        def(
            "roi",
            "Return on marketing spend (ROI)",
            "(Revenue to date of the customers acquired in the costs' period − their acquisition cost) ÷ their acquisition cost",
            Rate,
            true,
        ),
        def(
            "top20_share",
            "Revenue from the top 20%",
            "Revenue of the 20% of customers who spent most (rounded up) ÷ revenue; the higher, the more the segment depends on a few customers",
            Rate,
            false,
        ),
        def(
            "referrals_per_customer",
            "Referrals per customer",
            "Customers of the customers file who name one of the segment's customers as their referrer (a referred_by, referrer or parrain column, by id or e-mail) ÷ the segment's customers",
            Number,
            true,
        ),
        def(
            "tickets_per_customer",
            "Tickets per customer",
            "Support tickets opened up to the analysis date ÷ customers",
            Number,
            false,
        ),
        def(
            "resolution_hours",
            "Average resolution time (hours)",
            "Mean of (resolved − opened) over the tickets resolved up to the analysis date, in hours",
            Number,
            false,
        ),
    ]
}

const NEEDS_EMAIL: &str = "Add an e-mail results file (customer, opened, clicked) to see this.";
const NEEDS_SURVEY: &str = "Add a survey file (customer, NPS 0–10 and/or CSAT 1–5) to see this.";
const NEEDS_TICKETS: &str = "Add a support tickets file (customer, opened, resolved) to see this.";
const NEEDS_PROSPECTS: &str = "Every customer here has ordered: add a customers file that lists prospects, or web events, to see who has not converted yet.";
const NEEDS_COSTS: &str =
    "Add a marketing costs file (date, channel or campaign, spend) to see this.";
const NEEDS_REFERRALS: &str = "Add a customers file with a referred_by (or referrer, parrain) column naming each customer's referrer to see this.";
const NEEDS_MODEL: &str = "The predictive models could not be fitted to these orders.";

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
        for i in 0..e.customer.len() {
            if e.day[i].is_some_and(|d| d > input.as_of) || !e.delivered[i] {
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
                .map(|k| match k.id.as_str() {
                    "top20_share" => top20[g].clone(),
                    "referrals_per_customer" if referrals.is_none() => missing(NEEDS_REFERRALS),
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

fn rate(k: f64, n: f64, rest: Option<(f64, f64)>) -> KpiValue {
    KpiValue {
        value: (n > 0.0).then(|| k / n),
        ci: wilson(k, n),
        numerator: k,
        denominator: n,
        p_value: rest.and_then(|(k2, n2)| two_proportion_p(k, n, k2, n2)),
        ..KpiValue::default()
    }
}

fn mean(m: Moments, rest: Option<Moments>) -> KpiValue {
    KpiValue {
        value: m.mean(),
        ci: m.ci(),
        numerator: m.sum,
        denominator: m.n,
        p_value: rest.and_then(|r| welch_p(m, r)),
        ..KpiValue::default()
    }
}

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
pub fn cost_period(costs: &CostTable, as_of: Day) -> Option<(Day, Day)> {
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
fn acquisition_costs(
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
fn top_share(spend: &mut [f64], share: f64) -> KpiValue {
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

fn missing(text: &str) -> KpiValue {
    KpiValue {
        missing: Some(text.into()),
        ..KpiValue::default()
    }
}

/// `prospects`: some customer had no order by the analysis date (the
/// customers file or the events name people who have not bought).
fn value(
    id: &str,
    a: &Acc,
    rest: Option<&Acc>,
    base: &Acc,
    input: &KpiInputs<'_>,
    prospects: bool,
) -> KpiValue {
    match id {
        "customers" => KpiValue {
            value: Some(a.customers),
            numerator: a.customers,
            denominator: base.customers,
            ..KpiValue::default()
        },
        "revenue" => KpiValue {
            value: Some(a.revenue.sum),
            numerator: a.revenue.sum,
            denominator: base.revenue.sum,
            ..KpiValue::default()
        },
        "revenue_per_customer" => mean(a.revenue, rest.map(|r| r.revenue)),
        "orders_per_customer" => mean(a.orders, rest.map(|r| r.orders)),
        "aov" => KpiValue {
            value: (a.order_count > 0.0).then(|| a.revenue.sum / a.order_count),
            numerator: a.revenue.sum,
            denominator: a.order_count,
            ..KpiValue::default()
        },
        "repeat_rate" => rate(a.repeat, a.customers, rest.map(|r| (r.repeat, r.customers))),
        "conversion_rate" if !prospects => missing(NEEDS_PROSPECTS),
        "conversion_rate" => rate(a.buyers, a.customers, rest.map(|r| (r.buyers, r.customers))),
        "churn_rate" => rate(
            a.churned,
            a.active_before,
            rest.map(|r| (r.churned, r.active_before)),
        ),
        "retention_rate" => rate(
            a.active_before - a.churned,
            a.active_before,
            rest.map(|r| (r.active_before - r.churned, r.active_before)),
        ),
        "predicted_clv" if input.predictions.is_none() => missing(NEEDS_MODEL),
        "predicted_clv" => mean(a.clv, rest.map(|r| r.clv)),
        "nps" | "csat" if input.surveys.is_none() => missing(NEEDS_SURVEY),
        "nps" => {
            let n = a.nps_n;
            if n <= 0.0 {
                return KpiValue {
                    missing: Some("No NPS answer in this segment.".into()),
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
        "csat" => rate(a.satisfied, a.csat_n, rest.map(|r| (r.satisfied, r.csat_n))),
        "open_rate" | "click_rate" | "click_to_open" if input.email.is_none() => {
            missing(NEEDS_EMAIL)
        }
        "open_rate" => rate(a.opened, a.delivered, rest.map(|r| (r.opened, r.delivered))),
        "click_rate" => rate(
            a.clicked,
            a.delivered,
            rest.map(|r| (r.clicked, r.delivered)),
        ),
        "click_to_open" => rate(a.clicked, a.opened, rest.map(|r| (r.clicked, r.opened))),
        "tickets_per_customer" | "resolution_hours" if input.tickets.is_none() => {
            missing(NEEDS_TICKETS)
        }
        "cac" | "roi" if input.costs.is_none() => missing(NEEDS_COSTS),
        "cac" => mean(a.acquisition, rest.map(|r| r.acquisition)),
        "roi" => {
            let spend = a.acquisition.sum;
            KpiValue {
                value: (spend > 0.0).then(|| (a.acquired_revenue - spend) / spend),
                numerator: a.acquired_revenue - spend,
                denominator: spend,
                ..KpiValue::default()
            }
        }
        "referrals_per_customer" => mean(a.referrals, rest.map(|r| r.referrals)),
        "tickets_per_customer" => mean(a.tickets, rest.map(|r| r.tickets)),
        "resolution_hours" => mean(a.resolution_hours, rest.map(|r| r.resolution_hours)),
        _ => KpiValue::default(),
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

/// A business goal: a KPI of a segment (or of all customers) to bring to
/// a target by a deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    /// The KPI's identifier (see [`definitions`]).
    pub kpi: String,
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
    pub fn between(&self, kpi: &str, from: Day, to: Day) -> Option<f64> {
        let v = match kpi {
            "new_customers_in_period" => &self.new_customers,
            "second_orders_in_period" => &self.second_orders,
            "orders_in_period" => &self.orders,
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
            "second_orders_in_period",
            "Customers placing a second order",
            "Customers whose second order (refunds aside) falls between the goal's start and the analysis date",
            Count,
            true,
        ),
        def(
            "new_customers_in_period",
            "New customers",
            "Customers whose first order falls between the goal's start and the analysis date",
            Count,
            true,
        ),
        def(
            "orders_in_period",
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
pub fn goal_definition(table: &KpiTable, id: &str) -> Option<KpiDef> {
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
    let def = goal_definition(table, &goal.kpi);
    let k = table.kpis.iter().position(|d| d.id == goal.kpi);
    let g = table.groups.iter().position(|n| *n == goal.segment);
    let current = match k {
        Some(k) => g.and_then(|g| table.values[g][k].value),
        None => g.and_then(|g| periods.get(g)).and_then(|p| {
            let to = goal.deadline.map_or(as_of, |d| d.min(as_of));
            p.between(&goal.kpi, goal.since.unwrap_or(as_of), to)
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
    let customers = table.kpis.iter().position(|k| k.id == "customers");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(xs: &[f64]) -> Moments {
        let mut m = Moments::default();
        for &x in xs {
            m.add(x);
        }
        m
    }

    #[test]
    fn the_mean_interval_is_scipys_t_interval() {
        // scipy.stats.t.interval(0.95, n - 1, loc=mean, scale=sem(x)).
        let moments = |xs: &[f64]| {
            let mut m = Moments::default();
            for x in xs {
                m.add(*x);
            }
            m
        };
        let (lo, hi) = moments(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
            .ci()
            .expect("an interval");
        assert!((lo - 3.212_512_082_204_107_3).abs() < 1e-9, "{lo}");
        assert!((hi - 6.787_487_917_795_893).abs() < 1e-9, "{hi}");
        let (lo, hi) = moments(&[10.0, 12.0]).ci().expect("an interval");
        assert!((lo + 1.706_204_736_432_095_4).abs() < 1e-9, "{lo}");
        assert!((hi - 23.706_204_736_432_095).abs() < 1e-9, "{hi}");
        assert_eq!(moments(&[3.0]).ci(), None);
    }

    #[test]
    fn welch_reads_student_t_as_scipy_does() {
        // scipy.stats.ttest_ind(a, b, equal_var=False).pvalue
        let p = welch_p(
            moments(&[10.0, 12.0, 9.0, 15.0]),
            moments(&[20.0, 25.0, 18.0, 30.0, 22.0]),
        );
        assert!(
            (p.unwrap() - 0.002_939_895_662_989_356).abs() < 1e-9,
            "{p:?}"
        );
        let p = welch_p(
            moments(&[3.5, 4.0, 2.5]),
            moments(&[5.0, 6.5, 4.5, 7.0, 6.0, 5.5]),
        );
        assert!(
            (p.unwrap() - 0.008_972_091_725_305_09).abs() < 1e-9,
            "{p:?}"
        );
        // The normal approximation calls the first far more significant.
        let normal = two_sided((11.5 - 23.0) / (7.0f64 / 4.0 + 22.0 / 5.0).sqrt());
        assert!(normal < 0.002_939_895_662_989_356 / 100.0, "{normal}");
        assert_eq!(
            welch_p(moments(&[1.0, 1.0]), moments(&[1.0, 1.0])),
            Some(1.0)
        );
        assert_eq!(welch_p(moments(&[1.0]), moments(&[2.0, 3.0])), None);
    }

    #[test]
    fn a_hand_worked_table() {
        // Two segments: A = {a, b}, B = {c}; d has no segment.
        let orders = Orders::from_rows(&[
            ("a".into(), 10, 100.0),
            ("a".into(), 150, 50.0),
            ("b".into(), 50, 30.0),
            ("b".into(), 60, -10.0),
            ("c".into(), 195, 40.0),
            ("d".into(), 1, 5.0),
        ]);
        let email = EmailTable {
            customer: vec![0, 0, 1, 2],
            campaign: vec![0; 4],
            campaigns: vec!["x".into()],
            day: vec![None; 4],
            delivered: vec![true, true, false, true],
            opened: vec![true, false, true, true],
            clicked: vec![true, false, false, false],
            unsubscribed: vec![false; 4],
            ..Default::default()
        };
        let surveys = SurveyTable {
            customer: vec![0, 0, 1, 2],
            day: vec![Some(1), Some(2), Some(3), Some(4)],
            nps: vec![Some(3), Some(10), Some(6), Some(8)],
            csat: vec![Some(5), None, Some(2), Some(4)],
        };
        let names = vec!["A".to_string(), "B".to_string()];
        let group_of = vec![Some(0), Some(0), Some(1), None];
        let t = compute(&KpiInputs {
            orders: &orders,
            email: Some(&email),
            surveys: Some(&surveys),
            tickets: None,
            costs: None,
            customer_facts: None,
            predictions: None,
            as_of: 200,
            churn_period_days: CHURN_PERIOD_DAYS,
            group_of: &group_of,
            group_names: &names,
        });
        let col = |id: &str| t.kpis.iter().position(|k| k.id == id).unwrap();
        let v = |g: usize, id: &str| t.values[g][col(id)].value;
        assert_eq!(t.groups, vec!["A", "B", "All customers"]);
        assert_eq!(v(0, "customers"), Some(2.0));
        assert_eq!(v(2, "customers"), Some(3.0));
        assert_eq!(v(0, "revenue"), Some(170.0));
        assert_eq!(v(0, "revenue_per_customer"), Some(85.0));
        assert_eq!(v(0, "orders_per_customer"), Some(1.5));
        assert_eq!(v(0, "aov"), Some(170.0 / 3.0));
        assert_eq!(v(0, "repeat_rate"), Some(0.5));
        // Churn: periods (110, 200] recent and (20, 110] before. a ordered
        // at 150 (recent) and b at 50 and 60 (before, not recent): 1 of 1.
        assert_eq!(v(0, "churn_rate"), Some(1.0));
        assert_eq!(v(1, "churn_rate"), None, "c ordered only recently");
        // NPS: a's last answer is 10 (promoter), b's 6 (detractor): 0.
        assert_eq!(v(0, "nps"), Some(0.0));
        assert_eq!(v(1, "nps"), Some(0.0), "8 is a passive");
        // CSAT: a's last CSAT answer is 5 (day 1), b's 2: 1 of 2.
        assert_eq!(v(0, "csat"), Some(0.5));
        // E-mails: A has 2 delivered (a's), 1 opened, 1 clicked.
        assert_eq!(v(0, "open_rate"), Some(0.5));
        assert_eq!(v(0, "click_rate"), Some(0.5));
        assert_eq!(v(0, "click_to_open"), Some(1.0));
        assert_eq!(v(2, "open_rate"), Some(2.0 / 3.0));
        assert!(t.values[0][col("predicted_clv")].missing.is_some());
        // Relative to the base: revenue per customer 85 against 70.
        let rel = t.values[0][col("revenue_per_customer")].relative.unwrap();
        assert!((rel - (85.0 - 70.0) / 70.0).abs() < 1e-12);
        let no_email = compute(&KpiInputs {
            orders: &orders,
            email: None,
            surveys: None,
            tickets: None,
            costs: None,
            customer_facts: None,
            predictions: None,
            as_of: 200,
            churn_period_days: CHURN_PERIOD_DAYS,
            group_of: &group_of,
            group_names: &names,
        });
        assert!(
            no_email.values[0][col("open_rate")]
                .missing
                .as_deref()
                .unwrap()
                .contains("e-mail results file")
        );
    }

    #[test]
    fn conversion_counts_prospects_and_says_when_there_are_none() {
        // a bought; b only got a refund; c ordered after the analysis
        // date; p is a prospect from the customers file (no order). A = {a,
        // b}, B = {c, p}.
        let mut orders = Orders::from_rows(&[
            ("a".into(), 10, 100.0),
            ("b".into(), 20, -10.0),
            ("c".into(), 300, 40.0),
        ]);
        orders.customer_keys.push("p".into());
        let names = vec!["A".to_string(), "B".to_string()];
        let inputs = |group_of: &'static [Option<usize>]| KpiInputs {
            orders: &orders,
            email: None,
            surveys: None,
            tickets: None,
            costs: None,
            customer_facts: None,
            predictions: None,
            as_of: 200,
            churn_period_days: CHURN_PERIOD_DAYS,
            group_of,
            group_names: &names,
        };
        let t = compute(&inputs(&[Some(0), Some(0), Some(1), Some(1)]));
        let k = t
            .kpis
            .iter()
            .position(|d| d.id == "conversion_rate")
            .unwrap();
        let at = |g: usize| &t.values[g][k];
        assert_eq!((at(0).numerator, at(0).denominator), (1.0, 2.0));
        assert_eq!(at(0).value, Some(0.5));
        assert_eq!(
            at(1).value,
            Some(0.0),
            "c's order comes after the analysis date"
        );
        assert_eq!(at(2).value, Some(0.25));
        // Only a compared, but b, c and p exist: still a rate.
        let only_a = compute(&inputs(&[Some(0), None, None, None]));
        assert_eq!(only_a.values[0][k].value, Some(1.0));
        // Everyone bought: no rate, and what would give one.
        let everyone = Orders::from_rows(&[("a".into(), 10, 100.0), ("b".into(), 20, 5.0)]);
        let t = compute(&KpiInputs {
            orders: &everyone,
            ..inputs(&[Some(0), Some(1)])
        });
        assert!(t.values[0][k].value.is_none());
        assert!(
            t.values[0][k]
                .missing
                .as_deref()
                .unwrap()
                .contains("customers file")
        );
    }

    /// The KPI table of every source of `data`, the customers named in
    /// `groups` in segments "A" (0) and "B" (1).
    fn table_of(
        data: &crate::import::dataset::Dataset,
        as_of: Day,
        groups: &[(&str, usize)],
    ) -> KpiTable {
        let mut group_of = vec![None; data.orders.customer_keys.len()];
        for (k, g) in groups {
            let c = data
                .orders
                .customer_keys
                .iter()
                .position(|x| x == k)
                .unwrap();
            group_of[c] = Some(*g);
        }
        let facts = customer_facts(data.customers.as_ref(), data.costs.as_ref(), &data.orders);
        compute(&KpiInputs {
            orders: &data.orders,
            email: data.email.as_ref(),
            surveys: data.surveys.as_ref(),
            tickets: data.tickets.as_ref(),
            costs: data.costs.as_ref(),
            customer_facts: Some(&facts),
            predictions: None,
            as_of,
            churn_period_days: CHURN_PERIOD_DAYS,
            group_of: &group_of,
            group_names: &["A".to_string(), "B".to_string()],
        })
    }

    /// A KPI of a table: its value in each row.
    fn column(t: &KpiTable, id: &str) -> Vec<KpiValue> {
        let k = t.kpis.iter().position(|d| d.id == id).unwrap();
        t.values.iter().map(|row| row[k].clone()).collect()
    }

    #[test]
    fn acquisition_cost_and_return_by_hand() {
        use crate::import::dataset::Dataset;
        // a began before the costs; f after their period (days 100 to 159:
        // monthly rows, 30 days apart). b, c, d, e are new.
        let orders = Orders::from_rows(&[
            ("a".into(), 90, 10.0),
            ("b".into(), 105, 100.0),
            ("c".into(), 140, 50.0),
            ("c".into(), 180, 30.0),
            ("d".into(), 150, 200.0),
            ("e".into(), 120, 20.0),
            ("f".into(), 170, 5.0),
        ]);
        let mut data = Dataset::from_orders(orders);
        data.add_source(
            "customers.csv",
            b"customer_id,Acquisition channel\na,Ads\nb,ads\nc,Ads \nd,Social\ne,organic\nf,Ads\n",
        )
        .unwrap();
        // Day 100 is 1970-04-11, day 130 is 1970-05-11.
        data.add_source(
            "costs.csv",
            b"date,channel,spend\n1970-04-11,Ads,100\n1970-04-11,Social,60\n1970-05-11,Ads,50\n1970-05-11,TV,40\n",
        )
        .unwrap();
        assert_eq!(
            cost_period(data.costs.as_ref().unwrap(), 200),
            Some((100, 159))
        );
        let groups = [("a", 0), ("b", 0), ("c", 0), ("d", 1), ("e", 1), ("f", 1)];
        let t = table_of(&data, 200, &groups);
        let (cac, roi) = (column(&t, "cac"), column(&t, "roi"));
        // TV's 40 acquired nobody: 10 each for the 4 new customers. b and
        // c share Ads' 150, d has Social's 60, e (organic) only the 10.
        let values = |c: &[KpiValue]| c.iter().map(|v| v.value.unwrap()).collect::<Vec<f64>>();
        assert_eq!(values(&cac), vec![85.0, 40.0, 62.5]);
        assert_eq!(cac[2].numerator, 250.0, "all the spend, once");
        // Revenue of the new: A 100 + 80, B 200 + 20.
        assert!((values(&roi)[0] - (180.0 - 170.0) / 170.0).abs() < 1e-12);
        assert_eq!(values(&roi)[1..], [1.75, 0.6]);
        // Without a costs file, both say which file would give them.
        data.costs = None;
        let none = table_of(&data, 200, &groups);
        assert!(
            column(&none, "roi")[0]
                .missing
                .as_deref()
                .unwrap()
                .contains("marketing costs")
        );
    }

    #[test]
    fn referrals_by_id_or_e_mail() {
        use crate::import::dataset::Dataset;
        let orders = Orders::from_rows(&[
            ("a".into(), 1, 10.0),
            ("b".into(), 2, 10.0),
            ("c".into(), 3, 10.0),
            ("d".into(), 4, 10.0),
            ("e".into(), 5, 10.0),
        ]);
        let mut data = Dataset::from_orders(orders);
        // b names a by id, c by a's e-mail; d names itself and e a
        // stranger: neither counts.
        data.add_source(
            "customers.csv",
            b"customer_id,email,Parrain\na,a@x.com,\nb,b@x.com,a\nc,c@x.com, A@X.com\nd,d@x.com,d\ne,e@x.com,zzz\n",
        )
        .unwrap();
        let groups = [("a", 0), ("b", 0), ("c", 1), ("d", 1), ("e", 1)];
        let referrals = column(&table_of(&data, 10, &groups), "referrals_per_customer");
        let values: Vec<Option<f64>> = referrals.iter().map(|v| v.value).collect();
        assert_eq!(values, vec![Some(1.0), Some(0.0), Some(0.4)]);
        data.customers = None;
        let none = column(&table_of(&data, 10, &groups), "referrals_per_customer");
        assert!(none[0].missing.as_deref().unwrap().contains("referred_by"));
    }

    #[test]
    fn the_index_against_a_goal() {
        let goal = |at_least, target| Goal {
            kpi: "x".into(),
            segment: "A".into(),
            at_least,
            target,
            deadline: None,
            since: None,
        };
        // 40 customers against at least 50: 20% short.
        assert!(
            (index_against_goal(40.0, &goal(true, 50.0), KpiFormat::Count) + 0.2).abs() < 1e-12
        );
        // A churn rate of 0.2 against at most 0.25: 20% on the good side.
        assert!((index_against_goal(0.2, &goal(false, 0.25), KpiFormat::Rate) - 0.2).abs() < 1e-12);
        // NPS +20 against at least +50: 30 points short.
        assert!(
            (index_against_goal(20.0, &goal(true, 50.0), KpiFormat::Points) + 0.3).abs() < 1e-12
        );
        assert_eq!(
            index_against_goal(3.0, &goal(true, 0.0), KpiFormat::Number),
            1.0
        );
    }

    #[test]
    fn the_table_as_csv() {
        let mut t = KpiTable {
            kpis: definitions()[..1].to_vec(),
            groups: vec!["Big, loyal".into(), ALL_CUSTOMERS.into()],
            values: vec![
                vec![KpiValue {
                    value: Some(2.0),
                    numerator: 2.0,
                    denominator: 5.0,
                    ..KpiValue::default()
                }],
                vec![KpiValue::default()],
            ],
            churn_period_days: 90,
        };
        t.values[1][0].ci = Some((0.25, 0.5));
        assert_eq!(
            table_csv(&t),
            "segment,customers,customers_numerator,customers_denominator,customers_ci_low,customers_ci_high,customers_p_value\n\
             \"Big, loyal\",2,2,5,,,\n\
             All customers,,0,0,0.25,0.5,\n"
        );
    }

    #[test]
    fn goals() {
        let table = KpiTable {
            kpis: definitions(),
            groups: vec!["A".into(), "All customers".into()],
            values: vec![
                definitions()
                    .iter()
                    .map(|d| KpiValue {
                        value: Some(match d.id.as_str() {
                            "customers" => 30.0,
                            "nps" => 20.0,
                            "churn_rate" => 0.25,
                            _ => 1.0,
                        }),
                        ..KpiValue::default()
                    })
                    .collect(),
                vec![KpiValue::default(); definitions().len()],
            ],
            churn_period_days: 90,
        };
        let goal = |kpi: &str, at_least, target| Goal {
            kpi: kpi.into(),
            segment: "A".into(),
            at_least,
            target,
            deadline: Some(110),
            since: None,
        };
        let s = goal_status(&table, &[], &goal("customers", true, 40.0), 100);
        assert_eq!(
            (s.met, s.progress, s.remaining, s.days_left),
            (false, Some(0.75), Some(10.0), Some(10))
        );
        // NPS 20 against 50: (20 + 100) / (50 + 100).
        let s = goal_status(&table, &[], &goal("nps", true, 50.0), 100);
        assert_eq!((s.met, s.progress), (false, Some(0.8)));
        let s = goal_status(&table, &[], &goal("churn_rate", false, 0.3), 100);
        assert!(s.met);
        let mut none = goal("nps", true, 50.0);
        none.segment = "All customers".into();
        assert_eq!(goal_status(&table, &[], &none, 100).current, None);
    }

    #[test]
    fn counts_within_a_period_by_hand() {
        // a: orders on days 990, 1000 (second), 1010. b: a refund on 995,
        // then orders on 1005 (first) and 1020 (second, after the analysis
        // date 1015: not counted). c: first order long ago (100), second
        // on 1012. Rows: A = {a, c}, B = {b}, then the whole base.
        let orders = Orders::from_rows(&[
            ("a".into(), 1010, 5.0),
            ("a".into(), 990, 5.0),
            ("a".into(), 1000, 5.0),
            ("b".into(), 995, -3.0),
            ("b".into(), 1005, 8.0),
            ("b".into(), 1020, 8.0),
            ("c".into(), 100, 1.0),
            ("c".into(), 1012, 1.0),
        ]);
        let rows = period_counts(&orders, 1015, 3, |c, out| {
            out.push(if c == 1 { 1 } else { 0 });
            out.push(2);
        });
        let between =
            |r: usize, kpi: &str, from: Day, to: Day| rows[r].between(kpi, from, to).unwrap();
        assert_eq!(
            between(0, "second_orders_in_period", 1000, 1015),
            2.0,
            "a on 1000, c on 1012"
        );
        assert_eq!(between(0, "second_orders_in_period", 1001, 1015), 1.0);
        assert_eq!(between(1, "second_orders_in_period", 0, 1015), 0.0);
        assert_eq!(
            between(2, "new_customers_in_period", 991, 1015),
            1.0,
            "only b; a began on 990, c outside the window"
        );
        assert_eq!(
            between(2, "orders_in_period", 990, 1015),
            5.0,
            "refund and day 1020 left out"
        );
        assert_eq!(between(2, "orders_in_period", 1011, 1011), 0.0);
        assert!(rows[0].between("nps", 0, 1).is_none());

        // A goal: 3 customers of A placing a second order from day 1000,
        // deadline 1040; the analysis date is 1015.
        let table = KpiTable {
            kpis: definitions(),
            groups: vec!["A".into(), "B".into(), "All customers".into()],
            values: vec![vec![KpiValue::default(); definitions().len()]; 3],
            churn_period_days: 90,
        };
        let goal = Goal {
            kpi: "second_orders_in_period".into(),
            segment: "A".into(),
            at_least: true,
            target: 3.0,
            deadline: Some(1040),
            since: Some(1000),
        };
        let s = goal_status(&table, &rows, &goal, 1015);
        assert_eq!(s.current, Some(2.0));
        assert_eq!(s.remaining, Some(1.0));
        assert_eq!(s.days_left, Some(25));
        assert!((s.progress.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        // A deadline already passed caps the period.
        let past = Goal {
            deadline: Some(1005),
            ..goal.clone()
        };
        assert_eq!(goal_status(&table, &rows, &past, 1015).current, Some(1.0));
        // Without its start, the period begins at the analysis date.
        let now = Goal {
            since: None,
            ..goal
        };
        assert_eq!(goal_status(&table, &rows, &now, 1015).current, Some(0.0));
    }

    #[test]
    fn wilson_and_tests_match_textbook_values() {
        // Wilson 95% for 8/10: (0.4902, 0.9433).
        let (lo, hi) = wilson(8.0, 10.0).unwrap();
        assert!(
            (lo - 0.4902).abs() < 5e-4 && (hi - 0.9433).abs() < 5e-4,
            "{lo} {hi}"
        );
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-9);
        // 60/100 against 45/100: z = 2.1232, p = 0.0337.
        let p = two_proportion_p(60.0, 100.0, 45.0, 100.0).unwrap();
        assert!((p - 0.0337).abs() < 5e-4, "{p}");
    }

    #[test]
    fn revenue_concentration_by_hand() {
        let mut spend = [10.0, 0.0, 30.0, 60.0];
        // The top 20% of 4 customers, rounded up: 1, who spent 60 of 100.
        let v = top_share(&mut spend, 0.2);
        assert_eq!(
            (v.value, v.numerator, v.denominator),
            (Some(0.6), 60.0, 100.0)
        );
        let (points, gini) = lorenz(&[10.0, 0.0, 30.0, 60.0]).unwrap();
        // Mean absolute difference over all pairs: 400 / 16 = 25; Gini =
        // 25 / (2 × mean 25) = 0.5.
        assert!((gini - 0.5).abs() < 1e-12);
        assert_eq!(points.first(), Some(&(0.0, 0.0)));
        assert_eq!(points.last(), Some(&(1.0, 1.0)));
        // Half the customers (0 and 10) hold a tenth of the revenue.
        assert!(points.contains(&(0.5, 0.1)));
        assert!(lorenz(&[]).is_none());
        let equal = lorenz(&[5.0; 10]).unwrap();
        assert!(equal.1.abs() < 1e-12);
    }
}
