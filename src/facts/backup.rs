//! Backups as evidence: the repositories that hold a host's backups and what their listings
//! say about the last successful one.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::SourceRef;

/// A host's backups.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct BackupFacts {
    /// The recovery point objective set for this asset (`--rpo ASSET=DURATION`, else
    /// `postura-manifest.json` `rpo`, e.g. `24h`); the run's `--rpo` applies when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo: Option<String>,
    /// One entry per backup set (a repository and what it backs up).
    pub sets: Vec<BackupSetFacts>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One backup set: the snapshots or archives of one repository for one source.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct BackupSetFacts {
    /// `restic`, `borg`, `folder` (a backup folder walked directly).
    pub tool: String,
    /// Where the backups are stored (borg's repository location; for restic, whose listing
    /// does not name it, the file it was read from).
    pub repository: String,
    /// What is backed up (restic: host and paths; borg: the repository).
    pub name: String,
    /// The repository encrypts what it stores; `None` when the listing does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    /// The encryption mode (`repokey-blake2`, `none`; restic always encrypts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<String>,
    /// Complete backups listed.
    pub successful: u64,
    /// The newest complete backup (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub last_success: Option<jiff::Timestamp>,
    /// The oldest complete backup still kept (RFC 3339, UTC): retention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub first_success: Option<jiff::Timestamp>,
    /// Incomplete backups (borg `.checkpoint` archives; in a backup folder, empty files and
    /// `.partial`/`.tmp` files).
    #[serde(default)]
    pub incomplete: u64,
    /// Files of a backup folder modified after the time they were read: a wrong clock, or a
    /// file still being written.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub future: u64,
    /// Where the set was read.
    pub source: SourceRef,
}
