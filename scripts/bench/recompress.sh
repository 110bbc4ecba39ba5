#!/usr/bin/env bash
# Recompression benchmark on the real zips of ../shared/corpus: pdxedge's settings next to
# the seed's (brotli q9/w20 via CompressorWriter::new) and the C brotli and zstd command
# line tools on the same tar, in one run, with ratios to the seed. Best of N runs (the
# machines are shared). Then the Wasm memory of recompression (wasm32-wasip1 under Node).
#   scripts/bench/recompress.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
repeat=${1:-3}
corpus=../shared/corpus
need=()
command -v brotli >/dev/null || need+=(brotli)
command -v zstd >/dev/null || need+=(zstd)
command -v bc >/dev/null || need+=(bc)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
cargo build --release --locked -p pdxedge -p pdxedge-core --features pdxedge-core/zstd --example recompress_bench -q
bench=target/release/examples/recompress_bench
pdx=target/release/pdxedge
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

source scripts/bench/lib.sh

settings=(seed tar.br:6:24 tar.br:6:22 tar.br:5:24 tar.br:9:20 tar.zst:12:24 zip-zstd:12:24 tar.zst:9:24)
saves=(
  saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4
  saves/eu4/ParadoxGameConverters__paradoxGameConverters/EU4toV2/EU4_Saves/Sirk_Russia.zip
  saves/eu4/ParadoxGameConverters__paradoxGameConverters/EU4toV2/EU4_Saves/Version_1_13_end.zip
  saves/eu4/ParadoxGameConverters__paradoxGameConverters/EU4toV2/EU4_Saves/Version_1_6_end.zip
  saves/eu4/ParadoxGameConverters__paradoxGameConverters/EU4toV2/EU4_Saves/Version_1_9_end.zip
)
echo "# native, best of $repeat; size and time relative to the seed (q9/w20, no size hint)"
for save in "${saves[@]}"; do
  file="$corpus/$save"
  [ -f "$file" ] || { echo "missing $file"; exit 1; }
  "$pdx" recompress "$file" --format tar -o "$tmp/save.tar"
  {
    "$bench" "$file" "${settings[@]}" --repeat="$repeat" | tail -n +3 | awk '{print "pdxedge", $1, $2, $3}'
    for c in "brotli -q 9 -w 20" "brotli -q 6 -w 24" "brotli -q 5 -w 24"; do
      t=$(best_of $c -c "$tmp/save.tar")
      echo "C $(echo "$c" | tr ' ' '_') $($c -c "$tmp/save.tar" | wc -c) $t"
    done
    for c in "zstd -12 --long=24" "zstd -9 --long=24"; do
      t=$(best_of $c -c -q "$tmp/save.tar")
      echo "C $(echo "$c" | tr ' ' '_') $($c -c -q "$tmp/save.tar" | wc -c) $t"
    done
  } > "$tmp/rows"
  echo
  echo "## $(basename "$save"): $(stat -c %s "$file") bytes zip, $(stat -c %s "$tmp/save.tar") bytes tar"
  awk 'NR==1 {s0=$3; t0=$4}
       {printf "%-8s %-22s %11d B %8.3f s   size %.3f   time %.3f\n", $1, $2, $3, $4, $3/s0, $4/t0}' "$tmp/rows"
done

echo
echo "# Wasm (wasm32-wasip1 under Node's WASI): linear memory after one recompression of Korea"
rustup target list --installed | grep -q '^wasm32-wasip1$' || rustup target add wasm32-wasip1
cargo build --release --locked -p pdxedge-core --target wasm32-wasip1 --example recompress_bench -q
wasm=target/wasm32-wasip1/release/examples/recompress_bench.wasm
korea=$(cd "$corpus/saves/eu4/atvrager__eu4rs" && pwd)
for s in tar.br:6:24 tar.br:9:24 tar.br:6:22 tar.br:9:20; do
  for flush in "" --no-flush; do
    node --no-warnings scripts/bench/wasi-run.mjs "$wasm" "$korea" /data/Korea1444_11_11.eu4 "$s" $flush |
      awk -v s="$s" -v f="${flush:-flush-1MiB}" '/^tar/ {bytes=$2; secs=$3} /linear memory/ {mem=$4}
        END {printf "%-12s %-12s %9d B %7.3f s   memory %6.1f MiB\n", s, f, bytes, secs, mem/1048576}'
  done
done
