//! Segments beyond RFM: lifecycle stages and the base's monthly flows, the
//! saved segments side by side with their member lists, and clusters.

use leptos::prelude::*;
use seglens_engine::cluster::{ClusterSetup, Feature};
use seglens_engine::groups::{Rows, SortBy};
use seglens_engine::lifecycle::{Flow, LifecycleSetup, Stage};
use seglens_engine::orders::ColumnType;
use seglens_engine::segment::{Definition, SavedSegment};

use crate::actions;
use crate::components::export::{ExportChoices, SqlChoices};
use crate::format;
use crate::state::{AppState, MemberView};

fn stage_help(stage: Stage, s: &LifecycleSetup) -> String {
    match stage {
        Stage::Prospect => {
            "Known from another file (customers, e-mails, events) but no order yet.".into()
        }
        Stage::New => format!("First order within the last {} days.", s.new_days),
        Stage::OneTime => format!(
            "One order, more than {} days ago, and not yet at risk.",
            s.new_days
        ),
        Stage::Repeat => format!(
            "Two to {} orders, the last within {} days.",
            s.loyal_orders.saturating_sub(1).max(2),
            s.at_risk_after
        ),
        Stage::Loyal => format!(
            "{} orders or more, the last within {} days.",
            s.loyal_orders, s.at_risk_after
        ),
        Stage::AtRisk => format!(
            "Last order {} to {} days ago: later than most customers come back.",
            s.at_risk_after + 1,
            s.lapsed_after
        ),
        Stage::Lapsed => format!("No order for more than {} days.", s.lapsed_after),
    }
}

fn open_members(state: AppState, name: String, definition: Definition) {
    actions::show_members(
        state,
        MemberView {
            name,
            definition,
            search: String::new(),
            sort: SortBy::Spend,
            page: 0,
            result: None,
        },
    );
}

/// The monthly flows as stacked bars: new, returning and resurrecting
/// customers above the axis, dormant ones below.
fn flows_svg(flows: &[Flow]) -> AnyView {
    let (w, h, pad) = (720.0, 220.0, 28.0);
    let up = flows
        .iter()
        .map(|f| (f.new + f.returning + f.resurrecting) as f64)
        .fold(1.0, f64::max);
    let down = flows.iter().map(|f| f.dormant as f64).fold(0.0, f64::max);
    let scale = (h - 2.0 * pad) / (up + down).max(1.0);
    let axis = pad + up * scale;
    let n = flows.len().max(1) as f64;
    let bw = (w - 2.0 * pad) / n;
    let bars = flows
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let x = pad + i as f64 * bw + bw * 0.12;
            let width = bw * 0.76;
            let mut y = axis;
            let mut rects = Vec::new();
            for (v, class) in [
                (f.returning, "returning"),
                (f.resurrecting, "resurrecting"),
                (f.new, "new"),
            ] {
                let hgt = v as f64 * scale;
                y -= hgt;
                rects.push(view! { <rect class=class x=x y=y width=width height=hgt/> });
            }
            let dormant = f.dormant as f64 * scale;
            let title = format!(
                "{}{}: {} new, {} returning, {} resurrecting, {} dormant",
                f.label,
                if f.complete { "" } else { " (so far)" },
                f.new,
                f.returning,
                f.resurrecting,
                f.dormant
            );
            let every = (flows.len() / 8).max(1);
            let label = (i % every == 0).then(|| {
                view! { <text x=x + width / 2.0 y=h - 6.0 text-anchor="middle" class="tick">{f.label.clone()}</text> }
            });
            view! {
                <g class:partial=!f.complete>
                    <title>{title}</title>
                    {rects}
                    <rect class="dormant" x=x y=axis width=width height=dormant/>
                    {label}
                </g>
            }
        })
        .collect_view();
    let mut csv = String::from("month,new,returning,resurrecting,dormant,complete\n");
    for f in flows {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            crate::components::csv_field(&f.label),
            f.new,
            f.returning,
            f.resurrecting,
            f.dormant,
            f.complete
        ));
    }
    view! {
        <svg class="flows" viewBox=format!("0 0 {w} {h}") role="img" aria-label="New, returning, resurrecting and dormant customers per month (the table below has the figures)">
            {bars}
            <line x1=pad x2=w - pad y1=axis y2=axis class="axis"/>
        </svg>
        <crate::components::CsvDownload name="lifecycle-flows" csv=csv/>
    }
    .into_any()
}

