#!/usr/bin/env bash
# Build the npm package `pdxedge` (browser + Node) into crates/wasm/pkg/ and copy it to
# web/pkg/, where the web page loads it. Run this before serving web/ (`pdxedge serve`).
# Installs what it needs when missing: the wasm32 target and wasm-bindgen-cli, whose
# version must equal the wasm-bindgen locked in Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
if ! grep -q "^version = \"$WASM_BINDGEN_VERSION\"" <(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock); then
  echo "build-wasm: Cargo.lock's wasm-bindgen is not $WASM_BINDGEN_VERSION; update this script" >&2
  exit 1
fi
rustup target list --installed | grep -q '^wasm32-unknown-unknown$' ||
  rustup target add wasm32-unknown-unknown
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: a dependency locked by that release was yanked. --debug installs in
  # ~4 minutes instead of ~10; the tool's speed does not matter here.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --debug --force
fi

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
