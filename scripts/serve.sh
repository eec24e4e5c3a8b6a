#!/usr/bin/env bash
# Installs what is missing, builds the app and serves it, as GitHub Pages
# would, at http://127.0.0.1:8080/seglens/ (the demo data is one click away).
# The build is the quick one (`build.py --quick`: the same app, compiled in
# about three minutes on a fresh two-core machine instead of eight, its
# files larger), into target/serve-dist; the tests build the full one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build
export PATH="$PWD/scripts/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
port="${PORT:-8080}"
exec python3 scripts/build.py --quick --dist target/serve-dist --public-url /seglens/ --serve "$port"
