#!/usr/bin/env python3
"""Where a Worker's first-job memory goes: bare workerd (no wrangler) with V8 flags.

Not run in CI. Serves the built Worker (crates/worker/build/dist) or a minimal JavaScript
control Worker (the same reader loop `worker.py --control` uses) from `workerd serve` on
127.0.0.1, with the V8 flags of each configuration below, and streams an 80 MB+ text save
(built from corpus saves, as worker.py does) to /v1/json several times in one isolate.
For each job it prints workerd's RSS before it and its peak during it (VmHWM, reset
through clear_refs), and the CPU it used.

Configurations: the defaults; `--liftoff-only` (V8 never compiles Wasm with its optimising
tier, so no optimising-compiler memory); `--max-semi-space-size=1` (V8's young generation
capped at 1 MB per semi-space instead of growing under allocation pressure). Production
Cloudflare sets its own V8 configuration; these flags only tell the parts apart.

Usage: scripts/build-worker.sh first, then
  python3 scripts/bench/workerd_v8.py [--parts 3] [--repeat 3]
"""

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

import worker as bench

PORT = 8799
WORKERD = os.path.join(bench.WORKER, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd")

CONFIG = """using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .w)],
  sockets = [(name = "http", address = "127.0.0.1:%(port)d", http = (), service = "main")],
  v8Flags = [%(flags)s],
);
const w :Workerd.Worker = (
  modules = [%(modules)s],
  compatibilityDate = "2026-04-26",
  bindings = [(name = "PDXEDGE_MAX_DURATION_SECS", text = "600")],
);
"""

RUST_MODULES = ('(name = "index.js", esModule = embed "index.js"), '
                '(name = "index_bg.wasm", wasm = embed "index_bg.wasm")')
CONTROL_MODULES = '(name = "control.js", esModule = embed "control.js")'


def run(tmp, big, label, modules, flags, repeat):
    with open(os.path.join(tmp, "config.capnp"), "w") as f:
        f.write(CONFIG % {"port": PORT, "modules": modules,
                          "flags": ", ".join('"%s"' % x for x in flags)})
    log = open(os.path.join(tmp, "workerd.log"), "w")
    proc = subprocess.Popen([WORKERD, "serve", "config.capnp"], cwd=tmp, stdout=log,
                            stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{PORT}/v1/json"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(urllib.request.Request(url, data=b"a=1"), timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"workerd did not answer; see {log.name}")
        time.sleep(1)
        for job in range(1, repeat + 1):
            idle = bench.proc_status(proc.pid, "VmRSS")
            with open(f"/proc/{proc.pid}/clear_refs", "w") as f:
                f.write("5")
            cpu = bench.proc_cpu(proc.pid)
            status = subprocess.run(
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                 "-H", "Expect:", "-T", big, url], capture_output=True, text=True).stdout
            peak = bench.proc_status(proc.pid, "VmHWM")
            print(f"| {label} | {' '.join(flags) or '(defaults)'} | {job} | HTTP {status} | "
                  f"{idle / bench.MB:.1f} | {peak / bench.MB:.1f} | +{(peak - idle) / bench.MB:.1f} | "
                  f"{bench.proc_cpu(proc.pid) - cpu:.2f} |", flush=True)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parts", type=int, default=3, help="corpus saves in the text input (1-3)")
    ap.add_argument("--repeat", type=int, default=3, help="jobs per isolate")
    args = ap.parse_args()
    dist = os.path.join(bench.WORKER, "build", "dist")
    if not os.path.exists(os.path.join(dist, "index_bg.wasm")):
        raise SystemExit("build the Worker first: scripts/build-worker.sh")
    tmp = tempfile.mkdtemp(prefix="pdxedge-workerd-")
    try:
        for name in ("index.js", "index_bg.wasm"):
            shutil.copy(os.path.join(dist, name), tmp)
        with open(os.path.join(tmp, "control.js"), "w") as f:
            f.write(bench.CONTROL_JS)
        big = os.path.join(tmp, "big.txt")
        size = bench.build_big(big, args.parts)
        print(f"input: {size / bench.MB:.1f} MB text save; RSS in MB\n")
        print("| Worker | V8 flags | job | status | RSS before | peak | growth | CPU s |")
        print("|---|---|---:|---|---:|---:|---:|---:|")
        for flags in ([], ["--liftoff-only"], ["--max-semi-space-size=1"]):
            run(tmp, big, "Rust", RUST_MODULES, flags, args.repeat)
        for flags in ([], ["--max-semi-space-size=1"]):
            run(tmp, big, "JS control", CONTROL_MODULES, flags, args.repeat)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
