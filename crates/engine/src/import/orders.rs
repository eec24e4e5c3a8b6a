//! The orders table: imported from a stream of chunks into columns, with
//! every rejected row reported, and stored as compact binary.

use std::borrow::Cow;
use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::import::delimited::{self, Delimiter, Encoding, Record, Splitter, Transcoder};
use crate::import::roles::{self, Role};
use crate::model::date::{self, DateFormat, Day};
use crate::model::fault::{Fault, Field, Why};
use crate::model::number::{self, DecimalSeparator};

/// Orders as columns: row `i` is customer `customer[i]` buying for
/// `amount[i]` on `day[i]`. Customers are dense indices into
/// `customer_keys`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Orders {
    /// The customer key of each dense customer index, as normalised.
    pub customer_keys: Vec<String>,
    /// The customer of each row.
    pub customer: Vec<u32>,
    /// The day of each row.
    pub day: Vec<Day>,
    /// The amount of each row; negative amounts are refunds.
    pub amount: Vec<f64>,
    /// The product category of each row, an index into `categories`
    /// ([`NO_CATEGORY`] when the cell is empty); empty when the file has
    /// no category column.
    pub category: Vec<u32>,
    /// The categories' names, in order of first appearance.
    pub categories: Vec<String>,
}

/// The category index of a row whose category cell is empty.
pub const NO_CATEGORY: u32 = u32::MAX;

impl Orders {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.customer.len()
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.customer.is_empty()
    }

    /// Builds a table from `(customer key, day, amount)` rows, keys
    /// normalised and interned in order of first appearance.
    pub fn from_rows(rows: &[(String, Day, f64)]) -> Orders {
        let mut keys: HashMap<String, u32> = HashMap::new();
        let mut o = Orders::default();
        for (key, day, amount) in rows {
            let key = normalise_key(key);
            let next = o.customer_keys.len() as u32;
            let idx = *keys.entry(key.clone()).or_insert_with(|| {
                o.customer_keys.push(key);
                next
            });
            o.customer.push(idx);
            o.day.push(*day);
            o.amount.push(*amount);
        }
        o
    }

    /// Keeps the rows whose `keep` is true, and the customers that still
    /// have a row (renumbered in order of first appearance).
    pub fn retain_rows(&mut self, keep: &[bool]) {
        let mut new_index = vec![u32::MAX; self.customer_keys.len()];
        let mut keys = Vec::new();
        let mut out = Orders::default();
        for (i, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
            let c = self.customer[i] as usize;
            if new_index[c] == u32::MAX {
                new_index[c] = keys.len() as u32;
                keys.push(std::mem::take(&mut self.customer_keys[c]));
            }
            out.customer.push(new_index[c]);
            out.day.push(self.day[i]);
            out.amount.push(self.amount[i]);
            if let Some(cat) = self.category.get(i) {
                out.category.push(*cat);
            }
        }
        out.customer_keys = keys;
        out.categories = std::mem::take(&mut self.categories);
        *self = out;
    }

    /// The last day with an order (refunds excluded), if any.
    pub fn last_order_day(&self) -> Option<Day> {
        self.day
            .iter()
            .zip(&self.amount)
            .filter(|(_, a)| **a >= 0.0)
            .map(|(d, _)| *d)
            .max()
    }
}

/// One row that could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowError {
    /// The line of the file where the row starts (1-based, header counted).
    pub line: u64,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// What is wrong, in plain words (English).
    pub reason: String,
    /// What is wrong, as data, for a front end to word in its language
    /// ([`Fault::Other`] when only `reason` says it).
    #[serde(default)]
    pub fault: Fault,
    /// The row's fields as they were read (empty when the fault is not of
    /// one row), so the rejected rows can be handed back to be fixed.
    #[serde(default)]
    pub values: Vec<String>,
}

impl RowError {
    /// A rejected row at `line`: its fault, and the English sentence for
    /// it ([`Why`] from a [`Fault`] or a sentence).
    pub fn new(line: u64, column: Option<String>, why: impl Into<Why>) -> RowError {
        let Why { fault, reason } = why.into();
        RowError {
            line,
            column,
            reason,
            fault,
            values: Vec::new(),
        }
    }
}

/// The type of a column's values, as the importer sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// No value in the rows looked at.
    Empty,
    /// Whole numbers.
    Integer,
    /// Numbers with decimals (or amounts).
    Number,
    /// Dates.
    Date,
    /// Yes/no values.
    Boolean,
    /// Anything else.
    Text,
}

/// Guesses the type of a column from sample values.
pub fn column_type(values: &[&str]) -> ColumnType {
    let values: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return ColumnType::Empty;
    }
    let boolean = |v: &str| {
        matches!(
            v.to_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "oui" | "non" | "vrai" | "faux" | "y" | "n"
        )
    };
    if values.iter().all(|v| boolean(v)) {
        return ColumnType::Boolean;
    }
    let decimal = number::detect_decimal(&values);
    let numbers: Vec<f64> = values
        .iter()
        .filter_map(|v| number::parse_amount(v, decimal))
        .collect();
    let all_numbers = numbers.len() == values.len();
    let compact_dates = values.iter().all(|v| v.len() == 8)
        && values
            .iter()
            .all(|v| date::parse_with(DateFormat::Compact, v).is_ok());
    if (!all_numbers || compact_dates) && date::detect(&values).is_some() {
        return ColumnType::Date;
    }
    if all_numbers {
        return if numbers.iter().all(|n| n.fract() == 0.0) {
            ColumnType::Integer
        } else {
            ColumnType::Number
        };
    }
    ColumnType::Text
}

/// A column as the importer understood it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// The header name, or `column N` in a file without header.
    pub name: String,
    /// The type of its values.
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// What the column is used for, if anything.
    pub role: Option<Role>,
}

/// What the importer understood of a file and what it could not read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The file's name.
    pub file_name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// The encoding detected (or chosen).
    pub encoding: Encoding,
    /// True when the user chose the encoding instead of its detection.
    #[serde(default)]
    pub encoding_chosen: bool,
    /// The delimiter detected (`,`, `;`, `tab`, `|` or `spaces`).
    pub delimiter: String,
    /// Whether the first line was read as a header.
    pub has_header: bool,
    /// The decimal separator of the amount column.
    pub decimal_separator: char,
    /// The currency the amounts name (`€`, `EUR`, `$`) as an ISO 4217
    /// code, when the sampled rows name one.
    #[serde(default)]
    pub currency: Option<String>,
    /// The date format of the date column, e.g. `dd/mm/yyyy`.
    pub date_format: String,
    /// How a day-first or month-first reading was chosen, when it was
    /// (the sentence of `date_reading`; reports stored before it kept only
    /// this).
    pub date_format_note: Option<String>,
    /// How a day-first or month-first reading was chosen, as data.
    #[serde(default)]
    pub date_reading: Option<DateReading>,
    /// Every column and its role.
    pub columns: Vec<ColumnInfo>,
    /// The product category column, when the file has one.
    #[serde(default)]
    pub category_column: Option<String>,
    /// Rows accepted.
    pub rows: u64,
    /// Rows rejected, listed (the first [`MAX_LISTED_ERRORS`]).
    pub rejected: Vec<RowError>,
    /// Rows rejected in all.
    pub rejected_total: u64,
    /// Accepted rows with a negative amount.
    pub refunds: u64,
    /// Distinct customers.
    pub customers: u64,
    /// The first day of the accepted rows.
    pub first_day: Option<Day>,
    /// The last day of the accepted rows.
    pub last_day: Option<Day>,
    /// Accepted rows identical in every field to an earlier row (kept:
    /// two identical orders can be real).
    #[serde(default)]
    pub duplicate_rows: u64,
    /// `(line, line of the earlier copy)`, the first
    /// [`MAX_LISTED_DUPLICATES`].
    #[serde(default)]
    pub duplicates: Vec<(u64, u64)>,
    /// Accepted rows dated after the day of the import.
    #[serde(default)]
    pub future_rows: u64,
    /// `(line, day)` of the first of them (up to 20).
    #[serde(default)]
    pub future: Vec<(u64, Day)>,
    /// Accepted amounts far beyond the others (see [`extreme_amounts`]).
    #[serde(default)]
    pub extreme_amount_count: u64,
    /// The most extreme of them (up to 20).
    #[serde(default)]
    pub extreme_amounts: Vec<f64>,
    /// The platform whose export this is (`shopify_orders`, see
    /// [`crate::import::platform`]), when its header says it.
    #[serde(default)]
    pub platform: Option<String>,
    /// How order lines were grouped into orders, when rows were lines.
    #[serde(default)]
    pub lines: Option<OrderLines>,
    /// Orders left out for their status: `(status, orders)`, most first.
    #[serde(default)]
    pub excluded: Vec<(String, u64)>,
    /// The columns statuses were read from (a status, a cancellation
    /// date).
    #[serde(default)]
    pub status_columns: Vec<String>,
    /// True when every order was kept, whatever its status.
    #[serde(default)]
    pub all_statuses: bool,
    /// The column of refunded amounts, when there is one.
    #[serde(default)]
    pub refunded_column: Option<String>,
    /// Orders whose refunded amount was taken off their value.
    #[serde(default)]
    pub refunded_orders: u64,
    /// The amount taken off them in all.
    #[serde(default)]
    pub refunded_amount: f64,
    /// Cancellation invoices (`C536379`) read as refunds.
    #[serde(default)]
    pub cancellation_invoices: u64,
    /// Rows that are no sales (a PayPal download's own spending, holds,
    /// memos): `(what the file says they are, rows)`, most first.
    #[serde(default)]
    pub not_sales: Vec<(String, u64)>,
    /// The column that says which rows are sales, when one does.
    #[serde(default)]
    pub sales_column: Option<String>,
    /// The buyer's phone column, read when the customer cell is empty.
    #[serde(default)]
    pub phone_column: Option<String>,
    /// Orders with no customer but a phone number, identified by it.
    #[serde(default)]
    pub by_phone: u64,
}

impl ImportReport {
    /// Orders left out for their status, in all.
    pub fn excluded_orders(&self) -> u64 {
        self.excluded.iter().map(|(_, n)| n).sum()
    }

    /// Orders kept: the accepted rows, each an order.
    pub fn orders(&self) -> u64 {
        self.rows
    }
}

/// How the lines of a file of order lines made orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLines {
    /// Rows read, each a line of an order.
    pub rows: u64,
    /// Distinct orders among them (kept, left out or rejected).
    pub orders: u64,
    /// The column naming each line's order.
    pub order_id: String,
    /// Where each order's value came from.
    pub amount_from: AmountFrom,
}

/// Where an order's value comes from in a file of order lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountFrom {
    /// The order's total, on one of its lines or on each.
    OrderTotal {
        /// Its column.
        column: String,
    },
    /// The sum of its lines' totals.
    LineTotals {
        /// Their column.
        column: String,
    },
    /// The sum of quantity × unit price over its lines.
    QuantityTimesPrice {
        /// The quantity's column.
        quantity: String,
        /// The unit price's column.
        price: String,
    },
    /// The sum of its lines' prices (no quantity column).
    UnitPrices {
        /// Their column.
        column: String,
    },
}

impl fmt::Display for AmountFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountFrom::OrderTotal { column } => write!(f, "the order's {column}"),
            AmountFrom::LineTotals { column } => write!(f, "the sum of its lines' {column}"),
            AmountFrom::QuantityTimesPrice { quantity, price } => {
                write!(f, "the sum of {quantity} × {price} over its lines")
            }
            AmountFrom::UnitPrices { column } => write!(f, "the sum of its lines' {column}"),
        }
    }
}

