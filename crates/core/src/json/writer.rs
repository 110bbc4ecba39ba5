//! A JSON writer that produces the bytes `serde_json` produces (compact or pretty with
//! two-space indentation), with no allocation per value and O(1) state: the only thing
//! kept per JSON level is implied by `first`, since a closed child is always a value of
//! its parent.
//!
//! Output goes through a cursor: `buf[..pos]` is the output and `buf` is kept (zero-filled
//! when it grows) at least `ROOM` bytes longer, so a whole `"key":value` of short tokens
//! is written with one length check and a few fixed-size stores, rather than a capacity
//! check per byte as `Vec::push` does. No `unsafe` is needed for that.

use super::Narrowing;
use crate::text::encoding::{self, Encoding};
use crate::text::scalar::{Narrowed, narrow, write_common_number};
use crate::text::{Shape, Token};

/// Bytes always writable past the cursor: the longest thing the fixed-size paths write
/// (`,"key":"value"` with two 16-byte tokens is 38) rounded up.
const ROOM: usize = 64;
/// The buffer's first size; it doubles when needed and is kept across drains.
const INITIAL: usize = 64 << 10;
/// How far the zero-filled part of the buffer runs ahead of the cursor (see
/// [`JsonWriter::grow`]): small enough to stay in cache, large enough that growing is rare.
const STEP: usize = 256 << 10;
/// A newline and the indentation of up to 32 levels, for pretty output in one copy.
// Built at compile time: an index out of bounds fails the build, it cannot run.
#[allow(clippy::indexing_slicing)]
const INDENT: [u8; 65] = {
    let mut t = [b' '; 65];
    t[0] = b'\n';
    t
};

/// Hand `put` a newline and the indentation of `depth` levels (two spaces each), as
/// `serde_json`'s pretty printer writes them: one copy up to 32 levels.
#[inline(always)]
pub(crate) fn newline_indent(depth: usize, mut put: impl FnMut(&[u8])) {
    match INDENT.get(..1 + 2 * depth) {
        Some(indent) => put(indent),
        None => {
            put(b"\n");
            for _ in 0..depth {
                put(b"  ");
            }
        }
    }
}

#[derive(Debug)]
pub struct JsonWriter {
    buf: Vec<u8>,
    pos: usize,
    pretty: bool,
    depth: usize,
    first: bool,
    after_key: bool,
    encoding: Encoding,
    /// May a quoted / an unquoted scalar become a bool or number?
    narrow_quoted: bool,
    narrow_unquoted: bool,
    /// For the few writers that produce a `Vec` (escaping, number formatting).
    scratch: Vec<u8>,
    /// The most output the buffer may hold (group mode's held JSON; `usize::MAX`
    /// otherwise), and whether a write found it, or memory, exhausted: the writes from
    /// then on are dropped, and the caller must report the error.
    cap: usize,
    over_cap: bool,
    /// Bytes held beside the buffer that count against `cap` too (group mode's records).
    elsewhere: usize,
}

/// What a short value token is written as, decided from its 16-byte window.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A number whose JSON is the token's first `n` bytes: a canonical integer of up to
    /// 15 digits, or a decimal of up to 15 digits with trailing fraction zeros dropped.
    Raw(usize),
    /// Copied between quotes: plain bytes that no narrowing or trimming changes.
    Str,
    True,
    False,
    /// Anything else: the general path decides.
    Other,
}

/// A token of at most 16 bytes seen through a 16-byte window of the input that starts at
/// the token: tested as one 128-bit value and copied with one 16-byte store (two 64-bit
/// operations on x86-64 and Wasm alike).
#[derive(Clone, Copy)]
struct Window<'a> {
    bytes: &'a [u8; 16],
    len: usize,
    /// What the lexer knows of the token's bytes: when known, the tests below need not
    /// look at them.
    shape: Shape,
}

const ONES: u128 = u128::MAX / 0xFF;

/// `MASKS[n]` keeps a window's first `n` bytes (a table, not a 128-bit shift, which costs
/// a dozen instructions and branches).
// Built at compile time: an index out of bounds fails the build, it cannot run.
#[allow(clippy::indexing_slicing)]
const MASKS: [u128; 17] = {
    let mut t = [0u128; 17];
    let mut n = 1;
    while n < 17 {
        t[n] = (t[n - 1] << 8) | 0xFF;
        n += 1;
    }
    t
};

impl<'a> Window<'a> {
    #[inline(always)]
    fn new(token: Token<'a>) -> Option<Self> {
        let window = token.rest.first_chunk::<16>()?;
        (token.bytes.len() <= 16).then_some(Window {
            bytes: window,
            len: token.bytes.len(),
            shape: token.shape,
        })
    }

    /// The window with the bytes past the token replaced by `fill`.
    #[inline(always)]
    fn filled(self, fill: u8) -> u128 {
        let mask = MASKS.get(self.len).copied().unwrap_or(u128::MAX);
        (u128::from_le_bytes(*self.bytes) & mask) | ((ONES * u128::from(fill)) & !mask)
    }

    /// Every byte copies into a JSON string as is: ASCII, not a control character, quote
    /// or backslash.
    #[inline(always)]
    fn is_plain(self) -> bool {
        if self.shape.is_known() {
            return self.shape.is_plain();
        }
        let w = self.filled(b'a');
        encoding::special_bytes(w as u64) | encoding::special_bytes((w >> 64) as u64) == 0
    }

    /// Every byte from the second on is an ASCII digit.
    #[inline(always)]
    fn tail_is_digits(self) -> bool {
        if self.shape.is_known() {
            return self.shape.digits_after_first();
        }
        let w = (self.filled(b'0') & !0xFF) | u128::from(b'0');
        // A byte 0x30-0x3F whose low nibble plus 6 stays below 0x10 is a digit; adding 6
        // carries into the next byte only from bytes the first test already rejects.
        w & (ONES * 0xF0) == ONES * 0x30 && w.wrapping_add(ONES * 6) & (ONES * 0xF0) == ONES * 0x30
    }

