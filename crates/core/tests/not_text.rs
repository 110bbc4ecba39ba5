//! Documents that are not Clausewitz text get an error that says what they are (issue
//! #3): UTF-16 text and text holding a NUL byte were refused as "binary saves". Checked
//! through the save layer, whole and streamed, as the CLI, server and Wasm call it.

use pdxedge_core::container::{ContainerError, ContainerErrorKind, Hints};
use pdxedge_core::save::{SaveJson, SaveJsonOptions, write_json};
use std::io::Write;

fn whole(input: &[u8], hints: &Hints) -> ContainerError {
    let mut out = Vec::new();
    write_json(input, hints, &SaveJsonOptions::default(), &mut out).unwrap_err()
}

/// Fed in 3-byte chunks, as a request body or stdin arrives.
fn streamed(input: &[u8], hints: &Hints) -> ContainerError {
    let mut conv = SaveJson::new(SaveJsonOptions::default(), hints);
    let mut out = Vec::new();
    for chunk in input.chunks(3) {
        if let Err(e) = conv.feed(chunk, &mut out) {
            return e;
        }
    }
    conv.finish(&mut out).unwrap_err()
}

fn utf16_le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn utf16_text_is_named_as_such() {
    let with_bom = utf16_le("\u{feff}date=1444.11.11\nplayer=\"KOR\"\n");
    let without: Vec<u8> = "date=1444.11.11\nplayer=\"KOR\"\n"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    let eu4 = Hints {
        file_name: Some("save.eu4"),
        ..Hints::default()
    };
    for input in [&with_bom, &without] {
        for hints in [&Hints::default(), &eu4] {
            for e in [whole(input, hints), streamed(input, hints)] {
                assert_eq!(
                    e.to_string(),
                    "UTF-16 text is not supported; save the file as UTF-8 or Windows-1252 (byte offset 0)"
                );
            }
        }
    }
}

#[test]
fn a_nul_byte_is_not_a_binary_save() {
    let input = b"EU4txt\ndate=1444.11.11\nplayer=\"K\x00R\"\n";
    for e in [
        whole(input, &Hints::default()),
        streamed(input, &Hints::default()),
    ] {
        assert!(
            matches!(e.kind(), ContainerErrorKind::NotText { offset: 32, .. }),
            "{e}"
        );
        let message = e.to_string();
        assert_eq!(
            message,
            "NUL byte at offset 32: not a text file (byte offset 32)"
        );
        assert!(!message.contains("binary"), "{message}");
    }
}

#[test]
fn a_nul_byte_in_a_zip_entry_names_the_entry() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("meta", opts).unwrap();
    zip.write_all(b"EU4txt\ndate=1444.11.11\n").unwrap();
    zip.start_file("gamestate", opts).unwrap();
    zip.write_all(b"EU4txt\nplayer=\"KOR\"\x00\n").unwrap();
    let input = zip.finish().unwrap().into_inner();
    let e = whole(&input, &Hints::default());
    assert_eq!(
        e.to_string(),
        "entry `gamestate`: NUL byte at offset 19: not a text file (byte offset 19)"
    );
}

#[test]
fn binary_content_is_still_a_binary_save() {
    // Headerless binary tokens (CK3's metadata shape) and an EU4bin header.
    for (input, name) in [
        (
            &b"U1\x01\x00\x03\x00\x8f\x05\x01\x00\x0c\x00\x03\x00\x00\x00"[..],
            "save.ck3",
        ),
        (
            &b"EU4bin\x4f\x2c\x01\x00\x0c\x00\x07\x00\x00\x00"[..],
            "save.eu4",
        ),
    ] {
        let hints = Hints {
            file_name: Some(name),
            ..Hints::default()
        };
        let message = whole(input, &hints).to_string();
        assert!(message.contains("is a binary (ironman) save"), "{message}");
    }
}
