//! `seglens clv`: fits the BG/NBD and Gamma-Gamma models and predicts each customer's
//! purchases, probability of being active, and lifetime value.

use seglens_engine::models::clv::TimeUnit;

use crate::args::{Format, Input, Unit};
use crate::error::Error;
use crate::load::{Reading, date_arg, load};
use crate::output::{ClvRequest, write_clv};

/// The flags of `seglens clv`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The data read.
    #[command(flatten)]
    input: Input,
    /// Last day of the calibration period, YYYY-MM-DD. Defaults to the
    /// last order's day.
    #[arg(long, value_name = "YYYY-MM-DD")]
    calibration_end: Option<String>,
    /// Last day of the holdout period, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    holdout_end: Option<String>,
    /// The model's unit of time.
    #[arg(long, value_enum, default_value_t = Unit::Weeks)]
    unit: Unit,
    /// Prediction horizon in the unit (default 52 weeks or 365 days).
    #[arg(long)]
    horizon: Option<f64>,
    /// Monthly discount rate for the lifetime value.
    #[arg(long, default_value_t = 0.01)]
    discount_rate: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args {
        input,
        calibration_end,
        holdout_end,
        unit,
        horizon,
        discount_rate,
        format,
    } = args;
    let Input {
        orders,
        workspace,
        map,
    } = input;
    let (data, _) = load(reading, orders.as_deref(), workspace.as_deref(), &map)?;
    let table = data.orders;
    let name = orders.or(workspace).unwrap_or_default();
    let calibration_end = match date_arg("calibration-end", calibration_end)? {
        Some(d) => d,
        None => table
            .last_order_day()
            .ok_or_else(|| format!("{}: no order to model", name.display()))?,
    };
    let holdout_end = date_arg("holdout-end", holdout_end)?;
    if holdout_end.is_some_and(|h| h <= calibration_end) {
        return Err("--holdout-end must come after --calibration-end".into());
    }
    let unit = match unit {
        Unit::Days => TimeUnit::Days,
        Unit::Weeks => TimeUnit::Weeks,
    };
    let horizon = horizon.unwrap_or(match unit {
        TimeUnit::Days => 365.0,
        TimeUnit::Weeks => 52.0,
    });
    let request = ClvRequest {
        calibration_end,
        holdout_end,
        unit,
        horizon,
        discount_rate,
    };
    write_clv(&table, &request, format)
}
