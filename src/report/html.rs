//! The HTML report: a tera template from `report-templates/`, filled with a view model built
//! here. Numbers and dates are formatted in Rust for the report language; the template only
//! places them. Autoescaping is on, so banners and other text a scanned host sent cannot
//! inject markup.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{ScanResult, format_number};
use crate::checks::eval::ResultState;
use crate::checks::{Lang, Localized, Severity};
use crate::error::RunError;
use crate::facts::{HostState, PortState};
use crate::scoring::GradeStatus;

pub(super) const TEMPLATE: &str = include_str!("../../report-templates/report.html.tera");
const LABELS: &str = include_str!("../../report-templates/labels.yaml");
/// The findings filter. The report's Content-Security-Policy admits this script by its hash
/// and nothing else, so no other script can run and nothing is fetched.
const FILTER_SCRIPT: &str = include_str!("../../report-templates/filter.js");

fn script_hash(script: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()))
}

/// UI labels in both languages, from `report-templates/labels.yaml`.
pub fn labels(lang: Lang) -> BTreeMap<String, String> {
    let all: BTreeMap<String, Localized> = serde_saphyr::from_str(LABELS).unwrap_or_default();
    all.into_iter()
        .map(|(k, v)| (k, v.get(lang).to_owned()))
        .collect()
}

#[derive(Serialize)]
pub(super) struct View {
    lang: &'static str,
    /// The cover: title, customer, assessor, scope.
    cover: super::management::CoverView,
    /// The logo of a consultancy's templates: its file name (typst) and a data URI (HTML).
    logo: Option<(String, String)>,
    /// The executive summary.
    summary: super::management::SummaryView,
    /// Every failing check, most points per effort first.
    roadmap: Vec<super::management::RoadmapItem>,
    /// The charts as SVG.
    charts: super::management::ChartsView,
    /// The reference time as a date (the cover and the page footer).
    date: String,
    /// Every finding as one filterable row.
    finding_lines: Vec<FindingLine>,
    /// The filter script and its hash for the Content-Security-Policy.
    script: &'static str,
    script_hash: String,
    /// The values the filters offer, each with its label.
    filters: FilterOptions,
    /// Per asset: what failed or could not be judged there.
    assets: Vec<AssetView>,
    l: BTreeMap<String, String>,
    generated_at: String,
    /// The reference time, when it is not the time of the run (`--as-of`).
    as_of: Option<String>,
    tool: String,
    scan: Option<ScanView>,
    grade: GradeView,
    overall: ScoreView,
    families: Vec<FamilyView>,
    remediation_plan: Vec<PlanItem>,
    checks: Vec<CheckView>,
    manual_items: Vec<ManualView>,
    hosts: Vec<HostView>,
    hosts_total: u64,
    evidence_files: Vec<EvidenceFileView>,
    hosts_up: u64,
    tls_grades: Vec<TlsGradeView>,
    /// The baselines the report shows.
    baselines: Vec<super::baseline_view::BaselineView>,
    /// Heading and coverage of an interrupted run.
    incomplete: Option<IncompleteView>,
}

/// One finding in the filterable table, with its raw evidence.
#[derive(Serialize)]
struct FindingLine {
    asset: String,
    check_id: String,
    title: String,
    family: String,
    family_label: String,
    severity: String,
    severity_css: String,
    state: String,
    state_css: String,
    control: String,
    detail: String,
    /// The evidence as the JSON result holds it.
    evidence: String,
}

#[derive(Serialize, Default)]
struct FilterOptions {
    families: Vec<(String, String)>,
    severities: Vec<(String, String)>,
    states: Vec<(String, String)>,
    assets: Vec<String>,
    controls: Vec<String>,
}

#[derive(Serialize)]
struct AssetView {
    asset: String,
    counts: String,
    open: Vec<AssetFinding>,
}

#[derive(Serialize)]
struct AssetFinding {
    check_id: String,
    title: String,
    severity: String,
    severity_css: String,
    state: String,
    state_css: String,
}

#[derive(Serialize)]
struct IncompleteView {
    title: String,
    covered: String,
}

#[derive(Serialize)]
struct TlsGradeView {
    endpoint: String,
    grade: String,
    score: u32,
    caps: String,
}

#[derive(Serialize)]
struct ScanView {
    /// The life-cycle data and its snapshot date.
    lifecycle_data: String,
    tls_profile: String,
    targets: String,
    ports: String,
    profile: String,
    duration: String,
}

#[derive(Serialize)]
struct GradeView {
    letter: String,
    css: String,
    status: String,
    band: String,
    caps: Vec<String>,
}

#[derive(Serialize)]
struct ScoreView {
    score: String,
    range: String,
    coverage: String,
}

#[derive(Serialize)]
struct FamilyView {
    name: String,
    assessed: bool,
    score: String,
    range: String,
    coverage: String,
    checks: String,
    failed: u32,
}

#[derive(Serialize)]
struct PlanItem {
    rank: usize,
    check_id: String,
    title: String,
    severity: String,
    severity_css: String,
    lost: String,
    assets: String,
    remediation: String,
}

#[derive(Serialize)]
struct CheckView {
    id: String,
    control: String,
    title: String,
    severity: String,
    severity_css: String,
    description: String,
    remediation: String,
    references: Vec<String>,
    summary: String,
    worst_css: String,
    rows: Vec<FindingRow>,
}

