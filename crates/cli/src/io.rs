//! Input and output for the commands: files or stdin/stdout (`-`), EPIPE-safe writes,
//! and the mapping from failures to exit statuses.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pdxedge_core::container::{ContainerError, ContainerErrorKind};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Why a command failed, which decides its exit status.
#[derive(Debug)]
pub enum Failure {
    /// The input is bad (syntax, binary save, unreadable file): exit 2.
    Input(String),
    /// Writing the output failed: exit 1.
    Output(io::Error),
}

impl From<pdxedge_core::Error> for Failure {
    fn from(e: pdxedge_core::Error) -> Self {
        Failure::Input(e.to_string())
    }
}

impl From<ContainerError> for Failure {
    fn from(e: ContainerError) -> Self {
        match e.kind() {
            ContainerErrorKind::Output(io) => {
                Failure::Output(io::Error::new(io.kind(), io.to_string()))
            }
            _ => Failure::Input(e.to_string()),
        }
    }
}

/// Print the failure and turn it into an exit status. A closed pipe (`| head`) is not
/// an error: the reader has what it wanted.
pub fn exit(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Output(e)) => {
            eprintln!("pdxedge: cannot write output: {e}");
            ExitCode::from(1)
        }
        Err(Failure::Input(msg)) => {
            eprintln!("pdxedge: {msg}");
            ExitCode::from(2)
        }
    }
}

/// `-` or no path means stdin.
pub fn open_input(path: Option<&Path>) -> Result<Box<dyn Read>, Failure> {
    match path {
        None => Ok(Box::new(io::stdin().lock())),
        Some(p) if p == Path::new("-") => Ok(Box::new(io::stdin().lock())),
        Some(p) => File::open(p)
            .map(|f| Box::new(f) as Box<dyn Read>)
            .map_err(|e| Failure::Input(format!("cannot read {}: {e}", p.display()))),
    }
}

/// `-` or no path means stdout.
pub fn open_output(path: Option<&PathBuf>) -> Result<Box<dyn Write>, Failure> {
    match path {
        Some(p) if p.as_path() != Path::new("-") => File::create(p)
            .map(|f| Box::new(BufWriter::with_capacity(1 << 16, f)) as Box<dyn Write>)
            .map_err(|e| Failure::Input(format!("cannot create {}: {e}", p.display()))),
        _ => Ok(Box::new(BufWriter::with_capacity(
            1 << 16,
            io::stdout().lock(),
        ))),
    }
}

/// Read into `buf` until it is full or the input ends; returns the bytes read.
pub fn read_chunk(input: &mut dyn Read, buf: &mut [u8]) -> Result<usize, Failure> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Failure::Input(format!("cannot read input: {e}"))),
        }
    }
    Ok(filled)
}

/// Is the output (by `open_output`'s rules) a terminal?
pub fn stdout_is_terminal(path: Option<&PathBuf>) -> bool {
    let to_stdout = path.is_none_or(|p| p.as_path() == Path::new("-"));
    to_stdout && io::stdout().is_terminal()
}

/// The file name of a path argument (`-` and none have none), for game hints.
pub fn file_name(path: Option<&Path>) -> Option<String> {
    path.filter(|p| *p != Path::new("-"))
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
}

/// Read a whole input (a file, or stdin for `-`/none).
pub fn read_all(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    let mut input = open_input(path)?;
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Input(format!("cannot read input: {e}")))?;
    Ok(bytes)
}

/// Work shorter than this many bytes gets no progress bar.
const PROGRESS_MIN: u64 = 16 << 20;

/// A progress bar on stderr for `total` bytes of work; hidden when stderr is not a
/// terminal (piped, redirected, CI) or the work is small.
pub fn progress_bar(total: u64, what: &str) -> ProgressBar {
    if total < PROGRESS_MIN || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}
