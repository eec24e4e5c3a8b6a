//! The worker adapter: starts the engine worker when first asked and
//! turns its messages into async calls: `ask(call)` for any operation of
//! [`ask`], which answers with that operation's type, and `import_file`
//! for a file streamed in. One operation runs at a time.

use crate::i18n::t;
use seglens_engine::model::message::Message;
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::lock::Mutex;
use gloo_worker::{Spawnable, WorkerBridge};

use crate::files;
use seglens_engine::analysis::AnalysisOptions;
use seglens_engine::import::orders::{ColumnRef, OrdersPreview};
use seglens_engine::import::roles::Role;
use seglens_engine::import::sources::{ReadOptions, SourceKind, SourcePreview};
use seglens_engine::model::stage::Stage;

use crate::protocol::ask::{self, Call};
use crate::protocol::{Envelope, ImportStep, Imported, PROTOCOL_VERSION, Request, Response};
use crate::worker::EngineTask;

/// The first `limit` bytes of a file, or all of a workbook (its contents
/// are at its end), and whether that is the whole file.
async fn head_of(file: &web_sys::File, limit: u64) -> Result<(Vec<u8>, bool), String> {
    let size = file.size() as u64;
    let mut head = files::read_slice(file, 0, size.min(limit)).await?;
    if seglens_engine::import::spreadsheet::is_workbook(&head) && size > head.len() as u64 {
        head = files::read_slice(file, 0, size).await?;
    }
    let whole = head.len() as u64 == size;
    Ok((head, whole))
}

/// Bytes read from a file and sent to the worker at a time.
pub const CHUNK_BYTES: u64 = 4 << 20;

/// How an import ended when it did not produce a table.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportFailure {
    /// The user cancelled it.
    Cancelled,
    /// The engine refused the file as a whole; the page words why.
    Refused(seglens_engine::ImportError),
    /// The file could not be read or imported; the message says why.
    Failed(String),
    /// An export given to update the project does not look like its next
    /// one: the user is asked, nothing changed.
    Question(seglens_engine::analysis::update::Question),
}

/// Progress of a long operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Bytes done.
    pub bytes_done: u64,
    /// Bytes in all.
    pub bytes_total: u64,
    /// Rows read.
    pub rows: u64,
}

/// The part of an analysis or of the model check under way: the part,
/// the parts done before it and the parts in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageProgress {
    /// The part that started last.
    pub stage: Stage,
    /// Parts done.
    pub done: u64,
    /// Parts in all.
    pub total: u64,
}

/// Told of the part under way, and of `None` once the work is done.
type StageSink = Rc<dyn Fn(Option<StageProgress>)>;

/// The engine worker, seen from the page.
pub struct EngineClient {
    /// Started by the first request (the demo, a file, a project opened),
    /// so the start screen does not fetch the engine.
    bridge: OnceCell<WorkerBridge<EngineTask>>,
    answers: UnboundedSender<Response>,
    responses: Mutex<UnboundedReceiver<Response>>,
    on_stage: RefCell<Option<StageSink>>,
}

impl EngineClient {
    /// The engine, to be started when first asked (its loader sits beside
    /// the page).
    pub fn new() -> Rc<EngineClient> {
        let (answers, responses) = unbounded();
        Rc::new(EngineClient {
            bridge: OnceCell::new(),
            answers,
            responses: Mutex::new(responses),
            on_stage: RefCell::new(None),
        })
    }

    /// The worker, started on first use.
    fn bridge(&self) -> &WorkerBridge<EngineTask> {
        self.bridge.get_or_init(|| {
            let tx = self.answers.clone();
            EngineTask::spawner()
                .callback(move |env: Envelope<Response>| {
                    let body = if env.version == PROTOCOL_VERSION {
                        env.body
                    } else {
                        Response::Failed {
                            message: Message::new("engine.the_page_and_its_worker"),
                        }
                    };
                    let _ = tx.unbounded_send(body);
                })
                .spawn_with_loader("./worker_loader.js")
        })
    }

    /// Tells `sink` of the parts of every analysis and model check as they
    /// start, and of `None` when the work is done.
    pub fn on_stage(&self, sink: impl Fn(Option<StageProgress>) + 'static) {
        *self.on_stage.borrow_mut() = Some(Rc::new(sink));
    }