/// How a date column written `03/04/2024` was read, decided over the
/// whole column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateReading {
    /// Day first: these dates have a first number above 12.
    DayFirst {
        /// Dates read only day first.
        dates: u64,
    },
    /// Month first: these dates have a second number above 12.
    MonthFirst {
        /// Dates read only month first.
        dates: u64,
    },
    /// Every date fits both readings: read day first.
    Either,
    /// Some dates read only day first, others only month first: the more
    /// common reading is taken and the other dates rejected.
    Mixed {
        /// Dates read only day first.
        day_first: u64,
        /// Dates read only month first.
        month_first: u64,
    },
}

impl DateReading {
    /// The format the column is read in.
    pub fn format(self) -> DateFormat {
        match self {
            DateReading::DayFirst { .. } | DateReading::Either => DateFormat::DayFirst,
            DateReading::MonthFirst { .. } => DateFormat::MonthFirst,
            DateReading::Mixed {
                day_first,
                month_first,
            } => {
                if day_first >= month_first {
                    DateFormat::DayFirst
                } else {
                    DateFormat::MonthFirst
                }
            }
        }
    }
}

impl fmt::Display for DateReading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dates = |n: u64| {
            if n == 1 {
                "1 date has".to_string()
            } else {
                format!("{n} dates have")
            }
        };
        match *self {
            DateReading::DayFirst { dates: n } => {
                write!(
                    f,
                    "Read as day first: {} a first number above 12.",
                    dates(n)
                )
            }
            DateReading::MonthFirst { dates: n } => {
                write!(
                    f,
                    "Read as month first: {} a second number above 12.",
                    dates(n)
                )
            }
            DateReading::Either => write!(
                f,
                "Every date fits both dd/mm/yyyy and mm/dd/yyyy; read as day first (dd/mm/yyyy). Change it if your dates are month first."
            ),
            DateReading::Mixed {
                day_first,
                month_first,
            } => write!(
                f,
                "Mixed: {day_first} dates read only day first, {month_first} only month first; read as {}, and the others rejected.",
                self.format().label()
            ),
        }
    }
}

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
        /// What is missing, in plain words.
        what: String,
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
        reason: String,
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
            | ImportError::UnknownColumn { .. }
            | ImportError::NoValidRows { .. } => true,
            ImportError::Spreadsheet { reason, .. } => reason.contains("no sheet named"),
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

/// A column named by header or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnRef {
    /// A header name (compared after normalisation).
    Name(String),
    /// A 1-based position.
    Position(usize),
}

impl ColumnRef {
    /// Reads `3` as a position and anything else as a name.
    pub fn parse(text: &str) -> ColumnRef {
        match text.trim().parse::<usize>() {
            Ok(n) if n > 0 => ColumnRef::Position(n),
            _ => ColumnRef::Name(text.trim().to_string()),
        }
    }
}

/// Choices that override detection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// Columns forced for roles.
    pub map: Vec<(Role, ColumnRef)>,
    /// The encoding to read the file in, instead of the detected one.
    #[serde(default)]
    pub encoding: Option<Encoding>,
    /// Today, to point at orders dated after it (none: not checked).
    #[serde(default)]
    pub today: Option<Day>,
    /// The sheet of a workbook to read, instead of the first.
    #[serde(default)]
    pub sheet: Option<String>,
    /// Keep cancelled, failed, pending, draft and test orders, which are
    /// left out by default.
    #[serde(default)]
    pub all_statuses: bool,
    /// The encoding found over the whole file, when its first bytes alone
    /// said another ([`ImportError::NotUtf8After`]): read in it, and
    /// reported as detected, not chosen.
    #[serde(default)]
    pub encoding_guess: Option<Encoding>,
}

const SAMPLE_BYTES: usize = 64 * 1024;
const PREVIEW_RECORDS: usize = 500;

/// Reads an order file pushed in chunks.
#[derive(Debug)]
pub struct OrdersImporter {
    file_name: String,
    options: ImportOptions,
    sample: Vec<u8>,
    bytes: u64,
    parsing: Option<Parsing>,
    /// An Excel workbook: kept whole, read at the end.
    workbook: bool,
    /// What the workbook is and which sheet was read, for the report.
    sheet: String,
    /// The bytes after the sample checked to be UTF-8, when UTF-8 was
    /// detected from the sample.
    utf8: Option<Utf8Check>,
}

/// Checks that the bytes of a stream keep being UTF-8.
#[derive(Debug, Default)]
struct Utf8Check {
    /// The bytes of a character cut by the end of the last chunk.
    tail: Vec<u8>,
    /// Bytes checked so far, from the file's start.
    offset: u64,
    /// The offset of the first byte that is not UTF-8.
    broken: Option<u64>,
}

impl Utf8Check {
    fn push(&mut self, chunk: &[u8]) {
        if self.broken.is_some() {
            return;
        }
        let mut bytes = std::mem::take(&mut self.tail);
        bytes.extend_from_slice(chunk);
        let start = self.offset;
        match std::str::from_utf8(&bytes) {
            Ok(_) => self.offset += bytes.len() as u64,
            Err(e) => match e.error_len() {
                // A character cut by the chunk's end: checked with the next.
                None => {
                    let valid = e.valid_up_to();
                    self.offset += valid as u64;
                    self.tail = bytes[valid..].to_vec();
                }
                Some(_) => self.broken = Some(start + e.valid_up_to() as u64),
            },
        }
    }
}

#[derive(Debug, Clone)]
struct Plan {
    /// Read from JSON lines.
    json: bool,
    types: Vec<ColumnType>,
    encoding: Encoding,
    delimiter: Delimiter,
    has_header: bool,
    names: Vec<String>,
    customer: usize,
    date: usize,
    /// The order's total (none in a file of order lines without one).
    amount: Option<usize>,
    category: Option<usize>,
    date_format: DateFormat,
    decimal: DecimalSeparator,
    /// The currency the sampled amounts name, if any.
    currency: Option<&'static str>,
    /// Rows are order lines, grouped into orders by this column.
    lines: Option<LinePlan>,
    /// Status columns: an order is left out when one says it was
    /// cancelled, failed, pending, a draft or a test ([`excluded_status`]).
    status: Vec<usize>,
    /// A column whose date, when there is one, says the order was
    /// cancelled.
    cancelled_at: Option<usize>,
    /// The amount refunded of each order, taken off its value.
    refunded: Option<usize>,
    /// The buyer's phone, who bought when the customer cell is empty.
    phone: Option<usize>,
    /// The platform the header names, if any.
    platform: Option<&'static crate::import::platform::Platform>,
    /// Keep every order, whatever its status.
    all_statuses: bool,
    /// Only the rows whose columns say they are sales (a platform's
    /// payments received among its other entries).
    sales: Vec<(usize, &'static [&'static str])>,
}

/// How the lines of one order make the order.
#[derive(Debug, Clone, PartialEq)]
struct LinePlan {
    order_id: usize,
    quantity: Option<usize>,
    unit_price: Option<usize>,
    line_total: Option<usize>,
    /// The decimal separator of the quantities and prices.
    decimal: DecimalSeparator,
    /// Ids are numbers and `C` before one marks a cancellation invoice
    /// (UCI Online Retail, many ERPs): a refund.
    c_prefix_cancels: bool,
}

#[derive(Debug)]
struct Parsing {
    transcoder: Transcoder,
    splitter: Splitter,
    buffer: Vec<u8>,
    builder: Builder,
    /// JSON lines turned into rows, when the file is JSON lines.
    json: Option<(crate::import::jsonl::Converter, Vec<u8>)>,
}

/// Dates like `03/04/2024`, kept as numbers until the whole column has
/// been seen and the reading (day or month first) decided.
#[derive(Debug, Default)]
struct SlashDates {
    /// `(first, second, year)` of each accepted row, in row order.
    parts: Vec<(u32, u32, i32)>,
    /// The line of each accepted row.
    lines: Vec<u64>,
    /// Rows whose first number is above 12 (so it is the day).
    first_over_12: u64,
    /// Rows whose second number is above 12.
    second_over_12: u64,
    /// The fields of the rows that are not a real day in at least one
    /// reading (few), kept by line in case they end up rejected.
    suspect: rustc_hash::FxHashMap<u64, Vec<String>>,
}

/// The dense index of each customer key: a table of indices into the
/// keys themselves (one copy of each key), with each key's hash so that
/// growing the table hashes nothing again.
#[derive(Debug, Default)]
struct KeyIndex {
    table: hashbrown::HashTable<(u64, u32)>,
}

impl KeyIndex {
    fn hash(key: &str) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(key)
    }

    fn find(&self, keys: &[String], hash: u64, key: &str) -> Option<u32> {
        self.table
            .find(hash, |(h, i)| *h == hash && keys[*i as usize] == key)
            .map(|(_, i)| *i)
    }

    /// The index of `key` in `keys`, added at the end if new.
    fn index(&mut self, keys: &mut Vec<String>, key: &str) -> u32 {
        let hash = Self::hash(key);
        match self.find(keys, hash, key) {
            Some(i) => i,
            None => self.add(keys, hash, key.to_string()),
        }
    }

    /// As [`Self::index`], for a key already owned.
    fn index_owned(&mut self, keys: &mut Vec<String>, key: String) -> u32 {
        let hash = Self::hash(&key);
        match self.find(keys, hash, &key) {
            Some(i) => i,
            None => self.add(keys, hash, key),
        }
    }

    fn add(&mut self, keys: &mut Vec<String>, hash: u64, key: String) -> u32 {
        let next = keys.len() as u32;
        keys.push(key);
        self.table.insert_unique(hash, (hash, next), |(h, _)| *h);
        next
    }

    fn reserve(&mut self, more: usize) {
        self.table.reserve(more, |(h, _)| *h);
    }
}

#[derive(Debug)]
struct Builder {
    plan: Plan,
    slash: Option<SlashDates>,
    header_pending: bool,
    keys: KeyIndex,
    categories: FxHashMap<String, u32>,
    orders: Orders,
    rejected: Vec<RowError>,
    rejected_total: u64,
    refunds: u64,
    /// Each accepted row's fingerprint and line, aligned with the rows;
    /// repeated rows are found per customer at the end (a map of every
    /// fingerprint cost a cache miss per row).
    fingerprints: Vec<u64>,
    lines: Vec<u64>,
    categories_exact: FxHashMap<String, u32>,
    /// The orders of a file of order lines, until the end.
    pending: LineOrders,
    /// Orders left out for their status: `(status, orders)`.
    excluded: Vec<(String, u64)>,
    /// Orders with a refunded amount taken off, and the amount.
    refunded_orders: u64,
    refunded_total: f64,
    /// Orders identified by their phone number.
    by_phone: u64,
    /// Cancellation invoices read as refunds.
    cancellations: u64,
    /// Each status seen, as the file's bytes, and the status (lower-case)
    /// that leaves its order out, if it does.
    statuses: Vec<(Vec<u8>, Option<String>)>,
    /// Rows that are not sales, by what the file says they are.
    not_sales: Vec<(String, u64)>,
}

impl OrdersImporter {
    /// Starts reading a file.
    pub fn new(file_name: &str, options: ImportOptions) -> Self {
        OrdersImporter {
            file_name: file_name.to_string(),
            options,
            sample: Vec::new(),
            bytes: 0,
            parsing: None,
            workbook: false,
            sheet: String::new(),
            utf8: None,
        }
    }

    /// Decides the encoding over the whole file, held in memory, rather
    /// than over its first bytes (unless the user chose one).
    fn decide_encoding_on(&mut self, whole: &[u8]) {
        // A workbook's rows are written as UTF-8 text when it is read.
        if self.options.encoding.is_none()
            && self.options.encoding_guess.is_none()
            && !crate::import::spreadsheet::is_workbook(whole)
        {
            self.options.encoding_guess = Some(delimited::sniff_encoding(whole).0);
        }
    }

