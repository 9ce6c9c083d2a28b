//! Which asset a file of host evidence belongs to.
//!
//! 1. A `postura-manifest.json` in the file's folder or a folder above names the host; every
//!    file under it belongs to that host, however many exports of one kind it holds.
//! 2. Else the nearest folder that names a host: not a system folder copied from a host
//!    (`etc`, `pam.d`, `ssh`) and not a category folder a consultant sorts exports into
//!    (`firewall`, `exports`, `audit`, …), which holds several hosts' files.
//! 3. Else the host the file name carries (`fw01-iptables.rules` → `fw01`): what is left of
//!    the stem without tool names, flags, dates and an `sshd -T -C` specification.
//! 4. Else the folder and the file stem (`ssh/sshd-T`).
//!
//! Without a manifest, two or more exports of one kind that land on one asset are not merged
//! (one would hide the other): each becomes its own asset, named by the host its file name
//! carries, else by folder and stem, and the file is marked with how it was placed.
//! `sshd -T -C …` captures are connection contexts of one host: they never split, and the
//! client's `user=`, `host=` and `addr=` in their names never name the host.

use std::path::Path;

use super::ParseError;
use crate::collect::MANIFEST;

/// The manifest `postura collect` writes (and a consultant may write by hand): the host
/// name, and optionally the host's recovery point objective (`"rpo": "24h"`) and protection
/// needs (`"schutzbedarf": "hoch"`). Other fields (`postura collect` records the files, their
/// hashes and the commands that failed) are kept for the reader and not needed here.
#[derive(serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
pub struct Manifest {
    /// The host every file under the manifest's folder belongs to.
    pub host: String,
    /// The host's recovery point objective (`24h`, `7d`, `1d 12h`); `--rpo` for the host beats
    /// it, it beats a plain `--rpo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo: Option<String>,
    /// The host's protection needs (BSI-Standard 200-2): `normal`, `hoch` or `sehr-hoch`;
    /// `--schutzbedarf` for the host beats it, it beats a plain `--schutzbedarf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schutzbedarf: Option<String>,
}

/// The JSON Schema of a `postura-manifest.json` (the fields postura reads).
pub fn manifest_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Manifest)).unwrap_or_default()
}

/// The nearest readable `postura-manifest.json` at or above the folder of `rel`. A manifest
/// that does not parse is reported as an evidence error where it is read, and places nothing.
pub fn manifest(root: &Path, rel: &Path) -> Option<Manifest> {
    let mut dir = root.join(rel);
    while dir.pop() && dir.starts_with(root) {
        if let Ok(text) = super::text::read_utf8(&dir.join(MANIFEST))
            && let Ok(manifest) = parse_manifest(&text)
        {
            return Some(manifest);
        }
        if dir == root {
            break;
        }
    }
    None
}

/// Reads a manifest: JSON with a non-empty `host` and, if given, an `rpo` that is a duration.
/// Other fields (`postura collect` records files, commands and the time) are not needed here.
pub fn parse_manifest(text: &str) -> Result<Manifest, ParseError> {
    const SHAPE: &str = "a manifest is {\"host\": \"NAME\"}, optionally with \"rpo\": \"24h\" and \"schutzbedarf\": \"hoch\"";
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let mut error = ParseError::json(&e);
        error.message += &format!(" ({SHAPE})");
        error
    })?;
    // serde would also take `["NAME"]` for the struct: only an object is a manifest.
    if !value.is_object() {
        return Err(ParseError::at(1, format!("not a JSON object: {SHAPE}")));
    }
    let manifest: Manifest =
        serde_json::from_value(value).map_err(|e| ParseError::at(1, format!("{e}: {SHAPE}")))?;
    let line_of = |key: &str| {
        text.lines()
            .position(|l| l.contains(&format!("\"{key}\"")))
            .map_or(1, |i| i as u64 + 1)
    };
    if manifest.host.trim().is_empty() || manifest.host.chars().any(char::is_control) {
        return Err(ParseError::at(
            line_of("host"),
            "\"host\" must name the host: not empty, no control characters",
        ));
    }
    if let Some(rpo) = &manifest.rpo
        && let Err(message) = super::text::parse_duration_seconds(rpo)
    {
        return Err(ParseError::at(
            line_of("rpo"),
            format!("\"rpo\": {message}"),
        ));
    }
    Ok(manifest)
}

/// Folder names that copy a system layout and never name a host.
const SYSTEM_FOLDERS: &[&str] = &[
    "pam.d",
    "etc",
    "ssh",
    "security",
    "default",
    "config",
    "sshd_config.d",
];