    fn stage(&self, progress: Option<StageProgress>) {
        let sink = self.on_stage.borrow().clone();
        if let Some(sink) = sink {
            sink(progress);
        }
    }

    fn send(&self, request: impl Into<Request>) {
        self.bridge().send(Envelope::new(request.into()));
    }

    /// Waits for the next answer that is not progress, reporting progress
    /// (an import's bytes, another piece of work's steps, the parts of an
    /// analysis) on the way.
    async fn outcome(
        &self,
        rx: &mut UnboundedReceiver<Response>,
        on_progress: &dyn Fn(Progress),
        on_step: &dyn Fn(u64, u64),
    ) -> Response {
        let answer = self.progress_until_answer(rx, on_progress, on_step).await;
        self.stage(None);
        learn_group_labels(&answer);
        answer
    }

    async fn progress_until_answer(
        &self,
        rx: &mut UnboundedReceiver<Response>,
        on_progress: &dyn Fn(Progress),
        on_step: &dyn Fn(u64, u64),
    ) -> Response {
        loop {
            match rx.next().await {
                Some(Response::Progress {
                    bytes_done,
                    bytes_total,
                    rows,
                }) => on_progress(Progress {
                    bytes_done,
                    bytes_total,
                    rows,
                }),
                Some(Response::Step { done, total }) => on_step(done, total),
                Some(Response::Stage { stage, done, total }) => {
                    self.stage(Some(StageProgress { stage, done, total }))
                }
                Some(other) => return other,
                None => {
                    return Response::Failed {
                        message: Message::new("engine.the_engine_worker_stopped"),
                    };
                }
            }
        }
    }

