//! The dataset as stored: the orders table, then each source, in the
//! binary form of the current version; the forms of every earlier
//! version are read and brought up to date.

use crate::model::message::Message;
use serde::{Deserialize, Serialize};

use super::DecodeError;
use crate::import::dataset::Dataset;
use crate::import::orders::{Orders, RowError};
use crate::import::sources::{
    CostTable, CustomerTable, EmailTable, EventTable, EventTableV2, SourceKind, SourceReport,
    SurveyTable, TicketTable,
};
use crate::model::fault::Fault;

/// The sources as version 7 stores them.
#[derive(Serialize, Deserialize)]
struct Stored {
    email: Option<EmailTable>,
    surveys: Option<SurveyTable>,
    customers: Option<CustomerTable>,
    events: Option<EventTable>,
    tickets: Option<TicketTable>,
    source_reports: Vec<SourceReport>,
    costs: Option<CostTable>,
}

/// The sources as versions 5 and 6 stored them, with their reports as
/// each stored them: version 6 had e-mail results without the campaigns
/// known only from lists of who opened or clicked, reports without their
/// e-mail counts; version 5 also had rejected rows without their fault.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct StoredWith<Report> {
    email: Option<EmailTableV6>,
    surveys: Option<SurveyTable>,
    customers: Option<CustomerTable>,
    events: Option<EventTable>,
    tickets: Option<TicketTable>,
    source_reports: Vec<Report>,
    costs: Option<CostTable>,
}

type StoredV6 = StoredWith<SourceReportV6>;
type StoredV5 = StoredWith<SourceReportV5>;

impl<Report: Into<SourceReport>> From<StoredWith<Report>> for Stored {
    fn from(old: StoredWith<Report>) -> Stored {
        Stored {
            email: old.email.map(EmailTable::from),
            surveys: old.surveys,
            customers: old.customers,
            events: old.events,
            tickets: old.tickets,
            source_reports: old.source_reports.into_iter().map(Into::into).collect(),
            costs: old.costs,
        }
    }
}

/// E-mail results as versions 1 to 6 stored them.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct EmailTableV6 {
    customer: Vec<u32>,
    campaign: Vec<u32>,
    campaigns: Vec<String>,
    day: Vec<Option<crate::model::date::Day>>,
    delivered: Vec<bool>,
    opened: Vec<bool>,
    clicked: Vec<bool>,
    unsubscribed: Vec<bool>,
    control: Vec<bool>,
    variant: Vec<u32>,
    variants: Vec<String>,
}

impl From<EmailTableV6> for EmailTable {
    fn from(old: EmailTableV6) -> EmailTable {
        EmailTable {
            customer: old.customer,
            campaign: old.campaign,
            campaigns: old.campaigns,
            day: old.day,
            delivered: old.delivered,
            opened: old.opened,
            clicked: old.clicked,
            unsubscribed: old.unsubscribed,
            control: old.control,
            variant: old.variant,
            variants: old.variants,
            activity_only: Vec::new(),
        }
    }
}

/// A source's report as version 6 stored it.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct SourceReportV6 {
    file_name: String,
    kind: SourceKind,
    rows: u64,
    rejected: Vec<RowError>,
    rejected_total: u64,
    customers_without_orders: u64,
    columns_used: Vec<String>,
    suspicious: Vec<RowError>,
    suspicious_total: u64,
    not_in_customers_file: Option<u64>,
}

impl From<SourceReportV6> for SourceReport {
    fn from(old: SourceReportV6) -> SourceReport {
        SourceReport {
            file_name: old.file_name,
            kind: old.kind,
            rows: old.rows,
            rejected: old.rejected,
            rejected_total: old.rejected_total,
            customers_without_orders: old.customers_without_orders,
            columns_used: old.columns_used,
            suspicious: old.suspicious,
            suspicious_total: old.suspicious_total,
            not_in_customers_file: old.not_in_customers_file,
            email: None,
        }
    }
}

/// A rejected row as versions 1 to 5 stored it: its reason in English
/// only.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct RowErrorV5 {
    line: u64,
    column: Option<String>,
    reason: String,
    values: Vec<String>,
}

