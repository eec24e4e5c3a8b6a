//! The funnel per segment, side by side.

use leptos::prelude::*;
use seglens_engine::journeys::FunnelSetup;
use seglens_engine::segment::{Definition, SavedSegment};

use crate::actions;
use crate::chart;
use crate::format;
use crate::state::AppState;

fn duration(seconds: f64) -> String {
    match seconds {
        s if s < 60.0 => format!("{s:.0} s"),
        s if s < 3600.0 => format!("{:.0} min", s / 60.0),
        s if s < 86_400.0 => format!("{:.1} h", s / 3600.0),
        s => format!("{:.1} days", s / 86_400.0),
    }
}

/// The funnel card, shown when the workspace has events.
#[component]
pub fn FunnelCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().and_then(|ws| {
            let f = ws.analysis.funnel.clone()?;
            let names = ws.analysis.event_names.clone();
            let steps = RwSignal::new(f.steps.clone());
            let window = RwSignal::new(f.window_days);
            let n = f.steps.len();
            // Groups with someone at the first step, "All customers" last.
            let shown: Vec<usize> = (0..f.groups.len())
                .filter(|g| f.counts[*g].first().is_some_and(|s| s.customers > 0) || *g + 1 == f.groups.len())
                .collect();
            let pickers = (0..6)
                .map(|k| {
                    let names = names.clone();
                    view! {
                        <select aria-label=format!("Step {}", k + 1) data-testid=format!("step-{k}")
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                steps.update(|s| {
                                    if v.is_empty() {
                                        s.truncate(k);
                                    } else if k < s.len() {
                                        s[k] = v;
                                    } else {
                                        s.push(v);
                                    }
                                });
                            }>
                            <option value="" selected=move || steps.get().get(k).is_none()>"—"</option>
                            {names.into_iter().map(|e| {
                                let (value, label) = (e.clone(), e.clone());
                                view! { <option value=e selected=move || steps.get().get(k) == Some(&value)>{label}</option> }
                            }).collect_view()}
                        </select>
                    }
                })
                .collect_view();
            let header = shown.iter().map(|g| view! { <th scope="col" class="num">{f.groups[*g].clone()}</th> }).collect_view();
            let rows = (0..n).map(|k| {
                let cells = shown.iter().map(|g| {
                    let c = &f.counts[*g];
                    let first = c[0].customers.max(1) as f64;
                    let rate = c[k].customers as f64 / first;
                    let (bg, light) = chart::sequential_color(rate);
                    let drop = (k > 0 && c[k - 1].customers > 0).then(|| 1.0 - c[k].customers as f64 / c[k - 1].customers as f64);
                    let title = format!(
                        "{} of the {} who did “{}” ({}){}{}",
                        format::int(c[k].customers),
                        format::int(c[0].customers),
                        f.steps[0],
                        format::percent(rate),
                        drop.map(|d| format!("; {} dropped off since the previous step", format::percent(d))).unwrap_or_default(),
                        c[k].median_seconds.map(|s| format!("; median time from the previous step {}", duration(s))).unwrap_or_default(),
                    );
                    view! {
                        <td class="num cell" class:light=light style=format!("background:{bg}") title=title>
                            {format!("{} · {}", format::int(c[k].customers), format::percent(rate))}
                        </td>
                    }
                }).collect_view();
                view! { <tr><th scope="row">{format!("{}. {}", k + 1, f.steps[k])}</th>{cells}</tr> }
            }).collect_view();
            let conversion = shown.iter().map(|g| {
                let c = &f.counts[*g];
                let text = match (c.first(), c.last(), f.conversion_ci[*g]) {
                    (Some(a), Some(b), Some((lo, hi))) if a.customers > 0 => format!(
                        "{} ({}–{})",
                        format::percent(b.customers as f64 / a.customers as f64),
                        format::percent(lo),
                        format::percent(hi)
                    ),
                    _ => "–".into(),
                };
                view! { <td class="num">{text}</td> }
            }).collect_view();
            // Drop-off: who reached a step and went no further, as a segment.
            let all = f.counts.last().cloned().unwrap_or_default();
            let drop_choice = RwSignal::new(1usize);
            let applied = FunnelSetup { steps: f.steps.clone(), window_days: f.window_days };
            let drop_options = (1..n).map(|k| {
                let stopped = all[k - 1].customers.saturating_sub(all[k].customers);
                view! {
                    <option value=k.to_string() selected=k == 1>
                        {format!("did “{}” but not “{}” ({} customers)", f.steps[k - 1], f.steps[k], format::int(stopped))}
                    </option>
                }
            }).collect_view();
            let drop_steps = f.steps.clone();
            let save_drop = move |_| {
                let k = drop_choice.get_untracked();
                actions::save_segment(state, SavedSegment {
                    name: format!("Stopped after {}", drop_steps[k - 1]),
                    version: 1,
                    definition: Definition::FunnelDrop { setup: applied.clone(), reached: k },
                    note: String::new(),
                });
            };
            Some(view! {
                <section class="card" id="journeys" data-testid="funnel">
                    <h2>"How each segment moves through your funnel"</h2>
                    <p class="muted">
                        {format!(
                            "Customers who did the first step, then each next one in order (other events in between allowed) within {} days of the first. Each cell: customers who reached the step · share of those who started; hover for the drop-off and the median time between steps.",
                            f.window_days
                        )}
                    </p>
                    <div class="thresholds">
                        "Steps " {pickers}
                        <label>" within "
                            <input type="number" min="1" max="365" data-testid="funnel-window" prop:value=move || window.get()
                                on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { window.set(v.max(1)) } }/>
                            " days"
                        </label>
                        <button class="secondary" data-testid="apply-funnel"
                            on:click=move |_| actions::set_funnel(state, FunnelSetup { steps: steps.get_untracked(), window_days: window.get_untracked() })>
                            "Apply"
                        </button>
                    </div>
                    <div class="table-wrap" tabindex="0">
                        <table class="heatmap" data-testid="funnel-table">
                            <thead><tr><th scope="col">"Step"</th>{header}</tr></thead>
                            <tbody>
                                {rows}
                                <tr class="base"><th scope="row">"Overall conversion (95% interval)"</th>{conversion}</tr>
                            </tbody>
                        </table>
                    </div>
                    {(n > 1).then(|| view! {
                        <div class="thresholds">
                            <label>"Customers who "
                                <select data-testid="drop-step" on:change=move |ev| {
                                    if let Ok(k) = event_target_value(&ev).parse::<usize>() { drop_choice.set(k) }
                                }>{drop_options}</select>
                            </label>
                            <button class="secondary" data-testid="save-drop" on:click=save_drop>"Save as a segment"</button>
                            <span class="muted small">"e.g. cart abandoners, for a reminder e-mail: they appear in My segments, ready to download."</span>
                        </div>
                    })}
                </section>
            })
        })
    }
}

