//! The workbook adapter: a workbook dropped on the page is handed to the
//! workbook worker (spawned the first time, then kept) and comes back as
//! a file of the same name holding its sheets' rows, which the import
//! worker reads as it would the workbook. Other files pass unchanged.

use std::cell::RefCell;

use futures::channel::oneshot;
use gloo_worker::{Spawnable, WorkerBridge};
use serde_bytes::ByteBuf;

use crate::files;
use crate::workbook_task::WorkbookTask;
use seglens_engine::import::spreadsheet::ReadWorkbook;

thread_local! {
    static READER: RefCell<Option<WorkbookReader>> = const { RefCell::new(None) };
}

/// The workbook worker and the answer awaited from it (one workbook is
/// read at a time: imports run one after the other).
struct WorkbookReader {
    bridge: WorkerBridge<WorkbookTask>,
    waiting: std::rc::Rc<RefCell<Option<oneshot::Sender<Vec<u8>>>>>,
}

impl WorkbookReader {
    fn spawn() -> WorkbookReader {
        let waiting: std::rc::Rc<RefCell<Option<oneshot::Sender<Vec<u8>>>>> =
            std::rc::Rc::default();
        let answer = waiting.clone();
        let bridge = WorkbookTask::spawner()
            .callback(move |rows: ByteBuf| {
                if let Some(tx) = answer.borrow_mut().take() {
                    let _ = tx.send(rows.into_vec());
                }
            })
            .spawn_with_loader("./workbook_loader.js");
        WorkbookReader { bridge, waiting }
    }
}

/// True when `head` starts like a workbook that needs the workbook reader
/// (an HTML table saved as `.xls` is read by the import worker itself).
fn needs_reader(head: &[u8]) -> bool {
    seglens_engine::import::parts::is_zip(head) || seglens_engine::import::parts::is_ole(head)
}

/// `file`, or when it is a workbook, a file of the same name and type
/// holding its sheets' rows (or why it could not be read, which the import
/// then says as it says any workbook's fault).
pub async fn as_rows(file: web_sys::File) -> Result<web_sys::File, String> {
    let size = file.size() as u64;
    let head = files::read_slice(&file, 0, size.min(8)).await?;
    if !needs_reader(&head) {
        return Ok(file);
    }
    let bytes = files::read_slice(&file, 0, size).await?;
    // What the import says if the reader fails on this workbook.
    let failed = ReadWorkbook::unreadable(
        &bytes,
        seglens_engine::model::message::Message::new("engine.the_workbook_reader_stopped_on_it"),
    );
    let (tx, rx) = oneshot::channel();
    READER.with(|reader| {
        let mut reader = reader.borrow_mut();
        let reader = reader.get_or_insert_with(WorkbookReader::spawn);
        *reader.waiting.borrow_mut() = Some(tx);
        reader.bridge.send(ByteBuf::from(bytes));
    });
    let mut rows = rx.await.unwrap_or_default();
    if rows.is_empty() {
        // The reader failed (it answers with nothing): a new one next time.
        READER.with(|reader| reader.borrow_mut().take());
        rows = failed.to_bytes();
    }
    files::file_of(&file, &rows)
}