impl From<RowErrorV5> for RowError {
    fn from(old: RowErrorV5) -> RowError {
        RowError {
            line: old.line,
            column: old.column,
            reason: old.reason,
            fault: Fault::Other,
            values: old.values,
        }
    }
}

fn rows_of(old: Vec<RowErrorV5>) -> Vec<RowError> {
    old.into_iter().map(RowError::from).collect()
}

/// A source's report as version 5 stored it.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct SourceReportV5 {
    file_name: String,
    kind: SourceKind,
    rows: u64,
    rejected: Vec<RowErrorV5>,
    rejected_total: u64,
    customers_without_orders: u64,
    columns_used: Vec<String>,
    suspicious: Vec<RowErrorV5>,
    suspicious_total: u64,
    not_in_customers_file: Option<u64>,
}

impl From<SourceReportV5> for SourceReport {
    fn from(old: SourceReportV5) -> SourceReport {
        SourceReport {
            file_name: old.file_name,
            kind: old.kind,
            rows: old.rows,
            rejected: rows_of(old.rejected),
            rejected_total: old.rejected_total,
            customers_without_orders: old.customers_without_orders,
            columns_used: old.columns_used,
            suspicious: rows_of(old.suspicious),
            suspicious_total: old.suspicious_total,
            not_in_customers_file: old.not_in_customers_file,
            email: None,
        }
    }
}

/// The sources as version 4 stored them (reports without suspicious
/// values).
#[derive(Deserialize)]
struct StoredV4 {
    email: Option<EmailTableV6>,
    surveys: Option<SurveyTable>,
    customers: Option<CustomerTable>,
    events: Option<EventTable>,
    tickets: Option<TicketTable>,
    source_reports: Vec<SourceReportV4>,
    costs: Option<CostTable>,
}

/// A source's report as versions 1 to 4 stored it.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct SourceReportV4 {
    file_name: String,
    kind: SourceKind,
    rows: u64,
    rejected: Vec<RowErrorV5>,
    rejected_total: u64,
    customers_without_orders: u64,
    columns_used: Vec<String>,
}

fn reports_of(old: Vec<SourceReportV4>) -> Vec<SourceReport> {
    old.into_iter()
        .map(|r| SourceReport {
            file_name: r.file_name,
            kind: r.kind,
            rows: r.rows,
            rejected: rows_of(r.rejected),
            rejected_total: r.rejected_total,
            customers_without_orders: r.customers_without_orders,
            columns_used: r.columns_used,
            suspicious: Vec::new(),
            suspicious_total: 0,
            not_in_customers_file: None,
            email: None,
        })
        .collect()
}

/// The sources as version 3 stored them (no marketing costs).
#[derive(Deserialize)]
struct StoredV3 {
    email: Option<EmailTableV6>,
    surveys: Option<SurveyTable>,
    customers: Option<CustomerTable>,
    events: Option<EventTable>,
    tickets: Option<TicketTable>,
    source_reports: Vec<SourceReportV4>,
}

/// The sources as version 2 stored them (events without properties).
#[derive(Deserialize)]
struct StoredV2 {
    email: Option<EmailTableV6>,
    surveys: Option<SurveyTable>,
    customers: Option<CustomerTable>,
    events: Option<EventTableV2>,
    tickets: Option<TicketTable>,
    source_reports: Vec<SourceReportV4>,
}

/// The sources as version 1 stored them (no tickets).
#[derive(Deserialize)]
struct StoredV1 {
    email: Option<EmailTableV6>,
    surveys: Option<SurveyTable>,
    customers: Option<CustomerTable>,
    events: Option<EventTableV2>,
    source_reports: Vec<SourceReportV4>,
}

const MAGIC: &[u8; 4] = b"SGLD";
/// 1: orders, e-mails, surveys, customers, events; 2: and tickets; 3: and
/// the events' other columns; 4: and marketing costs; 5: and the
/// suspicious values of each source's report; 6: and the fault of each
/// rejected row; 7: and the e-mail campaigns known only from lists of who
/// opened or clicked, and the e-mail counts of reports.
const VERSION: u16 = 7;

