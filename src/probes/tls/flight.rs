//! The server's whole first flight under TLS ≤ 1.2 (ServerHello … ServerHelloDone), for the
//! facts that sit after the ServerHello: the DH group size in ServerKeyExchange, and the
//! Heartbleed test, which is sent once the flight is complete.
//!
//! Handshake messages may span records; the reader joins record payloads and cuts messages by
//! their own length fields. Everything is bounded: 128 KiB per flight, the profile's wait per
//! record.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::super::banner::{BannerTiming, connect};
use super::hello::{HelloSpec, client_hello, random_bytes};
use super::starttls::{self, StartTls};
use crate::facts::ProbeKind;

const FLIGHT_LIMIT: usize = 128 * 1024;

/// The handshake messages of a flight.
#[derive(Debug, Default)]
pub struct Flight {
    /// `(type, body)` per handshake message, in order.
    pub messages: Vec<(u8, Vec<u8>)>,
    /// An alert ended the flight.
    pub alert: Option<u8>,
    /// ServerHelloDone arrived.
    pub complete: bool,
}

impl Flight {
    /// The body of the first message of `kind`.
    pub fn message(&self, kind: u8) -> Option<&[u8]> {
        self.messages
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, b)| b.as_slice())
    }
}

pub(super) async fn read_record(stream: &mut TcpStream, wait: Duration) -> Option<(u8, Vec<u8>)> {
    let mut header = [0u8; 5];
    timeout(wait, stream.read_exact(&mut header))
        .await
        .ok()?
        .ok()?;
    let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
    if header[1] != 3 || len > 18_432 {
        return None;
    }
    let mut body = vec![0u8; len];
    timeout(wait, stream.read_exact(&mut body))
        .await
        .ok()?
        .ok()?;
    Some((header[0], body))
}

/// Sends `hello` and reads the flight up to ServerHelloDone; returns the open stream too.
async fn exchange_flight(
    addr: SocketAddr,
    hello: &[u8],
    timing: BannerTiming,
    upgrade: Option<StartTls>,
) -> Option<(TcpStream, Flight)> {
    let mut stream = connect(addr, timing.connect, ProbeKind::Tls).await.ok()?;
    if let Some(protocol) = upgrade {
        starttls::upgrade(&mut stream, protocol, timing.answer)
            .await
            .ok()?;
    }
    stream.write_all(hello).await.ok()?;
    let mut flight = Flight::default();
    let mut buffer: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while !flight.complete && flight.alert.is_none() && total < FLIGHT_LIMIT {
        let Some((kind, body)) = read_record(&mut stream, timing.answer).await else {
            break;
        };
        total += body.len();
        match kind {
            21 => flight.alert = body.get(1).copied(),
            22 => {
                buffer.extend_from_slice(&body);
                while buffer.len() >= 4 {
                    let len = usize::from(buffer[1]) << 16
                        | usize::from(buffer[2]) << 8
                        | usize::from(buffer[3]);
                    if buffer.len() < 4 + len {
                        break;
                    }
                    let message: Vec<u8> = buffer.drain(..4 + len).collect();
                    if message[0] == 14 {
                        flight.complete = true;
                    }
                    flight.messages.push((message[0], message[4..].to_vec()));
                }
            }
            _ => break,
        }
    }
    Some((stream, flight))
}

/// The endpoint the flight probes talk to.
pub struct Endpoint<'a> {
    /// Address and port.
    pub addr: SocketAddr,
    /// Server name for SNI.
    pub sni: Option<&'a str>,
    /// Waits.
    pub timing: BannerTiming,
    /// Plaintext upgrade before TLS, if any.
    pub upgrade: Option<StartTls>,
}

impl Endpoint<'_> {
    /// Sends a ≤ TLS 1.2 hello and reads the flight; `seed` keeps the probes' randoms apart.
    pub(super) async fn flight(
        &self,
        version: u16,
        suites: &[u16],
        seed: u64,
        heartbeat: bool,
    ) -> Option<(TcpStream, Flight)> {
        let hello = client_hello(&HelloSpec {
            version,
            tls13: false,
            suites,
            server_name: self.sni,
            offer_compression: false,
            random: random_bytes(u64::from(self.addr.port()) ^ seed),
            groups: None,
            heartbeat,
        });
        exchange_flight(self.addr, &hello, self.timing, self.upgrade).await
    }
}

