//! Evidence folders: exports a consultant collects, recognised by content and parsed.
//!
//! [`read_folder`] walks the folder (walkdir), reads the head of every file, asks each
//! [`Format`] in [`FORMATS`] whether it recognises it (header row, JSON keys, first lines; the
//! file name is never enough), and parses the recognised files in parallel (rayon). A file no
//! format recognises is listed as `not_used`; a recognised file that does not parse is listed
//! as `error` with its line, and the other files are still used.
//!
//! Adding a format means adding one module with one [`Format`] implementation, listing it in
//! [`FORMATS`], and adding a real sample under `fixtures/evidence/`.
//!
//! Which asset a file of host evidence belongs to is decided in [`placement`] once every file
//! is read, so that several exports of one kind in one place are never merged into one.

pub mod aws_iam;
pub mod backup;
pub mod encryption;
pub mod entra;
pub mod firewall;
pub mod google;
pub mod json;
pub mod okta;
pub mod pam;
pub mod patching;
pub mod placement;
pub mod sshd;
pub mod sshd_config;
pub mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::facts::{
    EvidenceFileFacts, EvidenceStatus, Facts, HostFacts, IdentityFacts, PamServiceFacts,
    SshdConfigFacts, UserFacts,
};

/// Why a recognised file could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// 1-based line, when the problem has one.
    pub line: Option<u64>,
    /// What was expected.
    pub message: String,
}

impl ParseError {
    /// An error at `line`.
    pub fn at(line: u64, message: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            message: message.into(),
        }
    }

    /// An error about the whole file.
    pub fn whole(message: impl Into<String>) -> Self {
        Self {
            line: None,
            message: message.into(),
        }
    }

    /// A JSON syntax or shape error, with serde_json's line.
    pub fn json(err: &serde_json::Error) -> Self {
        Self::at(
            u64::try_from(err.line()).unwrap_or(0),
            format!("not the expected JSON: {err}"),
        )
    }
}

/// A file offered to the formats.
pub struct Input<'a> {
    /// The file on disk.
    pub path: &'a Path,
    /// Path relative to the evidence folder, `/`-separated: what facts cite.
    pub rel: &'a str,
    /// The first 64 KiB, decoded, BOM dropped.
    pub head: &'a str,
    /// `rel`, shared by the sources of every fact read from the file.
    pub cite: std::sync::Arc<str>,
    /// The zone of times written without one (borg, Excel, `Export-Csv` in local time).
    pub tz: &'a jiff::tz::TimeZone,
}

impl Input<'_> {
    /// Where a fact read at `line` of this file came from.
    pub fn source(&self, line: u64) -> crate::facts::SourceRef {
        crate::facts::SourceRef {
            file: std::sync::Arc::clone(&self.cite),
            line,
        }
    }
}

/// What one file contributes.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Settings of a host.
    Host(Box<HostEvidence>),
    /// Assets the file names itself (cloud security groups), each with its evidence.
    Assets(Vec<(String, HostEvidence)>),
    /// Users of an identity source. Files with the same id are merged (paged exports).
    Identity(IdentityFacts),
    /// One Okta user's factors, joined to the users of the same org.
    OktaFactors {
        /// Identity id (`okta:<org host>`), empty when the file does not name the org.
        id: String,
        /// Okta user id.
        user: String,
        /// Types of the active factors.
        active: Vec<String>,
    },
}

/// The result of an identity export: the users of source `id`, read from `rel`.
pub fn identity(id: String, provider: &str, rel: &str, users: Vec<UserFacts>) -> (Parsed, u64) {
    let records = u64::try_from(users.len()).unwrap_or(u64::MAX);
    (
        Parsed::Identity(IdentityFacts {
            id,
            provider: provider.to_owned(),
            sources: vec![rel.to_owned()],
            users,
        }),
        records,
    )
}

