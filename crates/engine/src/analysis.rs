//! The analysis the app shows, in one call: RFM segments with their
//! summary, and the predictive models' results summed per segment and per
//! churn-risk band.

use serde::{Deserialize, Serialize};

use crate::clv::{self, BgNbd, GammaGamma, GroupPrediction, PredictionOptions, TimeUnit};
use crate::dataset::Dataset;
use crate::date::Day;
use crate::journeys::{self, Funnel, FunnelSetup};
use crate::kpi::{self, KpiInputs, KpiTable};
use crate::orders::Orders;
use crate::rfm::{self, BinEdges, RfmSetup, SegmentSummary};

/// The user's choices for an analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOptions {
    /// The analysis date; the day after the last order when absent.
    pub as_of: Option<Day>,
    /// Below this probability of being active, a customer is at high risk.
    pub medium_risk_from: f64,
    /// From this probability on, a customer is at low risk.
    pub low_risk_from: f64,
    /// The RFM bins and segment rules.
    #[serde(default)]
    pub rfm: RfmSetup,
    /// The funnel's steps and window; suggested from the events when
    /// absent.
    #[serde(default)]
    pub funnel: Option<FunnelSetup>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            as_of: None,
            medium_risk_from: 0.3,
            low_risk_from: 0.7,
            rfm: RfmSetup::default(),
            funnel: None,
        }
    }
}

/// The analysis the app shows: RFM segments and predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The analysis date.
    pub as_of: Day,
    /// Order rows in the table (refunds included).
    pub rows: u64,
    /// Customers with at least one order.
    pub scored: u64,
    /// One line per segment, in rule order, "Others" last.
    pub summary: Vec<SegmentSummary>,
    /// The predictions, or why there are none.
    pub prediction: Result<Prediction, String>,
    /// Every KPI per RFM segment and for the whole base.
    pub kpis: KpiTable,
    /// Customers and revenue per recency × frequency cell: `[f-1][r-1]`.
    pub rf_grid: Vec<Vec<(u64, f64)>>,
    /// The bins of recency (in days), frequency and monetary value.
    pub edges: [BinEdges; 3],
    /// The funnel per segment, when there are events.
    pub funnel: Option<Funnel>,
    /// The event names there are, for choosing steps.
    pub event_names: Vec<String>,
}

/// The predictive models' results, summed for the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The last day the models learnt from.
    pub calibration_end: Day,
    /// The first day with an order.
    pub first_day: Day,
    /// The horizon, in weeks.
    pub horizon_weeks: f64,
    /// The monthly discount rate.
    pub monthly_discount: f64,
    /// The purchase model.
    pub bgnbd: BgNbd,
    /// Its standard errors (r, alpha, a, b).
    pub bgnbd_std_errors: Option<Vec<f64>>,
    /// Its log-likelihood.
    pub bgnbd_log_likelihood: f64,
    /// The spend model and its standard errors (p, q, gamma).
    pub gamma_gamma: Option<(GammaGamma, Option<Vec<f64>>)>,
    /// Customers with a prediction.
    pub customers: u64,
    /// Expected purchases over the horizon, all customers.
    pub expected_purchases: f64,
    /// Lifetime value over the horizon, all customers.
    pub clv: f64,
    /// Per RFM segment, aligned with [`Analysis::summary`].
    pub by_segment: Vec<GroupPrediction>,
    /// The churn-risk bands: high, medium, low, and one-time buyers.
    pub bands: Vec<Band>,
    /// The thresholds the bands were cut with.
    pub options: AnalysisOptions,
    /// Mean probability of being active by number of repeat purchases
    /// (rows 1 to 7+) and by how long ago the last one was (columns: tenths
    /// of the customer's age, most recent first); `None` where no customer
    /// falls.
    pub alive_grid: Vec<Vec<Option<f64>>>,
    /// Everything the user should know.
    pub warnings: Vec<String>,
}

/// One churn-risk band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// The band's predictions.
    pub prediction: GroupPrediction,
    /// Revenue to date of its customers.
    pub revenue: f64,
}

/// The funnel group of customers with events but no order.
pub const NO_ORDER: &str = "No order yet";

/// The predictions' horizon, in weeks.
pub const HORIZON_WEEKS: f64 = 52.0;
/// The monthly discount rate of lifetime values.
pub const MONTHLY_DISCOUNT: f64 = 0.01;

