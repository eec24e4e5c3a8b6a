//! `seglens`: the SegLens engine on the command line, for big files and
//! pipelines. It prints the same figures as the browser app.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod campaign;
mod history;
mod separation;
mod update;

use clap::{Parser, Subcommand, ValueEnum};
use seglens_engine::analysis::cohorts;
use seglens_engine::analysis::{self, AnalysisOptions};
use seglens_engine::export::segment_sql::{Schema, orders_columns, segment_sql};
use seglens_engine::export::sql::{self, Dialect, SqlSource};
use seglens_engine::import::dataset::Dataset;
use seglens_engine::import::delimited::Encoding;
use seglens_engine::import::demo;
use seglens_engine::import::orders::ColumnRef;
use seglens_engine::import::platform;
use seglens_engine::import::roles::Role;
use seglens_engine::journeys::crosssell;
use seglens_engine::metrics::kpi::{self, KpiTable};
use seglens_engine::model::date::{self, Day};
use seglens_engine::models::clv::{self, TimeUnit};
use seglens_engine::segments::cluster::{self, ClusterSetup, Feature};
use seglens_engine::segments::lifecycle::{self, Period};
use seglens_engine::segments::rfm::{self, Bins, RfmConfig, RfmSetup};
use seglens_engine::segments::{Facts, Rule};
use seglens_engine::store::project::Project;
use seglens_engine::{ImportOptions, ImportReport, Orders, OrdersImporter};

/// Customer segmentation from order exports: RFM scores and segments,
/// computed exactly as the SegLens app computes them.
#[derive(Parser)]
#[command(name = "seglens", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Reads every file in this encoding instead of the detected one:
    /// utf-8, windows-1252 (also cp1252, latin-1), utf-16le or utf-16be.
    #[arg(long, global = true, value_name = "ENCODING", value_parser = parse_encoding)]
    encoding: Option<Encoding>,
    /// Reads the sheet of this name from every workbook (.xlsx, .xls,
    /// .ods) instead of its first sheet.
    #[arg(long, global = true, value_name = "NAME")]
    sheet: Option<String>,
    /// Keeps every order whatever its status: cancelled, voided, failed,
    /// pending, draft and test orders are left out otherwise (and counted
    /// by `inspect`).
    #[arg(long, global = true)]
    all_statuses: bool,
}

/// The encoding chosen with `--encoding`, for every file read.
static ENCODING: std::sync::OnceLock<Option<Encoding>> = std::sync::OnceLock::new();

fn chosen_encoding() -> Option<Encoding> {
    ENCODING.get().copied().flatten()
}

/// The sheet chosen with `--sheet`, for every workbook read.
static SHEET: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

fn chosen_sheet() -> Option<String> {
    SHEET.get().cloned().flatten()
}

/// `--all-statuses`, for every order file read.
static ALL_STATUSES: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// How to read a source file: the chosen encoding and sheet.
fn read_options() -> seglens_engine::import::sources::ReadOptions {
    seglens_engine::import::sources::ReadOptions {
        encoding: chosen_encoding(),
        sheet: chosen_sheet(),
        today: today(),
        ..Default::default()
    }
}

/// Today on this machine's clock, to point at dates after it.
fn today() -> Option<Day> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_secs() / 86_400) as Day)
        .ok()
}

fn parse_encoding(text: &str) -> Result<Encoding, String> {
    Encoding::parse(text).ok_or_else(|| {
        format!(
            "{text:?} is not an encoding SegLens reads (utf-8, windows-1252, utf-16le, utf-16be)"
        )
    })
}

