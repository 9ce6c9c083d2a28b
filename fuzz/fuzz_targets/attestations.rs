//! An attestations file (`--attestations`), matched against the built-in checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod scratch;

fuzz_target!(|data: &[u8]| {
    let path = scratch::write("attestations.yaml", data);
    let _ = postura::fuzzing::read_attestations(&path);
});
