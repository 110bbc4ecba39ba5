//! # pdxedge-wasm
//!
//! pdxedge for browsers and Node: the `pdxedge-core` engine behind a small streaming
//! JavaScript API, built with wasm-bindgen into the npm package `pdxedge`
//! (`scripts/build-wasm.sh`).
//!
//! ```js
//! import { toJson } from "pdxedge";
//! const json = toJson(file, { mode: "group", pretty: true, onProgress: p => console.log(p.read) });
//! await json.pipeTo(destination);              // a ReadableStream<Uint8Array>
//! ```
//!
//! Input is a `Uint8Array`, `ArrayBuffer`, `Blob`/`File` or `ReadableStream`; output is a
//! `ReadableStream<Uint8Array>` that reads its input only as fast as its consumer takes the
//! output, so neither a 50 MB save nor its JSON has to sit whole in memory (group mode, which
//! reads its input twice, keeps the input). Options and output bytes are those of
//! `pdxedge json`. Errors are `Error`s named `PdxedgeError` with `kind`, and for engine
//! errors `offset`, `line` and `column`.
//!
//! This crate is only the JavaScript shell: it parses nothing itself.

mod error;
mod options;
mod source;
mod stream;

use pdxedge_core::Transcoder;
use wasm_bindgen::prelude::*;
use web_sys::ReadableStream;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** What the engine reads: bytes, a Blob or File, or a stream of byte chunks. */
export type Input = Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>;

/** Reported as input is consumed; `total` is null when the input's size is unknown (a stream). */
export interface Progress {
  /** Input bytes read so far. */
  read: number;
  /** The input's size in bytes, when known. */
  total: number | null;
  /** Output bytes handed to the output stream so far. */
  written: number;
}

/** Options of `toJson`, named as the CLI's `pdxedge json` flags and the HTTP API's query. */
export interface JsonOptions {
  /** How repeated keys are written (default "preserve"). */
  mode?: "preserve" | "group" | "key-value-pairs";
  /** Which scalars may become JSON numbers and booleans (default "all"). */
  narrow?: "all" | "unquoted" | "none";
  /** Indent with two spaces (default false). */
  pretty?: boolean;
  /** Text encoding of the input (default "auto": the file's header decides). */
  encoding?: "auto" | "utf-8" | "windows-1252";
  /** A zip save's entry to convert (default: the gamestate). Not in this build yet: setting
   *  it throws a PdxedgeError of kind "unavailable". */
  entry?: string;
  /** Called as input is consumed. An exception thrown here fails the job. */
  onProgress?: (progress: Progress) => void;
}

/** Options of `recompress`, named as the HTTP API's query. */
export interface RecompressOptions {
  /** tar.br, zip with zstd entries, or tar.zst (default "tar-br"). */
  format?: "tar-br" | "zip-zstd" | "tar-zst";
  quality?: number;
  window?: number;
  onProgress?: (progress: Progress) => void;
}

/** What every function throws or errors its stream with. */
export interface PdxedgeError extends Error {
  name: "PdxedgeError";
  /** "syntax", "unexpected-eof", "too-deep", "token-too-long", "binary" (engine errors),
   *  "usage" (bad options or input type), "unavailable" (job not in this build). */
  kind: string;
  /** Byte offset in the input, for engine errors. */
  offset?: number;
  /** 1-based line, for engine errors in text. */
  line?: number;
  /** 1-based column in bytes, for engine errors in text. */
  column?: number;
}
"#;

/// Clausewitz text to JSON, as `pdxedge json` writes it.
///
/// Throws a `PdxedgeError` (kind "usage") for bad options or input types; errors in the
/// input error the returned stream.
#[wasm_bindgen(js_name = toJson, unchecked_return_type = "ReadableStream<Uint8Array>")]
pub fn to_json(
    #[wasm_bindgen(unchecked_param_type = "Input")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "JsonOptions")] options: JsValue,
) -> Result<ReadableStream, JsValue> {
    let reader = options::Reader::new(&options)?;
    let json = options::json(&reader)?;
    if reader.string("entry")?.is_some() {
        return Err(error::unavailable("the entry option (a zip save's entry)"));
    }
    let progress = reader.function("onProgress")?;
    let (source, total) = source::Source::from_js(&input)?;
    stream::output(
        source,
        total,
        Box::new(JsonEngine(Transcoder::new(json))),
        progress,
    )
}

/// Recompress a zipped save (tar.br, zip-zstd or tar.zst).
#[wasm_bindgen(unchecked_return_type = "ReadableStream<Uint8Array>")]
pub fn recompress(
    #[wasm_bindgen(unchecked_param_type = "Input")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RecompressOptions")] options: JsValue,
) -> Result<ReadableStream, JsValue> {
    let _ = (input, options);
    Err(error::unavailable("recompress"))
}

/// Describe a save: its container, entries and header.
#[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
pub fn info(#[wasm_bindgen(unchecked_param_type = "Input")] input: JsValue) -> js_sys::Promise {
    let _ = input;
    js_sys::Promise::reject(&error::unavailable("info"))
}

/// The version of pdxedge this package was built from.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Bytes of Wasm linear memory in use by this instance (it grows and never shrinks): a
/// diagnostic for pages and tests that check the engine streams.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

struct JsonEngine(Transcoder);

impl stream::Engine for JsonEngine {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), JsValue> {
        self.0.feed(input, out).map_err(|e| error::engine(&e))
    }

    fn finish(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), JsValue> {
        self.0.finish_with(emit).map_err(|e| error::engine(&e))
    }
}
