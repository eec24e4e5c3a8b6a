//! `seglens rfm`: scores every customer of an order file (recency, frequency,
//! monetary) and names their segment.

use seglens_engine::analysis;
use seglens_engine::analysis::AnalysisOptions;
use seglens_engine::segments::rfm;
use seglens_engine::segments::rfm::{Bins, RfmConfig, RfmSetup};

use crate::args::{Format, Input};
use crate::error::Error;
use crate::load::{Reading, date_arg};
use crate::output::write_rfm;

/// The flags of `seglens rfm`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The data read.
    #[command(flatten)]
    input: Input,
    /// The analysis date, YYYY-MM-DD. Defaults to the day after the
    /// last order.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
    /// Number of quantile bins for each of R, F and M (ignored with
    /// --workspace, whose setup is used).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(2..=9))]
    bins: u8,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args {
        input,
        as_of,
        bins,
        format,
    } = args;
    let as_of = date_arg("as-of", as_of)?;
    let (data, saved) = input.load(reading)?;
    let mut options = saved.unwrap_or_else(|| AnalysisOptions {
        rfm: RfmSetup {
            config: RfmConfig {
                recency: Bins::Quantiles(bins),
                frequency: Bins::Quantiles(bins),
                monetary: Bins::Quantiles(bins),
            },
            rules: rfm::default_rules(),
        },
        ..AnalysisOptions::default()
    });
    if as_of.is_some() {
        options.as_of = as_of;
    }
    let (_, result) = analysis::rfm_result(&data, &options)?;
    Ok(write_rfm(&data.orders, &result, format)?)
}
