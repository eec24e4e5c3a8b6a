//! Downloads of a chart: the picture as SVG or PNG, and its figures as CSV.

use leptos::prelude::*;

use crate::i18n::t;
use leptos::task::spawn_local;

use crate::state::AppState;

/// Three small buttons under a chart.
#[component]
pub fn ChartDownloads(
    /// The CSS selector of the chart's `<svg>`.
    #[prop(into)]
    selector: String,
    /// The files' name, without extension.
    #[prop(into)]
    name: String,
    /// The chart's figures as CSV (header line first).
    #[prop(into)]
    csv: String,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (s1, s2) = (selector.clone(), selector);
    let (n1, n2, n3) = (name.clone(), name.clone(), name);
    let testid = n1.clone();
    view! {
        <p class="chart-downloads" data-testid=format!("downloads-{testid}")>
            <span class="muted small">{t("downloads.download")}</span>
            <button class="link" on:click=move |_| {
                if let Err(e) = crate::downloads::save_svg(&s1, &n1) {
                    state.error.set(Some(e));
                }
            }>"SVG"</button>
            <button class="link" on:click=move |_| {
                let (s, n) = (s2.clone(), n2.clone());
                spawn_local(async move {
                    if let Err(e) = crate::downloads::save_png(&s, &n).await {
                        state.error.set(Some(e));
                    }
                });
            }>"PNG"</button>
            <button class="link" on:click=move |_| save_csv(state, &n3, &csv)>{t("downloads.csv_figures")}</button>
        </p>
    }
}

/// One small button under a table: its figures as CSV.
#[component]
pub fn CsvDownload(
    /// The file's name, without extension.
    #[prop(into)]
    name: String,
    /// The figures as CSV (header line first).
    #[prop(into)]
    csv: String,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let testid = format!("downloads-{name}");
    view! {
        <p class="chart-downloads" data-testid=testid>
            <span class="muted small">{t("downloads.download")}</span>
            <button class="link" on:click=move |_| save_csv(state, &name, &csv)>{t("downloads.csv_figures")}</button>
        </p>
    }
}

/// Offers `csv` as `name.csv`, with a byte-order mark so spreadsheets read
/// it as UTF-8; a failure is shown to the user.
pub fn save_csv(state: AppState, name: &str, csv: &str) {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(csv.as_bytes());
    if let Err(e) = crate::downloads::save(&format!("{name}.csv"), &bytes, "text/csv;charset=utf-8")
    {
        state.error.set(Some(e));
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
