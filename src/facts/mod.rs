//! The fact model: everything probes observe, and nothing they conclude.
//!
//! Facts are the contract between the gathering half of postura (probes, later evidence
//! parsers) and the judging half (checks). They serialise to JSON (`postura scan --format
//! facts` writes them; `postura evaluate` reads them back) and the same structure is what CEL
//! conditions see: a check about a host reads `host.ports`, `host.state`, and so on. Field
//! names are therefore a public interface; the JSON Schema in `schemas/facts.schema.json` is
//! generated from these types.
//!
//! A failed probe is a fact ([`ProbeError`]), never an `Err`: a timeout says something about
//! the network, and the checks decide what it means.

use std::collections::BTreeMap;
use std::net::IpAddr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod backup;
mod encryption;
mod evidence;
mod firewall;
mod lifecycle;
mod patching;
mod udp;
pub use backup::*;
pub use encryption::*;
pub use evidence::*;
pub use firewall::*;
pub use lifecycle::*;
pub use patching::*;
pub use udp::*;

/// Version of the facts document. Bumped when a field changes meaning or disappears.
pub const FACTS_SCHEMA_VERSION: u32 = 1;

/// Upper bound on the bytes of a banner kept as a fact; banners are attacker-controlled.
pub const MAX_BANNER_BYTES: usize = 512;

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One facts document: what a single `postura scan` observed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// Always [`FACTS_SCHEMA_VERSION`] for documents this version writes.
    pub schema_version: u32,
    /// The program that gathered the facts.
    pub tool: ToolInfo,
    /// When gathering started (RFC 3339, UTC).
    #[schemars(with = "String")]
    pub started_at: jiff::Timestamp,
    /// When gathering finished (RFC 3339, UTC).
    #[schemars(with = "String")]
    pub finished_at: jiff::Timestamp,
    /// How the network scan was run, if there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<ScanSettings>,
    /// Every host that was in scope, in address order, then hosts known only from evidence.
    #[serde(default)]
    pub hosts: Vec<HostFacts>,
    /// Cloud accounts and identity-provider tenants read from evidence.
    #[serde(default)]
    pub identities: Vec<IdentityFacts>,
    /// Every file of the evidence folder and what became of it.
    #[serde(default)]
    pub evidence_files: Vec<EvidenceFileFacts>,
    /// Hosts that answered with every scanned port closed and nothing else known about them,
    /// counted per port list rather than listed, when there are more than
    /// [`LISTED_CLOSED_HOSTS`] (a sweep of a /16 whose every address resets). Each group is
    /// judged once, as one asset standing for its hosts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_hosts: Vec<ClosedHosts>,
    /// The run was stopped (SIGINT, SIGTERM) before it finished: what it covered. Absent for
    /// a complete run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<Interruption>,
}

/// Hosts with every scanned port closed are listed one by one up to this many; beyond, they
/// are counted (`closed_hosts`).
pub const LISTED_CLOSED_HOSTS: usize = 1024;

/// Hosts that answered on every scanned port with a reset, and of which nothing else is known.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ClosedHosts {
    /// The ports scanned on each of them, as ranges (`22,80,443,8000-8100`).
    pub scanned_ports: String,
    /// How many hosts.
    pub count: u64,
    /// Their addresses, as ranges of consecutive addresses (`10.0.0.1-10.0.0.99`) in order.
    pub addresses: Vec<String>,
}

impl ClosedHosts {
    /// The asset the group is judged as: its first and last address and its size.
    pub fn asset_id(&self) -> String {
        let first = self
            .addresses
            .first()
            .map_or("", |r| r.split('-').next().unwrap_or(r));
        let last = self
            .addresses
            .last()
            .map_or("", |r| r.rsplit('-').next().unwrap_or(r));
        format!(
            "{first}…{last}: {} hosts, every scanned port closed",
            self.count
        )
    }

    /// Every address of the group.
    pub fn each_address(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.addresses.iter().flat_map(|range| {
            let (first, last) = range.split_once('-').unwrap_or((range, range));
            let (first, last) = (first.parse::<IpAddr>().ok(), last.parse::<IpAddr>().ok());
            let (first, last) = match (first, last) {
                (Some(first), Some(last)) => (address_number(first), address_number(last)),
                _ => (1, 0),
            };
            let v6 = range.contains(':');
            (first..=last).map(move |n| number_address(n, v6))
        })
    }

