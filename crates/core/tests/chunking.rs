//! Chunking never changes the output: every small input split at every position, and
//! larger inputs fed in random chunk sizes, give the bytes of a one-piece feed.

mod common;

use common::{Mode, options, pdxedge_json_chunked};
use pdxedge_core::{Encoding, ErrorKind, Limits, Transcoder};

const INPUTS: &[&str] = &[
    "foo=bar num=1 b=no pi=3.14",
    "a={b=1} c={b=1 b=2} d = { 1 2 3 } e = { }",
    "color = rgb { 100 200 150 } x = hsv { 0.1 0.2 0.3 }",
    "mixed={ a=b 10 c=d 20 } levels={ 10 0=2 1=2 }",
    "gen = { [[scaled_skill] a=b ] [[!scaled_skill] c=d ] [[add] $add$] }",
    "obj={ { a = b }={ 1 2 3 } } t = { x >= 1 y != 2 z ?= 3 w == 4 }",
    "a = \"quoted \\\" str\" # comment { }\nb = 'x' c = @[1 - x] d = value:a|B|",
    "\u{feff}a = b\r\nc = d\r\n",
    "EU4txt\ndate=1444.11.11\nplayer=\"KOR\"\n",
    "a = { b = c d { {x} } e=f } g = yes",
    "a = b {} c = { {} d = e } k = { 1 a = = b } m = { 1 a = }",
    "list = { a b c } list = { d } other = yes list = { e } x = { k=1 k=2 }",
    // Nested objects entered and left in one go by the parser's fast path, next to the
    // cases it leaves to the general path (a quoted, empty, commented or list first
    // element; a mixed parent; a stray root brace).
    "a = { b = { c = { d = 1 } } e = 2 } f = { g = { h = \"x\" } } i = 3",
    "m = { 1 x = { y = 2 } 3 } n = { p = { } q = { \"s\" } r = { # c\n s = 1 } t = { 1 2 } }",
    "a = { b = { c = 1 } } } d = { e = f } g = { h = { i = 1 } j = k }",
    // Runs of plain numbers, cut anywhere.
    "r = { 0 1 -2 300 -0 05 4 5 x 6 -7 8 = 9 10 11 } s = { 12 345 -6789 0.500 1.0 10 }",
    // Group mode's rebuilds: repeats nested, with any value, before a remainder.
    "x={ a=1 b={ c=1 c={} } a=\"}\" 1 a=3 } x={ a=4 a>5 } y=2 x=rgb{1} a_key_of_17_bytes=1 a_key_of_17_bytes=2",
];

fn modes() -> [Mode; 3] {
    [Mode::Preserve, Mode::Group, Mode::KeyValuePairs]
}

#[test]
fn every_split_point_gives_the_same_output() {
    for input in INPUTS {
        let input = input.as_bytes();
        for mode in modes() {
            let opts = options(mode, false, Encoding::Utf8);
            let whole = pdxedge_json_chunked(input, opts, &[input.len()]);
            for split in 1..input.len() {
                let parts = pdxedge_json_chunked(input, opts, &[split, input.len()]);
                assert_eq!(
                    whole.as_ref().map_err(|e| e.to_string()),
                    parts.as_ref().map_err(|e| e.to_string()),
                    "{mode:?} split at {split} of {:?}",
                    String::from_utf8_lossy(input)
                );
            }
            let bytewise = pdxedge_json_chunked(input, opts, &[1]);
            assert_eq!(
                whole.map_err(|e| e.to_string()),
                bytewise.map_err(|e| e.to_string())
            );
        }
    }
}

