//! The front door: BOM and first-line header handling, then parser and JSON renderer.

use crate::error::{Error, ErrorKind, Position};
use crate::json::render::Renderer;
use crate::json::{DuplicateKeyMode, JsonOptions};
use crate::text::{Encoding, Limits, Parser};

/// The longest first-line header token recognised (`HOI4txt` is 7 bytes).
const MAX_HEADER: usize = 16;

/// The most input group mode accepts by default (the same as the containers' default
/// [`max_inflated`](crate::container::ArchiveLimits::max_inflated)).
pub const DEFAULT_MAX_GROUP_INPUT: u64 = 2 << 30;

/// The most JSON one feed may make in the streaming modes by default, or
/// [`FEED_OUTPUT_FACTOR`] times the feed's input if that is more. A 64 KiB feed of a real
/// save makes well under 1 MB, pretty or not; only pretty output of containers nested
/// thousands deep (each line indented by twice its depth) comes near it.
pub const DEFAULT_MAX_FEED_OUTPUT: usize = 16 << 20;

/// A feed may always make this many times its input of JSON (pretty JSON of a real save
/// is 2-3 times its size), so a caller that feeds a whole file at once is not refused.
pub const FEED_OUTPUT_FACTOR: usize = 16;

/// Converts Clausewitz text to JSON, chunk by chunk.
///
/// The input may start with a UTF-8 BOM and a first-line header such as `EU4txt`, which
/// are skipped (the header picks the encoding when it is [`Encoding::Auto`]). A binary
/// header (`EU4bin`, ...) is refused with [`ErrorKind::Binary`].
pub struct Transcoder {
    options: JsonOptions,
    limits: Limits,
    prelude: Vec<u8>,
    prelude_done: bool,
    parser: Parser,
    renderer: Renderer,
    /// Group mode: its JSON is held until the end, and the bytes of input fed (after
    /// the prelude) are counted against the renderer's group limit.
    group: Option<u64>,
    /// Streaming modes: the most JSON one feed may make.
    max_feed_output: usize,
    finished: bool,
}

impl Transcoder {
    pub fn new(options: JsonOptions) -> Self {
        Self::with_limits(options, Limits::default())
    }

    pub fn with_limits(options: JsonOptions, limits: Limits) -> Self {
        let mut transcoder = Transcoder {
            options,
            limits,
            prelude: Vec::new(),
            prelude_done: false,
            parser: Parser::new(limits),
            renderer: Renderer::new(&options),
            group: (options.mode == DuplicateKeyMode::Group).then_some(0),
            max_feed_output: DEFAULT_MAX_FEED_OUTPUT,
            finished: false,
        };
        transcoder.set_max_group_input(DEFAULT_MAX_GROUP_INPUT);
        transcoder
    }

    /// The whole input's size, when the caller knows it (a zip entry's declared size, an
    /// HTTP `Content-Length`, a file's length). Group mode then starts its held JSON
    /// in one allocation of that size (a save's compact JSON is usually smaller than the
    /// save: 0.90x on the EU4 Korea save) instead of a buffer that doubles as it grows
    /// (which may hold the old and the new buffer while it copies). Other modes stream and ignore it, as
    /// does group mode for a size over its limit. A wrong hint costs memory, not
    /// correctness.
    pub fn input_len_hint(&mut self, len: u64) {
        if self.group.is_some()
            && len <= self.renderer.group_limit()
            && let Ok(len) = usize::try_from(len)
        {
            self.renderer.writer().try_reserve(len);
        }
    }

    /// The most input group mode accepts (default [`DEFAULT_MAX_GROUP_INPUT`]); it holds
    /// the JSON of what it has read until the input ends, at most twice `limit` bytes
    /// (see [`json::group`](crate::json::group)). More input, more held JSON, or a held
    /// buffer that memory cannot give is refused with [`ErrorKind::GroupInputTooLarge`].
    /// Other modes stream any size.
    pub fn set_max_group_input(&mut self, limit: u64) {
        self.renderer.set_group_limit(limit);
    }

