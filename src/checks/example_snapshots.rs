//! Snapshot of what every built-in check's examples show: state, reason and evidence per
//! asset. A change to a condition or an evidence expression shows as a reviewed diff.

use super::eval::{self, Judgement};
use super::{Lang, example_text, load_builtin, profiles};
use crate::facts::Facts;

#[test]
fn every_check_example_state_and_evidence() {
    let checks = load_builtin().expect("built-in checks load");
    let mut shown = Vec::new();
    for check in &checks {
        for example in &check.def.examples {
            let (location, text) = example_text(check, example).expect("example facts exist");
            let facts: Facts = serde_json::from_str(&text).expect("example facts parse");
            let profile_id = example
                .tls_profile
                .as_deref()
                .unwrap_or(profiles::DEFAULT_TLS_PROFILE);
            let judgement = Judgement {
                lang: Lang::En,
                now: facts.finished_at,
                generated_at: facts.finished_at,
                tls_profile: profiles::tls_profile(profile_id).expect("profile exists"),
                rpo_seconds: crate::DEFAULT_RPO_SECONDS,
                attestations: Default::default(),
            };
            for finding in eval::evaluate(std::slice::from_ref(check), &facts, &judgement) {
                shown.push(serde_json::json!({
                    "check": check.def.id,
                    "example": location,
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