    /// Streams a file to the worker chunk by chunk, waiting for each
    /// chunk's acknowledgement, so memory stays bounded and `cancel` is
    /// honoured between chunks. An order file is read with the columns of
    /// `map`; `read` holds the encoding, the sheet of a workbook and, for
    /// another source, what it holds and its columns. With `update`, an
    /// order file updates the project in use (see [`ImportStep::End`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn import_file(
        &self,
        file: &web_sys::File,
        on_progress: &dyn Fn(Progress),
        cancel: Rc<Cell<bool>>,
        options: AnalysisOptions,
        update: Option<bool>,
        map: Vec<(Role, ColumnRef)>,
        read: ReadOptions,
    ) -> Result<Imported, ImportFailure> {
        let mut rx = self.responses.lock().await;
        let total = file.size() as u64;
        self.send(Request::Import(ImportStep::Begin {
            file_name: file.name(),
            total_bytes: total,
            map,
            read,
        }));
        let mut start = 0u64;
        loop {
            // The next slice is read from the file while the worker reads
            // the one before.
            let end = (start + CHUNK_BYTES).min(total);
            let slice = async {
                match start < total {
                    true => Some(files::read_slice(file, start, end).await),
                    false => None,
                }
            };
            let (answer, slice) = futures::join!(rx.next(), slice);
            match answer {
                Some(Response::Progress {
                    bytes_done,
                    bytes_total,
                    rows,
                }) => on_progress(Progress {
                    bytes_done,
                    bytes_total,
                    rows,
                }),
                Some(Response::Failed { message }) => {
                    return Err(ImportFailure::Failed(crate::i18n::message(&message)));
                }
                Some(Response::Refused(e)) => return Err(ImportFailure::Refused(*e)),
                Some(other) => {
                    return Err(ImportFailure::Failed(format!(
                        "Unexpected answer from the worker: {other:?}"
                    )));
                }
                None => return Err(ImportFailure::Failed(t("engine.the_engine_worker_stopped"))),
            }
            if cancel.get() {
                self.send(Request::Import(ImportStep::Cancel));
                let _ = self.outcome(&mut rx, &|_| {}, &|_, _| {}).await;
                return Err(ImportFailure::Cancelled);
            }
            let Some(bytes) = slice else {
                break;
            };
            start = end;
            self.send(Request::Import(ImportStep::Chunk {
                bytes: bytes.map_err(ImportFailure::Failed)?,
            }));
        }
        self.send(Request::Import(ImportStep::End { options, update }));
        match self.outcome(&mut rx, on_progress, &|_, _| {}).await {
            Response::Imported(done) => Ok(*done),
            Response::UpdateQuestion(q) => Err(ImportFailure::Question(q)),
            Response::Failed { message } => {
                Err(ImportFailure::Failed(crate::i18n::message(&message)))
            }
            Response::Refused(e) => Err(ImportFailure::Refused(*e)),
            other => Err(ImportFailure::Failed(format!(
                "Unexpected answer from the worker: {other:?}"
            ))),
        }
    }

    /// Does one operation of [`ask`] and waits for its answer.
    pub async fn ask<C: Call>(&self, call: C) -> Result<C::Answer, String> {
        self.ask_watching(call, &|_| {}, &|_, _| {}).await
    }

    /// As [`Self::ask`], telling `on_step` the steps done and in all as
    /// the worker reports them.
    pub async fn ask_steps<C: Call>(
        &self,
        call: C,
        on_step: &dyn Fn(u64, u64),
    ) -> Result<C::Answer, String> {
        self.ask_watching(call, &|_| {}, on_step).await
    }

    /// As [`Self::ask`], telling `on_progress` the bytes read as the
    /// worker reports them.
    pub async fn ask_progress<C: Call>(
        &self,
        call: C,
        on_progress: &dyn Fn(Progress),
    ) -> Result<C::Answer, String> {
        self.ask_watching(call, on_progress, &|_, _| {}).await
    }

    async fn ask_watching<C: Call>(
        &self,
        call: C,
        on_progress: &dyn Fn(Progress),
        on_step: &dyn Fn(u64, u64),
    ) -> Result<C::Answer, String> {
        // The exchange is the same for every operation (one copy of it in
        // the page's code); only the answer's unwrapping is the call's.
        let answer = self.exchange(call.into_ask(), on_progress, on_step).await?;
        C::unwrap(answer).map_err(|other| format!("Unexpected answer from the worker: {other:?}"))
    }

    /// Sends an operation and waits for its answer, reporting progress on
    /// the way.
    async fn exchange(
        &self,
        ask: crate::protocol::Ask,
        on_progress: &dyn Fn(Progress),
        on_step: &dyn Fn(u64, u64),
    ) -> Result<crate::protocol::Answer, String> {
        let mut rx = self.responses.lock().await;
        self.send(Request::Ask(ask));
        match self.outcome(&mut rx, on_progress, on_step).await {
            Response::Answer(answer) => Ok(answer),
            Response::Failed { message } => Err(crate::i18n::message(&message)),
            other => Err(format!("Unexpected answer from the worker: {other:?}")),
        }
    }

    /// Says what a file holds (orders, e-mail results, survey answers),
    /// from the chosen sheet of a workbook.
    pub async fn classify(
        &self,
        file: &web_sys::File,
        sheet: Option<String>,
    ) -> Result<Option<SourceKind>, String> {
        let (head, _) = head_of(file, 64 * 1024).await?;
        self.ask(ask::Classify { head, sheet }).await
    }

    /// What an order file would give with these column choices, from its
    /// first 256 KiB (a workbook whole).
    pub async fn preview_orders(
        &self,
        file: &web_sys::File,
        encoding: Option<seglens_engine::import::delimited::Encoding>,
        map: Vec<(Role, ColumnRef)>,
        sheet: Option<String>,
    ) -> Result<OrdersPreview, String> {
        let (head, whole) = head_of(file, 256 * 1024).await?;
        self.ask(ask::PreviewOrders {
            file_name: file.name(),
            head,
            whole,
            encoding,
            map,
            sheet,
        })
        .await
    }

    /// What a source file's first rows give with `read` (its encoding,
    /// sheet, kind and columns).
    pub async fn preview_source(
        &self,
        file: &web_sys::File,
        read: ReadOptions,
    ) -> Result<SourcePreview, String> {
        let (head, whole) = head_of(file, 256 * 1024).await?;
        self.ask(ask::PreviewSource {
            file_name: file.name(),
            head,
            whole,
            read,
        })
        .await
    }
}

/// How the engine names the groups it made from a column, learnt from
/// every analysis the worker sends, for [`crate::i18n::group_name`].
fn learn_group_labels(answer: &Response) {
    use crate::protocol::Answer;
    let analysis = match answer {
        Response::Imported(done) => &done.analysis,
        Response::Answer(Answer::Analyse(a) | Answer::Reanalyse(a)) => a.as_ref(),
        Response::Answer(Answer::Demo(done)) => &done.analysis,
        Response::Answer(Answer::OpenProject(opened)) => &opened.analysis,
        _ => return,
    };
    crate::i18n::learn_group_labels(&analysis.group_labels);
}
