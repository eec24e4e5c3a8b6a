//! The start screen: the demo, and a drop zone for the user's own file.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::actions;
use crate::state::AppState;

/// The empty state: what SegLens does and the two ways to begin.
#[component]
pub fn Start() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let files = ev.data_transfer().and_then(|dt| dt.files());
        actions::import_files(state, file_list(files));
    };
    view! {
        <section class="start">
            <div class="card intro">
                <h1>"Who are your best customers, and who is slipping away?"</h1>
                <p>
                    "SegLens scores every customer on how recently they bought, how often, and how much "
                    "(RFM), and groups them into segments such as Champions, At Risk or Lost. "
                    "Everything runs on this computer: nothing is uploaded."
                </p>
                <button class="primary big" data-testid="explore-demo"
                    on:click=move |_| actions::explore_demo(state)>
                    "Explore demo data"
                </button>
                <p class="muted small">
                    "A made-up shop with 5,000 customers and two years of orders."
                </p>
                <p class="muted small">"Saved a project on another computer? " <ProjectPicker/></p>
            </div>
            <div
                class="card dropzone"
                class:dragging=move || dragging.get()
                data-testid="drop-zone"
                on:dragover=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <h2>"Or analyse your own orders"</h2>
                <p>"Drop your exports here (CSV, TSV, semicolon-separated, JSON lines, Excel .xlsx or LibreOffice .ods), or"</p>
                <FilePicker label="Choose a file"/>
                <p class="muted small">
                    "It needs one row per order with a customer (customer_id, client, e-mail…), "
                    "a date (order_date, date de commande…) and an amount (amount, total, montant…). "
                    "Negative amounts count as refunds. Add a customers file, e-mail results (opened, clicked), survey answers (NPS, CSAT), "
                    "web events, support tickets and marketing costs (date, channel, spend) with them or later: they are joined to the orders by customer."
                </p>
            </div>
        </section>
    }
}

/// A button that opens a project file saved by SegLens.
#[component]
pub fn ProjectPicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="button ghost file-picker">
            "Open a project file"
            <input
                type="file"
                data-testid="project-input"
                accept=".seglens"
                on:change=move |ev| {
                    let input: HtmlInputElement = event_target(&ev);
                    if let Some(file) = input.files().and_then(|f| f.get(0)) {
                        actions::open_project(state, file);
                    }
                    input.set_value("");
                }
            />
        </label>
    }
}

/// A button that opens the file picker and imports the chosen file.
#[component]
pub fn FilePicker(
    /// The button's text.
    label: &'static str,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="button secondary file-picker">
            {label}
            <input
                type="file"
                multiple
                data-testid="file-input"
                accept=".csv,.tsv,.txt,.jsonl,.ndjson,.json,.xlsx,.ods,text/csv,text/plain,application/json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.oasis.opendocument.spreadsheet"
                on:change=move |ev| {
                    let input: HtmlInputElement = event_target(&ev);
                    actions::import_files(state, file_list(input.files()));
                    input.set_value("");
                }
            />
        </label>
        <label class="muted small encoding-choice" title="SegLens detects the text encoding; choose one if accents come out wrong (e.g. “Ã©” instead of “é”), then import the file again">
            " Text encoding "
            <select data-testid="encoding-select" on:change=move |ev| {
                state.encoding.set(seglens_engine::delimited::Encoding::parse(&event_target_value(&ev)));
            }>
                <option value="" selected=move || state.encoding.get().is_none()>"detect"</option>
                {[
                    seglens_engine::delimited::Encoding::Utf8,
                    seglens_engine::delimited::Encoding::Windows1252,
                    seglens_engine::delimited::Encoding::Utf16Le,
                    seglens_engine::delimited::Encoding::Utf16Be,
                ].into_iter().map(|e| view! {
                    <option value=e.label() selected=move || state.encoding.get() == Some(e)>{e.label()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The files of a file list, in order.
fn file_list(files: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    files
        .map(|f| (0..f.length()).filter_map(|i| f.get(i)).collect())
        .unwrap_or_default()
}
