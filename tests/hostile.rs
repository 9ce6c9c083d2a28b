//! Hostile servers on loopback (`tests/servers/hostile.py`), one behaviour per port: endless,
//! truncated, garbage and absurd TLS records, streams without end, a server answering a byte a
//! second, resets mid-handshake, a KEXINIT of 1,200 names and a packet of 4 GB, deeply nested
//! JSON, a silent tarpit, markup and terminal escapes in banners and certificate names.
//!
//! Each case is its own scan, so each is held to its own bounds: it finishes within its time
//! budget, its peak memory stays under [`MAX_RSS_KB`], the well-behaved host scanned beside it
//! is judged, and every string it produced is inert in JSON, HTML and the terminal.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{banner_server, is_root, port_entry, postura_path, read_json, repo, start};

/// Peak memory one scan of a hostile service may use. A scan of a quiet host takes about
/// 70 MB in the debug build (26 MB of it the binary itself, with the PDF engine linked,
/// before it reads an argument; most of the rest the compiled checks); the servers stream up
/// to 100 MB each, which must not end up in memory.
const MAX_RSS_KB: u64 = 96 * 1024;

/// Wall-clock budget of one case with `--profile fast`: its port's probes run one after the
/// other, each under the profile's connect, greeting and answer timeouts (1 s, 0.5 s, 1 s),
/// and a TLS probe makes a handful of handshakes. A scan still running then has hung.
const BUDGET: Duration = Duration::from_secs(45);

const HOSTILE: &str = "127.0.0.33";
const CALM: &str = "127.0.0.34";

/// One hostile behaviour: its port, what it does, and what its scan must show besides the
/// bounds every case shares.
struct Case {
    port: u16,
    behaviour: &'static str,
    expect: fn(&Value),
}

fn nothing(_: &Value) {}

const CASES: &[Case] = &[
    Case {
        port: 80,
        behaviour: "HTTP redirect to itself, forever",
        expect: nothing,
    },
    Case {
        port: 8080,
        behaviour: "HTTP body of 100 MB, markup in Server",
        expect: nothing,
    },
    Case {
        port: 8000,
        behaviour: "HTTP headers without end",
        expect: nothing,
    },
    Case {
        port: 6379,
        behaviour: "Redis INFO streaming 100 MB",
        expect: nothing,
    },
    Case {
        port: 21,
        behaviour: "FTP greeting with an OSC escape, HTML and typst",
        expect: |facts| {
            let ftp = port_entry(facts, 21)["banner"]["text"].to_string();
            assert!(ftp.contains("\\\\x1b]0;owned\\\\x07<img src=x"), "{ftp}");
        },
    },
    Case {
        port: 23,
        behaviour: "Telnet negotiation without end",
        expect: nothing,
    },
    Case {
        port: 11211,
        behaviour: "memcached stats streaming 50 MB",
        expect: nothing,
    },
    Case {
        port: 25,
        behaviour: "SMTP greeting at one byte a second",
        expect: nothing,
    },
    Case {
        port: 587,
        behaviour: "STARTTLS accepted, then garbage and escapes",
        expect: nothing,
    },
    Case {
        port: 110,
        behaviour: "POP3 banner of 100 MB",
        expect: |facts| assert_eq!(port_entry(facts, 110)["banner"]["truncated"], true),
    },
    Case {
        port: 143,
        behaviour: "IMAP greeting with HTML, Jinja, typst, NUL, DEL and C1 CSI",
        expect: nothing,
    },
    Case {
        port: 443,
        behaviour: "ServerHello claiming 65,535 and 16 MB lengths",
        expect: nothing,
    },
    Case {
        port: 8443,
        behaviour: "TLS records without end",
        expect: nothing,
    },
    Case {
        port: 995,
        behaviour: "random bytes for a ServerHello",
        expect: nothing,
    },
    Case {
        port: 465,
        behaviour: "TLS record cut short",
        expect: nothing,
    },
    Case {
        port: 993,
        behaviour: "RST in the middle of the handshake",
        expect: nothing,
    },
    Case {
        port: 3389,
        behaviour: "RST as the connection is accepted",
        expect: nothing,
    },
    Case {
        port: 636,
        behaviour: "certificate names with script, typst and terminal escapes",
        expect: |facts| {
            let cert = port_entry(facts, 636)["tls"].to_string();
            assert!(cert.contains("<script>alert(1)</script>"), "{cert}");
            assert!(
                cert.contains("\\\\x1b"),
                "the escape is kept, escaped: {cert}"
            );
        },
    },
    Case {
        port: 22,
        behaviour: "KEXINIT of 1,200 names, escape in the version",
        expect: |facts| {
            let ssh = &port_entry(facts, 22)["ssh"];
            assert_eq!(ssh["kex"].as_array().map(Vec::len), Some(1200), "{ssh}");
            assert!(ssh["version"].as_str().unwrap().contains("\\x1b[5mblink"));
        },
    },
    Case {
        port: 2222,
        behaviour: "SSH packet claiming 4 GB",
        expect: nothing,
    },
    Case {
        port: 2200,
        behaviour: "SSH preamble lines without end",
        expect: nothing,
    },
    Case {
        port: 9200,
        behaviour: "Elasticsearch JSON nested 100,000 deep",
        expect: nothing,
    },
    Case {
        port: 5000,
        behaviour: "silent tarpit",
        expect: nothing,
    },
];

