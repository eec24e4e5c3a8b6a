//! Sources other than orders, joined per customer: e-mail campaign results
//! and survey answers (NPS, CSAT). A file's kind is recognised from its
//! column names; customer keys are normalised as for orders and share the
//! orders' dense customer indices (customers with no order are added).

use serde::{Deserialize, Serialize};

use crate::import::delimited::{self, Encoding, Record, Splitter, Transcoder};
use crate::import::orders::{ColumnRef, ImportError, Orders, RowError, normalise_key};
use crate::import::roles::{Role, name_score, normalise};
use crate::model::date::{self, DateFormat, Day};
use crate::model::fault::{self, Fault, Why};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceKind {
    /// One row per order or refund.
    Orders,
    /// One row per e-mail sent.
    Email,
    /// One row per survey answer.
    Surveys,
    /// One row per customer: e-mail, name and any attribute.
    Customers,
    /// One row per web or app event.
    Events,
    /// One row per support ticket.
    Tickets,
    /// One row per day (or week, month) and channel or campaign: what was
    /// spent on marketing.
    Costs,
}

impl SourceKind {
    /// Its name as the command line writes it: `orders`, `customers`,
    /// `surveys`, `email`, `events`, `tickets` or `costs`.
    pub fn key(self) -> &'static str {
        match self {
            SourceKind::Orders => "orders",
            SourceKind::Email => "email",
            SourceKind::Surveys => "surveys",
            SourceKind::Customers => "customers",
            SourceKind::Events => "events",
            SourceKind::Tickets => "tickets",
            SourceKind::Costs => "costs",
        }
    }
}

/// A delimited file with a header, as text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextTable {
    /// The file's name.
    pub file_name: String,
    /// The header names.
    pub names: Vec<String>,
    /// The data rows.
    pub rows: Vec<Vec<String>>,
    /// The line each data row starts on.
    pub lines: Vec<u64>,
    /// The columns the user chose for fields, `(field key, column)`.
    pub forced: Vec<(String, usize)>,
    /// Today, to point at dates after it (none: not checked).
    pub today: Option<Day>,
}

impl TextTable {
    /// The header, with the columns the user chose.
    pub fn header(&self) -> Header<'_> {
        Header {
            names: &self.names,
            forced: &self.forced,
        }
    }
}

/// A table's column names and the columns the user chose for fields (by
/// the field's key, see [`fields`]); a chosen column is not guessed for
/// another field.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    /// The column names.
    pub names: &'a [String],
    /// `(field key, column)` chosen by the user.
    pub forced: &'a [(String, usize)],
}

impl<'a> Header<'a> {
    /// Names alone, nothing chosen.
    pub fn plain(names: &'a [String]) -> Header<'a> {
        Header { names, forced: &[] }
    }
}

impl Header<'_> {
    /// How many columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when there is no column.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

impl std::ops::Index<usize> for Header<'_> {
    type Output = String;
    fn index(&self, i: usize) -> &String {
        &self.names[i]
    }
}

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
    names: &'static [&'static str],
}

const fn field(names: &'static [&'static str], label: &'static str, required: bool) -> Field {
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

