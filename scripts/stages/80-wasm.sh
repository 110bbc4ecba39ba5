#!/usr/bin/env bash
# The browser/Node package: build it (scripts/build-wasm.sh installs wasm-bindgen-cli when
# missing), run its wasm-bindgen tests in Node, in headless Chromium and in a Chromium
# worker, then the Node tests: the package against the CLI (bundled example, generated
# files, the corpus) and the package's import, streaming and TypeScript types.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/js-env.sh
prepare_js_stage

webdriver_json=$(mktemp --suffix=.json)
trap 'rm -f "$webdriver_json"' EXIT
flags=$(printf '"%s",' "${CHROMIUM_FLAGS[@]}")
cat >"$webdriver_json" <<JSON
{ "goog:chromeOptions": { "binary": "$(command -v chromium)", "args": [${flags%,}] } }
JSON
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver)}
export WASM_BINDGEN_TEST_WEBDRIVER_JSON=$webdriver_json
export WASM_BINDGEN_TEST_TIMEOUT=120
wasm_test() {
  echo "--- wasm-bindgen-test in $1"
  env "${@:2}" timeout 600 cargo test -p pdxedge-wasm --target wasm32-unknown-unknown \
    --release --locked --test web
}
wasm_test Node
wasm_test "headless Chromium" WASM_BINDGEN_USE_BROWSER=1
wasm_test "a Chromium dedicated worker" WASM_BINDGEN_USE_DEDICATED_WORKER=1

echo "--- node:test (package, CLI parity)"
ensure_js_deps
cd tests/js
timeout 900 node --test package.test.mjs parity.test.mjs
