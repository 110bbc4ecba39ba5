//! Containers on the real saves of `../shared/corpus` (never copied into this
//! repository): every zip, SAV, gzip and binary file. JSON over each container is checked
//! against the transcoder on entries extracted independently (the `zip` crate), and every
//! zip is recompressed to all three formats and decoded back to the same bytes (brotli,
//! tar and zstd decoded here with their own crates, not through pdxedge's readers).
//! Skips when the corpus is absent, unless `CI` is set.

use pdxedge_core::container::{ArchiveLimits, ContainerErrorKind, Envelope, Game, Hints, Save};
use pdxedge_core::json::JsonOptions;
use pdxedge_core::recompress::{Format, RecompressOptions, recompress, verify};
use pdxedge_core::save::{SaveJson, SaveJsonOptions, inspect, write_json};
use pdxedge_core::{ErrorKind, to_json};
use std::io::{Read, Write};

#[path = "common/corpus.rs"]
mod corpus;

use corpus::{corpus_dir, files};

/// Every corpus file whose first bytes are a zip's.
fn zips() -> Vec<(String, Vec<u8>)> {
    let Some(dir) = corpus_dir() else {
        return Vec::new();
    };
    let files = files(&dir);
    files
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            bytes
                .starts_with(b"PK\x03\x04")
                .then(|| (p.strip_prefix(&dir).unwrap().display().to_string(), bytes))
        })
        .collect()
}

fn corpus_file(rel: &str) -> Option<(Vec<u8>, String)> {
    let path = corpus_dir()?.join(rel);
    let name = path.file_name()?.to_string_lossy().into_owned();
    Some((std::fs::read(&path).expect(rel), name))
}

/// Entries as the `zip` crate extracts them: the independent oracle.
fn oracle_entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_owned(), data)
        })
        .collect()
}

fn keyed(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"{".to_vec();
    for (i, (name, json)) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(serde_json::to_string(name).unwrap().as_bytes());
        out.push(b':');
        out.extend_from_slice(json);
    }
    out.push(b'}');
    out
}

fn save_json(bytes: &[u8], name: Option<&str>, entry: Option<&str>) -> Result<Vec<u8>, String> {
    let hints = Hints {
        file_name: name,
        brotli: false,
    };
    let options = SaveJsonOptions {
        entry: entry.map(str::to_owned),
        ..SaveJsonOptions::default()
    };
    let mut out = Vec::new();
    write_json(bytes, &hints, &options, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

#[test]
fn every_corpus_zip_gives_entry_keyed_json() {
    let zips = zips();
    if corpus_dir().is_some() {
        assert!(
            zips.len() >= 10,
            "expected the corpus zips, found {}",
            zips.len()
        );
    }
    let mut checked = 0;
    for (name, bytes) in &zips {
        let entries = oracle_entries(bytes);
        let expected: Result<Vec<(String, Vec<u8>)>, _> = entries
            .iter()
            .map(|(n, data)| to_json(data, JsonOptions::default()).map(|j| (n.clone(), j)))
            .collect();
        let got = save_json(bytes, None, None);
        match expected {
            Ok(parts) => {
                let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(got == keyed(&parts), "{name}: keyed JSON differs");
                // --entry gives one entry's JSON, bare.
                let (first, json) = &parts[0];
                assert_eq!(
                    &save_json(bytes, None, Some(first)).unwrap(),
                    json,
                    "{name}"
                );
                checked += 1;
            }
            Err(e) => {
                // A corpus zip whose text the transcoder rejects must be rejected the
                // same way, naming the entry.
                let got = got.expect_err(name);
                assert!(got.contains(&e.to_string()), "{name}: {got} vs {e}");
            }
        }
    }
    eprintln!("{checked} of {} zips converted", zips.len());
}

#[test]
fn streaming_json_equals_whole_input_json_for_every_chunking() {
    let Some((korea, _)) = corpus_file("saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4") else {
        return;
    };
    let Some((gz, _)) =
        corpus_file("edge/nickbabcock__EU4.Savegame/EU4.Stats.Web.Test/data/test.eu4.gz")
    else {
        return;
    };
    let Some((text, _)) =
        corpus_file("saves/eu4/morgotth__eu4-save-viewer/tests/samples/tiny_save.eu4")
    else {
        return;
    };
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 20);
        w.write_all(&text).unwrap();
    }
    let cases: [(&[u8], bool); 4] = [(&korea, false), (&gz, false), (&text, false), (&br, true)];
    for (input, is_brotli) in cases {
        let hints = Hints {
            file_name: None,
            brotli: is_brotli,
        };
        let mut whole = Vec::new();
        write_json(input, &hints, &SaveJsonOptions::default(), &mut whole).unwrap();
        for size in [1usize, 7, 4096, 1 << 20] {
            if size == 1 && input.len() > 300_000 {
                continue;
            }
            let mut conv = SaveJson::new(SaveJsonOptions::default(), &hints);
            let mut out = Vec::new();
            for chunk in input.chunks(size) {
                conv.feed(chunk, &mut out).unwrap();
            }
            conv.finish(&mut out).unwrap();
            assert!(out == whole, "chunk size {size} changes the output");
        }
    }
}

