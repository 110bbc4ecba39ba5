//! CRC-32 (IEEE, as zip and gzip use it), computed by zlib-rs: the inflate backend is
//! linked anyway, so its CRC tables serve every check instead of a second crate's
//! (crc32fast's 16 KB of tables cost 16 KB of gzipped Worker Wasm). Natively the `std`
//! feature lets zlib-rs pick its SIMD path at run time: within 1.3x of crc32fast
//! (docs/benchmarks.md, "Wasm size").

/// A running CRC-32.
///
/// ```
/// use pdxedge_core::container::Crc32;
///
/// let mut crc = Crc32::new();
/// crc.update(b"1234");
/// crc.update(b"56789");
/// assert_eq!(crc.value(), 0xcbf4_3926);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Crc32(u32);

impl Crc32 {
    pub fn new() -> Self {
        Crc32(0)
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0 = zlib_rs::crc32::crc32(self.0, bytes);
    }

    /// The CRC-32 of everything passed to [`Crc32::update`] so far.
    pub fn value(&self) -> u32 {
        self.0
    }
}
