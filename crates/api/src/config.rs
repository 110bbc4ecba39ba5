//! Every limit and policy of the HTTP API in one place, so the native server, the Worker,
//! the README and the OpenAPI document all read the same numbers.

use http::HeaderValue;
use std::time::Duration;

/// Configuration of the router. [`ApiConfig::default`] fits a 128 MB edge isolate
/// (a Cloudflare Worker); the native server may raise the limits.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub limits: Limits,
    pub cors: Cors,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            limits: Limits::default(),
            cors: Cors::AnyOrigin,
        }
    }
}

/// Limits on one request and on the whole process.
///
/// Text bodies stream through the engine, so their size costs time, not memory. What
/// costs memory is what has to be held whole: group mode holds its JSON until the input
/// ends (at most twice its input), and zip saves need their central directory at the
/// end. Those are capped by
/// [`max_buffered_bytes`](Limits::max_buffered_bytes) and may run only
/// [`max_buffered_conversions`](Limits::max_buffered_conversions) at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Request body as sent (before `Content-Encoding` is decoded). 413 beyond it.
    pub max_body_bytes: u64,
    /// Request body after `Content-Encoding` is decoded (a guard against
    /// decompression bombs). 413 beyond it.
    pub max_inflated_bytes: u64,
    /// Input a conversion must hold in memory whole (zip saves), or group mode's input
    /// (whose JSON and key records it holds, at most twice this). 413 beyond it.
    pub max_buffered_bytes: u64,
    /// Wall time of one conversion, from the request's arrival to the last output
    /// byte. Before the response has started: 503; after: the stream is aborted.
    pub max_duration: Duration,
    /// Conversions running at once; more get 503 with `Retry-After`.
    pub max_conversions: usize,
    /// Of those, conversions that hold their input whole (group mode); more get 503.
    pub max_buffered_conversions: usize,
    /// Nesting depth of Clausewitz objects (400 beyond it).
    pub max_depth: usize,
    /// Length of one token, such as a quoted string (400 beyond it).
    pub max_token_bytes: usize,
    /// Seconds a client is told to wait (`Retry-After`) when shed with 503.
    pub retry_after_secs: u32,
}

impl Default for Limits {
    fn default() -> Self {
        let engine = pdxedge_core::Limits::default();
        Limits {
            // Cloudflare's own request limit (Free and Pro zones) is 100 MB.
            max_body_bytes: 100 << 20,
            // The largest real text saves are ~200 MB; time is the cost, not memory.
            max_inflated_bytes: 512 << 20,
            // A held zip, or group mode's held JSON and key records (0.9x a save's size,
            // capped at twice this), must fit a 128 MB isolate; their growth is fallible.
            max_buffered_bytes: 40 << 20,
            max_duration: Duration::from_secs(60),
            max_conversions: 8,
            max_buffered_conversions: 1,
            // Real files nest a few dozen levels; the parser's stack grows with depth.
            max_depth: engine.max_depth.min(4096),
            max_token_bytes: engine.max_token_len,
            retry_after_secs: 2,
        }
    }
}

impl Limits {
    /// The limits as a Markdown table (used in the OpenAPI description).
    pub fn markdown_table(&self) -> String {
        let rows = [
            (
                "max_body_bytes",
                self.max_body_bytes.to_string(),
                "request body as sent; 413",
            ),
            (
                "max_inflated_bytes",
                self.max_inflated_bytes.to_string(),
                "request body after Content-Encoding is decoded; 413",
            ),
            (
                "max_buffered_bytes",
                self.max_buffered_bytes.to_string(),
                "input held whole (mode=group, zip saves, info, recompress); 413",
            ),
            (
                "max_duration",
                format!("{} s", self.max_duration.as_secs()),
                "wall time of one conversion; 503, or the stream is aborted",
            ),
            (
                "max_conversions",
                self.max_conversions.to_string(),
                "conversions at once; 503 + Retry-After",
            ),
            (
                "max_buffered_conversions",
                self.max_buffered_conversions.to_string(),
                "mode=group, info and recompress requests at once; 503 + Retry-After",
            ),
            (
                "max_depth",
                self.max_depth.to_string(),
                "nesting depth of objects; 400",
            ),
            (
                "max_token_bytes",
                self.max_token_bytes.to_string(),
                "length of one token; 400",
            ),
        ];
        let mut out =
            String::from("| limit | value | what, and the status beyond it |\n|---|---|---|\n");
        for (name, value, what) in rows {
            out.push_str(&format!("| `{name}` | {value} | {what} |\n"));
        }
        out
    }
}

/// Cross-origin policy. The endpoints hold no data and change nothing, so any origin
/// may call them by default.
#[derive(Debug, Clone, Default)]
pub enum Cors {
    /// `Access-Control-Allow-Origin: *`.
    #[default]
    AnyOrigin,
    /// Only these origins (e.g. `https://example.com`).
    Origins(Vec<HeaderValue>),
    /// No CORS headers at all.
    Disabled,
}
