//! `seglens lifecycle`: prints each customer's lifecycle stage (`customer_id,stage`) with
//! thresholds read from the data, which go to stderr; with --flows,
//! the new / returning / resurrecting / dormant customers per month.

use seglens_engine::segments::lifecycle::Period;
use seglens_engine::segments::{Facts, lifecycle};

use crate::args::Sources;
use crate::error::Error;
use crate::load::Reading;
use crate::output::{csv_field, print_lines};

/// The flags of `seglens lifecycle`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    sources: Sources,
    /// Prints the monthly flows instead of the stages.
    #[arg(long)]
    flows: bool,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args { sources, flows } = args;
    let (data, as_of) = sources.load(reading)?;
    if flows {
        return print_lines(
            std::iter::once("month,new,returning,resurrecting,dormant,complete".to_string()).chain(
                lifecycle::flows(&data.orders, as_of, Period::Month)
                    .into_iter()
                    .map(|f| {
                        format!(
                            "{},{},{},{},{},{}",
                            f.label, f.new, f.returning, f.resurrecting, f.dormant, f.complete
                        )
                    }),
            ),
        );
    }
    let facts = Facts::new(&data, as_of);
    let suggestion = lifecycle::suggest(&data.orders, &facts);
    eprintln!("{}", suggestion.explanation);
    let stages = lifecycle::stages(&facts, &suggestion.setup);
    print_lines(
        std::iter::once("customer_id,stage".to_string()).chain(
            stages.iter().enumerate().map(|(c, s)| {
                format!("{},{}", csv_field(&data.orders.customer_keys[c]), s.label())
            }),
        ),
    )
}
