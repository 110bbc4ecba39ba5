//! The push-based Clausewitz text parser.
//!
//! [`Parser`] takes input in chunks of any size and reports what it finds to a [`Sink`],
//! in document order. It never sees a file or a socket, holds no more than one partial
//! token between chunks, and keeps one small frame per open container: memory grows
//! with nesting depth, not with input size.
//!
//! The grammar follows the `jomini` crate's tape parser state for state, so that the JSON
//! built on top of it matches jomini's byte for byte: whether a container is an object or
//! an array is decided by its first element; an object that meets a bare value turns
//! "mixed" and the rest of it is a list; `rgb { .. }` is a header; `{}` disappears.
//! Where jomini mis-lexes (see `docs/compatibility.md`), this parser does the right thing:
//! `?=` and `!=` are operators even when glued to a key, `\v` and `\f` are whitespace,
//! and `rgb { .. }` is a header inside arrays too.

use super::{Operator, Shape, Token, lookup, span, tail};
use crate::error::{Error, ErrorKind, Position};

/// Receives the document's tokens from a [`Parser`], in order.
///
/// The calls mirror the token tape of the `jomini` crate: container opens and closes,
/// scalars, operators, headers, parameter keys and the marker where an object turns into
/// a mixed object/array container.
pub trait Sink {
    /// An object opens.
    fn open_object(&mut self) -> SinkResult;
    /// An array opens.
    fn open_array(&mut self) -> SinkResult;
    /// The innermost open container closes.
    fn close(&mut self) -> SinkResult;
    /// A scalar. `then_op` tells whether the next token is an operator.
    fn scalar(&mut self, bytes: &[u8], quoted: bool, then_op: bool) -> SinkResult;
    /// A header such as `rgb` in `rgb { 1 2 3 }`; the container follows.
    fn header(&mut self, name: &[u8]) -> SinkResult;
    /// A parameter key: `[[name] ...]` (`defined`) or `[[!name] ...]`.
    fn parameter(&mut self, name: &[u8], defined: bool) -> SinkResult;
    /// An operator other than a plain `=` between a key and its value, or any operator
    /// inside a mixed container.
    fn operator(&mut self, op: Operator, then_op: bool) -> SinkResult;
    /// The current object turns into a mixed container: what follows is a list.
    fn mixed(&mut self) -> SinkResult;
    /// A whole `key = value` field with a scalar value: the same as `scalar(key)` then
    /// `scalar(value)`; sinks may override it with a faster path. The [`Token`]s carry
    /// what the lexer learned about the key and the value ([`Shape::UNKNOWN`] for a
    /// quoted value).
    #[inline]
    fn field(&mut self, key: Token<'_>, value: Token<'_>, quoted: bool) -> SinkResult {
        self.scalar(key.bytes, false, false)?;
        self.scalar(value.bytes, quoted, false)
    }
    /// The key of a `key = {` field (the container's kind is not known yet): the same as
    /// `scalar(key, false, false)`.
    #[inline]
    fn container_key(&mut self, key: Token<'_>) -> SinkResult {
        self.scalar(key.bytes, false, false)
    }
    /// A plain element of a list (unquoted, no operator after it): the same as
    /// `scalar(token, false, false)`.
    #[inline]
    fn element(&mut self, token: Token<'_>) -> SinkResult {
        self.scalar(token.bytes, false, false)
    }
    /// Before a run of plain list elements (which ends at anything else): may its
    /// elements go to [`element_in_run`](Sink::element_in_run)? Lets a sink check once
    /// per run what it would check per element; until the run ends, nothing but its
    /// elements reaches the sink.
    #[inline]
    fn element_run(&mut self) -> bool {
        false
    }
    /// An element of a run [`element_run`](Sink::element_run) accepted: the same as
    /// [`element`](Sink::element).
    #[inline]
    fn element_in_run(&mut self, token: Token<'_>) -> SinkResult {
        self.element(token)
    }
    /// In a run [`element_run`](Sink::element_run) accepted: may plain numbers come
    /// several at once, to [`number_run`](Sink::number_run)?
    #[inline]
    fn number_runs(&self) -> bool {
        false
    }
    /// Several elements of an accepted run at once, when
    /// [`number_runs`](Sink::number_runs) said yes: `run` is numbers joined by single
    /// spaces, as in `12 0 -345 0.500`, each an optional `-`, an integer part without
    /// leading zeros and optionally a fraction, 15 digits at most (and never below 1e-5):
    /// numbers whose JSON is their bytes, trailing fraction zeros aside. The same as
    /// [`element_in_run`](Sink::element_in_run) for each.
    fn number_run(&mut self, run: &[u8]) -> SinkResult {
        for token in run.split(|&b| b == b' ') {
            self.element_in_run(Token {
                bytes: token,
                rest: token,
                shape: Shape::of(token),
            })?;
        }
        Ok(())
    }
}

/// What a [`Sink`] returns; an error stops parsing and is reported at the current token.
pub type SinkResult = Result<(), ErrorKind>;

/// Limits that keep hostile input from using unbounded memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest container nesting accepted (each level costs a few bytes).
    pub max_depth: usize,
    /// Longest single token (a quoted string, say) accepted; bounds the carry buffer.
    pub max_token_len: usize,
}

/// Defaults: real game files nest a few dozen levels and their longest tokens are a few
/// kilobytes, so these leave ample room while keeping hostile input cheap to refuse.
impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 10_000,
            max_token_len: 8 << 20,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Expecting a key (or the end of an object).
    Key,
    /// Saw `{` where a key was expected; `{}` is skipped, else it opens a header's container.
    KeyBrace,
    /// A key is pending; what follows decides if it is a field or a bare value.
    KeyValueSeparator,
    /// Expecting an object field's value.
    ObjectValue,
    /// A container has opened; its first element decides if it is an object or an array.
    ParseOpen,
    /// A container opened with `{` as its first element (`{}` is skipped).
    ParseOpenBrace,
    /// A container's first scalar is pending; an operator after it makes an object.
    ParseOpenPeek,
    /// Expecting an array (or mixed container) element.
    ArrayValue,
    /// An array element is pending; is an operator or a `{` next?
    ArrayPeek,
    /// `[[name]` read; expecting the parameter's first token.
    ParamValue,
    /// `[[name] token` read; `]` makes it a value, anything else a block.
    ParamPeek,
    /// Parsing is over (after an error or finish).
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Undecided,
    Object,
    Array,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    kind: Kind,
    /// jomini's `mixed` flag on the container token: saved when a child container opens
    /// while this one is mixed, and restored when that child closes.
    mixed: bool,
}

/// The class of the last token emitted, for the rules that look back one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    Nothing,
    Scalar,
    End,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PendKind {
    None,
    Unquoted,
    Quoted,
    Op(Operator),
}

/// A token held back until the token after it is known. It points into the buffer being
/// parsed, and is copied out only when that buffer is about to go away.
#[derive(Debug)]
struct Pending {
    kind: PendKind,
    start: usize,
    end: usize,
    owned: bool,
    bytes: Vec<u8>,
}

impl Pending {
    fn new() -> Self {
        Pending {
            kind: PendKind::None,
            start: 0,
            end: 0,
            owned: false,
            bytes: Vec::new(),
        }
    }

    #[inline]
    fn get<'a>(&'a self, buf: &'a [u8]) -> &'a [u8] {
        if self.owned {
            &self.bytes
        } else {
            span(buf, self.start, self.end)
        }
    }

    #[inline]
    fn set(&mut self, kind: PendKind, start: usize, end: usize) {
        self.kind = kind;
        self.start = start;
        self.end = end;
        self.owned = false;
    }

    fn detach(&mut self, buf: &[u8]) {
        if self.kind != PendKind::None && !self.owned {
            self.bytes.clear();
            self.bytes
                .extend_from_slice(span(buf, self.start, self.end));
            self.owned = true;
        }
    }
}

