//! Hostile and broken containers, generated here: zip-slip names, zip bombs (a 1 GiB
//! deflate stream of zeros built from one repeated flushed segment), lying sizes, bad
//! CRCs, too many entries, truncated archives, nested archives, unknown methods.
//! Every one must fail with a clear error, never a panic, and never after inflating
//! much more than the limits allow.

use pdxedge_core::container::{ArchiveLimits, ContainerErrorKind, Hints, Save};
use pdxedge_core::recompress::{Format, RecompressOptions, recompress, verify};
use pdxedge_core::save::{SaveJsonOptions, write_json};
use std::io::Write;

/// One entry for [`zip`]: name, method, compressed bytes, declared size and CRC.
struct Raw<'a> {
    name: &'a [u8],
    method: u16,
    data: &'a [u8],
    size: u32,
    crc: u32,
}

fn stored<'a>(name: &'a [u8], data: &'a [u8]) -> Raw<'a> {
    Raw {
        name,
        method: 0,
        data,
        size: data.len() as u32,
        crc: crc32fast::hash(data),
    }
}

/// A minimal zip writer that writes exactly what it is told (sizes, CRCs, names), so
/// tests can lie the way hostile archives do.
fn zip(entries: &[Raw]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let fixed = |sig: u32, out: &mut Vec<u8>| {
            out.extend_from_slice(&sig.to_le_bytes());
        };
        fixed(0x04034b50, &mut out);
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
        out.extend_from_slice(&e.crc.to_le_bytes());
        out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&e.size.to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(e.name);
        out.extend_from_slice(e.data);

        fixed(0x02014b50, &mut central);
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&20u16.to_le_bytes()); // needed
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&e.method.to_le_bytes());
        central.extend_from_slice(&[0, 0, 0x21, 0]);
        central.extend_from_slice(&e.crc.to_le_bytes());
        central.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        central.extend_from_slice(&e.size.to_le_bytes());
        central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(e.name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x06054b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A raw deflate stream of `mib` MiB of zeros, built cheaply: one MiB compressed with a
/// full flush (which resets the window, so the segment stands alone) repeated, then an
/// empty final block.
fn zero_bomb(mib: usize) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let zeros = vec![0u8; 1 << 20];
    let mut segment = Vec::with_capacity(4096);
    c.compress_vec(&zeros, &mut segment, flate2::FlushCompress::Full)
        .unwrap();
    assert!(segment.len() < 4096, "segment is {} bytes", segment.len());
    let mut stream = Vec::with_capacity(segment.len() * mib + 2);
    for _ in 0..mib {
        stream.extend_from_slice(&segment);
    }
    // Final block, fixed Huffman, just the end-of-block code.
    stream.extend_from_slice(&[0x03, 0x00]);
    stream
}

fn open(bytes: &[u8]) -> Result<Save<'_>, pdxedge_core::container::ContainerError> {
    Save::open(bytes, &Hints::default(), &ArchiveLimits::default())
}

fn json(bytes: &[u8]) -> Result<Vec<u8>, pdxedge_core::container::ContainerError> {
    let mut out = Vec::new();
    write_json(
        bytes,
        &Hints::default(),
        &SaveJsonOptions::default(),
        &mut out,
    )?;
    Ok(out)
}

fn drain(save: &Save, index: usize) -> Result<u64, pdxedge_core::container::ContainerError> {
    let mut reader = save.reader(index)?;
    reader.for_each_piece(1 << 16, |_| Ok(()))?;
    Ok(reader.produced())
}

#[test]
fn deflate_bomb_stream_really_inflates_to_zeros() {
    // The generator is right: 8 MiB of zeros come back out.
    let bomb = zero_bomb(8);
    let mut out = Vec::new();
    let mut d = flate2::write::DeflateDecoder::new(&mut out);
    d.write_all(&bomb).unwrap();
    d.finish().unwrap();
    assert_eq!(out.len(), 8 << 20);
    assert!(out.iter().all(|&b| b == 0));
}

