#!/usr/bin/env bash
# The engine must build for wasm32-unknown-unknown (Cloudflare Workers, browsers).
set -euo pipefail
cargo build -p pdxedge-core --target wasm32-unknown-unknown --release --locked
