//! `pdxedge json`: Clausewitz text to JSON, streamed.

use crate::io::{self, Failure};
use clap::ValueEnum;
use pdxedge_core::json::{DuplicateKeyMode, JsonOptions, Narrowing};
use pdxedge_core::{Encoding, Transcoder};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Input file; `-` or nothing reads stdin.
    pub file: Option<PathBuf>,
    /// Output file; `-` or nothing writes stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// How repeated keys are written.
    #[arg(long, value_enum, default_value_t = Mode::Preserve)]
    pub mode: Mode,
    /// Which scalars may become JSON numbers and booleans.
    #[arg(long, value_enum, default_value_t = Narrow::All)]
    pub narrow: Narrow,
    /// Indent the JSON.
    #[arg(long)]
    pub pretty: bool,
    /// Text encoding of the input; `auto` reads the file's header, else checks whether
    /// the file is valid UTF-8.
    #[arg(long, value_enum, default_value_t = Enc::Auto)]
    pub encoding: Enc,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Mode {
    /// Keep repeated keys as they come: {"a":1,"a":2}.
    Preserve,
    /// Gather a repeated key's values: {"a":[1,2]}.
    Group,
    /// Objects as [key, value] pairs: {"type":"obj","val":[["a",1],["a",2]]}.
    KeyValuePairs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Narrow {
    All,
    Unquoted,
    None,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Enc {
    Auto,
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "windows-1252")]
    Windows1252,
}

impl Args {
    pub fn options(&self) -> JsonOptions {
        JsonOptions {
            mode: match self.mode {
                Mode::Preserve => DuplicateKeyMode::Preserve,
                Mode::Group => DuplicateKeyMode::Group,
                Mode::KeyValuePairs => DuplicateKeyMode::KeyValuePairs,
            },
            narrow: match self.narrow {
                Narrow::All => Narrowing::All,
                Narrow::Unquoted => Narrowing::Unquoted,
                Narrow::None => Narrowing::None,
            },
            pretty: self.pretty,
            encoding: match self.encoding {
                Enc::Auto => Encoding::Auto,
                Enc::Utf8 => Encoding::Utf8,
                Enc::Windows1252 => Encoding::Windows1252,
            },
        }
    }
}

const CHUNK: usize = 256 << 10;

pub fn run(args: Args) -> Result<(), Failure> {
    let mut input = io::open_input(args.file.as_deref())?;
    let mut output = io::open_output(args.output.as_ref())?;
    let mut transcoder = Transcoder::new(args.options());
    let mut buf = vec![0u8; CHUNK];
    let mut out = Vec::with_capacity(CHUNK * 2);
    loop {
        let n = io::read_chunk(&mut input, &mut buf)?;
        if n == 0 {
            break;
        }
        transcoder.feed(&buf[..n], &mut out)?;
        output.write_all(&out).map_err(Failure::Output)?;
        out.clear();
    }
    let mut write_error = None;
    transcoder.finish_with(|chunk| {
        if write_error.is_none()
            && let Err(e) = output.write_all(chunk)
        {
            write_error = Some(e);
        }
    })?;
    if let Some(e) = write_error {
        return Err(Failure::Output(e));
    }
    // A newline only for a person at a terminal: piped output is exactly the engine's
    // JSON, the same bytes the server and the Wasm package produce.
    if io::stdout_is_terminal(args.output.as_ref()) {
        output.write_all(b"\n").map_err(Failure::Output)?;
    }
    output.flush().map_err(Failure::Output)
}
