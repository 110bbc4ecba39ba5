//! The router as the Worker runs it: an inline runtime (no threads, no timer), driven
//! in-process through `tower::ServiceExt::oneshot`. Bodies arrive in many small frames,
//! like a real upload.

use axum::body::Body;
use bytes::Bytes;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use pdxedge_api::{ApiConfig, Runtime};
use pdxedge_core::json::{DuplicateKeyMode, JsonOptions};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tower::ServiceExt;

fn inline() -> Runtime {
    Runtime::inline(|| Duration::ZERO)
}

fn text(n: usize) -> Vec<u8> {
    let mut s = Vec::new();
    let mut i = 0;
    while s.len() < n {
        s.extend_from_slice(
            format!("p{i}={{ owner=K{} core=A core=B v={}.5 }}\n", i % 7, i).as_bytes(),
        );
        i += 1;
    }
    s
}

/// A body in `chunk`-byte frames.
fn framed(data: Vec<u8>, chunk: usize) -> Body {
    let frames: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    Body::from_stream(futures_util::stream::iter(frames))
}

async fn post(
    app: axum::Router,
    uri: &str,
    headers: &[(&str, &str)],
    body: Body,
) -> (StatusCode, http::HeaderMap, Result<Bytes, String>) {
    let mut req = Request::post(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app.oneshot(req.body(body).unwrap()).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| e.to_string());
    (parts.status, parts.headers, bytes)
}

#[tokio::test]
async fn streams_in_many_frames_with_the_same_bytes_as_the_core() {
    let input = text(3 << 20);
    for (mode, q) in [
        (DuplicateKeyMode::Preserve, "preserve"),
        (DuplicateKeyMode::Group, "group"),
        (DuplicateKeyMode::KeyValuePairs, "key-value-pairs"),
    ] {
        let want = pdxedge_core::to_json(
            &input,
            JsonOptions {
                mode,
                ..Default::default()
            },
        )
        .unwrap();
        let app = pdxedge_api::router(ApiConfig::default(), inline());
        let (status, headers, body) = post(
            app,
            &format!("/v1/json?mode={q}"),
            &[],
            framed(input.clone(), 4096),
        )
        .await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(headers["content-type"], "application/json");
        assert!(body.unwrap() == want, "{q}: different bytes");
    }
}

