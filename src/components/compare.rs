//! Two segments side by side: a pair of bars for each KPI, whether each
//! gap is clear or could be chance, and the attributes in which the two
//! differ most, in sentences.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::compare::TwoSegments;
use seglens_engine::kpi::KpiFormat;

use super::downloads::{CsvDownload, csv_field};
use super::over_time::audiences;
use crate::format;
use crate::protocol::{Audience, Request};
use crate::state::AppState;

/// The side-by-side card.
#[component]
pub fn CompareTwoCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let result = RwSignal::new(None::<Result<TwoSegments, String>>);
    // The two audiences by their option value; the first two RFM segments
    // until the user picks.
    let picked = RwSignal::new(None::<(String, String)>);
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
            let request = Request::CompareTwo {
                options: ws.record.options.clone(),
                first,
                second,
                lifecycle: ws.analysis.segments.lifecycle,
            };
            let answer = engine.compare_two(request).await;
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
                <h2>"Two segments side by side"</h2>
                <p class="muted">
                    "Pick two segments: each KPI for both, whether the gap is clear or could be chance (rates: two-proportion test; averages: 95% intervals that do not overlap), and what their customers have in common more often than the other's: a city or another column of the customers file, a category bought, an event done."
                </p>
                <div class="thresholds">
                    <label>"Compare " {select(0, "compare-first")}</label>
                    <label>" with " {select(1, "compare-second")}</label>
                </div>
                {move || match result.get() {
                    None => view! { <p class="muted">"Comparing…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                    Some(Ok(t)) => two_view(&t),
                }}
            </section>
        })
    }
}

fn two_view(t: &TwoSegments) -> AnyView {
    let [a, b] = t.names.clone();
    let header = format!(
        "{a}: {}; {b}: {}{}.",
        format::count(t.sizes[0], "customer", "customers"),
        format::count(t.sizes[1], "customer", "customers"),
        if t.overlap > 0 {
            format!("; {} in both", format::int(t.overlap))
        } else {
            String::new()
        }
    );
    let rows = t
        .kpis
        .kpis
        .iter()
        .enumerate()
        .filter_map(|(k, def)| {
            let x = t.kpis.values[0][k].value?;
            let y = t.kpis.values[1][k].value?;
            // Bars from zero, or from the lower value when one is negative
            // (NPS), so that a longer bar is always a higher value.
            let low = x.min(y).min(0.0);
            let top = (x.max(y) - low).max(1e-12);
            let width = |v: f64| format!("width: {:.1}%", ((v - low) / top * 100.0).max(0.5));
            let value = |v: f64| format::kpi_value(def.format, v);
            let verdict = match t.clear[k] {
                Some(true) => "clear difference",
                Some(false) => "could be chance",
                None => "",
            };
            let formula = def.formula.clone();
            Some(view! {
                <div class="pair" data-testid="compare-kpi" title=format!("{} = {formula}", def.name)>
                    <span class="pair-name">{def.name.clone()}
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
    let sentences = t
        .differences
        .iter()
        .map(|d| {
            let tip = format!(
                "{} of {} and {} of {} customers; p = {:.3} (two-proportion test)",
                format::int(d.counts[0]),
                format::int(t.sizes[0]),
                format::int(d.counts[1]),
                format::int(t.sizes[1]),
                d.p_value
            );
            view! { <li title=tip>{d.sentence.clone()}</li> }
        })
        .collect_view();
    let mut csv = format!(
        "kpi,{},{},all customers,clear difference\n",
        csv_field(&a),
        csv_field(&b)
    );
    for (k, def) in t.kpis.kpis.iter().enumerate() {
        let cell = |g: usize| {
            t.kpis.values[g][k]
                .value
                .map(|v| match def.format {
                    KpiFormat::Rate => format!("{v:.4}"),
                    _ => format!("{v:.2}"),
                })
                .unwrap_or_default()
        };
        let clear = match t.clear[k] {
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
        <h3>"Where they differ"</h3>
        {if t.differences.is_empty() {
            view! { <p class="muted" data-testid="compare-differences">"No column of the customers file, category or event is clearly more common in one than in the other."</p> }.into_any()
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
