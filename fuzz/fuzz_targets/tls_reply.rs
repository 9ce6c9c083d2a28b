//! A server's first TLS record and flight: record framing, ServerHello (also HelloRetryRequest
//! and SSLv2), its extensions, the certificate chain and the DH parameters.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = postura::fuzzing::parse_reply(data);
    let _ = postura::fuzzing::server_hello_extensions(data);
    let chain = postura::fuzzing::certificate_chain(data);
    // Every certificate is a slice of the input: the chain cannot hold more than was sent.
    assert!(chain.iter().map(Vec::len).sum::<usize>() <= data.len());
    let _ = postura::fuzzing::dh_prime_bits(data);
});
