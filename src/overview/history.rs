//! History: snapshots of the compared groups' KPIs (taken on each import
//! and by hand), a KPI drawn over them per group, and the notable changes
//! between the last two.

use leptos::prelude::*;

use crate::i18n::{self, t, tf};
use seglens_engine::metrics::kpi::KpiId;
use seglens_engine::metrics::snapshot::{Snapshot, notable_changes};
use seglens_engine::model::date::format_iso;

use crate::format;
use crate::state::AppState;

/// Colours of the lines, told apart by people with colour-vision
/// deficiencies (Okabe–Ito).
const LINE_COLOURS: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", INK,
];

/// The palette's black, drawn in the theme's text colour (class `ink`) so
/// that it shows on a dark page too.
const INK: &str = "#000000";

/// The day a snapshot was taken, as the language writes dates.
fn taken(s: &Snapshot) -> String {
    seglens_engine::model::date::parse_iso(&s.taken).map_or_else(|| s.taken.clone(), format::date)
}

/// A KPI of every group over the snapshots, as lines.
fn history_svg(snapshots: &[Snapshot], kpi: KpiId, kpi_name: &str) -> AnyView {
    let (w, h, left, right, top, bottom) = (720.0, 260.0, 64.0, 64.0, 16.0, 40.0);
    let mut groups: Vec<String> = Vec::new();
    for s in snapshots {
        for g in &s.groups {
            if !groups.contains(g) {
                groups.push(g.clone());
            }
        }
    }
    let format = snapshots
        .iter()
        .rev()
        .find_map(|s| s.kpis.iter().find(|k| k.0 == kpi).map(|k| k.2))
        .unwrap_or(seglens_engine::metrics::kpi::KpiFormat::Number);
    // "All customers" is a dashed reference, except for sums (customers,
    // revenue), where it would flatten the segments.
    let all = seglens_engine::metrics::kpi::ALL_CUSTOMERS;
    let with_base = ![KpiId::Customers, KpiId::Revenue].contains(&kpi);
    let mut drawn: Vec<(String, &str, bool)> = groups
        .iter()
        .filter(|g| g.as_str() != all)
        .take(LINE_COLOURS.len())
        .enumerate()
        .map(|(i, g)| (g.clone(), LINE_COLOURS[i], false))
        .collect();
    if with_base && groups.iter().any(|g| g == all) {
        drawn.push((all.to_string(), "#5a6472", true));
    }
    let values: Vec<f64> = snapshots
        .iter()
        .flat_map(|s| drawn.iter().filter_map(|(g, _, _)| s.value(g, kpi)))
        .collect();
    let lo = values
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let hi = values
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
        .max(lo + 1e-9);
    let n = snapshots.len();
    let x = |i: usize| {
        if n == 1 {
            left + (w - left - right) / 2.0
        } else {
            left + i as f64 * (w - left - right) / (n - 1) as f64
        }
    };
    let y = |v: f64| top + (hi - v) / (hi - lo) * (h - top - bottom);
    let lines = drawn
        .iter()
        .map(|(g, colour, dashed)| {
            let colour = *colour;
            let points: Vec<(f64, f64, String)> = snapshots
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    s.value(g, kpi).map(|v| {
                        (
                            x(i),
                            y(v),
                            format!(
                                "{}, {}: {}",
                                i18n::name("segment", g),
                                taken(s),
                                format::kpi_value(format, v)
                            ),
                        )
                    })
                })
                .collect();
            let path = points
                .iter()
                .map(|(px, py, _)| format!("{px:.1},{py:.1}"))
                .collect::<Vec<_>>()
                .join(" ");
            let dots = points
                .into_iter()
                .map(|(px, py, title)| {
                    view! { <circle class:ink=colour == INK cx=format!("{px:.1}") cy=format!("{py:.1}") r="4" fill=colour><title>{title}</title></circle> }
                })
                .collect_view();
            view! {
                <g>
                    <polyline class:ink=colour == INK points=path fill="none" stroke=colour stroke-width="2" stroke-dasharray=if *dashed { "6 4" } else { "none" }/>
                    {dots}
                </g>
            }
        })
        .collect_view();
    let legend = drawn
        .iter()
        .map(|(g, colour, dashed)| {
            view! {
                <span class="legend-item">
                    <span class="swatch" class:dashed=*dashed class:ink=*colour == INK style=format!("background:{colour}")></span>
                    {i18n::name("segment", g)}
                </span>
            }
        })
        .collect_view();
    let ticks = snapshots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            // The first and last labels stay inside the chart.
            let anchor = match i {
                _ if n == 1 => "middle",
                0 => "start",
                i if i == n - 1 => "end",
                _ => "middle",
            };
            view! {
                <text class="tick" x=format!("{:.1}", x(i)) y=format!("{:.1}", h - 18.0) font-size="11" text-anchor=anchor fill="#5a6472">{taken(s)}</text>
                <text class="tick" x=format!("{:.1}", x(i)) y=format!("{:.1}", h - 4.0) font-size="10" text-anchor=anchor fill="#5a6472">{tf("history.data_to", &[("0", &format::date(s.as_of - 1))])}</text>
            }
        })
        .collect_view();
    let scale = [lo, (lo + hi) / 2.0, hi]
        .into_iter()
        .map(|v| {
            view! {
                <text class="tick" x=format!("{:.1}", left - 6.0) y=format!("{:.1}", y(v) + 4.0) font-size="11" text-anchor="end" fill="#5a6472">{format::kpi_value(format, v)}</text>
                <line class="grid" x1=left x2=format!("{:.1}", w - right) y1=format!("{:.1}", y(v)) y2=format!("{:.1}", y(v)) stroke="#e4e8ee"/>
            }
        })
        .collect_view();
    let mut csv = String::from("snapshot,analysis_date,group,value\n");
    for s in snapshots {
        for (g, _, _) in &drawn {
            if let Some(v) = s.value(g, kpi) {
                csv.push_str(&format!(
                    "{},{},\"{}\",{v}\n",
                    s.taken,
                    format_iso(s.as_of),
                    g.replace('"', "\"\"")
                ));
            }
        }
    }
    // The same lines for the downloaded picture, drawn by charts-rs.
    let mut model = seglens_charts::Chart::new(
        seglens_charts::Kind::Lines,
        kpi_name,
        format::chart_unit(format),
    );
    model.numbers = format::numbers();
    model.description = t("history.the_kpi_of_each_group");
    model.categories = snapshots.iter().map(taken).collect();
    model.series = drawn
        .iter()
        .map(|(g, _, _)| seglens_charts::Series {
            name: i18n::name("segment", g),
            values: snapshots.iter().map(|s| s.value(g, kpi)).collect(),
        })
        .collect();
    view! {
        <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=t("history.the_kpi_of_each_group") data-testid="history-chart">
            {scale}{ticks}{lines}
        </svg>
        <p class="legend">{legend}</p>
        <crate::shell::ChartDownloads chart=model name=format!("history-{kpi}") csv=csv/>
    }
    .into_any()
}

