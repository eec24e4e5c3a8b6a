//! A source file read as a text table: its rows and header, the fields
//! each kind of source needs, and the first rows for a preview.

use super::*;

/// How to read a source file: what the user chose instead of what is
/// detected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReadOptions {
    /// The encoding, instead of the detected one.
    #[serde(default)]
    pub encoding: Option<Encoding>,
    /// The sheet of a workbook to read, instead of the first.
    #[serde(default)]
    pub sheet: Option<String>,
    /// Columns chosen for fields, by the field's key (see [`fields`]).
    #[serde(default)]
    pub map: Vec<(String, ColumnRef)>,
    /// What the file holds, instead of what its columns suggest.
    #[serde(default)]
    pub kind: Option<SourceKind>,
    /// Today, to point at dates after it (none: not checked).
    #[serde(default)]
    pub today: Option<Day>,
    /// For an order file: keep cancelled, failed, pending, draft and test
    /// orders (see [`crate::import::orders::ImportOptions::all_statuses`]).
    #[serde(default)]
    pub all_statuses: bool,
    /// For an order file: the encoding found over the whole file (see
    /// [`crate::import::orders::ImportOptions::encoding_guess`]).
    #[serde(default)]
    pub encoding_guess: Option<Encoding>,
}

/// A field a source reads from one of its columns.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Its key in [`ReadOptions::map`] (the first of its names).
    pub key: &'static str,
    /// What it is, in plain words.
    pub label: &'static str,
    /// True when the file cannot be read without it.
    pub required: bool,
    /// The column names it is found by.
    pub(super) names: &'static [&'static str],
}

pub(super) const fn field(
    names: &'static [&'static str],
    label: &'static str,
    required: bool,
) -> Field {
    Field {
        key: names[0],
        label,
        required,
        names,
    }
}

/// The fields a source of `kind` reads (orders have their own roles, see
/// [`crate::import::roles::Role`]).
pub fn fields(kind: SourceKind) -> &'static [Field] {
    const EMAIL_FIELDS: &[Field] = &[
        field(CUSTOMER, "Customer (id or e-mail)", true),
        field(CAMPAIGN, "Campaign", false),
        field(SENT, "Sent on", false),
        field(DELIVERED, "Delivered", false),
        field(OPENED, "Opened", false),
        field(CLICKED, "Clicked", false),
        field(UNSUBSCRIBED, "Unsubscribed", false),
        field(GROUP, "Group (control or treatment)", false),
        field(VARIANT, "Variant (A/B)", false),
    ];
    const SURVEY_FIELDS: &[Field] = &[
        field(CUSTOMER, "Customer (id or e-mail)", true),
        field(ANSWERED, "Answered on", false),
        field(NPS, "NPS answer (0 to 10)", false),
        field(CSAT, "CSAT answer (1 to 5)", false),
    ];
    const CUSTOMER_FIELDS: &[Field] = &[
        field(CUSTOMER, "Customer (id or e-mail)", true),
        field(EMAIL, "E-mail", false),
        field(FIRST_NAME, "First name", false),
        field(LAST_NAME, "Last name", false),
    ];
    const EVENT_FIELDS: &[Field] = &[
        field(CUSTOMER, "Customer (id or e-mail)", true),
        field(EVENT, "Event or page", true),
        field(TIMESTAMP, "Time", true),
        field(SESSION, "Session", false),
    ];
    const TICKET_FIELDS: &[Field] = &[
        field(CUSTOMER, "Customer (id or e-mail)", true),
        field(CREATED, "Opened on", true),
        field(RESOLVED, "Resolved on", false),
    ];
    const COST_FIELDS: &[Field] = &[
        field(COST_DATE, "Date", true),
        field(SPEND, "Spend", true),
        field(CHANNEL, "Channel or campaign", false),
    ];
    match kind {
        SourceKind::Orders => &[],
        SourceKind::Email => EMAIL_FIELDS,
        SourceKind::Surveys => SURVEY_FIELDS,
        SourceKind::Customers => CUSTOMER_FIELDS,
        SourceKind::Events => EVENT_FIELDS,
        SourceKind::Tickets => TICKET_FIELDS,
        SourceKind::Costs => COST_FIELDS,
    }
}

/// What a source file's first rows give with some choices: what it was
/// taken for, the column of each field, and the first rows as they would
/// be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourcePreview {
    /// What the file was taken for (none: nothing recognised).
    pub kind: Option<SourceKind>,
    /// The file's columns.
    pub columns: Vec<String>,
    /// Each field: key, label, required, the column it is read from.
    pub fields: Vec<(String, String, bool, Option<usize>)>,
    /// The first accepted rows: each field's value, in the fields' order.
    pub rows: Vec<Vec<String>>,
    /// The line each of those rows is on.
    pub lines: Vec<u64>,
    /// The rows of the head that would be rejected.
    pub rejected: Vec<RowError>,
    /// Why the file cannot be read with these choices, if it cannot.
    pub error: Option<ImportError>,
    /// The sheets of a workbook, in order (empty for other files).
    pub sheets: Vec<String>,
}

