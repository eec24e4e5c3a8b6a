//! What a segment is: a saved segment's definition (an RFM segment, a
//! lifecycle stage, a rule, a group of a column or tier, a funnel step, a
//! cluster), and the rule builder's rules, read from and written to JSON.

use super::*;
use crate::model::message::Message;
use serde_json::{Map, Value, json};

/// A test on one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Test {
    /// The text equals this (ignoring case and surrounding spaces).
    Equals(String),
    /// The text equals one of these.
    OneOf(Vec<String>),
    /// The text contains this (ignoring case).
    Contains(String),
    /// A number from the first to the second, both included.
    Between(f64, f64),
    /// A number of at least this.
    AtLeast(f64),
    /// A number of at most this.
    AtMost(f64),
    /// A date on or after this day.
    OnOrAfter(Day),
    /// A date before this day.
    Before(Day),
    /// A date within the last N days before the analysis date (the
    /// analysis date's eve included, N days back included).
    WithinLastDays(u32),
    /// A date more than N days before the analysis date.
    MoreThanDaysAgo(u32),
    /// The value is missing.
    IsEmpty,
    /// The value is present.
    IsNotEmpty,
}

/// What a measure counts, per customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    /// Orders placed (refunds excluded).
    Orders,
    /// Net spend (refunds included).
    Spend,
    /// Average order value: gross spend over orders.
    AverageOrderValue,
    /// Days from the last order to the analysis date.
    DaysSinceLastOrder,
    /// Days from the first order to the analysis date.
    DaysSinceFirstOrder,
    /// E-mails received.
    EmailsReceived,
    /// E-mails opened.
    EmailOpens,
    /// E-mails clicked.
    EmailClicks,
    /// Events of any kind.
    Events,
    /// The latest NPS answer (0 to 10).
    Nps,
    /// The latest CSAT answer (1 to 5).
    Csat,
    /// Support tickets opened.
    Tickets,
    /// The models' probability that the customer is still active, in %.
    ChanceActive,
    /// The models' probability of an order in the next 7 days, in %.
    OrderWithin7Days,
    /// The models' probability of an order in the next 30 days, in %.
    OrderWithin30Days,
    /// Days to the likely next order of a customer still active.
    DaysToNextOrder,
    /// The models' lifetime value over the prediction horizon.
    PredictedValue,
}

/// Every measure with its JSON name and its label.
pub const MEASURES: [(Measure, &str, &str); 17] = [
    (Measure::Orders, "orders", "Orders"),
    (Measure::Spend, "spend", "Spend"),
    (
        Measure::AverageOrderValue,
        "average_order_value",
        "Average order value",
    ),
    (
        Measure::DaysSinceLastOrder,
        "days_since_last_order",
        "Days since last order",
    ),
    (
        Measure::DaysSinceFirstOrder,
        "days_since_first_order",
        "Days since first order",
    ),
    (
        Measure::EmailsReceived,
        "emails_received",
        "E-mails received",
    ),
    (Measure::EmailOpens, "email_opens", "E-mails opened"),
    (Measure::EmailClicks, "email_clicks", "E-mails clicked"),
    (Measure::Events, "events", "Events (any)"),
    (Measure::Nps, "nps", "NPS answer (0-10)"),
    (Measure::Csat, "csat", "CSAT answer (1-5)"),
    (Measure::Tickets, "tickets", "Support tickets"),
    (
        Measure::ChanceActive,
        "chance_active",
        "Chance of still being a customer (%)",
    ),
    (
        Measure::OrderWithin7Days,
        "order_within_7_days",
        "Chance of ordering within 7 days (%)",
    ),
    (
        Measure::OrderWithin30Days,
        "order_within_30_days",
        "Chance of ordering within 30 days (%)",
    ),
    (
        Measure::DaysToNextOrder,
        "days_to_next_order",
        "Days to the likely next order",
    ),
    (
        Measure::PredictedValue,
        "predicted_value",
        "Predicted value",
    ),
];

