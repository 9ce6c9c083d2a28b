//! Read-only probes for services that are often left open without authentication.
//!
//! Each probe sends only what a monitoring client would (`PING`, `INFO server`, `GET /`,
//! `stats`, an anonymous FTP login followed by `QUIT`) and records what came back. None of
//! them writes data, and none of them judges: "Redis answered PONG" is a fact, "Redis is
//! exposed" is a check.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::banner::{BannerTiming, connect, io_error, parse_http_response, read_bounded};
use crate::facts::ProbeKind;
use crate::facts::{
    Banner, ElasticsearchFacts, FtpFacts, MemcachedFacts, ProbeError, RedisFacts, TelnetFacts,
    escape_bytes,
};

const REPLY_LIMIT: usize = 16 * 1024;
const IDLE: Duration = Duration::from_millis(150);

fn protocol_error(probe: ProbeKind, port: u16, message: impl Into<String>) -> ProbeError {
    super::banner::probe_error(probe, port, "protocol", message)
}

async fn exchange(
    stream: &mut TcpStream,
    probe: ProbeKind,
    port: u16,
    request: &[u8],
    wait: Duration,
) -> Result<Vec<u8>, ProbeError> {
    stream
        .write_all(request)
        .await
        .map_err(|e| io_error(probe, port, &e))?;
    let (reply, _) = read_bounded(stream, REPLY_LIMIT, wait, IDLE)
        .await
        .map_err(|e| io_error(probe, port, &e))?;
    Ok(reply)
}

fn first_line(raw: &[u8]) -> &[u8] {
    let end = raw
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(raw.len());
    &raw[..end.min(256)]
}

/// Sends `PING` and, if the server answers without authentication, `INFO server`.
pub async fn probe_redis(addr: SocketAddr, timing: BannerTiming) -> Result<RedisFacts, ProbeError> {
    let port = addr.port();
    let mut stream = connect(addr, timing.connect, ProbeKind::Redis).await?;
    let reply = exchange(
        &mut stream,
        ProbeKind::Redis,
        port,
        b"PING\r\n",
        timing.answer,
    )
    .await?;
    if reply.is_empty() {
        return Err(protocol_error(ProbeKind::Redis, port, "no reply to PING"));
    }
    let line = first_line(&reply);
    let auth_required = line.starts_with(b"-NOAUTH") || line.starts_with(b"-WRONGPASS");
    let protected_mode = line.starts_with(b"-DENIED");
    let mut version = None;
    if line.starts_with(b"+PONG") {
        let info = exchange(
            &mut stream,
            ProbeKind::Redis,
            port,
            b"INFO server\r\n",
            timing.answer,
        )
        .await?;
        version = redis_info_version(&info);
    } else if !(auth_required || protected_mode || line.starts_with(b"-")) {
        return Err(protocol_error(
            ProbeKind::Redis,
            port,
            format!("unexpected reply to PING: {}", escape_bytes(line)),
        ));
    }
    Ok(RedisFacts {
        ping_reply: escape_bytes(line),
        auth_required,
        protected_mode,
        version,
    })
}

/// The `redis_version` of an `INFO` reply.
pub fn redis_info_version(info: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(info);
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        matches!(key, "redis_version" | "valkey_version")
            .then(|| escape_bytes(value.trim().as_bytes()))
    })
}

/// Sends `GET /` and reads the cluster's name and version from the JSON it returns.
pub async fn probe_elasticsearch(
    addr: SocketAddr,
    host: &str,
    timing: BannerTiming,
) -> Result<ElasticsearchFacts, ProbeError> {
    let port = addr.port();
    let mut stream = connect(addr, timing.connect, ProbeKind::Elasticsearch).await?;
    let request = format!(
        "GET / HTTP/1.0\r\nHost: {host}\r\nAccept: application/json\r\nUser-Agent: postura/{}\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let reply = exchange(
        &mut stream,
        ProbeKind::Elasticsearch,
        port,
        request.as_bytes(),
        timing.answer,
    )
    .await?;
    read_elasticsearch_reply(&reply).ok_or_else(|| {
        protocol_error(
            ProbeKind::Elasticsearch,
            port,
            "the reply to GET / is not HTTP",
        )
    })
}