#[test]
fn a_one_gib_bomb_is_refused_before_inflating() {
    let bomb = zero_bomb(1024);
    let archive = zip(&[Raw {
        name: b"gamestate",
        method: 8,
        data: &bomb,
        size: 1 << 30,
        crc: 0,
    }]);
    let e = open(&archive).unwrap_err();
    assert!(
        matches!(e.kind(), ContainerErrorKind::RatioTooHigh { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("zip bomb"), "{e}");
    assert_eq!(e.entry(), Some("gamestate"));
}

#[test]
fn a_bomb_lying_about_its_size_stops_at_the_declared_size() {
    let bomb = zero_bomb(1024);
    let archive = zip(&[Raw {
        name: b"gamestate",
        method: 8,
        data: &bomb,
        size: 1_000_000,
        crc: 0,
    }]);
    let save = open(&archive).unwrap();
    let e = drain(&save, 0).unwrap_err();
    match e.kind() {
        ContainerErrorKind::SizeMismatch { declared, actual } => {
            assert_eq!(*declared, 1_000_000);
            // Stopped within one piece of the declared size, not after 1 GiB.
            assert!(*actual <= 1_000_000 + (1 << 16), "{actual}");
        }
        _ => panic!("{e}"),
    }
    // JSON and recompression refuse it the same way.
    assert!(json(&archive).is_err());
    let out = recompress(
        &save,
        &RecompressOptions::new(Format::Tar),
        Vec::new(),
        None,
    );
    assert!(out.is_err());
}

#[test]
fn total_and_ratio_limits_are_enforced_while_inflating() {
    let bomb = zero_bomb(64);
    let archive = zip(&[Raw {
        name: b"gamestate",
        method: 8,
        data: &bomb,
        size: 64 << 20,
        crc: 0,
    }]);
    // A generous ratio but a 16 MiB total: refused up front from the declared size.
    let limits = ArchiveLimits {
        max_ratio: 1_000_000,
        max_inflated: 16 << 20,
        ..ArchiveLimits::default()
    };
    let e = Save::open(&archive, &Hints::default(), &limits).unwrap_err();
    assert!(
        matches!(e.kind(), ContainerErrorKind::TooLarge { .. }),
        "{e}"
    );
    // A gzip stream has no declared size: the ratio trips while inflating.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0u8; 32 << 20]).unwrap();
    let gz = gz.finish().unwrap();
    let save = open(&gz).unwrap();
    let e = drain(&save, 0).unwrap_err();
    assert!(
        matches!(e.kind(), ContainerErrorKind::RatioTooHigh { .. }),
        "{e}"
    );
}

#[test]
fn zip_slip_names_are_refused() {
    for name in [
        &b"../../etc/passwd"[..],
        b"/etc/passwd",
        b"saves/../../x",
        b"C:\\windows\\x",
        b"..\\x",
    ] {
        let archive = zip(&[stored(b"meta", b"a=1"), stored(name, b"b=2")]);
        let e = open(&archive).unwrap_err();
        assert!(
            matches!(e.kind(), ContainerErrorKind::UnsafeName(_)),
            "{name:?}: {e}"
        );
        assert!(e.to_string().contains("zip-slip"), "{e}");
    }
}

#[test]
fn too_many_entries() {
    let names: Vec<String> = (0..300).map(|i| format!("e{i}")).collect();
    let entries: Vec<Raw> = names.iter().map(|n| stored(n.as_bytes(), b"a=1")).collect();
    let e = open(&zip(&entries)).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ContainerErrorKind::TooManyEntries { limit: 256, .. }
        ),
        "{e}"
    );
}

#[test]
fn bad_crc_and_short_data_are_caught() {
    let mut bad = stored(b"gamestate", b"date=1444.11.11");
    bad.crc ^= 1;
    let archive = zip(&[bad]);
    let e = json(&archive).unwrap_err();
    assert!(
        matches!(e.kind(), ContainerErrorKind::ChecksumMismatch { .. }),
        "{e}"
    );
    assert!(
        e.to_string().starts_with("entry `gamestate`: CRC-32"),
        "{e}"
    );

    let data = deflate(b"date=1444.11.11 player=\"KOR\"");
    let archive = zip(&[Raw {
        name: b"gamestate",
        method: 8,
        data: &data,
        size: 100,
        crc: 0,
    }]);
    let e = json(&archive).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ContainerErrorKind::SizeMismatch { declared: 100, .. }
        ),
        "{e}"
    );
}

