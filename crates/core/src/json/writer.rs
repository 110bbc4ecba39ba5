//! A JSON writer that produces the bytes `serde_json` produces (compact or pretty with
//! two-space indentation), with no allocation per value and O(1) state: the only thing
//! kept per JSON level is implied by `first`, since a closed child is always a value of
//! its parent.

use super::Narrowing;
use crate::text::encoding::{self, Encoding, Short};
use crate::text::scalar::{Narrowed, narrow, write_common_number};

#[derive(Debug)]
pub struct JsonWriter {
    out: Vec<u8>,
    pretty: bool,
    depth: usize,
    first: bool,
    after_key: bool,
    encoding: Encoding,
    narrowing: Narrowing,
}

impl JsonWriter {
    pub fn new(pretty: bool, encoding: Encoding, narrowing: Narrowing) -> Self {
        JsonWriter {
            out: Vec::with_capacity(64 << 10),
            pretty,
            depth: 0,
            first: true,
            after_key: false,
            encoding,
            narrowing,
        }
    }

    pub fn set_encoding(&mut self, encoding: Encoding) {
        self.encoding = encoding;
    }

    /// The output written since the last [`take`](JsonWriter::take).
    pub fn output(&self) -> &[u8] {
        &self.out
    }

    /// Move the output written so far into `dst` (appending), keeping the buffer.
    pub fn drain_into(&mut self, dst: &mut Vec<u8>) {
        if dst.is_empty() {
            std::mem::swap(dst, &mut self.out);
        } else {
            dst.extend_from_slice(&self.out);
            self.out.clear();
        }
    }