#[test]
fn gzip_zstd_and_brotli_wrapped_text_converts_like_the_text() {
    let Some((text, _)) = corpus_file(
        "saves/eu4/ParadoxGameConverters__paradoxGameConverters/extracted/Version_1_15.eu4",
    ) else {
        return;
    };
    let expected = to_json(&text, JsonOptions::default()).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&text).unwrap();
    let gz = gz.finish().unwrap();
    let zst =
        ruzstd::encoding::compress_to_vec(&text[..], ruzstd::encoding::CompressionLevel::Fastest);
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 1 << 16, 1, 22);
        w.write_all(&text).unwrap();
    }
    for (what, bytes, brotli) in [
        ("gzip", &gz, false),
        ("zstd", &zst, false),
        ("brotli", &br, true),
    ] {
        let hints = Hints {
            file_name: None,
            brotli,
        };
        let save = Save::open(bytes, &hints, &ArchiveLimits::default()).unwrap();
        assert!(!save.is_archive(), "{what}");
        let mut out = Vec::new();
        write_json(bytes, &hints, &SaveJsonOptions::default(), &mut out).unwrap();
        assert!(
            out == expected,
            "{what}: JSON differs from the plain text's"
        );
    }
    // The corpus's own gzip file.
    let Some((gz, _)) =
        corpus_file("edge/nickbabcock__EU4.Savegame/EU4.Stats.Web.Test/data/test.eu4.gz")
    else {
        return;
    };
    assert_eq!(save_json(&gz, None, None).unwrap(), br#"{"player":"VEN"}"#);
}

