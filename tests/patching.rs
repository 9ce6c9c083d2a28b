//! Patch state from real package-manager exports (`fixtures/evidence/patching`): this build
//! machine's own apt state, a Debian 12 chroot made with debootstrap before and after its
//! `apt-get dist-upgrade`, and an apt history that stops in May.

use crate::support::{finding_evidence, finding_state, judge_evidence, repo};

fn judged(extra: &[&str]) -> serde_json::Value {
    judge_evidence(&repo().join("fixtures/evidence/patching"), extra)
}

#[test]
fn pending_security_updates_and_the_age_of_the_last_one() {
    let result = judged(&["--as-of", "2026-12-02T09:00:00Z"]);
    let state = |check: &str, host: &str| finding_state(&result, check, host);
    // debootstrap installs from the release, not from bookworm-security: 12 pending.
    assert_eq!(state("pat-security-updates-pending", "fresh01"), "fail");
    let pending = finding_evidence(&result, "pat-security-updates-pending", "fresh01");
    assert!(
        pending.contains("12 security update(s) pending"),
        "{pending}"
    );
    assert!(pending.contains("liblzma5 5.4.1-1+deb12u2"), "{pending}");
    // After `apt-get dist-upgrade` nothing is pending, and the lists are fresh.
    assert_eq!(state("pat-security-updates-pending", "patched01"), "pass");
    assert_eq!(state("pat-no-recent-update", "patched01"), "pass");
    // This machine: apt and apt-get -s agree.
    assert_eq!(state("pat-security-updates-pending", "build01"), "fail");
    let host = result["facts"]["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["hostnames"][0] == "build01")
        .unwrap();
    assert!(host["patching"]["pending"]["security"].as_u64().unwrap() > 0);
    assert_eq!(host["lifecycle"][0]["name"], "Debian 12 (Bookworm)");
    assert_eq!(host["lifecycle"][0]["basis"], "evidence");
    // The OS from /etc/os-release is judged like one from a banner.
    assert_eq!(state("pat-support-ending", "build01"), "fail");
    // The history that stops on 2026-05-20: far beyond 30 days.
    assert_eq!(state("pat-no-recent-update", "old01"), "fail");
    assert!(
        finding_evidence(&result, "pat-no-recent-update", "old01").contains("2026-05-20T16:49:21Z")
    );
    assert_eq!(
        state("pat-security-updates-pending", "old01"),
        "not_assessed"
    );

    // --patch-age per asset: a longer limit for old01 only.
    let result = judged(&[
        "--as-of",
        "2026-12-02T09:00:00Z",
        "--patch-age",
        "old*=365d",
    ]);
    assert_eq!(
        finding_state(&result, "pat-no-recent-update", "old01"),
        "pass"
    );
    let result = judged(&["--as-of", "2026-12-02T09:00:00Z", "--patch-age", "1h"]);
    assert_eq!(
        finding_state(&result, "pat-no-recent-update", "build01"),
        "fail"
    );

    // Three weeks later the lists of patched01 are too old to prove nothing is pending.
    let later = judged(&["--as-of", "2026-12-23T09:00:00Z"]);
    assert_eq!(
        finding_state(&later, "pat-security-updates-pending", "patched01"),
        "not_assessed"
    );
    // Pending security updates stay a failure however old the lists are.
    assert_eq!(
        finding_state(&later, "pat-security-updates-pending", "fresh01"),
        "fail"
    );
}