/// How much of a chunk is copied behind a carried partial token to finish it (see
/// [`Parser::feed`]): more than almost any token, little against a chunk.
const STITCH: usize = 4 << 10;

/// Byte classes: whitespace, token boundaries.
const WS: u8 = 1;
const BOUNDARY: u8 = 2;
/// `!` and `?`: a boundary only when `=` follows (`e!=5`, `g?=7`).
pub(super) const MAYBE_OP: u8 = 4;
/// The bits the lexer decides on; the others are [`Shape`]'s, gathered over a token.
const LEX: u8 = WS | BOUNDARY | MAYBE_OP;

// Built at compile time: an index out of bounds fails the build, it cannot run.
#[allow(clippy::indexing_slicing)]
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    // Shape bits first. Bytes with lexer bits (set below) have none: a scan that stops
    // at one may gather its bits along with the token's.
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if !b.is_ascii_digit() {
            t[i] |= Shape::NOT_DIGIT;
        }
        if b < 0x20 || b >= 0x80 || b == b'"' || b == b'\\' {
            t[i] |= Shape::ESCAPE;
        }
        if !b.is_ascii_digit() && b != b'.' {
            t[i] |= Shape::NOT_NUMERIC;
        }
        i += 1;
    }
    let ws = [b' ', b'\t', b'\n', b'\r', b';', 0x0B, 0x0C];
    let mut i = 0;
    while i < ws.len() {
        t[ws[i] as usize] = WS | BOUNDARY;
        i += 1;
    }
    let boundary = [b'#', b'<', b'=', b'>', b'[', b']', b'{', b'}'];
    let mut i = 0;
    while i < boundary.len() {
        t[boundary[i] as usize] = BOUNDARY;
        i += 1;
    }
    t[b'!' as usize] = MAYBE_OP;
    t[b'?' as usize] = MAYBE_OP;
    t
};

/// What is known about a partial token carried over to the next feed: enough to tell,
/// from the next chunk alone, that the token still does not end in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Carried {
    /// Nothing: the next feed parses the carry again.
    Unknown,
    /// An unquoted scalar: it ends only at a boundary byte (`!` and `?` end it only
    /// before `=`, itself a boundary).
    Unquoted,
    /// A quoted string; `escaped`: its last byte is a backslash escaping the next one.
    Quoted { escaped: bool },
    /// A variable `@[...`: it ends at the next `]`.
    Variable,
}

impl Carried {
    /// Does the carried token run on past all of `chunk`? For a quoted string, also
    /// notes whether `chunk` leaves a backslash escaping the byte after it.
    fn stays_open(&mut self, chunk: &[u8]) -> bool {
        match self {
            Carried::Unknown => false,
            Carried::Unquoted => !chunk.iter().any(|&b| class(b) & BOUNDARY != 0),
            Carried::Variable => memchr::memchr(b']', chunk).is_none(),
            Carried::Quoted { escaped } => match scan_quoted(chunk, usize::from(*escaped)) {
                Ok(_) => false,
                Err(ends_escaped) => {
                    *escaped = ends_escaped;
                    true
                }
            },
        }
    }
}

/// Does the unclosed quoted-string body `body` end in a backslash that escapes the next
/// byte (an odd run of backslashes: each pair is one escaped backslash)?
fn ends_in_escape(body: &[u8]) -> bool {
    let run = body.iter().rev().take_while(|&&b| b == b'\\').count();
    run % 2 == 1
}

/// The outcome of lexing one token from a buffer.
enum Lexed {
    /// The token spans `start..end`; parsing continues at `next`.
    Token { end: usize, next: usize },
    /// The buffer ends inside the token: more input is needed.
    Incomplete,
}

/// The push-based parser. See the module documentation.
#[derive(Debug)]
pub struct Parser {
    state: State,
    stack: Vec<Frame>,
    /// jomini's `mixed_mode`: the current container has turned into a mixed container.
    mixed: bool,
    last: Last,
    pending: Pending,
    /// `[[name]` of a parameter being read, and whether it was defined (no `!`).
    param_name: Vec<u8>,
    param_defined: bool,
    in_comment: bool,
    /// Unconsumed input carried over to the next chunk (a partial token).
    carry: Vec<u8>,
    /// What the last lex found out about the partial token at the start of `carry`.
    carried: Carried,
    /// Absolute offset of the first byte of the buffer being parsed.
    base: u64,
    /// Newlines before `line_base`, and the offset just past the last of them.
    lines: u64,
    line_base: u64,
    last_line_start: u64,
    /// Where the `{` that put the parser in [`State::KeyBrace`] stands: an error there
    /// (the brace opens nothing a key could name) points at it, not at the token after
    /// it, which may be lines and chunks on.
    brace: Position,
    /// The error being returned is reported at `brace`.
    error_at_brace: bool,
    limits: Limits,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new(Limits::default())
    }
}

impl Parser {
    pub fn new(limits: Limits) -> Self {
        Parser {
            state: State::Key,
            stack: Vec::new(),
            mixed: false,
            last: Last::Nothing,
            pending: Pending::new(),
            param_name: Vec::new(),
            param_defined: true,
            in_comment: false,
            carry: Vec::new(),
            carried: Carried::Unknown,
            base: 0,
            lines: 0,
            line_base: 0,
            last_line_start: 0,
            brace: Position::default(),
            error_at_brace: false,
            limits,
        }
    }

    /// A parser whose input starts at absolute offset `offset` (after a skipped BOM or
    /// header line), so that error positions count from the true start.
    pub fn starting_at(mut self, offset: u64) -> Self {
        self.base = offset;
        self.line_base = offset;
        self
    }

    /// The current nesting depth.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// Bytes consumed so far (fed minus carried over).
    pub fn offset(&self) -> u64 {
        self.base + self.carry.len() as u64
    }

    /// The position just past the input fed so far followed by `unfed` (input the
    /// caller refuses to feed, as group mode does past its limit). Newlines are counted
    /// only here, in what the parser has not counted yet.
    pub fn position_after(&self, unfed: &[u8]) -> Position {
        let counted = usize::try_from(self.line_base.saturating_sub(self.base)).unwrap_or(0);
        let carried = self.carry.get(counted..).unwrap_or_default();
        let (mut line, mut line_start, mut at) =
            (self.lines + 1, self.last_line_start, self.line_base);
        for part in [carried, unfed] {
            line += bytecount::count(part, b'\n') as u64;
            if let Some(i) = memchr::memrchr(b'\n', part) {
                line_start = at + i as u64 + 1;
            }
            at += part.len() as u64;
        }
        Position {
            offset: at,
            line,
            column: at.saturating_sub(line_start) + 1,
        }
    }

    /// Feed the next chunk of input.
    pub fn feed<S: Sink>(&mut self, chunk: &[u8], sink: &mut S) -> Result<(), Error> {
        if self.state == State::Done {
            return Err(self.error_at(ErrorKind::Finished, self.offset()));
        }
        if !self.carry.is_empty() && self.carried.stays_open(chunk) {
            // The chunk cannot end the carried token, so parsing the carry again would
            // stop at the token's start, as the last feed did: keep it without lexing it
            // from its start once more (which made a long token in small chunks cost
            // time quadratic in its length).
            self.carry.extend_from_slice(chunk);
            return self.check_carry();
        }
        if self.carry.is_empty() {
            self.feed_in_place(chunk, sink)?;
            return self.check_carry();
        }
        // The carried partial token is finished on a short stitch: the carry and the
        // chunk's first `STITCH` bytes. Once the parser is past the carry, the rest of
        // the chunk is parsed where it lies (appending every chunk to the carry copied
        // the whole input once more).
        let head = chunk.get(..STITCH).unwrap_or(chunk);
        let carried = self.carry.len();
        let mut buf = std::mem::take(&mut self.carry);
        buf.extend_from_slice(head);
        let used = self.run_carry(&mut buf, sink)?;
        if used >= carried {
            buf.clear();
            self.carry = buf;
            self.feed_in_place(tail(chunk, used - carried), sink)?;
        } else {
            // A token longer than the stitch: the rest of the chunk joins the carry.
            buf.drain(..used);
            buf.extend_from_slice(tail(chunk, head.len()));
            let used = self.run_carry(&mut buf, sink)?;
            buf.drain(..used);
            self.carry = buf;
        }
        self.check_carry()
    }

