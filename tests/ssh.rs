//! The SSH probe against a real OpenSSH sshd (Debian's openssh-server) on loopback: version
//! and algorithm offers from its KEXINIT, and the authentication methods left after `none`
//! with password authentication on and off and with `AuthenticationMethods
//! publickey,keyboard-interactive`.

use std::ffi::OsStr;
use std::process::Command;

use crate::support::{find_by, finding_state, free_port, port_entry, require, scan_with, start};

/// Starts sshd on `ip` with `extra` configuration lines; returns the server and its port.
pub(crate) fn sshd(ip: &str, dir: &std::path::Path, extra: &str) -> (crate::support::Server, u16) {
    for (file, kind) in [("ed25519", "ed25519"), ("rsa", "rsa")] {
        let key = dir.join(file);
        if !key.exists() {
            let status = Command::new("ssh-keygen")
                .args(["-q", "-t", kind, "-N", ""])
                .arg("-f")
                .arg(&key)
                .status()
                .expect("ssh-keygen");
            assert!(status.success());
        }
    }
    let port = free_port(ip);
    let d = dir.display();
    let conf = dir.join(format!("sshd-{port}.conf"));
    std::fs::write(
        &conf,
        format!(
            "Port {port}\nListenAddress {ip}\nHostKey {d}/ed25519\nHostKey {d}/rsa\nPidFile {d}/sshd-{port}.pid\nUsePAM no\n{extra}"
        ),
    )
    .unwrap();
    // sshd insists on its privilege-separation directory.
    let _ = std::fs::create_dir_all("/run/sshd");
    let server = start(
        "/usr/sbin/sshd",
        &["-D", "-e", "-f", conf.to_str().unwrap()],
        format!("{ip}:{port}").parse().unwrap(),
    );
    (server, port)
}