    /// One host of the group, as the scan recorded it (without its round-trip time).
    pub fn host(&self, address: IpAddr) -> HostFacts {
        let ranges = PortRange::parse_list(&self.scanned_ports);
        let ports: u32 = ranges
            .iter()
            .map(|r| u32::from(r.last) - u32::from(r.first) + 1)
            .sum();
        HostFacts {
            address: Some(address),
            hostnames: Vec::new(),
            state: HostState::Up,
            scanned_ports: self.scanned_ports.clone(),
            port_counts: PortCounts {
                closed: ports,
                ..PortCounts::default()
            },
            ..HostFacts::from_evidence("")
        }
    }
}

fn address_number(address: IpAddr) -> u128 {
    match address {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

fn number_address(n: u128, v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(n.into())
    } else {
        IpAddr::V4(u32::try_from(n).unwrap_or(u32::MAX).into())
    }
}

impl Facts {
    /// Moves the hosts with every scanned port closed (and nothing else known) into
    /// `closed_hosts`, grouped by port list, when there are more than
    /// [`LISTED_CLOSED_HOSTS`]; the order of the rest is kept.
    pub fn count_closed_hosts(&mut self) {
        let closed = self.hosts.iter().filter(|h| h.is_closed_only()).count();
        if closed <= LISTED_CLOSED_HOSTS {
            return;
        }
        let mut groups: BTreeMap<String, Vec<IpAddr>> = BTreeMap::new();
        self.hosts.retain(|host| match host.address {
            Some(address) if host.is_closed_only() => {
                groups
                    .entry(host.scanned_ports.clone())
                    .or_default()
                    .push(address);
                false
            }
            _ => true,
        });
        for (scanned_ports, mut addresses) in groups {
            addresses.sort_unstable();
            let mut ranges: Vec<(IpAddr, IpAddr)> = Vec::new();
            for address in &addresses {
                match ranges.last_mut() {
                    Some((_, last))
                        if last.is_ipv4() == address.is_ipv4()
                            && address_number(*last).checked_add(1)
                                == Some(address_number(*address)) =>
                    {
                        *last = *address;
                    }
                    _ => ranges.push((*address, *address)),
                }
            }
            self.closed_hosts.push(ClosedHosts {
                scanned_ports,
                count: addresses.len() as u64,
                addresses: ranges
                    .into_iter()
                    .map(|(first, last)| {
                        if first == last {
                            first.to_string()
                        } else {
                            format!("{first}-{last}")
                        }
                    })
                    .collect(),
            });
        }
    }

    /// The counted hosts listed again, every host in address order (a shard's result read
    /// for `postura merge`).
    pub fn list_closed_hosts(&mut self) {
        if self.closed_hosts.is_empty() {
            return;
        }
        for group in std::mem::take(&mut self.closed_hosts) {
            let hosts: Vec<HostFacts> = group.each_address().map(|a| group.host(a)).collect();
            self.hosts.extend(hosts);
        }
        // Scanned hosts come in address order, evidence-only ones (no address) after them.
        self.hosts.sort_by_key(|h| (h.address.is_none(), h.address));
    }

    /// Addresses scanned: listed and counted.
    pub fn hosts_scanned(&self) -> u64 {
        self.hosts.iter().filter(|h| h.address.is_some()).count() as u64
            + self.closed_hosts.iter().map(|g| g.count).sum::<u64>()
    }

    /// Hosts that answered: listed and counted.
    pub fn hosts_up(&self) -> u64 {
        self.hosts
            .iter()
            .filter(|h| h.state == HostState::Up)
            .count() as u64
            + self.closed_hosts.iter().map(|g| g.count).sum::<u64>()
    }
}

/// What an interrupted run covered before it stopped.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Interruption {
    /// The signal that stopped it: `SIGINT` or `SIGTERM`; `unfinished` when the result was
    /// judged from the journal of a scan that did not finish (killed, crashed, still running).
    pub signal: String,
    /// When the run noticed it (RFC 3339, UTC).
    #[schemars(with = "String")]
    pub at: jiff::Timestamp,
    /// Hosts of the network scan.
    pub hosts_planned: u64,
    /// Hosts whose every port was scanned.
    pub hosts_complete: u64,
    /// Hosts with some ports scanned.
    pub hosts_partial: u64,
    /// Port probes the scan would have made (hosts × ports).
    pub ports_planned: u64,
    /// Port probes that came to a result.
    pub ports_scanned: u64,
    /// Service probes due on the open ports found.
    pub services_planned: u64,
    /// Service probes that finished.
    pub services_probed: u64,
    /// Evidence files read (every one given, since reading them comes first).
    pub evidence_files: u64,
}

impl Facts {
    /// A document with nothing gathered yet (evidence-only runs start from it).
    pub fn empty(at: jiff::Timestamp) -> Self {
        Self {
            schema_version: FACTS_SCHEMA_VERSION,
            tool: ToolInfo::current(),
            started_at: at,
            finished_at: at,
            scan: None,
            hosts: Vec::new(),
            identities: Vec::new(),
            evidence_files: Vec::new(),
            closed_hosts: Vec::new(),
            interrupted: None,
        }
    }
}

