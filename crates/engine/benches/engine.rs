//! Engine benchmarks on the demo business (the generator every benchmark
//! uses): import throughput of a 1,000,000-row order file; RFM, every KPI
//! per segment and the whole analysis on it; funnels and paths over the
//! events of 100,000 customers.
//!
//! `cargo bench -p seglens-engine --bench engine`; `scripts/bench.sh`
//! runs it and copies the figures into BENCHMARKS.md.
#![allow(missing_docs)] // criterion_group! writes an undocumented function.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use seglens_engine::analysis::{self, Analyser, AnalysisOptions};
use seglens_engine::import::demo as generator;
use seglens_engine::journeys::{self, FunnelSetup, PathSetup};
use seglens_engine::metrics::kpi::{self, KpiInputs};
use seglens_engine::{ImportOptions, import_orders};

#[path = "support/demo.rs"]
mod demo;

/// Customers of the demo business that make about 1,000,000 order rows.
const CUSTOMERS_1M: usize = 170_300;

fn import(c: &mut Criterion) {
    let files = generator::generate_sized(generator::DEMO_SEED, CUSTOMERS_1M);
    let bytes = files.orders.as_bytes();
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("orders_1m_one_thread", |b| {
        b.iter(|| {
            import_orders("orders.csv", black_box(bytes), ImportOptions::default()).expect("demo")
        })
    });
    group.bench_function("orders_1m_two_threads", |b| {
        b.iter(|| {
            seglens_engine::import::orders::import_orders_parallel(
                "orders.csv",
                black_box(bytes),
                ImportOptions::default(),
                2,
            )
            .expect("demo")
        })
    });
    group.finish();
}

fn analysis(c: &mut Criterion) {
    // About 1,000,000 orders of 170,300 customers, with e-mail results,
    // survey answers, events and tickets.
    let data = demo::demo_data(CUSTOMERS_1M);
    let options = AnalysisOptions::default();
    let mut group = c.benchmark_group("analysis_1m");
    group.sample_size(20);
    group.bench_function("rfm", |b| {
        b.iter(|| analysis::rfm_result(black_box(&data), &options).expect("rfm"))
    });
    // The models are fitted once beforehand (they are benchmarked in
    // `clv`); their predictions feed the predicted-CLV KPI.
    let mut analyser = Analyser::default();
    analyser.analyse(&data, &options).expect("analysis");
    let as_of = analysis::rfm_result(&data, &options).expect("rfm").0;
    let predictions = analyser.predictions(as_of).expect("fitted").to_vec();
    group.bench_function("rfm_and_every_kpi", |b| {
        b.iter(|| {
            let (as_of, result) = analysis::rfm_result(black_box(&data), &options).expect("rfm");
            let mut group_of = vec![None; data.orders.customer_keys.len()];
            for row in &result.rows {
                group_of[row.values.customer as usize] = Some(row.segment as usize);
            }
            // The customers file is read once per analysis, whatever the
            // segments: counted here.
            let facts =
                kpi::customer_facts(data.customers.as_ref(), data.costs.as_ref(), &data.orders);
            kpi::compute(&KpiInputs {
                orders: &data.orders,
                email: data.email.as_ref(),
                surveys: data.surveys.as_ref(),
                tickets: data.tickets.as_ref(),
                costs: data.costs.as_ref(),
                customer_facts: Some(&facts),
                predictions: Some(&predictions),
                as_of,
                churn_period_days: kpi::CHURN_PERIOD_DAYS,
                group_of: &group_of,
                group_names: &result.segment_names,
            })
        })
    });
    // Everything the app shows after an import but the model fits:
    // lifecycle stages and flows, cohorts, funnel, usage, quality, KPIs.
    group.bench_function("whole_analysis_without_fits", |b| {
        b.iter(|| {
            analyser
                .analyse(black_box(&data), &options)
                .expect("analysis")
        })
    });
    group.finish();

    let data = demo::demo_data(100_000);
    let events = data.events.as_ref().expect("demo events");
    let as_of = analysis::rfm_result(&data, &options).expect("rfm").0;
    let setup = FunnelSetup {
        steps: journeys::default_steps(events),
        window_days: 7,
        strict: false,
    };
    let mut group = c.benchmark_group("journeys_100k");
    group.sample_size(20);
    group.bench_function("funnel", |b| {
        b.iter(|| journeys::funnel(black_box(events), &setup, &[], &[]))
    });
    group.bench_function("paths", |b| {
        b.iter(|| journeys::paths(black_box(events), as_of, None, &PathSetup::default()))
    });
    group.finish();
}

criterion_group!(benches, import, analysis);
criterion_main!(benches);
