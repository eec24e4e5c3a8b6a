//! `seglens separation`: the RFM segments or the lifecycle stages as a
//! whole.

use std::io::{self, Write};

use clap::ValueEnum;
use seglens_engine::analysis::{self, AnalysisOptions};
use seglens_engine::import::dataset::Dataset;
use seglens_engine::model::date::format_iso;
use seglens_engine::segments::Facts;
use seglens_engine::segments::groups::Rows;

use crate::args::{Format, Input};
use crate::error::Error;
use crate::load::{Reading, date_arg};

/// The flags of `seglens separation`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The data read.
    #[command(flatten)]
    input: Input,
    /// The groups: the RFM segments or the lifecycle stages.
    #[arg(long, value_enum, default_value_t = Groups::Rfm)]
    groups: Groups,
    /// The analysis date, YYYY-MM-DD (default: the day after the last order).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args {
        input,
        groups,
        as_of,
        format,
    } = args;
    let as_of = date_arg("as-of", as_of)?;
    let (data, saved) = input.load(reading)?;
    let mut options = saved.unwrap_or_default();
    if as_of.is_some() {
        options.as_of = as_of;
    }
    Ok(write(&data, options, groups, format)?)
}

/// The groups seen as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Groups {
    /// The RFM segments.
    Rfm,
    /// The lifecycle stages.
    Lifecycle,
}

/// Prints the separation of `groups`: as CSV one `measure,value` line per
/// figure (eta squared per measure, silhouette, customers measured, verdict),
/// as JSON the whole of it with the analysis date.
pub(crate) fn write(
    data: &Dataset,
    mut options: AnalysisOptions,
    groups: Groups,
    format: Format,
) -> io::Result<()> {
    options.rows = match groups {
        Groups::Rfm => Rows::Rfm,
        Groups::Lifecycle => Rows::Lifecycle,
    };
    let fail = |e: seglens_engine::model::message::Message| io::Error::other(e.to_string());
    let (as_of, _) = analysis::rfm_result(data, &options).map_err(fail)?;
    let facts = Facts::new(data, as_of);
    let s = analysis::separation(data, &facts, &options).map_err(fail)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        Format::Csv => {
            writeln!(out, "measure,value")?;
            for spread in &s.spreads {
                writeln!(out, "eta_squared_{},{}", spread.measure, spread.between)?;
            }
            if let Some(x) = s.silhouette {
                writeln!(out, "silhouette,{x}")?;
            }
            writeln!(out, "customers_measured,{}", s.measured)?;
            writeln!(out, "customers_in_several,{}", s.in_several)?;
            if let Some(v) = s.verdict {
                writeln!(out, "verdict,{v:?}")?;
            }
        }
        Format::Json => {
            let mut value = serde_json::to_value(&s).map_err(io::Error::other)?;
            value["as_of"] = serde_json::Value::String(format_iso(as_of));
            writeln!(out, "{value}")?;
        }
    }
    out.flush()
}
