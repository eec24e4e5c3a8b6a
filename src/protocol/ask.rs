//! The operations the page asks of the worker, each a type with the type
//! of its answer.
//!
//! An operation is a struct here and one line of the `operations!` list
//! below, which makes it a [`Call`], a variant of [`Ask`] and of
//! [`Answer`], and a method of [`Serve`], the worker's side: the page
//! calls `engine.ask(ask::Cohorts { .. })` and gets a `Cohorts` back, and
//! a worker that does not serve an operation does not compile. A failure
//! is [`Response::Failed`](super::Response::Failed), whatever the
//! operation.

use seglens_engine::analysis::cohorts::{Cohorts as CohortTable, Migration as SegmentMoves};
use seglens_engine::analysis::{Analysis, AnalysisOptions};
use seglens_engine::export::sql::Dialect;
use seglens_engine::export::{Export as ExportFile, ExportOptions};
use seglens_engine::import::delimited::Encoding;
use seglens_engine::import::orders::{ColumnRef, OrdersPreview};
use seglens_engine::import::roles::Role;
use seglens_engine::import::sources::{ReadOptions, SourceKind, SourcePreview};
use seglens_engine::model::date::Day;
use seglens_engine::model::message::Message;
use seglens_engine::models::clv::HoldoutCheck;
use seglens_engine::segments::Definition;
use seglens_engine::segments::cluster::{ClusterSetup, Clustering, Feature, SilhouetteCurve};
use seglens_engine::segments::groups::{MemberPage, SortBy};
use seglens_engine::segments::lifecycle::LifecycleSetup;
use serde::{Deserialize, Serialize};

use super::{Audience, Imported, Response};

/// One operation of the worker and the type of its answer.
pub trait Call: Sized {
    /// What the worker answers when the operation succeeds.
    type Answer;
    /// The operation as a message.
    fn into_ask(self) -> Ask;
    /// The answer as a message.
    fn wrap(answer: Self::Answer) -> Answer;
    /// This operation's answer, or the message back when it is another's.
    fn unwrap(answer: Answer) -> Result<Self::Answer, Answer>;
    /// The message that ends the operation: its answer, or why it failed.
    fn respond(result: Result<Self::Answer, Message>) -> Response {
        match result {
            Ok(answer) => Response::Answer(Self::wrap(answer)),
            Err(message) => Response::Failed { message },
        }
    }
}

/// Reports progress while an operation runs: [`Response::Progress`],
/// [`Response::Step`] or [`Response::Stage`](super::Response::Stage).
pub type Reply<'a> = &'a mut dyn FnMut(Response);

macro_rules! operations {
    ($($serve:ident: $op:ident -> $answer:ty;)*) => {
        /// An operation the page asks of the worker.
        #[derive(Debug, Clone, Serialize, Deserialize)]
        pub enum Ask {
            $(
                #[doc = concat!("See [`", stringify!($op), "`].")]
                $op($op),
            )*
        }

        /// The answer to an [`Ask`], by operation.
        #[derive(Debug, Clone, Serialize, Deserialize)]
        pub enum Answer {
            $(
                #[doc = concat!("The answer to [`", stringify!($op), "`].")]
                $op(Box<$answer>),
            )*
        }

        $(
            impl Call for $op {
                type Answer = $answer;
                fn into_ask(self) -> Ask {
                    Ask::$op(self)
                }
                fn wrap(answer: $answer) -> Answer {
                    Answer::$op(Box::new(answer))
                }
                fn unwrap(answer: Answer) -> Result<$answer, Answer> {
                    match answer {
                        Answer::$op(answer) => Ok(*answer),
                        #[allow(unreachable_patterns)]
                        other => Err(other),
                    }
                }
            }
        )*

        /// The worker's side: one method per operation, each reporting
        /// progress through `reply` and ending with its answer or why it
        /// failed.
        pub trait Serve {
            $(
                #[doc = concat!("Does [`", stringify!($op), "`].")]
                fn $serve(&mut self, call: $op, reply: Reply) -> Result<$answer, Message>;
            )*
        }

        impl Ask {
            /// Has `server` do the operation; its last message.
            pub fn serve(self, server: &mut impl Serve, reply: Reply) -> Response {
                match self {
                    $( Ask::$op(call) => $op::respond(server.$serve(call, reply)), )*
                }
            }
        }
    };
}

