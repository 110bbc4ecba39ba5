//! Load shedding: a fixed number of conversion slots. A request that finds them full is
//! answered 503 at once (it never queues), so memory stays bounded however many
//! clients arrive. Plain atomics: no runtime needed, works in Wasm too.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A pool of `max` slots.
#[derive(Debug)]
pub(crate) struct Gate {
    busy: AtomicUsize,
    max: usize,
}

/// A taken slot, given back when dropped (when the response body ends or is dropped).
#[derive(Debug)]
pub(crate) struct Permit(Arc<Gate>);

impl Gate {
    pub fn new(max: usize) -> Arc<Gate> {
        Arc::new(Gate {
            busy: AtomicUsize::new(0),
            max,
        })
    }

    pub fn max(&self) -> usize {
        self.max
    }

    pub fn try_acquire(self: &Arc<Self>) -> Option<Permit> {
        self.busy
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Permit(self.clone()))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_returned_on_drop() {
        let g = Gate::new(2);
        let a = g.try_acquire().unwrap();
        let _b = g.try_acquire().unwrap();
        assert!(g.try_acquire().is_none());
        drop(a);
        assert!(g.try_acquire().is_some());
        assert!(Gate::new(0).try_acquire().is_none());
    }
}
