//! `pdxedge recompress`: a zipped save to tar.br, zip-zstd or tar.zst, streamed.

use crate::io::{self, Failure};
use pdxedge_core::container::{ArchiveLimits, Hints, Save};
use pdxedge_core::recompress::{self, Format, RecompressOptions, Report};
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// The zipped save (EU4 `.eu4`, Stellaris `.sav`, a converter zip, a SAV save holding a
    /// zip); `-` reads stdin.
    pub file: PathBuf,
    /// Output file; `-` writes stdout. Default: FILE plus the format's extension
    /// (stdout when reading stdin).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Output format: tar.br, zip-zstd, tar.zst or tar (tar-br and tar-zst are accepted too).
    #[arg(long, default_value_t = Format::default())]
    pub format: Format,
    #[arg(long, help = default_help("Brotli quality 0-11 or zstd level 1-22", Format::default_quality))]
    pub quality: Option<u32>,
    #[arg(long, help = default_help("Window as log2 bytes: brotli 10-24, zstd 10-27", Format::default_window))]
    pub window: Option<u32>,
    /// Decode the output again and compare every entry's bytes and CRC-32 with the input.
    #[arg(long)]
    pub verify: bool,
}

/// A help line naming the core's defaults (the core owns them; this only prints them).
fn default_help(what: &str, default: fn(Format) -> u32) -> String {
    format!(
        "{what} (default: tar.br {}, zstd {})",
        default(Format::TarBr),
        default(Format::TarZst)
    )
}

pub fn run(args: Args) -> Result<(), Failure> {
    let format = args.format;
    let from_stdin = args.file.as_path() == Path::new("-");
    let input = io::read_all(Some(&args.file))?;
    let name = io::file_name(Some(&args.file));
    let hints = Hints {
        file_name: name.as_deref(),
        brotli: false,
    };
    let save = Save::open(&input, &hints, &ArchiveLimits::default())?;
    let mut options = RecompressOptions::new(format);
    options.quality = args.quality;
    options.window = args.window;
    options.settings()?;

    let target = match &args.output {
        Some(p) if p.as_path() == Path::new("-") => None,
        Some(p) => Some(p.clone()),
        None if from_stdin => None,
        None => Some(PathBuf::from(format!(
            "{}.{}",
            args.file.display(),
            format.extension()
        ))),
    };
    if target.is_none() && std::io::stdout().is_terminal() {
        return Err(Failure::Input(
            "refusing to write compressed data to a terminal; use -o FILE or a pipe".into(),
        ));
    }

    let total: u64 = save.entries().iter().filter_map(|e| e.size).sum();
    let bar = io::progress_bar(total, format.name());
    let mut on_progress = |done: u64| bar.set_position(done);
    let start = Instant::now();
    let (report, written) = match &target {
        Some(path) => {
            // Write beside the target and rename at the end: a failure leaves no half file.
            let partial = partial_path(path);
            let file = File::create(&partial)
                .map_err(|e| Failure::Input(format!("cannot create {}: {e}", partial.display())))?;
            let mut out = BufWriter::with_capacity(1 << 16, file);
            let result = recompress::recompress(&save, &options, &mut out, Some(&mut on_progress))
                .map_err(Failure::from)
                .and_then(|r| out.flush().map(|()| r).map_err(Failure::Output));
            match result {
                Ok(r) => {
                    drop(out);
                    std::fs::rename(&partial, path).map_err(Failure::Output)?;
                    (r, None)
                }
                Err(e) => {
                    drop(out);
                    let _ = std::fs::remove_file(&partial);
                    return Err(e);
                }
            }
        }
        None => {
            // --verify on stdout keeps a copy of the (compressed) output to decode again.
            let mut copy = args.verify.then(Vec::new);
            let stdout = std::io::stdout().lock();
            let mut out = Tee {
                out: BufWriter::with_capacity(1 << 16, stdout),
                copy: copy.as_mut(),
            };
            let r = recompress::recompress(&save, &options, &mut out, Some(&mut on_progress))?;
            out.flush().map_err(Failure::Output)?;
            drop(out);
            (r, copy)
        }
    };
    bar.finish_and_clear();
    let took = start.elapsed();
    let chatty = std::io::stderr().is_terminal();
    if chatty {
        summary(&report, took.as_secs_f64());
    }
    if args.verify {
        let bytes = match (written, &target) {
            (Some(bytes), _) => bytes,
            (None, Some(path)) => std::fs::read(path)
                .map_err(|e| Failure::Input(format!("cannot read back {}: {e}", path.display())))?,
            (None, None) => Vec::new(),
        };
        let checked = recompress::verify(&save, &bytes, format)?;
        eprintln!(
            "verified: {} entries, {} bytes, names, sizes, bytes and CRC-32 equal",
            checked.entries.len(),
            checked.inflated_size
        );
    }
    Ok(())
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

fn summary(report: &Report, secs: f64) {
    eprintln!(
        "{} (quality {}, window {}): {} -> {} bytes ({:.1} % of the zip; {} inflated) in {:.2} s",
        report.format.name(),
        report.quality,
        report.window,
        report.input_size,
        report.output_size,
        100.0 * report.output_size as f64 / report.input_size.max(1) as f64,
        report.inflated_size,
        secs
    );
}

/// Writes to stdout and, for `--verify`, to a copy.
struct Tee<'c, W> {
    out: W,
    copy: Option<&'c mut Vec<u8>>,
}

impl<W: Write> Write for Tee<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        if let Some(copy) = self.copy.as_mut() {
            copy.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
