//! Zstandard (RFC 8878) through ruzstd, one block at a time.
//!
//! ruzstd decodes from a `Read` that must hold whole blocks, so this wrapper reads the
//! frame and block headers itself, waits until a block is complete, and hands ruzstd
//! exactly that block. Output per block is at most 128 KiB, and the window is capped
//! at 8 MiB (RFC 8878 asks HTTP decoders to support that much), which bounds memory.

use super::{DecodeError, Progress};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use std::io::Read;

/// Windows beyond this (e.g. `zstd --long`) are refused.
const MAX_WINDOW: u64 = 8 << 20;
/// Largest block body (the format's limit).
const MAX_BLOCK: usize = 128 << 10;
/// Input held while waiting for a complete block.
const MAX_HELD: usize = MAX_BLOCK + 64;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FrameStart,
    /// Inside a skippable frame, with this many bytes left to skip.
    Skip(u64),
    Blocks {
        checksum: bool,
    },
    /// The last block is decoded; its output is being collected.
    Drain {
        checksum: bool,
    },
}

pub(crate) struct ZstdDecoder {
    decoder: FrameDecoder,
    held: Vec<u8>,
    state: State,
    frames: u32,
    /// Encoded offset of `held[0]`.
    pos: u64,
}

impl Default for ZstdDecoder {
    fn default() -> Self {
        let mut decoder = FrameDecoder::new();
        decoder.set_max_window_size(MAX_WINDOW);
        ZstdDecoder {
            decoder,
            held: Vec::new(),
            state: State::FrameStart,
            frames: 0,
            pos: 0,
        }
    }
}

impl ZstdDecoder {
    pub fn decode(&mut self, input: &[u8], out: &mut [u8]) -> Result<Progress, DecodeError> {
        let take = input.len().min(MAX_HELD.saturating_sub(self.held.len()));
        self.held.extend_from_slice(&input[..take]);
        let produced = self.run(out)?;
        Ok(Progress {
            consumed: take,
            produced,
        })
    }

    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.state == State::FrameStart && self.held.is_empty() && self.frames > 0 {
            Ok(())
        } else if self.frames == 0 && self.held.is_empty() && self.state == State::FrameStart {
            Err(self.err("the body is empty".into()))
        } else {
            Err(self.err("the zstd stream ends early".into()))
        }
    }

    fn err(&self, detail: String) -> DecodeError {
        DecodeError {
            detail,
            offset: self.pos,
        }
    }

    fn drop_held(&mut self, n: usize) {
        self.held.drain(..n);
        self.pos += n as u64;
    }

    /// Advance as far as the held input allows, writing at most `out.len()` bytes.
    fn run(&mut self, out: &mut [u8]) -> Result<usize, DecodeError> {
        loop {
            if self.decoder.can_collect() > 0 {
                return self
                    .decoder
                    .read(out)
                    .map_err(|e| self.err(format!("bad zstd data: {e}")));
            }
            match self.state {
                State::FrameStart => {
                    let Some(len) = self.frame_header_len()? else {
                        return Ok(0);
                    };
                    if let Some(skip) = len.skip {
                        self.drop_held(8);
                        self.state = State::Skip(skip);
                        continue;
                    }
                    let mut src = &self.held[..len.header];
                    if let Err(e) = self.decoder.reset(&mut src) {
                        return Err(self.err(format!("bad zstd frame header: {e}")));
                    }
                    self.drop_held(len.header);
                    self.state = State::Blocks {
                        checksum: len.checksum,
                    };
                }
                State::Skip(left) => {
                    let n = (left.min(self.held.len() as u64)) as usize;
                    if n == 0 && left > 0 {
                        return Ok(0);
                    }
                    self.drop_held(n);
                    self.state = if left == n as u64 {
                        State::FrameStart
                    } else {
                        State::Skip(left - n as u64)
                    };
                }
                State::Blocks { checksum } => {
                    let Some(&[b0, b1, b2]) = self.held.get(..3) else {
                        return Ok(0);
                    };
                    let header = u32::from_le_bytes([b0, b1, b2, 0]);
                    let last = header & 1 == 1;
                    let size = (header >> 3) as usize;
                    let body = match (header >> 1) & 3 {
                        0 | 2 => size,
                        1 => 1,
                        _ => return Err(self.err("reserved zstd block type".into())),
                    };
                    if body > MAX_BLOCK {
                        return Err(self.err("zstd block larger than 128 KiB".into()));
                    }
                    let total = 3 + body + if last && checksum { 4 } else { 0 };
                    if self.held.len() < total {
                        return Ok(0);
                    }
                    let mut src = &self.held[..total];
                    if let Err(e) = self
                        .decoder
                        .decode_blocks(&mut src, BlockDecodingStrategy::UptoBlocks(1))
                    {
                        return Err(self.err(format!("bad zstd data: {e}")));
                    }
                    if !src.is_empty() {
                        return Err(self.err("zstd block shorter than its header says".into()));
                    }
                    self.drop_held(total);
                    if last {
                        self.state = State::Drain { checksum };
                    }
                }
                State::Drain { checksum } => {
                    // Everything is collected: the calculated checksum is final now.
                    if checksum
                        && self.decoder.get_checksum_from_data()
                            != self.decoder.get_calculated_checksum()
                    {
                        return Err(self.err("zstd checksum mismatch".into()));
                    }
                    self.frames += 1;
                    self.state = State::FrameStart;
                }
            }
        }
    }

    /// Sizes of the frame header at the start of `held`, once enough of it is there.
    fn frame_header_len(&self) -> Result<Option<FrameLen>, DecodeError> {
        let Some(magic) = self.held.get(..4) else {
            return Ok(None);
        };
        let magic = u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]);
        if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
            let Some(n) = self.held.get(4..8) else {
                return Ok(None);
            };
            return Ok(Some(FrameLen {
                header: 8,
                checksum: false,
                skip: Some(u32::from_le_bytes([n[0], n[1], n[2], n[3]]) as u64),
            }));
        }
        if magic != 0xFD2F_B528 {
            return Err(self.err("no zstd magic number".into()));
        }
        let Some(&d) = self.held.get(4) else {
            return Ok(None);
        };
        let single_segment = d & 0x20 != 0;
        let fcs = match d >> 6 {
            0 => usize::from(single_segment),
            1 => 2,
            2 => 4,
            _ => 8,
        };
        let dict = [0, 1, 2, 4][(d & 3) as usize];
        let header = 5 + usize::from(!single_segment) + dict + fcs;
        Ok((self.held.len() >= header).then_some(FrameLen {
            header,
            checksum: d & 4 != 0,
            skip: None,
        }))
    }
}

