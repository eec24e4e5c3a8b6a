//! Workbooks read with calamine, the maintained reader of Excel (`.xlsx`,
//! `.xlsm`, `.xlsb`), and with SegLens's own readers where calamine fails
//! on files users have: old Excel 97–2003 workbooks (`.xls`, [`crate::import::xls`]:
//! calamine's follows a looping chain of sectors until it holds gigabytes)
//! and OpenDocument spreadsheets (`.ods`, [`crate::import::ods`]: calamine's
//! refuses pandas' files): a sheet becomes comma-separated rows (see
//! [`crate::import::spreadsheet`] for how cells are written), row N of the sheet on
//! line N, so that every message names the row the spreadsheet shows.
//!
//! This module is the `workbook` feature: the command line has it; the
//! page's import worker does not, and a workbook dropped on the page is
//! turned into rows by a worker of its own, fetched the first time one is
//! dropped, so that the first load does not carry a workbook reader.
//!
//! Limits: an archive that unpacks to more than the limit (a zip bomb) is
//! refused before calamine opens it, and Excel sheets are read cell by cell
//! (never as a rectangle as large as the furthest cell).

use crate::model::message::Message;

use calamine::{DataRef, ExcelDateTime, ExcelDateTimeType, Reader};
use std::io::Cursor;

use crate::import::parts::TOO_BIG;

pub(crate) const NEITHER: Message = Message::new(
    "engine.it_is_a_zip_archive_but_neither_an_excel_workbook_xlsx_nor_an_opendocument_spreadsheet_ods",
);

/// The most rows a sheet has (Excel's and LibreOffice's limit).
pub(crate) const MAX_ROWS: usize = 1 << 20;
/// The most columns a sheet has.
pub(crate) const MAX_COLUMNS: usize = 16_384;

/// Refuses an archive whose files unpack to more than `limit` bytes
/// together (a zip bomb), or that is damaged. The files are unpacked and
/// counted, not held: what their headers say is not trusted.
pub(crate) fn check_unpacked(b: &[u8], limit: usize) -> Result<(), Message> {
    let mut budget = limit;
    for e in crate::import::parts::entries(b)? {
        budget -= inflate(b, &e, budget, &mut |_| {})?;
    }
    Ok(())
}

/// The file `name` of the archive, unpacked within `limit` bytes; `None`
/// when the archive has no such file.
pub(crate) fn unpack_part(b: &[u8], name: &str, limit: usize) -> Result<Option<Vec<u8>>, Message> {
    let Some(e) = crate::import::parts::entries(b)?
        .into_iter()
        .find(|e| e.name == name)
    else {
        return Ok(None);
    };
    let mut out = Vec::new();
    inflate(b, &e, limit, &mut |piece| out.extend_from_slice(piece))?;
    Ok(Some(out))
}

/// Unpacks one file of the archive into `sink`, piece by piece, and says
/// how many bytes it made; more than `budget` is a zip bomb.
fn inflate(
    b: &[u8],
    e: &crate::import::parts::Entry,
    budget: usize,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<usize, Message> {
    use miniz_oxide::inflate::stream::{InflateState, inflate};
    use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
    if crate::import::parts::u32_at(b, e.offset)? != 0x0403_4b50 {
        return Err(Message::new("engine.with.part_damaged").with("part", &e.name));
    }
    let start = e.offset
        + 30
        + crate::import::parts::u16_at(b, e.offset + 26)? as usize
        + crate::import::parts::u16_at(b, e.offset + 28)? as usize;
    let mut data = b
        .get(start..start.saturating_add(e.compressed))
        .ok_or_else(|| Message::new("engine.the_archive_is_cut_short"))?;
    match e.method {
        0 => {
            if data.len() > budget {
                return Err(TOO_BIG);
            }
            sink(data);
            Ok(data.len())
        }
        8 => {
            let mut state = InflateState::new_boxed(DataFormat::Raw);
            let mut scratch = vec![0u8; 64 << 10];
            let mut total = 0usize;
            loop {
                let r = inflate(&mut state, data, &mut scratch, MZFlush::None);
                data = &data[r.bytes_consumed..];
                total += r.bytes_written;
                if total > budget {
                    return Err(TOO_BIG);
                }
                sink(&scratch[..r.bytes_written]);
                match r.status {
                    Ok(MZStatus::StreamEnd) => return Ok(total),
                    Ok(_) if r.bytes_consumed > 0 || r.bytes_written > 0 => {}
                    Err(MZError::Buf) | Ok(_) => {
                        return Err(Message::new("engine.with.part_damaged").with("part", &e.name));
                    }
                    Err(_) => {
                        return Err(Message::new("engine.with.part_damaged").with("part", &e.name));
                    }
                }
            }
        }
        m => Err(Message::new("engine.with.part_packed")
            .with("part", &e.name)
            .with("method", m.to_string())),
    }
}

/// As [`write_rows`], for rows given as their non-empty cells, `(column,
/// text)` in column order: no row is ever held padded to the widest.
pub(crate) fn write_sparse_rows(rows: Vec<crate::import::xls::SparseRow>) -> Vec<u8> {
    let width = rows
        .iter()
        .filter_map(|(_, cells)| cells.last().map(|(c, _)| c + 1))
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    let mut line = 1;
    for (number, cells) in rows {
        while line < number {
            out.push(b'\n');
            line += 1;
        }
        let mut cells = cells.iter().peekable();
        if cells.peek().is_some() {
            for c in 0..width {
                if c > 0 {
                    out.push(b',');
                }
                let text = cells
                    .next_if(|(col, _)| *col == c)
                    .map_or("", |(_, t)| t.as_str());
                crate::import::parts::push_cell(&mut out, text);
            }
        }
        out.push(b'\n');
        line += 1;
    }
    out
}

/// Which reader a workbook needs, from its first bytes and its parts.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Format {
    Xls,
    Xlsx,
    Xlsb,
    Ods,
}

