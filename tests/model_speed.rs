//! The models' speed where the app runs them: in a dedicated Web Worker of
//! headless Chromium, built with the release profile (the engine at
//! `opt-level = 3`, as in the site). Fits BG/NBD and Gamma-Gamma to the
//! demo business at 100,000 customers five times and runs k-means (k = 8)
//! on the criterion benchmark's 100,000 × 8 rows five times, and prints
//! the times beside DESIGN.md's targets (300 and 150 ms, the best of five).
//!
//! The targets are measured by `scripts/bench.sh` and reported in
//! BENCHMARKS.md, as DESIGN.md asks (benchmarks, not timed tests): this
//! machine's speed varies by more than the targets' margins from one day
//! to the next (2.5 times slower on 2026-12-03 for code that had not
//! changed). So the test fails only on a regression several times the
//! target ([`REGRESSION`] times it), which no such day explains.
//!
//! `cargo test --release --target wasm32-unknown-unknown --test model_speed
//! -- --nocapture`.
#![cfg(target_arch = "wasm32")]

use seglens_engine::import::demo;
use seglens_engine::models::clv::{self, PredictionOptions, TimeUnit};
use seglens_engine::segments::cluster::kmeans;
use seglens_engine::{ImportOptions, import_orders};
use wasm_bindgen_test::*;

#[path = "../crates/engine/benches/support/blobs.rs"]
mod blobs;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// How many times a target a time must be to fail the test.
const REGRESSION: f64 = 2.5;

/// The clock, in milliseconds.
fn now() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
fn both_fits_on_100000_customers() {
    let files = demo::generate_sized(demo::DEMO_SEED, 100_000);
    let orders = import_orders(
        "orders.csv",
        files.orders.as_bytes(),
        ImportOptions::default(),
    )
    .expect("demo orders")
    .0;
    let last = orders.day.iter().copied().max().expect("orders");
    let data = clv::summarise(&orders, last, None, TimeUnit::Weeks);
    assert!(data.len() > 90_000, "{} customers", data.len());
    let mut fits = Vec::new();
    for _ in 0..5 {
        let start = now();
        let bgnbd = clv::fit_bgnbd(&data).expect("BG/NBD");
        let gamma_gamma = clv::fit_gamma_gamma(&data).expect("Gamma-Gamma");
        fits.push(now() - start);
        // The fits are the maximum, not an early stop: the gradient of
        // the log-likelihood is flat there.
        assert!(bgnbd.params.r > 0.0 && gamma_gamma.params.p > 0.0);
    }
    let options = PredictionOptions {
        calibration_end: last,
        unit: TimeUnit::Weeks,
        horizon: 52.0,
        monthly_discount: 0.01,
    };
    let start = now();
    let predictions = clv::predict(&orders, &options).expect("predictions");
    let all = now() - start;
    assert_eq!(predictions.customers.len(), data.len());
    fits.sort_by(f64::total_cmp);
    console_log!(
        "BG/NBD + Gamma-Gamma on {} customers in a worker: {:.0} ms best, {:.0} ms median of 5; \
         summaries, fits and every customer's predictions: {:.0} ms (DESIGN.md's target: 300 ms, {})",
        data.len(),
        fits[0],
        fits[2],
        all,
        if fits[0] < 300.0 { "met" } else { "not met" }
    );
    assert!(
        fits[0] < 300.0 * REGRESSION,
        "both fits took {:.0} ms at best, {REGRESSION} times DESIGN.md's 300 ms or more",
        fits[0]
    );
}

#[wasm_bindgen_test]
fn kmeans_on_100000_by_8() {
    let m = blobs::blobs();
    let mut runs = Vec::new();
    for seed in 0..5 {
        let start = now();
        let result = kmeans(&m, 8, seed, 1).expect("k-means");
        runs.push(now() - start);
        assert_eq!(result.labels.len(), 100_000);
        assert!(result.labels.iter().all(|l| *l < 8));
    }
    runs.sort_by(f64::total_cmp);
    console_log!(
        "k-means k = 8 on 100000 x 8 in a worker: {:.0} ms best, {:.0} ms median of 5 (DESIGN.md's target: 150 ms, {})",
        runs[0],
        runs[2],
        if runs[0] < 150.0 { "met" } else { "not met" }
    );
    assert!(
        runs[0] < 150.0 * REGRESSION,
        "k-means took {:.0} ms at best, {REGRESSION} times DESIGN.md's 150 ms or more",
        runs[0]
    );
}
