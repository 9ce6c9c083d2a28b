//! Support life cycles: the endoflife.date data shipped in `data/endoflife/` (snapshot of
//! 2026-08-22, MIT), and the lookups that attach a release cycle to what a scan revealed
//! (`host.lifecycle`).
//!
//! What is read, and how it is identified:
//! - an SSH identification naming a distribution's package (`OpenSSH_9.2p1 Debian-2+deb12u3`,
//!   `OpenSSH_8.9p1 Ubuntu-3ubuntu0.10`): that distribution release, judged by its own cycle
//!   (distributions backport fixes; the upstream version says nothing about them);
//! - `Microsoft-IIS/7.0` to `8.5` in an HTTP `Server` header: the Windows Server release it
//!   ships with (IIS 10.0 ships with every release since 2016 and names none);
//! - nginx, Apache httpd, Redis, Elasticsearch, OpenSearch and memcached versions: the upstream
//!   release cycle, which a distribution may outlive with its own patches;
//! - OpenSSH without a distribution, and products without data: listed, not judged.
//!
//! No CVE is guessed from a version number.

use std::collections::HashMap;
use std::sync::LazyLock;

use include_dir::{Dir, include_dir};
use serde::Deserialize;

use crate::facts::{Facts, HostFacts, LifecycleFacts};

/// The data and its snapshot date, as reports name them.
pub const SOURCE: &str = "endoflife.date 2026-08-22";

static DATA: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/data/endoflife");

#[derive(Debug, Deserialize)]
struct ProductFile {
    title: String,
    #[serde(default)]
    releases: Vec<Release>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Flag(bool),
    Number(f64),
    Text(String),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Self::Flag(b) => b.to_string(),
            Self::Number(n) => n.to_string(),
            Self::Text(t) => t.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Release {
    #[serde(rename = "releaseCycle")]
    cycle: Scalar,
    #[serde(rename = "releaseLabel", default)]
    label: Option<String>,
    #[serde(default)]
    codename: Option<String>,
    #[serde(default)]
    eol: Option<Scalar>,
    #[serde(default)]
    eoes: Option<Scalar>,
    /// The newest version of the cycle (for Windows, `10.0.19045`: the build names the cycle).
    #[serde(default)]
    latest: Option<Scalar>,
}

struct Product {
    title: String,
    releases: Vec<Release>,
}

/// Every product of the data, by its endoflife.date name.
static PRODUCTS: LazyLock<HashMap<String, Product>> = LazyLock::new(|| {
    DATA.files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "yaml"))
        .filter_map(|f| {
            let slug = f.path().file_stem()?.to_str()?.to_owned();
            let parsed: ProductFile = serde_saphyr::from_str(f.contents_utf8()?).ok()?;
            Some((
                slug,
                Product {
                    title: parsed.title,
                    releases: parsed.releases,
                },
            ))
        })
        .collect()
});

/// Products with data, for the report and the tests.
pub fn products() -> Vec<String> {
    let mut names: Vec<String> = PRODUCTS.keys().cloned().collect();
    names.sort();
    names
}

/// Something seen that has a life cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `os` or `product`.
    pub kind: &'static str,
    /// The endoflife.date product, or a name for one without data.
    pub product: String,
    /// The version as seen; for an OS, its release (`12`, `22.04`, `2012-r2`).
    pub version: String,
    /// `distribution`, `vendor`, `upstream` or `evidence`.
    pub basis: &'static str,
}

/// What an SSH identification string reveals: the distribution release its package names,
/// or OpenSSH's upstream version (no data: not judged).
pub fn from_ssh(identification: &str) -> Vec<Seen> {
    let software = identification
        .trim()
        .splitn(3, '-')
        .nth(2)
        .unwrap_or(identification);
    let Some(rest) = software.strip_prefix("OpenSSH_") else {
        return Vec::new();
    };
    let (upstream, comment) = rest.split_once(' ').unwrap_or((rest, ""));
    let upstream: String = upstream
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let mut seen = vec![Seen {
        kind: "product",
        product: "openssh".into(),
        version: upstream.clone(),
        basis: "upstream",
    }];
    let comment = comment.trim();
    if let Some(package) = comment.strip_prefix("Debian-") {
        // `+deb12u3`: the security update of Debian 12; otherwise the release that shipped
        // this upstream version.
        let release = package
            .split("+deb")
            .nth(1)
            .and_then(|s| s.split('u').next())
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_owned)
            .or_else(|| debian_release_of_openssh(&upstream).map(str::to_owned));
        if let Some(release) = release {
            seen.push(Seen {
                kind: "os",
                product: "debian".into(),
                version: release,
                basis: "distribution",
            });
        }
    } else if comment.starts_with("Ubuntu-")
        && let Some(release) = ubuntu_release_of_openssh(&upstream)
    {
        seen.push(Seen {
            kind: "os",
            product: "ubuntu".into(),
            version: release.into(),
            basis: "distribution",
        });
    }
    seen
}

