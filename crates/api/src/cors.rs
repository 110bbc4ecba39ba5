//! Cross-origin headers ([`Cors`]), set here by a few lines of middleware instead of
//! tower-http's `CorsLayer` (5.1-5.5 KB of gzipped Worker Wasm for one fixed policy). The
//! answers are the ones `CorsLayer` gave for this policy (`tests/cors.rs` pins them):
//! - any `OPTIONS` request to a route is a preflight: 200, empty body, the allowed
//!   methods and headers, a one-day max age, and the origin when it is allowed;
//! - every other answer of a route gets the origin when it is allowed, and the exposed
//!   headers;
//! - with a list of origins, `Vary: Origin` on both (the answer depends on it).
//!
//! No CORS headers on the 404 fallback (it is outside the routes' layers).

use crate::Cors;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, HeaderValue, Method, header};

pub(crate) async fn cors(State(cors): State<Cors>, req: Request, next: Next) -> Response {
    let allowed = match &cors {
        // Not layered at all (see `routes`); here for completeness.
        Cors::Disabled => return next.run(req).await,
        Cors::AnyOrigin => Some(HeaderValue::from_static("*")),
        Cors::Origins(list) => req
            .headers()
            .get(header::ORIGIN)
            .filter(|o| list.contains(o))
            .cloned(),
    };
    let preflight = req.method() == Method::OPTIONS;
    let mut res = if preflight {
        Response::default()
    } else {
        next.run(req).await
    };
    let h: &mut HeaderMap = res.headers_mut();
    if matches!(cors, Cors::Origins(_)) {
        h.append(header::VARY, HeaderValue::from_static("origin"));
    }
    if preflight {
        let allow =
            |h: &mut HeaderMap, name, value| h.insert(name, HeaderValue::from_static(value));
        allow(h, header::ACCESS_CONTROL_ALLOW_METHODS, "GET,POST");
        allow(
            h,
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            "content-type,content-encoding",
        );
        allow(h, header::ACCESS_CONTROL_MAX_AGE, "86400");
    } else {
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after,content-encoding"),
        );
    }
    if let Some(origin) = allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    res
}
