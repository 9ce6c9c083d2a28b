//! TLS protocol probing against real `openssl s_server` and nginx, and against hostile
//! servers that answer a ClientHello with garbage, a truncated record or a record that never
//! ends. Loopback only (127.0.0.4x).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use crate::support::{
    find_by, finding_state, free_port, port_entry, postura, python_with, require, scan_with, start,
    wait_for,
};

fn self_signed(dir: &std::path::Path) -> (String, String) {
    openssl_self_signed(dir, "rsa:2048", "-sha256")
}

/// A self-signed certificate made by the openssl CLI with key `newkey` and digest `digest`.
fn openssl_self_signed(dir: &std::path::Path, newkey: &str, digest: &str) -> (String, String) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            newkey,
            digest,
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl req");
    assert!(status.success());
    (cert.display().to_string(), key.display().to_string())
}

/// Starts `openssl s_server -www` on a free port of `ip` with `options` (protocol, ciphers, ...);
/// returns the server and its port.
fn s_server(ip: &str, cert: &str, key: &str, options: &[&str]) -> (crate::support::Server, u16) {
    let port = free_port(ip);
    let accept = format!("{ip}:{port}");
    let mut args = vec!["s_server", "-accept", &accept];
    args.extend_from_slice(options);
    args.extend_from_slice(&["-cert", cert, "-key", key, "-www", "-quiet"]);
    (start("openssl", &args, accept.parse().unwrap()), port)
}

fn scan(ip: &str, ports: &str) -> (tempfile::TempDir, serde_json::Value, serde_json::Value) {
    scan_with(ip, ports, &[])
}

