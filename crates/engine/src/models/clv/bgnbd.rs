//! BG/NBD: the expected purchases of a customer with a given history, the
//! chance of still being active, the chance of ordering within a horizon,
//! and its log-likelihood with gradient for the fit.

use super::*;

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
pub(super) fn by_frequency<T>(data: &[CustomerSummary], f: impl Fn(f64) -> T) -> Vec<T> {
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

    pub(super) fn odds_dead(&self, x: f64, recency: f64, age: f64) -> f64 {
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
pub(super) fn distinct(values: impl Iterator<Item = f64>) -> (Vec<f64>, Vec<u32>) {
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
pub(super) struct BgNbdRows {
    pub(super) customers: f64,
    pub(super) max_x: usize,
    pub(super) recencies: Vec<f64>,
    pub(super) ages: Vec<f64>,
    /// `(x, recency index, age index, customers)`.
    pub(super) rows: Vec<(u32, u32, u32, f64)>,
}

impl BgNbdRows {
    pub(super) fn new(data: &[CustomerSummary]) -> BgNbdRows {
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
pub(super) fn log_table(alpha: f64, values: &[f64]) -> Vec<(f64, f64)> {
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
    pub(super) fn compact_log_likelihood_and_gradient(&self, data: &BgNbdRows) -> (f64, [f64; 4]) {
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
