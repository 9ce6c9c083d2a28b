//! Banner grabbing and service guessing on open ports.
//!
//! Server-first protocols (SSH, FTP, SMTP, POP3, IMAP, Telnet, VNC, MySQL) greet on their
//! own; HTTP waits for the client, so on HTTP ports postura speaks first. On an unknown port
//! it listens for a short while, and if nothing comes it asks `GET /` (as nmap's NULL probe
//! followed by its GetRequest probe do). Every read is bounded in bytes and time, and what
//! the service sent is kept as escaped bytes, never interpreted beyond matching prefixes.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

use crate::facts::ProbeKind;
use crate::facts::{
    Banner, GuessMethod, HttpFacts, MAX_BANNER_BYTES, ProbeError, ServiceGuess, escape_bytes,
};
use crate::targets::ports::service_for_port;

/// Waits and limits of the banner and service probes.
#[derive(Debug, Clone, Copy)]
pub struct BannerTiming {
    /// Connect timeout.
    pub connect: Duration,
    /// How long to wait for a server-first greeting before speaking.
    pub greeting: Duration,
    /// How long to wait for an answer after a request.
    pub answer: Duration,
}

/// What the banner probe saw on one port.
#[derive(Debug, Clone, Default)]
pub struct Grab {
    /// Bytes the service sent, escaped.
    pub banner: Option<Banner>,
    /// Parsed HTTP response, if it was one.
    pub http: Option<HttpFacts>,
    /// The service guess from the bytes, if they identified it.
    pub guess: Option<ServiceGuess>,
    /// The service spoke first (a greeting): it is not a TLS port.
    pub greeted: bool,
}

/// Services that answer HTTP on their conventional ports.
pub fn is_http_service(name: &str) -> bool {
    matches!(
        name,
        "http"
            | "kibana"
            | "cockpit"
            | "webmin"
            | "proxmox"
            | "couchdb"
            | "rabbitmq-mgmt"
            | "influxdb"
            | "kubelet"
            | "winrm"
            | "docker"
            | "etcd"
            | "weblogic"
            | "intel-amt"
    )
}

/// Services that conventionally speak TLS from the first byte.
pub fn is_tls_service(name: &str) -> bool {
    matches!(
        name,
        "https"
            | "ldaps"
            | "imaps"
            | "pop3s"
            | "smtps"
            | "ftps"
            | "winrm-tls"
            | "docker-tls"
            | "wbem-tls"
            | "intel-amt-tls"
            | "kubernetes-api"
    )
}

/// Reads from `stream` until `limit` bytes, end of stream, or `idle` passes without data
/// (the first byte may take up to `first`).
pub async fn read_bounded(
    stream: &mut TcpStream,
    limit: usize,
    first: Duration,
    idle: Duration,
) -> std::io::Result<(Vec<u8>, bool)> {
    let mut buf = vec![0u8; limit + 1];
    let mut len = 0usize;
    let deadline = Instant::now() + first + idle * 4;
    loop {
        let wait = if len == 0 { first } else { idle };
        let wait = wait.min(deadline.saturating_duration_since(Instant::now()));
        match timeout(wait, stream.read(&mut buf[len..])).await {
            Ok(Ok(0)) | Err(_) => break,
            Ok(Ok(n)) => {
                len += n;
                if len > limit {
                    break;
                }
            }
            Ok(Err(err)) if len == 0 => return Err(err),
            Ok(Err(_)) => break,
        }
    }
    let truncated = len > limit;
    buf.truncate(len.min(limit));
    Ok((buf, truncated))
}

