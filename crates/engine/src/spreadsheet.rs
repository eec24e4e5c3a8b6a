//! A sheet of an Excel workbook (XLSX, or the older `.xls`, see
//! [`crate::xls`]) or an OpenDocument spreadsheet (ODS, what LibreOffice
//! writes) read as comma-separated rows, row N of the sheet on line N, so
//! that every message names the row the spreadsheet shows; the importers
//! then read it as any other file. The first sheet is read unless another
//! is named ([`sheet_names`] lists them).
//!
//! Cells: shared and inline text as written, numbers in their shortest
//! form (`0.10000000000000001` as Excel stores 0.1 reads `0.1`; dates are
//! serial numbers, which the importer reads as dates in a column named as
//! dates; ODS dates are written as ISO dates), `TRUE`/`FALSE`, formulas by
//! their last value. Repeated rows and columns (ODS) are written out, but
//! not the empty ones that only pad a sheet to its end. Line breaks inside
//! a cell become spaces (row N stays on line N). Every row is
//! padded to the widest. A workbook that unpacks to more than
//! [`MAX_UNPACKED`] bytes (a zip bomb) is refused.

/// The most bytes the parts read may unpack to, all together.
pub const MAX_UNPACKED: usize = 512 << 20;

pub(crate) const TOO_BIG: &str =
    "it unpacks to more than a spreadsheet of customer data holds (a zip bomb?)";

/// What a spreadsheet is and which sheet is read, for the import report.
pub fn label(bytes: &[u8], sheet: Option<&str>) -> String {
    let kind = if crate::html_table::is_html_table(bytes) {
        "HTML table saved as a workbook"
    } else if crate::xls::is_ole(bytes) {
        "Excel 97–2003 workbook (.xls)"
    } else if entries(bytes).is_ok_and(|e| {
        e.iter().any(|x| x.name == "content.xml")
            && !e
                .iter()
                .any(|x| x.name.eq_ignore_ascii_case("xl/workbook.xml"))
    }) {
        "OpenDocument spreadsheet"
    } else {
        "Excel workbook"
    };
    match sheet {
        Some(name) => format!("{kind}, sheet \u{201c}{name}\u{201d}"),
        None => format!("{kind} (first sheet)"),
    }
}

/// True when the bytes start like a workbook: a zip archive (XLSX, ODS),
/// an OLE2 compound file (`.xls`) or an HTML table (a back-office's
/// `.xls`).
pub fn is_workbook(bytes: &[u8]) -> bool {
    is_zip(bytes) || crate::xls::is_ole(bytes) || crate::html_table::is_html_table(bytes)
}

/// The names given to an HTML page's tables, as sheets.
fn html_sheet_names(bytes: &[u8]) -> Vec<String> {
    (1..=crate::html_table::tables(bytes).len())
        .map(|i| format!("Table {i}"))
        .collect()
}

/// True when the bytes start like a zip archive (XLSX, ODS, ...).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

struct Entry {
    name: String,
    method: u16,
    compressed: usize,
    offset: usize,
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, String> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| "the archive is cut short".to_string())
}

fn u32_at(b: &[u8], at: usize) -> Result<usize, String> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
        .ok_or_else(|| "the archive is cut short".to_string())
}

