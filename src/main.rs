//! The page entry point: installs the panic hook and mounts the app.

fn main() {
    console_error_panic_hook::set_once();
    seglens_app::mount();
}
