//! Probes: code that talks to the network and writes facts. Probes gather, they never judge.
//!
//! A scan runs in two phases. The connect scan ([`portscan`]) settles every port on a
//! dedicated thread; then, on a tokio runtime with bounded concurrency, each open port gets a
//! banner grab ([`banner`]) and, where the service is one that is often left open, a
//! read-only protocol probe ([`services`]).

pub mod banner;
pub mod portscan;
pub mod rdp;
mod registry;
pub mod services;
pub mod smb;
pub mod ssh;
pub mod tls;
pub mod udp;

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::{InputError, RunError};
use crate::facts::{
    GuessMethod, HostFacts, HostState, PortCounts, PortFacts, PortRange, PortState, ProbeError,
    ServiceGuess,
};
use crate::targets::Target;
use crate::targets::ports::service_for_port;
use banner::BannerTiming;
use portscan::{ConnectScanPlan, ScanTiming};

/// Stages of a scan, for progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The connect scan.
    Ports,
    /// Banner grabs and service probes on open ports.
    Services,
    /// The UDP scan (`--udp`), counted in hosts.
    Udp,
}

/// Receives progress. The core never prints; the binary draws a bar from this.
pub trait Progress {
    /// `done` of `total` units of `stage` are finished.
    fn update(&mut self, stage: Stage, done: u64, total: u64);
}

impl Progress for () {
    fn update(&mut self, _stage: Stage, _done: u64, _total: u64) {}
}

/// Timing profiles: how hard postura pushes the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// For fragile networks (old PLCs, printers, overloaded firewalls): few connections,
    /// rate-limited, long waits, two retries.
    Gentle,
    /// The default: a thousand connections in flight, adaptive timeouts, one retry.
    #[default]
    Normal,
    /// For robust networks and loopback: wide window, short waits.
    Fast,
}

/// The concrete numbers behind a profile.
#[derive(Debug, Clone, Copy)]
pub struct ProfileSettings {
    /// Connection attempts in flight.
    pub concurrency: usize,
    /// New connection attempts per second, if limited.
    pub rate: Option<u32>,
    /// Connect timeouts and retries.
    pub timing: ScanTiming,
    /// Banner and service-probe waits.
    pub banner: BannerTiming,
    /// Banner grabs and service probes in flight.
    pub probe_concurrency: usize,
    /// UDP waits, retries and pacing.
    pub udp: udp::UdpTiming,
}

impl Profile {
    /// Profile name as used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gentle => "gentle",
            Self::Normal => "normal",
            Self::Fast => "fast",
        }
    }

    /// The settings of this profile.
    pub fn settings(self) -> ProfileSettings {
        let ms = Duration::from_millis;
        match self {
            Self::Gentle => ProfileSettings {
                concurrency: 64,
                rate: Some(200),
                timing: ScanTiming {
                    initial_timeout: ms(1500),
                    min_timeout: ms(250),
                    max_timeout: ms(3000),
                    retries: 2,
                },
                banner: BannerTiming {
                    connect: ms(3000),
                    greeting: ms(3000),
                    answer: ms(3000),
                },
                probe_concurrency: 4,
                udp: udp::UdpTiming {
                    initial_timeout: ms(1500),
                    min_timeout: ms(250),
                    max_timeout: ms(3000),
                    retries: 2,
                    limited_retries: 3,
                    icmp_gap: ms(1000),
                    hosts_in_flight: 16,
                },
            },
            Self::Normal => ProfileSettings {
                concurrency: 1024,
                rate: None,
                timing: ScanTiming {
                    initial_timeout: ms(1000),
                    min_timeout: ms(100),
                    max_timeout: ms(1500),
                    retries: 1,
                },
                banner: BannerTiming {
                    connect: ms(2000),
                    greeting: ms(1500),
                    answer: ms(2000),
                },
                probe_concurrency: 32,
                udp: udp::UdpTiming {
                    initial_timeout: ms(1000),
                    min_timeout: ms(100),
                    max_timeout: ms(1500),
                    retries: 2,
                    limited_retries: 3,
                    icmp_gap: ms(1000),
                    hosts_in_flight: 256,
                },
            },
            Self::Fast => ProfileSettings {
                concurrency: 4096,
                rate: None,
                timing: ScanTiming {
                    initial_timeout: ms(500),
                    min_timeout: ms(50),
                    max_timeout: ms(1000),
                    retries: 1,
                },
                banner: BannerTiming {
                    connect: ms(1000),
                    greeting: ms(500),
                    answer: ms(1000),
                },
                probe_concurrency: 128,
                udp: udp::UdpTiming {
                    initial_timeout: ms(500),
                    min_timeout: ms(50),
                    max_timeout: ms(1000),
                    retries: 1,
                    limited_retries: 3,
                    icmp_gap: ms(1000),
                    hosts_in_flight: 1024,
                },
            },
        }
    }
}

