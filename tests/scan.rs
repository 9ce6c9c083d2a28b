//! Real scans of real servers on loopback addresses, and of network namespaces the tests
//! create. Each test uses its own 127.0.0.x address so they can run in parallel.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::support::{
    Netns, banner_server, finding_state, free_port, is_root, port_entry, postura, postura_path,
    python_with, read_json, require, start,
};

fn scan(args: &[&str]) -> (tempfile::TempDir, serde_json::Value, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    let mut full = vec!["scan"];
    full.extend_from_slice(args);
    full.extend_from_slice(&[
        "--out",
        out.path().to_str().unwrap(),
        "-f",
        "json,html,facts",
        "--lang",
        "en",
        "-q",
    ]);
    postura().args(&full).assert().code(0);
    let facts = read_json(&out.path().join("postura-facts.json"));
    let result = read_json(&out.path().join("postura-result.json"));
    (out, facts, result)
}

fn addr(ip: &str, port: u16) -> SocketAddr {
    format!("{ip}:{port}").parse().unwrap()
}

#[test]
fn redis_with_and_without_password() {
    if !require("redis-server") {
        return;
    }
    let ip = "127.0.0.21";
    let open = free_port(ip);
    let locked = free_port(ip);
    let _a = start(
        "redis-server",
        &[
            "--port",
            &open.to_string(),
            "--bind",
            ip,
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        addr(ip, open),
    );
    let _b = start(
        "redis-server",
        &[
            "--port",
            &locked.to_string(),
            "--bind",
            ip,
            "--save",
            "",
            "--appendonly",
            "no",
            "--requirepass",
            "s3cret",
        ],
        addr(ip, locked),
    );
    let ports = format!("{open},{locked},6379");
    let (_out, facts, result) = scan(&[ip, "--ports", &ports]);
    let no_auth = port_entry(&facts, open);
    assert_eq!(no_auth["service"]["name"], "redis", "{no_auth}");
    assert_eq!(no_auth["redis"]["auth_required"], false);
    assert!(
        no_auth["redis"]["version"]
            .as_str()
            .is_some_and(|v| v.contains('.'))
    );
    let auth = port_entry(&facts, locked);
    assert_eq!(auth["redis"]["auth_required"], true, "{auth}");
    assert!(
        port_entry(&facts, 6379).is_null(),
        "6379 is closed and closed ports are only counted"
    );
    assert_eq!(facts["hosts"][0]["port_counts"]["closed"], 1);
    assert_eq!(finding_state(&result, "exp-redis-no-auth", ip), "fail");
    let evidence = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "exp-redis-no-auth")
        .unwrap()["evidence"]
        .to_string();
    assert!(
        evidence.contains(&format!("{open}/tcp PING -> +PONG")),
        "{evidence}"
    );
    assert!(
        !evidence.contains(&format!("{locked}/tcp PING -> +PONG")),
        "{evidence}"
    );
}

#[test]
fn memcached_stats_without_auth() {
    if !require("memcached") {
        return;
    }
    let ip = "127.0.0.22";
    let port = free_port(ip);
    let _m = start(
        "memcached",
        &["-l", ip, "-p", &port.to_string(), "-U", "0", "-u", "root"],
        addr(ip, port),
    );
    // On a non-standard port the service is found from the answer, not the number.
    let (_out, facts, result) = scan(&[ip, "--ports", &format!("{port},11211")]);
    let entry = port_entry(&facts, port);
    assert_eq!(entry["state"], "open");
    assert_eq!(
        finding_state(&result, "exp-database-exposed", ip),
        "pass",
        "port {port} is not a database port by number"
    );

    let port = 11211;
    let ip = "127.0.0.26";
    let _m = start(
        "memcached",
        &["-l", ip, "-p", &port.to_string(), "-U", "0", "-u", "root"],
        addr(ip, port),
    );
    let (_out, facts, result) = scan(&[ip, "--ports", "11211"]);
    let entry = port_entry(&facts, port);
    assert_eq!(entry["memcached"]["stats_open"], true, "{entry}");
    assert_eq!(entry["service"]["method"], "probe");
    assert_eq!(finding_state(&result, "exp-memcached-no-auth", ip), "fail");
    assert_eq!(finding_state(&result, "exp-database-exposed", ip), "fail");
}