fn read_rows(
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
        let splitter = Splitter::new(delimited::sniff_delimiter(sample));
        (text, splitter)
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
fn find(header: &Header<'_>, wanted: &[&str]) -> Option<usize> {
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

const CUSTOMER: &[&str] = &[
    "customer_id",
    "customer",
    "client",
    "id_client",
    "client_id",
    "user_id",
    "contact_id",
    "subscriber_id",
    "email",
    "e_mail",
    "email_address",
    "courriel",
    "adresse_email",
    "contact",
];
const EMAIL: &[&str] = &[
    "email",
    "e_mail",
    "email_address",
    "courriel",
    "adresse_email",
    "mail",
    "adresse_e_mail",
];
const FIRST_NAME: &[&str] = &["first_name", "firstname", "prenom", "given_name"];
const LAST_NAME: &[&str] = &[
    "last_name",
    "lastname",
    "nom",
    "surname",
    "family_name",
    "nom_de_famille",
];
const EVENT: &[&str] = &[
    "event",
    "event_name",
    "event_type",
    "action",
    "evenement",
    "type_evenement",
];
const TIMESTAMP: &[&str] = &[
    "timestamp",
    "event_time",
    "time",
    "datetime",
    "occurred_at",
    "created_at",
    "date",
    "horodatage",
];
const SESSION: &[&str] = &["session_id", "session", "visit_id", "id_session"];
const CAMPAIGN: &[&str] = &[
    "campaign",
    "campaign_id",
    "campaign_name",
    "campagne",
    "nom_campagne",
];
const SENT: &[&str] = &[
    "sent_at",
    "sent",
    "send_date",
    "date_envoi",
    "envoye_le",
    "date",
    "sent_date",
];
/// A sends file's group: which customers were held out of the campaign.
/// `holdout`, `control` and their kind are yes/no columns (yes = held out);
/// the others hold a group's name (control, holdout, témoin… or treatment,
/// test, cible…).
const GROUP: &[&str] = &[
    "group",
    "test_group",
    "control_group",
    "ab_group",
    "groupe",
    "groupe_test",
    "holdout",
    "control",
    "is_control",
    "held_out",
    "in_control_group",
    "temoin",
];
/// Columns of [`GROUP`] that say yes or no to "held out".
const GROUP_FLAGS: &[&str] = &[
    "holdout",
    "control",
    "is_control",
    "held_out",
    "in_control_group",
    "temoin",
];
const VARIANT: &[&str] = &[
    "variant",
    "variation",
    "ab_variant",
    "test_variant",
    "variante",
    "version",
];
const DELIVERED: &[&str] = &["delivered", "delivered_at", "delivre", "recu"];
const OPENED: &[&str] = &[
    "opened",
    "opened_at",
    "opens",
    "open",
    "ouvert",
    "ouverture",
    "ouvertures",
];
const CLICKED: &[&str] = &[
    "clicked",
    "clicked_at",
    "clicks",
    "click",
    "clic",
    "clics",
    "clique",
];
const UNSUBSCRIBED: &[&str] = &[
    "unsubscribed",
    "unsubscribed_at",
    "unsubscribe",
    "desabonne",
    "desinscrit",
];
const ANSWERED: &[&str] = &[
    "answered_at",
    "submitted_at",
    "date",
    "response_date",
    "date_reponse",
    "created_at",
];
const NPS: &[&str] = &[
    "nps",
    "nps_score",
    "recommend",
    "likelihood_to_recommend",
    "recommandation",
    "score",
];
const CSAT: &[&str] = &["csat", "satisfaction", "csat_score", "note_satisfaction"];

const TICKET: &[&str] = &[
    "ticket_id",
    "ticket",
    "ticket_number",
    "id_ticket",
    "numero_ticket",
    "case_id",
    "case_number",
];
const CREATED: &[&str] = &[
    "created_at",
    "created",
    "opened_at",
    "date_creation",
    "date_de_creation",
    "date_ouverture",
    "submitted_at",
];
const RESOLVED: &[&str] = &[
    "resolved_at",
    "solved_at",
    "closed_at",
    "resolved",
    "solved",
    "resolution_date",
    "date_resolution",
    "date_de_resolution",
    "date_cloture",
];
const REQUESTER: &[&str] = &["requester", "requester_email", "requester_id", "demandeur"];
const SPEND: &[&str] = &[
    "spend",
    "ad_spend",
    "amount_spent",
    "cost",
    "costs",
    "media_cost",
    "marketing_cost",
    "depense",
    "depenses",
    "cout",
    "couts",
    "investissement",
    "budget_depense",
];
const COST_DATE: &[&str] = &[
    "date",
    "day",
    "jour",
    "week",
    "semaine",
    "month",
    "mois",
    "period",
    "periode",
    "start_date",
    "date_debut",
];
const CHANNEL: &[&str] = &[
    "channel",
    "canal",
    "source",
    "medium",
    "utm_source",
    "network",
    "platform",
    "plateforme",
    "reseau",
    "levier",
];
/// Who referred a customer, in a customers file (their id or e-mail).
const REFERRER: &[&str] = &[
    "referred_by",
    "referrer",
    "referrer_id",
    "referrer_email",
    "referred_by_id",
    "sponsor",
    "parrain",
    "parraine_par",
    "id_parrain",
    "email_parrain",
];

/// The acquisition channel in a customers file.
const ACQUISITION: &[&str] = &[
    "acquisition_channel",
    "canal_acquisition",
    "canal_d_acquisition",
    "acquisition_source",
    "acquisition",
    "first_touch",
    "utm_source",
    "source",
    "channel",
    "canal",
];

/// Recognises what a table holds from its column names.
pub fn classify(names: &[String]) -> Option<SourceKind> {
    classify_header(&Header::plain(names))
}

/// Recognises what a table holds from its column names and the columns
/// the user chose for fields.
pub fn classify_header(header: &Header<'_>) -> Option<SourceKind> {
    let names = header.names;
    let has = |w: &[&str]| find(header, w).is_some();
    let has_amount = names.iter().any(|n| name_score(Role::Amount, n) > 0);
    if has(&[
        "nps",
        "nps_score",
        "csat",
        "recommend",
        "likelihood_to_recommend",
    ]) {
        Some(SourceKind::Surveys)
    } else if has(OPENED) || has(CLICKED) {
        Some(SourceKind::Email)
    } else if has(CAMPAIGN) && has(CUSTOMER) && (has(GROUP) || has(VARIANT)) && !has_amount {
        // A sends file: who was sent which campaign, and who was held out.
        Some(SourceKind::Email)
    } else if has(EVENT) && has(TIMESTAMP) {
        Some(SourceKind::Events)
    } else if has(TICKET) || (has(CREATED) && has(RESOLVED)) {
        Some(SourceKind::Tickets)
    } else if has(SPEND) && has(COST_DATE) && !has(CUSTOMER) {
        Some(SourceKind::Costs)
    } else if has_amount {
        Some(SourceKind::Orders)
    } else if has(CUSTOMER) {
        Some(SourceKind::Customers)
    } else {
        None
    }
}

/// Columns that describe a customer: who they are, where they live, what
/// they like. A file with several beside an NPS or CSAT column is a
/// customers file (a CRM's export) that also holds answers.
const ATTRIBUTES: &[&str] = &[
    "gender",
    "sex",
    "sexe",
    "genre",
    "civilite",
    "age",
    "birth_date",
    "date_of_birth",
    "birthday",
    "date_de_naissance",
    "city",
    "ville",
    "country",
    "pays",
    "region",
    "postcode",
    "postal_code",
    "zip",
    "code_postal",
    "interests",
    "centres_d_interet",
    "interets",
    "first_name",
    "prenom",
    "last_name",
    "nom",
    "phone",
    "telephone",
    "company",
    "societe",
];

/// Every kind a table holds, the first being what it is read as first:
/// most files hold one; a customers file with an NPS or CSAT column (and
/// at least two columns describing the customer) is customers and survey
/// answers.
pub fn classify_all(header: &Header<'_>) -> Vec<SourceKind> {
    let attributes = header
        .names
        .iter()
        .filter(|n| ATTRIBUTES.contains(&normalise(n).as_str()))
        .count();
    match classify_header(header) {
        Some(SourceKind::Surveys) if attributes >= 2 => {
            vec![SourceKind::Customers, SourceKind::Surveys]
        }
        Some(kind) => vec![kind],
        None => Vec::new(),
    }
}

/// The rows of a customers file that hold an answer (an NPS or CSAT cell),
/// as its survey answers: in such a file an empty cell is no answer, not a
/// rejected row.
pub fn answered_rows(table: &TextTable) -> TextTable {
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
    fn clone_header(&self) -> TextTable {
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
pub fn parse_flag(text: &str) -> Option<bool> {
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

/// What a source's import understood and rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceReport {
    /// The file's name.
    pub file_name: String,
    /// What it holds.
    pub kind: SourceKind,
    /// Rows accepted.
    pub rows: u64,
    /// Rows rejected (the first 1,000 listed).
    pub rejected: Vec<RowError>,
    /// Rows rejected in all.
    pub rejected_total: u64,
    /// Distinct customers of the accepted rows that have no order.
    pub customers_without_orders: u64,
    /// The columns used, as `role: column name`.
    pub columns_used: Vec<String>,
    /// Kept rows with a value worth a look (the first 1,000): a date after
    /// today, an impossible age or birth date.
    #[serde(default)]
    pub suspicious: Vec<RowError>,
    /// Rows with such a value in all.
    #[serde(default)]
    pub suspicious_total: u64,
    /// With a customers file: the distinct customers of this source that
    /// it does not list (for the customers file itself, the customers who
    /// ordered that it does not list); none without one.
    #[serde(default)]
    pub not_in_customers_file: Option<u64>,
}

/// E-mail campaign results, one row per e-mail sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailTable {
    /// The customer of each row.
    pub customer: Vec<u32>,
    /// The campaign of each row, an index into `campaigns`.
    pub campaign: Vec<u32>,
    /// The campaigns' names.
    pub campaigns: Vec<String>,
    /// The day the e-mail was sent, when known.
    pub day: Vec<Option<Day>>,
    /// Delivered (true when the file has no such column).
    pub delivered: Vec<bool>,
    /// Opened.
    pub opened: Vec<bool>,
    /// Clicked.
    pub clicked: Vec<bool>,
    /// Unsubscribed.
    pub unsubscribed: Vec<bool>,
    /// Held out as a control group (not sent the campaign); all false when
    /// the file has no group column.
    #[serde(default)]
    pub control: Vec<bool>,
    /// The variant of each row, an index into `variants`; empty when the
    /// file has no variant column.
    #[serde(default)]
    pub variant: Vec<u32>,
    /// The variants' names, in order of first appearance.
    #[serde(default)]
    pub variants: Vec<String>,
}

/// The index of `name` in `names`, added at the end when new (`seen`
/// finds it without a scan).
fn intern(
    seen: &mut rustc_hash::FxHashMap<String, u32>,
    names: &mut Vec<String>,
    name: &str,
) -> u32 {
    if let Some(&i) = seen.get(name) {
        return i;
    }
    let i = names.len() as u32;
    names.push(name.to_string());
    seen.insert(name.to_string(), i);
    i
}

/// Reads a sends file's group cell: `Some(true)` for a control group
/// (control, holdout, held out, témoin, contrôle…), `Some(false)` for a
/// group that was sent the campaign (treatment, test, target, cible, an
/// empty cell…), `None` otherwise.
pub fn parse_group(text: &str) -> Option<bool> {
    const CONTROL: &[&str] = &[
        "control",
        "control_group",
        "holdout",
        "hold_out",
        "held_out",
        "ctrl",
        "temoin",
        "groupe_temoin",
        "controle",
        "groupe_de_controle",
        "exclu",
    ];
    const SENT: &[&str] = &[
        "",
        "treatment",
        "treated",
        "test",
        "target",
        "targeted",
        "exposed",
        "sent",
        "mailed",
        "cible",
        "traite",
        "envoye",
        "expose",
    ];
    let key = normalise(text);
    if CONTROL.contains(&key.as_str()) {
        Some(true)
    } else if SENT.contains(&key.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// Survey answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SurveyTable {
    /// The customer of each answer.
    pub customer: Vec<u32>,
    /// The day of the answer, when known.
    pub day: Vec<Option<Day>>,
    /// The NPS answer, 0 to 10.
    pub nps: Vec<Option<u8>>,
    /// The CSAT answer, 1 to 5.
    pub csat: Vec<Option<u8>>,
}

/// The customers file: contact details and every other column kept as an
/// attribute, by customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerTable {
    /// The customer of each row.
    pub customer: Vec<u32>,
    /// E-mail addresses (lower-cased), empty when unknown.
    pub email: Vec<String>,
    /// First names.
    pub first_name: Vec<String>,
    /// Last names.
    pub last_name: Vec<String>,
    /// The other columns' names.
    pub attribute_names: Vec<String>,
    /// The other columns' values: `attributes[row][column]`.
    pub attributes: Vec<Vec<String>>,
}

impl CustomerTable {
    /// The row of each customer index, for lookups.
    pub fn row_of(&self, n_customers: usize) -> Vec<Option<usize>> {
        let mut out = vec![None; n_customers];
        for (row, c) in self.customer.iter().enumerate() {
            if let Some(slot) = out.get_mut(*c as usize) {
                *slot = Some(row);
            }
        }
        out
    }
}

/// Support tickets, one row per ticket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketTable {
    /// The customer of each ticket.
    pub customer: Vec<u32>,
    /// When it was opened, in seconds since the epoch (UTC).
    pub created: Vec<i64>,
    /// When it was resolved, if it was.
    pub resolved: Vec<Option<i64>>,
}

/// Marketing spend, one row per day (or period start) and channel or
/// campaign.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CostTable {
    /// The day of each row (the first day of its period).
    pub day: Vec<Day>,
    /// The channel (or campaign) of each row, an index into `channels`.
    pub channel: Vec<u32>,
    /// The channels, as written in the file (trimmed).
    pub channels: Vec<String>,
    /// What was spent.
    pub spend: Vec<f64>,
}

/// Web or app events of known customers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventTable {
    /// The customer of each event.
    pub customer: Vec<u32>,
    /// When it happened, in seconds since the epoch (UTC).
    pub time: Vec<i64>,
    /// What happened, an index into `names`.
    pub event: Vec<u32>,
    /// The events' names.
    pub names: Vec<String>,
    /// The session, an index into the file's session ids, when known.
    pub session: Vec<Option<u32>>,
    /// The file's other columns (page, channel, campaign, ...), for
    /// filters on funnel steps.
    #[serde(default)]
    pub properties: Vec<EventProperty>,
}