/// A manual (attestation) item: what the assessor verifies, with room for the answer.
#[derive(Serialize)]
struct ManualView {
    id: String,
    control: String,
    family: String,
    title: String,
    severity: String,
    severity_css: String,
    description: String,
    attestation: String,
    references: Vec<String>,
    /// The assessor's answer, or "open".
    answer: String,
    /// `met`, `not_met` or `open`.
    answer_css: &'static str,
}

#[derive(Serialize)]
struct FindingRow {
    asset: String,
    state: String,
    state_css: String,
    detail: String,
}

#[derive(Serialize)]
struct EvidenceFileView {
    path: String,
    format: String,
    status: String,
    asset: String,
    records: u64,
    error: String,
    failed: bool,
    /// How the file was given its asset, when its folder did not say.
    placement: String,
}

#[derive(Serialize)]
struct HostView {
    address: String,
    names: String,
    state: String,
    rtt: String,
    counts: String,
    ports: Vec<PortView>,
    errors: Vec<String>,
    /// Patch state and operating system from the evidence, one sentence each.
    patch: Vec<String>,
    /// The addresses of a group of counted hosts.
    addresses: String,
}

/// At most this many address ranges of a group of counted hosts are shown.
const SHOWN_RANGES: usize = 40;

#[derive(Serialize)]
struct PortView {
    port: u16,
    protocol: &'static str,
    state: String,
    service: String,
    product: String,
    banner: String,
    notes: String,
}

fn label_of(l: &BTreeMap<String, String>, key: &str) -> String {
    l.get(key).cloned().unwrap_or_else(|| key.to_owned())
}

fn state_label(l: &BTreeMap<String, String>, state: ResultState) -> String {
    l.get(&format!("state_{}", state.as_str()))
        .cloned()
        .unwrap_or_else(|| state.as_str().to_owned())
}

fn severity_label(l: &BTreeMap<String, String>, severity: Severity) -> String {
    l.get(&format!("severity_{}", severity.as_str()))
        .cloned()
        .unwrap_or_else(|| severity.as_str().to_owned())
}

/// Renders the HTML report of `result` in the result's language.
pub(crate) fn render_html(
    result: &ScanResult,
    templates: &super::Templates,
) -> Result<String, RunError> {
    let view = build_view(result, templates);
    let mut tera = tera::Tera::new();
    let error = |e: tera::Error| RunError::Render {
        format: "html".into(),
        message: format!("{e:#}"),
    };
    tera.add_raw_template("report.html", &templates.html)
        .map_err(error)?;
    let context = tera::Context::from_serialize(&view).map_err(error)?;
    tera.render("report.html", &context).map_err(error)
}

/// The report's view model, one builder per section.
pub(super) fn build_view(result: &ScanResult, templates: &super::Templates) -> View {
    let lang = result.lang;
    let l = labels(lang);
    let roadmap = super::management::roadmap(result, &l);
    let (finding_lines, filters) = finding_lines(result, &l);
    let summary = super::management::summary(result, &roadmap, &l);
    View {
        cover: super::management::cover(result, &l),
        logo: templates.logo(),
        charts: super::management::charts(result, &l, &summary),
        summary,
        roadmap,
        date: format_date(result.as_of, lang),
        finding_lines,
        filters,
        script: FILTER_SCRIPT,
        script_hash: script_hash(FILTER_SCRIPT),
        assets: asset_views(result, &l),
        lang: match lang {
            Lang::De => "de",
            Lang::En => "en",
        },
        generated_at: format_time(result.generated_at, lang),
        as_of: (result.as_of != result.generated_at).then(|| format_time(result.as_of, lang)),
        tool: format!("{} {}", result.tool.name, result.tool.version),
        scan: scan_view(result),
        grade: grade_view(result, &l),
        overall: overall_view(result),
        families: family_views(result, &l),
        remediation_plan: remediation_plan(result, &l),
        checks: check_views(result, &l),
        manual_items: manual_views(result, &l),
        tls_grades: tls_grade_views(result, &l),
        baselines: super::baseline_view::baseline_views(result, &l),
        hosts_total: result.facts.hosts_scanned(),
        hosts_up: result.facts.hosts_up(),
        hosts: host_views(result, &l),
        evidence_files: evidence_file_views(result, &l),
        incomplete: super::interruption_text(result, &l)
            .map(|(title, covered)| IncompleteView { title, covered }),
        l,
    }
}

/// Hosts known only from evidence were never scanned: a network check's "not assessed" on
/// them is no news, and the HTML leaves it out (display only).
fn unscanned_network_row(
    result: &ScanResult,
    evidence_only: &std::collections::BTreeSet<String>,
    f: &crate::checks::eval::Finding,
) -> bool {
    f.state == ResultState::NotAssessed
        && evidence_only.contains(&f.asset)
        && result.check(&f.check_id).is_some_and(|d| {
            matches!(
                d.family,
                crate::checks::Family::ExposedServices | crate::checks::Family::TransportEncryption
            )
        })
}

fn evidence_only_assets(result: &ScanResult) -> std::collections::BTreeSet<String> {
    result
        .facts
        .hosts
        .iter()
        .filter(|h| h.address.is_none())
        .map(crate::facts::HostFacts::asset_id)
        .collect()
}

