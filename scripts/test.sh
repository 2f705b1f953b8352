#!/usr/bin/env bash
# README command 2: set up what is missing, then run every check and test:
# formatting, clippy (server and wasm), unit and HTTP tests on SQLite and PostgreSQL, and the
# Playwright end-to-end tests in Chromium.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh test

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (server side, with the benchmark binary)"
cargo clippy -p server -p app -p migrations --all-targets --features app/ssr,server/bench -- -D warnings

step "clippy (wasm)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "unit and HTTP tests (SQLite and PostgreSQL)"
cargo test -p server -p app -p migrations --features app/ssr

# The end-to-end tests run the server binary `cargo test` has just built (same features, so
# nothing is compiled twice); cargo-leptos adds the wasm bundle, JS and CSS.
step "build the site (wasm, JS, CSS) for the end-to-end tests"
cargo leptos build --frontend-only

target_dir="${CARGO_TARGET_DIR:-$root/target}"
export AUTHLINK_E2E_BINARY="$target_dir/debug/authlink"
export AUTHLINK_E2E_SITE_ROOT="$root/target/site"

step "end-to-end tests (Chromium, SQLite)"
(cd end2end && npx playwright test)

# The same tests on PostgreSQL. Under CI=true an unreachable server is a failure, elsewhere a skip.
pg_url="${AUTHLINK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if command -v psql >/dev/null && psql "$pg_url" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  step "end-to-end tests (Chromium, PostgreSQL)"
  (cd end2end && AUTHLINK_E2E_POSTGRES_URL="$pg_url" npx playwright test)
elif [[ "${CI:-}" == "true" ]]; then
  echo "CI=true but PostgreSQL at $pg_url is not reachable with psql" >&2
  exit 1
else
  printf '\nSKIPPED end-to-end tests on PostgreSQL: %s is not reachable with psql\n' "$pg_url"
fi

# The benchmark suite in its smoke form: it proves the suite still runs (server, reference server,
# load generator, reports); its numbers mean nothing. The real run is in the README.
step "benchmark smoke run"
cargo build -p server --features app/ssr,server/bench --bin authlink-bench
cargo test -p server --features app/ssr,server/bench --bin authlink-bench
"$target_dir/debug/authlink-bench" --smoke --site-root "$root/target/site" \
  --out "$target_dir/bench-smoke"
