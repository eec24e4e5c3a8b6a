//! The charts worker's entry point: registers the chart drawer.

use gloo_worker::Registrable;
use seglens_app::chart_task::ChartTask;

fn main() {
    console_error_panic_hook::set_once();
    ChartTask::registrar().register();
}
