//! "Buy till you die" models: BG/NBD (Fader, Hardie & Lee 2005, "Counting
//! Your Customers the Easy Way") for purchase frequency and the probability
//! of being alive, Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV")
//! for spend, and customer lifetime value from both.
//!
//! Both are fitted by maximum likelihood (BFGS with analytic gradients on
//! the logarithms of the parameters, from several starting points, with
//! Nelder–Mead as a fallback), with standard errors from the Hessian of the
//! log-likelihood.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::import::orders::Orders;
use crate::model::date::Day;
use crate::model::stage::{OnStage, Stage, Stages};
use crate::stats::optimize::{self, digamma};

mod bgnbd;
mod fit;
mod gamma_gamma;
mod holdout;
mod predict;

pub use bgnbd::*;
pub use fit::*;
pub use gamma_gamma::*;
pub use holdout::*;
pub use predict::*;

/// The unit of time of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeUnit {
    /// Days.
    Days,
    /// Weeks of seven days.
    Weeks,
}

impl TimeUnit {
    /// Days in one unit.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
        }
    }

    /// A month (for discounting) in this unit, as `lifetimes` counts it:
    /// 30 days or 4.345 weeks.
    pub fn month(self) -> f64 {
        match self {
            TimeUnit::Days => 30.0,
            TimeUnit::Weeks => 4.345,
        }
    }
}

/// One customer as the models see the calibration period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CustomerSummary {
    /// Dense customer index.
    pub customer: u32,
    /// `x`: repeat purchase days in the calibration period (the first day
    /// excluded).
    pub frequency: f64,
    /// `t_x`: from the first to the last purchase day, in the unit.
    pub recency: f64,
    /// `T`: from the first purchase day to the end of calibration.
    pub age: f64,
    /// Mean spend of the repeat purchase days (0 when `x = 0`).
    pub monetary: f64,
    /// Purchase days in the holdout period, when there is one.
    pub holdout_frequency: f64,
}

/// Per-customer summaries for the models.
///
/// Purchases on the same day by the same customer count as one (their
/// amounts summed). Refunds (negative amounts) are not purchases and are
/// left out. Customers whose first purchase falls after the calibration end
/// are left out. Days after `holdout_end` are ignored.
pub fn summarise(
    orders: &Orders,
    calibration_end: Day,
    holdout_end: Option<Day>,
    unit: TimeUnit,
) -> Vec<CustomerSummary> {
    let last_day = holdout_end.unwrap_or(calibration_end);
    let mut rows: Vec<(u32, Day, f64)> = (0..orders.len())
        .filter(|&i| orders.amount[i] >= 0.0 && orders.day[i] <= last_day)
        .map(|i| (orders.customer[i], orders.day[i], orders.amount[i]))
        .collect();
    rows.sort_by_key(|r| (r.0, r.1));
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let customer = rows[i].0;
        let mut days: Vec<(Day, f64)> = Vec::new();
        while i < rows.len() && rows[i].0 == customer {
            let (_, d, a) = rows[i];
            match days.last_mut() {
                Some(last) if last.0 == d => last.1 += a,
                _ => days.push((d, a)),
            }
            i += 1;
        }
        let first = days[0].0;
        if first > calibration_end {
            continue;
        }
        let calibration: Vec<&(Day, f64)> =
            days.iter().filter(|(d, _)| *d <= calibration_end).collect();
        let x = calibration.len() - 1;
        let last = calibration[x].0;
        let monetary = if x > 0 {
            calibration[1..].iter().map(|(_, a)| a).sum::<f64>() / x as f64
        } else {
            0.0
        };
        out.push(CustomerSummary {
            customer,
            frequency: x as f64,
            recency: f64::from(last - first) / unit.days(),
            age: f64::from(calibration_end - first) / unit.days(),
            monetary,
            holdout_frequency: (days.len() - calibration.len()) as f64,
        });
    }
    out
}

fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// The Gaussian hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1,
/// by its power series.
pub(crate) fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 0..200_000 {
        let k = f64::from(k);
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if term.abs() <= 1e-15 * sum.abs() {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests;
