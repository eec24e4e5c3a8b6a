//! Platform exports recognised from their headers: a Shopify orders export
//! names its order id `Name` and has a `Total` beside a `Subtotal`, which
//! names alone would not settle. A platform's columns take their roles
//! before any name is scored; a role the user chose stays the user's.

use crate::import::kind::SourceKind;
use crate::import::roles::{Role, normalise};

/// A platform's export, as its header shows it.
#[derive(Debug, PartialEq, Eq)]
pub struct Platform {
    /// A stable id (`shopify_orders`): reports store it and the page words
    /// it from its catalogue.
    pub id: &'static str,
    /// Its name in English, for the command line.
    pub label: &'static str,
    /// Normalised headers that all appear in its exports.
    signature: &'static [&'static str],
    /// The column of each role, by normalised header.
    pub roles: &'static [(Role, &'static str)],
    /// When only some rows are sales: columns that say what a row is, and
    /// for each the values (normalised) a sale has; a sale has them all.
    pub sales: &'static [(&'static str, &'static [&'static str])],
}

/// Every platform export known, the most specific first.
pub const PLATFORMS: &[Platform] = &[
    Platform {
        id: "shopify_orders",
        label: "Shopify orders export",
        signature: &[
            "name",
            "email",
            "financial_status",
            "lineitem_quantity",
            "lineitem_name",
        ],
        roles: &[
            (Role::OrderId, "name"),
            (Role::CustomerId, "email"),
            (Role::OrderDate, "created_at"),
            (Role::Amount, "total"),
            (Role::Quantity, "lineitem_quantity"),
            (Role::UnitPrice, "lineitem_price"),
            (Role::Status, "financial_status"),
            (Role::Refunded, "refunded_amount"),
        ],
        sales: &[],
    },
    // "Advanced Order Export For WooCommerce", a row per order line, with
    // its labels in French or in English.
    Platform {
        id: "woocommerce_orders",
        label: "WooCommerce orders export",
        signature: &[
            "numero_de_commande",
            "etat_de_la_commande",
            "date_de_commande",
            "montant_total_de_la_commande",
        ],
        roles: &[
            (Role::OrderId, "numero_de_commande"),
            (Role::CustomerId, "e_mail_facturation"),
            (Role::OrderDate, "date_de_commande"),
            (Role::Amount, "montant_total_de_la_commande"),
            (Role::Quantity, "quantite_remboursement"),
            (Role::UnitPrice, "prix_du_produit"),
            (Role::Status, "etat_de_la_commande"),
            (Role::Refunded, "montant_du_remboursement_de_la_commande"),
        ],
        sales: &[],
    },
    Platform {
        id: "woocommerce_orders",
        label: "WooCommerce orders export",
        signature: &[
            "order_number",
            "order_status",
            "order_date",
            "order_total_amount",
        ],
        roles: &[
            (Role::OrderId, "order_number"),
            (Role::CustomerId, "email_billing"),
            (Role::OrderDate, "order_date"),
            (Role::Amount, "order_total_amount"),
            (Role::Quantity, "quantity_refund"),
            (Role::UnitPrice, "item_cost"),
            (Role::Status, "order_status"),
            (Role::Refunded, "order_refund_amount"),
        ],
        sales: &[],
    },
    Platform {
        id: "etsy_order_items",
        label: "Etsy sold order items",
        signature: &[
            "sale_date",
            "item_name",
            "buyer",
            "item_total",
            "transaction_id",
            "listing_id",
            "order_id",
        ],
        roles: &[
            (Role::OrderId, "order_id"),
            (Role::CustomerId, "buyer"),
            (Role::OrderDate, "sale_date"),
            (Role::LineTotal, "item_total"),
            (Role::Quantity, "quantity"),
            (Role::UnitPrice, "price"),
        ],
        sales: &[],
    },
    Platform {
        id: "etsy_orders",
        label: "Etsy sold orders",
        signature: &[
            "sale_date",
            "order_id",
            "buyer_user_id",
            "order_total",
            "order_net",
        ],
        roles: &[
            (Role::OrderId, "order_id"),
            (Role::CustomerId, "buyer_user_id"),
            (Role::OrderDate, "sale_date"),
            (Role::Amount, "order_total"),
            (Role::Status, "status"),
        ],
        sales: &[],
    },
    Platform {
        id: "stripe_payments",
        label: "Stripe payments export",
        signature: &[
            "id",
            "amount",
            "amount_refunded",
            "currency",
            "captured",
            "status",
            "customer_email",
        ],
        // A row per payment: `id` names it, and the invoice a retried
        // payment shares with its failed attempts does not make lines.
        roles: &[
            (Role::OrderId, "id"),
            (Role::CustomerId, "customer_email"),
            // `Created (UTC)` in older exports.
            (Role::OrderDate, "created_date_utc"),
            (Role::OrderDate, "created_utc"),
            (Role::Amount, "amount"),
            (Role::Refunded, "amount_refunded"),
            (Role::Status, "status"),
        ],
        sales: &[],
    },
    // PayPal's activity download mixes the payments customers made with
    // the account's own spending, holds, deposits and memos: only the
    // payments received are sales, the payer being the customer.
    Platform {
        id: "paypal_activity",
        label: "PayPal activity download",
        signature: &[
            "date",
            "time",
            "timezone",
            "type",
            "status",
            "gross",
            "fee",
            "net",
            "from_email_address",
            "to_email_address",
            "transaction_id",
            "balance_impact",
        ],
        roles: &[
            (Role::CustomerId, "from_email_address"),
            (Role::OrderDate, "date"),
            (Role::Amount, "gross"),
            (Role::Status, "status"),
        ],
        sales: &[
            // Money in: not the account's own payments to others.
            ("balance_impact", &["credit"]),
            (
                "type",
                &[
                    "website_payment",
                    "express_checkout_payment",
                    "mobile_payment",
                    "paypal_here_payment",
                    "non_reference_credit_payment",
                    "subscription_payment",
                    "preapproved_payment_bill_user_payment",
                    "payment_received",
                    "invoice_payment",
                    "donation_payment",
                ],
            ),
        ],
    },
    // Square's transactions export: a row per payment or refund, the
    // customer by Square's id when the seller attached one; refunds are
    // their own rows, not sales.
    Platform {
        id: "square_transactions",
        label: "Square transactions export",
        signature: &[
            "date",
            "time",
            "time_zone",
            "gross_sales",
            "net_sales",
            "total_collected",
            "transaction_id",
            "payment_id",
            "event_type",
            "customer_id",
        ],
        roles: &[
            (Role::OrderId, "transaction_id"),
            (Role::CustomerId, "customer_id"),
            (Role::OrderDate, "date"),
            (Role::Amount, "total_collected"),
            (Role::Status, "transaction_status"),
        ],
        sales: &[("event_type", &["payment"])],
    },
    // Square's item sales export: a row per item sold, the items of one
    // payment sharing its transaction id.
    Platform {
        id: "square_items",
        label: "Square item sales export",
        signature: &[
            "date",
            "time",
            "time_zone",
            "category",
            "item",
            "qty",
            "price_point_name",
            "transaction_id",
            "customer_id",
        ],
        roles: &[
            (Role::OrderId, "transaction_id"),
            (Role::CustomerId, "customer_id"),
            (Role::OrderDate, "date"),
            (Role::LineTotal, "net_sales"),
            (Role::Quantity, "qty"),
        ],
        sales: &[("event_type", &["payment"])],
    },
    // PrestaShop's back office (1.7.7 and later), Orders › Export: `;`
    // between fields, labels in the back office's language, the customer
    // known by name ("J. DOE"), the total written with its currency.
    Platform {
        id: "prestashop_orders",
        label: "PrestaShop orders export",
        signature: &[
            "id",
            "reference",
            "new_client",
            "delivery",
            "customer",
            "total",
            "payment",
            "status",
            "date",
        ],
        roles: &[
            (Role::OrderId, "reference"),
            (Role::CustomerId, "customer"),
            (Role::OrderDate, "date"),
            (Role::Amount, "total"),
            (Role::Status, "status"),
        ],
        sales: &[],
    },
    Platform {
        id: "prestashop_orders",
        label: "PrestaShop orders export",
        signature: &[
            "id",
            "reference",
            "nouveau_client",
            "client",
            "total",
            "paiement",
            "etat",
            "date",
        ],
        roles: &[
            (Role::OrderId, "reference"),
            (Role::CustomerId, "client"),
            (Role::OrderDate, "date"),
            (Role::Amount, "total"),
            (Role::Status, "etat"),
        ],
        sales: &[],
    },
    Platform {
        id: "uci_online_retail",
        label: "Online Retail invoice lines (UCI)",
        signature: &[
            "invoiceno",
            "stockcode",
            "quantity",
            "invoicedate",
            "unitprice",
            "customerid",
        ],
        roles: &[
            (Role::OrderId, "invoiceno"),
            (Role::CustomerId, "customerid"),
            (Role::OrderDate, "invoicedate"),
            (Role::Quantity, "quantity"),
            (Role::UnitPrice, "unitprice"),
        ],
        sales: &[],
    },
];

