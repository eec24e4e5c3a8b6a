//! Predictions: churn-risk bands, the probability of being active, the
//! models' parameters, and a check of the model on the user's own history.

use leptos::prelude::*;
use seglens_engine::analysis::Prediction;
use seglens_engine::model::date::{self, format_iso};

use crate::chart;
use crate::format;
use crate::i18n::{t, tf};
use crate::shell::StageLine;
use crate::state::AppState;

/// The predictions card.
#[component]
pub fn Predictions() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().map(|ws| match ws.analysis.prediction.clone() {
            Ok(p) => view! { <PredictionCard p=p/> }.into_any(),
            Err(message) => view! {
                <section class="card" data-testid="predictions">
                    <h2>{t("predict.predictions")}</h2>
                    <p class="warn">{tf("predict.the_predictive_models_could_not", &[("message", &crate::i18n::message(&message))])}</p>
                </section>
            }
            .into_any(),
        })
    }
}

#[component]
fn PredictionCard(
    /// The predictions to show.
    p: Prediction,
) -> impl IntoView {
    let months = (p.horizon_weeks / 4.345).round();
    let headline = tf(
        "predict.in_the_next_months_these",
        &[
            ("months", &months.to_string()),
            ("0", &format::int(p.customers)),
            ("1", &format::int(p.expected_purchases.round() as u64)),
            ("2", &format::money(p.clv)),
            ("3", &(p.monthly_discount * 100.0).to_string()),
        ],
    );
    view! {
        <section class="card" id="predict" data-testid="predictions">
            <h2>{t("predict.who_is_likely_to_come")}</h2>
            <p class="lead" data-testid="prediction-headline">{headline}</p>
            <p class="muted">
                {tf("predict.learnt_from_every_order_up", &[("0", &format::date(p.calibration_end))])}
            </p>
                    <crate::shell::HowToUse kind="predict"/>
            {(!p.warnings.is_empty()).then(|| view! {
                <ul class="warn" data-testid="prediction-warnings">
                    {p.warnings.iter().map(|w| view! { <li>{crate::i18n::message(w)}</li> }).collect_view()}
                </ul>
            })}
            <RiskBands p=p.clone()/>
            <AliveGrid p=p.clone()/>
            <Parameters p=p.clone()/>
            <HoldoutCheck p=p/>
        </section>
    }
}