/// The history card.
#[component]
pub fn HistoryCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let kpi = RwSignal::new(KpiId::Customers);
    move || {
        state.workspace.get().map(|ws| {
            let snapshots = ws.record.snapshots.clone();
            let kpis: Vec<(KpiId, String, String)> = ws
                .analysis
                .kpis
                .kpis
                .iter()
                .map(|k| (k.id, i18n::kpi_name(k), i18n::kpi_formula(k)))
                .collect();
            let names: Vec<(KpiId, String)> = kpis.iter().map(|(id, name, _)| (*id, name.clone())).collect();
            let changes = match snapshots.len() {
                0 | 1 => None,
                n => Some(notable_changes(&snapshots[n - 2], &snapshots[n - 1])),
            };
            let list = snapshots
                .iter()
                .enumerate()
                .rev()
                .map(|(i, s)| {
                    view! {
                        <li data-testid="snapshot">
                            {tf("history.groups_data_up_to", &[("0", &taken(s)), ("1", &(match s.reason.as_str() { "import" => t("history.on_import"), "update" => t("history.on_update"), _ => t("history.taken_by_hand") }).to_string()), ("2", &(s.groups.len()).to_string()), ("3", &format::date(s.as_of - 1))])}
                            <button class="ghost" aria-label=t("history.delete_this_snapshot") title=t("history.delete_this_snapshot")
                                on:click=move |_| crate::overview::actions::edit_snapshots(state, false, Some(i))>"✕"</button>
                        </li>
                    }
                })
                .collect_view();
            let chart_snapshots = snapshots.clone();
            view! {
                <section class="card" id="history" data-testid="history">
                    <h2>{t("history.history")}</h2>
                    <p class="muted">{t("history.a_snapshot_keeps_the_kpis")}</p>
                    <p>
                        <button class="secondary" data-testid="take-snapshot" on:click=move |_| crate::overview::actions::edit_snapshots(state, true, None)>{t("history.take_a_snapshot_now")}</button>
                    </p>
                    <ul class="snapshots">{list}</ul>
                    {match changes {
                        None => view! { <p class="hint" data-testid="changes">{t("history.notable_changes_appear_here_once")}</p> }.into_any(),
                        Some(c) if c.is_empty() => view! { <p class="muted" data-testid="changes">{t("history.nothing_notable_changed_between_the")}</p> }.into_any(),
                        Some(c) => view! {
                            <h3>{t("history.what_changed_since_the_previous")}</h3>
                            <p class="muted small">{t("history.better_worse_a_segment_s")}</p>
                            <ul data-testid="changes">
                                {c.into_iter().take(12).map(|ch| view! {
                                    <li class=match ch.better { Some(true) => "better", Some(false) => "worse", None => "" }>{crate::i18n::change_in_full(&ch)}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }}
                    <label>{t("history.kpi_over_time")}
                        <select data-testid="history-kpi" on:change=move |ev| if let Ok(id) = event_target_value(&ev).parse() { kpi.set(id) }>
                            {kpis.into_iter().map(|(id, name, formula)| {
                                let selected = id == kpi.get_untracked();
                                view! { <option value=id.as_str() title=formula selected=selected>{name}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {move || {
                        let id = kpi.get();
                        let name = names.iter().find(|(k, _)| *k == id).map_or_else(|| id.to_string(), |(_, n)| n.clone());
                        history_svg(&chart_snapshots, id, &name)
                    }}
                </section>
            }
        })
    }
}
