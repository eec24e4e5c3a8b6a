//! The tables each source becomes once joined per customer, and what
//! reading it found.

use super::*;

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
    /// For e-mail results: the campaigns as every e-mail file read so far
    /// makes them.
    #[serde(default)]
    pub email: Option<EmailSummary>,
}

/// The e-mail results read so far, in counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailSummary {
    /// Campaigns.
    pub campaigns: u64,
    /// E-mails delivered, in the campaigns whose recipients are known.
    pub delivered: u64,
    /// Of them, opened.
    pub opened: u64,
    /// Of them, clicked.
    pub clicked: u64,
    /// The campaigns known only from lists of who opened or clicked, by
    /// name (empty: a file without a campaign column), with how many
    /// recipients each list names.
    pub lists_only: Vec<(String, u64)>,
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
    /// The campaigns known only from lists of who opened or clicked
    /// (Mailchimp's Opened and Clicked lists), by index: each row is a
    /// recipient who did, not every e-mail sent, so they have no open or
    /// click rate until the campaign's list of recipients joins them.
    #[serde(default)]
    pub activity_only: Vec<u32>,
}

impl EmailTable {
    /// What the table holds, in counts.
    pub fn summary(&self) -> EmailSummary {
        let mut out = EmailSummary {
            campaigns: self.campaigns.len() as u64,
            ..Default::default()
        };
        let mut listed = vec![0u64; self.campaigns.len()];
        for row in 0..self.customer.len() {
            let c = self.campaign[row];
            if self.is_activity_only(c) {
                listed[c as usize] += 1;
            } else if self.delivered[row] && !self.control.get(row).copied().unwrap_or(false) {
                out.delivered += 1;
                out.opened += u64::from(self.opened[row]);
                out.clicked += u64::from(self.clicked[row]);
            }
        }
        out.lists_only = self
            .activity_only
            .iter()
            .map(|&c| (self.campaigns[c as usize].clone(), listed[c as usize]))
            .collect();
        out
    }

    /// Whether campaign `c` is known only from lists of who opened or
    /// clicked.
    pub fn is_activity_only(&self, c: u32) -> bool {
        self.activity_only.contains(&c)
    }

    /// `newer` with this table's rows of the campaigns `newer` does not
    /// have: a newer report of a campaign replaces the older one, other
    /// campaigns stay (results exported one campaign at a time add up).
    /// A campaign that either side knows only from a list of who opened
    /// or clicked is joined instead: each recipient's opens and clicks
    /// from both sides, one row per recipient (a campaign's Sent to,
    /// Opened and Clicked lists make its results, in any order).
    pub fn merged_into(self, newer: EmailTable) -> EmailTable {
        // Whether a side has a campaign, and knows it only from lists.
        let side = |t: &EmailTable, name: &str| {
            t.campaigns
                .iter()
                .position(|c| c == name)
                .map(|i| t.is_activity_only(i as u32))
        };
        let joined: rustc_hash::FxHashSet<String> = newer
            .campaigns
            .iter()
            .filter(|name| {
                side(&self, name).is_some_and(|lists| lists || side(&newer, name) == Some(true))
            })
            .cloned()
            .collect();
        // Known only from lists afterwards: a campaign every side that has
        // it knows only from lists.
        let lists: rustc_hash::FxHashSet<String> = self
            .campaigns
            .iter()
            .chain(&newer.campaigns)
            .filter(|name| side(&self, name) != Some(false) && side(&newer, name) != Some(false))
            .cloned()
            .collect();
        let replaced: rustc_hash::FxHashSet<&str> = newer
            .campaigns
            .iter()
            .map(String::as_str)
            .filter(|c| !joined.contains(*c))
            .collect();
        let kept: Vec<usize> = (0..self.customer.len())
            .filter(|&row| !replaced.contains(self.campaigns[self.campaign[row] as usize].as_str()))
            .collect();
        let mut out = newer;
        if kept.is_empty() {
            return out;
        }
        // Rows without a variant get the empty one when the other side
        // has variants, as a kept list does.
        let variants = !out.variant.is_empty() || !self.variant.is_empty();
        let rows = out.customer.len();
        out.control.resize(rows, false);
        if variants && out.variant.is_empty() {
            let none = index_or_push(&mut out.variants, "");
            out.variant = vec![none; rows];
        }
        // The newer rows of the joined campaigns, by customer and campaign.
        let mut at: rustc_hash::FxHashMap<(u32, u32), usize> = Default::default();
        for row in 0..rows {
            if joined.contains(&out.campaigns[out.campaign[row] as usize]) {
                at.insert((out.customer[row], out.campaign[row]), row);
            }
        }
        for row in kept {
            let name = &self.campaigns[self.campaign[row] as usize];
            let campaign = index_or_push(&mut out.campaigns, name);
            if let Some(&same) = at.get(&(self.customer[row], campaign)) {
                out.join_row(same, &self, row);
                continue;
            }
            if joined.contains(name) {
                at.insert((self.customer[row], campaign), out.customer.len());
            }
            out.push_row(&self, row, campaign, variants);
        }
        out.activity_only = (0..out.campaigns.len() as u32)
            .filter(|&i| lists.contains(&out.campaigns[i as usize]))
            .collect();
        out
    }

    /// Row `row` of `from` joined to this table's row `at`, the same
    /// recipient of the same campaign: delivered, opened, clicked or
    /// unsubscribed if either says so, sent on the earlier known day.
    pub(crate) fn join_row(&mut self, at: usize, from: &EmailTable, row: usize) {
        self.delivered[at] |= from.delivered[row];
        self.opened[at] |= from.opened[row];
        self.clicked[at] |= from.clicked[row];
        self.unsubscribed[at] |= from.unsubscribed[row];
        self.day[at] = match (self.day[at], from.day[row]) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// Row `row` of `from` added as a row of `campaign`, with its variant
    /// (by name) when this table has variants.
    pub(crate) fn push_row(
        &mut self,
        from: &EmailTable,
        row: usize,
        campaign: u32,
        variants: bool,
    ) {
        self.customer.push(from.customer[row]);
        self.campaign.push(campaign);
        self.day.push(from.day[row]);
        self.delivered.push(from.delivered[row]);
        self.opened.push(from.opened[row]);
        self.clicked.push(from.clicked[row]);
        self.unsubscribed.push(from.unsubscribed[row]);
        self.control
            .push(from.control.get(row).copied().unwrap_or(false));
        if variants {
            let name = from
                .variant
                .get(row)
                .map_or("", |v| from.variants[*v as usize].as_str());
            let variant = index_or_push(&mut self.variants, name);
            self.variant.push(variant);
        }
    }
}

/// The index of `name` in `names`, pushed at the end when new (a scan:
/// for the few names of campaigns and variants).
pub(crate) fn index_or_push(names: &mut Vec<String>, name: &str) -> u32 {
    match names.iter().position(|n| n == name) {
        Some(i) => i as u32,
        None => {
            names.push(name.to_string());
            (names.len() - 1) as u32
        }
    }
}

/// The index of `name` in `names`, added at the end when new (`seen`
/// finds it without a scan).
pub(super) fn intern(
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
pub(crate) fn parse_group(text: &str) -> Option<bool> {
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
pub(crate) const MAX_PROPERTY_VALUES: usize = 20_000;

/// An events table as dataset versions 1 and 2 stored it (no properties).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct EventTableV2 {
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
