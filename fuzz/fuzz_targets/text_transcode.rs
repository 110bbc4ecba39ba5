//! Arbitrary bytes through the text transcoder, in every mode and option, fed in
//! input-derived chunks. Checks: no panic; when it succeeds the output is valid UTF-8
//! JSON; the result (output or error, with its position) does not depend on chunking;
//! pretty and compact output hold the same document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pdxedge_fuzz::{Splitter, limits_from, options_from, show, transcode_chunked, transcode_whole};

fuzz_target!(|data: &[u8]| {
    let options = options_from(data);
    let limits = limits_from(data);
    let whole = transcode_whole(data, options, limits);

    let chunked = transcode_chunked(data, options, limits, &mut Splitter::new(data));
    assert_eq!(
        whole,
        chunked,
        "chunking changed the result for {}",
        show(data)
    );
    if data.len() <= 512 {
        let bytewise = transcode_chunked(data, options, limits, &mut Splitter::with_max(data, 1));
        assert_eq!(
            whole,
            bytewise,
            "byte-wise feeding changed the result for {}",
            show(data)
        );
    }

    let Ok(json) = whole else { return };
    let value: serde_json::Value = match serde_json::from_slice(&json) {
        Ok(v) => v,
        Err(e) => panic!(
            "invalid JSON ({e}): {:?} for {}",
            String::from_utf8_lossy(&json),
            show(data)
        ),
    };
    let flipped = pdxedge_fuzz::JsonOptions {
        pretty: !options.pretty,
        ..options
    };
    match transcode_whole(data, flipped, limits) {
        Ok(other) => {
            let other: serde_json::Value = serde_json::from_slice(&other).unwrap_or_else(|e| {
                panic!("invalid JSON ({e}) with pretty flipped for {}", show(data))
            });
            assert_eq!(value, other, "pretty and compact differ for {}", show(data));
        }
        Err(e) => panic!(
            "pretty={} failed ({e}) where the other succeeded for {}",
            flipped.pretty,
            show(data)
        ),
    }
});
