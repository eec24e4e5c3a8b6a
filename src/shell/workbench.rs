//! The workbench around an analysed project: the toolbar with the project
//! menu, the pages' navigation, the banner for rejected rows, and the page
//! the address names ([`crate::route`]), each page a few cards.

use leptos::prelude::*;

use crate::act::{CampaignsCard, CrossSellCard, ExportCard, NotesCard, Suggestions};
use crate::actions;
use crate::compare::{CompareTwoCard, KpiHeatmap, SeparationCard};
use crate::data::{FilePicker, ProjectPicker, SinceUpdateCard, UpdatePicker, UpdateQuestionBanner};
use crate::format;
use crate::i18n::{self, t, tf, tn};
use crate::journeys::{
    ActivityCard, CohortsCard, FunnelCard, MigrationCard, PathsCard, SizesCard, StageMixCard,
    UsageCard,
};
use crate::overview::results::{CurrencyChoice, ImportSummary, SegmentChart, SegmentTable};
use crate::overview::{GoalsCard, HistoryCard};
use crate::predict::Predictions;
use crate::route::{Page, Route};
use crate::segments::{
    ClustersCard, LifecycleCard, RfmEditor, RuleBuilder, SavedSegments, SegmentPage,
};
use crate::state::AppState;

/// The analysed project: toolbar, navigation and the current page.
#[component]
pub fn Workbench() -> impl IntoView {
    view! {
        <Toolbar/>
        <PageNav/>
        <UpdateQuestionBanner/>
        <RejectedBanner/>
        <PageBody/>
    }
}

/// The project's name and size, the segment picker and the project menu.
#[component]
fn Toolbar() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().map(|ws| {
            let a = &ws.analysis;
            let segments: Vec<String> = a
                .summary
                .iter()
                .map(|s| s.segment.clone())
                .chain(ws.record.options.segments.iter().map(|s| s.name.clone()))
                .collect();
            view! {
                <section class="toolbar">
                    <div>
                        <h1 data-testid="source">{i18n::name("source", &ws.record.source)}</h1>
                        <p class="muted">
                            {tf("results.subtitle", &[
                                ("rows", &format::int(a.rows)),
                                ("scored", &format::int(a.scored)),
                                ("date", &format::date(a.as_of)),
                            ])}
                        </p>
                    </div>
                    <div class="actions">
                        <SegmentPicker segments=segments/>
                        <ProjectMenu/>
                    </div>
                </section>
            }
        })
    }
}

/// Goes to a segment's page: the RFM segments, then the user's own.
#[component]
fn SegmentPicker(segments: Vec<String>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let saved = state.workspace.with_untracked(|w| {
        w.as_ref()
            .map(|w| w.record.options.segments.clone())
            .unwrap_or_default()
    });
    view! {
        <label class="segment-picker">
            <span class="visually-hidden">{t("workbench.go_to_segment")}</span>
            <select data-testid="segment-picker" title=t("workbench.go_to_segment")
                on:change=move |ev| {
                    let name = event_target_value(&ev);
                    if !name.is_empty() {
                        actions::open(state, Route::Segment(name));
                    }
                }>
                <option value="" selected=move || !matches!(state.route.get(), Route::Segment(_))>
                    {t("workbench.go_to_segment")}
                </option>
                {segments.into_iter().map(|name| {
                    let here = name.clone();
                    view! {
                        <option value=name.clone()
                            selected=move || state.route.get() == Route::Segment(here.clone())>
                            {i18n::segment_name(&name, &saved)}
                        </option>
                    }
                }).collect_view()}
            </select>
        </label>
    }
}

