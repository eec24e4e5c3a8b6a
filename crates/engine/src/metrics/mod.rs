//! KPIs per segment with their intervals and tests, two segments side by
//! side, snapshots of the KPI table, and goals followed over time.

pub mod compare;
pub mod goal_track;
pub mod kpi;
pub mod snapshot;
