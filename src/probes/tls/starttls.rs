//! STARTTLS: the plaintext exchange that turns a mail, file-transfer or directory connection
//! into TLS, so that the same protocol and certificate probes can run behind it.
//!
//! Each reply is read until the protocol says it is complete (a final `NNN ` line, a tagged
//! line, a whole BER message), bounded in bytes and time.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

/// Protocols with an upgrade to TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartTls {
    /// SMTP `STARTTLS` (RFC 3207).
    Smtp,
    /// IMAP `STARTTLS` (RFC 3501).
    Imap,
    /// POP3 `STLS` (RFC 2595).
    Pop3,
    /// FTP `AUTH TLS` (RFC 4217).
    Ftp,
    /// LDAP StartTLS extended operation (RFC 4511 §4.14).
    Ldap,
}

impl StartTls {
    /// The upgrade for a service name.
    pub fn for_service(name: &str) -> Option<Self> {
        match name {
            "smtp" | "submission" => Some(Self::Smtp),
            "imap" => Some(Self::Imap),
            "pop3" => Some(Self::Pop3),
            "ftp" => Some(Self::Ftp),
            "ldap" | "ldap-gc" => Some(Self::Ldap),
            _ => None,
        }
    }

    /// Name used in facts.
    pub fn name(self) -> &'static str {
        match self {
            Self::Smtp => "smtp",
            Self::Imap => "imap",
            Self::Pop3 => "pop3",
            Self::Ftp => "ftp",
            Self::Ldap => "ldap",
        }
    }
}

const LIMIT: usize = 16 * 1024;

/// The LDAP ExtendedRequest for StartTLS (messageID 1, OID 1.3.6.1.4.1.1466.20037).
const LDAP_STARTTLS: [u8; 31] = [
    0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16, b'1', b'.', b'3', b'.', b'6', b'.', b'1',
    b'.', b'4', b'.', b'1', b'.', b'1', b'4', b'6', b'6', b'.', b'2', b'0', b'0', b'3', b'7',
];

fn last_line(buf: &[u8]) -> Option<&[u8]> {
    if !buf.ends_with(b"\n") {
        return None;
    }
    let trimmed = buf.trim_ascii_end();
    let start = trimmed
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Some(&trimmed[start..])
}

/// A complete SMTP/FTP reply: its last line is `NNN` or `NNN text`, not `NNN-text`.
fn coded_reply_complete(buf: &[u8]) -> bool {
    last_line(buf).is_some_and(|line| {
        line.len() >= 3 && line[..3].iter().all(u8::is_ascii_digit) && line.get(3) != Some(&b'-')
    })
}

fn reply_code(buf: &[u8]) -> Option<u16> {
    let line = last_line(buf)?;
    std::str::from_utf8(line.get(..3)?).ok()?.parse().ok()
}

/// A complete BER element (the LDAP message) at the start of `buf`.
fn ber_complete(buf: &[u8]) -> bool {
    let Some(&first_len) = buf.get(1) else {
        return false;
    };
    let (header, len) = if first_len < 0x80 {
        (2, usize::from(first_len))
    } else {
        let n = usize::from(first_len & 0x7f);
        if n == 0 || n > 4 || buf.len() < 2 + n {
            return n > 4;
        }
        (
            2 + n,
            buf[2..2 + n]
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | usize::from(b)),
        )
    };
    buf.len() >= header + len
}

async fn read_until(
    stream: &mut TcpStream,
    wait: Duration,
    complete: impl Fn(&[u8]) -> bool,
) -> Result<Vec<u8>, String> {
    let deadline = Instant::now() + wait;
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 2048];
    while !complete(&buf) {
        if buf.len() > LIMIT {
            return Err("reply longer than 16 KiB".into());
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match timeout(left, stream.read(&mut chunk)).await {
            Err(_) => return Err("no complete reply in time".into()),
            Ok(Ok(0)) => return Err("connection closed".into()),
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) => return Err(e.to_string()),
        }
    }
    Ok(buf)
}

async fn send(stream: &mut TcpStream, bytes: &[u8]) -> Result<(), String> {
    stream.write_all(bytes).await.map_err(|e| e.to_string())
}

