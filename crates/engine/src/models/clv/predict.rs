//! Predictions per customer (expected orders, chance of being active,
//! value over a horizon, when the next order may come), summed per group,
//! and churn-risk bands.

use super::*;
use crate::model::message::Message;

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
pub(crate) fn discounted_purchases(
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
    pub warnings: Vec<Message>,
    /// Mean probability of being active by repeat purchases (rows 1 to
    /// 7+) and by the time since the last purchase as a share of the
    /// customer's age (columns: tenths, most recent first).
    pub alive_grid: Vec<Vec<Option<f64>>>,
}

/// The predictions shared by every customer with the same history.
#[derive(Clone, Copy)]
pub(super) struct Timing {
    pub(super) p_alive: f64,
    pub(super) expected_purchases: f64,
    pub(super) discounted: f64,
    pub(super) within: [f64; 2],
    pub(super) days_to_next: u32,
}

/// Rows of the alive grid: 1 to 7+ repeat purchases (one-time buyers are
/// always 1 under BG/NBD, so they have no row).
pub(crate) const GRID_ROWS: usize = 7;
/// Columns of the alive grid: tenths of the customer's age.
pub(crate) const GRID_COLUMNS: usize = 10;

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
            warnings.push(Message::new("engine.with.spend_not_fitted").with("why", e.0));
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
    /// Their probabilities of ordering within 30 days, summed: the
    /// customers expected to order within 30 days without any campaign.
    #[serde(default)]
    pub orderers_30_days: f64,
}

/// Sums the predictions per group; `group_of` gives a customer's group
/// (or none).
pub(crate) fn by_group(
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
            o.orderers_30_days += p.order_within_30_days;
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
pub(crate) fn risk_band(p: &CustomerPrediction, medium_from: f64, low_from: f64) -> usize {
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
