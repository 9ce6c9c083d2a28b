//! Targets and scope: what the user asked to scan, and what postura is allowed to contact.
//!
//! Target expressions are parsed first ([`TargetSpec::parse`]), then expanded into addresses
//! ([`expand`]). Hostnames are resolved to all of their A and AAAA records; a name is never
//! widened into a range. Exclusions and the scope file are applied before any packet is sent,
//! and the address count is checked before anything is materialised, so a typo like
//! `10.0.0.0/8` cannot quietly turn into sixteen million connection attempts.

pub mod ports;
pub mod top_ports;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use ipnet::IpNet;

use crate::error::InputError;

/// More addresses than this (a /16) need explicit confirmation.
pub const CONFIRM_ABOVE_ADDRESSES: u128 = 65_536;
/// Never expand more addresses than this, confirmed or not.
pub const HARD_LIMIT_ADDRESSES: u128 = 1 << 24;

/// One parsed target expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// A single address.
    Addr(IpAddr),
    /// A network in CIDR notation; every address in it, network and broadcast included.
    Net(IpNet),
    /// An inclusive address range (`10.0.0.1-20` or `10.0.0.1-10.0.0.20`).
    Range(IpAddr, IpAddr),
    /// A DNS name, resolved to all of its addresses.
    Host(String),
}

impl TargetSpec {
    /// Parses one target expression. `@file` lists are handled by [`read_target_file`].
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let s = input.trim();
        let bad = |why: &str| InputError::Target {
            input: input.to_owned(),
            origin: None,
            expected: why.to_owned(),
        };
        if s.is_empty() {
            return Err(bad("an address, CIDR, range or host name"));
        }
        // `[::1]` is an IPv6 address in brackets; a bracket on one side only is a typo.
        let unbracketed = match (s.strip_prefix('['), s.ends_with(']')) {
            (Some(rest), true) => rest.strip_suffix(']').unwrap_or(rest),
            (None, false) => s,
            _ => {
                return Err(bad(
                    "an IPv6 address in brackets, closed on both sides: [2001:db8::1]",
                ));
            }
        };
        if let Ok(addr) = unbracketed.parse::<IpAddr>() {
            return Ok(Self::Addr(addr));
        }
        if s.contains('/') {
            return s
                .parse::<IpNet>()
                .map(Self::Net)
                .map_err(|_| bad("a CIDR network like 192.0.2.0/24 or 2001:db8::/64"));
        }
        if let Some((a, b)) = s.split_once('-')
            && let Ok(first) = a.parse::<IpAddr>()
        {
            let last = parse_range_end(first, b).ok_or_else(|| {
                bad("a range like 10.0.0.1-20 or 10.0.0.1-10.0.0.20 (same family, ascending)")
            })?;
            return Ok(Self::Range(first, last));
        }
        if is_host_name(s) {
            return Ok(Self::Host(s.trim_end_matches('.').to_ascii_lowercase()));
        }
        Err(bad(
            "an IPv4/IPv6 address, CIDR, range (10.0.0.1-20) or host name",
        ))
    }

    /// Number of addresses the expression covers (1 for a host name, before resolution).
    pub fn address_count(&self) -> u128 {
        match self {
            Self::Addr(_) | Self::Host(_) => 1,
            Self::Net(net) => 1u128 << (max_prefix(net.addr()) - net.prefix_len()),
            Self::Range(a, b) => ip_to_u128(*b) - ip_to_u128(*a) + 1,
        }
    }

    /// Whether the expression's addresses include `addr`. Host names never match here:
    /// they are resolved first and their addresses tested.
    pub fn contains(&self, addr: IpAddr) -> bool {
        match self {
            Self::Addr(a) => *a == addr,
            Self::Net(net) => net.contains(&addr),
            Self::Range(a, b) => {
                a.is_ipv4() == addr.is_ipv4()
                    && (ip_to_u128(*a)..=ip_to_u128(*b)).contains(&ip_to_u128(addr))
            }
            Self::Host(_) => false,
        }
    }
}

