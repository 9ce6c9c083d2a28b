//! TLS protocol probing: which versions a server accepts, which cipher suites per version, in
//! whose order, and whether it offers compression and secure renegotiation.
//!
//! Each question is one connection with one hand-built ClientHello ([`hello`]); only the
//! server's first record is read (bounded in bytes and time) and parsed with tls-parser.
//! Suites are enumerated the way sslscan and testssl.sh do it: offer everything, note the
//! chosen suite, remove it, ask again until the server refuses. A server that answers with
//! garbage, a truncated record or nothing at all yields a [`Reply`] that says so.

pub mod cert;
pub mod flight;
pub mod hello;
pub mod https;
pub mod robot;
pub mod starttls;
mod verdict;

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use super::banner::{BannerTiming, connect};
use crate::facts::ProbeKind;
use crate::facts::{ProbeError, TlsFacts, TlsSuiteFacts, TlsVersionFacts};
use hello::{
    HelloSpec, SSL3, TLS10, TLS11, TLS12, TLS13, TLS13_SUITES, client_hello, legacy_suites,
};
use starttls::StartTls;

/// Largest record a server may send (RFC 8446 §5.2: 2^14 + 256 for ciphertext; generous).
const MAX_RECORD: usize = 16_384 + 2_048;
/// Upper bound on connections per endpoint, whatever the server does.
const MAX_HANDSHAKES: usize = 600;

/// `random` of a HelloRetryRequest (RFC 8446 §4.1.3).
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// What the server sent back to one ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A ServerHello (or HelloRetryRequest).
    Hello {
        /// Negotiated version (from `supported_versions` for TLS 1.3).
        version: u16,
        /// Chosen cipher suite.
        suite: u16,
        /// Chosen compression method (0 = null).
        compression: u8,
        /// The server sent `renegotiation_info` (RFC 5746).
        secure_renegotiation: bool,
        /// It was a HelloRetryRequest.
        retry: bool,
    },
    /// A TLS alert.
    Alert {
        /// Alert description code.
        description: u8,
    },
    /// The server closed the connection without a word.
    Closed,
    /// Nothing within the wait.
    Silent,
    /// Bytes that are not a TLS record, escaped.
    NotTls(String),
    /// A TLS record that could not be parsed, or was cut short.
    Malformed(String),
}

/// Sends one ClientHello and reads the first record of the answer.
pub async fn exchange(
    addr: SocketAddr,
    hello: &[u8],
    timing: BannerTiming,
    upgrade: Option<StartTls>,
) -> Result<Reply, ProbeError> {
    let mut stream = connect(addr, timing.connect, ProbeKind::Tls).await?;
    if let Some(protocol) = upgrade {
        starttls::upgrade(&mut stream, protocol, timing.answer)
            .await
            .map_err(|message| starttls_error(addr, protocol, message))?;
    }
    if stream.write_all(hello).await.is_err() {
        return Ok(Reply::Closed);
    }
    let mut header = [0u8; 5];
    let mut got = 0;
    while got < header.len() {
        match timeout(timing.answer, stream.read(&mut header[got..])).await {
            Err(_) => {
                return Ok(if got == 0 {
                    Reply::Silent
                } else {
                    Reply::Malformed("record header cut short".into())
                });
            }
            Ok(Ok(0)) | Ok(Err(_)) => {
                return Ok(if got == 0 {
                    Reply::Closed
                } else {
                    Reply::Malformed("record header cut short".into())
                });
            }
            Ok(Ok(n)) => got += n,
        }
    }
    if !(20..=24).contains(&header[0]) || header[1] != 3 {
        let mut more = [0u8; 59];
        let n = timeout(Duration::from_millis(100), stream.read(&mut more))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or(0);
        let mut raw = header.to_vec();
        raw.extend_from_slice(&more[..n]);
        return Ok(Reply::NotTls(crate::facts::escape_bytes(&raw)));
    }
    let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
    if len > MAX_RECORD {
        return Ok(Reply::Malformed(format!(
            "record of {len} bytes exceeds the TLS limit"
        )));
    }
    let mut record = header.to_vec();
    record.resize(5 + len, 0);
    let mut filled = 5;
    while filled < record.len() {
        match timeout(timing.answer, stream.read(&mut record[filled..])).await {
            Ok(Ok(n)) if n > 0 => filled += n,
            _ => {
                return Ok(Reply::Malformed(format!(
                    "record cut short: {} of {len} bytes",
                    filled - 5
                )));
            }
        }
    }
    Ok(parse_reply(&record))
}

