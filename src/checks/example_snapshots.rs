//! Snapshot of what every built-in check's examples show: state, reason and evidence per
//! asset. A change to a condition or an evidence expression shows as a reviewed diff.

use super::load_builtin;
use super::validate::judge_example;

#[test]
fn every_check_example_state_and_evidence() {
    let checks = load_builtin().expect("built-in checks load");
    let mut shown = Vec::new();
    for check in &checks {
        for example in &check.def.examples {
            let judged = judge_example(check, example).expect("example judged");
            for finding in judged.findings {
                shown.push(serde_json::json!({
                    "check": check.def.id,
                    "example": judged.location,
                    "asset": finding.asset,
                    "state": finding.state,
                    "reason": finding.reason,
                    "evidence": finding.evidence,
                    "credit": finding.credit,
                }));
            }
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
    settings.bind(|| insta::assert_json_snapshot!("check-examples", shown));
}
