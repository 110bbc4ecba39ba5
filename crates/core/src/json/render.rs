//! Streaming JSON for the preserve and key-value-pairs modes: a [`Sink`] that writes each
//! token as it arrives. Memory: a few bytes per open container plus one pending key.
//!
//! The shapes follow the `jomini` crate's JSON:
//! - an object is `{"key":value,...}`; an operator other than `=` wraps its value as
//!   `{"GREATER_THAN":value}`; a header as `{"rgb":[...]}`;
//! - an object that turns mixed ends with `"remainder":[...]` holding the rest;
//! - in a list, `key op value` becomes a one-field object `{"key":value}`;
//! - in key-value-pairs mode objects are `{"type":"obj","val":[["key",value],...]}` and
//!   arrays `{"type":"array","val":[...]}`.

use super::DuplicateKeyMode;
use super::JsonOptions;
use super::group::{Grouper, Prettifier};
use super::writer::JsonWriter;
use crate::error::ErrorKind;
use crate::text::{Operator, Sink, SinkResult, Token};

/// Closers owed when a value ends, innermost first.
const HEADER: u8 = 1;
const OPWRAP: u8 = 2;
const KVP_PAIR: u8 = 4;
const SINGLE: u8 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    /// An object's fields.
    Object,
    /// An array, or an object's remainder after it turned mixed.
    List,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Key,
    /// A key is written; an operator or the value comes next.
    OpOrValue,
    /// Key and operator are written; the value comes next.
    Value,
}

/// A list element held back until the next token says whether it is a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pend {
    None,
    /// A scalar (in `pend_key`) followed by an operator.
    Key,
    /// An operator followed by another: its symbol is the key (jomini's reading).
    OpKey(Operator),
    /// A key and its operator: the next value completes a one-field object.
    KeyOp(Operator),
    /// A key given by an operator symbol, and its operator.
    OpKeyOp(Operator, Operator),
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    kind: FrameKind,
    expect: Expect,
    /// Closers owed by the field being written (object) or after this container closes.
    field_suffix: u8,
    suffix: u8,
    /// This object turned mixed: its list is the remainder.
    remainder: bool,
    /// A real key named `remainder` was seen, so the synthetic one needs another name.
    saw_remainder_key: bool,
    /// The last element was a container (an operator may not follow it).
    after_container: bool,
}

impl Frame {
    /// An object key is written: a real key named `remainder` means the synthetic one
    /// must be `__remainder` should this object turn mixed. `key` as jomini compares it,
    /// trailing whitespace trimmed (only a quoted key can have any).
    #[inline(always)]
    fn note_key(&mut self, key: &[u8]) {
        if key == b"remainder" {
            self.saw_remainder_key = true;
        }
    }

    fn new(kind: FrameKind, suffix: u8) -> Self {
        Frame {
            kind,
            expect: Expect::Key,
            field_suffix: 0,
            suffix,
            remainder: false,
            saw_remainder_key: false,
            after_container: false,
        }
    }
}

/// Writes JSON as tokens arrive: preserve and key-value-pairs modes, and group mode's
/// held output (see [`super::group`]).
#[derive(Debug)]
pub struct Renderer {
    w: JsonWriter,
    kvp: bool,
    stack: Vec<Frame>,
    pend: Pend,
    pend_key: Vec<u8>,
    pend_quoted: bool,
    /// Closers owed by a header, applied to the container that follows it.
    header_suffix: Option<u8>,
    /// Group mode: the fields of the open objects (the output is then compact and held
    /// until the end).
    grouper: Option<Box<Grouper>>,
    /// Group mode's input limit (reported when what it holds passes twice that).
    group_limit: u64,
    pretty: bool,
}

impl Renderer {
    /// A renderer for `options`.
    pub fn new(options: &JsonOptions) -> Self {
        let group = options.mode == DuplicateKeyMode::Group;
        Renderer {
            // Group mode holds compact JSON and re-formats it as it hands it on.
            w: JsonWriter::new(options.pretty && !group, options.encoding, options.narrow),
            kvp: options.mode == DuplicateKeyMode::KeyValuePairs,
            stack: Vec::new(),
            pend: Pend::None,
            pend_key: Vec::new(),
            pend_quoted: false,
            header_suffix: None,
            grouper: group.then(Box::default),
            group_limit: u64::MAX,
            pretty: options.pretty,
        }
    }