/// Host evidence: of one file, or of all files about one host.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HostEvidence {
    /// sshd settings, one entry per connection context.
    pub sshd: Vec<SshdConfigFacts>,
    /// Other evidence files this one read (an `Include` of an `sshd_config`).
    pub consumed: Vec<String>,
    /// PAM services.
    pub pam: Vec<PamServiceFacts>,
    /// Firewall rule exports: format, file, rules.
    pub firewall: Vec<(String, crate::facts::SourceRef, firewall::Ruleset)>,
    /// Windows Defender Firewall profiles.
    pub profiles: Vec<crate::facts::FirewallProfileFacts>,
    /// Volumes and mounted filesystems.
    pub volumes: Vec<crate::facts::VolumeFacts>,
    /// LUKS headers.
    pub luks: Vec<crate::facts::LuksFacts>,
    /// Backup sets.
    pub backups: Vec<crate::facts::BackupSetFacts>,
    /// Files of walked backup folders that are not backups.
    pub not_backups: u64,
    /// The host's recovery point objective from its manifest.
    pub rpo: Option<String>,
    /// The host's Schutzbedarf from its manifest.
    pub schutzbedarf: Option<crate::checks::Schutzbedarf>,
    /// The operating system its `/etc/os-release` names, with its life cycle.
    pub lifecycle: Vec<crate::facts::LifecycleFacts>,
    /// Patch state from package-manager exports.
    pub patching: Option<crate::facts::PatchFacts>,
}

impl HostEvidence {
    /// Adds another file's evidence about the same host.
    fn absorb(&mut self, other: HostEvidence) {
        self.sshd.extend(other.sshd);
        self.consumed.extend(other.consumed);
        self.pam.extend(other.pam);
        self.firewall.extend(other.firewall);
        self.profiles.extend(other.profiles);
        self.volumes.extend(other.volumes);
        self.luks.extend(other.luks);
        self.backups.extend(other.backups);
        self.not_backups += other.not_backups;
        self.rpo = self.rpo.take().or(other.rpo);
        self.schutzbedarf = self.schutzbedarf.take().or(other.schutzbedarf);
        self.lifecycle.extend(other.lifecycle);
        if let Some(patching) = other.patching {
            patching::join(&mut self.patching, patching);
        }
    }
}

/// One evidence format.
pub trait Format: Sync {
    /// Stable name used in facts and reports (`aws-iam-credential-report`).
    fn name(&self) -> &'static str;
    /// Whether the head of a file is this format.
    fn recognise(&self, input: &Input<'_>) -> bool;
    /// Parses the whole file; the record count is the number of users or settings read.
    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError>;
}

/// Every format, most specific first.
pub static FORMATS: &[&dyn Format] = &[
    &aws_iam::CredentialReportJson,
    &aws_iam::CredentialReport,
    &entra::RegistrationDetailsJson,
    &entra::RegistrationDetailsCsv,
    &okta::Users,
    &okta::Factors,
    &google::Users,
    &sshd::SshdT,
    &sshd_config::SshdConfig,
    &pam::PamService,
    &firewall::iptables::IptablesSave,
    &firewall::nft_json::NftJson,
    &firewall::nft_text::NftText,
    &firewall::windows::ProfileJson,
    &firewall::windows::NetshProfiles,
    &firewall::aws_sg::SecurityGroups,
    &encryption::lsblk::LsblkJson,
    &encryption::lsblk::LsblkPairs,
    &encryption::luks::LuksDump,
    &encryption::aws::Volumes,
    &encryption::bitlocker::ManageBde,
    &encryption::aws::BucketEncryption,
    &backup::restic::Snapshots,
    &backup::borg::Listing,
    &backup::aws_backup::RecoveryPoints,
    &patching::OsRelease,
    &patching::AptListUpgradable,
    &patching::AptGetSimulate,
    &patching::AptHistory,
    &patching::AptListsListing,
    &patching::dnf::UpdateinfoSecurity,
    &patching::windows::GetHotFixJson,
    &patching::windows::SystemInfo,
];

/// Everything read from an evidence folder.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    /// Every file, in path order, with its status.
    pub files: Vec<EvidenceFileFacts>,
    /// Host evidence by host name.
    pub hosts: BTreeMap<String, HostEvidence>,
    /// Identity sources, merged by id.
    pub identities: Vec<IdentityFacts>,
}