/// Name and version of the gathering program.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ToolInfo {
    /// Program name, `postura`.
    pub name: String,
    /// Program version.
    pub version: String,
}

impl ToolInfo {
    /// This build of postura.
    pub fn current() -> Self {
        Self {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// The settings a network scan ran with, kept so a report can say how it was measured.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ScanSettings {
    /// Target expressions as given on the command line.
    pub targets: Vec<String>,
    /// Port expression as given (`top1000`, `1-1024,3389`, ...).
    pub ports: String,
    /// The UDP ports and services asked (`dns:53,snmp:161`), when `--udp` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udp_ports: Option<String>,
    /// Timing profile name.
    pub profile: String,
    /// Connection attempts in flight at most.
    pub concurrency: usize,
    /// New connection attempts per second at most, if limited.
    pub rate: Option<u32>,
    /// Upper bound of a single connect wait, in milliseconds.
    pub max_timeout_ms: u64,
    /// Addresses dropped because they were outside `--scope` or matched `--exclude`.
    pub skipped_addresses: u64,
    /// What identifies the scan's work: a resumed scan and the shards of one merge share it.
    /// Absent in facts written before journals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<ScanPlan>,
}

/// The identity of a scan's work: the inputs that decide which hosts and ports are scanned
/// and how, the checks that judge them, and the program. `--resume` and `postura merge`
/// compare it field by field and name what differs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ScanPlan {
    /// The program version.
    pub tool_version: String,
    /// Target expressions as given.
    pub targets: Vec<String>,
    /// `--exclude` as given.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// SHA-256 of the `--scope` file, if one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_sha256: Option<String>,
    /// The port expression as given.
    pub ports: String,
    /// The timing profile.
    pub profile: String,
    /// Banners and service probes ran on open ports.
    pub service_probes: bool,
    /// The UDP ports and services asked (`dns:53,snmp:161`), when `--udp` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udp_ports: Option<String>,
    /// SHA-256 of the `--ca-file` bundle, if one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_sha256: Option<String>,
    /// SHA-256 of the check definitions, in id order.
    pub checks_sha256: String,
    /// Addresses of the whole scan, before it was split into shards.
    pub addresses: u64,
    /// SHA-256 of the whole scan's hosts (address, names, ports) in order.
    pub addresses_sha256: String,
    /// This scan's part when the work is split (`--shard I/N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
}

/// One part of a scan split with `--shard I/N`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct Shard {
    /// This part, counted from 0 (as `JOB_COMPLETION_INDEX` counts).
    pub index: u32,
    /// How many parts there are.
    pub count: u32,
}

impl Shard {
    /// Parses `I/N` with `0 <= I < N`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let expected = || {
            format!(
                "`{text}` is not a shard: expected I/N with I counted from 0 and below N, e.g. 0/4 \
                 … 3/4"
            )
        };
        let (index, count) = text.trim().split_once('/').ok_or_else(expected)?;
        let index: u32 = index.trim().parse().map_err(|_| expected())?;
        let count: u32 = count.trim().parse().map_err(|_| expected())?;
        if count == 0 || index >= count {
            return Err(expected());
        }
        Ok(Self { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// [`Interruption::signal`] of a run judged from the journal of a scan that did not finish.
pub const UNFINISHED: i32 = 0;

/// Whether a host answered at all.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HostState {
    /// At least one port answered (SYN-ACK or RST): the host exists and is reachable.
    Up,
    /// Nothing answered: the host is absent or drops everything.
    NoResponse,
    /// The network said the host cannot be reached (ICMP host/network unreachable).
    Unreachable,
    /// Not scanned: known from evidence files only.
    NotScanned,
}

/// What the scan observed about one address.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct HostFacts {
    /// The address scanned.
    /// Absent for hosts known only from evidence files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<IpAddr>,
    /// Names that resolved to this address (from the target list), or the name evidence
    /// files give the host; empty for bare addresses.
    #[serde(default)]
    pub hostnames: Vec<String>,
    /// Whether the host answered.
    pub state: HostState,
    /// The protection needs its manifest states (`schutzbedarf`); `--schutzbedarf` may set
    /// another for the judgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schutzbedarf: Option<crate::checks::Schutzbedarf>,
    /// Smoothed connect round-trip time in milliseconds, when the host answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_ms: Option<f64>,
    /// The TCP ports that were probed, in nmap notation (`1-1024,3389,8080-8090`).
    #[serde(default)]
    pub scanned_ports: String,
    /// How many scanned ports ended in each state.
    pub port_counts: PortCounts,
    /// Ports of `scanned_ports` that were not scanned because the run was interrupted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ports_not_scanned: u64,
    /// Every scanned port that was not closed (open, filtered, unreachable), in port order.
    /// Closed ports are only counted, to keep the document small.
    #[serde(default)]
    pub ports: Vec<PortFacts>,
    /// Probes that could not finish on this host. A failure is an observation, not a crash.
    #[serde(default)]
    pub probe_errors: Vec<ProbeError>,
    /// sshd configuration from evidence, one entry per connection context: the global
    /// settings (`sshd -T`, `sshd_config`), each `sshd -T -C` capture and each `Match` block.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sshd: Vec<SshdConfigFacts>,
    /// PAM service files from evidence.
    #[serde(default)]
    pub pam: Vec<PamServiceFacts>,
    /// Inbound firewall rules from evidence, evaluated per port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall: Option<FirewallFacts>,
    /// Encryption at rest from evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionFacts>,
    /// Backups from evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<BackupFacts>,
    /// The UDP scan (`--udp`): ports and what each service's request revealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udp: Option<UdpFacts>,
    /// Operating systems and products seen, with their support life cycles.
    #[serde(default)]
    pub lifecycle: Vec<LifecycleFacts>,
    /// Patch state from package-manager exports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patching: Option<PatchFacts>,
}