/// The Debian release whose OpenSSH package has this upstream version (Debian's package
/// tracker: the version each stable release shipped).
fn debian_release_of_openssh(upstream: &str) -> Option<&'static str> {
    Some(match upstream {
        "10.0p1" => "13",
        "9.2p1" => "12",
        "8.4p1" => "11",
        "7.9p1" => "10",
        "7.4p1" => "9",
        "6.7p1" => "8",
        _ => return None,
    })
}

/// The Ubuntu release whose OpenSSH package has this upstream version (Launchpad: the
/// version each release shipped).
fn ubuntu_release_of_openssh(upstream: &str) -> Option<&'static str> {
    Some(match upstream {
        "9.6p1" => "24.04",
        "8.9p1" => "22.04",
        "8.2p1" => "20.04",
        "7.6p1" => "18.04",
        "7.2p2" => "16.04",
        "6.6.1p1" => "14.04",
        _ => return None,
    })
}

/// What an HTTP `Server` header reveals.
pub fn from_server_header(server: &str) -> Option<Seen> {
    let first = server.split_whitespace().next()?;
    let (name, version) = first.split_once('/')?;
    let version: String = version
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    if version.is_empty() {
        return None;
    }
    let (kind, product, version, basis) = match name.to_ascii_lowercase().as_str() {
        "microsoft-iis" => {
            // IIS ships with Windows Server; 10.0 with every release since 2016.
            let release = match version.as_str() {
                // The data knows these two with their last service pack only.
                "7.0" => "2008-sp2",
                "7.5" => "2008-r2-sp1",
                "8.0" => "2012",
                "8.5" => "2012-r2",
                _ => return None,
            };
            ("os", "windows-server", release.to_owned(), "vendor")
        }
        "nginx" => ("product", "nginx", version, "upstream"),
        "apache" => ("product", "apache-http-server", version, "upstream"),
        _ => return None,
    };
    Some(Seen {
        kind,
        product: product.into(),
        version,
        basis,
    })
}

