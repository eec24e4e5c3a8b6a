//! Order lines: the order-level values a row carries, the orders pending
//! while their lines arrive, the statuses left out, and repeated rows.

use super::*;

/// An order's value as a row gives it.
pub(super) enum Value<'a> {
    /// The amount cell's text, read with the file's decimal separator.
    Text(&'a str),
    /// Worked out from the order's lines.
    Number(f64),
    /// None of the order's lines has one; the column to name.
    Missing(Option<usize>),
}

/// An order of a file of order lines, gathered from its lines.
#[derive(Debug, Default)]
pub(super) struct PendingOrder {
    /// The line of its first row.
    pub(super) line: u64,
    pub(super) rows: u32,
    pub(super) fingerprint: u64,
    pub(super) key: Option<String>,
    /// The buyer's phone, from the first line that has one.
    pub(super) phone: Option<String>,
    pub(super) date: Option<String>,
    pub(super) total: Option<f64>,
    /// The sum of its lines' values, when they have one.
    pub(super) lines: Option<f64>,
    pub(super) refunded: Option<f64>,
    pub(super) excluded: Option<String>,
    pub(super) category: Option<String>,
    /// A cancellation invoice (`C536379`): a refund.
    pub(super) cancels: bool,
    /// The first row's fields, when it lacks the customer or the date.
    pub(super) values: Vec<String>,
}

/// Order ids and a number for each, the ids' bytes kept end to end in one
/// buffer (no allocation per id, none to free).
#[derive(Debug, Default)]
pub(super) struct IdIndex {
    /// Each id's hash and its rank among the ids.
    table: hashbrown::HashTable<(u64, u32)>,
    bytes: Vec<u8>,
    /// Where each id ends in `bytes`.
    ends: Vec<usize>,
    values: Vec<u32>,
    /// The rank of the id found or added last.
    last: Option<u32>,
}

impl IdIndex {
    fn hash(id: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(id)
    }

    /// The bytes of the id of rank `k`.
    fn id(&self, k: usize) -> &[u8] {
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.bytes[start..self.ends[k]]
    }

    /// The number of ids.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The number kept for `id`, if it is known.
    pub(super) fn get(&self, id: &[u8]) -> Option<u32> {
        let hash = Self::hash(id);
        self.table
            .find(hash, |(h, k)| *h == hash && self.id(*k as usize) == id)
            .map(|(_, k)| self.values[*k as usize])
    }

    /// As [`Self::get`], trying first the id found or added last (the
    /// lines of an order most often follow one another).
    pub(super) fn find(&mut self, id: &[u8]) -> Option<u32> {
        if let Some(k) = self.last
            && self.id(k as usize) == id
        {
            return Some(self.values[k as usize]);
        }
        let hash = Self::hash(id);
        let &(_, k) = self
            .table
            .find(hash, |(h, k)| *h == hash && self.id(*k as usize) == id)?;
        self.last = Some(k);
        Some(self.values[k as usize])
    }

    /// Keeps `value` for `id`, which is not known yet.
    pub(super) fn insert(&mut self, id: &[u8], value: u32) {
        let hash = Self::hash(id);
        let k = self.ends.len() as u32;
        self.bytes.extend_from_slice(id);
        self.ends.push(self.bytes.len());
        self.values.push(value);
        self.last = Some(k);
        self.table.insert_unique(hash, (hash, k), |(h, _)| *h);
    }

    /// Every id with its number, in the order they were added.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&[u8], u32)> {
        (0..self.len()).map(|k| (self.id(k), self.values[k]))
    }
}

/// The orders of a file of order lines, by id, until the file ends.
#[derive(Debug, Default)]
pub(super) struct LineOrders {
    /// Each order's index in `orders`, by the bytes of its id (trimmed).
    pub(super) index: IdIndex,
    pub(super) orders: Vec<PendingOrder>,
    /// Rows read.
    pub(super) rows: u64,
    /// Distinct orders, once they are flushed.
    pub(super) seen: u64,
    /// Distinct orders of the parts of the file that made their orders
    /// rows in their own thread (their ids are not kept here).
    pub(super) absorbed: u64,
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
        "error",
    ];
    let n = roles::normalise(text);
    // Stripe's payments that never went through: `requires_payment_method`,
    // `requires_action`, `requires_confirmation`. PrestaShop's orders
    // still waiting for their money: "Awaiting bank wire payment",
    // "Awaiting check payment", "Awaiting Cash On Delivery validation"
    // (not "Awaiting shipment", which is paid).
    n.starts_with("en_attente")
        || n.starts_with("requires_")
        || (n.starts_with("awaiting") && (n.contains("payment") || n.contains("validation")))
        || n.split('_').any(|w| WORDS.contains(&w))
}

