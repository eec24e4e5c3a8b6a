//! Why a whole file could not be imported.

use super::*;

/// How many rejected rows a report lists; all are counted.
pub const MAX_LISTED_ERRORS: usize = 10_000;
/// How many repeated rows a report lists; all are counted.
pub const MAX_LISTED_DUPLICATES: usize = 1_000;

/// Why a whole file could not be imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ImportError {
    /// The file has no content.
    Empty {
        /// The file's name.
        file: String,
    },
    /// The file holds binary data, not text.
    Binary {
        /// The file's name.
        file: String,
        /// The offset of the first byte that text does not contain.
        offset: usize,
    },
    /// Some roles have no column.
    MissingColumns {
        /// The file's name.
        file: String,
        /// The roles not found.
        missing: Vec<Role>,
        /// The columns the file has.
        columns: Vec<String>,
    },
    /// A `--map` names a column the file does not have.
    UnknownColumn {
        /// The file's name.
        file: String,
        /// The column asked for.
        column: String,
    },
    /// A column a source needs is missing.
    MissingColumn {
        /// The file's name.
        file: String,
        /// What is missing, as a message.
        what: Message,
        /// The columns the file has.
        columns: Vec<String>,
    },
    /// A survey tool's export with no column naming the respondent, so
    /// its answers cannot be joined to customers.
    NoRespondent {
        /// The file's name.
        file: String,
        /// The tool's export, by its stable id (`typeform_answers`).
        platform: String,
        /// The columns the file has.
        columns: Vec<String>,
    },
    /// An analytics or e-mail tool's report of counts per event or
    /// campaign: no row names a customer.
    Aggregated {
        /// The file's name.
        file: String,
        /// The report, by its stable id (`ga4_report`).
        platform: String,
        /// The columns the file has.
        columns: Vec<String>,
    },
    /// A header but no data row.
    NoRows {
        /// The file's name.
        file: String,
    },
    /// Every data row was rejected.
    NoValidRows {
        /// The file's name.
        file: String,
        /// How many rows were rejected.
        rejected: u64,
        /// The first of them.
        first: Box<RowError>,
    },
    /// A workbook that cannot be read.
    Spreadsheet {
        /// The file's name.
        file: String,
        /// Why.
        reason: Message,
    },
    /// A line that stops the whole file (a JSON-lines source whose line
    /// is not a JSON object).
    BadLine {
        /// The file's name.
        file: String,
        /// The line, 1-based.
        line: u64,
        /// Why.
        fault: Fault,
    },
    /// A source (customers, e-mail results, …) given before any order
    /// file.
    NeedsOrders {
        /// The file's name.
        file: String,
    },
    /// A file read as UTF-8 from its first bytes has a byte further on
    /// that UTF-8 cannot hold (a file saved by Excel on Windows, whose
    /// accents come late): it is read again in Windows-1252 rather than
    /// with its accents turned into `�`.
    NotUtf8After {
        /// The file's name.
        file: String,
        /// The offset of that byte.
        offset: u64,
    },
}

impl ImportError {
    /// True when choosing other columns (or another sheet) may read the
    /// file: a role without a column, a column that is not there, or
    /// columns that read no row.
    pub fn is_about_columns(&self) -> bool {
        match self {
            ImportError::MissingColumns { .. }
            | ImportError::MissingColumn { .. }
            | ImportError::NoRespondent { .. }
            | ImportError::UnknownColumn { .. }
            | ImportError::NoValidRows { .. } => true,
            ImportError::Spreadsheet { reason, .. } => reason.key == "engine.with.no_sheet_named",
            _ => false,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Empty { file } => {
                write!(f, "{file} is empty: there is nothing to import.")
            }
            ImportError::Binary { file, offset } => write!(
                f,
                "{file} is not a text file (binary data at byte {offset}). Export the orders as CSV and try again."
            ),
            ImportError::MissingColumns {
                file,
                missing,
                columns,
            } => {
                let names: Vec<&str> = missing
                    .iter()
                    .map(|r| match r {
                        Role::CustomerId => "customer (e.g. customer_id, client, email)",
                        Role::OrderDate => "order date (e.g. order_date, date de commande)",
                        Role::Amount => "amount (e.g. amount, total, montant)",
                        // Never missing: a file can do without them.
                        other => other.key(),
                    })
                    .collect();
                write!(
                    f,
                    "{file}: no {} column was recognised. Columns found: {}.",
                    names.join(", no "),
                    if columns.is_empty() {
                        "none".to_string()
                    } else {
                        columns.join(", ")
                    }
                )
            }
            ImportError::UnknownColumn { file, column } => {
                write!(f, "{file} has no column {column}.")
            }
            ImportError::MissingColumn {
                file,
                what,
                columns,
            } => write!(
                f,
                "{file}: no column for {what} was recognised. Columns found: {}.",
                columns.join(", ")
            ),
            ImportError::NoRespondent {
                file,
                platform,
                columns,
            } => write!(
                f,
                "{file}: this {} has no column naming the respondent (an e-mail or a customer id), so its answers cannot be joined to customers. Add one to the form (an e-mail question, or a hidden field with the customer's e-mail) and export the answers again. Columns found: {}.",
                crate::import::platform::source_label(platform),
                columns.join(", ")
            ),
            ImportError::Aggregated {
                file,
                platform,
                columns,
            } => {
                let report = crate::import::platform::report(platform);
                write!(
                    f,
                    "{file}: this {} counts per event or campaign, with no customer on its rows, so it cannot be joined to customers. Export {} instead. Columns found: {}.",
                    report.map_or(platform.as_str(), |r| r.label),
                    report.map_or("one row per customer", |r| r.instead),
                    columns.join(", ")
                )
            }
            ImportError::NoRows { file } => write!(f, "{file} has a header but no data rows."),
            ImportError::NoValidRows {
                file,
                rejected,
                first,
            } => write!(
                f,
                "{file}: none of its {rejected} rows could be read. Line {}{}: {}",
                first.line,
                first
                    .column
                    .as_ref()
                    .map(|c| format!(", column {c}"))
                    .unwrap_or_default(),
                first.reason
            ),
            ImportError::Spreadsheet { file, reason } => write!(
                f,
                "{file} could not be read as an Excel workbook: {reason}."
            ),
            ImportError::BadLine { file, line, fault } => write!(
                f,
                "{file}, line {line}: {fault}. Nothing was imported from it; correct the line and import the file again."
            ),
            ImportError::NeedsOrders { file } => write!(
                f,
                "{file} holds customers, e-mail results, survey answers, events, support tickets or marketing costs: open an order file first, then add it."
            ),
            ImportError::NotUtf8After { file, offset } => write!(
                f,
                "{file} reads as UTF-8 until byte {offset}, which UTF-8 cannot hold: it is read again as Windows-1252."
            ),
        }
    }
}

impl std::error::Error for ImportError {}
