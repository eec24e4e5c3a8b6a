//! A workspace's data: the orders and the sources joined to them per
//! customer, stored together as compact binary.

use crate::ImportError;
use crate::import::orders::Orders;
use crate::import::sources::{
    self, CostTable, CustomerTable, EmailTable, EventTable, SourceKind, SourceReport, SurveyTable,
    TextTable, TicketTable,
};
use crate::model::message::Message;

/// The orders and the other sources, sharing the orders' customer indices.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// The orders; their customer keys are the customer space of every
    /// source (customers known only from a source have no order).
    pub orders: Orders,
    /// E-mail campaign results.
    pub email: Option<EmailTable>,
    /// Survey answers.
    pub surveys: Option<SurveyTable>,
    /// Contact details and attributes.
    pub customers: Option<CustomerTable>,
    /// Web or app events.
    pub events: Option<EventTable>,
    /// Support tickets.
    pub tickets: Option<TicketTable>,
    /// Marketing spend.
    pub costs: Option<CostTable>,
    /// What the import of each source understood.
    pub source_reports: Vec<SourceReport>,
}

/// Why a file was not read as a source: none of their columns was found.
/// A survey tool's export whose respondent column is missing says so, by
/// the tool's name; other faults stay as they are.
fn no_respondent(
    e: ImportError,
    platform: Option<&crate::import::platform::SourcePlatform>,
) -> ImportError {
    match (e, platform) {
        (
            ImportError::MissingColumn {
                file,
                columns,
                what,
            },
            Some(p),
        ) if p.kind == SourceKind::Surveys && crate::import::sources::names_the_customer(&what) => {
            ImportError::NoRespondent {
                file,
                platform: p.id.to_string(),
                columns,
            }
        }
        (e, _) => e,
    }
}

/// SurveyMonkey writes two header rows: the questions, then the parts of
/// each (`Response`, or a contact block's `Name`, `Email`…) under a
/// question's first column and the blank ones after it. The second is no
/// answer: it is taken out of the rows, and names the columns the first
/// left blank.
fn second_header_row(table: &mut TextTable) {
    let Some(parts) = table.rows.first() else {
        return;
    };
    // An answer has its respondent id in the first column.
    if parts.first().is_none_or(|c| !c.is_empty()) || parts.iter().all(String::is_empty) {
        return;
    }
    for (name, part) in table.names.iter_mut().zip(parts) {
        if name.trim().is_empty() && !part.is_empty() {
            *name = part.clone();
        }
    }
    table.rows.remove(0);
    table.lines.remove(0);
}

fn not_a_source(table: &TextTable) -> ImportError {
    ImportError::MissingColumn {
        file: table.file_name.clone(),
        what: Message::new(
            "engine.customers_id_e_mail_e_mail_results_opened_clicked_survey_answers_nps_csat_events_event_timestamp_or_support_tickets_ticket_id_created_resolved_or_marketing_costs_date_channel_spend",
        ),
        columns: table.names.clone(),
    }
}

impl Dataset {
    /// A dataset of orders alone.
    pub fn from_orders(orders: Orders) -> Dataset {
        Dataset {
            orders,
            ..Dataset::default()
        }
    }

