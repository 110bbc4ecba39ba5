//! Arbitrary bytes through `inspect` (what `pdxedge info` says). Input: a control byte
//! (file name hint, brotli; see `pdxedge_fuzz::containers`), then the file. Checks: no
//! panic; the entries listed are the container's; the encoding is one of the three
//! named; the size is the input's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pdxedge_core::container::{Envelope, Save, sniff};
use pdxedge_core::save::info::inspect;
use pdxedge_fuzz::containers::{hints_from, small_limits, split};
use pdxedge_fuzz::show;

fuzz_target!(|data: &[u8]| {
    let Some((control, input)) = split(data) else {
        return;
    };
    let hints = hints_from(control);
    let limits = small_limits();
    let Ok(info) = inspect(input, &hints, &limits) else {
        return;
    };
    if let Some(encoding) = info.encoding {
        assert!(
            ["utf-8", "windows-1252", "ascii"].contains(&encoding),
            "encoding {encoding} for {}",
            show(data)
        );
    }
    assert_eq!(info.input_size, input.len() as u64);
    if sniff(input, &hints).ok() != Some(Envelope::Text)
        && let Ok(save) = Save::open(input, &hints, &limits)
    {
        let names: Vec<&str> = save.entries().iter().map(|e| e.name.as_str()).collect();
        let listed: Vec<&str> = info.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, listed, "entries differ for {}", show(data));
    }
});
