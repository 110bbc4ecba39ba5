//! Brotli (RFC 7932) through brotli-decompressor's push API.

use super::{DecodeError, Progress};
use brotli_decompressor::{BrotliDecompressStream, BrotliResult, BrotliState, StandardAlloc};

pub(crate) struct BrotliDecoder {
    state: BrotliState<StandardAlloc, StandardAlloc, StandardAlloc>,
    done: bool,
    pos: u64,
}

impl Default for BrotliDecoder {
    fn default() -> Self {
        BrotliDecoder {
            state: BrotliState::new(
                StandardAlloc::default(),
                StandardAlloc::default(),
                StandardAlloc::default(),
            ),
            done: false,
            pos: 0,
        }
    }
}

impl BrotliDecoder {
    pub fn decode(&mut self, input: &[u8], out: &mut [u8]) -> Result<Progress, DecodeError> {
        if self.done {
            if input.is_empty() {
                return Ok(Progress {
                    consumed: 0,
                    produced: 0,
                });
            }
            return Err(self.err("data after the end of the brotli stream"));
        }
        let mut avail_in = input.len();
        let mut in_off = 0;
        let mut avail_out = out.len();
        let mut out_off = 0;
        let mut total = 0;
        let result = BrotliDecompressStream(
            &mut avail_in,
            &mut in_off,
            input,
            &mut avail_out,
            &mut out_off,
            out,
            &mut total,
            &mut self.state,
        );
        self.pos += in_off as u64;
        match result {
            BrotliResult::ResultFailure => Err(self.err("bad brotli data")),
            BrotliResult::ResultSuccess => {
                self.done = true;
                Ok(Progress {
                    consumed: in_off,
                    produced: out_off,
                })
            }
            BrotliResult::NeedsMoreInput | BrotliResult::NeedsMoreOutput => Ok(Progress {
                consumed: in_off,
                produced: out_off,
            }),
        }
    }

    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.done {
            Ok(())
        } else {
            Err(self.err("the brotli stream ends early"))
        }
    }

    fn err(&self, detail: &str) -> DecodeError {
        DecodeError {
            detail: detail.to_string(),
            offset: self.pos,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::coding::Coding;
    use crate::coding::tests::{assert_round_trips, decode_all, sample_text};

    pub(crate) fn brotli(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let params = ::brotli::enc::BrotliEncoderParams {
            quality: 5,
            size_hint: data.len(),
            ..Default::default()
        };
        ::brotli::BrotliCompress(&mut &data[..], &mut out, &params).unwrap();
        out
    }

    #[test]
    fn round_trips_in_any_chunking() {
        let text = sample_text();
        let br = brotli(&text);
        assert_round_trips(Coding::Brotli, &br, &text);
    }

    #[test]
    fn truncated_corrupt_and_trailing_data_fail() {
        let br = brotli(&sample_text());
        let e = decode_all(Coding::Brotli, &br[..br.len() - 1], 16, 16).unwrap_err();
        assert!(e.to_string().contains("ends early"), "{e}");
        let mut extra = br.clone();
        extra.extend_from_slice(b"junk");
        let e = decode_all(Coding::Brotli, &extra, 1 << 10, 1 << 10).unwrap_err();
        assert!(e.to_string().contains("after the end"), "{e}");
        let e = decode_all(Coding::Brotli, b"\xff\xff\xff\xff plain text", 4, 4).unwrap_err();
        assert!(e.to_string().contains("bad brotli"), "{e}");
    }
}
