//! The engine worker: runs imports and analyses off the page's thread.
//! Its body only calls the engine.

use gloo_worker::{HandlerId, Worker, WorkerScope};
use seglens_engine::orders::OrdersImporter;
use seglens_engine::rfm::{self, RfmConfig};
use seglens_engine::{ImportOptions, Orders, demo};

use crate::protocol::{Analysis, Envelope, Imported, PROTOCOL_VERSION, Request, Response};

/// The worker's state: the import under way, if any.
pub struct EngineTask {
    import: Option<(OrdersImporter, u64, u64)>,
}

/// Scores a table with the default bins and segments.
pub fn analyse(orders: &Orders, as_of: Option<i32>) -> Result<Analysis, String> {
    let as_of = as_of
        .or_else(|| seglens_engine::default_as_of(orders))
        .ok_or("The table has no order to analyse (only refunds).")?;
    let result = rfm::compute(orders, as_of, &RfmConfig::default(), &rfm::default_rules());
    Ok(Analysis {
        as_of,
        rows: orders.len() as u64,
        scored: result.rows.len() as u64,
        summary: rfm::summarise(&result),
    })
}

fn imported(orders: Orders, report: seglens_engine::ImportReport) -> Response {
    match analyse(&orders, None) {
        Ok(analysis) => Response::Imported(Box::new(Imported {
            table: orders.encode(),
            report,
            analysis,
        })),
        Err(message) => Response::Failed { message },
    }
}

impl EngineTask {
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
                        return reply(Response::Failed {
                            message: e.to_string(),
                        });
                    }
                    done += chunk.len() as u64;
                    reply(Response::Progress {
                        bytes_done: done,
                        bytes_total: total,
                        rows: importer.rows_read(),
                    });
                }
                reply(match importer.finish() {
                    Ok((orders, report)) => imported(orders, report),
                    Err(e) => Response::Failed {
                        message: e.to_string(),
                    },
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
                    return reply(Response::Failed {
                        message: "No import is under way.".into(),
                    });
                };
                if let Err(e) = importer.push(&bytes) {
                    self.import = None;
                    return reply(Response::Failed {
                        message: e.to_string(),
                    });
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
                    return reply(Response::Failed {
                        message: "No import is under way.".into(),
                    });
                };
                reply(match importer.finish() {
                    Ok((orders, report)) => imported(orders, report),
                    Err(e) => Response::Failed {
                        message: e.to_string(),
                    },
                });
            }
            Request::ImportCancel => {
                self.import = None;
                reply(Response::Cancelled);
            }
            Request::Analyse { table, as_of } => {
                reply(match Orders::decode(&table) {
                    Ok(orders) => match analyse(&orders, as_of) {
                        Ok(a) => Response::Analysed(Box::new(a)),
                        Err(message) => Response::Failed { message },
                    },
                    Err(e) => Response::Failed {
                        message: e.to_string(),
                    },
                });
            }
        }
    }
}

impl Worker for EngineTask {
    type Message = ();
    type Input = Envelope<Request>;
    type Output = Envelope<Response>;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        EngineTask { import: None }
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        let mut reply = |r: Response| scope.respond(id, Envelope::new(r));
        if msg.version != PROTOCOL_VERSION {
            return reply(Response::Failed {
                message: format!(
                    "The page (protocol {}) and its worker (protocol {PROTOCOL_VERSION}) come from different versions of SegLens. Reload the page.",
                    msg.version
                ),
            });
        }
        self.handle(msg.body, &mut reply);
    }
}
