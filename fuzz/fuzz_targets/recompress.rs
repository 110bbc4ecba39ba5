//! Arbitrary bytes through recompression. Input: a control byte (bits 0-1 the output
//! format, bits 2-4 quality, bits 5-7 window; low settings so runs stay fast), then the
//! file. Checks: no panic; when recompression succeeds, decoding the output gives back
//! every entry (`verify`: names, order, sizes, bytes, CRC-32) and the report's entries
//! are the verified ones.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pdxedge_core::container::{Hints, Save};
use pdxedge_core::recompress::{Format, RecompressOptions, recompress, verify};
use pdxedge_fuzz::containers::{small_limits, split};
use pdxedge_fuzz::show;

fuzz_target!(|data: &[u8]| {
    let Some((control, input)) = split(data) else {
        return;
    };
    let Ok(save) = Save::open(input, &Hints::default(), &small_limits()) else {
        return;
    };
    let format =
        [Format::Tar, Format::TarBr, Format::ZipZstd, Format::TarZst][usize::from(control & 3)];
    let level = u32::from((control >> 2) & 7);
    let window = 10 + u32::from(control >> 5);
    let options = RecompressOptions {
        format,
        quality: match format {
            Format::Tar => None,
            Format::TarBr => Some(level),
            Format::ZipZstd | Format::TarZst => Some(level + 1),
        },
        window: (format != Format::Tar).then_some(window),
        // Small, so the flushing path runs on small inputs too.
        brotli_flush_every: 4096,
    };
    let mut out = Vec::new();
    let Ok(report) = recompress(&save, &options, &mut out, None) else {
        return;
    };
    assert_eq!(report.output_size, out.len() as u64, "for {}", show(data));
    match verify(&save, &out, format) {
        Ok(verified) => assert_eq!(
            report.entries,
            verified.entries,
            "report and output disagree for {}",
            show(data)
        ),
        Err(e) => panic!(
            "{} output does not verify: {e} for {}",
            format.name(),
            show(data)
        ),
    }
});
