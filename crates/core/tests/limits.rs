//! Limits are enforced with clear errors, and hostile shapes stay cheap.

mod common;

use common::{Mode, options};
use pdxedge_core::{Encoding, ErrorKind, Limits, Transcoder};

fn run(input: &[u8], limits: Limits) -> Result<Vec<u8>, pdxedge_core::Error> {
    let mut t = Transcoder::with_limits(options(Mode::Preserve, false, Encoding::Utf8), limits);
    let mut out = Vec::new();
    for chunk in input.chunks(64 << 10) {
        t.feed(chunk, &mut out)?;
        out.clear();
    }
    t.finish(&mut out)?;
    Ok(out)
}

#[test]
fn a_million_nested_braces_is_refused_at_the_depth_limit() {
    let input = "a={".repeat(1_000_000);
    let err = run(input.as_bytes(), Limits::default()).expect_err("too deep");
    assert_eq!(err.kind(), &ErrorKind::TooDeep { limit: 10_000 });
    // The error points at the `{` that goes one level too deep.
    assert_eq!(err.position().offset, 3 * 10_000 + 2);
    assert_eq!(err.position().line, 1);
}

#[test]
fn a_million_nested_braces_parse_when_allowed() {
    let depth = 1_000_000;
    let input = format!(
        "{}x{}",
        "{".repeat(depth).replace('{', "a={"),
        "}".repeat(depth)
    );
    let limits = Limits {
        max_depth: depth,
        ..Limits::default()
    };
    let mut t = Transcoder::with_limits(options(Mode::Preserve, false, Encoding::Utf8), limits);
    let mut out = Vec::new();
    t.feed(input.as_bytes(), &mut out).expect("parses");
    t.finish(&mut out).expect("parses");
    // `{`, `"a":{` per level but the last, `"a":["x"]`, and a `}` per level.
    assert_eq!(out.len(), 1 + 5 * (depth - 1) + 9 + depth);
}

#[test]
fn an_overlong_token_is_refused() {
    let mut input = b"a = \"".to_vec();
    input.resize(input.len() + (9 << 20), b'x');
    let err = run(&input, Limits::default()).expect_err("token too long");
    assert_eq!(err.kind(), &ErrorKind::TokenTooLong { limit: 8 << 20 });
    assert_eq!(err.position().offset, 4, "points at the opening quote");
}

#[test]
fn an_unclosed_quote_is_reported_where_it_opens() {
    let input = b"a = 1\nb = \"never closed\nc = 2\n";
    let err = run(input, Limits::default()).expect_err("unclosed quote");
    assert!(matches!(err.kind(), ErrorKind::UnexpectedEof(_)), "{err}");
    assert_eq!(err.position().line, 2);
    assert_eq!(err.position().column, 5);
}

#[test]
fn truncated_documents_are_errors() {
    for input in [
        "a = { b = { c = 1",
        "a = { 1 2",
        "a =",
        "a = { b",
        "a = \"x",
    ] {
        let err = run(input.as_bytes(), Limits::default()).expect_err(input);
        assert!(
            matches!(err.kind(), ErrorKind::UnexpectedEof(_)),
            "{input}: {err}"
        );
    }
    // One missing brace of a top-level object is forgiven, as jomini forgives it.
    assert!(run(b"a = { b = 1", Limits::default()).is_ok());
}

#[test]
fn binary_saves_are_refused_by_name() {
    let err = run(b"EU4bin\x01\x00\x03\x00", Limits::default()).expect_err("binary");
    assert!(matches!(err.kind(), ErrorKind::Binary { .. }));
    assert!(err.to_string().contains("EU4bin"), "{err}");
}

#[test]
fn syntax_errors_name_line_and_column() {
    let err = run(b"a = 1\nb = { c = }\n", Limits::default()).expect_err("bad value");
    assert!(matches!(err.kind(), ErrorKind::Syntax(_)), "{err}");
    assert_eq!((err.position().line, err.position().column), (2, 11));
    assert_eq!(err.position().offset, 16);
}

/// Pretty output indents each line by twice its depth, so input nested thousands deep
/// makes JSON quadratic in its size (64 KB of `a={` 4,000 deep: 128 MB). The streaming
/// modes hand back each feed's JSON, so that is what memory holds: a feed whose JSON
/// passes the limit is refused at the end of its input, and smaller feeds of the same
/// input stream.
#[test]
fn a_feed_whose_pretty_json_passes_the_limit_is_refused() {
    let block = format!("{}{}\n", "a={".repeat(1000), "}".repeat(1000));
    let input = block.repeat(4);
    let convert = |chunk: usize, limit: usize| {
        let mut t = Transcoder::new(options(Mode::Preserve, true, Encoding::Utf8));
        t.set_max_feed_output(limit);
        let mut json = Vec::new();
        let mut out = Vec::new();
        for piece in input.as_bytes().chunks(chunk) {
            t.feed(piece, &mut out)?;
            json.append(&mut out);
        }
        t.finish(&mut out)?;
        json.append(&mut out);
        Ok::<_, pdxedge_core::Error>(json)
    };
    // Each block makes about 2 MB of JSON.
    let err = convert(input.len(), 1 << 20).expect_err("one feed over 1 MiB");
    assert_eq!(err.kind(), &ErrorKind::OutputTooLarge { limit: 1 << 20 });
    assert_eq!(err.position().offset, input.len() as u64);
    assert!(err.to_string().contains("leave out pretty"), "{err}");
    // Fed 256 bytes at a time, no feed makes 1 MiB, and the JSON is the same as without
    // the limit.
    let whole = convert(input.len(), usize::MAX).expect("no limit");
    assert!(whole.len() > 4 << 20, "{}", whole.len());
    assert_eq!(convert(256, 1 << 20).expect("small feeds"), whole);
}
