//! Attestations: the assessor's answers to manual items, from a YAML file (`--attestations`).
//!
//! A manual item is a control no evidence decides (a restore test, a backup concept). The
//! assessor settles it by interview or document review and writes down what was found, by
//! whom and when. The answer is shown with the item in every report. It is the assessor's
//! statement, not postura's: an attested item stays outside the score either way, and a "met"
//! is never a pass.
//!
//! ```yaml
//! - item: bkp-no-restore-test      # the manual item's id, or its control (BKP-04)
//!   met: false
//!   by: "M. Berger, IT-Leitung"
//!   date: 2026-11-20
//!   note: "Last restore test 2025-12, no record"
//! - item: "bsi-grundschutz-2023:CON.3.A13"  # a baseline row: BASELINE:ROW
//!   not_required: true                # entbehrlich; the reason goes in `note`
//!   by: "M. Berger, IT-Leitung"
//!   date: 2026-11-20
//!   note: "Keine Datensicherung außer Haus; Medien im Tresor"
//! - item: "cisa-ztmm-2.0:identity/authentication"
//!   met: true                         # Optimal, on top of an evidenced Advanced
//!   by: "M. Berger, IT-Leitung"
//!   date: 2026-11-20
//! ```

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Check;
use crate::baselines::Baseline;
use crate::error::InputError;

/// One answer as written in an attestations file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttestationEntry {
    /// The manual item: its check id (`bkp-no-restore-test`) or its control (`BKP-04`); or a
    /// baseline row as `BASELINE:ROW` (`bsi-grundschutz-2023:CON.3.A13`).
    pub item: String,
    /// Whether the assessor found the control met. Required, except for a row answered with
    /// `not_required`. On a maturity function, `true` attests Optimal.
    #[serde(default)]
    pub met: Option<bool>,
    /// The baseline row does not apply here (BSI: `entbehrlich`); the reason goes in `note`.
    #[serde(default)]
    pub not_required: bool,
    /// Who gave or verified the answer (name, role).
    pub by: String,
    /// When, as `YYYY-MM-DD`.
    pub date: String,
    /// What was seen: the document, record or demonstration the answer rests on.
    #[serde(default)]
    pub note: Option<String>,
}

/// An answer to a manual item, as recorded in a result.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Attestation {
    /// Whether the assessor found the control met (never counted as a pass).
    pub met: bool,
    /// The baseline row does not apply here (`entbehrlich`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_required: bool,
    /// Who gave or verified the answer.
    pub by: String,
    /// When (`YYYY-MM-DD`).
    pub date: String,
    /// What the answer rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where it was written: `file:line`.
    pub source: String,
}

/// Answers by check id, and by `BASELINE:ROW` for baseline rows.
pub type Attestations = std::collections::BTreeMap<String, Attestation>;

/// Reads an attestations file and matches every answer to a manual item of `checks`. Errors
/// name the file and line: an item that is not a manual item, a missing field, a date that
/// is not a date, or a second answer to the same item.
pub(crate) fn read(
    path: &Path,
    checks: &[Check],
    baselines: &[Baseline],
) -> Result<Attestations, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    let error = |line: usize, message: String| InputError::Attestation {
        path: path.to_owned(),
        line,
        message,
    };
    let entries: Vec<serde_saphyr::Spanned<AttestationEntry>> = if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_saphyr::from_str(&text).map_err(|err| {
            let message = err.to_string();
            let line = message_line(&message).unwrap_or(1);
            error(
                line,
                format!(
                    "{}: expected a list of answers with `item`, `met` (or `not_required`), `by`, `date` and an optional `note`",
                    one_line(&message)
                ),
            )
        })?
    };
    let manual: Vec<&Check> = checks.iter().filter(|c| c.def.is_manual()).collect();
    let mut answers = Attestations::new();
    for spanned in entries {
        let line = spanned.referenced.line() as usize;
        let entry = spanned.value;
        let wanted = entry.item.trim();
        if entry.by.trim().is_empty() {
            return Err(error(
                line,
                "`by` is empty: name who gave the answer".into(),
            ));
        }
        let date: jiff::civil::Date = entry.date.trim().parse().map_err(|_| {
            error(
                line,
                format!("`date` `{}` is not a date: expected YYYY-MM-DD", entry.date),
            )
        })?;
        let note = entry
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        let keys = match baseline_row(wanted, baselines) {
            Some(row) => {
                row_answer_shape(&entry, row, note.is_some()).map_err(|m| error(line, m))?;
                vec![wanted.to_owned()]
            }
            None => {
                let keys = manual_item_keys(wanted, &manual, checks, baselines)
                    .map_err(|m| error(line, m))?;
                if entry.met.is_none() || entry.not_required {
                    return Err(error(
                        line,
                        format!(
                            "`{wanted}` is a manual item: answer it with `met: true` or `met: false`"
                        ),
                    ));
                }
                keys
            }
        };
        for key in keys {
            let answer = Attestation {
                met: entry.met.unwrap_or(false),
                not_required: entry.not_required,
                by: entry.by.trim().to_owned(),
                date: date.to_string(),
                note: note.clone(),
                source: format!("{}:{line}", path.display()),
            };
            if let Some(first) = answers.insert(key.clone(), answer) {
                return Err(error(
                    line,
                    format!("`{key}` is answered twice, first at {}", first.source),
                ));
            }
        }
    }
    Ok(answers)
}

