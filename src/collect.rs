//! `postura collect`: gathers the evidence of the Linux host it runs on into a folder that
//! `postura scan --evidence` reads unchanged. It only reads: every command is a listing
//! (`iptables-save`, `nft -j list ruleset`, `lsblk -J -O`, `cryptsetup luksDump`, `sshd -T`,
//! `restic snapshots`, `borg list`), and PAM files are copied. A tool that is missing or fails
//! is noted in the manifest, not fatal. The manifest records the host name, the time, and the
//! SHA-256 of every file, so a consultant can show where each file came from.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use sha2::Digest;

/// The manifest file name, also read by the evidence reader.
pub const MANIFEST: &str = "postura-manifest.json";

/// The JSON Schema of the fields of a `postura-manifest.json` the evidence reader uses.
pub fn manifest_schema() -> serde_json::Value {
    crate::evidence::placement::manifest_schema()
}

/// What `collect` wrote.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// The host the evidence belongs to.
    pub host: String,
    /// When collection started (RFC 3339, UTC).
    pub collected_at: String,
    /// The collecting program.
    pub tool: String,
    /// Every file written, with the command or source it came from.
    pub files: Vec<CollectedFile>,
    /// Commands that could not run, and why.
    pub missing: Vec<Missing>,
}

/// One file of the collection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CollectedFile {
    /// Path inside the folder.
    pub path: String,
    /// The command that produced it, or the file it was copied from.
    pub source: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// A command that could not contribute.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Missing {
    /// The command.
    pub command: String,
    /// Why: not installed, exit status and its message.
    pub reason: String,
}

/// What to collect besides the fixed listings.
#[derive(Debug, Clone, Default)]
pub struct CollectOptions {
    /// restic repositories to list (`RESTIC_PASSWORD` or `RESTIC_PASSWORD_FILE` must be set).
    pub restic_repos: Vec<String>,
    /// borg repositories to list (`BORG_PASSPHRASE` or a key without passphrase).
    pub borg_repos: Vec<String>,
    /// The folder PAM files are copied from (`/etc/pam.d`).
    pub pam_dir: PathBuf,
    /// The folder of apt's logs (`/var/log/apt`).
    pub apt_log_dir: PathBuf,
}

/// Why collection could not write its folder.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CollectError {
    /// The folder.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

struct Writer {
    dir: PathBuf,
    manifest: Manifest,
}

impl Writer {
    fn write(&mut self, name: &str, source: &str, content: &[u8]) -> Result<(), CollectError> {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| error(parent, &e))?;
        }
        std::fs::write(&path, content).map_err(|e| error(&path, &e))?;
        self.manifest.files.push(CollectedFile {
            path: name.to_owned(),
            source: source.to_owned(),
            bytes: content.len() as u64,
            sha256: hex(&sha2::Sha256::digest(content)),
        });
        Ok(())
    }

    /// Copies a file; a file that cannot be read becomes a `missing` entry.
    fn copy(&mut self, name: &str, path: &Path) -> Result<(), CollectError> {
        match std::fs::read(path) {
            Ok(content) => self.write(name, &path.display().to_string(), &content),
            Err(e) => {
                self.manifest.missing.push(Missing {
                    command: format!("read {}", path.display()),
                    reason: e.to_string(),
                });
                Ok(())
            }
        }
    }

    /// Runs a listing command; its output becomes `name`, a failure a `missing` entry.
    fn run(
        &mut self,
        name: &str,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Option<Vec<u8>>, CollectError> {
        let command = std::iter::once(program)
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join(" ");
        match Command::new(program)
            .args(args)
            .envs(env.iter().copied())
            .output()
        {
            Ok(out) if out.status.success() => {
                self.write(name, &command, &out.stdout)?;
                Ok(Some(out.stdout))
            }
            Ok(out) => {
                let message = String::from_utf8_lossy(&out.stderr);
                self.manifest.missing.push(Missing {
                    command,
                    reason: format!(
                        "{}: {}",
                        out.status,
                        message.lines().next().unwrap_or("").trim()
                    ),
                });
                Ok(None)
            }
            Err(e) => {
                self.manifest.missing.push(Missing {
                    command,
                    reason: if e.kind() == std::io::ErrorKind::NotFound {
                        "not installed".into()
                    } else {
                        e.to_string()
                    },
                });
                Ok(None)
            }
        }
    }
}

