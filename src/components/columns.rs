//! The columns screen: which column of an order file is the customer, the
//! order date and the amount, with the first rows as they would be read.
//! What is chosen is remembered for files with the same columns.

use leptos::prelude::*;
use seglens_engine::orders::ColumnRef;
use seglens_engine::roles::Role;

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

/// The columns screen, when open.
#[component]
pub fn ColumnChoiceCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let choice = state.column_choice.get()?;
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
        Some(view! {
            <section class="card columns-card" data-testid="column-choice" aria-labelledby="column-choice-title">
                <h2 id="column-choice-title">{format!("Which columns of {} are which?", choice.file_name)}</h2>
                <p class="muted">
                    "Say which column holds the customer, the order date and the amount; the first rows below show how they will be read. Your choice is kept on this computer for files with the same columns."
                </p>
                <div class="column-roles">{selects}</div>
                {match preview {
                    None => view! { <p class="muted">"Reading the first rows…"</p> }.into_any(),
                    Some(p) => preview_view(&p).into_any(),
                }}
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
        })
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
