//! What the workbook readers share: zip archives' entries, the OLE2
//! signature, XML and HTML entities, the sheet chosen by its name, and
//! rows written out as comma-separated lines on their sheet's line numbers.

use crate::model::message::Message;

/// The most bytes the parts read may unpack to, all together.
pub const MAX_UNPACKED: usize = 512 << 20;

#[cfg(feature = "workbook")]
pub(crate) const TOO_BIG: Message =
    Message::new("engine.it_unpacks_to_more_than_a_spreadsheet_of_customer_data_holds_a_zip_bomb");

/// True when the bytes start like a zip archive (XLSX, ODS, ...).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The first bytes of every OLE2 compound file.
const OLE_SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The first bytes of every OLE2 compound file.
#[cfg(all(test, feature = "workbook"))]
pub(crate) fn is_ole_signature() -> [u8; 8] {
    OLE_SIGNATURE
}

/// True when the bytes start like an OLE2 compound file (an old Office
/// document: `.xls`, but also `.doc` or `.msg`).
pub fn is_ole(bytes: &[u8]) -> bool {
    bytes.starts_with(&OLE_SIGNATURE)
}

#[cfg_attr(not(feature = "workbook"), allow(dead_code))]
/// A file of a zip archive, as its central directory lists it.
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) method: u16,
    pub(crate) compressed: usize,
    pub(crate) offset: usize,
}

pub(crate) fn u16_at(b: &[u8], at: usize) -> Result<u16, Message> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| Message::new("engine.the_archive_is_cut_short"))
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> Result<usize, Message> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
        .ok_or_else(|| Message::new("engine.the_archive_is_cut_short"))
}

/// The files of the archive, from its central directory.
pub(crate) fn entries(b: &[u8]) -> Result<Vec<Entry>, Message> {
    let from = b.len().saturating_sub(22 + 65_535);
    let end = (from..b.len().saturating_sub(21))
        .rev()
        .find(|&i| b[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or_else(|| {
            Message::new("engine.it_is_not_a_complete_zip_archive_its_end_is_missing")
        })?;
    let count = u16_at(b, end + 10)? as usize;
    let mut at = u32_at(b, end + 16)?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(b, at)? != 0x0201_4b50 {
            return Err(Message::new("engine.its_table_of_contents_is_damaged"));
        }
        let name_len = u16_at(b, at + 28)? as usize;
        let skip = name_len + u16_at(b, at + 30)? as usize + u16_at(b, at + 32)? as usize;
        let name = b
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(|| Message::new("engine.the_archive_is_cut_short"))?;
        out.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            method: u16_at(b, at + 10)?,
            compressed: u32_at(b, at + 20)?,
            offset: u32_at(b, at + 42)?,
        });
        at += 46 + skip;
    }
    Ok(out)
}

/// The names of the archive's files.
pub(crate) fn part_names(bytes: &[u8]) -> Result<Vec<String>, Message> {
    Ok(entries(bytes)?.into_iter().map(|e| e.name).collect())
}

/// Text with its entities replaced: XML's five, numeric ones, and those
/// `named` knows (HTML's `&eacute;`).
pub(crate) fn unescape_with(s: &str, named: fn(&str) -> Option<char>) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            e => named(e),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The position of the sheet named `wanted` among `names` (case and
/// spaces aside), the first when none is named.
pub(crate) fn pick(names: &[String], wanted: Option<&str>) -> Result<usize, Message> {
    let Some(wanted) = wanted else { return Ok(0) };
    let found = names.iter().position(|n| n == wanted).or_else(|| {
        names
            .iter()
            .position(|n| n.trim().eq_ignore_ascii_case(wanted.trim()))
    });
    let Some(found) = found else {
        let list: Vec<String> = names
            .iter()
            .map(|n| format!("\u{201c}{n}\u{201d}"))
            .collect();
        return Err(Message::new("engine.with.no_sheet_named")
            .with("sheet", wanted)
            .with("sheets", list.join(", ")));
    };
    Ok(found)
}

/// The rows as comma-separated lines, padded to the widest, row N on line
/// N (rows a sheet skips are blank lines; line breaks inside a cell become
/// spaces, or the rows after it would move down).
pub(crate) fn write_rows(rows: Vec<(usize, Vec<String>)>) -> Vec<u8> {
    let width = rows.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    let mut out = Vec::new();
    let mut line = 1;
    for (number, cells) in rows {
        // Rows the sheet skips stay blank lines (a row repeated or out of
        // order is written where it comes).
        while line < number {
            out.push(b'\n');
            line += 1;
        }
        if !cells.is_empty() {
            for c in 0..width {
                if c > 0 {
                    out.push(b',');
                }
                push_cell(&mut out, cells.get(c).map_or("", String::as_str));
            }
        }
        out.push(b'\n');
        line += 1;
    }
    out
}

/// A cell as a CSV field, its line breaks as spaces (or the rows after it
/// would move down).
pub(crate) fn push_cell(out: &mut Vec<u8>, cell: &str) {
    if cell.contains(['\n', '\r']) {
        let flat = cell.replace("\r\n", " ").replace(['\n', '\r'], " ");
        crate::import::delimited::push_csv_field(out, &flat);
    } else {
        crate::import::delimited::push_csv_field(out, cell);
    }
}