/// A certificate whose subject and SAN carry script, typst, Jinja and terminal escapes.
fn hostile_certificate(dir: &Path) -> (String, String) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let subject =
        "/CN=<script>alert(1)<\\/script>\x1b[2J/O=#set page(fill: red) {{ x }}\x07/OU=\u{9b}31m";
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "30", "-utf8", "-subj", subject])
        .args([
            "-addext",
            "subjectAltName=DNS:evil\x1b]0;t\x07.test,DNS:<img src=x>",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success(), "openssl req");
    (cert.display().to_string(), key.display().to_string())
}

/// What one case's scan left: exit status, peak RSS, stdout, and its report folder.
struct Run {
    case: &'static Case,
    success: bool,
    rss_kb: u64,
    took: Duration,
    stdout: String,
    stderr: String,
    out: tempfile::TempDir,
}

/// Scans the case's port beside a calm SSH host, under GNU time, killed at [`BUDGET`].
fn run(case: &'static Case) -> Run {
    let calm_port = banner_server(CALM, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
    let out = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let stdout_path = logs.path().join("stdout");
    let stderr_path = logs.path().join("stderr");
    // GNU time reports the peak resident set; the scan's own exit code comes through.
    let mut child = Command::new("/usr/bin/time")
        .args(["-f", "peak-rss-kb=%M"])
        .arg(postura_path())
        .args(["scan", HOSTILE, &format!("{CALM}:{calm_port}")])
        .args(["--ports", &case.port.to_string(), "--profile", "fast"])
        .args(["-f", "json,facts,html,typst", "--lang", "en", "--out"])
        .arg(out.path())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BUDGET {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{} (port {}): the scan did not finish within {BUDGET:?}",
                case.behaviour, case.port
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap();
    let rss_kb = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kb="))
        .and_then(|v| v.trim().parse().ok())
        .expect("GNU time's report");
    Run {
        case,
        success: status.success(),
        rss_kb,
        took: started.elapsed(),
        stdout: String::from_utf8_lossy(&std::fs::read(&stdout_path).unwrap()).into_owned(),
        stderr,
        out,
    }
}

/// The bounds every case shares, and the case's own expectation.
fn judge(run: &Run) {
    let Case {
        port, behaviour, ..
    } = run.case;
    let what = format!("{behaviour} (port {port})");
    assert!(run.success, "{what}: {}", run.stderr);
    assert!(
        run.rss_kb < MAX_RSS_KB,
        "{what}: peak RSS {} KB",
        run.rss_kb
    );
    let facts = read_json(&run.out.path().join("postura-facts.json"));
    let hosts = facts["hosts"].as_array().unwrap();
    let calm = hosts.iter().find(|h| h["address"] == CALM);
    assert_eq!(
        calm.map(|h| h["ports"][0]["service"]["name"].clone()),
        Some(Value::from("ssh")),
        "{what}: the calm host beside it is judged"
    );
    // 3389 resets the connection as it is accepted: open or closed, by a race either is right.
    if *port != 3389 {
        assert_eq!(
            port_entry(&facts, *port)["port"],
            *port,
            "{what}: in the facts"
        );
    }
    (run.case.expect)(&facts);
    // Nothing a server sent is live in any output: no control characters, no markup.
    for file in [
        "postura-facts.json",
        "postura-result.json",
        "postura-report.html",
        // The PDF's source: what a server sent is inside one JSON string there.
        "postura-report.typ",
    ] {
        let text = std::fs::read_to_string(run.out.path().join(file)).unwrap();
        let live: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(
            live.is_empty(),
            "{what}: {file}: control characters {live:?}"
        );
        for escaped_json in ["\\u001b", "\\u0007", "\\u009b", "\\u0000"] {
            assert!(
                !text.contains(escaped_json),
                "{what}: {file} carries {escaped_json}"
            );
        }
    }
    let html = std::fs::read_to_string(run.out.path().join("postura-report.html")).unwrap();
    for markup in ["<script>alert", "<img src=x", "<b>IMAP"] {
        assert!(
            !html.contains(markup),
            "{what}: live markup {markup} in the report"
        );
    }
    let terminal: Vec<char> = run
        .stdout
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert!(
        terminal.is_empty(),
        "{what}: terminal output carries {terminal:?}"
    );
}

#[test]
fn hostile_servers_cannot_knock_the_scan_over() {
    assert!(is_root(), "binds privileged ports on 127.0.0.33");
    assert!(CASES.len() >= 20);
    let certs = tempfile::tempdir().unwrap();
    let (cert, key) = hostile_certificate(certs.path());
    let script = repo().join("tests/servers/hostile.py");
    let _servers = start(
        "python3",
        &[script.to_str().unwrap(), HOSTILE, &cert, &key],
        format!("{HOSTILE}:3389").parse().unwrap(),
    );
    // A few scans at a time: the servers stream hundreds of megabytes, on two cores.
    for batch in CASES.chunks(6) {
        let runs: Vec<Run> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|case| scope.spawn(move || run(case)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for run in &runs {
            eprintln!(
                "hostile: {:<72} {:>6} KB {:>5.1} s",
                format!("{} (port {})", run.case.behaviour, run.case.port),
                run.rss_kb,
                run.took.as_secs_f64()
            );
            judge(run);
        }
    }
}
