#![no_main]
//! cargo fuzz target: see `fuzz/checks.rs` for what is run and asserted.
use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    if data.len() <= checks::MAX_INPUT {
        checks::ingest_file(data);
    }
});