#[test]
fn sav_saves_of_every_kind() {
    // The jomini fixture: SAV kind 2, text metadata then a zip with the gamestate.
    let Some((sav, name)) = corpus_file("edge/rakaly__jomini/tests/fixtures/envelopes/text.zip")
    else {
        return;
    };
    let save = Save::open(&sav, &Hints::default(), &ArchiveLimits::default()).unwrap();
    assert!(matches!(save.envelope(), Envelope::Sav(h) if h.kind.code() == 2));
    assert_eq!(
        save_json(&sav, Some(&name), None).unwrap(),
        br#"{"meta":{"meta":true},"gamestate":{"meta":true,"gamestate":"hi"}}"#
    );

    // SAV files built from the CK3 fixtures: the header is 24 bytes, then metadata.
    let (meta, _) = corpus_file("saves/ck3/rakaly__jomini/tests/fixtures/ck3-header.txt").unwrap();
    let (game, _) = corpus_file(
        "saves/ck3/thomandretti__ck3-strategy-advisor/tests/fixtures/mini-gamestate.txt",
    )
    .unwrap();
    let (binary_meta, _) =
        corpus_file("saves/ck3/rakaly__jomini/tests/fixtures/ck3-header.bin").unwrap();
    let line =
        |kind: u8, meta_len: usize| format!("SAV01{kind:02x}0badf00d{meta_len:08x}\n").into_bytes();

    // Kind 0: uncompressed text; the metadata block is the start of the document.
    let mut kind0 = line(0, meta.len());
    kind0.extend_from_slice(&meta);
    kind0.extend_from_slice(&game);
    let mut doc = meta.clone();
    doc.extend_from_slice(&game);
    let expected = to_json(&doc, JsonOptions::default()).unwrap();
    assert_eq!(save_json(&kind0, Some("x.ck3"), None).unwrap(), expected);
    let info = inspect(
        &kind0,
        &Hints {
            file_name: Some("x.ck3"),
            brotli: false,
        },
        &ArchiveLimits::default(),
    )
    .unwrap();
    assert_eq!(info.game, Some(Game::Ck3));
    assert_eq!(info.sav, Some((1, 0)));
    assert_eq!(info.version.as_deref(), Some("1.0.3"));
    assert_eq!(info.date.as_deref(), Some("1066.9.15"));
    assert_eq!(info.player.as_deref(), Some("Chieftain Botulf"));

    // Kind 2: text metadata, then a zip holding the gamestate.
    let mut zipped = Vec::new();
    {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zipped));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("gamestate", opts).unwrap();
        w.write_all(&game).unwrap();
        w.finish().unwrap();
    }
    let mut kind2 = line(2, meta.len());
    kind2.extend_from_slice(&meta);
    kind2.extend_from_slice(&zipped);
    let expected = keyed(&[
        (
            "meta".into(),
            to_json(&meta, JsonOptions::default()).unwrap(),
        ),
        (
            "gamestate".into(),
            to_json(&game, JsonOptions::default()).unwrap(),
        ),
    ]);
    assert_eq!(save_json(&kind2, Some("x.ck3"), None).unwrap(), expected);
    let save = Save::open(&kind2, &Hints::default(), &ArchiveLimits::default()).unwrap();
    let mut out = Vec::new();
    recompress(
        &save,
        &RecompressOptions::new(Format::TarBr),
        &mut out,
        None,
    )
    .unwrap();
    verify(&save, &out, Format::TarBr).unwrap();

    // Kinds 1, 3, 5: binary, refused naming the game (from the file name) or the SAV games.
    for kind in [1u8, 3, 5] {
        let mut bin = line(kind, binary_meta.len());
        bin.extend_from_slice(&binary_meta);
        bin.extend_from_slice(&zipped);
        let e = save_json(&bin, Some("autosave.ck3"), None).unwrap_err();
        assert!(
            e.contains("CK3bin (Crusader Kings III) is a binary"),
            "kind {kind}: {e}"
        );
        let e = save_json(&bin, None, None).unwrap_err();
        assert!(
            e.contains("CK3, Vic3, Imperator or EU5"),
            "kind {kind}: {e}"
        );
    }
}

#[test]
fn binary_and_foreign_inputs_are_refused_clearly() {
    let Some((meta_bin, name)) = corpus_file("saves/eu4/rakaly__jomini/tests/fixtures/meta.bin")
    else {
        return;
    };
    let mut out = Vec::new();
    let e = write_json(
        &meta_bin,
        &Hints {
            file_name: Some(&name),
            brotli: false,
        },
        &SaveJsonOptions::default(),
        &mut out,
    )
    .unwrap_err();
    match e.kind() {
        ContainerErrorKind::Text(t) => {
            assert_eq!(
                t.kind(),
                &ErrorKind::Binary {
                    format: "EU4bin (Europa Universalis IV)"
                }
            )
        }
        _ => panic!("{e}"),
    }
    // An ironman EU4 zip: entries start with EU4bin. Built from the binary meta fixture.
    let mut zipped = Vec::new();
    {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zipped));
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("meta", opts).unwrap();
        w.write_all(&meta_bin).unwrap();
        w.finish().unwrap();
    }
    let e = save_json(&zipped, Some("ironman.eu4"), None).unwrap_err();
    assert!(
        e.starts_with("entry `meta`: EU4bin (Europa Universalis IV) is a binary"),
        "{e}"
    );
    let info = inspect(&zipped, &Hints::default(), &ArchiveLimits::default()).unwrap();
    assert!(info.binary);

    let (headerless, _) =
        corpus_file("saves/ck3/rakaly__jomini/tests/fixtures/ck3-header.bin").unwrap();
    let e = save_json(&headerless, Some("x.ck3"), None).unwrap_err();
    assert!(e.contains("CK3bin (Crusader Kings III)"), "{e}");

    let (rar, name) = corpus_file("saves/vic2/ParadoxGameConverters__paradoxGameConverters/cpp_version/Victoria2 Saves/Hindustan_1839-1-1   Feb18Crash ConverterMod.rar").unwrap();
    let e = save_json(&rar, Some(&name), None).unwrap_err();
    assert!(e.contains("RAR archive"), "{e}");
}

