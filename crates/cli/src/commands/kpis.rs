//! `seglens kpis`: measures every KPI per RFM segment and for all customers: customers,
//! revenue, revenue per customer, orders per customer, average order
//! value, repeat-purchase rate, 90-day churn rate, predicted value,
//! NPS, CSAT and e-mail open, click and click-to-open rates, each with
//! the counts behind it and, for rates and means, a 95% interval and
//! the p-value of the difference from the other customers.

use std::path::PathBuf;

use seglens_engine::analysis;

use crate::args::{Format, Input};
use crate::error::Error;
use crate::load::{Reading, add_sources, date_arg, read_segments};
use crate::output::write_kpis;

/// The flags of `seglens kpis`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The data read.
    #[command(flatten)]
    input: Input,

    /// E-mail results (customer, opened, clicked, ...), read as such
    /// whatever their columns: repeat for several campaigns, or for one
    /// campaign's lists (Mailchimp's Sent to, Opened and Clicked).
    #[arg(long, value_name = "FILE")]
    email: Vec<PathBuf>,
    /// Survey answers (customer, NPS 0-10 and/or CSAT 1-5).
    #[arg(long, value_name = "FILE")]
    surveys: Option<PathBuf>,
    /// Support tickets (customer, opened, resolved).
    #[arg(long, value_name = "FILE")]
    tickets: Option<PathBuf>,
    /// Marketing costs (date, channel or campaign, spend), for CAC and
    /// ROI; customers are matched to channels by the customers file's
    /// acquisition column.
    #[arg(long, value_name = "FILE")]
    costs: Option<PathBuf>,
    /// The customers file (for segments on its columns).
    #[arg(long, value_name = "FILE")]
    customers: Option<PathBuf>,
    /// Web or app events (for segments on events).
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// The churn and retention period, in days (90 unless the project
    /// saved another).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(i32).range(7..=730))]
    churn_days: Option<i32>,
    /// Segments to measure instead of the RFM segments: a JSON array of
    /// `{"name": ..., "rule": RULE}` (rules as for `seglens segment`) or
    /// of saved segments, `{"name": ..., "definition": DEFINITION}`.
    #[arg(long, value_name = "SEGMENTS.json")]
    segments: Option<PathBuf>,
    /// The analysis date, YYYY-MM-DD. Defaults to the day after the
    /// last order.
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
        email,
        surveys,
        tickets,
        costs,
        customers,
        events,
        segments,
        churn_days,
        as_of,
        format,
    } = args;
    let as_of = date_arg("as-of", as_of)?;
    let (mut data, saved) = input.load(reading)?;
    add_sources(
        reading,
        &mut data,
        crate::args::files(
            customers.as_ref(),
            &email,
            [
                surveys.as_ref(),
                events.as_ref(),
                tickets.as_ref(),
                costs.as_ref(),
            ],
        ),
    )?;
    let mut analysis_options = saved.unwrap_or_default();
    if let Some(path) = segments {
        analysis_options.segments = read_segments(&path)?;
        analysis_options.rows = seglens_engine::segments::groups::Rows::Saved;
    }
    if as_of.is_some() {
        analysis_options.as_of = as_of;
    }
    if let Some(days) = churn_days {
        analysis_options.churn_period_days = days;
    }
    let analysis = analysis::analyse(&data, &analysis_options)?;
    Ok(write_kpis(&analysis.kpis, format)?)
}
