// The API of both entry points (index.js for browsers, node.js for Node). The types are
// generated from the Rust sources (crates/wasm/src/lib.rs) into pdxedge_wasm.d.ts.
export { toJson, recompress, info, version, wasmMemoryBytes } from "./pdxedge_wasm.js";
export type {
  Input,
  Progress,
  JsonOptions,
  RecompressOptions,
  PdxedgeError,
  SaveInfo,
  EntryInfo,
} from "./pdxedge_wasm.js";
