//! The engine worker: runs imports and analyses off the page's thread.
//! Its body only calls the engine.

use gloo_worker::{HandlerId, Worker, WorkerScope};
use seglens_engine::ImportError;
use seglens_engine::analysis::cohorts;
use seglens_engine::analysis::{self, Analyser, AnalysisOptions};
use seglens_engine::export;
use seglens_engine::export::segment_sql::{Schema, segment_sql};
use seglens_engine::import::dataset::{self, Dataset};
use seglens_engine::import::demo;
use seglens_engine::import::orders::OrdersImporter;
use seglens_engine::import::sources::{SourceKind, SourceReport};
use seglens_engine::journeys::crosssell;
use seglens_engine::model::date::Day;
use seglens_engine::model::stage::Stage;
use seglens_engine::models::clv::{self, TimeUnit};
use seglens_engine::segments::{Definition, Facts};
use seglens_engine::segments::{cluster, groups};
use seglens_engine::store::project::Project;
use seglens_engine::{ImportOptions, ImportReport};

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

/// A file being received.
enum Incoming {
    /// Nothing read yet: the kind is decided on the first chunk.
    Start,
    /// An order file, read as it streams in.
    Orders(Box<OrdersImporter>),
    /// E-mail results or survey answers, kept whole until the end.
    Source(Vec<u8>),
    /// An Excel workbook, kept whole: what it holds is known at the end.
    Workbook(Vec<u8>),
}

/// An import under way.
struct Import {
    file_name: String,
    encoding: Option<seglens_engine::import::delimited::Encoding>,
    /// Columns the user chose for roles.
    map: Vec<(
        seglens_engine::import::roles::Role,
        seglens_engine::import::orders::ColumnRef,
    )>,
    /// The sheet of a workbook, and for a source what it holds and its
    /// columns.
    read: seglens_engine::import::sources::ReadOptions,
    incoming: Incoming,
    done: u64,
    total: u64,
    /// When the import began, on [`now_ms`]'s clock.
    started_ms: f64,
}

/// The worker's state: the import under way, if any, and the data last
/// analysed.
pub struct EngineTask {
    import: Option<Import>,
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

fn failed(message: impl ToString) -> Response {
    Response::Failed {
        message: message.to_string(),
    }
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
        reply: &mut dyn FnMut(Response),
    ) -> Response {
        let start = now_ms();
        let mut analyser = Analyser::default();
        match analyser.analyse_reporting(&data, options, &mut |s, done, total| {
            reply(stage(s, done, total))
        }) {
            Ok(analysis) => {
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
                Response::Imported(Box::new(Imported {
                    table,
                    report,
                    source,
                    sources,
                    analysis,
                    timings,
                    update: None,
                }))
            }
            Err(message) => failed(message),
        }
    }

    fn analysed(&mut self, options: &AnalysisOptions, reply: &mut dyn FnMut(Response)) -> Response {
        match &self.data {
            Some(data) => match self
                .analyser
                .analyse_reporting(data, options, &mut |s, d, t| reply(stage(s, d, t)))
            {
                Ok(a) => {
                    // The RFM setup may have changed: the cached facts carry
                    // the old segments.
                    self.facts = None;
                    Response::Analysed(Box::new(a))
                }
                Err(message) => failed(message),
            },
            None => failed("There is no data to analyse."),
        }
    }

    fn demo(&mut self, reply: &mut dyn FnMut(Response)) -> Response {
        let started = now_ms();
        let files = demo::generate(demo::DEMO_SEED);
        let bytes = files.orders.as_bytes();
        let total = bytes.len() as u64;
        let mut importer = OrdersImporter::new("demo orders.csv", ImportOptions::default());
        let mut done = 0u64;
        for chunk in bytes.chunks(256 * 1024) {
            if let Err(e) = importer.push(chunk) {
                return failed(e);
            }
            done += chunk.len() as u64;
            reply(Response::Progress {
                bytes_done: done,
                bytes_total: total,
                rows: importer.rows_read(),
            });
        }
        let (orders, report) = match importer.finish() {
            Ok(x) => x,
            Err(e) => return failed(e),
        };
        let mut data = Dataset::from_orders(orders);
        for (name, text) in [
            ("demo customers.csv", &files.customers),
            ("demo email.csv", &files.email),
            ("demo surveys.csv", &files.surveys),
            ("demo events.csv", &files.events),
            ("demo tickets.csv", &files.tickets),
            ("demo costs.csv", &files.costs),
        ] {
            if let Err(e) = data.add_source(name, text.as_bytes()) {
                return failed(e);
            }
        }
        let read_ms = now_ms() - started;
        self.finished(
            data,
            Some(report),
            None,
            &AnalysisOptions::default(),
            read_ms,
            reply,
        )
    }

