//! The worker adapter: spawns the engine worker and turns its messages
//! into async calls. One operation runs at a time.

use crate::i18n::{engine_text, t};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use futures::lock::Mutex;
use gloo_worker::{Spawnable, WorkerBridge};

use crate::files;
use seglens_engine::analysis::cohorts::{Cohorts, Migration};
use seglens_engine::analysis::{Analysis, AnalysisOptions};
use seglens_engine::export::{Export, ExportOptions};
use seglens_engine::import::orders::{ColumnRef, OrdersPreview};
use seglens_engine::import::roles::Role;
use seglens_engine::import::sources::{ReadOptions, SourceKind, SourcePreview};
use seglens_engine::journeys::crosssell::CrossSell;
use seglens_engine::metrics::compare::TwoSegments;
use seglens_engine::model::date::Day;
use seglens_engine::model::stage::Stage;
use seglens_engine::models::clv::HoldoutCheck;
use seglens_engine::segments::cluster::{ClusterSetup, Clustering, Feature};
use seglens_engine::segments::groups::MemberPage;

use crate::protocol::{Envelope, Imported, PROTOCOL_VERSION, Request, Response};
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
    bridge: WorkerBridge<EngineTask>,
    responses: Mutex<UnboundedReceiver<Response>>,
    on_stage: RefCell<Option<StageSink>>,
}

