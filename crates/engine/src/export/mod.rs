//! Segment members as files that e-mail tools import: plain CSV, or the
//! column names Mailchimp, Klaviyo, HubSpot and Brevo expect (e-mail
//! first). Cells that a spreadsheet would run as a formula are neutralised.

pub mod segment_sql;
pub mod sql;
pub mod xlsx;

use serde::{Deserialize, Serialize};

use crate::import::dataset::Dataset;
use crate::import::orders::NO_CATEGORY;
use crate::model::bitmap::Bitmap;
use crate::model::date::Day;
use crate::models::clv::CustomerPrediction;
use crate::segments::rfm::{RfmResult, RfmRow};

/// The column layout of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// Every field SegLens has: id, contact details, segment, R/F/M.
    Plain,
    /// Mailchimp: Email Address, First Name, Last Name, Tags.
    Mailchimp,
    /// Klaviyo: Email, First Name, Last Name, Segment.
    Klaviyo,
    /// HubSpot: Email, First Name, Last Name, Segment.
    HubSpot,
    /// Brevo: EMAIL, FIRSTNAME, LASTNAME, SEGMENT.
    Brevo,
    /// A Meta (Facebook, Instagram) custom audience: `email`, each address
    /// trimmed, lower-cased and SHA-256-hashed.
    MetaAudience,
    /// A Google Ads Customer Match list: `Email`, each address trimmed,
    /// lower-cased (Gmail's dots before the `@` removed) and
    /// SHA-256-hashed.
    GoogleAdsAudience,
}

impl Layout {
    /// Every layout, for pickers.
    pub const ALL: [Layout; 7] = [
        Layout::Plain,
        Layout::Mailchimp,
        Layout::Klaviyo,
        Layout::HubSpot,
        Layout::Brevo,
        Layout::MetaAudience,
        Layout::GoogleAdsAudience,
    ];

    /// The layouts whose tools send e-mail, with merge tags.
    pub const EMAIL_TOOLS: [Layout; 5] = [
        Layout::Plain,
        Layout::Mailchimp,
        Layout::Klaviyo,
        Layout::HubSpot,
        Layout::Brevo,
    ];

    /// True for an advertising audience: hashed addresses only.
    pub fn is_audience(self) -> bool {
        matches!(self, Layout::MetaAudience | Layout::GoogleAdsAudience)
    }

    /// The layout's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Layout::Plain => "SegLens (choose the columns)",
            Layout::Mailchimp => "Mailchimp",
            Layout::Klaviyo => "Klaviyo",
            Layout::HubSpot => "HubSpot",
            Layout::Brevo => "Brevo",
            Layout::MetaAudience => "Meta audience (hashed e-mails)",
            Layout::GoogleAdsAudience => "Google Ads Customer Match (hashed e-mails)",
        }
    }

    /// The column names of the layout.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            Layout::Plain => &[
                "customer_id",
                "email",
                "first_name",
                "last_name",
                "segment",
                "recency_days",
                "frequency",
                "monetary",
                "r",
                "f",
                "m",
            ],
            Layout::Mailchimp => &["Email Address", "First Name", "Last Name", "Tags"],
            Layout::Klaviyo | Layout::HubSpot => &["Email", "First Name", "Last Name", "Segment"],
            Layout::Brevo => &["EMAIL", "FIRSTNAME", "LASTNAME", "SEGMENT"],
            Layout::MetaAudience => &["email"],
            Layout::GoogleAdsAudience => &["Email"],
        }
    }

    /// The column names of an e-mail tool's layout: its header, with the
    /// customer's last ordered category before the segment when the orders
    /// have categories (the column the drafts' `{last_category}` reads).
    pub fn columns(self, categories: bool) -> Vec<&'static str> {
        let mut out = self.header().to_vec();
        if categories && self != Layout::Plain && !self.is_audience() {
            out.insert(out.len() - 1, self.last_category_column());
        }
        out
    }

    /// The name of the last ordered category's column in the tool's file,
    /// which the tool turns into the field its merge tag reads.
    pub fn last_category_column(self) -> &'static str {
        match self {
            Layout::Plain | Layout::MetaAudience | Layout::GoogleAdsAudience => "last_category",
            Layout::Brevo => "LAST_CATEGORY",
            Layout::Mailchimp | Layout::Klaviyo | Layout::HubSpot => "Last Category",
        }
    }

    /// How the tool writes a field of the contact in a message: the drafts'
    /// `{first_name}` and `{last_category}` in its merge-tag syntax (they
    /// stay as they are for the plain layout).
    pub fn merge_tag(self, field: MergeField) -> &'static str {
        use MergeField::{FirstName, LastCategory};
        match (self, field) {
            (Layout::Plain | Layout::MetaAudience | Layout::GoogleAdsAudience, FirstName) => {
                "{first_name}"
            }
            (Layout::Plain | Layout::MetaAudience | Layout::GoogleAdsAudience, LastCategory) => {
                "{last_category}"
            }
            (Layout::Mailchimp, FirstName) => "*|FNAME|*",
            (Layout::Mailchimp, LastCategory) => "*|LASTCAT|*",
            (Layout::Klaviyo, FirstName) => "{{ first_name|default:'' }}",
            (Layout::Klaviyo, LastCategory) => "{{ person|lookup:'Last Category'|default:'' }}",
            (Layout::HubSpot, FirstName) => "{{ contact.firstname }}",
            (Layout::HubSpot, LastCategory) => "{{ contact.last_category }}",
            (Layout::Brevo, FirstName) => "{{ contact.FIRSTNAME }}",
            (Layout::Brevo, LastCategory) => "{{ contact.LAST_CATEGORY }}",
        }
    }

    /// `text` with the drafts' placeholders in the tool's merge tags.
    pub fn with_merge_tags(self, text: &str) -> String {
        MergeField::ALL.iter().fold(text.to_string(), |out, f| {
            out.replace(Layout::Plain.merge_tag(*f), self.merge_tag(*f))
        })
    }
}

