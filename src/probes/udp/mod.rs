//! The UDP scan (`--udp`): each service's own request, never a blind payload.
//!
//! Every (host, port) gets its own unconnected socket with `IP_RECVERR` (`IPV6_RECVERR`) set,
//! so the ICMP error a closed port causes comes back on that socket's error queue with its
//! type and code: port unreachable is `closed`, other unreachables `filtered`. An answer from
//! the host (from any port for TFTP, which answers from a new one) is `open`; silence after the
//! retries is `open_filtered`.
//!
//! Retries and pacing follow nmap: hosts rate-limit the ICMP errors they send (Linux: a burst
//! of 6, then one a second per destination), so once a host has sent one, its silent ports
//! are asked again one at a time, `icmp_gap` apart, with more retries; a naive scan would call
//! those closed ports `open|filtered`. Timeouts follow the round-trip times measured.

pub mod dns;
pub mod ipmi;
pub mod ntp;
pub mod snmp;
pub mod tftp;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{Quota, RateLimiter};
use nix::sys::socket::{
    ControlMessageOwned, MsgFlags, SockaddrStorage, recvfrom, recvmsg, setsockopt, sockopt,
};
use tokio::io::Interest;
use tokio::sync::Semaphore;

use super::{Progress, Stage};
use crate::error::RunError;
use crate::facts::{PortRange, UdpFacts, UdpPortCounts, UdpPortFacts, UdpPortState, UdpReason};
use crate::interrupt::Interrupt;

/// The services postura has a request for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UdpService {
    /// DNS, 53.
    Dns,
    /// TFTP, 69.
    Tftp,
    /// NTP, 123.
    Ntp,
    /// SNMP, 161.
    Snmp,
    /// IPMI (RMCP), 623.
    Ipmi,
}

impl UdpService {
    /// Every service, in port order.
    pub const ALL: [UdpService; 5] = [Self::Dns, Self::Tftp, Self::Ntp, Self::Snmp, Self::Ipmi];

    /// Name as used in `--udp-ports` and in facts.
    pub fn name(self) -> &'static str {
        match self {
            Self::Dns => "dns",
            Self::Tftp => "tftp",
            Self::Ntp => "ntp",
            Self::Snmp => "snmp",
            Self::Ipmi => "ipmi",
        }
    }

    /// The IANA port.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Dns => 53,
            Self::Tftp => 69,
            Self::Ntp => 123,
            Self::Snmp => 161,
            Self::Ipmi => 623,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    fn for_port(port: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.default_port() == port)
    }

    /// The shortest wait for the last answer: a resolver recursing for the query needs time.
    fn slow_answer(self) -> Duration {
        match self {
            Self::Dns => Duration::from_millis(2000),
            _ => Duration::ZERO,
        }
    }
}

/// One port of the UDP scan and the request it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UdpPort {
    /// Port number.
    pub port: u16,
    /// The service whose request is sent; `None` sends an empty datagram.
    pub service: Option<UdpService>,
}

/// The default `--udp-ports`: the services of the UDP checks, not a sweep.
pub const DEFAULT_UDP_PORTS: &str = "dns,tftp,ntp,snmp,ipmi";

/// Parses `--udp-ports`: service names (`snmp`), numbers (`161`, service by its IANA port),
/// ranges (`1000-1010`) and a service on another port (`snmp:1161`).
pub fn parse_udp_ports(text: &str) -> Result<Vec<UdpPort>, String> {
    let mut ports = Vec::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let number = |s: &str| -> Result<u16, String> {
            match s.parse::<u16>() {
                Ok(0) | Err(_) => Err(format!("`{s}` is not a port number (1-65535)")),
                Ok(n) => Ok(n),
            }
        };
        if let Some((name, port)) = item.split_once(':') {
            let service = UdpService::from_name(name.trim()).ok_or_else(|| unknown(name))?;
            ports.push(UdpPort {
                port: number(port.trim())?,
                service: Some(service),
            });
        } else if let Some(service) = UdpService::from_name(item) {
            ports.push(UdpPort {
                port: service.default_port(),
                service: Some(service),
            });
        } else if let Some((first, last)) = item.split_once('-') {
            let (first, last) = (number(first.trim())?, number(last.trim())?);
            if first > last {
                return Err(format!("range `{item}` runs backwards"));
            }
            ports.extend((first..=last).map(|port| UdpPort {
                port,
                service: UdpService::for_port(port),
            }));
        } else if item.bytes().all(|b| b.is_ascii_digit()) {
            let port = number(item)?;
            ports.push(UdpPort {
                port,
                service: UdpService::for_port(port),
            });
        } else {
            return Err(unknown(item));
        }
    }
    ports.sort_unstable();
    ports.dedup_by_key(|p| p.port);
    if ports.is_empty() {
        return Err("no UDP port given".into());
    }
    Ok(ports)
}

