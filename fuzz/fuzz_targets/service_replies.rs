//! What services answer a probe: an HTTP response and its HSTS header, a banner to guess the
//! service from, Redis `INFO`, an FTP reply and `FEAT`, memcached `stats`, Elasticsearch's
//! `GET /`, Telnet option negotiation, an SMB2 NEGOTIATE response, an NTLMSSP challenge and
//! an RDP Connection Confirm;
//! and the release read from an SSH identification, an HTTP `Server` header, an NTLM version
//! or a `systeminfo` OS name (`postura::lifecycle`).
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
    let _ = postura::fuzzing::read_negotiate_reply(data);
    if let Ok(answer) = postura::fuzzing::read_smb1_negotiate_reply(data) {
        assert!(answer.accepted || !answer.signing_required);
    }
    let _ = postura::fuzzing::read_connection_confirm(data);
    let mut ntlm_version = None;
    if let Some(ntlm) = postura::fuzzing::read_ntlm_challenge(data) {
        for text in [
            &ntlm.version,
            &ntlm.netbios_computer,
            &ntlm.netbios_domain,
            &ntlm.dns_computer,
            &ntlm.dns_domain,
            &ntlm.dns_forest,
        ] {
            text.as_deref().map(inert);
        }
        ntlm_version = ntlm.version;
    }
    let banner = String::from_utf8_lossy(data);
    let (os_name, os_version) = banner.split_once('\n').unwrap_or((&banner, ""));
    let seen = postura::lifecycle::from_ssh(&banner)
        .into_iter()
        .chain(postura::lifecycle::from_server_header(&banner))
        .chain(postura::lifecycle::from_windows(os_name, os_version))
        .chain(
            ntlm_version
                .as_deref()
                .and_then(postura::lifecycle::from_windows_build)
                .map(|(seen, _)| seen),
        );
    for seen in seen {
        let fact = postura::lifecycle::fact(&seen, &banner);
        for text in [&fact.name, &fact.version, &fact.seen_in] {
            inert(text);
        }
    }
});
