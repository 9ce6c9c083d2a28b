//! The SSH probe against a real OpenSSH sshd (Debian's openssh-server) on loopback: version
//! and algorithm offers from its KEXINIT, and the authentication methods left after `none`
//! with password authentication on and off and with `AuthenticationMethods
//! publickey,keyboard-interactive`.

use std::process::Command;

use crate::support::{find_by, finding_state, free_port, port_entry, require, scan_with, start};

/// Starts sshd on `ip` with `extra` configuration lines; returns the server and its port.
fn sshd(ip: &str, dir: &std::path::Path, extra: &str) -> (crate::support::Server, u16) {
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
