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
type Random = Arc<dyn Fn() -> Option<u64> + Send + Sync>;

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
    random: Option<Random>,
}

impl Runtime {
    /// Work runs inline on the caller's task (a Worker: single-threaded anyway).
    /// `clock` returns a monotonic time since any fixed point (e.g. `Date.now()`).
    pub fn inline(clock: impl Fn() -> Duration + Send + Sync + 'static) -> Self {
        Runtime {
            offload: None,
            clock: Arc::new(clock),
            sleep: None,
            random: None,
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
            random: None,
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

    /// A source of secret random numbers, for hosts where std has none. Each conversion
    /// in group mode takes a new seed for its key fingerprints (see
    /// `pdxedge_core::Transcoder::set_group_seed`), so that keys crafted to collide, and
    /// so to cost time quadratic in their number, cannot be made in advance. By default
    /// the seed comes from std's random hash keys: the OS's random source on native
    /// targets, but on `wasm32-unknown-unknown` (the Worker) std has none and derives
    /// them from memory addresses, which are not secret. When `random` gives `None`, the
    /// default is used.
    pub fn with_random(mut self, random: impl Fn() -> Option<u64> + Send + Sync + 'static) -> Self {
        self.random = Some(Arc::new(random));
        self
    }

    /// A new seed for one conversion's key fingerprints (see [`Runtime::with_random`]).
    pub(crate) fn seed(&self) -> u64 {
        self.random
            .as_ref()
            .and_then(|random| random())
            .unwrap_or_else(|| {
                use std::hash::BuildHasher;
                std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64)
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_come_from_the_hook_or_else_from_std() {
        let rt = Runtime::inline(|| Duration::ZERO);
        // std's hash keys: random per thread, then counted up per `RandomState`.
        assert_ne!(rt.seed(), rt.seed());
        assert_eq!(rt.clone().with_random(|| Some(7)).seed(), 7);
        let failing = rt.with_random(|| None);
        assert_ne!(failing.seed(), failing.seed());
    }
}
