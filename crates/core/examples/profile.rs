//! Profiling aid: run one engine configuration over a file, for `perf stat` / callgrind.
//!
//! `cargo run --release -p pdxedge-core --example profile -- parse|preserve|group|kvp FILE`

use pdxedge_core::json::{DuplicateKeyMode, JsonOptions};
use pdxedge_core::text::{Operator, Parser, Sink, SinkResult};

struct Null(usize);

impl Sink for Null {
    fn open_object(&mut self, _: u64) -> SinkResult {
        Ok(())
    }
    fn open_array(&mut self, _: u64) -> SinkResult {
        Ok(())
    }
    fn close(&mut self) -> SinkResult {
        Ok(())
    }
    fn scalar(&mut self, b: &[u8], _: bool, _: bool) -> SinkResult {
        self.0 += b.len();
        Ok(())
    }
    fn header(&mut self, _: &[u8]) -> SinkResult {
        Ok(())
    }
    fn parameter(&mut self, _: &[u8], _: bool) -> SinkResult {
        Ok(())
    }
    fn operator(&mut self, _: Operator, _: bool) -> SinkResult {
        Ok(())
    }
    fn mixed(&mut self) -> SinkResult {
        Ok(())
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(what), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: profile parse|preserve|group|kvp FILE");
        std::process::exit(2);
    };
    let data = std::fs::read(path).expect("readable file");
    let mode = match what.as_str() {
        "parse" => {
            let mut parser = Parser::default();
            let mut sink = Null(0);
            for chunk in data.chunks(64 << 10) {
                let _ = parser.feed(chunk, &mut sink);
            }
            let _ = parser.finish(&mut sink);
            println!("{} scalar bytes", sink.0);
            return;
        }
        "group" => DuplicateKeyMode::Group,
        "kvp" => DuplicateKeyMode::KeyValuePairs,
        _ => DuplicateKeyMode::Preserve,
    };
    let mut t = pdxedge_core::Transcoder::new(JsonOptions {
        mode,
        ..JsonOptions::default()
    });
    let mut out = Vec::new();
    let mut total = 0;
    for chunk in data.chunks(64 << 10) {
        let _ = t.feed(chunk, &mut out);
        total += out.len();
        out.clear();
    }
    let _ = t.finish_with(|c| total += c.len());
    println!("{total} bytes of JSON");
}
