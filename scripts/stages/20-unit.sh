#!/usr/bin/env bash
# Unit, differential (jomini oracle) and corpus tests. With CI set, corpus tests must
# find ../shared/corpus; without it they skip.
set -euo pipefail
cargo test --workspace --locked --release
# The engine's own tests once more with debug assertions on: they check invariants the
# release build trusts (positions stay in their buffers, spans stay in range). Only the tests that need no corpus, so this stays about a minute.
cargo test --locked -p pdxedge-core --lib --test chunking --test syntax --test regressions --test limits