#[tokio::test]
async fn gzip_in_gzip_out() {
    use std::io::{Read, Write};
    let input = text(1 << 20);
    let want = pdxedge_core::to_json(&input, JsonOptions::default()).unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(&input).unwrap();
    let gz = e.finish().unwrap();
    let app = pdxedge_api::router(ApiConfig::default(), inline());
    let (status, headers, body) = post(
        app,
        "/v1/json",
        &[("content-encoding", "gzip"), ("accept-encoding", "gzip")],
        framed(gz, 1000),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-encoding"], "gzip");
    let mut back = Vec::new();
    flate2::read::GzDecoder::new(&body.unwrap()[..])
        .read_to_end(&mut back)
        .unwrap();
    assert!(back == want);
}

#[tokio::test]
async fn a_late_error_aborts_the_body_stream() {
    let mut input = text(1 << 20);
    input.extend_from_slice(b"x = { y = }\n");
    let app = pdxedge_api::router(ApiConfig::default(), inline());
    let (status, _, body) = post(app, "/v1/json", &[], framed(input, 8192)).await;
    assert_eq!(status, 200);
    let e = body.unwrap_err();
    assert!(e.contains("syntax error"), "{e}");
}

#[tokio::test]
async fn an_early_error_is_a_problem_response() {
    let app = pdxedge_api::router(ApiConfig::default(), inline());
    let (status, headers, body) =
        post(app, "/v1/json", &[], framed(b"a = { b = }".to_vec(), 3)).await;
    assert_eq!(status, 400);
    assert_eq!(headers["content-type"], "application/problem+json");
    let p: serde_json::Value = serde_json::from_slice(&body.unwrap()).unwrap();
    assert_eq!(p["offset"], 10);
    assert_eq!(p["line"], 1);
}

#[tokio::test]
async fn the_time_limit_uses_the_hosts_clock() {
    // A clock that advances 1 s each time it is read: the 5 s limit passes mid-upload.
    let t = Arc::new(AtomicU64::new(0));
    let rt = Runtime::inline(move || Duration::from_secs(t.fetch_add(1, Ordering::SeqCst)));
    let mut config = ApiConfig::default();
    config.limits.max_duration = Duration::from_secs(5);
    let app = pdxedge_api::router(config, rt);
    let (status, _, body) = post(app, "/v1/json", &[], framed(text(1 << 20), 1024)).await;
    assert_eq!(status, 503);
    let p: serde_json::Value = serde_json::from_slice(&body.unwrap()).unwrap();
    assert_eq!(p["type"], "tag:pdxedge,2026:timeout");
    assert_eq!(p["limit"], 5);
}

/// The OpenAPI document a router with `config` serves.
async fn openapi(config: ApiConfig) -> serde_json::Value {
    let app = pdxedge_api::router(config, inline());
    let res = app
        .oneshot(Request::get("/openapi.json").body(Body::empty()).unwrap())
        .await
        .unwrap();
    serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

#[tokio::test]
async fn limits_are_in_the_openapi_document() {
    let mut config = ApiConfig::default();
    config.limits.max_body_bytes = 12345;
    let doc = openapi(config).await;
    let desc = doc["info"]["description"].as_str().unwrap();
    assert!(desc.contains("| `max_body_bytes` | 12345 |"), "{desc}");
    assert_eq!(doc["openapi"], "3.1.0");
    let params = doc["paths"]["/v1/json"]["post"]["parameters"]
        .as_array()
        .unwrap();
    let names: Vec<_> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["mode", "narrow", "pretty", "encoding", "entry"]);
}

/// A zip of STORED entries, written by hand so the test needs no zip writer.
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let crc = crc32fast::hash(data);
        let offset = out.len() as u32;
        let fixed = |buf: &mut Vec<u8>| {
            buf.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, STORED, time, date
            buf.extend_from_slice(&crc.to_le_bytes());
            buf.extend_from_slice(&(data.len() as u32).to_le_bytes());
            buf.extend_from_slice(&(data.len() as u32).to_le_bytes());
            buf.extend_from_slice(&(name.len() as u16).to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes()); // extra length
        };
        out.extend_from_slice(b"PK\x03\x04");
        fixed(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02\x14\x00");
        fixed(&mut central);
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    let n = entries.len() as u16;
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[tokio::test]
async fn recompress_formats_take_both_spellings_and_print_one() {
    let meta = b"EU4txt\ndate=1444.11.11\n".to_vec();
    let gamestate = text(200 << 10);
    let zip = stored_zip(&[("meta", &meta), ("gamestate", &gamestate)]);
    let mut bodies = Vec::new();
    for query in ["", "?format=tar.br", "?format=tar-br", "?format=TAR.BR"] {
        let app = pdxedge_api::router(ApiConfig::default(), inline());
        let uri = format!("/v1/recompress{query}");
        let (status, headers, body) = post(app, &uri, &[], framed(zip.clone(), 4096)).await;
        let body = body.unwrap();
        assert_eq!(
            status,
            StatusCode::OK,
            "{uri}: {}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(
            headers["content-disposition"], "attachment; filename=\"save.tar.br\"",
            "{uri}"
        );
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    let mut tar = Vec::new();
    brotli::BrotliDecompress(&mut &bodies[0][..], &mut tar).unwrap();
    assert_eq!(tar.len() as u64, {
        let sizes = [
            ("meta", meta.len() as u64),
            ("gamestate", gamestate.len() as u64),
        ];
        pdxedge_core::recompress::tar_size(sizes)
    });

    let app = pdxedge_api::router(ApiConfig::default(), inline());
    let (status, _, body) = post(app, "/v1/recompress?format=tar.gz", &[], Body::from(zip)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body = String::from_utf8(body.unwrap().to_vec()).unwrap();
    assert!(
        body.contains("expected tar.br, zip-zstd, tar.zst or tar"),
        "{body}"
    );

    let doc = openapi(ApiConfig::default()).await;
    let schema = &doc["components"]["schemas"]["RecompressFormat"];
    assert_eq!(
        schema["enum"],
        serde_json::json!(["tar.br", "zip-zstd", "tar.zst", "tar"])
    );
    assert_eq!(schema["default"], "tar.br");
}
