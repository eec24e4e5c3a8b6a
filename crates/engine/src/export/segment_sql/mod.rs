//! Saved segments as SQL: rules, lifecycle stages, groups of a column or a
//! tier, and clusters become one query over the user's own tables that
//! returns the members, for DuckDB, PostgreSQL and BigQuery.
//!
//! The query follows the engine: customers are every key of every table
//! (trimmed; e-mail addresses lower-cased), facts count what happened
//! before the analysis date, a missing value fails a test and passes its
//! NOT. What the engine read from the data (quartile bands, the most
//! frequent values, tier thresholds, a cluster's centres and scaling) is
//! written into the query as numbers, so the query selects the same
//! customers from the same data and stays stable as the data grows.
//!
//! Dates and timestamps are read with `CAST` (ISO text, DATE or TIMESTAMP
//! columns); timestamps are taken as UTC.

use crate::model::message::Message;

use serde::{Deserialize, Serialize};

use crate::export::sql::{Dialect, number};
use crate::import::dataset::Dataset;
use crate::import::sources::SourceKind;
use crate::model::date::{self, DateFormat, Day, format_iso};
use crate::model::number::DecimalSeparator;
use crate::segments::cluster::{self, Feature};
use crate::segments::lifecycle::{LifecycleSetup, Stage};
use crate::segments::splits::{self, GroupTest, Split, Tier};
use crate::segments::{Definition, Facts, Measure, Rule, Test};

mod dialect;
mod kinds;
mod query;
mod rules;

/// One of the user's tables: its name and the column of each role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The table's name, written as given (it may be qualified).
    pub table: String,
    /// Role and column name, e.g. `("customer", "customer_id")`.
    pub columns: Vec<(String, String)>,
}

impl Table {
    fn column(&self, role: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(r, _)| r == role)
            .map(|(_, c)| c.as_str())
    }
}

/// The user's tables as the import mapped them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// Orders: customer, date, amount, and category when there is one.
    pub orders: Table,
    /// The customers file (its other columns keep their names).
    pub customers: Option<Table>,
    /// E-mail results: customer, sent, delivered, opened, clicked.
    pub email: Option<Table>,
    /// Survey answers: customer, date, nps, csat.
    pub surveys: Option<Table>,
    /// Events: customer, event, time.
    pub events: Option<Table>,
    /// Support tickets: customer, opened.
    pub tickets: Option<Table>,
}

impl Schema {
    /// The schema of an imported dataset: the orders' columns as given,
    /// the other sources' as their import reports name them, and each
    /// table named after its kind (`orders`, `customers`, `email`,
    /// `surveys`, `events`, `tickets`).
    pub fn of(data: &Dataset, orders: Vec<(String, String)>) -> Schema {
        let table = |kind: SourceKind, name: &str| {
            data.source_reports
                .iter()
                .rev()
                .find(|r| r.kind == kind)
                .map(|r| Table {
                    table: name.to_string(),
                    columns: r
                        .columns_used
                        .iter()
                        .filter_map(|c| c.split_once(": "))
                        .map(|(role, col)| (role.to_string(), col.to_string()))
                        .collect(),
                })
        };
        Schema {
            orders: Table {
                table: "orders".into(),
                columns: orders,
            },
            customers: data
                .customers
                .as_ref()
                .and_then(|_| table(SourceKind::Customers, "customers")),
            email: data
                .email
                .as_ref()
                .and_then(|_| table(SourceKind::Email, "email")),
            surveys: data
                .surveys
                .as_ref()
                .and_then(|_| table(SourceKind::Surveys, "surveys")),
            events: data
                .events
                .as_ref()
                .and_then(|_| table(SourceKind::Events, "events")),
            tickets: data
                .tickets
                .as_ref()
                .and_then(|_| table(SourceKind::Tickets, "tickets")),
        }
    }

