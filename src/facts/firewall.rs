//! Firewall rules as evidence about a host, reduced to what a packet meets.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::SourceRef;

/// The inbound filtering of one host, from its rule exports.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct FirewallFacts {
    /// The files the rules were read from.
    pub sources: Vec<SourceRef>,
    /// Their formats (`iptables-save`, `nft-json`, ...).
    pub formats: Vec<String>,
    /// One entry per address family the exports cover (`ipv4`, `ipv6`).
    #[serde(default)]
    pub families: Vec<FirewallFamilyFacts>,
    /// Windows Defender Firewall profiles (`netsh advfirewall show allprofiles`,
    /// `Get-NetFirewallProfile`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<FirewallProfileFacts>,
}

/// One Windows Defender Firewall profile.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct FirewallProfileFacts {
    /// `domain`, `private` or `public`.
    pub name: String,
    /// The profile filters traffic.
    pub enabled: bool,
    /// What happens to inbound connections no rule allows: `block` or `allow`
    /// (`block_always` when even allow rules are ignored).
    pub default_inbound: String,
    /// Dropped packets are logged; absent when the export does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_dropped: Option<bool>,
    /// Settings left `NotConfigured`, which means the Windows default (enabled, inbound
    /// blocked, nothing logged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_configured: Vec<String>,
    /// Where the profile was read.
    pub source: SourceRef,
}

/// What a new inbound connection of one address family meets.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct FirewallFamilyFacts {
    /// `ipv4` or `ipv6`.
    pub family: String,
    /// Some chain filters inbound traffic (a base chain at the input hook, the INPUT chain).
    pub input_filtered: bool,
    /// The policy of the input chain(s): `accept` or `drop` (the strictest when several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_policy: Option<String>,
    /// The verdict for a new TCP connection from anywhere to a port no rule names: the
    /// effective default, catch-all rules included.
    pub default_verdict: String,
    /// The verdict for a new TCP connection from anywhere (any source address, a
    /// non-loopback interface), for every destination port 0–65535, as ranges in ascending
    /// order that do not overlap; `tcp.containing(PORT)` finds the range of a port.
    pub tcp: Vec<PortVerdict>,
    /// The export these verdicts were worked out from.
    #[serde(default)]
    pub source: SourceRef,
}

/// The verdict for a range of destination ports.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PortVerdict {
    /// First port.
    pub from: u16,
    /// Last port (inclusive).
    pub to: u16,
    /// `accept`, `drop` or `reject`.
    pub verdict: String,
    /// A rule on the way matched on something an export does not show in full (an
    /// interface other than loopback, an ipset, an iptables extension): the verdict assumes it
    /// matched.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uncertain: bool,
    /// The rule that decided; absent when the chain policy did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<SourceRef>,
    /// That rule as the export shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_text: Option<String>,
}