#[derive(Subcommand)]
enum Command {
    /// Reports what the importer understands of an order file: encoding,
    /// delimiter, header, decimal separator, date format, every column with
    /// its type and role, the rows read and every rejected row (line as a
    /// text editor counts it, column, reason).
    Inspect {
        /// The order file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
        format: InspectFormat,
        /// Forces a column for a role, as for `rfm`. Repeatable.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
    },
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
    Rfm {
        /// The order file (CSV, TSV, semicolon, pipe or space separated).
        /// Customer, date and amount columns are recognised from common
        /// English and French names, or from their values.
        #[arg(long, value_name = "FILE", required_unless_present = "workspace")]
        orders: Option<PathBuf>,
        /// A project file saved by the app (`.seglens`), in place of the
        /// order file: its data and its RFM setup are used.
        #[arg(long, value_name = "FILE", conflicts_with = "orders")]
        workspace: Option<PathBuf>,
        /// The analysis date, YYYY-MM-DD. Defaults to the day after the
        /// last order.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
        /// Number of quantile bins for each of R, F and M (ignored with
        /// --workspace, whose setup is used).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(2..=9))]
        bins: u8,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Forces a column for a role: ROLE=COLUMN, with ROLE one of
        /// customer_id, date, amount and COLUMN a header name or a 1-based
        /// position. Repeatable.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
    },
    /// Sees a segmentation as a whole: how many customers each pair of
    /// groups shares, the share of the variance of recency, frequency and
    /// spend between the groups (eta squared), the mean silhouette on those
    /// three standardised values, and what it says (distinct, blurred,
    /// overlapping).
    Separation {
        /// The order file.
        #[arg(long, value_name = "FILE", required_unless_present = "workspace")]
        orders: Option<PathBuf>,
        /// A project file saved by the app (`.seglens`), in place of the
        /// order file: its data and settings are used.
        #[arg(long, value_name = "FILE", conflicts_with = "orders")]
        workspace: Option<PathBuf>,
        /// The groups: the RFM segments or the lifecycle stages.
        #[arg(long, value_enum, default_value_t = separation::Groups::Rfm)]
        groups: separation::Groups,
        /// The analysis date, YYYY-MM-DD (default: the day after the last order).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Forces a column for a role: ROLE=COLUMN. Repeatable.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
    },
    /// Prints the RFM segments' sizes at each month end over the orders'
    /// history: `month_end,segment,customers`. At each month end only the
    /// orders dated up to that day count and the next day is the analysis
    /// date; month ends after the last order are left out.
    History {
        /// The order file.
        #[arg(long, value_name = "FILE", required_unless_present = "workspace")]
        orders: Option<PathBuf>,
        /// A project file saved by the app (`.seglens`), in place of the
        /// order file: its data and its RFM setup are used.
        #[arg(long, value_name = "FILE", conflicts_with = "orders")]
        workspace: Option<PathBuf>,
        /// The first month, YYYY-MM (default: the first order's).
        #[arg(long, value_name = "YYYY-MM")]
        from: Option<String>,
        /// The last month, YYYY-MM (default: the last order's).
        #[arg(long, value_name = "YYYY-MM")]
        to: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Forces a column for a role: ROLE=COLUMN. Repeatable.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
    },
    /// Measures what each campaign did: per RFM segment at the send day
    /// (the segment the customer was in on the orders before it) and per
    /// group, the customers, those who converted (at least one order dated
    /// from the send day to before the send day + the window), the revenue
    /// of their orders in those days (refunds subtracted) and, against the
    /// control group (or the first A/B variant without one), the uplift in
    /// conversion with its 95% interval. The rows of segment
    /// "All customers" come first.
    Campaign {
        /// The order file.
        #[arg(long, value_name = "FILE", required_unless_present = "workspace")]
        orders: Option<PathBuf>,
        /// A project file saved by the app (`.seglens`), in place of the
        /// order file: its data, its e-mail results and its RFM setup are
        /// used.
        #[arg(long, value_name = "FILE", conflicts_with = "orders")]
        workspace: Option<PathBuf>,
        /// Who was sent which campaign: customer, campaign, sent date and
        /// group (control or treatment) or variant; e-mail results with a
        /// campaign column are read the same way.
        #[arg(
            long,
            value_name = "FILE",
            alias = "email",
            required_unless_present = "workspace"
        )]
        sends: Option<PathBuf>,
        /// The days after the send in which an order counts.
        #[arg(long, value_name = "N", default_value_t = seglens_engine::analysis::campaign::DEFAULT_WINDOW_DAYS)]
        window_days: i32,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Forces a column for a role: ROLE=COLUMN. Repeatable.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
    },
    /// Fits the BG/NBD and Gamma-Gamma models and predicts each customer's
    /// purchases, probability of being active, and lifetime value.
    ///
    /// Same-day purchases of a customer count as one; refunds are left out.
    /// The calibration period ends on --calibration-end (inclusive); with
    /// --holdout-end, the purchases after it up to that date are compared
    /// with the predictions.
    Clv {
        /// The order file.
        #[arg(long, value_name = "FILE", required_unless_present = "workspace")]
        orders: Option<PathBuf>,
        /// A project file saved by the app (`.seglens`), in place of the
        /// order file.
        #[arg(long, value_name = "FILE", conflicts_with = "orders")]
        workspace: Option<PathBuf>,
        /// Last day of the calibration period, YYYY-MM-DD. Defaults to the
        /// last order's day.
        #[arg(long, value_name = "YYYY-MM-DD")]
        calibration_end: Option<String>,
        /// Last day of the holdout period, YYYY-MM-DD.
        #[arg(long, value_name = "YYYY-MM-DD")]
        holdout_end: Option<String>,
        /// The model's unit of time.
        #[arg(long, value_enum, default_value_t = Unit::Weeks)]
        unit: Unit,
        /// Prediction horizon in the unit (default 52 weeks or 365 days).
        #[arg(long)]
        horizon: Option<f64>,
        /// Monthly discount rate for the lifetime value.
        #[arg(long, default_value_t = 0.01)]
        discount_rate: f64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Forces a column for a role, as for `rfm`. Repeatable.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
    },
    /// Measures every KPI per RFM segment and for all customers: customers,
    /// revenue, revenue per customer, orders per customer, average order
    /// value, repeat-purchase rate, 90-day churn rate, predicted value,
    /// NPS, CSAT and e-mail open, click and click-to-open rates, each with
    /// the counts behind it and, for rates and means, a 95% interval and
    /// the p-value of the difference from the other customers.
    Kpis {
        /// The order file.
        #[arg(long, value_name = "FILE", required_unless_present = "workspace")]
        orders: Option<PathBuf>,
        /// A project file saved by the app (`.seglens`), in place of the
        /// order file: its data and its RFM setup are used.
        #[arg(long, value_name = "FILE", conflicts_with = "orders")]
        workspace: Option<PathBuf>,

        /// E-mail results (customer, opened, clicked, ...).
        #[arg(long, value_name = "FILE")]
        email: Option<PathBuf>,
        /// Survey answers (customer, NPS 0-10 and/or CSAT 1-5).
        #[arg(long, value_name = "FILE")]
        surveys: Option<PathBuf>,
        /// Support tickets (customer, opened, resolved).
        #[arg(long, value_name = "FILE")]
        tickets: Option<PathBuf>,
        /// Marketing costs (date, channel or campaign, spend), for CAC and
        /// ROI; customers are matched to channels by the customers file's
        /// acquisition column.
        #[arg(long, value_name = "FILE")]
        costs: Option<PathBuf>,
        /// The customers file (for segments on its columns).
        #[arg(long, value_name = "FILE")]
        customers: Option<PathBuf>,
        /// Web or app events (for segments on events).
        #[arg(long, value_name = "FILE")]
        events: Option<PathBuf>,
        /// The churn and retention period, in days (90 unless the project
        /// saved another).
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(i32).range(7..=730))]
        churn_days: Option<i32>,
        /// Segments to measure instead of the RFM segments: a JSON array of
        /// `{"name": ..., "rule": RULE}` (rules as for `seglens segment`) or
        /// of saved segments, `{"name": ..., "definition": DEFINITION}`.
        #[arg(long, value_name = "SEGMENTS.json")]
        segments: Option<PathBuf>,
        /// The analysis date, YYYY-MM-DD. Defaults to the day after the
        /// last order.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Forces a column of the order file for a role, as for `rfm`.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
    },
    /// Prints the RFM segments as a SQL query for DuckDB, PostgreSQL or
    /// BigQuery over your own orders table: the same customers, scores and
    /// segments as `seglens rfm`. Column names come from the order file's
    /// header (as the importer maps them) unless given.
    Sql {
        /// The order file the segments are computed from.
        #[arg(long, value_name = "FILE", required_unless_present = "workspace")]
        orders: Option<PathBuf>,
        /// A project file saved by the app (`.seglens`), in place of the
        /// order file: its orders, column names, RFM setup and analysis
        /// date.
        #[arg(long, value_name = "FILE", conflicts_with = "orders")]
        workspace: Option<PathBuf>,
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
        /// Forces a column of the order file for a role, as for `rfm`.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
    },
    /// Prints the ids of the customers a segment rule selects, one per
    /// line. The rule file is the JSON the app stores (schema in
    /// docs/cli.md); relative dates count back from --as-of.
    Segment {
        #[command(flatten)]
        sources: Sources,
        /// The rule file (JSON).
        #[arg(long, value_name = "RULE.json", required_unless_present_any = ["definition", "saved"])]
        rule: Option<PathBuf>,
        /// Any saved segment's definition as the app stores it (JSON), e.g.
        /// `{"Lifecycle":"AtRisk"}` or `{"Group":{"split":{"Tier":"Value"},"group":"High value"}}`.
        #[arg(long, value_name = "JSON", conflicts_with = "rule")]
        definition: Option<String>,
        /// A segment saved in the `--workspace` project, by name.
        #[arg(long, value_name = "NAME", conflicts_with_all = ["rule", "definition"])]
        saved: Option<String>,
        /// Prints the number of customers only.
        #[arg(long)]
        count: bool,
        /// Prints the segment as a SQL query over your own tables instead
        /// of its members.
        #[arg(long, value_enum, value_name = "DIALECT")]
        sql: Option<SqlDialect>,
        /// A table's name in the query, as KIND=NAME (orders, customers,
        /// email, surveys, events, tickets); each defaults to its kind.
        #[arg(long = "table", value_name = "KIND=NAME")]
        tables: Vec<String>,
    },
    /// Groups the customers with an order by k-means on standardised
    /// features and prints `customer_id,cluster`; the clusters'
    /// descriptions, inertia and silhouette go to stderr.
    Cluster {
        #[command(flatten)]
        sources: Sources,
        /// The number of clusters.
        #[arg(long, default_value_t = 4)]
        k: usize,
        /// Features, comma separated: recency, frequency, monetary, tenure,
        /// aov, engagement, or a numeric column of the customers file.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "recency,frequency,monetary,tenure"
        )]
        features: Vec<String>,
        /// The seed of the k-means++ seeding.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Runs from different seedings; the lowest inertia is kept.
        #[arg(long, default_value_t = 4)]
        runs: usize,
        /// Prints the silhouette of k = 2..10 instead (`k,silhouette`).
        #[arg(long)]
        silhouette: bool,
    },
    /// Prints each customer's lifecycle stage (`customer_id,stage`) with
    /// thresholds read from the data, which go to stderr; with --flows,
    /// the new / returning / resurrecting / dormant customers per month.
    Lifecycle {
        #[command(flatten)]
        sources: Sources,
        /// Prints the monthly flows instead of the stages.
        #[arg(long)]
        flows: bool,
    },
    /// Prints which product categories the same customers buy, as
    /// association rules `from,to,both,from_buyers,support,confidence,lift`
    /// (highest lift first), over every buyer or the members of a rule.
    CrossSell {
        #[command(flatten)]
        sources: Sources,
        /// Only the customers this rule selects.
        #[arg(long, value_name = "RULE.json")]
        rule: Option<PathBuf>,
        /// Pairs bought together by fewer customers are left out.
        #[arg(long, default_value_t = 10)]
        min: u64,
    },
    /// Prints monthly cohort retention: for each month of first orders and
    /// each month after, `cohort,size,months_after,active,revenue`
    /// (customers who ordered that month and their net spend).
    Cohorts {
        #[command(flatten)]
        sources: Sources,
        /// Only the customers this rule selects.
        #[arg(long, value_name = "RULE.json")]
        rule: Option<PathBuf>,
    },
    /// Prints when the customers are active: events per weekday and hour
    /// (UTC) before the analysis date, `weekday,hour,events` (weekday 1 =
    /// Monday).
    Activity {
        #[command(flatten)]
        sources: Sources,
        /// Only the customers this rule selects.
        #[arg(long, value_name = "RULE.json")]
        rule: Option<PathBuf>,
    },
    /// Prints a funnel over the events: for each step, the customers who
    /// reached it (steps in order, other events allowed in between, within
    /// the window from the first step; each customer's deepest run counts),
    /// `step,event,customers,share_of_first,median_minutes_from_previous`.
    Funnel {
        #[command(flatten)]
        sources: Sources,
        /// The steps, comma separated event names (default: the five most
        /// frequent events in their usual order). A step can be narrowed by
        /// another column of the events: `view_product[page=/c/books]`
        /// (equal, ignoring case) or `view_product[page~books]` (contains).
        #[arg(long, value_name = "EVENT,EVENT,...")]
        steps: Option<String>,
        /// The conversion window from the first step, in days (`7` or
        /// `7d`).
        #[arg(long = "window-days", alias = "window", default_value = "30", value_parser = parse_days)]
        window_days: u32,
        /// Strict order: each step right after the previous one, no other
        /// event in between.
        #[arg(long)]
        strict: bool,
        /// Only the customers this rule selects.
        #[arg(long, value_name = "RULE.json", conflicts_with = "segments")]
        rule: Option<PathBuf>,
        /// Side by side for these segments (the same file as `seglens kpis
        /// --segments`: `[{"name": ..., "rule": RULE}, ...]`, or saved
        /// segments' `{"name": ..., "definition": DEFINITION}`), then for
        /// all customers: one block of steps per group, with a `group`
        /// column first.
        #[arg(long, value_name = "SEGMENTS.json")]
        segments: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
    },
    /// Prints the paths through sessions (by session id, or cut after 30
    /// minutes without an event): step by step, the moves from one event
    /// to the next, `step,from,to,sessions` ("(end)" when the session
    /// stops, "(other)" for the less frequent events).
    Paths {
        #[command(flatten)]
        sources: Sources,
        /// Start each path at the session's first occurrence of this event
        /// (default: at the session's first event).
        #[arg(long, value_name = "EVENT", conflicts_with = "to")]
        from: Option<String>,
        /// Instead, the steps leading to the session's first occurrence of
        /// this event ("(start)" where the session begins).
        #[arg(long, value_name = "EVENT")]
        to: Option<String>,
        /// Steps to follow.
        #[arg(long, default_value_t = 4)]
        depth: usize,
        /// Time without an event that ends a session when the file has no
        /// session ids (`30m`, `2h`; minutes when no unit is given).
        #[arg(long, default_value = "30m", value_parser = parse_minutes)]
        session_gap: u32,
        /// Events kept at each step, the others lumped as "(other)" (0:
        /// all).
        #[arg(long, default_value_t = 6)]
        top: usize,
        /// Only the customers this rule selects.
        #[arg(long, value_name = "RULE.json")]
        rule: Option<PathBuf>,
    },
    /// Prints how customers moved between RFM segments (default setup)
    /// from an earlier date to the analysis date:
    /// `from_segment,to_segment,customers`.
    Migration {
        #[command(flatten)]
        sources: Sources,
        /// The earlier date, YYYY-MM-DD.
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: String,
    },
    /// Writes a project file (`.seglens`) of an order file and its other
    /// sources, as the app's Project › Save writes one: the app opens it.
    Project {
        #[command(flatten)]
        sources: Sources,
        /// The project file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
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
    Update {
        /// The project file to update (`.seglens`).
        #[arg(long, value_name = "FILE")]
        workspace: PathBuf,
        /// The newer export of the orders.
        #[arg(long, value_name = "FILE")]
        orders: PathBuf,
        /// Newer files of other kinds, each replacing the project's.
        #[command(flatten)]
        files: OtherFiles,
        /// The updated project file to write (may be the same file).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Takes in an export that does not look like the next one.
        #[arg(long)]
        yes: bool,
        /// Output: a summary, or everything with the customers who moved
        /// as JSON.
        #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
        format: InspectFormat,
        /// Forces a column for a role: ROLE=COLUMN. Repeatable.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
    },
    /// Writes the demo business (customers, orders, e-mail results, NPS
    /// answers, web events) as CSV files into a folder.
    Demo {
        /// The folder to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The generator's seed; the app's demo uses the default.
        #[arg(long, default_value_t = demo::DEMO_SEED)]
        seed: u64,
        /// The number of customers; the app's demo has the default.
        #[arg(long, default_value_t = demo::DEMO_CUSTOMERS)]
        customers: usize,
    },
}