    /// Group mode: the fields of the innermost object end here; rebuild it if a key
    /// repeated.
    #[inline]
    fn group_close(&mut self) -> SinkResult {
        if let Some(g) = self.grouper.as_mut() {
            g.close(&mut self.w)?;
        }
        Ok(())
    }

    /// Group mode: an object key is about to be written at the cursor. Returns true
    /// when the key must not be written: it is the last field's key again, whose value
    /// joins that field's run of values ([`Grouper::key`]). The held JSON's cap is
    /// checked here, at each key, so that the error names the same place however the
    /// input was cut into chunks (writes past the cap are dropped until then).
    #[inline(always)]
    fn group_key(&mut self, bytes: &[u8], rest: &[u8]) -> Result<bool, ErrorKind> {
        if let Some(g) = self.grouper.as_mut() {
            if self.w.over_cap() {
                return Err(held_too_large(self.group_limit));
            }
            return Ok(g.key(bytes, rest, &mut self.w));
        }
        Ok(false)
    }

    /// Group mode: the input is limited to `limit` bytes (the caller counts it), so what
    /// is held until the end (the JSON and the key records, see [`super::group`]) is
    /// capped at twice that: a save's compact JSON is smaller than the save (0.90x on the
    /// EU4 Korea save), and only escapes (`\u0001` for a control byte) or operator
    /// wrappers make it larger. Past the cap, or when memory cannot be had, the next key
    /// is refused.
    pub fn set_group_limit(&mut self, limit: u64) {
        self.group_limit = limit;
        if self.grouper.is_some() {
            let cap = usize::try_from(limit.saturating_mul(2)).unwrap_or(usize::MAX);
            self.w.set_cap(cap.min(usize::MAX - 1));
        }
    }

    /// Group mode's input limit (see [`set_group_limit`](Renderer::set_group_limit)).
    pub fn group_limit(&self) -> u64 {
        self.group_limit
    }

    /// Group mode: the secret for the keys' fingerprints (see
    /// [`Transcoder::set_group_seed`](crate::Transcoder::set_group_seed)).
    pub fn set_group_seed(&mut self, seed: u64) {
        if let Some(g) = self.grouper.as_mut() {
            g.set_seed(seed);
        }
    }

    pub fn writer(&mut self) -> &mut JsonWriter {
        &mut self.w
    }

    /// Open the document's root object.
    pub fn begin_document(&mut self) {
        self.begin_object_json();
        if let Some(g) = self.grouper.as_mut() {
            g.open(self.w.len());
        }
        self.stack.push(Frame::new(FrameKind::Object, 0));
    }

    /// Close the root object (the parser has closed everything else).
    pub fn end_document(&mut self) -> SinkResult {
        self.close()
    }

    /// Close the root object and hand on the output not handed on yet (in group mode,
    /// all of it: the root's fields in first-place order, re-formatted when pretty).
    pub fn end_document_with<F: FnMut(&[u8])>(&mut self, emit: &mut F) -> SinkResult {
        let Some(mut g) = self.grouper.take() else {
            self.end_document()?;
            let mut out = Vec::new();
            self.w.drain_into(&mut out);
            emit(&out);
            return Ok(());
        };
        let root_open = matches!(self.stack.as_slice(), [root] if root.kind == FrameKind::Object);
        if root_open {
            g.end_run(&mut self.w);
        }
        let end = self.w.len();
        if !root_open {
            // The root turned mixed (its fields were rebuilt then), or something is left
            // open: close as usual.
            self.grouper = Some(g);
            self.end_document()?;
            g = self.grouper.take().unwrap_or_default();
        } else {
            // The root's own fields are handed on by ranges, not rebuilt.
            self.stack.clear();
            self.w.end_object();
        }
        let out = self.w.output();
        let mut pretty = self.pretty.then(Prettifier::default);
        let mut sink = |b: &[u8]| match pretty.as_mut() {
            Some(p) => p.feed(b, emit),
            None => emit(b),
        };
        if root_open && g.depth() == 1 {
            g.emit_root(out, end, &mut sink);
        } else {
            sink(out);
        }
        if let Some(p) = pretty.as_mut() {
            p.finish(emit);
        }
        self.w.clear();
        Ok(())
    }

