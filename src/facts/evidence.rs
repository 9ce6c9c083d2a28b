//! Facts read from evidence files (exports a consultant collects), and from the SSH probe.
//!
//! Every fact that came from a file carries a [`SourceRef`] (file and line), so a finding can
//! cite its evidence.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a fact was read: a file of the evidence folder (relative to it) and a 1-based line.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct SourceRef {
    /// Path relative to the evidence folder, `/`-separated. Shared by every fact of a file.
    pub file: std::sync::Arc<str>,
    /// 1-based line; 0 when the whole file is meant.
    pub line: u64,
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}

/// What became of one file of the evidence folder.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceStatus {
    /// Recognised and parsed; its facts are judged.
    Used,
    /// No parser recognised the content. Listed so nothing is dropped silently.
    NotUsed,
    /// Recognised, but it could not be parsed: see `error`.
    Error,
}

/// One file of the evidence folder and what was done with it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct EvidenceFileFacts {
    /// Path relative to the evidence folder, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// The format recognised (`aws-iam-credential-report`, `sshd-t`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Used, not used or error.
    pub status: EvidenceStatus,
    /// Records read (users, settings, ...).
    #[serde(default)]
    pub records: u64,
    /// The asset the file's facts belong to (host name, cloud account, tenant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// Why the file could not be parsed, with the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Line of the error, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_line: Option<u64>,
    /// How the file was placed, when the folder alone did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
}

/// How a file of host evidence was given its asset when the folder did not decide it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Placement {
    /// One of several exports of one format for one place, without a `postura-manifest.json`
    /// saying they belong together: judged as its own asset.
    SeparateAsset {
        /// The other files of the same format there.
        alongside: Vec<String>,
    },
    /// Read as part of another file (an `Include` of an `sshd_config`).
    IncludedBy {
        /// The including file.
        file: String,
    },
}

/// An identity source: a cloud account or identity-provider tenant and its users.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct IdentityFacts {
    /// Stable id: `aws:123456789012`, `entra:contoso.de`, `okta:example.okta.com`,
    /// `google:example.de`.
    pub id: String,
    /// `aws-iam`, `entra-id`, `okta`, `google-workspace`.
    pub provider: String,
    /// Files the users were read from.
    pub sources: Vec<String>,
    /// Every user account the export lists.
    pub users: Vec<UserFacts>,
}

/// One user account as its identity provider counts it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct UserFacts {
    /// Sign-in name (IAM user, UPN, login, primary e-mail). Personal data: `--redact`
    /// replaces it with a stable pseudonym.
    pub name: String,
    /// The account can sign in at all (not suspended, disabled or deprovisioned); `None`
    /// when the export does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Signs in interactively with a password (console password, directory member); service
    /// identities with keys only are not interactive.
    pub interactive: bool,
    /// Holds an administrative role (AWS root, Entra admin role, Google super/delegated admin).
    pub admin: bool,
    /// Second factor registered (or enforced) as the provider counts it; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    /// Why a user with a registered second factor counts as without one (Entra: registered,
    /// but no method the tenant's policy allows), for the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_note: Option<String>,
    /// MFA methods registered and active, in the provider's words.
    #[serde(default)]
    pub mfa_methods: Vec<String>,
    /// At least one registered method is phishing-resistant (FIDO2, Windows Hello, passkey,
    /// certificate); `None` when the export lists no methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phishing_resistant: Option<bool>,
    /// 2-step verification is enforced for the user (Google `isEnforcedIn2Sv`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_enforced: Option<bool>,
    /// Last interactive sign-in (RFC 3339, UTC); absent when never or unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub last_sign_in: Option<jiff::Timestamp>,
    /// Access keys (AWS), for stale-key checks.
    #[serde(default)]
    pub access_keys: Vec<AccessKeyFacts>,
    /// Where the user was read.
    pub source: SourceRef,
    /// The provider's own id of the user (joins Okta factors to users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// One programmatic access key.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct AccessKeyFacts {
    /// Key slot (1 or 2 in the IAM report).
    pub slot: u8,
    /// The key is active.
    pub active: bool,
    /// Last rotation (RFC 3339, UTC), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub last_rotated: Option<jiff::Timestamp>,
    /// Last use (RFC 3339, UTC); absent when never used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub last_used: Option<jiff::Timestamp>,
}

