#!/usr/bin/env bash
# Formatting, clippy and the API docs (warnings are errors: a broken doc link fails).
set -euo pipefail
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
