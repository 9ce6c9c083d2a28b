//! The TCP connect scan.
//!
//! One dedicated thread drives non-blocking `connect()`s through a single epoll instance
//! (mio): many sockets are registered per wait, a socket is never deregistered before it is
//! closed, and there are no cross-thread wake-ups in the hot loop. A plain
//! `buffer_unordered` loop over tokio sockets pays one wake-up and two `epoll_ctl`s per port,
//! which makes it about twice as slow as nmap on a full port range; this loop does not.
//!
//! Timing follows nmap's idea: every answer (SYN-ACK or RST) is a round-trip sample for its
//! host, and a host's connect timeout is `srtt + 4·rttvar`, clamped to the profile's bounds.
//! A host that has not answered yet uses the initial timeout. Ports that stayed silent are
//! retried only on hosts that answered something else: a host that drops everything costs
//! one timeout, not one per retry.

use std::collections::{BTreeMap, VecDeque};
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use governor::{Quota, RateLimiter};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

use super::{Progress, Stage};
use crate::facts::{PortReason, PortState};

/// Timeout bounds and retry count of a scan.
#[derive(Debug, Clone, Copy)]
pub struct ScanTiming {
    /// Connect timeout while a host has given no round-trip sample.
    pub initial_timeout: Duration,
    /// Lower bound of the adaptive timeout.
    pub min_timeout: Duration,
    /// Upper bound of the adaptive timeout.
    pub max_timeout: Duration,
    /// Extra attempts for silent ports on hosts that answered otherwise.
    pub retries: u8,
}

/// What to scan and how hard.
#[derive(Debug, Clone)]
pub struct ConnectScanPlan {
    /// Addresses, scanned interleaved so that no single host takes the whole burst.
    pub hosts: Vec<IpAddr>,
    /// Ports, sorted.
    pub ports: Vec<u16>,
    /// Connection attempts in flight at most.
    pub concurrency: usize,
    /// New attempts per second at most.
    pub rate: Option<NonZeroU32>,
    /// Timeouts and retries.
    pub timing: ScanTiming,
    /// Scanning threads (the window is split between them).
    pub threads: usize,
    /// A stop request: no new attempt once raised, attempts in flight abandoned after the grace
    /// time.
    pub interrupt: crate::interrupt::Interrupt,
}

/// The outcome for one port that was not closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortOutcome {
    /// Port number.
    pub port: u16,
    /// State.
    pub state: PortState,
    /// Why.
    pub reason: PortReason,
}

/// Everything the connect scan learnt about one host.
#[derive(Debug, Clone, Default)]
pub struct HostScan {
    /// Ports that were not closed, sorted by port.
    pub ports: Vec<PortOutcome>,
    /// Number of closed ports.
    pub closed: u32,
    /// Smoothed round-trip time, if the host answered.
    pub srtt: Option<Duration>,
    /// Whether anything (SYN-ACK or RST) came back.
    pub answered: bool,
    /// Ports not scanned because the run was interrupted, sorted.
    pub not_scanned: Vec<u16>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Rtt {
    srtt_us: f64,
    rttvar_us: f64,
    samples: u32,
}

impl Rtt {
    // RFC 6298 smoothing, as nmap does for its per-host timeouts.
    fn sample(&mut self, rtt: Duration) {
        let r = rtt.as_secs_f64() * 1e6;
        if self.samples == 0 {
            self.srtt_us = r;
            self.rttvar_us = r / 2.0;
        } else {
            self.rttvar_us = 0.75 * self.rttvar_us + 0.25 * (self.srtt_us - r).abs();
            self.srtt_us = 0.875 * self.srtt_us + 0.125 * r;
        }
        self.samples += 1;
    }

