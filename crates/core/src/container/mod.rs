//! Save containers: what wraps the Clausewitz text of a save, and how to get at it.
//!
//! Games write their saves as plain text (often with a first line such as `EU4txt`), as
//! zips (EU4: `meta`, `gamestate`, `ai`; Stellaris `.sav`: `gamestate`, `meta`), or behind
//! a `SAV` line (CK3, Vic3, Imperator, EU5: metadata, then text or a zip). People also
//! hand over gzip, zstd or brotli compressed files. [`sniff`] tells them apart from the
//! first bytes; [`Save::open`] lays out the entries of a whole input held in memory, and
//! [`Save::reader`] inflates one entry as a stream, never holding it whole.
//!
//! Binary (ironman) content is recognised and refused with
//! [`ErrorKind::Binary`], naming the game where it can.
//! Everything here is sans-I/O: bytes in, bytes (or a [`std::io::Read`]) out.
//!
//! ```
//! use pdxedge_core::container::{ArchiveLimits, Hints, Save};
//!
//! let save = Save::open(b"EU4txt\ndate=1444.11.11\n", &Hints::default(), &ArchiveLimits::default())?;
//! assert!(!save.is_archive());
//! let mut text = Vec::new();
//! std::io::copy(&mut save.reader(0)?, &mut text).unwrap();
//! assert!(text.starts_with(b"EU4txt"));
//! # Ok::<(), pdxedge_core::container::ContainerError>(())
//! ```

mod crc;
mod error;
mod game;
pub mod gzip;
mod limits;
mod reader;
pub mod sav;
pub mod zip;

pub use crc::Crc32;
pub use error::{ContainerError, ContainerErrorKind};
pub use game::Game;
pub use limits::ArchiveLimits;
pub use reader::{Codec, EntryReader, Expect};
pub use sav::{SavHeader, SavKind};

use crate::{Error, ErrorKind, Position};

/// What the caller knows that the bytes do not say.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints<'a> {
    /// The file's name, whose extension names the game (`.eu4`, `.ck3`, `.v3`, ...).
    pub file_name: Option<&'a str>,
    /// The input is brotli-compressed (brotli has no magic number to sniff).
    pub brotli: bool,
}

/// The outermost wrapping of an input, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// Clausewitz text (maybe with a BOM and a header line), or headerless binary.
    Text,
    Zip,
    Sav(SavHeader),
    Gzip,
    Zstd,
    Brotli,
}

impl Envelope {
    pub fn name(&self) -> &'static str {
        match self {
            Envelope::Text => "text",
            Envelope::Zip => "zip",
            Envelope::Sav(_) => "sav",
            Envelope::Gzip => "gzip",
            Envelope::Zstd => "zstd",
            Envelope::Brotli => "brotli",
        }
    }

    /// Can this envelope be converted while it streams in, or does it need the whole
    /// input (random access to a zip's central directory)?
    pub fn needs_whole_input(&self) -> bool {
        matches!(self, Envelope::Zip | Envelope::Sav(_) | Envelope::Zstd)
    }
}

/// How many leading bytes [`sniff`] wants to decide (fewer are fine at the end of input).
pub const SNIFF_LEN: usize = 8;

/// Tell what wraps the input from its first bytes ([`SNIFF_LEN`] are enough).
/// Archive formats this crate cannot read (RAR, 7z, ...) are refused here.
pub fn sniff(head: &[u8], hints: &Hints) -> Result<Envelope, ContainerError> {
    if hints.brotli {
        return Ok(Envelope::Brotli);
    }
    if let Some(what) = foreign_archive(head) {
        return Err(ContainerErrorKind::Unsupported(format!(
            "{what} (pdxedge reads zip, gzip, zstd, brotli and SAV saves)"
        ))
        .into());
    }
    Ok(
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Envelope::Zip
        } else if head.starts_with(b"\x1f\x8b") {
            Envelope::Gzip
        } else if head.starts_with(b"\x28\xb5\x2f\xfd") {
            Envelope::Zstd
        } else if SavHeader::sniff(head) {
            // The kind is parsed later, with the whole line.
            Envelope::Sav(SavHeader {
                version: 0,
                kind: SavKind::Other(0xff),
                random: 0,
                metadata_len: 0,
            })
        } else {
            Envelope::Text
        },
    )
}

