//! What is known about the support life cycle of an operating system or product seen on a
//! host: which release cycle it belongs to and when that cycle's support ends, from the
//! endoflife.date data shipped with postura. A fact, not a verdict: the checks compare the
//! dates with the reference time of the judgement.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An operating system or a product, and its release cycle.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LifecycleFacts {
    /// `os` or `product`.
    pub kind: String,
    /// The endoflife.date product (`debian`, `windows-server`, `nginx`), or the name of a
    /// product without data (`openssh`).
    pub product: String,
    /// What to call it in a report (`Debian 12 (Bookworm)`, `nginx 1.22`).
    pub name: String,
    /// The version as seen (`1.22.1`, `12`).
    pub version: String,
    /// How the release was identified: `distribution` (a distribution's package named in a
    /// banner), `vendor` (a component that ships with one OS release, as IIS with Windows
    /// Server), `upstream` (only the upstream version: a distribution may still patch it),
    /// `evidence` (`/etc/os-release` or `systeminfo`).
    pub basis: String,
    /// Where it was seen (`22/tcp SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3`, `/etc/os-release`).
    pub seen_in: String,
    /// The matched release cycle; absent when the data has none for this version, or no
    /// data for the product at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle: Option<String>,
    /// End of (security) support (`2026-07-11`); absent when none is announced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_ends: Option<String>,
    /// Support has ended, without a date in the data.
    #[serde(default)]
    pub support_ended: bool,
    /// End of extended support (Debian LTS, Ubuntu ESM, Windows ESU: `2028-06-30`), when
    /// there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_until: Option<String>,
    /// The data the dates come from (`endoflife.date 2026-08-22`); absent for products
    /// without data, which are not judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}
