//! Bringing data in: the demo, order and other files (read in the worker,
//! with progress and cancel), the columns screen and the columns it
//! remembers, the statuses kept, and updates with newer exports.

use crate::actions::progress_sink;
use crate::engine_client::ImportFailure;
use crate::projects::actions::{keep, persist};
use crate::settings::actions::tour_seen;
use crate::state::{AppState, Status};
use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::import::sources::SourceKind;

/// Loads the built-in demo business.
pub(crate) fn explore_demo(state: AppState) {
    if state.status.get_untracked() != Status::Idle {
        return;
    }
    state.error.set(None);
    state.progress.set(None);
    state.status.set(Status::Working {
        label: crate::i18n::t("app.generating_demo"),
        cancellable: false,
    });
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        match engine
            .ask_progress(crate::protocol::ask::Demo, &progress_sink(state))
            .await
        {
            Ok(done) => {
                keep(state, done, "Demo business".into(), true).await;
                if !tour_seen() {
                    state.tour.set(Some(0));
                }
            }
            Err(e) => state.error.set(Some(e)),
        }
        state.progress.set(None);
        state.status.set(Status::Idle);
    });
}

/// Imports files: order files first (each starts a new workspace, so the
/// last one wins), then e-mail results and survey answers, which join it.
/// On failure or cancel, what was on screen and in storage stays as it was.
/// An order file is read with the columns chosen before for files with the
/// same columns; one whose columns cannot be told opens the columns screen.
pub(crate) fn import_files(state: AppState, files: Vec<web_sys::File>) {
    import_files_with(state, files, None, None);
}

/// Updates the project in use with newer exports: the order file's
/// orders are merged into the project's (everything the user made kept),
/// the other files replace the project's of their kind. An order file that
/// does not look like the next export asks first (`confirmed` is the
/// answer).
pub(crate) fn update_with_files(state: AppState, files: Vec<web_sys::File>, confirmed: bool) {
    state.update_question.set(None);
    import_files_with(state, files, None, Some(confirmed));
}

/// The files of the update the question is about, taken in anyway.
pub(crate) fn answer_update(state: AppState, take_in: bool) {
    let (files, chosen) = state
        .services
        .with_value(|s| (s.update_files.take(), s.update_columns.take()));
    state.update_question.set(None);
    if take_in && !files.is_empty() {
        // With the columns chosen on the screen, if they were.
        import_files_with(state, files, chosen, Some(true));
    }
}

/// The key under which the columns chosen for files with these columns are
/// remembered (column names only, no data).
pub(crate) fn columns_key(columns: &[String]) -> String {
    format!("seglens-columns:{}", columns.join("\u{1f}"))
}

pub(crate) type ColumnMap = Vec<(
    seglens_engine::import::roles::Role,
    seglens_engine::import::orders::ColumnRef,
)>;

