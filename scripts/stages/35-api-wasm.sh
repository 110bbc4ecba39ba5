#!/usr/bin/env bash
# The HTTP router (crates/api) must build for wasm32-unknown-unknown: the Cloudflare
# Worker runs the same router.
set -euo pipefail
rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || rustup target add wasm32-unknown-unknown
cargo build -p pdxedge-api --target wasm32-unknown-unknown --release --locked
