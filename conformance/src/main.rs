//! # pdxedge-conformance
//!
//! Runs the HTTP conformance cases in `conformance/cases/` against any base URL: the
//! native server, the Worker under `wrangler dev`, or anything else that claims to
//! speak the pdxedge HTTP API. It knows nothing about how the target is built.
//!
//! ```text
//! cargo run -p pdxedge-conformance -- --base-url http://127.0.0.1:8080
//! cargo run -p pdxedge-conformance -- --base-url URL --only json-gzip   # cases whose name contains it
//! cargo run -p pdxedge-conformance -- --base-url URL --skip abort       # all but those
//! cargo run -p pdxedge-conformance -- --base-url URL --bless             # rewrite expected bodies
//! ```
//!
//! The case format is described in `conformance/README.md`. Output: one line per case
//! and a closing `N passed, N failed` line; exit status 1 if any case failed.

mod case;

use case::{Case, Expect};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

struct Args {
    base_url: String,
    dir: PathBuf,
    only: Option<String>,
    skip: Option<String>,
    bless: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut base_url = None;
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let mut only = None;
    let mut skip = None;
    let mut bless = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--base-url" => base_url = it.next(),
            "--dir" => dir = it.next().ok_or("--dir needs a value")?.into(),
            "--only" => only = it.next(),
            "--skip" => skip = it.next(),
            "--bless" => bless = true,
            "-h" | "--help" => {
                return Err("usage: pdxedge-conformance --base-url URL [--dir CONFORMANCE_DIR] [--only TEXT] [--skip TEXT] [--bless]".into());
            }
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    let base_url = base_url.ok_or("--base-url is required")?;
    Ok(Args {
        base_url: base_url.trim_end_matches('/').to_string(),
        dir,
        only,
        skip,
        bless,
    })
}

/// What came back.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Reading the body failed (the target aborted the stream).
    aborted: Option<String>,
}

fn send(agent: &ureq::Agent, base: &str, case: &Case, body: &[u8]) -> Result<Reply, String> {
    let url = format!("{base}{}", case.path);
    let res = match case.method.as_str() {
        "GET" | "OPTIONS" | "DELETE" => {
            let mut req = match case.method.as_str() {
                "GET" => agent.get(&url),
                "OPTIONS" => agent.options(&url),
                _ => agent.delete(&url),
            };
            for (k, v) in &case.headers {
                req = req.header(k, v);
            }
            req.call()
        }
        "POST" | "PUT" => {
            let mut req = if case.method == "POST" {
                agent.post(&url)
            } else {
                agent.put(&url)
            };
            for (k, v) in &case.headers {
                req = req.header(k, v);
            }
            req.send(body)
        }
        m => return Err(format!("unsupported method {m}")),
    };
    let mut res = res.map_err(|e| format!("request failed: {e}"))?;
    let status = res.status().as_u16();
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let mut body = Vec::new();
    let aborted = res
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .reader()
        .read_to_end(&mut body)
        .err()
        .map(|e| e.to_string());
    Ok(Reply {
        status,
        headers,
        body,
        aborted,
    })
}

