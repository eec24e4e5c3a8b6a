//! Segments in one click: one per value (or numeric band) of a column of
//! the customers file, and behavioural tiers (purchase frequency, value,
//! usage intensity, e-mail engagement, NPS loyalty, journey stage), each
//! with thresholds read from the data and said in words.

use crate::model::message::{Message, Value};

use serde::{Deserialize, Serialize};

use crate::import::dataset::Dataset;
use crate::model::bitmap::Bitmap;
use crate::model::date::Day;
use crate::model::number::{detect_decimal, parse_amount};
use crate::segments::Facts;
use crate::segments::rfm::quantile7;

mod columns;
mod tiers;

pub use columns::*;
pub use tiers::*;

/// A way to split the customers into named groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Split {
    /// One group per value of a column (the most frequent ones, the rest
    /// "Other"; for lists such as `DIY;Garden`, one group per item, which
    /// may overlap), or per numeric band.
    Attribute {
        /// The column of the customers file.
        column: String,
        /// For a numeric column, the band edges; quartiles when absent.
        edges: Option<Vec<f64>>,
    },
    /// Behavioural tiers.
    Tier(Tier),
    /// Churn-risk bands from the probability of being active (high below
    /// `medium_from`, medium below `low_from`, low above; one-time buyers
    /// apart, as the model cannot judge them).
    ChurnRisk {
        /// Below this probability of being active, the risk is high.
        medium_from: f64,
        /// From this probability on, the risk is low.
        low_from: f64,
    },
    /// Predicted-value tiers: the top 20% of predicted values, the next
    /// 30%, the rest.
    PredictedValue,
    /// Journey stages with the user's own mapping of events to stages
    /// (0 awareness, 1 consideration, 2 decision; events not listed count
    /// for none).
    Journey {
        /// Event name and stage.
        stages: Vec<(String, u8)>,
    },
}

/// A behavioural tier scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tier {
    /// Frequent / occasional / inactive buyers over the last 12 months.
    Frequency,
    /// High / medium / low value by spend to date.
    Value,
    /// Heavy / moderate / light users by events in the last 90 days.
    Usage,
    /// Engaged / passive / dormant e-mail readers.
    Engagement,
    /// NPS promoters / passives / detractors.
    Loyalty,
    /// Awareness / consideration / decision from the events of the last
    /// 30 days.
    Journey,
}

/// Every tier scheme with its name.
pub const TIERS: [(Tier, &str); 6] = [
    (Tier::Frequency, "Purchase frequency"),
    (Tier::Value, "Customer value"),
    (Tier::Usage, "Usage intensity"),
    (Tier::Engagement, "E-mail engagement"),
    (Tier::Loyalty, "Loyalty (NPS)"),
    (Tier::Journey, "Journey stage"),
];

impl Split {
    /// The split's name, e.g. `city` or `Purchase frequency`.
    pub fn label(&self) -> String {
        match self {
            Split::Attribute { column, .. } => column.clone(),
            Split::Tier(t) => TIERS
                .iter()
                .find(|x| x.0 == *t)
                .map_or_else(String::new, |x| x.1.to_string()),
            Split::Journey { .. } => "Journey stage".into(),
            Split::ChurnRisk { .. } => "Churn risk".into(),
            Split::PredictedValue => "Predicted value".into(),
        }
    }
}

/// The groups of a split.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    /// Each group's name and customers.
    pub groups: Vec<(String, Bitmap)>,
    /// How the groups were made, as a message.
    pub explanation: Message,
    /// The groups a front end names from a message (a column's bands and
    /// values: `age 30 to under 40` is `engine.group.between` with its
    /// edges as numbers), by the group's name; the other groups' names are
    /// ids of the catalogue themselves (a tier, a stage).
    pub labels: Vec<(String, Message)>,
}

const NEEDS_MODELS: Message = Message::new(
    "engine.the_predictive_models_could_not_be_fitted_to_these_orders_so_there_are_no_predictions_to_group_by",
);

/// The churn-risk bands the model judges, highest risk first (their
/// groups in [`Split::ChurnRisk`]; one-time buyers are a fourth, not
/// judged).
pub const RISK_BANDS: [&str; 3] = ["High churn risk", "Medium churn risk", "Low churn risk"];

/// At most this many value groups before "Other".
const TOP_VALUES: usize = 8;

/// Splits the customers.
pub fn split(data: &Dataset, facts: &Facts, split: &Split) -> Result<Groups, Message> {
    match split {
        Split::Attribute { column, edges } => attribute(data, facts, column, edges.as_deref()),
        Split::Tier(t) => tier(data, facts, *t),
        Split::ChurnRisk {
            medium_from,
            low_from,
        } => {
            let n = facts.n;
            if n > 0 && facts.prediction(0).is_none() {
                return Err(NEEDS_MODELS);
            }
            let band = |c: usize| -> Option<usize> {
                facts
                    .prediction(c)
                    .flatten()
                    .map(|p| crate::models::clv::risk_band(p, *medium_from, *low_from))
            };
            let names = [
                RISK_BANDS[0],
                RISK_BANDS[1],
                RISK_BANDS[2],
                "One-time buyers (not judged)",
            ];
            Ok(Groups {
                labels: Vec::new(),
                groups: (0..4)
                    .map(|b| {
                        (
                            names[b].to_string(),
                            Bitmap::from_fn(n, |c| band(c) == Some(b)),
                        )
                    })
                    .collect(),
                explanation: Message::new("engine.with.risk_bands")
                    .with("medium", Value::Number(medium_from * 100.0, 0))
                    .with("low", Value::Number(low_from * 100.0, 0)),
            })
        }
        Split::PredictedValue => {
            let n = facts.n;
            if n > 0 && facts.prediction(0).is_none() {
                return Err(NEEDS_MODELS);
            }
            let value = |c: usize| facts.prediction(c).flatten().map(|p| p.clv);
            let mut values: Vec<f64> = (0..n).filter_map(value).collect();
            let high = cut(&mut values, 0.8);
            let medium = cut(&mut values, 0.5);
            Ok(Groups {
                labels: Vec::new(),
                groups: vec![
                    (
                        "High predicted value".to_string(),
                        Bitmap::from_fn(n, |c| value(c).is_some_and(|v| v >= high)),
                    ),
                    (
                        "Medium predicted value".to_string(),
                        Bitmap::from_fn(n, |c| value(c).is_some_and(|v| v >= medium && v < high)),
                    ),
                    (
                        "Low predicted value".to_string(),
                        Bitmap::from_fn(n, |c| value(c).is_some_and(|v| v < medium)),
                    ),
                ],
                explanation: Message::new("engine.with.predicted_value_bands")
                    .with("high", Value::Number(high, 2))
                    .with("medium", Value::Number(medium, 2)),
            })
        }
        Split::Journey { stages } => journey(data, facts, &|name: &str| mapped_stage(stages, name)),
    }
}

#[cfg(test)]
mod tests;