fn accepted(tls: &serde_json::Value, version: &str) -> Vec<String> {
    tls["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["version"] == version)
        .map(|v| {
            v["suites"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn openssl_tls10_with_static_rsa_suites() {
    if !require("openssl") {
        return;
    }
    let ip = "127.0.0.41";
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = openssl_self_signed(dir.path(), "rsa:1024", "-sha1");
    let (_s, port) = s_server(
        ip,
        &cert,
        &key,
        &[
            "-tls1",
            "-cipher",
            "AES128-SHA:ECDHE-RSA-AES256-SHA:@SECLEVEL=0",
        ],
    );
    let (_out, facts, result) = scan(ip, &port.to_string());
    let entry = port_entry(&facts, port);
    let tls = &entry["tls"];
    assert_eq!(tls["offered"], serde_json::json!(["TLSv1.0"]), "{entry}");
    let mut suites = accepted(tls, "TLSv1.0");
    suites.sort();
    assert_eq!(
        suites,
        [
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_AES_128_CBC_SHA"
        ]
    );
    assert_eq!(entry["service"]["name"], "tls");
    assert_eq!(
        finding_state(&result, "tls-legacy-version-enabled", ip),
        "fail"
    );
    assert_eq!(finding_state(&result, "tls-no-forward-secrecy", ip), "fail");
    assert_eq!(finding_state(&result, "tls-sslv3-enabled", ip), "pass");
    assert_eq!(finding_state(&result, "tls13-not-offered", ip), "fail");
    assert_eq!(finding_state(&result, "tls-outside-profile", ip), "fail");
    // rustls cannot speak TLS 1.0: the chain comes from our own handshake.
    let leaf = &tls["certificate"]["chain"][0];
    assert_eq!(leaf["key_bits"], 1024, "{tls}");
    assert_eq!(leaf["signature_algorithm"], "sha1WithRSAEncryption");
    assert_eq!(leaf["self_signed"], true);
    assert_eq!(tls["certificate"]["trusted"], false);
    assert_eq!(
        finding_state(&result, "tls-cert-weak-key-or-signature", ip),
        "fail"
    );
    assert_eq!(finding_state(&result, "tls-cert-expired", ip), "pass");
    // OpenSSL answers every malformed RSA key exchange alike.
    assert_eq!(tls["robot"], "not_vulnerable", "{tls}");
    assert_eq!(finding_state(&result, "tls-robot", ip), "pass");
}

/// ROBOT against a server with a Bleichenbacher oracle (`tests/servers/robot_oracle.py`: real
/// RSA decryption, a different alert for well-formed and malformed PKCS#1 blocks).
#[test]
fn robot_oracle_is_found() {
    let Some(python) = python_with("cryptography", "python3-cryptography") else {
        return;
    };
    if !require("openssl") {
        return;
    }
    let ip = "127.0.0.42";
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let port = free_port(ip);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/servers/robot_oracle.py");
    let _oracle = start(
        python,
        &[script, ip, &port.to_string(), &cert, &key],
        format!("{ip}:{port}").parse().unwrap(),
    );
    let (_out, facts, result) = scan(ip, &port.to_string());
    let tls = &port_entry(&facts, port)["tls"];
    // Valid and wrong-version blocks pass the server's padding check, the other three fail
    // it alike: sslyze calls that a weak oracle.
    assert_eq!(tls["robot"], "weak_oracle", "{tls}");
    assert_eq!(finding_state(&result, "tls-robot", ip), "fail");
    let grade = find_by(&result["tls_grades"], "endpoint", &format!("{ip}:{port}"));
    // The self-signed certificate shows as M/T first, as SSL Labs does.
    assert_eq!(grade["grade_if_trusted"], "F", "{grade}");
    assert!(
        grade["cap_codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "≤F:robot"),
        "{grade}"
    );
}

/// LDAP STARTTLS (RFC 4511 extended operation) against a real OpenLDAP slapd.
#[test]
fn ldap_starttls_on_slapd() {
    if !require("slapd") || !require("openssl") {
        return;
    }
    let ip = "127.0.0.43";
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let d = dir.path().display();
    let conf = dir.path().join("slapd.conf");
    std::fs::write(
        &conf,
        format!(
            "pidfile {d}/slapd.pid\nargsfile {d}/slapd.args\n\
             TLSCertificateFile {cert}\nTLSCertificateKeyFile {key}\n"
        ),
    )
    .unwrap();
    // The LDAP port itself, so the scan knows the service is LDAP (binding it needs root).
    let port = 389;
    assert!(
        TcpListener::bind((ip, port)).is_ok(),
        "cannot bind {ip}:389: run scripts/test as root"
    );
    let url = format!("ldap://{ip}:{port}/");
    let _slapd = start(
        "slapd",
        &["-f", conf.to_str().unwrap(), "-h", &url, "-d", "0"],
        format!("{ip}:{port}").parse().unwrap(),
    );
    let (_out, facts, result) = scan(ip, &port.to_string());
    let entry = port_entry(&facts, port);
    assert_eq!(entry["tls"]["starttls"], "ldap", "{entry}");
    assert!(
        entry["tls"]["offered"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "TLSv1.3"),
        "{entry}"
    );
    assert_eq!(
        entry["tls"]["certificate"]["chain"][0]["subject"],
        "CN=localhost"
    );
    assert_eq!(finding_state(&result, "tls-sslv3-enabled", ip), "pass");
}

#[test]
fn nginx_with_a_modern_configuration() {
    if !require("nginx") || !require("openssl") {
        return;
    }
    let ip = "127.0.0.42";
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let port = free_port(ip);
    let plain = free_port(ip);
    let d = dir.path().display();
    let conf = format!(
        "worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{ access_log off; client_body_temp_path {d}/body;\n\
           server {{ listen {ip}:{port} ssl; ssl_certificate {cert}; ssl_certificate_key {key};\n\
             ssl_protocols TLSv1.2 TLSv1.3; ssl_prefer_server_ciphers on;\n\
             ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305;\n\
             ssl_ecdh_curve X25519:prime256v1:secp384r1;\n\
             add_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;\n\
             location / {{ return 200 ok; }} }}\n\
           server {{ listen {ip}:{plain}; location / {{ return 301 https://$host:{port}$request_uri; }} }} }}\n"
    );
    let path = dir.path().join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let _n = start(
        "nginx",
        &["-c", path.to_str().unwrap(), "-g", "daemon off;"],
        format!("{ip}:{port}").parse().unwrap(),
    );
    let (_out, facts, result) = scan(ip, &format!("{port},{plain}"));
    let entry = port_entry(&facts, port);
    let tls = &entry["tls"];
    assert_eq!(tls["https"]["status"], 200, "{entry}");
    assert_eq!(tls["https"]["hsts_max_age"], 63_072_000);
    assert_eq!(tls["https"]["hsts_include_subdomains"], true);
    let redirect = port_entry(&facts, plain);
    assert_eq!(redirect["http"]["status"], 301, "{redirect}");
    assert_eq!(finding_state(&result, "tls-hsts-missing", ip), "pass");
    let grade = find_by(&result["tls_grades"], "endpoint", &format!("{ip}:{port}"));
    assert_eq!(
        grade["grade"], "M",
        "no SAN for the address scanned: {grade}"
    );
    assert_eq!(grade["grade_if_trusted"], "A+", "{grade}");
    assert_eq!(finding_state(&result, "http-no-https-redirect", ip), "pass");
    assert_eq!(
        tls["offered"],
        serde_json::json!(["TLSv1.2", "TLSv1.3"]),
        "{entry}"
    );
    assert_eq!(
        accepted(tls, "TLSv1.2"),
        [
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        ],
        "server order"
    );
    let v12 = tls["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["version"] == "TLSv1.2")
        .unwrap();
    assert_eq!(v12["server_preference"], true);
    assert_eq!(accepted(tls, "TLSv1.3").len(), 3);
    assert_eq!(
        tls["groups"],
        serde_json::json!(["x25519", "secp256r1", "secp384r1"])
    );
    assert_eq!(tls["compression"], false);
    assert_eq!(
        tls["fallback_scsv"], true,
        "nginx refuses a signalled downgrade"
    );
    assert_eq!(tls["ccs_injection"], false);
    assert_eq!(tls["secure_renegotiation"], true);
    // The certificate from a real rustls handshake, recorded rather than rejected.
    let cert = &tls["certificate"];
    assert_eq!(cert["chain"][0]["subject"], "CN=localhost", "{cert}");
    assert_eq!(cert["chain"][0]["key_type"], "rsa");
    assert_eq!(cert["chain"][0]["key_bits"], 2048);
    assert_eq!(cert["chain"][0]["self_signed"], true);
    assert_eq!(cert["chain"][0]["lifetime_days"], 30);
    assert_eq!(cert["trusted"], false);
    assert_eq!(cert["hostname_match"], false, "no SAN for {ip}");
    assert_eq!(finding_state(&result, "tls-cert-untrusted", ip), "fail");
    assert_eq!(finding_state(&result, "tls-cert-expired", ip), "pass");
    assert_eq!(
        finding_state(&result, "tls-cert-weak-key-or-signature", ip),
        "pass"
    );
    for check in [
        "tls-sslv3-enabled",
        "tls-legacy-version-enabled",
        "tls13-not-offered",
        "tls-no-forward-secrecy",
        "tls-weak-cipher",
        "tls-null-export-anon-cipher",
        "tls-compression-or-insecure-renegotiation",
    ] {
        assert_eq!(finding_state(&result, check, ip), "pass", "{check}");
    }
}

/// A server that answers every connection with `reply` (after reading what the client sent)
/// and then either closes or holds the connection open.
fn hostile(ip: &str, reply: &'static [u8], hold: bool) -> u16 {
    let listener = TcpListener::bind((ip, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(40) {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_millis(700)));
                let mut buf = [0u8; 2048];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(reply);
                if hold {
                    std::thread::sleep(Duration::from_secs(4));
                }
            });
        }
    });
    port
}

#[test]
fn hostile_servers_end_as_facts() {
    let ip = "127.0.0.43";
    let garbage = hostile(
        ip,
        b"\x16\x03\x03\xff\xff\x8b\x1f\x00garbage\x07\x00",
        false,
    );
    let truncated = hostile(ip, b"\x16\x03\x03\x00\x64\x02\x00\x00\x46\x03\x03", false);
    let endless = hostile(ip, b"\x16\x03\x03\x40\x00\x02\x00\x00\x46", true);
    let random = hostile(ip, b"\x9a\x3f\x11\x00\xde\xad\xbe\xef random", false);
    wait_for(format!("{ip}:{garbage}").parse().unwrap());
    let ports = format!("{garbage},{truncated},{endless},{random}");
    let started = std::time::Instant::now();
    let (_out, facts, _result) = scan(ip, &ports);
    assert!(started.elapsed() < Duration::from_secs(60), "bounded waits");
    let errors = facts["hosts"][0]["probe_errors"].to_string();
    for port in [garbage, truncated, endless] {
        let entry = port_entry(&facts, port);
        assert_eq!(entry["state"], "open");
        assert!(
            entry["tls"].is_null(),
            "no TLS facts from a broken server: {entry}"
        );
        assert!(
            errors.contains(&format!("\"port\":{port}")),
            "port {port} has an error fact: {errors}"
        );
    }
    assert!(
        errors.contains("cut short") || errors.contains("exceeds"),
        "{errors}"
    );
    assert!(port_entry(&facts, random)["tls"].is_null());
}

/// A private CA (made with the openssl CLI) is untrusted by default and trusted with
/// `--ca-file`; a SAN for the scanned address makes the name match.
#[test]
fn private_ca_is_trusted_with_ca_file() {
    if !require("nginx") || !require("openssl") {
        return;
    }
    let ip = "127.0.0.44";
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(d)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "openssl {args:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "60",
        "-subj",
        "/CN=Postura Test Root",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=internal",
        "-keyout",
        "srv.key",
        "-out",
        "srv.csr",
    ]);
    std::fs::write(d.join("ext.cnf"), format!("subjectAltName=IP:{ip}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")).unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "srv.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
        "-out",
        "srv.pem",
    ]);
    let port = free_port(ip);
    let dd = d.display();
    let conf = format!(
        "worker_processes 1; pid {dd}/nginx.pid; error_log {dd}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{ access_log off; client_body_temp_path {dd}/body;\n\
           server {{ listen {ip}:{port} ssl; ssl_certificate {dd}/srv.pem; ssl_certificate_key {dd}/srv.key;\n\
             location / {{ return 200 ok; }} }} }}\n"
    );
    std::fs::write(d.join("nginx.conf"), conf).unwrap();
    let conf = d.join("nginx.conf");
    let _n = start(
        "nginx",
        &["-c", conf.to_str().unwrap(), "-g", "daemon off;"],
        format!("{ip}:{port}").parse().unwrap(),
    );

    let (_out, facts, result) = scan(ip, &port.to_string());
    let cert = port_entry(&facts, port)["tls"]["certificate"].clone();
    assert_eq!(cert["trusted"], false, "{cert}");
    assert!(
        cert["trust_error"]
            .as_str()
            .unwrap_or_default()
            .contains("issued by an unknown CA"),
        "{cert}"
    );
    assert_eq!(cert["hostname_match"], true);
    assert_eq!(cert["chain"][0]["sans"], serde_json::json!([ip]));
    assert_eq!(finding_state(&result, "tls-cert-untrusted", ip), "fail");

    let ca = d.join("ca.pem");
    let (_out, facts, result) = scan_with(
        ip,
        &port.to_string(),
        &["--ca-file".as_ref(), ca.as_os_str()],
    );
    let cert = &port_entry(&facts, port)["tls"]["certificate"];
    assert_eq!(cert["trusted"], true, "{cert}");
    assert_eq!(finding_state(&result, "tls-cert-untrusted", ip), "pass");

    // A file that is not PEM is an input error naming the file.
    std::fs::write(d.join("junk.pem"), "not a certificate\n").unwrap();
    postura()
        .args(["scan", ip, "--ports", "1", "--ca-file"])
        .arg(d.join("junk.pem"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("junk.pem"));
}