impl Measure {
    /// The measure's name in rule files.
    pub fn key(self) -> &'static str {
        MEASURES.iter().find(|m| m.0 == self).map_or("", |m| m.1)
    }

    /// The measure's label in the app.
    pub fn label(self) -> &'static str {
        MEASURES.iter().find(|m| m.0 == self).map_or("", |m| m.2)
    }

    /// The measure's name inside a sentence, as a message's value.
    pub fn named(self) -> Message {
        Message::new(match self {
            Measure::Orders => "engine.measure.orders",
            Measure::Spend => "engine.measure.spend",
            Measure::AverageOrderValue => "engine.measure.average_order_value",
            Measure::DaysSinceLastOrder => "engine.measure.days_since_last_order",
            Measure::DaysSinceFirstOrder => "engine.measure.days_since_first_order",
            Measure::EmailsReceived => "engine.measure.emails_received",
            Measure::EmailOpens => "engine.measure.email_opens",
            Measure::EmailClicks => "engine.measure.email_clicks",
            Measure::Events => "engine.measure.events",
            Measure::Nps => "engine.measure.nps",
            Measure::Csat => "engine.measure.csat",
            Measure::Tickets => "engine.measure.tickets",
            Measure::ChanceActive => "engine.measure.chance_active",
            Measure::OrderWithin7Days => "engine.measure.order_within_7_days",
            Measure::OrderWithin30Days => "engine.measure.order_within_30_days",
            Measure::DaysToNextOrder => "engine.measure.days_to_next_order",
            Measure::PredictedValue => "engine.measure.predicted_value",
        })
    }

    /// True for the models' predictions (no window, no SQL).
    pub fn is_prediction(self) -> bool {
        matches!(
            self,
            Measure::ChanceActive
                | Measure::OrderWithin7Days
                | Measure::OrderWithin30Days
                | Measure::DaysToNextOrder
                | Measure::PredictedValue
        )
    }

    /// True when the measure can be limited to the last N days.
    pub fn takes_window(self) -> bool {
        matches!(
            self,
            Measure::Orders
                | Measure::Spend
                | Measure::EmailsReceived
                | Measure::EmailOpens
                | Measure::EmailClicks
                | Measure::Events
                | Measure::Tickets
        )
    }
}

/// A segment rule: groups of conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Rule {
    /// Every part holds (an empty group holds for everyone).
    All(Vec<Rule>),
    /// At least one part holds (an empty group holds for no one).
    Any(Vec<Rule>),
    /// The part does not hold.
    Not(Box<Rule>),
    /// A test on a column of the customers file.
    Attribute {
        /// The column's name.
        column: String,
        /// The test.
        test: Test,
    },
    /// A test on a per-customer measure.
    Measure {
        /// What is measured.
        measure: Measure,
        /// Only the last N days before the analysis date, when given.
        days: Option<u32>,
        /// Only the orders of this product category (orders and spend).
        category: Option<String>,
        /// The test.
        test: Test,
    },
    /// Is a member of another segment: an RFM segment, a lifecycle stage,
    /// a group of a split, a saved segment (its definition copied in).
    InSegment {
        /// The segment's name, for words.
        name: String,
        /// What selects its members.
        definition: Box<Definition>,
    },
    /// Did (or did not) do an event at least N times.
    Event {
        /// The event's name.
        name: String,
        /// True for "did", false for "did not".
        did: bool,
        /// How many times at least.
        at_least: u32,
        /// Only the last N days before the analysis date, when given.
        within_days: Option<u32>,
    },
}

/// A rule file or text that cannot be read, with where in it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    /// Where: `all[2].between`.
    pub path: String,
    /// What is wrong.
    pub message: Message,
}

impl RuleError {
    /// What is wrong and where, as a message.
    pub fn to_message(&self) -> Message {
        if self.path.is_empty() {
            self.message.clone()
        } else {
            Message::new("engine.with.rule_at")
                .with("path", &self.path)
                .with("message", self.message.clone())
        }
    }
}

impl From<RuleError> for Message {
    fn from(e: RuleError) -> Message {
        e.to_message()
    }
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_message().fmt(f)
    }
}

impl std::error::Error for RuleError {}

pub(super) fn err(path: &str, message: Message) -> RuleError {
    RuleError {
        path: path.to_string(),
        message,
    }
}

pub(super) const TEST_KEYS: [&str; 12] = [
    "equals",
    "one_of",
    "contains",
    "between",
    "at_least",
    "at_most",
    "on_or_after",
    "before",
    "within_last_days",
    "more_than_days_ago",
    "is_empty",
    "is_not_empty",
];