/// Folder names a consultant sorts exports into: they hold several hosts' files.
const CATEGORY_FOLDERS: &[&str] = &[
    "firewall",
    "firewalls",
    "fw",
    "iptables",
    "nftables",
    "nft",
    "exports",
    "export",
    "audit",
    "audits",
    "evidence",
    "nachweise",
    "sshd",
    "pam",
    "mfa",
    "identity",
    "backup",
    "backups",
    "encryption",
    "crypto",
    "luks",
    "bitlocker",
    "lsblk",
    "network",
    "netzwerk",
    "hosts",
    "servers",
    "server",
    "clients",
    "linux",
    "windows",
    "configs",
    "configuration",
    "collected",
    "raw",
    "data",
    "dumps",
    "output",
    "outputs",
    "results",
    "misc",
    "other",
    "sonstiges",
    "input",
];

/// Words in export file names that name the tool or the command, not the host.
const TOOL_WORDS: &[&str] = &[
    "sshd",
    "sshd_config",
    "config",
    "effective",
    "default",
    "defaults",
    "output",
    "iptables",
    "ip6tables",
    "save",
    "rules",
    "ruleset",
    "nft",
    "nftables",
    "list",
    "json",
    "txt",
    "firewall",
    "fw",
    "netsh",
    "advfirewall",
    "show",
    "allprofiles",
    "profiles",
    "profile",
    "lsblk",
    "luks",
    "luksdump",
    "dump",
    "cryptsetup",
    "bitlocker",
    "manage",
    "bde",
    "status",
    "export",
    "v4",
    "v6",
    "ipv4",
    "ipv6",
    "filter",
    "inet",
    "pam",
    "get",
    "netfirewallprofile",
    "before",
    "after",
    "new",
    "old",
    "current",
    "running",
];

/// Keys of an `sshd -T -C` connection specification.
const CONTEXT_KEYS: [&str; 6] = ["user=", "host=", "addr=", "laddr=", "lport=", "rdomain="];

/// Extensions a capture is saved with; an address in the name keeps its dots.
const CAPTURE_EXTENSIONS: [&str; 6] = [".txt", ".out", ".log", ".conf", ".cfg", ".json"];

/// The file name of `rel` without a capture extension.
fn bare_name(rel: &Path) -> String {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    CAPTURE_EXTENSIONS
        .iter()
        .find(|e| lower.ends_with(*e))
        .map_or(name.clone(), |e| name[..name.len() - e.len()].to_owned())
}

/// The `sshd -T -C` specification a capture's file name carries
/// (`sshd-T-C_user=backup,addr=10.30.4.17.txt` → `user=backup,addr=10.30.4.17`), and the
/// name without it (`sshd-T`).
pub fn context_spec(rel: &Path) -> Option<(String, String)> {
    let name = bare_name(rel);
    let lower = name.to_ascii_lowercase();
    let start = CONTEXT_KEYS
        .iter()
        .filter_map(|key| {
            lower
                .match_indices(key)
                .map(|(i, _)| i)
                .find(|&i| i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric())
        })
        .min()?;
    let spec: String = name[start..]
        .split([',', ';', '+', ' '])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(",");
    let mut base = name[..start]
        .trim_end_matches(['-', '_', ' ', '.'])
        .to_owned();
    // The `-C` flag itself, as people write it into names: `-C_`, `_C-`, `-C`.
    for flag in ["-C", "_C"] {
        if let Some(stripped) = base.strip_suffix(flag) {
            base = stripped.trim_end_matches(['-', '_', ' ', '.']).to_owned();
        }
    }
    Some((spec, base))
}

/// The host a file name carries, if any: the stem without a `-C` specification, tool words,
/// single-letter flags and dates (`web02.example.com-nft.txt` → `web02.example.com`).
pub fn host_in_file_name(rel: &Path) -> Option<String> {
    let stem = match context_spec(rel) {
        Some((_, base)) => base,
        None => bare_name(rel)
            .rsplit_once('.')
            .filter(|(_, ext)| ext.len() <= 5 && ext.bytes().all(|b| b.is_ascii_alphabetic()))
            .map_or_else(|| bare_name(rel), |(stem, _)| stem.to_owned()),
    };
    let words: Vec<&str> = stem
        .split(['-', '_', ' '])
        .filter(|w| {
            let lower = w.to_ascii_lowercase();
            w.len() > 1
                && !TOOL_WORDS.contains(&lower.as_str())
                && !w.bytes().all(|b| b.is_ascii_digit())
        })
        .collect();
    let host = words.join("-");
    let plausible = !host.is_empty()
        && (host.bytes().any(|b| b.is_ascii_alphabetic())
            || host.parse::<std::net::IpAddr>().is_ok());
    plausible.then_some(host)
}

