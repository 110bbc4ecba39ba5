//! Request and response bodies across the JavaScript boundary, in big reused buffers.
//!
//! What workers-rs does by default costs most of the Worker's CPU and memory on a big job
//! (93 MB of text to JSON, `docs/benchmarks.md`, "Cloudflare Worker"):
//! - workerd delivers a request body in 4 KiB pieces, and each piece is a promise round
//!   trip through JavaScript and Rust: about 60 % of the job's CPU.
//! - each response frame becomes a fresh `Uint8Array`. Those buffers are garbage as soon as
//!   workerd has written them, but V8 collects them only when some 64 MB of them has piled
//!   up, which was most of workerd's memory growth.
//!
//! So the request is read with a BYOB reader's `readAtLeast` (a workerd extension) into
//! one 256 KiB buffer, which goes back to the reader once its bytes are copied into Wasm;
//! and the response is copied into two JavaScript buffers used in turn.
//!
//! Why reusing output buffers is safe: the stream made by
//! [`wasm_streams::ReadableStream::from_stream`] has a high-water mark of 0, so it asks for
//! a chunk only when its reader wants one, and workerd's response pump reads the next
//! chunk only after the write of the previous one has completed. A buffer is refilled two
//! chunks after it was handed out, one chunk later than that order requires.

use bytes::{Buf, Bytes};
use http_body::{Body as HttpBody, Frame};
use js_sys::{ArrayBuffer, Promise, Reflect, Uint8Array};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use worker::send::{SendFuture, SendWrapper};

/// How much one read of the request body waits for (workerd's pieces are 4 KiB).
const READ_AT_LEAST: u32 = 256 << 10;
/// The largest piece of response handed to JavaScript at once.
const WRITE_MAX: usize = 1 << 20;

#[wasm_bindgen]
extern "C" {
    /// A `ReadableStream`, bound directly for `getReader({ mode: "byob" })`.
    type RawStream;
    #[wasm_bindgen(method, catch, js_name = getReader)]
    fn get_reader_with(this: &RawStream, options: &JsValue) -> Result<ByobReader, JsValue>;

    /// workerd's `ReadableStreamBYOBReader`.
    type ByobReader;
    #[wasm_bindgen(method, catch, js_name = readAtLeast)]
    fn read_at_least(
        this: &ByobReader,
        min_bytes: u32,
        view: &Uint8Array,
    ) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, js_name = releaseLock)]
    fn release_lock(this: &ByobReader);
}

/// The request as the router takes it: method, URL and the headers the router reads
/// ([`pdxedge_api::REQUEST_HEADERS`]) copied, the body read in big pieces when workerd
/// allows.
///
/// Not workers-rs's `request_from_wasm`: that one locks the body with a default reader
/// and attaches the `cf` object, abort signal and redirect mode as extensions, which the
/// router never reads (and their conversions cost Wasm bytes).
pub fn request(raw: web_sys::Request) -> worker::Result<http::Request<axum::body::Body>> {
    let body = match raw.body() {
        None => axum::body::Body::empty(),
        Some(stream) => body(stream),
    };
    let mut req = http::Request::new(body);
    *req.method_mut() = http::Method::from_bytes(raw.method().as_bytes())
        .map_err(|_| worker::Error::from("the request method is not a token"))?;
    *req.uri_mut() = http::Uri::try_from(raw.url())
        .map_err(|_| worker::Error::from("the request URL does not parse"))?;
    let headers = req.headers_mut();
    for pair in raw.headers().entries() {
        // Each entry is a [name, value] pair of strings (the Fetch standard's Headers,
        // names in lower case).
        let pair: js_sys::Array = pair?.unchecked_into();
        let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) else {
            continue;
        };
        // Only the headers the router reads, matched against constants: parsing any
        // name (`HeaderName::from_bytes`) links http's standard-header table, 12 KB of
        // Wasm.
        let Some(name) = pdxedge_api::REQUEST_HEADERS
            .iter()
            .find(|h| h.as_str() == name)
        else {
            continue;
        };
        headers.append(name.clone(), http::HeaderValue::from_str(&value)?);
    }
    Ok(req)
}

fn body(stream: web_sys::ReadableStream) -> axum::body::Body {
    let raw: &RawStream = stream.unchecked_ref();
    let options = js_sys::Object::new();
    // Setting a property on a fresh object cannot fail.
    let _ = Reflect::set(&options, &"mode".into(), &"byob".into());
    match raw.get_reader_with(&options) {
        Ok(reader) if has_read_at_least(&reader) => axum::body::Body::new(ByobBody {
            reader: SendWrapper::new(reader),
            buffer: SendWrapper::new(None),
            pending: None,
            done: false,
        }),
        Ok(reader) => {
            reader.release_lock();
            plain(stream)
        }
        Err(_) => plain(stream),
    }
}