impl Test {
    pub(super) fn to_json(&self, out: &mut Map<String, Value>) {
        let (k, v) = match self {
            Test::Equals(s) => ("equals", json!(s)),
            Test::OneOf(v) => ("one_of", json!(v)),
            Test::Contains(s) => ("contains", json!(s)),
            Test::Between(a, b) => ("between", json!([a, b])),
            Test::AtLeast(x) => ("at_least", json!(x)),
            Test::AtMost(x) => ("at_most", json!(x)),
            Test::OnOrAfter(d) => ("on_or_after", json!(date::format_iso(*d))),
            Test::Before(d) => ("before", json!(date::format_iso(*d))),
            Test::WithinLastDays(n) => ("within_last_days", json!(n)),
            Test::MoreThanDaysAgo(n) => ("more_than_days_ago", json!(n)),
            Test::IsEmpty => ("is_empty", json!(true)),
            Test::IsNotEmpty => ("is_not_empty", json!(true)),
        };
        out.insert(k.into(), v);
    }

    pub(super) fn from_json(obj: &Map<String, Value>, path: &str) -> Result<Test, RuleError> {
        let found: Vec<&str> = TEST_KEYS
            .iter()
            .copied()
            .filter(|k| obj.contains_key(*k))
            .collect();
        let key = match found.as_slice() {
            [k] => *k,
            [] => {
                return Err(err(
                    path,
                    Message::new("engine.rule.with.needs_a_test")
                        .with("tests", TEST_KEYS.join(", ")),
                ));
            }
            many => {
                return Err(err(
                    path,
                    Message::new("engine.rule.with.one_test").with("tests", many.join(" and ")),
                ));
            }
        };
        let v = &obj[key];
        let here = format!("{path}.{key}");
        let text = |v: &Value| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_f64().map(|x| x.to_string()))
                .ok_or_else(|| err(&here, Message::new("engine.rule.expected_a_text")))
        };
        let number = |v: &Value| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| err(&here, Message::new("engine.rule.expected_a_number")))
        };
        let days = |v: &Value| {
            v.as_u64()
                .filter(|n| *n <= 365_000)
                .map(|n| n as u32)
                .ok_or_else(|| {
                    err(
                        &here,
                        Message::new("engine.rule.expected_a_whole_number_of_days"),
                    )
                })
        };
        let day = |v: &Value| {
            v.as_str().and_then(date::parse_iso).ok_or_else(|| {
                err(
                    &here,
                    Message::new("engine.rule.expected_a_date_written_yyyy_mm_dd"),
                )
            })
        };
        Ok(match key {
            "equals" => Test::Equals(text(v)?),
            "one_of" => Test::OneOf(
                v.as_array()
                    .ok_or_else(|| {
                        err(&here, Message::new("engine.rule.expected_a_list_of_texts"))
                    })?
                    .iter()
                    .map(text)
                    .collect::<Result<_, _>>()?,
            ),
            "contains" => Test::Contains(text(v)?),
            "between" => match v.as_array().map(Vec::as_slice) {
                Some([a, b]) => {
                    let (a, b) = (number(a)?, number(b)?);
                    if a > b {
                        return Err(err(
                            &here,
                            Message::new("engine.rule.with.above")
                                .with("from", a.to_string())
                                .with("to", b.to_string()),
                        ));
                    }
                    Test::Between(a, b)
                }
                _ => {
                    return Err(err(
                        &here,
                        Message::new("engine.rule.expected_two_numbers_from_to"),
                    ));
                }
            },
            "at_least" => Test::AtLeast(number(v)?),
            "at_most" => Test::AtMost(number(v)?),
            "on_or_after" => Test::OnOrAfter(day(v)?),
            "before" => Test::Before(day(v)?),
            "within_last_days" => Test::WithinLastDays(days(v)?),
            "more_than_days_ago" => Test::MoreThanDaysAgo(days(v)?),
            "is_empty" => Test::IsEmpty,
            _ => Test::IsNotEmpty,
        })
    }

    /// True when the test compares numbers.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Test::Between(..) | Test::AtLeast(_) | Test::AtMost(_))
    }

    /// True when the test compares dates.
    pub fn is_date(&self) -> bool {
        matches!(
            self,
            Test::OnOrAfter(_)
                | Test::Before(_)
                | Test::WithinLastDays(_)
                | Test::MoreThanDaysAgo(_)
        )
    }

    pub(super) fn number(&self, x: Option<f64>) -> bool {
        match (self, x) {
            (Test::IsEmpty, x) => x.is_none(),
            (Test::IsNotEmpty, x) => x.is_some(),
            (_, None) => false,
            (Test::Between(a, b), Some(x)) => *a <= x && x <= *b,
            (Test::AtLeast(a), Some(x)) => x >= *a,
            (Test::AtMost(a), Some(x)) => x <= *a,
            (Test::Equals(s), Some(x)) => s.trim().parse::<f64>().is_ok_and(|v| v == x),
            (Test::OneOf(v), Some(x)) => v
                .iter()
                .any(|s| s.trim().parse::<f64>().is_ok_and(|v| v == x)),
            _ => false,
        }
    }

    pub(super) fn date(&self, d: Option<Day>, as_of: Day) -> bool {
        match (self, d) {
            (Test::IsEmpty, d) => d.is_none(),
            (Test::IsNotEmpty, d) => d.is_some(),
            (_, None) => false,
            (Test::OnOrAfter(a), Some(d)) => d >= *a,
            (Test::Before(a), Some(d)) => d < *a,
            (Test::WithinLastDays(n), Some(d)) => d < as_of && d >= as_of - *n as Day,
            (Test::MoreThanDaysAgo(n), Some(d)) => d < as_of - *n as Day,
            _ => false,
        }
    }
}

