//! Group mode holds its JSON until the input ends: the input it accepts is bounded (a clear
//! error past the limit) and a known input size changes nothing but the allocation.

mod common;

use common::{Mode, options};
use pdxedge_core::container::{ArchiveLimits, ContainerErrorKind, Hints};
use pdxedge_core::save::{SaveJson, SaveJsonOptions};
use pdxedge_core::{Encoding, ErrorKind, Transcoder};

fn group() -> pdxedge_core::json::JsonOptions {
    options(Mode::Group, false, Encoding::Utf8)
}

/// `t` fed `input` in `chunk`-byte pieces.
fn run(mut t: Transcoder, input: &[u8], chunk: usize) -> Result<Vec<u8>, pdxedge_core::Error> {
    let mut out = Vec::new();
    for piece in input.chunks(chunk) {
        t.feed(piece, &mut out)?;
    }
    t.finish(&mut out)?;
    Ok(out)
}

const DOC: &[u8] = b"EU4txt\na=1\nb={ c=2 c=3 }\na=4\nd=\"x\"\na=5\n";
const GROUPED: &[u8] = br#"{"a":[1,4,5],"b":{"c":[2,3]},"d":"x"}"#;

#[test]
fn group_input_over_the_limit_is_refused_with_its_place() {
    let mut t = Transcoder::new(group());
    // The body after the 6-byte header may be 20 bytes: `\na=1\nb={ c=2 c=3 }\na` fits,
    // the `=` after it does not.
    t.set_max_group_input(20);
    let err = run(t, DOC, 7).expect_err("over the limit");
    assert_eq!(err.kind(), &ErrorKind::GroupInputTooLarge { limit: 20 });
    assert_eq!(err.position().offset, 26);
    assert_eq!(err.position().line, 4);
    assert_eq!(err.position().column, 2);
    assert!(err.to_string().contains("preserve mode"), "{err}");
}

#[test]
fn group_input_at_the_limit_is_accepted() {
    let mut t = Transcoder::new(group());
    t.set_max_group_input((DOC.len() - 6) as u64);
    assert_eq!(run(t, DOC, 5).expect("fits"), GROUPED);
}

