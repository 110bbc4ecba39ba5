//! Recompress one zip save with several settings and print size, time and ratios
//! against the first setting. Also built for wasm32-wasip1 to measure Wasm memory
//! (see `scripts/bench/recompress.sh` and `docs/benchmarks.md`).
//!
//!     cargo run --release -p pdxedge-core --features zstd --example recompress_bench -- \
//!         SAVE.zip seed tar.br:5:24 tar.zst:9:24 br:q=5,w=24,lgblock=20 tar \
//!         [--no-flush] [--verify] [--repeat=N]
//!
//! Settings:
//! - `seed`: the seed project's setting (brotli q9/w20 via `CompressorWriter::new`, no
//!   size hint, no flushing) over the same tar stream.
//! - `FORMAT[:QUALITY[:WINDOW]]`: `pdxedge_core::recompress` as the CLI runs it.
//! - `br:KEY=VALUE,...`: brotli over the same tar stream with explicit encoder
//!   parameters, to try levers the library does not expose: `q`, `w`, `lgblock`,
//!   `mode=text|generic`, `hint=0` (no size hint), `flush=BYTES` (0: never), `nolcm`
//!   (no literal context modelling).
//! - `tar`: inflate and write the tar only (the cost every setting shares).
//!
//! Times are wall clock and, on Linux, the thread's CPU time (from
//! `/proc/thread-self/schedstat`), which other work on a shared machine disturbs less.

use pdxedge_core::container::{ArchiveLimits, Hints, Save};
use pdxedge_core::recompress::{
    FlushEvery, Format, RecompressOptions, recompress, tar_size, verify,
};
use std::io::{self, Write};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!(
            "usage: recompress_bench SAVE.zip SETTING... [--no-flush] [--verify] [--repeat=N]"
        );
        std::process::exit(2);
    };
    let no_flush = args.iter().any(|a| a == "--no-flush");
    let check = args.iter().any(|a| a == "--verify");
    // Best of N runs: the machines these run on are shared and noisy.
    let repeat: usize = args
        .iter()
        .find_map(|a| a.strip_prefix("--repeat="))
        .map_or(1, |n| n.parse().expect("--repeat=N"));
    let input = std::fs::read(path).expect("read the save");
    let save =
        Save::open(&input, &Hints::default(), &ArchiveLimits::default()).expect("open the save");
    let inflated: u64 = save.entries().iter().filter_map(|e| e.size).sum();
    let tar_len = tar_size(
        save.entries()
            .iter()
            .map(|e| (e.name.as_str(), e.size.unwrap_or(0))),
    );
    println!(
        "input {path}: {} bytes zip, {inflated} bytes inflated",
        input.len()
    );
    println!(
        "{:<34} {:>12} {:>9} {:>9} {:>8} {:>8} {:>8}",
        "setting", "bytes", "wall s", "cpu s", "size", "wall", "cpu"
    );
    let mut first: Option<(u64, f64, f64)> = None;
    for spec in args.iter().skip(1).filter(|a| !a.starts_with("--")) {
        let mut best = (f64::MAX, f64::MAX);
        let mut bytes = 0;
        for _ in 0..repeat {
            let wall = Instant::now();
            let cpu = cpu_seconds();
            bytes = run(&save, spec, tar_len, no_flush, check);
            let cpu = cpu_seconds().zip(cpu).map_or(f64::NAN, |(b, a)| b - a);
            best.0 = best.0.min(wall.elapsed().as_secs_f64());
            // NaN where the OS does not tell (Wasm): printed as such, not as f64::MAX.
            best.1 = if cpu.is_nan() { cpu } else { best.1.min(cpu) };
        }
        let (size0, wall0, cpu0) = *first.get_or_insert((bytes, best.0, best.1));
        println!(
            "{:<34} {:>12} {:>9.3} {:>9.3} {:>8.3} {:>8.3} {:>8.3}",
            spec,
            bytes,
            best.0,
            best.1,
            bytes as f64 / size0 as f64,
            best.0 / wall0,
            best.1 / cpu0
        );
    }
}

/// One run of one setting; returns the output size.
fn run(save: &Save, spec: &str, tar_len: u64, no_flush: bool, check: bool) -> u64 {
    if spec == "seed" {
        let mut counter = CountingSink(0);
        {
            let mut enc = brotli::CompressorWriter::new(&mut counter, 4096, 9, 20);
            recompress(save, &RecompressOptions::new(Format::Tar), &mut enc, None).expect("tar");
        }
        return counter.0;
    }
    if let Some(params) = spec.strip_prefix("br:") {
        return custom_brotli(save, params, tar_len);
    }
    let mut parts = spec.split(':');
    let format: Format = parts.next().unwrap_or("tar.br").parse().expect("format");
    let mut options = RecompressOptions::new(format);
    options.quality = parts.next().map(|q| q.parse().expect("quality"));
    options.window = parts.next().map(|w| w.parse().expect("window"));
    if no_flush {
        options.brotli_flush_every = 0;
    }
    if check {
        let mut out = Vec::new();
        let r = recompress(save, &options, &mut out, None).expect("recompress");
        verify(save, &out, format).expect("verify");
        r.output_size
    } else {
        recompress(save, &options, io::sink(), None)
            .expect("recompress")
            .output_size
    }
}

fn custom_brotli(save: &Save, spec: &str, tar_len: u64) -> u64 {
    use brotli::enc::backward_references::BrotliEncoderMode;
    let mut params = brotli::enc::BrotliEncoderParams {
        quality: 6,
        lgwin: 24,
        size_hint: tar_len as usize,
        mode: BrotliEncoderMode::BROTLI_MODE_TEXT,
        ..Default::default()
    };
    let mut flush_every = 1u64 << 20;
    for item in spec.split(',') {
        let (key, value) = item.split_once('=').unwrap_or((item, ""));
        let number = || value.parse::<i64>().expect("a number");
        match key {
            "q" => params.quality = number() as i32,
            "w" => params.lgwin = number() as i32,
            "lgblock" => params.lgblock = number() as i32,
            "hint" => params.size_hint = number() as usize,
            "flush" => flush_every = number() as u64,
            "nolcm" => params.disable_literal_context_modeling = 1,
            "mode" if value == "generic" => params.mode = BrotliEncoderMode::BROTLI_MODE_GENERIC,
            "mode" if value == "text" => params.mode = BrotliEncoderMode::BROTLI_MODE_TEXT,
            other => panic!("unknown brotli parameter {other:?}"),
        }
    }
    let mut counter = CountingSink(0);
    {
        let enc = brotli::CompressorWriter::with_params(&mut counter, 1 << 16, &params);
        let mut flushing = FlushEvery::new(enc, flush_every);
        recompress(
            save,
            &RecompressOptions::new(Format::Tar),
            &mut flushing,
            None,
        )
        .expect("tar");
    }
    counter.0
}

/// The calling thread's CPU time, where the OS tells it cheaply (Linux).
fn cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
struct CountingSink(u64);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
