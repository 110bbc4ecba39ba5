//! The JavaScript API, run in Node and in headless Chromium by wasm-bindgen-test
//! (`scripts/stages/80-wasm.sh`). The output must be exactly what the engine writes
//! natively, whatever the input type, chunking, mode or consumer speed.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Reflect, Uint8Array};
use pdxedge_core::json::{DuplicateKeyMode, JsonOptions, Narrowing};
use pdxedge_core::{Encoding, to_json as native_json};
use pdxedge_wasm::{info, recompress, to_json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::ReadableStream;

const SAMPLE: &[u8] = include_bytes!("../../../examples/sample.eu4");

#[wasm_bindgen(inline_js = r#"
export function streamOf(chunks, log) {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else controller.close();
    },
    cancel(reason) { log.push("cancelled: " + (reason && reason.message || reason)); },
  });
}
export function blobOf(bytes) { return new Blob([bytes]); }
export async function collect(stream) {
  const parts = [];
  let size = 0;
  for (const reader = stream.getReader();;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array)) throw new Error("chunk is not a Uint8Array");
    parts.push(value);
    size += value.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
export async function readOnce(stream) {
  const reader = stream.getReader();
  const first = await reader.read();
  await reader.cancel(new Error("enough"));
  return first.value;
}
export function recorder(log) { return (p) => log.push({ ...p }); }
export function thrower() { return () => { throw new Error("progress callback failed"); }; }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = streamOf)]
    fn stream_of(chunks: &Array, log: &Array) -> ReadableStream;
    #[wasm_bindgen(js_name = blobOf)]
    fn blob_of(bytes: &Uint8Array) -> JsValue;
    #[wasm_bindgen(catch)]
    async fn collect(stream: &ReadableStream) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = readOnce)]
    async fn read_once(stream: &ReadableStream) -> JsValue;
    fn recorder(log: &Array) -> Function;
    fn thrower() -> Function;
}

fn bytes(data: &[u8]) -> JsValue {
    Uint8Array::from(data).into()
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

async fn run(input: JsValue, opts: JsValue) -> Result<Vec<u8>, JsValue> {
    let stream = to_json(input, opts)?;
    Ok(Uint8Array::new(&collect(&stream).await?).to_vec())
}

/// The error a job ends with (its output, if it succeeds, is too long to print).
async fn run_err(input: JsValue, opts: JsValue) -> JsValue {
    match run(input, opts).await {
        Ok(out) => panic!("expected an error, got {} bytes of output", out.len()),
        Err(e) => e,
    }
}

/// A few MB of save-like text with repeated keys, bigger than the Wasm side's input slice
/// and output flush sizes so every path through the stream loop is taken.
fn generated(countries: usize) -> Vec<u8> {
    let mut s = String::from("EU4txt\ndate=1444.11.11\n");
    for i in 0..countries {
        s.push_str(&format!(
            "country={{ tag=T{i:03} treasury={}.125 core={} core={} name=\"Ånd {i}\" \
             flags={{ a=yes b=no }} history={{ 1444.1.1={{ owner=T{i:03} }} }} }}\n",
            i * 7,
            i,
            i + 1
        ));
    }
    s.into_bytes()
}

fn all_options() -> Vec<(JsValue, JsonOptions)> {
    let mut out = Vec::new();
    for (mode_name, mode) in [
        ("preserve", DuplicateKeyMode::Preserve),
        ("group", DuplicateKeyMode::Group),
        ("key-value-pairs", DuplicateKeyMode::KeyValuePairs),
    ] {
        for (narrow_name, narrow) in [
            ("all", Narrowing::All),
            ("unquoted", Narrowing::Unquoted),
            ("none", Narrowing::None),
        ] {
            for pretty in [false, true] {
                let js = options(&[
                    ("mode", mode_name.into()),
                    ("narrow", narrow_name.into()),
                    ("pretty", pretty.into()),
                ]);
                let native = JsonOptions {
                    mode,
                    narrow,
                    pretty,
                    encoding: Encoding::Auto,
                };
                out.push((js, native));
            }
        }
    }
    out
}

#[wasm_bindgen_test]
async fn small_input_gives_jomini_json() {
    let out = run(
        bytes(b"core=AAA core=BBB color = rgb { 1 2 3 }"),
        JsValue::UNDEFINED,
    )
    .await
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#"{"core":"AAA","core":"BBB","color":{"rgb":[1,2,3]}}"#
    );
}

#[wasm_bindgen_test]
async fn every_option_matches_the_native_engine() {
    for input in [SAMPLE.to_vec(), generated(3000)] {
        for (js, native) in all_options() {
            let expected = native_json(&input, native).unwrap();
            let got = run(bytes(&input), js).await.unwrap();
            assert!(got == expected, "{native:?}: output differs");
        }
    }
}