impl Evidence {
    /// Files that were recognised but could not be parsed.
    pub fn errors(&self) -> impl Iterator<Item = &EvidenceFileFacts> {
        self.files
            .iter()
            .filter(|f| f.status == EvidenceStatus::Error)
    }
}

/// Could not read the evidence folder at all.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FolderError {
    /// The folder.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

use crate::collect::MANIFEST;

/// How evidence is read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The zone of times written without one (`--evidence-tz`; the machine's zone by default).
    pub tz: jiff::tz::TimeZone,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            tz: jiff::tz::TimeZone::system(),
        }
    }
}

/// Walks `root` and reads every file. Files are parsed in parallel; the order of the result
/// does not depend on it.
pub fn read_folder(root: &Path, options: &ReadOptions) -> Result<Evidence, FolderError> {
    let folder_error = |message: String| FolderError {
        path: root.to_owned(),
        message,
    };
    if !root.is_dir() {
        return Err(folder_error("expected a folder of evidence files".into()));
    }
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(|e| folder_error(e.to_string()))?;
        if entry.file_type().is_file() {
            paths.push(entry.into_path());
        }
    }
    let outcomes: Vec<(EvidenceFileFacts, Option<Parsed>)> = paths
        .par_iter()
        .map(|path| read_file(root, path, options))
        .collect();

    let mut evidence = Evidence::default();
    let mut identities = IdentityMerger::default();
    let mut okta_factors: Vec<(usize, String, String, Vec<String>)> = Vec::new();
    // Host evidence is placed once every file is read: exports of one kind are counted first.
    let mut host_files: Vec<(usize, HostEvidence)> = Vec::new();
    for (mut file, parsed) in outcomes {
        match parsed {
            Some(Parsed::Host(host)) => host_files.push((evidence.files.len(), *host)),
            Some(Parsed::Assets(assets)) => {
                let names: Vec<&str> = assets.iter().map(|(n, _)| n.as_str()).collect();
                file.asset = Some(names.join(", "));
                for (name, host) in assets {
                    evidence.hosts.entry(name).or_default().absorb(host);
                }
            }
            Some(Parsed::Identity(identity)) => {
                file.asset = Some(identity.id.clone());
                identities.add(identity);
            }
            Some(Parsed::OktaFactors { id, user, active }) => {
                okta_factors.push((evidence.files.len(), id, user, active));
            }
            None => {}
        }
        evidence.files.push(file);
    }
    place_host_files(root, &mut evidence, host_files);
    evidence.identities = identities.finish();
    for (index, id, user, active) in okta_factors {
        let file = &mut evidence.files[index];
        if let Some(joined) = okta::join_factors(&mut evidence.identities, &id, &user, &active) {
            file.asset = Some(joined);
        } else {
            file.status = EvidenceStatus::Error;
            file.error = Some(format!(
                "factors of Okta user {user}, who is in no Okta users export of the folder"
            ));
        }
    }
    Ok(evidence)
}

/// Offers one file to the format at `index` (modulo the count) and parses it as that format
/// whether recognised or not: the fuzzing entry to every parser.
#[cfg(feature = "fuzzing")]
pub fn parse_as(index: usize, path: &Path) -> FormatTrial {
    let format = FORMATS[index % FORMATS.len()];
    let head = text::read_head(path).unwrap_or_default();
    let rel = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tz = jiff::tz::TimeZone::UTC;
    let input = Input {
        path,
        rel: &rel,
        head: &head,
        cite: rel.as_str().into(),
        tz: &tz,
    };
    FormatTrial {
        format: format.name(),
        recognised: format.recognise(&input),
        parsed: format.parse(&input).map(|(_, records)| records),
    }
}

/// What one format made of one file.
#[cfg(feature = "fuzzing")]
#[derive(Debug)]
pub struct FormatTrial {
    /// The format's name.
    pub format: &'static str,
    /// It recognised the file.
    pub recognised: bool,
    /// Records read, or why the file is not this format.
    pub parsed: Result<u64, ParseError>,
}

