//! `seglens history`: the RFM segments' sizes at each month end.

use std::io::{self, Write};

use seglens_engine::import::dataset::Dataset;
use seglens_engine::model::date::format_iso;
use seglens_engine::segments::rfm::RfmSetup;
use seglens_engine::segments::rfm_history::{Month, month_ends, segment_history};

use crate::args::{Format, Input};
use crate::error::Error;
use crate::load::{Reading, r_rfm_setup};

/// The flags of `seglens history`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The data read.
    #[command(flatten)]
    input: Input,
    /// The first month, YYYY-MM (default: the first order's).
    #[arg(long, value_name = "YYYY-MM")]
    from: Option<String>,
    /// The last month, YYYY-MM (default: the last order's).
    #[arg(long, value_name = "YYYY-MM")]
    to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args {
        input,
        from,
        to,
        format,
    } = args;
    let (from, to) = (month_arg("from", from)?, month_arg("to", to)?);
    let (data, saved) = input.load(reading)?;
    let setup = saved.map(|o| o.rfm).unwrap_or_else(r_rfm_setup);
    Ok(write(&data, &setup, from, to, format)?)
}

/// A `--from` or `--to` month, `YYYY-MM`.
pub fn month_arg(name: &str, text: Option<String>) -> Result<Option<Month>, String> {
    let Some(text) = text else { return Ok(None) };
    let bad = || format!("--{name} {text:?} is not a month (YYYY-MM)");
    let (year, month) = text.trim().split_once('-').ok_or_else(bad)?;
    let year: i32 = year.parse().map_err(|_| bad())?;
    let month: u32 = month.parse().map_err(|_| bad())?;
    if year.to_string().len() != 4 || !(1..=12).contains(&month) {
        return Err(bad());
    }
    Ok(Some((year, month)))
}

/// Prints `month_end,segment,customers` for every month end from `from` to
/// `to` (the data's months when not given) and every segment of `setup`,
/// empty ones too, oldest month first and segments in the setup's order.
pub(crate) fn write(
    data: &Dataset,
    setup: &RfmSetup,
    from: Option<Month>,
    to: Option<Month>,
    format: Format,
) -> io::Result<()> {
    let history = segment_history(&data.orders, setup, &month_ends(&data.orders, from, to));
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        Format::Csv => {
            writeln!(out, "month_end,segment,customers")?;
            // Segment names are the user's: quoted as CSV needs, once.
            let names: Vec<String> = history
                .segment_names
                .iter()
                .map(|segment| {
                    let mut name = Vec::new();
                    seglens_engine::import::delimited::push_csv_field(&mut name, segment);
                    String::from_utf8_lossy(&name).into_owned()
                })
                .collect();
            for month in &history.months {
                let day = format_iso(month.day);
                for (name, customers) in names.iter().zip(&month.customers) {
                    writeln!(out, "{day},{name},{customers}")?;
                }
            }
        }
        Format::Json => {
            let rows: Vec<serde_json::Value> = history
                .months
                .iter()
                .flat_map(|month| {
                    history.segment_names.iter().zip(&month.customers).map(
                        move |(segment, customers)| {
                            serde_json::json!({
                                "month_end": format_iso(month.day),
                                "segment": segment,
                                "customers": customers,
                            })
                        },
                    )
                })
                .collect();
            let text = serde_json::to_string_pretty(&rows).map_err(io::Error::from)?;
            writeln!(out, "{text}")?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_as_year_and_month() {
        assert_eq!(month_arg("from", None), Ok(None));
        assert_eq!(
            month_arg("from", Some("2024-03".into())),
            Ok(Some((2024, 3)))
        );
        assert_eq!(
            month_arg("to", Some(" 2025-12 ".into())),
            Ok(Some((2025, 12)))
        );
        for bad in ["2024-13", "2024", "24-03", "2024-00", "mars 2024"] {
            assert_eq!(
                month_arg("from", Some(bad.into())),
                Err(format!("--from {bad:?} is not a month (YYYY-MM)"))
            );
        }
    }
}
