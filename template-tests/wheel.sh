#!/usr/bin/env bash
# Builds arcana's wheel with maturin, installs it into a fresh uv tool environment, and checks
# the installed `arcana`: `--version`, and an `arcana new` identical to the cargo build's (but
# for the random secret in `.env`).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
uvx --quiet maturin build --release --quiet --out "$work/wheels" >/dev/null 2>&1
wheel=$(ls "$work"/wheels/arcana_gen-*.whl)
UV_TOOL_DIR="$work/tools" UV_TOOL_BIN_DIR="$work/bin" uv tool install --quiet "$wheel"
installed="$work/bin/arcana"
"$installed" --version
mkdir "$work/from-wheel" "$work/from-cargo"
(cd "$work/from-wheel" && "$installed" new svc --no-input >/dev/null)
(cd "$work/from-cargo" && "$repo/target/release/arcana" new svc --no-input >/dev/null)
diff -r -x .env "$work/from-wheel/svc" "$work/from-cargo/svc"
echo "$(basename "$wheel"): installed with uv tool install; arcana --version and arcana new work"