/// Extension types a ServerHello body carries.
pub fn server_hello_extensions(body: &[u8]) -> Vec<u16> {
    // version(2) random(32) session_id(1+n) suite(2) compression(1) extensions(2+...)
    let Some(&sid_len) = body.get(34) else {
        return Vec::new();
    };
    let mut at = 35 + usize::from(sid_len) + 3;
    let Some(ext_len) = body
        .get(at..at + 2)
        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    else {
        return Vec::new();
    };
    at += 2;
    let end = (at + ext_len).min(body.len());
    let mut kinds = Vec::new();
    while at + 4 <= end {
        kinds.push(u16::from_be_bytes([body[at], body[at + 1]]));
        at += 4 + usize::from(u16::from_be_bytes([body[at + 2], body[at + 3]]));
    }
    kinds
}

/// The DER certificates of a Certificate message body (RFC 5246 §7.4.2), leaf first.
pub fn certificate_chain(body: &[u8]) -> Vec<Vec<u8>> {
    let length24 = |b: &[u8]| usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]);
    let mut chain = Vec::new();
    let Some(total) = body.get(..3).map(length24) else {
        return chain;
    };
    let list = &body[3..body.len().min(3 + total)];
    let mut at = 0;
    while let Some(len) = list.get(at..at + 3).map(length24) {
        let Some(der) = list.get(at + 3..at + 3 + len) else {
            break;
        };
        chain.push(der.to_vec());
        at += 3 + len;
    }
    chain
}

/// The certificate chain the server sends in a ≤ TLS 1.2 handshake of our own.
pub async fn probe_legacy_chain(
    endpoint: &Endpoint<'_>,
    version: u16,
    suites: &[u16],
) -> Option<Vec<Vec<u8>>> {
    let (_, flight) = endpoint.flight(version, suites, 0xce, false).await?;
    let chain = certificate_chain(flight.message(11)?);
    (!chain.is_empty()).then_some(chain)
}

/// Bit length of the DH prime in a DHE ServerKeyExchange (`p` comes first).
pub fn dh_prime_bits(server_key_exchange: &[u8]) -> Option<u32> {
    let len = usize::from(u16::from_be_bytes([
        *server_key_exchange.first()?,
        *server_key_exchange.get(1)?,
    ]));
    let prime = server_key_exchange.get(2..2 + len)?;
    let first = prime.iter().position(|&b| b != 0)?;
    let significant = u32::try_from(prime.len() - first).ok()?;
    Some(significant * 8 - prime[first].leading_zeros())
}

/// Offers only DHE suites under `version` and reads the DH prime size.
pub async fn probe_dh_bits(
    endpoint: &Endpoint<'_>,
    version: u16,
    dhe_suites: &[u16],
) -> Option<u32> {
    let (_, flight) = endpoint.flight(version, dhe_suites, 0xd4, false).await?;
    dh_prime_bits(flight.message(12)?)
}

/// The Heartbleed test as the peers run it (CVE-2014-0160): offer heartbeat, wait for the
/// server's flight, then send a heartbeat request that claims 16 KiB of payload and carries
/// none. A patched server discards it (RFC 6520 §4) or alerts; a vulnerable one answers with
/// its memory. Only the length of the answer is looked at, never its content.
///
/// `Some(false)` also when the server does not offer heartbeat at all.
pub async fn probe_heartbleed(
    endpoint: &Endpoint<'_>,
    version: u16,
    suites: &[u16],
) -> Option<bool> {
    let (mut stream, flight) = endpoint.flight(version, suites, 0x4b, true).await?;
    if !flight.complete {
        return None;
    }
    let offers_heartbeat = flight
        .message(2)
        .is_some_and(|hello| server_hello_extensions(hello).contains(&0x000f));
    if !offers_heartbeat {
        return Some(false);
    }
    let [hi, lo] = version.to_be_bytes();
    stream
        .write_all(&[24, hi, lo, 0x00, 0x03, 0x01, 0x40, 0x00])
        .await
        .ok()?;
    match read_record(&mut stream, endpoint.timing.answer).await {
        Some((24, body)) => Some(body.len() > 3),
        _ => Some(false),
    }
}