fn http_request(host: &str) -> Vec<u8> {
    format!(
        "GET / HTTP/1.0\r\nHost: {host}\r\nUser-Agent: postura/{}\r\nAccept: */*\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    )
    .into_bytes()
}

/// Connects, listens, and if needed asks `GET /`. `host` is the name for the `Host` header.
pub async fn grab(addr: SocketAddr, host: &str, timing: BannerTiming) -> Result<Grab, ProbeError> {
    let port_service = service_for_port(addr.port());
    let mut stream = connect(addr, timing.connect, ProbeKind::Banner).await?;
    let speak_first = port_service.is_some_and(is_http_service);
    let mut raw = Vec::new();
    let mut truncated = false;
    let mut greeted = false;
    if !speak_first {
        let (bytes, cut) = read_bounded(
            &mut stream,
            MAX_BANNER_BYTES,
            timing.greeting,
            Duration::from_millis(150),
        )
        .await
        .map_err(|e| io_error(ProbeKind::Banner, addr.port(), &e))?;
        raw = bytes;
        truncated = cut;
        greeted = !raw.is_empty();
    }
    if raw.is_empty() {
        stream
            .write_all(&http_request(host))
            .await
            .map_err(|e| io_error(ProbeKind::Banner, addr.port(), &e))?;
        let (bytes, cut) =
            read_bounded(&mut stream, 8192, timing.answer, Duration::from_millis(150))
                .await
                .map_err(|e| io_error(ProbeKind::Banner, addr.port(), &e))?;
        truncated = cut;
        raw = bytes;
    }
    if raw.is_empty() {
        // Some services drop a client that speaks HTTP to them (Redis closes on a `Host:`
        // line). A bare `PING` on a fresh connection is harmless and identifies those.
        drop(stream);
        let mut stream = connect(addr, timing.connect, ProbeKind::Banner).await?;
        stream
            .write_all(b"PING\r\n")
            .await
            .map_err(|e| io_error(ProbeKind::Banner, addr.port(), &e))?;
        let (bytes, cut) = read_bounded(
            &mut stream,
            MAX_BANNER_BYTES,
            timing.answer,
            Duration::from_millis(150),
        )
        .await
        .unwrap_or_default();
        raw = bytes;
        truncated = cut;
    }
    if raw.is_empty() {
        return Ok(Grab::default());
    }
    let http = parse_http_response(&raw);
    let guess = guess_from_banner(&raw, http.as_ref());
    Ok(Grab {
        banner: Some(Banner::from_bytes(&raw, truncated)),
        http,
        guess,
        greeted,
    })
}

/// Connects with a timeout; a failure becomes a [`ProbeError`] fact.
pub async fn connect(
    addr: SocketAddr,
    wait: Duration,
    probe: ProbeKind,
) -> Result<TcpStream, ProbeError> {
    match timeout(wait, TcpStream::connect(addr)).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(err)) => Err(io_error(probe, addr.port(), &err)),
        Err(_) => Err(probe_error(
            probe,
            addr.port(),
            "timeout",
            format!("no connection within {} ms", wait.as_millis()),
        )),
    }
}

/// A probe-error fact of `kind` (`protocol`, `timeout`, ...).
pub fn probe_error(
    probe: ProbeKind,
    port: u16,
    kind: &str,
    message: impl Into<String>,
) -> ProbeError {
    ProbeError {
        probe,
        port: Some(port),
        kind: kind.to_owned(),
        message: message.into(),
    }
}

/// Reads one message whose 4-byte header gives its length (a NetBIOS session message, a
/// TPKT) within `wait`, header included; `body_length` reads the header, and a message
/// longer than `limit` is an error. `what` names the message in a timeout.
pub async fn read_framed(
    stream: &mut (impl tokio::io::AsyncRead + Unpin),
    wait: Duration,
    (probe, port): (ProbeKind, u16),
    body_length: impl Fn(&[u8; 4]) -> usize,
    limit: usize,
    what: &str,
) -> Result<Vec<u8>, ProbeError> {
    let read = async {
        let mut header = [0u8; 4];
        stream.read_exact(&mut header).await?;
        let length = body_length(&header);
        if length > limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a message of {length} bytes"),
            ));
        }
        let mut message = header.to_vec();
        message.resize(4 + length, 0);
        stream.read_exact(&mut message[4..]).await?;
        Ok(message)
    };
    match timeout(wait, read).await {
        Ok(Ok(message)) => Ok(message),
        Ok(Err(e)) => Err(io_error(probe, port, &e)),
        Err(_) => Err(probe_error(
            probe,
            port,
            "timeout",
            format!("no {what} within {} ms", wait.as_millis()),
        )),
    }
}

/// Turns an I/O error into a probe-error fact.
pub fn io_error(probe: ProbeKind, port: u16, err: &std::io::Error) -> ProbeError {
    let kind = match err.kind() {
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => "reset",
        std::io::ErrorKind::TimedOut => "timeout",
        std::io::ErrorKind::ConnectionRefused => "refused",
        _ => "io",
    };
    probe_error(probe, port, kind, err.to_string())
}

