//! The Predict page: what the purchase models predict, churn-risk bands
//! and the model check.

pub(crate) mod actions;
pub(crate) mod predictions;

pub use predictions::Predictions;
