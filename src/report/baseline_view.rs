//! The baseline sections of the HTML report: per requirements baseline a row table (score,
//! status, failing and unassessed checks, manual items); for the Zero Trust maturity model a
//! pillar × function table of stages.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ScanResult;
use crate::baselines::{BaselineKind, BaselineStatus};
use crate::checks::Lang;
use crate::scoring::baselines::{BaselineResult, ImplementationStatus, RowResult};

/// One baseline section.
#[derive(Serialize)]
pub(super) struct BaselineView {
    id: String,
    title: String,
    version: String,
    publisher: String,
    source: String,
    rolling: bool,
    note: Option<String>,
    /// "6 von 99 Artikeln".
    extent: String,
    score: String,
    range: String,
    coverage: String,
    counts: String,
    maturity: bool,
    /// Whether rows carry a level or an Implementation Group column.
    has_level: bool,
    pillars: Vec<PillarView>,
    rows: Vec<RowView>,
}

#[derive(Serialize)]
struct PillarView {
    name: String,
    stage: String,
    functions: Vec<FunctionView>,
}

#[derive(Serialize)]
struct FunctionView {
    name: String,
    stage: String,
    css: &'static str,
    blocking: String,
    unverified: String,
}

#[derive(Serialize)]
struct RowView {
    label: String,
    title: String,
    level: String,
    status: String,
    css: &'static str,
    score: String,
    failing: String,
    not_assessed: String,
    manual: String,
}

/// The sections of the baselines the report shows, in the order asked for.
pub(super) fn baseline_views(
    result: &ScanResult,
    l: &BTreeMap<String, String>,
) -> Vec<BaselineView> {
    result
        .baselines_shown
        .iter()
        .filter_map(|id| result.baselines.iter().find(|b| &b.id == id))
        .map(|b| view(b, result.lang, l))
        .collect()
}

fn view(b: &BaselineResult, lang: Lang, l: &BTreeMap<String, String>) -> BaselineView {
    let label = |key: &str| l.get(key).cloned().unwrap_or_else(|| key.to_owned());
    let num = |v: f64| super::format_number(v, 0, lang);
    let of = label("of");
    let grundschutz = b.id.starts_with("bsi-");
    let rows: Vec<RowView> = b
        .rows
        .iter()
        .map(|r| row_view(r, grundschutz, lang, l))
        .collect();
    let pillars = b
        .pillars
        .iter()
        .map(|p| PillarView {
            name: p.title.get(lang).to_owned(),
            stage: super::stage_text(p.stage, p.next_not_verifiable, l),
            functions: b
                .rows
                .iter()
                .filter(|r| r.group.as_deref() == Some(p.pillar.as_str()))
                .map(|r| FunctionView {
                    name: r.title.get(lang).to_owned(),
                    stage: super::stage_text(
                        r.stage.as_ref().map(|s| s.stage),
                        r.stage.as_ref().is_some_and(|s| s.next_not_verifiable),
                        l,
                    ),
                    css: match r.stage.as_ref().map(|s| s.stage) {
                        None => "not_assessed",
                        Some(crate::checks::ZtmmStage::Traditional) => "fail",
                        Some(_) => "pass",
                    },
                    blocking: r
                        .stage
                        .as_ref()
                        .map(|s| s.blocking.join(", "))
                        .unwrap_or_default(),
                    unverified: r
                        .stage
                        .as_ref()
                        .map(|s| s.unverified.join(", "))
                        .unwrap_or_else(|| r.not_assessed.join(", ")),
                })
                .collect(),
        })
        .collect();
    BaselineView {
        id: b.id.clone(),
        title: b
            .heading
            .as_ref()
            .map_or_else(|| b.title.get(lang).to_owned(), |h| h.get(lang).to_owned()),
        version: b.version.clone(),
        publisher: b.publisher.clone(),
        source: b.source.clone(),
        rolling: b.status == BaselineStatus::Rolling,
        note: b.note.as_ref().map(|n| n.get(lang).to_owned()),
        extent: format!(
            "{} {of} {} {}",
            b.mapped,
            b.total.count,
            b.total.unit.get(lang)
        ),
        score: b.score.score.map(num).unwrap_or_else(|| "–".into()),
        range: if b.score.score.is_some() {
            format!("{}–{}", num(b.score.floor), num(b.score.ceiling))
        } else {
            "–".into()
        },
        coverage: format!("{} %", num(b.score.coverage)),
        counts: super::status_counts(b, l),
        maturity: b.kind == BaselineKind::Maturity,
        has_level: b.rows.iter().any(|r| r.level.is_some() || r.ig.is_some()),
        pillars,
        rows,
    }
}

fn row_view(r: &RowResult, grundschutz: bool, lang: Lang, l: &BTreeMap<String, String>) -> RowView {
    let label = |key: &str| l.get(key).cloned().unwrap_or_else(|| key.to_owned());
    let (status, css) = match (r.status, grundschutz) {
        (ImplementationStatus::Yes, true) => (label("status_yes"), "pass"),
        (ImplementationStatus::Partly, true) => (label("status_partly"), "fail"),
        (ImplementationStatus::No, true) => (label("status_no"), "fail"),
        (ImplementationStatus::Yes, false) => (label("rows_clean"), "pass"),
        (ImplementationStatus::Partly | ImplementationStatus::No, false) => {
            (label("rows_failing"), "fail")
        }
        (ImplementationStatus::NotChecked, _) => (label("status_not_checked"), "not_assessed"),
        (ImplementationStatus::NotRequired, _) => (label("status_not_required"), "not_assessed"),
    };
    let manual: Vec<String> = r
        .manual
        .iter()
        .map(|m| match &m.attestation {
            Some(a) => format!(
                "{}: {} {}, {}",
                m.control,
                label(if a.met {
                    "manual_met"
                } else {
                    "manual_not_met"
                }),
                a.by,
                a.date
            ),
            None => format!("{}: {}", m.control, label("manual_open")),
        })
        .collect();
    RowView {
        label: r
            .label
            .as_ref()
            .map_or(r.id.clone(), |x| x.get(lang).to_owned()),
        title: r.title.get(lang).to_owned(),
        level: r
            .level
            .map(|x| x.label().to_owned())
            .or(r.ig.map(|ig| format!("IG{ig}")))
            .unwrap_or_default(),
        status,
        css,
        score: r
            .score
            .score
            .map(|s| super::format_number(s, 0, lang))
            .unwrap_or_else(|| "–".into()),
        failing: r.failing.join(", "),
        not_assessed: r.not_assessed.join(", "),
        manual: manual.join("; "),
    }
}
