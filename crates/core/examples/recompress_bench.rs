//! Recompress one zip save with several settings and print size, time and ratios
//! against the first setting. Also built for wasm32-wasip1 to measure Wasm memory
//! (see `scripts/bench/recompress.sh` and `docs/benchmarks.md`).
//!
//!     cargo run --release -p pdxedge-core --features zstd --example recompress_bench -- \
//!         SAVE.zip seed tar.br:5:24 tar.zst:9:24 [--no-flush] [--verify] [--repeat=N]
//!
//! `seed` is the seed project's setting (brotli q9/w20 via `CompressorWriter::new`).

use pdxedge_core::container::{ArchiveLimits, Hints, Save};
use pdxedge_core::recompress::{Format, RecompressOptions, recompress, verify};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!(
            "usage: recompress_bench SAVE.zip FORMAT:QUALITY:WINDOW... [--no-flush] [--verify]"
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
    println!(
        "input {path}: {} bytes zip, {inflated} bytes inflated",
        input.len()
    );
    println!(
        "{:<16} {:>12} {:>9} {:>8} {:>10}",
        "setting", "bytes", "seconds", "size", "time"
    );
    let mut first: Option<(u64, f64)> = None;
    for spec in args.iter().skip(1).filter(|a| !a.starts_with("--")) {
        if spec == "seed" {
            // The seed's setting: brotli q9/w20 through `CompressorWriter::new` (no size
            // hint, no flushing), over the same tar.
            let start = Instant::now();
            let mut counter = CountingSink(0);
            {
                let mut enc = brotli::CompressorWriter::new(&mut counter, 4096, 9, 20);
                recompress(&save, &RecompressOptions::new(Format::Tar), &mut enc, None)
                    .expect("tar");
            }
            let secs = start.elapsed().as_secs_f64();
            let (size0, time0) = *first.get_or_insert((counter.0, secs));
            println!(
                "{:<16} {:>12} {:>9.3} {:>8.3} {:>10.3}",
                spec,
                counter.0,
                secs,
                counter.0 as f64 / size0 as f64,
                secs / time0
            );
            continue;
        }
        let mut parts = spec.split(':');
        let format: Format = parts.next().unwrap_or("tar.br").parse().expect("format");
        let mut options = RecompressOptions::new(format);
        options.quality = parts.next().map(|q| q.parse().expect("quality"));
        options.window = parts.next().map(|w| w.parse().expect("window"));
        if no_flush {
            options.brotli_flush_every = 0;
        }
        let mut secs = f64::MAX;
        let mut report = None;
        for _ in 0..repeat {
            let start = Instant::now();
            report = Some(if check {
                let mut out = Vec::new();
                let r = recompress(&save, &options, &mut out, None).expect("recompress");
                verify(&save, &out, format).expect("verify");
                r
            } else {
                recompress(&save, &options, std::io::sink(), None).expect("recompress")
            });
            secs = secs.min(start.elapsed().as_secs_f64());
        }
        let report = report.expect("at least one run");
        let (size0, time0) = *first.get_or_insert((report.output_size, secs));
        println!(
            "{:<16} {:>12} {:>9.3} {:>8.3} {:>10.3}",
            spec,
            report.output_size,
            secs,
            report.output_size as f64 / size0 as f64,
            secs / time0
        );
    }
}

struct CountingSink(u64);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
