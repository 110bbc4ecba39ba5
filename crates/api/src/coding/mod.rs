//! HTTP content codings: request bodies decoded as they arrive (`Content-Encoding: gzip,
//! br, zstd`), JSON responses encoded when the client accepts it (`Accept-Encoding`).
//!
//! The decoders are push-style and bounded: each call consumes some input and fills at
//! most the output slice it is given, so a decompression bomb costs time (until the
//! inflated-size limit stops it), never memory. All are pure Rust, for the Worker. gzip
//! is the engine's decoder ([`pdxedge_core::container::gzip`]), which also reads
//! gzipped saves.

#[cfg(feature = "full")]
mod brotli;
mod encode;
#[cfg(feature = "full")]
mod zstd;

pub(crate) use encode::{Encoder, ResponseCoding};
pub(crate) use pdxedge_core::container::gzip::Progress;

use crate::problem::ApiError;
use http::HeaderMap;
use pdxedge_core::container::gzip::{GzipDecoder, GzipError};

/// The value of `Accept-Encoding` sent with 415 (RFC 7694).
#[cfg(feature = "full")]
pub const ACCEPTED_CODINGS: &str = "gzip, br, zstd, identity";
/// The value of `Accept-Encoding` sent with 415 (RFC 7694).
#[cfg(not(feature = "full"))]
pub const ACCEPTED_CODINGS: &str = "gzip, identity";

/// A request body's content coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
    #[cfg(feature = "full")]
    Brotli,
    #[cfg(feature = "full")]
    Zstd,
}

impl Coding {
    /// The body's coding from its `Content-Encoding` header. One coding is supported
    /// (besides `identity`); anything else is a 415.
    pub fn from_headers(headers: &HeaderMap) -> Result<Coding, ApiError> {
        let mut coding = Coding::Identity;
        for value in headers.get_all(http::header::CONTENT_ENCODING) {
            let text = value
                .to_str()
                .map_err(|_| ApiError::UnsupportedEncoding("(not ASCII)".into()))?;
            for name in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let this = match name.to_ascii_lowercase().as_str() {
                    "identity" => continue,
                    "gzip" | "x-gzip" => Coding::Gzip,
                    #[cfg(feature = "full")]
                    "br" => Coding::Brotli,
                    #[cfg(feature = "full")]
                    "zstd" => Coding::Zstd,
                    _ => return Err(ApiError::UnsupportedEncoding(name.to_string())),
                };
                if coding != Coding::Identity {
                    return Err(ApiError::UnsupportedEncoding(text.to_string()));
                }
                coding = this;
            }
        }
        Ok(coding)
    }

    pub fn name(self) -> &'static str {
        match self {
            Coding::Identity => "identity",
            Coding::Gzip => "gzip",
            #[cfg(feature = "full")]
            Coding::Brotli => "br",
            #[cfg(feature = "full")]
            Coding::Zstd => "zstd",
        }
    }

    pub(crate) fn decoder(self) -> Option<Decoder> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some(Decoder::Gzip(Box::new(GzipDecoder::new()))),
            #[cfg(feature = "full")]
            Coding::Brotli => Some(Decoder::Brotli(Box::default())),
            #[cfg(feature = "full")]
            Coding::Zstd => Some(Decoder::Zstd(Box::default())),
        }
    }
}

/// What a decoder found wrong, and where (byte offset in the encoded body).
#[derive(Debug)]
pub(crate) struct DecodeError {
    pub detail: String,
    pub offset: u64,
}

impl From<GzipError> for DecodeError {
    fn from(e: GzipError) -> Self {
        DecodeError {
            detail: e.detail,
            offset: e.offset,
        }
    }
}

/// A streaming decoder for one coding.
pub(crate) enum Decoder {
    Gzip(Box<GzipDecoder>),
    #[cfg(feature = "full")]
    Brotli(Box<brotli::BrotliDecoder>),
    #[cfg(feature = "full")]
    Zstd(Box<zstd::ZstdDecoder>),
}

impl Decoder {
    /// Decode from `input` into `out`. No progress (0 consumed, 0 produced) means the
    /// decoder needs more input than it was given.
    pub fn decode(&mut self, input: &[u8], out: &mut [u8]) -> Result<Progress, ApiError> {
        let r = match self {
            Decoder::Gzip(d) => d.decode(input, out).map_err(DecodeError::from),
            #[cfg(feature = "full")]
            Decoder::Brotli(d) => d.decode(input, out),
            #[cfg(feature = "full")]
            Decoder::Zstd(d) => d.decode(input, out),
        };
        r.map_err(|e| self.error(e))
    }

