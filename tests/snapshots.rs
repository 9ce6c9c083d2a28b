//! Snapshot tests: what postura reads and judges on the committed fixtures, kept as reviewed
//! files in `tests/snapshots/`. A change to any of them shows as a diff that the change must
//! explain; `INSTA_UPDATE=always cargo test snapshots` rewrites them after review.

use std::path::Path;

use crate::support::{postura, read_json, repo};

/// The reference time every snapshot is judged as of, so ages and expiries never drift.
const AS_OF: &str = "2026-06-01T00:00:00Z";

/// Snapshot files under `tests/snapshots/`, named without the module path.
fn settings() -> insta::Settings {
    crate::support::snapshot_settings()
}

/// Replaces the wall-clock times of a run, which differ on every run, with a marker.
fn redact_run_times(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if matches!(key.as_str(), "started_at" | "finished_at" | "generated_at") {
                    *field = serde_json::Value::String("[run time]".into());
                } else {
                    redact_run_times(field);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_run_times),
        _ => {}
    }
}

/// Runs postura with `args` writing JSON and facts into a fresh folder; returns facts, the
/// result without its embedded facts and check texts, and the terminal summary with the folder's path
/// replaced.
fn run(args: &[&str], code: i32) -> (serde_json::Value, serde_json::Value, String) {
    let out = tempfile::tempdir().unwrap();
    let assert = postura()
        .args(args)
        .args([
            "--as-of",
            AS_OF,
            "--lang",
            "en",
            "-f",
            "json,facts",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .code(code);
    let summary = String::from_utf8_lossy(&assert.get_output().stdout)
        .replace(&out.path().display().to_string(), "[out]");
    let mut facts = read_json(&out.path().join("postura-facts.json"));
    let mut result = read_json(&out.path().join("postura-result.json"));
    redact_run_times(&mut facts);
    redact_run_times(&mut result);
    // The facts have their own snapshot and the check definitions are the YAML files; the
    // ids say which checks judged.
    if let Some(map) = result.as_object_mut() {
        map.remove("facts");
        if let Some(checks) = map.get_mut("checks").and_then(|c| c.as_array_mut()) {
            for check in checks.iter_mut() {
                *check = check["id"].clone();
            }
        }
        // Baselines: what was judged, not the rows' titles (the baseline files hold those).
        if let Some(baselines) = map.get_mut("baselines").and_then(|b| b.as_array_mut()) {
            for baseline in baselines.iter_mut() {
                *baseline = condensed_baseline(baseline);
            }
        }
    }
    (facts, result, summary)
}

/// A baseline's judgement in a line per row: status or stage, and the failing checks.
fn condensed_baseline(baseline: &serde_json::Value) -> serde_json::Value {
    let rows: serde_json::Map<String, serde_json::Value> = baseline["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            let mut line = match row["stage"].as_object() {
                Some(stage) => format!(
                    "{}{}",
                    stage["stage"].as_str().unwrap_or_default(),
                    if stage["next_not_verifiable"] == true {
                        " (next not verifiable)"
                    } else {
                        ""
                    }
                ),
                None => row["status"].as_str().unwrap_or_default().to_owned(),
            };
            let failing: Vec<&str> = row["failing"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str())
                .collect();
            if !failing.is_empty() {
                line.push_str(&format!(": {}", failing.join(", ")));
            }
            (
                row["id"].as_str().unwrap_or_default().to_owned(),
                line.into(),
            )
        })
        .collect();
    serde_json::json!({
        "id": baseline["id"],
        "score": baseline["score"],
        "pillars": baseline["pillars"],
        "rows": rows,
    })
}

#[test]
fn evidence_folders_read_and_judged() {
    for family in ["mfa", "encryption", "backup", "firewall"] {
        let dir = repo().join("fixtures/evidence").join(family);
        let dir = dir.to_str().unwrap();
        let (facts, result, summary) = run(
            &["scan", "--evidence", dir, "--evidence-tz", "Europe/Berlin"],
            0,
        );
        settings().bind(|| {
            insta::assert_json_snapshot!(format!("evidence-{family}-facts"), facts);
            insta::assert_json_snapshot!(format!("evidence-{family}-result"), result);
            insta::assert_snapshot!(format!("evidence-{family}-summary"), summary);
        });
    }
}

#[test]
fn fixed_evaluations_of_fact_fixtures() {
    for (name, file) in [
        ("tls-legacy", "tls/legacy.json"),
        ("ssh-weak", "tls/ssh-openssh-weak.json"),
        ("exposed-database", "exposed/database-open.json"),
    ] {
        let path = repo().join("fixtures/facts").join(file);
        let (_facts, result, summary) = run(&["evaluate", path_str(&path)], 0);
        settings().bind(|| {
            insta::assert_json_snapshot!(format!("evaluate-{name}-result"), result);
            insta::assert_snapshot!(format!("evaluate-{name}-summary"), summary);
        });
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("repository path is UTF-8")
}