fn unknown(name: &str) -> String {
    format!(
        "`{name}` is neither a port nor a UDP service postura has a request for ({})",
        UdpService::ALL.map(UdpService::name).join(", ")
    )
}

/// The ports and their requests in one line (`dns:53,snmp:1161,5000`): the identity of the
/// UDP work, for the journal.
pub fn format_udp_ports(ports: &[UdpPort]) -> String {
    ports
        .iter()
        .map(|p| match p.service {
            Some(s) => format!("{}:{}", s.name(), p.port),
            None => p.port.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// How long to wait and how often to ask.
#[derive(Debug, Clone, Copy)]
pub struct UdpTiming {
    /// Wait for an answer while no round-trip time is known.
    pub initial_timeout: Duration,
    /// Lower bound of the adaptive wait.
    pub min_timeout: Duration,
    /// Upper bound of the adaptive wait.
    pub max_timeout: Duration,
    /// Extra attempts for a silent port.
    pub retries: u8,
    /// Extra attempts for a silent port on a host that sends ICMP errors (rate limiting).
    pub limited_retries: u8,
    /// Spacing of retransmissions to a host that sends ICMP errors.
    pub icmp_gap: Duration,
    /// Hosts scanned at once.
    pub hosts_in_flight: usize,
}

/// What to scan.
#[derive(Debug, Clone)]
pub struct UdpScanPlan {
    /// Hosts, in target order.
    pub hosts: Vec<IpAddr>,
    /// Ports, sorted.
    pub ports: Vec<UdpPort>,
    /// Waits and retries.
    pub timing: UdpTiming,
    /// Datagrams per second, if limited.
    pub rate: Option<NonZeroU32>,
    /// A stop request.
    pub interrupt: Interrupt,
}

type DirectLimiter = RateLimiter<
    governor::state::NotKeyed,
    governor::state::InMemoryState,
    governor::clock::DefaultClock,
>;

struct Shared {
    timing: UdpTiming,
    rtt: Mutex<Option<(f64, f64)>>,
    limiter: Option<DirectLimiter>,
    interrupt: Interrupt,
}

impl Shared {
    fn timeout(&self) -> Duration {
        let rtt = self.rtt.lock().map(|g| *g).unwrap_or(None);
        match rtt {
            None => self.timing.initial_timeout,
            Some((srtt, rttvar)) => Duration::from_secs_f64(srtt + 4.0 * rttvar)
                .clamp(self.timing.min_timeout, self.timing.max_timeout),
        }
    }

    /// RFC 6298 smoothing of a round-trip sample.
    fn sample(&self, rtt: Duration) {
        let r = rtt.as_secs_f64();
        if let Ok(mut guard) = self.rtt.lock() {
            *guard = Some(match *guard {
                None => (r, r / 2.0),
                Some((srtt, rttvar)) => (
                    0.875 * srtt + 0.125 * r,
                    0.75 * rttvar + 0.25 * (srtt - r).abs(),
                ),
            });
        }
    }

    async fn rate(&self) {
        if let Some(limiter) = &self.limiter {
            while let Err(not_until) = limiter.check() {
                let wait = not_until.wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ));
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// Per-host pacing: retransmissions to a host that has sent ICMP errors go one at a time.
struct HostPace {
    next: tokio::sync::Mutex<Instant>,
    icmp_seen: AtomicBool,
}

impl HostPace {
    async fn turn(&self, retransmission: bool, gap: Duration) {
        if !retransmission || !self.icmp_seen.load(Ordering::Relaxed) {
            return;
        }
        let mut next = self.next.lock().await;
        let now = Instant::now();
        if *next > now {
            tokio::time::sleep_until((*next).into()).await;
        }
        *next = Instant::now() + gap;
    }
}

/// Scans every host's UDP ports; one [`UdpFacts`] per host, in order. Hosts not reached
/// before a stop request count their ports as not scanned.
pub fn udp_scan(
    plan: &UdpScanPlan,
    progress: &mut dyn Progress,
) -> Result<Vec<UdpFacts>, RunError> {
    let scanned_ports = PortRange::format_list(&PortRange::collapse(
        &plan.ports.iter().map(|p| p.port).collect::<Vec<_>>(),
    ));
    let mut services: Vec<String> = Vec::new();
    for service in plan.ports.iter().filter_map(|p| p.service) {
        if !services.iter().any(|s| s == service.name()) {
            services.push(service.name().to_owned());
        }
    }
    let not_scanned = UdpFacts {
        scanned_ports: scanned_ports.clone(),
        services: services.clone(),
        ports_not_scanned: plan.ports.len() as u64,
        ..UdpFacts::default()
    };
    let mut results: Vec<UdpFacts> = vec![not_scanned; plan.hosts.len()];
    if plan.hosts.is_empty() || plan.interrupt.is_raised() {
        return Ok(results);
    }
    let total = plan.hosts.len() as u64;
    progress.update(Stage::Udp, 0, total);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(RunError::Startup)?;
    let shared = Arc::new(Shared {
        timing: plan.timing,
        rtt: Mutex::new(None),
        limiter: plan
            .rate
            .map(|rate| RateLimiter::direct(Quota::per_second(rate))),
        interrupt: plan.interrupt.clone(),
    });
    // Each host holds a socket per port; keep well inside the descriptor limit.
    let nofile = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let by_descriptors =
        usize::try_from(nofile.saturating_sub(128) / (plan.ports.len() as u64 + 1))
            .unwrap_or(1)
            .max(1);
    let limit = Arc::new(Semaphore::new(
        plan.timing.hosts_in_flight.min(by_descriptors).max(1),
    ));
    runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (index, &host) in plan.hosts.iter().enumerate() {
            let limit = Arc::clone(&limit);
            let shared = Arc::clone(&shared);
            let ports = plan.ports.clone();
            let scanned_ports = scanned_ports.clone();
            let services = services.clone();
            set.spawn(async move {
                let _permit = limit.acquire_owned().await;
                if shared.interrupt.is_raised() {
                    return None;
                }
                Some((
                    index,
                    scan_host(host, ports, scanned_ports, services, shared).await,
                ))
            });
        }
        let mut done = 0u64;
        loop {
            let next = tokio::time::timeout(Duration::from_millis(100), set.join_next()).await;
            match next {
                Ok(None) => break,
                Ok(Some(joined)) => {
                    done += 1;
                    progress.update(Stage::Udp, done, total);
                    if let Ok(Some((index, facts))) = joined {
                        results[index] = facts;
                    }
                }
                Err(_) if plan.interrupt.grace_over() => {
                    set.abort_all();
                    break;
                }
                Err(_) => {}
            }
        }
    });
    Ok(results)
}

async fn scan_host(
    host: IpAddr,
    ports: Vec<UdpPort>,
    scanned_ports: String,
    services: Vec<String>,
    shared: Arc<Shared>,
) -> UdpFacts {
    let pace = Arc::new(HostPace {
        next: tokio::sync::Mutex::new(Instant::now()),
        icmp_seen: AtomicBool::new(false),
    });
    let mut set = tokio::task::JoinSet::new();
    for (order, spec) in ports.iter().copied().enumerate() {
        let shared = Arc::clone(&shared);
        let pace = Arc::clone(&pace);
        set.spawn(async move {
            // Request ids and tags differ per host and port, so no answer is taken for another.
            let seed = seed_for(host, spec.port);
            (order, probe_port(host, spec, seed, &shared, &pace).await)
        });
    }
    let mut outcomes: Vec<Option<UdpPortFacts>> = vec![None; ports.len()];
    while let Some(joined) = set.join_next().await {
        if let Ok((order, outcome)) = joined {
            outcomes[order] = outcome;
        }
    }
    let mut facts = UdpFacts {
        scanned_ports,
        services,
        ..UdpFacts::default()
    };
    for outcome in outcomes {
        let Some(port) = outcome else {
            facts.ports_not_scanned += 1;
            continue;
        };
        let counts: &mut UdpPortCounts = &mut facts.counts;
        match port.state {
            UdpPortState::Open => counts.open += 1,
            UdpPortState::OpenFiltered => counts.open_filtered += 1,
            UdpPortState::Closed => counts.closed += 1,
            UdpPortState::Filtered => counts.filtered += 1,
        }
        if port.state != UdpPortState::Closed {
            facts.ports.push(port);
        }
    }
    facts
}

fn seed_for(host: IpAddr, port: u16) -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let host_bits = match host {
        IpAddr::V4(v4) => u32::from(v4),
        IpAddr::V6(v6) => v6.octets().chunks(4).fold(0u32, |acc, c| {
            acc ^ u32::from_be_bytes([c[0], c[1], c[2], c[3]])
        }),
    };
    (host_bits.rotate_left(7) ^ u32::from(port).wrapping_mul(0x9e37_79b9) ^ nanos) | 0x0100
}

/// The conversation with one port.
enum Dialogue {
    Dns(u16, Option<crate::facts::DnsFacts>),
    Tftp(String, Option<crate::facts::TftpFacts>),
    Ntp(ntp::NtpDialogue),
    Snmp(snmp::SnmpDialogue),
    Ipmi(ipmi::IpmiDialogue),
    Empty,
}

/// What an answer means to the dialogue.
struct Taken {
    ours: bool,
    reply: Option<(Vec<u8>, u16)>,
}

impl Dialogue {
    fn new(service: Option<UdpService>, seed: u32) -> Self {
        match service {
            Some(UdpService::Dns) => Self::Dns(seed as u16, None),
            Some(UdpService::Tftp) => Self::Tftp(format!("postura-{seed:08x}.none"), None),
            Some(UdpService::Ntp) => Self::Ntp(ntp::NtpDialogue::new(seed as u16)),
            Some(UdpService::Snmp) => Self::Snmp(snmp::SnmpDialogue::new(seed)),
            Some(UdpService::Ipmi) => Self::Ipmi(ipmi::IpmiDialogue::new(seed)),
            None => Self::Empty,
        }
    }

    fn lead(&self) -> Vec<u8> {
        match self {
            Self::Dns(id, _) => dns::query(*id),
            Self::Tftp(name, _) => tftp::read_request(name),
            Self::Ntp(d) => d.lead(),
            Self::Snmp(d) => d.lead(),
            Self::Ipmi(d) => d.lead(),
            Self::Empty => Vec::new(),
        }
    }

    /// TFTP answers from a new port; everything else from the port asked.
    fn accepts_port(&self, asked: u16, from: u16) -> bool {
        matches!(self, Self::Tftp(..)) || asked == from
    }

    fn take(&mut self, data: &[u8], from_port: u16) -> Taken {
        let mut reply = None;
        let ours = match self {
            Self::Dns(id, facts) => match dns::parse_answer(data, *id) {
                Some(found) => {
                    *facts = Some(found);
                    true
                }
                None => false,
            },
            Self::Tftp(name, facts) => match tftp::parse_answer(data, name, from_port) {
                Some(found) => {
                    // A server that started sending is told to stop.
                    if found.answer != "error" {
                        reply = Some((tftp::abort(), from_port));
                    }
                    facts.get_or_insert(found);
                    true
                }
                None => false,
            },
            Self::Ntp(d) => d.take(data),
            Self::Snmp(d) => d.take(data),
            Self::Ipmi(d) => d.take(data),
            Self::Empty => true,
        };
        Taken { ours, reply }
    }

    fn next_step(&mut self, open: bool) -> Vec<Vec<u8>> {
        match self {
            Self::Ntp(d) => d.next_step(),
            Self::Snmp(d) => d.next_step(),
            Self::Ipmi(d) => d.next_step(open),
            _ => Vec::new(),
        }
    }

    fn pending(&self) -> Vec<Vec<u8>> {
        match self {
            Self::Ntp(d) => d.pending(),
            Self::Snmp(d) => d.pending(),
            Self::Ipmi(d) => d.pending(),
            _ => Vec::new(),
        }
    }

    fn step_done(&self) -> bool {
        let fragments_done = match self {
            Self::Ntp(d) => d.lead_complete(),
            _ => true,
        };
        fragments_done && self.pending().is_empty()
    }

    fn finish(self, facts: &mut UdpPortFacts) {
        match self {
            Self::Dns(_, found) => facts.dns = found,
            Self::Tftp(_, found) => facts.tftp = found,
            Self::Ntp(d) => {
                let found = d.finish();
                facts.ntp = (found.readvar.is_some() || found.monlist.is_some()).then_some(found);
            }
            Self::Snmp(d) => {
                let found = d.finish();
                facts.snmp = (!found.accepted.is_empty() || found.v3.is_some()).then_some(found);
            }
            Self::Ipmi(d) => {
                let found = d.finish();
                let any = found.presence.is_some()
                    || found.auth_capabilities.is_some()
                    || found.cipher_zero.is_some();
                facts.ipmi = any.then_some(found);
            }
            Self::Empty => {}
        }
    }
}

/// An ICMP error read from a socket's error queue (or only its errno).
#[derive(Debug, Clone, Copy)]
struct IcmpError {
    v6: bool,
    kind: Option<(u8, u8)>,
    errno: i32,
}

impl IcmpError {
    fn verdict(self) -> (UdpPortState, UdpReason) {
        use UdpPortState::{Closed, Filtered};
        match (self.v6, self.kind) {
            (false, Some((3, 3))) | (true, Some((1, 4))) => (Closed, UdpReason::PortUnreach),
            (false, Some((3, 0))) | (true, Some((1, 0))) => (Filtered, UdpReason::NetUnreach),
            (false, Some((3, 1))) | (true, Some((1, 3))) => (Filtered, UdpReason::HostUnreach),
            (false, Some((3, 9 | 10 | 13))) | (true, Some((1, 1))) => {
                (Filtered, UdpReason::AdminProhibited)
            }
            (_, Some(_)) => (Filtered, UdpReason::IcmpOther),
            (_, None) => match self.errno {
                libc::ECONNREFUSED => (Closed, UdpReason::PortUnreach),
                libc::EHOSTUNREACH => (Filtered, UdpReason::HostUnreach),
                libc::ENETUNREACH => (Filtered, UdpReason::NetUnreach),
                libc::EACCES | libc::EPERM => (Filtered, UdpReason::LocalPolicy),
                _ => (Filtered, UdpReason::IcmpOther),
            },
        }
    }

    fn describe(self) -> Option<String> {
        self.kind.map(|(t, c)| {
            if self.v6 {
                format!("icmp6 {t}/{c}")
            } else {
                format!("icmp {t}/{c}")
            }
        })
    }
}

enum Event {
    Data(Vec<u8>, SocketAddr),
    Icmp(IcmpError),
}

fn open_socket(host: IpAddr) -> io::Result<tokio::net::UdpSocket> {
    let (domain, any) = match host {
        IpAddr::V4(_) => (socket2::Domain::IPV4, IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        IpAddr::V6(_) => (socket2::Domain::IPV6, IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
    };
    let socket = socket2::Socket::new(domain, socket2::Type::DGRAM, Some(socket2::Protocol::UDP))?;
    socket.set_nonblocking(true)?;
    match host {
        IpAddr::V4(_) => setsockopt(&socket, sockopt::Ipv4RecvErr, &true)?,
        IpAddr::V6(_) => setsockopt(&socket, sockopt::Ipv6RecvErr, &true)?,
    }
    socket.bind(&SocketAddr::new(any, 0).into())?;
    tokio::net::UdpSocket::from_std(socket.into())
}

/// One event from the socket without waiting: an ICMP error first, then a datagram.
fn try_event(socket: &tokio::net::UdpSocket, host: IpAddr) -> io::Result<Event> {
    let fd = socket.as_raw_fd();
    let mut scratch = [0u8; 256];
    let mut iov = [io::IoSliceMut::new(&mut scratch)];
    let mut space = nix::cmsg_space!(libc::sock_extended_err, libc::sockaddr_in6);
    match recvmsg::<SockaddrStorage>(
        fd,
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_ERRQUEUE | MsgFlags::MSG_DONTWAIT,
    ) {
        Ok(message) => {
            let mut found = IcmpError {
                v6: host.is_ipv6(),
                kind: None,
                errno: 0,
            };
            for cmsg in message.cmsgs().into_iter().flatten() {
                let err = match cmsg {
                    ControlMessageOwned::Ipv4RecvErr(err, _) => err,
                    ControlMessageOwned::Ipv6RecvErr(err, _) => err,
                    _ => continue,
                };
                found.errno = i32::try_from(err.ee_errno).unwrap_or(0);
                // SO_EE_ORIGIN_ICMP (2) and SO_EE_ORIGIN_ICMP6 (3) carry the ICMP type and code.
                if err.ee_origin == 2 || err.ee_origin == 3 {
                    found.v6 = err.ee_origin == 3;
                    found.kind = Some((err.ee_type, err.ee_code));
                }
            }
            // The pending socket error is the one just read.
            let _ = socket.take_error();
            return Ok(Event::Icmp(found));
        }
        Err(nix::errno::Errno::EAGAIN) => {}
        Err(other) => return Err(other.into()),
    }
    let mut buf = vec![0u8; 65_536];
    match recvfrom::<SockaddrStorage>(fd, &mut buf) {
        Ok((n, from)) => {
            let from = from
                .and_then(|a| {
                    a.as_sockaddr_in()
                        .map(|s| SocketAddr::new(IpAddr::V4(s.ip()), s.port()))
                        .or_else(|| {
                            a.as_sockaddr_in6()
                                .map(|s| SocketAddr::new(IpAddr::V6(s.ip()), s.port()))
                        })
                })
                .unwrap_or_else(|| SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0));
            buf.truncate(n);
            Ok(Event::Data(buf, from))
        }
        Err(nix::errno::Errno::EAGAIN) => Err(io::ErrorKind::WouldBlock.into()),
        Err(errno) => Ok(Event::Icmp(IcmpError {
            v6: host.is_ipv6(),
            kind: None,
            errno: errno as i32,
        })),
    }
}

/// How a wait ended.
enum Waited {
    /// The dialogue got what it waited for.
    Done,
    /// An ICMP error came back.
    Icmp(IcmpError),
    /// The deadline passed.
    Timeout,
}

/// Reads events until `done` says the dialogue has its answers, an ICMP error comes, or the
/// deadline passes. Datagrams from elsewhere are ignored.
async fn wait(
    socket: &tokio::net::UdpSocket,
    target: SocketAddr,
    deadline: Instant,
    dialogue: &mut Dialogue,
    answered: &mut bool,
    done: impl Fn(&Dialogue, bool) -> bool,
) -> Waited {
    loop {
        let event = tokio::time::timeout_at(
            deadline.into(),
            socket.async_io(Interest::READABLE | Interest::ERROR, || {
                try_event(socket, target.ip())
            }),
        )
        .await;
        match event {
            Err(_) => return Waited::Timeout,
            Ok(Err(_)) => return Waited::Timeout,
            Ok(Ok(Event::Icmp(icmp))) => return Waited::Icmp(icmp),
            Ok(Ok(Event::Data(data, from))) => {
                if from.ip() != target.ip() || !dialogue.accepts_port(target.port(), from.port()) {
                    continue;
                }
                let taken = dialogue.take(&data, from.port());
                if let Some((reply, port)) = taken.reply {
                    let _ = socket
                        .send_to(&reply, SocketAddr::new(target.ip(), port))
                        .await;
                }
                if taken.ours {
                    *answered = true;
                    if done(dialogue, *answered) {
                        return Waited::Done;
                    }
                }
            }
        }
    }
}

/// Asks one port; `None` when a stop request came first.
async fn probe_port(
    host: IpAddr,
    spec: UdpPort,
    seed: u32,
    shared: &Shared,
    pace: &HostPace,
) -> Option<UdpPortFacts> {
    let mut facts = UdpPortFacts::new(spec.port, UdpPortState::OpenFiltered, UdpReason::NoResponse);
    facts.service = spec.service.map(|s| s.name().to_owned());
    let socket = match open_socket(host) {
        Ok(socket) => socket,
        Err(err) => {
            let icmp = IcmpError {
                v6: host.is_ipv6(),
                kind: None,
                errno: err.raw_os_error().unwrap_or(0),
            };
            (facts.state, facts.reason) = icmp.verdict();
            return Some(facts);
        }
    };
    let mut talk = Conversation {
        socket,
        target: SocketAddr::new(host, spec.port),
        service: spec.service,
        dialogue: Dialogue::new(spec.service, seed),
        answered: false,
        facts,
        shared,
        pace,
    };
    if let Some(icmp) = talk.lead().await? {
        return Some(talk.refused(icmp));
    }
    if let Some(icmp) = talk.rest().await? {
        return Some(talk.refused(icmp));
    }
    let Conversation {
        dialogue,
        answered,
        mut facts,
        ..
    } = talk;
    if answered {
        facts.state = UdpPortState::Open;
        facts.reason = UdpReason::UdpResponse;
    }
    dialogue.finish(&mut facts);
    Some(facts)
}

/// One port's exchange: its socket, the dialogue and what was learnt so far.
struct Conversation<'a> {
    socket: tokio::net::UdpSocket,
    target: SocketAddr,
    service: Option<UdpService>,
    dialogue: Dialogue,
    answered: bool,
    facts: UdpPortFacts,
    shared: &'a Shared,
    pace: &'a HostPace,
}

impl Conversation<'_> {
    /// Retries allowed: more once the host has sent ICMP errors, which it rate-limits.
    fn retries(&self) -> u8 {
        if self.pace.icmp_seen.load(Ordering::Relaxed) {
            self.shared.timing.limited_retries
        } else {
            self.shared.timing.retries
        }
    }

    /// Sends the lead request until something answers or the retries are spent. `None` when
    /// a stop request came; `Some(Some(icmp))` when an ICMP error came back.
    async fn lead(&mut self) -> Option<Option<IcmpError>> {
        let mut attempt: u8 = 0;
        loop {
            if self.shared.interrupt.is_raised() {
                return None;
            }
            self.pace
                .turn(attempt > 0, self.shared.timing.icmp_gap)
                .await;
            self.shared.rate().await;
            let sent_at = Instant::now();
            if let Err(err) = self
                .socket
                .send_to(&self.dialogue.lead(), self.target)
                .await
            {
                return Some(Some(send_error(&self.socket, self.target.ip(), &err)));
            }
            self.facts.datagrams_sent += 1;
            let mut wait_for = self.shared.timeout();
            if attempt >= self.retries()
                && let Some(service) = self.service
            {
                wait_for = wait_for.max(service.slow_answer());
            }
            let outcome = wait(
                &self.socket,
                self.target,
                sent_at + wait_for,
                &mut self.dialogue,
                &mut self.answered,
                |_, answered| answered,
            )
            .await;
            match outcome {
                Waited::Done | Waited::Icmp(_) if attempt == 0 => {
                    self.shared.sample(sent_at.elapsed());
                }
                _ => {}
            }
            match outcome {
                Waited::Done => return Some(None),
                Waited::Icmp(icmp) => return Some(Some(icmp)),
                Waited::Timeout => {}
            }
            attempt += 1;
            if attempt > self.retries() {
                return Some(None);
            }
        }
    }

    /// The rest of the conversation: asked once of a silent port, with one retransmission of
    /// what an answering port left unanswered.
    async fn rest(&mut self) -> Option<Option<IcmpError>> {
        loop {
            let mut batch = self.dialogue.next_step(self.answered);
            if batch.is_empty() {
                return Some(None);
            }
            for round in 0..2 {
                if round == 1 {
                    batch = self.dialogue.pending();
                    if !self.answered || batch.is_empty() {
                        break;
                    }
                }
                if self.shared.interrupt.is_raised() {
                    return None;
                }
                for datagram in &batch {
                    self.shared.rate().await;
                    if self.socket.send_to(datagram, self.target).await.is_ok() {
                        self.facts.datagrams_sent += 1;
                    }
                }
                let wait_for = self
                    .shared
                    .timeout()
                    .max(self.shared.timing.min_timeout * 3);
                let outcome = wait(
                    &self.socket,
                    self.target,
                    Instant::now() + wait_for,
                    &mut self.dialogue,
                    &mut self.answered,
                    |d, _| d.step_done(),
                )
                .await;
                match outcome {
                    Waited::Done => break,
                    Waited::Icmp(icmp) if !self.answered => return Some(Some(icmp)),
                    Waited::Icmp(_) | Waited::Timeout => {}
                }
            }
        }
    }

    /// The port's facts after an ICMP error.
    fn refused(self, icmp: IcmpError) -> UdpPortFacts {
        self.pace.icmp_seen.store(true, Ordering::Relaxed);
        let mut facts = self.facts;
        (facts.state, facts.reason) = icmp.verdict();
        facts.icmp = icmp.describe();
        facts
    }
}

/// A send that failed: the error queue says why, or the errno does.
fn send_error(socket: &tokio::net::UdpSocket, host: IpAddr, err: &io::Error) -> IcmpError {
    if let Ok(Event::Icmp(icmp)) = try_event(socket, host)
        && icmp.kind.is_some()
    {
        return icmp;
    }
    IcmpError {
        v6: host.is_ipv6(),
        kind: None,
        errno: err.raw_os_error().unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers captured from the real servers of scripts/udp-lab (fixtures/udp/README.md).
    #[test]
    fn captured_answers_read() {
        let replies = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/udp/replies");
        let read = |name: &str| std::fs::read(replies.join(name)).expect(name);
        for name in ["snmp-1.bin", "snmp-2.bin", "snmp-3.bin", "snmp-4.bin"] {
            assert!(snmp::parse_answer(&read(name)).is_some(), "{name}");
        }
        let kinds: Vec<_> = ["ipmi-1.bin", "ipmi-2.bin", "ipmi-3.bin"]
            .iter()
            .map(|n| ipmi::parse_answer(&read(n)).expect(n))
            .collect();
        assert!(
            kinds
                .iter()
                .any(|k| matches!(k, ipmi::IpmiAnswer::OpenSession(z) if z.accepted))
        );
        assert!(
            kinds
                .iter()
                .any(|k| matches!(k, ipmi::IpmiAnswer::Pong(p) if p.ipmi_supported))
        );
        for name in ["dns-1.bin", "dns-2.bin"] {
            let data = read(name);
            let id = u16::from_be_bytes([data[0], data[1]]);
            assert!(dns::parse_answer(&data, id).is_some(), "{name}");
        }
        let readvar = ntp::parse_control(&read("ntp-1.bin")).expect("readvar");
        let vars = ntp::parse_variables(&String::from_utf8_lossy(&readvar.data));
        assert!(vars["version"].starts_with("ntpd ntpsec"), "{vars:?}");
        assert_eq!(
            ntp::parse_private(&read("ntp-mode7-1.bin")).map(|a| a.items),
            Some(6)
        );
        let tftp = tftp::parse_answer(&read("tftp-1.bin"), "x", 40000).expect("tftp");
        assert_eq!(tftp.error_code, Some(1));
    }

    #[test]
    fn udp_ports_by_name_number_range_and_service_on_another_port() {
        let ports = parse_udp_ports("snmp, 53, snmp:1161, 5000-5001").unwrap();
        assert_eq!(
            format_udp_ports(&ports),
            "dns:53,snmp:161,snmp:1161,5000,5001"
        );
        assert_eq!(
            format_udp_ports(&parse_udp_ports(DEFAULT_UDP_PORTS).unwrap()),
            "dns:53,tftp:69,ntp:123,snmp:161,ipmi:623"
        );
        assert!(parse_udp_ports("smtp").unwrap_err().contains("snmp"));
        assert!(parse_udp_ports("0").is_err());
        assert!(parse_udp_ports("9-1").is_err());
    }
}
