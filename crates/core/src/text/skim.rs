//! A skim of a whole document for group mode's index pass: object keys and where each
//! field's value ends, nothing else.
//!
//! Group mode's first read only needs each object's keys (to find repeats), where each
//! object starts (its identity, as [`Sink::open_object`](super::Sink::open_object) gives
//! it) and where each field's next item starts (the end of a jump over a later place).
//! It needs no scalar classified or handed over, no headers, no `then_op`. This walks the
//! common part of the grammar with the parser's own byte classes and scans, reporting
//! just that.
//!
//! It is exact by refusing rather than by covering the grammar: it accepts a document
//! only when every construct in it is one whose reading by the [`Parser`](super::Parser)
//! is plain (fields `key = value` with a plain or quoted key and a plain `=`; values that
//! are plain or quoted scalars or containers, also as `key {`; lists of such values; `{}` where the
//! parser drops it at a container's start). Anything else (other operators, headers
//! like `rgb {`, a value without a key, parameter blocks, `@[...]`, `]`, a token or
//! comment the input ends in, a missing `}`, a stray `}`, nesting past the depth limit)
//! makes [`skim`] return false and the caller index with the parser instead, so the
//! parser's errors and odd cases stay its own. What it accepts the parser accepts too,
//! reading the same objects at the same offsets.

use super::parser::{MAYBE_OP, class, scan_plain, scan_quoted, skip_plain_ws, starts_plain};
use super::tail;

/// Receives what a [`skim`] finds, in document order. Positions are indexes into the
/// input; offsets are absolute (the input's first byte is at `base`).
pub(crate) trait Skim {
    /// An object opens; `offset` is that of its first key, as the parser reports it.
    fn object(&mut self, offset: u64);
    /// A key of the innermost object: it starts at `start` (its quote, if quoted), its
    /// bytes are `input[body.0..body.1]`, and its value starts at `value_offset` (just
    /// after the `=`).
    fn key(&mut self, start: usize, body: (usize, usize), value_offset: u64);
    /// The innermost object's current field has ended, and its next item (the next key,
    /// the closing `}`, or the end of the input) starts at `next`, with only blanks and
    /// comments in between. `None`: where the parser hands over the value as a copy (an
    /// unquoted value at the very end of the root), whose place it then does not know.
    fn next_item(&mut self, next: Option<usize>);
    /// The innermost object closes.
    fn close_object(&mut self);
}

/// Skim `input` (a document, starting at absolute offset `base`) into `sink`: the root
/// object's fields and everything below them. False when the document is not one the
/// skim reads exactly (see the module documentation); then what `sink` received is
/// meaningless. The root object is not reported as opened or closed.
pub(crate) fn skim<S: Skim>(input: &[u8], base: u64, max_depth: usize, sink: &mut S) -> bool {
    let mut skimmer = Skimmer {
        input,
        base,
        max_depth,
        stack: Vec::new(),
        plain_from: 0,
    };
    skimmer.run(sink).is_some()
}

struct Skimmer<'a> {
    input: &'a [u8],
    base: u64,
    max_depth: usize,
    /// The open containers below the root: true for an object.
    stack: Vec<bool>,
    /// No [`plain_list`](Skimmer::plain_list) search starts before this input index.
    plain_from: usize,
}