#[wasm_bindgen_test]
async fn encodings_match_the_native_engine() {
    for (name, encoding) in [
        ("auto", Encoding::Auto),
        ("utf-8", Encoding::Utf8),
        ("windows-1252", Encoding::Windows1252),
    ] {
        let native = JsonOptions {
            encoding,
            ..JsonOptions::default()
        };
        let expected = native_json(SAMPLE, native).unwrap();
        let got = run(bytes(SAMPLE), options(&[("encoding", name.into())]))
            .await
            .unwrap();
        assert!(got == expected, "encoding {name}: output differs");
    }
}

#[wasm_bindgen_test]
async fn every_input_type_and_chunking_gives_the_same_bytes() {
    let input = generated(5000);
    let expected = native_json(&input, JsonOptions::default()).unwrap();
    let array = Uint8Array::from(&input[..]);

    let from_buffer = run(array.buffer().into(), JsValue::UNDEFINED)
        .await
        .unwrap();
    assert!(from_buffer == expected, "ArrayBuffer input differs");
    let from_blob = run(blob_of(&array), JsValue::UNDEFINED).await.unwrap();
    assert!(from_blob == expected, "Blob input differs");

    // One huge chunk (split on the Wasm side), odd small chunks, and one byte at a time
    // for the start, where the header is recognised. The last size repeats.
    let byte_by_byte_start = [vec![1; 64], vec![65_536]].concat();
    for sizes in [vec![input.len()], vec![7, 1000, 65_537], byte_by_byte_start] {
        let chunks = Array::new();
        let mut at = 0;
        let mut i = 0;
        while at < input.len() {
            let n = sizes[i.min(sizes.len() - 1)].min(input.len() - at);
            chunks.push(&Uint8Array::from(&input[at..at + n]));
            at += n;
            i += 1;
        }
        let stream = stream_of(&chunks, &Array::new());
        let got = run(stream.into(), JsValue::UNDEFINED).await.unwrap();
        assert!(got == expected, "stream chunked as {sizes:?} differs");
    }
}

#[wasm_bindgen_test]
async fn progress_reaches_the_input_and_output_sizes() {
    let input = generated(5000);
    let log = Array::new();
    let out = run(
        bytes(&input),
        options(&[("onProgress", recorder(&log).into())]),
    )
    .await
    .unwrap();
    assert!(
        log.length() > 2,
        "expected several reports, got {}",
        log.length()
    );
    let last = log.get(log.length() - 1);
    assert_eq!(get(&last, "read").as_f64(), Some(input.len() as f64));
    assert_eq!(get(&last, "total").as_f64(), Some(input.len() as f64));
    assert_eq!(get(&last, "written").as_f64(), Some(out.len() as f64));
    let reads: Vec<f64> = log
        .iter()
        .map(|p| get(&p, "read").as_f64().unwrap())
        .collect();
    assert!(
        reads.windows(2).all(|w| w[0] <= w[1]),
        "read went backwards"
    );

    let log = Array::new();
    let stream = stream_of(&Array::of1(&Uint8Array::from(SAMPLE)), &Array::new());
    run(
        stream.into(),
        options(&[("onProgress", recorder(&log).into())]),
    )
    .await
    .unwrap();
    let last = log.get(log.length() - 1);
    assert!(get(&last, "total").is_null(), "a stream's size is unknown");
}

#[wasm_bindgen_test]
async fn a_throwing_progress_callback_fails_the_job() {
    let err = run_err(bytes(SAMPLE), options(&[("onProgress", thrower().into())])).await;
    let message = get(&err, "message").as_string().unwrap();
    assert!(message.contains("progress callback failed"), "{message}");
}

#[wasm_bindgen_test]
async fn syntax_errors_error_the_stream_with_a_position() {
    let input = b"a = { b = 1 }\nc = }\n";
    let native = native_json(input, JsonOptions::default()).unwrap_err();
    let err = run_err(bytes(input), JsValue::UNDEFINED).await;
    assert_eq!(
        get(&err, "name").as_string().as_deref(),
        Some("PdxedgeError")
    );
    assert_eq!(get(&err, "kind").as_string().as_deref(), Some("syntax"));
    assert_eq!(
        get(&err, "message").as_string(),
        Some(native.to_string()),
        "same message as the CLI"
    );
    let pos = native.position();
    assert_eq!(get(&err, "offset").as_f64(), Some(pos.offset as f64));
    assert_eq!(get(&err, "line").as_f64(), Some(2.0));
    assert_eq!(get(&err, "column").as_f64(), Some(pos.column as f64));
}

