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
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
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

/// Fitted BG/NBD parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BgNbd {
    /// Shape of the gamma distribution of purchase rates.
    pub r: f64,
    /// Scale of the gamma distribution of purchase rates.
    pub alpha: f64,
    /// First shape of the beta distribution of drop-out probabilities.
    pub a: f64,
    /// Second shape of the beta distribution of drop-out probabilities.
    pub b: f64,
}

/// Caches the terms of the likelihood that depend on `x` only.
fn by_frequency<T>(data: &[CustomerSummary], f: impl Fn(f64) -> T) -> Vec<T> {
    let max_x = data.iter().map(|c| c.frequency as usize).max().unwrap_or(0);
    (0..=max_x).map(|x| f(x as f64)).collect()
}

impl BgNbd {
    /// The log-likelihood of the data, in a numerically stable form.
    pub fn log_likelihood(&self, data: &[CustomerSummary]) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        if !(r > 0.0 && alpha > 0.0 && a > 0.0 && b > 0.0) {
            return f64::NEG_INFINITY;
        }
        let constant = r * alpha.ln() - ln_gamma(r) + ln_gamma(a + b) - ln_gamma(b);
        let per_x = by_frequency(data, |x| {
            ln_gamma(r + x) + ln_gamma(b + x) - ln_gamma(a + b + x)
        });
        let (ln_a, mut total) = (a.ln(), 0.0);
        for c in data {
            let x = c.frequency;
            let a3 = -(r + x) * (alpha + c.age).ln();
            let tail = if x > 0.0 {
                let a4 = ln_a - (b + x - 1.0).ln() - (r + x) * (alpha + c.recency).ln();
                let m = a3.max(a4);
                m + ((a3 - m).exp() + (a4 - m).exp()).ln()
            } else {
                a3
            };
            total += per_x[x as usize] + tail;
        }
        total + constant * data.len() as f64
    }

    /// The log-likelihood and its gradient with respect to `(r, alpha, a,
    /// b)`.
    pub fn log_likelihood_and_gradient(&self, data: &[CustomerSummary]) -> (f64, [f64; 4]) {
        let BgNbd { r, alpha, a, b } = *self;
        if !(r > 0.0 && alpha > 0.0 && a > 0.0 && b > 0.0) {
            return (f64::NEG_INFINITY, [0.0; 4]);
        }
        let n = data.len() as f64;
        let per_x = by_frequency(data, |x| {
            (
                ln_gamma(r + x) + ln_gamma(b + x) - ln_gamma(a + b + x),
                digamma(r + x),
                digamma(b + x),
                digamma(a + b + x),
            )
        });
        let (ln_a, ln_alpha) = (a.ln(), alpha.ln());
        let mut ll = n * (r * ln_alpha - ln_gamma(r) + ln_gamma(a + b) - ln_gamma(b));
        let mut g = [
            n * (ln_alpha - digamma(r)),
            n * r / alpha,
            n * digamma(a + b),
            n * (digamma(a + b) - digamma(b)),
        ];
        for c in data {
            let x = c.frequency;
            let (lg, psi_rx, psi_bx, psi_abx) = per_x[x as usize];
            let ln_at = (alpha + c.age).ln();
            let a3 = -(r + x) * ln_at;
            let (tail, w3, w4, ln_ar) = if x > 0.0 {
                let ln_ar = (alpha + c.recency).ln();
                let a4 = ln_a - (b + x - 1.0).ln() - (r + x) * ln_ar;
                let m = a3.max(a4);
                let (e3, e4) = ((a3 - m).exp(), (a4 - m).exp());
                let sum = e3 + e4;
                (m + sum.ln(), e3 / sum, e4 / sum, ln_ar)
            } else {
                (a3, 1.0, 0.0, 0.0)
            };
            ll += lg + tail;
            g[0] += psi_rx - w3 * ln_at - w4 * ln_ar;
            g[1] -= (r + x) * (w3 / (alpha + c.age) + w4 / (alpha + c.recency));
            g[2] -= psi_abx;
            g[3] += psi_bx - psi_abx;
            if x > 0.0 {
                g[2] += w4 / a;
                g[3] -= w4 / (b + x - 1.0);
            }
        }
        (ll, g)
    }

    fn odds_dead(&self, x: f64, recency: f64, age: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        (a.ln() - (b + x - 1.0).ln() + (r + x) * ((alpha + age).ln() - (alpha + recency).ln()))
            .exp()
    }

    /// The probability that a customer is still active.
    pub fn p_alive(&self, x: f64, recency: f64, age: f64) -> f64 {
        1.0 / (1.0 + self.odds_dead(x, recency, age))
    }

    /// The probability of at least one purchase in the next `t` units,
    /// given the customer's history: still active, and the Poisson rate,
    /// whose posterior for an active customer is Gamma(r + x, α + T), gives
    /// a purchase before `t`. A customer can only stop right after a
    /// purchase, so one with none in those `t` units is as active at their
    /// end as now; equal to the likelihood ratio 1 − L(x, t_x, T + t) /
    /// L(x, t_x, T).
    pub fn probability_of_purchase_within(&self, t: f64, x: f64, recency: f64, age: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        let BgNbd { r, alpha, .. } = *self;
        let none_if_active = ((alpha + age) / (alpha + age + t)).powf(r + x);
        self.p_alive(x, recency, age) * (1.0 - none_if_active)
    }

    /// The chances of ordering within each of [`ORDER_WINDOWS`] days, for a
    /// model fitted in `unit`.
    pub fn order_chances(&self, x: f64, recency: f64, age: f64, unit: TimeUnit) -> [f64; 2] {
        ORDER_WINDOWS.map(|days| {
            self.probability_of_purchase_within(f64::from(days) / unit.days(), x, recency, age)
        })
    }

    /// The median time to the next purchase of a customer who is still
    /// active, in units: the wait is exponential with a Gamma(r + x, α + T)
    /// rate, a Lomax distribution whose median is (α + T)(2^(1/(r + x)) − 1).
    pub fn median_wait_if_active(&self, x: f64, age: f64) -> f64 {
        let BgNbd { r, alpha, .. } = *self;
        (alpha + age) * ((std::f64::consts::LN_2 / (r + x)).exp() - 1.0)
    }

    /// Expected purchases in the next `t` units, given the customer's
    /// history (FHL 2005, equation 10).
    pub fn expected_purchases(&self, t: f64, x: f64, recency: f64, age: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let z = t / (alpha + age + t);
        let power = ((alpha + age) / (alpha + age + t)).powf(r + x);
        let head = (a + b + x - 1.0) / (a - 1.0);
        let body = 1.0 - power * hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        head * body / (1.0 + self.odds_dead(x, recency, age))
    }
}

