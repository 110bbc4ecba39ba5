//! A server on 127.0.0.1 for one test, and two clients: `ureq` (a real HTTP client)
//! and a raw full-duplex HTTP/1.1 client that sends a chunked body on one thread
//! while reading the response on another, and shows exactly how a response ended.

#![allow(dead_code)]

use pdxedge_server::ServeConfig;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub struct Server {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start(config: ServeConfig) -> Server {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                pdxedge_server::serve(listener, config, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        let addr = addr_rx.recv().unwrap();
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Signal shutdown and wait until the server has stopped.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

pub fn config() -> ServeConfig {
    ServeConfig {
        web: None,
        ..ServeConfig::default()
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// A response read by [`duplex`].
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The chunked body ended with its final zero-length chunk.
    pub complete: bool,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// POST `body` in `chunk`-byte chunks (Transfer-Encoding: chunked) while reading the
/// response, as a browser or curl would with HTTP/1.1.
pub fn duplex(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
    chunk: usize,
) -> Raw {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut w = stream.try_clone().unwrap();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let writer = std::thread::spawn(move || {
        let _ = w.write_all(head.as_bytes());
        for c in body.chunks(chunk.max(1)) {
            let framed = [format!("{:x}\r\n", c.len()).as_bytes(), c, b"\r\n"].concat();
            if w.write_all(&framed).is_err() {
                return;
            }
        }
        let _ = w.write_all(b"0\r\n\r\n");
    });
    let raw = read_response(stream);
    let _ = writer.join();
    raw
}

/// Read one response; tolerate a connection that ends early (that is what we test).
pub fn read_response(stream: TcpStream) -> Raw {
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line).unwrap();
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').unwrap();
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    let mut complete = false;
    if let Some(len) = find("content-length") {
        let len: usize = len.parse().unwrap();
        body.resize(len, 0);
        complete = r.read_exact(&mut body).is_ok();
    } else if find("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            line.clear();
            match r.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let Ok(size) = usize::from_str_radix(line.trim(), 16) else {
                break;
            };
            if size == 0 {
                line.clear();
                complete = r.read_line(&mut line).is_ok_and(|n| n > 0);
                break;
            }
            let mut c = vec![0; size + 2];
            if r.read_exact(&mut c).is_err() {
                break;
            }
            body.extend_from_slice(&c[..size]);
        }
    }
    Raw {
        status,
        headers,
        body,
        complete,
    }
}

/// Clausewitz text of about `n` bytes, ASCII, many keys and nesting.
pub fn big_text(n: usize) -> Vec<u8> {
    let mut s = Vec::with_capacity(n + 200);
    let mut i = 0u64;
    while s.len() < n {
        s.extend_from_slice(
            format!(
                "province{i}={{ owner=K{:02} tax={}.{:03} flags={{ a b \"quoted {i}\" }} history={{ 1444.11.11={{ core=K{:02} }} }} }}\n",
                i % 97,
                i % 13,
                i % 1000,
                i % 89
            )
            .as_bytes(),
        );
        i += 1;
    }
    s
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

pub fn problem(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}
