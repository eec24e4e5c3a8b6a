//! The analysis the app shows, in one call: RFM segments with their
//! summary, and the predictive models' results summed per segment and per
//! churn-risk band.

use crate::model::message::Message;

pub mod campaign;
pub mod cohorts;
pub mod membership;
pub mod playbook;
pub mod update;

use serde::{Deserialize, Serialize};

use crate::import::dataset::Dataset;
use crate::import::orders::Orders;
use crate::journeys::{self, Funnel, FunnelSetup};
use crate::metrics::kpi::{self, KpiInputs, KpiTable};
use crate::model::bitmap::Bitmap;
use crate::model::date::Day;
use crate::model::stage::{OnStage, Stage, Stages};
use crate::models::clv::{self, BgNbd, GammaGamma, GroupPrediction, PredictionOptions, TimeUnit};
use crate::segments::groups::{self, Overview, Rows};
use crate::segments::lifecycle::{LifecycleSetup, STAGES};
use crate::segments::profile::{self, Profile};
use crate::segments::rfm::{self, BinEdges, RfmResult, RfmSetup, SegmentSummary};
use crate::segments::suggest;
use crate::segments::{Facts, SavedSegment};

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
    /// The lifecycle thresholds; read from the data when absent.
    #[serde(default)]
    pub lifecycle: Option<LifecycleSetup>,
    /// The saved segments (rules, lifecycle stages, clusters).
    #[serde(default)]
    pub segments: Vec<SavedSegment>,
    /// Which segments the KPI heatmap and the funnel compare.
    #[serde(default)]
    pub rows: Rows,
    /// The churn and retention period of the KPIs, in days.
    #[serde(default = "default_churn_period")]
    pub churn_period_days: i32,
}

fn default_churn_period() -> i32 {
    kpi::CHURN_PERIOD_DAYS
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            as_of: None,
            medium_risk_from: 0.3,
            low_risk_from: 0.7,
            rfm: RfmSetup::default(),
            funnel: None,
            lifecycle: None,
            segments: Vec::new(),
            rows: Rows::Rfm,
            churn_period_days: kpi::CHURN_PERIOD_DAYS,
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
    pub prediction: Result<Prediction, Message>,
    /// Every KPI per RFM segment and for the whole base.
    pub kpis: KpiTable,
    /// Counts per day of each row of the KPI table, for the goals counted
    /// within a period.
    #[serde(default)]
    pub period_counts: Vec<kpi::PeriodCounts>,
    /// The compared segments that fall into two camps, with the split
    /// proposed.
    #[serde(default)]
    pub split_suggestions: Vec<suggest::SplitSuggestion>,
    /// Customers and revenue per recency × frequency cell: `[f-1][r-1]`.
    pub rf_grid: Vec<Vec<(u64, f64)>>,
    /// The bins of recency (in days), frequency and monetary value.
    pub edges: [BinEdges; 3],
    /// The funnel per segment, when there are events.
    pub funnel: Option<Funnel>,
    /// The event names there are, for choosing steps.
    pub event_names: Vec<String>,
    /// The events file's other columns and their most frequent values,
    /// for narrowing steps.
    #[serde(default)]
    pub event_properties: Vec<(String, Vec<String>)>,
    /// Lifecycle stages, saved segments and the customers file's columns.
    pub segments: Overview,
    /// How the compared groups were made, when they are a split.
    pub comparison: Option<Message>,
    /// The compared groups a front end names from a message (a column's
    /// bands and values), by the group's name (see
    /// [`crate::segments::splits::Groups::labels`]).
    #[serde(default)]
    pub group_labels: Vec<(String, Message)>,
    /// Which compared group uses what: the share of its sessions with each
    /// event, when there are events.
    pub usage: Option<journeys::Usage>,
    /// What each compared group's customers did (by the group's name), then
    /// all customers': the playbook chooses campaigns from it.
    #[serde(default)]
    pub profiles: Vec<(String, Profile)>,
    /// The Lorenz curve of spend over the customers with an order, and the
    /// Gini index.
    pub concentration: Option<(Vec<(f64, f64)>, f64)>,
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
    pub warnings: Vec<Message>,
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
/// The KPI table's other row when it measures one saved segment of
/// several that overlap: everyone else.
pub const NOT_IN_SEGMENT: &str = "Not in the segment";

/// The predictions' horizon, in weeks.
pub(crate) const HORIZON_WEEKS: f64 = 52.0;
/// The monthly discount rate of lifetime values.
pub(crate) const MONTHLY_DISCOUNT: f64 = 0.01;

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
) -> Result<(Day, rfm::RfmResult), Message> {
    let as_of = options
        .as_of
        .or_else(|| crate::default_as_of(&data.orders))
        .ok_or_else(|| Message::new("engine.the_table_has_no_order_to_analyse_only_refunds"))?;
    Ok((
        as_of,
        rfm::compute(&data.orders, as_of, &options.rfm.config, &options.rfm.rules),
    ))
}

