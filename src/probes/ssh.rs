//! SSH: the server's identification string and its algorithm offers, read from
//! `SSH_MSG_KEXINIT` before any cryptography, as ssh-audit does (RFC 4253 §4.2, §7.1); then,
//! on a second connection, russh completes the key exchange and asks the `none` method
//! (RFC 4252 §5.2), whose refusal lists the methods the server still allows. No password or
//! key is ever offered.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::banner::{BannerTiming, connect};
use crate::facts::ProbeKind;
use crate::facts::{ProbeError, SshFacts};

/// Our identification string (RFC 4253 §4.2).
const CLIENT_ID: &[u8] = b"SSH-2.0-postura_0.1\r\n";
/// Servers may send other lines before the identification (RFC 4253 §4.2); bounded.
const MAX_PREAMBLE: usize = 8 * 1024;
/// KEXINIT packets are a few kilobytes; RFC 4253 §6.1 requires support for 35000 bytes.
const MAX_PACKET: usize = 35_000;

fn error(addr: SocketAddr, kind: &str, message: impl Into<String>) -> ProbeError {
    ProbeError {
        probe: ProbeKind::Ssh,
        port: Some(addr.port()),
        kind: kind.into(),
        message: message.into(),
    }
}

/// The name-lists of a KEXINIT payload (message byte 20 first).
#[derive(Debug, Default, PartialEq)]
pub struct KexInit {
    /// Lists in wire order: kex, host key, enc c→s, enc s→c, mac c→s, mac s→c, comp c→s,
    /// comp s→c, lang c→s, lang s→c.
    pub lists: Vec<Vec<String>>,
}

/// Parses a KEXINIT payload; `None` when it is not one or a length runs past the end.
pub fn parse_kexinit(payload: &[u8]) -> Option<KexInit> {
    if payload.first() != Some(&20) {
        return None;
    }
    let mut at = 1 + 16; // message type, cookie
    let mut lists = Vec::with_capacity(10);
    for _ in 0..10 {
        let len = usize::try_from(u32::from_be_bytes(
            payload.get(at..at + 4)?.try_into().ok()?,
        ))
        .ok()?;
        let bytes = payload.get(at + 4..at + 4 + len)?;
        let text = std::str::from_utf8(bytes).ok()?;
        lists.push(if text.is_empty() {
            Vec::new()
        } else {
            text.split(',').map(crate::facts::escape_controls).collect()
        });
        at += 4 + len;
    }
    Some(KexInit { lists })
}

/// Reads the identification line, skipping the lines a server may send before it.
async fn read_identification(
    stream: &mut TcpStream,
    addr: SocketAddr,
    timing: BannerTiming,
) -> Result<String, ProbeError> {
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    // One deadline for the whole preamble: a server dribbling a byte at a time must not
    // stretch the wait per byte.
    let deadline = tokio::time::Instant::now() + timing.greeting;
    loop {
        let mut line = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, stream.read(&mut byte)).await {
                Err(_) => return Err(error(addr, "timeout", "no SSH identification")),
                Ok(Ok(0)) => return Err(error(addr, "closed", "closed before the identification")),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(error(addr, "io", e.to_string())),
            }
            seen.push(byte[0]);
            if seen.len() > MAX_PREAMBLE {
                return Err(error(
                    addr,
                    "oversized",
                    "no identification in the first 8 KiB",
                ));
            }
            if byte[0] == b'\n' {
                break;
            }
            line.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&line)
            .trim_end_matches('\r')
            .to_owned();
        if text.starts_with("SSH-") {
            // The version goes into reports and the terminal: no control characters.
            let version: String = text.chars().take(255).collect();
            return Ok(crate::facts::escape_controls(&version));
        }
    }
}

/// Connects, exchanges identifications and reads the server's KEXINIT.
pub async fn probe_ssh(addr: SocketAddr, timing: BannerTiming) -> Result<SshFacts, ProbeError> {
    let mut stream = connect(addr, timing.connect, ProbeKind::Ssh).await?;
    stream
        .write_all(CLIENT_ID)
        .await
        .map_err(|e| error(addr, "io", e.to_string()))?;
    let version = read_identification(&mut stream, addr, timing).await?;
    let mut facts = SshFacts {
        version,
        ..SshFacts::default()
    };
    if facts.version.starts_with("SSH-1.") && !facts.version.starts_with("SSH-1.99") {
        // SSH protocol 1 only: no KEXINIT to read. The version says enough.
        return Ok(facts);
    }
    let mut header = [0u8; 5];
    timeout(timing.answer, stream.read_exact(&mut header))
        .await
        .map_err(|_| error(addr, "timeout", "no KEXINIT"))?
        .map_err(|e| error(addr, "io", e.to_string()))?;
    let length = usize::try_from(u32::from_be_bytes([
        header[0], header[1], header[2], header[3],
    ]))
    .unwrap_or(usize::MAX);
    let padding = usize::from(header[4]);
    if !(padding + 1..=MAX_PACKET).contains(&length) {
        return Err(error(
            addr,
            "malformed",
            format!("packet length {length} is not valid"),
        ));
    }
    let mut rest = vec![0u8; length - 1];
    timeout(timing.answer, stream.read_exact(&mut rest))
        .await
        .map_err(|_| error(addr, "timeout", "KEXINIT incomplete"))?
        .map_err(|e| error(addr, "io", e.to_string()))?;
    let payload = &rest[..rest.len() - padding];
    let kex = parse_kexinit(payload)
        .ok_or_else(|| error(addr, "malformed", "the first packet is not a valid KEXINIT"))?;
    let mut lists = kex.lists.into_iter();
    let mut next = || lists.next().unwrap_or_default();
    facts.kex = next();
    facts.host_key_algorithms = next();
    let _client_to_server_ciphers = next();
    facts.ciphers = next();
    let _client_to_server_macs = next();
    facts.macs = next();
    let _client_to_server_compression = next();
    facts.compression = next();
    drop(stream);
    match probe_auth_methods(addr, timing).await {
        Ok(methods) => facts.auth_methods = Some(methods),
        Err(message) => facts.auth_error = Some(message),
    }
    Ok(facts)
}

