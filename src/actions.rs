//! The actions every page uses: opening a page, the progress of long work,
//! changing the analysis options or the stored record, and today's date.

use crate::engine_client::Progress;
use crate::projects::actions::{keep_analysis, persist};
use crate::route::Route;
use crate::state::{AppState, Workspace};
use crate::storage::WorkspaceRecord;
use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::analysis::AnalysisOptions;

pub(crate) fn progress_sink(state: AppState) -> impl Fn(Progress) {
    move |p| state.progress.set(Some(p))
}

/// Opens a page: the address changes (a new entry in the browser's
/// history) and the page is drawn at once.
pub(crate) fn open(state: AppState, route: Route) {
    crate::route::go(&route);
    if state.route.get_untracked() != route {
        state.route.set(route);
    }
}

/// Drops what was computed on screen for the previous data: member list,
/// clusters, silhouette, the rule being built.
pub(crate) fn forget_views(state: AppState) {
    state.members.set(None);
    state.compare_pair.set(None);
    state.clustering.set(None);
    state.silhouette.set(None);
    state.rule_draft.set(Default::default());
}

/// Changes the workspace's analysis choices, analyses again in the worker,
/// and saves the choices.
pub(crate) fn update_options(state: AppState, change: impl FnOnce(&mut AnalysisOptions) + 'static) {
    let Some(mut ws) = state.workspace.get_untracked() else {
        return;
    };
    change(&mut ws.record.options);
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        match engine
            .ask(crate::protocol::ask::Reanalyse {
                options: ws.record.options.clone(),
            })
            .await
        {
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

/// Changes the workspace record (not its analysis) and saves it.
pub(crate) fn change_record(
    state: AppState,
    change: impl FnOnce(&mut WorkspaceRecord) -> Result<(), String>,
) {
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

/// Today in the user's browser, `yyyy-mm-dd` (UTC).
pub(crate) fn today() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
        .chars()
        .take(10)
        .collect()
}
