//! The HTTP layer of a TLS endpoint: one `GET /` over HTTPS (reqwest), redirects not
//! followed, certificate problems ignored (the certificate probe reports them once), and the
//! connection always made to the scanned address, never to whatever DNS says today.

use std::net::SocketAddr;

use super::super::banner::BannerTiming;
use crate::facts::{HttpsFacts, escape_bytes};

/// Asks `GET /` over HTTPS. `None` when the endpoint does not answer HTTP.
pub async fn probe_https(
    addr: SocketAddr,
    name: Option<&str>,
    timing: BannerTiming,
) -> Option<HttpsFacts> {
    let host = match (name, addr) {
        (Some(n), _) => n.to_owned(),
        (None, SocketAddr::V6(v6)) => format!("[{}]", v6.ip()),
        (None, SocketAddr::V4(v4)) => v4.ip().to_string(),
    };
    let mut builder = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timing.connect)
        .timeout(timing.answer * 2)
        .user_agent(concat!("postura/", env!("CARGO_PKG_VERSION")))
        .no_proxy();
    if let Some(n) = name {
        builder = builder.resolve(n, addr);
    }
    let client = builder.build().ok()?;
    let url = format!("https://{host}:{}/", addr.port());
    let response = client.get(&url).send().await.ok()?;
    let header = |key: &str| {
        response
            .headers()
            .get(key)
            .map(|v| escape_bytes(&v.as_bytes()[..v.as_bytes().len().min(256)]))
    };
    let hsts = header("strict-transport-security");
    let (max_age, include_subdomains, preload) = hsts
        .as_deref()
        .map(parse_hsts)
        .unwrap_or((None, false, false));
    Some(HttpsFacts {
        status: response.status().as_u16(),
        server: header("server"),
        location: header("location"),
        hsts,
        hsts_max_age: max_age,
        hsts_include_subdomains: include_subdomains,
        hsts_preload: preload,
    })
}

/// Reads `max-age`, `includeSubDomains` and `preload` from a Strict-Transport-Security value
/// (RFC 6797 §6.1: directives are case-insensitive, `max-age` may be quoted).
pub fn parse_hsts(value: &str) -> (Option<u64>, bool, bool) {
    let mut max_age = None;
    let (mut subdomains, mut preload) = (false, false);
    for directive in value.split(';') {
        let directive = directive.trim();
        let (name, arg) = directive
            .split_once('=')
            .map_or((directive, None), |(n, a)| (n.trim(), Some(a.trim())));
        match name.to_ascii_lowercase().as_str() {
            "max-age" => max_age = arg.and_then(|a| a.trim_matches('"').parse().ok()),
            "includesubdomains" => subdomains = true,
            "preload" => preload = true,
            _ => {}
        }
    }
    (max_age, subdomains, preload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsts_directives() {
        assert_eq!(
            parse_hsts("max-age=63072000; includeSubDomains; preload"),
            (Some(63_072_000), true, true)
        );
        assert_eq!(parse_hsts("MAX-AGE=\"300\""), (Some(300), false, false));
        assert_eq!(parse_hsts("includesubdomains"), (None, true, false));
        assert_eq!(parse_hsts("max-age=abc"), (None, false, false));
    }
}