impl Analysis {
    /// The segments with at least one customer: index, name, customers.
    pub fn non_empty_segments(&self) -> Vec<(usize, String, u64)> {
        self.summary
            .iter()
            .enumerate()
            .filter(|(_, s)| s.customers > 0)
            .map(|(i, s)| (i, s.segment.clone(), s.customers))
            .collect()
    }
}

/// The analysis date and the RFM scores and segments of the options.
pub fn rfm_result(
    data: &Dataset,
    options: &AnalysisOptions,
) -> Result<(Day, rfm::RfmResult), String> {
    let as_of = options
        .as_of
        .or_else(|| crate::default_as_of(&data.orders))
        .ok_or("The table has no order to analyse (only refunds).")?;
    Ok((
        as_of,
        rfm::compute(&data.orders, as_of, &options.rfm.config, &options.rfm.rules),
    ))
}

/// Scores the customers with the workspace's bins and segments, predicts their
/// next year from the whole history, and measures every KPI per segment.
pub fn analyse(data: &Dataset, options: &AnalysisOptions) -> Result<Analysis, String> {
    Analyser::default().analyse(data, options)
}

/// Analyses again and again the same data under changing choices, fitting
/// the predictive models only when the analysis date changes: thresholds,
/// rules and funnel steps do not affect them.
#[derive(Default)]
pub struct Analyser {
    fitted: Option<(Day, Result<clv::Predictions, String>)>,
}

impl Analyser {
    /// Forgets the fitted models (call it when the data changes).
    pub fn forget(&mut self) {
        self.fitted = None;
    }

    /// As [`analyse`], reusing the models fitted for the same date.
    pub fn analyse(
        &mut self,
        data: &Dataset,
        options: &AnalysisOptions,
    ) -> Result<Analysis, String> {
        let as_of = options
            .as_of
            .or_else(|| crate::default_as_of(&data.orders))
            .ok_or("The table has no order to analyse (only refunds).")?;
        if self.fitted.as_ref().is_none_or(|(day, _)| *day != as_of) {
            let predictions =
                clv::predict(&data.orders, &prediction_options(as_of)).map_err(|e| e.to_string());
            self.fitted = Some((as_of, predictions));
        }
        let predictions = match &self.fitted {
            Some((_, p)) => p.as_ref().map_err(Clone::clone),
            None => Err("no predictions".to_string()),
        };
        analyse_with(data, options, predictions)
    }
}

fn prediction_options(as_of: Day) -> PredictionOptions {
    PredictionOptions {
        calibration_end: as_of - 1,
        unit: TimeUnit::Weeks,
        horizon: HORIZON_WEEKS,
        monthly_discount: MONTHLY_DISCOUNT,
    }
}

fn analyse_with(
    data: &Dataset,
    options: &AnalysisOptions,
    predictions: Result<&clv::Predictions, String>,
) -> Result<Analysis, String> {
    let orders = &data.orders;
    let (as_of, result) = rfm_result(data, options)?;
    let summary = rfm::summarise(&result);
    let rf_grid = rfm::rf_grid(&result);
    let edges = [
        result.recency_edges.clone(),
        result.frequency_edges.clone(),
        result.monetary_edges.clone(),
    ];
    let prediction_options = prediction_options(as_of);
    let mut group_of = vec![None; orders.customer_keys.len()];
    for row in &result.rows {
        group_of[row.values.customer as usize] = Some(row.segment as usize);
    }
    let kpis = kpi::compute(&KpiInputs {
        orders,
        email: data.email.as_ref(),
        surveys: data.surveys.as_ref(),
        predictions: predictions.as_ref().ok().map(|p| p.customers.as_slice()),
        as_of,
        group_of: &group_of,
        group_names: &result.segment_names,
    });
    let funnel = data.events.as_ref().map(|events| {
        let setup = options.funnel.clone().unwrap_or_else(|| FunnelSetup {
            steps: journeys::default_steps(events),
            window_days: 7,
        });
        // Customers with events but no order get a group of their own.
        let mut names = result.segment_names.clone();
        names.push(NO_ORDER.to_string());
        let no_order = names.len() - 1;
        let groups: Vec<Option<usize>> = (0..orders.customer_keys.len())
            .map(|c| Some(group_of[c].unwrap_or(no_order)))
            .collect();
        journeys::funnel(events, &setup, &groups, &names)
    });
    let event_names = data
        .events
        .as_ref()
        .map(|e| e.names.clone())
        .unwrap_or_default();
    let prediction = predictions
        .and_then(|p| summarise_prediction(orders, &result, p, &prediction_options, options));
    Ok(Analysis {
        as_of,
        rows: orders.len() as u64,
        scored: result.rows.len() as u64,
        summary,
        prediction,
        kpis,
        rf_grid,
        edges,
        funnel,
        event_names,
    })
}

