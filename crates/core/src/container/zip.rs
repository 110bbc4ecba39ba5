//! Zip archives held in memory: the central directory is read up front, entries are
//! inflated on demand, as a stream (see [`EntryReader`](super::EntryReader)).

use super::error::{ContainerError, ContainerErrorKind};
use super::limits::ArchiveLimits;

/// How an entry's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Stored,
    Deflate,
    Zstd,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Stored => "stored",
            Method::Deflate => "deflate",
            Method::Zstd => "zstd",
        }
    }
}

/// One file in an archive, as its central directory describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    /// The name (UTF-8; other bytes are replaced).
    pub name: String,
    pub method: Method,
    pub compressed_size: u64,
    /// The inflated size the archive declares (checked while inflating).
    pub size: u64,
    pub crc32: u32,
    /// Where the compressed bytes are, within the archive's bytes.
    pub(crate) data: (usize, usize),
}

/// Read the central directory of the zip in `bytes`, check every entry against the
/// limits and the zip-slip rules, and locate each entry's compressed data.
pub fn read_directory(
    bytes: &[u8],
    limits: &ArchiveLimits,
) -> Result<Vec<ZipEntry>, ContainerError> {
    // Without an end-of-directory record, the place it was looked for is the end.
    let archive = rawzip::ZipArchive::from_slice(bytes).map_err(|e| {
        let missing = matches!(e.kind(), rawzip::ErrorKind::MissingEndOfCentralDirectory);
        let end = missing.then_some(bytes.len() as u64);
        zip_error_at(e, end)
    })?;
    if archive.entries_hint() > limits.max_entries {
        return Err(ContainerErrorKind::TooManyEntries {
            count: archive.entries_hint(),
            limit: limits.max_entries,
        }
        .into());
    }
    let mut entries = Vec::new();
    let mut declared_total: u64 = 0;
    let mut records = archive.entries();
    while let Some(record) = records.next_entry().map_err(zip_error)? {
        if entries.len() as u64 >= limits.max_entries {
            return Err(ContainerErrorKind::TooManyEntries {
                count: entries.len() as u64 + 1,
                limit: limits.max_entries,
            }
            .into());
        }
        let raw_name = record.file_path();
        let name = String::from_utf8_lossy(raw_name.as_bytes()).into_owned();
        check_name(&name)?;
        if record.is_dir() {
            continue;
        }
        if record.flags().is_encrypted() {
            return Err(ContainerError::new(ContainerErrorKind::Unsupported(
                "encrypted zip entries".into(),
            ))
            .in_entry(&name));
        }
        let method = match record.compression_method().as_u16() {
            0 => Method::Stored,
            8 => Method::Deflate,
            93 => Method::Zstd,
            other => {
                return Err(ContainerError::new(ContainerErrorKind::Unsupported(format!(
                    "zip compression method {other} (only stored, deflate and zstd are read)"
                )))
                .in_entry(&name));
            }
        };
        let size = record.uncompressed_size_hint();
        let compressed_size = record.compressed_size_hint();
        declared_total = declared_total.saturating_add(size);
        if declared_total > limits.max_inflated {
            return Err(ContainerError::new(ContainerErrorKind::TooLarge {
                size: declared_total,
                limit: limits.max_inflated,
            })
            .in_entry(&name));
        }
        if !limits.ratio_ok(size, compressed_size) {
            return Err(ContainerError::new(ContainerErrorKind::RatioTooHigh {
                inflated: size,
                compressed: compressed_size,
                limit: limits.max_ratio,
            })
            .in_entry(&name));
        }
        let local = archive
            .get_entry(record.wayfinder())
            .map_err(|e| zip_error(e).in_entry(&name))?;
        let (start, end) = local.compressed_data_range();
        let data = (
            usize::try_from(start).unwrap_or(usize::MAX),
            usize::try_from(end).unwrap_or(usize::MAX),
        );
        if data.0 > data.1 || data.1 > bytes.len() {
            return Err(ContainerError::corrupt_at(
                "zip",
                "entry data lies outside the archive (truncated file?)",
                start,
            )
            .in_entry(&name));
        }
        entries.push(ZipEntry {
            name,
            method,
            compressed_size,
            size,
            crc32: record.crc32(),
            data,
        });
    }
    Ok(entries)
}

/// Refuse names that would escape an extraction folder (zip-slip): absolute paths,
/// drive letters, `..` components, NUL bytes.
pub fn check_name(name: &str) -> Result<(), ContainerError> {
    let unsafe_name = name.is_empty()
        || name.starts_with('/')
        || name.starts_with('\\')
        || name.contains('\0')
        || name.as_bytes().get(1) == Some(&b':')
        || name.split(['/', '\\']).any(|part| part == "..");
    if unsafe_name {
        return Err(ContainerErrorKind::UnsafeName(name.to_owned()).into());
    }
    Ok(())
}

fn zip_error(e: rawzip::Error) -> ContainerError {
    zip_error_at(e, None)
}

/// `offset`: where the error is when rawzip does not say.
fn zip_error_at(e: rawzip::Error, offset: Option<u64>) -> ContainerError {
    let offset = e.eocd_offset().or(offset);
    let detail = match e.kind() {
        rawzip::ErrorKind::MissingEndOfCentralDirectory => {
            "no end of central directory record (truncated or not a zip)".to_owned()
        }
        rawzip::ErrorKind::Eof => "the archive is cut short (truncated file?)".to_owned(),
        _ => e.to_string(),
    };
    match offset {
        Some(o) => ContainerError::corrupt_at("zip", detail, o),
        None => ContainerError::corrupt("zip", detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zip_without_its_directory_says_where_it_looked() {
        let e = read_directory(b"PK\x03\x04 cut short", &ArchiveLimits::default()).unwrap_err();
        assert!(e.to_string().ends_with("(byte offset 14)"), "{e}");
    }

    #[test]
    fn zip_slip_names_are_refused() {
        for bad in [
            "../evil",
            "a/../../evil",
            "/etc/passwd",
            "\\windows\\evil",
            "C:evil",
            "a\\..\\b",
            "",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?} should be refused");
        }
        for good in ["gamestate", "meta", "save/gamestate", "a..b", "..hidden"] {
            assert!(check_name(good).is_ok(), "{good:?} should pass");
        }
    }
}
