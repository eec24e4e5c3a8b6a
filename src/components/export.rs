//! Export: the members of chosen segments, in the columns an e-mail tool
//! imports.

use leptos::prelude::*;
use seglens_engine::export::Layout;
use seglens_engine::sql::Dialect;

use crate::actions;
use crate::format;
use crate::state::AppState;

/// The export card.
#[component]
pub fn ExportCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let chosen = RwSignal::new(Vec::<usize>::new());
    let layout = RwSignal::new(Layout::Plain);
    let delimiter = RwSignal::new(',');
    let dialect = RwSignal::new(Dialect::DuckDb);
    let table = RwSignal::new("orders".to_string());
    move || {
        state.workspace.get().map(|ws| {
            let segments = ws.analysis.non_empty_segments();
            view! {
                <section class="card" id="act" data-testid="export">
                    <h2>"Act on a segment: export its customers"</h2>
                    <p class="muted">
                        "Download the customers of the segments you tick, with their segment, in the columns your e-mail tool imports (e-mail address first). Cells that a spreadsheet would run as a formula are made harmless. The file is made on this computer."
                    </p>
                    <fieldset class="segment-picks">
                        <legend>"Segments"</legend>
                        {segments.into_iter().map(|(i, name, n)| view! {
                            <label class="pick">
                                <input type="checkbox" data-testid=format!("export-{i}")
                                    prop:checked=move || chosen.get().contains(&i)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| { c.retain(|x| *x != i); if on { c.push(i); } });
                                    }/>
                                {format!("{name} ({})", format::int(n))}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <div class="thresholds">
                        <label>"Columns for "
                            <select data-testid="export-layout" on:change=move |ev| {
                                if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                                    layout.set(Layout::ALL[i]);
                                }
                            }>
                                {Layout::ALL.iter().enumerate().map(|(i, l)| view! {
                                    <option value=i.to_string()>{l.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"Separated by "
                            <select on:change=move |ev| delimiter.set(if event_target_value(&ev) == ";" { ';' } else { ',' })>
                                <option value=",">"commas"</option>
                                <option value=";">"semicolons (Excel in French)"</option>
                            </select>
                        </label>
                        <button class="primary" data-testid="export-download"
                            on:click=move |_| {
                                let mut picked = chosen.get_untracked();
                                picked.sort_unstable();
                                actions::export_members(state, picked, layout.get_untracked(), delimiter.get_untracked())
                            }>
                            "Download"
                        </button>
                    </div>
                    <h3>"Run the same segments in your warehouse"</h3>
                    <p class="muted">
                        "A SQL query over your own orders table that returns the ticked segments' customers (all of them when none is ticked), with the same scores and segments as here."
                    </p>
                    <div class="thresholds">
                        <label>"SQL for "
                            <select data-testid="sql-dialect" on:change=move |ev| {
                                if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                                    dialect.set(Dialect::ALL[i]);
                                }
                            }>
                                {Dialect::ALL.iter().enumerate().map(|(i, d)| view! {
                                    <option value=i.to_string()>{d.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"Orders table "
                            <input type="text" data-testid="sql-table" prop:value=move || table.get()
                                on:change=move |ev| table.set(event_target_value(&ev))/>
                        </label>
                        <button class="secondary" data-testid="sql-download"
                            on:click=move |_| {
                                let mut picked = chosen.get_untracked();
                                picked.sort_unstable();
                                actions::export_sql(state, picked, dialect.get_untracked(), table.get_untracked())
                            }>
                            "Download SQL"
                        </button>
                    </div>
                    {move || state.last_sql.get().map(|q| view! {
                        <details class="sql"><summary>"The query"</summary><pre data-testid="sql-text">{q}</pre></details>
                    })}
                    {move || state.last_export.get().map(|(name, rows, skipped)| view! {
                        <p class="muted" data-testid="export-result">
                            {format!("{name}: {} written", format::count(rows, "customer", "customers"))}
                            {(skipped > 0).then(|| format!("; {} left out: no e-mail address (add a customers file with e-mails).", format::int(skipped)))}
                        </p>
                    })}
                </section>
            }
        })
    }
}
