//! Decode a recompressed output again and compare it with its input, entry by entry,
//! byte by byte, without holding either side's entries whole.

use super::{Format, Report};
use crate::container::{
    ArchiveLimits, Codec, ContainerError, ContainerErrorKind, Crc32, EntryReader, Expect, Hints,
    Save,
};
use std::io::Read;

/// Check that `output` (in `format`) holds exactly the entries of `save`: same names,
/// order, sizes, bytes and CRC-32s. Returns the entries as found in the output.
pub fn verify(save: &Save, output: &[u8], format: Format) -> Result<Report, ContainerError> {
    let limits = *save.limits();
    let entries = match format {
        Format::ZipZstd => verify_zip(save, output, &limits)?,
        Format::Tar => verify_tar(save, output)?,
        Format::TarBr => {
            let budget = limits.max_inflated.saturating_add(1 << 20);
            let reader =
                EntryReader::new(output, Codec::Brotli, Expect::default(), &limits, budget)?;
            verify_tar(save, reader)?
        }
        Format::TarZst => {
            let budget = limits.max_inflated.saturating_add(1 << 20);
            let reader = EntryReader::new(output, Codec::Zstd, Expect::default(), &limits, budget)?;
            verify_tar(save, reader)?
        }
    };
    Ok(Report {
        format,
        quality: 0,
        window: 0,
        inflated_size: entries.iter().map(|e| e.size).sum(),
        entries,
        input_size: save.input().len() as u64,
        output_size: output.len() as u64,
    })
}

fn mismatch(what: String) -> ContainerError {
    ContainerErrorKind::VerifyFailed(what).into()
}

fn verify_tar<R: Read>(save: &Save, output: R) -> Result<Vec<super::EntryReport>, ContainerError> {
    let mut archive = tar::Archive::new(output);
    let mut found = Vec::new();
    let mut iter = archive
        .entries()
        .map_err(|e| ContainerError::from_io(e, "tar"))?;
    for (index, expected) in save.entries().iter().enumerate() {
        let mut entry = match iter.next() {
            Some(e) => e.map_err(|e| ContainerError::from_io(e, "tar"))?,
            None => {
                return Err(mismatch(format!(
                    "the output ends before entry {:?}",
                    expected.name
                )));
            }
        };
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if name != expected.name {
            return Err(mismatch(format!(
                "entry {index} is {name:?} in the output, {:?} in the input",
                expected.name
            )));
        }
        let size = entry.header().size().unwrap_or(u64::MAX);
        let original = save.reader(index).map_err(|e| e.in_entry(&name))?;
        found.push(compare(
            &name,
            original,
            &mut entry,
            expected.crc32,
            Some(size),
        )?);
    }
    if let Some(extra) = iter.next() {
        let extra = extra.map_err(|e| ContainerError::from_io(e, "tar"))?;
        return Err(mismatch(format!(
            "the output has an extra entry {:?}",
            String::from_utf8_lossy(&extra.path_bytes())
        )));
    }
    Ok(found)
}

fn verify_zip(
    save: &Save,
    output: &[u8],
    limits: &ArchiveLimits,
) -> Result<Vec<super::EntryReport>, ContainerError> {
    let out = Save::open(output, &Hints::default(), limits)?;
    if out.entries().len() != save.entries().len() {
        return Err(mismatch(format!(
            "the output has {} entries, the input {}",
            out.entries().len(),
            save.entries().len()
        )));
    }
    let mut found = Vec::new();
    for (index, (expected, got)) in save.entries().iter().zip(out.entries()).enumerate() {
        if got.name != expected.name {
            return Err(mismatch(format!(
                "entry {index} is {:?} in the output, {:?} in the input",
                got.name, expected.name
            )));
        }
        if got.codec != Codec::Zstd {
            return Err(mismatch(format!(
                "entry {:?} is {} in the output, not zstd",
                got.name,
                got.codec.name()
            )));
        }
        if expected.crc32.is_some() && got.crc32 != expected.crc32 {
            return Err(mismatch(format!(
                "entry {:?} declares CRC-32 {:08x?} in the output, {:08x?} in the input",
                got.name, got.crc32, expected.crc32
            )));
        }
        // The output's reader checks its own declared size and CRC as it inflates.
        let mut decoded = out.reader(index).map_err(|e| e.in_entry(&got.name))?;
        let original = save.reader(index).map_err(|e| e.in_entry(&got.name))?;
        found.push(compare(
            &got.name,
            original,
            &mut decoded,
            expected.crc32,
            got.size,
        )?);
    }
    Ok(found)
}

/// Compare the input entry with the decoded output, in lockstep pieces.
fn compare(
    name: &str,
    mut original: EntryReader,
    decoded: &mut dyn Read,
    crc32: Option<u32>,
    declared: Option<u64>,
) -> Result<super::EntryReport, ContainerError> {
    let mut a = vec![0u8; 1 << 16];
    let mut b = vec![0u8; 1 << 16];
    let mut crc = Crc32::new();
    let mut offset: u64 = 0;
    loop {
        let n = fill(&mut original, &mut a)
            .map_err(|e| ContainerError::from_io(e, "input").in_entry(name))?;
        let m = fill(decoded, &mut b)
            .map_err(|e| ContainerError::from_io(e, "output").in_entry(name))?;
        let (pa, pb) = (
            a.get(..n).unwrap_or_default(),
            b.get(..m).unwrap_or_default(),
        );
        if pa != pb {
            let at = pa
                .iter()
                .zip(pb)
                .position(|(x, y)| x != y)
                .unwrap_or(n.min(m));
            return Err(mismatch(format!(
                "entry {name:?} differs at byte {}",
                offset + at as u64
            )));
        }
        crc.update(pa);
        offset += n as u64;
        if n == 0 {
            break;
        }
    }
    let actual = crc.value();
    if let Some(expected) = crc32
        && actual != expected
    {
        return Err(mismatch(format!(
            "entry {name:?} has CRC-32 {actual:08x} in the output, {expected:08x} declared"
        )));
    }
    if let Some(size) = declared
        && size != offset
    {
        return Err(mismatch(format!(
            "entry {name:?} declares {size} bytes in the output but holds {offset}"
        )));
    }
    Ok(super::EntryReport {
        name: name.to_owned(),
        size: offset,
        crc32: actual,
    })
}

/// Read until `buf` is full or the stream ends.
fn fill(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
