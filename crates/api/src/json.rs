//! `POST /v1/json`: its query parameters and the job that turns a decoded body into
//! JSON with the core [`Transcoder`].

use crate::pipeline::Job;
use crate::problem::{ApiError, LimitKind};
use pdxedge_core::container::ContainerErrorKind;
use pdxedge_core::json::{DuplicateKeyMode, JsonOptions, Narrowing};
use pdxedge_core::{Encoding, Transcoder};
use serde::{Deserialize, Deserializer};
use utoipa::{IntoParams, ToSchema};

/// Query parameters of `POST /v1/json`, read by [`JsonQuery::parse`]. The serde
/// attributes are what the OpenAPI document shows (utoipa reads them); the derived
/// `Deserialize` is never called, so it adds nothing to the Wasm.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JsonQuery {
    /// How repeated keys are written.
    pub mode: Mode,
    /// Which scalars may become JSON numbers and booleans.
    pub narrow: Narrow,
    /// Indent the JSON (two spaces). `pretty`, `pretty=true` and `pretty=1` turn it on.
    #[serde(deserialize_with = "flag")]
    #[param(value_type = bool)]
    pub pretty: bool,
    /// Text encoding of the input; `auto` reads the header (EU4 and CK2 saves are
    /// Windows-1252), else decides per token.
    pub encoding: Enc,
    /// For zip saves: which entry to convert (default: the gamestate). Ignored for
    /// plain text.
    pub entry: Option<String>,
}

/// Duplicate-key handling (see the README).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// `{"core":"A","core":"B"}`; streams.
    #[default]
    Preserve,
    /// `{"core":["A","B"]}`; holds the whole input (see `max_buffered_bytes`).
    Group,
    /// `{"type":"obj","val":[["core","A"],["core","B"]]}`; streams.
    KeyValuePairs,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Narrow {
    #[default]
    All,
    Unquoted,
    None,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum Enc {
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "windows-1252")]
    Windows1252,
}

// The core's choices as the documented enums: the query is parsed by the core's names
// (`Choice`), and [`JsonQuery::options`] maps back.
impl From<DuplicateKeyMode> for Mode {
    fn from(m: DuplicateKeyMode) -> Self {
        match m {
            DuplicateKeyMode::Preserve => Mode::Preserve,
            DuplicateKeyMode::Group => Mode::Group,
            DuplicateKeyMode::KeyValuePairs => Mode::KeyValuePairs,
        }
    }
}

impl From<Narrowing> for Narrow {
    fn from(n: Narrowing) -> Self {
        match n {
            Narrowing::All => Narrow::All,
            Narrowing::Unquoted => Narrow::Unquoted,
            Narrowing::None => Narrow::None,
        }
    }
}

impl From<Encoding> for Enc {
    fn from(e: Encoding) -> Self {
        match e {
            Encoding::Auto => Enc::Auto,
            Encoding::Utf8 => Enc::Utf8,
            Encoding::Windows1252 => Enc::Windows1252,
        }
    }
}

/// For the derived `Deserialize` only (unused at run time; [`JsonQuery::parse`] reads
/// the query).
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    crate::query::flag(&String::deserialize(d)?).map_err(serde::de::Error::custom)
}

impl JsonQuery {
    /// The parameters from a request's query string (`None`: no `?`). 400 on an
    /// unknown or repeated parameter or a bad value, naming it and what is accepted.
    pub fn parse(query: Option<&str>) -> Result<Self, ApiError> {
        use crate::query::{choice, flag};
        let mut q = JsonQuery::default();
        crate::query::each(
            query,
            &["mode", "narrow", "pretty", "encoding", "entry"],
            |i, v| {
                match i {
                    0 => q.mode = Mode::from(choice::<DuplicateKeyMode>(v)?),
                    1 => q.narrow = Narrow::from(choice::<Narrowing>(v)?),
                    2 => q.pretty = flag(v)?,
                    3 => q.encoding = Enc::from(choice::<Encoding>(v)?),
                    _ => q.entry = Some(v.to_owned()),
                }
                Ok(())
            },
        )?;
        Ok(q)
    }

