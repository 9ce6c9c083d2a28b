//! The UDP scan against real servers in network namespaces of our own (scripts/udp-lab):
//! Net-SNMP's snmpd with `public` and with a community of its own, OpenIPMI's ipmi_sim,
//! unbound as an open and as a refusing resolver, NTPsec open and with `noquery`, tftpd-hpa,
//! a captured monlist answer replayed, a host that drops UDP and one whose filter rejects it.

use std::path::Path;
use std::process::Command;

use crate::support::{
    finding_evidence, finding_state, is_root, postura_path, read_json, repo, require,
};

/// The lab of scripts/udp-lab, taken down when dropped.
struct Lab(String);

impl Lab {
    fn up(tag: &str) -> Self {
        assert!(
            is_root()
                && [
                    "snmpd", "ipmi_sim", "unbound", "ntpd", "in.tftpd", "nft", "python3"
                ]
                .iter()
                .all(|p| require(p)),
            "needs root, snmpd, ipmi_sim, unbound, ntpd (NTPsec), in.tftpd, nft and python3"
        );
        let name = format!("pu-{tag}-{}", std::process::id());
        let status = Command::new(repo().join("scripts/udp-lab"))
            .args(["up", &name])
            .status()
            .expect("udp-lab");
        assert!(status.success(), "udp-lab up failed");
        Self(name)
    }

    fn hardened(&self) -> String {
        format!("{}-hard", self.0)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/udp-lab"))
            .args(["down", &self.0])
            .status();
    }
}

/// `postura scan ARGS` in namespace `ns`, English JSON; the result.
fn scan_in(ns: &str, args: &[&str], out: &Path) -> serde_json::Value {
    let output = Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(postura_path())
        .arg("scan")
        .args(args)
        .args([
            "--ports",
            "22",
            "-q",
            "--lang",
            "en",
            "-f",
            "json,html",
            "--out",
        ])
        .arg(out)
        .output()
        .expect("postura");
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "postura failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    read_json(&out.join("postura-result.json"))
}

fn udp_port<'r>(result: &'r serde_json::Value, host: &str, port: u16) -> &'r serde_json::Value {
    let hosts = result["facts"]["hosts"].as_array().expect("hosts");
    let host = hosts
        .iter()
        .find(|h| h["address"] == host)
        .unwrap_or_else(|| panic!("no host {host}"));
    host["udp"]["ports"]
        .as_array()
        .expect("udp ports")
        .iter()
        .find(|p| p["port"] == port)
        .unwrap_or_else(|| panic!("{host}: no UDP port {port}: {}", host["udp"]))
}

