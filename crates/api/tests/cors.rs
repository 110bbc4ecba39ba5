//! Cross-origin answers, header by header, for the three [`Cors`] settings. These are
//! what tower-http's `CorsLayer` answered for this policy (these tests passed against it
//! before `crates/api/src/cors.rs` replaced it): preflights and plain requests, allowed
//! and other origins, `Vary`, and the 404/405 answers around them.

use axum::body::Body;
use http::{HeaderValue, Request, StatusCode};
use http_body_util::BodyExt;
use pdxedge_api::{ApiConfig, Cors, Runtime};
use std::time::Duration;
use tower::ServiceExt;

const PREFLIGHT: &[(&str, &str)] = &[
    ("access-control-allow-methods", "GET,POST"),
    (
        "access-control-allow-headers",
        "content-type,content-encoding",
    ),
    ("access-control-max-age", "86400"),
    ("allow", "POST"),
    ("content-length", "0"),
];
const EXPOSE: (&str, &str) = (
    "access-control-expose-headers",
    "retry-after,content-encoding",
);
/// The headers every successful `/v1/json` answer has, CORS or not.
const JSON_OK: &[(&str, &str)] = &[
    ("content-type", "application/json"),
    ("vary", "accept-encoding"),
    ("cache-control", "no-store"),
    ("x-content-type-options", "nosniff"),
    ("content-length", "7"),
];

fn list() -> Cors {
    Cors::Origins(vec![
        HeaderValue::from_static("https://a.test"),
        HeaderValue::from_static("https://b.test"),
    ])
}

/// Status, and every header as sorted (name, value) pairs (repeated names kept in order).
async fn call(
    cors: Cors,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
    let config = ApiConfig {
        cors,
        ..Default::default()
    };
    let app = pdxedge_api::router(config, Runtime::inline(|| Duration::ZERO));
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app
        .oneshot(req.body(Body::from("a=1")).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let mut got: Vec<(String, String)> = res
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    got.sort();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, got, body)
}

fn sorted(parts: &[&[(&str, &str)]]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = parts
        .iter()
        .flat_map(|p| p.iter())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

const ORIGIN: (&str, &str) = ("origin", "https://example.test");
const ACRM: (&str, &str) = ("access-control-request-method", "POST");

#[tokio::test]
async fn any_origin() {
    let star = ("access-control-allow-origin", "*");
    // Any OPTIONS to a route is answered as a preflight, whatever it asks for.
    for headers in [
        &[
            ORIGIN,
            ACRM,
            ("access-control-request-headers", "content-encoding"),
        ][..],
        &[ORIGIN, ("access-control-request-method", "PUT")],
        &[ORIGIN],
        &[],
    ] {
        for uri in ["/v1/json", "/healthz"] {
            let (status, got, body) = call(Cors::AnyOrigin, "OPTIONS", uri, headers).await;
            assert_eq!(status, StatusCode::OK, "{uri} {headers:?}");
            let allow = if uri == "/healthz" {
                "GET,HEAD"
            } else {
                "POST"
            };
            let mut want = sorted(&[PREFLIGHT, &[star]]);
            for (k, v) in &mut want {
                if k == "allow" {
                    *v = allow.into();
                }
            }
            assert_eq!(got, want, "{uri} {headers:?}");
            assert!(body.is_empty());
        }
    }
    for headers in [&[ORIGIN][..], &[]] {
        let (status, got, body) = call(Cors::AnyOrigin, "POST", "/v1/json", headers).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(got, sorted(&[JSON_OK, &[star, EXPOSE]]), "{headers:?}");
        assert_eq!(body, br#"{"a":1}"#);
    }
    // Errors of a route get them too; the 404 fallback does not.
    let (status, got, _) = call(Cors::AnyOrigin, "GET", "/v1/json", &[ORIGIN]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(got.contains(&(star.0.into(), star.1.into())), "{got:?}");
    assert!(got.contains(&(EXPOSE.0.into(), EXPOSE.1.into())), "{got:?}");
    let (status, got, _) = call(Cors::AnyOrigin, "POST", "/v1/json?mode=x", &[ORIGIN]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(got.contains(&(star.0.into(), star.1.into())), "{got:?}");
    let (status, got, _) = call(Cors::AnyOrigin, "OPTIONS", "/nope", &[ORIGIN, ACRM]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        got.iter().all(|(k, _)| !k.starts_with("access-control")),
        "{got:?}"
    );
}

#[tokio::test]
async fn listed_origins() {
    let vary = ("vary", "origin");
    let a = ("access-control-allow-origin", "https://a.test");
    let b = ("access-control-allow-origin", "https://b.test");
    let (_, got, _) = call(
        list(),
        "OPTIONS",
        "/v1/json",
        &[("origin", "https://a.test"), ACRM],
    )
    .await;
    assert_eq!(got, sorted(&[PREFLIGHT, &[vary, a]]));
    // Another origin, or none: the same answer without the allowed origin.
    for headers in [&[ORIGIN, ACRM][..], &[]] {
        let (status, got, _) = call(list(), "OPTIONS", "/v1/json", headers).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(got, sorted(&[PREFLIGHT, &[vary]]), "{headers:?}");
    }
    let (_, got, _) = call(list(), "POST", "/v1/json", &[("origin", "https://b.test")]).await;
    assert_eq!(got, sorted(&[JSON_OK, &[vary, b, EXPOSE]]));
    for headers in [&[ORIGIN][..], &[]] {
        let (_, got, _) = call(list(), "POST", "/v1/json", headers).await;
        assert_eq!(got, sorted(&[JSON_OK, &[vary, EXPOSE]]), "{headers:?}");
    }
    // `Vary: Origin` comes after the route's own `Vary`.
    let config = ApiConfig {
        cors: list(),
        ..Default::default()
    };
    let app = pdxedge_api::router(config, Runtime::inline(|| Duration::ZERO));
    let res = app
        .oneshot(Request::post("/v1/json").body(Body::from("a=1")).unwrap())
        .await
        .unwrap();
    let varies: Vec<_> = res.headers().get_all("vary").iter().collect();
    assert_eq!(varies, ["accept-encoding", "origin"]);
}

#[tokio::test]
async fn disabled() {
    let (status, got, _) = call(Cors::Disabled, "OPTIONS", "/v1/json", &[ORIGIN, ACRM]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        got.iter().all(|(k, _)| !k.starts_with("access-control")),
        "{got:?}"
    );
    let (status, got, _) = call(Cors::Disabled, "POST", "/v1/json", &[ORIGIN]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, sorted(&[JSON_OK]));
}
