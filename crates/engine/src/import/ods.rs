//! OpenDocument spreadsheets (`.ods`, what LibreOffice writes, and what
//! pandas writes with its odf engine): `content.xml`'s tables read as rows.
//! This reader stays rather than calamine's, which refuses a whole file for
//! one string cell that carries a number attribute (pandas writes them) and
//! holds a sheet as a rectangle as large as its furthest cell.
//!
//! Repeated rows and columns are written out, but not the empty ones that
//! only pad a sheet to its end; dates are written as ISO dates, numbers in
//! their shortest form; what repeats would write beyond [`MAX_CELLS`] is
//! refused as a zip bomb.

use crate::model::message::Message;

use crate::import::parts::TOO_BIG;
use crate::import::parts::{pick, write_rows};

/// The most rows a sheet has (LibreOffice's limit).
const MAX_ROWS: usize = 1 << 20;
/// The most columns a sheet has.
const MAX_COLUMNS: usize = 16_384;
/// The most cells an ODS sheet's repeats may write out.
const MAX_CELLS: usize = 50_000_000;

/// The names of the sheets of `content.xml`.
pub(crate) fn sheet_names(content: &str) -> Vec<String> {
    elements(content, "table:table")
        .iter()
        .map(|(tag, _)| attr_text(tag, "table:name").unwrap_or_default())
        .collect()
}

/// The value of attribute `name` in the start tag `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    loop {
        let at = rest.find(name)?;
        let before = rest[..at].chars().last();
        let after = &rest[at + name.len()..];
        if matches!(before, Some(' ' | '\t' | '\n' | '\r'))
            && let Some(value) = after.strip_prefix("=\"")
        {
            return value.find('"').map(|end| &value[..end]);
        }
        rest = &rest[at + name.len()..];
    }
}

/// XML text with its entities replaced.
fn unescape(s: &str) -> String {
    crate::import::parts::unescape_with(s, |_| None)
}

/// Each `<name ...>...</name>` (or `<name .../>`) element of `xml`: its
/// start tag and its content.
fn elements<'a>(xml: &'a str, name: &str) -> Vec<(&'a str, &'a str)> {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        rest = &rest[at..];
        let after = rest.as_bytes().get(open.len()).copied();
        if !matches!(after, Some(b' ' | b'>' | b'/' | b'\t' | b'\n' | b'\r')) {
            rest = &rest[open.len()..];
            continue;
        }
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..tag_end + 1];
        if tag[1..].contains('<') {
            // A damaged start tag: skip it.
            rest = &rest[1..];
            continue;
        }
        if tag.ends_with("/>") {
            out.push((tag, ""));
            rest = &rest[tag_end + 1..];
            continue;
        }
        let Some(end) = rest[tag_end + 1..].find(&close).map(|e| e + tag_end + 1) else {
            break;
        };
        out.push((tag, &rest[tag_end + 1..end]));
        rest = &rest[end + close.len()..];
    }
    out
}

/// The value of an attribute of a start tag, entities resolved.
fn attr_text(tag: &str, name: &str) -> Option<String> {
    attr(tag, name).map(unescape)
}

/// The text of an ODS cell: its paragraphs on lines of their own, runs of
/// spaces (`<text:s text:c="3"/>`), tabs and line breaks as written,
/// annotations aside.
fn ods_text(inner: &str) -> String {
    let mut paragraphs = Vec::new();
    for (_, p) in elements(inner, "text:p") {
        let mut out = String::new();
        let mut rest = p;
        while let Some(at) = rest.find('<') {
            out.push_str(&unescape(&rest[..at]));
            let Some(end) = rest[at..].find('>').map(|e| e + at) else {
                rest = "";
                break;
            };
            let tag = &rest[at..=end];
            if tag.starts_with("<text:s")
                && (tag
                    .as_bytes()
                    .get(7)
                    .is_some_and(|b| *b == b' ' || *b == b'/'))
            {
                let n = attr(tag, "text:c")
                    .and_then(|c| c.parse::<usize>().ok())
                    .unwrap_or(1);
                out.extend(std::iter::repeat_n(' ', n.min(1_000)));
            } else if tag.starts_with("<text:tab") {
                out.push('\t');
            } else if tag.starts_with("<text:line-break") {
                out.push('\n');
            }
            rest = &rest[end + 1..];
        }
        out.push_str(&unescape(rest));
        paragraphs.push(out);
    }
    paragraphs.join("\n")
}