/// The baseline and row an item names as `BASELINE:ROW`, if it does.
fn baseline_row<'b>(
    item: &str,
    baselines: &'b [Baseline],
) -> Option<(&'b Baseline, &'b crate::baselines::RowDef)> {
    let (baseline, row) = item.split_once(':')?;
    let baseline = baselines.iter().find(|b| b.def.id == baseline)?;
    let row = baseline.def.rows.iter().find(|r| r.id == row)?;
    Some((baseline, row))
}

/// What an answer to a baseline row may say: `not_required` (with its reason) on a
/// requirement, `met` on either, one of the two.
fn row_answer_shape(
    entry: &AttestationEntry,
    (baseline, row): (&Baseline, &crate::baselines::RowDef),
    has_note: bool,
) -> Result<(), String> {
    let maturity = baseline.def.kind == crate::baselines::BaselineKind::Maturity;
    match (entry.met, entry.not_required) {
        (Some(_), true) => Err("give `met` or `not_required`, not both".into()),
        (None, false) => Err(format!(
            "`{}:{}` needs `met: true|false`{}",
            baseline.def.id,
            row.id,
            if maturity {
                " (true attests Optimal)"
            } else {
                " or `not_required: true`"
            }
        )),
        (None, true) if maturity => Err(
            "a maturity function cannot be `not_required`: attest `met: true` for Optimal".into(),
        ),
        (None, true) if !has_note => Err(
            "`not_required` needs the reason in `note` (the Grundschutz-Check asks for it)".into(),
        ),
        _ => Ok(()),
    }
}

/// The manual items an item names by id or control; an error that says what it is instead.
fn manual_item_keys(
    wanted: &str,
    manual: &[&Check],
    checks: &[Check],
    baselines: &[Baseline],
) -> Result<Vec<String>, String> {
    let items: Vec<String> = manual
        .iter()
        .filter(|c| c.def.id == wanted || c.def.control.eq_ignore_ascii_case(wanted))
        .map(|c| c.def.id.clone())
        .collect();
    if !items.is_empty() {
        return Ok(items);
    }
    let automated = checks
        .iter()
        .any(|c| c.def.id == wanted || c.def.control.eq_ignore_ascii_case(wanted));
    let known: Vec<&str> = manual.iter().map(|c| c.def.id.as_str()).collect();
    Err(if automated {
        format!(
            "`{wanted}` is decided from evidence; answers are for manual items only: {}",
            known.join(", ")
        )
    } else if let Some((baseline, _)) = wanted.split_once(':') {
        match baselines.iter().find(|b| b.def.id == baseline) {
            Some(_) => format!(
                "`{wanted}` is not a row of baseline `{baseline}`: run `postura baselines show {baseline}` for its rows"
            ),
            None => format!(
                "`{baseline}` is not a baseline: expected one of {}",
                baselines
                    .iter()
                    .map(|b| b.def.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    } else {
        format!(
            "`{wanted}` is not a manual item: expected one of {}, or a baseline row as BASELINE:ROW",
            known.join(", ")
        )
    })
}

/// The line serde-saphyr names in a message (`... at line 3 column 5`).
pub(super) fn message_line(message: &str) -> Option<usize> {
    let at = message.find("line ")?;
    message[at + 5..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// serde-saphyr's message without its source excerpt and position: `invalid boolean`.
pub(super) fn one_line(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message).trim();
    let first = first.strip_prefix("error:").unwrap_or(first).trim();
    let first = first.split(" --> ").next().unwrap_or(first);
    // `line 2 column 8: invalid boolean`: the line is named separately.
    match first.split_once(": ") {
        Some((position, rest)) if position.starts_with("line ") => rest.to_owned(),
        _ => first.to_owned(),
    }
}

/// The JSON Schema of an attestations file.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Vec<AttestationEntry>)).unwrap_or_default()
}