/// A fully validated network scan request.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    /// Addresses to scan, from [`crate::targets::expand`].
    pub targets: Vec<Target>,
    /// Ports, sorted and unique.
    pub ports: Vec<u16>,
    /// The profile's settings, with user overrides applied.
    pub settings: ProfileSettings,
    /// Grab banners and run the service probes on open ports.
    pub service_probes: bool,
    /// Extra trust anchors for certificate verdicts (`--ca-file`), besides the Mozilla roots.
    pub extra_roots: Arc<Vec<rustls::pki_types::CertificateDer<'static>>>,
    /// A stop request (SIGINT, SIGTERM).
    pub interrupt: crate::interrupt::Interrupt,
    /// UDP ports to ask (`--udp`), each with its service's request; empty for none.
    pub udp_ports: Vec<udp::UdpPort>,
}

/// What a scan found, and how much of it was done when it was interrupted.
pub struct ScanRun {
    /// Every host in scope, in target order.
    pub hosts: Vec<HostFacts>,
    /// Service probes due on the open ports found.
    pub services_planned: u64,
    /// Service probes that finished.
    pub services_probed: u64,
}

impl ScanRequest {
    /// Applies `--concurrency`, `--rate` and `--timeout` on top of a profile.
    pub fn settings_with_overrides(
        profile: Profile,
        concurrency: Option<usize>,
        rate: Option<u32>,
        timeout: Option<Duration>,
    ) -> Result<ProfileSettings, InputError> {
        let mut settings = profile.settings();
        if let Some(c) = concurrency {
            if c == 0 {
                return Err(InputError::Option {
                    option: "--concurrency".into(),
                    message: "expected at least 1".into(),
                });
            }
            settings.concurrency = c;
        }
        if let Some(r) = rate {
            settings.rate = (r > 0).then_some(r);
        }
        if let Some(t) = timeout {
            if t < Duration::from_millis(10) {
                return Err(InputError::Option {
                    option: "--timeout".into(),
                    message: "expected at least 10ms".into(),
                });
            }
            settings.timing.max_timeout = t;
            settings.timing.initial_timeout = settings.timing.initial_timeout.min(t);
            settings.timing.min_timeout = settings.timing.min_timeout.min(t);
            settings.banner.connect = settings.banner.connect.max(t);
            settings.udp.max_timeout = t;
            settings.udp.initial_timeout = settings.udp.initial_timeout.min(t);
            settings.udp.min_timeout = settings.udp.min_timeout.min(t);
        }
        Ok(settings)
    }
}

