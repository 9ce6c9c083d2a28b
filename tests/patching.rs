//! Patch state from real package-manager exports (`fixtures/evidence/patching`): this build
//! machine's own apt state, a Debian 12 chroot made with debootstrap before and after its
//! `apt-get dist-upgrade`, and an apt history that stops in May; dnf and Windows exports in
//! their documented formats, German variants included.

use crate::support::{finding_evidence, finding_state, host_named as host, judge_evidence, repo};

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

#[test]
fn dnf_advisories_in_dnf4_dnf5_and_german() {
    let result = judged(&["--as-of", "2026-12-02T09:00:00Z"]);
    let state = |check: &str, host: &str| finding_state(&result, check, host);
    // dnf 4 (RHEL 9): six packages of three advisories, the metadata checked this morning.
    assert_eq!(state("pat-security-updates-pending", "rhel01"), "fail");
    let evidence = finding_evidence(&result, "pat-security-updates-pending", "rhel01");
    assert!(
        evidence.contains("6 security update(s) pending: openssl"),
        "{evidence}"
    );
    assert!(
        !evidence.contains("in all"),
        "dnf lists security updates only: {evidence}"
    );
    assert!(
        evidence.contains("RHSA-2026:8812, RHSA-2026:9034, RHSA-2026:9101"),
        "{evidence}"
    );
    let rhel = host(&result, "rhel01");
    assert_eq!(rhel["patching"]["lists_updated_at"], "2026-12-02T07:48:02Z");
    assert_eq!(rhel["lifecycle"][0]["cycle"], "9");
    // dnf 5's table, one advisory without a severity.
    assert_eq!(state("pat-security-updates-pending", "fedora01"), "fail");
    assert_eq!(
        host(&result, "fedora01")["patching"]["pending"]["security"],
        4
    );
    // Debian's dnf 4 against a local repository, German: one advisory pending
    // (`Wichtig/Sicherheit`), then nothing after `dnf upgrade`; the metadata line (UTC) dates
    // the lists.
    assert_eq!(state("pat-security-updates-pending", "dnflab01"), "fail");
    assert!(
        finding_evidence(&result, "pat-security-updates-pending", "dnflab01")
            .contains("postura-demo 1.0-2 (POSTURA-2026-0001)")
    );
    assert_eq!(state("pat-security-updates-pending", "dnflab02"), "pass");
    assert_eq!(
        host(&result, "dnflab02")["patching"]["lists_updated_at"],
        "2026-12-02T11:42:48Z"
    );
    // The C locale names no zone: the evidence zone.
    assert_eq!(state("pat-security-updates-pending", "dnflab03"), "fail");
    // Nothing pending is unprovable once the metadata is a week old.
    let later = judged(&["--as-of", "2026-12-10T09:00:00Z"]);
    assert_eq!(
        finding_state(&later, "pat-security-updates-pending", "dnflab02"),
        "not_assessed"
    );
}

#[test]
fn windows_updates_and_releases_from_get_hotfix_and_systeminfo() {
    let result = judged(&[
        "--as-of",
        "2026-12-02T09:00:00Z",
        "--evidence-tz",
        "Europe/Berlin",
    ]);
    let state = |check: &str, host: &str| finding_state(&result, check, host);
    // Windows PowerShell 5.1 (UTF-16, `/Date(...)/` wrapper, German DateTime) and a German
    // systeminfo in code page 850: Windows Server 2012 R2, its ESU over since 2026-10-13.
    let srv01 = host(&result, "win-srv01");
    assert_eq!(srv01["patching"]["last_update"], "KB5048735");
    assert_eq!(srv01["patching"]["last_update_at"], "2026-10-13T22:00:00Z");
    assert_eq!(srv01["patching"]["hotfixes"].as_array().unwrap().len(), 3);
    assert_eq!(srv01["lifecycle"][0]["cycle"], "2012-r2");
    assert_eq!(state("pat-os-eol", "win-srv01"), "fail");
    assert!(
        finding_evidence(&result, "pat-os-eol", "win-srv01")
            .contains("extended support ended 2026-10-13")
    );
    assert_eq!(state("pat-no-recent-update", "win-srv01"), "fail");
    // PowerShell 7's ISO dates and `systeminfo /fo csv`: Windows Server 2022, patched in
    // November.
    let srv02 = host(&result, "win-srv02");
    assert_eq!(srv02["patching"]["last_update"], "KB5072033");
    assert_eq!(srv02["lifecycle"][0]["cycle"], "2022");
    assert_eq!(state("pat-no-recent-update", "win-srv02"), "pass");
    assert_eq!(state("pat-os-eol", "win-srv02"), "pass");
    // systeminfo alone names updates without dates: their age is not assessed.
    let srv03 = host(&result, "win-srv03");
    assert_eq!(srv03["patching"]["hotfixes"][0], "KB5066139");
    assert_eq!(srv03["patching"]["hotfixes_undated"], true);
    assert_eq!(state("pat-no-recent-update", "win-srv03"), "not_assessed");
    assert_eq!(srv03["lifecycle"][0]["cycle"], "2019");
    // A single selected update with a German `dd.MM.yyyy` date, local time; Windows 10 22H2
    // with extended updates until 2028.
    let pc01 = host(&result, "win-pc01");
    assert_eq!(pc01["patching"]["last_update_at"], "2026-11-10T23:00:00Z");
    assert_eq!(pc01["lifecycle"][0]["cycle"], "10-22h2");
    assert_eq!(state("pat-os-eol", "win-pc01"), "pass");
    assert_eq!(state("pat-support-ending", "win-pc01"), "fail");
    // systeminfo and Get-HotFix of one host are one asset, not two.
    let files = result["facts"]["evidence_files"].as_array().unwrap();
    let placed: Vec<_> = files
        .iter()
        .filter(|f| f["path"].as_str().unwrap().starts_with("hosts/win-srv01/"))
        .map(|f| f["asset"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(placed, ["win-srv01", "win-srv01"]);
}
