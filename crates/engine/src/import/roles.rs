//! Column roles recognised from header names in English and French.

use serde::{Deserialize, Serialize};

/// What a column of an order file means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Who bought: an id, a customer number or an e-mail address.
    CustomerId,
    /// When the order was placed.
    #[serde(rename = "date")]
    OrderDate,
    /// How much it was worth (negative for a refund): the order's total.
    Amount,
    /// Which order a row belongs to, when a file has a row per order line
    /// (`Name` in Shopify, `InvoiceNo`, `N° commande`).
    OrderId,
    /// How many of the line's product were bought.
    Quantity,
    /// The price of one unit of the line's product.
    UnitPrice,
    /// What the line is worth (quantity × unit price, less its discount).
    LineTotal,
    /// The order's status (paid, cancelled, pending, refunded, …).
    Status,
    /// How much of the order was refunded.
    Refunded,
    /// The buyer's phone number: who bought when the customer cell is
    /// empty (cash-on-delivery shops take orders without an e-mail).
    Phone,
}

impl Role {
    /// The roles a file can do without: those of order lines, statuses and
    /// refunds.
    pub const OPTIONAL: [Role; 7] = [
        Role::OrderId,
        Role::Quantity,
        Role::UnitPrice,
        Role::LineTotal,
        Role::Status,
        Role::Refunded,
        Role::Phone,
    ];

    /// The role's name as the command line and reports write it.
    pub fn key(self) -> &'static str {
        match self {
            Role::CustomerId => "customer_id",
            Role::OrderDate => "date",
            Role::Amount => "amount",
            Role::OrderId => "order_id",
            Role::Quantity => "quantity",
            Role::UnitPrice => "unit_price",
            Role::LineTotal => "line_total",
            Role::Status => "status",
            Role::Refunded => "refunded",
            Role::Phone => "phone",
        }
    }

    /// Parses a role name as `--map` takes it.
    pub fn from_key(key: &str) -> Option<Role> {
        match normalise(key).as_str() {
            "customer_id" | "customer" | "client" => Some(Role::CustomerId),
            "date" | "order_date" => Some(Role::OrderDate),
            "amount" | "revenue" | "montant" => Some(Role::Amount),
            "order_id" | "order" | "commande" => Some(Role::OrderId),
            "quantity" | "qty" | "quantite" => Some(Role::Quantity),
            "unit_price" | "price" | "prix_unitaire" => Some(Role::UnitPrice),
            "line_total" | "total_ligne" => Some(Role::LineTotal),
            "status" | "statut" => Some(Role::Status),
            "refunded" | "refund" | "rembourse" => Some(Role::Refunded),
            "phone" | "telephone" | "tel" => Some(Role::Phone),
            _ => None,
        }
    }
}

/// Lower-cases, removes accents and turns every run of other characters
/// into one `_`: `Date de commande` becomes `date_de_commande`.
pub(crate) fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

const CUSTOMER_NAMES: &[&str] = &[
    "customer_id",
    "customerid",
    "customer",
    "customer_number",
    "customer_email",
    "client",
    "client_id",
    "id_client",
    "idclient",
    "numero_client",
    "num_client",
    "code_client",
    "ref_client",
    "user_id",
    "userid",
    "member_id",
    "cust_id",
    "buyer",
    "acheteur",
    "email",
    "e_mail",
    "mail",
    "courriel",
    "adresse_email",
    "contact",
];

const DATE_NAMES: &[&str] = &[
    "order_date",
    "date",
    "orderdate",
    "date_commande",
    "date_de_commande",
    "date_achat",
    "date_d_achat",
    "date_facture",
    "date_de_facture",
    "date_vente",
    "purchase_date",
    "invoice_date",
    "transaction_date",
    "created_at",
    "created",
    "order_created_at",
    "paid_at",
    "processed_at",
    "datetime",
    "timestamp",
    "day",
    "jour",
];

const AMOUNT_NAMES: &[&str] = &[
    "amount",
    "total",
    "revenue",
    "order_total",
    "total_price",
    "total_amount",
    "sales",
    "net_sales",
    "gross_sales",
    "value",
    "order_value",
    "dollar_value",
    "price",
    "subtotal",
    "montant",
    "montant_ttc",
    "montant_ht",
    "total_ttc",
    "total_ht",
    "prix",
    "prix_ttc",
    "ca",
    "chiffre_d_affaires",
    "valeur",
];

