#!/usr/bin/env bash
# Installs what is missing, builds the app and serves it, as GitHub Pages
# would, at http://127.0.0.1:8080/seglens/ (the demo data is one click away).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build
export PATH="$PWD/scripts/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
port="${PORT:-8080}"
exec python3 scripts/build.py --public-url /seglens/ --serve "$port"
