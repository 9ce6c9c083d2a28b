//! End of life from what the scan sees, against Debian's own servers on loopback: OpenSSH
//! (whose package names Debian 12), nginx, Redis and memcached (upstream versions only), and an
//! HTTP server answering with IIS 8.5's `Server` header (Windows Server 2012 R2). Judged at
//! fixed reference times, so the verdicts do not move with the calendar.

use std::net::SocketAddr;
use std::path::Path;

use crate::support::{
    finding_evidence, finding_state, free_port, postura, read_json, require, start,
};

fn scan(targets: &[String], ports: &str, as_of: &str, out: &Path) -> serde_json::Value {
    postura()
        .arg("scan")
        .args(targets)
        .args(["--ports", ports, "--as-of", as_of, "-q", "--lang", "en"])
        .args(["-f", "json,html", "--out"])
        .arg(out)
        .assert()
        .code(predicates::ord::lt(2));
    read_json(&out.join("postura-result.json"))
}

/// Debian's sshd, nginx, Redis and memcached on 127.0.0.71, and an HTTP server with IIS 8.5's
/// `Server` header on 127.0.0.72; the servers and the ports to scan.
fn servers(dir: &Path) -> (Vec<crate::support::Server>, String) {
    for program in [
        "/usr/sbin/sshd",
        "ssh-keygen",
        "nginx",
        "redis-server",
        "memcached",
        "python3",
    ] {
        assert!(require(program), "{program} is needed");
    }
    let ip = "127.0.0.71";
    let (sshd, ssh_port) = crate::ssh::sshd(ip, dir, "");
    let http_port = free_port(ip);
    let nginx_conf = dir.join("nginx.conf");
    let d = dir.display();
    std::fs::write(
        &nginx_conf,
        format!(
            "daemon off;\npid {d}/nginx.pid;\nerror_log {d}/nginx.err;\nevents {{}}\nhttp {{ access_log off; server {{ listen {ip}:{http_port}; location / {{ return 200 \"ok\\n\"; }} }} }}\n"
        ),
    )
    .unwrap();
    let addr = |port: u16| -> SocketAddr { format!("{ip}:{port}").parse().unwrap() };
    let nginx = start(
        "nginx",
        &["-c", nginx_conf.to_str().unwrap()],
        addr(http_port),
    );
    let redis_port = free_port(ip);
    let redis = start(
        "redis-server",
        &[
            "--bind",
            ip,
            "--port",
            &redis_port.to_string(),
            "--save",
            "",
            "--protected-mode",
            "no",
        ],
        addr(redis_port),
    );
    let memcached_port = free_port(ip);
    let memcached = start(
        "memcached",
        &[
            "-l",
            ip,
            "-p",
            &memcached_port.to_string(),
            "-U",
            "0",
            "-u",
            "root",
        ],
        addr(memcached_port),
    );
    let iis_ip = "127.0.0.72";
    let iis_port = free_port(iis_ip);
    let iis_script = format!(
        "import http.server\nclass H(http.server.BaseHTTPRequestHandler):\n    server_version = 'Microsoft-IIS/8.5'\n    sys_version = ''\n    def do_GET(self):\n        self.send_response(200)\n        self.end_headers()\n        self.wfile.write(b'IIS')\n    def log_message(self, *a):\n        pass\nhttp.server.HTTPServer(('{iis_ip}', {iis_port}), H).serve_forever()\n"
    );
    let iis = start(
        "python3",
        &["-c", &iis_script],
        format!("{iis_ip}:{iis_port}").parse().unwrap(),
    );
    let ports = format!("{ssh_port},{http_port},{redis_port},{memcached_port},{iis_port}");
    (vec![sshd, nginx, redis, memcached, iis], ports)
}

