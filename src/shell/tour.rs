//! The guided tour: five steps over the analysed data (collect, measure
//! against goals, compare, share, act), each pointing at its section.
//! It opens by itself the first time the demo is explored, can be skipped
//! at any step, and reopens from the top bar. Each step opens its page.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::actions;
use crate::i18n::{t, tf};
use crate::route::{Page, Route};
use crate::state::AppState;

/// The steps: catalogue key, the page they open and the section they
/// point at.
pub const STEPS: [(&str, Page, &str, &str); 5] = [
    ("tour.collect", Page::Data, "", "#data"),
    ("tour.goals", Page::Overview, "", "#goals"),
    ("tour.compare", Page::Compare, "kpis", "#compare"),
    ("tour.share", Page::Act, "export", "#share"),
    ("tour.act", Page::Act, "ideas", "#suggestions"),
];

thread_local! {
    /// How many times the tour has pointed somewhere (or nowhere).
    static POINTING: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Marks a step's section and scrolls to it, unmarking the others. The
/// page it is on may still be drawing (it was just opened) or filling in
/// (cohorts, cross-sell): looks again a little later.
fn point_at(selector: Option<&'static str>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(marked) = document.query_selector_all(".tour-target") {
        for i in 0..marked.length() {
            if let Some(el) = marked
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                let _ = el.class_list().remove_1("tour-target");
            }
        }
    }
    // A later step (or the tour's end) makes the looks still pending moot.
    let pointing = POINTING.with(|p| {
        p.set(p.get() + 1);
        p.get()
    });
    let Some(selector) = selector else {
        return;
    };
    for delay in [0, 100, 400, 1200] {
        let again = wasm_bindgen::closure::Closure::once_into_js(move || {
            if POINTING.with(|p| p.get()) != pointing {
                return;
            }
            let found = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector(selector).ok().flatten());
            if let Some(el) = found {
                let _ = el.class_list().add_1("tour-target");
                scroll_to(&el);
            }
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                again.unchecked_ref(),
                delay,
            );
        }
    }
}

/// Brings a section to the top of the window at once (a smooth scroll
/// across a long page would still be under way when the step is read).
fn scroll_to(el: &web_sys::Element) {
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_behavior(web_sys::ScrollBehavior::Instant);
    options.set_block(web_sys::ScrollLogicalPosition::Start);
    el.scroll_into_view_with_scroll_into_view_options(&options);
}

/// The tour's panel, while it is open.
#[component]
pub fn Tour() -> impl IntoView {
    let state = expect_context::<AppState>();
    Effect::new(move |_| {
        let step = state.tour.get();
        let at = step.and_then(|i| STEPS.get(i));
        if let Some((_, page, section, _)) = at {
            actions::open(state, Route::Page(*page, section));
        }
        point_at(at.map(|s| s.3));
        if step.is_some()
            && let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("tour-title"))
            && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = el.focus();
        }
    });
    move || {
        state.tour.get().map(|step| {
            let (key, ..) = STEPS[step.min(STEPS.len() - 1)];
            let last = step + 1 >= STEPS.len();
            view! {
                <aside class="tour card" role="dialog" aria-labelledby="tour-title" data-testid="tour"
                    on:keydown=move |ev: web_sys::KeyboardEvent| {
                        if ev.key() == "Escape" {
                            crate::settings::actions::close_tour(state);
                        }
                    }>
                    <p class="muted small" data-testid="tour-step">
                        {tf("tour.step", &[("n", &(step + 1).to_string()), ("of", &STEPS.len().to_string())])}
                    </p>
                    <h2 id="tour-title" tabindex="-1">{t(&format!("{key}.title"))}</h2>
                    <p>{t(&format!("{key}.text"))}</p>
                    <div class="actions">
                        {(step > 0).then(|| view! {
                            <button class="ghost" on:click=move |_| state.tour.set(Some(step - 1))>
                                {t("tour.back")}
                            </button>
                        })}
                        {if last {
                            view! {
                                <button class="primary" data-testid="tour-done"
                                    on:click=move |_| crate::settings::actions::close_tour(state)>
                                    {t("tour.done")}
                                </button>
                            }.into_any()
                        } else {
                            view! {
                                <button class="primary" data-testid="tour-next"
                                    on:click=move |_| state.tour.set(Some(step + 1))>
                                    {t("tour.next")}
                                </button>
                            }.into_any()
                        }}
                        <button class="ghost" data-testid="tour-skip"
                            on:click=move |_| crate::settings::actions::close_tour(state)>
                            {t("tour.skip")}
                        </button>
                    </div>
                </aside>
            }
        })
    }
}
