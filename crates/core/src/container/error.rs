//! Errors from opening containers and reading their entries.

use std::fmt;

/// What went wrong while opening a container or reading one of its entries.
#[derive(Debug)]
#[non_exhaustive]
pub enum ContainerErrorKind {
    /// Text inside the container failed to parse, or is binary (ironman) content
    /// ([`crate::ErrorKind::Binary`]); the position is inside the entry.
    Text(crate::Error),
    /// The container's bytes are malformed or cut short.
    Corrupt {
        format: &'static str,
        detail: String,
        offset: Option<u64>,
    },
    /// A well-formed container this build cannot read (RAR, encryption, a compression
    /// method other than stored, deflate or zstd, ...).
    Unsupported(String),
    /// An entry name is absolute or climbs out with `..` (zip-slip).
    UnsafeName(String),
    /// More entries than [`ArchiveLimits::max_entries`](super::ArchiveLimits::max_entries).
    TooManyEntries { count: u64, limit: u64 },
    /// The compressed input is larger than [`ArchiveLimits::max_input`](super::ArchiveLimits::max_input).
    InputTooLarge { size: u64, limit: u64 },
    /// Inflated sizes add up to more than [`ArchiveLimits::max_inflated`](super::ArchiveLimits::max_inflated).
    TooLarge { size: u64, limit: u64 },
    /// An entry inflates more than [`ArchiveLimits::max_ratio`](super::ArchiveLimits::max_ratio) times its compressed size.
    RatioTooHigh {
        inflated: u64,
        compressed: u64,
        limit: u64,
    },
    /// An entry inflated to a size other than the one its archive declares.
    SizeMismatch { declared: u64, actual: u64 },
    /// An entry's bytes do not match the CRC-32 its archive declares.
    ChecksumMismatch { declared: u32, actual: u32 },
    /// The requested entry is not in the archive.
    NoSuchEntry {
        name: String,
        available: Vec<String>,
    },
    /// An entry is itself an archive; nested archives are never opened.
    NestedArchive(&'static str),
    /// The document is not Clausewitz text: UTF-16, or a NUL byte (which text never
    /// holds). `offset` is within the document (the entry, for an archive).
    NotText { detail: String, offset: u64 },
    /// A recompressed output differs from its input (`--verify`).
    VerifyFailed(String),
    /// The output sink refused bytes (a closed pipe, a full disk, ...).
    Output(std::io::Error),
}

/// An error from the container layer, naming the entry it happened in when there is one.
#[derive(Debug)]
pub struct ContainerError {
    kind: ContainerErrorKind,
    entry: Option<String>,
}

impl ContainerError {
    pub fn new(kind: ContainerErrorKind) -> Self {
        ContainerError { kind, entry: None }
    }

    pub(crate) fn corrupt(format: &'static str, detail: impl Into<String>) -> Self {
        Self::new(ContainerErrorKind::Corrupt {
            format,
            detail: detail.into(),
            offset: None,
        })
    }

    pub(crate) fn corrupt_at(format: &'static str, detail: impl Into<String>, offset: u64) -> Self {
        Self::new(ContainerErrorKind::Corrupt {
            format,
            detail: detail.into(),
            offset: Some(offset),
        })
    }

    /// Attach the entry name (kept if one is already set: the innermost name wins).
    pub fn in_entry(mut self, name: &str) -> Self {
        if self.entry.is_none() {
            self.entry = Some(name.to_owned());
        }
        self
    }

    pub fn kind(&self) -> &ContainerErrorKind {
        &self.kind
    }

    /// The entry the error happened in, if any.
    pub fn entry(&self) -> Option<&str> {
        self.entry.as_deref()
    }

    /// Is this a failure to write output (not a problem with the input)?
    pub fn is_output(&self) -> bool {
        matches!(self.kind, ContainerErrorKind::Output(_))
    }

