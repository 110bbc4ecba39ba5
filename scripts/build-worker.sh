#!/usr/bin/env bash
# Build the Cloudflare Worker (crates/worker) into crates/worker/build/dist/, offline:
#   cargo build (wasm32) -> wasm-bindgen -> entry module -> esbuild -> wasm-opt
# the steps worker-build takes, without installing worker-build (15 min) or letting it
# download wasm-bindgen and wasm-opt. Installs what is missing: the wasm32 target,
# wasm-bindgen-cli (must equal the wasm-bindgen in Cargo.lock), and wrangler, esbuild and
# binaryen (wasm-opt) from crates/worker/package-lock.json (`npm ci`).
#
#   scripts/build-worker.sh              the full Worker (json, recompress, info)
#   scripts/build-worker.sh --json-only  text -> JSON only (no zip, brotli, zstd): smaller
#
# Then: cd crates/worker && npx wrangler dev (or deploy); see README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

features=()
out=crates/worker/build
case "${1:-}" in
  "") ;;
  --json-only) features=(--no-default-features); out=crates/worker/build-json-only ;;
  *) echo "usage: $0 [--json-only]" >&2; exit 2 ;;
esac

source scripts/lib/wasm-bindgen.sh
ensure_wasm_bindgen build-worker

# npm tools, from the lock file; skipped when the installed tree already matches it.
tools=crates/worker/node_modules
stamp=$tools/.pdxedge-lock.sha256
lock_sum=$(sha256sum crates/worker/package-lock.json | cut -d' ' -f1)
if ! [ -x "$tools/.bin/wrangler" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  (cd crates/worker && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$stamp"
fi

# WASM_BINDGEN_USE_JS_SYS: what worker-build sets, so wasm-bindgen's JS glue uses js-sys.
WASM_BINDGEN_USE_JS_SYS=1 cargo build -p pdxedge-worker --lib --profile worker --locked \
  --target wasm32-unknown-unknown "${features[@]}"
target_dir=${CARGO_TARGET_DIR:-target}

rm -rf "$out"
mkdir -p "$out/dist"
wasm-bindgen "$target_dir/wasm32-unknown-unknown/worker/pdxedge_worker.wasm" \
  --out-dir "$out" --out-name index --no-typescript --target module \
  --experimental-reset-state-function --force-enable-abort-handler
# workerd imports Wasm modules as modules, not with the source-phase syntax
# wasm-bindgen emits.
sed -i 's/^import source \([A-Za-z_$][A-Za-z0-9_$]*\) from/import \1 from/' "$out/index.js"
grep -q '^import source ' "$out/index.js" && { echo "build-worker: import not patched" >&2; exit 1; }

# The entry module workerd loads: a WorkerEntrypoint handing each request to Rust.
cat >"$out/entry.mjs" <<'EOF'
import { WorkerEntrypoint } from "cloudflare:workers";
import * as rust from "./index.js";

export default class extends WorkerEntrypoint {
  fetch(request) {
    return rust.fetch(request, this.env, this.ctx);
  }
}
EOF
"$tools/.bin/esbuild" "$out/entry.mjs" --bundle --format=esm --minify --log-level=warning \
  --external:./index_bg.wasm '--external:cloudflare:*' --outfile="$out/dist/index.js"
# -Oz: the Worker's size counts (start-up and the 3/10 MB plan limits); its speed comes
# from the engine's loops, which -Oz keeps tight.
"$tools/.bin/wasm-opt" "$out/index_bg.wasm" -Oz --strip-debug --strip-producers \
  --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
  --enable-bulk-memory --enable-multivalue --enable-reference-types \
  --enable-exception-handling -o "$out/dist/index_bg.wasm"

raw=$(wc -c <"$out/dist/index_bg.wasm")
gz=$(gzip -9 -c "$out/dist/index_bg.wasm" | wc -c)
echo "build-worker: ${out#"$root"/}/dist ($raw bytes of Wasm, $gz gzipped)"