/// A small deterministic generator (xorshift), so failures reproduce.
pub struct Rng(u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_chunk_sizes_on_a_larger_document() {
    let mut doc = String::new();
    for i in 0..400 {
        doc.push_str(
            INPUTS[i % INPUTS.len()]
                .trim_start_matches('\u{feff}')
                .trim_start_matches("EU4txt\n"),
        );
        doc.push('\n');
    }
    let input = doc.as_bytes();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for mode in modes() {
        let opts = options(mode, true, Encoding::Utf8);
        let whole = pdxedge_json_chunked(input, opts, &[input.len()]).unwrap();
        for _ in 0..20 {
            let sizes: Vec<usize> = (0..64)
                .map(|_| 1 + (rng.next_u64() % 700) as usize)
                .collect();
            let chunked = pdxedge_json_chunked(input, opts, &sizes).unwrap();
            assert_eq!(whole, chunked, "{mode:?} sizes {sizes:?}");
        }
    }
}

/// `n` bytes cycling through `pattern`.
fn long(pattern: &str, n: usize) -> String {
    pattern.chars().cycle().take(n).collect()
}

/// One long token of each kind the parser carries over between feeds (an unquoted key,
/// value, list element, header and parameter value; a quoted string with escapes, runs
/// of backslashes and line breaks; a `@[...]` variable), and ones that end the document
/// or never close.
fn long_token_inputs() -> Vec<String> {
    long_token_inputs_of(3000)
}

/// [`long_token_inputs`] with tokens of about `n` bytes.
fn long_token_inputs_of(n: usize) -> Vec<String> {
    let plain = long("abc_1.2:x", n);
    let ops = long("x!y?z", n);
    // Ends in an even run of backslashes, so the quote after it closes the string: the
    // pattern is 16 bytes long, and for `n` of 8 modulo 16 (3000, 9000) its last copy
    // stops after `ab\"c\\`.
    let quoted = long("ab\\\"c\\\\\\\\d\ne\\\\\\x", n - 1);
    vec![
        format!("a = {plain} b = 1"),
        format!("{plain} = 1 c = d"),
        format!("l = {{ 1 {plain} 2 }} m = {{ {plain} }}"),
        format!("c = {plain} {{ 1 2 }} d = {plain}{{ 3 }}"),
        format!("a = {ops} b != 1 {ops}?=2 l = {{ {ops} }}"),
        format!("a = \"{quoted}\" b = \"{quoted}\\\\\" c = 1\nd = e"),
        format!("l = {{ \"{quoted}\" x }} \"{quoted}\" = 2"),
        format!("v = @[{plain} + 1] w = 2"),
        format!("g = {{ [[p] {plain} ] [[!q] {plain} = 1 ] }}"),
        format!("a = {plain}"),
        format!("a = 1\nb = \"{quoted}"),
        format!("a = @[{plain}"),
    ]
}

/// Like `pdxedge_json_chunked`, with a token length limit.
fn chunked_with_token_limit(
    input: &[u8],
    opts: pdxedge_core::json::JsonOptions,
    sizes: &[usize],
    max_token_len: usize,
) -> Result<Vec<u8>, pdxedge_core::Error> {
    let limits = Limits {
        max_token_len,
        ..Limits::default()
    };
    let mut t = Transcoder::with_limits(opts, limits);
    let mut out = Vec::new();
    let mut rest = input;
    for &n in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, after) = rest.split_at(n.clamp(1, rest.len()));
        t.feed(chunk, &mut out)?;
        rest = after;
    }
    t.finish(&mut out)?;
    Ok(out)
}

/// The chunked feeds run with a token limit just above the longest token: a carried
/// token must be let go as soon as a chunk ends it, or the carry would outgrow the limit.
#[test]
fn a_long_token_in_many_chunks_gives_the_same_output_as_whole() {
    for input in long_token_inputs() {
        let input = input.as_bytes();
        for mode in modes() {
            let opts = options(mode, false, Encoding::Utf8);
            let whole = pdxedge_json_chunked(input, opts, &[input.len()]);
            for sizes in [&[1][..], &[2], &[3], &[7], &[64], &[1, 5, 13, 2, 250]] {
                let chunked = chunked_with_token_limit(input, opts, sizes, 3100);
                assert_eq!(
                    whole.as_ref().map_err(|e| e.to_string()),
                    chunked.as_ref().map_err(|e| e.to_string()),
                    "{mode:?} sizes {sizes:?} input starting {:?}",
                    String::from_utf8_lossy(input.get(..40).unwrap_or(input))
                );
            }
        }
    }
}