    /// How the token is written, `narrowing` telling whether it may become a number or
    /// a bool, `quoted` whether a trailing space would be trimmed.
    #[inline(always)]
    fn kind(self, narrowing: bool, quoted: bool) -> Kind {
        let [first, second, ..] = *self.bytes;
        let len = self.len;
        if narrowing {
            match first {
                b'1'..=b'9' if len <= 15 && self.tail_is_digits() => return Kind::Raw(len),
                b'0' if len == 1 => return Kind::Raw(1),
                b'-' if matches!(second, b'1'..=b'9') && len >= 2 && self.tail_is_digits() => {
                    return Kind::Raw(len);
                }
                b'y' if len == 3 && self.bytes.starts_with(b"yes") => return Kind::True,
                b'n' if len == 2 && second == b'o' => return Kind::False,
                b'0'..=b'9' | b'-' => {
                    if let Some(kind) = self.numeric() {
                        return kind;
                    }
                    if let Some(n) = self.decimal_len() {
                        return Kind::Raw(n);
                    }
                    // Dates (`1444.11.11`) and words like `3rd` go on as strings.
                    if !self.never_number() {
                        return Kind::Other;
                    }
                }
                b'+' | b'.' => return Kind::Other,
                _ => {}
            }
        }
        if len == 0 || quoted && self.bytes.get(len - 1) == Some(&b' ') || !self.is_plain() {
            return Kind::Other;
        }
        Kind::Str
    }

    /// The commonest unquoted tokens, decided from a known [`Shape`]: `Some(0)` for a
    /// number copied as is (an integer of up to 15 digits, negative ones too), `Some(1)` for a plain word
    /// copied between quotes (not `yes` or `no` when `narrowing`); `None` for the rest.
    #[inline(always)]
    fn quick(self, narrowing: bool) -> Option<usize> {
        let shape = self.shape;
        if !shape.is_known() || self.len == 0 {
            return None;
        }
        match self.bytes[0] {
            b'1'..=b'9' if narrowing && self.len <= 15 && shape.digits_after_first() => Some(0),
            b'0' if narrowing && self.len == 1 => Some(0),
            b'-' if narrowing
                && self.len >= 2
                && matches!(self.bytes[1], b'1'..=b'9')
                && shape.digits_after_first() =>
            {
                Some(0)
            }
            b'A'..=b'Z' | b'_' | b'a'..=b'm' | b'o'..=b'x' | b'z' if shape.is_plain() => Some(1),
            b'n' | b'y' if !narrowing && shape.is_plain() => Some(1),
            _ => None,
        }
    }

    /// A list element of up to 8 bytes that [`numeric`](Window::numeric) decides (what
    /// [`kind`](Window::kind) would make of it): `(0, n)` for a decimal whose JSON is its
    /// first `n` bytes, `(1, len)` for a date copied between quotes; `None` for the rest.
    #[inline(always)]
    fn list_decimal(self, narrowing: bool) -> Option<(usize, usize)> {
        if !narrowing || self.len > 8 || !matches!(self.bytes[0], b'0'..=b'9' | b'-') {
            return None;
        }
        match self.numeric()? {
            Kind::Raw(n) => Some((0, n)),
            Kind::Str => Some((1, self.len)),
            _ => None,
        }
    }

    /// Decimals and dates (a digit or `-`, then digits and dots, as the lexer's [`Shape`]
    /// says) decided from the window's bits instead of [`decimal_len`](Window::decimal_len)'s
    /// and [`never_number`](Window::never_number)'s byte loops, with the same results:
    /// one dot is a decimal whose JSON is the token's first `n` bytes (or `None` when
    /// `decimal_len` would refuse it, for the general path), two or more a string. `None`
    /// too when the shape is unknown or says otherwise, or the token has no dot.
    #[inline(always)]
    fn numeric(self) -> Option<Kind> {
        if !self.shape.is_known() || !self.shape.digits_dots_after_first() {
            return None;
        }
        if self.len <= 8 {
            return self.numeric8();
        }
        let len = self.len;
        let token = MASKS.get(len).copied()?;
        let w = u128::from_le_bytes(*self.bytes);
        // After the first byte only digits (0x30-0x39) and `.` (0x2E) remain: a `.` is a
        // byte whose 0x10 bit is clear.
        let dots = !w & (ONES * 0x10) & token & !0xFF;
        if dots == 0 {
            return None;
        }
        if dots & (dots - 1) != 0 {
            // `1444.11.11`: never a number, and such bytes need no escapes.
            return self.shape.is_plain().then_some(Kind::Str);
        }
        let dot = (dots.trailing_zeros() / 8) as usize;
        // Bytes of the fraction other than `0`: a digit's low nibble plus 15 carries into
        // its 0x10 bit unless the nibble is zero (and never into the next byte).
        let fraction = token & !MASKS.get(dot + 1).copied()?;
        let nonzero = ((w & (ONES * 0x0F)) + ONES * 0x0F) & (ONES * 0x10) & fraction;
        self.decimal(
            dot,
            (nonzero != 0).then(|| {
                let first = nonzero.trailing_zeros() / 8;
                let last = (127 - nonzero.leading_zeros()) / 8;
                (first as usize, last as usize)
            }),
        )
    }

    /// [`numeric`](Window::numeric) for a token of at most 8 bytes (nearly every decimal
    /// of a save), in one 64-bit word: the same steps, at half the cost of 128-bit ones.
    #[inline(always)]
    fn numeric8(self) -> Option<Kind> {
        const ONES8: u64 = u64::MAX / 0xFF;
        let len = self.len;
        let low = self.bytes.first_chunk::<8>()?;
        let w = u64::from_le_bytes(*low);
        let token = u64::MAX.checked_shr(64 - 8 * len as u32).unwrap_or(0);
        let dots = !w & (ONES8 * 0x10) & token & !0xFF;
        if dots == 0 {
            return None;
        }
        if dots & (dots - 1) != 0 {
            return self.shape.is_plain().then_some(Kind::Str);
        }
        let dot = (dots.trailing_zeros() / 8) as usize;
        let fraction = token & u64::MAX.checked_shl(8 * (dot as u32 + 1)).unwrap_or(0);
        let nonzero = ((w & (ONES8 * 0x0F)) + ONES8 * 0x0F) & (ONES8 * 0x10) & fraction;
        self.decimal(
            dot,
            (nonzero != 0).then(|| {
                let first = nonzero.trailing_zeros() / 8;
                let last = (63 - nonzero.leading_zeros()) / 8;
                (first as usize, last as usize)
            }),
        )
    }

    /// The decimal rule of [`numeric`](Window::numeric) and
    /// [`numeric8`](Window::numeric8), on the byte positions their word tests found: the
    /// token's only dot, and the first and last bytes of its fraction other than `0`
    /// (`None` when the fraction is all zeros).
    #[inline(always)]
    fn decimal(self, dot: usize, nonzero: Option<(usize, usize)>) -> Option<Kind> {
        let start = usize::from(self.bytes[0] == b'-');
        let (int, frac) = (dot.checked_sub(start)?, self.len - dot - 1);
        if int == 0 || frac == 0 || int + frac > 15 {
            return None;
        }
        let lead_zero = self.bytes.get(start) == Some(&b'0');
        if int > 1 && lead_zero {
            return None;
        }
        if int == 1 && lead_zero {
            // `0.00000…`: below 1e-5 the formatter writes an exponent.
            let zeros = nonzero.map_or(frac, |(first, _)| first - (dot + 1));
            if zeros >= 5 {
                return None;
            }
        }
        // Trailing fraction zeros dropped, one digit kept.
        let end = nonzero.map_or(dot + 2, |(_, last)| last + 1);
        Some(Kind::Raw(end))
    }