fn flows_sentence(flows: &[Flow]) -> String {
    let done: Vec<&Flow> = flows.iter().filter(|f| f.complete).collect();
    let Some(last) = done.last() else {
        return String::new();
    };
    let recent: Vec<&&Flow> = done.iter().rev().take(3).collect();
    let gained: u64 = recent.iter().map(|f| f.new + f.resurrecting).sum();
    let lost: u64 = recent.iter().map(|f| f.dormant).sum();
    format!(
        "Over the last {} complete months (to {}), {} customers came in (new or back) and {} went quiet: the active base {} by {}.",
        recent.len(),
        last.label,
        format::int(gained),
        format::int(lost),
        if gained >= lost { "grew" } else { "shrank" },
        format::int(gained.abs_diff(lost))
    )
}

/// Lifecycle stages with editable thresholds, and the monthly flows.
#[component]
pub fn LifecycleCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let weekly = RwSignal::new(false);
    move || {
        state.workspace.get().map(|ws| {
            let o = ws.analysis.segments.clone();
            let setup = o.lifecycle;
            let custom = ws.record.options.lifecycle.is_some();
            let fields = [
                RwSignal::new(setup.new_days),
                RwSignal::new(setup.at_risk_after),
                RwSignal::new(setup.lapsed_after),
                RwSignal::new(setup.loyal_orders),
            ];
            let total = o.customers.max(1) as f64;
            let rows = o.stages.iter().map(|s| {
                let stage = s.stage;
                let label = stage.label();
                view! {
                    <tr>
                        <th scope="row" title=stage_help(stage, &setup)>{label}</th>
                        <td class="muted small">{stage_help(stage, &setup)}</td>
                        <td class="num">{format::int(s.customers)}</td>
                        <td class="num">{format::percent(s.customers as f64 / total)}</td>
                        <td class="num">{format::money(s.revenue)}</td>
                        <td class="actions">
                            <button class="link" disabled=s.customers == 0
                                on:click=move |_| open_members(state, label.to_string(), Definition::Lifecycle(stage))>"Members"</button>
                            <button class="link" data-testid=format!("save-stage-{stage:?}")
                                on:click=move |_| actions::save_segment(state, SavedSegment {
                                    name: label.to_string(),
                                    version: 1,
                                    definition: Definition::Lifecycle(stage),
                                    note: String::new(),
                                })>"Save as segment"</button>
                        </td>
                    </tr>
                }
            }).collect_view();
            let inputs = [
                ("New: first order within", "days", 0usize, "lc-new"),
                ("At risk after", "days", 1, "lc-risk"),
                ("Lapsed after", "days", 2, "lc-lapsed"),
                ("Loyal from", "orders", 3, "lc-loyal"),
            ]
            .into_iter()
            .map(|(label, unit, i, id)| {
                let f = fields[i];
                view! {
                    <label>{label} " "
                        <input type="number" min="1" max="3650" data-testid=id prop:value=move || f.get()
                            on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { f.set(v.max(1)) } }/>
                        " " {unit}
                    </label>
                }
            })
            .collect_view();
            let apply = move |_| {
                let s = LifecycleSetup {
                    new_days: fields[0].get_untracked(),
                    at_risk_after: fields[1].get_untracked(),
                    lapsed_after: fields[2].get_untracked(),
                    loyal_orders: fields[3].get_untracked(),
                };
                if s.at_risk_after >= s.lapsed_after {
                    state.error.set(Some("“Lapsed after” must be longer than “at risk after”.".into()));
                    return;
                }
                actions::set_lifecycle(state, Some(s));
            };
            let table = o.flows.iter().map(|f| view! {
                <tr>
                    <th scope="row">{f.label.clone()}{(!f.complete).then_some(" (so far)")}</th>
                    <td class="num">{format::int(f.new)}</td>
                    <td class="num">{format::int(f.returning)}</td>
                    <td class="num">{format::int(f.resurrecting)}</td>
                    <td class="num">{format::int(f.dormant)}</td>
                </tr>
            }).collect_view();
            view! {
                <section class="card" id="lifecycle" data-testid="lifecycle">
                    <h2>"Where each customer is in their lifecycle"</h2>
                    <p class="muted">
                        "Every customer falls in exactly one stage, from their orders up to the analysis date. "
                        {if custom { "Thresholds set by you. ".to_string() } else { format!("Thresholds read from your data: {} ", o.suggestion.explanation) }}
                    </p>
                    <div class="table-wrap" tabindex="0">
                        <table data-testid="lifecycle-table">
                            <thead><tr>
                                <th scope="col">"Stage"</th><th scope="col">"Who"</th>
                                <th scope="col" class="num">"Customers"</th><th scope="col" class="num">"Share"</th>
                                <th scope="col" class="num" title="Net spend before the analysis date">"Revenue"</th><th scope="col"></th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <div class="thresholds">
                        {inputs}
                        <button class="secondary" data-testid="apply-lifecycle" on:click=apply>"Apply"</button>
                        {custom.then(|| view! {
                            <button class="link" on:click=move |_| actions::set_lifecycle(state, None)>"Use the data's thresholds"</button>
                        })}
                    </div>
                    <h3>"Customers coming and going, period by period"</h3>
                    <p class="muted">
                        "Above the line, customers who ordered in the month (or week): "
                        <span class="key new">"new"</span>" (first order), "
                        <span class="key returning">"returning"</span>" (ordered the period before too) and "
                        <span class="key resurrecting">"resurrecting"</span>" (back after a break). Below it, "
                        <span class="key dormant">"dormant"</span>": ordered the period before, not this one. The last, paler bar is the period still under way."
                    </p>
                    <p data-testid="flows-summary">{flows_sentence(&o.flows)}</p>
                    <div class="thresholds" role="group" aria-label="Period">
                        <button class="secondary" aria-pressed=move || (!weekly.get()).to_string() on:click=move |_| weekly.set(false)>"Per month"</button>
                        <button class="secondary" data-testid="flows-weekly" aria-pressed=move || weekly.get().to_string() on:click=move |_| weekly.set(true)>"Per week"</button>
                    </div>
                    {
                        let (monthly, weeks) = (o.flows.clone(), o.weekly_flows.clone());
                        move || if weekly.get() { flows_svg(&weeks) } else { flows_svg(&monthly) }
                    }
                    <details>
                        <summary>"The figures, per month"</summary>
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="flows-table">
                                <thead><tr><th scope="col">"Month"</th><th scope="col" class="num">"New"</th><th scope="col" class="num">"Returning"</th><th scope="col" class="num">"Resurrecting"</th><th scope="col" class="num">"Dormant"</th></tr></thead>
                                <tbody>{table}</tbody>
                            </table>
                        </div>
                    </details>
                </section>
            }
        })
    }
}