/// The files of a dataset and its analysis date.
#[derive(clap::Args)]
struct Sources {
    /// The order file.
    #[arg(long, value_name = "FILE", required_unless_present = "workspace")]
    orders: Option<PathBuf>,
    /// A project file saved by the app (`.seglens`), in place of the files.
    #[arg(long, value_name = "FILE", conflicts_with = "orders")]
    workspace: Option<PathBuf>,
    /// The files beside the orders.
    #[command(flatten)]
    files: OtherFiles,
    /// The analysis date, YYYY-MM-DD. Defaults to the day after the last
    /// order.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
}

/// The files of other kinds than orders, joined to them per customer.
#[derive(clap::Args)]
struct OtherFiles {
    /// The customers file (id, e-mail, attributes).
    #[arg(long, value_name = "FILE")]
    customers: Option<PathBuf>,
    /// E-mail results.
    #[arg(long, value_name = "FILE")]
    email: Option<PathBuf>,
    /// Survey answers.
    #[arg(long, value_name = "FILE")]
    surveys: Option<PathBuf>,
    /// Web or app events.
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// Support tickets.
    #[arg(long, value_name = "FILE")]
    tickets: Option<PathBuf>,
    /// Marketing costs (date, channel or campaign, spend).
    #[arg(long, value_name = "FILE")]
    costs: Option<PathBuf>,
}

impl OtherFiles {
    /// Each file given, in the order they are joined.
    fn paths(&self) -> [&Option<PathBuf>; 6] {
        [
            &self.customers,
            &self.email,
            &self.surveys,
            &self.events,
            &self.tickets,
            &self.costs,
        ]
    }
}

impl Sources {
    /// Reads the files into a dataset, with the analysis date.
    fn load(&self) -> Result<(Dataset, Day), String> {
        self.load_full().map(|(data, as_of, _, _)| (data, as_of))
    }

    /// [`Sources::load`], with the project's saved settings (with
    /// `--workspace`) and the orders' import report.
    fn load_full(
        &self,
    ) -> Result<(Dataset, Day, Option<AnalysisOptions>, Option<ImportReport>), String> {
        let (mut data, saved, report) =
            load_full(self.orders.as_deref(), self.workspace.as_deref(), &[])?;
        add_sources(&mut data, self.files.paths())?;
        let as_of = match date_arg("as-of", self.as_of.clone())? {
            Some(d) => d,
            None => saved
                .as_ref()
                .and_then(|o| o.as_of)
                .or_else(|| seglens_engine::default_as_of(&data.orders))
                .ok_or("the orders hold no order")?,
        };
        Ok((data, as_of, saved, report))
    }
}

/// A number of days, as `7` or `7d`.
fn parse_minutes(text: &str) -> Result<u32, String> {
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

fn parse_days(text: &str) -> Result<u32, String> {
    let t = text.trim();
    t.strip_suffix(['d', 'D'])
        .unwrap_or(t)
        .trim()
        .parse::<u32>()
        .map_err(|_| format!("{text:?} is not a number of days (7 or 7d)"))
}

/// The events of a dataset, or what to give.
fn events_of(data: &Dataset) -> Result<&seglens_engine::import::sources::EventTable, String> {
    data.events
        .as_ref()
        .ok_or_else(|| "give the events file (--events FILE)".to_string())
}

/// Joins each given file to the dataset, saying how many rows it rejected.
fn add_sources<'a>(
    data: &mut Dataset,
    paths: impl IntoIterator<Item = &'a Option<PathBuf>>,
) -> Result<(), String> {
    for path in paths.into_iter().flatten() {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let report = data
            .add_source_as(&name, &bytes, &read_options())
            .map_err(|e| e.to_string())?;
        if report.rejected_total > 0 {
            eprintln!("seglens: {name}: {} rows rejected", report.rejected_total);
        }
        if report.suspicious_total > 0 {
            let listed: Vec<String> = report
                .suspicious
                .iter()
                .take(5)
                .map(|e| format!("line {}: {}", e.line, e.reason))
                .collect();
            eprintln!(
                "seglens: {name}: {} rows kept with a value to check ({})",
                report.suspicious_total,
                listed.join("; ")
            );
        }
    }
    Ok(())
}

/// Reads a segments file: a JSON array of `{"name": ..., "rule": RULE}`,
/// or of saved segments as the app keeps them, `{"name": ...,
/// "definition": DEFINITION}` (lifecycle stages, groups, clusters...).
fn read_segments(path: &Path) -> Result<Vec<seglens_engine::segments::SavedSegment>, String> {
    use seglens_engine::segments::{Definition, SavedSegment};
    let at = |e: String| format!("{}: {e}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| at(e.to_string()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        at(format!(
            "not valid JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    let list = value
        .as_array()
        .ok_or_else(|| at("expected a list of {\"name\": ..., \"rule\": ...}".into()))?;
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let name = item
                .get("name")
                .and_then(|n| n.as_str())
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| at(format!("segment {}: expected a \"name\"", i + 1)))?;
            let definition = match (item.get("rule"), item.get("definition")) {
                (Some(rule), _) => Definition::Rule(
                    Rule::from_value(rule, "rule")
                        .map_err(|e| at(format!("segment {name}: {e}")))?
                        .to_json(),
                ),
                (None, Some(definition)) => serde_json::from_value(definition.clone())
                    .map_err(|e| at(format!("segment {name}: {e}")))?,
                (None, None) => {
                    return Err(at(format!(
                        "segment {name}: expected a \"rule\" (or a saved segment's \"definition\")"
                    )));
                }
            };
            Ok(SavedSegment {
                name: name.to_string(),
                version: 1,
                definition,
                note: String::new(),
            })
        })
        .collect()
}