impl EngineClient {
    /// Starts the worker (its loader sits beside the page).
    pub fn spawn() -> Rc<EngineClient> {
        let (tx, rx) = unbounded();
        let bridge = EngineTask::spawner()
            .callback(move |env: Envelope<Response>| {
                let body = if env.version == PROTOCOL_VERSION {
                    env.body
                } else {
                    Response::Failed {
                        message: t("engine.the_page_and_its_worker"),
                    }
                };
                let _ = tx.unbounded_send(body);
            })
            .spawn_with_loader("./worker_loader.js");
        Rc::new(EngineClient {
            bridge,
            responses: Mutex::new(rx),
            on_stage: RefCell::new(None),
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

    fn send(&self, request: Request) {
        self.bridge.send(Envelope::new(request));
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
                        message: t("engine.the_engine_worker_stopped"),
                    };
                }
            }
        }
    }

    /// Generates, imports and analyses the demo business.
    pub async fn demo(&self, on_progress: &dyn Fn(Progress)) -> Result<Imported, String> {
        let mut rx = self.responses.lock().await;
        self.send(Request::Demo);
        match self.outcome(&mut rx, on_progress, &|_, _| {}).await {
            Response::Imported(done) => Ok(*done),
            Response::Failed { message } => Err(engine_text(&message)),
            other => Err(format!("Unexpected answer from the worker: {other:?}")),
        }
    }

    /// Streams a file to the worker chunk by chunk, waiting for each
    /// chunk's acknowledgement, so memory stays bounded and `cancel` is
    /// honoured between chunks. An order file is read with the columns of
    /// `map`; `read` holds the encoding, the sheet of a workbook and, for
    /// another source, what it holds and its columns. With `update`, an
    /// order file updates the project in use (see [`Request::ImportEnd`]).
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
        self.send(Request::ImportBegin {
            file_name: file.name(),
            total_bytes: total,
            encoding: read.encoding,
            map,
            read,
        });
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
                    return Err(ImportFailure::Failed(engine_text(&message)));
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
                self.send(Request::ImportCancel);
                let _ = self.outcome(&mut rx, &|_| {}, &|_, _| {}).await;
                return Err(ImportFailure::Cancelled);
            }
            let Some(bytes) = slice else {
                break;
            };
            start = end;
            self.send(Request::ImportChunk {
                bytes: bytes.map_err(ImportFailure::Failed)?,
            });
        }
        self.send(Request::ImportEnd { options, update });
        match self.outcome(&mut rx, on_progress, &|_, _| {}).await {
            Response::Imported(done) => Ok(*done),
            Response::UpdateQuestion(q) => Err(ImportFailure::Question(q)),
            Response::Failed { message } => Err(ImportFailure::Failed(engine_text(&message))),
            Response::Refused(e) => Err(ImportFailure::Refused(*e)),
            other => Err(ImportFailure::Failed(format!(
                "Unexpected answer from the worker: {other:?}"
            ))),
        }
    }

    /// Analyses a stored table; the worker keeps it for later requests.
    pub async fn analyse(
        &self,
        table: Vec<u8>,
        options: AnalysisOptions,
    ) -> Result<Analysis, String> {
        self.analysis(Request::Analyse { table, options }).await
    }

    /// Analyses the table the worker holds with other choices.
    pub async fn reanalyse(&self, options: AnalysisOptions) -> Result<Analysis, String> {
        self.analysis(Request::Reanalyse { options }).await
    }

    async fn analysis(&self, request: Request) -> Result<Analysis, String> {
        self.call(request, |r| match r {
            Response::Analysed(a) => Ok(*a),
            other => Err(other),
        })
        .await
    }

    /// Sends one request and waits for its answer; `pick` takes the answer
    /// it expects and hands back any other.
    async fn call<T>(
        &self,
        request: Request,
        pick: impl Fn(Response) -> Result<T, Response>,
    ) -> Result<T, String> {
        self.call_steps(request, &|_, _| {}, pick).await
    }

    /// As [`Self::call`], telling `on_step` the steps done and in all as
    /// the worker reports them.
    async fn call_steps<T>(
        &self,
        request: Request,
        on_step: &dyn Fn(u64, u64),
        pick: impl Fn(Response) -> Result<T, Response>,
    ) -> Result<T, String> {
        let mut rx = self.responses.lock().await;
        self.send(request);
        match pick(self.outcome(&mut rx, &|_| {}, on_step).await) {
            Ok(value) => Ok(value),
            Err(Response::Failed { message }) => Err(engine_text(&message)),
            Err(other) => Err(format!("Unexpected answer from the worker: {other:?}")),
        }
    }

    /// Writes the members of some segments as a file.
    pub async fn export(
        &self,
        options: AnalysisOptions,
        segments: Vec<usize>,
        export: ExportOptions,
        on_step: &dyn Fn(u64, u64),
    ) -> Result<Export, String> {
        let request = Request::Export {
            options,
            segments,
            export,
        };
        self.call_steps(request, on_step, |r| match r {
            Response::Exported(e) => Ok(*e),
            other => Err(other),
        })
        .await
    }

    /// Writes the current project as one file.
    pub async fn save_project(&self, record_json: String) -> Result<Vec<u8>, String> {
        self.call(Request::SaveProject { record_json }, |r| match r {
            Response::ProjectFile(bytes) => Ok(bytes),
            other => Err(other),
        })
        .await
    }

    /// Opens a project file: its record (JSON), its data and its analysis.
    pub async fn open_project(
        &self,
        bytes: Vec<u8>,
    ) -> Result<(String, Vec<u8>, Analysis), String> {
        self.call(Request::OpenProject { bytes }, |r| match r {
            Response::ProjectOpened {
                record_json,
                table,
                analysis,
            } => Ok((record_json, table, *analysis)),
            other => Err(other),
        })
        .await
    }

    /// Says what a file holds (orders, e-mail results, survey answers),
    /// from the chosen sheet of a workbook.
    pub async fn classify(
        &self,
        file: &web_sys::File,
        sheet: Option<String>,
    ) -> Result<Option<SourceKind>, String> {
        let (head, _) = head_of(file, 64 * 1024).await?;
        self.call(Request::Classify { head, sheet }, |r| match r {
            Response::Kind(kind) => Ok(kind),
            other => Err(other),
        })
        .await
    }

    /// Checks the purchase model against the history after `calibration_end`.
    pub async fn check_holdout(&self, calibration_end: Day) -> Result<HoldoutCheck, String> {
        self.call(Request::CheckHoldout { calibration_end }, |r| match r {
            Response::Holdout(c) => Ok(*c),
            other => Err(other),
        })
        .await
    }

    /// Counts the customers a rule (JSON) selects.
    pub async fn count_rule(
        &self,
        as_of: Day,
        rule: String,
        lifecycle: seglens_engine::segments::lifecycle::LifecycleSetup,
    ) -> Result<u64, String> {
        self.call(
            Request::CountRule {
                as_of,
                rule,
                lifecycle,
            },
            |r| match r {
                Response::Count(c) => Ok(c),
                other => Err(other),
            },
        )
        .await?
    }

    /// A page of a segment's members.
    pub async fn members(&self, request: Request) -> Result<MemberPage, String> {
        self.call(request, |r| match r {
            Response::Members(m) => Ok(*m),
            other => Err(other),
        })
        .await?
    }

    /// Writes the members of a saved segment as a file.
    pub async fn export_segment(
        &self,
        request: Request,
        on_step: &dyn Fn(u64, u64),
    ) -> Result<Export, String> {
        self.call_steps(request, on_step, |r| match r {
            Response::Exported(e) => Ok(*e),
            other => Err(other),
        })
        .await
    }

    /// A saved segment as a SQL query.
    pub async fn segment_sql(&self, request: Request) -> Result<String, String> {
        self.call(request, |r| match r {
            Response::Sql(q) => Ok(*q),
            other => Err(other),
        })
        .await?
    }

    /// Groups the customers by k-means.
    pub async fn cluster(
        &self,
        as_of: Day,
        setup: ClusterSetup,
        on_step: &dyn Fn(u64, u64),
    ) -> Result<Clustering, String> {
        self.call_steps(Request::Cluster { as_of, setup }, on_step, |r| match r {
            Response::Clustered(c) => Ok(*c),
            other => Err(other),
        })
        .await?
    }

    /// The silhouette per k on these features, and the suggested k.
    pub async fn silhouette(
        &self,
        as_of: Day,
        features: Vec<Feature>,
        on_step: &dyn Fn(u64, u64),
    ) -> Result<seglens_engine::segments::cluster::SilhouetteCurve, String> {
        self.call_steps(
            Request::Silhouette { as_of, features },
            on_step,
            |r| match r {
                Response::Silhouette(s) => Ok(s),
                other => Err(other),
            },
        )
        .await?
    }

    /// What sells together among some customers.
    pub async fn cross_sell(&self, request: Request) -> Result<CrossSell, String> {
        self.call(request, |r| match r {
            Response::CrossSold(x) => Ok(*x),
            other => Err(other),
        })
        .await?
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
        self.call(
            Request::PreviewOrders {
                file_name: file.name(),
                head,
                whole,
                encoding,
                map,
                sheet,
            },
            |r| match r {
                Response::OrdersPreviewed(p) => Ok(*p),
                other => Err(other),
            },
        )
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
        self.call(
            Request::PreviewSource {
                file_name: file.name(),
                head,
                whole,
                read,
            },
            |r| match r {
                Response::SourcePreviewed(p) => Ok(*p),
                other => Err(other),
            },
        )
        .await
    }

    /// Two audiences side by side.
    pub async fn compare_two(&self, request: Request) -> Result<TwoSegments, String> {
        self.call(request, |r| match r {
            Response::ComparedTwo(x) => Ok(*x),
            other => Err(other),
        })
        .await?
    }

    /// Monthly cohort retention of some customers.
    pub async fn cohorts(&self, request: Request) -> Result<Cohorts, String> {
        self.call(request, |r| match r {
            Response::Cohorts(x) => Ok(*x),
            other => Err(other),
        })
        .await?
    }

    /// The compared groups as a whole.
    pub async fn separation(
        &self,
        request: Request,
    ) -> Result<seglens_engine::segments::separation::Separation, String> {
        self.call(request, |r| match r {
            Response::Separated(x) => Ok(*x),
            other => Err(other),
        })
        .await?
    }

    /// Every group's size at each month end, from the data.
    pub async fn group_history(
        &self,
        options: AnalysisOptions,
    ) -> Result<seglens_engine::analysis::membership::GroupHistory, String> {
        self.call(Request::GroupHistory { options }, |r| match r {
            Response::GroupHistory(x) => Ok(*x),
            other => Err(other),
        })
        .await?
    }

    /// What each campaign did, per RFM segment at the send day and group.
    pub async fn campaigns(
        &self,
        rfm: seglens_engine::segments::rfm::RfmSetup,
        window_days: i32,
        lists: Vec<seglens_engine::analysis::campaign::SentList>,
    ) -> Result<Vec<seglens_engine::analysis::campaign::CampaignResult>, String> {
        let request = Request::Campaigns {
            rfm,
            window_days,
            lists,
        };
        self.call(request, |r| match r {
            Response::Campaigns(x) => Ok(*x),
            other => Err(other),
        })
        .await?
    }

    /// Moves between RFM segments since an earlier date.
    pub async fn migration(&self, request: Request) -> Result<Migration, String> {
        self.call(request, |r| match r {
            Response::Migrated(x) => Ok(*x),
            other => Err(other),
        })
        .await?
    }

    /// The paths through the sessions of an audience.
    pub async fn paths(&self, request: Request) -> Result<seglens_engine::journeys::Paths, String> {
        self.call(request, |r| match r {
            Response::Paths(x) => Ok(*x),
            other => Err(other),
        })
        .await?
    }

    /// The stage mix by month of an audience.
    pub async fn stage_mix(
        &self,
        request: Request,
    ) -> Result<seglens_engine::journeys::StageMix, String> {
        self.call(request, |r| match r {
            Response::StageMix(x) => Ok(*x),
            other => Err(other),
        })
        .await?
    }

    /// Events per weekday and hour of an audience.
    pub async fn activity(&self, request: Request) -> Result<Vec<Vec<u64>>, String> {
        self.call(request, |r| match r {
            Response::Activity(x) => Ok(*x),
            other => Err(other),
        })
        .await?
    }
}
