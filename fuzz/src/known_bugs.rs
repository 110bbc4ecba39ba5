//! Open pdxedge bugs found by fuzzing and reported to the lead, each with an ignored
//! regression test in `crates/core/tests/regressions.rs`. While a bug is open the
//! differential target skips inputs that may hit it, so that fuzzing can find the next
//! one. Delete a rule as soon as its bug is fixed.

use crate::divergence::{Token, tokens};
use pdxedge_core::json::{DuplicateKeyMode, JsonOptions};

/// The open bug `input` may hit under `options`, if any.
pub fn in_input(input: &[u8], options: JsonOptions) -> Option<&'static str> {
    if options.mode == DuplicateKeyMode::Group {
        // Depth at the end, with stray root-level `}` ignored as both parsers do.
        let depth = tokens(input).iter().fold(0usize, |d, t| match t {
            Token::Open => d + 1,
            Token::Close => d.saturating_sub(1),
            _ => d,
        });
        if depth > 0 {
            // `a=1 a={y=2`: the forgiven missing `}` at the end is not forgiven when group
            // mode re-reads a repeated key's value.
            return Some("group-unclosed-tail");
        }
    }
    None
}
