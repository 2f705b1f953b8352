#!/usr/bin/env bash
# Installs what building, running and testing Authlink needs, and only what is missing or at the
# wrong version. Safe to run any number of times.
#
#   scripts/setup.sh run    toolchain for building and serving
#   scripts/setup.sh test   the above, plus end-to-end test dependencies (Node modules, Chromium)
set -euo pipefail

purpose="${1:-test}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CARGO_LEPTOS_VERSION="0.3.10"
BINARYEN_VERSION="132"
SCHEMATHESIS_VERSION="4.32.5"
AIOSMTPD_VERSION="1.4.6"

say() { printf '==> %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! have cargo; then
  echo "Rust is not installed: install it with rustup (https://rustup.rs) and run this again." >&2
  exit 1
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes a while, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly. cargo-leptos uses
# the one on PATH instead of downloading one.
wasm_bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$wasm_bindgen_version" ]; then
  echo "Cargo.lock names no wasm-bindgen version" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wasm_bindgen_version" ]; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version"
  # Not --locked: the CLI's own lock file names a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

# wasm-opt shrinks the release bundle; binaryen from npm ships the binary.
if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION\b"; then
  if ! have npm; then
    echo "npm is needed for wasm-opt (binaryen): install Node.js and run this again." >&2
    exit 1
  fi
  say "installing wasm-opt (binaryen@$BINARYEN_VERSION)"
  npm install --global --no-fund --no-audit "binaryen@$BINARYEN_VERSION"
fi

if [ "$purpose" = "test" ]; then
  if ! have npm; then
    echo "npm is needed for the end-to-end tests: install Node.js and run this again." >&2
    exit 1
  fi
  if [ ! -f end2end/node_modules/.package-lock.json ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing end-to-end test dependencies"
    (cd end2end && npm ci --no-fund --no-audit)
  fi
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Chromium (Debian package)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
  # Schemathesis (PyPI) fuzzes the REST API against its OpenAPI document in the contract test;
  # it lives in its own virtual environment, where that test looks for it.
  schemathesis_env="$HOME/.cache/authlink/schemathesis"
  if [ "$("$schemathesis_env/bin/st" --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
    if ! have python3; then
      echo "python3 is needed for the contract test (Schemathesis): install it and run this again." >&2
      exit 1
    fi
    say "installing Schemathesis $SCHEMATHESIS_VERSION"
    python3 -m venv "$schemathesis_env"
    "$schemathesis_env/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  # aiosmtpd (PyPI) is the real SMTP server the e-mail tests start; its own virtual environment.
  smtp_env="$HOME/.cache/authlink/smtp"
  if ! "$smtp_env/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    say "installing aiosmtpd $AIOSMTPD_VERSION"
    python3 -m venv "$smtp_env"
    "$smtp_env/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
  fi
  # The PostgreSQL tests need a running server; start a stopped local cluster when there is one.
  if have pg_ctlcluster && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
      say "starting PostgreSQL $version"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
  fi
fi
say "setup complete"