/// The distinct values of `values` (in the order first seen), and each
/// value's index among them.
fn distinct(values: impl Iterator<Item = f64>) -> (Vec<f64>, Vec<u32>) {
    let mut seen: FxHashMap<u64, u32> = FxHashMap::default();
    let mut table = Vec::new();
    let index = values
        .map(|v| {
            *seen.entry(v.to_bits()).or_insert_with(|| {
                table.push(v);
                (table.len() - 1) as u32
            })
        })
        .collect();
    (table, index)
}

/// The customers as the BG/NBD likelihood reads them during a fit: each
/// distinct `(x, t_x, T)` once with the number of customers who share it,
/// and the distinct recencies and ages in tables, so that a likelihood
/// evaluation takes each of their logarithms once instead of once per
/// customer.
struct BgNbdRows {
    customers: f64,
    max_x: usize,
    recencies: Vec<f64>,
    ages: Vec<f64>,
    /// `(x, recency index, age index, customers)`.
    rows: Vec<(u32, u32, u32, f64)>,
}

impl BgNbdRows {
    fn new(data: &[CustomerSummary]) -> BgNbdRows {
        let (recencies, recency_index) = distinct(data.iter().map(|c| c.recency));
        let (ages, age_index) = distinct(data.iter().map(|c| c.age));
        let mut row_of: FxHashMap<(u32, u32, u32), usize> = FxHashMap::default();
        let mut rows: Vec<(u32, u32, u32, f64)> = Vec::new();
        for (c, (r, t)) in data.iter().zip(recency_index.into_iter().zip(age_index)) {
            let key = (c.frequency as u32, r, t);
            let i = *row_of.entry(key).or_insert_with(|| {
                rows.push((key.0, r, t, 0.0));
                rows.len() - 1
            });
            rows[i].3 += 1.0;
        }
        BgNbdRows {
            customers: data.len() as f64,
            max_x: rows.iter().map(|r| r.0 as usize).max().unwrap_or(0),
            recencies,
            ages,
            rows,
        }
    }
}

/// `ln(alpha + v)` and `1 / (alpha + v)` for each value of a table.
fn log_table(alpha: f64, values: &[f64]) -> Vec<(f64, f64)> {
    values
        .iter()
        .map(|v| ((alpha + v).ln(), 1.0 / (alpha + v)))
        .collect()
}

impl BgNbd {
    /// As [`BgNbd::log_likelihood_and_gradient`], over the compact rows.
    ///
    /// With `d = ln a - ln(b + x - 1) - (r + x) (ln(alpha + t_x) -
    /// ln(alpha + T))`, a repeat buyer's term is `-(r + x) ln(alpha + T) +
    /// ln(1 + e^d)`, and the weight of the drop-out branch in the gradient
    /// is the logistic of `d`: one exponential and one logarithm per row.
    fn compact_log_likelihood_and_gradient(&self, data: &BgNbdRows) -> (f64, [f64; 4]) {
        let BgNbd { r, alpha, a, b } = *self;
        if !(r > 0.0 && alpha > 0.0 && a > 0.0 && b > 0.0) {
            return (f64::NEG_INFINITY, [0.0; 4]);
        }
        let n = data.customers;
        let per_x: Vec<(f64, f64, f64, f64, f64)> = (0..=data.max_x)
            .map(|x| {
                let x = x as f64;
                (
                    ln_gamma(r + x) + ln_gamma(b + x) - ln_gamma(a + b + x),
                    digamma(r + x),
                    digamma(b + x),
                    digamma(a + b + x),
                    if x > 0.0 { (b + x - 1.0).ln() } else { 0.0 },
                )
            })
            .collect();
        let at_recency = log_table(alpha, &data.recencies);
        let at_age = log_table(alpha, &data.ages);
        let (ln_a, ln_alpha) = (a.ln(), alpha.ln());
        let mut ll = n * (r * ln_alpha - ln_gamma(r) + ln_gamma(a + b) - ln_gamma(b));
        let mut g = [
            n * (ln_alpha - digamma(r)),
            n * r / alpha,
            n * digamma(a + b),
            n * (digamma(a + b) - digamma(b)),
        ];
        for &(x, ri, ti, w) in &data.rows {
            let (lg, psi_rx, psi_bx, psi_abx, ln_bx1) = per_x[x as usize];
            let x = f64::from(x);
            let (ln_at, inv_at) = at_age[ti as usize];
            let rx = r + x;
            let mut term = lg - rx * ln_at;
            let mut g0 = psi_rx - ln_at;
            let mut g1 = -rx * inv_at;
            let mut g2 = -psi_abx;
            let mut g3 = psi_bx - psi_abx;
            if x > 0.0 {
                let (ln_ar, inv_ar) = at_recency[ri as usize];
                let d = ln_a - ln_bx1 - rx * (ln_ar - ln_at);
                // ln(1 + e^d) and the logistic of d, from one exponential.
                let (softplus, w4) = if d > 0.0 {
                    let e = (-d).exp();
                    (d + e.ln_1p(), 1.0 / (1.0 + e))
                } else {
                    let e = d.exp();
                    (e.ln_1p(), e / (1.0 + e))
                };
                term += softplus;
                g0 -= w4 * (ln_ar - ln_at);
                g1 -= rx * w4 * (inv_ar - inv_at);
                g2 += w4 / a;
                g3 -= w4 / (b + x - 1.0);
            }
            ll += w * term;
            g[0] += w * g0;
            g[1] += w * g1;
            g[2] += w * g2;
            g[3] += w * g3;
        }
        (ll, g)
    }
}

/// The repeat buyers as the Gamma-Gamma likelihood reads them during a
/// fit: `x`, `ln m` and `m x`, which do not depend on the parameters.
struct SpendRows {
    max_x: usize,
    /// `(x, ln m, m x)`.
    rows: Vec<(u32, f64, f64)>,
}