    fn begin_object_json(&mut self) {
        self.w.begin_object();
        if self.kvp {
            self.w.key_str("type");
            self.w.str_value("obj");
            self.w.key_str("val");
            self.w.begin_array();
        }
    }

    fn begin_array_json(&mut self) {
        if self.kvp {
            self.w.begin_object();
            self.w.key_str("type");
            self.w.str_value("array");
            self.w.key_str("val");
        }
        self.w.begin_array();
    }

    /// Write the closers a finished value owes (most owe none).
    #[inline(always)]
    fn write_suffix(&mut self, suffix: u8) -> SinkResult {
        if suffix == 0 {
            return Ok(());
        }
        self.write_closers(suffix)
    }

    fn write_closers(&mut self, suffix: u8) -> SinkResult {
        if suffix & HEADER != 0 {
            self.w.end_object();
        }
        if suffix & OPWRAP != 0 {
            self.w.end_object();
        }
        if suffix & KVP_PAIR != 0 {
            self.w.end_array();
        }
        if suffix & SINGLE != 0 {
            self.w.end_object();
        }
        Ok(())
    }

    fn begin_op_wrap(&mut self, op: Operator) -> u8 {
        if op == Operator::Equal {
            0
        } else {
            self.w.begin_object();
            self.w.key_str(op.name());
            OPWRAP
        }
    }

    /// Write the pending list key as `{"key":` and its operator's wrapper.
    fn begin_single_object(&mut self, op: Operator, op_key: Option<Operator>) -> u8 {
        self.w.begin_object();
        match op_key {
            Some(k) => self.w.key_str(k.symbol()),
            None => {
                let key = std::mem::take(&mut self.pend_key);
                self.w.key_scalar(&key, self.pend_quoted);
                self.pend_key = key;
            }
        }
        SINGLE | self.begin_op_wrap(op)
    }

    /// A value starts in the current frame: write what precedes it and return the
    /// closers it owes once complete.
    fn begin_value(&mut self) -> Result<u8, ErrorKind> {
        let Some(top) = self.stack.last_mut() else {
            return Err(ErrorKind::Syntax("a value outside the document"));
        };
        match top.kind {
            FrameKind::Object => match top.expect {
                Expect::Key => Err(ErrorKind::Syntax("expected a key")),
                Expect::OpOrValue | Expect::Value => {
                    top.expect = Expect::Key;
                    Ok(top.field_suffix)
                }
            },
            FrameKind::List => {
                top.after_container = false;
                match std::mem::replace(&mut self.pend, Pend::None) {
                    Pend::None => Ok(0),
                    Pend::KeyOp(op) => Ok(self.begin_single_object(op, None)),
                    Pend::OpKeyOp(key, op) => Ok(self.begin_single_object(op, Some(key))),
                    Pend::Key | Pend::OpKey(_) => {
                        Err(ErrorKind::Syntax("expected an operator after the key"))
                    }
                }
            }
        }
    }

    /// The frame of an object just opened (`{` written); group mode starts recording
    /// its fields.
    #[inline]
    fn object_frame(&mut self, suffix: u8) -> Frame {
        if let Some(g) = self.grouper.as_mut() {
            g.open(self.w.len());
        }
        Frame::new(FrameKind::Object, suffix)
    }

