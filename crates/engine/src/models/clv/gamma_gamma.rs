//! Gamma-Gamma: the expected value of a customer's future orders from the
//! mean and number of their past ones, and its log-likelihood.

use super::*;

/// The repeat buyers as the Gamma-Gamma likelihood reads them during a
/// fit: `x`, `ln m` and `m x`, which do not depend on the parameters.
pub(super) struct SpendRows {
    pub(super) max_x: usize,
    /// `(x, ln m, m x)`.
    pub(super) rows: Vec<(u32, f64, f64)>,
}

impl SpendRows {
    pub(super) fn new(data: &[CustomerSummary]) -> SpendRows {
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
    pub(super) fn compact_log_likelihood_and_gradient(&self, data: &SpendRows) -> (f64, [f64; 3]) {
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