/// Decode a recompressed output with the format's own crates (not pdxedge's readers):
/// entries as (name, bytes).
fn decode_independently(format: Format, out: &[u8]) -> Vec<(String, Vec<u8>)> {
    let untar = |r: &mut dyn Read| {
        let mut archive = tar::Archive::new(r);
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let name = e.path().unwrap().display().to_string();
                let mut data = Vec::new();
                e.read_to_end(&mut data).unwrap();
                (name, data)
            })
            .collect()
    };
    match format {
        Format::TarBr => untar(&mut brotli::Decompressor::new(out, 4096)),
        Format::TarZst => untar(&mut ruzstd::decoding::StreamingDecoder::new(out).unwrap()),
        Format::Tar => untar(&mut &out[..]),
        Format::ZipZstd => {
            let archive = rawzip::ZipArchive::from_slice(out).unwrap();
            let mut entries = archive.entries();
            let mut found = Vec::new();
            while let Some(rec) = entries.next_entry().unwrap() {
                assert_eq!(rec.compression_method(), rawzip::CompressionMethod::ZSTD);
                let name = String::from_utf8(rec.file_path().as_bytes().to_vec()).unwrap();
                let local = archive.get_entry(rec.wayfinder()).unwrap();
                let mut data = Vec::new();
                ruzstd::decoding::StreamingDecoder::new(local.data())
                    .unwrap()
                    .read_to_end(&mut data)
                    .unwrap();
                assert_eq!(crc32fast::hash(&data), rec.crc32(), "{name}: CRC");
                found.push((name, data));
            }
            found
        }
    }
}

#[test]
fn every_corpus_zip_round_trips_through_all_formats() {
    let formats: &[Format] = if cfg!(feature = "zstd") {
        &[Format::TarBr, Format::ZipZstd, Format::TarZst]
    } else {
        eprintln!("built without the zstd feature: only tar.br is round-tripped");
        &[Format::TarBr]
    };
    for (name, bytes) in zips() {
        let save = Save::open(&bytes, &Hints::default(), &ArchiveLimits::default()).unwrap();
        let original = oracle_entries(&bytes);
        for &format in formats {
            let mut options = RecompressOptions::new(format);
            // Fast settings keep the test quick; the defaults run on Korea below.
            options.quality = Some(if format == Format::TarBr { 2 } else { 3 });
            options.window = Some(22);
            let mut out = Vec::new();
            let report = recompress(&save, &options, &mut out, None)
                .unwrap_or_else(|e| panic!("{name} {}: {e}", format.name()));
            assert_eq!(report.output_size, out.len() as u64);
            let decoded = decode_independently(format, &out);
            assert_eq!(decoded.len(), original.len(), "{name} {}", format.name());
            for ((n1, d1), (n2, d2)) in original.iter().zip(&decoded) {
                assert_eq!(n1, n2, "{name} {}: names/order", format.name());
                assert!(d1 == d2, "{name} {} {n1}: bytes differ", format.name());
            }
            let checked = verify(&save, &out, format).unwrap();
            assert_eq!(checked.entries, report.entries);
            // A flipped byte in the output must fail verification.
            if out.len() > 200 {
                let mut bad = out.clone();
                let at = bad.len() / 2;
                bad[at] ^= 0x55;
                assert!(
                    verify(&save, &bad, format).is_err(),
                    "{name} {}",
                    format.name()
                );
            }
        }
    }
}

