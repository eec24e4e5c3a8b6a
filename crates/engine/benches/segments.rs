//! Segment benchmarks: rule evaluation over 100,000 customers and k-means
//! on 100,000 × 8 standardised features with k = 8 (targets in BENCHMARKS.md).
//!
//! `cargo bench -p seglens-engine --bench segments`. The k-means data is
//! also written to `target/bench/kmeans-100k.csv` so that
//! `tests/reference/bench_segments.py` can time scikit-learn on the same
//! rows.
#![allow(missing_docs)] // criterion_group! writes an undocumented function.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use seglens_engine::segments::cluster::{Matrix, kmeans};
use seglens_engine::segments::{Evaluator, Facts, Rule};

#[path = "support/blobs.rs"]
mod blobs;
#[path = "support/demo.rs"]
mod demo;

fn write_blobs(m: &Matrix) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    let _ = std::fs::create_dir_all(&dir);
    let mut text = String::with_capacity(m.values.len() * 12);
    for row in m.values.chunks(m.dims) {
        let line: Vec<String> = row.iter().map(|x| format!("{x:.12}")).collect();
        text.push_str(&line.join(","));
        text.push('\n');
    }
    let _ = std::fs::write(dir.join("kmeans-100k.csv"), text);
}

fn rules(c: &mut Criterion) {
    let data = demo::demo_data(100_000);
    let as_of = seglens_engine::default_as_of(&data.orders).expect("orders");
    let facts = Facts::new(&data, as_of);
    let rule = Rule::from_json(
        r#"{"all": [
            {"attribute": "gender", "equals": "M"},
            {"attribute": "age", "between": [35, 40]},
            {"attribute": "interests", "contains": "DIY"},
            {"measure": "orders", "days": 42, "at_most": 0},
            {"any": [{"measure": "email_opens", "days": 90, "at_most": 0},
                     {"event": "add_to_cart", "at_least": 2, "within_days": 30}]}
        ]}"#,
    )
    .expect("rule");
    let mut group = c.benchmark_group("segments");
    group.sample_size(20);
    group.bench_function("facts 100k customers", |b| {
        b.iter(|| Facts::new(black_box(&data), as_of))
    });
    group.bench_function("facts + first rule over 100k customers", |b| {
        b.iter(|| {
            let facts = Facts::new(black_box(&data), as_of);
            Evaluator::new(&data, &facts)
                .eval(&rule)
                .expect("evaluates")
                .count()
        })
    });
    group.bench_function("rule over 100k customers", |b| {
        b.iter(|| {
            Evaluator::new(&data, &facts)
                .eval(black_box(&rule))
                .expect("evaluates")
                .count()
        })
    });
    let m = blobs::blobs();
    write_blobs(&m);
    group.sample_size(10);
    group.bench_function("k-means 100k x 8, k = 8, one run", |b| {
        b.iter(|| kmeans(black_box(&m), 8, 42, 1).expect("k-means").inertia)
    });
    group.finish();
}

criterion_group!(benches, rules);
criterion_main!(benches);