/// Which segment uses what: the share of each group's sessions with each
/// event, as a heatmap.
#[component]
pub fn UsageCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().and_then(|ws| {
            let u = ws.analysis.usage.clone()?;
            let shown: Vec<usize> = (0..u.events.len()).take(12).collect();
            let header = shown
                .iter()
                .map(|e| view! { <th scope="col" class="num">{u.events[*e].clone()}</th> })
                .collect_view();
            let rows = (0..u.groups.len())
                .filter(|g| u.sessions[*g] > 0)
                .map(|g| {
                    let base = g + 1 == u.groups.len();
                    let cells = shown
                        .iter()
                        .map(|e| {
                            let share = u.hits[g][*e] as f64 / u.sessions[g] as f64;
                            let (bg, light) = chart::sequential_color(share);
                            let title = format!(
                                "{}: “{}” in {} of their {} sessions ({})",
                                u.groups[g],
                                u.events[*e],
                                format::int(u.hits[g][*e]),
                                format::int(u.sessions[g]),
                                format::percent(share)
                            );
                            view! {
                                <td class="num cell" class:light=light style=format!("background:{bg}") title=title>{format::percent(share)}</td>
                            }
                        })
                        .collect_view();
                    view! {
                        <tr class:base=base>
                            <th scope="row">{u.groups[g].clone()}</th>
                            <td class="num">{format::int(u.sessions[g])}</td>
                            {cells}
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <section class="card" id="usage" data-testid="usage">
                    <h2>"Which segment uses what"</h2>
                    <p class="muted">
                        "For each group compared above, the share of its sessions (by session id, or cut after 30 minutes without an event) in which each event happens: where a segment stops, what it looks at more than the others."
                    </p>
                    <div class="table-wrap" tabindex="0">
                        <table class="heatmap" data-testid="usage-table">
                            <thead><tr><th scope="col">"Group"</th><th scope="col" class="num">"Sessions"</th>{header}</tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </section>
            })
        })
    }
}