    fn timeout(&self, timing: &ScanTiming) -> Duration {
        if self.samples == 0 {
            return timing.initial_timeout;
        }
        let us = self.srtt_us + 4.0 * self.rttvar_us;
        Duration::from_secs_f64(us / 1e6).clamp(timing.min_timeout, timing.max_timeout)
    }
}

#[derive(Debug, Default)]
struct HostProgress {
    rtt: Rtt,
    answered: bool,
    silent_ports: Vec<u16>,
    /// Every port that is not (yet) known closed.
    outcomes: BTreeMap<u16, (PortState, PortReason)>,
    closed: u32,
    /// `answered` has been published to the other threads.
    shared: bool,
    /// Ports given up unprobed because the run was interrupted.
    not_scanned: Vec<u16>,
}

struct InFlight {
    stream: TcpStream,
    host: usize,
    port: u16,
    started: Instant,
    attempt: u8,
}

#[derive(Clone, Copy)]
struct Probe {
    host: usize,
    port: u16,
    attempt: u8,
}

/// How often to look for expired attempts even when nothing else happens.
const SWEEP_INTERVAL: Duration = Duration::from_millis(20);

type DirectLimiter = RateLimiter<
    governor::state::NotKeyed,
    governor::state::InMemoryState,
    governor::clock::DefaultClock,
>;

/// The part of a scan one thread runs: some hosts, some ports.
struct Share {
    /// Global host indices.
    global: Vec<usize>,
    /// Their addresses.
    addrs: Vec<IpAddr>,
    /// Ports this share probes on each of its hosts.
    ports: Vec<u16>,
}

/// Splits the work for `threads` threads: by host when there are enough hosts, otherwise by
/// interleaved ports (so each thread still covers the whole range of a single host).
fn split(plan: &ConnectScanPlan, threads: usize) -> Vec<Share> {
    let n = plan.hosts.len();
    if n >= threads {
        (0..threads)
            .map(|t| {
                let global: Vec<usize> = (t..n).step_by(threads).collect();
                Share {
                    addrs: global.iter().map(|&i| plan.hosts[i]).collect(),
                    global,
                    ports: plan.ports.clone(),
                }
            })
            .collect()
    } else {
        (0..threads)
            .map(|t| Share {
                global: (0..n).collect(),
                addrs: plan.hosts.clone(),
                ports: plan
                    .ports
                    .iter()
                    .skip(t)
                    .step_by(threads)
                    .copied()
                    .collect(),
            })
            .filter(|share| !share.ports.is_empty())
            .collect()
    }
}

/// Runs the connect scan to completion and returns one [`HostScan`] per entry of
/// `plan.hosts`, in the same order.
///
/// The work is split over `plan.threads` scanning threads, each with its own poller and an
/// equal part of the window; the connect path is kernel work, so a second core nearly doubles
/// the rate on a near network. Errors only if a poller cannot be created; everything the
/// network does is a result.
pub fn connect_scan(
    plan: &ConnectScanPlan,
    progress: &mut dyn Progress,
) -> std::io::Result<Vec<HostScan>> {
    let threads = plan.threads.clamp(1, 16);
    let shares = split(plan, threads);
    let window = (plan.concurrency.max(1) / shares.len().max(1)).max(1);
    // A small burst keeps a rate-limited scan smooth instead of front-loading a second's worth.
    let limiter: Option<DirectLimiter> = plan.rate.map(|rate| {
        let burst = NonZeroU32::new((rate.get() / 20).max(1)).unwrap_or(NonZeroU32::MIN);
        RateLimiter::direct(Quota::per_second(rate).allow_burst(burst))
    });
    let answered: Vec<AtomicBool> = plan.hosts.iter().map(|_| AtomicBool::new(false)).collect();
    let done = AtomicU64::new(0);
    let total = (plan.hosts.len() as u64) * (plan.ports.len() as u64);

    let results: Vec<std::io::Result<(Vec<usize>, Vec<HostProgress>)>> =
        std::thread::scope(|scope| {
            let handles: Vec<_> = shares
                .iter()
                .map(|share| {
                    let (limiter, answered, done) = (limiter.as_ref(), &answered, &done);
                    scope.spawn(move || {
                        scan_share(share, plan, window, limiter, answered, done)
                            .map(|hosts| (share.global.clone(), hosts))
                    })
                })
                .collect();
            while !handles
                .iter()
                .all(std::thread::ScopedJoinHandle::is_finished)
            {
                progress.update(Stage::Ports, done.load(Ordering::Relaxed).min(total), total);
                std::thread::sleep(Duration::from_millis(50));
            }
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(std::io::Error::other("scan thread panicked")))
                })
                .collect()
        });
    progress.update(Stage::Ports, total, total);

    let mut merged: Vec<HostProgress> =
        plan.hosts.iter().map(|_| HostProgress::default()).collect();
    for result in results {
        let (global, hosts) = result?;
        for (index, part) in global.into_iter().zip(hosts) {
            let host = &mut merged[index];
            host.closed += part.closed;
            host.outcomes.extend(part.outcomes);
            host.not_scanned.extend(part.not_scanned);
            host.answered |= part.answered;
            if part.rtt.samples > host.rtt.samples {
                host.rtt = part.rtt;
            }
        }
    }
    Ok(merged.into_iter().map(finish_host).collect())
}

