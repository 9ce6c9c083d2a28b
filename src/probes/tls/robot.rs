//! The ROBOT test (Return Of Bleichenbacher's Oracle Threat, CVE-2017-13099 and relatives) as
//! sslyze runs it: five RSA key exchanges whose PKCS#1 v1.5 padding is right
//! or wrong in different ways. A server that answers them differently is a padding oracle.
//!
//! Each exchange is a fresh handshake offering only RSA key-exchange suites. The premaster
//! secret is random and thrown away; nothing is decrypted, only the kind of answer is compared.

use std::time::Duration;

use num_bigint::BigUint;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::flight::{Endpoint, certificate_chain};
use crate::facts::RobotVerdict;

/// The five ClientKeyExchange plaintexts, named as in sslyze's `RobotPmsPaddingPayloadEnum`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Payload {
    Valid,
    WrongFirstTwoBytes,
    WrongPosition00,
    No00InTheMiddle,
    WrongVersionNumber,
}

const PAYLOADS: [Payload; 5] = [
    Payload::Valid,
    Payload::WrongFirstTwoBytes,
    Payload::WrongPosition00,
    Payload::No00InTheMiddle,
    Payload::WrongVersionNumber,
];

fn fill_random(out: &mut [u8]) {
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    // A failing system RNG leaves zeros; the payloads stay well-formed either way.
    let _ = provider.secure_random.fill(out);
}

/// The padded plaintext of `payload` for a modulus of `k` bytes (k ≥ 64).
fn plaintext(payload: Payload, k: usize, version: u16) -> Vec<u8> {
    let mut padding = vec![0u8; k - 51];
    fill_random(&mut padding);
    for byte in &mut padding {
        if *byte == 0 {
            *byte = 0x42;
        }
    }
    let mut pms = [0u8; 46];
    fill_random(&mut pms);
    // sslyze's templates: "0002{pad}00{version}{pms}" and its four broken variants.
    let [hi, lo] = version.to_be_bytes();
    let start: [u8; 2] = if payload == Payload::WrongFirstTwoBytes {
        [0x41, 0x17]
    } else {
        [0x00, 0x02]
    };
    let (separator, end): (&[u8], &[u8]) = match payload {
        Payload::Valid | Payload::WrongFirstTwoBytes => (&[0x00, hi, lo], &[]),
        Payload::WrongPosition00 => (&[0x11], &[0x00, 0x11]),
        Payload::No00InTheMiddle => (&[0x11, 0x11, 0x11], &[]),
        Payload::WrongVersionNumber => (&[0x00, 0x02, 0x02], &[]),
    };
    [&start[..], &padding, separator, &pms, end].concat()
}

/// The RSA modulus and public exponent of a DER certificate's key, if it is RSA.
fn rsa_key(leaf: &[u8]) -> Option<(BigUint, BigUint)> {
    let (_, cert) = x509_parser::parse_x509_certificate(leaf).ok()?;
    match cert.public_key().parsed().ok()? {
        x509_parser::public_key::PublicKey::RSA(rsa) => Some((
            BigUint::from_bytes_be(rsa.modulus),
            BigUint::from_bytes_be(rsa.exponent),
        )),
        _ => None,
    }
}

/// Raw RSA (m^e mod n), left-padded to the modulus length.
fn encrypt(plain: &[u8], n: &BigUint, e: &BigUint, k: usize) -> Vec<u8> {
    let cipher = BigUint::from_bytes_be(plain).modpow(e, n).to_bytes_be();
    let mut out = vec![0u8; k.saturating_sub(cipher.len())];
    out.extend(cipher);
    out
}

/// What the server did after our key exchange, reduced to something comparable.
async fn answer(stream: &mut TcpStream, wait: Duration) -> String {
    let mut header = [0u8; 7];
    let mut got = 0;
    while got < header.len() {
        match timeout(wait, stream.read(&mut header[got..])).await {
            Err(_) => return format!("timeout after {got} bytes"),
            Ok(Ok(0)) => return format!("closed after {got} bytes"),
            Ok(Ok(n)) => got += n,
            Ok(Err(e)) => return format!("error {:?}", e.kind()),
        }
    }
    match header[0] {
        21 => format!("alert {} {}", header[5], header[6]),
        kind => format!("record {kind}"),
    }
}

/// One handshake up to the key exchange with `payload`, followed by ChangeCipherSpec and a
/// Finished record the server cannot decrypt; returns what the server answered.
async fn exchange(
    endpoint: &Endpoint<'_>,
    version: u16,
    suites: &[u16],
    payload: Payload,
) -> Option<String> {
    let (mut stream, flight) = endpoint.flight(version, suites, 0x0b, false).await?;
    if !flight.complete {
        return None;
    }
    let chain = certificate_chain(flight.message(11)?);
    let (n, e) = rsa_key(chain.first()?)?;
    let k = usize::try_from(n.bits().div_ceil(8)).ok()?;
    if k < 64 {
        return None;
    }
    let cipher = encrypt(&plaintext(payload, k, version), &n, &e, k);
    let [hi, lo] = version.to_be_bytes();
    let body_len = u32::try_from(cipher.len() + 2).ok()?;
    let mut message = vec![16];
    message.extend(&body_len.to_be_bytes()[1..]);
    message.extend(u16::try_from(cipher.len()).ok()?.to_be_bytes());
    message.extend(&cipher);
    let mut records = vec![22, hi, lo];
    records.extend(u16::try_from(message.len()).ok()?.to_be_bytes());
    records.extend(&message);
    records.extend([20, hi, lo, 0x00, 0x01, 0x01]);
    let mut finished = [0u8; 64];
    fill_random(&mut finished);
    records.extend([22, hi, lo, 0x00, 0x40]);
    records.extend(finished);
    stream.write_all(&records).await.ok()?;
    Some(answer(&mut stream, endpoint.timing.answer).await)
}