/// Names that fit a role only when no better-named column is there: a
/// Shopify export's `Subtotal` beside its `Total`, `Paid at` (empty for an
/// unpaid order) beside `Created at`.
const WEAK_NAMES: &[&str] = &[
    "subtotal",
    "sous_total",
    "price",
    "prix",
    "total_ht",
    "montant_ht",
    "paid_at",
    "processed_at",
];

const ORDER_ID_NAMES: &[&str] = &[
    "order_id",
    "orderid",
    "order_number",
    "order_no",
    "order_num",
    "order",
    "order_name",
    "order_reference",
    "order_ref",
    "invoiceno",
    "invoice_no",
    "invoice",
    "invoice_id",
    "invoice_number",
    "receipt_id",
    "receipt_number",
    "transaction_id",
    "id_commande",
    "commande",
    "numero_commande",
    "numero_de_commande",
    "n_commande",
    "no_commande",
    "num_commande",
    "ref_commande",
    "reference_commande",
    "numero_facture",
    "n_facture",
    "facture",
];

const QUANTITY_NAMES: &[&str] = &[
    "quantity",
    "qty",
    "quantite",
    "qte",
    "lineitem_quantity",
    "item_quantity",
    "quantity_ordered",
    "units",
    "nb_articles",
];

const UNIT_PRICE_NAMES: &[&str] = &[
    "unit_price",
    "unitprice",
    "price_each",
    "item_price",
    "lineitem_price",
    "product_price",
    "prix_unitaire",
    "prix_unitaire_ttc",
    "prix_unitaire_ht",
    "pu",
    "pu_ttc",
];

const LINE_TOTAL_NAMES: &[&str] = &[
    "line_total",
    "line_amount",
    "line_subtotal",
    "item_total",
    "item_subtotal",
    "lineitem_total",
    "total_ligne",
    "montant_ligne",
    "total_article",
];

const STATUS_NAMES: &[&str] = &[
    "status",
    "order_status",
    "financial_status",
    "payment_status",
    "order_state",
    "statut",
    "statut_commande",
    "statut_de_la_commande",
    "etat",
    "etat_commande",
    "statut_paiement",
    "statut_du_paiement",
];

const PHONE_NAMES: &[&str] = &[
    "phone",
    "billing_phone",
    "phone_billing",
    "phone_number",
    "customer_phone",
    "mobile",
    "mobile_phone",
    "telephone",
    "telephone_facturation",
    "telephone_client",
    "numero_de_telephone",
    "tel",
    "portable",
];

const REFUNDED_NAMES: &[&str] = &[
    "refunded_amount",
    "amount_refunded",
    "refund_amount",
    "refunded",
    "total_refunded",
    "refunds",
    "montant_rembourse",
    "rembourse",
    "remboursement",
];

/// Columns whose date, when there is one, says the order was cancelled
/// (Shopify's `Cancelled at`).
const CANCELLED_AT_NAMES: &[&str] = &[
    "cancelled_at",
    "canceled_at",
    "cancelled_date",
    "date_annulation",
    "date_d_annulation",
];

/// Columns naming the currency of each order (`Currency` in Shopify,
/// `devise`).
const CURRENCY_NAMES: &[&str] = &["currency", "currency_code", "order_currency", "devise"];

/// True when a header names the date an order was cancelled.
pub(crate) fn is_cancelled_at_name(header: &str) -> bool {
    CANCELLED_AT_NAMES.contains(&normalise(header).as_str())
}

/// True when a header names the orders' currency.
pub(crate) fn is_currency_name(header: &str) -> bool {
    CURRENCY_NAMES.contains(&normalise(header).as_str())
}

const CATEGORY_NAMES: &[&str] = &[
    "category",
    "categories",
    "product_category",
    "product_type",
    "department",
    "categorie",
    "categorie_produit",
    "rayon",
    "famille",
    "univers",
];

