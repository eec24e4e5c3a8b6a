//! The command line's arguments: the global choices, every command and
//! its flags, and the values they take.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use seglens_engine::export::sql::Dialect;
use seglens_engine::import::delimited::Encoding;
use seglens_engine::import::sources::SourceKind;

/// Customer segmentation from order exports: RFM scores and segments,
/// computed exactly as the SegLens app computes them.
#[derive(Parser)]
#[command(name = "seglens", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Reads every file in this encoding instead of the detected one:
    /// utf-8, windows-1252 (also cp1252, latin-1), utf-16le or utf-16be.
    #[arg(long, global = true, value_name = "ENCODING", value_parser = parse_encoding)]
    pub(crate) encoding: Option<Encoding>,
    /// Reads the sheet of this name from every workbook (.xlsx, .xls,
    /// .ods) instead of its first sheet.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) sheet: Option<String>,
    /// Keeps every order whatever its status: cancelled, voided, failed,
    /// pending, draft and test orders are left out otherwise (and counted
    /// by `inspect`).
    #[arg(long, global = true)]
    pub(crate) all_statuses: bool,
}

pub(crate) fn parse_encoding(text: &str) -> Result<Encoding, String> {
    Encoding::parse(text).ok_or_else(|| {
        format!(
            "{text:?} is not an encoding SegLens reads (utf-8, windows-1252, utf-16le, utf-16be)"
        )
    })
}

