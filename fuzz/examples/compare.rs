//! Show jomini's and pdxedge's JSON side by side for an input, to minimise a fuzz finding:
//! `cargo run --example compare -- FILE` or `cargo run --example compare -- -e 'a = b'`.
//! Prints, for each mode and encoding, whether the two agree, and the listed divergence
//! (if any) that the differential target would skip the input for.

use pdxedge_core::Encoding;
use pdxedge_core::json::{DuplicateKeyMode, JsonOptions, Narrowing};
use pdxedge_fuzz::{divergence, oracle};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = match args.as_slice() {
        [flag, text] if flag == "-e" => text.clone().into_bytes(),
        [path] => std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}")),
        _ => {
            eprintln!("usage: compare FILE | compare -e TEXT");
            std::process::exit(2);
        }
    };
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    println!("input: {:?}", String::from_utf8_lossy(&data));
    println!("skip rule: {:?}", divergence::in_input(&data));
    for encoding in [Encoding::Utf8, Encoding::Windows1252] {
        for mode in [
            DuplicateKeyMode::Preserve,
            DuplicateKeyMode::Group,
            DuplicateKeyMode::KeyValuePairs,
        ] {
            let options = JsonOptions {
                mode,
                narrow: Narrowing::All,
                pretty: false,
                encoding,
            };
            let jomini = oracle::jomini_json(&data, options);
            let ours = pdxedge_core::to_json(&data, options)
                .map(|v| String::from_utf8_lossy(&v).into_owned());
            let same = matches!((&jomini, &ours), (Some(j), Ok(p)) if j == p);
            println!(
                "{encoding:?} {mode:?}: {}",
                if same { "same" } else { "DIFFERENT" }
            );
            if !same {
                println!("   jomini: {jomini:?}");
                println!("  pdxedge: {ours:?}");
            }
        }
    }
}
