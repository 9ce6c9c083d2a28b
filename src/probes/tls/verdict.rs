//! WebPKI's verdict on a chain in words a report can show: no Rust debug output, no OID byte
//! lists, no UNIX seconds. rustls's own `Display` writes `UnsupportedSignatureAlgorithmContext {
//! signature_algorithm_id: [6, 9, 42, …] }` and `verification time 1796130431 (UNIX)`.

use rustls::CertificateError;
use rustls::pki_types::UnixTime;

/// Why WebPKI rejected a chain, for the facts and the reports.
pub(crate) fn describe(err: &rustls::Error) -> String {
    match err {
        rustls::Error::InvalidCertificate(e) => describe_certificate(e),
        other => other.to_string(),
    }
}

fn describe_certificate(e: &CertificateError) -> String {
    use CertificateError as E;
    match e {
        E::BadEncoding => "the certificate is not valid DER".into(),
        E::Expired => "expired".into(),
        E::ExpiredContext { time, not_after } => {
            format!(
                "expired: valid until {}, checked at {}",
                rfc3339(*not_after),
                rfc3339(*time)
            )
        }
        E::NotValidYet => "not valid yet".into(),
        E::NotValidYetContext { time, not_before } => format!(
            "not valid yet: valid from {}, checked at {}",
            rfc3339(*not_before),
            rfc3339(*time)
        ),
        E::Revoked => "revoked".into(),
        E::UnhandledCriticalExtension => "carries a critical extension WebPKI does not know".into(),
        E::UnknownIssuer => "issued by an unknown CA: no chain to a trusted root".into(),
        E::UnknownRevocationStatus => "revocation status unknown".into(),
        E::ExpiredRevocationList => "the revocation list has expired".into(),
        E::ExpiredRevocationListContext { time, next_update } => format!(
            "the revocation list expired at {}, checked at {}",
            rfc3339(*next_update),
            rfc3339(*time)
        ),
        E::BadSignature => "a signature in the chain does not verify".into(),
        E::UnsupportedSignatureAlgorithmContext {
            signature_algorithm_id,
            ..
        } => format!(
            "signature {} not accepted",
            algorithm_name(signature_algorithm_id)
        ),
        E::UnsupportedSignatureAlgorithmForPublicKeyContext {
            signature_algorithm_id,
            public_key_algorithm_id,
        } => format!(
            "signature {} not accepted for a {} key",
            algorithm_name(signature_algorithm_id),
            algorithm_name(public_key_algorithm_id)
        ),
        E::NotValidForName => "not valid for the name checked".into(),
        E::NotValidForNameContext {
            expected,
            presented,
        } => format!(
            "not valid for {} (the certificate names {})",
            expected.to_str(),
            if presented.is_empty() {
                "nothing".to_owned()
            } else {
                presented.join(", ")
            }
        ),
        E::InvalidPurpose | E::InvalidPurposeContext { .. } => {
            "not valid for server authentication (extended key usage)".into()
        }
        E::InvalidOcspResponse => "the stapled OCSP response is invalid".into(),
        E::ApplicationVerificationFailure => "rejected".into(),
        E::Other(other) => webpki_words(&other.to_string()),
        // Variants rustls may add, and the deprecated context-free signature variant.
        _ => "not accepted by WebPKI".into(),
    }
}

/// A UNIX time as RFC 3339 (UTC); reports format it per language.
fn rfc3339(time: UnixTime) -> String {
    i64::try_from(time.as_secs())
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or_else(|| "an unknown time".to_owned(), |t| t.to_string())
}

/// webpki's error names (`CaUsedAsEndEntity`) as a sentence.
fn webpki_words(name: &str) -> String {
    match name {
        "CaUsedAsEndEntity" => "a CA certificate is used as the server's certificate".into(),
        "EndEntityUsedAsCa" => "a server certificate is used as a CA".into(),
        "PathLenConstraintViolated" => "the chain is longer than a CA allows".into(),
        "NameConstraintViolation" => "a name violates a CA's name constraints".into(),
        other => {
            // CamelCase to words, anything else as it is.
            let mut words = String::new();
            for (i, c) in other.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    words.push(' ');
                }
                words.push(c.to_ascii_lowercase());
            }
            words
        }
    }
}

/// The name of a signature or key algorithm from its DER object identifier (the first TLV of
/// rustls's algorithm id), else the dotted OID.
fn algorithm_name(der: &[u8]) -> String {
    let Some(oid) = decode_oid(der) else {
        return "of an unknown algorithm".into();
    };
    let name = match oid.as_str() {
        "1.2.840.113549.1.1.1" => "rsaEncryption",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.10045.2.1" => "id-ecPublicKey",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10040.4.1" => "dsa",
        "1.2.840.10040.4.3" => "dsa-with-sha1",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        _ => return format!("OID {oid}"),
    };
    name.to_owned()
}

/// The dotted form of a DER object identifier (`06 LEN ARCS…`), `None` if it is not one.
fn decode_oid(der: &[u8]) -> Option<String> {
    let (&tag, rest) = der.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let body = rest.get(..usize::from(len))?;
    if tag != 0x06 || len >= 0x80 || body.is_empty() {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for &byte in body {
        value = value.checked_mul(128)? | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_read_as_words_and_dates() {
        let sha1 = vec![6, 9, 42, 134, 72, 134, 247, 13, 1, 1, 5, 5, 0];
        let text = describe(&rustls::Error::InvalidCertificate(
            CertificateError::UnsupportedSignatureAlgorithmContext {
                signature_algorithm_id: sha1,
                supported_algorithms: Vec::new(),
            },
        ));
        assert_eq!(text, "signature sha1WithRSAEncryption not accepted");
        let text = describe(&rustls::Error::InvalidCertificate(
            CertificateError::ExpiredContext {
                time: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_796_130_431)),
                not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                    1_790_000_000,
                )),
            },
        ));
        assert_eq!(
            text,
            "expired: valid until 2026-09-21T14:13:20Z, checked at 2026-12-01T13:07:11Z"
        );
        assert_eq!(
            decode_oid(&[6, 3, 43, 101, 112]).as_deref(),
            Some("1.3.101.112")
        );
        assert_eq!(
            webpki_words("CaUsedAsEndEntity"),
            "a CA certificate is used as the server's certificate"
        );
        assert_eq!(
            webpki_words("RequiredEkuNotFound"),
            "required eku not found"
        );
    }
}
