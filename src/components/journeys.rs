//! The funnel per segment, side by side.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::journeys::{FunnelSetup, Paths};
use seglens_engine::segment::{Definition, SavedSegment};

use crate::actions;
use crate::chart;
use crate::format;
use crate::protocol::{Audience, Request};
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
            let strict = RwSignal::new(f.strict);
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
            let applied = FunnelSetup { steps: f.steps.clone(), window_days: f.window_days, strict: f.strict };
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
                            "Customers who did the first step, then each next one in order ({}) within {} days of the first. Each cell: customers who reached the step · share of those who started; hover for the drop-off and the median time between steps.",
                            if f.strict { "each right after the previous one, nothing in between" } else { "other events in between allowed" },
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
                        <label title="Each step right after the previous one: any other event in between ends the run">
                            <input type="checkbox" data-testid="funnel-strict" prop:checked=move || strict.get()
                                on:change=move |ev| strict.set(event_target_checked(&ev))/>
                            " in this exact order, nothing in between"
                        </label>
                        <button class="secondary" data-testid="apply-funnel"
                            on:click=move |_| actions::set_funnel(state, FunnelSetup { steps: steps.get_untracked(), window_days: window.get_untracked(), strict: strict.get_untracked() })>
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

/// The paths as a Sankey diagram: a column per step, a bar per event sized
/// by its sessions, bands for the moves from one step to the next.
fn sankey(p: &Paths) -> AnyView {
    let steps = p.nodes.len();
    if steps == 0 || p.sessions == 0 {
        return view! { <p class="hint">"No session to follow for these customers."</p> }
            .into_any();
    }
    let (w, h, bar, gap, top) = (760.0, 320.0, 14.0, 8.0, 8.0);
    let col = |k: usize| 8.0 + k as f64 * (w - 130.0) / (steps - 1).max(1) as f64;
    let biggest = p
        .nodes
        .iter()
        .map(|n| n.iter().map(|x| x.1).sum::<u64>() as f64 + gap * n.len() as f64)
        .fold(1.0, f64::max);
    let scale = (h - 2.0 * top - gap * 8.0) / biggest.max(1.0);
    // Each node's top and height; and how far its outgoing and incoming
    // bands have filled it.
    let mut place: Vec<Vec<(f64, f64)>> = Vec::new();
    for n in &p.nodes {
        let mut y = top;
        place.push(
            n.iter()
                .map(|(_, c)| {
                    let height = (*c as f64 * scale).max(1.5);
                    let at = (y, height);
                    y += height + gap;
                    at
                })
                .collect(),
        );
    }
    let mut out_fill: Vec<Vec<f64>> = place.iter().map(|n| vec![0.0; n.len()]).collect();
    let mut in_fill = out_fill.clone();
    let colour = |name: &str| match name {
        seglens_engine::journeys::PATH_END => "#b0b7c3",
        seglens_engine::journeys::PATH_OTHER => "#8c96a5",
        _ => "#0072B2",
    };
    let bands = p
        .links
        .iter()
        .map(|&(k, a, b, n)| {
            let thick = (n as f64 * scale).max(1.0);
            let (y0, y1) = (
                place[k][a].0 + out_fill[k][a] + thick / 2.0,
                place[k + 1][b].0 + in_fill[k + 1][b] + thick / 2.0,
            );
            out_fill[k][a] += thick;
            in_fill[k + 1][b] += thick;
            let (x0, x1) = (col(k) + bar, col(k + 1));
            let mid = (x0 + x1) / 2.0;
            let title = format!(
                "{} → {}: {} sessions",
                p.nodes[k][a].0,
                p.nodes[k + 1][b].0,
                format::int(n)
            );
            view! {
                <path d=format!("M{x0:.1},{y0:.1} C{mid:.1},{y0:.1} {mid:.1},{y1:.1} {x1:.1},{y1:.1}")
                    fill="none" stroke=colour(&p.nodes[k + 1][b].0) stroke-opacity="0.35" stroke-width=format!("{thick:.1}")>
                    <title>{title}</title>
                </path>
            }
        })
        .collect_view();
    let bars = p
        .nodes
        .iter()
        .enumerate()
        .map(|(k, n)| {
            n.iter()
                .enumerate()
                .map(|(i, (name, c))| {
                    let (y, height) = place[k][i];
                    let label = format!("{name} ({})", format::int(*c));
                    view! {
                        <g>
                            <rect x=format!("{:.1}", col(k)) y=format!("{y:.1}") width=bar height=format!("{height:.1}") fill=colour(name)>
                                <title>{format!("Step {}: {label}", k + 1)}</title>
                            </rect>
                            {(height >= 10.0).then(|| view! {
                                <text x=format!("{:.1}", col(k) + bar + 4.0) y=format!("{:.1}", y + height / 2.0 + 4.0) font-size="11" fill="#1b2430">{label.clone()}</text>
                            })}
                        </g>
                    }
                })
                .collect_view()
        })
        .collect_view();
    view! {
        <svg viewBox=format!("0 0 {w} {h}") role="img" data-testid="paths-chart"
            aria-label=format!("Paths of {} sessions over {steps} steps; hover a band for its sessions", format::int(p.sessions))>
            {bands}{bars}
        </svg>
    }
    .into_any()
}

