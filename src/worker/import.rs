//! A file streamed in from the page, chunk by chunk: an order file read
//! as it arrives, a source or a workbook kept whole until its end.

use seglens_engine::ImportError;
use seglens_engine::analysis::AnalysisOptions;
use seglens_engine::import::dataset::{self, Dataset};
use seglens_engine::import::orders::OrdersImporter;
use seglens_engine::import::sources::SourceKind;
use seglens_engine::model::message::Message;
use seglens_engine::{ImportOptions, ImportReport};

use super::{EngineTask, failed, now_ms, refused, today};
use crate::protocol::ask::Reply;
use crate::protocol::{ImportStep, Imported, Response};

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
pub(super) struct Import {
    file_name: String,
    /// Columns the user chose for roles.
    map: Vec<(
        seglens_engine::import::roles::Role,
        seglens_engine::import::orders::ColumnRef,
    )>,
    /// The encoding, the sheet of a workbook, and for a source what it
    /// holds and its columns.
    read: seglens_engine::import::sources::ReadOptions,
    incoming: Incoming,
    done: u64,
    total: u64,
    /// When the import began, on [`now_ms`]'s clock.
    started_ms: f64,
}

impl EngineTask {
    /// Takes one step of an import.
    pub(super) fn import_step(&mut self, step: ImportStep, reply: Reply) -> Response {
        match step {
            ImportStep::Begin {
                file_name,
                total_bytes,
                map,
                read,
            } => {
                self.import = Some(Import {
                    file_name,
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
            ImportStep::Chunk { bytes } => self.chunk(bytes),
            ImportStep::End { options, update } => self.end(&options, update, reply),
            ImportStep::Cancel => {
                self.import = None;
                Response::Cancelled
            }
        }
    }

    fn chunk(&mut self, bytes: Vec<u8>) -> Response {
        let Some(import) = &mut self.import else {
            return failed(Message::new("engine.no_import_is_under_way"));
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
                        encoding: import.read.encoding,
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

    fn end(&mut self, options: &AnalysisOptions, update: Option<bool>, reply: Reply) -> Response {
        let Some(import) = self.import.take() else {
            return failed(Message::new("engine.no_import_is_under_way"));
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
                            encoding: import.read.encoding,
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
            Incoming::Workbook(_) => failed(Message::new("engine.the_workbook_could_not_be_read")),
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
                Ok((orders, report)) => imported(self.finished(
                    Dataset::from_orders(orders),
                    Some(report),
                    None,
                    &AnalysisOptions::default(),
                    now_ms() - import.started_ms,
                    reply,
                )),
                Err(e) => refused(e),
            },
            Incoming::Source(bytes) => {
                let Some(mut data) = self.data.clone() else {
                    return refused(ImportError::NeedsOrders {
                        file: import.file_name,
                    });
                };
                let read = seglens_engine::import::sources::ReadOptions {
                    today: Some(today()),
                    ..import.read.clone()
                };
                match data.add_source_as(&import.file_name, &bytes, &read) {
                    Ok(report) => {
                        let read_ms = now_ms() - import.started_ms;
                        imported(self.finished(data, None, Some(report), options, read_ms, reply))
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
        reply: Reply,
    ) -> Response {
        let Some(old) = self.data.as_ref() else {
            return failed(Message::new("engine.there_is_no_project_to_update"));
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
        imported(
            self.finished(data, Some(report), None, &options, read_ms, reply)
                .map(|done| Imported {
                    update: Some(Box::new(since)),
                    ..done
                }),
        )
    }
}

/// The message that ends an import: the data imported, or why not.
fn imported(result: Result<Imported, Message>) -> Response {
    match result {
        Ok(done) => Response::Imported(Box::new(done)),
        Err(message) => failed(message),
    }
}