/// The saved segments side by side, with their member lists.
#[component]
pub fn SavedSegments() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().map(|ws| {
            let saved = ws.analysis.segments.saved.clone();
            let definitions = ws.record.options.segments.clone();
            let total = ws.analysis.segments.customers.max(1) as f64;
            let rows_choice = ws.record.options.rows.clone();
            let overview = ws.analysis.segments.clone();
            let base_spread = overview.base_spread;
            let ticked = RwSignal::new(Vec::<String>::new());
            let notes = ws.record.notes.clone();
            let notes_of = move |name: &str| {
                notes.iter().filter(|n| n.about == name).map(|n| view! {
                    <span class="segment-note">{format!("{} — {}", n.written, n.text)}</span>
                }).collect_view()
            };
            let all_definitions = definitions.clone();
            let body = saved.iter().zip(definitions).enumerate().map(|(i, (s, def))| {
                let quality = overview.quality.get(i).copied().flatten().map(|q| {
                    let title = format!(
                        "On recency, frequency and spend put on the same scale: its {} buyers are {:.2} from their own centre on average (all buyers: {}), and their centre is {:.2} from the average buyer. Smaller spread = more alike; larger distance = more different from the rest.",
                        format::int(q.buyers),
                        q.spread,
                        base_spread.map(|b| format!("{b:.2}")).unwrap_or_default(),
                        q.distance
                    );
                    view! {
                        <td class="num" title=title.clone()>{format!("{:.2}", q.spread)}</td>
                        <td class="num" title=title>{format!("{:.2}", q.distance)}</td>
                    }
                });
                let (name, name2, name3) = (s.name.clone(), s.name.clone(), s.name.clone());
                let (name4, name5, name6) = (s.name.clone(), s.name.clone(), s.name.clone());
                let (d1, d2, d3) = (def.definition.clone(), def.definition.clone(), def.definition.clone());
                let count = match &s.customers {
                    Ok(n) => view! {
                        <td class="num">{format::int(*n)}</td>
                        <td class="num">{format::percent(*n as f64 / total)}</td>
                    }.into_any(),
                    Err(e) => view! { <td colspan="2" class="error-text">{e.clone()}</td> }.into_any(),
                };
                view! {
                    <tr data-testid="saved-segment">
                        <td><input type="checkbox" aria-label=format!("Tick {}", s.name)
                            prop:checked=move || ticked.with(|t| t.contains(&name4))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let n = name5.clone();
                                ticked.update(|t| { t.retain(|x| *x != n); if on { t.push(n); } });
                            }/></td>
                        <th scope="row">{s.name.clone()}<span class="muted small">{format!(" v{}", def.version)}</span></th>
                        <td class="small">{s.description.clone()}
                            {notes_of(&s.name)}
                        </td>
                        {count}
                        {match quality {
                            Some(q) => q.into_any(),
                            None => view! { <td class="num">"–"</td><td class="num">"–"</td> }.into_any(),
                        }}
                        <td class="actions">
                            <button class="link" data-testid="open-members" on:click=move |_| open_members(state, name.clone(), d1.clone())>"Members"</button>
                            <button class="link" data-testid="download-segment" on:click=move |_| actions::export_segment(state, name2.clone(), vec![(name2.clone(), d2.clone())])>"Download"</button>
                            <button class="link" data-testid="segment-sql" title="A SQL query over your own tables that returns these customers" on:click=move |_| actions::segment_sql(state, name6.clone(), d3.clone())>"SQL"</button>
                            <button class="link danger" aria-label=format!("Delete {}", s.name) on:click=move |_| actions::delete_segment(state, name3.clone())>"Delete"</button>
                        </td>
                    </tr>
                }
            }).collect_view();
            let empty = saved.is_empty();
            view! {
                <section class="card" id="my-segments" data-testid="saved-segments">
                    <h2>"My segments"</h2>
                    {if empty {
                        view! { <p class="hint">"No saved segment yet. Build one from rules below, save a lifecycle stage or a cluster, and it appears here: you can then open its members, download them and compare it with the others on every KPI."</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap" tabindex="0">
                                <table data-testid="saved-table">
                                    <thead><tr><th scope="col"><span class="visually-hidden">"Ticked"</span></th><th scope="col">"Segment"</th><th scope="col">"What it selects"</th><th scope="col" class="num">"Customers"</th><th scope="col" class="num">"Share"</th>
                                        <th scope="col" class="num" title="How alike its buyers are on recency, frequency and spend (root mean squared distance to their centre, on a common scale). Smaller: more alike.">"Spread inside"</th>
                                        <th scope="col" class="num" title="How far its buyers' centre is from the average buyer on the same scale. Larger: more different from the rest.">"Distance from average"</th>
                                        <th scope="col"></th></tr></thead>
                                    <tbody>{body}</tbody>
                                </table>
                            </div>
                            <p class="muted small">{format!(
                                "Spread inside: how alike a segment's buyers are (all buyers: {}); distance from average: how different they are from the rest. A good segment has a small spread and a large distance.",
                                base_spread.map(|b| format!("{b:.2}")).unwrap_or_else(|| "–".into())
                            )}</p>
                            <h3>"Download or run elsewhere"</h3>
                            <ExportChoices testid="segment-export"/>
                            <p>
                                <button class="secondary" data-testid="download-ticked" on:click=move |_| {
                                    let picked: Vec<(String, Definition)> = ticked.get_untracked().into_iter()
                                        .filter_map(|n| all_definitions.iter().find(|d| d.name == n).map(|d| (n, d.definition.clone())))
                                        .collect();
                                    actions::export_segment(state, "segments".into(), picked)
                                }>"Download the ticked segments in one file"</button>
                                {move || state.last_export.get().map(|(file, rows, without)| view! {
                                    <span class="muted small" data-testid="segment-export-done">{format!(
                                        " {file}: {} customers written{}",
                                        format::int(rows),
                                        if without > 0 { format!(", {} left out for want of an e-mail address", format::int(without)) } else { String::new() }
                                    )}</span>
                                })}
                            </p>
                            <SqlChoices testid="segment-sql"/>
                            {move || state.last_sql.get().map(|q| view! {
                                <details class="sql"><summary>"The last query"</summary><pre data-testid="segment-sql-text">{q}</pre></details>
                            })}
                            {overlap_view(&overview)}
                            <p>
                                {if rows_choice == Rows::Saved {
                                    view! { <span class="muted">"The KPI heatmap compares these segments."</span> }.into_any()
                                } else {
                                    view! { <button class="secondary" data-testid="compare-saved" on:click=move |_| actions::set_rows(state, Rows::Saved)>"Compare them on every KPI"</button> }.into_any()
                                }}
                            </p>
                        }.into_any()
                    }}
                    <MemberList/>
                </section>
            }
        })
    }
}