fn scan_share(
    share: &Share,
    plan: &ConnectScanPlan,
    concurrency: usize,
    limiter: Option<&DirectLimiter>,
    answered: &[AtomicBool],
    done_counter: &AtomicU64,
) -> std::io::Result<Vec<HostProgress>> {
    let mut scanner = Scanner {
        share,
        timing: &plan.timing,
        concurrency,
        limiter,
        answered,
        done_counter,
        poll: Poll::new()?,
        events: Events::with_capacity(1024),
        hosts: share
            .addrs
            .iter()
            .map(|_| HostProgress::default())
            .collect(),
        slots: Vec::with_capacity(concurrency),
        free: Vec::new(),
        in_flight: 0,
        allowed_in_flight: concurrency,
        total: (share.addrs.len() as u64) * (share.ports.len() as u64),
        next_fresh: 0,
        requeued: VecDeque::new(),
        retry_round: 0,
        done: 0,
        published: 0,
        last_report: Instant::now(),
        last_sweep: Instant::now(),
    };
    loop {
        if plan.interrupt.is_raised() {
            // Stopping: nothing new is sent; attempts in flight may settle within the grace
            // time, the rest are abandoned (their ports count as not scanned).
            if scanner.in_flight == 0 || plan.interrupt.grace_over() {
                scanner.abandon();
                break;
            }
            scanner.wait(None)?;
            scanner.settle_ready();
            scanner.sweep();
            scanner.publish_progress();
            continue;
        }
        let rate_wait = scanner.launch();
        if scanner.pass_over() {
            if scanner.next_pass() {
                continue;
            }
            break;
        }
        scanner.wait(rate_wait)?;
        scanner.settle_ready();
        scanner.sweep();
        scanner.publish_progress();
    }
    Ok(scanner.finish())
}

/// One scanning thread: its share of the work, the sockets in flight and what each host said
/// so far. [`scan_share`] loops launch → wait → settle → sweep until every probe is settled.
struct Scanner<'a> {
    share: &'a Share,
    timing: &'a ScanTiming,
    concurrency: usize,
    limiter: Option<&'a DirectLimiter>,
    /// Hosts that answered, shared with the other threads.
    answered: &'a [AtomicBool],
    done_counter: &'a AtomicU64,
    poll: Poll,
    events: Events,
    hosts: Vec<HostProgress>,
    /// Attempts in flight, indexed by their poll token.
    slots: Vec<Option<InFlight>>,
    free: Vec<usize>,
    in_flight: usize,
    /// The window: narrowed when descriptors or local ports run out, widened as attempts end.
    allowed_in_flight: usize,
    total: u64,
    /// Fresh probes are generated port-major (every host gets port 1, then port 2, ...) so a
    /// host's first answers arrive early and tune its timeout for the rest.
    next_fresh: u64,
    requeued: VecDeque<Probe>,
    retry_round: u8,
    done: u64,
    published: u64,
    last_report: Instant,
    last_sweep: Instant,
}

