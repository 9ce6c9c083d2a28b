//! Patch state and operating system from a Linux host's exports: `/etc/os-release`,
//! `apt list --upgradable`, `apt-get -s dist-upgrade`, `/var/log/apt/history.log` and
//! `ls --time-style=full-iso -l /var/lib/apt/lists`.
//!
//! An update is a security update when it comes from a security suite: `bookworm-security`,
//! `oldstable-security`, `jammy-security` (apt list), or an origin `Debian-Security:12/...`,
//! `Ubuntu:22.04/jammy-security` (apt-get -s). The lines apt prints around the list
//! ("Listing...", "Reading package lists...") are translated; the list lines are not.

pub mod dnf;
pub mod windows;

use super::{Format, HostEvidence, Input, ParseError, Parsed, text};
use crate::facts::{PatchFacts, PendingUpdates};

fn host(patching: PatchFacts) -> (Parsed, u64) {
    (
        Parsed::Host(Box::new(HostEvidence {
            patching: Some(patching),
            ..HostEvidence::default()
        })),
        1,
    )
}

fn line_number(index: usize) -> u64 {
    u64::try_from(index + 1).unwrap_or(u64::MAX)
}

/// `/etc/os-release` (os-release(5)): `KEY=VALUE` lines, values optionally quoted.
pub struct OsRelease;

fn os_release_pairs(text: &str) -> Option<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=')?;
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
        {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        pairs.push((key.to_owned(), value.replace("\\\"", "\"")));
    }
    Some(pairs)
}

/// The endoflife.date product and release of an os-release `ID` and `VERSION_ID`.
pub fn os_release_product(id: &str, version: &str) -> Option<(&'static str, String)> {
    let product = match id {
        "debian" => "debian",
        "ubuntu" => "ubuntu",
        "rhel" => "rhel",
        "rocky" => "rocky-linux",
        "almalinux" => "almalinux",
        "centos" => "centos",
        "sles" | "sled" => "sles",
        "alpine" => "alpine-linux",
        _ => return None,
    };
    Some((product, version.to_owned()))
}

impl Format for OsRelease {
    fn name(&self) -> &'static str {
        "os-release"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        os_release_pairs(input.head).is_some_and(|pairs| {
            pairs.iter().any(|(k, _)| k == "ID")
                && pairs
                    .iter()
                    .any(|(k, _)| k == "VERSION_ID" || k == "PRETTY_NAME")
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = text::read_text(input.path)?;
        let pairs = os_release_pairs(&text)
            .ok_or_else(|| ParseError::whole("expected KEY=VALUE lines (os-release(5))"))?;
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let id = get("ID").ok_or_else(|| ParseError::whole("no ID= line"))?;
        let version = get("VERSION_ID").unwrap_or_default();
        let seen = match os_release_product(id, version) {
            Some((product, release)) if !release.is_empty() => crate::lifecycle::Seen {
                kind: "os",
                product: product.to_owned(),
                version: release,
                basis: "evidence",
            },
            // A distribution without data, or a rolling one: listed, not judged.
            _ => crate::lifecycle::Seen {
                kind: "os",
                product: id.to_owned(),
                version: version.to_owned(),
                basis: "evidence",
            },
        };
        let fact = crate::lifecycle::fact_named(&seen, input.rel, get("PRETTY_NAME"));
        Ok((
            Parsed::Host(Box::new(HostEvidence {
                lifecycle: vec![fact],
                ..HostEvidence::default()
            })),
            1,
        ))
    }
}

/// An `apt list --upgradable` line: `name/suite[,suite] version arch [upgradable from: old]`.
fn apt_list_line(line: &str) -> Option<(&str, &str, &str)> {
    let (name_suite, rest) = line.split_once(' ')?;
    let (name, suites) = name_suite.split_once('/')?;
    let mut words = rest.split_whitespace();
    let version = words.next()?;
    let _arch = words.next()?;
    let bracket = rest.find('[')?;
    rest[bracket..]
        .ends_with(']')
        .then_some((name, suites, version))
}

fn is_security_suite(suites: &str) -> bool {
    suites
        .split(',')
        .any(|s| s.ends_with("-security") || s.contains("Security"))
}

/// The line `apt list` prints first, in the translations a consultant meets.
const LISTING: [&str; 5] = [
    "Listing...",
    "Auflistung...",
    "Listando...",
    "En train de lister...",
    "Elenco...",
];

/// `apt list --upgradable`.
pub struct AptListUpgradable;

impl Format for AptListUpgradable {
    fn name(&self) -> &'static str {
        "apt-list-upgradable"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let mut lines = input
            .head
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("WARNING:"));
        let first = lines.next().unwrap_or_default();
        apt_list_line(first).is_some()
            || (LISTING.contains(&first) && lines.next().is_none_or(|l| apt_list_line(l).is_some()))
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = text::read_text(input.path)?;
        let mut pending = PendingUpdates::default();
        let mut header_seen = false;
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with("WARNING:") {
                continue;
            }
            if !header_seen && LISTING.contains(&line) {
                header_seen = true;
                continue;
            }
            let Some((name, suites, version)) = apt_list_line(line) else {
                return Err(ParseError::at(
                    line_number(index),
                    format!(
                        "expected `NAME/SUITE VERSION ARCH [upgradable from: OLD]`, found `{line}`"
                    ),
                ));
            };
            pending.add(name, version, is_security_suite(suites));
        }
        Ok(host(PatchFacts {
            pending: Some(pending),
            sources: vec![input.source(0)],
            ..PatchFacts::default()
        }))
    }
}

