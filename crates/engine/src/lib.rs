//! The SegLens analytics engine: pure Rust, no browser dependency.
//!
//! It takes bytes and explicit inputs (the analysis date among them) and
//! returns data. It never reads a clock, a locale or a file: callers do.
//! Tables are columnar: one vector per column, customers as dense `u32`
//! indices, dates as day numbers.

pub mod analysis;
pub mod export;
pub mod import;
pub mod journeys;
pub mod metrics;
pub mod model;
pub mod models;
pub mod segments;
pub(crate) mod stats;
pub mod store;

pub use import::orders::{
    ImportError, ImportOptions, ImportReport, Orders, OrdersImporter, default_as_of, import_orders,
};
pub use segments::rfm::{RfmConfig, RfmResult, SegmentRule, SegmentSummary};
