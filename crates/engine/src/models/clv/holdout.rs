//! The model check: fitted on a calibration period, its predictions
//! compared with what the customers did in the holdout period.

use crate::model::message::Message;

use super::*;

/// One line of the holdout check: customers with the same number of
/// repeat purchases in the calibration period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutRow {
    /// The number of calibration repeat purchases (`7+` for the last).
    pub label: String,
    /// Customers in the line.
    pub customers: u64,
    /// Their mean number of purchases in the holdout period.
    pub actual: f64,
    /// The mean the model predicted.
    pub predicted: f64,
}

/// How well the purchase model, fitted on the calibration period,
/// predicted the holdout period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutCheck {
    /// The last day of calibration.
    pub calibration_end: Day,
    /// The last day of the holdout period.
    pub holdout_end: Day,
    /// The holdout length in the unit.
    pub length: f64,
    /// By number of calibration repeat purchases.
    pub rows: Vec<HoldoutRow>,
    /// Purchases in the holdout period.
    pub actual_total: f64,
    /// Purchases the model predicted.
    pub predicted_total: f64,
    /// The fit on the calibration period.
    pub fit: Fit<BgNbd>,
    /// Repeat purchases of the whole base cumulated week by week from the
    /// first order to the end of the holdout, actual and predicted.
    #[serde(default)]
    pub cumulative: Vec<CumulativePoint>,
}

/// Repeat purchases cumulated up to a day, as they happened and as the
/// model expects them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CumulativePoint {
    /// Up to (not including) this day.
    pub day: Day,
    /// Repeat purchases made (same-day purchases merged).
    pub actual: f64,
    /// Repeat purchases the model expects of the customers who had made
    /// their first purchase by then, each from their first purchase on.
    pub predicted: f64,
}

/// Repeat purchases cumulated every `step` days from the first order up to
/// `until`, actual and predicted by `model` for each customer from their
/// first purchase on (as `lifetimes`'s `expected_cumulative_transactions`
/// does): a check of the model over time, calibration and holdout alike.
pub fn cumulative_purchases(
    orders: &Orders,
    model: &BgNbd,
    until: Day,
    unit: TimeUnit,
    step: Day,
) -> Vec<CumulativePoint> {
    let mut rows: Vec<(u32, Day)> = (0..orders.len())
        .filter(|&i| orders.amount[i] >= 0.0 && orders.day[i] <= until)
        .map(|i| (orders.customer[i], orders.day[i]))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let Some(start) = rows.iter().map(|r| r.1).min() else {
        return Vec::new();
    };
    // First purchases per day, and repeat purchases per day.
    let span = (until - start) as usize + 1;
    let mut first = vec![0u64; span];
    let mut repeat = vec![0u64; span];
    for (i, (c, d)) in rows.iter().enumerate() {
        let slot = (*d - start) as usize;
        if i == 0 || rows[i - 1].0 != *c {
            first[slot] += 1;
        } else {
            repeat[slot] += 1;
        }
    }
    let step = step.max(1);
    let mut out = Vec::new();
    let mut k = 1;
    while k * step <= until - start {
        let day = start + k * step;
        let upto = (k * step) as usize;
        let actual = repeat[..upto].iter().sum::<u64>() as f64;
        let predicted = first[..upto]
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(d, n)| {
                let t = f64::from(day - (start + d as Day)) / unit.days();
                *n as f64 * model.expected_purchases(t, 0.0, 0.0, 0.0)
            })
            .sum();
        out.push(CumulativePoint {
            day,
            actual,
            predicted,
        });
        k += 1;
    }
    out
}

/// Fits BG/NBD on the history up to `calibration_end` and compares its
/// predictions with the purchases up to `holdout_end`.
pub fn holdout_check(
    orders: &Orders,
    calibration_end: Day,
    holdout_end: Day,
    unit: TimeUnit,
) -> Result<HoldoutCheck, FitError> {
    holdout_check_reporting(
        orders,
        calibration_end,
        holdout_end,
        unit,
        &mut |_, _, _| {},
    )
}

/// As [`holdout_check`], telling `on_stage` of each of its three parts as
/// it starts.
pub fn holdout_check_reporting(
    orders: &Orders,
    calibration_end: Day,
    holdout_end: Day,
    unit: TimeUnit,
    on_stage: OnStage<'_>,
) -> Result<HoldoutCheck, FitError> {
    if holdout_end <= calibration_end {
        return Err(FitError(Message::new(
            "engine.the_holdout_period_must_end_after_the_calibration_period",
        )));
    }
    let mut stages = Stages::new(
        vec![Stage::Calibration, Stage::CalibrationFit, Stage::Comparison],
        on_stage,
    );
    stages.start(Stage::Calibration);
    let data = summarise(orders, calibration_end, Some(holdout_end), unit);
    stages.start(Stage::CalibrationFit);
    let fit = fit_bgnbd(&data)?;
    stages.start(Stage::Comparison);
    let length = f64::from(holdout_end - calibration_end) / unit.days();
    const LAST: usize = 7;
    let mut sums = [(0u64, 0.0, 0.0); LAST + 1];
    for c in &data {
        let line = (c.frequency as usize).min(LAST);
        sums[line].0 += 1;
        sums[line].1 += c.holdout_frequency;
        sums[line].2 += fit
            .params
            .expected_purchases(length, c.frequency, c.recency, c.age);
    }
    let rows = sums
        .iter()
        .enumerate()
        .map(|(i, (n, actual, predicted))| HoldoutRow {
            label: if i == LAST {
                format!("{LAST}+")
            } else {
                i.to_string()
            },
            customers: *n,
            actual: if *n > 0 { actual / *n as f64 } else { 0.0 },
            predicted: if *n > 0 { predicted / *n as f64 } else { 0.0 },
        })
        .collect();
    Ok(HoldoutCheck {
        calibration_end,
        holdout_end,
        length,
        rows,
        actual_total: sums.iter().map(|s| s.1).sum(),
        predicted_total: sums.iter().map(|s| s.2).sum(),
        cumulative: cumulative_purchases(orders, &fit.params, holdout_end, unit, 7),
        fit,
    })
}
