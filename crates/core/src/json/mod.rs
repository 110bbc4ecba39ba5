//! Clausewitz text to JSON, in the shapes of the `jomini` crate's JSON.
//!
//! - [`DuplicateKeyMode::Preserve`] (the default) keeps duplicate keys as they are;
//! - [`DuplicateKeyMode::Group`] gathers a key's values into an array at its first place;
//! - [`DuplicateKeyMode::KeyValuePairs`] writes objects as lists of `[key, value]` pairs.
//!
//! Preserve and key-value-pairs stream ([`render`]); group mode needs to see a key's later
//! values when it writes the first, so it reads its input twice ([`group`]).

pub mod group;
pub mod render;
pub mod writer;

use crate::text::Encoding;

/// How duplicate keys in an object are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicateKeyMode {
    /// `{"core":"A","core":"B"}`: keys as they come (jomini's default).
    #[default]
    Preserve,
    /// `{"core":["A","B"]}`: a repeated key's values gathered at its first place.
    Group,
    /// `{"type":"obj","val":[["core","A"],["core","B"]]}`: order and duplicates kept in a
    /// shape any JSON parser reads.
    KeyValuePairs,
}

/// Which scalars may become JSON booleans and numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Narrowing {
    /// Quoted and unquoted scalars alike (jomini's default).
    #[default]
    All,
    /// Only unquoted scalars; `"01"` stays a string.
    Unquoted,
    /// None: every scalar is a string.
    None,
}

/// Options for the JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JsonOptions {
    pub mode: DuplicateKeyMode,
    pub narrow: Narrowing,
    /// Pretty-print with two-space indentation, as `serde_json::to_writer_pretty`.
    pub pretty: bool,
    /// How scalars are decoded. [`Encoding::Auto`] lets the file's header decide
    /// (EU4 and CK2 saves are Windows-1252), else decides per token.
    pub encoding: Encoding,
}