/// The overlap of the saved segments as a heatmap: customers in both,
/// coloured by the Jaccard index.
fn overlap_view(o: &seglens_engine::groups::Overview) -> Option<AnyView> {
    if o.overlap.len() < 2 {
        return None;
    }
    let names: Vec<String> = o.saved.iter().map(|s| s.name.clone()).collect();
    let header = names
        .iter()
        .map(|n| view! { <th scope="col" class="num">{n.clone()}</th> })
        .collect_view();
    let rows = (0..names.len()).map(|i| {
        let cells = (0..names.len()).map(|j| {
            let both = o.overlap[i][j];
            let jac = seglens_engine::groups::jaccard(&o.overlap, i, j);
            let (bg, light) = crate::chart::sequential_color(jac);
            let title = if i == j {
                format!("{}: {} customers", names[i], format::int(both))
            } else {
                format!(
                    "{} customers are in both “{}” and “{}”: {} of the first, {} of the second; Jaccard index {:.2} (customers in both ÷ customers in either)",
                    format::int(both), names[i], names[j],
                    format::percent(both as f64 / o.overlap[i][i].max(1) as f64),
                    format::percent(both as f64 / o.overlap[j][j].max(1) as f64),
                    jac
                )
            };
            view! { <td class="num cell" class:light=light style=format!("background:{bg}") title=title>{format::int(both)}</td> }
        }).collect_view();
        view! { <tr><th scope="row">{names[i].clone()}</th>{cells}</tr> }
    }).collect_view();
    Some(view! {
        <h3>"How the segments overlap"</h3>
        <p class="muted small">"Customers in both segments; the darker the cell, the more the two segments are the same customers (Jaccard index). Hover a cell for the shares."</p>
        <div class="table-wrap" tabindex="0">
            <table class="heatmap" data-testid="overlap">
                <thead><tr><th scope="col"></th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }.into_any())
}