operations! {
    demo: Demo -> Imported;
    preview_source: PreviewSource -> SourcePreview;
    preview_orders: PreviewOrders -> OrdersPreview;
    classify: Classify -> Option<SourceKind>;
    analyse: Analyse -> Analysis;
    reanalyse: Reanalyse -> Analysis;
    save_project: SaveProject -> Vec<u8>;
    open_project: OpenProject -> OpenedProject;
    export: Export -> ExportFile;
    export_segments: ExportSegments -> ExportFile;
    count_rule: CountRule -> u64;
    members: Members -> MemberPage;
    segment_sql: SegmentSql -> String;
    cluster: Cluster -> Clustering;
    silhouette: Silhouette -> SilhouetteCurve;
    compare_two: CompareTwo -> seglens_engine::metrics::compare::TwoSegments;
    cross_sell: CrossSell -> seglens_engine::journeys::crosssell::CrossSell;
    cohorts: Cohorts -> CohortTable;
    paths: Paths -> seglens_engine::journeys::Paths;
    activity: Activity -> Vec<Vec<u64>>;
    stage_mix: StageMix -> seglens_engine::journeys::StageMix;
    separation: Separation -> seglens_engine::segments::separation::Separation;
    group_history: GroupHistory -> seglens_engine::analysis::membership::GroupHistory;
    campaigns: Campaigns -> Vec<seglens_engine::analysis::campaign::CampaignResult>;
    migration: Migration -> SegmentMoves;
    check_holdout: CheckHoldout -> HoldoutCheck;
}

/// Generate the demo business, import its orders and analyse them,
/// reporting the bytes read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Demo;

/// What a source file's first bytes give with some choices.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreviewSource {
    /// The file's name.
    pub file_name: String,
    /// Its first bytes (all of it for a workbook).
    #[serde(with = "serde_bytes")]
    pub head: Vec<u8>,
    /// True when `head` is the whole file.
    pub whole: bool,
    /// The encoding, sheet, kind and columns chosen.
    pub read: ReadOptions,
}

/// What an order file's first bytes give with some column choices.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreviewOrders {
    /// The file's name.
    pub file_name: String,
    /// Its first bytes (all of it for a workbook).
    #[serde(with = "serde_bytes")]
    pub head: Vec<u8>,
    /// True when `head` is the whole file.
    pub whole: bool,
    /// The encoding the user chose.
    pub encoding: Option<Encoding>,
    /// The columns chosen for roles.
    pub map: Vec<(Role, ColumnRef)>,
    /// The sheet of a workbook chosen (the first when none).
    pub sheet: Option<String>,
}

/// Say what a file holds from its first bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Classify {
    /// The first bytes of the file (64 KiB at most; a workbook whole).
    #[serde(with = "serde_bytes")]
    pub head: Vec<u8>,
    /// The sheet of a workbook chosen (the first when none).
    pub sheet: Option<String>,
}

/// Analyse a stored dataset (as written by `Dataset::encode`); the worker
/// keeps it for the operations after.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Analyse {
    /// The dataset's bytes.
    #[serde(with = "serde_bytes")]
    pub table: Vec<u8>,
    /// The user's choices.
    pub options: AnalysisOptions,
}

/// Analyse the data the worker holds again, with other choices.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reanalyse {
    /// The user's choices.
    pub options: AnalysisOptions,
}

/// Write the current project (its record and data) as one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SaveProject {
    /// The app's workspace record, as JSON.
    pub record_json: String,
}

/// Open a project file and analyse it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenProject {
    /// The file's bytes.
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