/// The columns chosen before for files with these columns.
pub(crate) fn remembered_columns(columns: &[String]) -> ColumnMap {
    crate::browser::remembered(&columns_key(columns))
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

pub(crate) fn remember_columns(columns: &[String], map: &ColumnMap) {
    if let Ok(json) = serde_json::to_string(map) {
        crate::browser::remember(&columns_key(columns), &json);
    }
}

/// Forgets every remembered choice of columns.
pub(crate) fn forget_remembered_columns() {
    crate::browser::forget_all("seglens-columns:");
}

/// The key under which what a source file holds and its columns are
/// remembered for files with these columns (column names only).
pub(crate) fn source_columns_key(columns: &[String]) -> String {
    format!("seglens-columns:source:{}", columns.join("\u{1f}"))
}

pub(crate) type SourceChoice = (
    SourceKind,
    Vec<(String, seglens_engine::import::orders::ColumnRef)>,
);

/// What was chosen before for a source file with these columns.
pub(crate) fn remembered_source(columns: &[String]) -> Option<SourceChoice> {
    crate::browser::remembered(&source_columns_key(columns))
        .and_then(|json| serde_json::from_str(&json).ok())
}

pub(crate) fn remember_source(columns: &[String], choice: &SourceChoice) {
    if let Ok(json) = serde_json::to_string(choice) {
        crate::browser::remember(&source_columns_key(columns), &json);
    }
}

/// The file of this page named `name`: the order file or another source.
pub(crate) fn page_file(state: AppState, name: &str) -> Option<web_sys::File> {
    state.services.with_value(|s| {
        let order = s.order_file.borrow().clone().filter(|f| f.name() == name);
        order.or_else(|| {
            s.source_files
                .borrow()
                .iter()
                .find(|f| f.name() == name)
                .cloned()
        })
    })
}

/// Opens the columns screen for the last order file of this page.
pub(crate) fn open_column_choice(state: AppState, why: Option<String>) {
    let Some(file) = state.services.with_value(|s| s.order_file.borrow().clone()) else {
        return;
    };
    open_choice_for(state, file, why, Some(SourceKind::Orders), None, None);
}

/// Opens the columns screen for the file of this page named `name` (a
/// customers, e-mail, survey, events, tickets or costs file).
pub(crate) fn open_source_choice(state: AppState, name: String) {
    let Some(file) = page_file(state, &name) else {
        return;
    };
    open_choice_for(state, file, None, None, None, None);
}

/// Opens the columns screen for `file` read as `kind` (found from its
/// columns when none), from the workbook's `sheet` (the first when none),
/// with the columns remembered for files with the same columns. With
/// `update`, an order file imported from the screen updates the project in
/// use (see [`crate::state::ColumnChoice::update`]).
pub(crate) fn open_choice_for(
    state: AppState,
    file: web_sys::File,
    why: Option<String>,
    kind: Option<SourceKind>,
    sheet: Option<String>,
    update: Option<bool>,
) {
    state
        .services
        .with_value(|s| *s.choice_file.borrow_mut() = Some(file.clone()));
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        let kind = match kind {
            Some(k) => k,
            None => engine
                .classify(&file, sheet.clone())
                .await
                .ok()
                .flatten()
                .unwrap_or(SourceKind::Orders),
        };
        let mut choice = crate::state::ColumnChoice {
            file_name: file.name(),
            why,
            kind,
            map: Vec::new(),
            read: seglens_engine::import::sources::ReadOptions {
                sheet,
                ..Default::default()
            },
            preview: None,
            source_preview: None,
            update: update.filter(|_| kind == SourceKind::Orders),
        };
        if kind == SourceKind::Orders {
            let encoding = state.encoding.get_untracked();
            let sheet = choice.read.sheet.clone();
            let found = engine
                .preview_orders(&file, encoding, Vec::new(), sheet.clone())
                .await
                .ok();
            choice.map = found
                .as_ref()
                .map(|p| remembered_columns(&p.columns))
                .unwrap_or_default();
            choice.preview = if choice.map.is_empty() {
                found
            } else {
                engine
                    .preview_orders(&file, encoding, choice.map.clone(), sheet)
                    .await
                    .ok()
            };
        } else {
            choice.read.kind = Some(kind);
            let found = engine
                .preview_source(&file, source_read(state, &choice))
                .await
                .ok();
            if let Some((k, map)) = found.as_ref().and_then(|p| remembered_source(&p.columns))
                && k == kind
            {
                choice.read.map = map;
            }
            choice.source_preview = if choice.read.map.is_empty() {
                found
            } else {
                engine
                    .preview_source(&file, source_read(state, &choice))
                    .await
                    .ok()
            };
        }
        state.column_choice.set(Some(choice));
    });
}

/// How the columns screen's file is read as a source: the page's encoding
/// and the screen's choices.
pub(crate) fn source_read(
    state: AppState,
    choice: &crate::state::ColumnChoice,
) -> seglens_engine::import::sources::ReadOptions {
    seglens_engine::import::sources::ReadOptions {
        encoding: state.encoding.get_untracked(),
        kind: Some(choice.kind),
        ..choice.read.clone()
    }
}