/// Runs the scan and returns one [`HostFacts`] per target, in address order.
pub fn run_scan(request: &ScanRequest, progress: &mut dyn Progress) -> Result<ScanRun, RunError> {
    // Each attempt in flight holds a descriptor; ask for as many as the hard limit allows.
    let nofile = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let window = request.settings.concurrency.min(
        usize::try_from(nofile.saturating_sub(64))
            .unwrap_or(usize::MAX)
            .max(16),
    );

    // `host:port` targets are scanned on their own ports; everything else on `--ports`.
    // Hosts that share a port list share one connect scan.
    let port_lists: Vec<Vec<u16>> = request
        .targets
        .iter()
        .map(|t| ports_for(t, &request.ports))
        .collect();
    let mut groups: std::collections::BTreeMap<&[u16], Vec<usize>> =
        std::collections::BTreeMap::new();
    for (index, ports) in port_lists.iter().enumerate() {
        groups.entry(ports.as_slice()).or_default().push(index);
    }
    let mut results: Vec<Option<portscan::HostScan>> = vec![None; request.targets.len()];
    for (ports, members) in groups {
        if request.interrupt.is_raised() {
            break;
        }
        let plan = ConnectScanPlan {
            hosts: members
                .iter()
                .map(|&i| request.targets[i].address)
                .collect(),
            ports: ports.to_vec(),
            concurrency: window,
            rate: request.settings.rate.and_then(NonZeroU32::new),
            timing: request.settings.timing,
            threads: scan_threads(members.len() * ports.len()),
            interrupt: request.interrupt.clone(),
        };
        let scans = portscan::connect_scan(&plan, progress).map_err(RunError::Startup)?;
        for (index, scan) in members.into_iter().zip(scans) {
            results[index] = Some(scan);
        }
    }
    // Hosts whose scan never started (interrupted before their turn) scanned nothing.
    let scans = results.into_iter().zip(&port_lists).map(|(scan, ports)| {
        scan.unwrap_or_else(|| portscan::HostScan {
            not_scanned: ports.clone(),
            ..portscan::HostScan::default()
        })
    });

    let mut hosts: Vec<HostFacts> = request
        .targets
        .iter()
        .zip(scans)
        .zip(&port_lists)
        .map(|((target, scan), scanned)| scanned_host(target, scan, scanned))
        .collect();

    let (services_planned, services_probed) = if request.service_probes {
        probe_services(
            &mut hosts,
            &request.settings,
            &request.extra_roots,
            &request.interrupt,
            progress,
        )?
    } else {
        (0, 0)
    };
    if !request.udp_ports.is_empty() {
        scan_udp(&mut hosts, request, progress)?;
    }
    Ok(ScanRun {
        hosts,
        services_planned,
        services_probed,
    })
}

/// Asks every host's UDP ports and adds what came back; a host that answered only over UDP
/// is up.
fn scan_udp(
    hosts: &mut [HostFacts],
    request: &ScanRequest,
    progress: &mut dyn Progress,
) -> Result<(), RunError> {
    let plan = udp::UdpScanPlan {
        hosts: hosts.iter().filter_map(|h| h.address).collect(),
        ports: request.udp_ports.clone(),
        timing: request.settings.udp,
        rate: request.settings.rate.and_then(NonZeroU32::new),
        interrupt: request.interrupt.clone(),
    };
    let found = udp::udp_scan(&plan, progress)?;
    for (host, udp) in hosts.iter_mut().filter(|h| h.address.is_some()).zip(found) {
        if udp.host_answered() {
            host.state = HostState::Up;
        }
        host.udp = Some(udp);
    }
    Ok(())
}

/// The facts of a host whose scan never started: every one of its ports not scanned.
pub(crate) fn unscanned_host(target: &Target, default_ports: &[u16]) -> HostFacts {
    let ports = ports_for(target, default_ports);
    let scan = portscan::HostScan {
        not_scanned: ports.clone(),
        ..portscan::HostScan::default()
    };
    scanned_host(target, scan, &ports)
}