#[test]
fn korea_with_default_settings_beats_the_zip() {
    let Some((korea, _)) = corpus_file("saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4") else {
        return;
    };
    let save = Save::open(&korea, &Hints::default(), &ArchiveLimits::default()).unwrap();
    let mut out = Vec::new();
    let mut last = 0;
    let mut calls = 0;
    let mut progress = |done: u64| {
        assert!(done >= last);
        last = done;
        calls += 1;
    };
    let report = recompress(
        &save,
        &RecompressOptions::new(Format::TarBr),
        &mut out,
        Some(&mut progress),
    )
    .unwrap();
    assert_eq!(last, 34_220_410);
    assert!(calls > 100);
    // Measured 1,351,996 bytes at the default q6/w24; the game's zip is 3,517,933.
    assert!(report.output_size < 1_400_000, "{}", report.output_size);
    verify(&save, &out, Format::TarBr).unwrap();
}

#[test]
fn info_on_corpus_saves() {
    let Some((korea, name)) = corpus_file("saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4") else {
        return;
    };
    let hints = Hints {
        file_name: Some(&name),
        brotli: false,
    };
    let info = inspect(&korea, &hints, &ArchiveLimits::default()).unwrap();
    assert_eq!(info.game, Some(Game::Eu4));
    assert_eq!(info.container, "zip");
    assert_eq!(info.date.as_deref(), Some("1444.11.11"));
    assert_eq!(info.player.as_deref(), Some("KOR"));
    assert_eq!(info.version.as_deref(), Some("1.37.5.0"));
    // The gamestate's checksum (its last line), not the meta entry's own.
    assert_eq!(
        info.checksum.as_deref(),
        Some("e6aff24f885509995d35508b27f8043a")
    );
    assert_eq!(info.encoding, Some("windows-1252"));
    let sizes: Vec<(&str, Option<u64>)> = info
        .entries
        .iter()
        .map(|e| (e.name.as_str(), e.size))
        .collect();
    assert_eq!(
        sizes,
        [
            ("gamestate", Some(34102436)),
            ("meta", Some(1650)),
            ("ai", Some(116324))
        ]
    );

    // A converter zip: no meta entry; the checksum is the gamestate's last line.
    let (sirk, _) = corpus_file(
        "saves/eu4/ParadoxGameConverters__paradoxGameConverters/EU4toV2/EU4_Saves/Sirk_Russia.zip",
    )
    .unwrap();
    let info = inspect(&sirk, &Hints::default(), &ArchiveLimits::default()).unwrap();
    assert_eq!(info.game, Some(Game::Eu4));
    assert_eq!(info.player.as_deref(), Some("RUS"));
    let text = &oracle_entries(&sirk)[1].1;
    let tail = String::from_utf8_lossy(&text[text.len() - 100..]).into_owned();
    assert!(tail.contains(info.checksum.as_deref().unwrap()), "{tail}");

    for f in [
        "ironman.sav",
        "unitednationsofearth.sav",
        "tzynnempire-2200.01.13.sav",
    ] {
        let (bytes, name) = corpus_file(&format!(
            "saves/stellaris/esandstedt__stellaris-model/savefiles/{f}"
        ))
        .unwrap();
        let info = inspect(
            &bytes,
            &Hints {
                file_name: Some(&name),
                brotli: false,
            },
            &ArchiveLimits::default(),
        )
        .unwrap();
        assert_eq!(info.game, Some(Game::Stellaris), "{f}");
        assert!(info.version.as_deref().unwrap().contains(" v"), "{f}");
        assert!(info.date.is_some() && info.player_name.is_some(), "{f}");
        assert_eq!(
            info.ironman,
            (f != "tzynnempire-2200.01.13.sav").then_some(true),
            "{f}"
        );
    }

    // Plain text read from head and tail only.
    let (text, _) = corpus_file(
        "saves/eu4/ParadoxGameConverters__paradoxGameConverters/extracted/Version_1_15.eu4",
    )
    .unwrap();
    let info = pdxedge_core::save::inspect_text(
        &text[..1 << 20],
        &text[text.len() - 4096..],
        text.len() as u64,
        &Hints::default(),
    );
    assert_eq!(info.game, Some(Game::Eu4));
    assert_eq!(info.player.as_deref(), Some("HAB"));
    assert_eq!(
        info.checksum.as_deref(),
        Some("88a908006c9ec5892e8b0e5da8324ddb")
    );
}

