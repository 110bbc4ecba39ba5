//! Errors as JavaScript sees them: an `Error` named `PdxedgeError` whose `kind`, `offset`,
//! `line` and `column` mirror the HTTP API's problem details, so the web page shows an
//! engine error the same way whichever side ran the job.

use js_sys::Reflect;
use pdxedge_core::container::{ContainerError, ContainerErrorKind};
use pdxedge_core::{ErrorKind, Position};
use wasm_bindgen::JsValue;

/// A `PdxedgeError` with a message and a machine-readable `kind`.
pub(crate) fn error(kind: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("PdxedgeError");
    set(&err, "kind", &JsValue::from_str(kind));
    err.into()
}

fn set_position(err: &JsValue, pos: Position) {
    set(err, "offset", &JsValue::from_f64(pos.offset as f64));
    if pos.line > 0 {
        set(err, "line", &JsValue::from_f64(pos.line as f64));
        set(err, "column", &JsValue::from_f64(pos.column as f64));
    }
}

/// An error from a save's container (zip, SAV, ...) or from the text inside it; the
/// message is the CLI's, positions are inside the entry named by `entry`.
pub(crate) fn container(e: &ContainerError) -> JsValue {
    let message = e.to_string();
    let err = match e.kind() {
        ContainerErrorKind::Text(inner) => {
            let err = error(kind_name(inner.kind()), &message);
            set_position(&err, inner.position());
            err
        }
        ContainerErrorKind::Corrupt { offset, .. } => {
            let err = error("corrupt", &message);
            if let Some(offset) = offset {
                set(&err, "offset", &JsValue::from_f64(*offset as f64));
            }
            err
        }
        kind => error(container_kind_name(kind), &message),
    };
    if let Some(entry) = e.entry() {
        set(&err, "entry", &JsValue::from_str(entry));
    }
    err
}

fn container_kind_name(kind: &ContainerErrorKind) -> &'static str {
    match kind {
        ContainerErrorKind::Text(_) => "syntax",
        ContainerErrorKind::Corrupt { .. } => "corrupt",
        ContainerErrorKind::Unsupported(_) => "unsupported",
        ContainerErrorKind::UnsafeName(_) => "unsafe-name",
        ContainerErrorKind::TooManyEntries { .. } => "too-many-entries",
        ContainerErrorKind::InputTooLarge { .. } => "input-too-large",
        ContainerErrorKind::TooLarge { .. } => "too-large",
        ContainerErrorKind::RatioTooHigh { .. } => "ratio-too-high",
        ContainerErrorKind::SizeMismatch { .. } => "size-mismatch",
        ContainerErrorKind::ChecksumMismatch { .. } => "checksum-mismatch",
        ContainerErrorKind::NoSuchEntry { .. } => "no-such-entry",
        ContainerErrorKind::NestedArchive(_) => "nested-archive",
        ContainerErrorKind::NotText { .. } => "not-text",
        ContainerErrorKind::VerifyFailed(_) => "verify-failed",
        ContainerErrorKind::Output(_) => "output",
        _ => "other",
    }
}

/// Bad options or an input of the wrong type: the caller's mistake, not the file's.
pub(crate) fn usage(message: &str) -> JsValue {
    error("usage", message)
}

fn kind_name(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Syntax(_) => "syntax",
        ErrorKind::UnexpectedEof(_) => "unexpected-eof",
        ErrorKind::TooDeep { .. } => "too-deep",
        ErrorKind::TokenTooLong { .. } => "token-too-long",
        ErrorKind::Binary { .. } => "binary",
        ErrorKind::Finished => "finished",
        ErrorKind::GroupInputTooLarge { .. } => "group-input-too-large",
        ErrorKind::RegroupLimit { .. } => "regroup-limit",
        ErrorKind::OutputTooLarge { .. } => "output-too-large",
        _ => "other",
    }
}

/// Setting a property on a fresh plain object cannot fail, so the result is ignored.
fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}
