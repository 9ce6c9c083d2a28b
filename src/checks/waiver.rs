//! Waivers (`--waivers FILE`): a known risk accepted, or a weakness compensated by another
//! control, for a check on the assets a selector names, until a date.
//!
//! ```yaml
//! - check: exp-rdp-exposed          # check id or control id (EXP-01)
//!   asset: "10.0.1.*"               # exact name or address, or a glob
//!   kind: compensated               # or risk_accepted
//!   control: "RD gateway with MFA in front of every host"   # what compensates
//!   reason: "Legacy application needs direct RDP until the migration"
//!   approver: "M. Berger, IT-Leitung"
//!   expires: 2027-03-31
//! ```
//!
//! A waived failure stays visible as waived in every format. Compensated earns the check's
//! points and is flagged; risk accepted earns none and is listed apart (§8.1 of the scoring
//! model). Neither trips `--fail-on`. A waiver past its date no longer waives: the finding is a
//! failure again and the expired waiver fails the gate.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Check;
use super::eval::{Finding, ResultState};
use crate::error::InputError;
use crate::selector::AssetSelector;

/// How a failure is waived.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WaiverKind {
    /// The owner accepts the risk: the finding earns no points and is listed apart.
    RiskAccepted,
    /// Another control mitigates it (named in `control`): the finding earns the points.
    Compensated,
}

/// One waiver as written in a waivers file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverEntry {
    /// The check: its id (`exp-rdp-exposed`) or its control (`EXP-01`).
    pub check: String,
    /// The assets: an exact asset id, host name or address, or a glob (`10.0.1.*`, `db*`).
    pub asset: String,
    /// `risk_accepted` or `compensated`.
    pub kind: WaiverKind,
    /// What compensates (required with `compensated`).
    #[serde(default)]
    pub control: Option<String>,
    /// Why the finding is waived.
    pub reason: String,
    /// Who approved the waiver (name, role).
    pub approver: String,
    /// The last day the waiver holds, `YYYY-MM-DD`, judged against the run's reference time.
    pub expires: String,
}

/// A waiver as recorded with the finding it waives.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct WaiverRecord {
    /// Risk accepted or compensated.
    pub kind: WaiverKind,
    /// What compensates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Why.
    pub reason: String,
    /// Who approved it.
    pub approver: String,
    /// The last day it holds.
    pub expires: String,
    /// Past its date at the run's reference time: it no longer waives, and fails the gate.
    pub expired: bool,
    /// Where it was written: `file:line`.
    pub source: String,
}

/// A waiver read from a file.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// Check ids it applies to (a control names all its checks).
    checks: Vec<String>,
    /// The assets.
    asset: AssetSelector,
    record: WaiverRecord,
    expires: jiff::civil::Date,
}

/// Reads a waivers file against the checks. Errors name the file and line: a missing or
/// empty reason, approver or expiry, a date that is no date, an unknown check, a compensation
/// without its control, a selector that is no selector.
pub(crate) fn read(path: &Path, checks: &[Check]) -> Result<Vec<Waiver>, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    let error = |line: usize, message: String| InputError::Waiver {
        path: path.to_owned(),
        line,
        message,
    };
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let entries: Vec<serde_saphyr::Spanned<WaiverEntry>> =
        serde_saphyr::from_str(&text).map_err(|err| {
            let message = err.to_string();
            let line = super::attestation::message_line(&message).unwrap_or(1);
            error(
                line,
                format!(
                    "{}: expected a list of waivers with `check`, `asset`, `kind`, `reason`, `approver` and `expires`",
                    super::attestation::one_line(&message)
                ),
            )
        })?;
    let mut waivers = Vec::new();
    for spanned in entries {
        let line = spanned.referenced.line() as usize;
        let entry = spanned.value;
        for (field, value) in [
            ("reason", &entry.reason),
            ("approver", &entry.approver),
            ("expires", &entry.expires),
        ] {
            if value.trim().is_empty() {
                return Err(error(
                    line,
                    format!(
                        "`{field}` is empty: a waiver needs a reason, an approver and an expiry date"
                    ),
                ));
            }
        }
        let expires: jiff::civil::Date = entry.expires.trim().parse().map_err(|_| {
            error(
                line,
                format!(
                    "`expires` `{}` is not a date: expected YYYY-MM-DD",
                    entry.expires
                ),
            )
        })?;
        let wanted = entry.check.trim();
        let ids: Vec<String> = checks
            .iter()
            .filter(|c| c.def.id == wanted || c.def.control.eq_ignore_ascii_case(wanted))
            .filter(|c| !c.def.is_manual())
            .map(|c| c.def.id.clone())
            .collect();
        if ids.is_empty() {
            return Err(error(
                line,
                format!(
                    "`{wanted}` is not a check id or control of a check: see `postura checks list`"
                ),
            ));
        }
        let control = entry
            .control
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        if entry.kind == WaiverKind::Compensated && control.is_none() {
            return Err(error(
                line,
                "`kind: compensated` needs `control`: name what compensates".into(),
            ));
        }
        let asset = AssetSelector::parse(&entry.asset).map_err(|m| error(line, m))?;
        waivers.push(Waiver {
            checks: ids,
            asset,
            record: WaiverRecord {
                kind: entry.kind,
                control,
                reason: entry.reason.trim().to_owned(),
                approver: entry.approver.trim().to_owned(),
                expires: expires.to_string(),
                expired: false,
                source: format!("{}:{line}", path.display()),
            },
            expires,
        });
    }
    Ok(waivers)
}

/// What applying waivers found besides the findings it changed.
#[derive(Debug, Default, PartialEq)]
pub struct Applied {
    /// Waivers (`file:line`) that matched no failing finding.
    pub unmatched: Vec<String>,
    /// Expired waivers that matched a failure: `file:line check asset`.
    pub expired: Vec<String>,
}

/// Waives the failing findings the waivers select, as of `today`. The first waiver that
/// matches a finding is the one recorded.
pub(crate) fn apply(
    findings: &mut [Finding],
    waivers: &[Waiver],
    today: jiff::civil::Date,
) -> Applied {
    let mut used = vec![false; waivers.len()];
    let mut applied = Applied::default();
    for finding in findings.iter_mut().filter(|f| f.state == ResultState::Fail) {
        let names = std::iter::once(finding.asset.as_str())
            .chain(finding.asset_names.iter().map(String::as_str));
        let Some((index, waiver)) = waivers
            .iter()
            .enumerate()
            .find(|(_, w)| w.checks.contains(&finding.check_id) && w.asset.matches(names.clone()))
        else {
            continue;
        };
        used[index] = true;
        let mut record = waiver.record.clone();
        if today > waiver.expires {
            record.expired = true;
            applied.expired.push(format!(
                "{} {} {}",
                record.source, finding.check_id, finding.asset
            ));
        } else {
            finding.state = match record.kind {
                WaiverKind::RiskAccepted => ResultState::RiskAccepted,
                WaiverKind::Compensated => ResultState::Compensated,
            };
        }
        finding.waiver = Some(record);
    }
    applied.unmatched = waivers
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(w, _)| w.record.source.clone())
        .collect();
    applied
}

/// The JSON Schema of a waivers file.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Vec<WaiverEntry>)).unwrap_or_default()
}
