//! Where pdxedge deliberately differs from jomini 0.37 (jomini is wrong there). Each test
//! pins both outputs, so a change on either side shows up. `docs/compatibility.md` lists
//! the same cases with the reasoning.

mod common;

use common::{Mode, jomini_json, options, pdxedge_json};
use pdxedge_core::Encoding;

fn ours(input: &str) -> String {
    pdxedge_json(
        input.as_bytes(),
        options(Mode::Preserve, false, Encoding::Utf8),
    )
    .expect("pdxedge accepts the input")
}

fn theirs(input: &str) -> Option<String> {
    jomini_json(input.as_bytes(), Mode::Preserve, false, true)
}

#[test]
fn exists_operator_glued_to_key() {
    let input = "g?=7";
    assert_eq!(theirs(input).as_deref(), Some(r#"{"g?":7}"#));
    assert_eq!(ours(input), r#"{"g":{"EXISTS":7}}"#);
}

#[test]
fn not_equal_glued_to_key_is_read_the_same_wherever_it_is() {
    // jomini reads `e!` as the key when more than 16 bytes follow, `e` otherwise.
    let long = "t={ e!=5 }                     a=1";
    let short = "t={ e!=5 }";
    assert_eq!(theirs(long).as_deref(), Some(r#"{"t":{"e!":5},"a":1}"#));
    assert_eq!(
        theirs(short).as_deref(),
        Some(r#"{"t":{"e":{"NOT_EQUAL":5}}}"#)
    );
    assert_eq!(ours(long), r#"{"t":{"e":{"NOT_EQUAL":5}},"a":1}"#);
    assert_eq!(ours(short), r#"{"t":{"e":{"NOT_EQUAL":5}}}"#);
}

#[test]
fn exclamation_mark_glued_before_a_scalar_or_a_quote() {
    // `!` ends a token only before `=`: `!a` and `!"x"` are single unquoted scalars for
    // pdxedge; jomini splits the `!` off (reading `"x"` as a quoted string).
    assert_eq!(theirs("n = { !a }").as_deref(), Some(r#"{"n":["!","a"]}"#));
    assert_eq!(ours("n = { !a }"), r#"{"n":["!a"]}"#);
    // Found by the differential fuzz target (minimised from a save).
    assert_eq!(
        theirs(r#"n = { !"x" }"#).as_deref(),
        Some(r#"{"n":["!","x"]}"#)
    );
    assert_eq!(ours(r#"n = { !"x" }"#), r#"{"n":["!\"x\""]}"#);
}

#[test]
fn header_inside_a_list() {
    let input = "colors = { rgb { 1 2 3 } hsv { 0.1 0.2 0.3 } }";
    assert_eq!(
        theirs(input).as_deref(),
        Some(r#"{"colors":["rgb",[1,2,3],"hsv",[0.1,0.2,0.3]]}"#)
    );
    assert_eq!(
        ours(input),
        r#"{"colors":[{"rgb":[1,2,3]},{"hsv":[0.1,0.2,0.3]}]}"#
    );
    // A number before `{` in a list is an element, not a header (as in jomini).
    assert_eq!(
        ours("a = { 10 20 { x = y } }"),
        r#"{"a":[10,20,{"x":"y"}]}"#
    );
    // The same in the root's trailing list, with a name starting with `_` (found by the
    // differential fuzz target after a stray `]`).
    let input = "test ] _inter { a = b }";
    assert_eq!(
        theirs(input).as_deref(),
        Some(r#"{"remainder":["test","]","_inter",{"a":"b"}]}"#)
    );
    assert_eq!(
        ours(input),
        r#"{"remainder":["test","]",{"_inter":{"a":"b"}}]}"#
    );
    // The same as an object template's value: the template makes its container a list
    // (found by the differential fuzz target).
    let input = "a = { { i } = rgb { 1 } }";
    assert_eq!(theirs(input).as_deref(), Some(r#"{"a":[["i"],"rgb",[1]]}"#));
    assert_eq!(ours(input), r#"{"a":[["i"],{"rgb":[1]}]}"#);
    // And later in that list, after the template's value (found by the same target).
    let input = "a = { {1} = x e {} }";
    assert_eq!(theirs(input).as_deref(), Some(r#"{"a":[[1],"x","e",[]]}"#));
    assert_eq!(ours(input), r#"{"a":[[1],"x",{"e":[]}]}"#);
    // After a run of operators (`====` is the key `=`, `==` and the value `=`), in the
    // root's trailing list (found by the same target).
    let input = "==== x o {}";
    assert_eq!(
        theirs(input).as_deref(),
        Some(r#"{"=":{"EXACT":"="},"remainder":["x","o",[]]}"#)
    );
    assert_eq!(
        ours(input),
        r#"{"=":{"EXACT":"="},"remainder":["x",{"o":[]}]}"#
    );
}

#[test]
fn backslashes() {
    // Quoted: a backslash escapes the next byte, so `\\` is one backslash.
    let input = r#"a = "C:\\dir\\file" b = "say \"hi\"" c = C:\dir"#;
    assert_eq!(
        theirs(input).as_deref(),
        Some(r#"{"a":"C:dirfile","b":"say \"hi\"","c":"C:dir"}"#)
    );
    assert_eq!(
        ours(input),
        r#"{"a":"C:\\dir\\file","b":"say \"hi\"","c":"C:\\dir"}"#
    );
}

#[test]
fn vertical_tab_and_form_feed_are_whitespace() {
    let input = "a=1\x0bb=2\x0cc=3";
    assert_eq!(ours(input), r#"{"a":1,"b":2,"c":3}"#);
    assert_ne!(theirs(input).as_deref(), Some(r#"{"a":1,"b":2,"c":3}"#));
}

#[test]
fn remainder_key_does_not_collide() {
    let input = "x = { remainder = 1 a = b c d }";
    assert_eq!(
        theirs(input).as_deref(),
        Some(r#"{"x":{"remainder":1,"a":"b","remainder":["c","d"]}}"#)
    );
    assert_eq!(
        ours(input),
        r#"{"x":{"remainder":1,"a":"b","__remainder":["c","d"]}}"#
    );
}

#[test]
fn first_line_header_is_skipped() {
    let input = "EU4txt\ndate=1444.11.11\nplayer=\"KOR\"";
    assert!(theirs(input).is_none_or(|j| j.contains("EU4txt")));
    assert_eq!(ours(input), r#"{"date":"1444.11.11","player":"KOR"}"#);
}

#[test]
fn deep_nesting_does_not_overflow() {
    // jomini's serializer recurses and overflows its stack past ~15k levels; pdxedge keeps
    // one small frame per level on the heap (and bounds depth by a limit).
    let depth = 100_000;
    let input = format!("{}1{}", "a={".repeat(depth), "}".repeat(depth));
    let limits = pdxedge_core::Limits {
        max_depth: depth + 1,
        ..pdxedge_core::Limits::default()
    };
    let mut t = pdxedge_core::Transcoder::with_limits(
        options(Mode::Preserve, false, Encoding::Utf8),
        limits,
    );
    let mut out = Vec::new();
    t.feed(input.as_bytes(), &mut out)
        .expect("deep input parses");
    t.finish(&mut out).expect("deep input parses");
    // `{` + `"a":{` per level but the last + `"a":[1]` + `}` per level.
    assert_eq!(out.len(), 1 + 5 * (depth - 1) + 7 + depth);
    assert!(out.starts_with(b"{\"a\":{\"a\":{"));
    let tail = &out[out.len() - depth - 8..];
    assert!(tail.starts_with(b"{\"a\":[1]"));
    assert!(tail[8..].iter().all(|&b| b == b'}'));
}

#[test]
fn operator_after_a_container_in_a_list_is_an_error() {
    let input = "x = { 1 a = b { c } > 5 }";
    assert!(theirs(input).is_some_and(|j| j.contains("__invalid_key")));
    let err = pdxedge_json(
        input.as_bytes(),
        options(Mode::Preserve, false, Encoding::Utf8),
    )
    .expect_err("pdxedge rejects an operator without a key");
    assert!(err.to_string().contains("operator"), "{err}");
}

#[test]
fn exists_operator_after_a_container_is_an_error() {
    // `{...} = {...}` is an object template (both drop the `=`); `?=` there has no key.
    // jomini's lexer does not end a scalar at `?`, so it reads a key named `?`.
    let input = "k = { { a = b } ?= { c = d } }";
    assert_eq!(
        theirs(input).as_deref(),
        Some(r#"{"k":[{"a":"b"},{"?":{"c":"d"}}]}"#)
    );
    let err = pdxedge_json(
        input.as_bytes(),
        options(Mode::Preserve, false, Encoding::Utf8),
    )
    .expect_err("pdxedge rejects an operator without a key");
    assert_eq!(err.position().offset, 16, "{err}");
    assert!(err.to_string().contains("before the operator"), "{err}");
    assert_eq!(
        ours("k = { { a = b } = { c = d } }"),
        r#"{"k":[{"a":"b"},{"c":"d"}]}"#
    );
}

#[test]
fn values_without_keys_at_the_end_of_the_root() {
    // jomini rejects a document whose root ends inside its list of values without keys
    // (EU3 saves end with a checksum line); pdxedge closes the list, as `}` closes a
    // mixed object's, which jomini writes the same way.
    for input in ["a=1 ff0259", "a=1 x y", "value1 value2"] {
        assert_eq!(theirs(input), None, "{input}");
    }
    assert_eq!(ours("a=1 ff0259"), r#"{"a":1,"remainder":["ff0259"]}"#);
    assert_eq!(
        theirs("o={ a=1 ff0259 }").as_deref(),
        Some(r#"{"o":{"a":1,"remainder":["ff0259"]}}"#)
    );
    assert_eq!(ours("a=1 x y"), r#"{"a":1,"remainder":["x","y"]}"#);
    assert_eq!(
        ours("value1 value2"),
        r#"{"remainder":["value1","value2"]}"#
    );
}