    /// A token starting with a digit or `-` that [`narrow`] leaves a string whatever its
    /// value: after the first byte, a number has only digits, at most one `.` and at most
    /// a final `f`, so a second `.` or any other byte makes it a string.
    #[inline]
    fn never_number(self) -> bool {
        let rest = self.bytes.get(1..self.len).unwrap_or_default();
        let mut dots = 0;
        for &b in rest {
            match b {
                b'0'..=b'9' | b'f' => {}
                b'.' => dots += 1,
                _ => return true,
            }
        }
        dots > 1
    }

    /// For `-?D+.D+` of at most 15 digits, the integer part without leading zeros (a
    /// lone `0` aside): the length of its JSON, which is the token with trailing fraction
    /// zeros dropped (one kept), as [`write_common_number`] writes it. `None` for the rest
    /// (also for values below 1e-5, which the formatter writes with an exponent).
    #[inline]
    fn decimal_len(self) -> Option<usize> {
        let token = self.bytes.get(..self.len)?;
        let digits = token.strip_prefix(b"-").unwrap_or(token);
        let dot = digits.iter().position(|&b| b == b'.')?;
        let (int, frac) = (digits.get(..dot)?, digits.get(dot + 1..)?);
        if int.is_empty()
            || frac.is_empty()
            || int.len() + frac.len() > 15
            || int.len() > 1 && int.starts_with(b"0")
            || int == b"0" && frac.starts_with(b"00000")
            || !int.iter().all(u8::is_ascii_digit)
            || !frac.iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        let kept = frac.iter().rposition(|&b| b != b'0').map_or(1, |i| i + 1);
        Some(token.len() - frac.len() + kept)
    }
}

/// The bytes past a [`JsonWriter`]'s cursor that a rebuild writes into
/// ([`JsonWriter::rebuild_from`]).
pub(crate) struct Spare<'a> {
    room: &'a mut [u8],
    len: usize,
    overflow: bool,
}

impl Spare<'_> {
    /// Append `bytes`.
    #[inline]
    pub fn put(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        match self.room.get_mut(self.len..end) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.len = end;
            }
            None => self.overflow = true,
        }
    }
}

impl JsonWriter {
    pub fn new(pretty: bool, encoding: Encoding, narrowing: Narrowing) -> Self {
        JsonWriter {
            buf: Vec::new(),
            pos: 0,
            pretty,
            depth: 0,
            first: true,
            after_key: false,
            encoding,
            narrow_quoted: narrowing == Narrowing::All,
            narrow_unquoted: narrowing != Narrowing::None,
            scratch: Vec::new(),
            cap: usize::MAX,
            over_cap: false,
            elsewhere: 0,
        }
    }

    /// Hold at most `cap` bytes of output: a write beyond it, or one whose memory cannot
    /// be had, is dropped and [`over_cap`](JsonWriter::over_cap) says so (group mode,
    /// whose output is held until the input ends). Without a cap the buffer grows
    /// infallibly, as `Vec` does (the streaming modes drain it after every feed).
    pub fn set_cap(&mut self, cap: usize) {
        self.cap = cap;
    }

    /// The cap set last.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Has a write been dropped at the cap (or for want of memory), or the output (with
    /// what group mode holds beside it) passed the cap (a
    /// fixed-size write near it may go up to `ROOM` (64) bytes past)?
    pub fn over_cap(&self) -> bool {
        self.over_cap || self.pos.saturating_add(self.elsewhere) > self.cap
    }

    /// Count `bytes` held beside the buffer (group mode's records of open objects)
    /// against the cap from now on. Returns false when that puts the output over it.
    pub(crate) fn hold_elsewhere(&mut self, bytes: usize) -> bool {
        self.elsewhere = bytes;
        // What is allocated, not just written, must fit (the buffer's own growth stops
        // at the cap left to it).
        if self.buf.capacity().saturating_add(bytes) > self.cap.saturating_add(ROOM) {
            self.over_cap = true;
        }
        !self.over_cap()
    }

    /// Note that memory for something held beside the buffer could not be had: the
    /// caller reports [`over_cap`](JsonWriter::over_cap) as for the buffer's own growth.
    pub(crate) fn out_of_memory(&mut self) {
        self.over_cap = true;
    }

    /// The cap left for the buffer itself.
    fn own_cap(&self) -> usize {
        self.cap.saturating_sub(self.elsewhere)
    }

    pub fn set_encoding(&mut self, encoding: Encoding) {
        self.encoding = encoding;
    }

    /// The output written since the last [`drain_into`](JsonWriter::drain_into).
    pub fn output(&self) -> &[u8] {
        self.buf.get(..self.pos).unwrap_or_default()
    }

    /// Move the output written so far into `dst` (appending), keeping the buffer.
    pub fn drain_into(&mut self, dst: &mut Vec<u8>) {
        dst.extend_from_slice(self.output());
        self.pos = 0;
    }

    pub fn len(&self) -> usize {
        self.pos
    }

    /// Make room for `len` bytes of output in one allocation, if memory allows (group
    /// mode's size hint; a failure is left for the growth that needs it).
    pub fn try_reserve(&mut self, len: usize) {
        let want = len.min(self.own_cap()).saturating_add(ROOM);
        if want > self.buf.capacity() {
            // Only reserved: `grow` zero-fills it a step at a time as the output arrives.
            let _ = self.buf.try_reserve_exact(want - self.buf.len());
        }
    }

    /// Drop the output written so far, keeping the buffer.
    pub fn clear(&mut self) {
        self.pos = 0;
    }