/// Reads the first bytes of a source file (`head`; whole lines are kept
/// unless `whole`) with `options`, for a preview.
pub fn preview(file_name: &str, head: &[u8], whole: bool, options: &ReadOptions) -> SourcePreview {
    let head = match memchr::memrchr(b'\n', head) {
        Some(end) if !whole && !crate::import::spreadsheet::is_workbook(head) => &head[..end + 1],
        _ => head,
    };
    let mut out = SourcePreview {
        sheets: crate::import::spreadsheet::sheets_of(head),
        ..SourcePreview::default()
    };
    let table = match read_text_table_as(file_name, head, options) {
        Ok(t) => t,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    out.columns = table.names.clone();
    let kind = options.kind.or_else(|| classify_header(&table.header()));
    out.kind = kind;
    let Some(kind) = kind.filter(|k| *k != SourceKind::Orders) else {
        return out;
    };
    let header = table.header();
    out.fields = fields(kind)
        .iter()
        .map(|f| {
            (
                f.key.to_string(),
                f.label.to_string(),
                f.required,
                find(&header, f.names),
            )
        })
        .collect();
    let mut orders = Orders::default();
    let built = match kind {
        SourceKind::Email => build_email(&table, &mut orders).map(|(_, r)| r),
        SourceKind::Surveys => build_surveys(&table, &mut orders).map(|(_, r)| r),
        SourceKind::Customers => build_customers(&table, &mut orders).map(|(_, r)| r),
        SourceKind::Events => build_events(&table, &mut orders).map(|(_, r)| r),
        SourceKind::Tickets => build_tickets(&table, &mut orders).map(|(_, r)| r),
        SourceKind::Costs => build_costs(&table).map(|(_, r)| r),
        SourceKind::Orders => return out,
    };
    let report = match built {
        Ok(r) => r,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        if report.rejected.iter().any(|e| e.line == line) || out.rows.len() >= 8 {
            continue;
        }
        out.rows.push(
            out.fields
                .iter()
                .map(|(_, _, _, c)| c.and_then(|c| row.get(c)).cloned().unwrap_or_default())
                .collect(),
        );
        out.lines.push(line);
    }
    out.rejected = report.rejected.into_iter().take(20).collect();
    out
}

/// Reads a whole delimited file with a header line.
pub fn read_text_table(file_name: &str, bytes: &[u8]) -> Result<TextTable, ImportError> {
    read_text_table_as(file_name, bytes, &ReadOptions::default())
}

/// As [`read_text_table`], with the user's choices: encoding, sheet and
/// columns for fields (a column that is not in the file is an error).
pub fn read_text_table_as(
    file_name: &str,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<TextTable, ImportError> {
    let mut table = read_rows(file_name, bytes, options)?;
    table.today = options.today;
    for (key, column) in &options.map {
        let at = match column {
            ColumnRef::Position(p) => Some(p - 1).filter(|i| *i < table.names.len()),
            ColumnRef::Name(name) => table.names.iter().position(|n| n == name).or_else(|| {
                table
                    .names
                    .iter()
                    .position(|n| normalise(n) == normalise(name))
            }),
        };
        let Some(at) = at else {
            return Err(ImportError::UnknownColumn {
                file: file_name.to_string(),
                column: match column {
                    ColumnRef::Position(p) => p.to_string(),
                    ColumnRef::Name(n) => n.clone(),
                },
            });
        };
        table.forced.retain(|(k, _)| k != key);
        table.forced.push((key.clone(), at));
    }
    Ok(table)
}

pub(super) fn read_rows(
    file_name: &str,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<TextTable, ImportError> {
    let forced = options.encoding;
    let file = file_name.to_string();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty { file });
    }
    // A workbook: the chosen sheet (the first by default), as rows.
    let sheet;
    let bytes = if crate::import::spreadsheet::is_workbook(bytes) {
        sheet = crate::import::spreadsheet::sheet_rows(bytes, options.sheet.as_deref()).map_err(
            |reason| ImportError::Spreadsheet {
                file: file.clone(),
                reason,
            },
        )?;
        &sheet[..]
    } else {
        bytes
    };
    // Over the whole file: an accent far down a Windows-1252 file decides.
    let (encoding, bom) = delimited::choose_encoding(bytes, forced);
    let mut text = Vec::with_capacity(bytes.len());
    let mut transcoder = Transcoder::new(encoding);
    if delimited::cr_line_breaks(&bytes[..bytes.len().min(64 * 1024)]) {
        transcoder.set_cr_line_breaks();
    }
    transcoder.push(&bytes[bom..], &mut text);
    let sample = &text[..text.len().min(64 * 1024)];
    if let Some(offset) = delimited::binary_offset(sample) {
        return Err(ImportError::Binary { file, offset });
    }
    // JSON lines: rows under a header of their keys written as line 0, so
    // that rows keep the file's line numbers; a line that is not a JSON
    // object stops the import, naming it.
    let (text, mut splitter) = if crate::import::jsonl::looks_like_json_lines(sample) {
        let (rows, converter) = crate::import::jsonl::to_rows(&text);
        if let Some((line, fault)) = converter.errors.first() {
            return Err(ImportError::BadLine {
                file,
                line: *line,
                fault: fault.clone(),
            });
        }
        (
            rows,
            Splitter::starting_at(delimited::Delimiter::Byte(b','), 0),
        )
    } else {
        // A report's preamble (Google Analytics) is skipped; lines keep
        // their numbers in the file.
        let (skip, lines) = delimited::preamble(sample);
        let delimiter = delimited::sniff_delimiter(&sample[skip..]);
        let mut text = text;
        text.drain(..skip);
        (text, Splitter::starting_at(delimiter, 1 + lines))
    };
    let mut records: Vec<(u64, Vec<String>)> = Vec::new();
    let mut take = |r: Record<'_>| {
        records.push((
            r.line,
            (0..r.len())
                .map(|i| {
                    delimited::decode_field(encoding, r.field(i))
                        .trim()
                        .to_string()
                })
                .collect(),
        ));
    };
    splitter.feed(&text, &mut take);
    splitter.finish(&mut take);
    let mut it = records.into_iter();
    let (_, names) = it.next().ok_or(ImportError::Empty { file })?;
    let (lines, rows) = it.unzip();
    Ok(TextTable {
        file_name: file_name.to_string(),
        names,
        rows,
        lines,
        forced: Vec::new(),
        today: None,
    })
}

