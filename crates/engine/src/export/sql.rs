//! RFM segments as SQL, so a team that outgrows the browser runs the same
//! segments in its warehouse: DuckDB, PostgreSQL and BigQuery.
//!
//! The query follows the engine step by step: refunds lower the monetary
//! value but are not orders; type-7 quantile breaks plus one (or the
//! user's thresholds); a value gets the last bin `i` with `lower_i <= x <
//! upper_i`; recency reversed; the first matching rule names the segment.

use serde::{Deserialize, Serialize};

use crate::model::date::{Day, format_iso};
use crate::segments::rfm::{Bins, RfmSetup};

/// A SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dialect {
    /// DuckDB.
    DuckDb,
    /// PostgreSQL.
    Postgres,
    /// Google BigQuery.
    BigQuery,
}

impl Dialect {
    /// Every dialect, for pickers.
    pub const ALL: [Dialect; 3] = [Dialect::DuckDb, Dialect::Postgres, Dialect::BigQuery];

    /// The dialect's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Dialect::DuckDb => "DuckDB",
            Dialect::Postgres => "PostgreSQL",
            Dialect::BigQuery => "BigQuery",
        }
    }

    pub(crate) fn double(self) -> &'static str {
        match self {
            Dialect::DuckDb => "DOUBLE",
            Dialect::Postgres => "DOUBLE PRECISION",
            Dialect::BigQuery => "FLOAT64",
        }
    }

    pub(crate) fn ident(self, name: &str) -> String {
        match self {
            Dialect::BigQuery => format!("`{}`", name.replace('`', "")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    pub(crate) fn days_between(self, from: &str, to: &str) -> String {
        match self {
            Dialect::DuckDb => format!("date_diff('day', {from}, {to})"),
            Dialect::Postgres => format!("({to} - {from})"),
            Dialect::BigQuery => format!("DATE_DIFF({to}, {from}, DAY)"),
        }
    }
}

/// The user's table and the columns the segments read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlSource {
    /// The orders table (may be qualified, e.g. `shop.orders`; written as
    /// given).
    pub table: String,
    /// The customer column.
    pub customer: String,
    /// The order date column.
    pub date: String,
    /// The amount column.
    pub amount: String,
}

impl Dialect {
    /// `text` as a string literal: quotes doubled (standard SQL: DuckDB,
    /// PostgreSQL), or escaped with a backslash as BigQuery reads them
    /// (where `''` is an empty string next to another: "L'Isle-Adam"
    /// would end the literal), its backslashes and line breaks too.
    pub fn literal(self, text: &str) -> String {
        match self {
            Dialect::BigQuery => {
                let mut out = String::with_capacity(text.len() + 2);
                out.push('\'');
                for c in text.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\'' => out.push_str("\\'"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        c => out.push(c),
                    }
                }
                out.push('\'');
                out
            }
            Dialect::DuckDb | Dialect::Postgres => format!("'{}'", text.replace('\'', "''")),
        }
    }
}

pub(crate) fn number(v: f64) -> String {
    if v.is_finite() {
        format!("{v:?}")
    } else {
        "NULL".into()
    }
}

/// The breaks of one dimension: quantile expressions or literal
/// thresholds, over the column `col` of `customer_values`.
fn breaks(bins: &Bins, col: &str, dialect: Dialect) -> Vec<String> {
    match bins {
        Bins::Quantiles(n) => {
            let n = (*n).max(1) as usize;
            let step = 1.0 / n as f64;
            (1..n)
                .map(|i| {
                    let p = number(i as f64 * step);
                    match dialect {
                        Dialect::DuckDb => format!("quantile_cont({col}, {p}) + 1"),
                        Dialect::Postgres => {
                            format!("percentile_cont({p}) WITHIN GROUP (ORDER BY {col}) + 1")
                        }
                        Dialect::BigQuery => format!("PERCENTILE_CONT({col}, {p}) OVER () + 1"),
                    }
                })
                .collect()
        }
        Bins::Thresholds(t) => t.iter().map(|v| number(*v)).collect(),
    }
}

