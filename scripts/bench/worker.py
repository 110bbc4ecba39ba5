#!/usr/bin/env python3
"""Measure the Cloudflare Worker in workerd (`wrangler dev --local`, 127.0.0.1 only).

Not run in CI. Prints the figures docs/benchmarks.md records:
  - workerd's RSS: idle, and peak (VmHWM, reset before each job through clear_refs)
    while converting an 80 MB+ text save to JSON and recompressing the Korea zip
    (tar.br, window 24); the output bytes are compared with the native CLI's;
  - the split of that memory: the Worker's Wasm linear memory (its x-pdxedge-wasm-memory
    header, PDXEDGE_REPORT_WASM_MEMORY=1) and the isolate's V8 heap and ArrayBuffers
    (worker_heap.mjs, through wrangler's inspector port); --repeat N runs the JSON job N
    times in one isolate (the first job of an isolate costs more), --control streams the
    same upload through a minimal JavaScript Worker (workerd's own share);
  - CPU seconds per input MB, workerd vs the native `pdxedge` CLI (a ratio);
  - gzipped Wasm size of the full and JSON-only builds (if built);
  - static files and a trivial route: requests/s and latency from the Rust Worker and a
    minimal JavaScript Worker, both under wrangler dev, with autocannon (time-bounded).

The big input is built at run time from corpus saves (../shared/corpus), in a temp dir.
Usage: scripts/build-worker.sh [--json-only] first, then
  python3 scripts/bench/worker.py [--seconds 10] [--connections 16]
  python3 scripts/bench/worker.py --parts 3 --json-only --control --repeat 3
"""

import argparse
import gzip
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")
WORKER = os.path.join(ROOT, "crates", "worker")
WRANGLER = os.path.join(WORKER, "node_modules", ".bin", "wrangler")
HEAP = os.path.join(ROOT, "scripts", "bench", "worker_heap.mjs")
AUTOCANNON = os.path.join(ROOT, "benches", "worker", "node_modules", ".bin", "autocannon")
ENV = dict(
    os.environ,
    WRANGLER_SEND_METRICS="false",
    WRANGLER_SEND_ERROR_REPORTS="false",
    CLOUDFLARE_CF_FETCH_ENABLED="false",
    WRANGLER_HIDE_BANNER="true",
)
MB = 1e6

# Text saves concatenated into one 80 MB+ input: (file, entry inside the zip or None).
BIG_PARTS = [
    ("saves/eu4/ParadoxGameConverters__paradoxGameConverters/extracted/Version_1_15.eu4", None),
    ("saves/eu4/ParadoxGameConverters__paradoxGameConverters/EU4toV2/EU4_Saves/Version_1_9_end.zip",
     "Version_1_9_end.eu4"),
    ("saves/eu4/ParadoxGameConverters__paradoxGameConverters/EU4toV2/EU4_Saves/Sirk_Russia.zip",
     "Sirk_Russia.eu4"),
]
KOREA = "saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4"