fn read_file(
    root: &Path,
    path: &Path,
    options: &ReadOptions,
) -> (EvidenceFileFacts, Option<Parsed>) {
    let rel = path
        .strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let mut file = EvidenceFileFacts {
        path: rel.clone(),
        bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        format: None,
        status: EvidenceStatus::NotUsed,
        records: 0,
        asset: None,
        error: None,
        error_line: None,
        placement: None,
    };
    if path.file_name().is_some_and(|n| n == MANIFEST) {
        // Read where host evidence is placed (host name, RPO); placement reads it again.
        file.format = Some("postura-manifest".into());
        match text::read_utf8(path).and_then(|text| placement::parse_manifest(&text).map(|_| ())) {
            Ok(()) => file.status = EvidenceStatus::Used,
            Err(err) => {
                file.status = EvidenceStatus::Error;
                file.error_line = err.line;
                file.error = Some(err.message);
            }
        }
        return (file, None);
    }
    let head = match text::read_head(path) {
        Ok(head) => head,
        Err(err) => {
            file.status = EvidenceStatus::Error;
            file.error = Some(format!("cannot read: {err}"));
            return (file, None);
        }
    };
    let input = Input {
        path,
        rel: &rel,
        head: &head,
        cite: rel.as_str().into(),
        tz: &options.tz,
    };
    let Some(format) = FORMATS.iter().find(|f| f.recognise(&input)) else {
        return (file, None);
    };
    file.format = Some(format.name().to_owned());
    match format.parse(&input) {
        Ok((parsed, records)) => {
            file.status = EvidenceStatus::Used;
            file.records = records;
            (file, Some(parsed))
        }
        Err(err) => {
            file.status = EvidenceStatus::Error;
            file.error_line = err.line;
            file.error = Some(err.message);
            (file, None)
        }
    }
}

/// The kind of export a file of host evidence is, where a host has one of it (an sshd
/// configuration, a firewall ruleset per address family, a volume list); `None` where a host
/// has many (PAM services, LUKS headers, backup repositories, `sshd -T -C` contexts).
fn exclusive_kind(format: &str, host: &HostEvidence) -> Option<String> {
    if !host.sshd.is_empty() {
        let contexts_only = host
            .sshd
            .iter()
            .all(|c| c.read_from == "sshd -T" && c.context.is_some());
        return (!contexts_only).then(|| "sshd".to_owned());
    }
    if let Some((_, _, ruleset)) = host.firewall.first() {
        let families: Vec<&str> = ruleset.families.iter().map(|f| f.name()).collect();
        return Some(format!("{format} {}", families.join("+")));
    }
    // Two lists of pending or installed updates of one kind, or two os-release files, are two states:
    // never merged. `apt list` and `apt-get -s` of one host are one state told twice, and
    // rotated apt histories (`history.log`, `history.log.1`) add up.
    let pending = host
        .patching
        .as_ref()
        .is_some_and(|p| p.pending.is_some() || !p.hotfixes.is_empty());
    (!host.profiles.is_empty() || !host.volumes.is_empty() || pending || !host.lifecycle.is_empty())
        .then(|| format.to_owned())
}