#[test]
fn end_of_life_from_banners_of_real_servers() {
    let dir = tempfile::tempdir().unwrap();
    let (_servers, ports) = servers(dir.path());
    let (ip, iis_ip) = ("127.0.0.71", "127.0.0.72");
    let targets = [ip.to_owned(), iis_ip.to_owned()];

    // December 2026: Debian 12's regular security support has ended (July 2026), Debian LTS
    // runs until June 2028; Windows Server 2012 R2's extended updates ended in October 2026.
    let out = tempfile::tempdir().unwrap();
    let result = scan(&targets, &ports, "2026-12-02T08:00:00Z", out.path());
    let host = &result["facts"]["hosts"][0];
    let debian = host["lifecycle"]
        .as_array()
        .expect("lifecycle")
        .iter()
        .find(|l| l["product"] == "debian")
        .unwrap_or_else(|| panic!("no Debian in {}", host["lifecycle"]));
    assert_eq!(debian["version"], "12");
    assert_eq!(debian["basis"], "distribution");
    assert_eq!(debian["support_ends"], "2026-07-11");
    assert_eq!(debian["extended_until"], "2028-06-30");
    assert!(
        debian["seen_in"]
            .as_str()
            .unwrap()
            .contains("Debian-2+deb12u")
    );
    assert_eq!(finding_state(&result, "pat-os-eol", ip), "pass");
    assert_eq!(finding_state(&result, "pat-support-ending", ip), "fail");
    assert!(
        finding_evidence(&result, "pat-support-ending", ip)
            .contains("extended support until 2028-06-30")
    );
    // nginx 1.22 and Redis 7.0 are out of their upstream cycles; memcached 1.6 is not.
    assert_eq!(finding_state(&result, "pat-upstream-eol", ip), "fail");
    let upstream = finding_evidence(&result, "pat-upstream-eol", ip);
    assert!(
        upstream.contains("nginx 1.22") && upstream.contains("Redis 7.0"),
        "{upstream}"
    );
    assert!(upstream.contains("a distribution may still ship fixes"));
    assert!(!upstream.contains("Memcached"), "{upstream}");
    // OpenSSH is listed without a judgement: there is no data for it.
    let openssh = host["lifecycle"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["product"] == "openssh")
        .expect("openssh listed");
    assert!(openssh.get("data").is_none() && openssh.get("cycle").is_none());
    // IIS 8.5 is Windows Server 2012 R2: out of support, extended updates included.
    assert_eq!(finding_state(&result, "pat-os-eol", iis_ip), "fail");
    assert!(
        finding_evidence(&result, "pat-os-eol", iis_ip)
            .contains("Windows Server 2012 R2: support ended 2023-10-10")
    );
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    assert!(html.contains("endoflife.date 2026-08-22"));

    // June 2023: Windows Server 2012 R2's support ends within 180 days; Debian 12 is new.
    let out = tempfile::tempdir().unwrap();
    let result = scan(&targets, &ports, "2023-06-01T08:00:00Z", out.path());
    assert_eq!(finding_state(&result, "pat-os-eol", iis_ip), "pass");
    assert_eq!(finding_state(&result, "pat-support-ending", iis_ip), "fail");
    assert_eq!(finding_state(&result, "pat-support-ending", ip), "pass");
    assert_eq!(finding_state(&result, "pat-os-eol", ip), "pass");
}

/// Scans Debian's Samba `smbd` in a namespace of its own (it binds 127.0.0.1:445 there),
/// configured by `scripts/smb-lab-conf DIR SETTINGS…` (signing, minimum and maximum protocol).
fn scan_samba(settings: &[&str]) -> serde_json::Value {
    assert!(crate::support::is_root(), "needs root for a namespace");
    assert!(require("smbd"), "smbd is needed");
    let dir = tempfile::tempdir().unwrap();
    let ns = crate::support::Netns::new(&format!("smb-{}", settings.join("-")));
    let conf = std::process::Command::new(crate::support::repo().join("scripts/smb-lab-conf"))
        .arg(dir.path())
        .args(settings)
        .output()
        .unwrap();
    assert!(conf.status.success());
    let conf_path = dir.path().join("smb.conf");
    std::fs::write(&conf_path, conf.stdout).unwrap();
    // In a process group of its own (no `--no-process-group`): smbd signals its whole group
    // when it stops.
    let _smbd = ns.spawn(&["smbd", "--foreground", "-s", conf_path.to_str().unwrap()]);
    ns.wait_tcp("127.0.0.1", 445);
    ns.scan(
        &[
            "127.0.0.1",
            "--ports",
            "445",
            "--as-of",
            "2026-12-02T09:00:00Z",
        ],
        &dir.path().join("out"),
    )
}

/// Samba with its default signing: the SMB probe reads its NTLMSSP challenge, whose build 0
/// says "not Windows", so its life cycle is not judged; signing is offered, not required.
#[test]
fn samba_over_smb_is_named_and_not_judged() {
    let result = scan_samba(&["default"]);
    let host = &result["facts"]["hosts"][0];
    let smb = &host["ports"][0]["smb"];
    assert_eq!(smb["dialect"], "3.0.2");
    assert_eq!(smb["ntlm"]["version"], "6.1.0");
    assert_eq!(smb["ntlm"]["netbios_computer"], "POSTURA-LAB");
    assert_eq!(host["ports"][0]["service"]["product"], "SMB 3.0.2");
    let samba = &host["lifecycle"][0];
    assert_eq!(samba["product"], "samba");
    assert!(samba.get("cycle").is_none(), "{samba}");
    assert_eq!(
        finding_state(&result, "pat-upstream-eol", "127.0.0.1"),
        "not_assessed"
    );
    assert_eq!(
        finding_state(&result, "pat-os-eol", "127.0.0.1"),
        "not_assessed"
    );
    assert_eq!(
        finding_state(&result, "exp-smb-netbios-exposed", "127.0.0.1"),
        "fail"
    );
    assert_eq!(smb["signing_required"], false);
    assert_eq!(
        finding_state(&result, "smb-signing-not-required", "127.0.0.1"),
        "fail"
    );
    // Samba speaks SMB1 only when told to (`server min protocol`, SMB2_02 since 4.11).
    assert_eq!(smb["smb1_accepted"], false);
    assert_eq!(
        finding_state(&result, "exp-smb1-enabled", "127.0.0.1"),
        "pass"
    );
    assert!(
        finding_evidence(&result, "smb-signing-not-required", "127.0.0.1")
            .contains("445/tcp SMB 3.0.2: signing not required")
    );
}