    #[inline]
    fn open(&mut self, object: bool) -> SinkResult {
        // The hot path: an object field's value or a list element, outside key-value-pairs
        // mode, after no header.
        if !self.kvp
            && self.header_suffix.is_none()
            && let Some(top) = self.stack.last_mut()
        {
            let suffix = match top.kind {
                FrameKind::Object if top.expect != Expect::Key => {
                    top.expect = Expect::Key;
                    top.field_suffix
                }
                FrameKind::List if self.pend == Pend::None => {
                    top.after_container = false;
                    0
                }
                _ => return self.open_general(object),
            };
            if object {
                self.w.begin_object();
                let frame = self.object_frame(suffix);
                self.stack.push(frame);
            } else {
                self.w.begin_array();
                self.stack.push(Frame::new(FrameKind::List, suffix));
            }
            return Ok(());
        }
        self.open_general(object)
    }

    fn open_general(&mut self, object: bool) -> SinkResult {
        let suffix = match self.header_suffix.take() {
            Some(header) => header,
            None => self.begin_value()?,
        };
        if object {
            self.begin_object_json();
            let frame = self.object_frame(suffix);
            self.stack.push(frame);
        } else {
            self.begin_array_json();
            self.stack.push(Frame::new(FrameKind::List, suffix));
        }
        Ok(())
    }

    /// Flush a pending list key at the end of its list: jomini writes the key as a plain
    /// value and the dangling operator as `null`.
    fn flush_pend_at_close(&mut self) {
        match std::mem::replace(&mut self.pend, Pend::None) {
            Pend::None => {}
            Pend::Key => {
                let key = std::mem::take(&mut self.pend_key);
                self.w.scalar(&key, self.pend_quoted);
                self.pend_key = key;
            }
            Pend::OpKey(_) => self.w.null(),
            Pend::KeyOp(_) => {
                let key = std::mem::take(&mut self.pend_key);
                self.w.scalar(&key, self.pend_quoted);
                self.pend_key = key;
                self.w.null();
            }
            Pend::OpKeyOp(_, _) => {
                self.w.null();
                self.w.null();
            }
        }
    }
}

/// Group mode's error when its held JSON passed its cap (or memory ran out).
#[cold]
fn held_too_large(limit: u64) -> ErrorKind {
    ErrorKind::GroupInputTooLarge { limit }
}

impl Sink for Renderer {
    #[inline]
    fn open_object(&mut self) -> SinkResult {
        self.open(true)
    }

    #[inline]
    fn open_array(&mut self) -> SinkResult {
        self.open(false)
    }

    #[inline]
    fn close(&mut self) -> SinkResult {
        // The hot path: a container that owes no closers, outside key-value-pairs mode,
        // with no list element pending.
        if !self.kvp
            && self.pend == Pend::None
            && let [.., parent, top] = self.stack.as_mut_slice()
            && top.suffix == 0
            && !top.remainder
        {
            let kind = top.kind;
            parent.after_container = parent.kind == FrameKind::List;
            self.stack.pop();
            match kind {
                FrameKind::Object => {
                    self.group_close()?;
                    self.w.end_object();
                }
                FrameKind::List => self.w.end_array(),
            }
            return Ok(());
        }
        self.close_general()
    }

    #[inline]
    fn scalar(&mut self, bytes: &[u8], quoted: bool, then_op: bool) -> SinkResult {
        let Some(top) = self.stack.last_mut() else {
            return Err(ErrorKind::Syntax("a value outside the document"));
        };
        match (top.kind, top.expect) {
            (FrameKind::Object, Expect::Key) => {
                top.note_key(crate::text::encoding::trim_end(bytes));
                top.expect = Expect::OpOrValue;
                if self.kvp {
                    top.field_suffix = KVP_PAIR;
                    self.w.begin_array();
                    self.w.scalar_str(bytes, quoted);
                } else {
                    top.field_suffix = 0;
                    if !self.group_key(bytes, bytes)? {
                        self.w.key_scalar(bytes, quoted);
                    }
                }
                Ok(())
            }
            (FrameKind::Object, _) => {
                let suffix = self.begin_value()?;
                self.w.scalar(bytes, quoted);
                self.write_suffix(suffix)?;
                Ok(())
            }
            (FrameKind::List, _) => {
                top.after_container = false;
                match self.pend {
                    Pend::None if then_op => {
                        self.pend = Pend::Key;
                        self.pend_key.clear();
                        self.pend_key.extend_from_slice(bytes);
                        self.pend_quoted = quoted;
                        Ok(())
                    }
                    Pend::None => {
                        self.w.scalar(bytes, quoted);
                        Ok(())
                    }
                    _ => {
                        let suffix = self.begin_value()?;
                        self.w.scalar(bytes, quoted);
                        self.write_suffix(suffix)?;
                        Ok(())
                    }
                }
            }
        }
    }

