//! Clausewitz text to JSON, in the shapes of the `jomini` crate's JSON.
//!
//! - [`DuplicateKeyMode::Preserve`] (the default) keeps duplicate keys as they are;
//! - [`DuplicateKeyMode::Group`] gathers a key's values into an array at its first place;
//! - [`DuplicateKeyMode::KeyValuePairs`] writes objects as lists of `[key, value]` pairs.
//!
//! Preserve and key-value-pairs stream ([`render`]); group mode needs a key's later values
//! where it writes the first, so it reads its input once but holds its output until the
//! input ends, rebuilding each object with a repeated key when it closes ([`group`]).

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

/// One of the JSON options' named choices, with the one spelling the CLI flags, the HTTP
/// query parameters and the Wasm options objects all use (`mode=key-value-pairs`,
/// `narrow=unquoted`, `encoding=windows-1252`). `FromStr` takes these names.
pub trait Choice: Copy + PartialEq + Sized + 'static {
    /// The option's name (`mode`, `narrow`, `encoding`).
    const OPTION: &'static str;
    /// Every choice, the default first.
    const ALL: &'static [Self];
    /// This choice's name.
    fn name(self) -> &'static str;

    /// The choice called `name` (exactly; names are lowercase).
    fn parse(name: &str) -> Result<Self, UnknownChoice> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.name() == name)
            .ok_or_else(|| UnknownChoice {
                option: Self::OPTION,
                value: name.to_string(),
                expected: Self::ALL.iter().map(|c| c.name()).collect(),
            })
    }
}

/// A name that is none of an option's choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownChoice {
    pub option: &'static str,
    pub value: String,
    pub expected: Vec<&'static str>,
}

impl std::fmt::Display for UnknownChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid {} {:?}: expected one of {}",
            self.option,
            self.value,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownChoice {}

impl Choice for DuplicateKeyMode {
    const OPTION: &'static str = "mode";
    const ALL: &'static [Self] = &[Self::Preserve, Self::Group, Self::KeyValuePairs];
    fn name(self) -> &'static str {
        match self {
            Self::Preserve => "preserve",
            Self::Group => "group",
            Self::KeyValuePairs => "key-value-pairs",
        }
    }
}

impl Choice for Narrowing {
    const OPTION: &'static str = "narrow";
    const ALL: &'static [Self] = &[Self::All, Self::Unquoted, Self::None];
    fn name(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Unquoted => "unquoted",
            Self::None => "none",
        }
    }
}

impl Choice for Encoding {
    const OPTION: &'static str = "encoding";
    const ALL: &'static [Self] = &[Self::Auto, Self::Utf8, Self::Windows1252];
    fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Utf8 => "utf-8",
            Self::Windows1252 => "windows-1252",
        }
    }
}

macro_rules! from_str_by_choice {
    ($($t:ty),*) => {$(
        impl std::str::FromStr for $t {
            type Err = UnknownChoice;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t as Choice>::parse(s)
            }
        }
    )*};
}
from_str_by_choice!(DuplicateKeyMode, Narrowing, Encoding);

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Choice + std::fmt::Debug + Default>() {
        assert_eq!(T::ALL.first(), Some(&T::default()));
        for &c in T::ALL {
            assert_eq!(T::parse(c.name()), Ok(c));
        }
    }

    #[test]
    fn every_choice_parses_from_its_name() {
        round_trips::<DuplicateKeyMode>();
        round_trips::<Narrowing>();
        round_trips::<Encoding>();
        assert_eq!(
            "key-value-pairs".parse(),
            Ok(DuplicateKeyMode::KeyValuePairs)
        );
        assert_eq!(
            "Group".parse::<DuplicateKeyMode>().unwrap_err().to_string(),
            r#"invalid mode "Group": expected one of preserve, group, key-value-pairs"#
        );
    }
}
