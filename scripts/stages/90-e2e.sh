#!/usr/bin/env bash
# The web page end to end in headless Chromium (playwright-core, Debian's chromium): serves
# web/ with `pdxedge serve` on 127.0.0.1 (or, in a build without `serve`, a static file
# server, and then the "on the server" half is skipped and says so), runs tests/js/e2e.test.mjs,
# and stops the server by its PID. Screenshots and downloads land in test-output/e2e/.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/js-env.sh
prepare_js_stage
ensure_js_deps

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
if target/release/pdxedge serve --help >/dev/null 2>&1; then
  target/release/pdxedge serve --addr "127.0.0.1:$port" --web web >"$log" 2>&1 &
else
  echo "this build has no 'pdxedge serve': serving web/ as static files"
  python3 -m http.server "$port" --bind 127.0.0.1 --directory web >"$log" 2>&1 &
fi
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$log"' EXIT

for _ in $(seq 100); do
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "http://127.0.0.1:$port/"; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$log"
    echo "the server exited" >&2
    exit 1
  fi
  sleep 0.2
done

cd tests/js
E2E_BASE_URL="http://127.0.0.1:$port/" timeout 900 node --test e2e.test.mjs
