//! A check file as `--checks` loads it: YAML, its fields and its CEL expressions.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = postura::fuzzing::parse_check(text);
    }
});
