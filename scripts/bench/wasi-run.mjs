// Run a wasm32-wasip1 program under Node's WASI with one folder mounted at /data, then
// print the size its linear memory grew to (Wasm memory never shrinks, so this is the
// peak). Usage: node wasi-run.mjs PROGRAM.wasm FOLDER ARGS...
import { WASI } from "node:wasi";
import { readFileSync } from "node:fs";

const [wasmPath, folder, ...args] = process.argv.slice(2);
const wasi = new WASI({
  version: "preview1",
  args: ["program", ...args],
  preopens: { "/data": folder },
  returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const code = wasi.start(instance);
console.log(`wasm linear memory: ${instance.exports.memory.buffer.byteLength} bytes`);
process.exit(code);
