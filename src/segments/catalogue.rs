//! Segments beyond RFM: lifecycle stages and the base's monthly flows, the
//! saved segments side by side with their member lists, and clusters.

use leptos::prelude::*;
use seglens_engine::import::orders::ColumnType;
use seglens_engine::segments::cluster::{ClusterSetup, Feature};
use seglens_engine::segments::groups::{Rows, SortBy};
use seglens_engine::segments::lifecycle::{Flow, LifecycleSetup, Stage};
use seglens_engine::segments::{Definition, SavedSegment};

use crate::act::export::{ExportChoices, SqlChoices};
use crate::actions;
use crate::format;
use crate::i18n::{self, t, tf};
use crate::state::{AppState, MemberView};
use seglens_engine::metrics::kpi::KpiId;

fn stage_help(stage: Stage, s: &LifecycleSetup) -> String {
    match stage {
        Stage::Prospect => t("segments.known_from_another_file_customers"),
        Stage::New => tf(
            "segments.first_order_within_the_last",
            &[("0", &s.new_days.to_string())],
        ),
        Stage::OneTime => tf(
            "segments.one_order_more_than_days",
            &[("0", &s.new_days.to_string())],
        ),
        Stage::Repeat => tf(
            "segments.two_to_orders_the_last",
            &[
                ("0", &(s.loyal_orders.saturating_sub(1).max(2)).to_string()),
                ("1", &s.at_risk_after.to_string()),
            ],
        ),
        Stage::Loyal => tf(
            "segments.orders_or_more_the_last",
            &[
                ("0", &s.loyal_orders.to_string()),
                ("1", &s.at_risk_after.to_string()),
            ],
        ),
        Stage::AtRisk => tf(
            "segments.last_order_to_days_ago",
            &[
                ("0", &(s.at_risk_after + 1).to_string()),
                ("1", &s.lapsed_after.to_string()),
            ],
        ),
        Stage::Lapsed => tf(
            "segments.no_order_for_more_than",
            &[("0", &s.lapsed_after.to_string())],
        ),
    }
}

