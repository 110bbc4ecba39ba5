#!/usr/bin/env bash
# Run every test stage (scripts/stages/NN-name.sh, in order), installing what each needs.
# Prints each stage's wall time; stops at the first failing stage.
#   scripts/test.sh              all stages
#   scripts/test.sh 10 20        only stages whose number is given
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# CI builds every test binary and tool in release mode (the corpus tests need the speed),
# but the release profile's thin LTO with one codegen unit (for users' binaries and the
# benchmarks) makes each of the ~30 test binaries a long link. The stages share one build
# made with these overrides; set them yourself to test exactly the shipped profile.
export CARGO_PROFILE_RELEASE_LTO=${CARGO_PROFILE_RELEASE_LTO:-off}
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-16}
only=("$@")
total_start=$(date +%s)
summary=()
for stage in scripts/stages/*.sh; do
  name=$(basename "$stage" .sh)
  num=${name%%-*}
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " =~ " ${num} " ]]; then
    continue
  fi
  echo "::: stage ${name}"
  start=$(date +%s)
  if ! bash "$stage"; then
    echo "::: stage ${name} FAILED after $(( $(date +%s) - start ))s"
    exit 1
  fi
  took=$(( $(date +%s) - start ))
  summary+=("${name}: ${took}s")
  echo "::: stage ${name} ok in ${took}s"
done
echo "::: all stages ok in $(( $(date +%s) - total_start ))s"
printf '  %s\n' "${summary[@]}"
