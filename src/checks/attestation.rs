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
//! ```

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Check;
use crate::error::InputError;

/// One answer as written in an attestations file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttestationEntry {
    /// The manual item: its check id (`bkp-no-restore-test`) or its control (`BKP-04`).
    pub item: String,
    /// Whether the assessor found the control met.
    pub met: bool,
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

/// Answers by check id.
pub type Attestations = std::collections::BTreeMap<String, Attestation>;

/// Reads an attestations file and matches every answer to a manual item of `checks`. Errors
/// name the file and line: an item that is not a manual item, a missing field, a date that
/// is not a date, or a second answer to the same item.
pub(crate) fn read(path: &Path, checks: &[Check]) -> Result<Attestations, InputError> {
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
                    "{}: expected a list of answers with `item`, `met`, `by`, `date` and an optional `note`",
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
        let items: Vec<&&Check> = manual
            .iter()
            .filter(|c| c.def.id == wanted || c.def.control.eq_ignore_ascii_case(wanted))
            .collect();
        if items.is_empty() {
            let automated = checks
                .iter()
                .any(|c| c.def.id == wanted || c.def.control.eq_ignore_ascii_case(wanted));
            let known: Vec<&str> = manual.iter().map(|c| c.def.id.as_str()).collect();
            return Err(error(
                line,
                if automated {
                    format!(
                        "`{wanted}` is decided from evidence; answers are for manual items only: {}",
                        known.join(", ")
                    )
                } else {
                    format!(
                        "`{wanted}` is not a manual item: expected one of {}",
                        known.join(", ")
                    )
                },
            ));
        }
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
        for check in items {
            let answer = Attestation {
                met: entry.met,
                by: entry.by.trim().to_owned(),
                date: date.to_string(),
                note: entry
                    .note
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
                source: format!("{}:{line}", path.display()),
            };
            if let Some(first) = answers.insert(check.def.id.clone(), answer) {
                return Err(error(
                    line,
                    format!(
                        "`{}` is answered twice, first at {}",
                        check.def.id, first.source
                    ),
                ));
            }
        }
    }
    Ok(answers)
}

/// The line serde-saphyr names in a message (`... at line 3 column 5`).
fn message_line(message: &str) -> Option<usize> {
    let at = message.find("line ")?;
    message[at + 5..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// serde-saphyr's message without its source excerpt and position: `invalid boolean`.
fn one_line(message: &str) -> String {
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
