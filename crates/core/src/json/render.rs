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
use super::group::{self, Index};
use super::writer::JsonWriter;
use crate::error::{Error, ErrorKind};
use crate::text::{Limits, Operator, Parser, Sink, SinkResult, Token};

/// Closers owed when a value ends, innermost first.
const HEADER: u8 = 1;
const OPWRAP: u8 = 2;
const KVP_PAIR: u8 = 4;
const SINGLE: u8 = 8;
/// Group mode: after a repeated key's first value, write its later values and `]`.
const GROUP: u8 = 16;

/// No entry in the group index.
const NO_GROUPS: u32 = u32::MAX;

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
    /// Group mode: this object's entry in the index, and the group being written.
    groups: u32,
    group: u32,
    /// Where the value of the next repeated key's first place starts: a field whose
    /// value starts before it is not a repeated key (`u64::MAX` for an object without
    /// any, 0 where that is not known and every key is looked up).
    next_head: u64,
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
            groups: NO_GROUPS,
            group: 0,
            next_head: u64::MAX,
        }
    }
}

/// What group mode needs while writing: the input (for re-reads) and the index.
#[derive(Debug)]
struct GroupContext<'a> {
    input: &'a [u8],
    base: u64,
    index: &'a Index,
    limits: Limits,
    nesting: usize,
    error: Option<Error>,
    /// Inside a repeated key's later place: events are read but not written until the
    /// value ends (`depth` counts its open containers).
    skipping: bool,
    skip_depth: usize,
    /// Every later place is jumped over, so that outside re-reads only first places
    /// reach the renderer ([`Frame::next_head`] is then known).
    all_jumped: bool,
    /// No object opening strictly between these offsets has repeated keys (where the
    /// last lookup in the index left off).
    gap: (u64, u64),
    /// A later place is re-read as a field of its own: its key, the next scalar, is not
    /// written (the first place wrote it).
    drop_key: bool,
}

/// Writes JSON as tokens arrive: preserve and key-value-pairs modes, and the writing pass
/// of group mode.
#[derive(Debug)]
pub struct Renderer<'a> {
    w: JsonWriter,
    kvp: bool,
    stack: Vec<Frame>,
    pend: Pend,
    pend_key: Vec<u8>,
    pend_quoted: bool,
    /// Closers owed by a header, applied to the container that follows it.
    header_suffix: Option<u8>,
    groups: Option<GroupContext<'a>>,
}

impl GroupContext<'_> {
    /// [`Frame::next_head`] of an object opening with index entry `groups`.
    #[inline]
    fn first_head(&self, groups: u32) -> u64 {
        if groups == NO_GROUPS {
            return u64::MAX;
        }
        if !self.all_jumped || self.nesting != 0 {
            // Inside a re-read, later places are read, not jumped over.
            return 0;
        }
        self.index
            .groups(groups)
            .first()
            .map_or(0, group::Group::first)
    }

    /// The index entry of the object opening at `offset` ([`NO_GROUPS`] for none).
    #[inline]
    fn groups_of(&mut self, offset: u64) -> u32 {
        if self.gap.0 < offset && offset < self.gap.1 {
            return NO_GROUPS;
        }
        self.look_up(offset)
    }

    #[inline(never)]
    fn look_up(&mut self, offset: u64) -> u32 {
        let (found, gap) = self.index.find_with_gap(offset);
        self.gap = gap;
        found.unwrap_or(NO_GROUPS)
    }
}

impl<'a> Renderer<'a> {
    /// A renderer for `options` (group mode writes as preserve until
    /// `enable_groups`).
    pub fn new(options: &JsonOptions) -> Self {
        Renderer {
            w: JsonWriter::new(options.pretty, options.encoding, options.narrow),
            kvp: options.mode == DuplicateKeyMode::KeyValuePairs,
            stack: Vec::new(),
            pend: Pend::None,
            pend_key: Vec::new(),
            pend_quoted: false,
            header_suffix: None,
            groups: None,
        }
    }

    /// Group mode's writing pass: `index` says which keys repeat; `input` (starting at
    /// absolute offset `base`) is re-read for their later values.
    pub(crate) fn enable_groups(
        &mut self,
        input: &'a [u8],
        base: u64,
        index: &'a Index,
        limits: Limits,
        jumping: bool,
    ) {
        self.groups = Some(GroupContext {
            input,
            base,
            index,
            limits,
            nesting: 0,
            error: None,
            skipping: false,
            skip_depth: 0,
            drop_key: false,
            gap: (0, 0),
            all_jumped: jumping && index.all_delimited(),
        });
    }