    /// [`run`](Parser::run) over `buf`, the carry taken out and extended; after an error
    /// `buf` is the carry again.
    fn run_carry<S: Sink>(&mut self, buf: &mut Vec<u8>, sink: &mut S) -> Result<usize, Error> {
        let used = self.run(buf, false, sink);
        if used.is_err() {
            self.carry = std::mem::take(buf);
        }
        used
    }

    /// Parse `input`, which follows the consumed input directly (the carry is empty),
    /// where it lies; its unconsumed tail becomes the carry.
    fn feed_in_place<S: Sink>(&mut self, input: &[u8], sink: &mut S) -> Result<(), Error> {
        if input.is_empty() {
            return Ok(());
        }
        let used = self.run(input, false, sink)?;
        self.carry.extend_from_slice(tail(input, used));
        Ok(())
    }

    /// Signal the end of input: flush what is pending and check that the document is
    /// complete.
    pub fn finish<S: Sink>(&mut self, sink: &mut S) -> Result<(), Error> {
        if self.state == State::Done {
            return Err(self.error_at(ErrorKind::Finished, self.offset()));
        }
        let buf = std::mem::take(&mut self.carry);
        let used = self.run(&buf, true, sink)?;
        debug_assert!(used == buf.len());
        let end = self.base;
        self.finish_pending(sink)?;
        self.finish_containers(sink, end)?;
        self.state = State::Done;
        Ok(())
    }

    fn check_carry(&self) -> Result<(), Error> {
        if self.carry.len() > self.limits.max_token_len {
            let kind = ErrorKind::TokenTooLong {
                limit: self.limits.max_token_len,
            };
            return Err(self.error_at(kind, self.base));
        }
        Ok(())
    }

    /// Resolve the pending token at end of input.
    fn finish_pending<S: Sink>(&mut self, sink: &mut S) -> Result<(), Error> {
        let at = self.base;
        let result = match self.state {
            State::Key | State::ArrayPeek | State::ParseOpenPeek | State::ArrayValue => {
                if self.state == State::ParseOpenPeek {
                    self.set_kind(Kind::Array);
                    sink.open_array().map_err(|k| self.error_at(k, at))?;
                }
                self.flush_pending(&[], false, sink)
                    .map_err(|k| self.error_at(k, at))?;
                Ok(())
            }
            // The root's last token is a value without a key (EU3 saves end with a
            // checksum line): the root turns mixed and the value ends its list, as in
            // `a={ b=1 x }`. (jomini rejects the document.)
            State::KeyValueSeparator if self.stack.is_empty() => self.key_is_a_value(&[], sink),
            State::KeyValueSeparator => Err(ErrorKind::UnexpectedEof(
                "expected '=' and a value after the key",
            )),
            State::KeyBrace => Err(ErrorKind::UnexpectedEof(
                "expected '}' or a header's contents",
            )),
            State::ObjectValue => Err(ErrorKind::UnexpectedEof(
                "expected a value after the operator",
            )),
            State::ParseOpen | State::ParseOpenBrace => Err(ErrorKind::UnexpectedEof(
                "expected '}' to close the container",
            )),
            State::ParamValue | State::ParamPeek => Err(ErrorKind::UnexpectedEof(
                "expected ']' to end the parameter block",
            )),
            State::Done => Ok(()),
        };
        result.map_err(|k| self.error_at(k, at))
    }

    /// At end of input the document must be closed, except that one missing `}` of an
    /// object directly under the root is forgiven (some game files lack it; jomini does
    /// the same). Anything more looks like a truncated file and is an error. The root
    /// may end inside its trailing list of values without keys (`a=1 x y`), which its
    /// end closes as `}` closes a mixed object's; jomini rejects such a document unless
    /// a container closes it.
    fn finish_containers<S: Sink>(&mut self, sink: &mut S, end: u64) -> Result<(), Error> {
        let in_key = matches!(self.state, State::Key);
        match self.stack.as_slice() {
            [] => Ok(()),
            [frame] if in_key && frame.kind == Kind::Object => {
                self.stack.clear();
                sink.close().map_err(|k| self.error_at(k, end))
            }
            _ => Err(self.error_at(
                ErrorKind::UnexpectedEof("containers are still open (is the file truncated?)"),
                end,
            )),
        }
    }

    /// An error at absolute offset `at` (at or after the last counted newline).
    fn error_at(&self, kind: ErrorKind, at: u64) -> Error {
        Error::new(kind, self.position_at(at))
    }

    /// The position of absolute offset `at`, on the line where the newlines counted so
    /// far end.
    fn position_at(&self, at: u64) -> Position {
        Position {
            offset: at,
            line: self.lines + 1,
            column: at.saturating_sub(self.last_line_start) + 1,
        }
    }

    /// Note where the `{` at `buf[at]` stands (see [`Parser::brace`]).
    #[cold]
    fn note_brace(&mut self, buf: &[u8], at: usize) {
        self.account_lines(buf, at);
        self.brace = self.position_at(self.base + at as u64);
    }

    /// Count newlines in `buf[..upto]` (consumed) so later errors know their line.
    fn account_lines(&mut self, buf: &[u8], upto: usize) {
        let from = (self.line_base - self.base) as usize;
        let Some(region) = buf.get(from..upto) else {
            return;
        };
        self.lines += bytecount::count(region, b'\n') as u64;
        if let Some(i) = memchr::memrchr(b'\n', region) {
            self.last_line_start = self.base + (from + i) as u64 + 1;
        }
        self.line_base = self.base + upto as u64;
    }

    /// Parse as much of `buf` as possible; returns how many bytes were consumed. The rest
    /// (a partial token) is carried over. `eof` means no more input will come.
    fn run<S: Sink>(&mut self, buf: &[u8], eof: bool, sink: &mut S) -> Result<usize, Error> {
        self.carried = Carried::Unknown;
        let mut pos = 0;
        let result = self.run_inner(buf, &mut pos, eof, sink);
        self.pending.detach(buf);
        self.account_lines(buf, pos);
        let base = self.base;
        self.base += pos as u64;
        match result {
            Ok(()) => Ok(pos),
            Err(kind) => {
                // Reported where the offending token starts.
                self.state = State::Done;
                self.carry.clear();
                if std::mem::take(&mut self.error_at_brace) {
                    return Err(Error::new(kind, self.brace));
                }
                Err(self.error_at(kind, base + pos as u64))
            }
        }
    }

    #[inline]
    fn push_frame(&mut self) -> SinkResult {
        if self.stack.len() >= self.limits.max_depth {
            return Err(ErrorKind::TooDeep {
                limit: self.limits.max_depth,
            });
        }
        self.stack.push(Frame {
            kind: Kind::Undecided,
            mixed: false,
        });
        Ok(())
    }

    #[inline]
    fn set_kind(&mut self, kind: Kind) {
        if let Some(top) = self.stack.last_mut() {
            top.kind = kind;
        }
    }

    /// Close the innermost container and restore the parent's state, as jomini restores
    /// it from the parent's token: a mixed parent continues as a list.
    #[inline(always)]
    fn close_frame<S: Sink>(&mut self, sink: &mut S) -> SinkResult {
        self.stack.pop();
        sink.close()?;
        self.last = Last::End;
        self.restore_parent_state();
        Ok(())
    }

