//! Segment members as files that e-mail tools import: plain CSV, or the
//! column names Mailchimp, Klaviyo, HubSpot and Brevo expect (e-mail
//! first). Cells that a spreadsheet would run as a formula are neutralised.

pub mod segment_sql;
pub mod sql;
pub mod xlsx;

mod layout;
mod members;

pub use layout::*;
pub use members::*;

use serde::{Deserialize, Serialize};

use crate::import::dataset::Dataset;
use crate::import::orders::NO_CATEGORY;
use crate::model::bitmap::Bitmap;
use crate::model::date::Day;
use crate::models::clv::CustomerPrediction;
use crate::segments::rfm::{RfmResult, RfmRow};

/// Keeps a spreadsheet from running a cell as a formula: a cell starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`,
/// unless it is a number or a phone number (`-12.50`, `+33 6 12 34 56
/// 78`, `+1 (555) 010-9999`): a sign, then only digits, spaces and `.,()/-`,
/// which can name no function and no cell, so it stays as written.
pub(crate) fn neutralise(cell: &str) -> String {
    let plain_number = |rest: &str| {
        rest.starts_with(|c: char| c.is_ascii_digit())
            && rest.chars().all(|c| {
                c.is_ascii_digit()
                    || matches!(
                        c,
                        ' ' | '\u{a0}' | '\u{202f}' | '.' | ',' | '(' | ')' | '/' | '-'
                    )
            })
    };
    match cell.chars().next() {
        Some('+' | '-') if plain_number(&cell[1..]) => cell.to_string(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

fn quote(cell: &str, delimiter: char) -> String {
    let cell = neutralise(cell);
    if cell.contains([delimiter, '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

/// How to write an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportOptions {
    /// The columns' layout.
    pub layout: Layout,
    /// The CSV delimiter.
    pub delimiter: char,
    /// An Excel workbook instead of CSV.
    pub xlsx: bool,
    /// For the plain layout, the columns wanted, in order (any the data
    /// can give); all of the default ones when empty.
    pub columns: Vec<String>,
    /// A control group to hold out of the file, when wanted.
    #[serde(default)]
    pub holdout: Option<Holdout>,
    /// Writes the customers who did not agree to marketing too (see
    /// [`without_consent`]); they are left out otherwise.
    #[serde(default)]
    pub include_without_consent: bool,
}

/// Customers-file columns that say whether the customer agreed to
/// marketing (yes: agreed), by their normalised names.
const CONSENT: &[&str] = &[
    "accepts_marketing",
    "accepts_email_marketing",
    "email_marketing_consent",
    "marketing_consent",
    "consent",
    "opt_in",
    "optin",
    "email_opt_in",
    "marketing_opt_in",
    "newsletter",
    "newsletter_opt_in",
    "subscribed",
    "accepte_marketing",
    "optin_email",
    "abonne_newsletter",
    "inscrit_newsletter",
    "consentement",
];

/// Customers-file columns that say the customer refused (yes: refused).
const OPT_OUT: &[&str] = &[
    "unsubscribed",
    "opted_out",
    "opt_out",
    "email_opt_out",
    "do_not_email",
    "do_not_contact",
    "desabonne",
    "desinscrit",
    "ne_pas_contacter",
];

/// Each customer who may not be sent marketing: the customers file says
/// they did not agree (a consent column reading no) or refused (an
/// opt-out column reading yes), or the e-mail results say they
/// unsubscribed. An empty or unreadable cell says nothing.
pub fn without_consent(data: &Dataset) -> Vec<bool> {
    let n = data.orders.customer_keys.len();
    let mut out = vec![false; n];
    if let Some(t) = &data.customers {
        let columns: Vec<(usize, bool)> = t
            .attribute_names
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let key = crate::import::roles::normalise(name);
                if CONSENT.contains(&key.as_str()) {
                    Some((i, true))
                } else if OPT_OUT.contains(&key.as_str()) {
                    Some((i, false))
                } else {
                    None
                }
            })
            .collect();
        for (row, &c) in t.customer.iter().enumerate() {
            for &(i, agrees_when_yes) in &columns {
                let cell = t.attributes[row].get(i).map_or("", String::as_str);
                if crate::import::sources::parse_flag(cell) == Some(!agrees_when_yes) {
                    out[c as usize] = true;
                }
            }
        }
    }
    if let Some(e) = &data.email {
        for (&c, &u) in e.customer.iter().zip(&e.unsubscribed) {
            if u {
                out[c as usize] = true;
            }
        }
    }
    out
}

/// A random share of the customers an export would write, held out of it
/// as a control group: drawn with a seed, so the same members and seed
/// give the same group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Holdout {
    /// The share held out, above 0 and below 1.
    pub share: f64,
    /// The draw's seed.
    pub seed: u64,
}

impl Holdout {
    /// Which of `n` customers are held out: exactly `share × n` of them
    /// (rounded), drawn by a seeded shuffle.
    pub fn draw(&self, n: usize) -> Vec<bool> {
        let k = ((self.share.clamp(0.0, 1.0) * n as f64).round() as usize).min(n);
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = crate::model::rng::Rng(self.seed);
        // Fisher–Yates, the first k drawn.
        for i in 0..k {
            let j = i + rng.below(n - i);
            order.swap(i, j);
        }
        let mut out = vec![false; n];
        for &i in &order[..k] {
            out[i] = true;
        }
        out
    }
}

impl ExportOptions {
    /// CSV in a layout, every default column.
    pub fn csv(layout: Layout, delimiter: char) -> ExportOptions {
        ExportOptions {
            layout,
            delimiter,
            xlsx: false,
            columns: Vec::new(),
            holdout: None,
            include_without_consent: false,
        }
    }
}

/// The columns of the models' predictions a plain export can hold: the
/// chance of still being a customer, of ordering within 7 and within 30
/// days (in %), the likely date of the next order and the predicted value.
pub(crate) const PREDICTION_COLUMNS: [&str; 5] = [
    "chance_active",
    "order_within_7_days",
    "order_within_30_days",
    "next_order_date",
    "predicted_value",
];

/// The predictions an export can write, made at `as_of`.
#[derive(Debug, Clone, Copy)]
pub struct Predicted<'a> {
    /// One line per customer with a prediction.
    pub customers: &'a [CustomerPrediction],
    /// The analysis date the waits count from.
    pub as_of: Day,
}

/// SegLens's own columns a plain export can hold: the usual ones, the
/// last ordered category when the orders have categories, the predictions'
/// when there are.
pub fn own_columns(categories: bool, predictions: bool) -> Vec<&'static str> {
    let mut out = Layout::Plain.header().to_vec();
    if categories {
        out.push(Layout::Plain.last_category_column());
    }
    if predictions {
        out.extend(PREDICTION_COLUMNS);
    }
    out
}

/// The columns a plain export can hold: SegLens's own ([`own_columns`]),
/// then the customers file's other columns.
pub(crate) fn columns_available(data: &Dataset, predictions: bool) -> Vec<String> {
    let mut out: Vec<String> = own_columns(!data.orders.categories.is_empty(), predictions)
        .into_iter()
        .map(str::to_string)
        .collect();
    if let Some(t) = &data.customers {
        for name in &t.attribute_names {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(name)) {
                out.push(name.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