/// IMAP and POP3 STARTTLS against a real Dovecot from Debian.
#[test]
fn starttls_on_a_real_dovecot() {
    if !require("dovecot") || !require("openssl") {
        return;
    }
    let ip = "127.0.0.46";
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let (imap, pop3) = (free_port(ip), free_port(ip));
    let d = dir.path().display();
    // Debian's package ships DH parameters; generate them only where it does not.
    let dh = std::path::Path::new("/usr/share/dovecot/dh.pem");
    let dh_line = if dh.exists() {
        format!("ssl_dh = <{}\n", dh.display())
    } else {
        String::new()
    };
    let conf = format!(
        "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
         protocols = imap pop3\nlisten = {ip}\nssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n{dh_line}\
         disable_plaintext_auth = yes\n\
         passdb {{\n  driver = static\n  args = password=secret\n}}\n\
         userdb {{\n  driver = static\n  args = uid=65534 gid=65534 home={d}/home/%u\n}}\n\
         service imap-login {{\n  inet_listener imap {{\n    port = {imap}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
         service pop3-login {{\n  inet_listener pop3 {{\n    port = {pop3}\n  }}\n  inet_listener pop3s {{\n    port = 0\n  }}\n}}\n"
    );
    let path = dir.path().join("dovecot.conf");
    std::fs::write(&path, conf).unwrap();
    let _dovecot = start(
        "dovecot",
        &["-F", "-c", path.to_str().unwrap()],
        format!("{ip}:{imap}").parse().unwrap(),
    );
    wait_for(format!("{ip}:{pop3}").parse().unwrap());
    let (_out, facts, result) = scan(ip, &format!("{imap},{pop3}"));
    for (port, protocol) in [(imap, "imap"), (pop3, "pop3")] {
        let entry = port_entry(&facts, port);
        assert_eq!(entry["service"]["name"], protocol, "{entry}");
        let tls = &entry["tls"];
        assert_eq!(tls["starttls"], protocol, "{entry}");
        assert!(
            tls["offered"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v == "TLSv1.2"),
            "{tls}"
        );
        assert_eq!(tls["certificate"]["chain"][0]["subject"], "CN=localhost");
    }
    assert_eq!(finding_state(&result, "tls-sslv3-enabled", ip), "pass");
    assert_eq!(finding_state(&result, "tls-cert-untrusted", ip), "fail");
}

/// The certificate matrix, made with rcgen and served by nginx, one address per case:
/// valid, expired, not yet valid, expiring in 7 days, incomplete chain, wrong name.
#[test]
fn certificate_matrix_served_by_nginx() {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    if !require("nginx") {
        return;
    }
    let day = time::Duration::days(1);
    let now = time::OffsetDateTime::now_utc();
    let ca_params = |name: &str| {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.not_before = now - day * 30;
        params.not_after = now + day * 365;
        params
    };
    let root = CertifiedIssuer::self_signed(ca_params("Matrix Root"), KeyPair::generate().unwrap())
        .unwrap();
    let intermediate = CertifiedIssuer::signed_by(
        ca_params("Matrix Intermediate"),
        KeyPair::generate().unwrap(),
        &root,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("root.pem"), root.pem()).unwrap();

    // (last octet, SAN, not_before offset in days, not_after offset in days, send intermediate)
    let cases: [(u8, &str, i32, i32, bool); 6] = [
        (71, "127.0.0.71", -10, 60, true),
        (72, "127.0.0.72", -40, -1, true),
        (73, "127.0.0.73", 10, 60, true),
        (74, "127.0.0.74", -10, 7, true),
        (75, "127.0.0.75", -10, 60, false),
        (76, "other.example", -10, 60, true),
    ];
    let port = free_port("127.0.0.71");
    let mut servers = String::new();
    for (octet, san, from, to, chain) in cases {
        let mut params = CertificateParams::new(vec![san.to_owned()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, format!("case-{octet}"));
        params.not_before = now + day * from;
        params.not_after = now + day * to;
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &intermediate).unwrap();
        let mut pem = cert.pem();
        if chain {
            pem.push_str(&intermediate.pem());
        }
        std::fs::write(d.join(format!("{octet}.pem")), pem).unwrap();
        std::fs::write(d.join(format!("{octet}.key")), key.serialize_pem()).unwrap();
        let dd = d.display();
        servers.push_str(&format!(
            "server {{ listen 127.0.0.{octet}:{port} ssl; ssl_certificate {dd}/{octet}.pem; ssl_certificate_key {dd}/{octet}.key; location / {{ return 200 ok; }} }}\n"
        ));
    }
    let dd = d.display();
    let conf = format!(
        "worker_processes 1; pid {dd}/nginx.pid; error_log {dd}/error.log;\nevents {{ worker_connections 64; }}\n\
         http {{ access_log off; client_body_temp_path {dd}/body;\n{servers}}}\n"
    );
    std::fs::write(d.join("nginx.conf"), conf).unwrap();
    let conf = d.join("nginx.conf");
    let _n = start(
        "nginx",
        &["-c", conf.to_str().unwrap(), "-g", "daemon off;"],
        format!("127.0.0.71:{port}").parse().unwrap(),
    );

    let ca = d.join("root.pem");
    let (_out, facts, result) = scan_with(
        "127.0.0.71-76",
        &port.to_string(),
        &["--ca-file".as_ref(), ca.as_os_str()],
    );
    let cert_of = |octet: u8| {
        find_by(&facts["hosts"], "address", &format!("127.0.0.{octet}"))["ports"][0]["tls"]
            ["certificate"]
            .clone()
    };
    let state = |check: &str, octet: u8| finding_state(&result, check, &format!("127.0.0.{octet}"));

    let good = cert_of(71);
    assert_eq!(good["trusted"], true, "{good}");
    assert_eq!(good["chain"].as_array().unwrap().len(), 2);
    assert_eq!(good["chain"][0]["key_type"], "ec");
    for check in [
        "tls-cert-expired",
        "tls-cert-expires-soon",
        "tls-cert-untrusted",
        "tls-cert-weak-key-or-signature",
    ] {
        assert_eq!(state(check, 71), "pass", "{check}");
    }
    let error_of = |octet: u8| {
        cert_of(octet)["trust_error"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    // In words with RFC 3339 dates, not rustls's `verification time 1796130431 (UNIX)`.
    let (expired, early) = (error_of(72), error_of(73));
    assert!(expired.starts_with("expired: valid until 20"), "{expired}");
    assert_eq!(state("tls-cert-expired", 72), "fail");
    assert!(early.starts_with("not valid yet: valid from 20"), "{early}");
    assert_eq!(state("tls-cert-expired", 73), "fail");
    assert_eq!(cert_of(74)["trusted"], true);
    assert_eq!(state("tls-cert-expires-soon", 74), "fail");
    assert_eq!(state("tls-cert-expired", 74), "pass");
    let incomplete = cert_of(75);
    assert_eq!(
        incomplete["chain"].as_array().unwrap().len(),
        1,
        "{incomplete}"
    );
    assert!(
        error_of(75).contains("issued by an unknown ca"),
        "{incomplete}"
    );
    assert_eq!(state("tls-cert-untrusted", 75), "fail");
    // Scanned by address, the certificate for other.example is trusted and its name is not
    // judged; an `ADDRESS NAME` target line judges it against the name given.
    assert_eq!(state("tls-cert-untrusted", 76), "pass");
    assert_eq!(state("tls-cert-name-mismatch", 76), "not_assessed");
    named_target_judges_the_name(port, &ca);
}

/// `127.0.0.76 www.example` in a target list: the certificate (for other.example, from a
/// trusted CA) fails the name check and passes the trust check.
fn named_target_judges_the_name(port: u16, ca: &std::path::Path) {
    let list = tempfile::tempdir().unwrap();
    let file = list.path().join("targets.txt");
    std::fs::write(
        &file,
        "# address and the name clients use\n127.0.0.76 www.example\n",
    )
    .unwrap();
    let (_out, facts, result) = scan_with(
        &format!("@{}", file.display()),
        &port.to_string(),
        &["--ca-file".as_ref(), ca.as_os_str()],
    );
    let cert = &facts["hosts"][0]["ports"][0]["tls"]["certificate"];
    assert_eq!(cert["name_checked"], "www.example", "{cert}");
    assert_eq!(cert["name_given"], true);
    assert_eq!(cert["trusted"], true, "{cert}");
    assert_eq!(
        finding_state(&result, "tls-cert-name-mismatch", "127.0.0.76"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "tls-cert-untrusted", "127.0.0.76"),
        "pass"
    );
}

/// DH group size from a real ServerKeyExchange (`openssl s_server -dhparam` with a 1024-bit
/// group), and the heartbeat test against servers that are not vulnerable.
#[test]
fn dh_group_size_and_heartbeat_on_openssl() {
    if !require("openssl") {
        return;
    }
    let ip = "127.0.0.48";
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let dh = dir.path().join("dh1024.pem");
    let status = Command::new("openssl")
        .args(["dhparam", "-out"])
        .arg(&dh)
        .arg("1024")
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let (_s, port) = s_server(
        ip,
        &cert,
        &key,
        &[
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            "-dhparam",
            dh.to_str().unwrap(),
        ],
    );
    let (_out, facts, result) = scan(ip, &port.to_string());
    let tls = port_entry(&facts, port)["tls"].clone();
    assert_eq!(tls["dh_bits"], 1024, "{tls}");
    assert_eq!(tls["heartbleed"], false, "{tls}");
    assert_eq!(tls["ccs_injection"], false, "{tls}");
    assert_eq!(finding_state(&result, "tls-weak-dh-group", ip), "fail");
    assert_eq!(finding_state(&result, "tls-heartbleed", ip), "pass");
}

/// SMTP STARTTLS against aiosmtpd (Debian's python3-aiosmtpd), a real SMTP implementation.
#[test]
fn smtp_starttls_on_aiosmtpd() {
    let Some(python) = python_with("aiosmtpd", "python3-aiosmtpd") else {
        return;
    };
    if !require("openssl") {
        return;
    }
    let ip = "127.0.0.49";
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let port = free_port(ip);
    let listen = format!("{ip}:{port}");
    let _smtp = start(
        python,
        &[
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &listen,
            "--tlscert",
            &cert,
            "--tlskey",
            &key,
        ],
        listen.parse().unwrap(),
    );
    let (_out, facts, result) = scan(ip, &port.to_string());
    let entry = port_entry(&facts, port);
    assert_eq!(entry["service"]["name"], "smtp", "{entry}");
    assert_eq!(entry["tls"]["starttls"], "smtp", "{entry}");
    assert!(
        entry["tls"]["offered"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "TLSv1.2"),
        "{entry}"
    );
    assert_eq!(
        entry["tls"]["certificate"]["chain"][0]["subject"],
        "CN=localhost"
    );
    assert_eq!(finding_state(&result, "tls-sslv3-enabled", ip), "pass");
}