fn nginx_conf(
    dir: &std::path::Path,
    fixtures: &std::path::Path,
    ip: &str,
    (es, os, web): (u16, u16, u16),
) -> String {
    format!(
        r#"
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{ listen {ip}:{es}; default_type application/json;
    root {fixtures}; location = / {{ try_files /elasticsearch-root.json =404; }} }}
  server {{ listen {ip}:{os}; default_type application/json;
    root {fixtures}; location = / {{ try_files /opensearch-root.json =404; }} }}
  server {{ listen {ip}:{web}; location / {{ return 401 "login required"; }} }}
}}
"#,
        dir = dir.display(),
        fixtures = fixtures.display()
    )
}

#[test]
fn nginx_serving_search_cluster_roots_and_a_locked_site() {
    if !require("nginx") {
        return;
    }
    let ip = "127.0.0.23";
    let dir = tempfile::tempdir().unwrap();
    // Elasticsearch is recognised by its conventional port; OpenSearch on 9201 is not a
    // well-known port, so it also checks that the generic HTTP path records the site.
    let (es, os, web) = (9200, free_port(ip), free_port(ip));
    let served = crate::support::served_fixtures();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        nginx_conf(dir.path(), served.path(), ip, (es, os, web)),
    )
    .unwrap();
    let _n = start(
        "nginx",
        &["-c", conf.to_str().unwrap(), "-g", "daemon off;"],
        addr(ip, es),
    );
    crate::support::wait_for(addr(ip, os));
    let (_out, facts, result) = scan(&[ip, "--ports", &format!("{es},{os},{web}")]);
    let e = port_entry(&facts, es);
    let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
    assert_eq!(e["elasticsearch"]["version"], "8.13.4", "{e}\n{log}");
    assert_eq!(e["elasticsearch"]["cluster_name"], "docker-cluster");
    assert_eq!(
        finding_state(&result, "exp-elasticsearch-no-auth", ip),
        "fail"
    );
    let w = port_entry(&facts, web);
    assert_eq!(w["http"]["status"], 401, "{w}");
    assert_eq!(w["http"]["auth_required"], true);
    assert!(
        w["service"]["product"]
            .as_str()
            .unwrap_or_default()
            .starts_with("nginx"),
        "{w}"
    );
    let o = port_entry(&facts, os);
    assert_eq!(o["http"]["status"], 200, "{o}");
}

#[test]
fn anonymous_ftp_with_a_real_server() {
    let Some(python) = python_with("pyftpdlib", "pyftpdlib") else {
        return;
    };
    let ip = "127.0.0.24";
    let port = free_port(ip);
    let root = tempfile::tempdir().unwrap();
    let _f = start(
        python,
        &[
            "-m",
            "pyftpdlib",
            "-i",
            ip,
            "-p",
            &port.to_string(),
            "-d",
            root.path().to_str().unwrap(),
        ],
        addr(ip, port),
    );
    let (_out, facts, result) = scan(&[ip, "--ports", &port.to_string()]);
    let entry = port_entry(&facts, port);
    assert_eq!(entry["service"]["name"], "ftp", "{entry}");
    assert_eq!(entry["ftp"]["anonymous_login"], true, "{entry}");
    assert_eq!(entry["ftp"]["login_reply_code"], 230);
    assert_eq!(
        finding_state(&result, "exp-ftp-anonymous-login", ip),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "exp-cleartext-admin-protocol", ip),
        "fail"
    );
}