impl HostFacts {
    /// The name an asset is reported under: the address, or the evidence name.
    pub fn asset_id(&self) -> String {
        self.address.map_or_else(
            || self.hostnames.first().cloned().unwrap_or_default(),
            |a| a.to_string(),
        )
    }

    /// Answered with a reset on every scanned port, and nothing else is known: no name, no
    /// evidence, no probe, no port left unscanned.
    pub fn is_closed_only(&self) -> bool {
        self.address.is_some()
            && self.state == HostState::Up
            && self.hostnames.is_empty()
            && self.ports.is_empty()
            && self.ports_not_scanned == 0
            && self.port_counts.open + self.port_counts.filtered + self.port_counts.unreachable == 0
            && self.probe_errors.is_empty()
            && self.sshd.is_empty()
            && self.pam.is_empty()
            && self.firewall.is_none()
            && self.encryption.is_none()
            && self.backup.is_none()
            && self.udp.is_none()
            && self.lifecycle.is_empty()
            && self.patching.is_none()
            && self.schutzbedarf.is_none()
    }

    /// A host known only from evidence.
    pub fn from_evidence(name: &str) -> Self {
        Self {
            address: None,
            hostnames: vec![name.to_owned()],
            state: HostState::NotScanned,
            schutzbedarf: None,
            rtt_ms: None,
            scanned_ports: String::new(),
            port_counts: PortCounts::default(),
            ports_not_scanned: 0,
            ports: Vec::new(),
            probe_errors: Vec::new(),
            sshd: Vec::new(),
            pam: Vec::new(),
            firewall: None,
            encryption: None,
            backup: None,
            udp: None,
            lifecycle: Vec::new(),
            patching: None,
        }
    }
}

/// An inclusive range of port numbers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PortRange {
    /// First port of the range.
    pub first: u16,
    /// Last port of the range (inclusive).
    pub last: u16,
}

impl PortRange {
    /// Collapses a sorted, de-duplicated list of ports into ranges.
    pub fn collapse(sorted_ports: &[u16]) -> Vec<PortRange> {
        let mut ranges: Vec<PortRange> = Vec::new();
        for &port in sorted_ports {
            match ranges.last_mut() {
                Some(range) if u32::from(range.last) + 1 == u32::from(port) => range.last = port,
                _ => ranges.push(PortRange {
                    first: port,
                    last: port,
                }),
            }
        }
        ranges
    }