/// The Windows release a `systeminfo` OS name and version name (`Microsoft Windows Server
/// 2019 Standard`, `10.0.17763 N/A Build 17763`, in any display language): Windows Server by
/// the year in its name, or by its build for the semi-annual releases that have none; Windows
/// by its build (the data's newest build of each cycle) and edition (Enterprise and
/// Education have longer support; LTSC longer still).
pub fn from_windows(os_name: &str, os_version: &str) -> Option<Seen> {
    let build = os_version.split_whitespace().next()?;
    let words: Vec<&str> = os_name.split_whitespace().collect();
    let has = |word: &str| words.iter().any(|w| w.eq_ignore_ascii_case(word));
    let same_build = |r: &&Release| has_build(r, build);
    let (product, cycle) = if has("Server") {
        let releases = &PRODUCTS.get("windows-server")?.releases;
        let year = words
            .iter()
            .position(|w| w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()));
        let cycle = match year {
            Some(at) => {
                let mut prefix = words[at].to_owned();
                if words
                    .get(at + 1)
                    .is_some_and(|w| w.eq_ignore_ascii_case("R2"))
                {
                    prefix.push_str("-r2");
                }
                let candidates: Vec<String> = releases
                    .iter()
                    .map(|r| r.cycle.text())
                    .filter(|c| {
                        (*c == prefix || c.starts_with(&format!("{prefix}-")))
                            && (prefix.ends_with("-r2") || !c.contains("-r2"))
                    })
                    .collect();
                // `5.2.3790 Service Pack 2 Build 3790`: the service pack, in English only.
                let service_pack = os_version
                    .split_once("Service Pack ")
                    .and_then(|(_, rest)| rest.split_whitespace().next())
                    .map(|n| format!("-sp{n}"));
                candidates
                    .iter()
                    .find(|c| service_pack.as_ref().is_some_and(|sp| c.ends_with(sp)))
                    .or_else(|| candidates.first())?
                    .clone()
            }
            None => releases
                .iter()
                .filter(same_build)
                .map(|r| r.cycle.text())
                .find(|c| c.ends_with("-sac") || c.ends_with("-ac"))?,
        };
        ("windows-server", cycle)
    } else {
        let releases = &PRODUCTS.get("windows")?.releases;
        let candidates: Vec<String> = releases
            .iter()
            .filter(same_build)
            .map(|r| r.cycle.text())
            .collect();
        let lts = has("LTSC") || has("LTSB");
        let enterprise = has("Enterprise") || has("Education") || has("IoT");
        let preferred: &[&str] = match (lts, has("IoT"), enterprise) {
            (true, true, _) => &["-iot-lts", "-e-lts"],
            (true, false, _) => &["-e-lts"],
            (false, _, true) => &["-e"],
            (false, _, false) => &["-w"],
        };
        let cycle = preferred
            .iter()
            .find_map(|suffix| candidates.iter().find(|c| c.ends_with(suffix)))
            .or_else(|| {
                candidates
                    .iter()
                    .find(|c| !c.ends_with("-e") && !c.ends_with("-w") && !c.contains("-lts"))
            })
            .or_else(|| candidates.first())?
            .clone();
        ("windows", cycle)
    };
    Some(Seen {
        kind: "os",
        product: product.into(),
        version: cycle,
        basis: "evidence",
    })
}

/// Whether a Windows release's newest version is this build (`10.0.17763`, compared on
/// major, minor and build).
fn has_build(release: &Release, build: &str) -> bool {
    release.latest.as_ref().is_some_and(|latest| {
        latest
            .text()
            .split('.')
            .take(3)
            .eq(build.split('.').take(3))
    })
}

/// The Windows release an NTLM version names (`10.0.17763`, from SMB): a build, not an
/// edition, and servers and clients share builds. Of the releases with this build, the one
/// supported longest is taken, so that a build is judged out of support only when every
/// release that has it is; the second value counts the others.
pub fn from_windows_build(version: &str) -> Option<(Seen, usize)> {
    let end = |r: &Release| {
        let text = |s: &Option<Scalar>| match s {
            Some(Scalar::Text(t)) => Some(t.clone()),
            Some(Scalar::Flag(true)) => Some(String::new()),
            _ => None,
        };
        // Extended support counts; a release without an end date is still supported.
        text(&r.eoes)
            .or_else(|| text(&r.eol))
            .unwrap_or_else(|| "9999".into())
    };
    let mut candidates: Vec<(&str, &Release)> = ["windows-server", "windows"]
        .into_iter()
        .filter_map(|p| Some((p, PRODUCTS.get(p)?)))
        .flat_map(|(p, product)| product.releases.iter().map(move |r| (p, r)))
        .filter(|(_, r)| has_build(r, version))
        .collect();
    // Stable: the first of equals (servers before clients) wins.
    candidates.sort_by_key(|(_, r)| std::cmp::Reverse(end(r)));
    let (product, release) = candidates.first()?;
    Some((
        Seen {
            kind: "os",
            product: (*product).to_owned(),
            version: release.cycle.text(),
            basis: "vendor",
        },
        candidates.len() - 1,
    ))
}

/// The release of `product` this version belongs to: the longest cycle that equals the
/// version or is a prefix of it at a dot.
fn find_release<'p>(product: &'p Product, version: &str) -> Option<&'p Release> {
    product
        .releases
        .iter()
        .filter(|r| {
            let cycle = r.cycle.text();
            version == cycle || version.starts_with(&format!("{cycle}."))
        })
        .max_by_key(|r| r.cycle.text().len())
}

/// A date of the data, checked (`2026-07-11`).
fn date(text: &str) -> Option<String> {
    let date: jiff::civil::Date = text.parse().ok()?;
    Some(date.to_string())
}