impl Scanner<'_> {
    fn next_probe(&mut self) -> Option<Probe> {
        if let Some(p) = self.requeued.pop_front() {
            return Some(p);
        }
        if self.next_fresh >= self.total {
            return None;
        }
        let n_hosts = self.share.addrs.len() as u64;
        let probe = Probe {
            host: (self.next_fresh % n_hosts) as usize,
            port: self.share.ports[(self.next_fresh / n_hosts) as usize],
            attempt: 0,
        };
        self.next_fresh += 1;
        Some(probe)
    }

    /// Launches as many attempts as the window and the rate allow; returns how long the rate
    /// limiter asks to wait when it stopped the launch.
    fn launch(&mut self) -> Option<Duration> {
        while self.in_flight < self.allowed_in_flight {
            let Some(probe) = self.next_probe() else {
                break;
            };
            if let Some(limiter) = self.limiter
                && let Err(not_until) = limiter.check()
            {
                self.requeued.push_front(probe);
                return Some(not_until.wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                )));
            }
            let addr = SocketAddr::new(self.share.addrs[probe.host], probe.port);
            match TcpStream::connect(addr) {
                Ok(mut stream) => {
                    // On a local or very near target the reset is often processed before
                    // connect() returns; one getsockopt then saves registering the socket.
                    if let Ok(Some(err)) = stream.take_error() {
                        let host = &mut self.hosts[probe.host];
                        let outcome = classify_error(&err);
                        let rtt = (outcome.1 == PortReason::ConnRefused).then_some(Duration::ZERO);
                        record(host, probe.port, outcome, rtt);
                        self.done += 1;
                        continue;
                    }
                    let slot = self.free.pop().unwrap_or_else(|| {
                        self.slots.push(None);
                        self.slots.len() - 1
                    });
                    if let Err(err) =
                        self.poll
                            .registry()
                            .register(&mut stream, Token(slot), Interest::WRITABLE)
                    {
                        self.free.push(slot);
                        self.requeued.push_front(probe);
                        self.allowed_in_flight = self.in_flight.max(1);
                        tracing::debug!(%err, "register failed; narrowing the window");
                        break;
                    }
                    self.slots[slot] = Some(InFlight {
                        stream,
                        host: probe.host,
                        port: probe.port,
                        started: Instant::now(),
                        attempt: probe.attempt,
                    });
                    self.in_flight += 1;
                }
                Err(err) if is_resource_exhaustion(&err) => {
                    // Out of descriptors or local ports: shrink the window and wait for
                    // attempts in flight to finish.
                    self.requeued.push_front(probe);
                    self.allowed_in_flight = self.in_flight.max(1);
                    tracing::debug!(%err, in_flight = self.in_flight, "resource limit; narrowing the window");
                    break;
                }
                Err(err) => {
                    let host = &mut self.hosts[probe.host];
                    record(host, probe.port, classify_error(&err), None);
                    self.done += 1;
                }
            }
        }
        None
    }

    /// Nothing in flight and nothing left to launch: a pass is over.
    fn pass_over(&self) -> bool {
        self.in_flight == 0 && self.requeued.is_empty() && self.next_fresh >= self.total
    }

    /// Starts a retry pass for silent ports on hosts that answered; false when none is due.
    fn next_pass(&mut self) -> bool {
        if self.retry_round >= self.timing.retries {
            return false;
        }
        self.retry_round += 1;
        for (index, host) in self.hosts.iter_mut().enumerate() {
            // Another thread may have seen this host answer on its ports.
            if host.answered || self.answered[self.share.global[index]].load(Ordering::Relaxed) {
                for port in host.silent_ports.drain(..) {
                    self.requeued.push_back(Probe {
                        host: index,
                        port,
                        attempt: self.retry_round,
                    });
                }
            }
        }
        if self.requeued.is_empty() {
            return false;
        }
        self.done = self.done.saturating_sub(self.requeued.len() as u64);
        true
    }

    /// Waits for readiness, no longer than the next sweep or the rate limiter asks.
    fn wait(&mut self, rate_wait: Option<Duration>) -> std::io::Result<()> {
        let mut wait = SWEEP_INTERVAL.saturating_sub(self.last_sweep.elapsed());
        if let Some(rate_wait) = rate_wait {
            wait = wait.min(rate_wait);
        }
        if self.in_flight == 0 {
            if let Some(rate_wait) = rate_wait {
                std::thread::sleep(rate_wait);
            }
        } else if let Err(err) = self.poll.poll(&mut self.events, Some(wait))
            && err.kind() != ErrorKind::Interrupted
        {
            return Err(err);
        }
        Ok(())
    }

    /// Settles every socket that became ready.
    fn settle_ready(&mut self) {
        let now = Instant::now();
        for event in self.events.iter() {
            let slot = event.token().0;
            let Some(attempt) = self.slots.get_mut(slot).and_then(Option::take) else {
                continue;
            };
            match settle(&attempt.stream) {
                Settled::Pending => {
                    self.slots[slot] = Some(attempt);
                    continue;
                }
                Settled::Outcome(state, reason) => {
                    let host = &mut self.hosts[attempt.host];
                    let rtt = matches!(reason, PortReason::SynAck | PortReason::ConnRefused)
                        .then(|| now.duration_since(attempt.started));
                    record(host, attempt.port, (state, reason), rtt);
                }
            }
            drop(attempt.stream);
            self.free.push(slot);
            self.in_flight -= 1;
            self.done += 1;
            self.allowed_in_flight = (self.allowed_in_flight + 1).min(self.concurrency);
        }
    }

    /// Expires attempts that outlived their host's current timeout, and tells the other
    /// threads which hosts answered.
    fn sweep(&mut self) {
        if self.last_sweep.elapsed() < SWEEP_INTERVAL {
            return;
        }
        for (index, host) in self.hosts.iter_mut().enumerate() {
            if host.answered && !host.shared {
                self.answered[self.share.global[index]].store(true, Ordering::Relaxed);
                host.shared = true;
            }
        }
        let now = Instant::now();
        for (slot, entry) in self.slots.iter_mut().enumerate() {
            let expired = entry.as_ref().is_some_and(|a| {
                now.duration_since(a.started) >= self.hosts[a.host].rtt.timeout(self.timing)
            });
            if expired && let Some(attempt) = entry.take() {
                let host = &mut self.hosts[attempt.host];
                // The answer may have arrived while this loop was busy: ask the socket before
                // calling it silent, or a busy scanner would mistake its own backlog for
                // packet loss.
                match settle(&attempt.stream) {
                    Settled::Outcome(state, reason) => {
                        record(host, attempt.port, (state, reason), None);
                    }
                    Settled::Pending => {
                        if attempt.attempt < self.timing.retries {
                            host.silent_ports.push(attempt.port);
                        }
                        // Provisional until a retry (if any) says otherwise.
                        host.outcomes
                            .insert(attempt.port, (PortState::Filtered, PortReason::NoResponse));
                    }
                }
                self.free.push(slot);
                self.in_flight -= 1;
                self.done += 1;
            }
        }
        self.last_sweep = now;
    }

    fn publish_progress(&mut self) {
        if self.last_report.elapsed() >= Duration::from_millis(50) {
            self.done_counter
                .fetch_add(self.done.saturating_sub(self.published), Ordering::Relaxed);
            self.published = self.published.max(self.done);
            self.last_report = Instant::now();
        }
    }

    /// Marks the ports that never came to a first result as not scanned: first attempts still
    /// in flight or waiting, and every fresh probe not generated yet (a retry's port keeps its
    /// first result).
    fn abandon(&mut self) {
        for attempt in self.slots.iter_mut().filter_map(Option::take) {
            if attempt.attempt == 0 {
                self.hosts[attempt.host].not_scanned.push(attempt.port);
            }
        }
        self.in_flight = 0;
        for probe in self.requeued.drain(..) {
            if probe.attempt == 0 {
                self.hosts[probe.host].not_scanned.push(probe.port);
            }
        }
        let n_hosts = self.share.addrs.len() as u64;
        for index in self.next_fresh..self.total {
            let host = (index % n_hosts) as usize;
            let port = self.share.ports[(index / n_hosts) as usize];
            self.hosts[host].not_scanned.push(port);
        }
        self.next_fresh = self.total;
    }

    fn finish(mut self) -> Vec<HostProgress> {
        self.done_counter
            .fetch_add(self.total.saturating_sub(self.published), Ordering::Relaxed);
        for (index, host) in self.hosts.iter_mut().enumerate() {
            host.answered |= self.answered[self.share.global[index]].load(Ordering::Relaxed);
        }
        self.hosts
    }
}

