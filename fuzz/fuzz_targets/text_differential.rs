//! Differential: wherever jomini 0.37.2 writes JSON, pdxedge must write the same bytes,
//! unless the input may trigger a divergence listed in `docs/compatibility.md` (see
//! `pdxedge_fuzz::divergence`). pdxedge failing where jomini succeeds is a mismatch too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pdxedge_core::Encoding;
use pdxedge_fuzz::{divergence, options_from, oracle, show, show_json};

fuzz_target!(|data: &[u8]| {
    if divergence::in_input(data).is_some() {
        return;
    }
    let mut options = options_from(data);
    // jomini has no automatic choice; its two readers are UTF-8 and Windows-1252.
    if options.encoding == Encoding::Auto {
        options.encoding = Encoding::Utf8;
    }
    let Some(expected) = oracle::jomini_json(data, options) else {
        return;
    };
    if divergence::in_jomini_output(&expected).is_some() {
        return;
    }
    match pdxedge_core::to_json(data, options) {
        Ok(actual) => assert!(
            actual == expected.as_bytes(),
            "pdxedge differs from jomini ({options:?}) for {}\n jomini: {}\npdxedge: {}",
            show(data),
            show_json(expected.as_bytes()),
            show_json(&actual)
        ),
        Err(e) => panic!(
            "pdxedge failed ({e}) where jomini wrote {} ({options:?}) for {}",
            show_json(expected.as_bytes()),
            show(data)
        ),
    }
});
