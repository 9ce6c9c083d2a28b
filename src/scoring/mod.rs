//! Scores: the model of docs/scoring.md, line by line explainable.
//!
//! Per check, the credit `s_c` is the share of assessed assets that pass (a failing asset may
//! earn partial credit where the check measures a ratio, e.g. MFA coverage). Per family,
//! `Score = 100·Σ w·s / Σ w` over assessed checks, with `Coverage = Σ w(assessed) / Σ
//! w(applicable)` beside it and the range `Floor–Ceiling` (every unassessed check failing or
//! passing). The overall score averages the families that have any coverage; a family
//! without coverage is named, never averaged away. Only pass and fail enter a score;
//! `not_assessed` and `error` lower coverage, never raise the score.

pub mod baselines;
pub mod tls_grade;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::checks::eval::{Finding, ResultState};
use crate::checks::{Check, Family, Severity};

/// Version of the scoring model; part of every result file so scores are reproducible.
pub const SCORING_MODEL: &str = "postura-2026.11 (docs/scoring.md)";

/// One check's contribution, the "line item" of §8.8.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct CheckScore {
    /// Check id.
    pub check_id: String,
    /// Control id.
    pub control: String,
    /// Family.
    pub family: Family,
    /// Severity: the check's, raised by the highest Schutzbedarf of the assets it applies to.
    pub severity: Severity,
    /// The highest Schutzbedarf of the assets it applies to.
    #[serde(default)]
    pub schutzbedarf: crate::checks::Schutzbedarf,
    /// The highest severity it failed with (what the grade caps read), if it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_severity: Option<Severity>,
    /// Weight from the severity.
    pub weight: u32,
    /// Assets per result state.
    pub states: BTreeMap<String, u32>,
    /// Share of assessed assets passing, if any asset was assessed.
    pub credit: Option<f64>,
    /// `weight · credit`.
    pub earned: f64,
    /// `weight · (1 − credit)`.
    pub lost: f64,
    /// The check applies to at least one asset.
    pub applicable: bool,
    /// At least one asset was assessed (pass or fail).
    pub assessed: bool,
}

/// Score of a scope (a family, or everything).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ScopeScore {
    /// Family name, or `overall`.
    pub scope: String,
    /// 0–100 over what was assessed; `None` when nothing was.
    pub score: Option<f64>,
    /// Share of applicable weight that was assessed, 0–100.
    pub coverage: f64,
    /// Score if every unassessed check failed.
    pub floor: f64,
    /// Score if every unassessed check passed.
    pub ceiling: f64,
    /// Checks that apply.
    pub applicable_checks: u32,
    /// Checks assessed on at least one asset.
    pub assessed_checks: u32,
    /// Checks failing on at least one asset.
    pub failed_checks: u32,
}

/// Whether the grade can be trusted.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GradeStatus {
    /// Coverage ≥ 80 %.
    Final,
    /// Coverage 50–79 %.
    Provisional,
    /// Coverage < 50 %: no grade.
    NotGradable,
}

/// Letter grade with the caps that lowered it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Grade {
    /// A–F, or `None` when not gradable.
    pub letter: Option<String>,
    /// Status from the coverage gate.
    pub status: GradeStatus,
    /// The band the score alone would give.
    pub band: Option<String>,
    /// Why the grade is lower than the band, each with the checks responsible.
    pub caps: Vec<GradeCap>,
}

/// One applied cap.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct GradeCap {
    /// Highest grade allowed.
    pub max: String,
    /// `critical-fail` or `high-fail`.
    pub rule: String,
    /// Checks that triggered it.
    pub checks: Vec<String>,
}

/// All scores of a run.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Scores {
    /// Scoring model version.
    pub model: String,
    /// Overall score across families.
    pub overall: ScopeScore,
    /// Per family, in catalogue order, including families without coverage.
    pub families: Vec<ScopeScore>,
    /// Families with zero coverage (named in reports as not assessed).
    pub unassessed_families: Vec<String>,
    /// Line items, most points lost first.
    pub checks: Vec<CheckScore>,
    /// Letter grade.
    pub grade: Grade,
}