    #[inline]
    fn element(&mut self, token: Token<'_>) -> SinkResult {
        // The hot path: a plain list element with nothing pending.
        if self.pend == Pend::None
            && let Some(top) = self.stack.last_mut()
            && top.kind == FrameKind::List
        {
            top.after_container = false;
            self.w.element_in(token);
            return Ok(());
        }
        self.scalar(token.bytes, false, false)
    }

    #[inline]
    fn element_run(&mut self) -> bool {
        // `element`'s hot path, checked once for the run: nothing else reaches the
        // renderer until the run ends, so none of this changes during it.
        if self.w.is_compact()
            && self.pend == Pend::None
            && let Some(top) = self.stack.last_mut()
            && top.kind == FrameKind::List
        {
            top.after_container = false;
            return true;
        }
        false
    }

    #[inline(always)]
    fn element_in_run(&mut self, token: Token<'_>) -> SinkResult {
        self.w.compact_element_in(token);
        Ok(())
    }

    #[inline]
    fn number_runs(&self) -> bool {
        self.w.narrows_unquoted()
    }

    #[inline]
    fn number_run(&mut self, run: &[u8]) -> SinkResult {
        self.w.number_run(run);
        Ok(())
    }

    #[inline(always)]
    fn field(&mut self, key: Token<'_>, value: Token<'_>, quoted: bool) -> SinkResult {
        // The hot path: a plain field in an object.
        if !self.kvp
            && let Some(top) = self.stack.last_mut()
            && top.kind == FrameKind::Object
            && top.expect == Expect::Key
        {
            top.note_key(key.bytes);
            if self.group_key(key.bytes, key.rest)? {
                self.w.scalar_in(value, quoted);
            } else {
                self.w.field_in(key, value, quoted);
            }
            return Ok(());
        }
        self.field_general(key, value, quoted)
    }

    #[inline]
    fn container_key(&mut self, key: Token<'_>) -> SinkResult {
        // The hot path: an object's key.
        if let Some(top) = self.stack.last_mut()
            && top.kind == FrameKind::Object
            && top.expect == Expect::Key
        {
            top.note_key(key.bytes);
            top.expect = Expect::OpOrValue;
            if self.kvp {
                top.field_suffix = KVP_PAIR;
                self.w.pair_key_in(key);
            } else {
                top.field_suffix = 0;
                if !self.group_key(key.bytes, key.rest)? {
                    self.w.key_in(key);
                }
            }
            return Ok(());
        }
        self.scalar(key.bytes, false, false)
    }

    fn header(&mut self, name: &[u8]) -> SinkResult {
        let suffix = self.begin_value()?;
        self.w.begin_object();
        self.w.key_scalar(name, false);
        self.header_suffix = Some(suffix | HEADER);
        Ok(())
    }

    fn parameter(&mut self, name: &[u8], defined: bool) -> SinkResult {
        let Some(top) = self.stack.last_mut() else {
            return Err(ErrorKind::Syntax("a parameter outside the document"));
        };
        match (top.kind, top.expect) {
            (FrameKind::Object, Expect::Key) => {
                top.expect = Expect::OpOrValue;
                if self.kvp {
                    top.field_suffix = KVP_PAIR;
                    self.w.begin_array();
                    self.w.parameter_value(name, defined);
                } else {
                    top.field_suffix = 0;
                    if !self.group_key(name, name)? {
                        self.w.key_parameter(name, defined);
                    }
                }
                Ok(())
            }
            // jomini writes a parameter token met as a list element as null.
            (FrameKind::List, _) if self.pend == Pend::None => {
                top.after_container = false;
                self.w.null();
                Ok(())
            }
            _ => Err(ErrorKind::Syntax("unexpected parameter block")),
        }
    }

