//! Over time: monthly cohort retention as a heatmap, and how customers
//! moved between RFM segments since an earlier date.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::cohorts::{Cohorts, Migration};
use seglens_engine::date::{Day, format_iso, parse_iso};

use crate::chart;
use crate::format;
use crate::protocol::{Audience, Request};
use crate::state::AppState;

/// The audiences a card can look at: all customers, each non-empty RFM
/// segment, each saved segment.
pub fn audiences(ws: &crate::state::Workspace) -> Vec<(String, String, Audience)> {
    let mut out = vec![(
        "all".to_string(),
        "all customers".to_string(),
        Audience::All,
    )];
    for (_, name, _) in ws.analysis.non_empty_segments() {
        out.push((format!("rfm:{name}"), name.clone(), Audience::Rfm(name)));
    }
    for s in &ws.record.options.segments {
        out.push((
            format!("saved:{}", s.name),
            format!("{} (my segment)", s.name),
            Audience::Saved(s.definition.clone()),
        ));
    }
    out
}

fn cohort_table(x: &Cohorts, revenue: bool) -> AnyView {
    let width = x.active.first().map_or(0, Vec::len).min(13);
    let header = (0..width)
        .map(|k| view! { <th scope="col" class="num">{if k == 0 { "first month".to_string() } else { format!("+{k}") }}</th> })
        .collect_view();
    let per_customer: Vec<Vec<f64>> = x
        .revenue
        .iter()
        .zip(&x.sizes)
        .map(|(row, n)| row.iter().map(|r| r / (*n).max(1) as f64).collect())
        .collect();
    let top_revenue = per_customer
        .iter()
        .flat_map(|r| r.iter().skip(1))
        .fold(0.0f64, |a, b| a.max(*b))
        .max(1e-9);
    let rows = x
        .months
        .iter()
        .enumerate()
        .filter(|(c, _)| x.sizes[*c] > 0)
        .map(|(c, month)| {
            let size = x.sizes[c];
            let cells = (0..width)
                .map(|k| {
                    let Some(active) = x.active[c].get(k) else {
                        return view! { <td></td> }.into_any();
                    };
                    let share = *active as f64 / size as f64;
                    let partial = x.last_month_partial && k + 1 == x.active[c].len();
                    let (value, shade) = if revenue {
                        let v = per_customer[c][k];
                        (format::money(v), if k == 0 { 1.0 } else { v / top_revenue })
                    } else {
                        (format::percent(share), share)
                    };
                    let (bg, light) = chart::sequential_color(shade);
                    let title = format!(
                        "{} customers who first ordered in {month}: {} ordered {} ({}), spending {} in all{}",
                        format::int(size),
                        format::int(*active),
                        if k == 0 { "that month".to_string() } else { format!("{k} month{} later", if k == 1 { "" } else { "s" }) },
                        format::percent(share),
                        format::money(x.revenue[c][k]),
                        if partial { "; this month is not over" } else { "" }
                    );
                    view! {
                        <td class="num cell" class:light=light class:ns=partial style=format!("background:{bg}") title=title>{value}</td>
                    }
                    .into_any()
                })
                .collect_view();
            view! { <tr><th scope="row">{month.clone()}</th><td class="num">{format::int(size)}</td>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="heatmap" data-testid="cohort-table">
                <thead><tr><th scope="col">"First order"</th><th scope="col" class="num">"Customers"</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn migration_table(m: &Migration) -> AnyView {
    let k = m.segments.len() - 1;
    let to_names = m.segments[..k].to_vec();
    let header = to_names
        .iter()
        .map(|s| view! { <th scope="col" class="num">{s.clone()}</th> })
        .collect_view();
    let rows = m
        .counts
        .iter()
        .enumerate()
        .filter(|(_, row)| row.iter().sum::<u64>() > 0)
        .map(|(a, row)| {
            let total: u64 = row.iter().sum();
            let cells = row
                .iter()
                .enumerate()
                .map(|(b, n)| {
                    let share = *n as f64 / total.max(1) as f64;
                    let (bg, light) = chart::sequential_color(share);
                    let title = format!(
                        "{} of the {} customers who were {} on {} are {} on {} ({})",
                        format::int(*n),
                        format::int(total),
                        m.segments[a],
                        format_iso(m.from),
                        to_names[b],
                        format_iso(m.to),
                        format::percent(share)
                    );
                    view! { <td class="num cell" class:light=light style=format!("background:{bg}") title=title>{format::int(*n)}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{m.segments[a].clone()}</th>{cells}<td class="num">{format::int(total)}</td></tr> }
        })
        .collect_view();
    let stayed: u64 = (0..k).map(|s| m.counts[s][s]).sum();
    let known: u64 = m.counts[..k].iter().flatten().sum();
    view! {
        <p data-testid="migration-summary">{format!(
            "Of the {} customers already scored on {}, {} ({}) are in the same segment on {}.",
            format::int(known), format_iso(m.from), format::int(stayed),
            format::percent(stayed as f64 / known.max(1) as f64), format_iso(m.to)
        )}</p>
        <div class="table-wrap" tabindex="0">
            <table class="heatmap" data-testid="migration-table">
                <thead><tr><th scope="col">{format!("On {} ↓ / on {} →", format_iso(m.from), format_iso(m.to))}</th>{header}<th scope="col" class="num">"Customers"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The over-time card.
#[component]
pub fn OverTimeCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let audience = RwSignal::new(Audience::All);
    let revenue = RwSignal::new(false);
    let cohorts = RwSignal::new(None::<Result<Cohorts, String>>);
    let from = RwSignal::new(None::<Day>);
    let migration = RwSignal::new(None::<Result<Migration, String>>);
    Effect::new(move |_| {
        let who = audience.get();
        let Some(ws) = state.workspace.get() else {
            return;
        };
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let request = Request::Cohorts {
                options: ws.record.options.clone(),
                audience: who,
                lifecycle: ws.analysis.segments.lifecycle,
            };
            let answer = engine.cohorts(request).await;
            cohorts.try_set(Some(answer));
        });
    });
    Effect::new(move |_| {
        let Some(ws) = state.workspace.get() else {
            return;
        };
        let day = from.get().unwrap_or(ws.analysis.as_of - 90);
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let request = Request::Migration {
                options: ws.record.options.clone(),
                from: day,
            };
            let answer = engine.migration(request).await;
            migration.try_set(Some(answer));
        });
    });
    move || {
        state.workspace.get().map(|ws| {
            let choices = audiences(&ws);
            let for_change = choices.clone();
            let options = choices
                .into_iter()
                .map(|(value, label, a)| view! { <option value=value selected=move || audience.get() == a>{label}</option> })
                .collect_view();
            let as_of = ws.analysis.as_of;
            view! {
                <section class="card" id="over-time" data-testid="over-time">
                    <h2>"Do customers come back?"</h2>
                    <p class="muted">
                        "Customers grouped by the month of their first order (a cohort); each cell is the share of the cohort who ordered again that many months later, or their spend per customer. Read a row to follow one cohort, a column to compare cohorts at the same age. Cells in italics are months not over yet."
                    </p>
                    <div class="thresholds">
                        <label>"Customers "
                            <select data-testid="cohort-audience" on:change=move |ev| {
                                let v = event_target_value(&ev);
                                if let Some(c) = for_change.iter().find(|c| c.0 == v) { audience.set(c.2.clone()) }
                            }>{options}</select>
                        </label>
                        <button class="secondary" aria-pressed=move || (!revenue.get()).to_string() on:click=move |_| revenue.set(false)>"Share ordering"</button>
                        <button class="secondary" data-testid="cohort-revenue" aria-pressed=move || revenue.get().to_string() on:click=move |_| revenue.set(true)>"Spend per customer"</button>
                    </div>
                    {move || match cohorts.get() {
                        None => view! { <p class="muted">"Counting…"</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                        Some(Ok(x)) if x.months.is_empty() => view! { <p class="hint">"These customers have no order before the analysis date."</p> }.into_any(),
                        Some(Ok(x)) => cohort_table(&x, revenue.get()),
                    }}
                    <h3>"How customers moved between segments"</h3>
                    <p class="muted">"Each customer's RFM segment on an earlier date (rows) and on the analysis date (columns), with the same rules: the diagonal stayed put; everything else moved. Hover a cell for the share of its row."</p>
                    <div class="thresholds">
                        <label>"Earlier date "
                            <input type="date" data-testid="migration-from" max=format_iso(as_of - 1)
                                prop:value=move || format_iso(from.get().unwrap_or(as_of - 90))
                                on:change=move |ev| { if let Some(d) = parse_iso(&event_target_value(&ev)) { from.set(Some(d)) } }/>
                        </label>
                    </div>
                    {move || match migration.get() {
                        None => view! { <p class="muted">"Counting…"</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                        Some(Ok(m)) => migration_table(&m),
                    }}
                </section>
            }
        })
    }
}
