//! One segment's page: what it is in words, its size and share, its KPIs
//! against all customers, what to do with it, and its export, in one
//! place. An RFM segment or one of the user's saved segments, by name.

use leptos::prelude::*;
use seglens_engine::playbook;

use crate::actions;
use crate::components::kpis::hover;
use crate::components::results::rule_text;
use crate::format;
use crate::i18n::{self, t, tf};
use crate::route::{Page, Route};
use crate::state::AppState;

/// The page of the segment called `name`.
#[component]
pub fn SegmentPage(name: String) -> impl IntoView {
    let state = expect_context::<AppState>();
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
            let shown = if rfm.is_some() { i18n::name("segment", &name) } else { name.clone() };
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
                    Err(e) => i18n::engine_text(e),
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
                    let show = |v: &seglens_engine::kpi::KpiValue| {
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
                .map(|g| playbook::suggest(&table, g))
                .unwrap_or_default()
                .into_iter()
                .map(|s| view! { <li>{t(&format!("play.{}.action", s.play))}</li> })
                .collect_view();
            let export = {
                let name = name.clone();
                let definition = saved.as_ref().map(|s| s.definition.clone());
                move |_| match (rfm, &definition) {
                    (Some(i), _) => actions::export_members(state, vec![i]),
                    (None, Some(d)) => actions::export_segment(state, name.clone(), vec![(name.clone(), d.clone())]),
                    (None, None) => {}
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
                    <div class="actions">
                        <button class="primary" data-testid="segment-export" on:click=export
                            title=t("segment_page.export_help")>
                            {t("segment_page.export")}
                        </button>
                        <a class="button secondary" href=Route::Page(Page::Act, "export").href()>
                            {t("segment_page.export_options")}
                        </a>
                        <a class="button ghost" href=Route::Page(Page::Compare, "kpis").href()>
                            {t("segment_page.compare")}
                        </a>
                    </div>
                    <crate::components::ExportProgress/>
                </section>
                {kpis}
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