fn summarise_prediction(
    orders: &Orders,
    result: &rfm::RfmResult,
    preds: &clv::Predictions,
    prediction_options: &PredictionOptions,
    options: &AnalysisOptions,
) -> Result<Prediction, String> {
    let first_day = orders
        .day
        .iter()
        .zip(&orders.amount)
        .filter(|(_, a)| **a >= 0.0)
        .map(|(d, _)| *d)
        .min()
        .ok_or("no order")?;
    let n = orders.customer_keys.len();
    let mut segment_of = vec![None; n];
    let mut revenue = vec![0.0; n];
    for row in &result.rows {
        let c = row.values.customer as usize;
        segment_of[c] = Some(row.segment as usize);
        revenue[c] = row.values.monetary;
    }
    let by_segment = clv::by_group(&preds.customers, result.segment_names.len(), &|c| {
        segment_of[c as usize]
    });
    let mut band_of = vec![None; n];
    for p in &preds.customers {
        band_of[p.customer as usize] = Some(clv::risk_band(
            p,
            options.medium_risk_from,
            options.low_risk_from,
        ));
    }
    let groups = clv::by_group(&preds.customers, 4, &|c| band_of[c as usize]);
    let bands = groups
        .into_iter()
        .enumerate()
        .map(|(b, prediction)| Band {
            prediction,
            revenue: (0..n)
                .filter(|c| band_of[*c] == Some(b))
                .map(|c| revenue[c])
                .sum(),
        })
        .collect();
    Ok(Prediction {
        calibration_end: prediction_options.calibration_end,
        first_day,
        horizon_weeks: HORIZON_WEEKS,
        monthly_discount: MONTHLY_DISCOUNT,
        bgnbd: preds.bgnbd.params,
        bgnbd_std_errors: preds.bgnbd.std_errors.clone(),
        bgnbd_log_likelihood: preds.bgnbd.log_likelihood,
        gamma_gamma: preds
            .gamma_gamma
            .as_ref()
            .map(|g| (g.params, g.std_errors.clone())),
        customers: preds.customers.len() as u64,
        expected_purchases: preds.customers.iter().map(|p| p.expected_purchases).sum(),
        clv: preds.customers.iter().map(|p| p.clv).sum(),
        by_segment,
        bands,
        options: options.clone(),
        alive_grid: preds.alive_grid.clone(),
        warnings: preds.warnings.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ImportOptions, demo, import_orders};

    #[test]
    fn the_analyser_reuses_the_fit_only_for_the_same_date() {
        let files = demo::generate(demo::DEMO_SEED);
        let (orders, _) = import_orders(
            "orders.csv",
            files.orders.as_bytes(),
            ImportOptions::default(),
        )
        .unwrap();
        let data = Dataset::from_orders(orders);
        let options = AnalysisOptions::default();
        let mut analyser = Analyser::default();
        let first = analyser.analyse(&data, &options).unwrap();
        assert_eq!(first, analyse(&data, &options).unwrap());
        let stricter = AnalysisOptions {
            medium_risk_from: 0.5,
            low_risk_from: 0.9,
            ..options.clone()
        };
        assert_eq!(
            analyser.analyse(&data, &stricter).unwrap(),
            analyse(&data, &stricter).unwrap()
        );
        let earlier = AnalysisOptions {
            as_of: Some(first.as_of - 60),
            ..options
        };
        let refit = analyser.analyse(&data, &earlier).unwrap();
        assert_eq!(refit, analyse(&data, &earlier).unwrap());
        assert_ne!(
            refit.prediction.unwrap().bgnbd,
            first.prediction.unwrap().bgnbd,
            "a new date refits the models"
        );
    }
}