/// The customers a rule file selects, when one is given.
fn rule_members(
    data: &Dataset,
    as_of: Day,
    rule: Option<&Path>,
) -> Result<Option<seglens_engine::model::bitmap::Bitmap>, String> {
    let Some(path) = rule else { return Ok(None) };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let facts = Facts::new(data, as_of);
    let lifecycle = lifecycle::suggest(&data.orders, &facts).setup;
    seglens_engine::segments::groups::members(
        data,
        &facts,
        &seglens_engine::segments::Definition::Rule(text),
        &lifecycle,
    )
    .map(Some)
    .map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes lines to stdout, ending quietly when the reader goes away.
fn print_lines(lines: impl Iterator<Item = String>) -> Result<(), String> {
    let mut out = BufWriter::new(io::stdout().lock());
    let result = (|| -> io::Result<()> {
        for line in lines {
            writeln!(out, "{line}")?;
        }
        out.flush()
    })();
    match result {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum InspectFormat {
    /// A summary for people.
    Text,
    /// The full report as a JSON object.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum SqlDialect {
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
enum Unit {
    /// Days.
    Days,
    /// Weeks of seven days.
    Weeks,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = ENCODING.set(cli.encoding);
    let _ = SHEET.set(cli.sheet.clone());
    let _ = ALL_STATUSES.set(cli.all_statuses);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("seglens: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Separation {
            orders,
            workspace,
            groups,
            as_of,
            format,
            map,
        } => {
            let as_of = date_arg("as-of", as_of)?;
            let (data, saved) = load(orders.as_deref(), workspace.as_deref(), &map)?;
            let mut options = saved.unwrap_or_default();
            if as_of.is_some() {
                options.as_of = as_of;
            }
            match separation::run(&data, options, groups, format) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| e.to_string()),
            }
        }
        Command::Project { sources, out } => {
            let (data, as_of, saved, report) = sources.load_full()?;
            let options = AnalysisOptions {
                as_of: sources.as_of.is_some().then_some(as_of),
                ..saved.unwrap_or_default()
            };
            let name = sources
                .orders
                .as_deref()
                .or(sources.workspace.as_deref())
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let record = update::new_record(&name, report.as_ref(), &data, &options);
            update::write(&out, &record, &data)
        }
        Command::Update {
            workspace,
            orders,
            files,
            out,
            yes,
            format,
            map,
        } => {
            let (new, report) = read_orders(&orders, parse_map(&map)?)?;
            let name = orders
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let made = today().map(date::format_iso).unwrap_or_default();
            update::run(
                &workspace,
                &name,
                new,
                report,
                |data| add_sources(data, files.paths()),
                &out,
                yes,
                &made,
                format,
            )
        }
        Command::Campaign {
            orders,
            workspace,
            sends,
            window_days,
            format,
            map,
        } => {
            if window_days < 1 {
                return Err(format!(
                    "--window-days {window_days}: give at least one day"
                ));
            }
            let (mut data, saved) = load(orders.as_deref(), workspace.as_deref(), &map)?;
            add_sources(&mut data, [&sends])?;
            let email = data
                .email
                .as_ref()
                .ok_or("give the sends or e-mail results file (--sends FILE)")?;
            let setup = saved.map(|o| o.rfm).unwrap_or_else(r_rfm_setup);
            let results = seglens_engine::analysis::campaign::measure(
                &data.orders,
                email,
                &setup,
                window_days,
            );
            match campaign::run(&results, format) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| e.to_string()),
            }
        }
        Command::History {
            orders,
            workspace,
            from,
            to,
            format,
            map,
        } => {
            let (from, to) = (
                history::month_arg("from", from)?,
                history::month_arg("to", to)?,
            );
            let (data, saved) = load(orders.as_deref(), workspace.as_deref(), &map)?;
            let setup = saved.map(|o| o.rfm).unwrap_or_else(r_rfm_setup);
            match history::run(&data, &setup, from, to, format) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| e.to_string()),
            }
        }
        Command::Rfm {
            orders,
            workspace,
            as_of,
            bins,
            format,
            map,
        } => {
            let as_of = date_arg("as-of", as_of)?;
            let (data, saved) = load(orders.as_deref(), workspace.as_deref(), &map)?;
            let mut options = saved.unwrap_or_else(|| AnalysisOptions {
                rfm: RfmSetup {
                    config: RfmConfig {
                        recency: Bins::Quantiles(bins),
                        frequency: Bins::Quantiles(bins),
                        monetary: Bins::Quantiles(bins),
                    },
                    rules: rfm::default_rules(),
                },
                ..AnalysisOptions::default()
            });
            if as_of.is_some() {
                options.as_of = as_of;
            }
            let (_, result) = analysis::rfm_result(&data, &options)?;
            match write_rfm(&data.orders, &result, format) {
                // A closed pipe (`seglens rfm ... | head`) is not an error.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| e.to_string()),
            }
        }
        Command::Inspect { file, format, map } => {
            if map.is_empty()
                && let Some(out) = inspect_source(&file, format)?
            {
                return match writeln!(io::stdout(), "{out}") {
                    Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
                    _ => Ok(()),
                };
            }
            let (_, report) = import_file(&file, parse_map(&map)?)?;
            let sheets = workbook_sheets(&file);
            let out = match format {
                InspectFormat::Json => {
                    let mut json = inspect_json(&report);
                    json["sheets"] = serde_json::json!(sheets);
                    serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
                }
                InspectFormat::Text => match &sheets {
                    Some(names) => format!(
                        "{}\nsheets: {}",
                        inspect_text(&report).trim_end(),
                        names.join(", ")
                    ),
                    None => inspect_text(&report),
                },
            };
            match writeln!(io::stdout(), "{out}") {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
                _ => Ok(()),
            }
        }
        Command::Clv {
            orders,
            workspace,
            calibration_end,
            holdout_end,
            unit,
            horizon,
            discount_rate,
            format,
            map,
        } => {
            let (data, _) = load(orders.as_deref(), workspace.as_deref(), &map)?;
            let table = data.orders;
            let name = orders.or(workspace).unwrap_or_default();
            let calibration_end = match date_arg("calibration-end", calibration_end)? {
                Some(d) => d,
                None => table
                    .last_order_day()
                    .ok_or_else(|| format!("{}: no order to model", name.display()))?,
            };
            let holdout_end = date_arg("holdout-end", holdout_end)?;
            if holdout_end.is_some_and(|h| h <= calibration_end) {
                return Err("--holdout-end must come after --calibration-end".into());
            }
            let unit = match unit {
                Unit::Days => TimeUnit::Days,
                Unit::Weeks => TimeUnit::Weeks,
            };
            let horizon = horizon.unwrap_or(match unit {
                TimeUnit::Days => 365.0,
                TimeUnit::Weeks => 52.0,
            });
            let request = ClvRequest {
                calibration_end,
                holdout_end,
                unit,
                horizon,
                discount_rate,
            };
            match write_clv(&table, &request, format) {
                Err(ClvError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                Err(ClvError::Io(e)) => Err(e.to_string()),
                Err(ClvError::Fit(e)) => Err(format!("the model could not be fitted: {e}")),
                Ok(()) => Ok(()),
            }
        }
        Command::Kpis {
            orders,
            workspace,
            email,
            surveys,
            tickets,
            costs,
            customers,
            events,
            segments,
            churn_days,
            as_of,
            format,
            map,
        } => {
            let as_of = date_arg("as-of", as_of)?;
            let (mut data, saved) = load(orders.as_deref(), workspace.as_deref(), &map)?;
            add_sources(
                &mut data,
                [&customers, &email, &surveys, &events, &tickets, &costs],
            )?;
            let mut analysis_options = saved.unwrap_or_default();
            if let Some(path) = segments {
                analysis_options.segments = read_segments(&path)?;
                analysis_options.rows = seglens_engine::segments::groups::Rows::Saved;
            }
            if as_of.is_some() {
                analysis_options.as_of = as_of;
            }
            if let Some(days) = churn_days {
                analysis_options.churn_period_days = days;
            }
            let analysis = analysis::analyse(&data, &analysis_options)?;
            match write_kpis(&analysis.kpis, format) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| e.to_string()),
            }
        }
        Command::Sql {
            orders,
            workspace,
            as_of,
            dialect,
            table,
            customer_column,
            date_column,
            amount_column,
            segments,
            bins,
            map,
        } => {
            let as_of = date_arg("as-of", as_of)?;
            let (data, saved, report) = load_full(orders.as_deref(), workspace.as_deref(), &map)?;
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
            match write!(io::stdout(), "{query}") {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
                _ => Ok(()),
            }
        }
        Command::Segment {
            sources,
            rule,
            definition,
            saved,
            count,
            sql: dialect,
            tables,
        } => {
            use seglens_engine::segments::Definition;
            let (data, as_of, options, report) = sources.load_full()?;
            let (definition, title) = match (rule, definition, saved) {
                (Some(path), _, _) => {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    Rule::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                    (Definition::Rule(text), path.display().to_string())
                }
                (_, Some(json), _) => (
                    serde_json::from_str::<Definition>(&json)
                        .map_err(|e| format!("--definition: {e}"))?,
                    "Segment".to_string(),
                ),
                (_, _, Some(name)) => {
                    let found = options
                        .as_ref()
                        .and_then(|o| o.segments.iter().find(|s| s.name == name))
                        .ok_or_else(|| {
                            format!("--saved {name:?}: no segment of that name in the project")
                        })?;
                    (found.definition.clone(), name)
                }
                _ => return Err("give --rule FILE, --definition JSON or --saved NAME".into()),
            };
            let mut facts = Facts::new(&data, as_of);
            if definition.needs_rfm() {
                let mut o = options.clone().unwrap_or_default();
                o.as_of = Some(as_of);
                facts = facts.with_rfm(&analysis::rfm_result(&data, &o)?.1);
            }
            if definition.needs_predictions()
                && let Ok(p) = clv::predict(&data.orders, &analysis::prediction_options(as_of))
            {
                facts = facts.with_predictions(&p.customers);
            }
            let lifecycle = options
                .and_then(|o| o.lifecycle)
                .unwrap_or_else(|| lifecycle::suggest(&data.orders, &facts).setup);
            if let Some(dialect) = dialect {
                let mut schema = Schema::of(&data, orders_columns(report.as_ref()));
                for t in &tables {
                    let (kind, name) = t
                        .split_once('=')
                        .ok_or_else(|| format!("--table {t:?}: expected KIND=NAME"))?;
                    if !schema
                        .tables_mut()
                        .iter()
                        .any(|(k, _)| k.eq_ignore_ascii_case(kind.trim()))
                    {
                        return Err(format!("--table {t:?}: no {kind} table is imported"));
                    }
                    schema.rename_table(kind, name);
                }
                let query = segment_sql(
                    &data,
                    &facts,
                    &schema,
                    &definition,
                    &lifecycle,
                    dialect.into(),
                    &title,
                )
                .map_err(|e| format!("{title}: {e}"))?;
                return match write!(io::stdout(), "{query}") {
                    Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
                    _ => Ok(()),
                };
            }
            let set =
                seglens_engine::segments::groups::members(&data, &facts, &definition, &lifecycle)
                    .map_err(|e| format!("{title}: {e}"))?;
            if count {
                return print_lines(std::iter::once(set.count().to_string()));
            }
            print_lines(set.iter().map(|c| data.orders.customer_keys[c].clone()))
        }
        Command::Cluster {
            sources,
            k,
            features,
            seed,
            runs,
            silhouette,
        } => {
            let (data, as_of) = sources.load()?;
            let facts = Facts::new(&data, as_of);
            let features: Vec<Feature> = features.iter().map(|f| Feature::parse(f)).collect();
            if silhouette {
                let m = cluster::matrix(&data, &facts, &features)?;
                let (curve, best) = cluster::silhouette_curve(&m, 10, seed, &mut |_, _| {});
                if let Some(best) = best {
                    eprintln!("suggested k: {best}");
                }
                return print_lines(
                    std::iter::once("k,silhouette".to_string())
                        .chain(curve.iter().map(|(k, s)| format!("{k},{s:.4}"))),
                );
            }
            let setup = ClusterSetup {
                features,
                k,
                seed,
                runs,
            };
            let result = cluster::cluster(&data, &facts, &setup)?;
            for p in &result.profiles {
                eprintln!("{} ({} customers): {}", p.name, p.customers, p.description);
            }
            eprintln!("inertia: {:.6}", result.inertia);
            if let Some(s) = result.silhouette {
                eprintln!("silhouette: {s:.4}");
            }
            print_lines(std::iter::once("customer_id,cluster".to_string()).chain(
                result.members.iter().map(|(c, l)| {
                    format!(
                        "{},{}",
                        csv_field(&data.orders.customer_keys[*c as usize]),
                        l + 1
                    )
                }),
            ))
        }
        Command::Lifecycle { sources, flows } => {
            let (data, as_of) = sources.load()?;
            if flows {
                return print_lines(
                    std::iter::once(
                        "month,new,returning,resurrecting,dormant,complete".to_string(),
                    )
                    .chain(
                        lifecycle::flows(&data.orders, as_of, Period::Month)
                            .into_iter()
                            .map(|f| {
                                format!(
                                    "{},{},{},{},{},{}",
                                    f.label,
                                    f.new,
                                    f.returning,
                                    f.resurrecting,
                                    f.dormant,
                                    f.complete
                                )
                            }),
                    ),
                );
            }
            let facts = Facts::new(&data, as_of);
            let suggestion = lifecycle::suggest(&data.orders, &facts);
            eprintln!("{}", suggestion.explanation);
            let stages = lifecycle::stages(&facts, &suggestion.setup);
            print_lines(std::iter::once("customer_id,stage".to_string()).chain(
                stages.iter().enumerate().map(|(c, s)| {
                    format!("{},{}", csv_field(&data.orders.customer_keys[c]), s.label())
                }),
            ))
        }
        Command::Cohorts { sources, rule } => {
            let (data, as_of) = sources.load()?;
            let set = rule_members(&data, as_of, rule.as_deref())?;
            let x = cohorts::retention(&data.orders, as_of, set.as_ref());
            let mut lines = vec!["cohort,size,months_after,active,revenue".to_string()];
            for (c, month) in x.months.iter().enumerate() {
                for k in 0..x.active[c].len() {
                    lines.push(format!(
                        "{month},{},{k},{},{:.2}",
                        x.sizes[c], x.active[c][k], x.revenue[c][k]
                    ));
                }
            }
            print_lines(lines.into_iter())
        }
        Command::Activity { sources, rule } => {
            let (data, as_of) = sources.load()?;
            let events = events_of(&data)?;
            let set = rule_members(&data, as_of, rule.as_deref())?;
            let grid = seglens_engine::journeys::activity(events, as_of, set.as_ref());
            let mut lines = vec!["weekday,hour,events".to_string()];
            for (d, row) in grid.iter().enumerate() {
                for (h, n) in row.iter().enumerate() {
                    lines.push(format!("{},{h},{n}", d + 1));
                }
            }
            print_lines(lines.into_iter())
        }
        Command::Funnel {
            sources,
            steps,
            window_days,
            strict,
            rule,
            segments,
            format,
        } => {
            use seglens_engine::journeys::{self, FunnelSetup};
            let (data, as_of, options, _) = sources.load_full()?;
            let events = events_of(&data)?;
            let steps = match steps {
                Some(list) => list
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                None => journeys::default_steps(events),
            };
            journeys::check_steps(events, &steps).map_err(|e| format!("--steps: {e}"))?;
            let n = data.orders.customer_keys.len();
            let setup = FunnelSetup {
                steps,
                window_days,
                strict,
            };
            // The groups side by side: each segment of --segments (its
            // own funnel, so overlapping segments each count their
            // members), or the rule's customers (everyone without a rule);
            // then all customers.
            let f = match &segments {
                Some(path) => {
                    let list = read_segments(path)?;
                    let facts = Facts::new(&data, as_of);
                    let lifecycle = options
                        .and_then(|o| o.lifecycle)
                        .unwrap_or_else(|| lifecycle::suggest(&data.orders, &facts).setup);
                    let sets = list
                        .iter()
                        .map(|seg| {
                            seglens_engine::segments::groups::members(
                                &data,
                                &facts,
                                &seg.definition,
                                &lifecycle,
                            )
                            .map(|set| (seg.name.clone(), set))
                            .map_err(|e| format!("{}: {}: {e}", path.display(), seg.name))
                        })
                        .collect::<Result<Vec<_>, String>>()?;
                    journeys::funnel_of_sets(events, &setup, n, &sets)
                }
                None => {
                    let set = rule_members(&data, as_of, rule.as_deref())?;
                    let group_of: Vec<Option<usize>> = (0..n)
                        .map(|c| set.as_ref().is_none_or(|s| s.contains(c)).then_some(0))
                        .collect();
                    journeys::funnel(events, &setup, &group_of, &["selected".to_string()])
                }
            };
            // Without --segments, group 0 alone: the rule's customers.
            let shown: Vec<usize> = if segments.is_some() {
                (0..f.groups.len()).collect()
            } else {
                vec![0]
            };
            let block = |g: usize| {
                let counts = &f.counts[g];
                let first = counts.first().map_or(0, |c| c.customers).max(1);
                counts
                    .iter()
                    .zip(&f.steps)
                    .enumerate()
                    .map(move |(k, (c, step))| {
                        (
                            k,
                            step,
                            c.customers,
                            c.customers as f64 / first as f64,
                            c.median_seconds.map(|s| s / 60.0),
                        )
                    })
            };
            if matches!(format, Format::Json) {
                let steps_of = |g: usize| -> Vec<serde_json::Value> {
                    block(g)
                        .map(|(_, step, customers, share, minutes)| {
                            serde_json::json!({
                                "event": step,
                                "customers": customers,
                                "share_of_first": share,
                                "median_minutes_from_previous": minutes,
                            })
                        })
                        .collect()
                };
                let mut doc = serde_json::json!({
                    "window_days": f.window_days,
                    "strict": f.strict,
                    "steps": steps_of(0),
                    "conversion_ci95": f.conversion_ci[0],
                });
                if segments.is_some() {
                    doc = serde_json::json!({
                        "window_days": f.window_days,
                        "strict": f.strict,
                        "groups": shown.iter().map(|g| serde_json::json!({
                            "group": f.groups[*g],
                            "steps": steps_of(*g),
                            "conversion_ci95": f.conversion_ci[*g],
                        })).collect::<Vec<_>>(),
                    });
                }
                return print_lines(std::iter::once(doc.to_string()));
            }
            let header = "step,event,customers,share_of_first,median_minutes_from_previous";
            let mut lines = vec![if segments.is_some() {
                format!("group,{header}")
            } else {
                header.to_string()
            }];
            for g in shown {
                let prefix = if segments.is_some() {
                    format!("{},", csv_field(&f.groups[g]))
                } else {
                    String::new()
                };
                for (k, step, customers, share, minutes) in block(g) {
                    lines.push(format!(
                        "{prefix}{},{},{customers},{share:.4},{}",
                        k + 1,
                        csv_field(step),
                        minutes.map(|m| format!("{m:.1}")).unwrap_or_default()
                    ));
                }
            }
            print_lines(lines.into_iter())
        }
        Command::Paths {
            sources,
            from,
            to,
            depth,
            session_gap,
            top,
            rule,
        } => {
            let (data, as_of) = sources.load()?;
            let events = events_of(&data)?;
            for (flag, name) in [("from", &from), ("to", &to)] {
                if let Some(f) = name.as_ref().filter(|f| !events.names.contains(f)) {
                    return Err(format!(
                        "--{flag}: no event is called {f:?} (there are: {})",
                        events.names.join(", ")
                    ));
                }
            }
            let set = rule_members(&data, as_of, rule.as_deref())?;
            let setup = seglens_engine::journeys::PathSetup {
                from,
                to,
                depth,
                top,
                session_gap_minutes: session_gap,
            };
            let p = seglens_engine::journeys::paths(events, as_of, set.as_ref(), &setup);
            let mut lines = vec!["step,from,to,sessions".to_string()];
            for (step, a, b, n) in &p.links {
                lines.push(format!(
                    "{},{},{},{n}",
                    step + 1,
                    p.nodes[*step][*a].0,
                    p.nodes[step + 1][*b].0
                ));
            }
            print_lines(lines.into_iter())
        }
        Command::Migration { sources, from } => {
            let (data, as_of) = sources.load()?;
            let from = date_arg("from", Some(from))?.ok_or("give --from YYYY-MM-DD")?;
            if from >= as_of {
                return Err("--from must be before the analysis date".into());
            }
            let m = cohorts::migration(&data.orders, &RfmSetup::default(), from, as_of);
            let mut lines = vec!["from_segment,to_segment,customers".to_string()];
            for (a, row) in m.counts.iter().enumerate() {
                for (b, n) in row.iter().enumerate() {
                    if *n > 0 {
                        lines.push(format!(
                            "{},{},{n}",
                            csv_field(&m.segments[a]),
                            csv_field(&m.segments[b])
                        ));
                    }
                }
            }
            print_lines(lines.into_iter())
        }
        Command::CrossSell { sources, rule, min } => {
            let (data, as_of) = sources.load()?;
            let set = rule_members(&data, as_of, rule.as_deref())?;
            let x = crosssell::cross_sell(&data.orders, as_of, set.as_ref(), min)?;
            if let Some(h) = crosssell::headline(&x) {
                eprintln!("{h}");
            }
            print_lines(
                std::iter::once("from,to,both,from_buyers,support,confidence,lift".to_string())
                    .chain(x.pairs.iter().map(|p| {
                        format!(
                            "{},{},{},{},{:.6},{:.6},{:.6}",
                            csv_field(&p.from),
                            csv_field(&p.to),
                            p.both,
                            p.from_buyers,
                            p.support,
                            p.confidence,
                            p.lift
                        )
                    })),
            )
        }
        Command::Demo {
            out,
            seed,
            customers,
        } => {
            std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            let data = demo::generate_sized(seed, customers);
            for (name, text) in data.files() {
                let path = out.join(name);
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Ok(())
        }
    }
}

