//! An SSH server's KEXINIT payload.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(kex) = postura::fuzzing::parse_kexinit(data) {
        // Names are read from the payload's ten lists: at most one more name than commas.
        let names: usize = kex.lists.iter().map(Vec::len).sum();
        assert!(names <= data.len() + 10);
    }
});