    fn restore_parent_state(&mut self) {
        match self.stack.last() {
            Some(Frame {
                kind: Kind::Array,
                mixed,
            }) => {
                self.mixed = *mixed;
                self.state = State::ArrayValue;
            }
            Some(Frame {
                kind: Kind::Object,
                mixed,
            }) => {
                self.mixed = *mixed;
                self.state = if *mixed {
                    State::ArrayValue
                } else {
                    State::Key
                };
            }
            // The root, which jomini never marks mixed.
            _ => {
                self.mixed = false;
                self.state = State::Key;
            }
        }
    }

    /// The pending key has no operator after it: a bare value where a field was
    /// expected. The object turns into a mixed container and the key is its list's
    /// first element.
    fn key_is_a_value<S: Sink>(&mut self, buf: &[u8], sink: &mut S) -> SinkResult {
        sink.mixed()?;
        self.flush_pending(buf, false, sink)?;
        self.mixed = true;
        self.state = State::ArrayValue;
        Ok(())
    }

    /// Emit the pending token. `next` is the input at the token after it, for `then_op`.
    fn flush_pending<S: Sink>(&mut self, buf: &[u8], then_op: bool, sink: &mut S) -> SinkResult {
        let kind = self.pending.kind;
        self.pending.kind = PendKind::None;
        match kind {
            PendKind::None => Ok(()),
            PendKind::Unquoted | PendKind::Quoted => {
                self.last = Last::Scalar;
                let bytes = self.pending.get(buf);
                sink.scalar(bytes, kind == PendKind::Quoted, then_op)
            }
            PendKind::Op(op) => {
                self.last = Last::Other;
                sink.operator(op, then_op)
            }
        }
    }

    fn run_inner<S: Sink>(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        eof: bool,
        sink: &mut S,
    ) -> SinkResult {
        loop {
            // Whitespace and comments.
            let mut p = *pos;
            if self.in_comment {
                match memchr::memchr(b'\n', tail(buf, p)) {
                    Some(i) => {
                        p += i + 1;
                        self.in_comment = false;
                    }
                    None => {
                        *pos = buf.len();
                        return Ok(());
                    }
                }
            }
            while let Some(&b) = buf.get(p) {
                if class(b) & WS != 0 {
                    p += 1;
                } else if b == b'#' {
                    match memchr::memchr(b'\n', tail(buf, p)) {
                        Some(i) => p += i + 1,
                        None => {
                            self.in_comment = true;
                            p = buf.len();
                        }
                    }
                } else {
                    break;
                }
            }
            *pos = p;
            let Some(&c) = buf.get(p) else {
                return Ok(());
            };

            match self.state {
                State::Key => {
                    if self.pending.kind != PendKind::None {
                        if c == b'{' {
                            self.note_brace(buf, p);
                            *pos = p + 1;
                            self.state = State::KeyBrace;
                            continue;
                        }
                        // A stray `}` at the root is skipped without ending the pending
                        // value, which may still turn out a header (`a=b}{c}`), as in jomini.
                        if matches!(c, b'}' | b']') && self.stack.is_empty() {
                            *pos = p + 1;
                            continue;
                        }
                        self.flush_pending(buf, false, sink)?;
                    }
                    if starts_plain(c) && self.fast_field(buf, pos, false, sink)? {
                        continue;
                    }
                    match c {
                        b'}' | b']' => {
                            if self.stack.is_empty() {
                                // A stray closing brace at the root: skipped.
                                *pos = p + 1;
                                continue;
                            }
                            // An error closing it (group mode's) points at the brace.
                            *pos = p;
                            self.close_frame(sink)?;
                            *pos = p + 1;
                        }
                        b'{' => {
                            self.note_brace(buf, p);
                            *pos = p + 1;
                            self.state = State::KeyBrace;
                        }
                        b'[' => {
                            if !self.param_start(buf, pos, eof)? {
                                return Ok(());
                            }
                        }
                        _ => {
                            let Some(end) = self.lex_value_token(buf, pos, eof, c)? else {
                                return Ok(());
                            };
                            let kind = if c == b'"' {
                                PendKind::Quoted
                            } else {
                                PendKind::Unquoted
                            };
                            self.pending.set(kind, end.0, end.1);
                            self.state = State::KeyValueSeparator;
                        }
                    }
                }

                State::KeyBrace => {
                    if c == b'}' {
                        *pos = p + 1;
                        self.state = State::Key;
                        continue;
                    }
                    if self.pending.kind != PendKind::Unquoted {
                        self.error_at_brace = true;
                        return Err(ErrorKind::Syntax(
                            "'{' must follow a key, an operator or a header name",
                        ));
                    }
                    self.pending.kind = PendKind::None;
                    self.last = Last::Scalar;
                    sink.header(self.pending.get(buf))?;
                    self.push_frame()?;
                    self.state = State::ParseOpen;
                }

                State::KeyValueSeparator => {
                    let Some(op) = lex_operator(buf, p, eof) else {
                        return Ok(());
                    };
                    match op {
                        Some((Operator::Equal, len)) => {
                            *pos = p + len;
                            self.flush_pending(buf, false, sink)?;
                            self.state = State::ObjectValue;
                        }
                        Some((op, len)) => {
                            *pos = p + len;
                            self.flush_pending(buf, true, sink)?;
                            self.last = Last::Other;
                            sink.operator(op, false)?;
                            self.state = State::ObjectValue;
                        }
                        None if c == b'{' => {
                            self.flush_pending(buf, false, sink)?;
                            self.state = State::ObjectValue;
                        }
                        None => self.key_is_a_value(buf, sink)?,
                    }
                }

                State::ObjectValue => match c {
                    b'{' => {
                        self.push_frame()?;
                        *pos = p + 1;
                        self.state = State::ParseOpen;
                    }
                    b'}' => return Err(ErrorKind::Syntax("expected a value, found '}'")),
                    _ => {
                        let Some((start, end)) = self.lex_value_token(buf, pos, eof, c)? else {
                            return Ok(());
                        };
                        if c == b'"' {
                            self.last = Last::Scalar;
                            sink.scalar(span(buf, start, end), true, false)?;
                        } else {
                            self.pending.set(PendKind::Unquoted, start, end);
                        }
                        self.state = State::Key;
                    }
                },

                State::ParseOpen => match c {
                    _ if starts_plain(c)
                        && (self.fast_field(buf, pos, true, sink)?
                            || self.fast_open(buf, pos, sink)?) => {}
                    b'}' => {
                        *pos = p + 1;
                        self.set_kind(Kind::Array);
                        sink.open_array()?;
                        *pos = p;
                        self.close_frame(sink)?;
                        *pos = p + 1;
                    }
                    b'[' => {
                        if self.mixed {
                            return Err(ErrorKind::Syntax(
                                "a parameter block cannot start inside a mixed container",
                            ));
                        }
                        if !self.param_start(buf, pos, eof)? {
                            return Ok(());
                        }
                        self.set_kind(Kind::Object);
                        self.last = Last::Other;
                        sink.open_object()?;
                    }
                    b'{' => {
                        *pos = p + 1;
                        self.state = State::ParseOpenBrace;
                    }
                    _ => {
                        let Some((start, end)) = self.lex_value_token(buf, pos, eof, c)? else {
                            return Ok(());
                        };
                        let kind = if c == b'"' {
                            PendKind::Quoted
                        } else {
                            PendKind::Unquoted
                        };
                        self.pending.set(kind, start, end);
                        // jomini records a mixed parent here, so it is mixed again once
                        // this child closes.
                        if self.mixed
                            && let [.., parent, _] = self.stack.as_mut_slice()
                        {
                            parent.mixed = true;
                        }
                        self.mixed = false;
                        self.state = State::ParseOpenPeek;
                    }
                },

                State::ParseOpenBrace => {
                    if c == b'}' {
                        *pos = p + 1;
                        self.state = State::ParseOpen;
                        continue;
                    }
                    // `{ {` : an array whose first element is a container.
                    self.set_kind(Kind::Array);
                    self.last = Last::Other;
                    sink.open_array()?;
                    self.mixed = false;
                    self.push_frame()?;
                    self.state = State::ParseOpen;
                }

                State::ParseOpenPeek => {
                    if matches!(c, b'=' | b'>' | b'<' | b'?' | b'!') {
                        self.set_kind(Kind::Object);
                        self.last = Last::Other;
                        sink.open_object()?;
                        self.state = State::KeyValueSeparator;
                        continue;
                    }
                    self.set_kind(Kind::Array);
                    self.last = Last::Other;
                    sink.open_array()?;
                    if c == b'{' && self.pending_is_list_header(buf) {
                        self.pending.kind = PendKind::None;
                        self.last = Last::Scalar;
                        sink.header(self.pending.get(buf))?;
                    } else {
                        self.flush_pending(buf, false, sink)?;
                    }
                    self.state = State::ArrayValue;
                }

                State::ArrayValue => match c {
                    _ if starts_plain(c) && {
                        let before = *pos;
                        self.fast_elements(buf, pos, sink)?;
                        *pos != before
                    } => {}
                    b'{' => {
                        self.push_frame()?;
                        *pos = p + 1;
                        self.state = State::ParseOpen;
                    }
                    b'}' => {
                        *pos = p + 1;
                        if self.stack.is_empty() {
                            return Err(ErrorKind::Syntax("'}' closes nothing"));
                        }
                        *pos = p;
                        self.close_frame(sink)?;
                        *pos = p + 1;
                    }
                    b'<' | b'>' | b'!' | b'=' | b'?' => {
                        // `?` is an operator only as `?=`; otherwise it starts a scalar.
                        let Some(op) = lex_operator(buf, p, eof) else {
                            return Ok(());
                        };
                        let Some((op, len)) = op else {
                            if c == b'?' {
                                if !self.array_scalar(buf, pos, eof, c)? {
                                    return Ok(());
                                }
                                continue;
                            }
                            return Err(ErrorKind::Syntax("unrecognized operator"));
                        };
                        if !self.mixed {
                            match self.last {
                                Last::Scalar => self.mixed = true,
                                // `{ a = b } = { 1 2 }`: an object template; the `=` is dropped.
                                Last::End if c == b'=' => {
                                    *pos = p + 1;
                                    continue;
                                }
                                _ => {
                                    return Err(ErrorKind::Syntax(
                                        "expected a scalar before the operator",
                                    ));
                                }
                            }
                        }
                        *pos = p + len;
                        self.pending.set(PendKind::Op(op), p, p + len);
                        self.state = State::ArrayPeek;
                    }
                    _ => {
                        if !self.array_scalar(buf, pos, eof, c)? {
                            return Ok(());
                        }
                    }
                },

                State::ArrayPeek => {
                    let then_op = match c {
                        b'<' | b'>' | b'=' | b'!' => true,
                        b'?' => match buf.get(p + 1) {
                            Some(&n) => n == b'=',
                            None if eof => false,
                            None => return Ok(()),
                        },
                        _ => false,
                    };
                    if c == b'{' && self.pending_is_list_header(buf) {
                        self.pending.kind = PendKind::None;
                        self.last = Last::Scalar;
                        sink.header(self.pending.get(buf))?;
                    } else {
                        self.flush_pending(buf, then_op, sink)?;
                    }
                    self.state = State::ArrayValue;
                }

                State::ParamValue => {
                    let Some(end) = lex_scalar(buf, p, eof) else {
                        self.carried = Carried::Unquoted;
                        return Ok(());
                    };
                    *pos = end;
                    self.pending.set(PendKind::Unquoted, p, end);
                    self.state = State::ParamPeek;
                }

                State::ParamPeek => {
                    let name = std::mem::take(&mut self.param_name);
                    let defined = self.param_defined;
                    let result = self.param_resolve(pos, c, &name, defined, sink);
                    self.param_name = name;
                    result?;
                }

                State::Done => return Ok(()),
            }
        }
    }