#[test]
fn udp_services_are_found_and_their_hardened_twins_pass() {
    let lab = Lab::up("svc");
    let out = tempfile::tempdir().unwrap();
    let result = scan_in(
        &lab.0,
        &[
            "127.0.0.1-10",
            "--udp-ports",
            "dns,tftp,ntp,snmp,ipmi,ntp:10123",
        ],
        out.path(),
    );
    let state = |check: &str, host: &str| finding_state(&result, check, host);

    // SNMP with `public`: both versions answer, the description is read.
    assert_eq!(state("exp-snmp-default-community", "127.0.0.2"), "fail");
    assert_eq!(state("exp-snmp-cleartext-community", "127.0.0.2"), "fail");
    let snmp = &udp_port(&result, "127.0.0.2", 161)["snmp"];
    assert_eq!(snmp["accepted"][0]["community"], "public");
    assert_eq!(
        snmp["accepted"][0]["sys_descr"],
        "postura lab agent (default community)"
    );
    assert!(
        finding_evidence(&result, "exp-snmp-default-community", "127.0.0.2")
            .contains("\\\"public\\\" (v2c)")
    );
    // Its twin with a community of its own: no default answers, but the v3 discovery shows a
    // Net-SNMP engine; whether v1/v2c is on cannot be seen.
    assert_eq!(state("exp-snmp-default-community", "127.0.0.3"), "pass");
    assert_eq!(
        state("exp-snmp-cleartext-community", "127.0.0.3"),
        "not_assessed"
    );
    let own = &udp_port(&result, "127.0.0.3", 161);
    assert_eq!(own["state"], "open");
    assert_eq!(own["snmp"]["v3"]["enterprise"], 8072);
    assert_eq!(own["snmp"]["accepted"].as_array().map(Vec::len), Some(0));

    // The BMC: IPMI 2.0, and a session with cipher suite 0 opens.
    assert_eq!(state("exp-ipmi-exposed", "127.0.0.4"), "fail");
    assert_eq!(state("exp-ipmi-cipher-zero", "127.0.0.4"), "fail");
    let ipmi = &udp_port(&result, "127.0.0.4", 623)["ipmi"];
    assert_eq!(ipmi["auth_capabilities"]["ipmi_v2"], true);
    assert_eq!(ipmi["presence"]["ipmi_supported"], true);
    assert_eq!(ipmi["cipher_zero"]["accepted"], true);
    // The finding is true: ipmitool logs in with cipher 0 and a wrong password.
    if require("ipmitool") {
        let login = Command::new("ip")
            .args([
                "netns", "exec", &lab.0, "ipmitool", "-I", "lanplus", "-C", "0",
            ])
            .args(["-H", "127.0.0.4", "-U", "admin", "-P", "not-the-password"])
            .args(["-R", "2", "-N", "2", "chassis", "status"])
            .output()
            .expect("ipmitool");
        assert!(login.status.success(), "cipher 0 login should succeed");
    }
    // No other host is taken for a BMC.
    assert_eq!(state("exp-ipmi-exposed", "127.0.0.2"), "pass");
    assert_eq!(state("exp-ipmi-cipher-zero", "127.0.0.2"), "not_applicable");

    // The open resolver recurses (SERVFAIL: this machine has no Internet), the other refuses.
    assert_eq!(state("exp-dns-open-resolver", "127.0.0.5"), "fail");
    assert_eq!(
        udp_port(&result, "127.0.0.5", 53)["dns"]["recursion_available"],
        true
    );
    assert_eq!(state("exp-dns-open-resolver", "127.0.0.6"), "pass");
    assert_eq!(
        udp_port(&result, "127.0.0.6", 53)["dns"]["rcode"],
        "REFUSED"
    );

    // TFTP answers "file not found" from a new port.
    assert_eq!(state("exp-tftp-exposed", "127.0.0.7"), "fail");
    let tftp = &udp_port(&result, "127.0.0.7", 69)["tftp"];
    assert_eq!(tftp["error_code"], 1);
    assert_ne!(tftp["from_port"], 69);
    assert_eq!(state("exp-tftp-exposed", "127.0.0.6"), "pass");

    // NTPsec answers mode 6 and has no mode 7; the replayed capture answers monlist.
    assert_eq!(state("exp-ntp-mode6-query", "127.0.0.1"), "fail");
    assert!(
        udp_port(&result, "127.0.0.1", 123)["ntp"]["readvar"]["variables"]["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("ntpd ntpsec"))
    );
    assert_eq!(state("exp-ntp-monlist", "127.0.0.1"), "pass");
    assert_eq!(state("exp-ntp-monlist", "127.0.0.8"), "fail");
    let monlist = &udp_port(&result, "127.0.0.8", 10123)["ntp"]["monlist"];
    assert_eq!(monlist["entries"], 6);
    assert_eq!(monlist["bytes"], 443);

    // Dropped: open|filtered, never open, and no finding. Rejected: filtered, with the ICMP.
    for port in [53, 69, 123, 161, 623] {
        assert_eq!(
            udp_port(&result, "127.0.0.9", port)["state"],
            "open_filtered"
        );
        let rejected = udp_port(&result, "127.0.0.10", port);
        assert_eq!(rejected["state"], "filtered");
        assert_eq!(rejected["reason"], "admin-prohibited");
        assert_eq!(rejected["icmp"], "icmp 3/13");
    }
    for check in [
        "exp-snmp-default-community",
        "exp-ipmi-exposed",
        "exp-tftp-exposed",
    ] {
        assert_eq!(state(check, "127.0.0.9"), "pass");
    }
    // Closed ports are counted, not listed.
    let counts = &result["facts"]["hosts"][1]["udp"]["counts"];
    assert_eq!(counts["closed"], 4, "{counts}");

    // Every finding reaches the report with its remediation.
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    for text in [
        "Remove the default communities",
        "Disable cipher suite 0",
        "Allow recursion only for your own networks",
        "Switch TFTP off",
    ] {
        assert!(html.contains(text), "report lacks {text:?}");
    }

    // The hardened NTPsec (`noquery`) answers nothing.
    let out = tempfile::tempdir().unwrap();
    let hard = scan_in(
        &lab.hardened(),
        &["127.0.0.1", "--udp-ports", "ntp"],
        out.path(),
    );
    assert_eq!(
        finding_state(&hard, "exp-ntp-mode6-query", "127.0.0.1"),
        "pass"
    );
    assert_eq!(udp_port(&hard, "127.0.0.1", 123)["state"], "open_filtered");

    // IPv6: ICMPv6 port unreachable is read as closed.
    let out = tempfile::tempdir().unwrap();
    let v6 = scan_in(&lab.0, &["::1", "--udp-ports", "2000-2002"], out.path());
    assert_eq!(v6["facts"]["hosts"][0]["udp"]["counts"]["closed"], 3);
}

/// Two namespaces joined by a veth pair: ICMP errors to another host are rate-limited by its
/// kernel (net.ipv4.icmp_ratelimit, a burst of 6 then one a second), unlike on loopback.
struct Pair(String, String);

impl Pair {
    fn new(tag: &str) -> Self {
        assert!(is_root(), "needs root for namespaces");
        let (a, b) = (
            format!("pu-{tag}-a-{}", std::process::id()),
            format!("pu-{tag}-b-{}", std::process::id()),
        );
        for ns in [&a, &b] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        let run = |args: &[&str]| {
            assert!(
                Command::new("ip").args(args).status().unwrap().success(),
                "ip {args:?}"
            );
        };
        run(&["netns", "add", &a]);
        run(&["netns", "add", &b]);
        run(&[
            "link", "add", "pu-a", "netns", &a, "type", "veth", "peer", "name", "pu-b", "netns", &b,
        ]);
        run(&["-n", &a, "addr", "add", "10.231.0.1/24", "dev", "pu-a"]);
        run(&["-n", &b, "addr", "add", "10.231.0.2/24", "dev", "pu-b"]);
        for (ns, dev) in [(&a, "pu-a"), (&b, "pu-b")] {
            run(&["-n", ns, "link", "set", dev, "up"]);
            run(&["-n", ns, "link", "set", "lo", "up"]);
        }
        Self(a, b)
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for ns in [&self.0, &self.1] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

#[test]
fn rate_limited_icmp_does_not_turn_closed_ports_into_open_filtered() {
    let pair = Pair::new("rl");
    let limit = Command::new("ip")
        .args([
            "netns",
            "exec",
            &pair.1,
            "sysctl",
            "-n",
            "net.ipv4.icmp_ratelimit",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&limit.stdout).trim(), "1000");
    // Twenty closed ports: the first six ICMP errors come at once, the rest one a second.
    let out = tempfile::tempdir().unwrap();
    let result = scan_in(
        &pair.0,
        &["10.231.0.2", "--udp-ports", "2000-2019"],
        out.path(),
    );
    let udp = &result["facts"]["hosts"][0]["udp"];
    assert_eq!(udp["counts"]["closed"], 20, "{udp}");
    assert_eq!(udp["ports"].as_array().map(Vec::len), Some(0));
}

#[test]
fn udp_port_lists_are_checked() {
    for (list, expected) in [
        ("smtp", "neither a port nor a UDP service"),
        ("snmp:0", "not a port number"),
        ("200-100", "runs backwards"),
    ] {
        let output = Command::new(postura_path())
            .args(["scan", "127.0.0.1", "--udp-ports", list, "-q", "--out"])
            .arg(tempfile::tempdir().unwrap().path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{list}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("--udp-ports") && stderr.contains(expected),
            "{stderr}"
        );
    }
}
