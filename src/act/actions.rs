//! Acting and sharing: member exports and the campaign plan, SQL, the report
//! and its summary, notes, and copying text.

use crate::actions::{change_record, today};
use crate::i18n::t;
use crate::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::export::sql::{self, SqlSource};
use seglens_engine::export::{Export, ExportOptions};
use seglens_engine::import::roles::Role;

/// Writes the members of the chosen segments in a layout and offers the
/// file for download.
pub(crate) fn export_members(
    state: AppState,
    segments: Vec<usize>,
    plan: Option<CampaignPlan>,
    held: RwSignal<Option<(String, u64)>>,
) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    if segments.is_empty() {
        state
            .error
            .set(Some(t("actions.tick_at_least_one_segment")));
        return;
    }
    let mut export = state.export.get_untracked();
    if let Some(plan) = &plan {
        if plan.name.trim().is_empty() {
            state.error.set(Some(t("actions.name_the_campaign")));
            return;
        }
        export.holdout = Some(seglens_engine::export::Holdout {
            share: plan.share,
            seed: plan.seed(),
        });
    }
    held.set(None);
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        let stem = ws.record.source.trim_end_matches(".csv").replace(' ', "-");
        let file = export_file_name(&format!("{stem}-segments"), &export);
        state.export_step.set(Some((0, 0)));
        let request = crate::protocol::ask::Export {
            options: ws.record.options.clone(),
            segments,
            export: export.clone(),
        };
        let written = engine.ask_steps(request, &export_steps(state)).await;
        state.export_step.set(None);
        match written {
            Ok(mut done) => {
                let audience = std::mem::take(&mut done.audience);
                let held_out = done.held_out;
                save_export(state, file, &export, done);
                if let Some(plan) = plan.filter(|_| !audience.is_empty()) {
                    let name = plan.name.trim().to_string();
                    let (customers, control) = audience.into_iter().unzip();
                    let list = seglens_engine::analysis::campaign::SentList {
                        name: name.clone(),
                        day: plan.day,
                        customers,
                        control,
                    };
                    change_record(state, move |record| {
                        record.campaigns.retain(|c| c.name != list.name);
                        record.campaigns.push(list);
                        Ok(())
                    });
                    held.set(Some((name, held_out)));
                }
            }
            Err(e) => state.error.set(Some(e)),
        }
    });
}

/// A campaign whose exported list holds a control group out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CampaignPlan {
    /// The campaign's name, as its results will show it.
    pub name: String,
    /// The day it is sent.
    pub day: seglens_engine::model::date::Day,
    /// The share held out, above 0 and below 1.
    pub share: f64,
}

impl CampaignPlan {
    /// The draw's seed, from the name and the day: the same campaign
    /// exported again holds the same customers out.
    fn seed(&self) -> u64 {
        self.name
            .trim()
            .bytes()
            .chain(self.day.to_le_bytes())
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
    }
}

/// Where an export's steps go: the progress bar beside its button.
pub(crate) fn export_steps(state: AppState) -> impl Fn(u64, u64) {
    move |done, total| state.export_step.set(Some((done, total)))
}

/// The file name of an export: the stem, the layout and the extension.
pub(crate) fn export_file_name(stem: &str, export: &ExportOptions) -> String {
    let layout = export
        .layout
        .label()
        .split(' ')
        .next()
        .unwrap_or("export")
        .to_lowercase();
    let ext = if export.xlsx { "xlsx" } else { "csv" };
    format!("{}-{layout}.{ext}", file_stem(stem))
}

/// A name as a file name: lower case, letters and digits, dashes between.
pub(crate) fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .to_lowercase()
}

/// Offers an export for download and says what it holds.
pub(crate) fn save_export(state: AppState, file: String, export: &ExportOptions, done: Export) {
    let mime = if export.xlsx {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv;charset=utf-8"
    };
    match crate::downloads::save(&file, &done.bytes, mime) {
        Ok(()) => state.last_export.set(Some((
            file,
            done.rows,
            done.without_email,
            done.without_consent,
        ))),
        Err(e) => state.error.set(Some(e)),
    }
}

