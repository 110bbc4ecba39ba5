// pdxedge for browsers (and anything with fetch and ES modules): fetches the engine that
// sits next to this file, then exports the API. See index.d.ts for the types.
import init from "./pdxedge_wasm.js";

await init({ module_or_path: new URL("./pdxedge_wasm_bg.wasm", import.meta.url) });

export { toJson, recompress, info, version, wasmMemoryBytes } from "./pdxedge_wasm.js";
