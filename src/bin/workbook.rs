//! The workbook worker's entry point: registers the workbook reader.

use gloo_worker::Registrable;
use seglens_app::workbook_task::WorkbookTask;

fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        seglens_app::workbook_task::answer_after_panic();
    }));
    WorkbookTask::registrar().register();
}