    /// Rebuild the output from offset `at` on (group mode's objects with repeated keys):
    /// `fill` is given the output and writes its replacement, never longer than what it
    /// replaces, into the buffer past the cursor, where later output goes anyway (so a
    /// rebuild needs no memory of its own); the replacement then moves to `at`. When the
    /// buffer cannot grow for it (the cap, or memory), the output is left as it is and
    /// [`over_cap`](JsonWriter::over_cap) says so.
    pub(crate) fn rebuild_from<F: FnOnce(&[u8], &mut Spare<'_>)>(&mut self, at: usize, fill: F) {
        if at > self.pos {
            // Unreachable (a field starts before the cursor), but `copy_within` below
            // must not be handed it.
            self.over_cap = true;
            return;
        }
        let len = self.pos - at;
        if self.pos.saturating_add(len) > self.buf.len() {
            self.grow(len);
        }
        let cursor = self.pos.min(self.buf.len());
        let (out, rest) = self.buf.split_at_mut(cursor);
        let Some(room) = rest.get_mut(..len) else {
            self.over_cap = true;
            return;
        };
        let mut spare = Spare {
            room,
            len: 0,
            overflow: false,
        };
        fill(out, &mut spare);
        let Spare { len, overflow, .. } = spare;
        if overflow {
            // Unreachable (a rebuilt object is never longer), but an error beats
            // corrupt output.
            self.over_cap = true;
            return;
        }
        self.buf.copy_within(self.pos..self.pos + len, at);
        self.pos = at + len;
    }

    /// Insert `byte` at offset `at` of the output, moving what follows it one byte on
    /// (group mode opens a run of a repeated key's values, `"k":[v1`, so). When the
    /// buffer cannot grow for it, the output is left as it is and
    /// [`over_cap`](JsonWriter::over_cap) says so.
    pub(crate) fn insert(&mut self, at: usize, byte: u8) {
        if at > self.pos {
            // Unreachable (a value starts before the cursor).
            self.over_cap = true;
            return;
        }
        if self.pos >= self.buf.len() {
            self.grow(1);
        }
        if self.pos >= self.buf.len() {
            // `grow` refused: it said so in `over_cap`.
            return;
        }
        self.buf.copy_within(at..self.pos, at + 1);
        if let Some(slot) = self.buf.get_mut(at) {
            *slot = byte;
        }
        self.pos += 1;
    }

    /// Append `byte` as it is, with no separator (group mode closes a run so, `]`).
    pub(crate) fn raw_byte(&mut self, byte: u8) {
        self.byte(byte);
    }

    pub fn is_empty(&self) -> bool {
        self.pos == 0
    }

