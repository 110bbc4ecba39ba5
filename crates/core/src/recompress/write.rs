//! The writing side: entries stream from the input zip through a tar builder (or a zip
//! writer) into the compressor and out.

use super::{EntryReport, Format, RecompressOptions, Report, tar_size};
use crate::container::{ContainerError, ContainerErrorKind, Crc32, EntryReader, Save};
use std::io::{self, Read, Write};

/// Called with the inflated bytes processed so far (for progress bars).
pub type Progress<'p> = &'p mut dyn FnMut(u64);

/// Recompress the entries of the archive `save` into `out` (written as it goes; wrap
/// it in a buffer if it is unbuffered). Returns what was written.
pub fn recompress<W: Write>(
    save: &Save,
    options: &RecompressOptions,
    out: W,
    progress: Option<Progress<'_>>,
) -> Result<Report, ContainerError> {
    if !save.is_archive() {
        return Err(ContainerErrorKind::Unsupported(
            "recompress needs an archive (a zip or a SAV save holding one); this input is a single document".into(),
        )
        .into());
    }
    let (quality, window) = options.settings()?;
    let mut noop = |_: u64| {};
    let mut job = Job {
        save,
        progress: progress.unwrap_or(&mut noop),
        processed: 0,
        entries: Vec::new(),
    };
    let mut out = Counting::new(out);
    let sizes = save
        .entries()
        .iter()
        .map(|e| (e.name.as_str(), e.size.unwrap_or(0)));
    let tar_len = tar_size(sizes);
    match options.format {
        Format::Tar => {
            job.write_tar(&mut out)?;
        }
        Format::TarBr => {
            let params = brotli_params(quality, window, tar_len);
            let encoder = brotli::CompressorWriter::with_params(&mut out, 1 << 16, &params);
            let mut flushing = FlushEvery::new(encoder, options.brotli_flush_every);
            job.write_tar(&mut flushing)?;
            // into_inner finishes the stream; a write error there is kept by `Counting`.
            let _finished: &mut Counting<W> = flushing.inner.into_inner();
        }
        Format::TarZst => zstd_tar(&mut job, &mut out, quality, window, tar_len)?,
        Format::ZipZstd => zstd_zip(&mut job, &mut out, quality, window)?,
    }
    out.flush().map_err(output_error)?;
    out.check()?;
    Ok(Report {
        format: options.format,
        quality,
        window,
        inflated_size: job.processed,
        entries: job.entries,
        input_size: save.input().len() as u64,
        output_size: out.count,
    })
}

/// Brotli parameters set explicitly: `CompressorWriter::new` leaves `size_hint` at 0,
/// which at qualities 5-8 picks a weak hasher and doubles the output.
fn brotli_params(quality: u32, window: u32, size_hint: u64) -> brotli::enc::BrotliEncoderParams {
    let mut params = brotli::enc::BrotliEncoderParams {
        quality: quality as i32,
        lgwin: window as i32,
        size_hint: usize::try_from(size_hint).unwrap_or(usize::MAX),
        ..Default::default()
    };
    params.mode = brotli::enc::backward_references::BrotliEncoderMode::BROTLI_MODE_TEXT;
    params
}

struct Job<'s, 'a, 'p> {
    save: &'s Save<'a>,
    progress: Progress<'p>,
    processed: u64,
    entries: Vec<EntryReport>,
}

impl<'a> Job<'_, 'a, '_> {
    /// A reader of entry `index` that counts progress and computes the CRC-32.
    fn tee(&mut self, index: usize) -> Result<Tee<'_, 'a>, ContainerError> {
        let budget = self
            .save
            .limits()
            .max_inflated
            .saturating_sub(self.processed);
        let reader = self.save.reader_with_budget(index, budget)?;
        Ok(Tee {
            reader,
            crc: Crc32::new(),
            processed: &mut self.processed,
            progress: &mut *self.progress,
        })
    }

    fn record(&mut self, name: String, size: u64, crc32: u32) {
        self.entries.push(EntryReport { name, size, crc32 });
    }

    /// Stream entry `index` into `sink`.
    #[cfg_attr(not(feature = "zstd"), allow(dead_code))]
    fn copy_entry(&mut self, index: usize, sink: &mut dyn Write) -> Result<(), ContainerError> {
        let name = self.entry_name(index);
        let mut tee = self.tee(index)?;
        io::copy(&mut tee, sink)
            .map_err(|e| ContainerError::from_io(e, "output").in_entry(&name))?;
        let (size, crc) = tee.done();
        self.record(name, size, crc);
        Ok(())
    }

    fn entry_name(&self, index: usize) -> String {
        self.save
            .entries()
            .get(index)
            .map(|e| e.name.clone())
            .unwrap_or_default()
    }