fn starttls_error(addr: SocketAddr, protocol: StartTls, message: String) -> ProbeError {
    ProbeError {
        probe: ProbeKind::Starttls,
        port: Some(addr.port()),
        kind: "refused".into(),
        message: format!("{}: {message}", protocol.name()),
    }
}

/// Interprets one complete TLS record.
pub fn parse_reply(record: &[u8]) -> Reply {
    let parsed = match tls_parser::parse_tls_plaintext(record) {
        Ok((_, parsed)) => parsed,
        Err(_) if record.first() == Some(&22) => return parse_server_hello_raw(record),
        Err(err) => {
            return Reply::Malformed(
                format!("unparsable record: {err:?}")
                    .chars()
                    .take(120)
                    .collect(),
            );
        }
    };
    for message in &parsed.msg {
        match message {
            tls_parser::TlsMessage::Alert(alert) => {
                return Reply::Alert {
                    description: alert.code.0,
                };
            }
            tls_parser::TlsMessage::Handshake(tls_parser::TlsMessageHandshake::ServerHello(
                hello,
            )) => {
                return server_hello(
                    hello.version.0,
                    hello.random,
                    hello.cipher.0,
                    hello.compression.0,
                    hello.ext,
                );
            }
            _ => {}
        }
    }
    parse_server_hello_raw(record)
}

// tls-parser rejects a record whose later messages are incomplete (a ServerHello followed by
// the start of a Certificate that continues in the next record). The ServerHello itself is
// complete, so read it directly.
fn parse_server_hello_raw(record: &[u8]) -> Reply {
    let body = &record[5.min(record.len())..];
    if body.len() < 4 || body[0] != 2 {
        return Reply::Malformed("first handshake message is not a ServerHello".into());
    }
    let len = usize::from(body[1]) << 16 | usize::from(body[2]) << 8 | usize::from(body[3]);
    let Some(hello) = body.get(4..4 + len) else {
        return Reply::Malformed("ServerHello cut short".into());
    };
    match tls_parser::parse_tls_handshake_msg_server_hello(hello) {
        Ok((_, tls_parser::TlsMessageHandshake::ServerHello(h))) => {
            server_hello(h.version.0, h.random, h.cipher.0, h.compression.0, h.ext)
        }
        _ => Reply::Malformed("unparsable ServerHello".into()),
    }
}

fn server_hello(
    legacy_version: u16,
    random: &[u8],
    suite: u16,
    compression: u8,
    ext: Option<&[u8]>,
) -> Reply {
    let mut version = legacy_version;
    let mut secure_renegotiation = false;
    if let Some(ext) = ext {
        // Walk the extensions by hand: only three matter, and a server's supported_versions
        // is a single value, not the client's list.
        let mut rest = ext;
        while rest.len() >= 4 {
            let kind = u16::from_be_bytes([rest[0], rest[1]]);
            let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
            let Some(data) = rest.get(4..4 + len) else {
                break;
            };
            match kind {
                0x002b if data.len() == 2 => version = u16::from_be_bytes([data[0], data[1]]),
                0xff01 => secure_renegotiation = true,
                _ => {}
            }
            rest = &rest[4 + len..];
        }
    }
    Reply::Hello {
        version,
        suite,
        compression,
        secure_renegotiation,
        retry: random == HRR_RANDOM,
    }
}

/// Wire version to the name used in facts.
pub fn version_name(version: u16) -> &'static str {
    match version {
        SSL3 => "SSLv3",
        TLS10 => "TLSv1.0",
        TLS11 => "TLSv1.1",
        TLS12 => "TLSv1.2",
        TLS13 => "TLSv1.3",
        _ => "unknown",
    }
}

/// Fact name to wire version (the inverse of [`version_name`]); TLS 1.2 for anything else.
pub fn wire_version(name: &str) -> u16 {
    match name {
        "SSLv3" => SSL3,
        "TLSv1.0" => TLS10,
        "TLSv1.1" => TLS11,
        "TLSv1.3" => TLS13,
        _ => TLS12,
    }
}