/// The commands.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Reports what the importer understands of an order file: encoding,
    /// delimiter, header, decimal separator, date format, every column with
    /// its type and role, the rows read and every rejected row (line as a
    /// text editor counts it, column, reason).
    Inspect(crate::commands::inspect::Args),
    /// Scores every customer of an order file (recency, frequency,
    /// monetary) and names their segment.
    ///
    /// Bins follow R's `rfm` package (`rfm_table_order`): type-7 quantiles
    /// of the customer values, interior breaks plus one, a value gets bin i
    /// when lower <= x < upper, recency reversed. Segments are the ten
    /// default segments of R's `rfm`, first match wins; unmatched customers
    /// are "Others". Negative amounts are refunds: they lower the monetary
    /// value but count for neither frequency nor recency.
    ///
    /// Output columns: customer_id, recency_days, frequency, monetary, r, f,
    /// m, rfm_score, segment.
    Rfm(crate::commands::rfm::Args),
    /// Sees a segmentation as a whole: how many customers each pair of
    /// groups shares, the share of the variance of recency, frequency and
    /// spend between the groups (eta squared), the mean silhouette on those
    /// three standardised values, and what it says (distinct, blurred,
    /// overlapping).
    Separation(crate::commands::separation::Args),
    /// Prints the RFM segments' sizes at each month end over the orders'
    /// history: `month_end,segment,customers`. At each month end only the
    /// orders dated up to that day count and the next day is the analysis
    /// date; month ends after the last order are left out.
    History(crate::commands::history::Args),
    /// Measures what each campaign did: per RFM segment at the send day
    /// (the segment the customer was in on the orders before it) and per
    /// group, the customers, those who converted (at least one order dated
    /// from the send day to before the send day + the window), the revenue
    /// of their orders in those days (refunds subtracted) and, against the
    /// control group (or the first A/B variant without one), the uplift in
    /// conversion with its 95% interval. The rows of segment
    /// "All customers" come first.
    Campaign(crate::commands::campaign::Args),
    /// Fits the BG/NBD and Gamma-Gamma models and predicts each customer's
    /// purchases, probability of being active, and lifetime value.
    ///
    /// Same-day purchases of a customer count as one; refunds are left out.
    /// The calibration period ends on --calibration-end (inclusive); with
    /// --holdout-end, the purchases after it up to that date are compared
    /// with the predictions.
    Clv(crate::commands::clv::Args),
    /// Measures every KPI per RFM segment and for all customers: customers,
    /// revenue, revenue per customer, orders per customer, average order
    /// value, repeat-purchase rate, 90-day churn rate, predicted value,
    /// NPS, CSAT and e-mail open, click and click-to-open rates, each with
    /// the counts behind it and, for rates and means, a 95% interval and
    /// the p-value of the difference from the other customers.
    Kpis(crate::commands::kpis::Args),
    /// Prints the RFM segments as a SQL query for DuckDB, PostgreSQL or
    /// BigQuery over your own orders table: the same customers, scores and
    /// segments as `seglens rfm`. Column names come from the order file's
    /// header (as the importer maps them) unless given.
    Sql(crate::commands::sql::Args),
    /// Prints the ids of the customers a segment rule selects, one per
    /// line. The rule file is the JSON the app stores (schema in
    /// docs/cli.md); relative dates count back from --as-of.
    Segment(crate::commands::segment::Args),
    /// Groups the customers with an order by k-means on standardised
    /// features and prints `customer_id,cluster`; the clusters'
    /// descriptions, inertia and silhouette go to stderr.
    Cluster(crate::commands::cluster::Args),
    /// Prints each customer's lifecycle stage (`customer_id,stage`) with
    /// thresholds read from the data, which go to stderr; with --flows,
    /// the new / returning / resurrecting / dormant customers per month.
    Lifecycle(crate::commands::lifecycle::Args),
    /// Prints which product categories the same customers buy, as
    /// association rules `from,to,both,from_buyers,support,confidence,lift`
    /// (highest lift first), over every buyer or the members of a rule.
    CrossSell(crate::commands::cross_sell::Args),
    /// Prints monthly cohort retention: for each month of first orders and
    /// each month after, `cohort,size,months_after,active,revenue`
    /// (customers who ordered that month and their net spend).
    Cohorts(crate::commands::cohorts::Args),
    /// Prints when the customers are active: events per weekday and hour
    /// (UTC) before the analysis date, `weekday,hour,events` (weekday 1 =
    /// Monday).
    Activity(crate::commands::activity::Args),
    /// Prints a funnel over the events: for each step, the customers who
    /// reached it (steps in order, other events allowed in between, within
    /// the window from the first step; each customer's deepest run counts),
    /// `step,event,customers,share_of_first,median_minutes_from_previous`.
    Funnel(crate::commands::funnel::Args),
    /// Prints the paths through sessions (by session id, or cut after 30
    /// minutes without an event): step by step, the moves from one event
    /// to the next, `step,from,to,sessions` ("(end)" when the session
    /// stops, "(other)" for the less frequent events).
    Paths(crate::commands::paths::Args),
    /// Prints how customers moved between RFM segments (default setup)
    /// from an earlier date to the analysis date:
    /// `from_segment,to_segment,customers`.
    Migration(crate::commands::migration::Args),
    /// Writes a project file (`.seglens`) of an order file and its other
    /// sources, as the app's Project › Save writes one: the app opens it.
    Project(crate::commands::project::Args),
    /// Updates a project file with a newer export of its orders (and any
    /// other source given, which replaces the project's of that kind), as
    /// the app's "Update with new exports" does, and prints who entered and
    /// left each RFM segment, lifecycle stage and saved segment.
    ///
    /// An export that starts on or before the project's first order
    /// replaces its orders; one that starts later is added, and from its
    /// first day on its orders replace the project's (an order in both
    /// files counts once: same customer, day and amount). Saved segments,
    /// RFM setup, goals, notes and snapshots are kept; the analysis date
    /// becomes the day after the last order; a snapshot of the KPIs is
    /// added. An export with no customer in common, older than the
    /// project's data or with nothing new is refused unless --yes.
    Update(crate::commands::update::Args),
    /// Writes the demo business (customers, orders, e-mail results, NPS
    /// answers, web events) as CSV files into a folder.
    Demo(crate::commands::demo::Args),
}

/// The files of a dataset and its analysis date.
#[derive(clap::Args)]
pub(crate) struct Sources {
    /// The order file.
    #[arg(long, value_name = "FILE", required_unless_present = "workspace")]
    pub(crate) orders: Option<PathBuf>,
    /// A project file saved by the app (`.seglens`), in place of the files.
    #[arg(long, value_name = "FILE", conflicts_with = "orders")]
    pub(crate) workspace: Option<PathBuf>,
    /// The files beside the orders.
    #[command(flatten)]
    pub(crate) files: OtherFiles,
    /// The analysis date, YYYY-MM-DD. Defaults to the day after the last
    /// order.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) as_of: Option<String>,
}

