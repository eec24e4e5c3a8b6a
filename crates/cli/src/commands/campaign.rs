//! `seglens campaign`: what each campaign of a sends or e-mail results file
//! did, per RFM segment at the send day and per group.

use std::io::{self, Write};
use std::path::PathBuf;

use seglens_engine::analysis::campaign::{Arm, Audience, CampaignResult};
use seglens_engine::import::delimited::push_csv_field;
use seglens_engine::metrics::kpi::ALL_CUSTOMERS;

use crate::args::{Format, Input};
use crate::error::Error;
use crate::load::{Reading, add_sources, r_rfm_setup};

/// The flags of `seglens campaign`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The data read.
    #[command(flatten)]
    input: Input,
    /// Who was sent which campaign: customer, campaign, sent date and
    /// group (control or treatment) or variant; e-mail results with a
    /// campaign column are read the same way.
    #[arg(
        long,
        value_name = "FILE",
        alias = "email",
        required_unless_present = "workspace"
    )]
    sends: Option<PathBuf>,
    /// The days after the send in which an order counts.
    #[arg(long, value_name = "N", default_value_t = seglens_engine::analysis::campaign::DEFAULT_WINDOW_DAYS)]
    window_days: i32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args {
        input,
        sends,
        window_days,
        format,
    } = args;
    if window_days < 1 {
        return Err(format!("--window-days {window_days}: give at least one day").into());
    }
    let (mut data, saved) = input.load(reading)?;
    add_sources(
        reading,
        &mut data,
        sends
            .iter()
            .map(|p| (Some(seglens_engine::import::sources::SourceKind::Email), p)),
    )?;
    let email = data
        .email
        .as_ref()
        .ok_or("give the sends or e-mail results file (--sends FILE)")?;
    let setup = saved.map(|o| o.rfm).unwrap_or_else(r_rfm_setup);
    let results =
        seglens_engine::analysis::campaign::measure(&data.orders, email, &setup, window_days);
    Ok(write(&results, format)?)
}

/// The segment column's text for customers with no order before the send.
pub const NO_ORDER_BEFORE: &str = "No order before";

/// The segment column's text for an audience.
fn audience_name(audience: &Audience) -> &str {
    match audience {
        Audience::All => ALL_CUSTOMERS,
        Audience::Rfm(name) => name,
        Audience::NoOrderBefore => NO_ORDER_BEFORE,
    }
}

/// The group column's text: `treatment`, `control` or the variant's name.
fn arm_name(arm: &Arm) -> &str {
    match arm {
        Arm::Sent => "treatment",
        Arm::Control => "control",
        Arm::Variant(name) => name,
    }
}

fn csv(text: &str) -> String {
    let mut out = Vec::new();
    push_csv_field(&mut out, text);
    String::from_utf8_lossy(&out).into_owned()
}

/// Prints `campaign,segment,group,customers,converted,conversion_rate,
/// revenue,uplift,uplift_low,uplift_high`: one row per campaign, audience
/// (all customers first) and group; the uplift (the group's conversion rate
/// minus the reference's, with its 95% interval) on the rows of groups
/// that were sent, empty on the reference's. JSON gives everything,
/// p-values and revenue uplifts too.
pub(crate) fn write(results: &[CampaignResult], format: Format) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, results).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        Format::Csv => {
            writeln!(
                out,
                "campaign,segment,group,customers,converted,conversion_rate,revenue,uplift,uplift_low,uplift_high"
            )?;
            for campaign in results {
                let name = csv(&campaign.name);
                for audience in &campaign.audiences {
                    let segment = csv(audience_name(&audience.audience));
                    for arm in &audience.arms {
                        let rate = arm
                            .conversion
                            .map(|r| r.value.to_string())
                            .unwrap_or_default();
                        let uplift = audience
                            .uplifts
                            .iter()
                            .find(|u| u.arm == arm.arm)
                            .and_then(|u| u.conversion)
                            .map(|d| format!("{},{},{}", d.value, d.low, d.high))
                            .unwrap_or_else(|| ",,".to_string());
                        writeln!(
                            out,
                            "{name},{segment},{},{},{},{rate},{},{uplift}",
                            csv(arm_name(&arm.arm)),
                            arm.customers,
                            arm.converted,
                            arm.revenue,
                        )?;
                    }
                }
            }
        }
    }
    out.flush()
}
