//! Group mode: `{"core":["A","B"]}`, a key's values gathered at its first place.
//!
//! A streaming writer cannot do this naively: when it writes the first `core`, the second
//! has not been read yet. So group mode reads its input once, as preserve mode does, but
//! holds its (compact) output and fixes objects up when they close:
//!
//! - While an object is open, each of its fields is recorded: where it starts in the
//!   output (its comma included) and its key's identity (the key's bytes as the parser
//!   gave them: `a` and `"a"` are one key, `"a "` another, a parameter `[[a] ...]` is the
//!   key `a`). A field's value runs to the next field's start, or to where the object
//!   closes or turns mixed. A key seen before in the object is found when it is written
//!   (a 256-bit filter per object, then a scan of the object's keys, or, once it has
//!   more than 32 of them, a probe of the object's own open-addressing table) and
//!   chained to its first place.
//! - A key that comes again right after itself (`core=A core=B`: nearly every repeat
//!   in saves, 65,509 of Korea's 65,784) is not written again: its field's value
//!   becomes a run, `"core":["A","B"]`, made in place (a `[` before the first value,
//!   the next value after a comma, a `]` where the run ends). It is then one field,
//!   with one record.
//! - When an object closes (or turns mixed: its remainder is a list, never grouped), if
//!   no key repeated after another key came between (most objects), its records are
//!   dropped. Else its fields are rebuilt in first-place order, `"k":[v1,v2,...]` for a
//!   repeated key (a run's values joined without its brackets), into the held buffer
//!   past the output (where later output goes anyway), and moved back over them. Inner
//!   objects are rebuilt at their own close, so a value is moved as finished bytes and
//!   nothing is re-read.
//! - The document's root object is not copied: at the end the output is handed on as
//!   ranges of the held buffer in first-place order.
//! - Pretty output is the compact output re-formatted as it is handed on
//!   ([`Prettifier`]): jomini's pretty JSON is `serde_json`'s pretty formatting of the
//!   same value, which depends on the compact bytes alone.
//!
//! Memory: the compact JSON of the document (held until the end, since the root's
//! later keys may move anything) with room past it for the largest rebuilt object, and
//! the records: per field of each *open* object one of [`FIELD_BYTES`] bytes, plus its
//! key's bytes when it is longer than 16, plus, in an object with a table (more than 32
//! distinct keys or 64 fields), at most 8 slots of [`SLOT_BYTES`] bytes per distinct key
//! (a table is rebuilt at four times the keys, rounded up to a power of two, when half
//! full). There is no recursion, so no nesting limit beyond the parser's. What group
//! mode accepts is bounded by the input it is fed
//! ([`Transcoder::set_max_group_input`](crate::Transcoder::set_max_group_input)). The
//! held JSON is a constant factor of that input (on the EU4 Korea save, 0.90x; at worst
//! the JSON's expansion of a token, such as a control byte in a quoted string written
//! as `\u00XX`, or an operator wrapped as `{"GREATER_THAN_EQUAL":...}`); the records
//! are small for real saves (0.6 MB on Korea) but outweigh the JSON in a flat object of
//! many short fields. Everything held (the JSON buffer, and the records past a 1 MiB
//! allowance) is capped at twice the input limit, and all of it grows fallibly: past the
//! cap, or when memory cannot be had, the next field is refused with
//! [`GroupInputTooLarge`](crate::ErrorKind::GroupInputTooLarge) rather than memory
//! running out (which would end a Wasm instance).

use super::writer::{JsonWriter, newline_indent};
use crate::error::ErrorKind;

/// No record.
const NONE: u32 = u32::MAX;

/// Objects with at most this many distinct keys, and at most [`SCAN_FIELDS`] fields, find
/// a key by scanning their fields; others switch to a table of their own (in
/// [`Grouper::slots`]).
const SCAN: usize = 32;

/// The most fields a scan for a key's first place passes over. (A scan stops at the key's
/// first place, but that may come after the later places of other keys: without this
/// bound, `a=1 a=1 ... b=1 b=1 ...` took time quadratic in its length.)
const SCAN_FIELDS: usize = 64;

/// An object's table's smallest size (slots, a power of two).
const TABLE_MIN: usize = 128;

/// The records of open objects' keys (and their tables) up to this many bytes are not
/// counted against the held-output cap; beyond it they are. Real saves stay far below it
/// (0.6 MB on the EU4 Korea save), so a small input limit bounds the JSON alone, while a
/// flat object of many short fields (whose records outweigh its JSON) cannot grow past the
/// cap.
const RECORDS_ALLOWANCE: usize = 1 << 20;

/// Rebuilds and runs may copy at most this many times the JSON held so far, plus 64 MiB,
/// in all. A rebuild copies its object whole from its first repeated key on, nested
/// objects included, and a run's `[` moves its first value one byte on, so with repeated
/// keys nested n deep a byte is copied n times: 0.44 times the JSON at most on the files
/// of the corpus (0.04 on the EU4 Korea save), but near the 10,000-level nesting limit a
/// crafted 40 MB input took 15 s. Past the budget the input is refused with
/// [`RegroupLimit`](crate::ErrorKind::RegroupLimit) (at the next object's end).
pub const REGROUP_FACTOR: usize = 16;

/// Bytes every document may copy in rebuilds beyond [`REGROUP_FACTOR`] times its JSON.
const REGROUP_ALLOWANCE: usize = 64 << 20;

/// The size of one field's record (64-bit targets).
pub const FIELD_BYTES: usize = std::mem::size_of::<Field>();

/// The size of one slot of an object's key table.
pub const SLOT_BYTES: usize = std::mem::size_of::<Slot>();

/// A key's identity: its length and its bytes. A key of up to 16 bytes is its two
/// words; a longer one keeps its first word, a hash of the rest, and its whole bytes in
/// [`Grouper::long_keys`] (compared when the words match).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    head: u64,
    tail: u64,
    len: u32,
    /// Where a key longer than 16 bytes starts in [`Grouper::long_keys`].
    long: u32,
}

