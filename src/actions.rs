//! What the buttons do: they move data between the adapters (files,
//! worker, storage) and the state. The computing happens in the worker.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine_client::{ImportFailure, Progress};
use crate::i18n::{Locale, t, tf};
use crate::protocol::Imported;
use crate::protocol::Request;
use crate::route::{Page, Route};
use crate::state::{AppState, MemberView, Status, Workspace};
use crate::storage::{self, RECORD_VERSION, Store, WorkspaceRecord};
use crate::theme::Theme;
use seglens_engine::analysis::{Analysis, AnalysisOptions};
use seglens_engine::export::sql::{self, SqlSource};
use seglens_engine::export::{Export, ExportOptions};
use seglens_engine::import::roles::Role;
use seglens_engine::import::sources::SourceKind;
use seglens_engine::metrics::kpi::Goal;
use seglens_engine::metrics::snapshot::Snapshot;
use seglens_engine::model::date::Day;
use seglens_engine::segments::cluster::{ClusterSetup, Feature};
use seglens_engine::segments::groups::Rows;
use seglens_engine::segments::lifecycle::LifecycleSetup;
use seglens_engine::segments::rfm::RfmSetup;
use seglens_engine::segments::{Definition, SavedSegment};

fn progress_sink(state: AppState) -> impl Fn(Progress) {
    move |p| state.progress.set(Some(p))
}

/// Opens the database and shows the saved workspace, if there is one; sets
/// up offline use.
pub fn restore(state: AppState) {
    spawn_local(async move {
        if let Err(e) = crate::offline::register().await {
            web_sys::console::info_1(
                &tf(
                    "actions.seglens_will_not_work_offline",
                    &[("e", &e.to_string())],
                )
                .into(),
            );
        }
    });
    let tabs = crate::tabs::Tabs::join(move |heard| match heard {
        crate::tabs::Heard::Open => state.other_tab.set(true),
        crate::tabs::Heard::Saved(project) => {
            state.other_tab.set(true);
            let mine = state
                .services
                .with_value(|s| s.store.as_ref().map(Store::project));
            if project.is_empty() || mine.is_none_or(|m| m == project) {
                state.stale.set(true);
            }
        }
    });
    state
        .services
        .update_value(|s| s.tabs = tabs.map(std::rc::Rc::new));
    spawn_local(async move {
        let store = match Store::open(storage::DB_NAME).await {
            Ok(s) => s,
            Err(e) => {
                state.error.set(Some(e.to_string()));
                state.status.set(Status::Idle);
                return;
            }
        };
        let loaded = store.load().await;
        state.project.set(store.project());
        state.services.update_value(|s| s.store = Some(store));
        refresh_projects(state).await;
        match loaded {
            Ok(Some((record, table))) => {
                let store = state.services.with_value(|s| s.store.clone());
                if let Some(store) = store {
                    show_stored(state, &store, record, table).await;
                }
            }
            Ok(None) => {}
            Err(e) => state.error.set(Some(e.to_string())),
        }
        // Set only when it changes: setting it again would draw the page
        // anew under the user's hands.
        if state.status.get_untracked() != Status::Idle {
            state.status.set(Status::Idle);
        }
    });
}