fn parse_range_end(first: IpAddr, end: &str) -> Option<IpAddr> {
    let last = match (first, end.parse::<IpAddr>()) {
        (_, Ok(last)) => last,
        (IpAddr::V4(v4), Err(_)) => {
            // Short form: only the last octet is given.
            let octet: u8 = end.parse().ok()?;
            let [a, b, c, _] = v4.octets();
            IpAddr::V4(Ipv4Addr::new(a, b, c, octet))
        }
        (IpAddr::V6(_), Err(_)) => return None,
    };
    (first.is_ipv4() == last.is_ipv4() && ip_to_u128(first) <= ip_to_u128(last)).then_some(last)
}

fn is_host_name(s: &str) -> bool {
    let s = s.trim_end_matches('.');
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        // A name made only of digits and dots is a mistyped address, not a name.
        && !s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

fn max_prefix(addr: IpAddr) -> u8 {
    if addr.is_ipv4() { 32 } else { 128 }
}

fn ip_to_u128(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn u128_to_ip(value: u128, v4: bool) -> IpAddr {
    if v4 {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(value).unwrap_or(u32::MAX)))
    } else {
        IpAddr::V6(Ipv6Addr::from(value))
    }
}

/// A target expression together with where it came from, for error messages.
#[derive(Debug, Clone)]
pub struct SourcedSpec {
    /// The parsed expression.
    pub spec: TargetSpec,
    /// The port of a `host:port` target: only that port is scanned for it.
    pub port: Option<u16>,
    /// The text as written.
    pub text: String,
    /// `file:line` when it came from an `@file` list.
    pub origin: Option<String>,
    /// The name an `ADDRESS NAME` line of a target list gives an address: what its TLS
    /// certificate is judged against, without asking DNS.
    pub name: Option<String>,
}

/// Parses a target that may name one port: `host:443`, `192.0.2.1:8443`, `[2001:db8::1]:443`.
/// A bare IPv6 address (several colons, no brackets) has no port.
pub fn parse_with_port(input: &str) -> Result<(TargetSpec, Option<u16>), InputError> {
    let s = input.trim();
    let bad = || InputError::Target {
        input: input.to_owned(),
        origin: None,
        expected: "a port from 1 to 65535 after the colon, e.g. mail.example:465".to_owned(),
    };
    let split = if let Some(rest) = s.strip_prefix('[') {
        rest.split_once("]:")
    } else if s.matches(':').count() == 1 {
        s.split_once(':')
    } else {
        None
    };
    match split {
        Some((host, port)) => {
            let port: u16 = port.parse().ok().filter(|&p| p != 0).ok_or_else(bad)?;
            let spec = TargetSpec::parse(host).map_err(|err| match err {
                InputError::Target { expected, .. } => InputError::Target {
                    input: input.to_owned(),
                    origin: None,
                    expected,
                },
                other => other,
            })?;
            if matches!(spec, TargetSpec::Net(_) | TargetSpec::Range(..)) {
                return Err(InputError::Target {
                    input: input.to_owned(),
                    origin: None,
                    expected: "one host or address before `:port` (use --ports for networks)"
                        .to_owned(),
                });
            }
            Ok((spec, Some(port)))
        }
        None => Ok((TargetSpec::parse(s)?, None)),
    }
}

/// Parses command-line target arguments; `@file` arguments are read as lists (one target per
/// line, `#` starts a comment).
pub fn parse_target_args(args: &[String]) -> Result<Vec<SourcedSpec>, InputError> {
    let mut specs = Vec::new();
    for arg in args {
        if let Some(path) = arg.strip_prefix('@') {
            specs.extend(read_target_file(Path::new(path))?);
        } else {
            let (spec, port) = parse_with_port(arg)?;
            specs.push(SourcedSpec {
                spec,
                port,
                text: arg.clone(),
                origin: None,
                name: None,
            });
        }
    }
    Ok(specs)
}