/// The files of the archive, from its central directory.
fn entries(b: &[u8]) -> Result<Vec<Entry>, String> {
    let from = b.len().saturating_sub(22 + 65_535);
    let end = (from..b.len().saturating_sub(21))
        .rev()
        .find(|&i| b[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or("it is not a complete zip archive (its end is missing)")?;
    let count = u16_at(b, end + 10)? as usize;
    let mut at = u32_at(b, end + 16)?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(b, at)? != 0x0201_4b50 {
            return Err("its table of contents is damaged".into());
        }
        let name_len = u16_at(b, at + 28)? as usize;
        let skip = name_len + u16_at(b, at + 30)? as usize + u16_at(b, at + 32)? as usize;
        let name = b
            .get(at + 46..at + 46 + name_len)
            .ok_or("the archive is cut short")?;
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

/// One file of the archive, unpacked within what is left of `budget`.
fn unpack(b: &[u8], e: &Entry, budget: &mut usize) -> Result<Vec<u8>, String> {
    if u32_at(b, e.offset)? != 0x0403_4b50 {
        return Err(format!("its part {} is damaged", e.name));
    }
    let start =
        e.offset + 30 + u16_at(b, e.offset + 26)? as usize + u16_at(b, e.offset + 28)? as usize;
    let data = b
        .get(start..start + e.compressed)
        .ok_or("the archive is cut short")?;
    let out = match e.method {
        0 => data.to_vec(),
        8 => miniz_oxide::inflate::decompress_to_vec_with_limit(data, *budget).map_err(|err| {
            if err.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                "it unpacks to more than a spreadsheet of customer data holds (a zip bomb?)"
                    .to_string()
            } else {
                format!("its part {} is damaged", e.name)
            }
        })?,
        m => {
            return Err(format!(
                "its part {} is packed in a way not read here ({m})",
                e.name
            ));
        }
    };
    if out.len() > *budget {
        return Err(TOO_BIG.into());
    }
    *budget -= out.len();
    Ok(out)
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
    unescape_with(s, |_| None)
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

/// The text of every `<t>` in `xml`, phonetic runs (`<rPh>`) aside.
fn text_of(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        if rest.starts_with("<rPh") {
            match rest.find("</rPh>") {
                Some(end) => rest = &rest[end + 6..],
                None => break,
            }
        } else if rest.starts_with("<t>") || rest.starts_with("<t ") {
            let Some(open) = rest.find('>') else { break };
            let Some(close) = rest.find("</t>") else {
                break;
            };
            if close > open {
                out.push_str(&unescape(&rest[open + 1..close]));
            }
            rest = &rest[close.max(open) + 1..];
        } else {
            rest = &rest[1..];
        }
    }
    out
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

/// The 0-based column of a cell reference such as `AB12`.
fn column_of(reference: &str) -> Option<usize> {
    let letters: Vec<u8> = reference
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .collect();
    if letters.is_empty() {
        return None;
    }
    // Excel stops at XFD, column 16,384.
    let mut n = 0usize;
    for l in letters {
        n = n * 26 + usize::from(l.to_ascii_uppercase() - b'A' + 1);
        if n > 16_384 {
            return None;
        }
    }
    Some(n - 1)
}

const NEITHER: &str = "it is a zip archive but neither an Excel workbook (XLSX) nor an OpenDocument spreadsheet (ODS)";

/// The names of the sheets of the workbook `bytes`, in order.
pub fn sheet_names(bytes: &[u8]) -> Result<Vec<String>, String> {
    if crate::html_table::is_html_table(bytes) {
        return Ok(html_sheet_names(bytes));
    }
    if crate::xls::is_ole(bytes) {
        return Ok(crate::xls::Workbook::open(bytes)?.sheet_names());
    }
    let entries = entries(bytes)?;
    let mut budget = MAX_UNPACKED;
    let find = |name: &str| entries.iter().find(|e| e.name.eq_ignore_ascii_case(name));
    let (part, element, attribute) = if let Some(e) = find("xl/workbook.xml") {
        (e, "sheet", "name")
    } else if let Some(e) = find("content.xml") {
        (e, "table:table", "table:name")
    } else {
        return Err(NEITHER.into());
    };
    let xml = String::from_utf8_lossy(&unpack(bytes, part, &mut budget)?).into_owned();
    Ok(elements(&xml, element)
        .iter()
        .map(|(tag, _)| attr_text(tag, attribute).unwrap_or_default())
        .collect())
}

/// The names of the sheets when `bytes` is a workbook that can be read;
/// empty otherwise.
pub fn sheets_of(bytes: &[u8]) -> Vec<String> {
    if is_workbook(bytes) {
        sheet_names(bytes).unwrap_or_default()
    } else {
        Vec::new()
    }
}

/// The position of the sheet named `wanted` among `names` (case and
/// spaces aside), the first when none is named.
fn pick(names: &[String], wanted: Option<&str>) -> Result<usize, String> {
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
        return Err(format!(
            "it has no sheet named \u{201c}{wanted}\u{201d} (its sheets: {})",
            list.join(", ")
        ));
    };
    Ok(found)
}

/// The first sheet of the workbook `bytes` as comma-separated rows (row N
/// of the sheet on line N), or why it cannot be read.
pub fn first_sheet_rows(bytes: &[u8]) -> Result<Vec<u8>, String> {
    sheet_rows(bytes, None)
}

/// The sheet named `sheet` (the first when none is named) of the workbook
/// `bytes` as comma-separated rows, or why it cannot be read.
pub fn sheet_rows(bytes: &[u8], sheet: Option<&str>) -> Result<Vec<u8>, String> {
    sheet_rows_within(bytes, sheet, MAX_UNPACKED)
}

fn sheet_rows_within(bytes: &[u8], sheet: Option<&str>, limit: usize) -> Result<Vec<u8>, String> {
    if crate::html_table::is_html_table(bytes) {
        let mut tables = crate::html_table::tables(bytes);
        let index = pick(&html_sheet_names(bytes), sheet)?;
        let rows = tables
            .get_mut(index)
            .map(std::mem::take)
            .ok_or("the page holds no table")?;
        return Ok(write_rows(
            rows.into_iter()
                .enumerate()
                .map(|(i, r)| (i + 1, r))
                .collect(),
        ));
    }
    if crate::xls::is_ole(bytes) {
        let book = crate::xls::Workbook::open(bytes)?;
        let index = pick(&book.sheet_names(), sheet)?;
        return Ok(write_sparse_rows(book.rows(index, limit)?));
    }
    let entries = entries(bytes)?;
    let mut budget = limit;
    let find = |name: &str| entries.iter().find(|e| e.name.eq_ignore_ascii_case(name));
    let part = |name: &str, budget: &mut usize| -> Result<Option<String>, String> {
        match find(name) {
            Some(e) => {
                unpack(bytes, e, budget).map(|b| Some(String::from_utf8_lossy(&b).into_owned()))
            }
            None => Ok(None),
        }
    };
    let Some(workbook) = part("xl/workbook.xml", &mut budget)? else {
        return match part("content.xml", &mut budget)? {
            Some(content) => ods_rows(&content, sheet),
            None => Err(NEITHER.into()),
        };
    };
    // The sheet, through the workbook's relationships.
    let sheets = elements(&workbook, "sheet");
    let names: Vec<String> = sheets
        .iter()
        .map(|(tag, _)| attr_text(tag, "name").unwrap_or_default())
        .collect();
    let index = pick(&names, sheet)?;
    let chosen = sheets
        .get(index)
        .and_then(|(tag, _)| attr(tag, "r:id").map(str::to_string));
    let rels = part("xl/_rels/workbook.xml.rels", &mut budget)?.unwrap_or_default();
    let target = chosen
        .and_then(|id| {
            elements(&rels, "Relationship")
                .into_iter()
                .find(|(tag, _)| attr(tag, "Id") == Some(id.as_str()))
                .and_then(|(tag, _)| attr(tag, "Target").map(str::to_string))
        })
        .map(|t| match t.strip_prefix('/') {
            Some(absolute) => absolute.to_string(),
            None => format!("xl/{t}"),
        })
        .unwrap_or_else(|| format!("xl/worksheets/sheet{}.xml", index + 1));
    let shared: Vec<String> = part("xl/sharedStrings.xml", &mut budget)?
        .map(|xml| {
            elements(&xml, "si")
                .into_iter()
                .map(|(_, inner)| text_of(inner))
                .collect()
        })
        .unwrap_or_default();
    // Which cell styles are dates, by their number format (not by the
    // column's name): a number in such a cell is a serial date of the
    // workbook's 1900 or 1904 system.
    let styles = part("xl/styles.xml", &mut budget)?.unwrap_or_default();
    let is_date = date_styles(&styles);
    let date_1904 = elements(&workbook, "workbookPr")
        .first()
        .and_then(|(tag, _)| attr(tag, "date1904"))
        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    let sheet = part(&target, &mut budget)?.ok_or("the sheet is missing from the workbook")?;
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    for (tag, inner) in elements(&sheet, "row") {
        let number = attr(tag, "r")
            .and_then(|r| r.parse::<usize>().ok())
            .unwrap_or_else(|| rows.last().map_or(1, |(n, _)| n + 1));
        let mut cells: Vec<String> = Vec::new();
        for (ctag, cinner) in elements(inner, "c") {
            let col = attr(ctag, "r").and_then(column_of).unwrap_or(cells.len());
            let value = elements(cinner, "v").first().map(|(_, v)| unescape(v));
            let text = match attr(ctag, "t") {
                Some("s") => value
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .and_then(|i| shared.get(i).cloned())
                    .unwrap_or_default(),
                Some("inlineStr") => text_of(cinner),
                Some("b") => match value.as_deref() {
                    Some("1") => "TRUE".into(),
                    Some(_) => "FALSE".into(),
                    None => String::new(),
                },
                Some(_) => value.unwrap_or_default(),
                None => value
                    .map(|v| match v.trim().parse::<f64>() {
                        Ok(x) if x.is_finite() => {
                            let date = attr(ctag, "s")
                                .and_then(|s| s.parse::<usize>().ok())
                                .filter(|s| is_date.get(*s).copied().unwrap_or(false))
                                .and_then(|_| crate::xls::serial_date(x, date_1904));
                            date.unwrap_or_else(|| format!("{x}"))
                        }
                        _ => v,
                    })
                    .unwrap_or_default(),
            };
            if col >= cells.len() {
                cells.resize(col + 1, String::new());
            }
            cells[col] = text;
        }
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        rows.push((number.min(MAX_ROWS), cells));
    }
    Ok(write_rows(rows))
}

/// For each cell style of `xl/styles.xml` (`cellXfs`, in order), whether
/// its number format writes a date: a built-in date format or a custom
/// one made of date and time parts.
fn date_styles(styles: &str) -> Vec<bool> {
    let custom: Vec<(u16, String)> = elements(styles, "numFmt")
        .into_iter()
        .filter_map(|(tag, _)| {
            let id = attr(tag, "numFmtId")?.parse().ok()?;
            Some((id, attr_text(tag, "formatCode").unwrap_or_default()))
        })
        .collect();
    let Some((_, xfs)) = elements(styles, "cellXfs").into_iter().next() else {
        return Vec::new();
    };
    elements(xfs, "xf")
        .into_iter()
        .map(|(tag, _)| {
            let id: u16 = attr(tag, "numFmtId")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let code = custom
                .iter()
                .find(|(c, _)| *c == id)
                .map(|(_, code)| code.as_str());
            crate::xls::format_is_date(id, code)
        })
        .collect()
}

/// The most rows a sheet has (Excel's and LibreOffice's limit).
const MAX_ROWS: usize = 1 << 20;
/// The most columns a sheet has.
const MAX_COLUMNS: usize = 16_384;
/// The most cells an ODS sheet's repeats may write out.
const MAX_CELLS: usize = 50_000_000;

/// The rows as comma-separated lines, padded to the widest, row N on line
/// N (rows a sheet skips are blank lines; line breaks inside a cell become
/// spaces, or the rows after it would move down).
fn write_rows(rows: Vec<(usize, Vec<String>)>) -> Vec<u8> {
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

/// As [`write_rows`], for rows given as their non-empty cells, `(column,
/// text)` in column order: no row is ever held padded to the widest.
fn write_sparse_rows(rows: Vec<crate::xls::SparseRow>) -> Vec<u8> {
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
                push_cell(&mut out, text);
            }
        }
        out.push(b'\n');
        line += 1;
    }
    out
}