/// Import, save, open, demo and delete, folded in one menu.
#[component]
fn ProjectMenu() -> impl IntoView {
    let state = expect_context::<AppState>();
    let confirm_delete = RwSignal::new(false);
    view! {
        <details class="menu" data-testid="project-menu">
            <summary class="button secondary">{t("workbench.project_menu")}</summary>
            <div class="menu-items">
                <UpdatePicker/>
                <FilePicker label="results.import_another"/>
                <button class="secondary" data-testid="save-project"
                    title=t("results.save_help")
                    on:click=move |_| crate::projects::actions::save_project(state)>
                    {t("results.save")}
                </button>
                <ProjectPicker/>
                <button class="secondary" on:click=move |_| crate::data::actions::explore_demo(state)>
                    {t("results.load_demo")}
                </button>
                {move || if confirm_delete.get() {
                    view! {
                        <span class="confirm">
                            {t("results.delete_confirm")}
                            <button class="danger" data-testid="confirm-delete"
                                on:click=move |_| {
                                    confirm_delete.set(false);
                                    crate::projects::actions::delete_all(state);
                                }>{t("results.delete")}</button>
                            <button class="ghost" on:click=move |_| confirm_delete.set(false)>
                                {t("results.keep")}
                            </button>
                        </span>
                    }.into_any()
                } else {
                    view! {
                        <button class="ghost" data-testid="delete-all"
                            on:click=move |_| confirm_delete.set(true)>
                            {t("results.delete_all")}
                        </button>
                    }.into_any()
                }}
            </div>
        </details>
    }
}

/// The pages, as links: each has its address.
#[component]
fn PageNav() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <nav class="pages" aria-label=t("nav.label")>
            {Page::ALL.into_iter().map(|page| view! {
                <a href=Route::page(page).href() data-testid=format!("nav-{}", page.slug())
                    aria-current=move || (state.route.get().on() == page).then_some("page")>
                    {t(&format!("nav.page.{}", page.slug()))}
                </a>
            }).collect_view()}
        </nav>
    }
}

/// The rows the last import set aside, until the user has looked at
/// them on the Data page.
fn rejected_rows(state: AppState) -> Option<(String, u64)> {
    state.workspace.with(|ws| {
        let ws = ws.as_ref()?;
        let report = ws.record.report.as_ref()?;
        let n = report.rejected_total
            + ws.record
                .sources
                .iter()
                .map(|s| s.rejected_total)
                .sum::<u64>();
        (n > 0).then(|| (report.file_name.clone(), n))
    })
}

/// On every page while the import has rejected rows not yet looked at.
#[component]
fn RejectedBanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let rejected = rejected_rows(state)?;
        if state.rejected_seen.get().as_ref() == Some(&rejected) {
            return None;
        }
        let (file, n) = rejected;
        Some(view! {
            <div class="banner warning" role="status" data-testid="rejected-banner">
                <p>{tn("workbench.rejected", n, &[("file", &file)])}</p>
                <a href=Route::page(Page::Data).href()>{t("workbench.see_rejected")}</a>
            </div>
        })
    }
}

