//! Clausewitz text: the push-based parser and the pieces it shares with the JSON writer.

pub mod encoding;
pub mod parser;
pub mod scalar;

pub use encoding::Encoding;
pub use parser::{Limits, Parser, Sink, SinkResult};

/// An operator between a key and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `<`
    LessThan,
    /// `<=`
    LessThanEqual,
    /// `>`
    GreaterThan,
    /// `>=`
    GreaterThanEqual,
    /// `!=`
    NotEqual,
    /// `==`
    Exact,
    /// `=`
    Equal,
    /// `?=`
    Exists,
}

impl Operator {
    /// The operator as written in a file.
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::LessThan => "<",
            Operator::LessThanEqual => "<=",
            Operator::GreaterThan => ">",
            Operator::GreaterThanEqual => ">=",
            Operator::NotEqual => "!=",
            Operator::Exact => "==",
            Operator::Equal => "=",
            Operator::Exists => "?=",
        }
    }

    /// The name jomini's JSON uses for the operator (`{"a":{"GREATER_THAN":1}}`).
    pub fn name(self) -> &'static str {
        match self {
            Operator::LessThan => "LESS_THAN",
            Operator::LessThanEqual => "LESS_THAN_EQUAL",
            Operator::GreaterThan => "GREATER_THAN",
            Operator::GreaterThanEqual => "GREATER_THAN_EQUAL",
            Operator::NotEqual => "NOT_EQUAL",
            Operator::Exact => "EXACT",
            Operator::Equal => "EQUAL",
            Operator::Exists => "EXISTS",
        }
    }
}

/// A byte's entry in a 256-entry table. The crate denies indexing that may panic; a `u8`
/// cannot be out of bounds here, which this one allowance says once.
#[inline(always)]
#[allow(clippy::indexing_slicing)]
pub(crate) fn lookup<T: Copy>(table: &[T; 256], b: u8) -> T {
    table[usize::from(b)]
}

/// `buf[start..end]` for a range the lexer has already checked. Should that invariant
/// ever break, debug builds (tests, fuzzing) fail loudly and release builds get an empty
/// slice rather than a panic (a panic kills a Wasm worker).
#[inline(always)]
pub(crate) fn span(buf: &[u8], start: usize, end: usize) -> &[u8] {
    debug_assert!(
        start <= end && end <= buf.len(),
        "{start}..{end} of {}",
        buf.len()
    );
    buf.get(start..end).unwrap_or_default()
}

/// `buf[start..]`, as [`span`] does.
#[inline(always)]
pub(crate) fn tail(buf: &[u8], start: usize) -> &[u8] {
    debug_assert!(start <= buf.len(), "{start}.. of {}", buf.len());
    buf.get(start..).unwrap_or_default()
}
