//! Predictive models fitted to the orders: purchase frequency and the
//! chance of being active (BG/NBD), spend (Gamma-Gamma), lifetime value.

pub mod clv;