impl SpendRows {
    fn new(data: &[CustomerSummary]) -> SpendRows {
        let rows: Vec<(u32, f64, f64)> = data
            .iter()
            .map(|c| {
                (
                    c.frequency as u32,
                    c.monetary.ln(),
                    c.monetary * c.frequency,
                )
            })
            .collect();
        SpendRows {
            max_x: rows.iter().map(|r| r.0 as usize).max().unwrap_or(0),
            rows,
        }
    }
}

impl GammaGamma {
    /// As [`GammaGamma::log_likelihood_and_gradient`], over the prepared
    /// rows: one logarithm and one division per customer.
    fn compact_log_likelihood_and_gradient(&self, data: &SpendRows) -> (f64, [f64; 3]) {
        let GammaGamma { p, q, gamma } = *self;
        if !(p > 0.0 && q > 0.0 && gamma > 0.0) {
            return (f64::NEG_INFINITY, [0.0; 3]);
        }
        let per_x: Vec<(f64, f64, f64)> = (0..=data.max_x)
            .map(|x| {
                let x = x as f64;
                if x > 0.0 {
                    (
                        ln_gamma(p * x + q) - ln_gamma(p * x) + p * x * x.ln(),
                        digamma(p * x + q) - digamma(p * x) + x.ln(),
                        digamma(p * x + q),
                    )
                } else {
                    (0.0, 0.0, 0.0)
                }
            })
            .collect();
        let n = data.rows.len() as f64;
        let ln_g = gamma.ln();
        let mut ll = n * (q * ln_g - ln_gamma(q));
        let mut g = [0.0, n * (ln_g - digamma(q)), n * q / gamma];
        for &(x, ln_m, mx) in &data.rows {
            let (lg, d0, psi_pxq) = per_x[x as usize];
            let x = f64::from(x);
            let (ln_gm, inv_gm) = ((gamma + mx).ln(), 1.0 / (gamma + mx));
            let pxq = p * x + q;
            ll += lg + (p * x - 1.0) * ln_m - pxq * ln_gm;
            g[0] += x * (d0 + ln_m - ln_gm);
            g[1] += psi_pxq - ln_gm;
            g[2] -= pxq * inv_gm;
        }
        (ll, g)
    }
}

/// Fitted Gamma-Gamma parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    /// Shape of the gamma distribution of transaction values.
    pub p: f64,
    /// Shape of the gamma distribution of the customers' scale.
    pub q: f64,
    /// Scale of the gamma distribution of the customers' scale.
    pub gamma: f64,
}

impl GammaGamma {
    /// The log-likelihood of the repeat buyers' mean spends.
    pub fn log_likelihood(&self, data: &[CustomerSummary]) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        if !(p > 0.0 && q > 0.0 && gamma > 0.0) {
            return f64::NEG_INFINITY;
        }
        let per_x = by_frequency(data, |x| {
            if x > 0.0 {
                ln_gamma(p * x + q) - ln_gamma(p * x) + p * x * x.ln()
            } else {
                0.0
            }
        });
        let constant = q * gamma.ln() - ln_gamma(q);
        let mut total = 0.0;
        for c in data {
            let (x, m) = (c.frequency, c.monetary);
            total += per_x[x as usize] + constant + (p * x - 1.0) * m.ln()
                - (p * x + q) * (gamma + m * x).ln();
        }
        total
    }

    /// The log-likelihood and its gradient with respect to `(p, q, gamma)`.
    pub fn log_likelihood_and_gradient(&self, data: &[CustomerSummary]) -> (f64, [f64; 3]) {
        let GammaGamma { p, q, gamma } = *self;
        if !(p > 0.0 && q > 0.0 && gamma > 0.0) {
            return (f64::NEG_INFINITY, [0.0; 3]);
        }
        let per_x = by_frequency(data, |x| {
            if x > 0.0 {
                (
                    ln_gamma(p * x + q) - ln_gamma(p * x) + p * x * x.ln(),
                    digamma(p * x + q),
                    digamma(p * x),
                )
            } else {
                (0.0, 0.0, 0.0)
            }
        });
        let (ln_gamma_q, psi_q, ln_g) = (ln_gamma(q), digamma(q), gamma.ln());
        let mut ll = 0.0;
        let mut g = [0.0; 3];
        for c in data {
            let (x, m) = (c.frequency, c.monetary);
            let (lg, psi_pxq, psi_px) = per_x[x as usize];
            let (ln_m, ln_gm) = (m.ln(), (gamma + m * x).ln());
            ll += lg - ln_gamma_q + q * ln_g + (p * x - 1.0) * ln_m - (p * x + q) * ln_gm;
            g[0] += x * (psi_pxq - psi_px + ln_m + x.ln() - ln_gm);
            g[1] += psi_pxq - psi_q + ln_g - ln_gm;
            g[2] += q / gamma - (p * x + q) / (gamma + m * x);
        }
        (ll, g)
    }

    /// Expected mean spend of a customer with `x` repeat purchases of mean
    /// `m` (for `x = 0`, the population mean).
    pub fn expected_spend(&self, x: f64, m: f64) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        (gamma + m * x) * p / (p * x + q - 1.0)
    }
}

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FitError(pub String);

impl std::fmt::Display for FitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FitError {}

/// A maximum-likelihood fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit<P> {
    /// The parameters.
    pub params: P,
    /// The log-likelihood at the parameters.
    pub log_likelihood: f64,
    /// Standard errors of the parameters, in their order, from the inverse
    /// Hessian (`None` when it is not positive definite).
    pub std_errors: Option<Vec<f64>>,
    /// Customers used in the fit.
    pub customers: usize,
    /// Things the user should know, in plain words.
    pub warnings: Vec<String>,
}

/// A log-likelihood and its gradient, as a function of the parameters.
type LogLikelihood<'a> = optimize::WithGradient<'a>;

/// Bounds of the logarithms of the parameters during a fit.
const LOG_BOUND: f64 = 25.0;

/// Customers the starting points are tried on first, when there are more
/// (every k-th customer).
const SAMPLE: usize = 10_000;