/// A platform's export of something other than orders: customers, tickets.
#[derive(Debug, PartialEq, Eq)]
pub struct SourcePlatform {
    /// A stable id (`hubspot_contacts`).
    pub id: &'static str,
    /// Its name in English, for the command line.
    pub label: &'static str,
    /// What it holds.
    pub kind: SourceKind,
    /// Normalised headers that all appear in its exports.
    signature: &'static [&'static str],
    /// The column of each field (by the field's key, see
    /// [`crate::import::sources::fields`]), by normalised header.
    pub fields: &'static [(&'static str, &'static str)],
    /// A second header row under the first names the parts of each
    /// question (SurveyMonkey): it is no answer, and names the columns the
    /// first row leaves blank.
    pub(crate) second_header_row: bool,
    /// Its exports have the signature's columns and no other: a header
    /// that has more is some other file.
    exact: bool,
}

/// Every source export known.
pub(crate) const SOURCE_PLATFORMS: &[SourcePlatform] = &[
    // Its `Total Spent` would be taken for an order amount: it is a list of
    // customers, joined on their e-mail.
    SourcePlatform {
        id: "shopify_customers",
        label: "Shopify customers export",
        kind: SourceKind::Customers,
        signature: &[
            "first_name",
            "last_name",
            "email",
            "total_spent",
            "total_orders",
        ],
        fields: &[("customer_id", "email"), ("email", "email")],
        second_header_row: false,
        exact: false,
    },
    // WooCommerce Analytics' customers report, in French or in English.
    SourcePlatform {
        id: "woocommerce_customers",
        label: "WooCommerce customers report",
        kind: SourceKind::Customers,
        signature: &[
            "derniere_activite",
            "e_mail",
            "commandes",
            "depense_totale",
            "aov",
        ],
        fields: &[("customer_id", "e_mail"), ("email", "e_mail")],
        second_header_row: false,
        exact: false,
    },
    SourcePlatform {
        id: "woocommerce_customers",
        label: "WooCommerce customers report",
        kind: SourceKind::Customers,
        signature: &["last_active", "email", "orders", "total_spend", "aov"],
        fields: &[("customer_id", "email"), ("email", "email")],
        second_header_row: false,
        exact: false,
    },
    SourcePlatform {
        id: "hubspot_contacts",
        label: "HubSpot contacts export",
        kind: SourceKind::Customers,
        signature: &["record_id_contact", "email"],
        fields: &[("customer_id", "email"), ("email", "email")],
        second_header_row: false,
        exact: false,
    },
    SourcePlatform {
        id: "hubspot_contacts",
        label: "HubSpot contacts export",
        kind: SourceKind::Customers,
        signature: &[
            "record_id",
            "first_name",
            "last_name",
            "email",
            "create_date",
        ],
        fields: &[("customer_id", "email"), ("email", "email")],
        second_header_row: false,
        exact: false,
    },
    // A Mailchimp campaign report's lists, exported one by one: who opened
    // (with how many times), who clicked a link (with how many times).
    // They name only those who did: the campaign's Sent to list, read as
    // e-mail results, gives the recipients they are rates of. Before the
    // audience, whose columns the lists may carry after the count.
    SourcePlatform {
        id: "mailchimp_opened",
        label: "Mailchimp campaign report, Opened list",
        kind: SourceKind::Email,
        signature: &["email_address", "first_name", "last_name", "opens"],
        fields: &[("customer_id", "email_address"), ("opened", "opens")],
        second_header_row: false,
        exact: false,
    },
    SourcePlatform {
        id: "mailchimp_clicked",
        label: "Mailchimp campaign report, Clicked list",
        kind: SourceKind::Email,
        signature: &["email_address", "first_name", "last_name", "clicks"],
        fields: &[("customer_id", "email_address"), ("clicked", "clicks")],
        second_header_row: false,
        exact: false,
    },
    // The campaign's Sent to list: the addresses and names alone (an
    // audience export has its merge fields and MEMBER_RATING, LEID...).
    // Read as e-mail results, each row an e-mail delivered.
    SourcePlatform {
        id: "mailchimp_sent_to",
        label: "Mailchimp campaign report, Sent to list",
        kind: SourceKind::Email,
        signature: &["email_address", "first_name", "last_name"],
        fields: &[("customer_id", "email_address")],
        second_header_row: false,
        exact: true,
    },
    SourcePlatform {
        id: "mailchimp_audience",
        label: "Mailchimp audience export",
        kind: SourceKind::Customers,
        signature: &[
            "email_address",
            "member_rating",
            "optin_time",
            "leid",
            "euid",
        ],
        fields: &[("customer_id", "email_address"), ("email", "email_address")],
        second_header_row: false,
        exact: false,
    },
    // Brevo (Sendinblue) contacts: `;` between fields, attributes in
    // capitals; the e-mail and when the contact was added and changed are
    // in every export.
    SourcePlatform {
        id: "brevo_contacts",
        label: "Brevo contacts export",
        kind: SourceKind::Customers,
        signature: &["email", "added_time", "modified_time"],
        fields: &[("customer_id", "email"), ("email", "email")],
        second_header_row: false,
        exact: false,
    },
    // Klaviyo's list and segment exports: the columns are the user's
    // choice, but the profile's Klaviyo id comes with its e-mail.
    SourcePlatform {
        id: "klaviyo_profiles",
        label: "Klaviyo profiles export",
        kind: SourceKind::Customers,
        signature: &["email", "klaviyo_id"],
        fields: &[("customer_id", "email"), ("email", "email")],
        second_header_row: false,
        exact: false,
    },
    SourcePlatform {
        id: "zendesk_tickets",
        label: "Zendesk tickets export",
        kind: SourceKind::Tickets,
        signature: &[
            "id",
            "requester",
            "requester_id",
            "requester_email",
            "subject",
            "status",
            "created_at",
            "solved_at",
        ],
        fields: &[
            ("customer_id", "requester_email"),
            ("created_at", "created_at"),
            ("resolved_at", "solved_at"),
        ],
        second_header_row: false,
        exact: false,
    },
    // Survey tools: the respondent is joined on an e-mail, a question or
    // (Typeform) a hidden field named `email`.
    SourcePlatform {
        id: "typeform_answers",
        label: "Typeform responses export",
        kind: SourceKind::Surveys,
        signature: &["start_date_utc", "submit_date_utc", "network_id"],
        fields: &[("customer_id", "email"), ("answered_at", "submit_date_utc")],
        second_header_row: false,
        exact: false,
    },
    SourcePlatform {
        id: "surveymonkey_answers",
        label: "SurveyMonkey responses export",
        kind: SourceKind::Surveys,
        signature: &["respondent_id", "collector_id", "start_date", "end_date"],
        // The collector's `Email Address`, else a contact block's `Email`
        // (named by the second header row).
        fields: &[
            ("customer_id", "email_address"),
            ("customer_id", "email"),
            ("answered_at", "end_date"),
        ],
        second_header_row: true,
        exact: false,
    },
    SourcePlatform {
        id: "google_forms_answers",
        label: "Google Forms responses",
        kind: SourceKind::Surveys,
        signature: &["timestamp", "email_address"],
        fields: &[
            ("customer_id", "email_address"),
            ("answered_at", "timestamp"),
        ],
        second_header_row: false,
        exact: false,
    },
    // Google Analytics 4's BigQuery export, flattened to a CSV: one row per
    // event, its time in microseconds; the site's own user id joins it
    // (the cookie's `user_pseudo_id` names no customer).
    SourcePlatform {
        id: "ga4_events",
        label: "Google Analytics 4 BigQuery events export",
        kind: SourceKind::Events,
        signature: &[
            "event_date",
            "event_timestamp",
            "event_name",
            "user_pseudo_id",
        ],
        fields: &[
            ("customer_id", "user_id"),
            ("event", "event_name"),
            ("timestamp", "event_timestamp"),
        ],
        second_header_row: false,
        exact: false,
    },
    SourcePlatform {
        id: "freshdesk_tickets",
        label: "Freshdesk tickets export",
        kind: SourceKind::Tickets,
        signature: &[
            "ticket_id",
            "subject",
            "status",
            "priority",
            "created_time",
            "resolved_time",
        ],
        fields: &[
            ("customer_id", "email"),
            ("created_at", "created_time"),
            ("resolved_at", "resolved_time"),
        ],
        second_header_row: false,
        exact: false,
    },
];