/// Scores the customers with the workspace's bins and segments, predicts their
/// next year from the whole history, and measures every KPI per segment.
pub fn analyse(data: &Dataset, options: &AnalysisOptions) -> Result<Analysis, Message> {
    Analyser::default().analyse(data, options)
}

/// Analyses again and again the same data under changing choices, fitting
/// the predictive models only when the analysis date changes: thresholds,
/// rules and funnel steps do not affect them.
#[derive(Default)]
pub struct Analyser {
    fitted: Option<(Day, Result<clv::Predictions, Message>)>,
    /// The RFM scores of the last analysis.
    scored: Option<RfmResult>,
}

impl Analyser {
    /// Each customer's predictions from the models fitted for `as_of`, when
    /// they were fitted.
    pub fn predictions(&self, as_of: Day) -> Option<&[clv::CustomerPrediction]> {
        match &self.fitted {
            Some((day, Ok(p))) if *day == as_of => Some(&p.customers),
            _ => None,
        }
    }

    /// The RFM scores of the last analysis, when it was at `as_of`.
    pub fn rfm(&self, as_of: Day) -> Option<&RfmResult> {
        self.scored.as_ref().filter(|r| r.as_of == as_of)
    }

    /// Forgets the fitted models and scores (call it when the data changes).
    pub fn forget(&mut self) {
        self.fitted = None;
        self.scored = None;
    }

    /// As [`analyse`], reusing the models fitted for the same date.
    pub fn analyse(
        &mut self,
        data: &Dataset,
        options: &AnalysisOptions,
    ) -> Result<Analysis, Message> {
        self.analyse_reporting(data, options, &mut |_, _, _| {})
    }

    /// As [`Analyser::analyse`], telling `on_stage` of each part as it
    /// starts: the model fits (only when the analysis date changed), the
    /// scores, the segments and the KPIs.
    pub fn analyse_reporting(
        &mut self,
        data: &Dataset,
        options: &AnalysisOptions,
        on_stage: OnStage<'_>,
    ) -> Result<Analysis, Message> {
        let as_of = options
            .as_of
            .or_else(|| crate::default_as_of(&data.orders))
            .ok_or_else(|| Message::new("engine.the_table_has_no_order_to_analyse_only_refunds"))?;
        let refit = self.fitted.as_ref().is_none_or(|(day, _)| *day != as_of);
        let mut parts = vec![Stage::Scores, Stage::Segments, Stage::Kpis];
        if refit {
            parts.insert(0, Stage::Models);
        }
        let mut stages = Stages::new(parts, on_stage);
        if refit {
            stages.start(Stage::Models);
            let predictions =
                clv::predict(&data.orders, &prediction_options(as_of)).map_err(|e| e.0);
            self.fitted = Some((as_of, predictions));
        }
        let predictions = match &self.fitted {
            Some((_, p)) => p.as_ref().map_err(Clone::clone),
            None => Err(Message::new("engine.no_predictions")),
        };
        let (analysis, scored) = analyse_with(data, options, predictions, &mut stages)?;
        self.scored = Some(scored);
        Ok(analysis)
    }
}

