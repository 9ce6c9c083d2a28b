//! A letter grade per TLS endpoint in the manner of the SSL Labs rating guide (2009r, as
//! testssl.sh implements it), computed locally from the TLS facts.
//!
//! Score = 0.3·protocol + 0.3·key exchange + 0.4·cipher strength, banded A ≥ 80, B ≥ 65,
//! C ≥ 50, D ≥ 35, E ≥ 20, F. Caps lower the band and are listed with their reasons; `T`
//! (not trusted) and `M` (name mismatch) replace the letter as the guide does.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::facts::{Facts, RobotVerdict, TlsFacts};

/// The grade of one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct EndpointGrade {
    /// `address:port`.
    pub endpoint: String,
    /// `A+`, `A`, `A-`, `B` … `F`, `T` (untrusted) or `M` (name mismatch).
    pub grade: String,
    /// The letter before trust was considered.
    pub grade_if_trusted: String,
    /// 0–100.
    pub score: u32,
    /// Protocol, key exchange and cipher strength sub-scores.
    pub protocol_score: u32,
    /// Key exchange sub-score (from the certificate key).
    pub key_exchange_score: u32,
    /// Cipher strength sub-score.
    pub cipher_score: u32,
    /// Why the grade is capped, each as `≤X: reason` (English).
    pub caps: Vec<String>,
    /// The same caps as `≤X:code`, for reports in other languages (`tlscap_<code>` labels).
    pub cap_codes: Vec<String>,
}

fn protocol_points(version: &str) -> u32 {
    match version {
        "SSLv3" => 80,
        "TLSv1.0" => 90,
        "TLSv1.1" => 95,
        "TLSv1.2" | "TLSv1.3" => 100,
        _ => 0,
    }
}

fn key_points(key_type: &str, bits: u32) -> u32 {
    let bits = if key_type == "ec" {
        // EC sizes mapped onto the guide's RSA-equivalent bands.
        match bits {
            b if b < 110 => 256,
            b if b < 123 => 768,
            b if b < 163 => 1536,
            b if b < 225 => 3072,
            _ => 4096,
        }
    } else {
        bits
    };
    match bits {
        b if b < 512 => 20,
        b if b < 1024 => 40,
        b if b < 2048 => 80,
        b if b < 4096 => 90,
        _ => 100,
    }
}

fn cipher_points(bits: u16) -> u32 {
    match bits {
        0 => 0,
        b if b < 128 => 20,
        b if b < 256 => 80,
        _ => 100,
    }
}

const ORDER: [&str; 6] = ["A", "B", "C", "D", "E", "F"];

fn band(score: u32) -> &'static str {
    match score {
        s if s >= 80 => "A",
        s if s >= 65 => "B",
        s if s >= 50 => "C",
        s if s >= 35 => "D",
        s if s >= 20 => "E",
        _ => "F",
    }
}

/// Every cap code, for completeness tests of the report labels.
#[cfg(test)]
pub(crate) const CAP_CODES: [&str; 18] = [
    "sslv3-best",
    "export",
    "insecure-key",
    "md5-certificate",
    "heartbleed",
    "ccs-injection",
    "robot",
    "no-modern-protocol",
    "compression",
    "sslv3-offered",
    "legacy-tls",
    "no-forward-secrecy",
    "no-aead",
    "weak-key",
    "rc4",
    "64bit-block",
    "chain-order",
    "no-tls13",
];

/// The English reason for a cap code.
pub(crate) fn cap_reason(code: &str) -> &'static str {
    match code {
        "sslv3-best" => "SSLv3 is the best protocol",
        "export" => "EXPORT suites offered",
        "insecure-key" => "insecure key (score ≤ 40)",
        "md5-certificate" => "MD5-signed certificate",
        "heartbleed" => "Heartbleed",
        "ccs-injection" => "CCS injection",
        "robot" => "ROBOT (RSA padding oracle)",
        "no-modern-protocol" => "neither TLS 1.2 nor TLS 1.3",
        "compression" => "TLS compression (CRIME)",
        "sslv3-offered" => "SSLv3 offered",
        "legacy-tls" => "TLS 1.0 or 1.1 offered",
        "no-forward-secrecy" => "no forward secrecy",
        "no-aead" => "no AEAD suite",
        "weak-key" => "weak key (score ≤ 80)",
        "rc4" => "RC4 offered",
        "64bit-block" => "64-bit block cipher offered (SWEET32)",
        "chain-order" => "certificate chain out of order",
        "no-tls13" => "TLS 1.3 not offered",
        _ => "other",
    }
}

