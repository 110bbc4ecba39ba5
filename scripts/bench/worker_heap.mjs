// The JavaScript side of a Worker's memory, read through workerd's inspector (the
// DevTools protocol that `wrangler dev --inspector-port` serves), for scripts/bench/worker.py.
//
//   node worker_heap.mjs PORT usage     one line of JSON: V8 heap used/total and the
//                                       ArrayBuffer backing stores (bytes)
//   node worker_heap.mjs PORT watch MS  sample every MS ms until stdin closes; print the
//                                       peak of each figure
//
// No forced garbage collection: workerd's inspector leaves HeapProfiler.collectGarbage
// unanswered. Uses the `ws` client that wrangler installs (crates/worker/node_modules), so it needs
// nothing else. Talks to 127.0.0.1 only.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../crates/worker/node_modules/"));
const WebSocket = require("ws");

const [port, mode = "usage", every = "100"] = process.argv.slice(2);
const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
const target = targets.find((t) => t.webSocketDebuggerUrl);
if (!target) throw new Error(`no inspector target on port ${port}`);
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((ok, fail) => { ws.once("open", ok); ws.once("error", fail); });

let id = 0;
const waiting = new Map();
ws.on("message", (data) => {
  const msg = JSON.parse(data);
  if (msg.id && waiting.has(msg.id)) {
    waiting.get(msg.id)(msg);
    waiting.delete(msg.id);
  }
});
function call(method, params = {}) {
  const n = ++id;
  ws.send(JSON.stringify({ id: n, method, params }));
  return new Promise((ok, fail) => waiting.set(n, (m) => (m.error ? fail(new Error(JSON.stringify(m.error))) : ok(m.result))));
}
async function usage() {
  const u = await call("Runtime.getHeapUsage");
  return { used: u.usedSize, total: u.totalSize, backing: u.backingStorageSize ?? null };
}

if (mode === "watch") {
  const peak = { used: 0, total: 0, backing: 0, samples: 0 };
  let open = true;
  process.stdin.on("end", () => { open = false; }).resume();
  while (open) {
    const u = await usage();
    for (const k of ["used", "total", "backing"]) peak[k] = Math.max(peak[k], u[k] ?? 0);
    peak.samples++;
    await new Promise((r) => setTimeout(r, Number(every)));
  }
  console.log(JSON.stringify(peak));
} else {
  console.log(JSON.stringify(await usage()));
}
ws.terminate();
process.exit(0);