/// A text test, prepared: lower-cased needles.
pub(super) struct TextTest<'a> {
    pub(super) test: &'a Test,
    pub(super) needles: Vec<String>,
}

impl<'a> TextTest<'a> {
    pub(super) fn new(test: &'a Test) -> Self {
        let needles = match test {
            Test::Equals(s) | Test::Contains(s) => vec![s.trim().to_lowercase()],
            Test::OneOf(v) => v.iter().map(|s| s.trim().to_lowercase()).collect(),
            _ => Vec::new(),
        };
        TextTest { test, needles }
    }

    pub(super) fn matches(&self, value: Option<&str>) -> bool {
        let v = value.map(str::trim).filter(|v| !v.is_empty());
        match (self.test, v) {
            (Test::IsEmpty, v) => v.is_none(),
            (Test::IsNotEmpty, v) => v.is_some(),
            (_, None) => false,
            (Test::Contains(_), Some(v)) => contains_ignoring_case(v, &self.needles[0]),
            (Test::Equals(_) | Test::OneOf(_), Some(v)) => {
                self.needles.iter().any(|n| eq_ignoring_case(v, n))
            }
            _ => false,
        }
    }
}

pub(super) fn eq_ignoring_case(value: &str, lower_needle: &str) -> bool {
    if value.is_ascii() && lower_needle.is_ascii() {
        value.eq_ignore_ascii_case(lower_needle)
    } else {
        value.to_lowercase() == lower_needle
    }
}

pub(super) fn contains_ignoring_case(value: &str, lower_needle: &str) -> bool {
    if value.is_ascii() && lower_needle.is_ascii() {
        let (h, n) = (value.as_bytes(), lower_needle.as_bytes());
        n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        value.to_lowercase().contains(lower_needle)
    }
}

