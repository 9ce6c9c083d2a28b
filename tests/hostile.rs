//! Hostile servers on loopback (`tests/servers/hostile.py`): endless and absurd records,
//! streams without end, a server answering a byte a second, resets mid-handshake, a KEXINIT of
//! 50,000 names, deeply nested JSON, markup and terminal escapes in banners. The scan must
//! finish, stay under a memory bound, judge the well-behaved host beside them, and keep every
//! string inert in JSON, HTML and the terminal.

use std::process::{Command, Stdio};

use crate::support::{banner_server, is_root, port_entry, postura_path, read_json, repo, start};

/// Peak memory a scan of the hostile servers may use (their streams total over 400 MB).
const MAX_RSS_KB: u64 = 256 * 1024;

#[test]
fn hostile_servers_cannot_knock_the_scan_over() {
    assert!(is_root(), "binds privileged ports on 127.0.0.33");
    let ip = "127.0.0.33";
    let script = repo().join("tests/servers/hostile.py");
    let _servers = start(
        "python3",
        &[script.to_str().unwrap(), ip],
        format!("{ip}:3389").parse().unwrap(),
    );
    let calm = "127.0.0.34";
    let calm_port = banner_server(calm, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
    let out = tempfile::tempdir().unwrap();
    let ports = "21,22,23,25,80,110,143,443,993,3389,6379,8080,8443,9200,11211";
    // GNU time reports the peak resident set; the scan's own exit code comes through.
    let run = Command::new("/usr/bin/time")
        .args(["-f", "peak-rss-kb=%M"])
        .arg(postura_path())
        .args(["scan", ip, &format!("{calm}:{calm_port}"), "--ports", ports])
        .args([
            "--profile",
            "fast",
            "-f",
            "json,facts,html",
            "--lang",
            "en",
            "--out",
        ])
        .arg(out.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stderr}");
    let rss: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kb="))
        .and_then(|v| v.trim().parse().ok())
        .expect("GNU time's report");
    assert!(rss < MAX_RSS_KB, "peak RSS {rss} KB");

    let facts = read_json(&out.path().join("postura-facts.json"));
    // 3389 resets the connection as it is accepted: open or closed, by a race either is right.
    for port in ports.split(',').filter(|p| *p != "3389") {
        let port: u16 = port.parse().unwrap();
        let entry = port_entry(&facts, port);
        assert_eq!(entry["port"], port, "port {port} is in the facts");
    }
    // Banners are bounded and marked so; what servers sent is kept, escaped.
    assert_eq!(port_entry(&facts, 110)["banner"]["truncated"], true);
    let ftp = port_entry(&facts, 21)["banner"]["text"].to_string();
    assert!(ftp.contains("\\\\x1b]0;owned\\\\x07<img src=x"), "{ftp}");
    let ssh = &port_entry(&facts, 22)["ssh"];
    assert_eq!(ssh["kex"].as_array().map(Vec::len), Some(1200), "{ssh}");
    assert!(ssh["version"].as_str().unwrap().contains("\\x1b[5mblink"));
    // The well-behaved host beside them is judged.
    let calm_host = facts["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["address"] == calm)
        .expect("the calm host");
    assert_eq!(calm_host["ports"][0]["service"]["name"], "ssh");

    // Nothing a server sent is live in any output: no control characters, no markup.
    for file in [
        "postura-facts.json",
        "postura-result.json",
        "postura-report.html",
    ] {
        let text = std::fs::read_to_string(out.path().join(file)).unwrap();
        let live: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(live.is_empty(), "{file}: control characters {live:?}");
        for escaped_json in ["\\u001b", "\\u0007", "\\u009b", "\\u0000"] {
            assert!(
                !text.contains(escaped_json),
                "{file} carries {escaped_json}"
            );
        }
    }
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    for markup in ["<script>alert", "<img src=x", "<b>IMAP"] {
        assert!(!html.contains(markup), "live markup {markup} in the report");
    }
    let terminal: Vec<char> = stdout
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert!(terminal.is_empty(), "terminal output carries {terminal:?}");
}