/// Samba that speaks SMB1 beside SMB2 (`server min protocol = NT1`), and Samba that speaks
/// SMB1 only, like a Windows Server 2003: the SMB1 NEGOTIATE is accepted, and the SMB1-only
/// server is described by its SMB1 answer.
#[test]
fn samba_accepting_smb1_fails() {
    let result = scan_samba(&["default", "NT1"]);
    let smb = &result["facts"]["hosts"][0]["ports"][0]["smb"];
    assert_eq!(smb["dialect"], "3.0.2");
    assert_eq!(smb["smb1_accepted"], true, "{smb}");
    assert_eq!(
        finding_state(&result, "exp-smb1-enabled", "127.0.0.1"),
        "fail"
    );
    let only = scan_samba(&["mandatory", "NT1", "NT1"]);
    let smb = &only["facts"]["hosts"][0]["ports"][0]["smb"];
    assert_eq!(smb["dialect"], "NT LM 0.12", "{smb}");
    assert_eq!(smb["signing_required"], true);
    assert!(
        finding_evidence(&only, "exp-smb1-enabled", "127.0.0.1")
            .contains("445/tcp accepts SMB1 (NT LM 0.12), and speaks nothing newer")
    );
    assert_eq!(
        finding_state(&only, "smb-signing-not-required", "127.0.0.1"),
        "pass"
    );
}

/// Samba with `server signing = mandatory`: the NEGOTIATE response says signing is required.
#[test]
fn samba_requiring_signing_passes() {
    let result = scan_samba(&["mandatory"]);
    let smb = &result["facts"]["hosts"][0]["ports"][0]["smb"];
    assert_eq!(smb["signing_required"], true, "{smb}");
    assert_eq!(
        finding_state(&result, "smb-signing-not-required", "127.0.0.1"),
        "pass"
    );
}

/// Debian's xrdp twice in a namespace: negotiating (it offers TLS, and still takes a client
/// with standard RDP security) and with `security_layer=tls` (it refuses that client). xrdp
/// has no CredSSP, so no NTLM challenge: the OS stays unknown.
#[test]
fn rdp_security_negotiated_with_real_xrdp() {
    assert!(crate::support::is_root(), "needs root for a namespace");
    assert!(require("xrdp"), "xrdp is needed");
    let dir = tempfile::tempdir().unwrap();
    let ns = crate::support::Netns::new("rdp");
    let default_ini = std::fs::read_to_string("/etc/xrdp/xrdp.ini").unwrap();
    let mut servers = Vec::new();
    for (ip, layer) in [("127.0.0.1", "negotiate"), ("127.0.0.2", "tls")] {
        let ini = default_ini
            .lines()
            .map(|l| match l {
                "port=3389" => format!("port=tcp://{ip}:3389"),
                l if l.starts_with("security_layer=") => format!("security_layer={layer}"),
                l => l.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let path = dir.path().join(format!("xrdp-{layer}.ini"));
        std::fs::write(&path, ini).unwrap();
        servers.push(ns.spawn(&["xrdp", "--nodaemon", "-c", path.to_str().unwrap()]));
    }
    ns.wait_tcp("127.0.0.1", 3389);
    ns.wait_tcp("127.0.0.2", 3389);
    let result = ns.scan(
        &[
            "127.0.0.1-2",
            "--ports",
            "3389",
            "--as-of",
            "2026-12-02T09:00:00Z",
        ],
        &dir.path().join("out"),
    );
    let rdp =
        |address: &str| crate::support::host_named(&result, address)["ports"][0]["rdp"].clone();
    let negotiating = rdp("127.0.0.1");
    assert_eq!(negotiating["selected"], "tls");
    assert_eq!(negotiating["standard_security_accepted"], true);
    assert!(negotiating.get("ntlm").is_none());
    let tls_only = rdp("127.0.0.2");
    assert_eq!(tls_only["selected"], "tls");
    assert_eq!(tls_only["standard_security_accepted"], false);
    assert_eq!(tls_only["standard_security_refusal"], "ssl-required");
    assert_eq!(
        finding_state(&result, "rdp-standard-security-accepted", "127.0.0.1"),
        "fail"
    );
    assert!(
        finding_evidence(&result, "rdp-standard-security-accepted", "127.0.0.1")
            .contains("3389/tcp RDP accepts standard RDP security")
    );
    assert_eq!(
        finding_state(&result, "rdp-standard-security-accepted", "127.0.0.2"),
        "pass"
    );
    assert_eq!(
        finding_state(&result, "pat-os-eol", "127.0.0.1"),
        "not_assessed"
    );
    drop(servers);
}