/// Reads a target list file: one expression per line, blank lines and `#` comments ignored.
/// A line `ADDRESS NAME` (as in a hosts file) scans the address and judges its certificates
/// against the name.
pub fn read_target_file(path: &Path) -> Result<Vec<SourcedSpec>, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    let mut specs = Vec::new();
    for (index, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let item = line.split('#').next().unwrap_or("").trim();
        if item.is_empty() {
            continue;
        }
        let origin = format!("{}:{}", path.display(), index + 1);
        let (item, name) = match item.split_once(char::is_whitespace) {
            Some((address, name)) => (address, Some(name.trim())),
            None => (item, None),
        };
        let (spec, port) = parse_with_port(item).map_err(|err| match err {
            InputError::Target {
                input, expected, ..
            } => InputError::Target {
                input,
                origin: Some(origin.clone()),
                expected,
            },
            other => other,
        })?;
        let name = match (name, &spec) {
            (None, _) => None,
            (Some(name), TargetSpec::Addr(_))
                if matches!(TargetSpec::parse(name), Ok(TargetSpec::Host(_))) =>
            {
                Some(name.to_ascii_lowercase())
            }
            (Some(name), _) => {
                return Err(InputError::Target {
                    input: format!("{item} {name}"),
                    origin: Some(origin),
                    expected: "one target a line, or an address and one host name (`192.0.2.10 www.example.org`)".into(),
                });
            }
        };
        specs.push(SourcedSpec {
            spec,
            port,
            text: item.to_owned(),
            origin: Some(origin),
            name,
        });
    }
    Ok(specs)
}

/// One address to scan, with the names that led to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The address.
    pub address: IpAddr,
    /// Host names from the target list that resolved to it.
    pub hostnames: Vec<String>,
    /// Ports named with `host:port` targets.
    pub ports: Vec<u16>,
    /// Whether the address was also given without a port (then `--ports` applies as well).
    pub all_ports: bool,
}

/// Resolves host names to addresses. Abstracted so that expansion can be tested without DNS.
pub trait NameResolver {
    /// All A and AAAA records of `name`.
    fn resolve(&self, name: &str) -> Result<Vec<IpAddr>, String>;
}

/// What [`expand`] needs besides the targets.
pub struct ExpandOptions<'a> {
    /// Addresses never to contact.
    pub exclude: &'a [SourcedSpec],
    /// If set, only addresses inside these expressions may be contacted.
    pub scope: Option<&'a [SourcedSpec]>,
    /// The user confirmed a range larger than [`CONFIRM_ABOVE_ADDRESSES`].
    pub confirmed_large: bool,
}

/// The result of expansion.
#[derive(Debug, Clone, Default)]
pub struct Expansion {
    /// Addresses to scan, sorted, each once.
    pub targets: Vec<Target>,
    /// Addresses dropped by `--exclude` or `--scope`.
    pub skipped: u64,
}

/// Expands target expressions into a sorted list of addresses, applying exclusions and scope.
pub fn expand(
    specs: &[SourcedSpec],
    options: &ExpandOptions<'_>,
    resolver: &dyn NameResolver,
) -> Result<Expansion, InputError> {
    let total: u128 = specs.iter().map(|s| s.spec.address_count()).sum();
    if total > HARD_LIMIT_ADDRESSES {
        return Err(InputError::TooManyAddresses {
            count: total,
            limit: HARD_LIMIT_ADDRESSES,
        });
    }
    if total > CONFIRM_ABOVE_ADDRESSES && !options.confirmed_large {
        return Err(InputError::NeedsConfirmation { count: total });
    }

    let resolve_all = |list: &[SourcedSpec]| -> Result<Vec<TargetSpec>, InputError> {
        let mut out = Vec::new();
        for item in list {
            match &item.spec {
                TargetSpec::Host(name) => {
                    for addr in resolve_checked(resolver, item, name)? {
                        out.push(TargetSpec::Addr(addr));
                    }
                }
                other => out.push(other.clone()),
            }
        }
        Ok(out)
    };
    let exclude = resolve_all(options.exclude)?;
    let scope = options.scope.map(resolve_all).transpose()?;

    let mut found: BTreeMap<IpAddr, Target> = BTreeMap::new();
    let mut skipped = 0u64;
    for item in specs {
        let mut in_scope_here = 0u64;
        let mut consider = |addr: IpAddr, name: Option<&str>| {
            let allowed = scope
                .as_ref()
                .is_none_or(|scope| scope.iter().any(|s| s.contains(addr)));
            if !allowed || exclude.iter().any(|e| e.contains(addr)) {
                skipped += 1;
                return;
            }
            in_scope_here += 1;
            let target = found.entry(addr).or_insert_with(|| Target {
                address: addr,
                hostnames: Vec::new(),
                ports: Vec::new(),
                all_ports: false,
            });
            match item.port {
                Some(port) if !target.ports.contains(&port) => target.ports.push(port),
                Some(_) => {}
                None => target.all_ports = true,
            }
            if let Some(name) = name
                && !target.hostnames.iter().any(|n| n == name)
            {
                target.hostnames.push(name.to_owned());
            }
        };
        match &item.spec {
            TargetSpec::Addr(addr) => consider(*addr, item.name.as_deref()),
            TargetSpec::Net(net) => {
                let (first, last) = (ip_to_u128(net.network()), ip_to_u128(net.broadcast()));
                for value in first..=last {
                    consider(u128_to_ip(value, net.addr().is_ipv4()), None);
                }
            }
            TargetSpec::Range(a, b) => {
                for value in ip_to_u128(*a)..=ip_to_u128(*b) {
                    consider(u128_to_ip(value, a.is_ipv4()), None);
                }
            }
            TargetSpec::Host(name) => {
                for addr in resolve_checked(resolver, item, name)? {
                    consider(addr, Some(name));
                }
            }
        }
        if in_scope_here == 0 && options.scope.is_some() {
            return Err(InputError::OutOfScope {
                target: item.text.clone(),
                origin: item.origin.clone(),
            });
        }
    }
    Ok(Expansion {
        targets: found.into_values().collect(),
        skipped,
    })
}