    fn write_tar(&mut self, out: &mut dyn Write) -> Result<(), ContainerError> {
        // Refused before the first byte is written, so no partial archive goes out.
        for index in 0..self.save.entries().len() {
            check_tar_name(&self.entry_name(index))?;
        }
        let mut builder = tar::Builder::new(out);
        for index in 0..self.save.entries().len() {
            let name = self.entry_name(index);
            let size = self
                .save
                .entries()
                .get(index)
                .and_then(|e| e.size)
                .ok_or_else(|| {
                    ContainerError::new(ContainerErrorKind::Unsupported(
                        "an entry without a declared size cannot go in a tar".into(),
                    ))
                    .in_entry(&name)
                })?;
            let mut header = tar::Header::new_ustar();
            header.set_size(size);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_entry_type(tar::EntryType::Regular);
            // The tar header promises the size before the data streams; the reader fails
            // the moment the data disagrees, so a lying zip cannot produce a corrupt tar.
            let mut tee = self.tee(index)?;
            builder
                .append_data(&mut header, &name, &mut tee)
                .map_err(|e| ContainerError::from_io(e, "tar").in_entry(&name))?;
            let (size, crc) = tee.done();
            self.record(name, size, crc);
        }
        builder
            .into_inner()
            .map_err(|e| ContainerError::from_io(e, "tar"))?;
        Ok(())
    }
}

/// An entry's reader that also counts progress and computes the CRC-32 of what passes.
struct Tee<'j, 'a> {
    reader: EntryReader<'a>,
    crc: Crc32,
    processed: &'j mut u64,
    progress: &'j mut dyn FnMut(u64),
}

impl Tee<'_, '_> {
    fn done(self) -> (u64, u32) {
        (self.reader.produced(), self.crc.value())
    }
}

impl Read for Tee<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.reader.read(buf)?;
        let piece = buf.get(..n).unwrap_or_default();
        self.crc.update(piece);
        *self.processed += n as u64;
        (self.progress)(*self.processed);
        Ok(n)
    }
}

#[cfg(feature = "zstd")]
fn zstd_encoder<W: Write>(
    out: W,
    level: u32,
    window: u32,
    pledged: u64,
) -> Result<zstd::stream::write::Encoder<'static, W>, ContainerError> {
    let mut enc = zstd::stream::write::Encoder::new(out, level as i32).map_err(output_error)?;
    let configure = |enc: &mut zstd::stream::write::Encoder<'static, W>| -> io::Result<()> {
        enc.include_checksum(true)?;
        enc.include_contentsize(true)?;
        enc.set_pledged_src_size(Some(pledged))?;
        enc.window_log(window)?;
        enc.long_distance_matching(window > 23)?;
        Ok(())
    };
    configure(&mut enc).map_err(|e| {
        ContainerError::new(ContainerErrorKind::Unsupported(format!(
            "zstd level {level} window {window}: {e}"
        )))
    })?;
    Ok(enc)
}

#[cfg(feature = "zstd")]
fn zstd_tar(
    job: &mut Job,
    out: &mut dyn Write,
    level: u32,
    window: u32,
    tar_len: u64,
) -> Result<(), ContainerError> {
    let mut encoder = zstd_encoder(out, level, window, tar_len)?;
    job.write_tar(&mut encoder)?;
    encoder
        .finish()
        .map_err(|e| ContainerError::from_io(e, "zstd"))?;
    Ok(())
}

/// The tar writer stores a name as its path components, which would silently rename
/// `a//b` or `./a` (directories are not entries; reading refuses `..` and absolute
/// names). Names must come out unchanged, so those are refused.
fn check_tar_name(name: &str) -> Result<(), ContainerError> {
    if name.split('/').any(|part| part.is_empty() || part == ".") {
        return Err(ContainerErrorKind::Unsupported(format!(
            "entry name {name:?} cannot be stored unchanged in a tar (empty or `.` path \
             components)"
        ))
        .into());
    }
    Ok(())
}

/// The zip writer stores names in the zip specification's form (forward slashes, no
/// drive or device prefix, no `.` or empty components, no trailing `/` for a file), which
/// would silently rename an entry such as `a:b` or `a\b`. Names must come out unchanged,
/// so those are refused, naming the formats that keep them.
#[cfg(feature = "zstd")]
fn check_zip_name(name: &str) -> Result<(), ContainerError> {
    let stored = rawzip::path::ZipFilePath::from_str(name);
    let stored = stored.as_str().trim_end_matches('/');
    if stored != name {
        return Err(ContainerErrorKind::Unsupported(format!(
            "entry name {name:?} cannot be stored unchanged in a zip (it would become \
             {stored:?}); tar.br and tar.zst keep it"
        ))
        .into());
    }
    Ok(())
}

