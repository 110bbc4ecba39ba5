//! Group mode: `{"core":["A","B"]}`, a key's values gathered at its first place.
//!
//! A streaming writer cannot do this naively: when it writes the first `core`, the second
//! has not been read yet. So group mode reads its input twice:
//!
//! 1. **Index**: a skim (`text::skim`; a parse for a document the skim declines)
//!    that records, for each object with a repeated key, where each of
//!    that key's later values starts (byte offset and operator; the first is written where
//!    it stands), and each later place's extent: from its key to the next item of its
//!    object. Objects without repeated keys leave nothing in the index; memory is the
//!    keys of the objects currently open (input ranges with a fingerprint) plus, per
//!    repeated key, its bytes, 32-48 bytes and 16 + 16 bytes per later value (8 + 16 in
//!    32-bit Wasm).
//! 2. **Write**: a streaming write as in preserve mode, except that at a repeated key's
//!    first place it writes `[`, that value, then re-reads each later value from its
//!    offset, then `]`. The parser jumps over the later places without reading them
//!    (`Parser::skip_input`); one whose extent the index could not pin down (rare:
//!    a `{}` the parser drops after it, a parameter block) is parsed and not written.
//!
//! So memory is the input (kept for the re-reads) plus that index: far below a parsed
//! tape of the whole document (jomini's is about 4x the input).

use super::JsonOptions;
use super::render::Renderer;
use crate::error::{Error, ErrorKind};
use crate::text::skim::{Skim, blank, skim};
use crate::text::{Limits, Operator, Parser, Sink, SinkResult, Token, tail};
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Where one of a repeated key's later values starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub offset: u64,
    pub op: Option<Operator>,
    /// A `[[param] ...]` block: the value is the rest of the block.
    pub block: bool,
    /// Its place's entry in [`Index::jumps`] ([`NONE`] for none): when that is
    /// delimited, the write pass re-reads the place as a field of its own, with the
    /// parser's fast paths (see [`Index::place`]).
    jump: u32,
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
    /// Where the first value starts (an object's groups come in this order).
    first: u64,
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
    /// The later places the write pass may jump over, in document order.
    jumps: Vec<Jump>,
    /// Where [`find`](Index::find) left off (atomic for the reason `Group::written` is).
    hint: AtomicUsize,
    all_delimited: bool,
}

/// A later place as a byte range of the (held) input: from its key's first byte to where
/// the next item of its object starts (the next key or the closing `}`). Deleting that
/// range from the input deletes exactly that field's tokens, so the write pass can skip
/// it without parsing it. `to == 0` while (or when) that could not be established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Jump {
    from: usize,
    to: usize,
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

    /// Where the first value starts (the offset the write pass's parser gives it).
    pub fn first(&self) -> u64 {
        self.first
    }
}

impl Index {
    /// The finished index: objects are recorded as they close (inner ones first), and
    /// [`find`](Index::find) wants them by offset.
    fn sorted(mut self) -> Index {
        self.objects.sort_unstable_by_key(|(offset, _, _)| *offset);
        let jumps = &self.jumps;
        self.all_delimited = self
            .later
            .iter()
            .all(|o| jumps.get(o.jump as usize).is_some_and(|j| j.to != 0));
        self
    }

    /// Is every later place delimited (so that, jumped over, none reaches the write
    /// pass's renderer outside a re-read)?
    pub fn all_delimited(&self) -> bool {
        self.all_delimited
    }

    /// The position in the index of the object at `offset`, if it has repeated keys.
    /// The write pass asks for every object it opens, mostly in document order: the
    /// answer then lies at the place the last one left off, else a binary search finds it.
    pub fn find(&self, offset: u64) -> Option<u32> {
        let objects = &self.objects;
        let hint = self.hint.load(Ordering::Relaxed);
        let after_previous = hint
            .checked_sub(1)
            .is_none_or(|p| objects.get(p).is_some_and(|o| o.0 < offset));
        let at_or_before_hint = objects.get(hint).is_none_or(|o| o.0 >= offset);
        let i = if after_previous && at_or_before_hint {
            hint
        } else {
            objects.partition_point(|(o, _, _)| *o < offset)
        };
        let found = objects.get(i).is_some_and(|o| o.0 == offset);
        self.hint
            .store(if found { i + 1 } else { i }, Ordering::Relaxed);
        if found { u32::try_from(i).ok() } else { None }
    }

    /// [`find`](Index::find), and the offsets of the objects with repeated keys either
    /// side of `offset` (0 and `u64::MAX` for none): no object strictly between them has
    /// any, so the write pass looks up only objects outside that gap.
    pub fn find_with_gap(&self, offset: u64) -> (Option<u32>, (u64, u64)) {
        let found = self.find(offset);
        let hint = self.hint.load(Ordering::Relaxed);
        let before = hint
            .checked_sub(1)
            .and_then(|i| self.objects.get(i))
            .map_or(0, |o| o.0);
        let after = self.objects.get(hint).map_or(u64::MAX, |o| o.0);
        (found, (before, after))
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

    /// A later place with a plain `key = value` (or `key {`) as input range, from its
    /// key to the next item of its object, when the index delimited it: parsing that
    /// range alone as a document gives the key and then exactly the events of the value.
    #[inline]
    pub fn place(&self, occurrence: &Occurrence, base: u64) -> Option<(usize, usize)> {
        if occurrence.op.is_some() || occurrence.block {
            return None;
        }
        let jump = self.jumps.get(occurrence.jump as usize)?;
        let value = usize::try_from(occurrence.offset.checked_sub(base)?).ok()?;
        (jump.to != 0 && jump.from < value && value < jump.to).then_some((jump.from, jump.to))
    }
}

/// A key of an object being indexed: a range of the input, or of [`Indexer::spill`] for
/// a token the parser copied (one that met the end of the input), plus its fingerprint.
/// `Copy`, so that a frame's keys are dropped for free when it closes.
#[derive(Debug, Clone, Copy)]
struct Key {
    fp: u64,
    start: usize,
    len: usize,
    spilled: bool,
}

/// One distinct key of an open object.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: Key,
    /// The previous entry with the same fingerprint ([`NONE`] for none), once the object
    /// uses its map.
    next: u32,
    /// Where its first value starts.
    first: u64,
}