    /// Reads the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        self.bytes += chunk.len() as u64;
        if let Some(p) = &mut self.parsing {
            if let Some(check) = &mut self.utf8 {
                check.push(chunk);
            }
            p.feed(chunk);
            return Ok(());
        }
        self.sample.extend_from_slice(chunk);
        if self.sample.len() >= 8 && crate::import::spreadsheet::is_workbook(&self.sample) {
            self.workbook = true;
        }
        if self.sample.len() >= SAMPLE_BYTES && !self.workbook {
            self.start(false)?;
        }
        Ok(())
    }

    /// Rows read so far, accepted or rejected.
    pub fn rows_read(&self) -> u64 {
        self.parsing
            .as_ref()
            .map(|p| {
                p.builder.orders.len() as u64 + p.builder.rejected_total + p.builder.pending.rows
            })
            .unwrap_or(0)
    }

    /// Ends the file and returns the table and the report.
    pub fn finish(mut self) -> Result<(Orders, ImportReport), ImportError> {
        if self.workbook {
            let chosen = self.options.sheet.as_deref();
            self.sheet = crate::import::spreadsheet::label(&self.sample, chosen);
            if let Some(size) = crate::import::spreadsheet::size_before_reading(&self.sample) {
                self.bytes = size;
            }
            self.sample =
                crate::import::spreadsheet::sheet_rows(&self.sample, chosen).map_err(|reason| {
                    ImportError::Spreadsheet {
                        file: self.file_name.clone(),
                        reason,
                    }
                })?;
        }
        if self.parsing.is_none() {
            self.start(true)?;
        }
        if let Some(offset) = self.utf8.as_ref().and_then(|c| c.broken) {
            return Err(ImportError::NotUtf8After {
                file: self.file_name,
                offset,
            });
        }
        let Some(mut p) = self.parsing.take() else {
            return Err(ImportError::Empty {
                file: self.file_name,
            });
        };
        let Parsing {
            splitter,
            builder,
            json,
            ..
        } = &mut p;
        if let Some((converter, rows)) = json {
            rows.clear();
            converter.push(&[], true, rows);
            splitter.feed(rows, &mut |r| builder.add(r));
        }
        splitter.finish(&mut |r| builder.add(r));
        if let Some((converter, _)) = json.take() {
            let listed = converter.errors.len() as u64;
            for (line, fault) in converter.errors {
                builder.reject(line, None, fault);
            }
            builder.rejected_total += converter.error_count - listed;
            builder.rejected.sort_by_key(|e| e.line);
            builder.rejected.truncate(MAX_LISTED_ERRORS);
        }
        if let Some(line) = splitter.unterminated_quote() {
            builder.reject(line, None, Fault::UnclosedQuote);
        }
        let mut b = p.builder;
        let line_plan = b.plan.lines.clone();
        if line_plan.is_some() {
            b.flush_lines();
        }
        let date_reading = b.resolve_slash_dates();
        if b.orders.is_empty() {
            return Err(match b.rejected.first() {
                Some(first) => ImportError::NoValidRows {
                    file: self.file_name,
                    rejected: b.rejected_total,
                    first: Box::new(first.clone()),
                },
                None => ImportError::NoRows {
                    file: self.file_name,
                },
            });
        }
        let plan = &b.plan;
        let mut types = plan.types.clone();
        // The date column's values were read as dates whatever they look
        // like (`19970101` also reads as a number).
        types[plan.date] = ColumnType::Date;
        let line_role = |i: usize| {
            let l = line_plan.as_ref()?;
            [
                (Some(l.order_id), Role::OrderId),
                (l.quantity, Role::Quantity),
                (l.unit_price, Role::UnitPrice),
                (l.line_total, Role::LineTotal),
            ]
            .into_iter()
            .find(|(c, _)| *c == Some(i))
            .map(|(_, r)| r)
        };
        let columns = plan
            .names
            .iter()
            .enumerate()
            .map(|(i, name)| ColumnInfo {
                name: name.clone(),
                kind: types[i],
                role: if i == plan.customer {
                    Some(Role::CustomerId)
                } else if i == plan.date {
                    Some(Role::OrderDate)
                } else if Some(i) == plan.amount {
                    Some(Role::Amount)
                } else if plan.status.contains(&i) {
                    Some(Role::Status)
                } else if Some(i) == plan.refunded {
                    Some(Role::Refunded)
                } else if Some(i) == plan.phone {
                    Some(Role::Phone)
                } else {
                    line_role(i)
                },
            })
            .collect();
        let name = |c: usize| plan.names[c].clone();
        let lines = line_plan.as_ref().map(|l| OrderLines {
            rows: b.pending.rows,
            orders: b.pending.seen,
            order_id: name(l.order_id),
            amount_from: match (plan.amount, l.line_total, l.quantity, l.unit_price) {
                (Some(a), ..) => AmountFrom::OrderTotal { column: name(a) },
                (None, Some(t), ..) => AmountFrom::LineTotals { column: name(t) },
                (None, None, Some(q), Some(p)) => AmountFrom::QuantityTimesPrice {
                    quantity: name(q),
                    price: name(p),
                },
                (None, None, _, p) => AmountFrom::UnitPrices {
                    column: p.map(name).unwrap_or_default(),
                },
            },
        });
        let mut excluded = std::mem::take(&mut b.excluded);
        excluded.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        let extremes = extreme_amounts(&b.orders.amount);
        let (duplicate_rows, duplicates) = repeated_rows(
            &b.orders.customer,
            b.orders.customer_keys.len(),
            &b.fingerprints,
            &b.lines,
            (&b.orders.day, &b.orders.amount),
        );
        let (future_rows, future) = match self.options.today {
            Some(today) => {
                let mut rows = b
                    .orders
                    .day
                    .iter()
                    .zip(&b.lines)
                    .filter(|(d, _)| **d > today);
                let listed: Vec<(u64, Day)> =
                    rows.by_ref().take(20).map(|(d, l)| (*l, *d)).collect();
                (listed.len() as u64 + rows.count() as u64, listed)
            }
            None => (0, Vec::new()),
        };
        let report = ImportReport {
            future_rows,
            future,
            encoding_chosen: self.options.encoding.is_some(),
            file_name: self.file_name,
            bytes: self.bytes,
            encoding: plan.encoding,
            delimiter: if plan.json {
                "JSON lines".to_string()
            } else if self.workbook {
                self.sheet.to_string()
            } else {
                plan.delimiter.label()
            },
            has_header: plan.has_header,
            decimal_separator: plan.decimal.as_char(),
            currency: plan.currency.map(str::to_string),
            date_format: plan.date_format.label().to_string(),
            date_format_note: date_reading.as_ref().map(DateReading::to_string),
            date_reading,
            columns,
            category_column: plan.category.map(|c| plan.names[c].clone()),
            rows: b.orders.len() as u64,
            rejected: b.rejected,
            rejected_total: b.rejected_total,
            refunds: b.refunds,
            customers: b.orders.customer_keys.len() as u64,
            first_day: b.orders.day.iter().min().copied(),
            last_day: b.orders.day.iter().max().copied(),
            duplicate_rows,
            duplicates,
            extreme_amount_count: extremes.0,
            extreme_amounts: extremes.1,
            platform: plan.platform.map(|p| p.id.to_string()),
            lines,
            excluded,
            status_columns: plan
                .status
                .iter()
                .chain(&plan.cancelled_at)
                .map(|c| name(*c))
                .collect(),
            all_statuses: plan.all_statuses,
            refunded_column: plan.refunded.map(name),
            phone_column: plan.phone.map(name),
            by_phone: b.by_phone,
            refunded_orders: b.refunded_orders,
            refunded_amount: b.refunded_total,
            cancellation_invoices: b.cancellations,
            not_sales: {
                let mut rows = std::mem::take(&mut b.not_sales);
                rows.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
                rows
            },
            sales_column: (!plan.sales.is_empty()).then(|| {
                let columns: Vec<String> = plan.sales.iter().map(|(c, _)| name(*c)).collect();
                columns.join(", ")
            }),
        };
        Ok((b.orders, report))
    }

    fn start(&mut self, eof: bool) -> Result<(), ImportError> {
        let file = self.file_name.clone();
        if self.sample.iter().all(u8::is_ascii_whitespace) {
            if eof {
                return Err(ImportError::Empty { file });
            }
            return Ok(());
        }
        let chosen = self.options.encoding.or(self.options.encoding_guess);
        let (encoding, bom) = delimited::choose_encoding(&self.sample, chosen);
        // Detected from these first bytes: the rest must agree. A
        // byte-order mark declares UTF-8 for the whole file (as a file read
        // whole takes it): bytes that are not are replaced, not a reason to
        // read it again in another encoding.
        if chosen.is_none() && encoding == Encoding::Utf8 && bom == 0 && !self.workbook {
            let mut check = Utf8Check::default();
            check.push(&self.sample);
            self.utf8 = Some(check);
        }
        let mut transcoder = Transcoder::new(encoding);
        let mut text = Vec::new();
        transcoder.push(&self.sample[bom..], &mut text);
        if delimited::cr_line_breaks(&text) {
            transcoder.set_cr_line_breaks();
            text.clear();
            transcoder.push(&self.sample[bom..], &mut text);
        }
        if let Some(offset) = delimited::binary_offset(&text) {
            return Err(ImportError::Binary { file, offset });
        }
        // JSON lines become rows under a header of their keys, written as
        // line 0 so that rows keep the file's line numbers.
        let (mut json, first_line) = if crate::import::jsonl::looks_like_json_lines(&text) {
            let keys = crate::import::jsonl::keys(&text, eof);
            let mut rows = crate::import::jsonl::header(&keys);
            let mut converter = crate::import::jsonl::Converter::new(keys);
            converter.push(&text, eof, &mut rows);
            text = rows;
            (Some((converter, Vec::new())), 0)
        } else {
            (None, 1)
        };
        let delimiter = match json {
            Some(_) => Delimiter::Byte(b','),
            None => delimited::sniff_delimiter(&text),
        };
        let mut preview: Vec<Vec<String>> = Vec::new();
        {
            let mut s = Splitter::starting_at(delimiter, first_line);
            let mut take = |r: Record<'_>| {
                if preview.len() < PREVIEW_RECORDS {
                    preview.push(
                        (0..r.len())
                            .map(|i| delimited::decode_field(encoding, r.field(i)))
                            .collect(),
                    );
                }
            };
            s.feed(&text, &mut take);
            if eof {
                s.finish(&mut take);
            }
        }
        if preview.is_empty() {
            return Err(ImportError::Empty { file });
        }
        let mut plan = plan(&file, &self.options, encoding, delimiter, &preview)?;
        plan.json = json.is_some();
        let mut parsing = Parsing {
            transcoder,
            splitter: Splitter::starting_at(delimiter, first_line),
            buffer: Vec::new(),
            builder: Builder::new(plan),
            json: json.take(),
        };
        let Parsing {
            splitter, builder, ..
        } = &mut parsing;
        splitter.feed(&text, &mut |r| builder.add(r));
        self.sample = Vec::new();
        self.parsing = Some(parsing);
        Ok(())
    }
}

impl Parsing {
    fn feed(&mut self, chunk: &[u8]) {
        self.buffer.clear();
        self.transcoder.push(chunk, &mut self.buffer);
        let Parsing {
            splitter,
            builder,
            buffer,
            json,
            ..
        } = self;
        match json {
            Some((converter, rows)) => {
                rows.clear();
                converter.push(buffer, false, rows);
                splitter.feed(rows, &mut |r| builder.add(r));
            }
            None => splitter.feed(buffer, &mut |r| builder.add(r)),
        }
    }
}

fn looks_like_data(field: &str) -> bool {
    number::parse_amount(field, DecimalSeparator::Point).is_some()
        || date::detect(&[field]).is_some()
}