enum Settled {
    Pending,
    Outcome(PortState, PortReason),
}

fn settle(stream: &TcpStream) -> Settled {
    match stream.take_error() {
        Ok(Some(err)) | Err(err) => {
            let (state, reason) = classify_error(&err);
            Settled::Outcome(state, reason)
        }
        Ok(None) => match stream.peer_addr() {
            Ok(peer) => {
                // On loopback a connect into the ephemeral range can meet itself (TCP
                // simultaneous open); nothing listens there.
                if stream.local_addr().is_ok_and(|local| local == peer) {
                    Settled::Outcome(PortState::Closed, PortReason::SelfConnect)
                } else {
                    Settled::Outcome(PortState::Open, PortReason::SynAck)
                }
            }
            Err(err) if err.kind() == ErrorKind::NotConnected => Settled::Pending,
            Err(err) => {
                let (state, reason) = classify_error(&err);
                Settled::Outcome(state, reason)
            }
        },
    }
}

fn classify_error(err: &std::io::Error) -> (PortState, PortReason) {
    match err.kind() {
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset => {
            (PortState::Closed, PortReason::ConnRefused)
        }
        ErrorKind::HostUnreachable => (PortState::Unreachable, PortReason::HostUnreach),
        ErrorKind::NetworkUnreachable => (PortState::Unreachable, PortReason::NetUnreach),
        ErrorKind::PermissionDenied => (PortState::Filtered, PortReason::LocalPolicy),
        _ => (PortState::Filtered, PortReason::NoResponse),
    }
}

