#!/usr/bin/env bash
# Fuzzing (cargo-fuzz / libFuzzer on the stable toolchain via RUSTC_BOOTSTRAP=1): the
# skip-rule unit tests of the fuzz crate, then every target for a short fixed time from a
# seed corpus built out of ../shared/corpus. Fails on any crash, mismatch or hang.
# FUZZ_SECONDS overrides the time per target (default 30).
set -euo pipefail
cd "$(dirname "$0")/../.."
export RUSTC_BOOTSTRAP=1
(cd fuzz && cargo fmt --check && cargo test --locked --lib -q)
bash fuzz/run.sh --time "${FUZZ_SECONDS:-30}"
