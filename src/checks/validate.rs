//! `postura checks validate`: every check judged against the facts of its examples.
//!
//! CEL notices a misspelt field only when it evaluates, so each check names example facts with
//! the state they must give; validation runs them all, and a check without examples is itself
//! a problem.

use super::eval::{self, Finding, Judgement, ResultState};
use super::{Check, CheckExample, Lang, example_text, profiles};
use crate::facts::Facts;
use crate::pipeline::DEFAULT_RPO_SECONDS;

/// One problem found by [`validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationProblem {
    /// Check id.
    pub check_id: String,
    /// Where: the check file, or the example's facts file.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

/// Summary of a validation run.
#[derive(Debug, Clone, Default)]
pub struct ValidationReport {
    /// Checks validated.
    pub checks: usize,
    /// Examples evaluated.
    pub examples: usize,
    /// Problems; empty means valid.
    pub problems: Vec<ValidationProblem>,
}

/// An example judged: where its facts came from and what the check found on them.
pub(crate) struct JudgedExample {
    pub(crate) location: String,
    pub(crate) findings: Vec<Finding>,
}

/// Judges one example of `check` as of the time its facts were gathered, so fixtures with
/// dates never go stale. The error says where and what went wrong.
pub(crate) fn judge_example(
    check: &Check,
    example: &CheckExample,
) -> Result<JudgedExample, (String, String)> {
    let (location, text) =
        example_text(check, example).map_err(|e| (check.origin.to_string(), e.to_string()))?;
    let facts: Facts = serde_json::from_str(&text).map_err(|err| {
        (
            format!("{location}:{}:{}", err.line(), err.column()),
            format!("not a valid facts document: {err}"),
        )
    })?;
    if facts.hosts.is_empty() && facts.identities.is_empty() {
        return Err((
            location,
            "the facts contain no host and no identity source".into(),
        ));
    }
    let profile_id = example
        .tls_profile
        .as_deref()
        .unwrap_or(profiles::DEFAULT_TLS_PROFILE);
    let tls_profile =
        profiles::tls_profile(profile_id).map_err(|err| (location.clone(), err.to_string()))?;
    let judgement = Judgement {
        schutzbedarf: std::collections::BTreeMap::new(),
        lang: Lang::En,
        now: facts.finished_at,
        generated_at: facts.finished_at,
        tls_profile,
        rpo_seconds: DEFAULT_RPO_SECONDS,
        patch_age_seconds: crate::pipeline::DEFAULT_PATCH_AGE_SECONDS,
        attestations: Default::default(),
    };
    let findings = eval::evaluate(std::slice::from_ref(check), &facts, &judgement);
    Ok(JudgedExample { location, findings })
}

/// What is wrong with the evidence a failing example shows, if anything: every failing example
/// names the values its evidence must contain (`shows`), and they must be there.
fn missing_evidence(example: &CheckExample, findings: &[Finding]) -> Option<String> {
    if example.expect != ResultState::Fail {
        return (!example.shows.is_empty())
            .then(|| "`shows` belongs to examples that expect `fail`".to_owned());
    }
    if example.shows.is_empty() {
        return Some(
            "a failing example names what its evidence must show: add `shows: [\"…\"]` with the offending values".into(),
        );
    }
    let mut text = String::new();
    for finding in findings.iter().filter(|f| f.state == ResultState::Fail) {
        collect_strings(&finding.evidence, &mut text);
    }
    let missing: Vec<&str> = example
        .shows
        .iter()
        .filter(|wanted| !text.contains(wanted.as_str()))
        .map(String::as_str)
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "the evidence does not show {}: it reads `{}`",
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", "),
            text.trim_end()
        )
    })
}

/// Every string in an evidence value, one per line.
fn collect_strings(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        other => {
            out.push_str(&other.to_string());
            out.push('\n');
        }
    }
}

/// Evaluates every check against its example facts and compares with the expected state.
/// A check without examples is a problem: its condition would never have run before a scan.
pub fn validate(checks: &[Check]) -> ValidationReport {
    let mut report = ValidationReport {
        checks: checks.len(),
        ..Default::default()
    };
    for check in checks {
        let problem = |location: String, message: String| ValidationProblem {
            check_id: check.def.id.clone(),
            location,
            message,
        };
        // A manual item has no condition to exercise.
        if check.def.examples.is_empty() && !check.def.is_manual() {
            report.problems.push(problem(
                check.origin.to_string(),
                "no `examples`: add at least one facts fixture with the expected result".into(),
            ));
        }
        for example in &check.def.examples {
            report.examples += 1;
            let judged = match judge_example(check, example) {
                Ok(judged) => judged,
                Err((location, message)) => {
                    report.problems.push(problem(location, message));
                    continue;
                }
            };
            let location = judged.location;
            if let Some(message) = missing_evidence(example, &judged.findings) {
                report.problems.push(problem(location.clone(), message));
            }
            for finding in judged.findings {
                if let Some(error) = finding
                    .evidence
                    .get("error")
                    .and_then(serde_json::Value::as_str)
                {
                    report.problems.push(problem(
                        location.clone(),
                        format!("`evidence` does not evaluate on {}: {error}", finding.asset),
                    ));
                }
                if finding.state != example.expect {
                    let detail = finding
                        .reason
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default();
                    report.problems.push(problem(
                        location.clone(),
                        format!(
                            "expected `{}` on {}, got `{}`{detail}",
                            example.expect.as_str(),
                            finding.asset,
                            finding.state.as_str()
                        ),
                    ));
                } else if finding.state == ResultState::Error {
                    // An expected error is still worth showing: it hides a broken condition.
                    report
                        .problems
                        .push(problem(location.clone(), "example expects `error`".into()));
                }
            }
        }
    }
    report
}
