// pdxedge for Node (20 or later): reads the engine that sits next to this file (Node's
// fetch cannot read file: URLs), then exports the same API as index.js.
import { readFile } from "node:fs/promises";
import { initSync } from "./pdxedge_wasm.js";

initSync({ module: await readFile(new URL("./pdxedge_wasm_bg.wasm", import.meta.url)) });

export { toJson, recompress, info, version, wasmMemoryBytes } from "./pdxedge_wasm.js";
