//! "Where is my data?": where SegLens keeps the data, what leaves the
//! computer (nothing), how much is stored, and how to delete it.

use leptos::prelude::*;

use crate::actions;
use crate::format;
use crate::state::AppState;

/// The panel, shown when the top bar's button is pressed.
#[component]
pub fn Privacy() -> impl IntoView {
    let state = expect_context::<AppState>();
    let usage = move || {
        state.storage.get().map(|s| match (s.usage, s.quota) {
            (Some(u), Some(q)) => format!(
                "SegLens uses {} of the {} this browser allows it on this computer.",
                format::bytes(u as u64),
                format::bytes(q as u64)
            ),
            _ => "This browser does not say how much space SegLens uses.".to_string(),
        })
    };
    let persisted = move || state.storage.get().is_some_and(|s| s.persisted);
    view! {
        <section class="card privacy" data-testid="privacy" aria-labelledby="privacy-title">
            <div class="privacy-head">
                <h2 id="privacy-title">"Where is my data?"</h2>
                <button class="ghost" on:click=move |_| state.privacy_open.set(false)>"Close"</button>
            </div>
            <p>
                <strong>"On this computer, in this browser, and nowhere else."</strong>
                " The files you open are read here, analysed here (in a background thread of this page) and kept in this browser's own database (IndexedDB), for this site only."
            </p>
            <ul>
                <li>"Nothing is uploaded: SegLens has no server. The page forbids itself any connection to another site (a Content-Security-Policy), and loads no outside fonts, scripts or trackers."</li>
                <li>"After your first visit the app also works offline: its files are kept by the browser too."</li>
                <li>"Another browser, another computer or a private window does not see your data."</li>
                <li>"Each project (one per business or client) is stored apart: “Delete this project” removes one, “Delete all my data” removes every project and the app's cached files; so does clearing this site's data in the browser's settings."</li>
            </ul>
            <p data-testid="storage-usage">{usage}</p>
            {move || if persisted() {
                view! { <p class="muted">"The browser has agreed to keep this data even when disk space runs low."</p> }.into_any()
            } else {
                view! {
                    <p class="muted">
                        "The browser may clear this data if the disk fills up. "
                        <button class="secondary" data-testid="persist"
                            on:click=move |_| actions::request_persistence(state)>
                            "Ask it to keep my data"
                        </button>
                    </p>
                }.into_any()
            }}
        </section>
    }
}