    fn operator(&mut self, op: Operator, then_op: bool) -> SinkResult {
        let Some(top) = self.stack.last_mut() else {
            return Err(ErrorKind::Syntax("an operator outside the document"));
        };
        match top.kind {
            FrameKind::Object => {
                if top.expect != Expect::OpOrValue {
                    return Err(ErrorKind::Syntax("unexpected operator"));
                }
                top.expect = Expect::Value;
                let wrap = if op == Operator::Equal {
                    0
                } else {
                    self.w.begin_object();
                    self.w.key_str(op.name());
                    OPWRAP
                };
                if let Some(top) = self.stack.last_mut() {
                    top.field_suffix |= wrap;
                }
                Ok(())
            }
            FrameKind::List => {
                if top.after_container {
                    return Err(ErrorKind::Syntax(
                        "an operator must follow a scalar key, not a container",
                    ));
                }
                self.pend = match self.pend {
                    Pend::None if then_op => Pend::OpKey(op),
                    Pend::None => {
                        self.w.null();
                        Pend::None
                    }
                    Pend::Key => Pend::KeyOp(op),
                    Pend::OpKey(key) => Pend::OpKeyOp(key, op),
                    Pend::KeyOp(_) | Pend::OpKeyOp(_, _) => {
                        // `key = =`: the value is an operator, which jomini writes as null.
                        let suffix = self.begin_value()?;
                        self.w.null();
                        self.write_suffix(suffix)?;
                        Pend::None
                    }
                };
                Ok(())
            }
        }
    }

    fn mixed(&mut self) -> SinkResult {
        let kvp = self.kvp;
        let Some(top) = self.stack.last_mut() else {
            return Err(ErrorKind::Syntax("a value outside the document"));
        };
        if top.kind == FrameKind::List {
            return Ok(());
        }
        top.kind = FrameKind::List;
        top.remainder = true;
        top.after_container = false;
        let name = if top.saw_remainder_key {
            "__remainder"
        } else {
            "remainder"
        };
        // Group mode: the object's fields end here (its remainder is not grouped).
        self.group_close()?;
        if !kvp {
            self.w.key_str(name);
        }
        self.w.begin_array();
        Ok(())
    }
}

impl Renderer {
    /// [`Sink::close`] off its hot path, kept out of line so that the parser's loops carry
    /// only the hot path.
    #[inline(never)]
    fn close_general(&mut self) -> SinkResult {
        if self.stack.last().is_some_and(|f| f.kind == FrameKind::List) {
            self.flush_pend_at_close();
        }
        let Some(frame) = self.stack.pop() else {
            return Err(ErrorKind::Syntax("'}' closes nothing"));
        };
        match frame.kind {
            FrameKind::Object => {
                if self.kvp {
                    self.w.end_array();
                }
                self.group_close()?;
                self.w.end_object();
            }
            FrameKind::List => {
                self.w.end_array();
                if self.kvp || frame.remainder {
                    if self.kvp && frame.remainder {
                        self.w.end_array();
                    }
                    self.w.end_object();
                }
            }
        }
        self.write_suffix(frame.suffix)?;
        if let Some(parent) = self.stack.last_mut() {
            parent.after_container = parent.kind == FrameKind::List;
        }
        Ok(())
    }

    /// [`Sink::field`] off its hot path, kept out of line so that the parser's loop
    /// carries only the hot path. Key-value-pairs mode has its own fused path here.
    #[inline(never)]
    fn field_general(&mut self, key: Token<'_>, value: Token<'_>, quoted: bool) -> SinkResult {
        if self.kvp
            && let Some(top) = self.stack.last_mut()
            && top.kind == FrameKind::Object
            && top.expect == Expect::Key
        {
            top.note_key(key.bytes);
            top.field_suffix = KVP_PAIR;
            self.w.pair_in(key, value, quoted);
            return Ok(());
        }
        self.scalar(key.bytes, false, false)?;
        self.scalar(value.bytes, quoted, false)
    }
}
