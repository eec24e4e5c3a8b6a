//! Every KPI's identifier: what goals, snapshots, tables and the page's
//! catalogue name a KPI by, whatever the language.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::message::{Message, Value};

/// A KPI. Written (in files, stored projects and the catalogue's keys) as
/// its snake-case name, such as `churn_rate`: [`KpiId::as_str`] is the one
/// place that names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum KpiId {
    /// Customers in the segment.
    Customers,
    /// Sum of order amounts, refunds deducted.
    Revenue,
    /// Revenue per customer to date.
    RevenuePerCustomer,
    /// Orders per customer.
    OrdersPerCustomer,
    /// Average order value.
    Aov,
    /// Share of customers with two orders or more.
    RepeatRate,
    /// Share of known people who have ordered.
    ConversionRate,
    /// Share of the earlier period's buyers who did not buy again.
    ChurnRate,
    /// Share of the earlier period's buyers who bought again.
    RetentionRate,
    /// Predicted value per customer over the next year.
    PredictedClv,
    /// Net promoter score.
    Nps,
    /// Customer satisfaction.
    Csat,
    /// E-mail open rate.
    OpenRate,
    /// E-mail click rate.
    ClickRate,
    /// Click-to-open rate.
    ClickToOpen,
    /// Acquisition cost per customer.
    Cac,
    /// Return on marketing spend.
    Roi,
    /// Share of revenue from the top 20% of customers.
    Top20Share,
    /// Referrals per customer.
    ReferralsPerCustomer,
    /// Support tickets per customer.
    TicketsPerCustomer,
    /// Average resolution time of tickets, in hours.
    ResolutionHours,
    /// Goals only: customers placing a second order within the goal's
    /// period.
    SecondOrdersInPeriod,
    /// Goals only: new customers within the goal's period.
    NewCustomersInPeriod,
    /// Goals only: orders within the goal's period.
    OrdersInPeriod,
}

impl KpiId {
    /// Every KPI: the table's columns in order, then the counts that goals
    /// measure within a period.
    pub const ALL: [KpiId; 24] = [
        KpiId::Customers,
        KpiId::Revenue,
        KpiId::RevenuePerCustomer,
        KpiId::OrdersPerCustomer,
        KpiId::Aov,
        KpiId::RepeatRate,
        KpiId::ConversionRate,
        KpiId::ChurnRate,
        KpiId::RetentionRate,
        KpiId::PredictedClv,
        KpiId::Nps,
        KpiId::Csat,
        KpiId::OpenRate,
        KpiId::ClickRate,
        KpiId::ClickToOpen,
        KpiId::Cac,
        KpiId::Roi,
        KpiId::Top20Share,
        KpiId::ReferralsPerCustomer,
        KpiId::TicketsPerCustomer,
        KpiId::ResolutionHours,
        KpiId::SecondOrdersInPeriod,
        KpiId::NewCustomersInPeriod,
        KpiId::OrdersInPeriod,
    ];

    /// The identifier as written: `churn_rate`.
    pub const fn as_str(self) -> &'static str {
        match self {
            KpiId::Customers => "customers",
            KpiId::Revenue => "revenue",
            KpiId::RevenuePerCustomer => "revenue_per_customer",
            KpiId::OrdersPerCustomer => "orders_per_customer",
            KpiId::Aov => "aov",
            KpiId::RepeatRate => "repeat_rate",
            KpiId::ConversionRate => "conversion_rate",
            KpiId::ChurnRate => "churn_rate",
            KpiId::RetentionRate => "retention_rate",
            KpiId::PredictedClv => "predicted_clv",
            KpiId::Nps => "nps",
            KpiId::Csat => "csat",
            KpiId::OpenRate => "open_rate",
            KpiId::ClickRate => "click_rate",
            KpiId::ClickToOpen => "click_to_open",
            KpiId::Cac => "cac",
            KpiId::Roi => "roi",
            KpiId::Top20Share => "top20_share",
            KpiId::ReferralsPerCustomer => "referrals_per_customer",
            KpiId::TicketsPerCustomer => "tickets_per_customer",
            KpiId::ResolutionHours => "resolution_hours",
            KpiId::SecondOrdersInPeriod => "second_orders_in_period",
            KpiId::NewCustomersInPeriod => "new_customers_in_period",
            KpiId::OrdersInPeriod => "orders_in_period",
        }
    }

    /// True for the counts that goals measure within a period of their own,
    /// which are not columns of the KPI table.
    pub const fn is_period_count(self) -> bool {
        matches!(
            self,
            KpiId::SecondOrdersInPeriod | KpiId::NewCustomersInPeriod | KpiId::OrdersInPeriod
        )
    }
}

impl fmt::Display for KpiId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no KPI's identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKpi(pub String);

impl From<&UnknownKpi> for Message {
    fn from(e: &UnknownKpi) -> Message {
        Message::new("engine.kpi.unknown").with("name", Value::Text(e.0.clone()))
    }
}

impl fmt::Display for UnknownKpi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Message::from(self).fmt(f)
    }
}

impl std::error::Error for UnknownKpi {}

impl From<KpiId> for &'static str {
    fn from(id: KpiId) -> &'static str {
        id.as_str()
    }
}

impl TryFrom<String> for KpiId {
    type Error = UnknownKpi;

    fn try_from(name: String) -> Result<KpiId, UnknownKpi> {
        name.parse()
    }
}

impl FromStr for KpiId {
    type Err = UnknownKpi;

    fn from_str(s: &str) -> Result<KpiId, UnknownKpi> {
        KpiId::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKpi(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_written_and_read_back_the_same_in_files_and_in_text() {
        for id in KpiId::ALL {
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{}\"", id.as_str()));
            assert_eq!(serde_json::from_str::<KpiId>(&json).unwrap(), id);
            assert_eq!(id.as_str().parse::<KpiId>(), Ok(id));
        }
        let mut names: Vec<&str> = KpiId::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KpiId::ALL.len(), "two KPIs share a name");
    }

    #[test]
    fn a_name_that_is_no_kpi_is_refused_by_name() {
        let e = "churn".parse::<KpiId>().unwrap_err();
        assert_eq!(e.to_string(), "No KPI is called “churn”.");
        assert!(serde_json::from_str::<KpiId>("\"Churn rate\"").is_err());
    }

    #[test]
    fn the_table_lists_every_kpi_but_the_period_counts_in_order() {
        let table: Vec<KpiId> = super::super::definitions().iter().map(|d| d.id).collect();
        let expected: Vec<KpiId> = KpiId::ALL
            .into_iter()
            .filter(|k| !k.is_period_count())
            .collect();
        assert_eq!(table, expected);
        let periods: Vec<KpiId> = super::super::period_definitions()
            .iter()
            .map(|d| d.id)
            .collect();
        assert!(periods.iter().all(|k| k.is_period_count()));
        assert_eq!(periods.len(), 3);
    }
}