/// The member list of the segment opened: searchable, sortable, paged.
#[component]
pub fn MemberList() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.members.get().map(|m| {
            let (m1, m2, m3, m4) = (m.clone(), m.clone(), m.clone(), m.clone());
            let content = match &m.result {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error-text">{e.clone()}</p> }.into_any(),
                Some(Ok(p)) => {
                    let pages = (p.matching as usize).div_ceil(p.page_size).max(1);
                    let rows = p.rows.iter().map(|r| view! {
                        <tr>
                            <td>{r.customer.clone()}</td>
                            <td>{r.name.clone()}</td>
                            <td>{r.email.clone()}</td>
                            <td class="num">{r.orders}</td>
                            <td class="num">{format::money(r.spend)}</td>
                            <td>{r.last_order.clone().unwrap_or_else(|| "–".into())}</td>
                            <td class="num">{r.p_alive.map(format::percent).unwrap_or_else(|| "–".into())}</td>
                            <td class="num">{r.predicted_value.map(format::money).unwrap_or_else(|| "–".into())}</td>
                        </tr>
                    }).collect_view();
                    let page = p.page;
                    view! {
                        <p class="muted" data-testid="members-count">
                            {format!("{} members{}, page {} of {}", format::int(p.total),
                                if p.matching != p.total { format!(", {} matching", format::int(p.matching)) } else { String::new() },
                                page + 1, pages)}
                        </p>
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="members-table">
                                <thead><tr><th scope="col">"Customer"</th><th scope="col">"Name"</th><th scope="col">"E-mail"</th><th scope="col" class="num">"Orders"</th><th scope="col" class="num">"Spend"</th><th scope="col">"Last order"</th>
                                    <th scope="col" class="num" title="The probability that the customer still buys from you (BG/NBD model)">"Chance active"</th>
                                    <th scope="col" class="num" title="Expected orders × expected spend over the next 52 weeks, discounted 1% a month (BG/NBD and Gamma-Gamma)">"Predicted value"</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        <div class="thresholds">
                            <button class="secondary" disabled=page == 0
                                on:click=move |_| actions::show_members(state, MemberView { page: page.saturating_sub(1), ..m3.clone() })>"Previous"</button>
                            <button class="secondary" disabled={page + 1 >= pages} data-testid="members-next"
                                on:click=move |_| actions::show_members(state, MemberView { page: page + 1, ..m4.clone() })>"Next"</button>
                        </div>
                    }.into_any()
                }
            };
            view! {
                <div class="members" data-testid="members">
                    <h3>{format!("Members of “{}”", m.name)}
                        <button class="link" on:click=move |_| state.members.set(None)>" Close"</button>
                    </h3>
                    <div class="thresholds">
                        <label>"Search "
                            <input type="search" data-testid="members-search" placeholder="id, name or e-mail" prop:value=m.search.clone()
                                on:change=move |ev| actions::show_members(state, MemberView { search: event_target_value(&ev), page: 0, ..m1.clone() })/>
                        </label>
                        <label>"Sort by "
                            <select on:change=move |ev| {
                                let sort = match event_target_value(&ev).as_str() {
                                    "orders" => SortBy::Orders,
                                    "last" => SortBy::LastOrder,
                                    "customer" => SortBy::Customer,
                                    "value" => SortBy::PredictedValue,
                                    "risk" => SortBy::ChurnRisk,
                                    _ => SortBy::Spend,
                                };
                                actions::show_members(state, MemberView { sort, page: 0, ..m2.clone() })
                            }>
                                <option value="spend" selected=m.sort == SortBy::Spend>"highest spend"</option>
                                <option value="orders" selected=m.sort == SortBy::Orders>"most orders"</option>
                                <option value="last" selected=m.sort == SortBy::LastOrder>"most recent order"</option>
                                <option value="customer" selected=m.sort == SortBy::Customer>"customer id"</option>
                                <option value="value" selected=m.sort == SortBy::PredictedValue>"highest predicted value"</option>
                                <option value="risk" selected=m.sort == SortBy::ChurnRisk>"most at risk of leaving"</option>
                            </select>
                        </label>
                    </div>
                    {content}
                </div>
            }
        })
    }
}