/// Saves a finished import and puts it on screen. An order file (or the
/// demo) starts a new workspace; an e-mail or survey file joins the current
/// one.
async fn keep(state: AppState, done: Imported, source: String, is_demo: bool) {
    let current = state.workspace.get_untracked().map(|w| w.record);
    let updated = done.update.is_some();
    // New order data (a file or the demo) starts a new project beside the
    // one in use, which stays as it was, unless it updates that one.
    if done.source.is_none()
        && !updated
        && current.is_some()
        && let Err(e) = beside_the_current_project(state).await
    {
        return state.error.set(Some(e));
    }
    let record = match (done.source, current) {
        // An update keeps everything the user made; the analysis date
        // moves to the day after the last order.
        (None, Some(mut record)) if updated => {
            record.report = done.report;
            record.sources = done.sources;
            record.options.as_of = None;
            record.last_update = done.update.map(|s| *s);
            record
        }
        (Some(added), Some(mut record)) => {
            // Every source's report as the data now has it: the counts of
            // the join change with each file added.
            if done.sources.iter().any(|r| r.kind == added.kind) {
                record.sources = done.sources;
            } else {
                record.sources.retain(|r| r.kind != added.kind);
                record.sources.push(added);
            }
            record
        }
        _ => WorkspaceRecord {
            version: RECORD_VERSION,
            source,
            is_demo,
            currency: match &done.report {
                Some(r) if !is_demo => r.currency.clone(),
                _ => is_demo.then(|| seglens_engine::import::demo::DEMO_CURRENCY.to_string()),
            },
            report: done.report,
            sources: done.sources,
            options: AnalysisOptions::default(),
            goals: Vec::new(),
            notes: Vec::new(),
            snapshots: Vec::new(),
            last_update: None,
            campaigns: Vec::new(),
        },
    };
    let mut record = record;
    record.snapshots.push(Snapshot::of(
        &done.analysis.kpis,
        &today(),
        if updated { "update" } else { "import" },
        done.analysis.as_of,
    ));
    state.holdout.set(None);
    forget_views(state);
    let saving = js_sys::Date::now();
    if let Err(e) = persist(state, &record, Some(&done.table)).await {
        state.error.set(Some(e));
    }
    state
        .last_import
        .set(Some((done.timings, js_sys::Date::now() - saving)));
    keep_analysis(state, &record.options, &done.analysis).await;
    refresh_projects(state).await;
    state.workspace.set(Some(Workspace {
        record,
        analysis: done.analysis,
    }));
    // The demo and an update open on the Overview (what changed first); a
    // file the user brought, on what was read of it.
    open(
        state,
        if is_demo || updated {
            Route::default()
        } else {
            Route::page(Page::Data)
        },
    );
}

/// Opens a page: the address changes (a new entry in the browser's
/// history) and the page is drawn at once.
pub fn open(state: AppState, route: Route) {
    crate::route::go(&route);
    if state.route.get_untracked() != route {
        state.route.set(route);
    }
}

/// Drops what was computed on screen for the previous data: member list,
/// clusters, silhouette, the rule being built.
fn forget_views(state: AppState) {
    state.members.set(None);
    state.compare_pair.set(None);
    state.clustering.set(None);
    state.silhouette.set(None);
    state.rule_draft.set(Default::default());
}

/// Loads the built-in demo business.
pub fn explore_demo(state: AppState) {
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
        match engine.demo(&progress_sink(state)).await {
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
pub fn import_files(state: AppState, files: Vec<web_sys::File>) {
    import_files_with(state, files, None, None);
}

/// Updates the project in use with newer exports: the order file's
/// orders are merged into the project's (everything the user made kept),
/// the other files replace the project's of their kind. An order file that
/// does not look like the next export asks first (`confirmed` is the
/// answer).
pub fn update_with_files(state: AppState, files: Vec<web_sys::File>, confirmed: bool) {
    state.update_question.set(None);
    import_files_with(state, files, None, Some(confirmed));
}

/// The files of the update the question is about, taken in anyway.
pub fn answer_update(state: AppState, take_in: bool) {
    let files = state.services.with_value(|s| s.update_files.take());
    state.update_question.set(None);
    if take_in && !files.is_empty() {
        update_with_files(state, files, true);
    }
}

/// The key under which the columns chosen for files with these columns are
/// remembered (column names only, no data).
fn columns_key(columns: &[String]) -> String {
    format!("seglens-columns:{}", columns.join("\u{1f}"))
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

type ColumnMap = Vec<(
    seglens_engine::import::roles::Role,
    seglens_engine::import::orders::ColumnRef,
)>;

/// Where the chosen language is remembered.
const LOCALE_KEY: &str = "seglens.locale";
/// Where the tour remembers it was seen.
const THEME_KEY: &str = "seglens.theme";
const TOUR_KEY: &str = "seglens.tour-seen";

/// The language at start: the one chosen before on this computer, else
/// the browser's first language the interface has, else English.
pub fn start_locale(state: AppState) {
    let stored = local_storage()
        .and_then(|s| s.get_item(LOCALE_KEY).ok().flatten())
        .and_then(|tag| Locale::from_tag(&tag));
    let browser = || {
        let navigator = web_sys::window()?.navigator();
        navigator
            .languages()
            .iter()
            .filter_map(|v| v.as_string())
            .chain(navigator.language())
            .find_map(|tag| Locale::from_tag(&tag))
    };
    apply_locale(state, stored.or_else(browser).unwrap_or_default());
}

/// Switches the interface to `locale` and remembers the choice.
pub fn choose_locale(state: AppState, locale: Locale) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(LOCALE_KEY, locale.tag());
    }
    apply_locale(state, locale);
}

fn apply_locale(state: AppState, locale: Locale) {
    crate::i18n::set_locale(locale);
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", locale.tag());
    }
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(&crate::i18n::t("app.title"));
    }
    state.locale.set(locale);
}

