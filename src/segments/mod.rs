//! The Segments page: saved segments and the rule builder, the RFM editor,
//! lifecycle stages, clusters, and a page for each segment.

pub(crate) mod actions;
pub(crate) mod catalogue;
pub(crate) mod rfm_editor;
pub(crate) mod rule_builder;
pub(crate) mod segment_page;

pub use catalogue::{ClustersCard, LifecycleCard, SavedSegments};
pub use rfm_editor::RfmEditor;
pub use rule_builder::{Group as RuleDraft, RuleBuilder};
pub use segment_page::SegmentPage;
