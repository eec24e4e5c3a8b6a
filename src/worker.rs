//! The engine worker: runs imports and analyses off the page's thread.
//! Its body only calls the engine.

use gloo_worker::{HandlerId, Worker, WorkerScope};
use seglens_engine::analysis::{self, AnalysisOptions};
use seglens_engine::clv::{self, TimeUnit};
use seglens_engine::orders::OrdersImporter;
use seglens_engine::{ImportOptions, ImportReport, Orders, demo};

use crate::protocol::{Envelope, Imported, PROTOCOL_VERSION, Request, Response};

/// The worker's state: the import under way, if any, and the table last
/// analysed.
pub struct EngineTask {
    import: Option<(OrdersImporter, u64, u64)>,
    table: Option<Orders>,
}

fn failed(message: impl ToString) -> Response {
    Response::Failed {
        message: message.to_string(),
    }
}

impl EngineTask {
    fn imported(&mut self, orders: Orders, report: ImportReport) -> Response {
        match analysis::analyse(&orders, &AnalysisOptions::default()) {
            Ok(analysis) => {
                let table = orders.encode();
                self.table = Some(orders);
                Response::Imported(Box::new(Imported {
                    table,
                    report,
                    analysis,
                }))
            }
            Err(message) => failed(message),
        }
    }

    fn analysed(&self, options: &AnalysisOptions) -> Response {
        match &self.table {
            Some(orders) => match analysis::analyse(orders, options) {
                Ok(a) => Response::Analysed(Box::new(a)),
                Err(message) => failed(message),
            },
            None => failed("There is no table to analyse."),
        }
    }

    fn handle(&mut self, request: Request, reply: &mut dyn FnMut(Response)) {
        match request {
            Request::Demo => {
                let data = demo::generate(demo::DEMO_SEED);
                let bytes = data.orders.as_bytes();
                let total = bytes.len() as u64;
                let mut importer = OrdersImporter::new("demo orders.csv", ImportOptions::default());
                let mut done = 0u64;
                for chunk in bytes.chunks(256 * 1024) {
                    if let Err(e) = importer.push(chunk) {
                        return reply(failed(e));
                    }
                    done += chunk.len() as u64;
                    reply(Response::Progress {
                        bytes_done: done,
                        bytes_total: total,
                        rows: importer.rows_read(),
                    });
                }
                reply(match importer.finish() {
                    Ok((orders, report)) => self.imported(orders, report),
                    Err(e) => failed(e),
                });
            }
            Request::ImportBegin {
                file_name,
                total_bytes,
            } => {
                self.import = Some((
                    OrdersImporter::new(&file_name, ImportOptions::default()),
                    0,
                    total_bytes,
                ));
                reply(Response::Progress {
                    bytes_done: 0,
                    bytes_total: total_bytes,
                    rows: 0,
                });
            }
            Request::ImportChunk { bytes } => {
                let Some((importer, done, total)) = &mut self.import else {
                    return reply(failed("No import is under way."));
                };
                if let Err(e) = importer.push(&bytes) {
                    self.import = None;
                    return reply(failed(e));
                }
                *done += bytes.len() as u64;
                reply(Response::Progress {
                    bytes_done: *done,
                    bytes_total: *total,
                    rows: importer.rows_read(),
                });
            }
            Request::ImportEnd => {
                let Some((importer, _, _)) = self.import.take() else {
                    return reply(failed("No import is under way."));
                };
                reply(match importer.finish() {
                    Ok((orders, report)) => self.imported(orders, report),
                    Err(e) => failed(e),
                });
            }
            Request::ImportCancel => {
                self.import = None;
                reply(Response::Cancelled);
            }
            Request::Analyse { table, options } => match Orders::decode(&table) {
                Ok(orders) => {
                    self.table = Some(orders);
                    reply(self.analysed(&options));
                }
                Err(e) => reply(failed(e)),
            },
            Request::Reanalyse { options } => reply(self.analysed(&options)),
            Request::CheckHoldout { calibration_end } => {
                let Some(orders) = &self.table else {
                    return reply(failed("There is no table to check."));
                };
                let Some(last) = orders.last_order_day() else {
                    return reply(failed("The table has no order."));
                };
                reply(
                    match clv::holdout_check(orders, calibration_end, last, TimeUnit::Weeks) {
                        Ok(check) => Response::Holdout(Box::new(check)),
                        Err(e) => failed(format!("The model could not be checked: {e}")),
                    },
                );
            }
        }
    }
}

impl Worker for EngineTask {
    type Message = ();
    type Input = Envelope<Request>;
    type Output = Envelope<Response>;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        EngineTask {
            import: None,
            table: None,
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
