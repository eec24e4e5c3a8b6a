//! One segment's page: what it is in words, its size and share, its KPIs
//! against all customers, what to do with it, its members and its export,
//! in one place; narrowed in two clicks to the customers with one value of
//! a customers-file column ("who live in Lyon"), exported or saved as a
//! segment of its own. An RFM segment or one of the user's saved segments,
//! by name.

use leptos::prelude::*;
use seglens_engine::analysis::playbook;
use seglens_engine::segments::groups::SortBy;
use seglens_engine::segments::{Definition, Rule, SavedSegment, Test};

use crate::compare::kpis::hover;
use crate::format;
use crate::i18n::{self, t, tf, tn};
use crate::overview::results::rule_text;
use crate::route::{Page, Route};
use crate::state::{AppState, MemberView};

/// The page of the segment called `name`.
#[component]
pub fn SegmentPage(name: String) -> impl IntoView {
    let state = expect_context::<AppState>();
    // Narrowed to the customers with one value of a customers-file column
    // ("who live in Lyon"): the column and the value, empty for everyone.
    let column = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let base = {
        let name = name.clone();
        move || {
            state.workspace.with(|ws| {
                let ws = ws.as_ref()?;
                if ws.analysis.summary.iter().any(|s| s.segment == name) {
                    return Some(Definition::Rfm(name.clone()));
                }
                ws.record
                    .options
                    .segments
                    .iter()
                    .find(|s| s.name == name)
                    .map(|s| s.definition.clone())
            })
        }
    };
    // What is selected: its label and definition.
    let selected = {
        let name = name.clone();
        Memo::new(move |_| {
            let base = base()?;
            let (c, v) = (column.get(), value.get());
            if c.is_empty() || v.is_empty() {
                return Some((name.clone(), base));
            }
            let rule = Rule::Attribute {
                column: c.clone(),
                test: Test::Equals(v.clone()),
            };
            Some((
                format!("{name} — {c} = {v}"),
                Definition::Within {
                    parent: Box::new(base),
                    rule: rule.to_json(),
                },
            ))
        })
    };
    // Its members, listed (and counted) by the worker.
    Effect::new(move |_| {
        if let Some((label, definition)) = selected.get() {
            crate::segments::actions::show_members(
                state,
                MemberView {
                    name: label,
                    definition,
                    search: String::new(),
                    sort: SortBy::Spend,
                    page: 0,
                    result: None,
                },
            );
        }
    });
    move || {
        let name = name.clone();
        state.workspace.get().map(|ws| {
            let a = &ws.analysis;
            let rfm = a.summary.iter().position(|s| s.segment == name);
            let saved = ws.record.options.segments.iter().find(|s| s.name == name).cloned();
            let saved_count = a.segments.saved.iter().find(|s| s.name == name).cloned();
            if rfm.is_none() && saved.is_none() {
                return view! {
                    <section class="card empty-state" data-testid="segment-page">
                        <h2>{name.clone()}</h2>
                        <p>{t("segment_page.not_found")}</p>
                        <a href=Route::page(Page::Segments).href()>{t("segment_page.see_all")}</a>
                    </section>
                }
                .into_any();
            }
            let shown = if rfm.is_some() {
                i18n::name("segment", &name)
            } else {
                i18n::segment_name(&name, &ws.record.options.segments)
            };
            let history_group = if rfm.is_some() {
                seglens_engine::analysis::membership::GroupId::Rfm(name.clone())
            } else {
                seglens_engine::analysis::membership::GroupId::Saved(name.clone())
            };
            let words = match (rfm, &saved) {
                (Some(_), _) => rule_text(&ws.record.options.rfm.rules, &name),
                (None, Some(s)) => i18n::definition_words(&s.definition, &a.segments.lifecycle),
                (None, None) => String::new(),
            };
            // Size, share and value: the RFM table's row, or the saved
            // segment's count.
            let size = match (rfm.map(|i| &a.summary[i]), &saved_count) {
                (Some(s), _) => tf("segment_page.size_rfm", &[
                    ("customers", &format::int(s.customers)),
                    ("share", &format::percent(s.customer_share)),
                    ("revenue", &format::money(s.revenue)),
                    ("revenue_share", &format::percent(s.revenue_share)),
                    ("orders", &format::int(s.orders)),
                ]),
                (None, Some(c)) => match &c.customers {
                    Ok(n) => tf("segment_page.size_saved", &[
                        ("customers", &format::int(*n)),
                        ("share", &format::percent(*n as f64 / a.segments.customers.max(1) as f64)),
                    ]),
                    Err(e) => i18n::message(e),
                },
                (None, None) => String::new(),
            };
            // The KPIs, when the heatmap's rows hold this segment.
            let table = a.kpis.clone();
            let group = table.groups.iter().position(|g| *g == name);
            let everyone = table.groups.len().checked_sub(1);
            let kpis = group.zip(everyone).filter(|(g, e)| g != e).map(|(g, e)| {
                let rows = table.kpis.iter().enumerate().map(|(k, def)| {
                    let mine = table.values[g][k].clone();
                    let base = table.values[e][k].clone();
                    let show = |v: &seglens_engine::metrics::kpi::KpiValue| {
                        v.value.map(|x| format::kpi_value(def.format, x)).unwrap_or_else(|| "–".into())
                    };
                    let better = match (mine.value, base.value, mine.significant()) {
                        (Some(x), Some(y), true) if (x > y) == def.higher_is_better && x != y => "better",
                        (Some(x), Some(y), true) if x != y => "worse",
                        _ => "",
                    };
                    view! {
                        <tr>
                            <th scope="row" title=hover(def, &mine, &shown)>{i18n::kpi_name(def)}</th>
                            <td class=format!("num {better}") title=hover(def, &mine, &shown)>{show(&mine)}</td>
                            <td class="num" title=hover(def, &base, &t("results.all_customers"))>{show(&base)}</td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <section class="card" data-testid="segment-kpis">
                        <h2>{t("segment_page.kpis")}</h2>
                        <p class="muted">{t("segment_page.kpis_intro")}</p>
                        <div class="table-wrap" tabindex="0">
                            <table>
                                <thead><tr>
                                    <th scope="col">{t("segment_page.kpi")}</th>
                                    <th scope="col" class="num">{shown.clone()}</th>
                                    <th scope="col" class="num">{t("results.all_customers")}</th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    </section>
                }
            });
            let plays = group
                .map(|g| playbook::suggest(&table, g, &a.profiles))
                .unwrap_or_default()
                .into_iter()
                .map(|s| {
                    let place = crate::act::suggestions::place_of(&s.figures);
                    view! { <li>{tf(&format!("play.{}.action", s.play), &[("place", &place)])}</li> }
                })
                .collect_view();
            let export = move |_| {
                if let Some((label, definition)) = selected.get_untracked() {
                    crate::segments::actions::export_segment(state, label.clone(), vec![(label, definition)]);
                }
            };
            let save = move |_| {
                if let Some((label, definition)) = selected.get_untracked() {
                    crate::segments::actions::save_segments(
                        state,
                        vec![SavedSegment { name: label, version: 1, definition, note: String::new() }],
                    );
                }
            };
            // The customers file's columns with a few values each (ids,
            // e-mails and names apart), to narrow the segment by.
            let columns: Vec<(String, Vec<String>)> = a
                .segments
                .columns
                .iter()
                .filter(|c| c.top_values.len() > 1 && c.top_values.iter().map(|v| v.1).max().unwrap_or(0) > 1)
                .map(|c| (c.name.clone(), c.top_values.iter().map(|v| v.0.clone()).collect()))
                .collect();
            let values_of = {
                let columns = columns.clone();
                move || {
                    let c = column.get();
                    columns.iter().find(|x| x.0 == c).map(|x| x.1.clone()).unwrap_or_default()
                }
            };
            let narrow = (!columns.is_empty()).then(|| view! {
                <div class="thresholds" data-testid="segment-narrow">
                    <label>{t("segment_page.narrow")}
                        <select data-testid="narrow-by-column" on:change=move |ev| {
                            column.set(event_target_value(&ev));
                            value.set(String::new());
                        }>
                            <option value="" selected=move || column.get().is_empty()>{t("segment_page.everyone")}</option>
                            {columns.iter().map(|(c, _)| {
                                let c2 = c.clone();
                                view! { <option value=c.clone() selected=move || column.get() == c2>{c.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {move || (!column.get().is_empty()).then(|| view! {
                        <label>{t("segment_page.equals")}
                            <select data-testid="narrow-by-value" on:change=move |ev| value.set(event_target_value(&ev))>
                                <option value="" selected=move || value.get().is_empty()>{t("segment_page.pick_value")}</option>
                                {values_of().into_iter().map(|v| {
                                    let v2 = v.clone();
                                    view! { <option value=v.clone() selected=move || value.get() == v2>{v.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    })}
                </div>
            });
            // The label names the segment as the page does, and the
            // narrowing as it is written ("À risque — city = Lyon").
            let chosen = {
                let (shown, name) = (shown.clone(), name.clone());
                move || {
                    state.members.with(|m| {
                        let m = m.as_ref()?;
                        let page = m.result.as_ref()?.as_ref().ok()?;
                        let label = match m.name.strip_prefix(name.as_str()) {
                            Some(narrowing) => format!("{shown}{narrowing}"),
                            None => m.name.clone(),
                        };
                        Some(tn("segment_page.selected", page.total, &[("name", &label)]))
                    })
                }
            };
            view! {
                <section class="card" data-testid="segment-page">
                    <p class="muted small">
                        <a href=Route::page(Page::Segments).href()>{t("nav.page.segments")}</a>
                        " › "
                    </p>
                    <h2 data-testid="segment-title">{shown.clone()}</h2>
                    <p data-testid="segment-definition">{words}</p>
                    <p class="lead" data-testid="segment-size">{size}</p>
                    {narrow}
                    <p class="lead" data-testid="segment-selected">{chosen}</p>
                    <crate::act::export::ExportChoices testid="segment-page-export"/>
                    <div class="actions">
                        <button class="primary" data-testid="segment-export" on:click=export
                            title=t("segment_page.export_help")>
                            {t("segment_page.export")}
                        </button>
                        {move || (!value.get().is_empty()).then(|| view! {
                            <button class="secondary" data-testid="segment-save-narrowed" on:click=save>
                                {t("segment_page.save_narrowed")}
                            </button>
                        })}
                        <a class="button ghost" href=Route::Page(Page::Compare, "kpis").href()>
                            {t("segment_page.compare")}
                        </a>
                    </div>
                    <crate::shell::ExportProgress/>
                    {move || state.last_export.get().and_then(|(_, _, _, refused)| (refused > 0).then(|| view! {
                        <p class="muted small" data-testid="export-without-consent">{crate::i18n::tn("export.without_consent", refused, &[])}</p>
                    }))}
                    <details class="members-fold" data-testid="segment-members">
                        <summary>{t("segment_page.see_members")}</summary>
                        <crate::segments::catalogue::MemberList/>
                    </details>
                </section>
                {kpis}
                <crate::journeys::SegmentSizes group=history_group/>
                {group.is_some().then(|| view! {
                    <section class="card" data-testid="segment-actions">
                        <h2>{t("segment_page.actions")}</h2>
                        <ul>{plays}</ul>
                        <a href=Route::Page(Page::Act, "ideas").href()>{t("segment_page.actions_more")}</a>
                    </section>
                })}
            }
            .into_any()
        })
    }
}
