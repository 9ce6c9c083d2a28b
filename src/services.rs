//! Service names: the one table behind `--ports` names, the port-based service guess and the
//! service names firewall exports write (`iptables -L` without `-n`, nft's `dport ssh`).
//!
//! Each port has the name postura reports (IANA's where it has one, common use otherwise) and
//! the other names exports use for it (`/etc/services` spells RDP `ms-wbt-server`).

/// Well-known TCP services: port, the name postura reports, other names for the same port.
/// Sorted by port. A name may serve several ports (`http`); it stands for the first.
pub const WELL_KNOWN_TCP: &[(u16, &str, &[&str])] = &[
    (21, "ftp", &[]),
    (22, "ssh", &[]),
    (23, "telnet", &[]),
    (25, "smtp", &[]),
    (53, "domain", &[]),
    (79, "finger", &[]),
    (80, "http", &["www"]),
    (88, "kerberos", &[]),
    (110, "pop3", &[]),
    (111, "rpcbind", &["sunrpc"]),
    (135, "msrpc", &["epmap"]),
    (139, "netbios-ssn", &[]),
    (143, "imap", &["imap2"]),
    (161, "snmp", &[]),
    (389, "ldap", &[]),
    (443, "https", &[]),
    (445, "microsoft-ds", &[]),
    (465, "smtps", &[]),
    (512, "rexec", &[]),
    (513, "rlogin", &[]),
    (514, "rsh", &[]),
    (587, "submission", &[]),
    (623, "ipmi", &[]),
    (636, "ldaps", &[]),
    (873, "rsync", &[]),
    (902, "vmware-auth", &[]),
    (990, "ftps", &[]),
    (993, "imaps", &[]),
    (995, "pop3s", &[]),
    (1080, "socks", &[]),
    (1433, "ms-sql", &["ms-sql-s"]),
    (1521, "oracle", &[]),
    (1883, "mqtt", &[]),
    (2049, "nfs", &[]),
    (2375, "docker", &[]),
    (2376, "docker-tls", &[]),
    (2379, "etcd", &[]),
    (3000, "http", &[]),
    (3268, "ldap-gc", &[]),
    (3306, "mysql", &[]),
    (3389, "rdp", &["ms-wbt-server"]),
    (4443, "https", &[]),
    (5000, "http", &[]),
    (5432, "postgresql", &[]),
    (5601, "kibana", &[]),
    (5672, "amqp", &[]),
    (5900, "vnc", &[]),
    (5901, "vnc", &[]),
    (5984, "couchdb", &[]),
    (5985, "winrm", &[]),
    (5986, "winrm-tls", &[]),
    (5988, "wbem", &[]),
    (5989, "wbem-tls", &[]),
    (6379, "redis", &[]),
    (6443, "kubernetes-api", &[]),
    (7001, "weblogic", &[]),
    (8000, "http", &[]),
    (8006, "proxmox", &[]),
    (8008, "http", &[]),
    (8080, "http", &[]),
    (8081, "http", &[]),
    (8086, "influxdb", &[]),
    (8443, "https", &[]),
    (8888, "http", &[]),
    (9000, "http", &[]),
    (9042, "cassandra", &[]),
    (9090, "cockpit", &[]),
    (9100, "jetdirect", &[]),
    (9200, "elasticsearch", &[]),
    (9300, "elasticsearch-transport", &[]),
    (10000, "webmin", &[]),
    (10250, "kubelet", &[]),
    (11211, "memcached", &[]),
    (15672, "rabbitmq-mgmt", &[]),
    (16992, "intel-amt", &[]),
    (16993, "intel-amt-tls", &[]),
    (17988, "ilo-vm", &[]),
    (27017, "mongodb", &[]),
    (50000, "sap", &[]),
];

/// The service name conventionally found on `port`, if any.
pub fn name_of_port(port: u16) -> Option<&'static str> {
    WELL_KNOWN_TCP
        .binary_search_by_key(&port, |&(p, _, _)| p)
        .ok()
        .map(|i| WELL_KNOWN_TCP[i].1)
}

/// The port of a service name, reported name or alias, case-insensitive.
pub fn port_of_name(name: &str) -> Option<u16> {
    let name = name.trim().to_ascii_lowercase();
    WELL_KNOWN_TCP
        .iter()
        .find(|(_, reported, _)| *reported == name)
        .or_else(|| {
            WELL_KNOWN_TCP
                .iter()
                .find(|(_, _, aliases)| aliases.contains(&name.as_str()))
        })
        .map(|&(port, _, _)| port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(WELL_KNOWN_TCP.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn reported_names_and_export_names_agree() {
        assert_eq!(port_of_name("rdp"), Some(3389));
        assert_eq!(port_of_name("ms-wbt-server"), Some(3389));
        assert_eq!(port_of_name("MS-SQL-S"), Some(1433));
        assert_eq!(port_of_name("ms-sql"), Some(1433));
        assert_eq!(port_of_name("http"), Some(80));
        assert_eq!(name_of_port(3389), Some("rdp"));
        assert_eq!(port_of_name("no-such-service"), None);
        // No alias shadows another service's reported name.
        for (port, _, aliases) in WELL_KNOWN_TCP {
            for alias in *aliases {
                assert_eq!(port_of_name(alias), Some(*port), "{alias}");
            }
        }
    }
}
