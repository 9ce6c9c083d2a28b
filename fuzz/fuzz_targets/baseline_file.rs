//! A baseline file (`--baselines DIR`), parsed and validated against the built-in checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(err) = postura::fuzzing::parse_baseline(text) {
        // Every error names where it is: the file, and the row's line where there is one.
        assert!(err.to_string().starts_with("fuzz.yaml"), "{err}");
    }
});