    pub fn len(&self) -> usize {
        self.out.len()
    }

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    fn newline_indent(&mut self) {
        self.out.push(b'\n');
        for _ in 0..self.depth {
            self.out.extend_from_slice(b"  ");
        }
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
            self.out.push(b',');
        }
        if self.pretty && self.depth > 0 {
            self.newline_indent();
        }
        self.first = false;
    }

    #[inline]
    pub fn begin_object(&mut self) {
        self.separator();
        self.out.push(b'{');
        self.depth += 1;
        self.first = true;
    }

    #[inline]
    pub fn end_object(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        if self.pretty && !self.first {
            self.newline_indent();
        }
        self.out.push(b'}');
        self.first = false;
    }

    #[inline]
    pub fn begin_array(&mut self) {
        self.separator();
        self.out.push(b'[');
        self.depth += 1;
        self.first = true;
    }

    #[inline]
    pub fn end_array(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        if self.pretty && !self.first {
            self.newline_indent();
        }
        self.out.push(b']');
        self.first = false;
    }

    #[inline]
    fn colon(&mut self) {
        if self.pretty {
            self.out.extend_from_slice(b": ");
        } else {
            self.out.push(b':');
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
        self.out.push(b'"');
        encoding::push_escaped_utf8(&mut self.out, s.as_bytes());
        self.out.push(b'"');
        self.colon();
    }

    /// A parameter key: `[name]` or `[!name]`.
    pub fn key_parameter(&mut self, name: &[u8], defined: bool) {
        self.separator();
        self.parameter_body(name, defined);
        self.colon();
    }

    fn parameter_body(&mut self, name: &[u8], defined: bool) {
        self.out
            .extend_from_slice(if defined { b"\"[" } else { b"\"[!" });
        let name = encoding::trim_end(name);
        encoding::push_text(&mut self.out, name, self.encoding, false);
        self.out.extend_from_slice(b"]\"");
    }

    /// A parameter name as a string value: `"[name]"` or `"[!name]"`.
    pub fn parameter_value(&mut self, name: &[u8], defined: bool) {
        self.separator();
        self.parameter_body(name, defined);
    }

    /// A string value from text.
    pub fn str_value(&mut self, s: &str) {
        self.separator();
        self.out.push(b'"');
        encoding::push_escaped_utf8(&mut self.out, s.as_bytes());
        self.out.push(b'"');
    }

    /// A scalar's text as a string value, with no narrowing.
    pub fn scalar_str(&mut self, bytes: &[u8], quoted: bool) {
        self.separator();
        self.string_body(bytes, quoted);
    }

    pub fn null(&mut self) {
        self.separator();
        self.out.extend_from_slice(b"null");
    }

    /// An unquoted object key, `rest` being the input from its first byte on: a short
    /// plain key is copied in one piece.
    #[inline]
    pub fn key_in(&mut self, bytes: &[u8], rest: &[u8]) {
        match Short::new(bytes, rest) {
            Some(short) if short.is_plain() => {
                self.separator();
                self.out.push(b'"');
                short.put(&mut self.out);
                self.out.push(b'"');
                self.colon();
            }
            _ => self.key_scalar(bytes, false),
        }
    }

    /// [`scalar`](JsonWriter::scalar), `rest` being the input from the scalar's first byte
    /// on: short integers and plain words, most of a save, are tested and copied in one
    /// piece; anything else takes the general path.
    #[inline]
    pub fn scalar_in(&mut self, bytes: &[u8], rest: &[u8], quoted: bool) {
        if let Some(short) = Short::new(bytes, rest) {
            let try_narrow = match self.narrowing {
                Narrowing::All => true,
                Narrowing::Unquoted => !quoted,
                Narrowing::None => false,
            };
            match bytes.first() {
                // Canonical integers of up to 15 digits are written as they are (see
                // `write_common_number`).
                Some(b'1'..=b'9') if try_narrow && bytes.len() <= 15 && short.is_digits() => {
                    self.separator();
                    short.put(&mut self.out);
                    return;
                }
                Some(b'0') if try_narrow && bytes.len() == 1 => {
                    self.separator();
                    self.out.push(b'0');
                    return;
                }
                // Not a number nor a bool even when narrowing; a quoted string ending in
                // a space is trimmed, so it goes the general way.
                Some(&c) if plain_string(c, try_narrow, quoted, bytes) && short.is_plain() => {
                    self.separator();
                    self.out.push(b'"');
                    short.put(&mut self.out);
                    self.out.push(b'"');
                    return;
                }
                _ => {}
            }
        }
        self.scalar(bytes, quoted);
    }

    /// A scalar value, narrowed to a bool or number when the options allow.
    #[inline]
    pub fn scalar(&mut self, bytes: &[u8], quoted: bool) {
        self.separator();
        let try_narrow = match self.narrowing {
            Narrowing::All => true,
            Narrowing::Unquoted => !quoted,
            Narrowing::None => false,
        };
        if try_narrow {
            // Dispatch on the first byte: most scalars are words, which no number or
            // bool starts like, or integers, which the common-number path copies.
            let written = match bytes.first() {
                Some(b'0'..=b'9' | b'-' | b'+' | b'.') => {
                    write_common_number(bytes, &mut self.out) || self.number(bytes)
                }
                Some(b'y' | b'n') => match bytes {
                    b"yes" => {
                        self.out.extend_from_slice(b"true");
                        true
                    }
                    b"no" => {
                        self.out.extend_from_slice(b"false");
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

    /// The numbers [`write_common_number`] leaves: written if `bytes` narrows to one.
    /// Kept out of line so that the hot path does not carry the formatters' buffers.
    #[inline(never)]
    fn number(&mut self, bytes: &[u8]) -> bool {
        match narrow(bytes) {
            Narrowed::Str => false,
            Narrowed::Bool(b) => {
                self.out
                    .extend_from_slice(if b { b"true" } else { b"false" });
                true
            }
            Narrowed::I64(i) => {
                let mut buf = itoa::Buffer::new();
                self.out.extend_from_slice(buf.format(i).as_bytes());
                true
            }
            Narrowed::U64(u) => {
                let mut buf = itoa::Buffer::new();
                self.out.extend_from_slice(buf.format(u).as_bytes());
                true
            }
            Narrowed::F64(f) => {
                let mut buf = zmij::Buffer::new();
                self.out.extend_from_slice(buf.format_finite(f).as_bytes());
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
        self.out.reserve(bytes.len() + 4);
        self.out.push(b'"');
        encoding::push_text(&mut self.out, bytes, self.encoding, quoted);
        self.out.push(b'"');
    }
}

/// Can a scalar starting with `first` only be written as a string, with nothing trimmed?
/// Numbers and bools start with a digit, a sign, a dot, `y` or `n`; a quoted string
/// loses a trailing space.
#[inline(always)]
fn plain_string(first: u8, try_narrow: bool, quoted: bool, bytes: &[u8]) -> bool {
    let maybe_narrowed =
        try_narrow && matches!(first, b'0'..=b'9' | b'-' | b'+' | b'.' | b'y' | b'n');
    let trimmed = quoted && bytes.last() == Some(&b' ');
    !maybe_narrowed && !trimmed
}
