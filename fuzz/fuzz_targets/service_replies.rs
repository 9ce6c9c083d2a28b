//! What services answer a probe: an HTTP response and its HSTS header, a banner to guess the
//! service from, Redis `INFO`, an FTP reply and `FEAT`, memcached `stats`, Elasticsearch's
//! `GET /`, Telnet option negotiation; and the release read from an SSH identification or an
//! HTTP `Server` header (`postura::lifecycle`).
#![no_main]

use libfuzzer_sys::fuzz_target;

/// A string read from a reply goes into reports: no control characters.
fn inert(text: &str) {
    assert!(!text.chars().any(char::is_control), "{text:?}");
}

fuzz_target!(|data: &[u8]| {
    let http = postura::fuzzing::parse_http_response(data);
    let _ = postura::fuzzing::guess_from_banner(data, http.as_ref());
    let _ = postura::fuzzing::parse_hsts(&String::from_utf8_lossy(data));
    if let Some(version) = postura::fuzzing::redis_info_version(data) {
        inert(&version);
    }
    let _ = postura::fuzzing::ftp_reply_code(data);
    let _ = postura::fuzzing::ftp_offers_tls(data);
    if let Some(stats) = postura::fuzzing::read_memcached_stats(data) {
        stats.version.as_deref().map(inert);
    }
    if let Some(es) = postura::fuzzing::read_elasticsearch_reply(data) {
        for text in [&es.distribution, &es.version, &es.cluster_name] {
            text.as_deref().map(inert);
        }
    }
    let (_, text) = postura::fuzzing::strip_telnet_commands(data);
    assert!(text.len() <= data.len());
    let banner = String::from_utf8_lossy(data);
    let seen = postura::lifecycle::from_ssh(&banner)
        .into_iter()
        .chain(postura::lifecycle::from_server_header(&banner));
    for seen in seen {
        let fact = postura::lifecycle::fact(&seen, &banner);
        for text in [&fact.name, &fact.version, &fact.seen_in] {
            inert(text);
        }
    }
});