fn has_read_at_least(reader: &ByobReader) -> bool {
    Reflect::get(reader, &"readAtLeast".into()).is_ok_and(|f| f.is_function())
}

/// workers-rs's own reading, where workerd's BYOB reader is not available.
fn plain(stream: web_sys::ReadableStream) -> axum::body::Body {
    use http_body_util::BodyExt;
    // workers-rs's body error holds a JsValue, which is not Send; axum wants a Send error.
    axum::body::Body::new(worker::Body::new(stream).map_err(|e| e.to_string()))
}

/// The request body, read `READ_AT_LEAST` bytes at a time into one reused buffer.
struct ByobBody {
    reader: SendWrapper<ByobReader>,
    /// The buffer for the next read (taken by the read in flight, returned with its result).
    buffer: SendWrapper<Option<ArrayBuffer>>,
    pending: Option<SendFuture<JsFuture>>,
    done: bool,
}

impl HttpBody for ByobBody {
    type Data = Bytes;
    type Error = String;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, String>>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            let pending = this.pending.get_or_insert_with(|| {
                let buffer = this
                    .buffer
                    .take()
                    .unwrap_or_else(|| ArrayBuffer::new(READ_AT_LEAST));
                let view = Uint8Array::new(&buffer);
                // A synchronous throw becomes a rejected read.
                let read = this
                    .reader
                    .read_at_least(READ_AT_LEAST, &view)
                    .unwrap_or_else(|e| Promise::reject(&e));
                SendFuture::new(JsFuture::from(read))
            });
            let result = ready!(Pin::new(pending).poll(cx));
            this.pending = None;
            let result = match result {
                Ok(result) => result,
                Err(e) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(describe(&e))));
                }
            };
            this.done = Reflect::get(&result, &"done".into()).map_or(true, |d| d.is_truthy());
            let Some(view) = Reflect::get(&result, &"value".into())
                .ok()
                .and_then(|v| v.dyn_into::<Uint8Array>().ok())
            else {
                continue;
            };
            // Copied into Wasm before the buffer goes back to the reader.
            let bytes = Bytes::from(view.to_vec());
            *this.buffer = Some(view.buffer());
            if !bytes.is_empty() {
                return Poll::Ready(Some(Ok(Frame::data(bytes))));
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}

fn describe(error: &JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            error
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "the request body could not be read".to_owned())
}

/// The router's response as a JavaScript `Response` whose body is served from two reused
/// buffers (see the module's comment).
pub fn response(res: http::Response<axum::body::Body>) -> worker::Result<web_sys::Response> {
    let (parts, body) = res.into_parts();
    let headers = web_sys::Headers::new()?;
    for (name, value) in &parts.headers {
        // The router writes only visible-ASCII header values.
        let value = std::str::from_utf8(value.as_bytes())?;
        headers.append(name.as_str(), value)?;
    }
    let init = web_sys::ResponseInit::new();
    init.set_status(parts.status.as_u16());
    init.set_headers(&headers);
    let stream = (!body.is_end_stream()).then(|| {
        wasm_streams::ReadableStream::from_stream(Chunks {
            body,
            rest: Bytes::new(),
            ring: [None, None],
            turn: 0,
        })
        .into_raw()
    });
    Ok(web_sys::Response::new_with_opt_readable_stream_and_init(
        stream.as_ref(),
        &init,
    )?)
}

/// The response body as JavaScript chunks, copied into the two buffers of `ring` in turn.
struct Chunks {
    body: axum::body::Body,
    /// What is left of the frame being handed out.
    rest: Bytes,
    ring: [Option<Uint8Array>; 2],
    /// Which buffer of `ring` the next chunk goes into.
    turn: usize,
}

impl futures_util::Stream for Chunks {
    type Item = Result<JsValue, JsValue>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        while this.rest.is_empty() {
            match ready!(Pin::new(&mut this.body).poll_frame(cx)) {
                None => return Poll::Ready(None),
                Some(Err(e)) => return Poll::Ready(Some(Err(JsValue::from_str(&e.to_string())))),
                // Trailers have no place in a Worker's response.
                Some(Ok(frame)) => this.rest = frame.into_data().unwrap_or_default(),
            }
        }
        let n = this.rest.len().min(WRITE_MAX);
        let slot = &mut this.ring[this.turn];
        let buffer = match slot {
            Some(buffer) if buffer.length() as usize >= n => buffer,
            // Grown to the largest piece seen so far (small answers keep small buffers).
            _ => slot.insert(Uint8Array::new_with_length(
                n.next_power_of_two().min(WRITE_MAX) as u32,
            )),
        };
        let view = buffer.subarray(0, n as u32);
        view.copy_from(this.rest.get(..n).unwrap_or_default());
        this.rest.advance(n);
        this.turn ^= 1;
        Poll::Ready(Some(Ok(view.into())))
    }
}
