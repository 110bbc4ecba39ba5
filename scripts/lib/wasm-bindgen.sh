# Sourced by scripts/build-wasm.sh and scripts/build-worker.sh: the wasm32 target and the
# wasm-bindgen CLI, whose version must equal the wasm-bindgen crate locked in Cargo.lock.
# Installs only what is missing. Run from the repository root.

WASM_BINDGEN_VERSION=0.2.130

# ensure_wasm_bindgen NAME: NAME prefixes the error message.
ensure_wasm_bindgen() {
  if ! grep -q "^version = \"$WASM_BINDGEN_VERSION\"" <(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock); then
    echo "$1: Cargo.lock's wasm-bindgen is not $WASM_BINDGEN_VERSION; update scripts/lib/wasm-bindgen.sh" >&2
    return 1
  fi
  rustup target list --installed | grep -q '^wasm32-unknown-unknown$' ||
    rustup target add wasm32-unknown-unknown
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    # Not --locked: a dependency locked by that release was yanked. --debug installs in
    # ~4 minutes instead of ~10; the tool's speed does not matter here.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --debug --force
  fi
}
