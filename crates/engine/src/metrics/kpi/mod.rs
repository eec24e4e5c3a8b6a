//! KPIs per segment, with the counts behind them, 95% confidence intervals
//! and a test of each segment against the rest of the base.
//!
//! Rates use the Wilson interval and a two-proportion z-test; means use
//! Student's t interval and Welch's test (on Student's t distribution); NPS uses the
//! variance of the promoter/detractor difference. A KPI whose data is
//! missing says which file would provide it.

use crate::model::message::Message;
use serde::{Deserialize, Serialize};

use crate::import::orders::Orders;
use crate::import::sources::{CostTable, CustomerTable, EmailTable, SurveyTable};
use crate::model::date::Day;
use crate::models::clv::CustomerPrediction;

mod compute;
mod customer;
mod definitions;
mod goals;
mod id;

use crate::stats::inference::{Moments, two_proportion_p, two_sided, welch_p, wilson};
pub use compute::*;
pub use customer::*;
pub use definitions::*;
pub use goals::*;
pub use id::{KpiId, UnknownKpi};

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
    /// Its identifier.
    pub id: KpiId,
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
    pub missing: Option<Message>,
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

impl KpiTable {
    /// The column of the KPI `id`, when the table has it.
    pub fn column(&self, id: KpiId) -> Option<usize> {
        self.kpis.iter().position(|d| d.id == id)
    }
}

/// The name of the whole base's row.
pub const ALL_CUSTOMERS: &str = "All customers";

/// The days of the churn and retention period.
pub const CHURN_PERIOD_DAYS: i32 = 90;

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

#[cfg(test)]
mod tests;
