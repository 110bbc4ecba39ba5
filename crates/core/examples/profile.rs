//! Profiling aid: run one engine configuration over a file, for `perf stat` / callgrind.
//!
//! `cargo run --release -p pdxedge-core --example profile -- parse|preserve|group|kvp FILE [OUT]`
//!
//! The mode may carry options after `+`: `preserve+pretty`, `kvp+unquoted`, `group+none`
//! (narrowing). With `OUT` the JSON is also written there, to compare builds byte for byte.

use pdxedge_core::json::{DuplicateKeyMode, JsonOptions, Narrowing};
use pdxedge_core::text::{Operator, Parser, Sink, SinkResult};
use std::io::Write;

struct Null(usize);

impl Sink for Null {
    fn open_object(&mut self) -> SinkResult {
        Ok(())
    }
    fn open_array(&mut self) -> SinkResult {
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
        eprintln!("usage: profile parse|preserve|group|kvp[+pretty][+unquoted|+none] FILE [OUT]");
        std::process::exit(2);
    };
    let mut save = args
        .get(3)
        .map(|p| std::io::BufWriter::new(std::fs::File::create(p).expect("writable OUT")));
    let mut parts = what.split('+');
    let what = parts.next().unwrap_or_default();
    let mut options = JsonOptions::default();
    for part in parts {
        match part {
            "pretty" => options.pretty = true,
            "unquoted" => options.narrow = Narrowing::Unquoted,
            "none" => options.narrow = Narrowing::None,
            _ => {
                eprintln!("unknown option {part}");
                std::process::exit(2);
            }
        }
    }
    let data = std::fs::read(path).expect("readable file");
    let mode = match what {
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
    options.mode = mode;
    let mut t = pdxedge_core::Transcoder::new(options);
    let mut out = Vec::new();
    let mut total = 0;
    let mut keep = |c: &[u8]| {
        total += c.len();
        if let Some(f) = save.as_mut() {
            f.write_all(c).expect("written OUT");
        }
    };
    for chunk in data.chunks(64 << 10) {
        if let Err(e) = t.feed(chunk, &mut out) {
            eprintln!("{e}");
        }
        keep(&out);
        out.clear();
    }
    if let Err(e) = t.finish_with(&mut keep) {
        eprintln!("{e}");
    }
    if let Some(f) = save.as_mut() {
        f.flush().expect("written OUT");
    }
    println!("{total} bytes of JSON");
}