impl Key {
    /// The key of `bytes`; `rest` is the input from its first byte on when the caller
    /// has it (a short key is then read in two 8-byte loads).
    #[inline(always)]
    fn new(bytes: &[u8], rest: &[u8], long_keys: &mut Vec<u8>, seed: Seed) -> Key {
        let n = bytes.len();
        let word = |s: &[u8]| {
            s.first_chunk::<8>()
                .map_or_else(|| fold(s), |w| u64::from_le_bytes(*w))
        };
        let (head, tail) = if n <= 16 {
            match rest.first_chunk::<16>() {
                Some(w) if rest.as_ptr() == bytes.as_ptr() => {
                    let lo = u64::from_le_bytes(*w.first_chunk::<8>().unwrap_or(&[0; 8]));
                    let hi = u64::from_le_bytes(*w.last_chunk::<8>().unwrap_or(&[0; 8]));
                    (lo & low_bytes(n), hi & low_bytes(n.saturating_sub(8)))
                }
                _ => {
                    let (a, b) = bytes.split_at(n.min(8));
                    (fold(a), fold(b))
                }
            }
        } else {
            (
                word(bytes),
                hash_rest(bytes.get(8..).unwrap_or_default(), seed),
            )
        };
        let mut long = 0;
        if n > 16 {
            long = u32::try_from(long_keys.len()).unwrap_or(u32::MAX);
            long_keys.extend_from_slice(bytes);
        }
        Key {
            head,
            tail,
            len: u32::try_from(n).unwrap_or(u32::MAX),
            long,
        }
    }

    /// The key's fingerprint under `seed` (for the filter, the table slot and its check).
    ///
    /// A full multiply of the two words, each mixed with the seed, folded to 64 bits: a
    /// change in either word changes the product in a way that depends on the seed, so
    /// without the seed, keys cannot be picked to share a fingerprint (as the XOR of the
    /// words once allowed).
    #[inline(always)]
    fn fingerprint(self, seed: Seed) -> u64 {
        let product =
            u128::from(self.head ^ seed.0) * u128::from(self.tail ^ u64::from(self.len) ^ seed.1);
        (product as u64) ^ ((product >> 64) as u64)
    }

    /// The same key? (`long_keys` holds both keys' bytes when they are long.)
    #[inline(always)]
    fn same(self, other: Key, long_keys: &[u8]) -> bool {
        if self.head != other.head || self.tail != other.tail || self.len != other.len {
            return false;
        }
        if self.len <= 16 {
            return true;
        }
        let bytes = |k: Key| {
            let from = k.long as usize;
            long_keys
                .get(from..from.saturating_add(k.len as usize))
                .unwrap_or_default()
        };
        bytes(self) == bytes(other)
    }
}

