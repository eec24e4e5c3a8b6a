//! `seglens demo`: writes the demo business (customers, orders, e-mail results, NPS
//! answers, web events) as CSV files into a folder.

use std::path::PathBuf;

use seglens_engine::import::demo;

use crate::error::Error;
use crate::load::Reading;

/// The flags of `seglens demo`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The generator's seed; the app's demo uses the default.
    #[arg(long, default_value_t = demo::DEMO_SEED)]
    seed: u64,
    /// The number of customers; the app's demo has the default.
    #[arg(long, default_value_t = demo::DEMO_CUSTOMERS)]
    customers: usize,
}

/// Runs the command.
pub(crate) fn run(args: Args, _reading: &Reading) -> Result<(), Error> {
    let Args {
        out,
        seed,
        customers,
    } = args;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let data = demo::generate_sized(seed, customers);
    for (name, text) in data.files() {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