#[test]
fn banners_from_plain_sockets_are_escaped_and_recognised() {
    let ip = "127.0.0.25";
    let ssh = banner_server(ip, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
    let telnet = banner_server(
        ip,
        b"\xff\xfd\x18\xff\xfd\x20\xff\xfb\x01Debian GNU/Linux 12\r\nlogin: ",
    );
    let hostile = banner_server(
        ip,
        b"220 <script>alert(1)</script> FTP \x00\x07\xfe ready\r\n",
    );
    let ports = format!("{ssh},{telnet},{hostile}");
    let (out, facts, result) = scan(&[ip, "--ports", &ports]);
    let s = port_entry(&facts, ssh);
    assert_eq!(s["service"]["name"], "ssh", "{s}");
    assert_eq!(s["service"]["product"], "OpenSSH_9.2p1 Debian-2+deb12u3");
    assert_eq!(finding_state(&result, "exp-ssh-exposed", ip), "fail");
    let t = port_entry(&facts, telnet);
    assert_eq!(t["service"]["name"], "telnet", "{t}");
    assert_eq!(
        t["banner"]["text"].as_str().unwrap().get(..4),
        Some("\\xff")
    );
    let h = port_entry(&facts, hostile);
    let text = h["banner"]["text"].as_str().unwrap();
    assert!(text.contains("\\x00\\x07\\xfe"), "{text}");
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    assert!(
        !html.contains("<script>alert(1)"),
        "banner text must be escaped in HTML"
    );
    assert!(html.contains("&lt;script&gt;alert(1)"));
}

#[test]
fn closed_ports_and_a_dead_address_on_loopback() {
    let ip = "127.0.0.27";
    let (_out, facts, result) = scan(&[ip, "--ports", "130-140,445,4000-4187"]);
    let host = &facts["hosts"][0];
    assert_eq!(host["state"], "up");
    assert_eq!(host["port_counts"]["closed"], 200);
    assert_eq!(host["ports"].as_array().unwrap().len(), 0);
    assert_eq!(
        finding_state(&result, "exp-rdp-exposed", ip),
        "not_assessed",
        "3389 was not scanned"
    );
    assert_eq!(
        finding_state(&result, "exp-smb-netbios-exposed", ip),
        "pass"
    );
}

/// Filtered and rejected ports, made with nft inside a namespace of our own.
#[test]
fn filtered_rejected_and_silent_hosts_in_a_namespace() {
    if !is_root() || !require("nft") {
        return;
    }
    let ns = Netns::new("filter");
    ns.nft(
        "table inet t {\n\
           chain input {\n\
             type filter hook input priority 0; policy accept;\n\
             ip daddr 127.0.0.1 tcp dport 1000-1049 drop\n\
             ip daddr 127.0.0.1 tcp dport 1050-1059 reject with icmp type admin-prohibited\n\
             ip daddr 127.0.0.9 tcp dport 1-65535 drop\n\
             ip daddr 127.0.0.10 tcp dport 1-65535 reject with icmp type host-unreachable\n\
           }\n\
         }\n",
    );
    let _listener = ns.spawn(&[
        "python3", "-c",
        "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('127.0.0.1',1100))\ns.listen(64)\ntime.sleep(60)",
    ]);
    std::thread::sleep(Duration::from_millis(500));
    let out = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let status = std::process::Command::new("ip")
        .args(["netns", "exec", &ns.0])
        .arg(postura_path())
        .args([
            "scan",
            "127.0.0.1",
            "127.0.0.9",
            "127.0.0.10",
            "--ports",
            "990-1110",
            "--profile",
            "fast",
            "-q",
            "-f",
            "json,facts",
            "--out",
        ])
        .arg(out.path())
        .status()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(status.success());
    let facts = read_json(&out.path().join("postura-facts.json"));
    let host = &facts["hosts"][0];
    assert_eq!(host["address"], "127.0.0.1");
    assert_eq!(host["state"], "up");
    let ports = host["ports"].as_array().unwrap();
    let state_of = |port: u16| {
        ports
            .iter()
            .find(|p| p["port"] == port)
            .map(|p| (p["state"].clone(), p["reason"].clone()))
    };
    assert_eq!(state_of(1000).unwrap().0, "filtered");
    assert_eq!(state_of(1000).unwrap().1, "no-response");
    assert_eq!(state_of(1055).unwrap().0, "filtered");
    assert_eq!(state_of(1055).unwrap().1, "admin-prohibited");
    assert_eq!(state_of(1100).unwrap().0, "open");
    assert_eq!(host["port_counts"]["filtered"], 60);
    assert_eq!(host["port_counts"]["open"], 1);
    assert_eq!(host["port_counts"]["closed"], 121 - 61);
    let silent = &facts["hosts"][1];
    assert_eq!(silent["state"], "no_response");
    assert_eq!(silent["port_counts"]["filtered"], 121);
    let unreachable = &facts["hosts"][2];
    assert_eq!(unreachable["state"], "unreachable", "{unreachable}");
    assert_eq!(unreachable["port_counts"]["unreachable"], 121);
    let result = read_json(&out.path().join("postura-result.json"));
    assert_eq!(
        finding_state(&result, "exp-rdp-exposed", "127.0.0.9"),
        "not_assessed"
    );
    // One timeout for the silent host, one retry round for the dropped ports: seconds, not minutes.
    assert!(elapsed < Duration::from_secs(20), "scan took {elapsed:?}");

    // Only hosts that never answer: nothing was assessed, which is exit 4, not a pass; the
    // reports are still written and show no score.
    let out = tempfile::tempdir().unwrap();
    let output = std::process::Command::new("ip")
        .args(["netns", "exec", &ns.0])
        .arg(postura_path())
        .args([
            "scan",
            "127.0.0.9",
            "127.0.0.10",
            "--ports",
            "22,80",
            "--profile",
            "fast",
            "--lang",
            "en",
            "-f",
            "json",
            "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nothing was assessed"), "{stderr}");
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("Score – (–, Coverage 0 %)"), "{summary}");
    // No negative zero in a score or range (`ORG-01` is a control id, not a number).
    assert!(
        !summary.contains(" -0") && !summary.contains("(-0"),
        "{summary}"
    );
    assert!(out.path().join("postura-result.json").exists());
}

