//! Query strings through the router: what is accepted, and the 400s (status, problem
//! type, a detail naming the parameter, the bad value and what is accepted). The rules
//! are the ones axum's `Query` extractor applied before `crates/api/src/query.rs`
//! replaced it: unknown and repeated parameters refused, `+` and `%XX` decoded, empty
//! pairs skipped.

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use pdxedge_api::{ApiConfig, Runtime};
use std::time::Duration;
use tower::ServiceExt;

async fn post(uri: &str) -> (StatusCode, String) {
    let app = pdxedge_api::router(ApiConfig::default(), Runtime::inline(|| Duration::ZERO));
    let req = Request::post(uri).body(Body::from("a=1")).unwrap();
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn refused(uri: &str, detail: &str) {
    let (status, body) = post(uri).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
    let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["type"], "tag:pdxedge,2026:bad-request", "{uri}");
    assert_eq!(problem["detail"], detail, "{uri}");
}

#[tokio::test]
async fn accepted_queries() {
    for (query, want) in [
        ("", r#"{"a":1}"#),
        ("?", r#"{"a":1}"#),
        ("?&&mode=group&", r#"{"a":1}"#),
        (
            "?mode=key%2Dvalue-pairs",
            r#"{"type":"obj","val":[["a",1]]}"#,
        ),
        (
            "?m%6Fde=key-value-pairs",
            r#"{"type":"obj","val":[["a",1]]}"#,
        ),
        ("?pretty", "{\n  \"a\": 1\n}"),
        ("?pretty=", "{\n  \"a\": 1\n}"),
        ("?pretty=1&narrow=none", "{\n  \"a\": \"1\"\n}"),
        ("?pretty=false&encoding=windows-1252", r#"{"a":1}"#),
        // `entry` only matters for zip saves; any text is a valid name.
        ("?entry=a+b%20c%FF", r#"{"a":1}"#),
    ] {
        let (status, body) = post(&format!("/v1/json{query}")).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, want), "{query}");
    }
}

#[tokio::test]
async fn json_query_errors() {
    let modes = "expected one of `preserve`, `group`, `key-value-pairs`";
    for (query, detail) in [
        ("mode=sorted", format!("query parameter `mode`: unknown value `sorted`; {modes}")),
        ("mode=Group", format!("query parameter `mode`: unknown value `Group`; {modes}")),
        ("mode", format!("query parameter `mode`: unknown value ``; {modes}")),
        (
            "narrow=x&mode=y",
            "query parameter `narrow`: unknown value `x`; expected one of `all`, `unquoted`, `none`"
                .into(),
        ),
        (
            "encoding=UTF-8",
            "query parameter `encoding`: unknown value `UTF-8`; expected one of `auto`, `utf-8`, `windows-1252`"
                .into(),
        ),
        (
            "pretty=yes",
            "query parameter `pretty`: expected true, false, 1 or 0, not `yes`".into(),
        ),
        (
            "mode=group&prety",
            "unknown query parameter `prety`; expected one of `mode`, `narrow`, `pretty`, `encoding`, `entry`"
                .into(),
        ),
        (
            "=x",
            "unknown query parameter ``; expected one of `mode`, `narrow`, `pretty`, `encoding`, `entry`"
                .into(),
        ),
        ("mode=group&mode=group", "query parameter `mode` given more than once".into()),
        ("entry=a&entry=b", "query parameter `entry` given more than once".into()),
    ] {
        refused(&format!("/v1/json?{query}"), &detail).await;
    }
}

#[cfg(feature = "full")]
#[tokio::test]
async fn recompress_query_errors() {
    let number = "expected a whole number from 0 to 4294967295";
    for (query, detail) in [
        (
            "format=rar",
            "query parameter `format`: unknown format \"rar\": expected tar.br, zip-zstd, tar.zst or tar (tar-br and tar-zst are accepted too)".to_owned(),
        ),
        ("quality=abc", format!("query parameter `quality`: {number}, not `abc`")),
        ("quality=-1", format!("query parameter `quality`: {number}, not `-1`")),
        // `+` is a space in a query string.
        ("quality=+5", format!("query parameter `quality`: {number}, not ` 5`")),
        ("quality=", format!("query parameter `quality`: {number}, not ``")),
        (
            "window=4294967296",
            format!("query parameter `window`: {number}, not `4294967296`"),
        ),
        (
            "format=tar&format=tar",
            "query parameter `format` given more than once".into(),
        ),
        (
            "bogus=1",
            "unknown query parameter `bogus`; expected one of `format`, `quality`, `window`".into(),
        ),
    ] {
        refused(&format!("/v1/recompress?{query}"), &detail).await;
    }
    // A good query gets as far as the body (which is no archive).
    let (status, _) = post("/v1/recompress?format=TAR-BR&quality=05&window=20").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