/// The fact for something seen: its cycle and dates where the data has them.
pub fn fact(seen: &Seen, seen_in: &str) -> LifecycleFacts {
    let product = PRODUCTS.get(&seen.product);
    let release = product.and_then(|p| find_release(p, &seen.version));
    let title = product.map_or_else(|| display_name(&seen.product), |p| p.title.clone());
    let name = match release {
        Some(r) => match &r.label {
            // Labels of single releases are mostly short (`10 22H2 (E)`, `2022 '__CODENAME__'`).
            Some(label) => {
                let label = label
                    .replace("__RELEASE_CYCLE__", &r.cycle.text())
                    .replace("__CODENAME__", r.codename.as_deref().unwrap_or_default());
                let product_word = title.rsplit(' ').next().unwrap_or(&title);
                if label.to_lowercase().contains(&product_word.to_lowercase()) {
                    label
                } else {
                    format!("{title} {label}")
                }
            }
            None => {
                let label = format!("{title} {}", r.cycle.text());
                match &r.codename {
                    Some(code) => format!("{label} ({code})"),
                    None => label,
                }
            }
        },
        None => format!("{title} {}", seen.version),
    };
    let (support_ends, support_ended) = match release.and_then(|r| r.eol.as_ref()) {
        Some(Scalar::Flag(ended)) => (None, *ended),
        Some(Scalar::Text(text)) => (date(text), false),
        _ => (None, false),
    };
    let extended_until = match release.and_then(|r| r.eoes.as_ref()) {
        Some(Scalar::Text(text)) => date(text),
        _ => None,
    };
    LifecycleFacts {
        kind: seen.kind.into(),
        product: seen.product.clone(),
        name: crate::facts::escape_controls(&name),
        version: crate::facts::escape_controls(&seen.version),
        basis: seen.basis.into(),
        seen_in: crate::facts::escape_controls(seen_in),
        cycle: release.map(|r| r.cycle.text()),
        support_ends,
        support_ended,
        extended_until,
        data: product.map(|_| SOURCE.to_owned()),
    }
}

fn display_name(product: &str) -> String {
    match product {
        "openssh" => "OpenSSH".into(),
        "samba" => "Samba or another non-Windows SMB server, NTLM".into(),
        other => other.into(),
    }
}

/// What the NTLM version an SMB or RDP server names reveals: a Windows build, or (build 0) a
/// server that is not Windows, such as Samba, which is not judged.
fn seen_in_ntlm(port: &crate::facts::PortFacts, at: &str) -> Option<(Seen, String)> {
    let (service, ntlm) = match (&port.smb, &port.rdp) {
        (Some(smb), _) if smb.ntlm.is_some() => ("SMB", smb.ntlm.as_ref()?),
        (_, Some(rdp)) => ("RDP", rdp.ntlm.as_ref()?),
        _ => return None,
    };
    let version = ntlm.version.as_ref()?;
    let seen_in = format!("{at} {service} NTLM {version}");
    if version.ends_with(".0") {
        return Some((
            Seen {
                kind: "product",
                product: "samba".into(),
                version: version.clone(),
                basis: "upstream",
            },
            seen_in,
        ));
    }
    let (seen, others) = from_windows_build(version)?;
    let seen_in = if others > 0 {
        format!(
            "{seen_in} (a build of {} Windows releases: the one supported longest is judged)",
            others + 1
        )
    } else {
        seen_in
    };
    Some((seen, seen_in))
}

/// The fact for an OS an export names; without a release cycle it is listed by the name the
/// export gives (`PRETTY_NAME`, `systeminfo`'s OS name).
pub fn fact_named(seen: &Seen, seen_in: &str, name: Option<&str>) -> LifecycleFacts {
    let mut fact = fact(seen, seen_in);
    if fact.cycle.is_none()
        && let Some(name) = name
    {
        fact.name = crate::facts::escape_controls(name);
    }
    fact
}

