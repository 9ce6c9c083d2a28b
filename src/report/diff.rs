//! Comparing two results (`postura diff OLD.json NEW.json`, `scan --previous OLD.json`):
//! findings matched by fingerprint, and the score and coverage of every family and baseline
//! side by side.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ScanResult;
use crate::checks::Severity;
use crate::checks::eval::{Finding, ResultState};
use crate::scoring::ScopeScore;

/// Whether a failure was already there in the previous result.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Novelty {
    /// Not failing in the previous result (by fingerprint).
    New,
    /// Failing in the previous result too.
    Known,
}

/// A finding open in a result: failing, waived or not.
pub fn is_open(finding: &Finding) -> bool {
    matches!(
        finding.state,
        ResultState::Fail | ResultState::RiskAccepted | ResultState::Compensated
    )
}

/// One finding in a comparison.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct DiffFinding {
    /// Fingerprint.
    pub fingerprint: String,
    /// Check id.
    pub check_id: String,
    /// Asset.
    pub asset: String,
    /// Severity now (for a fixed finding: then).
    pub severity: Severity,
    /// Severity before, where it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_before: Option<Severity>,
    /// State now (for a fixed finding: then).
    pub state: ResultState,
}

/// A score then and now.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ScoreDelta {
    /// `overall`, a family, or a baseline id.
    pub scope: String,
    /// Score before.
    pub before: Option<f64>,
    /// Score now.
    pub after: Option<f64>,
    /// Coverage before, percent.
    pub coverage_before: f64,
    /// Coverage now, percent.
    pub coverage_after: f64,
}

/// Two results compared.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Diff {
    /// Open now, not before.
    pub new: Vec<DiffFinding>,
    /// Open before, not now.
    pub fixed: Vec<DiffFinding>,
    /// Open in both with the same severity.
    pub unchanged: Vec<DiffFinding>,
    /// Open in both with another severity.
    pub changed_severity: Vec<DiffFinding>,
    /// Overall, per family and per baseline.
    pub scores: Vec<ScoreDelta>,
}

fn entry(f: &Finding, before: Option<&Finding>) -> DiffFinding {
    DiffFinding {
        fingerprint: f.fingerprint.clone(),
        check_id: f.check_id.clone(),
        asset: f.asset.clone(),
        severity: f.severity,
        severity_before: before
            .filter(|b| b.severity != f.severity)
            .map(|b| b.severity),
        state: f.state,
    }
}

/// Compares `old` with `new`.
pub fn diff(old: &ScanResult, new: &ScanResult) -> Diff {
    let open = |r: &ScanResult| -> BTreeMap<String, Finding> {
        r.findings
            .iter()
            .filter(|f| is_open(f))
            .map(|f| (f.fingerprint.clone(), f.clone()))
            .collect()
    };
    let (before, after) = (open(old), open(new));
    let mut result = Diff {
        new: Vec::new(),
        fixed: Vec::new(),
        unchanged: Vec::new(),
        changed_severity: Vec::new(),
        scores: Vec::new(),
    };
    for (fingerprint, f) in &after {
        match before.get(fingerprint) {
            None => result.new.push(entry(f, None)),
            Some(b) if b.severity != f.severity => result.changed_severity.push(entry(f, Some(b))),
            Some(_) => result.unchanged.push(entry(f, None)),
        }
    }
    for (fingerprint, f) in &before {
        if !after.contains_key(fingerprint) {
            result.fixed.push(entry(f, None));
        }
    }
    // Most severe first, then by check and asset: the order a reader works through.
    for list in [
        &mut result.new,
        &mut result.fixed,
        &mut result.unchanged,
        &mut result.changed_severity,
    ] {
        list.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.check_id.cmp(&b.check_id))
                .then_with(|| a.asset.cmp(&b.asset))
        });
    }
    let scopes = |r: &ScanResult| -> Vec<(String, ScopeScore)> {
        std::iter::once(("overall".to_owned(), r.scores.overall.clone()))
            .chain(
                r.scores
                    .families
                    .iter()
                    .map(|f| (f.scope.clone(), f.clone())),
            )
            .chain(r.baselines.iter().map(|b| (b.id.clone(), b.score.clone())))
            .collect()
    };
    let old_scopes: BTreeMap<String, ScopeScore> = scopes(old).into_iter().collect();
    for (scope, now) in scopes(new) {
        let then = old_scopes.get(&scope);
        result.scores.push(ScoreDelta {
            scope,
            before: then.and_then(|t| t.score),
            after: now.score,
            coverage_before: then.map_or(0.0, |t| t.coverage),
            coverage_after: now.coverage,
        });
    }
    result
}

/// Marks every open finding of `result` new or known against `previous`.
pub fn mark_novelty(result: &mut ScanResult, previous: &ScanResult) {
    let known: std::collections::BTreeSet<&str> = previous
        .findings
        .iter()
        .filter(|f| is_open(f))
        .map(|f| f.fingerprint.as_str())
        .collect();
    for finding in result.findings.iter_mut().filter(|f| is_open(f)) {
        finding.novelty = Some(if known.contains(finding.fingerprint.as_str()) {
            Novelty::Known
        } else {
            Novelty::New
        });
    }
}

/// The comparison as text for a terminal or a log.
pub fn render(diff: &Diff) -> String {
    let mut out = String::new();
    let score = |s: Option<f64>| s.map_or("–".to_owned(), |v| format!("{v:.1}"));
    let _ = writeln!(
        out,
        "{} new, {} fixed, {} unchanged, {} with another severity",
        diff.new.len(),
        diff.fixed.len(),
        diff.unchanged.len(),
        diff.changed_severity.len()
    );
    for (title, list) in [
        ("New", &diff.new),
        ("Fixed", &diff.fixed),
        ("Severity changed", &diff.changed_severity),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}:");
        for f in list {
            let _ = writeln!(
                out,
                "  [{:<8}] {:<36} {:<24} {}{}",
                f.severity.as_str(),
                f.check_id,
                f.asset,
                f.state.as_str(),
                f.severity_before
                    .map(|b| format!(" (was {})", b.as_str()))
                    .unwrap_or_default()
            );
        }
    }
    let _ = writeln!(out, "Scores (before → after, coverage):");
    for s in &diff.scores {
        let _ = writeln!(
            out,
            "  {:<26} {:>5} → {:<5} ({:.0} % → {:.0} %)",
            s.scope,
            score(s.before),
            score(s.after),
            s.coverage_before,
            s.coverage_after
        );
    }
    out
}