/// The cells of an ODS row in order, `(start tag, content)`, covered cells
/// (under a merged one) as empty cells.
fn ods_cells(row: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = row;
    while let Some(at) = rest.find("<table:") {
        rest = &rest[at..];
        let name = if rest.starts_with("<table:table-cell") {
            "table:table-cell"
        } else if rest.starts_with("<table:covered-table-cell") {
            "table:covered-table-cell"
        } else {
            rest = &rest[1..];
            continue;
        };
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..=tag_end];
        if tag.ends_with("/>") {
            out.push((tag, ""));
            rest = &rest[tag_end + 1..];
            continue;
        }
        let close = format!("</{name}>");
        let Some(end) = rest[tag_end + 1..].find(&close).map(|e| e + tag_end + 1) else {
            break;
        };
        out.push((tag, &rest[tag_end + 1..end]));
        rest = &rest[end + close.len()..];
    }
    out
}

/// A table of an ODS `content.xml` (the one named `sheet`, or the first)
/// as rows.
pub(crate) fn ods_rows(content: &str, sheet: Option<&str>) -> Result<Vec<u8>, Message> {
    let tables = elements(content, "table:table");
    let names: Vec<String> = tables
        .iter()
        .map(|(tag, _)| attr_text(tag, "table:name").unwrap_or_default())
        .collect();
    if tables.is_empty() {
        return Err(Message::new(
            "engine.it_is_an_opendocument_file_without_a_sheet",
        ));
    }
    let (_, table) = tables[pick(&names, sheet)?];
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut number = 1usize;
    let mut total_cells = 0usize;
    for (tag, inner) in elements(table, "table:table-row") {
        let repeat = attr(tag, "table:number-rows-repeated")
            .and_then(|r| r.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        let mut cells: Vec<String> = Vec::new();
        let mut pending_empty = 0usize;
        for (ctag, cinner) in ods_cells(inner) {
            let times = attr(ctag, "table:number-columns-repeated")
                .and_then(|r| r.parse::<usize>().ok())
                .unwrap_or(1)
                .max(1);
            let kind = attr(ctag, "office:value-type").or_else(|| attr(ctag, "calcext:value-type"));
            let text = match kind {
                Some("float" | "percentage" | "currency") => attr_text(ctag, "office:value")
                    .map(|v| match v.trim().parse::<f64>() {
                        Ok(x) if x.is_finite() => format!("{x}"),
                        _ => v,
                    })
                    .unwrap_or_else(|| ods_text(cinner)),
                Some("date") => {
                    attr_text(ctag, "office:date-value").unwrap_or_else(|| ods_text(cinner))
                }
                Some("boolean") => match attr(ctag, "office:boolean-value") {
                    Some("true") => "TRUE".into(),
                    Some(_) => "FALSE".into(),
                    None => ods_text(cinner),
                },
                _ => ods_text(cinner),
            };
            if text.is_empty() {
                // Empty cells count only when a filled one follows.
                pending_empty = pending_empty.saturating_add(times);
                continue;
            }
            if cells.len() + pending_empty + times > MAX_COLUMNS {
                return Err(Message::new("engine.with.row_too_wide")
                    .with("row", number)
                    .with("max", MAX_COLUMNS));
            }
            cells.extend(std::iter::repeat_n(String::new(), pending_empty));
            pending_empty = 0;
            cells.extend(std::iter::repeat_n(text, times));
        }
        if cells.is_empty() {
            // Empty rows are blank lines, written only before a filled one.
            number = number.saturating_add(repeat);
            continue;
        }
        if number.saturating_add(repeat) > MAX_ROWS + 1 {
            return Err(Message::new("engine.with.too_many_rows").with("max", MAX_ROWS));
        }
        // Repeats multiply cells: as for a zip bomb, a bound.
        total_cells = total_cells.saturating_add(cells.len().saturating_mul(repeat));
        if total_cells > MAX_CELLS {
            return Err(TOO_BIG);
        }
        for _ in 0..repeat {
            rows.push((number, cells.clone()));
            number += 1;
        }
    }
    Ok(write_rows(rows))
}
