//! Core behaviour the HTTP layer depends on.

use pdxedge_core::json::JsonOptions;
use pdxedge_core::{ErrorKind, Transcoder, to_json};

/// Real binary saves go straight from `EU4bin` to binary tokens (`EU4binM(\x01\x00...`,
/// as in the corpus' `meta.bin`). The core once took the header word for one only when
/// whitespace followed; it is fixed, and `sniff` in crates/api/src/json.rs (which
/// answers 422 before any output) may now defer to it.
#[test]
fn binary_header_followed_by_binary_tokens_is_refused() {
    let e = to_json(
        b"EU4binM(\x01\x00\x0c\x00h\xceq\x03",
        JsonOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Binary { .. }), "{e}");
}

/// A server moves a conversion between threads (a handler's future holds it across
/// `.await`s), so the transcoder must be `Send`; this fails to compile otherwise.
#[test]
fn transcoder_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Transcoder>();
}
