//! Scans that outgrow one process: the journal, `--resume`, `--shard I/N` and `postura merge`,
//! against listeners in a network namespace of our own (the scans cover a whole /24 of its
//! loopback, which on the host would meet other tests' servers).

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::support::{Netns, Server, is_root, postura_path, read_json, require};

/// The scan every test here runs: a /24 of the namespace's loopback, where every address
/// answers (resets) and a few listen; 1,000 ports, so the hosts go in several batches.
const RANGE: &str = "127.0.0.0/24";
const PORTS: &str = "1-1000";

/// A namespace with an HTTP server and two greeting servers.
pub fn namespace(tag: &str) -> (Netns, Vec<Server>) {
    assert!(
        is_root() && require("python3"),
        "needs root for a namespace, and python3"
    );
    let ns = Netns::new(tag);
    let http = ns.spawn(&["python3", "-m", "http.server", "80", "--bind", "127.0.0.77"]);
    let greeters = ns.spawn(&[
        "python3",
        "-c",
        r"import socket, threading, time
def serve(addr, port, greeting):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        try:
            c.sendall(greeting)
        except OSError:
            pass
        threading.Timer(0.5, c.close).start()
for a, p, g in [('127.0.0.130', 23, b'login: '), ('127.0.0.201', 21, b'220 files ready\r\n')]:
    threading.Thread(target=serve, args=(a, p, g), daemon=True).start()
time.sleep(600)
",
    ]);
    std::thread::sleep(Duration::from_millis(700));
    (ns, vec![http, greeters])
}

/// `postura ARGS` inside the namespace.
fn postura_in(ns: &Netns, args: &[&str], out: &Path) -> Command {
    let mut command = Command::new("ip");
    command
        .args(["netns", "exec", &ns.0])
        .arg(postura_path())
        .args(args)
        .args(["-q", "--lang", "en", "-f", "json"])
        .arg("--out")
        .arg(out);
    command
}

fn scan_args(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["scan", RANGE, "--ports", PORTS, "--profile", "fast"];
    args.extend_from_slice(extra);
    args
}

/// What must be equal between two results of the same work: every finding's check, asset,
/// state and fingerprint, the scores and coverage of every family and baseline, and the
/// hosts' states and ports (times excluded).
fn essence(result: &serde_json::Value) -> serde_json::Value {
    let mut findings: Vec<String> = result["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["check_id"], f["asset"], f["state"], f["fingerprint"]
            )
        })
        .collect();
    findings.sort();
    let hosts: Vec<serde_json::Value> = result["facts"]["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .map(|h| {
            serde_json::json!([
                h["address"],
                h["state"],
                h["port_counts"],
                h["scanned_ports"],
                h["ports"].as_array().map(|ports| ports
                    .iter()
                    .map(|p| serde_json::json!([p["port"], p["state"], p["service"]["name"]]))
                    .collect::<Vec<_>>()),
            ])
        })
        .collect();
    let baselines: Vec<serde_json::Value> = result["baselines"]
        .as_array()
        .expect("baselines")
        .iter()
        .map(|b| serde_json::json!([b["id"], b["score"]]))
        .collect();
    serde_json::json!({
        "findings": findings,
        "scores": result["scores"],
        "baselines": baselines,
        "hosts": hosts,
        "interrupted": result["facts"]["interrupted"],
    })
}

fn assert_same_work(reference: &serde_json::Value, other: &serde_json::Value, what: &str) {
    let (a, b) = (essence(reference), essence(other));
    for key in ["interrupted", "scores", "baselines", "hosts", "findings"] {
        assert!(
            a[key] == b[key],
            "{what}: {key} differ\nreference: {}\nother:     {}",
            &a[key].to_string()[..a[key].to_string().len().min(1500)],
            &b[key].to_string()[..b[key].to_string().len().min(1500)]
        );
    }
}

/// Delays from a fixed seed (printed on failure): where in the scan a signal lands.
fn seeded_delays(seed: u64, count: usize, from_ms: u64, to_ms: u64) -> Vec<Duration> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            Duration::from_millis(from_ms + (state >> 33) % (to_ms - from_ms))
        })
        .collect()
}