/// A long key's `tail`: a hash of all its bytes after the first 8, so that long keys
/// that differ anywhere get different fingerprints. (Its last 8 bytes alone gave every
/// key of one length, first 8 and last 8 bytes the same fingerprint: `...x1...`,
/// `...x2...`, one probe chain, time quadratic in their number.)
#[inline]
fn hash_rest(bytes: &[u8], seed: Seed) -> u64 {
    let mix = |h: u64, w: u64| (h ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    let mut words = bytes.chunks_exact(8);
    let mut h = seed.0 ^ seed.1.rotate_left(17);
    for w in &mut words {
        h = mix(
            h,
            u64::from_le_bytes(*w.first_chunk::<8>().unwrap_or(&[0; 8])),
        );
    }
    mix(h, fold(words.remainder()))
}

/// The secret of the keys' fingerprints, as the two words they are mixed with.
#[derive(Debug, Clone, Copy)]
struct Seed(u64, u64);

impl Seed {
    fn new(seed: u64) -> Seed {
        Seed(
            seed ^ 0xE703_7ED1_A0B4_28DB,
            seed.rotate_left(29) ^ 0xA076_1D64_78BD_642F,
        )
    }
}

impl Default for Seed {
    fn default() -> Seed {
        Seed::new(0)
    }
}

/// The little-endian word of up to 8 bytes.
#[inline]
fn fold(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// A mask of the low `n` bytes of a word (`n` >= 8: all of it), without a branch.
#[inline(always)]
fn low_bytes(n: usize) -> u64 {
    let shift = 64usize.saturating_sub(8 * n.min(8));
    u64::MAX.checked_shr(shift as u32).unwrap_or(0)
}

/// One field of an open object.
#[derive(Debug, Clone, Copy)]
struct Field {
    /// Where the field starts in the output (at its comma, if it has one).
    start: usize,
    key: Key,
    /// The next place of this key in the object.
    next: u32,
    /// A first place: its key's last place so far (itself when alone). A later place
    /// (written at the first): [`NONE`].
    last: u32,
    /// The key came again right after this field, so its value was made a run of the
    /// values, `[v1,v2,...]` (see [`Grouper::extend_run`]).
    run: bool,
}

impl Field {
    /// A key's first place, record `i` (its own last place so far).
    #[inline(always)]
    fn first(start: usize, key: Key, i: u32) -> Field {
        Field {
            start,
            key,
            next: NONE,
            last: i,
            run: false,
        }
    }

    /// Not the key's first place?
    #[inline(always)]
    fn later(&self) -> bool {
        self.last == NONE
    }
}

/// An open object.
#[derive(Debug, Clone, Copy)]
struct Open {
    /// Its first record in [`Grouper::fields`].
    fields: usize,
    /// [`Grouper::long_keys`]'s length when it opened.
    long: usize,
    /// Where its first field starts in the output (just after its `{`).
    start: usize,
    /// One bit per key fingerprint seen (of 256): a key whose bit is clear is new
    /// without a look at the others.
    bloom: [u64; 4],
    /// Distinct keys so far.
    distinct: usize,
    /// Distinct keys past which a key takes [`Grouper::key_general`] even when the filter
    /// says it is new: [`SCAN`], or 0 once the object has a table (which every first
    /// place must enter) or while a run is open (whose `]` the next key writes).
    scan: usize,
    /// Its table, once it has more than [`SCAN`] distinct keys or [`SCAN_FIELDS`]
    /// fields: where it starts in [`Grouper::slots`], and its size (a power of two; 0:
    /// none).
    table: usize,
    table_size: usize,
    /// A key repeated after another key came between: the object is rebuilt when it
    /// closes.
    repeats: bool,
    /// The last field's value is a run still open (`[v1,v2` with no `]` yet).
    run: bool,
}

/// Group mode's bookkeeping beside the renderer: the fields of the open objects.
#[derive(Debug, Default)]
pub(crate) struct Grouper {
    fields: Vec<Field>,
    long_keys: Vec<u8>,
    objects: Vec<Open>,
    /// The tables of the open objects with more than [`SCAN`] distinct keys, outer
    /// objects first: each its keys' first places by fingerprint, open addressing with
    /// linear probing, at most half full. An object gets keys only while it is the
    /// innermost, so its table is the last one when it grows.
    slots: Vec<Slot>,
    /// Bytes the rebuilds have copied so far (see [`REGROUP_FACTOR`]).
    copied: usize,
    /// The secret the keys' fingerprints are made with (see [`Grouper::set_seed`]).
    seed: Seed,
}

impl Grouper {
    /// An object opens; its first field will start at output offset `start`.
    #[inline]
    pub fn open(&mut self, start: usize) {
        self.objects.push(Open {
            fields: self.fields.len(),
            long: self.long_keys.len(),
            start,
            bloom: [0; 4],
            distinct: 0,
            scan: SCAN,
            table: self.slots.len(),
            table_size: 0,
            repeats: false,
            run: false,
        });
    }

    /// Make the keys' fingerprints with `seed` (before the first key; later it is
    /// ignored, as the keys recorded so far were found with the old one). The output does
    /// not depend on it; a secret one keeps keys crafted to share a fingerprint (and so
    /// a probe chain, which costs time quadratic in their number) from being made.
    pub fn set_seed(&mut self, seed: u64) {
        if self.fields.is_empty() {
            self.seed = Seed::new(seed);
        }
    }

    /// Open objects (the root included).
    pub fn depth(&self) -> usize {
        self.objects.len()
    }

    /// A key of the innermost open object is about to be written at `w`'s cursor.
    /// `bytes` is the key as the parser gave it; `rest` the input from its first byte
    /// (or `bytes` itself). Returns true when the key is the last field's key again: its
    /// value then joins that field's run of values ([`Grouper::extend_run`]), and the
    /// caller writes the value alone, as a list element, not the key. When the records
    /// cannot grow (the cap, or memory), the key is not recorded and `w` [is over its
    /// cap](JsonWriter::over_cap): the caller reports that at the next key, and the
    /// output is not used.
    #[inline(always)]
    pub fn key(&mut self, bytes: &[u8], rest: &[u8], w: &mut JsonWriter) -> bool {
        let start = w.len();
        if self.fields.len() == self.fields.capacity() && !self.make_room(0, w) {
            return false;
        }
        let n = bytes.len();
        if n > 16 && self.long_keys.capacity() - self.long_keys.len() < n && !self.make_room(n, w) {
            return false;
        }
        let long_before = self.long_keys.len();
        let key = Key::new(bytes, rest, &mut self.long_keys, self.seed);
        let fp = key.fingerprint(self.seed);
        let Some(open) = self.objects.last_mut() else {
            return false;
        };
        let bit = 1u64 << ((fp >> 56) & 63);
        let mut seen = true;
        if let Some(word) = open.bloom.get_mut((fp >> 62) as usize) {
            seen = *word & bit != 0;
            *word |= bit;
        }
        open.distinct += 1;
        if seen || open.distinct > open.scan {
            return self.key_general(key, fp, start, seen, long_before, w);
        }
        let Ok(i) = u32::try_from(self.fields.len()) else {
            return false;
        };
        self.fields.push(Field::first(start, key, i));
        false
    }

    /// [`key`](Grouper::key) for a key that may repeat (its filter bit was set), after a
    /// run, or in an object with a table (found through it, mostly in one probe).
    #[inline(never)]
    fn key_general(
        &mut self,
        key: Key,
        fp: u64,
        mut start: usize,
        seen: bool,
        long_before: usize,
        w: &mut JsonWriter,
    ) -> bool {
        let count = self.fields.len();
        let Some(open) = self.objects.last() else {
            return false;
        };
        // Most repeated keys come right after themselves (`core=A core=B`).
        let again = seen
            && count > open.fields
            && self
                .fields
                .last()
                .is_some_and(|last| last.key.same(key, &self.long_keys));
        if again {
            self.extend_run(long_before, w);
            return true;
        }
        if open.run {
            self.end_run(w);
            start = w.len();
        }
        let Ok(i) = u32::try_from(count) else {
            return false;
        };
        if self.objects.last().is_some_and(|o| {
            let tabled = o.table_size > 0
                || o.distinct > SCAN
                || count.saturating_sub(o.fields) > SCAN_FIELDS;
            tabled && o.distinct.saturating_mul(2) > o.table_size
        }) {
            self.grow_table(w);
        }
        let Some(open) = self.objects.last_mut() else {
            return false;
        };
        let mut first = None;
        if open.table_size > 0 {
            let table = self
                .slots
                .get_mut(open.table..open.table.saturating_add(open.table_size))
                .unwrap_or_default();
            let (fields, long_keys) = (&self.fields, &self.long_keys);
            first = probe(table, fp, i, |j| {
                fields
                    .get(j as usize)
                    .is_some_and(|f| f.key.same(key, long_keys))
            });
        } else if seen {
            first = find(&self.fields, open, key, &self.long_keys);
        }
        if let Some(first) = first {
            // A later place: chained to its key's first place, its key bytes not kept.
            open.distinct -= 1;
            self.long_keys.truncate(long_before);
            if let Some(f) = self.fields.get_mut(first as usize) {
                let last = std::mem::replace(&mut f.last, i);
                if let Some(l) = self.fields.get_mut(last as usize) {
                    l.next = i;
                }
            }
            open.repeats = true;
            self.fields.push(Field {
                start,
                key,
                next: NONE,
                last: NONE,
                run: false,
            });
            return false;
        }
        self.fields.push(Field::first(start, key, i));
        false
    }

    /// The innermost object's last key came again: its field's value becomes (or stays)
    /// a run of the values, `"k":[v1,v2,...]`, the form group mode gives a repeated key,
    /// made in place as the values arrive: the first repeat moves the value already
    /// written one byte on for the `[`, the next key (or the object's end) writes the
    /// `]`, and the key itself is not written again. An object whose keys repeat only
    /// so (most, in saves) is not rebuilt when it closes.
    #[inline(never)]
    fn extend_run(&mut self, long_before: usize, w: &mut JsonWriter) {
        // The key's bytes are not kept for a later place.
        self.long_keys.truncate(long_before);
        let Some(open) = self.objects.last_mut() else {
            return;
        };
        open.distinct -= 1;
        if open.run {
            return;
        }
        open.run = true;
        // Every key comes to `key_general` until the run's `]` is written.
        open.scan = 0;
        let Some(last) = self.fields.last_mut() else {
            return;
        };
        last.run = true;
        let end = w.len();
        let value = value_start(w.output(), last.start, end);
        self.charge(end.saturating_sub(value));
        w.insert(value, b'[');
    }

    /// Close the innermost object's open run, if any, with its `]`.
    #[inline]
    pub fn end_run(&mut self, w: &mut JsonWriter) {
        let Some(open) = self.objects.last_mut() else {
            return;
        };
        if open.run {
            open.run = false;
            open.scan = if open.table_size > 0 { 0 } else { SCAN };
            w.raw_byte(b']');
        }
    }

    /// Count `bytes` copied by a rebuild or moved for a run's `[` against the budget of
    /// [`REGROUP_FACTOR`] (see [`over_budget`](Grouper::over_budget)).
    #[inline]
    fn charge(&mut self, bytes: usize) {
        self.copied = self.copied.saturating_add(bytes);
    }

    /// Give the innermost object a table (again) at four times its distinct keys,
    /// holding its first places so far.
    #[cold]
    #[inline(never)]
    fn grow_table(&mut self, w: &mut JsonWriter) {
        let seed = self.seed;
        let Some(open) = self.objects.last_mut() else {
            return;
        };
        let size = open
            .distinct
            .saturating_mul(4)
            .max(TABLE_MIN)
            .checked_next_power_of_two()
            .unwrap_or(usize::MAX);
        let len = open.table.saturating_add(size);
        if self
            .slots
            .try_reserve(len.saturating_sub(self.slots.len()))
            .is_err()
        {
            w.out_of_memory();
            return;
        }
        open.table_size = size;
        open.scan = 0;
        self.slots.truncate(open.table);
        self.slots.resize(len, Slot::EMPTY);
        let table = self.slots.get_mut(open.table..).unwrap_or_default();
        let mine = self.fields.get(open.fields..).unwrap_or_default();
        let base = u32::try_from(open.fields).unwrap_or(NONE);
        for (j, f) in (base..).zip(mine) {
            if !f.later() {
                // The first places are distinct keys: each takes a free slot.
                probe(table, f.key.fingerprint(seed), j, |_| false);
            }
        }
        w.hold_elsewhere(self.bytes().saturating_sub(RECORDS_ALLOWANCE));
    }

    /// Make room for one more record and a key of `key_len` bytes (kept when longer
    /// than 16), counted against `w`'s cap; false when the cap or memory does not allow
    /// it.
    #[cold]
    #[inline(never)]
    fn make_room(&mut self, key_len: usize, w: &mut JsonWriter) -> bool {
        let long = if key_len > 16 { key_len } else { 0 };
        if self.fields.try_reserve(1).is_err() || self.long_keys.try_reserve(long).is_err() {
            w.out_of_memory();
            return false;
        }
        w.hold_elsewhere(self.bytes().saturating_sub(RECORDS_ALLOWANCE))
    }

    /// The bytes the records hold (allocated, not just used).
    fn bytes(&self) -> usize {
        self.fields.capacity() * FIELD_BYTES
            + self.slots.capacity() * SLOT_BYTES
            + self.long_keys.capacity()
            + self.objects.capacity() * std::mem::size_of::<Open>()
    }

    /// The innermost object closes (or turns mixed) with its fields ending at the
    /// writer's cursor: rebuilt in place when a key repeated, and forgotten.
    #[inline]
    pub fn close(&mut self, w: &mut JsonWriter) -> Result<(), ErrorKind> {
        self.end_run(w);
        let mut result = Ok(());
        if self.objects.last().is_some_and(|o| o.repeats) {
            result = self.rebuild(w);
        } else if self.over_budget(w.len()) {
            result = Err(ErrorKind::RegroupLimit {
                factor: REGROUP_FACTOR,
            });
        }
        self.forget();
        result
    }

    /// Have the rebuilds and runs moved more than their budget, with `held` bytes of
    /// JSON held (see [`REGROUP_FACTOR`])?
    fn over_budget(&self, held: usize) -> bool {
        // Every object's close asks; below the allowance (every real save) one
        // comparison answers.
        self.copied > REGROUP_ALLOWANCE
            && self.copied
                > REGROUP_FACTOR
                    .saturating_mul(held)
                    .saturating_add(REGROUP_ALLOWANCE)
    }

    /// Drop the innermost object's records.
    #[inline]
    fn forget(&mut self) {
        let Some(open) = self.objects.pop() else {
            return;
        };
        self.slots.truncate(open.table);
        self.fields.truncate(open.fields);
        self.long_keys.truncate(open.long);
    }

    /// Rebuild the innermost object's fields in first-place order: from the first
    /// repeated key's first place on (the fields before it stay where they are).
    #[inline(never)]
    fn rebuild(&mut self, w: &mut JsonWriter) -> Result<(), ErrorKind> {
        let Some(open) = self.objects.last().copied() else {
            return Ok(());
        };
        let fields = self.fields.get(open.fields..).unwrap_or_default();
        let kept = open.fields
            + fields
                .iter()
                .position(|f| f.next != NONE)
                .unwrap_or(fields.len());
        let Some(from) = self.fields.get(kept).map(|f| f.start) else {
            return Ok(());
        };
        // Each rebuild copies its object's bytes from the first repeated key on, nested
        // objects included, so objects with repeated keys nested n deep copy their bytes
        // n times; past the budget, the input is refused rather than copied on.
        self.charge(w.len().saturating_sub(from));
        if self.over_budget(w.len()) {
            return Err(ErrorKind::RegroupLimit {
                factor: REGROUP_FACTOR,
            });
        }
        let moved = self.fields.get(kept..).unwrap_or_default();
        w.rebuild_from(from, |out, spare| {
            emit_fields(out, moved, kept, out.len(), &mut |b: &[u8]| spare.put(b));
        });
        Ok(())
    }

    /// The document ends with the root object's fields ending at `end` of `out`; hand
    /// on `out` with them in first-place order (as ranges of `out`, no copy).
    pub fn emit_root<F: FnMut(&[u8])>(&mut self, out: &[u8], end: usize, emit: &mut F) {
        let Some(open) = self.objects.last().copied() else {
            emit(out);
            return;
        };
        if !open.repeats {
            emit(out);
        } else {
            emit(out.get(..open.start).unwrap_or_default());
            let fields = self.fields.get(open.fields..).unwrap_or_default();
            emit_fields(out, fields, open.fields, end, emit);
            emit(out.get(end..).unwrap_or_default());
        }
        self.forget();
    }
}

/// One slot of an object's table: the first place of a key.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The key's fingerprint's low half (the record is read only when it matches).
    check: u32,
    /// The first place's record; [`NONE`]: the slot is empty.
    first: u32,
}

impl Slot {
    const EMPTY: Slot = Slot {
        check: 0,
        first: NONE,
    };
}

/// Look up a key with fingerprint `fp` in `table` (open addressing with linear probing,
/// its size a power of two): the first place of a slot whose check matches and for which
/// `is_key` holds, or, at the first empty slot, `None` after filling it with record `i`.
#[inline(always)]
fn probe(table: &mut [Slot], fp: u64, i: u32, mut is_key: impl FnMut(u32) -> bool) -> Option<u32> {
    let mask = table.len().wrapping_sub(1);
    let check = fp as u32;
    let mut at = ((fp >> 32) as usize) & mask;
    while let Some(slot) = table.get_mut(at) {
        if slot.first == NONE {
            *slot = Slot { check, first: i };
            return None;
        }
        if slot.check == check && is_key(slot.first) {
            return Some(slot.first);
        }
        at = (at + 1) & mask;
    }
    None
}

/// The first place of `key` among the fields of `open`, a small object (no table).
#[inline]
fn find(fields: &[Field], open: &Open, key: Key, long_keys: &[u8]) -> Option<u32> {
    let from = open.fields;
    let mine = fields.get(from..)?;
    let i = mine
        .iter()
        .position(|f| !f.later() && f.key.same(key, long_keys))?;
    u32::try_from(from + i).ok()
}

/// Hand on the fields `fields` (the records from index `base` of the grouper's, ending
/// at `end` of `out`) in first-place order, a repeated key's values as an array.
fn emit_fields<F: FnMut(&[u8])>(
    out: &[u8],
    fields: &[Field],
    base: usize,
    end: usize,
    emit: &mut F,
) {
    let at = |i: usize| fields.get(i.wrapping_sub(base));
    // Where field `i` (an index into the grouper's records) ends.
    let field_end = |i: usize| at(i + 1).map_or(end, |f| f.start);
    let bytes = |from: usize, to: usize| out.get(from..to).unwrap_or_default();
    for (i, f) in (base..).zip(fields) {
        if f.later() {
            continue;
        }
        let to = field_end(i);
        if f.next == NONE {
            emit(bytes(f.start, to));
            continue;
        }
        if f.run {
            // `"k":[v1,v2]`: open still for the later places' values.
            emit(bytes(f.start, to.saturating_sub(1)));
        } else {
            let value = value_start(out, f.start, to);
            emit(bytes(f.start, value));
            emit(b"[");
            emit(bytes(value, to));
        }
        let mut j = f.next;
        while let Some(g) = at(j as usize) {
            let to = field_end(j as usize);
            let value = value_start(out, g.start, to);
            emit(b",");
            if g.run {
                // A run's values, without its brackets.
                emit(bytes(value + 1, to.saturating_sub(1)));
            } else {
                emit(bytes(value, to));
            }
            j = g.next;
        }
        emit(b"]");
    }
}

/// Where the value of the compact field `out[start..end]` (`,"key":value`) starts.
fn value_start(out: &[u8], start: usize, end: usize) -> usize {
    let field = out.get(start..end).unwrap_or_default();
    let mut i = usize::from(field.first() == Some(&b','));
    // The key: a JSON string.
    i += 1;
    while let Some(&b) = field.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => break,
            _ => i += 1,
        }
    }
    // Past the closing quote and the colon.
    (start + i + 2).min(end)
}

