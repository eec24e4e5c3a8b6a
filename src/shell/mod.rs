//! The page's components. They render state and call actions; they hold
//! no business logic.

pub(crate) mod downloads;
pub(crate) mod tour;
pub(crate) mod workbench;

use leptos::prelude::*;

use crate::data::{ColumnChoiceCard, Start};
use crate::format;
use crate::i18n::{Locale, t, tf};
use crate::projects::{Privacy, ProjectBar};
use crate::state::{AppState, Status};
use crate::theme::Theme;

pub use downloads::{ChartDownloads, CsvDownload, csv_field, save_csv};
pub use tour::{STEPS as TOUR_STEPS, Tour};
pub use workbench::Workbench;

/// The whole app. Everything under it is drawn again in the new language
/// when the language changes; the state stays.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::start();
    provide_context(state);
    crate::settings::actions::start_locale(state);
    crate::projects::actions::restore(state);
    crate::settings::actions::start_theme(state);
    // For as long as the page is open.
    let _ = window_event_listener(leptos::ev::click, |ev| {
        crate::browser::close_menus_outside(&ev)
    });
    crate::route::listen(move |route| {
        if state.route.get_untracked() == route {
            return;
        }
        state.route.set(route);
        // A new page starts at its top, as a followed link does.
        crate::browser::scroll_to_top();
    });
    let currency = Memo::new(move |_| {
        state
            .workspace
            .with(|w| w.as_ref().and_then(|w| w.record.currency.clone()))
    });
    move || {
        // Read for their change only: the texts below look the language
        // up, and amounts the currency.
        let _ = state.locale.get();
        format::set_currency(currency.get().as_deref());
        view! { <Shell/> }
    }
}

/// The top bar and the page under it.
#[component]
fn Shell() -> impl IntoView {
    let state = expect_context::<AppState>();
    // What fills the page changes only when the status does or a workspace
    // comes or goes: a change inside the workspace (a saved segment, a goal,
    // a campaign) updates the cards in place and keeps what they hold.
    let screen = Memo::new(move |_| (state.status.get(), state.workspace.with(Option::is_some)));
    view! {
        <a class="skip-link" href="#main">{t("app.skip_to_content")}</a>
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">"◐"</span>
                <span class="name">"SegLens"</span>
            </div>
            <p class="tagline">{t("app.tagline")}</p>
            {move || state.workspace.get().is_some().then(|| view! {
                <button class="ghost" data-testid="open-tour"
                    on:click=move |_| state.tour.set(Some(0))>
                    {t("tour.open")}
                </button>
            })}
            <details class="menu" data-testid="settings-menu">
                <summary class="button ghost">{t("app.settings")}</summary>
                <div class="menu-items">
                    <LanguageSwitch/>
                    <ThemeSwitch/>
                    <button class="ghost privacy-button" data-testid="where-is-my-data"
                        aria-expanded=move || state.privacy_open.get().to_string()
                        on:click=move |ev| {
                            // The panel opens under the top bar: the menu
                            // folds away so as not to cover it.
                            crate::browser::close_menu_of(&ev);
                            let open = !state.privacy_open.get_untracked();
                            state.privacy_open.set(open);
                            if open {
                                crate::projects::actions::refresh_storage_info(state);
                            }
                        }>
                        {t("app.where_is_my_data")}
                    </button>
                </div>
            </details>
        </header>
        <main class="page" id="main" tabindex="-1">
            {move || state.privacy_open.get().then(|| view! { <Privacy/> })}
            <TabsBanner/>
            <ErrorBanner/>
            <ColumnChoiceCard/>
            {move || (!state.projects.get().is_empty()).then(|| view! { <ProjectBar/> })}
            {move || match screen.get() {
                (Status::Restoring, _) => view! {
                    <p class="muted" data-testid="restoring">{t("app.restoring")}</p>
                }.into_any(),
                (Status::Working { label, cancellable }, _) => view! {
                    <Working label=label cancellable=cancellable/>
                }.into_any(),
                (Status::Idle, true) => view! { <Workbench/><Tour/><StageToast/> }.into_any(),
                (Status::Idle, false) => view! { <Start/> }.into_any(),
            }}
        </main>
    }
}

/// The language of the interface: English or French, remembered on this
/// computer.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <div class="language" role="group" aria-label=t("app.language")>
            {Locale::ALL.into_iter().map(|locale| view! {
                <button class="ghost small" lang=locale.tag()
                    data-testid=format!("language-{}", locale.tag())
                    aria-pressed=move || (state.locale.get() == locale).to_string()
                    on:click=move |_| crate::settings::actions::choose_locale(state, locale)>
                    {locale.name()}
                </button>
            }).collect_view()}
        </div>
    }
}

