//! Group mode: `{"core":["A","B"]}`, a key's values gathered at its first place.
//!
//! A streaming writer cannot do this naively: when it writes the first `core`, the second
//! has not been read yet. So group mode reads its input twice:
//!
//! 1. **Index**: a parse that records, for each object with a repeated key, where each of
//!    that key's later values starts (byte offset and operator; the first is written where
//!    it stands). Objects without repeated keys cost nothing; memory is the keys of the
//!    objects currently open plus, per repeated key, its bytes, 20-40 bytes and 16 bytes per
//!    later value.
//! 2. **Write**: a streaming write as in preserve mode, except that at a repeated key's
//!    first place it writes `[`, that value, then re-reads each later value from its
//!    offset, then `]`; the later places are parsed but not written.
//!
//! So memory is the input (kept for the re-reads) plus that index: far below a parsed
//! tape of the whole document (jomini's is about 4x the input).

use super::JsonOptions;
use super::render::Renderer;
use crate::error::{Error, ErrorKind};
use crate::text::{Limits, Operator, Parser, Sink, SinkResult};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where one of a repeated key's later values starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Occurrence {
    pub offset: u64,
    pub op: Option<Operator>,
    /// A `[[param] ...]` block: the value is the rest of the block.
    pub block: bool,
}

/// A key that appears more than once in one object. Its key bytes and later values live
/// in the [`Index`]'s flat arrays (no allocation per group: a save can have a repeated
/// key in most of its objects).
#[derive(Debug)]
pub(crate) struct Group {
    /// `Index::keys[key.0..key.1]`.
    key: (usize, usize),
    /// `Index::later[later.0..later.1]`: the values after the first, in document order.
    later: (usize, usize),
    /// Set once the first place has been written. An atomic rather than a `Cell` only so
    /// that the index is `Sync` and a transcoder can move between threads (an HTTP
    /// handler's future); it is never shared, so `Relaxed` is enough.
    written: AtomicBool,
}

/// The repeated keys of every object that has any: per object (sorted by its offset) a
/// run of `groups`.
#[derive(Debug, Default)]
pub(crate) struct Index {
    objects: Vec<(u64, usize, usize)>,
    groups: Vec<Group>,
    keys: Vec<u8>,
    later: Vec<Occurrence>,
}

/// The identity of the document's root object (it has no opening token).
pub(crate) const ROOT: u64 = u64::MAX;

impl Group {
    pub fn written(&self) -> bool {
        self.written.load(Ordering::Relaxed)
    }

    pub fn mark_written(&self) {
        self.written.store(true, Ordering::Relaxed);
    }
}

impl Index {
    /// The position in the index of the object at `offset`, if it has repeated keys.
    pub fn find(&self, offset: u64) -> Option<u32> {
        let i = self
            .objects
            .binary_search_by_key(&offset, |(o, _, _)| *o)
            .ok()?;
        u32::try_from(i).ok()
    }

    pub fn groups(&self, object: u32) -> &[Group] {
        self.objects
            .get(object as usize)
            .and_then(|&(_, start, end)| self.groups.get(start..end))
            .unwrap_or_default()
    }

    pub fn key(&self, group: &Group) -> &[u8] {
        self.keys.get(group.key.0..group.key.1).unwrap_or_default()
    }

    /// Where the values after the first start, in document order.
    pub fn later(&self, group: &Group) -> &[Occurrence] {
        let (start, end) = group.later;
        self.later.get(start..end).unwrap_or_default()
    }
}

/// One field's key and where its later values are, while its object is open.
#[derive(Debug)]
struct Entry<'a> {
    key: Cow<'a, [u8]>,
    more: Vec<Occurrence>,
}

/// Objects with at most this many distinct keys find a key by scanning `entries`; larger
/// ones switch to a hash map (most objects in saves are small, and a scan of a few short
/// keys is cheaper than hashing).
const SCAN: usize = 12;

#[derive(Debug, Default)]
struct IndexFrame<'a> {
    object: bool,
    offset: u64,
    /// Keys and their place in `entries`, once there are more than [`SCAN`] of them.
    keys: FxHashMap<Cow<'a, [u8]>, usize>,
    entries: Vec<Entry<'a>>,
    key: Option<Cow<'a, [u8]>>,
    /// The next scalar is a key (not a value).
    expect_key: bool,
    remainder: bool,
}