/// Describes a suite for the facts.
pub fn suite_facts(id: u16) -> TlsSuiteFacts {
    let known = tls_parser::TlsCipherSuite::from_id(id);
    let name = known.map_or_else(|| format!("0x{id:04x}"), |s| s.name.to_owned());
    let (kx, enc, bits, mac) = known.map_or_else(
        || {
            (
                "unknown".to_owned(),
                "unknown".to_owned(),
                0,
                "unknown".to_owned(),
            )
        },
        |s| {
            (
                format!("{:?}", s.kx),
                format!("{:?}", s.enc),
                s.enc_size,
                format!("{:?}", s.mac),
            )
        },
    );
    let tls13 = TLS13_SUITES.contains(&id);
    let forward_secrecy = tls13 || matches!(kx.as_str(), "Ecdhe" | "Dhe");
    let aead = tls13 || known.is_some_and(|s| matches!(s.mac, tls_parser::TlsCipherMac::Aead));
    TlsSuiteFacts {
        id: format!("0x{id:04x}"),
        name,
        kx: kx.to_ascii_lowercase(),
        enc: enc.to_ascii_lowercase(),
        bits,
        mac: mac.to_ascii_lowercase(),
        forward_secrecy,
        aead,
    }
}

struct Prober<'a> {
    addr: SocketAddr,
    sni: Option<&'a str>,
    timing: BannerTiming,
    upgrade: Option<StartTls>,
    handshakes: usize,
    seed: u64,
}

impl Prober<'_> {
    async fn ask(
        &mut self,
        version: u16,
        tls13: bool,
        suites: &[u16],
        compression: bool,
    ) -> Result<Reply, ProbeError> {
        self.ask_with_groups(version, tls13, suites, compression, None)
            .await
    }

    async fn ask_with_groups(
        &mut self,
        version: u16,
        tls13: bool,
        suites: &[u16],
        compression: bool,
        groups: Option<&[u16]>,
    ) -> Result<Reply, ProbeError> {
        if self.handshakes >= MAX_HANDSHAKES {
            return Ok(Reply::Closed);
        }
        self.handshakes += 1;
        self.seed = self.seed.wrapping_add(1);
        let bytes = client_hello(&HelloSpec {
            version,
            tls13,
            suites,
            server_name: self.sni,
            offer_compression: compression,
            random: hello::random_bytes(self.seed),
            groups,
            heartbeat: false,
        });
        exchange(self.addr, &bytes, self.timing, self.upgrade).await
    }

    /// The suites `version` accepts, in the order the server picked them.
    async fn enumerate(&mut self, version: u16, first: u16) -> Result<Vec<u16>, ProbeError> {
        let tls13 = version == TLS13;
        let mut remaining: Vec<u16> = if tls13 {
            TLS13_SUITES.to_vec()
        } else {
            legacy_suites()
        };
        let mut accepted = vec![first];
        remaining.retain(|s| *s != first);
        while !remaining.is_empty() {
            match self
                .ask(version.min(TLS12), tls13, &remaining, false)
                .await?
            {
                Reply::Hello {
                    version: v, suite, ..
                } if v == version && remaining.contains(&suite) => {
                    accepted.push(suite);
                    remaining.retain(|s| *s != suite);
                }
                _ => break,
            }
        }
        Ok(accepted)
    }

    /// The named groups the server accepts: one hello per group. Under TLS 1.3 a
    /// ServerHello or a HelloRetryRequest means yes; under TLS 1.2 only ECDHE suites are
    /// offered, so a ServerHello means the curve is supported.
    async fn groups(
        &mut self,
        tls13: bool,
        ecdhe_suites: &[u16],
    ) -> Result<Vec<String>, ProbeError> {
        let mut accepted = Vec::new();
        for (id, name) in hello::NAMED_GROUPS {
            let ffdhe = (0x0100..=0x01ff).contains(&id);
            if !tls13 && ffdhe {
                continue;
            }
            let reply = if tls13 {
                self.ask_with_groups(TLS12, true, &TLS13_SUITES, false, Some(&[id]))
                    .await?
            } else {
                self.ask_with_groups(TLS12, false, ecdhe_suites, false, Some(&[id]))
                    .await?
            };
            let ok = match reply {
                Reply::Hello { version, .. } => !tls13 || version == TLS13,
                _ => false,
            };
            if ok {
                accepted.push(name.to_owned());
            }
        }
        Ok(accepted)
    }

    /// Whether the server imposes its own order: offer two accepted suites both ways round.
    async fn server_preference(
        &mut self,
        version: u16,
        suites: &[u16],
    ) -> Result<Option<bool>, ProbeError> {
        let (Some(&a), Some(&b)) = (suites.first(), suites.last()) else {
            return Ok(None);
        };
        if a == b {
            return Ok(None);
        }
        let tls13 = version == TLS13;
        let first = self.ask(version.min(TLS12), tls13, &[a, b], false).await?;
        let second = self.ask(version.min(TLS12), tls13, &[b, a], false).await?;
        Ok(match (first, second) {
            (Reply::Hello { suite: x, .. }, Reply::Hello { suite: y, .. }) => Some(x == y),
            _ => None,
        })
    }
}