/// Applies the colours chosen on this computer (the system's by default),
/// and follows the system's setting while it is the one chosen.
pub fn start_theme(state: AppState) {
    let stored = local_storage()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .and_then(|tag| Theme::from_tag(&tag))
        .unwrap_or_default();
    state.theme.set(stored);
    crate::theme::apply(stored);
    crate::theme::on_system_change(move || {
        if state.theme.get_untracked() == Theme::System {
            crate::theme::apply(Theme::System);
        }
    });
}

/// Switches the colours and remembers the choice on this computer.
pub fn choose_theme(state: AppState, theme: Theme) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(THEME_KEY, theme.tag());
    }
    state.theme.set(theme);
    crate::theme::apply(theme);
}

/// Writes amounts in `code`'s currency (plain numbers for none) and keeps
/// the choice with the project.
pub fn choose_currency(state: AppState, code: Option<String>) {
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

/// Whether the guided tour was seen (or skipped) on this computer.
pub fn tour_seen() -> bool {
    local_storage()
        .and_then(|s| s.get_item(TOUR_KEY).ok().flatten())
        .is_some()
}

/// Closes the guided tour and remembers it was seen.
pub fn close_tour(state: AppState) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(TOUR_KEY, "1");
    }
    state.tour.set(None);
}

/// The columns chosen before for files with these columns.
fn remembered_columns(columns: &[String]) -> ColumnMap {
    local_storage()
        .and_then(|s| s.get_item(&columns_key(columns)).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn remember_columns(columns: &[String], map: &ColumnMap) {
    if let (Some(s), Ok(json)) = (local_storage(), serde_json::to_string(map)) {
        let _ = s.set_item(&columns_key(columns), &json);
    }
}

/// Forgets every remembered choice of columns.
fn forget_remembered_columns() {
    let Some(s) = local_storage() else { return };
    let n = s.length().unwrap_or(0);
    let keys: Vec<String> = (0..n)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with("seglens-columns:"))
        .collect();
    for k in keys {
        let _ = s.remove_item(&k);
    }
}

/// The key under which what a source file holds and its columns are
/// remembered for files with these columns (column names only).
fn source_columns_key(columns: &[String]) -> String {
    format!("seglens-columns:source:{}", columns.join("\u{1f}"))
}

type SourceChoice = (
    SourceKind,
    Vec<(String, seglens_engine::import::orders::ColumnRef)>,
);

/// What was chosen before for a source file with these columns.
fn remembered_source(columns: &[String]) -> Option<SourceChoice> {
    local_storage()
        .and_then(|s| s.get_item(&source_columns_key(columns)).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
}

fn remember_source(columns: &[String], choice: &SourceChoice) {
    if let (Some(s), Ok(json)) = (local_storage(), serde_json::to_string(choice)) {
        let _ = s.set_item(&source_columns_key(columns), &json);
    }
}

/// The file of this page named `name`: the order file or another source.
fn page_file(state: AppState, name: &str) -> Option<web_sys::File> {
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
pub fn open_column_choice(state: AppState, why: Option<String>) {
    let Some(file) = state.services.with_value(|s| s.order_file.borrow().clone()) else {
        return;
    };
    open_choice_for(state, file, why, Some(SourceKind::Orders), None);
}

/// Opens the columns screen for the file of this page named `name` (a
/// customers, e-mail, survey, events, tickets or costs file).
pub fn open_source_choice(state: AppState, name: String) {
    let Some(file) = page_file(state, &name) else {
        return;
    };
    open_choice_for(state, file, None, None, None);
}

/// Opens the columns screen for `file` read as `kind` (found from its
/// columns when none), from the workbook's `sheet` (the first when none),
/// with the columns remembered for files with the same columns.
fn open_choice_for(
    state: AppState,
    file: web_sys::File,
    why: Option<String>,
    kind: Option<SourceKind>,
    sheet: Option<String>,
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
fn source_read(
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
fn open_choice(state: AppState) -> Option<(crate::state::ColumnChoice, web_sys::File)> {
    let choice = state.column_choice.get_untracked()?;
    let file = state
        .services
        .with_value(|s| s.choice_file.borrow().clone())?;
    Some((choice, file))
}

/// Reads the first rows of the columns screen's file again with the
/// screen's choices, unless the choices changed meanwhile.
fn refresh_choice(state: AppState) {
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
pub fn choose_column(
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
pub fn choose_source_column(state: AppState, key: String, column: Option<usize>) {
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
pub fn choose_file_kind(state: AppState, kind: SourceKind) {
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
pub fn choose_sheet(state: AppState, sheet: String) {
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
    open_choice_for(state, file, choice.why, None, Some(sheet));
}

/// Imports the file of the columns screen with its choices, and remembers
/// the columns for files with the same columns.
pub fn import_with_chosen_columns(state: AppState) {
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
    import_files_with(state, vec![file], Some((choice.map, read)), None);
}

fn import_files_with(
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
        ordered.sort_by_key(|(source, _)| source.is_some());
        for (source, file) in ordered {
            let is_source = source.is_some();
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
                        update.filter(|_| !is_source),
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
                    keep(state, done, file.name(), false).await
                }
                Err(ImportFailure::Cancelled) => break,
                Err(ImportFailure::Question(question)) => {
                    state
                        .services
                        .with_value(|s| *s.update_files.borrow_mut() = asked_about.clone());
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
pub fn keep_all_statuses(state: AppState, keep: bool) {
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
pub fn cancel_import(state: AppState) {
    state.services.with_value(|s| s.cancel.set(true));
}

/// Re-cuts the churn-risk bands at new thresholds (probabilities of being
/// active) and keeps the choice in the workspace.
pub fn set_risk_thresholds(state: AppState, medium_risk_from: f64, low_risk_from: f64) {
    if !(0.0..=1.0).contains(&medium_risk_from)
        || !(0.0..=1.0).contains(&low_risk_from)
        || medium_risk_from > low_risk_from
    {
        state
            .error
            .set(Some(t("actions.the_thresholds_must_be_percentages")));
        return;
    }
    update_options(state, move |o| {
        o.medium_risk_from = medium_risk_from;
        o.low_risk_from = low_risk_from;
    });
}

/// Applies new funnel steps and window and keeps them in the workspace.
pub fn set_funnel(state: AppState, setup: seglens_engine::journeys::FunnelSetup) {
    update_options(state, move |o| o.funnel = Some(setup));
}

/// Applies new RFM bins and segment rules and keeps them in the workspace.
pub fn set_rfm_setup(state: AppState, setup: RfmSetup) {
    update_options(state, move |o| o.rfm = setup);
}

/// Changes the workspace's analysis choices, analyses again in the worker,
/// and saves the choices.
fn update_options(state: AppState, change: impl FnOnce(&mut AnalysisOptions) + 'static) {
    let Some(mut ws) = state.workspace.get_untracked() else {
        return;
    };
    change(&mut ws.record.options);
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        match engine.reanalyse(ws.record.options.clone()).await {
            Ok(analysis) => {
                if let Err(e) = persist(state, &ws.record, None).await {
                    state.error.set(Some(e));
                }
                keep_analysis(state, &ws.record.options, &analysis).await;
                state.workspace.set(Some(Workspace {
                    record: ws.record,
                    analysis,
                }));
            }
            Err(e) => state.error.set(Some(e)),
        }
    });
}

/// Fits the purchase model on the history up to `calibration_end` and
/// compares it with what happened after.
pub fn check_holdout(state: AppState, calibration_end: Day) {
    if state.checking.get_untracked() {
        return;
    }
    state.checking.set(true);
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        let result = engine.check_holdout(calibration_end).await;
        state.holdout.set(Some(result));
        state.checking.set(false);
    });
}

/// Deletes everything stored and returns to the start screen.
pub fn delete_all(state: AppState) {
    spawn_local(async move {
        let store = state.services.with_value(|s| s.store.clone());
        if let Some(store) = store
            && let Err(e) = store.clear().await
        {
            state.error.set(Some(e.to_string()));
            return;
        }
        if let Err(e) = crate::offline::clear_caches().await {
            web_sys::console::info_1(
                &tf("actions.the_app_s_cached_files", &[("e", &e.to_string())]).into(),
            );
        }
        forget_remembered_columns();
        tell_other_tabs(state, true);
        state.stale.set(false);
        state.projects.set(Vec::new());
        state.project.set(storage::FIRST_PROJECT.to_string());
        state.workspace.set(None);
        state.error.set(None);
    });
}

/// Reads how much the browser stores for SegLens and its quota.
pub fn refresh_storage_info(state: AppState) {
    spawn_local(async move {
        state.storage.set(Some(crate::quota::info().await));
    });
}

/// Asks the browser to keep SegLens's data even when disk space runs low.
pub fn request_persistence(state: AppState) {
    spawn_local(async move {
        crate::quota::persist().await;
        state.storage.set(Some(crate::quota::info().await));
    });
}

/// Writes the members of the chosen segments in a layout and offers the
/// file for download.
pub fn export_members(
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
        let written = engine
            .export(
                ws.record.options.clone(),
                segments,
                export.clone(),
                &export_steps(state),
            )
            .await;
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
pub struct CampaignPlan {
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
fn export_steps(state: AppState) -> impl Fn(u64, u64) {
    move |done, total| state.export_step.set(Some((done, total)))
}

/// The file name of an export: the stem, the layout and the extension.
fn export_file_name(stem: &str, export: &ExportOptions) -> String {
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
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .to_lowercase()
}

/// Offers an export for download and says what it holds.
fn save_export(state: AppState, file: String, export: &ExportOptions, done: Export) {
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
fn sql_table(state: AppState, kind: &str) -> String {
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
pub fn export_sql(state: AppState, segments: Vec<usize>) {
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

/// Saves the whole project (settings and data) as one file to download.
pub fn save_project(state: AppState) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    spawn_local(async move {
        let json = match serde_json::to_string(&ws.record) {
            Ok(j) => j,
            Err(e) => return state.error.set(Some(e.to_string())),
        };
        let engine = state.services.with_value(|s| s.engine.clone());
        match engine.save_project(json).await {
            Ok(bytes) => {
                let stem = ws.record.source.trim_end_matches(".csv").replace(' ', "-");
                if let Err(e) = crate::downloads::save(
                    &format!("{stem}.seglens"),
                    &bytes,
                    "application/octet-stream",
                ) {
                    state.error.set(Some(e));
                }
            }
            Err(e) => state.error.set(Some(e)),
        }
    });
}

/// Opens a project file. It is checked whole before anything is stored: a
/// damaged, foreign or newer file changes nothing.
pub fn open_project(state: AppState, file: web_sys::File) {
    if state.status.get_untracked() != Status::Idle {
        return;
    }
    state.error.set(None);
    state.status.set(Status::Working {
        label: crate::i18n::tf("app.opening", &[("file", &file.name())]),
        cancellable: false,
    });
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        let result = async {
            let bytes = crate::files::read_slice(&file, 0, file.size() as u64).await?;
            let (json, table, analysis) = engine.open_project(bytes).await?;
            let record: WorkspaceRecord = serde_json::from_str(&json).map_err(|e| {
                tf(
                    "actions.the_project_s_settings_cannot",
                    &[("0", &(file.name()).to_string()), ("e", &e.to_string())],
                )
            })?;
            Ok::<_, String>((record, table, analysis))
        }
        .await;
        match result {
            Ok((record, table, analysis)) => {
                if let Err(e) = beside_the_current_project(state).await {
                    state.status.set(Status::Idle);
                    return state.error.set(Some(e));
                }
                if let Err(e) = persist(state, &record, Some(&table)).await {
                    state.error.set(Some(e));
                }
                keep_analysis(state, &record.options, &analysis).await;
                refresh_projects(state).await;
                state.holdout.set(None);
                forget_views(state);
                state.workspace.set(Some(Workspace { record, analysis }));
            }
            Err(e) => state.error.set(Some(format!("{}: {e}", file.name()))),
        }
        state.status.set(Status::Idle);
    });
}

/// Changes the workspace record (not its analysis) and saves it.
fn change_record(state: AppState, change: impl FnOnce(&mut WorkspaceRecord) -> Result<(), String>) {
    let Some(mut ws) = state.workspace.get_untracked() else {
        return;
    };
    if let Err(e) = change(&mut ws.record) {
        state.error.set(Some(e));
        return;
    }
    let record = ws.record.clone();
    state.workspace.set(Some(ws));
    spawn_local(async move {
        if let Err(e) = persist(state, &record, None).await {
            state.error.set(Some(e));
        }
    });
}

/// Selects a new, empty project when one is open, so what comes next is
/// stored beside it.
async fn beside_the_current_project(state: AppState) -> Result<(), String> {
    if state.workspace.get_untracked().is_none() {
        return Ok(());
    }
    let Some(store) = state.services.with_value(|s| s.store.clone()) else {
        return Ok(());
    };
    let id = Store::new_project_id();
    store.select(&id).await.map_err(|e| e.to_string())?;
    state.project.set(id);
    state.stale.set(false);
    Ok(())
}

/// Reads the list of stored projects again.
async fn refresh_projects(state: AppState) {
    let Some(store) = state.services.with_value(|s| s.store.clone()) else {
        return;
    };
    match store.projects().await {
        Ok(list) => state.projects.set(list),
        Err(e) => state.error.set(Some(e.to_string())),
    }
}

/// Opens another stored project.
pub fn switch_project(state: AppState, id: String) {
    let Some(store) = state.services.with_value(|s| s.store.clone()) else {
        return;
    };
    spawn_local(async move {
        if let Err(e) = store.select(&id).await {
            return state.error.set(Some(e.to_string()));
        }
        state.project.set(id);
        state.stale.set(false);
        state.error.set(None);
        forget_views(state);
        open_selected(state, store).await;
    });
}

/// Loads the selected project and shows it; the start screen when it
/// holds nothing yet.
async fn open_selected(state: AppState, store: Store) {
    match store.load().await {
        Ok(Some((record, table))) => show_stored(state, &store, record, table).await,
        Ok(None) => state.workspace.set(None),
        Err(e) => state.error.set(Some(e.to_string())),
    }
}

/// Shows a stored project: at once with the analysis kept with it when it
/// was made with the same choices (the worker then reads the data and fits
/// the models in the background, for what comes next); otherwise after
/// analysing it again.
async fn show_stored(state: AppState, store: &Store, record: WorkspaceRecord, table: Vec<u8>) {
    let engine = state.services.with_value(|s| s.engine.clone());
    if let Some(analysis) = store.load_analysis(&record.options).await {
        let options = record.options.clone();
        state.workspace.set(Some(Workspace { record, analysis }));
        if state.status.get_untracked() != Status::Idle {
            state.status.set(Status::Idle);
        }
        if let Err(e) = engine.analyse(table, options).await {
            state.error.set(Some(e));
        }
        return;
    }
    state.status.set(Status::Working {
        label: crate::i18n::tf("app.opening", &[("file", &record.source)]),
        cancellable: false,
    });
    match engine.analyse(table, record.options.clone()).await {
        Ok(analysis) => {
            keep_analysis(state, &record.options, &analysis).await;
            state.workspace.set(Some(Workspace { record, analysis }));
        }
        Err(e) => state.error.set(Some(e)),
    }
    state.status.set(Status::Idle);
}

/// Keeps the analysis with the project, for a quick reopen; failing to
/// keep it only makes the next opening slower.
async fn keep_analysis(state: AppState, options: &AnalysisOptions, analysis: &Analysis) {
    if state.stale.get_untracked() {
        return;
    }
    if let Some(store) = state.services.with_value(|s| s.store.clone())
        && let Err(e) = store.save_analysis(options, analysis).await
    {
        web_sys::console::info_1(
            &tf(
                "actions.the_analysis_was_not_kept",
                &[("e", &e.to_string())],
            )
            .into(),
        );
    }
}

/// Starts an empty project (the start screen); the others stay stored.
pub fn new_project(state: AppState) {
    let Some(store) = state.services.with_value(|s| s.store.clone()) else {
        return;
    };
    spawn_local(async move {
        let id = Store::new_project_id();
        if let Err(e) = store.select(&id).await {
            return state.error.set(Some(e.to_string()));
        }
        state.project.set(id);
        state.stale.set(false);
        forget_views(state);
        state.workspace.set(None);
    });
}

/// Deletes the project in use and opens another one, if any.
pub fn delete_project(state: AppState) {
    let Some(store) = state.services.with_value(|s| s.store.clone()) else {
        return;
    };
    spawn_local(async move {
        let id = store.project();
        if let Err(e) = store.delete_project(&id).await {
            return state.error.set(Some(e.to_string()));
        }
        tell_other_tabs(state, false);
        refresh_projects(state).await;
        let next = state
            .projects
            .get_untracked()
            .first()
            .map_or_else(|| storage::FIRST_PROJECT.to_string(), |p| p.id.clone());
        if let Err(e) = store.select(&next).await {
            return state.error.set(Some(e.to_string()));
        }
        state.project.set(next);
        state.stale.set(false);
        forget_views(state);
        open_selected(state, store).await;
    });
}

/// Saves the record (and, when given, its data), then tells the other
/// tabs. Once another tab has saved since this one loaded, nothing is
/// saved: the banner asking for a reload says so.
async fn persist(
    state: AppState,
    record: &WorkspaceRecord,
    table: Option<&[u8]>,
) -> Result<(), String> {
    if state.stale.get_untracked() {
        return Ok(());
    }
    let Some(store) = state.services.with_value(|s| s.store.clone()) else {
        return Ok(());
    };
    match table {
        Some(t) => store.save(record, t).await,
        None => store.save_record(record).await,
    }
    .map_err(|e| e.to_string())?;
    tell_other_tabs(state, false);
    Ok(())
}

/// Tells the other tabs the project in use was saved (`all`: every
/// project changed).
fn tell_other_tabs(state: AppState, all: bool) {
    let (tabs, project) = state
        .services
        .with_value(|s| (s.tabs.clone(), s.store.as_ref().map(Store::project)));
    if let Some(tabs) = tabs {
        tabs.saved(if all {
            ""
        } else {
            project.as_deref().unwrap_or("")
        });
    }
}

/// Adds a goal, or removes the goal at `remove`, and saves the workspace.
pub fn edit_goals(state: AppState, add: Option<Goal>, remove: Option<usize>) {
    change_record(state, |record| {
        if let Some(i) = remove.filter(|i| *i < record.goals.len()) {
            record.goals.remove(i);
        }
        if let Some(goal) = add {
            if !goal.target.is_finite() {
                return Err(t("actions.type_a_number_for_the"));
            }
            record.goals.push(goal);
        }
        Ok(())
    });
}

/// Adds a note dated today, or removes the note at `remove`, and saves
/// the workspace.
pub fn edit_notes(state: AppState, add: Option<(String, String)>, remove: Option<usize>) {
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

/// Today in the user's browser, `yyyy-mm-dd` (UTC).
pub(crate) fn today() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
        .chars()
        .take(10)
        .collect()
}

/// Keeps the KPIs of the groups compared now as a snapshot, or removes the
/// snapshot at `remove`, and saves the workspace.
pub fn edit_snapshots(state: AppState, take: bool, remove: Option<usize>) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    let snapshot = Snapshot::of(&ws.analysis.kpis, &today(), "by hand", ws.analysis.as_of);
    change_record(state, |record| {
        if let Some(i) = remove.filter(|i| *i < record.snapshots.len()) {
            record.snapshots.remove(i);
        }
        if take {
            record.snapshots.push(snapshot);
        }
        Ok(())
    });
}

/// Copies a text (a subject line or a message) to the clipboard.
pub fn copy_text(state: AppState, text: String) {
    spawn_local(async move {
        if let Err(e) = crate::clipboard::copy(&text).await {
            state.error.set(Some(e));
        }
    });
}

/// Offers the self-contained HTML report for download.
pub fn download_report(state: AppState) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    let page = crate::report::html(&ws.record, &ws.analysis);
    let stem = ws.record.source.trim_end_matches(".csv").replace(' ', "-");
    if let Err(e) =
        crate::downloads::save(&format!("{stem}-report.html"), page.as_bytes(), "text/html")
    {
        state.error.set(Some(e));
    }
}

/// Copies a Markdown summary to paste into an e-mail or a chat.
pub fn copy_summary(state: AppState) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    copy_text(state, crate::report::markdown(&ws.record, &ws.analysis));
}

/// Saves a segment in the workspace (replacing one of the same name, with
/// its version bumped) and analyses again.
pub fn save_segment(state: AppState, segment: SavedSegment) {
    save_segments(state, vec![segment]);
}

/// Saves several segments at once, as [`save_segment`] does one.
pub fn save_segments(state: AppState, segments: Vec<SavedSegment>) {
    if segments.iter().any(|s| s.name.trim().is_empty()) {
        state.error.set(Some(t("actions.give_the_segment_a_name")));
        return;
    }
    update_options(state, move |o| {
        for mut segment in segments {
            segment.name = segment.name.trim().to_string();
            match o.segments.iter_mut().find(|s| s.name == segment.name) {
                Some(old) => {
                    segment.version = old.version + 1;
                    segment.note = std::mem::take(&mut old.note);
                    *old = segment;
                }
                None => {
                    segment.version = 1;
                    o.segments.push(segment);
                }
            }
        }
    });
}

/// Removes a saved segment.
pub fn delete_segment(state: AppState, name: String) {
    update_options(state, move |o| {
        o.segments.retain(|s| s.name != name);
        if o.segments.is_empty() && o.rows == Rows::Saved {
            o.rows = Rows::Rfm;
        }
    });
}

/// Sets the lifecycle thresholds (None: read them from the data).
pub fn set_lifecycle(state: AppState, setup: Option<LifecycleSetup>) {
    update_options(state, move |o| o.lifecycle = setup);
}

/// Sets the churn and retention period of the KPIs.
pub fn set_churn_period(state: AppState, days: i32) {
    update_options(state, move |o| o.churn_period_days = days);
}

/// Chooses what the KPI heatmap and the funnel compare.
pub fn set_rows(state: AppState, rows: Rows) {
    update_options(state, move |o| o.rows = rows);
}

/// Opens (or moves through) a segment's member list.
pub fn show_members(state: AppState, mut view: MemberView) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    view.result = None;
    state.members.set(Some(view.clone()));
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        let request = Request::Members {
            as_of: ws.analysis.as_of,
            definition: view.definition.clone(),
            lifecycle: ws.analysis.segments.lifecycle,
            search: view.search.clone(),
            sort: view.sort,
            page: view.page,
        };
        let result = engine.members(request).await;
        // A newer request may have replaced this one meanwhile.
        state.members.update(|m| {
            if let Some(m) = m
                && m.name == view.name
                && m.search == view.search
                && m.sort == view.sort
                && m.page == view.page
            {
                m.result = Some(result);
            }
        });
    });
}

/// Writes a saved segment's members as CSV and offers the file.
pub fn export_segment(state: AppState, stem: String, segments: Vec<(String, Definition)>) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    if segments.is_empty() {
        state
            .error
            .set(Some(t("actions.tick_at_least_one_segment_2")));
        return;
    }
    let export = state.export.get_untracked();
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        let request = Request::ExportSegment {
            options: ws.record.options.clone(),
            segments,
            lifecycle: ws.analysis.segments.lifecycle,
            export: export.clone(),
        };
        let file = export_file_name(&format!("{stem}-members"), &export);
        state.export_step.set(Some((0, 0)));
        let written = engine.export_segment(request, &export_steps(state)).await;
        state.export_step.set(None);
        match written {
            Ok(done) => save_export(state, file, &export, done),
            Err(e) => state.error.set(Some(e)),
        }
    });
}

/// Writes a saved segment as a SQL query over the user's tables (names
/// from the import, editable) and offers it for download.
pub fn segment_sql(state: AppState, name: String, definition: Definition) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    let dialect = state.sql_dialect.get_untracked();
    let tables = state.sql_tables.get_untracked();
    let columns = state.sql_columns.get_untracked();
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        let request = Request::SegmentSql {
            as_of: ws.analysis.as_of,
            name: name.clone(),
            definition,
            lifecycle: ws.analysis.segments.lifecycle,
            orders_columns: seglens_engine::export::segment_sql::orders_columns(
                ws.record.report.as_ref(),
            ),
            tables,
            columns,
            dialect,
        };
        match engine.segment_sql(request).await {
            Ok(query) => {
                let file = format!(
                    "{}-{}.sql",
                    file_stem(&name),
                    dialect.label().to_lowercase()
                );
                match crate::downloads::save(&file, query.as_bytes(), "application/sql") {
                    Ok(()) => state.last_sql.set(Some(query)),
                    Err(e) => state.error.set(Some(e)),
                }
            }
            Err(e) => state.error.set(Some(tf(
                "actions.as_sql",
                &[("name", &name.to_string()), ("e", &e.to_string())],
            ))),
        }
    });
}

