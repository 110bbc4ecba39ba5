//! The built `pdxedge` binary on real saves (`../shared/corpus`, skipped when absent
//! unless `CI` is set) and generated inputs: exit statuses, stdin/stdout with `-`,
//! closed pipes, JSON over containers, recompress round trips and `info --json`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pdxedge"))
}

fn corpus(rel: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.is_dir() {
        Some(dir.join(rel))
    } else if std::env::var_os("CI").is_some() {
        panic!("CI is set but the corpus is missing at {}", dir.display());
    } else {
        None
    }
}

const KOREA: &str = "saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4";

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run pdxedge")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pdxedge-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn json_on_a_zip_is_keyed_by_entry_and_entry_selects_one() {
    let Some(korea) = corpus(KOREA) else { return };
    let korea = korea.to_str().unwrap();
    let all = run(&["json", korea]);
    assert!(all.status.success(), "{}", stderr(&all));
    let value: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["ai", "gamestate", "meta"]); // serde_json sorts; order checked below
    assert!(all.stdout.starts_with(b"{\"gamestate\":{"));
    let meta = run(&["json", korea, "--entry", "meta"]);
    assert!(meta.status.success());
    let meta_value: serde_json::Value = serde_json::from_slice(&meta.stdout).unwrap();
    assert_eq!(meta_value, value["meta"]);
    assert_eq!(meta_value["player"], "KOR");

    let missing = run(&["json", korea, "--entry", "nope"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("entries: gamestate, meta, ai"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn stdin_and_stdout_with_dash() {
    let Some(korea) = corpus(KOREA) else { return };
    let bytes = std::fs::read(&korea).unwrap();
    let mut child = bin()
        .args(["json", "-", "--entry", "meta", "-o", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    let from_file = run(&["json", korea.to_str().unwrap(), "--entry", "meta"]);
    assert_eq!(out.stdout, from_file.stdout);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let Some(korea) = corpus(KOREA) else { return };
    let mut child = bin()
        .args(["json", korea.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(&head[..14], b"{\"gamestate\":{");
    assert!(out.status.success(), "{:?} {}", out.status, stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

#[test]
fn bad_inputs_exit_2_with_a_message() {
    let bin_meta = corpus("saves/eu4/rakaly__jomini/tests/fixtures/meta.bin");
    let Some(bin_meta) = bin_meta else { return };
    let o = run(&["json", bin_meta.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("EU4bin (Europa Universalis IV) is a binary"),
        "{}",
        stderr(&o)
    );

    let rar = corpus("saves/vic2/ParadoxGameConverters__paradoxGameConverters/cpp_version/Victoria2 Saves/Hindustan_1839-1-1   Feb18Crash ConverterMod.rar").unwrap();
    for cmd in ["json", "info", "recompress"] {
        let o = run(&[cmd, rar.to_str().unwrap(), "-o", "-"]);
        let o = if cmd == "info" {
            run(&[cmd, rar.to_str().unwrap()])
        } else {
            o
        };
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(stderr(&o).contains("RAR archive"), "{cmd}: {}", stderr(&o));
    }
    let o = run(&["recompress", "/nonexistent/x.eu4"]);
    assert_eq!(o.status.code(), Some(2));
    let text = corpus("saves/eu4/morgotth__eu4-save-viewer/tests/samples/cardinals.eu4").unwrap();
    let o = run(&["recompress", text.to_str().unwrap(), "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs an archive"), "{}", stderr(&o));
}

#[test]
fn recompress_round_trips_through_every_format() {
    let Some(korea) = corpus(KOREA) else { return };
    let korea = korea.to_str().unwrap();
    let original = run(&["json", korea]).stdout;
    // `tar-zst` is the HTTP API's old spelling of `tar.zst`: accepted (--verify decodes
    // the output as a zstd tar).
    for (format, quality) in [("tar.br", "4"), ("zip-zstd", "3"), ("tar-zst", "3")] {
        let out = scratch(&format!("korea.{format}"));
        let o = run(&[
            "recompress",
            korea,
            "-o",
            out.to_str().unwrap(),
            "--format",
            format,
            "--quality",
            quality,
            "--verify",
        ]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("verified: 3 entries, 34220410 bytes"),
            "{}",
            stderr(&o)
        );
        assert!(!scratch(&format!("korea.{format}.partial")).exists());
        let size = std::fs::metadata(&out).unwrap().len();
        assert!(size < 3_517_933 / 2, "{format}: {size}");
        // pdxedge reads its own zip-zstd back as a save: the same JSON as the original.
        if format == "zip-zstd" {
            let again = run(&["json", out.to_str().unwrap()]);
            assert!(again.stdout == original, "zip-zstd JSON differs");
        }
        let _ = std::fs::remove_file(&out);
    }
    // Stdout output with --verify (the copy is decoded from memory).
    let o = run(&["recompress", korea, "-o", "-", "--quality", "1", "--verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.len() > 1000);
    let o = run(&["recompress", korea, "--quality", "12", "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("quality 12 for tar.br (accepted: 0 to 11)"));
    let o = run(&["recompress", korea, "--format", "tar.gz", "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("expected tar.br, zip-zstd, tar.zst or tar"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn info_json_is_stable() {
    let Some(korea) = corpus(KOREA) else { return };
    let o = run(&["info", korea.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(text.starts_with(
        "{\"game\":\"eu4\",\"game_name\":\"Europa Universalis IV\",\"container\":\"zip\""
    ));
    assert_eq!(v["player"], "KOR");
    assert_eq!(v["date"], "1444.11.11");
    assert_eq!(v["version"], "1.37.5.0");
    assert_eq!(v["binary"], false);
    assert_eq!(v["sav"], serde_json::Value::Null);
    assert_eq!(v["entries"][0]["name"], "gamestate");
    assert_eq!(v["entries"][0]["size"], 34102436);
    assert_eq!(v["entries"][0]["compression"], "deflate");
    let human = run(&["info", korea.to_str().unwrap()]);
    let human = String::from_utf8(human.stdout).unwrap();
    assert!(human.contains("player       KOR"), "{human}");
}