    /// The common case `key = value` (or `key = {`, `key = "text"`) read in one go when it
    /// lies wholly in the buffer, repeatedly while fields stay that plain. Emits exactly
    /// what the general path would; returns false (having changed nothing) when the first
    /// field is less plain, which the general path then handles.
    ///
    /// `open`: the field is the first token of a container that opened at that offset
    /// and is not yet known to be an object. A plain field makes it one, which is emitted
    /// before the field, as [`fast_open`](Parser::fast_open) would (this saves reading
    /// the key twice, once to decide and once to emit).
    #[inline]
    fn fast_field<S: Sink>(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        mut open: bool,
        sink: &mut S,
    ) -> Result<bool, ErrorKind> {
        let mut any = false;
        loop {
            let p = *pos;
            let first = match buf.get(p) {
                Some(&c) if starts_plain(c) => c,
                // The object ends: close it here rather than through the main loop, and
                // go on if the parent is a plain object too.
                Some(b'}') if any && !self.stack.is_empty() => {
                    *pos = p;
                    self.close_frame(sink)?;
                    *pos = p + 1;
                    if self.state != State::Key {
                        return Ok(true);
                    }
                    *pos = skip_plain_ws(buf, p + 1);
                    continue;
                }
                _ => return Ok(any),
            };
            let (key_end, key_bits, key_ended_by) = scan_plain_shape(buf, p + 1);
            let mut q = after_token(buf, key_end, key_ended_by);
            if buf.get(q) != Some(&b'=') || buf.get(q + 1).is_none_or(|&b| b == b'=') {
                return Ok(any);
            }
            q += 1;
            let r = skip_plain_ws(buf, q);
            let Some(&v) = buf.get(r) else {
                return Ok(any);
            };
            let key = Token {
                bytes: span(buf, p, key_end),
                rest: tail(buf, p),
                shape: Shape::new(shape_bits(first), key_bits),
            };
            if v == b'{' {
                if std::mem::take(&mut open) {
                    self.open_decided(true, sink)?;
                }
                self.last = Last::Scalar;
                sink.container_key(key)?;
                // Errors point at the `{` (a depth error's position must not depend on
                // which path read the field).
                *pos = r;
                self.push_frame()?;
                self.state = State::ParseOpen;
                // Straight on into the new container when its first token is plain.
                let next = skip_plain_ws(buf, r + 1);
                *pos = next;
                match buf.get(next) {
                    Some(&c) if starts_plain(c) => {
                        open = true;
                        any = true;
                        continue;
                    }
                    _ => return Ok(true),
                }
            }
            if v == b'"' {
                let Lexed::Token { end, next } = lex_quoted(buf, r) else {
                    return Ok(any);
                };
                if std::mem::take(&mut open) {
                    self.open_decided(true, sink)?;
                }
                self.last = Last::Scalar;
                let value = Token {
                    bytes: span(buf, r + 1, end),
                    rest: tail(buf, r + 1),
                    shape: Shape::UNKNOWN,
                };
                sink.field(key, value, true)?;
                *pos = skip_plain_ws(buf, next);
                any = true;
                continue;
            }
            if class(v) != 0 || v == b'@' {
                return Ok(any);
            }
            let (value_end, value_bits, value_ended_by) = scan_plain_shape(buf, r + 1);
            let after = after_token(buf, value_end, value_ended_by);
            // A header (`rgb {`), a comment, `!`/`?`, a stray `}` at the root or the
            // buffer's end: general path.
            match buf.get(after) {
                None | Some(b'{' | b'#' | b'!' | b'?') => return Ok(any),
                Some(b'}' | b']') if self.stack.is_empty() => return Ok(any),
                Some(_) => {}
            }
            if value_ended_by & MAYBE_OP != 0 {
                return Ok(any);
            }
            if std::mem::take(&mut open) {
                self.open_decided(true, sink)?;
            }
            self.last = Last::Scalar;
            let value = Token {
                bytes: span(buf, r, value_end),
                rest: tail(buf, r),
                shape: Shape::new(shape_bits(v), value_bits),
            };
            sink.field(key, value, false)?;
            *pos = after;
            any = true;
        }
    }