/// The sshd configuration of one connection context, as evidence about a host.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct SshdConfigFacts {
    /// What it was read from: `sshd -T` (effective settings) or `sshd_config` (the file, with
    /// OpenSSH's defaults for what it does not set).
    pub read_from: String,
    /// The connection context: the `-C` specification of an `sshd -T -C` capture
    /// (`user=backup,addr=10.30.4.17`) or a `Match` line; absent for the global settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// `passwordauthentication`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_authentication: Option<bool>,
    /// `kbdinteractiveauthentication` (or `challengeresponseauthentication` before 8.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kbd_interactive_authentication: Option<bool>,
    /// `pubkeyauthentication`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubkey_authentication: Option<bool>,
    /// `authenticationmethods` lists, each a chain of methods (`publickey,keyboard-interactive`);
    /// empty means `any`.
    #[serde(default)]
    pub authentication_methods: Vec<Vec<String>>,
    /// `permitrootlogin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permit_root_login: Option<String>,
    /// `permitemptypasswords`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permit_empty_passwords: Option<bool>,
    /// `usepam`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_pam: Option<bool>,
    /// Algorithms configured (`kexalgorithms`, `ciphers`, `macs`, `hostkeyalgorithms`).
    #[serde(default)]
    pub kex: Vec<String>,
    /// Ciphers.
    #[serde(default)]
    pub ciphers: Vec<String>,
    /// MACs.
    #[serde(default)]
    pub macs: Vec<String>,
    /// Host-key algorithms.
    #[serde(default)]
    pub host_key_algorithms: Vec<String>,
    /// Where the settings were read.
    pub source: SourceRef,
    /// Where each setting above came from, by its lower-case keyword: `FILE:LINE`, or
    /// `FILE (OpenSSH default)` for a setting an `sshd_config` leaves unset.
    #[serde(default)]
    pub at: std::collections::BTreeMap<String, String>,
    /// What the evidence could not show (an `Include` whose files were not collected).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One PAM service file (`/etc/pam.d/<service>`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PamServiceFacts {
    /// Service name (the file name: `sshd`, `common-auth`, `login`).
    pub service: String,
    /// `auth` modules in order: module name, control, arguments.
    pub auth: Vec<PamModuleFacts>,
    /// Other files this one includes (`@include`, `include`, `substack`).
    #[serde(default)]
    pub includes: Vec<String>,
    /// Where the file was read.
    pub source: SourceRef,
}

/// One `auth` line of a PAM file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PamModuleFacts {
    /// Module file name (`pam_google_authenticator.so`).
    pub module: String,
    /// Control (`required`, `sufficient`, `[success=1 default=ignore]`).
    pub control: String,
    /// Arguments (`nullok`, `secret=...`).
    #[serde(default)]
    pub args: Vec<String>,
    /// The module is a second factor (Google Authenticator, OATH, Duo, U2F, YubiKey, RADIUS).
    pub second_factor: bool,
    /// 1-based line.
    pub line: u64,
}

/// What the SSH probe saw: version, algorithm offers, and the methods left after `none`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct SshFacts {
    /// The server's identification string (`SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3`).
    pub version: String,
    /// Key-exchange algorithms in the server's order.
    #[serde(default)]
    pub kex: Vec<String>,
    /// Host-key algorithms.
    #[serde(default)]
    pub host_key_algorithms: Vec<String>,
    /// Ciphers (server to client; OpenSSH offers the same both ways).
    #[serde(default)]
    pub ciphers: Vec<String>,
    /// MACs (server to client).
    #[serde(default)]
    pub macs: Vec<String>,
    /// Compression offers.
    #[serde(default)]
    pub compression: Vec<String>,
    /// Authentication methods the server still allows after `none`; absent when the probe
    /// could not get that far (see `auth_error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_methods: Option<Vec<String>>,
    /// Why the authentication-method probe did not finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_error: Option<String>,
}