/// One more column of the events file, dictionary-encoded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventProperty {
    /// The column's name.
    pub name: String,
    /// Its distinct values (trimmed), the empty one included.
    pub values: Vec<String>,
    /// Each event's value, an index into `values`.
    pub code: Vec<u32>,
}

/// A column with more distinct values than this (an event id, a URL with
/// query strings) is not kept as a property.
pub const MAX_PROPERTY_VALUES: usize = 20_000;

/// An events table as dataset versions 1 and 2 stored it (no properties).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventTableV2 {
    /// The customer of each event.
    pub customer: Vec<u32>,
    /// When it happened.
    pub time: Vec<i64>,
    /// What happened.
    pub event: Vec<u32>,
    /// The events' names.
    pub names: Vec<String>,
    /// The session.
    pub session: Vec<Option<u32>>,
}

impl From<EventTableV2> for EventTable {
    fn from(t: EventTableV2) -> Self {
        EventTable {
            customer: t.customer,
            time: t.time,
            event: t.event,
            names: t.names,
            session: t.session,
            properties: Vec::new(),
        }
    }
}

/// Finds or adds a customer key in the orders' key space.
struct Keys<'a> {
    orders: &'a mut Orders,
    index: rustc_hash::FxHashMap<String, u32>,
    with_orders: usize,
    new_seen: rustc_hash::FxHashSet<u32>,
}

impl<'a> Keys<'a> {
    fn new(orders: &'a mut Orders) -> Self {
        let index = orders
            .customer_keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i as u32))
            .collect();
        let with_orders = orders.customer_keys.len();
        Keys {
            orders,
            index,
            with_orders,
            new_seen: Default::default(),
        }
    }

    fn get(&mut self, raw: &str) -> Option<u32> {
        let key = normalise_key(raw);
        if key.is_empty() {
            return None;
        }
        let idx = match self.index.get(&key) {
            Some(i) => *i,
            None => {
                let i = self.orders.customer_keys.len() as u32;
                self.orders.customer_keys.push(key.clone());
                self.index.insert(key, i);
                i
            }
        };
        if idx as usize >= self.with_orders {
            self.new_seen.insert(idx);
        }
        Some(idx)
    }
}

