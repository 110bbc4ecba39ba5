//! The async driver: reads the request body as it arrives, runs the pipeline on it
//! through the runtime's offload hook, and yields response chunks.
//!
//! Status and errors: output is held until [`HOLD`] bytes are ready or the input has
//! ended, so errors found in that time (and every error on small inputs) become a
//! proper problem response. An error found after the response started is returned
//! from the body stream, which makes hyper abort the response (HTTP/1.1: the
//! connection closes before the final chunk; HTTP/2: RST_STREAM), so a client can never
//! take a truncated body for a complete one.

use crate::pipeline::Pipeline;
use crate::problem::{ApiError, LimitKind};
use crate::runtime::{BoxFuture, Runtime};
use crate::shed::Permit;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::future::{Either, select};
use http_body_util::BodyExt;
use std::time::Duration;

/// Output held before the response starts.
pub(crate) const HOLD: usize = 64 << 10;
/// Received bytes gathered before a work step is run (fewer steps, less overhead).
const BATCH: usize = 256 << 10;

type FinishJob = BoxFuture<Option<Result<(), ApiError>>>;

enum Phase {
    Reading,
    /// Threaded finish: the work sends chunks through `rx` while it runs.
    Finishing {
        rx: tokio::sync::mpsc::Receiver<Vec<u8>>,
        job: Option<FinishJob>,
        result: Option<Result<(), ApiError>>,
    },
    Done,
}

pub(crate) struct Conversion {
    body: Body,
    pipeline: Option<Box<Pipeline>>,
    rt: Runtime,
    received: u64,
    max_body: u64,
    eof: bool,
    phase: Phase,
    deadline: Duration,
    limit_secs: u64,
    _permits: Vec<Permit>,
}

impl Conversion {
    pub fn new(
        body: Body,
        pipeline: Pipeline,
        rt: Runtime,
        limits: &crate::Limits,
        permits: Vec<Permit>,
    ) -> Self {
        let deadline = rt.now() + limits.max_duration;
        Conversion {
            body,
            pipeline: Some(Box::new(pipeline)),
            rt,
            received: 0,
            max_body: limits.max_body_bytes,
            eof: false,
            phase: Phase::Reading,
            deadline,
            limit_secs: limits.max_duration.as_secs(),
            _permits: permits,
        }
    }

    /// The request body, unread rest included (to drain it after an error).
    pub fn into_body(self) -> Body {
        self.body
    }

    /// Has the whole request body been read?
    pub fn body_done(&self) -> bool {
        self.eof
    }

