//! A hand-built ClientHello. rustls (deliberately) cannot offer SSLv3, TLS 1.0 or 1.1, nor
//! weak suites, so the protocol and cipher enumeration writes its own hello bytes and only
//! reads the server's first flight; no key exchange is ever completed, so no legacy
//! cryptography is linked.

/// Protocol versions on the wire.
pub const SSL3: u16 = 0x0300;
/// TLS 1.0.
pub const TLS10: u16 = 0x0301;
/// TLS 1.1.
pub const TLS11: u16 = 0x0302;
/// TLS 1.2.
pub const TLS12: u16 = 0x0303;
/// TLS 1.3.
pub const TLS13: u16 = 0x0304;

/// TLS 1.3 cipher suites (RFC 8446 §B.4).
pub const TLS13_SUITES: [u16; 5] = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305];

/// Signaling suite for secure renegotiation (RFC 5746).
pub const EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00ff;

/// The x25519 group id.
pub const X25519: u16 = 0x001d;

/// Every named group asked about one by one, with its IANA name.
pub const NAMED_GROUPS: [(u16, &str); 17] = [
    (0x001d, "x25519"),
    (0x001e, "x448"),
    (0x0017, "secp256r1"),
    (0x0018, "secp384r1"),
    (0x0019, "secp521r1"),
    (0x001a, "brainpoolP256r1"),
    (0x001b, "brainpoolP384r1"),
    (0x001c, "brainpoolP512r1"),
    (0x001f, "brainpoolP256r1tls13"),
    (0x0020, "brainpoolP384r1tls13"),
    (0x0021, "brainpoolP512r1tls13"),
    (0x0100, "ffdhe2048"),
    (0x0101, "ffdhe3072"),
    (0x0102, "ffdhe4096"),
    (0x0103, "ffdhe6144"),
    (0x0104, "ffdhe8192"),
    (0x11ec, "X25519MLKEM768"),
];

/// Named groups offered in `supported_groups` (x25519 first: its key share is any 32 bytes).
pub const GROUPS: [u16; 10] = [
    0x001d, // x25519
    0x0017, // secp256r1
    0x0018, // secp384r1
    0x0019, // secp521r1
    0x001e, // x448
    0x001a, // brainpoolP256r1
    0x001b, // brainpoolP384r1
    0x001c, // brainpoolP512r1
    0x0100, // ffdhe2048
    0x0101, // ffdhe3072
];

const SIGNATURE_ALGORITHMS: [u16; 16] = [
    0x0403, 0x0503, 0x0603, // ecdsa_secp256r1/384r1/521r1 with SHA-2
    0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256/384/512
    0x0807, 0x0808, // ed25519, ed448
    0x0809, 0x080a, 0x080b, // rsa_pss_pss_sha256/384/512
    0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256/384/512
    0x0201, 0x0203, // rsa_pkcs1_sha1, ecdsa_sha1 (to see servers that only have SHA-1)
];

/// What to put into one ClientHello.
#[derive(Debug, Clone)]
pub struct HelloSpec<'a> {
    /// `legacy_version` of the hello (and the highest version for ≤ TLS 1.2).
    pub version: u16,
    /// Offer TLS 1.3 through `supported_versions` and a key share.
    pub tls13: bool,
    /// Cipher suites, in preference order.
    pub suites: &'a [u16],
    /// Server name for SNI, if the target has one (never an IP literal, per RFC 6066).
    pub server_name: Option<&'a str>,
    /// Offer DEFLATE compression as well as null (to detect CRIME-prone servers).
    pub offer_compression: bool,
    /// 32 bytes of client random (any value; nothing is derived from it).
    pub random: [u8; 32],
    /// Offer the heartbeat extension (RFC 6520), for the Heartbleed test.
    pub heartbeat: bool,
    /// Named groups to offer; [`GROUPS`] when `None`. An x25519 key share is sent only when
    /// x25519 is among them, otherwise the key share list is empty (the server must answer
    /// with a HelloRetryRequest naming the group it wants).
    pub groups: Option<&'a [u16]>,
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_be_bytes());
}

