//! Open pdxedge bugs found by fuzzing and reported to the lead, each with an ignored
//! regression test in `crates/core/tests/regressions.rs`. While a bug is open the
//! differential target skips inputs that may hit it, so that fuzzing can find the next
//! one. Delete a rule (and this module when none is left) as soon as its bug is fixed.

/// The open bug `input` may hit, if any.
pub fn in_input(input: &[u8]) -> Option<&'static str> {
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
    semicolon_then_operator.then_some("semicolon-before-operator")
}

#[cfg(test)]
mod tests {
    use super::in_input;

    #[test]
    fn recognises_the_open_bugs_and_nothing_else() {
        assert!(in_input(b"a={x;=y}").is_some());
        assert!(in_input(b"a = { 1 x ; == y }").is_some());
        assert!(in_input(b"a={x;} b=c; d=e").is_none());
    }
}
