//! HTML tables saved as `.xls`: what many web back-offices export, and
//! what Excel opens as a workbook. Each `<table>` is a sheet; each `<tr>`
//! a row of its `<td>` and `<th>` cells, their text with tags removed,
//! entities replaced and spaces collapsed. End tags that HTML lets a page
//! leave out (`</td>`, `</tr>`) are not needed.

/// True when the bytes start like an HTML page or fragment holding a
/// table (after a byte-order mark and blank space).
pub(crate) fn is_html_table(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    if b.get(start) != Some(&b'<') {
        return false;
    }
    let head = &b[start..b.len().min(start + 64 * 1024)];
    head.windows(6).any(|w| w.eq_ignore_ascii_case(b"<table"))
}

/// The page's text: UTF-8, or Windows-1252 when it is not valid UTF-8.
fn text_of(bytes: &[u8]) -> String {
    let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => crate::import::delimited::decode_field(
            crate::import::delimited::Encoding::Windows1252,
            b,
        ),
    }
}

/// The tables of a page, each a list of rows of cells.
pub fn tables(bytes: &[u8]) -> Vec<Vec<Vec<String>>> {
    let html = text_of(bytes);
    let lower = html.to_ascii_lowercase();
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut row: Option<Vec<String>> = None;
    let mut cell: Option<(String, usize)> = None;
    let mut at = 0;
    // Ends the cell and the row under way, if any.
    let end_cell = |row: &mut Option<Vec<String>>, cell: &mut Option<(String, usize)>| {
        if let Some((text, span)) = cell.take() {
            let r = row.get_or_insert_with(Vec::new);
            r.push(collapse(&unescape(&text)));
            r.extend(std::iter::repeat_n(String::new(), span.saturating_sub(1)));
        }
    };
    while let Some(offset) = lower[at..].find('<') {
        let open = at + offset;
        if let Some(c) = cell.as_mut() {
            c.0.push_str(&html[at..open]);
        }
        // Comments and scripts hold no cell.
        if lower[open..].starts_with("<!--") {
            at = lower[open..]
                .find("-->")
                .map_or(lower.len(), |e| open + e + 3);
            continue;
        }
        let Some(close) = lower[open..].find('>').map(|e| open + e) else {
            // A tag cut by the end of the page: nothing after it is text.
            at = html.len();
            break;
        };
        let tag = &lower[open + 1..close];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let ending = tag.starts_with('/');
        at = close + 1;
        match (name.as_str(), ending) {
            ("script" | "style", false) => {
                let end = format!("</{name}");
                at = lower[at..].find(&end).map_or(lower.len(), |e| at + e);
            }
            ("table", false) => {
                end_cell(&mut row, &mut cell);
                if let Some(r) = row.take()
                    && let Some(t) = tables.last_mut()
                {
                    t.push(r);
                }
                tables.push(Vec::new());
            }
            ("tr", _) | ("table", true) => {
                end_cell(&mut row, &mut cell);
                if let Some(r) = row.take()
                    && let Some(t) = tables.last_mut()
                {
                    t.push(r);
                }
            }
            ("td" | "th", false) => {
                end_cell(&mut row, &mut cell);
                let span = attribute(tag, "colspan")
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 1000);
                cell = Some((String::new(), span));
            }
            ("td" | "th", true) => end_cell(&mut row, &mut cell),
            ("br" | "p" | "div", _) => {
                if let Some(c) = cell.as_mut() {
                    c.0.push(' ');
                }
            }
            _ => {}
        }
    }
    // The text after the last tag of a page cut short.
    if let Some(c) = cell.as_mut()
        && at < html.len()
    {
        c.0.push_str(&html[at..]);
    }
    end_cell(&mut row, &mut cell);
    if let Some(r) = row.take()
        && let Some(t) = tables.last_mut()
    {
        t.push(r);
    }
    tables
}

/// An attribute's value in a lower-cased start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[at..];
    let value = match rest.chars().next()? {
        q @ ('"' | '\'') => rest[1..].split(q).next()?,
        _ => rest.split(|c: char| c.is_whitespace()).next()?,
    };
    Some(value.trim())
}

/// Runs of blank space as one space, none at either end.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text with HTML's common entities replaced (`&eacute;`, `&nbsp;`,
/// `&#233;`, `&#xE9;`).
fn unescape(s: &str) -> String {
    crate::import::parts::unescape_with(s, |name| match name {
        "nbsp" => Some(' '),
        "euro" => Some('€'),
        "deg" => Some('°'),
        "eacute" => Some('é'),
        "egrave" => Some('è'),
        "ecirc" => Some('ê'),
        "agrave" => Some('à'),
        "acirc" => Some('â'),
        "ccedil" => Some('ç'),
        "ocirc" => Some('ô'),
        "ucirc" => Some('û'),
        "ugrave" => Some('ù'),
        "icirc" => Some('î'),
        "iuml" => Some('ï'),
        "euml" => Some('ë'),
        "Eacute" => Some('É'),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_back_office_table_saved_as_xls() {
        let page = "\u{feff}  <html><head><meta charset=\"utf-8\"><style>td{color:red}</style></head><body>\n\
            <!-- <table><tr><td>not this</td></tr></table> -->\n\
            <TABLE border=1><TR><TH>N&deg; commande</TH><th>Client</th><th>Date</th><th>Montant</th></TR>\n\
            <tr><td>C-1<td>Dupont &amp; fils<td>03/02/2024<td>12,50&nbsp;&euro;\n\
            <tr><td colspan=\"2\">Total</td><td></td><td>R&eacute;f&#233;rence<br>x</td></tr>\n\
            </table></body></html>";
        assert!(is_html_table(page.as_bytes()));
        assert!(!is_html_table(b"client,date,amount\n<table>"));
        let tables = tables(page.as_bytes());
        assert_eq!(tables.len(), 1);
        assert_eq!(
            tables[0],
            vec![
                vec!["N° commande", "Client", "Date", "Montant"],
                vec!["C-1", "Dupont & fils", "03/02/2024", "12,50 €"],
                vec!["Total", "", "", "Référence x"],
            ]
        );
    }

    #[test]
    fn windows_1252_pages_and_damaged_tags() {
        let mut page = b"<table><tr><td>Orl".to_vec();
        page.push(0xE9);
        page.extend_from_slice(b"ans</td><td><b>gras</td></tr><tr><td>fin");
        assert_eq!(
            tables(&page),
            vec![vec![vec!["Orléans", "gras"], vec!["fin"]]]
        );
        // Never panics on cut or stray markup.
        for cut in [
            "<table><tr><td",
            "<table><td>a<",
            "<table>&#xZZ;<td>&",
            "<table><td colspan=>x",
        ] {
            let _ = tables(cut.as_bytes());
        }
    }
}
