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
    /// Files of walked backup folders that are not backups: metadata, index, checksum, log
    /// and readme files (`.vbm`, `.log`, `.md5`, `README*`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_backups: u64,
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
    /// Complete backups listed (in a walked folder: the good files or dated folders of the
    /// series).
    pub successful: u64,
    /// The newest good file or dated folder of a walked series, relative to the walked folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest: Option<String>,
    /// The newest complete backup (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub last_success: Option<jiff::Timestamp>,
    /// The oldest complete backup still kept (RFC 3339, UTC): retention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub first_success: Option<jiff::Timestamp>,
    /// Incomplete backups (borg `.checkpoint` archives; in a walked folder, members that are
    /// empty, too small for their format, or partial or temporary files and folders).
    #[serde(default)]
    pub incomplete: u64,
    /// Files of a backup folder modified more than five minutes after the time they were read:
    /// a wrong clock, or a file still being written. They never count as a success.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub future: u64,
    /// Where the set was read.
    pub source: SourceRef,
    /// Other listings of the same set (`borg list` and `borg info` of one repository).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_in: Vec<SourceRef>,
}