    /// Make `buf` at least `need` + [`ROOM`] bytes longer than the output (so that the
    /// next small writes need not come here again).
    ///
    /// The allocation doubles, but the zero-filled length `buf.len()` runs only [`STEP`]
    /// bytes ahead of the cursor: fresh memory is then filled just before the writes that
    /// overwrite it, while it is still in cache. Filling a whole doubled half at once
    /// (group mode's held output is tens of MB) sends it to main memory, and every write
    /// fetches it back.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, need: usize) {
        if self.pos.saturating_add(need) > self.own_cap() {
            self.over_cap = true;
            return;
        }
        let want = self.pos.saturating_add(need).saturating_add(ROOM);
        if want > self.buf.capacity() {
            let doubled = want.max(self.buf.capacity().saturating_mul(2)).max(INITIAL);
            if self.cap == usize::MAX {
                self.buf.reserve_exact(doubled - self.buf.len());
            } else {
                // Doubling stops at the cap (plus the room the fixed-size writes need).
                let capped = doubled.min(self.own_cap().saturating_add(ROOM)).max(want);
                if self.buf.try_reserve_exact(capped - self.buf.len()).is_err() {
                    self.over_cap = true;
                    return;
                }
            }
        }
        let len = want
            .max(self.pos.saturating_add(STEP))
            .min(self.buf.capacity());
        self.buf.resize(len, 0);
    }

    /// The [`ROOM`] bytes at the cursor, to be written with fixed-size stores; the caller
    /// then moves the cursor past what it wrote.
    #[inline(always)]
    fn room(&mut self) -> Option<&mut [u8; ROOM]> {
        let end = self.pos + ROOM;
        if end > self.buf.len() {
            self.grow(ROOM);
        }
        self.buf.get_mut(self.pos..end)?.try_into().ok()
    }

    /// Append `bytes`.
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        let end = self.pos + bytes.len();
        if end > self.buf.len() {
            self.grow(bytes.len());
        }
        if let Some(dst) = self.buf.get_mut(self.pos..end) {
            dst.copy_from_slice(bytes);
            self.pos = end;
        }
    }

    /// Append one byte.
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        if self.pos >= self.buf.len() {
            self.grow(1);
        }
        if let Some(slot) = self.buf.get_mut(self.pos) {
            *slot = b;
            self.pos += 1;
        }
    }

    /// Append what a `Vec`-based helper (escaping, number formatting) wrote in `scratch`.
    fn put_scratch(&mut self) {
        let scratch = std::mem::take(&mut self.scratch);
        self.put(&scratch);
        self.scratch = scratch;
    }

    fn newline_indent(&mut self) {
        newline_indent(self.depth, |b| self.put(b));
    }

    /// Write what goes before a value: nothing after a key, else a comma when needed and,
    /// when pretty, a newline and indentation.
    #[inline]
    fn separator(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if !self.first {
            self.byte(b',');
        }
        if self.pretty && self.depth > 0 {
            self.newline_indent();
        }
        self.first = false;
    }

    /// [`separator`](JsonWriter::separator) for a value about to be written into
    /// [`room`](JsonWriter::room): compact output's comma is left to the caller, who
    /// writes `,` at the room's first byte and the value from the returned index (1 when
    /// the comma stays, 0 when the value overwrites it).
    #[inline(always)]
    fn lead(&mut self) -> usize {
        if self.pretty {
            self.separator();
            return 0;
        }
        let comma = !(self.first | self.after_key);
        self.first = false;
        self.after_key = false;
        usize::from(comma)
    }

    #[inline]
    pub fn begin_object(&mut self) {
        self.separator();
        self.byte(b'{');
        self.depth += 1;
        self.first = true;
    }

    #[inline]
    pub fn end_object(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        if self.pretty && !self.first {
            self.newline_indent();
        }
        self.byte(b'}');
        self.first = false;
    }

    #[inline]
    pub fn begin_array(&mut self) {
        self.separator();
        self.byte(b'[');
        self.depth += 1;
        self.first = true;
    }

    #[inline]
    pub fn end_array(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        if self.pretty && !self.first {
            self.newline_indent();
        }
        self.byte(b']');
        self.first = false;
    }

    #[inline]
    fn colon(&mut self) {
        if self.pretty {
            self.put(b": ");
        } else {
            self.byte(b':');
        }
        self.after_key = true;
    }

    /// An object key from a scalar's bytes.
    #[inline]
    pub fn key_scalar(&mut self, bytes: &[u8], quoted: bool) {
        self.separator();
        self.string_body(bytes, quoted);
        self.colon();
    }

    /// An object key from text.
    #[inline]
    pub fn key_str(&mut self, s: &str) {
        self.separator();
        self.text(s);
        self.colon();
    }

    /// A parameter key: `[name]` or `[!name]`.
    pub fn key_parameter(&mut self, name: &[u8], defined: bool) {
        self.separator();
        self.parameter_body(name, defined);
        self.colon();
    }

    fn parameter_body(&mut self, name: &[u8], defined: bool) {
        self.put(if defined { b"\"[" } else { b"\"[!" });
        let name = encoding::trim_end(name);
        self.scratch.clear();
        encoding::push_text(&mut self.scratch, name, self.encoding, false);
        self.put_scratch();
        self.put(b"]\"");
    }

    /// A parameter name as a string value: `"[name]"` or `"[!name]"`.
    pub fn parameter_value(&mut self, name: &[u8], defined: bool) {
        self.separator();
        self.parameter_body(name, defined);
    }

    /// A string value from text.
    pub fn str_value(&mut self, s: &str) {
        self.separator();
        self.text(s);
    }

    /// A scalar's text as a string value, with no narrowing.
    pub fn scalar_str(&mut self, bytes: &[u8], quoted: bool) {
        self.separator();
        self.string_body(bytes, quoted);
    }

    pub fn null(&mut self) {
        self.separator();
        self.put(b"null");
    }

    /// An unquoted object key: a short plain key is copied in one piece.
    #[inline(always)]
    pub fn key_in(&mut self, key: Token<'_>) {
        match Window::new(key) {
            Some(key) if key.is_plain() => {
                let at = self.lead();
                let pretty = self.pretty;
                if let Some(room) = self.room() {
                    room[0] = b',';
                    let end = put_key(room, at, key, pretty);
                    self.pos += end;
                }
                self.after_key = true;
            }
            _ => self.long_key_in(key),
        }
    }

    /// [`key_in`](JsonWriter::key_in) past 16 bytes: a key of up to 32 bytes that the lexer
    /// found plain is copied as two 16-byte pieces (Korea has ~105 K such keys, e.g.
    /// `last_war_ended_date`), the rest through [`key_scalar`](JsonWriter::key_scalar).
    #[inline(never)]
    fn long_key_in(&mut self, key: Token<'_>) {
        let len = key.bytes.len();
        if len <= 32
            && key.shape.is_known()
            && key.shape.is_plain()
            && let Some(window) = key.rest.first_chunk::<32>()
            && let (Some(low), Some(high)) = (window.first_chunk::<16>(), window.last_chunk::<16>())
        {
            let at = self.lead();
            let pretty = self.pretty;
            if let Some(room) = self.room() {
                room[0] = b',';
                put_at(room, at, b'"');
                put_window(room, at + 1, low);
                put_window(room, at + 17, high);
                put_at(room, at + 1 + len, b'"');
                put_at(room, at + 2 + len, b':');
                put_at(room, at + 3 + len, b' ');
                self.pos += at + 3 + len + usize::from(pretty);
            }
            self.after_key = true;
            return;
        }
        self.key_scalar(key.bytes, false);
    }

    /// Key-value-pairs mode's opening of a pair, `["key",`, for an unquoted key:
    /// [`begin_array`](JsonWriter::begin_array) then
    /// [`scalar_str`](JsonWriter::scalar_str), a short plain key in one piece.
    #[inline]
    pub fn pair_key_in(&mut self, key: Token<'_>) {
        match Window::new(key) {
            Some(key) if !self.pretty && key.is_plain() => {
                let at = self.lead();
                if let Some(room) = self.room() {
                    room[0] = b',';
                    put_at(room, at, b'[');
                    self.pos += put_str(room, at + 1, key);
                }
                self.depth += 1;
            }
            _ => {
                self.begin_array();
                self.scalar_str(key.bytes, false);
            }
        }
    }

    /// [`scalar`](JsonWriter::scalar) of a token: short integers, words and bools, most
    /// of a save, are tested and copied in one piece; anything else takes the general
    /// path.
    #[inline]
    pub fn scalar_in(&mut self, token: Token<'_>, quoted: bool) {
        if let Some(value) = Window::new(token) {
            let kind = value.kind(self.narrows(quoted), quoted);
            if kind != Kind::Other {
                let at = self.lead();
                if let Some(room) = self.room() {
                    room[0] = b',';
                    let end = put_value(room, at, value, kind);
                    self.pos += end;
                }
                return;
            }
        }
        self.scalar(token.bytes, quoted);
    }

    /// An unquoted list element: [`scalar_in`](JsonWriter::scalar_in) with its commonest
    /// cases, short integers and words in compact output, decided from the lexer's
    /// [`Shape`] and written without a branch on what they are. Inlined into the parser's
    /// list loop (a call per element cost as much as the writing); the rest is a call.
    #[inline(always)]
    pub fn element_in(&mut self, token: Token<'_>) {
        if self.pretty {
            self.element_general(token.bytes, token.rest, token.shape);
            return;
        }
        self.compact_element_in(token);
    }

    /// Is the output compact (not pretty)?
    #[inline(always)]
    pub fn is_compact(&self) -> bool {
        !self.pretty
    }

    /// [`element_in`](JsonWriter::element_in) when the output is known to be compact.
    #[inline(always)]
    pub fn compact_element_in(&mut self, token: Token<'_>) {
        debug_assert!(!self.pretty);
        if let Some(value) = Window::new(token) {
            let narrow = self.narrow_unquoted;
            let written = match value.quick(narrow) {
                Some(q) => Some((q, value.len)),
                // Decimals (`0.000`, Korea's lists hold ~280 K) decided here too, not
                // through `element_general`'s call and `kind`'s dispatch.
                None => value.list_decimal(narrow),
            };
            if let Some((q, len)) = written {
                let at = self.lead();
                if let Some(room) = self.room() {
                    room[0] = b',';
                    self.pos += put_quick(room, at, value, q, len);
                }
                return;
            }
        }
        self.element_general(token.bytes, token.rest, token.shape);
    }

    /// Does an unquoted scalar that reads as a number become one?
    #[inline]
    pub fn narrows_unquoted(&self) -> bool {
        self.narrow_unquoted
    }

    /// List elements that are numbers joined by single spaces (see
    /// [`Sink::number_run`](crate::text::Sink::number_run)), in compact output with
    /// unquoted scalars narrowed: their JSON is the run with a comma for each space and
    /// each decimal's trailing fraction zeros dropped (one kept), as
    /// `Window::decimal_len` decides for one.
    #[inline]
    pub fn number_run(&mut self, run: &[u8]) {
        debug_assert!(!self.pretty && self.narrow_unquoted);
        let comma = self.lead();
        let need = comma + run.len();
        let end = self.pos + need;
        if end > self.buf.len() {
            self.grow(need);
        }
        let Some(dst) = self.buf.get_mut(self.pos..end) else {
            return;
        };
        let (lead, body) = dst.split_at_mut(comma);
        lead.fill(b',');
        if memchr::memchr(b'.', run).is_none() {
            // Integers only (most runs): a copy LLVM vectorises.
            for (d, &s) in body.iter_mut().zip(run) {
                *d = if s == b' ' { b',' } else { s };
            }
            self.pos = end;
            return;
        }
        // One pass: a decimal's fraction is written as it comes, and at its end the
        // cursor steps back over the zeros after its last other digit (one digit kept).
        let mut at = 0;
        let mut cut = None;
        for &b in run {
            let out = match b {
                b' ' => {
                    if let Some(c) = cut.take() {
                        at = at.min(c);
                    }
                    b','
                }
                b'.' => {
                    cut = Some(at + 2);
                    b
                }
                _ => {
                    if b != b'0' && cut.is_some() {
                        cut = Some(at + 1);
                    }
                    b
                }
            };
            if let Some(d) = body.get_mut(at) {
                *d = out;
            }
            at += 1;
        }
        if let Some(c) = cut {
            at = at.min(c);
        }
        self.pos += comma + at;
    }

    /// Takes the token's parts, not a [`Token`]: a `Token` passed whole goes through
    /// memory, and the five stores filling it then ran for every list element, not only
    /// for those that come here (Korea, preserve: +4.8 M instructions).
    #[inline(never)]
    fn element_general(&mut self, bytes: &[u8], rest: &[u8], shape: Shape) {
        self.scalar_in(Token { bytes, rest, shape }, false);
    }

    /// A whole `key = value` field: [`key_in`](JsonWriter::key_in) then
    /// [`scalar_in`](JsonWriter::scalar_in), written with one length check when both
    /// tokens are short and plain. Inlined into the parser's field loop (the call per
    /// field cost as much as a short field's writing); the rest is a call.
    #[inline(always)]
    pub fn field_in(&mut self, key: Token<'_>, value: Token<'_>, quoted: bool) {
        if let Some((k, v, kind)) = self.short_field(key, value, quoted) {
            let at = self.lead();
            let pretty = self.pretty;
            if let Some(room) = self.room() {
                room[0] = b',';
                let at = put_key(room, at, k, pretty);
                let end = put_value(room, at, v, kind);
                self.pos += end;
            }
            return;
        }
        self.field_general(key, value, quoted);
    }

    /// [`field_in`](JsonWriter::field_in) off its fast path: the two tokens one by one.
    #[inline(never)]
    fn field_general(&mut self, key: Token<'_>, value: Token<'_>, quoted: bool) {
        self.key_in(key);
        self.scalar_in(value, quoted);
    }

    /// A whole `key = value` field in key-value-pairs mode, `["key",value]`, written as
    /// [`field_in`](JsonWriter::field_in) writes a field.
    #[inline]
    pub fn pair_in(&mut self, key: Token<'_>, value: Token<'_>, quoted: bool) {
        if !self.pretty
            && let Some((k, v, kind)) = self.short_field(key, value, quoted)
        {
            let at = self.lead();
            if let Some(room) = self.room() {
                room[0] = b',';
                put_at(room, at, b'[');
                let end = put_str(room, at + 1, k);
                put_at(room, end, b',');
                let end = put_value(room, end + 1, v, kind);
                put_at(room, end, b']');
                self.pos += end + 1;
            }
            return;
        }
        self.begin_array();
        self.scalar_str(key.bytes, false);
        self.scalar_in(value, quoted);
        self.end_array();
    }

    /// A `key = value` field the fixed-size paths write: a short plain key and a short
    /// value of a kind they handle.
    #[inline(always)]
    fn short_field<'a>(
        &self,
        key: Token<'a>,
        value: Token<'a>,
        quoted: bool,
    ) -> Option<(Window<'a>, Window<'a>, Kind)> {
        // Not `Option::filter`: with `field_in` inlined that stayed a call.
        let k = Window::new(key)?;
        if !k.is_plain() {
            return None;
        }
        let v = Window::new(value)?;
        let kind = v.kind(self.narrows(quoted), quoted);
        (kind != Kind::Other).then_some((k, v, kind))
    }

    #[inline(always)]
    fn narrows(&self, quoted: bool) -> bool {
        if quoted {
            self.narrow_quoted
        } else {
            self.narrow_unquoted
        }
    }

    /// A scalar value, narrowed to a bool or number when the options allow.
    #[inline]
    pub fn scalar(&mut self, bytes: &[u8], quoted: bool) {
        self.separator();
        if self.narrows(quoted) {
            // Dispatch on the first byte: most scalars are words, which no number or
            // bool starts like, or integers, which the common-number path copies.
            let written = match bytes.first() {
                Some(b'0'..=b'9' | b'-' | b'+' | b'.') => self.number(bytes),
                Some(b'y' | b'n') => match bytes {
                    b"yes" => {
                        self.put(b"true");
                        true
                    }
                    b"no" => {
                        self.put(b"false");
                        true
                    }
                    _ => false,
                },
                _ => false,
            };
            if written {
                return;
            }
        }
        self.string_body(bytes, quoted);
    }

    /// Written if `bytes` narrows to a number: the common forms without a round trip
    /// through binary (see [`write_common_number`]), the rest through the formatters.
    #[inline(never)]
    fn number(&mut self, bytes: &[u8]) -> bool {
        self.scratch.clear();
        if write_common_number(bytes, &mut self.scratch) {
            self.put_scratch();
            return true;
        }
        match narrow(bytes) {
            Narrowed::Str => false,
            Narrowed::Bool(b) => {
                self.put(if b { b"true" } else { b"false" });
                true
            }
            Narrowed::I64(i) => {
                let mut buf = itoa::Buffer::new();
                self.put(buf.format(i).as_bytes());
                true
            }
            Narrowed::U64(u) => {
                let mut buf = itoa::Buffer::new();
                self.put(buf.format(u).as_bytes());
                true
            }
            Narrowed::F64(f) => {
                let mut buf = zmij::Buffer::new();
                self.put(buf.format_finite(f).as_bytes());
                true
            }
        }
    }

    /// `"text"`: trailing whitespace trimmed (as jomini does), quoted escapes resolved.
    #[inline]
    fn string_body(&mut self, bytes: &[u8], quoted: bool) {
        // An unquoted scalar ends at whitespace, so only quoted ones need trimming.
        let bytes = if quoted {
            encoding::trim_end(bytes)
        } else {
            bytes
        };
        if encoding::is_plain(bytes) {
            self.put_quoted(bytes);
            return;
        }
        self.scratch.clear();
        encoding::push_text(&mut self.scratch, bytes, self.encoding, quoted);
        self.byte(b'"');
        self.put_scratch();
        self.byte(b'"');
    }

    /// `"text"` from text that is UTF-8 already.
    fn text(&mut self, s: &str) {
        if encoding::is_plain(s.as_bytes()) {
            self.put_quoted(s.as_bytes());
            return;
        }
        self.scratch.clear();
        encoding::push_escaped_utf8(&mut self.scratch, s.as_bytes());
        self.byte(b'"');
        self.put_scratch();
        self.byte(b'"');
    }

    /// `"bytes"`, `bytes` needing no escapes.
    #[inline]
    fn put_quoted(&mut self, bytes: &[u8]) {
        let end = self.pos + bytes.len() + 2;
        if end > self.buf.len() {
            self.grow(bytes.len() + 2);
        }
        if let Some([open, body @ .., close]) = self.buf.get_mut(self.pos..end) {
            *open = b'"';
            body.copy_from_slice(bytes);
            *close = b'"';
            self.pos = end;
        }
    }
}

