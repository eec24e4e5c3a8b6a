//! The typed, versioned messages between the page and the engine worker.
//!
//! Both sides are compiled from this file; the version guards against a
//! page and a worker from different builds (a cached worker after an
//! update) talking past each other.

use seglens_engine::ImportReport;
use seglens_engine::analysis::cohorts::{Cohorts, Migration};
use seglens_engine::analysis::{Analysis, AnalysisOptions};
use seglens_engine::export::sql::Dialect;
use seglens_engine::export::{Export, ExportOptions};
use seglens_engine::import::orders::ColumnRef;
use seglens_engine::import::roles::Role;
use seglens_engine::import::sources::{ReadOptions, SourceKind, SourceReport};
use seglens_engine::journeys::crosssell::CrossSell;
use seglens_engine::model::date::Day;
use seglens_engine::models::clv::HoldoutCheck;
use seglens_engine::segments::Definition;
use seglens_engine::segments::cluster::{ClusterSetup, Clustering, Feature, SilhouetteCurve};
use seglens_engine::segments::groups::{MemberPage, SortBy};
use seglens_engine::segments::lifecycle::LifecycleSetup;
use serde::{Deserialize, Serialize};

/// The version of the messages below; bump it on any change.
pub const PROTOCOL_VERSION: u16 = 9;

/// A message with the protocol version it was written for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// [`PROTOCOL_VERSION`] of the sender.
    pub version: u16,
    /// The message.
    pub body: T,
}

impl<T> Envelope<T> {
    /// Wraps a message with the current version.
    pub fn new(body: T) -> Self {
        Envelope {
            version: PROTOCOL_VERSION,
            body,
        }
    }
}

