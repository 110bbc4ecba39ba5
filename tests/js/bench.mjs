// Throughput of the Wasm package in Node as a ratio to the native CLI, on the same file in
// the same run (rounds interleaved, best of each kept, so machine load hits both alike).
//
//   node tests/js/bench.mjs [FILE] [--mode preserve|group|key-value-pairs] [--rounds N]
//
// Without FILE it extracts the gamestate of the corpus' Korea save into a temp folder.
// Native: `pdxedge json FILE -o /dev/null` (CPU time from the shell's `times`). Wasm:
// toJson on the file's bytes already in memory, the output stream drained; CPU time from
// process.cpuUsage(). CPU time is the figure of merit on a shared machine; wall time is
// printed too.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { toJson } from "pdxedge";
import { cliPath, corpusDir, extractZip, fileBlob, tempDir } from "./lib.mjs";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args.splice(i, 2)[1];
};
const mode = flag("--mode", "preserve");
const rounds = Number(flag("--rounds", "5"));
let file = args[0];
if (!file) {
  const corpus = corpusDir();
  if (!corpus) throw new Error("no FILE given and no corpus to take the Korea save from");
  const save = join(corpus, "saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4");
  file = extractZip(save, tempDir()).find((e) => e.name === "gamestate").path;
}
const bytes = readFileSync(file);
const mb = bytes.length / 1e6;

function native() {
  const script = `"$0" json "$1" --mode "$2" -o /dev/null && times`;
  const start = performance.now();
  const r = spawnSync("bash", ["-c", script, cliPath(), file, mode], { encoding: "utf8" });
  const wall = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`pdxedge failed: ${r.stderr}`);
  // `times` prints the shell's then its children's user and system time.
  const [user, sys] = [...r.stdout.trim().split("\n")[1].matchAll(/(\d+)m([\d.]+)s/g)].map(
    (m) => Number(m[1]) * 60 + Number(m[2]),
  );
  return { wall, cpu: user + sys };
}

async function wasm(input) {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let out = 0;
  for await (const chunk of toJson(input, { mode })) out += chunk.length;
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6, out };
}

const best = { native: { wall: Infinity, cpu: Infinity }, wasm: { wall: Infinity, cpu: Infinity }, blob: { wall: Infinity, cpu: Infinity } };
const keep = (name, r) => {
  best[name].wall = Math.min(best[name].wall, r.wall);
  best[name].cpu = Math.min(best[name].cpu, r.cpu);
};
let outBytes = 0;
await wasm(bytes.subarray(0, 1 << 20)).catch(() => {}); // warm-up: compile and tier up
for (let i = 0; i < rounds; i++) {
  keep("native", native());
  const r = await wasm(bytes);
  outBytes = r.out;
  keep("wasm", r);
  keep("blob", await wasm(await fileBlob(file)));
}

const row = (name, r) =>
  `| ${name} | ${r.cpu.toFixed(3)} | ${(mb / r.cpu).toFixed(1)} | ${r.wall.toFixed(3)} | ${(mb / r.wall).toFixed(1)} |`;
console.log(`input ${bytes.length} bytes, JSON ${outBytes} bytes, mode ${mode}, best of ${rounds} rounds`);
console.log("| engine | CPU s | MB/s (CPU) | wall s | MB/s (wall) |");
console.log("|---|---:|---:|---:|---:|");
console.log(row("native CLI", best.native));
console.log(row("Wasm in Node, bytes in memory", best.wasm));
console.log(row("Wasm in Node, file as Blob (streamed)", best.blob));
console.log(`ratio Wasm/native throughput (CPU): ${(best.native.cpu / best.wasm.cpu).toFixed(2)}x`);
console.log(`ratio Wasm/native throughput (wall): ${(best.native.wall / best.wasm.wall).toFixed(2)}x`);