fn open_members(state: AppState, name: String, definition: Definition) {
    crate::segments::actions::show_members(
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
            let title = tf("segments.new_returning_resurrecting_dormant", &[("0", &f.label.to_string()), ("1", &(if f.complete { String::new() } else { t("segments.so_far") }).to_string()), ("2", &f.new.to_string()), ("3", &f.returning.to_string()), ("4", &f.resurrecting.to_string()), ("5", &f.dormant.to_string())]);
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
            crate::shell::csv_field(&f.label),
            f.new,
            f.returning,
            f.resurrecting,
            f.dormant,
            f.complete
        ));
    }
    view! {
        <svg class="flows" viewBox=format!("0 0 {w} {h}") role="img" aria-label=t("segments.new_returning_resurrecting_and_dormant")>
            {bars}
            <line x1=pad x2=w - pad y1=axis y2=axis class="axis"/>
        </svg>
        <crate::shell::CsvDownload name="lifecycle-flows" csv=csv/>
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
    tf(
        "segments.over_the_last_complete_months",
        &[
            ("0", &(recent.len()).to_string()),
            ("1", &last.label.to_string()),
            ("2", &format::int(gained)),
            ("3", &format::int(lost)),
            (
                "4",
                &t(if gained >= lost {
                    "segments.grew"
                } else {
                    "segments.shrank"
                }),
            ),
            ("5", &format::int(gained.abs_diff(lost))),
        ],
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
                let label = i18n::name("segment", stage.label());
                let (members_name, saved_name) = (label.clone(), label.clone());
                view! {
                    <tr>
                        <th scope="row" title=stage_help(stage, &setup)>{label}</th>
                        <td class="muted small">{stage_help(stage, &setup)}</td>
                        <td class="num">{format::int(s.customers)}</td>
                        <td class="num">{format::percent(s.customers as f64 / total)}</td>
                        <td class="num">{format::money(s.revenue)}</td>
                        <td class="actions">
                            <button class="link" disabled=s.customers == 0
                                on:click=move |_| open_members(state, members_name.clone(), Definition::Lifecycle(stage))>{t("segments.members")}</button>
                            <button class="link" data-testid=format!("save-stage-{stage:?}")
                                on:click=move |_| crate::segments::actions::save_segment(state, SavedSegment {
                                    name: saved_name.clone(),
                                    version: 1,
                                    definition: Definition::Lifecycle(stage),
                                    note: String::new(),
                                })>{t("segments.save_as_segment")}</button>
                        </td>
                    </tr>
                }
            }).collect_view();
            let inputs = [
                (t("segments.new_first_order_within"), t("rfm_editor.unit_days"), 0usize, "lc-new"),
                (t("segments.at_risk_after"), t("rfm_editor.unit_days"), 1, "lc-risk"),
                (t("segments.lapsed_after"), t("rfm_editor.unit_days"), 2, "lc-lapsed"),
                (t("segments.loyal_from"), t("rfm_editor.unit_orders"), 3, "lc-loyal"),
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
                    state.error.set(Some(t("segments.lapsed_after_must_be_longer")));
                    return;
                }
                crate::segments::actions::set_lifecycle(state, Some(s));
            };
            let table = o.flows.iter().map(|f| view! {
                <tr>
                    <th scope="row">{f.label.clone()}{(!f.complete).then_some(t("segments.so_far"))}</th>
                    <td class="num">{format::int(f.new)}</td>
                    <td class="num">{format::int(f.returning)}</td>
                    <td class="num">{format::int(f.resurrecting)}</td>
                    <td class="num">{format::int(f.dormant)}</td>
                </tr>
            }).collect_view();
            view! {
                <section class="card" id="lifecycle" data-testid="lifecycle">
                    <h2>{t("segments.where_each_customer_is_in")}</h2>
                    <p class="muted">
                        {t("segments.every_customer_falls_in_exactly")}
                        {if custom { t("segments.thresholds_set_by_you") } else { tf("segments.thresholds_read_from_your_data", &[("0", &thresholds_explained(&o.suggestion))]) }}
                    </p>
                    <crate::shell::HowToUse kind="lifecycle"/>
                    <div class="table-wrap" tabindex="0">
                        <table data-testid="lifecycle-table">
                            <thead><tr>
                                <th scope="col">{t("segments.stage")}</th><th scope="col">{t("segments.who")}</th>
                                <th scope="col" class="num">{t("segments.customers")}</th><th scope="col" class="num">{t("segments.share")}</th>
                                <th scope="col" class="num" title=t("segments.net_spend_before_the_analysis")>{t("segments.revenue")}</th><th scope="col"></th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <div class="thresholds">
                        {inputs}
                        <button class="secondary" data-testid="apply-lifecycle" on:click=apply>{t("segments.apply")}</button>
                        {custom.then(|| view! {
                            <button class="link" on:click=move |_| crate::segments::actions::set_lifecycle(state, None)>{t("segments.use_the_data_s_thresholds")}</button>
                        })}
                    </div>
                    <h3>{t("segments.customers_coming_and_going_period")}</h3>
                    <p class="muted">
                        {t("segments.above_the_line_customers_who")}
                        <span class="key new">{t("segments.key_new")}</span>{t("segments.first_order")}
                        <span class="key returning">{t("segments.key_returning")}</span>{t("segments.ordered_the_period_before_too")}
                        <span class="key resurrecting">{t("segments.key_resurrecting")}</span>{t("segments.back_after_a_break_below")}
                        <span class="key dormant">{t("segments.key_dormant")}</span>{t("segments.ordered_the_period_before_not")}
                    </p>
                    <p data-testid="flows-summary">{flows_sentence(&o.flows)}</p>
                    <div class="thresholds" role="group" aria-label=t("segments.period")>
                        <button class="secondary" aria-pressed=move || (!weekly.get()).to_string() on:click=move |_| weekly.set(false)>{t("segments.per_month")}</button>
                        <button class="secondary" data-testid="flows-weekly" aria-pressed=move || weekly.get().to_string() on:click=move |_| weekly.set(true)>{t("segments.per_week")}</button>
                    </div>
                    {
                        let (monthly, weeks) = (o.flows.clone(), o.weekly_flows.clone());
                        move || if weekly.get() { flows_svg(&weeks) } else { flows_svg(&monthly) }
                    }
                    <details>
                        <summary>{t("segments.the_figures_per_month")}</summary>
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="flows-table">
                                <thead><tr><th scope="col">{t("segments.month")}</th><th scope="col" class="num">{t("segments.new")}</th><th scope="col" class="num">{t("segments.returning")}</th><th scope="col" class="num">{t("segments.resurrecting")}</th><th scope="col" class="num">{t("segments.dormant")}</th></tr></thead>
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
                    let title = tf("segments.on_recency_frequency_and_spend", &[("0", &format::int(q.buyers)), ("1", &format::decimal(q.spread, 2)), ("2", &base_spread.map(|b| format::decimal(b, 2)).unwrap_or_default()), ("3", &format::decimal(q.distance, 2))]);
                    view! {
                        <td class="num" title=title.clone()>{format::decimal(q.spread, 2)}</td>
                        <td class="num" title=title>{format::decimal(q.distance, 2)}</td>
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
                    Err(e) => view! { <td colspan="2" class="error-text">{crate::i18n::message(e)}</td> }.into_any(),
                };
                view! {
                    <tr data-testid="saved-segment">
                        <td><input type="checkbox" aria-label=tf("segments.tick", &[("0", &s.name.to_string())])
                            prop:checked=move || ticked.with(|t| t.contains(&name4))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let n = name5.clone();
                                ticked.update(|t| { t.retain(|x| *x != n); if on { t.push(n); } });
                            }/></td>
                        <th scope="row"><a href=crate::route::Route::Segment(s.name.clone()).href()>{i18n::saved_name(&def)}</a><span class="muted small">{format!(" v{}", def.version)}</span></th>
                        <td class="small">{i18n::definition_words(&def.definition, &overview.lifecycle)}
                            {notes_of(&s.name)}
                        </td>
                        {count}
                        {match quality {
                            Some(q) => q.into_any(),
                            None => view! { <td class="num">"–"</td><td class="num">"–"</td> }.into_any(),
                        }}
                        <td class="actions">
                            <button class="link" data-testid="open-members" on:click=move |_| open_members(state, name.clone(), d1.clone())>{t("segments.members")}</button>
                            <button class="link" data-testid="download-segment" on:click=move |_| crate::segments::actions::export_segment(state, name2.clone(), vec![(name2.clone(), d2.clone())])>{t("segments.download")}</button>
                            <button class="link" data-testid="segment-sql" title=t("segments.a_sql_query_over_your") on:click=move |_| crate::segments::actions::segment_sql(state, name6.clone(), d3.clone())>"SQL"</button>
                            <button class="link danger" aria-label=tf("segments.delete", &[("0", &s.name.to_string())]) on:click=move |_| crate::segments::actions::delete_segment(state, name3.clone())>{t("segments.delete_2")}</button>
                        </td>
                    </tr>
                }
            }).collect_view();
            let empty = saved.is_empty();
            view! {
                <section class="card" id="my-segments" data-testid="saved-segments">
                    <h2>{t("segments.my_segments")}</h2>
                    {if empty {
                        view! { <p class="hint">{t("segments.no_saved_segment_yet_build")}</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap" tabindex="0">
                                <table data-testid="saved-table">
                                    <thead><tr><th scope="col"><span class="visually-hidden">{t("segments.ticked")}</span></th><th scope="col">{t("segments.segment")}</th><th scope="col">{t("segments.what_it_selects")}</th><th scope="col" class="num">{t("segments.customers")}</th><th scope="col" class="num">{t("segments.share")}</th>
                                        <th scope="col" class="num" title=t("segments.how_alike_its_buyers_are")>{t("segments.spread_inside")}</th>
                                        <th scope="col" class="num" title=t("segments.how_far_its_buyers_centre")>{t("segments.distance_from_average")}</th>
                                        <th scope="col"></th></tr></thead>
                                    <tbody>{body}</tbody>
                                </table>
                            </div>
                            <p class="muted small">{tf("segments.spread_inside_how_alike_a", &[("0", &base_spread.map(|b| format::decimal(b, 2)).unwrap_or_else(|| "–".into()))])}</p>
                            <h3>{t("segments.download_or_run_elsewhere")}</h3>
                            <ExportChoices testid="segment-export"/>
                            <p>
                                <button class="secondary" data-testid="download-ticked" on:click=move |_| {
                                    let picked: Vec<(String, Definition)> = ticked.get_untracked().into_iter()
                                        .filter_map(|n| all_definitions.iter().find(|d| d.name == n).map(|d| (n, d.definition.clone())))
                                        .collect();
                                    crate::segments::actions::export_segment(state, "segments".into(), picked)
                                }>{t("segments.download_the_ticked_segments_in")}</button>
                                " "
                                <crate::shell::ExportProgress/>
                                {move || state.last_export.get().map(|(file, rows, without, refused)| view! {
                                    <span class="muted small" data-testid="segment-export-done">{tf("segments.customers_written", &[("file", &file.to_string()), ("0", &format::int(rows)), ("1", &(if without > 0 { tf("segments.left_out_for_want_of", &[("0", &format::int(without))]) } else { String::new() }).to_string())])}</span>
                                    {(refused > 0).then(|| view! { <span class="muted small" data-testid="export-without-consent">{i18n::tn("export.without_consent", refused, &[])}</span> })}
                                })}
                            </p>
                            <SqlChoices testid="segment-sql"/>
                            {move || state.last_sql.get().map(|q| view! {
                                <details class="sql"><summary>{t("segments.the_last_query")}</summary><pre data-testid="segment-sql-text">{q}</pre></details>
                            })}
                            {overlap_view(&overview)}
                            <p>
                                {if rows_choice == Rows::Saved {
                                    view! { <span class="muted">{t("segments.the_kpi_heatmap_compares_these")}</span> }.into_any()
                                } else {
                                    view! { <button class="secondary" data-testid="compare-saved" on:click=move |_| {
                                        crate::compare::actions::set_rows(state, Rows::Saved);
                                        actions::open(state, crate::route::Route::Page(crate::route::Page::Compare, "kpis"));
                                    }>{t("segments.compare_them_on_every_kpi")}</button> }.into_any()
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
fn overlap_view(o: &seglens_engine::segments::groups::Overview) -> Option<AnyView> {
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
            let jac = seglens_engine::segments::groups::jaccard(&o.overlap, i, j);
            let (bg, light) = crate::chart::sequential_color(jac);
            let title = if i == j {
                tf("segments.customers_2", &[("0", &(names[i]).to_string()), ("1", &format::int(both))])
            } else {
                tf("segments.customers_are_in_both_and", &[("0", &format::int(both)), ("1", &(names[i]).to_string()), ("2", &(names[j]).to_string()), ("3", &format::percent(both as f64 / o.overlap[i][i].max(1) as f64)), ("4", &format::percent(both as f64 / o.overlap[j][j].max(1) as f64)), ("5", &format::decimal(jac, 2))])
            };
            view! { <td class="num cell" class:light=light style=format!("background:{bg}") title=title>{format::int(both)}</td> }
        }).collect_view();
        view! { <tr><th scope="row">{names[i].clone()}</th>{cells}</tr> }
    }).collect_view();
    Some(
        view! {
            <h3>{t("segments.how_the_segments_overlap")}</h3>
            <p class="muted small">{t("segments.customers_in_both_segments_the")}</p>
            <div class="table-wrap" tabindex="0">
                <table class="heatmap" data-testid="overlap">
                    <thead><tr><th scope="col"></th>{header}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any(),
    )
}

/// The member list of the segment opened: searchable, sortable, paged.
#[component]
pub fn MemberList() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.members.get().map(|m| {
            let (m1, m2, m3, m4) = (m.clone(), m.clone(), m.clone(), m.clone());
            let content = match &m.result {
                None => view! { <p class="muted">{t("segments.loading")}</p> }.into_any(),
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
                            <td class="num">{r.order_within_30_days.map(format::percent).unwrap_or_else(|| "–".into())}</td>
                            <td class="num">{r.predicted_value.map(format::money).unwrap_or_else(|| "–".into())}</td>
                        </tr>
                    }).collect_view();
                    let page = p.page;
                    view! {
                        <p class="muted" data-testid="members-count">
                            {tf("segments.members_page_of", &[("0", &format::int(p.total)), ("1", &(if p.matching != p.total { tf("segments.matching", &[("0", &format::int(p.matching))]) } else { String::new() }).to_string()), ("2", &(page + 1).to_string()), ("3", &pages.to_string())])}
                        </p>
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="members-table">
                                <thead><tr><th scope="col">{t("segments.customer")}</th><th scope="col">{t("segments.name")}</th><th scope="col">{t("segments.email")}</th><th scope="col" class="num">{t("segments.orders")}</th><th scope="col" class="num">{t("segments.spend")}</th><th scope="col">{t("segments.last_order")}</th>
                                    <th scope="col" class="num" title=t("segments.the_probability_that_the_customer")>{t("segments.chance_active")}</th>
                                    <th scope="col" class="num" title=t("segments.order_within_30_days_help")>{t("segments.order_within_30_days")}</th>
                                    <th scope="col" class="num" title=t("segments.expected_orders_expected_spend_over")>{t("segments.predicted_value")}</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        <div class="thresholds">
                            <button class="secondary" disabled=page == 0
                                on:click=move |_| crate::segments::actions::show_members(state, MemberView { page: page.saturating_sub(1), ..m3.clone() })>{t("segments.previous")}</button>
                            <button class="secondary" disabled={page + 1 >= pages} data-testid="members-next"
                                on:click=move |_| crate::segments::actions::show_members(state, MemberView { page: page + 1, ..m4.clone() })>{t("segments.next")}</button>
                        </div>
                    }.into_any()
                }
            };
            view! {
                <div class="members" data-testid="members">
                    <h3>{tf("segments.members_of", &[("0", &m.name.to_string())])}
                        <button class="link" on:click=move |_| state.members.set(None)>" " {t("segments.close")}</button>
                    </h3>
                    <div class="thresholds">
                        <label>{t("segments.search")}
                            <input type="search" data-testid="members-search" placeholder=t("segments.id_name_or_e_mail") prop:value=m.search.clone()
                                on:change=move |ev| crate::segments::actions::show_members(state, MemberView { search: event_target_value(&ev), page: 0, ..m1.clone() })/>
                        </label>
                        <label>{t("segments.sort_by")}
                            <select on:change=move |ev| {
                                let sort = match event_target_value(&ev).as_str() {
                                    "orders" => SortBy::Orders,
                                    "last" => SortBy::LastOrder,
                                    "customer" => SortBy::Customer,
                                    "value" => SortBy::PredictedValue,
                                    "risk" => SortBy::ChurnRisk,
                                    "soon" => SortBy::OrderSoon,
                                    _ => SortBy::Spend,
                                };
                                crate::segments::actions::show_members(state, MemberView { sort, page: 0, ..m2.clone() })
                            }>
                                <option value="spend" selected=m.sort == SortBy::Spend>{t("segments.highest_spend")}</option>
                                <option value="orders" selected=m.sort == SortBy::Orders>{t("segments.most_orders")}</option>
                                <option value="last" selected=m.sort == SortBy::LastOrder>{t("segments.most_recent_order")}</option>
                                <option value="customer" selected=m.sort == SortBy::Customer>{t("segments.customer_id")}</option>
                                <option value="value" selected=m.sort == SortBy::PredictedValue>{t("segments.highest_predicted_value")}</option>
                                <option value="risk" selected=m.sort == SortBy::ChurnRisk>{t("segments.most_at_risk_of_leaving")}</option>
                                <option value="soon" selected=m.sort == SortBy::OrderSoon>{t("segments.most_likely_to_order_soon")}</option>
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
                    <title>{tf("segments.k_silhouette", &[("k", &k.to_string()), ("s", &format::decimal(*s, 3))])}</title>
                    <rect class:best=Some(*k) == best x=x y=h - pad - hgt width=bw * 0.7 height=hgt/>
                    <text x=x + bw * 0.35 y=h - 8.0 text-anchor="middle" class="tick">{k.to_string()}</text>
                    <text x=x + bw * 0.35 y=h - pad - hgt - 4.0 text-anchor="middle" class="tick">{format::decimal(*s, 2)}</text>
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
            aria-label=tf("segments.silhouette_for_k_2_to", &[("0", &(best.map(|b| b.to_string()).unwrap_or_default()).to_string())])>
            {bars}
        </svg>
        <crate::shell::CsvDownload name="silhouette" csv=csv/>
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
                    .any(|(k, v)| k.id == KpiId::OpenRate && v.missing.is_none());
            let mut all = vec![
                (Feature::Recency, t("segments.recency_days_since_last_order")),
                (Feature::Frequency, t("segments.frequency_orders")),
                (Feature::Monetary, t("segments.monetary_spend")),
                (Feature::Tenure, t("segments.tenure_days_since_first_order")),
                (Feature::AverageOrderValue, t("segments.average_order_value")),
            ];
            if has_engagement {
                all.push((Feature::Engagement, t("segments.engagement_share_of_e_mails")));
            }
            let defaults: Vec<Feature> = all.iter().filter(|(f, _)| !matches!(f, Feature::AverageOrderValue)).map(|x| x.0.clone()).collect();
            if picked.get_untracked().is_none() {
                picked.set(Some(defaults));
            }
            let mut options: Vec<(Feature, String)> = all.into_iter().map(|(f, l)| (f, l.to_string())).collect();
            options.extend(numeric.into_iter().map(|c| (Feature::Attribute(c.clone()), tf("segments.customers_file", &[("c", &c.to_string())]))));
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
                        <p>{tf("segments.the_silhouette_measures_how_well", &[("0", &(best.map(|b| tf("segments.it_is_highest_at_k", &[("b", &b.to_string())])).unwrap_or_default()).to_string())])}</p>
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
                        // The engine's "Cluster 3", in the interface's words
                        // (the name a saved cluster keeps).
                        let shown = tf("segments.cluster_n", &[("n", &(i + 1).to_string())]);
                        let (s1, name, name2) = (setup.clone(), shown.clone(), shown.clone());
                        view! {
                            <tr data-testid="cluster-row">
                                <th scope="row">{shown}</th>
                                <td class="num">{format::int(p.customers)}</td>
                                <td>{p.standouts.iter().map(i18n::standout).collect::<Vec<_>>().join("; ")}</td>
                                <td class="actions">
                                    <button class="link" on:click=move |_| open_members(state, name.clone(), Definition::Cluster { setup: s1.clone(), cluster: i })>{t("segments.members")}</button>
                                    <button class="link" data-testid=format!("save-cluster-{}", i + 1)
                                        on:click=move |_| crate::segments::actions::save_segment(state, SavedSegment {
                                            name: name2.clone(),
                                            version: 1,
                                            definition: Definition::Cluster { setup: setup.clone(), cluster: i },
                                            note: String::new(),
                                        })>{t("segments.save_as_segment")}</button>
                                </td>
                            </tr>
                        }
                    }).collect_view();
                    view! {
                        <p class="muted" data-testid="cluster-quality">{tf("segments.clusters_on_silhouette", &[("0", &(c.profiles.len()).to_string()), ("1", &c.setup.features.iter().map(i18n::feature_name).collect::<Vec<_>>().join(", ")), ("2", &c.silhouette.map(|s| format::decimal(s, 2)).unwrap_or_else(|| "–".into())), ("3", &(match c.silhouette { Some(s) if s >= 0.5 => t("segments.clearly_separated_groups"), Some(s) if s >= 0.25 => t("segments.groups_that_overlap_somewhat"), _ => t("segments.groups_that_overlap_a_lot") }).to_string())])}</p>
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="clusters-table">
                                <thead><tr><th scope="col">{t("segments.cluster")}</th><th scope="col" class="num">{t("segments.customers")}</th><th scope="col">{t("segments.what_sets_it_apart")}</th><th scope="col"></th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }.into_any()
                }
                Err(e) => view! { <p class="error-text">{e}</p> }.into_any(),
            });
            view! {
                <section class="card" id="clusters" data-testid="clusters">
                    <h2>{t("segments.let_the_data_find_groups")}</h2>
                    <p class="muted">{t("segments.k_means_groups_customers_who")}</p>
                    <crate::shell::HowToUse kind="clusters"/>
                    <fieldset class="features"><legend>{t("segments.features")}</legend>{boxes}</fieldset>
                    <div class="thresholds">
                        <label>{t("segments.number_of_clusters")}
                            <input type="number" min="2" max="20" data-testid="cluster-k" prop:value=move || k.get()
                                on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<usize>() { k.set(v.clamp(2, 20)) } }/>
                        </label>
                        <button class="secondary" data-testid="suggest-k" disabled=move || state.clustering_busy.get()
                            on:click=move |_| crate::segments::actions::run_silhouette(state, features())>{t("segments.suggest_a_number")}</button>
                        <button class="primary" data-testid="run-clusters" disabled=move || state.clustering_busy.get()
                            on:click=move |_| crate::segments::actions::run_clusters(state, ClusterSetup { features: features(), k: k.get_untracked(), seed: 42, runs: 4 })>{t("segments.make_clusters")}</button>
                        {move || state.clustering_busy.get().then(|| {
                            // Steps with their counts as the worker reports them.
                            let step = state.clustering_step.get();
                            let (done, total) = step.map_or((0, 1), |(_, d, n)| (d, n.max(1)));
                            let label = step.map_or_else(|| t("segments.working"), |(key, d, n)| {
                                tf(key, &[("done", &format::int(d)), ("total", &format::int(n))])
                            });
                            view! {
                                <span class="step-progress" data-testid="clustering-progress">
                                    <progress max=total value=done aria-label=t("segments.working")></progress>
                                    <span class="muted" aria-live="polite">{label}</span>
                                </span>
                            }
                        })}
                    </div>
                    {silhouette}
                    {result}
                </section>
            }
        })
    }
}

/// How the lifecycle thresholds were read from the data: the engine's
/// sentence in English, the same figures in the catalogue's words
/// otherwise.
fn thresholds_explained(s: &seglens_engine::segments::lifecycle::Suggestion) -> String {
    if i18n::locale() == i18n::Locale::En {
        return s.explanation.clone();
    }
    if s.median_gap.is_none() {
        return t("segments.too_few_repeat_orders");
    }
    let l = &s.setup;
    tf(
        "segments.thresholds_from_gaps",
        &[
            ("new", &l.new_days.to_string()),
            ("risk", &l.at_risk_after.to_string()),
            ("lapsed", &l.lapsed_after.to_string()),
            ("loyal", &l.loyal_orders.to_string()),
        ],
    )
}
