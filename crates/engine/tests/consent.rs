//! Consent read from a real platform export: Shopify's customers file says
//! who accepts e-mail marketing; an export leaves the others out.

use seglens_engine::export::without_consent;
use seglens_engine::import::dataset::Dataset;
use seglens_engine::{ImportOptions, import_orders};

fn real(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/real")
        .join(name);
    std::fs::read(path).unwrap()
}

#[test]
fn shopify_customers_who_do_not_accept_e_mail_marketing_are_not_sendable() {
    let name = "shopify_orders_activewear_usd.csv";
    let (orders, _) = import_orders(name, &real(name), ImportOptions::default()).unwrap();
    let mut data = Dataset::from_orders(orders);
    let customers = "shopify_customers_activewear.csv";
    data.add_source(customers, &real(customers)).unwrap();
    let refused = without_consent(&data).iter().filter(|r| **r).count();
    // pandas: the distinct e-mail addresses (trimmed, lower-cased) of the
    // rows whose "Accepts Email Marketing" is "no".
    assert_eq!(refused, 416);
}
