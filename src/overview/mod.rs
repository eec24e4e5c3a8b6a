//! The Overview: what was read, the segment table and chart, goals and
//! the history of snapshots.

pub(crate) mod actions;
pub(crate) mod goals;
pub(crate) mod history;
pub(crate) mod results;

pub use goals::GoalsCard;
pub use history::HistoryCard;
