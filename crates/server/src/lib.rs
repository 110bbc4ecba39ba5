//! # pdxedge-server
//!
//! The native shell around the [`pdxedge_api`] router: tokio and hyper (an accept loop
//! with a deadline for each request head), conversion work on tokio's blocking threads,
//! tracing logs, the web page's static files, and a graceful shutdown on SIGINT/SIGTERM.
//! It adds no behaviour of its own to the HTTP contract, so what passes against it passes
//! against the Worker.
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

mod abort;

use axum::Router;
use axum::handler::HandlerWithoutStateExt;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use pdxedge_api::{ApiConfig, ApiError, Runtime};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// How long in-flight requests may run on after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(30);

/// Default time a client has to send a request's head (line and headers).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// What `pdxedge serve` is told.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    /// Folder of the web page's static files (`GET /`, ...); none: the API only.
    pub web: Option<PathBuf>,
    pub api: ApiConfig,
    /// Time a client has to send a request's head, from connecting or from the end of
    /// its previous response; past it the connection is closed (slowloris, idle
    /// keep-alive). The body's time is bounded by the API's `max_duration`.
    pub header_timeout: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            web: Some(PathBuf::from("web")),
            api: ApiConfig::default(),
            header_timeout: HEADER_TIMEOUT,
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
///
/// The accept loop is ours rather than `axum::serve`'s so that every connection gets a
/// deadline for its request head ([`ServeConfig::header_timeout`]): a client that
/// trickles its headers (slowloris), or connects and sends nothing, is disconnected
/// instead of holding a socket and a task for as long as it likes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app(&config);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        // Runs whenever HTTP/1 waits for a request head, so it also ends idle keep-alive
        // connections. The first head is covered by the deadline in `connection`, since
        // the protocol sniff before it has no timer of its own.
        .header_read_timeout(config.header_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let task = connection(&builder, &graceful, stream, app.clone(), config.header_timeout);
                    tokio::spawn(async move {
                        if let Err(e) = task.await {
                            tracing::debug!(%peer, "connection ended: {e}");
                        }
                    });
                }
                // Out of file descriptors and the like: say so and let connections close.
                Err(e) => {
                    tracing::warn!("accept failed: {e}; retrying in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            },
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => {
            tracing::warn!("requests still running {} s after shutdown; exiting", DRAIN.as_secs());
        }
    }
    Ok(())
}

/// One connection, HTTP/1 or HTTP/2, ended if its first request head has not arrived
/// within `header_timeout`.
fn connection(
    builder: &auto::Builder<TokioExecutor>,
    graceful: &GracefulShutdown,
    stream: tokio::net::TcpStream,
    app: Router,
    header_timeout: Duration,
) -> impl Future<Output = Result<(), Box<dyn std::error::Error + Send + Sync>>> + Send + 'static {
    let first_request = Arc::new(Notify::new());
    let service = {
        let first_request = Arc::clone(&first_request);
        hyper::service::service_fn(move |request: Request<Incoming>| {
            first_request.notify_one();
            // A `Router` is always ready, so it may be called without `poll_ready`.
            let response = tower::Service::call(&mut app.clone(), request);
            async move { response.await.map(|r| r.map(abort::FlushBeforeAbort::wrap)) }
        })
    };
    let conn = builder
        .serve_connection_with_upgrades(TokioIo::new(stream), service)
        .into_owned();
    let conn = graceful.watch(conn);
    async move {
        let mut conn = std::pin::pin!(conn);
        tokio::select! {
            ended = conn.as_mut() => return ended,
            () = first_request.notified() => {}
            () = tokio::time::sleep(header_timeout) => {
                return Err(format!("no request head within {} s; closed", header_timeout.as_secs()).into());
            }
        }
        conn.await
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