/// What the page asks of the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// Generate the demo business, import its orders and analyse them.
    Demo,
    /// A file import starts.
    ImportBegin {
        /// The file's name, for messages.
        file_name: String,
        /// Its size, for progress.
        total_bytes: u64,
        /// The encoding the user chose (detected when `None`).
        encoding: Option<seglens_engine::import::delimited::Encoding>,
        /// Columns the user chose for roles (detected when empty).
        #[serde(default)]
        map: Vec<(Role, ColumnRef)>,
        /// The sheet of a workbook, and for a source what it holds and
        /// its columns (its encoding is `encoding`).
        #[serde(default)]
        read: ReadOptions,
    },
    /// What a source file's first bytes give with some choices; answered
    /// with [`Response::SourcePreviewed`].
    PreviewSource {
        /// The file's name.
        file_name: String,
        /// Its first bytes (all of it for a workbook).
        #[serde(with = "serde_bytes")]
        head: Vec<u8>,
        /// True when `head` is the whole file.
        whole: bool,
        /// The encoding, sheet, kind and columns chosen.
        read: ReadOptions,
    },
    /// What an order file's first bytes give with some column choices;
    /// answered with [`Response::OrdersPreviewed`].
    PreviewOrders {
        /// The file's name.
        file_name: String,
        /// Its first bytes (all of it for a workbook).
        #[serde(with = "serde_bytes")]
        head: Vec<u8>,
        /// True when `head` is the whole file.
        whole: bool,
        /// The encoding the user chose.
        encoding: Option<seglens_engine::import::delimited::Encoding>,
        /// The columns chosen for roles.
        map: Vec<(Role, ColumnRef)>,
        /// The sheet of a workbook chosen (the first when none).
        #[serde(default)]
        sheet: Option<String>,
    },
    /// The next chunk of the file; answered with [`Response::Progress`].
    ImportChunk {
        /// The bytes.
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// The file has ended: answered with [`Response::Imported`] or
    /// [`Response::Failed`].
    ImportEnd {
        /// The workspace's choices, for the analysis after a source is
        /// added (a new order file starts from the defaults).
        options: AnalysisOptions,
        /// An order file updates the project in use instead of starting a
        /// new one: `Some(confirmed)`, true once the user said yes to the
        /// question an export that does not fit raised.
        #[serde(default)]
        update: Option<bool>,
    },
    /// Drop the import under way; answered with [`Response::Cancelled`].
    ImportCancel,
    /// Say what a file holds from its first bytes.
    Classify {
        /// The first bytes of the file (64 KiB at most; a workbook whole).
        #[serde(with = "serde_bytes")]
        head: Vec<u8>,
        /// The sheet of a workbook chosen (the first when none).
        #[serde(default)]
        sheet: Option<String>,
    },
    /// Write the members of some segments as a file.
    Export {
        /// The workspace's choices (its RFM setup gives the segments).
        options: AnalysisOptions,
        /// The segments, as indices into the analysis's segment names.
        segments: Vec<usize>,
        /// Layout, columns and file format.
        export: ExportOptions,
    },
    /// Write the current project (its record and data) as one file.
    SaveProject {
        /// The app's workspace record, as JSON.
        record_json: String,
    },
    /// Open a project file.
    OpenProject {
        /// The file's bytes.
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// Analyse a stored table (as written by `Orders::encode`); the worker
    /// keeps it for the requests below.
    Analyse {
        /// The table's bytes.
        #[serde(with = "serde_bytes")]
        table: Vec<u8>,
        /// The user's choices.
        options: AnalysisOptions,
    },
    /// Analyse the table the worker holds again, with other choices.
    Reanalyse {
        /// The user's choices.
        options: AnalysisOptions,
    },
    /// Count the customers a rule (JSON) selects at the analysis date.
    CountRule {
        /// The analysis date.
        as_of: Day,
        /// The rule, as stored.
        rule: String,
        /// The lifecycle's settings, for rules that test a stage.
        lifecycle: LifecycleSetup,
    },
    /// A page of a segment's members.
    Members {
        /// The analysis date.
        as_of: Day,
        /// What the segment selects.
        definition: Definition,
        /// The lifecycle thresholds in use.
        lifecycle: LifecycleSetup,
        /// Text to look for in the id, name or e-mail.
        search: String,
        /// The order of the rows.
        sort: SortBy,
        /// The page, from 0.
        page: usize,
    },
    /// Write the members of saved segments as one file.
    ExportSegment {
        /// The workspace's choices (their RFM setup gives the RFM columns).
        options: AnalysisOptions,
        /// Each segment's name (for the segment column) and definition.
        segments: Vec<(String, Definition)>,
        /// The lifecycle thresholds in use.
        lifecycle: LifecycleSetup,
        /// Layout, columns and file format.
        export: ExportOptions,
    },
    /// The paths through sessions of an audience.
    Paths {
        /// The workspace's choices.
        options: AnalysisOptions,
        /// Whose sessions.
        audience: Audience,
        /// The lifecycle thresholds in use.
        lifecycle: LifecycleSetup,
        /// Where the paths start or end, how deep, and the session gap.
        setup: seglens_engine::journeys::PathSetup,
    },
    /// Write a saved segment as a SQL query over the user's tables.
    SegmentSql {
        /// The analysis date.
        as_of: Day,
        /// The segment's name, for the query's title.
        name: String,
        /// What it selects.
        definition: Definition,
        /// The lifecycle thresholds in use.
        lifecycle: LifecycleSetup,
        /// The orders' columns by role.
        orders_columns: Vec<(String, String)>,
        /// Table names the user gave, by kind (`orders`, `customers`, ...).
        tables: Vec<(String, String)>,
        /// Column names the user gave: kind, role, column.
        columns: Vec<(String, String, String)>,
        /// The SQL dialect.
        dialect: Dialect,
    },
    /// Group the customers by k-means.
    Cluster {
        /// The analysis date.
        as_of: Day,
        /// Features, k, seed and runs.
        setup: ClusterSetup,
    },
    /// The silhouette of k = 2..10 on these features.
    Silhouette {
        /// The analysis date.
        as_of: Day,
        /// The features.
        features: Vec<Feature>,
    },
    /// Two audiences side by side: every KPI, and where they differ.
    CompareTwo {
        /// The workspace's choices (analysis date, RFM setup).
        options: AnalysisOptions,
        /// The first audience and its name.
        first: (String, Audience),
        /// The second audience and its name.
        second: (String, Audience),
        /// The lifecycle thresholds in use.
        lifecycle: LifecycleSetup,
    },
    /// Which categories the same customers buy, within some customers.
    CrossSell {
        /// The workspace's choices (analysis date, RFM setup).
        options: AnalysisOptions,
        /// Whose baskets.
        audience: Audience,
        /// The lifecycle thresholds in use.
        lifecycle: LifecycleSetup,
    },
    /// Monthly cohort retention, within some customers.
    Cohorts {
        /// The workspace's choices (analysis date, RFM setup).
        options: AnalysisOptions,
        /// Whose orders.
        audience: Audience,
        /// The lifecycle thresholds in use.
        lifecycle: LifecycleSetup,
    },
    /// Events per weekday and hour, within some customers.
    Activity {
        /// The workspace's choices (analysis date, RFM setup).
        options: AnalysisOptions,
        /// Whose events.
        audience: Audience,
        /// The lifecycle thresholds in use.
        lifecycle: LifecycleSetup,
    },
    /// How far customers went each month (awareness, consideration,
    /// decision), within some customers, with the workspace's mapping of
    /// events to stages.
    StageMix {
        /// The workspace's choices (analysis date, the stage mapping when
        /// the heatmap compares journey stages with one).
        options: AnalysisOptions,
        /// Whose events.
        audience: Audience,
        /// The lifecycle thresholds in use.
        lifecycle: LifecycleSetup,
    },
    /// The groups the KPI table compares, seen as a whole (overlap, share
    /// of variance between them, silhouette).
    Separation {
        /// The workspace's choices (the groups compared among them).
        options: AnalysisOptions,
        /// The analysis date.
        as_of: Day,
    },
    /// Every group's size at each month end, recomputed from the data;
    /// answered with [`Response::GroupHistory`].
    GroupHistory {
        /// The workspace's choices (RFM setup, lifecycle thresholds, saved
        /// segments).
        options: AnalysisOptions,
    },
    /// What each campaign of the e-mail results or sends file did, per RFM
    /// segment at the send day and per group; answered with
    /// [`Response::Campaigns`].
    Campaigns {
        /// The workspace's RFM setup.
        rfm: seglens_engine::segments::rfm::RfmSetup,
        /// The days after the send in which an order counts.
        window_days: i32,
        /// The campaigns whose lists the project kept.
        lists: Vec<seglens_engine::analysis::campaign::SentList>,
    },
    /// The moves between RFM segments from an earlier date to the
    /// analysis date.
    Migration {
        /// The workspace's choices (analysis date, RFM setup).
        options: AnalysisOptions,
        /// The earlier date.
        from: Day,
    },
    /// Fit the purchase model on the history up to `calibration_end` and
    /// compare its predictions with the rest of the history.
    CheckHoldout {
        /// The last day of the calibration period.
        calibration_end: Day,
    },
}

/// What the worker answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Response {
    /// How far an import has gone.
    Progress {
        /// Bytes read so far.
        bytes_done: u64,
        /// Bytes in the file.
        bytes_total: u64,
        /// Rows read so far.
        rows: u64,
    },
    /// How far a long piece of work (clustering) has gone: steps done and
    /// in all.
    Step {
        /// Steps done.
        done: u64,
        /// Steps in all.
        total: u64,
    },
    /// A part of an analysis or of the model check starts: the parts done
    /// before it and the parts in all.
    Stage {
        /// The part that starts.
        stage: seglens_engine::model::stage::Stage,
        /// Parts done.
        done: u64,
        /// Parts in all.
        total: u64,
    },
    /// An import or the demo is done.
    Imported(Box<Imported>),
    /// An analysis of a stored table is done.
    Analysed(Box<Analysis>),
    /// A holdout check is done.
    Holdout(Box<HoldoutCheck>),
    /// What a file holds.
    Kind(Option<SourceKind>),
    /// An export is ready.
    Exported(Box<Export>),
    /// A project file is ready.
    ProjectFile(#[serde(with = "serde_bytes")] Vec<u8>),
    /// A project file was opened and analysed.
    ProjectOpened {
        /// Its workspace record, as JSON.
        record_json: String,
        /// Its data, to store.
        #[serde(with = "serde_bytes")]
        table: Vec<u8>,
        /// The analysis.
        analysis: Box<Analysis>,
    },
    /// The customers a rule selects, or why it cannot be evaluated.
    Count(Result<u64, String>),
    /// A page of members, or why the segment cannot be evaluated.
    Members(Box<Result<MemberPage, String>>),
    /// A clustering (without its member list), or why it failed.
    Clustered(Box<Result<Clustering, String>>),
    /// The silhouette per k and the k it suggests.
    Silhouette(Result<SilhouetteCurve, String>),
    /// Events per weekday (Monday first) and hour, or why there are none.
    Activity(Box<Result<Vec<Vec<u64>>, String>>),
    /// Cohort retention, or why there is none.
    Cohorts(Box<Result<Cohorts, String>>),
    /// Moves between segments, or why there are none.
    Migrated(Box<Result<Migration, String>>),
    /// The compared groups as a whole, or why they cannot be measured.
    Separated(Box<Result<seglens_engine::segments::separation::Separation, String>>),
    /// Every group's size at each month end, or why there is none.
    GroupHistory(Box<Result<seglens_engine::analysis::membership::GroupHistory, String>>),
    /// Each campaign's results, or why there are none.
    Campaigns(Box<Result<Vec<seglens_engine::analysis::campaign::CampaignResult>, String>>),
    /// What an order file would give with some column choices.
    OrdersPreviewed(Box<seglens_engine::import::orders::OrdersPreview>),
    /// What a source file would give with some choices.
    SourcePreviewed(Box<seglens_engine::import::sources::SourcePreview>),
    /// Two audiences side by side.
    ComparedTwo(Box<Result<seglens_engine::metrics::compare::TwoSegments, String>>),
    /// What sells together, or why it cannot be said.
    CrossSold(Box<Result<CrossSell, String>>),
    /// A segment's query, or why it cannot be written.
    Sql(Box<Result<String, String>>),
    /// Paths through sessions, or why there are none.
    Paths(Box<Result<seglens_engine::journeys::Paths, String>>),
    /// The stage mix by month, or why there is none.
    StageMix(Box<Result<seglens_engine::journeys::StageMix, String>>),
    /// A file was refused as a whole (the page words why).
    Refused(Box<seglens_engine::ImportError>),
    /// An export given to update the project does not look like its next
    /// one: nothing changed; the user is asked.
    UpdateQuestion(seglens_engine::analysis::update::Question),
    /// The work failed; the message is for the user.
    Failed {
        /// What went wrong, in plain words.
        message: String,
    },
    /// The import was dropped.
    Cancelled,
}

/// Whose baskets a cross-sell looks at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Audience {
    /// Every buyer.
    All,
    /// The members of an RFM segment, by name.
    Rfm(String),
    /// The members of a saved segment.
    Saved(Definition),
}