    pub fn options(&self) -> JsonOptions {
        JsonOptions {
            mode: match self.mode {
                Mode::Preserve => DuplicateKeyMode::Preserve,
                Mode::Group => DuplicateKeyMode::Group,
                Mode::KeyValuePairs => DuplicateKeyMode::KeyValuePairs,
            },
            narrow: match self.narrow {
                Narrow::All => Narrowing::All,
                Narrow::Unquoted => Narrowing::Unquoted,
                Narrow::None => Narrowing::None,
            },
            pretty: self.pretty,
            encoding: match self.encoding {
                Enc::Auto => Encoding::Auto,
                Enc::Utf8 => Encoding::Utf8,
                Enc::Windows1252 => Encoding::Windows1252,
            },
        }
    }

    /// Does this conversion hold its whole input?
    pub fn buffers(&self) -> bool {
        self.mode == Mode::Group
    }
}

/// What the first bytes of a body say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Zip,
    /// CK3, Vic3 and Imperator saves start with a `SAV0...` header line.
    Sav,
    /// A binary (ironman) save: `EU4bin`, `CK3bin`, ... then binary tokens.
    Binary,
}

/// Bytes enough to tell every binary save magic from text.
const LONGEST_MAGIC: usize = 7;

/// The format, or `None` while more bytes are needed (`eof`: no more will come).
pub(crate) fn sniff(head: &[u8], eof: bool) -> Option<Format> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Format::Zip);
    }
    if head.starts_with(b"SAV0") {
        return Some(Format::Sav);
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if pdxedge_core::binary_magic(body).is_some() {
        return Some(Format::Binary);
    }
    // Wait for enough bytes to rule out the longest magic (`HOI4bin`, `VIC3bin`) and a BOM.
    if (body.len() < LONGEST_MAGIC || b"\xEF\xBB\xBF".starts_with(head)) && !eof {
        return None;
    }
    Some(Format::Text)
}

/// Clausewitz text to JSON; zip and `SAV` saves through the core's container support.
pub(crate) struct JsonJob {
    transcoder: Transcoder,
    /// A container save, held whole until the end (its directory is at the end).
    container: Option<Vec<u8>>,
    #[cfg(feature = "full")]
    save_options: pdxedge_core::save::SaveJsonOptions,
    max_held: u64,
    /// The first bytes, held until the format is known.
    head: Option<Vec<u8>>,
    /// Group mode: input held so far, and its limit.
    held: Option<(u64, u64)>,
}

/// A secret for group mode's key fingerprints, new for each conversion (see
/// `Transcoder::set_group_seed`), so that keys crafted to collide, which would cost time
/// quadratic in their number, cannot be made in advance: from the OS's random source, or
/// `crypto.getRandomValues` in the Worker. Should neither answer, the engine's fixed
/// default is used (the output is the same whatever the seed).
fn fresh_seed() -> u64 {
    getrandom::u64().unwrap_or_else(|_| pdxedge_core::save::SaveJsonOptions::default().group_seed)
}

impl JsonJob {
    pub fn new(query: &JsonQuery, limits: &crate::Limits) -> Self {
        let engine = pdxedge_core::Limits {
            max_depth: limits.max_depth,
            max_token_len: limits.max_token_bytes,
        };
        let mut transcoder = Transcoder::with_limits(query.options(), engine);
        transcoder.set_max_group_input(limits.max_buffered_bytes);
        let seed = fresh_seed();
        transcoder.set_group_seed(seed);
        JsonJob {
            transcoder,
            container: None,
            #[cfg(feature = "full")]
            save_options: pdxedge_core::save::SaveJsonOptions {
                json: query.options(),
                entry: query.entry.clone(),
                text_limits: engine,
                archive_limits: pdxedge_core::container::ArchiveLimits {
                    max_input: limits.max_buffered_bytes,
                    max_inflated: limits.max_inflated_bytes,
                    ..Default::default()
                },
                group_seed: seed,
            },
            max_held: limits.max_buffered_bytes,
            head: Some(Vec::new()),
            held: query.buffers().then_some((0, limits.max_buffered_bytes)),
        }
    }

    /// The body's declared length (plain bodies only): group mode then holds its input
    /// in one allocation of that size (it is already within `max_body_bytes`).
    pub fn input_len_hint(&mut self, len: u64) {
        self.transcoder.input_len_hint(len);
    }

