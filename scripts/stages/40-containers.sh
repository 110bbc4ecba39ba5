#!/usr/bin/env bash
# Containers and recompression. Stage 20 already runs the container tests with the zstd
# encoder (the CLI enables it). This stage checks the two other builds of the engine:
# - with the C zstd encoder for wasm32-unknown-unknown (zstd-sys needs clang there);
# - without it (the default: pure Rust), where zstd output is refused and tar.br works.
set -euo pipefail
if ! command -v clang >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null
fi
rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || rustup target add wasm32-unknown-unknown
cargo build -p pdxedge-core --features zstd --target wasm32-unknown-unknown --release --locked
cargo test -p pdxedge-core --release --locked --test containers --test hostile