/// A finished import: the data to store, what was understood, and the
/// analysis.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Imported {
    /// The dataset (orders and sources), compact binary, ready to store.
    #[serde(with = "serde_bytes")]
    pub table: Vec<u8>,
    /// What the order import understood and rejected, when the file was an
    /// order file (a new workspace).
    pub report: Option<ImportReport>,
    /// What a source's import understood, when the file was e-mail results
    /// or survey answers (added to the workspace).
    pub source: Option<SourceReport>,
    /// What the import of every source of the data understood (the demo
    /// comes with several).
    #[serde(default)]
    pub sources: Vec<SourceReport>,
    /// The analysis.
    pub analysis: Analysis,
    /// How long the worker took.
    #[serde(default)]
    pub timings: ImportTimings,
    /// What changed, when an order file updated the project.
    #[serde(default)]
    pub update: Option<Box<seglens_engine::analysis::update::Since>>,
}

/// How long an import took in the worker, and the engine's memory after it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportTimings {
    /// From the first byte sent to the table built, in milliseconds
    /// (reading the file and the messages to the worker included).
    pub read_ms: f64,
    /// The analysis (RFM, KPIs, models) and the encoding of the table to
    /// store, in milliseconds.
    pub analyse_ms: f64,
    /// The engine's memory (its WebAssembly memory only grows, so this is
    /// its peak), in bytes.
    pub memory_bytes: u64,
}
