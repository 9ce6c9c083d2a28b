//! `postura collect` on the machine the tests run on: the folder it writes is accepted by
//! `scan --evidence` unchanged, and its manifest's hashes match the files.

use sha2::Digest;

use crate::support::{is_root, postura, read_json, require};

#[test]
fn collect_writes_a_folder_scan_reads_unchanged() {
    if !is_root() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("evidence");
    let mut command = postura();
    command.args(["collect", "-q", "--out"]).arg(&out);
    // A restic repository "where configured".
    let restic = require("restic").then(|| {
        let repo = work.path().join("restic");
        let status = std::process::Command::new("restic")
            .args(["init", "-q", "-r"])
            .arg(&repo)
            .env("RESTIC_PASSWORD", "test")
            .status()
            .unwrap();
        assert!(status.success());
        repo
    });
    if let Some(repo) = &restic {
        command
            .arg("--restic-repo")
            .arg(repo)
            .env("RESTIC_PASSWORD", "test");
    }
    command.assert().code(0);

    let manifest = read_json(&out.join("postura-manifest.json"));
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(manifest["host"], host.trim());
    let files = manifest["files"].as_array().unwrap();
    assert!(
        files.iter().any(|f| f["path"] == "storage/lsblk.json"),
        "{manifest}"
    );
    assert!(
        files
            .iter()
            .any(|f| f["path"] == "firewall/nft-ruleset.json"),
        "{manifest}"
    );
    assert!(
        files
            .iter()
            .any(|f| f["path"].as_str().unwrap().starts_with("pam.d/")),
        "{manifest}"
    );
    // This Debian machine's patch state: its OS and apt's view.
    for path in [
        "os/os-release",
        "patching/apt-list-upgradable.txt",
        "patching/apt-get-s-dist-upgrade.txt",
        "patching/ls-var-lib-apt-lists.txt",
        "patching/history.log",
    ] {
        assert!(
            files.iter().any(|f| f["path"] == path),
            "{path}: {manifest}"
        );
    }
    if restic.is_some() {
        assert!(
            files
                .iter()
                .any(|f| f["path"] == "backup/restic-snapshots-1.json"),
            "{manifest}"
        );
    }
    for file in files {
        let content = std::fs::read(out.join(file["path"].as_str().unwrap())).unwrap();
        let digest: String = sha2::Sha256::digest(&content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(file["sha256"], digest.as_str(), "{}", file["path"]);
    }
    assert!(!work.path().join("evidence.partial").exists());

    // Accepted unchanged: every file used or not used, none an error; the host is judged.
    let report = tempfile::tempdir().unwrap();
    postura()
        .args(["scan", "--evidence"])
        .arg(&out)
        .args(["-q", "-f", "json", "--out"])
        .arg(report.path())
        .assert()
        .code(0);
    let result = read_json(&report.path().join("postura-result.json"));
    let evidence_files = result["facts"]["evidence_files"].as_array().unwrap();
    assert!(
        evidence_files.iter().all(|f| f["status"] != "error"),
        "{evidence_files:?}"
    );
    let judged = &result["facts"]["hosts"][0];
    assert_eq!(judged["hostnames"][0], host.trim());
    assert!(judged.get("firewall").is_some(), "{judged}");
    assert!(judged.get("encryption").is_some(), "{judged}");

    // It never writes into an existing folder.
    postura()
        .args(["collect", "-q", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already exists"));
}

/// On a host with dnf and no apt, `collect` asks dnf for its security advisories. The host is
/// Debian's dnf 4 with an install root and a local repository (`scripts/dnf-lab`): `dnf` on
/// the PATH given to `collect` runs the real dnf against that root, and apt is not on it.
#[test]
fn collect_asks_dnf_where_there_is_no_apt() {
    for program in ["dnf", "rpmbuild", "createrepo_c", "modifyrepo_c"] {
        assert!(
            require(program),
            "{program} is needed (scripts/test installs it)"
        );
    }
    let work = tempfile::tempdir().unwrap();
    let lab = work.path().join("lab");
    let status = std::process::Command::new(crate::support::repo().join("scripts/dnf-lab"))
        .arg(&lab)
        .status()
        .unwrap();
    assert!(status.success());
    let bin = work.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let dnf = bin.join("dnf");
    std::fs::write(
        &dnf,
        format!(
            // dnf itself runs with the system's PATH (it calls other programs).
            "#!/bin/sh\nPATH=/usr/sbin:/usr/bin:/sbin:/bin exec /usr/bin/dnf --installroot={} --releasever=1 \"$@\"\n",
            lab.join("root").display()
        ),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .args(["+x"])
        .arg(&dnf)
        .status()
        .unwrap();
    // `sh` and `ls` for the wrapper and collect's listings; no apt, apt-get or yum.
    for tool in ["sh", "ls"] {
        let path = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .unwrap();
        let target = String::from_utf8_lossy(&path.stdout).trim().to_owned();
        std::os::unix::fs::symlink(target, bin.join(tool)).unwrap();
    }
    let out = work.path().join("evidence");
    postura()
        .env("PATH", &bin)
        .args(["collect", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let export = std::fs::read_to_string(out.join("patching/dnf-updateinfo-security.txt")).unwrap();
    assert!(
        export.contains("POSTURA-2026-0001 Important/Sec."),
        "{export}"
    );
    assert!(!out.join("patching/apt-list-upgradable.txt").exists());
    let result_dir = work.path().join("report");
    postura()
        .args(["scan", "--evidence"])
        .arg(&out)
        .args(["-q", "--lang", "en", "-f", "json", "--out"])
        .arg(&result_dir)
        .assert()
        .code(predicates::ord::lt(2));
    let result = read_json(&result_dir.join("postura-result.json"));
    let pending = &result["facts"]["hosts"][0]["patching"]["pending"];
    assert_eq!(pending["security"], 1, "{pending}");
    assert_eq!(pending["advisories"][0], "POSTURA-2026-0001");
}
