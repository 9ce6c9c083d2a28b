//! Baselines end to end: broken baseline files named with their line, the
//! IT-Grundschutz-Check CSV read back with a CSV parser, attestations of rows, and the baseline
//! sections of the HTML report.

use std::path::Path;

use crate::support::{postura, read_json, repo};

const AS_OF: &str = "2026-12-01T08:00:00Z";

fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const HEAD: &str = "id: mine\nkind: requirements\nstatus: final\ntitle: { de: \"Meine\" }\nshort_title: { de: \"M\" }\nversion: \"1\"\npublisher: \"wir\"\nsource: \"intern\"\ntotal: { count: 5, counts: rows, unit: { de: Punkte, en: items } }\n";

#[test]
fn broken_baseline_files_are_named_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    for (name, body, line, expected) in [
        (
            "unknown-check.yaml",
            "rows:\n  - id: A1\n    title: { de: eins }\n    checks: [tls-cert-expired]\n  - id: A2\n    title: { de: zwei }\n    checks: [no-such-check]\n",
            Some(14),
            "names check `no-such-check`, which does not exist",
        ),
        (
            "twice.yaml",
            "rows:\n  - { id: A1, title: { de: eins } }\n  - { id: A1, title: { de: zwei } }\n",
            Some(12),
            "row `A1` is listed twice",
        ),
        (
            "stages.yaml",
            "rows:\n  - { id: A1, title: { de: eins }, stages: { initial: [tls-cert-expired] } }\n",
            Some(11),
            "only a maturity baseline has",
        ),
        (
            "total.yaml",
            "rows:\n  - { id: A1, title: { de: a } }\n  - { id: A2, title: { de: b } }\n  - { id: A3, title: { de: c } }\n  - { id: A4, title: { de: d } }\n  - { id: A5, title: { de: e } }\n  - { id: A6, title: { de: f } }\n",
            None,
            "`total.count` 5 is smaller than the 6",
        ),
        ("yaml.yaml", "rows: [\n", None, "yaml.yaml"),
    ] {
        let folder = dir.path().join(name.trim_end_matches(".yaml"));
        let path = write(&folder, name, &format!("{HEAD}{body}"));
        for args in [
            vec!["baselines", "validate", folder.to_str().unwrap()],
            vec![
                "scan",
                "--evidence",
                repo().join("fixtures/evidence/mfa").to_str().unwrap(),
                "--baselines",
                folder.to_str().unwrap(),
            ],
        ] {
            let output = postura().args(&args).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
            let at = line.map_or(path.clone(), |l| format!("{path}:{l}"));
            assert!(
                stderr.contains(&at) && stderr.contains(expected),
                "{name}: expected `{at}` and `{expected}` in {stderr}"
            );
        }
    }
}

#[test]
fn a_check_that_disagrees_with_the_baselines_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string(repo().join("checks/mfa/ssh-password-authentication.yaml"))
            .unwrap();
    let path = write(
        &dir.path().join("mfa"),
        "ssh-password-authentication.yaml",
        &format!("{original}references:\n  gdpr: [\"33\"]\n"),
    );
    let output = postura()
        .args(["baselines", "validate", "--checks"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&path) && stderr.contains("baseline `dsgvo`"),
        "{stderr}"
    );
    // Written as the baseline says, it is accepted.
    std::fs::write(
        &path,
        format!("{original}references:\n  gdpr: [\"32(1)(b)\"]\n"),
    )
    .unwrap();
    postura()
        .args(["baselines", "validate", "--checks"])
        .arg(dir.path())
        .assert()
        .success();
}

const ANSWERS: &str = r#"
- item: "bsi-grundschutz-2023:CON.3.A13"
  not_required: true
  by: "M. Berger, IT-Leitung"
  date: 2026-11-20
  note: "Keine Sicherung verlässt das Haus; =SUMME(A1) ist kein Befehl"
- item: ORG-01
  met: true
  by: "M. Berger, IT-Leitung"
  date: 2026-11-20
- item: "cisa-ztmm-2.0:identity/authentication"
  met: true
  by: "M. Berger, IT-Leitung"
  date: 2026-11-20
"#;