    fn open_project(&mut self, bytes: &[u8], reply: &mut dyn FnMut(Response)) -> Response {
        let project = match Project::decode(bytes) {
            Ok(p) => p,
            Err(e) => return failed(e),
        };
        let options: AnalysisOptions =
            serde_json::from_str::<serde_json::Value>(&project.record_json)
                .ok()
                .and_then(|v| v.get("options").cloned())
                .and_then(|o| serde_json::from_value(o).ok())
                .unwrap_or_default();
        let data = match Dataset::decode(&project.data) {
            Ok(d) => d,
            Err(e) => return failed(e),
        };
        let mut analyser = Analyser::default();
        match analyser.analyse_reporting(&data, &options, &mut |s, d, t| reply(stage(s, d, t))) {
            Ok(analysis) => {
                self.data = Some(data);
                self.facts = None;
                self.analyser = analyser;
                Response::ProjectOpened {
                    record_json: project.record_json,
                    table: project.data,
                    analysis: Box::new(analysis),
                }
            }
            Err(e) => failed(e),
        }
    }

    fn chunk(&mut self, bytes: Vec<u8>) -> Response {
        let Some(import) = &mut self.import else {
            return failed("No import is under way.");
        };
        if let Incoming::Start = import.incoming
            && seglens_engine::import::spreadsheet::is_workbook(&bytes)
        {
            import.incoming = Incoming::Workbook(Vec::new());
        }
        if let Incoming::Start = import.incoming {
            let kind = import
                .read
                .kind
                .or_else(|| dataset::kind_of(&bytes[..bytes.len().min(64 * 1024)]));
            import.incoming = match kind {
                Some(
                    SourceKind::Email
                    | SourceKind::Surveys
                    | SourceKind::Customers
                    | SourceKind::Events
                    | SourceKind::Tickets
                    | SourceKind::Costs,
                ) => Incoming::Source(Vec::new()),
                _ => Incoming::Orders(Box::new(OrdersImporter::new(
                    &import.file_name,
                    ImportOptions {
                        encoding: import.encoding,
                        map: import.map.clone(),
                        today: Some(today()),
                        sheet: None,
                        all_statuses: import.read.all_statuses,
                        encoding_guess: import.read.encoding_guess,
                    },
                ))),
            };
        }
        let rows = match &mut import.incoming {
            Incoming::Orders(importer) => {
                if let Err(e) = importer.push(&bytes) {
                    self.import = None;
                    return refused(e);
                }
                importer.rows_read()
            }
            Incoming::Source(buffer) | Incoming::Workbook(buffer) => {
                buffer.extend_from_slice(&bytes);
                0
            }
            Incoming::Start => 0,
        };
        import.done += bytes.len() as u64;
        Response::Progress {
            bytes_done: import.done,
            bytes_total: import.total,
            rows,
        }
    }

