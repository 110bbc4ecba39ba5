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
//! output, so neither a 50 MB text save nor its JSON has to sit whole in memory (group
//! mode holds its JSON until the input ends; `recompress` and `info` keep their input,
//! as they need a zip's directory at its end). Options and output bytes are those of
//! `pdxedge json`, `pdxedge recompress` and `pdxedge info --json`. Errors are `Error`s
//! named `PdxedgeError` with `kind`, and for text errors `offset`, `line` and `column`.
//!
//! This crate is only the JavaScript shell: it parses nothing itself.

mod error;
mod options;
mod save;
mod source;
mod stream;

use pdxedge_core::recompress::RecompressOptions;
use pdxedge_core::save::SaveJsonOptions;
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
  /** Of an archive (zip, SAV), convert only this entry (e.g. "gamestate"), as bare JSON. */
  entry?: string;
  /** Called as input is consumed. An exception thrown here fails the job. */
  onProgress?: (progress: Progress) => void;
}

/** Options of `recompress`, named as the HTTP API's query. */
export interface RecompressOptions {
  /** tar.br, zip with zstd entries, tar.zst or a plain tar (default "tar.br"; "tar-br" and
   *  "tar-zst" are accepted too). This Wasm build has no zstd encoder: "zip-zstd" and
   *  "tar.zst" fail with kind "unsupported". */
  format?: "tar.br" | "zip-zstd" | "tar.zst" | "tar" | "tar-br" | "tar-zst";
  /** brotli 0-11, zstd 1-22 (default: the format's). */
  quality?: number;
  /** log2 of the window: brotli 10-24, zstd 10-27 (default: the format's). */
  window?: number;
  onProgress?: (progress: Progress) => void;
}

/** One entry of an archive (or the single document), as `pdxedge info --json` has it. */
export interface EntryInfo {
  name: string;
  compression: "stored" | "deflate" | "zstd" | "gzip" | "brotli" | string;
  compressed_size: number;
  size: number | null;
  binary: boolean;
  header: string | null;
}

/** What `info` resolves to: the fields of `pdxedge info --json`. */
export interface SaveInfo {
  game: string | null;
  game_name: string | null;
  container: string;
  sav: { version: number; kind: number } | null;
  binary: boolean;
  encoding: string | null;
  header: string | null;
  version: string | null;
  date: string | null;
  player: string | null;
  player_name: string | null;
  ironman: boolean | null;
  checksum: string | null;
  size: number;
  entries: EntryInfo[];
}

/** What every function throws or errors its stream with. */
export interface PdxedgeError extends Error {
  name: "PdxedgeError";
  /** "syntax", "unexpected-eof", "too-deep", "token-too-long", "binary",
   *  "group-input-too-large", "regroup-limit", "output-too-large" (text errors),
   *  "corrupt", "unsupported", "no-such-entry", "too-large", ... (container errors),
   *  "usage" (bad options or input type). */
  kind: string;
  /** The archive entry the error is in, for errors inside a zip or SAV save. */
  entry?: string;
  /** Byte offset in the input, for engine errors. */
  offset?: number;
  /** 1-based line, for engine errors in text. */
  line?: number;
  /** 1-based column in bytes, for engine errors in text. */
  column?: number;
}
"#;

/// A save or game file to JSON, as `pdxedge json` writes it: plain text, or a zip / SAV /
/// compressed save (one object keyed by entry name, or only `options.entry`).
///
/// Throws a `PdxedgeError` (kind "usage") for bad options or input types; errors in the
/// input error the returned stream.
#[wasm_bindgen(js_name = toJson, unchecked_return_type = "ReadableStream<Uint8Array>")]
pub fn to_json(
    #[wasm_bindgen(unchecked_param_type = "Input")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "JsonOptions")] options: JsValue,
) -> Result<ReadableStream, JsValue> {
    let reader = options::Reader::new(&options)?;
    let defaults = SaveJsonOptions::default();
    let json = SaveJsonOptions {
        json: options::json(&reader)?,
        entry: reader.string("entry")?,
        // A secret seed for group mode's key fingerprints (`crypto.getRandomValues`), so
        // that input crafted to make keys collide (time quadratic in their number), as a
        // Node server converting uploads might get, cannot be made in advance.
        group_seed: getrandom::u64().unwrap_or(defaults.group_seed),
        ..defaults
    };
    let progress = reader.function("onProgress")?;
    let name = source::file_name(&input);
    let (source, total) = source::Source::from_js(&input)?;
    let job = save::JsonJob::new(json, name.as_deref(), total);
    stream::output(source, total, Box::new(job), progress)
}

/// Recompress a zipped save (`tar.br`; `zip-zstd` and `tar.zst` need the zstd encoder,
/// which this Wasm build leaves out), as `pdxedge recompress` does. The whole input is
/// read before the output starts.
#[wasm_bindgen(unchecked_return_type = "ReadableStream<Uint8Array>")]
pub fn recompress(
    #[wasm_bindgen(unchecked_param_type = "Input")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RecompressOptions")] options: JsValue,
) -> Result<ReadableStream, JsValue> {
    let reader = options::Reader::new(&options)?;
    let format = save::format(reader.string("format")?.as_deref())?;
    let mut settings = RecompressOptions::new(format);
    settings.quality = reader.integer("quality")?;
    settings.window = reader.integer("window")?;
    settings.settings().map_err(|e| error::container(&e))?;
    let progress = reader.function("onProgress")?;
    let name = source::file_name(&input);
    let (source, total) = source::Source::from_js(&input)?;
    let job = save::RecompressJob::new(settings, name, total);
    stream::output(source, total, Box::new(job), progress)
}

/// Describe a save (game, container, entries, header, date, player...), as
/// `pdxedge info --json` does. Reads the whole input.
#[wasm_bindgen(unchecked_return_type = "Promise<SaveInfo>")]
pub fn info(#[wasm_bindgen(unchecked_param_type = "Input")] input: JsValue) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let name = source::file_name(&input);
        let (mut source, total) = source::Source::from_js(&input)?;
        let bytes = source.read_all(save::capacity(total)).await?;
        save::info(&bytes, name.as_deref())
    })
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
