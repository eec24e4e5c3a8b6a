//! What an import tells: the rejected rows, the columns and their types,
//! how order lines were grouped, where amounts and dates came from.

use super::*;

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
pub(crate) fn column_type(values: &[&str]) -> ColumnType {
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
    /// The delimiter detected (`,`, `;`, `tab`, `|` or `spaces`), or the
    /// layout in English (`JSON lines`, a workbook's sheet).
    pub delimiter: String,
    /// The layout of a file that is not delimited text, as a message: JSON
    /// lines, or which sheet of which kind of workbook was read (none in a
    /// report stored before it was kept).
    #[serde(default)]
    pub layout: Option<Message>,
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
