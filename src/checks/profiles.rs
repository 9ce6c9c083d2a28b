//! TLS profiles: what a configuration may offer, as data (`profiles/tls/*.yaml`, embedded).
//! The selected profile is visible to check conditions as `tls_profile`.

use include_dir::{Dir, include_dir};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Localized;
use crate::error::InputError;

static BUILTIN_PROFILES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/profiles/tls");

/// The profile used when none is chosen: Mozilla intermediate, which every current client meets (docs/scoring.md, "Defaults").
pub(crate) const DEFAULT_TLS_PROFILE: &str = "mozilla-intermediate";

/// One TLS profile.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TlsProfile {
    /// Profile id (`bsi-tr-02102-2`, `mozilla-intermediate`, `mozilla-modern`).
    pub id: String,
    /// Version of the source document.
    pub version: String,
    /// Display title.
    pub title: Localized,
    /// Protocol versions allowed.
    pub protocols: Vec<String>,
    /// TLS ≤ 1.2 suites allowed (IANA names).
    #[serde(default)]
    pub suites: Vec<String>,
    /// TLS 1.3 suites allowed (IANA names).
    #[serde(default)]
    pub tls13_suites: Vec<String>,
    /// Named groups allowed (IANA names as in the facts).
    #[serde(default)]
    pub groups: Vec<String>,
    /// Smallest RSA key allowed, bits.
    pub min_rsa_bits: u32,
    /// Smallest ECC key allowed, bits.
    pub min_ecc_bits: u32,
    /// Longest certificate validity allowed, days; no limit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cert_lifetime_days: Option<u32>,
    /// Smallest HSTS max-age, seconds.
    pub hsts_min_age: u64,
}

/// Every built-in profile, sorted by id.
pub(crate) fn builtin_profiles() -> Vec<TlsProfile> {
    let mut profiles: Vec<TlsProfile> = BUILTIN_PROFILES
        .files()
        .filter_map(|f| serde_saphyr::from_str(f.contents_utf8().unwrap_or_default()).ok())
        .collect();
    profiles.sort_by(|a, b| a.id.cmp(&b.id));
    profiles
}

/// The built-in profile `id`.
pub(crate) fn tls_profile(id: &str) -> Result<TlsProfile, InputError> {
    let profiles = builtin_profiles();
    profiles
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or_else(|| InputError::Option {
            option: "--tls-profile".into(),
            message: format!(
                "`{id}` is not a known profile: expected one of {}",
                profiles
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_profiles_load_and_name_real_suites() {
        let profiles = builtin_profiles();
        assert_eq!(profiles.len(), 3, "every file in profiles/tls parses");
        for profile in &profiles {
            for name in profile.suites.iter().chain(&profile.tls13_suites) {
                assert!(
                    tls_parser::TlsCipherSuite::from_name(name).is_some(),
                    "{}: unknown suite {name}",
                    profile.id
                );
            }
        }
        assert!(tls_profile(DEFAULT_TLS_PROFILE).is_ok());
        assert!(tls_profile("nope").is_err());
    }
}