impl Skimmer<'_> {
    /// `None`: not a document the skim reads exactly.
    fn run<S: Skim>(&mut self, sink: &mut S) -> Option<()> {
        let input = self.input;
        let mut i = blank(input, 0)?;
        // The innermost container is an object (the root is).
        let mut object = true;
        loop {
            if object {
                // A key, the object's `}`, or the end of the root.
                let Some(&c) = input.get(i) else {
                    return self.stack.is_empty().then_some(());
                };
                if c == b'}' {
                    // At the root a stray `}`, which the parser skips: refused.
                    self.stack.pop()?;
                    sink.close_object();
                    (i, object) = self.closed(i + 1, sink)?;
                    continue;
                }
                let (body, after) = if c == b'"' {
                    let end = scan_quoted(input, i + 1).ok()?;
                    ((i + 1, end), end + 1)
                } else if starts_plain(c) {
                    let end = self.plain_end(i)?;
                    ((i, end), end)
                } else {
                    return None;
                };
                let eq = blank(input, after)?;
                let (value_offset, v) = match input.get(eq) {
                    // `key {`: the value starts at the `{`.
                    Some(b'{') => (eq, eq),
                    // A plain `=` (`==` is another operator).
                    Some(b'=') if input.get(eq + 1) != Some(&b'=') => {
                        (eq + 1, blank(input, eq + 1)?)
                    }
                    _ => return None,
                };
                sink.key(i, body, self.base + value_offset as u64);
                match *input.get(v)? {
                    b'{' => (i, object) = self.open(v, sink)?,
                    b'"' => {
                        let end = scan_quoted(input, v + 1).ok()?;
                        i = blank(input, end + 1)?;
                        sink.next_item(Some(i));
                    }
                    c if starts_plain(c) => {
                        let end = self.plain_end(v)?;
                        i = blank(input, end)?;
                        // A `{` after a plain value makes it a header (`rgb {`), or is a
                        // `{}` the parser drops after it.
                        if input.get(i) == Some(&b'{') {
                            return None;
                        }
                        sink.next_item((i < input.len()).then_some(i));
                    }
                    _ => return None,
                }
            } else {
                // A list element or the list's `}`. Operators after an element would
                // make the list mixed: refused as the next element.
                match *input.get(i)? {
                    b'}' => {
                        self.stack.pop()?;
                        (i, object) = self.closed(i + 1, sink)?;
                    }
                    b'{' => (i, object) = self.open(i, sink)?,
                    b'"' => {
                        let end = scan_quoted(input, i + 1).ok()?;
                        i = blank(input, end + 1)?;
                    }
                    c if starts_plain(c) => {
                        if i >= self.plain_from
                            && let Some(end) = self.plain_list(i)
                        {
                            i = end;
                            continue;
                        }
                        let end = self.plain_end(i)?;
                        i = blank(input, end)?;
                        // A word before `{` in a list is a header (`rgb { .. }`).
                        if input.get(i) == Some(&b'{') && (c.is_ascii_alphabetic() || c == b'_') {
                            return None;
                        }
                    }
                    _ => return None,
                }
            }
        }
    }

    /// The rest of a list from `i` on, when it is plain scalars and whitespace only (no
    /// comment, quote, operator, bracket or `@`) up to its `}`: where that `}` is. The
    /// parser reads such a run as one element per scalar, so nothing in it matters to
    /// the index; it is found with a few vectorised byte searches instead of a token at
    /// a time (lists of numbers are a third of a save's bytes). Where a search stops
    /// short of a plain `}`, no other search starts before that place, so every byte is
    /// searched once at most.
    #[inline]
    fn plain_list(&mut self, i: usize) -> Option<usize> {
        let rest = tail(self.input, i);
        let stop = memchr::memchr3(b'}', b'{', b'"', rest);
        self.plain_from = i + stop.unwrap_or(rest.len());
        let run = rest.get(..stop?)?;
        if rest.get(stop?) != Some(&b'}')
            || memchr::memchr3(b'#', b'=', b'@', run).is_some()
            || memchr::memchr3(b'<', b'>', b'!', run).is_some()
            || memchr::memchr3(b'?', b'[', b']', run).is_some()
        {
            return None;
        }
        Some(self.plain_from)
    }

    /// The end of the plain scalar that starts at `i`. `None` when it stops at `!` or `?`
    /// (an operator or not, depending on the next byte) or at the end of the input (the
    /// parser carries such a token over, and may refuse it as too long).
    #[inline(always)]
    fn plain_end(&self, i: usize) -> Option<usize> {
        let end = scan_plain(self.input, i + 1);
        match self.input.get(end) {
            Some(&b) if class(b) & MAYBE_OP == 0 => Some(end),
            _ => None,
        }
    }

    /// A container opens at the `{` at `at`: decide from its first item whether it is an
    /// object or a list, as the parser does, and return where that item starts and the
    /// kind. An empty container (`{ }`, a list) is a value that has ended.
    fn open<S: Skim>(&mut self, mut at: usize, sink: &mut S) -> Option<(usize, bool)> {
        let input = self.input;
        loop {
            if self.stack.len() >= self.max_depth {
                return None;
            }
            let mut k = blank(input, at + 1)?;
            // `{}` as a container's first item is dropped (`{ {} a=1 }`).
            while input.get(k) == Some(&b'{') {
                let m = blank(input, k + 1)?;
                if input.get(m) != Some(&b'}') {
                    break;
                }
                k = blank(input, m + 1)?;
            }
            let after = match *input.get(k)? {
                b'}' => return self.closed(k + 1, sink),
                b'{' => {
                    // A list whose first element is a container.
                    self.stack.push(false);
                    at = k;
                    continue;
                }
                b'"' => scan_quoted(input, k + 1).ok()? + 1,
                c if starts_plain(c) => self.plain_end(k)?,
                _ => return None,
            };
            let object = match *input.get(blank(input, after)?)? {
                b'=' => true,
                b'<' | b'>' | b'!' | b'?' => return None,
                _ => false,
            };
            self.stack.push(object);
            if object {
                sink.object(self.base + k as u64);
            }
            return Some((k, object));
        }
    }

    /// A container value ended just before `after`: back in its parent, whose next item
    /// starts after blanks and comments.
    #[inline]
    fn closed<S: Skim>(&mut self, after: usize, sink: &mut S) -> Option<(usize, bool)> {
        let i = blank(self.input, after)?;
        let object = self.stack.last().copied().unwrap_or(true);
        if object {
            sink.next_item(Some(i));
        }
        Some((i, object))
    }
}

/// The first byte at or after `i` that is not whitespace or in a comment (`input.len()`
/// at the end; an `i` past the end comes back as it is). `None` when the input ends
/// inside a comment (the parser then holds it open at the end). Group mode's index pass
/// uses it too.
#[inline(always)]
pub(crate) fn blank(input: &[u8], mut i: usize) -> Option<usize> {
    loop {
        i = skip_plain_ws(input, i);
        if input.get(i) != Some(&b'#') {
            return Some(i);
        }
        i += memchr::memchr(b'\n', tail(input, i))? + 1;
    }
}