fn resolve_checked(
    resolver: &dyn NameResolver,
    item: &SourcedSpec,
    name: &str,
) -> Result<Vec<IpAddr>, InputError> {
    match resolver.resolve(name) {
        Ok(addrs) if !addrs.is_empty() => Ok(addrs),
        Ok(_) => Err(InputError::Resolve {
            name: name.to_owned(),
            origin: item.origin.clone(),
            reason: "no A or AAAA records".to_owned(),
        }),
        Err(reason) => Err(InputError::Resolve {
            name: name.to_owned(),
            origin: item.origin.clone(),
            reason,
        }),
    }
}

/// The system's resolver: names in the hosts file first, without asking DNS, then one hickory
/// resolver (system configuration) for the whole run. A DNS server that does not answer costs
/// one short timeout per run: after it, further names fail at once with the same reason.
pub struct SystemResolver {
    runtime: tokio::runtime::Runtime,
    /// `(name, address)` pairs of the hosts file, names lower-case.
    hosts: Vec<(String, IpAddr)>,
    resolver: std::cell::OnceCell<Result<hickory_resolver::TokioResolver, String>>,
    /// Set when DNS did not answer; later lookups do not wait again.
    unreachable: std::cell::RefCell<Option<String>>,
}

/// The wait for one DNS answer: a local resolver answers in milliseconds, a remote one well
/// within a second; hickory's default of five seconds, three times, stalls a scan.
const DNS_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(1500);

