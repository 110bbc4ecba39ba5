//! # pdxedge-core
//!
//! The engine behind pdxedge: a sans-I/O, push-based reader of Paradox (Clausewitz engine)
//! text that writes JSON as it reads, in the shapes of the `jomini` crate's JSON. Feed it
//! byte chunks of any size, take JSON bytes out; it never touches a file, socket, thread
//! or clock, so the same code runs in a CLI, a server, a Cloudflare Worker and a browser.
//!
//! Memory grows with nesting depth, not with input size, in the preserve and
//! key-value-pairs modes. Group mode reads its input once but holds its JSON until the
//! input ends (see [`json::group`]).
//!
//! It is not a game-data model: it does not know what `owner` or `base_tax` mean.
//!
//! ```
//! use pdxedge_core::{Transcoder, json::JsonOptions};
//!
//! let mut t = Transcoder::new(JsonOptions::default());
//! let mut out = Vec::new();
//! t.feed(b"core=AAA core=B", &mut out)?;   // chunks may split tokens anywhere
//! t.feed(b"BB color = rgb { 1 2 3 }", &mut out)?;
//! t.finish(&mut out)?;
//! assert_eq!(out, br#"{"core":"AAA","core":"BBB","color":{"rgb":[1,2,3]}}"#);
//! # Ok::<(), pdxedge_core::Error>(())
//! ```

// No panic may be reachable from input (a panic kills a Wasm worker): outside tests,
// every access is checked. See docs/reliability.md.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

pub mod container;
pub mod error;
pub mod json;
pub mod recompress;
pub mod save;
pub mod text;
mod transcode;

pub use error::{Error, ErrorKind, Position};
pub use text::{Encoding, Limits};
pub use transcode::{
    DEFAULT_MAX_FEED_OUTPUT, DEFAULT_MAX_GROUP_INPUT, FEED_OUTPUT_FACTOR, Transcoder, binary_magic,
    to_json,
};