const NONE: u32 = u32::MAX;

/// Objects with at most this many distinct keys find a key by scanning their entries'
/// fingerprints; larger ones switch to a map from fingerprint to entry.
const SCAN: usize = 32;

/// A key's fingerprint: a mix of its length and its first and last 8 bytes. `rest` is the
/// input from the key's first byte on, when there is one (so that a short key is read in
/// one 8-byte load). Equal keys have equal fingerprints; equal fingerprints are checked
/// byte by byte.
#[inline]
fn fingerprint(key: &[u8], rest: &[u8]) -> u64 {
    let n = key.len();
    let word = |s: Option<&[u8]>| s.and_then(|s| s.try_into().ok()).map(u64::from_le_bytes);
    let (head, last) = if n >= 8 {
        let head = word(key.get(..8)).unwrap_or(0);
        (head, word(key.get(n - 8..)).unwrap_or(0))
    } else {
        let head = match word(rest.get(..8)) {
            // `rest` starts where `key` does, so it starts with `key`.
            Some(w) if rest.as_ptr() == key.as_ptr() => w & ((1u64 << (8 * n)) - 1),
            _ => key
                .iter()
                .rev()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
        };
        (head, 0)
    };
    let x = (head ^ last.rotate_left(23))
        .wrapping_add(n as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 31)
}

/// Where a frame is in establishing the [`Jump`] of its latest later place.
#[derive(Debug, Default, Clone, Copy)]
enum JumpState {
    #[default]
    None,
    /// `jumps[i]`'s value is being read.
    Value(usize),
    /// `jumps[i]`'s value ended at this input index; the next item of the object says
    /// where the jump lands.
    Ended(usize, usize),
}

#[derive(Debug, Default)]
struct IndexFrame {
    object: bool,
    offset: u64,
    /// One bit per key fingerprint seen (of 256, by its top 8 bits): a key whose bit is
    /// clear is new without a look at the others, which is most keys of most objects
    /// (a save's larger objects have 50-100 keys, which fill 64 bits).
    bloom: [u64; 4],
    /// The last entry of each fingerprint, once there are more than [`SCAN`] entries.
    map: FxHashMap<u64, u32>,
    entries: Vec<Entry>,
    /// The later values of repeated keys, by entry, in document order.
    later: Vec<(u32, Occurrence)>,
    key: Option<Key>,
    /// The next scalar is a key (not a value).
    expect_key: bool,
    remainder: bool,
    /// Where the current key starts in the input, quote included (`usize::MAX`: not
    /// known, or a parameter key).
    key_start: usize,
    jump: JumpState,
}

/// The first read: finds repeated keys. Keys are ranges of the input (no copy per key),
/// frames are reused, and a key is compared with others only when its fingerprint's bloom
/// bit says it may repeat.
#[derive(Debug)]
struct Indexer<'a> {
    input: &'a [u8],
    /// The bytes of keys that are not a slice of the input.
    spill: Vec<u8>,
    /// The absolute offset of `input`'s first byte.
    base: u64,
    /// Where the last token seen ends (an input index; `usize::MAX` when it was a copied
    /// token, whose place is unknown) and the nesting depth it was at.
    last: usize,
    last_depth: usize,
    /// How many frames are reading a later place's value (`JumpState::Value`): only
    /// then is `last` kept up to date.
    reading: usize,
    /// The open containers are `frames[..depth]`; frames stay in place when they close,
    /// to be reused (moving a frame in and out of a stack costs two copies per container).
    frames: Vec<IndexFrame>,
    depth: usize,
    index: Index,
}

impl<'a> Indexer<'a> {
    /// Key `bytes`, which start at input index `start` (`usize::MAX`: not a slice of the
    /// input, as a token the parser copied is not), and `rest`, the input from there on.
    #[inline]
    fn key(&mut self, bytes: &[u8], start: usize, rest: &[u8]) -> Key {
        let fp = fingerprint(bytes, rest);
        if start != usize::MAX {
            return Key {
                fp,
                start,
                len: bytes.len(),
                spilled: false,
            };
        }
        let start = self.spill.len();
        self.spill.extend_from_slice(bytes);
        Key {
            fp,
            start,
            len: bytes.len(),
            spilled: true,
        }
    }

