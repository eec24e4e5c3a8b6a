//! Segment members as files that e-mail tools import: plain CSV, or the
//! column names Mailchimp, Klaviyo, HubSpot and Brevo expect (e-mail
//! first). Cells that a spreadsheet would run as a formula are neutralised.

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::rfm::{RfmResult, RfmRow};
use crate::segment::Bitmap;

/// The column layout of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// Every field SegLens has: id, contact details, segment, R/F/M.
    Plain,
    /// Mailchimp: Email Address, First Name, Last Name, Tags.
    Mailchimp,
    /// Klaviyo: Email, First Name, Last Name, Segment.
    Klaviyo,
    /// HubSpot: Email, First Name, Last Name, Segment.
    HubSpot,
    /// Brevo: EMAIL, FIRSTNAME, LASTNAME, SEGMENT.
    Brevo,
}

impl Layout {
    /// Every layout, for pickers.
    pub const ALL: [Layout; 5] = [
        Layout::Plain,
        Layout::Mailchimp,
        Layout::Klaviyo,
        Layout::HubSpot,
        Layout::Brevo,
    ];

    /// The layout's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Layout::Plain => "All columns (CSV)",
            Layout::Mailchimp => "Mailchimp",
            Layout::Klaviyo => "Klaviyo",
            Layout::HubSpot => "HubSpot",
            Layout::Brevo => "Brevo",
        }
    }

    fn header(self) -> &'static [&'static str] {
        match self {
            Layout::Plain => &[
                "customer_id",
                "email",
                "first_name",
                "last_name",
                "segment",
                "recency_days",
                "frequency",
                "monetary",
                "r",
                "f",
                "m",
            ],
            Layout::Mailchimp => &["Email Address", "First Name", "Last Name", "Tags"],
            Layout::Klaviyo | Layout::HubSpot => &["Email", "First Name", "Last Name", "Segment"],
            Layout::Brevo => &["EMAIL", "FIRSTNAME", "LASTNAME", "SEGMENT"],
        }
    }
}

