//! Checks on a source's rows: customer keys found, values out of their
//! range or in the future, dates read with the column's format.

use super::*;
use crate::model::message::Message;

/// Finds or adds a customer key in the orders' key space.
pub(super) struct Keys<'a> {
    pub(super) orders: &'a mut Orders,
    pub(super) index: rustc_hash::FxHashMap<String, u32>,
    /// Whether each customer known before this file has an order (a key
    /// an earlier source added has none).
    pub(super) with_orders: Vec<bool>,
    pub(super) new_seen: rustc_hash::FxHashSet<u32>,
}

impl<'a> Keys<'a> {
    pub(super) fn new(orders: &'a mut Orders) -> Self {
        let index = orders
            .customer_keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i as u32))
            .collect();
        let mut with_orders = vec![false; orders.customer_keys.len()];
        for &c in &orders.customer {
            with_orders[c as usize] = true;
        }
        Keys {
            orders,
            index,
            with_orders,
            new_seen: Default::default(),
        }
    }

    pub(super) fn get(&mut self, raw: &str) -> Option<u32> {
        let key = normalise_key(raw);
        if key.is_empty() {
            return None;
        }
        let idx = match self.index.get(&key) {
            Some(i) => *i,
            None => {
                let i = self.orders.customer_keys.len() as u32;
                self.orders.customer_keys.push(key.clone());
                self.index.insert(key, i);
                i
            }
        };
        if !self.with_orders.get(idx as usize).copied().unwrap_or(false) {
            self.new_seen.insert(idx);
        }
        Some(idx)
    }
}

/// An empty report naming the columns used, as `role: column`.
pub(super) fn report(
    table: &TextTable,
    kind: SourceKind,
    roles: &[(&str, Option<usize>)],
) -> SourceReport {
    SourceReport {
        file_name: table.file_name.clone(),
        kind,
        rows: 0,
        rejected: Vec::new(),
        rejected_total: 0,
        customers_without_orders: 0,
        suspicious: Vec::new(),
        suspicious_total: 0,
        not_in_customers_file: None,
        email: None,
        columns_used: roles
            .iter()
            .filter_map(|(role, c)| c.map(|c| format!("{role}: {}", table.names[c])))
            .collect(),
    }
}

pub(super) fn reject(r: &mut SourceReport, line: u64, column: Option<&str>, why: impl Into<Why>) {
    r.rejected_total += 1;
    if r.rejected.len() < 1_000 {
        r.rejected
            .push(RowError::new(line, column.map(str::to_string), why));
    }
}

/// Names of a customer's birth date, signup date and age.
pub(super) const BIRTH: &[&str] = &[
    "birth_date",
    "date_of_birth",
    "birthdate",
    "birthday",
    "dob",
    "date_de_naissance",
    "naissance",
];
pub(super) const SIGNUP: &[&str] = &[
    "signup_date",
    "signed_up_at",
    "registered_at",
    "registration_date",
    "date_inscription",
    "inscription",
    "customer_since",
    "client_depuis",
];
pub(super) const AGE: &[&str] = &["age"];

/// The oldest age a customer is taken to have.
pub(super) const MAX_AGE: f64 = 120.0;

/// A date or date-time cell's day, in the column's date format or as a
/// timestamp.
pub(super) fn day_in(format: Option<DateFormat>, text: &str) -> Option<Day> {
    date_of(format, text)
        .or_else(|| date::parse_timestamp(text).map(|t| t.div_euclid(86_400) as Day))
}

