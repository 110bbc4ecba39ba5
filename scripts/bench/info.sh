#!/usr/bin/env bash
# How fast `pdxedge info` is on big saves: the corpus's zips, and a 57 MB plain-text EU4
# save and its zip, made here from two corpus saves (the end of the text, with the
# checksum, is the second save's). Best of N runs.
#   scripts/bench/info.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
repeat=${1:-5}
corpus=../shared/corpus
for tool in zip unzip bc; do
  command -v $tool >/dev/null || { apt-get update -qq; apt-get install -y -qq $tool >/dev/null; }
done
cargo build --release --locked -p pdxedge -q
pdx=target/release/pdxedge
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
eu4=$corpus/saves/eu4/ParadoxGameConverters__paradoxGameConverters
unzip -p "$eu4/EU4toV2/EU4_Saves/Version_1_9_end.zip" Version_1_9_end.eu4 > "$tmp/big.eu4"
tail -c +7 "$eu4/extracted/Version_1_15.eu4" >> "$tmp/big.eu4"
(cd "$tmp" && cp big.eu4 gamestate && zip -q -1 big.zip gamestate && rm gamestate)

source scripts/bench/lib.sh

printf '%-34s %12s %12s %9s\n' file "file bytes" "text bytes" seconds
for f in "$corpus/saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4" \
         "$eu4/EU4toV2/EU4_Saves/Sirk_Russia.zip" \
         "$eu4/EU4toV2/EU4_Saves/Version_1_9_end.zip" \
         "$corpus/saves/stellaris/esandstedt__stellaris-model/savefiles/ironman.sav" \
         "$tmp/big.eu4" "$tmp/big.zip"; do
  text=$("$pdx" info --json "$f" | sed -E 's/.*"entries":\[(.*)\].*/\1/' | grep -oE '"size":[0-9]+' | cut -d: -f2 | paste -sd+ | bc)
  printf '%-34s %12d %12d %9s\n' "$(basename "$f")" "$(stat -c %s "$f")" "$text" "$(best_of "$pdx" info "$f")"
done
