//! Projects: opened on start, kept after an import, saved as a file and
//! opened again, switched, started, deleted; the storage the browser gives,
//! and other tabs told of a change.

use crate::actions::{forget_views, open, today};
use crate::data::actions::forget_remembered_columns;
use crate::i18n::{t, tf};
use crate::protocol::Imported;
use crate::protocol::ask;
use crate::route::{Page, Route};
use crate::state::{AppState, Status, Workspace};
use crate::storage::{self, RECORD_VERSION, Store, StoreEvent, WorkspaceRecord};
use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::analysis::{Analysis, AnalysisOptions};
use seglens_engine::metrics::snapshot::Snapshot;
use std::rc::Rc;

/// Opens the database and shows the saved workspace, if there is one; sets
/// up offline use.
pub(crate) fn restore(state: AppState) {
    spawn_local(async move {
        if let Err(e) = crate::offline::register().await {
            crate::browser::log(&tf(
                "actions.seglens_will_not_work_offline",
                &[("e", &e.to_string())],
            ));
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
        let events: storage::StoreEvents = Rc::new(move |event| match event {
            StoreEvent::Blocked => state.error.set(Some(t("storage.blocked"))),
            StoreEvent::Replaced => state.error.set(Some(t("storage.replaced"))),
        });
        let opened = Store::open_with(storage::DB_NAME, storage::DB_VERSION, events).await;
        // The wait for another tab is over.
        if state.error.get_untracked().as_deref() == Some(t("storage.blocked").as_str()) {
            state.error.set(None);
        }
        let store = match opened {
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
pub(crate) async fn keep(state: AppState, done: Imported, source: String, is_demo: bool) {
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
    let saving = crate::browser::now_ms();
    if let Err(e) = persist(state, &record, Some(&done.table)).await {
        state.error.set(Some(e));
    }
    state
        .last_import
        .set(Some((done.timings, crate::browser::now_ms() - saving)));
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

/// Deletes everything stored and returns to the start screen.
pub(crate) fn delete_all(state: AppState) {
    spawn_local(async move {
        let store = state.services.with_value(|s| s.store.clone());
        if let Some(store) = store
            && let Err(e) = store.clear().await
        {
            state.error.set(Some(e.to_string()));
            return;
        }
        if let Err(e) = crate::offline::clear_caches().await {
            crate::browser::log(&tf(
                "actions.the_app_s_cached_files",
                &[("e", &e.to_string())],
            ));
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
pub(crate) fn refresh_storage_info(state: AppState) {
    spawn_local(async move {
        state.storage.set(Some(crate::quota::info().await));
    });
}

/// Asks the browser to keep SegLens's data even when disk space runs low.
pub(crate) fn request_persistence(state: AppState) {
    spawn_local(async move {
        crate::quota::persist().await;
        state.storage.set(Some(crate::quota::info().await));
    });
}

/// Saves the whole project (settings and data) as one file to download.
pub(crate) fn save_project(state: AppState) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    spawn_local(async move {
        let json = match serde_json::to_string(&ws.record) {
            Ok(j) => j,
            Err(e) => return state.error.set(Some(e.to_string())),
        };
        let engine = state.services.with_value(|s| s.engine.clone());
        match engine.ask(ask::SaveProject { record_json: json }).await {
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
pub(crate) fn open_project(state: AppState, file: web_sys::File) {
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
            let ask::OpenedProject {
                record_json: json,
                table,
                analysis,
            } = engine.ask(ask::OpenProject { bytes }).await?;
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

/// Selects a new, empty project when one is open, so what comes next is
/// stored beside it.
pub(crate) async fn beside_the_current_project(state: AppState) -> Result<(), String> {
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
pub(crate) async fn refresh_projects(state: AppState) {
    let Some(store) = state.services.with_value(|s| s.store.clone()) else {
        return;
    };
    match store.projects().await {
        Ok(list) => state.projects.set(list),
        Err(e) => state.error.set(Some(e.to_string())),
    }
}

/// Opens another stored project.
pub(crate) fn switch_project(state: AppState, id: String) {
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
pub(crate) async fn open_selected(state: AppState, store: Store) {
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
pub(crate) async fn show_stored(
    state: AppState,
    store: &Store,
    record: WorkspaceRecord,
    table: Vec<u8>,
) {
    let engine = state.services.with_value(|s| s.engine.clone());
    if let Some(analysis) = store.load_analysis(&record.options).await {
        let options = record.options.clone();
        state.workspace.set(Some(Workspace { record, analysis }));
        if state.status.get_untracked() != Status::Idle {
            state.status.set(Status::Idle);
        }
        if let Err(e) = engine.ask(ask::Analyse { table, options }).await {
            state.error.set(Some(e));
        }
        return;
    }
    state.status.set(Status::Working {
        label: crate::i18n::tf("app.opening", &[("file", &record.source)]),
        cancellable: false,
    });
    match engine
        .ask(ask::Analyse {
            table,
            options: record.options.clone(),
        })
        .await
    {
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
pub(crate) async fn keep_analysis(state: AppState, options: &AnalysisOptions, analysis: &Analysis) {
    if state.stale.get_untracked() {
        return;
    }
    if let Some(store) = state.services.with_value(|s| s.store.clone())
        && let Err(e) = store.save_analysis(options, analysis).await
    {
        crate::browser::log(&tf(
            "actions.the_analysis_was_not_kept",
            &[("e", &e.to_string())],
        ));
    }
}

/// Starts an empty project (the start screen); the others stay stored.
pub(crate) fn new_project(state: AppState) {
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
pub(crate) fn delete_project(state: AppState) {
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
pub(crate) async fn persist(
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
pub(crate) fn tell_other_tabs(state: AppState, all: bool) {
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