# The memory control: the same upload streamed back by plain JavaScript.
CONTROL_JS = """export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (!request.body) return new Response("ok");
    const reader = request.body.getReader();
    const out = new ReadableStream({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value));
      },
    }, { highWaterMark: 0 });
    return new Response(out);
  },
};
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_big(path, parts):
    """One text save: the first file whole, the others without their `EU4txt` line."""
    with open(path, "wb") as out:
        for i, (name, entry) in enumerate(BIG_PARTS[:parts]):
            full = os.path.join(CORPUS, name)
            if entry:
                with zipfile.ZipFile(full) as z:
                    data = z.read(entry)
            else:
                with open(full, "rb") as f:
                    data = f.read()
            if i > 0 and data.startswith(b"EU4txt"):
                data = data[data.index(b"\n") + 1:]
            out.write(data)
            if not data.endswith(b"\n"):
                out.write(b"\n")
    return os.path.getsize(path)


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_workerd(pgid):
    out = subprocess.run(["ps", "-o", "pid=,comm=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [int(l.split()[0]) for l in out.splitlines() if l.split()[1:] == ["workerd"]]


class Wrangler:
    """`wrangler dev --local` in its own process group, stopped as one."""

    def __init__(self, cwd, config, variables=()):
        self.port = free_port()
        self.inspector = free_port()
        self.log = tempfile.TemporaryFile()
        args = [WRANGLER, "dev", "-c", config, "--local", "--ip", "127.0.0.1",
                "--port", str(self.port), "--inspector-port", str(self.inspector),
                "--show-interactive-dev-session=false"]
        for k, v in variables:
            args += ["--var", f"{k}:{v}"]
        self.proc = subprocess.Popen(args, cwd=cwd, env=ENV, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        self.log.seek(0)
        raise SystemExit("wrangler dev did not start:\n" + self.log.read().decode(errors="replace"))

    def stop(self):
        pgid = self.proc.pid
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            return
        for _ in range(50):
            if not group_workerd(pgid) and self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if group_workerd(pgid):
            os.killpg(pgid, signal.SIGKILL)
        self.proc.wait()


def post(url, path, out):
    """Stream a file up with curl (-T, not loaded whole) and the response to `out`."""
    r = subprocess.run(["curl", "-s", "-S", "-X", "POST", "-T", path, "-H", "Expect:",
                        "-H", "Content-Type: application/octet-stream", "-o", out,
                        "-w", "%{http_code}", url], capture_output=True, text=True)
    return r.stdout.strip()


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def native(cmd):
    """Run a native command; its CPU seconds (user + system) and peak RSS."""
    before = os.times()
    t = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return cpu, time.time() - t


def js_heap(w):
    """The isolate's V8 heap (used, total) and ArrayBuffer backing stores, in bytes, from
    the inspector (worker_heap.mjs); None where the inspector does not answer."""
    r = subprocess.run(["node", HEAP, str(w.inspector), "usage"], capture_output=True, text=True, timeout=60)
    return json.loads(r.stdout) if r.returncode == 0 else None


def wasm_memory(w):
    """The Worker's Wasm linear memory (the x-pdxedge-wasm-memory header of a /healthz):
    it never shrinks, so after a job it is the job's peak."""
    with urllib.request.urlopen(w.url + "/healthz", timeout=10) as r:
        value = r.headers.get("x-pdxedge-wasm-memory")
    return int(value) if value else None


def mb(v):
    return "-" if v is None else f"{v / MB:.1f} MB"