#[test]
fn host_port_targets_scan_only_their_port() {
    let ip = "127.0.0.28";
    let port = banner_server(ip, b"SSH-2.0-OpenSSH_9.2p1\r\n");
    let target = format!("{ip}:{port}");
    let (_out, facts, result) = scan(&[&target, "127.0.0.29", "--ports", "22,80"]);
    let first = &facts["hosts"][0];
    assert_eq!(first["address"], ip);
    assert_eq!(first["scanned_ports"], port.to_string());
    assert_eq!(port_entry(&facts, port)["service"]["name"], "ssh");
    assert_eq!(facts["hosts"][1]["scanned_ports"], "22,80");
    assert_eq!(finding_state(&result, "exp-ssh-exposed", ip), "fail");
}

/// A target name the hosts file answers resolves from it, without waiting for a DNS server
/// that drops every query; a name only DNS could answer fails with that reason, and after
/// the first timeout no further name waits again (`scripts/bench-resolve` measures the time).
#[test]
fn hosts_file_names_resolve_while_dns_is_silent() {
    if !is_root() || !require("nft") {
        return;
    }
    let ns = Netns::new("resolve");
    ns.etc_file("hosts", "127.0.0.1 localhost\n127.0.0.5 web.ns.test web\n");
    ns.etc_file("resolv.conf", "nameserver 127.0.0.53\n");
    ns.nft(
        "table inet t {\n\
           chain input {\n\
             type filter hook input priority 0; policy accept;\n\
             udp dport 53 drop\n\
             tcp dport 53 drop\n\
           }\n\
         }\n",
    );
    let out = tempfile::tempdir().unwrap();
    let run = |targets: &[&str]| {
        std::process::Command::new("ip")
            .args(["netns", "exec", &ns.0])
            .arg(postura_path())
            .arg("scan")
            .args(targets)
            .args(["--no-banners", "-q", "-f", "facts", "--out"])
            .arg(out.path())
            .output()
            .unwrap()
    };
    let found = run(&["web.ns.test:443", "WEB:443"]);
    assert!(found.status.success(), "{found:?}");
    let facts = read_json(&out.path().join("postura-facts.json"));
    assert_eq!(facts["hosts"][0]["address"], "127.0.0.5", "{facts}");
    let missing = run(&["web.ns.test:443", "nosuch.ns.test:443", "other.ns.test:443"]);
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("nosuch.ns.test"), "{stderr}");
    assert!(stderr.contains("DNS did not answer"), "{stderr}");
}

