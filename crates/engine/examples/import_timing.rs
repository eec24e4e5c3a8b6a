//! Times the importer alone on a file: `cargo run --release --example
//! import_timing -p seglens-engine -- FILE`.

use std::time::Instant;

use seglens_engine::{ImportOptions, import_orders};

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let bytes = std::fs::read(&path).expect("readable");
    for _ in 0..3 {
        let start = Instant::now();
        let (orders, _) = import_orders(&path, &bytes, ImportOptions::default()).expect("imports");
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{} rows in {:.3} s: {:.0} MB/s",
            orders.len(),
            secs,
            bytes.len() as f64 / 1e6 / secs
        );
    }
}