fn put_u24(out: &mut Vec<u8>, value: usize) {
    let bytes = u32::try_from(value).unwrap_or(u32::MAX).to_be_bytes();
    out.extend_from_slice(&bytes[1..]);
}

fn len16(value: usize) -> u16 {
    u16::try_from(value).unwrap_or(u16::MAX)
}

fn extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    put_u16(out, kind);
    put_u16(out, len16(body.len()));
    out.extend_from_slice(body);
}

fn u16_list(items: &[u16], length_bytes: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(items.len() * 2 + 2);
    let len = items.len() * 2;
    if length_bytes == 1 {
        body.push(u8::try_from(len).unwrap_or(u8::MAX));
    } else {
        put_u16(&mut body, len16(len));
    }
    for &item in items {
        put_u16(&mut body, item);
    }
    body
}

/// Builds a complete record (header + handshake) carrying a ClientHello.
pub fn client_hello(spec: &HelloSpec<'_>) -> Vec<u8> {
    let mut body = Vec::with_capacity(1024);
    put_u16(&mut body, spec.version.min(TLS12));
    body.extend_from_slice(&spec.random);
    // A 32-byte session id makes TLS 1.3 middlebox-compatibility servers behave as usual.
    body.push(32);
    body.extend_from_slice(&spec.random);
    put_u16(&mut body, len16(spec.suites.len() * 2));
    for &suite in spec.suites {
        put_u16(&mut body, suite);
    }
    if spec.offer_compression {
        body.extend_from_slice(&[2, 1, 0]);
    } else {
        body.extend_from_slice(&[1, 0]);
    }

    let mut ext = Vec::with_capacity(512);
    if let Some(name) = spec.server_name {
        let name = name.as_bytes();
        let mut sni = Vec::with_capacity(name.len() + 5);
        put_u16(&mut sni, len16(name.len() + 3));
        sni.push(0); // host_name
        put_u16(&mut sni, len16(name.len()));
        sni.extend_from_slice(name);
        extension(&mut ext, 0x0000, &sni);
    }
    // SSLv3 predates extensions; some SSLv3-only stacks reject a hello that has them.
    if spec.version > SSL3 || spec.tls13 {
        let groups = spec.groups.unwrap_or(&GROUPS);
        extension(&mut ext, 0x000a, &u16_list(groups, 2)); // supported_groups
        extension(&mut ext, 0x000b, &[1, 0]); // ec_point_formats: uncompressed
        extension(&mut ext, 0x000d, &u16_list(&SIGNATURE_ALGORITHMS, 2));
        extension(&mut ext, 0x0017, &[]); // extended_master_secret
        if spec.heartbeat {
            extension(&mut ext, 0x000f, &[1]); // heartbeat: peer_allowed_to_send
        }
        extension(&mut ext, 0xff01, &[0]); // renegotiation_info (initial handshake)
        if spec.tls13 {
            extension(&mut ext, 0x002b, &u16_list(&[TLS13], 1)); // supported_versions
            let mut share = Vec::with_capacity(40);
            if groups.contains(&X25519) {
                put_u16(&mut share, 36);
                put_u16(&mut share, X25519);
                put_u16(&mut share, 32);
                share.extend_from_slice(&x25519_public(&spec.random));
            } else {
                put_u16(&mut share, 0);
            }
            extension(&mut ext, 0x0033, &share); // key_share
            extension(&mut ext, 0x002d, &[1, 1]); // psk_key_exchange_modes: psk_dhe_ke
        }
    }
    if !ext.is_empty() {
        put_u16(&mut body, len16(ext.len()));
        body.extend_from_slice(&ext);
    }

    let mut handshake = Vec::with_capacity(body.len() + 4);
    handshake.push(1); // client_hello
    put_u24(&mut handshake, body.len());
    handshake.extend_from_slice(&body);

    let mut record = Vec::with_capacity(handshake.len() + 5);
    record.push(22); // handshake
    // Record version: TLS 1.0 for everything newer, as browsers do; SSLv3 for SSLv3.
    put_u16(&mut record, if spec.version == SSL3 { SSL3 } else { TLS10 });
    put_u16(&mut record, len16(handshake.len()));
    record.extend_from_slice(&handshake);
    record
}

