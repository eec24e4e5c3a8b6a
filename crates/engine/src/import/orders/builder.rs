//! The table being built row by row: customers, days and amounts, order
//! lines grouped into orders, statuses and refunds applied, repeats found.

use super::*;

/// How many amounts are far beyond the others, and the 20 most extreme:
/// above the 99th percentile (the third quartile under 200 amounts) plus
/// ten times the spread between the quartiles, or below the 1st
/// percentile (the first quartile) minus as much.
pub fn extreme_amounts(amounts: &[f64]) -> (u64, Vec<f64>) {
    if amounts.len() < 20 {
        return (0, Vec::new());
    }
    let last = amounts.len() - 1;
    let rank = |q: f64| (last as f64 * q).round() as usize;
    // The 1st and 99th percentiles when there are enough amounts for them
    // not to be the extremes themselves; the quartiles otherwise.
    let [low, q1, q3, high] = if amounts.len() >= 200 {
        order_statistics(amounts, [rank(0.01), rank(0.25), rank(0.75), rank(0.99)])
    } else {
        let [q1, q3] = order_statistics(amounts, [rank(0.25), rank(0.75)]);
        [q1, q1, q3, q3]
    };
    let spread = (q3 - q1).max(1e-9);
    let (low, high) = (low - 10.0 * spread, high + 10.0 * spread);
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

/// The values of `values` at `ranks` (ascending, each below its length)
/// once sorted in the total order, without sorting them: a histogram of
/// the top 16 bits of each value's place in that order tells the bucket
/// each rank falls in, and only those buckets' values are gathered and
/// searched (linear time, two passes over the values).
pub(super) fn order_statistics<const N: usize>(values: &[f64], ranks: [usize; N]) -> [f64; N] {
    const BITS: u32 = 16;
    const { assert!(N < u8::MAX as usize) };
    // The bits of a value as an unsigned number in the total order.
    let place = |v: f64| {
        let bits = v.to_bits() as i64;
        ((bits ^ ((((bits >> 63) as u64) >> 1) as i64)) as u64) ^ (1 << 63)
    };
    let bucket = |v: f64| (place(v) >> (64 - BITS)) as usize;
    let mut counts = vec![0u32; 1 << BITS];
    for &v in values {
        counts[bucket(v)] += 1;
    }
    // Each rank's bucket and its rank among that bucket's values.
    let (mut below, mut b) = (0usize, 0usize);
    let wanted = ranks.map(|r| {
        while below + counts[b] as usize <= r {
            below += counts[b] as usize;
            b += 1;
        }
        (b, r - below)
    });
    let mut buckets: Vec<usize> = wanted.iter().map(|w| w.0).collect();
    buckets.dedup();
    let mut slot = vec![u8::MAX; 1 << BITS];
    for (k, b) in buckets.iter().enumerate() {
        slot[*b] = k as u8;
    }
    let mut gathered: Vec<Vec<f64>> = buckets
        .iter()
        .map(|b| Vec::with_capacity(counts[*b] as usize))
        .collect();
    for &v in values {
        let k = slot[bucket(v)];
        if k != u8::MAX {
            gathered[k as usize].push(v);
        }
    }
    wanted.map(|(b, r)| {
        let k = slot[b] as usize;
        *gathered[k].select_nth_unstable_by(r, f64::total_cmp).1
    })
}

impl Builder {
    pub(super) fn new(plan: Plan) -> Self {
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
            flush_rejected: Vec::new(),
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
    pub(super) fn reserve(&mut self, rows: usize) {
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
    pub(super) fn absorb(&mut self, other: Builder) {
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
        self.cancellations += other.cancellations;
        let room = MAX_LISTED_ERRORS.saturating_sub(self.flush_rejected.len());
        self.flush_rejected
            .extend(other.flush_rejected.into_iter().take(room));
        for (what, n) in other.not_sales {
            add_count(&mut self.not_sales, what, n);
        }
        self.fingerprints.extend_from_slice(&other.fingerprints);
        self.lines.extend_from_slice(&other.lines);
        // The orders of a file of order lines, after this part's: no order
        // has lines in both (the caller reads such a file in one pass).
        let base = self.pending.orders.len() as u32;
        self.pending.rows += other.pending.rows;
        if other.pending.orders.is_empty() {
            // Made rows in its own thread: only how many it had counts.
            self.pending.absorbed += other.pending.index.len() as u64 + other.pending.absorbed;
        } else {
            for (id, i) in other.pending.index.iter() {
                self.pending.index.insert(id, base + i);
            }
            self.pending.orders.extend(other.pending.orders);
        }
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
    pub(super) fn resolve_slash_dates(&mut self) -> Option<DateReading> {
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

    pub(super) fn reject(&mut self, line: u64, column: Option<usize>, fault: Fault) {
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
    pub(super) fn reject_row(&mut self, r: &Record<'_>, column: Option<usize>, fault: Fault) {
        let listed = self.rejected.len() < MAX_LISTED_ERRORS;
        self.reject(r.line, column, fault);
        if listed && let Some(e) = self.rejected.last_mut() {
            let enc = self.plan.encoding;
            e.values = (0..r.len())
                .map(|i| delimited::field_text(enc, r.field(i)).into_owned())
                .collect();
        }
    }

    pub(super) fn add(&mut self, r: Record<'_>) {
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
        // The common case read from the bytes, without making text of
        // them: a plain key, an ISO date and a plain decimal amount.
        if let Some((key, day, amount)) = self.plain_row(&r, c, d, a) {
            let refunded = self.refunded_of(&r);
            let category = self.category_text(&r);
            self.push_row(
                r.line,
                key,
                day,
                amount - refunded.unwrap_or(0.0),
                refunded,
                category.as_deref(),
                r.fingerprint(),
            );
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

    /// A row's customer key, day and amount when each is read as it
    /// stands from its bytes ([`plain_key`], [`date::iso_day`],
    /// [`number::short_decimal`]): the same as read from their text.
    #[inline]
    fn plain_row<'r>(
        &self,
        r: &Record<'r>,
        c: usize,
        d: usize,
        a: usize,
    ) -> Option<(&'r [u8], Day, f64)> {
        if self.slash.is_some()
            || self.plan.date_format != DateFormat::Iso
            || self.plan.decimal != DecimalSeparator::Point
        {
            return None;
        }
        Some((
            plain_key(r.field(c))?,
            date::iso_day(r.field(d))?,
            number::short_decimal(r.field(a))?,
        ))
    }

    /// The text of a row's category cell, when the file has a category
    /// column and the cell is not empty.
    pub(super) fn category_text<'r>(&self, r: &Record<'r>) -> Option<Cow<'r, str>> {
        let col = self.plan.category?;
        let field = (col < r.len()).then(|| r.field(col))?;
        let text = delimited::field_text(self.plan.encoding, field);
        (!text.trim().is_empty()).then_some(text)
    }

    /// The amount refunded of a row's order, when the file says one.
    pub(super) fn refunded_of(&self, r: &Record<'_>) -> Option<f64> {
        let col = self.plan.refunded?;
        let text =
            delimited::field_text(self.plan.encoding, (col < r.len()).then(|| r.field(col))?);
        number::parse_amount(&text, self.plan.decimal).filter(|v| *v != 0.0)
    }

    /// The status that leaves a row's order out, if one does: a status
    /// column's text, or `cancelled` when a cancellation date is there.
    #[inline]
    pub(super) fn excluded(&mut self, r: &Record<'_>) -> Option<String> {
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
    pub(super) fn is_sale(&mut self, r: &Record<'_>) -> bool {
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
    pub(super) fn exclude(&mut self, status: String) {
        add_count(&mut self.excluded, status, 1);
    }

    /// A row of a file of order lines: kept with its order until the end,
    /// when [`Self::flush_lines`] makes each order one row.
    pub(super) fn add_line(&mut self, r: &Record<'_>) {
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
        // The id's bytes: as they stand when plain, else its text trimmed.
        let text_id;
        let id: &[u8] = match (id_col < r.len())
            .then(|| r.field(id_col))
            .and_then(plain_text)
        {
            Some(id) => id,
            None => {
                let Some(text) = cell(id_col) else {
                    self.reject_row(r, Some(id_col), Fault::Empty(Field::OrderId));
                    return;
                };
                text_id = text.trim().as_bytes().to_vec();
                &text_id
            }
        };
        let point = decimal == DecimalSeparator::Point;
        let number = |c: Option<usize>| {
            let c = c?;
            let field = (c < r.len()).then(|| r.field(c))?;
            match number::short_decimal(field).filter(|_| point) {
                Some(v) => Some(v),
                None => cell(c).and_then(|t| number::parse_amount(&t, decimal)),
            }
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
            && (id[0] == b'C' || id[0] == b'c')
            && id[1..].iter().all(u8::is_ascii_digit);
        let next = self.pending.orders.len() as u32;
        let at = match self.pending.index.find(id) {
            Some(at) => at,
            None => {
                self.pending.index.insert(id, next);
                self.pending.orders.push(PendingOrder {
                    line: r.line,
                    fingerprint: r.fingerprint(),
                    cancels,
                    ..PendingOrder::default()
                });
                next
            }
        };
        self.pending.rows += 1;
        // Each order field from the first line that has it: a line's
        // field is read only while its order lacks it (the lines after
        // the first, most of a file, read few).
        let o = &self.pending.orders[at as usize];
        let lacks = [
            o.key.is_none(),
            o.phone.is_none(),
            o.date.is_none(),
            o.total.is_none(),
            o.refunded.is_none(),
            o.excluded.is_none(),
            o.category.is_none(),
        ];
        let key = lacks[0]
            .then(|| cell(self.plan.customer).map(|k| normalised_key(&k).into_owned()))
            .flatten();
        let phone = lacks[1]
            .then(|| self.plan.phone.and_then(cell).and_then(|t| phone_key(&t)))
            .flatten();
        let date = lacks[2]
            .then(|| cell(self.plan.date).map(|d| d.trim().to_string()))
            .flatten();
        let total = lacks[3]
            .then(|| {
                self.plan
                    .amount
                    .and_then(cell)
                    .and_then(|t| number::parse_amount(&t, self.plan.decimal))
            })
            .flatten();
        let refunded = lacks[4].then(|| self.refunded_of(r)).flatten();
        let excluded = if lacks[5] { self.excluded(r) } else { None };
        let category = lacks[6]
            .then(|| self.category_text(r).map(|c| c.trim().to_string()))
            .flatten();
        let o = &mut self.pending.orders[at as usize];
        o.rows += 1;
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
    /// its lines, less what was refunded. The orders' ids stay known (to
    /// count them, and to tell parts of a file that share an order); the
    /// rows rejected here wait in `flush_rejected`.
    pub(super) fn flush_lines(&mut self) {
        let orders = std::mem::take(&mut self.pending.orders);
        let listed_before = self.rejected.len();
        let (c, d) = (self.plan.customer, self.plan.date);
        let amount_col = self.plan.amount.or(self
            .plan
            .lines
            .as_ref()
            .and_then(|l| l.line_total.or(l.unit_price)));
        // Phones that orders with a customer give, so that the same buyer's
        // orders without one join them (the first customer a phone names).
        let mut known_phones: FxHashMap<String, String> = FxHashMap::default();
        for o in &orders {
            if let (Some(key), Some(phone)) = (&o.key, &o.phone) {
                known_phones
                    .entry(phone.clone())
                    .or_insert_with(|| key.clone());
            }
        }
        for mut o in orders {
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
        self.pending.seen = self.pending.index.len() as u64 + self.pending.absorbed;
        self.flush_rejected
            .extend(self.rejected.drain(listed_before..));
    }

    /// Lists the rows rejected when orders were made rows after those
    /// rejected as they were read, as many as the list holds.
    pub(super) fn list_flush_rejected(&mut self) {
        let room = MAX_LISTED_ERRORS.saturating_sub(self.rejected.len());
        let flushed = std::mem::take(&mut self.flush_rejected);
        self.rejected.extend(flushed.into_iter().take(room));
    }

    /// As [`Self::reject`], with the row's fields.
    pub(super) fn reject_listed(
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
    pub(super) fn accept(
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
        self.push_row(
            line,
            key.as_bytes(),
            day,
            amount,
            refunded,
            category,
            fingerprint,
        );
    }

    /// Adds a row read: of customer `key` (normalised), on `day`, worth
    /// `amount` once `refunded` is taken off.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn push_row(
        &mut self,
        line: u64,
        key: &[u8],
        day: Day,
        amount: f64,
        refunded: Option<f64>,
        category: Option<&str>,
        fingerprint: u64,
    ) {
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
pub(super) fn add_count(counts: &mut Vec<(String, u64)>, key: String, n: u64) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, m)) => *m += n,
        None => counts.push((key, n)),
    }
}
