//! `seglens cohorts`: prints monthly cohort retention: for each month of first orders and
//! each month after, `cohort,size,months_after,active,revenue`
//! (customers who ordered that month and their net spend).

use std::path::PathBuf;

use seglens_engine::analysis::cohorts;

use crate::args::Sources;
use crate::error::Error;
use crate::load::{Reading, rule_members};
use crate::output::print_lines;

/// The flags of `seglens cohorts`.
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
    let set = rule_members(&data, as_of, rule.as_deref())?;
    let x = cohorts::retention(&data.orders, as_of, set.as_ref());
    let mut lines = vec!["cohort,size,months_after,active,revenue".to_string()];
    for (c, month) in x.months.iter().enumerate() {
        for k in 0..x.active[c].len() {
            lines.push(format!(
                "{month},{},{k},{},{:.2}",
                x.sizes[c], x.active[c][k], x.revenue[c][k]
            ));
        }
    }
    print_lines(lines.into_iter())
}
