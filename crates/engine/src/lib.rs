//! The SegLens analytics engine: pure Rust, no browser dependency.
//!
//! It takes bytes and explicit inputs (the analysis date among them) and
//! returns data. It never reads a clock, a locale or a file: callers do.
//! Tables are columnar: one vector per column, customers as dense `u32`
//! indices, dates as day numbers.

pub mod analysis;
pub mod campaign;
pub mod cluster;
pub mod clv;
pub mod cohorts;
pub mod compare;
pub mod crosssell;
pub mod dataset;
pub mod date;
pub mod delimited;
pub mod demo;
pub mod export;
pub mod fault;
pub mod goal_track;
pub mod groups;
pub mod html_table;
pub mod journeys;
pub mod jsonl;
pub mod kpi;
pub mod lifecycle;
pub mod membership;
pub mod number;
#[cfg(feature = "workbook")]
mod ods;
pub mod optimize;
pub mod orders;
pub mod platform;
pub mod playbook;
pub mod project;
pub mod rfm;
pub mod rfm_history;
mod rng;
pub mod roles;
pub mod segment;
pub mod segment_sql;
pub mod separation;
pub mod snapshot;
pub mod sources;
pub mod splits;
pub mod spreadsheet;
pub mod sql;
pub mod stage;
pub mod suggest;
pub mod update;
#[cfg(feature = "workbook")]
mod workbook;
#[cfg(feature = "workbook")]
mod xls;
pub mod xlsx;

pub use orders::{ImportError, ImportOptions, ImportReport, Orders, OrdersImporter, import_orders};
pub use rfm::{RfmConfig, RfmResult, SegmentRule, SegmentSummary};

/// The default analysis date of a table: the day after its last order.
pub fn default_as_of(orders: &Orders) -> Option<date::Day> {
    orders.last_order_day().map(|d| d + 1)
}
