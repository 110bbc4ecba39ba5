//! gzip (RFC 1952) as a push decoder: the member header and trailer are read here, the
//! raw deflate data by zlib-rs (through flate2's `Decompress`), and the CRC-32 of the
//! output by zlib-rs too. Several members in a row are one stream, as `gzip` writes
//! them.
//!
//! Push-style and bounded: [`GzipDecoder::decode`] consumes some input and fills at most
//! the output slice it is given, so the caller decides how much inflated data exists at
//! once and stops a decompression bomb with its own size limit. The same decoder serves
//! whole gzip saves here ([`EntryReader`](super::EntryReader),
//! [`SaveJson`](crate::save::SaveJson)) and `Content-Encoding: gzip` request bodies in
//! the HTTP API.
//!
//! ```
//! use pdxedge_core::container::gzip::GzipDecoder;
//!
//! // "a=1\n", gzipped.
//! let gz = [
//!     0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3, 0x4b, 0xb4, 0x35, 0xe4, 2, 0,
//!     0x15, 0xd7, 0xe5, 0xa8, 4, 0, 0, 0,
//! ];
//! let mut d = GzipDecoder::new();
//! let (mut input, mut text, mut buf) = (&gz[..], Vec::new(), [0u8; 2]);
//! loop {
//!     let p = d.decode(input, &mut buf)?;
//!     input = &input[p.consumed..];
//!     text.extend_from_slice(&buf[..p.produced]);
//!     if p.consumed == 0 && p.produced == 0 {
//!         break; // needs more input than there is
//!     }
//! }
//! d.finish()?;
//! assert_eq!(text, b"a=1\n");
//! # Ok::<(), pdxedge_core::container::gzip::GzipError>(())
//! ```

use super::crc::Crc32;
use flate2::{Decompress, FlushDecompress, Status};
use std::fmt;

/// A header with a file name or comment longer than this is refused.
pub const MAX_HEADER: usize = 64 << 10;

/// One step of a decoder: input bytes consumed, output bytes written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub consumed: usize,
    pub produced: usize,
}

/// What is wrong with a gzip stream, and where (bytes of the stream consumed before the
/// step that found it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GzipError {
    pub detail: String,
    pub offset: u64,
}

impl fmt::Display for GzipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (byte offset {})", self.detail, self.offset)
    }
}

impl std::error::Error for GzipError {}

impl From<GzipError> for super::ContainerError {
    fn from(e: GzipError) -> Self {
        super::ContainerError::corrupt_at("gzip", e.detail, e.offset)
    }
}

enum State {
    Header,
    Body,
    Trailer,
    /// A member ended; another may follow.
    Between,
}

/// Decodes a gzip stream of one or more members; see the module documentation.
pub struct GzipDecoder {
    state: State,
    /// The header (then the trailer) collected so far.
    header: Vec<u8>,
    inflate: Decompress,
    /// CRC-32 of the member's output so far.
    crc: Crc32,
    size: u32,
    members: u32,
    /// Encoded bytes consumed so far, for error offsets.
    pos: u64,
}

impl Default for GzipDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl GzipDecoder {
    pub fn new() -> Self {
        GzipDecoder {
            state: State::Header,
            header: Vec::new(),
            inflate: Decompress::new(false),
            crc: Crc32::new(),
            size: 0,
            members: 0,
            pos: 0,
        }
    }

    /// Decode from `input` into `out`. No progress (0 consumed, 0 produced) means the
    /// decoder needs more input than it was given; with input left and room in `out`,
    /// call again.
    pub fn decode(&mut self, input: &[u8], out: &mut [u8]) -> Result<Progress, GzipError> {
        let p = match self.state {
            State::Header => self.header(input)?,
            State::Body => self.body(input, out)?,
            State::Trailer => self.trailer(input)?,
            State::Between => {
                if input.is_empty() {
                    return Ok(Progress {
                        consumed: 0,
                        produced: 0,
                    });
                }
                self.state = State::Header;
                self.header.clear();
                self.inflate.reset(false);
                self.crc = Crc32::new();
                self.size = 0;
                self.header(input)?
            }
        };
        self.pos += p.consumed as u64;
        Ok(p)
    }

