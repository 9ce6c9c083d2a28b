//! What management reads first: the cover, the executive summary with the three biggest
//! risks, the roadmap ordered by points gained per fix, and the charts. Both the HTML report
//! and the PDF take these from here.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::charts;
use super::{ScanResult, format_number};
use crate::checks::Severity;
use crate::checks::eval::ResultState;

/// Who the report is for and by whom (`--customer`, `--assessor`, `--title` or a
/// `report.yaml`); kept in the result so a re-rendered report keeps its cover.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportInfo {
    /// The customer (organisation assessed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// The report title; the report's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Who assessed (name, company).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessor: Option<String>,
    /// The scope in words, when the targets alone do not say it ("Standort Köln, Server-VLAN").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The legal notice at the foot of the cover; the report's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_notice: Option<String>,
    /// The accent colour of titles, headings and the HTML header, as `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent: Option<String>,
}

/// Whether `colour` is written `#rrggbb`.
pub fn is_hex_colour(colour: &str) -> bool {
    colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit())
}

impl ReportInfo {
    /// `other`'s fields where this one has none.
    pub fn or(self, other: Self) -> Self {
        Self {
            customer: self.customer.or(other.customer),
            title: self.title.or(other.title),
            assessor: self.assessor.or(other.assessor),
            scope: self.scope.or(other.scope),
            legal_notice: self.legal_notice.or(other.legal_notice),
            accent: self.accent.or(other.accent),
        }
    }
}

/// The report's own accent colour.
pub const DEFAULT_ACCENT: &str = "#1e3a8a";

/// One earlier run for the trend chart.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct HistoryPoint {
    /// The reference time of that run.
    #[schemars(with = "String")]
    pub as_of: jiff::Timestamp,
    /// Its overall score, if anything was assessed.
    pub score: Option<f64>,
    /// Its overall coverage.
    pub coverage: f64,
}

/// Earlier runs kept in a result's history (the oldest fall off).
pub const HISTORY_KEPT: usize = 11;

/// The history of `previous` plus `previous` itself, oldest first.
pub fn history_with(previous: &ScanResult) -> Vec<HistoryPoint> {
    let mut history = previous.history.clone();
    history.push(HistoryPoint {
        as_of: previous.as_of,
        score: previous.scores.overall.score,
        coverage: previous.scores.overall.coverage,
    });
    let excess = history.len().saturating_sub(HISTORY_KEPT);
    history.drain(..excess);
    history
}

#[derive(Serialize)]
pub(crate) struct CoverView {
    pub title: String,
    pub customer: String,
    pub assessor: String,
    pub scope: String,
    pub legal_notice: String,
    /// `#rrggbb`: the given colour when it is one, else the report's own.
    pub accent: String,
}

#[derive(Serialize)]
pub(crate) struct RiskView {
    pub check_id: String,
    pub title: String,
    pub severity: String,
    pub severity_css: String,
    pub risk: String,
    pub gain: String,
    pub assets: usize,
}

#[derive(Serialize)]
pub(crate) struct RoadmapItem {
    pub rank: usize,
    pub check_id: String,
    pub control: String,
    pub title: String,
    pub severity: String,
    pub severity_css: String,
    pub effort: String,
    pub effort_css: String,
    pub gain: String,
    pub assets: String,
    pub asset_count: usize,
    pub remediation: String,
}

