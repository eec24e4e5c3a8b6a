//! `seglens cross-sell`: prints which product categories the same customers buy, as
//! association rules `from,to,both,from_buyers,support,confidence,lift`
//! (highest lift first), over every buyer or the members of a rule.

use std::path::PathBuf;

use seglens_engine::journeys::crosssell;

use crate::args::Sources;
use crate::error::Error;
use crate::load::{Reading, rule_members};
use crate::output::{csv_field, print_lines};

/// The flags of `seglens cross-sell`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    sources: Sources,
    /// Only the customers this rule selects.
    #[arg(long, value_name = "RULE.json")]
    rule: Option<PathBuf>,
    /// Pairs bought together by fewer customers are left out.
    #[arg(long, default_value_t = 10)]
    min: u64,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args { sources, rule, min } = args;
    let (data, as_of) = sources.load(reading)?;
    let set = rule_members(&data, as_of, rule.as_deref())?;
    let x = crosssell::cross_sell(&data.orders, as_of, set.as_ref(), min)?;
    if let Some(h) = crosssell::headline(&x) {
        eprintln!("{h}");
    }
    print_lines(
        std::iter::once("from,to,both,from_buyers,support,confidence,lift".to_string()).chain(
            x.pairs.iter().map(|p| {
                format!(
                    "{},{},{},{},{:.6},{:.6},{:.6}",
                    csv_field(&p.from),
                    csv_field(&p.to),
                    p.both,
                    p.from_buyers,
                    p.support,
                    p.confidence,
                    p.lift
                )
            }),
        ),
    )
}