    /// The write pass could not jump over a later place: it reaches the renderer, which
    /// must look up every key of an object with repeated keys from now on.
    pub(crate) fn jump_failed(&mut self) {
        if let Some(g) = self.groups.as_mut() {
            g.all_jumped = false;
        }
        for frame in &mut self.stack {
            if frame.groups != NO_GROUPS {
                frame.next_head = 0;
            }
        }
    }

    /// An error met while re-reading a repeated key's value.
    pub(crate) fn take_group_error(&mut self) -> Result<(), Error> {
        match self.groups.as_mut().and_then(|g| g.error.take()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// In group mode, while skipping a repeated key's later place: account for one event.
    /// Returns true when the event is swallowed.
    #[inline]
    fn skipped(&mut self, opens: bool, closes: bool, ends_scalar: bool) -> bool {
        let Some(g) = self.groups.as_mut() else {
            return false;
        };
        if !g.skipping {
            return false;
        }
        if opens {
            g.skip_depth += 1;
        } else if closes {
            g.skip_depth = g.skip_depth.saturating_sub(1);
            if g.skip_depth == 0 {
                g.skipping = false;
            }
        } else if ends_scalar && g.skip_depth == 0 {
            g.skipping = false;
        }
        true
    }

    /// Group mode, at an object key: is it a repeated key? Writes the first place's
    /// opening (`"key":[`) or starts skipping a later place. Returns true when handled.
    fn group_key(&mut self, key: &[u8]) -> bool {
        let Some(g) = self.groups.as_mut() else {
            return false;
        };
        let Some(top) = self.stack.last_mut() else {
            return false;
        };
        if top.groups == NO_GROUPS {
            return false;
        }
        let groups = g.index.groups(top.groups);
        let Some(i) = groups.iter().position(|grp| g.index.key(grp) == key) else {
            top.group = u32::MAX;
            return false;
        };
        let Some(grp) = groups.get(i) else {
            return false;
        };
        if grp.written() {
            g.skipping = true;
            g.skip_depth = 0;
            return true;
        }
        grp.mark_written();
        top.group = i as u32;
        if top.next_head != 0 {
            top.next_head = groups.get(i + 1).map_or(u64::MAX, group::Group::first);
        }
        false
    }

    /// After a repeated key's first value: re-read and write its later values, then `]`.
    fn write_group_rest(&mut self) -> SinkResult {
        let Some(g) = self.groups.as_ref() else {
            return Ok(());
        };
        let (input, base, index, limits) = (g.input, g.base, g.index, g.limits);
        if g.nesting >= group::MAX_GROUP_NESTING {
            return Err(group::too_deep());
        }
        let Some(top) = self.stack.last() else {
            return Ok(());
        };
        let occurrences = index
            .groups(top.groups)
            .get(top.group as usize)
            .map_or(&[][..], |grp| index.later(grp));
        // While re-reading, the object's keys are looked up (a re-read place's key must
        // reach `scalar` to be dropped).
        let next_head = top.next_head;
        for occurrence in occurrences {
            if let Some(top) = self.stack.last_mut() {
                top.expect = Expect::Value;
                top.field_suffix = 0;
                top.next_head = 0;
            }
            if let Some(op) = occurrence.op.filter(|op| *op != Operator::Equal) {
                self.w.begin_object();
                self.w.key_str(op.name());
                if let Some(top) = self.stack.last_mut() {
                    top.field_suffix = OPWRAP;
                }
            }
            if let Some((from, to)) = index.place(occurrence, base) {
                // The place alone, key and all, read as a document: the parser's fast
                // paths apply (a single-value parser takes none), and it reads nothing
                // past the place.
                if let Some(g) = self.groups.as_mut() {
                    g.nesting += 1;
                    g.drop_key = true;
                }
                let mut parser = Parser::new(limits).starting_at(base + from as u64);
                let slice = input.get(from..to).unwrap_or_default();
                let result = parser.feed(slice, self).and_then(|()| parser.finish(self));
                if let Some(g) = self.groups.as_mut() {
                    g.nesting -= 1;
                    g.drop_key = false;
                    if let Err(e) = result {
                        let kind = e.kind().clone();
                        g.error.get_or_insert(e);
                        return Err(kind);
                    }
                }
                continue;
            }
            let start = occurrence.offset.saturating_sub(base) as usize;
            let slice = input.get(start..).unwrap_or(&[]);
            if occurrence.block {
                self.open(true, occurrence.offset)?;
            }
            if let Some(g) = self.groups.as_mut() {
                g.nesting += 1;
            }
            // Only the document's root object is on the stack: a root key's value.
            let at_root = self.stack.len() == 1;
            let mut parser =
                Parser::for_value(limits, occurrence.offset, occurrence.block, at_root);
            let result = parser.parse_value(slice, self);
            if let Some(g) = self.groups.as_mut() {
                g.nesting -= 1;
                if let Err(e) = result {
                    let kind = e.kind().clone();
                    g.error.get_or_insert(e);
                    return Err(kind);
                }
            }
        }
        if let Some(top) = self.stack.last_mut() {
            top.next_head = next_head;
        }
        self.w.end_array();
        Ok(())
    }

    pub fn writer(&mut self) -> &mut JsonWriter {
        &mut self.w
    }

    /// Open the document's root object.
    pub fn begin_document(&mut self) {
        self.begin_object_json();
        let mut root = Frame::new(FrameKind::Object, 0);
        if let Some(g) = self.groups.as_ref() {
            root.groups = g.index.find(group::ROOT).unwrap_or(NO_GROUPS);
            root.next_head = g.first_head(root.groups);
        }
        self.stack.push(root);
    }

    /// Close the root object (the parser has closed everything else).
    pub fn end_document(&mut self) -> SinkResult {
        self.close()
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
        if suffix & GROUP != 0 {
            self.write_group_rest()?;
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

    /// The frame of an object opening at `offset`; in group mode it carries the object's
    /// index entry and where its first repeated key's first value starts.
    #[inline]
    fn object_frame(&mut self, suffix: u8, offset: u64) -> Frame {
        let mut frame = Frame::new(FrameKind::Object, suffix);
        if let Some(g) = self.groups.as_mut() {
            frame.groups = g.groups_of(offset);
            frame.next_head = g.first_head(frame.groups);
        }
        frame
    }

    #[inline]
    fn open(&mut self, object: bool, offset: u64) -> SinkResult {
        // The hot path: an object field's value or a list element, outside key-value-pairs
        // mode and group mode's skipped places, after no header.
        if self.groups.as_ref().is_none_or(|g| !g.skipping)
            && !self.kvp
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
                _ => return self.open_general(object, offset),
            };
            if object {
                self.w.begin_object();
                let frame = self.object_frame(suffix, offset);
                self.stack.push(frame);
            } else {
                self.w.begin_array();
                self.stack.push(Frame::new(FrameKind::List, suffix));
            }
            return Ok(());
        }
        self.open_general(object, offset)
    }

    fn open_general(&mut self, object: bool, offset: u64) -> SinkResult {
        if self.skipped(true, false, false) {
            return Ok(());
        }
        let suffix = match self.header_suffix.take() {
            Some(header) => header,
            None => self.begin_value()?,
        };
        if object {
            self.begin_object_json();
            let frame = self.object_frame(suffix, offset);
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

impl Sink for Renderer<'_> {
    #[inline]
    fn open_object(&mut self, offset: u64) -> SinkResult {
        self.open(true, offset)
    }

    #[inline]
    fn open_array(&mut self, offset: u64) -> SinkResult {
        self.open(false, offset)
    }

    #[inline]
    fn close(&mut self) -> SinkResult {
        // The hot path: a container that owes no closers, outside key-value-pairs mode and
        // group mode's skipped places, with no list element pending.
        if self.groups.as_ref().is_none_or(|g| !g.skipping)
            && !self.kvp
            && self.pend == Pend::None
            && let [.., parent, top] = self.stack.as_mut_slice()
            && top.suffix == 0
            && !top.remainder
        {
            let kind = top.kind;
            parent.after_container = parent.kind == FrameKind::List;
            self.stack.pop();
            match kind {
                FrameKind::Object => self.w.end_object(),
                FrameKind::List => self.w.end_array(),
            }
            return Ok(());
        }
        self.close_general()
    }

    #[inline]
    fn scalar(&mut self, bytes: &[u8], quoted: bool, then_op: bool) -> SinkResult {
        if let Some(g) = self.groups.as_mut() {
            if g.drop_key {
                g.drop_key = false;
                return Ok(());
            }
            if self.skipped(false, false, true) {
                return Ok(());
            }
            let is_key = self
                .stack
                .last()
                .is_some_and(|f| f.kind == FrameKind::Object && f.expect == Expect::Key);
            if is_key && self.group_key(bytes) {
                return Ok(());
            }
        }
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
                    self.w.key_scalar(bytes, quoted);
                    self.begin_group_if_head();
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
        // The hot path: a plain list element with nothing pending, outside a skipped place.
        if self.groups.as_ref().is_none_or(|g| !g.skipping)
            && self.pend == Pend::None
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
            && self.groups.as_ref().is_none_or(|g| !g.skipping)
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
    fn field(&mut self, key: Token<'_>, offset: u64, value: Token<'_>, quoted: bool) -> SinkResult {
        // The hot path: a plain field in an object without repeated keys (group mode), outside
        // a skipped place.
        if !self.kvp
            && let Some(top) = self.stack.last_mut()
            && top.kind == FrameKind::Object
            && top.expect == Expect::Key
            && self
                .groups
                .as_ref()
                .is_none_or(|g| !g.skipping && offset < top.next_head)
        {
            top.note_key(key.bytes);
            self.w.field_in(key, value, quoted);
            return Ok(());
        }
        self.field_general(key, offset, value, quoted)
    }

    #[inline]
    fn container_key(&mut self, key: Token<'_>, value_offset: u64) -> SinkResult {
        // The hot path: an object's key, in an object without repeated keys (group mode),
        // outside a skipped place.
        if let Some(top) = self.stack.last_mut()
            && top.kind == FrameKind::Object
            && top.expect == Expect::Key
            && self
                .groups
                .as_ref()
                .is_none_or(|g| !g.skipping && value_offset < top.next_head)
        {
            top.note_key(key.bytes);
            top.expect = Expect::OpOrValue;
            if self.kvp {
                top.field_suffix = KVP_PAIR;
                self.w.pair_key_in(key);
            } else {
                top.field_suffix = 0;
                self.w.key_in(key);
            }
            return Ok(());
        }
        self.scalar(key.bytes, false, false)?;
        self.value_start(value_offset, None, false);
        Ok(())
    }

    fn header(&mut self, name: &[u8]) -> SinkResult {
        if self.skipped(false, false, false) {
            return Ok(());
        }
        let suffix = self.begin_value()?;
        self.w.begin_object();
        self.w.key_scalar(name, false);
        self.header_suffix = Some(suffix | HEADER);
        Ok(())
    }

    fn parameter(&mut self, name: &[u8], defined: bool) -> SinkResult {
        if self.groups.is_some() {
            if self.skipped(false, false, false) {
                return Ok(());
            }
            let is_key = self
                .stack
                .last()
                .is_some_and(|f| f.kind == FrameKind::Object && f.expect == Expect::Key);
            if is_key && self.group_key(name) {
                return Ok(());
            }
        }
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
                    self.w.key_parameter(name, defined);
                    self.begin_group_if_head();
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
        if self.skipped(false, false, false) {
            return Ok(());
        }
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
        if self.skipped(false, false, false) {
            return Ok(());
        }
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
        if !kvp {
            self.w.key_str(name);
        }
        self.w.begin_array();
        Ok(())
    }
}

impl Renderer<'_> {
    /// [`Sink::close`] off its hot path, kept out of line so that the parser's loops carry
    /// only the hot path.
    #[inline(never)]
    fn close_general(&mut self) -> SinkResult {
        if self.skipped(false, true, false) {
            return Ok(());
        }
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
    fn field_general(
        &mut self,
        key: Token<'_>,
        offset: u64,
        value: Token<'_>,
        quoted: bool,
    ) -> SinkResult {
        if self.groups.is_none()
            && self.kvp
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
        self.value_start(offset, None, false);
        self.scalar(value.bytes, quoted, false)
    }

    /// Group mode: if the key just written is a repeated key's first place, open its
    /// array; the later values and `]` follow the first value (the `GROUP` closer).
    fn begin_group_if_head(&mut self) {
        let Some(g) = self.groups.as_ref() else {
            return;
        };
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        if top.groups == NO_GROUPS {
            return;
        }
        let head = g
            .index
            .groups(top.groups)
            .get(top.group as usize)
            .is_some_and(|grp| grp.written());
        if head && top.group != u32::MAX {
            top.field_suffix = GROUP;
            self.w.begin_array();
        }
    }
}