/// An analytics or e-mail tool's report: counts per event or per campaign,
/// with no customer on its rows, so nothing in it can be joined to a
/// customer. Recognised to say so, and what to export instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// A stable id (`ga4_report`).
    pub id: &'static str,
    /// Its name in English, for the command line.
    pub label: &'static str,
    /// What its per-customer export would be.
    pub kind: SourceKind,
    /// Normalised headers that all appear in it.
    signature: &'static [&'static str],
    /// Normalised headers that name a customer: a file with one of them
    /// counts per customer, and is no such report.
    unless: &'static [&'static str],
    /// What to export instead, in English, for the command line.
    pub instead: &'static str,
}

/// Every report of counts known.
pub const REPORTS: &[Report] = &[
    Report {
        id: "ga4_report",
        label: "Google Analytics 4 report",
        kind: SourceKind::Events,
        signature: &["event_name", "event_count"],
        unless: &[
            "user_id",
            "customer_id",
            "client_id",
            "email",
            "e_mail",
            "email_address",
        ],
        instead: "the events with their user id (GA4's BigQuery export, or a User explorer exploration)",
    },
    Report {
        id: "mailchimp_campaigns",
        label: "Mailchimp campaigns list",
        kind: SourceKind::Email,
        signature: &[
            "title",
            "subject",
            "send_date",
            "total_recipients",
            "unique_id",
        ],
        unless: &["email", "e_mail", "email_address", "customer_id"],
        instead: "each campaign's activity per recipient (the campaign report's Export to CSV)",
    },
];

