//! How the cost of one long token grows with its length when it arrives in small chunks
//! (a server or a Worker receives bodies in 4 KiB pieces; the CLI reads 256 KiB):
//! `cargo run --release --example token_chunks`. Prints seconds per (token kind, length,
//! chunk size); a cost that grows linearly with the length is what streaming promises.

use pdxedge_core::{Transcoder, json::JsonOptions};
use std::time::Instant;

fn main() {
    for (label, prefix) in [("quoted", &b"a = \""[..]), ("unquoted", &b"a = "[..])] {
        for mib in [1usize, 2, 4] {
            for chunk in [4096usize, 65536, 262144] {
                let mut input = prefix.to_vec();
                input.resize(prefix.len() + (mib << 20), b'x');
                input.extend_from_slice(b"\" b = 1\n");
                let mut t = Transcoder::new(JsonOptions::default());
                let mut out = Vec::new();
                let start = Instant::now();
                let mut result = Ok(());
                for piece in input.chunks(chunk) {
                    result = t.feed(piece, &mut out);
                    out.clear();
                    if result.is_err() {
                        break;
                    }
                }
                if result.is_ok() {
                    result = t.finish(&mut out);
                }
                let secs = start.elapsed().as_secs_f64();
                let status = result.map_or_else(|e| e.to_string(), |()| "ok".to_string());
                println!("{label:8} token {mib} MiB, {chunk:6} B chunks: {secs:8.3} s  {status}");
            }
        }
    }
}