fn is_resource_exhaustion(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        ErrorKind::AddrNotAvailable | ErrorKind::WouldBlock
    ) || matches!(
        err.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

fn record(
    host: &mut HostProgress,
    port: u16,
    outcome: (PortState, PortReason),
    rtt: Option<Duration>,
) {
    let (state, reason) = outcome;
    if let Some(rtt) = rtt {
        host.rtt.sample(rtt);
    }
    if matches!(state, PortState::Open | PortState::Closed) && reason != PortReason::SelfConnect {
        host.answered = true;
    }
    // A retry supersedes the provisional "silent" entry of an earlier attempt.
    host.outcomes.remove(&port);
    if state == PortState::Closed {
        host.closed += 1;
    } else {
        host.outcomes.insert(port, (state, reason));
    }
}

fn finish_host(mut host: HostProgress) -> HostScan {
    host.not_scanned.sort_unstable();
    host.not_scanned.dedup();
    let mut result = HostScan {
        not_scanned: host.not_scanned,
        ports: host
            .outcomes
            .into_iter()
            .map(|(port, (state, reason))| PortOutcome {
                port,
                state,
                reason,
            })
            .collect(),
        closed: host.closed,
        srtt: None,
        answered: host.answered,
    };
    if host.answered {
        // ICMP unreachable from a host that otherwise answers comes from a filter.
        for port in &mut result.ports {
            if port.reason == PortReason::HostUnreach {
                port.state = PortState::Filtered;
                port.reason = PortReason::AdminProhibited;
            }
        }
        result.srtt = Some(Duration::from_secs_f64(host.rtt.srtt_us / 1e6));
    }
    result
}
