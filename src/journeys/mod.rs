//! The Journeys page: funnels, paths, the stage mix, activity, cohorts,
//! migration and segment sizes over time.

pub(crate) mod actions;
pub(crate) mod events;
pub(crate) mod over_time;
pub(crate) mod sizes;

pub use events::{FunnelCard, PathsCard, StageMixCard, UsageCard};
pub use over_time::{ActivityCard, CohortsCard, MigrationCard};
pub use sizes::{SegmentSizes, SizesCard};