/// A cell as a CSV field, its line breaks as spaces (or the rows after it
/// would move down).
fn push_cell(out: &mut Vec<u8>, cell: &str) {
    if cell.contains(['\n', '\r']) {
        let flat = cell.replace("\r\n", " ").replace(['\n', '\r'], " ");
        crate::delimited::push_csv_field(out, &flat);
    } else {
        crate::delimited::push_csv_field(out, cell);
    }
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
fn ods_rows(content: &str, sheet: Option<&str>) -> Result<Vec<u8>, String> {
    let tables = elements(content, "table:table");
    let names: Vec<String> = tables
        .iter()
        .map(|(tag, _)| attr_text(tag, "table:name").unwrap_or_default())
        .collect();
    if tables.is_empty() {
        return Err("it is an OpenDocument file without a sheet".into());
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
                return Err(format!(
                    "its row {number} has more than {MAX_COLUMNS} columns"
                ));
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
            return Err(format!("it has more than {MAX_ROWS} rows"));
        }
        // Repeats multiply cells: as for a zip bomb, a bound.
        total_cells = total_cells.saturating_add(cells.len().saturating_mul(repeat));
        if total_cells > MAX_CELLS {
            return Err(TOO_BIG.into());
        }
        for _ in 0..repeat {
            rows.push((number, cells.clone()));
            number += 1;
        }
    }
    Ok(write_rows(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_workbooks_read_back() {
        let header: Vec<String> = ["customer_id", "order_date", "amount", "note"]
            .map(String::from)
            .to_vec();
        let rows = vec![
            vec![
                "C1".into(),
                "2024-01-02".into(),
                "40.35".into(),
                "a, \"b\" & <c>".into(),
            ],
            vec![
                "007".into(),
                "2024-01-03".into(),
                "-12".into(),
                String::new(),
            ],
        ];
        let book = crate::xlsx::workbook("Orders", &header, &rows);
        assert!(is_zip(&book));
        let text = String::from_utf8(first_sheet_rows(&book).unwrap()).unwrap();
        assert_eq!(
            text,
            "customer_id,order_date,amount,note\nC1,2024-01-02,40.35,\"a, \"\"b\"\" & <c>\"\n007,2024-01-03,-12,\n"
        );
    }

    /// A workbook of two sheets: the first by default, the other by name
    /// (case and spaces aside); a name that is not there says which are.
    #[test]
    fn a_sheet_is_chosen_by_name() {
        let workbook = r#"<workbook xmlns:r="r"><sheets><sheet name="Notes" sheetId="1" r:id="rId1"/><sheet name="Ventes &amp; retours" sheetId="2" r:id="rId2"/></sheets></workbook>"#;
        let rels = r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="worksheets/sheet2.xml"/></Relationships>"#;
        let sheet = |text: &str| {
            format!(
                r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row></sheetData></worksheet>"#
            )
        };
        let book = crate::xlsx::zip_parts(&[
            ("xl/workbook.xml", workbook.to_string()),
            ("xl/_rels/workbook.xml.rels", rels.to_string()),
            ("xl/worksheets/sheet1.xml", sheet("notes")),
            ("xl/worksheets/sheet2.xml", sheet("ventes")),
        ]);
        assert_eq!(sheet_names(&book).unwrap(), ["Notes", "Ventes & retours"]);
        assert_eq!(sheet_rows(&book, None).unwrap(), b"notes\n");
        assert_eq!(
            sheet_rows(&book, Some("Ventes & retours")).unwrap(),
            b"ventes\n"
        );
        assert_eq!(
            sheet_rows(&book, Some(" ventes & RETOURS ")).unwrap(),
            b"ventes\n"
        );
        let err = sheet_rows(&book, Some("2025")).unwrap_err();
        assert!(err.contains("no sheet named \u{201c}2025\u{201d}"), "{err}");
        assert!(
            err.contains("\u{201c}Notes\u{201d}, \u{201c}Ventes & retours\u{201d}"),
            "{err}"
        );
        assert_eq!(
            label(&book, Some("Notes")),
            "Excel workbook, sheet \u{201c}Notes\u{201d}"
        );
        // The same in an OpenDocument spreadsheet.
        let table = |name: &str, text: &str| {
            format!(
                r#"<table:table table:name="{name}"><table:table-row><table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell></table:table-row></table:table>"#
            )
        };
        let content = format!(
            "<office:document-content><office:body><office:spreadsheet>{}{}</office:spreadsheet></office:body></office:document-content>",
            table("Feuille 1", "un"),
            table("Clients", "deux")
        );
        let ods = crate::xlsx::zip_parts(&[("content.xml", content)]);
        assert_eq!(sheet_names(&ods).unwrap(), ["Feuille 1", "Clients"]);
        assert_eq!(sheet_rows(&ods, Some("Clients")).unwrap(), b"deux\n");
        assert_eq!(sheet_rows(&ods, None).unwrap(), b"un\n");
        assert_eq!(sheets_of(b"a,b\n1,2\n"), Vec::<String>::new());
    }

    /// A workbook as Excel writes it: shared strings (one in rich-text
    /// runs, one with a phonetic run), numbers stored with 17 digits, a
    /// date as a serial number, a boolean, a skipped row, cells out of
    /// their columns.
    #[test]
    fn shared_strings_numbers_and_gaps() {
        let shared = r#"<?xml version="1.0"?><sst xmlns="x" count="5"><si><t>client</t></si><si><t>date</t></si><si><t>montant</t></si><si><r><t>Dupont</t></r><r><rPr><b/></rPr><t xml:space="preserve"> &amp; fils</t></r></si><si><t>Lyon</t><rPh sb="0" eb="1"><t>リヨン</t></rPh></si></sst>"#;
        let sheet = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="E1" t="inlineStr"><is><t>ok</t></is></c></row><row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3" s="1"><v>45292</v></c><c r="C3"><v>0.10000000000000001</v></c><c r="D3" t="s"><v>4</v></c><c r="E3" t="b"><v>1</v></c></row><row r="4"><c r="C4"><v>1.5E3</v></c></row></sheetData></worksheet>"#;
        let workbook = r#"<workbook xmlns:r="r"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId3"/></sheets></workbook>"#;
        let rels = r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet9.xml"/><Relationship Id="rId3" Target="/xl/worksheets/sheet2.xml"/></Relationships>"#;
        let book = crate::xlsx::zip_parts(&[
            ("xl/workbook.xml", workbook.to_string()),
            ("xl/_rels/workbook.xml.rels", rels.to_string()),
            ("xl/sharedStrings.xml", shared.to_string()),
            ("xl/worksheets/sheet2.xml", sheet.to_string()),
        ]);
        let text = String::from_utf8(first_sheet_rows(&book).unwrap()).unwrap();
        assert_eq!(
            text,
            "client,date,montant,,ok\n\nDupont & fils,45292,0.1,Lyon,TRUE\n,,1500,,\n"
        );
    }

    #[test]
    fn date_cells_read_from_their_number_format() {
        // Styles: 0 General, 1 built-in 22 (m/d/yy h:mm), 2 a custom
        // `dd/mm/yyyy`, 3 a custom number format with a quoted "d".
        let styles = r#"<styleSheet><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="0.00&quot; d&quot;"/></numFmts><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="22" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>"#;
        // 40513.3513888889 is 2010-12-01 08:26 stored with 15 digits: a
        // hair under the minute, read to the nearest second.
        let sheet = r#"<worksheet><sheetData><row r="1"><c r="A1" s="1"><v>40513.3513888889</v></c><c r="B1" s="2"><v>45292</v></c><c r="C1" s="0"><v>45292</v></c><c r="D1" s="3"><v>2.5</v></c></row></sheetData></worksheet>"#;
        let book = |workbook: &str| {
            crate::xlsx::zip_parts(&[
                ("xl/workbook.xml", workbook.to_string()),
                ("xl/styles.xml", styles.to_string()),
                ("xl/worksheets/sheet1.xml", sheet.to_string()),
            ])
        };
        let plain = book(r#"<workbook><sheets><sheet name="A"/></sheets></workbook>"#);
        assert_eq!(
            String::from_utf8(first_sheet_rows(&plain).unwrap()).unwrap(),
            "2010-12-01 08:26:00,2024-01-01,45292,2.5\n"
        );
        // The 1904 system counts from 1904-01-01: 1,462 days later.
        let mac = book(
            r#"<workbook><workbookPr date1904="1"/><sheets><sheet name="A"/></sheets></workbook>"#,
        );
        assert_eq!(
            String::from_utf8(first_sheet_rows(&mac).unwrap()).unwrap(),
            "2014-12-02 08:26:00,2028-01-02,45292,2.5\n"
        );
    }

    #[test]
    fn an_opendocument_sheet_with_repeats_dates_and_spaces() {
        let cell = |kind: &str, extra: &str, text: &str| {
            format!(
                r#"<table:table-cell office:value-type="{kind}"{extra}><text:p>{text}</text:p></table:table-cell>"#
            )
        };
        let row =
            |cells: &[String]| format!("<table:table-row>{}</table:table-row>", cells.concat());
        let content = [
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content><office:body><office:spreadsheet><table:table table:name="Commandes"><table:table-column table:number-columns-repeated="4"/>"#.to_string(),
            row(&[cell("string", "", "client"), cell("string", "", "date"), cell("string", "", "montant"), cell("string", "", "note")]),
            row(&[
                cell("string", "", "a@x.com"),
                cell("date", r#" office:date-value="2025-01-31""#, "31/01/2025"),
                cell("float", r#" office:value="1234.5""#, "1 234,50"),
                r#"<table:table-cell office:value-type="string"><text:p>deux<text:s text:c="2"/>espaces, &amp; virgule</text:p><text:p>ligne 2</text:p></table:table-cell>"#.to_string(),
            ]),
            r#"<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="4"/></table:table-row>"#.to_string(),
            format!(
                r#"<table:table-row table:number-rows-repeated="2">{}<table:covered-table-cell/>{}{}</table:table-row>"#,
                cell("string", "", "b"),
                cell("float", r#" office:value="10""#, "10"),
                cell("boolean", r#" office:boolean-value="true""#, "VRAI")
            ),
            // LibreOffice pads a sheet to its end with empty rows.
            r#"<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#.to_string(),
            r#"</table:table><table:table table:name="Autre"><table:table-row><table:table-cell office:value-type="string"><text:p>second sheet</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#.to_string(),
        ]
        .concat();
        let ods = crate::xlsx::zip_parts(&[
            (
                "mimetype",
                "application/vnd.oasis.opendocument.spreadsheet".to_string(),
            ),
            ("content.xml", content),
        ]);
        let csv = String::from_utf8(first_sheet_rows(&ods).unwrap()).unwrap();
        assert_eq!(
            csv,
            "client,date,montant,note\na@x.com,2025-01-31,1234.5,\"deux  espaces, & virgule ligne 2\"\n\n\nb,,10,TRUE\nb,,10,TRUE\n"
        );
        // Orders read from it, the errors on the sheet's rows: b's rows have
        // no date (a covered cell).
        let (orders, report) = crate::import_orders(
            "commandes.csv",
            csv.as_bytes(),
            crate::ImportOptions::default(),
        )
        .unwrap();
        assert_eq!(orders.len(), 1);
        let lines: Vec<u64> = report.rejected.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![5, 6]);
        // Repeats that would write out too much are refused.
        let bomb = format!(
            r#"<table:table><table:table-row table:number-rows-repeated="1000000">{}</table:table-row></table:table>"#,
            r#"<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16000"/>"#
        );
        assert!(ods_rows(&bomb, None).unwrap_err().contains("zip bomb"));
    }

    #[test]
    fn damaged_cells_are_read_without_panicking() {
        // Found by the fuzzer: a start tag cut short by a closing tag.
        let cells = elements(r#"<c r="H121" t="inl</c><c r="A1"><v>3</v></c>"#, "c");
        assert_eq!(cells.len(), 1, "{cells:?}");
        assert_eq!(cells[0].1, "<v>3</v>");
        // References past Excel's last column are not columns.
        assert_eq!(column_of("XFD7"), Some(16_383));
        assert_eq!(column_of("XFE7"), None);
        assert_eq!(column_of(&"Z".repeat(40)), None);
    }

    #[test]
    fn bombs_and_broken_archives_are_refused() {
        // 8 MB of zeros packs into a few kB; here the limit is 4 MB.
        let zeros = "\0".repeat(8 << 20);
        let book = crate::xlsx::zip_parts(&[("xl/workbook.xml", zeros)]);
        assert!(book.len() < 100_000);
        let err = sheet_rows_within(&book, None, 4 << 20).unwrap_err();
        assert!(err.contains("zip bomb"), "{err}");
        let book = crate::xlsx::workbook("S", &["a".to_string()], &[]);
        let err = first_sheet_rows(&book[..book.len() / 2]).unwrap_err();
        assert_eq!(err, "it is not a complete zip archive (its end is missing)");
        let ods = crate::xlsx::zip_parts(&[("content.xml", "<x/>".to_string())]);
        assert!(
            first_sheet_rows(&ods)
                .unwrap_err()
                .contains("without a sheet")
        );
    }
}
