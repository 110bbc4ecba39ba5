//! `pdxedge json`: a save or game file to JSON, streamed. Any container: plain text,
//! zip (one object keyed by entry name), SAV, gzip, zstd, brotli (`--brotli`).

use crate::io::{self, Failure};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use pdxedge_core::Encoding;
use pdxedge_core::container::Hints;
use pdxedge_core::json::{Choice, DuplicateKeyMode, JsonOptions, Narrowing};
use pdxedge_core::save::{SaveJson, SaveJsonOptions};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Input file; `-` or nothing reads stdin.
    pub file: Option<PathBuf>,
    /// Output file; `-` or nothing writes stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// How repeated keys are written: preserve `{"a":1,"a":2}`, group `{"a":[1,2]}`,
    /// key-value-pairs `{"type":"obj","val":[["a",1],["a",2]]}`.
    #[arg(long, value_parser = choice::<DuplicateKeyMode>(), default_value = DuplicateKeyMode::default().name())]
    pub mode: DuplicateKeyMode,
    /// Which scalars may become JSON numbers and booleans: all, unquoted only, or none.
    #[arg(long, value_parser = choice::<Narrowing>(), default_value = Narrowing::default().name())]
    pub narrow: Narrowing,
    /// Indent the JSON.
    #[arg(long)]
    pub pretty: bool,
    /// Text encoding of the input; `auto` reads the file's header, else checks whether
    /// the file is valid UTF-8.
    #[arg(long, value_parser = choice::<Encoding>(), default_value = Encoding::default().name())]
    pub encoding: Encoding,
    /// Convert only this entry of an archive (e.g. `gamestate`), as bare JSON.
    #[arg(long, value_name = "NAME")]
    pub entry: Option<String>,
    /// The input is brotli-compressed (brotli has no magic number to recognise).
    #[arg(long)]
    pub brotli: bool,
}

/// Parses one of the core's named choices and lists them in `--help`.
fn choice<T: Choice + Send + Sync>() -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(T::ALL.iter().map(|c| c.name())).try_map(|name| T::parse(&name))
}

impl Args {
    pub fn options(&self) -> JsonOptions {
        JsonOptions {
            mode: self.mode,
            narrow: self.narrow,
            pretty: self.pretty,
            encoding: self.encoding,
        }
    }
}

const CHUNK: usize = 256 << 10;

pub fn run(args: Args) -> Result<(), Failure> {
    let total = args
        .file
        .as_deref()
        .filter(|p| *p != std::path::Path::new("-"))
        .and_then(|p| std::fs::metadata(p).ok())
        .map_or(0, |m| m.len());
    let mut input = io::open_input(args.file.as_deref())?;
    let mut output = io::open_output(args.output.as_ref())?;
    let name = io::file_name(args.file.as_deref());
    let hints = Hints {
        file_name: name.as_deref(),
        brotli: args.brotli,
    };
    let options = SaveJsonOptions {
        json: args.options(),
        entry: args.entry.clone(),
        group_seed: random_seed(),
        ..SaveJsonOptions::default()
    };
    let mut conv = SaveJson::new(options, &hints);
    let bar = io::progress_bar(total, "json");
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = io::read_chunk(&mut input, &mut buf)?;
        if n == 0 {
            break;
        }
        conv.feed(&buf[..n], &mut output)?;
        bar.inc(n as u64);
    }
    // Zip and SAV inputs convert here, entry by entry.
    conv.finish(&mut output)?;
    bar.finish_and_clear();
    // A newline only for a person at a terminal: piped output is exactly the engine's
    // JSON, the same bytes the server and the Wasm package produce.
    if io::stdout_is_terminal(args.output.as_ref()) {
        output.write_all(b"\n").map_err(Failure::Output)?;
    }
    output.flush().map_err(Failure::Output)
}

/// A secret seed for group mode's key fingerprints, new for each run (the OS's random
/// source): a file crafted to make keys collide, which would cost time quadratic in their
/// number, cannot be made in advance. The output does not depend on it.
fn random_seed() -> u64 {
    getrandom::u64().unwrap_or_else(|_| SaveJsonOptions::default().group_seed)
}