/// The data and, from a project file, its saved analysis choices.
/// The RFM setup of the command line without a project: quintiles of R,
/// F and M (R `rfm`'s) and the default segments.
fn r_rfm_setup() -> RfmSetup {
    RfmSetup {
        config: RfmConfig {
            recency: Bins::Quantiles(5),
            frequency: Bins::Quantiles(5),
            monetary: Bins::Quantiles(5),
        },
        rules: rfm::default_rules(),
    }
}

fn load(
    orders: Option<&Path>,
    workspace: Option<&Path>,
    map: &[String],
) -> Result<(Dataset, Option<AnalysisOptions>), String> {
    load_full(orders, workspace, map).map(|(data, options, _)| (data, options))
}

/// The orders (and sources) of an order file or a project file, with the
/// project's saved settings and the orders' import report.
fn load_full(
    orders: Option<&Path>,
    workspace: Option<&Path>,
    map: &[String],
) -> Result<(Dataset, Option<AnalysisOptions>, Option<ImportReport>), String> {
    match (orders, workspace) {
        (_, Some(path)) => {
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let project =
                Project::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            let data =
                Dataset::decode(&project.data).map_err(|e| format!("{}: {e}", path.display()))?;
            let record = serde_json::from_str::<serde_json::Value>(&project.record_json).ok();
            let field = |name: &str| record.as_ref().and_then(|v| v.get(name).cloned());
            let options = field("options").and_then(|o| serde_json::from_value(o).ok());
            let report = field("report").and_then(|r| serde_json::from_value(r).ok());
            Ok((data, options, report))
        }
        (Some(path), None) => {
            let (orders, report) = read_orders(path, parse_map(map)?)?;
            Ok((Dataset::from_orders(orders), None, Some(report)))
        }
        (None, None) => Err("give --orders FILE or --workspace FILE".into()),
    }
}

