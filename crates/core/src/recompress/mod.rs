//! Recompress a zipped save into a format that is smaller or easier to serve.
//!
//! - [`Format::TarBr`]: a tar of the entries, brotli-compressed. Browsers decode it
//!   natively (`Content-Encoding: br`).
//! - [`Format::ZipZstd`]: a zip whose entries are zstd-compressed (random access per
//!   entry, a magic number to sniff).
//! - [`Format::TarZst`]: a tar of the entries, zstd-compressed.
//! - [`Format::Tar`]: the bare tar (for measuring and for other compressors).
//!
//! Entry names, sizes and order are kept. Entries are inflated as a stream straight into
//! the compressor: memory is the compressor's window plus the input zip, never an
//! inflated entry or the whole output. [`verify`] decodes an output again and compares
//! every entry's name, size, bytes and CRC-32 with the input's.
//!
//! The zstd formats need the crate's `zstd` feature (the encoder is C); without it they
//! are refused with [`ContainerErrorKind::Unsupported`].

mod verify;
mod write;

pub use verify::verify;
pub use write::{FlushEvery, Progress, recompress};

use crate::container::{ArchiveLimits, ContainerError, ContainerErrorKind};

/// An output format. [`Format::default`] is the one the CLI, the HTTP API and the Wasm
/// package use when none is asked for; [`Format::name`] is its one printed spelling and
/// [`FromStr`](std::str::FromStr) also takes the hyphenated ones (`tar-br`, `tar-zst`)
/// that URLs and JavaScript callers tend to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    TarBr,
    ZipZstd,
    TarZst,
    Tar,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 4] = [Format::TarBr, Format::ZipZstd, Format::TarZst, Format::Tar];

    /// The canonical name, printed everywhere (`tar.br`, `zip-zstd`, `tar.zst`, `tar`).
    pub fn name(self) -> &'static str {
        // Every format has at least its canonical spelling.
        self.spellings().first().copied().unwrap_or_default()
    }

    /// Every spelling [`FromStr`](std::str::FromStr) accepts, the canonical name first.
    pub fn spellings(self) -> &'static [&'static str] {
        match self {
            Format::TarBr => &["tar.br", "tar-br"],
            Format::ZipZstd => &["zip-zstd"],
            Format::TarZst => &["tar.zst", "tar-zst"],
            Format::Tar => &["tar"],
        }
    }

    /// A file extension for the output.
    pub fn extension(self) -> &'static str {
        match self {
            Format::TarBr => "tar.br",
            Format::ZipZstd => "zip",
            Format::TarZst => "tar.zst",
            Format::Tar => "tar",
        }
    }

    /// Default quality (brotli 0-11, zstd level 1-22), chosen by measurement on real
    /// saves: see `docs/benchmarks.md`.
    pub fn default_quality(self) -> u32 {
        match self {
            Format::TarBr => 6,
            Format::ZipZstd | Format::TarZst => 12,
            Format::Tar => 0,
        }
    }

    /// Default window, as log2 bytes (brotli 10-24, zstd 10-27).
    pub fn default_window(self) -> u32 {
        match self {
            Format::TarBr => 24,
            Format::ZipZstd | Format::TarZst => 24,
            Format::Tar => 0,
        }
    }

    fn quality_range(self) -> (u32, u32) {
        match self {
            Format::TarBr => (0, 11),
            Format::ZipZstd | Format::TarZst => (1, 22),
            Format::Tar => (0, 0),
        }
    }

    fn window_range(self) -> (u32, u32) {
        match self {
            Format::TarBr => (10, 24),
            // Decoders refuse windows above 2^27 unless told otherwise (and allocate them).
            Format::ZipZstd | Format::TarZst => (10, 27),
            Format::Tar => (0, 0),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that [`Format::from_str`](std::str::FromStr) does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl std::fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown format {:?}: expected ", self.0)?;
        for (i, format) in Format::ALL.iter().enumerate() {
            let sep = match i {
                0 => "",
                _ if i + 1 == Format::ALL.len() => " or ",
                _ => ", ",
            };
            write!(f, "{sep}{}", format.name())?;
        }
        f.write_str(" (tar-br and tar-zst are accepted too)")
    }
}

impl std::error::Error for UnknownFormat {}

impl std::str::FromStr for Format {
    type Err = UnknownFormat;

    /// Any of [`Format::spellings`], ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.spellings().iter().any(|n| n.eq_ignore_ascii_case(s)))
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// Options for [`recompress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecompressOptions {
    pub format: Format,
    /// Quality or level; `None` takes [`Format::default_quality`].
    pub quality: Option<u32>,
    /// log2 of the window; `None` takes [`Format::default_window`].
    pub window: Option<u32>,
    /// Flush the brotli encoder after this many input bytes (0: never). Flushing caps
    /// the encoder's memory, which matters in Wasm where memory never shrinks.
    pub brotli_flush_every: u64,
}

impl Default for RecompressOptions {
    /// The default format with its default settings.
    fn default() -> Self {
        RecompressOptions::new(Format::default())
    }
}

impl RecompressOptions {
    pub fn new(format: Format) -> Self {
        RecompressOptions {
            format,
            quality: None,
            window: None,
            brotli_flush_every: 1 << 20,
        }
    }

    /// The quality and window to use, checked against the format's ranges.
    pub fn settings(&self) -> Result<(u32, u32), ContainerError> {
        let q = self.quality.unwrap_or(self.format.default_quality());
        let w = self.window.unwrap_or(self.format.default_window());
        let (qlo, qhi) = self.format.quality_range();
        let (wlo, whi) = self.format.window_range();
        if !(qlo..=qhi).contains(&q) {
            return Err(ContainerErrorKind::Unsupported(format!(
                "quality {q} for {} (accepted: {qlo} to {qhi})",
                self.format.name()
            ))
            .into());
        }
        if !(wlo..=whi).contains(&w) {
            return Err(ContainerErrorKind::Unsupported(format!(
                "window {w} for {} (accepted: {wlo} to {whi})",
                self.format.name()
            ))
            .into());
        }
        Ok((q, w))
    }
}

/// One entry as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryReport {
    pub name: String,
    pub size: u64,
    pub crc32: u32,
}

/// What [`recompress`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub format: Format,
    pub quality: u32,
    pub window: u32,
    pub entries: Vec<EntryReport>,
    pub input_size: u64,
    /// Total inflated bytes.
    pub inflated_size: u64,
    pub output_size: u64,
}

/// The limits used when none are given.
pub fn default_limits() -> ArchiveLimits {
    ArchiveLimits::default()
}

/// Size of a tar holding entries of these names and sizes (ustar headers, 512-byte
/// blocks, GNU long-name records for names over 100 bytes, two zero blocks at the end).
pub fn tar_size<'a>(entries: impl IntoIterator<Item = (&'a str, u64)>) -> u64 {
    let blocks = |n: u64| n.div_ceil(512) * 512;
    entries
        .into_iter()
        .map(|(name, size)| {
            let long_name = if name.len() > 100 {
                512 + blocks(name.len() as u64 + 1)
            } else {
                0
            };
            long_name + 512 + blocks(size)
        })
        .sum::<u64>()
        + 1024
}