/// Everything a host's scanned ports reveal.
fn seen_on_ports(host: &HostFacts) -> Vec<(Seen, String)> {
    let mut out = Vec::new();
    for port in &host.ports {
        let at = format!("{}/tcp", port.port);
        out.extend(seen_in_ntlm(port, &at));
        if let Some(ssh) = &port.ssh {
            for seen in from_ssh(&ssh.version) {
                out.push((seen, format!("{at} {}", ssh.version)));
            }
        }
        let servers = [
            port.http.as_ref().and_then(|h| h.server.as_deref()),
            port.tls
                .as_ref()
                .and_then(|t| t.https.as_ref())
                .and_then(|h| h.server.as_deref()),
        ];
        for server in servers.into_iter().flatten() {
            if let Some(seen) = from_server_header(server) {
                out.push((seen, format!("{at} Server: {server}")));
            }
        }
        let versions = [
            ("redis", port.redis.as_ref().and_then(|r| r.version.clone())),
            (
                "memcached",
                port.memcached.as_ref().and_then(|m| m.version.clone()),
            ),
            (
                if port
                    .elasticsearch
                    .as_ref()
                    .and_then(|e| e.distribution.as_deref())
                    .is_some_and(|d| d.eq_ignore_ascii_case("opensearch"))
                {
                    "opensearch"
                } else {
                    "elasticsearch"
                },
                port.elasticsearch.as_ref().and_then(|e| e.version.clone()),
            ),
        ];
        for (product, version) in versions {
            if let Some(version) = version {
                out.push((
                    Seen {
                        kind: "product",
                        product: product.into(),
                        version: version.clone(),
                        basis: "upstream",
                    },
                    format!("{at} {product} {version}"),
                ));
            }
        }
    }
    out
}

