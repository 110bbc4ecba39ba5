//! `pdxedge`: Paradox (Clausewitz) save and game files from the command line.
//!
//! A thin shell over `pdxedge-core`: it reads files or stdin, feeds the engine in chunks
//! and streams the output. Exit status: 0 on success, 2 on bad input or usage, 1 when
//! output could not be written.

mod cmd_info;
mod cmd_json;
mod cmd_recompress;
mod cmd_serve;
mod io;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "pdxedge", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Convert a save or game file to JSON (text, zip, SAV, gzip, zstd or brotli).
    Json(cmd_json::Args),
    /// Recompress a zipped save to tar.br, zip-zstd or tar.zst.
    Recompress(cmd_recompress::Args),
    /// Describe a save: game, container, version, date, player, entries.
    Info(cmd_info::Args),
    /// Serve the HTTP API (and the web page) on a local address.
    Serve(cmd_serve::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Json(args) => cmd_json::run(args),
        Command::Recompress(args) => cmd_recompress::run(args),
        Command::Info(args) => cmd_info::run(args),
        Command::Serve(args) => cmd_serve::run(args),
    };
    io::exit(result)
}