impl Rule {
    /// Reads a rule from its JSON text (the schema is in docs/cli.md).
    pub fn from_json(text: &str) -> Result<Rule, RuleError> {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            err(
                "",
                Message::new("engine.rule.with.not_json")
                    .with("line", e.line())
                    .with("column", e.column())
                    .with("why", e.to_string()),
            )
        })?;
        Rule::from_value(&v, "rule")
    }

    /// Reads a rule from a JSON value; `path` names it in messages.
    pub fn from_value(v: &Value, path: &str) -> Result<Rule, RuleError> {
        let obj = v.as_object().ok_or_else(|| {
            err(
                path,
                Message::new("engine.rule.expected_an_object_such_as_all"),
            )
        })?;
        let list = |key: &str| -> Result<Vec<Rule>, RuleError> {
            obj[key]
                .as_array()
                .ok_or_else(|| {
                    err(
                        &format!("{path}.{key}"),
                        Message::new("engine.rule.expected_a_list_of_conditions"),
                    )
                })?
                .iter()
                .enumerate()
                .map(|(i, x)| Rule::from_value(x, &format!("{path}.{key}[{i}]")))
                .collect()
        };
        if obj.contains_key("all") {
            return Ok(Rule::All(list("all")?));
        }
        if obj.contains_key("any") {
            return Ok(Rule::Any(list("any")?));
        }
        if let Some(inner) = obj.get("not") {
            return Ok(Rule::Not(Box::new(Rule::from_value(
                inner,
                &format!("{path}.not"),
            )?)));
        }
        if let Some(name) = obj.get("in_segment") {
            let name = name.as_str().ok_or_else(|| {
                err(
                    &format!("{path}.in_segment"),
                    Message::new("engine.rule.expected_the_segment_s_name"),
                )
            })?;
            let definition = obj.get("definition").ok_or_else(|| {
                err(
                    path,
                    Message::new("engine.in_segment_needs_the_segment_s_definition"),
                )
            })?;
            let definition: Definition =
                serde_json::from_value(definition.clone()).map_err(|e| {
                    err(
                        &format!("{path}.definition"),
                        Message::new("engine.rule.with.not_a_definition")
                            .with("why", e.to_string()),
                    )
                })?;
            return Ok(Rule::InSegment {
                name: name.to_string(),
                definition: Box::new(definition),
            });
        }
        let whole_days = |key: &str| -> Result<Option<u32>, RuleError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_u64()
                    .filter(|n| *n <= 365_000)
                    .map(|n| Some(n as u32))
                    .ok_or_else(|| {
                        err(
                            &format!("{path}.{key}"),
                            Message::new("engine.rule.expected_a_whole_number_of_days"),
                        )
                    }),
            }
        };
        if let Some(col) = obj.get("attribute") {
            let column = col
                .as_str()
                .ok_or_else(|| {
                    err(
                        &format!("{path}.attribute"),
                        Message::new("engine.rule.expected_a_column_name"),
                    )
                })?
                .to_string();
            return Ok(Rule::Attribute {
                column,
                test: Test::from_json(obj, path)?,
            });
        }
        if let Some(m) = obj.get("measure") {
            let name = m.as_str().unwrap_or_default();
            let measure = MEASURES
                .iter()
                .find(|x| x.1 == name)
                .map(|x| x.0)
                .ok_or_else(|| {
                    err(
                        &format!("{path}.measure"),
                        Message::new("engine.rule.with.unknown_measure")
                            .with("measure", m.to_string())
                            .with("measures", MEASURES.map(|x| x.1).join(", ")),
                    )
                })?;
            let days = whole_days("days")?;
            if days.is_some() && !measure.takes_window() {
                return Err(err(
                    &format!("{path}.days"),
                    Message::new("engine.rule.with.no_window").with("measure", measure.key()),
                ));
            }
            let category = match obj.get("category") {
                None | Some(Value::Null) => None,
                Some(v) => Some(
                    v.as_str()
                        .filter(|s| !s.trim().is_empty())
                        .ok_or_else(|| {
                            err(
                                &format!("{path}.category"),
                                Message::new("engine.rule.expected_a_category_name"),
                            )
                        })?
                        .to_string(),
                ),
            };
            if category.is_some() && !matches!(measure, Measure::Orders | Measure::Spend) {
                return Err(err(
                    &format!("{path}.category"),
                    Message::new("engine.rule.only_orders_and_spend_can_be_limited_to_a_category"),
                ));
            }
            let test = Test::from_json(obj, path)?;
            if !(test.is_numeric() || matches!(test, Test::IsEmpty | Test::IsNotEmpty)) {
                return Err(err(
                    path,
                    Message::new(
                        "engine.rule.a_measure_takes_a_number_test_between_at_least_or_at_most",
                    ),
                ));
            }
            return Ok(Rule::Measure {
                measure,
                days,
                category,
                test,
            });
        }
        if let Some(e) = obj.get("event") {
            let name = e
                .as_str()
                .ok_or_else(|| {
                    err(
                        &format!("{path}.event"),
                        Message::new("engine.rule.expected_an_event_name"),
                    )
                })?
                .to_string();
            let did = match obj.get("did") {
                None => true,
                Some(v) => v.as_bool().ok_or_else(|| {
                    err(
                        &format!("{path}.did"),
                        Message::new("engine.rule.expected_true_or_false"),
                    )
                })?,
            };
            let at_least = match obj.get("at_least") {
                None => 1,
                Some(v) => v
                    .as_u64()
                    .filter(|n| (1..=1_000_000).contains(n))
                    .ok_or_else(|| {
                        err(
                            &format!("{path}.at_least"),
                            Message::new("engine.rule.expected_a_whole_number_from_1"),
                        )
                    })? as u32,
            };
            return Ok(Rule::Event {
                name,
                did,
                at_least,
                within_days: whole_days("within_days")?,
            });
        }
        Err(err(
            path,
            Message::new(
                "engine.rule.expected_one_of_the_keys_all_any_not_attribute_measure_or_event",
            ),
        ))
    }

    /// The rule as a JSON value (what [`Rule::from_value`] reads).
    pub fn to_value(&self) -> Value {
        match self {
            Rule::All(v) => json!({ "all": v.iter().map(Rule::to_value).collect::<Vec<_>>() }),
            Rule::Any(v) => json!({ "any": v.iter().map(Rule::to_value).collect::<Vec<_>>() }),
            Rule::Not(r) => json!({ "not": r.to_value() }),
            Rule::InSegment { name, definition } => {
                json!({ "in_segment": name, "definition": definition })
            }
            Rule::Attribute { column, test } => {
                let mut m = Map::new();
                m.insert("attribute".into(), json!(column));
                test.to_json(&mut m);
                Value::Object(m)
            }
            Rule::Measure {
                measure,
                days,
                category,
                test,
            } => {
                let mut m = Map::new();
                m.insert("measure".into(), json!(measure.key()));
                if let Some(d) = days {
                    m.insert("days".into(), json!(d));
                }
                if let Some(c) = category {
                    m.insert("category".into(), json!(c));
                }
                test.to_json(&mut m);
                Value::Object(m)
            }
            Rule::Event {
                name,
                did,
                at_least,
                within_days,
            } => {
                let mut m = Map::new();
                m.insert("event".into(), json!(name));
                m.insert("did".into(), json!(did));
                m.insert("at_least".into(), json!(at_least));
                if let Some(d) = within_days {
                    m.insert("within_days".into(), json!(d));
                }
                Value::Object(m)
            }
        }
    }

    /// True when a condition tests a prediction of the models.
    pub fn uses_predictions(&self) -> bool {
        match self {
            Rule::All(parts) | Rule::Any(parts) => parts.iter().any(Rule::uses_predictions),
            Rule::Not(part) => part.uses_predictions(),
            Rule::Measure { measure, .. } => measure.is_prediction(),
            Rule::InSegment { definition, .. } => definition.needs_predictions(),
            Rule::Attribute { .. } | Rule::Event { .. } => false,
        }
    }

    /// The rule as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_value()).unwrap_or_default()
    }

    /// The rule in words, e.g. `gender equals "M" and age from 35 to 40`.
    pub fn describe(&self) -> String {
        let group = |v: &[Rule], word: &str, empty: &str| {
            if v.is_empty() {
                return empty.to_string();
            }
            let parts: Vec<String> = v
                .iter()
                .map(|r| match r {
                    Rule::All(x) | Rule::Any(x) if x.len() > 1 => format!("({})", r.describe()),
                    _ => r.describe(),
                })
                .collect();
            parts.join(word)
        };
        match self {
            Rule::All(v) => group(v, " and ", "everyone"),
            Rule::Any(v) => group(v, " or ", "no one"),
            Rule::Not(r) => format!("not ({})", r.describe()),
            Rule::InSegment { name, .. } => format!("in the segment \"{name}\""),
            Rule::Attribute { column, test } => format!("{column} {}", describe_test(test)),
            Rule::Measure {
                measure,
                days,
                category,
                test,
            } => {
                let window = days.map_or(String::new(), |d| format!(" in the last {d} days"));
                let category = category
                    .as_ref()
                    .map_or(String::new(), |c| format!(" in {c}"));
                format!(
                    "{}{category}{window} {}",
                    measure.label().to_lowercase(),
                    describe_test(test)
                )
            }
            Rule::Event {
                name,
                did,
                at_least,
                within_days,
            } => {
                let window =
                    within_days.map_or(String::new(), |d| format!(" in the last {d} days"));
                let times = if *at_least == 1 {
                    String::new()
                } else {
                    format!(" at least {at_least} times")
                };
                let verb = if *did { "did" } else { "did not do" };
                format!("{verb} {name}{times}{window}")
            }
        }
    }
}

