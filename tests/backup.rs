//! Backup freshness: real restic and borg repositories made by the test with back-dated
//! snapshots, judged against an injected clock (`--as-of`).

use std::process::Command;

use predicates::prelude::*;

use crate::support::{finding_state, host_named, judge_evidence, postura, read_json, require};

fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> Vec<u8> {
    let out = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn set<'r>(result: &'r serde_json::Value, tool: &str) -> &'r serde_json::Value {
    result["facts"]["hosts"][0]["backup"]["sets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["tool"] == tool)
        .unwrap_or_else(|| panic!("no {tool} set"))
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: two real repositories built, then judged under five clocks and RPOs"
)]
fn restic_and_borg_backups_judged_as_of_an_injected_clock() {
    if !require("restic") || !require("borg") {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("ledger.csv"), "2026;1000\n").unwrap();
    let data = data.to_str().unwrap();
    let restic_repo = work.path().join("restic");
    let restic_repo = restic_repo.to_str().unwrap();
    let borg_repo = work.path().join("borg");
    let borg_repo = borg_repo.to_str().unwrap();
    let borg_home = work.path().join("borg-home");
    let env = [
        ("RESTIC_PASSWORD", "test"),
        ("BORG_PASSPHRASE", "test"),
        ("BORG_BASE_DIR", borg_home.to_str().unwrap()),
    ];
    run("restic", &["init", "-q", "-r", restic_repo], &env);
    for time in ["2026-03-01 02:00:00", "2026-03-08 02:00:00"] {
        run(
            "restic",
            &[
                "-q",
                "-r",
                restic_repo,
                "backup",
                "--host",
                "app01",
                "--time",
                time,
                data,
            ],
            &env,
        );
    }
    run("borg", &["init", "-e", "repokey-blake2", borg_repo], &env);
    run(
        "borg",
        &[
            "create",
            &format!("{borg_repo}::app01-1"),
            data,
            "--timestamp",
            "2026-03-07T03:00:00",
        ],
        &env,
    );

    let evidence = tempfile::tempdir().unwrap();
    let host = evidence.path().join("app01");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(
        host.join("snapshots.json"),
        run("restic", &["-r", restic_repo, "snapshots", "--json"], &env),
    )
    .unwrap();
    std::fs::write(
        host.join("borg.json"),
        run("borg", &["list", "--json", borg_repo], &env),
    )
    .unwrap();

    // 2026-03-09 12:00 UTC: the newest restic snapshot is 34 h old, borg's 57 h.
    let as_of = "2026-03-09T12:00:00Z";
    let result = judge_evidence(
        evidence.path(),
        &["--as-of", as_of, "--rpo", "24h", "--evidence-tz", "UTC"],
    );
    assert_eq!(
        set(&result, "restic")["last_success"],
        "2026-03-08T02:00:00Z"
    );
    assert_eq!(set(&result, "restic")["successful"], 2);
    assert_eq!(set(&result, "borg")["last_success"], "2026-03-07T03:00:00Z");
    assert_eq!(set(&result, "borg")["encryption"], "repokey-blake2");
    assert_eq!(
        finding_state(&result, "bkp-last-success-older-than-rpo", "app01"),
        "fail"
    );
    let evidence_text = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "bkp-last-success-older-than-rpo")
        .unwrap()["evidence"]
        .to_string();
    // Every age names the time it was counted to.
    assert!(
        evidence_text.contains(&format!("34 h before {as_of}")),
        "{evidence_text}"
    );
    assert!(
        evidence_text.contains(&format!("57 h before {as_of}")),
        "{evidence_text}"
    );
    assert_eq!(
        finding_state(&result, "bkp-single-location", "app01"),
        "pass"
    );
    assert_eq!(
        finding_state(&result, "bkp-repository-unencrypted", "app01"),
        "pass"
    );

    // A three-day RPO passes the same evidence; a host manifest's RPO beats --rpo.
    let result = judge_evidence(
        evidence.path(),
        &["--as-of", as_of, "--rpo", "3d", "--evidence-tz", "UTC"],
    );
    assert_eq!(
        finding_state(&result, "bkp-last-success-older-than-rpo", "app01"),
        "pass"
    );
    std::fs::write(
        host.join("postura-manifest.json"),
        r#"{"host": "app01", "rpo": "12h"}"#,
    )
    .unwrap();
    let result = judge_evidence(
        evidence.path(),
        &["--as-of", as_of, "--rpo", "3d", "--evidence-tz", "UTC"],
    );
    assert_eq!(
        finding_state(&result, "bkp-last-success-older-than-rpo", "app01"),
        "fail"
    );

    // `--rpo ASSET=` beats the manifest; an asset that is not there is named on stderr.
    let out = tempfile::tempdir().unwrap();
    let assert = postura()
        .args(["scan", "--evidence"])
        .arg(evidence.path())
        .args(["--as-of", as_of, "--evidence-tz", "UTC", "--rpo", "1d"])
        .args([
            "--rpo", "APP01=3d", "--rpo", "db99=1h", "-f", "json", "--out",
        ])
        .arg(out.path())
        .assert()
        .code(0);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("`db99`"), "{stderr}");
    let result = read_json(&out.path().join("postura-result.json"));
    assert_eq!(
        finding_state(&result, "bkp-last-success-older-than-rpo", "app01"),
        "pass"
    );
    assert_eq!(host_named(&result, "app01")["backup"]["rpo"], "259200s");
    postura()
        .args(["evaluate", "/nonexistent.json", "--rpo", "=3d"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("names no asset"));

    // borg writes local time without a zone: read in the evidence zone.
    let result = judge_evidence(
        evidence.path(),
        &["--as-of", as_of, "--evidence-tz", "Europe/Berlin"],
    );
    assert_eq!(set(&result, "borg")["last_success"], "2026-03-07T02:00:00Z");
}

