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
use crate::model::message::Message;
use crate::model::number::{self, DecimalSeparator};

mod builder;
mod error;
mod importer;
mod keys;
mod lines;
mod plan;
mod read;
mod report;

pub use error::*;
pub use report::*;

pub use builder::*;
pub use keys::*;
pub use lines::*;
use plan::*;
pub use read::*;

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
    sheet: Option<Message>,
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
/// growing the table hashes nothing again, and keys of up to eight bytes
/// (most customer ids) packed beside it, so that finding one reads the
/// table alone instead of following a pointer to the key.
#[derive(Debug, Default)]
struct KeyIndex {
    table: hashbrown::HashTable<(u64, u64, u32)>,
}

impl KeyIndex {
    fn hash(key: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(key)
    }

    /// A key of up to eight bytes as a number: its bytes, padded with
    /// zeros. Keys hold no zero byte, so no two keys pack alike; a longer
    /// key, or one with a zero byte, packs as 0 and is compared in full.
    fn packed(key: &[u8]) -> u64 {
        if key.len() > 8 || key.contains(&0) {
            return 0;
        }
        let mut word = [0u8; 8];
        word[..key.len()].copy_from_slice(key);
        u64::from_le_bytes(word)
    }

    fn find(&self, keys: &[String], hash: u64, packed: u64, key: &[u8]) -> Option<u32> {
        self.table
            .find(hash, |(h, p, i)| {
                *h == hash
                    && if packed != 0 {
                        *p == packed
                    } else {
                        *p == 0 && keys[*i as usize].as_bytes() == key
                    }
            })
            .map(|(_, _, i)| *i)
    }

    /// The index of `key` (the bytes of a text) in `keys`, added at the
    /// end if new.
    fn index(&mut self, keys: &mut Vec<String>, key: &[u8]) -> u32 {
        let (hash, packed) = (Self::hash(key), Self::packed(key));
        match self.find(keys, hash, packed, key) {
            Some(i) => i,
            None => self.add(
                keys,
                hash,
                packed,
                String::from_utf8_lossy(key).into_owned(),
            ),
        }
    }

    /// As [`Self::index`], for a key already owned.
    fn index_owned(&mut self, keys: &mut Vec<String>, key: String) -> u32 {
        let (hash, packed) = (Self::hash(key.as_bytes()), Self::packed(key.as_bytes()));
        match self.find(keys, hash, packed, key.as_bytes()) {
            Some(i) => i,
            None => self.add(keys, hash, packed, key),
        }
    }

    fn add(&mut self, keys: &mut Vec<String>, hash: u64, packed: u64, key: String) -> u32 {
        let next = keys.len() as u32;
        keys.push(key);
        self.table
            .insert_unique(hash, (hash, packed, next), |(h, _, _)| *h);
        next
    }

    fn reserve(&mut self, more: usize) {
        self.table.reserve(more, |(h, _, _)| *h);
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
    /// The rows rejected when those orders were made rows, listed after
    /// the rows rejected as they were read, as one pass lists them.
    flush_rejected: Vec<RowError>,
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

/// The default analysis date of a table: the day after its last order.
pub fn default_as_of(orders: &Orders) -> Option<Day> {
    orders.last_order_day().map(|d| d + 1)
}

#[cfg(test)]
mod tests;
