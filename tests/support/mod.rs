//! Helpers for the integration tests: the postura binary, real servers on loopback, and
//! network namespaces. Everything here talks only to 127.0.0.0/8 or to namespaces it makes.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The postura binary under test.
pub fn postura() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("postura").expect("binary built")
}

/// Path of the postura binary (for `ip netns exec`).
pub fn postura_path() -> PathBuf {
    assert_cmd::cargo::cargo_bin("postura")
}

/// insta settings for the committed snapshots in `tests/snapshots/`, named without module.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(repo().join("tests/snapshots"));
    settings
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Notes that the running test uses a real server, root or a device, so `scripts/test` can
/// say how many such tests ran.
fn note_server_test() {
    use std::io::Write;
    let Some(log) = std::env::var_os("POSTURA_SERVER_LOG") else {
        return;
    };
    let name = std::thread::current()
        .name()
        .unwrap_or("unnamed test")
        .to_owned();
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
    {
        let _ = writeln!(file, "{name}");
    }
}

/// Asserts that a program is installed. A missing program fails the test, never skips it:
/// `scripts/test` installs everything the tests start.
pub fn require(program: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{program} is not installed: run the tests with scripts/test, which installs it"
    );
    note_server_test();
    true
}

/// A Python interpreter that can import `module`. Debian's python3-* packages belong to
/// /usr/bin/python3, which may not be first on PATH. A missing module fails the test.
pub fn python_with(module: &str, package: &str) -> Option<&'static str> {
    let found = ["/usr/bin/python3", "python3"].into_iter().find(|py| {
        Command::new(py)
            .args(["-c", &format!("import {module}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    assert!(
        found.is_some(),
        "{package} is not installed: run the tests with scripts/test, which installs it"
    );
    note_server_test();
    found
}

/// Asserts that we are root (needed for network namespaces, nft and loop devices). Not being
/// root fails the test: `scripts/test` runs as root.
pub fn is_root() -> bool {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    assert!(
        uid.is_ok_and(|u| u == "0"),
        "this test needs root (network namespaces, nft, loop devices): run scripts/test as root"
    );
    note_server_test();
    true
}

/// A world-readable copy of `fixtures/servers/`: nginx's worker runs as an unprivileged user
/// and cannot read a clone inside a private (0700) directory.
pub fn served_fixtures() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo().join("fixtures/servers"), dir.path());
    for entry in walkdir::WalkDir::new(dir.path()) {
        let entry = entry.expect("walk served fixtures");
        let mode = if entry.file_type().is_dir() {
            0o755
        } else {
            0o644
        };
        std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode))
            .expect("chmod served fixtures");
    }
    dir
}

/// A free TCP port on `ip` (bound and released; good enough for tests on loopback).
pub fn free_port(ip: &str) -> u16 {
    let listener = TcpListener::bind((ip, 0)).expect("bind for a free port");
    listener.local_addr().expect("local addr").port()
}

/// Waits until `addr` accepts connections.
pub fn wait_for(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("server at {addr} did not come up");
}

/// A child process killed when dropped.
pub struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first: nginx's master then stops its workers, which SIGKILL would orphan
        // (still holding the listening socket).
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `program args` and waits for `addr`.
pub fn start(program: &str, args: &[&str], addr: SocketAddr) -> Server {
    let child = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let server = Server(child);
    wait_for(addr);
    server
}

/// A thread that accepts connections and greets each with `greeting`.
pub fn banner_server(ip: &str, greeting: &'static [u8]) -> u16 {
    use std::io::Write;
    let listener = TcpListener::bind((ip, 0)).expect("bind banner server");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.write_all(greeting);
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    port
}

/// Reads the facts file of a report folder.
pub fn read_json(path: &Path) -> serde_json::Value {
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read json"))
            .expect("valid json");
    // Every result any test reads has readable findings.
    if path.file_name().is_some_and(|n| n == "postura-result.json") {
        assert_readable_findings(&value);
    }
    value
}

