#!/usr/bin/env bash
# README command 1: set up what is missing, build, and serve Authlink on http://127.0.0.1:3000
# with an embedded SQLite database in ./data.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh run
exec cargo leptos serve --release "$@"