/// The score of a value: the last bin whose `[lower, upper)` holds it;
/// outside every bin, the nearest end (as the engine does).
fn score(value: &str, prefix: &str, n: usize, reversed: bool) -> String {
    let lower = |i: usize| {
        if i == 0 {
            format!("{prefix}_min")
        } else {
            format!("{prefix}_b{i}")
        }
    };
    let upper = |i: usize| {
        if i + 1 == n {
            format!("{prefix}_max + 1")
        } else {
            format!("{prefix}_b{}", i + 1)
        }
    };
    let label = |i: usize| if reversed { n - i } else { i + 1 };
    let mut out = String::from("CASE");
    for i in (0..n).rev() {
        out.push_str(&format!(
            "\n      WHEN {value} >= {} AND {value} < {} THEN {}",
            lower(i),
            upper(i),
            label(i)
        ));
    }
    out.push_str(&format!(
        "\n      WHEN {value} < {} THEN {}\n      ELSE {} END",
        lower(0),
        label(0),
        label(n - 1)
    ));
    out
}

/// The query returning every scored customer with `customer_id`,
/// `recency_days`, `frequency`, `monetary`, `r`, `f`, `m` and `segment`;
/// with `segments`, only the members of those.
pub fn rfm_sql(
    setup: &RfmSetup,
    as_of: Day,
    source: &SqlSource,
    dialect: Dialect,
    segments: Option<&[String]>,
) -> String {
    let d = dialect.double();
    let as_of = format!("DATE '{}'", format_iso(as_of));
    let dims = [
        ("recency_days", "rec", &setup.config.recency, true),
        ("frequency", "fre", &setup.config.frequency, false),
        ("monetary", "mon", &setup.config.monetary, false),
    ];
    // Each bound as `expression AS alias`; BigQuery's PERCENTILE_CONT is
    // analytic only, so there every aggregate is a window over all
    // customers and one row of them is kept.
    let over = if dialect == Dialect::BigQuery {
        " OVER ()"
    } else {
        ""
    };
    let mut bounds: Vec<(String, String)> = Vec::new();
    for (col, prefix, bins, _) in &dims {
        let value = format!("CAST({col} AS {d})");
        bounds.push((format!("MIN({value}){over}"), format!("{prefix}_min")));
        bounds.push((format!("MAX({value}){over}"), format!("{prefix}_max")));
        for (i, b) in breaks(bins, &value, dialect).into_iter().enumerate() {
            bounds.push((b, format!("{prefix}_b{}", i + 1)));
        }
    }
    let select = bounds
        .iter()
        .map(|(e, a)| format!("{e} AS {a}"))
        .collect::<Vec<_>>();
    let bounds_cte = match dialect {
        Dialect::BigQuery => format!(
            "bounds AS (\n  SELECT {}\n  FROM (\n    SELECT\n      {}\n    FROM customer_values\n  ) AS per_row\n)",
            bounds
                .iter()
                .map(|(_, a)| format!("ANY_VALUE({a}) AS {a}"))
                .collect::<Vec<_>>()
                .join(", "),
            select.join(",\n      ")
        ),
        _ => format!(
            "bounds AS (\n  SELECT\n    {}\n  FROM customer_values\n)",
            select.join(",\n    ")
        ),
    };
    let scores: Vec<String> = dims
        .iter()
        .map(|(col, prefix, bins, reversed)| {
            let name = &col[..1];
            format!(
                "{} AS {name}",
                score(
                    &format!("CAST(v.{col} AS {d})"),
                    &format!("b.{prefix}"),
                    usize::from(bins.scores()),
                    *reversed
                )
            )
        })
        .collect();
    let rules: Vec<String> = setup
        .rules
        .iter()
        .map(|x| {
            format!(
                "    WHEN r BETWEEN {} AND {} AND f BETWEEN {} AND {} AND m BETWEEN {} AND {} THEN {}",
                x.r.0, x.r.1, x.f.0, x.f.1, x.m.0, x.m.1,
                dialect.literal(&x.name)
            )
        })
        .collect();
    let filter = match segments {
        Some(list) if !list.is_empty() => format!(
            "\nWHERE segment IN ({})",
            list.iter()
                .map(|s| dialect.literal(s))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => String::new(),
    };
    let (customer, date, amount) = (
        dialect.ident(&source.customer),
        dialect.ident(&source.date),
        dialect.ident(&source.amount),
    );
    format!(
        "-- RFM segments as SegLens computes them (analysis date {as_of}).\n\
WITH seglens_orders AS (\n  SELECT CAST({customer} AS {text}) AS customer_id,\n         CAST({date} AS DATE) AS order_date,\n         CAST({amount} AS {d}) AS amount\n  FROM {table}\n  WHERE CAST({date} AS DATE) <= {as_of}\n),\n\
customer_values AS (\n  SELECT customer_id,\n         {recency} AS recency_days,\n         SUM(CASE WHEN amount >= 0 THEN 1 ELSE 0 END) AS frequency,\n         SUM(amount) AS monetary\n  FROM seglens_orders\n  GROUP BY customer_id\n  HAVING SUM(CASE WHEN amount >= 0 THEN 1 ELSE 0 END) > 0\n),\n\
{bounds_cte},\n\
scored AS (\n  SELECT v.customer_id, v.recency_days, v.frequency, v.monetary,\n    {scores}\n  FROM customer_values AS v CROSS JOIN bounds AS b\n),\n\
named AS (\n  SELECT *, CASE\n{rules}\n    ELSE 'Others' END AS segment\n  FROM scored\n)\n\
SELECT customer_id, recency_days, frequency, monetary, r, f, m, segment\nFROM named{filter}\nORDER BY customer_id;\n",
        text = if dialect == Dialect::BigQuery {
            "STRING"
        } else {
            "VARCHAR"
        },
        table = source.table,
        recency = dialect.days_between("MAX(CASE WHEN amount >= 0 THEN order_date END)", &as_of),
        scores = scores.join(",\n    "),
        rules = rules.join("\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_escaped_as_each_dialect_reads_them() {
        // BigQuery's lexical rules: `\'` is a quote, `\\` a backslash, `\n`
        // a line break; standard SQL doubles the quote and keeps `\`.
        assert_eq!(Dialect::BigQuery.literal("L'Isle-Adam"), r"'L\'Isle-Adam'");
        assert_eq!(Dialect::BigQuery.literal(r"a\b"), r"'a\\b'");
        assert_eq!(Dialect::BigQuery.literal("a\nb"), r"'a\nb'");
        assert_eq!(Dialect::DuckDb.literal("L'Isle-Adam"), "'L''Isle-Adam'");
        assert_eq!(Dialect::Postgres.literal(r"a\b"), r"'a\b'");
    }

    #[test]
    fn the_query_names_every_rule_and_dimension() {
        let source = SqlSource {
            table: "shop.orders".into(),
            customer: "Client".into(),
            date: "Date de commande".into(),
            amount: "Montant TTC".into(),
        };
        for dialect in Dialect::ALL {
            let q = rfm_sql(
                &RfmSetup::default(),
                20_000,
                &source,
                dialect,
                Some(&["Can't Lose Them".to_string()]),
            );
            assert!(q.contains("FROM shop.orders"));
            // BigQuery escapes the quote with a backslash; `''` would end
            // the literal there.
            let quoted = if dialect == Dialect::BigQuery {
                r"'Can\'t Lose Them'"
            } else {
                "'Can''t Lose Them'"
            };
            assert!(q.contains(quoted), "{q}");
            assert!(q.contains("THEN 'Champions'"));
            assert!(
                q.contains("WHEN r BETWEEN 5 AND 5 AND f BETWEEN 5 AND 5 AND m BETWEEN 5 AND 5")
            );
            assert!(q.matches("_b4").count() >= 3, "{q}");
            match dialect {
                Dialect::BigQuery => assert!(
                    q.contains("`Date de commande`")
                        && q.contains("PERCENTILE_CONT")
                        && q.contains("DATE_DIFF")
                ),
                Dialect::Postgres => {
                    assert!(q.contains("\"Montant TTC\"") && q.contains("WITHIN GROUP"))
                }
                Dialect::DuckDb => {
                    assert!(q.contains("quantile_cont") && q.contains("date_diff('day'"))
                }
            }
        }
    }
}