    /// The next piece of the response body; `None` at the end.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, ApiError>> {
        let r = self.next().await;
        if matches!(r, Some(Err(_))) {
            self.phase = Phase::Done;
        }
        r
    }

    async fn next(&mut self) -> Option<Result<Bytes, ApiError>> {
        loop {
            if self.rt.now() > self.deadline {
                return Some(Err(self.timed_out()));
            }
            match &mut self.phase {
                Phase::Done => return None,
                Phase::Finishing { .. } => return self.next_finished().await,
                Phase::Reading => {}
            }
            let pending = self.pipeline.as_ref().map_or(0, |p| p.pending());
            if !self.eof && pending < BATCH {
                if let Err(e) = self.read().await {
                    return Some(Err(e));
                }
                continue;
            }
            if pending > 0 {
                match self.step().await {
                    Ok(out) if out.is_empty() && !self.eof && pending == self.pending() => {
                        // The decoder needs more than a batch (a long gzip header):
                        // read on.
                        if let Err(e) = self.read().await {
                            return Some(Err(e));
                        }
                    }
                    Ok(out) if out.is_empty() => {
                        if self.eof && self.pending() == pending {
                            // Stuck at the end: let finish report why.
                            self.start_finish().await;
                        }
                    }
                    Ok(out) => return Some(Ok(Bytes::from(out))),
                    Err(e) => return Some(Err(e)),
                }
                continue;
            }
            // Input ended and everything pending is converted.
            self.start_finish().await;
        }
    }

    fn pending(&self) -> usize {
        self.pipeline.as_ref().map_or(0, |p| p.pending())
    }

    fn timed_out(&self) -> ApiError {
        ApiError::TimedOut {
            limit_secs: self.limit_secs,
        }
    }

    /// Read one frame of the body into the pipeline.
    async fn read(&mut self) -> Result<(), ApiError> {
        let remaining = self.deadline.saturating_sub(self.rt.now());
        let frame = {
            let next = self.body.frame();
            match self.rt.sleep(remaining) {
                None => next.await,
                Some(sleep) => match select(next, sleep).await {
                    Either::Left((frame, _)) => frame,
                    Either::Right(((), _)) => return Err(self.timed_out()),
                },
            }
        };
        match frame {
            None => self.eof = true,
            Some(Err(e)) => return Err(upload_error(e)),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    self.received += data.len() as u64;
                    if self.received > self.max_body {
                        return Err(ApiError::TooLarge {
                            which: LimitKind::Body,
                            limit: self.max_body,
                        });
                    }
                    if let Some(p) = self.pipeline.as_mut() {
                        p.push(&data);
                    }
                }
            }
        }
        Ok(())
    }

    /// One bounded work step, off the async threads when the host has them.
    async fn step(&mut self) -> Result<Vec<u8>, ApiError> {
        let mut p = self.pipeline.take().ok_or_else(lost)?;
        let (p, r) = self
            .rt
            .run(move || {
                let mut out = Vec::new();
                let r = p.step(&mut out).map(|()| out);
                (p, r)
            })
            .await
            .ok_or_else(lost)?;
        self.pipeline = Some(p);
        r
    }

    async fn start_finish(&mut self) {
        let Some(mut p) = self.pipeline.take() else {
            self.phase = Phase::Done;
            return;
        };
        if self.rt.is_threaded() {
            // Group mode writes nearly all its output here: stream it through a small
            // channel so the blocking thread waits for the client, not the heap.
            let (tx, rx) = tokio::sync::mpsc::channel(2);
            let rt = self.rt.clone();
            let job: FinishJob = Box::pin(async move {
                rt.run(move || {
                    p.finish(&mut |chunk| {
                        let _ = tx.blocking_send(chunk);
                    })
                })
                .await
            });
            self.phase = Phase::Finishing {
                rx,
                job: Some(job),
                result: None,
            };
        } else {
            let mut all = Vec::new();
            let r = p.finish(&mut |chunk| {
                if all.is_empty() {
                    all = chunk;
                } else {
                    all.extend_from_slice(&chunk);
                }
            });
            let (tx, rx) = tokio::sync::mpsc::channel(1);
            if !all.is_empty() {
                let _ = tx.try_send(all);
            }
            self.phase = Phase::Finishing {
                rx,
                job: None,
                result: Some(r),
            };
        }
    }

    async fn next_finished(&mut self) -> Option<Result<Bytes, ApiError>> {
        let Phase::Finishing { rx, job, result } = &mut self.phase else {
            return None;
        };
        loop {
            match job {
                Some(j) => match select(Box::pin(rx.recv()), j).await {
                    Either::Left((Some(chunk), _)) => return Some(Ok(Bytes::from(chunk))),
                    Either::Left((None, j)) => {
                        *result = Some(j.await.unwrap_or_else(|| Err(lost())));
                        *job = None;
                    }
                    Either::Right((r, _)) => {
                        *result = Some(r.unwrap_or_else(|| Err(lost())));
                        *job = None;
                    }
                },
                None => {
                    if let Some(chunk) = rx.recv().await {
                        return Some(Ok(Bytes::from(chunk)));
                    }
                    let r = result.take().unwrap_or(Ok(()));
                    self.phase = Phase::Done;
                    return r.err().map(Err);
                }
            }
        }
    }
}

fn lost() -> ApiError {
    ApiError::Internal("the conversion's work thread died".into())
}

fn upload_error(e: axum::Error) -> ApiError {
    ApiError::Upload(e.to_string())
}

/// Request bytes read and thrown away after an early error, at most.
const DRAIN_BYTES: u64 = 8 << 20;
/// And for at most this long.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// An error answered before the request body was read to its end.
///
/// Closing a connection with unread request bytes makes the kernel send a reset, and a
/// client still uploading (most do not read before they have sent everything) gets
/// "broken pipe" instead of the problem. So the problem is sent at once and the rest of
/// the body is read and dropped (up to 8 MiB, for up to 5 s) before the response ends,
/// as nginx's "lingering close" does.
pub(crate) fn problem_draining(e: ApiError, body: Body, rt: Runtime) -> Response {
    let (mut parts, _) = e.clone().into_response().into_parts();
    parts.headers.remove(http::header::CONTENT_LENGTH);
    let json = serde_json::to_vec(&e.problem()).unwrap_or_default();
    let drain = futures_util::stream::once(drain(body, rt))
        .filter_map(|()| std::future::ready(None::<Result<Bytes, ApiError>>));
    let stream = futures_util::stream::once(std::future::ready(Ok(Bytes::from(json)))).chain(drain);
    Response::from_parts(parts, Body::from_stream(stream))
}

async fn drain(mut body: Body, rt: Runtime) {
    let deadline = rt.now() + DRAIN_TIME;
    let mut read = 0u64;
    while read < DRAIN_BYTES {
        let next = body.frame();
        let frame = match rt.sleep(deadline.saturating_sub(rt.now())) {
            None => next.await,
            Some(sleep) => match select(next, sleep).await {
                Either::Left((frame, _)) => frame,
                Either::Right(_) => return,
            },
        };
        match frame {
            Some(Ok(f)) => {
                read += f.data_ref().map_or(0, |d| d.len() as u64);
            }
            _ => return,
        }
        if rt.now() > deadline {
            return;
        }
    }
}
