//! The columns screen: what a file holds, which sheet of a workbook to
//! read, and which column is which — for an order file the customer, the
//! order date and the amount; for customers, e-mail results, surveys,
//! events, tickets and costs their fields — with the first rows as they
//! would be read. What is chosen is remembered for files with the same
//! columns.

use leptos::prelude::*;

use crate::i18n::{self, t, tf};
use seglens_engine::import::orders::ColumnRef;
use seglens_engine::import::roles::Role;
use seglens_engine::import::sources::{SourceKind, SourcePreview};

use crate::format;
use crate::state::AppState;

/// Each order field with the catalogue keys of its name and its help.
const ROLES: [(Role, &str, &str); 3] = [
    (
        Role::CustomerId,
        "columns.customer",
        "columns.who_ordered_an_id_an",
    ),
    (
        Role::OrderDate,
        "columns.order_date",
        "columns.when_the_order_was_placed",
    ),
    (
        Role::Amount,
        "columns.amount",
        "columns.what_the_order_was_worth",
    ),
];

/// What a file can hold, with the catalogue key of its name.
const KINDS: [(SourceKind, &str, &str); 7] = [
    (SourceKind::Orders, "orders", "columns.orders_or_purchases"),
    (
        SourceKind::Customers,
        "customers",
        "columns.customers_one_row_each",
    ),
    (SourceKind::Email, "email", "columns.e_mail_results"),
    (
        SourceKind::Surveys,
        "surveys",
        "columns.survey_answers_nps_csat",
    ),
    (SourceKind::Events, "events", "columns.web_or_app_events"),
    (SourceKind::Tickets, "tickets", "columns.support_tickets"),
    (SourceKind::Costs, "costs", "columns.marketing_costs"),
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
            .map(|(k, key, label)| view! { <option value=*key selected=*k == kind>{t(label)}</option> })
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
                    <span>{t("columns.sheet")}<span class="muted small">{tf("columns.this_workbook_has_sheets", &[("0", &(sheets.len()).to_string())])}</span></span>
                    <select data-testid="sheet-choice" on:change=move |ev| crate::data::actions::choose_sheet(state, event_target_value(&ev))>
                        {options}
                    </select>
                </label>
            }
        });
        let what = view! {
            <div class="column-roles">
                <label class="column-role">
                    <span>{t("columns.this_file_holds")}</span>
                    <select data-testid="file-kind" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some((k, _, _)) = KINDS.iter().find(|(_, key, _)| *key == v) {
                            crate::data::actions::choose_file_kind(state, *k);
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
                    (None, Some(i)) => tf("columns.found_by_seglens", &[("0", &(columns[i]).to_string())]),
                    _ => t("columns.let_seglens_find_it"),
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
                        <span>{t(label)}<span class="muted small">{format!(" — {}", t(help))}</span></span>
                        <select data-testid=testid on:change=move |ev| {
                            let v = event_target_value(&ev);
                            crate::data::actions::choose_column(state, role, v.parse::<usize>().ok());
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
        // An update says so: the file joins the project in use.
        let intro = match choice.update {
            Some(_) => format!(
                "{} {}",
                t("columns.say_which_column_holds_the"),
                t("columns.updating")
            ),
            None => t("columns.say_which_column_holds_the"),
        };
        Some(frame(
            state,
            &choice.file_name,
            intro,
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
                        (None, Some(i)) => tf("columns.found_by_seglens", &[("0", &(columns[*i]).to_string())]),
                        (None, None) if !*required => t("columns.none_not_in_this_file"),
                        _ => t("columns.let_seglens_find_it"),
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
                            <span>{i18n::name("field", label)}{required.then(|| view! { <span class="muted small">" — " {t("columns.needed")}</span> })}</span>
                            <select data-testid=testid on:change=move |ev| {
                                let v = event_target_value(&ev);
                                crate::data::actions::choose_source_column(state, key.clone(), v.parse::<usize>().ok());
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
        t("columns.say_what_the_file_holds"),
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
    intro: String,
    what: AnyView,
    selects: AnyView,
    preview: Option<AnyView>,
    ready: bool,
) -> AnyView {
    view! {
        <section class="card columns-card" data-testid="column-choice" aria-labelledby="column-choice-title">
            <h2 id="column-choice-title">{tf("columns.which_columns_of_are_which", &[("file_name", file_name)])}</h2>
            <p class="muted">{intro}</p>
            {what}
            <div class="column-roles">{selects}</div>
            {preview.unwrap_or_else(|| view! { <p class="muted">{t("columns.reading_the_first_rows")}</p> }.into_any())}
            <div class="actions">
                <button class="primary" data-testid="import-with-columns" disabled=!ready
                    on:click=move |_| crate::data::actions::import_with_chosen_columns(state)>
                    {t("columns.import_with_these_columns")}
                </button>
                <button class="secondary" data-testid="close-column-choice"
                    on:click=move |_| state.column_choice.set(None)>
                    {t("columns.cancel")}
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
                .map(|c| tf("columns.column", &[("c", &c.to_string())]))
                .unwrap_or_default();
            view! { <li>{tf("columns.line", &[("0", &e.line.to_string()), ("column", &column.to_string()), ("1", &crate::i18n::row_reason(e))])}</li> }
        })
        .collect_view();
    view! {
        {p.error.as_ref().map(|e| view! { <p class="warn" data-testid="column-preview-error">{crate::i18n::import_error(e)}</p> })}
        {(!p.rows.is_empty()).then(|| view! {
            <p class="muted small">{t("columns.the_first_rows_as_they")}</p>
            <div class="table-wrap" tabindex="0">
                <table data-testid="column-preview">
                    <thead><tr><th scope="col" class="num">{t("columns.line_2")}</th>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })}
        {(!p.rejected.is_empty()).then(|| view! {
            <p class="muted small">{t("columns.rows_that_would_be_rejected")}</p>
            <ul class="small" data-testid="column-preview-rejected">{rejected}</ul>
        })}
    }
}

fn preview_view(p: &seglens_engine::import::orders::OrdersPreview) -> impl IntoView + use<> {
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
        .map(|e| view! { <li>{tf("columns.line_3", &[("0", &e.line.to_string()), ("1", &crate::i18n::row_reason(e))])}</li> })
        .collect_view();
    view! {
        {p.error.as_ref().map(|e| view! { <p class="warn" data-testid="column-preview-error">{crate::i18n::import_error(e)}</p> })}
        {(!p.rows.is_empty()).then(|| view! {
            <p class="muted small">{tf("columns.the_first_rows_as_they_2", &[("0", &p.date_format.to_string())])}</p>
            <div class="table-wrap" tabindex="0">
                <table data-testid="column-preview">
                    <thead><tr><th scope="col">{t("columns.customer")}</th><th scope="col">{t("columns.order_date")}</th><th scope="col" class="num">{t("columns.amount")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })}
        {(!p.rejected.is_empty()).then(|| view! {
            <p class="muted small">{t("columns.rows_that_would_be_rejected")}</p>
            <ul class="small" data-testid="column-preview-rejected">{rejected}</ul>
        })}
    }
}