/// The report of counts these headers are, if any: one with a column
/// naming customers (counts per user) is no report of this kind.
pub(crate) fn detect_report(headers: &[String]) -> Option<&'static Report> {
    let has_all = signed(headers);
    let names: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    REPORTS
        .iter()
        .find(|r| has_all(r.signature) && !r.unless.iter().any(|u| names.iter().any(|n| n == u)))
}

/// The name, for the command line, of the report with this id.
pub(crate) fn report(id: &str) -> Option<&'static Report> {
    REPORTS.iter().find(|r| r.id == id)
}

/// The source platform whose export has these headers, if any.
pub fn detect_source(headers: &[String]) -> Option<&'static SourcePlatform> {
    let has_all = signed(headers);
    let named = headers.iter().filter(|h| !h.trim().is_empty()).count();
    SOURCE_PLATFORMS
        .iter()
        .find(|p| has_all(p.signature) && (!p.exact || named == p.signature.len()))
}

/// Whether headers hold every normalised name of a signature.
fn signed(headers: &[String]) -> impl Fn(&[&str]) -> bool {
    let names: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    move |signature| signature.iter().all(|s| names.iter().any(|n| n == s))
}

/// The platform whose export has these headers, if any.
pub fn detect(headers: &[String]) -> Option<&'static Platform> {
    let has_all = signed(headers);
    PLATFORMS.iter().find(|p| has_all(p.signature))
}

