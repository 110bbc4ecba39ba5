#!/usr/bin/env bash
# Build and run pdxedge's fuzz targets for a fixed time each; fail on the first crash.
#
#   fuzz/run.sh [--time SECONDS] [--corpus DIR] [TARGET...]
#
# Defaults: every target in fuzz/Cargo.toml, 30 s each, a fresh temporary corpus per
# target seeded from ../shared/corpus (fuzz/seeds.py; nothing is copied into the repo).
# --corpus keeps each target's corpus in DIR/TARGET across runs (longer campaigns).
#
# Only the stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets stable rustc take the
# nightly-only flags cargo-fuzz passes (-Zsanitizer=address and the coverage passes).
# Prints one summary line per target: executions, seconds, coverage and corpus size.
set -euo pipefail
cd "$(dirname "$0")"

time_per_target=30
corpus_root=
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) time_per_target=$2; shift 2 ;;
    --corpus) corpus_root=$2; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  # --debug: compiles in about half the time; the tool itself needs no speed.
  cargo install cargo-fuzz --locked --debug
fi
cargo fuzz --version

if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi

# One build for every target (release with debug assertions, AddressSanitizer).
cargo fuzz build -O

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 seeds.py text "$work/seeds-text" --piece-size 4096
python3 seeds.py containers "$work/seeds-containers" --piece-size 16384

# Text targets take a document; the container targets a control byte and a file (whose
# seeds are small zips and SAV saves of up to 16 KiB).
seeds_for() {
  case "$1" in
    text_*) echo "$work/seeds-text" ;;
    *) echo "$work/seeds-containers" ;;
  esac
}
max_len_for() {
  case "$1" in
    text_*) echo 4096 ;;
    *) echo 16385 ;;
  esac
}

summary=()
status=0
for target in "${targets[@]}"; do
  if [ -n "$corpus_root" ]; then
    corpus="$corpus_root/$target"
  else
    corpus="$work/corpus-$target"
  fi
  mkdir -p "$corpus"
  # Artifacts of earlier runs would be reported as this run's crashes.
  rm -rf "artifacts/$target"
  log="$work/$target.log"
  echo "::: fuzz $target for ${time_per_target}s"
  # -timeout: one input taking longer is a hang; -rss_limit_mb: memory is bounded.
  if cargo fuzz run -O "$target" "$corpus" "$(seeds_for "$target")" -- \
      -max_total_time="$time_per_target" -max_len="$(max_len_for "$target")" -timeout=20 -rss_limit_mb=2048 \
      -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result=CRASH
    status=1
    # The panic message (a mismatch says what differed), then libFuzzer's summary.
    grep -v '^"' "$log" | grep -A 12 -m 1 'panicked at' | cut -c 1-2000 || true
    grep -v '^"' "$log" | grep -v '^ *#[0-9]* 0x' | tail -n 25
    ls -1 "artifacts/$target" 2>/dev/null | sed "s|^|  artifact: fuzz/artifacts/$target/|"
  fi
  # (|| true: after a crash libFuzzer prints no final stats, and pipefail is on.)
  runs=$( (grep -ho 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s += $2} END {print s + 0}') || true)
  if [ "${runs:-0}" = 0 ]; then
    runs=$( (grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#') || true)
  fi
  secs=$( (grep -ho 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{if ($5 > m) m = $5} END {print m + 0}') || true)
  cov=$( (grep -o 'cov: [0-9]*' "$log" | tail -n 1 | awk '{print $2}') || true)
  ft=$( (grep -o 'ft: [0-9]*' "$log" | tail -n 1 | awk '{print $2}') || true)
  units=$(find "$corpus" -type f | wc -l)
  line="$target: $result, ${runs} execs in ${secs}s, cov ${cov:-?} ft ${ft:-?}, corpus ${units} files"
  summary+=("$line")
  echo "::: $line"
done

echo "::: fuzz summary"
printf '  %s\n' "${summary[@]}"
exit $status