/// The column the user chose for the field `wanted` (its key is its first
/// name), or else the first column not chosen for another field whose
/// normalised name is one of `wanted`, or contains one of them as whole
/// words.
pub(super) fn find(header: &Header<'_>, wanted: &[&str]) -> Option<usize> {
    if let Some((_, c)) = header.forced.iter().find(|(k, _)| k == wanted[0]) {
        return Some(*c);
    }
    let taken = |i: usize| header.forced.iter().any(|(_, c)| *c == i);
    let norm: Vec<String> = header.names.iter().map(|n| normalise(n)).collect();
    let free = |i: &usize| !taken(*i);
    norm.iter()
        .enumerate()
        .position(|(i, n)| free(&i) && wanted.contains(&n.as_str()))
        .or_else(|| {
            norm.iter().enumerate().position(|(i, n)| {
                if taken(i) {
                    return false;
                }
                let words: Vec<&str> = n.split('_').collect();
                wanted.iter().any(|w| {
                    let ww: Vec<&str> = w.split('_').collect();
                    words.windows(ww.len()).any(|x| x == ww.as_slice())
                })
            })
        })
}

/// The rows of a customers file that hold an answer (an NPS or CSAT cell),
/// as its survey answers: in such a file an empty cell is no answer, not a
/// rejected row.
pub(crate) fn answered_rows(table: &TextTable) -> TextTable {
    let header = table.header();
    let columns: Vec<usize> = [NPS, CSAT]
        .iter()
        .filter_map(|names| find(&header, names))
        .collect();
    let answered = |row: &Vec<String>| {
        columns
            .iter()
            .any(|c| row.get(*c).is_some_and(|v| !v.trim().is_empty()))
    };
    let (rows, lines) = table
        .rows
        .iter()
        .zip(&table.lines)
        .filter(|(row, _)| answered(row))
        .map(|(row, line)| (row.clone(), *line))
        .unzip();
    TextTable {
        rows,
        lines,
        ..table.clone_header()
    }
}

impl TextTable {
    /// The same file with no row.
    pub(super) fn clone_header(&self) -> TextTable {
        TextTable {
            file_name: self.file_name.clone(),
            names: self.names.clone(),
            rows: Vec::new(),
            lines: Vec::new(),
            forced: self.forced.clone(),
            today: self.today,
        }
    }
}

/// A flag as exports write it: `1`, `yes`, `true`, `oui`, a count above
/// zero or a timestamp mean yes; `0`, `no`, `false`, `non` or nothing mean
/// no.
pub(crate) fn parse_flag(text: &str) -> Option<bool> {
    let t = text.trim().to_lowercase();
    match t.as_str() {
        "" | "0" | "no" | "n" | "false" | "non" | "faux" | "f" => Some(false),
        "1" | "yes" | "y" | "true" | "oui" | "vrai" | "x" | "t" => Some(true),
        _ => {
            if let Ok(n) = t.parse::<f64>() {
                return Some(n > 0.0);
            }
            date::detect(&[text.trim()]).map(|_| true)
        }
    }
}
