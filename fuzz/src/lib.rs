//! Shared pieces of pdxedge's cargo-fuzz targets (see `fuzz/README.md`).
//!
//! A fuzz input is the document itself, so files from the corpus are good seeds as they
//! are. Its last byte also picks the JSON options, and a hash of the whole input picks
//! the chunk split points: libFuzzer's mutations then explore options and chunkings too,
//! and every crash reproduces from its input file alone.
//!
//! Not for: checking correctness beyond what the targets state (that is the job of the
//! tests in `crates/core/tests`).

pub mod containers;
pub mod divergence;
pub mod oracle;

pub use pdxedge_core::json::JsonOptions;
use pdxedge_core::json::{DuplicateKeyMode, Narrowing};
use pdxedge_core::{Encoding, Error, Limits, Transcoder};

/// The JSON options an input asks for, from its last byte:
/// bits 0-1 mode, bit 2 pretty, bits 3-4 encoding, bits 5-6 narrowing.
pub fn options_from(data: &[u8]) -> JsonOptions {
    let b = data.last().copied().unwrap_or(0);
    JsonOptions {
        mode: match b & 3 {
            1 => DuplicateKeyMode::Group,
            2 => DuplicateKeyMode::KeyValuePairs,
            _ => DuplicateKeyMode::Preserve,
        },
        pretty: b & 4 != 0,
        encoding: match (b >> 3) & 3 {
            1 => Encoding::Utf8,
            2 => Encoding::Windows1252,
            _ => Encoding::Auto,
        },
        narrow: match (b >> 5) & 3 {
            1 => Narrowing::Unquoted,
            2 => Narrowing::None,
            _ => Narrowing::All,
        },
    }
}

/// The limits an input asks for: bit 7 of its last byte selects a tiny nesting limit so
/// the `TooDeep` paths get exercised; otherwise the defaults.
pub fn limits_from(data: &[u8]) -> Limits {
    let b = data.last().copied().unwrap_or(0);
    if b & 0x80 != 0 {
        Limits {
            max_depth: 4,
            ..Limits::default()
        }
    } else {
        Limits::default()
    }
}

/// FNV-1a: a cheap, stable hash so split points follow from the input alone.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Chunk sizes derived from the input: a xorshift stream seeded by its hash, with a
/// largest size that is itself chosen by the hash (byte-sized chunks up to 4 KiB ones).
/// Zero-sized chunks are included on purpose: `feed(&[])` must be harmless.
pub struct Splitter {
    state: u64,
    max: u64,
}

impl Splitter {
    pub fn new(data: &[u8]) -> Self {
        let seed = fnv1a(data) | 1;
        let max = [1, 2, 3, 7, 16, 64, 300, 4096][(seed >> 59) as usize & 7];
        Splitter { state: seed, max }
    }

    /// The same as [`Splitter::new`] but with every chunk at most `max` bytes.
    pub fn with_max(data: &[u8], max: u64) -> Self {
        Splitter {
            state: fnv1a(data) | 1,
            max,
        }
    }

    pub fn next_size(&mut self) -> usize {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        (self.state % (self.max + 1)) as usize
    }
}

/// Transcode `data` fed in the splitter's chunks; all output (feed and finish) collected.
pub fn transcode_chunked(
    data: &[u8],
    options: JsonOptions,
    limits: Limits,
    splitter: &mut Splitter,
) -> Result<Vec<u8>, Error> {
    let mut t = Transcoder::with_limits(options, limits);
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let n = splitter.next_size().min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        t.feed(chunk, &mut out)?;
        rest = tail;
    }
    t.finish(&mut out)?;
    Ok(out)
}

/// Transcode `data` in one piece.
pub fn transcode_whole(
    data: &[u8],
    options: JsonOptions,
    limits: Limits,
) -> Result<Vec<u8>, Error> {
    let mut t = Transcoder::with_limits(options, limits);
    let mut out = Vec::new();
    t.feed(data, &mut out)?;
    t.finish(&mut out)?;
    Ok(out)
}

/// Text for a failure message: the input, lossily, cut to a readable size.
pub fn show(data: &[u8]) -> String {
    let cut = &data[..data.len().min(2000)];
    format!("{:?} ({} bytes)", String::from_utf8_lossy(cut), data.len())
}

/// JSON output for a failure message, cut to a readable size.
pub fn show_json(json: &[u8]) -> String {
    let text = String::from_utf8_lossy(json);
    match text.char_indices().nth(2000) {
        Some((at, _)) => format!("{}... ({} bytes)", &text[..at], json.len()),
        None => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_cover_every_mode_encoding_and_narrowing() {
        let mut modes = Vec::new();
        let mut encodings = Vec::new();
        let mut narrows = Vec::new();
        for b in 0..=255u8 {
            let o = options_from(&[b]);
            modes.push(o.mode);
            encodings.push(o.encoding);
            narrows.push(o.narrow);
        }
        assert!(modes.contains(&DuplicateKeyMode::Group));
        assert!(modes.contains(&DuplicateKeyMode::KeyValuePairs));
        assert!(encodings.contains(&Encoding::Windows1252));
        assert!(encodings.contains(&Encoding::Utf8));
        assert!(narrows.contains(&Narrowing::None));
        assert!(narrows.contains(&Narrowing::Unquoted));
    }

    #[test]
    fn chunked_feeding_reassembles_the_input() {
        let data = b"a = { b = c } d = \"e f\" g = { 1 2 3 }";
        let opts = JsonOptions::default();
        let whole = transcode_whole(data, opts, Limits::default()).map_err(|e| e.to_string());
        for max in [1, 2, 5, 100] {
            let mut s = Splitter::with_max(data, max);
            let parts =
                transcode_chunked(data, opts, Limits::default(), &mut s).map_err(|e| e.to_string());
            assert_eq!(whole, parts, "max chunk {max}");
        }
    }
}