/// The nearest folder of `rel` that names a host.
pub fn host_folder(rel: &Path) -> Option<String> {
    rel.parent()
        .into_iter()
        .flat_map(Path::ancestors)
        .filter_map(|dir| dir.file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .find(|name| {
            let lower = name.to_ascii_lowercase();
            !SYSTEM_FOLDERS.contains(&lower.as_str()) && !CATEGORY_FOLDERS.contains(&lower.as_str())
        })
}

/// Folder and file stem: the name of last resort (`ssh/sshd-T-default.txt` → `ssh/sshd-T`).
pub fn folder_and_stem(rel: &Path) -> String {
    let stem = match context_spec(rel) {
        Some((_, base)) => base,
        None => {
            let name = bare_name(rel);
            let stem = name
                .rsplit_once('.')
                .filter(|(_, ext)| ext.len() <= 5 && ext.bytes().all(|b| b.is_ascii_alphabetic()))
                .map_or(name.clone(), |(stem, _)| stem.to_owned());
            // `-default` is the global context of the same captures.
            stem.strip_suffix("-default")
                .or_else(|| stem.strip_suffix("_default"))
                .map_or(stem.clone(), str::to_owned)
        }
    };
    match rel.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => format!("{}/{stem}", dir.to_string_lossy().replace('\\', "/")),
        None => stem,
    }
}

/// Where a file goes before exports of one kind are counted: the manifest's host (and
/// `true`), else a host folder, else the file name's host, else folder and stem.
pub fn first_place(root: &Path, rel: &Path) -> (String, bool) {
    if let Some(manifest) = manifest(root, rel) {
        return (manifest.host, true);
    }
    let name = host_folder(rel)
        .or_else(|| host_in_file_name(rel))
        .unwrap_or_else(|| folder_and_stem(rel));
    (name, false)
}

/// The asset of a file split from the others of its kind: the file name's host, else folder
/// and the whole stem.
pub fn own_place(rel: &Path) -> String {
    host_in_file_name(rel).unwrap_or_else(|| {
        let name = bare_name(rel);
        match rel.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(dir) => format!("{}/{name}", dir.to_string_lossy().replace('\\', "/")),
            None => name,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(rel: &str) -> String {
        first_place(Path::new("/nonexistent-evidence"), Path::new(rel)).0
    }

    #[test]
    fn folders_name_hosts_unless_they_are_categories() {
        assert_eq!(first("web01/sshd-T.txt"), "web01");
        assert_eq!(first("hosts/web01/etc/pam.d/sshd"), "web01");
        assert_eq!(first("db02.txt"), "db02");
        assert_eq!(first("firewall/fw01-iptables.rules"), "fw01");
        assert_eq!(first("firewall/web02-nft.txt"), "web02");
        assert_eq!(
            first("exports/web02.example.com-nft.json"),
            "web02.example.com"
        );
        assert_eq!(first("audit/10.0.0.5_iptables-save.txt"), "10.0.0.5");
        assert_eq!(first("ssh/sshd-T-default.txt"), "ssh/sshd-T");
        assert_eq!(
            first("ssh/sshd-T-C_user=backup,addr=10.30.4.17.txt"),
            "ssh/sshd-T"
        );
    }

    #[test]
    fn connection_specifications_in_file_names() {
        let spec = |rel: &str| context_spec(Path::new(rel));
        assert_eq!(
            spec("ssh/sshd-T-C_user=backup,addr=10.30.4.17.txt"),
            Some(("user=backup,addr=10.30.4.17".into(), "sshd-T".into()))
        );
        assert_eq!(
            spec("web01_sshd-T_-C_user=alice,host=jump.example.de,addr=192.0.2.10.txt"),
            Some((
                "user=alice,host=jump.example.de,addr=192.0.2.10".into(),
                "web01_sshd-T".into()
            ))
        );
        assert_eq!(spec("sshd-T.txt"), None);
        assert_eq!(spec("superuser=1.txt"), None);
        // The client's address is never the host.
        assert_eq!(
            host_in_file_name(Path::new("web01-sshd-T-C_user=root,addr=10.1.1.1.txt")),
            Some("web01".into())
        );
        assert_eq!(
            host_in_file_name(Path::new("sshd-T-C_addr=10.1.1.1.txt")),
            None
        );
    }

    #[test]
    fn tool_words_flags_and_dates_are_not_hosts() {
        assert_eq!(host_in_file_name(Path::new("lsblk-J-O.json")), None);
        assert_eq!(
            host_in_file_name(Path::new("iptables-save_2026-11-30.txt")),
            None
        );
        assert_eq!(
            host_in_file_name(Path::new("iptables-save_20261130_fw01.txt")),
            Some("fw01".into())
        );
        assert_eq!(
            own_place(Path::new("srv01/lsblk-J-O.json")),
            "srv01/lsblk-J-O"
        );
    }
}
