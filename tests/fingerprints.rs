//! Fingerprints: the same finding has the same fingerprint across runs, a day later and in any
//! target order; a different deciding key (another open database port) gives another.

use std::collections::BTreeMap;

use crate::support::{banner_server, postura, read_json, repo};

/// (check, asset) → fingerprint of every finding of a result.
fn fingerprints(result: &serde_json::Value) -> BTreeMap<(String, String), String> {
    result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let fingerprint = f["fingerprint"].as_str().unwrap().to_owned();
            assert_eq!(fingerprint.len(), 32, "{f}");
            (
                (
                    f["check_id"].as_str().unwrap().to_owned(),
                    f["asset"].as_str().unwrap().to_owned(),
                ),
                fingerprint,
            )
        })
        .collect()
}

fn evaluate(facts: &std::path::Path, as_of: &str) -> serde_json::Value {
    let out = tempfile::tempdir().unwrap();
    postura()
        .arg("evaluate")
        .arg(facts)
        .args(["--as-of", as_of, "-q", "-f", "json", "--out"])
        .arg(out.path())
        .assert()
        .code(0);
    read_json(&out.path().join("postura-result.json"))
}

#[test]
fn fingerprints_hold_a_day_later_and_follow_the_deciding_key() {
    let facts = repo().join("fixtures/facts/exposed/database-open.json");
    let today = fingerprints(&evaluate(&facts, "2026-06-01T00:00:00Z"));
    let tomorrow = fingerprints(&evaluate(&facts, "2026-06-02T00:00:00Z"));
    assert_eq!(today, tomorrow);
    // One more open database port: that finding is another, every other stays.
    let mut changed: serde_json::Value = read_json(&facts);
    let mut port = changed["hosts"][0]["ports"][0].clone();
    port["port"] = 27017.into();
    changed["hosts"][0]["ports"]
        .as_array_mut()
        .unwrap()
        .push(port);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.json");
    std::fs::write(&path, serde_json::to_string(&changed).unwrap()).unwrap();
    let more = fingerprints(&evaluate(&path, "2026-06-01T00:00:00Z"));
    let key = ("exp-database-exposed".to_owned(), "192.0.2.10".to_owned());
    assert_ne!(today[&key], more[&key]);
    let differing: Vec<_> = today
        .iter()
        .filter(|(k, v)| more.get(*k) != Some(v))
        .map(|(k, _)| k.0.clone())
        .collect();
    assert_eq!(differing, ["exp-database-exposed"]);
}

#[test]
fn fingerprints_are_equal_across_real_scans_in_any_order() {
    let (a, b) = ("127.0.0.41", "127.0.0.42");
    let port_a = banner_server(a, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
    let port_b = banner_server(b, b"220 ftp.example ready\r\n");
    let scan = |targets: [String; 2]| {
        let out = tempfile::tempdir().unwrap();
        postura()
            .arg("scan")
            .args(&targets)
            .args(["--profile", "fast", "-q", "-f", "json", "--out"])
            .arg(out.path())
            .assert()
            .code(0);
        fingerprints(&read_json(&out.path().join("postura-result.json")))
    };
    let forward = scan([format!("{a}:{port_a}"), format!("{b}:{port_b}")]);
    let backward = scan([format!("{b}:{port_b}"), format!("{a}:{port_a}")]);
    assert!(forward.len() > 10, "{forward:?}");
    assert_eq!(forward, backward);
}
