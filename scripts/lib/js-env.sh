# Sourced by the stages that run JavaScript (80-wasm, 90-e2e): installs, when missing,
# Chromium + ChromeDriver (Debian packages) and the npm packages of tests/js, and links
# the built package into tests/js/node_modules. Never downloads a browser of its own.

require_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 20 ]; then
    echo "node 20 or later is required (found: $(node --version 2>/dev/null || echo none))" >&2
    return 1
  fi
}

ensure_chromium() {
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    return
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
}

# What every JavaScript stage needs first: Node, Chromium, the built package (crates/wasm/pkg
# and web/pkg) and the release CLI. The builds are no-ops when an earlier stage made them.
prepare_js_stage() {
  require_node
  ensure_chromium
  scripts/build-wasm.sh
  cargo build --release --locked -p pdxedge
}

# npm ci in tests/js, skipped when node_modules was installed from this very lock file.
ensure_js_deps() {
  local dir=tests/js stamp=tests/js/node_modules/.installed-from-lock
  if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
  # The package under test, as `import "pdxedge"` finds it (built by build-wasm.sh).
  ln -sfn ../../../crates/wasm/pkg "$dir/node_modules/pdxedge"
}

# Chromium flags that work as root with no network (see the toolchain notes).
CHROMIUM_FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --disable-dev-shm-usage)
