#!/usr/bin/env bash
# Measures SegLens beside DuckDB and pandas on the same files, on this
# machine, and rewrites the side-by-side table in BENCHMARKS.md.
#   bash scripts/bench.sh [CUSTOMERS]   (default 100000: about 590,000 orders)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test >/dev/null
export PATH="$HOME/.cargo/bin:$PATH"
customers="${1:-100000}"
cargo build --release --locked -p seglens-cli >/dev/null 2>&1
dir=target/bench
mkdir -p "$dir"
target/release/seglens demo --out "$dir" --customers "$customers"
.venv/bin/python tests/reference/bench.py target/release/seglens "$dir" BENCHMARKS.md

# Segments: rule evaluation and k-means (criterion), and scikit-learn's
# KMeans timed on the same rows.
cargo bench --locked -p seglens-engine --bench segments 2>/dev/null | grep -E "^segments|time:"
.venv/bin/python tests/reference/bench_segments.py target/bench/kmeans-100k.csv
