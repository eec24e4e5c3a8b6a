//! The entry point of the page and of its engine worker, which load the
//! same module: in a worker it registers the engine task, on the page it
//! mounts the app. The panic hook is installed in both.

fn main() {
    console_error_panic_hook::set_once();
    if seglens_app::in_worker() {
        seglens_app::run_worker();
    } else {
        seglens_app::mount();
    }
}