/// The name, for the command line, of the source export with this id
/// (its id when there is none).
pub(crate) fn source_label(id: &str) -> &str {
    SOURCE_PLATFORMS
        .iter()
        .find(|p| p.id == id)
        .map_or(id, |p| p.label)
}

/// The platform with this id.
pub fn by_id(id: &str) -> Option<&'static Platform> {
    PLATFORMS.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(line: &str) -> Vec<String> {
        line.split(',').map(str::to_string).collect()
    }

    #[test]
    fn recognised_from_the_whole_signature() {
        let shopify = headers(
            "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price",
        );
        assert_eq!(detect(&shopify).map(|p| p.id), Some("shopify_orders"));
        let uci = headers(
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
        );
        assert_eq!(detect(&uci).map(|p| p.id), Some("uci_online_retail"));
        let stripe_legacy = headers(
            "id,Description,Seller Message,Created (UTC),Amount,Amount Refunded,Currency,Converted Amount,Converted Amount Refunded,Fee,Taxes On Fee,Converted Currency,Status,Statement Descriptor,Customer ID,Customer Description,Customer Email,Captured,Card ID,Invoice ID,Transfer",
        );
        assert_eq!(
            detect(&stripe_legacy).map(|p| p.id),
            Some("stripe_payments")
        );
        // Half a signature is no platform.
        assert_eq!(detect(&headers("Name,Email,Financial Status,Total")), None);
        let freshdesk = headers(
            "Ticket ID,Subject,Description,Status,Priority,Type,Created time,Resolved time,Summary,Full name,Title,Email,Mobile phone,Contact ID,Company Name",
        );
        let found = detect_source(&freshdesk).expect("Freshdesk");
        assert_eq!(
            (found.id, found.kind),
            ("freshdesk_tickets", SourceKind::Tickets)
        );
        // A Shopify customers export is no order file for its Total Spent.
        let customers = headers(
            "First Name,Last Name,Email,Accepts Email Marketing,Company,City,Total Spent,Total Orders",
        );
        assert_eq!(
            detect_source(&customers).map(|p| p.kind),
            Some(SourceKind::Customers)
        );
        assert_eq!(detect(&customers), None);
        for p in SOURCE_PLATFORMS {
            for (_, column) in p.fields {
                assert_eq!(normalise(column), *column, "{}: {column}", p.id);
            }
        }
        for p in PLATFORMS {
            // A platform with its labels in two languages has an entry for each.
            assert_eq!(by_id(p.id).map(|q| q.id), Some(p.id));
            for (_, column) in p.roles {
                assert_eq!(normalise(column), *column, "{}: {column}", p.id);
            }
        }
    }

    /// Headers as each platform writes them: Square's from real exports
    /// (transactions, 55 columns; items, 35), PrestaShop's from its back
    /// office's code (`;`, in English and in French), Zendesk's ticket
    /// export, Brevo's and Klaviyo's contact exports, Typeform's (before
    /// and after 2022), SurveyMonkey's and Google Forms' responses.
    #[test]
    fn more_platforms_recognised_from_their_headers() {
        let square = headers(
            "Date,Time,Time Zone,Gross Sales,Discounts,Service Charges,Net Sales,Gift Card Sales,Tax,Tip,Partial Refunds,Total Collected,Source,Card,Card Entry Methods,Cash,Square Gift Card,Other Tender,Other Tender Type,Tender Note,Fees,Net Total,Transaction ID,Payment ID,Card Brand,PAN Suffix,Device Name,Staff Name,Staff ID,Details,Description,Event Type,Location,Dining Option,Customer ID,Customer Name,Customer Reference ID,Device Nickname,Third Party Fees,Deposit ID,Deposit Date,Deposit Details,Fee Percentage Rate,Fee Fixed Rate,Refund Reason,Discount Name,Transaction Status,Cash App,Order Reference ID,Fulfillment Note,Free Processing Applied,Channel,Unattributed Tips,Table Info,International Fee",
        );
        assert_eq!(detect(&square).map(|p| p.id), Some("square_transactions"));
        let square_2018 = headers(
            "Date,Time,Time Zone,Gross Sales,Discounts,Net Sales,Gift Card Sales,Tax,Tip,Partial Refunds,Total Collected,Source,Card,Card Entry Methods,Cash,Square Gift Card,Installment,Other Tender,Other Tender Type,Other Tender Note,Fees,Net Total,Transaction ID,Payment ID,Card Brand,PAN Suffix,Device Name,Staff Name,Staff ID,Details,Description,Event Type,Location,Dining Option,Customer ID,Customer Name,Customer Reference ID,Device Nickname,Deposit ID,Deposit Date,Deposit Details,Fee Percentage Rate,Fee Fixed Rate,Refund Reason",
        );
        assert_eq!(
            detect(&square_2018).map(|p| p.id),
            Some("square_transactions")
        );
        let items = headers(
            "Date,Time,Time Zone,Category,Item,Qty,Price Point Name,SKU,Modifiers Applied,Gross Sales,Discounts,Net Sales,Tax,Transaction ID,Payment ID,Device Name,Notes,Details,Event Type,Location,Dining Option,Customer ID,Customer Name,Customer Reference ID,Unit,Count,GTIN,Itemization Type,Commission,Employee,Fulfillment Note,Channel,Token,Card Brand,PAN Suffix",
        );
        assert_eq!(detect(&items).map(|p| p.id), Some("square_items"));
        let semicolons = |line: &str| line.split(';').map(str::to_string).collect::<Vec<_>>();
        for line in [
            "ID;Reference;New client;Delivery;Customer;Total;Payment;Status;Date",
            "ID;Reference;New client;Delivery;Customer;Total;Payment;Status;Date;Company",
            "ID;Référence;Nouveau client;Livraison;Client;Total;Paiement;État;Date",
        ] {
            let found = detect(&semicolons(line)).map(|p| p.id);
            assert_eq!(found, Some("prestashop_orders"), "{line}");
        }
        let sources = [
            (
                "Summation column,Id,Requester,Requester id,Requester external id,Requester email,Requester domain,Submitter,Assignee,Group,Subject,Tags,Status,Priority,Via,Ticket type,Created at,Updated at,Assigned at,Organization,Due date,Initially assigned at,Solved at,Resolution time,Satisfaction Score",
                "zendesk_tickets",
                SourceKind::Tickets,
            ),
            (
                "Email Address,First Name,Last Name",
                "mailchimp_sent_to",
                SourceKind::Email,
            ),
            (
                "Email Address,First Name,Last Name,Opens",
                "mailchimp_opened",
                SourceKind::Email,
            ),
            (
                "Email Address,First Name,Last Name,Clicks",
                "mailchimp_clicked",
                SourceKind::Email,
            ),
            (
                "Email Address,First Name,Last Name,Opens,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES",
                "mailchimp_opened",
                SourceKind::Email,
            ),
            (
                "CONTACT ID;EMAIL;FIRSTNAME;LASTNAME;SMS;ADDED_TIME;MODIFIED_TIME",
                "brevo_contacts",
                SourceKind::Customers,
            ),
            (
                "Email,Klaviyo ID,First Name,Last Name,Organization,Title,Phone Number,Address,Address 2,City,State / Region,Country,Zip Code,Source,Email Marketing Consent,Profile Created On",
                "klaviyo_profiles",
                SourceKind::Customers,
            ),
            (
                "#,How likely are you to recommend us?,email,Response Type,Start Date (UTC),Stage Date (UTC),Submit Date (UTC),Network ID,Tags",
                "typeform_answers",
                SourceKind::Surveys,
            ),
            (
                "#,Are you already working as a software developer?,Start Date (UTC),Submit Date (UTC),Network ID",
                "typeform_answers",
                SourceKind::Surveys,
            ),
            (
                "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,Custom Data 1,How likely are you to recommend us?",
                "surveymonkey_answers",
                SourceKind::Surveys,
            ),
            (
                "Timestamp,Email Address,How likely are you to recommend us to a friend?",
                "google_forms_answers",
                SourceKind::Surveys,
            ),
        ];
        for (line, id, kind) in sources {
            let split = if line.contains(';') {
                semicolons(line)
            } else {
                headers(line)
            };
            let found = detect_source(&split).unwrap_or_else(|| panic!("{id}: {line}"));
            assert_eq!((found.id, found.kind), (id, kind), "{line}");
            assert_eq!(detect(&split), None, "{id} is no order file");
        }
        // An events file with a timestamp is no Google Forms answer.
        assert_eq!(detect_source(&headers("customer_id,event,timestamp")), None);
        // Mailchimp's Sent to list is its three columns alone: with a
        // column more it is some list of customers.
        assert_eq!(
            detect_source(&headers("Email Address,First Name,Last Name,City")),
            None
        );
        // Google Analytics 4's BigQuery export, flattened, as its schema
        // names the columns.
        let ga4 = headers(
            "event_date,event_timestamp,event_name,event_previous_timestamp,event_value_in_usd,user_id,user_pseudo_id,platform",
        );
        assert_eq!(detect_source(&ga4).map(|p| p.id), Some("ga4_events"));
        assert_eq!(detect_report(&ga4), None);
    }

    #[test]
    fn reports_of_counts_are_told_apart_from_exports_of_rows() {
        let ga4 = headers("Event name,Event count,Total users,Event count per user,Total revenue");
        assert_eq!(
            detect_report(&ga4).map(|r| (r.id, r.kind)),
            Some(("ga4_report", SourceKind::Events))
        );
        let mailchimp =
            headers("Title,Subject,Audience,Send Date,Send Weekday,Total Recipients,Unique Id");
        assert_eq!(
            detect_report(&mailchimp).map(|r| r.id),
            Some("mailchimp_campaigns")
        );
        // Rows of events, or of e-mail results, are no report.
        for line in [
            "customer_id,event_name,timestamp",
            "Email Address,Campaign,Opened,Clicked",
            "user_id,event_name,event_count",
        ] {
            assert_eq!(detect_report(&headers(line)), None, "{line}");
        }
    }
}
