// Wasm linear memory of the package's jobs, one fresh instance per job (Wasm memory never
// shrinks, so its size after a job is that job's peak). Prints a table for
// docs/benchmarks.md. Not a test: run it by hand after scripts/build-wasm.sh.
//
//   node tests/js/memory.mjs [PKG_DIR]     # default crates/wasm/pkg; needs ../shared/corpus
//
// Each job runs in its own `node` child process; the child loads PKG_DIR/node.js, feeds the
// input as bytes (a Uint8Array held by JavaScript, as a page holds a File's bytes), drains
// the output stream and reports `wasmMemoryBytes()`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { corpusDir, repo } from "./lib.mjs";

const [, self, ...args] = process.argv;

if (args[0] === "--child") {
  const [, pkg, job, file, options] = args;
  const api = await import(pathToFileURL(join(pkg, "node.js")).href);
  const { readFileSync } = await import("node:fs");
  let input;
  if (file === "generated") {
    // 50 MB of text like a save's (repeated keys, so group mode has work to do).
    const parts = [];
    let size = 0;
    for (let i = 0; size < 50e6; i++) {
      const line = `p${i}={ owner=K${i % 7} core=A core=B v=${i}.5 name="Province ${i}" }\n`;
      parts.push(line);
      size += line.length;
    }
    input = new TextEncoder().encode(parts.join(""));
  } else {
    input = new Uint8Array(readFileSync(file));
  }
  const opts = JSON.parse(options);
  const started = performance.now();
  let out = 0;
  if (job === "info") {
    await api.info(input);
  } else {
    const stream = job === "json" ? api.toJson(input, opts) : api.recompress(input, opts);
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      out += value.length;
    }
  }
  const secs = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ memory: api.wasmMemoryBytes(), out, secs }));
  process.exit(0);
}

const pkg = resolve(args[0] ?? join(repo, "crates/wasm/pkg"));
if (!existsSync(join(pkg, "node.js"))) throw new Error(`no package at ${pkg}: run scripts/build-wasm.sh`);
const corpus = corpusDir();
if (!corpus) {
  console.log("no corpus: nothing measured");
  process.exit(0);
}
const korea = join(corpus, "saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4");
const jobs = [
  ["Korea zip", "json", korea, {}],
  ["Korea zip", "json", korea, { mode: "group" }],
  ["Korea zip", "info", korea, {}],
  ["Korea zip", "recompress", korea, {}],
  ["50 MB generated text", "json", "generated", {}],
  ["50 MB generated text", "json", "generated", { mode: "group" }],
];
console.log(`package: ${pkg}`);
console.log("| input | job | output bytes | Wasm memory MiB | s |");
console.log("|---|---|---:|---:|---:|");
for (const [label, job, file, opts] of jobs) {
  const r = spawnSync(process.execPath, [self, "--child", pkg, job, file, JSON.stringify(opts)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${label} ${job}: ${r.stderr}`);
  const { memory, out, secs } = JSON.parse(r.stdout.trim().split("\n").pop());
  const name = job + (opts.mode ? ` (${opts.mode})` : "");
  console.log(`| ${label} | ${name} | ${out} | ${(memory / 2 ** 20).toFixed(1)} | ${secs.toFixed(2)} |`);
}