/// Keeps a spreadsheet from running a cell as a formula: a cell starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn quote(cell: &str, delimiter: char) -> String {
    let cell = neutralise(cell);
    if cell.contains([delimiter, '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

/// An export ready to download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    /// The file's bytes: UTF-8 with a byte-order mark, for Excel.
    pub bytes: Vec<u8>,
    /// Customers written.
    pub rows: u64,
    /// Customers left out because the layout needs an e-mail address and
    /// they have none.
    pub without_email: u64,
}

/// Writes the members of the chosen segments (indices into the result's
/// segment names), with a segment column.
pub fn members(
    data: &Dataset,
    result: &RfmResult,
    segments: &[usize],
    layout: Layout,
    delimiter: char,
) -> Export {
    let picked = result
        .rows
        .iter()
        .filter(|row| segments.contains(&(row.segment as usize)))
        .map(|row| {
            (
                row.values.customer as usize,
                result.segment_names[row.segment as usize].as_str(),
                Some(row),
            )
        });
    write(data, picked, layout, delimiter)
}

/// Writes the members of a saved segment (prospects included), with its
/// name in the segment column and, for customers with orders, their RFM
/// values from `result`.
pub fn set_members(
    data: &Dataset,
    result: &RfmResult,
    name: &str,
    set: &Bitmap,
    layout: Layout,
    delimiter: char,
) -> Export {
    let mut row_of = vec![None; data.orders.customer_keys.len()];
    for row in &result.rows {
        row_of[row.values.customer as usize] = Some(row);
    }
    write(
        data,
        set.iter()
            .map(|c| (c, name, row_of.get(c).copied().flatten())),
        layout,
        delimiter,
    )
}

fn write<'a>(
    data: &Dataset,
    picked: impl Iterator<Item = (usize, &'a str, Option<&'a RfmRow>)>,
    layout: Layout,
    delimiter: char,
) -> Export {
    let n = data.orders.customer_keys.len();
    let contact = data.customers.as_ref().map(|c| (c, c.row_of(n)));
    let mut out = String::from('\u{feff}');
    let sep = delimiter.to_string();
    out.push_str(
        &layout
            .header()
            .iter()
            .map(|h| quote(h, delimiter))
            .collect::<Vec<_>>()
            .join(&sep),
    );
    out.push_str("\r\n");
    let (mut rows, mut without_email) = (0, 0);
    for (c, segment, row) in picked {
        let key = &data.orders.customer_keys[c];
        let (mut email, first, last) = match &contact {
            Some((t, at)) => match at[c] {
                Some(i) => (
                    t.email[i].clone(),
                    t.first_name[i].clone(),
                    t.last_name[i].clone(),
                ),
                None => (String::new(), String::new(), String::new()),
            },
            None => (String::new(), String::new(), String::new()),
        };
        if email.is_empty() && key.contains('@') {
            email = key.clone();
        }
        if layout != Layout::Plain && email.is_empty() {
            without_email += 1;
            continue;
        }
        let cells: Vec<String> = match (layout, row) {
            (Layout::Plain, Some(row)) => vec![
                key.clone(),
                email,
                first,
                last,
                segment.to_string(),
                row.values.recency_days.to_string(),
                row.values.frequency.to_string(),
                format!("{:.2}", row.values.monetary),
                row.r.to_string(),
                row.f.to_string(),
                row.m.to_string(),
            ],
            (Layout::Plain, None) => {
                let mut v = vec![key.clone(), email, first, last, segment.to_string()];
                v.extend(std::iter::repeat_n(String::new(), 6));
                v
            }
            _ => vec![email, first, last, segment.to_string()],
        };
        out.push_str(
            &cells
                .iter()
                .map(|c| quote(c, delimiter))
                .collect::<Vec<_>>()
                .join(&sep),
        );
        out.push_str("\r\n");
        rows += 1;
    }
    Export {
        bytes: out.into_bytes(),
        rows,
        without_email,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::Orders;
    use crate::rfm;

    #[test]
    fn formulas_are_neutralised() {
        for bad in ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralise("Anne"), "Anne");
        assert_eq!(quote("a,b", ','), "\"a,b\"");
        assert_eq!(
            quote("=HYPERLINK(\"x\")", ';'),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
    }

    #[test]
    fn layouts_put_the_email_first_and_skip_customers_without_one() {
        let mut data = Dataset::from_orders(Orders::from_rows(&[
            ("c1".into(), 1, 10.0),
            ("=cmd|' /C calc'!A0".into(), 2, 20.0),
            ("Z@x.com".into(), 3, 30.0),
        ]));
        data.add_source(
            "c.csv",
            b"customer_id,email,first_name,last_name\nc1,a@x.com,Anne,Roy\n",
        )
        .unwrap();
        let result = rfm::compute(
            &data.orders,
            10,
            &rfm::RfmConfig::default(),
            &rfm::default_rules(),
        );
        let all: Vec<usize> = (0..result.segment_names.len()).collect();
        let e = members(&data, &result, &all, Layout::Mailchimp, ',');
        let text = String::from_utf8(e.bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "\u{feff}Email Address,First Name,Last Name,Tags");
        assert!(lines[1].starts_with("a@x.com,Anne,Roy,"), "{}", lines[1]);
        assert!(lines[2].starts_with("z@x.com,,,"), "{}", lines[2]);
        assert_eq!((e.rows, e.without_email), (2, 1));
        let plain = members(&data, &result, &all, Layout::Plain, ';');
        let text = String::from_utf8(plain.bytes).unwrap();
        assert!(text.contains("\r\n'=cmd|' /C calc'!A0;"), "{text}");
        assert_eq!(plain.rows, 3);
        // A saved segment: its name in the segment column; a customer
        // without orders has empty RFM cells.
        data.add_source(
            "c.csv",
            b"customer_id,email,first_name,last_name\nc1,a@x.com,Anne,Roy\np9,p@x.com,Pia,Lu\n",
        )
        .unwrap();
        let set = Bitmap::from_fn(data.orders.customer_keys.len(), |c| c == 0 || c == 3);
        let e = set_members(&data, &result, "VIP", &set, Layout::Plain, ',');
        let text = String::from_utf8(e.bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[1].starts_with("c1,a@x.com,Anne,Roy,VIP,"),
            "{}",
            lines[1]
        );
        assert_eq!(lines[2], "p9,p@x.com,Pia,Lu,VIP,,,,,,");
    }
}