impl Dataset {
    /// Writes the dataset: the orders table, then the other sources.
    pub fn encode(&self) -> Vec<u8> {
        let table = self.orders.encode();
        let rest = bincode::serialize(&Stored {
            email: self.email.clone(),
            surveys: self.surveys.clone(),
            customers: self.customers.clone(),
            events: self.events.clone(),
            tickets: self.tickets.clone(),
            source_reports: self.source_reports.clone(),
            costs: self.costs.clone(),
        })
        .unwrap_or_default();
        let mut out = Vec::with_capacity(14 + table.len() + rest.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(table.len() as u64).to_le_bytes());
        out.extend_from_slice(&table);
        out.extend_from_slice(&rest);
        out
    }

    /// Reads a dataset written by [`Dataset::encode`], or an orders table
    /// alone as earlier versions stored it.
    pub fn decode(bytes: &[u8]) -> Result<Dataset, DecodeError> {
        if !bytes.starts_with(MAGIC) {
            return Orders::decode(bytes).map(Dataset::from_orders);
        }
        let err = DecodeError::of;
        let header = bytes
            .get(4..14)
            .ok_or_else(|| err("engine.stored.truncated"))?;
        let version = u16::from_le_bytes([header[0], header[1]]);
        if version == 0 || version > VERSION {
            return Err(DecodeError(
                Message::new("engine.with.unknown_table_version")
                    .with("version", u64::from(version)),
            ));
        }
        let len = u64::from_le_bytes(
            header[2..10]
                .try_into()
                .map_err(|_| err("engine.stored.size"))?,
        ) as usize;
        let table = bytes
            .get(
                14..14usize
                    .checked_add(len)
                    .ok_or_else(|| err("engine.stored.size"))?,
            )
            .ok_or_else(|| err("engine.stored.truncated"))?;
        let orders = Orders::decode(table)?;
        let rest = &bytes[14 + len..];
        let stored: Stored = if version == 1 {
            let old: StoredV1 = bincode::deserialize(rest).map_err(|e| {
                DecodeError(Message::new("engine.with.stored_sources").with("why", e.to_string()))
            })?;
            Stored {
                email: old.email.map(EmailTable::from),
                surveys: old.surveys,
                customers: old.customers,
                events: old.events.map(EventTable::from),
                tickets: None,
                source_reports: reports_of(old.source_reports),
                costs: None,
            }
        } else if version == 2 {
            let old: StoredV2 = bincode::deserialize(rest).map_err(|e| {
                DecodeError(Message::new("engine.with.stored_sources").with("why", e.to_string()))
            })?;
            Stored {
                email: old.email.map(EmailTable::from),
                surveys: old.surveys,
                customers: old.customers,
                events: old.events.map(EventTable::from),
                tickets: old.tickets,
                source_reports: reports_of(old.source_reports),
                costs: None,
            }
        } else if version == 3 {
            let old: StoredV3 = bincode::deserialize(rest).map_err(|e| {
                DecodeError(Message::new("engine.with.stored_sources").with("why", e.to_string()))
            })?;
            Stored {
                email: old.email.map(EmailTable::from),
                surveys: old.surveys,
                customers: old.customers,
                events: old.events,
                tickets: old.tickets,
                source_reports: reports_of(old.source_reports),
                costs: None,
            }
        } else if version == 4 {
            let old: StoredV4 = bincode::deserialize(rest).map_err(|e| {
                DecodeError(Message::new("engine.with.stored_sources").with("why", e.to_string()))
            })?;
            Stored {
                email: old.email.map(EmailTable::from),
                surveys: old.surveys,
                customers: old.customers,
                events: old.events,
                tickets: old.tickets,
                source_reports: reports_of(old.source_reports),
                costs: old.costs,
            }
        } else if version == 5 {
            let old: StoredV5 = bincode::deserialize(rest).map_err(|e| {
                DecodeError(Message::new("engine.with.stored_sources").with("why", e.to_string()))
            })?;
            old.into()
        } else if version == 6 {
            let old: StoredV6 = bincode::deserialize(rest).map_err(|e| {
                DecodeError(Message::new("engine.with.stored_sources").with("why", e.to_string()))
            })?;
            old.into()
        } else {
            bincode::deserialize(rest).map_err(|e| {
                DecodeError(Message::new("engine.with.stored_sources").with("why", e.to_string()))
            })?
        };
        let n = orders.customer_keys.len() as u32;
        let in_range = |c: &[u32]| c.iter().all(|x| *x < n);
        if !stored
            .tickets
            .as_ref()
            .is_none_or(|t| in_range(&t.customer))
            || !stored.email.as_ref().is_none_or(|e| in_range(&e.customer))
            || !stored
                .surveys
                .as_ref()
                .is_none_or(|s| in_range(&s.customer))
        {
            return Err(err("engine.customer_index_out_of_range"));
        }
        Ok(Dataset {
            orders,
            email: stored.email,
            surveys: stored.surveys,
            customers: stored.customers,
            events: stored.events,
            tickets: stored.tickets,
            costs: stored.costs,
            source_reports: stored.source_reports,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_sources_and_old_tables() {
        let mut d = Dataset::from_orders(Orders::from_rows(&[("a".into(), 1, 5.0)]));
        d.add_source("e.csv", b"customer_id,opened,clicked\na,1,0\nb,0,0\n")
            .unwrap();
        d.add_source("s.csv", b"customer_id,nps\na,9\n").unwrap();
        assert_eq!(d.orders.customer_keys, vec!["a", "b"]);
        let bytes = d.encode();
        assert_eq!(Dataset::decode(&bytes).unwrap(), d);
        assert!(Dataset::decode(&bytes[..bytes.len() - 3]).is_err());
        let old = d.orders.encode();
        assert_eq!(Dataset::decode(&old).unwrap().orders, d.orders);
        let err = d.add_source("x.csv", b"name,city\nA,B\n").unwrap_err();
        assert!(
            err.to_string().contains("e-mail results (opened, clicked)"),
            "{err}"
        );
    }

    /// Rejected rows as versions 1 to 5 wrote them.
    fn old_rows(rows: &[RowError]) -> Vec<RowErrorV5> {
        rows.iter()
            .map(|e| RowErrorV5 {
                line: e.line,
                column: e.column.clone(),
                reason: e.reason.clone(),
                values: e.values.clone(),
            })
            .collect()
    }

    /// Reports as versions 1 to 4 wrote them.
    fn old_reports(reports: &[SourceReport]) -> Vec<SourceReportV4> {
        reports
            .iter()
            .map(|r| SourceReportV4 {
                file_name: r.file_name.clone(),
                kind: r.kind,
                rows: r.rows,
                rejected: old_rows(&r.rejected),
                rejected_total: r.rejected_total,
                customers_without_orders: r.customers_without_orders,
                columns_used: r.columns_used.clone(),
            })
            .collect()
    }

    #[test]
    fn datasets_of_version_4_still_read_and_suspicious_values_round_trip() {
        // Version 4 stored reports without suspicious values.
        #[derive(Serialize)]
        struct V4 {
            email: Option<EmailTableV6>,
            surveys: Option<SurveyTable>,
            customers: Option<CustomerTable>,
            events: Option<EventTable>,
            tickets: Option<TicketTable>,
            source_reports: Vec<SourceReportV4>,
            costs: Option<CostTable>,
        }
        let mut d = Dataset::from_orders(Orders::from_rows(&[("a".into(), 1, 5.0)]));
        d.add_source("s.csv", b"customer_id,nps\na,9\n").unwrap();
        let rest = bincode::serialize(&V4 {
            email: None,
            surveys: d.surveys.clone(),
            customers: None,
            events: None,
            tickets: None,
            source_reports: old_reports(&d.source_reports),
            costs: None,
        })
        .unwrap();
        let v4 = stored_as(4, &d.orders.encode(), &rest);
        assert_eq!(Dataset::decode(&v4).unwrap(), d);
        // A customer aged -4 is kept, and pointed at, through a round trip.
        let report = d.add_source("c.csv", b"customer_id,age\na,-4\n").unwrap();
        assert_eq!((report.rows, report.suspicious_total), (1, 1));
        assert_eq!(Dataset::decode(&d.encode()).unwrap(), d);
    }

    #[test]
    fn datasets_of_version_5_still_read_and_faults_round_trip() {
        // Version 5 stored rejected rows with their English reason only.
        let mut d = Dataset::from_orders(Orders::from_rows(&[("a".into(), 1, 5.0)]));
        let report = d
            .add_source(
                "s.csv",
                b"customer_id,nps
a,9
,7
a,eleven
",
            )
            .unwrap();
        assert_eq!(report.rejected.len(), 2);
        assert_eq!(
            report.rejected[0].fault,
            crate::model::fault::Fault::Empty(crate::model::fault::Field::Customer)
        );
        assert_eq!(Dataset::decode(&d.encode()).unwrap(), d);
        let rest = bincode::serialize(&StoredV5 {
            email: None,
            surveys: d.surveys.clone(),
            customers: None,
            events: None,
            tickets: None,
            source_reports: d
                .source_reports
                .iter()
                .map(|r| SourceReportV5 {
                    file_name: r.file_name.clone(),
                    kind: r.kind,
                    rows: r.rows,
                    rejected: old_rows(&r.rejected),
                    rejected_total: r.rejected_total,
                    customers_without_orders: r.customers_without_orders,
                    columns_used: r.columns_used.clone(),
                    suspicious: old_rows(&r.suspicious),
                    suspicious_total: r.suspicious_total,
                    not_in_customers_file: r.not_in_customers_file,
                })
                .collect(),
            costs: None,
        })
        .unwrap();
        let old = Dataset::decode(&stored_as(5, &d.orders.encode(), &rest)).unwrap();
        // The same rows and sentences, their faults unknown.
        let rejected = &old.source_reports[0].rejected;
        assert_eq!(rejected.len(), 2);
        assert!(rejected.iter().all(|e| e.fault == Fault::Other));
        let reasons = |rows: &[RowError]| rows.iter().map(|e| e.reason.clone()).collect::<Vec<_>>();
        assert_eq!(reasons(rejected), reasons(&d.source_reports[0].rejected));
    }

    #[test]
    fn datasets_of_version_6_still_read_their_e_mail_results() {
        // Version 6 knew no campaign made of lists, nor a report's counts.
        let mut d = Dataset::from_orders(Orders::from_rows(&[("a".into(), 1, 5.0)]));
        d.add_source(
            "spring.csv",
            b"customer_id,campaign,variant,opened,clicked\na,Spring,A,1,0\nb,Spring,B,0,0\n",
        )
        .unwrap();
        let e = d.email.clone().unwrap();
        let rest = bincode::serialize(&StoredV6 {
            email: Some(EmailTableV6 {
                customer: e.customer.clone(),
                campaign: e.campaign.clone(),
                campaigns: e.campaigns.clone(),
                day: e.day.clone(),
                delivered: e.delivered.clone(),
                opened: e.opened.clone(),
                clicked: e.clicked.clone(),
                unsubscribed: e.unsubscribed.clone(),
                control: e.control.clone(),
                variant: e.variant.clone(),
                variants: e.variants.clone(),
            }),
            surveys: None,
            customers: None,
            events: None,
            tickets: None,
            source_reports: d
                .source_reports
                .iter()
                .map(|r| SourceReportV6 {
                    file_name: r.file_name.clone(),
                    kind: r.kind,
                    rows: r.rows,
                    rejected: r.rejected.clone(),
                    rejected_total: r.rejected_total,
                    customers_without_orders: r.customers_without_orders,
                    columns_used: r.columns_used.clone(),
                    suspicious: r.suspicious.clone(),
                    suspicious_total: r.suspicious_total,
                    not_in_customers_file: r.not_in_customers_file,
                })
                .collect(),
            costs: None,
        })
        .unwrap();
        let old = Dataset::decode(&stored_as(6, &d.orders.encode(), &rest)).unwrap();
        assert_eq!(old.email, d.email);
        assert_eq!(old.source_reports[0].email, None);
        assert_eq!(old.source_reports[0].rows, 2);
        // Today's form keeps both.
        assert!(d.source_reports[0].email.is_some());
        assert_eq!(Dataset::decode(&d.encode()).unwrap(), d);
    }

    fn stored_as(version: u16, table: &[u8], rest: &[u8]) -> Vec<u8> {
        let mut out = b"SGLD".to_vec();
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&(table.len() as u64).to_le_bytes());
        out.extend_from_slice(table);
        out.extend_from_slice(rest);
        out
    }

    #[test]
    fn datasets_of_version_1_still_read() {
        // Version 1 stored the sources without tickets.
        #[derive(Serialize)]
        struct V1 {
            email: Option<EmailTableV6>,
            surveys: Option<SurveyTable>,
            customers: Option<CustomerTable>,
            events: Option<EventTableV2>,
            source_reports: Vec<SourceReportV4>,
        }
        let mut d = Dataset::from_orders(Orders::from_rows(&[("a".into(), 1, 5.0)]));
        d.add_source("s.csv", b"customer_id,nps\na,9\n").unwrap();
        let table = d.orders.encode();
        let rest = bincode::serialize(&V1 {
            email: None,
            surveys: d.surveys.clone(),
            customers: None,
            events: None,
            source_reports: old_reports(&d.source_reports),
        })
        .unwrap();
        let v1 = stored_as(1, &table, &rest);
        assert_eq!(Dataset::decode(&v1).unwrap(), d);
        // With tickets, the current version round-trips.
        d.add_source(
            "t.csv",
            b"ticket_id,customer_id,created_at\n1,a,2024-01-01\n",
        )
        .unwrap();
        assert!(d.tickets.is_some());
        assert_eq!(Dataset::decode(&d.encode()).unwrap(), d);
    }

    #[test]
    fn datasets_of_version_2_still_read_their_events() {
        // Version 2 stored events without their other columns.
        #[derive(Serialize)]
        struct V2 {
            email: Option<EmailTableV6>,
            surveys: Option<SurveyTable>,
            customers: Option<CustomerTable>,
            events: Option<EventTableV2>,
            tickets: Option<TicketTable>,
            source_reports: Vec<SourceReportV4>,
        }
        let mut d = Dataset::from_orders(Orders::from_rows(&[("a".into(), 1, 5.0)]));
        d.add_source(
            "ev.csv",
            b"customer_id,timestamp,event,page\na,2024-01-01T10:00:00Z,view,/home\na,2024-01-01T10:01:00Z,cart,/c/books\n",
        )
        .unwrap();
        let events = d.events.clone().unwrap();
        assert_eq!(events.properties.len(), 1);
        assert_eq!(events.properties[0].name, "page");
        assert_eq!(events.properties[0].values, vec!["/home", "/c/books"]);
        assert_eq!(events.properties[0].code, vec![0, 1]);
        assert_eq!(Dataset::decode(&d.encode()).unwrap(), d);
        let table = d.orders.encode();
        let rest = bincode::serialize(&V2 {
            email: None,
            surveys: None,
            customers: None,
            events: Some(EventTableV2 {
                customer: events.customer.clone(),
                time: events.time.clone(),
                event: events.event.clone(),
                names: events.names.clone(),
                session: events.session.clone(),
            }),
            tickets: None,
            source_reports: old_reports(&d.source_reports),
        })
        .unwrap();
        let v2 = stored_as(2, &table, &rest);
        let old = Dataset::decode(&v2).unwrap();
        let events_without = EventTable {
            properties: Vec::new(),
            ..events
        };
        assert_eq!(old.events, Some(events_without));
    }

    #[test]
    fn datasets_of_version_3_still_read_and_costs_round_trip() {
        // Version 3 stored no marketing costs.
        #[derive(Serialize)]
        struct V3 {
            email: Option<EmailTableV6>,
            surveys: Option<SurveyTable>,
            customers: Option<CustomerTable>,
            events: Option<EventTable>,
            tickets: Option<TicketTable>,
            source_reports: Vec<SourceReportV4>,
        }
        let mut d = Dataset::from_orders(Orders::from_rows(&[("a".into(), 1, 5.0)]));
        d.add_source("s.csv", b"customer_id,nps\na,9\n").unwrap();
        let rest = bincode::serialize(&V3 {
            email: None,
            surveys: d.surveys.clone(),
            customers: None,
            events: None,
            tickets: None,
            source_reports: old_reports(&d.source_reports),
        })
        .unwrap();
        let v3 = stored_as(3, &d.orders.encode(), &rest);
        assert_eq!(Dataset::decode(&v3).unwrap(), d);
        let report = d
            .add_source("costs.csv", b"date,channel,spend\n2025-01-01,ads,100\n")
            .unwrap();
        assert_eq!((report.kind, report.rows), (SourceKind::Costs, 1));
        assert_eq!(d.orders.customer_keys.len(), 1, "costs add no customer");
        assert_eq!(Dataset::decode(&d.encode()).unwrap(), d);
    }
}
