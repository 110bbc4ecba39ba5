//! `POST /v1/info` and `POST /v1/recompress`: jobs over the core's container support.
//!
//! Both need the whole save (a zip's directory is at its end), so they hold the decoded
//! body, up to `max_buffered_bytes`, and take a buffered-conversion slot like group mode.

use crate::pipeline::Job;
use crate::problem::{ApiError, LimitKind, container_error};
use pdxedge_core::container::{ArchiveLimits, Hints, Save};
use pdxedge_core::recompress::{self, RecompressOptions};
use pdxedge_core::save::{self, SaveInfo};
use std::io::Write;

fn archive_limits(limits: &crate::Limits) -> ArchiveLimits {
    ArchiveLimits {
        max_input: limits.max_buffered_bytes,
        max_inflated: limits.max_inflated_bytes,
        ..ArchiveLimits::default()
    }
}

/// The body, held whole.
struct Held {
    data: Vec<u8>,
    limit: u64,
}

impl Held {
    fn push(&mut self, input: &[u8]) -> Result<(), ApiError> {
        if (self.data.len() + input.len()) as u64 > self.limit {
            return Err(ApiError::TooLarge {
                which: LimitKind::Buffered,
                limit: self.limit,
            });
        }
        self.data.extend_from_slice(input);
        Ok(())
    }
}

/// `/v1/info`: what the save is, as JSON.
pub(crate) struct InfoJob {
    held: Held,
    limits: ArchiveLimits,
}

impl InfoJob {
    pub fn new(limits: &crate::Limits) -> Self {
        InfoJob {
            held: Held {
                data: Vec::new(),
                limit: limits.max_buffered_bytes,
            },
            limits: archive_limits(limits),
        }
    }
}

impl Job for InfoJob {
    fn feed(&mut self, input: &[u8], _out: &mut Vec<u8>) -> Result<(), ApiError> {
        self.held.push(input)
    }

    fn finish(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), ApiError> {
        let info = save::inspect(&self.held.data, &Hints::default(), &self.limits)
            .map_err(container_error)?;
        emit(info_json(&info).as_bytes());
        Ok(())
    }
}

/// The JSON shape of `pdxedge info --json`: fixed keys, `null` for what the save does
/// not say.
pub(crate) fn info_json(info: &SaveInfo) -> String {
    use serde_json::{Value, json};
    let entries: Vec<Value> = info
        .entries
        .iter()
        .map(|e| {
            json!({
                "name": e.name,
                "compression": e.codec.name(),
                "compressed_size": e.compressed_size,
                "size": e.size,
                "binary": e.binary,
                "header": e.header,
            })
        })
        .collect();
    let fields: [(&str, Value); 15] = [
        ("game", json!(info.game.map(|g| g.code()))),
        ("game_name", json!(info.game.map(|g| g.name()))),
        ("container", json!(info.container)),
        (
            "sav",
            info.sav
                .map_or(Value::Null, |(v, k)| json!({"version": v, "kind": k})),
        ),
        ("binary", json!(info.binary)),
        ("encoding", json!(info.encoding)),
        ("header", json!(info.header)),
        ("version", json!(info.version)),
        ("date", json!(info.date)),
        ("player", json!(info.player)),
        ("player_name", json!(info.player_name)),
        ("ironman", json!(info.ironman)),
        ("checksum", json!(info.checksum)),
        ("size", json!(info.input_size)),
        ("entries", Value::Array(entries)),
    ];
    // Written by hand to keep this key order (serde_json's map sorts keys).
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
    format!("{{{}}}", body.join(","))
}

/// `/v1/recompress`: the save's entries in a smaller archive, streamed out.
pub(crate) struct RecompressJob {
    held: Held,
    limits: ArchiveLimits,
    options: RecompressOptions,
}

impl RecompressJob {
    pub fn new(options: RecompressOptions, limits: &crate::Limits) -> Self {
        RecompressJob {
            held: Held {
                data: Vec::new(),
                limit: limits.max_buffered_bytes,
            },
            limits: archive_limits(limits),
            options,
        }
    }
}

/// A `Write` handing what it gets to the pipeline's `emit`, in pieces of 256 KiB.
struct Emit<'a> {
    emit: &'a mut dyn FnMut(&[u8]),
    buf: Vec<u8>,
}

impl Write for Emit<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 256 << 10 {
            (self.emit)(&self.buf);
            self.buf.clear();
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Job for RecompressJob {
    fn feed(&mut self, input: &[u8], _out: &mut Vec<u8>) -> Result<(), ApiError> {
        self.held.push(input)
    }

    fn finish(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), ApiError> {
        self.options.settings().map_err(container_error)?;
        let save = Save::open(&self.held.data, &Hints::default(), &self.limits)
            .map_err(container_error)?;
        let mut w = Emit {
            emit,
            buf: Vec::new(),
        };
        recompress::recompress(&save, &self.options, &mut w, None).map_err(container_error)?;
        if !w.buf.is_empty() {
            (w.emit)(&w.buf);
        }
        Ok(())
    }
}
