#!/usr/bin/env bash
# Installs whatever SegLens needs and is missing; fast when all is there.
#   scripts/setup.sh build   tools to build and serve the app
#   scripts/setup.sh test    those, plus Chromium, chromedriver, PostgreSQL, npm and Python packages
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mode="${1:-build}"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Rust: the wasm target and the linters.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for c in clippy rustfmt; do
  rustup component list --installed | grep -q "^$c" || rustup component add "$c"
done

# wasm-bindgen-cli: exactly the wasm-bindgen of Cargo.lock.
wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$"; then
  say "Installing wasm-bindgen-cli $wbg"
  # Without its default TLS: it downloads nothing, and ring takes a minute.
  cargo install wasm-bindgen-cli --version "$wbg" --force --no-default-features
fi
grep -q "wasm_bindgen = \"$wbg\"" Trunk.toml || { echo "Trunk.toml's wasm_bindgen is not $wbg (Cargo.lock)"; exit 1; }

# wasm-opt 116 (Debian's 108 corrupts current wasm-bindgen output):
# binaryen's own build for Node, from npm, installed in seconds where
# compiling binaryen takes minutes. The build scripts put it first on PATH.
if ! scripts/tools/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q 'version 116'; then
  say "Installing wasm-opt 116 (binaryen's build for Node, from npm)"
  (cd scripts/tools && npm ci --no-audit --no-fund --loglevel=error)
fi

[ "$mode" = test ] || exit 0

# Chromium and its driver, for the browser tests.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "Installing Chromium and chromedriver"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq chromium chromium-driver
fi

# cargo-fuzz, to fuzz the importer for a bounded time in the tests.
if ! command -v cargo-fuzz >/dev/null && [ ! -x "$HOME/.cargo/bin/cargo-fuzz" ]; then
  say "Installing cargo-fuzz"
  cargo install cargo-fuzz --locked --version 0.13.2
fi

# PostgreSQL, to run the SQL export on a real server in the tests.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "Installing PostgreSQL (for the SQL export check)"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq postgresql
fi

# Playwright (the library only; it drives Debian's Chromium).
if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/axe-core ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  say "Installing the end-to-end test packages"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

# Python reference implementations (DuckDB, pandas) in a local venv.
stamp=.venv/.requirements
if [ ! -f "$stamp" ] || ! cmp -s tests/reference/requirements.txt "$stamp"; then
  say "Installing the Python reference packages"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r tests/reference/requirements.txt
  cp tests/reference/requirements.txt "$stamp"
fi