    /// The input has ended: is the encoded stream complete?
    pub fn finish(&self) -> Result<(), ApiError> {
        let r = match self {
            Decoder::Gzip(d) => d.finish().map_err(DecodeError::from),
            #[cfg(feature = "full")]
            Decoder::Brotli(d) => d.finish(),
            #[cfg(feature = "full")]
            Decoder::Zstd(d) => d.finish(),
        };
        r.map_err(|e| self.error(e))
    }

    fn error(&self, e: DecodeError) -> ApiError {
        let coding = match self {
            Decoder::Gzip(_) => "gzip",
            #[cfg(feature = "full")]
            Decoder::Brotli(_) => "br",
            #[cfg(feature = "full")]
            Decoder::Zstd(_) => "zstd",
        };
        ApiError::BadEncoding {
            coding,
            detail: e.detail,
            offset: e.offset,
        }
    }
}

#[cfg(all(test, feature = "full"))]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn coding(values: &[&str]) -> Result<Coding, ApiError> {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(
                http::header::CONTENT_ENCODING,
                HeaderValue::from_str(v).unwrap(),
            );
        }
        Coding::from_headers(&h)
    }

    #[test]
    fn content_encoding_header() {
        assert_eq!(coding(&[]).unwrap(), Coding::Identity);
        assert_eq!(coding(&["GZIP"]).unwrap(), Coding::Gzip);
        assert_eq!(coding(&["x-gzip"]).unwrap(), Coding::Gzip);
        assert_eq!(coding(&["identity, br"]).unwrap(), Coding::Brotli);
        assert_eq!(coding(&["zstd"]).unwrap(), Coding::Zstd);
        assert!(matches!(
            coding(&["deflate"]),
            Err(ApiError::UnsupportedEncoding(c)) if c == "deflate"
        ));
        // Two codings stacked are not supported.
        assert!(coding(&["gzip, br"]).is_err());
        assert!(coding(&["gzip", "gzip"]).is_err());
    }

    /// `encoded` decodes back to `text` however the input and the output are sliced:
    /// from a byte at a time to all at once.
    pub(crate) fn assert_round_trips(coding: Coding, encoded: &[u8], text: &[u8]) {
        for (chunk, out) in [(1, 7), (3, 1), (100, 4096), (1 << 20, 1 << 16)] {
            let decoded = decode_all(coding, encoded, chunk, out).unwrap();
            assert!(decoded == text, "{coding:?}, chunk {chunk}, out {out}");
        }
    }

    /// Drive a decoder the way the pipeline does: input in `chunk`-byte pieces, output
    /// in `out`-byte slices.
    pub(crate) fn decode_all(
        coding: Coding,
        data: &[u8],
        chunk: usize,
        out: usize,
    ) -> Result<Vec<u8>, ApiError> {
        let mut d = coding.decoder().unwrap();
        let mut result = Vec::new();
        let mut buf = vec![0u8; out];
        let mut pending: Vec<u8> = Vec::new();
        let mut fed = 0;
        loop {
            if fed < data.len() {
                let end = (fed + chunk).min(data.len());
                pending.extend_from_slice(&data[fed..end]);
                fed = end;
            }
            loop {
                let p = d.decode(&pending, &mut buf)?;
                pending.drain(..p.consumed);
                result.extend_from_slice(&buf[..p.produced]);
                if p.consumed == 0 && p.produced == 0 {
                    break;
                }
            }
            if fed == data.len() {
                break;
            }
        }
        if !pending.is_empty() {
            return Err(ApiError::Internal(format!(
                "{} bytes left undecoded",
                pending.len()
            )));
        }
        d.finish()?;
        Ok(result)
    }

    pub(crate) fn sample_text() -> Vec<u8> {
        let mut s = Vec::new();
        for i in 0..20_000 {
            s.extend_from_slice(
                format!("province{i}={{ owner=K{:02} tax={} }}\n", i % 97, i % 13).as_bytes(),
            );
        }
        s
    }

    mod gzip {
        use super::{assert_round_trips, decode_all, sample_text};
        use crate::coding::Coding;
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
            assert_round_trips(Coding::Gzip, &gz, &text);
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
}
