//! The columns screen: what a file holds, which sheet of a workbook to
//! read, and which column is which — for an order file the customer, the
//! order date and the amount; for customers, e-mail results, surveys,
//! events, tickets and costs their fields — with the first rows as they
//! would be read. What is chosen is remembered for files with the same
//! columns.

use leptos::prelude::*;
use seglens_engine::orders::ColumnRef;
use seglens_engine::roles::Role;
use seglens_engine::sources::{SourceKind, SourcePreview};

use crate::actions;
use crate::format;
use crate::state::AppState;

const ROLES: [(Role, &str, &str); 3] = [
    (
        Role::CustomerId,
        "Customer",
        "who ordered: an id, an e-mail or a name",
    ),
    (Role::OrderDate, "Order date", "when the order was placed"),
    (
        Role::Amount,
        "Amount",
        "what the order was worth (refunds negative)",
    ),
];

/// What a file can hold, as the screen names it.
const KINDS: [(SourceKind, &str, &str); 7] = [
    (SourceKind::Orders, "orders", "Orders or purchases"),
    (
        SourceKind::Customers,
        "customers",
        "Customers (one row each)",
    ),
    (SourceKind::Email, "email", "E-mail results"),
    (SourceKind::Surveys, "surveys", "Survey answers (NPS, CSAT)"),
    (SourceKind::Events, "events", "Web or app events"),
    (SourceKind::Tickets, "tickets", "Support tickets"),
    (SourceKind::Costs, "costs", "Marketing costs"),
];

/// The columns screen, when open.
#[component]
pub fn ColumnChoiceCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let choice = state.column_choice.get()?;
        let kind = choice.kind;
        let kind_options = KINDS
            .iter()
            .map(|(k, key, label)| view! { <option value=*key selected=*k == kind>{*label}</option> })
            .collect_view();
        let sheets = choice.sheets();
        let chosen_sheet = choice
            .read
            .sheet
            .clone()
            .or_else(|| sheets.first().cloned());
        let sheet_picker = (sheets.len() > 1).then(|| {
            let options = sheets
                .iter()
                .map(|n| view! { <option value=n.clone() selected=Some(n) == chosen_sheet.as_ref()>{n.clone()}</option> })
                .collect_view();
            view! {
                <label class="column-role">
                    <span>"Sheet"<span class="muted small">{format!(" — this workbook has {} sheets", sheets.len())}</span></span>
                    <select data-testid="sheet-choice" on:change=move |ev| actions::choose_sheet(state, event_target_value(&ev))>
                        {options}
                    </select>
                </label>
            }
        });
        let what = view! {
            <div class="column-roles">
                <label class="column-role">
                    <span>"This file holds"</span>
                    <select data-testid="file-kind" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some((k, _, _)) = KINDS.iter().find(|(_, key, _)| *key == v) {
                            actions::choose_file_kind(state, *k);
                        }
                    }>
                        {kind_options}
                    </select>
                </label>
                {sheet_picker}
            </div>
        };
        if kind != SourceKind::Orders {
            return Some(source_card(state, &choice, what.into_any()));
        }
        let columns = choice
            .preview
            .as_ref()
            .map(|p| p.columns.clone())
            .unwrap_or_default();
        let selects = ROLES
            .iter()
            .map(|(role, label, help)| {
                let role = *role;
                let forced = choice.map.iter().find(|(r, _)| *r == role).and_then(|(_, c)| match c {
                    ColumnRef::Position(p) => Some(p - 1),
                    ColumnRef::Name(n) => columns.iter().position(|c| c == n),
                });
                let found = choice
                    .preview
                    .as_ref()
                    .and_then(|p| p.chosen.iter().find(|(r, _)| *r == role).and_then(|(_, c)| *c));
                let auto_label = match (forced, found) {
                    (None, Some(i)) => format!("found by SegLens: {}", columns[i]),
                    _ => "let SegLens find it".to_string(),
                };
                let options = columns
                    .iter()
                    .enumerate()
                    .map(|(i, name)| {
                        view! { <option value=i.to_string() selected=forced == Some(i)>{name.clone()}</option> }
                    })
                    .collect_view();
                let testid = format!("column-{}", role.key());
                view! {
                    <label class="column-role">
                        <span>{*label}<span class="muted small">{format!(" — {help}")}</span></span>
                        <select data-testid=testid on:change=move |ev| {
                            let v = event_target_value(&ev);
                            actions::choose_column(state, role, v.parse::<usize>().ok());
                        }>
                            <option value="" selected=forced.is_none()>{auto_label}</option>
                            {options}
                        </select>
                    </label>
                }
            })
            .collect_view();
        let preview = choice.preview.clone();
        let ready = preview
            .as_ref()
            .is_some_and(|p| p.error.is_none() && !p.rows.is_empty());
        Some(frame(
            state,
            &choice.file_name,
            "Say which column holds the customer, the order date and the amount; the first rows below show how they will be read. Your choice is kept on this computer for files with the same columns.",
            what.into_any(),
            selects.into_any(),
            preview.map(|p| preview_view(&p).into_any()),
            ready,
        ))
    }
}