    /// Group mode finds a repeated key through a fingerprint of each key. `seed` (set it
    /// before the first feed; the default is fixed) changes nothing in the output, but
    /// a secret one, new for each conversion, keeps input crafted to share fingerprints
    /// from slowing group mode down: a server converting untrusted input should set one.
    pub fn set_group_seed(&mut self, seed: u64) {
        self.renderer.set_group_seed(seed);
    }

    /// The streaming modes (preserve, key-value-pairs) hand back each feed's JSON when
    /// the feed returns, so memory holds one feed's output: a feed (or the end of input)
    /// whose JSON passes `limit` bytes (default [`DEFAULT_MAX_FEED_OUTPUT`]) and
    /// [`FEED_OUTPUT_FACTOR`] times its input is refused with
    /// [`ErrorKind::OutputTooLarge`], positioned at the end of that feed's input. Only
    /// pretty output of containers nested thousands deep comes near it; smaller feeds
    /// make less. Group mode is bounded by
    /// [`set_max_group_input`](Transcoder::set_max_group_input) instead.
    pub fn set_max_feed_output(&mut self, limit: usize) {
        // Each feed sets the writer's cap from it and the feed's size.
        self.max_feed_output = limit;
    }

    /// Has the output passed its cap (group mode: what it holds, since the last key
    /// checked it; the streaming modes: this feed's JSON)? Then the error, at the end of
    /// the input fed so far.
    fn check_output(&mut self) -> Result<(), Error> {
        if !self.renderer.writer().over_cap() {
            return Ok(());
        }
        let kind = match self.group {
            Some(_) => ErrorKind::GroupInputTooLarge {
                limit: self.renderer.group_limit(),
            },
            None => ErrorKind::OutputTooLarge {
                limit: self.renderer.writer().cap(),
            },
        };
        Err(Error::new(kind, self.parser.position_after(&[])))
    }

    /// Feed the next chunk of input; JSON produced so far is appended to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        if self.finished {
            return Err(Error::new(ErrorKind::Finished, Position::default()));
        }
        if !self.prelude_done {
            self.prelude.extend_from_slice(input);
            if !self.try_prelude(false)? {
                return Ok(());
            }
            let rest = std::mem::take(&mut self.prelude);
            return self.feed_body(&rest, out);
        }
        self.feed_body(input, out)
    }

    /// Signal the end of input and write the rest of the JSON to `out`.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        self.finish_with(|chunk| out.extend_from_slice(chunk))
    }

    /// Like [`finish`](Transcoder::finish), handing the output to `emit` in chunks (group
    /// mode writes most of its output here).
    pub fn finish_with<F: FnMut(&[u8])>(&mut self, mut emit: F) -> Result<(), Error> {
        if self.finished {
            return Err(Error::new(ErrorKind::Finished, Position::default()));
        }
        if !self.prelude_done {
            self.try_prelude(true)?;
            let rest = std::mem::take(&mut self.prelude);
            let mut out = Vec::new();
            self.feed_body(&rest, &mut out)?;
            emit(&out);
        }
        self.finished = true;
        self.parser.finish(&mut self.renderer)?;
        self.check_output()?;
        let end = self.parser.offset();
        self.renderer.end_document_with(&mut emit).map_err(|k| {
            Error::new(
                k,
                Position {
                    offset: end,
                    ..Position::default()
                },
            )
        })
    }

    fn feed_body(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        if let Some(fed) = self.group.as_mut() {
            // Group mode holds its output until the end.
            let room = self.renderer.group_limit().saturating_sub(*fed);
            if input.len() as u64 > room {
                let fits = input
                    .get(..usize::try_from(room).unwrap_or(usize::MAX))
                    .unwrap_or(input);
                let kind = ErrorKind::GroupInputTooLarge {
                    limit: self.renderer.group_limit(),
                };
                return Err(Error::new(kind, self.parser.position_after(fits)));
            }
            *fed += input.len() as u64;
            return self.parser.feed(input, &mut self.renderer);
        }
        let cap = self
            .max_feed_output
            .max(input.len().saturating_mul(FEED_OUTPUT_FACTOR));
        self.renderer.writer().set_cap(cap);
        self.parser.feed(input, &mut self.renderer)?;
        self.check_output()?;
        self.renderer.writer().drain_into(out);
        Ok(())
    }

    /// Look at the start of the input for a BOM and a header line. Returns false when
    /// more input is needed to decide.
    fn try_prelude(&mut self, eof: bool) -> Result<bool, Error> {
        let data = &self.prelude;
        let mut skip = 0;
        if data.len() < 3 && !eof && b"\xEF\xBB\xBF".starts_with(data) {
            return Ok(false);
        }
        let body = data.strip_prefix(b"\xEF\xBB\xBF");
        let bom = body.is_some();
        if bom {
            skip = 3;
        }
        let body = body.unwrap_or(data);
        let word = body
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if word == body.len() && word <= MAX_HEADER && !eof {
            return Ok(false);
        }
        // A binary save's magic (`EU4bin`) is followed directly by binary tokens.
        if let Some(format) = binary_magic(body) {
            return Err(Error::new(
                ErrorKind::Binary { format },
                Position {
                    offset: skip as u64,
                    line: 1,
                    column: skip as u64 + 1,
                },
            ));
        }
        let mut encoding = if bom { Some(Encoding::Utf8) } else { None };
        let followed_by_space = body.get(word).is_none_or(|b| b.is_ascii_whitespace());
        if (4..=MAX_HEADER).contains(&word) && followed_by_space {
            let token = body.get(..word).unwrap_or_default();
            if let Some(game) = token.strip_suffix(b"txt") {
                skip += word;
                encoding = encoding.or(game_encoding(game));
            }
        }
        if self.options.encoding == Encoding::Auto
            && let Some(encoding) = encoding
        {
            self.renderer.writer().set_encoding(encoding);
            self.options.encoding = encoding;
        }
        self.prelude.drain(..skip);
        self.parser = Parser::new(self.limits).starting_at(skip as u64);
        self.prelude_done = true;
        self.renderer.begin_document();
        Ok(true)
    }
}

