//! Limits that keep hostile archives (zip bombs, huge inputs) from using unbounded
//! time or memory.

/// Limits on what a container may hold. Every check happens before or while inflating,
/// never after: a bomb is refused after at most `max_ratio` times its compressed size
/// (and never more than `max_inflated` bytes) has been inflated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Largest compressed input held in memory for random access (zip, `SAV`, zstd
    /// inputs). Default 512 MiB.
    pub max_input: u64,
    /// Most entries an archive may list. Saves have one to four. Default 256.
    pub max_entries: u64,
    /// Most bytes all entries may inflate to, added up (declared and actual). A late
    /// game CK3 or EU4 text save is 100-300 MB. Default 2 GiB.
    pub max_inflated: u64,
    /// Highest inflated/compressed ratio accepted for an entry (text saves deflate about
    /// 8-20:1, zstd/brotli 20-40:1; DEFLATE itself tops out near 1032:1). Default 200.
    pub max_ratio: u64,
    /// Entries that inflate to at most this many bytes are exempt from the ratio limit
    /// (a 1 KiB entry of spaces is no threat). Default 1 MiB.
    pub ratio_floor: u64,
    /// Largest zstd window accepted when decoding (the decoder allocates it). Default 128 MiB.
    pub max_zstd_window: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_input: 512 << 20,
            max_entries: 256,
            max_inflated: 2 << 30,
            max_ratio: 200,
            ratio_floor: 1 << 20,
            max_zstd_window: 128 << 20,
        }
    }
}

impl ArchiveLimits {
    /// Is `inflated` from `compressed` bytes within the ratio limit?
    pub(crate) fn ratio_ok(&self, inflated: u64, compressed: u64) -> bool {
        inflated <= self.ratio_floor || inflated / compressed.max(1) < self.max_ratio
    }
}
