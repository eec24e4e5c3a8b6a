//! Segments as sets of customers, and the rule builder's rules.
//!
//! A segment evaluates to a [`Bitmap`] over the dense customer indices of
//! the dataset (every customer key, with or without orders). A [`Rule`] is
//! a tree of AND / OR / NOT groups over conditions on customer attributes,
//! per-customer measures (orders, spend, e-mail opens, NPS, ...) and
//! events; it is stored as JSON (see [`Rule::from_json`]) both in the app's
//! workspace and in the files the command line reads.
//!
//! A condition on a value the customer does not have (no age in the
//! customers file, no NPS answer) is false; `NOT` of it is true.

pub mod cluster;
pub mod groups;
pub mod lifecycle;
pub mod rfm;
pub mod rfm_history;
pub mod separation;
pub mod splits;
pub mod suggest;

use serde::{Deserialize, Serialize};

use crate::import::dataset::Dataset;
use crate::model::date::{self, Day};
use crate::model::number::{DecimalSeparator, parse_amount};

/// A set of customers: bit `i` is customer index `i`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl Bitmap {
    /// No customer among `len`.
    pub fn empty(len: usize) -> Bitmap {
        Bitmap {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// Every customer among `len`.
    pub fn full(len: usize) -> Bitmap {
        let mut b = Bitmap {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        b.clear_tail();
        b
    }

    /// The customers for which `f` is true.
    pub fn from_fn(len: usize, mut f: impl FnMut(usize) -> bool) -> Bitmap {
        let mut b = Bitmap::empty(len);
        for (w, word) in b.words.iter_mut().enumerate() {
            let base = w * 64;
            let mut x = 0u64;
            for bit in 0..64.min(len - base) {
                if f(base + bit) {
                    x |= 1 << bit;
                }
            }
            *word = x;
        }
        b
    }

    fn clear_tail(&mut self) {
        let rem = self.len % 64;
        if rem != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << rem) - 1;
        }
    }

    /// The customers of the set for which `f` is true; `f` is only called
    /// for the customers in the set.
    pub fn filter(&self, mut f: impl FnMut(usize) -> bool) -> Bitmap {
        let mut out = Bitmap::empty(self.len);
        for (w, word) in self.words.iter().enumerate() {
            let mut x = *word;
            let mut kept = 0u64;
            while x != 0 {
                let bit = x.trailing_zeros() as usize;
                x &= x - 1;
                if f(w * 64 + bit) {
                    kept |= 1 << bit;
                }
            }
            out.words[w] = kept;
        }
        out
    }

    /// The number of customers the set is over.
    pub fn universe(&self) -> usize {
        self.len
    }

    /// Adds customer `i`.
    pub fn insert(&mut self, i: usize) {
        if i < self.len {
            self.words[i / 64] |= 1 << (i % 64);
        }
    }

    /// True when customer `i` is in the set.
    pub fn contains(&self, i: usize) -> bool {
        i < self.len && self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// The number of customers in the set.
    pub fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// Keeps the customers also in `other`.
    pub fn and(&mut self, other: &Bitmap) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// Adds the customers of `other`.
    pub fn or(&mut self, other: &Bitmap) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// The customers not in the set.
    pub fn not(&mut self) {
        for w in &mut self.words {
            *w = !*w;
        }
        self.clear_tail();
    }

    /// The number of customers in both sets.
    pub fn intersection_count(&self, other: &Bitmap) -> u64 {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| u64::from((a & b).count_ones()))
            .sum()
    }

    /// The customers in the set, in index order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, word)| {
            let mut x = *word;
            std::iter::from_fn(move || {
                if x == 0 {
                    return None;
                }
                let bit = x.trailing_zeros() as usize;
                x &= x - 1;
                Some(w * 64 + bit)
            })
        })
    }
}

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
    pub message: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for RuleError {}

use serde_json::{Map, Value, json};

fn err(path: &str, message: impl Into<String>) -> RuleError {
    RuleError {
        path: path.to_string(),
        message: message.into(),
    }
}

