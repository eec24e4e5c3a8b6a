//! The workbook worker: turns a dropped workbook (Excel, OpenDocument)
//! into its sheets' rows with the engine's calamine reader. It is a worker
//! of its own, fetched the first time a workbook is dropped, so that the
//! page and the import worker, which every visit loads, carry no workbook
//! reader. Its body only calls the engine.

use std::cell::RefCell;

use gloo_worker::{HandlerId, Worker, WorkerScope};
use serde_bytes::ByteBuf;

thread_local! {
    /// Where the workbook being read is to be answered, while it is read.
    static ASKED_BY: RefCell<Option<(WorkerScope<WorkbookTask>, HandlerId)>> =
        const { RefCell::new(None) };
}

/// Called by the panic hook: a reader that fails on a workbook answers
/// with nothing (the page then says the workbook could not be read and
/// starts a new worker next time) rather than leaving the page waiting.
pub fn answer_after_panic() {
    if let Some((scope, id)) = ASKED_BY.with(|a| a.borrow_mut().take()) {
        scope.respond(id, ByteBuf::new());
    }
}

/// The workbook reader's task: a workbook's bytes in, its sheets' rows out
/// ([`seglens_engine::import::spreadsheet::ReadWorkbook`]'s bytes, which carry
/// why the workbook could not be read when it could not).
pub struct WorkbookTask;

impl Worker for WorkbookTask {
    type Message = ();
    type Input = ByteBuf;
    type Output = ByteBuf;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        WorkbookTask
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        ASKED_BY.with(|a| *a.borrow_mut() = Some((scope.clone(), id)));
        let read = seglens_engine::import::spreadsheet::ReadWorkbook::read(&msg);
        ASKED_BY.with(|a| a.borrow_mut().take());
        scope.respond(id, ByteBuf::from(read.to_bytes()));
    }
}