    /// Writes ranges in nmap notation: `1-1024,3389`.
    pub fn format_list(ranges: &[PortRange]) -> String {
        ranges
            .iter()
            .map(|r| {
                if r.first == r.last {
                    r.first.to_string()
                } else {
                    format!("{}-{}", r.first, r.last)
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads nmap notation back; items that do not parse are skipped.
    pub fn parse_list(text: &str) -> Vec<PortRange> {
        text.split(',')
            .filter_map(|item| {
                let item = item.trim();
                let (a, b) = item.split_once('-').unwrap_or((item, item));
                Some(PortRange {
                    first: a.trim().parse().ok()?,
                    last: b.trim().parse().ok()?,
                })
            })
            .collect()
    }

    /// Whether `port` lies in any of `ranges`.
    pub fn contains(ranges: &[PortRange], port: u16) -> bool {
        ranges.iter().any(|r| r.first <= port && port <= r.last)
    }
}

/// Number of scanned ports per state.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PortCounts {
    /// Ports that accepted a connection.
    pub open: u32,
    /// Ports that answered with a reset.
    pub closed: u32,
    /// Ports that gave no answer, or an "administratively prohibited" one.
    pub filtered: u32,
    /// Ports for which the network reported the host unreachable.
    pub unreachable: u32,
}

/// The state of one TCP port as a connect scan sees it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum PortState {
    /// The three-way handshake completed.
    Open,
    /// The host answered with a reset: reachable, nothing listening.
    Closed,
    /// No answer within the timeout, or a filter answered for the host.
    Filtered,
    /// The network reported host or network unreachable.
    Unreachable,
}

/// Why a port got its state, in nmap's vocabulary where one exists.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PortReason {
    /// Handshake completed.
    SynAck,
    /// Connection refused (RST).
    ConnRefused,
    /// No answer before the timeout, retries included.
    NoResponse,
    /// ICMP unreachable while other ports of the same host answered: a filter, not a dead host.
    AdminProhibited,
    /// ICMP host unreachable.
    HostUnreach,
    /// ICMP network unreachable.
    NetUnreach,
    /// The local host's own policy refused the connection (EPERM/EACCES).
    LocalPolicy,
    /// The socket connected to itself (TCP simultaneous open on loopback): nothing listens.
    SelfConnect,
}

/// What was learnt about one port.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PortFacts {
    /// Port number.
    pub port: u16,
    /// Transport protocol; the connect scan only knows `tcp`.
    pub protocol: String,
    /// Port state.
    pub state: PortState,
    /// Why the port got that state.
    pub reason: PortReason,
    /// The service postura believes listens here, for open ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceGuess>,
    /// The first bytes the service sent (or answered to an HTTP request), escaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<Banner>,
    /// HTTP status line and headers, when the port answered HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpFacts>,
    /// Result of the Redis probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis: Option<RedisFacts>,
    /// Result of the Elasticsearch/OpenSearch probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elasticsearch: Option<ElasticsearchFacts>,
    /// Result of the anonymous FTP probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ftp: Option<FtpFacts>,
    /// Result of the memcached probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memcached: Option<MemcachedFacts>,
    /// Result of the Telnet probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telnet: Option<TelnetFacts>,
    /// Result of the SMB probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smb: Option<SmbFacts>,
    /// Result of the RDP probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rdp: Option<RdpFacts>,
    /// TLS protocol versions and cipher suites, when the port speaks TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsFacts>,
    /// SSH version, algorithms and authentication methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<SshFacts>,
}

impl PortFacts {
    /// A port with only its scan result.
    pub fn new(port: u16, state: PortState, reason: PortReason) -> Self {
        Self {
            port,
            protocol: "tcp".to_owned(),
            state,
            reason,
            service: None,
            banner: None,
            http: None,
            redis: None,
            elasticsearch: None,
            ftp: None,
            memcached: None,
            telnet: None,
            smb: None,
            rdp: None,
            tls: None,
            ssh: None,
        }
    }
}

/// How the service name was decided.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GuessMethod {
    /// From the port number alone (IANA / common use).
    Port,
    /// From what the service sent.
    Banner,
    /// A protocol probe got a valid answer.
    Probe,
}

/// The service believed to listen on a port.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ServiceGuess {
    /// Lower-case service name (`ssh`, `http`, `redis`, `rdp`, ...).
    pub name: String,
    /// How the name was decided.
    pub method: GuessMethod,
    /// Product and version as announced, if any (`OpenSSH_9.2p1`, `nginx/1.22.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
}

/// The first bytes a service sent, made safe to store and show.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Banner {
    /// Printable ASCII kept; every other byte written as `\xNN`, line breaks as `\r`/`\n`.
    pub text: String,
    /// How many bytes were read (at most [`MAX_BANNER_BYTES`]).
    pub bytes: usize,
    /// Whether the service had more to say than was kept.
    pub truncated: bool,
}

impl Banner {
    /// Escapes raw bytes into a banner; never interprets them.
    pub fn from_bytes(raw: &[u8], truncated: bool) -> Self {
        let kept = &raw[..raw.len().min(MAX_BANNER_BYTES)];
        Self {
            text: escape_bytes(kept),
            bytes: kept.len(),
            truncated: truncated || raw.len() > MAX_BANNER_BYTES,
        }
    }
}

