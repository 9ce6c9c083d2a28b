//! Patch state from package-manager exports: updates pending, when updates were last
//! installed, and how fresh the package lists were.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::SourceRef;

/// What the package-manager exports of one host say.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PatchFacts {
    /// Updates pending, from `apt list --upgradable` or `apt-get -s dist-upgrade`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingUpdates>,
    /// When the package lists were last refreshed: the newest `Release`/`InRelease` file in
    /// `/var/lib/apt/lists`. Lists older than 7 days cannot prove that nothing is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub lists_updated_at: Option<jiff::Timestamp>,
    /// When updates were last installed: packages upgraded or installed
    /// (`/var/log/apt/history.log`), the newest hotfix (`Get-HotFix`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub last_update_at: Option<jiff::Timestamp>,
    /// The newest installed update where the export names it (`KB5044281`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update: Option<String>,
    /// Installed Windows updates by their id (`Get-HotFix`, `systeminfo`), at most 200.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hotfixes: Vec<String>,
    /// Installed updates whose export gives no date (`systeminfo` lists ids only): they say
    /// nothing about when the host was last updated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hotfixes_undated: bool,
    /// The longest time allowed without an installed update (`--patch-age`), as a CEL duration
    /// (`1209600s`); the run's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch_age: Option<String>,
    /// The files these facts were read from.
    #[serde(default)]
    pub sources: Vec<SourceRef>,
}

/// Updates a package manager would install.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PendingUpdates {
    /// Every pending update; with `security_only`, every pending security update.
    pub total: u32,
    /// Those from a security suite (`bookworm-security`, `jammy-security`) or named by a
    /// security advisory (`dnf updateinfo`).
    pub security: u32,
    /// The pending security updates (at most 50), name and new version.
    #[serde(default)]
    pub security_packages: Vec<String>,
    /// The security advisories the pending updates fix (`RHSA-2024:3501`), at most 50.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<String>,
    /// The export lists security updates only (`dnf updateinfo list --security`), so other
    /// pending updates are unknown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub security_only: bool,
}

impl PendingUpdates {
    /// Pending security updates and advisories named, at most.
    pub const NAMED: usize = 50;

    /// Counts one pending update; a security update is also named.
    pub fn add(&mut self, package: &str, version: &str, security: bool) {
        self.total += 1;
        if security {
            self.security += 1;
            if self.security_packages.len() < Self::NAMED {
                self.security_packages
                    .push(super::escape_controls(&format!("{package} {version}")));
            }
        }
    }

    /// Names an advisory once.
    pub fn add_advisory(&mut self, id: &str) {
        let id = super::escape_controls(id);
        if self.advisories.len() < Self::NAMED && !self.advisories.contains(&id) {
            self.advisories.push(id);
        }
    }
}