    fn start(&mut self, head: &[u8], format: Format, out: &mut Vec<u8>) -> Result<(), ApiError> {
        match format {
            Format::Text => {
                refuse_non_text(head)?;
                self.convert(head, out)
            }
            Format::Binary => Err(binary_error(head)),
            #[cfg(feature = "full")]
            Format::Zip | Format::Sav => {
                self.container = Some(Vec::new());
                self.hold(head)
            }
            #[cfg(not(feature = "full"))]
            Format::Zip | Format::Sav => Err(ApiError::Container {
                status: 422,
                slug: "unsupported-format",
                title: "Unsupported file format",
                detail: "zip and SAV saves are not read by this build (text only)".into(),
                offset: Some(0),
            }),
        }
    }

    fn hold(&mut self, input: &[u8]) -> Result<(), ApiError> {
        if let Some(held) = &mut self.container {
            if (held.len() + input.len()) as u64 > self.max_held {
                return Err(ApiError::TooLarge {
                    which: LimitKind::Buffered,
                    limit: self.max_held,
                });
            }
            held.extend_from_slice(input);
        }
        Ok(())
    }

    fn convert(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), ApiError> {
        if self.container.is_some() {
            return self.hold(input);
        }
        if let Some((held, limit)) = &mut self.held {
            *held += input.len() as u64;
            if *held > *limit {
                return Err(ApiError::TooLarge {
                    which: LimitKind::Buffered,
                    limit: *limit,
                });
            }
        }
        self.transcoder.feed(input, out).map_err(ApiError::from)
    }
}

/// A `Write` over the pipeline's `emit`.
#[cfg(feature = "full")]
struct EmitWriter<'a> {
    emit: &'a mut dyn FnMut(&[u8]),
}

