//! A `postura-manifest.json`, as the evidence reader places host evidence by it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match postura::fuzzing::parse_manifest(text) {
        Ok(manifest) => {
            // What names a host goes into reports: never empty, never a control character.
            assert!(!manifest.host.trim().is_empty());
            assert!(!manifest.host.chars().any(char::is_control));
        }
        Err(err) => {
            // The line named is one the file has.
            let lines = text.lines().count().max(1) as u64;
            assert!(err.line.is_none_or(|l| l <= lines + 1), "{:?}", err.line);
        }
    }
});
