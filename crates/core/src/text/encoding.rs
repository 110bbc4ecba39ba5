//! Turning scalar bytes into JSON string contents (UTF-8, escaped).
//!
//! Clausewitz files are Windows-1252 (EU4, CK2, older games) or UTF-8 (CK3, Vic3, HOI4,
//! Stellaris, Imperator). Output is always UTF-8 JSON, escaped the way `serde_json` escapes,
//! so that pdxedge's bytes equal jomini's.

use super::lookup;

/// How scalar bytes are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8; invalid sequences become U+FFFD, as `String::from_utf8_lossy` does.
    Utf8,
    /// Windows-1252 (a superset of Latin-1 used by older Paradox games).
    Windows1252,
    /// Per token: UTF-8 when the token is valid UTF-8, else Windows-1252. Used when neither
    /// the caller nor the file's header says which; ASCII tokens read the same either way.
    #[default]
    Auto,
}

/// Windows-1252 bytes 0x80..=0x9F as Unicode; the rest of the range is Latin-1.
/// The five undefined bytes map to their C1 control code points, as WHATWG does.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

#[inline]
pub fn windows1252_char(b: u8) -> char {
    match b {
        0x80..=0x9F => CP1252_HIGH
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(b),
    }
}

/// Byte classes for JSON string output: 0 = copy as is, 1 = escape, 2 = not ASCII.
// Built at compile time: an index out of bounds fails the build, it cannot run.
#[allow(clippy::indexing_slicing)]
const ESCAPE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if i < 0x20 || i == b'"' as usize || i == b'\\' as usize {
            1
        } else if i >= 0x80 {
            2
        } else {
            0
        };
        i += 1;
    }
    t
};

/// The lowercase hex digit of a nibble (`n < 16`).
#[inline]
fn hex_digit(n: u8) -> u8 {
    if n < 10 {
        b'0' + n
    } else {
        b'a'.wrapping_add(n - 10)
    }
}

#[inline]
fn push_escaped_ascii(out: &mut Vec<u8>, b: u8) {
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0C => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            hex_digit(b >> 4),
            hex_digit(b & 0xF),
        ]),
    }
}

/// Append already-UTF-8 text, escaped for a JSON string.
#[inline]
pub fn push_escaped_utf8(out: &mut Vec<u8>, s: &[u8]) {
    let mut rest = s;
    while let Some(i) = rest.iter().position(|&b| lookup(&ESCAPE_CLASS, b) == 1) {
        let Some((plain, [b, after @ ..])) = rest.split_at_checked(i) else {
            break;
        };
        out.extend_from_slice(plain);
        let b = *b;
        push_escaped_ascii(out, b);
        rest = after;
    }
    out.extend_from_slice(rest);
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

fn push_windows1252(out: &mut Vec<u8>, s: &[u8]) {
    for &b in s {
        match lookup(&ESCAPE_CLASS, b) {
            0 => out.push(b),
            1 => push_escaped_ascii(out, b),
            _ => push_char(out, windows1252_char(b)),
        }
    }
}

fn push_utf8_lossy(out: &mut Vec<u8>, s: &[u8]) {
    for chunk in s.utf8_chunks() {
        push_escaped_utf8(out, chunk.valid().as_bytes());
        if !chunk.invalid().is_empty() {
            push_char(out, char::REPLACEMENT_CHARACTER);
        }
    }
}

/// True when every byte of `s` can be copied into a JSON string as is: ASCII, not a
/// control character, quote or backslash. Eight bytes at a time.
#[inline]
pub fn is_plain(s: &[u8]) -> bool {
    let mut chunks = s.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if special_bytes(u64::from_le_bytes(word)) != 0 {
            return false;
        }
    }
    chunks
        .remainder()
        .iter()
        .all(|&b| lookup(&ESCAPE_CLASS, b) == 0)
}

/// Nonzero when a byte of `w` (eight bytes, little-endian) cannot be copied into a JSON
/// string as is: not ASCII, a control character, a quote or a backslash. Shared by
/// [`is_plain`] and the JSON writer's 16-byte window test.
#[inline(always)]
pub(crate) fn special_bytes(w: u64) -> u64 {
    const ONES: u64 = u64::MAX / 0xFF;
    const HIGH: u64 = ONES * 0x80;
    // A byte of zero sets its high bit (a borrow may also flag bytes above a true
    // one, which does not change whether any is flagged).
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    (w & HIGH)
        | (w.wrapping_sub(0x20 * ONES) & !w & HIGH)
        | has_zero(w ^ (u64::from(b'"') * ONES))
        | has_zero(w ^ (u64::from(b'\\') * ONES))
}

