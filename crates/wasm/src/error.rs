//! Errors as JavaScript sees them: an `Error` named `PdxedgeError` whose `kind`, `offset`,
//! `line` and `column` mirror the HTTP API's problem details, so the web page shows an
//! engine error the same way whichever side ran the job.

use js_sys::Reflect;
use pdxedge_core::ErrorKind;
use wasm_bindgen::JsValue;

/// A `PdxedgeError` with a message and a machine-readable `kind`.
pub(crate) fn error(kind: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("PdxedgeError");
    set(&err, "kind", &JsValue::from_str(kind));
    err.into()
}

/// The engine's error, with its position. `line` and `column` are left out when the
/// engine only knows the byte offset (line 0 means "not counted").
pub(crate) fn engine(e: &pdxedge_core::Error) -> JsValue {
    let err = error(kind_name(e.kind()), &e.to_string());
    let pos = e.position();
    set(&err, "offset", &JsValue::from_f64(pos.offset as f64));
    if pos.line > 0 {
        set(&err, "line", &JsValue::from_f64(pos.line as f64));
        set(&err, "column", &JsValue::from_f64(pos.column as f64));
    }
    err
}

/// Bad options or an input of the wrong type: the caller's mistake, not the file's.
pub(crate) fn usage(message: &str) -> JsValue {
    error("usage", message)
}

/// A job this build cannot do yet.
pub(crate) fn unavailable(job: &str) -> JsValue {
    error(
        "unavailable",
        &format!(
            "{job} is not available yet in this build of pdxedge: it needs the save-container \
             (zip) support of pdxedge-core"
        ),
    )
}

fn kind_name(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Syntax(_) => "syntax",
        ErrorKind::UnexpectedEof(_) => "unexpected-eof",
        ErrorKind::TooDeep { .. } => "too-deep",
        ErrorKind::TokenTooLong { .. } => "token-too-long",
        ErrorKind::Binary { .. } => "binary",
        ErrorKind::Finished => "finished",
        _ => "other",
    }
}

/// Setting a property on a fresh plain object cannot fail, so the result is ignored.
fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}