/// The data a command reads: an order file, or a project file the app
/// saved, and the columns forced for roles.
#[derive(clap::Args)]
pub(crate) struct Input {
    /// The order file (CSV, TSV, semicolon, pipe or space separated, JSON
    /// lines or a workbook). Customer, date and amount columns are
    /// recognised from common English and French names, or from their
    /// values.
    #[arg(long, value_name = "FILE", required_unless_present = "workspace")]
    pub(crate) orders: Option<PathBuf>,
    /// A project file saved by the app (`.seglens`), in place of the order
    /// file: its data and its settings (RFM setup, analysis date, saved
    /// segments, e-mail results) are used.
    #[arg(long, value_name = "FILE", conflicts_with = "orders")]
    pub(crate) workspace: Option<PathBuf>,
    /// Forces a column for a role: ROLE=COLUMN, with ROLE one of
    /// customer_id, date, amount, order_id, quantity, unit_price,
    /// line_total, status, refunded or phone, and COLUMN a header name or a
    /// 1-based position. Repeatable.
    #[arg(long = "map", value_name = "ROLE=COLUMN")]
    pub(crate) map: Vec<String>,
}

/// The files of other kinds than orders, joined to them per customer.
#[derive(clap::Args)]
pub(crate) struct OtherFiles {
    /// The customers file (id, e-mail, attributes).
    #[arg(long, value_name = "FILE")]
    pub(crate) customers: Option<PathBuf>,
    /// E-mail results, read as such whatever their columns: repeat for
    /// several campaigns, or for one campaign's lists (Mailchimp's Sent
    /// to, Opened and Clicked lists make its results together).
    #[arg(long, value_name = "FILE")]
    pub(crate) email: Vec<PathBuf>,
    /// Survey answers.
    #[arg(long, value_name = "FILE")]
    pub(crate) surveys: Option<PathBuf>,
    /// Web or app events.
    #[arg(long, value_name = "FILE")]
    pub(crate) events: Option<PathBuf>,
    /// Support tickets.
    #[arg(long, value_name = "FILE")]
    pub(crate) tickets: Option<PathBuf>,
    /// Marketing costs (date, channel or campaign, spend).
    #[arg(long, value_name = "FILE")]
    pub(crate) costs: Option<PathBuf>,
}

impl OtherFiles {
    /// Each file given, in the order they are joined, with the kind it is
    /// read as when its flag says (none: as its columns say).
    pub(crate) fn paths(&self) -> Vec<(Option<SourceKind>, &PathBuf)> {
        files(
            self.customers.as_ref(),
            &self.email,
            [
                self.surveys.as_ref(),
                self.events.as_ref(),
                self.tickets.as_ref(),
                self.costs.as_ref(),
            ],
        )
    }
}

/// The customers file, the e-mail files (read as e-mail results) and the
/// others, in the order they are joined.
pub(crate) fn files<'a>(
    customers: Option<&'a PathBuf>,
    email: &'a [PathBuf],
    others: impl IntoIterator<Item = Option<&'a PathBuf>>,
) -> Vec<(Option<SourceKind>, &'a PathBuf)> {
    customers
        .map(|p| (None, p))
        .into_iter()
        .chain(email.iter().map(|p| (Some(SourceKind::Email), p)))
        .chain(others.into_iter().flatten().map(|p| (None, p)))
        .collect()
}

/// A number of days, as `7` or `7d`.
pub(crate) fn parse_minutes(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let (number, per) = match t.strip_suffix(['h', 'H']) {
        Some(n) => (n, 60),
        None => (t.strip_suffix(['m', 'M']).unwrap_or(t), 1),
    };
    match number.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(n * per),
        _ => Err(format!("{text:?} is not a duration (30m, 2h)")),
    }
}

pub(crate) fn parse_days(text: &str) -> Result<u32, String> {
    let t = text.trim();
    t.strip_suffix(['d', 'D'])
        .unwrap_or(t)
        .trim()
        .parse::<u32>()
        .map_err(|_| format!("{text:?} is not a number of days (7 or 7d)"))
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum InspectFormat {
    /// A summary for people.
    Text,
    /// The full report as a JSON object.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SqlDialect {
    /// DuckDB.
    Duckdb,
    /// PostgreSQL.
    Postgres,
    /// Google BigQuery.
    Bigquery,
}

impl From<SqlDialect> for Dialect {
    fn from(d: SqlDialect) -> Dialect {
        match d {
            SqlDialect::Duckdb => Dialect::DuckDb,
            SqlDialect::Postgres => Dialect::Postgres,
            SqlDialect::Bigquery => Dialect::BigQuery,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Unit {
    /// Days.
    Days,
    /// Weeks of seven days.
    Weeks,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
}