#[test]
fn sshd_algorithms_and_auth_methods() {
    if !require("/usr/sbin/sshd") || !require("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_default, good) = sshd(
        "127.0.0.51",
        dir.path(),
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\n",
    );
    // Legacy algorithms, and OpenSSH's compiled-in default of accepting passwords.
    let (_weak, weak) = sshd(
        "127.0.0.52",
        dir.path(),
        "KexAlgorithms +diffie-hellman-group1-sha1\nHostKeyAlgorithms +ssh-rsa\nCiphers +3des-cbc\nMACs +hmac-md5\nPasswordAuthentication yes\n",
    );
    // A key first, then a second factor through keyboard-interactive.
    let (_mfa, mfa) = sshd(
        "127.0.0.53",
        dir.path(),
        "KbdInteractiveAuthentication yes\nAuthenticationMethods publickey,keyboard-interactive\n",
    );
    // Only one weak algorithm, one the evidence list once lacked: the finding must name it.
    let (_md5_etm, md5_etm) = sshd(
        "127.0.0.54",
        dir.path(),
        "MACs +hmac-md5-etm@openssh.com\nPasswordAuthentication no\n",
    );
    let (_out, facts, result) = scan_with(
        "127.0.0.51-54",
        &format!("{good},{weak},{mfa},{md5_etm}"),
        &[],
    );
    let entry = port_entry(&facts, good);
    let ssh = &entry["ssh"];
    assert!(
        ssh["version"]
            .as_str()
            .unwrap()
            .starts_with("SSH-2.0-OpenSSH_"),
        "{entry}"
    );
    let has =
        |list: &serde_json::Value, name: &str| list.as_array().unwrap().iter().any(|a| a == name);
    assert!(has(&ssh["kex"], "curve25519-sha256"), "{ssh}");
    assert!(
        has(&ssh["ciphers"], "chacha20-poly1305@openssh.com"),
        "{ssh}"
    );
    assert!(!has(&ssh["kex"], "diffie-hellman-group1-sha1"));
    assert_eq!(
        finding_state(&result, "ssh-weak-algorithms", "127.0.0.51"),
        "pass"
    );

    let weak_ssh = &find_by(&facts["hosts"], "address", "127.0.0.52")["ports"][0]["ssh"];
    assert!(
        has(&weak_ssh["kex"], "diffie-hellman-group1-sha1"),
        "{weak_ssh}"
    );
    assert!(has(&weak_ssh["ciphers"], "3des-cbc"), "{weak_ssh}");
    assert!(has(&weak_ssh["macs"], "hmac-md5"), "{weak_ssh}");
    assert!(
        has(&weak_ssh["host_key_algorithms"], "ssh-rsa"),
        "{weak_ssh}"
    );
    assert_eq!(
        finding_state(&result, "ssh-weak-algorithms", "127.0.0.52"),
        "fail"
    );

    let md5 = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "ssh-weak-algorithms" && f["asset"] == "127.0.0.54")
        .expect("finding for 127.0.0.54");
    assert_eq!(md5["state"], "fail", "{md5}");
    assert!(
        md5["evidence"]
            .to_string()
            .contains("hmac-md5-etm@openssh.com"),
        "{md5}"
    );

    // What the server still allows after `none`.
    let methods = |ip: &str| -> Vec<String> {
        let ssh = &find_by(&facts["hosts"], "address", ip)["ports"][0]["ssh"];
        ssh["auth_methods"]
            .as_array()
            .unwrap_or_else(|| panic!("no auth_methods: {ssh}"))
            .iter()
            .map(|m| m.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(methods("127.0.0.51"), ["publickey"]);
    assert!(methods("127.0.0.52").contains(&"password".to_owned()));
    // Only the first step of the chain is offered before a key was accepted.
    assert_eq!(methods("127.0.0.53"), ["publickey"]);
    let state = |ip: &str| finding_state(&result, "ssh-password-authentication", ip);
    assert_eq!(state("127.0.0.51"), "pass");
    assert_eq!(state("127.0.0.52"), "fail");
    assert_eq!(state("127.0.0.53"), "pass");
}

/// A hostile SSH server on port 22 of `ip`: each connection gets `greeting`, then one byte of
/// `dribble` every 400 ms (at most 60), then the connection closes.
fn hostile_ssh(ip: &str, greeting: &str, dribble: &str) -> crate::support::Server {
    let script = format!(
        "import socket,threading,time\n\
         s=socket.socket()\n\
         s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n\
         s.bind(('{ip}',22))\n\
         s.listen(16)\n\
         def serve(c):\n\
         \x20   try:\n\
         \x20       c.sendall({greeting})\n\
         \x20       for b in {dribble}[:60]:\n\
         \x20           time.sleep(0.4)\n\
         \x20           c.sendall(bytes([b]))\n\
         \x20   except OSError:\n\
         \x20       pass\n\
         \x20   c.close()\n\
         while True:\n\
         \x20   c,_=s.accept()\n\
         \x20   threading.Thread(target=serve,args=(c,),daemon=True).start()\n"
    );
    start(
        "python3",
        &["-c", &script],
        format!("{ip}:22").parse().unwrap(),
    )
}

/// Terminal escape sequences in an identification string never reach a report raw.
#[test]
fn identification_with_terminal_escapes_is_inert() {
    assert!(crate::support::is_root(), "binds port 22");
    let ip = "127.0.0.31";
    let _server = hostile_ssh(ip, r"b'SSH-2.0-Evil\x1b[31m\x07\x9b2J\r\n'", "b''");
    let (out, facts, _) = scan_with(ip, "22", &[OsStr::new("-f"), OsStr::new("json,facts,html")]);
    let port = port_entry(&facts, 22);
    assert_eq!(port["service"]["name"], "ssh");
    assert_eq!(port["service"]["product"], "Evil\\x1b[31m\\x07\\x9b2J");
    for file in [
        "postura-facts.json",
        "postura-result.json",
        "postura-report.html",
    ] {
        let text = std::fs::read_to_string(out.path().join(file)).unwrap();
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n')
                && !text.contains("\\u001b")
                && !text.contains("\\u009b"),
            "{file} holds a control character"
        );
    }
}

/// A server that dribbles its identification a byte at a time is cut off at the greeting
/// time for the whole preamble, not given that time again for every byte.
#[test]
fn identification_dribbled_a_byte_at_a_time_is_cut_off() {
    assert!(crate::support::is_root(), "binds port 22");
    let ip = "127.0.0.32";
    let _server = hostile_ssh(ip, "b'SSH-2.0-'", &format!("b'{}'", "x".repeat(60)));
    let (_out, facts, _) = scan_with(ip, "22", &[]);
    let errors = facts["hosts"][0]["probe_errors"].to_string();
    // Before, each byte restarted the wait, and the probe ran until the server gave up.
    assert!(
        errors.contains("\"kind\":\"timeout\"") && errors.contains("no SSH identification"),
        "the preamble deadline ends the wait: {errors}"
    );
}