impl SystemResolver {
    /// A resolver with its own small runtime; resolution happens before the scan starts.
    pub fn new() -> Result<Self, std::io::Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let hosts = std::fs::read_to_string("/etc/hosts")
            .map(|text| parse_hosts(&text))
            .unwrap_or_default();
        Ok(Self {
            runtime,
            hosts,
            resolver: std::cell::OnceCell::new(),
            unreachable: std::cell::RefCell::new(None),
        })
    }

    fn dns(&self) -> Result<&hickory_resolver::TokioResolver, String> {
        self.resolver
            .get_or_init(|| {
                let _runtime = self.runtime.enter();
                let mut builder =
                    hickory_resolver::Resolver::builder_tokio().map_err(|e| e.to_string())?;
                let options = builder.options_mut();
                options.timeout = DNS_TIMEOUT;
                options.attempts = 1;
                builder.build().map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// The `(name, address)` pairs of a hosts file (`ADDRESS NAME [ALIAS…]`, `#` comments).
pub fn parse_hosts(text: &str) -> Vec<(String, IpAddr)> {
    let mut pairs = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut fields = line.split_whitespace();
        let Some(addr) = fields.next().and_then(|a| a.parse::<IpAddr>().ok()) else {
            continue;
        };
        for name in fields {
            pairs.push((name.to_ascii_lowercase(), addr));
        }
    }
    pairs
}

impl NameResolver for SystemResolver {
    fn resolve(&self, name: &str) -> Result<Vec<IpAddr>, String> {
        let wanted = name.trim_end_matches('.').to_ascii_lowercase();
        let mut addrs: Vec<IpAddr> = self
            .hosts
            .iter()
            .filter(|(n, _)| *n == wanted)
            .map(|(_, a)| *a)
            .collect();
        if addrs.is_empty() {
            if let Some(reason) = self.unreachable.borrow().as_ref() {
                return Err(format!("{reason} (earlier in this run; not asked again)"));
            }
            let resolver = self.dns()?;
            let lookup = self.runtime.block_on(resolver.lookup_ip(name));
            match lookup {
                Ok(found) => addrs.extend(found.iter()),
                Err(err) => {
                    use hickory_resolver::net::NetError;
                    if matches!(
                        err,
                        NetError::Timeout | NetError::NoConnections | NetError::Io(_)
                    ) {
                        let reason = format!("DNS did not answer: {err}");
                        *self.unreachable.borrow_mut() = Some(reason.clone());
                        return Err(reason);
                    }
                    return Err(err.to_string());
                }
            }
        }
        addrs.sort();
        addrs.dedup();
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_lists_give_addresses_a_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("targets.txt");
        std::fs::write(
            &file,
            "10.0.0.5 WWW.Example.org # web\n10.0.0.6:8443\tportal.example\n",
        )
        .unwrap();
        let specs = read_target_file(&file).unwrap();
        assert_eq!(specs[0].spec, TargetSpec::Addr("10.0.0.5".parse().unwrap()));
        assert_eq!(specs[0].name.as_deref(), Some("www.example.org"));
        assert_eq!(specs[1].port, Some(8443));
        assert_eq!(specs[1].name.as_deref(), Some("portal.example"));
        let expansion = expand(
            &specs,
            &ExpandOptions {
                exclude: &[],
                scope: None,
                confirmed_large: false,
            },
            &FixedResolver,
        )
        .unwrap();
        assert_eq!(expansion.targets[0].hostnames, ["www.example.org"]);
        // A name belongs to one address, not to a network or a second name.
        for bad in [
            "10.0.0.0/24 net.example",
            "a.example b.example",
            "10.0.0.5 two words",
        ] {
            std::fs::write(&file, bad).unwrap();
            let err = read_target_file(&file).unwrap_err().to_string();
            assert!(err.contains("targets.txt:1"), "{bad}: {err}");
        }
    }

    #[test]
    fn hosts_file_names_and_aliases() {
        let pairs = parse_hosts(
            "# comment\n127.0.0.1\tlocalhost\n10.0.0.5 Web.Example web # the web server\n\
             ::1 localhost ip6-localhost\nnot-an-address name\n",
        );
        let of = |name: &str| -> Vec<IpAddr> {
            pairs
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, a)| *a)
                .collect()
        };
        assert_eq!(
            of("web.example"),
            vec!["10.0.0.5".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(of("web"), vec!["10.0.0.5".parse::<IpAddr>().unwrap()]);
        assert_eq!(of("localhost").len(), 2);
        assert!(of("name").is_empty());
    }

    struct FixedResolver;
    impl NameResolver for FixedResolver {
        fn resolve(&self, name: &str) -> Result<Vec<IpAddr>, String> {
            match name {
                "two.example" => Ok(vec!["127.0.0.5".parse().unwrap(), "::1".parse().unwrap()]),
                _ => Err("NXDOMAIN".to_owned()),
            }
        }
    }

    fn specs(list: &[&str]) -> Vec<SourcedSpec> {
        list.iter()
            .map(|s| {
                let (spec, port) = parse_with_port(s).unwrap();
                SourcedSpec {
                    spec,
                    port,
                    text: (*s).to_owned(),
                    origin: None,
                    name: None,
                }
            })
            .collect()
    }

    fn addrs(expansion: &Expansion) -> Vec<String> {
        expansion
            .targets
            .iter()
            .map(|t| t.address.to_string())
            .collect()
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(
            TargetSpec::parse("10.0.0.1-20").unwrap(),
            TargetSpec::Range("10.0.0.1".parse().unwrap(), "10.0.0.20".parse().unwrap())
        );
        assert!(matches!(
            TargetSpec::parse("[::1]").unwrap(),
            TargetSpec::Addr(_)
        ));
        assert!(matches!(
            TargetSpec::parse("127.0.0.0/30").unwrap(),
            TargetSpec::Net(_)
        ));
        assert!(matches!(
            TargetSpec::parse("fe80::1-fe80::9").unwrap(),
            TargetSpec::Range(..)
        ));
        assert_eq!(
            TargetSpec::parse("Host.Example.").unwrap(),
            TargetSpec::Host("host.example".into())
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "10.0.0.300",
            "10.0.0.5-2",
            "10.0.0.0/33",
            "a..b",
            "-x",
            "1.2.3",
            "::1-5",
        ] {
            assert!(TargetSpec::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn cidr_includes_network_and_broadcast() {
        let opts = ExpandOptions {
            exclude: &[],
            scope: None,
            confirmed_large: false,
        };
        let e = expand(&specs(&["127.0.0.0/30"]), &opts, &FixedResolver).unwrap();
        assert_eq!(
            addrs(&e),
            ["127.0.0.0", "127.0.0.1", "127.0.0.2", "127.0.0.3"]
        );
    }

    #[test]
    fn exclude_and_scope_are_applied() {
        let exclude = specs(&["127.0.0.2"]);
        let scope = specs(&["127.0.0.0/31", "127.0.0.2-3"]);
        let opts = ExpandOptions {
            exclude: &exclude,
            scope: Some(&scope),
            confirmed_large: false,
        };
        let e = expand(&specs(&["127.0.0.0/29"]), &opts, &FixedResolver).unwrap();
        assert_eq!(addrs(&e), ["127.0.0.0", "127.0.0.1", "127.0.0.3"]);
        assert_eq!(e.skipped, 5);
        let err = expand(&specs(&["127.0.1.1"]), &opts, &FixedResolver).unwrap_err();
        assert!(matches!(err, InputError::OutOfScope { .. }));
    }

    #[test]
    fn large_ranges_need_confirmation() {
        let opts = ExpandOptions {
            exclude: &[],
            scope: None,
            confirmed_large: false,
        };
        assert!(expand(&specs(&["10.0.0.0/16"]), &opts, &FixedResolver).is_ok());
        let err = expand(&specs(&["10.0.0.0/15"]), &opts, &FixedResolver).unwrap_err();
        assert!(matches!(err, InputError::NeedsConfirmation { .. }));
        let err = expand(&specs(&["2001:db8::/64"]), &opts, &FixedResolver).unwrap_err();
        assert!(matches!(err, InputError::TooManyAddresses { .. }));
    }

    #[test]
    fn host_port_targets() {
        assert_eq!(parse_with_port("127.0.0.1:8443").unwrap().1, Some(8443));
        assert_eq!(
            parse_with_port("[::1]:443").unwrap(),
            (TargetSpec::Addr("::1".parse().unwrap()), Some(443))
        );
        assert_eq!(parse_with_port("::1").unwrap().1, None);
        assert_eq!(
            parse_with_port("mail.example:465").unwrap().0,
            TargetSpec::Host("mail.example".into())
        );
        for bad in [
            "10.0.0.1:0",
            "10.0.0.1:70000",
            "10.0.0.0/24:443",
            "host:",
            "[::1]:x",
        ] {
            assert!(parse_with_port(bad).is_err(), "{bad} should be rejected");
        }
        let opts = ExpandOptions {
            exclude: &[],
            scope: None,
            confirmed_large: false,
        };
        let e = expand(
            &specs(&["127.0.0.5:443", "127.0.0.5:8443", "127.0.0.6"]),
            &opts,
            &FixedResolver,
        )
        .unwrap();
        assert_eq!(e.targets[0].ports, [443, 8443]);
        assert!(!e.targets[0].all_ports);
        assert!(e.targets[1].all_ports);
    }

    #[test]
    fn names_resolve_to_all_records() {
        let opts = ExpandOptions {
            exclude: &[],
            scope: None,
            confirmed_large: false,
        };
        let e = expand(&specs(&["two.example", "127.0.0.5"]), &opts, &FixedResolver).unwrap();
        assert_eq!(addrs(&e), ["127.0.0.5", "::1"]);
        assert_eq!(e.targets[0].hostnames, ["two.example"]);
        assert!(expand(&specs(&["nx.example"]), &opts, &FixedResolver).is_err());
    }
}
