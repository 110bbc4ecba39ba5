//! Where input comes from: bytes already in JavaScript (`Uint8Array`, `ArrayBuffer`), a
//! `Blob`/`File`, or a `ReadableStream` of byte chunks. Whatever the source, the engine
//! sees it in slices of at most [`CHUNK`] bytes, so Wasm memory holds one slice at a time
//! and never the whole input.

use crate::error::usage;
use js_sys::{ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ReadableStream, ReadableStreamDefaultReader};

/// The most input copied into Wasm memory at once.
pub(crate) const CHUNK: usize = 256 << 10;

pub(crate) enum Source {
    /// Bytes held by JavaScript, read a slice at a time.
    Bytes { data: Uint8Array, pos: u32 },
    /// A stream's reader and the rest of its last chunk, when that chunk was larger than
    /// [`CHUNK`].
    Stream {
        reader: ReadableStreamDefaultReader,
        pending: Option<(Uint8Array, u32)>,
    },
}

impl Source {
    /// Accepts `Uint8Array`, `ArrayBuffer`, `Blob` (so `File`) or `ReadableStream`.
    /// Returns the source and, when it is known, the input's size in bytes.
    pub(crate) fn from_js(input: &JsValue) -> Result<(Source, Option<f64>), JsValue> {
        if let Some(data) = input.dyn_ref::<Uint8Array>() {
            let total = f64::from(data.length());
            return Ok((
                Source::Bytes {
                    data: data.clone(),
                    pos: 0,
                },
                Some(total),
            ));
        }
        if let Some(buffer) = input.dyn_ref::<ArrayBuffer>() {
            let data = Uint8Array::new(buffer);
            let total = f64::from(data.length());
            return Ok((Source::Bytes { data, pos: 0 }, Some(total)));
        }
        if let Some(blob) = input.dyn_ref::<Blob>() {
            let reader = reader_of(&blob.stream())?;
            return Ok((
                Source::Stream {
                    reader,
                    pending: None,
                },
                Some(blob.size()),
            ));
        }
        // `instanceof` fails for streams made in another realm (an iframe, a Node
        // `stream/web` polyfill), so anything with `getReader` is taken as a stream.
        let has_get_reader = input.is_object()
            && Reflect::get(input, &JsValue::from_str("getReader"))?.is_function();
        if input.is_instance_of::<ReadableStream>() || has_get_reader {
            let reader = reader_of(input.unchecked_ref::<ReadableStream>())?;
            return Ok((
                Source::Stream {
                    reader,
                    pending: None,
                },
                None,
            ));
        }
        Err(usage(
            "input must be a Uint8Array, an ArrayBuffer, a Blob or a ReadableStream of Uint8Array chunks",
        ))
    }

    /// The whole input, for jobs that need it at once; `capacity`: its size if known, so
    /// it is held in one allocation instead of a doubling (and copied) one.
    pub(crate) async fn read_all(&mut self, capacity: usize) -> Result<Vec<u8>, JsValue> {
        let mut all = Vec::with_capacity(capacity);
        let mut buf = Vec::new();
        while self.next(&mut buf).await? {
            all.extend_from_slice(&buf);
        }
        Ok(all)
    }

    /// The stream's reader, for cancelling it from outside a read.
    pub(crate) fn reader(&self) -> Option<ReadableStreamDefaultReader> {
        match self {
            Source::Bytes { .. } => None,
            Source::Stream { reader, .. } => Some(reader.clone()),
        }
    }

    /// Replace `buf` with the next slice of input. Returns false at the end of input.
    pub(crate) async fn next(&mut self, buf: &mut Vec<u8>) -> Result<bool, JsValue> {
        buf.clear();
        match self {
            Source::Bytes { data, pos } => Ok(take_slice(data, pos, buf)),
            Source::Stream { reader, pending } => loop {
                if let Some((chunk, pos)) = pending {
                    if take_slice(chunk, pos, buf) {
                        return Ok(true);
                    }
                    *pending = None;
                }
                let result = JsFuture::from(reader.read()).await?;
                let done = Reflect::get(&result, &JsValue::from_str("done"))?;
                if done.is_truthy() {
                    return Ok(false);
                }
                let value = Reflect::get(&result, &JsValue::from_str("value"))?;
                let chunk = value
                    .dyn_into::<Uint8Array>()
                    .map_err(|_| usage("the input stream gave a chunk that is not a Uint8Array"))?;
                *pending = Some((chunk, 0));
            },
        }
    }
}

/// The name of a `File` (it tells a `.sav` or `.eu4` from other inputs), if the input is one.
pub(crate) fn file_name(input: &JsValue) -> Option<String> {
    if !input.is_instance_of::<Blob>() {
        return None;
    }
    Reflect::get(input, &JsValue::from_str("name"))
        .ok()
        .and_then(|v| v.as_string())
}

/// Copy up to [`CHUNK`] bytes of `data` from `pos` into `buf`; false when none are left.
fn take_slice(data: &Uint8Array, pos: &mut u32, buf: &mut Vec<u8>) -> bool {
    let len = data.length();
    if *pos >= len {
        return false;
    }
    let end = len.min(pos.saturating_add(CHUNK as u32));
    let slice = data.subarray(*pos, end);
    buf.resize((end - *pos) as usize, 0);
    slice.copy_to(buf);
    *pos = end;
    true
}

fn reader_of(stream: &ReadableStream) -> Result<ReadableStreamDefaultReader, JsValue> {
    if stream.locked() {
        return Err(usage(
            "the input stream is locked (another reader is reading it)",
        ));
    }
    stream
        .get_reader()
        .dyn_into::<ReadableStreamDefaultReader>()
        .map_err(|_| usage("the input stream has no default reader"))
}
