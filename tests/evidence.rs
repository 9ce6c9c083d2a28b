//! Evidence folders: the committed MFA samples (vendor formats, real `sshd -T` and PAM files),
//! a malformed file among good ones, unrecognised files, and `--redact`.

use std::path::Path;

use crate::support::{copy_dir, find_by, finding_state, postura, read_json, repo};

fn evidence_run(dir: &Path, extra: &[&str], code: i32) -> (tempfile::TempDir, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    postura()
        .args(["scan", "--evidence"])
        .arg(dir)
        .args(["-q", "-f", "json,html,facts", "--lang", "en", "--out"])
        .arg(out.path())
        .args(extra)
        .assert()
        .code(code);
    let result = read_json(&out.path().join("postura-result.json"));
    (out, result)
}

fn file_entry<'r>(result: &'r serde_json::Value, path: &str) -> &'r serde_json::Value {
    find_by(&result["facts"]["evidence_files"], "path", path)
}

#[test]
fn mfa_samples_are_recognised_and_judged() {
    let (_out, result) = evidence_run(&repo().join("fixtures/evidence/mfa"), &[], 0);
    let files = result["facts"]["evidence_files"].as_array().unwrap();
    // Every file is listed; only the notes are not used.
    for f in files {
        let expected = if f["path"] == "notes.txt" {
            "not_used"
        } else {
            "used"
        };
        assert_eq!(f["status"], expected, "{f}");
    }
    assert_eq!(
        file_entry(&result, "entra/registration-details-de.csv")["format"],
        "entra-user-registration-details-csv"
    );
    // Paged Entra export: both pages form one tenant, the guest is not counted.
    let contoso = &find_by(&result["facts"]["identities"], "id", "entra:contoso.de")["users"];
    assert_eq!(contoso.as_array().unwrap().len(), 7);
    assert_eq!(
        finding_state(&result, "mfa-admin-without-mfa", "entra:contoso.de"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "mfa-admin-without-mfa", "aws:123456789012"),
        "pass"
    );
    assert_eq!(
        finding_state(&result, "mfa-admin-without-mfa", "entra:fabrikam.de"),
        "fail"
    );
    assert_eq!(
        finding_state(
            &result,
            "mfa-admin-without-mfa",
            "okta:example-gmbh.okta.com"
        ),
        "not_assessed"
    );
    assert_eq!(
        finding_state(&result, "mfa-coverage-incomplete", "aws:210987654321"),
        "pass"
    );
    assert_eq!(
        finding_state(&result, "iam-access-key-stale", "aws:123456789012"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "ssh-password-authentication", "web01"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "ssh-password-authentication", "bastion"),
        "pass"
    );
    assert_eq!(
        finding_state(&result, "ssh-pam-second-factor-nullok", "web01"),
        "fail"
    );
    // Partial credit: 3 of 6 counted Contoso users have MFA (the guest is not counted).
    let coverage = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "mfa-coverage-incomplete" && f["asset"] == "entra:contoso.de")
        .unwrap();
    assert!(
        (coverage["credit"].as_f64().unwrap() - 0.5).abs() < 1e-9,
        "{coverage}"
    );
    // Graph PowerShell's ConvertTo-Json (PascalCase, BOM, CRLF): both admins have MFA, one
    // only by SMS.
    let kanzlei = "entra:kanzlei-beispiel.de";
    assert_eq!(
        finding_state(&result, "mfa-admin-without-mfa", kanzlei),
        "pass"
    );
    assert_eq!(
        finding_state(&result, "mfa-admin-not-phishing-resistant", kanzlei),
        "fail"
    );
    let it = find_by(
        &find_by(&result["facts"]["identities"], "id", kanzlei)["users"],
        "name",
        "it@kanzlei-beispiel.de",
    );
    assert_eq!(it["mfa_methods"], serde_json::json!(["mobilePhone"]));
    assert_eq!(it["source"]["line"], 64, "{it}");
    // Okta: a pending SMS and a security question are no second factor.
    let okta = find_by(
        &result["facts"]["identities"],
        "id",
        "okta:example-gmbh.okta.com",
    );
    let thomas = find_by(&okta["users"], "name", "thomas.mueller@example-gmbh.de");
    assert_eq!(thomas["mfa"], false, "{thomas}");
    // The finding cites file and line; the names are in the report.
    let evidence = coverage["evidence"].to_string();
    assert!(
        evidence
            .contains("m.oezdemir@contoso.de: no MFA (entra/userRegistrationDetails-page2.json:"),
        "{evidence}"
    );
}

