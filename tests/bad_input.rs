//! Bad input, the way people type and files get cut: every case exits 2 with a message that
//! names what was wrong and what was expected (with file and line where there is a file), and
//! where evidence is bad the rest is still judged and reported.

use std::path::Path;

use crate::support::{postura, read_json, repo};

/// Runs `postura scan ARGS` and asserts exit 2 with every `expected` part on stderr.
fn rejected(args: &[&str], expected: &[&str]) -> String {
    let out = tempfile::tempdir().unwrap();
    let assert = postura()
        .arg("scan")
        .args(args)
        .args(["-q", "--out"])
        .arg(out.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for part in expected {
        assert!(stderr.contains(part), "{args:?}: `{part}` not in {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn bad_targets_ports_and_options() {
    for target in [
        "300.1.1.1",
        "10.0.0.0/33",
        "host..example",
        "127.0.0.1:99999",
        "[::1",
        "::1]",
        "a b",
        "10.0.0.1-10.0.0.0",
        "10.0.0.1-300",
        "-",
    ] {
        rejected(
            &[target],
            &[&format!("target `{target}` is not valid: expected")],
        );
    }
    for ports in [
        "0",
        "70000",
        "1-",
        "5-1",
        "abc",
        "1,,2",
        "top0",
        "22,http,nosuchservice",
    ] {
        rejected(
            &["127.0.0.1", "--ports", ports],
            &["port list item", "is not valid: expected"],
        );
    }
    for (option, value, expected) in [
        ("--concurrency", "0", "expected at least 1"),
        ("--timeout", "abc", "is not a duration: expected"),
        ("--profile", "wild", "possible values"),
        ("--fail-on", "bogus", "possible values"),
        ("--rpo", "3x", "is not a duration: expected"),
        ("--rpo", "db=", "is not a duration: expected"),
        ("--as-of", "yesterday", "is not a time: expected"),
        ("--evidence-tz", "Mars/Base", "is not a known time zone"),
        ("--lang", "fr", "possible values"),
        ("-f", "pdfx", "is not a known format: expected"),
        (
            "--checks",
            "/nonexistent/checks",
            "cannot read /nonexistent/checks",
        ),
        (
            "--attestations",
            "/nonexistent/a.yaml",
            "cannot read /nonexistent/a.yaml",
        ),
        (
            "--scope",
            "/nonexistent/scope.txt",
            "cannot read /nonexistent/scope.txt",
        ),
        (
            "--evidence",
            "/nonexistent/evidence",
            "expected a folder of evidence files",
        ),
        ("--ca-file", "/nonexistent/ca.pem", "/nonexistent/ca.pem"),
    ] {
        rejected(&["127.0.0.1", option, value], &[expected]);
    }
}

/// Writes `text` to `name` in `dir` and returns the path as a string.
fn file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn bad_lines_in_files_are_named_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let targets = file(d, "targets.txt", "127.0.0.1\n# a comment\n300.1.1.1\n");
    rejected(
        &[&format!("@{targets}")],
        &[&format!("{targets}:3:"), "300.1.1.1"],
    );
    let scope = file(d, "scope.txt", "10.0.0.0/8\nbad/99\n");
    rejected(&["127.0.0.1", "--scope", &scope], &[&format!("{scope}:2:")]);
    for (name, text, line) in [
        (
            "unknown-item.yaml",
            "- item: nope\n  met: true\n  by: x\n  date: 2026-01-01\n",
            1,
        ),
        (
            "bad-date.yaml",
            "- item: fw-flat-network\n  met: true\n  by: x\n  date: someday\n",
            1,
        ),
        (
            "twice.yaml",
            "- item: fw-flat-network\n  met: true\n  by: x\n  date: 2026-01-01\n- item: fw-flat-network\n  met: false\n  by: y\n  date: 2026-01-02\n",
            5,
        ),
        ("not-a-list.yaml", "item: fw-flat-network\n", 1),
    ] {
        let path = file(d, name, text);
        rejected(
            &["127.0.0.1", "--attestations", &path],
            &[&format!("{path}:{line}")],
        );
    }
    let good =
        std::fs::read_to_string(repo().join("checks/firewall/fw-flat-network.yaml")).unwrap();
    let judged = std::fs::read_to_string(repo().join("checks/mfa/ssh-single-factor.yaml")).unwrap();
    assert!(judged.contains("assessable_if: 'has(host.sshd)'"));
    for (name, text, line) in [
        (
            "family.yaml",
            good.replace("family: firewall", "family: nope"),
            3,
        ),
        (
            "severity.yaml",
            good.replace("severity: ", "severity: extreme #"),
            4,
        ),
        ("yaml.yaml", format!("{good}\n  : : :\n"), 0),
        (
            "cel.yaml",
            judged.replace(
                "assessable_if: 'has(host.sshd)'",
                "assessable_if: 'has(host.sshd'",
            ),
            0,
        ),
    ] {
        let checks = d.join(format!("checks-{name}"));
        let path = file(&checks, name, &text);
        let stderr = rejected(
            &["127.0.0.1", "--checks", checks.to_str().unwrap()],
            &[&path],
        );
        if line > 0 {
            assert!(
                stderr.contains(&format!("{path}:{line}"))
                    || stderr.contains(&format!("line {line} ")),
                "{name}: line {line} in {stderr}"
            );
        }
    }
}

/// Every JSON and CSV export of the fixtures cut in the middle, beside a good `sshd -T`: the cut
/// file is named with its line, the good one is still judged and the reports are written.
#[test]
fn evidence_cut_at_random_places_loses_nothing_else() {
    let mut cases = 0;
    for entry in walkdir::WalkDir::new(repo().join("fixtures/evidence")) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().is_file() || !(name.ends_with(".json") || name.ends_with(".csv")) {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        // A cut where a JSON string or a CSV row is open: half-way, then back to a quote.
        let mut cut = bytes.len() / 2;
        while cut > 1 && bytes[cut - 1] != b'"' {
            cut -= 1;
        }
        let dir = tempfile::tempdir().unwrap();
        let host = dir.path().join("web01");
        std::fs::create_dir_all(&host).unwrap();
        std::fs::write(host.join(&name), &bytes[..cut]).unwrap();
        std::fs::copy(
            repo().join("fixtures/evidence/mfa/hosts/web01/sshd-T.txt"),
            host.join("sshd-T.txt"),
        )
        .unwrap();
        let out = tempfile::tempdir().unwrap();
        let assert = postura()
            .args(["scan", "--evidence"])
            .arg(dir.path())
            .args(["-q", "-f", "json,html", "--lang", "en", "--out"])
            .arg(out.path())
            .assert();
        let output = assert.get_output();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let code = output.status.code();
        // A cut that still reads as a shorter, valid export is fine; anything else is exit 2.
        assert!(matches!(code, Some(0 | 2)), "{name}: {code:?} {stderr}");
        if code == Some(2) {
            assert!(
                stderr.contains(&format!("web01/{name}:")),
                "{name}: the file and its line are named: {stderr}"
            );
        }
        let result = read_json(&out.path().join("postura-result.json"));
        let files = result["facts"]["evidence_files"].to_string();
        assert!(files.contains("\"web01/sshd-T.txt\""), "{name}");
        assert!(
            result["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["check_id"] == "ssh-password-authentication" && f["state"] == "fail"),
            "{name}: the good file is still judged"
        );
        assert!(out.path().join("postura-report.html").exists());
        cases += 1;
    }
    assert!(cases >= 20, "{cases} exports cut");
}

/// A manifest that does not parse, or names no host, or an RPO that is no duration: named
/// with its line, and its folder's files are still placed (by the folder) and judged.
#[test]
fn broken_manifests_are_named_with_their_line() {
    let sshd = std::fs::read_to_string(repo().join("fixtures/evidence/mfa/hosts/web01/sshd-T.txt"))
        .unwrap();
    for (folder, manifest, line, expected) in [
        (
            "alpha",
            "{\n  \"host\": \"alpha\",\n",
            3,
            "not the expected JSON",
        ),
        (
            "beta",
            "{\n  \"host\": \"beta\",\n  \"rpo\": \"often\"\n}\n",
            3,
            "is not a duration",
        ),
        ("gamma", "{\n  \"host\": \"\"\n}\n", 2, "must name the host"),
        ("delta", "[\"delta\"]\n", 1, "a manifest is {\"host\""),
    ] {
        let dir = tempfile::tempdir().unwrap();
        file(&dir.path().join(folder), "postura-manifest.json", manifest);
        file(&dir.path().join(folder), "sshd-T.txt", &sshd);
        let out = tempfile::tempdir().unwrap();
        let assert = postura()
            .args(["scan", "--evidence"])
            .arg(dir.path())
            .args(["-q", "-f", "json", "--lang", "en", "--out"])
            .arg(out.path())
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(
            stderr.contains(&format!("{folder}/postura-manifest.json:{line}:"))
                && stderr.contains(expected),
            "{folder}: {stderr}"
        );
        let result = read_json(&out.path().join("postura-result.json"));
        assert!(
            result["findings"].as_array().unwrap().iter().any(|f| {
                f["check_id"] == "ssh-password-authentication"
                    && f["state"] == "fail"
                    && f["asset"] == folder
            }),
            "{folder}: the sshd export is judged, placed by its folder"
        );
    }
}