/// Runs the mixed evidence folder with the answers above into `out`.
fn judge_mixed(out: &Path, extra: &[&str]) -> std::process::Output {
    let answers = write(out, "answers.yaml", ANSWERS);
    postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/mixed"))
        .args([
            "--as-of",
            AS_OF,
            "--evidence-tz",
            "UTC",
            "--attestations",
            &answers,
        ])
        .args(["-f", "json,html,grundschutz-check", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn grundschutz_check_csv_opens_as_a_spreadsheet_and_reads_back() {
    let out = tempfile::tempdir().unwrap();
    let run = judge_mixed(out.path(), &["--lang", "en"]);
    assert!(
        run.status.code() == Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bytes = std::fs::read(out.path().join("postura-grundschutz-check.csv")).unwrap();
    // Excel and LibreOffice in a German locale: UTF-8 with BOM, `;`, CRLF.
    assert!(bytes.starts_with(&[0xef, 0xbb, 0xbf]));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "Baustein",
            "Anforderung",
            "Titel",
            "Stufe",
            "Umsetzungsstatus",
            "Begründung/Nachweis",
            "Prüfungen"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let result = read_json(&out.path().join("postura-result.json"));
    let baseline = result["baselines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "bsi-grundschutz-2023")
        .unwrap();
    assert_eq!(records.len(), baseline["rows"].as_array().unwrap().len());
    let row = |id: &str| records.iter().find(|r| &r[1] == id).unwrap().clone();
    // Attested as not required, with its reason; the reason cannot run as a formula.
    let con_3_a13 = row("CON.3.A13");
    assert_eq!(&con_3_a13[4], "entbehrlich");
    assert!(con_3_a13[5].starts_with("Entbehrlich laut M. Berger"));
    assert_eq!(&con_3_a13[3], "erhöht");
    assert_eq!(&con_3_a13[0], "CON.3 Datensicherungskonzept");
    // Disk encryption fails on app01 and app02: "nein", naming the check and the assets.
    let sys_1_1_a34 = row("SYS.1.1.A34");
    assert_eq!(&sys_1_1_a34[4], "nein");
    assert!(
        sys_1_1_a34[5].contains("enc-volume-unencrypted (app01, app02)"),
        "{:?}",
        &sys_1_1_a34[5]
    );
    // Every status is one a Grundschutz-Check knows.
    for record in &records {
        assert!(
            ["ja", "teilweise", "nein", "nicht geprüft", "entbehrlich"].contains(&&record[4]),
            "{record:?}"
        );
    }
    // The attested manual item shows in its requirement's reason.
    assert!(row("DER.2.1.A4")[5].contains("ORG-01 erfüllt laut M. Berger"));
}

#[test]
fn baseline_sections_of_the_html_report() {
    let out = tempfile::tempdir().unwrap();
    let run = judge_mixed(
        out.path(),
        &[
            "--lang",
            "de",
            "--report-baselines",
            "dsgvo,cisa-ztmm-2.0,cis-controls-v8",
        ],
    );
    assert_eq!(run.status.code(), Some(0));
    let summary = String::from_utf8_lossy(&run.stdout);
    assert!(summary.contains("Baselines:\n  DSGVO "), "{summary}");
    assert!(summary.contains("  CIS Controls v8 "), "{summary}");
    assert!(!summary.contains("IT-Grundschutz 2023"), "{summary}");
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    let mut sections = String::new();
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<section id=\"baseline-") {
        let end = start + rest[start..].find("</section>").unwrap() + "</section>".len();
        sections.push_str(&rest[start..end]);
        sections.push('\n');
        rest = &rest[end..];
    }
    assert!(sections.contains("Technische Indizien zur DSGVO"));
    assert!(!sections.to_lowercase().contains("konform "));
    crate::support::snapshot_settings()
        .bind(|| insta::assert_snapshot!("baseline-sections-de", sections));

    let unknown = postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/mixed"))
        .args(["--report-baselines", "dsgvo,nist-800-53"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("`nist-800-53` is not a baseline"));
}

/// The severity of each failed finding of `check`, by asset.
fn severities(result: &serde_json::Value, check: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"] == check && f["state"] == "fail")
        .map(|f| {
            (
                f["asset"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

/// `enc-volume-unencrypted` (high) fails on app01 and app02 of the mixed folder. At "hoch" a
/// high stays high (the default scale stops there); at "sehr hoch" it is critical: the grade
/// is capped at D, `--fail-on critical` fails, and the finding says why.
#[test]
fn schutzbedarf_scales_severity_scores_caps_and_the_gate() {
    let mixed = repo().join("fixtures/evidence/mixed");
    let run = |extra: &[&str]| {
        let out = tempfile::tempdir().unwrap();
        let output = postura()
            .args(["scan", "--evidence"])
            .arg(&mixed)
            .args([
                "--as-of",
                AS_OF,
                "--lang",
                "en",
                "-f",
                "json",
                "--fail-on",
                "critical",
            ])
            .arg("--out")
            .arg(out.path())
            .args(extra)
            .output()
            .unwrap();
        let result = read_json(&out.path().join("postura-result.json"));
        (output, result)
    };
    let (plain, normal) = run(&[]);
    assert_eq!(plain.status.code(), Some(0));
    assert_eq!(
        severities(&normal, "enc-volume-unencrypted"),
        [
            ("app01".into(), "high".into()),
            ("app02".into(), "high".into())
        ]
    );
    let (raised, result) = run(&[
        "--schutzbedarf",
        "hoch",
        "--schutzbedarf",
        "APP0[1]=sehr-hoch",
    ]);
    assert_eq!(
        raised.status.code(),
        Some(1),
        "the critical failure fails the gate"
    );
    assert_eq!(
        severities(&result, "enc-volume-unencrypted"),
        [
            ("app01".into(), "critical".into()),
            ("app02".into(), "high".into())
        ]
    );
    let item = result["scores"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check_id"] == "enc-volume-unencrypted")
        .unwrap();
    assert_eq!(item["schutzbedarf"], "sehr-hoch");
    assert_eq!(item["weight"], 8);
    let caps = result["scores"]["grade"]["caps"].to_string();
    assert!(
        caps.contains("critical-fail") && caps.contains("enc-volume-unencrypted"),
        "{caps}"
    );
    let summary = String::from_utf8_lossy(&raised.stdout);
    assert!(
        summary.contains("[critical] enc-volume-unencrypted       app01")
            && summary.contains("(Schutzbedarf (protection needs) sehr-hoch)"),
        "{summary}"
    );
    // A check's own table beats the default scale: TLS 1.3 missing stays low at "hoch".
    let checks = postura()
        .args(["checks", "show", "tls13-not-offered"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&checks.stdout).contains("hoch: low"));
}

/// A manifest's `schutzbedarf` and `rpo` apply to its host; `--rpo` and `--schutzbedarf`
/// take the same selectors (exact, any case, or a glob) and beat the manifest.
#[test]
fn manifests_and_selectors_set_schutzbedarf_and_rpo() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&repo().join("fixtures/evidence/backup"), dir.path());
    write(
        &dir.path().join("hosts/db02"),
        "postura-manifest.json",
        "{\"host\": \"db02\", \"rpo\": \"24h\", \"schutzbedarf\": \"sehr-hoch\"}",
    );
    let judge = |extra: &[&str]| {
        let out = tempfile::tempdir().unwrap();
        postura()
            .args(["scan", "--evidence"])
            .arg(dir.path())
            .args([
                "--as-of",
                "2026-11-27T12:00:00Z",
                "--evidence-tz",
                "UTC",
                "-q",
            ])
            .args(["-f", "json", "--out"])
            .arg(out.path())
            .args(extra)
            .assert()
            .code(0);
        read_json(&out.path().join("postura-result.json"))
    };
    let host = |result: &serde_json::Value, name: &str| -> serde_json::Value {
        result["facts"]["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["hostnames"][0] == name)
            .unwrap()
            .clone()
    };
    let result = judge(&[]);
    assert_eq!(host(&result, "db02")["schutzbedarf"], "sehr-hoch");
    assert_eq!(host(&result, "db02")["backup"]["rpo"], "86400s");
    let db02 = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["asset"] == "db02")
        .all(|f| f["schutzbedarf"] == "sehr-hoch");
    assert!(db02, "every finding of db02 carries its Schutzbedarf");
    let result = judge(&["--rpo", "DB*=1h", "--schutzbedarf", "db0?=normal"]);
    assert_eq!(host(&result, "db02")["backup"]["rpo"], "3600s");
    assert!(
        result["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["asset"] == "db02")
            .all(|f| f.get("schutzbedarf").is_none()),
        "the selector beats the manifest"
    );
    let bad = postura()
        .args(["scan", "--evidence"])
        .arg(dir.path())
        .args(["--schutzbedarf", "db*=extrem"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected normal, hoch or sehr-hoch"));
}

/// `postura explain` names every term: the points each failing check costs the DSGVO total
/// add up to what the score lacks of 100, and a row lists its checks with their weights.
#[test]
fn explain_adds_up_to_the_score() {
    let out = tempfile::tempdir().unwrap();
    let run = judge_mixed(out.path(), &["--lang", "en"]);
    assert_eq!(run.status.code(), Some(0));
    let path = out.path().join("postura-result.json");
    let result = read_json(&path);
    let dsgvo = result["baselines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "dsgvo")
        .unwrap();
    let score = dsgvo["score"]["score"].as_f64().unwrap();
    let failing: Vec<&str> = result["scores"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["lost"].as_f64().unwrap() > 0.0)
        .map(|c| c["check_id"].as_str().unwrap())
        .collect();
    assert!(failing.len() >= 3, "{failing:?}");
    let mut lost = 0.0;
    for check in failing {
        let output = postura()
            .args(["explain"])
            .arg(&path)
            .arg(check)
            .output()
            .unwrap();
        assert!(output.status.success());
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(text.starts_with(check), "{text}");
        if let Some(line) = text
            .lines()
            .find(|l| l.trim_start().starts_with("dsgvo: total −"))
        {
            let points: f64 = line.trim_start()["dsgvo: total −".len()..]
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            lost += points;
        }
    }
    assert!(
        (100.0 - score - lost).abs() < 0.5,
        "score {score} and the points lost {lost} add up to 100"
    );
    let row = postura()
        .args(["explain"])
        .arg(&path)
        .arg("dsgvo:32(1)(a)")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&row.stdout);
    assert!(
        text.contains("enc-volume-unencrypted") && text.contains("w 4"),
        "{text}"
    );
    assert!(text.contains("manual, never scored"), "{text}");
    let unknown = postura()
        .args(["explain"])
        .arg(&path)
        .arg("no-such-thing")
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}