/// The customers the starting points are tried on: every k-th one, so
/// about [`SAMPLE`] of them, or `None` when there are not many more.
fn sample_of<T: Copy>(data: &[T]) -> Option<Vec<T>> {
    (data.len() > 2 * SAMPLE).then(|| {
        data.iter()
            .step_by(data.len().div_ceil(SAMPLE))
            .copied()
            .collect()
    })
}

/// The mean negative log-likelihood over `n` customers, and its gradient,
/// as a function of the logarithms of the parameters, so tolerances and
/// curvatures do not depend on the number of customers.
fn in_log_space<'a>(ll_grad: LogLikelihood<'a>, n: f64) -> impl Fn(&[f64]) -> (f64, Vec<f64>) + 'a {
    move |theta: &[f64]| {
        let p: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
        let (ll, g) = ll_grad(&p);
        let grad = g.iter().zip(&p).map(|(gi, pi)| -gi * pi / n).collect();
        (-ll / n, grad)
    }
}

/// BFGS from `theta`, with Nelder–Mead from where it stopped when it does
/// not converge.
fn descend(
    objective: optimize::WithGradient<'_>,
    theta: &[f64],
    curvature: Option<&[Vec<f64>]>,
) -> optimize::Minimum {
    let mut m = optimize::bfgs(objective, theta, curvature, LOG_BOUND, 1e-9, 500);
    if !m.converged {
        let value_only = |t: &[f64]| objective(t).0;
        let nm = optimize::nelder_mead(&value_only, &m.x, 0.2, 1e-14, 20_000);
        if nm.value <= m.value {
            m = nm;
        }
    }
    m
}

/// Maximises a log-likelihood over positive parameters: BFGS on their
/// logarithms with the analytic gradient, from each starting point, with
/// Nelder–Mead as a fallback. With a `sample` (a subset of the customers,
/// as `(log-likelihood, customers)`), each start is first taken to its
/// optimum on the sample, and only the distinct optima are then polished
/// on every customer, from the sample's curvature: the starts cost a
/// fraction of a full fit, and the answer is still the maximum over all
/// the customers. Returns the parameters and the maximum.
fn maximise(
    ll_grad: LogLikelihood<'_>,
    sample: Option<(LogLikelihood<'_>, f64)>,
    starts: &[Vec<f64>],
    n: f64,
) -> Result<(Vec<f64>, f64), FitError> {
    let full = in_log_space(ll_grad, n);
    let first = |objective: optimize::WithGradient<'_>| -> Vec<optimize::Minimum> {
        starts
            .iter()
            .map(|start| {
                let theta: Vec<f64> = start.iter().map(|v| v.ln()).collect();
                descend(objective, &theta, None)
            })
            .collect()
    };
    let found = match sample {
        None => first(&full),
        Some((sample_ll, sample_n)) => {
            let mut tried = first(&in_log_space(sample_ll, sample_n));
            tried.retain(|m| m.value.is_finite());
            tried.sort_by(|a, b| a.value.total_cmp(&b.value));
            let mut distinct: Vec<optimize::Minimum> = Vec::new();
            for m in tried {
                let seen = distinct
                    .iter()
                    .any(|d| d.x.iter().zip(&m.x).all(|(a, b)| (a - b).abs() < 1e-3));
                if !seen {
                    distinct.push(m);
                }
            }
            distinct
                .iter()
                .map(|m| {
                    let curvature =
                        (!m.inverse_hessian.is_empty()).then_some(&m.inverse_hessian[..]);
                    let mut polished = descend(&full, &m.x, curvature);
                    polished.evaluations += m.evaluations;
                    polished
                })
                .collect()
        }
    };
    let mut best: Option<optimize::Minimum> = None;
    for m in found {
        if m.value.is_finite() && best.as_ref().is_none_or(|b| m.value < b.value - 1e-12) {
            best = Some(m);
        }
    }
    let best = best.ok_or_else(|| {
        FitError("the likelihood could not be evaluated from any starting point".into())
    })?;
    if !best.converged {
        return Err(FitError(format!(
            "the fit did not converge ({} evaluations); the data may be too small or too regular for this model",
            best.evaluations
        )));
    }
    let p = best.x.iter().map(|t| t.exp()).collect();
    Ok((p, -best.value * n))
}

/// Standard errors from the inverse of the Hessian of the negative
/// log-likelihood, itself from central differences of the analytic
/// gradient.
fn std_errors(ll_grad: LogLikelihood<'_>, params: &[f64]) -> Option<Vec<f64>> {
    let k = params.len();
    let mut h = vec![vec![0.0; k]; k];
    for j in 0..k {
        let step = 1e-5 * params[j].abs().max(1e-3);
        let mut up = params.to_vec();
        let mut down = params.to_vec();
        up[j] += step;
        down[j] -= step;
        let (gu, gd) = (ll_grad(&up).1, ll_grad(&down).1);
        for (i, row) in h.iter_mut().enumerate() {
            row[j] = -(gu[i] - gd[i]) / (2.0 * step);
        }
    }
    let h: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| 0.5 * (h[i][j] + h[j][i])).collect())
        .collect();
    let cov = optimize::invert(&h)?;
    let var: Vec<f64> = (0..k).map(|i| cov[i][i]).collect();
    var.iter()
        .all(|v| *v > 0.0 && v.is_finite())
        .then(|| var.iter().map(|v| v.sqrt()).collect())
}

fn at_limit(p: &[f64]) -> bool {
    p.iter().any(|v| v.ln().abs() > LOG_BOUND - 1.0)
}