#[derive(Serialize)]
pub(crate) struct ChartsView {
    pub gauge: String,
    pub families: String,
    pub severities: String,
    pub baselines: String,
    pub ztmm: Option<String>,
    pub trend: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct SummaryView {
    /// One plain-language paragraph: score, grade, coverage, failures.
    pub verdict: String,
    pub risks: Vec<RiskView>,
    /// The first steps: the roadmap's top three in one line each.
    pub first_steps: Vec<String>,
    /// Failing findings per severity, most severe first.
    pub severity_counts: Vec<(String, String, usize)>,
}

fn label(l: &BTreeMap<String, String>, key: &str) -> String {
    l.get(key).cloned().unwrap_or_else(|| key.to_owned())
}

/// The cover: the given title and customer, else the report's own words.
pub(crate) fn cover(result: &ScanResult, l: &BTreeMap<String, String>) -> CoverView {
    let info = &result.report_info;
    let scope = info.scope.clone().unwrap_or_else(|| {
        let mut parts = Vec::new();
        if let Some(scan) = &result.facts.scan {
            parts.push(scan.targets.join(" "));
        }
        let files = result.facts.evidence_files.len();
        if files > 0 {
            parts.push(format!("{files} {}", label(l, "evidence_files")));
        }
        parts.join(" · ")
    });
    CoverView {
        title: info
            .title
            .clone()
            .unwrap_or_else(|| label(l, "report_title")),
        customer: info.customer.clone().unwrap_or_default(),
        assessor: info.assessor.clone().unwrap_or_default(),
        scope,
        legal_notice: info
            .legal_notice
            .clone()
            .unwrap_or_else(|| label(l, "legal_notice")),
        // A result file is read back from disk: only a colour reaches the stylesheets.
        accent: info
            .accent
            .clone()
            .filter(|c| is_hex_colour(c))
            .unwrap_or_else(|| DEFAULT_ACCENT.to_owned()),
    }
}

/// Points the overall score gains when `check` passes everywhere: its lost weight over the
/// assessed weight of its family, averaged over the assessed families as the overall score is.
pub(crate) fn points_gained(result: &ScanResult) -> BTreeMap<String, f64> {
    let scores = &result.scores;
    let covered = scores.families.iter().filter(|f| f.coverage > 0.0).count();
    let mut assessed_weight: BTreeMap<crate::checks::Family, f64> = BTreeMap::new();
    for item in scores.checks.iter().filter(|c| c.applicable && c.assessed) {
        *assessed_weight.entry(item.family).or_default() += f64::from(item.weight);
    }
    scores
        .checks
        .iter()
        .filter(|c| c.lost > 0.0)
        .map(|c| {
            let weight = assessed_weight.get(&c.family).copied().unwrap_or(0.0);
            let gain = if weight > 0.0 && covered > 0 {
                100.0 * c.lost / weight / covered as f64
            } else {
                0.0
            };
            (c.check_id.clone(), gain)
        })
        .collect()
}

fn effort_rank(effort: Option<crate::checks::Effort>) -> u8 {
    effort.map_or(1, |e| e as u8)
}

/// Every failing check, the most points gained per effort step first, then the higher
/// severity.
pub(crate) fn roadmap(result: &ScanResult, l: &BTreeMap<String, String>) -> Vec<RoadmapItem> {
    let lang = result.lang;
    let gains = points_gained(result);
    let mut items: Vec<(&crate::scoring::CheckScore, f64)> = result
        .scores
        .checks
        .iter()
        .filter(|c| c.lost > 0.0)
        .map(|c| (c, gains.get(&c.check_id).copied().unwrap_or(0.0)))
        .collect();
    let effort_of = |id: &str| result.check(id).and_then(|d| d.effort);
    items.sort_by(|(a, gain_a), (b, gain_b)| {
        // Points per effort step (low 1, medium 2, high 3; unknown counts as medium).
        let per_effort = |gain: f64, id: &str| gain / f64::from(effort_rank(effort_of(id)) + 1);
        per_effort(*gain_b, &b.check_id)
            .total_cmp(&per_effort(*gain_a, &a.check_id))
            .then(b.severity.cmp(&a.severity))
            .then(a.check_id.cmp(&b.check_id))
    });
    items
        .into_iter()
        .enumerate()
        .map(|(index, (c, gain))| {
            let def = result.check(&c.check_id);
            let effort = def.and_then(|d| d.effort);
            let assets: Vec<&str> = result
                .findings
                .iter()
                .filter(|f| f.check_id == c.check_id && f.state == ResultState::Fail)
                .map(|f| f.asset.as_str())
                .collect();
            RoadmapItem {
                rank: index + 1,
                check_id: c.check_id.clone(),
                control: c.control.clone(),
                title: def.map_or(c.check_id.clone(), |d| d.title.get(lang).to_owned()),
                severity: label(l, &format!("severity_{}", c.severity.as_str())),
                severity_css: c.severity.as_str().to_owned(),
                effort: effort.map_or_else(
                    || label(l, "effort_unknown"),
                    |e| label(l, &format!("effort_{}", e.as_str())),
                ),
                effort_css: effort.map_or("unknown", |e| e.as_str()).to_owned(),
                gain: format!("+{}", format_number(gain, 1, lang)),
                asset_count: assets.len(),
                assets: shorten(&assets, 8),
                remediation: def
                    .map(|d| d.remediation.get(lang).trim().to_owned())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn shorten(items: &[&str], shown: usize) -> String {
    let mut text = items
        .iter()
        .take(shown)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > shown {
        text.push_str(&format!(" … +{}", items.len() - shown));
    }
    text
}

/// The executive summary: the verdict in words, the three checks that lose the most points
/// with their one-sentence risk, and the first three steps of the roadmap.
pub(crate) fn summary(
    result: &ScanResult,
    roadmap: &[RoadmapItem],
    l: &BTreeMap<String, String>,
) -> SummaryView {
    let lang = result.lang;
    let gains = points_gained(result);
    let risks = result
        .scores
        .checks
        .iter()
        .filter(|c| c.lost > 0.0)
        .take(3)
        .map(|c| {
            let def = result.check(&c.check_id);
            RiskView {
                check_id: c.check_id.clone(),
                title: def.map_or(c.check_id.clone(), |d| d.title.get(lang).to_owned()),
                severity: label(l, &format!("severity_{}", c.severity.as_str())),
                severity_css: c.severity.as_str().to_owned(),
                risk: def
                    .and_then(|d| d.risk.as_ref())
                    .map_or_else(
                        || def.map(|d| d.description.get(lang).trim().to_owned()),
                        |r| Some(r.get(lang).to_owned()),
                    )
                    .unwrap_or_default(),
                gain: format!(
                    "+{}",
                    format_number(gains.get(&c.check_id).copied().unwrap_or(0.0), 1, lang)
                ),
                assets: result
                    .findings
                    .iter()
                    .filter(|f| f.check_id == c.check_id && f.state == ResultState::Fail)
                    .count(),
            }
        })
        .collect();
    let first_steps = roadmap
        .iter()
        .take(3)
        .map(|item| {
            format!(
                "{} ({} {}, {} {})",
                item.title,
                item.gain,
                label(l, "points"),
                label(l, "effort"),
                item.effort
            )
        })
        .collect();
    SummaryView {
        verdict: verdict(result, l),
        risks,
        first_steps,
        severity_counts: severity_counts(result, l),
    }
}

fn severity_counts(
    result: &ScanResult,
    l: &BTreeMap<String, String>,
) -> Vec<(String, String, usize)> {
    [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .into_iter()
    .map(|severity| {
        (
            severity.as_str().to_owned(),
            label(l, &format!("severity_{}", severity.as_str())),
            result
                .findings
                .iter()
                .filter(|f| f.state == ResultState::Fail && f.severity == severity)
                .count(),
        )
    })
    .collect()
}

/// The verdict in one paragraph, from the label's placeholders.
fn verdict(result: &ScanResult, l: &BTreeMap<String, String>) -> String {
    let lang = result.lang;
    let overall = &result.scores.overall;
    let failed: usize = result
        .scores
        .checks
        .iter()
        .filter(|c| c.failed_severity.is_some())
        .count();
    let key = match overall.score {
        None => "verdict_none",
        Some(_) if result.scores.grade.letter.is_none() => "verdict_no_grade",
        Some(_) => "verdict",
    };
    label(l, key)
        .replace(
            "{score}",
            &overall
                .score
                .map_or("–".into(), |s| format_number(s, 0, lang)),
        )
        .replace(
            "{grade}",
            result.scores.grade.letter.as_deref().unwrap_or("–"),
        )
        .replace("{coverage}", &format_number(overall.coverage, 0, lang))
        .replace("{range}", &super::overall_range(&result.scores, lang))
        .replace("{failed}", &failed.to_string())
        .replace(
            "{assets}",
            &super::format_count(
                result
                    .findings
                    .iter()
                    .map(|f| f.asset.as_str())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len() as u64,
                lang,
            ),
        )
}

/// The charts, drawn once for both reports.
pub(crate) fn charts(
    result: &ScanResult,
    l: &BTreeMap<String, String>,
    summary: &SummaryView,
) -> ChartsView {
    let lang = result.lang;
    let overall = &result.scores.overall;
    let num = |v: f64| format_number(v, 0, lang);
    let caption = format!(
        "{} {} % · {} {}",
        label(l, "coverage"),
        num(overall.coverage),
        label(l, "range"),
        super::overall_range(&result.scores, lang)
    );
    let score_text = overall.score.map_or("–".into(), num);
    let grade = format!(
        "{} {}",
        label(l, "grade"),
        result.scores.grade.letter.as_deref().unwrap_or("–")
    );
    let family_bars: Vec<charts::Bar> = result
        .scores
        .families
        .iter()
        .map(|f| charts::Bar {
            label: label(l, &format!("family_{}", f.scope.replace('-', "_"))),
            value: f.score,
            range: (f.coverage > 0.0).then_some((f.floor, f.ceiling)),
            text: f.score.map_or_else(|| label(l, "not_assessed_family"), num),
        })
        .collect();
    let shown: Vec<&crate::scoring::baselines::BaselineResult> = result
        .baselines_shown
        .iter()
        .filter_map(|id| result.baselines.iter().find(|b| &b.id == id))
        .collect();
    let baseline_bars: Vec<charts::Bar> = shown
        .iter()
        .map(|b| charts::Bar {
            label: b.short_title.get(lang).to_owned(),
            value: b.score.score,
            range: (b.score.coverage > 0.0).then_some((b.score.floor, b.score.ceiling)),
            text: b
                .score
                .score
                .map_or_else(|| label(l, "not_assessed_family"), num),
        })
        .collect();
    let ztmm = shown.iter().find(|b| !b.pillars.is_empty()).map(|b| {
        let stages: Vec<String> = ["traditional", "initial", "advanced", "optimal"]
            .iter()
            .map(|s| label(l, &format!("stage_{s}")))
            .collect();
        let rows: Vec<charts::PillarRow> = b
            .pillars
            .iter()
            .map(|p| charts::PillarRow {
                label: p.title.get(lang).to_owned(),
                reached: p.stage.map(|s| s as usize),
                next_unverified: p.next_not_verifiable,
            })
            .collect();
        charts::stage_heatmap(&rows, &stages, &label(l, "chart_ztmm"))
    });
    let trend = (!result.history.is_empty()).then(|| {
        let mut points: Vec<charts::TrendPoint> = result
            .history
            .iter()
            .filter_map(|h| {
                Some(charts::TrendPoint {
                    label: super::html::format_date(h.as_of, lang),
                    score: h.score?,
                })
            })
            .collect();
        if let Some(score) = overall.score {
            points.push(charts::TrendPoint {
                label: super::html::format_date(result.as_of, lang),
                score,
            });
        }
        charts::trend(&points, &label(l, "chart_trend"))
    });
    ChartsView {
        gauge: charts::gauge(&charts::Gauge {
            score: overall.score,
            floor: overall.floor,
            ceiling: overall.ceiling,
            score_text: &score_text,
            grade: &grade,
            caption: &caption,
            title: &label(l, "chart_gauge"),
        }),
        families: charts::bars(&family_bars, &label(l, "chart_families")),
        baselines: charts::bars(&baseline_bars, &label(l, "chart_baselines")),
        severities: charts::severities(
            &summary
                .severity_counts
                .iter()
                .map(|(severity, name, count)| charts::SeverityCount {
                    severity: severity.clone(),
                    label: name.clone(),
                    count: *count as u64,
                })
                .collect::<Vec<_>>(),
            &label(l, "chart_severities"),
        ),
        ztmm,
        trend,
    }
}
