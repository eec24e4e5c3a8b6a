//! The start screen: the demo, and a drop zone for the user's own file.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::i18n::t;
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
        crate::data::actions::import_files(state, file_list(files));
    };
    view! {
        <section class="start">
            <div class="card intro">
                <h1>{t("start.title")}</h1>
                <p>{t("start.intro")}</p>
                <button class="primary big" data-testid="explore-demo"
                    on:click=move |_| crate::data::actions::explore_demo(state)>
                    {t("start.explore_demo")}
                </button>
                <p class="muted small">{t("start.demo_detail")}</p>
                <p class="muted small">{t("start.saved_elsewhere")} " " <ProjectPicker/></p>
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
                <h2>{t("start.own_title")}</h2>
                <p>{t("start.drop_here")}</p>
                <FilePicker label="start.choose_file"/>
                <p class="muted small">{t("start.needs")}</p>
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
            {t("start.open_project")}
            <input
                type="file"
                data-testid="project-input"
                accept=".seglens"
                on:change=move |ev| {
                    let input: HtmlInputElement = event_target(&ev);
                    if let Some(file) = input.files().and_then(|f| f.get(0)) {
                        crate::projects::actions::open_project(state, file);
                    }
                    input.set_value("");
                }
            />
        </label>
    }
}

/// A button that opens the file picker and imports the chosen file.
/// The files the file pickers offer: text tables, JSON lines and
/// workbooks.
pub const ACCEPTED_FILES: &str = ".csv,.tsv,.txt,.jsonl,.ndjson,.json,.xlsx,.xls,.ods,text/csv,text/plain,application/json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.oasis.opendocument.spreadsheet";

#[component]
pub fn FilePicker(
    /// The catalogue key of the button's text.
    label: &'static str,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="button secondary file-picker">
            {t(label)}
            <input
                type="file"
                multiple
                data-testid="file-input"
                accept=ACCEPTED_FILES
                on:change=move |ev| {
                    let input: HtmlInputElement = event_target(&ev);
                    crate::data::actions::import_files(state, file_list(input.files()));
                    input.set_value("");
                }
            />
        </label>
        <label class="muted small encoding-choice" title=t("start.encoding_help")>
            " " {t("start.encoding")} " "
            <select data-testid="encoding-select" on:change=move |ev| {
                state.encoding.set(seglens_engine::import::delimited::Encoding::parse(&event_target_value(&ev)));
            }>
                <option value="" selected=move || state.encoding.get().is_none()>{t("start.encoding_detect")}</option>
                {[
                    seglens_engine::import::delimited::Encoding::Utf8,
                    seglens_engine::import::delimited::Encoding::Windows1252,
                    seglens_engine::import::delimited::Encoding::Utf16Le,
                    seglens_engine::import::delimited::Encoding::Utf16Be,
                ].into_iter().map(|e| view! {
                    <option value=e.label() selected=move || state.encoding.get() == Some(e)>{e.label()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The files of a file list, in order.
pub fn file_list(files: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    files
        .map(|f| (0..f.length()).filter_map(|i| f.get(i)).collect())
        .unwrap_or_default()
}
