//! Journeys: the funnel's steps and window.

use crate::actions::update_options;
use crate::state::AppState;

/// Applies new funnel steps and window and keeps them in the workspace.
pub(crate) fn set_funnel(state: AppState, setup: seglens_engine::journeys::FunnelSetup) {
    update_options(state, move |o| o.funnel = Some(setup));
}