/// The colours: as the system says, light or dark, remembered on this
/// computer.
#[component]
fn ThemeSwitch() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="theme">
            <span class="visually-hidden">{t("app.theme")}</span>
            <select data-testid="theme" title=t("app.theme")
                on:change=move |ev| {
                    if let Some(theme) = Theme::from_tag(&event_target_value(&ev)) {
                        crate::settings::actions::choose_theme(state, theme);
                    }
                }>
                {Theme::ALL.into_iter().map(|theme| view! {
                    <option value=theme.tag() selected=move || state.theme.get() == theme>
                        {t(&format!("app.theme.{}", theme.tag()))}
                    </option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The error banner: what went wrong, and that nothing was lost.
#[component]
fn ErrorBanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.error.get().map(|message| {
            view! {
                <div class="banner error" role="alert" data-testid="error">
                    <p>{message}</p>
                    <button class="ghost" on:click=move |_| state.error.set(None)>{t("app.dismiss")}</button>
                </div>
            }
        })
    }
}

/// Another tab of SegLens: a note while both are open, and a reload asked
/// for once the other tab has saved (nothing is saved here until then).
#[component]
fn TabsBanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        if state.stale.get() {
            Some(
                view! {
                    <div class="banner error" role="alert" data-testid="stale">
                        <p>{t("app.stale")}</p>
                        <button class="primary" on:click=move |_| crate::browser::reload()>{t("app.reload")}</button>
                    </div>
                }
                .into_any(),
            )
        } else if state.other_tab.get() {
            Some(
                view! {
                    <div class="banner info" role="status" data-testid="other-tab">
                        <p>{t("app.other_tab")}</p>
                    </div>
                }
                .into_any(),
            )
        } else {
            None
        }
    }
}

/// Long work under way: a progress bar with counts, and Cancel.
#[component]
fn Working(
    /// What is being done.
    label: String,
    /// Whether to offer Cancel.
    cancellable: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let detail = move || {
        state.progress.get().map(|p| {
            tf(
                "app.progress",
                &[
                    ("done", &format::bytes(p.bytes_done)),
                    ("total", &format::bytes(p.bytes_total)),
                    ("rows", &format::int(p.rows)),
                ],
            )
        })
    };
    let value = move || {
        state
            .progress
            .get()
            .map(|p| p.bytes_done as f64 / p.bytes_total.max(1) as f64)
            .unwrap_or(0.0)
    };
    view! {
        <section class="card working" aria-live="polite">
            <h2>{label.clone()}</h2>
            <progress data-testid="progress" max="1" value=value aria-label=label></progress>
            <p class="muted" data-testid="progress-detail">{detail}</p>
            <div><StageLine/></div>
            {cancellable.then(|| view! {
                <button class="secondary" data-testid="cancel-import"
                    on:click=move |_| crate::data::actions::cancel_import(state)>
                    {t("app.cancel")}
                </button>
            })}
        </section>
    }
}

/// One line under a card's explanation: how a marketer uses what it shows.
#[component]
pub fn HowToUse(
    /// The kind of segment: `rfm`, `lifecycle`, `rules`, `clusters` or
    /// `predict` (its `help.KIND.use` text).
    kind: &'static str,
) -> impl IntoView {
    view! {
        <p class="how-to" data-testid=format!("how-to-{kind}")>
            <strong>{t("help.use")}</strong>
            {t(&format!("help.{kind}.use"))}
        </p>
    }
}

/// The part of an analysis or of the model check under way: a bar and
/// "Step 2 of 4: Scoring recency, frequency and monetary value".
#[component]
pub fn StageLine() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.stage.get().map(|p| {
            let label = tf(
                "stage.step",
                &[
                    ("n", &format::int(p.done + 1)),
                    ("total", &format::int(p.total)),
                    ("what", &crate::i18n::stage(p.stage)),
                ],
            );
            view! {
                <span class="step-progress" data-testid="stage-progress">
                    <progress max=p.total.max(1) value=p.done aria-label=t("stage.label")></progress>
                    <span class="muted" aria-live="polite">{label}</span>
                </span>
            }
        })
    }
}

/// While the page is idle and the worker analyses again under new choices
/// (thresholds, RFM rules, the rows compared): the part under way, in a
/// corner, shown only when the work lasts (the style fades it in after a
/// moment).
#[component]
fn StageToast() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        (state.stage.get().is_some() && state.status.get() == Status::Idle && !state.checking.get())
            .then(|| view! { <div class="stage-toast" role="status"><StageLine/></div> })
    }
}

/// While an export is written: a bar and the customers written so far.
#[component]
pub fn ExportProgress() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.export_step.get().map(|(done, total)| {
            let label = if total == 0 {
                t("export.preparing")
            } else {
                tf(
                    "export.progress",
                    &[("done", &format::int(done)), ("total", &format::int(total))],
                )
            };
            view! {
                <span class="step-progress" data-testid="export-progress">
                    <progress max=total.max(1) value=done aria-label=t("export.preparing")></progress>
                    <span class="muted" aria-live="polite">{label}</span>
                </span>
            }
        })
    }
}
