//! Differential tests on the real files of `../shared/corpus` (never copied into this
//! repository): every text file and every text entry of every zip, in all three modes,
//! against the `jomini` crate. Skips when the corpus is absent, unless `CI` is set.

mod common;

use common::corpus::{corpus_dir, files};
use common::{Mode, jomini_json, options};
use pdxedge_core::Encoding;

/// A named text document from the corpus (a file, or a zip entry).
struct Doc {
    name: String,
    bytes: Vec<u8>,
}

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    head.contains(&0)
        || head
            .windows(3)
            .any(|w| w == b"bin" && head.starts_with(b"EU4bin"))
}

fn documents() -> Vec<Doc> {
    let Some(dir) = corpus_dir() else {
        return Vec::new();
    };
    let files = files(&dir);
    let mut docs = Vec::new();
    for path in files {
        let name = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        if name.ends_with(".md") || name.ends_with(".json") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if is_zip(&bytes) {
            for (entry, data) in common::zip_entries(&bytes) {
                if !looks_binary(&data) {
                    docs.push(Doc {
                        name: format!("{name}!{entry}"),
                        bytes: data,
                    });
                }
            }
        } else if !looks_binary(&bytes)
            && !bytes.starts_with(b"SAV")
            && !bytes.starts_with(b"\x1f\x8b")
            && !bytes.starts_with(b"Rar!")
        {
            docs.push(Doc { name, bytes });
        }
    }
    docs
}

/// Strip what jomini does not understand but pdxedge handles (BOM and a first-line
/// header such as `EU4txt`), and pick the encoding jomini should read with.
fn jomini_view(bytes: &[u8]) -> (&[u8], bool) {
    let mut body = bytes;
    let mut utf8 = std::str::from_utf8(bytes).is_ok();
    if let Some(rest) = body.strip_prefix(b"\xEF\xBB\xBF".as_slice()) {
        body = rest;
        utf8 = true;
    }
    let word = body
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if (4..=16).contains(&word)
        && body[..word].ends_with(b"txt")
        && body.get(word).is_none_or(|b| b.is_ascii_whitespace())
    {
        let game = &body[..word - 3];
        if matches!(game, b"EU4" | b"CK2" | b"EU3") {
            utf8 = false;
        }
        body = &body[word..];
    }
    (body, utf8)
}

/// Corpus documents on which pdxedge deliberately differs from jomini, and why (see
/// `docs/compatibility.md`; each reason has a minimal test in `compatibility.rs`).
const EXPECTED_DIVERGENCES: &[(&str, &str)] = &[
    (
        "CompressedTextSingle.zip!gamestate",
        "header inside a list: `{ a { b } }` is {\"a\":[..]}",
    ),
    (
        "TestData/SaveGame.txt",
        "`\\\\` in a quoted string is one backslash",
    ),
    (
        "TestData/SaveGame_Tokens.txt",
        "`\\\\` in a quoted string is one backslash",
    ),
    (
        "parsertests/clause.txt",
        "header inside a mixed list: `types test { .. }`",
    ),
];

fn expected_divergence(name: &str) -> Option<&'static str> {
    EXPECTED_DIVERGENCES
        .iter()
        .find(|(suffix, _)| name.ends_with(suffix))
        .map(|(_, why)| *why)
}

/// The encoding pdxedge is told to read a document with: the one jomini reads it with.
fn encoding_for(utf8: bool) -> Encoding {
    if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Windows1252
    }
}

fn check(mode: Mode, pretty: bool) {
    let docs = documents();
    let mut compared = 0;
    let mut failures = Vec::new();
    for doc in &docs {
        let (body, utf8) = jomini_view(&doc.bytes);
        let encoding = encoding_for(utf8);
        let ours = pdxedge_core::to_json(&doc.bytes, options(mode, pretty, encoding));
        let theirs = jomini_json(body, mode, pretty, utf8);
        match (ours, theirs) {
            (Ok(ours), Some(theirs)) => {
                compared += 1;
                let diverges = expected_divergence(&doc.name);
                if diverges.is_some() && ours == theirs.as_bytes() {
                    failures.push(format!(
                        "{}: listed as diverging but is identical",
                        doc.name
                    ));
                }
                if ours != theirs.as_bytes() && diverges.is_none() {
                    let at = ours
                        .iter()
                        .zip(theirs.as_bytes())
                        .position(|(a, b)| a != b)
                        .unwrap_or(0);
                    let lo = at.saturating_sub(80);
                    failures.push(format!(
                        "{}: differs at output byte {at}\n  ours:   {}\n  jomini: {}",
                        doc.name,
                        String::from_utf8_lossy(&ours[lo..(at + 80).min(ours.len())]),
                        &theirs[lo..(at + 80).min(theirs.len())],
                    ));
                }
            }
            (Err(e), Some(_)) => failures.push(format!(
                "{}: pdxedge failed where jomini did not: {e}",
                doc.name
            )),
            // Every real save converts, also where jomini rejects it (EU3 saves end with
            // a checksum line without a key).
            (Err(e), None) if doc.name.starts_with("saves/") => {
                failures.push(format!("{}: pdxedge failed on a save: {e}", doc.name))
            }
            (_, None) => eprintln!("{}: jomini rejects it; not compared", doc.name),
        }
    }
    eprintln!(
        "{mode:?} (pretty {pretty}): compared {compared} of {} documents",
        docs.len()
    );
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
    if !docs.is_empty() {
        assert!(compared > 50, "too few documents compared: {compared}");
    }
}

#[test]
fn corpus_preserve() {
    check(Mode::Preserve, false);
}

#[test]
fn corpus_group() {
    check(Mode::Group, false);
}

/// Group mode's pretty output is its compact output re-formatted as it is handed on.
#[test]
fn corpus_group_pretty() {
    check(Mode::Group, true);
}

#[test]
fn corpus_key_value_pairs() {
    check(Mode::KeyValuePairs, false);
}

/// The prettifier group mode uses, applied to every mode's compact output, gives the
/// pretty writer's bytes.
#[test]
fn corpus_prettified_compact_is_pretty() {
    let docs = documents();
    let mut compared = 0;
    for doc in &docs {
        let encoding = encoding_for(jomini_view(&doc.bytes).1);
        for mode in [Mode::Preserve, Mode::Group, Mode::KeyValuePairs] {
            let compact = pdxedge_core::to_json(&doc.bytes, options(mode, false, encoding));
            let pretty = pdxedge_core::to_json(&doc.bytes, options(mode, true, encoding));
            if let (Ok(compact), Ok(pretty)) = (compact, pretty) {
                assert!(
                    pdxedge_core::json::group::prettify(&compact) == pretty,
                    "{} {mode:?}",
                    doc.name
                );
                compared += 1;
            }
        }
    }
    if !docs.is_empty() {
        assert!(compared > 150, "too few documents compared: {compared}");
    }
}