/// Computes all scores from the findings.
pub(crate) fn score(checks: &[Check], findings: &[Finding]) -> Scores {
    let mut per_check: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        per_check.entry(&f.check_id).or_default().push(f);
    }
    // Manual items are listed beside the score, never in it.
    let mut line_items: Vec<CheckScore> = checks
        .iter()
        .filter(|check| !check.def.is_manual())
        .map(|check| {
            let list = per_check
                .get(check.def.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let mut states: BTreeMap<String, u32> = BTreeMap::new();
            // A finding on counted hosts counts once for each of them.
            for f in list {
                *states.entry(f.state.as_str().to_owned()).or_default() +=
                    u32::try_from(f.assets).unwrap_or(u32::MAX);
            }
            let count = |s: ResultState| states.get(s.as_str()).copied().unwrap_or(0);
            // A compensated failure is assessed and earns the points; an accepted risk is
            // assessed and earns none (docs/scoring.md, waivers).
            let (pass, fail) = (
                count(ResultState::Pass) + count(ResultState::Compensated),
                count(ResultState::Fail) + count(ResultState::RiskAccepted),
            );
            let applicable = list.iter().any(|f| f.state != ResultState::NotApplicable);
            let assessed = pass + fail > 0;
            // Schutzbedarf raises a finding's severity; the check weighs what its most
            // protection-needing asset makes it.
            let relevant = list
                .iter()
                .filter(|f| f.state != ResultState::NotApplicable);
            let severity = relevant
                .clone()
                .map(|f| f.severity)
                .max()
                .unwrap_or(check.def.severity)
                .max(check.def.severity);
            let schutzbedarf = relevant.map(|f| f.schutzbedarf).max().unwrap_or_default();
            // An accepted risk is still open: it caps the grade like a failure.
            let failed_severity = list
                .iter()
                .filter(|f| matches!(f.state, ResultState::Fail | ResultState::RiskAccepted))
                .map(|f| f.severity)
                .max();
            let weight = severity.weight();
            // A failing finding may carry partial credit (a coverage ratio such as MFA-04).
            let earned_by_assets: f64 = list
                .iter()
                .map(|f| {
                    let each = match f.state {
                        ResultState::Pass | ResultState::Compensated => 1.0,
                        ResultState::Fail => f.credit.unwrap_or(0.0).clamp(0.0, 1.0),
                        _ => 0.0,
                    };
                    each * f.assets as f64
                })
                .sum();
            let credit = assessed.then(|| earned_by_assets / f64::from(pass + fail));
            let earned = credit.map_or(0.0, |c| f64::from(weight) * c);
            let lost = credit.map_or(0.0, |c| f64::from(weight) * (1.0 - c));
            CheckScore {
                check_id: check.def.id.clone(),
                control: check.def.control.clone(),
                family: check.def.family,
                severity,
                schutzbedarf,
                failed_severity,
                weight,
                states,
                credit,
                earned,
                lost,
                applicable,
                assessed,
            }
        })
        .collect();

    let families: Vec<ScopeScore> = Family::ALL
        .iter()
        .map(|family| {
            scope_score(
                family.as_str(),
                line_items.iter().filter(|c| c.family == *family),
            )
        })
        .collect();
    let unassessed_families = families
        .iter()
        .filter(|f| f.coverage <= 0.0)
        .map(|f| f.scope.clone())
        .collect();

    let covered: Vec<&ScopeScore> = families.iter().filter(|f| f.coverage > 0.0).collect();
    let mean = |field: fn(&ScopeScore) -> f64| -> f64 {
        covered.iter().map(|f| field(f)).sum::<f64>() / covered.len().max(1) as f64
    };
    let all = scope_score("overall", line_items.iter());
    let overall = ScopeScore {
        scope: "overall".to_owned(),
        score: (!covered.is_empty()).then(|| mean(|f| f.score.unwrap_or(0.0))),
        floor: mean(|f| f.floor),
        ceiling: mean(|f| f.ceiling),
        ..all
    };
    let grade = grade(&overall, &line_items);
    line_items.sort_by(|a, b| {
        b.lost
            .total_cmp(&a.lost)
            .then(b.weight.cmp(&a.weight))
            .then(a.check_id.cmp(&b.check_id))
    });
    Scores {
        model: SCORING_MODEL.to_owned(),
        overall,
        families,
        unassessed_families,
        checks: line_items,
        grade,
    }
}

fn scope_score<'a>(name: &str, items: impl Iterator<Item = &'a CheckScore>) -> ScopeScore {
    let (mut applicable_w, mut assessed_w, mut earned) = (0.0f64, 0.0f64, 0.0f64);
    let (mut applicable_checks, mut assessed_checks, mut failed_checks) = (0u32, 0u32, 0u32);
    for item in items.filter(|c| c.applicable) {
        let w = f64::from(item.weight);
        applicable_w += w;
        applicable_checks += 1;
        if item.assessed {
            assessed_w += w;
            earned += item.earned;
            assessed_checks += 1;
        }
        if item.failed_severity.is_some() {
            failed_checks += 1;
        }
    }
    let score = (assessed_w > 0.0).then(|| 100.0 * earned / assessed_w);
    let coverage = if applicable_w > 0.0 {
        100.0 * assessed_w / applicable_w
    } else {
        0.0
    };
    let floor = if applicable_w > 0.0 {
        100.0 * earned / applicable_w
    } else {
        0.0
    };
    ScopeScore {
        scope: name.to_owned(),
        score,
        coverage,
        floor,
        ceiling: if applicable_w > 0.0 {
            floor + (100.0 - coverage)
        } else {
            0.0
        },
        applicable_checks,
        assessed_checks,
        failed_checks,
    }
}