/// What the analysis predicts at `as_of`: models fitted on the orders
/// before it, in weeks, over the horizon, with the monthly discount.
pub fn prediction_options(as_of: Day) -> PredictionOptions {
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
    predictions: Result<&clv::Predictions, Message>,
    stages: &mut Stages<'_>,
) -> Result<(Analysis, RfmResult), Message> {
    let orders = &data.orders;
    stages.start(Stage::Scores);
    let (as_of, result) = rfm_result(data, options)?;
    let summary = rfm::summarise(&result);
    let rf_grid = rfm::rf_grid(&result);
    let edges = [
        result.recency_edges.clone(),
        result.frequency_edges.clone(),
        result.monetary_edges.clone(),
    ];
    let prediction_options = prediction_options(as_of);
    let mut rfm_group = vec![None; orders.customer_keys.len()];
    for row in &result.rows {
        rfm_group[row.values.customer as usize] = Some(row.segment as usize);
    }
    stages.start(Stage::Segments);
    let facts = match &predictions {
        Ok(p) => Facts::new(data, as_of).with_predictions(&p.customers),
        Err(_) => Facts::new(data, as_of),
    }
    .with_rfm(&result);
    let segments = groups::overview(data, &facts, options.lifecycle.as_ref(), &options.segments);
    let mut comparison = None;
    let mut group_labels = Vec::new();
    let compared = compared_groups(
        data,
        &facts,
        options,
        &segments,
        &rfm_group,
        &result,
        (&mut comparison, &mut group_labels),
    )?;
    stages.start(Stage::Kpis);
    let customer_predictions = predictions.as_ref().ok().map(|p| p.customers.as_slice());
    let customer_facts = kpi::customer_facts(data.customers.as_ref(), data.costs.as_ref(), orders);
    let kpis_of = |group_of: &[Option<usize>], names: &[String]| {
        kpi::compute(&KpiInputs {
            orders,
            email: data.email.as_ref(),
            surveys: data.surveys.as_ref(),
            tickets: data.tickets.as_ref(),
            costs: data.costs.as_ref(),
            customer_facts: Some(&customer_facts),
            predictions: customer_predictions,
            as_of,
            churn_period_days: options.churn_period_days.clamp(7, 730),
            group_of,
            group_names: names,
        })
    };
    let funnel_setup = data.events.as_ref().map(|events| {
        options.funnel.clone().unwrap_or_else(|| FunnelSetup {
            strict: false,
            steps: journeys::default_steps(events),
            window_days: 7,
        })
    });
    // The compared groups as sets, the empty ones left out.
    let sets: Vec<(String, Bitmap)> = match &compared {
        Compared::Partition(group_of, names) => {
            let n = orders.customer_keys.len();
            names
                .iter()
                .enumerate()
                .map(|(g, name)| (name.clone(), Bitmap::from_fn(n, |c| group_of[c] == Some(g))))
                .filter(|(_, b)| b.count() > 0)
                .collect()
        }
        Compared::Sets(sets) => sets.clone(),
    };
    let usage = data
        .events
        .as_ref()
        .map(|events| journeys::usage(events, as_of, &sets));
    // What each compared group's customers did, and all customers (the
    // KPI table's last row), for the playbook.
    let everyone = match &compared {
        Compared::Partition(group_of, _) => {
            Bitmap::from_fn(orders.customer_keys.len(), |c| group_of[c].is_some())
        }
        Compared::Sets(_) => Bitmap::from_fn(orders.customer_keys.len(), |c| {
            facts.first_last(c).1.is_some()
        }),
    };
    let profiles: Vec<(String, Profile)> = sets
        .iter()
        .map(|(name, set)| (name.clone(), profile::profile(data, &facts, set)))
        .chain([(
            kpi::ALL_CUSTOMERS.to_string(),
            profile::profile(data, &facts, &everyone),
        )])
        .collect();
    let split_suggestions = suggest::suggest(
        &facts,
        &sets.iter().map(|(n, b)| (n.clone(), b)).collect::<Vec<_>>(),
    );
    let (kpis, funnel) = match &compared {
        Compared::Partition(group_of, names) => {
            let kpis = kpis_of(group_of, names);
            let funnel = data
                .events
                .as_ref()
                .zip(funnel_setup.as_ref())
                .map(|(events, setup)| {
                    // Customers with events but no order get a group of their own
                    // when the groups leave them out.
                    let mut names = names.clone();
                    names.push(NO_ORDER.to_string());
                    let no_order = names.len() - 1;
                    let groups: Vec<Option<usize>> = (0..orders.customer_keys.len())
                        .map(|c| Some(group_of[c].unwrap_or(no_order)))
                        .collect();
                    journeys::funnel(events, setup, &groups, &names)
                });
            (kpis, funnel)
        }
        Compared::Sets(sets) => {
            // Overlapping segments: each measured against everyone else.
            let mut tables: Vec<KpiTable> = Vec::new();
            for (name, set) in sets {
                // Members against everyone else: the base row sums both.
                let group_of: Vec<Option<usize>> = (0..orders.customer_keys.len())
                    .map(|c| Some(if set.contains(c) { 0 } else { 1 }))
                    .collect();
                let names = [name.clone(), NOT_IN_SEGMENT.to_string()];
                tables.push(kpis_of(&group_of, &names));
            }
            if tables.is_empty() {
                tables.push(kpis_of(&[], &[]));
            }
            let mut kpis = tables.last().cloned().expect("one table");
            let base = kpis.values.last().cloned().unwrap_or_default();
            kpis.groups = sets.iter().map(|s| s.0.clone()).collect();
            kpis.groups.push(kpi::ALL_CUSTOMERS.to_string());
            kpis.values = tables.iter().map(|t| t.values[0].clone()).collect();
            kpis.values.push(base);
            let funnel = data
                .events
                .as_ref()
                .zip(funnel_setup.as_ref())
                .filter(|_| !sets.is_empty())
                .map(|(events, setup)| {
                    journeys::funnel_of_sets(events, setup, orders.customer_keys.len(), sets)
                });
            (kpis, funnel)
        }
    };
    let period_counts = match &compared {
        Compared::Partition(group_of, names) => {
            kpi::period_counts(orders, as_of, names.len() + 1, |c, out| {
                if let Some(g) = group_of.get(c).copied().flatten() {
                    out.extend([g, names.len()]);
                }
            })
        }
        Compared::Sets(sets) => kpi::period_counts(orders, as_of, sets.len() + 1, |c, out| {
            out.extend(
                sets.iter()
                    .enumerate()
                    .filter(|(_, s)| s.1.contains(c))
                    .map(|(i, _)| i),
            );
            out.push(sets.len());
        }),
    };
    let event_names = data
        .events
        .as_ref()
        .map(|e| e.names.clone())
        .unwrap_or_default();
    let event_properties = data
        .events
        .as_ref()
        .map(|e| crate::journeys::property_values(e, 50))
        .unwrap_or_default();
    let prediction = predictions
        .and_then(|p| summarise_prediction(orders, &result, p, &prediction_options, options));
    let analysis = Analysis {
        as_of,
        rows: orders.len() as u64,
        scored: result.rows.len() as u64,
        summary,
        prediction,
        kpis,
        period_counts,
        split_suggestions,
        rf_grid,
        edges,
        funnel,
        event_names,
        event_properties,
        segments,
        comparison,
        group_labels,
        usage,
        profiles,
        concentration: kpi::lorenz(
            &result
                .rows
                .iter()
                .map(|r| r.values.monetary)
                .collect::<Vec<_>>(),
        ),
    };
    Ok((analysis, result))
}