struct FrameLen {
    header: usize,
    checksum: bool,
    skip: Option<u64>,
}

#[cfg(test)]
mod tests {
    use crate::coding::Coding;
    use crate::coding::tests::{assert_round_trips, decode_all, sample_text};
    use ruzstd::encoding::{CompressionLevel, compress_to_vec};

    fn zstd(data: &[u8]) -> Vec<u8> {
        compress_to_vec(data, CompressionLevel::Fastest)
    }

    #[test]
    fn round_trips_in_any_chunking() {
        let text = sample_text();
        let z = zstd(&text);
        assert_round_trips(Coding::Zstd, &z, &text);
    }

    #[test]
    fn frames_in_a_row_and_skippable_frames() {
        let mut z = zstd(b"a=1\n");
        // A skippable frame: magic 0x184D2A53, length 5, five bytes.
        z.extend_from_slice(&[0x53, 0x2A, 0x4D, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5]);
        z.extend(zstd(b"b=2\n"));
        z.extend(compress_to_vec(
            &b"c=3\n"[..],
            CompressionLevel::Uncompressed,
        ));
        assert_eq!(
            decode_all(Coding::Zstd, &z, 2, 3).unwrap(),
            b"a=1\nb=2\nc=3\n"
        );
    }

    /// A frame written by the reference `zstd` CLI (1.5.4), which sets the checksum
    /// flag and a window descriptor.
    #[test]
    fn reference_frame_with_checksum() {
        // printf 'a=1\nb={ 2 3 }\n' | zstd -3 --check -c | xxd -i
        let z: &[u8] = &[
            0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0x71, 0x00, 0x00, 0x61, 0x3d, 0x31, 0x0a, 0x62,
            0x3d, 0x7b, 0x20, 0x32, 0x20, 0x33, 0x20, 0x7d, 0x0a, 0x2d, 0x59, 0xb2, 0x1d,
        ];
        assert_eq!(
            decode_all(Coding::Zstd, z, 1, 2).unwrap(),
            b"a=1\nb={ 2 3 }\n"
        );
        let mut bad = z.to_vec();
        bad[26] ^= 1;
        let e = decode_all(Coding::Zstd, &bad, 1, 2).unwrap_err();
        assert!(e.to_string().contains("checksum"), "{e}");
    }

    #[test]
    fn truncated_corrupt_and_oversized_windows_fail() {
        let z = zstd(&sample_text());
        let e = decode_all(Coding::Zstd, &z[..z.len() - 5], 999, 999).unwrap_err();
        assert!(e.to_string().contains("ends early"), "{e}");
        let e = decode_all(Coding::Zstd, b"plain text, not zstd", 4, 4).unwrap_err();
        assert!(e.to_string().contains("magic"), "{e}");
        // Window descriptor exponent 30 (1 GiB): refused before anything is allocated.
        let big = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 30 << 3, 0x01, 0x00, 0x00];
        let e = decode_all(Coding::Zstd, &big, 64, 64).unwrap_err();
        assert!(e.to_string().contains("header"), "{e}");
    }
}
