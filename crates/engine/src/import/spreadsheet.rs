//! A sheet of a workbook read as comma-separated rows, row N of the sheet
//! on line N, so that every message names the row the spreadsheet shows;
//! the importers then read it as any other file. The first sheet is read
//! unless another is named ([`sheet_names`] lists them).
//!
//! Excel (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`) and OpenDocument (`.ods`)
//! workbooks are read by calamine (`import::workbook`, the `workbook`
//! feature); an HTML table saved as `.xls` by `import::html_table`.
//!
//! Cells: text as written, numbers in their shortest form
//! (`0.10000000000000001` as Excel stores 0.1 reads `0.1`), cells whose
//! number format is a date as ISO dates (a time of day too when they have
//! one) in the workbook's 1900 or 1904 date system, `TRUE`/`FALSE`,
//! formulas by their last value. Rows a sheet skips are blank lines, not
//! the empty ones that only pad a sheet to its end. Line breaks inside a
//! cell become spaces (row N stays on line N). Every row is padded to the
//! widest. A workbook that unpacks to more than [`MAX_UNPACKED`] bytes (a
//! zip bomb) is refused.

use crate::model::message::Message;

use crate::import::parts::{MAX_UNPACKED, is_ole, is_zip, part_names, pick, write_rows};

/// What a spreadsheet is and which sheet is read, for the import report.
pub fn label(bytes: &[u8], sheet: Option<&str>) -> Message {
    let kind = match ReadHeader::of(bytes) {
        Some(read) => read.kind,
        None => kind_of(bytes),
    };
    match sheet {
        Some(name) => Message::new("engine.with.sheet_named")
            .with("kind", kind)
            .with("sheet", name),
        None => Message::new("engine.with.first_sheet").with("kind", kind),
    }
}

/// What kind of workbook the bytes are, in the report's words.
fn kind_of(bytes: &[u8]) -> Message {
    Message::new(if crate::import::html_table::is_html_table(bytes) {
        "engine.html_table_saved_as_a_workbook"
    } else if is_ole(bytes) {
        "engine.excel_97_2003_workbook_xls"
    } else if part_names(bytes).is_ok_and(|e| {
        e.iter().any(|x| x == "content.xml")
            && !e.iter().any(|x| x.eq_ignore_ascii_case("xl/workbook.xml"))
    }) {
        "engine.opendocument_spreadsheet"
    } else {
        "engine.excel_workbook"
    })
}

/// True when the bytes start like a workbook: a zip archive (XLSX, ODS),
/// an OLE2 compound file (`.xls`) or an HTML table (a back-office's
/// `.xls`).
pub fn is_workbook(bytes: &[u8]) -> bool {
    is_zip(bytes)
        || is_ole(bytes)
        || crate::import::html_table::is_html_table(bytes)
        || bytes.starts_with(READ_MAGIC)
}

/// The first bytes of a workbook already read ([`ReadWorkbook`]).
pub const READ_MAGIC: &[u8] = b"\0SegLens sheets 1\n";

/// A workbook already turned into rows, every sheet of it: what the page's
/// workbook worker (which has calamine) hands its import worker (which
/// does not). Its bytes ([`ReadWorkbook::to_bytes`]) are read as the
/// workbook itself would be, sheet by sheet, with the same messages.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReadWorkbook {
    /// What the workbook is, as [`label`] names it ("Excel workbook").
    pub kind: Message,
    /// The workbook's own size in bytes (the report gives the file's).
    pub size: u64,
    /// Each sheet's name and rows, or why the workbook could not be read.
    pub sheets: Result<Vec<(String, Vec<u8>)>, Message>,
}

impl ReadWorkbook {
    /// Reads every sheet of the workbook `bytes`.
    pub fn read(bytes: &[u8]) -> ReadWorkbook {
        let kind = kind_of(bytes);
        #[cfg(feature = "workbook")]
        let sheets = if is_zip(bytes) || is_ole(bytes) {
            // Opened once for all its sheets.
            crate::import::workbook::all_sheet_rows(bytes)
        } else {
            sheets_one_by_one(bytes)
        };
        #[cfg(not(feature = "workbook"))]
        let sheets = sheets_one_by_one(bytes);
        ReadWorkbook {
            kind,
            size: bytes.len() as u64,
            sheets,
        }
    }

    /// The workbook `bytes`, which could not be read for `reason`.
    pub fn unreadable(bytes: &[u8], reason: Message) -> ReadWorkbook {
        ReadWorkbook {
            kind: kind_of(bytes),
            size: bytes.len() as u64,
            sheets: Err(reason),
        }
    }

    /// The workbook read, as bytes the importers take for the workbook.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = READ_MAGIC.to_vec();
        // Serialising strings and byte lists into a Vec cannot fail.
        bincode::serialize_into(&mut out, self).expect("a read workbook serialises");
        out
    }

    /// The workbook read back from [`ReadWorkbook::to_bytes`]'s bytes.
    fn from_bytes(bytes: &[u8]) -> Option<ReadWorkbook> {
        bincode::deserialize(bytes.strip_prefix(READ_MAGIC)?).ok()
    }
}