fn silhouette_svg(curve: &[(usize, f64)], best: Option<usize>) -> AnyView {
    let (w, h, pad) = (360.0, 150.0, 24.0);
    let n = curve.len().max(1) as f64;
    let bw = (w - 2.0 * pad) / n;
    let top = curve.iter().map(|c| c.1).fold(0.0, f64::max).max(0.1);
    let bars = curve
        .iter()
        .enumerate()
        .map(|(i, (k, s))| {
            let hgt = (s.max(0.0) / top) * (h - 2.0 * pad);
            let x = pad + i as f64 * bw + bw * 0.15;
            view! {
                <g>
                    <title>{format!("k = {k}: silhouette {s:.3}")}</title>
                    <rect class:best=Some(*k) == best x=x y=h - pad - hgt width=bw * 0.7 height=hgt/>
                    <text x=x + bw * 0.35 y=h - 8.0 text-anchor="middle" class="tick">{k.to_string()}</text>
                    <text x=x + bw * 0.35 y=h - pad - hgt - 4.0 text-anchor="middle" class="tick">{format!("{s:.2}")}</text>
                </g>
            }
        })
        .collect_view();
    let mut csv = String::from("k,silhouette\n");
    for (k, v) in curve {
        csv.push_str(&format!("{k},{v:.4}\n"));
    }
    view! {
        <svg class="silhouette" viewBox=format!("0 0 {w} {h}") role="img"
            aria-label=format!("Silhouette for k = 2 to 10; the highest is at k = {}", best.map(|b| b.to_string()).unwrap_or_default())>
            {bars}
        </svg>
        <crate::components::CsvDownload name="silhouette" csv=csv/>
    }
    .into_any()
}

