//! The KPIs: each one's id, name, formula in words, format and direction,
//! and the sentence shown when its data is missing.

use super::*;

pub(super) fn def(
    id: &str,
    name: &str,
    formula: &str,
    format: KpiFormat,
    higher_is_better: bool,
) -> KpiDef {
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

pub(super) const NEEDS_EMAIL: &str =
    "Add an e-mail results file (customer, opened, clicked) to see this.";
pub(super) const NEEDS_SURVEY: &str =
    "Add a survey file (customer, NPS 0–10 and/or CSAT 1–5) to see this.";
pub(super) const NEEDS_TICKETS: &str =
    "Add a support tickets file (customer, opened, resolved) to see this.";
pub(super) const NEEDS_PROSPECTS: &str = "Every customer here has ordered: add a customers file that lists prospects, or web events, to see who has not converted yet.";
pub(super) const NEEDS_COSTS: &str =
    "Add a marketing costs file (date, channel or campaign, spend) to see this.";
pub(super) const NEEDS_REFERRALS: &str = "Add a customers file with a referred_by (or referrer, parrain) column naming each customer's referrer to see this.";
pub(super) const NEEDS_MODEL: &str = "The predictive models could not be fitted to these orders.";