    fn end(
        &mut self,
        options: &AnalysisOptions,
        update: Option<bool>,
        reply: &mut dyn FnMut(Response),
    ) -> Response {
        let Some(import) = self.import.take() else {
            return failed("No import is under way.");
        };
        let incoming = match import.incoming {
            Incoming::Workbook(bytes) => match import
                .read
                .kind
                .or_else(|| dataset::kind_of_sheet(&bytes, import.read.sheet.as_deref()))
            {
                Some(SourceKind::Orders) | None => {
                    let mut importer = OrdersImporter::new(
                        &import.file_name,
                        ImportOptions {
                            encoding: import.encoding,
                            map: import.map.clone(),
                            today: Some(today()),
                            sheet: import.read.sheet.clone(),
                            all_statuses: import.read.all_statuses,
                            encoding_guess: import.read.encoding_guess,
                        },
                    );
                    if let Err(e) = importer.push(&bytes) {
                        return refused(e);
                    }
                    Incoming::Orders(Box::new(importer))
                }
                Some(_) => Incoming::Source(bytes),
            },
            other => other,
        };
        match incoming {
            Incoming::Workbook(_) => failed("The workbook could not be read."),
            Incoming::Start => refused(ImportError::Empty {
                file: import.file_name,
            }),
            Incoming::Orders(importer) => match importer.finish() {
                Ok((orders, report)) if update.is_some() && self.data.is_some() => {
                    let confirmed = update == Some(true);
                    let read_ms = now_ms() - import.started_ms;
                    self.updated(
                        &import.file_name,
                        orders,
                        report,
                        options,
                        confirmed,
                        read_ms,
                        reply,
                    )
                }
                // A new order file starts a new workspace.
                Ok((orders, report)) => self.finished(
                    Dataset::from_orders(orders),
                    Some(report),
                    None,
                    &AnalysisOptions::default(),
                    now_ms() - import.started_ms,
                    reply,
                ),
                Err(e) => refused(e),
            },
            Incoming::Source(bytes) => {
                let Some(mut data) = self.data.clone() else {
                    return refused(ImportError::NeedsOrders {
                        file: import.file_name,
                    });
                };
                let read = seglens_engine::import::sources::ReadOptions {
                    encoding: import.encoding,
                    today: Some(today()),
                    ..import.read.clone()
                };
                match data.add_source_as(&import.file_name, &bytes, &read) {
                    Ok(report) => {
                        let read_ms = now_ms() - import.started_ms;
                        self.finished(data, None, Some(report), options, read_ms, reply)
                    }
                    Err(e) => refused(e),
                }
            }
        }
    }

