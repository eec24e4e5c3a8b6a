//! Model benchmarks: the BG/NBD and Gamma-Gamma fits, and every
//! customer's predictions, on the demo business at 100,000 customers
//! (the target: both fits under 300 ms in the browser).
//!
//! `cargo bench -p seglens-engine --bench clv`.
#![allow(missing_docs)] // criterion_group! writes an undocumented function.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use seglens_engine::import::demo;
use seglens_engine::import::orders::Orders;
use seglens_engine::models::clv::{self, PredictionOptions, TimeUnit};
use seglens_engine::{ImportOptions, import_orders};

fn demo_orders() -> Orders {
    let files = demo::generate_sized(demo::DEMO_SEED, 100_000);
    import_orders(
        "orders.csv",
        files.orders.as_bytes(),
        ImportOptions::default(),
    )
    .expect("demo orders")
    .0
}

fn bench(c: &mut Criterion) {
    let orders = demo_orders();
    let last = orders.day.iter().copied().max().expect("orders");
    let options = PredictionOptions {
        calibration_end: last,
        unit: TimeUnit::Weeks,
        horizon: 52.0,
        monthly_discount: 0.01,
    };
    let data = clv::summarise(&orders, last, None, TimeUnit::Weeks);
    let mut group = c.benchmark_group("clv, 100k customers");
    group.sample_size(10);
    group.bench_function("summaries", |b| {
        b.iter(|| clv::summarise(black_box(&orders), last, None, TimeUnit::Weeks))
    });
    group.bench_function("BG/NBD + Gamma-Gamma fits", |b| {
        b.iter(|| {
            let bg = clv::fit_bgnbd(black_box(&data)).expect("BG/NBD");
            let gg = clv::fit_gamma_gamma(black_box(&data)).expect("Gamma-Gamma");
            (bg, gg)
        })
    });
    group.bench_function("summaries, fits and every prediction", |b| {
        b.iter(|| clv::predict(black_box(&orders), &options).expect("predictions"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
