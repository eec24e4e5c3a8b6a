//! Numerical and statistical tools that know nothing of customers.

pub mod inference;
pub mod optimize;
