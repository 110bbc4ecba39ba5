//! Arbitrary bytes as a save file: container sniffing, zip and `SAV` parsing, entry
//! inflation and the JSON of every entry. Input: a control byte (file name hint, brotli,
//! JSON mode, pretty, one entry only; see `pdxedge_fuzz::containers`), then the file.
//! Checks: no panic; every entry of an opened save reads to its end or fails cleanly;
//! the JSON of the whole input is the same fed in one piece or in chunks (as a request
//! body arrives) and, when it succeeds, is valid JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pdxedge_core::container::Save;
use pdxedge_core::json::{DuplicateKeyMode, JsonOptions};
use pdxedge_core::save::{SaveJson, SaveJsonOptions, write_json};
use pdxedge_fuzz::containers::{hints_from, small_limits, split};
use pdxedge_fuzz::{Splitter, show, show_json};

fuzz_target!(|data: &[u8]| {
    let Some((control, input)) = split(data) else {
        return;
    };
    let hints = hints_from(control);
    let limits = small_limits();

    // Every entry of the laid-out save inflates to its end or fails with an error.
    if let Ok(save) = Save::open(input, &hints, &limits) {
        for i in 0..save.entries().len() {
            if let Ok(mut reader) = save.reader(i) {
                let _ = reader.for_each_piece(4096, |_| Ok(()));
            }
        }
        let _ = save.find("gamestate");
    }

    let options = SaveJsonOptions {
        json: JsonOptions {
            mode: match (control >> 4) & 3 {
                1 => DuplicateKeyMode::Group,
                2 => DuplicateKeyMode::KeyValuePairs,
                _ => DuplicateKeyMode::Preserve,
            },
            pretty: control & 0x40 != 0,
            ..JsonOptions::default()
        },
        entry: (control & 0x80 != 0).then(|| "gamestate".to_owned()),
        archive_limits: limits,
        ..SaveJsonOptions::default()
    };
    let mut whole = Vec::new();
    let whole_result = write_json(input, &hints, &options, &mut whole);

    let mut streamed = Vec::new();
    let mut conv = SaveJson::new(options.clone(), &hints);
    let mut splitter = Splitter::new(data);
    let mut rest = input;
    let mut stream_result = Ok(());
    while !rest.is_empty() && stream_result.is_ok() {
        let n = splitter.next_size().min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        stream_result = conv.feed(chunk, &mut streamed);
        rest = tail;
    }
    if stream_result.is_ok() {
        stream_result = conv.finish(&mut streamed);
    }

    if whole_result.is_ok()
        && let Err(e) = serde_json::from_slice::<serde_json::Value>(&whole)
    {
        panic!(
            "invalid JSON ({e}): {} for {}",
            show_json(&whole),
            show(data)
        );
    }
    if whole_result.is_ok() && stream_result.is_ok() {
        assert!(
            whole == streamed,
            "streamed JSON differs: whole {} streamed {} for {}",
            show_json(&whole),
            show_json(&streamed),
            show(data)
        );
    }
});
