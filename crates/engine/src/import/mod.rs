//! Reading what users bring: delimited text, JSON lines, workbooks and
//! HTML tables as rows; column roles and platform presets; the orders
//! table and the other sources joined per customer; the demo business.

pub mod dataset;
pub mod delimited;
pub mod demo;
pub(crate) mod html_table;
pub mod jsonl;
pub(crate) mod kind;
#[cfg(feature = "workbook")]
mod ods;
pub mod orders;
pub mod parts;
pub mod platform;
pub mod roles;
pub mod sources;
pub mod spreadsheet;
#[cfg(feature = "workbook")]
mod workbook;
#[cfg(feature = "workbook")]
mod xls;
