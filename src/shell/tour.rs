//! The guided tour: five steps over the analysed data (collect, measure
//! against goals, compare, share, act), each pointing at its section.
//! It opens by itself the first time the demo is explored, can be skipped
//! at any step, and reopens from the top bar. Each step opens its page.

use leptos::prelude::*;

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
    crate::browser::unmark_all("tour-target");
    // A later step (or the tour's end) makes the looks still pending moot.
    let pointing = POINTING.with(|p| {
        p.set(p.get() + 1);
        p.get()
    });
    let Some(selector) = selector else {
        return;
    };
    for delay in [0, 100, 400, 1200] {
        crate::browser::later(delay, move || {
            if POINTING.with(|p| p.get()) == pointing {
                crate::browser::mark_and_show(selector, "tour-target");
            }
        });
    }
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
        if step.is_some() {
            crate::browser::focus_id("tour-title");
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