/// The groups the KPI table compares (`options.rows`: RFM segments,
/// lifecycle stages, a split, the saved segments) seen as a whole: how
/// much they overlap, how much of recency, frequency and spend lies
/// between them, and their silhouette. `facts` at the analysis date, with
/// the predictions when a split needs them.
pub fn separation(
    data: &Dataset,
    facts: &Facts,
    options: &AnalysisOptions,
) -> Result<crate::segments::separation::Separation, Message> {
    let (_, result) = rfm_result(data, options)?;
    let mut rfm_group = vec![None; data.orders.customer_keys.len()];
    for row in &result.rows {
        rfm_group[row.values.customer as usize] = Some(row.segment as usize);
    }
    let overview = groups::overview(data, facts, options.lifecycle.as_ref(), &options.segments);
    let (mut note, mut labels) = (None, Vec::new());
    let compared = compared_groups(
        data,
        facts,
        options,
        &overview,
        &rfm_group,
        &result,
        (&mut note, &mut labels),
    )?;
    let sets = match compared {
        Compared::Partition(of, names) => names
            .iter()
            .enumerate()
            .map(|(g, name)| {
                let set = Bitmap::from_fn(facts.n, |c| of.get(c).copied().flatten() == Some(g));
                (name.clone(), set)
            })
            .collect(),
        Compared::Sets(sets) => sets,
    };
    crate::segments::separation::separation(data, facts, &sets)
}