    /// Where token `bytes` starts in the input (`usize::MAX` when it is not a slice of
    /// it). Tokens are slices of the input but for one the parser copied across a chunk
    /// boundary, which lies in another allocation.
    #[inline]
    fn start_of(&self, bytes: &[u8]) -> usize {
        let start = (bytes.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        if start <= self.input.len() && bytes.len() <= self.input.len() - start {
            start
        } else {
            usize::MAX
        }
    }

    /// Where token `bytes` (and its closing quote) ends in the input (`usize::MAX` when
    /// it is not a slice of it).
    #[inline]
    fn end_of(&self, bytes: &[u8], quoted: bool) -> usize {
        let start = self.start_of(bytes);
        let end = start.wrapping_add(bytes.len() + usize::from(quoted));
        if start != usize::MAX && end <= self.input.len() {
            end
        } else {
            usize::MAX
        }
    }

    /// Note a token that ends the input after `bytes` (and its closing quote).
    #[inline]
    fn saw(&mut self, bytes: &[u8], quoted: bool) {
        if self.reading == 0 {
            return;
        }
        self.last = self.end_of(bytes, quoted);
        self.last_depth = self.depth;
    }

    #[inline]
    fn top(&self) -> Option<&IndexFrame> {
        self.depth.checked_sub(1).and_then(|d| self.frames.get(d))
    }

    fn open(&mut self, object: bool, offset: u64) {
        open_frame(&mut self.frames, &mut self.depth, object, offset);
    }

    /// A scalar or parameter: a key when one is expected, else a value that ends a field.
    #[inline]
    fn token(&mut self, bytes: &[u8], quoted: bool) {
        self.saw(bytes, quoted);
        let Some(top) = self.top() else {
            return;
        };
        if !top.object || top.remainder {
            return;
        }
        if top.expect_key {
            let start = self.start_of(bytes);
            // A token that is not a slice of the input (`start` unknown) is its own rest.
            let rest = self.input.get(start..).unwrap_or(bytes);
            let key = self.key(bytes, start, rest);
            let input = self.input;
            if let Some(top) = top_of(&mut self.frames, self.depth) {
                top.expect_key = false;
                top.key = Some(key);
                top.key_start = start.wrapping_sub(usize::from(quoted));
                top.next_item(top.key_start, input, &mut self.index.jumps);
            }
        } else {
            let last = self.last;
            if let Some(top) = top_of(&mut self.frames, self.depth) {
                top.expect_key = true;
                top.value_ended(last, &mut self.reading);
            }
        }
    }

    fn close_frame(&mut self) {
        let Some(depth) = self.depth.checked_sub(1) else {
            return;
        };
        self.depth = depth;
        let (parents, rest) = self.frames.split_at_mut(depth);
        let Some(frame) = rest.first_mut() else {
            return;
        };
        // The next item after the frame's last later place is its closing `}` (or the
        // end of the input, for the root and a forgiven missing `}`).
        if let JumpState::Ended(i, end) = frame.jump
            && let Some(at) = blank(self.input, end)
            && matches!(self.input.get(at), None | Some(b'}'))
            && let Some(jump) = self.index.jumps.get_mut(i)
        {
            jump.to = at;
        }
        frame.set_jump(JumpState::None, &mut self.reading);
        let (input, last, last_depth) = (self.input, self.last, self.last_depth);
        if let Some(parent) = parents.last_mut() {
            parent.expect_key = true;
            // A container value ends at its closing bracket: only brackets, operators,
            // blanks and comments lie between the last token and it.
            if let JumpState::Value(_) = parent.jump {
                let end = match last_depth.checked_sub(depth) {
                    Some(open) if last != usize::MAX => container_end(input, last, open),
                    _ => None,
                };
                parent.value_ended(end.unwrap_or(usize::MAX), &mut self.reading);
            }
        }
        frame.finish(&mut self.index, self.input, &self.spill);
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

    fn scalar(&mut self, bytes: &[u8], quoted: bool, _then_op: bool) -> SinkResult {
        self.token(bytes, quoted);
        Ok(())
    }

    fn header(&mut self, name: &[u8]) -> SinkResult {
        self.saw(name, false);
        Ok(())
    }

    fn parameter(&mut self, name: &[u8], _defined: bool) -> SinkResult {
        self.token(name, false);
        // Its brackets are not tracked: no jump over it, from it or inside it.
        self.last = usize::MAX;
        if let Some(top) = top_of(&mut self.frames, self.depth) {
            top.set_jump(JumpState::None, &mut self.reading);
            top.key_start = usize::MAX;
        }
        Ok(())
    }

    fn operator(&mut self, _op: Operator, _then_op: bool) -> SinkResult {
        Ok(())
    }

    fn mixed(&mut self) -> SinkResult {
        if let Some(top) = top_of(&mut self.frames, self.depth) {
            top.remainder = true;
            top.key = None;
            top.set_jump(JumpState::None, &mut self.reading);
        }
        Ok(())
    }

    fn value_start(&mut self, offset: u64, op: Option<Operator>, block: bool) {
        self.last = rel(offset, self.base);
        self.last_depth = self.depth;
        let Some(top) = top_of(&mut self.frames, self.depth) else {
            return;
        };
        let Some(key) = top.key.take() else {
            return;
        };
        // The entry `begin_jump` pushes, if it does.
        let jump = if block || top.key_start == usize::MAX {
            NONE
        } else {
            jump_number(&self.index.jumps)
        };
        let later = top.record(
            key,
            Occurrence {
                offset,
                op,
                block,
                jump,
            },
            self.input,
            &self.spill,
        );
        if later && !block {
            top.begin_jump(&mut self.index.jumps, &mut self.reading);
        }
    }

    /// A list element: nothing to note unless a later place's value is being read (its
    /// end) or the list is an object's remainder.
    #[inline]
    fn element(&mut self, Token { bytes, .. }: Token<'_>) -> SinkResult {
        if self.reading != 0 || self.top().is_none_or(|top| top.object) {
            self.token(bytes, false);
        }
        Ok(())
    }

    #[inline]
    fn field(
        &mut self,
        Token {
            bytes: key,
            rest: key_rest,
            ..
        }: Token<'_>,
        offset: u64,
        Token { bytes: value, .. }: Token<'_>,
        quoted: bool,
    ) -> SinkResult {
        let key_start = self.start_of(key);
        let key = match self.top() {
            Some(top) if top.object && !top.remainder && top.expect_key => {
                self.key(key, key_start, key_rest)
            }
            // Not where a key is expected: the generic path keeps the state right.
            _ => {
                self.token(key, false);
                self.value_start(offset, None, false);
                self.token(value, quoted);
                return Ok(());
            }
        };
        let value_end = self.end_of(value, quoted);
        self.saw(value, quoted);
        let input = self.input;
        if let Some(top) = top_of(&mut self.frames, self.depth) {
            top.next_item(key_start, input, &mut self.index.jumps);
            top.key_start = key_start;
            let jump = if key_start == usize::MAX {
                NONE
            } else {
                jump_number(&self.index.jumps)
            };
            let later = top.record(
                key,
                Occurrence {
                    offset,
                    op: None,
                    block: false,
                    jump,
                },
                input,
                &self.spill,
            );
            if later {
                top.begin_jump(&mut self.index.jumps, &mut self.reading);
                top.value_ended(value_end, &mut self.reading);
            }
        }
        Ok(())
    }
}

impl IndexFrame {
    /// The frame closes: its repeated keys go into `index`, and it is left empty for
    /// reuse.
    fn finish(&mut self, index: &mut Index, input: &[u8], spill: &[u8]) {
        if self.object && !self.later.is_empty() {
            // By entry (a stable sort keeps each key's values in document order), so the
            // groups come in the order of their keys' first places.
            self.later.sort_by_key(|&(entry, _)| entry);
            let start = index.groups.len();
            for run in self.later.chunk_by(|a, b| a.0 == b.0) {
                let Some(&(entry, _)) = run.first() else {
                    continue;
                };
                let Some(e) = self.entries.get(entry as usize) else {
                    continue;
                };
                let key = index.keys.len();
                index.keys.extend_from_slice(key_bytes(e.key, input, spill));
                let first = index.later.len();
                index.later.extend(run.iter().map(|&(_, o)| o));
                index.groups.push(Group {
                    key: (key, index.keys.len()),
                    later: (first, index.later.len()),
                    first: e.first,
                    written: AtomicBool::new(false),
                });
            }
            index.objects.push((self.offset, start, index.groups.len()));
        }
        // Clearing a map costs its capacity even when empty (a frame reused after a big
        // object would pay that on every small one).
        if !self.map.is_empty() {
            self.map.clear();
        }
        self.entries.clear();
        self.later.clear();
        self.key = None;
    }

    /// Change the jump state, keeping the count of frames `reading` a value.
    #[inline]
    fn set_jump(&mut self, jump: JumpState, reading: &mut usize) {
        if let JumpState::Value(_) = self.jump {
            *reading -= 1;
        }
        if let JumpState::Value(_) = jump {
            *reading += 1;
        }
        self.jump = jump;
    }

    /// A later place's value starts: its jump starts at its key.
    fn begin_jump(&mut self, jumps: &mut Vec<Jump>, reading: &mut usize) {
        if self.key_start == usize::MAX {
            self.set_jump(JumpState::None, reading);
        } else {
            jumps.push(Jump {
                from: self.key_start,
                to: 0,
            });
            self.set_jump(JumpState::Value(jumps.len() - 1), reading);
        }
    }

    /// The current field's value ended at input index `end` (`usize::MAX`: unknown, no
    /// jump).
    #[inline]
    fn value_ended(&mut self, end: usize, reading: &mut usize) {
        if let JumpState::Value(i) = self.jump {
            let jump = if end == usize::MAX {
                JumpState::None
            } else {
                JumpState::Ended(i, end)
            };
            self.set_jump(jump, reading);
        }
    }

    /// A key starting at input index `start` follows the field before it: if that was a
    /// later place, its jump lands here, provided only blanks and comments lie between
    /// (anything else the parser reads there, such as a `{}` it drops, belongs to that
    /// field).
    #[inline]
    fn next_item(&mut self, start: usize, input: &[u8], jumps: &mut [Jump]) {
        if let JumpState::Ended(i, end) = self.jump {
            self.jump = JumpState::None;
            if start != usize::MAX
                && blank(input, end) == Some(start)
                && let Some(jump) = jumps.get_mut(i)
            {
                jump.to = start;
            }
        }
    }

    /// One more value of `key` in this object; true when it is not the first.
    #[inline]
    fn record(&mut self, key: Key, occurrence: Occurrence, input: &[u8], spill: &[u8]) -> bool {
        let bit = 1u64 << ((key.fp >> 56) & 63);
        let bloom = self.bloom.get_mut((key.fp >> 62) as usize);
        let seen = bloom.as_ref().is_some_and(|w| **w & bit != 0);
        if let Some(w) = bloom {
            *w |= bit;
        }
        if seen && let Some(entry) = self.find(key, input, spill) {
            self.later.push((entry, occurrence));
            return true;
        }
        let Ok(i) = u32::try_from(self.entries.len()) else {
            return false;
        };
        let mut entry = Entry {
            key,
            next: NONE,
            first: occurrence.offset,
        };
        if self.entries.len() >= SCAN {
            if self.map.is_empty() {
                for (j, e) in (0u32..).zip(self.entries.iter_mut()) {
                    e.next = self.map.insert(e.key.fp, j).unwrap_or(NONE);
                }
            }
            entry.next = self.map.insert(key.fp, i).unwrap_or(NONE);
        }
        self.entries.push(entry);
        false
    }

    /// The entry of `key`, if it has one.
    #[inline]
    fn find(&self, key: Key, input: &[u8], spill: &[u8]) -> Option<u32> {
        let bytes = key_bytes(key, input, spill);
        let same = |e: &Entry| e.key.fp == key.fp && key_bytes(e.key, input, spill) == bytes;
        if self.map.is_empty() {
            let i = self.entries.iter().position(same)?;
            return u32::try_from(i).ok();
        }
        let mut i = *self.map.get(&key.fp)?;
        loop {
            let e = self.entries.get(i as usize)?;
            if same(e) {
                return Some(i);
            }
            i = e.next;
        }
    }
}

/// The bytes of `key`.
#[inline]
fn key_bytes<'k>(key: Key, input: &'k [u8], spill: &'k [u8]) -> &'k [u8] {
    let from = if key.spilled { spill } else { input };
    from.get(key.start..key.start.wrapping_add(key.len))
        .unwrap_or_default()
}

/// The number the next entry pushed on `jumps` gets.
#[inline]
fn jump_number(jumps: &[Jump]) -> u32 {
    u32::try_from(jumps.len()).unwrap_or(NONE)
}

/// The innermost open frame (a function of the fields, not of the indexer, so that the
/// indexer's other fields stay free to borrow).
#[inline]
fn top_of(frames: &mut [IndexFrame], depth: usize) -> Option<&mut IndexFrame> {
    depth.checked_sub(1).and_then(|d| frames.get_mut(d))
}

/// Open a frame at `frames[depth]` (reusing the one left there) and go in.
fn open_frame(frames: &mut Vec<IndexFrame>, depth: &mut usize, object: bool, offset: u64) {
    if *depth == frames.len() {
        frames.push(IndexFrame::default());
    }
    let Some(frame) = frames.get_mut(*depth) else {
        return;
    };
    frame.object = object;
    frame.offset = offset;
    frame.expect_key = true;
    frame.remainder = false;
    frame.jump = JumpState::None;
    frame.bloom = [0; 4];
    *depth += 1;
}

/// `offset` as an index into the input that starts at `base`.
fn rel(offset: u64, base: u64) -> usize {
    usize::try_from(offset.saturating_sub(base)).unwrap_or(usize::MAX)
}

/// Just past the bracket that closes a container value, scanning from `i`, `open` levels
/// inside it, through what the parser reads there without a token: blanks, comments,
/// operators and brackets (`{}` it drops). Anything else: none (no jump).
fn container_end(input: &[u8], mut i: usize, mut open: usize) -> Option<usize> {
    loop {
        i = blank(input, i)?;
        match *input.get(i)? {
            b'{' => open += 1,
            b'}' => {
                open = open.checked_sub(1)?;
                if open == 0 {
                    return Some(i + 1);
                }
            }
            b'=' | b'<' | b'>' | b'!' | b'?' => {}
            _ => return None,
        }
        i += 1;
    }
}

/// Find the repeated keys of `input` (the document after any BOM/header, which starts
/// at absolute offset `base`): with a skim when the document is one it reads exactly
/// (most saves), else with the parser.
pub(crate) fn index(input: &[u8], base: u64, limits: Limits) -> Result<Index, Error> {
    match skim_index(input, base, limits) {
        Some(index) => {
            // Fuzz builds keep debug assertions: they check the skim on every input.
            debug_assert!(
                parse_index(input, base, limits).is_ok_and(|p| p.same_as(&index)),
                "the skim's index differs from the parser's"
            );
            Ok(index)
        }
        None => parse_index(input, base, limits),
    }
}

/// [`index`] through a [`skim`]; `None` when the skim declines the document.
fn skim_index(input: &[u8], base: u64, limits: Limits) -> Option<Index> {
    let mut indexer = SkimIndexer {
        input,
        frames: Vec::new(),
        depth: 0,
        index: Index::default(),
    };
    open_frame(&mut indexer.frames, &mut indexer.depth, true, ROOT);
    if !skim(input, base, limits.max_depth, &mut indexer) {
        return None;
    }
    while indexer.depth > 0 {
        indexer.close_object();
    }
    Some(indexer.index.sorted())
}

/// [`index`] through the parser: any document it accepts.
fn parse_index(input: &[u8], base: u64, limits: Limits) -> Result<Index, Error> {
    let mut indexer = Indexer {
        input,
        spill: Vec::new(),
        base,
        last: usize::MAX,
        last_depth: 0,
        reading: 0,
        frames: Vec::new(),
        depth: 0,
        index: Index::default(),
    };
    indexer.open(true, ROOT);
    let mut parser = Parser::new(limits).starting_at(base);
    parser.feed(input, &mut indexer)?;
    parser.finish(&mut indexer)?;
    while indexer.depth > 0 {
        indexer.close_frame();
    }
    Ok(indexer.index.sorted())
}

/// The index pass over a document the [`skim`] reads: the frames and records of
/// [`Indexer`], driven by keys and field ends instead of tokens. Keys are always slices
/// of the input (nothing is copied), and a later place's jump ends where the skim says
/// the next item starts.
struct SkimIndexer<'a> {
    input: &'a [u8],
    frames: Vec<IndexFrame>,
    depth: usize,
    index: Index,
}

impl Skim for SkimIndexer<'_> {
    fn object(&mut self, offset: u64) {
        open_frame(&mut self.frames, &mut self.depth, true, offset);
    }