#[test]
fn malformed_file_is_named_and_the_rest_is_judged() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("fixtures/evidence/mfa"), dir.path());
    // A credential report whose fifth line has a broken boolean.
    std::fs::write(
        dir.path().join("aws/broken-report.csv"),
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active\n\
         a,arn:aws:iam::999999999999:user/a,2026-01-01T00:00:00+00:00,true,N/A,N/A,N/A,true\n\
         b,arn:aws:iam::999999999999:user/b,2026-01-01T00:00:00+00:00,true,N/A,N/A,N/A,false\n\
         c,arn:aws:iam::999999999999:user/c,2026-01-01T00:00:00+00:00,true,N/A,N/A,N/A,true\n\
         d,arn:aws:iam::999999999999:user/d,2026-01-01T00:00:00+00:00,vielleicht,N/A,N/A,N/A,true\n",
    )
    .unwrap();
    // Truncated JSON that is recognisably an Entra export.
    std::fs::write(
        dir.path().join("entra/broken.json"),
        "{\n  \"value\": [\n    {\"userPrincipalName\": \"x@contoso.de\", \"isMfaRegistered\": true,\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let assert = postura()
        .args(["scan", "--evidence"])
        .arg(dir.path())
        .args(["-q", "-f", "json,html", "--lang", "en", "--out"])
        .arg(out.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("broken-report.csv:5"), "{stderr}");
    assert!(stderr.contains("password_enabled"), "{stderr}");
    assert!(stderr.contains("broken.json:4"), "{stderr}");
    let result = read_json(&out.path().join("postura-result.json"));
    let broken = file_entry(&result, "aws/broken-report.csv");
    assert_eq!(broken["status"], "error");
    assert_eq!(broken["error_line"], 5);
    assert_eq!(file_entry(&result, "entra/broken.json")["status"], "error");
    // Nothing of the broken file is judged; everything else is.
    assert_eq!(
        finding_state(&result, "mfa-coverage-incomplete", "aws:999999999999"),
        "",
        "no finding for the account of the broken file"
    );
    assert_eq!(
        finding_state(&result, "mfa-admin-without-mfa", "entra:contoso.de"),
        "fail"
    );
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    assert!(
        html.contains("aws/broken-report.csv:5"),
        "the report shows the error"
    );

    // The same folder through `postura evidence`: every file listed, the broken ones too.
    let listing = postura()
        .args(["evidence", "--json"])
        .arg(dir.path())
        .assert()
        .code(2);
    let files: serde_json::Value = serde_json::from_slice(&listing.get_output().stdout).unwrap();
    assert_eq!(
        find_by(&files, "path", "aws/broken-report.csv")["error_line"],
        5
    );
    assert_eq!(find_by(&files, "path", "notes.txt")["status"], "not_used");
    assert_eq!(
        find_by(&files, "path", "entra/registration-details-de.csv")["records"],
        5
    );
}

