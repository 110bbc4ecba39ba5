//! Shared pieces of the container targets (`container_json`, `recompress`, `info`).
//!
//! Their inputs start with one control byte that picks what the bytes alone cannot say
//! (the file name the caller would pass, brotli, JSON options, the output format); the
//! rest is the file. `fuzz/seeds.py containers` writes seeds in that shape. Limits are
//! small so that a zip bomb costs milliseconds, not seconds: the targets check that
//! the code stays correct at the limits, and the hostile suite checks the real ones.

use pdxedge_core::container::{ArchiveLimits, Hints};

/// File names a caller may pass; the extension names the game (or nothing).
const FILE_NAMES: [Option<&str>; 8] = [
    None,
    Some("save.eu4"),
    Some("save.ck3"),
    Some("save.sav"),
    Some("save.v3"),
    Some("save.hoi4"),
    Some("save.rome"),
    Some("save.zip"),
];

/// Split an input into its control byte and the file.
pub fn split(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(&c, rest)| (c, rest))
}

/// The hints a control byte asks for: bits 0-2 the file name, bit 3 brotli.
pub fn hints_from(control: u8) -> Hints<'static> {
    Hints {
        file_name: FILE_NAMES[usize::from(control & 7)],
        brotli: control & 8 != 0,
    }
}

/// Limits small enough that every input finishes in milliseconds under ASan: a bomb
/// trips `max_inflated` (or the ratio) after at most 2 MiB of output.
pub fn small_limits() -> ArchiveLimits {
    ArchiveLimits {
        max_input: 1 << 20,
        max_entries: 64,
        max_inflated: 2 << 20,
        max_ratio: 200,
        ratio_floor: 64 << 10,
        max_zstd_window: 1 << 20,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_byte_reaches_every_hint() {
        let names: Vec<_> = (0..=255u8).map(|c| hints_from(c).file_name).collect();
        for name in FILE_NAMES {
            assert!(names.contains(&name), "{name:?}");
        }
        assert!(hints_from(8).brotli && !hints_from(7).brotli);
        assert_eq!(split(b"\x03PK"), Some((3, &b"PK"[..])));
        assert_eq!(split(b""), None);
    }
}
