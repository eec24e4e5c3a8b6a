//! Numerical and statistical tools that know nothing of customers.

pub(crate) mod inference;
pub(crate) mod optimize;
