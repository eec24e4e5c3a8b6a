//! Journeys: funnels per segment, the paths customers take, their
//! activity by weekday and hour, the stage mix over months, and the
//! categories bought together.
//!
//! Funnels: how many customers go through ordered steps within a
//! conversion window, how many drop off at each step, and how long they
//! take between steps.
//!
//! A customer reaches step `k` when, after doing step 1 at some time `t`,
//! they do steps 2 to `k` in that order (other events in between allowed),
//! each by `t + window`. Every occurrence of step 1 is tried as a start and
//! the deepest run counts.

pub mod crosssell;

mod funnel;
mod paths;
mod stages;
mod usage;

pub use funnel::*;
pub use paths::*;
pub use stages::*;
pub use usage::*;

use serde::{Deserialize, Serialize};

use crate::import::sources::EventTable;
use crate::stats::inference::wilson;

#[cfg(test)]
mod tests;