    #[inline]
    fn key(&mut self, start: usize, body: (usize, usize), value_offset: u64) {
        let input = self.input;
        let bytes = input.get(body.0..body.1).unwrap_or_default();
        let key = Key {
            fp: fingerprint(bytes, tail(input, body.0)),
            start: body.0,
            len: bytes.len(),
            spilled: false,
        };
        let Some(top) = top_of(&mut self.frames, self.depth) else {
            return;
        };
        let occurrence = Occurrence {
            offset: value_offset,
            op: None,
            block: false,
            jump: jump_number(&self.index.jumps),
        };
        if top.record(key, occurrence, input, &[]) {
            let jumps = &mut self.index.jumps;
            jumps.push(Jump { from: start, to: 0 });
            top.jump = JumpState::Value(jumps.len() - 1);
        }
    }

    #[inline]
    fn next_item(&mut self, next: Option<usize>) {
        if let Some(top) = top_of(&mut self.frames, self.depth)
            && let JumpState::Value(i) = std::mem::take(&mut top.jump)
            && let (Some(next), Some(jump)) = (next, self.index.jumps.get_mut(i))
        {
            jump.to = next;
        }
    }

    fn close_object(&mut self) {
        let Some(depth) = self.depth.checked_sub(1) else {
            return;
        };
        self.depth = depth;
        if let Some(frame) = self.frames.get_mut(depth) {
            frame.finish(&mut self.index, self.input, &[]);
        }
    }
}