/// Fits BG/NBD to the customers' summaries.
pub fn fit_bgnbd(data: &[CustomerSummary]) -> Result<Fit<BgNbd>, FitError> {
    if data.is_empty() {
        return Err(FitError("there is no customer to fit".into()));
    }
    let mut warnings = Vec::new();
    let repeat = data.iter().filter(|c| c.frequency > 0.0).count();
    if repeat < 30 {
        warnings.push(format!(
            "Only {repeat} customers bought more than once: the estimates are very uncertain."
        ));
    }
    let mean_age = data.iter().map(|c| c.age).sum::<f64>() / data.len() as f64;
    // The log-likelihood and its gradient over some rows.
    let over = |rows: &BgNbdRows, p: &[f64]| {
        let (ll, g) = BgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        }
        .compact_log_likelihood_and_gradient(rows);
        (ll, g.to_vec())
    };
    let rows = BgNbdRows::new(data);
    let ll_grad = |p: &[f64]| over(&rows, p);
    let starts = [
        vec![1.0, 1.0, 1.0, 1.0],
        vec![0.5, mean_age.max(0.1), 0.5, 2.0],
    ];
    let sample = sample_of(data).map(|s| BgNbdRows::new(&s));
    let sample_ll = |p: &[f64]| over(sample.as_ref().unwrap_or(&rows), p);
    let on_sample = sample
        .as_ref()
        .map(|s| (&sample_ll as LogLikelihood<'_>, s.customers));
    let (p, ll) = maximise(&ll_grad, on_sample, &starts, data.len() as f64)?;
    if p[2] / (p[2] + p[3]) < 1e-4 {
        // a / (a + b): the mean chance of stopping after a purchase.
        warnings.push(
            "Nobody seems to stop buying in these data: every customer's probability of being active is close to 100%, so the model cannot tell who is leaving."
                .into(),
        );
    } else if at_limit(&p) {
        warnings.push(
            "Some parameters went to an extreme: the data may not fit this model well.".into(),
        );
    }
    Ok(Fit {
        params: BgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        },
        log_likelihood: ll,
        std_errors: std_errors(&ll_grad, &p),
        customers: data.len(),
        warnings,
    })
}

/// Fits Gamma-Gamma to the repeat buyers with a positive mean spend; the
/// others are counted in a warning.
pub fn fit_gamma_gamma(data: &[CustomerSummary]) -> Result<Fit<GammaGamma>, FitError> {
    let used: Vec<CustomerSummary> = data
        .iter()
        .filter(|c| c.frequency > 0.0 && c.monetary > 0.0)
        .copied()
        .collect();
    let mut warnings = Vec::new();
    let non_positive = data
        .iter()
        .filter(|c| c.frequency > 0.0 && c.monetary <= 0.0)
        .count();
    if non_positive > 0 {
        warnings.push(format!(
            "{non_positive} repeat customers with a mean spend of zero or less were left out of the spend model."
        ));
    }
    if used.len() < 2 {
        return Err(FitError(
            "the spend model needs at least two customers who bought more than once".into(),
        ));
    }
    if used.len() < 30 {
        warnings.push(format!(
            "Only {} repeat customers: the spend estimates are very uncertain.",
            used.len()
        ));
    }
    // The log-likelihood and its gradient over some rows.
    let over = |rows: &SpendRows, p: &[f64]| {
        let (ll, g) = GammaGamma {
            p: p[0],
            q: p[1],
            gamma: p[2],
        }
        .compact_log_likelihood_and_gradient(rows);
        (ll, g.to_vec())
    };
    let rows = SpendRows::new(&used);
    let ll_grad = |p: &[f64]| over(&rows, p);
    let mean = used.iter().map(|c| c.monetary).sum::<f64>() / used.len() as f64;
    let starts = [vec![1.0, 1.0, 1.0], vec![2.0, 3.0, mean.max(1e-3)]];
    let sample = sample_of(&used).map(|s| SpendRows::new(&s));
    let sample_ll = |p: &[f64]| over(sample.as_ref().unwrap_or(&rows), p);
    let on_sample = sample
        .as_ref()
        .map(|s| (&sample_ll as LogLikelihood<'_>, s.rows.len() as f64));
    let (p, ll) = maximise(&ll_grad, on_sample, &starts, used.len() as f64)?;
    if p[1] <= 1.0 {
        warnings.push("q is at most 1: the expected spend of new customers is not defined.".into());
    }
    if at_limit(&p) {
        warnings.push(
            "Some spend parameters went to an extreme: the spend model may not fit these data."
                .into(),
        );
    }
    Ok(Fit {
        params: GammaGamma {
            p: p[0],
            q: p[1],
            gamma: p[2],
        },
        log_likelihood: ll,
        std_errors: std_errors(&ll_grad, &p),
        customers: used.len(),
        warnings,
    })
}

/// Customer lifetime value over `horizon` units, counted in whole months
/// (`horizon / month`, rounded): expected purchases month by month times
/// the expected spend, discounted at `monthly_discount` per month, as
/// `lifetimes` computes it.
pub fn clv(
    bgnbd: &BgNbd,
    spend: f64,
    c: &CustomerSummary,
    horizon: f64,
    monthly_discount: f64,
    unit: TimeUnit,
) -> f64 {
    spend * discounted_purchases(bgnbd, c, horizon, monthly_discount, unit)
}

/// The expected purchases of [`clv`], month by month, each discounted to
/// today: the lifetime value for a spend of 1.
pub fn discounted_purchases(
    bgnbd: &BgNbd,
    c: &CustomerSummary,
    horizon: f64,
    monthly_discount: f64,
    unit: TimeUnit,
) -> f64 {
    let month = unit.month();
    let months = (horizon / month).round().max(1.0) as u32;
    let mut value = 0.0;
    let mut before = 0.0;
    for i in 1..=months {
        let t = f64::from(i) * month;
        let e = bgnbd.expected_purchases(t, c.frequency, c.recency, c.age);
        value += (e - before) / (1.0 + monthly_discount).powi(i as i32);
        before = e;
    }
    value
}

/// What to predict, and over which horizon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PredictionOptions {
    /// The last day of the history the models learn from.
    pub calibration_end: Day,
    /// The unit of time of the models.
    pub unit: TimeUnit,
    /// The horizon of the predictions, in the unit.
    pub horizon: f64,
    /// The monthly discount rate of the lifetime value.
    pub monthly_discount: f64,
}

/// One customer's predictions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerPrediction {
    /// Dense customer index.
    pub customer: u32,
    /// Repeat purchases in the calibration period.
    pub frequency: f64,
    /// The probability that the customer is still active.
    pub p_alive: f64,
    /// Expected purchases over the horizon.
    pub expected_purchases: f64,
    /// Expected spend per purchase.
    pub expected_spend: f64,
    /// Discounted lifetime value over the horizon.
    pub clv: f64,
    /// The probability of ordering in the next 7 days.
    #[serde(default)]
    pub order_within_7_days: f64,
    /// The probability of ordering in the next 30 days.
    #[serde(default)]
    pub order_within_30_days: f64,
    /// Days to the likely next order of a customer still active (the median
    /// wait), counted from the start of the day after the calibration end
    /// (the analysis date), rounded to whole days and at least 1.
    #[serde(default)]
    pub days_to_next_order: u32,
}

