//! RDP: which security the server negotiates, and what its NTLM challenge names
//! (MS-RDPBCGR 2.2.1.1-2, MS-CSSP 2.2.1).
//!
//! Two connections, as nmap's `rdp-enum-encryption` and `rdp-ntlm-info` make them:
//! - an X.224 Connection Request offering TLS, CredSSP (NLA) and CredSSP with early user
//!   authorization: the server picks the strongest it supports. When that is CredSSP, a TLS
//!   handshake (certificate not checked: it is only a carrier) and one TSRequest with an
//!   NTLMSSP NEGOTIATE follow; the server's NTLMSSP CHALLENGE names its Windows version and
//!   build. No credentials are sent; the connection is closed before any logon.
//! - a request offering standard RDP security only (RC4, no server authentication): whether
//!   the server still accepts such a client, or why it refuses (TLS or NLA required).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use super::banner::{BannerTiming, connect, io_error, probe_error, read_framed};
use super::smb::{der, ntlm_negotiate, read_ntlm_challenge};
use crate::facts::{ProbeError, ProbeKind, RdpFacts};

/// `requestedProtocols` (MS-RDPBCGR 2.2.1.1.1).
const PROTOCOL_SSL: u32 = 0x1;
const PROTOCOL_HYBRID: u32 = 0x2;
const PROTOCOL_HYBRID_EX: u32 = 0x8;

/// An X.224 Connection Request with an RDP Negotiation Request for `protocols`, in a TPKT.
pub fn connection_request(protocols: u32) -> Vec<u8> {
    let mut request = vec![
        0x03, 0x00, 0x00, 0x13, // TPKT: version 3, length 19
        0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, // X.224 CR: LI 14, no references, class 0
        0x01, 0x00, 0x08, 0x00, // RDP_NEG_REQ, no flags, length 8
    ];
    request.extend_from_slice(&protocols.to_le_bytes());
    request
}

/// What a Connection Confirm says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Negotiated {
    /// The protocol the server selected: `rdp`, `tls`, `credssp`, `credssp-early-user-auth`.
    Selected(&'static str),
    /// RDP_NEG_FAILURE and its reason.
    Refused(String),
}

/// Reads an X.224 Connection Confirm (in its TPKT).
pub fn read_connection_confirm(reply: &[u8]) -> Result<Negotiated, String> {
    if reply.first() != Some(&0x03) || reply.len() < 11 {
        return Err("not a TPKT-framed X.224 reply".to_owned());
    }
    if reply[5] & 0xf0 != 0xd0 {
        return Err(format!(
            "not an X.224 Connection Confirm (code 0x{:02x})",
            reply[5]
        ));
    }
    // A server older than RDP 5.2 sends no negotiation response: standard RDP security.
    let Some(negotiation) = reply.get(11..19) else {
        return Ok(Negotiated::Selected("rdp"));
    };
    let value = u32::from_le_bytes([
        negotiation[4],
        negotiation[5],
        negotiation[6],
        negotiation[7],
    ]);
    match negotiation[0] {
        0x02 => Ok(Negotiated::Selected(match value {
            0 => "rdp",
            PROTOCOL_SSL => "tls",
            PROTOCOL_HYBRID => "credssp",
            PROTOCOL_HYBRID_EX => "credssp-early-user-auth",
            0x4 => "rdstls",
            _ => "unknown",
        })),
        0x03 => Ok(Negotiated::Refused(
            match value {
                1 => "ssl-required",
                2 => "ssl-not-allowed",
                3 => "ssl-certificate-missing",
                4 => "inconsistent-flags",
                5 => "hybrid-required",
                6 => "ssl-with-user-auth-required",
                _ => "unknown",
            }
            .to_owned(),
        )),
        other => Err(format!("unknown negotiation type 0x{other:02x}")),
    }
}

/// A CredSSP TSRequest (version 6) carrying an NTLMSSP NEGOTIATE.
pub fn ts_request() -> Vec<u8> {
    let version = der(0xa0, &der(0x02, &[0x06]));
    let token = der(0x30, &der(0x30, &der(0xa0, &der(0x04, &ntlm_negotiate()))));
    der(0x30, &[version, der(0xa1, &token)].concat())
}

fn error(port: u16, kind: &str, message: impl Into<String>) -> ProbeError {
    probe_error(ProbeKind::Rdp, port, kind, message)
}

/// Reads one TPKT (its 4-byte header gives the whole length).
async fn read_tpkt(
    stream: &mut (impl AsyncRead + Unpin),
    wait: Duration,
    port: u16,
) -> Result<Vec<u8>, ProbeError> {
    read_framed(
        stream,
        wait,
        (ProbeKind::Rdp, port),
        |h| usize::from(u16::from_be_bytes([h[2], h[3]])).saturating_sub(4),
        usize::from(u16::MAX),
        "X.224 answer",
    )
    .await
}

