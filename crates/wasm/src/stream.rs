//! The output side: a pull-driven `ReadableStream` that reads a [`Source`], pushes it
//! through an [`Engine`] and enqueues what comes out.
//!
//! Pull-driven means backpressure for free: the stream asks for more only when its
//! consumer has taken what was there, so a slow consumer (a download, a network upload)
//! holds back the reading of input, and neither side piles up in memory.

use crate::source::Source;
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{ReadableStream, ReadableStreamDefaultController, ReadableStreamDefaultReader};

/// Output is handed to the stream once at least this much is ready (or at the end), so
/// tiny input chunks do not become a flood of tiny output chunks.
const FLUSH: usize = 64 << 10;

/// A push-based job: bytes in, bytes out.
pub(crate) trait Engine {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), JsValue>;
    /// The end of input: hand the rest of the output to `emit`, in chunks.
    fn finish(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), JsValue>;
}

/// A `Write` that hands its bytes to a job's `emit` in pieces of about [`FLUSH`] bytes,
/// so output produced at the end (a zip's entries, group mode, recompression) streams out
/// of Wasm memory as it is made instead of collecting there first.
pub(crate) struct Emitter<'e> {
    emit: &'e mut dyn FnMut(&[u8]),
    buf: Vec<u8>,
}

impl<'e> Emitter<'e> {
    pub(crate) fn new(emit: &'e mut dyn FnMut(&[u8])) -> Self {
        Emitter {
            emit,
            buf: Vec::new(),
        }
    }

    /// Hand over what is left.
    pub(crate) fn finish(mut self) {
        self.drain();
    }

    fn drain(&mut self) {
        if !self.buf.is_empty() {
            (self.emit)(&self.buf);
            self.buf.clear();
        }
    }
}

impl std::io::Write for Emitter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > FLUSH {
            self.drain();
        }
        if data.len() >= FLUSH {
            (self.emit)(data);
        } else {
            self.buf.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A job running behind a stream.
struct Job {
    source: Source,
    engine: Box<dyn Engine>,
    progress: Option<Function>,
    total: Option<f64>,
    read: f64,
    written: f64,
    buf: Vec<u8>,
    out: Vec<u8>,
}

/// What the stream's callbacks share. The job is taken out while a pull runs, so a
/// `cancel` arriving during an `await` never meets a borrowed cell.
struct Shared {
    job: RefCell<Option<Job>>,
    reader: Option<ReadableStreamDefaultReader>,
    cancelled: Cell<bool>,
}

/// A `ReadableStream<Uint8Array>` of `engine`'s output for `source`. Errors (bad input,
/// a throwing progress callback) error the stream with a `PdxedgeError`.
pub(crate) fn output(
    source: Source,
    total: Option<f64>,
    engine: Box<dyn Engine>,
    progress: Option<Function>,
) -> Result<ReadableStream, JsValue> {
    let shared = Rc::new(Shared {
        reader: source.reader(),
        job: RefCell::new(Some(Job {
            source,
            engine,
            progress,
            total,
            read: 0.0,
            written: 0.0,
            buf: Vec::new(),
            out: Vec::new(),
        })),
        cancelled: Cell::new(false),
    });

    let on_pull = shared.clone();
    let pull =
        Closure::<dyn FnMut(ReadableStreamDefaultController) -> Promise>::new(move |controller| {
            let shared = on_pull.clone();
            future_to_promise(async move {
                pull(&shared, &controller).await?;
                Ok(JsValue::UNDEFINED)
            })
        });
    let on_cancel = shared;
    let cancel = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |reason: JsValue| {
        on_cancel.cancelled.set(true);
        on_cancel.job.borrow_mut().take();
        match &on_cancel.reader {
            Some(reader) => reader.cancel_with_reason(&reason),
            None => Promise::resolve(&JsValue::UNDEFINED),
        }
    });

    let underlying = Object::new();
    Reflect::set(&underlying, &"pull".into(), &pull.into_js_value())?;
    Reflect::set(&underlying, &"cancel".into(), &cancel.into_js_value())?;
    ReadableStream::new_with_underlying_source(&underlying)
}

async fn pull(
    shared: &Shared,
    controller: &ReadableStreamDefaultController,
) -> Result<(), JsValue> {
    let Some(mut job) = shared.job.borrow_mut().take() else {
        return Ok(());
    };
    match job.step(controller).await {
        Ok(true) if !shared.cancelled.get() => {
            *shared.job.borrow_mut() = Some(job);
            Ok(())
        }
        Ok(true) => Ok(()),
        Ok(false) => controller.close(),
        Err(e) => {
            if let Some(reader) = &shared.reader {
                // The reason is ours to report; the input stream's answer adds nothing.
                let _ = reader.cancel_with_reason(&e);
            }
            Err(e)
        }
    }
}

impl Job {
    /// Read until there is output worth enqueueing (true) or the input ended and the
    /// engine finished (false). A pull must enqueue or close: resolving with nothing
    /// enqueued would stall the stream.
    async fn step(
        &mut self,
        controller: &ReadableStreamDefaultController,
    ) -> Result<bool, JsValue> {
        loop {
            if !self.source.next(&mut self.buf).await? {
                if !self.out.is_empty() {
                    enqueue(controller, &self.out)?;
                    self.written += self.out.len() as f64;
                    self.out.clear();
                }
                let mut failed = None;
                let mut written = 0.0;
                self.engine.finish(&mut |chunk: &[u8]| {
                    if failed.is_none() && !chunk.is_empty() {
                        written += chunk.len() as f64;
                        failed = enqueue(controller, chunk).err();
                    }
                })?;
                if let Some(e) = failed {
                    return Err(e);
                }
                self.written += written;
                self.report()?;
                return Ok(false);
            }
            self.read += self.buf.len() as f64;
            self.engine.feed(&self.buf, &mut self.out)?;
            let flush = self.out.len() >= FLUSH;
            if flush {
                enqueue(controller, &self.out)?;
                self.written += self.out.len() as f64;
                self.out.clear();
            }
            self.report()?;
            if flush {
                return Ok(true);
            }
        }
    }

    fn report(&self) -> Result<(), JsValue> {
        let Some(callback) = &self.progress else {
            return Ok(());
        };
        let progress = Object::new();
        Reflect::set(&progress, &"read".into(), &self.read.into())?;
        let total = self.total.map_or(JsValue::NULL, JsValue::from_f64);
        Reflect::set(&progress, &"total".into(), &total)?;
        Reflect::set(&progress, &"written".into(), &self.written.into())?;
        callback.call1(&JsValue::NULL, &progress)?;
        Ok(())
    }
}

fn enqueue(controller: &ReadableStreamDefaultController, bytes: &[u8]) -> Result<(), JsValue> {
    controller.enqueue_with_chunk(&Uint8Array::from(bytes))
}
