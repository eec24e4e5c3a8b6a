#!/usr/bin/env bash
# Runs every benchmark on this machine and rewrites the measured tables of
# BENCHMARKS.md (between its bench markers) with the machine and the date:
# - the demo business generated at about 10k, 100k, 1M and 5M order rows
#   (`seglens demo --customers N`, deterministic), kept in target/bench;
# - natively, `seglens rfm` beside DuckDB and pandas on each of them, and on
#   five files of 1M rows of other shapes (tests/reference/bench_shapes.py);
# - the criterion benchmarks (import, RFM + KPIs, the whole analysis,
#   funnel, paths, rules, k-means, the model fits) and scikit-learn's k-means;
# - in headless Chromium, the model fits and k-means in a Web Worker, then
#   the release build importing the 1M-row file beside DuckDB-WASM, the
#   reload, the bundle and the time to interactive.
#   bash scripts/bench.sh        (about 15 minutes once the tools are there)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test >/dev/null
export PATH="$PWD/scripts/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
dir=target/bench
mkdir -p "$dir"
cargo build --release --locked -p seglens-cli
seglens=target/release/seglens

step "The demo business at about 10k, 100k, 1M and 5M order rows"
files=()
for customers in 1700 17030 170300 851500; do
  out="$dir/demo-$customers"
  [ -s "$out/orders.csv" ] || "$seglens" demo --out "$out" --customers "$customers" > /dev/null
  files+=("$out/orders.csv")
done

step "Natively: SegLens, DuckDB and pandas read the orders and score RFM"
.venv/bin/python tests/reference/bench.py "$seglens" "$dir/native.json" "${files[@]}"

step "Natively: the same work on shapes SegLens was not tuned on (skewed and uniform customers, wide rows, long quoted comments, order lines)"
.venv/bin/python tests/reference/bench_shapes.py "$seglens" "$dir/shapes"

step "Criterion benchmarks of the engine"
rm -rf target/criterion
cargo bench --locked -p seglens-engine --features parallel --bench engine --bench segments --bench clv \
  2>/dev/null | grep -E "^[a-zA-Z_ ,0-9/+-]+$|time:|thrpt:" || true
.venv/bin/python tests/reference/bench_segments.py "$dir/kmeans-100k.csv" "$dir/kmeans.json"

step "Model fits and k-means in a Web Worker of headless Chromium"
cargo test --release --locked --target wasm32-unknown-unknown --test model_speed -- --nocapture \
  2>&1 | tee "$dir/wasm-speed.txt" | grep -E "in a worker"

step "The release build beside DuckDB-WASM in headless Chromium"
python3 scripts/build.py --public-url /seglens/
(cd tests/bench && npm ci --no-audit --no-fund --loglevel=error)
node tests/bench/browser.mjs "$dir/demo-170300/orders.csv" "$seglens" 3 > "$dir/browser.json"

.venv/bin/python tests/reference/bench_report.py BENCHMARKS.md "$dir"
echo
echo "BENCHMARKS.md rewritten."
