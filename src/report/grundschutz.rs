//! The IT-Grundschutz-Check as CSV (`--format grundschutz-check`): one line per requirement of
//! the Kompendium baseline with the implementation status a consultant writes, its reason and
//! the checks behind it. UTF-8 with BOM, `;` between fields and CRLF line ends, so Excel and
//! LibreOffice in a German locale open it as it is. The document is German, like the
//! Grundschutz-Check itself.

use std::collections::BTreeMap;

use super::ScanResult;
use crate::checks::eval::ResultState;
use crate::error::RunError;
use crate::scoring::baselines::{BaselineResult, ImplementationStatus, RowResult};

/// The baseline the Grundschutz-Check is written for.
pub const BASELINE: &str = "bsi-grundschutz-2023";

/// The column heads.
pub const COLUMNS: [&str; 7] = [
    "Baustein",
    "Anforderung",
    "Titel",
    "Stufe",
    "Umsetzungsstatus",
    "Begründung/Nachweis",
    "Prüfungen",
];

/// How many assets a reason names per check before it says "und N weitere".
const ASSETS_NAMED: usize = 5;

/// Renders the Grundschutz-Check of `result`; an error when the result has no Kompendium
/// baseline (replaced by a `--baselines` folder without it).
pub(crate) fn render(result: &ScanResult) -> Result<Vec<u8>, RunError> {
    let baseline = result
        .baselines
        .iter()
        .find(|b| b.id == BASELINE)
        .ok_or_else(|| RunError::Render {
            format: "grundschutz-check".into(),
            message: format!("the result has no baseline `{BASELINE}` to write the check for"),
        })?;
    let failing_assets = failing_assets(result);
    let mut out = vec![0xef, 0xbb, 0xbf];
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let write_error = |e: csv::Error| RunError::Render {
            format: "grundschutz-check".into(),
            message: e.to_string(),
        };
        writer.write_record(COLUMNS).map_err(write_error)?;
        for row in &baseline.rows {
            writer
                .write_record(record(baseline, row, &failing_assets))
                .map_err(write_error)?;
        }
        writer.flush().map_err(|e| RunError::Render {
            format: "grundschutz-check".into(),
            message: e.to_string(),
        })?;
    }
    Ok(out)
}

/// The assets each check fails on.
fn failing_assets(result: &ScanResult) -> BTreeMap<&str, Vec<&str>> {
    let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in result
        .findings
        .iter()
        .filter(|f| f.state == ResultState::Fail)
    {
        map.entry(f.check_id.as_str())
            .or_default()
            .push(f.asset.as_str());
    }
    map
}

fn record(
    baseline: &BaselineResult,
    row: &RowResult,
    failing_assets: &BTreeMap<&str, Vec<&str>>,
) -> Vec<String> {
    let module = row.group.as_deref().unwrap_or_default();
    let module_title = baseline
        .groups
        .get(module)
        .map(|t| t.get(crate::checks::Lang::De))
        .unwrap_or_default();
    let checks: Vec<&str> = row
        .failing
        .iter()
        .chain(&row.passing)
        .chain(&row.not_assessed)
        .map(String::as_str)
        .chain(row.manual.iter().map(|m| m.check_id.as_str()))
        .collect();
    vec![
        inert(&format!("{module} {module_title}")),
        inert(&row.id),
        inert(row.title.get(crate::checks::Lang::De)),
        row.level.map(|l| l.label()).unwrap_or_default().to_owned(),
        row.status.grundschutz_term().to_owned(),
        inert(&reason(row, failing_assets)),
        inert(&checks.join(", ")),
    ]
}

/// Why the status is what it is, in the words of a Grundschutz-Check.
fn reason(row: &RowResult, failing_assets: &BTreeMap<&str, Vec<&str>>) -> String {
    let mut parts = Vec::new();
    if let Some(answer) = row.attestation.as_ref().filter(|a| a.not_required) {
        parts.push(format!(
            "Entbehrlich laut {} am {}: {}",
            answer.by,
            answer.date,
            answer.note.as_deref().unwrap_or_default()
        ));
    }
    if !row.failing.is_empty() {
        let each: Vec<String> = row
            .failing
            .iter()
            .map(|id| {
                let assets = failing_assets.get(id.as_str()).cloned().unwrap_or_default();
                let named: Vec<&str> = assets.iter().take(ASSETS_NAMED).copied().collect();
                let more = assets.len().saturating_sub(ASSETS_NAMED);
                if more > 0 {
                    format!("{id} ({} und {more} weitere)", named.join(", "))
                } else {
                    format!("{id} ({})", named.join(", "))
                }
            })
            .collect();
        parts.push(format!("Nicht erfüllt: {}", each.join("; ")));
    }
    if !row.passing.is_empty() {
        parts.push(format!("Erfüllt: {}", row.passing.join(", ")));
    }
    if !row.not_assessed.is_empty() {
        parts.push(format!("Nicht geprüft: {}", row.not_assessed.join(", ")));
    }
    for item in &row.manual {
        parts.push(match &item.attestation {
            Some(a) => format!(
                "{} {} laut {} am {}{}",
                item.control,
                if a.met { "erfüllt" } else { "nicht erfüllt" },
                a.by,
                a.date,
                a.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ),
            None => format!("{} manuell zu prüfen, offen", item.control),
        });
    }
    if parts.is_empty() && row.status == ImplementationStatus::NotChecked {
        parts.push("Keine Prüfung von postura spricht zu dieser Anforderung in diesem Lauf".into());
    }
    parts.join(". ")
}

/// A cell a spreadsheet will not run as a formula: text from hosts and exports may start
/// with `=`, `+`, `-` or `@`.
fn inert(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.starts_with(['=', '+', '-', '@']) {
        format!("'{clean}")
    } else {
        clean
    }
}