/// An empty report naming the columns used, as `role: column`.
fn report(table: &TextTable, kind: SourceKind, roles: &[(&str, Option<usize>)]) -> SourceReport {
    SourceReport {
        file_name: table.file_name.clone(),
        kind,
        rows: 0,
        rejected: Vec::new(),
        rejected_total: 0,
        customers_without_orders: 0,
        suspicious: Vec::new(),
        suspicious_total: 0,
        not_in_customers_file: None,
        columns_used: roles
            .iter()
            .filter_map(|(role, c)| c.map(|c| format!("{role}: {}", table.names[c])))
            .collect(),
    }
}

fn reject(r: &mut SourceReport, line: u64, column: Option<&str>, why: impl Into<Why>) {
    r.rejected_total += 1;
    if r.rejected.len() < 1_000 {
        r.rejected
            .push(RowError::new(line, column.map(str::to_string), why));
    }
}

/// Names of a customer's birth date, signup date and age.
const BIRTH: &[&str] = &[
    "birth_date",
    "date_of_birth",
    "birthdate",
    "birthday",
    "dob",
    "date_de_naissance",
    "naissance",
];
const SIGNUP: &[&str] = &[
    "signup_date",
    "signed_up_at",
    "registered_at",
    "registration_date",
    "date_inscription",
    "inscription",
    "customer_since",
    "client_depuis",
];
const AGE: &[&str] = &["age"];

/// The oldest age a customer is taken to have.
const MAX_AGE: f64 = 120.0;

/// A date or date-time cell's day, in the column's date format or as a
/// timestamp.
fn day_in(format: Option<DateFormat>, text: &str) -> Option<Day> {
    date_of(format, text)
        .or_else(|| date::parse_timestamp(text).map(|t| t.div_euclid(86_400) as Day))
}

/// Points at the values of kept rows worth a look: dates after today,
/// impossible ages and birth dates (a ticket resolved before it was opened
/// is rejected by its importer). Nothing is changed or dropped; the report
/// lists them.
pub fn flag_suspicious(table: &TextTable, kind: SourceKind, rep: &mut SourceReport) {
    let h = table.header();
    let dated: Vec<usize> = match kind {
        SourceKind::Email => find(&h, SENT).into_iter().collect(),
        SourceKind::Surveys => find(&h, ANSWERED).into_iter().collect(),
        SourceKind::Events => find(&h, TIMESTAMP).into_iter().collect(),
        SourceKind::Tickets => [find(&h, CREATED), find(&h, RESOLVED)]
            .into_iter()
            .flatten()
            .collect(),
        SourceKind::Costs => find(&h, COST_DATE).into_iter().collect(),
        SourceKind::Customers => [find(&h, SIGNUP), find(&h, BIRTH)]
            .into_iter()
            .flatten()
            .collect(),
        SourceKind::Orders => Vec::new(),
    };
    let formats: Vec<Option<DateFormat>> = dated.iter().map(|c| date_format(table, *c)).collect();
    let birth = (kind == SourceKind::Customers)
        .then(|| find(&h, BIRTH))
        .flatten();
    let age = (kind == SourceKind::Customers)
        .then(|| find(&h, AGE))
        .flatten();
    let rejected: rustc_hash::FxHashSet<u64> = rep.rejected.iter().map(|e| e.line).collect();
    let note = |rep: &mut SourceReport, line: u64, column: usize, reason: Fault| {
        rep.suspicious_total += 1;
        if rep.suspicious.len() < 1_000 {
            rep.suspicious.push(RowError::new(
                line,
                Some(table.names[column].clone()),
                reason,
            ));
        }
    };
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        if rejected.contains(&line) {
            continue;
        }
        let cell = |c: usize| row.get(c).map(|v| v.trim()).unwrap_or("");
        let before = rep.suspicious_total;
        if let Some(today) = table.today {
            for (c, f) in dated.iter().zip(&formats) {
                match day_in(*f, cell(*c)) {
                    Some(d) if d > today => {
                        let birth = Some(*c) == birth;
                        note(rep, line, *c, Fault::AfterToday { day: d, birth });
                        break;
                    }
                    Some(d) if Some(*c) == birth && f64::from(today - d) / 365.25 > MAX_AGE => {
                        let years = MAX_AGE as u32;
                        note(rep, line, *c, Fault::BornTooLongAgo { day: d, years });
                        break;
                    }
                    _ => {}
                }
            }
        }
        if rep.suspicious_total == before
            && let Some(c) = age
            && let Ok(years) = cell(c).replace(',', ".").parse::<f64>()
            && !(0.0..=MAX_AGE).contains(&years)
        {
            let text = cell(c).to_string();
            let reason = if years < 0.0 {
                Fault::NegativeAge { text }
            } else {
                Fault::AgeBeyondAnyCustomer { text }
            };
            note(rep, line, c, reason);
        }
    }
}

/// Gives each listed rejected row its fields, found by line in the table.
pub fn attach_values(report: &mut SourceReport, table: &TextTable) {
    for e in &mut report.rejected {
        if let Ok(i) = table.lines.binary_search(&e.line) {
            e.values = table.rows[i].clone();
        }
    }
}

/// The date format of a column, from its first 500 values.
fn date_format(table: &TextTable, column: usize) -> Option<DateFormat> {
    let values: Vec<&str> = table
        .rows
        .iter()
        .take(500)
        .filter_map(|r| r.get(column).map(String::as_str))
        .collect();
    date::detect_named(&values)
}

fn date_of(format: Option<DateFormat>, text: &str) -> Option<Day> {
    date::parse_with(format?, text).ok()
}

fn missing(table: &TextTable, what: &str) -> ImportError {
    ImportError::MissingColumn {
        file: table.file_name.clone(),
        what: what.to_string(),
        columns: table.names.clone(),
    }
}