    /// A container whose first token is a plain scalar: decide object or array from the
    /// byte after it when that is in the buffer, as the general path's peek would, and
    /// continue in the key or list state (where the fast paths take over). Returns false,
    /// having changed nothing, when the decision needs the general path.
    #[inline]
    fn fast_open<S: Sink>(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        sink: &mut S,
    ) -> Result<bool, ErrorKind> {
        let p = *pos;
        let end = scan_plain(buf, p + 1);
        let after = skip_plain_ws(buf, end);
        let object = match buf.get(after) {
            Some(b'=') => true,
            None | Some(b'{' | b'#' | b'!' | b'?' | b'<' | b'>') => return Ok(false),
            Some(_) => false,
        };
        if matches!(buf.get(end), Some(b'!' | b'?')) {
            return Ok(false);
        }
        self.open_decided(object, sink)?;
        if !object {
            // Straight on to the list, without a round through the main loop.
            self.fast_elements(buf, pos, sink)?;
        }
        Ok(true)
    }

    /// A container whose first token is a plain scalar turns out an object or an array:
    /// emit it and continue in the key or list state.
    #[inline]
    fn open_decided<S: Sink>(&mut self, object: bool, sink: &mut S) -> SinkResult {
        if self.mixed
            && let [.., parent, _] = self.stack.as_mut_slice()
        {
            parent.mixed = true;
        }
        self.mixed = false;
        self.last = Last::Other;
        if object {
            self.set_kind(Kind::Object);
            sink.open_object()?;
            self.state = State::Key;
        } else {
            self.set_kind(Kind::Array);
            sink.open_array()?;
            self.state = State::ArrayValue;
        }
        Ok(())
    }

    /// Plain list elements (`1 2 3`, `a b c`) read in one go while each is followed by
    /// something that is not an operator, a `{`, a comment or the buffer's end.
    #[inline]
    fn fast_elements<S: Sink>(&mut self, buf: &[u8], pos: &mut usize, sink: &mut S) -> SinkResult {
        let run = sink.element_run();
        let numbers = run && sink.number_runs();
        loop {
            let p = *pos;
            let first = match buf.get(p) {
                Some(&c) if starts_plain(c) => c,
                _ => return Ok(()),
            };
            if numbers && (first.is_ascii_digit() || first == b'-') {
                let len = number_run_len(tail(buf, p));
                if len != 0 {
                    self.last = Last::Scalar;
                    sink.number_run(span(buf, p, p + len))?;
                    // Past the run's last number and the one space after it.
                    *pos = p + len + 1;
                    continue;
                }
            }
            let (end, bits, ended_by) = scan_plain_shape(buf, p + 1);
            if ended_by & MAYBE_OP != 0 {
                return Ok(());
            }
            let after = after_token(buf, end, ended_by);
            match buf.get(after) {
                None | Some(b'{' | b'#' | b'!' | b'?' | b'<' | b'>' | b'=') => return Ok(()),
                Some(_) => {}
            }
            self.last = Last::Scalar;
            let token = Token {
                bytes: span(buf, p, end),
                rest: tail(buf, p),
                shape: Shape::new(shape_bits(first), bits),
            };
            if run {
                sink.element_in_run(token)?;
            } else {
                sink.element(token)?;
            }
            *pos = after;
        }
    }

    /// Is the pending list element a header name (`rgb` in `{ rgb { 1 2 3 } }`)? In a
    /// list it must be an unquoted word starting with a letter: `{ 10 20 { x = y } }` is
    /// three elements, not a header `20`.
    fn pending_is_list_header(&self, buf: &[u8]) -> bool {
        self.pending.kind == PendKind::Unquoted
            && self
                .pending
                .get(buf)
                .first()
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    }

    /// Lex a list element into the pending slot. Returns false when more input is needed.
    fn array_scalar(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        eof: bool,
        c: u8,
    ) -> Result<bool, ErrorKind> {
        let Some((start, end)) = self.lex_value_token(buf, pos, eof, c)? else {
            return Ok(false);
        };
        let kind = if c == b'"' {
            PendKind::Quoted
        } else {
            PendKind::Unquoted
        };
        self.pending.set(kind, start, end);
        self.state = State::ArrayPeek;
        Ok(true)
    }

    /// Lex a quoted string, a variable or an unquoted scalar at `*pos` (first byte `c`).
    /// On success, moves `*pos` past the token and returns its body's range; `None` when
    /// the buffer ends inside it.
    #[inline]
    fn lex_value_token(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        eof: bool,
        c: u8,
    ) -> Result<Option<(usize, usize)>, ErrorKind> {
        let p = *pos;
        let lexed = match c {
            b'"' => lex_quoted(buf, p),
            b'@' if buf.get(p + 1) == Some(&b'[') => match memchr::memchr(b']', tail(buf, p)) {
                Some(i) => Lexed::Token {
                    end: p + i + 1,
                    next: p + i + 1,
                },
                None => Lexed::Incomplete,
            },
            b'@' if p + 1 == buf.len() && !eof => Lexed::Incomplete,
            _ => match lex_scalar(buf, p, eof) {
                Some(end) => Lexed::Token { end, next: end },
                None => Lexed::Incomplete,
            },
        };
        match lexed {
            Lexed::Token { end, next } => {
                *pos = next;
                Ok(Some(if c == b'"' { (p + 1, end) } else { (p, end) }))
            }
            Lexed::Incomplete if eof => Err(ErrorKind::UnexpectedEof(if c == b'"' {
                "a quoted string is not closed"
            } else {
                "a variable `@[...]` is not closed"
            })),
            Lexed::Incomplete => {
                // Every caller stops here, so the token starts the carry.
                self.carried = match c {
                    b'"' => Carried::Quoted {
                        escaped: ends_in_escape(tail(buf, p + 1)),
                    },
                    b'@' if buf.get(p + 1) == Some(&b'[') => Carried::Variable,
                    b'@' if p + 1 == buf.len() => Carried::Unknown,
                    _ => Carried::Unquoted,
                };
                Ok(None)
            }
        }
    }

    /// Read `[[name]` or `[[!name]`. Returns false when more input is needed.
    fn param_start(&mut self, buf: &[u8], pos: &mut usize, eof: bool) -> Result<bool, ErrorKind> {
        let p = *pos;
        let need = |i: usize| -> Result<Option<u8>, ErrorKind> {
            match buf.get(p + i) {
                Some(&b) => Ok(Some(b)),
                None if eof => Err(ErrorKind::UnexpectedEof(
                    "a parameter block is not complete",
                )),
                None => Ok(None),
            }
        };
        let Some(second) = need(1)? else {
            return Ok(false);
        };
        if second != b'[' {
            return Err(ErrorKind::Syntax(
                "expected '[[' to start a parameter block",
            ));
        }
        let Some(third) = need(2)? else {
            return Ok(false);
        };
        let defined = third != b'!';
        let name_start = p + 2 + usize::from(!defined);
        if need(name_start - p)?.is_none() {
            return Ok(false);
        }
        let Some(name_end) = lex_scalar(buf, name_start, eof) else {
            return Ok(false);
        };
        match buf.get(name_end) {
            Some(b']') => {}
            None if !eof => return Ok(false),
            _ => return Err(ErrorKind::Syntax("expected ']' after the parameter name")),
        }
        self.param_name.clear();
        self.param_name
            .extend_from_slice(span(buf, name_start, name_end));
        self.param_defined = defined;
        *pos = name_end + 1;
        self.state = State::ParamValue;
        Ok(true)
    }

