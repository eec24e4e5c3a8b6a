//! `seglens sql`: prints the RFM segments as a SQL query for DuckDB, PostgreSQL or
//! BigQuery over your own orders table: the same customers, scores and
//! segments as `seglens rfm`. Column names come from the order file's
//! header (as the importer maps them) unless given.

use std::io;
use std::io::Write;

use seglens_engine::export::sql;
use seglens_engine::export::sql::{Dialect, SqlSource};
use seglens_engine::import::roles::Role;
use seglens_engine::segments::rfm;
use seglens_engine::segments::rfm::{Bins, RfmConfig, RfmSetup};

use crate::args::{Input, SqlDialect};
use crate::error::Error;
use crate::load::{Reading, date_arg, load_full};

/// The flags of `seglens sql`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The data read.
    #[command(flatten)]
    input: Input,
    /// The analysis date, YYYY-MM-DD. Defaults to the day after the
    /// last order.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
    /// The SQL dialect.
    #[arg(long, value_enum, default_value_t = SqlDialect::Duckdb)]
    dialect: SqlDialect,
    /// The orders table in the warehouse (default: the file's name).
    #[arg(long)]
    table: Option<String>,
    /// The customer column (default: the mapped header name).
    #[arg(long)]
    customer_column: Option<String>,
    /// The order date column (default: the mapped header name).
    #[arg(long)]
    date_column: Option<String>,
    /// The amount column (default: the mapped header name).
    #[arg(long)]
    amount_column: Option<String>,
    /// Only the members of this segment (repeatable).
    #[arg(long = "segment", value_name = "NAME")]
    segments: Vec<String>,
    /// Number of quantile bins for each of R, F and M.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(2..=9))]
    bins: u8,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args {
        input,
        as_of,
        dialect,
        table,
        customer_column,
        date_column,
        amount_column,
        segments,
        bins,
    } = args;
    let Input {
        orders,
        workspace,
        map,
    } = input;
    let as_of = date_arg("as-of", as_of)?;
    let (data, saved, report) = load_full(reading, orders.as_deref(), workspace.as_deref(), &map)?;
    let data = data.orders;
    let name = orders.clone().or(workspace.clone()).unwrap_or_default();
    let as_of = match as_of.or_else(|| saved.as_ref().and_then(|o| o.as_of)) {
        Some(day) => day,
        None => seglens_engine::default_as_of(&data)
            .ok_or_else(|| format!("{}: no order", name.display()))?,
    };
    let column = |role: Role| {
        report
            .as_ref()
            .and_then(|r| r.columns.iter().find(|c| c.role == Some(role)))
            .map_or_else(|| role.key().to_string(), |c| c.name.clone())
    };
    let stem = match &orders {
        Some(path) => path
            .file_stem()
            .map(|s| s.to_string_lossy().replace([' ', '-', '.'], "_"))
            .unwrap_or_else(|| "orders".into()),
        None => "orders".into(),
    };
    let source = SqlSource {
        table: table.unwrap_or(stem),
        customer: customer_column.unwrap_or_else(|| column(Role::CustomerId)),
        date: date_column.unwrap_or_else(|| column(Role::OrderDate)),
        amount: amount_column.unwrap_or_else(|| column(Role::Amount)),
    };
    let setup = match saved {
        Some(options) => options.rfm,
        None => RfmSetup {
            config: RfmConfig {
                recency: Bins::Quantiles(bins),
                frequency: Bins::Quantiles(bins),
                monetary: Bins::Quantiles(bins),
            },
            rules: rfm::default_rules(),
        },
    };
    let dialect = Dialect::from(dialect);
    let filter = (!segments.is_empty()).then_some(segments.as_slice());
    let query = sql::rfm_sql(&setup, as_of, &source, dialect, filter);
    Ok(write!(io::stdout(), "{query}")?)
}