/// Points at the values of kept rows worth a look: dates after today,
/// impossible ages and birth dates (a ticket resolved before it was opened
/// is rejected by its importer). Nothing is changed or dropped; the report
/// lists them.
pub(crate) fn flag_suspicious(table: &TextTable, kind: SourceKind, rep: &mut SourceReport) {
    let h = table.header();
    let dated: Vec<usize> = match kind {
        SourceKind::Email => find(&h, SENT).into_iter().collect(),
        SourceKind::Surveys => find(&h, ANSWERED).into_iter().collect(),
        SourceKind::Events => find(&h, TIMESTAMP).into_iter().collect(),
        SourceKind::Tickets => [find(&h, CREATED), find(&h, RESOLVED)]
            .into_iter()
            .flatten()
            .collect(),
        SourceKind::Costs => find(&h, COST_DATE).into_iter().collect(),
        SourceKind::Customers => [find(&h, SIGNUP), find(&h, BIRTH)]
            .into_iter()
            .flatten()
            .collect(),
        SourceKind::Orders => Vec::new(),
    };
    let formats: Vec<Option<DateFormat>> = dated.iter().map(|c| date_format(table, *c)).collect();
    let birth = (kind == SourceKind::Customers)
        .then(|| find(&h, BIRTH))
        .flatten();
    let age = (kind == SourceKind::Customers)
        .then(|| find(&h, AGE))
        .flatten();
    let rejected: rustc_hash::FxHashSet<u64> = rep.rejected.iter().map(|e| e.line).collect();
    let note = |rep: &mut SourceReport, line: u64, column: usize, reason: Fault| {
        rep.suspicious_total += 1;
        if rep.suspicious.len() < 1_000 {
            rep.suspicious.push(RowError::new(
                line,
                Some(table.names[column].clone()),
                reason,
            ));
        }
    };
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        if rejected.contains(&line) {
            continue;
        }
        let cell = |c: usize| row.get(c).map(|v| v.trim()).unwrap_or("");
        let before = rep.suspicious_total;
        if let Some(today) = table.today {
            for (c, f) in dated.iter().zip(&formats) {
                match day_in(*f, cell(*c)) {
                    Some(d) if d > today => {
                        let birth = Some(*c) == birth;
                        note(rep, line, *c, Fault::AfterToday { day: d, birth });
                        break;
                    }
                    Some(d) if Some(*c) == birth && f64::from(today - d) / 365.25 > MAX_AGE => {
                        let years = MAX_AGE as u32;
                        note(rep, line, *c, Fault::BornTooLongAgo { day: d, years });
                        break;
                    }
                    _ => {}
                }
            }
        }
        if rep.suspicious_total == before
            && let Some(c) = age
            && let Ok(years) = cell(c).replace(',', ".").parse::<f64>()
            && !(0.0..=MAX_AGE).contains(&years)
        {
            let text = cell(c).to_string();
            let reason = if years < 0.0 {
                Fault::NegativeAge { text }
            } else {
                Fault::AgeBeyondAnyCustomer { text }
            };
            note(rep, line, c, reason);
        }
    }
}

/// Gives each listed rejected row its fields, found by line in the table.
pub(crate) fn attach_values(report: &mut SourceReport, table: &TextTable) {
    for e in &mut report.rejected {
        if let Ok(i) = table.lines.binary_search(&e.line) {
            e.values = table.rows[i].clone();
        }
    }
}

/// The date format of a column, from its first 500 values.
pub(super) fn date_format(table: &TextTable, column: usize) -> Option<DateFormat> {
    let values: Vec<&str> = table
        .rows
        .iter()
        .take(500)
        .filter_map(|r| r.get(column).map(String::as_str))
        .collect();
    date::detect_named(&values)
}

pub(super) fn date_of(format: Option<DateFormat>, text: &str) -> Option<Day> {
    date::parse_with(format?, text).ok()
}

/// Whether a missing column, as [`missing`] names it, is the one naming
/// the customer (a survey tool's export without it cannot be joined).
pub(crate) fn names_the_customer(what: &Message) -> bool {
    [
        "engine.a_customer_or_e_mail_address",
        "engine.a_customer_id_or_e_mail_address",
        "engine.a_customer_or_requester_e_mail",
    ]
    .contains(&what.key.as_ref())
}

/// A file that lacks a column, `what` naming it by its message key.
pub(super) fn missing(table: &TextTable, what: &'static str) -> ImportError {
    ImportError::MissingColumn {
        file: table.file_name.clone(),
        what: Message::new(what),
        columns: table.names.clone(),
    }
}