    /// The input has ended: is the stream complete (at least one whole member)?
    pub fn finish(&self) -> Result<(), GzipError> {
        match self.state {
            State::Between => Ok(()),
            _ => Err(self.err(if self.members == 0 && self.header.is_empty() {
                "the stream is empty".to_string()
            } else {
                "the gzip stream ends early".to_string()
            })),
        }
    }

    fn err(&self, detail: String) -> GzipError {
        GzipError {
            detail,
            offset: self.pos,
        }
    }

    fn header(&mut self, input: &[u8]) -> Result<Progress, GzipError> {
        let room = (MAX_HEADER + 1).saturating_sub(self.header.len());
        let take = input.get(..room).unwrap_or(input);
        self.header.extend_from_slice(take);
        match parse_header(&self.header).map_err(|m| self.err(m.to_string()))? {
            Some(len) => {
                let over = self.header.len().saturating_sub(len);
                self.state = State::Body;
                Ok(Progress {
                    consumed: take.len().saturating_sub(over),
                    produced: 0,
                })
            }
            None if self.header.len() > MAX_HEADER => {
                Err(self.err("the gzip header is longer than 64 KiB".to_string()))
            }
            None => Ok(Progress {
                consumed: take.len(),
                produced: 0,
            }),
        }
    }

    fn body(&mut self, input: &[u8], out: &mut [u8]) -> Result<Progress, GzipError> {
        let (in0, out0) = (self.inflate.total_in(), self.inflate.total_out());
        let status = self
            .inflate
            .decompress(input, out, FlushDecompress::None)
            .map_err(|e| self.err(format!("bad deflate data: {e}")))?;
        let consumed = (self.inflate.total_in() - in0) as usize;
        let produced = (self.inflate.total_out() - out0) as usize;
        self.crc.update(out.get(..produced).unwrap_or_default());
        self.size = self.size.wrapping_add(produced as u32);
        if status == Status::StreamEnd {
            self.state = State::Trailer;
            self.header.clear();
        }
        Ok(Progress { consumed, produced })
    }

    fn trailer(&mut self, input: &[u8]) -> Result<Progress, GzipError> {
        let take = input
            .get(..8usize.saturating_sub(self.header.len()))
            .unwrap_or(input);
        self.header.extend_from_slice(take);
        if let Ok(t) = <[u8; 8]>::try_from(self.header.as_slice()) {
            let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
            let size = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
            if crc != self.crc.value() {
                return Err(self.err("CRC-32 mismatch".to_string()));
            }
            if size != self.size {
                return Err(self.err("length mismatch in the trailer".to_string()));
            }
            self.members += 1;
            self.state = State::Between;
        }
        Ok(Progress {
            consumed: take.len(),
            produced: 0,
        })
    }
}