impl Index {
    /// Do both hold the same objects, groups, later places and jumps?
    fn same_as(&self, other: &Index) -> bool {
        let groups = |i: &Index| -> Vec<(Vec<u8>, u64, Vec<Occurrence>)> {
            i.groups
                .iter()
                .map(|g| (i.key(g).to_vec(), g.first, i.later(g).to_vec()))
                .collect()
        };
        self.objects == other.objects && groups(self) == groups(other) && self.jumps == other.jumps
    }
}

/// Write `input` as group-mode JSON, handing output to `emit` in chunks.
pub(crate) fn render<F: FnMut(&[u8])>(
    input: &[u8],
    base: u64,
    options: &JsonOptions,
    limits: Limits,
    emit: &mut F,
) -> Result<(), Error> {
    write(input, base, options, limits, emit, true)
}

/// [`render`], jumping over the later places the index delimited when `jumping` (tests
/// compare with and without).
fn write<F: FnMut(&[u8])>(
    input: &[u8],
    base: u64,
    options: &JsonOptions,
    limits: Limits,
    emit: &mut F,
    jumping: bool,
) -> Result<(), Error> {
    let index = index(input, base, limits)?;
    let mut renderer = Renderer::new(options);
    renderer.enable_groups(input, base, &index, limits, jumping);
    renderer.begin_document();
    let mut parser = Parser::new(limits).starting_at(base);
    let mut out = Vec::new();
    // Feed the input but for the later places the index could delimit, which the
    // parser jumps over: they are written at their key's first place.
    let mut pos = 0;
    let jumps = if jumping { &index.jumps[..] } else { &[] };
    for jump in jumps.iter().filter(|j| j.to != 0) {
        let (from, to) = (jump.from, jump.to);
        // Inside a later place already jumped over.
        if from < pos {
            continue;
        }
        let (Some(before), Some(skipped)) = (input.get(pos..from), input.get(from..to)) else {
            continue;
        };
        feed(&mut parser, &mut renderer, before, &mut out, emit)?;
        pos = from;
        if parser.skip_input(skipped) {
            pos = to;
        } else {
            renderer.jump_failed();
        }
    }
    feed(&mut parser, &mut renderer, tail(input, pos), &mut out, emit)?;
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

/// Feed `input` to the write pass, handing output on about every [`SLICE`] bytes.
fn feed<F: FnMut(&[u8])>(
    parser: &mut Parser,
    renderer: &mut Renderer,
    input: &[u8],
    out: &mut Vec<u8>,
    emit: &mut F,
) -> Result<(), Error> {
    for chunk in input.chunks(SLICE) {
        parser.feed(chunk, renderer)?;
        renderer.take_group_error()?;
        if renderer.writer().len() >= SLICE {
            renderer.writer().drain_into(out);
            emit(out);
            out.clear();
        }
    }
    Ok(())
}

/// The write pass feeds and hands on output in pieces of about this size.
const SLICE: usize = 1 << 20;

/// The deepest nesting of re-reads (a repeated key inside a re-read value inside ...).
/// Each level uses native stack, so it is bounded; real saves nest a handful deep.
pub(crate) const MAX_GROUP_NESTING: usize = 128;

pub(crate) fn too_deep() -> ErrorKind {
    ErrorKind::TooDeep {
        limit: MAX_GROUP_NESTING,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{DuplicateKeyMode, JsonOptions};

    fn group(input: &str, jumping: bool) -> Result<String, Error> {
        let options = JsonOptions {
            mode: DuplicateKeyMode::Group,
            ..JsonOptions::default()
        };
        let mut out = Vec::new();
        write(
            input.as_bytes(),
            0,
            &options,
            Limits::default(),
            &mut |chunk: &[u8]| out.extend_from_slice(chunk),
            jumping,
        )?;
        Ok(String::from_utf8(out).unwrap())
    }

    /// The later places the index delimited, as the text jumped over.
    fn jumped(input: &str) -> Vec<&str> {
        let index = index(input.as_bytes(), 0, Limits::default()).unwrap();
        index
            .jumps
            .iter()
            .filter(|j| j.to != 0)
            .map(|j| &input[j.from..j.to])
            .collect()
    }

    /// Where the skim reads a document, its index is the parser's; `skimmed` says
    /// whether it did.
    fn skim_agrees(input: &str) -> bool {
        let limits = Limits {
            max_depth: 6,
            ..Limits::default()
        };
        let Some(skimmed) = skim_index(input.as_bytes(), 7, limits) else {
            return false;
        };
        match parse_index(input.as_bytes(), 7, limits) {
            Ok(parsed) => assert!(parsed.same_as(&skimmed), "{input:?}"),
            Err(e) => panic!("the skim read {input:?}, which the parser refuses: {e}"),
        }
        true
    }

    #[test]
    fn skim_reads_plain_documents_as_the_parser_does() {
        let read = [
            "",
            "a=1 a=2 b=3\n",
            "a=1 a=2\n",
            "a=1 a=2 # c\n",
            "a=1 a=\"2\"",
            "\"a\"=1 a=\"x\\\"y\" \"a\" = { 1 2 } b=1",
            "a={ b=1 b=2 } a={ 1 2 3 } a={ } a={ {} b=1 b={} } c=1",
            "k = { a = 1 a = { b = 2 b = 3 } c = 4 a = 5 }",
            "x={ a=1 a={ } } x={ a=2 a=3 }",
            "l={ { a=1 a=2 } { a=3 } {} { 1 2 } \"s\" 3 } l={ {} {} }",
            "a{ b=1 b=2 } a { c=1 } a=1",
            "a=1 # c\n a={ # d\n b=1 # e\n b=2 }\n # f\n a=3 ",
            "n={ 1 2 3 4 5 6 7 8 9 10 } n={ -1 0.5 1444.11.11 x_y } n={ 1 \"q\" 2 }",
            "n={ 1 2 { 3 } 4 } n={ \"rgb\" { 1 } } n={ 12 { a=1 a=2 } }",
            "a=b\"c\" a=x@y d=1;e=2;d=3",
            "a={{{a=1 a=2}}} a={{{}}}",
            "o={ a=1 } o={ a=1 a=1 } o={ \"a\"=1 a=2 }",
        ];
        for case in read {
            let case = format!("{case}\n");
            assert!(skim_agrees(&case), "not skimmed: {case:?}");
        }
        let declined = [
            // A token the input ends in.
            "a=1 a=2",
            "a=1 a=2 {} b=3",
            "a=rgb{1 2} a=rgb {3}",
            "a=1 [[p] a=2 ] b=2",
            "a=1 a=2 } b=1",
            "a=1 a={ b=2",
            "a = 1 a < 2",
            "a == 1",
            "a=1 b c",
            "a={ 1 b=2 }",
            "a={ x rgb { 1 } }",
            "a={ x _y { 1 } }",
            "a={ 1 2 = 3 }",
            "a={ {a=1} = {1} }",
            "a=@[x+1]",
            "a=1 # unterminated",
            "a=x!y",
            "a={ 1 2 ] }",
            "a=1 a=2x",
            "a={{{{{{{b=1}}}}}}}",
            "a={ 1 2 ?x }",
            "a={ \"a\" = 1 }x",
            "a=\"unclosed",
        ];
        for case in declined {
            assert!(!skim_agrees(case), "skimmed: {case:?}");
        }
    }

    /// Generated documents, mostly plain with now and then something the skim must
    /// decline or read exactly: wherever it reads one, its index is the parser's.
    #[test]
    fn skim_agrees_on_generated_documents() {
        struct Gen(u64);
        impl Gen {
            fn next(&mut self, n: u64) -> u64 {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                self.0 % n
            }
            fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
                from[self.next(from.len() as u64) as usize]
            }
            fn blank(&mut self, out: &mut String) {
                let b = self.pick(&[" ", " ", "\n\t", "", "  ", " # c\n", ";", "\r\n"]);
                out.push_str(b);
            }
            fn odd(&mut self, out: &mut String) -> bool {
                if self.next(40) == 0 {
                    let odd = [
                        "{}",
                        "}",
                        "]",
                        "[[p] a=1 ]",
                        "==",
                        "<",
                        "!=",
                        "?=",
                        "x",
                        "rgb {",
                        "@[a]",
                        "#",
                        "\"",
                        "a!",
                        "=",
                        "{",
                        "\"q\"",
                    ];
                    out.push_str(self.pick(&odd));
                    return true;
                }
                false
            }
            fn value(&mut self, out: &mut String, depth: usize) {
                match self.next(if depth > 4 { 3 } else { 6 }) {
                    0 => out.push_str(self.pick(&["1", "-2.5", "yes", "x_y", "1444.1.1"])),
                    1 => out.push_str(self.pick(&["\"s\"", "\"a b\"", "\"\\\"\"", "\"\""])),
                    2 => out.push_str(self.pick(&["{}", "{ }", "{ {} }"])),
                    3 => self.object(out, depth + 1),
                    4 => {
                        out.push('{');
                        for _ in 0..self.next(6) {
                            self.blank(out);
                            if self.next(4) == 0 {
                                self.value(out, depth + 1);
                            } else {
                                out.push_str(self.pick(&["1", "22", "\"q\"", "-3", "w"]));
                            }
                            self.odd(out);
                        }
                        self.blank(out);
                        out.push('}');
                    }
                    _ => self.object(out, depth + 1),
                }
            }
            fn fields(&mut self, out: &mut String, depth: usize) {
                for _ in 0..self.next(7) {
                    self.blank(out);
                    out.push_str(self.pick(&["a", "b", "\"a\"", "c", "ab", "\"b c\""]));
                    self.blank(out);
                    if !self.odd(out) {
                        out.push_str(if self.next(8) == 0 { "" } else { "=" });
                    }
                    self.blank(out);
                    self.value(out, depth);
                    self.odd(out);
                }
                self.blank(out);
            }
            fn object(&mut self, out: &mut String, depth: usize) {
                out.push('{');
                self.fields(out, depth);
                out.push('}');
            }
        }
        let mut generator = Gen(0x9E37_79B9_7F4A_7C15);
        let (mut skimmed, mut total) = (0, 0);
        for _ in 0..20_000 {
            let mut doc = String::new();
            generator.fields(&mut doc, 0);
            total += 1;
            if skim_agrees(&doc) {
                skimmed += 1;
            }
        }
        // Both kinds are common: the comparison is not vacuous either way.
        assert!(
            skimmed > total / 5 && skimmed < total * 4 / 5,
            "{skimmed} of {total}"
        );
    }

    #[test]
    fn find_in_any_order() {
        let input = "a={ b=1 b=2 } c={ d=1 } e={ f=1 f=2 } g={ h=1 h=2 } b=1 b=2";
        let index = index(input.as_bytes(), 0, Limits::default()).unwrap();
        let objects: Vec<u64> = index.objects.iter().map(|o| o.0).collect();
        assert_eq!(objects, [4, 28, 42, ROOT]);
        let queries = [ROOT, 4, 18, 28, 42, 4, 42, 43, 0, 28, 28, ROOT, 60, 3, 4];
        for q in queries {
            let expected = objects.iter().position(|&o| o == q).map(|i| i as u32);
            assert_eq!(index.find(q), expected, "{q}");
            // The gap around `q` holds no object of the index.
            let (found, (before, after)) = index.find_with_gap(q);
            assert_eq!(found, expected, "{q}");
            assert!(
                before <= q && (q < after || after == u64::MAX),
                "{q}: {before}..{after}"
            );
            assert!(objects.iter().all(|&o| o <= before || o >= after), "{q}");
        }
    }

    #[test]
    fn jumps_span_from_the_key_to_the_next_item() {
        assert_eq!(jumped("a=1 a=2 b=3"), ["a=2 "]);
        assert_eq!(jumped("x={ a=1 a={ y=2 } }"), ["a={ y=2 } "]);
        assert_eq!(jumped("a=1 \"a\"=\"2\" # c\nb=1"), ["\"a\"=\"2\" # c\n"]);
        assert_eq!(jumped("a=1 a = rgb { 1 2 }"), ["a = rgb { 1 2 }"]);
        assert_eq!(
            jumped("a={} a={ {} } a = { b={} }"),
            ["a={ {} } ", "a = { b={} }"]
        );
        assert_eq!(
            jumped("k={ a=1 a={ b=2 b=3 } a=4 }"),
            ["a={ b=2 b=3 } ", "b=3 ", "a=4 "]
        );
        // A `{}` the parser drops after a scalar value belongs to that field: no jump.
        assert!(jumped("a=1 a=2 {} b=3").is_empty());
        // A parameter block is not delimited.
        assert!(jumped("a=1 [[p] a=2 ] b=1").is_empty());
        // A stray `}` at the root after a later place.
        assert!(jumped("a=1 a=2 } b=1").is_empty());
    }

    /// Jumping over a later place writes what reading and dropping it does.
    #[test]
    fn jumping_writes_what_reading_writes() {
        let cases = [
            "a=1 a=2 b=3",
            "a=1 a=2 {} b=3",
            "a=rgb{1 2} a=rgb {3} b=1 a=x",
            "a={x=1} a = { {} y=2 } # c\n a=3",
            "k = { a = 1 a = { b = 2 b = 3 } c = 4 a = 5 }",
            "\"a\"=1 \"a\"=\"2\" b=1 \"a\"=3",
            "a=1 a=b}{c} d=1 a=2",
            "a=1\na={\n}\nb=1 }",
            "a=1 a=2 # comment }\n}",
            "x={ a=1 a={ } } x={ a=2 a=3 }",
            "a=1 a={1 2} a=3",
            "a = 1 a < 2 a ?= 3 b = 1 a != 4",
            "a=1 [[p] a=2 ] b=2 a=3",
            "a={ b=1 b=2 c=3 } a={ b=4 b={ c=5 c=6 } } a=7",
            "a=1 a=2 b=3 x y z",
            "a={ 1 2 } a={ 3 } b={ c=1 c=2 } a=4",
            "a=1 a=2",
            "a=1 a={ b=2",
            "a=1 a=2 b = { c=1 } } } a=3",
        ];
        for case in cases {
            let read = group(case, false).map_err(|e| e.to_string());
            let jump = group(case, true).map_err(|e| e.to_string());
            assert_eq!(jump, read, "{case}");
        }
    }

    /// `input` written with the jumps taken up to the `fail`-th delimited one, which is
    /// read instead (as when `Parser::skip_input` refuses); `tell`: the renderer is told.
    fn write_failing_at(input: &str, fail: usize, tell: bool) -> String {
        let options = JsonOptions {
            mode: DuplicateKeyMode::Group,
            ..JsonOptions::default()
        };
        let bytes = input.as_bytes();
        let index = index(bytes, 0, Limits::default()).unwrap();
        let mut renderer = Renderer::new(&options);
        renderer.enable_groups(bytes, 0, &index, Limits::default(), true);
        renderer.begin_document();
        let mut parser = Parser::new(Limits::default());
        let mut pos = 0;
        for (n, jump) in index.jumps.iter().filter(|j| j.to != 0).enumerate() {
            if jump.from < pos {
                continue;
            }
            parser.feed(&bytes[pos..jump.from], &mut renderer).unwrap();
            pos = jump.from;
            if n == fail {
                if tell {
                    renderer.jump_failed();
                }
                break;
            }
            assert!(parser.skip_input(&bytes[jump.from..jump.to]));
            pos = jump.to;
        }
        parser.feed(&bytes[pos..], &mut renderer).unwrap();
        parser.finish(&mut renderer).unwrap();
        renderer.take_group_error().unwrap();
        renderer.end_document().unwrap();
        let mut out = Vec::new();
        renderer.writer().drain_into(&mut out);
        String::from_utf8(out).unwrap()
    }

    /// A later place that reaches the renderer after all (a jump refused) is still
    /// found: the objects' keys are looked up from then on.
    #[test]
    fn a_refused_jump_falls_back_to_looking_keys_up() {
        let cases = [
            "a=1 b=2 a=3 c=4 b=5 d=6 a=7",
            "x={ a=1 b={ c=1 c=2 } a=2 d=3 b=4 } y=1 x={ a=5 }",
            "k={ p=1 q=2 p={ r=1 r=2 } s=3 q=4 t=5 } k=6 u=7",
        ];
        let mut differs = false;
        for case in cases {
            let expected = group(case, true).unwrap();
            let jumps = index(case.as_bytes(), 0, Limits::default())
                .unwrap()
                .jumps
                .len();
            for fail in 0..=jumps {
                assert_eq!(
                    write_failing_at(case, fail, true),
                    expected,
                    "{case} {fail}"
                );
                differs |= write_failing_at(case, fail, false) != expected;
            }
        }
        // Untold, the renderer writes a later place as a field of its own.
        assert!(differs);
    }

    /// Repeats are found in objects past the scanned size (the fingerprint map) and among
    /// keys that share their length, first or last 8 bytes.
    #[test]
    fn repeats_in_large_objects_and_similar_keys() {
        let mut keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        keys.extend(
            [
                "prefix__middle_a__suffix",
                "prefix__middle_b__suffix",
                "prefix__suffix",
            ]
            .map(String::from),
        );
        keys.extend(["ab", "ba", "abcdefgh", "abcdefgi", "\"quoted key\""].map(String::from));
        let repeated = |i: usize| i.is_multiple_of(7) || i >= 40;
        let mut fields = String::new();
        for (i, k) in keys.iter().enumerate() {
            fields += &format!("{k}={i} ");
        }
        for (i, k) in keys.iter().enumerate().filter(|&(i, _)| repeated(i)) {
            fields += &format!("{k}=x{i} ");
        }
        let mut object = String::new();
        for (i, k) in keys.iter().enumerate() {
            let k = k.trim_matches('"');
            if repeated(i) {
                object += &format!("\"{k}\":[{i},\"x{i}\"],");
            } else {
                object += &format!("\"{k}\":{i},");
            }
        }
        let object = object.trim_end_matches(',');
        for jumping in [false, true] {
            let json = group(&format!("o={{ {fields} }} {fields}"), jumping).unwrap();
            assert_eq!(json, format!("{{\"o\":{{{object}}},{object}}}"));
        }
    }

    /// An error after a jump still names its line and column: the newlines jumped over
    /// count.
    #[test]
    fn lines_count_across_jumps() {
        let options = JsonOptions::default();
        let mut sink = Renderer::new(&options);
        sink.begin_document();
        let mut parser = Parser::new(Limits::default());
        parser.feed(b"a=1\n", &mut sink).unwrap();
        assert!(parser.skip_input(b"b={\n\n}\n  "));
        let e = parser.feed(b"c=}", &mut sink).unwrap_err();
        let mut whole = Parser::new(Limits::default());
        let mut sink = Renderer::new(&options);
        sink.begin_document();
        let read = whole.feed(b"a=1\nb={\n\n}\n  c=}", &mut sink).unwrap_err();
        assert_eq!(e.position(), read.position());
        assert_eq!(e.position().line, 5);
        // Not inside a token.
        let mut parser = Parser::new(Limits::default());
        let mut sink = Renderer::new(&options);
        sink.begin_document();
        parser.feed(b"a=1 b", &mut sink).unwrap();
        assert!(!parser.skip_input(b"=2"));
    }
}