/// The CCS-injection test (CVE-2014-0224) as testssl.sh runs it: after the server's flight,
/// send a ChangeCipherSpec before any key exchange, then a record that would have to be
/// decrypted. A patched server rejects the early CCS (`unexpected_message`); a vulnerable one
/// accepts it, switches to the (empty) keys and fails the next record's MAC
/// (`bad_record_mac` / `decryption_failed`). `None` when the answer says neither.
pub async fn probe_ccs_injection(
    endpoint: &Endpoint<'_>,
    version: u16,
    suites: &[u16],
) -> Option<bool> {
    let (mut stream, flight) = endpoint.flight(version, suites, 0xcc, false).await?;
    if !flight.complete {
        return None;
    }
    let [hi, lo] = version.to_be_bytes();
    let mut records = vec![20, hi, lo, 0x00, 0x01, 0x01];
    records.extend_from_slice(&[22, hi, lo, 0x00, 0x20]);
    records.extend_from_slice(&random_bytes(u64::from(endpoint.addr.port()) ^ 0x22));
    stream.write_all(&records).await.ok()?;
    match read_record(&mut stream, endpoint.timing.answer).await {
        Some((21, alert)) => match alert.get(1) {
            Some(10) => Some(false),
            Some(20 | 21) => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the server refuses a downgrade signalled with TLS_FALLBACK_SCSV (RFC 7507): a hello
/// for `lower_version` carrying the SCSV must be answered with `inappropriate_fallback`.
pub async fn probe_fallback_scsv(
    endpoint: &Endpoint<'_>,
    lower_version: u16,
    suites: &[u16],
) -> Option<bool> {
    let mut offered = suites.to_vec();
    offered.push(0x5600); // TLS_FALLBACK_SCSV
    let (_, flight) = endpoint
        .flight(lower_version, &offered, 0x56, false)
        .await?;
    match flight.alert {
        Some(86) => Some(true),
        Some(_) => None,
        None => flight.message(2).map(|_| false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dh_prime_size_ignores_leading_zeros() {
        let mut ske = vec![0x01, 0x01, 0x00];
        ske.extend(std::iter::repeat_n(0xff, 256));
        assert_eq!(dh_prime_bits(&ske), Some(2048));
        let mut small = vec![0x00, 0x80];
        small.push(0x7f);
        small.extend(std::iter::repeat_n(0xff, 127));
        assert_eq!(dh_prime_bits(&small), Some(1023));
        assert_eq!(dh_prime_bits(&[0x00]), None);
    }

    #[test]
    fn certificate_message_is_cut_into_certificates() {
        let body = [0, 0, 10, 0, 0, 2, 0xaa, 0xbb, 0, 0, 2, 0xcc, 0xdd];
        assert_eq!(
            certificate_chain(&body),
            vec![vec![0xaa, 0xbb], vec![0xcc, 0xdd]]
        );
        // A length that runs past the message ends the list instead of panicking.
        assert_eq!(
            certificate_chain(&[0, 0, 9, 0, 0, 7, 1]),
            Vec::<Vec<u8>>::new()
        );
        assert!(certificate_chain(&[0]).is_empty());
    }

    #[test]
    fn server_hello_extension_list() {
        let mut body = vec![3, 3];
        body.extend([0u8; 32]);
        body.push(0); // empty session id
        body.extend([0xc0, 0x2f, 0]); // suite, compression
        body.extend([0, 10, 0xff, 0x01, 0, 1, 0, 0x00, 0x0f, 0, 1, 1]);
        assert_eq!(server_hello_extensions(&body), vec![0xff01, 0x000f]);
    }
}