fn foreign_archive(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"Rar!\x1a\x07") {
        Some("a RAR archive")
    } else if head.starts_with(b"7z\xbc\xaf\x27\x1c") {
        Some("a 7-Zip archive")
    } else if head.starts_with(b"BZh") && head.get(3).is_some_and(u8::is_ascii_digit) {
        Some("a bzip2 file")
    } else if head.starts_with(b"\xfd7zXZ\x00") {
        Some("an xz file")
    } else {
        None
    }
}

/// If `head` (the first bytes of an entry) is itself an archive, say which.
pub fn nested_archive(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some("zip archive")
    } else if head.starts_with(b"\x1f\x8b") {
        Some("gzip stream")
    } else if head.starts_with(b"\x28\xb5\x2f\xfd") {
        Some("zstd stream")
    } else if SavHeader::sniff(head) {
        Some("SAV save")
    } else {
        foreign_archive(head)
    }
}

/// One entry of a [`Save`]: a zip file, a `SAV` metadata block, or the single document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Entry name; empty for the single document of a non-archive input.
    pub name: String,
    pub codec: Codec,
    pub compressed_size: u64,
    /// Inflated size, when the container declares it.
    pub size: Option<u64>,
    pub crc32: Option<u32>,
    /// Byte range of the compressed data in the input.
    range: (usize, usize),
}

impl Entry {
    /// Where the entry's (compressed) bytes start in the input.
    pub fn offset(&self) -> u64 {
        self.range.0 as u64
    }
}

/// A whole input laid out: its envelope and its entries.
#[derive(Debug)]
pub struct Save<'a> {
    input: &'a [u8],
    envelope: Envelope,
    entries: Vec<Entry>,
    archive: bool,
    limits: ArchiveLimits,
    game_hint: Option<Game>,
}

impl<'a> Save<'a> {
    /// Sniff and lay out `input`. Checks limits and zip-slip names up front; does not
    /// inflate anything.
    pub fn open(
        input: &'a [u8],
        hints: &Hints,
        limits: &ArchiveLimits,
    ) -> Result<Self, ContainerError> {
        let envelope = sniff(input, hints)?;
        let game_hint = hints.file_name.and_then(Game::from_file_name);
        let whole = (0, input.len());
        let single = |codec| Entry {
            name: String::new(),
            codec,
            compressed_size: input.len() as u64,
            size: (codec == Codec::Stored).then_some(input.len() as u64),
            crc32: None,
            range: whole,
        };
        if envelope.needs_whole_input() && input.len() as u64 > limits.max_input {
            return Err(ContainerErrorKind::InputTooLarge {
                size: input.len() as u64,
                limit: limits.max_input,
            }
            .into());
        }
        let (envelope, entries, archive) = match envelope {
            Envelope::Text => (envelope, vec![single(Codec::Stored)], false),
            Envelope::Gzip => (envelope, vec![single(Codec::Gzip)], false),
            Envelope::Zstd => (envelope, vec![single(Codec::Zstd)], false),
            Envelope::Brotli => (envelope, vec![single(Codec::Brotli)], false),
            Envelope::Zip => (envelope, zip_entries(input, 0, limits)?, true),
            Envelope::Sav(_) => open_sav(input, limits, game_hint)?,
        };
        Ok(Save {
            input,
            envelope,
            entries,
            archive,
            limits: *limits,
            game_hint,
        })
    }

    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// Does the input hold named entries (a zip, or a `SAV` with a zip)? If not, it is a
    /// single document (maybe compressed as a whole).
    pub fn is_archive(&self) -> bool {
        self.archive
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The whole input.
    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    pub fn limits(&self) -> &ArchiveLimits {
        &self.limits
    }

    /// The game the file name says, if it says one.
    pub fn game_hint(&self) -> Option<Game> {
        self.game_hint
    }

    /// Index of the entry called `name`.
    pub fn find(&self, name: &str) -> Result<usize, ContainerError> {
        self.entries
            .iter()
            .position(|e| e.name == name)
            .ok_or_else(|| {
                ContainerErrorKind::NoSuchEntry {
                    name: name.to_owned(),
                    available: if self.archive {
                        self.entries.iter().map(|e| e.name.clone()).collect()
                    } else {
                        Vec::new()
                    },
                }
                .into()
            })
    }

    /// A streaming reader of entry `index`'s inflated bytes, checking its declared size
    /// and CRC and the limits. `budget` caps this entry's share of
    /// [`ArchiveLimits::max_inflated`]; pass the limit minus what earlier entries produced.
    pub fn reader_with_budget(
        &self,
        index: usize,
        budget: u64,
    ) -> Result<EntryReader<'a>, ContainerError> {
        let entry = self.entries.get(index).ok_or_else(|| {
            ContainerError::from(ContainerErrorKind::NoSuchEntry {
                name: format!("#{index}"),
                available: self.entries.iter().map(|e| e.name.clone()).collect(),
            })
        })?;
        let data = self
            .input
            .get(entry.range.0..entry.range.1)
            .ok_or_else(|| ContainerError::corrupt("archive", "entry data outside the input"))?;
        EntryReader::new(
            data,
            entry.codec,
            Expect {
                size: entry.size,
                crc32: entry.crc32,
            },
            &self.limits,
            budget,
        )
        .map_err(|e| e.in_entry(&entry.name))
    }

