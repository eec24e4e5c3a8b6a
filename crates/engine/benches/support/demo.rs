//! The demo business with all its sources (customers, e-mail results,
//! survey answers, events, tickets, marketing costs), the data of the
//! engine's benchmarks.

use seglens_engine::import::dataset::Dataset;
use seglens_engine::import::demo;
use seglens_engine::{ImportOptions, import_orders};

/// The demo business at `customers` customers.
pub fn demo_data(customers: usize) -> Dataset {
    let files = demo::generate_sized(demo::DEMO_SEED, customers);
    let (orders, _) = import_orders(
        "orders.csv",
        files.orders.as_bytes(),
        ImportOptions::default(),
    )
    .expect("demo orders");
    let mut data = Dataset::from_orders(orders);
    for (name, text) in [
        ("customers.csv", &files.customers),
        ("email.csv", &files.email),
        ("surveys.csv", &files.surveys),
        ("events.csv", &files.events),
        ("tickets.csv", &files.tickets),
        ("costs.csv", &files.costs),
    ] {
        data.add_source(name, text.as_bytes()).expect("demo source");
    }
    data
}