/// Attaches the life cycles of what every host's ports revealed (`host.lifecycle`), keeping
/// those evidence gave; each product and version once per host, at the first place seen.
pub fn annotate(facts: &mut Facts) {
    for host in &mut facts.hosts {
        let mut found: Vec<LifecycleFacts> = host
            .lifecycle
            .iter()
            .filter(|l| l.basis == "evidence")
            .cloned()
            .collect();
        for (seen, at) in seen_on_ports(host) {
            let duplicate = found
                .iter()
                .any(|l| l.product == seen.product && l.version == seen.version);
            if !duplicate {
                found.push(fact(&seen, &at));
            }
        }
        host.lifecycle = found;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_reads() {
        let files = DATA
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "yaml"))
            .count();
        assert_eq!(PRODUCTS.len(), files);
        assert!(PRODUCTS.values().all(|p| !p.releases.is_empty()));
    }

    #[test]
    fn windows_releases_by_name_build_and_edition() {
        let cycle = |name: &str, version: &str| from_windows(name, version).map(|s| s.version);
        let server =
            |name: &str, version: &str| from_windows(name, version).map(|s| (s.product, s.version));
        assert_eq!(
            server(
                "Microsoft Windows Server 2019 Standard",
                "10.0.17763 N/A Build 17763"
            ),
            Some(("windows-server".into(), "2019".into()))
        );
        assert_eq!(
            cycle(
                "Microsoft Windows Server 2012 R2 Datacenter",
                "6.3.9600 Nicht zutreffend Build 9600"
            )
            .as_deref(),
            Some("2012-r2")
        );
        assert_eq!(
            cycle(
                "Microsoft Windows Server 2012 Standard",
                "6.2.9200 N/A Build 9200"
            )
            .as_deref(),
            Some("2012")
        );
        assert_eq!(
            cycle(
                "Microsoft Windows Server 2008 R2 Enterprise",
                "6.1.7601 Service Pack 1 Build 7601"
            )
            .as_deref(),
            Some("2008-r2-sp1")
        );
        assert_eq!(
            cycle(
                "Microsoft Windows Server 2003 Standard Edition",
                "5.2.3790 Service Pack 1 Build 3790"
            )
            .as_deref(),
            Some("2003-sp1")
        );
        assert_eq!(
            cycle(
                "Microsoft Windows Server Datacenter",
                "10.0.19042 N/A Build 19042"
            )
            .as_deref(),
            Some("20h2-sac")
        );
        assert_eq!(
            server("Microsoft Windows 10 Pro", "10.0.19045 N/A Build 19045"),
            Some(("windows".into(), "10-22h2".into()))
        );
        assert_eq!(
            cycle(
                "Microsoft Windows 10 Enterprise",
                "10.0.19044 N/A Build 19044"
            )
            .as_deref(),
            Some("10-21h2-e")
        );
        assert_eq!(
            cycle(
                "Microsoft Windows 10 Enterprise LTSC",
                "10.0.17763 N/A Build 17763"
            )
            .as_deref(),
            Some("10-1809-e-lts")
        );
        assert_eq!(
            cycle(
                "Microsoft Windows 11 Famille",
                "10.0.22631 N/A version 22631"
            )
            .as_deref(),
            Some("11-23h2-w")
        );
        assert_eq!(
            cycle("Microsoft Windows 8.1 Pro", "6.3.9600 N/A Build 9600").as_deref(),
            Some("8.1")
        );
        let fact = fact(
            &from_windows("Microsoft Windows 10 Pro", "10.0.19045 N/A Build 19045").unwrap(),
            "systeminfo.txt",
        );
        assert_eq!(fact.name, "Microsoft Windows 10 22H2");
        assert_eq!(fact.support_ends.as_deref(), Some("2025-10-14"));
    }

    #[test]
    fn windows_builds_from_ntlm_take_the_longest_support() {
        let (seen, others) = from_windows_build("10.0.17763").unwrap();
        assert_eq!(
            (seen.product.as_str(), seen.version.as_str()),
            ("windows-server", "2019")
        );
        assert!(others >= 3, "{others}");
        // Windows Server 2012 R2 and Windows 8.1: both ended.
        let (seen, _) = from_windows_build("6.3.9600").unwrap();
        assert_eq!(seen.version, "2012-r2");
        let (seen, others) = from_windows_build("10.0.19045").unwrap();
        assert_eq!(
            (seen.product.as_str(), seen.version.as_str(), others),
            ("windows", "10-22h2", 0)
        );
        assert!(from_windows_build("6.1.0").is_none());
        // The NTLM version of an RDP server's CredSSP challenge.
        let mut port = crate::facts::PortFacts::new(
            3389,
            crate::facts::PortState::Open,
            crate::facts::PortReason::SynAck,
        );
        port.rdp = Some(crate::facts::RdpFacts {
            selected: Some("credssp".into()),
            refusal: None,
            standard_security_accepted: Some(false),
            standard_security_refusal: Some("hybrid-required".into()),
            ntlm: Some(crate::facts::NtlmInfo {
                version: Some("6.1.7601".into()),
                ..Default::default()
            }),
        });
        let (seen, at) = seen_in_ntlm(&port, "3389/tcp").unwrap();
        assert_eq!(seen.version, "2008-r2-sp1");
        assert!(at.starts_with("3389/tcp RDP NTLM 6.1.7601"), "{at}");
    }

    #[test]
    fn debian_package_banners_name_their_release() {
        let seen = from_ssh("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
        assert_eq!(seen[1].product, "debian");
        assert_eq!(seen[1].version, "12");
        let seen = from_ssh("SSH-2.0-OpenSSH_7.9p1 Debian-10");
        assert_eq!(seen[1].version, "10");
        let seen = from_ssh("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10");
        assert_eq!(
            (seen[1].product.as_str(), seen[1].version.as_str()),
            ("ubuntu", "22.04")
        );
        // Upstream OpenSSH alone: listed, no distribution.
        assert_eq!(from_ssh("SSH-2.0-OpenSSH_9.8").len(), 1);
        assert!(from_ssh("SSH-2.0-dropbear_2022.83").is_empty());
    }

    #[test]
    fn releases_carry_their_dates() {
        let debian = fact(
            &Seen {
                kind: "os",
                product: "debian".into(),
                version: "12".into(),
                basis: "distribution",
            },
            "22/tcp",
        );
        assert_eq!(debian.name, "Debian 12 (Bookworm)");
        assert_eq!(debian.support_ends.as_deref(), Some("2026-07-11"));
        assert_eq!(debian.extended_until.as_deref(), Some("2028-06-30"));
        let iis = from_server_header("Microsoft-IIS/8.5").unwrap();
        let windows = fact(&iis, "80/tcp");
        assert_eq!(windows.name, "Windows Server 2012 R2");
        assert_eq!(windows.support_ends.as_deref(), Some("2023-10-10"));
        assert!(from_server_header("Microsoft-IIS/10.0").is_none());
        let nginx = fact(&from_server_header("nginx/1.22.1").unwrap(), "80/tcp");
        assert_eq!(nginx.cycle.as_deref(), Some("1.22"));
        let openssh = fact(&from_ssh("SSH-2.0-OpenSSH_9.8")[0], "22/tcp");
        assert!(openssh.data.is_none() && openssh.cycle.is_none());
    }
}