/// An `apt-get -s` `Inst` line: `Inst name [old] (new origin, origin [arch])`.
fn inst_line(line: &str) -> Option<(&str, &str, &str)> {
    let rest = line.strip_prefix("Inst ")?;
    let (name, rest) = rest.split_once(' ')?;
    let open = rest.find('(')?;
    let close = rest.rfind(')')?;
    let inside = rest.get(open + 1..close)?;
    let (version, origins) = inside.split_once(' ').unwrap_or((inside, ""));
    Some((name, version, origins))
}

/// `apt-get -s dist-upgrade` (or `-s upgrade`).
pub struct AptGetSimulate;

impl Format for AptGetSimulate {
    fn name(&self) -> &'static str {
        "apt-get-simulate"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        input.head.lines().any(|l| inst_line(l.trim()).is_some())
            || input.head.lines().any(|l| {
                let l = l.trim();
                // Nothing to do: "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded."
                l.starts_with("0 upgraded, 0 newly installed")
            })
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = text::read_text(input.path)?;
        let mut pending = PendingUpdates::default();
        for line in text.lines().map(str::trim) {
            if !line.starts_with("Inst ") {
                continue;
            }
            let Some((name, version, origins)) = inst_line(line) else {
                continue;
            };
            let security = origins
                .split(", ")
                .any(|o| o.contains("-security") || o.contains("Security:"));
            pending.add(name, version, security);
        }
        Ok(host(PatchFacts {
            pending: Some(pending),
            sources: vec![input.source(0)],
            ..PatchFacts::default()
        }))
    }
}

/// `/var/log/apt/history.log`: blocks of `Start-Date:`, `Commandline:`, `Install:` /
/// `Upgrade:` / `Remove:`, `End-Date:`, in local time.
pub struct AptHistory;

impl Format for AptHistory {
    fn name(&self) -> &'static str {
        "apt-history"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let mut lines = input.head.lines().map(str::trim).filter(|l| !l.is_empty());
        lines.next().is_some_and(|l| l.starts_with("Start-Date: "))
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = text::read_text(input.path)?;
        let mut last: Option<jiff::Timestamp> = None;
        let mut block_changes = false;
        let mut blocks = 0u64;
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.starts_with("Start-Date: ") {
                block_changes = false;
                blocks += 1;
            } else if line.starts_with("Upgrade: ") || line.starts_with("Install: ") {
                block_changes = true;
            } else if let Some(when) = line.strip_prefix("End-Date: ")
                && block_changes
            {
                // `2026-12-01  18:43:10`: two spaces between date and time.
                let when = when.split_whitespace().collect::<Vec<_>>().join(" ");
                let time = text::parse_time(&when, input.tz)
                    .map_err(|e| ParseError::at(line_number(index), e))?
                    .ok_or_else(|| {
                        ParseError::at(
                            line_number(index),
                            format!("expected a time, found `{when}`"),
                        )
                    })?;
                last = last.max(Some(time));
            }
        }
        if blocks == 0 {
            return Err(ParseError::whole("no `Start-Date:` block"));
        }
        Ok(host(PatchFacts {
            last_update_at: last,
            sources: vec![input.source(0)],
            ..PatchFacts::default()
        }))
    }
}

