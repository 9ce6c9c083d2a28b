//! `postura explain`: every term of a saved result's scores, in plain text.
//!
//! A scope's score is `100 − Σ points lost`, where a check loses `100 · w·(1 − s) / Σ w` of
//! the scope's assessed weight; the overall score is the mean of the covered families, so a
//! check costs the overall score its family loss divided by their number. Explaining a check
//! lists those terms for its family, the overall score and every baseline row and total it
//! counts in; explaining a control lists the terms of its row.

use std::fmt::Write as _;

use super::{ScanResult, format_number};
use crate::checks::Lang;
use crate::error::InputError;
use crate::scoring::baselines::{BaselineResult, RowResult};
use crate::scoring::{CheckScore, ScopeScore};

/// What a result's scores are made of; `query` narrows it to a check id or a control
/// (`EXP-01`, `32(1)(a)`, `CON.3.A5`, `dsgvo:32(1)(a)`, `identity/authentication`).
pub fn explain(result: &ScanResult, query: Option<&str>) -> Result<String, InputError> {
    let explainer = Explainer { result };
    match query.map(str::trim) {
        None | Some("") => Ok(explainer.overview()),
        Some(query) => {
            if let Some(item) = result.scores.checks.iter().find(|c| c.check_id == query) {
                return Ok(explainer.check(item));
            }
            let by_control: Vec<&CheckScore> = result
                .scores
                .checks
                .iter()
                .filter(|c| c.control.eq_ignore_ascii_case(query))
                .collect();
            let rows = explainer.rows_named(query);
            if by_control.is_empty() && rows.is_empty() {
                return Err(InputError::Option {
                    option: "explain".into(),
                    message: format!(
                        "`{query}` is neither a check id, a control nor a baseline row of this result: try a check id from `postura checks list`, a control such as EXP-01, or a row such as dsgvo:32(1)(a)"
                    ),
                });
            }
            let mut out = String::new();
            for item in by_control {
                out.push_str(&explainer.check(item));
            }
            for (baseline, row) in rows {
                out.push_str(&explainer.row(baseline, row));
            }
            Ok(out)
        }
    }
}

struct Explainer<'r> {
    result: &'r ScanResult,
}