/// Makes text from the network inert for reports and the terminal: control characters
/// (escape sequences, DEL, C1 controls) become `\xNN` or `\u{NNNN}`; everything printable,
/// umlauts included, stays.
pub(crate) fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match u32::from(c) {
            _ if !c.is_control() => out.push(c),
            n @ 0..=0xff => out.push_str(&format!("\\x{n:02x}")),
            n => out.push_str(&format!("\\u{{{n:04x}}}")),
        }
    }
    out
}

#[cfg(test)]
mod escape_tests {
    #[test]
    fn control_characters_are_escaped_and_umlauts_kept() {
        assert_eq!(super::escape_controls("Müller GmbH"), "Müller GmbH");
        assert_eq!(
            super::escape_controls("a\u{1b}[31mb\u{7f}"),
            "a\\x1b[31mb\\x7f"
        );
        assert_eq!(super::escape_controls("\u{2028}"), "\u{2028}");
        assert_eq!(super::escape_controls("\u{85}"), "\\x85");
    }
}

/// Escapes bytes to printable ASCII: `\r`, `\n`, `\t`, `\\` and `\xNN` for the rest.
pub(crate) fn escape_bytes(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for &b in raw {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// What an HTTP request to the port returned.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct HttpFacts {
    /// Status code of the response.
    pub status: u16,
    /// `Server` header, escaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Whether the response asked for authentication (401 or 407).
    pub auth_required: bool,
    /// `Location` header of a redirect, escaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// Result of `PING` (and `INFO server` when allowed) against a Redis-speaking port.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RedisFacts {
    /// The first reply line to `PING`, escaped (`+PONG`, `-NOAUTH ...`).
    pub ping_reply: String,
    /// The server refused commands until authenticated.
    pub auth_required: bool,
    /// The server refused because of protected mode (no password, non-local client).
    pub protected_mode: bool,
    /// `redis_version` (or `valkey_version`) from `INFO server`, when readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Result of `GET /` against an Elasticsearch or OpenSearch port.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ElasticsearchFacts {
    /// HTTP status of `GET /`.
    pub status: u16,
    /// The cluster answered 401/403: authentication is enforced.
    pub auth_required: bool,
    /// `elasticsearch` or `opensearch` (from `version.distribution`), when readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<String>,
    /// `version.number`, when readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `cluster_name`, when readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
}

/// Result of an anonymous login attempt on an FTP port.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct FtpFacts {
    /// The greeting line, escaped.
    pub greeting: String,
    /// `FEAT` lists `AUTH TLS` (explicit FTPS can be negotiated).
    pub auth_tls_offered: bool,
    /// `USER anonymous` followed by a password was accepted (reply 230).
    pub anonymous_login: bool,
    /// The reply code to the login attempt.
    pub login_reply_code: u16,
}

/// Result of `stats` on a memcached port.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct MemcachedFacts {
    /// `stats` answered without authentication.
    pub stats_open: bool,
    /// `STAT version`, when readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// What an SMB server says before a logon.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct SmbFacts {
    /// The SMB2 dialect it chose (`3.0.2`).
    pub dialect: String,
    /// It requires signed messages (NEGOTIATE's `SIGNING_REQUIRED`).
    pub signing_required: bool,
    /// What its NTLMSSP challenge names, when it offered NTLM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntlm: Option<NtlmInfo>,
    /// Whether it accepts SMB1 (`NT LM 0.12`) from a client that offers nothing else; unknown
    /// when that connection told nothing. The dialect is `NT LM 0.12` when it speaks SMB1 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smb1_accepted: Option<bool>,
}

/// How an RDP server negotiates its security (MS-RDPBCGR 2.2.1.2).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RdpFacts {
    /// What it chose when offered TLS, CredSSP (NLA) and CredSSP with early user
    /// authorization: `tls`, `credssp`, `credssp-early-user-auth`, or `rdp` (standard RDP
    /// security, from servers that negotiate nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected: Option<String>,
    /// Why it refused that offer (`ssl-not-allowed`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// Whether it accepts a client offering standard RDP security only (RC4, no server
    /// authentication, no NLA); unknown when that connection failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_security_accepted: Option<bool>,
    /// Why it refused such a client: `ssl-required`, `hybrid-required` (NLA required),
    /// `ssl-with-user-auth-required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_security_refusal: Option<String>,
    /// What its NTLMSSP challenge over CredSSP names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntlm: Option<NtlmInfo>,
}

/// What an NTLMSSP CHALLENGE names (MS-NLMP): the server's Windows version and its names.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct NtlmInfo {
    /// Windows version and build (`10.0.17763`); Samba and other non-Windows servers send a
    /// build of 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// NetBIOS computer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netbios_computer: Option<String>,
    /// NetBIOS domain name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netbios_domain: Option<String>,
    /// DNS computer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_computer: Option<String>,
    /// DNS domain name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_domain: Option<String>,
    /// DNS forest name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_forest: Option<String>,
}

