//! Whole saves, whatever their container: JSON for every entry ([`json`]) and a short
//! description of the save ([`info`]).
//!
//! Both build on [`crate::container`]; the CLI, the HTTP server, the worker and the
//! Wasm package call these functions so that they answer the same bytes.

// No panic reachable from input (a panic kills a Wasm worker): outside tests, every
// access is checked. See docs/reliability.md.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

pub mod info;
pub mod json;

pub use info::{EntryInfo, SaveInfo, inspect, inspect_text};
pub use json::{SaveJson, SaveJsonOptions, write_json, write_save_json};