/// Reads e-mail results into the orders' customer key space.
pub fn build_email(
    table: &TextTable,
    orders: &mut Orders,
) -> Result<(EmailTable, SourceReport), ImportError> {
    let n = &table.header();
    let customer =
        find(n, CUSTOMER).ok_or_else(|| missing(table, "a customer or e-mail address"))?;
    let opened = find(n, OPENED);
    let clicked = find(n, CLICKED);
    let group = find(n, GROUP);
    let variant = find(n, VARIANT);
    if opened.is_none() && clicked.is_none() && group.is_none() && variant.is_none() {
        return Err(missing(
            table,
            "an opened or clicked column (or a sends file's group)",
        ));
    }
    let group_is_flag = group.is_some_and(|c| GROUP_FLAGS.contains(&normalise(&n[c]).as_str()));
    let (campaign, sent, delivered, unsub) = (
        // A campaign's name rather than its id when the file has both.
        find(
            n,
            &["campaign", "campaign_name", "nom_campagne", "campagne"],
        )
        .or_else(|| find(n, CAMPAIGN)),
        find(n, SENT).filter(|c| Some(*c) != opened && Some(*c) != clicked),
        find(n, DELIVERED),
        find(n, UNSUBSCRIBED),
    );
    let sent_format = sent.and_then(|c| date_format(table, c));
    let mut rep = report(
        table,
        SourceKind::Email,
        &[
            ("customer", Some(customer)),
            ("campaign", campaign),
            ("sent", sent),
            ("delivered", delivered),
            ("opened", opened),
            ("clicked", clicked),
            ("unsubscribed", unsub),
            ("group", group),
            ("variant", variant),
        ],
    );
    let mut keys = Keys::new(orders);
    let mut out = EmailTable::default();
    let mut campaigns: rustc_hash::FxHashMap<String, u32> = Default::default();
    let mut variants: rustc_hash::FxHashMap<String, u32> = Default::default();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).map(String::as_str).unwrap_or("");
        let Some(who) = keys.get(cell(Some(customer))) else {
            reject(
                &mut rep,
                line,
                Some(&n[customer]),
                Fault::Empty(fault::Field::Customer),
            );
            continue;
        };
        let flag = |c: Option<usize>, default: bool| -> Result<bool, usize> {
            match c {
                None => Ok(default),
                Some(c) => parse_flag(cell(Some(c))).ok_or(c),
            }
        };
        let flags = (|| {
            Ok((
                flag(delivered, true)?,
                flag(opened, false)?,
                flag(clicked, false)?,
                flag(unsub, false)?,
            ))
        })();
        let (d, o, c, u) = match flags {
            Ok(f) => f,
            Err(col) => {
                let reason = Fault::NotYesOrNo {
                    text: cell(Some(col)).to_string(),
                };
                reject(&mut rep, line, Some(&n[col]), reason);
                continue;
            }
        };
        let held_out = match group {
            None => false,
            Some(g) => {
                let text = cell(Some(g));
                let read = if group_is_flag {
                    parse_flag(text).or_else(|| text.trim().is_empty().then_some(false))
                } else {
                    parse_group(text)
                };
                match read {
                    Some(h) => h,
                    None => {
                        let reason = if group_is_flag {
                            Fault::NotYesOrNo {
                                text: text.to_string(),
                            }
                        } else {
                            Fault::NotAGroup {
                                text: text.to_string(),
                            }
                        };
                        reject(&mut rep, line, Some(&n[g]), reason);
                        continue;
                    }
                }
            }
        };
        if variant.is_some() {
            let v = intern(&mut variants, &mut out.variants, cell(variant).trim());
            out.variant.push(v);
        }
        out.control.push(held_out);
        let camp = intern(&mut campaigns, &mut out.campaigns, cell(campaign));
        out.customer.push(who);
        out.campaign.push(camp);
        out.day.push(date_of(sent_format, cell(sent)));
        out.delivered.push(d);
        // An open or a click implies delivery and a click implies an open.
        out.opened.push(o || c);
        out.clicked.push(c);
        out.unsubscribed.push(u);
    }
    rep.rows = out.customer.len() as u64;
    rep.customers_without_orders = keys.new_seen.len() as u64;
    Ok((out, rep))
}

/// Reads survey answers into the orders' customer key space. NPS answers
/// must be whole numbers from 0 to 10 and CSAT answers from 1 to 5; others
/// are rejected.
pub fn build_surveys(
    table: &TextTable,
    orders: &mut Orders,
) -> Result<(SurveyTable, SourceReport), ImportError> {
    let n = &table.header();
    let customer =
        find(n, CUSTOMER).ok_or_else(|| missing(table, "a customer or e-mail address"))?;
    let nps = find(n, NPS);
    let csat = find(n, CSAT).filter(|c| Some(*c) != nps);
    if nps.is_none() && csat.is_none() {
        return Err(missing(table, "an NPS or CSAT column"));
    }
    let answered = find(n, ANSWERED);
    let format = answered.and_then(|c| date_format(table, c));
    let mut rep = report(
        table,
        SourceKind::Surveys,
        &[
            ("customer", Some(customer)),
            ("date", answered),
            ("nps", nps),
            ("csat", csat),
        ],
    );
    let mut keys = Keys::new(orders);
    let mut out = SurveyTable::default();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).map(String::as_str).unwrap_or("");
        let Some(who) = keys.get(cell(Some(customer))) else {
            reject(
                &mut rep,
                line,
                Some(&n[customer]),
                Fault::Empty(fault::Field::Customer),
            );
            continue;
        };
        let score = |c: Option<usize>, lo: u8, hi: u8| -> Result<Option<u8>, Fault> {
            let Some(c) = c else { return Ok(None) };
            let t = cell(Some(c));
            if t.is_empty() {
                return Ok(None);
            }
            match t.parse::<u8>() {
                Ok(v) if (lo..=hi).contains(&v) => Ok(Some(v)),
                _ => Err(Fault::NotInScale {
                    text: t.to_string(),
                    lo,
                    hi,
                }),
            }
        };
        match (score(nps, 0, 10), score(csat, 1, 5)) {
            (Ok(a), Ok(b)) if a.is_some() || b.is_some() => {
                out.customer.push(who);
                out.day.push(date_of(format, cell(answered)));
                out.nps.push(a);
                out.csat.push(b);
            }
            (Ok(_), Ok(_)) => reject(&mut rep, line, None, Fault::NoScore),
            (Err(e), _) => reject(&mut rep, line, nps.map(|c| n[c].as_str()), e),
            (_, Err(e)) => reject(&mut rep, line, csat.map(|c| n[c].as_str()), e),
        }
    }
    rep.rows = out.customer.len() as u64;
    rep.customers_without_orders = keys.new_seen.len() as u64;
    Ok((out, rep))
}