/// Runs k-means in the worker.
pub fn run_clusters(state: AppState, setup: ClusterSetup) {
    clustering_work(state, move |engine, as_of| async move {
        let steps = clustering_steps(state, "segments.progress_runs");
        let result = engine.cluster(as_of, setup, &steps).await;
        state.clustering.set(Some(result));
    });
}

/// Computes the silhouette of k = 2..10 in the worker.
pub fn run_silhouette(state: AppState, features: Vec<Feature>) {
    clustering_work(state, move |engine, as_of| async move {
        let steps = clustering_steps(state, "segments.progress_k");
        let result = engine.silhouette(as_of, features, &steps).await;
        state.silhouette.set(Some(result));
    });
}

/// Shows the clustering work's steps, done and in all, as `key` words
/// them.
fn clustering_steps(state: AppState, key: &'static str) -> impl Fn(u64, u64) {
    move |done, total| state.clustering_step.set(Some((key, done, total)))
}

/// Runs one piece of clustering work at a time, with the busy flag set.
fn clustering_work<F, Fut>(state: AppState, work: F)
where
    F: FnOnce(std::rc::Rc<crate::engine_client::EngineClient>, Day) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    if state.clustering_busy.get_untracked() {
        return;
    }
    state.clustering_busy.set(true);
    state.clustering_step.set(None);
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        work(engine, ws.analysis.as_of).await;
        state.clustering_busy.set(false);
        state.clustering_step.set(None);
    });
}