/// The length of a complete gzip member header at the start of `h`, `None` if more
/// bytes are needed.
fn parse_header(h: &[u8]) -> Result<Option<usize>, &'static str> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    for (i, want) in [0x1f, 0x8b, 8].into_iter().enumerate() {
        match h.get(i) {
            None => return Ok(None),
            Some(&b) if b != want => {
                return Err(if i < 2 {
                    "no gzip magic number"
                } else {
                    "unknown gzip compression method"
                });
            }
            Some(_) => {}
        }
    }
    let Some(&flags) = h.get(3) else {
        return Ok(None);
    };
    if flags & 0xe0 != 0 {
        return Err("reserved gzip header flags are set");
    }
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let Some(&[lo, hi]) = h.get(at..at + 2) else {
            return Ok(None);
        };
        at += 2 + usize::from(u16::from_le_bytes([lo, hi]));
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            match h
                .get(at..)
                .and_then(|rest| rest.iter().position(|&b| b == 0))
            {
                Some(n) => at += n + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    Ok((h.len() >= at).then_some(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn sample_text() -> Vec<u8> {
        let mut s = Vec::new();
        for i in 0..20_000 {
            s.extend_from_slice(format!("province{i}={{ owner=K{:02} }}\n", i % 97).as_bytes());
        }
        s
    }

    /// Input in `chunk`-byte pieces, output in `out`-byte slices, as a request body
    /// arrives.
    fn decode_all(data: &[u8], chunk: usize, out: usize) -> Result<Vec<u8>, GzipError> {
        let mut d = GzipDecoder::new();
        let (mut result, mut buf, mut pending) = (Vec::new(), vec![0u8; out], Vec::new());
        for piece in data.chunks(chunk) {
            pending.extend_from_slice(piece);
            loop {
                let p = d.decode(&pending, &mut buf)?;
                pending.drain(..p.consumed);
                result.extend_from_slice(&buf[..p.produced]);
                if p.consumed == 0 && p.produced == 0 {
                    break;
                }
            }
        }
        assert!(pending.is_empty(), "{} bytes left undecoded", pending.len());
        d.finish()?;
        Ok(result)
    }

    #[test]
    fn round_trips_in_any_chunking() {
        let text = sample_text();
        let gz = gzip(&text);
        for (chunk, out) in [(1, 7), (3, 1), (100, 4096), (1 << 20, 1 << 16)] {
            assert_eq!(decode_all(&gz, chunk, out).unwrap(), text);
        }
    }

    #[test]
    fn header_with_name_comment_extra_and_crc() {
        let text = b"a=1 b={ 2 3 }".to_vec();
        let mut gz = flate2::GzBuilder::new()
            .filename("save.eu4")
            .comment("made by a test")
            .extra(vec![1, 2, 3, 4])
            .write(Vec::new(), Compression::default());
        gz.write_all(&text).unwrap();
        let mut gz = gz.finish().unwrap();
        assert_eq!(decode_all(&gz, 1, 3).unwrap(), text);
        // FHCRC: two bytes after the name and comment.
        gz[3] |= 2;
        let at = 10 + 2 + 4 + b"save.eu4\0made by a test\0".len();
        gz.splice(at..at, [0xaa, 0xbb]);
        assert_eq!(decode_all(&gz, 2, 5).unwrap(), text);
    }

    #[test]
    fn several_members_are_one_stream() {
        let mut gz = gzip(b"a=1\n");
        gz.extend(gzip(b"b=2\n"));
        assert_eq!(decode_all(&gz, 5, 64).unwrap(), b"a=1\nb=2\n");
    }

    #[test]
    fn corrupt_and_truncated_streams_fail_with_an_offset() {
        let gz = gzip(&sample_text());
        let e = decode_all(&gz[..gz.len() - 3], 4096, 4096).unwrap_err();
        assert!(e.detail.contains("ends early"), "{e}");

        let mut bad = gz.clone();
        let n = bad.len();
        bad[n - 6] ^= 0xff; // inside the CRC
        let e = decode_all(&bad, 4096, 4096).unwrap_err();
        assert_eq!(e.detail, "CRC-32 mismatch");

        let mut bad = gz.clone();
        bad[n - 2] ^= 0xff; // inside ISIZE
        let e = decode_all(&bad, 4096, 4096).unwrap_err();
        assert_eq!(e.detail, "length mismatch in the trailer");

        let mut bad = gz.clone();
        bad[20] ^= 0xff; // inside the deflate data
        let e = decode_all(&bad, 4096, 4096).unwrap_err();
        assert!(
            e.detail.starts_with("bad deflate data") || e.detail.contains("CRC"),
            "{e}"
        );

        let e = decode_all(b"not gzip at all", 4, 4).unwrap_err();
        assert_eq!((e.detail.as_str(), e.offset), ("no gzip magic number", 0));

        let e = decode_all(b"\x1f\x8b\x07", 4, 4).unwrap_err();
        assert_eq!(e.detail, "unknown gzip compression method");

        let e = decode_all(b"", 4, 4).unwrap_err();
        assert!(e.detail.contains("empty"), "{e}");

        // Garbage after a whole member is a bad second header, at its offset.
        let mut tail = gzip(b"a=1");
        let len = tail.len() as u64;
        tail.extend_from_slice(b"\0\0\0\0");
        let e = decode_all(&tail, 1 << 10, 64).unwrap_err();
        assert_eq!((e.detail.as_str(), e.offset), ("no gzip magic number", len));
    }

    #[test]
    fn a_header_name_over_64_kib_is_refused() {
        let mut gz = vec![0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3];
        gz.resize(gz.len() + MAX_HEADER + 10, b'n');
        let e = decode_all(&gz, 1000, 64).unwrap_err();
        assert!(e.detail.contains("64 KiB"), "{e}");
    }
}
