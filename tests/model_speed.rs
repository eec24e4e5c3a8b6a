//! The model fits' speed where the app runs them: in a dedicated Web
//! Worker of headless Chromium, built with the release profile (the engine
//! at `opt-level = 3`, as in the site). Fits BG/NBD and Gamma-Gamma to the
//! demo business at 100,000 customers five times, prints the times and
//! fails above DESIGN.md's target of 300 ms (the best of the five).
//!
//! `cargo test --release --target wasm32-unknown-unknown --test model_speed
//! -- --nocapture`.
#![cfg(target_arch = "wasm32")]

use seglens_engine::clv::{self, PredictionOptions, TimeUnit};
use seglens_engine::{ImportOptions, demo, import_orders};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

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
    assert!(
        fits[0] < 300.0,
        "both fits took {:.0} ms at best, above DESIGN.md's 300 ms",
        fits[0]
    );
    console_log!(
        "BG/NBD + Gamma-Gamma on {} customers in a worker: {:.0} ms best, {:.0} ms median of 5; \
         summaries, fits and every customer's predictions: {:.0} ms",
        data.len(),
        fits[0],
        fits[2],
        all
    );
}
