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