/// The first read: finds repeated keys. Keys borrow from the input (no copy per key) and
/// frames are reused, so the cost is a hash insert per field.
#[derive(Debug)]
struct Indexer<'a> {
    input: &'a [u8],
    stack: Vec<IndexFrame<'a>>,
    pool: Vec<IndexFrame<'a>>,
    index: Index,
}

impl<'a> Indexer<'a> {
    /// `bytes` as a slice of the input when it is one (always, but for a token the parser
    /// had to copy across a chunk boundary).
    fn borrow(&self, bytes: &[u8]) -> Cow<'a, [u8]> {
        let start = (bytes.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        match self.input.get(start..start.wrapping_add(bytes.len())) {
            Some(slice) if slice.as_ptr() == bytes.as_ptr() => Cow::Borrowed(slice),
            _ => Cow::Owned(bytes.to_vec()),
        }
    }

    fn open(&mut self, object: bool, offset: u64) {
        let mut frame = self.pool.pop().unwrap_or_default();
        frame.object = object;
        frame.offset = offset;
        frame.expect_key = true;
        frame.remainder = false;
        self.stack.push(frame);
    }

    /// A scalar or parameter: a key when one is expected, else a value that ends a field.
    fn token(&mut self, bytes: &[u8]) {
        let key = match self.stack.last() {
            Some(top) if top.object && !top.remainder && top.expect_key => Some(self.borrow(bytes)),
            _ => None,
        };
        if let Some(top) = self.stack.last_mut()
            && top.object
            && !top.remainder
        {
            top.expect_key = !top.expect_key;
            if key.is_some() {
                top.key = key;
            }
        }
    }

    fn close_frame(&mut self) {
        let Some(mut frame) = self.stack.pop() else {
            return;
        };
        if let Some(parent) = self.stack.last_mut() {
            parent.expect_key = true;
        }
        if frame.object {
            let index = &mut self.index;
            let start = index.groups.len();
            for e in frame.entries.iter().filter(|e| !e.more.is_empty()) {
                let key = index.keys.len();
                index.keys.extend_from_slice(&e.key);
                let first = index.later.len();
                index.later.extend_from_slice(&e.more);
                index.groups.push(Group {
                    key: (key, index.keys.len()),
                    later: (first, index.later.len()),
                    written: AtomicBool::new(false),
                });
            }
            if index.groups.len() > start {
                index
                    .objects
                    .push((frame.offset, start, index.groups.len()));
            }
        }
        // Clearing a map costs its capacity even when empty (a frame reused after a big
        // object would pay that on every small one).
        if !frame.keys.is_empty() {
            frame.keys.clear();
        }
        frame.entries.clear();
        frame.key = None;
        self.pool.push(frame);
    }
}

impl Sink for Indexer<'_> {
    fn open_object(&mut self, offset: u64) -> SinkResult {
        self.open(true, offset);
        Ok(())
    }

    fn open_array(&mut self, offset: u64) -> SinkResult {
        self.open(false, offset);
        Ok(())
    }

    fn close(&mut self) -> SinkResult {
        self.close_frame();
        Ok(())
    }

    fn scalar(&mut self, bytes: &[u8], _quoted: bool, _then_op: bool) -> SinkResult {
        self.token(bytes);
        Ok(())
    }

    fn header(&mut self, _name: &[u8]) -> SinkResult {
        Ok(())
    }

    fn parameter(&mut self, name: &[u8], _defined: bool) -> SinkResult {
        self.token(name);
        Ok(())
    }

    fn operator(&mut self, _op: Operator, _then_op: bool) -> SinkResult {
        Ok(())
    }

    fn mixed(&mut self) -> SinkResult {
        if let Some(top) = self.stack.last_mut() {
            top.remainder = true;
            top.key = None;
        }
        Ok(())
    }

    fn value_start(&mut self, offset: u64, op: Option<Operator>, block: bool) {
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        let Some(key) = top.key.take() else {
            return;
        };
        top.record(key, Occurrence { offset, op, block });
    }

    #[inline]
    fn field(
        &mut self,
        key: &[u8],
        _key_rest: &[u8],
        offset: u64,
        value: &[u8],
        _value_rest: &[u8],
        _quoted: bool,
    ) -> SinkResult {
        let key = match self.stack.last() {
            Some(top) if top.object && !top.remainder && top.expect_key => self.borrow(key),
            // Not where a key is expected: the generic path keeps the state right.
            _ => {
                self.token(key);
                self.value_start(offset, None, false);
                self.token(value);
                return Ok(());
            }
        };
        if let Some(top) = self.stack.last_mut() {
            top.record(
                key,
                Occurrence {
                    offset,
                    op: None,
                    block: false,
                },
            );
        }
        Ok(())
    }
}

