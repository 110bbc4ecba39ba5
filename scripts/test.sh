#!/usr/bin/env bash
# Run every test stage (scripts/stages/NN-name.sh, in order), installing what each needs.
# Prints each stage's wall time; stops at the first failing stage.
#   scripts/test.sh              all stages
#   scripts/test.sh 10 20        only stages whose number is given
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
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
