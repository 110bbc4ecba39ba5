//! Shared test helpers: the jomini oracle and chunked feeding.
#![allow(dead_code)]

pub mod corpus;

use jomini::json::{DuplicateKeyMode, JsonOptions as JOptions, TypeNarrowing};
use pdxedge_core::json::{self, JsonOptions};
use pdxedge_core::{Encoding, Transcoder};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Preserve,
    Group,
    KeyValuePairs,
}

pub fn options(mode: Mode, pretty: bool, encoding: Encoding) -> JsonOptions {
    JsonOptions {
        mode: match mode {
            Mode::Preserve => json::DuplicateKeyMode::Preserve,
            Mode::Group => json::DuplicateKeyMode::Group,
            Mode::KeyValuePairs => json::DuplicateKeyMode::KeyValuePairs,
        },
        narrow: json::Narrowing::All,
        pretty,
        encoding,
    }
}

/// jomini's JSON for `input`, or None when jomini rejects it.
pub fn jomini_json(input: &[u8], mode: Mode, pretty: bool, utf8: bool) -> Option<String> {
    let tape = jomini::TextTape::from_slice(input).ok()?;
    let opts = JOptions::new()
        .with_prettyprint(pretty)
        .with_type_narrowing(TypeNarrowing::All)
        .with_duplicate_keys(match mode {
            Mode::Preserve => DuplicateKeyMode::Preserve,
            Mode::Group => DuplicateKeyMode::Group,
            Mode::KeyValuePairs => DuplicateKeyMode::KeyValuePairs,
        });
    // jomini's serializer panics on some shapes it cannot write; treat that as a rejection.
    std::panic::catch_unwind(|| {
        if utf8 {
            tape.utf8_reader().json().with_options(opts).to_string()
        } else {
            tape.windows1252_reader()
                .json()
                .with_options(opts)
                .to_string()
        }
    })
    .ok()
}

/// pdxedge's JSON for `input` fed in one piece.
pub fn pdxedge_json(input: &[u8], options: JsonOptions) -> Result<String, pdxedge_core::Error> {
    let out = pdxedge_core::to_json(input, options)?;
    Ok(String::from_utf8(out).expect("pdxedge writes UTF-8"))
}

/// pdxedge's JSON for `input` fed in chunks of the given sizes (cycled).
pub fn pdxedge_json_chunked(
    input: &[u8],
    options: JsonOptions,
    sizes: &[usize],
) -> Result<Vec<u8>, pdxedge_core::Error> {
    let mut t = Transcoder::new(options);
    let mut out = Vec::new();
    let mut rest = input;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        t.feed(&rest[..n], &mut out)?;
        rest = &rest[n..];
        i += 1;
    }
    t.finish(&mut out)?;
    Ok(out)
}

#[track_caller]
pub fn assert_same_as_jomini(input: &[u8], mode: Mode) {
    for pretty in [false, true] {
        let expected = jomini_json(input, mode, pretty, true);
        let actual = pdxedge_json(input, options(mode, pretty, Encoding::Utf8));
        match (expected, actual) {
            (Some(e), Ok(a)) => assert_eq!(
                a,
                e,
                "{mode:?} pretty={pretty} input: {:?}",
                String::from_utf8_lossy(input)
            ),
            (None, _) => {}
            (Some(e), Err(err)) => panic!(
                "{mode:?}: pdxedge failed ({err}) where jomini wrote {e} for {:?}",
                String::from_utf8_lossy(input)
            ),
        }
    }
}

/// The entries of a zip archive (deflate or stored), via the `zip` test dependency.
pub fn zip_entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let Ok(mut file) = archive.by_index(i) else {
            continue;
        };
        let mut data = Vec::new();
        if file.read_to_end(&mut data).is_ok() {
            out.push((file.name().to_string(), data));
        }
    }
    out
}
