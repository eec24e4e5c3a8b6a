//! The layouts of the tools the members go to: column names, merge tags,
//! and e-mail addresses normalised and hashed for ad audiences.

use super::*;

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
    /// A Meta (Facebook, Instagram) custom audience: `email`, each address
    /// trimmed, lower-cased and SHA-256-hashed.
    MetaAudience,
    /// A Google Ads Customer Match list: `Email`, each address trimmed,
    /// lower-cased (Gmail's dots before the `@` removed) and
    /// SHA-256-hashed.
    GoogleAdsAudience,
}

impl Layout {
    /// Every layout, for pickers.
    pub const ALL: [Layout; 7] = [
        Layout::Plain,
        Layout::Mailchimp,
        Layout::Klaviyo,
        Layout::HubSpot,
        Layout::Brevo,
        Layout::MetaAudience,
        Layout::GoogleAdsAudience,
    ];

    /// The layouts whose tools send e-mail, with merge tags.
    pub const EMAIL_TOOLS: [Layout; 5] = [
        Layout::Plain,
        Layout::Mailchimp,
        Layout::Klaviyo,
        Layout::HubSpot,
        Layout::Brevo,
    ];

    /// True for an advertising audience: hashed addresses only.
    pub fn is_audience(self) -> bool {
        matches!(self, Layout::MetaAudience | Layout::GoogleAdsAudience)
    }

    /// The layout's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Layout::Plain => "SegLens (choose the columns)",
            Layout::Mailchimp => "Mailchimp",
            Layout::Klaviyo => "Klaviyo",
            Layout::HubSpot => "HubSpot",
            Layout::Brevo => "Brevo",
            Layout::MetaAudience => "Meta audience (hashed e-mails)",
            Layout::GoogleAdsAudience => "Google Ads Customer Match (hashed e-mails)",
        }
    }

    /// The column names of the layout.
    pub fn header(self) -> &'static [&'static str] {
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
            Layout::MetaAudience => &["email"],
            Layout::GoogleAdsAudience => &["Email"],
        }
    }

    /// The column names of an e-mail tool's layout: its header, with the
    /// customer's last ordered category before the segment when the orders
    /// have categories (the column the drafts' `{last_category}` reads).
    pub fn columns(self, categories: bool) -> Vec<&'static str> {
        let mut out = self.header().to_vec();
        if categories && self != Layout::Plain && !self.is_audience() {
            out.insert(out.len() - 1, self.last_category_column());
        }
        out
    }

    /// The name of the last ordered category's column in the tool's file,
    /// which the tool turns into the field its merge tag reads.
    pub fn last_category_column(self) -> &'static str {
        match self {
            Layout::Plain | Layout::MetaAudience | Layout::GoogleAdsAudience => "last_category",
            Layout::Brevo => "LAST_CATEGORY",
            Layout::Mailchimp | Layout::Klaviyo | Layout::HubSpot => "Last Category",
        }
    }

    /// How the tool writes a field of the contact in a message: the drafts'
    /// `{first_name}` and `{last_category}` in its merge-tag syntax (they
    /// stay as they are for the plain layout).
    pub fn merge_tag(self, field: MergeField) -> &'static str {
        use MergeField::{FirstName, LastCategory};
        match (self, field) {
            (Layout::Plain | Layout::MetaAudience | Layout::GoogleAdsAudience, FirstName) => {
                "{first_name}"
            }
            (Layout::Plain | Layout::MetaAudience | Layout::GoogleAdsAudience, LastCategory) => {
                "{last_category}"
            }
            (Layout::Mailchimp, FirstName) => "*|FNAME|*",
            (Layout::Mailchimp, LastCategory) => "*|LASTCAT|*",
            (Layout::Klaviyo, FirstName) => "{{ first_name|default:'' }}",
            (Layout::Klaviyo, LastCategory) => "{{ person|lookup:'Last Category'|default:'' }}",
            (Layout::HubSpot, FirstName) => "{{ contact.firstname }}",
            (Layout::HubSpot, LastCategory) => "{{ contact.last_category }}",
            (Layout::Brevo, FirstName) => "{{ contact.FIRSTNAME }}",
            (Layout::Brevo, LastCategory) => "{{ contact.LAST_CATEGORY }}",
        }
    }

    /// `text` with the drafts' placeholders in the tool's merge tags.
    pub fn with_merge_tags(self, text: &str) -> String {
        MergeField::ALL.iter().fold(text.to_string(), |out, f| {
            out.replace(Layout::Plain.merge_tag(*f), self.merge_tag(*f))
        })
    }
}

/// A contact's field that message drafts use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeField {
    /// The first name.
    FirstName,
    /// The category of the last order.
    LastCategory,
}

impl MergeField {
    /// Every field, in the order drafts are rewritten.
    pub const ALL: [MergeField; 2] = [MergeField::FirstName, MergeField::LastCategory];
}

/// An e-mail address as an advertising platform matches it: trimmed and
/// lower-cased; for Google, the dots before the `@` of a gmail.com or
/// googlemail.com address removed (as Google's formatting guidelines ask).
pub(crate) fn normalised_email(email: &str, layout: Layout) -> String {
    let lower = email.trim().to_lowercase();
    if layout == Layout::GoogleAdsAudience
        && let Some((local, domain)) = lower.split_once('@')
        && matches!(domain, "gmail.com" | "googlemail.com")
    {
        return format!("{}@{domain}", local.replace('.', ""));
    }
    lower
}

/// The SHA-256 digest of `text`'s UTF-8 bytes, in lower-case hexadecimal.
pub(crate) fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