/// The encoding a game's text saves use, from the header's game prefix.
fn game_encoding(game: &[u8]) -> Option<Encoding> {
    match game {
        b"EU4" | b"EU3" | b"CK2" | b"EU5" => Some(Encoding::Windows1252),
        b"HOI4" | b"CK3" | b"IR" | b"VIC3" | b"Vic3" => Some(Encoding::Utf8),
        _ => None,
    }
}

/// The binary (ironman) save magics of the games, and how errors name them.
const BINARY_MAGICS: &[(&[u8], &str)] = &[
    (b"EU4bin", "EU4bin (Europa Universalis IV)"),
    (b"EU5bin", "EU5bin (Europa Universalis V)"),
    (b"CK3bin", "CK3bin (Crusader Kings III)"),
    (b"CK2bin", "CK2bin (Crusader Kings II)"),
    (b"HOI4bin", "HOI4bin (Hearts of Iron IV)"),
    (b"IRbin", "IRbin (Imperator: Rome)"),
    (b"VIC3bin", "VIC3bin (Victoria 3)"),
];

/// The name of the binary format `data` starts with, if any.
pub fn binary_magic(data: &[u8]) -> Option<&'static str> {
    BINARY_MAGICS
        .iter()
        .find(|(magic, _)| data.starts_with(magic))
        .map(|(_, name)| *name)
}

/// Convert a whole input at once.
pub fn to_json(input: &[u8], options: JsonOptions) -> Result<Vec<u8>, Error> {
    let mut t = Transcoder::new(options);
    t.input_len_hint(input.len() as u64);
    let mut out = Vec::with_capacity(input.len() + input.len() / 4);
    t.feed(input, &mut out)?;
    t.finish(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod send_tests {
    /// HTTP handlers hold a transcoder across `.await`s, so it must be `Send`.
    #[test]
    fn transcoder_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<super::Transcoder>();
    }
}