/// The windows of the ordering chances, in days.
pub const ORDER_WINDOWS: [u32; 2] = [7, 30];

/// The fitted models and every customer's predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Predictions {
    /// The purchase model.
    pub bgnbd: Fit<BgNbd>,
    /// The spend model, when it could be fitted.
    pub gamma_gamma: Option<Fit<GammaGamma>>,
    /// One line per customer with a purchase by the calibration end.
    pub customers: Vec<CustomerPrediction>,
    /// Everything the user should know, from both models.
    pub warnings: Vec<String>,
    /// Mean probability of being active by repeat purchases (rows 1 to
    /// 7+) and by the time since the last purchase as a share of the
    /// customer's age (columns: tenths, most recent first).
    pub alive_grid: Vec<Vec<Option<f64>>>,
}

/// The predictions shared by every customer with the same history.
#[derive(Clone, Copy)]
struct Timing {
    p_alive: f64,
    expected_purchases: f64,
    discounted: f64,
    within: [f64; 2],
    days_to_next: u32,
}

/// Rows of the alive grid: 1 to 7+ repeat purchases (one-time buyers are
/// always 1 under BG/NBD, so they have no row).
pub const GRID_ROWS: usize = 7;
/// Columns of the alive grid: tenths of the customer's age.
pub const GRID_COLUMNS: usize = 10;

/// Fits both models and predicts every customer. When the spend model
/// cannot be fitted, each customer's own mean spend stands in for its
/// expectation (or the average order value for one-time buyers), and a
/// warning says so.
pub fn predict(orders: &Orders, options: &PredictionOptions) -> Result<Predictions, FitError> {
    let data = summarise(orders, options.calibration_end, None, options.unit);
    let bgnbd = fit_bgnbd(&data)?;
    let mut warnings = bgnbd.warnings.clone();
    let gamma_gamma = match fit_gamma_gamma(&data) {
        Ok(fit) => {
            warnings.extend(fit.warnings.iter().cloned());
            Some(fit)
        }
        Err(e) => {
            warnings.push(format!(
                "The spend model could not be fitted ({e}); observed average spends are used instead."
            ));
            None
        }
    };
    let (sum, count) = (0..orders.len())
        .filter(|&i| orders.amount[i] >= 0.0 && orders.day[i] <= options.calibration_end)
        .fold((0.0, 0usize), |(s, c), i| (s + orders.amount[i], c + 1));
    let average_order = if count > 0 { sum / count as f64 } else { 0.0 };
    // The purchase predictions depend on (x, t_x, T) only, which many
    // customers share: each is computed once.
    let mut by_history: FxHashMap<[u64; 3], Timing> = FxHashMap::default();
    let customers: Vec<CustomerPrediction> = data
        .iter()
        .map(|c| {
            let spend = match &gamma_gamma {
                Some(gg) => gg.params.expected_spend(c.frequency, c.monetary),
                None if c.frequency > 0.0 => c.monetary,
                None => average_order,
            };
            let key = [c.frequency, c.recency, c.age].map(f64::to_bits);
            let timing = *by_history.entry(key).or_insert_with(|| {
                let m = &bgnbd.params;
                let wait = m.median_wait_if_active(c.frequency, c.age) * options.unit.days();
                Timing {
                    p_alive: m.p_alive(c.frequency, c.recency, c.age),
                    expected_purchases: m.expected_purchases(
                        options.horizon,
                        c.frequency,
                        c.recency,
                        c.age,
                    ),
                    discounted: discounted_purchases(
                        m,
                        c,
                        options.horizon,
                        options.monthly_discount,
                        options.unit,
                    ),
                    within: m.order_chances(c.frequency, c.recency, c.age, options.unit),
                    // At least the next day; a wait past what a u32 holds
                    // (a customer whose rate is all but nil) is the largest.
                    days_to_next: wait.round().clamp(1.0, f64::from(u32::MAX)) as u32,
                }
            });
            CustomerPrediction {
                customer: c.customer,
                frequency: c.frequency,
                p_alive: timing.p_alive,
                expected_purchases: timing.expected_purchases,
                expected_spend: spend,
                clv: spend * timing.discounted,
                order_within_7_days: timing.within[0],
                order_within_30_days: timing.within[1],
                days_to_next_order: timing.days_to_next,
            }
        })
        .collect();
    let mut cells = vec![vec![(0.0, 0u32); GRID_COLUMNS]; GRID_ROWS];
    for (c, p) in data
        .iter()
        .zip(&customers)
        .filter(|(c, _)| c.frequency > 0.0)
    {
        let row = (c.frequency as usize - 1).min(GRID_ROWS - 1);
        let since = if c.age > 0.0 {
            (c.age - c.recency) / c.age
        } else {
            0.0
        };
        let col = ((since * GRID_COLUMNS as f64) as usize).min(GRID_COLUMNS - 1);
        let cell: &mut (f64, u32) = &mut cells[row][col];
        cell.0 += p.p_alive;
        cell.1 += 1;
    }
    let alive_grid = cells
        .iter()
        .map(|r| {
            r.iter()
                .map(|(sum, n)| (*n > 0).then(|| sum / f64::from(*n)))
                .collect()
        })
        .collect();
    Ok(Predictions {
        bgnbd,
        gamma_gamma,
        customers,
        warnings,
        alive_grid,
    })
}

/// Predictions summed over a group of customers.
///
/// The probability of being active is averaged over repeat buyers only:
/// BG/NBD assumes a customer can only stop after a repeat purchase, so it
/// gives every one-time buyer 1 and cannot tell which of them are gone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupPrediction {
    /// Customers in the group with a prediction.
    pub customers: u64,
    /// Those of them who bought more than once.
    pub repeat_customers: u64,
    /// The repeat buyers' mean probability of being active.
    pub mean_p_alive: f64,
    /// Their expected purchases over the horizon, summed.
    pub expected_purchases: f64,
    /// Their lifetime value over the horizon, summed.
    pub clv: f64,
}

