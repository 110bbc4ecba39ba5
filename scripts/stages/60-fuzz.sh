#!/usr/bin/env bash
# Fuzzing (cargo-fuzz / libFuzzer on the stable toolchain via RUSTC_BOOTSTRAP=1): the
# unit tests of the fuzz crate, then every target for a short fixed time from a seed
# corpus built out of ../shared/corpus. Fails on any crash, mismatch or hang.
# FUZZ_SECONDS overrides the time per target (default 20; 5 targets, so about 2 min of
# fuzzing after the build).
set -euo pipefail
cd "$(dirname "$0")/../.."
export RUSTC_BOOTSTRAP=1
secs=${FUZZ_SECONDS:-20}
(cd fuzz && cargo fmt --check && cargo test --locked --lib -q)
# A crash, a panic, output that depends on chunking, a recompressed archive that does not
# decode to its input: each is a bug and fails the stage.
bash fuzz/run.sh --time "$secs" text_transcode container_json recompress info
# A differential mismatch may be a new jomini divergence to list rather than a bug: it is
# printed for triage (and reproduced with fuzz/examples/compare.rs) without failing CI.
bash fuzz/run.sh --time "$secs" text_differential ||
  echo "::: text_differential found a mismatch with jomini (see above): triage it"
