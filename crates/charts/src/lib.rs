//! SegLens's charts. A [`Chart`] says what a chart shows (its kind, its
//! categories, its series, how its values are written, in the reader's
//! language); the page draws some of them by hand as interactive SVG, and
//! [`draw::svg`] (the `draw` feature, in the charts worker only) draws any
//! of them with charts-rs for a download or the report. Pure, tested
//! natively.

pub mod model;

#[cfg(feature = "draw")]
pub mod draw;

pub use model::{Chart, Kind, Numbers, Series, Unit};
