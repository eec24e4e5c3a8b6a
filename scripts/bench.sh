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