fn format_of(bytes: &[u8]) -> Result<Format, Message> {
    if crate::import::parts::is_ole(bytes) {
        // A workbook saved with a password is an OLE file holding the
        // encrypted XLSX as a stream of that name.
        let encrypted: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if memchr::memmem::find(bytes, &encrypted).is_some() {
            return Err(PASSWORD);
        }
        return Ok(Format::Xls);
    }
    let names = crate::import::parts::part_names(bytes)?;
    let has = |wanted: &str| names.iter().any(|n| n.eq_ignore_ascii_case(wanted));
    if has("xl/workbook.xml") {
        Ok(Format::Xlsx)
    } else if has("xl/workbook.bin") {
        Ok(Format::Xlsb)
    } else if has("content.xml") {
        Ok(Format::Ods)
    } else {
        Err(NEITHER)
    }
}

/// Refuses, before calamine opens it, an archive that unpacks to more
/// than `limit` bytes (a zip bomb).
fn check(bytes: &[u8], format: Format, limit: usize) -> Result<(), Message> {
    if format == Format::Xls {
        return Ok(());
    }
    check_unpacked(bytes, limit)
}

/// The `content.xml` of an OpenDocument spreadsheet, within `limit` bytes.
fn ods_content(bytes: &[u8], limit: usize) -> Result<String, Message> {
    let content = unpack_part(bytes, "content.xml", limit)?.ok_or(NEITHER)?;
    Ok(String::from_utf8_lossy(&content).into_owned())
}

/// What a workbook saved with a password is told.
const PASSWORD: Message = Message::new(
    "engine.it_is_protected_by_a_password_open_it_remove_the_password_and_save_it_again",
);

/// Why calamine could not read the workbook, in the user's words (its
/// own message names the reader's internals).
fn damaged(format: Format, err: impl std::fmt::Display) -> Message {
    let err = err.to_string();
    if err.to_ascii_lowercase().contains("password") || err.contains("ncrypt") {
        return PASSWORD;
    }
    if err.contains("limit exceeded") {
        return TOO_BIG;
    }
    Message::new(match format {
        Format::Xls => "engine.it_is_an_old_excel_workbook_xls_whose_structure_is_damaged",
        Format::Xlsx => "engine.it_is_an_excel_workbook_whose_structure_is_damaged",
        Format::Xlsb => "engine.it_is_an_excel_binary_workbook_xlsb_whose_structure_is_damaged",
        Format::Ods => "engine.it_is_an_opendocument_spreadsheet_whose_structure_is_damaged",
    })
}

/// What a workbook without a sheet is told.
fn no_sheet(format: Format) -> Message {
    Message::new(if format == Format::Ods {
        "engine.it_is_an_opendocument_file_without_a_sheet"
    } else {
        "engine.it_is_an_excel_workbook_without_a_sheet"
    })
}