/// True when a header names a product category (`category`, `catégorie`,
/// `rayon`, …).
pub(crate) fn is_category_name(header: &str) -> bool {
    CATEGORY_NAMES.contains(&normalise(header).as_str())
}

/// How well a header name fits a role: 3 for an exact known name, 2 for a
/// known name inside the header (`montant_ttc_eur`), 1 for a name that
/// fits only when nothing better does (`Subtotal`, `Paid at`), 0 for none.
/// The roles of order lines and statuses take exact names only: `order`
/// is inside `Order date` and `Order total`.
pub(crate) fn name_score(role: Role, header: &str) -> u8 {
    let (names, exact_only) = match role {
        Role::CustomerId => (CUSTOMER_NAMES, false),
        Role::OrderDate => (DATE_NAMES, false),
        Role::Amount => (AMOUNT_NAMES, false),
        Role::OrderId => (ORDER_ID_NAMES, true),
        Role::Quantity => (QUANTITY_NAMES, true),
        Role::UnitPrice => (UNIT_PRICE_NAMES, true),
        Role::LineTotal => (LINE_TOTAL_NAMES, true),
        Role::Status => (STATUS_NAMES, true),
        Role::Refunded => (REFUNDED_NAMES, true),
        Role::Phone => (PHONE_NAMES, true),
    };
    let h = normalise(header);
    if h.is_empty() {
        return 0;
    }
    if names.contains(&h.as_str()) {
        return if WEAK_NAMES.contains(&h.as_str()) {
            1
        } else {
            3
        };
    }
    if exact_only {
        return 0;
    }
    let words: Vec<&str> = h.split('_').collect();
    let inside = |n: &&&str| {
        let nw: Vec<&str> = n.split('_').collect();
        n.len() > 3 && words.windows(nw.len()).any(|w| w == nw.as_slice())
    };
    match names.iter().filter(inside).all(|n| WEAK_NAMES.contains(n)) {
        // No name inside, or only weak ones (`Lineitem price`).
        true if names.iter().any(|n| inside(&n)) => 1,
        true => 0,
        false => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_french_headers() {
        assert_eq!(normalise(" Date de commande "), "date_de_commande");
        assert_eq!(normalise("Montant TTC (€)"), "montant_ttc");
        assert_eq!(name_score(Role::CustomerId, "Client"), 3);
        assert_eq!(name_score(Role::CustomerId, "E-mail"), 3);
        assert_eq!(name_score(Role::OrderDate, "Date de commande"), 3);
        assert_eq!(name_score(Role::Amount, "Montant TTC"), 3);
        assert_eq!(name_score(Role::Amount, "montant ttc eur"), 2);
        assert_eq!(name_score(Role::Amount, "Ville"), 0);
        assert_eq!(Role::from_key("customer_id"), Some(Role::CustomerId));
    }

    #[test]
    fn order_lines_and_weak_names() {
        // A Shopify export: `Total` before `Subtotal`, `Created at` before
        // `Paid at`, whatever their order in the file.
        assert!(name_score(Role::Amount, "Total") > name_score(Role::Amount, "Subtotal"));
        assert!(name_score(Role::Amount, "Subtotal") > 0);
        assert!(name_score(Role::OrderDate, "Created at") > name_score(Role::OrderDate, "Paid at"));
        assert!(name_score(Role::Amount, "Total") > name_score(Role::Amount, "Lineitem price"));
        assert_eq!(name_score(Role::OrderId, "InvoiceNo"), 3);
        assert_eq!(name_score(Role::OrderId, "N° commande"), 3);
        assert_eq!(name_score(Role::OrderId, "Order date"), 0);
        assert_eq!(name_score(Role::Quantity, "Lineitem quantity"), 3);
        assert_eq!(name_score(Role::UnitPrice, "UnitPrice"), 3);
        assert_eq!(name_score(Role::Status, "Financial Status"), 3);
        assert_eq!(name_score(Role::Status, "État"), 3);
        assert_eq!(name_score(Role::Refunded, "Refunded Amount"), 3);
        assert!(is_cancelled_at_name("Cancelled at"));
        assert!(is_currency_name("Devise"));
        for role in Role::OPTIONAL {
            assert_eq!(Role::from_key(role.key()), Some(role));
        }
    }
}
