//! # pdxedge-server
//!
//! The native shell around the [`pdxedge_api`] router: tokio and hyper (through
//! `axum::serve`), conversion work on tokio's blocking threads, tracing logs, the web
//! page's static files, and a graceful shutdown on SIGINT/SIGTERM. It adds no behaviour
//! of its own to the HTTP contract, so what passes against it passes against the Worker.
//!
//! It is what `pdxedge serve` runs. Embedding it:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let config = pdxedge_server::ServeConfig::default();
//! let listener = tokio::net::TcpListener::bind(config.addr).await?;
//! pdxedge_server::serve(listener, config, std::future::pending()).await
//! # }
//! ```

use axum::Router;
use axum::handler::HandlerWithoutStateExt;
use pdxedge_api::{ApiConfig, ApiError, Runtime};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// How long in-flight requests may run on after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(30);

/// What `pdxedge serve` is told.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    /// Folder of the web page's static files (`GET /`, ...); none: the API only.
    pub web: Option<PathBuf>,
    pub api: ApiConfig,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            web: Some(PathBuf::from("web")),
            api: ApiConfig::default(),
        }
    }
}

/// The router's hooks on tokio: each work step on a blocking thread, tokio's timer.
pub fn runtime() -> Runtime {
    let start = Instant::now();
    Runtime::threaded(
        |work| {
            Box::pin(async move {
                // A panic in the work is reported by the router as a 500.
                let _ = tokio::task::spawn_blocking(work).await;
            })
        },
        move || start.elapsed(),
    )
    .with_sleep(|d| Box::pin(tokio::time::sleep(d)))
}

/// The whole application: API routes, then static files, with request logs.
pub fn app(config: &ServeConfig) -> Router {
    let not_found = || async { axum::response::IntoResponse::into_response(ApiError::NotFound) };
    let router = pdxedge_api::routes(config.api.clone(), runtime());
    let router = match &config.web {
        Some(dir) => router.fallback_service(
            ServeDir::new(dir)
                .append_index_html_on_directories(true)
                .not_found_service(not_found.into_service()),
        ),
        None => router.fallback(not_found),
    };
    router.layer(TraceLayer::new_for_http())
}

/// Serve on `listener` until `shutdown` resolves, then let requests in flight finish
/// (for at most 30 s).
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut stopped = stop_rx.clone();
    let server = axum::serve(listener, app(&config)).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let drain_limit = async move {
        let _ = stopped.wait_for(|s| *s).await;
        tokio::time::sleep(DRAIN).await;
    };
    drop(stop_rx);
    tokio::select! {
        r = server => r,
        () = drain_limit => {
            tracing::warn!("requests still running {} s after shutdown; exiting", DRAIN.as_secs());
            Ok(())
        }
    }
}

/// SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}

/// Everything `pdxedge serve` does: logs to stderr (`RUST_LOG`, default `info`), bind,
/// serve until SIGINT/SIGTERM.
pub fn run(config: ServeConfig) -> std::io::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        match &config.web {
            Some(dir) if !dir.is_dir() => {
                tracing::warn!(dir = %dir.display(), "web folder not found; serving the API only")
            }
            _ => {}
        }
        tracing::info!(%addr, limits = ?config.api.limits, "pdxedge serving http://{addr}/");
        serve(listener, config, shutdown_signal()).await
    })?;
    // Work steps still running on blocking threads belong to aborted requests.
    rt.shutdown_timeout(Duration::from_secs(2));
    tracing::info!("stopped");
    Ok(())
}