/// A contact's field that message drafts use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeField {
    /// The first name.
    FirstName,
    /// The category of the last order.
    LastCategory,
}

impl MergeField {
    /// Every field, in the order drafts are rewritten.
    pub const ALL: [MergeField; 2] = [MergeField::FirstName, MergeField::LastCategory];
}

/// An e-mail address as an advertising platform matches it: trimmed and
/// lower-cased; for Google, the dots before the `@` of a gmail.com or
/// googlemail.com address removed (as Google's formatting guidelines ask).
pub fn normalised_email(email: &str, layout: Layout) -> String {
    let lower = email.trim().to_lowercase();
    if layout == Layout::GoogleAdsAudience
        && let Some((local, domain)) = lower.split_once('@')
        && matches!(domain, "gmail.com" | "googlemail.com")
    {
        return format!("{}@{domain}", local.replace('.', ""));
    }
    lower
}

/// The SHA-256 digest of `text`'s UTF-8 bytes, in lower-case hexadecimal.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Keeps a spreadsheet from running a cell as a formula: a cell starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`,
/// unless it is a number or a phone number (`-12.50`, `+33 6 12 34 56
/// 78`, `+1 (555) 010-9999`): a sign, then only digits, spaces and `.,()/-`,
/// which can name no function and no cell, so it stays as written.
pub fn neutralise(cell: &str) -> String {
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
    /// For the plain layout, the columns wanted, in order (any of
    /// [`columns_available`]); all of the default ones when empty.
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
pub const PREDICTION_COLUMNS: [&str; 5] = [
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
pub fn columns_available(data: &Dataset, predictions: bool) -> Vec<String> {
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

/// An export ready to download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    /// The file's bytes: CSV in UTF-8 with a byte-order mark (for Excel), or
    /// an Excel workbook.
    pub bytes: Vec<u8>,
    /// Customers written.
    pub rows: u64,
    /// Customers left out because the layout needs an e-mail address and
    /// they have none.
    pub without_email: u64,
    /// Customers held out as a control group (not in the file).
    #[serde(default)]
    pub held_out: u64,
    /// Customers left out because they did not agree to marketing or
    /// unsubscribed ([`without_consent`]).
    #[serde(default)]
    pub without_consent: u64,
    /// With a control group: every customer the file could hold, by key,
    /// and whether they were held out (the campaign's audience, kept in the
    /// project to measure it later).
    #[serde(default)]
    pub audience: Vec<(String, bool)>,
}

/// Writes the members of the chosen segments (indices into the result's
/// segment names), with a segment column.
pub fn members(
    data: &Dataset,
    result: &RfmResult,
    segments: &[usize],
    options: &ExportOptions,
) -> Export {
    members_steps(data, result, segments, options, None, &mut |_, _| {})
}

/// [`members`], with the predictions' columns when given, telling
/// `on_step` the customers written so far and in all as it goes.
pub fn members_steps(
    data: &Dataset,
    result: &RfmResult,
    segments: &[usize],
    options: &ExportOptions,
    predicted: Option<Predicted<'_>>,
    on_step: &mut dyn FnMut(usize, usize),
) -> Export {
    let in_segments = |segment: u16| segments.contains(&usize::from(segment));
    let total = result
        .rows
        .iter()
        .filter(|r| in_segments(r.segment))
        .count();
    let picked = result
        .rows
        .iter()
        .filter(|row| in_segments(row.segment))
        .map(|row| {
            (
                row.values.customer as usize,
                result.segment_names[row.segment as usize].clone(),
                Some(row),
            )
        });
    write(
        data,
        picked,
        total,
        result.as_of,
        options,
        predicted,
        on_step,
    )
}

/// Writes the members of saved segments (prospects included), once each,
/// with the names of the given segments they are in in the segment column
/// and, for customers with orders, their RFM values from `result`.
pub fn set_members(
    data: &Dataset,
    result: &RfmResult,
    sets: &[(String, Bitmap)],
    options: &ExportOptions,
) -> Export {
    set_members_steps(data, result, sets, options, None, &mut |_, _| {})
}

/// [`set_members`], with the predictions' columns when given, telling
/// `on_step` the customers written so far and in all as it goes.
pub fn set_members_steps(
    data: &Dataset,
    result: &RfmResult,
    sets: &[(String, Bitmap)],
    options: &ExportOptions,
    predicted: Option<Predicted<'_>>,
    on_step: &mut dyn FnMut(usize, usize),
) -> Export {
    let n = data.orders.customer_keys.len();
    let mut row_of = vec![None; n];
    for row in &result.rows {
        row_of[row.values.customer as usize] = Some(row);
    }
    let mut union = Bitmap::empty(n);
    for (_, set) in sets {
        union.or(set);
    }
    write(
        data,
        union.iter().map(|c| {
            let names: Vec<&str> = sets
                .iter()
                .filter(|(_, s)| s.contains(c))
                .map(|(name, _)| name.as_str())
                .collect();
            (c, names.join(", "), row_of.get(c).copied().flatten())
        }),
        union.count() as usize,
        result.as_of,
        options,
        predicted,
        on_step,
    )
}

/// Each customer's last ordered category before `as_of` (the latest
/// day's, the later row on a tie; refunds and rows without a category
/// aside), [`NO_CATEGORY`] for none.
fn last_categories(orders: &crate::Orders, as_of: Day) -> Vec<u32> {
    let mut out = vec![(Day::MIN, NO_CATEGORY); orders.customer_keys.len()];
    for i in 0..orders.len() {
        let (day, category) = (orders.day[i], orders.category[i]);
        let slot = &mut out[orders.customer[i] as usize];
        if day < as_of && orders.amount[i] >= 0.0 && category != NO_CATEGORY && day >= slot.0 {
            *slot = (day, category);
        }
    }
    out.into_iter().map(|(_, k)| k).collect()
}

/// The likely date of the next order, `days` after `as_of`; empty when it
/// is more than ten years away (the models see no likely next order).
fn next_order_date(as_of: Day, days: u32) -> String {
    match Day::try_from(days) {
        Ok(d) if d <= 3653 => crate::model::date::format_iso(as_of + d),
        _ => String::new(),
    }
}

/// Steps told while writing: about one every 2% of the customers.
const STEPS: usize = 50;

fn write<'a>(
    data: &Dataset,
    picked: impl Iterator<Item = (usize, String, Option<&'a RfmRow>)>,
    total: usize,
    as_of: Day,
    options: &ExportOptions,
    predicted: Option<Predicted<'_>>,
    on_step: &mut dyn FnMut(usize, usize),
) -> Export {
    let every = total.div_ceil(STEPS).max(1);
    let layout = options.layout;
    let n = data.orders.customer_keys.len();
    let contact = data.customers.as_ref().map(|c| (c, c.row_of(n)));
    let categories = !data.orders.categories.is_empty();
    let available = columns_available(data, predicted.is_some());
    let defaults = Layout::Plain.header().len();
    let own = own_columns(categories, predicted.is_some()).len();
    let last_category = if categories {
        last_categories(&data.orders, as_of)
    } else {
        Vec::new()
    };
    let category_of = |c: usize| match last_category[c] {
        NO_CATEGORY => String::new(),
        k => data.orders.categories[k as usize].clone(),
    };
    let mut prediction_of: Vec<Option<&CustomerPrediction>> = vec![None; n];
    for c in predicted.iter().flat_map(|p| p.customers) {
        if let Some(slot) = prediction_of.get_mut(c.customer as usize) {
            *slot = Some(c);
        }
    }
    // The chosen columns as indices into `available`.
    let chosen: Vec<usize> = if layout == Layout::Plain && !options.columns.is_empty() {
        options
            .columns
            .iter()
            .filter_map(|c| available.iter().position(|a| a.eq_ignore_ascii_case(c)))
            .collect()
    } else {
        (0..defaults).collect()
    };
    let header: Vec<String> = if layout == Layout::Plain {
        chosen.iter().map(|i| available[*i].clone()).collect()
    } else {
        layout
            .columns(categories)
            .iter()
            .map(|h| h.to_string())
            .collect()
    };
    let attribute_at: Vec<Option<usize>> = available[own..]
        .iter()
        .map(|name| {
            contact
                .as_ref()
                .and_then(|(t, _)| t.attribute_names.iter().position(|a| a == name))
        })
        .collect();
    let mut table: Vec<Vec<String>> = Vec::new();
    let (mut rows, mut without_email) = (0, 0);
    // Who can be written (an e-mail tool's layout needs an address), and
    // of them who is held out.
    let contact_of = |c: usize| {
        let key = &data.orders.customer_keys[c];
        let at = contact.as_ref().and_then(|(_, at)| at[c]);
        let (mut email, first, last) = match (&contact, at) {
            (Some((t, _)), Some(i)) => (
                t.email[i].clone(),
                t.first_name[i].clone(),
                t.last_name[i].clone(),
            ),
            _ => (String::new(), String::new(), String::new()),
        };
        if email.is_empty() && key.contains('@') {
            email = key.clone();
        }
        (at, email, first, last)
    };
    // Whether `contact_of(c)` would give an address, without copying it.
    let addressable = |c: usize| {
        let listed = contact
            .as_ref()
            .and_then(|(t, at)| at[c].map(|i| !t.email[i].is_empty()));
        listed == Some(true) || data.orders.customer_keys[c].contains('@')
    };
    let picked: Vec<(usize, String, Option<&RfmRow>)> = picked.collect();
    let has_address: Vec<bool> = picked
        .iter()
        .map(|(c, _, _)| layout == Layout::Plain || addressable(*c))
        .collect();
    let refused = if options.include_without_consent {
        vec![false; n]
    } else {
        without_consent(data)
    };
    let writable: Vec<bool> = picked
        .iter()
        .zip(&has_address)
        .map(|((c, _, _), a)| *a && !refused[*c])
        .collect();
    let mut not_consenting = 0;
    let held: Vec<bool> = match options.holdout {
        None => vec![false; picked.len()],
        Some(h) => {
            let mut drawn = h.draw(writable.iter().filter(|w| **w).count()).into_iter();
            writable
                .iter()
                .map(|w| *w && drawn.next().unwrap_or(false))
                .collect()
        }
    };
    let audience: Vec<(String, bool)> = match options.holdout {
        None => Vec::new(),
        Some(_) => picked
            .iter()
            .zip(&writable)
            .zip(&held)
            .filter(|((_, w), _)| **w)
            .map(|(((c, _, _), _), h)| (data.orders.customer_keys[*c].clone(), *h))
            .collect(),
    };
    let held_out = held.iter().filter(|h| **h).count() as u64;
    let mut hashed_seen = std::collections::HashSet::new();
    for (i, (c, segment, row)) in picked.into_iter().enumerate() {
        if i % every == 0 {
            on_step(i, total);
        }
        let key = &data.orders.customer_keys[c];
        if !has_address[i] {
            without_email += 1;
            continue;
        }
        if !writable[i] {
            not_consenting += 1;
            continue;
        }
        if held[i] {
            continue;
        }
        let (at, email, first, last) = contact_of(c);
        let cells: Vec<String> = if layout == Layout::Plain {
            let mut all = vec![key.clone(), email, first, last, segment];
            match row {
                Some(row) => all.extend([
                    row.values.recency_days.to_string(),
                    row.values.frequency.to_string(),
                    format!("{:.2}", row.values.monetary),
                    row.r.to_string(),
                    row.f.to_string(),
                    row.m.to_string(),
                ]),
                None => all.extend(std::iter::repeat_n(String::new(), 6)),
            }
            if categories {
                all.push(category_of(c));
            }
            if let Some(p) = predicted {
                match prediction_of[c] {
                    Some(x) => all.extend([
                        format!("{:.1}", 100.0 * x.p_alive),
                        format!("{:.1}", 100.0 * x.order_within_7_days),
                        format!("{:.1}", 100.0 * x.order_within_30_days),
                        next_order_date(p.as_of, x.days_to_next_order),
                        format!("{:.2}", x.clv),
                    ]),
                    None => {
                        all.extend(std::iter::repeat_n(String::new(), PREDICTION_COLUMNS.len()))
                    }
                }
            }
            chosen
                .iter()
                .map(|i| match i.checked_sub(own) {
                    None => std::mem::take(&mut all[*i]),
                    Some(j) => match (&contact, at, attribute_at[j]) {
                        (Some((t, _)), Some(r), Some(a)) => t.attributes[r][a].clone(),
                        _ => String::new(),
                    },
                })
                .collect()
        } else if layout.is_audience() {
            let hashed = sha256_hex(&normalised_email(&email, layout));
            // One line per address: two customers sharing one are one
            // person to the platform.
            if !hashed_seen.insert(hashed.clone()) {
                continue;
            }
            vec![hashed]
        } else if categories {
            vec![email, first, last, category_of(c), segment]
        } else {
            vec![email, first, last, segment]
        };
        table.push(cells);
        rows += 1;
    }
    let bytes = if options.xlsx {
        crate::export::xlsx::workbook("Customers", &header, &table)
    } else {
        let d = options.delimiter;
        let sep = d.to_string();
        let mut out = String::from('\u{feff}');
        for line in std::iter::once(&header).chain(&table) {
            out.push_str(
                &line
                    .iter()
                    .map(|c| quote(c, d))
                    .collect::<Vec<_>>()
                    .join(&sep),
            );
            out.push_str("\r\n");
        }
        out.into_bytes()
    };
    on_step(total, total);
    Export {
        bytes,
        rows,
        without_email,
        held_out,
        without_consent: not_consenting,
        audience,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::orders::Orders;
    use crate::segments::rfm;

    /// The RFM scores of the data at `as_of`, with R's default rules.
    fn scored(data: &Dataset, as_of: Day) -> RfmResult {
        rfm::compute(
            &data.orders,
            as_of,
            &rfm::RfmConfig::default(),
            &rfm::default_rules(),
        )
    }

    #[test]
    fn formulas_are_neutralised() {
        for bad in [
            "=1+1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "+A1",
            "-SUM(1)",
            "+1+cmd|' /C calc'!A0",
            "-2+A1",
            "+",
            "-(1)",
        ] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        // Numbers and phone numbers stay as written: no apostrophe before
        // a French mobile or a refund.
        for number in [
            "+33 6 12 34 56 78",
            "-2",
            "-12.50",
            "-1 234,56",
            "-1\u{202f}234,56",
            "+1 (555) 010-9999",
        ] {
            assert_eq!(neutralise(number), number);
        }
        assert_eq!(neutralise("Anne"), "Anne");
        assert_eq!(quote("a,b", ','), "\"a,b\"");
        assert_eq!(
            quote("=HYPERLINK(\"x\")", ';'),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
    }

    #[test]
    fn layouts_put_the_email_first_and_skip_customers_without_one() {
        let mut data = Dataset::from_orders(Orders::from_rows(&[
            ("c1".into(), 1, 10.0),
            ("=cmd|' /C calc'!A0".into(), 2, 20.0),
            ("Z@x.com".into(), 3, 30.0),
        ]));
        data.add_source(
            "c.csv",
            b"customer_id,email,first_name,last_name\nc1,a@x.com,Anne,Roy\n",
        )
        .unwrap();
        let result = scored(&data, 10);
        let all: Vec<usize> = (0..result.segment_names.len()).collect();
        let e = members(
            &data,
            &result,
            &all,
            &ExportOptions::csv(Layout::Mailchimp, ','),
        );
        let text = String::from_utf8(e.bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "\u{feff}Email Address,First Name,Last Name,Tags");
        assert!(lines[1].starts_with("a@x.com,Anne,Roy,"), "{}", lines[1]);
        assert!(lines[2].starts_with("z@x.com,,,"), "{}", lines[2]);
        assert_eq!((e.rows, e.without_email), (2, 1));
        let plain = members(
            &data,
            &result,
            &all,
            &ExportOptions::csv(Layout::Plain, ';'),
        );
        let text = String::from_utf8(plain.bytes).unwrap();
        assert!(text.contains("\r\n'=cmd|' /C calc'!A0;"), "{text}");
        assert_eq!(plain.rows, 3);
        // A saved segment: its name in the segment column; a customer
        // without orders has empty RFM cells.
        data.add_source(
            "c.csv",
            b"customer_id,email,first_name,last_name\nc1,a@x.com,Anne,Roy\np9,p@x.com,Pia,Lu\n",
        )
        .unwrap();
        let set = Bitmap::from_fn(data.orders.customer_keys.len(), |c| c == 0 || c == 3);
        let e = set_members(
            &data,
            &result,
            &[("VIP".to_string(), set)],
            &ExportOptions::csv(Layout::Plain, ','),
        );
        let text = String::from_utf8(e.bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[1].starts_with("c1,a@x.com,Anne,Roy,VIP,"),
            "{}",
            lines[1]
        );
        assert_eq!(lines[2], "p9,p@x.com,Pia,Lu,VIP,,,,,,");
    }

    #[test]
    fn writing_tells_its_steps_and_changes_nothing() {
        let rows: Vec<(String, i32, f64)> = (0..120)
            .map(|i| (format!("c{i}"), i % 30, 10.0 + f64::from(i)))
            .collect();
        let data = Dataset::from_orders(Orders::from_rows(&rows));
        let result = scored(&data, 40);
        let all: Vec<usize> = (0..result.segment_names.len()).collect();
        let options = ExportOptions::csv(Layout::Plain, ',');
        let mut steps = Vec::new();
        let e = members_steps(&data, &result, &all, &options, None, &mut |done, total| {
            steps.push((done, total))
        });
        assert_eq!(e, members(&data, &result, &all, &options));
        assert_eq!(e.rows, 120);
        // From none to all of the 120, in order, one step per 3 customers
        // (120 / 50, rounded up), then the end.
        assert_eq!(steps.first(), Some(&(0, 120)));
        assert_eq!(steps.last(), Some(&(120, 120)));
        assert!(steps.windows(2).all(|w| w[0].0 < w[1].0), "{steps:?}");
        assert_eq!(steps.len(), 41);
        // A set's export counts the customers of the union.
        let n = data.orders.customer_keys.len();
        let sets = [("A".to_string(), Bitmap::from_fn(n, |c| c < 7))];
        let mut last = None;
        set_members_steps(&data, &result, &sets, &options, None, &mut |d, t| {
            last = Some((d, t))
        });
        assert_eq!(last, Some((7, 7)));
    }

    /// The RFM scores of `data` and one set of every customer.
    fn everyone(data: &Dataset) -> (RfmResult, [(String, Bitmap); 1]) {
        let n = data.orders.customer_keys.len();
        let result = scored(data, 10);
        (result, [("All".to_string(), Bitmap::from_fn(n, |_| true))])
    }

    #[test]
    fn customers_who_did_not_agree_or_unsubscribed_are_left_out_unless_asked() {
        let rows: Vec<(String, i32, f64)> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|c| (c.to_string(), 1, 10.0))
            .collect();
        let mut data = Dataset::from_orders(Orders::from_rows(&rows));
        data.add_source(
            "c.csv",
            b"customer_id,email,Accepts Email Marketing,Do not email\na,a@x.com,yes,\nb,b@x.com,no,\nc,c@x.com,,yes\nd,d@x.com,,\ne,e@x.com,yes,no\n",
        )
        .unwrap();
        data.add_source(
            "e.csv",
            b"customer_id,campaign,opened,unsubscribed\nd,Spring,1,1\ne,Spring,1,0\n",
        )
        .unwrap();
        assert_eq!(without_consent(&data), vec![false, true, true, true, false]);
        let (result, sets) = everyone(&data);
        let mut options = ExportOptions::csv(Layout::Klaviyo, ',');
        let out = set_members(&data, &result, &sets, &options);
        assert_eq!((out.rows, out.without_consent), (2, 3));
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(text.contains("a@x.com") && text.contains("e@x.com") && !text.contains("b@x.com"));
        options.include_without_consent = true;
        let all = set_members(&data, &result, &sets, &options);
        assert_eq!((all.rows, all.without_consent), (5, 0));
    }

    /// Advertising audiences: one SHA-256 of each normalised address, no
    /// readable address, no other column; a shared address once. The
    /// digests are FIPS 180-2's "abc" example and Python's hashlib on the
    /// normalised addresses.
    #[test]
    fn audiences_hold_hashed_normalised_addresses() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            normalised_email("  Jean.Dupont@GMail.com ", Layout::MetaAudience),
            "jean.dupont@gmail.com"
        );
        assert_eq!(
            normalised_email("  Jean.Dupont@GMail.com ", Layout::GoogleAdsAudience),
            "jeandupont@gmail.com"
        );
        assert_eq!(
            normalised_email("anne.roy@example.fr", Layout::GoogleAdsAudience),
            "anne.roy@example.fr"
        );
        let mut data = Dataset::from_orders(Orders::from_rows(&[
            ("c1".into(), 1, 10.0),
            ("c2".into(), 2, 20.0),
            ("c3".into(), 3, 30.0),
            ("c4".into(), 4, 40.0),
        ]));
        data.add_source(
            "c.csv",
            b"customer_id,email,first_name\nc1,  Jean.Dupont@GMail.com ,Jean\nc2,anne.roy@example.fr,Anne\nc3,jean.dupont@gmail.com,J\nc4,,Nobody\n",
        )
        .unwrap();
        let result = scored(&data, 10);
        let all: Vec<usize> = (0..result.segment_names.len()).collect();
        let meta = members(
            &data,
            &result,
            &all,
            &ExportOptions::csv(Layout::MetaAudience, ','),
        );
        let mut lines: Vec<String> = String::from_utf8(meta.bytes)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(lines.remove(0), "\u{feff}email");
        lines.sort();
        assert_eq!(
            lines,
            [
                "2b79ad2133a56f795c3d9157c88db8bd684b981f292ae17ada5c8d585273d7b7",
                "fc68cadbd6210d3a36541634d2cd90e784cc757c2770330639d29b11ba5e294c",
            ]
        );
        assert_eq!((meta.rows, meta.without_email), (2, 1));
        let google = members(
            &data,
            &result,
            &all,
            &ExportOptions::csv(Layout::GoogleAdsAudience, ','),
        );
        let text = String::from_utf8(google.bytes).unwrap();
        assert!(text.starts_with("\u{feff}Email\r\n"));
        assert!(text.contains("a58df53d782ec0e3ed0e64226ae34b2519457e405954edc29c8cfa515de1eb02"));
        assert!(!text.contains('@'));
    }

    /// Each tool's merge tags, as its documentation writes them, and the
    /// last ordered category in the column those tags read: the latest day
    /// before the analysis date, refunds and empty categories aside.
    #[test]
    fn merge_tags_and_the_last_category_they_read() {
        let draft = "Hi {first_name}, new {last_category} for you. {first_name}!";
        assert_eq!(
            Layout::Mailchimp.with_merge_tags(draft),
            "Hi *|FNAME|*, new *|LASTCAT|* for you. *|FNAME|*!"
        );
        assert_eq!(
            Layout::Klaviyo.with_merge_tags(draft),
            "Hi {{ first_name|default:'' }}, new {{ person|lookup:'Last Category'|default:'' }} for you. {{ first_name|default:'' }}!"
        );
        assert_eq!(
            Layout::HubSpot.with_merge_tags(draft),
            "Hi {{ contact.firstname }}, new {{ contact.last_category }} for you. {{ contact.firstname }}!"
        );
        assert_eq!(
            Layout::Brevo.with_merge_tags(draft),
            "Hi {{ contact.FIRSTNAME }}, new {{ contact.LAST_CATEGORY }} for you. {{ contact.FIRSTNAME }}!"
        );
        assert_eq!(Layout::Plain.with_merge_tags(draft), draft);

        // a: Books on day 5, Garden on day 9 (the last), a refund in Toys on
        // day 10 and Music on day 20, after the analysis date (15). b: one
        // order with no category. c: Books twice on the same day, then
        // Garden on that day too (the later row).
        let mut orders = Orders::from_rows(&[
            ("a@x.com".into(), 5, 10.0),
            ("a@x.com".into(), 9, 10.0),
            ("a@x.com".into(), 10, -4.0),
            ("a@x.com".into(), 20, 10.0),
            ("b@x.com".into(), 3, 10.0),
            ("c@x.com".into(), 7, 10.0),
            ("c@x.com".into(), 7, 10.0),
        ]);
        orders.categories = ["Books", "Garden", "Toys", "Music"]
            .map(String::from)
            .to_vec();
        orders.category = vec![0, 1, 2, 3, NO_CATEGORY, 0, 1];
        let mut data = Dataset::from_orders(orders);
        data.add_source(
            "c.csv",
            b"customer_id,email,first_name,last_name\na@x.com,a@x.com,Anne,Roy\nb@x.com,b@x.com,Bo,Li\nc@x.com,c@x.com,Cy,Ma\n",
        )
        .unwrap();
        let result = scored(&data, 15);
        let n = data.orders.customer_keys.len();
        let sets = [("Fans".to_string(), Bitmap::full(n))];
        let file = |layout| {
            String::from_utf8(
                set_members(&data, &result, &sets, &ExportOptions::csv(layout, ',')).bytes,
            )
            .unwrap()
        };
        assert_eq!(
            file(Layout::Mailchimp),
            "\u{feff}Email Address,First Name,Last Name,Last Category,Tags\r\n\
             a@x.com,Anne,Roy,Garden,Fans\r\nb@x.com,Bo,Li,,Fans\r\nc@x.com,Cy,Ma,Garden,Fans\r\n"
        );
        assert!(
            file(Layout::Brevo)
                .starts_with("\u{feff}EMAIL,FIRSTNAME,LASTNAME,LAST_CATEGORY,SEGMENT\r\n")
        );
        assert!(
            file(Layout::HubSpot)
                .starts_with("\u{feff}Email,First Name,Last Name,Last Category,Segment\r\n")
        );
        let plain = ExportOptions {
            columns: vec!["email".into(), "last_category".into()],
            ..ExportOptions::csv(Layout::Plain, ',')
        };
        assert_eq!(
            String::from_utf8(set_members(&data, &result, &sets, &plain).bytes).unwrap(),
            "\u{feff}email,last_category\r\na@x.com,Garden\r\nb@x.com,\r\nc@x.com,Garden\r\n"
        );
    }

    /// The predictions' columns: percentages with one decimal, the next
    /// order's date from the analysis date, the value with two decimals; a
    /// customer without a prediction has empty cells, and a next order
    /// more than ten years away is left empty.
    #[test]
    fn the_predictions_columns() {
        let data = Dataset::from_orders(Orders::from_rows(&[
            ("a@x.com".into(), 1, 10.0),
            ("b@x.com".into(), 2, 20.0),
            ("c@x.com".into(), 3, 30.0),
        ]));
        let result = scored(&data, 10);
        let preds = [
            CustomerPrediction {
                customer: 0,
                p_alive: 0.8766,
                order_within_7_days: 0.0449,
                order_within_30_days: 0.25,
                days_to_next_order: 31,
                clv: 123.456,
                ..Default::default()
            },
            CustomerPrediction {
                customer: 2,
                p_alive: 0.1,
                days_to_next_order: 5000,
                ..Default::default()
            },
        ];
        let as_of = crate::model::date::days_from_civil(2025, 1, 1);
        let n = data.orders.customer_keys.len();
        let options = ExportOptions {
            columns: [
                "customer_id",
                "chance_active",
                "order_within_7_days",
                "order_within_30_days",
                "next_order_date",
                "predicted_value",
            ]
            .map(String::from)
            .to_vec(),
            ..ExportOptions::csv(Layout::Plain, ',')
        };
        let e = set_members_steps(
            &data,
            &result,
            &[("All".to_string(), Bitmap::full(n))],
            &options,
            Some(Predicted {
                customers: &preds,
                as_of,
            }),
            &mut |_, _| {},
        );
        assert_eq!(
            String::from_utf8(e.bytes).unwrap(),
            "\u{feff}customer_id,chance_active,order_within_7_days,order_within_30_days,next_order_date,predicted_value\r\n\
             a@x.com,87.7,4.5,25.0,2025-02-01,123.46\r\n\
             b@x.com,,,,,\r\n\
             c@x.com,10.0,0.0,0.0,,0.00\r\n"
        );
        let columns = columns_available(&data, true);
        assert_eq!(&columns[11..16], &PREDICTION_COLUMNS[..]);
        // Without the models, the columns are not offered and not written.
        assert!(
            !columns_available(&data, false)
                .iter()
                .any(|c| c == "chance_active")
        );
        let plain = set_members(
            &data,
            &result,
            &[("All".to_string(), Bitmap::full(n))],
            &options,
        );
        assert!(
            String::from_utf8(plain.bytes)
                .unwrap()
                .starts_with("\u{feff}customer_id\r\n")
        );
    }

    #[test]
    fn a_holdout_keeps_an_exact_seeded_share_out_of_the_file() {
        let rows: Vec<(String, i32, f64)> =
            (0..50).map(|c| (format!("c{c}@x.com"), 1, 10.0)).collect();
        let mut data = Dataset::from_orders(Orders::from_rows(&rows));
        // c0 has no e-mail address to write: not sendable, not drawn.
        data.orders.customer_keys[0] = "c0".into();
        let (result, sets) = everyone(&data);
        let mut options = ExportOptions::csv(Layout::Mailchimp, ',');
        options.holdout = Some(Holdout {
            share: 0.2,
            seed: 7,
        });
        let a = set_members(&data, &result, &sets, &options);
        // 49 sendable: 0.2 × 49 = 9.8, rounded to 10 held out.
        assert_eq!((a.without_email, a.held_out, a.rows), (1, 10, 39));
        assert_eq!(a.audience.len(), 49);
        assert_eq!(a.audience.iter().filter(|(_, h)| *h).count(), 10);
        let text = String::from_utf8(a.bytes.clone()).unwrap();
        for (key, held) in &a.audience {
            assert_eq!(text.contains(&format!("{key},")), !held, "{key}");
        }
        // The same seed draws the same group; another seed another one.
        assert_eq!(
            set_members(&data, &result, &sets, &options).audience,
            a.audience
        );
        options.holdout = Some(Holdout {
            share: 0.2,
            seed: 8,
        });
        assert_ne!(
            set_members(&data, &result, &sets, &options).audience,
            a.audience
        );
        // Without a holdout, no audience is kept.
        options.holdout = None;
        let plain = set_members(&data, &result, &sets, &options);
        assert_eq!((plain.held_out, plain.rows), (0, 49));
        assert!(plain.audience.is_empty());
    }

    #[test]
    fn chosen_columns_and_several_segments_at_once() {
        let mut data = Dataset::from_orders(Orders::from_rows(&[
            ("c1".into(), 1, 10.0),
            ("c2".into(), 2, 20.0),
        ]));
        data.add_source(
            "c.csv",
            b"customer_id,email,first_name,last_name,city\nc1,a@x.com,Anne,Roy,Lyon\nc2,b@x.com,Bo,Li,=Paris\n",
        )
        .unwrap();
        let result = scored(&data, 10);
        assert_eq!(
            columns_available(&data, false).last().map(String::as_str),
            Some("city")
        );
        let n = data.orders.customer_keys.len();
        let sets = [
            ("A".to_string(), Bitmap::from_fn(n, |c| c == 0 || c == 1)),
            ("B".to_string(), Bitmap::from_fn(n, |c| c == 1)),
        ];
        let options = ExportOptions {
            columns: vec![
                "email".into(),
                "CITY".into(),
                "segment".into(),
                "nope".into(),
            ],
            ..ExportOptions::csv(Layout::Plain, ',')
        };
        let e = set_members(&data, &result, &sets, &options);
        let text = String::from_utf8(e.bytes).unwrap();
        assert_eq!(
            text,
            "\u{feff}email,city,segment\r\na@x.com,Lyon,A\r\nb@x.com,'=Paris,\"A, B\"\r\n"
        );
        assert_eq!(e.rows, 2);
        let book = set_members(
            &data,
            &result,
            &sets,
            &ExportOptions {
                xlsx: true,
                ..options
            },
        );
        assert_eq!(&book.bytes[..2], b"PK");
    }
}