    /// [`reader_with_budget`](Save::reader_with_budget) with the whole inflated-size limit.
    pub fn reader(&self, index: usize) -> Result<EntryReader<'a>, ContainerError> {
        self.reader_with_budget(index, self.limits.max_inflated)
    }
}

fn zip_entries(
    input: &[u8],
    base: usize,
    limits: &ArchiveLimits,
) -> Result<Vec<Entry>, ContainerError> {
    let bytes = input.get(base..).unwrap_or_default();
    Ok(zip::read_directory(bytes, limits)?
        .into_iter()
        .map(|z| Entry {
            name: z.name,
            codec: z.method.into(),
            compressed_size: z.compressed_size,
            size: Some(z.size),
            crc32: Some(z.crc32),
            range: (base.saturating_add(z.data.0), base.saturating_add(z.data.1)),
        })
        .collect())
}

fn open_sav(
    input: &[u8],
    limits: &ArchiveLimits,
    game: Option<Game>,
) -> Result<(Envelope, Vec<Entry>, bool), ContainerError> {
    let header = SavHeader::parse(input)?;
    let envelope = Envelope::Sav(header);
    let body_start = sav::SAV_HEADER_LEN;
    let meta_end = usize::try_from(header.metadata_len)
        .ok()
        .and_then(|n| body_start.checked_add(n))
        .filter(|&end| end <= input.len())
        .ok_or_else(|| {
            ContainerError::corrupt_at(
                "SAV save",
                format!(
                    "the header declares {} bytes of metadata but only {} follow (truncated file?)",
                    header.metadata_len,
                    input.len().saturating_sub(body_start)
                ),
                7,
            )
        })?;
    let meta = Entry {
        name: "meta".to_owned(),
        codec: Codec::Stored,
        compressed_size: header.metadata_len,
        size: Some(header.metadata_len),
        crc32: None,
        range: (body_start, meta_end),
    };
    match header.kind {
        SavKind::Text | SavKind::Binary => {
            if header.kind.is_binary() {
                return Err(binary_sav(game, body_start));
            }
            // The metadata block is the start of the gamestate: one document.
            let body = (input.len() - body_start) as u64;
            let doc = Entry {
                name: String::new(),
                codec: Codec::Stored,
                compressed_size: body,
                size: Some(body),
                crc32: None,
                range: (body_start, input.len()),
            };
            Ok((envelope, vec![doc], false))
        }
        SavKind::Other(code) => Err(ContainerErrorKind::Unsupported(format!(
            "SAV save kind {code} (known kinds are 0 to 5)"
        ))
        .into()),
        _ => {
            let rest = input.get(meta_end..).unwrap_or_default();
            let zip_at = memchr::memmem::find(rest, b"PK\x03\x04")
                .map(|i| meta_end + i)
                .ok_or_else(|| {
                    ContainerError::corrupt_at(
                        "SAV save",
                        "no zip after the metadata block",
                        meta_end as u64,
                    )
                })?;
            let mut entries = zip_entries(input, zip_at, limits)?;
            if header.metadata_len > 0 && !entries.iter().any(|e| e.name == "meta") {
                entries.insert(0, meta);
            }
            Ok((envelope, entries, true))
        }
    }
}

