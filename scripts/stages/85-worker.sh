#!/usr/bin/env bash
# The Cloudflare Worker in its real runtime: build it (scripts/build-worker.sh), start
# `wrangler dev --local` (workerd) on 127.0.0.1 with the limits conformance/README.md asks
# for, run the conformance suite against it, check the web page's static files, run the
# hostile inputs (scripts/hostile, `--worker`: ~45 s, most of it the slowloris clients)
# against the same Worker, then stop wrangler and workerd by process group and make sure
# none is left.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl; }
command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }

bash scripts/build-worker.sh
cargo build --release --locked -p pdxedge-conformance

# Keep wrangler off the network (update check, telemetry, the cf.json fetch).
export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false \
  CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true CI=${CI:-true}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $(( 20000 + RANDOM % 20000 ))
}
log=$(mktemp)
pgid=""

stop() {
  [ -n "$pgid" ] || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for _ in $(seq 50); do
    ps -o pid= -g "$pgid" >/dev/null 2>&1 || break
    sleep 0.1
  done
  if ps -o pid= -g "$pgid" >/dev/null 2>&1; then
    echo "85-worker: processes left after SIGTERM, killing: $(ps -o pid=,comm= -g "$pgid" | tr '\n' ' ')"
    kill -KILL -- "-$pgid" 2>/dev/null || true
    sleep 0.5
  fi
  if ps -o pid= -g "$pgid" >/dev/null 2>&1; then
    echo "85-worker: FAIL: workerd/wrangler still running: $(ps -o pid=,comm= -g "$pgid" | tr '\n' ' ')"
    return 1
  fi
  pgid=""
}
cleanup() {
  local rc=$?
  stop || rc=1
  rm -f "$log"
  exit $rc
}
trap cleanup EXIT

# setsid: wrangler, its esbuild and workerd share one new process group, stopped as one.
start_wrangler() {
  port=$(free_port)
  inspector=$(free_port)
  (
    cd crates/worker
    exec setsid node_modules/.bin/wrangler dev -c wrangler.toml --local --ip 127.0.0.1 \
      --port "$port" --inspector-port "$inspector" --show-interactive-dev-session=false \
      --var PDXEDGE_MAX_BODY_BYTES:1000000 --var PDXEDGE_MAX_INFLATED_BYTES:1000000 \
      --var PDXEDGE_MAX_BUFFERED_BYTES:100000 --var PDXEDGE_MAX_DURATION_SECS:10
  ) >"$log" 2>&1 </dev/null &
  pgid=$!
  url="http://127.0.0.1:$port"
  local up=""
  for _ in $(seq 600); do
    if curl -fs "$url/healthz" >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$pgid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$up" ]; then
    echo "85-worker: wrangler dev did not start:"; cat "$log"; exit 1
  fi
}
start_wrangler

# One known deviation, from workerd itself (cloudflare/workerd issue 6818): a response
# stream that errors after it started is ended with a clean chunked terminator instead of
# being aborted. The case must fail in exactly that way and no other (status 200 and the
# bytes before the error still checked); every other case must pass.
known='FAIL 070-abort-after-streaming-started: stream complete (want aborted)'
# After that aborted stream, wrangler's proxy can be left holding a connection to workerd
# that hangs the next request (it failed this stage once in a few runs, on the case after
# it), so the abort case runs last, alone, and the rest of the stage gets a new wrangler.
abort_case=070-abort-after-streaming-started
report=$(mktemp)
{
  target/release/pdxedge-conformance --dir conformance --base-url "$url" --skip "$abort_case" || true
  target/release/pdxedge-conformance --dir conformance --base-url "$url" --only "$abort_case" || true
} | tee "$report"
fails_seen=$(grep '^FAIL' "$report" || true)
passed=$(sed -n 's/^conformance: \([0-9]*\) passed.*/\1/p' "$report" | awk '{ n += $1 } END { print n + 0 }')
rm -f "$report"
if [ "$fails_seen" != "$known" ] || [ -z "$passed" ] || [ "$passed" -lt 1 ]; then
  echo "85-worker: conformance failed beyond the known workerd deviation"; tail -n 40 "$log"; exit 1
fi
echo "85-worker: conformance ok ($passed passed; 070 differs only as workerd issue 6818 makes it)"
stop
start_wrangler

# The web page comes from [assets], the API 404 from the Worker.
fails=0
# (/index.html itself is redirected to / by the assets service's html_handling.)
static_ok() { # static_ok PATH CONTENT_TYPE_PREFIX
  local got
  got=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$url$1")
  if [[ "$got" == "200 $2"* ]]; then echo "ok   static $1"
  else echo "FAIL static $1: $got"; fails=$((fails + 1)); fi
}
static_ok / text/html
for f in web/css/*.css; do static_ok "/css/$(basename "$f")" text/css; done
got=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$url/no-such-page")
if [[ "$got" == "404 application/problem+json"* ]]; then echo "ok   404 from the Worker"
else echo "FAIL 404 from the Worker: $got"; fails=$((fails + 1)); fi
[ "$fails" = 0 ] || { echo "85-worker: wrangler log:"; tail -n 40 "$log"; exit 1; }

# Hostile inputs against the same Worker. Inputs over its 1 MB body limit must be refused
# with 413; the local runtime's own deviations are accepted with a note (scripts/hostile/
# server.py). Memory: the workerd running the Worker's Wasm, i.e. not wrangler's proxy
# (the one listening on $port).
workerd=0
for p in $(ps -o pid=,comm= -g "$pgid" | awk '$2 == "workerd" { print $1 }'); do
  tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "entry=127.0.0.1:$port " || workerd=$p
done
if ! python3 scripts/hostile/run.py --base-url "$url" --worker --pid "$workerd" \
  --max-body-bytes 1000000 --timeout 60 --slow-limit 25; then
  echo "85-worker: hostile inputs failed"; tail -n 40 "$log"; exit 1
fi
stop
echo "85-worker: wrangler and workerd stopped"