    /// Joins a customers, e-mail or survey file to the orders; a source of the same
    /// kind already there is replaced.
    pub fn add_source(
        &mut self,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<SourceReport, ImportError> {
        self.add_source_as(file_name, bytes, &sources::ReadOptions::default())
    }

    /// As [`Dataset::add_source`], with the user's choices: encoding,
    /// sheet, columns for fields and what the file holds.
    pub fn add_source_as(
        &mut self,
        file_name: &str,
        bytes: &[u8],
        options: &sources::ReadOptions,
    ) -> Result<SourceReport, ImportError> {
        let mut table = sources::read_text_table_as(file_name, bytes, options)?;
        // A report of counts per event or campaign: no customer on its rows.
        if let Some(r) = crate::import::platform::detect_report(&table.names) {
            return Err(ImportError::Aggregated {
                file: file_name.to_string(),
                platform: r.id.to_string(),
                columns: table.names.clone(),
            });
        }
        // A platform's export recognised from its header says what it holds
        // and which column is which, unless the user said; a column the
        // export leaves empty on every row (SurveyMonkey's `Email Address`
        // when the collector did not ask for it) is not taken.
        let platform = options
            .kind
            .is_none()
            .then(|| crate::import::platform::detect_source(&table.names))
            .flatten();
        if platform.is_some_and(|p| p.second_header_row) {
            second_header_row(&mut table);
        }
        if let Some(p) = platform {
            for (key, header) in p.fields {
                let taken = table.forced.iter().any(|(k, _)| k == key);
                if let Some(at) = table
                    .names
                    .iter()
                    .position(|n| crate::import::roles::normalise(n) == *header)
                    && !taken
                    && table
                        .rows
                        .iter()
                        .any(|r| r.get(at).is_some_and(|v| !v.is_empty()))
                {
                    table.forced.push((key.to_string(), at));
                }
            }
        }
        let kinds = match (options.kind, platform) {
            (Some(kind), _) => vec![kind],
            (None, Some(p)) => vec![p.kind],
            (None, None) => sources::classify_all(&table.header()),
        };
        if kinds.is_empty() {
            return Err(not_a_source(&table));
        }
        // A file that is several sources (customers with their NPS) is
        // each of them: the first's report is returned, every one kept.
        let several = kinds.len() > 1;
        let mut first = None;
        for kind in kinds {
            let report = if several && kind == SourceKind::Surveys {
                self.add_kind(kind, &sources::answered_rows(&table))
            } else {
                self.add_kind(kind, &table)
            };
            let report = report.map_err(|e| no_respondent(e, platform))?;
            first.get_or_insert(report);
        }
        self.count_unlisted();
        // As the join now counts it.
        let first = first.ok_or_else(|| not_a_source(&table))?;
        Ok(self
            .source_reports
            .iter()
            .find(|r| r.kind == first.kind)
            .cloned()
            .unwrap_or(first))
    }

    /// Reads `table` as a source of `kind`, replacing one of the same kind
    /// (e-mail results: the campaigns it holds).
    fn add_kind(
        &mut self,
        kind: SourceKind,
        table: &TextTable,
    ) -> Result<SourceReport, ImportError> {
        // Keys added by the source being replaced are not removed: they
        // are customers without orders, which no segment counts.
        let mut report = match kind {
            SourceKind::Email => {
                // Another campaign's results add to the ones already read;
                // a campaign read again replaces its rows.
                let (t, mut r) = sources::build_email(table, &mut self.orders)?;
                let email = match self.email.take() {
                    Some(earlier) => earlier.merged_into(t),
                    None => t,
                };
                r.email = Some(email.summary());
                self.email = Some(email);
                r
            }
            SourceKind::Surveys => {
                let (t, r) = sources::build_surveys(table, &mut self.orders)?;
                self.surveys = Some(t);
                r
            }
            SourceKind::Customers => {
                let (t, r) = sources::build_customers(table, &mut self.orders)?;
                self.customers = Some(t);
                r
            }
            SourceKind::Events => {
                let (t, r) = sources::build_events(table, &mut self.orders)?;
                self.events = Some(t);
                r
            }
            SourceKind::Tickets => {
                let (t, r) = sources::build_tickets(table, &mut self.orders)?;
                self.tickets = Some(t);
                r
            }
            SourceKind::Costs => {
                let (t, r) = sources::build_costs(table)?;
                self.costs = Some(t);
                r
            }
            SourceKind::Orders => return Err(not_a_source(table)),
        };
        sources::flag_suspicious(table, report.kind, &mut report);
        sources::attach_values(&mut report, table);
        self.source_reports.retain(|r| r.kind != report.kind);
        self.source_reports.push(report.clone());
        Ok(report)
    }

    /// Counts, in each source's report, the customers the customers file
    /// does not list (orders for the customers file's own report).
    fn count_unlisted(&mut self) {
        let n = self.orders.customer_keys.len();
        let listed = self.customers.as_ref().map(|c| {
            let mut listed = vec![false; n];
            for &i in &c.customer {
                listed[i as usize] = true;
            }
            listed
        });
        let unlisted = |listed: &[bool], customers: &[u32]| {
            let mut seen = vec![false; n];
            let mut count = 0u64;
            for &i in customers {
                let i = i as usize;
                if !listed[i] && !seen[i] {
                    seen[i] = true;
                    count += 1;
                }
            }
            count
        };
        for r in &mut self.source_reports {
            r.not_in_customers_file = listed.as_ref().and_then(|listed| {
                let customers: &[u32] = match r.kind {
                    SourceKind::Customers | SourceKind::Orders => &self.orders.customer,
                    SourceKind::Email => &self.email.as_ref()?.customer,
                    SourceKind::Surveys => &self.surveys.as_ref()?.customer,
                    SourceKind::Events => &self.events.as_ref()?.customer,
                    SourceKind::Tickets => &self.tickets.as_ref()?.customer,
                    SourceKind::Costs => return None,
                };
                Some(unlisted(listed, customers))
            });
        }
    }
}

/// What a file's header says it holds: orders, e-mail results or surveys.
pub fn kind_of(first_bytes: &[u8]) -> Option<SourceKind> {
    kind_of_sheet(first_bytes, None)
}

/// As [`kind_of`], for the sheet named `sheet` of a workbook.
pub fn kind_of_sheet(first_bytes: &[u8], sheet: Option<&str>) -> Option<SourceKind> {
    // A workbook is read whole (its contents are at its end); one cut short
    // is taken for orders, whose importer reads it whole.
    if crate::import::spreadsheet::is_workbook(first_bytes) {
        return match crate::import::spreadsheet::sheet_rows(first_bytes, sheet) {
            Ok(rows) => kind_of(&rows),
            Err(_) => Some(SourceKind::Orders),
        };
    }
    let (encoding, bom) = crate::import::delimited::sniff_encoding(first_bytes);
    let mut text = Vec::new();
    let mut transcoder = crate::import::delimited::Transcoder::new(encoding);
    if crate::import::delimited::cr_line_breaks(first_bytes) {
        transcoder.set_cr_line_breaks();
    }
    transcoder.push(&first_bytes[bom..], &mut text);
    let names = if crate::import::jsonl::looks_like_json_lines(&text) {
        crate::import::jsonl::keys(&text, first_bytes.len() < 64 * 1024)
    } else {
        let (skip, _) = crate::import::delimited::preamble(&text);
        let text = &text[skip..];
        let end = text.iter().position(|b| *b == b'\n').unwrap_or(text.len());
        sources::read_text_table("header", &text[..end]).ok()?.names
    };
    // A report of counts goes where its refusal is said.
    if let Some(r) = crate::import::platform::detect_report(&names) {
        return Some(r.kind);
    }
    if let Some(p) = crate::import::platform::detect_source(&names) {
        return Some(p.kind);
    }
    // A platform's order export, whatever its other columns suggest
    // (Square's `Event Type` and `Time` are no web events).
    if crate::import::platform::detect(&names).is_some() {
        return Some(SourceKind::Orders);
    }
    match sources::classify(&names) {
        Some(kind) => Some(kind),
        // Files without a recognisable header are read as orders, by the
        // values of their columns.
        None => Some(SourceKind::Orders),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_headers() {
        assert_eq!(
            kind_of(b"customer_id;date;amount\n1;2;3\n"),
            Some(SourceKind::Orders)
        );
        assert_eq!(
            kind_of(b"Email,Campaign,Opened,Clicked\n"),
            Some(SourceKind::Email)
        );
        assert_eq!(kind_of(b"client,date,NPS\n"), Some(SourceKind::Surveys));
        assert_eq!(
            kind_of(b" 00001 19970101  1   11.77\n"),
            Some(SourceKind::Orders)
        );
    }

    #[test]
    fn e_mail_results_of_several_campaigns_add_up_and_a_campaign_read_again_replaces_its_rows() {
        let mut data = Dataset::from_orders(crate::Orders::from_rows(&[
            ("a".into(), 10, 5.0),
            ("b".into(), 10, 5.0),
        ]));
        data.add_source(
            "spring.csv",
            b"customer_id,campaign,sent_at,opened\na,Spring,2024-03-01,1\nb,Spring,2024-03-01,0\n",
        )
        .unwrap();
        // Another campaign, with a variant column the first file had not.
        data.add_source(
            "summer.csv",
            b"customer_id,campaign,variant,sent_at,opened\na,Summer,A,2024-06-01,0\n",
        )
        .unwrap();
        let rows = |data: &Dataset| -> Vec<(String, String, String, bool)> {
            let e = data.email.as_ref().unwrap();
            let mut out: Vec<_> = (0..e.customer.len())
                .map(|r| {
                    (
                        data.orders.customer_keys[e.customer[r] as usize].clone(),
                        e.campaigns[e.campaign[r] as usize].clone(),
                        e.variants[e.variant[r] as usize].clone(),
                        e.opened[r],
                    )
                })
                .collect();
            out.sort();
            out
        };
        let want = |rows: &[(&str, &str, &str, bool)]| -> Vec<(String, String, String, bool)> {
            rows.iter()
                .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), *d))
                .collect()
        };
        assert_eq!(
            rows(&data),
            want(&[
                ("a", "Spring", "", true),
                ("a", "Summer", "A", false),
                ("b", "Spring", "", false),
            ])
        );
        // Spring's report read again, b now opened: its two rows replaced,
        // Summer's kept.
        data.add_source(
            "spring.csv",
            b"customer_id,campaign,sent_at,opened\na,Spring,2024-03-01,1\nb,Spring,2024-03-01,1\n",
        )
        .unwrap();
        assert_eq!(
            rows(&data),
            want(&[
                ("a", "Spring", "", true),
                ("a", "Summer", "A", false),
                ("b", "Spring", "", true),
            ])
        );
    }

    /// A Mailchimp campaign's report lists, exported one by one, in the
    /// three orders a marketer may drop them: who was sent it (a, b, c, d),
    /// who opened (a, c), who clicked each link (a; b, whose images were
    /// off). Worked by hand: 4 delivered, 3 opened (a, b, c), 2 clicked.
    #[test]
    fn a_campaigns_lists_of_who_opened_and_clicked_join_its_recipients_in_any_order() {
        let sent: &[u8] =
            b"Email Address,First Name,Last Name\na@x.fr,A,A\nb@x.fr,B,B\nc@x.fr,C,C\nd@x.fr,D,D\n";
        let opened: &[u8] =
            b"Email Address,First Name,Last Name,Opens\na@x.fr,A,A,3\nc@x.fr,C,C,1\n";
        let link1: &[u8] = b"Email Address,First Name,Last Name,Clicks\na@x.fr,A,A,2\n";
        let link2: &[u8] =
            b"Email Address,First Name,Last Name,Clicks\nb@x.fr,B,B,1\nA@X.fr,A,A,1\n";
        let read = |order: &[(&str, &[u8])]| {
            let mut data = Dataset::from_orders(crate::Orders::from_rows(&[
                ("a@x.fr".into(), 10, 5.0),
                ("d@x.fr".into(), 10, 5.0),
            ]));
            let mut last = None;
            // Each recognised from its header: the Sent to list by its
            // three columns alone.
            for (name, bytes) in order {
                last = Some(data.add_source(name, bytes).unwrap());
            }
            (data, last.unwrap())
        };
        let rows = |data: &Dataset| {
            let e = data.email.as_ref().unwrap();
            let mut out: Vec<(String, bool, bool, bool)> = (0..e.customer.len())
                .map(|r| {
                    (
                        data.orders.customer_keys[e.customer[r] as usize].clone(),
                        e.delivered[r],
                        e.opened[r],
                        e.clicked[r],
                    )
                })
                .collect();
            out.sort();
            out
        };
        let want: Vec<(String, bool, bool, bool)> = [
            ("a@x.fr", true, true, true),
            ("b@x.fr", true, true, true),
            ("c@x.fr", true, true, false),
            ("d@x.fr", true, false, false),
        ]
        .iter()
        .map(|(k, d, o, c)| (k.to_string(), *d, *o, *c))
        .collect();
        let files = [
            ("sent_to.csv", sent),
            ("opened.csv", opened),
            ("clicked_1.csv", link1),
            ("clicked_2.csv", link2),
        ];
        let orders: [[usize; 4]; 3] = [[0, 1, 2, 3], [1, 2, 0, 3], [3, 2, 1, 0]];
        for order in orders {
            let (data, report) = read(&order.map(|i| files[i]));
            assert_eq!(rows(&data), want, "{order:?}");
            let e = data.email.as_ref().unwrap();
            assert!(e.activity_only.is_empty(), "{order:?}");
            if order[3] == 0 {
                // b and c have no order, b though an earlier list named it.
                assert_eq!(report.customers_without_orders, 2);
            }
            assert_eq!(
                report.email,
                Some(sources::EmailSummary {
                    campaigns: 1,
                    delivered: 4,
                    opened: 3,
                    clicked: 2,
                    lists_only: vec![],
                }),
                "{order:?}"
            );
        }
        // Who opened and clicked, without the recipients: no rate, one
        // row per person (a clicked two links), and the report says so.
        let (data, report) = read(&[files[1], files[2], files[3]]);
        assert_eq!(data.email.as_ref().unwrap().customer.len(), 3);
        assert_eq!(
            report
                .email
                .as_ref()
                .map(|e| (e.delivered, e.lists_only.clone())),
            Some((0, vec![(String::new(), 3)]))
        );
        // Another campaign's results beside them: counted, and the lists'
        // campaign still has no rate.
        let mut data = data;
        let report = data
            .add_source(
                "summer.csv",
                b"customer_id,campaign,opened\na@x.fr,Summer,1\nd@x.fr,Summer,0\n",
            )
            .unwrap();
        assert_eq!(
            report
                .email
                .map(|e| (e.campaigns, e.delivered, e.opened, e.lists_only)),
            Some((2, 2, 1, vec![(String::new(), 3)]))
        );
        // A recipients list read again replaces the campaign's results, as
        // any campaign's report read again does.
        let (data, _) = read(&[files[0], files[1], files[0]]);
        assert!(rows(&data).iter().all(|r| !r.2));
    }
}