#[component]
fn RiskBands(
    /// The predictions.
    p: Prediction,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let medium = RwSignal::new((p.options.medium_risk_from * 100.0).round());
    let low = RwSignal::new((p.options.low_risk_from * 100.0).round());
    let total: u64 = p.bands.iter().map(|b| b.prediction.customers).sum();
    let names = [
        (
            t("predict.high_risk"),
            tf(
                "predict.repeat_buyers_whose_chance_of",
                &[("0", &(medium.get_untracked()).to_string())],
            ),
        ),
        (
            t("predict.medium_risk"),
            tf(
                "predict.repeat_buyers_from_to",
                &[
                    ("0", &(medium.get_untracked()).to_string()),
                    ("1", &(low.get_untracked()).to_string()),
                ],
            ),
        ),
        (
            t("predict.low_risk"),
            tf(
                "predict.repeat_buyers_at_or_more",
                &[("0", &(low.get_untracked()).to_string())],
            ),
        ),
        (
            t("predict.one_time_buyers"),
            t("predict.the_model_cannot_tell_whether"),
        ),
    ];
    let read = |ev: web_sys::Event| event_target_value(&ev).parse::<f64>().ok();
    view! {
        <h3>{t("predict.churn_risk")}</h3>
        <div class="thresholds">
            <label>{t("predict.high_risk_below")}
                <input type="number" min="0" max="100" step="5" data-testid="medium-from"
                    prop:value=move || medium.get()
                    on:change=move |ev| if let Some(v) = read(ev) { medium.set(v) }/>
                {t("predict.chance_of_being_active_low")}
            </label>
            <label>
                <input type="number" min="0" max="100" step="5" data-testid="low-from"
                    prop:value=move || low.get()
                    on:change=move |ev| if let Some(v) = read(ev) { low.set(v) }/>
                "%"
            </label>
            <button class="secondary" data-testid="apply-thresholds"
                on:click=move |_| crate::predict::actions::set_risk_thresholds(state, medium.get() / 100.0, low.get() / 100.0)>
                {t("predict.apply")}
            </button>
        </div>
        <div class="table-wrap" tabindex="0">
        <table data-testid="risk-bands">
            <thead><tr>
                <th scope="col">{t("predict.band")}</th>
                <th scope="col" class="num">{t("predict.customers")}</th>
                <th scope="col" class="num" title=t("predict.customers_in_the_band_customers")>{t("predict.share")}</th>
                <th scope="col" class="num" title=t("predict.sum_of_their_order_amounts")>{t("predict.revenue_to_date")}</th>
                <th scope="col" class="num" title=t("predict.mean_of_p_active_1")>{t("predict.chance_still_active")}</th>
                <th scope="col" class="num" title=t("predict.sum_of_e_purchases_in")>{t("predict.expected_orders")}</th>
                <th scope="col" class="num" title=t("predict.sum_over_months_of_expected")>{t("predict.predicted_value")}</th>
            </tr></thead>
            <tbody>
                {p.bands.iter().zip(names).map(|(b, (name, rule))| view! {
                    <tr>
                        <th scope="row" title=rule>{name}</th>
                        <td class="num">{format::int(b.prediction.customers)}</td>
                        <td class="num">{format::percent(b.prediction.customers as f64 / total.max(1) as f64)}</td>
                        <td class="num">{format::money(b.revenue)}</td>
                        <td class="num">{if b.prediction.repeat_customers > 0 { format::percent(b.prediction.mean_p_alive) } else { "–".to_string() }}</td>
                        <td class="num">{format::int(b.prediction.expected_purchases.round() as u64)}</td>
                        <td class="num">{format::money(b.prediction.clv)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn AliveGrid(
    /// The predictions.
    p: Prediction,
) -> impl IntoView {
    let rows = p.alive_grid.len();
    view! {
        <h3>{t("predict.chance_of_being_active_by")}</h3>
        <p class="muted small">
            {t("predict.repeat_buyers_only_rows_purchases")}
        </p>
        <div class="table-wrap" tabindex="0">
        <table class="heatmap" data-testid="alive-grid">
            <thead><tr>
                <th scope="col">{t("predict.repeat_purchases")}</th>
                {(0..10).map(|c| view! { <th scope="col" class="num">{format::percent_range(c * 10, c * 10 + 10)}</th> }).collect_view()}
            </tr></thead>
            <tbody>
                {p.alive_grid.iter().enumerate().map(|(r, cells)| view! {
                    <tr>
                        <th scope="row">{if r + 1 == rows { format!("{}+", r + 1) } else { (r + 1).to_string() }}</th>
                        {cells.iter().map(|cell| match cell {
                            Some(v) => {
                                let (bg, light) = chart::sequential_color(*v);
                                view! {
                                    <td class="num cell" class:light=light style=format!("background:{bg}")
                                        title=tf("predict.mean_chance_of_being_active", &[("0", &format::percent(*v))])>
                                        {format!("{:.0}", v * 100.0)}
                                    </td>
                                }.into_any()
                            }
                            None => view! { <td class="cell empty-cell"></td> }.into_any(),
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn Parameters(
    /// The predictions.
    p: Prediction,
) -> impl IntoView {
    let se = |v: &Option<Vec<f64>>, i: usize| {
        v.as_ref()
            .and_then(|s| s.get(i))
            .map(|s| format!("± {s:.4}"))
            .unwrap_or_else(|| t("predict.not_available"))
    };
    let bg = p.bgnbd;
    let mut rows = vec![
        ("BG/NBD r", bg.r, se(&p.bgnbd_std_errors, 0)),
        ("BG/NBD α", bg.alpha, se(&p.bgnbd_std_errors, 1)),
        ("BG/NBD a", bg.a, se(&p.bgnbd_std_errors, 2)),
        ("BG/NBD b", bg.b, se(&p.bgnbd_std_errors, 3)),
    ];
    if let Some((gg, gse)) = &p.gamma_gamma {
        rows.push(("Gamma-Gamma p", gg.p, se(gse, 0)));
        rows.push(("Gamma-Gamma q", gg.q, se(gse, 1)));
        rows.push(("Gamma-Gamma γ", gg.gamma, se(gse, 2)));
    }
    view! {
        <details class="parameters">
            <summary>{t("predict.the_models_parameters_maximum_likelihood")}</summary>
            <table data-testid="parameters">
                <thead><tr><th scope="col">{t("predict.parameter")}</th><th scope="col" class="num">{t("predict.estimate")}</th><th scope="col" class="num">{t("predict.standard_error")}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(name, v, s)| view! {
                        <tr><th scope="row">{name}</th><td class="num">{format!("{v:.4}")}</td><td class="num">{s}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted small">{tf("predict.bg_nbd_log_likelihood", &[("0", &format::decimal(p.bgnbd_log_likelihood, 2))])}</p>
        </details>
    }
}

#[component]
fn HoldoutCheck(
    /// The predictions.
    p: Prediction,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let span = p.calibration_end - p.first_day;
    let default = p.first_day + span * 2 / 3;
    let chosen = RwSignal::new(format_iso(default));
    let run = move |_| match date::parse_iso(&chosen.get_untracked()) {
        Some(day) => crate::predict::actions::check_holdout(state, day),
        None => state.error.set(Some(t("predict.pick_a_date_to_learn"))),
    };
    view! {
        <h3>{t("predict.can_you_trust_it_check")}</h3>
        <p class="muted">
            {t("predict.seglens_hides_the_orders_after")}
        </p>
        <div class="thresholds">
            <label>{t("predict.learn_from_the_orders_up")}
                <input type="date" data-testid="holdout-date"
                    min=format_iso(p.first_day + 1) max=format_iso(p.calibration_end - 1)
                    prop:value=move || chosen.get()
                    on:change=move |ev| chosen.set(event_target_value(&ev))/>
            </label>
            <button class="secondary" data-testid="check-model" on:click=run
                disabled=move || state.checking.get()>
                {move || if state.checking.get() { t("predict.checking") } else { t("predict.check_the_model") }}
            </button>
            // The check's three parts as the worker starts them; a
            // moving bar until the first is reported.
            {move || state.checking.get().then(|| match state.stage.get() {
                Some(_) => view! { <StageLine/> }.into_any(),
                None => view! {
                    <span class="step-progress" data-testid="holdout-progress">
                        <progress aria-label=t("predict.checking")></progress>
                        <span class="muted" aria-live="polite">{t("predict.checking_what")}</span>
                    </span>
                }.into_any(),
            })}
        </div>
        {move || state.holdout.get().map(|result| match result {
            Ok(check) => {
                let error = 100.0 * (check.predicted_total - check.actual_total) / check.actual_total.max(1.0);
                let sentence = tf("predict.learning_from_the_orders_up", &[("0", &format::date(check.calibration_end)), ("1", &format::int(check.predicted_total.round() as u64)), ("2", &format::decimal(check.length, 0)), ("3", &format::int(check.actual_total.round() as u64)), ("4", (if error >= 0.0 { "+" } else { "" })), ("5", &format::decimal(error, 1))]);
                let mut model = chart::holdout_model(
                    &check.rows,
                    &|label| crate::i18n::tf("chart.holdout.group", &[("n", label)]),
                    &chart::ChartText {
                        title: &crate::i18n::t("chart.holdout.title"),
                        series: [&crate::i18n::t("chart.holdout.actual"), &crate::i18n::t("chart.holdout.predicted")],
                        description: &crate::i18n::t("chart.holdout.alt"),
                    },
                );
                model.numbers = format::numbers();
                let svg = chart::bars_svg(&model, &|v| format::decimal(v, 2));
                let mut holdout_csv = String::from("repeat_purchases_before,customers,actual_per_customer,predicted_per_customer\n");
                for r in &check.rows {
                    holdout_csv.push_str(&format!(
                        "{},{},{:.4},{:.4}\n",
                        crate::shell::csv_field(&r.label),
                        r.customers,
                        r.actual,
                        r.predicted
                    ));
                }
                view! {
                    <div data-testid="holdout-result">
                        <p class="lead">{sentence}</p>
                        <div class="chart" role="img" data-testid="holdout-chart"
                            aria-label=crate::i18n::t("chart.holdout.alt")
                            inner_html=svg></div>
                        <crate::shell::ChartDownloads chart=model name="holdout-by-purchases" csv=holdout_csv/>
                        {cumulative_view(&check)}
                        <table>
                            <thead><tr>
                                <th scope="col">{t("predict.repeat_purchases_before")}</th>
                                <th scope="col" class="num">{t("predict.customers")}</th>
                                <th scope="col" class="num">{t("predict.actual_per_customer")}</th>
                                <th scope="col" class="num">{t("predict.predicted_per_customer")}</th>
                            </tr></thead>
                            <tbody>
                                {check.rows.iter().map(|r| view! {
                                    <tr>
                                        <th scope="row">{r.label.clone()}</th>
                                        <td class="num">{format::int(r.customers)}</td>
                                        <td class="num">{format::decimal(r.actual, 2)}</td>
                                        <td class="num">{format::decimal(r.predicted, 2)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }
            Err(message) => view! { <p class="warn" data-testid="holdout-result">{message}</p> }.into_any(),
        })}
    }
}

/// The repeat purchases of the whole base cumulated week by week, actual
/// (solid) and predicted (dashed), with the end of the learning period
/// marked: where the lines part, the model stops following the customers.
fn cumulative_view(check: &seglens_engine::models::clv::HoldoutCheck) -> Option<AnyView> {
    let points = &check.cumulative;
    let last = points.last()?;
    let (w, h, left, right, top, bottom) = (720.0, 240.0, 64.0, 16.0, 16.0, 36.0);
    let (first_day, last_day) = (points[0].day, last.day);
    let top_value = points
        .iter()
        .map(|p| p.actual.max(p.predicted))
        .fold(1.0, f64::max);
    let x = |d: seglens_engine::model::date::Day| {
        left + f64::from(d - first_day) / f64::from((last_day - first_day).max(1))
            * (w - left - right)
    };
    let y = |v: f64| top + (1.0 - v / top_value) * (h - top - bottom);
    let line = |f: &dyn Fn(&seglens_engine::models::clv::CumulativePoint) -> f64| {
        points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.day), y(f(p))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut csv = String::from("before,actual,predicted\n");
    for p in points {
        csv.push_str(&format!(
            "{},{},{:.3}\n",
            format_iso(p.day),
            p.actual,
            p.predicted
        ));
    }
    // The same lines for the downloaded picture, drawn by charts-rs.
    let mut model = seglens_charts::Chart::new(
        seglens_charts::Kind::Lines,
        t("predict.week_by_week"),
        seglens_charts::Unit::Count,
    );
    model.numbers = format::numbers();
    model.categories = points.iter().map(|p| format::date(p.day - 1)).collect();
    model.series = vec![
        seglens_charts::Series::new(t("predict.actual"), points.iter().map(|p| p.actual)),
        seglens_charts::Series::new(t("predict.predicted"), points.iter().map(|p| p.predicted)),
    ];
    let cut = x(check.calibration_end + 1);
    let at_cut = points
        .iter()
        .find(|p| p.day > check.calibration_end)
        .copied()
        .unwrap_or(*last);
    let summary = tf(
        "predict.cumulated_repeat_purchases_by_against",
        &[
            ("0", &format::int(last.actual as u64)),
            ("1", &format::date(last.day - 1)),
            ("2", &format::int(last.predicted.round() as u64)),
            ("3", &format::date(check.calibration_end)),
            ("4", &format::int(at_cut.actual as u64)),
            ("5", &format::int(at_cut.predicted.round() as u64)),
        ],
    );
    model.description = summary.clone();
    Some(view! {
        <h3>{t("predict.week_by_week")}</h3>
        <p class="muted small">{t("predict.repeat_purchases_of_all_customers")}</p>
        <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=summary.clone() data-testid="cumulative-chart">
            <line class="grid" x1=left x2=format!("{:.1}", w - right) y1=format!("{:.1}", y(0.0)) y2=format!("{:.1}", y(0.0)) stroke="#c9d1dc"/>
            <text class="tick" x=format!("{:.1}", left - 6.0) y=format!("{:.1}", y(top_value) + 4.0) font-size="11" text-anchor="end" fill="#5a6472">{format::int(top_value.round() as u64)}</text>
            <text class="tick" x=format!("{:.1}", left - 6.0) y=format!("{:.1}", y(0.0) + 4.0) font-size="11" text-anchor="end" fill="#5a6472">"0"</text>
            <line class="axis" x1=format!("{cut:.1}") x2=format!("{cut:.1}") y1=top y2=format!("{:.1}", h - bottom) stroke="#5a6472" stroke-dasharray="2 3"/>
            <text class="tick" x=format!("{:.1}", cut + 4.0) y=format!("{:.1}", top + 10.0) font-size="11" fill="#5a6472">{tf("predict.learning_ends", &[("0", &format::date(check.calibration_end))])}</text>
            <text class="tick" x=left y=format!("{:.1}", h - 8.0) font-size="11" fill="#5a6472">{format::date(first_day)}</text>
            <text class="tick" x=format!("{:.1}", w - right) y=format!("{:.1}", h - 8.0) font-size="11" text-anchor="end" fill="#5a6472">{format::date(last_day - 1)}</text>
            <polyline points=line(&|p| p.actual) fill="none" stroke="#0072B2" stroke-width="2"/>
            <polyline points=line(&|p| p.predicted) fill="none" stroke="#E69F00" stroke-width="2" stroke-dasharray="6 4"/>
        </svg>
        <p class="legend">
            <span class="legend-item"><span class="swatch" style="background:#0072B2"></span>{t("predict.actual")}</span>
            <span class="legend-item"><span class="swatch" style="background:#E69F00"></span>{t("predict.predicted")}</span>
        </p>
        <p class="muted small" data-testid="cumulative-summary">{summary}</p>
        <crate::shell::ChartDownloads chart=model name="repeat-purchases-week-by-week" csv=csv/>
    }.into_any())
}
