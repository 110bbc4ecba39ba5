//! What the router needs from its host, given as hooks so that one router runs on tokio
//! (native) and in a single-threaded Wasm isolate (the Worker), which has no threads,
//! no `std::time::Instant` and no tokio timer.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A unit of CPU-bound work (decoding, converting, compressing one batch).
pub type Work = Box<dyn FnOnce() + Send + 'static>;

type Offload = Arc<dyn Fn(Work) -> BoxFuture<()> + Send + Sync>;
type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;
type Sleep = Arc<dyn Fn(Duration) -> BoxFuture<()> + Send + Sync>;

/// Hooks into the host.
///
/// ```
/// use pdxedge_api::Runtime;
/// use std::time::Duration;
/// // A host with no threads and no timer: work runs inline, time comes from a clock.
/// let rt = Runtime::inline(|| Duration::ZERO);
/// assert!(!rt.is_threaded());
/// ```
#[derive(Clone)]
pub struct Runtime {
    offload: Option<Offload>,
    clock: Clock,
    sleep: Option<Sleep>,
}

impl Runtime {
    /// Work runs inline on the caller's task (a Worker: single-threaded anyway).
    /// `clock` returns a monotonic time since any fixed point (e.g. `Date.now()`).
    pub fn inline(clock: impl Fn() -> Duration + Send + Sync + 'static) -> Self {
        Runtime {
            offload: None,
            clock: Arc::new(clock),
            sleep: None,
        }
    }

    /// Work is handed to `offload`, which must run it to completion off the async
    /// threads (e.g. `tokio::task::spawn_blocking`) and resolve when it is done.
    /// Such a host may block in the work, which lets group-mode output stream with
    /// back-pressure instead of being collected whole.
    pub fn threaded(
        offload: impl Fn(Work) -> BoxFuture<()> + Send + Sync + 'static,
        clock: impl Fn() -> Duration + Send + Sync + 'static,
    ) -> Self {
        Runtime {
            offload: Some(Arc::new(offload)),
            clock: Arc::new(clock),
            sleep: None,
        }
    }

    /// A timer, so a stalled upload is cut at the time limit even when no bytes arrive
    /// (without one, the limit is checked whenever a chunk arrives).
    pub fn with_sleep(
        mut self,
        sleep: impl Fn(Duration) -> BoxFuture<()> + Send + Sync + 'static,
    ) -> Self {
        self.sleep = Some(Arc::new(sleep));
        self
    }

    pub fn is_threaded(&self) -> bool {
        self.offload.is_some()
    }

    pub(crate) fn now(&self) -> Duration {
        (self.clock)()
    }

    pub(crate) fn sleep(&self, d: Duration) -> Option<BoxFuture<()>> {
        self.sleep.as_ref().map(|s| s(d))
    }

    /// Run `f` through the offload hook (or inline). `None` if the work died (a panic
    /// on the blocking thread): the caller answers 500.
    pub(crate) async fn run<R, F>(&self, f: F) -> Option<R>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        let Some(offload) = &self.offload else {
            return Some(f());
        };
        let slot = Arc::new(Mutex::new(None));
        let filled = slot.clone();
        offload(Box::new(move || {
            let r = f();
            if let Ok(mut s) = filled.lock() {
                *s = Some(r);
            }
        }))
        .await;
        slot.lock().ok().and_then(|mut s| s.take())
    }
}
