//! Comparing: the churn period of the KPIs and the rows the table compares.

use crate::actions::update_options;
use crate::state::AppState;
use seglens_engine::segments::groups::Rows;

/// Sets the churn and retention period of the KPIs.
pub(crate) fn set_churn_period(state: AppState, days: i32) {
    update_options(state, move |o| o.churn_period_days = days);
}

/// Chooses what the KPI heatmap and the funnel compare.
pub(crate) fn set_rows(state: AppState, rows: Rows) {
    update_options(state, move |o| o.rows = rows);
}
