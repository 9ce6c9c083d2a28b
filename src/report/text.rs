//! The terminal summary: score, coverage, grade, the failed checks and where they failed.
//! Returned as a string; the binary decides where to print it.

use std::fmt::Write as _;

use super::html::{evidence_text, labels};
use super::{ScanResult, format_number};
use crate::checks::eval::ResultState;

/// Renders the summary for a terminal (plain text, no colour codes): what was read, the
/// scores, the manual items, the failures.
pub fn render_summary(result: &ScanResult) -> String {
    let summary = Summary {
        result,
        l: labels(result.lang),
    };
    let mut out = String::new();
    if let Some((title, covered)) = super::interruption_text(result, &summary.l) {
        out.push_str(&format!("postura: {title}\npostura: {covered}\n"));
    }
    summary.inputs(&mut out);
    summary.scores(&mut out);
    summary.baselines(&mut out);
    summary.manual_items(&mut out);
    summary.failures(&mut out);
    out
}

/// A result and the labels of its language.
struct Summary<'r> {
    result: &'r ScanResult,
    l: std::collections::BTreeMap<String, String>,
}

impl Summary<'_> {
    fn label(&self, key: &str) -> String {
        self.l.get(key).cloned().unwrap_or_else(|| key.to_owned())
    }

    fn num(&self, value: f64) -> String {
        format_number(value, 0, self.result.lang)
    }

    /// The reference time, the hosts scanned and the evidence read.
    fn inputs(&self, out: &mut String) {
        let result = self.result;
        let lang = result.lang;
        let label = |key: &str| self.label(key);
        let up = result.facts.hosts_up();
        let open: u32 = result.facts.hosts.iter().map(|h| h.port_counts.open).sum();
        let scanned = result.facts.hosts_scanned();
        if result.as_of != result.generated_at {
            let _ = writeln!(
                out,
                "postura: {} {}",
                label("as_of"),
                crate::report::html::format_time(result.as_of, lang)
            );
        }
        if result.facts.scan.is_some() {
            let _ = writeln!(
                out,
                "postura: {} {}, {} {}, {} {}",
                scanned,
                label("hosts_scanned"),
                up,
                label("hosts_answering"),
                open,
                label("open_ports")
            );
        }
        if !result.facts.evidence_files.is_empty() {
            let used = result
                .facts
                .evidence_files
                .iter()
                .filter(|f| f.status == crate::facts::EvidenceStatus::Used)
                .count();
            let _ = writeln!(
                out,
                "postura: {} {}, {} {}, {} {}",
                result.facts.evidence_files.len(),
                label("evidence_files"),
                used,
                label("evidence_used"),
                result.facts.identities.len(),
                label("identity_sources")
            );
        }
    }

    /// Grade, score, TLS grades, caps and one line per family.
    fn scores(&self, out: &mut String) {
        let result = self.result;
        let scores = &result.scores;
        let label = |key: &str| self.label(key);
        let num = |v: f64| self.num(v);
        let grade = scores.grade.letter.clone().unwrap_or_else(|| "–".into());
        let range = super::overall_range(scores, result.lang);
        let _ = writeln!(
            out,
            "{}: {}  {} {} ({range}, {} {} %)",
            label("grade"),
            grade,
            label("score"),
            scores.overall.score.map(num).unwrap_or_else(|| "–".into()),
            label("coverage"),
            num(scores.overall.coverage),
        );
        if let Some(profile) = &result.tls_profile {
            let _ = writeln!(out, "  {}: {profile}", label("tls_profile"));
        }
        for g in &result.tls_grades {
            let _ = writeln!(
                out,
                "  TLS {:<22} {:<3} ({}){}",
                g.endpoint,
                g.grade,
                g.score,
                if g.caps.is_empty() {
                    String::new()
                } else {
                    format!("  {}", g.caps.join("; "))
                }
            );
        }
        for cap in &scores.grade.caps {
            let _ = writeln!(
                out,
                "  {} ≤ {}: {}",
                label(&format!("cap_{}", cap.rule.replace('-', "_"))),
                cap.max,
                cap.checks.join(", ")
            );
        }
        for family in &scores.families {
            let name = label(&format!("family_{}", family.scope.replace('-', "_")));
            if family.coverage > 0.0 {
                let _ = writeln!(
                    out,
                    "  {name:<32} {:>4}  ({} {} %)",
                    family.score.map(num).unwrap_or_default(),
                    label("coverage"),
                    num(family.coverage)
                );
            } else {
                let _ = writeln!(out, "  {name:<32}    –  ({})", label("not_assessed_family"));
            }
        }
    }

    /// One line per baseline the report shows: its score and range, and the row statuses;
    /// for a maturity model the stage of each pillar.
    fn baselines(&self, out: &mut String) {
        let result = self.result;
        let lang = result.lang;
        let label = |key: &str| self.label(key);
        let shown: Vec<&crate::scoring::baselines::BaselineResult> = result
            .baselines_shown
            .iter()
            .filter_map(|id| result.baselines.iter().find(|b| &b.id == id))
            .collect();
        if shown.is_empty() {
            return;
        }
        let _ = writeln!(out, "{}:", label("baselines"));
        for b in shown {
            let name = b.short_title.get(lang);
            if b.kind == crate::baselines::BaselineKind::Maturity {
                let pillars: Vec<String> = b
                    .pillars
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {}",
                            p.title.get(lang),
                            super::stage_text(p.stage, p.next_not_verifiable, &self.l)
                        )
                    })
                    .collect();
                let _ = writeln!(out, "  {name:<32} {}", pillars.join(" · "));
                continue;
            }
            let counts = super::status_counts(b, &self.l);
            match b.score.score {
                Some(score) => {
                    let _ = writeln!(
                        out,
                        "  {name:<32} {:>4}  ({}–{}, {} {} %) · {counts}",
                        self.num(score),
                        self.num(b.score.floor),
                        self.num(b.score.ceiling),
                        label("coverage"),
                        self.num(b.score.coverage),
                    );
                }
                None => {
                    let _ = writeln!(out, "  {name:<32}    –  ({})", label("not_assessed_family"));
                }
            }
        }
    }

    /// The manual items: how many, which are open, and the answered ones.
    fn manual_items(&self, out: &mut String) {
        let result = self.result;
        let label = |key: &str| self.label(key);
        if !result.manual.is_empty() {
            let open: Vec<&str> = result
                .manual
                .iter()
                .filter(|m| m.attestation.is_none())
                .map(|m| m.control.as_str())
                .collect();
            let _ = writeln!(
                out,
                "{} ({}, {}): {}",
                label("manual_items"),
                result.manual.len(),
                label("manual_not_scored"),
                if open.is_empty() {
                    "–".to_owned()
                } else {
                    format!("{} {}", label("manual_open"), open.join(", "))
                }
            );
            for item in result.manual.iter().filter(|m| m.attestation.is_some()) {
                let _ = writeln!(
                    out,
                    "  {:<7} {}",
                    item.control,
                    super::html::manual_answer(item, &self.l)
                );
            }
        }
    }

    /// The failed checks, most severe first, and the count of checks in error.
    fn failures(&self, out: &mut String) {
        let result = self.result;
        let lang = result.lang;
        let label = |key: &str| self.label(key);
        let mut failed: Vec<_> = result
            .findings
            .iter()
            .filter(|f| f.state == ResultState::Fail)
            .collect();
        failed.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.check_id.cmp(&b.check_id))
                .then(a.asset.cmp(&b.asset))
        });
        if failed.is_empty() {
            let _ = writeln!(out, "{}", label("no_failures"));
        } else {
            let _ = writeln!(out, "{} ({}):", label("failed_checks"), failed.len());
            for f in failed {
                let title = result
                    .check(&f.check_id)
                    .map(|d| d.title.get(lang).to_owned())
                    .unwrap_or_default();
                // A severity raised by the asset's protection needs says so.
                let raised = if f.schutzbedarf == crate::checks::Schutzbedarf::Normal {
                    String::new()
                } else {
                    format!(" ({} {})", label("schutzbedarf"), f.schutzbedarf.as_str())
                };
                let _ = writeln!(
                    out,
                    "  [{:<8}] {:<28} {:<16} {title}{raised}  {}",
                    f.severity.as_str(),
                    f.check_id,
                    f.asset,
                    evidence_text(&f.evidence)
                );
            }
        }
        // Waived findings stay visible, apart from the failures; an expired waiver is a failure
        // again and is listed above, and here with its waiver.
        let waived: Vec<_> = result
            .findings
            .iter()
            .filter(|f| f.waiver.is_some())
            .collect();
        if !waived.is_empty() {
            let _ = writeln!(out, "{} ({}):", label("waived"), waived.len());
            for f in waived {
                let Some(w) = &f.waiver else { continue };
                let state = if w.expired {
                    label("waiver_expired")
                } else {
                    label(&format!("state_{}", f.state.as_str()))
                };
                let _ = writeln!(
                    out,
                    "  [{state}] {:<28} {:<16} {} ({} {}, {} {}; {})",
                    f.check_id,
                    f.asset,
                    w.reason,
                    label("waiver_by"),
                    w.approver,
                    label("waiver_until"),
                    w.expires,
                    w.source
                );
            }
        }
        let errors = result
            .findings
            .iter()
            .filter(|f| f.state == ResultState::Error)
            .count();
        if errors > 0 {
            let _ = writeln!(out, "{}: {errors}", label("state_error"));
        }
    }
}