/// The error for a binary `SAV` save: which game, if the file name said; `offset` is
/// where the binary content starts.
pub fn binary_sav(game: Option<Game>, offset: usize) -> ContainerError {
    let format = match game {
        Some(g) => g.binary_format(),
        None => "this binary SAV save (CK3, Vic3, Imperator or EU5)",
    };
    Error::new(
        ErrorKind::Binary { format },
        Position {
            offset: offset as u64,
            line: 1,
            column: offset as u64 + 1,
        },
    )
    .into()
}

/// Is `head` (the first bytes of a document) binary Clausewitz data? Returns the format
/// name for [`ErrorKind::Binary`]. Binary token streams are full of NUL and other
/// control bytes (text with a stray NUL is not binary: see [`check_text`]). `EU4bin`-style headers are caught by the
/// [`Transcoder`](crate::Transcoder) too, but checking here names the game for
/// headerless binary as well.
pub fn binary_format(head: &[u8], game: Option<Game>) -> Option<&'static str> {
    if let Some((token, true)) = header_line(head) {
        let prefix = token
            .get(..token.len().saturating_sub(3))
            .unwrap_or_default();
        return Some(
            Game::from_header_prefix(prefix)
                .or(game)
                .map_or("this binary save", Game::binary_format),
        );
    }
    let probe = head.get(..head.len().min(4096)).unwrap_or_default();
    if memchr::memchr(0, probe).is_some() && binary_tokens(probe) && !utf16(probe) {
        return Some(game.map_or("this file (binary Clausewitz data)", Game::binary_format));
    }
    None
}

/// Check that `head` (the first bytes of a document, up to 4 KiB) can be Clausewitz
/// text: not binary (ironman) content, not UTF-16, no NUL byte. Each gets its own error,
/// so a UTF-16 file is not called a binary save.
pub fn check_text(head: &[u8], game: Option<Game>) -> Result<(), ContainerError> {
    if utf16(head) {
        return Err(ContainerErrorKind::NotText {
            detail: "UTF-16 text is not supported; save the file as UTF-8 or Windows-1252"
                .to_owned(),
            offset: 0,
        }
        .into());
    }
    if let Some(format) = binary_format(head, game) {
        let start = Position {
            offset: 0,
            line: 1,
            column: 1,
        };
        return Err(Error::new(ErrorKind::Binary { format }, start).into());
    }
    let probe = head.get(..head.len().min(4096)).unwrap_or_default();
    if let Some(at) = memchr::memchr(0, probe) {
        return Err(ContainerErrorKind::NotText {
            detail: format!("NUL byte at offset {at}: not a text file"),
            offset: at as u64,
        }
        .into());
    }
    Ok(())
}

/// UTF-16 text: a byte order mark, or (without one) ASCII characters each paired with a
/// zero byte, in either order, over the first 8 characters or more.
fn utf16(head: &[u8]) -> bool {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return true;
    }
    let pairs = || head.chunks_exact(2).take(64);
    let count = pairs().count();
    let little = pairs()
        .filter(|p| matches!(p, [c, 0] if *c != 0 && c.is_ascii()))
        .count();
    let big = pairs()
        .filter(|p| matches!(p, [0, c] if *c != 0 && c.is_ascii()))
        .count();
    count >= 8 && (little == count || big == count)
}

/// Does a document holding a NUL byte look like a binary token stream? Binary saves open
/// with a 16-bit token and then `=` (0x0001) or `{` (0x0003), and are full of small
/// control bytes; text with a stray NUL has neither.
fn binary_tokens(probe: &[u8]) -> bool {
    let operator = matches!(probe.get(2..4), Some([1 | 3, 0]));
    let controls = probe
        .iter()
        .filter(|&&b| matches!(b, 1..=8 | 0x0e..=0x1f))
        .count();
    operator || controls * 16 >= probe.len()
}

/// Games' binary headers run straight into binary tokens, with no newline after them.
const BINARY_HEADERS: [&[u8]; 8] = [
    b"EU3bin", b"EU4bin", b"EU5bin", b"CK2bin", b"CK3bin", b"HOI4bin", b"IRbin", b"VIC3bin",
];

