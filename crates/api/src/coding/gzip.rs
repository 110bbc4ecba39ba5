//! gzip (RFC 1952): header and trailer read here, raw deflate by miniz_oxide (through
//! flate2's push API). Several members in a row are one stream, as `gzip` writes them.

use super::{DecodeError, Progress};
use flate2::{Decompress, FlushDecompress, Status};

/// A header with a file name or comment longer than this is refused.
const MAX_HEADER: usize = 64 << 10;

enum State {
    Header,
    Body,
    Trailer,
    /// A member ended; another may follow.
    Between,
}

pub(crate) struct GzipDecoder {
    state: State,
    header: Vec<u8>,
    inflate: Decompress,
    /// CRC-32 of the member's output so far.
    crc: u32,
    size: u32,
    members: u32,
    /// Encoded bytes consumed so far, for error offsets.
    pos: u64,
}

impl Default for GzipDecoder {
    fn default() -> Self {
        GzipDecoder {
            state: State::Header,
            header: Vec::new(),
            inflate: Decompress::new(false),
            crc: 0,
            size: 0,
            members: 0,
            pos: 0,
        }
    }
}

impl GzipDecoder {
    pub fn decode(&mut self, input: &[u8], out: &mut [u8]) -> Result<Progress, DecodeError> {
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
                self.crc = 0;
                self.size = 0;
                self.header(input)?
            }
        };
        self.pos += p.consumed as u64;
        Ok(p)
    }

    pub fn finish(&self) -> Result<(), DecodeError> {
        match self.state {
            State::Between => Ok(()),
            _ => Err(self.err(if self.members == 0 && self.header.is_empty() {
                "the body is empty".to_string()
            } else {
                "the gzip stream ends early".to_string()
            })),
        }
    }

    fn err(&self, detail: String) -> DecodeError {
        DecodeError {
            detail,
            offset: self.pos,
        }
    }

    fn header(&mut self, input: &[u8]) -> Result<Progress, DecodeError> {
        let room = MAX_HEADER + 1 - self.header.len();
        let take = input.len().min(room);
        self.header.extend_from_slice(&input[..take]);
        match parse_header(&self.header).map_err(|m| self.err(m.to_string()))? {
            Some(len) => {
                let over = self.header.len() - len;
                self.state = State::Body;
                Ok(Progress {
                    consumed: take - over,
                    produced: 0,
                })
            }
            None if self.header.len() > MAX_HEADER => {
                Err(self.err("the gzip header is longer than 64 KiB".to_string()))
            }
            None => Ok(Progress {
                consumed: take,
                produced: 0,
            }),
        }
    }

    fn body(&mut self, input: &[u8], out: &mut [u8]) -> Result<Progress, DecodeError> {
        let (in0, out0) = (self.inflate.total_in(), self.inflate.total_out());
        let status = self
            .inflate
            .decompress(input, out, FlushDecompress::None)
            .map_err(|e| self.err(format!("bad deflate data: {e}")))?;
        let consumed = (self.inflate.total_in() - in0) as usize;
        let produced = (self.inflate.total_out() - out0) as usize;
        self.crc = zlib_rs::crc32::crc32(self.crc, &out[..produced]);
        self.size = self.size.wrapping_add(produced as u32);
        if status == Status::StreamEnd {
            self.state = State::Trailer;
            self.header.clear();
        }
        Ok(Progress { consumed, produced })
    }

    fn trailer(&mut self, input: &[u8]) -> Result<Progress, DecodeError> {
        let take = input.len().min(8 - self.header.len());
        self.header.extend_from_slice(&input[..take]);
        if let Ok(t) = <[u8; 8]>::try_from(self.header.as_slice()) {
            let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
            let size = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
            if crc != self.crc {
                return Err(self.err("CRC-32 mismatch".to_string()));
            }
            if size != self.size {
                return Err(self.err("length mismatch in the trailer".to_string()));
            }
            self.members += 1;
            self.state = State::Between;
        }
        Ok(Progress {
            consumed: take,
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
    if h.len() < at {
        return Ok(None);
    }
    if flags & FEXTRA != 0 {
        let Some(x) = h.get(at..at + 2) else {
            return Ok(None);
        };
        at += 2 + u16::from_le_bytes([x[0], x[1]]) as usize;
        if h.len() < at {
            return Ok(None);
        }
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            match h[at..].iter().position(|&b| b == 0) {
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

#[cfg(all(test, feature = "full"))]
mod tests {
    use crate::coding::Coding;
    use crate::coding::tests::{decode_all, sample_text};
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn round_trips_in_any_chunking() {
        let text = sample_text();
        let gz = gzip(&text);
        for (chunk, out) in [(1, 7), (3, 1), (100, 4096), (1 << 20, 1 << 16)] {
            assert_eq!(decode_all(Coding::Gzip, &gz, chunk, out).unwrap(), text);
        }
    }

    #[test]
    fn header_with_name_comment_extra_and_crc() {
        let text = b"a=1 b={ 2 3 }".to_vec();
        let gz = flate2::GzBuilder::new()
            .filename("save.eu4")
            .comment("made by a test")
            .extra(vec![1, 2, 3, 4])
            .write(Vec::new(), Compression::default());
        let mut gz = gz;
        gz.write_all(&text).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(decode_all(Coding::Gzip, &gz, 1, 3).unwrap(), text);
    }

    #[test]
    fn several_members_are_one_stream() {
        let mut gz = gzip(b"a=1\n");
        gz.extend(gzip(b"b=2\n"));
        assert_eq!(decode_all(Coding::Gzip, &gz, 5, 64).unwrap(), b"a=1\nb=2\n");
    }

    #[test]
    fn corrupt_and_truncated_streams_fail_with_an_offset() {
        let gz = gzip(&sample_text());
        let e = decode_all(Coding::Gzip, &gz[..gz.len() - 3], 4096, 4096).unwrap_err();
        assert!(e.to_string().contains("ends early"), "{e}");

        let mut bad = gz.clone();
        let n = bad.len();
        bad[n - 6] ^= 0xff; // inside the CRC
        let e = decode_all(Coding::Gzip, &bad, 4096, 4096).unwrap_err();
        assert!(e.to_string().contains("CRC"), "{e}");

        let e = decode_all(Coding::Gzip, b"not gzip at all", 4, 4).unwrap_err();
        assert!(e.to_string().contains("magic"), "{e}");
        assert!(e.to_string().contains("at byte 0"), "{e}");

        let e = decode_all(Coding::Gzip, b"", 4, 4).unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
    }
}
