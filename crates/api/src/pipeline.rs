//! The sans-I/O middle of a request: body bytes in, response bytes out.
//!
//! ```text
//! received bytes -> Content-Encoding decoder -> Job (e.g. Clausewitz -> JSON) -> response encoder
//! ```
//!
//! It never waits and never touches a socket; the async driver (`stream.rs`) feeds it
//! what arrived and runs each [`Pipeline::step`] on a blocking thread (native) or
//! inline (Worker). Every step is bounded: it stops once about [`OUT_TARGET`] bytes of
//! output are ready, so a decompression bomb becomes many small steps, never a big
//! buffer.

use crate::coding::{Decoder, Encoder};
use crate::problem::{ApiError, LimitKind};

/// Output a step aims for before it returns.
pub(crate) const OUT_TARGET: usize = 1 << 20;
/// Decoded bytes handed to the job at a time.
const SLICE: usize = 64 << 10;

/// What a request does with its decoded body. The JSON conversion is one; zip saves,
/// recompression and info will be others, with the same driver around them.
pub(crate) trait Job: Send {
    /// The next decoded input bytes; output is appended to `out`.
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), ApiError>;
    /// The input has ended: hand the rest of the output to `emit`, in pieces.
    fn finish(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), ApiError>;
}

pub(crate) struct Pipeline {
    decoder: Option<Decoder>,
    pending: Vec<u8>,
    /// Bytes at the front of `pending` already consumed.
    start: usize,
    scratch: Vec<u8>,
    convert: Convert,
}

/// Everything after the Content-Encoding decoder: the inflated-size limit, the job and
/// the response encoder. Kept apart so that it can be fed a slice borrowed from the
/// pipeline's own input buffers.
struct Convert {
    inflated: u64,
    max_inflated: u64,
    job: Box<dyn Job>,
    job_out: Vec<u8>,
    encoder: Encoder,
}

impl Pipeline {
    pub fn new(
        decoder: Option<Decoder>,
        job: Box<dyn Job>,
        encoder: Encoder,
        max_inflated: u64,
    ) -> Self {
        Pipeline {
            scratch: if decoder.is_some() {
                vec![0; SLICE]
            } else {
                Vec::new()
            },
            decoder,
            pending: Vec::new(),
            start: 0,
            convert: Convert {
                inflated: 0,
                max_inflated,
                job,
                job_out: Vec::new(),
                encoder,
            },
        }
    }

    /// Body bytes that arrived.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start == self.pending.len() {
            self.pending.clear();
            self.start = 0;
        } else if self.start > self.pending.len() / 2 {
            self.pending.drain(..self.start);
            self.start = 0;
        }
        self.pending.extend_from_slice(bytes);
    }

    /// Received bytes not yet decoded.
    pub fn pending(&self) -> usize {
        self.pending.len() - self.start
    }

    /// Decode and convert pending input until it is used up (or the decoder needs
    /// more) or about [`OUT_TARGET`] bytes of output are in `out`.
    pub fn step(&mut self, out: &mut Vec<u8>) -> Result<(), ApiError> {
        while out.len() < OUT_TARGET {
            let input = &self.pending[self.start..];
            match &mut self.decoder {
                None => {
                    if input.is_empty() {
                        break;
                    }
                    let n = input.len().min(SLICE);
                    self.start += n;
                    let (from, to) = (self.start - n, self.start);
                    self.convert.feed(&self.pending[from..to], out)?;
                }
                Some(decoder) => {
                    let p = decoder.decode(input, &mut self.scratch)?;
                    self.start += p.consumed;
                    if p.produced > 0 {
                        self.convert.feed(&self.scratch[..p.produced], out)?;
                    } else if p.consumed == 0 {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// The body has ended: convert what is left and hand all remaining output to
    /// `emit` in pieces of about [`OUT_TARGET`] bytes.
    pub fn finish(&mut self, emit: &mut dyn FnMut(Vec<u8>)) -> Result<(), ApiError> {
        loop {
            let mut out = Vec::new();
            self.step(&mut out)?;
            let done = out.len() < OUT_TARGET;
            if !out.is_empty() {
                emit(out);
            }
            if done {
                break;
            }
        }
        if let Some(decoder) = &self.decoder {
            decoder.finish()?;
        }
        let mut buf = Vec::new();
        let Convert { job, encoder, .. } = &mut self.convert;
        job.finish(&mut |chunk| {
            encoder.write(chunk, &mut buf);
            if buf.len() >= OUT_TARGET {
                emit(std::mem::take(&mut buf));
            }
        })?;
        encoder.finish(&mut buf);
        if !buf.is_empty() {
            emit(buf);
        }
        Ok(())
    }
}

impl Convert {
    /// Decoded body bytes: count them against the limit, convert, encode into `out`.
    fn feed(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), ApiError> {
        self.inflated += data.len() as u64;
        if self.inflated > self.max_inflated {
            return Err(ApiError::TooLarge {
                which: LimitKind::Inflated,
                limit: self.max_inflated,
            });
        }
        self.job.feed(data, &mut self.job_out)?;
        self.encoder.write(&self.job_out, out);
        self.job_out.clear();
        Ok(())
    }
}