/// The columns screen's choices and its file, when it is open.
pub(crate) fn open_choice(state: AppState) -> Option<(crate::state::ColumnChoice, web_sys::File)> {
    let choice = state.column_choice.get_untracked()?;
    let file = state
        .services
        .with_value(|s| s.choice_file.borrow().clone())?;
    Some((choice, file))
}

/// Reads the first rows of the columns screen's file again with the
/// screen's choices, unless the choices changed meanwhile.
pub(crate) fn refresh_choice(state: AppState) {
    let Some((choice, file)) = open_choice(state) else {
        return;
    };
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        let (mut orders, mut source) = (None, None);
        if choice.kind == SourceKind::Orders {
            let encoding = state.encoding.get_untracked();
            orders = engine
                .preview_orders(
                    &file,
                    encoding,
                    choice.map.clone(),
                    choice.read.sheet.clone(),
                )
                .await
                .ok();
        } else {
            source = engine
                .preview_source(&file, source_read(state, &choice))
                .await
                .ok();
        }
        state.column_choice.update(|c| {
            if let Some(c) = c
                .as_mut()
                .filter(|c| c.map == choice.map && c.read == choice.read && c.kind == choice.kind)
            {
                c.preview = orders;
                c.source_preview = source;
            }
        });
    });
}

/// Sets the column of a role on the columns screen (`None`: let SegLens
/// find it) and reads the first rows again.
pub(crate) fn choose_column(
    state: AppState,
    role: seglens_engine::import::roles::Role,
    column: Option<usize>,
) {
    state.column_choice.update(|c| {
        if let Some(c) = c {
            c.map.retain(|(r, _)| *r != role);
            if let Some(col) = column {
                c.map.push((
                    role,
                    seglens_engine::import::orders::ColumnRef::Position(col + 1),
                ));
            }
        }
    });
    refresh_choice(state);
}

/// Sets the column of a source's field on the columns screen (`None`: let
/// SegLens find it) and reads the first rows again.
pub(crate) fn choose_source_column(state: AppState, key: String, column: Option<usize>) {
    state.column_choice.update(|c| {
        if let Some(c) = c {
            c.read.map.retain(|(k, _)| *k != key);
            if let Some(col) = column {
                c.read.map.push((
                    key,
                    seglens_engine::import::orders::ColumnRef::Position(col + 1),
                ));
            }
        }
    });
    refresh_choice(state);
}

/// Reads what the columns screen's file holds as `kind` instead.
pub(crate) fn choose_file_kind(state: AppState, kind: SourceKind) {
    state.column_choice.update(|c| {
        if let Some(c) = c {
            c.kind = kind;
            c.map.clear();
            c.read.map.clear();
            c.read.kind = (kind != SourceKind::Orders).then_some(kind);
            c.preview = None;
            c.source_preview = None;
        }
    });
    refresh_choice(state);
}

/// Reads another sheet of the columns screen's workbook: what it holds is
/// found again from its columns.
pub(crate) fn choose_sheet(state: AppState, sheet: String) {
    let Some((choice, file)) = open_choice(state) else {
        return;
    };
    state.column_choice.update(|c| {
        if let Some(c) = c {
            c.read.sheet = Some(sheet.clone());
            c.preview = None;
            c.source_preview = None;
        }
    });
    open_choice_for(state, file, choice.why, None, Some(sheet), choice.update);
}

/// Imports the file of the columns screen with its choices, and remembers
/// the columns for files with the same columns.
pub(crate) fn import_with_chosen_columns(state: AppState) {
    let Some((choice, file)) = open_choice(state) else {
        return;
    };
    if let Some(p) = &choice.preview
        && choice.kind == SourceKind::Orders
    {
        remember_columns(&p.columns, &choice.map);
    }
    if let Some(p) = &choice.source_preview
        && choice.kind != SourceKind::Orders
    {
        remember_source(&p.columns, &(choice.kind, choice.read.map.clone()));
    }
    let read = seglens_engine::import::sources::ReadOptions {
        kind: Some(choice.kind),
        ..choice.read.clone()
    };
    state.column_choice.set(None);
    state.error.set(None);
    import_files_with(state, vec![file], Some((choice.map, read)), choice.update);
}

