//! Small numerical tools for maximum likelihood: Nelder–Mead
//! minimisation, a finite-difference Hessian and a matrix inverse.

/// The result of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Minimum {
    /// Where the minimum is.
    pub x: Vec<f64>,
    /// The function's value there.
    pub value: f64,
    /// Function evaluations used.
    pub evaluations: usize,
    /// True when the simplex shrank below the tolerance (or the gradient
    /// vanished) before the budget ran out.
    pub converged: bool,
    /// BFGS's estimate of the inverse Hessian at the minimum (empty from
    /// Nelder–Mead).
    pub inverse_hessian: Vec<Vec<f64>>,
}

/// Minimises `f` from `start` with the Nelder–Mead simplex method
/// (standard coefficients), restarting once from the best point so the
/// simplex cannot collapse early.
pub(crate) fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    start: &[f64],
    step: f64,
    tolerance: f64,
    max_evaluations: usize,
) -> Minimum {
    let mut best = simplex_run(f, start, step, tolerance, max_evaluations);
    let again = simplex_run(f, &best.x, step / 4.0, tolerance, max_evaluations);
    let evaluations = best.evaluations + again.evaluations;
    if again.value <= best.value {
        best = again;
    }
    best.evaluations = evaluations;
    best
}

fn simplex_run(
    f: &dyn Fn(&[f64]) -> f64,
    start: &[f64],
    step: f64,
    tolerance: f64,
    max_evaluations: usize,
) -> Minimum {
    let n = start.len();
    let eval = |x: &[f64]| {
        let v = f(x);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let mut points: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..n {
        let mut p = start.to_vec();
        p[i] += step;
        points.push(p);
    }
    let mut values: Vec<f64> = points.iter().map(|p| eval(p)).collect();
    let mut evaluations = n + 1;
    let mut converged = false;
    while evaluations < max_evaluations {
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
        points = order.iter().map(|i| points[*i].clone()).collect();
        values = order.iter().map(|i| values[*i]).collect();
        let spread = (values[n] - values[0]).abs();
        let size = points[1..]
            .iter()
            .flat_map(|p| p.iter().zip(&points[0]).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if spread <= tolerance * (1.0 + values[0].abs()) && size <= tolerance.sqrt() {
            converged = true;
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| points[..n].iter().map(|p| p[j]).sum::<f64>() / n as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|j| centroid[j] + t * (points[n][j] - centroid[j]))
                .collect()
        };
        let reflected = along(-1.0);
        let fr = eval(&reflected);
        evaluations += 1;
        if fr < values[0] {
            let expanded = along(-2.0);
            let fe = eval(&expanded);
            evaluations += 1;
            if fe < fr {
                points[n] = expanded;
                values[n] = fe;
            } else {
                points[n] = reflected;
                values[n] = fr;
            }
        } else if fr < values[n - 1] {
            points[n] = reflected;
            values[n] = fr;
        } else {
            let (contracted, fc) = if fr < values[n] {
                let c = along(-0.5);
                let v = eval(&c);
                (c, v)
            } else {
                let c = along(0.5);
                let v = eval(&c);
                (c, v)
            };
            evaluations += 1;
            if fc < values[n].min(fr) {
                points[n] = contracted;
                values[n] = fc;
            } else {
                for i in 1..=n {
                    points[i] = (0..n)
                        .map(|j| points[0][j] + 0.5 * (points[i][j] - points[0][j]))
                        .collect();
                    values[i] = eval(&points[i]);
                }
                evaluations += n;
            }
        }
    }
    let best = (0..=n)
        .min_by(|a, b| values[*a].total_cmp(&values[*b]))
        .unwrap_or(0);
    Minimum {
        x: points[best].clone(),
        value: values[best],
        evaluations,
        converged,
        inverse_hessian: Vec::new(),
    }
}

/// A function returning its value and its gradient.
pub(crate) type WithGradient<'a> = &'a dyn Fn(&[f64]) -> (f64, Vec<f64>);

/// Minimises `f` (returning the value and the gradient) from `start` with
/// BFGS and a backtracking line search. Coordinates are kept within
/// `±bound`, so a parameter drifting to an extreme stops there instead of
/// running away. `curvature`, when given, is the first estimate of the
/// inverse Hessian (from an earlier run on a similar function); the
/// identity otherwise.
pub(crate) fn bfgs(
    f: WithGradient<'_>,
    start: &[f64],
    curvature: Option<&[Vec<f64>]>,
    bound: f64,
    gradient_tolerance: f64,
    max_iterations: usize,
) -> Minimum {
    let n = start.len();
    let clamp =
        |x: Vec<f64>| -> Vec<f64> { x.into_iter().map(|v| v.clamp(-bound, bound)).collect() };
    let mut x = clamp(start.to_vec());
    let (mut fx, mut g) = f(&x);
    let mut evaluations = 1;
    let mut h = match curvature {
        Some(h) if h.len() == n && h.iter().all(|row| row.len() == n) => h.to_vec(),
        _ => identity(n),
    };
    let mut converged = false;
    for _ in 0..max_iterations {
        if !fx.is_finite() {
            break;
        }
        let g_norm = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if g_norm <= gradient_tolerance * (1.0 + fx.abs()) {
            converged = true;
            break;
        }
        let mut d: Vec<f64> = (0..n)
            .map(|i| -(0..n).map(|j| h[i][j] * g[j]).sum::<f64>())
            .collect();
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope >= 0.0 {
            h = identity(n);
            d = g.iter().map(|v| -v).collect();
            slope = -g.iter().map(|v| v * v).sum::<f64>();
        }
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..50 {
            let trial = clamp(x.iter().zip(&d).map(|(a, b)| a + step * b).collect());
            let (ft, gt) = f(&trial);
            evaluations += 1;
            if ft.is_finite() && ft <= fx + 1e-4 * step * slope {
                accepted = Some((trial, ft, gt));
                break;
            }
            step *= 0.5;
        }
        let Some((x_new, f_new, g_new)) = accepted else {
            // No step lowers the function: a minimum to the precision of
            // the arithmetic.
            converged = g_norm <= 1e-4 * (1.0 + fx.abs());
            break;
        };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-12 {
            // H' = (I - rho s y') H (I - rho y s') + rho s s'
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| h[i][j] * y[j]).sum())
                .collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    h[i][j] +=
                        (1.0 + rho * yhy) * rho * s[i] * s[j] - rho * (hy[i] * s[j] + s[i] * hy[j]);
                }
            }
        }
        let small_change = (fx - f_new).abs() <= 1e-15 * (1.0 + fx.abs());
        x = x_new;
        fx = f_new;
        g = g_new;
        if small_change && s.iter().all(|v| v.abs() < 1e-10) {
            converged = true;
            break;
        }
    }
    Minimum {
        x,
        value: fx,
        evaluations,
        converged,
        inverse_hessian: h,
    }
}

fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

/// The digamma function ψ(x) for x > 0: the recurrence up to 10, then the
/// asymptotic series.
pub(crate) fn digamma(mut x: f64) -> f64 {
    let mut result = 0.0;
    while x < 10.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    result + x.ln()
        - 0.5 * inv
        - inv2
            * (1.0 / 12.0
                - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0))))
}

/// The Hessian of `f` at `x` by central differences, with steps relative
/// to each coordinate: the tests' reference for the analytic gradients'
/// curvature (the fits use their own).
#[cfg(test)]
pub fn hessian(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let h: Vec<f64> = x.iter().map(|v| 1e-4 * v.abs().max(1e-2)).collect();
    let at = |di: (usize, f64), dj: (usize, f64)| {
        let mut p = x.to_vec();
        p[di.0] += di.1;
        p[dj.0] += dj.1;
        f(&p)
    };
    let mut out = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in i..n {
            let v =
                (at((i, h[i]), (j, h[j])) - at((i, h[i]), (j, -h[j])) - at((i, -h[i]), (j, h[j]))
                    + at((i, -h[i]), (j, -h[j])))
                    / (4.0 * h[i] * h[j]);
            out[i][j] = v;
            out[j][i] = v;
        }
    }
    out
}

/// Inverts a small square matrix by Gauss–Jordan elimination with partial
/// pivoting; `None` when it is singular.
pub(crate) fn invert(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut a: Vec<Vec<f64>> = m
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..n).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|x, y| a[*x][col].abs().total_cmp(&a[*y][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        let p = a[col][col];
        for v in a[col].iter_mut() {
            *v /= p;
        }
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            let factor = row[col];
            if r != col && factor != 0.0 {
                for (v, p) in row.iter_mut().zip(&pivot_row) {
                    *v -= factor * p;
                }
            }
        }
    }
    Some(a.into_iter().map(|r| r[n..].to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = nelder_mead(&f, &[-1.2, 1.0], 0.5, 1e-14, 20_000);
        assert!(m.converged);
        assert!(
            (m.x[0] - 1.0).abs() < 1e-5 && (m.x[1] - 1.0).abs() < 1e-5,
            "{:?}",
            m.x
        );
    }

    #[test]
    fn bfgs_finds_the_rosenbrock_minimum() {
        let f = |x: &[f64]| {
            let v = (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
            let g = vec![
                -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]),
                200.0 * (x[1] - x[0] * x[0]),
            ];
            (v, g)
        };
        let m = bfgs(&f, &[-1.2, 1.0], None, 10.0, 1e-10, 500);
        assert!(m.converged, "{m:?}");
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
            "{:?}",
            m.x
        );
    }

    #[test]
    fn digamma_values() {
        // psi(1) = -Euler's constant; psi(1/2) = -gamma - 2 ln 2; psi(x+1) = psi(x) + 1/x.
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-13);
        assert!((digamma(0.5) + euler + 2.0 * 2f64.ln()).abs() < 1e-13);
        assert!((digamma(12.3) - digamma(11.3) - 1.0 / 11.3).abs() < 1e-13);
    }

    #[test]
    fn hessian_and_inverse_of_a_quadratic() {
        // f = x^2 + 3xy + 5y^2: Hessian [[2, 3], [3, 10]], inverse [[10, -3], [-3, 2]] / 11.
        let f = |x: &[f64]| x[0] * x[0] + 3.0 * x[0] * x[1] + 5.0 * x[1] * x[1];
        let h = hessian(&f, &[0.3, -0.2]);
        let want = [[2.0, 3.0], [3.0, 10.0]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((h[i][j] - want[i][j]).abs() < 1e-5, "{h:?}");
            }
        }
        let inv = invert(&h).unwrap();
        assert!((inv[0][0] - 10.0 / 11.0).abs() < 1e-5);
        assert!((inv[0][1] + 3.0 / 11.0).abs() < 1e-5);
        assert!(invert(&[vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }
}
