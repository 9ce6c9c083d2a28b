//! postura: a security-posture scanner and compliance reporter.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! targets ──► probes ──► facts ──► checks (YAML + CEL) ──► findings ──► scoring ──► report
//! ```
//!
//! - [`targets`]: target expressions, scope, exclusions, port lists.
//! - [`probes`]: the connect scan, banner grabs, read-only service probes. They gather, never
//!   judge.
//! - [`facts`]: the one typed fact model, serialised as JSON with a published schema.
//! - [`checks`]: checks as data, evaluated with CEL; result states and evidence.
//! - [`scoring`]: weights, coverage, range and grade (baselines.md §8).
//! - [`report`]: the canonical JSON result, the terminal summary and the HTML report.
//!
//! The library never prints and never reads the clock itself: callers pass the time in, so
//! results are reproducible and testable.

#![forbid(unsafe_code)]

pub mod checks;
pub mod collect;
pub mod error;
pub mod evidence;
pub mod facts;
pub mod probes;
pub mod report;
pub mod scoring;
pub mod targets;

pub use error::{Error, InputError, RunError};

use checks::eval::{self, Judgement, ResultState};
use checks::{Check, Lang};
use facts::{FACTS_SCHEMA_VERSION, Facts, ScanSettings, ToolInfo};
use probes::{Progress, ScanRequest};
use report::ScanResult;

/// The recovery point objective when neither `--rpo` nor a host manifest sets one: a week,
/// CIS Control 11.2 ("run backups weekly, or more frequently").
pub const DEFAULT_RPO_SECONDS: i64 = 7 * 24 * 3600;

/// Runs a network scan and returns its facts. `now` is called at the start and the end.
pub fn scan(
    request: &ScanRequest,
    settings: ScanSettings,
    progress: &mut dyn Progress,
    now: &dyn Fn() -> jiff::Timestamp,
) -> Result<Facts, RunError> {
    let started_at = now();
    let hosts = probes::run_scan(request, progress)?;
    Ok(Facts {
        schema_version: FACTS_SCHEMA_VERSION,
        tool: ToolInfo::current(),
        started_at,
        finished_at: now(),
        scan: Some(settings),
        hosts,
        identities: Vec::new(),
        evidence_files: Vec::new(),
    })
}

/// Sets the recovery point objective of the assets named in `per_asset` (`--rpo
/// ASSET=DURATION`, in seconds), over what their manifests say. An asset is named by its id,
/// a host name (case-insensitive) or its address. Returns the names that matched no asset.
pub fn set_asset_rpo(facts: &mut Facts, per_asset: &[(String, i64)]) -> Vec<String> {
    let mut unmatched = Vec::new();
    for (name, seconds) in per_asset {
        let mut matched = false;
        for host in &mut facts.hosts {
            let named = host.asset_id().eq_ignore_ascii_case(name)
                || host.hostnames.iter().any(|h| h.eq_ignore_ascii_case(name))
                || host.address.is_some_and(|a| a.to_string() == *name);
            if !named {
                continue;
            }
            matched = true;
            if let Some(backup) = &mut host.backup {
                backup.rpo = Some(format!("{seconds}s"));
            }
        }
        if !matched {
            unmatched.push(name.clone());
        }
    }
    unmatched
}

/// Judges facts: evaluates every check and computes the scores.
pub fn judge(checks: &[Check], facts: Facts, judgement: &Judgement) -> ScanResult {
    let findings = eval::evaluate(checks, &facts, judgement);
    let scores = scoring::score(checks, &findings);
    let manual = eval::manual_items(checks, &findings, &judgement.attestations);
    let mut result = ScanResult::new(
        checks,
        facts,
        findings,
        scores,
        judgement.lang,
        judgement.generated_at,
    );
    result.as_of = judgement.now;
    result.manual = manual;
    result.tls_profile = Some(format!(
        "{} {}",
        judgement.tls_profile.id, judgement.tls_profile.version
    ));
    result.tls_grades = scoring::tls_grade::grade_all(&result.facts);
    result
}

/// Reads a facts file written by `postura scan --format facts`.
pub fn read_facts(path: &std::path::Path) -> Result<Facts, InputError> {
    let facts: Facts = report::read_json(path)?;
    if facts.schema_version != FACTS_SCHEMA_VERSION {
        return Err(InputError::Json {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message: format!(
                "facts schema_version {} is not supported: expected {FACTS_SCHEMA_VERSION}",
                facts.schema_version
            ),
        });
    }
    Ok(facts)
}

/// One problem found by [`validate_checks`].
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

/// Evaluates every check against its example facts and compares with the expected state.
/// A check without examples is a problem: its condition would never have run before a scan.
pub fn validate_checks(checks: &[Check]) -> ValidationReport {
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
            let (location, text) = match checks::example_text(check, example) {
                Ok(found) => found,
                Err(err) => {
                    report
                        .problems
                        .push(problem(check.origin.to_string(), err.to_string()));
                    continue;
                }
            };
            let facts: Facts = match serde_json::from_str(&text) {
                Ok(facts) => facts,
                Err(err) => {
                    report.problems.push(problem(
                        format!("{location}:{}:{}", err.line(), err.column()),
                        format!("not a valid facts document: {err}"),
                    ));
                    continue;
                }
            };
            if facts.hosts.is_empty() && facts.identities.is_empty() {
                report.problems.push(problem(
                    location.clone(),
                    "the facts contain no host and no identity source".into(),
                ));
            }
            // Examples are judged as of the time their facts were gathered.
            let profile_id = example
                .tls_profile
                .as_deref()
                .unwrap_or(checks::profiles::DEFAULT_TLS_PROFILE);
            let tls_profile = match checks::profiles::tls_profile(profile_id) {
                Ok(profile) => profile,
                Err(err) => {
                    report
                        .problems
                        .push(problem(location.clone(), err.to_string()));
                    continue;
                }
            };
            let judgement = Judgement {
                lang: Lang::En,
                now: facts.finished_at,
                generated_at: facts.finished_at,
                tls_profile,
                rpo_seconds: DEFAULT_RPO_SECONDS,
                attestations: Default::default(),
            };
            for finding in eval::evaluate(std::slice::from_ref(check), &facts, &judgement) {
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
