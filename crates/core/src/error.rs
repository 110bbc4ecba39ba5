//! Errors with a position a person can act on.

use std::fmt;

/// Where in the input something went wrong.
///
/// `offset` counts bytes from the start of the input the caller fed (before any BOM or
/// header line was skipped); `line` and `column` are 1-based, the column in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub offset: u64,
    pub line: u64,
    pub column: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {} (byte offset {})",
            self.line, self.column, self.offset
        )
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not valid Clausewitz text; the message says what was expected.
    Syntax(&'static str),
    /// The input ended where more was required.
    UnexpectedEof(&'static str),
    /// Containers nest deeper than [`Limits::max_depth`](crate::Limits::max_depth).
    TooDeep { limit: usize },
    /// One token (a quoted string, say) is longer than [`Limits::max_token_len`](crate::Limits::max_token_len).
    TokenTooLong { limit: usize },
    /// The input is a binary (ironman) save, which needs a token file.
    Binary { format: &'static str },
    /// Input was fed after [`finish`](crate::Transcoder::finish).
    Finished,
    /// Group mode holds its JSON until the input ends, and the input is larger than it
    /// accepts ([`Transcoder::set_max_group_input`](crate::Transcoder::set_max_group_input)),
    /// or what it holds (the JSON, and the records of the open objects' keys) larger than
    /// twice that, or than memory allows.
    GroupInputTooLarge { limit: u64 },
    /// Group mode rebuilds each object with a repeated key when it closes, copying its
    /// nested objects along; objects with repeated keys nest so deeply here that the
    /// copies passed `factor` times the JSON (see
    /// [`REGROUP_FACTOR`](crate::json::group::REGROUP_FACTOR)).
    RegroupLimit { factor: usize },
    /// One feed's input made more JSON than the streaming modes hand back from a feed
    /// (`limit`, see
    /// [`Transcoder::set_max_feed_output`](crate::Transcoder::set_max_feed_output)):
    /// pretty output of containers nested thousands deep, where each line is indented
    /// by twice its depth.
    OutputTooLarge { limit: usize },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Syntax(msg) => write!(f, "syntax error: {msg}"),
            ErrorKind::UnexpectedEof(msg) => write!(f, "unexpected end of input: {msg}"),
            ErrorKind::TooDeep { limit } => {
                write!(f, "containers nest deeper than the limit of {limit}")
            }
            ErrorKind::TokenTooLong { limit } => write!(
                f,
                "a token is longer than the limit of {limit} bytes (an unclosed quote?)"
            ),
            ErrorKind::Binary { format } => write!(
                f,
                "{format} is a binary (ironman) save; binary saves need a token file and are not supported yet"
            ),
            ErrorKind::Finished => write!(f, "input fed after the end of input"),
            ErrorKind::GroupInputTooLarge { limit } => write!(
                f,
                "group mode holds its output in memory until the input ends and accepts at \
                 most {limit} bytes of input and twice that of JSON and key records \
                 (preserve mode streams any size)"
            ),
            ErrorKind::RegroupLimit { factor } => write!(
                f,
                "group mode gives up: objects with repeated keys nest so deeply that \
                 regrouping them would copy more than {factor} times the JSON (preserve \
                 and key-value-pairs modes stream any nesting)"
            ),
            ErrorKind::OutputTooLarge { limit } => write!(
                f,
                "one piece of input makes more than {limit} bytes of JSON (pretty output \
                 of deeply nested containers): leave out pretty, or feed smaller pieces"
            ),
        }
    }
}

/// An error from the engine: what went wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    position: Position,
}

impl Error {
    pub fn new(kind: ErrorKind, position: Position) -> Self {
        Error { kind, position }
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    pub fn position(&self) -> Position {
        self.position
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.kind, self.position)
    }
}

impl std::error::Error for Error {}
