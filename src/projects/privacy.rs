//! "Where is my data?": where SegLens keeps the data, what leaves the
//! computer (nothing), how much is stored, and how to delete it.

use leptos::prelude::*;

use crate::i18n::{t, tf};

use crate::format;
use crate::state::AppState;

/// The panel, shown when the top bar's button is pressed.
#[component]
pub fn Privacy() -> impl IntoView {
    let state = expect_context::<AppState>();
    let usage = move || {
        state.storage.get().map(|s| match (s.usage, s.quota) {
            (Some(u), Some(q)) => tf(
                "privacy.seglens_uses_of_the_this",
                &[
                    ("0", &format::bytes(u as u64)),
                    ("1", &format::bytes(q as u64)),
                ],
            ),
            _ => t("privacy.this_browser_does_not_say"),
        })
    };
    let persisted = move || state.storage.get().is_some_and(|s| s.persisted);
    view! {
        <section class="card privacy" data-testid="privacy" aria-labelledby="privacy-title">
            <div class="privacy-head">
                <h2 id="privacy-title">{t("privacy.where_is_my_data")}</h2>
                <button class="ghost" on:click=move |_| state.privacy_open.set(false)>{t("privacy.close")}</button>
            </div>
            <p>
                <strong>{t("privacy.on_this_computer_in_this")}</strong>
                {t("privacy.the_files_you_open_are")}
            </p>
            <ul>
                <li>{t("privacy.nothing_is_uploaded_seglens_has")}</li>
                <li>{t("privacy.after_your_first_visit_the")}</li>
                <li>{t("privacy.another_browser_another_computer_or")}</li>
                <li>{t("privacy.each_project_one_per_business")}</li>
            </ul>
            <p data-testid="storage-usage">{usage}</p>
            {move || if persisted() {
                view! { <p class="muted">{t("privacy.the_browser_has_agreed_to")}</p> }.into_any()
            } else {
                view! {
                    <p class="muted">
                        {t("privacy.the_browser_may_clear_this")}
                        <button class="secondary" data-testid="persist"
                            on:click=move |_| crate::projects::actions::request_persistence(state)>
                            {t("privacy.ask_it_to_keep_my")}
                        </button>
                    </p>
                }.into_any()
            }}
        </section>
    }
}
