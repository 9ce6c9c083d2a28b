//! Port expressions: `22,80,443`, `1-1024`, `top100`, `top1000`, `all`, service names.

use super::top_ports::TOP_TCP_PORTS;
use crate::error::InputError;

/// Well-known TCP service names accepted in `--ports` and used for the port-based service
/// guess. Names follow IANA where it has one, common use otherwise.
pub const WELL_KNOWN_TCP: &[(u16, &str)] = &[
    (21, "ftp"),
    (22, "ssh"),
    (23, "telnet"),
    (25, "smtp"),
    (53, "domain"),
    (79, "finger"),
    (80, "http"),
    (88, "kerberos"),
    (110, "pop3"),
    (111, "rpcbind"),
    (135, "msrpc"),
    (139, "netbios-ssn"),
    (143, "imap"),
    (161, "snmp"),
    (389, "ldap"),
    (443, "https"),
    (445, "microsoft-ds"),
    (465, "smtps"),
    (512, "rexec"),
    (513, "rlogin"),
    (514, "rsh"),
    (587, "submission"),
    (623, "ipmi"),
    (636, "ldaps"),
    (873, "rsync"),
    (902, "vmware-auth"),
    (990, "ftps"),
    (993, "imaps"),
    (995, "pop3s"),
    (1080, "socks"),
    (1433, "ms-sql"),
    (1521, "oracle"),
    (1883, "mqtt"),
    (2049, "nfs"),
    (2375, "docker"),
    (2376, "docker-tls"),
    (2379, "etcd"),
    (3000, "http"),
    (3268, "ldap-gc"),
    (3306, "mysql"),
    (3389, "rdp"),
    (4443, "https"),
    (5000, "http"),
    (5432, "postgresql"),
    (5601, "kibana"),
    (5672, "amqp"),
    (5900, "vnc"),
    (5901, "vnc"),
    (5984, "couchdb"),
    (5985, "winrm"),
    (5986, "winrm-tls"),
    (5988, "wbem"),
    (5989, "wbem-tls"),
    (6379, "redis"),
    (6443, "kubernetes-api"),
    (7001, "weblogic"),
    (8000, "http"),
    (8006, "proxmox"),
    (8008, "http"),
    (8080, "http"),
    (8081, "http"),
    (8086, "influxdb"),
    (8443, "https"),
    (8888, "http"),
    (9000, "http"),
    (9042, "cassandra"),
    (9090, "cockpit"),
    (9100, "jetdirect"),
    (9200, "elasticsearch"),
    (9300, "elasticsearch-transport"),
    (10000, "webmin"),
    (10250, "kubelet"),
    (11211, "memcached"),
    (15672, "rabbitmq-mgmt"),
    (16992, "intel-amt"),
    (16993, "intel-amt-tls"),
    (17988, "ilo-vm"),
    (27017, "mongodb"),
    (50000, "sap"),
];

/// The service name conventionally found on `port`, if any.
pub fn service_for_port(port: u16) -> Option<&'static str> {
    WELL_KNOWN_TCP
        .binary_search_by_key(&port, |&(p, _)| p)
        .ok()
        .map(|i| WELL_KNOWN_TCP[i].1)
}

/// Parses a port expression into a sorted, de-duplicated list.
///
/// Accepts comma-separated items, each a number, a range `a-b`, `top100`, `top1000`, `all`
/// (1-65535), or a service name from [`WELL_KNOWN_TCP`].
pub fn parse_ports(expr: &str) -> Result<Vec<u16>, InputError> {
    let mut ports: Vec<u16> = Vec::new();
    let expected = "a port (1-65535), a range like 1-1024, top100, top1000, all, \
                    or a service name such as ssh";
    for raw in expr.split(',') {
        let item = raw.trim();
        let bad = || InputError::Ports {
            input: item.to_owned(),
            expected: expected.to_owned(),
        };
        if item.is_empty() {
            return Err(bad());
        }
        match item.to_ascii_lowercase().as_str() {
            "all" | "-" => ports.extend(1..=u16::MAX),
            "top100" => ports.extend_from_slice(&TOP_TCP_PORTS[..100]),
            "top1000" => ports.extend_from_slice(&TOP_TCP_PORTS),
            lower => {
                if let Some((a, b)) = lower.split_once('-') {
                    let first = parse_port_number(a).ok_or_else(bad)?;
                    let last = parse_port_number(b).ok_or_else(bad)?;
                    if first > last {
                        return Err(bad());
                    }
                    ports.extend(first..=last);
                } else if let Some(port) = parse_port_number(lower) {
                    ports.push(port);
                } else if let Some(&(port, _)) =
                    WELL_KNOWN_TCP.iter().find(|&&(_, name)| name == lower)
                {
                    ports.push(port);
                } else {
                    return Err(bad());
                }
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    Ok(ports)
}

fn parse_port_number(s: &str) -> Option<u16> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok().filter(|&p| p != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_table_is_sorted_for_binary_search() {
        assert!(WELL_KNOWN_TCP.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn parses_lists_ranges_and_names() {
        assert_eq!(parse_ports("22,80-82, ssh").unwrap(), vec![22, 80, 81, 82]);
        assert_eq!(parse_ports("all").unwrap().len(), 65535);
        assert_eq!(parse_ports("top100").unwrap().len(), 100);
        assert_eq!(parse_ports("top1000").unwrap().len(), 1000);
        assert_eq!(parse_ports("rdp").unwrap(), vec![3389]);
    }

    #[test]
    fn rejects_bad_items() {
        for bad in ["0", "65536", "10-5", "sshh", "", "1,,2", "-5", "80-"] {
            assert!(parse_ports(bad).is_err(), "{bad} should be rejected");
        }
    }
}