/// Runs the plaintext part of the upgrade; afterwards the next bytes on `stream` are TLS.
/// The error says in one line where the server stopped cooperating.
pub async fn upgrade(
    stream: &mut TcpStream,
    protocol: StartTls,
    wait: Duration,
) -> Result<(), String> {
    let line_done = |b: &[u8]| last_line(b).is_some();
    match protocol {
        StartTls::Smtp => {
            let greeting = read_until(stream, wait, coded_reply_complete).await?;
            if reply_code(&greeting) != Some(220) {
                return Err(format!(
                    "greeting is not 220: {}",
                    crate::facts::escape_bytes(&greeting[..greeting.len().min(80)])
                ));
            }
            send(stream, b"EHLO postura.invalid\r\n").await?;
            let ehlo = read_until(stream, wait, coded_reply_complete).await?;
            let offered = String::from_utf8_lossy(&ehlo).lines().any(|l| {
                l.get(4..)
                    .is_some_and(|rest| rest.trim().eq_ignore_ascii_case("STARTTLS"))
            });
            if !offered {
                return Err("STARTTLS is not offered in the EHLO reply".into());
            }
            send(stream, b"STARTTLS\r\n").await?;
            let reply = read_until(stream, wait, coded_reply_complete).await?;
            (reply_code(&reply) == Some(220))
                .then_some(())
                .ok_or_else(|| "STARTTLS refused".to_owned())
        }
        StartTls::Ftp => {
            let greeting = read_until(stream, wait, coded_reply_complete).await?;
            if reply_code(&greeting) != Some(220) {
                return Err("greeting is not 220".into());
            }
            send(stream, b"AUTH TLS\r\n").await?;
            let reply = read_until(stream, wait, coded_reply_complete).await?;
            (reply_code(&reply) == Some(234))
                .then_some(())
                .ok_or_else(|| "AUTH TLS refused".to_owned())
        }
        StartTls::Pop3 => {
            let greeting = read_until(stream, wait, line_done).await?;
            if !greeting.starts_with(b"+OK") {
                return Err("greeting is not +OK".into());
            }
            send(stream, b"STLS\r\n").await?;
            let reply = read_until(stream, wait, line_done).await?;
            reply
                .starts_with(b"+OK")
                .then_some(())
                .ok_or_else(|| "STLS refused".to_owned())
        }
        StartTls::Imap => {
            let greeting = read_until(stream, wait, line_done).await?;
            if !greeting.starts_with(b"* OK") {
                return Err("greeting is not * OK".into());
            }
            send(stream, b"p1 STARTTLS\r\n").await?;
            let reply = read_until(stream, wait, |b| {
                last_line(b).is_some_and(|l| l.starts_with(b"p1 "))
            })
            .await?;
            last_line(&reply)
                .is_some_and(|l| l.starts_with(b"p1 OK"))
                .then_some(())
                .ok_or_else(|| "STARTTLS refused".to_owned())
        }
        StartTls::Ldap => {
            send(stream, &LDAP_STARTTLS).await?;
            let reply = read_until(stream, wait, ber_complete).await?;
            // ExtendedResponse (0x78) whose resultCode (first ENUMERATED, 0x0a 0x01 N) is 0.
            let ok = reply
                .windows(3)
                .position(|w| w[0] == 0x0a && w[1] == 0x01)
                .is_some_and(|i| reply[i + 2] == 0)
                && reply.contains(&0x78);
            ok.then_some(())
                .ok_or_else(|| "StartTLS extended operation refused".to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_completion_rules() {
        assert!(!coded_reply_complete(
            b"250-mail.example\r\n250-STARTTLS\r\n"
        ));
        assert!(coded_reply_complete(
            b"250-mail.example\r\n250 STARTTLS\r\n"
        ));
        assert!(coded_reply_complete(b"220 ready\r\n"));
        assert!(!coded_reply_complete(b"220 ready"));
        assert_eq!(reply_code(b"250-a\r\n250 b\r\n"), Some(250));
        assert!(ber_complete(&[0x30, 0x03, 1, 2, 3]));
        assert!(!ber_complete(&[0x30, 0x05, 1, 2, 3]));
        assert!(ber_complete(&[0x30, 0x81, 0x02, 1, 2]));
        assert!(ber_complete(&LDAP_STARTTLS));
    }
}