/// Parses the head of an HTTP/1.x response; `None` if the bytes are not one.
pub fn parse_http_response(raw: &[u8]) -> Option<HttpFacts> {
    if !raw.starts_with(b"HTTP/") {
        return None;
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    // A partial head still tells the status; headers are read as far as they came.
    let _ = response.parse(raw);
    let status = response.code.or_else(|| {
        let line = raw.split(|&b| b == b'\n').next()?;
        let code = std::str::from_utf8(line).ok()?.split_whitespace().nth(1)?;
        code.parse().ok()
    })?;
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| escape_bytes(&h.value[..h.value.len().min(256)]))
    };
    Some(HttpFacts {
        status,
        server: header("server"),
        auth_required: status == 401 || status == 407,
        location: header("location"),
    })
}

/// Identifies a service from the first bytes it sent (or answered to `GET /`).
pub fn guess_from_banner(raw: &[u8], http: Option<&HttpFacts>) -> Option<ServiceGuess> {
    let by_banner = |name: &str, product: Option<String>| {
        Some(ServiceGuess {
            name: name.to_owned(),
            method: GuessMethod::Banner,
            product,
        })
    };
    let first_line = |skip: usize| -> String {
        let rest = &raw[skip.min(raw.len())..];
        let end = rest
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .unwrap_or(rest.len());
        escape_bytes(&rest[..end.min(128)])
    };
    let text_lower = String::from_utf8_lossy(&raw[..raw.len().min(256)]).to_ascii_lowercase();
    if raw.starts_with(b"SSH-") {
        let line = first_line(0);
        let product = line.splitn(3, '-').nth(2).map(str::to_owned);
        return by_banner("ssh", product);
    }
    if let Some(http) = http {
        return by_banner("http", http.server.clone());
    }
    if raw.first() == Some(&0xff) {
        return by_banner("telnet", None);
    }
    if raw.starts_with(b"RFB ") {
        return by_banner("vnc", Some(first_line(0)));
    }
    if raw.starts_with(b"+PONG")
        || raw.starts_with(b"-NOAUTH")
        || raw.starts_with(b"-DENIED Redis")
        || text_lower.starts_with("-err wrong number of arguments for 'get'")
    {
        return by_banner("redis", None);
    }
    if raw.starts_with(b"220") {
        let line = first_line(4);
        let lower = line.to_ascii_lowercase();
        if lower.contains("smtp") || lower.contains("mail") {
            return by_banner("smtp", Some(line));
        }
        if lower.contains("ftp") {
            return by_banner("ftp", Some(line));
        }
    }
    if raw.starts_with(b"+OK") {
        return by_banner("pop3", Some(first_line(4)));
    }
    if raw.starts_with(b"* OK") {
        return by_banner("imap", Some(first_line(5)));
    }
    // MySQL/MariaDB handshake: 3-byte length, sequence 0, protocol version 10, version string.
    if raw.len() > 6 && raw[3] == 0 && raw[4] == 0x0a {
        let version: Vec<u8> = raw[5..]
            .iter()
            .take_while(|&&b| b != 0)
            .take(64)
            .copied()
            .collect();
        if !version.is_empty() && version.iter().all(u8::is_ascii_graphic) {
            return by_banner("mysql", Some(escape_bytes(&version)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_greetings() {
        let name = |raw: &[u8]| guess_from_banner(raw, None).map(|g| g.name);
        assert_eq!(
            name(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n").as_deref(),
            Some("ssh")
        );
        assert_eq!(name(b"220 (vsFTPd 3.0.3)\r\n").as_deref(), Some("ftp"));
        assert_eq!(
            name(b"220 mail.example ESMTP Postfix\r\n").as_deref(),
            Some("smtp")
        );
        assert_eq!(
            name(b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n").as_deref(),
            Some("imap")
        );
        assert_eq!(name(b"\xff\xfd\x18\xff\xfd\x20").as_deref(), Some("telnet"));
        assert_eq!(name(b"RFB 003.008\n").as_deref(), Some("vnc"));
        assert_eq!(
            name(b"J\x00\x00\x00\x0a8.0.36\x00\x08").as_deref(),
            Some("mysql")
        );
        assert_eq!(name(b"hello"), None);
        let ssh = guess_from_banner(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", None).unwrap();
        assert_eq!(ssh.product.as_deref(), Some("OpenSSH_9.2p1 Debian-2"));
    }

    #[test]
    fn parses_http_heads_even_when_cut() {
        let http =
            parse_http_response(b"HTTP/1.1 401 Unauthorized\r\nServer: nginx/1.22.1\r\nWWW-Auth")
                .unwrap();
        assert_eq!(http.status, 401);
        assert!(http.auth_required);
        assert_eq!(http.server.as_deref(), Some("nginx/1.22.1"));
        assert!(parse_http_response(b"SSH-2.0-x").is_none());
    }
}
