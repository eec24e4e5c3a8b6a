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
    /// How much it was worth (negative for a refund).
    Amount,
}

impl Role {
    /// The role's name as the command line and reports write it.
    pub fn key(self) -> &'static str {
        match self {
            Role::CustomerId => "customer_id",
            Role::OrderDate => "date",
            Role::Amount => "amount",
        }
    }

    /// Parses a role name as `--map` takes it.
    pub fn from_key(key: &str) -> Option<Role> {
        match normalise(key).as_str() {
            "customer_id" | "customer" | "client" => Some(Role::CustomerId),
            "date" | "order_date" => Some(Role::OrderDate),
            "amount" | "revenue" | "montant" => Some(Role::Amount),
            _ => None,
        }
    }
}

/// Lower-cases, removes accents and turns every run of other characters
/// into one `_`: `Date de commande` becomes `date_de_commande`.
pub fn normalise(name: &str) -> String {
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
pub fn is_category_name(header: &str) -> bool {
    CATEGORY_NAMES.contains(&normalise(header).as_str())
}

/// How well a header name fits a role: 3 for an exact known name, 2 for a
/// known name inside the header (`montant_ttc_eur`), 0 for none.
pub fn name_score(role: Role, header: &str) -> u8 {
    let names = match role {
        Role::CustomerId => CUSTOMER_NAMES,
        Role::OrderDate => DATE_NAMES,
        Role::Amount => AMOUNT_NAMES,
    };
    let h = normalise(header);
    if h.is_empty() {
        return 0;
    }
    if names.contains(&h.as_str()) {
        return 3;
    }
    let words: Vec<&str> = h.split('_').collect();
    let contains = names.iter().any(|n| {
        let nw: Vec<&str> = n.split('_').collect();
        n.len() > 3 && words.windows(nw.len()).any(|w| w == nw.as_slice())
    });
    if contains { 2 } else { 0 }
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
}