impl Explainer<'_> {
    fn lang(&self) -> Lang {
        self.result.lang
    }

    fn n(&self, v: f64) -> String {
        format_number(v, 1, self.lang())
    }

    fn items_of<'a>(&'a self, ids: &'a [String]) -> impl Iterator<Item = &'a CheckScore> + 'a {
        self.result
            .scores
            .checks
            .iter()
            .filter(move |c| ids.contains(&c.check_id))
    }

    /// The assessed weight of a scope: what a check's loss is divided by.
    fn assessed_weight<'a>(items: impl Iterator<Item = &'a CheckScore>) -> f64 {
        items
            .filter(|c| c.applicable && c.assessed)
            .map(|c| f64::from(c.weight))
            .sum()
    }

    fn scope_line(&self, name: &str, scope: &ScopeScore) -> String {
        match scope.score {
            Some(score) => format!(
                "{name}: {} (range {}–{}, coverage {} %; {} of {} applicable checks assessed, {} failing)\n",
                self.n(score),
                self.n(scope.floor),
                self.n(scope.ceiling),
                self.n(scope.coverage),
                scope.assessed_checks,
                scope.applicable_checks,
                scope.failed_checks
            ),
            None => format!(
                "{name}: not assessed ({} applicable checks, none assessed)\n",
                scope.applicable_checks
            ),
        }
    }

    fn item_line(&self, item: &CheckScore, denominator: f64) -> String {
        let states: Vec<String> = item
            .states
            .iter()
            .map(|(state, n)| format!("{n} {state}"))
            .collect();
        let lost_points = if denominator > 0.0 && item.assessed {
            100.0 * item.lost / denominator
        } else {
            0.0
        };
        let cost = if item.assessed {
            format!("−{} points", self.n(lost_points))
        } else {
            "not assessed: lowers coverage, costs no points".to_owned()
        };
        format!(
            "  {:<36} {:<8} w {} s {:<5} earned {:<5} lost {:<5} → {cost}  ({})\n",
            item.check_id,
            item.severity.as_str(),
            item.weight,
            item.credit.map_or_else(|| "–".to_owned(), |c| self.n(c)),
            self.n(item.earned),
            self.n(item.lost),
            states.join(", ")
        )
    }

    fn overview(&self) -> String {
        let scores = &self.result.scores;
        let mut out = String::new();
        let covered: Vec<&ScopeScore> = scores
            .families
            .iter()
            .filter(|f| f.coverage > 0.0)
            .collect();
        let _ = write!(out, "{}", self.scope_line("Overall", &scores.overall));
        let _ = writeln!(
            out,
            "  = mean of the {} families with coverage: {}",
            covered.len(),
            covered
                .iter()
                .map(|f| format!("{} {}", f.scope, f.score.map_or("–".into(), |s| self.n(s))))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !scores.unassessed_families.is_empty() {
            let _ = writeln!(
                out,
                "  not assessed, left out of the mean: {}",
                scores.unassessed_families.join(", ")
            );
        }
        let _ = writeln!(
            out,
            "Grade: {} (band {}, {}){}",
            scores.grade.letter.as_deref().unwrap_or("–"),
            scores.grade.band.as_deref().unwrap_or("–"),
            serde_json::to_value(scores.grade.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            scores
                .grade
                .caps
                .iter()
                .map(|c| format!(
                    "; capped at {} by {}: {}",
                    c.max,
                    c.rule,
                    c.checks.join(", ")
                ))
                .collect::<String>()
        );
        for family in &scores.families {
            out.push('\n');
            let _ = write!(
                out,
                "{}",
                self.scope_line(&format!("Family {}", family.scope), family)
            );
            let items: Vec<&CheckScore> = scores
                .checks
                .iter()
                .filter(|c| c.family.as_str() == family.scope && c.applicable)
                .collect();
            let denominator = Self::assessed_weight(items.iter().copied());
            for item in items {
                out.push_str(&self.item_line(item, denominator));
            }
        }
        for baseline in &self.result.baselines {
            out.push('\n');
            let name = format!(
                "Baseline {} ({} distinct checks)",
                baseline.id, baseline.score.applicable_checks
            );
            let _ = write!(out, "{}", self.scope_line(&name, &baseline.score));
        }
        out
    }

    fn check(&self, item: &CheckScore) -> String {
        let scores = &self.result.scores;
        let mut out = String::new();
        let title = self
            .result
            .check(&item.check_id)
            .map(|d| d.title.get(self.lang()).to_owned())
            .unwrap_or_default();
        let _ = writeln!(out, "{} ({}) {title}", item.check_id, item.control);
        let _ = writeln!(
            out,
            "  severity {} (Schutzbedarf {}), weight {}; credit s = {} over {} assessed assets; earned w·s = {}, lost w·(1−s) = {}",
            item.severity.as_str(),
            item.schutzbedarf.as_str(),
            item.weight,
            item.credit.map_or_else(|| "–".to_owned(), |c| self.n(c)),
            item.states.get("pass").unwrap_or(&0) + item.states.get("fail").unwrap_or(&0),
            self.n(item.earned),
            self.n(item.lost)
        );
        for finding in self
            .result
            .findings
            .iter()
            .filter(|f| f.check_id == item.check_id)
        {
            let _ = writeln!(
                out,
                "    {:<28} {:<15} {}{}",
                finding.asset,
                finding.state.as_str(),
                finding.severity.as_str(),
                finding
                    .credit
                    .map(|c| format!(", partial credit {}", self.n(c)))
                    .unwrap_or_default()
            );
        }
        let family_items = scores.checks.iter().filter(|c| c.family == item.family);
        let family_weight = Self::assessed_weight(family_items);
        let covered = scores.families.iter().filter(|f| f.coverage > 0.0).count();
        if item.assessed && family_weight > 0.0 {
            let in_family = 100.0 * item.lost / family_weight;
            let _ = writeln!(
                out,
                "  family {}: −{} points (lost {} of the family's assessed weight {}); overall: −{} points (the family is 1 of {covered} averaged)",
                item.family,
                self.n(in_family),
                self.n(item.lost),
                self.n(family_weight),
                self.n(in_family / covered.max(1) as f64)
            );
        } else {
            let _ = writeln!(
                out,
                "  not assessed: it costs no points, it lowers coverage"
            );
        }
        for baseline in &self.result.baselines {
            let rows: Vec<&RowResult> = baseline
                .rows
                .iter()
                .filter(|r| {
                    r.failing.contains(&item.check_id)
                        || r.passing.contains(&item.check_id)
                        || r.not_assessed.contains(&item.check_id)
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let total_weight = Self::assessed_weight(
                baseline_checks(baseline)
                    .iter()
                    .filter_map(|id| scores.checks.iter().find(|c| &c.check_id == id)),
            );
            let mut parts = Vec::new();
            for row in rows {
                let ids = row_checks(row);
                let weight = Self::assessed_weight(self.items_of(&ids));
                let lost = if weight > 0.0 && item.assessed {
                    100.0 * item.lost / weight
                } else {
                    0.0
                };
                parts.push(format!("{} −{}", row.id, self.n(lost)));
            }
            let total = if total_weight > 0.0 && item.assessed {
                100.0 * item.lost / total_weight
            } else {
                0.0
            };
            let _ = writeln!(
                out,
                "  {}: total −{} points; rows: {}",
                baseline.id,
                self.n(total),
                parts.join(", ")
            );
        }
        out.push('\n');
        out
    }

    fn rows_named(&self, query: &str) -> Vec<(&BaselineResult, &RowResult)> {
        let (baseline_id, row_id) = match query.split_once(':') {
            Some((b, r)) => (Some(b), r),
            None => (None, query),
        };
        self.result
            .baselines
            .iter()
            .filter(|b| baseline_id.is_none_or(|id| b.id == id))
            .flat_map(|b| {
                b.rows
                    .iter()
                    .filter(|r| r.id.eq_ignore_ascii_case(row_id))
                    .map(move |r| (b, r))
            })
            .collect()
    }

    fn row(&self, baseline: &BaselineResult, row: &RowResult) -> String {
        let mut out = String::new();
        let name = format!("{}:{} {}", baseline.id, row.id, row.title.get(self.lang()));
        let _ = write!(out, "{}", self.scope_line(&name, &row.score));
        let _ = writeln!(out, "  status: {}", row.status.term(self.lang()));
        if let Some(stage) = &row.stage {
            let _ = writeln!(
                out,
                "  stage: {}{}{}",
                stage.stage,
                if stage.blocking.is_empty() {
                    String::new()
                } else {
                    format!("; blocked by {}", stage.blocking.join(", "))
                },
                if stage.unverified.is_empty() {
                    String::new()
                } else {
                    format!("; not assessed: {}", stage.unverified.join(", "))
                }
            );
        }
        let ids = row_checks(row);
        let weight = Self::assessed_weight(self.items_of(&ids));
        for item in self.items_of(&ids) {
            out.push_str(&self.item_line(item, weight));
        }
        for manual in &row.manual {
            let _ = writeln!(
                out,
                "  {:<36} manual, never scored: {}",
                manual.check_id,
                manual
                    .attestation
                    .as_ref()
                    .map_or("open".to_owned(), |a| format!(
                        "{} by {}, {}",
                        if a.met { "met" } else { "not met" },
                        a.by,
                        a.date
                    ))
            );
        }
        out.push('\n');
        out
    }
}

/// The scored checks of a row.
fn row_checks(row: &RowResult) -> Vec<String> {
    row.failing
        .iter()
        .chain(&row.passing)
        .chain(&row.not_assessed)
        .cloned()
        .collect()
}

/// The distinct scored checks of a baseline.
fn baseline_checks(baseline: &BaselineResult) -> Vec<String> {
    let mut ids: Vec<String> = baseline.rows.iter().flat_map(row_checks).collect();
    ids.sort();
    ids.dedup();
    ids
}
