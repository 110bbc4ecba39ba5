#!/usr/bin/env bash
# Start `pdxedge serve` on 127.0.0.1 (a free port, the limits the conformance cases
# expect), run the conformance suite against it, then check every status with curl,
# including 503 (load shedding) on a second server with one slot. Servers are stopped
# by PID, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl; }
cargo build --release --locked -p pdxedge -p pdxedge-conformance
bin=target/release

pids=()
tmp=$(mktemp -d)
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $(( 20000 + RANDOM % 20000 ))
}

# start_server NAME ARGS...: sets $url
start_server() {
  local name=$1; shift
  local port; port=$(free_port)
  "$bin/pdxedge" serve --addr "127.0.0.1:$port" "$@" >"$tmp/$name.log" 2>&1 &
  pids+=($!)
  url="http://127.0.0.1:$port"
  for _ in $(seq 100); do
    curl -fs "$url/healthz" >/dev/null 2>&1 && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "server $name did not start:"; cat "$tmp/$name.log"; return 1
}

# The limits conformance/README.md asks of a target.
start_server main --web web --max-body-bytes 1000000 --max-inflated-bytes 1000000 --max-buffered-bytes 100000
main=$url
"$bin/pdxedge-conformance" --base-url "$main"

# The same statuses with curl (a second, independent client).
fails=0
check() { # check WANT_STATUS DESCRIPTION CURL_ARGS...
  local want=$1 what=$2; shift 2
  local got
  got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'Expect:' "$@")
  if [ "$got" = "$want" ]; then echo "ok   curl $what: $got"; else
    echo "FAIL curl $what: $got (want $want): $(head -c 300 "$tmp/body")"; fails=$((fails+1)); fi
}
printf 'a=1 b={ 2 3 }' >"$tmp/ok.txt"
printf 'a=1\nb = { c = }\n' >"$tmp/bad.txt"
printf 'EU4binM(\001\000\014\000' >"$tmp/bin.eu4"
head -c 1200000 /dev/zero | tr '\0' 'a' >"$tmp/big.txt"
check 200 "json" --data-binary @"$tmp/ok.txt" "$main/v1/json"
grep -q '"b":\[2,3\]' "$tmp/body" || { echo "FAIL curl json body: $(cat "$tmp/body")"; fails=$((fails+1)); }
gzip -c "$tmp/ok.txt" >"$tmp/ok.txt.gz"
check 200 "json gzip body" -H 'Content-Encoding: gzip' --data-binary @"$tmp/ok.txt.gz" "$main/v1/json"
check 200 "json gzip response" --compressed --data-binary @"$tmp/ok.txt" "$main/v1/json"
check 400 "syntax" --data-binary @"$tmp/bad.txt" "$main/v1/json"
grep -q '"line":2' "$tmp/body" || { echo "FAIL curl 400 body: $(cat "$tmp/body")"; fails=$((fails+1)); }
check 413 "body too large" --data-binary @"$tmp/big.txt" "$main/v1/json"
check 415 "deflate" -H 'Content-Encoding: deflate' --data-binary @"$tmp/ok.txt" "$main/v1/json"
check 422 "binary save" --data-binary @"$tmp/bin.eu4" "$main/v1/json"
check 200 "static /" "$main/"

# 503: one slot, held by an upload that has not finished. The holder is a raw HTTP/1.1
# request over bash's /dev/tcp: headers and the first chunk are sent, the connection stays
# open, so the slot is taken for as long as we want whatever curl's stdin buffering does.
start_server shed --web web --max-conversions 1
shed=$url
exec 9<>"/dev/tcp/127.0.0.1/${shed##*:}"
printf 'POST /v1/json HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\na=1 \r\n' >&9
got=""
for _ in $(seq 100); do
  got=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -H 'Expect:' --data-binary @"$tmp/ok.txt" "$shed/v1/json")
  [ "$got" = 503 ] && break
  sleep 0.05
done
if [ "$got" = 503 ] && grep -qi '^retry-after: 2' "$tmp/headers"; then echo "ok   curl shed load: 503 with Retry-After"
else echo "FAIL curl shed load: $got"; cat "$tmp/headers" 2>/dev/null; fails=$((fails+1)); fi
# Finish the held upload; its answer must be the 200 of a normal conversion.
printf '0\r\n\r\n' >&9
held=$(timeout 10 head -n 1 <&9 | tr -d '\r' || true)
exec 9<&-
if [[ "$held" == *" 200 "* || "$held" == *" 200" ]]; then echo "ok   curl held upload finished: $held"
else echo "FAIL curl held upload finished: '$held'"; fails=$((fails+1)); fi
check 200 "slot given back" --data-binary @"$tmp/ok.txt" "$shed/v1/json"

echo "curl: $((11 - fails)) passed, $fails failed"
[ "$fails" = 0 ]
