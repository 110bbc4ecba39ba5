#!/usr/bin/env bash
# Unit, differential (jomini oracle) and corpus tests. With CI set, corpus tests must
# find ../shared/corpus; without it they skip.
set -euo pipefail
cargo test --workspace --locked --release