impl<'a> IndexFrame<'a> {
    /// One more value of `key` in this object.
    #[inline]
    fn record(&mut self, key: Cow<'a, [u8]>, occurrence: Occurrence) {
        let found = if self.entries.len() <= SCAN {
            self.entries.iter().position(|e| *e.key == *key)
        } else {
            if self.keys.is_empty() {
                self.keys.reserve(self.entries.len() * 2);
                for (i, e) in self.entries.iter().enumerate() {
                    self.keys.insert(e.key.clone(), i);
                }
            }
            self.keys.get(&key).copied()
        };
        match found.and_then(|i| self.entries.get_mut(i)) {
            Some(entry) => entry.more.push(occurrence),
            None => {
                if self.entries.len() > SCAN {
                    self.keys.insert(key.clone(), self.entries.len());
                }
                self.entries.push(Entry {
                    key,
                    more: Vec::new(),
                });
            }
        }
    }
}

/// Find the repeated keys of `input` (the document after any BOM/header, which starts
/// at absolute offset `base`).
pub(crate) fn index(input: &[u8], base: u64, limits: Limits) -> Result<Index, Error> {
    let mut indexer = Indexer {
        input,
        stack: Vec::new(),
        pool: Vec::new(),
        index: Index::default(),
    };
    indexer.open(true, ROOT);
    let mut parser = Parser::new(limits).starting_at(base);
    parser.feed(input, &mut indexer)?;
    parser.finish(&mut indexer)?;
    while !indexer.stack.is_empty() {
        indexer.close_frame();
    }
    indexer
        .index
        .objects
        .sort_unstable_by_key(|(offset, _, _)| *offset);
    Ok(indexer.index)
}

/// Write `input` as group-mode JSON, handing output to `emit` in chunks.
pub(crate) fn render<F: FnMut(&[u8])>(
    input: &[u8],
    base: u64,
    options: &JsonOptions,
    limits: Limits,
    emit: &mut F,
) -> Result<(), Error> {
    let index = index(input, base, limits)?;
    let mut renderer = Renderer::new(options);
    renderer.enable_groups(input, base, &index, limits);
    renderer.begin_document();
    let mut parser = Parser::new(limits).starting_at(base);
    // Feed in slices so output can be handed on as it is produced.
    const SLICE: usize = 1 << 20;
    let mut out = Vec::new();
    for chunk in input.chunks(SLICE) {
        parser.feed(chunk, &mut renderer)?;
        renderer.take_group_error()?;
        renderer.writer().drain_into(&mut out);
        emit(&out);
        out.clear();
    }
    parser.finish(&mut renderer)?;
    renderer.take_group_error()?;
    let end = base + input.len() as u64;
    renderer.end_document().map_err(|k| {
        Error::new(
            k,
            crate::Position {
                offset: end,
                ..Default::default()
            },
        )
    })?;
    renderer.writer().drain_into(&mut out);
    emit(&out);
    Ok(())
}

/// The deepest nesting of re-reads (a repeated key inside a re-read value inside ...).
/// Each level uses native stack, so it is bounded; real saves nest a handful deep.
pub(crate) const MAX_GROUP_NESTING: usize = 128;

pub(crate) fn too_deep() -> ErrorKind {
    ErrorKind::TooDeep {
        limit: MAX_GROUP_NESTING,
    }
}