/// A scanned host's facts from its connect-scan result.
fn scanned_host(target: &Target, scan: portscan::HostScan, scanned: &[u16]) -> HostFacts {
    let mut counts = PortCounts {
        closed: scan.closed,
        ..PortCounts::default()
    };
    let ports: Vec<PortFacts> = scan
        .ports
        .iter()
        .map(|outcome| {
            match outcome.state {
                PortState::Open => counts.open += 1,
                PortState::Closed => counts.closed += 1,
                PortState::Filtered => counts.filtered += 1,
                PortState::Unreachable => counts.unreachable += 1,
            }
            let mut facts = PortFacts::new(outcome.port, outcome.state, outcome.reason);
            if outcome.state == PortState::Open {
                facts.service = service_for_port(outcome.port).map(|name| ServiceGuess {
                    name: name.to_owned(),
                    method: GuessMethod::Port,
                    product: None,
                });
            }
            facts
        })
        .collect();
    let settled = u64::from(scan.closed) + scan.ports.len() as u64;
    let not_scanned = scan.not_scanned.len() as u64;
    // Only ports that came to a result count as scanned: a check on a port the run
    // never reached is not assessed, never passed.
    let reached: Vec<u16> = if scan.not_scanned.is_empty() {
        scanned.to_vec()
    } else {
        scanned
            .iter()
            .copied()
            .filter(|p| scan.not_scanned.binary_search(p).is_err())
            .collect()
    };
    let state = if scan.answered {
        HostState::Up
    } else if settled == 0 && not_scanned > 0 {
        // Interrupted before any of its ports came to a result.
        HostState::NotScanned
    } else if counts.unreachable > 0 && counts.filtered == 0 {
        HostState::Unreachable
    } else {
        HostState::NoResponse
    };
    HostFacts {
        address: Some(target.address),
        hostnames: target.hostnames.clone(),
        state,
        schutzbedarf: None,
        rtt_ms: scan.srtt.map(|d| (d.as_secs_f64() * 1e6).round() / 1e3),
        scanned_ports: PortRange::format_list(&PortRange::collapse(&reached)),
        port_counts: counts,
        ports_not_scanned: not_scanned,
        ports,
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

/// The ports to scan on one target: its `host:port` ports, plus `--ports` when it was also
/// named without a port.
pub(crate) fn ports_for(target: &Target, default: &[u16]) -> Vec<u16> {
    let mut ports = target.ports.clone();
    if target.all_ports || target.ports.is_empty() {
        ports.extend_from_slice(default);
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// One scanning thread per core (at most four), but only when there is enough work to share.
fn scan_threads(probes: usize) -> usize {
    if probes < 4096 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

struct ServiceJob {
    host: usize,
    port_index: usize,
    addr: SocketAddr,
    host_header: String,
    sni: Option<String>,
    port_guess: Option<&'static str>,
    extra_roots: Arc<Vec<rustls::pki_types::CertificateDer<'static>>>,
}

struct ServiceResult {
    host: usize,
    port_index: usize,
    update: PortUpdate,
    errors: Vec<ProbeError>,
}

#[derive(Default)]
struct PortUpdate {
    grab: Option<banner::Grab>,
    probe_guess: Option<ServiceGuess>,
    redis: Option<crate::facts::RedisFacts>,
    elasticsearch: Option<crate::facts::ElasticsearchFacts>,
    ftp: Option<crate::facts::FtpFacts>,
    memcached: Option<crate::facts::MemcachedFacts>,
    telnet: Option<crate::facts::TelnetFacts>,
    smb: Option<crate::facts::SmbFacts>,
    rdp: Option<crate::facts::RdpFacts>,
    banner: Option<crate::facts::Banner>,
    tls: Option<crate::facts::TlsFacts>,
    ssh: Option<crate::facts::SshFacts>,
}

/// Probes the services on every open port; returns how many probes were due and how many
/// finished (fewer when the run was interrupted).
fn probe_services(
    hosts: &mut [HostFacts],
    settings: &ProfileSettings,
    extra_roots: &Arc<Vec<rustls::pki_types::CertificateDer<'static>>>,
    interrupt: &crate::interrupt::Interrupt,
    progress: &mut dyn Progress,
) -> Result<(u64, u64), RunError> {
    let jobs: Vec<ServiceJob> = hosts
        .iter()
        .enumerate()
        .filter_map(|(host_index, host)| Some((host_index, host, host.address?)))
        .flat_map(|(host_index, host, address)| {
            host.ports
                .iter()
                .enumerate()
                .filter(|(_, p)| p.state == PortState::Open)
                .map(move |(port_index, p)| ServiceJob {
                    host: host_index,
                    port_index,
                    addr: SocketAddr::new(address, p.port),
                    host_header: host_header(host.hostnames.first().map(String::as_str), address),
                    sni: host.hostnames.first().cloned(),
                    port_guess: service_for_port(p.port),
                    extra_roots: Arc::clone(extra_roots),
                })
        })
        .collect();
    let total = jobs.len() as u64;
    if jobs.is_empty() || interrupt.is_raised() {
        return Ok((total, 0));
    }
    progress.update(Stage::Services, 0, total);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(RunError::Startup)?;
    let timing = settings.banner;
    let limit = Arc::new(Semaphore::new(settings.probe_concurrency.max(1)));
    let probed = runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for job in jobs {
            let limit = Arc::clone(&limit);
            let interrupt = interrupt.clone();
            set.spawn(async move {
                let _permit = limit.acquire_owned().await;
                // Probes still waiting for their turn are not started once a stop is asked.
                if interrupt.is_raised() {
                    return None;
                }
                Some(probe_one_port(job, timing).await)
            });
        }
        let (mut done, mut probed) = (0u64, 0u64);
        loop {
            // Checked every 100 ms: a stop gives the probes in flight the grace time, no more.
            let next = tokio::time::timeout(Duration::from_millis(100), set.join_next()).await;
            match next {
                Ok(None) => break,
                Ok(Some(joined)) => {
                    done += 1;
                    progress.update(Stage::Services, done, total);
                    if let Ok(Some(result)) = joined {
                        probed += 1;
                        apply(&mut hosts[result.host], result);
                    }
                }
                Err(_) if interrupt.grace_over() => {
                    set.abort_all();
                    break;
                }
                Err(_) => {}
            }
        }
        probed
    });
    Ok((total, probed))
}

fn host_header(name: Option<&str>, addr: IpAddr) -> String {
    match (name, addr) {
        (Some(name), _) => name.to_owned(),
        (None, IpAddr::V6(v6)) => format!("[{v6}]"),
        (None, IpAddr::V4(v4)) => v4.to_string(),
    }
}

async fn probe_one_port(job: ServiceJob, timing: BannerTiming) -> ServiceResult {
    let mut update = PortUpdate::default();
    let mut errors = Vec::new();
    let mut dedicated = job.port_guess.and_then(|s| registry::prober_for(s, false));
    // Conventional TLS ports are asked in TLS first; other client-first ports after the
    // banner grab found them silent.
    if job.port_guess.is_some_and(banner::is_tls_service) {
        match tls::probe_tls(job.addr, job.sni.as_deref(), timing, &job.extra_roots, None).await {
            Ok(found) => update.tls = found,
            Err(err) => errors.push(err),
        }
    }
    if dedicated.is_none() && update.tls.is_none() {
        match banner::grab(job.addr, &job.host_header, timing).await {
            Ok(grab) => {
                dedicated = grab
                    .guess
                    .as_ref()
                    .and_then(|g| registry::prober_for(&g.name, true));
                let silent = !grab.greeted;
                let is_http =
                    grab.http.is_some() && grab.http.as_ref().is_some_and(|h| h.status != 400);
                update.grab = Some(grab);
                let already_asked = job.port_guess.is_some_and(banner::is_tls_service);
                if silent && !is_http && dedicated.is_none() && !already_asked {
                    match tls::probe_tls(
                        job.addr,
                        job.sni.as_deref(),
                        timing,
                        &job.extra_roots,
                        None,
                    )
                    .await
                    {
                        Ok(found) => update.tls = found,
                        Err(err) => errors.push(err),
                    }
                }
            }
            Err(err) => errors.push(err),
        }
    }
    if let Some(prober) = dedicated
        && let Err(err) = (prober.run)(&job, timing, &mut update).await
    {
        errors.push(err);
    }
    // SSH: version and algorithm offers from the server's KEXINIT.
    let speaks_ssh = update
        .grab
        .as_ref()
        .and_then(|g| g.guess.as_ref())
        .is_some_and(|g| g.name == "ssh");
    if speaks_ssh {
        match ssh::probe_ssh(job.addr, timing).await {
            Ok(facts) => update.ssh = Some(facts),
            Err(err) => errors.push(err),
        }
    }
    // Mail, FTP and directory services: assess the TLS behind STARTTLS.
    if update.tls.is_none() {
        starttls_probe(&job, timing, &mut update, &mut errors).await;
    }
    ServiceResult {
        host: job.host,
        port_index: job.port_index,
        update,
        errors,
    }
}

/// The TLS of a mail, FTP or directory service behind its STARTTLS command.
async fn starttls_probe(
    job: &ServiceJob,
    timing: BannerTiming,
    update: &mut PortUpdate,
    errors: &mut Vec<ProbeError>,
) {
    let service = update
        .probe_guess
        .as_ref()
        .map(|g| g.name.clone())
        .or_else(|| {
            update
                .grab
                .as_ref()
                .and_then(|g| g.guess.as_ref())
                .map(|g| g.name.clone())
        })
        .or_else(|| job.port_guess.map(str::to_owned));
    let upgrade = service
        .as_deref()
        .and_then(tls::starttls::StartTls::for_service);
    let ftp_without_tls = update.ftp.as_ref().is_some_and(|f| !f.auth_tls_offered);
    if let Some(protocol) = upgrade
        && !ftp_without_tls
    {
        match tls::probe_tls(
            job.addr,
            job.sni.as_deref(),
            timing,
            &job.extra_roots,
            Some(protocol),
        )
        .await
        {
            Ok(found) => update.tls = found,
            Err(err) => errors.push(err),
        }
    }
}

fn apply(host: &mut HostFacts, result: ServiceResult) {
    let port = &mut host.ports[result.port_index];
    let update = result.update;
    if let Some(grab) = update.grab {
        port.banner = grab.banner;
        port.http = grab.http;
        if grab.guess.is_some() {
            port.service = grab.guess;
        }
    }
    if update.banner.is_some() {
        port.banner = update.banner;
    }
    if update.probe_guess.is_some() {
        port.service = update.probe_guess;
    }
    port.redis = update.redis;
    port.elasticsearch = update.elasticsearch;
    port.ftp = update.ftp;
    port.memcached = update.memcached;
    port.telnet = update.telnet;
    port.smb = update.smb;
    port.rdp = update.rdp;
    port.ssh = update.ssh;
    if let Some(tls) = update.tls {
        let behind_starttls = tls.starttls.is_some();
        port.tls = Some(tls);
        // A plain-HTTP answer to a TLS port ("400 plain HTTP request sent to HTTPS port")
        // says nothing about the service; TLS does.
        if port.http.as_ref().is_some_and(|h| h.status == 400) {
            port.http = None;
        }
        let plain_guess = port
            .service
            .as_ref()
            .is_none_or(|s| s.method == GuessMethod::Port && !banner::is_tls_service(&s.name));
        if plain_guess && !behind_starttls {
            port.service = Some(ServiceGuess {
                name: "tls".to_owned(),
                method: GuessMethod::Probe,
                product: None,
            });
        }
    }
    host.probe_errors.extend(result.errors);
}