/// Append `s` decoded with `encoding` and escaped for a JSON string (without quotes).
/// With `unescape` (a quoted string's body), a backslash takes the next byte literally.
#[inline]
pub fn push_text(out: &mut Vec<u8>, s: &[u8], encoding: Encoding, unescape: bool) {
    if is_plain(s) {
        out.extend_from_slice(s);
        return;
    }
    push_text_slow(out, s, encoding, unescape);
}

#[cold]
fn push_text_slow(out: &mut Vec<u8>, s: &[u8], encoding: Encoding, unescape: bool) {
    let mut scratch;
    let s = if unescape && memchr::memchr(b'\\', s).is_some() {
        scratch = Vec::with_capacity(s.len());
        unescape_into(s, &mut scratch);
        &scratch[..]
    } else {
        s
    };
    if s.is_ascii() {
        push_escaped_utf8(out, s);
        return;
    }
    match encoding {
        Encoding::Windows1252 => push_windows1252(out, s),
        Encoding::Utf8 => push_utf8_lossy(out, s),
        Encoding::Auto => {
            if std::str::from_utf8(s).is_ok() {
                push_escaped_utf8(out, s);
            } else {
                push_windows1252(out, s);
            }
        }
    }
}

/// Remove trailing ASCII whitespace, as jomini does when it reads any scalar as a string.
#[inline]
pub fn trim_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., last] = s {
        if matches!(last, b' ' | b'\t' | b'\n' | b'\r' | 0x0C) {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// Resolve escapes in a quoted string's body: a backslash takes the next byte literally,
/// so `\"` is a quote and `\\` one backslash. Returns `None` when there is nothing to do.
pub fn unescape_into(s: &[u8], scratch: &mut Vec<u8>) -> bool {
    if memchr::memchr(b'\\', s).is_none() {
        return false;
    }
    scratch.clear();
    let mut bytes = s.iter();
    while let Some(&b) = bytes.next() {
        // A lone backslash at the very end stays.
        let literal = if b == b'\\' { bytes.next() } else { None };
        scratch.push(literal.copied().unwrap_or(b));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &[u8], e: Encoding) -> String {
        let mut out = Vec::new();
        push_text(&mut out, s, e, false);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_like_serde_json() {
        let raw = "a\"b\\c\n\t\u{1}\u{7f}";
        assert_eq!(
            text(raw.as_bytes(), Encoding::Utf8),
            serde_json_like(raw).trim_matches('"')
        );
    }

    // The expected escaping, spelled out so the test does not depend on serde_json.
    fn serde_json_like(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    #[test]
    fn plain_detection() {
        assert!(is_plain(b""));
        assert!(is_plain(b"abcdefghijklmnopq 0123"));
        for bad in [
            &b"abcdefgh\"ij"[..],
            b"abcdefghij\\",
            b"abcdefgh\x01",
            b"\xe9abcdefgh",
            b"ab\n",
        ] {
            assert!(!is_plain(bad), "{bad:?}");
        }
    }

    #[test]
    fn windows1252() {
        assert_eq!(text(b"K\xf6ln \x80", Encoding::Windows1252), "Köln €");
        assert_eq!(text(b"\x81", Encoding::Windows1252), "\u{81}");
    }

    #[test]
    fn utf8_lossy_and_auto() {
        assert_eq!(text("Köln".as_bytes(), Encoding::Utf8), "Köln");
        assert_eq!(text(b"K\xf6ln", Encoding::Utf8), "K\u{fffd}ln");
        assert_eq!(text("Köln".as_bytes(), Encoding::Auto), "Köln");
        assert_eq!(text(b"K\xf6ln", Encoding::Auto), "Köln");
    }

    #[test]
    fn trimming_and_unescaping() {
        assert_eq!(trim_end(b"ab \t\r\n"), b"ab");
        assert_eq!(trim_end(b" a\x0b"), b" a\x0b");
        let mut scratch = Vec::new();
        assert!(!unescape_into(b"plain", &mut scratch));
        assert!(unescape_into(br#"a\"b\\c\n"#, &mut scratch));
        assert_eq!(scratch, br#"a"b\cn"#);
    }
}