/// Reads a `--NAME YYYY-MM-DD` argument.
fn date_arg(name: &str, text: Option<String>) -> Result<Option<Day>, String> {
    text.map(|t| {
        date::parse_iso(&t).ok_or_else(|| format!("--{name} {t:?} is not a date (YYYY-MM-DD)"))
    })
    .transpose()
}

fn parse_map(map: &[String]) -> Result<ImportOptions, String> {
    let mut options = ImportOptions {
        encoding: chosen_encoding(),
        sheet: chosen_sheet(),
        today: today(),
        all_statuses: ALL_STATUSES.get().copied().unwrap_or(false),
        ..ImportOptions::default()
    };
    for m in map {
        let (role, col) = m
            .split_once('=')
            .ok_or_else(|| format!("--map {m:?}: expected ROLE=COLUMN"))?;
        let role = Role::from_key(role).ok_or_else(|| {
            format!(
                "--map {m:?}: unknown role {role:?} (customer_id, date, amount, order_id, quantity, unit_price, line_total, status or refunded)"
            )
        })?;
        options.map.push((role, ColumnRef::parse(col)));
    }
    Ok(options)
}

/// The names of a workbook's sheets (none when the file is not a
/// workbook).
fn workbook_sheets(path: &Path) -> Option<Vec<String>> {
    let bytes = std::fs::read(path).ok()?;
    if !seglens_engine::import::spreadsheet::is_workbook(&bytes) {
        return None;
    }
    seglens_engine::import::spreadsheet::sheet_names(&bytes).ok()
}

/// What `inspect` says of a file that holds no orders (customers, survey
/// answers, e-mail results, events, tickets, costs): none for an order file.
fn inspect_source(path: &Path, format: InspectFormat) -> Result<Option<String>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let sheet = chosen_sheet();
    match seglens_engine::import::dataset::kind_of_sheet(&bytes, sheet.as_deref()) {
        None | Some(seglens_engine::import::sources::SourceKind::Orders) => return Ok(None),
        Some(_) => {}
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut data = Dataset::default();
    let report = data
        .add_source_as(&name, &bytes, &read_options())
        .map_err(|e| e.to_string())?;
    let names = seglens_engine::import::sources::read_text_table_as(&name, &bytes, &read_options())
        .map(|t| t.names)
        .unwrap_or_default();
    let platform = platform::detect_source(&names);
    let kinds: Vec<&str> = data.source_reports.iter().map(|r| r.kind.key()).collect();
    Ok(Some(match format {
        InspectFormat::Json => serde_json::to_string_pretty(&serde_json::json!({
            "file": name,
            "bytes": bytes.len(),
            "kinds": kinds,
            "platform": platform.map(|p| p.id),
            "rows": report.rows,
            "rejected_total": report.rejected_total,
            "rejected": report.rejected,
            "customers": data.orders.customer_keys.len(),
            "columns": names,
            "columns_used": report.columns_used,
            "reports": data.source_reports.iter().map(|r| serde_json::json!({
                "kind": r.kind.key(),
                "rows": r.rows,
                "rejected_total": r.rejected_total,
            })).collect::<Vec<_>>(),
        }))
        .map_err(|e| e.to_string())?,
        InspectFormat::Text => {
            let mut out = format!("{name}: {} bytes\n", bytes.len());
            if let Some(p) = platform {
                out.push_str(&format!("platform: {}\n", p.label));
            }
            for r in &data.source_reports {
                out.push_str(&format!(
                    "{}: {} rows accepted, {} rejected; columns used: {}\n",
                    r.kind.key(),
                    r.rows,
                    r.rejected_total,
                    r.columns_used.join(", ")
                ));
            }
            out.push_str(&format!("customers: {}", data.orders.customer_keys.len()));
            for e in &report.rejected {
                out.push_str(&format!("\n  line {}: {}", e.line, e.reason));
            }
            out
        }
    }))
}

