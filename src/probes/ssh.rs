//! SSH: the server's identification string and its algorithm offers, read from
//! `SSH_MSG_KEXINIT` before any cryptography, as ssh-audit does (RFC 4253 §4.2, §7.1). The
//! exchange stops after the server's KEXINIT: nothing is authenticated, no key is exchanged.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::banner::{BannerTiming, connect};
use crate::facts::{ProbeError, SshFacts};

/// Our identification string (RFC 4253 §4.2).
const CLIENT_ID: &[u8] = b"SSH-2.0-postura_0.1\r\n";
/// Servers may send other lines before the identification (RFC 4253 §4.2); bounded.
const MAX_PREAMBLE: usize = 8 * 1024;
/// KEXINIT packets are a few kilobytes; RFC 4253 §6.1 requires support for 35000 bytes.
const MAX_PACKET: usize = 35_000;

fn error(addr: SocketAddr, kind: &str, message: impl Into<String>) -> ProbeError {
    ProbeError {
        probe: "ssh".into(),
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
            text.split(',').map(str::to_owned).collect()
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
    loop {
        let mut line = Vec::new();
        loop {
            match timeout(timing.greeting, stream.read(&mut byte)).await {
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
            return Ok(text.chars().take(255).collect());
        }
    }
}

/// Connects, exchanges identifications and reads the server's KEXINIT.
pub async fn probe_ssh(addr: SocketAddr, timing: BannerTiming) -> Result<SshFacts, ProbeError> {
    let mut stream = connect(addr, timing.connect, "ssh").await?;
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
    Ok(facts)
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