    /// Gives the table of a kind (`orders`, `customers`, ...) the user's
    /// name for it; an empty name keeps the current one.
    pub fn rename_table(&mut self, kind: &str, name: &str) {
        if let Some((_, t)) = self
            .tables_mut()
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(kind.trim()))
            && !name.trim().is_empty()
        {
            t.table = name.trim().to_string();
        }
    }

    /// Gives the column of a role in the table of a kind the user's name
    /// for it; an empty name keeps the current one.
    pub fn rename_column(&mut self, kind: &str, role: &str, name: &str) {
        if name.trim().is_empty() {
            return;
        }
        if let Some((_, t)) = self
            .tables_mut()
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(kind.trim()))
        {
            match t.columns.iter_mut().find(|(r, _)| r == role) {
                Some(slot) => slot.1 = name.trim().to_string(),
                None => t.columns.push((role.to_string(), name.trim().to_string())),
            }
        }
    }

    /// The roles a query reads in the table of a kind.
    pub fn roles(kind: &str) -> &'static [&'static str] {
        match kind {
            "orders" => &["customer", "date", "amount", "category"],
            "customers" => &["customer"],
            "email" => &["customer", "sent", "delivered", "opened", "clicked"],
            "surveys" => &["customer", "date", "nps", "csat"],
            "events" => &["customer", "event", "time"],
            "tickets" => &["customer", "opened"],
            _ => &[],
        }
    }

    /// Every table, with its kind's name, for editing.
    pub fn tables_mut(&mut self) -> Vec<(&'static str, &mut Table)> {
        let mut out = vec![("orders", &mut self.orders)];
        for (name, t) in [
            ("customers", &mut self.customers),
            ("email", &mut self.email),
            ("surveys", &mut self.surveys),
            ("events", &mut self.events),
            ("tickets", &mut self.tickets),
        ] {
            if let Some(t) = t.as_mut() {
                out.push((name, t));
            }
        }
        out
    }
}

/// The orders' columns by role as an import report names them (the role's
/// own name when the report has none).
pub fn orders_columns(report: Option<&crate::ImportReport>) -> Vec<(String, String)> {
    use crate::import::roles::Role;
    let mut out: Vec<(String, String)> = [
        ("customer", Role::CustomerId),
        ("date", Role::OrderDate),
        ("amount", Role::Amount),
    ]
    .iter()
    .map(|(name, role)| {
        let column = report
            .and_then(|r| r.columns.iter().find(|c| c.role == Some(*role)))
            .map_or_else(|| role.key().to_string(), |c| c.name.clone());
        (name.to_string(), column)
    })
    .collect();
    if let Some(c) = report.and_then(|r| r.category_column.clone()) {
        out.push(("category".into(), c));
    }
    out
}

/// Per-customer aggregates of one table that the condition reads.
#[derive(Default)]
struct Aggregates {
    columns: Vec<String>,
}

impl Aggregates {
    /// Adds an aggregate (or finds the same one) and returns its alias.
    fn add(&mut self, prefix: &str, expression: String) -> String {
        let i = match self.columns.iter().position(|c| *c == expression) {
            Some(i) => i,
            None => {
                self.columns.push(expression);
                self.columns.len() - 1
            }
        };
        format!("{prefix}.{prefix}{i}")
    }
}

/// Compiles parts of a definition into SQL conditions.
struct Compiler<'a> {
    data: &'a Dataset,
    facts: &'a Facts,
    schema: &'a Schema,
    d: Dialect,
    orders: Aggregates,
    email: Aggregates,
    events: Aggregates,
    tickets: Aggregates,
    surveys: bool,
    attributes: bool,
    /// The lifecycle's settings, for stages tested inside rules.
    lifecycle: &'a LifecycleSetup,
}

fn date_literal(day: Day) -> String {
    format!("DATE '{}'", format_iso(day))
}

/// The query returning the `customer_id` of every member of a saved
/// segment, over the tables of `schema`.
pub fn segment_sql(
    data: &Dataset,
    facts: &Facts,
    schema: &Schema,
    definition: &Definition,
    lifecycle: &LifecycleSetup,
    dialect: Dialect,
    title: &str,
) -> Result<String, Message> {
    let mut c = Compiler {
        data,
        facts,
        schema,
        d: dialect,
        orders: Aggregates::default(),
        email: Aggregates::default(),
        events: Aggregates::default(),
        tickets: Aggregates::default(),
        surveys: false,
        attributes: false,
        lifecycle,
    };
    let condition = c.condition(definition, lifecycle)?;
    let title = format!(
        "{title}: {}",
        crate::segments::groups::describe(definition, lifecycle).replace('\n', " ")
    );
    c.query(&condition, &title)
}

#[cfg(test)]
mod tests;