/// The inspect report as JSON: the import report with dates written out.
fn inspect_json(r: &ImportReport) -> serde_json::Value {
    serde_json::json!({
        "file": r.file_name,
        "bytes": r.bytes,
        "encoding": r.encoding.label(),
        "encoding_chosen": r.encoding_chosen,
        "delimiter": r.delimiter,
        "has_header": r.has_header,
        "decimal_separator": r.decimal_separator.to_string(),
        "currency": r.currency,
        "date_format": r.date_format,
        "date_format_note": r.date_format_note,
        "kinds": ["orders"],
        "platform": r.platform,
        "rows": r.lines.as_ref().map_or(r.rows, |l| l.rows),
        "orders": r.orders(),
        "lines": r.lines,
        "excluded": r.excluded.iter().map(|(status, orders)| serde_json::json!({"status": status, "orders": orders})).collect::<Vec<_>>(),
        "excluded_orders": r.excluded_orders(),
        "status_columns": r.status_columns,
        "all_statuses": r.all_statuses,
        "refunded_column": r.refunded_column,
        "refunded_orders": r.refunded_orders,
        "refunded_amount": r.refunded_amount,
        "cancellation_invoices": r.cancellation_invoices,
        "phone_column": r.phone_column,
        "by_phone": r.by_phone,
        "sales_column": r.sales_column,
        "not_sales": r.not_sales.iter().map(|(what, rows)| serde_json::json!({"what": what, "rows": rows})).collect::<Vec<_>>(),
        "rejected_total": r.rejected_total,
        "rejected": r.rejected,
        "refunds": r.refunds,
        "customers": r.customers,
        "first_date": r.first_day.map(date::format_iso),
        "last_date": r.last_day.map(date::format_iso),
        "columns": r.columns,
        "duplicate_rows": r.duplicate_rows,
        "duplicates": r.duplicates.iter().map(|(line, first)| serde_json::json!({"line": line, "same_as_line": first})).collect::<Vec<_>>(),
        "future_rows": r.future_rows,
        "future": r.future.iter().map(|(line, day)| serde_json::json!({"line": line, "date": date::format_iso(*day)})).collect::<Vec<_>>(),
        "extreme_amount_count": r.extreme_amount_count,
        "extreme_amounts": r.extreme_amounts,
    })
}

/// What was applied for statuses and refunds, a sentence a line.
fn status_lines(r: &ImportReport) -> Vec<String> {
    let mut out = Vec::new();
    if !r.status_columns.is_empty() {
        let statuses: Vec<String> = r
            .excluded
            .iter()
            .map(|(status, n)| format!("{n} {status}"))
            .collect();
        out.push(match (r.all_statuses, statuses.is_empty()) {
            (true, _) => format!(
                "statuses ({}): every order kept, as asked",
                r.status_columns.join(", ")
            ),
            (false, true) => format!(
                "statuses ({}): no order left out",
                r.status_columns.join(", ")
            ),
            (false, false) => format!(
                "statuses ({}): {} orders left out ({}); --all-statuses keeps them",
                r.status_columns.join(", "),
                r.excluded_orders(),
                statuses.join(", ")
            ),
        });
    }
    if let Some(column) = &r.phone_column {
        out.push(format!(
            "phone ({column}): {} orders without a customer identified by it",
            r.by_phone
        ));
    }
    if let Some(column) = &r.refunded_column {
        out.push(match r.refunded_orders {
            0 => format!("refunds ({column}): none"),
            n => format!(
                "refunds ({column}): {:.2} taken off {n} orders",
                r.refunded_amount
            ),
        });
    }
    if let Some(column) = &r.sales_column {
        let listed: Vec<String> = r
            .not_sales
            .iter()
            .map(|(what, n)| format!("{n} {what}"))
            .collect();
        out.push(format!(
            "rows that are no sales ({column}), left out: {}",
            if listed.is_empty() {
                "none".to_string()
            } else {
                listed.join(", ")
            }
        ));
    }
    if r.cancellation_invoices > 0 {
        out.push(format!(
            "cancellation invoices read as refunds: {}",
            r.cancellation_invoices
        ));
    }
    out
}

fn inspect_text(r: &ImportReport) -> String {
    let mut out = format!(
        "{}: {} bytes, {}, delimiter {}, {}, decimal separator {}{}, dates {}\n",
        r.file_name,
        r.bytes,
        if r.encoding_chosen {
            format!("{} (as chosen)", r.encoding.label())
        } else {
            r.encoding.label().to_string()
        },
        r.delimiter,
        if r.has_header {
            "header line"
        } else {
            "no header line"
        },
        r.decimal_separator,
        r.currency
            .as_ref()
            .map(|c| format!(", amounts in {c}"))
            .unwrap_or_default(),
        r.date_format
    );
    if let Some(note) = &r.date_format_note {
        out.push_str(&format!("  {note}\n"));
    }
    if let Some(p) = r.platform.as_deref().and_then(platform::by_id) {
        out.push_str(&format!("platform: {}\n", p.label));
    }
    if let Some(l) = &r.lines {
        out.push_str(&format!(
            "order lines: {} rows, {} orders (line items grouped by {}); an order's value is {}\n",
            l.rows, l.orders, l.order_id, l.amount_from
        ));
    }
    for line in status_lines(r) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("columns:\n");
    for (i, c) in r.columns.iter().enumerate() {
        let kind = serde_json::to_value(c.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:>2}. {} ({kind}){}\n",
            i + 1,
            c.name,
            c.role
                .map(|r| format!(" -> {}", r.key()))
                .unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "rows: {} accepted, {} rejected; refunds: {}; customers: {}",
        r.rows, r.rejected_total, r.refunds, r.customers
    ));
    if let (Some(a), Some(b)) = (r.first_day, r.last_day) {
        out.push_str(&format!(
            ", {} to {}",
            date::format_iso(a),
            date::format_iso(b)
        ));
    }
    for e in &r.rejected {
        out.push_str(&format!(
            "\n  line {}{}: {}",
            e.line,
            e.column
                .as_ref()
                .map(|c| format!(", column {c}"))
                .unwrap_or_default(),
            e.reason
        ));
    }
    if r.future_rows > 0 {
        let listed: Vec<String> = r
            .future
            .iter()
            .take(10)
            .map(|(line, day)| format!("line {line}: {}", date::format_iso(*day)))
            .collect();
        out.push_str(&format!(
            "\n{} dated after today (kept): {}",
            if r.future_rows == 1 {
                "1 row".to_string()
            } else {
                format!("{} rows", r.future_rows)
            },
            listed.join(", ")
        ));
    }
    if r.duplicate_rows > 0 {
        let listed: Vec<String> = r
            .duplicates
            .iter()
            .take(10)
            .map(|(line, first)| format!("line {line} = line {first}"))
            .collect();
        out.push_str(&format!(
            "
{} rows repeat an earlier row exactly (kept): {}",
            r.duplicate_rows,
            listed.join(", ")
        ));
    }
    if !r.extreme_amounts.is_empty() {
        let listed: Vec<String> = r.extreme_amounts.iter().map(|a| format!("{a}")).collect();
        out.push_str(&format!(
            "
amounts far beyond the others (kept): {}",
            listed.join(", ")
        ));
    }
    out
}

/// Streams a file through the importer in 1 MiB chunks and reports
/// rejected rows on stderr.
fn read_orders(path: &Path, options: ImportOptions) -> Result<(Orders, ImportReport), String> {
    let (orders, report) = import_file(path, options)?;
    if report.rejected_total > 0 {
        eprintln!(
            "seglens: {}: {} row{} rejected",
            report.file_name,
            report.rejected_total,
            if report.rejected_total == 1 { "" } else { "s" }
        );
        for e in report.rejected.iter().take(10) {
            let col = e
                .column
                .as_ref()
                .map(|c| format!(", column {c}"))
                .unwrap_or_default();
            eprintln!("  line {}{col}: {}", e.line, e.reason);
        }
    }
    Ok((orders, report))
}