    /// Recover a container error carried through `std::io` (decoders and the tar
    /// builder speak `io::Error`); anything else is a corrupt stream of `format`.
    pub(crate) fn from_io(e: std::io::Error, format: &'static str) -> Self {
        if e.get_ref()
            .is_some_and(|inner| inner.is::<ContainerError>())
        {
            if let Some(inner) = e.into_inner()
                && let Ok(c) = inner.downcast::<ContainerError>()
            {
                return *c;
            }
            return ContainerError::corrupt(format, "unreadable stream");
        }
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            return ContainerError::corrupt(format, "the data is cut short (truncated file?)");
        }
        ContainerError::corrupt(format, e.to_string())
    }

    /// Carry this error through an `io::Error` (see [`ContainerError::from_io`]).
    pub(crate) fn into_io(self) -> std::io::Error {
        std::io::Error::other(self)
    }
}

impl From<crate::Error> for ContainerError {
    fn from(e: crate::Error) -> Self {
        Self::new(ContainerErrorKind::Text(e))
    }
}

impl From<ContainerErrorKind> for ContainerError {
    fn from(kind: ContainerErrorKind) -> Self {
        Self::new(kind)
    }
}

impl fmt::Display for ContainerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(entry) = &self.entry {
            write!(f, "entry `{entry}`: ")?;
        }
        match &self.kind {
            ContainerErrorKind::Text(e) => write!(f, "{e}"),
            ContainerErrorKind::Corrupt {
                format,
                detail,
                offset,
            } => {
                write!(f, "corrupt {format}: {detail}")?;
                if let Some(o) = offset {
                    write!(f, " (byte offset {o})")?;
                }
                Ok(())
            }
            ContainerErrorKind::Unsupported(what) => write!(f, "unsupported input: {what}"),
            ContainerErrorKind::UnsafeName(name) => write!(
                f,
                "unsafe entry name {name:?}: absolute paths and `..` are refused (zip-slip)"
            ),
            ContainerErrorKind::TooManyEntries { count, limit } => write!(
                f,
                "the archive has {count} entries, more than the limit of {limit}"
            ),
            ContainerErrorKind::InputTooLarge { size, limit } => write!(
                f,
                "the input is {size} bytes, more than the limit of {limit} bytes"
            ),
            ContainerErrorKind::TooLarge { size, limit } => write!(
                f,
                "inflated data reaches {size} bytes, more than the limit of {limit} bytes (zip bomb?)"
            ),
            ContainerErrorKind::RatioTooHigh {
                inflated,
                compressed,
                limit,
            } => write!(
                f,
                "{compressed} compressed bytes inflate to {inflated}, a ratio above the limit of {limit}:1 (zip bomb?)"
            ),
            ContainerErrorKind::SizeMismatch { declared, actual } => write!(
                f,
                "the archive declares {declared} bytes but the data inflates to {}{actual}",
                if actual > declared { "at least " } else { "" }
            ),
            ContainerErrorKind::ChecksumMismatch { declared, actual } => write!(
                f,
                "CRC-32 mismatch: the archive declares {declared:08x}, the data gives {actual:08x}"
            ),
            ContainerErrorKind::NoSuchEntry { name, available } => {
                write!(f, "no entry named {name:?}")?;
                if available.is_empty() {
                    write!(f, " (the input is a single document, not an archive)")
                } else {
                    write!(f, "; entries: {}", available.join(", "))
                }
            }
            ContainerErrorKind::NestedArchive(what) => write!(
                f,
                "the entry is itself a {what}; nested archives are not opened"
            ),
            ContainerErrorKind::NotText { detail, offset } => {
                write!(f, "{detail} (byte offset {offset})")
            }
            ContainerErrorKind::VerifyFailed(what) => write!(f, "verification failed: {what}"),
            ContainerErrorKind::Output(e) => write!(f, "cannot write output: {e}"),
        }
    }
}

impl std::error::Error for ContainerError {}
