//! A waivers file (`--waivers`), matched against the built-in checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod scratch;

fuzz_target!(|data: &[u8]| {
    let path = scratch::write("waivers.yaml", data);
    if let Err(err) = postura::fuzzing::read_waivers(&path) {
        // Every error names the file (and the line where there is one).
        assert!(err.to_string().contains("waivers.yaml"), "{err}");
    }
});