    /// Updates the data with a newer export of its orders: merged, the
    /// moves between segments measured, analysed with the analysis date
    /// moved to the day after the last order. An export that does not look
    /// like the next one is a question, and nothing changes.
    #[allow(clippy::too_many_arguments)]
    fn updated(
        &mut self,
        file_name: &str,
        orders: seglens_engine::Orders,
        report: ImportReport,
        options: &AnalysisOptions,
        confirmed: bool,
        read_ms: f64,
        reply: &mut dyn FnMut(Response),
    ) -> Response {
        let Some(old) = self.data.as_ref() else {
            return failed("There is no project to update.");
        };
        let (data, outcome) = match seglens_engine::analysis::update::merge(old, &orders, confirmed)
        {
            Ok(x) => x,
            Err(question) => return Response::UpdateQuestion(question),
        };
        let made = seglens_engine::model::date::format_iso(today());
        let since = match seglens_engine::analysis::update::moves(
            old, &data, options, file_name, &made, outcome,
        ) {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
        let options = AnalysisOptions {
            as_of: None,
            ..options.clone()
        };
        match self.finished(data, Some(report), None, &options, read_ms, reply) {
            Response::Imported(mut done) => {
                done.update = Some(Box::new(since));
                Response::Imported(done)
            }
            other => other,
        }
    }

    /// The data, its analysis date and the customers of an audience (none
    /// for every customer).
    fn audience(
        &self,
        options: &AnalysisOptions,
        audience: &Audience,
        lifecycle: &seglens_engine::segments::lifecycle::LifecycleSetup,
    ) -> Result<(&Dataset, Day, Option<seglens_engine::model::bitmap::Bitmap>), String> {
        let data = self.data.as_ref().ok_or("There is no data.")?;
        let (as_of, result) = analysis::rfm_result(data, options)?;
        let set = match audience {
            Audience::All => None,
            Audience::Rfm(name) => {
                let s = result
                    .segment_names
                    .iter()
                    .position(|x| x == name)
                    .ok_or_else(|| format!("There is no segment {name} any more."))?;
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

    /// Two audiences side by side ("all customers": everyone with an order).
    fn compare_two(
        &self,
        options: &AnalysisOptions,
        first: (String, Audience),
        second: (String, Audience),
        lifecycle: &seglens_engine::segments::lifecycle::LifecycleSetup,
    ) -> Result<seglens_engine::metrics::compare::TwoSegments, String> {
        let (data, as_of, a) = self.audience(options, &first.1, lifecycle)?;
        let (_, _, b) = self.audience(options, &second.1, lifecycle)?;
        let everyone = || seglens_engine::metrics::compare::buyers(data, as_of);
        let inputs = seglens_engine::metrics::compare::CompareInputs {
            data,
            as_of,
            predictions: self.analyser.predictions(as_of),
            churn_period_days: options.churn_period_days.clamp(7, 730),
        };
        Ok(seglens_engine::metrics::compare::compare_two(
            &inputs,
            (&first.0, &a.unwrap_or_else(everyone)),
            (&second.0, &b.unwrap_or_else(everyone)),
        ))
    }

    /// The data and its facts at `as_of`, computed once per data and date.
    fn with_facts<T>(
        &mut self,
        as_of: Day,
        f: impl FnOnce(&Dataset, &Facts) -> Result<T, String>,
    ) -> Result<T, String> {
        let data = self.data.as_ref().ok_or("There is no data.")?;
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

    fn handle(&mut self, request: Request, reply: &mut dyn FnMut(Response)) {
        let response = match request {
            Request::Demo => self.demo(reply),
            Request::PreviewOrders {
                file_name,
                head,
                whole,
                encoding,
                map,
                sheet,
            } => Response::OrdersPreviewed(Box::new(seglens_engine::import::orders::preview(
                &file_name,
                &head,
                whole,
                ImportOptions {
                    map,
                    encoding,
                    today: None,
                    sheet,
                    all_statuses: false,
                    encoding_guess: None,
                },
            ))),
            Request::PreviewSource {
                file_name,
                head,
                whole,
                read,
            } => Response::SourcePreviewed(Box::new(seglens_engine::import::sources::preview(
                &file_name, &head, whole, &read,
            ))),
            Request::ImportBegin {
                file_name,
                total_bytes,
                encoding,
                map,
                read,
            } => {
                self.import = Some(Import {
                    file_name,
                    encoding,
                    map,
                    read,
                    incoming: Incoming::Start,
                    done: 0,
                    total: total_bytes,
                    started_ms: now_ms(),
                });
                Response::Progress {
                    bytes_done: 0,
                    bytes_total: total_bytes,
                    rows: 0,
                }
            }
            Request::ImportChunk { bytes } => self.chunk(bytes),
            Request::ImportEnd { options, update } => self.end(&options, update, reply),
            Request::ImportCancel => {
                self.import = None;
                Response::Cancelled
            }
            Request::Analyse { table, options } => match Dataset::decode(&table) {
                Ok(data) => {
                    self.data = Some(data);
                    self.facts = None;
                    self.analyser.forget();
                    self.analysed(&options, reply)
                }
                Err(e) => failed(e),
            },
            Request::Reanalyse { options } => self.analysed(&options, reply),
            Request::Classify { head, sheet } => {
                Response::Kind(dataset::kind_of_sheet(&head, sheet.as_deref()))
            }
            Request::SaveProject { record_json } => match &self.data {
                None => failed("There is no project to save."),
                Some(data) => Response::ProjectFile(
                    Project {
                        record_json,
                        data: data.encode(),
                    }
                    .encode(),
                ),
            },
            Request::OpenProject { bytes } => self.open_project(&bytes, reply),
            Request::Export {
                options,
                segments,
                export,
            } => match &self.data {
                None => failed("There is no data to export."),
                Some(data) => match analysis::rfm_result(data, &options) {
                    Ok((as_of, result)) => Response::Exported(Box::new(export::members_steps(
                        data,
                        &result,
                        &segments,
                        &export,
                        self.analyser
                            .predictions(as_of)
                            .map(|customers| export::Predicted { customers, as_of }),
                        &mut |done, total| reply(step(done, total)),
                    ))),
                    Err(e) => failed(e),
                },
            },
            Request::CountRule {
                as_of,
                rule,
                lifecycle,
            } => Response::Count(self.with_facts(as_of, |data, facts| {
                groups::members(data, facts, &Definition::Rule(rule), &lifecycle)
                    .map(|set| set.count())
            })),
            Request::Members {
                as_of,
                definition,
                lifecycle,
                search,
                sort,
                page,
            } => {
                // The cached facts carry the predictions of the models
                // fitted for this date, which the page shows.
                Response::Members(Box::new(self.with_facts(as_of, |data, facts| {
                    let set = groups::members(data, facts, &definition, &lifecycle)?;
                    Ok(groups::member_page(
                        data, facts, &set, &search, sort, page, 25,
                    ))
                })))
            }
            Request::ExportSegment {
                options,
                segments,
                lifecycle,
                export,
            } => {
                let done = self
                    .data
                    .as_ref()
                    .ok_or("There is no data to export.".to_string())
                    .and_then(|data| {
                        let (as_of, result) = analysis::rfm_result(data, &options)?;
                        let facts = self.facts_at(data, as_of);
                        let sets = segments
                            .into_iter()
                            .map(|(name, definition)| {
                                groups::members(data, &facts, &definition, &lifecycle)
                                    .map(|set| (name, set))
                            })
                            .collect::<Result<Vec<_>, String>>()?;
                        Ok(export::set_members_steps(
                            data,
                            &result,
                            &sets,
                            &export,
                            self.analyser
                                .predictions(as_of)
                                .map(|customers| export::Predicted { customers, as_of }),
                            &mut |done, total| reply(step(done, total)),
                        ))
                    });
                match done {
                    Ok(e) => Response::Exported(Box::new(e)),
                    Err(e) => failed(e),
                }
            }
            Request::SegmentSql {
                as_of,
                name,
                definition,
                lifecycle,
                orders_columns,
                tables,
                columns,
                dialect,
            } => Response::Sql(Box::new(self.with_facts(as_of, |data, facts| {
                let mut schema = Schema::of(data, orders_columns);
                for (kind, table) in tables {
                    schema.rename_table(&kind, &table);
                }
                for (kind, role, column) in columns {
                    schema.rename_column(&kind, &role, &column);
                }
                segment_sql(
                    data,
                    facts,
                    &schema,
                    &definition,
                    &lifecycle,
                    dialect,
                    &name,
                )
            }))),
            Request::CompareTwo {
                options,
                first,
                second,
                lifecycle,
            } => Response::ComparedTwo(Box::new(
                self.compare_two(&options, first, second, &lifecycle),
            )),
            Request::CrossSell {
                options,
                audience,
                lifecycle,
            } => Response::CrossSold(Box::new(
                self.audience(&options, &audience, &lifecycle)
                    .and_then(|(data, as_of, set)| {
                        crosssell::cross_sell(&data.orders, as_of, set.as_ref(), 10)
                    }),
            )),
            Request::Cohorts {
                options,
                audience,
                lifecycle,
            } => Response::Cohorts(Box::new(
                self.audience(&options, &audience, &lifecycle)
                    .map(|(data, as_of, set)| {
                        cohorts::retention(&data.orders, as_of, set.as_ref())
                    }),
            )),
            Request::Paths {
                options,
                audience,
                lifecycle,
                setup,
            } => Response::Paths(Box::new(
                self.audience(&options, &audience, &lifecycle)
                    .and_then(|(data, as_of, set)| {
                        let events = data.events.as_ref().ok_or("There are no events.")?;
                        Ok(seglens_engine::journeys::paths(
                            events,
                            as_of,
                            set.as_ref(),
                            &setup,
                        ))
                    }),
            )),
            Request::Activity {
                options,
                audience,
                lifecycle,
            } => Response::Activity(Box::new(
                self.audience(&options, &audience, &lifecycle)
                    .and_then(|(data, as_of, set)| {
                        let events = data.events.as_ref().ok_or("There are no events.")?;
                        Ok(seglens_engine::journeys::activity(
                            events,
                            as_of,
                            set.as_ref(),
                        ))
                    }),
            )),
            Request::StageMix {
                options,
                audience,
                lifecycle,
            } => Response::StageMix(Box::new(
                self.audience(&options, &audience, &lifecycle)
                    .and_then(|(data, as_of, set)| {
                        let events = data.events.as_ref().ok_or("There are no events.")?;
                        let mapping = match &options.rows {
                            seglens_engine::segments::groups::Rows::Split(
                                seglens_engine::segments::splits::Split::Journey { stages },
                            ) => Some(stages.clone()),
                            _ => None,
                        };
                        let stage = |name: &str| match &mapping {
                            Some(stages) => {
                                seglens_engine::segments::splits::mapped_stage(stages, name)
                            }
                            None => seglens_engine::segments::splits::journey_stage(name),
                        };
                        Ok(seglens_engine::journeys::stage_mix(
                            events,
                            as_of,
                            set.as_ref(),
                            &stage,
                            12,
                        ))
                    }),
            )),
            Request::Separation { options, as_of } => {
                Response::Separated(Box::new(self.with_facts(as_of, |data, facts| {
                    analysis::separation(data, facts, &options)
                })))
            }
            Request::Campaigns {
                rfm,
                window_days,
                lists,
            } => Response::Campaigns(Box::new(match self.data.as_ref() {
                None => Err("There is no data.".to_string()),
                Some(data) => {
                    use seglens_engine::analysis::campaign;
                    let email = campaign::with_lists(&data.orders, data.email.as_ref(), &lists);
                    Ok(campaign::measure(&data.orders, &email, &rfm, window_days))
                }
            })),
            Request::GroupHistory { options } => Response::GroupHistory(Box::new(
                self.data
                    .as_ref()
                    .ok_or_else(|| "There is no data.".to_string())
                    .map(|data| {
                        let ends = seglens_engine::segments::rfm_history::month_ends(
                            &data.orders,
                            None,
                            None,
                        );
                        seglens_engine::analysis::membership::group_history(data, &options, &ends)
                    }),
            )),
            Request::Migration { options, from } => Response::Migrated(Box::new(
                self.data
                    .as_ref()
                    .ok_or_else(|| "There is no data.".to_string())
                    .and_then(|data| {
                        let (as_of, _) = analysis::rfm_result(data, &options)?;
                        if from >= as_of {
                            return Err("Pick a date before the analysis date.".to_string());
                        }
                        Ok(cohorts::migration(&data.orders, &options.rfm, from, as_of))
                    }),
            )),
            Request::Cluster { as_of, setup } => {
                Response::Clustered(Box::new(self.with_facts(as_of, |data, facts| {
                    let mut c = cluster::cluster_steps(data, facts, &setup, &mut |done, total| {
                        reply(step(done, total))
                    })?;
                    c.members = Vec::new();
                    Ok(c)
                })))
            }
            Request::Silhouette { as_of, features } => {
                Response::Silhouette(self.with_facts(as_of, |data, facts| {
                    let m = cluster::matrix(data, facts, &features)?;
                    Ok(cluster::silhouette_curve(&m, 10, 42, &mut |done, total| {
                        reply(step(done, total))
                    }))
                }))
            }
            Request::CheckHoldout { calibration_end } => match &self.data {
                None => failed("There is no data to check."),
                Some(data) => match data.orders.last_order_day() {
                    None => failed("The table has no order."),
                    Some(last) => match clv::holdout_check_reporting(
                        &data.orders,
                        calibration_end,
                        last,
                        TimeUnit::Weeks,
                        &mut |s, d, t| reply(stage(s, d, t)),
                    ) {
                        Ok(check) => Response::Holdout(Box::new(check)),
                        Err(e) => failed(format!("The model could not be checked: {e}")),
                    },
                },
            },
        };
        reply(response);
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
            return reply(failed(format!(
                "The page (protocol {}) and its worker (protocol {PROTOCOL_VERSION}) come from different versions of SegLens. Reload the page.",
                msg.version
            )));
        }
        self.handle(msg.body, &mut reply);
    }
}