/// The names of the sheets of the workbook `bytes`, in order.
pub(crate) fn sheet_names(bytes: &[u8]) -> Result<Vec<String>, Message> {
    let format = format_of(bytes)?;
    check(bytes, format, crate::import::parts::MAX_UNPACKED)?;
    let cursor = Cursor::new(bytes);
    let names = match format {
        // The bounded reader of old workbooks (see crate::import::xls).
        Format::Xls => crate::import::xls::Workbook::open(bytes)?.sheet_names(),
        Format::Xlsx => calamine::Xlsx::new(cursor)
            .map_err(|e| damaged(format, e))?
            .sheet_names(),
        Format::Xlsb => calamine::Xlsb::new(cursor)
            .map_err(|e| damaged(format, e))?
            .sheet_names(),
        // SegLens's own reader of OpenDocument (see crate::import::ods).
        Format::Ods => crate::import::ods::sheet_names(&ods_content(
            bytes,
            crate::import::parts::MAX_UNPACKED,
        )?),
    };
    if names.is_empty() {
        return Err(no_sheet(format));
    }
    Ok(names)
}

/// A cell as text: text as written, numbers in their shortest form
/// (`0.10000000000000001` reads `0.1`), dates and date-times (cells whose
/// number format is a date) as ISO dates in the workbook's date system,
/// `TRUE`/`FALSE`, errors as Excel shows them (`#N/A`).
fn text_of(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(x) => number(*x),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        DataRef::DateTime(d) => excel_date(d),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// A date cell as an ISO date (and time of day when it has one); a
/// duration (`[h]:mm`) or a serial outside Excel's calendar as its number.
fn excel_date(d: &ExcelDateTime) -> String {
    // calamine keeps the workbook's date system to itself: a value equal
    // to the same serial in the 1904 system is of a 1904 workbook.
    let date_1904 = *d == ExcelDateTime::new(d.as_f64(), ExcelDateTimeType::DateTime, true);
    let serial = d.as_f64();
    if d.is_datetime() {
        crate::import::xls::serial_date(serial, date_1904).unwrap_or_else(|| number(serial))
    } else {
        number(serial)
    }
}

/// The rows of a sheet so far, as the sheet numbers them (from 1), each
/// with its non-empty cells `(column, text)` in column order.
#[derive(Default)]
struct Rows {
    rows: Vec<crate::import::xls::SparseRow>,
    bytes: usize,
    limit: usize,
}

impl Rows {
    fn push(&mut self, row: u32, col: u32, text: String) -> Result<(), Message> {
        if text.is_empty() {
            return Ok(());
        }
        let number = row as usize + 1;
        if number > MAX_ROWS || col as usize >= MAX_COLUMNS {
            return Ok(());
        }
        self.bytes += text.len() + 1;
        if self.bytes > self.limit {
            return Err(TOO_BIG);
        }
        match self.rows.last_mut() {
            Some((n, cells)) if *n == number => cells.push((col as usize, text)),
            _ => self.rows.push((number, vec![(col as usize, text)])),
        }
        Ok(())
    }

    /// The rows in order, each row's cells in column order (a reader may
    /// give them out of order).
    fn into_sorted(mut self) -> Vec<crate::import::xls::SparseRow> {
        if !self.rows.is_sorted_by_key(|(n, _)| *n) {
            self.rows.sort_by_key(|(n, _)| *n);
            // Pieces of one row given apart come together again.
            let mut merged: Vec<crate::import::xls::SparseRow> = Vec::new();
            for (n, cells) in self.rows {
                match merged.last_mut() {
                    Some((m, into)) if *m == n => into.extend(cells),
                    _ => merged.push((n, cells)),
                }
            }
            self.rows = merged;
        }
        for (_, cells) in &mut self.rows {
            if !cells.is_sorted_by_key(|(c, _)| *c) {
                cells.sort_by_key(|(c, _)| *c);
            }
            // A cell written twice keeps its last value.
            cells.dedup_by(|later, earlier| {
                if later.0 == earlier.0 {
                    std::mem::swap(&mut earlier.1, &mut later.1);
                    true
                } else {
                    false
                }
            });
        }
        self.rows
    }
}

/// Which sheets of a workbook to read.
#[derive(Clone, Copy)]
enum Wanted<'a> {
    /// The sheet named so (the first when none is named).
    One(Option<&'a str>),
    /// Every sheet, in order.
    All,
}

/// Reads the cells `next` gives, `((row, column), text)`, into rows.
fn read_cells(
    limit: usize,
    mut next: impl FnMut() -> Result<Option<((u32, u32), String)>, Message>,
) -> Result<Vec<u8>, Message> {
    let mut rows = Rows {
        limit,
        ..Rows::default()
    };
    while let Some(((row, col), text)) = next()? {
        rows.push(row, col, text)?;
    }
    Ok(write_sparse_rows(rows.into_sorted()))
}

/// The sheets `wanted` of the workbook `bytes`, each as its name and
/// comma-separated rows, within `limit` bytes unpacked and written per
/// sheet: the workbook is checked and opened once, however many sheets
/// are read.
fn read_sheets(
    bytes: &[u8],
    wanted: Wanted<'_>,
    limit: usize,
) -> Result<Vec<(String, Vec<u8>)>, Message> {
    let format = format_of(bytes)?;
    check(bytes, format, limit)?;
    let select = |names: &[String]| -> Result<Vec<usize>, Message> {
        if names.is_empty() {
            return Err(no_sheet(format));
        }
        match wanted {
            Wanted::One(name) => Ok(vec![crate::import::parts::pick(names, name)?]),
            Wanted::All => Ok((0..names.len()).collect()),
        }
    };
    let fail = |e: &dyn std::fmt::Display| damaged(format, e);
    let cursor = Cursor::new(bytes);
    let mut out = Vec::new();
    match format {
        Format::Xlsx => {
            let mut book = calamine::Xlsx::new(cursor).map_err(|e| fail(&e))?;
            let names = book.sheet_names();
            for i in select(&names)? {
                let mut cells = book
                    .worksheet_cells_reader(&names[i])
                    .map_err(|e| fail(&e))?;
                let rows = read_cells(limit, || {
                    let cell = cells.next_cell().map_err(|e| fail(&e))?;
                    Ok(cell.map(|c| (c.get_position(), text_of(c.get_value()))))
                })?;
                out.push((names[i].clone(), rows));
            }
        }
        Format::Xlsb => {
            let mut book = calamine::Xlsb::new(cursor).map_err(|e| fail(&e))?;
            let names = book.sheet_names();
            for i in select(&names)? {
                let mut cells = book
                    .worksheet_cells_reader(&names[i])
                    .map_err(|e| fail(&e))?;
                let rows = read_cells(limit, || {
                    let cell = cells.next_cell().map_err(|e| fail(&e))?;
                    Ok(cell.map(|c| (c.get_position(), text_of(c.get_value()))))
                })?;
                out.push((names[i].clone(), rows));
            }
        }
        Format::Xls => {
            // The bounded reader of old workbooks (see crate::import::xls).
            let book = crate::import::xls::Workbook::open(bytes)?;
            let names = book.sheet_names();
            for i in select(&names)? {
                out.push((names[i].clone(), write_sparse_rows(book.rows(i, limit)?)));
            }
        }
        Format::Ods => {
            // SegLens's own reader of OpenDocument (see crate::import::ods).
            let content = ods_content(bytes, limit)?;
            let names = crate::import::ods::sheet_names(&content);
            for i in select(&names)? {
                let rows = crate::import::ods::ods_rows(&content, Some(&names[i]))?;
                out.push((names[i].clone(), rows));
            }
        }
    }
    Ok(out)
}

/// The sheet named `sheet` (the first when none is named) of the workbook
/// `bytes` as comma-separated rows, within `limit` bytes unpacked and
/// written, or why it cannot be read.
pub(crate) fn sheet_rows(
    bytes: &[u8],
    sheet: Option<&str>,
    limit: usize,
) -> Result<Vec<u8>, Message> {
    let mut sheets = read_sheets(bytes, Wanted::One(sheet), limit)?;
    Ok(sheets.pop().map(|(_, rows)| rows).unwrap_or_default())
}

/// Every sheet of the workbook `bytes`, by name, as comma-separated rows.
pub(crate) fn all_sheet_rows(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, Message> {
    read_sheets(bytes, Wanted::All, crate::import::parts::MAX_UNPACKED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_saved_with_a_password_says_what_to_do() {
        // The OLE file Excel writes for a workbook with a password: its
        // directory names the encrypted package.
        let mut bytes = crate::import::parts::is_ole_signature().to_vec();
        bytes.resize(1024, 0);
        let name: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        bytes.extend_from_slice(&name);
        bytes.resize(2048, 0);
        assert_eq!(sheet_names(&bytes).unwrap_err(), PASSWORD);
        assert_eq!(sheet_rows(&bytes, None, 1 << 20).unwrap_err(), PASSWORD);
    }

    #[test]
    fn the_date_system_is_told_from_calamine_dates() {
        let mac = ExcelDateTime::new(0.0, ExcelDateTimeType::DateTime, true);
        let pc = ExcelDateTime::new(45292.0, ExcelDateTimeType::DateTime, false);
        let duration = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(excel_date(&mac), "1904-01-01");
        assert_eq!(excel_date(&pc), "2024-01-01");
        assert_eq!(excel_date(&duration), "1.5");
    }
}