const TEST_KEYS: [&str; 12] = [
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
    fn to_json(&self, out: &mut Map<String, Value>) {
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

    fn from_json(obj: &Map<String, Value>, path: &str) -> Result<Test, RuleError> {
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
                    format!("a condition needs a test, one of: {}", TEST_KEYS.join(", ")),
                ));
            }
            many => {
                return Err(err(
                    path,
                    format!("a condition takes one test, not {}", many.join(" and ")),
                ));
            }
        };
        let v = &obj[key];
        let here = format!("{path}.{key}");
        let text = |v: &Value| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_f64().map(|x| x.to_string()))
                .ok_or_else(|| err(&here, "expected a text"))
        };
        let number = |v: &Value| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| err(&here, "expected a number"))
        };
        let days = |v: &Value| {
            v.as_u64()
                .filter(|n| *n <= 365_000)
                .map(|n| n as u32)
                .ok_or_else(|| err(&here, "expected a whole number of days"))
        };
        let day = |v: &Value| {
            v.as_str()
                .and_then(date::parse_iso)
                .ok_or_else(|| err(&here, "expected a date written yyyy-mm-dd"))
        };
        Ok(match key {
            "equals" => Test::Equals(text(v)?),
            "one_of" => Test::OneOf(
                v.as_array()
                    .ok_or_else(|| err(&here, "expected a list of texts"))?
                    .iter()
                    .map(text)
                    .collect::<Result<_, _>>()?,
            ),
            "contains" => Test::Contains(text(v)?),
            "between" => match v.as_array().map(Vec::as_slice) {
                Some([a, b]) => {
                    let (a, b) = (number(a)?, number(b)?);
                    if a > b {
                        return Err(err(&here, format!("{a} is above {b}")));
                    }
                    Test::Between(a, b)
                }
                _ => return Err(err(&here, "expected two numbers, [from, to]")),
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

    fn number(&self, x: Option<f64>) -> bool {
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

    fn date(&self, d: Option<Day>, as_of: Day) -> bool {
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
struct TextTest<'a> {
    test: &'a Test,
    needles: Vec<String>,
}

impl<'a> TextTest<'a> {
    fn new(test: &'a Test) -> Self {
        let needles = match test {
            Test::Equals(s) | Test::Contains(s) => vec![s.trim().to_lowercase()],
            Test::OneOf(v) => v.iter().map(|s| s.trim().to_lowercase()).collect(),
            _ => Vec::new(),
        };
        TextTest { test, needles }
    }

    fn matches(&self, value: Option<&str>) -> bool {
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

fn eq_ignoring_case(value: &str, lower_needle: &str) -> bool {
    if value.is_ascii() && lower_needle.is_ascii() {
        value.eq_ignore_ascii_case(lower_needle)
    } else {
        value.to_lowercase() == lower_needle
    }
}

fn contains_ignoring_case(value: &str, lower_needle: &str) -> bool {
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
                format!(
                    "not valid JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        Rule::from_value(&v, "rule")
    }

    /// Reads a rule from a JSON value; `path` names it in messages.
    pub fn from_value(v: &Value, path: &str) -> Result<Rule, RuleError> {
        let obj = v
            .as_object()
            .ok_or_else(|| err(path, "expected an object such as {\"all\": [...]}"))?;
        let list = |key: &str| -> Result<Vec<Rule>, RuleError> {
            obj[key]
                .as_array()
                .ok_or_else(|| err(&format!("{path}.{key}"), "expected a list of conditions"))?
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
            let name = name
                .as_str()
                .ok_or_else(|| err(&format!("{path}.in_segment"), "expected the segment's name"))?;
            let definition = obj
                .get("definition")
                .ok_or_else(|| err(path, "\"in_segment\" needs the segment's \"definition\""))?;
            let definition: Definition =
                serde_json::from_value(definition.clone()).map_err(|e| {
                    err(
                        &format!("{path}.definition"),
                        format!("not a segment's definition: {e}"),
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
                        err(&format!("{path}.{key}"), "expected a whole number of days")
                    }),
            }
        };
        if let Some(col) = obj.get("attribute") {
            let column = col
                .as_str()
                .ok_or_else(|| err(&format!("{path}.attribute"), "expected a column name"))?
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
                        format!(
                            "unknown measure {m}; expected one of: {}",
                            MEASURES.map(|x| x.1).join(", ")
                        ),
                    )
                })?;
            let days = whole_days("days")?;
            if days.is_some() && !measure.takes_window() {
                return Err(err(
                    &format!("{path}.days"),
                    format!("{} cannot be limited to the last days", measure.key()),
                ));
            }
            let category = match obj.get("category") {
                None | Some(Value::Null) => None,
                Some(v) => Some(
                    v.as_str()
                        .filter(|s| !s.trim().is_empty())
                        .ok_or_else(|| {
                            err(&format!("{path}.category"), "expected a category name")
                        })?
                        .to_string(),
                ),
            };
            if category.is_some() && !matches!(measure, Measure::Orders | Measure::Spend) {
                return Err(err(
                    &format!("{path}.category"),
                    "only orders and spend can be limited to a category",
                ));
            }
            let test = Test::from_json(obj, path)?;
            if !(test.is_numeric() || matches!(test, Test::IsEmpty | Test::IsNotEmpty)) {
                return Err(err(
                    path,
                    "a measure takes a number test: between, at_least or at_most",
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
                .ok_or_else(|| err(&format!("{path}.event"), "expected an event name"))?
                .to_string();
            let did = match obj.get("did") {
                None => true,
                Some(v) => v
                    .as_bool()
                    .ok_or_else(|| err(&format!("{path}.did"), "expected true or false"))?,
            };
            let at_least = match obj.get("at_least") {
                None => 1,
                Some(v) => v
                    .as_u64()
                    .filter(|n| (1..=1_000_000).contains(n))
                    .ok_or_else(|| {
                        err(
                            &format!("{path}.at_least"),
                            "expected a whole number from 1",
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
            "expected one of the keys all, any, not, attribute, measure or event",
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

fn describe_test(test: &Test) -> String {
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

/// Per-customer values that do not depend on a rule, computed once per
/// dataset and analysis date.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The analysis date.
    pub as_of: Day,
    /// Customers (every key).
    pub n: usize,
    orders: Vec<u32>,
    spend: Vec<f64>,
    gross: Vec<f64>,
    first: Vec<Option<Day>>,
    last: Vec<Option<Day>>,
    nps: Vec<Option<u8>>,
    csat: Vec<Option<u8>>,
    attribute_row: Vec<Option<usize>>,
    orders_by: RowIndex,
    email_by: Option<RowIndex>,
    events_by: Option<RowIndex>,
    tickets_by: Option<RowIndex>,
    /// The customers file's columns, dictionary-encoded on first use.
    columns: Vec<std::cell::OnceCell<DictColumn>>,
    /// Each customer's predictions, when the models were fitted.
    predictions: Option<Vec<Option<crate::models::clv::CustomerPrediction>>>,
    /// Each customer's RFM segment and the segments' names, when scored.
    rfm: Option<(Vec<u32>, Vec<String>)>,
}

/// No value.
const MISSING: u32 = u32::MAX;

/// A column of the customers file as codes per customer into its distinct
/// (trimmed, non-empty) values.
#[derive(Debug, Clone, Default)]
struct DictColumn {
    codes: Vec<u32>,
    values: Vec<String>,
}

/// The rows of each customer in a table, for scans of a few customers:
/// `rows[start[c]..start[c + 1]]` are customer `c`'s rows, in table order.
#[derive(Debug, Clone, Default)]
struct RowIndex {
    start: Vec<u32>,
    rows: Vec<u32>,
}

impl RowIndex {
    /// Indexes a customer column (counting sort); customers out of range
    /// are left out.
    fn new(customer: &[u32], n: usize) -> RowIndex {
        let mut start = vec![0u32; n + 1];
        for c in customer {
            if (*c as usize) < n {
                start[*c as usize + 1] += 1;
            }
        }
        for c in 0..n {
            start[c + 1] += start[c];
        }
        let mut next = start.clone();
        let mut rows = vec![0u32; start[n] as usize];
        for (i, c) in customer.iter().enumerate() {
            let c = *c as usize;
            if c < n {
                rows[next[c] as usize] = i as u32;
                next[c] += 1;
            }
        }
        RowIndex { start, rows }
    }

    fn rows_of(&self, c: usize) -> &[u32] {
        &self.rows[self.start[c] as usize..self.start[c + 1] as usize]
    }
}

impl Facts {
    /// Aggregates the dataset up to (not including) the analysis date.
    pub fn new(data: &Dataset, as_of: Day) -> Facts {
        let n = data.orders.customer_keys.len();
        let o = &data.orders;
        let mut f = Facts {
            as_of,
            n,
            orders: vec![0; n],
            spend: vec![0.0; n],
            gross: vec![0.0; n],
            first: vec![None; n],
            last: vec![None; n],
            nps: vec![None; n],
            csat: vec![None; n],
            attribute_row: data
                .customers
                .as_ref()
                .map_or_else(|| vec![None; n], |c| c.row_of(n)),
            orders_by: RowIndex::new(&data.orders.customer, n),
            email_by: data.email.as_ref().map(|e| RowIndex::new(&e.customer, n)),
            events_by: data.events.as_ref().map(|e| RowIndex::new(&e.customer, n)),
            tickets_by: data.tickets.as_ref().map(|t| RowIndex::new(&t.customer, n)),
            columns: (0..data
                .customers
                .as_ref()
                .map_or(0, |c| c.attribute_names.len()))
                .map(|_| std::cell::OnceCell::new())
                .collect(),
            predictions: None,
            rfm: None,
        };
        for i in 0..o.len() {
            let (c, d, a) = (o.customer[i] as usize, o.day[i], o.amount[i]);
            if d >= as_of {
                continue;
            }
            f.spend[c] += a;
            if a >= 0.0 {
                f.orders[c] += 1;
                f.gross[c] += a;
                f.first[c] = Some(f.first[c].map_or(d, |x| x.min(d)));
                f.last[c] = Some(f.last[c].map_or(d, |x| x.max(d)));
            }
        }
        if let Some(s) = &data.surveys {
            // The latest answer wins; answers without a day count as oldest.
            let mut when: Vec<Option<Day>> = vec![None; n];
            for i in 0..s.customer.len() {
                let c = s.customer[i] as usize;
                let d = s.day[i];
                if d.is_some_and(|d| d >= as_of) || c >= n {
                    continue;
                }
                if f.nps[c].is_none() && f.csat[c].is_none() || d >= when[c] {
                    if s.nps[i].is_some() {
                        f.nps[c] = s.nps[i];
                    }
                    if s.csat[i].is_some() {
                        f.csat[c] = s.csat[i];
                    }
                    when[c] = d;
                }
            }
        }
        f
    }

    /// Column `col` of the customers file, dictionary-encoded.
    fn column(&self, table: &crate::import::sources::CustomerTable, col: usize) -> &DictColumn {
        self.columns[col].get_or_init(|| {
            let mut index: rustc_hash::FxHashMap<&str, u32> = Default::default();
            let mut values = Vec::new();
            let codes = self
                .attribute_row
                .iter()
                .map(|row| {
                    let Some(r) = row else { return MISSING };
                    let v = table.attributes[*r][col].trim();
                    if v.is_empty() {
                        return MISSING;
                    }
                    *index.entry(v).or_insert_with(|| {
                        values.push(v.to_string());
                        (values.len() - 1) as u32
                    })
                })
                .collect();
            DictColumn { codes, values }
        })
    }

    /// Adds the customers' predictions (from models fitted for this
    /// analysis date), for churn-risk and predicted-value segments.
    pub fn with_predictions(
        mut self,
        predictions: &[crate::models::clv::CustomerPrediction],
    ) -> Facts {
        let mut per = vec![None; self.n];
        for p in predictions {
            if let Some(slot) = per.get_mut(p.customer as usize) {
                *slot = Some(*p);
            }
        }
        self.predictions = Some(per);
        self
    }

    /// Adds each customer's RFM segment (customers without one, such as
    /// prospects, are in none).
    pub fn with_rfm(mut self, result: &crate::segments::rfm::RfmResult) -> Facts {
        let mut per = vec![MISSING; self.n];
        for row in &result.rows {
            if let Some(slot) = per.get_mut(row.values.customer as usize) {
                *slot = u32::from(row.segment);
            }
        }
        self.rfm = Some((per, result.segment_names.clone()));
        self
    }

    /// The members of an RFM segment, by name; `None` when the facts have
    /// no RFM scores, an empty set when no segment has that name.
    pub fn rfm_members(&self, name: &str) -> Option<Bitmap> {
        let (per, names) = self.rfm.as_ref()?;
        let want = names.iter().position(|n| n == name).map(|i| i as u32);
        Some(Bitmap::from_fn(self.n, |c| Some(per[c]) == want))
    }

    /// A customer's prediction; `None` inside when the customer has none,
    /// `None` outside when no model was fitted.
    pub fn prediction(&self, c: usize) -> Option<Option<&crate::models::clv::CustomerPrediction>> {
        self.predictions.as_ref().map(|p| p[c].as_ref())
    }

    /// The latest NPS answer of a customer before the analysis date.
    pub fn nps(&self, c: usize) -> Option<u8> {
        self.nps[c]
    }

    /// The number of orders of a customer before the analysis date.
    pub fn order_count(&self, c: usize) -> u32 {
        self.orders[c]
    }

    /// The net spend of a customer before the analysis date.
    pub fn spend(&self, c: usize) -> f64 {
        self.spend[c]
    }

    /// The first and last order days of a customer.
    pub fn first_last(&self, c: usize) -> (Option<Day>, Option<Day>) {
        (self.first[c], self.last[c])
    }
}

/// The members of a segment's definition, for rules that test membership
/// of another segment.
pub type Segments<'a> = &'a dyn Fn(&Definition) -> Result<Bitmap, String>;

/// Evaluates rules over a dataset.
pub struct Evaluator<'a> {
    data: &'a Dataset,
    facts: &'a Facts,
    segments: Option<Segments<'a>>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator of the dataset with its facts.
    pub fn new(data: &'a Dataset, facts: &'a Facts) -> Self {
        Evaluator {
            data,
            facts,
            segments: None,
        }
    }

    /// The evaluator finding the members of other segments with
    /// `segments` (`groups::members`); without, a rule that tests another
    /// segment is refused in words.
    pub fn with_segments(mut self, segments: Segments<'a>) -> Self {
        self.segments = Some(segments);
        self
    }

    /// The members of a segment a rule tests membership of.
    fn segment(&self, definition: &Definition, path: &str) -> Result<Bitmap, RuleError> {
        match self.segments {
            Some(find) => find(definition).map_err(|e| err(path, e)),
            None => Err(err(path, "this kind of segment cannot be tested here")),
        }
    }

    /// The customers the rule selects.
    pub fn eval(&self, rule: &Rule) -> Result<Bitmap, RuleError> {
        self.eval_at(rule, "rule", &Bitmap::full(self.facts.n))
    }

    /// The customers of `within` the rule selects (never one outside it):
    /// the parts of an "all" group only look at the customers the earlier
    /// parts kept, cheap parts first, and those of an "any" group only at
    /// the customers not yet selected.
    fn eval_at(&self, rule: &Rule, path: &str, within: &Bitmap) -> Result<Bitmap, RuleError> {
        match rule {
            Rule::All(parts) => {
                let mut order: Vec<usize> = (0..parts.len()).collect();
                order.sort_by_key(|i| cost(&parts[*i]));
                let mut out = within.clone();
                for i in order {
                    let part = self.eval_at(&parts[i], &format!("{path}.all[{i}]"), &out)?;
                    out.and(&part);
                }
                Ok(out)
            }
            Rule::Any(parts) => {
                let mut out = Bitmap::empty(within.universe());
                let mut rest = within.clone();
                for (i, p) in parts.iter().enumerate() {
                    let part = self.eval_at(p, &format!("{path}.any[{i}]"), &rest)?;
                    out.or(&part);
                    let mut taken = part;
                    taken.not();
                    rest.and(&taken);
                }
                Ok(out)
            }
            Rule::Not(inner) => {
                let mut out = self.eval_at(inner, &format!("{path}.not"), within)?;
                out.not();
                out.and(within);
                Ok(out)
            }
            Rule::Attribute { column, test } => self.attribute(column, test, path, within),
            Rule::InSegment { definition, .. } => {
                let mut out = self.segment(definition, &format!("{path}.in_segment"))?;
                out.and(within);
                Ok(out)
            }
            Rule::Measure {
                measure,
                days,
                category,
                test,
            } => self.measure(*measure, *days, category.as_deref(), test, path, within),
            Rule::Event {
                name,
                did,
                at_least,
                within_days,
            } => self.event(name, *did, *at_least, *within_days, path, within),
        }
    }

    fn attribute(
        &self,
        column: &str,
        test: &Test,
        path: &str,
        within: &Bitmap,
    ) -> Result<Bitmap, RuleError> {
        let table = self.data.customers.as_ref().ok_or_else(|| {
            err(
                path,
                format!("the rule tests \"{column}\" but no customers file is imported"),
            )
        })?;
        let col = table
            .attribute_names
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case(column.trim()))
            .ok_or_else(|| {
                err(
                    path,
                    format!(
                        "the customers file has no column \"{column}\" (it has: {})",
                        table.attribute_names.join(", ")
                    ),
                )
            })?;
        // Each distinct value is tested once; customers look up its answer.
        let dict = self.facts.column(table, col);
        let answers: Vec<bool> = if test.is_date() {
            let sample: Vec<&str> = dict.values.iter().take(2_000).map(String::as_str).collect();
            let format = date::detect(&sample)
                .ok_or_else(|| err(path, format!("the column \"{column}\" does not hold dates")))?;
            let as_of = self.facts.as_of;
            dict.values
                .iter()
                .map(|v| test.date(date::parse_with(format, v).ok(), as_of))
                .collect()
        } else if test.is_numeric() {
            let decimal = column_decimal(dict.values.iter().map(String::as_str));
            dict.values
                .iter()
                .map(|v| test.number(parse_amount(v, decimal)))
                .collect()
        } else {
            let t = TextTest::new(test);
            dict.values.iter().map(|v| t.matches(Some(v))).collect()
        };
        // A missing value: what the test says of nothing.
        let when_missing = match test {
            Test::IsEmpty => true,
            _ if test.is_date() => test.date(None, self.facts.as_of),
            _ if test.is_numeric() => test.number(None),
            _ => TextTest::new(test).matches(None),
        };
        Ok(within.filter(|c| match dict.codes[c] {
            MISSING => when_missing,
            code => answers[code as usize],
        }))
    }

    fn measure(
        &self,
        measure: Measure,
        days: Option<u32>,
        category: Option<&str>,
        test: &Test,
        path: &str,
        within: &Bitmap,
    ) -> Result<Bitmap, RuleError> {
        let f = self.facts;
        let as_of = f.as_of;
        let from = days.map(|d| as_of - d as Day);
        let missing = |what: &str| {
            err(
                path,
                format!(
                    "{} needs {what}, which is not imported",
                    measure.label().to_lowercase()
                ),
            )
        };
        // Sums over the rows of one customer, through the facts' index.
        let sum = |index: &RowIndex, c: usize, f: &dyn Fn(usize) -> f64| -> f64 {
            index.rows_of(c).iter().map(|i| f(*i as usize)).sum()
        };
        let o = &self.data.orders;
        let value: Box<dyn Fn(usize) -> Option<f64> + '_> = match measure {
            Measure::Orders | Measure::Spend if from.is_some() || category.is_some() => {
                let from = from.unwrap_or(Day::MIN);
                let spend = measure == Measure::Spend;
                let wanted = match category {
                    None => None,
                    Some(name) => {
                        if o.categories.is_empty() {
                            return Err(err(
                                path,
                                "the orders have no category column: import an order file with one (category, catégorie, rayon…)",
                            ));
                        }
                        Some(
                            o.categories
                                .iter()
                                .position(|c| c.trim().eq_ignore_ascii_case(name.trim()))
                                .ok_or_else(|| {
                                    err(
                                        path,
                                        format!(
                                            "no order is in the category \"{name}\" (there are: {})",
                                            o.categories.join(", ")
                                        ),
                                    )
                                })? as u32,
                        )
                    }
                };
                Box::new(move |c| {
                    Some(sum(&f.orders_by, c, &|i| {
                        let (d, a) = (o.day[i], o.amount[i]);
                        if d < from || d >= as_of || wanted.is_some_and(|w| o.category[i] != w) {
                            0.0
                        } else if spend {
                            a
                        } else if a >= 0.0 {
                            1.0
                        } else {
                            0.0
                        }
                    }))
                })
            }
            Measure::Orders => Box::new(|c| Some(f64::from(f.orders[c]))),
            Measure::Spend => Box::new(|c| Some(f.spend[c])),
            Measure::AverageOrderValue => {
                Box::new(|c| (f.orders[c] > 0).then(|| f.gross[c] / f64::from(f.orders[c])))
            }
            Measure::DaysSinceLastOrder => Box::new(|c| f.last[c].map(|d| f64::from(as_of - d))),
            Measure::DaysSinceFirstOrder => Box::new(|c| f.first[c].map(|d| f64::from(as_of - d))),
            Measure::EmailsReceived | Measure::EmailOpens | Measure::EmailClicks => {
                let (Some(e), Some(index)) = (self.data.email.as_ref(), f.email_by.as_ref()) else {
                    return Err(missing("e-mail results"));
                };
                Box::new(move |c| {
                    Some(sum(index, c, &|i| {
                        let in_window = match (from, e.day[i]) {
                            (Some(from), Some(d)) => d >= from && d < as_of,
                            (Some(_), None) => false,
                            (None, d) => d.is_none_or(|d| d < as_of),
                        };
                        let hit = match measure {
                            Measure::EmailsReceived => e.delivered[i],
                            Measure::EmailOpens => e.opened[i],
                            _ => e.clicked[i],
                        };
                        f64::from(u8::from(in_window && hit))
                    }))
                })
            }
            Measure::Events => {
                let (Some(ev), Some(index)) = (self.data.events.as_ref(), f.events_by.as_ref())
                else {
                    return Err(missing("events"));
                };
                let (lo, hi) = window_seconds(from, as_of);
                Box::new(move |c| {
                    Some(sum(index, c, &|i| {
                        f64::from(u8::from(ev.time[i] >= lo && ev.time[i] < hi))
                    }))
                })
            }
            Measure::Tickets => {
                let (Some(t), Some(index)) = (self.data.tickets.as_ref(), f.tickets_by.as_ref())
                else {
                    return Err(missing("support tickets"));
                };
                let (lo, hi) = window_seconds(from, as_of);
                Box::new(move |c| {
                    Some(sum(index, c, &|i| {
                        f64::from(u8::from(t.created[i] >= lo && t.created[i] < hi))
                    }))
                })
            }
            Measure::Nps => {
                if self.data.surveys.is_none() {
                    return Err(missing("survey answers"));
                }
                Box::new(|c| f.nps[c].map(f64::from))
            }
            Measure::Csat => {
                if self.data.surveys.is_none() {
                    return Err(missing("survey answers"));
                }
                Box::new(|c| f.csat[c].map(f64::from))
            }
            Measure::ChanceActive
            | Measure::OrderWithin7Days
            | Measure::OrderWithin30Days
            | Measure::DaysToNextOrder
            | Measure::PredictedValue => {
                let Some(predictions) = f.predictions.as_ref() else {
                    return Err(err(
                        path,
                        format!(
                            "{} needs the predictions, which could not be made for these orders",
                            measure.label().to_lowercase()
                        ),
                    ));
                };
                Box::new(move |c| {
                    predictions[c].as_ref().map(|p| match measure {
                        Measure::ChanceActive => 100.0 * p.p_alive,
                        Measure::OrderWithin7Days => 100.0 * p.order_within_7_days,
                        Measure::OrderWithin30Days => 100.0 * p.order_within_30_days,
                        Measure::DaysToNextOrder => f64::from(p.days_to_next_order),
                        _ => p.clv,
                    })
                })
            }
        };
        Ok(within.filter(|c| test.number(value(c))))
    }

    fn event(
        &self,
        name: &str,
        did: bool,
        at_least: u32,
        within_days: Option<u32>,
        path: &str,
        within: &Bitmap,
    ) -> Result<Bitmap, RuleError> {
        let ev = self.data.events.as_ref().ok_or_else(|| {
            err(
                path,
                format!("the rule tests the event \"{name}\" but no events file is imported"),
            )
        })?;
        let Some(id) = ev
            .names
            .iter()
            .position(|x| x.trim().eq_ignore_ascii_case(name.trim()))
        else {
            // An event nobody did.
            return Ok(if did {
                Bitmap::empty(within.universe())
            } else {
                within.clone()
            });
        };
        let (lo, hi) = window_seconds(
            within_days.map(|d| self.facts.as_of - d as Day),
            self.facts.as_of,
        );
        let index = self.facts.events_by.as_ref().expect("events are indexed");
        let id = id as u32;
        Ok(within.filter(|c| {
            let times = index
                .rows_of(c)
                .iter()
                .filter(|i| {
                    let i = **i as usize;
                    ev.event[i] == id && ev.time[i] >= lo && ev.time[i] < hi
                })
                .take(at_least as usize)
                .count();
            (times >= at_least as usize) == did
        }))
    }
}

/// How much work a part of a rule takes, roughly: tests on one value per
/// customer first, scans of e-mails and events last.
fn cost(rule: &Rule) -> u8 {
    match rule {
        Rule::Attribute { .. } => 0,
        Rule::Measure {
            measure,
            days: None,
            category: None,
            ..
        } if !matches!(
            measure,
            Measure::EmailsReceived
                | Measure::EmailOpens
                | Measure::EmailClicks
                | Measure::Events
                | Measure::Tickets
        ) =>
        {
            0
        }
        Rule::Measure { .. } => 2,
        Rule::Event { .. } => 3,
        Rule::InSegment { .. } => 4,
        Rule::All(v) | Rule::Any(v) => v.iter().map(cost).max().unwrap_or(0).max(1),
        Rule::Not(r) => cost(r),
    }
}

/// The seconds from the start of day `from` (or the beginning) to the start
/// of the analysis date.
fn window_seconds(from: Option<Day>, as_of: Day) -> (i64, i64) {
    (
        from.map_or(i64::MIN, |d| i64::from(d) * 86_400),
        i64::from(as_of) * 86_400,
    )
}

/// The decimal separator of a column of numbers: a comma when more values
/// read with a comma than with a point.
fn column_decimal<'v>(values: impl Iterator<Item = &'v str>) -> DecimalSeparator {
    let sample: Vec<&str> = values.take(2_000).collect();
    crate::model::number::detect_decimal(&sample)
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
fn rule_needs_rfm(text: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Orders;
    use crate::model::date::days_from_civil;

    fn day(y: i32, m: u32, d: u32) -> Day {
        days_from_civil(y, m, d)
    }

    /// Four customers: a, b, c with orders; d, e known only from the
    /// customers file.
    fn data() -> Dataset {
        let mut data = Dataset::from_orders(Orders::from_rows(&[
            ("a".into(), day(2024, 1, 10), 50.0),
            ("a".into(), day(2024, 5, 20), 30.0),
            ("b".into(), day(2024, 3, 1), 100.0),
            ("b".into(), day(2024, 3, 5), -20.0),
            ("c".into(), day(2024, 6, 25), 10.0),
            // After the analysis date: ignored.
            ("c".into(), day(2024, 7, 2), 999.0),
        ]));
        data.add_source(
            "customers.csv",
            "customer_id,gender,age,interests,city,signup\n\
             a,M,35,\"DIY;Garden\",Lyon,2023-01-01\n\
             b,F,40,Books,Paris,2024-06-01\n\
             c,M,41,diy,lyon,\n\
             d,M,38,DIY,Nice,2024-06-15\n\
             e,,,,,\n"
                .as_bytes(),
        )
        .unwrap();
        data.add_source(
            "email.csv",
            b"customer_id,campaign,sent_at,opened,clicked\n\
              a,C1,2024-06-20,1,1\n\
              a,C0,2024-01-02,1,0\n\
              b,C1,2024-06-20,0,0\n\
              d,C1,2024-06-20,1,0\n",
        )
        .unwrap();
        data.add_source(
            "events.csv",
            b"customer_id,timestamp,event\n\
              a,2024-06-28T10:00:00Z,add_to_cart\n\
              a,2024-06-29T10:00:00Z,add_to_cart\n\
              b,2024-05-01T10:00:00Z,add_to_cart\n\
              d,2024-06-30T23:59:59Z,add_to_cart\n\
              d,2024-07-01T00:00:00Z,add_to_cart\n",
        )
        .unwrap();
        data.add_source(
            "nps.csv",
            b"customer_id,date,nps\na,2024-01-01,3\na,2024-06-01,9\nb,2024-02-01,6\n",
        )
        .unwrap();
        data
    }

    fn select(data: &Dataset, json: &str) -> Vec<String> {
        let facts = Facts::new(data, day(2024, 7, 1));
        let rule = Rule::from_json(json).unwrap();
        let set = Evaluator::new(data, &facts).eval(&rule).unwrap();
        set.iter()
            .map(|c| data.orders.customer_keys[c].clone())
            .collect()
    }

    #[test]
    fn bitmap_operations() {
        let mut a = Bitmap::from_fn(130, |i| i % 3 == 0);
        assert_eq!(a.count(), 44);
        let b = Bitmap::from_fn(130, |i| i % 2 == 0);
        assert_eq!(a.intersection_count(&b), 22);
        let mut c = a.clone();
        c.or(&b);
        assert_eq!(c.count(), 44 + 65 - 22);
        a.not();
        assert_eq!(a.count(), 130 - 44);
        assert!(!a.contains(129) && a.contains(128) && !a.contains(500));
        assert_eq!(Bitmap::full(130).count(), 130);
        assert_eq!(Bitmap::full(128).count(), 128);
        assert_eq!(Bitmap::empty(0).iter().count(), 0);
        let ones: Vec<usize> = Bitmap::from_fn(70, |i| i == 0 || i == 63 || i == 69)
            .iter()
            .collect();
        assert_eq!(ones, vec![0, 63, 69]);
    }

    /// Rules on the models' predictions: probabilities in percent, days to
    /// the next order, predicted value; a customer without a prediction
    /// (no order before the analysis date) matches no test; without the
    /// models the rule says why.
    #[test]
    fn rules_on_predictions() {
        let d = data();
        let key = |k: &str| d.orders.customer_keys.iter().position(|c| c == k).unwrap() as u32;
        let p = |c: &str, alive: f64, in7: f64, in30: f64, days: u32, clv: f64| {
            crate::models::clv::CustomerPrediction {
                customer: key(c),
                p_alive: alive,
                order_within_7_days: in7,
                order_within_30_days: in30,
                days_to_next_order: days,
                clv,
                ..Default::default()
            }
        };
        let preds = [
            p("a", 0.9, 0.12, 0.41, 40, 180.0),
            p("b", 0.35, 0.02, 0.08, 400, 20.0),
            p("c", 1.0, 0.05, 0.19, 90, 60.0),
        ];
        let facts = Facts::new(&d, day(2024, 7, 1)).with_predictions(&preds);
        let select = |json: &str| -> Vec<String> {
            let rule = Rule::from_json(json).unwrap();
            assert!(rule.uses_predictions());
            let set = Evaluator::new(&d, &facts).eval(&rule).unwrap();
            set.iter()
                .map(|c| d.orders.customer_keys[c].clone())
                .collect()
        };
        assert_eq!(
            select(r#"{"measure": "order_within_30_days", "at_least": 19}"#),
            ["a", "c"]
        );
        assert_eq!(
            select(r#"{"measure": "order_within_7_days", "between": [2, 5]}"#),
            ["b", "c"]
        );
        assert_eq!(
            select(r#"{"measure": "chance_active", "at_most": 50}"#),
            ["b"]
        );
        assert_eq!(
            select(r#"{"measure": "days_to_next_order", "at_most": 90}"#),
            ["a", "c"]
        );
        assert_eq!(
            select(r#"{"measure": "predicted_value", "at_least": 60}"#),
            ["a", "c"]
        );
        // d and e have no order, so no prediction: "not" takes them in.
        assert_eq!(
            select(r#"{"not": {"measure": "chance_active", "at_least": 50}}"#),
            ["b", "d", "e"]
        );
        let plain = Facts::new(&d, day(2024, 7, 1));
        let rule = Rule::from_json(r#"{"measure": "chance_active", "at_least": 50}"#).unwrap();
        let e = Evaluator::new(&d, &plain).eval(&rule).unwrap_err();
        assert!(e.message.contains("needs the predictions"), "{e:?}");
        let within = Definition::Within {
            parent: Box::new(Definition::Rfm("Champions".into())),
            rule: r#"{"measure": "order_within_7_days", "at_least": 10}"#.into(),
        };
        assert!(within.needs_predictions() && within.needs_rfm());
        assert!(
            !Definition::Rule(r#"{"measure": "orders", "at_least": 2}"#.into()).needs_predictions()
        );
    }

    /// Rules that use other segments: a rule inside a rule, an RFM segment
    /// from the facts, a lifecycle stage through the groups' resolver;
    /// written and read back as JSON, in SQL, and refused in words where
    /// nothing can find the members.
    #[test]
    fn rules_on_other_segments() {
        let d = data();
        let at = day(2024, 7, 1);
        let facts = Facts::new(&d, at);
        // Spend before 1 July: a 80, b 80, c 10; Lyon: a and c.
        let big = r#"{"measure":"spend","at_least":50}"#;
        let json = serde_json::json!({"all": [
            {"in_segment": "Big spenders", "definition": {"Rule": big}},
            {"attribute": "city", "equals": "lyon"}
        ]})
        .to_string();
        let rule = Rule::from_json(&json).unwrap();
        assert_eq!(Rule::from_json(&rule.to_json()).unwrap(), rule);
        let lapsed = crate::segments::lifecycle::LifecycleSetup::default();
        // Other segments are found by the groups' resolver.
        let select = |json: &str| -> Vec<String> {
            crate::segments::groups::members(&d, &facts, &Definition::Rule(json.into()), &lapsed)
                .unwrap()
                .iter()
                .map(|c| d.orders.customer_keys[c].clone())
                .collect()
        };
        assert_eq!(select(&json), ["a"]);
        assert_eq!(
            rule.describe(),
            "in the segment \"Big spenders\" and city is \"lyon\""
        );
        let not =
            serde_json::json!({"not": {"in_segment": "Big spenders", "definition": {"Rule": big}}})
                .to_string();
        assert_eq!(select(&not), ["c", "d", "e"]);

        // A lifecycle stage through the resolver; without one the rule says
        // it cannot test it, at its place.
        let stages = crate::segments::lifecycle::stages(&facts, &lapsed);
        let stage_rule =
            serde_json::json!({"in_segment": "Prospect", "definition": {"Lifecycle": "Prospect"}})
                .to_string();
        let e = Evaluator::new(&d, &facts)
            .eval(&Rule::from_json(&stage_rule).unwrap())
            .unwrap_err();
        assert_eq!(e.path, "rule.in_segment");
        let members = crate::segments::groups::members(
            &d,
            &facts,
            &Definition::Rule(stage_rule.clone()),
            &lapsed,
        )
        .unwrap();
        let want: Vec<usize> = (0..facts.n)
            .filter(|c| stages[*c] == crate::segments::lifecycle::Stage::Prospect)
            .collect();
        assert_eq!(members.iter().collect::<Vec<_>>(), want);
        assert!(!want.is_empty());

        // An RFM segment is found in the facts' scores, and makes the
        // definition ask for them.
        let within_rfm = Definition::Rule(
            serde_json::json!({"in_segment": "Champions", "definition": {"Rfm": "Champions"}})
                .to_string(),
        );
        assert!(within_rfm.needs_rfm());
        assert!(!Definition::Rule(big.into()).needs_rfm());
        let e = crate::segments::groups::members(&d, &facts, &within_rfm, &lapsed).unwrap_err();
        assert!(e.contains("RFM"), "{e}");
        let bad = r#"{"in_segment": "X", "definition": {"Nope": 1}}"#;
        assert!(
            Rule::from_json(bad)
                .unwrap_err()
                .to_string()
                .starts_with("at rule.definition: not a segment's definition")
        );
    }

    #[test]
    fn the_example_rule_of_the_issue() {
        // Men aged 35 to 40 interested in DIY who have not ordered in the
        // last 6 weeks (42 days: 20 May to 30 June when the analysis date
        // is 1 July): a's last order is on 20 May, so only d (no order at
        // all) matches; with 41 days, a matches too.
        let d = data();
        let rule = r#"{"all": [
            {"attribute": "gender", "equals": "m"},
            {"attribute": "age", "between": [35, 40]},
            {"attribute": "interests", "contains": "diy"},
            {"measure": "orders", "days": 42, "at_most": 0}
        ]}"#;
        assert_eq!(select(&d, rule), vec!["d"]);
        let rule41 = rule.replace("\"days\": 42", "\"days\": 41");
        assert_eq!(select(&d, &rule41), vec!["a", "d"]);
    }

    #[test]
    fn text_operators_and_missing_values() {
        let d = data();
        assert_eq!(
            select(&d, r#"{"attribute":"city","equals":"LYON"}"#),
            vec!["a", "c"]
        );
        assert_eq!(
            select(&d, r#"{"attribute":"city","one_of":["paris"," nice "]}"#),
            vec!["b", "d"]
        );
        assert_eq!(
            select(&d, r#"{"attribute":"city","is_empty":true}"#),
            vec!["e"]
        );
        // NOT of a test on a missing value selects the customer.
        assert_eq!(
            select(&d, r#"{"not":{"attribute":"city","contains":"y"}}"#),
            vec!["b", "d", "e"]
        );
        assert_eq!(select(&d, r#"{"any":[]}"#), Vec::<String>::new());
        assert_eq!(select(&d, r#"{"all":[]}"#).len(), 5);
    }

    #[test]
    fn number_and_date_operators() {
        let d = data();
        assert_eq!(
            select(&d, r#"{"attribute":"age","at_least":40}"#),
            vec!["b", "c"]
        );
        assert_eq!(select(&d, r#"{"attribute":"age","at_most":35}"#), vec!["a"]);
        // Ties at both ends are inside.
        assert_eq!(
            select(&d, r#"{"attribute":"age","between":[35,40]}"#),
            vec!["a", "b", "d"]
        );
        assert_eq!(
            select(&d, r#"{"attribute":"signup","within_last_days":30}"#),
            vec!["b", "d"]
        );
        assert_eq!(
            select(&d, r#"{"attribute":"signup","more_than_days_ago":365}"#),
            vec!["a"]
        );
        assert_eq!(
            select(&d, r#"{"attribute":"signup","on_or_after":"2024-06-15"}"#),
            vec!["d"]
        );
        assert_eq!(
            select(&d, r#"{"attribute":"signup","before":"2024-06-15"}"#),
            vec!["a", "b"]
        );
    }

    #[test]
    fn measures() {
        let d = data();
        assert_eq!(
            select(&d, r#"{"measure":"orders","at_least":2}"#),
            vec!["a"]
        );
        // b spent 100 and was refunded 20: net 80, average order 100.
        assert_eq!(
            select(&d, r#"{"measure":"spend","between":[80,80]}"#),
            vec!["a", "b"]
        );
        assert_eq!(
            select(&d, r#"{"measure":"average_order_value","at_least":50}"#),
            vec!["b"]
        );
        assert_eq!(
            select(&d, r#"{"measure":"days_since_last_order","at_most":6}"#),
            vec!["c"]
        );
        // The order after the analysis date does not count.
        assert_eq!(
            select(&d, r#"{"measure":"spend","at_least":100}"#),
            Vec::<String>::new()
        );
        assert_eq!(
            select(&d, r#"{"measure":"email_opens","days":30,"at_least":1}"#),
            vec!["a", "d"]
        );
        assert_eq!(
            select(&d, r#"{"measure":"email_opens","at_least":2}"#),
            vec!["a"]
        );
        assert_eq!(
            select(&d, r#"{"measure":"email_clicks","days":90,"at_most":0}"#),
            vec!["b", "c", "d", "e"]
        );
        // The latest NPS answer counts; no answer is missing, not zero.
        assert_eq!(select(&d, r#"{"measure":"nps","at_least":9}"#), vec!["a"]);
        assert_eq!(select(&d, r#"{"measure":"nps","at_most":6}"#), vec!["b"]);
        assert_eq!(
            select(&d, r#"{"measure":"nps","is_empty":true}"#),
            vec!["c", "d", "e"]
        );
        // Tickets opened before the analysis date, in a window or ever.
        let mut t = d.clone();
        t.add_source(
            "tickets.csv",
            b"ticket_id,customer_id,created_at,resolved_at\n\
              1,a,2024-06-30T23:00:00Z,2024-07-01T09:00:00Z\n\
              2,a,2024-01-10T10:00:00Z,\n\
              3,b,2024-07-01T08:00:00Z,\n",
        )
        .unwrap();
        assert_eq!(
            select(&t, r#"{"measure":"tickets","at_least":2}"#),
            vec!["a"]
        );
        assert_eq!(
            select(&t, r#"{"measure":"tickets","days":7,"at_least":1}"#),
            vec!["a"]
        );
        assert_eq!(
            select(&t, r#"{"measure":"tickets","at_most":0}"#),
            vec!["b", "c", "d", "e"]
        );
    }

    #[test]
    fn orders_and_spend_in_a_category() {
        let text = "customer_id,order_date,amount,category\n\
                    a,2024-06-01,30,DIY\n\
                    a,2024-06-20,-10,DIY\n\
                    a,2024-01-05,50,Books\n\
                    b,2024-06-10,25,diy\n\
                    b,2024-06-11,5,\n\
                    c,2024-06-15,99,Garden\n";
        let (orders, _) =
            crate::import_orders("o.csv", text.as_bytes(), crate::ImportOptions::default())
                .unwrap();
        let d = Dataset::from_orders(orders);
        // "DIY" and "diy" are one category; a's DIY spend is 30 − 10.
        assert_eq!(
            select(&d, r#"{"measure":"spend","category":"diy","at_least":20}"#),
            vec!["a", "b"]
        );
        assert_eq!(
            select(&d, r#"{"measure":"spend","category":"diy","at_least":21}"#),
            vec!["b"]
        );
        assert_eq!(
            select(
                &d,
                r#"{"measure":"orders","category":"Books","days":90,"at_least":1}"#
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            select(
                &d,
                r#"{"measure":"orders","category":"Books","at_least":1}"#
            ),
            vec!["a"]
        );
        let facts = Facts::new(&d, day(2024, 7, 1));
        let ev = Evaluator::new(&d, &facts);
        let e = ev
            .eval(
                &Rule::from_json(r#"{"measure":"spend","category":"Toys","at_least":1}"#).unwrap(),
            )
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no order is in the category \"Toys\" (there are: DIY, Books, Garden)"),
            "{e}"
        );
        assert!(
            Rule::from_json(r#"{"measure":"nps","category":"DIY","at_least":1}"#)
                .unwrap_err()
                .to_string()
                .contains("only orders and spend")
        );
        let plain = data();
        let facts = Facts::new(&plain, day(2024, 7, 1));
        let e = Evaluator::new(&plain, &facts)
            .eval(&Rule::from_json(r#"{"measure":"spend","category":"DIY","at_least":1}"#).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no category column"), "{e}");
    }

    #[test]
    fn events_did_and_did_not() {
        let d = data();
        // d's second event is on the analysis date itself: not counted.
        assert_eq!(
            select(&d, r#"{"event":"add_to_cart","at_least":2}"#),
            vec!["a"]
        );
        assert_eq!(
            select(&d, r#"{"event":"Add_To_Cart","within_days":7}"#),
            vec!["a", "d"]
        );
        assert_eq!(
            select(&d, r#"{"event":"add_to_cart","did":false,"within_days":7}"#),
            vec!["b", "c", "e"]
        );
        // An event nobody did: no one did it, everyone did not.
        assert_eq!(
            select(&d, r#"{"event":"refund_request"}"#),
            Vec::<String>::new()
        );
        assert_eq!(
            select(&d, r#"{"event":"refund_request","did":false}"#).len(),
            5
        );
    }

    #[test]
    fn json_round_trip_and_clear_errors() {
        let text = r#"{"any":[{"not":{"attribute":"gender","one_of":["M","F"]}},
            {"measure":"spend","days":30,"between":[1,2]},
            {"event":"x","did":false,"at_least":3,"within_days":9},
            {"attribute":"signup","before":"2024-01-31"}]}"#;
        let rule = Rule::from_json(text).unwrap();
        assert_eq!(Rule::from_json(&rule.to_json()).unwrap(), rule);
        let e = |t: &str| Rule::from_json(t).unwrap_err().to_string();
        assert_eq!(
            e(r#"{"all":[{"measure":"spent","at_least":1}]}"#),
            "at rule.all[0].measure: unknown measure \"spent\"; expected one of: orders, spend, average_order_value, days_since_last_order, days_since_first_order, emails_received, email_opens, email_clicks, events, nps, csat, tickets, chance_active, order_within_7_days, order_within_30_days, days_to_next_order, predicted_value"
        );
        assert_eq!(
            e(r#"{"all":[{"attribute":"age","between":[40,35]}]}"#),
            "at rule.all[0].between: 40 is above 35"
        );
        assert!(e(r#"{"attribute":"age"}"#).starts_with("at rule: a condition needs a test"));
        assert!(
            e(r#"{"attribute":"age","at_least":1,"at_most":2}"#)
                .contains("not at_least and at_most")
        );
        assert!(e(r#"{"measure":"nps","days":3,"at_least":1}"#).contains("cannot be limited"));
        assert!(e(r#"{"measure":"nps","equals":"9"}"#).contains("number test"));
        assert!(e("{\"all\": [\n  1,]}").contains("line 2"));
        assert!(e(r#"{"attribute":"x","before":"31/01/2024"}"#).contains("yyyy-mm-dd"));
        assert!(e(r#"{"rule":1}"#).contains("expected one of the keys"));
    }

    #[test]
    fn evaluation_errors_name_the_missing_data() {
        let d = Dataset::from_orders(Orders::from_rows(&[("a".into(), 1, 5.0)]));
        let facts = Facts::new(&d, 10);
        let ev = Evaluator::new(&d, &facts);
        let e = |t: &str| {
            ev.eval(&Rule::from_json(t).unwrap())
                .unwrap_err()
                .to_string()
        };
        assert!(e(r#"{"all":[{"attribute":"age","at_least":1}]}"#).contains("no customers file"));
        assert!(e(r#"{"measure":"email_opens","at_least":1}"#).contains("e-mail results"));
        assert!(e(r#"{"event":"x"}"#).contains("no events file"));
        let full = data();
        let facts = Facts::new(&full, 10);
        let ev = Evaluator::new(&full, &facts);
        let msg = ev
            .eval(&Rule::from_json(r#"{"attribute":"sex","equals":"M"}"#).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("no column \"sex\" (it has: gender, age"),
            "{msg}"
        );
    }

    #[test]
    fn descriptions_read_as_sentences() {
        let rule = Rule::from_json(
            r#"{"all":[{"attribute":"gender","equals":"M"},{"any":[{"measure":"orders","days":42,"at_most":0},{"event":"visit","did":false}]}]}"#,
        )
        .unwrap();
        assert_eq!(
            rule.describe(),
            "gender is \"M\" and (orders in the last 42 days at most 0 or did not do visit)"
        );
    }
}