#[test]
fn truncated_archives_fail_cleanly() {
    let text = b"date=1444.11.11\nplayer=\"KOR\"\n".repeat(2000);
    let data = deflate(&text);
    let good = zip(&[
        stored(b"meta", b"date=1444.11.11"),
        Raw {
            name: b"gamestate",
            method: 8,
            data: &data,
            size: text.len() as u32,
            crc: crc32fast::hash(&text),
        },
    ]);
    assert!(json(&good).is_ok());
    // Every cut that still starts with the zip magic.
    for cut in [1, 4, 10, 22, 30, 100, good.len() / 2, good.len() - 4] {
        let e = json(&good[..good.len() - cut]).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("corrupt") || msg.contains("zip"),
            "cut {cut}: {msg}"
        );
    }
    // The directory intact but the deflate data cut short.
    let short = &data[..data.len() / 2];
    let archive = zip(&[Raw {
        name: b"gamestate",
        method: 8,
        data: short,
        size: text.len() as u32,
        crc: crc32fast::hash(&text),
    }]);
    let e = json(&archive).unwrap_err();
    assert!(e.to_string().contains("entry `gamestate`"), "{e}");
    // Truncated gzip.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&text).unwrap();
    let gz = gz.finish().unwrap();
    let e = json(&gz[..gz.len() / 2]).unwrap_err();
    assert!(e.to_string().contains("gzip"), "{e}");
}

#[test]
fn a_zip_inside_a_zip_is_not_opened_but_recompresses_verbatim() {
    let inner = zip(&[stored(b"gamestate", b"a=1")]);
    let outer = zip(&[stored(b"meta", b"a=1"), stored(b"inner.zip", &inner)]);
    let e = json(&outer).unwrap_err();
    assert!(
        matches!(e.kind(), ContainerErrorKind::NestedArchive("zip archive")),
        "{e}"
    );
    assert_eq!(e.entry(), Some("inner.zip"));
    let save = open(&outer).unwrap();
    let mut out = Vec::new();
    recompress(
        &save,
        &RecompressOptions::new(Format::TarBr),
        &mut out,
        None,
    )
    .unwrap();
    let report = verify(&save, &out, Format::TarBr).unwrap();
    assert_eq!(report.entries[1].size, inner.len() as u64);
}

#[test]
fn unknown_methods_and_foreign_archives_are_named() {
    let archive = zip(&[Raw {
        name: b"gamestate",
        method: 12,
        data: b"BZh9",
        size: 4,
        crc: 0,
    }]);
    let e = open(&archive).unwrap_err();
    assert!(e.to_string().contains("compression method 12"), "{e}");
    let e = open(b"Rar!\x1a\x07\x00rest").unwrap_err();
    assert!(e.to_string().contains("RAR"), "{e}");
    let e = open(b"7z\xbc\xaf\x27\x1c").unwrap_err();
    assert!(e.to_string().contains("7-Zip"), "{e}");
}

#[test]
fn garbage_never_panics() {
    // Deterministic pseudo-random inputs with container magic numbers in front.
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let prefixes: [&[u8]; 6] = [
        b"PK\x03\x04",
        b"\x1f\x8b\x08\x00",
        b"\x28\xb5\x2f\xfd",
        b"SAV0102797de24300000009\n",
        b"EU4txt\n",
        b"",
    ];
    for round in 0..600 {
        let prefix = prefixes[round % prefixes.len()];
        let len = (next() % 300) as usize;
        let mut bytes = prefix.to_vec();
        bytes.extend((0..len).map(|_| next() as u8));
        let _ = json(&bytes);
        if let Ok(save) = open(&bytes) {
            for i in 0..save.entries().len() {
                let _ = drain(&save, i);
            }
        }
        let _ = pdxedge_core::save::inspect(&bytes, &Hints::default(), &ArchiveLimits::default());
    }
}
