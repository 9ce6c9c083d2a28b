//! A scan journal (`postura-journal.jsonl`), as `postura evaluate` and `postura merge` read it
//! from a shared volume: whatever the bytes, an error or facts with every planned host.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod scratch;

fuzz_target!(|data: &[u8]| {
    let path = scratch::write("postura-journal.jsonl", data);
    if let Ok((_done, planned, in_facts)) = postura::fuzzing::read_journal(&path) {
        // Every planned host is in the facts (scanned or not); evidence may add more.
        assert!(in_facts >= planned, "{in_facts} hosts in the facts, {planned} planned");
    }
});
