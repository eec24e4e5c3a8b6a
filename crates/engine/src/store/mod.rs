//! What is kept, in binary forms versioned apart from the types the
//! analysis uses: the orders table, the dataset, a whole project as one
//! file.

use std::fmt;

mod dataset;
mod orders;
pub mod project;

/// Why stored bytes could not be read back as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stored table is unreadable: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}
