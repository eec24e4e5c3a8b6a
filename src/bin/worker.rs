//! The Web Worker entry point: registers the engine task.

use gloo_worker::Registrable;
use seglens_app::worker::EngineTask;

fn main() {
    console_error_panic_hook::set_once();
    EngineTask::registrar().register();
}