#[test]
fn redact_replaces_names_with_stable_pseudonyms() {
    let dir = repo().join("fixtures/evidence/mfa");
    let (out, result) = evidence_run(&dir, &["--redact"], 0);
    let text = std::fs::read_to_string(out.path().join("postura-result.json")).unwrap()
        + &std::fs::read_to_string(out.path().join("postura-report.html")).unwrap()
        + &std::fs::read_to_string(out.path().join("postura-facts.json")).unwrap();
    for name in [
        "global.admin@contoso.de",
        "jörg.müller",
        "thomas.mueller@example-gmbh.de",
        "Jürgen",
    ] {
        assert!(!text.contains(name), "{name} leaked");
    }
    let (_out2, again) = evidence_run(&dir, &["--redact"], 0);
    let names = |r: &serde_json::Value| -> Vec<String> {
        r["facts"]["identities"][0]["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&result), names(&again));
    assert!(names(&result).iter().all(|n| n.starts_with("user-")));
}

/// The README's first command (after `cargo install`) runs as written: a scan of localhost
/// with the sample evidence folder, reports written, exit code 0.
#[test]
fn readme_main_job_runs() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo install"))
        .expect("the install-and-run command");
    let (_, job) = line.split_once("&& postura ").expect("`&& postura ...`");
    let out = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = job.split_whitespace().map(str::to_owned).collect();
    let at = args.iter().position(|a| a == "--out").expect("--out") + 1;
    args[at] = out.path().display().to_string();
    postura()
        .current_dir(repo())
        .args(&args)
        .arg("-q")
        .assert()
        .code(0);
    for file in ["postura-report.html", "postura-result.json"] {
        assert!(out.path().join(file).exists(), "{file} written");
    }
}

#[test]
fn as_of_judges_evidence_at_another_time_and_says_so() {
    let dir = repo().join("fixtures/evidence/mfa");
    // The root user of 123456789012 last signed in with its password on 2025-03-14.
    let (_out, now) = evidence_run(&dir, &[], 0);
    assert_eq!(
        finding_state(&now, "iam-root-account-in-use", "aws:123456789012"),
        "pass"
    );
    let (out, then) = evidence_run(&dir, &["--as-of", "2025-04-01T00:00:00Z"], 0);
    assert_eq!(
        finding_state(&then, "iam-root-account-in-use", "aws:123456789012"),
        "fail"
    );
    assert_eq!(then["as_of"], "2025-04-01T00:00:00Z");
    assert_ne!(then["generated_at"], then["as_of"]);
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    assert!(
        html.contains("Judged as of"),
        "the report states its reference time"
    );

    postura()
        .args(["scan", "--evidence"])
        .arg(&dir)
        .args(["--as-of", "last tuesday"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a time"));
    postura()
        .args(["scan", "--evidence"])
        .arg(&dir)
        .args(["--evidence-tz", "Mars/Olympus_Mons"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a known time zone"));
}

/// Verdicts that depend on more than one field: an Entra registration the tenant's policy does
/// not allow, Google 2SV without enforcement, and SSH that lets one factor in with passwords off.
#[test]
fn mfa_verdicts_beyond_registration() {
    let (_out, result) = evidence_run(&repo().join("fixtures/evidence/mfa"), &[], 0);
    let identities = &result["facts"]["identities"];
    // Registered by SMS, which the tenant's policy does not allow (`isMfaCapable: false`): no
    // MFA, and the evidence says why. The same from the German CSV export.
    let contoso = &find_by(identities, "id", "entra:contoso.de")["users"];
    let sabine = find_by(contoso, "name", "sabine.kraus@contoso.de");
    assert_eq!(sabine["mfa"], false, "{sabine}");
    let coverage_evidence = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "mfa-coverage-incomplete" && f["asset"] == "entra:contoso.de")
        .unwrap()["evidence"]
        .to_string();
    assert!(
        coverage_evidence.contains(
            "sabine.kraus@contoso.de: no MFA, registered, but no method the tenant's policy allows"
        ),
        "{coverage_evidence}"
    );
    let fabrikam = &find_by(identities, "id", "entra:fabrikam.de")["users"];
    let jonas = find_by(fabrikam, "name", "jonas.weiss@fabrikam.de");
    assert_eq!(jonas["mfa"], false, "{jonas}");
    assert!(
        jonas["mfa_note"]
            .as_str()
            .unwrap()
            .contains("isMfaCapable false")
    );
    // Google: enrolled in 2SV without enforcement.
    assert_eq!(
        finding_state(&result, "mfa-2sv-not-enforced", "google:praxis-beispiel.de"),
        "fail"
    );
    // One factor is enough on keyonly01 (passwords off, AuthenticationMethods any); bastion
    // asks for a key and keyboard-interactive; web01's passwords are the password check's.
    assert_eq!(
        finding_state(&result, "ssh-single-factor", "keyonly01"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "ssh-single-factor", "bastion"),
        "pass"
    );
    assert_eq!(
        finding_state(&result, "ssh-single-factor", "web01"),
        "not_applicable"
    );
    assert_eq!(
        finding_state(&result, "ssh-password-authentication", "keyonly01"),
        "pass"
    );
}

/// The state and evidence of one finding.
fn finding<'r>(result: &'r serde_json::Value, check: &str, asset: &str) -> &'r serde_json::Value {
    result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == check && f["asset"] == asset)
        .unwrap_or_else(|| panic!("no {check} on {asset}"))
}

#[test]
fn consultant_folder_layout_places_every_export() {
    let dir = repo().join("fixtures/evidence/mixed");
    let (out, result) = evidence_run(&dir, &[], 0);
    // Category folders never name a host; the file names do.
    for (path, asset) in [
        ("firewall/fw01-iptables.rules", "fw01"),
        ("firewall/web02-nft.txt", "web02"),
        ("audit/app01-lsblk.json", "app01"),
        ("audit/app02_lsblk-J-f.json", "app02"),
        ("web03/sshd_config", "web03"),
        ("web03/sshd_config.d/50-hardening.conf", "web03"),
    ] {
        assert_eq!(file_entry(&result, path)["asset"], asset, "{path}");
        assert_eq!(file_entry(&result, path)["status"], "used", "{path}");
    }
    // Two iptables exports of one host folder without a manifest: one asset each, and said so.
    let older = file_entry(&result, "db05/iptables-save-2026-11-30.txt");
    assert_eq!(older["asset"], "db05/iptables-save-2026-11-30");
    assert_eq!(older["placement"]["kind"], "separate_asset");
    assert_eq!(older["placement"]["alongside"][0], "db05/iptables-save.txt");
    assert_eq!(
        file_entry(&result, "db05/iptables-save.txt")["asset"],
        "db05/iptables-save"
    );
    let html = std::fs::read_to_string(out.path().join("postura-report.html")).unwrap();
    assert!(html.contains("without a postura-manifest.json: judged as an asset of its own"));
    assert!(html.contains("read through the Include in web03/sshd_config"));

    // Four `sshd -T -C` captures are contexts of one host; the client address is not a host.
    let ssh = crate::support::host_named(&result, "ssh/sshd-T");
    let contexts: Vec<&str> = ssh["sshd"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["context"].as_str().unwrap_or("global"))
        .collect();
    assert_eq!(contexts.len(), 4, "{contexts:?}");
    assert!(contexts.contains(&"user=backup,addr=10.30.4.17"));
    assert!(
        !result["facts"]["hosts"]
            .to_string()
            .contains("\"10.30.4.17\"")
    );
    let password = finding(&result, "ssh-password-authentication", "ssh/sshd-T");
    assert_eq!(password["state"], "fail");
    let evidence = password["evidence"].to_string();
    assert!(
        evidence.contains("sshd -T [user=backup,addr=10.30.4.17] (ssh/sshd-T-C_user=backup,addr=10.30.4.17.txt:30): passwordauthentication true"),
        "{evidence}"
    );
    assert!(
        !password["evidence"][0].to_string().contains("alice"),
        "passing contexts are not blamed: {evidence}"
    );
    assert!(
        password["evidence"][1].as_str().unwrap().starts_with(
            "other contexts require a second factor or refuse passwords: sshd -T [user=alice"
        ),
        "{evidence}"
    );
    let single = finding(&result, "ssh-single-factor", "ssh/sshd-T");
    assert_eq!(single["state"], "fail");
    assert!(
        single["evidence"]
            .to_string()
            .contains("[user=deploy,addr=10.30.9.5]")
    );

    // sshd_config: the drop-in read through Include sets the global context (keys plus a
    // code), and the Match block is a scoped exception with a password alone.
    let web03 = crate::support::host_named(&result, "web03");
    assert_eq!(
        web03["sshd"][0]["authentication_methods"][0][1],
        "keyboard-interactive"
    );
    assert_eq!(
        web03["sshd"][0]["at"]["passwordauthentication"],
        "web03/sshd_config.d/50-hardening.conf:2"
    );
    let scoped = finding(&result, "ssh-password-authentication", "web03");
    assert_eq!(scoped["state"], "fail");
    assert!(
        scoped["evidence"][0]
            .as_str()
            .unwrap()
            .starts_with("sshd_config [Match User sftpuser] (web03/sshd_config:"),
        "{scoped}"
    );
    assert_eq!(
        finding(&result, "ssh-single-factor", "web03")["state"],
        "pass"
    );
}

/// postura's reading of an `sshd_config` agrees with what the real `sshd -T` makes of the
/// same file, for the global settings and for a connection the `Match` block applies to.
#[test]
fn sshd_config_contexts_agree_with_real_sshd() {
    let sshd = Path::new("/usr/sbin/sshd");
    assert!(
        crate::support::require("sshd") || sshd.exists(),
        "sshd is needed"
    );
    let work = tempfile::tempdir().unwrap();
    let fixture = repo().join("fixtures/evidence/mixed/web03");
    copy_dir(&fixture, work.path());
    let key = work.path().join("hostkey");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    // The same file, its Include pointing at the copied drop-in folder, with a host key.
    let config = std::fs::read_to_string(work.path().join("sshd_config"))
        .unwrap()
        .replace(
            "/etc/ssh/sshd_config.d",
            &work.path().join("sshd_config.d").display().to_string(),
        );
    let real_config = work.path().join("real_config");
    std::fs::write(&real_config, format!("HostKey {}\n{config}", key.display())).unwrap();
    let effective = |spec: Option<&str>| -> Vec<String> {
        let mut command = std::process::Command::new(sshd);
        command.arg("-T").arg("-f").arg(&real_config);
        if let Some(spec) = spec {
            command.args(["-C", spec]);
        }
        let out = command.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| {
                [
                    "passwordauthentication ",
                    "kbdinteractiveauthentication ",
                    "authenticationmethods ",
                ]
                .iter()
                .any(|k| l.starts_with(k))
            })
            .map(str::to_owned)
            .collect()
    };
    let (_out, result) = evidence_run(&repo().join("fixtures/evidence/mixed"), &[], 0);
    let web03 = crate::support::host_named(&result, "web03");
    let ours = |context: &serde_json::Value| -> Vec<String> {
        let yes_no = |v: &serde_json::Value| if v == true { "yes" } else { "no" };
        let methods = context["authentication_methods"].as_array().unwrap();
        let methods = if methods.is_empty() {
            "any".to_owned()
        } else {
            methods
                .iter()
                .map(|chain| {
                    chain
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|m| m.as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        vec![
            format!(
                "passwordauthentication {}",
                yes_no(&context["password_authentication"])
            ),
            format!(
                "kbdinteractiveauthentication {}",
                yes_no(&context["kbd_interactive_authentication"])
            ),
            format!("authenticationmethods {methods}"),
        ]
    };
    assert_eq!(ours(&web03["sshd"][0]), effective(None));
    assert_eq!(
        ours(&web03["sshd"][1]),
        effective(Some("user=sftpuser,addr=10.0.0.1"))
    );
}

/// What a run concluded: every finding's check, asset, state and evidence, sorted.
fn conclusions(dir: &Path) -> (Vec<String>, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    postura()
        .args(["scan", "--evidence"])
        .arg(dir)
        .args([
            "-q",
            "-f",
            "json",
            "--lang",
            "en",
            "--as-of",
            "2026-11-27T12:00:00Z",
        ])
        .args(["--evidence-tz", "UTC", "--out"])
        .arg(out.path())
        .assert()
        .code(predicates::ord::lt(3));
    let result = read_json(&out.path().join("postura-result.json"));
    let mut lines: Vec<String> = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["check_id"], f["asset"], f["state"], f["evidence"]
            )
        })
        .collect();
    lines.sort();
    (lines, result)
}

/// No file is reported as used without a trace: each is cited by a finding's evidence (pass
/// or fail), or the findings change when it is taken away.
#[test]
fn every_used_evidence_file_counts() {
    for family in ["mfa", "firewall", "encryption", "backup", "mixed"] {
        let dir = repo().join("fixtures/evidence").join(family);
        let (before, result) = conclusions(&dir);
        let cited = before.join("\n");
        let used: Vec<String> = result["facts"]["evidence_files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "used")
            .map(|f| f["path"].as_str().unwrap().to_owned())
            .collect();
        assert!(!used.is_empty(), "{family}");
        for path in used {
            if cited.contains(&path) {
                continue;
            }
            let without = tempfile::tempdir().unwrap();
            copy_dir(&dir, without.path());
            std::fs::remove_file(without.path().join(&path)).unwrap();
            let (after, _) = conclusions(without.path());
            assert!(
                before != after,
                "{family}/{path} is reported as used, but no finding cites it and the findings do not change without it"
            );
        }
    }
}
