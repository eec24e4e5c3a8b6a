//! What is kept: a whole project as one versioned file.

pub mod project;