/// The first-line header of a document (after a BOM): `EU4txt` and the like (a word
/// ending in `txt` followed by a line break), or a binary one such as `EU4bin`.
/// Returns the token and whether it is binary.
pub fn header_line(head: &[u8]) -> Option<(&[u8], bool)> {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if let Some(token) = BINARY_HEADERS.iter().find(|h| body.starts_with(h)) {
        return body.get(..token.len()).map(|t| (t, true));
    }
    let word = body
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let token = body.get(..word)?;
    let ends_line = body.get(word).is_none_or(|b| b.is_ascii_whitespace());
    if !(4..=16).contains(&word) || !ends_line {
        return None;
    }
    if token.ends_with(b"txt") {
        Some((token, false))
    } else if token.ends_with(b"bin") {
        Some((token, true))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_numbers() {
        let h = Hints::default();
        assert_eq!(sniff(b"PK\x03\x04rest", &h).unwrap(), Envelope::Zip);
        assert_eq!(sniff(b"\x1f\x8b\x08", &h).unwrap(), Envelope::Gzip);
        assert_eq!(sniff(b"\x28\xb5\x2f\xfd", &h).unwrap(), Envelope::Zstd);
        assert_eq!(sniff(b"EU4txt\n", &h).unwrap(), Envelope::Text);
        assert!(matches!(
            sniff(b"SAV0102797de243", &h).unwrap(),
            Envelope::Sav(_)
        ));
        assert_eq!(sniff(b"", &h).unwrap(), Envelope::Text);
        let br = Hints {
            brotli: true,
            ..Hints::default()
        };
        assert_eq!(sniff(b"PK\x03\x04", &br).unwrap(), Envelope::Brotli);
        let e = sniff(b"Rar!\x1a\x07\x00", &h).unwrap_err();
        assert!(e.to_string().contains("RAR"), "{e}");
    }

    #[test]
    fn binary_content_is_named() {
        assert_eq!(
            binary_format(b"EU4bin\x01\x00", None),
            Some("EU4bin (Europa Universalis IV)")
        );
        assert_eq!(
            binary_format(b"CK3bin", None),
            Some("CK3bin (Crusader Kings III)")
        );
        assert_eq!(
            binary_format(b"U1\x01\x00\x03\x00", Some(Game::Ck3)),
            Some("CK3bin (Crusader Kings III)")
        );
        assert!(binary_format(b"EU4txt\ndate=1.1.1", None).is_none());
        assert!(binary_format(b"\xEF\xBB\xBFa=b", None).is_none());
        // A binary header runs straight into tokens.
        assert_eq!(
            binary_format(b"EU4binM(\x01\x00", None),
            Some("EU4bin (Europa Universalis IV)")
        );
        assert_eq!(
            header_line(b"HOI4txt\nplayer=x"),
            Some((&b"HOI4txt"[..], false))
        );
        assert_eq!(header_line(b"EU4txtx=1"), None);
    }

    #[test]
    fn utf16_and_nul_bytes_are_not_called_binary() {
        let le: Vec<u8> = "\u{feff}a = b\nc = { 1 2 }\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "a = b\nc = { 1 2 }\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        for input in [&le[..], &le[2..], &be[..]] {
            let e = check_text(input, None).unwrap_err().to_string();
            assert_eq!(
                e,
                "UTF-16 text is not supported; save the file as UTF-8 or Windows-1252 (byte offset 0)"
            );
            assert!(binary_format(input, Some(Game::Eu4)).is_none());
        }
        let e = check_text(b"a = b\x00c\nd = 1\n", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "NUL byte at offset 5: not a text file (byte offset 5)"
        );
        assert!(matches!(
            e.kind(),
            ContainerErrorKind::NotText { offset: 5, .. }
        ));
        // Headerless binary is still binary, with or without a game hint.
        let e = check_text(b"U1\x01\x00\x03\x00\x8f\x05", Some(Game::Ck3)).unwrap_err();
        assert!(e.to_string().contains("CK3bin"), "{e}");
        let e = check_text(b"\x4f\x2c\x01\x00\x0c\x00\x07\x00", None).unwrap_err();
        assert!(e.to_string().contains("binary"), "{e}");
        assert!(check_text(b"EU4txt\ndate=1444.11.11\n", None).is_ok());
        assert!(check_text("name=\"Fran\u{e7}ois\"".as_bytes(), None).is_ok());
    }

    #[test]
    fn sav_truncated_metadata_is_an_error() {
        let e = Save::open(
            b"SAV0100797de24300000100\nmeta=yes\n",
            &Hints::default(),
            &ArchiveLimits::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }
}
