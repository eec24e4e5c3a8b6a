//! The funnel per segment, side by side.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::journeys::{FunnelSetup, PathSetup, Paths, StageMix, Step, StepFilter};
use seglens_engine::segments::{Definition, SavedSegment};

use crate::chart;
use crate::format;
use crate::i18n::{t, tf};
use crate::protocol::{Audience, ask};
use crate::state::AppState;

fn duration(seconds: f64) -> String {
    match seconds {
        s if s < 60.0 => format!("{} s", format::decimal(s, 0)),
        s if s < 3600.0 => tf("journeys.min", &[("0", &format::decimal(s / 60.0, 0))]),
        s if s < 86_400.0 => format!("{} h", format::decimal(s / 3600.0, 1)),
        s => tf("journeys.days", &[("0", &format::decimal(s / 86_400.0, 1))]),
    }
}

/// Narrows a step to the events where another column (page, channel,
/// campaign...) has a value or contains a text.
fn narrow_editor(
    steps: RwSignal<Vec<String>>,
    properties: Vec<(String, Vec<String>)>,
) -> impl IntoView + use<> {
    if properties.is_empty() {
        return None;
    }
    // Shown first: the first narrowed step, as it is narrowed.
    let current = steps.with_untracked(|s| {
        s.iter()
            .enumerate()
            .find_map(|(k, step)| Step::parse(step).filter.map(|f| (k, f)))
    });
    let which = RwSignal::new(current.as_ref().map_or(0, |c| c.0));
    let column = RwSignal::new(
        current
            .as_ref()
            .map_or_else(|| properties[0].0.clone(), |c| c.1.column.clone()),
    );
    let contains = RwSignal::new(current.as_ref().is_some_and(|c| c.1.contains));
    let value = RwSignal::new(
        current
            .as_ref()
            .map_or_else(String::new, |c| c.1.value.clone()),
    );
    let values_of = properties.clone();
    let suggestions = move || {
        let c = column.get();
        values_of
            .iter()
            .find(|p| p.0 == c)
            .map(|p| p.1.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|v| view! { <option value=v/> })
            .collect_view()
    };
    let apply = move |clear: bool| {
        let (k, v) = (which.get_untracked(), value.get_untracked());
        steps.update(|s| {
            if let Some(step) = s.get_mut(k) {
                let mut parsed = Step::parse(step);
                parsed.filter = (!clear && !v.trim().is_empty()).then(|| StepFilter {
                    column: column.get_untracked(),
                    contains: contains.get_untracked(),
                    value: v.trim().to_string(),
                });
                *step = parsed.write();
            }
        });
    };
    Some(view! {
        <div class="thresholds" data-testid="funnel-narrow">
            <label>{t("journeys.narrow_step")}
                <select data-testid="narrow-step" on:change=move |ev| {
                    if let Ok(k) = event_target_value(&ev).parse::<usize>() { which.set(k) }
                }>
                    {move || (0..steps.get().len()).map(|k| view! {
                        <option value=k.to_string() selected=move || which.get() == k>{(k + 1).to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{t("journeys.to_events_whose")}
                <select data-testid="narrow-column" on:change=move |ev| column.set(event_target_value(&ev))>
                    {properties.iter().map(|p| {
                        let (v, name) = (p.0.clone(), p.0.clone());
                        view! { <option value=v selected=move || column.get() == name>{p.0.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <select data-testid="narrow-op" aria-label=t("journeys.how_to_compare") on:change=move |ev| contains.set(event_target_value(&ev) == "contains")>
                <option value="is" selected=move || !contains.get()>{t("journeys.is")}</option>
                <option value="contains" selected=move || contains.get()>{t("journeys.contains")}</option>
            </select>
            <input type="text" list="narrow-values" data-testid="narrow-value" aria-label=t("journeys.value") placeholder=t("journeys.a_value_e_g_c")
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            <datalist id="narrow-values">{suggestions}</datalist>
            <button class="secondary" data-testid="narrow-apply" on:click=move |_| apply(false)>{t("journeys.narrow")}</button>
            <button class="link" data-testid="narrow-clear" on:click=move |_| apply(true)>{t("journeys.remove_the_narrowing")}</button>
            <span class="muted small">{t("journeys.ignoring_case_then_apply_e")}</span>
        </div>
    })
}

/// The funnel card, shown when the workspace has events.
#[component]
pub fn FunnelCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().and_then(|ws| {
            let f = ws.analysis.funnel.clone()?;
            let options = ws.record.options.clone();
            let names = ws.analysis.event_names.clone();
            let properties = ws.analysis.event_properties.clone();
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
                        <select aria-label=tf("journeys.step", &[("0", &(k + 1).to_string())]) data-testid=format!("step-{k}")
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                steps.update(|s| {
                                    if v.is_empty() {
                                        s.truncate(k);
                                    } else if k < s.len() {
                                        // A new event keeps the step's narrowing.
                                        let filter = Step::parse(&s[k]).filter;
                                        s[k] = Step { event: v, filter }.write();
                                    } else {
                                        s.push(v);
                                    }
                                });
                            }>
                            <option value="" selected=move || steps.get().get(k).is_none()>"—"</option>
                            {names.into_iter().map(|e| {
                                let (value, label) = (e.clone(), e.clone());
                                view! { <option value=e selected=move || steps.get().get(k).is_some_and(|s| Step::parse(s).event == value)>{label}</option> }
                            }).collect_view()}
                        </select>
                    }
                })
                .collect_view();
            let header = shown.iter().map(|g| view! { <th scope="col" class="num">{crate::i18n::row_name(&f.groups[*g], &options)}</th> }).collect_view();
            let rows = (0..n).map(|k| {
                let cells = shown.iter().map(|g| {
                    let c = &f.counts[*g];
                    let first = c[0].customers.max(1) as f64;
                    let rate = c[k].customers as f64 / first;
                    let (bg, light) = chart::sequential_color(rate);
                    let drop = (k > 0 && c[k - 1].customers > 0).then(|| 1.0 - c[k].customers as f64 / c[k - 1].customers as f64);
                    let title = tf("journeys.of_the_who_did", &[("0", &format::int(c[k].customers)), ("1", &format::int(c[0].customers)), ("2", &(Step::parse(&f.steps[0]).describe()).to_string()), ("3", &format::percent(rate)), ("4", &(drop.map(|d| tf("journeys.dropped_off_since_the_previous", &[("0", &format::percent(d))])).unwrap_or_default()).to_string()), ("5", &(c[k].median_seconds.map(|s| tf("journeys.median_time_from_the_previous", &[("0", &(duration(s)).to_string())])).unwrap_or_default()).to_string())]);
                    view! {
                        <td class="num cell" class:light=light style=format!("background:{bg}") title=title>
                            {format!("{} · {}", format::int(c[k].customers), format::percent(rate))}
                        </td>
                    }
                }).collect_view();
                view! { <tr><th scope="row">{format!("{}. {}", k + 1, Step::parse(&f.steps[k]).describe())}</th>{cells}</tr> }
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
            let mut funnel_csv = String::from("group,step,event,customers,share_of_first,median_minutes_from_previous\n");
            for g in &shown {
                let c = &f.counts[*g];
                for (k, step) in f.steps.iter().enumerate() {
                    funnel_csv.push_str(&format!(
                        "{},{},{},{},{:.4},{}\n",
                        crate::shell::csv_field(&f.groups[*g]),
                        k + 1,
                        crate::shell::csv_field(step),
                        c[k].customers,
                        c[k].customers as f64 / c[0].customers.max(1) as f64,
                        c[k].median_seconds.map(|s| format!("{:.1}", s / 60.0)).unwrap_or_default()
                    ));
                }
            }
            // Drop-off: who reached a step and went no further, as a segment.
            let all = f.counts.last().cloned().unwrap_or_default();
            let drop_choice = RwSignal::new(1usize);
            let applied = FunnelSetup { steps: f.steps.clone(), window_days: f.window_days, strict: f.strict };
            let drop_options = (1..n).map(|k| {
                let stopped = all[k - 1].customers.saturating_sub(all[k].customers);
                view! {
                    <option value=k.to_string() selected=k == 1>
                        {tf("journeys.did_but_not_customers", &[("0", &(Step::parse(&f.steps[k - 1]).describe()).to_string()), ("1", &(Step::parse(&f.steps[k]).describe()).to_string()), ("2", &format::int(stopped))])}
                    </option>
                }
            }).collect_view();
            let drop_steps = f.steps.clone();
            let save_drop = move |_| {
                let k = drop_choice.get_untracked();
                crate::segments::actions::save_segment(state, SavedSegment {
                    name: tf("journeys.stopped_after", &[("0", &(Step::parse(&drop_steps[k - 1]).describe()).to_string())]),
                    version: 1,
                    definition: Definition::FunnelDrop { setup: applied.clone(), reached: k },
                    note: String::new(),
                });
            };
            Some(view! {
                <section class="card" id="journeys" data-testid="funnel">
                    <h2>{t("journeys.how_each_segment_moves_through")}</h2>
                    <p class="muted">
                        {tf("journeys.customers_who_did_the_first", &[("0", &(if f.strict { t("journeys.each_right_after_the_previous") } else { t("journeys.other_events_in_between_allowed") }).to_string()), ("1", &f.window_days.to_string())])}
                    </p>
                    <div class="thresholds">
                        {t("journeys.steps")} {pickers}
                        <label>" " {t("journeys.within")} " "
                            <input type="number" min="1" max="365" data-testid="funnel-window" prop:value=move || window.get()
                                on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { window.set(v.max(1)) } }/>
                            " " {t("rfm_editor.unit_days")}
                        </label>
                        <label title=t("journeys.each_step_right_after_the")>
                            <input type="checkbox" data-testid="funnel-strict" prop:checked=move || strict.get()
                                on:change=move |ev| strict.set(event_target_checked(&ev))/>
                            {t("journeys.in_this_exact_order_nothing")}
                        </label>
                        <button class="secondary" data-testid="apply-funnel"
                            on:click=move |_| crate::journeys::actions::set_funnel(state, FunnelSetup { steps: steps.get_untracked(), window_days: window.get_untracked(), strict: strict.get_untracked() })>
                            {t("journeys.apply")}
                        </button>
                    </div>
                    {narrow_editor(steps, properties)}
                    <p class="muted small" data-testid="funnel-pending">
                        {move || {
                            let list: Vec<String> = steps.get().iter().map(|s| Step::parse(s).describe()).collect();
                            tf("journeys.steps_2", &[("0", &(list.join(" → ")).to_string())])
                        }}
                    </p>
                    <div class="table-wrap" tabindex="0">
                        <table class="heatmap" data-testid="funnel-table">
                            <thead><tr><th scope="col">{t("journeys.step_2")}</th>{header}</tr></thead>
                            <tbody>
                                {rows}
                                <tr class="base"><th scope="row">{t("journeys.overall_conversion_95_interval")}</th>{conversion}</tr>
                            </tbody>
                        </table>
                    </div>
                    <crate::shell::CsvDownload name="funnel" csv=funnel_csv/>
                    {(n > 1).then(|| view! {
                        <div class="thresholds">
                            <label>{t("journeys.customers_who")}
                                <select data-testid="drop-step" on:change=move |ev| {
                                    if let Ok(k) = event_target_value(&ev).parse::<usize>() { drop_choice.set(k) }
                                }>{drop_options}</select>
                            </label>
                            <button class="secondary" data-testid="save-drop" on:click=save_drop>{t("journeys.save_as_a_segment")}</button>
                            <span class="muted small">{t("journeys.e_g_cart_abandoners_for")}</span>
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
            let options = ws.record.options.clone();
            let shown: Vec<usize> = (0..u.events.len()).take(12).collect();
            let mut csv = String::from("group,sessions,event,sessions_with_event\n");
            for g in (0..u.groups.len()).filter(|g| u.sessions[*g] > 0) {
                for (e, name) in u.events.iter().enumerate() {
                    csv.push_str(&format!(
                        "{},{},{},{}\n",
                        crate::shell::csv_field(&u.groups[g]),
                        u.sessions[g],
                        crate::shell::csv_field(name),
                        u.hits[g][e]
                    ));
                }
            }
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
                            let title = tf("journeys.in_of_their_sessions", &[("0", &crate::i18n::row_name(&u.groups[g], &options)), ("1", &(u.events[*e]).to_string()), ("2", &format::int(u.hits[g][*e])), ("3", &format::int(u.sessions[g])), ("4", &format::percent(share))]);
                            view! {
                                <td class="num cell" class:light=light style=format!("background:{bg}") title=title>{format::percent(share)}</td>
                            }
                        })
                        .collect_view();
                    view! {
                        <tr class:base=base>
                            <th scope="row">{crate::i18n::row_name(&u.groups[g], &options)}</th>
                            <td class="num">{format::int(u.sessions[g])}</td>
                            {cells}
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <section class="card" id="usage" data-testid="usage">
                    <h2>{t("journeys.which_segment_uses_what")}</h2>
                    <p class="muted">
                        {t("journeys.for_each_group_compared_above")}
                    </p>
                    <div class="table-wrap" tabindex="0">
                        <table class="heatmap" data-testid="usage-table">
                            <thead><tr><th scope="col">{t("journeys.group")}</th><th scope="col" class="num">{t("journeys.sessions")}</th>{header}</tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <crate::shell::CsvDownload name="usage" csv=csv/>
                </section>
            })
        })
    }
}

/// The paths as a Sankey diagram: a column per step, a bar per event sized
/// by its sessions, bands for the moves from one step to the next.
fn sankey(p: &Paths, testid: &'static str) -> AnyView {
    let steps = p.nodes.len();
    if steps == 0 || p.sessions == 0 {
        return view! { <p class="hint">{t("journeys.no_session_to_follow_for")}</p> }.into_any();
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
        seglens_engine::journeys::PATH_END | seglens_engine::journeys::PATH_START => "#b0b7c3",
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
            let title = tf("journeys.sessions_2", &[("0", &(p.nodes[k][a].0).to_string()), ("1", &(p.nodes[k + 1][b].0).to_string()), ("2", &format::int(n))]);
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
                                <title>{tf("journeys.step_3", &[("0", &(k + 1).to_string()), ("label", &label.to_string())])}</title>
                            </rect>
                            {(height >= 10.0).then(|| view! {
                                <text class="label" x=format!("{:.1}", col(k) + bar + 4.0) y=format!("{:.1}", y + height / 2.0 + 4.0) font-size="11" fill="#1b2430">{label.clone()}</text>
                            })}
                        </g>
                    }
                })
                .collect_view()
        })
        .collect_view();
    view! {
        <svg viewBox=format!("0 0 {w} {h}") role="img" data-testid=testid
            aria-label=tf("journeys.paths_of_sessions_over_steps", &[("0", &format::int(p.sessions)), ("steps", &steps.to_string())])>
            {bands}{bars}
        </svg>
    }
    .into_any()
}

/// The paths card: where sessions go, step by step, for an audience, and
/// for a second one side by side.
#[component]
pub fn PathsCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let audience = RwSignal::new(Audience::All);
    let other = RwSignal::new(None::<Audience>);
    // "", "from:EVENT" or "to:EVENT".
    let anchor = RwSignal::new(String::new());
    let depth = RwSignal::new(4usize);
    let gap = RwSignal::new(30u32);
    let result = RwSignal::new(None::<Result<Paths, String>>);
    let result_b = RwSignal::new(None::<Result<Paths, String>>);
    let setup = move || {
        let a = anchor.get();
        PathSetup {
            from: a.strip_prefix("from:").map(str::to_string),
            to: a.strip_prefix("to:").map(str::to_string),
            depth: depth.get(),
            top: 6,
            session_gap_minutes: gap.get(),
        }
    };
    let fetch =
        move |who: Audience, setup: PathSetup, into: RwSignal<Option<Result<Paths, String>>>| {
            let Some(ws) = state.workspace.get_untracked() else {
                return;
            };
            spawn_local(async move {
                let engine = state.services.with_value(|s| s.engine.clone());
                let r = engine
                    .ask(ask::Paths {
                        options: ws.record.options.clone(),
                        audience: who,
                        lifecycle: ws.analysis.segments.lifecycle,
                        setup,
                    })
                    .await;
                into.try_set(Some(r));
            });
        };
    Effect::new(move |_| {
        let (who, setup) = (audience.get(), setup());
        if state
            .workspace
            .get()
            .is_some_and(|ws| !ws.analysis.event_names.is_empty())
        {
            fetch(who, setup, result);
        }
    });
    Effect::new(move |_| {
        let (who, setup) = (other.get(), setup());
        match who {
            Some(who)
                if state
                    .workspace
                    .get()
                    .is_some_and(|ws| !ws.analysis.event_names.is_empty()) =>
            {
                fetch(who, setup, result_b)
            }
            _ => result_b.set(None),
        }
    });
    let chart = move |r: Result<Paths, String>,
                      testid: &'static str,
                      summary: &'static str,
                      name: &'static str,
                      who: String| match r {
        Ok(p) => {
            let mut csv = String::from("step,from,to,sessions\n");
            for (k, a, b, n) in &p.links {
                csv.push_str(&format!(
                    "{},{},{},{n}\n",
                    k + 1,
                    p.nodes[*k][*a].0,
                    p.nodes[k + 1][*b].0
                ));
            }
            let selector = if testid == "paths-chart" {
                "[data-testid=paths-chart]"
            } else {
                "[data-testid=paths-chart-b]"
            };
            view! {
                <div>
                    <p class="muted small" data-testid=summary>{tf("journeys.sessions_followed", &[("who", &who.to_string()), ("0", &format::int(p.sessions))])}</p>
                    {sankey(&p, testid)}
                    <crate::shell::ChartDownloads selector=selector name=name csv=csv/>
                </div>
            }.into_any()
        }
        Err(e) => view! { <p class="warn">{e}</p> }.into_any(),
    };
    move || {
        state.workspace.get().and_then(|ws| {
            if ws.analysis.event_names.is_empty() {
                return None;
            }
            let picker = crate::journeys::over_time::audience_select(&ws, audience, "paths-audience");
            let choices = crate::journeys::over_time::audiences(&ws);
            let label_of = {
                let choices = choices.clone();
                move |a: &Audience| choices.iter().find(|c| &c.2 == a).map(|c| c.1.clone()).unwrap_or_default()
            };
            let for_change = choices.clone();
            let compare = view! {
                <select data-testid="paths-compare" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    other.set(for_change.iter().find(|c| c.0 == v).map(|c| c.2.clone()));
                }>
                    <option value="" selected=move || other.get().is_none()>{t("journeys.nobody_one_chart")}</option>
                    {choices.into_iter().map(|(value, label, a)| {
                        view! { <option value=value selected=move || other.get() == Some(a.clone())>{label}</option> }
                    }).collect_view()}
                </select>
            };
            let events = ws.analysis.event_names.clone();
            let anchors = events.iter().map(|e| {
                let v = format!("from:{e}");
                view! { <option value=v>{tf("journeys.from", &[("e", &e.to_string())])}</option> }
            }).chain(events.iter().map(|e| {
                let v = format!("to:{e}");
                view! { <option value=v>{tf("journeys.leading_to", &[("e", &e.to_string())])}</option> }
            })).collect_view();
            let label_a = label_of.clone();
            Some(view! {
                <section class="card" id="paths" data-testid="paths">
                    <h2>{t("journeys.where_do_sessions_go")}</h2>
                    <p class="muted">{t("journeys.each_session_followed_step_by")}</p>
                    <div class="thresholds">
                        <label>{t("journeys.customers")}
                            {picker}
                        </label>
                        <label>{t("journeys.side_by_side_with")}
                            {compare}
                        </label>
                        <label>{t("journeys.follow_sessions")}
                            <select data-testid="paths-from" on:change=move |ev| anchor.set(event_target_value(&ev))>
                                <option value="">{t("journeys.from_their_first_event")}</option>
                                {anchors}
                            </select>
                        </label>
                        <label>{t("journeys.steps")}
                            <select data-testid="paths-depth" on:change=move |ev| {
                                if let Ok(n) = event_target_value(&ev).parse() { depth.set(n) }
                            }>
                                {[3usize, 4, 5, 6].into_iter().map(|n| view! { <option value=n.to_string() selected=n == 4>{n.to_string()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label title=t("journeys.used_when_the_events_file")>
                            {t("journeys.a_session_ends_after")}
                            <input type="number" min="1" max="1440" data-testid="paths-gap" prop:value=move || gap.get()
                                on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { gap.set(v.clamp(1, 1440)) } }/>
                            {t("journeys.minutes_without_an_event_files")}
                        </label>
                    </div>
                    <div class:pair=move || other.get().is_some()>
                        {move || result.get().map(|r| chart(r, "paths-chart", "paths-summary", "paths", label_a(&audience.get())))}
                        {move || other.get().and_then(|who| result_b.get().map(|r| chart(r, "paths-chart-b", "paths-summary-b", "paths-2", label_of(&who))))}
                    </div>
                </section>
            })
        })
    }
}

/// Colours of the stages, light to dark (colour-blind safe, Okabe–Ito).
const STAGE_COLOURS: [&str; 3] = ["#56B4E9", "#E69F00", "#009E73"];
/// The stages' names.
/// The catalogue keys of the three journey stages.
const STAGE_NAMES: [&str; 3] = ["kpis.awareness", "kpis.consideration", "kpis.decision"];

/// The stage mix as stacked bars, one per month: each bar the shares of
/// the month's active customers by the furthest stage they reached.
fn stage_mix_chart(mix: &StageMix) -> AnyView {
    let (w, h, left, bottom, top) = (760.0, 240.0, 40.0, 28.0, 8.0);
    let n = mix.months.len().max(1);
    let step = (w - left - 8.0) / n as f64;
    let height = h - bottom - top;
    let bars = mix
        .months
        .iter()
        .zip(&mix.counts)
        .enumerate()
        .map(|(i, (month, c))| {
            let total: u64 = c.iter().sum();
            let x = left + i as f64 * step + step * 0.15;
            let mut y = top + height;
            let parts = (0..3)
                .map(|s| {
                    let share = if total > 0 { c[s] as f64 / total as f64 } else { 0.0 };
                    let hgt = share * height;
                    y -= hgt;
                    let title = tf("journeys.of_active_customers_reached_at", &[("month", &month.to_string()), ("0", &format::int(c[s])), ("1", &format::int(total)), ("2", &t(STAGE_NAMES[s])), ("3", &format::percent(share))]);
                    view! {
                        <rect x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{:.1}", step * 0.7) height=format!("{hgt:.1}") fill=STAGE_COLOURS[s]>
                            <title>{title}</title>
                        </rect>
                    }
                })
                .collect_view();
            let label = match (month.get(2..4), month.get(5..7).and_then(|m| m.parse::<usize>().ok())) {
                (Some(yy), Some(m)) if (1..=12).contains(&m) => format!("{} {yy}", t(&format!("month.{m}"))),
                _ => month.clone(),
            };
            view! {
                <g>
                    {parts}
                    <text class="label" x=format!("{:.1}", x + step * 0.35) y=format!("{:.1}", h - 10.0) font-size="11" text-anchor="middle" fill="#1b2430">{label}</text>
                </g>
            }
        })
        .collect_view();
    let ticks = [0.0, 0.5, 1.0]
        .into_iter()
        .map(|t| {
            let y = top + height * (1.0 - t);
            view! {
                <g>
                    <line class="grid" x1=format!("{left:.1}") x2=format!("{:.1}", w - 8.0) y1=format!("{y:.1}") y2=format!("{y:.1}") stroke="#d6dbe3"/>
                    <text class="tick" x=format!("{:.1}", left - 6.0) y=format!("{:.1}", y + 4.0) font-size="11" text-anchor="end" fill="#5b6676">{format::whole_percent(t)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg viewBox=format!("0 0 {w} {h}") role="img" data-testid="stage-mix-chart"
            aria-label=t("journeys.share_of_each_month_s")>
            {ticks}{bars}
        </svg>
    }
    .into_any()
}

/// The stage mix month by month, for an audience.
#[component]
pub fn StageMixCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let audience = RwSignal::new(Audience::All);
    let result = RwSignal::new(None::<Result<StageMix, String>>);
    Effect::new(move |_| {
        let who = audience.get();
        let Some(ws) = state.workspace.get() else {
            return;
        };
        if ws.analysis.event_names.is_empty() {
            return;
        }
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let r = engine
                .ask(ask::StageMix {
                    options: ws.record.options.clone(),
                    audience: who,
                    lifecycle: ws.analysis.segments.lifecycle,
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
            let picker = crate::journeys::over_time::audience_select(&ws, audience, "stage-mix-audience");
            let own_mapping = matches!(
                ws.record.options.rows,
                seglens_engine::segments::groups::Rows::Split(seglens_engine::segments::splits::Split::Journey { .. })
            );
            let legend = || {
                (0..3)
                    .map(|s| view! { <span class="legend-item"><span class="swatch" style=format!("background:{}", STAGE_COLOURS[s])></span>{t(STAGE_NAMES[s])}</span> })
                    .collect_view()
            };
            Some(view! {
                <section class="card" id="stage-mix" data-testid="stage-mix">
                    <h2>{t("journeys.how_far_do_they_go")}</h2>
                    <p class="muted">
                        {tf("journeys.each_month_the_customers_with", &[("0", &(if own_mapping { t("journeys.events_are_mapped_to_stages") } else { t("journeys.events_are_mapped_to_stages_2") }).to_string())])}
                    </p>
                    <div class="thresholds"><label>{t("journeys.customers")} {picker}</label></div>
                    {move || match result.get() {
                        None => view! { <p class="muted">{t("journeys.counting")}</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                        Some(Ok(mix)) => {
                            let mut csv = String::from("month,awareness,consideration,decision\n");
                            for (m, c) in mix.months.iter().zip(&mix.counts) {
                                csv.push_str(&format!("{m},{},{},{}\n", c[0], c[1], c[2]));
                            }
                            let active: u64 = mix.counts.iter().flatten().sum();
                            if active == 0 {
                                return view! { <p class="hint">{t("journeys.none_of_these_customers_had")}</p> }.into_any();
                            }
                            view! {
                                <p class="legend">{legend()}</p>
                                {stage_mix_chart(&mix)}
                                <crate::shell::ChartDownloads selector="[data-testid=stage-mix-chart]" name="stage-mix" csv=csv/>
                            }.into_any()
                        }
                    }}
                </section>
            })
        })
    }
}