/// Re-formats compact JSON as `serde_json`'s pretty printer writes the same value
/// (two-space indentation, `": "` after keys, `{}` and `[]` for empty containers), fed
/// in pieces of any size.
#[derive(Debug, Default)]
pub struct Prettifier {
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// A `{` or `[` was written and nothing after it yet: an empty container closes on
    /// the same line, else the first member goes on a new line.
    opened: bool,
    buf: Vec<u8>,
}

/// Pretty output is handed on in pieces of about this size.
const PRETTY_PIECE: usize = 64 << 10;

impl Prettifier {
    fn newline(&mut self) {
        newline_indent(self.depth, |b| self.buf.extend_from_slice(b));
    }

    /// The first member of a container just opened goes on a new line.
    #[inline]
    fn member(&mut self) {
        if self.opened {
            self.opened = false;
            self.newline();
        }
    }

    /// Re-format `json` (the next piece of the compact output), handing the result to
    /// `emit` in pieces.
    pub fn feed<F: FnMut(&[u8])>(&mut self, json: &[u8], emit: &mut F) {
        let mut rest = json;
        while !rest.is_empty() {
            if self.in_string {
                // Copy up to the closing quote (or the piece's end), a run at a time.
                if self.escaped {
                    // The byte after a backslash.
                    self.escaped = false;
                    let (run, after) = rest.split_at(1);
                    self.buf.extend_from_slice(run);
                    rest = after;
                    continue;
                }
                let n = memchr::memchr2(b'"', b'\\', rest).map_or(rest.len(), |i| i + 1);
                let (run, after) = rest.split_at(n);
                match run.last() {
                    Some(b'"') => self.in_string = false,
                    Some(b'\\') => self.escaped = true,
                    _ => {}
                }
                self.buf.extend_from_slice(run);
                rest = after;
                continue;
            }
            let Some((&b, after)) = rest.split_first() else {
                break;
            };
            rest = after;
            match b {
                b'{' | b'[' => {
                    self.member();
                    self.buf.push(b);
                    self.depth += 1;
                    self.opened = true;
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.opened {
                        self.opened = false;
                    } else {
                        self.newline();
                    }
                    self.buf.push(b);
                }
                b',' => {
                    self.buf.push(b',');
                    self.newline();
                }
                b':' => self.buf.extend_from_slice(b": "),
                b'"' => {
                    self.member();
                    self.buf.push(b);
                    self.in_string = true;
                }
                _ => {
                    self.member();
                    // A number or literal: copy it whole.
                    let n = rest
                        .iter()
                        .position(|&c| matches!(c, b',' | b'}' | b']' | b':' | b'"'))
                        .unwrap_or(rest.len());
                    self.buf.push(b);
                    let (run, after) = rest.split_at(n);
                    self.buf.extend_from_slice(run);
                    rest = after;
                }
            }
            if self.buf.len() >= PRETTY_PIECE {
                emit(&self.buf);
                self.buf.clear();
            }
        }
        if self.buf.len() >= PRETTY_PIECE {
            emit(&self.buf);
            self.buf.clear();
        }
    }

