#!/usr/bin/env bash
# Build the npm package `pdxedge` (browser + Node) into crates/wasm/pkg/ and copy it to
# web/pkg/, where the web page loads it. Run this before serving web/ (`pdxedge serve`).
# Installs what it needs when missing: the wasm32 target and wasm-bindgen-cli, whose
# version must equal the wasm-bindgen locked in Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/wasm-bindgen.sh
ensure_wasm_bindgen build-wasm

cargo build -p pdxedge-wasm --target wasm32-unknown-unknown --release --locked
target_dir=${CARGO_TARGET_DIR:-target}
out=crates/wasm/pkg
rm -rf "$out"
wasm-bindgen "$target_dir/wasm32-unknown-unknown/release/pdxedge_wasm.wasm" \
  --target web --out-dir "$out" --out-name pdxedge_wasm
cp crates/wasm/js/index.js crates/wasm/js/node.js crates/wasm/js/index.d.ts "$out/"
cp crates/wasm/README.md "$out/README.md"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
sed "s/\"version\": \"0.0.0\"/\"version\": \"$version\"/" crates/wasm/js/package.json >"$out/package.json"

rm -rf web/pkg
mkdir -p web
cp -r "$out" web/pkg
echo "build-wasm: $out and web/pkg ($(wc -c <"$out/pdxedge_wasm_bg.wasm") bytes of Wasm)"