def measure_job(w, pids, route, path, out):
    """Idle RSS, then reset VmHWM, run the job, read peak RSS and CPU per workerd; the
    JavaScript heap is sampled through the inspector while the job runs."""
    idle = {p: proc_status(p, "VmRSS") for p in pids}
    heap_before = js_heap(w)
    wasm_before = wasm_memory(w)
    for p in pids:
        with open(f"/proc/{p}/clear_refs", "w") as f:
            f.write("5")
    cpu0 = {p: proc_cpu(p) for p in pids}
    watch = subprocess.Popen(["node", HEAP, str(w.inspector), "watch", "50"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    t = time.time()
    status = post(w.url + route, path, out)
    wall = time.time() - t
    heap_peak = json.loads(watch.communicate("", timeout=60)[0] or "null")
    heap_after = js_heap(w)
    wasm_after = wasm_memory(w)
    notes = [f"  Wasm linear memory: {mb(wasm_before)} before, {mb(wasm_after)} after (its peak)"]
    if heap_before and heap_peak:
        notes.append(f"  JS heap (V8): used {mb(heap_before['used'])} before, peak used {mb(heap_peak['used'])}, "
              f"peak total {mb(heap_peak['total'])}; ArrayBuffer backing stores peak {mb(heap_peak['backing'])} "
              f"({heap_peak['samples']} samples); after the job: used {mb(heap_after['used'])}, "
              f"backing stores {mb(heap_after['backing'])}")
    res = []
    for p in pids:
        res.append(dict(pid=p, idle=idle[p], peak=proc_status(p, "VmHWM"), cpu=proc_cpu(p) - cpu0[p]))
    # The process running the Worker's Wasm is the one that did the work.
    res.sort(key=lambda r: -r["cpu"])
    return status, wall, res, notes


def autocannon(url, seconds, connections):
    r = subprocess.run([AUTOCANNON, "--json", "-d", str(seconds), "-c", str(connections), url],
                       capture_output=True, text=True, timeout=seconds + 60)
    j = json.loads(r.stdout)
    return dict(rps=j["requests"]["average"], p50=j["latency"]["p50"], p99=j["latency"]["p99"],
                errors=j["errors"] + j["non2xx"], total=j["requests"]["total"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--skip-load", action="store_true")
    ap.add_argument("--parts", type=int, default=3, help="corpus saves in the text input (1-3)")
    ap.add_argument("--json-only", action="store_true", help="only the text -> JSON job (no load test)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the text -> JSON job this many times in the same isolate")
    ap.add_argument("--control", action="store_true",
                    help="also stream the text input through a minimal JavaScript Worker (memory control)")
    args = ap.parse_args()
    if not os.path.isdir(CORPUS):
        raise SystemExit(f"corpus not found at {CORPUS}")
    pdxedge = os.path.join(ROOT, "target", "release", "pdxedge")
    tmp = tempfile.mkdtemp(prefix="pdxedge-bench-")
    w = None
    try:
        # Sizes.
        for name in ("build", "build-json-only"):
            wasm = os.path.join(WORKER, name, "dist", "index_bg.wasm")
            if os.path.exists(wasm):
                data = open(wasm, "rb").read()
                print(f"size {name}: {len(data)} bytes Wasm, {len(gzip.compress(data, 9))} gzip -9")

        big = os.path.join(tmp, "big.txt")
        size_big = build_big(big, args.parts)
        korea = os.path.join(CORPUS, KOREA)
        size_korea = os.path.getsize(korea)
        print(f"input: {size_big / MB:.1f} MB text save ({args.parts} corpus saves), Korea zip {size_korea / MB:.2f} MB")

        # Native.
        n_json = os.path.join(tmp, "native.json")
        cpu, wall = native([pdxedge, "json", big, "-o", n_json])
        native_json = cpu
        print(f"native json: {cpu:.2f} s CPU ({wall:.2f} s wall), {cpu / (size_big / MB) * 1000:.1f} ms CPU/MB")
        n_rec = os.path.join(tmp, "native.tar.br")
        cpu, wall = native([pdxedge, "recompress", korea, "--format", "tar.br", "--window", "24", "-o", n_rec])
        native_rec = cpu
        print(f"native recompress: {cpu:.2f} s CPU ({wall:.2f} s wall), {cpu / (size_korea / MB):.2f} s CPU/MB")

        # workerd: the API with its default limits, and a long time limit for 90 MB.
        w = Wrangler(WORKER, "wrangler.toml", [("PDXEDGE_MAX_DURATION_SECS", "600"),
                                                ("PDXEDGE_REPORT_WASM_MEMORY", "1")])
        pids = group_workerd(w.proc.pid)
        urllib.request.urlopen(urllib.request.Request(w.url + "/v1/json", data=b"a=1")).read()
        time.sleep(1)
        jobs = [("json", "/v1/json", big, size_big, native_json, n_json),
                ("recompress", "/v1/recompress?format=tar-br&window=24", korea, size_korea, native_rec, n_rec)]
        if args.repeat > 1:
            jobs = [jobs[0]] * args.repeat + jobs[1:]
        for label, route, path, size, native_cpu, native_out in jobs[:args.repeat] if args.json_only else jobs:
            out = os.path.join(tmp, "worker." + label)
            status, wall, res, notes = measure_job(w, pids, route, path, out)
            same = sha(out) == sha(native_out)
            top = res[0]
            print(f"workerd {label}: HTTP {status}, {wall:.2f} s wall, output {os.path.getsize(out)} bytes, "
                  f"{'same bytes as' if same else 'DIFFERENT from'} native")
            for r in res:
                print(f"  workerd pid {r['pid']}: idle RSS {r['idle'] / MB:.1f} MB, peak {r['peak'] / MB:.1f} MB "
                      f"(+{(r['peak'] - r['idle']) / MB:.1f} MB), CPU {r['cpu']:.2f} s")
            print("\n".join(notes))
            all_cpu = sum(r["cpu"] for r in res)
            print(f"  CPU/MB: Worker process {top['cpu'] / (size / MB) * 1000:.1f} ms, all workerd "
                  f"{all_cpu / (size / MB) * 1000:.1f} ms; native {native_cpu / (size / MB) * 1000:.1f} ms; "
                  f"ratio workerd/native {top['cpu'] / native_cpu:.2f} (Worker process), {all_cpu / native_cpu:.2f} (all)")

        if args.control:
            # The control: a minimal JavaScript Worker streaming the same upload back
            # chunk by chunk through JS (each chunk copied into a new Uint8Array), the way the Rust Worker's glue
            # does without any Wasm.
            w.stop()
            w = None
            ctl = os.path.join(tmp, "control-worker")
            os.makedirs(ctl)
            with open(os.path.join(ctl, "index.js"), "w") as f:
                f.write(CONTROL_JS)
            with open(os.path.join(ctl, "wrangler.toml"), "w") as f:
                f.write('name = "control"\nmain = "index.js"\ncompatibility_date = "2026-04-26"\n')
            w = Wrangler(ctl, "wrangler.toml")
            pids = group_workerd(w.proc.pid)
            urllib.request.urlopen(urllib.request.Request(w.url + "/copy", data=b"a=1")).read()
            time.sleep(1)
            for route in ["/copy"] * args.repeat:
                out = os.path.join(tmp, "control.out")
                status, wall, res, notes = measure_job(w, pids, route, big, out)
                same = os.path.getsize(out) == size_big
                top = res[0]
                print(f"control JS Worker {route}: HTTP {status}, {wall:.2f} s wall, "
                      f"{'echoed whole' if same else 'NOT echoed whole'}; workerd pid {top['pid']}: idle RSS "
                      f"{top['idle'] / MB:.1f} MB, peak {top['peak'] / MB:.1f} MB "
                      f"(+{(top['peak'] - top['idle']) / MB:.1f} MB), CPU {top['cpu']:.2f} s")
                print("\n".join(n for n in notes if "JS heap" in n))

        if not (args.skip_load or args.json_only):
            rust = {p: autocannon(w.url + p, args.seconds, args.connections) for p in ("/", "/healthz")}
            w.stop()
            w = None
            # The minimal JavaScript Worker: the same [assets], and /healthz in JS.
            js = os.path.join(tmp, "js-worker")
            os.makedirs(js)
            with open(os.path.join(js, "index.js"), "w") as f:
                f.write('export default { fetch() { return new Response(\'{"status":"ok","version":"0.1.0"}\', '
                        '{ headers: { "content-type": "application/json" } }); } };\n')
            with open(os.path.join(js, "wrangler.toml"), "w") as f:
                f.write(f'name = "js"\nmain = "index.js"\ncompatibility_date = "2026-04-26"\n'
                        f'[assets]\ndirectory = "{os.path.join(ROOT, "web")}"\n')
            w = Wrangler(js, "wrangler.toml")
            jsr = {p: autocannon(w.url + p, args.seconds, args.connections) for p in ("/", "/healthz")}
            for p in ("/", "/healthz"):
                a, b = rust[p], jsr[p]
                print(f"load GET {p} ({args.seconds} s, {args.connections} connections): "
                      f"Rust {a['rps']:.0f} req/s p50 {a['p50']} ms p99 {a['p99']} ms ({a['errors']} errors); "
                      f"JS {b['rps']:.0f} req/s p50 {b['p50']} ms p99 {b['p99']} ms ({b['errors']} errors); "
                      f"Rust/JS {a['rps'] / b['rps']:.2f}")
    finally:
        if w:
            w.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