pub(super) fn describe_test(test: &Test) -> String {
    match test {
        Test::Equals(s) => format!("is \"{s}\""),
        Test::OneOf(v) => format!("is one of {}", v.join(", ")),
        Test::Contains(s) => format!("contains \"{s}\""),
        Test::Between(a, b) => format!("from {a} to {b}"),
        Test::AtLeast(a) => format!("at least {a}"),
        Test::AtMost(a) => format!("at most {a}"),
        Test::OnOrAfter(d) => format!("on or after {}", date::format_iso(*d)),
        Test::Before(d) => format!("before {}", date::format_iso(*d)),
        Test::WithinLastDays(n) => format!("within the last {n} days"),
        Test::MoreThanDaysAgo(n) => format!("more than {n} days ago"),
        Test::IsEmpty => "is empty".into(),
        Test::IsNotEmpty => "is not empty".into(),
    }
}

/// A saved segment: a name, a version and a definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedSegment {
    /// Its name, unique in the workspace.
    pub name: String,
    /// Bumped on every change of the definition.
    pub version: u32,
    /// What it selects.
    pub definition: Definition,
    /// The user's note.
    #[serde(default)]
    pub note: String,
}

/// What a saved segment selects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Definition {
    /// A rule, stored as its JSON text (the same as rule files).
    Rule(String),
    /// The customers at one lifecycle stage.
    Lifecycle(crate::segments::lifecycle::Stage),
    /// One group of a split (a column's value or band, a tier).
    Group {
        /// The split.
        split: crate::segments::splits::Split,
        /// The group's name.
        group: String,
    },
    /// The customers who reached a step of a funnel and went no further
    /// (drop-off), e.g. cart abandoners.
    FunnelDrop {
        /// The funnel's steps and window.
        setup: crate::journeys::FunnelSetup,
        /// How many steps they reached (1 to the number of steps − 1).
        reached: usize,
    },
    /// The members of one cluster of a k-means run.
    Cluster {
        /// The features, seed and k of the run.
        setup: crate::segments::cluster::ClusterSetup,
        /// The cluster's index.
        cluster: usize,
    },
    /// The customers of an RFM segment, by name, as scored at the analysis
    /// date with the workspace's RFM setup.
    Rfm(String),
    /// The members of another segment for whom a rule holds (the halves of
    /// a split suggestion).
    Within {
        /// The segment split.
        parent: Box<Definition>,
        /// The rule, as JSON text (as rule files).
        rule: String,
    },
}