/// The groups the KPI table and the funnel compare.
enum Compared {
    /// One group (or none) per customer, with the groups' names.
    Partition(Vec<Option<usize>>, Vec<String>),
    /// Possibly overlapping named sets.
    Sets(Vec<(String, Bitmap)>),
}

fn compared_groups(
    data: &Dataset,
    facts: &Facts,
    options: &AnalysisOptions,
    overview: &Overview,
    rfm_group: &[Option<usize>],
    result: &rfm::RfmResult,
    (note, labels): (&mut Option<Message>, &mut Vec<(String, Message)>),
) -> Result<Compared, Message> {
    Ok(match &options.rows {
        Rows::Rfm => Compared::Partition(rfm_group.to_vec(), result.segment_names.clone()),
        Rows::Lifecycle => {
            let stages = crate::segments::lifecycle::stages(facts, &overview.lifecycle);
            Compared::Partition(
                stages
                    .iter()
                    .map(|s| STAGES.iter().position(|x| x == s))
                    .collect(),
                STAGES.iter().map(|s| s.label().to_string()).collect(),
            )
        }
        // A split that cannot be made any more (its column or file gone)
        // falls back to the RFM segments, saying why.
        Rows::Split(split) => match crate::segments::splits::split(data, facts, split) {
            Ok(g) => {
                *note = Some(g.explanation);
                *labels = g.labels;
                Compared::Sets(g.groups)
            }
            Err(e) => {
                *note = Some(Message::new("engine.with.compared_instead").with("why", e));
                Compared::Partition(rfm_group.to_vec(), result.segment_names.clone())
            }
        },
        Rows::Saved => Compared::Sets(
            options
                .segments
                .iter()
                .filter_map(|s| {
                    groups::members(data, facts, &s.definition, &overview.lifecycle)
                        .ok()
                        .map(|set| (s.name.clone(), set))
                })
                .collect(),
        ),
    })
}