fn plan(
    file: &str,
    options: &ImportOptions,
    encoding: Encoding,
    delimiter: Delimiter,
    preview: &[Vec<String>],
) -> Result<Plan, ImportError> {
    let first = &preview[0];
    let width = preview.iter().map(Vec::len).max().unwrap_or(0);
    let named = [Role::CustomerId, Role::OrderDate, Role::Amount]
        .iter()
        .any(|r| first.iter().any(|h| roles::name_score(*r, h) > 0));
    let has_header = named || (preview.len() > 1 && !first.iter().any(|f| looks_like_data(f)));
    let names: Vec<String> = (0..width)
        .map(|i| match first.get(i) {
            Some(h) if has_header && !h.trim().is_empty() => h.trim().to_string(),
            _ => format!("column {}", i + 1),
        })
        .collect();
    let data = if has_header { &preview[1..] } else { preview };
    let values = |col: usize| -> Vec<&str> {
        data.iter()
            .filter_map(|r| r.get(col).map(String::as_str))
            .filter(|v| !v.trim().is_empty())
            .collect()
    };

    let mut chosen: HashMap<Role, usize> = HashMap::new();
    for (role, col) in &options.map {
        let idx = match col {
            ColumnRef::Position(p) if *p <= width => p - 1,
            ColumnRef::Name(n) => names
                .iter()
                .position(|h| roles::normalise(h) == roles::normalise(n))
                .ok_or_else(|| ImportError::UnknownColumn {
                    file: file.to_string(),
                    column: n.clone(),
                })?,
            ColumnRef::Position(p) => {
                return Err(ImportError::UnknownColumn {
                    file: file.to_string(),
                    column: p.to_string(),
                });
            }
        };
        chosen.insert(*role, idx);
    }
    let taken = |chosen: &HashMap<Role, usize>, i: usize| chosen.values().any(|c| *c == i);
    let platform = has_header
        .then(|| crate::import::platform::detect(&names))
        .flatten();
    if let Some(p) = platform {
        for (role, header) in p.roles {
            if chosen.contains_key(role) {
                continue;
            }
            if let Some(i) =
                (0..width).find(|i| !taken(&chosen, *i) && roles::normalise(&names[*i]) == *header)
            {
                chosen.insert(*role, i);
            }
        }
    }
    if has_header {
        // The columns of order lines and statuses first, by their exact
        // names, so that `Lineitem price` is not taken for the total.
        for role in Role::OPTIONAL {
            // A platform's export says itself whether rows are lines.
            let lines_role = !matches!(role, Role::Status | Role::Refunded | Role::Phone);
            if chosen.contains_key(&role) || (platform.is_some() && lines_role) {
                continue;
            }
            if let Some(i) =
                (0..width).find(|i| !taken(&chosen, *i) && roles::name_score(role, &names[*i]) > 0)
            {
                chosen.insert(role, i);
            }
        }
    }
    // An order's value can come from its lines instead of a total.
    let from_lines = chosen.contains_key(&Role::OrderId)
        && (chosen.contains_key(&Role::LineTotal) || chosen.contains_key(&Role::UnitPrice));
    if has_header {
        for role in [Role::OrderDate, Role::Amount, Role::CustomerId] {
            if chosen.contains_key(&role) {
                continue;
            }
            // Beside lines, only a total named as such is the order's
            // (`Discount Amount` is not).
            let least = if role == Role::Amount && from_lines {
                3
            } else {
                1
            };
            let best = (0..width)
                .filter(|i| !taken(&chosen, *i))
                .map(|i| (roles::name_score(role, &names[i]), i))
                .filter(|(s, _)| *s >= least)
                .max_by_key(|(s, i)| (*s, std::cmp::Reverse(*i)));
            if let Some((_, i)) = best {
                chosen.insert(role, i);
            }
        }
    }
    if !chosen.contains_key(&Role::OrderDate)
        && let Some(i) =
            (0..width).find(|i| !taken(&chosen, *i) && date::detect(&values(*i)).is_some())
    {
        chosen.insert(Role::OrderDate, i);
    }
    if !chosen.contains_key(&Role::Amount) && !from_lines {
        let numeric: Vec<(usize, bool)> = (0..width)
            .filter(|i| !taken(&chosen, *i))
            .filter_map(|i| {
                let vals = values(i);
                let dec = number::detect_decimal(&vals);
                let parsed: Vec<f64> = vals
                    .iter()
                    .filter_map(|v| number::parse_amount(v, dec))
                    .collect();
                let numeric = !vals.is_empty() && parsed.len() * 10 >= vals.len() * 9;
                numeric.then(|| (i, parsed.iter().any(|v| v.fract() != 0.0)))
            })
            .collect();
        let pick = numeric
            .iter()
            .rev()
            .find(|(_, frac)| *frac)
            .or(numeric.last())
            .map(|(i, _)| *i);
        if let Some(i) = pick {
            chosen.insert(Role::Amount, i);
        }
    }
    if !chosen.contains_key(&Role::CustomerId)
        && let Some(i) = (0..width).find(|i| !taken(&chosen, *i) && !values(*i).is_empty())
    {
        chosen.insert(Role::CustomerId, i);
    }
    let missing: Vec<Role> = [Role::CustomerId, Role::OrderDate, Role::Amount]
        .into_iter()
        .filter(|r| !(chosen.contains_key(r) || (*r == Role::Amount && from_lines)))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns {
            file: file.to_string(),
            missing,
            columns: if has_header { names } else { Vec::new() },
        });
    }
    let (customer, date_col, amount) = (
        chosen[&Role::CustomerId],
        chosen[&Role::OrderDate],
        chosen.get(&Role::Amount).copied(),
    );
    let role_of = |i: usize| chosen.iter().find(|(_, c)| **c == i).map(|(r, _)| *r);
    // An optional product category, by its header only.
    let category = has_header
        .then(|| (0..width).find(|i| role_of(*i).is_none() && roles::is_category_name(&names[*i])))
        .flatten();
    let named = |is: fn(&str) -> bool| {
        has_header
            .then(|| (0..width).find(|i| role_of(*i).is_none() && is(&names[*i])))
            .flatten()
    };
    let cancelled_at = named(roles::is_cancelled_at_name);
    let lines = chosen.get(&Role::OrderId).copied().and_then(|order_id| {
        let (quantity, unit_price, line_total) = (
            chosen.get(&Role::Quantity).copied(),
            chosen.get(&Role::UnitPrice).copied(),
            chosen.get(&Role::LineTotal).copied(),
        );
        // Order lines when the file has lines' columns, or when ids
        // repeat in the sample on rows that differ (a row repeated whole
        // is a duplicate, reported as such), on at least 2% of its rows (a
        // stray repeat is a mistake in a file of orders); otherwise every
        // row is an order already, read on the quicker path.
        let ids = values(order_id);
        let repeats = {
            let mut seen: HashMap<&str, &Vec<String>> = HashMap::new();
            let continued = data
                .iter()
                .filter(|row| {
                    let id = row.get(order_id).map_or("", |v| v.trim());
                    !id.is_empty() && seen.insert(id, row).is_some_and(|earlier| earlier != *row)
                })
                .count();
            continued >= 2 && continued * 50 >= data.len()
        };
        let line_columns = quantity.is_some() || unit_price.is_some() || line_total.is_some();
        (repeats || line_columns || amount.is_none()).then(|| {
            let mut numbers: Vec<&str> = Vec::new();
            for c in [unit_price, line_total].into_iter().flatten() {
                numbers.extend(values(c));
            }
            let plain = ids
                .iter()
                .filter(|id| id.trim().bytes().all(|b| b.is_ascii_digit()))
                .count();
            LinePlan {
                order_id,
                quantity,
                unit_price,
                line_total,
                decimal: number::detect_decimal(&numbers),
                c_prefix_cancels: plain > 0 && plain * 2 >= ids.len(),
            }
        })
    });
    let amount_values = match (amount, &lines) {
        (Some(a), _) => values(a),
        (None, Some(l)) => values(l.line_total.or(l.unit_price).unwrap_or(l.order_id)),
        (None, None) => Vec::new(),
    };
    // The currency the amounts name, or else a currency column's.
    let currency = number::detect_currency(&amount_values).or_else(|| {
        named(roles::is_currency_name).and_then(|c| number::detect_currency(&values(c)))
    });
    let status: Vec<usize> = chosen.get(&Role::Status).copied().into_iter().collect();
    let sales = platform.map_or(Vec::new(), |p| {
        p.sales
            .iter()
            .filter_map(|(header, kept)| {
                (0..width)
                    .find(|i| roles::normalise(&names[*i]) == *header)
                    .map(|c| (c, *kept))
            })
            .collect()
    });
    Ok(Plan {
        json: false,
        types: (0..width).map(|i| column_type(&values(i))).collect(),
        encoding,
        delimiter,
        has_header,
        date_format: date::detect_named(&values(date_col)).unwrap_or(DateFormat::Iso),
        decimal: match amount {
            Some(a) => number::detect_decimal(&values(a)),
            None => lines
                .as_ref()
                .map_or(DecimalSeparator::Point, |l| l.decimal),
        },
        currency,
        names,
        customer,
        date: date_col,
        amount,
        category,
        lines,
        status,
        cancelled_at,
        refunded: chosen.get(&Role::Refunded).copied(),
        phone: chosen.get(&Role::Phone).copied(),
        sales,
        platform,
        all_statuses: options.all_statuses,
    })
}

/// A phone number as a customer key: its digits only, so that `+33 6 12
/// 34 56 78`, `'+33612345678` and `33.6.12.34.56.78` are one number; `None`
/// when it has fewer than 6 digits (no real number).
pub fn phone_key(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 6).then_some(digits)
}

/// Normalises a customer key for joining: trimmed, e-mail addresses
/// lower-cased.
pub fn normalise_key(raw: &str) -> String {
    normalised_key(raw).into_owned()
}

/// [`normalise_key`], borrowing when nothing changes.
fn normalised_key(raw: &str) -> Cow<'_, str> {
    let b = raw.as_bytes();
    let plain = |c: &u8| !c.is_ascii_whitespace() && c.is_ascii();
    let t = if b.first().is_some_and(plain) && b.last().is_some_and(plain) {
        raw
    } else {
        raw.trim()
    };
    if t.contains('@') && t.chars().any(char::is_uppercase) {
        Cow::Owned(t.to_lowercase())
    } else {
        Cow::Borrowed(t)
    }
}

/// How many amounts are far beyond the others, and the 20 most extreme:
/// above the 99th percentile (the third quartile under 200 amounts) plus
/// ten times the spread between the quartiles, or below the 1st
/// percentile (the first quartile) minus as much.
pub fn extreme_amounts(amounts: &[f64]) -> (u64, Vec<f64>) {
    if amounts.len() < 20 {
        return (0, Vec::new());
    }
    // Four order statistics, each found in linear time (no full sort).
    let mut values = amounts.to_vec();
    let last = values.len() - 1;
    let mut at = |q: f64| {
        let k = (last as f64 * q).round() as usize;
        *values.select_nth_unstable_by(k, f64::total_cmp).1
    };
    let spread = (at(0.75) - at(0.25)).max(1e-9);
    // The 1st and 99th percentiles when there are enough amounts for them
    // not to be the extremes themselves; the quartiles otherwise.
    let (q_low, q_high) = if amounts.len() >= 200 {
        (0.01, 0.99)
    } else {
        (0.25, 0.75)
    };
    let (low, high) = (at(q_low) - 10.0 * spread, at(q_high) + 10.0 * spread);
    let mut out: Vec<f64> = amounts
        .iter()
        .copied()
        .filter(|a| *a > high || *a < low)
        .collect();
    out.sort_by(|a, b| b.abs().total_cmp(&a.abs()));
    let total = out.len() as u64;
    out.truncate(20);
    (total, out)
}