/// What an Elasticsearch or OpenSearch reply to `GET /` says: the status, and the cluster's
/// name and version from the JSON body. `None` when the reply is not HTTP.
pub fn read_elasticsearch_reply(reply: &[u8]) -> Option<ElasticsearchFacts> {
    let http = parse_http_response(reply)?;
    let body = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| &reply[i + 4..])
        .unwrap_or_default();
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let text = |pointer: &str| {
        json.as_ref()
            .and_then(|j| j.pointer(pointer))
            .and_then(serde_json::Value::as_str)
            .map(|s| escape_bytes(&s.as_bytes()[..s.len().min(128)]))
    };
    let distribution = text("/version/distribution").or_else(|| {
        json.as_ref()
            .and_then(|j| j.pointer("/version/number"))
            .map(|_| "elasticsearch".to_owned())
    });
    Some(ElasticsearchFacts {
        status: http.status,
        auth_required: matches!(http.status, 401 | 403),
        distribution,
        version: text("/version/number"),
        cluster_name: text("/cluster_name"),
    })
}

/// Reads the greeting, asks `FEAT`, tries an anonymous login, and says `QUIT`.
pub async fn probe_ftp(
    addr: SocketAddr,
    timing: BannerTiming,
) -> Result<(FtpFacts, Banner), ProbeError> {
    let port = addr.port();
    let mut stream = connect(addr, timing.connect, ProbeKind::Ftp).await?;
    let (greeting, cut) = read_bounded(&mut stream, REPLY_LIMIT, timing.greeting, IDLE)
        .await
        .map_err(|e| io_error(ProbeKind::Ftp, port, &e))?;
    if !greeting.starts_with(b"220") {
        return Err(protocol_error(
            ProbeKind::Ftp,
            port,
            format!(
                "expected a 220 greeting, got `{}`",
                escape_bytes(first_line(&greeting))
            ),
        ));
    }
    let banner = Banner::from_bytes(&greeting, cut);
    let feat = exchange(
        &mut stream,
        ProbeKind::Ftp,
        port,
        b"FEAT\r\n",
        timing.answer,
    )
    .await?;
    let auth_tls_offered = ftp_offers_tls(&feat);
    let user = exchange(
        &mut stream,
        ProbeKind::Ftp,
        port,
        b"USER anonymous\r\n",
        timing.answer,
    )
    .await?;
    let mut code = ftp_reply_code(&user);
    if code == Some(331) {
        let pass = exchange(
            &mut stream,
            ProbeKind::Ftp,
            port,
            b"PASS anonymous@\r\n",
            timing.answer,
        )
        .await?;
        code = ftp_reply_code(&pass);
    }
    let _ = stream.write_all(b"QUIT\r\n").await;
    let login_reply_code = code.ok_or_else(|| {
        protocol_error(ProbeKind::Ftp, port, "no reply code to the login attempt")
    })?;
    Ok((
        FtpFacts {
            greeting: escape_bytes(first_line(&greeting)),
            auth_tls_offered,
            anonymous_login: login_reply_code == 230,
            login_reply_code,
        },
        banner,
    ))
}

/// Whether a reply to `FEAT` lists `AUTH TLS` (or the older `AUTH SSL`).
pub fn ftp_offers_tls(feat: &[u8]) -> bool {
    String::from_utf8_lossy(feat).lines().any(|l| {
        l.trim().eq_ignore_ascii_case("AUTH TLS") || l.trim().eq_ignore_ascii_case("AUTH SSL")
    })
}

/// The three-digit code of the last line of an FTP reply (multi-line replies end with
/// `NNN text`).
pub fn ftp_reply_code(reply: &[u8]) -> Option<u16> {
    let text = String::from_utf8_lossy(reply);
    text.lines()
        .rev()
        .find(|l| {
            l.len() >= 3
                && l.as_bytes()[..3].iter().all(u8::is_ascii_digit)
                && l.as_bytes().get(3) != Some(&b'-')
        })
        .and_then(|l| l[..3].parse().ok())
}