/// What a Telnet service sent.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct TelnetFacts {
    /// The service sent Telnet option negotiation (IAC sequences).
    pub negotiation: bool,
    /// The text after option negotiation, escaped.
    pub text: String,
}

/// What the TLS protocol probe learnt about one endpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct TlsFacts {
    /// Versions the server accepted (`SSLv3`, `TLSv1.0`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`).
    pub offered: Vec<String>,
    /// Every version asked about, with the suites accepted under it.
    pub versions: Vec<TlsVersionFacts>,
    /// Named groups (curves, finite-field groups, hybrids) the server accepts, asked one by one
    /// under TLS 1.3 when offered, otherwise under TLS 1.2 with ECDHE suites.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Size of the DH prime of the DHE suites (ServerKeyExchange), when DHE is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dh_bits: Option<u32>,
    /// The server answered an oversized heartbeat request (CVE-2014-0160); `None` if the test
    /// could not run (no TLS ≤ 1.2, or no complete flight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbleed: Option<bool>,
    /// The server accepted an early ChangeCipherSpec (CVE-2014-0224); `None` if not decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccs_injection: Option<bool>,
    /// How the server answers RSA key exchanges with broken PKCS#1 padding (ROBOT,
    /// CVE-2017-13099 and relatives); `None` when no RSA key-exchange suite is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub robot: Option<RobotVerdict>,
    /// The server refuses a downgrade signalled with TLS_FALLBACK_SCSV (RFC 7507); `None` if
    /// not decided or only one version is offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_scsv: Option<bool>,
    /// The server chose DEFLATE when offered (CRIME); `None` if not asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<bool>,
    /// The server sent `renegotiation_info` (RFC 5746 secure renegotiation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_renegotiation: Option<bool>,
    /// Answers that were TLS records but broken (cut short, unparsable), per version asked.
    #[serde(default)]
    pub malformed_replies: Vec<String>,
    /// Connections the probe made.
    pub handshakes: u32,
    /// `GET /` over HTTPS, when the endpoint speaks HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https: Option<HttpsFacts>,
    /// The plaintext upgrade used before TLS (`smtp`, `imap`, `pop3`, `ftp`, `ldap`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starttls: Option<String>,
    /// The certificate chain from a full TLS 1.2/1.3 handshake, when one completed that far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateFacts>,
}

/// What `GET /` over HTTPS returned.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct HttpsFacts {
    /// HTTP status.
    pub status: u16,
    /// `Server` header, escaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// `Location` header, escaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The raw `Strict-Transport-Security` header, escaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hsts: Option<String>,
    /// Its `max-age` in seconds, when present and valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hsts_max_age: Option<u64>,
    /// `includeSubDomains` present.
    pub hsts_include_subdomains: bool,
    /// `preload` present.
    pub hsts_preload: bool,
}

/// The certificate chain a server presented and what WebPKI made of it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct CertificateFacts {
    /// The chain exactly as sent, leaf first.
    pub chain: Vec<ChainCertFacts>,
    /// Each certificate's issuer is the next one's subject.
    pub chain_in_order: bool,
    /// WebPKI accepted the chain against the Mozilla roots (webpki-roots) and `--ca-file`:
    /// issuer, validity, signatures, usage. The name is judged apart (`hostname_match`).
    pub trusted: bool,
    /// Why WebPKI did not accept the chain, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_error: Option<String>,
    /// The name (or address) the certificate was checked against.
    pub name_checked: String,
    /// `name_checked` is a name the user gave (a target name, `NAME:PORT`, or an `ADDRESS
    /// NAME` line of a target list). Without one only the address was known, and whether the
    /// certificate fits the name its clients use cannot be judged.
    #[serde(default)]
    pub name_given: bool,
    /// The leaf's SANs cover that name (wildcards for one label).
    pub hostname_match: bool,
    /// The server stapled an OCSP response.
    pub ocsp_stapled: bool,
    /// Why the handshake did not complete, if it did not (the chain may still be known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_error: Option<String>,
}

/// The ROBOT test's outcome, in sslyze's terms.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RobotVerdict {
    /// Every malformed key exchange got the same answer: no padding oracle.
    NotVulnerable,
    /// Only a correctly padded key exchange is told apart: an oracle, slower to exploit.
    WeakOracle,
    /// Several kinds of bad padding are told apart: a practical decryption oracle.
    StrongOracle,
    /// Answers differed between two identical runs; nothing can be concluded.
    Inconsistent,
}