#[test]
fn unencrypted_borg_repository_with_one_backup() {
    if !require("borg") {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("plain");
    let repo = repo.to_str().unwrap();
    let home = work.path().join("home");
    let env = [
        ("BORG_BASE_DIR", home.to_str().unwrap()),
        ("BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK", "yes"),
    ];
    run("borg", &["init", "-e", "none", repo], &env);
    let src = work.path().to_str().unwrap().to_owned() + "/home";
    run(
        "borg",
        &[
            "create",
            &format!("{repo}::only"),
            &src,
            "--timestamp",
            "2026-03-09T06:00:00",
        ],
        &env,
    );
    let evidence = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(evidence.path().join("db03")).unwrap();
    std::fs::write(
        evidence.path().join("db03/borg.json"),
        run("borg", &["list", "--json", repo], &env),
    )
    .unwrap();
    let result = judge_evidence(
        evidence.path(),
        &["--as-of", "2026-03-09T12:00:00Z", "--evidence-tz", "UTC"],
    );
    assert_eq!(
        finding_state(&result, "bkp-repository-unencrypted", "db03"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "bkp-single-location", "db03"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "bkp-retention-short", "db03"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "bkp-last-success-older-than-rpo", "db03"),
        "pass"
    );
}

#[test]
fn backup_folders_walked_directly() {
    let root = tempfile::tempdir().unwrap();
    let at = |day: &str| {
        let ts: jiff::Timestamp = format!("{day}T02:00:00Z").parse().unwrap();
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(ts.as_second() as u64)
    };
    let file = |rel: &str, bytes: usize, day: &str| {
        let path = root.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, vec![b'x'; bytes]).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(at(day))
            .unwrap();
    };
    file("daily/db-2026-02-28.sql.gz", 100, "2026-02-28");
    file("daily/db-2026-03-01.sql.gz", 100, "2026-03-01");
    file("daily/db-2026-03-08.sql.gz.partial", 40, "2026-03-08");
    file("daily/db-2026-03-07.sql.gz", 0, "2026-03-07");
    file("weekly/2026/w09/files.tar", 100, "2026-03-02");
    file("weekly/2026/w10/files.tar", 100, "2099-01-01");
    let out = tempfile::tempdir().unwrap();
    let spec = format!("nas03={}", root.path().display());
    postura()
        .args([
            "scan",
            "--backup-dir",
            &spec,
            "--as-of",
            "2026-03-09T12:00:00Z",
            "--rpo",
            "3d",
        ])
        .args(["-q", "-f", "json", "--lang", "en", "--out"])
        .arg(out.path())
        .assert()
        .code(0);
    let result = read_json(&out.path().join("postura-result.json"));
    let sets = result["facts"]["hosts"][0]["backup"]["sets"]
        .as_array()
        .unwrap()
        .clone();
    let daily = sets.iter().find(|s| s["name"] == "daily").unwrap();
    // The empty file and the .partial one are not backups; the newest good one is 03-01.
    assert_eq!(daily["last_success"], "2026-03-01T02:00:00Z");
    assert_eq!(daily["first_success"], "2026-02-28T02:00:00Z");
    assert_eq!(daily["successful"], 2);
    assert_eq!(daily["incomplete"], 2);
    let weekly = sets.iter().find(|s| s["name"] == "weekly").unwrap();
    assert_eq!(weekly["future"], 1);
    assert_eq!(weekly["last_success"], "2026-03-02T02:00:00Z");
    assert_eq!(
        finding_state(&result, "bkp-last-success-older-than-rpo", "nas03"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "bkp-incomplete-backups", "nas03"),
        "fail"
    );
}

#[test]
fn aws_backup_recovery_points_from_cli_v1_and_v2() {
    let aws = crate::support::repo().join("fixtures/evidence/backup/aws");
    let result = judge_evidence(&aws, &["--as-of", "2026-11-27T12:00:00Z"]);
    let asset = |name: &str| {
        host_named(&result, name)["backup"]["sets"]
            .as_array()
            .unwrap()
            .clone()
    };
    let volume = asset("vol-0a1b2c3d4e5f60718");
    // The copy vault (CLI v1, epoch seconds) and the source vault (CLI v2, ISO 8601).
    assert_eq!(volume.len(), 2);
    for set in &volume {
        assert_eq!(set["last_success"], "2026-11-26T02:00:00.201Z");
    }
    let source = volume
        .iter()
        .find(|s| s["repository"] == "Default")
        .unwrap();
    assert_eq!(source["successful"], 2);
    assert_eq!(source["incomplete"], 1, "PARTIAL is not a success");
    let erp = asset("erp-prod");
    assert_eq!(erp[0]["successful"], 1, "FAILED is not a success");
    assert_eq!(erp[0]["last_success"], "2026-11-01T01:30:00Z");
    assert_eq!(
        finding_state(&result, "bkp-single-location", "vol-0a1b2c3d4e5f60718"),
        "pass"
    );
    assert_eq!(
        finding_state(&result, "bkp-incomplete-backups", "vol-0a1b2c3d4e5f60718"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "bkp-last-success-older-than-rpo", "erp-prod"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "bkp-repository-unencrypted", "erp-prod"),
        "fail"
    );
}