/// Write `"key":` (`"key": ` when `pretty`) at `at`; returns where the value goes.
#[inline(always)]
fn put_key(room: &mut [u8; ROOM], at: usize, key: Window, pretty: bool) -> usize {
    let end = put_str(room, at, key);
    put_at(room, end, b':');
    put_at(room, end + 1, b' ');
    end + 1 + usize::from(pretty)
}

/// Write `"token"` at `at` (its bytes need no escapes); returns where it ends.
#[inline(always)]
fn put_str(room: &mut [u8; ROOM], at: usize, token: Window) -> usize {
    put_at(room, at, b'"');
    put_window(room, at + 1, token.bytes);
    put_at(room, at + 1 + token.len, b'"');
    at + 2 + token.len
}

/// Write a value [`Window::quick`] decided (`quotes` 0 or 1), the window's first `len`
/// bytes, at `at`, without a branch; returns where it ends.
#[inline(always)]
fn put_quick(room: &mut [u8; ROOM], at: usize, value: Window, quotes: usize, len: usize) -> usize {
    // A number's window overwrites the first quote; its second one lies past the end,
    // where the next write goes.
    put_at(room, at, b'"');
    put_window(room, at + quotes, value.bytes);
    put_at(room, at + quotes + len, b'"');
    at + len + 2 * quotes
}