/// A project file opened and analysed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenedProject {
    /// Its workspace record, as JSON.
    pub record_json: String,
    /// Its data, to store.
    #[serde(with = "serde_bytes")]
    pub table: Vec<u8>,
    /// The analysis.
    pub analysis: Analysis,
}

/// Write the members of some RFM segments as a file, reporting steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Export {
    /// The workspace's choices (its RFM setup gives the segments).
    pub options: AnalysisOptions,
    /// The segments, as indices into the analysis's segment names.
    pub segments: Vec<usize>,
    /// Layout, columns and file format.
    pub export: ExportOptions,
}

/// Write the members of saved segments as one file, reporting steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportSegments {
    /// The workspace's choices (their RFM setup gives the RFM columns).
    pub options: AnalysisOptions,
    /// Each segment's name (for the segment column) and definition.
    pub segments: Vec<(String, Definition)>,
    /// The lifecycle thresholds in use.
    pub lifecycle: LifecycleSetup,
    /// Layout, columns and file format.
    pub export: ExportOptions,
}

/// Count the customers a rule (JSON) selects at the analysis date.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CountRule {
    /// The analysis date.
    pub as_of: Day,
    /// The rule, as stored.
    pub rule: String,
    /// The lifecycle's settings, for rules that test a stage.
    pub lifecycle: LifecycleSetup,
}

/// A page of a segment's members.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Members {
    /// The analysis date.
    pub as_of: Day,
    /// What the segment selects.
    pub definition: Definition,
    /// The lifecycle thresholds in use.
    pub lifecycle: LifecycleSetup,
    /// Text to look for in the id, name or e-mail.
    pub search: String,
    /// The order of the rows.
    pub sort: SortBy,
    /// The page, from 0.
    pub page: usize,
}

/// A saved segment as a SQL query over the user's tables.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SegmentSql {
    /// The analysis date.
    pub as_of: Day,
    /// The segment's name, for the query's title.
    pub name: String,
    /// What it selects.
    pub definition: Definition,
    /// The lifecycle thresholds in use.
    pub lifecycle: LifecycleSetup,
    /// The orders' columns by role.
    pub orders_columns: Vec<(String, String)>,
    /// Table names the user gave, by kind (`orders`, `customers`, ...).
    pub tables: Vec<(String, String)>,
    /// Column names the user gave: kind, role, column.
    pub columns: Vec<(String, String, String)>,
    /// The SQL dialect.
    pub dialect: Dialect,
}

/// Group the customers by k-means (the answer without its member list),
/// reporting steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cluster {
    /// The analysis date.
    pub as_of: Day,
    /// Features, k, seed and runs.
    pub setup: ClusterSetup,
}

/// The silhouette of k = 2..10 on some features and the k it suggests,
/// reporting steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Silhouette {
    /// The analysis date.
    pub as_of: Day,
    /// The features.
    pub features: Vec<Feature>,
}

/// Two audiences side by side: every KPI, and where they differ.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompareTwo {
    /// The workspace's choices (analysis date, RFM setup).
    pub options: AnalysisOptions,
    /// The first audience and its name.
    pub first: (String, Audience),
    /// The second audience and its name.
    pub second: (String, Audience),
    /// The lifecycle thresholds in use.
    pub lifecycle: LifecycleSetup,
}

/// Which categories the same customers buy, within an audience.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrossSell {
    /// The workspace's choices (analysis date, RFM setup).
    pub options: AnalysisOptions,
    /// Whose baskets.
    pub audience: Audience,
    /// The lifecycle thresholds in use.
    pub lifecycle: LifecycleSetup,
}

/// Monthly cohort retention, within an audience.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cohorts {
    /// The workspace's choices (analysis date, RFM setup).
    pub options: AnalysisOptions,
    /// Whose orders.
    pub audience: Audience,
    /// The lifecycle thresholds in use.
    pub lifecycle: LifecycleSetup,
}