/// An `ls -l --time-style=full-iso` line: mode, links, owner, group, size, date, time, zone,
/// name.
fn ls_line(line: &str) -> Option<(jiff::Timestamp, &str)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.len() < 9 || !words[0].starts_with(['-', 'd', 'l']) {
        return None;
    }
    let when = format!("{} {} {}", words[5], words[6], words[7]);
    let time = jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S%.f %z", &when)
        .ok()?
        .to_timestamp()
        .ok()?;
    Some((time, words[8]))
}

/// `ls --time-style=full-iso -l /var/lib/apt/lists`: when the package lists were refreshed.
pub struct AptListsListing;

impl Format for AptListsListing {
    fn name(&self) -> &'static str {
        "apt-lists-ls"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let mut lines = input.head.lines().map(str::trim).filter(|l| !l.is_empty());
        let first = lines.next().unwrap_or_default();
        // "total 26208" (translated: "insgesamt 26208").
        let total = first.split_whitespace().count() == 2
            && first
                .split_whitespace()
                .nth(1)
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
        let listed: Vec<_> = lines.take(50).map(ls_line).collect();
        total
            && !listed.is_empty()
            && listed.iter().all(Option::is_some)
            && listed.iter().flatten().any(|(_, name)| {
                name.ends_with("Release") || name.ends_with("_Packages") || name.contains("_dists_")
            })
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = text::read_text(input.path)?;
        let mut newest: Option<jiff::Timestamp> = None;
        for (index, line) in text.lines().map(str::trim).enumerate().skip(1) {
            if line.is_empty() {
                continue;
            }
            let (time, name) = ls_line(line).ok_or_else(|| {
                ParseError::at(
                    line_number(index),
                    format!("expected an `ls -l --time-style=full-iso` line, found `{line}`"),
                )
            })?;
            if name.ends_with("_Release") || name.ends_with("_InRelease") {
                newest = newest.max(Some(time));
            }
        }
        Ok(host(PatchFacts {
            lists_updated_at: newest,
            sources: vec![input.source(0)],
            ..PatchFacts::default()
        }))
    }
}

/// Joins the patch facts of several files about one host.
pub fn join(into: &mut Option<PatchFacts>, other: PatchFacts) {
    let known = into.get_or_insert_with(PatchFacts::default);
    known.pending = match (known.pending.take(), other.pending) {
        // `apt list` and `apt-get -s` of the same moment: the larger count.
        (Some(a), Some(b)) => Some(if b.total > a.total { b } else { a }),
        (a, b) => a.or(b),
    };
    known.lists_updated_at = known.lists_updated_at.max(other.lists_updated_at);
    if other.last_update_at > known.last_update_at {
        known.last_update_at = other.last_update_at;
        known.last_update = other.last_update;
    }
    for id in other.hotfixes {
        if !known.hotfixes.contains(&id) {
            known.hotfixes.push(id);
        }
    }
    // Dated updates from another export (Get-HotFix beside systeminfo) give the age.
    known.hotfixes_undated =
        known.last_update_at.is_none() && (known.hotfixes_undated || other.hotfixes_undated);
    known.sources.extend(other.sources);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_lines() {
        assert_eq!(
            apt_list_line("apt/oldstable-security 2.6.2 amd64 [upgradable from: 2.6.1]"),
            Some(("apt", "oldstable-security", "2.6.2"))
        );
        // German: the bracket is translated, the list line is not.
        assert_eq!(
            apt_list_line("libssl3/stable-security 3.0.17-1~deb12u3 amd64 [aktualisierbar von: 3.0.17-1~deb12u2]")
                .map(|l| l.1),
            Some("stable-security")
        );
        assert!(LISTING.contains(&"Auflistung..."));
        assert!(is_security_suite("stable-security,stable-security"));
        assert!(!is_security_suite("oldstable"));
        let inst = inst_line(
            "Inst libgcrypt20-dev [1.10.1-3] (1.10.1-3+deb12u1 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64]) []",
        );
        assert_eq!(inst.map(|i| i.0), Some("libgcrypt20-dev"));
        assert!(inst.unwrap().2.contains("Debian-Security:"));
        let (time, name) = ls_line("-rw-r--r-- 1 root root 34770 2026-12-01 15:41:01.000000000 +0000 deb.debian.org_debian-security_dists_bookworm-security_InRelease").unwrap();
        assert_eq!(time.to_string(), "2026-12-01T15:41:01Z");
        assert!(name.ends_with("_InRelease"));
    }
}