/// The paths card: where sessions go, step by step, for an audience.
#[component]
pub fn PathsCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let audience = RwSignal::new(Audience::All);
    let from = RwSignal::new(None::<String>);
    let depth = RwSignal::new(4usize);
    let result = RwSignal::new(None::<Result<Paths, String>>);
    Effect::new(move |_| {
        let (who, start, steps) = (audience.get(), from.get(), depth.get());
        let Some(ws) = state.workspace.get() else {
            return;
        };
        if ws.analysis.event_names.is_empty() {
            return;
        }
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let r = engine
                .paths(Request::Paths {
                    options: ws.record.options.clone(),
                    audience: who,
                    lifecycle: ws.analysis.segments.lifecycle,
                    from: start,
                    depth: steps,
                })
                .await;
            result.try_set(Some(r));
        });
    });
    move || {
        state.workspace.get().and_then(|ws| {
            if ws.analysis.event_names.is_empty() {
                return None;
            }
            let picker = crate::components::over_time::audience_select(&ws, audience, "paths-audience");
            let events = ws.analysis.event_names.clone();
            Some(view! {
                <section class="card" id="paths" data-testid="paths">
                    <h2>"Where do sessions go?"</h2>
                    <p class="muted">"Each session followed step by step from its first event (or from the event you pick): the bars are the events at each step, the bands the moves to the next one; “(end)” is where sessions stop. Repeats of the same event in a row count once; the six most frequent events of a step are shown, the others together."</p>
                    <div class="thresholds">
                        <label>"Customers "
                            {picker}
                        </label>
                        <label>"Start at "
                            <select data-testid="paths-from" on:change=move |ev| {
                                let v = event_target_value(&ev);
                                from.set((!v.is_empty()).then_some(v));
                            }>
                                <option value="">"the session's first event"</option>
                                {events.into_iter().map(|e| {
                                    let v = e.clone();
                                    view! { <option value=v>{e}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"Steps "
                            <select data-testid="paths-depth" on:change=move |ev| {
                                if let Ok(n) = event_target_value(&ev).parse() { depth.set(n) }
                            }>
                                {[3usize, 4, 5, 6].into_iter().map(|n| view! { <option value=n.to_string() selected=n == 4>{n.to_string()}</option> }).collect_view()}
                            </select>
                        </label>
                    </div>
                    {move || result.get().map(|r| match r {
                        Ok(p) => {
                            let mut csv = String::from("step,from,to,sessions\n");
                            for (k, a, b, n) in &p.links {
                                csv.push_str(&format!("{},{},{},{n}\n", k + 1, p.nodes[*k][*a].0, p.nodes[k + 1][*b].0));
                            }
                            view! {
                                <p class="muted small" data-testid="paths-summary">{format!("{} sessions followed.", format::int(p.sessions))}</p>
                                {sankey(&p)}
                                <crate::components::ChartDownloads selector="[data-testid=paths-chart]" name="paths" csv=csv/>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="warn">{e}</p> }.into_any(),
                    })}
                </section>
            })
        })
    }
}
