//! The overview: goals and snapshots of the KPI table.

use crate::actions::{change_record, today};
use crate::i18n::t;
use crate::state::AppState;
use leptos::prelude::*;
use seglens_engine::metrics::kpi::Goal;
use seglens_engine::metrics::snapshot::Snapshot;

/// Adds a goal, or removes the goal at `remove`, and saves the workspace.
pub(crate) fn edit_goals(state: AppState, add: Option<Goal>, remove: Option<usize>) {
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

/// Keeps the KPIs of the groups compared now as a snapshot, or removes the
/// snapshot at `remove`, and saves the workspace.
pub(crate) fn edit_snapshots(state: AppState, take: bool, remove: Option<usize>) {
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
