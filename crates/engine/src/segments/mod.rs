//! Segments as sets of customers, and the rule builder's rules.
//!
//! A segment evaluates to a [`Bitmap`] over the dense customer indices of
//! the dataset (every customer key, with or without orders). A [`Rule`] is
//! a tree of AND / OR / NOT groups over conditions on customer attributes,
//! per-customer measures (orders, spend, e-mail opens, NPS, ...) and
//! events; it is stored as JSON (see [`Rule::from_json`]) both in the app's
//! workspace and in the files the command line reads.
//!
//! A condition on a value the customer does not have (no age in the
//! customers file, no NPS answer) is false; `NOT` of it is true.

pub mod cluster;
pub mod groups;
pub mod lifecycle;
pub(crate) mod profile;
pub mod rfm;
pub mod rfm_history;
pub mod separation;
pub mod splits;
pub mod suggest;

mod definition;
mod evaluate;
mod facts;

pub use definition::*;
pub use evaluate::*;
pub use facts::*;

use serde::{Deserialize, Serialize};

use crate::model::bitmap::Bitmap;

use crate::import::dataset::Dataset;
use crate::model::date::{self, Day};
use crate::model::number::{DecimalSeparator, parse_amount};

#[cfg(test)]
mod tests;