/// Every finding as a row of the filterable table, most severe failures first, and the
/// values its filters offer.
fn finding_lines(
    result: &ScanResult,
    l: &BTreeMap<String, String>,
) -> (Vec<FindingLine>, FilterOptions) {
    let lang = result.lang;
    let evidence_only = evidence_only_assets(result);
    let mut lines: Vec<(u8, FindingLine)> = result
        .findings
        .iter()
        .filter(|f| !unscanned_network_row(result, &evidence_only, f))
        .filter_map(|f| {
            let def = result.check(&f.check_id)?;
            let family = def.family.as_str().to_owned();
            Some((
                state_rank(f.state),
                FindingLine {
                    asset: f.asset.clone(),
                    check_id: f.check_id.clone(),
                    title: def.title.get(lang).to_owned(),
                    family_label: label_of(l, &format!("family_{}", family.replace('-', "_"))),
                    family,
                    severity: severity_label(l, f.severity),
                    severity_css: f.severity.as_str().to_owned(),
                    state: state_label(l, f.state),
                    state_css: f.state.as_str().to_owned(),
                    control: def.control.clone(),
                    detail: finding_row(f, def, l).detail,
                    evidence: if f.evidence.is_null() {
                        String::new()
                    } else {
                        serde_json::to_string_pretty(&f.evidence).unwrap_or_default()
                    },
                },
            ))
        })
        .collect();
    lines.sort_by(|(rank_a, a), (rank_b, b)| {
        rank_a
            .cmp(rank_b)
            .then(severity_rank(&b.severity_css).cmp(&severity_rank(&a.severity_css)))
            .then(a.check_id.cmp(&b.check_id))
            .then(a.asset.cmp(&b.asset))
    });
    let lines: Vec<FindingLine> = lines.into_iter().map(|(_, line)| line).collect();
    let distinct = |field: fn(&FindingLine) -> &str| {
        lines
            .iter()
            .map(|line| field(line).to_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    };
    let filters = FilterOptions {
        families: distinct(|x| &x.family)
            .into_iter()
            .map(|f| {
                (
                    f.clone(),
                    label_of(l, &format!("family_{}", f.replace('-', "_"))),
                )
            })
            .collect(),
        severities: ["critical", "high", "medium", "low", "info"]
            .into_iter()
            .filter(|s| lines.iter().any(|x| x.severity_css == *s))
            .map(|s| (s.to_owned(), label_of(l, &format!("severity_{s}"))))
            .collect(),
        states: {
            let mut states: Vec<ResultState> = result
                .findings
                .iter()
                .map(|f| f.state)
                .filter(|s| lines.iter().any(|x| x.state_css == s.as_str()))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            states.sort_by_key(|s| state_rank(*s));
            states
                .into_iter()
                .map(|s| (s.as_str().to_owned(), state_label(l, s)))
                .collect()
        },
        assets: distinct(|x| &x.asset),
        controls: distinct(|x| &x.control),
    };
    (lines, filters)
}

fn state_rank(state: ResultState) -> u8 {
    match state {
        ResultState::Fail => 0,
        ResultState::RiskAccepted => 1,
        ResultState::Error => 2,
        ResultState::NotAssessed => 3,
        ResultState::Compensated => 4,
        ResultState::Pass => 5,
        ResultState::NotApplicable => 6,
    }
}

/// One section per asset with what is open there (failed, accepted, in error, not assessed).
fn asset_views(result: &ScanResult, l: &BTreeMap<String, String>) -> Vec<AssetView> {
    let lang = result.lang;
    let evidence_only = evidence_only_assets(result);
    let mut by_asset: BTreeMap<&str, Vec<&crate::checks::eval::Finding>> = BTreeMap::new();
    for f in result
        .findings
        .iter()
        .filter(|f| !unscanned_network_row(result, &evidence_only, f))
    {
        by_asset.entry(f.asset.as_str()).or_default().push(f);
    }
    by_asset
        .into_iter()
        .map(|(asset, findings)| {
            let mut counts: BTreeMap<u8, (ResultState, usize)> = BTreeMap::new();
            for f in &findings {
                counts.entry(state_rank(f.state)).or_insert((f.state, 0)).1 += 1;
            }
            let mut open: Vec<&&crate::checks::eval::Finding> = findings
                .iter()
                .filter(|f| state_rank(f.state) <= 3)
                .collect();
            open.sort_by_key(|f| (state_rank(f.state), std::cmp::Reverse(f.severity)));
            AssetView {
                asset: asset.to_owned(),
                counts: counts
                    .values()
                    .map(|(state, n)| format!("{n} {}", state_label(l, *state)))
                    .collect::<Vec<_>>()
                    .join(" · "),
                open: open
                    .into_iter()
                    .map(|f| AssetFinding {
                        check_id: f.check_id.clone(),
                        title: result
                            .check(&f.check_id)
                            .map_or(f.check_id.clone(), |d| d.title.get(lang).to_owned()),
                        severity: severity_label(l, f.severity),
                        severity_css: f.severity.as_str().to_owned(),
                        state: state_label(l, f.state),
                        state_css: f.state.as_str().to_owned(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The overall grade with its status, band and caps.
fn grade_view(result: &ScanResult, l: &BTreeMap<String, String>) -> GradeView {
    let grade = &result.scores.grade;
    GradeView {
        letter: grade.letter.clone().unwrap_or_else(|| "–".into()),
        css: grade
            .letter
            .clone()
            .unwrap_or_else(|| "none".into())
            .to_ascii_lowercase(),
        status: l
            .get(match grade.status {
                GradeStatus::Final => "grade_final",
                GradeStatus::Provisional => "grade_provisional",
                GradeStatus::NotGradable => "grade_not_gradable",
            })
            .cloned()
            .unwrap_or_default(),
        band: grade.band.clone().unwrap_or_else(|| "–".into()),
        caps: grade
            .caps
            .iter()
            .map(|cap| {
                let rule = l
                    .get(&format!("cap_{}", cap.rule.replace('-', "_")))
                    .cloned()
                    .unwrap_or(cap.rule.clone());
                format!("{rule} → ≤ {}: {}", cap.max, cap.checks.join(", "))
            })
            .collect(),
    }
}

fn number(value: f64, lang: Lang) -> String {
    format_number(value, 0, lang)
}

fn percent(value: f64, lang: Lang) -> String {
    format!("{} %", format_number(value, 0, lang))
}

/// The overall score, its range and coverage.
fn overall_view(result: &ScanResult) -> ScoreView {
    let lang = result.lang;
    let scores = &result.scores;
    let num = |v: f64| number(v, lang);
    ScoreView {
        score: scores.overall.score.map(num).unwrap_or_else(|| "–".into()),
        range: super::overall_range(scores, lang),
        coverage: percent(scores.overall.coverage, lang),
    }
}

/// One score line per family.
fn family_views(result: &ScanResult, l: &BTreeMap<String, String>) -> Vec<FamilyView> {
    let lang = result.lang;
    let scores = &result.scores;
    let num = |v: f64| number(v, lang);
    let pct = |v: f64| percent(v, lang);
    scores
        .families
        .iter()
        .map(|f| FamilyView {
            name: l
                .get(&format!("family_{}", f.scope.replace('-', "_")))
                .cloned()
                .unwrap_or(f.scope.clone()),
            assessed: f.coverage > 0.0,
            score: f.score.map(num).unwrap_or_else(|| "–".into()),
            range: format!("{}–{}", num(f.floor), num(f.ceiling)),
            coverage: pct(f.coverage),
            checks: format!("{}/{}", f.assessed_checks, f.applicable_checks),
            failed: f.failed_checks,
        })
        .collect()
}

/// The ten checks that lose the most points, with the assets to fix.
fn remediation_plan(result: &ScanResult, l: &BTreeMap<String, String>) -> Vec<PlanItem> {
    let lang = result.lang;
    let title_of = |id: &str| {
        result
            .check(id)
            .map(|d| d.title.get(lang).to_owned())
            .unwrap_or_else(|| id.to_owned())
    };
    result
        .scores
        .checks
        .iter()
        .filter(|c| c.lost > 0.0)
        .take(10)
        .enumerate()
        .map(|(i, c)| PlanItem {
            rank: i + 1,
            check_id: c.check_id.clone(),
            title: title_of(&c.check_id),
            severity: severity_label(l, c.severity),
            severity_css: c.severity.as_str().to_owned(),
            lost: format_number(c.lost, 1, lang),
            assets: result
                .findings
                .iter()
                .filter(|f| f.check_id == c.check_id && f.state == ResultState::Fail)
                .map(|f| f.asset.clone())
                .collect::<Vec<_>>()
                .join(", "),
            remediation: result
                .check(&c.check_id)
                .map(|d| d.remediation.get(lang).to_owned())
                .unwrap_or_default(),
        })
        .collect()
}

/// One section per automated check, the worst first.
fn check_views(result: &ScanResult, l: &BTreeMap<String, String>) -> Vec<CheckView> {
    let lang = result.lang;
    let evidence_only: std::collections::BTreeSet<String> = result
        .facts
        .hosts
        .iter()
        .filter(|h| h.address.is_none())
        .map(crate::facts::HostFacts::asset_id)
        .collect();
    let evidence_only: std::collections::BTreeSet<&str> =
        evidence_only.iter().map(String::as_str).collect();
    let mut checks: Vec<CheckView> = result
        .checks
        .iter()
        .filter(|info| !info.def.is_manual())
        .map(|info| {
            let def = &info.def;
            // A host known only from evidence was never scanned: a network check's
            // "not assessed" on it is no news and is left out of the list (display only).
            let network = matches!(
                def.family,
                crate::checks::Family::ExposedServices | crate::checks::Family::TransportEncryption
            );
            let (findings, unscanned): (Vec<_>, Vec<_>) = result
                .findings
                .iter()
                .filter(|f| f.check_id == def.id)
                .partition(|f| {
                    !(network
                        && f.state == ResultState::NotAssessed
                        && evidence_only.contains(f.asset.as_str()))
                });
            let mut counts: BTreeMap<ResultState, usize> = BTreeMap::new();
            for f in &findings {
                *counts.entry(f.state).or_default() += 1;
            }
            let mut summary = counts
                .iter()
                .map(|(state, n)| format!("{n} {}", state_label(l, *state)))
                .collect::<Vec<_>>()
                .join(" · ");
            if !unscanned.is_empty() {
                if !summary.is_empty() {
                    summary.push_str(" · ");
                }
                summary.push_str(&format!(
                    "{} {}",
                    unscanned.len(),
                    label_of(l, "evidence_only_not_scanned")
                ));
            }
            let worst = counts
                .keys()
                .copied()
                .filter(|s| *s != ResultState::NotApplicable)
                .min_by_key(|s| state_rank(*s))
                .unwrap_or(ResultState::NotApplicable);
            let rows = findings
                .iter()
                .filter(|f| f.state != ResultState::Pass && f.state != ResultState::NotApplicable)
                .map(|f| finding_row(f, def, l))
                .collect();
            CheckView {
                id: def.id.clone(),
                control: def.control.clone(),
                title: def.title.get(lang).to_owned(),
                severity: severity_label(l, def.severity),
                severity_css: def.severity.as_str().to_owned(),
                description: def.description.get(lang).trim().to_owned(),
                remediation: def.remediation.get(lang).trim().to_owned(),
                references: references(def, l),
                summary,
                worst_css: worst.as_str().to_owned(),
                rows,
            }
        })
        .collect();
    let rank = |css: &str| match css {
        "fail" => 0,
        "error" => 1,
        "not_assessed" => 2,
        "pass" => 3,
        _ => 4,
    };
    checks.sort_by(|a, b| {
        rank(&a.worst_css)
            .cmp(&rank(&b.worst_css))
            .then(severity_rank(&b.severity_css).cmp(&severity_rank(&a.severity_css)))
            .then(a.id.cmp(&b.id))
    });

    checks
}

/// One row of a check's findings: the asset, the state (with the raised severity, where the
/// asset's Schutzbedarf raised it) and what decided it, or the waiver.
fn finding_row(
    f: &crate::checks::eval::Finding,
    def: &crate::checks::CheckDef,
    l: &BTreeMap<String, String>,
) -> FindingRow {
    FindingRow {
        asset: if f.asset_names.is_empty() {
            f.asset.clone()
        } else {
            format!("{} ({})", f.asset, f.asset_names.join(", "))
        },
        state: if f.state == ResultState::Fail && f.severity != def.severity {
            // Raised by the asset's Schutzbedarf: the severity it failed with.
            format!(
                "{} ({}, {} {})",
                state_label(l, f.state),
                severity_label(l, f.severity),
                l.get("schutzbedarf").map_or("Schutzbedarf", String::as_str),
                f.schutzbedarf.as_str()
            )
        } else {
            state_label(l, f.state)
        },
        state_css: f.state.as_str().to_owned(),
        detail: match &f.waiver {
            Some(w) => format!(
                "{}{} — {}{} ({} {}, {} {}; {}) · {}",
                if w.expired {
                    format!("{}: ", label_of(l, "waiver_expired"))
                } else {
                    String::new()
                },
                w.reason,
                w.control
                    .as_deref()
                    .map(|c| format!("{c}; "))
                    .unwrap_or_default(),
                label_of(
                    l,
                    &format!(
                        "state_{}",
                        serde_json::to_value(w.kind)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    )
                ),
                label_of(l, "waiver_by"),
                w.approver,
                label_of(l, "waiver_until"),
                w.expires,
                w.source,
                evidence_text(&f.evidence)
            ),
            None => f
                .reason
                .clone()
                .unwrap_or_else(|| evidence_text(&f.evidence)),
        },
    }
}

/// The manual items with the assessor's answers.
fn manual_views(result: &ScanResult, l: &BTreeMap<String, String>) -> Vec<ManualView> {
    let lang = result.lang;
    result
        .manual
        .iter()
        .filter_map(|item| {
            let def = result.check(&item.check_id)?;
            Some(ManualView {
                id: def.id.clone(),
                control: def.control.clone(),
                family: l
                    .get(&format!("family_{}", def.family.as_str().replace('-', "_")))
                    .cloned()
                    .unwrap_or(def.family.to_string()),
                title: def.title.get(lang).to_owned(),
                severity: severity_label(l, def.severity),
                severity_css: def.severity.as_str().to_owned(),
                description: def.description.get(lang).trim().to_owned(),
                attestation: def
                    .attestation
                    .as_ref()
                    .map(|a| a.get(lang).trim().to_owned())
                    .unwrap_or_default(),
                references: references(def, l),
                answer: manual_answer(item, l),
                answer_css: match &item.attestation {
                    Some(a) if a.met => "met",
                    Some(_) => "not_met",
                    None => "open",
                },
            })
        })
        .collect()
}

/// The hosts that answered or are known from evidence, with their open ports.
fn host_views(result: &ScanResult, l: &BTreeMap<String, String>) -> Vec<HostView> {
    let lang = result.lang;
    result
        .facts
        .hosts
        .iter()
        .filter(|h| matches!(h.state, HostState::Up | HostState::NotScanned) || !h.ports.is_empty())
        .map(|h| HostView {
            address: h.asset_id(),
            names: h.hostnames.join(", "),
            state: l
                .get(&format!("host_{}", serde_plain(&h.state)))
                .cloned()
                .unwrap_or_default(),
            rtt: h
                .rtt_ms
                .map(|r| format!("{} ms", format_number(r, 2, lang)))
                .unwrap_or_default(),
            counts: format!(
                "{} {} · {} {} · {} {}{}",
                h.port_counts.open,
                l.get("port_open").cloned().unwrap_or_default(),
                h.port_counts.closed,
                l.get("port_closed").cloned().unwrap_or_default(),
                h.port_counts.filtered,
                l.get("port_filtered").cloned().unwrap_or_default(),
                udp_counts(h, l)
            ),
            ports: h
                .ports
                .iter()
                .filter(|p| p.state == PortState::Open)
                .map(|p| PortView {
                    port: p.port,
                    protocol: "tcp",
                    state: serde_plain(&p.state),
                    service: p
                        .service
                        .as_ref()
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                    product: p
                        .service
                        .as_ref()
                        .and_then(|s| s.product.clone())
                        .unwrap_or_default(),
                    banner: p
                        .banner
                        .as_ref()
                        .map(|b| b.text.chars().take(160).collect())
                        .unwrap_or_default(),
                    notes: port_notes(p, l),
                })
                .chain(udp_port_views(h, l))
                .collect(),
            errors: h
                .probe_errors
                .iter()
                .map(|e| {
                    format!(
                        "{}{}: {} ({})",
                        e.probe,
                        e.port.map(|p| format!(" {p}")).unwrap_or_default(),
                        e.message,
                        e.kind
                    )
                })
                .collect(),
            patch: patch_state(h, result, l),
            addresses: String::new(),
        })
        .chain(result.facts.closed_hosts.iter().map(|group| {
            let label = |key: &str| l.get(key).cloned().unwrap_or_default();
            let ports = group
                .host(std::net::Ipv4Addr::UNSPECIFIED.into())
                .port_counts
                .closed;
            let mut addresses = group
                .addresses
                .iter()
                .take(SHOWN_RANGES)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if group.addresses.len() > SHOWN_RANGES {
                addresses.push_str(&format!(
                    ", … ({} {})",
                    super::format_count(group.addresses.len() as u64, lang),
                    label("address_ranges")
                ));
            }
            HostView {
                address: group.asset_id(),
                names: String::new(),
                state: label("host_up"),
                rtt: String::new(),
                counts: format!(
                    "{} {} · {ports} {} {}",
                    super::format_count(group.count, lang),
                    label("hosts_counted"),
                    label("port_closed"),
                    label("each")
                ),
                ports: Vec::new(),
                errors: Vec::new(),
                patch: Vec::new(),
                addresses,
            }
        }))
        .collect()
}

/// What was scanned and how, when the run scanned a network.
fn scan_view(result: &ScanResult) -> Option<ScanView> {
    let lang = result.lang;
    result.facts.scan.as_ref().map(|s| ScanView {
        lifecycle_data: format!("{} (MIT)", crate::lifecycle::SOURCE),
        tls_profile: result.tls_profile.clone().unwrap_or_default(),
        targets: s.targets.join(" "),
        ports: match &s.udp_ports {
            Some(udp) => format!("{} · UDP {udp}", s.ports),
            None => s.ports.clone(),
        },
        profile: s.profile.clone(),
        duration: format!(
            "{} s",
            format_number(
                result
                    .facts
                    .finished_at
                    .duration_since(result.facts.started_at)
                    .as_secs_f64(),
                1,
                lang
            )
        ),
    })
}

fn tls_grade_views(result: &ScanResult, l: &BTreeMap<String, String>) -> Vec<TlsGradeView> {
    result
        .tls_grades
        .iter()
        .map(|g| TlsGradeView {
            endpoint: g.endpoint.clone(),
            grade: g.grade.clone(),
            score: g.score,
            caps: localized_caps(&g.cap_codes, l),
        })
        .collect()
}

/// Every evidence file with its status and, for a file in error, where and why.
fn evidence_file_views(result: &ScanResult, l: &BTreeMap<String, String>) -> Vec<EvidenceFileView> {
    result
        .facts
        .evidence_files
        .iter()
        .map(|f| EvidenceFileView {
            path: f.path.clone(),
            format: f.format.clone().unwrap_or_default(),
            status: l
                .get(&format!("evidence_{}", serde_plain(&f.status)))
                .cloned()
                .unwrap_or_default(),
            asset: f.asset.clone().unwrap_or_default(),
            records: f.records,
            error: match (&f.error, f.error_line) {
                (Some(e), Some(line)) => format!("{}:{line}: {e}", f.path),
                (Some(e), None) => e.clone(),
                _ => String::new(),
            },
            failed: f.status == crate::facts::EvidenceStatus::Error,
            placement: placement_note(f.placement.as_ref(), l),
        })
        .collect()
}

/// How a file was placed, in words.
pub(crate) fn placement_note(
    placement: Option<&crate::facts::Placement>,
    l: &BTreeMap<String, String>,
) -> String {
    use crate::facts::Placement;
    let label = |key: &str| l.get(key).cloned().unwrap_or_default();
    match placement {
        None => String::new(),
        Some(Placement::SeparateAsset { alongside }) => {
            label("placement_separate").replace("{files}", &alongside.join(", "))
        }
        Some(Placement::IncludedBy { file }) => label("placement_included").replace("{file}", file),
    }
}

/// Reference lines in a fixed order, DSGVO first, then the Zero Trust maturity stage.
/// The assessor's answer to a manual item in one line: "met per WHO, DATE: NOTE (FILE:LINE)".
pub(crate) fn manual_answer(
    item: &crate::checks::eval::ManualItem,
    l: &BTreeMap<String, String>,
) -> String {
    let label = |key: &str| l.get(key).cloned().unwrap_or_else(|| key.to_owned());
    match &item.attestation {
        None => label("manual_open"),
        Some(a) => format!(
            "{} {}, {}{} ({})",
            label(if a.met {
                "manual_met"
            } else {
                "manual_not_met"
            }),
            a.by,
            a.date,
            a.note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default(),
            a.source
        ),
    }
}

fn references(def: &crate::checks::CheckDef, l: &BTreeMap<String, String>) -> Vec<String> {
    const ORDER: [&str; 6] = [
        "gdpr",
        "bsi_gs_2023",
        "bsi_gspp",
        "nist_800_207",
        "cis_v8",
        "iso27001_2022",
    ];
    let label = |k: &str| {
        l.get(&format!("ref_{k}"))
            .cloned()
            .unwrap_or_else(|| k.to_owned())
    };
    let rank = |k: &str| ORDER.iter().position(|o| *o == k).unwrap_or(ORDER.len());
    let mut keys: Vec<&crate::checks::ReferenceKey> = def.references.keys().collect();
    keys.sort_by_key(|k| (rank(k.as_str()), **k));
    let mut lines: Vec<String> = keys
        .into_iter()
        .map(|k| format!("{} {}", label(k.as_str()), def.references[k].join(", ")))
        .collect();
    if let Some(z) = &def.ztmm {
        lines.push(format!(
            "{} {}/{} @{}",
            label("ztmm"),
            z.pillar,
            z.function,
            z.stage
        ));
    }
    lines
}

/// Cap codes (`≤B:legacy-tls`) as text in the report language.
pub(crate) fn localized_caps(codes: &[String], l: &BTreeMap<String, String>) -> String {
    codes
        .iter()
        .map(|entry| {
            let (max, code) = entry.split_once(':').unwrap_or(("", entry));
            let key = format!("tlscap_{}", code.replace('-', "_"));
            let text = l
                .get(&key)
                .cloned()
                .unwrap_or_else(|| crate::scoring::tls_grade::cap_reason(code).to_owned());
            format!("{max}: {text}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn severity_rank(css: &str) -> u8 {
    match css {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

/// The UDP part of a host's port counts (` · UDP: 1 open · 4 closed · 1 open|filtered`).
/// What the evidence says of a host's patch state: its operating system and support, the
/// newest installed update and its age as of the reference time, pending updates.
fn patch_state(
    h: &crate::facts::HostFacts,
    result: &ScanResult,
    l: &BTreeMap<String, String>,
) -> Vec<String> {
    let lang = result.lang;
    let label = |key: &str| label_of(l, key);
    let mut out = Vec::new();
    // Life-cycle dates are plain `YYYY-MM-DD`: shown as the report's language writes dates.
    let day = |text: &str| match text.parse::<jiff::civil::Date>() {
        Ok(date) if lang == Lang::De => date.strftime("%d.%m.%Y").to_string(),
        _ => text.to_owned(),
    };
    for os in h
        .lifecycle
        .iter()
        .filter(|f| f.kind == "os" && f.basis == "evidence")
    {
        let support = match (&os.support_ends, &os.extended_until) {
            (Some(ends), Some(extended)) => format!(
                "{} {}, {} {}",
                label("patch_support_until"),
                day(ends),
                label("patch_extended_until"),
                day(extended)
            ),
            (Some(ends), None) => format!("{} {}", label("patch_support_until"), day(ends)),
            _ if os.support_ended => label("patch_support_ended"),
            _ => label("patch_no_data"),
        };
        out.push(format!("{}: {} ({support})", label("patch_os"), os.name));
    }
    let Some(patching) = &h.patching else {
        return out;
    };
    match patching.last_update_at {
        Some(at) => {
            let days = result.as_of.duration_since(at).as_secs() / 86_400;
            out.push(format!(
                "{}: {}{} ({} {})",
                label("patch_last_update"),
                patching
                    .last_update
                    .as_ref()
                    .map(|id| format!("{id}, "))
                    .unwrap_or_default(),
                // With the time: a date alone would be the UTC day, not the export's.
                format_time(at, lang),
                days.max(0),
                label("patch_days_ago")
            ));
        }
        None if patching.hotfixes_undated => out.push(format!(
            "{}: {} ({})",
            label("patch_installed_updates"),
            patching.hotfixes.len(),
            label("patch_undated")
        )),
        None => {}
    }
    if let Some(pending) = &patching.pending {
        let mut line = format!(
            "{}: {} {}",
            label("patch_pending"),
            pending.security,
            label("patch_security_updates")
        );
        if !pending.security_only {
            line.push_str(&format!(" · {} {}", pending.total, label("patch_in_all")));
        }
        if let Some(at) = patching.lists_updated_at {
            line.push_str(&format!(
                " · {} {}",
                label("patch_lists_from"),
                format_date(at, lang)
            ));
        }
        out.push(line);
    }
    out
}

fn udp_counts(h: &crate::facts::HostFacts, l: &BTreeMap<String, String>) -> String {
    let Some(udp) = &h.udp else {
        return String::new();
    };
    let c = udp.counts;
    format!(
        " · UDP: {} {} · {} {} · {} {}{}",
        c.open,
        label_of(l, "port_open"),
        c.closed,
        label_of(l, "port_closed"),
        c.open_filtered,
        label_of(l, "port_open_filtered"),
        if c.filtered > 0 {
            format!(" · {} {}", c.filtered, label_of(l, "port_filtered"))
        } else {
            String::new()
        }
    )
}

/// The open UDP ports of a host, with what their service revealed.
fn udp_port_views(h: &crate::facts::HostFacts, l: &BTreeMap<String, String>) -> Vec<PortView> {
    let Some(udp) = &h.udp else {
        return Vec::new();
    };
    udp.ports
        .iter()
        .filter(|p| p.state == crate::facts::UdpPortState::Open)
        .map(|p| {
            let mut notes = Vec::new();
            let mut product = String::new();
            if let Some(snmp) = &p.snmp {
                if snmp.accepted.is_empty() {
                    notes.push(label_of(l, "note_snmp_v3_only"));
                } else {
                    let accepted: Vec<String> = snmp
                        .accepted
                        .iter()
                        .map(|a| format!("{} ({})", a.community, a.version))
                        .collect();
                    notes.push(format!(
                        "{}: {}",
                        label_of(l, "note_snmp_communities"),
                        accepted.join(", ")
                    ));
                }
                product = snmp
                    .accepted
                    .iter()
                    .find_map(|a| a.sys_descr.clone())
                    .unwrap_or_default();
            }
            if let Some(ipmi) = &p.ipmi {
                if let Some(caps) = &ipmi.auth_capabilities {
                    product = if caps.ipmi_v2 { "IPMI 2.0" } else { "IPMI 1.5" }.to_owned();
                }
                if ipmi.cipher_zero.as_ref().is_some_and(|z| z.accepted) {
                    notes.push(label_of(l, "note_ipmi_cipher_zero"));
                }
            }
            if let Some(dns) = &p.dns {
                let offered = dns.recursion_available
                    && !["REFUSED", "NOTIMP", "FORMERR"].contains(&dns.rcode.as_str());
                notes.push(format!(
                    "{} ({})",
                    label_of(
                        l,
                        if offered {
                            "note_dns_recursion"
                        } else {
                            "note_dns_no_recursion"
                        }
                    ),
                    dns.rcode
                ));
            }
            if let Some(ntp) = &p.ntp {
                if let Some(readvar) = ntp.readvar.as_ref().filter(|r| !r.error) {
                    notes.push(label_of(l, "note_ntp_readvar"));
                    product = readvar
                        .variables
                        .get("version")
                        .cloned()
                        .unwrap_or_default();
                }
                if ntp.monlist.as_ref().is_some_and(|m| m.error == 0) {
                    notes.push(label_of(l, "note_ntp_monlist"));
                }
            }
            if let Some(tftp) = &p.tftp {
                notes.push(format!(
                    "{}: {}{}",
                    label_of(l, "note_tftp"),
                    tftp.answer,
                    tftp.message
                        .as_deref()
                        .map(|m| format!(" \"{m}\""))
                        .unwrap_or_default()
                ));
            }
            PortView {
                port: p.port,
                protocol: "udp",
                state: "open".to_owned(),
                service: p.service.clone().unwrap_or_default(),
                product,
                banner: String::new(),
                notes: notes.join("; "),
            }
        })
        .collect()
}

fn port_notes(p: &crate::facts::PortFacts, l: &BTreeMap<String, String>) -> String {
    let mut notes = Vec::new();
    let yes_no =
        |b: bool, yes: &str, no: &str| l.get(if b { yes } else { no }).cloned().unwrap_or_default();
    if let Some(r) = &p.redis {
        notes.push(format!(
            "Redis: {}",
            yes_no(
                r.auth_required || r.protected_mode,
                "note_auth_required",
                "note_no_auth"
            )
        ));
    }
    if let Some(e) = &p.elasticsearch {
        notes.push(format!(
            "{}: {}",
            e.distribution.as_deref().unwrap_or("Elasticsearch"),
            yes_no(e.auth_required, "note_auth_required", "note_no_auth")
        ));
    }
    if let Some(f) = &p.ftp {
        notes.push(format!(
            "FTP: {}",
            yes_no(
                f.anonymous_login,
                "note_anonymous_ftp",
                "note_no_anonymous_ftp"
            )
        ));
    }
    if let Some(m) = &p.memcached {
        notes.push(format!(
            "memcached: {}",
            yes_no(m.stats_open, "note_no_auth", "note_auth_required")
        ));
    }
    if let Some(h) = &p.http {
        notes.push(format!("HTTP {}", h.status));
    }
    notes.join(" · ")
}

fn serde_plain<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Renders evidence JSON compactly for a table cell.
///
/// A list longer than [`EVIDENCE_ITEMS_SHOWN`] (the accounts of a large tenant) shows its first
/// items and how many more the JSON result holds.
pub(crate) fn evidence_text(evidence: &serde_json::Value) -> String {
    match evidence {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) if items.iter().all(serde_json::Value::is_string) => {
            let mut text = items
                .iter()
                .take(EVIDENCE_ITEMS_SHOWN)
                .filter_map(serde_json::Value::as_str)
                .collect::<Vec<_>>()
                .join("; ");
            if items.len() > EVIDENCE_ITEMS_SHOWN {
                text.push_str(&format!(
                    "; … +{} (postura-result.json)",
                    items.len() - EVIDENCE_ITEMS_SHOWN
                ));
            }
            text
        }
        other => {
            let text = other.to_string();
            if text.chars().count() > 400 {
                format!("{}…", text.chars().take(400).collect::<String>())
            } else {
                text
            }
        }
    }
}

/// Evidence items shown per finding in the HTML report and the terminal; the JSON result keeps
/// all of them.
pub(crate) const EVIDENCE_ITEMS_SHOWN: usize = 25;

/// Formats a date for the report language, in UTC.
pub(crate) fn format_date(ts: jiff::Timestamp, lang: Lang) -> String {
    let format = match lang {
        Lang::De => "%d.%m.%Y",
        Lang::En => "%Y-%m-%d",
    };
    ts.strftime(format).to_string()
}

/// Formats a timestamp for the report language, in UTC.
pub(crate) fn format_time(ts: jiff::Timestamp, lang: Lang) -> String {
    let format = match lang {
        Lang::De => "%d.%m.%Y %H:%M UTC",
        Lang::En => "%Y-%m-%d %H:%M UTC",
    };
    ts.strftime(format).to_string()
}