/// Starts a long scan of a silent /24 in a namespace (one listener answers), sends `signals`
/// (the first once the scan is under way, the next 100 ms later) and returns the exit code,
/// with the output folder.
fn interrupted_namespace_scan(tag: &str, signals: &[&str]) -> (Option<i32>, tempfile::TempDir) {
    let ns = Netns::new(tag);
    ns.nft(
        "table inet t {\n\
           chain input {\n\
             type filter hook input priority 0; policy accept;\n\
             ip daddr != 127.0.0.1 tcp dport 1-65535 drop\n\
           }\n\
         }\n",
    );
    let _listener = ns.spawn(&[
        "python3", "-c",
        "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('127.0.0.1',1100))\ns.listen(64)\ntime.sleep(60)",
    ]);
    std::thread::sleep(Duration::from_millis(500));
    let out = tempfile::tempdir().unwrap();
    // 256 hosts × 2,000 ports, most of them silent: minutes of work at the gentle profile.
    let mut child = std::process::Command::new("ip")
        .args(["netns", "exec", &ns.0])
        .arg(postura_path())
        .args([
            "scan",
            "127.0.0.0/24",
            "--ports",
            "1-2000",
            "--profile",
            "gentle",
        ])
        .args(["-q", "-f", "json,html", "--lang", "en", "--out"])
        .arg(out.path())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    for signal in signals {
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        std::thread::sleep(Duration::from_millis(100));
    }
    // Bounded: a run that ignores the signal is killed and fails the test.
    for _ in 0..300 {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), out);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("postura did not stop within 30 s of {signals:?}");
}

#[test]
fn sigint_and_sigterm_write_what_was_covered() {
    assert!(
        is_root() && require("nft"),
        "needs root and nft for a namespace"
    );
    for (signal, code, name) in [("INT", 130, "SIGINT"), ("TERM", 143, "SIGTERM")] {
        let (status, out) = interrupted_namespace_scan(&format!("stop{code}"), &[signal]);
        assert_eq!(status, Some(code), "{name}");
        let result = read_json(&out.path().join("postura-result.json"));
        let covered = &result["facts"]["interrupted"];
        assert_eq!(covered["signal"], name);
        assert_eq!(covered["hosts_planned"], 256);
        let (scanned, planned) = (
            covered["ports_scanned"].as_u64().unwrap(),
            covered["ports_planned"].as_u64().unwrap(),
        );
        assert_eq!(planned, 512_000);
        assert!(scanned > 0 && scanned < planned, "{covered}");
        let listener = &result["facts"]["hosts"][1];
        assert_eq!(listener["address"], "127.0.0.1");
        // Ports are probed port-major: the listener's low ports came to a result, SMB's did
        // not, so the SMB check is not assessed rather than passed.
        let counts = &listener["port_counts"];
        let reached: u64 = ["open", "closed", "filtered", "unreachable"]
            .iter()
            .map(|k| counts[k].as_u64().unwrap())
            .sum();
        assert_eq!(
            reached + listener["ports_not_scanned"].as_u64().unwrap(),
            2000
        );
        assert!(!listener["scanned_ports"].as_str().unwrap().contains("445"));
        assert_eq!(
            finding_state(&result, "exp-smb-netbios-exposed", "127.0.0.1"),
            "not_assessed"
        );
        let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
        assert!(html.contains(&format!("Incomplete: run stopped by {name}")));
        assert!(
            html.contains("of 512,000 port probes"),
            "coverage in the report: {}",
            &html[html.find("id=\"incomplete").unwrap_or(0)..][..600.min(html.len())]
        );
    }
}

#[test]
fn a_second_signal_stops_at_once() {
    assert!(
        is_root() && require("nft"),
        "needs root and nft for a namespace"
    );
    let (status, out) = interrupted_namespace_scan("stoptwice", &["INT", "INT"]);
    assert_eq!(status, Some(130));
    // Gone before the grace time was over: no report, and no half-written one; only the
    // journal, which `--resume` continues.
    let left: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["postura-journal.jsonl"], "{left:?}");
}
