//! `pdxedge serve`: the HTTP API (and the web page) on a local address.

use crate::io::Failure;
use pdxedge_server::ServeConfig;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Folder of the web page's static files, served at `/`.
    #[arg(long, default_value = "web")]
    pub web: PathBuf,
    /// Largest request body, as sent (bytes).
    #[arg(long)]
    pub max_body_bytes: Option<u64>,
    /// Largest request body after its Content-Encoding is decoded (bytes).
    #[arg(long)]
    pub max_inflated_bytes: Option<u64>,
    /// Largest input held whole, as mode=group does (bytes).
    #[arg(long)]
    pub max_buffered_bytes: Option<u64>,
    /// Conversions at once; more are answered 503.
    #[arg(long)]
    pub max_conversions: Option<usize>,
    /// mode=group conversions at once; more are answered 503.
    #[arg(long)]
    pub max_buffered_conversions: Option<usize>,
    /// Time limit of one conversion (seconds).
    #[arg(long)]
    pub max_duration_secs: Option<u64>,
    /// Time a client has to send a request's line and headers (seconds); slower or
    /// idle connections are closed.
    #[arg(long)]
    pub header_timeout_secs: Option<u64>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let mut config = ServeConfig {
        addr: args.addr,
        web: Some(args.web),
        ..ServeConfig::default()
    };
    let l = &mut config.api.limits;
    l.max_body_bytes = args.max_body_bytes.unwrap_or(l.max_body_bytes);
    l.max_inflated_bytes = args.max_inflated_bytes.unwrap_or(l.max_inflated_bytes);
    l.max_buffered_bytes = args.max_buffered_bytes.unwrap_or(l.max_buffered_bytes);
    l.max_conversions = args.max_conversions.unwrap_or(l.max_conversions);
    l.max_buffered_conversions = args
        .max_buffered_conversions
        .unwrap_or(l.max_buffered_conversions);
    if let Some(secs) = args.max_duration_secs {
        l.max_duration = Duration::from_secs(secs);
    }
    if let Some(secs) = args.header_timeout_secs {
        config.header_timeout = Duration::from_secs(secs);
    }
    pdxedge_server::run(config).map_err(|e| Failure::Input(format!("cannot serve: {e}")))
}