/// k-means clusters on features the user picks.
#[component]
pub fn ClustersCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let k = RwSignal::new(4usize);
    let picked = RwSignal::new(None::<Vec<Feature>>);
    move || {
        state.workspace.get().map(|ws| {
            let numeric: Vec<String> = ws
                .analysis
                .segments
                .columns
                .iter()
                .filter(|c| matches!(c.kind, ColumnType::Integer | ColumnType::Number) && !c.name.to_lowercase().contains("postcode") && !c.name.to_lowercase().contains("zip"))
                .map(|c| c.name.clone())
                .collect();
            let has_engagement = !ws.analysis.event_names.is_empty()
                || ws.analysis.kpis.kpis.iter().zip(ws.analysis.kpis.values.last().cloned().unwrap_or_default())
                    .any(|(k, v)| k.id == "open_rate" && v.missing.is_none());
            let mut all = vec![
                (Feature::Recency, "Recency (days since last order)"),
                (Feature::Frequency, "Frequency (orders)"),
                (Feature::Monetary, "Monetary (spend)"),
                (Feature::Tenure, "Tenure (days since first order)"),
                (Feature::AverageOrderValue, "Average order value"),
            ];
            if has_engagement {
                all.push((Feature::Engagement, "Engagement (share of e-mails opened)"));
            }
            let defaults: Vec<Feature> = all.iter().filter(|(f, _)| !matches!(f, Feature::AverageOrderValue)).map(|x| x.0.clone()).collect();
            if picked.get_untracked().is_none() {
                picked.set(Some(defaults));
            }
            let mut options: Vec<(Feature, String)> = all.into_iter().map(|(f, l)| (f, l.to_string())).collect();
            options.extend(numeric.into_iter().map(|c| (Feature::Attribute(c.clone()), format!("{c} (customers file)"))));
            let boxes = options.into_iter().map(|(f, label)| {
                let (f1, f2) = (f.clone(), f.clone());
                view! {
                    <label class="check">
                        <input type="checkbox" data-testid=format!("feature-{}", f.key())
                            prop:checked=move || picked.get().is_some_and(|p| p.contains(&f1))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                picked.update(|p| {
                                    let p = p.get_or_insert_with(Vec::new);
                                    p.retain(|x| *x != f2);
                                    if on { p.push(f2.clone()); }
                                })
                            }/>
                        " " {label}
                    </label>
                }
            }).collect_view();
            let features = move || picked.get_untracked().unwrap_or_default();
            let silhouette = move || state.silhouette.get().map(|s| match s {
                Ok((curve, best)) => view! {
                    <div data-testid="silhouette">
                        <p>{format!(
                            "The silhouette measures how well separated the clusters are (from −1 to 1, higher is better). {}",
                            best.map(|b| format!("It is highest at k = {b}: a good number of clusters to start from.")).unwrap_or_default()
                        )}</p>
                        {silhouette_svg(&curve, best)}
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="error-text">{e}</p> }.into_any(),
            });
            let result = move || state.clustering.get().map(|c| match c {
                Ok(c) => {
                    let setup = c.setup.clone();
                    let rows = c.profiles.iter().enumerate().map(|(i, p)| {
                        let setup = setup.clone();
                        let (s1, name, name2) = (setup.clone(), p.name.clone(), p.name.clone());
                        view! {
                            <tr data-testid="cluster-row">
                                <th scope="row">{p.name.clone()}</th>
                                <td class="num">{format::int(p.customers)}</td>
                                <td>{p.description.clone()}</td>
                                <td class="actions">
                                    <button class="link" on:click=move |_| open_members(state, name.clone(), Definition::Cluster { setup: s1.clone(), cluster: i })>"Members"</button>
                                    <button class="link" data-testid=format!("save-cluster-{}", i + 1)
                                        on:click=move |_| actions::save_segment(state, SavedSegment {
                                            name: name2.clone(),
                                            version: 1,
                                            definition: Definition::Cluster { setup: setup.clone(), cluster: i },
                                            note: String::new(),
                                        })>"Save as segment"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view();
                    view! {
                        <p class="muted" data-testid="cluster-quality">{format!(
                            "{} clusters on {}. Silhouette {}: {}.",
                            c.profiles.len(),
                            c.setup.features.iter().map(|f| f.key()).collect::<Vec<_>>().join(", "),
                            c.silhouette.map(|s| format!("{s:.2}")).unwrap_or_else(|| "–".into()),
                            match c.silhouette { Some(s) if s >= 0.5 => "clearly separated groups", Some(s) if s >= 0.25 => "groups that overlap somewhat", _ => "groups that overlap a lot: try other features or another k" }
                        )}</p>
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="clusters-table">
                                <thead><tr><th scope="col">"Cluster"</th><th scope="col" class="num">"Customers"</th><th scope="col">"What sets it apart"</th><th scope="col"></th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }.into_any()
                }
                Err(e) => view! { <p class="error-text">{e}</p> }.into_any(),
            });
            view! {
                <section class="card" id="clusters" data-testid="clusters">
                    <h2>"Let the data find groups (clusters)"</h2>
                    <p class="muted">"k-means groups customers who look alike on the features you tick (each put on the same scale first). It finds groups no rule would think of; each is described by what sets it apart from the average customer."</p>
                    <fieldset class="features"><legend>"Features"</legend>{boxes}</fieldset>
                    <div class="thresholds">
                        <label>"Number of clusters "
                            <input type="number" min="2" max="20" data-testid="cluster-k" prop:value=move || k.get()
                                on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<usize>() { k.set(v.clamp(2, 20)) } }/>
                        </label>
                        <button class="secondary" data-testid="suggest-k" disabled=move || state.clustering_busy.get()
                            on:click=move |_| actions::run_silhouette(state, features())>"Suggest a number"</button>
                        <button class="primary" data-testid="run-clusters" disabled=move || state.clustering_busy.get()
                            on:click=move |_| actions::run_clusters(state, ClusterSetup { features: features(), k: k.get_untracked(), seed: 42, runs: 4 })>"Make clusters"</button>
                        {move || state.clustering_busy.get().then(|| view! { <span class="muted" aria-live="polite">"Working…"</span> })}
                    </div>
                    {silhouette}
                    {result}
                </section>
            }
        })
    }
}