/// No finding's evidence or reason shows Rust debug output (`Context { `), byte lists
/// (`[6, 9, 42`) or UNIX seconds (ten-digit numbers): reports are read by people.
pub fn assert_readable_findings(result: &serde_json::Value) {
    fn strings<'v>(value: &'v serde_json::Value, out: &mut Vec<&'v str>) {
        match value {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    let mut texts = Vec::new();
    for finding in result["findings"].as_array().into_iter().flatten() {
        strings(&finding["evidence"], &mut texts);
        strings(&finding["reason"], &mut texts);
    }
    for text in texts {
        assert!(!text.contains("{ "), "debug output in a finding: {text}");
        assert!(!has_byte_list(text), "a byte list in a finding: {text}");
        assert!(
            !has_epoch_seconds(text),
            "UNIX seconds in a finding: {text}"
        );
    }
}

/// `[6, 9, 42`: three or more numbers in brackets.
fn has_byte_list(text: &str) -> bool {
    text.match_indices('[').any(|(at, _)| {
        let inside = text[at + 1..].split(']').next().unwrap_or("");
        let parts: Vec<&str> = inside.split(',').map(str::trim).collect();
        parts.len() >= 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// A run of exactly ten digits: a UNIX time in seconds.
fn has_epoch_seconds(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .any(|run| run.len() == 10)
}

/// The port entry `port` of the first host in a facts document.
pub fn port_entry(facts: &serde_json::Value, port: u16) -> serde_json::Value {
    facts["hosts"][0]["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .find(|p| p["port"] == port)
        .cloned()
        .unwrap_or(serde_json::Value::Null)
}

/// A fast scan of `ports` on `ip` with `extra` arguments; returns the report folder, facts and
/// result.
pub fn scan_with(
    ip: &str,
    ports: &str,
    extra: &[&std::ffi::OsStr],
) -> (tempfile::TempDir, serde_json::Value, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    postura()
        .args([
            "scan",
            ip,
            "--ports",
            ports,
            "--profile",
            "fast",
            "-q",
            "-f",
            "json,facts",
            "--lang",
            "en",
        ])
        .args(extra)
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(0);
    let facts = read_json(&out.path().join("postura-facts.json"));
    let result = read_json(&out.path().join("postura-result.json"));
    (out, facts, result)
}

/// The element of the JSON array `list` whose `key` is `value`.
pub fn find_by<'v>(list: &'v serde_json::Value, key: &str, value: &str) -> &'v serde_json::Value {
    list.as_array()
        .expect("an array")
        .iter()
        .find(|item| item[key] == value)
        .unwrap_or_else(|| panic!("no element with {key} = {value}"))
}

/// The state of `check` on `asset` in a result document.
pub fn finding_state(result: &serde_json::Value, check: &str, asset: &str) -> String {
    result["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check_id"] == check && f["asset"] == asset)
        .map(|f| f["state"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

/// The evidence of a finding, as JSON text (empty when there is no such finding).
pub fn finding_evidence(result: &serde_json::Value, check: &str, asset: &str) -> String {
    result["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check_id"] == check && f["asset"] == asset)
        .map(|f| f["evidence"].to_string())
        .unwrap_or_default()
}

/// A network namespace, removed when dropped.
pub struct Netns(pub String);

impl Netns {
    /// Creates a namespace with loopback up.
    pub fn new(tag: &str) -> Self {
        let name = format!("postura-{tag}-{}", std::process::id());
        let _ = Command::new("ip").args(["netns", "del", &name]).status();
        run_ok("ip", &["netns", "add", &name]);
        let ns = Self(name);
        ns.exec_ok(&["ip", "link", "set", "lo", "up"]);
        ns
    }

    /// Runs a command inside the namespace and asserts success.
    pub fn exec_ok(&self, args: &[&str]) {
        let mut full = vec!["netns", "exec", &self.0];
        full.extend_from_slice(args);
        run_ok("ip", &full);
    }

    /// Applies an nft ruleset inside the namespace.
    pub fn nft(&self, ruleset: &str) {
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.0, "nft", "-f", "-"])
            .stdin(Stdio::piped())
            .spawn()
            .expect("nft");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(ruleset.as_bytes())
            .expect("write ruleset");
        assert!(
            child.wait().expect("nft wait").success(),
            "nft ruleset failed:\n{ruleset}"
        );
    }

    /// Gives the namespace its own `/etc/NAME` (hosts, resolv.conf): `ip netns exec` binds
    /// `/etc/netns/NS/NAME` over it.
    pub fn etc_file(&self, name: &str, text: &str) {
        let dir = PathBuf::from("/etc/netns").join(&self.0);
        std::fs::create_dir_all(&dir).expect("create /etc/netns/NS");
        std::fs::write(dir.join(name), text).expect("write netns etc file");
    }

    /// Waits until something inside the namespace accepts connections on `ip:port` (at most
    /// 10 s); panics otherwise.
    pub fn wait_tcp(&self, ip: &str, port: u16) {
        let listening = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            Command::new("ip")
                .args(["netns", "exec", &self.0, "bash", "-c"])
                .arg(format!("exec 3<>/dev/tcp/{ip}/{port}"))
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
        assert!(listening, "nothing listens on {ip}:{port} in {}", self.0);
    }

    /// `postura scan ARGS` inside the namespace, English JSON into `out`; the result.
    pub fn scan(&self, args: &[&str], out: &Path) -> serde_json::Value {
        let output = Command::new("ip")
            .args(["netns", "exec", &self.0])
            .arg(postura_path())
            .arg("scan")
            .args(args)
            .args(["-q", "--lang", "en", "-f", "json", "--out"])
            .arg(out)
            .output()
            .expect("postura");
        assert!(
            output.status.code().is_some_and(|c| c < 2),
            "postura failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        read_json(&out.join("postura-result.json"))
    }

    /// Starts a long-running command inside the namespace.
    pub fn spawn(&self, args: &[&str]) -> Server {
        let mut full = vec!["netns", "exec", &self.0];
        full.extend_from_slice(args);
        Server(
            Command::new("ip")
                .args(&full)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn in netns"),
        )
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
        let _ = std::fs::remove_dir_all(PathBuf::from("/etc/netns").join(&self.0));
    }
}

fn run_ok(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(status.success(), "{program} {args:?} failed");
}

/// `postura scan --evidence DIR` (English, JSON) with `extra` options; the result document.
pub fn judge_evidence(dir: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = tempfile::tempdir().unwrap();
    postura()
        .args(["scan", "--evidence"])
        .arg(dir)
        .args(["-q", "-f", "json", "--lang", "en", "--out"])
        .arg(out.path())
        .args(extra)
        .assert()
        .code(0);
    read_json(&out.path().join("postura-result.json"))
}

/// The host (or evidence asset) of a result whose first name or address is `name`.
pub fn host_named<'r>(result: &'r serde_json::Value, name: &str) -> &'r serde_json::Value {
    result["facts"]["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .find(|h| h["hostnames"][0] == name || h["address"] == name)
        .unwrap_or_else(|| panic!("no host {name}"))
}

/// Copies a folder tree.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
