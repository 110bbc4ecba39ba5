//! Throughput and peak heap of pdxedge's JSON against jomini's, on the same files in one
//! run. Not a test: it prints figures for `docs/benchmarks.md`.
//!
//! ```sh
//! cargo run --release -p pdxedge-bench            # the default corpus set
//! cargo run --release -p pdxedge-bench -- FILE..  # text files or zip saves
//! cargo run --release -p pdxedge-bench -- --rounds 9 [FILE..]  # default 5 rounds
//! ```

use jomini::json::{DuplicateKeyMode, JsonOptions as JOptions};
use pdxedge_core::Transcoder;
use pdxedge_core::json::{self, JsonOptions};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts live heap bytes and their peak, so each measurement reports its own peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// One engine's fastest run and the largest heap peak any of its runs reached.
#[derive(Clone, Copy)]
struct Score {
    best: Duration,
    peak: usize,
}

type Engine<'a> = (&'static str, Box<dyn FnMut() -> usize + 'a>);

/// Runs every engine once per round for `rounds` rounds, starting each round one engine
/// further along the list. Interleaving puts all engines through the same quiet and busy
/// moments of a shared machine, so their ratios hold still while absolute figures move;
/// best-of-N then drops the runs another process disturbed.
fn measure(rounds: usize, engines: &mut [Engine<'_>]) -> Vec<Score> {
    let mut scores = vec![
        Score {
            best: Duration::MAX,
            peak: 0
        };
        engines.len()
    ];
    for round in 0..rounds {
        for k in 0..engines.len() {
            let i = (round + k) % engines.len();
            let base = LIVE.load(Ordering::Relaxed);
            PEAK.store(base, Ordering::Relaxed);
            let start = Instant::now();
            std::hint::black_box((engines[i].1)());
            let elapsed = start.elapsed();
            let score = &mut scores[i];
            score.best = score.best.min(elapsed);
            score.peak = score.peak.max(PEAK.load(Ordering::Relaxed) - base);
        }
    }
    scores
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

/// Body of a text document as jomini needs it: no BOM, no `EU4txt` line.
fn strip_header(data: &[u8]) -> &[u8] {
    let data = data
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(data);
    let word = data
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if (4..=16).contains(&word) && data[..word].ends_with(b"txt") {
        &data[word..]
    } else {
        data
    }
}

fn pdxedge_run(data: &[u8], mode: json::DuplicateKeyMode) -> usize {
    pdxedge_run_hinted(data, mode, false)
}

/// With `hint`, the transcoder is told the input's size first (as a zip entry's size or
/// a `Content-Length` tells it), so group mode holds its input in one exact allocation.
fn pdxedge_run_hinted(data: &[u8], mode: json::DuplicateKeyMode, hint: bool) -> usize {
    let options = JsonOptions {
        mode,
        encoding: pdxedge_core::Encoding::Windows1252,
        ..JsonOptions::default()
    };
    let mut t = Transcoder::new(options);
    if hint {
        t.input_len_hint(data.len() as u64);
    }
    let mut out = Vec::with_capacity(1 << 20);
    let mut total = 0;
    // Feed 64 KiB chunks and drop the output as a streaming consumer would.
    for chunk in data.chunks(64 << 10) {
        t.feed(chunk, &mut out)
            .expect("pdxedge parses the benchmark input");
        total += out.len();
        out.clear();
    }
    t.finish_with(|c| total += c.len())
        .expect("pdxedge parses the benchmark input");
    total
}

/// The parser alone, with a sink that ignores every token.
struct NullSink(usize);

impl pdxedge_core::text::Sink for NullSink {
    fn open_object(&mut self) -> pdxedge_core::text::SinkResult {
        Ok(())
    }
    fn open_array(&mut self) -> pdxedge_core::text::SinkResult {
        Ok(())
    }
    fn close(&mut self) -> pdxedge_core::text::SinkResult {
        Ok(())
    }
    fn scalar(&mut self, b: &[u8], _: bool, _: bool) -> pdxedge_core::text::SinkResult {
        self.0 += b.len();
        Ok(())
    }
    fn header(&mut self, _: &[u8]) -> pdxedge_core::text::SinkResult {
        Ok(())
    }
    fn parameter(&mut self, _: &[u8], _: bool) -> pdxedge_core::text::SinkResult {
        Ok(())
    }
    fn operator(
        &mut self,
        _: pdxedge_core::text::Operator,
        _: bool,
    ) -> pdxedge_core::text::SinkResult {
        Ok(())
    }
    fn mixed(&mut self) -> pdxedge_core::text::SinkResult {
        Ok(())
    }
}

fn pdxedge_parse_only(data: &[u8]) -> usize {
    let body = strip_header(data);
    let mut parser = pdxedge_core::text::Parser::default();
    let mut sink = NullSink(0);
    for chunk in body.chunks(64 << 10) {
        parser.feed(chunk, &mut sink).expect("parses");
    }
    parser.finish(&mut sink).expect("parses");
    sink.0
}

fn jomini_json(data: &[u8], mode: DuplicateKeyMode) -> usize {
    let body = strip_header(data);
    let tape = jomini::TextTape::from_slice(body).expect("jomini parses the benchmark input");
    let out = tape
        .windows1252_reader()
        .json()
        .with_options(JOptions::new().with_duplicate_keys(mode))
        .to_vec();
    out.len()
}

fn jomini_tokens(data: &[u8]) -> usize {
    let mut reader = jomini::text::TokenReader::from_slice(strip_header(data));
    let mut n = 0;
    while let Ok(Some(_)) = reader.next() {
        n += 1;
    }
    n
}

fn load(path: &Path) -> Vec<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if !bytes.starts_with(b"PK\x03\x04") {
        return vec![(path.display().to_string(), bytes)];
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut docs = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).expect("an entry");
        if f.size() < 1 << 20 {
            continue;
        }
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("inflate");
        docs.push((format!("{}!{}", path.display(), f.name()), data));
    }
    docs
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// `--one ENGINE FILE`: run one engine once (for `perf stat`, which counts instructions
/// and so is not disturbed by other work on a shared machine).
fn run_one(engine: &str, path: &Path) {
    for (name, data) in load(path) {
        let n = match engine {
            "jomini" => jomini_json(&data, DuplicateKeyMode::Preserve),
            "jomini-group" => jomini_json(&data, DuplicateKeyMode::Group),
            "jomini-tokens" => jomini_tokens(&data),
            "parse" => pdxedge_parse_only(&data),
            "preserve" => pdxedge_run(&data, json::DuplicateKeyMode::Preserve),
            "group" => pdxedge_run(&data, json::DuplicateKeyMode::Group),
            "group-hint" => pdxedge_run_hinted(&data, json::DuplicateKeyMode::Group, true),
            "kvp" => pdxedge_run(&data, json::DuplicateKeyMode::KeyValuePairs),
            other => panic!("unknown engine {other}"),
        };
        println!("{name}: {engine}: {n}");
    }
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.first().map(String::as_str) == Some("--one") {
        let (Some(engine), Some(path)) = (raw.get(1), raw.get(2)) else {
            panic!("usage: --one ENGINE FILE");
        };
        return run_one(engine, Path::new(path));
    }
    let mut raw = raw.as_slice();
    let mut rounds = 5;
    if let [flag, n, rest @ ..] = raw
        && flag == "--rounds"
    {
        rounds = n.parse().expect("--rounds takes a number");
        raw = rest;
    }
    let args: Vec<PathBuf> = raw.iter().map(PathBuf::from).collect();
    let files = if args.is_empty() {
        let c = corpus();
        vec![
            c.join("saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4"),
            c.join("saves/stellaris/esandstedt__stellaris-model/savefiles/ironman.sav"),
        ]
    } else {
        args
    };
    let mut docs: Vec<(String, Vec<u8>)> = files.iter().flat_map(|f| load(f)).collect();
    // An 80 MB+ document from real saves, to show memory does not grow with input size.
    if docs.len() >= 2 {
        let mut big = Vec::new();
        while big.len() < 80 << 20 {
            for (_, d) in &docs {
                big.extend_from_slice(strip_header(d));
                big.push(b'\n');
            }
        }
        docs.push(("concatenated saves".to_string(), big));
    }
    println!("{rounds} interleaved rounds, best run of each engine\n");
    println!("| input | MB | engine | MB/s | vs jomini JSON | peak heap MiB |");
    println!("|---|---:|---|---:|---:|---:|");
    for (name, data) in &docs {
        let short = name.rsplit('/').next().unwrap_or(name);
        let mb = data.len() as f64 / 1e6;
        let data = data.as_slice();
        // The anchor each row's ratio is against: jomini's JSON in the same mode family.
        let preserve = 0;
        let group = 5;
        let mut engines: Vec<Engine<'_>> = vec![
            (
                "jomini tape->JSON (preserve)",
                Box::new(|| jomini_json(data, DuplicateKeyMode::Preserve)),
            ),
            (
                "jomini TokenReader (tokenize only)",
                Box::new(|| jomini_tokens(data)),
            ),
            (
                "pdxedge parse only (no output)",
                Box::new(|| pdxedge_parse_only(data)),
            ),
            (
                "pdxedge preserve",
                Box::new(|| pdxedge_run(data, json::DuplicateKeyMode::Preserve)),
            ),
            (
                "pdxedge key-value-pairs",
                Box::new(|| pdxedge_run(data, json::DuplicateKeyMode::KeyValuePairs)),
            ),
            (
                "jomini tape->JSON (group)",
                Box::new(|| jomini_json(data, DuplicateKeyMode::Group)),
            ),
            (
                "pdxedge group (vs jomini group)",
                Box::new(|| pdxedge_run(data, json::DuplicateKeyMode::Group)),
            ),
            (
                "pdxedge group, input size known",
                Box::new(|| pdxedge_run_hinted(data, json::DuplicateKeyMode::Group, true)),
            ),
        ];
        let scores = measure(rounds, &mut engines);
        for (i, ((engine, _), score)) in engines.iter().zip(&scores).enumerate() {
            let anchor = scores[if i < group { preserve } else { group }].best;
            println!(
                "| {short} | {mb:.1} | {engine} | {:.0} | {:.2}x | {:.1} |",
                mbps(data.len(), score.best),
                anchor.as_secs_f64() / score.best.as_secs_f64(),
                mib(score.peak)
            );
        }
    }
}
