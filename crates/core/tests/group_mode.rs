//! Group mode against jomini's on generated documents full of repeated keys at every
//! depth, compact and pretty, fed whole and in random chunks.

mod common;

use common::{Mode, jomini_json, options, pdxedge_json_chunked};
use pdxedge_core::Encoding;

/// A small deterministic generator (xorshift), so failures reproduce.
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

    fn value(&mut self, out: &mut String, depth: usize) {
        match self.next(if depth > 3 { 4 } else { 8 }) {
            0 | 1 => out.push_str(self.pick(&["1", "-2.5", "yes", "x_y", "1444.1.1", "0"])),
            2 => out.push_str(self.pick(&["\"s\"", "\"a b\"", "\"\\\"}\"", "\"\"", "\"{,:\""])),
            3 => out.push_str(self.pick(&[
                "{}",
                "{ }",
                "rgb { 1 2 3 }",
                "{ 1 2 }",
                "{ a b }",
                // Mixed objects whose fields end inside a run of a repeated key.
                "{ a=1 a=2 x }",
                "{ b=1 a=1 b=2 b=3 7 }",
            ])),
            4 | 5 => {
                out.push('{');
                self.fields(out, depth + 1);
                out.push('}');
            }
            _ => {
                // A list of objects (a scalar followed by `{` is read another way).
                out.push('{');
                for _ in 0..self.next(4) {
                    out.push_str(" {");
                    self.fields(out, depth + 1);
                    out.push('}');
                }
                out.push_str(" }");
            }
        }
    }

    fn fields(&mut self, out: &mut String, depth: usize) {
        for _ in 0..self.next(if depth == 0 { 12 } else { 7 }) {
            out.push(' ');
            out.push_str(self.pick(&[
                "a",
                "b",
                "\"a\"",
                "c",
                "ab",
                "\"b c\"",
                "a_long_key_of_20_b",
            ]));
            out.push_str(self.pick(&["=", " = ", "=", " > ", "<=", "="]));
            self.value(out, depth);
        }
        out.push(' ');
    }
}

#[test]
fn generated_documents_group_as_jomini_does() {
    let mut generator = Gen(0x2545_F491_4F6C_DD1D);
    let mut compared = 0;
    for n in 0..3000 {
        let mut doc = String::new();
        generator.fields(&mut doc, 0);
        let doc = doc.as_bytes();
        for pretty in [false, true] {
            let Some(expected) = jomini_json(doc, Mode::Group, pretty, true) else {
                continue;
            };
            let opts = options(Mode::Group, pretty, Encoding::Utf8);
            let sizes = [
                1 + generator.next(9) as usize,
                1 + generator.next(40) as usize,
            ];
            for sizes in [&[doc.len().max(1)][..], &sizes[..]] {
                let ours = pdxedge_json_chunked(doc, opts, sizes).expect("converts");
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    expected,
                    "document {n} (pretty {pretty}, chunks {sizes:?}): {:?}",
                    String::from_utf8_lossy(doc)
                );
            }
            compared += 1;
        }
    }
    assert!(compared > 5000, "{compared}");
}
