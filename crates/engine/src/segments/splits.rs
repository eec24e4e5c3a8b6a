//! Segments in one click: one per value (or numeric band) of a column of
//! the customers file, and behavioural tiers (purchase frequency, value,
//! usage intensity, e-mail engagement, NPS loyalty, journey stage), each
//! with thresholds read from the data and said in words.

use serde::{Deserialize, Serialize};

use crate::import::dataset::Dataset;
use crate::model::bitmap::Bitmap;
use crate::model::date::Day;
use crate::model::number::{detect_decimal, parse_amount};
use crate::segments::Facts;
use crate::segments::rfm::quantile7;

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
    /// How the groups were made, in words.
    pub explanation: String,
}

const NEEDS_MODELS: &str = "The predictive models could not be fitted to these orders, so there are no predictions to group by.";

/// At most this many value groups before "Other".
const TOP_VALUES: usize = 8;

/// Splits the customers.
pub fn split(data: &Dataset, facts: &Facts, split: &Split) -> Result<Groups, String> {
    match split {
        Split::Attribute { column, edges } => attribute(data, facts, column, edges.as_deref()),
        Split::Tier(t) => tier(data, facts, *t),
        Split::ChurnRisk {
            medium_from,
            low_from,
        } => {
            let n = facts.n;
            if n > 0 && facts.prediction(0).is_none() {
                return Err(NEEDS_MODELS.into());
            }
            let band = |c: usize| -> Option<usize> {
                facts
                    .prediction(c)
                    .flatten()
                    .map(|p| crate::models::clv::risk_band(p, *medium_from, *low_from))
            };
            let names = [
                "High churn risk",
                "Medium churn risk",
                "Low churn risk",
                "One-time buyers (not judged)",
            ];
            Ok(Groups {
                groups: (0..4)
                    .map(|b| {
                        (
                            names[b].to_string(),
                            Bitmap::from_fn(n, |c| band(c) == Some(b)),
                        )
                    })
                    .collect(),
                explanation: format!(
                    "The probability that each repeat customer is still active (BG/NBD): high risk below {:.0}%, medium below {:.0}%, low from {:.0}%; one-time buyers apart, as the model cannot judge them.",
                    medium_from * 100.0,
                    low_from * 100.0,
                    low_from * 100.0
                ),
            })
        }
        Split::PredictedValue => {
            let n = facts.n;
            if n > 0 && facts.prediction(0).is_none() {
                return Err(NEEDS_MODELS.into());
            }
            let value = |c: usize| facts.prediction(c).flatten().map(|p| p.clv);
            let mut values: Vec<f64> = (0..n).filter_map(value).collect();
            let high = cut(&mut values, 0.8);
            let medium = cut(&mut values, 0.5);
            Ok(Groups {
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
                explanation: format!(
                    "Predicted value over the next 52 weeks (BG/NBD × Gamma-Gamma): high from {high:.2} (the top 20%), medium from {medium:.2} (the next 30%), low below."
                ),
            })
        }
        Split::Journey { stages } => journey(data, facts, &|name: &str| mapped_stage(stages, name)),
    }
}

/// How one group of a column split is decided, from the column's value.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupTest {
    /// A number from `lo` (included) to `hi` (excluded); no bound when
    /// absent.
    Band {
        /// The lower bound.
        lo: Option<f64>,
        /// The upper bound.
        hi: Option<f64>,
    },
    /// The value (or an item of it, for lists), lower-cased, is this.
    Value(String),
    /// The value (or an item of it) is none of these lower-cased values.
    Other(Vec<String>),
    /// No value.
    Unknown,
}

/// A column split decided at the data: its groups and how each is tested.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSplit {
    /// The column's index in the customers file.
    pub column: usize,
    /// The decimal separator of its numbers.
    pub decimal: crate::model::number::DecimalSeparator,
    /// True when values are `;` lists, tested item by item.
    pub is_list: bool,
    /// Each group's name and test.
    pub groups: Vec<(String, GroupTest)>,
    /// How the groups were made, in words.
    pub explanation: String,
}