/// Sends `stats` and reads the version.
pub async fn probe_memcached(
    addr: SocketAddr,
    timing: BannerTiming,
) -> Result<MemcachedFacts, ProbeError> {
    let port = addr.port();
    let mut stream = connect(addr, timing.connect, ProbeKind::Memcached).await?;
    let reply = exchange(
        &mut stream,
        ProbeKind::Memcached,
        port,
        b"stats\r\n",
        timing.answer,
    )
    .await?;
    let _ = stream.write_all(b"quit\r\n").await;
    read_memcached_stats(&reply)
        .ok_or_else(|| protocol_error(ProbeKind::Memcached, port, "no reply to stats"))
}

/// What a reply to memcached's `stats` says: whether statistics are open to anyone, and the
/// version. `None` for an empty reply.
pub fn read_memcached_stats(reply: &[u8]) -> Option<MemcachedFacts> {
    let text = String::from_utf8_lossy(reply);
    let stats_open = text.lines().any(|l| l.starts_with("STAT "));
    if !stats_open && reply.is_empty() {
        return None;
    }
    let version = text
        .lines()
        .find_map(|l| l.strip_prefix("STAT version "))
        .map(|v| escape_bytes(v.trim().as_bytes()));
    Some(MemcachedFacts {
        stats_open,
        version,
    })
}

/// Reads what a Telnet service sends, separating option negotiation from text.
pub async fn probe_telnet(
    addr: SocketAddr,
    timing: BannerTiming,
) -> Result<(TelnetFacts, Banner), ProbeError> {
    let port = addr.port();
    let mut stream = connect(addr, timing.connect, ProbeKind::Telnet).await?;
    let (raw, cut) = read_bounded(&mut stream, REPLY_LIMIT, timing.greeting, IDLE)
        .await
        .map_err(|e| io_error(ProbeKind::Telnet, port, &e))?;
    if raw.is_empty() {
        return Err(protocol_error(
            ProbeKind::Telnet,
            port,
            "the service sent nothing",
        ));
    }
    let (negotiation, text) = strip_telnet_commands(&raw);
    Ok((
        TelnetFacts {
            negotiation,
            text: escape_bytes(&text[..text.len().min(256)]),
        },
        Banner::from_bytes(&raw, cut),
    ))
}

/// Removes Telnet IAC command sequences (RFC 854/855): `IAC cmd opt` for WILL/WONT/DO/DONT,
/// `IAC SB ... IAC SE` for sub-negotiation, `IAC IAC` for a literal 0xff.
pub fn strip_telnet_commands(raw: &[u8]) -> (bool, Vec<u8>) {
    const IAC: u8 = 0xff;
    const SB: u8 = 250;
    const SE: u8 = 240;
    let mut out = Vec::with_capacity(raw.len());
    let mut negotiated = false;
    let mut i = 0;
    while i < raw.len() {
        if raw[i] != IAC {
            out.push(raw[i]);
            i += 1;
            continue;
        }
        match raw.get(i + 1) {
            Some(&IAC) => {
                out.push(IAC);
                i += 2;
            }
            Some(&SB) => {
                negotiated = true;
                i += 2;
                while i + 1 < raw.len() && !(raw[i] == IAC && raw[i + 1] == SE) {
                    i += 1;
                }
                i += 2;
            }
            Some(&(251..=254)) => {
                negotiated = true;
                i += 3;
            }
            Some(_) => {
                negotiated = true;
                i += 2;
            }
            None => i += 1,
        }
    }
    (negotiated, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_telnet_negotiation() {
        let raw = b"\xff\xfd\x18\xff\xfa\x18\x01\xff\xf0login: \xff\xff";
        let (negotiated, text) = strip_telnet_commands(raw);
        assert!(negotiated);
        assert_eq!(text, b"login: \xff");
    }

    #[test]
    fn ftp_reply_code_takes_the_final_line() {
        assert_eq!(
            ftp_reply_code(b"230-Welcome\r\n230-more\r\n230 Login successful.\r\n"),
            Some(230)
        );
        assert_eq!(ftp_reply_code(b"530 Login incorrect.\r\n"), Some(530));
        assert_eq!(ftp_reply_code(b"garbage"), None);
    }

    #[test]
    fn redis_info_version_is_read() {
        let info = b"$100\r\n# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n";
        assert_eq!(redis_info_version(info).as_deref(), Some("7.0.15"));
    }
}
