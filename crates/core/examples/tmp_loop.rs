use pdxedge_core::json::{DuplicateKeyMode, JsonOptions};
use std::time::Instant;
fn minflt() -> u64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &s[s.rfind(')').unwrap() + 2..];
    rest.split(' ').nth(7).unwrap().parse().unwrap()
}
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&args[2]).unwrap();
    let mode = match args[1].as_str() {
        "group" => DuplicateKeyMode::Group,
        _ => DuplicateKeyMode::Preserve,
    };
    let n: usize = args.get(3).map_or(5, |s| s.parse().unwrap());
    for _ in 0..n {
        let f0 = minflt();
        let t0 = Instant::now();
        let mut t = pdxedge_core::Transcoder::new(JsonOptions {
            mode,
            encoding: pdxedge_core::Encoding::Windows1252,
            ..JsonOptions::default()
        });
        let mut out = Vec::with_capacity(1 << 20);
        let mut total = 0;
        for chunk in data.chunks(64 << 10) {
            t.feed(chunk, &mut out).unwrap();
            total += out.len();
            out.clear();
        }
        t.finish_with(|c| total += c.len()).unwrap();
        drop(t);
        let dt = t0.elapsed();
        println!(
            "{:?} {:.1} ms faults {} ({total})",
            mode,
            dt.as_secs_f64() * 1e3,
            minflt() - f0
        );
    }
}