/// Reads a customers file into the orders' customer key space. The key is
/// the first customer column (an id, or the e-mail when there is no id);
/// a customer listed twice keeps its last row, and the first is reported.
pub fn build_customers(
    table: &TextTable,
    orders: &mut Orders,
) -> Result<(CustomerTable, SourceReport), ImportError> {
    let n = &table.header();
    let customer =
        find(n, CUSTOMER).ok_or_else(|| missing(table, "a customer id or e-mail address"))?;
    let email = find(n, EMAIL);
    let (first, last) = (
        find(n, FIRST_NAME),
        find(n, LAST_NAME).filter(|c| Some(*c) != find(n, FIRST_NAME)),
    );
    let others: Vec<usize> = (0..n.len())
        .filter(|c| *c != customer && Some(*c) != email && Some(*c) != first && Some(*c) != last)
        .collect();
    let mut rep = report(
        table,
        SourceKind::Customers,
        &[
            ("customer", Some(customer)),
            ("email", email),
            ("first name", first),
            ("last name", last),
        ],
    );
    let mut keys = Keys::new(orders);
    let mut out = CustomerTable {
        attribute_names: others.iter().map(|c| n[*c].clone()).collect(),
        ..CustomerTable::default()
    };
    let mut seen: rustc_hash::FxHashMap<u32, usize> = Default::default();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .map(String::as_str)
                .unwrap_or("")
                .to_string()
        };
        let Some(who) = keys.get(&cell(Some(customer))) else {
            reject(
                &mut rep,
                line,
                Some(&n[customer]),
                Fault::Empty(fault::Field::Customer),
            );
            continue;
        };
        let values = (
            normalise_key(&cell(email)).to_lowercase(),
            cell(first),
            cell(last),
            others.iter().map(|c| cell(Some(*c))).collect::<Vec<_>>(),
        );
        if let Some(&at) = seen.get(&who) {
            reject(&mut rep, line, Some(&n[customer]), Fault::ListedAgain);
            out.email[at] = values.0;
            out.first_name[at] = values.1;
            out.last_name[at] = values.2;
            out.attributes[at] = values.3;
            continue;
        }
        seen.insert(who, out.customer.len());
        out.customer.push(who);
        out.email.push(values.0);
        out.first_name.push(values.1);
        out.last_name.push(values.2);
        out.attributes.push(values.3);
    }
    rep.rows = out.customer.len() as u64;
    rep.customers_without_orders = keys.new_seen.len() as u64;
    Ok((out, rep))
}

/// Reads events of known customers into the orders' key space; rows
/// without a customer (anonymous visits) and with unreadable times are
/// counted as rejected.
pub fn build_events(
    table: &TextTable,
    orders: &mut Orders,
) -> Result<(EventTable, SourceReport), ImportError> {
    let n = &table.header();
    let customer =
        find(n, CUSTOMER).ok_or_else(|| missing(table, "a customer id or e-mail address"))?;
    let event = find(n, EVENT).ok_or_else(|| missing(table, "an event name"))?;
    let time = find(n, TIMESTAMP).ok_or_else(|| missing(table, "a timestamp"))?;
    let session = find(n, SESSION);
    let mut rep = report(
        table,
        SourceKind::Events,
        &[
            ("customer", Some(customer)),
            ("event", Some(event)),
            ("time", Some(time)),
            ("session", session),
        ],
    );
    let mut keys = Keys::new(orders);
    let mut out = EventTable::default();
    let mut names: rustc_hash::FxHashMap<String, u32> = Default::default();
    let mut sessions: rustc_hash::FxHashMap<String, u32> = Default::default();
    let used = [Some(customer), Some(event), Some(time), session];
    let property_columns: Vec<usize> = (0..n.len())
        .filter(|c| !used.contains(&Some(*c)) && !n[*c].trim().is_empty())
        .collect();
    let mut properties: Vec<(EventProperty, rustc_hash::FxHashMap<String, u32>)> = property_columns
        .iter()
        .map(|c| {
            (
                EventProperty {
                    name: n[*c].trim().to_string(),
                    ..EventProperty::default()
                },
                Default::default(),
            )
        })
        .collect();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
        let Some(who) = keys.get(cell(customer)) else {
            reject(&mut rep, line, Some(&n[customer]), Fault::Anonymous);
            continue;
        };
        let Some(t) = date::parse_timestamp(cell(time)) else {
            reject(
                &mut rep,
                line,
                Some(&n[time]),
                Fault::NotADateAndTime {
                    text: cell(time).to_string(),
                },
            );
            continue;
        };
        let name = cell(event).to_string();
        if name.is_empty() {
            reject(
                &mut rep,
                line,
                Some(&n[event]),
                Fault::Empty(fault::Field::Event),
            );
            continue;
        }
        let next = names.len() as u32;
        let e = *names.entry(name.clone()).or_insert_with(|| {
            out.names.push(name);
            next
        });
        let s = session.map(cell).filter(|v| !v.is_empty()).map(|v| {
            let next = sessions.len() as u32;
            *sessions.entry(v.to_string()).or_insert(next)
        });
        out.customer.push(who);
        out.time.push(t);
        out.event.push(e);
        out.session.push(s);
        for ((p, index), &c) in properties.iter_mut().zip(&property_columns) {
            if p.values.len() > MAX_PROPERTY_VALUES {
                continue;
            }
            let v = cell(c).trim();
            let code = match index.get(v) {
                Some(code) => *code,
                None => {
                    let code = p.values.len() as u32;
                    p.values.push(v.to_string());
                    index.insert(v.to_string(), code);
                    code
                }
            };
            p.code.push(code);
        }
    }
    out.properties = properties
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.values.len() <= MAX_PROPERTY_VALUES)
        .collect();
    rep.rows = out.customer.len() as u64;
    rep.customers_without_orders = keys.new_seen.len() as u64;
    Ok((out, rep))
}

/// A time as ticket exports write it: an ISO date-time, or a date in the
/// column's format (midnight UTC).
fn seconds_of(format: Option<DateFormat>, text: &str) -> Option<i64> {
    date::parse_timestamp(text).or_else(|| date_of(format, text).map(|d| i64::from(d) * 86_400))
}

/// Reads support tickets into the orders' key space; a ticket without a
/// customer or a readable creation time is rejected, as is one resolved
/// before it was opened.
pub fn build_tickets(
    table: &TextTable,
    orders: &mut Orders,
) -> Result<(TicketTable, SourceReport), ImportError> {
    let n = &table.header();
    let customer = find(n, CUSTOMER)
        .or_else(|| find(n, REQUESTER))
        .ok_or_else(|| missing(table, "a customer or requester e-mail"))?;
    let created = find(n, CREATED).ok_or_else(|| missing(table, "when the ticket was opened"))?;
    let resolved = find(n, RESOLVED).filter(|c| *c != created);
    let created_format = date_format(table, created);
    let resolved_format = resolved.and_then(|c| date_format(table, c));
    let mut rep = report(
        table,
        SourceKind::Tickets,
        &[
            ("customer", Some(customer)),
            ("opened", Some(created)),
            ("resolved", resolved),
        ],
    );
    let mut keys = Keys::new(orders);
    let mut out = TicketTable::default();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
        let Some(who) = keys.get(cell(customer)) else {
            reject(
                &mut rep,
                line,
                Some(&n[customer]),
                Fault::Empty(fault::Field::Customer),
            );
            continue;
        };
        let Some(opened) = seconds_of(created_format, cell(created)) else {
            let t = cell(created);
            let reason = if t.is_empty() {
                Fault::Empty(fault::Field::OpeningTime)
            } else {
                Fault::NotADateOrTime {
                    text: t.to_string(),
                }
            };
            reject(&mut rep, line, Some(&n[created]), reason);
            continue;
        };
        let closed = match resolved.map(cell).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => match seconds_of(resolved_format, t) {
                Some(s) if s >= opened => Some(s),
                Some(_) => {
                    reject(
                        &mut rep,
                        line,
                        resolved.map(|c| n[c].as_str()),
                        Fault::ResolvedBeforeOpened,
                    );
                    continue;
                }
                None => {
                    reject(
                        &mut rep,
                        line,
                        resolved.map(|c| n[c].as_str()),
                        Fault::NotADateOrTime {
                            text: t.to_string(),
                        },
                    );
                    continue;
                }
            },
        };
        out.customer.push(who);
        out.created.push(opened);
        out.resolved.push(closed);
    }
    rep.rows = out.customer.len() as u64;
    rep.customers_without_orders = keys.new_seen.len() as u64;
    Ok((out, rep))
}

