//! Sources other than orders, joined per customer: e-mail campaign results
//! and survey answers (NPS, CSAT). A file's kind is recognised from its
//! column names; customer keys are normalised as for orders and share the
//! orders' dense customer indices (customers with no order are added).

use serde::{Deserialize, Serialize};

use crate::import::delimited::{self, Encoding, Record, Splitter, Transcoder};
use crate::import::orders::{ColumnRef, ImportError, Orders, RowError, normalise_key};
use crate::import::roles::{Role, name_score, normalise};
use crate::model::date::{self, DateFormat, Day};
use crate::model::fault::{self, Fault, Why};

mod build;
mod checks;
mod names;
mod read;
mod tables;

pub use crate::import::kind::SourceKind;
pub(crate) use build::*;
pub(crate) use checks::*;
pub use names::*;
pub use read::*;
pub use tables::*;

/// A delimited file with a header, as text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextTable {
    /// The file's name.
    pub file_name: String,
    /// The header names.
    pub names: Vec<String>,
    /// The data rows.
    pub rows: Vec<Vec<String>>,
    /// The line each data row starts on.
    pub lines: Vec<u64>,
    /// The columns the user chose for fields, `(field key, column)`.
    pub forced: Vec<(String, usize)>,
    /// Today, to point at dates after it (none: not checked).
    pub today: Option<Day>,
}

impl TextTable {
    /// The header, with the columns the user chose.
    pub fn header(&self) -> Header<'_> {
        Header {
            names: &self.names,
            forced: &self.forced,
        }
    }
}

/// A table's column names and the columns the user chose for fields (by
/// the field's key, see [`fields`]); a chosen column is not guessed for
/// another field.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    /// The column names.
    pub names: &'a [String],
    /// `(field key, column)` chosen by the user.
    pub forced: &'a [(String, usize)],
}

impl<'a> Header<'a> {
    /// Names alone, nothing chosen.
    pub fn plain(names: &'a [String]) -> Header<'a> {
        Header { names, forced: &[] }
    }
}

impl Header<'_> {
    /// How many columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when there is no column.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

impl std::ops::Index<usize> for Header<'_> {
    type Output = String;
    fn index(&self, i: usize) -> &String {
        &self.names[i]
    }
}

#[cfg(test)]
mod tests;
