//! Certificate facts from a real TLS 1.2/1.3 handshake (rustls).
//!
//! The verifier records instead of rejecting: it keeps the chain exactly as the server sent
//! it and the stapled OCSP response, asks rustls' WebPKI verifier (Mozilla roots from
//! webpki-roots) for its verdict, writes that verdict down as a fact, and lets the handshake
//! go on. Each certificate is then parsed with x509-parser.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::time::timeout;

use super::super::banner::{BannerTiming, connect};
use crate::facts::ProbeKind;
use crate::facts::{CertificateFacts, ChainCertFacts, ProbeError};

#[derive(Debug, Default)]
struct Recorded {
    chain: Vec<Vec<u8>>,
    ocsp: Vec<u8>,
    verdict: Option<Result<(), String>>,
}

#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    schemes: Vec<SignatureScheme>,
    recorded: Mutex<Recorded>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // Trust is judged for a name the certificate itself carries, so the verdict speaks of
        // the chain alone; whether it fits the name scanned is `hostname_match`.
        let trust_name = own_name(end_entity.as_ref()).unwrap_or_else(|| server_name.to_owned());
        let verdict = self
            .inner
            .verify_server_cert(end_entity, intermediates, &trust_name, ocsp_response, now)
            .map(|_| ())
            .map_err(|e| super::verdict::describe(&e));
        if let Ok(mut recorded) = self.recorded.lock() {
            recorded.chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.as_ref().to_vec())
                .collect();
            recorded.ocsp = ocsp_response.to_vec();
            recorded.verdict = Some(verdict);
        }
        // We audit, we do not trust: carry on whatever the verdict.
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// Reads the PEM certificates of a `--ca-file` bundle.
pub fn read_ca_file(
    path: &std::path::Path,
) -> Result<Vec<CertificateDer<'static>>, crate::InputError> {
    use rustls::pki_types::pem::PemObject;
    let bad = |message: String| crate::InputError::Option {
        option: "--ca-file".into(),
        message: format!("{}: {message}", path.display()),
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("expected PEM certificates: {e}")))?;
    if certs.is_empty() {
        return Err(bad(
            "expected at least one PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    Ok(certs)
}

/// A client configuration that completes any handshake, and its verifier, which records the
/// chain and the WebPKI verdict (Mozilla's roots plus `extra_roots`) without enforcing it.
fn recording_config(
    extra_roots: &[CertificateDer<'static>],
) -> Result<(rustls::ClientConfig, Arc<RecordingVerifier>), String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(RecordingVerifier {
        inner: webpki_verifier(&provider, extra_roots)?,
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
        recorded: Mutex::new(Recorded::default()),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::clone(&verifier) as Arc<dyn ServerCertVerifier>)
        .with_no_client_auth();
    Ok((config, verifier))
}

/// A client configuration for TLS that only carries another protocol (RDP's CredSSP): any
/// certificate is accepted, and none is judged.
pub(crate) fn carrier_config() -> Result<rustls::ClientConfig, String> {
    recording_config(&[]).map(|(config, _)| config)
}

/// The WebPKI verifier for Mozilla's roots plus the `--ca-file` roots.
fn webpki_verifier(
    provider: &Arc<rustls::crypto::CryptoProvider>,
    extra_roots: &[CertificateDer<'static>],
) -> Result<Arc<rustls::client::WebPkiServerVerifier>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    // `--ca-file`: an internal PKI's roots count as trusted too.
    roots.add_parsable_certificates(extra_roots.iter().cloned());
    rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::clone(provider),
    )
    .build()
    .map_err(|e| e.to_string())
}

fn server_name_for(addr: SocketAddr, name: Option<&str>) -> Result<ServerName<'static>, String> {
    match name {
        Some(n) => ServerName::try_from(n.to_owned()).map_err(|e| e.to_string()),
        None => Ok(ServerName::IpAddress(addr.ip().into())),
    }
}

/// A name the leaf certificate covers (its first DNS or IP subjectAltName; a wildcard stands
/// for one label), to ask WebPKI about the chain without asking about the name.
fn own_name(leaf_der: &[u8]) -> Option<ServerName<'static>> {
    let leaf = parse_certificate(leaf_der);
    leaf.sans.iter().find_map(|san| {
        if let Ok(ip) = san.parse::<IpAddr>() {
            return Some(ServerName::IpAddress(ip.into()));
        }
        let concrete = match san.strip_prefix("*.") {
            Some(rest) => format!("postura-check.{rest}"),
            None => san.clone(),
        };
        ServerName::try_from(concrete).ok()
    })
}