/// Grades one endpoint; `None` when too little is known (no accepted version).
pub(crate) fn grade_endpoint(endpoint: String, tls: &TlsFacts) -> Option<EndpointGrade> {
    let accepted: Vec<_> = tls.versions.iter().filter(|v| v.accepted).collect();
    let best = accepted.iter().map(|v| protocol_points(&v.version)).max()?;
    let worst = accepted.iter().map(|v| protocol_points(&v.version)).min()?;
    let protocol_score = (best + worst) / 2;
    let leaf = tls.certificate.as_ref().and_then(|c| c.chain.first());
    let key_exchange_score = leaf.map_or(90, |l| key_points(&l.key_type, l.key_bits));
    let suites: Vec<_> = accepted.iter().flat_map(|v| v.suites.iter()).collect();
    let strongest = suites
        .iter()
        .map(|s| cipher_points(s.bits))
        .max()
        .unwrap_or(0);
    let weakest = suites
        .iter()
        .map(|s| cipher_points(s.bits))
        .min()
        .unwrap_or(0);
    let cipher_score = (strongest + weakest) / 2;
    let mut score = (3 * protocol_score + 3 * key_exchange_score + 4 * cipher_score) / 10;
    if protocol_score == 0 || key_exchange_score == 0 || cipher_score == 0 {
        score = 0;
    }

    let offered = |v: &str| tls.offered.iter().any(|o| o == v);
    let mut caps: Vec<(&str, &str)> = Vec::new();
    let mut cap = |max: &'static str, code: &'static str, applies: bool| {
        if applies {
            caps.push((max, code));
        }
    };
    let any_suite = |f: &dyn Fn(&crate::facts::TlsSuiteFacts) -> bool| suites.iter().any(|s| f(s));
    cap("F", "sslv3-best", best <= 80);
    cap("F", "export", any_suite(&|s| s.name.contains("EXPORT")));
    cap("F", "insecure-key", key_exchange_score <= 40);
    cap(
        "F",
        "md5-certificate",
        leaf.is_some_and(|l| l.signature_algorithm.to_ascii_lowercase().contains("md5")),
    );
    cap("F", "heartbleed", tls.heartbleed == Some(true));
    cap("F", "ccs-injection", tls.ccs_injection == Some(true));
    cap(
        "F",
        "robot",
        matches!(
            tls.robot,
            Some(RobotVerdict::WeakOracle | RobotVerdict::StrongOracle)
        ),
    );
    cap(
        "C",
        "no-modern-protocol",
        !offered("TLSv1.2") && !offered("TLSv1.3"),
    );
    cap("C", "compression", tls.compression == Some(true));
    cap("B", "sslv3-offered", offered("SSLv3"));
    cap("B", "legacy-tls", offered("TLSv1.0") || offered("TLSv1.1"));
    cap(
        "B",
        "no-forward-secrecy",
        !any_suite(&|s| s.forward_secrecy),
    );
    cap("B", "no-aead", !any_suite(&|s| s.aead));
    cap("B", "weak-key", key_exchange_score <= 80);
    cap("B", "rc4", any_suite(&|s| s.enc == "rc4"));
    cap(
        "B",
        "64bit-block",
        any_suite(&|s| matches!(s.enc.as_str(), "tripledes" | "des" | "idea" | "rc2")),
    );
    cap(
        "B",
        "chain-order",
        tls.certificate.as_ref().is_some_and(|c| !c.chain_in_order),
    );
    let banded = band(score);
    let capped = caps
        .iter()
        .map(|(max, _)| *max)
        .chain([banded])
        .max_by_key(|g| ORDER.iter().position(|o| o == g))
        .unwrap_or(banded);
    let mut letter = capped.to_owned();
    if letter == "A" {
        let warnings = !offered("TLSv1.3");
        let hsts_ok = tls
            .https
            .as_ref()
            .and_then(|h| h.hsts_max_age)
            .is_some_and(|a| a >= 15_552_000);
        if warnings {
            letter = "A-".into();
            caps.push(("A-", "no-tls13"));
        } else if hsts_ok {
            letter = "A+".into();
        }
    }
    let grade_if_trusted = letter.clone();
    let certificate = tls.certificate.as_ref();
    let grade = match certificate {
        Some(c) if !c.trusted && c.hostname_match => "T".to_owned(),
        Some(c) if !c.hostname_match => "M".to_owned(),
        _ => letter,
    };
    Some(EndpointGrade {
        endpoint,
        grade,
        grade_if_trusted,
        score,
        protocol_score,
        key_exchange_score,
        cipher_score,
        cap_codes: caps
            .iter()
            .map(|(max, code)| format!("≤{max}:{code}"))
            .collect(),
        caps: caps
            .into_iter()
            .map(|(max, code)| format!("≤{max}: {}", cap_reason(code)))
            .collect(),
    })
}