#[test]
fn format_names_parse_in_both_spellings_and_print_one() {
    for (spelling, format) in [
        ("tar.br", Format::TarBr),
        ("tar-br", Format::TarBr),
        ("TAR.BR", Format::TarBr),
        ("zip-zstd", Format::ZipZstd),
        ("tar.zst", Format::TarZst),
        ("tar-zst", Format::TarZst),
        ("tar", Format::Tar),
    ] {
        let parsed: Format = spelling.parse().expect(spelling);
        assert_eq!(parsed, format, "{spelling}");
        assert_eq!(parsed.name(), parsed.to_string());
        assert_eq!(parsed.name().parse::<Format>(), Ok(format));
    }
    assert_eq!(Format::TarZst.to_string(), "tar.zst");
    assert_eq!(Format::default(), Format::TarBr);
    assert_eq!(RecompressOptions::default().format, Format::TarBr);
    for bad in ["", "br", "tar.gz", "zip.zstd", "tar.br "] {
        let e = bad.parse::<Format>().expect_err(bad).to_string();
        assert!(
            e.contains("tar.br, zip-zstd, tar.zst or tar"),
            "{bad:?}: {e}"
        );
    }
}

/// Found by the `recompress` fuzz target: the zip writer stores names in the zip
/// specification's form, so `:amestate` came out as `amestate`. A zip output must keep
/// every name or refuse before writing; so must a tar (which keeps `:` and `\`).
#[cfg(feature = "zstd")]
#[test]
fn names_a_zip_would_rewrite_are_refused_for_zip_output_and_kept_in_tar() {
    // (entry name, does a tar keep it?); a zip keeps none of them.
    let cases = [
        (":amestate", true),
        ("ab:c", true),
        ("dir\\file", true),
        ("a//b", false),
        ("./a", false),
        ("a/./b", false),
    ];
    for (odd, tar_keeps) in cases {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("meta", opts).unwrap();
        zip.write_all(b"date=1444.11.11\n").unwrap();
        zip.start_file(odd, opts).unwrap();
        zip.write_all(b"a=1\n").unwrap();
        let input = zip.finish().unwrap().into_inner();
        let save = Save::open(&input, &Hints::default(), &ArchiveLimits::default())
            .unwrap_or_else(|e| panic!("{odd:?} is a safe name to read: {e}"));
        let recompressed = |format| {
            let mut out = Vec::new();
            let result = recompress(&save, &RecompressOptions::new(format), &mut out, None);
            (result, out)
        };
        let refused = |format: Format,
                       (result, out): (
            Result<_, pdxedge_core::container::ContainerError>,
            Vec<u8>,
        )| {
            let e = result.expect_err(odd);
            assert!(
                matches!(e.kind(), ContainerErrorKind::Unsupported(_)),
                "{odd}: {e}"
            );
            let container = if format == Format::ZipZstd {
                "zip"
            } else {
                "tar"
            };
            let says = format!("cannot be stored unchanged in a {container}");
            assert!(e.to_string().contains(&says), "{e}");
            assert!(
                out.is_empty(),
                "{odd}: {} bytes written before the error",
                out.len()
            );
        };

        refused(Format::ZipZstd, recompressed(Format::ZipZstd));
        if tar_keeps {
            let (result, out) = recompressed(Format::TarZst);
            result.unwrap();
            let checked = verify(&save, &out, Format::TarZst).unwrap();
            assert_eq!(checked.entries.get(1).map(|e| e.name.as_str()), Some(odd));
        } else {
            refused(Format::TarZst, recompressed(Format::TarZst));
        }
    }
}
