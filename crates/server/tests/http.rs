//! The native server over real sockets, with real clients: every status the API
//! promises (200, 400, 413, 415, 422, 503), streaming both ways, aborts, static files,
//! and the deadline for a request's head.

mod common;

use common::*;
use pdxedge_core::json::{DuplicateKeyMode, JsonOptions};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn post(
    s: &Server,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut req = agent().post(s.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut res = req.send(body).unwrap();
    let status = res.status().as_u16();
    let hs = res
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = res
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_vec()
        .unwrap();
    (status, hs, body)
}

fn header<'a>(hs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    hs.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn converts_text_with_every_option() {
    let s = Server::start(config());
    let input = b"EU4txt\ncore=AAA core=BBB color = rgb { 1 2 3 } name=\"01\"\n";
    let (status, hs, body) = post(&s, "/v1/json", &[], input);
    assert_eq!(status, 200);
    assert_eq!(header(&hs, "content-type"), Some("application/json"));
    assert_eq!(
        body,
        pdxedge_core::to_json(input, JsonOptions::default()).unwrap()
    );

    let (status, _, body) = post(
        &s,
        "/v1/json?mode=group&narrow=unquoted&pretty=true&encoding=utf-8",
        &[],
        input,
    );
    assert_eq!(status, 200);
    let opts = JsonOptions {
        mode: DuplicateKeyMode::Group,
        narrow: pdxedge_core::json::Narrowing::Unquoted,
        pretty: true,
        encoding: pdxedge_core::Encoding::Utf8,
    };
    assert_eq!(body, pdxedge_core::to_json(input, opts).unwrap());
}

#[test]
fn request_codings_are_decoded_and_responses_compressed() {
    let s = Server::start(config());
    let input = big_text(300_000);
    let want = pdxedge_core::to_json(&input, JsonOptions::default()).unwrap();
    let gz = gzip(&input);
    let (status, _, body) = post(&s, "/v1/json", &[("Content-Encoding", "gzip")], &gz);
    assert_eq!(status, 200);
    assert_eq!(body, want);

    let zst =
        ruzstd::encoding::compress_to_vec(&input[..], ruzstd::encoding::CompressionLevel::Fastest);
    let (status, _, body) = post(&s, "/v1/json", &[("Content-Encoding", "zstd")], &zst);
    assert_eq!(status, 200);
    assert_eq!(body, want);

    let mut br = Vec::new();
    brotli::BrotliCompress(&mut &input[..], &mut br, &Default::default()).unwrap();
    let (status, _, body) = post(&s, "/v1/json", &[("Content-Encoding", "br")], &br);
    assert_eq!(status, 200);
    assert_eq!(body, want);

    let (status, hs, body) = post(&s, "/v1/json", &[("Accept-Encoding", "gzip")], &input);
    assert_eq!(status, 200);
    assert_eq!(header(&hs, "content-encoding"), Some("gzip"));
    assert!(body.len() < want.len() / 4);
    assert_eq!(gunzip(&body), want);

    let (status, hs, body) = post(&s, "/v1/json", &[("Accept-Encoding", "br, gzip")], &input);
    assert_eq!(status, 200);
    assert_eq!(header(&hs, "content-encoding"), Some("br"));
    let mut back = Vec::new();
    brotli::BrotliDecompress(&mut &body[..], &mut back).unwrap();
    assert_eq!(back, want);
}

#[test]
fn a_large_upload_streams_through() {
    let s = Server::start(config());
    let input = big_text(12 << 20);
    let want = pdxedge_core::to_json(&input, JsonOptions::default()).unwrap();
    let res = duplex(s.addr, "/v1/json", &[], input, 16 << 10);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("transfer-encoding"), Some("chunked"));
    assert!(res.complete);
    assert_eq!(res.body.len(), want.len());
    assert!(res.body == want);
}