/// One certificate of a chain.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ChainCertFacts {
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// DNS names and IP addresses from subjectAltName.
    #[serde(default)]
    pub sans: Vec<String>,
    /// Start of validity (RFC 3339).
    pub not_before: String,
    /// End of validity (RFC 3339).
    pub not_after: String,
    /// Validity period in days.
    pub lifetime_days: i64,
    /// `rsa`, `ec`, `dsa`, `other`.
    pub key_type: String,
    /// Key size in bits.
    pub key_bits: u32,
    /// Signature algorithm (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, ...).
    pub signature_algorithm: String,
    /// Subject equals issuer.
    pub self_signed: bool,
    /// Serial number, hex.
    pub serial: String,
    /// Set when the DER could not be parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parse_error: Option<String>,
}

/// One protocol version as the server handled it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct TlsVersionFacts {
    /// Version name.
    pub version: String,
    /// A ServerHello for exactly this version came back.
    pub accepted: bool,
    /// Accepted suites, in the order the server chose them.
    #[serde(default)]
    pub suites: Vec<TlsSuiteFacts>,
    /// The server picks by its own order (true) or the client's (false); `None` if not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_preference: Option<bool>,
}

/// A cipher suite, classified from the IANA registry (via tls-parser).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct TlsSuiteFacts {
    /// Suite id, `0xc02f`.
    pub id: String,
    /// IANA name.
    pub name: String,
    /// Key exchange (`ecdhe`, `dhe`, `rsa`, `null`, ...; `tls13` suites report `null`).
    pub kx: String,
    /// Bulk cipher (`aes`, `chacha20`, `tripledes`, `rc4`, `null`, ...).
    pub enc: String,
    /// Bulk cipher key size in bits.
    pub bits: u16,
    /// MAC (`aead`, `hmacsha1`, `hmacmd5`, ...).
    pub mac: String,
    /// Ephemeral key exchange (ECDHE, DHE, or any TLS 1.3 suite).
    pub forward_secrecy: bool,
    /// Authenticated encryption.
    pub aead: bool,
}

/// A probe that could not finish. Kept as a fact so a check can say "not assessed" and why.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ProbeError {
    /// The probe that failed.
    pub probe: ProbeKind,
    /// The port concerned, if the probe is per port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// What went wrong (`timeout`, `reset`, `protocol`, `io`).
    pub kind: String,
    /// Details for the reader.
    pub message: String,
}

/// The probes that record their failures as facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeKind {
    /// The banner grab (and `GET /` on HTTP ports).
    Banner,
    /// Redis `PING` / `INFO`.
    Redis,
    /// Elasticsearch or OpenSearch `GET /`.
    Elasticsearch,
    /// Anonymous FTP login.
    Ftp,
    /// memcached `stats`.
    Memcached,
    /// The Telnet greeting.
    Telnet,
    /// SSH identification, KEXINIT and methods.
    Ssh,
    /// TLS versions, suites and the first flight.
    Tls,
    /// The certificate handshake.
    TlsCertificate,
    /// The STARTTLS upgrade of a mail, FTP or directory service.
    Starttls,
    /// SMB2 NEGOTIATE and the NTLMSSP challenge.
    Smb,
    /// RDP security negotiation and the CredSSP NTLMSSP challenge.
    Rdp,
}

impl ProbeKind {
    /// The name as written in facts.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Banner => "banner",
            Self::Redis => "redis",
            Self::Elasticsearch => "elasticsearch",
            Self::Ftp => "ftp",
            Self::Memcached => "memcached",
            Self::Telnet => "telnet",
            Self::Ssh => "ssh",
            Self::Tls => "tls",
            Self::TlsCertificate => "tls-certificate",
            Self::Starttls => "starttls",
            Self::Smb => "smb",
            Self::Rdp => "rdp",
        }
    }
}

impl std::fmt::Display for ProbeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// The JSON Schema of the facts document.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Facts)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_lists_round_trip_in_nmap_notation() {
        let ranges = PortRange::collapse(&[1, 2, 3, 80, 443, 444]);
        let text = PortRange::format_list(&ranges);
        assert_eq!(text, "1-3,80,443-444");
        assert_eq!(PortRange::parse_list(&text), ranges);
        assert!(PortRange::contains(&ranges, 2) && !PortRange::contains(&ranges, 81));
    }

    #[test]
    fn banners_are_escaped_and_bounded() {
        let banner = Banner::from_bytes(b"a\r\n\x00\xff\\", false);
        assert_eq!(banner.text, "a\\r\\n\\x00\\xff\\\\");
        let long = Banner::from_bytes(&[b'x'; 600], false);
        assert_eq!(long.bytes, MAX_BANNER_BYTES);
        assert!(long.truncated);
    }
}
