//! The vocabulary every other part speaks: sets of customers, calendar
//! days, amounts as exports write them, why a row was rejected, the named
//! stages of long work, and the deterministic generator.

pub mod bitmap;
pub mod date;
pub mod fault;
pub mod message;
pub mod number;
pub(crate) mod rng;
pub mod stage;
