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

/// A backup share laid out as consultants find them: nested jobs, a Veeam chain with its
/// metadata file, rotations, rsnapshot folders, dumps made by the real `gzip`, some of them
/// empty, and NAS system folders.
struct Share {
    root: tempfile::TempDir,
}

impl Share {
    fn at(when: &str) -> std::time::SystemTime {
        let ts: jiff::Timestamp = when.parse().unwrap();
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(ts.as_second().try_into().unwrap())
    }

    fn touch(&self, rel: &str, when: &str) {
        std::fs::File::options()
            .write(true)
            .open(self.root.path().join(rel))
            .unwrap()
            .set_modified(Self::at(when))
            .unwrap();
    }

    fn file(&self, rel: &str, bytes: &[u8], when: &str) {
        let path = self.root.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        self.touch(rel, when);
    }

    /// A dump compressed by gzip as a backup script does: `dump | gzip > NAME.gz`.
    fn gzip(&self, rel: &str, content: &[u8], when: &str) {
        use std::io::Write;
        let mut child = Command::new("gzip")
            .arg("-c")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(content).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        self.file(rel, &out.stdout, when);
    }
}

fn set_named<'r>(sets: &'r [serde_json::Value], name: &str) -> &'r serde_json::Value {
    sets.iter().find(|s| s["name"] == name).unwrap_or_else(|| {
        let names: Vec<_> = sets.iter().map(|s| s["name"].to_string()).collect();
        panic!("no series {name} among {names:?}")
    })
}

/// The share: seven series, four files that are not backups, and a NAS index folder.
fn nas03_share() -> Share {
    assert!(require("gzip"));
    let share = Share {
        root: tempfile::tempdir().unwrap(),
    };
    let dump = b"-- MySQL dump 10.13\nCREATE TABLE orders (id int);\n".repeat(50);
    share.gzip(
        "db/mysql/shop_2026-11-23.sql.gz",
        &dump,
        "2026-11-23T01:00:00Z",
    );
    share.gzip(
        "db/mysql/shop_2026-11-24.sql.gz",
        &dump,
        "2026-11-24T01:00:00Z",
    );
    // mysqldump failed: gzip wrote an empty stream (20 bytes) both nights.
    share.gzip(
        "db/mysql/shop_2026-11-25.sql.gz",
        b"",
        "2026-11-25T01:00:00Z",
    );
    share.gzip(
        "db/mysql/shop_2026-11-26.sql.gz",
        b"",
        "2026-11-26T01:00:00Z",
    );
    share.file(
        "db/mysql/backup.log",
        b"mysqldump: Got error: 1045\n",
        "2026-11-26T01:00:00Z",
    );
    share.file(
        "db/postgres/erp_2026-11-26.dump",
        &[b'P'; 4096],
        "2026-11-26T02:00:00Z",
    );
    share.file(
        "db/postgres/erp_2026-11-27.dump.partial",
        &[b'P'; 100],
        "2026-11-27T02:00:00Z",
    );
    share.file(
        "db/postgres/SHA256SUMS",
        b"abc  erp_2026-11-26.dump\n",
        "2026-11-26T02:00:00Z",
    );
    share.file(
        "vm/dc01/dc01-2026-10-13.vbk",
        &[7; 2048],
        "2026-10-13T22:00:00Z",
    );
    share.file(
        "vm/dc01/dc01-2026-10-14T220012.vib",
        &[7; 512],
        "2026-10-14T22:00:12Z",
    );
    // Veeam rewrites the metadata file every day, also when the job fails.
    share.file("vm/dc01/dc01.vbm", b"<BackupMeta/>", "2026-11-27T06:00:00Z");
    share.file(
        "files/daily/files_2026-11-26.tar.gz",
        &[1; 300],
        "2026-11-26T03:00:00Z",
    );
    share.file(
        "files/weekly/files_2026-11-22.tar.gz",
        &[1; 300],
        "2026-11-22T03:00:00Z",
    );
    share.file(
        "home/daily.0/alice/notes.odt",
        &[2; 300],
        "2026-11-26T04:00:00Z",
    );
    share.file(
        "home/daily.1/alice/notes.odt",
        &[2; 300],
        "2026-11-25T04:00:00Z",
    );
    share.file(
        "config/switch01.cfg",
        b"hostname switch01\n",
        "2026-11-26T05:00:00Z",
    );
    // A file from a clock set to the future: never the last success.
    share.file(
        "config/router01.cfg",
        b"hostname router01\n",
        "2099-01-01T00:00:00Z",
    );
    share.file(
        "README.txt",
        b"Backups of example GmbH\n",
        "2026-01-01T00:00:00Z",
    );
    share.file(
        "@eaDir/db/SYNOINDEX_MEDIA_INFO",
        b"x",
        "2026-11-27T00:00:00Z",
    );
    share
}

