//! Every evidence format. The first byte picks the format; the rest is the file, which the
//! format both tries to recognise and parses regardless, so every parser sees every input.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod scratch;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let path = scratch::write("evidence", content);
    let trial = postura::fuzzing::parse_evidence_as(usize::from(pick), &path);
    if let Err(err) = &trial.parsed {
        // An error names a line of the file (or none), never one past its end.
        let lines = content.split(|b| *b == b'\n').count() as u64;
        if let Some(line) = err.line {
            assert!(
                line <= lines + 1,
                "{}: line {line} of {lines}: {}",
                trial.format,
                err.message
            );
        }
    }
});
