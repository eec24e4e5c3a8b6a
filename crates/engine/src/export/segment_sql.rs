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

impl<'a> Compiler<'a> {
    fn text(&self) -> &'static str {
        if self.d == Dialect::BigQuery {
            "STRING"
        } else {
            "VARCHAR"
        }
    }

    fn col(&self, table: &Table, role: &str) -> Result<String, String> {
        table
            .column(role)
            .map(|c| self.d.ident(c))
            .ok_or_else(|| format!("the {} table has no {role} column", table.table))
    }

    /// A customer key as the engine keeps it: trimmed, and lower-cased when
    /// it is an e-mail address.
    fn key(&self, column: &str) -> String {
        let t = format!("TRIM(CAST({column} AS {}))", self.text());
        format!("CASE WHEN STRPOS({t}, '@') > 0 THEN LOWER({t}) ELSE {t} END")
    }

    /// The UTC day of a date or timestamp column.
    fn day(&self, column: &str) -> String {
        match self.d {
            Dialect::BigQuery => format!("DATE(CAST({column} AS TIMESTAMP))"),
            _ => format!("CAST(CAST({column} AS TIMESTAMP) AS DATE)"),
        }
    }

    fn as_of(&self) -> String {
        date_literal(self.facts.as_of)
    }

    /// A text value: trimmed, NULL when empty.
    fn value(&self, column: &str) -> String {
        format!("NULLIF(TRIM(CAST({column} AS {})), '')", self.text())
    }

    fn regex_match(&self, value: &str, pattern: &str) -> String {
        match self.d {
            Dialect::DuckDb => format!("regexp_full_match({value}, '{pattern}')"),
            Dialect::Postgres => format!("{value} ~ '^{pattern}$'"),
            Dialect::BigQuery => format!("REGEXP_CONTAINS({value}, r'^{pattern}$')"),
        }
    }

    fn regex_replace(&self, value: &str, pattern: &str, with: &str) -> String {
        match self.d {
            Dialect::BigQuery => format!("REGEXP_REPLACE({value}, r'{pattern}', '{with}')"),
            _ => format!("regexp_replace({value}, '{pattern}', '{with}', 'g')"),
        }
    }

    /// A number read from text as the engine reads amounts: currency signs
    /// and spaces dropped, thousands separators dropped, the decimal
    /// separator of the column.
    fn number_of(&self, value: &str, decimal: DecimalSeparator) -> String {
        let digits = self.regex_replace(value, "[^0-9,.-]", "");
        let cleaned = match decimal {
            DecimalSeparator::Point => format!("REPLACE({digits}, ',', '')"),
            DecimalSeparator::Comma => format!("REPLACE(REPLACE({digits}, '.', ''), ',', '.')"),
        };
        format!(
            "CASE WHEN {} THEN CAST({cleaned} AS {}) END",
            self.regex_match(&cleaned, "-?[0-9]+([.][0-9]+)?"),
            self.d.double()
        )
    }

    /// A date read from text in the column's format.
    fn date_of(&self, value: &str, format: DateFormat) -> String {
        let slashed = format!("REPLACE(REPLACE({value}, '.', '/'), '-', '/')");
        let (text, pattern, strf, pg) = match format {
            DateFormat::Iso => {
                let head = format!("SUBSTR({value}, 1, 10)");
                return match self.d {
                    Dialect::DuckDb => format!("TRY_CAST({head} AS DATE)"),
                    Dialect::BigQuery => format!("SAFE_CAST({head} AS DATE)"),
                    Dialect::Postgres => format!(
                        "CASE WHEN {} THEN CAST({head} AS DATE) END",
                        self.regex_match(&head, "[0-9]{4}-[0-9]{2}-[0-9]{2}")
                    ),
                };
            }
            DateFormat::ExcelSerial => {
                // Days since 1899-12-30; a fraction is the time of day.
                let number = format!("REPLACE({value}, ',', '.')");
                let days = |cast: &str| format!("CAST(FLOOR(CAST({number} AS {cast})) AS INTEGER)");
                let guard = self.regex_match(&number, "[0-9]+([.][0-9]+)?");
                return match self.d {
                    Dialect::DuckDb => format!(
                        "CASE WHEN {guard} THEN CAST(DATE '1899-12-30' + {} AS DATE) END",
                        days("DOUBLE")
                    ),
                    Dialect::Postgres => format!(
                        "CASE WHEN {guard} THEN DATE '1899-12-30' + {} END",
                        days("DOUBLE PRECISION")
                    ),
                    Dialect::BigQuery => format!(
                        "CASE WHEN {guard} THEN DATE_ADD(DATE '1899-12-30', INTERVAL CAST(FLOOR(CAST({number} AS FLOAT64)) AS INT64) DAY) END"
                    ),
                };
            }
            DateFormat::Compact => (value.to_string(), "[0-9]{8}", "%Y%m%d", "YYYYMMDD"),
            DateFormat::DayFirst => (
                slashed,
                "[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}",
                "%d/%m/%Y",
                "DD/MM/YYYY",
            ),
            DateFormat::MonthFirst => (
                slashed,
                "[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}",
                "%m/%d/%Y",
                "MM/DD/YYYY",
            ),
            DateFormat::YearFirstSlash => (
                value.to_string(),
                "[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}",
                "%Y/%m/%d",
                "YYYY/MM/DD",
            ),
        };
        match self.d {
            Dialect::DuckDb => format!("CAST(TRY_STRPTIME({text}, '{strf}') AS DATE)"),
            Dialect::BigQuery => format!("SAFE.PARSE_DATE('{strf}', {text})"),
            Dialect::Postgres => format!(
                "CASE WHEN {} THEN TO_DATE({text}, '{pg}') END",
                self.regex_match(&text, pattern)
            ),
        }
    }

    /// A yes/no column as the engine reads flags: anything but empty, 0,
    /// no, false (and their French words) is yes.
    fn flag(&self, table: &Table, role: &str, default: bool) -> String {
        match table.column(role) {
            None => if default { "TRUE" } else { "FALSE" }.into(),
            Some(c) => format!(
                "COALESCE(LOWER(TRIM(CAST({} AS {}))) NOT IN ('', '0', 'no', 'n', 'false', 'non', 'faux', 'f'), FALSE)",
                self.d.ident(c),
                self.text()
            ),
        }
    }

    fn number_test(&self, x: &str, test: &Test) -> Result<String, String> {
        let parse = |s: &str| {
            s.trim()
                .parse::<f64>()
                .map(number)
                .map_err(|_| format!("\"{s}\" is not a number"))
        };
        Ok(match test {
            Test::IsEmpty => format!("{x} IS NULL"),
            Test::IsNotEmpty => format!("{x} IS NOT NULL"),
            Test::Between(a, b) => format!("{x} BETWEEN {} AND {}", number(*a), number(*b)),
            Test::AtLeast(a) => format!("{x} >= {}", number(*a)),
            Test::AtMost(a) => format!("{x} <= {}", number(*a)),
            Test::Equals(s) => format!("{x} = {}", parse(s)?),
            Test::OneOf(v) => format!(
                "{x} IN ({})",
                v.iter()
                    .map(|s| parse(s))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(", ")
            ),
            _ => "FALSE".into(),
        })
    }

    fn date_test(&self, x: &str, test: &Test) -> String {
        let as_of = self.facts.as_of;
        match test {
            Test::IsEmpty => format!("{x} IS NULL"),
            Test::IsNotEmpty => format!("{x} IS NOT NULL"),
            Test::OnOrAfter(a) => format!("{x} >= {}", date_literal(*a)),
            Test::Before(a) => format!("{x} < {}", date_literal(*a)),
            Test::WithinLastDays(n) => format!(
                "{x} < {} AND {x} >= {}",
                date_literal(as_of),
                date_literal(as_of - *n as Day)
            ),
            Test::MoreThanDaysAgo(n) => format!("{x} < {}", date_literal(as_of - *n as Day)),
            _ => "FALSE".into(),
        }
    }

    fn text_test(&self, x: &str, test: &Test) -> String {
        let lower = |s: &str| self.d.literal(&s.trim().to_lowercase());
        match test {
            Test::IsEmpty => format!("{x} IS NULL"),
            Test::IsNotEmpty => format!("{x} IS NOT NULL"),
            Test::Equals(s) => format!("LOWER({x}) = {}", lower(s)),
            Test::OneOf(v) => format!(
                "LOWER({x}) IN ({})",
                v.iter().map(|s| lower(s)).collect::<Vec<_>>().join(", ")
            ),
            Test::Contains(s) => format!("STRPOS(LOWER({x}), {}) > 0", lower(s)),
            _ => "FALSE".into(),
        }
    }

    /// A column of the customers file, by its name in the data.
    fn attribute(&mut self, column: &str) -> Result<(usize, String), String> {
        let table = self.data.customers.as_ref().ok_or_else(|| {
            format!("the segment tests \"{column}\" but no customers file is imported")
        })?;
        let at = table
            .attribute_names
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case(column.trim()))
            .ok_or_else(|| format!("the customers file has no column \"{column}\""))?;
        if self.schema.customers.is_none() {
            return Err("the schema has no customers table".into());
        }
        self.attributes = true;
        let name = table.attribute_names[at].clone();
        Ok((at, self.value(&format!("a.{}", self.d.ident(&name)))))
    }

    /// The distinct non-empty values of a customers-file column, as the
    /// engine samples them to detect formats.
    fn attribute_sample(&self, at: usize) -> Vec<&'a str> {
        let table = self.data.customers.as_ref().expect("checked");
        let mut seen = rustc_hash::FxHashSet::default();
        table
            .attributes
            .iter()
            .map(|r| r[at].trim())
            .filter(|v| !v.is_empty() && seen.insert(*v))
            .take(2_000)
            .collect()
    }

    fn rule(&mut self, rule: &Rule) -> Result<String, String> {
        Ok(match rule {
            Rule::All(parts) if parts.is_empty() => "TRUE".into(),
            Rule::Any(parts) if parts.is_empty() => "FALSE".into(),
            Rule::All(parts) | Rule::Any(parts) => {
                let join = if matches!(rule, Rule::All(_)) {
                    " AND "
                } else {
                    " OR "
                };
                let inner = parts
                    .iter()
                    .map(|p| self.rule(p))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("({})", inner.join(join))
            }
            Rule::Not(inner) => format!("NOT {}", self.rule(inner)?),
            Rule::InSegment { definition, .. } => {
                let lifecycle = self.lifecycle;
                format!("({})", self.condition(definition, lifecycle)?)
            }
            Rule::Attribute { column, test } => {
                let (at, v) = self.attribute(column)?;
                let cond = if test.is_date() {
                    let sample = self.attribute_sample(at);
                    let format = date::detect(&sample)
                        .ok_or_else(|| format!("the column \"{column}\" does not hold dates"))?;
                    self.date_test(&self.date_of(&v, format), test)
                } else if test.is_numeric() {
                    let sample = self.attribute_sample(at);
                    let decimal = crate::model::number::detect_decimal(&sample);
                    self.number_test(&self.number_of(&v, decimal), test)?
                } else {
                    self.text_test(&v, test)
                };
                format!("COALESCE({cond}, FALSE)")
            }
            Rule::Measure {
                measure,
                days,
                category,
                test,
            } => {
                let x = self.measure(*measure, *days, category.as_deref())?;
                format!("COALESCE({}, FALSE)", self.number_test(&x, test)?)
            }
            Rule::Event {
                name,
                did,
                at_least,
                within_days,
            } => {
                let events = self.schema.events.as_ref().ok_or_else(|| {
                    format!("the segment tests the event \"{name}\" but there is no events table")
                })?;
                self.col(events, "event")?;
                let when = self.window("day", *within_days, false);
                let count = self.events.add(
                    "v",
                    format!(
                        "SUM(CASE WHEN LOWER(event) = {} AND {when} THEN 1 ELSE 0 END)",
                        self.d.literal(&name.trim().to_lowercase())
                    ),
                );
                let times = format!("COALESCE({count}, 0) >= {at_least}");
                if *did {
                    format!("({times})")
                } else {
                    format!("NOT ({times})")
                }
            }
        })
    }

    /// A day inside the window: the last `days` days before the analysis
    /// date, or any day before it (and, with `undated`, no day at all).
    fn window(&self, day: &str, days: Option<u32>, undated: bool) -> String {
        let before = format!("{day} < {}", self.as_of());
        match days {
            Some(n) => format!(
                "{before} AND {day} >= {}",
                date_literal(self.facts.as_of - n as Day)
            ),
            None if undated => format!("({day} IS NULL OR {before})"),
            None => before,
        }
    }

    fn measure(
        &mut self,
        measure: Measure,
        days: Option<u32>,
        category: Option<&str>,
    ) -> Result<String, String> {
        let d = self.d;
        let missing = |what: &str| {
            format!(
                "{} needs {what}, which is not imported",
                measure.label().to_lowercase()
            )
        };
        Ok(match measure {
            Measure::Orders | Measure::Spend if days.is_some() || category.is_some() => {
                let mut when = self.window("day", days, false);
                if let Some(name) = category {
                    if self.schema.orders.column("category").is_none() {
                        return Err("the orders have no category column".into());
                    }
                    when.push_str(&format!(
                        " AND category = {}",
                        self.d.literal(&name.trim().to_lowercase())
                    ));
                }
                let what = if measure == Measure::Spend {
                    "amount"
                } else {
                    "CASE WHEN amount >= 0 THEN 1 ELSE 0 END"
                };
                let alias = self
                    .orders
                    .add("o", format!("SUM(CASE WHEN {when} THEN {what} ELSE 0 END)"));
                format!("COALESCE({alias}, 0)")
            }
            Measure::Orders => "COALESCE(o.orders, 0)".into(),
            Measure::Spend => "COALESCE(o.spend, 0)".into(),
            Measure::AverageOrderValue => {
                format!(
                    "CASE WHEN o.orders > 0 THEN o.gross / CAST(o.orders AS {}) END",
                    d.double()
                )
            }
            Measure::DaysSinceLastOrder => d.days_between("o.last_day", &self.as_of()),
            Measure::DaysSinceFirstOrder => d.days_between("o.first_day", &self.as_of()),
            Measure::EmailsReceived | Measure::EmailOpens | Measure::EmailClicks => {
                let email = self
                    .schema
                    .email
                    .as_ref()
                    .ok_or_else(|| missing("e-mail results"))?;
                let sent = match email.column("sent") {
                    Some(c) => self.day(&d.ident(c)),
                    None => "CAST(NULL AS DATE)".into(),
                };
                let when = self.window(&sent, days, true);
                let hit = match measure {
                    Measure::EmailsReceived => self.flag(email, "delivered", true),
                    Measure::EmailOpens => format!(
                        "({} OR {})",
                        self.flag(email, "opened", false),
                        self.flag(email, "clicked", false)
                    ),
                    _ => self.flag(email, "clicked", false),
                };
                let alias = self.email.add(
                    "e",
                    format!("SUM(CASE WHEN {when} AND {hit} THEN 1 ELSE 0 END)"),
                );
                format!("COALESCE({alias}, 0)")
            }
            Measure::Events | Measure::Tickets => {
                let events = measure == Measure::Events;
                let present = if events {
                    self.schema.events.is_some()
                } else {
                    self.schema.tickets.is_some()
                };
                if !present {
                    return Err(missing(if events { "events" } else { "support tickets" }));
                }
                let count = format!(
                    "SUM(CASE WHEN {} THEN 1 ELSE 0 END)",
                    self.window("day", days, false)
                );
                let alias = if events {
                    self.events.add("v", count)
                } else {
                    self.tickets.add("t", count)
                };
                format!("COALESCE({alias}, 0)")
            }
            Measure::ChanceActive
            | Measure::OrderWithin7Days
            | Measure::OrderWithin30Days
            | Measure::DaysToNextOrder
            | Measure::PredictedValue => {
                return Err(format!(
                    "{} is a prediction of the models, which SQL cannot compute: export the members instead",
                    measure.label().to_lowercase()
                ));
            }
            Measure::Nps | Measure::Csat => {
                if self.schema.surveys.is_none() {
                    return Err(missing("survey answers"));
                }
                self.surveys = true;
                if measure == Measure::Nps {
                    "s.nps".into()
                } else {
                    "s.csat".into()
                }
            }
        })
    }

    fn lifecycle(&self, stage: Stage, setup: &LifecycleSetup) -> String {
        let since_last = self.d.days_between("o.last_day", &self.as_of());
        let since_first = self.d.days_between("o.first_day", &self.as_of());
        let label = |s: Stage| self.d.literal(s.label());
        format!(
            "(CASE WHEN o.last_day IS NULL THEN {prospect}\n      WHEN {since_last} > {lapsed} THEN {lapsed_l}\n      WHEN {since_last} > {risk} THEN {risk_l}\n      WHEN {since_first} <= {new} THEN {new_l}\n      WHEN o.orders >= {loyal} THEN {loyal_l}\n      WHEN o.orders >= 2 THEN {repeat_l}\n      ELSE {once_l} END) = {want}",
            prospect = label(Stage::Prospect),
            lapsed = setup.lapsed_after,
            lapsed_l = label(Stage::Lapsed),
            risk = setup.at_risk_after,
            risk_l = label(Stage::AtRisk),
            new = setup.new_days,
            new_l = label(Stage::New),
            loyal = setup.loyal_orders.max(2),
            loyal_l = label(Stage::Loyal),
            repeat_l = label(Stage::Repeat),
            once_l = label(Stage::OneTime),
            want = label(stage),
        )
    }

    /// The condition of one group of a split.
    fn group(&mut self, split: &Split, group: &str) -> Result<String, String> {
        let unknown = || format!("the split has no group \"{group}\" in these data");
        match split {
            Split::Attribute { column, edges } => {
                let s = splits::column_split(self.data, self.facts, column, edges.as_deref())?;
                let test = s
                    .groups
                    .iter()
                    .find(|(name, _)| name == group)
                    .map(|(_, t)| t.clone())
                    .ok_or_else(unknown)?;
                let (_, v) = self.attribute(column)?;
                let item_is = |cond: &dyn Fn(&str) -> String| -> String {
                    if !s.is_list {
                        return cond(&format!("LOWER({v})"));
                    }
                    let x = "LOWER(TRIM(seglens_item))";
                    let each = match self.d {
                        Dialect::DuckDb => format!("(SELECT unnest(string_split({v}, ';')) AS seglens_item)"),
                        Dialect::Postgres => format!("unnest(string_to_array({v}, ';')) AS seglens_items(seglens_item)"),
                        Dialect::BigQuery => format!("UNNEST(SPLIT({v}, ';')) AS seglens_item"),
                    };
                    format!("EXISTS (SELECT 1 FROM {each} WHERE {x} <> '' AND {})", cond(x))
                };
                let cond = match test {
                    GroupTest::Band { lo, hi } => {
                        let x = self.number_of(&v, s.decimal);
                        let mut parts = vec![format!("{x} IS NOT NULL")];
                        if let Some(l) = lo {
                            parts.push(format!("{x} >= {}", number(l)));
                        }
                        if let Some(h) = hi {
                            parts.push(format!("{x} < {}", number(h)));
                        }
                        parts.join(" AND ")
                    }
                    GroupTest::Value(key) => item_is(&|x| format!("{x} = {}", self.d.literal(&key))),
                    GroupTest::Other(kept) => item_is(&|x| {
                        format!(
                            "{x} NOT IN ({})",
                            kept.iter().map(|k| self.d.literal(k)).collect::<Vec<_>>().join(", ")
                        )
                    }),
                    GroupTest::Unknown => format!("{v} IS NULL"),
                };
                Ok(format!("COALESCE({cond}, FALSE)"))
            }
            Split::Tier(tier) => self.tier(*tier, group),
            Split::Journey { stages } => self.journey(stages, group),
            Split::ChurnRisk { .. } | Split::PredictedValue => Err(
                "churn-risk and predicted-value groups come from the predictive models, which a query cannot run: export the members instead".into(),
            ),
        }
    }

    fn tier(&mut self, tier: Tier, group: &str) -> Result<String, String> {
        let cuts = splits::tier_cuts(self.data, self.facts, tier)?;
        let unknown = || format!("the tier has no group \"{group}\"");
        // Spend sums may differ from the engine's in the last bits.
        let eps = 1e-6;
        Ok(match tier {
            Tier::Frequency => {
                let n = self.measure(Measure::Orders, Some(365), None)?;
                let from = cuts[0];
                match group {
                    "Frequent buyers" => format!("{n} >= {}", number(from)),
                    "Occasional buyers" => format!("{n} > 0 AND {n} < {}", number(from)),
                    "Inactive buyers" => format!("{n} = 0 AND COALESCE(o.orders, 0) > 0"),
                    _ => return Err(unknown()),
                }
            }
            Tier::Value => {
                let (high, medium) = (number(cuts[0] - eps), number(cuts[1] - eps));
                let buyer = "COALESCE(o.orders, 0) > 0";
                match group {
                    "High value" => format!("{buyer} AND o.spend >= {high}"),
                    "Medium value" => {
                        format!("{buyer} AND o.spend >= {medium} AND o.spend < {high}")
                    }
                    "Low value" => format!("{buyer} AND o.spend < {medium}"),
                    _ => return Err(unknown()),
                }
            }
            Tier::Usage => {
                let n = self.measure(Measure::Events, Some(90), None)?;
                let (heavy, moderate) = (number(cuts[0]), number(cuts[1]));
                match group {
                    "Heavy users" => format!("{n} > 0 AND {n} >= {heavy}"),
                    "Moderate users" => {
                        format!("{n} > 0 AND {n} >= {moderate} AND {n} < {heavy}")
                    }
                    "Light users" => format!("{n} > 0 AND {n} < {moderate}"),
                    "No recent activity" => format!("{n} = 0"),
                    _ => return Err(unknown()),
                }
            }
            Tier::Engagement => {
                // The tier counts only dated e-mails.
                let dated = |s: &mut Self, m: Measure, days: u32| -> Result<String, String> {
                    s.measure(m, Some(days), None)
                };
                let opens90 = dated(self, Measure::EmailOpens, 90)?;
                let opens180 = dated(self, Measure::EmailOpens, 180)?;
                let received = dated(self, Measure::EmailsReceived, 180)?;
                match group {
                    "Engaged readers" => format!("{opens90} > 0"),
                    "Passive readers" => format!("{opens90} = 0 AND {opens180} > 0"),
                    "Dormant readers" => format!("{opens180} = 0 AND {received} > 0"),
                    _ => return Err(unknown()),
                }
            }
            Tier::Loyalty => {
                let x = self.measure(Measure::Nps, None, None)?;
                let cond = match group {
                    "Promoters" => format!("{x} >= 9"),
                    "Passives" => format!("{x} BETWEEN 7 AND 8"),
                    "Detractors" => format!("{x} <= 6"),
                    _ => return Err(unknown()),
                };
                format!("COALESCE({cond}, FALSE)")
            }
            Tier::Journey => {
                let ev = self
                    .data
                    .events
                    .as_ref()
                    .ok_or("Add an events file to see journey stages.")?;
                let stages: Vec<(String, u8)> = ev
                    .names
                    .iter()
                    .filter_map(|n| splits::journey_stage(n).map(|s| (n.clone(), s)))
                    .collect();
                return self.journey(&stages, group);
            }
        })
    }

    /// The furthest journey stage reached in the last 30 days.
    fn journey(&mut self, stages: &[(String, u8)], group: &str) -> Result<String, String> {
        let events = self
            .schema
            .events
            .as_ref()
            .ok_or("there is no events table")?;
        self.col(events, "event")?;
        let want = ["Awareness", "Consideration", "Decision"]
            .iter()
            .position(|s| *s == group)
            .ok_or_else(|| format!("\"{group}\" is not a journey stage"))?;
        let cases: Vec<String> = stages
            .iter()
            .map(|(name, s)| format!("WHEN {} THEN {s}", self.d.literal(name)))
            .collect();
        if cases.is_empty() {
            return Ok("FALSE".into());
        }
        let when = self.window("day", Some(30), false);
        let alias = self.events.add(
            "v",
            format!(
                "MAX(CASE WHEN {when} THEN CASE event {} END END)",
                cases.join(" ")
            ),
        );
        Ok(format!("COALESCE({alias} = {want}, FALSE)"))
    }

    /// A feature of the clustering, per customer with an order.
    fn feature(&mut self, f: &Feature) -> Result<String, String> {
        let dbl = self.d.double();
        Ok(match f {
            Feature::Recency => self.d.days_between("o.last_day", &self.as_of()),
            Feature::Frequency => "o.orders".into(),
            Feature::Monetary => "o.spend".into(),
            Feature::Tenure => self.d.days_between("o.first_day", &self.as_of()),
            Feature::AverageOrderValue => format!("o.spend / CAST(o.orders AS {dbl})"),
            Feature::Engagement => {
                if let Some(email) = self.schema.email.clone() {
                    let sent = match email.column("sent") {
                        Some(c) => self.day(&self.d.ident(c)),
                        None => "CAST(NULL AS DATE)".into(),
                    };
                    let when = self.window(&sent, None, true);
                    let got = self.flag(&email, "delivered", true);
                    let opened = format!(
                        "({} OR {})",
                        self.flag(&email, "opened", false),
                        self.flag(&email, "clicked", false)
                    );
                    let received = self.email.add(
                        "e",
                        format!("SUM(CASE WHEN {when} AND {got} THEN 1 ELSE 0 END)"),
                    );
                    let opens = self.email.add(
                        "e",
                        format!("SUM(CASE WHEN {when} AND {got} AND {opened} THEN 1 ELSE 0 END)"),
                    );
                    format!(
                        "CASE WHEN COALESCE({received}, 0) > 0 THEN CAST({opens} AS {dbl}) / {received} ELSE 0 END"
                    )
                } else if self.schema.events.is_some() {
                    let events = self.measure(Measure::Events, None, None)?;
                    let weeks = format!(
                        "GREATEST(CAST({} AS {dbl}) / 7, 1)",
                        self.d.days_between("o.first_day", &self.as_of())
                    );
                    format!("CAST({events} AS {dbl}) / {weeks}")
                } else {
                    "0".into()
                }
            }
            Feature::Attribute(name) => {
                let (at, v) = self.attribute(name)?;
                let table = self.data.customers.as_ref().expect("checked");
                self.number_of(&v, cluster::attribute_decimal(table, at))
            }
        })
    }

    /// Members of a cluster: the nearest of the run's centres, in the
    /// run's scaling (ties to the first centre, as the engine).
    fn cluster(&mut self, setup: &cluster::ClusterSetup, want: usize) -> Result<String, String> {
        let m = cluster::matrix(self.data, self.facts, &setup.features)?;
        let run = cluster::kmeans(&m, setup.k, setup.seed, setup.runs)?;
        if want >= setup.k {
            return Err(format!("there is no cluster {} of {}", want + 1, setup.k));
        }
        let z: Vec<String> = setup
            .features
            .iter()
            .enumerate()
            .map(|(j, f)| {
                let x = self.feature(f)?;
                let mean = number(m.means[j]);
                Ok(format!(
                    "((COALESCE({x}, {mean}) - {mean}) / {})",
                    number(m.scales[j])
                ))
            })
            .collect::<Result<_, String>>()?;
        let dims = m.dims;
        let dist: Vec<String> = (0..setup.k)
            .map(|c| {
                z.iter()
                    .enumerate()
                    .map(|(j, zj)| {
                        let centre = number(run.centres[c * dims + j]);
                        format!("({zj} - {centre}) * ({zj} - {centre})")
                    })
                    .collect::<Vec<_>>()
                    .join(" + ")
            })
            .collect();
        let mut parts = vec!["COALESCE(o.orders, 0) > 0".to_string()];
        for (c, d) in dist.iter().enumerate() {
            if c == want {
                continue;
            }
            let op = if c < want { "<" } else { "<=" };
            parts.push(format!("({}) {op} ({d})", dist[want]));
        }
        Ok(parts.join("\n  AND "))
    }

    fn condition(
        &mut self,
        definition: &Definition,
        lifecycle: &LifecycleSetup,
    ) -> Result<String, String> {
        match definition {
            Definition::Rule(text) => {
                let rule = Rule::from_json(text).map_err(|e| e.to_string())?;
                self.rule(&rule)
            }
            Definition::Lifecycle(stage) => Ok(self.lifecycle(*stage, lifecycle)),
            Definition::Group { split, group } => self.group(split, group),
            Definition::Cluster { setup, cluster } => self.cluster(setup, *cluster),
            Definition::FunnelDrop { .. } => Err(
                "funnel drop-offs follow each customer's events in order, which this query does not do: export the members instead".into(),
            ),
            Definition::Rfm(_) => Err(
                "RFM segments have a query of their own (the RFM export); for this segment, export the members instead".into(),
            ),
            Definition::Within { parent, rule } => {
                let parent = self.condition(parent, lifecycle)?;
                let rule = Rule::from_json(rule).map_err(|e| e.to_string())?;
                Ok(format!("({parent})\n  AND ({})", self.rule(&rule)?))
            }
        }
    }

    /// The whole query around a condition.
    fn query(&self, condition: &str, title: &str) -> Result<String, String> {
        let s = self.schema;
        let text = self.text();
        let dbl = self.d.double();
        let as_of = self.as_of();
        let mut keys = Vec::new();
        let mut ctes = Vec::new();
        let o = &s.orders;
        let (oc, od, oa) = (
            self.col(o, "customer")?,
            self.col(o, "date")?,
            self.col(o, "amount")?,
        );
        keys.push(format!(
            "  SELECT {} AS customer_id FROM {}",
            self.key(&oc),
            o.table
        ));
        let category = match o.column("category") {
            Some(c) => format!(
                ",\n         LOWER(TRIM(CAST({} AS {text}))) AS category",
                self.d.ident(c)
            ),
            None => String::new(),
        };
        ctes.push(format!(
            "seglens_orders AS (\n  SELECT {} AS customer_id,\n         {} AS day,\n         CAST({oa} AS {dbl}) AS amount{category}\n  FROM {}\n)",
            self.key(&oc),
            self.day(&od),
            o.table
        ));
        let extra = |a: &Aggregates, prefix: &str| -> String {
            a.columns
                .iter()
                .enumerate()
                .map(|(i, e)| format!(",\n         {e} AS {prefix}{i}"))
                .collect()
        };
        ctes.push(format!(
            "order_facts AS (\n  SELECT customer_id,\n         SUM(CASE WHEN day < {as_of} AND amount >= 0 THEN 1 ELSE 0 END) AS orders,\n         SUM(CASE WHEN day < {as_of} THEN amount ELSE 0 END) AS spend,\n         SUM(CASE WHEN day < {as_of} AND amount >= 0 THEN amount ELSE 0 END) AS gross,\n         MIN(CASE WHEN day < {as_of} AND amount >= 0 THEN day END) AS first_day,\n         MAX(CASE WHEN day < {as_of} AND amount >= 0 THEN day END) AS last_day{}\n  FROM seglens_orders\n  GROUP BY customer_id\n)",
            extra(&self.orders, "o")
        ));
        let mut joins =
            vec!["LEFT JOIN order_facts AS o ON o.customer_id = k.customer_id".to_string()];
        // Each other table: its keys, and its aggregates when used.
        let others: [(&Option<Table>, &Aggregates, &str, &str); 3] = [
            (&s.email, &self.email, "e", "email_facts"),
            (&s.events, &self.events, "v", "event_facts"),
            (&s.tickets, &self.tickets, "t", "ticket_facts"),
        ];
        for (table, aggs, prefix, name) in others {
            let Some(t) = table else { continue };
            let c = self.key(&self.col(t, "customer")?);
            keys.push(format!("  SELECT {c} AS customer_id FROM {}", t.table));
            if aggs.columns.is_empty() {
                continue;
            }
            let body = if prefix == "e" {
                format!(
                    "  SELECT {c} AS customer_id{}\n  FROM {}\n  GROUP BY 1",
                    extra(aggs, prefix),
                    t.table
                )
            } else {
                // Each row's day, and the event's name.
                let (when, event) = if prefix == "v" {
                    let name = self.col(t, "event")?;
                    (
                        self.col(t, "time")?,
                        format!(", TRIM(CAST({name} AS {text})) AS event"),
                    )
                } else {
                    (self.col(t, "opened")?, String::new())
                };
                format!(
                    "  SELECT customer_id{}\n  FROM (\n    SELECT {c} AS customer_id, {} AS day{event}\n    FROM {}\n  ) AS rows_of\n  GROUP BY customer_id",
                    extra(aggs, prefix),
                    self.day(&when),
                    t.table
                )
            };
            ctes.push(format!("{name} AS (\n{body}\n)"));
            joins.push(format!(
                "LEFT JOIN {name} AS {prefix} ON {prefix}.customer_id = k.customer_id"
            ));
        }
        if let Some(t) = &s.surveys {
            let c = self.key(&self.col(t, "customer")?);
            keys.push(format!("  SELECT {c} AS customer_id FROM {}", t.table));
            if self.surveys {
                let day = match t.column("date") {
                    Some(col) => self.day(&self.d.ident(col)),
                    None => "CAST(NULL AS DATE)".into(),
                };
                let score = |role: &str| match t.column(role) {
                    Some(col) => format!("CAST({} AS INTEGER)", self.value(&self.d.ident(col))),
                    None => "CAST(NULL AS INTEGER)".into(),
                };
                ctes.push(format!(
                    "survey_rows AS (\n  SELECT {c} AS customer_id, {day} AS day, {} AS nps, {} AS csat\n  FROM {}\n)",
                    score("nps"),
                    score("csat"),
                    t.table
                ));
                let latest = |what: &str| {
                    format!(
                        "latest_{what} AS (\n  SELECT customer_id, {what} FROM (\n    SELECT customer_id, {what}, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY day DESC NULLS LAST) AS rn\n    FROM survey_rows\n    WHERE {what} IS NOT NULL AND (day IS NULL OR day < {as_of})\n  ) AS ranked\n  WHERE rn = 1\n)"
                    )
                };
                ctes.push(latest("nps"));
                ctes.push(latest("csat"));
                ctes.push("survey_facts AS (\n  SELECT k.customer_id, n.nps, c.csat\n  FROM seglens_keys AS k\n  LEFT JOIN latest_nps AS n ON n.customer_id = k.customer_id\n  LEFT JOIN latest_csat AS c ON c.customer_id = k.customer_id\n)".into());
                joins.push("LEFT JOIN survey_facts AS s ON s.customer_id = k.customer_id".into());
            }
        }
        if let Some(t) = &s.customers {
            let c = self.key(&self.col(t, "customer")?);
            keys.push(format!("  SELECT {c} AS customer_id FROM {}", t.table));
            if self.attributes {
                ctes.push(format!(
                    "customer_rows AS (\n  SELECT {c} AS seglens_customer, * FROM {}\n)",
                    t.table
                ));
                joins.push(
                    "LEFT JOIN customer_rows AS a ON a.seglens_customer = k.customer_id".into(),
                );
            }
        }
        let keys_cte = format!(
            "seglens_keys AS (\n  SELECT DISTINCT customer_id FROM (\n{}\n  ) AS every_key\n  WHERE customer_id IS NOT NULL AND customer_id <> ''\n)",
            keys.join("\n  UNION ALL\n")
        );
        // The keys come first: survey facts read them.
        let mut all = vec![keys_cte];
        all.extend(ctes);
        Ok(format!(
            "-- {title}\n-- As SegLens selects it on the analysis date {}.\nWITH {}\nSELECT DISTINCT k.customer_id\nFROM seglens_keys AS k\n{}\nWHERE {condition}\nORDER BY k.customer_id;\n",
            format_iso(self.facts.as_of),
            all.join(",\n"),
            joins.join("\n"),
        ))
    }
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
) -> Result<String, String> {
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
mod tests {
    use super::*;
    use crate::segments::lifecycle::LifecycleSetup;

    fn demo() -> (Dataset, Facts) {
        let files = crate::import::demo::generate_sized(crate::import::demo::DEMO_SEED, 400);
        let (orders, _) = crate::import_orders(
            "orders.csv",
            files.orders.as_bytes(),
            crate::ImportOptions::default(),
        )
        .expect("orders");
        let mut data = Dataset::from_orders(orders);
        for (name, text) in files.files() {
            if name != "orders.csv" {
                data.add_source(name, text.as_bytes()).expect(name);
            }
        }
        let as_of = crate::default_as_of(&data.orders).expect("orders");
        let facts = Facts::new(&data, as_of);
        (data, facts)
    }

    /// A rule's query over the demo, or why it cannot be written.
    fn rule_sql(
        (data, facts): &(Dataset, Facts),
        schema: &Schema,
        rule: &str,
        dialect: Dialect,
    ) -> Result<String, String> {
        segment_sql(
            data,
            facts,
            schema,
            &Definition::Rule(rule.into()),
            &LifecycleSetup::default(),
            dialect,
            "x",
        )
    }

    #[test]
    fn bigquery_gets_its_own_functions_and_quoting() {
        let demo = demo();
        let schema = Schema::of(&demo.0, orders_columns(None));
        let rule = r#"{"all":[{"attribute":"age","between":[20,30]},{"attribute":"signup_date","within_last_days":90},{"event":"purchase","did":false}]}"#;
        let q = rule_sql(&demo, &schema, rule, Dialect::BigQuery).expect("compiles");
        for wanted in [
            "`age`",
            "REGEXP_CONTAINS(",
            "SAFE_CAST(",
            "STRING",
            "FLOAT64",
        ] {
            assert!(q.contains(wanted), "{wanted} missing from {q}");
        }
        for other in [
            "regexp_full_match",
            "TRY_CAST",
            "\"age\"",
            "DOUBLE PRECISION",
        ] {
            assert!(!q.contains(other), "{other} in {q}");
        }
    }

    #[test]
    fn a_city_with_an_apostrophe_is_one_literal_in_every_dialect() {
        // BigQuery ends a literal at `'` and reads `''` as an empty string
        // next to another: its quote is escaped with a backslash there.
        let demo = demo();
        let schema = Schema::of(&demo.0, orders_columns(None));
        let rule = r#"{"all":[{"attribute":"city","equals":"L'Isle-Adam"}]}"#;
        let bq = rule_sql(&demo, &schema, rule, Dialect::BigQuery).expect("compiles");
        assert!(bq.contains(r"'l\'isle-adam'"), "{bq}");
        assert!(!bq.contains("''isle"), "{bq}");
        for dialect in [Dialect::DuckDb, Dialect::Postgres] {
            let q = rule_sql(&demo, &schema, rule, dialect).expect("compiles");
            assert!(q.contains("'l''isle-adam'"), "{q}");
        }
    }

    #[test]
    fn tables_and_columns_take_the_users_names() {
        let demo = demo();
        let mut schema = Schema::of(&demo.0, orders_columns(None));
        schema.rename_table("Customers", " crm.people ");
        schema.rename_table("orders", "  ");
        schema.rename_column("customers", "customer", "person_id");
        schema.rename_column("orders", "category", "rayon");
        let rule = r#"{"all":[{"attribute":"city","equals":"Lyon"},{"measure":"orders","category":"Books","at_least":1}]}"#;
        let q = rule_sql(&demo, &schema, rule, Dialect::Postgres).expect("compiles");
        assert!(
            q.contains("FROM crm.people") && q.contains("CAST(\"person_id\" AS VARCHAR)"),
            "{q}"
        );
        assert!(
            q.contains("FROM orders") && q.contains("CAST(\"rayon\" AS VARCHAR)"),
            "{q}"
        );
    }

    #[test]
    fn what_needs_the_models_or_sequences_is_refused_in_words() {
        let (data, facts) = demo();
        let schema = Schema::of(&data, orders_columns(None));
        let refused = [
            Definition::Group {
                split: Split::PredictedValue,
                group: "Top 20%".into(),
            },
            Definition::FunnelDrop {
                setup: crate::journeys::FunnelSetup {
                    strict: false,
                    steps: vec!["page_view".into(), "purchase".into()],
                    window_days: 7,
                },
                reached: 1,
            },
        ];
        for d in refused {
            let e = segment_sql(
                &data,
                &facts,
                &schema,
                &d,
                &LifecycleSetup::default(),
                Dialect::DuckDb,
                "x",
            )
            .expect_err("refused");
            assert!(e.contains("export the members instead"), "{e}");
        }
        let both = (data, facts);
        let e = rule_sql(
            &both,
            &schema,
            r#"{"attribute":"shoe size","equals":"42"}"#,
            Dialect::DuckDb,
        )
        .expect_err("no such column");
        assert!(e.contains("shoe size"), "{e}");
        let e = rule_sql(
            &both,
            &schema,
            r#"{"all":[{"measure":"orders","at_least":2},{"measure":"order_within_30_days","at_least":20}]}"#,
            Dialect::DuckDb,
        )
        .expect_err("a prediction");
        assert!(
            e.contains("chance of ordering within 30 days (%) is a prediction"),
            "{e}"
        );
        assert!(e.contains("export the members instead"), "{e}");
        // Another segment inside a rule: a stage is written as the stage's
        // query, an RFM segment is refused as it is on its own.
        let q = rule_sql(
            &both,
            &schema,
            r#"{"all":[{"in_segment":"At risk","definition":{"Lifecycle":"AtRisk"}},{"measure":"orders","at_least":2}]}"#,
            Dialect::DuckDb,
        )
        .expect("a stage compiles");
        assert!(q.contains("CASE WHEN o.last_day IS NULL"), "{q}");
        let e = rule_sql(
            &both,
            &schema,
            r#"{"in_segment":"Champions","definition":{"Rfm":"Champions"}}"#,
            Dialect::DuckDb,
        )
        .expect_err("RFM");
        assert!(e.contains("RFM segments have a query of their own"), "{e}");
    }
}