pub(crate) fn import_files_with(
    state: AppState,
    files: Vec<web_sys::File>,
    chosen: Option<(ColumnMap, seglens_engine::import::sources::ReadOptions)>,
    update: Option<bool>,
) {
    if state.status.get_untracked() != Status::Idle || files.is_empty() {
        return;
    }
    let asked_about = update.map(|_| files.clone()).unwrap_or_default();
    state.error.set(None);
    state.progress.set(None);
    state.status.set(Status::Working {
        label: crate::i18n::tf("app.reading", &[("file", &files[0].name())]),
        cancellable: true,
    });
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        // Workbooks become their sheets' rows first, in the workbook
        // worker (fetched the first time one is dropped); the file kept
        // for later readings is the one holding the rows.
        let mut read_files = Vec::with_capacity(files.len());
        for file in files {
            match crate::workbooks::as_rows(file).await {
                Ok(file) => read_files.push(file),
                Err(message) => {
                    state.error.set(Some(message));
                    state.status.set(Status::Idle);
                    return;
                }
            }
        }
        let mut ordered: Vec<(Option<SourceKind>, web_sys::File)> = Vec::new();
        for file in read_files {
            let kind = match &chosen {
                Some((_, read)) => read.kind,
                None => match engine.classify(&file, None).await.ok().flatten() {
                    Some(k) if k != SourceKind::Orders => Some(k),
                    // Names that say nothing: what was chosen before for
                    // files with these columns, if anything.
                    _ => engine
                        .preview_source(
                            &file,
                            seglens_engine::import::sources::ReadOptions::default(),
                        )
                        .await
                        .ok()
                        .and_then(|p| remembered_source(&p.columns))
                        .map(|(k, _)| k),
                },
            };
            ordered.push((kind.filter(|k| *k != SourceKind::Orders), file));
        }
        // Order files first, by name (monthly exports named by their month
        // come in order), then the other sources.
        ordered.sort_by_key(|(source, file)| (source.is_some(), file.name()));
        // Several order files dropped at once make one project: the first
        // starts it (or updates the project, for an update), the others
        // update it.
        let mut orders_read = false;
        for (source, file) in ordered {
            let is_source = source.is_some();
            let update = match (is_source, orders_read) {
                (true, _) => None,
                (false, true) => Some(update.unwrap_or(false)),
                (false, false) => update,
            };
            state.status.set(Status::Working {
                label: crate::i18n::tf("app.reading", &[("file", &file.name())]),
                cancellable: true,
            });
            let cancel = state.services.with_value(|s| {
                s.cancel.set(false);
                s.cancel.clone()
            });
            let options = state
                .workspace
                .get_untracked()
                .map(|w| w.record.options)
                .unwrap_or_default();
            let encoding = state.encoding.get_untracked();
            // The columns chosen on the screen, or before for files with
            // the same columns.
            let (map, read) = match (&chosen, source) {
                (Some((map, read)), _) => (map.clone(), read.clone()),
                (None, Some(kind)) => {
                    let read = engine
                        .preview_source(
                            &file,
                            seglens_engine::import::sources::ReadOptions::default(),
                        )
                        .await
                        .ok()
                        .and_then(|p| remembered_source(&p.columns))
                        .filter(|(k, _)| *k == kind)
                        .map(|(k, map)| seglens_engine::import::sources::ReadOptions {
                            kind: Some(k),
                            map,
                            ..Default::default()
                        })
                        .unwrap_or_default();
                    (Vec::new(), read)
                }
                (None, None) => (
                    engine
                        .preview_orders(&file, encoding, Vec::new(), None)
                        .await
                        .map(|p| remembered_columns(&p.columns))
                        .unwrap_or_default(),
                    Default::default(),
                ),
            };
            let sheet = read.sheet.clone();
            let mut read = seglens_engine::import::sources::ReadOptions { encoding, ..read };
            // A file whose first bytes read as UTF-8 and a later one does
            // not is read again as Windows-1252, rather than with its
            // accents turned into "�".
            let outcome = loop {
                let outcome = engine
                    .import_file(
                        &file,
                        &progress_sink(state),
                        cancel.clone(),
                        options.clone(),
                        update,
                        map.clone(),
                        read.clone(),
                    )
                    .await;
                match &outcome {
                    Err(ImportFailure::Refused(seglens_engine::ImportError::NotUtf8After {
                        ..
                    })) if read.encoding_guess.is_none() => {
                        read.encoding_guess =
                            Some(seglens_engine::import::delimited::Encoding::Windows1252);
                    }
                    _ => break outcome,
                }
            };
            match outcome {
                Ok(done) => {
                    // The file, to read it again differently from the report.
                    state.services.with_value(|s| {
                        if is_source {
                            let mut files = s.source_files.borrow_mut();
                            files.retain(|f| f.name() != file.name());
                            files.push(file.clone());
                        } else {
                            *s.order_file.borrow_mut() = Some(file.clone());
                        }
                    });
                    orders_read |= !is_source;
                    keep(state, done, file.name(), false).await
                }
                Err(ImportFailure::Cancelled) => break,
                Err(ImportFailure::Question(question)) => {
                    state.services.with_value(|s| {
                        // The files of the update, or the order file asked
                        // about when it was one of several dropped at once.
                        *s.update_files.borrow_mut() = if asked_about.is_empty() {
                            vec![file.clone()]
                        } else {
                            asked_about.clone()
                        };
                        *s.update_columns.borrow_mut() = chosen.clone();
                    });
                    state.update_question.set(Some(question));
                    break;
                }
                Err(ImportFailure::Refused(error)) => {
                    // Columns that cannot be told apart open the columns
                    // screen; other refusals are told in the banner.
                    let message = crate::i18n::import_error(&error);
                    if error.is_about_columns() {
                        open_choice_for(
                            state,
                            file.clone(),
                            Some(message.clone()),
                            Some(source.unwrap_or(SourceKind::Orders)),
                            sheet,
                            update,
                        );
                    }
                    state.error.set(Some(message));
                    break;
                }
                Err(ImportFailure::Failed(message)) => {
                    state.error.set(Some(message));
                    break;
                }
            }
        }
        state.progress.set(None);
        state.status.set(Status::Idle);
    });
}

