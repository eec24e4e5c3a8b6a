//! Projects: the project bar (switch, new, delete) and where the data is.

pub(crate) mod actions;
pub(crate) mod bar;
pub(crate) mod privacy;

pub use bar::ProjectBar;
pub use privacy::Privacy;
