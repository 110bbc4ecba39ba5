//! Response compression, chosen from `Accept-Encoding`, done in the same (offloaded)
//! work step as the conversion so it never runs on the async threads.

#[cfg(feature = "gzip-response")]
use flate2::{Compression, write::GzEncoder};
use http::HeaderMap;
#[cfg(any(feature = "gzip-response", feature = "br-response"))]
use std::io::Write;

/// gzip level: JSON from saves shrinks 5-8x already at level 1, and level 6 costs
/// several times the CPU of the conversion itself.
#[cfg(feature = "gzip-response")]
const GZIP_LEVEL: u32 = 1;
#[cfg(feature = "br-response")]
const BROTLI_QUALITY: u32 = 4;
#[cfg(feature = "br-response")]
const BROTLI_LGWIN: u32 = 22;

/// The coding of a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResponseCoding {
    Identity,
    #[cfg(feature = "gzip-response")]
    Gzip,
    #[cfg(feature = "br-response")]
    Brotli,
}

impl ResponseCoding {
    /// The best coding the client accepts (RFC 9110 section 12.5.3): the highest
    /// q-value among those this build can write; brotli wins ties.
    pub fn negotiate(headers: &HeaderMap) -> ResponseCoding {
        let mut best = (ResponseCoding::Identity, 0.0f32);
        for value in headers.get_all(http::header::ACCEPT_ENCODING) {
            let Ok(text) = value.to_str() else { continue };
            for item in text.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                // The coding first: a build that writes none never parses a q-value.
                let Some(coding) = ResponseCoding::named(&name) else {
                    continue;
                };
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                let better =
                    q > best.1 || (q == best.1 && q > 0.0 && coding.rank() > best.0.rank());
                if q > 0.0 && better {
                    best = (coding, q);
                }
            }
        }
        best.0
    }

    /// The coding an `Accept-Encoding` item names, if this build can write it.
    fn named(name: &str) -> Option<ResponseCoding> {
        match name {
            #[cfg(feature = "gzip-response")]
            "gzip" | "x-gzip" => Some(ResponseCoding::Gzip),
            #[cfg(feature = "br-response")]
            "br" => Some(ResponseCoding::Brotli),
            _ => None,
        }
    }

    fn rank(self) -> u8 {
        match self {
            ResponseCoding::Identity => 0,
            #[cfg(feature = "gzip-response")]
            ResponseCoding::Gzip => 1,
            #[cfg(feature = "br-response")]
            ResponseCoding::Brotli => 2,
        }
    }

    /// The `Content-Encoding` value, if any.
    pub fn header(self) -> Option<&'static str> {
        match self {
            ResponseCoding::Identity => None,
            #[cfg(feature = "gzip-response")]
            ResponseCoding::Gzip => Some("gzip"),
            #[cfg(feature = "br-response")]
            ResponseCoding::Brotli => Some("br"),
        }
    }

    pub fn encoder(self) -> Encoder {
        match self {
            ResponseCoding::Identity => Encoder::Identity,
            #[cfg(feature = "gzip-response")]
            ResponseCoding::Gzip => Encoder::Gzip(Box::new(GzEncoder::new(
                Vec::new(),
                Compression::new(GZIP_LEVEL),
            ))),
            #[cfg(feature = "br-response")]
            ResponseCoding::Brotli => Encoder::Brotli(Some(Box::new(
                brotli::CompressorWriter::new(Vec::new(), 64 << 10, BROTLI_QUALITY, BROTLI_LGWIN),
            ))),
        }
    }
}

/// A streaming encoder writing into its own buffer, drained after each step.
// One encoder per response: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Encoder {
    Identity,
    #[cfg(feature = "gzip-response")]
    Gzip(Box<GzEncoder<Vec<u8>>>),
    #[cfg(feature = "br-response")]
    /// `None` once finished.
    Brotli(Option<Box<brotli::CompressorWriter<Vec<u8>>>>),
}

impl Encoder {
    /// Encode `data`, appending whatever output is ready to `out`.
    pub fn write(&mut self, data: &[u8], out: &mut Vec<u8>) {
        // Writes into a Vec cannot fail.
        match self {
            Encoder::Identity => out.extend_from_slice(data),
            #[cfg(feature = "gzip-response")]
            Encoder::Gzip(e) => {
                let _ = e.write_all(data);
                out.append(e.get_mut());
            }
            #[cfg(feature = "br-response")]
            Encoder::Brotli(Some(e)) => {
                let _ = e.write_all(data);
                out.append(e.get_mut());
            }
            #[cfg(feature = "br-response")]
            Encoder::Brotli(None) => {}
        }
    }

    /// End the stream, appending the rest to `out`.
    #[cfg_attr(
        not(any(feature = "gzip-response", feature = "br-response")),
        allow(unused_variables, clippy::ptr_arg)
    )]
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        match self {
            Encoder::Identity => {}
            #[cfg(feature = "gzip-response")]
            Encoder::Gzip(e) => {
                let _ = e.try_finish();
                out.append(e.get_mut());
            }
            #[cfg(feature = "br-response")]
            Encoder::Brotli(e) => {
                // `into_inner` closes the brotli stream.
                if let Some(e) = e.take() {
                    out.extend_from_slice(&e.into_inner());
                }
            }
        }
    }
}

#[cfg(all(test, feature = "full", feature = "gzip-response"))]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn pick(v: &str) -> ResponseCoding {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::ACCEPT_ENCODING,
            HeaderValue::from_str(v).unwrap(),
        );
        ResponseCoding::negotiate(&h)
    }

    #[test]
    fn negotiation() {
        assert_eq!(
            ResponseCoding::negotiate(&HeaderMap::new()),
            ResponseCoding::Identity
        );
        assert_eq!(pick("gzip"), ResponseCoding::Gzip);
        assert_eq!(pick("gzip;q=0"), ResponseCoding::Identity);
        assert_eq!(pick("deflate, identity"), ResponseCoding::Identity);
        assert_eq!(pick("zstd;q=1, gzip;q=0.5"), ResponseCoding::Gzip);
        #[cfg(feature = "br-response")]
        {
            assert_eq!(pick("gzip, deflate, br"), ResponseCoding::Brotli);
            assert_eq!(pick("gzip;q=1, br;q=0.9"), ResponseCoding::Gzip);
        }
    }

    #[test]
    fn encoders_round_trip() {
        let text = crate::coding::tests::sample_text();
        let codings = [
            ResponseCoding::Gzip,
            #[cfg(feature = "br-response")]
            ResponseCoding::Brotli,
        ];
        for coding in codings {
            let mut e = coding.encoder();
            let mut out = Vec::new();
            for chunk in text.chunks(7777) {
                e.write(chunk, &mut out);
            }
            e.finish(&mut out);
            let back = match coding {
                ResponseCoding::Gzip => {
                    crate::coding::tests::decode_all(super::super::Coding::Gzip, &out, 999, 999)
                }
                _ => crate::coding::tests::decode_all(super::super::Coding::Brotli, &out, 999, 999),
            };
            assert_eq!(back.unwrap(), text, "{coding:?}");
            assert!(out.len() < text.len() / 3, "{coding:?}: {}", out.len());
        }
    }
}
