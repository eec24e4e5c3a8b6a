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
}

/// Every source export known.
pub const SOURCE_PLATFORMS: &[SourcePlatform] = &[
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
    },
    SourcePlatform {
        id: "woocommerce_customers",
        label: "WooCommerce customers report",
        kind: SourceKind::Customers,
        signature: &["last_active", "email", "orders", "total_spend", "aov"],
        fields: &[("customer_id", "email"), ("email", "email")],
    },
    SourcePlatform {
        id: "hubspot_contacts",
        label: "HubSpot contacts export",
        kind: SourceKind::Customers,
        signature: &["record_id_contact", "email"],
        fields: &[("customer_id", "email"), ("email", "email")],
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
    },
];

/// The source platform whose export has these headers, if any.
pub fn detect_source(headers: &[String]) -> Option<&'static SourcePlatform> {
    let has_all = signed(headers);
    SOURCE_PLATFORMS.iter().find(|p| has_all(p.signature))
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
}
