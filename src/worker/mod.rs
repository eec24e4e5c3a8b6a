//! The engine worker: runs imports and analyses off the page's thread.
//! Its body only calls the engine: the operations of
//! [`crate::protocol::ask`] in `serve.rs`, a file streamed in in `import.rs`.

mod import;
mod serve;

use gloo_worker::{HandlerId, Worker, WorkerScope};
use seglens_engine::analysis::{self, Analyser, Analysis, AnalysisOptions};
use seglens_engine::import::dataset::Dataset;
use seglens_engine::import::sources::SourceReport;
use seglens_engine::model::date::Day;
use seglens_engine::model::message::Message;
use seglens_engine::model::stage::Stage;
use seglens_engine::segments::{Facts, groups};
use seglens_engine::{ImportError, ImportReport};

use crate::protocol::ask::Reply;
use crate::protocol::{
    Audience, Envelope, ImportTimings, Imported, PROTOCOL_VERSION, Request, Response,
};

/// Milliseconds on the worker's clock.
fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Today (UTC), in days since 1970.
fn today() -> Day {
    (now_ms() / 86_400_000.0).floor() as Day
}

/// The size of the engine's WebAssembly memory, in bytes.
fn memory_bytes() -> u64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length() as u64
        })
        .unwrap_or(0)
}

/// The worker's state: the import under way, if any, and the data last
/// analysed.
pub struct EngineTask {
    import: Option<import::Import>,
    data: Option<Dataset>,
    /// Keeps the models fitted on `data` across new choices.
    analyser: Analyser,
    /// The per-customer facts of the data at one analysis date, for the
    /// rule builder's live count; dropped when the data changes.
    facts: Option<Facts>,
}

/// Steps of a long piece of work done and in all.
fn step(done: usize, total: usize) -> Response {
    Response::Step {
        done: done as u64,
        total: total as u64,
    }
}

/// A part of a long piece of work starts.
fn stage(stage: Stage, done: usize, total: usize) -> Response {
    Response::Stage {
        stage,
        done: done as u64,
        total: total as u64,
    }
}

/// A file refused as a whole, for the page to word.
fn refused(error: ImportError) -> Response {
    Response::Refused(Box::new(error))
}

fn failed(message: Message) -> Response {
    Response::Failed { message }
}

impl EngineTask {
    /// Analyses new data, keeps it, and answers with it.
    fn finished(
        &mut self,
        data: Dataset,
        report: Option<ImportReport>,
        source: Option<SourceReport>,
        options: &AnalysisOptions,
        read_ms: f64,
        reply: Reply,
    ) -> Result<Imported, Message> {
        let start = now_ms();
        let mut analyser = Analyser::default();
        let analysis = analyser.analyse_reporting(&data, options, &mut |s, done, total| {
            reply(stage(s, done, total))
        })?;
        let table = data.encode();
        let timings = ImportTimings {
            read_ms,
            analyse_ms: now_ms() - start,
            memory_bytes: memory_bytes(),
        };
        let sources = data.source_reports.clone();
        self.data = Some(data);
        self.facts = None;
        self.analyser = analyser;
        Ok(Imported {
            table,
            report,
            source,
            sources,
            analysis,
            timings,
            update: None,
        })
    }

    /// Analyses the data held with `options`.
    fn analysed(&mut self, options: &AnalysisOptions, reply: Reply) -> Result<Analysis, Message> {
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_is_no_data_to_analyse"))?;
        let analysis = self
            .analyser
            .analyse_reporting(data, options, &mut |s, d, t| reply(stage(s, d, t)))?;
        // The RFM setup may have changed: the cached facts carry the old
        // segments.
        self.facts = None;
        Ok(analysis)
    }

    /// The data, its analysis date and the customers of an audience (none
    /// for every customer).
    fn audience(
        &self,
        options: &AnalysisOptions,
        audience: &Audience,
        lifecycle: &seglens_engine::segments::lifecycle::LifecycleSetup,
    ) -> Result<(&Dataset, Day, Option<seglens_engine::model::bitmap::Bitmap>), Message> {
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_is_no_data"))?;
        let (as_of, result) = analysis::rfm_result(data, options)?;
        let set = match audience {
            Audience::All => None,
            Audience::Rfm(name) => {
                let s = result
                    .segment_names
                    .iter()
                    .position(|x| x == name)
                    .ok_or_else(|| {
                        Message::new("engine.with.segment_gone").with("segment", name)
                    })?;
                let mut b =
                    seglens_engine::model::bitmap::Bitmap::empty(data.orders.customer_keys.len());
                for row in result.rows.iter().filter(|r| r.segment as usize == s) {
                    b.insert(row.values.customer as usize);
                }
                Some(b)
            }
            Audience::Saved(definition) => {
                let facts = self.facts_at(data, as_of);
                Some(groups::members(data, &facts, definition, lifecycle)?)
            }
        };
        Ok((data, as_of, set))
    }

    /// The data and its facts at `as_of`, computed once per data and date.
    fn with_facts<T>(
        &mut self,
        as_of: Day,
        f: impl FnOnce(&Dataset, &Facts) -> Result<T, Message>,
    ) -> Result<T, Message> {
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_is_no_data"))?;
        if self.facts.as_ref().is_none_or(|x| x.as_of != as_of) {
            self.facts = Some(self.facts_at(data, as_of));
        }
        f(data, self.facts.as_ref().expect("just set"))
    }

    /// The facts of the data at `as_of`, with the predictions of the models
    /// fitted for that date when there are.
    fn facts_at(&self, data: &Dataset, as_of: Day) -> Facts {
        let mut facts = Facts::new(data, as_of);
        if let Some(p) = self.analyser.predictions(as_of) {
            facts = facts.with_predictions(p);
        }
        // The RFM segments of the last analysis, for segments defined
        // within one.
        if let Some(r) = self.analyser.rfm(as_of) {
            facts = facts.with_rfm(r);
        }
        facts
    }
}

impl Worker for EngineTask {
    type Message = ();
    type Input = Envelope<Request>;
    type Output = Envelope<Response>;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        EngineTask {
            import: None,
            data: None,
            analyser: Analyser::default(),
            facts: None,
        }
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        let mut reply = |r: Response| scope.respond(id, Envelope::new(r));
        if msg.version != PROTOCOL_VERSION {
            return reply(failed(
                Message::new("engine.with.protocols")
                    .with("page", u64::from(msg.version))
                    .with("worker", u64::from(PROTOCOL_VERSION)),
            ));
        }
        let last = match msg.body {
            Request::Ask(ask) => ask.serve(self, &mut reply),
            Request::Import(step) => self.import_step(step, &mut reply),
        };
        reply(last);
    }
}