/// Assesses protocol versions, cipher suites, preference, compression and renegotiation.
///
/// `Ok(None)` means the port does not speak TLS (no TLS record came back to any hello).
pub async fn probe_tls(
    addr: SocketAddr,
    sni: Option<&str>,
    timing: BannerTiming,
    extra_roots: &[rustls::pki_types::CertificateDer<'static>],
    upgrade: Option<StartTls>,
) -> Result<Option<TlsFacts>, ProbeError> {
    let mut run = Assessment {
        prober: Prober {
            addr,
            sni,
            timing,
            upgrade,
            handshakes: 0,
            seed: u64::from(addr.port()) << 16,
        },
        endpoint: flight::Endpoint {
            addr,
            sni,
            timing,
            upgrade,
        },
        legacy: legacy_suites(),
        facts: TlsFacts::default(),
    };
    let Some(first_suites) = run.versions().await? else {
        return Ok(None);
    };
    run.suites(first_suites).await?;
    run.first_flight().await?;
    run.groups().await?;
    run.certificate(extra_roots).await;
    let mut facts = run.facts;
    facts.handshakes = u32::try_from(run.prober.handshakes).unwrap_or(u32::MAX);
    facts.starttls = upgrade.map(|u| u.name().to_owned());
    Ok(Some(facts))
}

/// One endpoint's TLS assessment, phase by phase, and what it found so far.
struct Assessment<'a> {
    prober: Prober<'a>,
    endpoint: flight::Endpoint<'a>,
    /// Every suite of TLS ≤ 1.2 that a hello may offer.
    legacy: Vec<u16>,
    facts: TlsFacts,
}