    /// Hand on what is left.
    pub fn finish<F: FnMut(&[u8])>(&mut self, emit: &mut F) {
        if !self.buf.is_empty() {
            emit(&self.buf);
            self.buf.clear();
        }
    }
}

/// `json` (compact, as this crate writes it) re-formatted by a [`Prettifier`].
pub fn prettify(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() * 2);
    let mut p = Prettifier::default();
    let mut emit = |b: &[u8]| out.extend_from_slice(b);
    p.feed(json, &mut emit);
    p.finish(&mut emit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{DuplicateKeyMode, JsonOptions};

    fn json(input: &str, mode: DuplicateKeyMode, pretty: bool) -> String {
        let options = JsonOptions {
            mode,
            pretty,
            ..JsonOptions::default()
        };
        let out = crate::to_json(input.as_bytes(), options).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn group(input: &str) -> String {
        json(input, DuplicateKeyMode::Group, false)
    }

    /// A key repeated right after itself is gathered in place; where the key comes
    /// again later, the rebuild joins the run's values (checked against jomini in
    /// `tests/group_mode.rs`; these are the shapes one by one).
    #[test]
    fn runs_of_a_key_repeated_right_after_itself() {
        let cases = [
            ("a=1 a=2", r#"{"a":[1,2]}"#),
            ("o={ a=1 a=2 }", r#"{"o":{"a":[1,2]}}"#),
            ("a={x=1} a={x=2}", r#"{"a":[{"x":1},{"x":2}]}"#),
            ("a={1 2} a={3}", r#"{"a":[[1,2],[3]]}"#),
            (
                "a = rgb {1 2 3} a > 5 a=x",
                r#"{"a":[{"rgb":[1,2,3]},{"GREATER_THAN":5},"x"]}"#,
            ),
            // A run, then the key after another key: a run head and a later place.
            ("a=1 a=2 b=3 a=4 a=5", r#"{"a":[1,2,4,5],"b":3}"#),
            ("a={1 2} b=1 a={3} a=4", r#"{"a":[[1,2],[3],4],"b":1}"#),
            ("b=0 a=1 b=1 b=2", r#"{"b":[0,1,2],"a":1}"#),
            // The object turns mixed inside a run: the run ends first.
            ("o={ a=1 a=2 x }", r#"{"o":{"a":[1,2],"remainder":["x"]}}"#),
        ];
        for (input, expected) in cases {
            assert_eq!(group(input), expected, "{input}");
        }
    }

    #[test]
    fn repeated_keys_are_gathered_at_their_first_place() {
        assert_eq!(group("a=1 b=2 a=3 c=4 a=5"), r#"{"a":[1,3,5],"b":2,"c":4}"#);
        assert_eq!(group("a=1 b=2 c=3"), r#"{"a":1,"b":2,"c":3}"#);
        assert_eq!(group(""), "{}");
        // Nested objects rebuilt at their own close, then moved whole.
        assert_eq!(
            group("x={ a=1 b={ c=1 d=2 c=3 } a=2 } y=1 x={ a=3 a=4 }"),
            r#"{"x":[{"a":[1,2],"b":{"c":[1,3],"d":2}},{"a":[3,4]}],"y":1}"#
        );
        assert_eq!(
            group("k={ p={ q={ r=1 r=2 } q=3 } p=4 }"),
            r#"{"k":{"p":[{"q":[{"r":[1,2]},3]},4]}}"#
        );
    }

    #[test]
    fn any_value_moves_whole() {
        // Objects, arrays, operators, headers, empty containers, strings with escapes.
        assert_eq!(
            group("a={1 2} b=1 a=rgb{1 2} a>3 a={} a=\"x\\\"}\" a={ c=1 }"),
            r#"{"a":[[1,2],{"rgb":[1,2]},{"GREATER_THAN":3},[],"x\"}",{"c":1}],"b":1}"#
        );
        assert_eq!(
            group("a=1 [[a] b=1 ] a=2 [[!a] c=1 ]"),
            r#"{"a":[1,{"b":1},2,{"c":1}]}"#
        );
        assert_eq!(
            group("l={ { a=1 a=2 } { a=3 } } l={ x y }"),
            r#"{"l":[[{"a":[1,2]},{"a":3}],["x","y"]]}"#
        );
    }

    #[test]
    fn keys_are_the_bytes_the_parser_gives() {
        // Quotes do not count; trailing whitespace in quotes and encodings do.
        assert_eq!(group("a=1 \"a\"=2 \"a \"=3 a=4"), r#"{"a":[1,2,4],"a":3}"#);
        let mixed_encodings = crate::to_json(
            b"a\xe9=1 a\xc3\xa9=2 a\xe9=3",
            JsonOptions {
                mode: DuplicateKeyMode::Group,
                ..JsonOptions::default()
            },
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(mixed_encodings).unwrap(),
            "{\"a\u{e9}\":[1,3],\"a\u{e9}\":2}"
        );
        // Keys past 16 bytes, alike in length, head or tail.
        let long = "prefix__middle_a__suffix=1 prefix__middle_b__suffix=2 \
                    prefix__middle_a__suffix=3 abcdefghijklmnopq=4 abcdefghijklmnopr=5 \
                    abcdefghijklmnopq=6 abcdefgh=7 abcdefgi=8 abcdefgh=9";
        assert_eq!(
            group(long),
            concat!(
                r#"{"prefix__middle_a__suffix":[1,3],"prefix__middle_b__suffix":2,"#,
                r#""abcdefghijklmnopq":[4,6],"abcdefghijklmnopr":5,"abcdefgh":[7,9],"#,
                r#""abcdefgi":8}"#
            )
        );
    }

    #[test]
    fn mixed_objects_group_their_fields_before_the_remainder() {
        assert_eq!(
            group("x={ a=1 b=2 a=3 1 a=5 } y=1"),
            r#"{"x":{"a":[1,3],"b":2,"remainder":[1,{"a":5}]},"y":1}"#
        );
        assert_eq!(
            group("x={ a=1 remainder=2 a=3 b 1 }"),
            r#"{"x":{"a":[1,3],"remainder":2,"__remainder":["b",1]}}"#
        );
        // Objects inside a remainder are grouped.
        assert_eq!(group("x={ 1 { a=1 a=2 } }"), r#"{"x":[1,{"a":[1,2]}]}"#);
    }

    /// Repeats are found in objects past the scanned size (the fingerprint map),
    /// nested in each other, and the maps are reused cleanly.
    #[test]
    fn repeats_in_large_objects() {
        let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        let repeated = |i: usize| i.is_multiple_of(7);
        let mut fields = String::new();
        for (i, k) in keys.iter().enumerate() {
            fields += &format!("{k}={i} ");
        }
        for (i, k) in keys.iter().enumerate().filter(|&(i, _)| repeated(i)) {
            fields += &format!("{k}=x{i} ");
        }
        let mut object = String::new();
        for (i, k) in keys.iter().enumerate() {
            if repeated(i) {
                object += &format!("\"{k}\":[{i},\"x{i}\"],");
            } else {
                object += &format!("\"{k}\":{i},");
            }
        }
        let object = object.trim_end_matches(',');
        let input = format!("o={{ {fields} p={{ {fields} }} }} q={{ {fields} }} {fields}");
        assert_eq!(
            group(&input),
            format!("{{\"o\":{{{object},\"p\":{{{object}}}}},\"q\":{{{object}}},{object}}}")
        );
    }

    /// Tables grow many times (the root's to thousands of keys) and nest: inner
    /// objects' tables sit above the root's and go when they close.
    #[test]
    fn repeats_across_table_growth() {
        let n = 1500;
        let inner: String = (0..40).map(|i| format!("b{i}={i} ")).collect();
        let inner_json: Vec<String> = (0..40)
            .map(|i| match i {
                0 => r#""b0":[0,"z"]"#.to_string(),
                _ => format!("\"b{i}\":{i}"),
            })
            .collect();
        let inner_json = format!("{{{}}}", inner_json.join(","));
        let mut input = String::new();
        for round in 0..3 {
            for k in 0..n {
                if k % 100 == 7 {
                    input += &format!("k{k}={{ {inner} b0=z }} ");
                } else {
                    input += &format!("k{k}={{ x={round} y={{ z=1 w={{ }} z=2 }} x=a }} ");
                }
            }
        }
        let object = |round: usize| format!(r#"{{"x":[{round},"a"],"y":{{"z":[1,2],"w":[]}}}}"#);
        let fields: Vec<String> = (0..n)
            .map(|k| match k % 100 {
                7 => format!("\"k{k}\":[{inner_json},{inner_json},{inner_json}]"),
                _ => format!("\"k{k}\":[{},{},{}]", object(0), object(1), object(2)),
            })
            .collect();
        assert_eq!(group(&input), format!("{{{}}}", fields.join(",")));
    }

    /// The root's fields are handed on as ranges of the held output, in first-place
    /// order: the pieces are what a rebuild would have written.
    /// An object of few distinct keys but many fields takes a table once it passes
    /// `SCAN_FIELDS` fields (a scan for a key's first place would pass over the later
    /// places of the keys before it: quadratic time), and every first place is found.
    /// With each key's fields together (`a=1 a=1 ... b=1 ...`) they are runs, one field
    /// each, and the later `a=3` joins the run's values.
    #[test]
    fn many_fields_of_few_keys() {
        for (n, together) in [10, SCAN_FIELDS, SCAN_FIELDS + 1, 1000]
            .into_iter()
            .flat_map(|n| [(n, false), (n, true)])
        {
            let mut input = String::from("o={ ");
            if together {
                for key in ["a", "b", "c"] {
                    input += &format!("{key}=1 ").repeat(n);
                }
            } else {
                input += &"a=1 b=1 c=1 ".repeat(n);
            }
            input += "d=2 a=3 b=4 d=5 }";
            let ones = |extra: &str| format!("[{}{extra}]", vec!["1"; n].join(","));
            let expected = format!(
                r#"{{"o":{{"a":{},"b":{},"c":{},"d":[2,5]}}}}"#,
                ones(",3"),
                ones(",4"),
                ones("")
            );
            assert_eq!(group(&input), expected, "n = {n}, together {together}");
        }
    }

    /// Long keys that differ only in their middle bytes (same length, first 8 and last
    /// 8 bytes) are told apart, and their repeats found.
    #[test]
    fn long_keys_that_differ_in_the_middle() {
        let key = |i: usize| format!("aaaaaaaa{:04}aaaaaaaa", i);
        let mut input = String::from("o={ ");
        for i in 0..2000 {
            input += &format!("{}={i} ", key(i));
        }
        input += &format!("{}=x {}=y }}", key(7), key(1999));
        let fields: Vec<String> = (0..2000)
            .map(|i| match i {
                7 => format!(r#""{}":[7,"x"]"#, key(i)),
                1999 => format!(r#""{}":[1999,"y"]"#, key(i)),
                _ => format!(r#""{}":{i}"#, key(i)),
            })
            .collect();
        assert_eq!(
            group(&input),
            format!(r#"{{"o":{{{}}}}}"#, fields.join(","))
        );
    }

    #[test]
    fn the_root_is_handed_on_by_ranges() {
        let options = JsonOptions {
            mode: DuplicateKeyMode::Group,
            ..JsonOptions::default()
        };
        let input = b"a=1 b={ c=1 c=2 } a=2 d=3 b=4";
        let mut t = crate::Transcoder::new(options);
        let mut fed = Vec::new();
        t.feed(input, &mut fed).unwrap();
        // Nothing is handed on before the end: a later key may move anything.
        assert!(fed.is_empty());
        let mut pieces = Vec::new();
        t.finish_with(|b| pieces.push(String::from_utf8(b.to_vec()).unwrap()))
            .unwrap();
        assert_eq!(pieces.concat(), r#"{"a":[1,2],"b":[{"c":[1,2]},4],"d":3}"#);
        // The root's first field's key, then its first value, come as separate ranges.
        assert!(pieces.len() > 3, "{pieces:?}");
        assert!(pieces.contains(&"[".to_string()), "{pieces:?}");
    }

    /// Pretty output is the pretty writer's, for every shape.
    #[test]
    fn prettified_compact_json_is_the_pretty_writers() {
        let cases = [
            "",
            "a=1",
            "a={} b={ } c={ {} } d={ 1 2 } e={ f={ g=h } }",
            "a=\"x{y}[z],:\\\"q\\\\\" b=\"\\\\\" c=\"\" d={ \"}\" \"{\" \"[\" }",
            "a=1 a={ b=1 b={} } a={ } a=rgb{1 2} a<=3 x={ 1 b=2 }",
            "l={ { a=1 } { } { 1 } } m={ a=1 2 { } }",
            "a=\"\t\x01\" b=\"é\"",
        ];
        for case in cases {
            for mode in [
                DuplicateKeyMode::Preserve,
                DuplicateKeyMode::Group,
                DuplicateKeyMode::KeyValuePairs,
            ] {
                let compact = json(case, mode, false);
                let pretty = json(case, mode, true);
                assert_eq!(
                    String::from_utf8(prettify(compact.as_bytes())).unwrap(),
                    pretty,
                    "{case:?} {mode:?}"
                );
                // Fed in pieces split anywhere, byte by byte included.
                for split in 0..=compact.len() {
                    let (a, b) = compact.as_bytes().split_at(split);
                    let mut out = Vec::new();
                    let mut p = Prettifier::default();
                    let mut emit = |x: &[u8]| out.extend_from_slice(x);
                    p.feed(a, &mut emit);
                    for byte in b.chunks(1) {
                        p.feed(byte, &mut emit);
                    }
                    p.finish(&mut emit);
                    assert_eq!(String::from_utf8(out).unwrap(), pretty, "{case:?} {split}");
                }
            }
        }
        assert_eq!(
            String::from_utf8(prettify(br#"{"a":[],"b":{},"c":[{}],"d":"\\"}"#)).unwrap(),
            "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    {}\n  ],\n  \"d\": \"\\\\\"\n}"
        );
    }

    #[test]
    fn group_pretty_output() {
        assert_eq!(
            json("a=1 b={ c=1 c={ } } a=2", DuplicateKeyMode::Group, true),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {\n    \"c\": [\n      1,\n      []\n    ]\n  }\n}"
        );
    }

    #[test]
    fn value_start_skips_the_key() {
        let out = br#"{"a":1,"b\"\\":{"c":2}}"#;
        assert_eq!(value_start(out, 1, 6), 5);
        assert_eq!(&out[value_start(out, 6, 22)..22], br#"{"c":2}"#);
    }
}
