//! The typed, versioned messages between the page and the engine worker:
//! the operations of [`ask`], each with its answer's type, and the steps
//! of a file streamed in.
//!
//! Both sides are compiled from this file; the version guards against a
//! page and a worker from different builds (a cached worker after an
//! update) talking past each other.

pub mod ask;

use seglens_engine::ImportReport;
use seglens_engine::analysis::{Analysis, AnalysisOptions};
use seglens_engine::import::orders::ColumnRef;
use seglens_engine::import::roles::Role;
use seglens_engine::import::sources::{ReadOptions, SourceReport};
use seglens_engine::segments::Definition;
use serde::{Deserialize, Serialize};

pub use ask::{Answer, Ask, Call};

/// The version of the messages below; bump it on any change.
pub const PROTOCOL_VERSION: u16 = 13;

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

/// What the page asks of the worker: an operation, or a step of a file
/// import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// An operation, answered with [`Response::Answer`] or
    /// [`Response::Failed`].
    Ask(Ask),
    /// A step of a file streamed to the worker.
    Import(ImportStep),
}

impl<C: Call> From<C> for Request {
    fn from(call: C) -> Request {
        Request::Ask(call.into_ask())
    }
}

/// A file import, streamed chunk by chunk so memory stays bounded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ImportStep {
    /// A file import starts; answered with [`Response::Progress`].
    Begin {
        /// The file's name, for messages.
        file_name: String,
        /// Its size, for progress.
        total_bytes: u64,
        /// Columns the user chose for roles (detected when empty).
        map: Vec<(Role, ColumnRef)>,
        /// The encoding, the sheet of a workbook and, for a source, what
        /// it holds and its columns.
        read: ReadOptions,
    },
    /// The next chunk of the file; answered with [`Response::Progress`].
    Chunk {
        /// The bytes.
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// The file has ended: answered with [`Response::Imported`],
    /// [`Response::UpdateQuestion`], [`Response::Refused`] or
    /// [`Response::Failed`].
    End {
        /// The workspace's choices, for the analysis after a source is
        /// added (a new order file starts from the defaults).
        options: AnalysisOptions,
        /// An order file updates the project in use instead of starting a
        /// new one: `Some(confirmed)`, true once the user said yes to the
        /// question an export that does not fit raised.
        update: Option<bool>,
    },
    /// Drop the import under way; answered with [`Response::Cancelled`].
    Cancel,
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
    /// An operation's answer.
    Answer(Answer),
    /// A file import is done.
    Imported(Box<Imported>),
    /// A file was refused as a whole (the page words why).
    Refused(Box<seglens_engine::ImportError>),
    /// An export given to update the project does not look like its next
    /// one: nothing changed; the user is asked.
    UpdateQuestion(seglens_engine::analysis::update::Question),
    /// The work failed; the message is for the user.
    Failed {
        /// What went wrong, as the engine's message.
        message: seglens_engine::model::message::Message,
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