impl Builder {
    fn new(plan: Plan) -> Self {
        Builder {
            header_pending: plan.has_header,
            slash: matches!(
                plan.date_format,
                DateFormat::DayFirst | DateFormat::MonthFirst
            )
            .then(SlashDates::default),
            plan,
            keys: KeyIndex::default(),
            categories: FxHashMap::default(),
            orders: Orders::default(),
            rejected: Vec::new(),
            rejected_total: 0,
            refunds: 0,
            fingerprints: Vec::new(),
            lines: Vec::new(),
            categories_exact: FxHashMap::default(),
            pending: LineOrders::default(),
            excluded: Vec::new(),
            refunded_orders: 0,
            refunded_total: 0.0,
            by_phone: 0,
            cancellations: 0,
            statuses: Vec::new(),
            not_sales: Vec::new(),
        }
    }

    /// Makes room for `rows` more rows.
    fn reserve(&mut self, rows: usize) {
        let o = &mut self.orders;
        o.customer.reserve(rows);
        o.day.reserve(rows);
        o.amount.reserve(rows);
        if self.plan.category.is_some() {
            o.category.reserve(rows);
        }
        self.fingerprints.reserve(rows);
        self.lines.reserve(rows);
    }

    /// Appends the rows another builder read from the part of the file
    /// after this one's, as if this builder had read them.
    fn absorb(&mut self, other: Builder) {
        self.keys.reserve(other.orders.customer_keys.len());
        let customer: Vec<u32> = other
            .orders
            .customer_keys
            .into_iter()
            .map(|key| self.keys.index_owned(&mut self.orders.customer_keys, key))
            .collect();
        let category: Vec<u32> = other
            .orders
            .categories
            .into_iter()
            .map(|name| {
                let key = name.to_lowercase();
                match self.categories.get(&key) {
                    Some(i) => *i,
                    None => {
                        let next = self.orders.categories.len() as u32;
                        self.categories.insert(key, next);
                        self.orders.categories.push(name);
                        next
                    }
                }
            })
            .collect();
        let o = &mut self.orders;
        o.customer
            .extend(other.orders.customer.iter().map(|c| customer[*c as usize]));
        o.day.extend_from_slice(&other.orders.day);
        o.amount.extend_from_slice(&other.orders.amount);
        o.category
            .extend(other.orders.category.iter().map(|c| match *c {
                NO_CATEGORY => NO_CATEGORY,
                c => category[c as usize],
            }));
        let room = MAX_LISTED_ERRORS.saturating_sub(self.rejected.len());
        self.rejected.extend(other.rejected.into_iter().take(room));
        self.rejected_total += other.rejected_total;
        self.refunds += other.refunds;
        for (status, n) in other.excluded {
            add_count(&mut self.excluded, status, n);
        }
        self.refunded_orders += other.refunded_orders;
        self.refunded_total += other.refunded_total;
        self.by_phone += other.by_phone;
        for (what, n) in other.not_sales {
            add_count(&mut self.not_sales, what, n);
        }
        self.fingerprints.extend_from_slice(&other.fingerprints);
        self.lines.extend_from_slice(&other.lines);
        if let (Some(mine), Some(theirs)) = (&mut self.slash, other.slash) {
            mine.parts.extend_from_slice(&theirs.parts);
            mine.lines.extend_from_slice(&theirs.lines);
            mine.first_over_12 += theirs.first_over_12;
            mine.second_over_12 += theirs.second_over_12;
            let mut suspect: Vec<_> = theirs.suspect.into_iter().collect();
            suspect.sort_unstable_by_key(|(line, _)| *line);
            let room = MAX_LISTED_ERRORS.saturating_sub(mine.suspect.len());
            mine.suspect.extend(suspect.into_iter().take(room));
        }
    }

    /// Decides between day-first and month-first from the whole column,
    /// turns the kept numbers into days, and rejects the rows that are not
    /// real days in that reading. Returns a note on the choice.
    fn resolve_slash_dates(&mut self) -> Option<DateReading> {
        let slash = self.slash.take()?;
        let (first, second) = (slash.first_over_12, slash.second_over_12);
        let reading = match (first > 0, second > 0) {
            (true, false) => DateReading::DayFirst { dates: first },
            (false, true) => DateReading::MonthFirst { dates: second },
            (false, false) => DateReading::Either,
            (true, true) => DateReading::Mixed {
                day_first: first,
                month_first: second,
            },
        };
        let format = reading.format();
        self.plan.date_format = format;
        let mut keep = vec![true; self.orders.len()];
        for (i, (&(p, q, year), &line)) in slash.parts.iter().zip(&slash.lines).enumerate() {
            let (day, month) = if format == DateFormat::DayFirst {
                (p, q)
            } else {
                (q, p)
            };
            match date::checked_day(year, month, day) {
                Some(d) => self.orders.day[i] = d,
                None => {
                    keep[i] = false;
                    let fault = Fault::NotARealDayReadAs {
                        text: format!("{p:02}/{q:02}/{year}"),
                        format: format.label().to_string(),
                    };
                    let listed = self.rejected.len() < MAX_LISTED_ERRORS;
                    self.reject(line, Some(self.plan.date), fault);
                    if listed && let Some(e) = self.rejected.last_mut() {
                        e.values = slash.suspect.get(&line).cloned().unwrap_or_default();
                    }
                }
            }
        }
        if keep.iter().any(|k| !k) {
            self.orders.retain_rows(&keep);
            let mut k = keep.iter();
            self.fingerprints.retain(|_| *k.next().unwrap_or(&true));
            let mut k = keep.iter();
            self.lines.retain(|_| *k.next().unwrap_or(&true));
            self.refunds = self.orders.amount.iter().filter(|a| **a < 0.0).count() as u64;
            self.rejected.sort_by_key(|e| e.line);
        }
        Some(reading)
    }

    fn reject(&mut self, line: u64, column: Option<usize>, fault: Fault) {
        self.rejected_total += 1;
        if self.rejected.len() < MAX_LISTED_ERRORS {
            self.rejected.push(RowError::new(
                line,
                column.map(|c| self.plan.names[c].clone()),
                fault,
            ));
        }
    }

    /// As [`Self::reject`], keeping the row's fields with the error.
    fn reject_row(&mut self, r: &Record<'_>, column: Option<usize>, fault: Fault) {
        let listed = self.rejected.len() < MAX_LISTED_ERRORS;
        self.reject(r.line, column, fault);
        if listed && let Some(e) = self.rejected.last_mut() {
            let enc = self.plan.encoding;
            e.values = (0..r.len())
                .map(|i| delimited::field_text(enc, r.field(i)).into_owned())
                .collect();
        }
    }

    fn add(&mut self, r: Record<'_>) {
        if self.header_pending {
            self.header_pending = false;
            return;
        }
        let enc = self.plan.encoding;
        let (c, d) = (self.plan.customer, self.plan.date);
        if self.plan.lines.is_some() {
            self.add_line(&r);
            return;
        }
        let a = self.plan.amount.unwrap_or(c);
        let need = c.max(d).max(a) + 1;
        if r.len() < need {
            let fault = Fault::TooFewFields {
                found: r.len(),
                expected: need,
            };
            self.reject_row(&r, None, fault);
            return;
        }
        if !self.is_sale(&r) {
            return;
        }
        if let Some(status) = self.excluded(&r) {
            self.exclude(status);
            return;
        }
        let raw_key = delimited::field_text(enc, r.field(c));
        let mut key = normalised_key(&raw_key);
        if key.is_empty()
            && let Some(phone) = self
                .plan
                .phone
                .filter(|p| *p < r.len())
                .and_then(|p| phone_key(&delimited::field_text(enc, r.field(p))))
        {
            key = Cow::Owned(phone);
            self.by_phone += 1;
        }
        if key.is_empty() {
            self.reject_row(&r, Some(c), Fault::Empty(Field::Customer));
            return;
        }
        let date_text = delimited::field_text(enc, r.field(d));
        let amount_text = delimited::field_text(enc, r.field(a));
        let refunded = self.refunded_of(&r);
        let category = self.category_text(&r);
        let values = || {
            (0..r.len())
                .map(|i| delimited::field_text(enc, r.field(i)).into_owned())
                .collect()
        };
        self.accept(
            r.line,
            &key,
            &date_text,
            Value::Text(&amount_text),
            refunded,
            category.as_deref(),
            r.fingerprint(),
            &values,
        );
    }

