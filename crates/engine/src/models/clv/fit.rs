//! Maximum likelihood fits of both models: in log space, from several
//! starts, on a sample for large tables, with standard errors.

use crate::model::message::Message;

use super::*;

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitError(pub Message);

impl std::fmt::Display for FitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
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
    pub warnings: Vec<Message>,
}

/// A log-likelihood and its gradient, as a function of the parameters.
pub(super) type LogLikelihood<'a> = optimize::WithGradient<'a>;

/// Bounds of the logarithms of the parameters during a fit.
pub(super) const LOG_BOUND: f64 = 25.0;

/// Customers the starting points are tried on first, when there are more
/// (every k-th customer).
pub(super) const SAMPLE: usize = 10_000;

/// The customers the starting points are tried on: every k-th one, so
/// about [`SAMPLE`] of them, or `None` when there are not many more.
pub(super) fn sample_of<T: Copy>(data: &[T]) -> Option<Vec<T>> {
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
pub(super) fn in_log_space<'a>(
    ll_grad: LogLikelihood<'a>,
    n: f64,
) -> impl Fn(&[f64]) -> (f64, Vec<f64>) + 'a {
    move |theta: &[f64]| {
        let p: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
        let (ll, g) = ll_grad(&p);
        let grad = g.iter().zip(&p).map(|(gi, pi)| -gi * pi / n).collect();
        (-ll / n, grad)
    }
}

/// BFGS from `theta`, with Nelder–Mead from where it stopped when it does
/// not converge.
pub(super) fn descend(
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
pub(super) fn maximise(
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
        FitError(Message::new(
            "engine.the_likelihood_could_not_be_evaluated_from_any_starting_point",
        ))
    })?;
    if !best.converged {
        return Err(FitError(
            Message::new("engine.with.no_convergence").with("evaluations", best.evaluations),
        ));
    }
    let p = best.x.iter().map(|t| t.exp()).collect();
    Ok((p, -best.value * n))
}

/// Standard errors from the inverse of the Hessian of the negative
/// log-likelihood, itself from central differences of the analytic
/// gradient.
pub(super) fn std_errors(ll_grad: LogLikelihood<'_>, params: &[f64]) -> Option<Vec<f64>> {
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

pub(super) fn at_limit(p: &[f64]) -> bool {
    p.iter().any(|v| v.ln().abs() > LOG_BOUND - 1.0)
}

/// Fits BG/NBD to the customers' summaries.
pub fn fit_bgnbd(data: &[CustomerSummary]) -> Result<Fit<BgNbd>, FitError> {
    if data.is_empty() {
        return Err(FitError(Message::new("engine.there_is_no_customer_to_fit")));
    }
    let mut warnings = Vec::new();
    let repeat = data.iter().filter(|c| c.frequency > 0.0).count();
    if repeat < 30 {
        warnings.push(Message::new("engine.with.few_repeat_buyers").with("n", repeat));
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
        warnings.push(Message::new(
            "engine.nobody_seems_to_stop_buying_in_these_data_every_customer_s_probability_of_being_active_is_close_to_100_so_the_model_cannot_tell_who_is_leaving",
        ));
    } else if at_limit(&p) {
        warnings.push(Message::new(
            "engine.some_parameters_went_to_an_extreme_the_data_may_not_fit_this_model_well",
        ));
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
        warnings.push(Message::new("engine.with.spend_left_out").with("n", non_positive));
    }
    if used.len() < 2 {
        return Err(FitError(Message::new(
            "engine.the_spend_model_needs_at_least_two_customers_who_bought_more_than_once",
        )));
    }
    if used.len() < 30 {
        warnings.push(Message::new("engine.with.few_repeat_spenders").with("n", used.len()));
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
        warnings.push(Message::new(
            "engine.q_is_at_most_1_the_expected_spend_of_new_customers_is_not_defined",
        ));
    }
    if at_limit(&p) {
        warnings.push(Message::new(
            "engine.some_spend_parameters_went_to_an_extreme_the_spend_model_may_not_fit_these_data",
        ));
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