/// Facts about a chain as the server sent it (leaf first), with WebPKI's verdict.
fn chain_facts(
    ders: &[Vec<u8>],
    ocsp: &[u8],
    verdict: Option<Result<(), String>>,
    addr: SocketAddr,
    name: Option<&str>,
    handshake_error: Option<String>,
) -> CertificateFacts {
    let chain: Vec<ChainCertFacts> = ders.iter().map(|der| parse_certificate(der)).collect();
    let chain_in_order = chain.windows(2).all(|w| w[0].issuer == w[1].subject);
    let hostname = name
        .map(str::to_owned)
        .unwrap_or_else(|| addr.ip().to_string());
    let hostname_match = chain
        .first()
        .is_some_and(|leaf| matches_name(leaf, &hostname, addr.ip(), name.is_none()));
    let (trusted, trust_error) = match verdict {
        Some(Ok(())) => (true, None),
        Some(Err(e)) => (false, Some(e)),
        None => (false, Some("not verified".into())),
    };
    CertificateFacts {
        chain,
        chain_in_order,
        trusted,
        trust_error,
        name_checked: hostname,
        name_given: name.is_some(),
        hostname_match,
        ocsp_stapled: !ocsp.is_empty(),
        handshake_error,
    }
}

/// Facts for a chain read from our own legacy handshake (servers that rustls cannot talk to:
/// SSLv3 to TLS 1.1 only). The chain is verified the same way, outside a handshake.
pub fn legacy_chain_facts(
    ders: &[Vec<u8>],
    addr: SocketAddr,
    name: Option<&str>,
    extra_roots: &[CertificateDer<'static>],
) -> CertificateFacts {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verdict = (|| {
        let verifier = webpki_verifier(&provider, extra_roots)?;
        let (leaf, intermediates) = ders.split_first().ok_or("no certificate")?;
        let server_name = match own_name(leaf) {
            Some(own) => own,
            None => server_name_for(addr, name)?,
        };
        let intermediates: Vec<CertificateDer<'_>> = intermediates
            .iter()
            .map(|d| CertificateDer::from(d.as_slice()))
            .collect();
        verifier
            .verify_server_cert(
                &CertificateDer::from(leaf.as_slice()),
                &intermediates,
                &server_name,
                &[],
                UnixTime::now(),
            )
            .map(|_| ())
            .map_err(|e| super::verdict::describe(&e))
    })();
    chain_facts(
        ders,
        &[],
        Some(verdict),
        addr,
        name,
        Some("certificate read from a legacy (pre-TLS 1.2) handshake".into()),
    )
}

/// Completes a handshake and returns the certificate facts. `name` is what the user scanned
/// (SNI and the name the certificate must match); without one the address is checked.
pub async fn probe_certificate(
    addr: SocketAddr,
    name: Option<&str>,
    timing: BannerTiming,
    extra_roots: &[CertificateDer<'static>],
    upgrade: Option<super::starttls::StartTls>,
) -> Result<CertificateFacts, ProbeError> {
    let error = |kind: &str, message: String| ProbeError {
        probe: ProbeKind::TlsCertificate,
        port: Some(addr.port()),
        kind: kind.into(),
        message,
    };
    let (config, verifier) = recording_config(extra_roots).map_err(|e| error("setup", e))?;
    let server_name = server_name_for(addr, name).map_err(|e| error("setup", e))?;
    let mut stream = connect(addr, timing.connect, ProbeKind::TlsCertificate).await?;
    if let Some(protocol) = upgrade {
        super::starttls::upgrade(&mut stream, protocol, timing.answer)
            .await
            .map_err(|message| error("starttls", format!("{}: {message}", protocol.name())))?;
    }
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let handshake = timeout(timing.answer * 2, connector.connect(server_name, stream)).await;
    let handshake_error = match handshake {
        Ok(Ok(_)) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some("handshake timed out".to_owned()),
    };
    let recorded = std::mem::take(
        &mut *verifier
            .recorded
            .lock()
            .map_err(|_| error("internal", "poisoned".into()))?,
    );
    if recorded.chain.is_empty() {
        return Err(error(
            "handshake",
            handshake_error.unwrap_or_else(|| "no certificate received".into()),
        ));
    }
    Ok(chain_facts(
        &recorded.chain,
        &recorded.ocsp,
        recorded.verdict,
        addr,
        name,
        handshake_error,
    ))
}

fn matches_name(leaf: &ChainCertFacts, name: &str, ip: IpAddr, by_address: bool) -> bool {
    if by_address {
        return leaf
            .sans
            .iter()
            .any(|s| s.parse::<IpAddr>().ok() == Some(ip));
    }
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    leaf.sans.iter().any(|san| {
        let san = san.to_ascii_lowercase();
        match san.strip_prefix("*.") {
            // A wildcard covers exactly one left-most label (RFC 6125 §6.4.3).
            Some(suffix) => name
                .split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
            None => san == name,
        }
    })
}

fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassa-pss",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ed25519",
        "1.3.101.113" => "ed448",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// Parses one DER certificate into facts; a certificate that does not parse says so.
pub fn parse_certificate(der: &[u8]) -> ChainCertFacts {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return ChainCertFacts {
            parse_error: Some("not a valid X.509 certificate".into()),
            ..ChainCertFacts::default()
        };
    };
    let sans = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|ext| {
            ext.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    x509_parser::extensions::GeneralName::DNSName(d) => {
                        Some(crate::facts::escape_controls(d))
                    }
                    x509_parser::extensions::GeneralName::IPAddress(bytes) => match bytes.len() {
                        4 => <[u8; 4]>::try_from(*bytes)
                            .ok()
                            .map(|b| IpAddr::from(b).to_string()),
                        16 => <[u8; 16]>::try_from(*bytes)
                            .ok()
                            .map(|b| IpAddr::from(b).to_string()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let (key_type, key_bits) = match cert.public_key().parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => ("rsa", rsa.key_size()),
        Ok(x509_parser::public_key::PublicKey::EC(ec)) => ("ec", ec.key_size()),
        Ok(x509_parser::public_key::PublicKey::DSA(_)) => ("dsa", 0),
        Ok(_) => ("other", 0),
        Err(_) => ("unknown", 0),
    };
    let ts = |t: i64| {
        jiff::Timestamp::from_second(t)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    // Names come from whoever made the certificate: kept inert for reports and terminals.
    let subject = crate::facts::escape_controls(&cert.subject().to_string());
    let issuer = crate::facts::escape_controls(&cert.issuer().to_string());
    ChainCertFacts {
        self_signed: subject == issuer,
        subject,
        issuer,
        sans,
        not_before: ts(cert.validity().not_before.timestamp()),
        not_after: ts(cert.validity().not_after.timestamp()),
        lifetime_days: (cert.validity().not_after.timestamp()
            - cert.validity().not_before.timestamp())
            / 86_400,
        key_type: key_type.to_owned(),
        key_bits: u32::try_from(key_bits).unwrap_or(0),
        signature_algorithm: signature_name(&cert.signature_algorithm.algorithm.to_id_string()),
        serial: cert.raw_serial_as_string(),
        parse_error: None,
    }
}
