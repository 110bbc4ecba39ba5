//! Clausewitz text: the push-based parser and the pieces it shares with the JSON writer.

pub mod encoding;
pub mod parser;
pub mod scalar;

pub use encoding::Encoding;
pub use parser::{Limits, Parser, Sink, SinkResult};

/// What the lexer learned about an unquoted token's bytes while it scanned them, handed
/// to the [`Sink`] so that the JSON writer need not test the same bytes again: whether
/// every byte after the first is an ASCII digit (or a digit or `.`), and whether every
/// byte copies into a JSON string as is (ASCII, no control character, quote or
/// backslash).
///
/// The lexer gets this for one `or` per byte: its byte-class table carries these two
/// bits beside the ones that end a token, and it gathers them over the token's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape(u8);

impl Shape {
    /// Nothing known (a quoted string, or a token the general path lexed).
    pub const UNKNOWN: Shape =
        Shape(Shape::NOT_DIGIT | Shape::ESCAPE | Shape::NOT_NUMERIC | Shape::UNKNOWN_BIT);
    /// Class bits of a byte that is not an ASCII digit.
    pub(crate) const NOT_DIGIT: u8 = 8;
    /// Class bits of a byte a JSON string cannot hold as is.
    pub(crate) const ESCAPE: u8 = 16;
    /// Class bits of a byte that is neither an ASCII digit nor `.` (decimals, dates).
    pub(crate) const NOT_NUMERIC: u8 = 32;
    const UNKNOWN_BIT: u8 = 128;

    /// From the class bits of the token's first byte and the `or` of the rest's.
    #[inline(always)]
    pub(crate) fn new(first: u8, rest: u8) -> Shape {
        Shape(
            (first & Shape::ESCAPE)
                | (rest & (Shape::NOT_DIGIT | Shape::NOT_NUMERIC | Shape::ESCAPE)),
        )
    }

    /// The shape of `token` (what the lexer computes while scanning it).
    pub fn of(token: &[u8]) -> Shape {
        let class = |b: u8| {
            let digit = if b.is_ascii_digit() {
                0
            } else {
                Shape::NOT_DIGIT
            };
            let escape = if encoding::is_plain(&[b]) {
                0
            } else {
                Shape::ESCAPE
            };
            let numeric = if b.is_ascii_digit() || b == b'.' {
                0
            } else {
                Shape::NOT_NUMERIC
            };
            digit | escape | numeric
        };
        match token.split_first() {
            Some((&first, rest)) => {
                Shape::new(class(first), rest.iter().fold(0, |a, &b| a | class(b)))
            }
            None => Shape(0),
        }
    }

    /// Is anything known?
    #[inline(always)]
    pub fn is_known(self) -> bool {
        self.0 & Shape::UNKNOWN_BIT == 0
    }

    /// Known: every byte after the first is an ASCII digit.
    #[inline(always)]
    pub fn digits_after_first(self) -> bool {
        self.0 & Shape::NOT_DIGIT == 0
    }

    /// Known: every byte after the first is an ASCII digit or `.`.
    #[inline(always)]
    pub fn digits_dots_after_first(self) -> bool {
        self.0 & Shape::NOT_NUMERIC == 0
    }

    /// Known: every byte copies into a JSON string as is.
    #[inline(always)]
    pub fn is_plain(self) -> bool {
        self.0 & Shape::ESCAPE == 0
    }
}

/// A token as the lexer found it, handed to the [`Sink`]'s fast-path calls and on to the
/// JSON writer: its bytes, the input from its first byte on, and its [`Shape`].
///
/// `rest` starts with `bytes` and is at least as long, often longer: the writer tests
/// and copies a short token as a fixed-size piece of `rest` (the bytes past the token
/// are masked off), which needs no per-byte loop.
#[derive(Debug, Clone, Copy)]
pub struct Token<'a> {
    /// The token's bytes (for a quoted string, without the quotes).
    pub bytes: &'a [u8],
    /// The input from the token's first byte on.
    pub rest: &'a [u8],
    /// What the lexer learned about `bytes` ([`Shape::UNKNOWN`] for a quoted string).
    pub shape: Shape,
}

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
