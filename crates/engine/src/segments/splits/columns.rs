//! Groups of a column of the customers file: one per frequent value (the
//! rest as "Other"), per item of a list, or per numeric band.

use crate::model::message::{Message, Value};

use super::*;

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
    /// Each group's name as a message (its bands' edges as numbers), in
    /// the order of `groups`: what a front end shows for the name.
    pub labels: Vec<Message>,
    /// How the groups were made, as a message.
    pub explanation: Message,
}

/// Decides the groups of a column split: numeric bands (quartiles or the
/// given edges) or the most frequent values with the rest together.
pub fn column_split(
    data: &Dataset,
    facts: &Facts,
    column: &str,
    edges: Option<&[f64]>,
) -> Result<ColumnSplit, Message> {
    let table = data.customers.as_ref().ok_or_else(|| {
        Message::new("engine.add_a_customers_file_to_split_customers_by_its_columns")
    })?;
    let col = table
        .attribute_names
        .iter()
        .position(|c| c.eq_ignore_ascii_case(column))
        .ok_or_else(|| Message::new("engine.with.split_no_column").with("column", column))?;
    let n = facts.n;
    let rows = table.row_of(n);
    let value = |c: usize| {
        rows[c]
            .map(|r| table.attributes[r][col].trim())
            .filter(|v| !v.is_empty())
    };
    let values: Vec<&str> = (0..n).filter_map(value).collect();
    if values.is_empty() {
        return Err(Message::new("engine.with.split_empty_column").with("column", column));
    }
    let sample: Vec<&str> = values.iter().take(2_000).copied().collect();
    let decimal = detect_decimal(&sample);
    let numbers: Vec<f64> = values
        .iter()
        .filter_map(|v| parse_amount(v, decimal))
        .collect();
    let mut out = Vec::new();
    let mut labels = Vec::new();
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
        // An edge as a message's number, with the decimals it is written with.
        let edge = |x: f64| {
            let places = fmt(x).split_once('.').map_or(0, |(_, d)| d.len());
            Value::Number(x, places as u8)
        };
        for b in 0..=cuts.len() {
            let lo = if b == 0 { None } else { Some(cuts[b - 1]) };
            let hi = cuts.get(b).copied();
            let (name, label) = match (lo, hi) {
                (None, Some(h)) => (
                    format!("{column} under {}", fmt(h)),
                    Message::new("engine.group.under").with("to", edge(h)),
                ),
                (Some(l), Some(h)) => (
                    format!("{column} {} to under {}", fmt(l), fmt(h)),
                    Message::new("engine.group.between")
                        .with("from", edge(l))
                        .with("to", edge(h)),
                ),
                (Some(l), None) => (
                    format!("{column} {} and over", fmt(l)),
                    Message::new("engine.group.and_over").with("from", edge(l)),
                ),
                (None, None) => (column.to_string(), Message::new("engine.group.all")),
            };
            out.push((name, GroupTest::Band { lo, hi }));
            labels.push(label.with("column", column));
        }
        if any_unknown {
            out.push((format!("{column} unknown"), GroupTest::Unknown));
            labels.push(Message::new("engine.group.unknown").with("column", column));
        }
        let how = Message::new(if edges.is_some() {
            "engine.the_bands_you_set"
        } else {
            "engine.quartiles_about_a_quarter_of_the_customers_with_a_value_in_each_band"
        });
        return Ok(ColumnSplit {
            column: col,
            decimal,
            is_list: false,
            groups: out,
            labels,
            explanation: Message::new("engine.with.by_column")
                .with("column", column)
                .with("how", how),
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
        labels.push(
            Message::new("engine.group.value")
                .with("column", column)
                .with("value", original),
        );
    }
    if ranked.len() > TOP_VALUES {
        out.push((
            format!("{column}: other values"),
            GroupTest::Other(kept.iter().map(|k| k.0.clone()).collect()),
        ));
        labels.push(Message::new("engine.group.other_values").with("column", column));
    }
    if any_unknown {
        out.push((format!("{column} unknown"), GroupTest::Unknown));
        labels.push(Message::new("engine.group.unknown").with("column", column));
    }
    Ok(ColumnSplit {
        column: col,
        decimal,
        is_list,
        groups: out,
        labels,
        explanation: if is_list {
            Message::new("engine.with.by_list_column").with("column", column)
        } else {
            Message::new("engine.with.by_value_column")
                .with("column", column)
                .with("n", kept.len())
        },
    })
}

/// The items of a value: its trimmed, non-empty `;` parts for lists, the
/// value itself otherwise.
pub(super) fn items(v: &str, is_list: bool) -> Vec<&str> {
    if is_list {
        v.split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        vec![v]
    }
}

pub(super) fn attribute(
    data: &Dataset,
    facts: &Facts,
    column: &str,
    edges: Option<&[f64]>,
) -> Result<Groups, Message> {
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
    let labels = split
        .groups
        .iter()
        .map(|(name, _)| name.clone())
        .zip(split.labels)
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
        labels,
        groups,
        explanation: split.explanation,
    })
}
