//! Chunking never changes the output: every small input split at every position, and
//! larger inputs fed in random chunk sizes, give the bytes of a one-piece feed.

mod common;

use common::{Mode, options, pdxedge_json_chunked};
use pdxedge_core::Encoding;

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