/// The rows among `rows` (in order) whose bucket another of them shares:
/// `bits` bits of their fingerprint, from bit `shift`.
fn sharing(
    rows: impl Iterator<Item = u32> + Clone,
    fingerprints: &[u64],
    bits: u32,
    shift: u32,
) -> Vec<u32> {
    let bucket = |row: u32| ((fingerprints[row as usize] >> shift) & ((1 << bits) - 1)) as usize;
    // Each word of buckets seen once beside its word of buckets seen
    // twice: one line of the cache for both.
    let mut seen = vec![[0u64; 2]; (1usize << bits) / 64];
    for row in rows.clone() {
        let b = bucket(row);
        let (w, bit) = (&mut seen[b / 64], 1u64 << (b % 64));
        w[1] |= w[0] & bit;
        w[0] |= bit;
    }
    rows.filter(|&row| {
        let b = bucket(row);
        seen[b / 64][1] & (1u64 << (b % 64)) != 0
    })
    .collect()
}

/// Rows identical to an earlier row of the same customer (identical rows
/// share the customer): their count and the first
/// [`MAX_LISTED_DUPLICATES`] as `(line, line of the earlier copy)`, by line.
/// `customer`, `fingerprints`, `lines` and `(day, amount)` are aligned,
/// lines ascending. Two rows are the same when their fingerprints (a hash
/// of every field) are and their dates and amounts too, so that two
/// different orders whose hashes happen to be equal are not taken for one.
pub(super) fn repeated_rows(
    customer: &[u32],
    customers: usize,
    fingerprints: &[u64],
    lines: &[u64],
    (day, amount): (&[Day], &[f64]),
) -> (u64, Vec<(u64, u64)>) {
    // A row whose fingerprint no other row has repeats nothing and is not
    // repeated: two bitmaps over the fingerprints' top bits (a bucket for
    // every two to four rows: larger bitmaps leave fewer rows but no
    // longer stay in the cache) leave only the rows that share a bucket,
    // in file order; two more over the low bits of theirs, sized for
    // them, leave those that share a bucket there too.
    let bits_for = |rows: usize| (usize::BITS - rows.leading_zeros() + 2).clamp(10, 26);
    let bits = bits_for(customer.len());
    let shared = sharing(0..customer.len() as u32, fingerprints, bits, 64 - bits);
    let shared = sharing(
        shared.iter().copied(),
        fingerprints,
        bits_for(shared.len()),
        0,
    );
    // Those rows grouped by customer (a counting sort keeps each group's
    // rows in file order).
    let mut start = vec![0u32; customers + 1];
    for &row in &shared {
        start[customer[row as usize] as usize + 1] += 1;
    }
    for i in 0..customers {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut rows = vec![0u32; shared.len()];
    for &row in &shared {
        let c = customer[row as usize] as usize;
        rows[next[c] as usize] = row;
        next[c] += 1;
    }
    let key = |row: u32| {
        let row = row as usize;
        (fingerprints[row], day[row], amount[row].to_bits())
    };
    let mut count = 0u64;
    let mut listed = Vec::new();
    let mut seen: Vec<((u64, Day, u64), u64)> = Vec::new();
    let mut by_print: Vec<(u64, u32)> = Vec::new();
    for c in 0..customers {
        let group = &rows[start[c] as usize..start[c + 1] as usize];
        if group.len() < 2 {
            continue;
        }
        let mut repeat = |line: u64, first: u64| {
            count += 1;
            listed.push((line, first));
        };
        // Rows in file order, each compared with the distinct rows seen
        // before it.
        let mut in_order = |rows: &mut dyn Iterator<Item = u32>| {
            seen.clear();
            for row in rows {
                let (k, line) = (key(row), lines[row as usize]);
                match seen.iter().find(|(f, _)| *f == k) {
                    Some(&(_, first)) => repeat(line, first),
                    None => seen.push((k, line)),
                }
            }
        };
        if group.len() <= 32 {
            in_order(&mut group.iter().copied());
        } else {
            // Sorted by fingerprint (then row, so file order holds among
            // equals), rows that can repeat each other are side by side;
            // each run of one fingerprint, almost always a single row, is
            // compared in full.
            by_print.clear();
            by_print.extend(group.iter().map(|&row| (fingerprints[row as usize], row)));
            by_print.sort_unstable();
            for run in by_print.chunk_by(|a, b| a.0 == b.0) {
                if run.len() > 1 {
                    in_order(&mut run.iter().map(|&(_, row)| row));
                }
            }
        }
    }
    listed.sort_unstable();
    listed.truncate(MAX_LISTED_DUPLICATES);
    (count, listed)
}
