//! The Compare page: the KPI heatmap, two segments side by side, and a
//! segmentation as a whole.

pub(crate) mod actions;
pub(crate) mod kpis;
pub(crate) mod separation;
pub(crate) mod two;

pub use kpis::KpiHeatmap;
pub use separation::SeparationCard;
pub use two::CompareTwoCard;