/// Decides the groups of a column split: numeric bands (quartiles or the
/// given edges) or the most frequent values with the rest together.
pub fn column_split(
    data: &Dataset,
    facts: &Facts,
    column: &str,
    edges: Option<&[f64]>,
) -> Result<ColumnSplit, String> {
    let table = data
        .customers
        .as_ref()
        .ok_or("Add a customers file to split customers by its columns.")?;
    let col = table
        .attribute_names
        .iter()
        .position(|c| c.eq_ignore_ascii_case(column))
        .ok_or_else(|| format!("The customers file has no column \"{column}\"."))?;
    let n = facts.n;
    let rows = table.row_of(n);
    let value = |c: usize| {
        rows[c]
            .map(|r| table.attributes[r][col].trim())
            .filter(|v| !v.is_empty())
    };
    let values: Vec<&str> = (0..n).filter_map(value).collect();
    if values.is_empty() {
        return Err(format!("The column \"{column}\" is empty."));
    }
    let sample: Vec<&str> = values.iter().take(2_000).copied().collect();
    let decimal = detect_decimal(&sample);
    let numbers: Vec<f64> = values
        .iter()
        .filter_map(|v| parse_amount(v, decimal))
        .collect();
    let mut out = Vec::new();
    let any_unknown = values.len() < n;
    // Numbers (most values read as one, and many distinct): bands.
    let distinct = {
        let mut d: Vec<&str> = values.clone();
        d.sort_unstable();
        d.dedup();
        d.len()
    };
    if numbers.len() * 10 >= values.len() * 9 && (distinct > TOP_VALUES || edges.is_some()) {
        let mut sorted = numbers.clone();
        sorted.sort_by(f64::total_cmp);
        let cuts: Vec<f64> = match edges {
            Some(e) => {
                let mut e = e.to_vec();
                e.sort_by(f64::total_cmp);
                e.dedup();
                e
            }
            None => {
                let mut q: Vec<f64> = [0.25, 0.5, 0.75]
                    .iter()
                    .map(|p| quantile7(&sorted, *p).round())
                    .collect();
                q.dedup();
                q
            }
        };
        let fmt = |x: f64| {
            if x.fract() == 0.0 {
                format!("{x:.0}")
            } else {
                format!("{x}")
            }
        };
        for b in 0..=cuts.len() {
            let lo = if b == 0 { None } else { Some(cuts[b - 1]) };
            let hi = cuts.get(b).copied();
            let name = match (lo, hi) {
                (None, Some(h)) => format!("{column} under {}", fmt(h)),
                (Some(l), Some(h)) => format!("{column} {} to under {}", fmt(l), fmt(h)),
                (Some(l), None) => format!("{column} {} and over", fmt(l)),
                (None, None) => column.to_string(),
            };
            out.push((name, GroupTest::Band { lo, hi }));
        }
        if any_unknown {
            out.push((format!("{column} unknown"), GroupTest::Unknown));
        }
        let how = if edges.is_some() {
            "the bands you set".to_string()
        } else {
            "quartiles: about a quarter of the customers with a value in each band".to_string()
        };
        return Ok(ColumnSplit {
            column: col,
            decimal,
            is_list: false,
            groups: out,
            explanation: format!("Customers by {column}, in {how}."),
        });
    }
    // Text: the most frequent values (items of `;` lists counted one by
    // one), the rest "Other".
    let is_list = values.iter().filter(|v| v.contains(';')).count() * 10 >= values.len();
    let mut counts: rustc_hash::FxHashMap<String, (u64, String)> = Default::default();
    for v in &values {
        for original in items(v, is_list) {
            counts
                .entry(original.to_lowercase())
                .or_insert((0, original.to_string()))
                .0 += 1;
        }
    }
    let mut ranked: Vec<(String, u64, String)> =
        counts.into_iter().map(|(k, (n, o))| (k, n, o)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let kept: Vec<&(String, u64, String)> = ranked.iter().take(TOP_VALUES).collect();
    for (key, _, original) in &kept {
        out.push((
            format!("{column} = {original}"),
            GroupTest::Value(key.clone()),
        ));
    }
    if ranked.len() > TOP_VALUES {
        out.push((
            format!("{column}: other values"),
            GroupTest::Other(kept.iter().map(|k| k.0.clone()).collect()),
        ));
    }
    if any_unknown {
        out.push((format!("{column} unknown"), GroupTest::Unknown));
    }
    Ok(ColumnSplit {
        column: col,
        decimal,
        is_list,
        groups: out,
        explanation: if is_list {
            format!(
                "Customers by {column}: a customer listing several values is in each of their groups, so the groups overlap."
            )
        } else {
            format!(
                "Customers by {column}: the {} most frequent values, the others together.",
                kept.len()
            )
        },
    })
}

/// The items of a value: its trimmed, non-empty `;` parts for lists, the
/// value itself otherwise.
fn items(v: &str, is_list: bool) -> Vec<&str> {
    if is_list {
        v.split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        vec![v]
    }
}

fn attribute(
    data: &Dataset,
    facts: &Facts,
    column: &str,
    edges: Option<&[f64]>,
) -> Result<Groups, String> {
    let split = column_split(data, facts, column, edges)?;
    let table = data.customers.as_ref().expect("checked by column_split");
    let n = facts.n;
    let rows = table.row_of(n);
    let value = |c: usize| {
        rows[c]
            .map(|r| table.attributes[r][split.column].trim())
            .filter(|v| !v.is_empty())
    };
    let number = |c: usize| value(c).and_then(|v| parse_amount(v, split.decimal));
    let per_customer: Vec<Vec<String>> = (0..n)
        .map(|c| {
            value(c).map_or_else(Vec::new, |v| {
                items(v, split.is_list)
                    .into_iter()
                    .map(str::to_lowercase)
                    .collect()
            })
        })
        .collect();
    let groups = split
        .groups
        .into_iter()
        .map(|(name, test)| {
            let set = match &test {
                GroupTest::Band { lo, hi } => Bitmap::from_fn(n, |c| {
                    number(c).is_some_and(|x| lo.is_none_or(|l| x >= l) && hi.is_none_or(|h| x < h))
                }),
                GroupTest::Value(key) => {
                    Bitmap::from_fn(n, |c| per_customer[c].iter().any(|x| x == key))
                }
                GroupTest::Other(kept) => {
                    Bitmap::from_fn(n, |c| per_customer[c].iter().any(|x| !kept.contains(x)))
                }
                GroupTest::Unknown => Bitmap::from_fn(n, |c| value(c).is_none()),
            };
            (name, set)
        })
        .collect();
    Ok(Groups {
        groups,
        explanation: split.explanation,
    })
}

/// The value at a share of the sorted values (R's type 7).
fn cut(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    if values.is_empty() {
        0.0
    } else {
        quantile7(values, p)
    }
}

/// The orders of the 12 months before the analysis date from which a buyer
/// is frequent: the top quarter of active buyers, at least 2.
fn frequent_from(recent: &[u32]) -> u32 {
    let mut active: Vec<f64> = recent
        .iter()
        .filter(|x| **x > 0)
        .map(|x| f64::from(*x))
        .collect();
    cut(&mut active, 0.75).round().max(2.0) as u32
}

/// The spend from which a buyer is of high value (the top 20%) and of
/// medium value (the next 30%).
fn value_cuts(facts: &Facts) -> Result<(f64, f64), String> {
    let mut spend: Vec<f64> = (0..facts.n)
        .filter(|c| facts.order_count(*c) > 0)
        .map(|c| facts.spend(c))
        .collect();
    if spend.is_empty() {
        return Err("No customer has an order before the analysis date.".into());
    }
    Ok((cut(&mut spend, 0.8), cut(&mut spend, 0.5)))
}

/// The events of the last 90 days from which a user is heavy (the top 20%
/// of active users) and moderate (the next 30%).
fn usage_cuts(count: &[u32]) -> (f64, f64) {
    let mut active: Vec<f64> = count
        .iter()
        .filter(|x| **x > 0)
        .map(|x| f64::from(*x))
        .collect();
    (
        cut(&mut active, 0.8).max(1.0),
        cut(&mut active, 0.5).max(1.0),
    )
}

/// Per customer, the rows of a table dated in the `days` days before the
/// analysis date that `keep` accepts.
fn window_count(
    facts: &Facts,
    customer: &[u32],
    day: &dyn Fn(usize) -> Option<Day>,
    keep: &dyn Fn(usize) -> bool,
    days: Day,
) -> Vec<u32> {
    let mut v = vec![0u32; facts.n];
    for (i, c) in customer.iter().enumerate() {
        if let Some(d) = day(i)
            && d < facts.as_of
            && d >= facts.as_of - days
            && keep(i)
            && let Some(slot) = v.get_mut(*c as usize)
        {
            *slot += 1;
        }
    }
    v
}

/// The thresholds a tier scheme read from the data: frequency `[frequent
/// from]` (orders in 12 months), value `[high, medium]` (spend), usage
/// `[heavy, moderate]` (events in 90 days); none for the others.
pub fn tier_cuts(data: &Dataset, facts: &Facts, tier: Tier) -> Result<Vec<f64>, String> {
    Ok(match tier {
        Tier::Frequency => {
            let o = &data.orders;
            let recent = window_count(
                facts,
                &o.customer,
                &|i| Some(o.day[i]),
                &|i| o.amount[i] >= 0.0,
                365,
            );
            vec![f64::from(frequent_from(&recent))]
        }
        Tier::Value => {
            let (high, medium) = value_cuts(facts)?;
            vec![high, medium]
        }
        Tier::Usage => {
            let ev = data
                .events
                .as_ref()
                .ok_or("Add an events file to see usage intensity.")?;
            let c = window_count(
                facts,
                &ev.customer,
                &|i| Some(ev.time[i].div_euclid(86_400) as Day),
                &|_| true,
                90,
            );
            let (heavy, moderate) = usage_cuts(&c);
            vec![heavy, moderate]
        }
        _ => Vec::new(),
    })
}

fn tier(data: &Dataset, facts: &Facts, tier: Tier) -> Result<Groups, String> {
    let n = facts.n;
    let named = |v: Vec<(&str, Bitmap)>| -> Vec<(String, Bitmap)> {
        v.into_iter().map(|(a, b)| (a.to_string(), b)).collect()
    };
    match tier {
        Tier::Frequency => {
            let o = &data.orders;
            let recent = window_count(
                facts,
                &o.customer,
                &|i| Some(o.day[i]),
                &|i| o.amount[i] >= 0.0,
                365,
            );
            let frequent_from = frequent_from(&recent);
            Ok(Groups {
                groups: named(vec![
                    (
                        "Frequent buyers",
                        Bitmap::from_fn(n, |c| recent[c] >= frequent_from),
                    ),
                    (
                        "Occasional buyers",
                        Bitmap::from_fn(n, |c| recent[c] > 0 && recent[c] < frequent_from),
                    ),
                    (
                        "Inactive buyers",
                        Bitmap::from_fn(n, |c| recent[c] == 0 && facts.order_count(c) > 0),
                    ),
                ]),
                explanation: format!(
                    "Orders in the 12 months before the analysis date: frequent from {frequent_from} (the top quarter of active buyers), occasional below, inactive with none in 12 months but earlier orders."
                ),
            })
        }
        Tier::Value => {
            let (high, medium) = value_cuts(facts)?;
            Ok(Groups {
                groups: named(vec![
                    (
                        "High value",
                        Bitmap::from_fn(n, |c| facts.order_count(c) > 0 && facts.spend(c) >= high),
                    ),
                    (
                        "Medium value",
                        Bitmap::from_fn(n, |c| {
                            facts.order_count(c) > 0
                                && facts.spend(c) >= medium
                                && facts.spend(c) < high
                        }),
                    ),
                    (
                        "Low value",
                        Bitmap::from_fn(n, |c| facts.order_count(c) > 0 && facts.spend(c) < medium),
                    ),
                ]),
                explanation: format!(
                    "Spend to date: high from {high:.2} (the top 20% of buyers), medium from {medium:.2} (the next 30%), low below."
                ),
            })
        }
        Tier::Usage => {
            let ev = data
                .events
                .as_ref()
                .ok_or("Add an events file to see usage intensity.")?;
            let day = |i: usize| Some(ev.time[i].div_euclid(86_400) as Day);
            let count = window_count(facts, &ev.customer, &day, &|_| true, 90);
            let (heavy, moderate) = usage_cuts(&count);
            let c_of = |c: usize| f64::from(count[c]);
            Ok(Groups {
                groups: named(vec![
                    (
                        "Heavy users",
                        Bitmap::from_fn(n, |c| count[c] > 0 && c_of(c) >= heavy),
                    ),
                    (
                        "Moderate users",
                        Bitmap::from_fn(n, |c| {
                            count[c] > 0 && c_of(c) >= moderate && c_of(c) < heavy
                        }),
                    ),
                    (
                        "Light users",
                        Bitmap::from_fn(n, |c| count[c] > 0 && c_of(c) < moderate),
                    ),
                    ("No recent activity", Bitmap::from_fn(n, |c| count[c] == 0)),
                ]),
                explanation: format!(
                    "Events in the last 90 days: heavy from {heavy:.0} (the top 20% of active users), moderate from {moderate:.0} (the next 30%), light below."
                ),
            })
        }
        Tier::Engagement => {
            let e = data
                .email
                .as_ref()
                .ok_or("Add an e-mail results file to see e-mail engagement.")?;
            let opens90 = window_count(facts, &e.customer, &|i| e.day[i], &|i| e.opened[i], 90);
            let opens180 = window_count(facts, &e.customer, &|i| e.day[i], &|i| e.opened[i], 180);
            let received =
                window_count(facts, &e.customer, &|i| e.day[i], &|i| e.delivered[i], 180);
            Ok(Groups {
                groups: named(vec![
                    ("Engaged readers", Bitmap::from_fn(n, |c| opens90[c] > 0)),
                    ("Passive readers", Bitmap::from_fn(n, |c| opens90[c] == 0 && opens180[c] > 0)),
                    ("Dormant readers", Bitmap::from_fn(n, |c| opens180[c] == 0 && received[c] > 0)),
                ]),
                explanation: "Engaged: opened an e-mail in the last 90 days; passive: none in 90 days but one in the 90 before; dormant: received e-mails in the last 180 days and opened none.".into(),
            })
        }
        Tier::Loyalty => {
            if data.surveys.is_none() {
                return Err("Add survey answers (NPS) to see loyalty.".into());
            }
            let nps = |c: usize| facts.nps(c);
            Ok(Groups {
                groups: named(vec![
                    ("Promoters", Bitmap::from_fn(n, |c| nps(c).is_some_and(|x| x >= 9))),
                    ("Passives", Bitmap::from_fn(n, |c| nps(c).is_some_and(|x| (7..=8).contains(&x)))),
                    ("Detractors", Bitmap::from_fn(n, |c| nps(c).is_some_and(|x| x <= 6))),
                ]),
                explanation: "The latest NPS answer of each customer: promoters 9–10, passives 7–8, detractors 0–6.".into(),
            })
        }
        Tier::Journey => journey(data, facts, &journey_stage),
    }
}

/// Journey stages from the events of the last 30 days, with a mapping of
/// event names to stages.
fn journey(
    data: &Dataset,
    facts: &Facts,
    stage: &dyn Fn(&str) -> Option<u8>,
) -> Result<Groups, String> {
    let n = facts.n;
    let as_of = facts.as_of;
    let ev = data
        .events
        .as_ref()
        .ok_or("Add an events file to see journey stages.")?;
    let stage_of: Vec<Option<u8>> = ev.names.iter().map(|name| stage(name)).collect();
    let mut best = vec![None::<u8>; n];
    let (lo, hi) = (i64::from(as_of - 30) * 86_400, i64::from(as_of) * 86_400);
    for i in 0..ev.customer.len() {
        let c = ev.customer[i] as usize;
        if ev.time[i] >= lo
            && ev.time[i] < hi
            && c < n
            && let Some(s) = stage_of[ev.event[i] as usize]
        {
            best[c] = Some(best[c].map_or(s, |b| b.max(s)));
        }
    }
    let mapped: Vec<String> = ev
        .names
        .iter()
        .zip(&stage_of)
        .filter_map(|(name, s)| s.map(|s| format!("{name} → {}", JOURNEY[s as usize])))
        .collect();
    Ok(Groups {
        groups: (0..3)
            .map(|s| {
                (
                    JOURNEY[s as usize].to_string(),
                    Bitmap::from_fn(n, |c| best[c] == Some(s)),
                )
            })
            .collect(),
        explanation: format!(
            "The furthest stage each customer reached in the last 30 days ({}).",
            mapped.join(", ")
        ),
    })
}

/// The journey stages.
const JOURNEY: [&str; 3] = ["Awareness", "Consideration", "Decision"];

/// An event's stage in the user's own mapping (event names compared
/// ignoring case; events not listed stand for none).
pub fn mapped_stage(stages: &[(String, u8)], event: &str) -> Option<u8> {
    stages
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(event))
        .map(|(_, s)| *s)
        .filter(|s| *s < 3)
}

