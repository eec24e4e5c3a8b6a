//! What a file holds: orders, customers, events, e-mail results, survey
//! answers, support tickets or marketing costs.

use serde::{Deserialize, Serialize};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceKind {
    /// One row per order or refund.
    Orders,
    /// One row per e-mail sent.
    Email,
    /// One row per survey answer.
    Surveys,
    /// One row per customer: e-mail, name and any attribute.
    Customers,
    /// One row per web or app event.
    Events,
    /// One row per support ticket.
    Tickets,
    /// One row per day (or week, month) and channel or campaign: what was
    /// spent on marketing.
    Costs,
}

impl SourceKind {
    /// Its name as the command line writes it: `orders`, `customers`,
    /// `surveys`, `email`, `events`, `tickets` or `costs`.
    pub fn key(self) -> &'static str {
        match self {
            SourceKind::Orders => "orders",
            SourceKind::Email => "email",
            SourceKind::Surveys => "surveys",
            SourceKind::Customers => "customers",
            SourceKind::Events => "events",
            SourceKind::Tickets => "tickets",
            SourceKind::Costs => "costs",
        }
    }
}