#[test]
fn the_limit_only_applies_to_group_mode() {
    let mut t = Transcoder::new(options(Mode::Preserve, false, Encoding::Utf8));
    t.set_max_group_input(4);
    let out = run(t, DOC, 3).expect("preserve streams");
    assert!(out.starts_with(br#"{"a":1,"b":{"c":2,"c":3}"#));
}

#[test]
fn a_size_hint_changes_nothing_but_the_allocation() {
    for hint in [0, 1, DOC.len() as u64, DOC.len() as u64 * 3, u64::MAX] {
        for chunk in [1, 4, DOC.len()] {
            let mut t = Transcoder::new(group());
            t.input_len_hint(hint);
            assert_eq!(
                run(t, DOC, chunk).expect("converts"),
                GROUPED,
                "hint {hint}"
            );
        }
    }
}

#[test]
fn a_hint_over_the_limit_is_ignored_and_the_input_still_refused() {
    let mut t = Transcoder::new(group());
    t.set_max_group_input(10);
    t.input_len_hint(1 << 40);
    let err = run(t, DOC, 64).expect_err("over the limit");
    assert_eq!(err.kind(), &ErrorKind::GroupInputTooLarge { limit: 10 });
}

#[test]
fn save_json_bounds_group_text_by_max_inflated() {
    let limits = ArchiveLimits {
        max_inflated: 16,
        ..ArchiveLimits::default()
    };
    let convert = |mode: Mode| {
        let opts = SaveJsonOptions {
            json: options(mode, false, Encoding::Utf8),
            archive_limits: limits,
            ..SaveJsonOptions::default()
        };
        let mut conv = SaveJson::new(opts, &Hints::default());
        conv.input_len_hint(DOC.len() as u64);
        let mut out = Vec::new();
        conv.feed(DOC, &mut out)?;
        conv.finish(&mut out).map(|()| out)
    };
    let err = convert(Mode::Group).expect_err("group text over max_inflated");
    match err.kind() {
        ContainerErrorKind::Text(e) => {
            assert_eq!(e.kind(), &ErrorKind::GroupInputTooLarge { limit: 16 })
        }
        other => panic!("unexpected error {other:?}"),
    }
    // Preserve mode streams the same text past that size.
    assert!(convert(Mode::Preserve).is_ok());
}

#[test]
fn save_json_with_a_hint_gives_the_same_group_json() {
    let convert = |hint: Option<u64>| {
        let opts = SaveJsonOptions {
            json: group(),
            ..SaveJsonOptions::default()
        };
        let mut conv = SaveJson::new(opts, &Hints::default());
        if let Some(hint) = hint {
            conv.input_len_hint(hint);
        }
        let mut out = Vec::new();
        for piece in DOC.chunks(3) {
            conv.feed(piece, &mut out).expect("feeds");
        }
        conv.finish(&mut out).expect("converts");
        out
    };
    assert_eq!(convert(None), GROUPED);
    assert_eq!(convert(Some(DOC.len() as u64)), GROUPED);
}

/// Group mode counts its input as it arrives (it holds its JSON, not the input): the
/// limit's error is raised by the `feed` that crosses it, at the same place whatever the
/// chunking, and the JSON is handed on only at the end.
#[test]
fn the_limit_is_met_at_the_same_place_in_any_chunking() {
    for chunk in 1..=DOC.len() {
        let mut t = Transcoder::new(group());
        t.set_max_group_input(20);
        let mut out = Vec::new();
        let mut failed = None;
        for piece in DOC.chunks(chunk) {
            if let Err(e) = t.feed(piece, &mut out) {
                failed = Some(e);
                break;
            }
        }
        let err = failed.expect("a feed crosses the limit");
        assert_eq!(err.kind(), &ErrorKind::GroupInputTooLarge { limit: 20 });
        assert_eq!(
            (
                err.position().offset,
                err.position().line,
                err.position().column
            ),
            (26, 4, 2),
            "chunk {chunk}"
        );
        assert!(out.is_empty(), "chunk {chunk}");
    }
    // Under the limit, nothing is handed on before `finish`.
    let mut t = Transcoder::new(group());
    let mut out = Vec::new();
    t.feed(DOC, &mut out).expect("fits");
    assert!(out.is_empty());
    t.finish(&mut out).expect("converts");
    assert_eq!(out, GROUPED);
}

/// Group mode's held JSON may be at most twice its input limit: an input within the limit
/// whose JSON is far larger (each control byte of a quoted string is six bytes of JSON) is
/// refused, at the first field after the JSON passed the cap (its value: the key is
/// written when its value arrives), whatever the chunking.
/// The limit falls inside a quoted string that spans lines, so the newlines before it
/// sit in a partial token the parser carries between feeds (and has not counted yet).
#[test]
fn the_limit_inside_a_carried_token_has_its_line() {
    let doc = b"a=1\nb=\"x\ny\nz\"\nc=2\n";
    for chunk in 1..=doc.len() {
        let mut t = Transcoder::new(group());
        t.set_max_group_input(11);
        let err = run(t, doc, chunk).expect_err("over the limit");
        assert_eq!(err.kind(), &ErrorKind::GroupInputTooLarge { limit: 11 });
        let at = err.position();
        // Byte 11 is the `z`, after three newlines: line 4, column 1.
        assert_eq!((at.offset, at.line, at.column), (11, 4, 1), "chunk {chunk}");
    }
}

#[test]
fn held_json_over_twice_the_limit_is_refused_at_the_next_key() {
    let mut doc = b"a=\"".to_vec();
    doc.extend([1u8; 30]);
    doc.extend(b"\"\nb=1\n");
    let convert = |limit: u64, chunk: usize| {
        let mut t = Transcoder::new(group());
        t.set_max_group_input(limit);
        run(t, &doc, chunk)
    };
    // 41 bytes of input; the string alone is 180 bytes of JSON.
    let limit = doc.len() as u64 + 4;
    for chunk in 1..=doc.len() {
        let err = convert(limit, chunk).expect_err("JSON over twice the limit");
        assert_eq!(err.kind(), &ErrorKind::GroupInputTooLarge { limit });
        let at = err.position();
        assert_eq!((at.offset, at.line, at.column), (37, 2, 3), "chunk {chunk}");
        assert!(
            err.to_string()
                .contains("twice that of JSON and key records"),
            "{err}"
        );
    }
    // With room for the JSON, the same input converts.
    let out = convert(120, 7).expect("JSON within twice the limit");
    let expected = format!("{{\"a\":\"{}\",\"b\":1}}", "\\u0001".repeat(30));
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}

/// Past the last key, the cap is checked when the input ends.
#[test]
fn held_json_over_the_cap_after_the_last_key_is_refused_at_the_end() {
    let mut doc = b"a=\"".to_vec();
    doc.extend([1u8; 30]);
    doc.extend(b"\"\n");
    for chunk in [1, 5, doc.len()] {
        let mut t = Transcoder::new(group());
        t.set_max_group_input(doc.len() as u64);
        let err = run(t, &doc, chunk).expect_err("JSON over twice the limit");
        assert_eq!(
            err.kind(),
            &ErrorKind::GroupInputTooLarge {
                limit: doc.len() as u64
            }
        );
        assert_eq!(err.position().offset, doc.len() as u64, "chunk {chunk}");
    }
}

/// An object whose key repeats after another key is rebuilt in the held buffer, past
/// the output, so the cap bounds the rebuild too: JSON that fits under the cap, but not
/// twice over, is refused when its object must be rebuilt, and converts when it need not
/// be. A key repeated right after itself needs no rebuild: its values are gathered in
/// place.
#[test]
fn a_rebuild_counts_against_the_cap() {
    let body = |between: &str, second: &str| {
        let mut doc = b"o={ k=\"".to_vec();
        for _ in 0..100 {
            doc.push(1);
            doc.extend(b"aaaaaaaaa");
        }
        doc.extend(format!("\" {between} {second}=1 }}\n").as_bytes());
        doc
    };
    // ~1,000 bytes of input, ~1,500 of JSON: under the cap of twice the input.
    let (repeated, distinct, again) = (body("z=1", "k"), body("z=1", "j"), body("", "k"));
    for chunk in [1, 64, repeated.len()] {
        let mut t = Transcoder::new(group());
        t.set_max_group_input(repeated.len() as u64);
        let err = run(t, &repeated, chunk).expect_err("no room to rebuild");
        assert!(
            matches!(err.kind(), ErrorKind::GroupInputTooLarge { .. }),
            "{err}"
        );
        assert_eq!(
            err.position().offset,
            repeated.len() as u64,
            "chunk {chunk}"
        );

        let mut t = Transcoder::new(group());
        t.set_max_group_input(distinct.len() as u64);
        let out = run(t, &distinct, chunk).expect("nothing to rebuild");
        assert!(out.ends_with(br#"aaaaaaaaa","z":1,"j":1}}"#));

        let mut t = Transcoder::new(group());
        t.set_max_group_input(again.len() as u64);
        let out = run(t, &again, chunk).expect("grouped in place");
        assert!(out.starts_with(br#"{"o":{"k":["\u0001aaaaaaaaa"#));
        assert!(out.ends_with(br#"aaaaaaaaa",1]}}"#));
    }
    // With room for the rebuild, the repeated key is grouped.
    let mut t = Transcoder::new(group());
    t.set_max_group_input(repeated.len() as u64 * 2);
    let out = run(t, &repeated, 64).expect("room to rebuild");
    assert!(out.starts_with(br#"{"o":{"k":["\u0001aaaaaaaaa"#));
    assert!(out.ends_with(br#"aaaaaaaaa",1],"z":1}}"#));
}

/// The records group mode keeps of an open object's keys count against the cap too: a
/// flat object of many short fields holds more in records (48 bytes a field) than in
/// JSON, and would otherwise grow without bound (a Wasm instance would run out of memory).
#[test]
fn the_records_of_open_objects_count_against_the_cap() {
    let doc = format!("o={{ {}}}\n", "a=1 b=1 ".repeat(10_000));
    // 80 KB of input, 40 KB of JSON, ~1 MB of records.
    let limit = doc.len() as u64;
    for chunk in [1000, doc.len()] {
        let mut t = Transcoder::new(group());
        t.set_max_group_input(limit);
        let err = run(t, doc.as_bytes(), chunk).expect_err("records over the cap");
        assert_eq!(err.kind(), &ErrorKind::GroupInputTooLarge { limit });
    }
    // With room for the records, the same input converts.
    let mut t = Transcoder::new(group());
    t.set_max_group_input(limit * 8);
    let out = run(t, doc.as_bytes(), 1000).expect("records within the cap");
    assert_eq!(
        out.len(),
        r#"{"o":{"a":[],"b":[]}}"#.len() + 2 * (2 * 10_000 - 1)
    );
}

/// `deep` is refused for copying too much ([`ErrorKind::RegroupLimit`]) at a `}`, the
/// same one in every chunking.
#[track_caller]
fn refused_at_the_same_brace(deep: &str) {
    let mut at = None;
    for chunk in [1 << 10, 1 << 16, deep.len()] {
        let err = run(Transcoder::new(group()), deep.as_bytes(), chunk).expect_err("too deep");
        assert_eq!(err.kind(), &ErrorKind::RegroupLimit { factor: 16 });
        let offset = err.position().offset;
        assert_eq!(deep.as_bytes()[offset as usize], b'}', "chunk {chunk}");
        assert_eq!(*at.get_or_insert(offset), offset, "chunk {chunk}");
        assert!(err.to_string().contains("preserve"), "{err}");
    }
}

/// Objects with repeated keys nested thousands deep: each rebuild copies the objects
/// inside it again, so the copies are bounded (16 times the JSON, plus 64 MiB) and the
/// input is refused at the `}` where they run out, whatever the chunking. Shallow
/// nesting is untouched.
#[test]
fn deeply_nested_repeated_keys_are_refused_before_copying_on() {
    let nested = |depth: usize| {
        let pad = "y".repeat(400);
        let mut doc = String::new();
        for _ in 0..depth {
            doc += &format!("a={{ x=1 p=\"{pad}\" x=1 ");
        }
        doc += &"} ".repeat(depth);
        doc
    };
    refused_at_the_same_brace(&nested(3000));
    // Twenty levels convert, each `x` grouped.
    let out = run(Transcoder::new(group()), nested(20).as_bytes(), 1 << 10).expect("shallow");
    assert_eq!(
        String::from_utf8(out)
            .unwrap()
            .matches(r#""x":[1,1]"#)
            .count(),
        20
    );
}

/// A key repeated right after a nested object moves that object one byte on for the
/// run's `[`; nested thousands deep, each level moves all the levels inside it, so those
/// moves count against the same budget as rebuilds.
#[test]
fn deeply_nested_runs_are_refused_before_moving_on() {
    let nested = |depth: usize| {
        let pad = "y".repeat(400);
        format!(
            "{}{}",
            format!("a={{ p=\"{pad}\" ").repeat(depth),
            "} a=1 ".repeat(depth)
        )
    };
    refused_at_the_same_brace(&nested(3000));
    // Twenty levels convert, each object and the `1` after it grouped.
    let out = run(Transcoder::new(group()), nested(20).as_bytes(), 1 << 10).expect("shallow");
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.matches(r#""a":[{"#).count(), 20);
    assert!(out.ends_with(&format!("\"}}{}", ",1]}".repeat(20))));
}

/// The fingerprint seed changes how repeated keys are found, never what is found.
#[test]
fn the_group_seed_changes_nothing_in_the_output() {
    let mut doc = String::from("o={ ");
    for i in 0..300 {
        // Short keys, long keys that differ in the middle, and repeats of both.
        doc += &format!("k{} = {i} long_key_{:04}_same_tail = {i} ", i % 40, i % 70);
    }
    doc += "} o={ a=1 } x=2 x=3\n";
    let convert = |seed: Option<u64>| {
        let mut t = Transcoder::new(group());
        if let Some(seed) = seed {
            t.set_group_seed(seed);
        }
        run(t, doc.as_bytes(), 4096).expect("converts")
    };
    let unseeded = convert(None);
    assert!(unseeded.starts_with(br#"{"o":[{"k0":[0,40,"#));
    for seed in [0, 1, 0x5eed, u64::MAX] {
        assert_eq!(convert(Some(seed)), unseeded, "seed {seed}");
    }
}