    /// After `[[name] token`: `]` makes `token` the parameter's value; anything else
    /// makes the parameter a block whose first key is `token`.
    fn param_resolve<S: Sink>(
        &mut self,
        pos: &mut usize,
        c: u8,
        name: &[u8],
        defined: bool,
        sink: &mut S,
    ) -> SinkResult {
        self.last = Last::Scalar;
        sink.parameter(name, defined)?;
        if c == b']' {
            *pos += 1;
            self.state = State::Key;
            return Ok(());
        }
        self.push_frame()?;
        self.set_kind(Kind::Object);
        self.last = Last::Other;
        sink.open_object()?;
        self.state = State::KeyValueSeparator;
        Ok(())
    }
}

/// Lex an operator at `buf[p]`. `Some(None)`: no operator here; `None`: need more input.
/// In key position a lone `!` or `?` is not an operator.
#[inline]
fn lex_operator(buf: &[u8], p: usize, eof: bool) -> Option<Option<(Operator, usize)>> {
    let Some(&c) = buf.get(p) else {
        return Some(None);
    };
    if !matches!(c, b'<' | b'>' | b'=' | b'!' | b'?') {
        return Some(None);
    }
    let next = match buf.get(p + 1) {
        Some(&n) => Some(n),
        None if eof => None,
        None => return None,
    };
    let eq = next == Some(b'=');
    Some(match (c, eq) {
        (b'<', true) => Some((Operator::LessThanEqual, 2)),
        (b'<', false) => Some((Operator::LessThan, 1)),
        (b'>', true) => Some((Operator::GreaterThanEqual, 2)),
        (b'>', false) => Some((Operator::GreaterThan, 1)),
        (b'=', true) => Some((Operator::Exact, 2)),
        (b'=', false) => Some((Operator::Equal, 1)),
        (b'!', true) => Some((Operator::NotEqual, 2)),
        (b'?', true) => Some((Operator::Exists, 2)),
        _ => None,
    })
}

/// A byte's class bits (the lexer's only).
#[inline(always)]
pub(super) fn class(b: u8) -> u8 {
    lookup(&CLASS, b) & LEX
}

/// A byte's [`Shape`] bits (none for a byte with lexer bits).
#[inline(always)]
fn shape_bits(b: u8) -> u8 {
    lookup(&CLASS, b) & !LEX
}

/// Can a plain scalar (one the fast paths read whole) start with `c`? Not a boundary,
/// `!` or `?`, nor a quote (a quoted string) or `@` (`@[...]` expressions).
#[inline]
pub(super) fn starts_plain(c: u8) -> bool {
    class(c) == 0 && c != b'"' && c != b'@'
}

/// The end of a run of plain scalar bytes (no boundary, `!` or `?`) from `i`.
///
/// Written as a search over the tail slice: with an index loop, LLVM carried every
/// offset the caller derives from the result through the loop (about 20 instructions
/// per byte, spilling registers); this loop has one pointer.
#[inline]
pub(super) fn scan_plain(buf: &[u8], i: usize) -> usize {
    let rest = tail(buf, i);
    i + rest
        .iter()
        .position(|&b| class(b) != 0)
        .unwrap_or(rest.len())
}

/// [`scan_plain`] that also gathers the [`Shape`] bits of the bytes it passes, and says
/// what ended the scan.
#[inline]
fn scan_plain_shape(buf: &[u8], i: usize) -> (usize, u8, u8) {
    let rest = tail(buf, i);
    let mut bits = 0;
    let end = rest
        .iter()
        .position(|&b| {
            let c = lookup(&CLASS, b);
            // The byte that ends the scan has no shape bits (see CLASS), and the token's
            // bytes have no lexer bits: the `or` keeps both apart.
            bits |= c;
            c & LEX != 0
        })
        .unwrap_or(rest.len());
    (i + end, bits & !LEX, bits & LEX)
}