/// Gives each file of host evidence its asset (see [`placement`]) and merges the files of
/// one asset.
fn place_host_files(root: &Path, evidence: &mut Evidence, files: Vec<(usize, HostEvidence)>) {
    use crate::facts::Placement;
    // Files read through another file's `Include` are part of that file's facts.
    let mut included_by: BTreeMap<String, usize> = BTreeMap::new();
    for (index, host) in &files {
        for rel in &host.consumed {
            included_by.insert(rel.clone(), *index);
        }
    }
    struct Placed {
        index: usize,
        place: String,
        manifest: bool,
        kind: Option<String>,
        host: HostEvidence,
    }
    let mut placed: Vec<Placed> = Vec::new();
    let mut included: Vec<(usize, usize)> = Vec::new();
    for (index, host) in files {
        let rel = evidence.files[index].path.clone();
        if let Some(&by) = included_by.get(&rel) {
            evidence.files[index].placement = Some(Placement::IncludedBy {
                file: evidence.files[by].path.clone(),
            });
            included.push((index, by));
            continue;
        }
        let (place, manifest) = placement::first_place(root, Path::new(&rel));
        let format = evidence.files[index].format.clone().unwrap_or_default();
        placed.push(Placed {
            index,
            place,
            manifest,
            kind: exclusive_kind(&format, &host),
            host,
        });
    }
    // Two exports of one kind for one place, and no manifest joining them: one asset each.
    let mut by_kind: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, p) in placed.iter().enumerate() {
        if let (false, Some(kind)) = (p.manifest, &p.kind) {
            by_kind
                .entry((p.place.clone(), kind.clone()))
                .or_default()
                .push(i);
        }
    }
    for members in by_kind.into_values().filter(|m| m.len() > 1) {
        let rels: Vec<String> = members
            .iter()
            .map(|&i| evidence.files[placed[i].index].path.clone())
            .collect();
        let mut own: Vec<String> = rels
            .iter()
            .map(|rel| placement::own_place(Path::new(rel)))
            .collect();
        // Two files naming the same host are told apart by their names.
        for i in 0..own.len() {
            if own.iter().filter(|o| **o == own[i]).count() > 1 {
                let clashing = own[i].clone();
                for (j, name) in own.iter_mut().enumerate() {
                    if *name == clashing {
                        *name = rels[j].clone();
                    }
                }
            }
        }
        for (k, &i) in members.iter().enumerate() {
            placed[i].place = own[k].clone();
            evidence.files[placed[i].index].placement = Some(Placement::SeparateAsset {
                alongside: rels
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != k)
                    .map(|(_, r)| r.clone())
                    .collect(),
            });
        }
    }
    for Placed {
        index,
        place,
        mut host,
        ..
    } in placed
    {
        let rel = evidence.files[index].path.clone();
        evidence.files[index].asset = Some(place.clone());
        let manifest = placement::manifest(root, Path::new(&rel));
        if !host.backups.is_empty() {
            // The manifest's RPO, normalised to CEL's `duration()` form.
            host.rpo = manifest
                .as_ref()
                .and_then(|m| m.rpo.as_deref())
                .and_then(|r| text::parse_duration_seconds(r).ok())
                .map(|s| format!("{s}s"));
        }
        host.schutzbedarf = manifest
            .as_ref()
            .and_then(|m| m.schutzbedarf.as_deref())
            .and_then(|l| crate::checks::Schutzbedarf::parse(l).ok());
        evidence.hosts.entry(place).or_default().absorb(host);
    }
    for (index, by) in included {
        evidence.files[index].asset = evidence.files[by].asset.clone();
    }
}

/// Joins identity sources with the same id (paged exports, the same export as CSV and JSON),
/// keeping each user once, the first time it is listed. Users are moved, never copied, and
/// duplicates are dropped once at the end: tenants hold 100,000 users.
#[derive(Default)]
struct IdentityMerger {
    identities: Vec<IdentityFacts>,
}

impl IdentityMerger {
    fn new(existing: Vec<IdentityFacts>) -> Self {
        let mut merger = Self::default();
        for identity in existing {
            merger.add(identity);
        }
        merger
    }

    fn add(&mut self, identity: IdentityFacts) {
        match self.identities.iter_mut().find(|i| i.id == identity.id) {
            Some(existing) => {
                existing.sources.extend(identity.sources);
                existing.users.extend(identity.users);
            }
            None => self.identities.push(identity),
        }
    }

    fn finish(mut self) -> Vec<IdentityFacts> {
        for identity in &mut self.identities {
            let keep: Vec<bool> = {
                let mut seen = std::collections::HashSet::with_capacity_and_hasher(
                    identity.users.len(),
                    foldhash::fast::RandomState::default(),
                );
                identity
                    .users
                    .iter()
                    .map(|u| seen.insert(u.name.as_str()))
                    .collect()
            };
            if keep.contains(&false) {
                let mut index = 0;
                identity.users.retain(|_| {
                    index += 1;
                    keep[index - 1]
                });
            }
        }
        self.identities
    }
}

