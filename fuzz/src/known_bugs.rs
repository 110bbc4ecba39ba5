//! Open pdxedge bugs found by fuzzing and reported to the lead, each with an ignored
//! regression test in `crates/core/tests/regressions.rs`. While a bug is open the
//! differential target skips inputs that may hit it, so that fuzzing can find the next
//! one. Delete a rule (and this module when none is left) as soon as its bug is fixed.

use pdxedge_core::{Error, ErrorKind, Position};

/// The open bug `input` may hit in the differential target, if any.
pub fn differential(input: &[u8]) -> Option<&'static str> {
    // `a={x;=y}`: a `;` between a container's first scalar and an operator (or in a mixed
    // list) makes pdxedge write `["x",null,"y"]`; jomini skips `;` like whitespace and
    // writes `{"x":"y"}`.
    let semicolon_then_operator = input.iter().enumerate().any(|(i, &b)| {
        b == b';'
            && input
                .iter()
                .skip(i + 1)
                .find(|&&c| !c.is_ascii_whitespace() && c != b';')
                .is_some_and(|&c| matches!(c, b'=' | b'<' | b'>' | b'!' | b'?'))
    });
    if semicolon_then_operator {
        return Some("semicolon-before-operator");
    }
    // `a=99999999999999999.5`: jomini writes `1e+17`, pdxedge `1e17` (floats of 1e16 and
    // more, which take 17 or more digits to write).
    let mut run = 0;
    let long_number = input.iter().any(|&b| {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        run >= 17
    });
    long_number.then_some("float-exponent-sign")
}

/// The open bug `input` may hit in the transcode target (chunking invariance), if any.
pub fn transcode(input: &[u8]) -> Option<&'static str> {
    // `n=x\v{y}`: fed whole, the `\v` (or `\f`) between a value and `{` is not skipped
    // as whitespace and the `{` is a syntax error; fed byte by byte it is a header,
    // `{"n":{"x":["y"]}}`.
    let vt_ff_then_open = input.iter().enumerate().any(|(i, &b)| {
        matches!(b, 0x0B | 0x0C)
            && input
                .iter()
                .skip(i + 1)
                .find(|c| !c.is_ascii_whitespace() && !matches!(c, 0x0B | 0x0C))
                .is_some_and(|&c| c == b'{')
    });
    vt_ff_then_open.then_some("vertical-tab-before-brace")
}

/// A transcode result with the parts that open bugs make depend on chunking removed,
/// for the chunking comparison.
pub fn normalize(result: Result<Vec<u8>, Error>) -> Result<Vec<u8>, Error> {
    // `a={ b={ c={ d={ x={ y } } } } }` with a depth limit of 4: fed whole, `TooDeep` points
    // at `x` (offset 16), fed byte by byte at its `{` (offset 19). Compare the kind only.
    result.map_err(|e| match e.kind() {
        ErrorKind::TooDeep { .. } => Error::new(e.kind().clone(), Position::default()),
        _ => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_open_bugs_and_nothing_else() {
        assert!(differential(b"a={x;=y}").is_some());
        assert!(differential(b"a = { 1 x ; == y }").is_some());
        assert!(differential(b"a={x;} b=c; d=e").is_none());
        assert!(differential(b"a=99999999999999999.5").is_some());
        assert!(differential(b"a=9999999999999999.5").is_none());
        assert!(transcode(b"n=x\x0b{y}").is_some());
        assert!(transcode(b"n=x\x0c {y}").is_some());
        assert!(transcode(b"n=x\x0b y {z}").is_none());
    }
}
