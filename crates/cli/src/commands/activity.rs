//! `seglens activity`: prints when the customers are active: events per weekday and hour
//! (UTC) before the analysis date, `weekday,hour,events` (weekday 1 =
//! Monday).

use std::path::PathBuf;

use crate::args::Sources;
use crate::error::Error;
use crate::load::{Reading, events_of, rule_members};
use crate::output::print_lines;

/// The flags of `seglens activity`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    sources: Sources,
    /// Only the customers this rule selects.
    #[arg(long, value_name = "RULE.json")]
    rule: Option<PathBuf>,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args { sources, rule } = args;
    let (data, as_of) = sources.load(reading)?;
    let events = events_of(&data)?;
    let set = rule_members(&data, as_of, rule.as_deref())?;
    let grid = seglens_engine::journeys::activity(events, as_of, set.as_ref());
    let mut lines = vec!["weekday,hour,events".to_string()];
    for (d, row) in grid.iter().enumerate() {
        for (h, n) in row.iter().enumerate() {
            lines.push(format!("{},{h},{n}", d + 1));
        }
    }
    print_lines(lines.into_iter())
}