impl Assessment<'_> {
    fn protocol_error(&self, message: String) -> ProbeError {
        ProbeError {
            probe: ProbeKind::Tls,
            port: Some(self.endpoint.addr.port()),
            kind: "protocol".into(),
            message,
        }
    }

    /// Which versions the server accepts, and the suite it chose under each. `None` when the
    /// port does not speak TLS.
    async fn versions(&mut self) -> Result<Option<Vec<(u16, u16)>>, ProbeError> {
        let prober = &mut self.prober;
        let facts = &mut self.facts;
        let legacy = &self.legacy;
        let mut spoke_tls = false;
        let mut first_suites: Vec<(u16, u16)> = Vec::new();
        // One TLS 1.2 hello first: a port that does not answer it with a TLS record is not
        // asked four more times (a silent service would cost a wait per question).
        let detect = prober.ask(TLS12, false, legacy, false).await?;
        match &detect {
            Reply::Hello { .. } | Reply::Alert { .. } => {}
            Reply::Malformed(why) => {
                let message = format!("no valid TLS answer: {why}");
                return Err(self.protocol_error(message));
            }
            Reply::Closed | Reply::Silent | Reply::NotTls(_) => return Ok(None),
        }
        for version in [SSL3, TLS10, TLS11, TLS12] {
            let reply = if version == TLS12 {
                detect.clone()
            } else {
                prober.ask(version, false, legacy, false).await?
            };
            spoke_tls |= matches!(reply, Reply::Hello { .. } | Reply::Alert { .. });
            let accepted = matches!(reply, Reply::Hello { version: v, .. } if v == version);
            if let Reply::Hello {
                version: v,
                suite,
                secure_renegotiation,
                ..
            } = reply
            {
                if v == version {
                    first_suites.push((version, suite));
                }
                if version == TLS12 || facts.secure_renegotiation.is_none() {
                    facts.secure_renegotiation = Some(secure_renegotiation);
                }
            }
            if let Reply::Malformed(why) = &reply {
                facts
                    .malformed_replies
                    .push(format!("{}: {why}", version_name(version)));
            }
            facts.versions.push(TlsVersionFacts {
                version: version_name(version).to_owned(),
                accepted,
                suites: Vec::new(),
                server_preference: None,
            });
        }
        let reply13 = prober.ask(TLS12, true, &TLS13_SUITES, false).await?;
        spoke_tls |= matches!(reply13, Reply::Hello { .. } | Reply::Alert { .. });
        let accepted13 = matches!(reply13, Reply::Hello { version: TLS13, .. });
        if let Reply::Hello {
            version: TLS13,
            suite,
            ..
        } = reply13
        {
            first_suites.push((TLS13, suite));
        }
        if let Reply::Malformed(why) = &reply13 {
            facts.malformed_replies.push(format!("TLSv1.3: {why}"));
        }
        facts.versions.push(TlsVersionFacts {
            version: "TLSv1.3".into(),
            accepted: accepted13,
            suites: Vec::new(),
            server_preference: None,
        });
        if !spoke_tls {
            if self.facts.malformed_replies.is_empty() {
                return Ok(None);
            }
            let message = format!(
                "no valid TLS answer: {}",
                self.facts.malformed_replies.join("; ")
            );
            return Err(self.protocol_error(message));
        }
        Ok(Some(first_suites))
    }

    /// Every suite accepted under each version, and whether the server imposes its order.
    async fn suites(&mut self, first_suites: Vec<(u16, u16)>) -> Result<(), ProbeError> {
        for (version, first) in first_suites {
            let suites = self.prober.enumerate(version, first).await?;
            let preference = self.prober.server_preference(version, &suites).await?;
            if let Some(entry) = self
                .facts
                .versions
                .iter_mut()
                .find(|v| v.version == version_name(version))
            {
                entry.suites = suites.into_iter().map(suite_facts).collect();
                entry.server_preference = preference;
            }
        }
        Ok(())
    }

    /// The best accepted version up to TLS 1.2 (TLS 1.3 has no static DH parameters, no
    /// heartbeat and no compression).
    fn best_legacy(&self) -> Option<TlsVersionFacts> {
        self.facts
            .versions
            .iter()
            .rev()
            .find(|v| v.accepted && v.version != "TLSv1.3")
            .cloned()
    }

    /// After the suites, under the best legacy version: DH group size, Heartbleed, CCS
    /// injection, ROBOT, downgrade protection and compression.
    async fn first_flight(&mut self) -> Result<(), ProbeError> {
        let endpoint = &self.endpoint;
        let legacy = &self.legacy;
        let best_legacy = self.best_legacy();
        if let Some(best) = &best_legacy {
            let version = wire_version(&best.version);
            let suites_of = |kx: &str| -> Vec<u16> {
                best.suites
                    .iter()
                    .filter(|s| s.kx == kx)
                    .filter_map(|s| u16::from_str_radix(s.id.trim_start_matches("0x"), 16).ok())
                    .collect()
            };
            let dhe = suites_of("dhe");
            if !dhe.is_empty() {
                self.facts.dh_bits = flight::probe_dh_bits(endpoint, version, &dhe).await;
            }
            self.facts.heartbleed = flight::probe_heartbleed(endpoint, version, legacy).await;
            self.facts.ccs_injection = flight::probe_ccs_injection(endpoint, version, legacy).await;
            self.prober.handshakes += 2 + usize::from(!dhe.is_empty());
            let rsa = suites_of("rsa");
            if !rsa.is_empty()
                && let Some((verdict, handshakes)) =
                    robot::probe_robot(endpoint, version, &rsa).await
            {
                self.facts.robot = Some(verdict);
                self.prober.handshakes += handshakes;
            }
        }
        // Downgrade protection: only meaningful when the server has a version above the one
        // asked.
        let highest = self
            .facts
            .versions
            .iter()
            .rev()
            .find(|v| v.accepted)
            .map(|v| v.version.clone());
        let lower = match highest.as_deref() {
            Some("TLSv1.3") => Some(TLS12),
            Some("TLSv1.2") => Some(TLS11),
            Some("TLSv1.1") => Some(TLS10),
            _ => None,
        };
        if let Some(lower) = lower {
            self.facts.fallback_scsv = flight::probe_fallback_scsv(endpoint, lower, legacy).await;
            self.prober.handshakes += 1;
        }
        if let Some(best) = &best_legacy {
            let version = wire_version(&best.version);
            if let Reply::Hello { compression, .. } =
                self.prober.ask(version, false, legacy, true).await?
            {
                self.facts.compression = Some(compression != 0);
            }
        }
        Ok(())
    }

    /// The named groups, under TLS 1.3 where offered, else TLS 1.2 ECDHE.
    async fn groups(&mut self) -> Result<(), ProbeError> {
        self.facts.offered = self
            .facts
            .versions
            .iter()
            .filter(|v| v.accepted)
            .map(|v| v.version.clone())
            .collect();
        let tls13 = self.facts.offered.iter().any(|v| v == "TLSv1.3");
        let ecdhe: Vec<u16> = self
            .legacy
            .iter()
            .copied()
            .filter(|&id| suite_facts(id).kx == "ecdhe")
            .collect();
        if tls13 || self.facts.offered.iter().any(|v| v == "TLSv1.2") {
            self.facts.groups = self.prober.groups(tls13, &ecdhe).await?;
        }
        Ok(())
    }

    /// The certificate chain (a rustls handshake, or our own for legacy-only servers), then
    /// HTTPS `GET /` for HSTS.
    async fn certificate(&mut self, extra_roots: &[rustls::pki_types::CertificateDer<'static>]) {
        let flight::Endpoint {
            addr,
            sni,
            timing,
            upgrade,
        } = self.endpoint;
        // rustls speaks TLS 1.2 and 1.3 only.
        let mut rustls_error = None;
        if self
            .facts
            .offered
            .iter()
            .any(|v| v == "TLSv1.2" || v == "TLSv1.3")
        {
            match cert::probe_certificate(addr, sni, timing, extra_roots, upgrade).await {
                Ok(certificate) => self.facts.certificate = Some(certificate),
                Err(err) => rustls_error = Some(err.message),
            }
        }
        // Servers rustls cannot finish a handshake with (TLS ≤ 1.1 only, or only suites rustls
        // lacks) still show their chain in our own handshake.
        if self.facts.certificate.is_none()
            && let Some(best) = self.best_legacy()
            && let Some(chain) = flight::probe_legacy_chain(
                &self.endpoint,
                wire_version(&best.version),
                &self.legacy,
            )
            .await
        {
            self.prober.handshakes += 1;
            let mut certificate = cert::legacy_chain_facts(&chain, addr, sni, extra_roots);
            if let Some(error) = rustls_error.take() {
                certificate.handshake_error = Some(format!(
                    "{}; modern handshake: {error}",
                    certificate.handshake_error.unwrap_or_default()
                ));
            }
            self.facts.certificate = Some(certificate);
        }
        if let Some(error) = rustls_error {
            self.facts
                .malformed_replies
                .push(format!("certificate: {error}"));
        }
        if upgrade.is_none() && self.facts.certificate.is_some() {
            self.facts.https = https::probe_https(addr, sni, timing).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_alerts_are_replies_not_panics() {
        assert_eq!(
            parse_reply(&[21, 3, 3, 0, 2, 2, 40]),
            Reply::Alert { description: 40 }
        );
        assert!(matches!(
            parse_reply(&[22, 3, 3, 0, 4, 2, 0, 0, 9]),
            Reply::Malformed(_)
        ));
        assert!(matches!(
            parse_reply(&[22, 3, 3, 0, 1, 99]),
            Reply::Malformed(_)
        ));
    }

    #[test]
    fn suite_classification() {
        let ecdhe = suite_facts(0xc02f);
        assert!(ecdhe.forward_secrecy && ecdhe.aead);
        assert_eq!(ecdhe.name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        let rsa = suite_facts(0x000a);
        assert!(!rsa.forward_secrecy && !rsa.aead);
        assert_eq!(rsa.enc, "tripledes");
        assert!(suite_facts(0x1301).forward_secrecy);
    }
}