/// The paths through the sessions of an audience.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Paths {
    /// The workspace's choices.
    pub options: AnalysisOptions,
    /// Whose sessions.
    pub audience: Audience,
    /// The lifecycle thresholds in use.
    pub lifecycle: LifecycleSetup,
    /// Where the paths start or end, how deep, and the session gap.
    pub setup: seglens_engine::journeys::PathSetup,
}

/// Events per weekday (Monday first) and hour, within an audience.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Activity {
    /// The workspace's choices (analysis date, RFM setup).
    pub options: AnalysisOptions,
    /// Whose events.
    pub audience: Audience,
    /// The lifecycle thresholds in use.
    pub lifecycle: LifecycleSetup,
}

/// How far customers went each month (awareness, consideration,
/// decision), within an audience, with the workspace's mapping of events
/// to stages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageMix {
    /// The workspace's choices (analysis date, the stage mapping when the
    /// heatmap compares journey stages with one).
    pub options: AnalysisOptions,
    /// Whose events.
    pub audience: Audience,
    /// The lifecycle thresholds in use.
    pub lifecycle: LifecycleSetup,
}

/// The groups the KPI table compares, seen as a whole (overlap, share of
/// variance between them, silhouette).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Separation {
    /// The workspace's choices (the groups compared among them).
    pub options: AnalysisOptions,
    /// The analysis date.
    pub as_of: Day,
}

/// Every group's size at each month end, recomputed from the data.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupHistory {
    /// The workspace's choices (RFM setup, lifecycle thresholds, saved
    /// segments).
    pub options: AnalysisOptions,
}

/// What each campaign of the e-mail results or sends file did, per RFM
/// segment at the send day and per group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Campaigns {
    /// The workspace's RFM setup.
    pub rfm: seglens_engine::segments::rfm::RfmSetup,
    /// The days after the send in which an order counts.
    pub window_days: i32,
    /// The campaigns whose lists the project kept.
    pub lists: Vec<seglens_engine::analysis::campaign::SentList>,
}

/// The moves between RFM segments from an earlier date to the analysis
/// date.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Migration {
    /// The workspace's choices (analysis date, RFM setup).
    pub options: AnalysisOptions,
    /// The earlier date.
    pub from: Day,
}

/// Fit the purchase model on the history up to `calibration_end` and
/// compare its predictions with the rest of the history, reporting the
/// parts as they start.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckHoldout {
    /// The last day of the calibration period.
    pub calibration_end: Day,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Request;

    /// A message as the other side reads it.
    fn carried<T: Serialize + serde::de::DeserializeOwned>(message: &T) -> T {
        serde_json::from_str(&serde_json::to_string(message).unwrap()).unwrap()
    }

    #[test]
    fn an_answer_comes_back_as_its_operations_type() {
        let sent = carried(&Request::from(CountRule {
            as_of: 19_000,
            rule: "{}".into(),
            lifecycle: LifecycleSetup::default(),
        }));
        let Request::Ask(Ask::CountRule(call)) = sent else {
            panic!("the count arrived as {sent:?}");
        };
        assert_eq!(call.as_of, 19_000);
        let Response::Answer(answer) = carried(&CountRule::respond(Ok(42))) else {
            panic!("the count's answer was not an answer");
        };
        assert_eq!(CountRule::unwrap(answer).unwrap(), 42);
    }

    #[test]
    fn another_operations_answer_is_handed_back() {
        let answer = SaveProject::wrap(vec![1, 2, 3]);
        let Err(back) = CountRule::unwrap(answer) else {
            panic!("a project file was taken for a count");
        };
        assert_eq!(SaveProject::unwrap(back).unwrap(), vec![1, 2, 3]);
    }

    #[test]
    fn a_failure_is_the_same_message_whatever_the_operation() {
        let why = Message::new("engine.with.no_numbers").with("column", "âge");
        let Response::Failed { message } = carried(&Classify::respond(Err(why.clone()))) else {
            panic!("a failure was not said as one");
        };
        assert_eq!(message, why);
    }
}