    /// The text of a row's category cell, when the file has a category
    /// column and the cell is not empty.
    fn category_text<'r>(&self, r: &Record<'r>) -> Option<Cow<'r, str>> {
        let col = self.plan.category?;
        let field = (col < r.len()).then(|| r.field(col))?;
        let text = delimited::field_text(self.plan.encoding, field);
        (!text.trim().is_empty()).then_some(text)
    }

    /// The amount refunded of a row's order, when the file says one.
    fn refunded_of(&self, r: &Record<'_>) -> Option<f64> {
        let col = self.plan.refunded?;
        let text =
            delimited::field_text(self.plan.encoding, (col < r.len()).then(|| r.field(col))?);
        number::parse_amount(&text, self.plan.decimal).filter(|v| *v != 0.0)
    }

    /// The status that leaves a row's order out, if one does: a status
    /// column's text, or `cancelled` when a cancellation date is there.
    #[inline]
    fn excluded(&mut self, r: &Record<'_>) -> Option<String> {
        if self.plan.all_statuses {
            return None;
        }
        let enc = self.plan.encoding;
        let cell = |c: usize| (c < r.len()).then(|| delimited::field_text(enc, r.field(c)));
        for &c in &self.plan.status {
            if c >= r.len() {
                continue;
            }
            // A file has few statuses: each is judged once, by its bytes
            // (no text made of them for every row).
            let bytes = r.field(c);
            let left_out = match self.statuses.iter().find(|(s, _)| s.as_slice() == bytes) {
                Some((_, left_out)) => left_out.clone(),
                None => {
                    let text = delimited::field_text(enc, bytes);
                    let left_out = excluded_status(&text).then(|| text.trim().to_lowercase());
                    if self.statuses.len() < 256 {
                        self.statuses.push((bytes.to_vec(), left_out.clone()));
                    }
                    left_out
                }
            };
            if left_out.is_some() {
                return left_out;
            }
        }
        let cancelled = self
            .plan
            .cancelled_at
            .and_then(cell)
            .is_some_and(|t| !t.trim().is_empty());
        cancelled.then(|| "cancelled".to_string())
    }

    /// False for a row the file says is no sale (counted by what it is).
    #[inline]
    fn is_sale(&mut self, r: &Record<'_>) -> bool {
        let enc = self.plan.encoding;
        let text = |c: usize| {
            if c < r.len() {
                delimited::field_text(enc, r.field(c))
            } else {
                Cow::Borrowed("")
            }
        };
        let Some(&(column, _)) = self
            .plan
            .sales
            .iter()
            .find(|(c, kept)| !kept.contains(&roles::normalise(&text(*c)).as_str()))
        else {
            return true;
        };
        let what = text(column).trim().to_string();
        add_count(&mut self.not_sales, what, 1);
        false
    }

    /// Counts an order left out for its status.
    fn exclude(&mut self, status: String) {
        add_count(&mut self.excluded, status, 1);
    }

    /// A row of a file of order lines: kept with its order until the end,
    /// when [`Self::flush_lines`] makes each order one row.
    fn add_line(&mut self, r: &Record<'_>) {
        if !self.is_sale(r) {
            return;
        }
        let enc = self.plan.encoding;
        let Some(plan) = self.plan.lines.as_ref() else {
            return;
        };
        let (id_col, decimal) = (plan.order_id, plan.decimal);
        let cell = |c: usize| {
            (c < r.len())
                .then(|| delimited::field_text(enc, r.field(c)))
                .filter(|t| !t.trim().is_empty())
        };
        let Some(id) = cell(id_col) else {
            self.reject_row(r, Some(id_col), Fault::Empty(Field::OrderId));
            return;
        };
        let id = id.trim();
        let number = |c: Option<usize>| {
            c.and_then(cell)
                .and_then(|t| number::parse_amount(&t, decimal))
        };
        let line_value = match (plan.line_total, plan.unit_price) {
            (Some(_), _) => number(plan.line_total),
            (None, Some(_)) => {
                number(plan.unit_price).map(|p| p * number(plan.quantity).unwrap_or(1.0))
            }
            (None, None) => None,
        };
        let cancels = plan.c_prefix_cancels
            && id.len() > 1
            && id.starts_with(['C', 'c'])
            && id[1..].bytes().all(|b| b.is_ascii_digit());
        let total = self
            .plan
            .amount
            .and_then(cell)
            .and_then(|t| number::parse_amount(&t, self.plan.decimal));
        let excluded = self.excluded(r);
        let refunded = self.refunded_of(r);
        let category = self.category_text(r).map(|c| c.trim().to_string());
        let key = cell(self.plan.customer).map(|k| normalised_key(&k).into_owned());
        let phone = self.plan.phone.and_then(cell).and_then(|t| phone_key(&t));
        let date = cell(self.plan.date).map(|d| d.trim().to_string());
        let lines = &mut self.pending;
        lines.rows += 1;
        let next = lines.orders.len() as u32;
        let at = *lines.index.entry(id.to_string()).or_insert(next);
        if at == next {
            lines.orders.push(PendingOrder {
                line: r.line,
                fingerprint: r.fingerprint(),
                cancels,
                ..PendingOrder::default()
            });
        }
        let o = &mut lines.orders[at as usize];
        o.rows += 1;
        // Each order field from the first line that has it.
        o.key = o.key.take().or(key);
        o.phone = o.phone.take().or(phone);
        o.date = o.date.take().or(date);
        o.total = o.total.or(total);
        o.refunded = o.refunded.or(refunded);
        o.excluded = o.excluded.take().or(excluded);
        o.category = o.category.take().or(category);
        if let Some(v) = line_value {
            o.lines = Some(o.lines.unwrap_or(0.0) + v);
        }
        // The first row's fields, kept to list the order if it is
        // rejected for lacking what this row lacks.
        if o.rows == 1 && (o.key.is_none() || o.date.is_none()) {
            o.values = (0..r.len())
                .map(|i| delimited::field_text(enc, r.field(i)).into_owned())
                .collect();
        }
    }

    /// Makes each order of a file of order lines one row, in the order of
    /// its first line: its customer and date from the first line that has
    /// them, its value the total when the file has one, else the sum of
    /// its lines, less what was refunded.
    fn flush_lines(&mut self) {
        let lines = std::mem::take(&mut self.pending);
        let (c, d) = (self.plan.customer, self.plan.date);
        let amount_col = self.plan.amount.or(self
            .plan
            .lines
            .as_ref()
            .and_then(|l| l.line_total.or(l.unit_price)));
        // Phones that orders with a customer give, so that the same buyer's
        // orders without one join them (the first customer a phone names).
        let mut known_phones: FxHashMap<String, String> = FxHashMap::default();
        for o in &lines.orders {
            if let (Some(key), Some(phone)) = (&o.key, &o.phone) {
                known_phones
                    .entry(phone.clone())
                    .or_insert_with(|| key.clone());
            }
        }
        for mut o in lines.orders {
            if let Some(status) = o.excluded {
                self.exclude(status);
                continue;
            }
            let values = || o.values.clone();
            // No customer on any line: the customer another order with the
            // same phone names, else the phone itself.
            if o.key.is_none()
                && let Some(phone) = o.phone.take()
            {
                o.key = Some(known_phones.get(&phone).cloned().unwrap_or(phone));
                self.by_phone += 1;
            }
            let Some(key) = o.key.as_deref() else {
                self.reject_listed(
                    o.line,
                    Some(c),
                    Fault::Empty(Field::Customer),
                    o.values.clone(),
                );
                continue;
            };
            let Some(date) = o.date.as_deref() else {
                self.reject_listed(o.line, Some(d), Fault::Empty(Field::Date), o.values.clone());
                continue;
            };
            let value = match o.total.or(o.lines) {
                Some(v) if o.cancels => Value::Number(-v.abs()),
                Some(v) => Value::Number(v),
                None => Value::Missing(amount_col),
            };
            self.cancellations += u64::from(o.cancels);
            self.accept(
                o.line,
                key,
                date,
                value,
                o.refunded,
                o.category.as_deref(),
                o.fingerprint,
                &values,
            );
        }
        self.pending.rows = lines.rows;
        self.pending.seen = lines.index.len() as u64;
    }

    /// As [`Self::reject`], with the row's fields.
    fn reject_listed(
        &mut self,
        line: u64,
        column: Option<usize>,
        fault: Fault,
        values: Vec<String>,
    ) {
        let listed = self.rejected.len() < MAX_LISTED_ERRORS;
        self.reject(line, column, fault);
        if listed && let Some(e) = self.rejected.last_mut() {
            e.values = values;
        }
    }

    /// Adds an order of customer `key` (normalised) dated `date_text`,
    /// worth `value` less `refunded`, or rejects it naming what is wrong.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn accept(
        &mut self,
        line: u64,
        key: &str,
        date_text: &str,
        value: Value<'_>,
        refunded: Option<f64>,
        category: Option<&str>,
        fingerprint: u64,
        values: &dyn Fn() -> Vec<String>,
    ) {
        let d = self.plan.date;
        let parsed = match &mut self.slash {
            Some(slash) => match date::slash_parts(date_text) {
                Some(parts) => {
                    let (p, q, year) = parts;
                    let real = |day: u32, month: u32| date::checked_day(year, month, day).is_some();
                    if !(real(p, q) && real(q, p)) && slash.suspect.len() < MAX_LISTED_ERRORS {
                        slash.suspect.insert(line, values());
                    }
                    slash.first_over_12 += u64::from(parts.0 > 12);
                    slash.second_over_12 += u64::from(parts.1 > 12);
                    slash.parts.push(parts);
                    slash.lines.push(line);
                    // Decided at the end, once the whole column is known.
                    Ok(0)
                }
                None => Err(date::DateError::NotADate),
            },
            None => date::parse_with(self.plan.date_format, date_text),
        };
        let day = match parsed {
            Ok(day) => day,
            Err(e) => {
                let text = date_text.trim().to_string();
                let fault = if text.is_empty() {
                    Fault::Empty(Field::Date)
                } else if e == date::DateError::Impossible {
                    Fault::NotARealDay { text }
                } else {
                    Fault::NotInFormat {
                        text,
                        format: self
                            .slash
                            .is_none()
                            .then(|| self.plan.date_format.label().to_string()),
                    }
                };
                self.reject_listed(line, Some(d), fault, values());
                return;
            }
        };
        let amount = match value {
            Value::Number(v) => Ok(v),
            Value::Text(text) => number::parse_amount(text, self.plan.decimal).ok_or_else(|| {
                let fault = if text.trim().is_empty() {
                    Fault::Empty(Field::Amount)
                } else {
                    Fault::NotAnAmount {
                        text: text.trim().to_string(),
                    }
                };
                (self.plan.amount, fault)
            }),
            Value::Missing(column) => Err((column, Fault::Empty(Field::Amount))),
        };
        let amount = match amount {
            Ok(v) => v - refunded.unwrap_or(0.0),
            Err((column, fault)) => {
                if let Some(slash) = &mut self.slash
                    && let Some(parts) = slash.parts.pop()
                {
                    slash.lines.pop();
                    slash.first_over_12 -= u64::from(parts.0 > 12);
                    slash.second_over_12 -= u64::from(parts.1 > 12);
                }
                self.reject_listed(line, column, fault, values());
                return;
            }
        };
        if refunded.is_some() {
            self.refunded_orders += 1;
            self.refunded_total += refunded.unwrap_or(0.0);
        }
        let idx = self.keys.index(&mut self.orders.customer_keys, key);
        if amount < 0.0 {
            self.refunds += 1;
        }
        // Kept (two identical orders can be real), but counted and listed.
        self.fingerprints.push(fingerprint);
        self.lines.push(line);
        self.orders.customer.push(idx);
        self.orders.day.push(day);
        self.orders.amount.push(amount);
        if self.plan.category.is_some() {
            let cat = match category.map(str::trim) {
                None | Some("") => NO_CATEGORY,
                Some(text) => match self.categories_exact.get(text) {
                    Some(i) => *i,
                    None => {
                        // Spellings that differ only in case are one
                        // category, named as first seen.
                        let key = text.to_lowercase();
                        let i = match self.categories.get(&key) {
                            Some(i) => *i,
                            None => {
                                let next = self.orders.categories.len() as u32;
                                self.categories.insert(key, next);
                                self.orders.categories.push(text.to_string());
                                next
                            }
                        };
                        self.categories_exact.insert(text.to_string(), i);
                        i
                    }
                },
            };
            self.orders.category.push(cat);
        }
    }
}

/// Adds `n` to the count of `key` in a short list of `(key, count)`.
fn add_count(counts: &mut Vec<(String, u64)>, key: String, n: u64) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, m)) => *m += n,
        None => counts.push((key, n)),
    }
}

/// An order's value as a row gives it.
enum Value<'a> {
    /// The amount cell's text, read with the file's decimal separator.
    Text(&'a str),
    /// Worked out from the order's lines.
    Number(f64),
    /// None of the order's lines has one; the column to name.
    Missing(Option<usize>),
}

/// An order of a file of order lines, gathered from its lines.
#[derive(Debug, Default)]
struct PendingOrder {
    /// The line of its first row.
    line: u64,
    rows: u32,
    fingerprint: u64,
    key: Option<String>,
    /// The buyer's phone, from the first line that has one.
    phone: Option<String>,
    date: Option<String>,
    total: Option<f64>,
    /// The sum of its lines' values, when they have one.
    lines: Option<f64>,
    refunded: Option<f64>,
    excluded: Option<String>,
    category: Option<String>,
    /// A cancellation invoice (`C536379`): a refund.
    cancels: bool,
    /// The first row's fields, when it lacks the customer or the date.
    values: Vec<String>,
}

/// The orders of a file of order lines, by id, until the file ends.
#[derive(Debug, Default)]
struct LineOrders {
    index: FxHashMap<String, u32>,
    orders: Vec<PendingOrder>,
    /// Rows read.
    rows: u64,
    /// Distinct orders, once they are flushed.
    seen: u64,
}

/// True when an order's status says it did not really happen (yet):
/// cancelled, voided, failed, declined, pending, a draft, a test, in the
/// bin; in English or French (`annulée`, `échec`, `en attente de
/// paiement`, `erreur de paiement`). Refunded and partly refunded orders
/// stay: their refund is taken off.
pub fn excluded_status(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "cancelled",
        "canceled",
        "cancel",
        "voided",
        "void",
        "failed",
        "failure",
        "declined",
        "pending",
        "draft",
        "drafts",
        "test",
        "trash",
        "expired",
        "abandoned",
        "annule",
        "annulee",
        "annulation",
        "echec",
        "echoue",
        "echouee",
        "erreur",
        "brouillon",
        "refuse",
        "refusee",
        "incomplete",
        "unpaid",
        "impaye",
    ];
    let n = roles::normalise(text);
    // Stripe's payments that never went through: `requires_payment_method`,
    // `requires_action`, `requires_confirmation`.
    n.starts_with("en_attente")
        || n.starts_with("requires_")
        || n.split('_').any(|w| WORDS.contains(&w))
}