/// Adds evidence to facts: host evidence joins the scanned host whose name or address it
/// names, or becomes a host known from evidence only.
pub fn merge_into(facts: &mut Facts, evidence: Evidence) {
    let Evidence {
        files,
        hosts,
        identities,
    } = evidence;
    for (name, host_evidence) in hosts {
        let matches = |h: &HostFacts| {
            h.hostnames.iter().any(|n| n.eq_ignore_ascii_case(&name))
                || h.address.is_some_and(|a| a.to_string() == name)
        };
        let index = match facts.hosts.iter().position(matches) {
            Some(index) => index,
            None => {
                facts.hosts.push(HostFacts::from_evidence(&name));
                facts.hosts.len() - 1
            }
        };
        let host = &mut facts.hosts[index];
        host.schutzbedarf = host.schutzbedarf.or(host_evidence.schutzbedarf);
        host.sshd.extend(host_evidence.sshd);
        host.pam.extend(host_evidence.pam);
        if !host_evidence.firewall.is_empty() || !host_evidence.profiles.is_empty() {
            host.firewall = Some(firewall::host_facts(
                &host_evidence.firewall,
                host_evidence.profiles,
            ));
        }
        if !host_evidence.backups.is_empty() {
            // Listings from a folder and a walked backup folder of one host add up.
            let known = host.backup.take().unwrap_or_default();
            let mut sets = known.sets;
            sets.extend(host_evidence.backups);
            host.backup = Some(crate::facts::BackupFacts {
                rpo: known.rpo.or(host_evidence.rpo.clone()),
                sets: merge_backup_sets(sets),
                not_backups: known.not_backups + host_evidence.not_backups,
            });
        }
        host.lifecycle.extend(host_evidence.lifecycle);
        if let Some(patching) = host_evidence.patching {
            patching::join(&mut host.patching, patching);
        }
        if !host_evidence.volumes.is_empty() || !host_evidence.luks.is_empty() {
            host.encryption = Some(encryption::host_facts(
                host_evidence.volumes,
                host_evidence.luks,
            ));
        }
    }
    let mut merger = IdentityMerger::new(std::mem::take(&mut facts.identities));
    for identity in identities {
        merger.add(identity);
    }
    facts.identities = merger.finish();
    facts.evidence_files.extend(files);
}

/// One set per tool, repository and source: `borg list` and `borg info` of one repository
/// describe the same archives.
fn merge_backup_sets(all: Vec<crate::facts::BackupSetFacts>) -> Vec<crate::facts::BackupSetFacts> {
    let mut sets: Vec<crate::facts::BackupSetFacts> = Vec::with_capacity(all.len());
    for set in all {
        match sets
            .iter_mut()
            .find(|s| s.tool == set.tool && s.repository == set.repository && s.name == set.name)
        {
            Some(known) => {
                known.successful = known.successful.max(set.successful);
                known.incomplete = known.incomplete.max(set.incomplete);
                known.last_success = known.last_success.max(set.last_success);
                known.first_success = match (known.first_success, set.first_success) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                known.encrypted = known.encrypted.or(set.encrypted);
                if known.source != set.source {
                    known.also_in.push(set.source);
                }
            }
            None => sets.push(set),
        }
    }
    sets
}

/// Replaces user names (personal data) with stable pseudonyms: the same name always gives the
/// same pseudonym, so reports stay comparable, but the name is not shown.
pub fn redact(facts: &mut Facts) {
    for identity in &mut facts.identities {
        for user in &mut identity.users {
            user.name = pseudonym(&user.name);
        }
    }
}

/// `user-` and 10 hex digits of a SHA-256 over the name.
pub fn pseudonym(name: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(name.to_lowercase().as_bytes());
    let hex: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
    format!("user-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_and_hide_the_name() {
        assert_eq!(
            pseudonym("Jörg.Müller@example.de"),
            pseudonym("jörg.müller@example.de")
        );
        assert_ne!(pseudonym("a"), pseudonym("b"));
        assert!(!pseudonym("alice").contains("alice"));
        assert_eq!(pseudonym("alice").len(), 15);
    }
}
