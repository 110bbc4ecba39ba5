//! The `SAV` first line of CK3, Vic3, Imperator and EU5 saves.
//!
//! `SAV` + 2 hex digits of format version + 2 of kind + 8 of random data + 8 of metadata
//! length, then a newline (24 bytes in all). The metadata block (that many bytes)
//! follows; then, for the compressed kinds, a zip holding the gamestate. In the
//! uncompressed kinds the metadata block is the start of the gamestate text.

use super::error::ContainerError;

/// Bytes in the `SAV` line, newline included.
pub const SAV_HEADER_LEN: usize = 24;

/// What follows the `SAV` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavKind {
    /// 0: uncompressed text (metadata block, then the rest of the gamestate).
    Text,
    /// 1: uncompressed binary.
    Binary,
    /// 2: text metadata, then a zip with the text gamestate.
    UnifiedText,
    /// 3: binary metadata, then a zip with the binary gamestate.
    UnifiedBinary,
    /// 4: a zip holding both metadata and gamestate, as text.
    SplitText,
    /// 5: a zip holding both, binary.
    SplitBinary,
    /// A kind this build does not know.
    Other(u8),
}

impl SavKind {
    fn from_code(code: u8) -> SavKind {
        match code {
            0 => SavKind::Text,
            1 => SavKind::Binary,
            2 => SavKind::UnifiedText,
            3 => SavKind::UnifiedBinary,
            4 => SavKind::SplitText,
            5 => SavKind::SplitBinary,
            n => SavKind::Other(n),
        }
    }

    pub fn code(self) -> u8 {
        match self {
            SavKind::Text => 0,
            SavKind::Binary => 1,
            SavKind::UnifiedText => 2,
            SavKind::UnifiedBinary => 3,
            SavKind::SplitText => 4,
            SavKind::SplitBinary => 5,
            SavKind::Other(n) => n,
        }
    }

    pub fn is_binary(self) -> bool {
        matches!(
            self,
            SavKind::Binary | SavKind::UnifiedBinary | SavKind::SplitBinary
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            SavKind::Text => "uncompressed text",
            SavKind::Binary => "uncompressed binary",
            SavKind::UnifiedText => "text metadata + zipped text gamestate",
            SavKind::UnifiedBinary => "binary metadata + zipped binary gamestate",
            SavKind::SplitText => "zip of text metadata and gamestate",
            SavKind::SplitBinary => "zip of binary metadata and gamestate",
            SavKind::Other(_) => "unknown kind",
        }
    }
}

/// A parsed `SAV` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavHeader {
    pub version: u8,
    pub kind: SavKind,
    /// The 8 hex digits the game writes as random data (kept for display).
    pub random: u32,
    /// Length of the metadata block that follows the line.
    pub metadata_len: u64,
}

impl SavHeader {
    /// Does `input` start like a `SAV` line (enough to sniff)?
    pub fn sniff(input: &[u8]) -> bool {
        input.starts_with(b"SAV")
            && input
                .get(3..7)
                .is_some_and(|digits| digits.iter().all(u8::is_ascii_hexdigit))
    }

    /// Parse the line at the start of `input`.
    pub fn parse(input: &[u8]) -> Result<SavHeader, ContainerError> {
        let line = input
            .get(..SAV_HEADER_LEN)
            .ok_or_else(|| ContainerError::corrupt("SAV header", "shorter than 24 bytes"))?;
        if !line.starts_with(b"SAV") {
            return Err(ContainerError::corrupt_at(
                "SAV header",
                "does not start with SAV",
                0,
            ));
        }
        let version = hex(line, 3, 2)?;
        let kind = hex(line, 5, 2)?;
        let random = hex(line, 7, 8)?;
        let metadata_len = hex(line, 15, 8)?;
        if !matches!(line.get(23), Some(b'\n')) {
            return Err(ContainerError::corrupt_at(
                "SAV header",
                "the header line does not end after 23 characters",
                23,
            ));
        }
        Ok(SavHeader {
            version: version as u8,
            kind: SavKind::from_code(kind as u8),
            random,
            metadata_len: u64::from(metadata_len),
        })
    }
}

fn hex(line: &[u8], at: usize, len: usize) -> Result<u32, ContainerError> {
    let mut value: u32 = 0;
    for (i, b) in line.iter().skip(at).take(len).enumerate() {
        let digit = char::from(*b).to_digit(16).ok_or_else(|| {
            ContainerError::corrupt_at(
                "SAV header",
                format!("expected a hex digit, found {:?}", char::from(*b)),
                (at + i) as u64,
            )
        })?;
        value = (value << 4) | digit;
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_jomini_fixture_line() {
        let h = SavHeader::parse(b"SAV0102797de24300000009\nmeta=yes\n").unwrap();
        assert_eq!(h.version, 1);
        assert_eq!(h.kind, SavKind::UnifiedText);
        assert_eq!(h.random, 0x797de243);
        assert_eq!(h.metadata_len, 9);
    }

    #[test]
    fn refuses_bad_digits_and_short_lines() {
        let e = SavHeader::parse(b"SAV01x2797de24300000009\n").unwrap_err();
        assert!(e.to_string().contains("byte offset 5"), "{e}");
        assert!(SavHeader::parse(b"SAV0102").is_err());
        assert!(SavHeader::parse(b"SAV0102797de24300000009 ").is_err());
    }
}
