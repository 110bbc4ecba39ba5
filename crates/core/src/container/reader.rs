//! Streaming decoders for entries: each [`EntryReader`] inflates from compressed bytes
//! held in memory, a piece at a time, and checks size, ratio and CRC limits as it goes.
//! An inflated entry is never held whole.

use super::crc::Crc32;
use super::error::{ContainerError, ContainerErrorKind};
use super::gzip::GzipDecoder;
use super::limits::ArchiveLimits;
use super::zip::Method;
use std::io::{self, Read};

/// How a stream is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Stored,
    Deflate,
    Zstd,
    Gzip,
    Brotli,
}

impl From<Method> for Codec {
    fn from(m: Method) -> Self {
        match m {
            Method::Stored => Codec::Stored,
            Method::Deflate => Codec::Deflate,
            Method::Zstd => Codec::Zstd,
        }
    }
}

impl Codec {
    pub fn name(self) -> &'static str {
        match self {
            Codec::Stored => "stored",
            Codec::Deflate => "deflate",
            Codec::Zstd => "zstd",
            Codec::Gzip => "gzip",
            Codec::Brotli => "brotli",
        }
    }
}

/// What the reader checks at the end of the entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expect {
    /// The declared inflated size: more is an error as soon as it happens, less at the end.
    pub size: Option<u64>,
    pub crc32: Option<u32>,
}

enum Decoder<'a> {
    Stored(&'a [u8]),
    Deflate(Box<flate2::bufread::DeflateDecoder<&'a [u8]>>),
    Gzip(Box<GzipReader<'a>>),
    Brotli(Box<brotli::Decompressor<&'a [u8]>>),
    Zstd(Box<ZstdFrames<'a>>),
}

/// Inflates one entry (or one compressed stream) as a [`Read`], enforcing the limits.
///
/// Through [`Read`], errors come out as `io::Error`s wrapping a [`ContainerError`] (the
/// `inner` of [`std::io::Error::into_inner`]); [`EntryReader::read_checked`] returns the
/// [`ContainerError`] itself.
pub struct EntryReader<'a> {
    decoder: Decoder<'a>,
    codec: Codec,
    compressed: u64,
    produced: u64,
    expect: Expect,
    /// Bytes this entry may still produce before the total limit trips.
    budget: u64,
    limits: ArchiveLimits,
    crc: Crc32,
    done: bool,
}

impl<'a> EntryReader<'a> {
    /// A reader over `data` compressed with `codec`. `budget` is how many inflated bytes
    /// the whole input may still produce (see [`ArchiveLimits::max_inflated`]).
    pub fn new(
        data: &'a [u8],
        codec: Codec,
        expect: Expect,
        limits: &ArchiveLimits,
        budget: u64,
    ) -> Result<Self, ContainerError> {
        let decoder = match codec {
            Codec::Stored => Decoder::Stored(data),
            Codec::Deflate => {
                Decoder::Deflate(Box::new(flate2::bufread::DeflateDecoder::new(data)))
            }
            Codec::Gzip => Decoder::Gzip(Box::new(GzipReader {
                data,
                decoder: GzipDecoder::new(),
            })),
            Codec::Brotli => Decoder::Brotli(Box::new(brotli::Decompressor::new(data, 1 << 16))),
            Codec::Zstd => Decoder::Zstd(Box::new(ZstdFrames::new(data, limits.max_zstd_window)?)),
        };
        Ok(EntryReader {
            decoder,
            codec,
            compressed: data.len() as u64,
            produced: 0,
            expect,
            budget,
            limits: *limits,
            crc: Crc32::new(),
            done: false,
        })
    }

    /// Inflated bytes produced so far.
    pub fn produced(&self) -> u64 {
        self.produced
    }

    fn check_progress(&self) -> Result<(), ContainerError> {
        if let Some(declared) = self.expect.size
            && self.produced > declared
        {
            return Err(ContainerErrorKind::SizeMismatch {
                declared,
                actual: self.produced,
            }
            .into());
        }
        if self.produced > self.budget {
            return Err(ContainerErrorKind::TooLarge {
                size: self.produced,
                limit: self.limits.max_inflated,
            }
            .into());
        }
        if !self.limits.ratio_ok(self.produced, self.compressed) {
            return Err(ContainerErrorKind::RatioTooHigh {
                inflated: self.produced,
                compressed: self.compressed,
                limit: self.limits.max_ratio,
            }
            .into());
        }
        Ok(())
    }

    fn check_end(&mut self) -> Result<(), ContainerError> {
        if let Some(declared) = self.expect.size
            && self.produced != declared
        {
            return Err(ContainerErrorKind::SizeMismatch {
                declared,
                actual: self.produced,
            }
            .into());
        }
        if let Some(declared) = self.expect.crc32 {
            let actual = self.crc.value();
            if actual != declared {
                return Err(ContainerErrorKind::ChecksumMismatch { declared, actual }.into());
            }
        }
        Ok(())
    }

    /// Read the whole entry, handing it to `sink` in pieces of at most `piece` bytes.
    pub fn for_each_piece(
        &mut self,
        piece: usize,
        mut sink: impl FnMut(&[u8]) -> Result<(), ContainerError>,
    ) -> Result<(), ContainerError> {
        let mut buf = vec![0u8; piece.max(1)];
        loop {
            let n = self.read_checked(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            sink(buf.get(..n).unwrap_or_default())?;
        }
    }

    /// Like [`Read::read`], with the error as a [`ContainerError`].
    pub fn read_checked(&mut self, buf: &mut [u8]) -> Result<usize, ContainerError> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let n = match &mut self.decoder {
            Decoder::Stored(rest) => {
                let n = rest.len().min(buf.len());
                let (head, tail) = rest.split_at(n);
                if let Some(dst) = buf.get_mut(..n) {
                    dst.copy_from_slice(head);
                }
                *rest = tail;
                Ok(n)
            }
            Decoder::Deflate(d) => d.read(buf),
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Brotli(d) => d.read(buf),
            Decoder::Zstd(d) => d.read(buf),
        }
        .map_err(|e| ContainerError::from_io(e, self.codec.name()))?;
        if n == 0 {
            self.done = true;
            self.check_end()?;
            return Ok(0);
        }
        // A decoder claiming more bytes than the buffer holds is a bug there, not input.
        let piece = buf.get(..n).ok_or_else(|| {
            ContainerError::corrupt(self.codec.name(), "the decoder overran its buffer")
        })?;
        self.produced += n as u64;
        self.crc.update(piece);
        self.check_progress()?;
        Ok(n)
    }
}

impl Read for EntryReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_checked(buf).map_err(ContainerError::into_io)
    }
}

/// A gzip stream held in memory, read through the push decoder.
struct GzipReader<'a> {
    data: &'a [u8],
    decoder: GzipDecoder,
}