fn band(score: f64) -> &'static str {
    match score {
        s if s >= 90.0 => "A",
        s if s >= 80.0 => "B",
        s if s >= 70.0 => "C",
        s if s >= 60.0 => "D",
        _ => "F",
    }
}

fn grade(overall: &ScopeScore, items: &[CheckScore]) -> Grade {
    let status = match overall.coverage {
        c if c >= 80.0 => GradeStatus::Final,
        c if c >= 50.0 => GradeStatus::Provisional,
        _ => GradeStatus::NotGradable,
    };
    let failing = |sev: Severity| -> Vec<String> {
        items
            .iter()
            .filter(|c| c.failed_severity == Some(sev))
            .map(|c| c.check_id.clone())
            .collect()
    };
    let mut caps = Vec::new();
    let critical = failing(Severity::Critical);
    if !critical.is_empty() {
        caps.push(GradeCap {
            max: "D".into(),
            rule: "critical-fail".into(),
            checks: critical,
        });
    }
    let high = failing(Severity::High);
    if !high.is_empty() {
        caps.push(GradeCap {
            max: "B".into(),
            rule: "high-fail".into(),
            checks: high,
        });
    }
    let band = overall.score.map(|s| band(s).to_owned());
    let letter = match (status, &band) {
        (GradeStatus::NotGradable, _) | (_, None) => None,
        (_, Some(b)) => {
            // Letters order A < B < ... < F, so the worst of band and caps is the maximum.
            let worst = caps
                .iter()
                .map(|c| c.max.as_str())
                .chain([b.as_str()])
                .max()
                .unwrap_or("F");
            Some(worst.to_owned())
        }
    };
    Grade {
        letter,
        status,
        band,
        caps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, sev: Severity, pass: u32, fail: u32, not_assessed: u32) -> CheckScore {
        let mut states = BTreeMap::new();
        for (k, v) in [
            ("pass", pass),
            ("fail", fail),
            ("not_assessed", not_assessed),
        ] {
            if v > 0 {
                states.insert(k.to_owned(), v);
            }
        }
        let assessed = pass + fail > 0;
        let credit = assessed.then(|| f64::from(pass) / f64::from(pass + fail));
        CheckScore {
            check_id: id.into(),
            control: id.into(),
            family: Family::TransportEncryption,
            severity: sev,
            schutzbedarf: crate::checks::Schutzbedarf::Normal,
            failed_severity: (fail > 0).then_some(sev),
            weight: sev.weight(),
            states,
            credit,
            earned: credit.map_or(0.0, |c| c * f64::from(sev.weight())),
            lost: credit.map_or(0.0, |c| (1.0 - c) * f64::from(sev.weight())),
            applicable: true,
            assessed,
        }
    }

    /// The worked example of docs/scoring.md.
    #[test]
    fn worked_example_matches_the_reference() {
        let items = vec![
            item("tls-01", Severity::Critical, 1, 0, 0),
            item("tls-02", Severity::High, 0, 1, 0),
            item("tls-07", Severity::Critical, 1, 0, 0),
            item("tls-08", Severity::Medium, 1, 1, 0),
            item("tls-13", Severity::Medium, 0, 0, 1),
        ];
        let s = scope_score("tls", items.iter());
        assert!((s.score.unwrap() - 77.27).abs() < 0.01);
        assert!((s.coverage - 91.67).abs() < 0.01);
        assert!((s.floor - 70.83).abs() < 0.01);
        assert!((s.ceiling - 79.17).abs() < 0.01);
        let g = grade(&s, &items);
        assert_eq!(g.letter.as_deref(), Some("C"));
        assert_eq!(g.status, GradeStatus::Final);
    }

    #[test]
    fn caps_and_coverage_gate() {
        let items = vec![
            item("a", Severity::Critical, 9, 1, 0),
            item("b", Severity::Low, 1, 0, 0),
        ];
        let s = scope_score("x", items.iter());
        assert_eq!(grade(&s, &items).letter.as_deref(), Some("D"));
        let items = vec![
            item("a", Severity::Low, 1, 0, 0),
            item("b", Severity::High, 0, 0, 1),
        ];
        let s = scope_score("x", items.iter());
        assert_eq!(grade(&s, &items).status, GradeStatus::NotGradable);
        assert_eq!(grade(&s, &items).letter, None);
    }
}