/// Rows identical to an earlier row of the same customer (identical rows
/// share the customer): their count and the first
/// [`MAX_LISTED_DUPLICATES`] as `(line, line of the earlier copy)`, by line.
/// `customer`, `fingerprints`, `lines` and `(day, amount)` are aligned,
/// lines ascending. Two rows are the same when their fingerprints (a hash
/// of every field) are and their dates and amounts too, so that two
/// different orders whose hashes happen to be equal are not taken for one.
fn repeated_rows(
    customer: &[u32],
    customers: usize,
    fingerprints: &[u64],
    lines: &[u64],
    (day, amount): (&[Day], &[f64]),
) -> (u64, Vec<(u64, u64)>) {
    // Rows grouped by customer (a counting sort keeps each group's rows in
    // file order).
    let mut start = vec![0u32; customers + 1];
    for &c in customer {
        start[c as usize + 1] += 1;
    }
    for i in 0..customers {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut rows = vec![0u32; customer.len()];
    for (row, &c) in customer.iter().enumerate() {
        rows[next[c as usize] as usize] = row as u32;
        next[c as usize] += 1;
    }
    let key = |row: u32| {
        let row = row as usize;
        (fingerprints[row], day[row], amount[row].to_bits())
    };
    let mut count = 0u64;
    let mut listed = Vec::new();
    let mut seen: Vec<((u64, Day, u64), u64)> = Vec::new();
    for c in 0..customers {
        let group = &rows[start[c] as usize..start[c + 1] as usize];
        if group.len() < 2 {
            continue;
        }
        let mut repeat = |line: u64, first: u64| {
            count += 1;
            listed.push((line, first));
        };
        if group.len() <= 32 {
            seen.clear();
            for &row in group {
                let (k, line) = (key(row), lines[row as usize]);
                match seen.iter().find(|(f, _)| *f == k) {
                    Some(&(_, first)) => repeat(line, first),
                    None => seen.push((k, line)),
                }
            }
        } else {
            let mut first_line: FxHashMap<(u64, Day, u64), u64> = FxHashMap::default();
            for &row in group {
                let (k, line) = (key(row), lines[row as usize]);
                let first = *first_line.entry(k).or_insert(line);
                if first != line {
                    repeat(line, first);
                }
            }
        }
    }
    listed.sort_unstable();
    listed.truncate(MAX_LISTED_DUPLICATES);
    (count, listed)
}

/// Reads a whole file held in memory on up to `threads` threads, with the
/// same result as [`import_orders`]: after the sample that sets the plan,
/// the rest is cut at line breaks into parts read side by side and joined
/// in order. Files where a cut could fall inside a record or miscount
/// lines (quotes, carriage returns alone, UTF-16) are read in one pass.
/// Threads need the `parallel` feature.
pub fn import_orders_parallel(
    file_name: &str,
    bytes: &[u8],
    options: ImportOptions,
    threads: usize,
) -> Result<(Orders, ImportReport), ImportError> {
    let after_line_break =
        |from: usize| memchr::memchr(b'\n', &bytes[from.min(bytes.len())..]).map(|i| from + i + 1);
    let cut = match after_line_break(SAMPLE_BYTES) {
        Some(cut) if threads > 1 && bytes.len() >= 16 * SAMPLE_BYTES => cut,
        _ => return import_orders(file_name, bytes, options),
    };
    let mut imp = OrdersImporter::new(file_name, options);
    imp.decide_encoding_on(bytes);
    imp.push(&bytes[..cut])?;
    let rest = &bytes[cut..];
    let safe = imp.parsing.as_ref().is_some_and(|p| {
        p.splitter.is_idle()
            && p.json.is_none()
            // An order's lines could fall on both sides of a cut.
            && p.builder.plan.lines.is_none()
            && !matches!(
                p.builder.plan.encoding,
                Encoding::Utf16Le | Encoding::Utf16Be
            )
    }) && memchr::memchr(b'"', rest).is_none()
        && memchr::memchr_iter(b'\r', rest).all(|i| rest.get(i + 1) == Some(&b'\n'));
    let Some(p) = imp.parsing.as_mut().filter(|_| safe) else {
        for chunk in rest.chunks(1 << 20) {
            imp.push(chunk)?;
        }
        return imp.finish();
    };
    imp.bytes += rest.len() as u64;
    // Parts of about equal size, each ending after a line break.
    let mut bounds = vec![0];
    for k in 1..threads {
        let from = (rest.len() * k / threads).max(*bounds.last().unwrap_or(&0));
        match memchr::memchr(b'\n', &rest[from..]) {
            Some(i) => bounds.push(from + i + 1),
            None => break,
        }
    }
    bounds.push(rest.len());
    bounds.dedup();
    // Each part's first line: the lines before it (no carriage return
    // stands alone here, so each line break is one `\n`).
    let mut jobs = Vec::new();
    let mut line = p.splitter.line();
    for w in bounds.windows(2) {
        if w[0] > 0 {
            jobs.push((w[0], w[1], line));
        }
        line += memchr::memchr_iter(b'\n', &rest[w[0]..w[1]]).count() as u64;
    }
    // Room for every part's rows up front (the sample tells the average
    // line), so that no column is copied as it grows or when joined.
    let sample_rows = (p.builder.orders.len() as u64 + p.builder.rejected_total).max(1);
    let per_row = (cut as f64 / sample_rows as f64).max(1.0);
    let rows_in = |len: usize| (len as f64 / per_row * 1.05) as usize + 16;
    p.builder.reserve(rows_in(rest.len()));
    let delimiter = p.builder.plan.delimiter;
    let plan = p.builder.plan.clone();
    let read_part = |&(from, to, line): &(usize, usize, u64)| {
        let mut b = Builder::new(plan.clone());
        b.header_pending = false;
        b.reserve(rows_in(to - from));
        let mut splitter = Splitter::starting_at(delimiter, line);
        splitter.feed_whole(&rest[from..to], &mut |r| b.add(r));
        b
    };
    let head = &rest[..bounds[1]];
    // With the `parallel` feature (the command line) the parts are read on
    // threads beside the first; without it (WebAssembly), one after
    // another, cut and joined the same way.
    #[cfg(feature = "parallel")]
    let builders: Vec<Builder> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|job| scope.spawn(|| read_part(job)))
            .collect();
        p.splitter.feed_whole(head, &mut |r| p.builder.add(r));
        handles
            .into_iter()
            .map(|h| h.join().expect("an import thread failed"))
            .collect()
    });
    #[cfg(not(feature = "parallel"))]
    let builders: Vec<Builder> = {
        p.splitter.feed_whole(head, &mut |r| p.builder.add(r));
        jobs.iter().map(read_part).collect()
    };
    for b in builders {
        p.builder.absorb(b);
    }
    imp.finish()
}

/// What an order file would give with some column choices, from its first
/// bytes: for the screen where the user says which column is which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrdersPreview {
    /// The file's columns.
    pub columns: Vec<String>,
    /// The column each role would use (customer, date, amount), when one
    /// does.
    pub chosen: Vec<(Role, Option<usize>)>,
    /// The first rows as they would be read: customer, date (ISO), amount.
    pub rows: Vec<(String, String, f64)>,
    /// The first rows that would be rejected.
    pub rejected: Vec<RowError>,
    /// The date format read.
    pub date_format: String,
    /// Why the file cannot be read with these choices, if it cannot.
    pub error: Option<ImportError>,
    /// The sheets of a workbook, in order (empty for other files).
    #[serde(default)]
    pub sheets: Vec<String>,
}

/// The rows shown in a preview.
const PREVIEW_ROWS: usize = 8;

/// Reads the first bytes of an order file (`head`; whole lines are kept
/// unless `whole`) with `options`, for a preview.
pub fn preview(file_name: &str, head: &[u8], whole: bool, options: ImportOptions) -> OrdersPreview {
    let head = match memchr::memrchr(b'\n', head) {
        Some(end) if !whole && !crate::import::spreadsheet::is_workbook(head) => &head[..end + 1],
        _ => head,
    };
    let roles = [Role::CustomerId, Role::OrderDate, Role::Amount];
    let sheets = crate::import::spreadsheet::sheets_of(head);
    match import_orders(file_name, head, options) {
        Ok((orders, report)) => OrdersPreview {
            chosen: roles
                .iter()
                .map(|r| (*r, report.columns.iter().position(|c| c.role == Some(*r))))
                .collect(),
            columns: report.columns.into_iter().map(|c| c.name).collect(),
            rows: (0..orders.len().min(PREVIEW_ROWS))
                .map(|i| {
                    (
                        orders.customer_keys[orders.customer[i] as usize].clone(),
                        crate::model::date::format_iso(orders.day[i]),
                        orders.amount[i],
                    )
                })
                .collect(),
            rejected: report.rejected.into_iter().take(PREVIEW_ROWS).collect(),
            date_format: report.date_format,
            error: None,
            sheets,
        },
        Err(e) => OrdersPreview {
            columns: match &e {
                ImportError::MissingColumns { columns, .. } => columns.clone(),
                _ => Vec::new(),
            },
            chosen: roles.iter().map(|r| (*r, None)).collect(),
            rows: Vec::new(),
            rejected: match &e {
                ImportError::NoValidRows { first, .. } => vec![(**first).clone()],
                _ => Vec::new(),
            },
            date_format: String::new(),
            error: Some(e),
            sheets,
        },
    }
}

/// Reads a whole file held in memory.
pub fn import_orders(
    file_name: &str,
    bytes: &[u8],
    options: ImportOptions,
) -> Result<(Orders, ImportReport), ImportError> {
    let mut imp = OrdersImporter::new(file_name, options);
    imp.decide_encoding_on(bytes);
    // In chunks, as a stream arrives: the importer copies what it is given.
    for chunk in bytes.chunks(1 << 20) {
        imp.push(chunk)?;
    }
    imp.finish()
}

const MAGIC: &[u8; 4] = b"SGLO";
/// The table format: 1 without categories, 2 with.
const FORMAT_VERSION: u16 = 2;

/// Why stored bytes could not be read back as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stored table is unreadable: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

