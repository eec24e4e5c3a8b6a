//! How each dialect writes the pieces of a query: columns, keys, dates
//! read from text, numbers with a decimal comma, regular expressions.

use crate::model::message::Message;

use super::*;

impl<'a> Compiler<'a> {
    pub(super) fn text(&self) -> &'static str {
        if self.d == Dialect::BigQuery {
            "STRING"
        } else {
            "VARCHAR"
        }
    }

    pub(super) fn col(&self, table: &Table, role: &str) -> Result<String, Message> {
        table.column(role).map(|c| self.d.ident(c)).ok_or_else(|| {
            Message::new("engine.with.sql_no_role_column")
                .with("table", table.table.clone())
                .with("role", role)
        })
    }

    /// A customer key as the engine keeps it: trimmed, and lower-cased when
    /// it is an e-mail address.
    pub(super) fn key(&self, column: &str) -> String {
        let t = format!("TRIM(CAST({column} AS {}))", self.text());
        format!("CASE WHEN STRPOS({t}, '@') > 0 THEN LOWER({t}) ELSE {t} END")
    }

    /// The UTC day of a date or timestamp column.
    pub(super) fn day(&self, column: &str) -> String {
        match self.d {
            Dialect::BigQuery => format!("DATE(CAST({column} AS TIMESTAMP))"),
            _ => format!("CAST(CAST({column} AS TIMESTAMP) AS DATE)"),
        }
    }

    pub(super) fn as_of(&self) -> String {
        date_literal(self.facts.as_of)
    }

    /// A text value: trimmed, NULL when empty.
    pub(super) fn value(&self, column: &str) -> String {
        format!("NULLIF(TRIM(CAST({column} AS {})), '')", self.text())
    }

    pub(super) fn regex_match(&self, value: &str, pattern: &str) -> String {
        match self.d {
            Dialect::DuckDb => format!("regexp_full_match({value}, '{pattern}')"),
            Dialect::Postgres => format!("{value} ~ '^{pattern}$'"),
            Dialect::BigQuery => format!("REGEXP_CONTAINS({value}, r'^{pattern}$')"),
        }
    }

    pub(super) fn regex_replace(&self, value: &str, pattern: &str, with: &str) -> String {
        match self.d {
            Dialect::BigQuery => format!("REGEXP_REPLACE({value}, r'{pattern}', '{with}')"),
            _ => format!("regexp_replace({value}, '{pattern}', '{with}', 'g')"),
        }
    }

    /// A number read from text as the engine reads amounts: currency signs
    /// and spaces dropped, thousands separators dropped, the decimal
    /// separator of the column.
    pub(super) fn number_of(&self, value: &str, decimal: DecimalSeparator) -> String {
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
    pub(super) fn date_of(&self, value: &str, format: DateFormat) -> String {
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
    pub(super) fn flag(&self, table: &Table, role: &str, default: bool) -> String {
        match table.column(role) {
            None => if default { "TRUE" } else { "FALSE" }.into(),
            Some(c) => format!(
                "COALESCE(LOWER(TRIM(CAST({} AS {}))) NOT IN ('', '0', 'no', 'n', 'false', 'non', 'faux', 'f'), FALSE)",
                self.d.ident(c),
                self.text()
            ),
        }
    }

    pub(super) fn number_test(&self, x: &str, test: &Test) -> Result<String, Message> {
        let parse = |s: &str| {
            s.trim()
                .parse::<f64>()
                .map(number)
                .map_err(|_| Message::new("engine.with.not_a_number").with("part", s))
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

    pub(super) fn date_test(&self, x: &str, test: &Test) -> String {
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

    pub(super) fn text_test(&self, x: &str, test: &Test) -> String {
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
    pub(super) fn attribute(&mut self, column: &str) -> Result<(usize, String), Message> {
        let table = self.data.customers.as_ref().ok_or_else(|| {
            Message::new("engine.with.sql_column_without_customers").with("column", column)
        })?;
        let at = table
            .attribute_names
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case(column.trim()))
            .ok_or_else(|| Message::new("engine.with.sql_no_column").with("column", column))?;
        if self.schema.customers.is_none() {
            return Err(Message::new("engine.the_schema_has_no_customers_table"));
        }
        self.attributes = true;
        let name = table.attribute_names[at].clone();
        Ok((at, self.value(&format!("a.{}", self.d.ident(&name)))))
    }

    /// The distinct non-empty values of a customers-file column, as the
    /// engine samples them to detect formats.
    pub(super) fn attribute_sample(&self, at: usize) -> Vec<&'a str> {
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
}