#[cfg(feature = "full")]
impl std::io::Write for EmitWriter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        (self.emit)(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// UTF-16 text and NUL bytes in the first bytes get the core's own message (as the CLI
/// prints it) rather than a syntax error somewhere further on.
fn refuse_non_text(head: &[u8]) -> Result<(), ApiError> {
    match pdxedge_core::container::check_text(head, None) {
        Err(e) if matches!(e.kind(), ContainerErrorKind::NotText { .. }) => {
            Err(crate::problem::container_error(e))
        }
        // Anything else (binary tokens) the transcoder reports with its position.
        _ => Ok(()),
    }
}

/// The core's error for a binary save, raised before any output so that the answer is a
/// 422 rather than a stream cut short.
fn binary_error(head: &[u8]) -> ApiError {
    let skip = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let format = head
        .get(skip..)
        .and_then(pdxedge_core::binary_magic)
        .unwrap_or("this file");
    ApiError::Binary(pdxedge_core::Error::new(
        pdxedge_core::ErrorKind::Binary { format },
        pdxedge_core::Position {
            offset: skip as u64,
            line: 1,
            column: skip as u64 + 1,
        },
    ))
}

impl Job for JsonJob {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), ApiError> {
        match self.head.take() {
            None => self.convert(input, out),
            Some(mut head) => {
                head.extend_from_slice(input);
                match sniff(&head, false) {
                    None => {
                        self.head = Some(head);
                        Ok(())
                    }
                    Some(format) => self.start(&head, format, out),
                }
            }
        }
    }

    fn finish(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), ApiError> {
        if let Some(head) = self.head.take() {
            let mut out = Vec::new();
            let format = sniff(&head, true).unwrap_or(Format::Text);
            self.start(&head, format, &mut out)?;
            emit(&out);
        }
        #[cfg(feature = "full")]
        if let Some(held) = self.container.take() {
            let mut w = EmitWriter { emit };
            return pdxedge_core::save::write_json(
                &held,
                &pdxedge_core::container::Hints::default(),
                &self.save_options,
                &mut w,
            )
            .map_err(crate::problem::container_error);
        }
        self.transcoder.finish_with(emit).map_err(ApiError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(query: JsonQuery, input: &[u8], chunk: usize) -> Result<Vec<u8>, ApiError> {
        let mut job = JsonJob::new(&query, &crate::Limits::default());
        let mut out = Vec::new();
        for c in input.chunks(chunk) {
            job.feed(c, &mut out)?;
        }
        job.finish(&mut |c| out.extend_from_slice(c))?;
        Ok(out)
    }

    /// The query's documented enums must accept the core's names (which the CLI and the
    /// Wasm package use) and mean the same.
    #[test]
    fn query_values_are_the_cores_names() {
        use pdxedge_core::json::Choice;
        fn parsed(query: String) -> JsonOptions {
            JsonQuery::parse(Some(&query)).unwrap().options()
        }
        for &m in DuplicateKeyMode::ALL {
            assert_eq!(parsed(format!("mode={}", m.name())).mode, m);
        }
        for &n in Narrowing::ALL {
            assert_eq!(parsed(format!("narrow={}", n.name())).narrow, n);
        }
        for &e in Encoding::ALL {
            assert_eq!(parsed(format!("encoding={}", e.name())).encoding, e);
        }
    }

    #[test]
    fn same_bytes_as_the_core_in_any_chunking() {
        let input = b"EU4txt\ncore=AAA core=BBB color = rgb { 1 2 3 } name=\"x\"\n";
        for mode in [Mode::Preserve, Mode::Group, Mode::KeyValuePairs] {
            let q = JsonQuery {
                mode,
                pretty: true,
                ..Default::default()
            };
            let want = pdxedge_core::to_json(input, q.options()).unwrap();
            for chunk in [1, 2, 3, 5, 64] {
                let q = JsonQuery {
                    mode,
                    pretty: true,
                    ..Default::default()
                };
                assert_eq!(run(q, input, chunk).unwrap(), want, "{mode:?} {chunk}");
            }
        }
    }

    #[test]
    fn each_conversion_takes_a_new_seed() {
        assert_ne!(fresh_seed(), fresh_seed());
    }

    #[test]
    fn tiny_inputs_and_formats() {
        assert_eq!(
            run(JsonQuery::default(), b"a=", 1).unwrap_err().status(),
            400
        );
        // A value without a key ends the root's list (as EU3's checksum line does).
        assert_eq!(
            run(JsonQuery::default(), b"a", 1).unwrap(),
            br#"{"remainder":["a"]}"#
        );
        assert_eq!(run(JsonQuery::default(), b"", 1).unwrap(), b"{}");
        assert_eq!(run(JsonQuery::default(), b"a=1", 1).unwrap(), br#"{"a":1}"#);
        let zip = run(JsonQuery::default(), b"PK\x03\x04rest", 2).unwrap_err();
        assert_eq!(zip.status(), 400, "a malformed zip: {zip}");
        // A real binary save's start: header word, then binary tokens.
        for chunk in [1, 3, 100] {
            let bin = run(JsonQuery::default(), b"EU4binM(\x01\x00\x0c\x00", chunk).unwrap_err();
            assert_eq!(bin.status(), 422);
            assert!(bin.to_string().contains("EU4bin (Europa"), "{bin}");
        }
        let bin = run(JsonQuery::default(), b"\xEF\xBB\xBFCK3bin\n", 2).unwrap_err();
        assert_eq!(bin.problem().offset, Some(3));
        // Text that merely starts with a long word is text.
        assert_eq!(
            run(JsonQuery::default(), b"cabin=1", 1).unwrap(),
            br#"{"cabin":1}"#
        );
        assert_eq!(
            run(JsonQuery::default(), b"EU4txt\na=1", 2).unwrap(),
            br#"{"a":1}"#
        );
    }

    #[test]
    fn group_mode_holds_at_most_the_buffered_limit() {
        let limits = crate::Limits {
            max_buffered_bytes: 10,
            ..Default::default()
        };
        let q = JsonQuery {
            mode: Mode::Group,
            ..Default::default()
        };
        let mut job = JsonJob::new(&q, &limits);
        let mut out = Vec::new();
        job.feed(b"a=1 b=2 c=", &mut out).unwrap();
        let e = job.feed(b"3", &mut out).unwrap_err();
        assert_eq!(e.status(), 413);
        // Preserve mode streams: no such limit.
        let mut job = JsonJob::new(&JsonQuery::default(), &limits);
        job.feed(b"a=1 b=2 c=3 d=4 e=5", &mut out).unwrap();
    }
}
