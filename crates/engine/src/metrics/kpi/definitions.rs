//! The KPIs: each one's id, name, formula in words, format and direction,
//! and the sentence shown when its data is missing.

use crate::model::message::Message;

use super::*;

pub(super) fn def(
    id: KpiId,
    name: &str,
    formula: &str,
    format: KpiFormat,
    higher_is_better: bool,
) -> KpiDef {
    KpiDef {
        id,
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
            KpiId::Customers,
            "Customers",
            "Customers in the segment",
            Count,
            true,
        ),
        def(
            KpiId::Revenue,
            "Revenue",
            "Sum of order amounts, refunds deducted",
            Money,
            true,
        ),
        def(
            KpiId::RevenuePerCustomer,
            "Revenue per customer",
            "Revenue ÷ customers (historic value to date)",
            Money,
            true,
        ),
        def(
            KpiId::OrdersPerCustomer,
            "Orders per customer",
            "Orders ÷ customers (refunds are not orders)",
            Number,
            true,
        ),
        def(
            KpiId::Aov,
            "Average order value",
            "Revenue ÷ orders",
            Money,
            true,
        ),
        def(
            KpiId::RepeatRate,
            "Repeat-purchase rate",
            "Customers with 2 orders or more ÷ customers",
            Rate,
            true,
        ),
        def(
            KpiId::ConversionRate,
            "Conversion rate",
            "Customers with at least one order up to the analysis date ÷ customers, prospects (known from the customers file or from events, with no order) included",
            Rate,
            true,
        ),
        KpiDef {
            id: KpiId::ChurnRate,
            name: format!("Churn rate ({period} days)"),
            formula: format!(
                "Customers who ordered in the {period} days before the last {period} and not in the last {period} ÷ customers who ordered in those earlier {period} days"
            ),
            format: Rate,
            higher_is_better: false,
        },
        KpiDef {
            id: KpiId::RetentionRate,
            name: format!("Retention rate ({period} days)"),
            formula: format!(
                "Customers who ordered in the {period} days before the last {period} and again in the last {period} ÷ customers who ordered in those earlier {period} days (1 − churn rate)"
            ),
            format: Rate,
            higher_is_better: true,
        },
        def(
            KpiId::PredictedClv,
            "Predicted value per customer (12 months)",
            "Mean of each customer's expected orders (BG/NBD) × expected spend (Gamma-Gamma) over 52 weeks, discounted 1% a month",
            Money,
            true,
        ),
        def(
            KpiId::Nps,
            "NPS",
            "% promoters (9–10) − % detractors (0–6), each customer's last answer",
            Points,
            true,
        ),
        def(
            KpiId::Csat,
            "CSAT",
            "Answers of 4 or 5 ÷ answers (1–5 scale), each customer's last answer",
            Rate,
            true,
        ),
        def(
            KpiId::OpenRate,
            "E-mail open rate",
            "E-mails opened ÷ e-mails delivered",
            Rate,
            true,
        ),
        def(
            KpiId::ClickRate,
            "E-mail click rate",
            "E-mails clicked ÷ e-mails delivered",
            Rate,
            true,
        ),
        def(
            KpiId::ClickToOpen,
            "Click-to-open rate",
            "E-mails clicked ÷ e-mails opened",
            Rate,
            true,
        ),
        def(
            KpiId::Cac,
            "Acquisition cost per customer (CAC)",
            "Marketing spend ÷ customers whose first order falls in the costs' period (first cost date to the end of the last cost period); each costs their acquisition channel's spend ÷ that channel's new customers (channel from the customers file), plus an even share of the spend no channel explains",
            Money,
            false,
        ),
        def(
            KpiId::Roi,
            "Return on marketing spend (ROI)",
            "(Revenue to date of the customers acquired in the costs' period − their acquisition cost) ÷ their acquisition cost",
            Rate,
            true,
        ),
        def(
            KpiId::Top20Share,
            "Revenue from the top 20%",
            "Revenue of the 20% of customers who spent most (rounded up) ÷ revenue; the higher, the more the segment depends on a few customers",
            Rate,
            false,
        ),
        def(
            KpiId::ReferralsPerCustomer,
            "Referrals per customer",
            "Customers of the customers file who name one of the segment's customers as their referrer (a referred_by, referrer or parrain column, by id or e-mail) ÷ the segment's customers",
            Number,
            true,
        ),
        def(
            KpiId::TicketsPerCustomer,
            "Tickets per customer",
            "Support tickets opened up to the analysis date ÷ customers",
            Number,
            false,
        ),
        def(
            KpiId::ResolutionHours,
            "Average resolution time (hours)",
            "Mean of (resolved − opened) over the tickets resolved up to the analysis date, in hours",
            Number,
            false,
        ),
    ]
}

pub(super) const NEEDS_EMAIL: Message =
    Message::new("engine.add_an_e_mail_results_file_customer_opened_clicked_to_see_this");
pub(super) const NEEDS_SURVEY: Message =
    Message::new("engine.add_a_survey_file_customer_nps_0_10_and_or_csat_1_5_to_see_this");
pub(super) const NEEDS_TICKETS: Message =
    Message::new("engine.add_a_support_tickets_file_customer_opened_resolved_to_see_this");
pub(super) const NEEDS_PROSPECTS: Message = Message::new(
    "engine.every_customer_here_has_ordered_add_a_customers_file_that_lists_prospects_or_web_events_to_see_who_has_not_converted_yet",
);
pub(super) const NEEDS_COSTS: Message =
    Message::new("engine.add_a_marketing_costs_file_date_channel_or_campaign_spend_to_see_this");
pub(super) const NEEDS_REFERRALS: Message = Message::new(
    "engine.add_a_customers_file_with_a_referred_by_or_referrer_parrain_column_naming_each_customer_s_referrer_to_see_this",
);
pub(super) const NEEDS_MODEL: Message =
    Message::new("engine.the_predictive_models_could_not_be_fitted_to_these_orders");
