//! "Buy till you die" models: BG/NBD (Fader, Hardie & Lee 2005, "Counting
//! Your Customers the Easy Way") for purchase frequency and the probability
//! of being alive, Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV")
//! for spend, and customer lifetime value from both.
//!
//! Both are fitted by maximum likelihood (Nelder–Mead on the logarithms of
//! the parameters, from several starting points), with standard errors
//! from the Hessian of the log-likelihood.

use serde::{Deserialize, Serialize};

use crate::date::Day;
use crate::optimize;
use crate::orders::Orders;

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
fn by_frequency(data: &[CustomerSummary], f: impl Fn(f64) -> f64) -> Vec<f64> {
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

fn fit_log_params(
    neg_ll: &dyn Fn(&[f64]) -> f64,
    starts: &[Vec<f64>],
) -> Result<(Vec<f64>, f64), FitError> {
    let in_log = |theta: &[f64]| {
        let p: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
        neg_ll(&p)
    };
    let mut best: Option<optimize::Minimum> = None;
    for start in starts {
        let theta: Vec<f64> = start.iter().map(|v| v.ln()).collect();
        let m = optimize::nelder_mead(&in_log, &theta, 0.5, 1e-13, 20_000);
        if m.value.is_finite() && best.as_ref().is_none_or(|b| m.value < b.value) {
            best = Some(m);
        }
    }
    let best = best.ok_or_else(|| {
        FitError("the likelihood could not be evaluated from any starting point".into())
    })?;
    let params: Vec<f64> = best.x.iter().map(|t| t.exp()).collect();
    if !best.converged {
        return Err(FitError(format!(
            "the fit did not converge after {} evaluations; the data may be too small or too regular for this model",
            best.evaluations
        )));
    }
    Ok((params, best.value))
}

fn std_errors(neg_ll: &dyn Fn(&[f64]) -> f64, params: &[f64]) -> Option<Vec<f64>> {
    let h = optimize::hessian(neg_ll, params);
    let cov = optimize::invert(&h)?;
    let se: Vec<f64> = (0..params.len()).map(|i| cov[i][i]).collect();
    se.iter()
        .all(|v| *v > 0.0 && v.is_finite())
        .then(|| se.iter().map(|v| v.sqrt()).collect())
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
    let neg_ll = |p: &[f64]| {
        -BgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        }
        .log_likelihood(data)
    };
    let starts = [
        vec![1.0, 1.0, 1.0, 1.0],
        vec![0.5, mean_age.max(0.1), 0.5, 2.0],
        vec![2.0, (mean_age / 4.0).max(0.1), 1.5, 4.0],
    ];
    let (p, value) = fit_log_params(&neg_ll, &starts)?;
    if p.iter().any(|v| !(1e-6..1e6).contains(v)) {
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
        log_likelihood: -value,
        std_errors: std_errors(&neg_ll, &p),
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
    let neg_ll = |p: &[f64]| {
        -GammaGamma {
            p: p[0],
            q: p[1],
            gamma: p[2],
        }
        .log_likelihood(&used)
    };
    let mean = used.iter().map(|c| c.monetary).sum::<f64>() / used.len() as f64;
    let starts = [vec![1.0, 1.0, 1.0], vec![2.0, 3.0, mean.max(1e-3)]];
    let (p, value) = fit_log_params(&neg_ll, &starts)?;
    if p[1] <= 1.0 {
        warnings.push("q is at most 1: the expected spend of new customers is not defined.".into());
    }
    Ok(Fit {
        params: GammaGamma {
            p: p[0],
            q: p[1],
            gamma: p[2],
        },
        log_likelihood: -value,
        std_errors: std_errors(&neg_ll, &p),
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
    let month = unit.month();
    let months = (horizon / month).round().max(1.0) as u32;
    let mut value = 0.0;
    let mut before = 0.0;
    for i in 1..=months {
        let t = f64::from(i) * month;
        let e = bgnbd.expected_purchases(t, c.frequency, c.recency, c.age);
        value += spend * (e - before) / (1.0 + monthly_discount).powi(i as i32);
        before = e;
    }
    value
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