async fn round(endpoint: &Endpoint<'_>, version: u16, suites: &[u16]) -> Option<Vec<String>> {
    // Side by side first: a server that waits for more after the key exchange then costs one
    // wait, not five. A server that serves one connection at a time starves the others; it is
    // asked again one exchange after the other.
    let ask = |payload| exchange(endpoint, version, suites, payload);
    let (a, b, c, d, e) = tokio::join!(
        ask(PAYLOADS[0]),
        ask(PAYLOADS[1]),
        ask(PAYLOADS[2]),
        ask(PAYLOADS[3]),
        ask(PAYLOADS[4])
    );
    if let (Some(a), Some(b), Some(c), Some(d), Some(e)) = (a, b, c, d, e) {
        return Some(vec![a, b, c, d, e]);
    }
    let mut answers = Vec::with_capacity(PAYLOADS.len());
    for payload in PAYLOADS {
        answers.push(ask(payload).await?);
    }
    Some(answers)
}

/// sslyze's reading of the five answers.
fn verdict(answers: &[String]) -> RobotVerdict {
    if answers.iter().all(|a| *a == answers[0]) {
        return RobotVerdict::NotVulnerable;
    }
    // Only a correctly placed 0x00 is told apart: the oracle is weak.
    if answers[1] == answers[2] && answers[2] == answers[3] {
        RobotVerdict::WeakOracle
    } else {
        RobotVerdict::StrongOracle
    }
}

/// Runs the test with the RSA key-exchange `rsa_suites` under `version`. A difference is
/// confirmed by a second identical round before it counts; `None` when no handshake got as
/// far as the key exchange.
///
/// Like sslyze, only complete exchanges (key exchange, ChangeCipherSpec, Finished) are sent.
/// The original robot-detect script also tries the key exchange alone, but a sound server then
/// waits for the rest, so every exchange would end in a timeout; sslyze dropped that round for
/// the same reason.
pub async fn probe_robot(
    endpoint: &Endpoint<'_>,
    version: u16,
    rsa_suites: &[u16],
) -> Option<(RobotVerdict, usize)> {
    let first = round(endpoint, version, rsa_suites).await?;
    if verdict(&first) == RobotVerdict::NotVulnerable {
        return Some((RobotVerdict::NotVulnerable, PAYLOADS.len()));
    }
    let second = round(endpoint, version, rsa_suites).await?;
    let handshakes = 2 * PAYLOADS.len();
    if second != first {
        return Some((RobotVerdict::Inconsistent, handshakes));
    }
    Some((verdict(&first), handshakes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_have_the_modulus_length_and_their_defect() {
        for payload in PAYLOADS {
            let plain = plaintext(payload, 256, 0x0303);
            assert_eq!(plain.len(), 256, "{payload:?}");
            let separator = plain[2..].iter().position(|&b| b == 0).map(|p| p + 2);
            match payload {
                Payload::Valid => {
                    assert_eq!(&plain[..2], &[0, 2]);
                    assert_eq!(separator, Some(256 - 49));
                    assert_eq!(&plain[256 - 48..256 - 46], &[3, 3]);
                }
                Payload::WrongFirstTwoBytes => assert_eq!(&plain[..2], &[0x41, 0x17]),
                Payload::WrongVersionNumber => assert_eq!(&plain[256 - 48..256 - 46], &[2, 2]),
                Payload::WrongPosition00 | Payload::No00InTheMiddle => {
                    assert_ne!(separator, Some(256 - 49));
                }
            }
        }
    }

    #[test]
    fn textbook_rsa_round_trip() {
        // n = 61 · 53, e = 17, d = 2753.
        let (n, e, d) = (
            BigUint::from(3233u32),
            BigUint::from(17u32),
            BigUint::from(2753u32),
        );
        let cipher = encrypt(&[0x41], &n, &e, 2);
        assert_eq!(cipher.len(), 2);
        assert_eq!(
            BigUint::from_bytes_be(&cipher).modpow(&d, &n),
            BigUint::from(0x41u32)
        );
    }

    #[test]
    fn verdicts_follow_sslyze() {
        let same = vec!["alert 2 20".to_owned(); 5];
        assert_eq!(verdict(&same), RobotVerdict::NotVulnerable);
        let mut weak = same.clone();
        weak[0] = "alert 2 51".into();
        assert_eq!(verdict(&weak), RobotVerdict::WeakOracle);
        let mut strong = same;
        strong[1] = "alert 2 40".into();
        assert_eq!(verdict(&strong), RobotVerdict::StrongOracle);
    }
}