fn error(path: &Path, e: &std::io::Error) -> CollectError {
    CollectError {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// This machine's host name.
pub(crate) fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Collects into `out`, which must not exist yet. The files are written to `out.partial`
/// first and the folder renamed at the end, so an interrupted run leaves no half folder that
/// looks complete. `progress` hears each step.
pub fn collect(
    out: &Path,
    options: &CollectOptions,
    now: jiff::Timestamp,
    progress: &mut dyn FnMut(&str),
) -> Result<Manifest, CollectError> {
    if out.exists() {
        return Err(CollectError {
            path: out.to_owned(),
            message: "already exists: expected a new folder".into(),
        });
    }
    let partial = out.with_extension("partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(|e| error(&partial, &e))?;
    }
    std::fs::create_dir_all(&partial).map_err(|e| error(&partial, &e))?;
    let mut w = Writer {
        dir: partial.clone(),
        manifest: Manifest {
            host: host_name(),
            collected_at: now.to_string(),
            tool: format!("postura {}", env!("CARGO_PKG_VERSION")),
            files: Vec::new(),
            missing: Vec::new(),
        },
    };

    progress("firewall rules");
    w.run("firewall/iptables-save.txt", "iptables-save", &[], &[])?;
    w.run("firewall/ip6tables-save.txt", "ip6tables-save", &[], &[])?;
    w.run(
        "firewall/nft-ruleset.json",
        "nft",
        &["-j", "list", "ruleset"],
        &[],
    )?;

    progress("block devices and LUKS headers");
    if let Some(lsblk) = w.run("storage/lsblk.json", "lsblk", &["-J", "-O"], &[])? {
        for device in luks_devices(&lsblk) {
            let name = format!(
                "storage/luksDump-{}.txt",
                device.trim_start_matches("/dev/").replace('/', "_")
            );
            w.run(&name, "cryptsetup", &["luksDump", &device], &[])?;
        }
    }

    progress("SSH and PAM");
    w.run("ssh/sshd-T.txt", "sshd", &["-T"], &[])?;
    if let Ok(entries) = std::fs::read_dir(&options.pam_dir) {
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let Some(name) = file.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            match std::fs::read(&file) {
                Ok(content) => w.write(
                    &format!("pam.d/{name}"),
                    &file.display().to_string(),
                    &content,
                )?,
                Err(e) => w.manifest.missing.push(Missing {
                    command: format!("read {}", file.display()),
                    reason: e.to_string(),
                }),
            }
        }
    } else {
        w.manifest.missing.push(Missing {
            command: format!("read {}", options.pam_dir.display()),
            reason: "no such folder".into(),
        });
    }

    progress("operating system and patch state");
    collect_patch_state(&mut w, options)?;

    progress("backups");
    for (i, repo) in options.restic_repos.iter().enumerate() {
        w.run(
            &format!("backup/restic-snapshots-{}.json", i + 1),
            "restic",
            &["-r", repo, "snapshots", "--json"],
            &[],
        )?;
    }
    for (i, repo) in options.borg_repos.iter().enumerate() {
        w.run(
            &format!("backup/borg-list-{}.json", i + 1),
            "borg",
            &["list", "--json", repo],
            &[],
        )?;
    }

    let manifest = w.manifest.clone();
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
    std::fs::write(partial.join(MANIFEST), text).map_err(|e| error(&partial, &e))?;
    std::fs::rename(&partial, out).map_err(|e| error(out, &e))?;
    Ok(manifest)
}

/// Whether `program` is an executable file in a `PATH` folder.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// `/etc/os-release` and the package manager's view of pending updates: apt's, with list
/// freshness and history, or dnf's (yum's) security advisories on RPM systems.
fn collect_patch_state(w: &mut Writer, options: &CollectOptions) -> Result<(), CollectError> {
    w.copy("os/os-release", Path::new("/etc/os-release"))?;
    // The C locale: the surrounding lines untranslated (the parsers read any language).
    let c = [("LC_ALL", "C")];
    let rpm_only = !on_path("apt-get") && (on_path("dnf") || on_path("yum"));
    if rpm_only {
        // dnf refreshes expired metadata first and names the time of its last check.
        let (program, args): (&str, &[&str]) = if on_path("dnf") {
            ("dnf", &["updateinfo", "list", "--security"])
        } else {
            ("yum", &["updateinfo", "list", "security"])
        };
        w.run("patching/dnf-updateinfo-security.txt", program, args, &c)?;
        return Ok(());
    }
    w.run(
        "patching/apt-list-upgradable.txt",
        "apt",
        &["list", "--upgradable"],
        &c,
    )?;
    w.run(
        "patching/apt-get-s-dist-upgrade.txt",
        "apt-get",
        &["-s", "dist-upgrade"],
        &c,
    )?;
    w.run(
        "patching/ls-var-lib-apt-lists.txt",
        "ls",
        &["--time-style=full-iso", "-l", "/var/lib/apt/lists"],
        &c,
    )?;
    w.copy(
        "patching/history.log",
        &options.apt_log_dir.join("history.log"),
    )?;
    // The rotated part too, while it is plain text: the last update may be in it.
    let rotated = options.apt_log_dir.join("history.log.1");
    if rotated.is_file() {
        w.copy("patching/history.log.1", &rotated)?;
    }
    Ok(())
}

/// Devices `lsblk -J` shows as LUKS containers, as `/dev/...` paths.
fn luks_devices(lsblk: &[u8]) -> Vec<String> {
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        if value.get("fstype").and_then(serde_json::Value::as_str) == Some("crypto_LUKS")
            && let Some(path) = value
                .get("path")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .or_else(|| {
                    value
                        .get("name")
                        .and_then(serde_json::Value::as_str)
                        .map(|n| format!("/dev/{n}"))
                })
        {
            out.push(path);
        }
        for child in value
            .get("children")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(child, out);
        }
    }
    let mut out = Vec::new();
    if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(lsblk) {
        for device in doc
            .get("blockdevices")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(device, &mut out);
        }
    }
    out
}
