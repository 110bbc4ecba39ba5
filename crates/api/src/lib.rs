//! # pdxedge-api
//!
//! The HTTP contract of pdxedge as one [`axum::Router`], shared by the native server
//! (`crates/server`, tokio/hyper) and the Cloudflare Worker (workers-rs). It builds for
//! `wasm32-unknown-unknown`: no tokio runtime, sockets, files or clock in here; the host
//! hands those in as a [`Runtime`].
//!
//! | route | what |
//! |---|---|
//! | `POST /v1/json` | Clausewitz text to JSON, streamed both ways |
//! | `POST /v1/recompress`, `POST /v1/info` | zipped saves: smaller archives, what a save is |
//! | `GET /healthz` | liveness |
//! | `GET /openapi.json` | OpenAPI 3.1, rendered from the handlers into `openapi/*.json` |
//!
//! How a request flows: the handler checks the request and takes a slot ([`Limits`]
//! bound everything), then the driver reads the body frame by frame into a sans-I/O
//! pipeline (Content-Encoding decoder -> job -> response encoder) whose bounded steps
//! run through the runtime's offload hook, and streams what comes out.
//!
//! It does not serve the web page: static files are the host's job (`tower-http`'s
//! `ServeDir` natively, `[assets]` on Cloudflare); see [`routes`] vs [`router`].
//!
//! ```
//! use pdxedge_api::{ApiConfig, Runtime};
//! let rt = Runtime::inline(|| std::time::Duration::ZERO);
//! let app: axum::Router = pdxedge_api::router(ApiConfig::default(), rt);
//! ```

pub mod coding;
mod config;
#[cfg(feature = "full")]
mod containers;
mod cors;
mod json;
mod openapi;
mod pipeline;
pub mod problem;
mod query;
mod routes;
mod runtime;
mod shed;
mod stream;

pub use config::{ApiConfig, Cors, Limits};
pub use json::{Enc, JsonQuery, Mode, Narrow};
pub use openapi::document as openapi_document;
pub use problem::{ApiError, PROBLEM_JSON, Problem};
#[cfg(feature = "full")]
pub use routes::{RecompressFormat, RecompressQuery};
pub use runtime::{BoxFuture, Runtime, Work};

use axum::Router;
use axum::routing::{get, post};
use bytes::Bytes;
use routes::App;
use shed::Gate;
use std::sync::Arc;

/// Every request header the router reads (body framing and coding, content type, CORS
/// origin, response coding). A shell may copy only these into the request it hands the
/// router: the Worker does, so that no header name is parsed at run time, which keeps
/// `http`'s table of standard names (12 KB) out of its Wasm. Code here that starts
/// reading another request header adds it to this list.
pub const REQUEST_HEADERS: [http::HeaderName; 5] = [
    http::header::CONTENT_LENGTH,
    http::header::CONTENT_ENCODING,
    http::header::CONTENT_TYPE,
    http::header::ACCEPT_ENCODING,
    http::header::ORIGIN,
];

/// The API routes with a problem+json 404 for everything else.
pub fn router(config: ApiConfig, rt: Runtime) -> Router {
    routes(config, rt).fallback(routes::not_found)
}

/// The API routes only, for a host that adds its own fallback (static files).
pub fn routes(config: ApiConfig, rt: Runtime) -> Router {
    let openapi = Bytes::from(openapi_document(&config));
    let cors = config.cors.clone();
    let app = Arc::new(App {
        conversions: Gate::new(config.limits.max_conversions),
        buffered: Gate::new(config.limits.max_buffered_conversions),
        config,
        rt,
        openapi,
    });
    let router = Router::new().route("/v1/json", post(routes::json));
    #[cfg(feature = "full")]
    let router = router
        .route("/v1/recompress", post(routes::recompress))
        .route("/v1/info", post(routes::info));
    let router = router
        .route("/healthz", get(routes::healthz))
        .route("/openapi.json", get(routes::openapi))
        .method_not_allowed_fallback(routes::method_not_allowed)
        .with_state(app);
    match cors {
        Cors::Disabled => router,
        _ => router.layer(axum::middleware::from_fn_with_state(cors, cors::cors)),
    }
}
