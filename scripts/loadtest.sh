#!/usr/bin/env bash
# Load test of `pdxedge serve` on 127.0.0.1 only; bounded in count and time.
#   scripts/loadtest.sh [--max-conversions N]     (extra args go to `pdxedge serve`)
# 1. 32 concurrent uploads of a real ~34 MB EU4 gamestate (extracted at run time from
#    ../shared/corpus/saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4), converted to JSON;
#    a client answered 503 waits Retry-After and tries again (at most 30 tries).
# 2. A burst of 800 requests of small game files (corpus scripts under 200 KB), 32 at a time.
# Prints throughput, p50/p99 latency, status counts and the server's peak RSS (VmHWM).
# Not a CI stage: it moves ~2 GB through the server.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=../shared/corpus
save=$corpus/saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4
[ -f "$save" ] || { echo "corpus not found at $corpus"; exit 1; }
cargo build --release --locked -p pdxedge >/dev/null
tmp=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

python3 - "$save" "$tmp/gamestate" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("gamestate"))
PY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
target/release/pdxedge serve --addr "127.0.0.1:$port" --web web "$@" >"$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# upload N: prints "status seconds tries" for one upload, retrying on 503.
upload() {
  local tries=0 out
  while :; do
    tries=$((tries + 1))
    out=$(curl -s -o /dev/null --max-time 300 -H 'Expect:' -X POST -T "$tmp/gamestate" \
      -w '%{http_code} %{time_total} %{size_download}' "$url/v1/json" || echo "000 0 0")
    set -- $out
    if [ "$1" = 503 ] && [ "$tries" -lt 30 ]; then sleep 2; continue; fi
    echo "$1 $2 $tries $3"
    return
  done
}
export -f upload
export url tmp

size=$(stat -c %s "$tmp/gamestate")
echo "== 32 concurrent uploads of $size bytes (server: $*)"
start=$(date +%s.%N)
seq 32 | timeout 900 xargs -P 32 -I{} bash -c upload >"$tmp/big.txt"
end=$(date +%s.%N)
hwm_big=$(awk '/VmHWM/ {print $2}' /proc/$server/status)

small_list=$(find "$corpus/scripts" -type f -name '*.txt' -size -200k | sort)
n_small=$(echo "$small_list" | wc -l)
echo "== burst: 800 requests of small game files ($n_small corpus files, each sent repeatedly), 32 at a time"
for i in $(seq 100); do echo "$small_list"; done >"$tmp/small-all"
head -800 "$tmp/small-all" >"$tmp/small-list"
sstart=$(date +%s.%N)
# A failed curl prints status 000 and is counted; it must not stop the script.
timeout 300 xargs -P 32 -I{} curl -s -o /dev/null --max-time 60 -H 'Expect:' --data-binary @{} \
  -w '%{http_code} %{time_total}\n' "$url/v1/json" <"$tmp/small-list" >"$tmp/small.txt" || true
send=$(date +%s.%N)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$server/status)

python3 - "$tmp/big.txt" "$tmp/small.txt" "$start" "$end" "$sstart" "$send" "$size" "$hwm_big" "$hwm" <<'PY'
import sys
big = [l.split() for l in open(sys.argv[1])]
small = [l.split() for l in open(sys.argv[2])]
t0, t1, s0, s1, size = map(float, sys.argv[3:8])
hwm_big, hwm = int(sys.argv[8]), int(sys.argv[9])
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")
ok = [b for b in big if b[0] == "200"]
tries = sum(int(b[2]) for b in big)
lat = [float(b[1]) for b in ok]
print(f"big:   {len(ok)}/{len(big)} uploads 200, {tries - len(big)} retries after 503, other statuses: {[b[0] for b in big if b[0] != '200']}")
print(f"       wall {t1 - t0:.1f} s, {len(ok) * size / (t1 - t0) / 1e6:.1f} MB/s of text in, "
      f"{sum(int(b[3]) for b in ok) / (t1 - t0) / 1e6:.1f} MB/s of JSON out")
print(f"       latency of a successful attempt: p50 {pct(lat, 50):.2f} s, p99 {pct(lat, 99):.2f} s")
codes = {}
for s in small:
    codes[s[0]] = codes.get(s[0], 0) + 1
slat = [float(s[1]) * 1000 for s in small if s[0] == "200"]
print(f"small: {len(small)} requests in {s1 - s0:.1f} s ({len(small) / (s1 - s0):.0f} req/s), statuses {codes}, "
      f"latency p50 {pct(slat, 50):.1f} ms, p99 {pct(slat, 99):.1f} ms")
print(f"server peak RSS (VmHWM): {hwm_big / 1024:.1f} MiB after the big uploads, {hwm / 1024:.1f} MiB at the end")
PY
