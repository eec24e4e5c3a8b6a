//! `seglens project`: writes a project file (`.seglens`) of an order file and its other
//! sources, as the app's Project › Save writes one: the app opens it.

use std::path::PathBuf;

use seglens_engine::analysis::AnalysisOptions;

use crate::args::Sources;
use crate::error::Error;
use crate::load::Reading;

/// The flags of `seglens project`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    sources: Sources,
    /// The project file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args { sources, out } = args;
    let (data, as_of, saved, report) = sources.load_full(reading)?;
    let options = AnalysisOptions {
        as_of: sources.as_of.is_some().then_some(as_of),
        ..saved.unwrap_or_default()
    };
    let name = sources
        .orders
        .as_deref()
        .or(sources.workspace.as_deref())
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let record = crate::commands::update::new_record(&name, report.as_ref(), &data, &options);
    Ok(crate::commands::update::write(&out, &record, &data)?)
}