/// Connects and negotiates `protocols`; the stream and what the server said.
async fn negotiate(
    addr: SocketAddr,
    timing: BannerTiming,
    protocols: u32,
) -> Result<(tokio::net::TcpStream, Negotiated), ProbeError> {
    let port = addr.port();
    let mut stream = connect(addr, timing.connect, ProbeKind::Rdp).await?;
    stream
        .write_all(&connection_request(protocols))
        .await
        .map_err(|e| io_error(ProbeKind::Rdp, port, &e))?;
    let reply = read_tpkt(&mut stream, timing.answer, port).await?;
    let negotiated = read_connection_confirm(&reply).map_err(|m| error(port, "protocol", m))?;
    Ok((stream, negotiated))
}

/// The NTLMSSP challenge over CredSSP, or `None` when TLS or CredSSP fail (a server that
/// speaks only TLS 1.0 or 1.1, which rustls does not).
async fn credssp_challenge(
    stream: tokio::net::TcpStream,
    addr: SocketAddr,
    wait: Duration,
) -> Option<crate::facts::NtlmInfo> {
    let config = super::tls::cert::carrier_config().ok()?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let name = ServerName::IpAddress(addr.ip().into());
    let mut tls = timeout(wait * 2, connector.connect(name, stream))
        .await
        .ok()?
        .ok()?;
    tls.write_all(&ts_request()).await.ok()?;
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    while reply.len() < 16 * 1024 {
        let n = tokio::time::timeout_at(deadline, tls.read(&mut buf))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
        if let Some(info) = read_ntlm_challenge(&reply) {
            let _ = tls.shutdown().await;
            return Some(info);
        }
    }
    None
}

/// Negotiates twice and reads the NTLM challenge where CredSSP is offered; never logs in.
pub async fn probe_rdp(addr: SocketAddr, timing: BannerTiming) -> Result<RdpFacts, ProbeError> {
    let (stream, negotiated) = negotiate(
        addr,
        timing,
        PROTOCOL_SSL | PROTOCOL_HYBRID | PROTOCOL_HYBRID_EX,
    )
    .await?;
    let (selected, refusal) = match negotiated {
        Negotiated::Selected(protocol) => (protocol.to_owned(), None),
        Negotiated::Refused(reason) => (String::new(), Some(reason)),
    };
    let ntlm = if selected.starts_with("credssp") {
        credssp_challenge(stream, addr, timing.answer).await
    } else {
        drop(stream);
        None
    };
    // A second client offering standard RDP security only.
    let (standard_security_accepted, standard_security_refusal) =
        match negotiate(addr, timing, 0).await {
            Ok((_, Negotiated::Selected(_))) => (Some(true), None),
            Ok((_, Negotiated::Refused(reason))) => (Some(false), Some(reason)),
            Err(_) => (None, None),
        };
    Ok(RdpFacts {
        selected: (!selected.is_empty()).then_some(selected),
        refusal,
        standard_security_accepted,
        standard_security_refusal,
        ntlm,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_requests_and_replies() {
        let request = connection_request(PROTOCOL_SSL | PROTOCOL_HYBRID | PROTOCOL_HYBRID_EX);
        assert_eq!(request.len(), 19);
        assert_eq!(&request[15..], &[0x0b, 0, 0, 0]);
        // MS-RDPBCGR 4.1.2: a Connection Confirm selecting TLS... and one selecting CredSSP.
        let tls = [
            0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, 0x02, 0x00, 0x08,
            0x00, 0x01, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            read_connection_confirm(&tls),
            Ok(Negotiated::Selected("tls"))
        );
        let mut credssp = tls;
        credssp[15] = 0x02;
        assert_eq!(
            read_connection_confirm(&credssp),
            Ok(Negotiated::Selected("credssp"))
        );
        let mut refused = tls;
        refused[11] = 0x03;
        refused[15] = 0x05;
        assert_eq!(
            read_connection_confirm(&refused),
            Ok(Negotiated::Refused("hybrid-required".into()))
        );
        // RDP 5.0: no negotiation data at all.
        let old = [
            0x03, 0x00, 0x00, 0x0b, 0x06, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00,
        ];
        assert_eq!(
            read_connection_confirm(&old),
            Ok(Negotiated::Selected("rdp"))
        );
        assert!(read_connection_confirm(b"HTTP/1.1 400").is_err());
        let ts = ts_request();
        assert_eq!(ts[0], 0x30);
        assert_eq!(usize::from(ts[1]), ts.len() - 2);
        assert!(ts.windows(8).any(|w| w == b"NTLMSSP\0"));
        // A server's TSRequest around a CHALLENGE (MS-CSSP 2.2.1): Samba's, as captured.
        let samba = include_bytes!("../../fixtures/smb/samba-session-setup-challenge.bin");
        let start = samba.windows(8).position(|w| w == b"NTLMSSP\0").unwrap();
        let negotiate_token = der(0x30, &der(0x30, &der(0xa0, &der(0x04, &samba[start..]))));
        let answer = der(
            0x30,
            &[der(0xa0, &der(0x02, &[0x06])), der(0xa1, &negotiate_token)].concat(),
        );
        let info = read_ntlm_challenge(&answer).unwrap();
        assert_eq!(info.netbios_computer.as_deref(), Some("POSTURA-LAB"));
    }
}