#[cfg(feature = "zstd")]
fn zstd_zip(
    job: &mut Job,
    out: &mut dyn Write,
    level: u32,
    window: u32,
) -> Result<(), ContainerError> {
    // Refused before the first byte is written, so no partial archive goes out.
    for index in 0..job.save.entries().len() {
        check_zip_name(&job.entry_name(index))?;
    }
    let mut archive = rawzip::ZipArchiveWriter::new(out);
    for index in 0..job.save.entries().len() {
        let name = job.entry_name(index);
        let size = job
            .save
            .entries()
            .get(index)
            .and_then(|e| e.size)
            .unwrap_or(0);
        let zip_err = |e: rawzip::Error| ContainerError::corrupt("zip output", e.to_string());
        let (mut entry, config) = archive
            .new_file(name.as_str())
            .compression_method(rawzip::CompressionMethod::ZSTD)
            .start()
            .map_err(zip_err)?;
        // Small entries need no big window (the decoder allocates what the frame says).
        let entry_window = window.min(64 - size.max(1024).leading_zeros()).max(10);
        let encoder = zstd_encoder(&mut entry, level, entry_window, size)?;
        let mut writer = config.wrap(encoder);
        job.copy_entry(index, &mut writer)?;
        let (encoder, descriptor) = writer.finish().map_err(|e| zip_err(e).in_entry(&name))?;
        encoder
            .finish()
            .map_err(|e| ContainerError::from_io(e, "zstd").in_entry(&name))?;
        entry.finish(descriptor).map_err(zip_err)?;
    }
    archive
        .finish()
        .map_err(|e| ContainerError::corrupt("zip output", e.to_string()))?;
    Ok(())
}

#[cfg(not(feature = "zstd"))]
fn zstd_tar(_: &mut Job, _: &mut dyn Write, _: u32, _: u32, _: u64) -> Result<(), ContainerError> {
    Err(no_zstd())
}

#[cfg(not(feature = "zstd"))]
fn zstd_zip(_: &mut Job, _: &mut dyn Write, _: u32, _: u32) -> Result<(), ContainerError> {
    Err(no_zstd())
}

#[cfg(not(feature = "zstd"))]
fn no_zstd() -> ContainerError {
    ContainerErrorKind::Unsupported(
        "zstd output: this build has no zstd encoder (enable the `zstd` feature of pdxedge-core)"
            .into(),
    )
    .into()
}

fn output_error(e: io::Error) -> ContainerError {
    ContainerErrorKind::Output(e).into()
}

/// Counts bytes written and keeps the first write error (the brotli encoder swallows
/// errors when it finishes its stream).
struct Counting<W> {
    inner: W,
    count: u64,
    error: Option<io::Error>,
}

impl<W: Write> Counting<W> {
    fn new(inner: W) -> Self {
        Counting {
            inner,
            count: 0,
            error: None,
        }
    }

    fn check(&mut self) -> Result<(), ContainerError> {
        match self.error.take() {
            Some(e) => Err(output_error(e)),
            None => Ok(()),
        }
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.error.is_some() {
            return Err(io::Error::other("output failed earlier"));
        }
        match self.inner.write(buf) {
            Ok(n) => {
                self.count += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let kind = e.kind();
                let msg = e.to_string();
                self.error = Some(e);
                // Tagged as an output failure so callers do not blame the input.
                Err(
                    ContainerError::new(ContainerErrorKind::Output(io::Error::new(kind, msg)))
                        .into_io(),
                )
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Err(e) = self.inner.flush() {
            let kind = e.kind();
            let msg = e.to_string();
            self.error.get_or_insert(e);
            return Err(
                ContainerError::new(ContainerErrorKind::Output(io::Error::new(kind, msg)))
                    .into_io(),
            );
        }
        Ok(())
    }
}

/// Flushes the inner writer every `every` bytes. Between the tar builder and the brotli
/// encoder it caps the encoder's memory (it otherwise buffers up to its window of input
/// and a block of output), at a cost of well under 1 % of output.
#[derive(Debug)]
pub struct FlushEvery<W> {
    inner: W,
    every: u64,
    since: u64,
}

impl<W: Write> FlushEvery<W> {
    /// Flush `inner` after every `every` bytes written (never, for 0).
    pub fn new(inner: W, every: u64) -> Self {
        FlushEvery {
            inner,
            every,
            since: 0,
        }
    }
}

impl<W: Write> Write for FlushEvery<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.since += n as u64;
        if self.every > 0 && self.since >= self.every {
            self.since = 0;
            self.inner.flush()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