/// Write a value of a kind other than [`Kind::Other`] at `at`; returns where it ends.
#[inline(always)]
fn put_value(room: &mut [u8; ROOM], at: usize, value: Window, kind: Kind) -> usize {
    match kind {
        Kind::Raw(n) => {
            put_window(room, at, value.bytes);
            at + n.min(16)
        }
        Kind::Str => put_str(room, at, value),
        Kind::True => {
            put_window(room, at, b"true\0\0\0\0\0\0\0\0\0\0\0\0");
            at + 4
        }
        Kind::False | Kind::Other => {
            put_window(room, at, b"false\0\0\0\0\0\0\0\0\0\0\0");
            at + 5
        }
    }
}

#[inline(always)]
fn put_at(room: &mut [u8; ROOM], at: usize, b: u8) {
    if let Some(slot) = room.get_mut(at) {
        *slot = b;
    }
}

#[inline(always)]
fn put_window(room: &mut [u8; ROOM], at: usize, window: &[u8; 16]) {
    if let Some(dst) = room.get_mut(at..).and_then(|r| r.first_chunk_mut::<16>()) {
        *dst = *window;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRICKY: &[&str] = &[
        "0",
        "00",
        "-0",
        "-",
        "1",
        "-1",
        "12",
        "0012",
        "123456789012345",
        "1234567890123456",
        "-123456789012345",
        "-1234567890123456",
        "1.5",
        "1.500",
        "1.000",
        "-0.0",
        "-0.000",
        "0.5",
        "00.5",
        "0.00001",
        "0.000001",
        "0.0000010",
        "1.",
        ".5",
        "+1",
        "1.2.3",
        "1444.11.11",
        "12345678901234.5",
        "1234567890123.45",
        "1.23456789012345",
        "1e5",
        "1.5f",
        "yes",
        "no",
        "y",
        "n",
        "yesx",
        "nope",
        "none",
        "abc",
        "a b ",
        "trailing ",
        "a\"b",
        "a\\b",
        "tab\there",
        "caf\u{e9}",
        "",
        "sixteen_bytes_xx",
        "seventeen_bytes_x",
        "-1.5",
        "-00.5",
        "9007199254740993",
        "-9.25",
        "10.10",
        "3rd",
        "1f5",
        "12f",
        "1.2f.3",
        "-abc",
        "0x1F",
        "1.-2",
        "-1-2",
        "1444.11.11f",
        "1.f",
        "-.5",
        "-5.",
        "--5",
    ];

    fn writers() -> Vec<(JsonWriter, JsonWriter)> {
        let mut all = Vec::new();
        for narrowing in [Narrowing::All, Narrowing::Unquoted, Narrowing::None] {
            for pretty in [false, true] {
                let w = || JsonWriter::new(pretty, Encoding::Windows1252, narrowing);
                all.push((w(), w()));
            }
        }
        all
    }

    /// `token` followed by other input, as the parser hands it over.
    fn with_rest(token: &[u8]) -> Vec<u8> {
        let mut rest = token.to_vec();
        rest.extend_from_slice(b" x=\"y\\\"\" 123456789 }\n");
        rest
    }

    /// Random tokens from the bytes that matter to the fast paths.
    fn random_tokens() -> Vec<Vec<u8>> {
        random_from(b"0123456789-.+eyno \"\\\xe9a_", 0x2545_f491_4f6c_dd1d, 19)
    }

    /// Random decimals, dates and integers (`Window::numeric`'s cases): zeros and dots
    /// often, a `-` sometimes; up to 35 bytes, so that some keys go `long_key_in`'s way.
    fn random_numbers() -> Vec<Vec<u8>> {
        random_from(b"000123456789..-", 0x9e37_79b9_7f4a_7c15, 36)
    }

    /// 20,000 tokens of fewer than `lengths` bytes from `alphabet`.
    fn random_from(alphabet: &[u8], seed: u64, lengths: u64) -> Vec<Vec<u8>> {
        let mut state = seed;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..20_000)
            .map(|_| {
                let len = (next() % lengths) as usize;
                (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    /// The ways a token reaches the writer: unquoted with the shape the lexer found or
    /// with none, and quoted (with none, as the lexer passes it).
    fn shapes(token: &[u8]) -> [(bool, Shape); 3] {
        [
            (false, Shape::of(token)),
            (false, Shape::UNKNOWN),
            (true, Shape::UNKNOWN),
        ]
    }

    fn all_tokens() -> Vec<Vec<u8>> {
        let mut tokens: Vec<Vec<u8>> = TRICKY.iter().map(|t| t.as_bytes().to_vec()).collect();
        tokens.extend(random_tokens());
        tokens.extend(random_numbers());
        tokens
    }

    /// Run `fast` and `slow` on both writers and compare what each appended.
    fn same(
        pair: &mut (JsonWriter, JsonWriter),
        what: &[u8],
        fast: impl FnOnce(&mut JsonWriter),
        slow: impl FnOnce(&mut JsonWriter),
    ) {
        let (a, b) = (pair.0.len(), pair.1.len());
        fast(&mut pair.0);
        slow(&mut pair.1);
        let got = String::from_utf8_lossy(&pair.0.output()[a..]);
        let want = String::from_utf8_lossy(&pair.1.output()[b..]);
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(what));
    }

    #[test]
    fn window_tests_match_the_byte_by_byte_tests() {
        // Every length up to 16, each byte class at each position, with arbitrary bytes
        // after the token in the window (which must not change the answers).
        let samples = [
            b'a', b'0', b'9', b'/', b':', b'"', b'\\', 0x1F, b' ', 0x7F, 0x80, 0xFF,
        ];
        for len in 0..=16 {
            for pos in 0..len.max(1) {
                for &b in &samples {
                    for &after in &[b'x', b'"', 0xFF, 0x00] {
                        let mut window = [after; 24];
                        window[..len].fill(b'5');
                        if len > 0 {
                            window[pos] = b;
                        }
                        let token = &window[..len];
                        // Tested from the bytes, and from the shape the lexer would pass.
                        for shape in [Shape::UNKNOWN, Shape::of(token)] {
                            let w = Window::new(Token {
                                bytes: token,
                                rest: &window,
                                shape,
                            })
                            .unwrap();
                            assert_eq!(w.is_plain(), encoding::is_plain(token), "{token:?}");
                            assert_eq!(
                                w.tail_is_digits(),
                                token.iter().skip(1).all(u8::is_ascii_digit),
                                "{token:?}"
                            );
                        }
                    }
                }
            }
        }
        assert!(
            Window::new(Token {
                bytes: b"abc",
                rest: b"abc",
                shape: Shape::UNKNOWN
            })
            .is_none(),
            "a window under 16 bytes"
        );
        assert!(
            Window::new(Token {
                bytes: &[b'a'; 17],
                rest: &[b'a'; 32],
                shape: Shape::UNKNOWN
            })
            .is_none(),
            "a token over 16 bytes"
        );
    }

    #[test]
    fn window_paths_write_what_the_general_path_writes() {
        let tokens = all_tokens();
        for mut pair in writers() {
            pair.0.begin_array();
            pair.1.begin_array();
            for token in &tokens {
                let rest = with_rest(token);
                for (quoted, shape) in shapes(token) {
                    let t = Token {
                        bytes: token,
                        rest: &rest,
                        shape,
                    };
                    same(
                        &mut pair,
                        token,
                        |w| w.scalar_in(t, quoted),
                        |w| w.scalar(token, quoted),
                    );
                    if !quoted {
                        same(
                            &mut pair,
                            token,
                            |w| w.element_in(t),
                            |w| w.scalar(token, false),
                        );
                    }
                }
            }
            same(
                &mut pair,
                b"]",
                JsonWriter::end_array,
                JsonWriter::end_array,
            );
        }
    }

    #[test]
    fn fused_fields_write_what_key_and_value_write() {
        let tokens = all_tokens();
        let keys = tokens.iter().filter(|t| !t.is_empty()).step_by(7);
        for mut pair in writers() {
            pair.0.begin_object();
            pair.1.begin_object();
            for (value, key) in tokens.iter().zip(keys.clone().cycle()) {
                let (key_rest, value_rest) = (with_rest(key), with_rest(value));
                let k = Token {
                    bytes: key,
                    rest: &key_rest,
                    shape: Shape::of(key),
                };
                for (quoted, shape) in shapes(value) {
                    let v = Token {
                        bytes: value,
                        rest: &value_rest,
                        shape,
                    };
                    let field = |w: &mut JsonWriter| w.field_in(k, v, quoted);
                    same(&mut pair, &[&key[..], b"=", value].concat(), field, |w| {
                        w.key_scalar(key, false);
                        w.scalar(value, quoted);
                    });
                    same(
                        &mut pair,
                        &[&key[..], b"=", value].concat(),
                        |w| w.pair_in(k, v, quoted),
                        |w| {
                            w.begin_array();
                            w.scalar_str(key, false);
                            w.scalar(value, quoted);
                            w.end_array();
                        },
                    );
                    same(
                        &mut pair,
                        key,
                        |w| {
                            w.pair_key_in(k);
                            w.null();
                            w.end_array();
                        },
                        |w| {
                            w.begin_array();
                            w.scalar_str(key, false);
                            w.null();
                            w.end_array();
                        },
                    );
                    same(
                        &mut pair,
                        key,
                        |w| {
                            w.key_in(k);
                            w.null();
                        },
                        |w| {
                            w.key_scalar(key, false);
                            w.null();
                        },
                    );
                }
            }
            same(
                &mut pair,
                b"}",
                JsonWriter::end_object,
                JsonWriter::end_object,
            );
        }
    }

    #[test]
    fn output_survives_growth_and_draining() {
        let mut w = JsonWriter::new(false, Encoding::Utf8, Narrowing::All);
        let mut expected = Vec::new();
        let mut out = Vec::new();
        w.begin_array();
        expected.push(b'[');
        let long = vec![b'x'; 3 * INITIAL];
        for i in 0..200_000u32 {
            let token = i.to_string();
            let rest = with_rest(token.as_bytes());
            w.scalar_in(
                Token {
                    bytes: token.as_bytes(),
                    rest: &rest,
                    shape: Shape::of(token.as_bytes()),
                },
                false,
            );
            if i > 0 {
                expected.push(b',');
            }
            expected.extend_from_slice(token.as_bytes());
            if i % 50_000 == 7 {
                w.scalar(&long, false);
                expected.push(b',');
                expected.push(b'"');
                expected.extend_from_slice(&long);
                expected.push(b'"');
            }
            if i % 70_001 == 0 {
                w.drain_into(&mut out);
                assert!(w.is_empty());
            }
        }
        w.end_array();
        expected.push(b']');
        w.drain_into(&mut out);
        assert_eq!(out, expected);
    }
}