fn summarise_prediction(
    orders: &Orders,
    result: &rfm::RfmResult,
    preds: &clv::Predictions,
    prediction_options: &PredictionOptions,
    options: &AnalysisOptions,
) -> Result<Prediction, Message> {
    let first_day = orders
        .day
        .iter()
        .zip(&orders.amount)
        .filter(|(_, a)| **a >= 0.0)
        .map(|(d, _)| *d)
        .min()
        .ok_or_else(|| Message::new("engine.the_table_has_no_order"))?;
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
    use crate::import::demo;
    use crate::{ImportOptions, import_orders};

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

    #[test]
    fn an_analysis_reports_its_parts_and_the_fits_only_when_it_refits() {
        let files = demo::generate_sized(demo::DEMO_SEED, 400);
        let (orders, _) =
            import_orders("o.csv", files.orders.as_bytes(), ImportOptions::default()).unwrap();
        let data = Dataset::from_orders(orders);
        let options = AnalysisOptions::default();
        let mut analyser = Analyser::default();
        let mut parts = |options: &AnalysisOptions| {
            let mut seen = Vec::new();
            let analysis = analyser
                .analyse_reporting(&data, options, &mut |s, done, total| {
                    seen.push((s, done, total))
                })
                .unwrap();
            (analysis, seen)
        };
        let (first, seen) = parts(&options);
        assert_eq!(
            seen,
            [
                (Stage::Models, 0, 4),
                (Stage::Scores, 1, 4),
                (Stage::Segments, 2, 4),
                (Stage::Kpis, 3, 4)
            ]
        );
        assert_eq!(first, analyse(&data, &options).unwrap());
        let stricter = AnalysisOptions {
            medium_risk_from: 0.5,
            ..options.clone()
        };
        assert_eq!(
            parts(&stricter).1,
            [
                (Stage::Scores, 0, 3),
                (Stage::Segments, 1, 3),
                (Stage::Kpis, 2, 3)
            ],
            "the same date reuses the fit"
        );
        let earlier = AnalysisOptions {
            as_of: Some(first.as_of - 30),
            ..options
        };
        assert_eq!(parts(&earlier).1[0], (Stage::Models, 0, 4));
    }

    #[test]
    fn kpis_and_funnel_compare_lifecycle_stages_or_saved_segments() {
        use crate::segments::Definition;
        use crate::segments::lifecycle::Stage;
        let files = demo::generate_sized(demo::DEMO_SEED, 800);
        let (orders, _) =
            import_orders("o.csv", files.orders.as_bytes(), ImportOptions::default()).unwrap();
        let mut data = Dataset::from_orders(orders);
        data.add_source("c.csv", files.customers.as_bytes())
            .unwrap();
        data.add_source("e.csv", files.events.as_bytes()).unwrap();
        let rfm = analyse(&data, &AnalysisOptions::default()).unwrap();
        let saved = |name: &str, definition| SavedSegment {
            name: name.into(),
            version: 1,
            definition,
            note: String::new(),
        };
        let options = AnalysisOptions {
            segments: vec![
                saved(
                    "Lyon",
                    Definition::Rule(r#"{"attribute":"city","equals":"Lyon"}"#.into()),
                ),
                saved("Loyal", Definition::Lifecycle(Stage::Loyal)),
            ],
            rows: Rows::Saved,
            ..AnalysisOptions::default()
        };
        let a = analyse(&data, &options).unwrap();
        assert_eq!(a.kpis.groups, vec!["Lyon", "Loyal", "All customers"]);
        let facts = Facts::new(&data, a.as_of);
        let lyon = groups::members(
            &data,
            &facts,
            &options.segments[0].definition,
            &a.segments.lifecycle,
        )
        .unwrap();
        // Every member counts, prospects included (known from the customers file).
        assert_eq!(a.kpis.values[0][0].numerator, lyon.count() as f64);
        assert_eq!(a.segments.saved[0].customers, Ok(lyon.count()));
        let f = a.funnel.clone().unwrap();
        assert_eq!(f.groups, vec!["Lyon", "Loyal", "All customers"]);
        assert_eq!(f.counts.last(), rfm.funnel.as_ref().unwrap().counts.last());
        let by_stage = analyse(
            &data,
            &AnalysisOptions {
                rows: Rows::Lifecycle,
                ..options
            },
        )
        .unwrap();
        assert_eq!(by_stage.kpis.groups.len(), STAGES.len() + 1);
        assert_eq!(by_stage.kpis.groups[4], "Loyal customers");
        let loyal = a
            .segments
            .stages
            .iter()
            .find(|s| s.stage == Stage::Loyal)
            .unwrap();
        assert_eq!(by_stage.kpis.values[4][0].numerator, loyal.customers as f64);
        // Both comparisons measure the same base: every known customer
        // (the RFM table's base is the customers with an order).
        for ((x, y), z) in a
            .kpis
            .values
            .last()
            .unwrap()
            .iter()
            .zip(by_stage.kpis.values.last().unwrap())
            .zip(rfm.kpis.values.last().unwrap())
        {
            assert_eq!((x.value, x.numerator), (y.value, y.numerator));
            assert!(z.numerator <= x.numerator);
        }
        assert_eq!(
            rfm.kpis.values.last().unwrap()[0].numerator + a.segments.stages[0].customers as f64,
            a.kpis.values.last().unwrap()[0].numerator
        );
    }
}
