//! Whole files at once (on several threads when they can be), and the
//! first rows of a file for the screen where columns are chosen.

use super::*;

/// Reads a whole file held in memory on up to `threads` threads, with the
/// same result as [`import_orders`]: after the sample that sets the plan,
/// the rest is cut at line breaks into parts read side by side and joined
/// in order. A cut can fall inside a quoted field that holds a line break:
/// the part before it then ends inside quotes, which its reader tells, and
/// the file is read again in one pass. In a file of order lines, each cut
/// is moved past the lines of the order before it, and each part makes its
/// orders rows in its own thread (unless the file has a phone column, by
/// which an order may take its customer from another anywhere in the file);
/// if an order's lines are still found in two parts (lines of one order
/// apart in the file), the file is read again in one pass. Files where a
/// cut could miscount lines (carriage returns alone, UTF-16) are read in
/// one pass. Threads need the `parallel` feature.
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
    let again = options.clone();
    let rest = &bytes[cut..];
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
    // The encoding is decided on the whole file: on the sample, which is
    // read while each part is scanned beside it (its line breaks, whether
    // it is UTF-8, whether a carriage return stands alone).
    let mut imp = OrdersImporter::new(file_name, options);
    let whole_text = !crate::import::spreadsheet::is_workbook(bytes);
    if whole_text {
        imp.decide_encoding_on(&bytes[..cut]);
    }
    let scan_part = |w: &[usize]| scan(rest, w[0], w[1], w[1] == rest.len());
    #[cfg(feature = "parallel")]
    let (pushed, scans): (Result<(), ImportError>, Vec<Scan>) = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .map(|w| scope.spawn(move || scan_part(w)))
            .collect();
        let pushed = imp.push(&bytes[..cut]);
        (
            pushed,
            handles
                .into_iter()
                .map(|h| h.join().expect("a scanning thread failed"))
                .collect(),
        )
    });
    #[cfg(not(feature = "parallel"))]
    let (pushed, scans): (Result<(), ImportError>, Vec<Scan>) = (
        imp.push(&bytes[..cut]),
        bounds.windows(2).map(scan_part).collect(),
    );
    pushed?;
    // A byte that is no UTF-8 after a sample that is: the whole file is
    // read in the encoding its every byte gives, in one pass.
    if whole_text
        && again.encoding.is_none()
        && again.encoding_guess.is_none()
        && imp.options.encoding_guess == Some(Encoding::Utf8)
        && scans.iter().any(|s| !s.utf8)
    {
        let whole = ImportOptions {
            encoding_guess: Some(delimited::sniff_encoding(bytes).0),
            ..again
        };
        return import_orders(file_name, bytes, whole);
    }
    let safe = imp.parsing.as_ref().is_some_and(|p| {
        p.splitter.is_idle()
            && p.json.is_none()
            && !matches!(
                p.builder.plan.encoding,
                Encoding::Utf16Le | Encoding::Utf16Be
            )
    }) && scans.iter().all(|s| !s.lone_cr);
    let Some(p) = imp.parsing.as_mut().filter(|_| safe) else {
        for chunk in rest.chunks(1 << 20) {
            imp.push(chunk)?;
        }
        return imp.finish();
    };
    imp.bytes += rest.len() as u64;
    // The lines before each scanned part.
    let scanned = bounds.clone();
    let mut lines_before = vec![p.splitter.line()];
    for s in &scans {
        lines_before.push(lines_before[lines_before.len() - 1] + s.newlines);
    }
    // In a file of order lines, no cut between two lines of one order.
    if let Some(lines) = &p.builder.plan.lines {
        let (delimiter, encoding, id) = (
            p.builder.plan.delimiter,
            p.builder.plan.encoding,
            lines.order_id,
        );
        let last = bounds.len() - 1;
        for k in 1..last {
            bounds[k] = past_the_order(rest, bounds[k].max(bounds[k - 1]), delimiter, encoding, id);
        }
    }
    bounds.dedup();
    // Each part's first line: the lines before the scanned part its cut
    // falls in, and the ones from there to the cut (no carriage return
    // stands alone here, so each line break is one `\n`).
    let mut jobs = Vec::new();
    for w in bounds.windows(2) {
        if w[0] > 0 {
            let k = scanned.partition_point(|b| *b <= w[0]) - 1;
            let moved = memchr::memchr_iter(b'\n', &rest[scanned[k]..w[0]]).count() as u64;
            jobs.push((w[0], w[1], lines_before[k] + moved));
        }
    }
    // Room for every part's rows up front (the sample tells the average
    // line), so that no column is copied as it grows or when joined.
    let sample_rows = (p.builder.orders.len() as u64 + p.builder.rejected_total).max(1);
    let per_row = (cut as f64 / sample_rows as f64).max(1.0);
    let rows_in = |len: usize| (len as f64 / per_row * 1.05) as usize + 16;
    p.builder.reserve(rows_in(rest.len()));
    let delimiter = p.builder.plan.delimiter;
    let plan = p.builder.plan.clone();
    // A part's orders are made rows in its own thread, unless an order
    // without a customer may take one from another order with the same
    // phone, anywhere in the file.
    let flush_in_parts = plan.lines.is_some() && plan.phone.is_none();
    // Each part's rows, and whether it ended inside quotes (its cut fell
    // in a quoted field).
    let read_part = |&(from, to, line): &(usize, usize, u64)| {
        let mut b = Builder::new(plan.clone());
        b.header_pending = false;
        b.reserve(rows_in(to - from));
        let mut splitter = Splitter::starting_at(delimiter, line);
        splitter.feed_whole(&rest[from..to], &mut |r| b.add(r));
        if flush_in_parts {
            b.flush_lines();
        }
        (b, splitter.unterminated_quote().is_some())
    };
    let head = &rest[..bounds[1]];
    let mut read_head = || {
        p.splitter.feed_whole(head, &mut |r| p.builder.add(r));
        if flush_in_parts {
            p.builder.flush_lines();
        }
    };
    // With the `parallel` feature (the command line) the parts are read on
    // threads beside the first; without it (WebAssembly), one after
    // another, cut and joined the same way.
    #[cfg(feature = "parallel")]
    let builders: Vec<(Builder, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|job| scope.spawn(|| read_part(job)))
            .collect();
        read_head();
        handles
            .into_iter()
            .map(|h| h.join().expect("an import thread failed"))
            .collect()
    });
    #[cfg(not(feature = "parallel"))]
    let builders: Vec<(Builder, bool)> = {
        read_head();
        jobs.iter().map(read_part).collect()
    };
    // A cut inside a quoted field: the parts are not records. Read again,
    // in one pass (an unterminated quote at the end of the file, rare,
    // is read again too, so that one pass reports it).
    if p.splitter.unterminated_quote().is_some() || builders.iter().any(|(_, inside)| *inside) {
        return import_orders(file_name, bytes, again);
    }
    // An order's lines in two parts: its value would be summed in another
    // order than one pass sums it. Read again, in one pass.
    let shared = {
        // Each part's order ids looked up in the parts before it.
        let parts: Vec<_> = std::iter::once(&p.builder)
            .chain(builders.iter().map(|(b, _)| b))
            .map(|b| &b.pending.index)
            .collect();
        parts.iter().enumerate().skip(1).any(|(k, part)| {
            part.iter()
                .any(|(id, _)| parts[..k].iter().any(|earlier| earlier.get(id).is_some()))
        })
    };
    if shared {
        return import_orders(file_name, bytes, again);
    }
    for (b, _) in builders {
        p.builder.absorb(b);
    }
    imp.finish()
}

