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

/// A picker of the audiences of [`audiences`], bound to `audience`.
pub fn audience_select(
    ws: &crate::state::Workspace,
    audience: RwSignal<Audience>,
    testid: &'static str,
) -> impl IntoView + use<> {
    let choices = audiences(ws);
    let for_change = choices.clone();
    let options = choices
        .into_iter()
        .map(|(value, label, a)| {
            view! { <option value=value selected=move || audience.get() == a>{label}</option> }
        })
        .collect_view();
    view! {
        <select data-testid=testid on:change=move |ev| {
            let v = event_target_value(&ev);
            if let Some(c) = for_change.iter().find(|c| c.0 == v) {
                audience.set(c.2.clone());
            }
        }>{options}</select>
    }
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
    let mut csv =
        String::from("first_order_month,customers,months_later,customers_ordering,revenue\n");
    for (c, month) in x.months.iter().enumerate().filter(|(c, _)| x.sizes[*c] > 0) {
        for (k, active) in x.active[c].iter().enumerate() {
            csv.push_str(&format!(
                "{month},{},{k},{active},{:.2}\n",
                x.sizes[c], x.revenue[c][k]
            ));
        }
    }
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="heatmap" data-testid="cohort-table">
                <thead><tr><th scope="col">"First order"</th><th scope="col" class="num">"Customers"</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <crate::components::CsvDownload name="cohorts" csv=csv/>
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
    let mut csv = String::from("from_segment,to_segment,customers\n");
    for (a, row) in m.counts.iter().enumerate() {
        for (b, n) in row.iter().enumerate().filter(|(_, n)| **n > 0) {
            csv.push_str(&format!(
                "{},{},{n}\n",
                crate::components::csv_field(&m.segments[a]),
                crate::components::csv_field(&to_names[b])
            ));
        }
    }
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
        <crate::components::CsvDownload name="migration" csv=csv/>
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
            let picker = audience_select(&ws, audience, "cohort-audience");
            let as_of = ws.analysis.as_of;
            view! {
                <section class="card" id="over-time" data-testid="over-time">
                    <h2>"Do customers come back?"</h2>
                    <p class="muted">
                        "Customers grouped by the month of their first order (a cohort); each cell is the share of the cohort who ordered again that many months later, or their spend per customer. Read a row to follow one cohort, a column to compare cohorts at the same age. Cells in italics are months not over yet."
                    </p>
                    <div class="thresholds">
                        <label>"Customers "
                            {picker}
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

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn activity_table(name: &str, grid: &[Vec<u64>], top: f64) -> AnyView {
    let total: u64 = grid.iter().flatten().sum();
    let header = (0..24)
        .map(|h| view! { <th scope="col" class="num hour">{if h % 3 == 0 { format!("{h}h") } else { String::new() }}</th> })
        .collect_view();
    let rows = grid
        .iter()
        .enumerate()
        .map(|(d, row)| {
            let cells = row
                .iter()
                .enumerate()
                .map(|(h, n)| {
                    let share = *n as f64 / total.max(1) as f64;
                    let (bg, _) = chart::sequential_color(share / top.max(1e-12));
                    let title = format!(
                        "{name}, {} {h}:00–{h}:59 UTC: {} events, {} of theirs",
                        WEEKDAYS[d],
                        format::int(*n),
                        format::percent(share)
                    );
                    view! { <td class="dot" style=format!("background:{bg}") title=title><span class="visually-hidden">{n.to_string()}</span></td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{WEEKDAYS[d]}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <figure class="activity">
            <figcaption>{format!("{name}: {} events", format::int(total))}</figcaption>
            <table class="heatmap activity-grid" data-testid="activity-table">
                <thead><tr><th scope="col"></th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
    .into_any()
}

/// The RFM segment shown on the right by default: the first non-empty one.
fn default_right(ws: &crate::state::Workspace) -> Audience {
    ws.analysis
        .non_empty_segments()
        .first()
        .map_or(Audience::All, |s| Audience::Rfm(s.1.clone()))
}

/// When two groups of customers are active, side by side on one scale.
#[component]
pub fn ActivityCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let left = RwSignal::new(Audience::All);
    // None: the default (the first RFM segment).
    let right = RwSignal::new(None::<Audience>);
    let grids = RwSignal::new(None::<Result<(Vec<Vec<u64>>, Vec<Vec<u64>>), String>>);
    Effect::new(move |_| {
        let a = left.get();
        let Some(ws) = state.workspace.get() else {
            return;
        };
        if ws.analysis.event_names.is_empty() {
            return;
        }
        let b = right.get().unwrap_or_else(|| default_right(&ws));
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let ask = |who: Audience| Request::Activity {
                options: ws.record.options.clone(),
                audience: who,
                lifecycle: ws.analysis.segments.lifecycle,
            };
            let one = engine.activity(ask(a)).await;
            let two = engine.activity(ask(b)).await;
            grids.try_set(Some(one.and_then(|x| two.map(|y| (x, y)))));
        });
    });
    move || {
        state.workspace.get().and_then(|ws| {
            if ws.analysis.event_names.is_empty() {
                return None;
            }
            let choices = audiences(&ws);
            let fallback = default_right(&ws);
            let right_now = move || right.get().unwrap_or_else(|| fallback.clone());
            let picker = |current: Box<dyn Fn() -> Audience + Send + Sync>, set: Box<dyn Fn(Audience) + Send + Sync>, id: &'static str| {
                let for_change = choices.clone();
                let current = std::sync::Arc::new(current);
                let options = choices
                    .iter()
                    .map(|(value, label, a)| {
                        let (a, current) = (a.clone(), current.clone());
                        view! { <option value=value.clone() selected=move || current() == a>{label.clone()}</option> }
                    })
                    .collect_view();
                view! {
                    <select data-testid=id on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(c) = for_change.iter().find(|c| c.0 == v) { set(c.2.clone()) }
                    }>{options}</select>
                }
            };
            let left_picker = picker(Box::new(move || left.get()), Box::new(move |a| left.set(a)), "activity-left");
            let right_picker = picker(Box::new(right_now.clone()), Box::new(move |a| right.set(Some(a))), "activity-right");
            let name_of = move |a: &Audience| choices.iter().find(|c| &c.2 == a).map(|c| c.1.clone()).unwrap_or_default();
            Some(view! {
                <section class="card" id="activity" data-testid="activity">
                    <h2>"When are they active?"</h2>
                    <p class="muted">"Web and app events by weekday and hour (UTC), for two groups side by side on the same scale: each cell is the group's share of its own events, so groups of different sizes compare. Hover a cell for the figures."</p>
                    <div class="thresholds">
                        <label>"Left " {left_picker}</label>
                        <label>"Right " {right_picker}</label>
                    </div>
                    {move || match grids.get() {
                        None => view! { <p class="muted">"Counting…"</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                        Some(Ok((a, b))) => {
                            let share_max = |g: &[Vec<u64>]| {
                                let total: u64 = g.iter().flatten().sum();
                                g.iter().flatten().map(|n| *n as f64 / total.max(1) as f64).fold(0.0, f64::max)
                            };
                            let top = share_max(&a).max(share_max(&b));
                            let (left_name, right_name) = (name_of(&left.get_untracked()), name_of(&right_now()));
                            let mut csv = String::from("group,weekday,hour,events\n");
                            for (name, grid) in [(&left_name, &a), (&right_name, &b)] {
                                for (d, row) in grid.iter().enumerate() {
                                    for (h, n) in row.iter().enumerate() {
                                        csv.push_str(&format!("{},{},{h},{n}\n", crate::components::csv_field(name), d + 1));
                                    }
                                }
                            }
                            view! {
                                <div class="activity-pair">
                                    {activity_table(&left_name, &a, top)}
                                    {activity_table(&right_name, &b, top)}
                                </div>
                                <crate::components::CsvDownload name="activity" csv=csv/>
                            }.into_any()
                        }
                    }}
                </section>
            })
        })
    }
}
