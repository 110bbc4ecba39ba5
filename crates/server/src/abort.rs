//! Aborted responses reach the client with what was sent before the abort.
//!
//! An error the engine finds after a response has started ends the stream early (the
//! API's contract: the connection closes before the final chunk). hyper drops the
//! connection as soon as a body yields an error, without writing out what it still holds
//! in its buffer. When the error came right behind the first output (a small truncated
//! file converts in one go), the client got nothing at all, not even the status line:
//! the hostile suite's `truncated-text` case saw that about one run in six.
//!
//! [`FlushBeforeAbort`] holds such an error back for [`ABORT_GRACE`], reporting the body
//! as pending meanwhile. hyper writes out its buffer whenever the body is pending, so the
//! client receives the status, the headers and the JSON produced so far, then the abort.

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

/// How long a body's error waits for hyper to send what it holds.
pub const ABORT_GRACE: Duration = Duration::from_millis(250);

/// A response body whose error, if any, comes [`ABORT_GRACE`] after the body's last data.
pub struct FlushBeforeAbort {
    inner: Body,
    /// The inner body's error, and the timer that releases it.
    held: Option<(axum::Error, Pin<Box<tokio::time::Sleep>>)>,
}

impl FlushBeforeAbort {
    /// `body`, wrapped.
    pub fn wrap(body: Body) -> Body {
        Body::new(FlushBeforeAbort {
            inner: body,
            held: None,
        })
    }
}

impl http_body::Body for FlushBeforeAbort {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        if let Some((_, timer)) = &mut this.held {
            ready!(timer.as_mut().poll(cx));
            return Poll::Ready(this.held.take().map(|(error, _)| Err(error)));
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Err(error))) => {
                let mut timer = Box::pin(tokio::time::sleep(ABORT_GRACE));
                // Registers the waker; a zero grace would be ready at once.
                if timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Some(Err(error)));
                }
                this.held = Some((error, timer));
                Poll::Pending
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.held.is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Body as _;
    use std::future::poll_fn;

    /// One data frame, then an error, both ready at once (a conversion that finished
    /// before hyper polled its output).
    struct DataThenError(bool);

    impl http_body::Body for DataThenError {
        type Data = Bytes;
        type Error = std::io::Error;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
            if self.0 {
                return Poll::Ready(Some(Err(std::io::Error::other("late error"))));
            }
            self.0 = true;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"{\"a\":")))))
        }
    }

    #[tokio::test]
    async fn the_error_comes_after_a_pending_poll_that_lets_hyper_flush() {
        let mut body = FlushBeforeAbort::wrap(Body::new(DataThenError(false)));
        let mut body = Pin::new(&mut body);
        let data = poll_fn(|cx| body.as_mut().poll_frame(cx)).await;
        let data = data.unwrap().unwrap().into_data().unwrap();
        assert_eq!(&data[..], b"{\"a\":");
        let next = poll_fn(|cx| Poll::Ready(body.as_mut().poll_frame(cx))).await;
        assert!(next.is_pending(), "the error is held back at first");
        assert!(!http_body::Body::is_end_stream(&*body));
        let last = poll_fn(|cx| body.as_mut().poll_frame(cx)).await;
        assert!(matches!(last, Some(Err(_))), "then it ends the stream");
    }
}