#[wasm_bindgen_test]
async fn a_binary_save_is_refused_by_kind() {
    // As real binary saves start: the first token's bytes right after the header.
    let err = run_err(bytes(b"EU4binM(\x01\x00\x03\x00"), JsValue::UNDEFINED).await;
    assert_eq!(get(&err, "kind").as_string().as_deref(), Some("binary"));
    assert_eq!(get(&err, "offset").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
async fn an_error_mid_stream_cancels_the_input() {
    let mut input = generated(2000);
    input.extend_from_slice(b"bad = }\n");
    let chunks = Array::new();
    for piece in input.chunks(4096) {
        chunks.push(&Uint8Array::from(piece));
    }
    chunks.push(&Uint8Array::from(&generated(10)[..]));
    let log = Array::new();
    let stream = stream_of(&chunks, &log);
    let err = run_err(stream.into(), JsValue::UNDEFINED).await;
    assert_eq!(get(&err, "kind").as_string().as_deref(), Some("syntax"));
    assert_eq!(log.length(), 1, "the input stream was not cancelled");
}

#[wasm_bindgen_test]
async fn cancelling_the_output_cancels_the_input() {
    let input = generated(5000);
    let chunks = Array::new();
    for piece in input.chunks(16 << 10) {
        chunks.push(&Uint8Array::from(piece));
    }
    let log = Array::new();
    let out = to_json(stream_of(&chunks, &log).into(), JsValue::UNDEFINED).unwrap();
    let first = read_once(&out).await;
    assert!(Uint8Array::new(&first).length() > 0);
    assert_eq!(log.get(0).as_string().as_deref(), Some("cancelled: enough"));
}

#[wasm_bindgen_test]
fn bad_options_and_inputs_throw_usage_errors() {
    let cases: [(JsValue, JsValue, &str); 5] = [
        (
            bytes(b"a=1"),
            options(&[("mode", "bogus".into())]),
            "invalid mode \"bogus\": expected one of preserve, group, key-value-pairs",
        ),
        (
            bytes(b"a=1"),
            options(&[("pretty", "yes".into())]),
            "option pretty must be true or false",
        ),
        (
            bytes(b"a=1"),
            options(&[("onProgress", 3.into())]),
            "option onProgress must be a function",
        ),
        (bytes(b"a=1"), "group".into(), "options must be an object"),
        (
            JsValue::from(42),
            JsValue::UNDEFINED,
            "input must be a Uint8Array",
        ),
    ];
    for (input, opts, expected) in cases {
        let err = to_json(input, opts).expect_err("should throw");
        assert_eq!(get(&err, "kind").as_string().as_deref(), Some("usage"));
        let message = get(&err, "message").as_string().unwrap();
        assert!(message.starts_with(expected), "{message}");
    }
}

#[wasm_bindgen_test]
async fn info_describes_a_text_save() {
    let described = JsFuture::from(info(bytes(SAMPLE))).await.unwrap();
    assert_eq!(
        get(&described, "container").as_string().as_deref(),
        Some("text")
    );
    assert_eq!(
        get(&described, "header").as_string().as_deref(),
        Some("EU4txt")
    );
    assert_eq!(
        get(&described, "player").as_string().as_deref(),
        Some("KOR")
    );
    assert_eq!(get(&described, "size").as_f64(), Some(SAMPLE.len() as f64));
    let entries = Array::from(&get(&described, "entries"));
    assert_eq!(entries.length(), 1);
}

#[wasm_bindgen_test]
async fn recompress_checks_its_options_and_needs_an_archive() {
    let err =
        recompress(bytes(SAMPLE), options(&[("format", "rar".into())])).expect_err("should throw");
    assert_eq!(get(&err, "kind").as_string().as_deref(), Some("usage"));
    let message = get(&err, "message").as_string().unwrap();
    assert!(
        message.contains("expected tar.br, zip-zstd, tar.zst or tar"),
        "{message}"
    );
    // Both spellings of a format are accepted (the error is then about the input).
    for spelling in ["tar.br", "tar-br"] {
        let opts = options(&[("format", spelling.into())]);
        assert!(recompress(bytes(SAMPLE), opts).is_ok(), "{spelling}");
    }
    let err =
        recompress(bytes(SAMPLE), options(&[("quality", 99.into())])).expect_err("should throw");
    assert_eq!(
        get(&err, "kind").as_string().as_deref(),
        Some("unsupported")
    );
    let stream = recompress(bytes(SAMPLE), JsValue::UNDEFINED).unwrap();
    let err = collect(&stream)
        .await
        .expect_err("a single document is not an archive");
    assert_eq!(
        get(&err, "kind").as_string().as_deref(),
        Some("unsupported")
    );
}