/// What a part of a file's bytes holds, found before it is read.
#[derive(Debug, PartialEq)]
pub(super) struct Scan {
    /// Its line breaks.
    pub(super) newlines: u64,
    /// A carriage return not followed by a line break.
    pub(super) lone_cr: bool,
    /// Valid UTF-8 (the file's last part may end inside a character).
    pub(super) utf8: bool,
}

/// Scans `rest[from..to]`, a part that starts after a line break: a block
/// at a time, each block checked three ways while it is in the cache
/// (three passes over the whole part would read it from memory three
/// times).
pub(super) fn scan(rest: &[u8], from: usize, to: usize, last: bool) -> Scan {
    const BLOCK: usize = 1 << 16;
    let part = &rest[from..to];
    let mut found = Scan {
        newlines: 0,
        lone_cr: false,
        utf8: true,
    };
    // The bytes known to be UTF-8: a character cut by a block's end is
    // checked with the next block.
    let mut checked = 0;
    let mut at = 0;
    while at < part.len() {
        let end = (at + BLOCK).min(part.len());
        let block = &part[at..end];
        found.newlines += memchr::memchr_iter(b'\n', block).count() as u64;
        found.lone_cr = found.lone_cr
            || memchr::memchr_iter(b'\r', block)
                .any(|i| rest.get(from + at + i + 1) != Some(&b'\n'));
        if found.utf8 {
            match std::str::from_utf8(&part[checked..end]) {
                Ok(_) => checked = end,
                Err(e) if e.error_len().is_none() => checked += e.valid_up_to(),
                Err(_) => found.utf8 = false,
            }
        }
        at = end;
    }
    // A character cut by the part's end: only the file's last part may
    // end inside one (the file is cut short).
    if checked < part.len() && !last {
        found.utf8 = false;
    }
    found
}

/// The first line break at or after `cut` (itself just after a line break)
/// that does not fall between two lines of one order: `cut` moved past the
/// lines whose order id (column `id`) is the one of the line before it.
/// Gives up after a thousand lines (the parts then share an order, which
/// the caller finds).
fn past_the_order(
    rest: &[u8],
    mut cut: usize,
    delimiter: Delimiter,
    encoding: Encoding,
    id: usize,
) -> usize {
    let id_of = |line: &[u8]| {
        let mut found = None;
        Splitter::starting_at(delimiter, 0).feed_whole(line, &mut |r| {
            if found.is_none() && id < r.len() {
                found = Some(
                    delimited::field_text(encoding, r.field(id))
                        .trim()
                        .to_string(),
                );
            }
        });
        found
    };
    if cut == 0 || cut >= rest.len() {
        return cut;
    }
    let before = memchr::memrchr(b'\n', &rest[..cut - 1]).map_or(0, |i| i + 1);
    let Some(order) = id_of(&rest[before..cut]) else {
        return cut;
    };
    for _ in 0..1000 {
        if cut >= rest.len() {
            return cut;
        }
        let end = memchr::memchr(b'\n', &rest[cut..]).map_or(rest.len(), |i| cut + i + 1);
        if id_of(&rest[cut..end]).as_deref() != Some(order.as_str()) {
            return cut;
        }
        cut = end;
    }
    cut
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
pub(super) const PREVIEW_ROWS: usize = 8;

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