/// A syntactically valid x25519 public key. Any 32 bytes are one; the handshake is never
/// completed, so no private key is needed.
fn x25519_public(seed: &[u8; 32]) -> [u8; 32] {
    let mut key = *seed;
    key.reverse();
    key
}

/// Every cipher suite id tls-parser knows for ≤ TLS 1.2 (excluding TLS 1.3 suites and
/// signaling values), sorted.
pub fn legacy_suites() -> Vec<u16> {
    let mut ids: Vec<u16> = tls_parser::CIPHERS
        .keys()
        .copied()
        .filter(|id| {
            !TLS13_SUITES.contains(id) && *id != EMPTY_RENEGOTIATION_INFO_SCSV && *id != 0x5600
        })
        .collect();
    ids.sort_unstable();
    ids
}

/// Pseudo-random bytes for the client random. Not secret and not security-relevant.
pub fn random_bytes(seed: u64) -> [u8; 32] {
    let mut state = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parser_reads_back_our_hello() {
        let suites = [0xc02f, 0x009c, 0x1301];
        let spec = HelloSpec {
            version: TLS12,
            tls13: true,
            suites: &suites,
            server_name: Some("example.org"),
            offer_compression: true,
            random: random_bytes(7),
            groups: None,
            heartbeat: false,
        };
        let bytes = client_hello(&spec);
        let (rest, record) = tls_parser::parse_tls_plaintext(&bytes).expect("parses");
        assert!(rest.is_empty());
        let tls_parser::TlsMessage::Handshake(tls_parser::TlsMessageHandshake::ClientHello(hello)) =
            &record.msg[0]
        else {
            panic!("not a ClientHello: {:?}", record.msg);
        };
        assert_eq!(hello.version.0, TLS12);
        assert_eq!(
            hello.ciphers.iter().map(|c| c.0).collect::<Vec<_>>(),
            suites
        );
        assert_eq!(hello.comp.len(), 2);
        let (_, exts) = tls_parser::parse_tls_client_hello_extensions(hello.ext.unwrap()).unwrap();
        assert!(
            exts.iter()
                .any(|e| matches!(e, tls_parser::TlsExtension::SNI(_)))
        );
        assert!(exts.iter().any(|e| matches!(e, tls_parser::TlsExtension::SupportedVersions(v) if v.iter().any(|v| v.0 == TLS13))));
    }

    #[test]
    fn sslv3_hello_has_no_extensions() {
        let suites = [0x000a];
        let spec = HelloSpec {
            version: SSL3,
            tls13: false,
            suites: &suites,
            server_name: None,
            offer_compression: false,
            random: random_bytes(1),
            groups: None,
            heartbeat: false,
        };
        let bytes = client_hello(&spec);
        assert_eq!(&bytes[1..3], &[3, 0]);
        let (_, record) = tls_parser::parse_tls_plaintext(&bytes).unwrap();
        let tls_parser::TlsMessage::Handshake(tls_parser::TlsMessageHandshake::ClientHello(hello)) =
            &record.msg[0]
        else {
            panic!("not a ClientHello");
        };
        assert!(hello.ext.is_none());
    }

    #[test]
    fn legacy_suite_table_is_large() {
        let suites = legacy_suites();
        assert!(suites.len() > 300, "{}", suites.len());
        assert!(suites.contains(&0x0004)); // RSA_WITH_RC4_128_MD5
        assert!(!suites.contains(&0x1301));
    }
}
