//! `seglens campaign`: what each campaign of a sends or e-mail results file
//! did, per RFM segment at the send day and per group.

use std::io::{self, Write};

use seglens_engine::analysis::campaign::{Arm, Audience, CampaignResult};
use seglens_engine::import::delimited::push_csv_field;
use seglens_engine::metrics::kpi::ALL_CUSTOMERS;

use crate::Format;

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
pub fn run(results: &[CampaignResult], format: Format) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, results).map_err(io::Error::other)?;
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
