//! SARIF 2.1.0 (`--format sarif`), as GitHub code scanning and other viewers read it: one rule
//! per check, one result per failing check × asset, located in the evidence file and line the
//! finding cites, else at the pseudo-path `hosts/ASSET` (GitHub shows only located results).
//! Waived findings carry a suppression with the waiver's reason.

use serde_json::{Value, json};

use super::ScanResult;
use super::html::evidence_text;
use crate::checks::eval::{Finding, ResultState};
use crate::checks::{Lang, Severity};

/// The fingerprint key of `partialFingerprints`; versioned so a change of the scheme never
/// matches an older result.
pub const FINGERPRINT_KEY: &str = "postura/v1";

/// `level` of a result.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// `security-severity` GitHub ranks by: critical above 9, high 7–8.9, medium 4–6.9, low below.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// `SshPasswordAuthentication` from `ssh-password-authentication`.
fn pascal(id: &str) -> String {
    id.split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect()
}

/// The first `(file:line)` an evidence text cites.
fn cited_location(evidence: &str) -> Option<(String, u64)> {
    let mut rest = evidence;
    while let Some(open) = rest.find('(') {
        let inner = &rest[open + 1..];
        let close = inner.find(')')?;
        let cited = &inner[..close];
        if let Some((file, line)) = cited.rsplit_once(':')
            && let Ok(line) = line.parse::<u64>()
            && line > 0
            && !file.is_empty()
            && !file.contains(' ')
        {
            return Some((file.to_owned(), line));
        }
        rest = &inner[close..];
    }
    None
}

/// The pseudo-path of a finding with no evidence file: `hosts/ASSET`, the asset made safe for
/// a relative URI.
fn pseudo_path(asset: &str) -> String {
    let safe: String = asset
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("hosts/{safe}")
}

fn location(finding: &Finding, evidence: &str) -> Value {
    let (uri, line) = cited_location(evidence).map_or_else(
        || (pseudo_path(&finding.asset), 1),
        |(file, line)| (file, line),
    );
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri },
            "region": { "startLine": line }
        }
    })
}

/// Both languages, the result's first.
fn both(text: &crate::checks::Localized, lang: Lang) -> String {
    match lang {
        Lang::De => format!("{}\n\n{}", text.de.trim(), text.en.trim()),
        Lang::En => format!("{}\n\n{}", text.en.trim(), text.de.trim()),
    }
}

/// Renders `result` as a SARIF 2.1.0 log.
pub(crate) fn render(result: &ScanResult) -> Value {
    let lang = result.lang;
    let reported: Vec<&Finding> = result
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.state,
                ResultState::Fail | ResultState::RiskAccepted | ResultState::Compensated
            )
        })
        .collect();
    let rules: Vec<Value> = result
        .checks
        .iter()
        .filter(|c| !c.def.is_manual())
        .map(|c| {
            let def = &c.def;
            let mut tags = vec![
                "security".to_owned(),
                def.family.as_str().to_owned(),
                def.control.clone(),
            ];
            for (key, ids) in &def.references {
                tags.extend(ids.iter().map(|id| format!("{key}:{id}")));
            }
            json!({
                "id": def.id,
                "name": pascal(&def.id),
                "shortDescription": { "text": def.title.get(lang) },
                "fullDescription": { "text": def.description.get(lang).trim() },
                "help": {
                    "text": both(&def.remediation, lang),
                    "markdown": both(&def.remediation, lang)
                },
                "defaultConfiguration": { "level": level(def.severity) },
                "properties": {
                    "security-severity": security_severity(def.severity),
                    "precision": "high",
                    "tags": tags
                }
            })
        })
        .collect();
    let rule_index = |id: &str| {
        result
            .checks
            .iter()
            .filter(|c| !c.def.is_manual())
            .position(|c| c.def.id == id)
    };
    let results: Vec<Value> = reported
        .iter()
        .map(|f| {
            let evidence = evidence_text(&f.evidence);
            let title = result
                .check(&f.check_id)
                .map(|d| d.title.get(lang).to_owned())
                .unwrap_or_default();
            let mut entry = json!({
                "ruleId": f.check_id,
                "level": level(f.severity),
                "message": { "text": format!("{title} on {}: {evidence}", f.asset) },
                "locations": [location(f, &evidence)],
                "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
                "properties": {
                    "asset": f.asset,
                    "control": f.control,
                    "severity": f.severity.as_str(),
                    "security-severity": security_severity(f.severity),
                    "state": f.state.as_str()
                }
            });
            if let Some(index) = rule_index(&f.check_id) {
                entry["ruleIndex"] = json!(index);
            }
            if let Some(waiver) = f.waiver.as_ref().filter(|w| !w.expired) {
                entry["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!(
                        "{:?}: {} (approved by {}, until {}; {})",
                        waiver.kind, waiver.reason, waiver.approver, waiver.expires, waiver.source
                    )
                }]);
            }
            entry
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": result.tool.name,
                    "version": result.tool.version,
                    "semanticVersion": result.tool.version,
                    "rules": rules
                }
            },
            "invocations": [{
                "executionSuccessful": true,
                "endTimeUtc": result.generated_at.to_string()
            }],
            "results": results
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_cited_file_and_line_locates_a_finding() {
        assert_eq!(
            cited_location("loop0 (/srv/data) on no encrypted layer (audit/app01-lsblk.json:4)"),
            Some(("audit/app01-lsblk.json".to_owned(), 4))
        );
        assert_eq!(cited_location("3389/tcp open (rdp)"), None);
        assert_eq!(
            pseudo_path("db05/iptables save"),
            "hosts/db05_iptables_save"
        );
        assert_eq!(
            pascal("ssh-password-authentication"),
            "SshPasswordAuthentication"
        );
    }
}