impl Read for GzipReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let to_io = |e| ContainerError::from(e).into_io();
        loop {
            let p = self.decoder.decode(self.data, buf).map_err(to_io)?;
            self.data = self.data.get(p.consumed..).unwrap_or_default();
            if p.produced > 0 || buf.is_empty() {
                return Ok(p.produced);
            }
            if p.consumed == 0 {
                // No progress with all the input given: the stream has ended.
                self.decoder.finish().map_err(to_io)?;
                return Ok(0);
            }
        }
    }
}

/// zstd frames one after another (as `zstd` writes for concatenated input), decoded by
/// the pure-Rust `ruzstd`.
struct ZstdFrames<'a> {
    decoder: Option<ruzstd::decoding::StreamingDecoder<&'a [u8], ruzstd::decoding::FrameDecoder>>,
    max_window: u64,
}

impl<'a> ZstdFrames<'a> {
    fn new(data: &'a [u8], max_window: u64) -> Result<Self, ContainerError> {
        let mut frames = ZstdFrames {
            decoder: None,
            max_window,
        };
        frames.start(data)?;
        Ok(frames)
    }

    fn start(&mut self, data: &'a [u8]) -> Result<(), ContainerError> {
        self.decoder = if data.is_empty() {
            None
        } else {
            Some(
                ruzstd::decoding::StreamingDecoder::new_with_max_window_size(data, self.max_window)
                    .map_err(|e| ContainerError::corrupt("zstd", e.to_string()))?,
            )
        };
        Ok(())
    }
}

impl Read for ZstdFrames<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(0);
            };
            let n = decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            let rest: &[u8] = decoder.get_ref();
            self.start(rest).map_err(ContainerError::into_io)?;
        }
    }
}
