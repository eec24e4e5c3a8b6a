//! The settings kept in this browser: language, colours, the guided tour.

pub(crate) mod actions;