/// The columns screen for a file other than orders: each field's column
/// and the first rows as they will be read.
fn source_card(state: AppState, choice: &crate::state::ColumnChoice, what: AnyView) -> AnyView {
    let preview = choice.source_preview.clone();
    let columns = preview
        .as_ref()
        .map(|p| p.columns.clone())
        .unwrap_or_default();
    let selects = preview
        .as_ref()
        .map(|p| {
            p.fields
                .iter()
                .map(|(key, label, required, found)| {
                    let forced = choice.read.map.iter().find(|(k, _)| k == key).and_then(|(_, c)| match c {
                        ColumnRef::Position(p) => Some(p - 1),
                        ColumnRef::Name(n) => columns.iter().position(|c| c == n),
                    });
                    let auto_label = match (forced, found) {
                        (None, Some(i)) => format!("found by SegLens: {}", columns[*i]),
                        (None, None) if !*required => "none (not in this file)".to_string(),
                        _ => "let SegLens find it".to_string(),
                    };
                    let options = columns
                        .iter()
                        .enumerate()
                        .map(|(i, name)| view! { <option value=i.to_string() selected=forced == Some(i)>{name.clone()}</option> })
                        .collect_view();
                    let key = key.clone();
                    let testid = format!("source-column-{key}");
                    view! {
                        <label class="column-role">
                            <span>{label.clone()}{required.then(|| view! { <span class="muted small">" — needed"</span> })}</span>
                            <select data-testid=testid on:change=move |ev| {
                                let v = event_target_value(&ev);
                                actions::choose_source_column(state, key.clone(), v.parse::<usize>().ok());
                            }>
                                <option value="" selected=forced.is_none()>{auto_label}</option>
                                {options}
                            </select>
                        </label>
                    }
                })
                .collect_view()
        });
    let ready = preview
        .as_ref()
        .is_some_and(|p| p.error.is_none() && !p.rows.is_empty());
    frame(
        state,
        &choice.file_name,
        "Say what the file holds and which column is which; the first rows below show how they will be read. Your choice is kept on this computer for files with the same columns.",
        what,
        selects.into_any(),
        preview.map(|p| source_preview_view(&p).into_any()),
        ready,
    )
}

/// The columns screen around its choices: the title, what it asks, the
/// choices, the first rows as read (once read) and the buttons.
fn frame(
    state: AppState,
    file_name: &str,
    intro: &'static str,
    what: AnyView,
    selects: AnyView,
    preview: Option<AnyView>,
    ready: bool,
) -> AnyView {
    view! {
        <section class="card columns-card" data-testid="column-choice" aria-labelledby="column-choice-title">
            <h2 id="column-choice-title">{format!("Which columns of {file_name} are which?")}</h2>
            <p class="muted">{intro}</p>
            {what}
            <div class="column-roles">{selects}</div>
            {preview.unwrap_or_else(|| view! { <p class="muted">"Reading the first rows…"</p> }.into_any())}
            <div class="actions">
                <button class="primary" data-testid="import-with-columns" disabled=!ready
                    on:click=move |_| actions::import_with_chosen_columns(state)>
                    "Import with these columns"
                </button>
                <button class="secondary" data-testid="close-column-choice"
                    on:click=move |_| state.column_choice.set(None)>
                    "Cancel"
                </button>
            </div>
        </section>
    }
    .into_any()
}

fn source_preview_view(p: &SourcePreview) -> impl IntoView + use<> {
    let head = p
        .fields
        .iter()
        .map(|(_, label, _, _)| view! { <th scope="col">{label.clone()}</th> })
        .collect_view();
    let rows = p
        .rows
        .iter()
        .zip(&p.lines)
        .map(|(cells, line)| {
            let cells = cells
                .iter()
                .map(|c| view! { <td>{c.clone()}</td> })
                .collect_view();
            view! { <tr><td class="num">{*line}</td>{cells}</tr> }
        })
        .collect_view();
    let rejected = p
        .rejected
        .iter()
        .take(3)
        .map(|e| {
            let column = e
                .column
                .as_ref()
                .map(|c| format!(", column {c}"))
                .unwrap_or_default();
            view! { <li>{format!("Line {}{column}: {}", e.line, e.reason)}</li> }
        })
        .collect_view();
    view! {
        {p.error.clone().map(|e| view! { <p class="warn" data-testid="column-preview-error">{e}</p> })}
        {(!p.rows.is_empty()).then(|| view! {
            <p class="muted small">"The first rows as they will be read:"</p>
            <div class="table-wrap" tabindex="0">
                <table data-testid="column-preview">
                    <thead><tr><th scope="col" class="num">"Line"</th>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })}
        {(!p.rejected.is_empty()).then(|| view! {
            <p class="muted small">"Rows that would be rejected:"</p>
            <ul class="small" data-testid="column-preview-rejected">{rejected}</ul>
        })}
    }
}

fn preview_view(p: &seglens_engine::orders::OrdersPreview) -> impl IntoView + use<> {
    let rows = p
        .rows
        .iter()
        .map(|(customer, date, amount)| {
            view! {
                <tr><td>{customer.clone()}</td><td>{date.clone()}</td><td class="num">{format::money(*amount)}</td></tr>
            }
        })
        .collect_view();
    let rejected = p
        .rejected
        .iter()
        .take(3)
        .map(|e| view! { <li>{format!("Line {}: {}", e.line, e.reason)}</li> })
        .collect_view();
    view! {
        {p.error.clone().map(|e| view! { <p class="warn" data-testid="column-preview-error">{e}</p> })}
        {(!p.rows.is_empty()).then(|| view! {
            <p class="muted small">{format!("The first rows as they will be read (dates {}):", p.date_format)}</p>
            <div class="table-wrap" tabindex="0">
                <table data-testid="column-preview">
                    <thead><tr><th scope="col">"Customer"</th><th scope="col">"Order date"</th><th scope="col" class="num">"Amount"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })}
        {(!p.rejected.is_empty()).then(|| view! {
            <p class="muted small">"Rows that would be rejected:"</p>
            <ul class="small" data-testid="column-preview-rejected">{rejected}</ul>
        })}
    }
}
