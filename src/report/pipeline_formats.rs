//! Formats for pipelines: a CSV of every finding (`--format csv`) and a Markdown summary for a
//! pull-request or merge-request comment (`--format md`).

use std::fmt::Write as _;

use super::html::{evidence_text, labels};
use super::{ScanResult, format_number};
use crate::checks::eval::ResultState;
use crate::error::RunError;

/// GitHub refuses comments over 65,536 characters; the summary stays well below.
const COMMENT_LIMIT: usize = 60_000;

/// The findings CSV heads.
pub const CSV_COLUMNS: [&str; 15] = [
    "fingerprint",
    "check_id",
    "control",
    "family",
    "severity",
    "schutzbedarf",
    "asset",
    "asset_names",
    "state",
    "novelty",
    "waiver",
    "waiver_expires",
    "title",
    "evidence",
    "reason",
];

/// Every finding except those not applicable, one row each (RFC 4180, UTF-8, comma).
pub(crate) fn findings_csv(result: &ScanResult) -> Result<Vec<u8>, RunError> {
    let error = |e: csv::Error| RunError::Render {
        format: "csv".into(),
        message: e.to_string(),
    };
    let mut out = Vec::new();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(CSV_COLUMNS).map_err(error)?;
        for f in result
            .findings
            .iter()
            .filter(|f| f.state != ResultState::NotApplicable)
        {
            let title = result
                .check(&f.check_id)
                .map(|d| d.title.get(result.lang).to_owned())
                .unwrap_or_default();
            let waiver = f.waiver.as_ref();
            writer
                .write_record([
                    f.fingerprint.clone(),
                    f.check_id.clone(),
                    f.control.clone(),
                    f.family.as_str().to_owned(),
                    f.severity.as_str().to_owned(),
                    f.schutzbedarf.as_str().to_owned(),
                    inert(&f.asset),
                    inert(&f.asset_names.join(" ")),
                    f.state.as_str().to_owned(),
                    f.novelty
                        .map(|n| format!("{n:?}").to_lowercase())
                        .unwrap_or_default(),
                    waiver
                        .map(|w| {
                            if w.expired {
                                "expired".to_owned()
                            } else {
                                format!("{:?}", w.kind).to_lowercase()
                            }
                        })
                        .unwrap_or_default(),
                    waiver.map(|w| w.expires.clone()).unwrap_or_default(),
                    inert(&title),
                    inert(&evidence_text(&f.evidence)),
                    inert(f.reason.as_deref().unwrap_or_default()),
                ])
                .map_err(error)?;
        }
        writer.flush().map_err(|e| RunError::Render {
            format: "csv".into(),
            message: e.to_string(),
        })?;
    }
    Ok(out)
}

/// A cell a spreadsheet will not run as a formula.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Markdown cell text: no pipes or line breaks that would break the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// The labels of a result's language.
struct Md<'r> {
    result: &'r ScanResult,
    l: std::collections::BTreeMap<String, String>,
}