#[test]
fn status_400_bad_syntax_with_position() {
    let s = Server::start(config());
    let (status, hs, body) = post(&s, "/v1/json", &[], b"a=1\nb = { c = }\n");
    assert_eq!(status, 400);
    assert_eq!(
        header(&hs, "content-type"),
        Some("application/problem+json")
    );
    let p = problem(&body);
    assert_eq!(p["type"], "tag:pdxedge,2026:syntax");
    assert_eq!(p["status"], 400);
    assert_eq!(p["line"], 2);
    assert_eq!(p["offset"], 14);
    assert_eq!(p["column"], 11);
    assert!(
        p["detail"].as_str().unwrap().contains("byte offset 14"),
        "{p}"
    );

    // A body that is not what its Content-Encoding says.
    let (status, _, body) = post(&s, "/v1/json", &[("Content-Encoding", "gzip")], b"a=1");
    assert_eq!(status, 400);
    assert_eq!(problem(&body)["type"], "tag:pdxedge,2026:bad-encoding");

    let (status, _, body) = post(&s, "/v1/json?narrow=some", &[], b"a=1");
    assert_eq!(status, 400);
    assert!(
        problem(&body)["detail"]
            .as_str()
            .unwrap()
            .contains("narrow")
    );
}

#[test]
fn status_413_for_each_size_limit() {
    let mut c = config();
    c.api.limits.max_body_bytes = 10_000;
    c.api.limits.max_inflated_bytes = 50_000;
    c.api.limits.max_buffered_bytes = 5_000;
    let s = Server::start(c);
    let input = big_text(20_000);

    // Declared length over the limit: refused before reading.
    let (status, _, body) = post(&s, "/v1/json", &[], &input);
    assert_eq!(status, 413);
    let p = problem(&body);
    assert_eq!(p["type"], "tag:pdxedge,2026:too-large");
    assert_eq!(p["limit"], 10_000);

    // Chunked (no length): refused when the count passes the limit.
    let res = duplex(s.addr, "/v1/json", &[], input.clone(), 1000);
    assert_eq!(res.status, 413);

    // Small on the wire, too large inflated.
    let bomb = gzip(&vec![b' '; 200_000]);
    assert!(bomb.len() < 10_000);
    let (status, _, body) = post(&s, "/v1/json", &[("Content-Encoding", "gzip")], &bomb);
    assert_eq!(status, 413);
    assert_eq!(problem(&body)["limit"], 50_000);

    // Group mode holds its input.
    let (status, _, body) = post(&s, "/v1/json?mode=group", &[], &input[..8_000]);
    assert_eq!(status, 413);
    assert!(
        problem(&body)["detail"]
            .as_str()
            .unwrap()
            .contains("mode=group")
    );
    let (status, _, _) = post(&s, "/v1/json", &[], &input[..8_000]);
    assert_eq!(
        status, 400,
        "preserve mode streams (this slice ends mid-token)"
    );
}

#[test]
fn status_415_names_the_accepted_codings() {
    let s = Server::start(config());
    for coding in ["deflate", "compress", "gzip, br"] {
        let (status, hs, body) = post(&s, "/v1/json", &[("Content-Encoding", coding)], b"a=1");
        assert_eq!(status, 415, "{coding}");
        assert_eq!(
            header(&hs, "accept-encoding"),
            Some("gzip, br, zstd, identity")
        );
        assert_eq!(
            problem(&body)["type"],
            "tag:pdxedge,2026:unsupported-encoding"
        );
    }
}

#[test]
fn status_422_for_binary_saves() {
    let s = Server::start(config());
    let (status, _, body) = post(&s, "/v1/json", &[], b"EU4binM(\x01\x00\x0c\x00h\xceq\x03");
    assert_eq!(status, 422);
    let p = problem(&body);
    assert_eq!(p["type"], "tag:pdxedge,2026:binary-save");
    assert_eq!(p["offset"], 0);
}

/// Open a request whose body never finishes, so it holds its slot.
fn hold_a_slot(s: &Server) -> TcpStream {
    let mut t = TcpStream::connect(s.addr).unwrap();
    write!(
        t,
        "POST /v1/json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\na=1 b\r\n"
    )
    .unwrap();
    t
}

