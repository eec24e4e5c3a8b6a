//! Two segments side by side: a pair of bars for each KPI, whether each
//! gap is clear or could be chance, and the attributes in which the two
//! differ most, in sentences.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::metrics::compare::TwoSegments;
use seglens_engine::metrics::kpi::KpiFormat;

use crate::format;
use crate::i18n::{self, t, tf};
use crate::journeys::over_time::audiences;
use crate::protocol::{Audience, ask};
use crate::shell::downloads::{CsvDownload, csv_field};
use crate::state::AppState;

/// The side-by-side card.
#[component]
pub fn CompareTwoCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let result = RwSignal::new(None::<Result<TwoSegments, String>>);
    // The two audiences by their option value; the first two RFM segments
    // until the user picks (kept while the user visits other pages).
    let picked = state.compare_pair;
    let choices = move || {
        state
            .workspace
            .get()
            .map(|ws| audiences(&ws))
            .unwrap_or_default()
    };
    let current = move || {
        let c = choices();
        picked.get().unwrap_or_else(|| {
            let at = |i: usize| {
                c.get(i)
                    .or(c.first())
                    .map(|x| x.0.clone())
                    .unwrap_or_default()
            };
            (at(1), at(2))
        })
    };
    Effect::new(move |_| {
        let (a, b) = current();
        let Some(ws) = state.workspace.get() else {
            return;
        };
        let c = audiences(&ws);
        let find = |v: &str| {
            c.iter()
                .find(|x| x.0 == v)
                .map(|x| (x.1.clone(), x.2.clone()))
        };
        let (Some(first), Some(second)) = (find(&a), find(&b)) else {
            return;
        };
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let request = ask::CompareTwo {
                options: ws.record.options.clone(),
                first,
                second,
                lifecycle: ws.analysis.segments.lifecycle,
            };
            let answer = engine.ask(request).await;
            result.try_set(Some(answer));
        });
    });
    let select = move |which: usize, testid: &'static str| {
        let (a, b) = current();
        let chosen = if which == 0 { a } else { b };
        let options = choices()
            .into_iter()
            .map(|(value, label, _): (String, String, Audience)| {
                let selected = value == chosen;
                view! { <option value=value.clone() selected=selected>{label}</option> }
            })
            .collect_view();
        view! {
            <select data-testid=testid on:change=move |ev| {
                let v = event_target_value(&ev);
                let (a, b) = current();
                picked.set(Some(if which == 0 { (v, b) } else { (a, v) }));
            }>{options}</select>
        }
    };
    move || {
        state.workspace.get()?;
        Some(view! {
            <section class="card" id="compare-two" data-testid="compare-two">
                <h2>{t("compare.two_segments_side_by_side")}</h2>
                <p class="muted">
                    {t("compare.pick_two_segments_each_kpi")}
                </p>
                <div class="thresholds">
                    <label>{t("compare.compare")} {select(0, "compare-first")}</label>
                    <label>" " {t("compare.with")} " " {select(1, "compare-second")}</label>
                </div>
                {move || match result.get() {
                    None => view! { <p class="muted">{t("compare.comparing")}</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                    Some(Ok(t)) => two_view(&t),
                }}
            </section>
        })
    }
}

fn two_view(two: &TwoSegments) -> AnyView {
    let [a, b] = two.names.clone();
    let header = format!(
        "{a}: {}; {b}: {}{}.",
        i18n::tn("count.customers", two.sizes[0], &[]),
        i18n::tn("count.customers", two.sizes[1], &[]),
        if two.overlap > 0 {
            tf("compare.in_both", &[("0", &format::int(two.overlap))])
        } else {
            String::new()
        }
    );
    let rows = two
        .kpis
        .kpis
        .iter()
        .enumerate()
        .filter_map(|(k, def)| {
            let x = two.kpis.values[0][k].value?;
            let y = two.kpis.values[1][k].value?;
            // Bars from zero, or from the lower value when one is negative
            // (NPS), so that a longer bar is always a higher value.
            let low = x.min(y).min(0.0);
            let top = (x.max(y) - low).max(1e-12);
            let width = |v: f64| format!("width: {:.1}%", ((v - low) / top * 100.0).max(0.5));
            let value = |v: f64| format::kpi_value(def.format, v);
            let verdict = match two.clear[k] {
                Some(true) => t("compare.clear_difference"),
                Some(false) => t("compare.could_be_chance"),
                None => String::new(),
            };
            let formula = i18n::kpi_formula(def);
            Some(view! {
                <div class="pair" data-testid="compare-kpi" title=format!("{} = {formula}", i18n::kpi_name(def))>
                    <span class="pair-name">{i18n::kpi_name(def)}
                        <span class="muted small">{if verdict.is_empty() { String::new() } else { format!(" · {verdict}") }}</span>
                    </span>
                    <span class="pair-bars">
                        <span class="pair-bar first" style=width(x)></span>
                        <span class="pair-value">{format!("{a}: {}", value(x))}</span>
                        <span class="pair-bar second" style=width(y)></span>
                        <span class="pair-value">{format!("{b}: {}", value(y))}</span>
                    </span>
                </div>
            })
        })
        .collect_view();
    let sentences = two
        .differences
        .iter()
        .map(|d| {
            let tip = tf(
                "compare.of_and_of_customers_p",
                &[
                    ("0", &format::int(d.counts[0])),
                    ("1", &format::int(two.sizes[0])),
                    ("2", &format::int(d.counts[1])),
                    ("3", &format::int(two.sizes[1])),
                    ("4", &format::decimal(d.p_value, 3)),
                ],
            );
            view! { <li title=tip>{i18n::difference(d, &two.names)}</li> }
        })
        .collect_view();
    let mut csv = format!(
        "kpi,{},{},all customers,clear difference\n",
        csv_field(&a),
        csv_field(&b)
    );
    for (k, def) in two.kpis.kpis.iter().enumerate() {
        let cell = |g: usize| {
            two.kpis.values[g][k]
                .value
                .map(|v| match def.format {
                    KpiFormat::Rate => format!("{v:.4}"),
                    _ => format!("{v:.2}"),
                })
                .unwrap_or_default()
        };
        let clear = match two.clear[k] {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        csv.push_str(&format!(
            "{},{},{},{},{clear}\n",
            csv_field(&def.name),
            cell(0),
            cell(1),
            cell(2)
        ));
    }
    let file = format!("compare-{}-{}", slug(&a), slug(&b));
    view! {
        <p data-testid="compare-header">{header}</p>
        <div class="pairs" data-testid="compare-kpis">{rows}</div>
        <CsvDownload name=file csv=csv/>
        <h3>{t("compare.where_they_differ")}</h3>
        {if two.differences.is_empty() {
            view! { <p class="muted" data-testid="compare-differences">{t("compare.no_column_of_the_customers")}</p> }.into_any()
        } else {
            view! { <ul data-testid="compare-differences">{sentences}</ul> }.into_any()
        }}
    }
    .into_any()
}

/// A file-name-safe version of a segment's name.
fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