/// Reads the project's order file again, keeping every order whatever its
/// status (`keep`) or leaving cancelled, failed, pending, draft and test
/// orders out again; the columns read keep their roles.
pub(crate) fn keep_all_statuses(state: AppState, keep: bool) {
    let Some(file) = state.services.with_value(|s| s.order_file.borrow().clone()) else {
        return;
    };
    let map: ColumnMap = state
        .workspace
        .get_untracked()
        .and_then(|ws| ws.record.report)
        .map(|r| {
            r.columns
                .iter()
                .filter_map(|c| {
                    c.role.map(|role| {
                        (
                            role,
                            seglens_engine::import::orders::ColumnRef::Name(c.name.clone()),
                        )
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let read = seglens_engine::import::sources::ReadOptions {
        kind: Some(SourceKind::Orders),
        all_statuses: keep,
        ..Default::default()
    };
    import_files_with(state, vec![file], Some((map, read)), None);
}

/// Asks the import under way to stop after the current chunk.
pub(crate) fn cancel_import(state: AppState) {
    state.services.with_value(|s| s.cancel.set(true));
}

/// Writes amounts in `code`'s currency (plain numbers for none) and keeps
/// the choice with the project.
pub(crate) fn choose_currency(state: AppState, code: Option<String>) {
    let Some(mut ws) = state.workspace.get_untracked() else {
        return;
    };
    ws.record.currency = code;
    spawn_local(async move {
        if let Err(e) = persist(state, &ws.record, None).await {
            state.error.set(Some(e));
        }
        state.workspace.set(Some(ws));
    });
}
