//! `seglens migration`: prints how customers moved between RFM segments (default setup)
//! from an earlier date to the analysis date:
//! `from_segment,to_segment,customers`.

use seglens_engine::analysis::cohorts;
use seglens_engine::segments::rfm::RfmSetup;

use crate::args::Sources;
use crate::error::Error;
use crate::load::{Reading, date_arg};
use crate::output::{csv_field, print_lines};

/// The flags of `seglens migration`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    sources: Sources,
    /// The earlier date, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: String,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args { sources, from } = args;
    let (data, as_of) = sources.load(reading)?;
    let from = date_arg("from", Some(from))?.ok_or("give --from YYYY-MM-DD")?;
    if from >= as_of {
        return Err("--from must be before the analysis date".into());
    }
    let m = cohorts::migration(&data.orders, &RfmSetup::default(), from, as_of);
    let mut lines = vec!["from_segment,to_segment,customers".to_string()];
    for (a, row) in m.counts.iter().enumerate() {
        for (b, n) in row.iter().enumerate() {
            if *n > 0 {
                lines.push(format!(
                    "{},{},{n}",
                    csv_field(&m.segments[a]),
                    csv_field(&m.segments[b])
                ));
            }
        }
    }
    print_lines(lines.into_iter())
}