impl Orders {
    /// Writes the table as compact little-endian columns.
    pub fn encode(&self) -> Vec<u8> {
        let keys_len: usize = self.customer_keys.iter().map(|k| k.len() + 4).sum();
        let mut out = Vec::with_capacity(14 + keys_len + self.len() * 16);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(self.customer_keys.len() as u32).to_le_bytes());
        for k in &self.customer_keys {
            out.extend_from_slice(&(k.len() as u32).to_le_bytes());
            out.extend_from_slice(k.as_bytes());
        }
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        out.extend(self.customer.iter().flat_map(|v| v.to_le_bytes()));
        out.extend(self.day.iter().flat_map(|v| v.to_le_bytes()));
        out.extend(self.amount.iter().flat_map(|v| v.to_le_bytes()));
        out.extend_from_slice(&(self.categories.len() as u32).to_le_bytes());
        for c in &self.categories {
            out.extend_from_slice(&(c.len() as u32).to_le_bytes());
            out.extend_from_slice(c.as_bytes());
        }
        let with_categories = self.category.len() == self.len() && !self.categories.is_empty();
        out.push(u8::from(with_categories));
        if with_categories {
            out.extend(self.category.iter().flat_map(|v| v.to_le_bytes()));
        }
        out
    }

    /// Reads a table written by [`Orders::encode`], checking every length
    /// and index.
    pub fn decode(bytes: &[u8]) -> Result<Orders, DecodeError> {
        let err = |m: &str| DecodeError(m.to_string());
        let mut pos = 0usize;
        let mut take = |n: usize| -> Result<&[u8], DecodeError> {
            let end = pos.checked_add(n).filter(|e| *e <= bytes.len());
            let end = end.ok_or_else(|| err("truncated"))?;
            let s = &bytes[pos..end];
            pos = end;
            Ok(s)
        };
        if take(4)? != MAGIC {
            return Err(err("not a SegLens orders table"));
        }
        let version = u16::from_le_bytes(take(2)?.try_into().map_err(|_| err("version"))?);
        if version == 0 || version > FORMAT_VERSION {
            return Err(DecodeError(format!("unknown table version {version}")));
        }
        let u32_at = |s: &[u8]| u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
        let n_keys = u32_at(take(4)?) as usize;
        let mut customer_keys = Vec::with_capacity(n_keys.min(bytes.len() / 4));
        for _ in 0..n_keys {
            let len = u32_at(take(4)?) as usize;
            let k = std::str::from_utf8(take(len)?).map_err(|_| err("key is not UTF-8"))?;
            customer_keys.push(k.to_string());
        }
        let n = u32_at(take(4)?) as usize;
        let customer: Vec<u32> = take(n.checked_mul(4).ok_or_else(|| err("size"))?)?
            .chunks_exact(4)
            .map(u32_at)
            .collect();
        if customer.iter().any(|c| *c as usize >= n_keys) {
            return Err(err("customer index out of range"));
        }
        let day = take(n * 4)?
            .chunks_exact(4)
            .map(|s| i32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            .collect();
        let amount = take(n * 8)?
            .chunks_exact(8)
            .map(|s| f64::from_le_bytes(s.try_into().unwrap_or([0; 8])))
            .collect();
        let (mut categories, mut category) = (Vec::new(), Vec::new());
        if version >= 2 {
            let n_categories = u32_at(take(4)?) as usize;
            for _ in 0..n_categories {
                let len = u32_at(take(4)?) as usize;
                let c =
                    std::str::from_utf8(take(len)?).map_err(|_| err("category is not UTF-8"))?;
                categories.push(c.to_string());
            }
            if take(1)?[0] == 1 {
                category = take(n.checked_mul(4).ok_or_else(|| err("size"))?)?
                    .chunks_exact(4)
                    .map(u32_at)
                    .collect();
                if category
                    .iter()
                    .any(|c| *c != NO_CATEGORY && *c as usize >= n_categories)
                {
                    return Err(err("category index out of range"));
                }
            }
        }
        if pos != bytes.len() {
            return Err(err("trailing bytes"));
        }
        Ok(Orders {
            customer_keys,
            customer,
            day,
            amount,
            category,
            categories,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_whose_hashes_are_equal_but_whose_orders_differ_are_not_repeats() {
        // Four rows of one customer, all with the same fingerprint (as if
        // the hash collided): only the row equal to the first in date and
        // amount is a repeat; a group of more than 32 rows goes through the
        // hash map and says the same.
        let (count, listed) = repeated_rows(
            &[0, 0, 0, 0],
            1,
            &[7, 7, 7, 7],
            &[2, 3, 4, 5],
            (&[10, 11, 10, 10], &[5.0, 5.0, 6.0, 5.0]),
        );
        assert_eq!((count, listed), (1, vec![(5, 2)]));
        let n = 40;
        let days: Vec<Day> = (0..n)
            .map(|i| if i == n - 1 { 0 } else { i as Day })
            .collect();
        let (count, listed) = repeated_rows(
            &vec![0; n],
            1,
            &vec![7; n],
            &(2..2 + n as u64).collect::<Vec<_>>(),
            (&days, &vec![1.0; n]),
        );
        assert_eq!((count, listed), (1, vec![(n as u64 + 1, 2)]));
    }

    #[test]
    fn column_types() {
        assert_eq!(column_type(&["", " "]), ColumnType::Empty);
        assert_eq!(column_type(&["1", "22", "-3"]), ColumnType::Integer);
        assert_eq!(column_type(&["1,5", "2"]), ColumnType::Number);
        assert_eq!(column_type(&["2024-01-02", "2024-02-03"]), ColumnType::Date);
        assert_eq!(column_type(&["19970101", "19970112"]), ColumnType::Date);
        assert_eq!(column_type(&["yes", "No"]), ColumnType::Boolean);
        assert_eq!(column_type(&["Paris", "Lyon"]), ColumnType::Text);
        assert_eq!(column_type(&["00004", "00012"]), ColumnType::Integer);
    }

    #[test]
    fn a_category_column_is_kept_and_stored() {
        let text = "N° client;Date;Montant;Catégorie;Canal\n\
                    a;01/02/2024;10,5;Bricolage;web\n\
                    b;02/02/2024;20;;web\n\
                    a;03/02/2024;-5; Jardin ;shop\n\
                    c;04/02/2024;7;Bricolage\n";
        let (o, report) =
            import_orders("f.csv", text.as_bytes(), ImportOptions::default()).unwrap();
        assert_eq!(report.category_column.as_deref(), Some("Catégorie"));
        assert_eq!(o.categories, vec!["Bricolage", "Jardin"]);
        assert_eq!(o.category, vec![0, NO_CATEGORY, 1, 0]);
        let bytes = o.encode();
        assert_eq!(Orders::decode(&bytes).unwrap(), o);
        assert!(Orders::decode(&bytes[..bytes.len() - 1]).is_err());
        // Without a category column: none kept.
        let (plain, report) = import_orders(
            "g.csv",
            b"customer_id,date,amount\na,2024-01-01,1\n",
            ImportOptions::default(),
        )
        .unwrap();
        assert_eq!(report.category_column, None);
        assert!(plain.category.is_empty() && plain.categories.is_empty());
        assert_eq!(Orders::decode(&plain.encode()).unwrap(), plain);
    }

    #[test]
    fn tables_of_format_1_still_read() {
        // Written by hand as format 1 stored them: one key, one row.
        let mut v1 = Vec::new();
        v1.extend_from_slice(b"SGLO");
        v1.extend_from_slice(&1u16.to_le_bytes());
        v1.extend_from_slice(&1u32.to_le_bytes());
        v1.extend_from_slice(&1u32.to_le_bytes());
        v1.extend_from_slice(b"a");
        v1.extend_from_slice(&1u32.to_le_bytes());
        v1.extend_from_slice(&0u32.to_le_bytes());
        v1.extend_from_slice(&19_000i32.to_le_bytes());
        v1.extend_from_slice(&12.5f64.to_le_bytes());
        let o = Orders::decode(&v1).unwrap();
        assert_eq!(o, Orders::from_rows(&[("a".into(), 19_000, 12.5)]));
        let mut future = v1.clone();
        future[4] = 9;
        assert!(
            Orders::decode(&future)
                .unwrap_err()
                .to_string()
                .contains("version 9")
        );
    }
    /// A file of about `bytes` bytes with what the parts must agree on:
    /// bad rows, slash dates read late (some impossible in the chosen
    /// reading), keys differing in case and spaces, categories differing in
    /// case, repeated rows, refunds, blank lines and, if `crlf`, CRLF.
    fn messy_file(seed: u64, bytes: usize, crlf: bool, slash: bool) -> Vec<u8> {
        let mut rng = crate::model::rng::Rng(seed);
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut out = format!("order_id,customer_id,order_date,amount,category{eol}");
        let mut previous = String::new();
        let mut i = 0;
        while out.len() < bytes {
            i += 1;
            let c = rng.below(3_000);
            let key = match c % 7 {
                0 => format!("Client{c}@Example.com"),
                1 => format!(" client{c}@example.com"),
                _ => format!("C{c}"),
            };
            let (day, month) = (1 + rng.below(28), 1 + rng.below(12));
            let date = if slash {
                // Mostly day first; a few only month first, rejected.
                if rng.chance(0.002) {
                    format!("{month:02}/{:02}/2024", 13 + rng.below(16))
                } else {
                    format!("{day:02}/{month:02}/2024")
                }
            } else {
                format!("2024-{month:02}-{day:02}")
            };
            let amount = match rng.below(200) {
                0 => "abc".to_string(),
                1 => String::new(),
                2 => format!("-{}", rng.below(50)),
                _ => format!("{}.{:02}", rng.below(500), rng.below(100)),
            };
            let category = ["Books", "books", "BOOKS", "Music", "", "Garden"][rng.below(6)];
            let row = format!("O{i},{key},{date},{amount},{category}{eol}");
            if rng.chance(0.01) && !previous.is_empty() {
                out.push_str(&previous.clone());
            }
            if rng.chance(0.003) {
                out.push_str(eol);
            }
            if rng.chance(0.001) {
                out.push_str(&format!("O{i},,2024-01-01,3{eol}"));
            }
            out.push_str(&row);
            previous = row;
        }
        out.into_bytes()
    }

    #[test]
    fn reading_in_parts_gives_what_reading_in_one_pass_gives() {
        for (seed, crlf, slash) in [
            (1, false, false),
            (2, true, false),
            (3, false, true),
            (4, true, true),
        ] {
            let file = messy_file(seed, 2_500_000, crlf, slash);
            let one = import_orders("f.csv", &file, ImportOptions::default()).unwrap();
            assert!(one.1.rejected_total > 10 && one.1.duplicate_rows > 10 && one.1.refunds > 10);
            if slash {
                assert!(
                    one.1
                        .rejected
                        .iter()
                        .any(|e| e.reason.contains("not a real day"))
                );
            }
            for threads in [2, 3, 8] {
                let parts =
                    import_orders_parallel("f.csv", &file, ImportOptions::default(), threads)
                        .unwrap();
                assert_eq!(parts.0, one.0, "seed {seed}, {threads} threads");
                assert_eq!(parts.1, one.1, "seed {seed}, {threads} threads");
            }
        }
    }

    #[test]
    fn files_that_cannot_be_cut_safely_are_read_in_one_pass() {
        // A quoted line break after the sample, and a lone carriage return.
        let mut quoted = messy_file(5, 1_500_000, false, false);
        quoted.extend_from_slice(b"O9,\"C1\n\",2024-01-01,3,Books\n");
        let mut lone_cr = messy_file(6, 1_500_000, false, false);
        lone_cr.extend_from_slice(b"O9,C1,2024-01-01,3,Books\rO10,C2,2024-01-01,4,Books\n");
        for file in [quoted, lone_cr] {
            let one = import_orders("f.csv", &file, ImportOptions::default()).unwrap();
            let parts =
                import_orders_parallel("f.csv", &file, ImportOptions::default(), 4).unwrap();
            assert_eq!(parts.0, one.0);
            assert_eq!(parts.1, one.1);
        }
    }

    #[test]
    fn a_preview_before_and_after_the_columns_are_chosen() {
        let file = "Kunde;Datum;Betrag\nk1;2024-01-02;12,50\nk2;2024-01-03;abc\nk3;2024-01-0";
        let p = preview("f.csv", file.as_bytes(), false, ImportOptions::default());
        // Half the amounts are not numbers: no column looks like amounts.
        assert!(
            matches!(&p.error, Some(ImportError::MissingColumns { missing, .. }) if missing == &[Role::Amount]),
            "{:?}",
            p.error
        );
        assert_eq!(p.columns, ["Kunde", "Datum", "Betrag"]);
        let options = ImportOptions {
            map: vec![(Role::Amount, ColumnRef::Name("betrag".into()))],
            ..ImportOptions::default()
        };
        let p = preview("f.csv", file.as_bytes(), false, options);
        assert_eq!(p.error, None);
        assert_eq!(
            p.chosen,
            [
                (Role::CustomerId, Some(0)),
                (Role::OrderDate, Some(1)),
                (Role::Amount, Some(2))
            ]
        );
        // The cut last line is left out of the preview.
        assert_eq!(p.rows, [("k1".to_string(), "2024-01-02".to_string(), 12.5)]);
        assert_eq!(p.rejected.len(), 1);
        assert_eq!(
            (p.rejected[0].line, p.rejected[0].reason.as_str()),
            (3, "\"abc\" is not an amount")
        );
    }
}
