//! Segments: the RFM setup, saved segments (saved, deleted, their members,
//! exports and SQL), the lifecycle stages, and clusters.

use crate::act::actions::{export_file_name, export_steps, file_stem, save_export};
use crate::actions::update_options;
use crate::i18n::{t, tf};
use crate::protocol::ask;
use crate::state::{AppState, MemberView};
use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::model::date::Day;
use seglens_engine::segments::cluster::{ClusterSetup, Feature};
use seglens_engine::segments::groups::Rows;
use seglens_engine::segments::lifecycle::LifecycleSetup;
use seglens_engine::segments::rfm::RfmSetup;
use seglens_engine::segments::{Definition, SavedSegment};

/// Applies new RFM bins and segment rules and keeps them in the workspace.
pub(crate) fn set_rfm_setup(state: AppState, setup: RfmSetup) {
    update_options(state, move |o| o.rfm = setup);
}

/// Saves a segment in the workspace (replacing one of the same name, with
/// its version bumped) and analyses again.
pub(crate) fn save_segment(state: AppState, segment: SavedSegment) {
    save_segments(state, vec![segment]);
}

/// Saves several segments at once, as [`save_segment`] does one.
pub(crate) fn save_segments(state: AppState, segments: Vec<SavedSegment>) {
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
pub(crate) fn delete_segment(state: AppState, name: String) {
    update_options(state, move |o| {
        o.segments.retain(|s| s.name != name);
        if o.segments.is_empty() && o.rows == Rows::Saved {
            o.rows = Rows::Rfm;
        }
    });
}

/// Sets the lifecycle thresholds (None: read them from the data).
pub(crate) fn set_lifecycle(state: AppState, setup: Option<LifecycleSetup>) {
    update_options(state, move |o| o.lifecycle = setup);
}

/// Opens (or moves through) a segment's member list.
pub(crate) fn show_members(state: AppState, mut view: MemberView) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    view.result = None;
    state.members.set(Some(view.clone()));
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        let request = ask::Members {
            as_of: ws.analysis.as_of,
            definition: view.definition.clone(),
            lifecycle: ws.analysis.segments.lifecycle,
            search: view.search.clone(),
            sort: view.sort,
            page: view.page,
        };
        let result = engine.ask(request).await;
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
pub(crate) fn export_segment(state: AppState, stem: String, segments: Vec<(String, Definition)>) {
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
        let request = ask::ExportSegments {
            options: ws.record.options.clone(),
            segments,
            lifecycle: ws.analysis.segments.lifecycle,
            export: export.clone(),
        };
        let file = export_file_name(&format!("{stem}-members"), &export);
        state.export_step.set(Some((0, 0)));
        let written = engine.ask_steps(request, &export_steps(state)).await;
        state.export_step.set(None);
        match written {
            Ok(done) => save_export(state, file, &export, done),
            Err(e) => state.error.set(Some(e)),
        }
    });
}

/// Writes a saved segment as a SQL query over the user's tables (names
/// from the import, editable) and offers it for download.
pub(crate) fn segment_sql(state: AppState, name: String, definition: Definition) {
    let Some(ws) = state.workspace.get_untracked() else {
        return;
    };
    let dialect = state.sql_dialect.get_untracked();
    let tables = state.sql_tables.get_untracked();
    let columns = state.sql_columns.get_untracked();
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        let request = ask::SegmentSql {
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
        match engine.ask(request).await {
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
pub(crate) fn run_clusters(state: AppState, setup: ClusterSetup) {
    clustering_work(state, move |engine, as_of| async move {
        let steps = clustering_steps(state, "segments.progress_runs");
        let result = engine
            .ask_steps(ask::Cluster { as_of, setup }, &steps)
            .await;
        state.clustering.set(Some(result));
    });
}

/// Computes the silhouette of k = 2..10 in the worker.
pub(crate) fn run_silhouette(state: AppState, features: Vec<Feature>) {
    clustering_work(state, move |engine, as_of| async move {
        let steps = clustering_steps(state, "segments.progress_k");
        let result = engine
            .ask_steps(ask::Silhouette { as_of, features }, &steps)
            .await;
        state.silhouette.set(Some(result));
    });
}

/// Shows the clustering work's steps, done and in all, as `key` words
/// them.
pub(crate) fn clustering_steps(state: AppState, key: &'static str) -> impl Fn(u64, u64) {
    move |done, total| state.clustering_step.set(Some((key, done, total)))
}

/// Runs one piece of clustering work at a time, with the busy flag set.
pub(crate) fn clustering_work<F, Fut>(state: AppState, work: F)
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