/// Streams a file through the importer in 1 MiB chunks.
fn import_file(path: &Path, options: ImportOptions) -> Result<(Orders, ImportReport), String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // Files that fit in memory are read on every core; larger ones stream.
    let size = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
    if size <= 1 << 30 {
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        return seglens_engine::import::orders::import_orders_parallel(
            &name, &bytes, options, threads,
        )
        .map_err(|e| e.to_string());
    }
    let mut importer = OrdersImporter::new(&name, options);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        importer.push(&buf[..n]).map_err(|e| e.to_string())?;
    }
    importer.finish().map_err(|e| e.to_string())
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn write_rfm(orders: &Orders, result: &rfm::RfmResult, format: Format) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        Format::Csv => {
            writeln!(
                out,
                "customer_id,recency_days,frequency,monetary,r,f,m,rfm_score,segment"
            )?;
            for row in &result.rows {
                let v = &row.values;
                writeln!(
                    out,
                    "{},{},{},{:.2},{},{},{},{},{}",
                    csv_field(&orders.customer_keys[v.customer as usize]),
                    v.recency_days,
                    v.frequency,
                    v.monetary,
                    row.r,
                    row.f,
                    row.m,
                    row.score(),
                    csv_field(&result.segment_names[row.segment as usize])
                )?;
            }
        }
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Row<'a> {
                customer_id: &'a str,
                recency_days: i32,
                frequency: u32,
                monetary: f64,
                r: u8,
                f: u8,
                m: u8,
                rfm_score: u32,
                segment: &'a str,
            }
            let rows: Vec<Row<'_>> = result
                .rows
                .iter()
                .map(|row| Row {
                    customer_id: &orders.customer_keys[row.values.customer as usize],
                    recency_days: row.values.recency_days,
                    frequency: row.values.frequency,
                    monetary: (row.values.monetary * 100.0).round() / 100.0,
                    r: row.r,
                    f: row.f,
                    m: row.m,
                    rfm_score: row.score(),
                    segment: &result.segment_names[row.segment as usize],
                })
                .collect();
            serde_json::to_writer(&mut out, &rows)?;
            writeln!(out)?;
        }
    }
    out.flush()
}

struct ClvRequest {
    calibration_end: Day,
    holdout_end: Option<Day>,
    unit: TimeUnit,
    horizon: f64,
    discount_rate: f64,
}

enum ClvError {
    Io(io::Error),
    Fit(clv::FitError),
}

impl From<io::Error> for ClvError {
    fn from(e: io::Error) -> Self {
        ClvError::Io(e)
    }
}

fn write_clv(orders: &Orders, req: &ClvRequest, format: Format) -> Result<(), ClvError> {
    let data = clv::summarise(orders, req.calibration_end, req.holdout_end, req.unit);
    let bg = clv::fit_bgnbd(&data).map_err(ClvError::Fit)?;
    let gg = clv::fit_gamma_gamma(&data).map_err(ClvError::Fit)?;
    for w in bg.warnings.iter().chain(&gg.warnings) {
        eprintln!("seglens: warning: {w}");
    }
    let holdout_length = req
        .holdout_end
        .map(|h| f64::from(h - req.calibration_end) / req.unit.days());
    #[derive(serde::Serialize)]
    struct CustomerOut<'a> {
        customer_id: &'a str,
        frequency: f64,
        recency: f64,
        #[serde(rename = "T")]
        age: f64,
        monetary: f64,
        p_alive: f64,
        expected_purchases: f64,
        expected_spend: f64,
        clv: f64,
        order_within_7_days: f64,
        order_within_30_days: f64,
        days_to_next_order: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        holdout_purchases: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        holdout_predicted: Option<f64>,
    }
    let round = |x: f64, d: i32| {
        let f = 10f64.powi(d);
        (x * f).round() / f
    };
    let customers: Vec<CustomerOut<'_>> = data
        .iter()
        .map(|c| {
            let spend = gg.params.expected_spend(c.frequency, c.monetary);
            let chances = bg
                .params
                .order_chances(c.frequency, c.recency, c.age, req.unit);
            CustomerOut {
                customer_id: &orders.customer_keys[c.customer as usize],
                frequency: c.frequency,
                recency: round(c.recency, 4),
                age: round(c.age, 4),
                monetary: round(c.monetary, 4),
                p_alive: round(bg.params.p_alive(c.frequency, c.recency, c.age), 6),
                expected_purchases: round(
                    bg.params
                        .expected_purchases(req.horizon, c.frequency, c.recency, c.age),
                    6,
                ),
                expected_spend: round(spend, 4),
                clv: round(
                    clv::clv(
                        &bg.params,
                        spend,
                        c,
                        req.horizon,
                        req.discount_rate,
                        req.unit,
                    ),
                    4,
                ),
                order_within_7_days: round(chances[0], 6),
                order_within_30_days: round(chances[1], 6),
                days_to_next_order: round(
                    bg.params.median_wait_if_active(c.frequency, c.age) * req.unit.days(),
                    6,
                ),
                holdout_purchases: holdout_length.map(|_| c.holdout_frequency),
                holdout_predicted: holdout_length.map(|t| {
                    round(
                        bg.params
                            .expected_purchases(t, c.frequency, c.recency, c.age),
                        6,
                    )
                }),
            }
        })
        .collect();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            let holdout = holdout_length.map(|t| {
                let actual: f64 = data.iter().map(|c| c.holdout_frequency).sum();
                let predicted: f64 = data
                    .iter()
                    .map(|c| {
                        bg.params
                            .expected_purchases(t, c.frequency, c.recency, c.age)
                    })
                    .sum();
                let cumulative: Vec<serde_json::Value> = clv::cumulative_purchases(
                    orders,
                    &bg.params,
                    req.holdout_end.unwrap_or(req.calibration_end),
                    req.unit,
                    7,
                )
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "before": date::format_iso(p.day),
                        "actual": p.actual,
                        "predicted": p.predicted,
                    })
                })
                .collect();
                serde_json::json!({
                    "length": t,
                    "actual_purchases": actual,
                    "predicted_purchases": round(predicted, 3),
                    "error_percent": round(100.0 * (predicted - actual) / actual.max(1.0), 2),
                    "cumulative": cumulative,
                })
            });
            let doc = serde_json::json!({
                "calibration_end": date::format_iso(req.calibration_end),
                "holdout_end": req.holdout_end.map(date::format_iso),
                "unit": match req.unit { TimeUnit::Days => "days", TimeUnit::Weeks => "weeks" },
                "horizon": req.horizon,
                "discount_rate": req.discount_rate,
                "bgnbd": {
                    "r": bg.params.r, "alpha": bg.params.alpha, "a": bg.params.a, "b": bg.params.b,
                    "log_likelihood": bg.log_likelihood,
                    "std_errors": bg.std_errors,
                    "customers": bg.customers,
                },
                "gamma_gamma": {
                    "p": gg.params.p, "q": gg.params.q, "gamma": gg.params.gamma,
                    "log_likelihood": gg.log_likelihood,
                    "std_errors": gg.std_errors,
                    "customers": gg.customers,
                },
                "warnings": bg.warnings.iter().chain(&gg.warnings).collect::<Vec<_>>(),
                "holdout": holdout,
                "customers": customers,
            });
            serde_json::to_writer(&mut out, &doc).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        Format::Csv => {
            write!(
                out,
                "customer_id,frequency,recency,T,monetary,p_alive,expected_purchases,expected_spend,clv,order_within_7_days,order_within_30_days,days_to_next_order"
            )?;
            if holdout_length.is_some() {
                write!(out, ",holdout_purchases,holdout_predicted")?;
            }
            writeln!(out)?;
            for c in &customers {
                write!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{}",
                    csv_field(c.customer_id),
                    c.frequency,
                    c.recency,
                    c.age,
                    c.monetary,
                    c.p_alive,
                    c.expected_purchases,
                    c.expected_spend,
                    c.clv,
                    c.order_within_7_days,
                    c.order_within_30_days,
                    c.days_to_next_order
                )?;
                if let (Some(a), Some(p)) = (c.holdout_purchases, c.holdout_predicted) {
                    write!(out, ",{a},{p}")?;
                }
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// One row per segment, one column per KPI with its counts, interval and
/// p-value.
fn write_kpis(table: &KpiTable, format: Format) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = table
                .groups
                .iter()
                .enumerate()
                .map(|(g, name)| {
                    let mut row = serde_json::Map::new();
                    row.insert("segment".into(), name.clone().into());
                    for (k, def) in table.kpis.iter().enumerate() {
                        let v = &table.values[g][k];
                        row.insert(
                            def.id.clone(),
                            serde_json::json!({
                                "value": v.value,
                                "numerator": v.numerator,
                                "denominator": v.denominator,
                                "ci_low": v.ci.map(|c| c.0),
                                "ci_high": v.ci.map(|c| c.1),
                                "p_value": v.p_value,
                                "missing": v.missing,
                            }),
                        );
                    }
                    serde_json::Value::Object(row)
                })
                .collect();
            serde_json::to_writer(&mut out, &rows).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        Format::Csv => out.write_all(kpi::table_csv(table).as_bytes())?,
    }
    out.flush()
}
