//! `pdxedge info`: what a save is (game, container, version, date, player, ...), read
//! from as little of the file as possible.

use crate::io::{self, Failure};
use pdxedge_core::container::{self, ArchiveLimits, Envelope, Hints};
use pdxedge_core::save::{self, SaveInfo, info::HEAD_BUDGET, info::TAIL_LEN};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// The save or game file; `-` reads stdin.
    pub file: PathBuf,
    /// Print JSON (fields documented in the README) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The input is brotli-compressed.
    #[arg(long)]
    pub brotli: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let name = io::file_name(Some(&args.file));
    let hints = Hints {
        file_name: name.as_deref(),
        brotli: args.brotli,
    };
    let info = if args.file.as_path() == Path::new("-") {
        let bytes = io::read_all(None)?;
        save::inspect(&bytes, &hints, &ArchiveLimits::default())?
    } else {
        inspect_file(&args.file, &hints)?
    };
    let text = if args.json {
        to_json(&info)
    } else {
        to_text(&info)
    };
    let mut out = io::open_output(None)?;
    out.write_all(text.as_bytes()).map_err(Failure::Output)?;
    out.flush().map_err(Failure::Output)
}

/// Plain text is read at its head and tail only; containers are read whole (compressed)
/// and only the entries needed are inflated.
fn inspect_file(path: &Path, hints: &Hints) -> Result<SaveInfo, Failure> {
    let cannot = |e: std::io::Error| Failure::Input(format!("cannot read {}: {e}", path.display()));
    let mut file = File::open(path).map_err(cannot)?;
    let len = file.metadata().map_err(cannot)?.len();
    let mut head = vec![0u8; usize::try_from(len.min(HEAD_BUDGET)).unwrap_or(0)];
    file.read_exact(&mut head).map_err(cannot)?;
    if container::sniff(&head, hints)? != Envelope::Text {
        let bytes = std::fs::read(path).map_err(cannot)?;
        return Ok(save::inspect(&bytes, hints, &ArchiveLimits::default())?);
    }
    let tail_len = len.min(TAIL_LEN as u64);
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(SeekFrom::End(-(tail_len as i64)))
        .map_err(cannot)?;
    file.read_exact(&mut tail).map_err(cannot)?;
    Ok(save::inspect_text(&head, &tail, len, hints))
}

fn to_text(info: &SaveInfo) -> String {
    let mut s = String::new();
    let mut line = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            s.push_str(&format!("{k:<12} {v}\n"));
        }
    };
    line(
        "game",
        Some(
            info.game
                .map_or("unknown".into(), |g| format!("{} ({})", g.name(), g.code())),
        ),
    );
    let container = match info.sav {
        Some((v, k)) => format!("{} (version {v}, kind {k})", info.container),
        None => info.container.to_owned(),
    };
    line("container", Some(container));
    line(
        "content",
        Some(if info.binary { "binary" } else { "text" }.to_owned()),
    );
    line("encoding", info.encoding.map(str::to_owned));
    line("header", info.header.clone());
    line("version", info.version.clone());
    line("date", info.date.clone());
    line("player", info.player.clone());
    line("player name", info.player_name.clone());
    line(
        "ironman",
        info.ironman
            .map(|b| if b { "yes" } else { "no" }.to_owned()),
    );
    line("checksum", info.checksum.clone());
    line("size", Some(format!("{} bytes", info.input_size)));
    if !info.entries.is_empty() && info.container != "text" {
        s.push_str("entries:\n");
        for e in &info.entries {
            let name = if e.name.is_empty() {
                "(document)"
            } else {
                &e.name
            };
            let size = e.size.map_or("?".to_owned(), |n| n.to_string());
            let kind = if e.binary { "binary" } else { "text" };
            s.push_str(&format!(
                "  {name:<20} {:<8} {:>12} -> {:>12} bytes  {kind}{}\n",
                e.codec.name(),
                e.compressed_size,
                size,
                e.header
                    .as_deref()
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default()
            ));
        }
    }
    s
}

/// The `--json` shape: a fixed key order, `null` for what the save does not say.
fn to_json(info: &SaveInfo) -> String {
    let str_or_null = |v: Option<&str>| v.map_or("null".to_owned(), quote);
    let num_or_null = |v: Option<u64>| v.map_or("null".to_owned(), |n| n.to_string());
    let entries: Vec<String> = info
        .entries
        .iter()
        .map(|e| {
            format!(
                "{{\"name\":{},\"compression\":{},\"compressed_size\":{},\"size\":{},\"binary\":{},\"header\":{}}}",
                quote(&e.name),
                quote(e.codec.name()),
                e.compressed_size,
                num_or_null(e.size),
                e.binary,
                str_or_null(e.header.as_deref())
            )
        })
        .collect();
    let sav = info.sav.map_or("null".to_owned(), |(v, k)| {
        format!("{{\"version\":{v},\"kind\":{k}}}")
    });
    format!(
        "{{\"game\":{},\"game_name\":{},\"container\":{},\"sav\":{},\"binary\":{},\"encoding\":{},\"header\":{},\"version\":{},\"date\":{},\"player\":{},\"player_name\":{},\"ironman\":{},\"checksum\":{},\"size\":{},\"entries\":[{}]}}\n",
        str_or_null(info.game.map(|g| g.code())),
        str_or_null(info.game.map(|g| g.name())),
        quote(info.container),
        sav,
        info.binary,
        str_or_null(info.encoding),
        str_or_null(info.header.as_deref()),
        str_or_null(info.version.as_deref()),
        str_or_null(info.date.as_deref()),
        str_or_null(info.player.as_deref()),
        str_or_null(info.player_name.as_deref()),
        info.ironman.map_or("null".to_owned(), |b| b.to_string()),
        str_or_null(info.checksum.as_deref()),
        info.input_size,
        entries.join(",")
    )
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}
