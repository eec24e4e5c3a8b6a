//! What is kept, in binary forms versioned apart from the types the
//! analysis uses: the orders table, the dataset, a whole project as one
//! file.

use std::fmt;

use crate::model::message::Message;

mod dataset;
mod orders;
pub mod project;

/// Why stored bytes could not be read back as a table.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError(pub Message);

impl DecodeError {
    fn of(key: &'static str) -> DecodeError {
        DecodeError(Message::new(key))
    }
}

impl From<DecodeError> for Message {
    fn from(e: DecodeError) -> Message {
        Message::new("engine.with.stored_unreadable").with("why", e.0)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Message::from(self.clone()).fmt(f)
    }
}

impl std::error::Error for DecodeError {}
