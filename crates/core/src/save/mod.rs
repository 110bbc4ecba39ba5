//! Whole saves, whatever their container: JSON for every entry ([`json`]) and a short
//! description of the save ([`info`]).
//!
//! Both build on [`crate::container`]; the CLI, the HTTP server, the worker and the
//! Wasm package call these functions so that they answer the same bytes.

pub mod info;
pub mod json;

pub use info::{EntryInfo, SaveInfo, inspect, inspect_text};
pub use json::{SaveJson, SaveJsonOptions, write_json, write_save_json};