/// True when a rule's JSON tests membership of a segment that needs the
/// RFM scores.
pub(super) fn rule_needs_rfm(text: &str) -> bool {
    fn walk(rule: &Rule) -> bool {
        match rule {
            Rule::All(parts) | Rule::Any(parts) => parts.iter().any(walk),
            Rule::Not(part) => walk(part),
            Rule::InSegment { definition, .. } => definition.needs_rfm(),
            _ => false,
        }
    }
    Rule::from_json(text).is_ok_and(|r| walk(&r))
}

impl Definition {
    /// True when the definition selects from an RFM segment: its members
    /// need facts with the RFM scores ([`Facts::with_rfm`]).
    pub fn needs_rfm(&self) -> bool {
        match self {
            Definition::Rfm(_) => true,
            Definition::Within { parent, rule } => parent.needs_rfm() || rule_needs_rfm(rule),
            Definition::Rule(text) => rule_needs_rfm(text),
            _ => false,
        }
    }

    /// True when the definition's rule tests a prediction of the models:
    /// its members need facts with the predictions
    /// ([`Facts::with_predictions`]).
    pub fn needs_predictions(&self) -> bool {
        let uses = |text: &str| Rule::from_json(text).is_ok_and(|r| r.uses_predictions());
        match self {
            Definition::Rule(text) => uses(text),
            Definition::Within { parent, rule } => parent.needs_predictions() || uses(rule),
            Definition::Group { split, .. } => matches!(
                split,
                crate::segments::splits::Split::ChurnRisk { .. }
                    | crate::segments::splits::Split::PredictedValue
            ),
            _ => false,
        }
    }
}