/// The column of the customers file that says who referred each customer.
pub fn referrer_column(customers: &CustomerTable) -> Option<usize> {
    find(&Header::plain(&customers.attribute_names), REFERRER)
}

/// The column of the customers file that says how each customer was
/// acquired (`acquisition_channel`, `canal d'acquisition`, `source`, ...).
pub fn acquisition_column(customers: &CustomerTable) -> Option<usize> {
    find(&Header::plain(&customers.attribute_names), ACQUISITION)
}

/// Reads marketing costs: a date, a spend and a channel or campaign (all
/// rows in one "(all)" channel when there is neither). A row with an
/// unreadable date or spend, or a negative spend, is rejected.
pub fn build_costs(table: &TextTable) -> Result<(CostTable, SourceReport), ImportError> {
    let n = &table.header();
    let spend = find(n, SPEND).ok_or_else(|| missing(table, "what was spent"))?;
    let day = find(n, COST_DATE)
        .filter(|c| *c != spend)
        .ok_or_else(|| missing(table, "a date"))?;
    let channel = find(n, CHANNEL)
        .or_else(|| find(n, CAMPAIGN))
        .filter(|c| *c != spend && *c != day);
    let format = date_format(table, day);
    let values: Vec<&str> = table
        .rows
        .iter()
        .take(2_000)
        .filter_map(|r| r.get(spend).map(String::as_str))
        .collect();
    let decimal = crate::model::number::detect_decimal(&values);
    let mut rep = report(
        table,
        SourceKind::Costs,
        &[
            ("date", Some(day)),
            ("spend", Some(spend)),
            ("channel", channel),
        ],
    );
    let mut out = CostTable::default();
    let mut index: rustc_hash::FxHashMap<String, u32> = Default::default();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: usize| row.get(c).map(String::as_str).unwrap_or("").trim();
        let Some(d) = date_of(format, cell(day)) else {
            let t = cell(day);
            let reason = if t.is_empty() {
                Fault::Empty(fault::Field::Date)
            } else {
                Fault::NotADate {
                    text: t.to_string(),
                }
            };
            reject(&mut rep, line, Some(&n[day]), reason);
            continue;
        };
        let amount = match crate::model::number::parse_amount(cell(spend), decimal) {
            Some(a) if a >= 0.0 => a,
            Some(_) => {
                reject(&mut rep, line, Some(&n[spend]), Fault::NegativeSpend);
                continue;
            }
            None => {
                let t = cell(spend);
                let reason = if t.is_empty() {
                    Fault::Empty(fault::Field::Spend)
                } else {
                    Fault::NotAnAmount {
                        text: t.to_string(),
                    }
                };
                reject(&mut rep, line, Some(&n[spend]), reason);
                continue;
            }
        };
        let name = channel
            .map(cell)
            .filter(|t| !t.is_empty())
            .unwrap_or("(all)");
        let next = out.channels.len() as u32;
        let c = *index.entry(name.to_lowercase()).or_insert_with(|| {
            out.channels.push(name.to_string());
            next
        });
        out.day.push(d);
        out.channel.push(c);
        out.spend.push(amount);
    }
    rep.rows = out.day.len() as u64;
    Ok((out, rep))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_field_is_found_by_its_own_key() {
        // A field's key is the first of its names, compared after
        // normalisation: a key not in normal form would never match.
        let kinds = [
            SourceKind::Email,
            SourceKind::Surveys,
            SourceKind::Customers,
            SourceKind::Events,
            SourceKind::Tickets,
            SourceKind::Costs,
        ];
        for kind in kinds {
            for f in fields(kind) {
                assert_eq!(normalise(f.key), f.key, "{kind:?}");
                let names = vec![f.key.to_string()];
                assert_eq!(find(&Header::plain(&names), f.names), Some(0), "{}", f.key);
            }
        }
        let names: Vec<String> = "campaign,customer_id,sent_at,opened,clicked"
            .split(',')
            .map(String::from)
            .collect();
        assert_eq!(classify(&names), Some(SourceKind::Email));
    }

    use super::*;

    fn orders() -> Orders {
        Orders::from_rows(&[("a@x.com".into(), 0, 10.0), ("b".into(), 1, 20.0)])
    }

    #[test]
    fn marketing_costs_in_french_with_their_bad_rows() {
        let t = read_text_table(
            "couts.csv",
            "Mois;Canal;Dépense\n01/03/2025;Google Ads;1 234,50\n01/03/2025;Meta;300\n31/02/2025;Meta;10\n01/04/2025;google ads;-5\n01/04/2025;;12,5\n01/04/2025;Meta;beaucoup\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(classify(&t.names), Some(SourceKind::Costs));
        let (c, r) = build_costs(&t).unwrap();
        assert_eq!(c.spend, vec![1234.5, 300.0, 12.5]);
        assert_eq!(c.channels, vec!["Google Ads", "Meta", "(all)"]);
        assert_eq!(c.channel, vec![0, 1, 2]);
        assert_eq!(
            c.day[0],
            crate::model::date::parse_iso("2025-03-01").unwrap()
        );
        // Lines 4 (31 February), 5 (negative) and 7 (not a number).
        let lines: Vec<(u64, &str)> = r
            .rejected
            .iter()
            .map(|e| (e.line, e.column.as_deref().unwrap()))
            .collect();
        assert_eq!(lines, vec![(4, "Mois"), (5, "Dépense"), (7, "Dépense")]);
        assert!(r.rejected[1].reason.contains("negative"));
        // A file of orders (a customer column) is not costs.
        let orders = read_text_table("o.csv", b"customer,date,cost\na,2025-01-01,3\n").unwrap();
        assert_ne!(classify(&orders.names), Some(SourceKind::Costs));
    }

    #[test]
    fn email_results_join_on_normalised_keys() {
        let t = read_text_table(
            "mailchimp.csv",
            b"Email Address;Campaign;Opened;Clicked\nA@X.com ;Spring;yes;no\nc@y.com;Spring;1;1\n;Spring;0;0\nb;Spring;maybe;0\n",
        )
        .unwrap();
        assert_eq!(classify(&t.names), Some(SourceKind::Email));
        let mut o = orders();
        let (e, r) = build_email(&t, &mut o).unwrap();
        assert_eq!(e.customer, vec![0, 2]);
        assert_eq!(o.customer_keys[2], "c@y.com");
        assert_eq!(
            (e.opened.clone(), e.clicked.clone()),
            (vec![true, true], vec![false, true])
        );
        assert_eq!(r.customers_without_orders, 1);
        assert_eq!(r.rejected_total, 2);
        assert_eq!(r.rejected[0].line, 4);
        assert_eq!(r.rejected[1].line, 5);
        assert!(
            r.rejected[1].reason.contains("not yes or no"),
            "{}",
            r.rejected[1].reason
        );
    }

    #[test]
    fn a_sends_file_is_read_with_its_control_group_and_variants() {
        let t = read_text_table(
            "sends.csv",
            "customer_id;campaign;sent_at;group;variant\na@x.com;Win-back;2025-03-01;Treatment;A\nb;Win-back;2025-03-01;Témoin;A\nc@y.com;Win-back;2025-03-02;;B\nb;Win-back;2025-03-01;maybe;B\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(classify(&t.names), Some(SourceKind::Email));
        let mut o = orders();
        let (e, r) = build_email(&t, &mut o).unwrap();
        assert_eq!(e.control, vec![false, true, false]);
        assert_eq!(e.variants, vec!["A".to_string(), "B".to_string()]);
        assert_eq!(e.variant, vec![0, 0, 1]);
        assert_eq!(e.campaigns, vec!["Win-back".to_string()]);
        assert_eq!(r.rejected_total, 1);
        assert_eq!(r.rejected[0].line, 5);
        assert!(
            r.rejected[0].reason.contains("control group"),
            "{}",
            r.rejected[0].reason
        );
        // A holdout column says yes or no.
        let t = read_text_table(
            "sends.csv",
            b"email,campaign,date,holdout\na@x.com,Spring,2025-03-01,yes\nb,Spring,2025-03-01,0\n",
        )
        .unwrap();
        assert_eq!(classify(&t.names), Some(SourceKind::Email));
        let (e, _) = build_email(&t, &mut orders()).unwrap();
        assert_eq!(e.control, vec![true, false]);
        assert!(e.variant.is_empty());
        // An order file with a campaign and a variant column stays orders.
        let names: Vec<String> = ["customer_id", "campaign", "variant", "amount"]
            .map(String::from)
            .to_vec();
        assert_eq!(classify(&names), Some(SourceKind::Orders));
    }

    #[test]
    fn survey_answers_are_checked() {
        let t = read_text_table(
            "s.csv",
            b"customer_id,date,NPS,CSAT\nb,2024-01-02,9,5\nb,2024-02-02,11,4\na@x.com,2024-01-05,,3\nz,2024-01-05,,\n",
        )
        .unwrap();
        assert_eq!(classify(&t.names), Some(SourceKind::Surveys));
        let mut o = orders();
        let (s, r) = build_surveys(&t, &mut o).unwrap();
        assert_eq!(s.customer, vec![1, 0]);
        assert_eq!(s.nps, vec![Some(9), None]);
        assert_eq!(s.csat, vec![Some(5), Some(3)]);
        assert_eq!(r.rejected_total, 2);
        assert!(
            r.rejected[0]
                .reason
                .contains("\"11\" is not a whole number from 0 to 10")
        );
        assert_eq!(
            s.day[0],
            Some(crate::model::date::days_from_civil(2024, 1, 2))
        );
    }

    #[test]
    fn customers_with_contact_details_and_attributes() {
        let t = read_text_table(
            "clients.csv",
            "id_client;Courriel;Prénom;Nom;Ville\nb;B@X.FR;Anne;Roy;Lyon\nz;z@x.fr;Luc;Ba;Paris\nb;b2@x.fr;Anne;Roy;Nice\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(classify(&t.names), Some(SourceKind::Customers));
        let mut o = orders();
        let (c, r) = build_customers(&t, &mut o).unwrap();
        assert_eq!(c.customer, vec![1, 2]);
        assert_eq!(c.email, vec!["b2@x.fr", "z@x.fr"]);
        assert_eq!(c.first_name[0], "Anne");
        assert_eq!(c.attribute_names, vec!["Ville"]);
        assert_eq!(c.attributes[0], vec!["Nice"]);
        assert_eq!((r.rejected_total, r.customers_without_orders), (1, 1));
        assert_eq!(c.row_of(3), vec![None, Some(0), Some(1)]);
    }

    #[test]
    fn flags() {
        for t in ["1", "yes", "Oui", "2", "2024-01-03T10:00:00Z"] {
            assert_eq!(parse_flag(t), Some(true), "{t}");
        }
        for t in ["", "0", "no", "FALSE", "non"] {
            assert_eq!(parse_flag(t), Some(false), "{t}");
        }
        assert_eq!(parse_flag("maybe"), None);
    }

    #[test]
    fn support_tickets_are_recognised_read_and_checked() {
        let names = |h: &str| h.split(',').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            classify(&names("Ticket ID,Requester,Created at,Solved at")),
            Some(SourceKind::Tickets)
        );
        assert_eq!(
            classify(&names("id,client,date de création,date de résolution")),
            Some(SourceKind::Tickets)
        );
        let mut orders = Orders::from_rows(&[("a@x.org".into(), 1, 5.0)]);
        let table = read_text_table(
            "t.csv",
            "Ticket ID,Requester,Created at,Solved at\n\
             1,A@x.org,2024-01-01T10:00:00Z,2024-01-01T16:30:00Z\n\
             2,new@x.org,2024-01-02,\n\
             3,,2024-01-03,\n\
             4,a@x.org,yesterday,\n\
             5,a@x.org,2024-01-05T10:00:00Z,2024-01-04T10:00:00Z\n"
                .as_bytes(),
        )
        .unwrap();
        let (t, rep) = build_tickets(&table, &mut orders).unwrap();
        assert_eq!(t.customer, vec![0, 1]);
        // 6.5 hours; the second one opened on 2 January (a date alone:
        // midnight), still open.
        assert_eq!(
            t.resolved[0].map(|r| r - t.created[0]),
            Some(6 * 3600 + 1800)
        );
        assert_eq!(
            t.created[1],
            i64::from(crate::model::date::days_from_civil(2024, 1, 2)) * 86_400
        );
        assert_eq!(t.resolved[1], None);
        assert_eq!(
            (rep.rows, rep.rejected_total, rep.customers_without_orders),
            (2, 3, 1)
        );
        let reasons: Vec<&str> = rep.rejected.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            vec![
                "the customer is empty",
                "\"yesterday\" is not a date or time",
                "resolved before it was opened"
            ]
        );
        assert_eq!(rep.rejected[2].line, 6);
    }
}
