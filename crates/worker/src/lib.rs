//! # pdxedge-worker
//!
//! The Cloudflare Worker shell around the `pdxedge_api` router: each request becomes an
//! `http::Request`, the same `axum::Router` as the native server answers it, and the
//! response body streams back through a JavaScript `ReadableStream`.
//! The web page's static files are not served here: `[assets]` in `wrangler.toml` answers
//! those before the Worker runs.
//!
//! Bodies cross the JavaScript boundary in big reused buffers (`body`): workers-rs's
//! own conversion (4 KiB request pieces, a fresh buffer per response frame) cost most of
//! the Worker's CPU and memory on big uploads.
//!
//! The isolate is single-threaded, so conversion work runs inline
//! (`Runtime::inline`), time comes from `Date.now()` and the stall timer from
//! `setTimeout`. The limits are `ApiConfig::default` (sized for a 128 MB isolate),
//! each one overridable by a Worker variable (`wrangler.toml` `[vars]` or
//! `wrangler dev --var NAME:VALUE`):
//!
//! | variable | limit |
//! |---|---|
//! | `PDXEDGE_MAX_BODY_BYTES` | `max_body_bytes` |
//! | `PDXEDGE_MAX_INFLATED_BYTES` | `max_inflated_bytes` |
//! | `PDXEDGE_MAX_BUFFERED_BYTES` | `max_buffered_bytes` |
//! | `PDXEDGE_MAX_CONVERSIONS` | `max_conversions` |
//! | `PDXEDGE_MAX_DURATION_SECS` | `max_duration` |
//!
//! `PDXEDGE_REPORT_WASM_MEMORY` (any value) adds an `x-pdxedge-wasm-memory` header to every
//! response: the isolate's Wasm linear memory in bytes when the response starts. Linear
//! memory never shrinks, so the figure on a request made after a job is the most the
//! isolate's Wasm ever held; `scripts/bench/worker.py` reads it to tell Wasm memory from
//! the JavaScript heap and workerd's own.
//!
//! Everything is compiled for `wasm32` only; natively the crate is empty.
#![cfg(target_arch = "wasm32")]

mod body;

use axum::Router;
use http::header;
use pdxedge_api::{ApiConfig, Runtime};
use std::sync::OnceLock;
use std::time::Duration;
use worker::send::SendFuture;
use worker::{Context, Env, event};

/// One router per isolate, so the conversion slots (load shedding) count every request
/// the isolate is serving, not just the current one.
static ROUTER: OnceLock<Router> = OnceLock::new();
/// Whether `PDXEDGE_REPORT_WASM_MEMORY` is set (read once per isolate, like the router).
static REPORT_MEMORY: OnceLock<bool> = OnceLock::new();

#[event(fetch)]
async fn fetch(
    req: web_sys::Request,
    env: Env,
    _ctx: Context,
) -> worker::Result<web_sys::Response> {
    let router = ROUTER.get_or_init(|| pdxedge_api::router(config(&env), runtime()));
    let mut req = body::request(req)?;
    // Cloudflare rewrites `Accept-Encoding` (the Worker always sees "br, gzip") and
    // compresses uncompressed responses for the client as its real `Accept-Encoding`
    // allows, in native code. So the router answers uncompressed: what it would encode
    // on a header the client never sent, the runtime would encode again.
    req.headers_mut().remove(header::ACCEPT_ENCODING);
    let mut res = match tower::Service::call(&mut router.clone(), req).await {
        Ok(res) => res,
        Err(never) => match never {},
    };
    if *REPORT_MEMORY.get_or_init(|| env.var("PDXEDGE_REPORT_WASM_MEMORY").is_ok()) {
        let bytes = core::arch::wasm32::memory_size(0) * 65536;
        res.headers_mut().insert(WASM_MEMORY, bytes.into());
    }
    body::response(res)
}

/// A constant, so the name is not parsed at run time (which would link http's
/// standard-header table; see `body::request`).
const WASM_MEMORY: http::HeaderName = http::HeaderName::from_static("x-pdxedge-wasm-memory");

/// The isolate's hooks: no threads (work runs inline), `Date.now()`, `setTimeout`.
fn runtime() -> Runtime {
    Runtime::inline(|| Duration::from_secs_f64(js_sys::Date::now() / 1000.0)).with_sleep(|d| {
        // The isolate is single-threaded, so the timer future never crosses a thread.
        Box::pin(SendFuture::new(worker::Delay::from(d)))
    })
}

/// [`ApiConfig::default`] with the limits the Worker's variables override.
fn config(env: &Env) -> ApiConfig {
    let mut config = ApiConfig::default();
    let limits = &mut config.limits;
    let var = |name: &str| -> Option<u64> {
        let value = env.var(name).ok()?.to_string();
        match value.trim().parse() {
            Ok(n) => Some(n),
            Err(_) => {
                worker::console_warn!("{name}={value:?} is not a number; using the default");
                None
            }
        }
    };
    if let Some(n) = var("PDXEDGE_MAX_BODY_BYTES") {
        limits.max_body_bytes = n;
    }
    if let Some(n) = var("PDXEDGE_MAX_INFLATED_BYTES") {
        limits.max_inflated_bytes = n;
    }
    if let Some(n) = var("PDXEDGE_MAX_BUFFERED_BYTES") {
        limits.max_buffered_bytes = n;
    }
    if let Some(n) = var("PDXEDGE_MAX_CONVERSIONS") {
        limits.max_conversions = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = var("PDXEDGE_MAX_DURATION_SECS") {
        limits.max_duration = Duration::from_secs(n);
    }
    config
}
