//! The reference implementation: jomini 0.37.2's JSON for the same options.
//!
//! jomini panics on some inputs (its writer meets shapes it cannot write). Those count as
//! "jomini has no answer". libFuzzer's panic hook aborts the process on any panic, before
//! `catch_unwind` could see it, so a wrapping hook stays quiet while the oracle runs.

use jomini::json::{DuplicateKeyMode as JMode, JsonOptions as JOptions, TypeNarrowing};
use pdxedge_core::Encoding;
use pdxedge_core::json::{DuplicateKeyMode, JsonOptions, Narrowing};
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static IN_ORACLE: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

fn install_quiet_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !IN_ORACLE.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// jomini's JSON for `input` under `options`, or `None` when jomini rejects the input
/// or panics. [`Encoding::Auto`] is read as UTF-8 (jomini has no automatic choice).
pub fn jomini_json(input: &[u8], options: JsonOptions) -> Option<String> {
    install_quiet_hook();
    IN_ORACLE.with(|f| f.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| run(input, options)));
    IN_ORACLE.with(|f| f.set(false));
    result.ok().flatten()
}

fn run(input: &[u8], options: JsonOptions) -> Option<String> {
    let tape = jomini::TextTape::from_slice(input).ok()?;
    let opts = JOptions::new()
        .with_prettyprint(options.pretty)
        .with_type_narrowing(match options.narrow {
            Narrowing::All => TypeNarrowing::All,
            Narrowing::Unquoted => TypeNarrowing::Unquoted,
            Narrowing::None => TypeNarrowing::None,
        })
        .with_duplicate_keys(match options.mode {
            DuplicateKeyMode::Preserve => JMode::Preserve,
            DuplicateKeyMode::Group => JMode::Group,
            DuplicateKeyMode::KeyValuePairs => JMode::KeyValuePairs,
        });
    Some(match options.encoding {
        Encoding::Windows1252 => tape
            .windows1252_reader()
            .json()
            .with_options(opts)
            .to_string(),
        _ => tape.utf8_reader().json().with_options(opts).to_string(),
    })
}