/// The page the address names.
#[component]
fn PageBody() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let route = state.route.get();
        let sections = match &route {
            Route::Page(page, section) if !page.sections().is_empty() => {
                let (page, section) = (*page, *section);
                Some(view! {
                    <nav class="sections" aria-label=t(&format!("nav.page.{}", page.slug()))>
                        {page.sections().iter().map(|s| view! {
                            <a href=Route::Page(page, s).href() data-testid=format!("section-{s}")
                                aria-current=(*s == section).then_some("page")>
                                {t(&format!("nav.section.{s}"))}
                            </a>
                        }).collect_view()}
                    </nav>
                })
            }
            _ => None,
        };
        let body = match route {
            Route::Page(Page::Overview, _) => {
                view! { <SinceUpdateCard/><SegmentTable/><GoalsCard/><HistoryCard/> }.into_any()
            }
            Route::Page(Page::Data, _) => view! { <DataPage/> }.into_any(),
            Route::Page(Page::Segments, "lifecycle") => view! { <LifecycleCard/> }.into_any(),
            Route::Page(Page::Segments, "mine") => {
                view! { <SavedSegments/><RuleBuilder/> }.into_any()
            }
            Route::Page(Page::Segments, "clusters") => view! { <ClustersCard/> }.into_any(),
            Route::Page(Page::Segments, _) => view! { <SegmentChart/><RfmEditor/> }.into_any(),
            Route::Page(Page::Compare, "two") => view! { <CompareTwoCard/> }.into_any(),
            Route::Page(Page::Compare, "whole") => view! { <SeparationCard/> }.into_any(),
            Route::Page(Page::Compare, _) => view! { <KpiHeatmap/> }.into_any(),
            Route::Page(Page::Journeys, "paths") => {
                view! { <PathsCard/><StageMixCard/> }.into_any()
            }
            Route::Page(Page::Journeys, "cohorts") => view! { <CohortsCard/> }.into_any(),
            Route::Page(Page::Journeys, "moves") => view! { <MigrationCard/> }.into_any(),
            Route::Page(Page::Journeys, "sizes") => view! { <SizesCard/> }.into_any(),
            Route::Page(Page::Journeys, "activity") => view! { <ActivityCard/> }.into_any(),
            Route::Page(Page::Journeys, _) => view! { <FunnelPage/> }.into_any(),
            Route::Page(Page::Predict, _) => view! { <Predictions/> }.into_any(),
            Route::Page(Page::Act, "results") => view! { <CampaignsCard/> }.into_any(),
            Route::Page(Page::Act, "export") => {
                view! { <ShareCard/><ExportCard/><NotesCard/> }.into_any()
            }
            Route::Page(Page::Act, _) => view! { <Suggestions/><CrossSellCard/> }.into_any(),
            Route::Segment(name) => view! { <SegmentPage name=name/> }.into_any(),
        };
        view! { {sections} {body} }
    }
}

/// The Data page: the currency, then what the import read and set aside
/// (looking at it quiets the banner).
#[component]
fn DataPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    Effect::new(move |_| {
        let seen = rejected_rows(state);
        if seen.is_some() && state.rejected_seen.get_untracked() != seen {
            state.rejected_seen.set(seen);
        }
    });
    view! {
        {move || state.workspace.get().map(|ws| view! {
            <section class="card compact">
                <CurrencyChoice chosen=ws.record.currency.clone()/>
            </section>
        })}
        <ImportSummary/>
    }
}

/// Funnels and feature usage, or what to add to see them.
#[component]
fn FunnelPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        if state
            .workspace
            .with(|ws| ws.as_ref().is_some_and(|w| w.analysis.funnel.is_some()))
        {
            view! { <FunnelCard/><UsageCard/> }.into_any()
        } else {
            view! {
                <section class="card empty-state" data-testid="funnel-empty">
                    <h2>{t("nav.section.funnel")}</h2>
                    <p>{t("workbench.funnel_needs_events")}</p>
                </section>
            }
            .into_any()
        }
    }
}

/// The report and the summary, to share what the analysis found.
#[component]
fn ShareCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let busy = RwSignal::new(false);
    view! {
        <section class="card" id="share">
            <h2>{t("workbench.share_title")}</h2>
            <p class="muted">{t("workbench.share_intro")}</p>
            <div class="actions">
                <button class="secondary" data-testid="download-report"
                    title=t("results.report_help") disabled=move || busy.get()
                    on:click=move |_| crate::act::actions::download_report(state, busy)>
                    {t("results.report")}
                </button>
                <button class="ghost" data-testid="copy-summary"
                    title=t("results.summary_help")
                    on:click=move |_| crate::act::actions::copy_summary(state)>
                    {t("results.summary")}
                </button>
                {move || busy.get().then(|| view! {
                    <span class="step-progress" data-testid="report-progress">
                        <progress aria-label=t("downloads.drawing")></progress>
                        <span class="muted" aria-live="polite">{t("downloads.drawing")}</span>
                    </span>
                })}
            </div>
        </section>
    }
}