/// The journey stage of an event, from its name: visits and page views
/// build awareness, product views, searches, wish lists and carts are
/// consideration, checkouts and purchases decision.
pub fn journey_stage(event: &str) -> Option<u8> {
    let e = event.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| e.contains(w));
    if has(&["checkout", "purchase", "order", "payment", "pay"]) {
        Some(2)
    } else if has(&["product", "search", "cart", "basket", "wish", "compare"]) {
        Some(1)
    } else if has(&[
        "page", "view", "visit", "session", "open", "click", "landing",
    ]) {
        Some(0)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Orders;

    fn data() -> Dataset {
        let mut rows = Vec::new();
        // c0..c9: c orders each in the last year, spend 10 per order.
        for c in 0..10 {
            for k in 0..c {
                rows.push((format!("c{c}"), 900 + k * 5, 10.0));
            }
        }
        rows.push(("old".into(), 100, 500.0));
        let mut d = Dataset::from_orders(Orders::from_rows(&rows));
        let mut csv = String::from("customer_id,city,age,interests\n");
        for c in 0..10 {
            let city = ["Lyon", "Paris", "Lyon", "Nice", "lyon"][c % 5];
            csv.push_str(&format!(
                "c{c},{city},{},\"DIY;{}\"\n",
                20 + 5 * c,
                if c % 2 == 0 { "Garden" } else { "Books" }
            ));
        }
        csv.push_str("p,,,\n");
        d.add_source("c.csv", csv.as_bytes()).unwrap();
        d.add_source("s.csv", b"customer_id,nps\nc1,10\nc2,8\nc3,3\n")
            .unwrap();
        d
    }

    fn names_counts(g: &Groups) -> Vec<(String, u64)> {
        g.groups
            .iter()
            .map(|(n, b)| (n.clone(), b.count()))
            .collect()
    }

    #[test]
    fn text_values_ignore_case_and_lists_overlap() {
        let d = data();
        let f = Facts::new(&d, 1000);
        let g = split(
            &d,
            &f,
            &Split::Attribute {
                column: "city".into(),
                edges: None,
            },
        )
        .unwrap();
        assert_eq!(
            names_counts(&g),
            vec![
                ("city = Lyon".into(), 6),
                ("city = Nice".into(), 2),
                ("city = Paris".into(), 2),
                ("city unknown".into(), 2)
            ]
        );
        let g = split(
            &d,
            &f,
            &Split::Attribute {
                column: "interests".into(),
                edges: None,
            },
        )
        .unwrap();
        assert_eq!(
            names_counts(&g),
            vec![
                ("interests = DIY".into(), 10),
                ("interests = Books".into(), 5),
                ("interests = Garden".into(), 5),
                ("interests unknown".into(), 2)
            ]
        );
        assert!(g.explanation.contains("overlap"));
    }

    #[test]
    fn numbers_in_quartiles_or_given_bands() {
        let d = data();
        let f = Facts::new(&d, 1000);
        // Ages 20, 25, ..., 65: quartiles (type 7) 31.25, 42.5, 53.75,
        // rounded 31, 43 (42.5 rounds away from zero), 54.
        let g = split(
            &d,
            &f,
            &Split::Attribute {
                column: "age".into(),
                edges: None,
            },
        )
        .unwrap();
        assert_eq!(
            names_counts(&g),
            vec![
                ("age under 31".into(), 3),
                ("age 31 to under 43".into(), 2),
                ("age 43 to under 54".into(), 2),
                ("age 54 and over".into(), 3),
                ("age unknown".into(), 2)
            ]
        );
        let g = split(
            &d,
            &f,
            &Split::Attribute {
                column: "age".into(),
                edges: Some(vec![35.0, 50.0]),
            },
        )
        .unwrap();
        assert_eq!(
            names_counts(&g)[..3].to_vec(),
            vec![
                ("age under 35".into(), 3),
                ("age 35 to under 50".into(), 3),
                ("age 50 and over".into(), 4)
            ]
        );
    }

    #[test]
    fn tiers_by_hand() {
        let d = data();
        let f = Facts::new(&d, 1000);
        // Active buyers c1..c9 with 1..9 orders in the year: p75 of 1..9
        // is 7, so frequent from 7 (c7, c8, c9); "old" is inactive.
        let g = split(&d, &f, &Split::Tier(Tier::Frequency)).unwrap();
        assert_eq!(
            names_counts(&g),
            vec![
                ("Frequent buyers".into(), 3),
                ("Occasional buyers".into(), 6),
                ("Inactive buyers".into(), 1)
            ]
        );
        // Spend 10..90 and 500: p80 of [10..90, 500] = 82 → c9 and old;
        // p50 = 55 → c6, c7, c8 medium.
        let g = split(&d, &f, &Split::Tier(Tier::Value)).unwrap();
        assert_eq!(
            names_counts(&g),
            vec![
                ("High value".into(), 2),
                ("Medium value".into(), 3),
                ("Low value".into(), 5)
            ]
        );
        let g = split(&d, &f, &Split::Tier(Tier::Loyalty)).unwrap();
        assert_eq!(
            names_counts(&g),
            vec![
                ("Promoters".into(), 1),
                ("Passives".into(), 1),
                ("Detractors".into(), 1)
            ]
        );
        assert!(
            split(&d, &f, &Split::Tier(Tier::Usage))
                .unwrap_err()
                .contains("events file")
        );
        assert_eq!(journey_stage("begin_checkout"), Some(2));
        assert_eq!(journey_stage("add_to_cart"), Some(1));
        assert_eq!(journey_stage("page_view"), Some(0));
        assert_eq!(journey_stage("unsubscribe"), None);
    }

    #[test]
    fn journey_stages_by_default_or_with_the_users_mapping() {
        let mut d = Dataset::from_orders(Orders::from_rows(&[("a".into(), 100, 5.0)]));
        d.add_source(
            "e.csv",
            b"customer_id,timestamp,event\n\
              a,1970-04-01T10:00:00Z,page_view\n\
              a,1970-04-02T10:00:00Z,add_to_cart\n\
              b,1970-04-03T10:00:00Z,page_view\n\
              c,1970-04-04T10:00:00Z,signup\n\
              c,1970-01-01T10:00:00Z,purchase\n",
        )
        .unwrap();
        // 1970-04-10 is day 99: the last 30 days start on 1970-03-11, so
        // c's purchase of 1 January is too old.
        let f = Facts::new(&d, 99);
        let key = |g: &Groups| {
            g.groups
                .iter()
                .map(|(n, b)| {
                    (
                        n.clone(),
                        b.iter()
                            .map(|c| d.orders.customer_keys[c].clone())
                            .collect::<Vec<_>>(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let by_default = split(&d, &f, &Split::Tier(Tier::Journey)).unwrap();
        assert_eq!(
            key(&by_default),
            vec![
                ("Awareness".to_string(), vec!["b".to_string()]),
                ("Consideration".to_string(), vec!["a".to_string()]),
                ("Decision".to_string(), vec![]),
            ]
        );
        let mine = split(
            &d,
            &f,
            &Split::Journey {
                stages: vec![("SIGNUP".into(), 2), ("page_view".into(), 1)],
            },
        )
        .unwrap();
        assert_eq!(
            key(&mine),
            vec![
                ("Awareness".to_string(), vec![]),
                (
                    "Consideration".to_string(),
                    vec!["a".to_string(), "b".to_string()]
                ),
                ("Decision".to_string(), vec!["c".to_string()]),
            ]
        );
        assert!(mine.explanation.contains("signup → Decision"));
    }

    #[test]
    fn churn_risk_and_predicted_value_from_the_predictions() {
        let d = data();
        let without = Facts::new(&d, 1000);
        let risk = Split::ChurnRisk {
            medium_from: 0.3,
            low_from: 0.7,
        };
        assert!(
            split(&d, &without, &risk)
                .unwrap_err()
                .contains("could not be fitted")
        );
        let p = |customer: u32, frequency: f64, p_alive: f64, clv: f64| {
            crate::models::clv::CustomerPrediction {
                customer,
                frequency,
                p_alive,
                expected_purchases: 0.0,
                expected_spend: 0.0,
                clv,
                ..Default::default()
            }
        };
        // Customer indices follow the orders: c1..c9 are 0..8, "old" 9.
        let preds = vec![
            p(0, 0.0, 1.0, 5.0),
            p(1, 2.0, 0.1, 10.0),
            p(2, 3.0, 0.5, 20.0),
            p(3, 4.0, 0.69, 30.0),
            p(4, 5.0, 0.7, 40.0),
        ];
        let facts = Facts::new(&d, 1000).with_predictions(&preds);
        let g = split(&d, &facts, &risk).unwrap();
        assert_eq!(
            names_counts(&g),
            vec![
                ("High churn risk".into(), 1),
                ("Medium churn risk".into(), 2),
                ("Low churn risk".into(), 1),
                ("One-time buyers (not judged)".into(), 1)
            ]
        );
        // Values 5..40: p80 = 1 + 4 × 0.8 → 30 + 0.2 × 10 = 32; p50 = 20.
        let g = split(&d, &facts, &Split::PredictedValue).unwrap();
        assert_eq!(
            names_counts(&g),
            vec![
                ("High predicted value".into(), 1),
                ("Medium predicted value".into(), 2),
                ("Low predicted value".into(), 2)
            ]
        );
    }
}
