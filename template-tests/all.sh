#!/usr/bin/env bash
# Runs every test of this repository: formatting, lints, the Rust tests (including the check that
# examples/ matches fresh generator output), then every scenario in template-tests/scenarios
# against PostgreSQL and Redis. Needs cargo, python3, uv, psql, and PostgreSQL + Redis on
# 127.0.0.1 (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo fmt --check"
cargo fmt --check
echo "==> cargo clippy --all-targets -- -D warnings"
cargo clippy --quiet --all-targets -- -D warnings
echo "==> cargo test"
cargo test --quiet 2>&1 | grep -v '^$'
echo "==> cargo build --release"
cargo build --quiet --release
echo "==> template-tests/wheel.sh (the Python wheel, installed with uv tool install)"
bash template-tests/wheel.sh
echo "==> template-tests/run.py"
python3 template-tests/run.py "$@"