/// The table names the user gave, or each kind's own name.
pub(crate) fn sql_table(state: AppState, kind: &str) -> String {
    state
        .sql_tables
        .get_untracked()
        .into_iter()
        .find(|(k, _)| k == kind)
        .map(|(_, t)| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| kind.to_string())
}

/// Writes the chosen segments as a SQL query over the user's own orders
/// table (columns as the import mapped them) and offers it for download.
pub(crate) fn export_sql(state: AppState, segments: Vec<usize>) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    let dialect = state.sql_dialect.get_untracked();
    let renamed = state.sql_columns.get_untracked();
    let column = |role: Role| {
        let key = match role {
            Role::CustomerId => "customer",
            Role::OrderDate => "date",
            Role::Amount => "amount",
            other => other.key(),
        };
        renamed
            .iter()
            .find(|(k, r, c)| k == "orders" && r == key && !c.trim().is_empty())
            .map(|(_, _, c)| c.trim().to_string())
            .or_else(|| {
                ws.record
                    .report
                    .as_ref()
                    .and_then(|r| r.columns.iter().find(|c| c.role == Some(role)))
                    .map(|c| c.name.clone())
            })
            .unwrap_or_else(|| role.key().to_string())
    };
    let source = SqlSource {
        table: sql_table(state, "orders"),
        customer: column(Role::CustomerId),
        date: column(Role::OrderDate),
        amount: column(Role::Amount),
    };
    let names: Vec<String> = segments
        .iter()
        .filter_map(|i| ws.analysis.summary.get(*i).map(|s| s.segment.clone()))
        .collect();
    let filter = (!names.is_empty()).then_some(names.as_slice());
    let query = sql::rfm_sql(
        &ws.record.options.rfm,
        ws.analysis.as_of,
        &source,
        dialect,
        filter,
    );
    let name = format!("segments-{}.sql", dialect.label().to_lowercase());
    match crate::downloads::save(&name, query.as_bytes(), "application/sql") {
        Ok(()) => state.last_sql.set(Some(query)),
        Err(e) => state.error.set(Some(e)),
    }
}

/// Copies a text (a subject line or a message) to the clipboard.
pub(crate) fn copy_text(state: AppState, text: String) {
    spawn_local(async move {
        if let Err(e) = crate::clipboard::copy(&text).await {
            state.error.set(Some(e));
        }
    });
}

/// Offers the self-contained HTML report for download, its charts drawn
/// by the charts worker first (`busy` while they are).
pub(crate) fn download_report(state: AppState, busy: RwSignal<bool>) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    busy.set(true);
    spawn_local(async move {
        let models = crate::report::chart_models(&ws.record, &ws.analysis);
        let drawn = crate::chart_drawer::draw(models.clone().into_list())
            .await
            .and_then(|list| {
                models
                    .with(list)
                    .ok_or_else(|| t("downloads_file.the_charts_could_not_be_drawn"))
            });
        busy.set(false);
        let result = drawn.and_then(|charts| {
            let page = crate::report::html(&ws.record, &ws.analysis, &charts);
            let stem = ws.record.source.trim_end_matches(".csv").replace(' ', "-");
            crate::downloads::save(&format!("{stem}-report.html"), page.as_bytes(), "text/html")
        });
        if let Err(e) = result {
            state.error.set(Some(e));
        }
    });
}

/// Copies a Markdown summary to paste into an e-mail or a chat.
pub(crate) fn copy_summary(state: AppState) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    copy_text(state, crate::report::markdown(&ws.record, &ws.analysis));
}

/// Adds a note dated today, or removes the note at `remove`, and saves
/// the workspace.
pub(crate) fn edit_notes(state: AppState, add: Option<(String, String)>, remove: Option<usize>) {
    change_record(state, |record| {
        if let Some(i) = remove.filter(|i| *i < record.notes.len()) {
            record.notes.remove(i);
        }
        if let Some((about, text)) = add {
            if text.trim().is_empty() {
                return Err(t("actions.write_the_note_first"));
            }
            record.notes.push(crate::storage::Note {
                about,
                written: today(),
                text: text.trim().to_string(),
            });
        }
        Ok(())
    });
}