#[test]
fn backup_share_is_judged_per_series() {
    let share = nas03_share();
    let out = tempfile::tempdir().unwrap();
    let spec = format!("nas03={}", share.root.path().display());
    postura()
        .args([
            "scan",
            "--backup-dir",
            &spec,
            "--as-of",
            "2026-11-27T12:00:00Z",
        ])
        .args(["--rpo", "3d", "-f", "json,facts", "--lang", "en", "--out"])
        .arg(out.path())
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "7 backup series, 13 backups, 4 other files",
        ));
    let result = read_json(&out.path().join("postura-result.json"));
    if std::env::var_os("POSTURA_UPDATE_FIXTURES").is_some() {
        // The example of bkp-modified-in-future, with the share's path made stable.
        let facts = std::fs::read_to_string(out.path().join("postura-facts.json")).unwrap();
        let root = share.root.path().display().to_string();
        std::fs::write(
            crate::support::repo().join("fixtures/facts/backup/nas03.json"),
            facts.replace(&root, "/mnt/nas03"),
        )
        .unwrap();
    }
    let backup = &result["facts"]["hosts"][0]["backup"];
    assert_eq!(backup["not_backups"], 4, "log, SHA256SUMS, .vbm, README");
    let sets = backup["sets"].as_array().unwrap();
    assert_eq!(sets.len(), 7, "{sets:#?}");

    let mysql = set_named(sets, "db/mysql/shop_*.sql.gz");
    assert_eq!(mysql["newest"], "db/mysql/shop_2026-11-24.sql.gz");
    assert_eq!(mysql["last_success"], "2026-11-24T01:00:00Z");
    assert_eq!(
        (mysql["successful"].as_u64(), mysql["incomplete"].as_u64()),
        (Some(2), Some(2))
    );
    let postgres = set_named(sets, "db/postgres/erp_*.dump");
    assert_eq!(postgres["newest"], "db/postgres/erp_2026-11-26.dump");
    assert_eq!(postgres["incomplete"], 1);
    // The .vib is the newest member of the .vbk's chain; the .vbm does not count.
    let veeam = set_named(sets, "vm/dc01/dc01-*.vib");
    assert_eq!(veeam["successful"], 2);
    assert_eq!(veeam["last_success"], "2026-10-14T22:00:12Z");
    let files = set_named(sets, "files/daily/files_*.tar.gz");
    assert_eq!(
        (
            files["successful"].as_u64(),
            files["first_success"].as_str()
        ),
        (Some(2), Some("2026-11-22T03:00:00Z"))
    );
    let home = set_named(sets, "home/daily.*");
    assert_eq!(home["newest"], "home/daily.0");
    assert_eq!(home["successful"], 2);
    assert_eq!(set_named(sets, "config/router01.cfg")["future"], 1);
    assert_eq!(set_named(sets, "config/router01.cfg")["successful"], 0);

    let finding = |check: &str| {
        result["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check_id"] == check && f["asset"] == "nas03")
            .unwrap_or_else(|| panic!("no {check}"))
            .clone()
    };
    let stale = finding("bkp-last-success-older-than-rpo");
    assert_eq!(stale["state"], "fail");
    let evidence = stale["evidence"].to_string();
    for expected in [
        "folder db/mysql/shop_*.sql.gz: last successful backup 2026-11-24T01:00:00Z (db/mysql/shop_2026-11-24.sql.gz), 83 h",
        "folder vm/dc01/dc01-*.vib: last successful backup 2026-10-14T22:00:12Z",
        "folder config/router01.cfg: no successful backup",
    ] {
        assert!(evidence.contains(expected), "{expected} not in {evidence}");
    }
    for fresh in ["erp_", "files_", "home/", "switch01"] {
        assert!(!evidence.contains(fresh), "{fresh} is fresh: {evidence}");
    }
    assert_eq!(finding("bkp-incomplete-backups")["state"], "fail");
    let future = finding("bkp-modified-in-future");
    assert_eq!(future["state"], "fail");
    assert!(
        future["evidence"]
            .to_string()
            .contains("config/router01.cfg: 1 file(s)")
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