/// The length of the run of list elements at the start of `rest` that
/// [`Sink::number_run`] takes: numbers whose JSON is their bytes, trailing fraction zeros
/// aside, each followed by one space and then a digit or `-`. Ends before the first
/// number that is not followed so (it may be a key, `3 = 4`, or the list's last element)
/// and before any other token; 0 for none.
///
/// A number here is an optional `-`, then `0` or a digit 1-9 and more digits, then
/// optionally `.` and at least one digit; at most 15 digits in all, and at most 4 after
/// `0.` (so never below 1e-5, which JSON writes with an exponent). Not `-0` (the
/// general path decides it).
///
/// Korea's gamestate holds 2.85 M such integers (`0 -99 1 100 ...`) and 0.26 M such
/// decimals (`0.000 2.000 0.600 ...`), in long lists.
#[inline]
fn number_run_len(rest: &[u8]) -> usize {
    let digits = |mut i: usize| {
        while rest.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut end = 0;
    let mut i = 0;
    loop {
        let negative = rest.get(i) == Some(&b'-');
        i += usize::from(negative);
        let start = i;
        i = match rest.get(i) {
            Some(b'0') => i + 1,
            Some(b'1'..=b'9') => digits(i + 1),
            _ => return end,
        };
        let int = i - start;
        if rest.get(i) == Some(&b'.') {
            let frac = digits(i + 1) - (i + 1);
            let zero = int == 1 && rest.get(start) == Some(&b'0');
            if frac == 0 || int + frac > 15 || zero && frac > 4 {
                return end;
            }
            i += 1 + frac;
        } else if int > 15 || negative && rest.get(start) == Some(&b'0') {
            return end;
        }
        if rest.get(i) != Some(&b' ')
            || !rest
                .get(i + 1)
                .is_some_and(|&b| b.is_ascii_digit() || b == b'-')
        {
            return end;
        }
        end = i;
        i += 1;
    }
}

/// Where the next token may start after a token that [`scan_plain_shape`] ended at `end`
/// with lexer bits `ended_by` (none at the buffer's end): the scan has already classed
/// the byte at `end`, so whitespace is skipped from the byte after it, and not looked
/// for at all after a boundary such as `=` (Korea's `key=value` has no spaces).
#[inline(always)]
fn after_token(buf: &[u8], end: usize, ended_by: u8) -> usize {
    if ended_by & WS != 0 {
        skip_plain_ws(buf, end + 1)
    } else {
        end
    }
}

/// Skip whitespace (spaces, tabs, line breaks, `;`, `\v`, `\f`; not comments) from `i`.
#[inline]
pub(super) fn skip_plain_ws(buf: &[u8], i: usize) -> usize {
    let rest = tail(buf, i);
    i + rest
        .iter()
        .position(|&b| class(b) & WS == 0)
        .unwrap_or(rest.len())
}

/// Lex an unquoted scalar starting at `p`: up to the next boundary byte, and at least one
/// byte (so a stray `=` where a value belongs is a one-byte scalar, as in jomini).
/// Returns the end, or `None` if the buffer ends first and more input may come.
#[inline]
fn lex_scalar(buf: &[u8], p: usize, eof: bool) -> Option<usize> {
    // A boundary byte where a token must start is a token of its own (`[[x]` in a list
    // reads `[`, `[`, `x`), as jomini reads it.
    let first = class(*buf.get(p)?);
    if first & BOUNDARY != 0 {
        return Some(p + 1);
    }
    if first & MAYBE_OP != 0 {
        match buf.get(p + 1) {
            Some(b'=') => return Some(p + 1),
            Some(_) => {}
            None if eof => return Some(p + 1),
            None => return None,
        }
    }
    let mut i = p + 1;
    while let Some(&b) = buf.get(i) {
        let class = class(b);
        if class == 0 {
            i += 1;
            continue;
        }
        if class & BOUNDARY != 0 {
            return Some(i);
        }
        // `!` or `?`: a boundary only before `=`.
        match buf.get(i + 1) {
            Some(b'=') => return Some(i),
            Some(_) => i += 1,
            None if eof => return Some(buf.len()),
            None => return None,
        }
    }
    if eof { Some(buf.len()) } else { None }
}

/// Lex a quoted string starting at the `"` at `p`; a backslash escapes the next byte.
#[inline]
fn lex_quoted(buf: &[u8], p: usize) -> Lexed {
    match scan_quoted(buf, p + 1) {
        Ok(end) => Lexed::Token { end, next: end + 1 },
        Err(_) => Lexed::Incomplete,
    }
}

/// Find the `"` that closes a quoted string body read from `i` on (a backslash escapes
/// the next byte). `Err(escaped)` when `buf` ends first: `escaped` tells that its last
/// byte is a backslash escaping the byte after it (or, with `i` past the end, that the
/// escape is still owed).
#[inline]
pub(super) fn scan_quoted(buf: &[u8], mut i: usize) -> Result<usize, bool> {
    loop {
        // Not `tail`: after an escaping backslash at the end, `i` is past the end by design.
        match memchr::memchr2(b'"', b'\\', buf.get(i..).unwrap_or_default()) {
            Some(j) if buf.get(i + j) == Some(&b'"') => return Ok(i + j),
            Some(j) => i += j + 2,
            None => return Err(i > buf.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the shapes the fast paths hand over, with their tokens; with `.1`, takes
    /// element runs and number runs (through the trait's default `number_run`).
    #[derive(Default)]
    struct Shapes(Vec<(Vec<u8>, Shape)>, bool);

    impl Shapes {
        fn push(&mut self, token: Token<'_>) {
            assert!(token.rest.starts_with(token.bytes), "{token:?}");
            self.0.push((token.bytes.to_vec(), token.shape));
        }
    }

    impl Sink for Shapes {
        fn open_object(&mut self) -> SinkResult {
            Ok(())
        }
        fn open_array(&mut self) -> SinkResult {
            Ok(())
        }
        fn close(&mut self) -> SinkResult {
            Ok(())
        }
        fn scalar(&mut self, _: &[u8], _: bool, _: bool) -> SinkResult {
            Ok(())
        }
        fn header(&mut self, _: &[u8]) -> SinkResult {
            Ok(())
        }
        fn parameter(&mut self, _: &[u8], _: bool) -> SinkResult {
            Ok(())
        }
        fn operator(&mut self, _: Operator, _: bool) -> SinkResult {
            Ok(())
        }
        fn mixed(&mut self) -> SinkResult {
            Ok(())
        }
        fn field(&mut self, key: Token<'_>, value: Token<'_>, quoted: bool) -> SinkResult {
            self.push(key);
            if quoted {
                assert_eq!(value.shape, Shape::UNKNOWN);
            } else {
                self.push(value);
            }
            Ok(())
        }
        fn element(&mut self, token: Token<'_>) -> SinkResult {
            self.push(token);
            Ok(())
        }
        fn container_key(&mut self, key: Token<'_>) -> SinkResult {
            self.push(key);
            Ok(())
        }
        fn element_run(&mut self) -> bool {
            self.1
        }
        fn number_runs(&self) -> bool {
            self.1
        }
    }

    #[test]
    fn shapes_are_what_the_tokens_bytes_say() {
        let input = "a=1 b=-12 c=1.5 d=1444.11.11 caf\u{e9}=x\u{7f}y e=\"q\" k\\x=v\"w \
                     l={ 1 22 -3 a\u{1}b 0x1F \u{e9} 333 } m={ n=7 o=yes } \
                     p={ 9 8 } q=rgb { 1 2 3 } r=\"s\" 12=34 ";
        let mut sink = Shapes::default();
        let mut parser = Parser::default();
        parser.feed(input.as_bytes(), &mut sink).unwrap();
        parser.finish(&mut sink).unwrap();
        assert!(sink.0.len() > 20, "the fast paths ran: {}", sink.0.len());
        for key in ["l", "m", "p"] {
            assert!(sink.0.iter().any(|(t, _)| t == key.as_bytes()), "{key}");
        }
        for (token, shape) in &sink.0 {
            assert!(shape.is_known(), "{token:?}");
            assert_eq!(
                *shape,
                Shape::of(token),
                "{:?}",
                String::from_utf8_lossy(token)
            );
        }
        let digits = sink
            .0
            .iter()
            .filter(|(_, s)| s.digits_after_first())
            .count();
        let escaped = sink.0.iter().filter(|(_, s)| !s.is_plain()).count();
        assert!(digits >= 10 && escaped >= 4, "{digits} {escaped}");
    }

    #[test]
    fn number_runs_stop_before_anything_but_a_spaced_plain_number() {
        let len = |s: &str| number_run_len(s.as_bytes());
        // Each number must be followed by one space and then a digit or `-`.
        assert_eq!(len("1 2 3 }"), "1 2".len());
        assert_eq!(len("0 -99 100 -5 7"), "0 -99 100 -5".len());
        assert_eq!(len("1 2 3 = 4"), "1 2".len(), "3 is a key");
        assert_eq!(len("1 2 3=4"), "1 2".len());
        assert_eq!(len("1 2  3 4"), "1".len(), "two spaces end the run");
        assert_eq!(len("1 2\n3 4"), "1".len());
        assert_eq!(len("1 2#c\n"), "1".len());
        assert_eq!(len("1 2 { x }"), "1".len());
        assert_eq!(len("1 2x 3"), "1".len());
        assert_eq!(len("1 2 -x"), "1 2".len(), "2 is followed by a token");
        // Not plain: JSON would not write these as they stand.
        assert_eq!(len("05 1 2"), 0);
        assert_eq!(len("-0 1 2"), 0);
        assert_eq!(len("- 1 2"), 0);
        assert_eq!(len("1 05 2"), "1".len());
        assert_eq!(len("123456789012345 1"), "123456789012345".len());
        assert_eq!(len("1234567890123456 1"), 0, "16 digits");
        assert_eq!(len("-123456789012345 1"), "-123456789012345".len());
        assert_eq!(len("-1234567890123456 1"), 0);
        // Decimals: a fraction of at least one digit, 15 digits in all, at most four
        // after `0.`; dates and other dotted words end the run.
        assert_eq!(
            len("0.000 2.000 -0.600 0.5 1.25"),
            "0.000 2.000 -0.600 0.5".len()
        );
        assert_eq!(len("0.0001 1"), "0.0001".len());
        assert_eq!(len("0.00001 1"), 0, "below 1e-5 JSON has an exponent");
        assert_eq!(len("1.00001 1"), "1.00001".len());
        assert_eq!(len("12345678901.2345 1"), "12345678901.2345".len());
        assert_eq!(len("12345678901.23456 1"), 0, "16 digits");
        assert_eq!(len("1. 2"), 0);
        assert_eq!(len("1.5.5 2"), 0);
        assert_eq!(len("1444.11.11 2"), 0);
        assert_eq!(len("05.5 2"), 0);
        assert_eq!(
            len("1 .5 2"),
            0,
            "1 is followed by a token that is not a number"
        );
        // The buffer's end: the last number waits for what follows it.
        assert_eq!(len("1 2"), "1".len());
        assert_eq!(len("1 2 "), "1".len());
        assert_eq!(len("1.5 0."), "1.5".len());
        assert_eq!(len(""), 0);
    }

    #[test]
    fn a_number_run_gives_the_elements_one_by_one_would() {
        let input = b"a = { 0 1 -2 300 05 -0 4 5 x 6 -7 8 = 9 10 11 0.500 -1.25 1.0.0 2 3 }";
        let elements = |runs| {
            let mut sink = Shapes(Vec::new(), runs);
            let mut parser = Parser::default();
            parser.feed(input, &mut sink).unwrap();
            parser.finish(&mut sink).unwrap();
            sink.0
        };
        let (runs, one_by_one) = (elements(true), elements(false));
        assert_eq!(runs, one_by_one);
        // The key `a`, then 19 elements (`8 = 9` is a one-field object, not elements).
        assert_eq!(runs.len(), 20, "{runs:?}");
    }
}
