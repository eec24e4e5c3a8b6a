//! The column names each kind of source is recognised by, in English and
//! French, and a file's kinds told from its header.

use super::*;

pub(super) const CUSTOMER: &[&str] = &[
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
pub(super) const EMAIL: &[&str] = &[
    "email",
    "e_mail",
    "email_address",
    "courriel",
    "adresse_email",
    "mail",
    "adresse_e_mail",
];
pub(super) const FIRST_NAME: &[&str] = &["first_name", "firstname", "prenom", "given_name"];
pub(super) const LAST_NAME: &[&str] = &[
    "last_name",
    "lastname",
    "nom",
    "surname",
    "family_name",
    "nom_de_famille",
];
pub(super) const EVENT: &[&str] = &[
    "event",
    "event_name",
    "event_type",
    "action",
    "evenement",
    "type_evenement",
];
pub(super) const TIMESTAMP: &[&str] = &[
    "timestamp",
    "event_time",
    "time",
    "datetime",
    "occurred_at",
    "created_at",
    "date",
    "horodatage",
];
pub(super) const SESSION: &[&str] = &["session_id", "session", "visit_id", "id_session"];
pub(super) const CAMPAIGN: &[&str] = &[
    "campaign",
    "campaign_id",
    "campaign_name",
    "campagne",
    "nom_campagne",
];
pub(super) const SENT: &[&str] = &[
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
pub(super) const GROUP: &[&str] = &[
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
pub(super) const GROUP_FLAGS: &[&str] = &[
    "holdout",
    "control",
    "is_control",
    "held_out",
    "in_control_group",
    "temoin",
];
pub(super) const VARIANT: &[&str] = &[
    "variant",
    "variation",
    "ab_variant",
    "test_variant",
    "variante",
    "version",
];
pub(super) const DELIVERED: &[&str] = &["delivered", "delivered_at", "delivre", "recu"];
pub(super) const OPENED: &[&str] = &[
    "opened",
    "opened_at",
    "opens",
    "open",
    "ouvert",
    "ouverture",
    "ouvertures",
];
pub(super) const CLICKED: &[&str] = &[
    "clicked",
    "clicked_at",
    "clicks",
    "click",
    "clic",
    "clics",
    "clique",
];
pub(super) const UNSUBSCRIBED: &[&str] = &[
    "unsubscribed",
    "unsubscribed_at",
    "unsubscribe",
    "desabonne",
    "desinscrit",
];
pub(super) const ANSWERED: &[&str] = &[
    "answered_at",
    "submitted_at",
    "date",
    "response_date",
    "date_reponse",
    "created_at",
];
pub(super) const NPS: &[&str] = &[
    "nps",
    "nps_score",
    "recommend",
    "likelihood_to_recommend",
    "recommandation",
    "score",
];
pub(super) const CSAT: &[&str] = &["csat", "satisfaction", "csat_score", "note_satisfaction"];

pub(super) const TICKET: &[&str] = &[
    "ticket_id",
    "ticket",
    "ticket_number",
    "id_ticket",
    "numero_ticket",
    "case_id",
    "case_number",
];
pub(super) const CREATED: &[&str] = &[
    "created_at",
    "created",
    "opened_at",
    "date_creation",
    "date_de_creation",
    "date_ouverture",
    "submitted_at",
];
pub(super) const RESOLVED: &[&str] = &[
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
pub(super) const REQUESTER: &[&str] =
    &["requester", "requester_email", "requester_id", "demandeur"];
pub(super) const SPEND: &[&str] = &[
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
pub(super) const COST_DATE: &[&str] = &[
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
pub(super) const CHANNEL: &[&str] = &[
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
pub(super) const REFERRER: &[&str] = &[
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
pub(super) const ACQUISITION: &[&str] = &[
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
pub(crate) fn classify_header(header: &Header<'_>) -> Option<SourceKind> {
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
pub(super) const ATTRIBUTES: &[&str] = &[
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
pub(crate) fn classify_all(header: &Header<'_>) -> Vec<SourceKind> {
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