/// Sums the predictions per group; `group_of` gives a customer's group
/// (or none).
pub fn by_group(
    predictions: &[CustomerPrediction],
    groups: usize,
    group_of: &dyn Fn(u32) -> Option<usize>,
) -> Vec<GroupPrediction> {
    let mut out = vec![GroupPrediction::default(); groups];
    for p in predictions {
        if let Some(g) = group_of(p.customer).filter(|g| *g < groups) {
            let o = &mut out[g];
            o.customers += 1;
            if p.frequency > 0.0 {
                o.repeat_customers += 1;
                o.mean_p_alive += p.p_alive;
            }
            o.expected_purchases += p.expected_purchases;
            o.clv += p.clv;
        }
    }
    for o in &mut out {
        if o.repeat_customers > 0 {
            o.mean_p_alive /= o.repeat_customers as f64;
        }
    }
    out
}

/// The churn-risk band of a customer: 0 high risk (probability of being
/// active below `medium_from`), 1 medium, 2 low (from `low_from`), and 3
/// for one-time buyers, whom the model cannot judge.
pub fn risk_band(p: &CustomerPrediction, medium_from: f64, low_from: f64) -> usize {
    let p_alive = p.p_alive;
    if p.frequency <= 0.0 {
        3
    } else if p_alive < medium_from {
        0
    } else if p_alive < low_from {
        1
    } else {
        2
    }
}

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
        return Err(FitError(
            "the holdout period must end after the calibration period".into(),
        ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypergeometric_closed_forms() {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z.
        let z: f64 = 0.6;
        assert!((hyp2f1(1.0, 1.0, 2.0, z) - (-(1.0 - z).ln() / z)).abs() < 1e-12);
        // 2F1(a, b; b; z) = (1 - z)^-a.
        assert!((hyp2f1(2.5, 3.0, 3.0, 0.3) - 0.7f64.powf(-2.5)).abs() < 1e-12);
    }

    #[test]
    fn analytic_gradients_match_finite_differences() {
        let data: Vec<CustomerSummary> = [
            (0.0, 0.0, 10.0, 0.0),
            (2.0, 7.5, 12.0, 20.0),
            (5.0, 9.0, 9.5, 35.0),
        ]
        .iter()
        .enumerate()
        .map(|(i, (x, tx, t, m))| CustomerSummary {
            customer: i as u32,
            frequency: *x,
            recency: *tx,
            age: *t,
            monetary: *m,
            holdout_frequency: 0.0,
        })
        .collect();
        let p = [0.7, 3.0, 0.8, 2.5];
        let bg = |p: &[f64]| BgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        };
        let (ll, g) = bg(&p).log_likelihood_and_gradient(&data);
        assert!((ll - bg(&p).log_likelihood(&data)).abs() < 1e-10);
        for i in 0..4 {
            let h = 1e-6;
            let (mut up, mut down) = (p, p);
            up[i] += h;
            down[i] -= h;
            let numeric =
                (bg(&up).log_likelihood(&data) - bg(&down).log_likelihood(&data)) / (2.0 * h);
            assert!(
                (g[i] - numeric).abs() < 1e-5,
                "BG/NBD d{i}: {} vs {numeric}",
                g[i]
            );
        }
        let repeat: Vec<CustomerSummary> =
            data.iter().filter(|c| c.frequency > 0.0).copied().collect();
        let q = [3.0, 2.5, 12.0];
        let gg = |p: &[f64]| GammaGamma {
            p: p[0],
            q: p[1],
            gamma: p[2],
        };
        let (ll, g) = gg(&q).log_likelihood_and_gradient(&repeat);
        assert!((ll - gg(&q).log_likelihood(&repeat)).abs() < 1e-10);
        for i in 0..3 {
            let h = 1e-6;
            let (mut up, mut down) = (q, q);
            up[i] += h;
            down[i] -= h;
            let numeric =
                (gg(&up).log_likelihood(&repeat) - gg(&down).log_likelihood(&repeat)) / (2.0 * h);
            assert!(
                (g[i] - numeric).abs() < 1e-5,
                "Gamma-Gamma d{i}: {} vs {numeric}",
                g[i]
            );
        }
    }

    #[test]
    fn compact_likelihoods_equal_the_per_customer_forms() {
        // Shared ages and recencies, repeated triples, one-time buyers
        // and buyers whose drop-out branch dominates either way.
        let mut data = Vec::new();
        for i in 0..400u32 {
            let x = f64::from(i % 7);
            let age = f64::from(5 + i % 23) / 7.0 * 3.0;
            let recency = if x > 0.0 {
                age * f64::from(i % 5) / 4.0
            } else {
                0.0
            };
            data.push(CustomerSummary {
                customer: i,
                frequency: x,
                recency,
                age,
                monetary: if x > 0.0 {
                    5.0 + f64::from(i % 13) * 3.7
                } else {
                    0.0
                },
                holdout_frequency: 0.0,
            });
        }
        let rows = BgNbdRows::new(&data);
        assert!(rows.rows.len() < data.len());
        for params in [
            BgNbd {
                r: 0.24,
                alpha: 4.4,
                a: 0.79,
                b: 2.4,
            },
            BgNbd {
                r: 3.0,
                alpha: 0.2,
                a: 9.0,
                b: 0.1,
            },
        ] {
            let (ll, g) = params.log_likelihood_and_gradient(&data);
            let (cl, cg) = params.compact_log_likelihood_and_gradient(&rows);
            assert!((ll - cl).abs() < 1e-9 * ll.abs(), "{ll} vs {cl}");
            for i in 0..4 {
                assert!(
                    (g[i] - cg[i]).abs() < 1e-9 * (1.0 + g[i].abs()),
                    "d{i}: {} vs {}",
                    g[i],
                    cg[i]
                );
            }
        }
        let repeat: Vec<CustomerSummary> =
            data.iter().filter(|c| c.frequency > 0.0).copied().collect();
        let spend = SpendRows::new(&repeat);
        for params in [
            GammaGamma {
                p: 6.25,
                q: 3.74,
                gamma: 15.44,
            },
            GammaGamma {
                p: 0.5,
                q: 12.0,
                gamma: 0.3,
            },
        ] {
            let (ll, g) = params.log_likelihood_and_gradient(&repeat);
            let (cl, cg) = params.compact_log_likelihood_and_gradient(&spend);
            assert!((ll - cl).abs() < 1e-9 * ll.abs(), "{ll} vs {cl}");
            for i in 0..3 {
                assert!(
                    (g[i] - cg[i]).abs() < 1e-9 * (1.0 + g[i].abs()),
                    "d{i}: {} vs {}",
                    g[i],
                    cg[i]
                );
            }
        }
    }

    #[test]
    fn data_where_nobody_stops_buying_get_a_warning() {
        // Every customer buys ten times, spread evenly over the year, up to
        // its last weeks: the model has no drop-out to learn from.
        let rows: Vec<(String, Day, f64)> = (0..30_000u32)
            .map(|i| {
                let day = 20_000 + (i / 3_000 * 36 + (i * 7) % 30) as Day;
                (format!("C{}", i % 3_000), day, 10.0 + f64::from(i % 90))
            })
            .collect();
        let orders = Orders::from_rows(&rows);
        let data = summarise(&orders, 20_000 + 365, None, TimeUnit::Weeks);
        let fit = fit_bgnbd(&data).unwrap();
        assert!(
            fit.warnings
                .iter()
                .any(|w| w.contains("cannot tell who is leaving")),
            "{:?} {:?}",
            fit.params,
            fit.warnings
        );
        // The spread over the year is regular, so the usual data get no
        // such warning: the demo business has customers who leave.
        let demo = crate::import::demo::generate(crate::import::demo::DEMO_SEED);
        let (orders, _) = crate::import_orders(
            "orders.csv",
            demo.orders.as_bytes(),
            crate::ImportOptions::default(),
        )
        .unwrap();
        let end = orders.day.iter().copied().max().unwrap();
        let fit = fit_bgnbd(&summarise(&orders, end, None, TimeUnit::Weeks)).unwrap();
        assert!(fit.warnings.is_empty(), "{:?}", fit.warnings);
    }

    /// The chance of an order within `t` is one minus the chance of none,
    /// which is the likelihood of the history stretched by `t` with no
    /// purchase over the likelihood of the history (FHL 2005's customer
    /// likelihood, written independently above); the median wait leaves an
    /// active customer half a chance of ordering.
    #[test]
    fn timing_of_the_next_order() {
        // The parameters FHL 2005 fit on CDNOW, in weeks.
        let m = BgNbd {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let one = |x: f64, recency: f64, age: f64| CustomerSummary {
            customer: 0,
            frequency: x,
            recency,
            age,
            monetary: 0.0,
            holdout_frequency: 0.0,
        };
        for (x, recency, age) in [
            (0.0, 0.0, 38.86),
            (2.0, 30.43, 38.86),
            (7.0, 35.0, 36.0),
            (1.0, 2.0, 70.0),
        ] {
            for t in [1.0, 30.0 / 7.0, 52.0] {
                let now = m.log_likelihood(&[one(x, recency, age)]);
                let later = m.log_likelihood(&[one(x, recency, age + t)]);
                let ratio = 1.0 - (later - now).exp();
                let ours = m.probability_of_purchase_within(t, x, recency, age);
                assert!(
                    (ours - ratio).abs() < 1e-12,
                    "x={x} t={t}: {ours} against {ratio}"
                );
                assert!(ours <= m.p_alive(x, recency, age));
            }
            let wait = m.median_wait_if_active(x, age);
            let p = m.p_alive(x, recency, age);
            let half = m.probability_of_purchase_within(wait, x, recency, age) / p;
            assert!((half - 0.5).abs() < 1e-12, "x={x}: {half}");
        }
        // More purchases, a shorter wait; a longer silence, a longer one.
        assert!(m.median_wait_if_active(7.0, 36.0) < m.median_wait_if_active(2.0, 36.0));
        assert!(m.median_wait_if_active(2.0, 80.0) > m.median_wait_if_active(2.0, 36.0));
        assert_eq!(m.probability_of_purchase_within(0.0, 2.0, 30.0, 38.0), 0.0);
    }

    #[test]
    fn groups_and_bands() {
        let p = |customer, frequency, p_alive| CustomerPrediction {
            customer,
            frequency,
            p_alive,
            expected_purchases: 1.0,
            expected_spend: 10.0,
            clv: 10.0,
            ..CustomerPrediction::default()
        };
        let preds = [
            p(0, 1.0, 0.1),
            p(1, 2.0, 0.5),
            p(2, 3.0, 0.9),
            p(3, 1.0, 0.8),
            p(4, 0.0, 1.0),
        ];
        let band = |c: u32| Some(risk_band(&preds[c as usize], 0.3, 0.7));
        let g = by_group(&preds, 4, &band);
        assert_eq!(
            g.iter().map(|x| x.customers).collect::<Vec<_>>(),
            vec![1, 1, 2, 1]
        );
        assert!((g[2].mean_p_alive - 0.85).abs() < 1e-12);
        assert_eq!(g[2].clv, 20.0);
        // One-time buyers count, but not in the mean probability.
        assert_eq!((g[3].repeat_customers, g[3].mean_p_alive), (0, 0.0));
        let all = by_group(&preds, 1, &|_| Some(0));
        assert_eq!((all[0].customers, all[0].repeat_customers), (5, 4));
        assert!((all[0].mean_p_alive - 2.3 / 4.0).abs() < 1e-12);
        assert_eq!(risk_band(&p(9, 1.0, 0.3), 0.3, 0.7), 1);
        assert_eq!(risk_band(&p(9, 1.0, 0.7), 0.3, 0.7), 2);
    }

    #[test]
    fn same_day_purchases_merge_and_refunds_are_left_out() {
        let o = Orders::from_rows(&[
            ("a".into(), 0, 10.0),
            ("a".into(), 0, 5.0),
            ("a".into(), 7, 20.0),
            ("a".into(), 14, -20.0),
            ("a".into(), 21, 40.0),
            ("a".into(), 35, 1.0),
            ("b".into(), 30, 9.0),
        ]);
        let s = summarise(&o, 28, Some(40), TimeUnit::Weeks);
        assert_eq!(s.len(), 1, "b starts after the calibration end");
        let a = s[0];
        assert_eq!((a.frequency, a.recency, a.age), (2.0, 3.0, 4.0));
        assert_eq!(a.monetary, 30.0);
        assert_eq!(a.holdout_frequency, 1.0);
    }
}
