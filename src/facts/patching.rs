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
    /// When packages were last upgraded or installed (`/var/log/apt/history.log`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub last_update_at: Option<jiff::Timestamp>,
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
    /// Every pending update.
    pub total: u32,
    /// Those from a security suite (`bookworm-security`, `jammy-security`).
    pub security: u32,
    /// The pending security updates (at most 50), name and new version.
    #[serde(default)]
    pub security_packages: Vec<String>,
}