/// Has the server answered on this connection (the holder lost the race for the slot)?
fn answered(t: &TcpStream) -> bool {
    t.set_nonblocking(true).unwrap();
    let got = (&*t).read(&mut [0u8; 1]);
    t.set_nonblocking(false).unwrap();
    !matches!(got, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

#[test]
fn status_503_when_all_slots_are_busy() {
    let mut c = config();
    c.api.limits.max_conversions = 1;
    let s = Server::start(c);
    let mut held = hold_a_slot(&s);
    // The server takes the slot once it has read the holder's headers; poll until it
    // has. A poll can get there first (the slot is free then), and if the holder
    // arrives while a poll has the slot, the holder is the one shed: start it again.
    let mut shed = None;
    for _ in 0..500 {
        let (status, hs, body) = post(&s, "/v1/json", &[], b"a=1");
        if status == 503 {
            shed = Some((hs, body));
            break;
        }
        if answered(&held) {
            held = hold_a_slot(&s);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (hs, body) = shed.expect("never shed load");
    assert_eq!(header(&hs, "retry-after"), Some("2"));
    let p = problem(&body);
    assert_eq!(p["type"], "tag:pdxedge,2026:overloaded");
    assert_eq!(p["limit"], 1);
    // The slot comes back when the holder finishes.
    drop(held);
    let mut ok = false;
    for _ in 0..500 {
        if post(&s, "/v1/json", &[], b"a=1").0 == 200 {
            ok = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(ok, "the slot was not given back");
}

#[test]
fn group_mode_has_its_own_slots() {
    let mut c = config();
    c.api.limits.max_buffered_conversions = 0;
    let s = Server::start(c);
    assert_eq!(post(&s, "/v1/json?mode=group", &[], b"a=1").0, 503);
    assert_eq!(post(&s, "/v1/json", &[], b"a=1").0, 200);
}

/// A file cut short converts in one go, so its error comes right behind the first
/// output. The client must still get the status and the JSON made before the error (hyper
/// used to drop the connection with both still in its buffer, about one time in six).
#[test]
fn an_abort_right_behind_the_first_output_still_sends_it() {
    let s = Server::start(config());
    let mut input = b"a = { b = { c = { ".to_vec();
    while input.len() < 200_000 {
        input.extend_from_slice(b"country = { tag = KOR capital = 735 flags = { a b } } ");
    }
    for _ in 0..30 {
        let mut t = TcpStream::connect(s.addr).unwrap();
        let head = format!(
            "POST /v1/json HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            input.len()
        );
        t.write_all(&[head.as_bytes(), &input].concat()).unwrap();
        let res = read_response(t);
        assert_eq!(res.status, 200);
        assert!(!res.complete, "the stream is aborted, not ended");
        assert!(res.body.starts_with(b"{\"a\":{\"b\":{\"c\":{\"country\""));
        assert!(res.body.len() > 64 << 10, "{} bytes", res.body.len());
    }
}

#[test]
fn an_error_after_the_response_started_aborts_it() {
    let s = Server::start(config());
    let mut input = big_text(2 << 20);
    input.extend_from_slice(b"broken = { c = }\n");
    let res = duplex(s.addr, "/v1/json", &[], input.clone(), 64 << 10);
    assert_eq!(
        res.status, 200,
        "the error is found after the response started"
    );
    assert!(
        !res.complete,
        "an aborted stream must not end like a complete one"
    );
    assert!(res.body.len() > 64 << 10);
    // A real client sees an error, not a short body.
    let mut r = agent().post(s.url("/v1/json")).send(&input[..]).unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .is_err()
    );
}

#[test]
fn a_stalled_upload_is_cut_at_the_time_limit() {
    let mut c = config();
    c.api.limits.max_duration = Duration::from_secs(1);
    let s = Server::start(c);
    let held = hold_a_slot(&s);
    held.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let res = read_response(held);
    assert_eq!(res.status, 503);
    assert_eq!(problem(&res.body)["type"], "tag:pdxedge,2026:timeout");
}

#[test]
fn meta_endpoints_static_files_and_not_found() {
    let dir = std::env::temp_dir().join(format!("pdxedge-web-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>t</title>").unwrap();
    let mut c = config();
    c.web = Some(dir.clone());
    let s = Server::start(c);
    let a = agent();

    let mut r = a.get(s.url("/healthz")).call().unwrap();
    assert_eq!(r.status(), 200);
    let health: serde_json::Value =
        serde_json::from_slice(&r.body_mut().read_to_vec().unwrap()).unwrap();
    assert_eq!(health["status"], "ok");

    let mut r = a.get(s.url("/openapi.json")).call().unwrap();
    let doc: serde_json::Value =
        serde_json::from_slice(&r.body_mut().read_to_vec().unwrap()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in ["/v1/json", "/v1/recompress", "/v1/info", "/healthz"] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(
        doc["info"]["description"]
            .as_str()
            .unwrap()
            .contains("max_body_bytes")
    );

    let mut r = a.get(s.url("/")).call().unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.body_mut()
            .read_to_string()
            .unwrap()
            .contains("<title>t</title>")
    );

    let mut r = a.get(s.url("/no/such/file")).call().unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let _ = r.body_mut().read_to_vec();

    let r = a.get(s.url("/v1/json")).call().unwrap();
    assert_eq!(r.status(), 405);

    let (status, _, body) = post(&s, "/v1/info", &[], b"PK\x03\x04");
    assert_eq!(status, 400);
    assert_eq!(problem(&body)["type"], "tag:pdxedge,2026:bad-container");
    let (status, _, body) = post(&s, "/v1/info", &[], b"EU4txt\ndate=1444.11.11\n");
    assert_eq!(status, 200);
    let info: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(info["container"], "text");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cors_preflight_and_headers() {
    let s = Server::start(config());
    let r = agent()
        .options(s.url("/v1/json"))
        .header("Origin", "https://example.test")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-encoding")
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let (_, hs, _) = post(
        &s,
        "/v1/json",
        &[("Origin", "https://example.test")],
        b"a=1",
    );
    assert_eq!(header(&hs, "access-control-allow-origin"), Some("*"));
}

#[test]
fn shutdown_lets_a_request_in_flight_finish() {
    let s = Server::start(config());
    let addr = s.addr;
    let input = big_text(4 << 20);
    let want = pdxedge_core::to_json(&input, JsonOptions::default()).unwrap();
    let (tx, started) = std::sync::mpsc::channel();
    let client =
        std::thread::spawn(move || duplex_notify(addr, "/v1/json", &[], input, 4 << 10, Some(tx)));
    // Stop once the response has started: the request is surely in flight.
    started.recv_timeout(Duration::from_secs(60)).unwrap();
    s.stop();
    let res = client.join().unwrap();
    assert_eq!(res.status, 200);
    assert!(res.complete);
    assert!(res.body == want);
}

/// Seconds until the server closes `t` (reads until EOF or a reset), at most `limit`.
fn closed_within(mut t: TcpStream, limit: Duration) -> Option<Duration> {
    let start = std::time::Instant::now();
    t.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match t.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(start.elapsed());
            }
            Err(_) => return None,
        }
    }
}

#[test]
fn slow_or_silent_clients_are_disconnected_at_the_header_timeout() {
    let mut c = config();
    c.header_timeout = Duration::from_secs(1);
    let s = Server::start(c);
    let limit = Duration::from_secs(15);

    // Connects and sends nothing (the protocol sniff has no timer of its own).
    let silent = TcpStream::connect(s.addr).unwrap();
    // Trickles a request line and never ends its headers (slowloris).
    let mut slow = TcpStream::connect(s.addr).unwrap();
    let addr = s.addr;
    let trickle = std::thread::spawn(move || {
        let mut sent = 0;
        for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: aaaaaaaaaaaaaaaaaaaaaa".iter() {
            if slow.write_all(&[*b]).is_err() {
                break;
            }
            sent += 1;
            std::thread::sleep(Duration::from_millis(200));
        }
        (slow, sent)
    });
    // Idle after one keep-alive request.
    let mut idle = TcpStream::connect(addr).unwrap();
    write!(idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    assert!(closed_within(silent, limit).is_some(), "silent client kept");
    assert!(closed_within(idle, limit).is_some(), "idle keep-alive kept");
    let (slow, sent) = trickle.join().unwrap();
    // It was cut off well before its 59 bytes (12 s) were out.
    assert!(sent < 40, "slow client sent {sent} bytes");
    assert!(closed_within(slow, limit).is_some(), "slow client kept");

    // And the server still answers.
    let (status, _, body) = post(&s, "/v1/json", &[], b"a=1");
    assert_eq!(status, 200);
    assert_eq!(body, br#"{"a":1}"#);
}
