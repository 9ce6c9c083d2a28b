//! Command-line behaviour without the network: input errors, checks, evaluate, schemas.

use predicates::prelude::*;

use crate::support::{postura, read_json, repo};

fn fixture(name: &str) -> String {
    repo()
        .join("fixtures/facts/exposed")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn malformed_target_is_exit_2_and_named() {
    postura()
        .args(["scan", "10.0.0.300", "--out", "/nonexistent/never"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("10.0.0.300").and(predicate::str::contains("expected")));
    postura()
        .args(["scan", "10.0.0.9-3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("10.0.0.9-3"));
}

#[test]
fn unknown_port_name_is_exit_2() {
    postura()
        .args(["scan", "127.0.0.1", "--ports", "22,sshd"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`sshd`").and(predicate::str::contains("service name")));
}

#[test]
fn bad_line_in_target_file_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("targets.txt");
    std::fs::write(&list, "# lab\n127.0.0.1\n\n127.0.0.0/40\n").unwrap();
    postura()
        .args(["scan", &format!("@{}", list.display())])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("targets.txt:4").and(predicate::str::contains("127.0.0.0/40")),
        );
}

#[test]
fn large_ranges_need_yes_and_scope_is_enforced() {
    postura()
        .args(["scan", "127.0.0.0/15"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    let dir = tempfile::tempdir().unwrap();
    let scope = dir.path().join("scope.txt");
    std::fs::write(&scope, "127.0.0.0/24\n").unwrap();
    postura()
        .args(["scan", "127.0.1.5", "--scope", scope.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("outside the scope"));
}

#[test]
fn bad_options_are_exit_2() {
    postura()
        .args(["scan", "127.0.0.1", "--timeout", "fast"])
        .assert()
        .code(2);
    postura()
        .args(["scan", "127.0.0.1", "--format", "docx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("docx"));
    postura()
        .args(["scan", "127.0.0.1", "--concurrency", "0"])
        .assert()
        .code(2);
}

#[test]
fn builtin_checks_validate() {
    postura()
        .args(["checks", "validate"])
        .assert()
        .success()
        .stdout(predicate::str::contains("checks valid"));
    postura()
        .args([
            "checks",
            "validate",
            repo().join("checks").to_str().unwrap(),
        ])
        .assert()
        .success();
}

fn write_check(dir: &std::path::Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), body).unwrap();
}

const GOOD_CHECK: &str = r#"
id: custom-http-open
control: EXP-99
family: exposed-services
severity: low
title: { de: "HTTP offen", en: "HTTP open" }
description: { de: "Port 80 offen.", en: "Port 80 open." }
remediation: { de: "Schließen.", en: "Close it." }
fail_if: 'host.ports.exists(p, p.port == 80 && p.state == "open")'
evidence: 'host.ports.filter(p, p.port == 80 && p.state == "open").map(p, string(p.port) + "/tcp open")'
examples:
  - { facts: FIXTURE, expect: fail, shows: ["80/tcp open"] }
"#;

#[test]
fn custom_check_dir_validates_and_catches_wrong_expectations() {
    let dir = tempfile::tempdir().unwrap();
    write_check(
        dir.path(),
        "ok.yaml",
        &GOOD_CHECK.replace("FIXTURE", &fixture("narrow-scan.json")),
    );
    postura()
        .args(["checks", "validate", dir.path().to_str().unwrap()])
        .assert()
        .success();
    write_check(
        dir.path(),
        "ok.yaml",
        &GOOD_CHECK.replace("FIXTURE", &fixture("clean.json")),
    );
    postura()
        .args(["checks", "validate", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("expected `fail`").and(predicate::str::contains("got `pass`")),
        );
}

#[test]
fn misspelt_field_fails_validation() {
    let dir = tempfile::tempdir().unwrap();
    let body = GOOD_CHECK
        .replace("FIXTURE", &fixture("narrow-scan.json"))
        .replace("p.port == 80", "p.prot == 80");
    write_check(dir.path(), "typo.yaml", &body);
    postura()
        .args(["checks", "validate", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("prot"));
}

#[test]
fn broken_check_files_are_exit_2_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    write_check(dir.path(), "broken.yaml", "id: x\nfamily: [unclosed\n");
    postura()
        .args(["checks", "list", "--checks", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.yaml"));

    let dir = tempfile::tempdir().unwrap();
    write_check(
        dir.path(),
        "cel.yaml",
        &GOOD_CHECK
            .replace("FIXTURE", "x.json")
            .replace("p.port == 80", "p.port == "),
    );
    postura()
        .args([
            "evaluate",
            &fixture("clean.json"),
            "--checks",
            dir.path().to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("cel.yaml")
                .and(predicate::str::contains("not a valid CEL expression")),
        );

    let dir = tempfile::tempdir().unwrap();
    write_check(
        dir.path(),
        "a.yaml",
        &GOOD_CHECK.replace("FIXTURE", "x.json"),
    );
    write_check(
        dir.path(),
        "b.yaml",
        &GOOD_CHECK.replace("FIXTURE", "x.json"),
    );
    postura()
        .args(["checks", "list", "--checks", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("duplicate check id"));

    let dir = tempfile::tempdir().unwrap();
    write_check(
        dir.path(),
        "fam.yaml",
        &GOOD_CHECK
            .replace("FIXTURE", "x.json")
            .replace("exposed-services", "plumbing"),
    );
    postura()
        .args(["checks", "list", "--checks", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("plumbing").and(predicate::str::contains("expected one of")),
        );
}

#[test]
fn evaluate_judges_saved_facts_and_gates() {
    let out = tempfile::tempdir().unwrap();
    postura()
        .args([
            "evaluate",
            &fixture("rdp-open.json"),
            "--out",
            out.path().to_str().unwrap(),
            "--lang",
            "en",
            "--fail-on",
            "critical",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("exp-rdp-exposed"));
    let result = read_json(&out.path().join("postura-result.json"));
    assert_eq!(result["schema_version"], 2);
    assert_eq!(
        crate::support::finding_state(&result, "exp-rdp-exposed", "192.0.2.10"),
        "fail"
    );
    assert_eq!(
        crate::support::finding_state(&result, "exp-redis-no-auth", "192.0.2.10"),
        "not_applicable"
    );
    assert_eq!(result["scores"]["grade"]["letter"], "D");
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    assert!(html.contains("RDP (Remote Desktop) reachable"));
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());

    postura()
        .args([
            "evaluate",
            &fixture("clean.json"),
            "--out",
            out.path().to_str().unwrap(),
            "--fail-on",
            "low",
            "-q",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
}

#[test]
fn evaluate_rejects_malformed_facts_with_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("facts.json");
    std::fs::write(
        &bad,
        "{\n  \"schema_version\": 1,\n  \"hosts\": [ {\"address\": \"nope\"} ]\n}\n",
    )
    .unwrap();
    postura()
        .args([
            "evaluate",
            bad.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("facts.json:").and(predicate::str::contains(":3:")));
}

#[test]
fn german_report_by_default() {
    let out = tempfile::tempdir().unwrap();
    postura()
        .args([
            "evaluate",
            &fixture("redis-no-auth.json"),
            "--out",
            out.path().to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Note"));
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    assert!(html.contains("lang=\"de\""));
    assert!(html.contains("Redis ohne Authentisierung"));
    assert!(html.contains("Management-Zusammenfassung"));
}

#[test]
fn committed_schemas_are_current() {
    for (doc, file) in [
        ("facts", "facts.schema.json"),
        ("result", "result.schema.json"),
        ("check", "check.schema.json"),
        ("attestations", "attestations.schema.json"),
        ("baseline", "baseline.schema.json"),
        ("manifest", "manifest.schema.json"),
        ("waivers", "waivers.schema.json"),
    ] {
        let output = postura().args(["schema", doc]).output().unwrap();
        assert!(output.status.success());
        let committed = std::fs::read_to_string(repo().join("schemas").join(file)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            committed,
            "schemas/{file} is stale: run scripts/gen-docs"
        );
    }
    let man = postura().arg("man").output().unwrap();
    let committed = std::fs::read_to_string(repo().join("doc/postura.1")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&man.stdout),
        committed,
        "doc/postura.1 is stale: run scripts/gen-docs"
    );
    let catalogue = postura()
        .args(["checks", "list", "--markdown", "--lang", "en"])
        .output()
        .unwrap();
    let committed = std::fs::read_to_string(repo().join("docs/checks.md")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&catalogue.stdout),
        committed,
        "docs/checks.md is stale: run scripts/gen-docs"
    );
}

#[test]
fn completions_and_man_page() {
    postura()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("postura"));
    postura()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH postura"));
}

#[test]
fn unwritable_output_is_exit_3() {
    postura()
        .args([
            "evaluate",
            &fixture("clean.json"),
            "--out",
            "/proc/postura-cannot-write",
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("/proc/postura-cannot-write"));
}

#[test]
fn ipv6_loopback_scan() {
    let out = tempfile::tempdir().unwrap();
    postura()
        .args([
            "scan",
            "::1",
            "--ports",
            "1-50",
            "-q",
            "-f",
            "facts",
            "--out",
            out.path().to_str().unwrap(),
        ])
        .assert()
        .success();
    let facts = read_json(&out.path().join("postura-facts.json"));
    assert_eq!(facts["hosts"][0]["address"], "::1");
    assert_eq!(facts["hosts"][0]["scanned_ports"], "1-50");
}

#[test]
fn tls_profile_is_validated_and_recorded() {
    postura()
        .args(["scan", "127.0.0.1", "--tls-profile", "nist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nist").and(predicate::str::contains("bsi-tr-02102-2")));
    let out = tempfile::tempdir().unwrap();
    postura()
        .args([
            "evaluate",
            &fixture("clean.json"),
            "-q",
            "--tls-profile",
            "bsi-tr-02102-2",
            "--out",
            out.path().to_str().unwrap(),
        ])
        .assert()
        .success();
    let result = read_json(&out.path().join("postura-result.json"));
    assert_eq!(result["tls_profile"], "bsi-tr-02102-2 2026-01");
}

#[test]
fn broken_evidence_fails_validation() {
    let dir = tempfile::tempdir().unwrap();
    let body = GOOD_CHECK
        .replace("FIXTURE", &fixture("narrow-scan.json"))
        .replace(
            "evidence: 'host.ports.filter(p, p.port == 80 && p.state == \"open\").map(p, string(p.port) + \"/tcp open\")'",
            "evidence: 'host.ports.map(p, p.nope)'",
        );
    assert!(body.contains("p.nope"));
    write_check(dir.path(), "evidence.yaml", &body);
    postura()
        .args(["checks", "validate", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`evidence` does not evaluate"));
}

/// The manual items of the result, as controls.
fn manual_controls(result: &serde_json::Value) -> Vec<String> {
    result["manual"]
        .as_array()
        .expect("manual")
        .iter()
        .map(|m| {
            assert_eq!(m["state"], "not_assessed", "{m}");
            m["control"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn manual_items_are_listed_for_judged_families_and_never_scored() {
    let out = tempfile::tempdir().unwrap();
    let assert = postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/backup"))
        .args(["--as-of", "2026-11-27T12:00:00Z", "--evidence-tz", "UTC"])
        .args(["-f", "json,html", "--lang", "de", "--out"])
        .arg(out.path())
        .assert()
        .code(0);
    let summary = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let result = read_json(&out.path().join("postura-result.json"));
    // Only the backup family was judged: its manual items and the organisational ones, none
    // of firewall or encryption.
    assert_eq!(
        manual_controls(&result),
        [
            "BKP-01", "BKP-04", "BKP-06", "BKP-08", "BKP-09", "ORG-01", "ORG-02", "ORG-03"
        ]
    );
    let manual_ids: Vec<&str> = result["manual"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["check_id"].as_str().unwrap())
        .collect();
    // Never a finding, never a line of the score.
    for finding in result["findings"].as_array().unwrap() {
        assert!(!manual_ids.contains(&finding["check_id"].as_str().unwrap()));
    }
    for item in result["scores"]["checks"].as_array().unwrap() {
        assert!(!manual_ids.contains(&item["check_id"].as_str().unwrap()));
    }
    assert!(
        summary.contains("Manuell zu prüfende Punkte (8, nicht bewertet): offen BKP-01, BKP-04"),
        "{summary}"
    );
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    assert!(html.contains(r#"<section id="manual">"#));
    assert!(html.contains("Protokoll des letzten Wiederherstellungstests"));
    assert!(!html.contains("Request the record of the last restore test"));

    // An identity-only run lists no backup, firewall or encryption items; the organisational
    // ones are listed in every run.
    let result = crate::support::judge_evidence(&repo().join("fixtures/evidence/mfa"), &[]);
    assert_eq!(manual_controls(&result), ["ORG-01", "ORG-02", "ORG-03"]);
}

const MANUAL_ITEM: &str = r#"
id: custom-dr-exercise
control: BKP-99
family: backup
severity: medium
title: { de: "Notfallübung", en: "Disaster recovery exercise" }
description: { de: "Keine Übung.", en: "No exercise." }
remediation: { de: "Üben.", en: "Hold one." }
attestation: { de: "Protokoll der letzten Übung zeigen lassen.", en: "Have the record of the last exercise shown." }
"#;

#[test]
fn user_manual_items_are_listed_and_malformed_ones_named() {
    let dir = tempfile::tempdir().unwrap();
    write_check(dir.path(), "dr.yaml", MANUAL_ITEM);
    postura()
        .args(["checks", "validate", dir.path().to_str().unwrap()])
        .assert()
        .success();
    let result = crate::support::judge_evidence(
        &repo().join("fixtures/evidence/backup"),
        &[
            "--checks",
            dir.path().to_str().unwrap(),
            "--as-of",
            "2026-11-27T12:00:00Z",
        ],
    );
    assert!(manual_controls(&result).contains(&"BKP-99".to_owned()));

    // A manual item has no condition; a check without one is not a manual item either.
    write_check(
        dir.path(),
        "dr.yaml",
        &format!("{MANUAL_ITEM}fail_if: 'true'\n"),
    );
    postura()
        .args(["checks", "list", "--checks", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("dr.yaml")
                .and(predicate::str::contains("`fail_if` does not belong")),
        );
    write_check(
        dir.path(),
        "dr.yaml",
        &MANUAL_ITEM.replace("attestation:", "comment:"),
    );
    postura()
        .args(["checks", "list", "--checks", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field"));
    let without = MANUAL_ITEM
        .lines()
        .filter(|l| !l.starts_with("attestation"))
        .collect::<Vec<_>>()
        .join("\n");
    write_check(dir.path(), "dr.yaml", &without);
    postura()
        .args(["checks", "list", "--checks", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`fail_if` is missing"));
}

const ANSWERS: &str = r#"# answers from the interview
- item: BKP-04
  met: false
  by: "M. Berger, head of IT"
  date: 2026-11-20
  note: "last restore test 2025-12, no record"
- item: fw-flat-network
  met: true
  by: "S. Kaya"
  date: 2026-11-21
"#;

#[test]
fn attestations_answer_manual_items_and_never_change_the_score() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.yaml");
    std::fs::write(&answers, ANSWERS).unwrap();
    let evidence = repo().join("fixtures/evidence/backup");
    let clock = ["--as-of", "2026-11-27T12:00:00Z", "--evidence-tz", "UTC"];
    let plain = crate::support::judge_evidence(&evidence, &clock);
    let out = tempfile::tempdir().unwrap();
    postura()
        .args(["scan", "--evidence"])
        .arg(&evidence)
        .args(clock)
        .arg("--attestations")
        .arg(&answers)
        .args(["-q", "-f", "json,html", "--lang", "en", "--out"])
        .arg(out.path())
        .assert()
        .code(0);
    let answered = read_json(&out.path().join("postura-result.json"));
    assert_eq!(answered["scores"], plain["scores"]);
    assert_eq!(answered["findings"], plain["findings"]);
    let item = |result: &serde_json::Value, control: &str| {
        result["manual"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["control"] == control)
            .cloned()
    };
    let restore = item(&answered, "BKP-04").expect("BKP-04");
    assert_eq!(restore["state"], "not_assessed");
    assert_eq!(restore["attestation"]["met"], false);
    assert_eq!(restore["attestation"]["date"], "2026-11-20");
    assert!(
        restore["attestation"]["source"]
            .as_str()
            .unwrap()
            .ends_with("answers.yaml:2")
    );
    // An answered item is listed even where its family was not judged.
    assert!(item(&plain, "FW-08").is_none());
    assert_eq!(
        item(&answered, "FW-08").unwrap()["attestation"]["met"],
        true
    );
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    assert!(html.contains("not met according to M. Berger, head of IT, 2026-11-20: last restore test 2025-12, no record"));

    // Answers are for manual items only, and every mistake is named with its line.
    for (bad, expected) in [
        (
            "- item: BKP-05\n  met: true\n  by: x\n  date: 2026-11-20\n",
            ":1: `BKP-05` is decided from evidence",
        ),
        (
            "- item: BKP-04\n  met: true\n  by: x\n  date: 20.11.2026\n",
            ":1: `date` `20.11.2026` is not a date",
        ),
        (
            "- item: BKP-04\n  met: maybe\n  by: x\n  date: 2026-11-20\n",
            ":2: invalid boolean",
        ),
        (
            "- item: BKP-04\n  met: true\n  by: x\n  when: 2026-11-20\n",
            ":4: unknown field `when`",
        ),
        (
            "- item: bkp-nope\n  met: true\n  by: x\n  date: 2026-11-20\n",
            "`bkp-nope` is not a manual item",
        ),
    ] {
        std::fs::write(&answers, bad).unwrap();
        postura()
            .args(["evaluate", &fixture("clean.json"), "--attestations"])
            .arg(&answers)
            .args(["--out"])
            .arg(out.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
    }
}

/// The vocabulary of check files is closed: a misspelt family, asset, reference key or ZTMM
/// stage is named with its file and line, a check must sit in its family's folder, and a
/// control from another family's catalogue needs `control_family`.
#[test]
fn check_vocabulary_typos_and_misplaced_files_are_named() {
    let good = GOOD_CHECK.replace("FIXTURE", "x.json");
    for (wrong, named) in [
        (
            good.replace("family: exposed-services", "family: exposed-service"),
            "line 4",
        ),
        (
            good.replace("severity: low", "severity: low\nasset: hots"),
            "unknown variant `hots`",
        ),
        (
            good.replace(
                "severity: low",
                "severity: low\nreferences: { gdrp: [\"32\"] }",
            ),
            "unknown variant `gdrp`",
        ),
        (
            good.replace(
                "severity: low",
                "severity: low\nztmm: { pillar: networks, function: segmentation, stage: intial }",
            ),
            "unknown variant `intial`",
        ),
        (
            good.replace("control: EXP-99", "control: ENC-99"),
            "control_family",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_check(dir.path(), "custom.yaml", &wrong);
        postura()
            .args(["checks", "list", "--checks", dir.path().to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("custom.yaml").and(predicate::str::contains(named)));
    }
    // In a family folder, the folder must be the family; the former `tls` folder still holds
    // transport-encryption checks.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("firewall")).unwrap();
    write_check(&dir.path().join("firewall"), "custom.yaml", &good);
    postura()
        .args(["checks", "list", "--checks", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("folder `firewall`"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("tls")).unwrap();
    let tls = good
        .replace("family: exposed-services", "family: tls")
        .replace("control: EXP-99", "control: TLS-99");
    write_check(&dir.path().join("tls"), "custom.yaml", &tls);
    postura()
        .args(["checks", "list", "--checks", dir.path().to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("transport-encryption"));
}

/// A failing example names the offending values its evidence must show; `checks validate`
/// fails when it names none or when the evidence does not show them.
#[test]
fn failing_examples_must_show_their_evidence() {
    let fixture_path = fixture("narrow-scan.json");
    for (body, message) in [
        (
            GOOD_CHECK.replace(", shows: [\"80/tcp open\"]", ""),
            "add `shows",
        ),
        (
            GOOD_CHECK.replace("80/tcp open\"]", "8080/tcp open\"]"),
            "does not show `8080/tcp open`",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_check(
            dir.path(),
            "c.yaml",
            &body.replace("FIXTURE", &fixture_path),
        );
        postura()
            .args(["checks", "validate", dir.path().to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

/// A folder in which no file is evidence postura reads assessed nothing: exit 4, said in one
/// line, with the reports written. With one used file the same run is a pass.
#[test]
fn a_run_that_assessed_nothing_is_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.txt"), "Notizen zum Termin\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    postura()
        .args(["scan", "--evidence", dir.path().to_str().unwrap(), "--out"])
        .arg(out.path())
        .assert()
        .code(4)
        .stderr(predicate::str::contains("nothing was assessed"));
    assert!(out.path().join("postura-result.json").exists());
    std::fs::copy(
        repo().join("fixtures/evidence/mfa/hosts/bastion/sshd-T.txt"),
        dir.path().join("sshd-T.txt"),
    )
    .unwrap();
    postura()
        .args([
            "scan",
            "--evidence",
            dir.path().to_str().unwrap(),
            "-q",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
}

/// The readability check every test run passes through catches what reports must never show.
#[test]
fn readability_check_catches_debug_output_byte_lists_and_epoch_seconds() {
    for bad in [
        "443/tcp invalid peer certificate: UnsupportedSignatureAlgorithmContext { signature_algorithm_id: [6, 9, 42] }",
        "443/tcp signature [6, 9, 42, 134] not accepted",
        "443/tcp certificate expired: verification time 1796130431 (UNIX)",
    ] {
        let result = serde_json::json!({"findings": [{"evidence": [bad]}]});
        let caught = std::panic::catch_unwind(|| crate::support::assert_readable_findings(&result));
        assert!(caught.is_err(), "not caught: {bad}");
    }
    let fine = serde_json::json!({"findings": [{"evidence": [
        "443/tcp expired: valid until 2026-09-21T14:13:20Z, checked at 2026-12-01T13:07:11Z",
        "aws:123456789012 root password last used 2026-11-02"
    ]}]});
    crate::support::assert_readable_findings(&fine);
}
