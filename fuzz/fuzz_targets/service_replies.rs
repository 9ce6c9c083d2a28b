//! What services answer a probe: an HTTP response and its HSTS header, a banner to guess the
//! service from, Redis `INFO`, an FTP reply, Telnet option negotiation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let http = postura::fuzzing::parse_http_response(data);
    let _ = postura::fuzzing::guess_from_banner(data, http.as_ref());
    let _ = postura::fuzzing::parse_hsts(&String::from_utf8_lossy(data));
    let _ = postura::fuzzing::redis_info_version(data);
    let _ = postura::fuzzing::ftp_reply_code(data);
    let (_, text) = postura::fuzzing::strip_telnet_commands(data);
    assert!(text.len() <= data.len());
});
