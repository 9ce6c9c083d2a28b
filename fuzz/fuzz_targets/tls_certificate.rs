//! One DER certificate as a server sends it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let facts = postura::fuzzing::parse_certificate(data);
    // What goes into reports is text without control characters.
    let json = serde_json::to_string(&facts).expect("facts serialise");
    assert!(
        !json.chars().any(|c| c.is_control()),
        "control character in {json}"
    );
});