/// Starts the scan into `out`, sends `signal` after `delay` and waits (bounded) for the end.
fn signalled_scan(ns: &Netns, out: &Path, signal: &str, delay: Duration) -> Option<i32> {
    let mut child = postura_in(ns, &scan_args(&[]), out).spawn().unwrap();
    std::thread::sleep(delay);
    // `ip netns exec` execs postura, so the child's pid is postura's.
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status();
    for _ in 0..600 {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("postura did not stop within 60 s of SIG{signal}");
}

/// One uninterrupted scan of the whole: the result every other run must equal.
fn reference_scan(ns: &Netns) -> serde_json::Value {
    let out = tempfile::tempdir().unwrap();
    ok(&postura_in(ns, &scan_args(&[]), out.path())
        .output()
        .unwrap());
    read_json(&out.path().join("postura-result.json"))
}

fn journal_hosts(out: &Path) -> usize {
    std::fs::read_to_string(out.join("postura-journal.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("{\"host\":"))
        .count()
}

fn ok(output: &Output) {
    assert!(output.status.success(), "{output:?}");
}

/// Interrupted (SIGINT) or killed (SIGKILL) at seeded points, a scan resumed from its journal
/// gives the result of an uninterrupted run; a killed scan's journal is judged on its own as
/// an incomplete result naming what is missing.
#[test]
fn interrupted_and_killed_scans_resume_to_the_uninterrupted_result() {
    let (ns, _servers) = namespace("resume");
    let reference = reference_scan(&ns);
    assert_eq!(reference["facts"]["hosts"].as_array().unwrap().len(), 256);
    assert_eq!(
        crate::support::finding_state(&reference, "exp-cleartext-admin-protocol", "127.0.0.130"),
        "fail"
    );

    let seed = 0x5ca1e;
    let mut partial_journals = 0;
    for (signal, delay) in ["INT", "KILL", "INT", "KILL"]
        .into_iter()
        .zip(seeded_delays(seed, 4, 300, 3_000))
    {
        let what = format!("SIG{signal} after {delay:?} (seed {seed:#x})");
        let out = tempfile::tempdir().unwrap();
        let code = signalled_scan(&ns, out.path(), signal, delay);
        let done = journal_hosts(out.path());
        if done < 256 {
            partial_journals += 1;
        }
        match signal {
            "INT" => assert!(matches!(code, Some(130 | 0)), "{what}: exit {code:?}"),
            _ => {
                // Whatever the kill cut, the journal reads back as a result marked incomplete.
                let judged = tempfile::tempdir().unwrap();
                let evaluated = Command::new(postura_path())
                    .args(["evaluate"])
                    .arg(out.path())
                    .args(["-q", "--lang", "en", "-f", "json,html", "--out"])
                    .arg(judged.path())
                    .output()
                    .unwrap();
                ok(&evaluated);
                let result = read_json(&judged.path().join("postura-result.json"));
                let hosts = result["facts"]["hosts"].as_array().unwrap();
                assert_eq!(hosts.len(), 256, "{what}");
                let covered = &result["facts"]["interrupted"];
                if done < 256 {
                    assert_eq!(covered["signal"], "unfinished", "{what}");
                    assert_eq!(covered["hosts_planned"], 256, "{what}");
                    assert_eq!(covered["hosts_complete"], done as u64, "{what}");
                    let missing = hosts.iter().filter(|h| h["state"] == "not_scanned").count();
                    assert_eq!(missing, 256 - done, "{what}");
                    let html =
                        std::fs::read_to_string(judged.path().join("postura-report.html")).unwrap();
                    assert!(
                        html.contains("Incomplete: the run did not finish"),
                        "{what}"
                    );
                }
            }
        }
        let resumed = postura_in(&ns, &scan_args(&[]), out.path())
            .args(["--resume"])
            .arg(out.path())
            // `--resume` and `--out` exclude each other: the reports go to the journal's folder.
            .output()
            .unwrap();
        assert_eq!(
            resumed.status.code(),
            Some(2),
            "{what}: --out with --resume"
        );
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", &ns.0])
            .arg(postura_path())
            .args(scan_args(&["-q", "--lang", "en", "-f", "json", "--resume"]))
            .arg(out.path());
        ok(&command.output().unwrap());
        assert_eq!(
            journal_hosts(out.path()),
            256,
            "{what}: every host in the journal once"
        );
        let result = read_json(&out.path().join("postura-result.json"));
        assert_same_work(&reference, &result, &what);
    }
    assert!(
        partial_journals > 0,
        "no signal landed before the scan's end; the seeded delays need a slower scan"
    );
}

/// Resuming with other work names what differs; a new scan will not replace an unfinished
/// journal; a folder without a journal is not resumed.
#[test]
fn resuming_other_work_or_nothing_is_refused() {
    let (ns, _servers) = namespace("refuse");
    let out = tempfile::tempdir().unwrap();
    let mut child = postura_in(&ns, &scan_args(&[]), out.path())
        .spawn()
        .unwrap();
    for _ in 0..300 {
        // Once the plan is on its line: a journal killed before that is started over.
        if std::fs::read_to_string(out.path().join("postura-journal.jsonl"))
            .is_ok_and(|j| j.contains('\n'))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let other = Command::new(postura_path())
        .args([
            "scan",
            RANGE,
            "--ports",
            "1-999",
            "--profile",
            "fast",
            "-q",
            "--resume",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(2), "{other:?}");
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert!(
        stderr.contains("--ports") && stderr.contains("journal of other work"),
        "{stderr}"
    );
    let fresh = postura_in(&ns, &scan_args(&[]), out.path())
        .output()
        .unwrap();
    assert_eq!(fresh.status.code(), Some(2), "{fresh:?}");
    assert!(String::from_utf8_lossy(&fresh.stderr).contains("--resume"));
    let nothing = Command::new(postura_path())
        .args(["scan", RANGE, "-q", "--resume"])
        .arg(out.path().join("nonexistent"))
        .output()
        .unwrap();
    assert_eq!(nothing.status.code(), Some(2), "{nothing:?}");
    assert!(String::from_utf8_lossy(&nothing.stderr).contains("holds no journal"));
}

/// Four shards, scanned side by side and merged, give the result of one scan of the whole;
/// shards that do not belong together are an error naming them.
#[test]
fn four_shards_merged_equal_one_scan() {
    let (ns, _servers) = namespace("shards");
    let reference = reference_scan(&ns);

    let shards: Vec<tempfile::TempDir> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let children: Vec<_> = shards
        .iter()
        .enumerate()
        .map(|(i, dir)| {
            let shard = format!("{i}/4");
            let mut args = scan_args(&[]);
            args.extend(["--shard", Box::leak(shard.into_boxed_str())]);
            postura_in(&ns, &args, dir.path()).spawn().unwrap()
        })
        .collect();
    for child in children {
        assert!(child.wait_with_output().unwrap().status.success());
    }
    for (i, dir) in shards.iter().enumerate() {
        let facts = read_json(&dir.path().join("postura-result.json"));
        let hosts = facts["facts"]["hosts"].as_array().unwrap();
        assert_eq!(hosts.len(), 64);
        // Interleaved: every fourth address, so each shard sees every part of the range.
        assert_eq!(hosts[0]["address"], format!("127.0.0.{i}"));
        assert_eq!(hosts[1]["address"], format!("127.0.0.{}", i + 4));
    }
    let merged_out = tempfile::tempdir().unwrap();
    let merge = |inputs: &[&Path], extra: &[&str]| {
        Command::new(postura_path())
            .arg("merge")
            .args(inputs)
            .args(["-q", "--lang", "en", "-f", "json,html", "--out"])
            .arg(merged_out.path())
            .args(extra)
            .output()
            .unwrap()
    };
    let paths: Vec<&Path> = shards.iter().map(tempfile::TempDir::path).collect();
    // In any order; a journal or a result file stands for its folder.
    let shuffled = [
        paths[2].to_path_buf(),
        paths[0].join("postura-journal.jsonl"),
        paths[3].join("postura-result.json"),
        paths[1].to_path_buf(),
    ];
    let shuffled: Vec<&Path> = shuffled.iter().map(std::path::PathBuf::as_path).collect();
    ok(&merge(&shuffled, &[]));
    let merged = read_json(&merged_out.path().join("postura-result.json"));
    assert_same_work(&reference, &merged, "four shards merged");
    assert!(merged["facts"]["scan"]["plan"]["shard"].is_null());

    // The gate runs on the merge: a shard exits 0 and refuses gates.
    let gated = merge(&paths, &["--fail-on", "medium"]);
    assert_eq!(gated.status.code(), Some(1), "{gated:?}");
    let shard_gate = Command::new(postura_path())
        .args(scan_args(&["--shard", "0/4", "--fail-on", "high", "-q"]))
        .output()
        .unwrap();
    assert_eq!(shard_gate.status.code(), Some(2), "{shard_gate:?}");
    assert!(String::from_utf8_lossy(&shard_gate.stderr).contains("postura merge"));

    let twice = merge(&[paths[0], paths[1], paths[2], paths[0]], &[]);
    assert_eq!(twice.status.code(), Some(2), "{twice:?}");
    let stderr = String::from_utf8_lossy(&twice.stderr);
    assert!(
        stderr.contains("shard 0/4 is given twice")
            && stderr.contains(&*paths[0].to_string_lossy()),
        "{stderr}"
    );
    let missing = merge(&paths[..3], &[]);
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("3/4 missing"));

    // A shard of other work: named, with what differs.
    let stranger = tempfile::tempdir().unwrap();
    ok(&postura_in(
        &ns,
        &[
            "scan",
            RANGE,
            "--ports",
            "1-999",
            "--profile",
            "fast",
            "--shard",
            "3/4",
        ],
        stranger.path(),
    )
    .output()
    .unwrap());
    let mixed = merge(&[paths[0], paths[1], paths[2], stranger.path()], &[]);
    assert_eq!(mixed.status.code(), Some(2), "{mixed:?}");
    let stderr = String::from_utf8_lossy(&mixed.stderr);
    assert!(
        stderr.contains("not shards of one scan")
            && stderr.contains("--ports")
            && stderr.contains(&*stranger.path().to_string_lossy()),
        "{stderr}"
    );
    let split_otherwise = tempfile::tempdir().unwrap();
    ok(
        &postura_in(&ns, &scan_args(&["--shard", "1/3"]), split_otherwise.path())
            .output()
            .unwrap(),
    );
    let mixed = merge(&[paths[0], split_otherwise.path()], &[]);
    assert!(String::from_utf8_lossy(&mixed.stderr).contains("split differently"));
}

/// Evidence belongs to the merge: a shard refuses it, and `merge --evidence` judges it once
/// with the joined hosts (port 1 of four loopback addresses: nothing listens there).
#[test]
fn evidence_is_judged_once_on_the_merge() {
    let firewall = crate::support::repo().join("fixtures/evidence/firewall");
    let refused = Command::new(postura_path())
        .args([
            "scan",
            "127.0.0.1-4",
            "--ports",
            "1",
            "--shard",
            "0/2",
            "-q",
            "--evidence",
        ])
        .arg(&firewall)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("postura merge"));
    let shards: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    for (i, dir) in shards.iter().enumerate() {
        let shard = format!("{i}/2");
        let ran = Command::new(postura_path())
            .args([
                "scan",
                "127.0.0.1-4",
                "--ports",
                "1",
                "--profile",
                "fast",
                "-q",
                "-f",
                "json",
            ])
            .args(["--shard", &shard, "--out"])
            .arg(dir.path())
            .output()
            .unwrap();
        ok(&ran);
    }
    let out = tempfile::tempdir().unwrap();
    let merged = Command::new(postura_path())
        .arg("merge")
        .args(shards.iter().map(tempfile::TempDir::path))
        .args([
            "--evidence-tz",
            "UTC",
            "-q",
            "--lang",
            "en",
            "-f",
            "json",
            "--evidence",
        ])
        .arg(&firewall)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    ok(&merged);
    let result = read_json(&out.path().join("postura-result.json"));
    let facts = &result["facts"];
    let scanned: Vec<&str> = facts["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["address"].as_str())
        .collect();
    assert_eq!(
        scanned,
        ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
    );
    assert!(!facts["evidence_files"].as_array().unwrap().is_empty());
    assert!(
        result["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["family"] == "firewall" && f["state"] == "fail"),
        "the firewall evidence is judged"
    );
}
