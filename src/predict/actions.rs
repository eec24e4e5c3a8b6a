//! The predictions: the churn-risk thresholds and the model check.

use crate::actions::update_options;
use crate::i18n::t;
use crate::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::model::date::Day;

/// Re-cuts the churn-risk bands at new thresholds (probabilities of being
/// active) and keeps the choice in the workspace.
pub(crate) fn set_risk_thresholds(state: AppState, medium_risk_from: f64, low_risk_from: f64) {
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

/// Fits the purchase model on the history up to `calibration_end` and
/// compares it with what happened after.
pub(crate) fn check_holdout(state: AppState, calibration_end: Day) {
    if state.checking.get_untracked() {
        return;
    }
    state.checking.set(true);
    spawn_local(async move {
        let engine = state.services.with_value(|s| s.engine.clone());
        let result = engine
            .ask(crate::protocol::ask::CheckHoldout { calibration_end })
            .await;
        state.holdout.set(Some(result));
        state.checking.set(false);
    });
}
