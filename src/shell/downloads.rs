//! Downloads of a chart: the picture as SVG or PNG, and its figures as CSV.

use leptos::prelude::*;

use crate::i18n::t;
use leptos::task::spawn_local;

use crate::state::AppState;

/// Three small buttons under a chart: the picture as SVG or PNG, and its
/// figures as CSV. The picture is the chart's model drawn by charts-rs in
/// the charts worker; a chart the model does not describe (the paths'
/// flows, the stage mix's areas) is saved as the page draws it, from
/// `selector`.
#[component]
pub fn ChartDownloads(
    /// The chart, drawn by the charts worker for the picture.
    #[prop(optional)]
    chart: Option<seglens_charts::Chart>,
    /// Or the CSS selector of the page's own `<svg>`.
    #[prop(optional, into)]
    selector: Option<String>,
    /// The files' name, without extension.
    #[prop(into)]
    name: String,
    /// The chart's figures as CSV (header line first).
    #[prop(into)]
    csv: String,
    /// What the line says before the buttons ("Download:" by default).
    #[prop(optional, into)]
    label: Option<String>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let label = label.unwrap_or_else(|| t("downloads.download"));
    let picture = StoredValue::new((chart, selector));
    let testid = name.clone();
    let (n1, n2, n3) = (name.clone(), name.clone(), name);
    let busy = RwSignal::new(false);
    // Draws and saves the picture, the buttons disabled meanwhile.
    let picture_of = move |name: String, png: bool| {
        spawn_local(async move {
            busy.set(true);
            if let Err(e) = save(picture.get_value(), &name, png).await {
                state.error.set(Some(e));
            }
            busy.set(false);
        });
    };
    view! {
        <p class="chart-downloads" data-testid=format!("downloads-{testid}")>
            <span class="muted small">{label}</span>
            <button class="link" disabled=move || busy.get()
                on:click=move |_| picture_of(n1.clone(), false)>"SVG"</button>
            <button class="link" disabled=move || busy.get()
                on:click=move |_| picture_of(n2.clone(), true)>"PNG"</button>
            <button class="link" on:click=move |_| save_csv(state, &n3, &csv)>{t("downloads.csv_figures")}</button>
            {move || busy.get().then(|| view! {
                <span class="muted small" role="status" data-testid="drawing">{t("downloads.drawing")}</span>
            })}
        </p>
    }
}

/// Saves a chart's picture: the model drawn by the charts worker, or the
/// page's own SVG.
async fn save(
    picture: (Option<seglens_charts::Chart>, Option<String>),
    name: &str,
    png: bool,
) -> Result<(), String> {
    match picture {
        (Some(chart), _) => {
            let svg = crate::chart_drawer::draw_one(chart).await?;
            if png {
                crate::downloads::save_png_text(&svg, name).await
            } else {
                crate::downloads::save_svg_text(&svg, name)
            }
        }
        (None, Some(selector)) if png => crate::downloads::save_png(&selector, name).await,
        (None, Some(selector)) => crate::downloads::save_svg(&selector, name),
        (None, None) => Err(t("downloads_file.the_chart_is_not_on")),
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