impl Md<'_> {
    fn label(&self, key: &str) -> String {
        self.l.get(key).cloned().unwrap_or_else(|| key.to_owned())
    }

    fn num(&self, v: f64) -> String {
        format_number(v, 0, self.result.lang)
    }

    /// Grade, score and the gates.
    fn head(&self, out: &mut String) {
        let scores = &self.result.scores;
        let _ = writeln!(out, "### postura: {}\n", self.label("report_title"));
        let _ = writeln!(
            out,
            "**{}: {}** · {} {} ({}–{}, {} {} %)\n",
            self.label("grade"),
            scores.grade.letter.as_deref().unwrap_or("–"),
            self.label("score"),
            scores
                .overall
                .score
                .map(|v| self.num(v))
                .unwrap_or_else(|| "–".into()),
            self.num(scores.overall.floor),
            self.num(scores.overall.ceiling),
            self.label("coverage"),
            self.num(scores.overall.coverage)
        );
        if self.result.gate_failures.is_empty() {
            let _ = writeln!(out, "✅ {}\n", self.label("gates_passed"));
        } else {
            let _ = writeln!(out, "❌ {}:\n", self.label("gates_failed"));
            for failure in &self.result.gate_failures {
                let _ = writeln!(out, "- {}", cell(failure));
            }
            out.push('\n');
        }
    }

    /// One row per family and per shown baseline.
    fn scores(&self, out: &mut String) {
        let result = self.result;
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            self.label("family"),
            self.label("score"),
            self.label("coverage")
        );
        let _ = writeln!(out, "|---|---:|---:|");
        for family in &result.scores.families {
            let name = self.label(&format!("family_{}", family.scope.replace('-', "_")));
            match family.score {
                Some(score) => {
                    let _ = writeln!(
                        out,
                        "| {name} | {} | {} % |",
                        self.num(score),
                        self.num(family.coverage)
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "| {name} | – | {} |",
                        self.label("not_assessed_family")
                    );
                }
            }
        }
        for id in &result.baselines_shown {
            let Some(b) = result.baselines.iter().find(|b| &b.id == id) else {
                continue;
            };
            let value = match b.kind {
                crate::baselines::BaselineKind::Maturity => b
                    .pillars
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {}",
                            p.title.get(result.lang),
                            super::stage_text(p.stage, p.next_not_verifiable, &self.l)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" · "),
                crate::baselines::BaselineKind::Requirements => b
                    .score
                    .score
                    .map(|v| self.num(v))
                    .unwrap_or_else(|| "–".into()),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} % |",
                cell(b.short_title.get(result.lang)),
                cell(&value),
                self.num(b.score.coverage)
            );
        }
        out.push('\n');
    }

    /// The failures: only the new ones when the run knew a previous result.
    fn findings(&self, out: &mut String) {
        let result = self.result;
        let failed: Vec<_> = result
            .findings
            .iter()
            .filter(|f| f.state == ResultState::Fail)
            .collect();
        let compared =
            failed.iter().any(|f| f.novelty.is_some()) || !result.fixed_since_previous.is_empty();
        let mut listed: Vec<_> = failed
            .iter()
            .filter(|f| !compared || f.novelty == Some(super::diff::Novelty::New))
            .copied()
            .collect();
        if compared {
            let _ = writeln!(
                out,
                "**{}: {}** · {}: {} · {}: {}\n",
                self.label("new_findings"),
                listed.len(),
                self.label("known_findings"),
                failed.len() - listed.len(),
                self.label("fixed_findings"),
                result.fixed_since_previous.len()
            );
            for fixed in result.fixed_since_previous.iter().take(20) {
                let _ = writeln!(
                    out,
                    "- ✔ `{}` {} ({})",
                    fixed.check_id,
                    cell(&fixed.asset),
                    fixed.severity.as_str()
                );
            }
            if !result.fixed_since_previous.is_empty() {
                out.push('\n');
            }
        }
        listed.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.check_id.cmp(&b.check_id))
        });
        if listed.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            self.label("severity"),
            self.label("result"),
            self.label("affected"),
            self.label("evidence")
        );
        let _ = writeln!(out, "|---|---|---|---|");
        let mut shown = 0;
        for f in &listed {
            let title = result
                .check(&f.check_id)
                .map(|d| d.title.get(result.lang).to_owned())
                .unwrap_or_default();
            let mut evidence = evidence_text(&f.evidence);
            if evidence.chars().count() > 200 {
                evidence = evidence.chars().take(200).collect::<String>() + "…";
            }
            let line = format!(
                "| {} | {} (`{}`) | `{}` | {} |\n",
                f.severity.as_str(),
                cell(&title),
                f.check_id,
                cell(&f.asset),
                cell(&evidence)
            );
            if out.len() + line.len() > COMMENT_LIMIT - 2_000 {
                break;
            }
            out.push_str(&line);
            shown += 1;
        }
        if shown < listed.len() {
            let _ = writeln!(
                out,
                "\n… {} {}",
                listed.len() - shown,
                self.label("more_in_report")
            );
        }
        out.push('\n');
    }

    /// Waived findings and the top actions: the line items that lose the most points.
    fn actions(&self, out: &mut String) {
        let result = self.result;
        let waived = result
            .findings
            .iter()
            .filter(|f| f.waiver.is_some())
            .count();
        if waived > 0 {
            let _ = writeln!(out, "{}: {waived}\n", self.label("waived"));
        }
        let actions: Vec<_> = result
            .scores
            .checks
            .iter()
            .filter(|c| c.lost > 0.0)
            .take(5)
            .collect();
        if actions.is_empty() {
            return;
        }
        let _ = writeln!(out, "**{}**\n", self.label("remediation_plan"));
        for (i, item) in actions.iter().enumerate() {
            let remediation = result
                .check(&item.check_id)
                .map(|d| d.remediation.get(result.lang).trim().to_owned())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{}. `{}` ({}): {}",
                i + 1,
                item.check_id,
                item.severity.as_str(),
                cell(&remediation)
            );
        }
        out.push('\n');
    }
}

/// The summary for a pull-request comment: grade, scores, gates, the new (or all) failures,
/// the top actions.
pub(crate) fn markdown(result: &ScanResult) -> String {
    let md = Md {
        result,
        l: labels(result.lang),
    };
    let mut out = String::new();
    md.head(&mut out);
    md.scores(&mut out);
    md.findings(&mut out);
    md.actions(&mut out);
    let _ = writeln!(
        out,
        "<sub>{} {} · {}</sub>",
        result.tool.name, result.tool.version, result.generated_at
    );
    if out.len() > COMMENT_LIMIT {
        let mut cut = COMMENT_LIMIT;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}