fn header<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    reply
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Check one reply; the list of what did not match.
fn check(case: &Case, reply: &Reply, dir: &Path, bless: bool) -> Vec<String> {
    let mut bad = Vec::new();
    for e in &case.expect {
        match e {
            Expect::Status(s) if reply.status != *s => {
                bad.push(format!("status {} (want {s})", reply.status));
            }
            Expect::Header(k, v) => match header(reply, k) {
                Some(got) if got.eq_ignore_ascii_case(v) => {}
                got => bad.push(format!("header {k}: {got:?} (want {v:?})")),
            },
            Expect::NoHeader(k) => {
                if let Some(got) = header(reply, k) {
                    bad.push(format!("header {k}: {got:?} (want none)"));
                }
            }
            Expect::Body(file) | Expect::GzipBody(file) => {
                let got = if matches!(e, Expect::GzipBody(_)) {
                    match gunzip(&reply.body) {
                        Ok(b) => b,
                        Err(m) => {
                            bad.push(format!("body is not gzip: {m}"));
                            continue;
                        }
                    }
                } else {
                    reply.body.clone()
                };
                let path = dir.join(file);
                if bless && reply.aborted.is_none() {
                    if let Err(err) = std::fs::write(&path, &got) {
                        bad.push(format!("cannot bless {}: {err}", path.display()));
                    }
                    continue;
                }
                match std::fs::read(&path) {
                    Ok(want) if want == got => {}
                    Ok(want) => bad.push(format!(
                        "body differs from {file} ({} bytes, want {}){}",
                        got.len(),
                        want.len(),
                        first_difference(&got, &want)
                    )),
                    Err(err) => bad.push(format!("cannot read {file}: {err}")),
                }
            }
            Expect::Json(want) => match serde_json::from_slice::<serde_json::Value>(&reply.body) {
                Ok(got) => {
                    if let Some(m) = subset(want, &got, "") {
                        bad.push(format!("JSON body: {m}"));
                    }
                }
                Err(err) => bad.push(format!(
                    "body is not JSON ({err}): {}",
                    String::from_utf8_lossy(&reply.body[..reply.body.len().min(200)])
                )),
            },
            Expect::Aborted(want) => {
                let got = reply.aborted.is_some();
                if got != *want {
                    bad.push(format!(
                        "stream {} (want {})",
                        if got { "aborted" } else { "complete" },
                        if *want { "aborted" } else { "complete" }
                    ));
                }
            }
            Expect::BodyLen(n) if reply.body.len() != *n => {
                bad.push(format!("body has {} bytes (want {n})", reply.body.len()));
            }
            Expect::BodyCrc32(c) => {
                let got = crc32fast::hash(&reply.body);
                if got != *c {
                    bad.push(format!("body CRC-32 {got:08x} (want {c:08x})"));
                }
            }
            Expect::MinBodyLen(n) if reply.body.len() < *n => {
                bad.push(format!(
                    "body has {} bytes (want at least {n})",
                    reply.body.len()
                ));
            }
            _ => {}
        }
    }
    let expects_abort = case
        .expect
        .iter()
        .any(|e| matches!(e, Expect::Aborted(true)));
    if let (Some(err), false) = (&reply.aborted, expects_abort) {
        bad.push(format!("reading the body failed: {err}"));
    }
    bad
}

/// `None` if every member of `want` is in `got` with the same value (recursively for
/// objects); else where they differ.
fn subset(want: &serde_json::Value, got: &serde_json::Value, at: &str) -> Option<String> {
    match (want, got) {
        (serde_json::Value::Object(w), serde_json::Value::Object(g)) => {
            w.iter().find_map(|(k, wv)| match g.get(k) {
                None => Some(format!("{at}/{k} missing")),
                Some(gv) => subset(wv, gv, &format!("{at}/{k}")),
            })
        }
        _ if want == got => None,
        _ => Some(format!("{at} is {got} (want {want})")),
    }
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let i = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let show = |s: &[u8]| {
        String::from_utf8_lossy(&s[i.saturating_sub(20)..(i + 40).min(s.len())]).into_owned()
    };
    format!(" at byte {i}: got {:?}, want {:?}", show(a), show(b))
}

fn gunzip(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(m) => {
            eprintln!("{m}");
            return ExitCode::from(2);
        }
    };
    let cases = match case::load_all(&args.dir.join("cases")) {
        Ok(c) => c,
        Err(m) => {
            eprintln!("conformance: {m}");
            return ExitCode::from(2);
        }
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        // A new connection for every case, so that no case depends on how the one before
        // left its connection: under workerd an aborted stream ends like a complete one
        // (the known deviation of case 070), and the next request on that connection
        // then hung until the timeout.
        .max_idle_connections(0)
        .build()
        .into();
    let (mut passed, mut failed) = (0, 0);
    for case in cases.iter().filter(|c| {
        args.only
            .as_ref()
            .is_none_or(|o| c.name.contains(o.as_str()))
            && args
                .skip
                .as_ref()
                .is_none_or(|s| !c.name.contains(s.as_str()))
    }) {
        let body = match case.body(&args.dir) {
            Ok(b) => b,
            Err(m) => {
                println!("FAIL {}: {m}", case.name);
                failed += 1;
                continue;
            }
        };
        let bad = match send(&agent, &args.base_url, case, &body) {
            Ok(reply) => check(case, &reply, &args.dir, args.bless),
            Err(m) => vec![m],
        };
        if bad.is_empty() {
            println!("ok   {}", case.name);
            passed += 1;
        } else {
            println!("FAIL {}: {}", case.name, bad.join("; "));
            failed += 1;
        }
    }
    println!("conformance: {passed} passed, {failed} failed");
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