/// A feed finishes a carried token on a stitch of the carry and the chunk's first 4 KiB,
/// then parses the rest of the chunk where it lies; a token that does not end within the
/// stitch takes the rest of the chunk into the carry. Chunks larger than the stitch, and
/// tokens longer than it, split at varied places.
#[test]
fn chunks_larger_than_the_stitch_give_the_same_output_as_whole() {
    for input in long_token_inputs_of(9000) {
        let input = input.as_bytes();
        for mode in modes() {
            let opts = options(mode, false, Encoding::Utf8);
            let whole = pdxedge_json_chunked(input, opts, &[input.len()]);
            for sizes in [
                &[4095][..],
                &[4096],
                &[4097],
                &[5000],
                &[8191, 8193],
                &[100, 12_000],
                &[9001, 3],
            ] {
                let chunked = pdxedge_json_chunked(input, opts, sizes);
                assert_eq!(
                    whole.as_ref().map_err(|e| e.to_string()),
                    chunked.as_ref().map_err(|e| e.to_string()),
                    "{mode:?} sizes {sizes:?} input starting {:?}",
                    String::from_utf8_lossy(input.get(..40).unwrap_or(input))
                );
            }
        }
    }
}

/// However a token too long for the limit arrives, the error comes on the feed that
/// makes the carried token one byte longer than the limit, and points at its start.
#[test]
fn the_token_length_limit_holds_exactly_in_any_chunking() {
    let limit = 100;
    let limits = Limits {
        max_token_len: limit,
        ..Limits::default()
    };
    for (open, body) in [("\"", "x\\\"y"), ("", "x!y?z")] {
        let input = format!("a = {open}{}", long(body, 400));
        let input = input.as_bytes();
        for size in 1..=9 {
            let opts = options(Mode::Preserve, false, Encoding::Utf8);
            let mut t = Transcoder::with_limits(opts, limits);
            let mut out = Vec::new();
            let mut fed = 0;
            let err = input
                .chunks(size)
                .find_map(|chunk| {
                    fed += chunk.len();
                    t.feed(chunk, &mut out).err()
                })
                .expect("token too long");
            assert_eq!(err.kind(), &ErrorKind::TokenTooLong { limit });
            assert_eq!((err.position().offset, err.position().column), (4, 5));
            // The token starts at byte 4: the failing feed is the first to bring more
            // than `limit` of its bytes.
            assert!(
                fed - 4 > limit && fed - size - 4 <= limit,
                "size {size}, fed {fed}"
            );
        }
    }
}

/// A `{` where a key belongs that opens nothing (no `}` and no header name before it) is
/// reported at the brace, however far on the token that shows it is, in any chunking.
#[test]
fn a_brace_that_opens_nothing_is_reported_at_the_brace() {
    let cases: [(&str, (u64, u64, u64)); 3] = [
        ("{ a=1 }", (0, 1, 1)),
        ("a={ b=1 }\n{\n# c\n  c }", (10, 2, 1)),
        ("a={ b={} }\r\n\n  x={ c={} {\n\n y } }", (24, 3, 12)),
    ];
    for (input, (offset, line, column)) in cases {
        let input = input.as_bytes();
        for split in 1..input.len() {
            for sizes in [&[split, input.len()][..], &[split][..]] {
                let opts = options(Mode::Preserve, false, Encoding::Utf8);
                let err = pdxedge_json_chunked(input, opts, sizes).expect_err("no key");
                let at = err.position();
                assert_eq!(
                    (at.offset, at.line, at.column),
                    (offset, line, column),
                    "{:?} in chunks {sizes:?}: {err}",
                    String::from_utf8_lossy(input)
                );
                assert!(err.to_string().contains("'{' must follow"), "{err}");
            }
        }
    }
}