/// Records the host key instead of checking it: we audit, we do not trust.
struct Audit;

impl russh::client::Handler for Audit {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// Everything russh can negotiate, modern first, so servers that offer only legacy
/// algorithms still get as far as authentication.
fn permissive_algorithms() -> russh::Preferred {
    use russh::{cipher, kex, mac};
    russh::Preferred {
        kex: std::borrow::Cow::Borrowed(&[
            kex::MLKEM768X25519_SHA256,
            kex::CURVE25519,
            kex::CURVE25519_PRE_RFC_8731,
            kex::ECDH_SHA2_NISTP256,
            kex::ECDH_SHA2_NISTP384,
            kex::ECDH_SHA2_NISTP521,
            kex::DH_GEX_SHA256,
            kex::DH_G16_SHA512,
            kex::DH_G18_SHA512,
            kex::DH_G14_SHA256,
            kex::DH_G14_SHA1,
            kex::DH_GEX_SHA1,
            kex::DH_G1_SHA1,
            kex::EXTENSION_SUPPORT_AS_CLIENT,
            kex::EXTENSION_OPENSSH_STRICT_KEX_AS_CLIENT,
        ]),
        cipher: std::borrow::Cow::Borrowed(&[
            cipher::CHACHA20_POLY1305,
            cipher::AES_256_GCM,
            cipher::AES_128_GCM,
            cipher::AES_256_CTR,
            cipher::AES_192_CTR,
            cipher::AES_128_CTR,
            cipher::AES_256_CBC,
            cipher::AES_192_CBC,
            cipher::AES_128_CBC,
        ]),
        mac: std::borrow::Cow::Borrowed(&[
            mac::HMAC_SHA512_ETM,
            mac::HMAC_SHA256_ETM,
            mac::HMAC_SHA512,
            mac::HMAC_SHA256,
            mac::HMAC_SHA1_ETM,
            mac::HMAC_SHA1,
        ]),
        ..russh::Preferred::DEFAULT
    }
}

/// The user name of the one `none` attempt: clearly a scanner in the server's log, and one
/// attempt only, so fail2ban and lockouts are not provoked.
const PROBE_USER: &str = "postura-probe";

/// Completes the key exchange with russh, asks `none` for [`PROBE_USER`] and returns the
/// methods the server still allows (`["none"]` if it let the user in without any).
async fn probe_auth_methods(addr: SocketAddr, timing: BannerTiming) -> Result<Vec<String>, String> {
    let stream = connect(addr, timing.connect, ProbeKind::Ssh)
        .await
        .map_err(|e| e.message)?;
    let config = std::sync::Arc::new(russh::client::Config {
        inactivity_timeout: Some(timing.answer * 2),
        preferred: permissive_algorithms(),
        ..russh::client::Config::default()
    });
    let attempt = async {
        let mut session = russh::client::connect_stream(config, stream, Audit).await?;
        let result = session.authenticate_none(PROBE_USER).await?;
        let _ = session
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
        Ok::<_, russh::Error>(result)
    };
    match timeout(timing.answer * 3, attempt).await {
        Err(_) => Err("authentication probe timed out".into()),
        Ok(Err(e)) => Err(format!("key exchange or authentication failed: {e}")),
        Ok(Ok(russh::client::AuthResult::Success)) => Ok(vec!["none".into()]),
        Ok(Ok(russh::client::AuthResult::Failure {
            remaining_methods, ..
        })) => Ok(remaining_methods
            .iter()
            .map(|m| <&'static str>::from(m).to_owned())
            .collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_list(items: &str) -> Vec<u8> {
        let mut out = u32::try_from(items.len()).unwrap().to_be_bytes().to_vec();
        out.extend(items.as_bytes());
        out
    }

    #[test]
    fn kexinit_name_lists() {
        let mut payload = vec![20];
        payload.extend([7u8; 16]);
        for list in [
            "curve25519-sha256,diffie-hellman-group1-sha1",
            "ssh-ed25519",
            "aes128-ctr",
            "aes128-ctr,3des-cbc",
            "hmac-sha2-256",
            "hmac-sha2-256,hmac-md5",
            "none",
            "none,zlib@openssh.com",
            "",
            "",
        ] {
            payload.extend(name_list(list));
        }
        payload.extend([0, 0, 0, 0, 0]);
        let kex = parse_kexinit(&payload).unwrap();
        assert_eq!(
            kex.lists[0],
            ["curve25519-sha256", "diffie-hellman-group1-sha1"]
        );
        assert_eq!(kex.lists[3], ["aes128-ctr", "3des-cbc"]);
        assert!(kex.lists[8].is_empty());
        // A length that runs past the end is rejected, not read.
        payload.truncate(40);
        assert_eq!(parse_kexinit(&payload), None);
        assert_eq!(parse_kexinit(&[21]), None);
    }
}