/// The fields a [`ReadWorkbook`]'s bytes start with: what the report needs
/// of it, read without its sheets' rows.
#[derive(serde::Deserialize)]
struct ReadHeader {
    kind: Message,
    size: u64,
}

impl ReadHeader {
    fn of(bytes: &[u8]) -> Option<ReadHeader> {
        bincode::deserialize(bytes.strip_prefix(READ_MAGIC)?).ok()
    }
}

/// Every sheet of a workbook (or an HTML page's tables), read by name.
fn sheets_one_by_one(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, Message> {
    sheet_names(bytes).and_then(|names| {
        names
            .into_iter()
            .map(|name| sheet_rows(bytes, Some(&name)).map(|rows| (name, rows)))
            .collect()
    })
}

/// The names given to an HTML page's tables, as sheets.
fn html_sheet_names(bytes: &[u8]) -> Vec<String> {
    (1..=crate::import::html_table::tables(bytes).len())
        .map(|i| format!("Table {i}"))
        .collect()
}

/// The names of the sheets of the workbook `bytes`, in order.
pub fn sheet_names(bytes: &[u8]) -> Result<Vec<String>, Message> {
    if crate::import::html_table::is_html_table(bytes) {
        return Ok(html_sheet_names(bytes));
    }
    if bytes.starts_with(READ_MAGIC) {
        return Ok(read_back(bytes)?
            .into_iter()
            .map(|(name, _)| name)
            .collect());
    }
    read_by_calamine_names(bytes)
}

/// The size of the workbook whose sheets `bytes` are, when they are a
/// workbook already read.
pub(crate) fn size_before_reading(bytes: &[u8]) -> Option<u64> {
    if bytes.starts_with(READ_MAGIC) {
        ReadHeader::of(bytes).map(|read| read.size)
    } else {
        None
    }
}

/// The sheets of a workbook already read, or why it could not be read.
fn read_back(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, Message> {
    let read = ReadWorkbook::from_bytes(bytes)
        .ok_or_else(|| Message::new("engine.its_sheets_read_before_are_damaged"))?;
    let sheets = read.sheets?;
    if sheets.is_empty() {
        return Err(Message::new(
            "engine.it_is_an_excel_workbook_without_a_sheet",
        ));
    }
    Ok(sheets)
}

#[cfg(feature = "workbook")]
fn read_by_calamine_names(bytes: &[u8]) -> Result<Vec<String>, Message> {
    crate::import::workbook::sheet_names(bytes)
}

#[cfg(not(feature = "workbook"))]
fn read_by_calamine_names(_: &[u8]) -> Result<Vec<String>, Message> {
    Err(NO_READER)
}

/// What a build without the workbook reader says of a workbook (the page
/// turns workbooks into rows before its import worker sees them).
#[cfg(not(feature = "workbook"))]
pub(crate) const NO_READER: Message = Message::new(
    "engine.it_is_a_workbook_and_this_part_of_seglens_reads_workbooks_only_once_they_are_turned_into_rows",
);

/// The names of the sheets when `bytes` is a workbook that can be read;
/// empty otherwise.
pub(crate) fn sheets_of(bytes: &[u8]) -> Vec<String> {
    if is_workbook(bytes) {
        sheet_names(bytes).unwrap_or_default()
    } else {
        Vec::new()
    }
}

/// The first sheet of the workbook `bytes` as comma-separated rows (row N
/// of the sheet on line N), or why it cannot be read.
pub fn first_sheet_rows(bytes: &[u8]) -> Result<Vec<u8>, Message> {
    sheet_rows(bytes, None)
}

/// The sheet named `sheet` (the first when none is named) of the workbook
/// `bytes` as comma-separated rows, or why it cannot be read.
pub fn sheet_rows(bytes: &[u8], sheet: Option<&str>) -> Result<Vec<u8>, Message> {
    sheet_rows_within(bytes, sheet, MAX_UNPACKED)
}

fn sheet_rows_within(bytes: &[u8], sheet: Option<&str>, limit: usize) -> Result<Vec<u8>, Message> {
    if crate::import::html_table::is_html_table(bytes) {
        let mut tables = crate::import::html_table::tables(bytes);
        let index = pick(&html_sheet_names(bytes), sheet)?;
        let rows = tables
            .get_mut(index)
            .map(std::mem::take)
            .ok_or_else(|| Message::new("engine.the_page_holds_no_table"))?;
        return Ok(write_rows(
            rows.into_iter()
                .enumerate()
                .map(|(i, r)| (i + 1, r))
                .collect(),
        ));
    }
    if bytes.starts_with(READ_MAGIC) {
        let mut sheets = read_back(bytes)?;
        let names: Vec<String> = sheets.iter().map(|(name, _)| name.clone()).collect();
        let index = pick(&names, sheet)?;
        return Ok(std::mem::take(&mut sheets[index].1));
    }
    #[cfg(feature = "workbook")]
    return crate::import::workbook::sheet_rows(bytes, sheet, limit);
    #[cfg(not(feature = "workbook"))]
    {
        let _ = (sheet, limit);
        Err(NO_READER)
    }
}

#[cfg(all(test, feature = "workbook"))]
mod tests {
    use super::*;
    use crate::import::ods::ods_rows;
    use crate::import::workbook::sheet_rows as sheet_rows_within;

    /// A workbook of these parts, with those every Excel or LibreOffice
    /// file has and the test leaves out: the package's relationships and
    /// content types (XLSX), its mimetype and manifest (ODS).
    fn parts(parts: &[(&str, String)]) -> Vec<u8> {
        let mut all: Vec<(&str, String)> = parts.to_vec();
        let has = |n: &str| parts.iter().any(|(name, _)| *name == n);
        if has("xl/workbook.xml") {
            all.push((
                "[Content_Types].xml",
                r#"<Types><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.to_string(),
            ));
            all.push((
                "_rels/.rels",
                r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
            ));
            if !has("xl/_rels/workbook.xml.rels") {
                all.push((
                    "xl/_rels/workbook.xml.rels",
                    r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
                ));
            }
        }
        if has("content.xml") {
            all.push((
                "META-INF/manifest.xml",
                r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#.to_string(),
            ));
        }
        if has("content.xml") && !has("mimetype") {
            all.insert(
                0,
                (
                    "mimetype",
                    "application/vnd.oasis.opendocument.spreadsheet".to_string(),
                ),
            );
        }
        crate::export::xlsx::zip_parts(&all)
    }

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
        let book = crate::export::xlsx::workbook("Orders", &header, &rows);
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
        let rels = r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>"#;
        let sheet = |text: &str| {
            format!(
                r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row></sheetData></worksheet>"#
            )
        };
        let book = parts(&[
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
        assert!(
            err.to_string()
                .contains("no sheet named \u{201c}2025\u{201d}"),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("\u{201c}Notes\u{201d}, \u{201c}Ventes & retours\u{201d}"),
            "{err}"
        );
        assert_eq!(
            label(&book, Some("Notes")).to_string(),
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
        let ods = parts(&[("content.xml", content)]);
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
        let rels = r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet9.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/></Relationships>"#;
        let book = parts(&[
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
            parts(&[
                ("xl/workbook.xml", workbook.to_string()),
                ("xl/styles.xml", styles.to_string()),
                ("xl/worksheets/sheet1.xml", sheet.to_string()),
            ])
        };
        let plain = book(
            r#"<workbook xmlns:r="r"><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        );
        assert_eq!(
            String::from_utf8(first_sheet_rows(&plain).unwrap()).unwrap(),
            "2010-12-01 08:26:00,2024-01-01,45292,2.5\n"
        );
        // The 1904 system counts from 1904-01-01: 1,462 days later.
        let mac = book(
            r#"<workbook xmlns:r="r"><workbookPr date1904="1"/><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
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
        let ods = parts(&[
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
        assert!(
            ods_rows(&bomb, None)
                .unwrap_err()
                .to_string()
                .contains("zip bomb")
        );
    }

    #[test]
    fn damaged_cells_are_read_without_panicking() {
        // Found by the fuzzer: a start tag cut short by a closing tag, then
        // a cell past Excel's last column (XFD).
        let workbook = r#"<workbook xmlns:r="r"><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
        let rels = r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
        for sheet in [
            r#"<worksheet><sheetData><row r="1"><c r="H121" t="inl</c><c r="A1"><v>3</v></c></row></sheetData></worksheet>"#,
            r#"<worksheet><sheetData><row r="1"><c r="A1"><v>3</v></c><c r="XFE1"><v>4</v></c></row></sheetData></worksheet>"#,
        ] {
            let book = parts(&[
                ("xl/workbook.xml", workbook.to_string()),
                ("xl/_rels/workbook.xml.rels", rels.to_string()),
                ("xl/worksheets/sheet1.xml", sheet.to_string()),
            ]);
            if let Ok(rows) = first_sheet_rows(&book) {
                assert!(rows.starts_with(b"3"), "{}", String::from_utf8_lossy(&rows));
            }
        }
    }

    #[test]
    fn bombs_and_broken_archives_are_refused() {
        // 8 MB of zeros packs into a few kB; here the limit is 4 MB.
        let zeros = "\0".repeat(8 << 20);
        let book = parts(&[("xl/workbook.xml", zeros)]);
        assert!(book.len() < 100_000);
        let err = sheet_rows_within(&book, None, 4 << 20).unwrap_err();
        assert!(err.to_string().contains("zip bomb"), "{err}");
        let book = crate::export::xlsx::workbook("S", &["a".to_string()], &[]);
        let err = first_sheet_rows(&book[..book.len() / 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "it is not a complete zip archive (its end is missing)"
        );
        let ods = parts(&[("content.xml", "<x/>".to_string())]);
        assert!(
            first_sheet_rows(&ods)
                .unwrap_err()
                .to_string()
                .contains("without a sheet")
        );
    }
}