/// Grades every TLS endpoint in the facts.
pub(crate) fn grade_all(facts: &Facts) -> Vec<EndpointGrade> {
    facts
        .hosts
        .iter()
        .filter_map(|host| Some((host, host.address?)))
        .flat_map(|(host, address)| {
            host.ports.iter().filter_map(move |p| {
                let endpoint = std::net::SocketAddr::new(address, p.port).to_string();
                p.tls.as_ref().and_then(|tls| grade_endpoint(endpoint, tls))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> TlsFacts {
        let path = format!("{}/fixtures/facts/tls/{name}", env!("CARGO_MANIFEST_DIR"));
        let facts: Facts = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        facts.hosts[0]
            .ports
            .iter()
            .find_map(|p| p.tls.clone())
            .unwrap()
    }

    #[test]
    fn modern_trusted_endpoint_gets_a_plus_with_hsts() {
        let g = grade_endpoint("x:443".into(), &fixture("hsts-good-redirect.json")).unwrap();
        assert_eq!(g.grade, "A+", "{g:?}");
        assert_eq!(g.protocol_score, 100);
        assert!(g.caps.is_empty());
    }

    #[test]
    fn legacy_endpoint_is_capped_with_reasons() {
        // Best protocol TLS 1.0: no F cap, but C for missing TLS 1.2 and for compression.
        let g = grade_endpoint("x:443".into(), &fixture("legacy.json")).unwrap();
        assert_eq!(g.grade, "C", "{g:?}");
        assert!(g.caps.iter().any(|c| c.contains("neither TLS 1.2")));
        assert!(g.caps.iter().any(|c| c.contains("TLS compression")));
        assert!(g.caps.iter().any(|c| c.contains("RC4")));
    }

    #[test]
    fn untrusted_and_mismatched_certificates_replace_the_letter() {
        assert_eq!(
            grade_endpoint("x:443".into(), &fixture("cert-self-signed.json"))
                .unwrap()
                .grade,
            "T"
        );
        let m = grade_endpoint("x:443".into(), &fixture("cert-wrong-name.json")).unwrap();
        assert_eq!(m.grade, "M");
        assert_eq!(m.grade_if_trusted, "A");
    }

    #[test]
    fn tls12_without_forward_secrecy_is_capped_at_b_and_warns() {
        let g = grade_endpoint("x:443".into(), &fixture("tls12-only-no-fs.json")).unwrap();
        assert_eq!(g.grade, "A-", "{g:?}");
        let g = grade_endpoint("x:443".into(), &fixture("export-anon.json")).unwrap();
        assert_eq!(g.grade, "F");
    }
}
