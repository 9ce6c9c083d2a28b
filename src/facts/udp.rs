//! What the UDP scan observed: per port, whether anything answered and what each service's own
//! request revealed.
//!
//! UDP has no handshake. A port that answers is open; an ICMP port unreachable means closed;
//! other ICMP unreachables mean a filter; silence after the retries is `open_filtered`, never
//! open (nmap's vocabulary).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The UDP half of a host's scan (`--udp`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct UdpFacts {
    /// The UDP ports asked, in nmap notation (`53,69,123,161,623`).
    pub scanned_ports: String,
    /// The services whose request was sent (`dns`, `tftp`, `ntp`, `snmp`, `ipmi`): a check
    /// about a service not asked is not assessed.
    #[serde(default)]
    pub services: Vec<String>,
    /// How many scanned ports ended in each state.
    pub counts: UdpPortCounts,
    /// Every scanned port that was not closed, in port order. Closed ports are only counted.
    #[serde(default)]
    pub ports: Vec<UdpPortFacts>,
    /// Ports not scanned because the run was interrupted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ports_not_scanned: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl UdpFacts {
    /// Whether any port answered with data or with an ICMP port unreachable: the host exists.
    pub fn host_answered(&self) -> bool {
        self.counts.open + self.counts.closed > 0
    }
}

/// Number of scanned UDP ports per state.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct UdpPortCounts {
    /// Ports that answered with data.
    pub open: u32,
    /// Ports that answered nothing, retries included.
    pub open_filtered: u32,
    /// Ports that answered with ICMP port unreachable.
    pub closed: u32,
    /// Ports for which another ICMP unreachable came back (a filter, or the host is not there).
    pub filtered: u32,
}

/// The state of one UDP port.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum UdpPortState {
    /// Something answered with data.
    Open,
    /// Nothing answered: a service that ignores the request, or a filter that drops it.
    OpenFiltered,
    /// ICMP port unreachable: nothing listens.
    Closed,
    /// Another ICMP unreachable (host, network, administratively prohibited).
    Filtered,
}

/// Why a UDP port got its state, in nmap's vocabulary.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum UdpReason {
    /// A datagram came back.
    UdpResponse,
    /// No answer, retries included.
    NoResponse,
    /// ICMP (or ICMPv6) port unreachable.
    PortUnreach,
    /// ICMP host unreachable.
    HostUnreach,
    /// ICMP network unreachable.
    NetUnreach,
    /// ICMP communication administratively prohibited (a filter answered).
    AdminProhibited,
    /// Another ICMP error (protocol unreachable, fragmentation needed, ...).
    IcmpOther,
    /// The local host's own policy refused to send (EPERM/EACCES).
    LocalPolicy,
}

/// What was learnt about one UDP port.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct UdpPortFacts {
    /// Port number.
    pub port: u16,
    /// Port state.
    pub state: UdpPortState,
    /// Why the port got that state.
    pub reason: UdpReason,
    /// The service whose request was sent (`snmp`, `ipmi`, `dns`, `ntp`, `tftp`); absent when
    /// an empty datagram was sent to a port of no known service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Datagrams sent to this port.
    pub datagrams_sent: u32,
    /// The ICMP type and code that came back, when one did (`3/13`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp: Option<String>,
    /// SNMP: communities accepted, and the engine an SNMPv3 discovery revealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snmp: Option<SnmpFacts>,
    /// IPMI: presence, authentication capabilities, cipher suite 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipmi: Option<IpmiFacts>,
    /// DNS: the answer to a recursive query for a name outside the server's zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<DnsFacts>,
    /// NTP: control (mode 6) and private (mode 7 monlist) queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntp: Option<NtpFacts>,
    /// TFTP: the answer to a read request for a file that does not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tftp: Option<TftpFacts>,
}

impl UdpPortFacts {
    /// A port with only its state.
    pub fn new(port: u16, state: UdpPortState, reason: UdpReason) -> Self {
        Self {
            port,
            state,
            reason,
            service: None,
            datagrams_sent: 0,
            icmp: None,
            snmp: None,
            ipmi: None,
            dns: None,
            ntp: None,
            tftp: None,
        }
    }
}

/// What an SNMP agent answered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct SnmpFacts {
    /// The communities tried, each with SNMPv1 and SNMPv2c.
    pub communities_tried: Vec<String>,
    /// Each community and version that got a `sysDescr.0` answer.
    #[serde(default)]
    pub accepted: Vec<SnmpAccepted>,
    /// The agent's answer to an SNMPv3 engine discovery (a report without credentials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v3: Option<SnmpV3Engine>,
}

/// A community the agent answered.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct SnmpAccepted {
    /// The community string (one of postura's list of defaults).
    pub community: String,
    /// `v1` or `v2c`.
    pub version: String,
    /// The `sysDescr.0` value, escaped; absent when the agent answered with an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sys_descr: Option<String>,
    /// The SNMP error status of the answer (0 = noError).
    pub error_status: u32,
}

/// The SNMPv3 engine an agent revealed in its discovery report.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct SnmpV3Engine {
    /// `msgAuthoritativeEngineID` in hex.
    pub engine_id: String,
    /// The IANA enterprise number in the engine id (RFC 3411 format), when present
    /// (8072 = Net-SNMP, 9 = Cisco).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise: Option<u32>,
    /// `msgAuthoritativeEngineBoots`.
    pub engine_boots: u32,
    /// `msgAuthoritativeEngineTime`: seconds since the last boot.
    pub engine_time: u32,
}

/// What an IPMI BMC answered before any login.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct IpmiFacts {
    /// The RMCP/ASF presence pong, when one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence: Option<IpmiPresence>,
    /// The answer to Get Channel Authentication Capabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_capabilities: Option<IpmiAuthCapabilities>,
    /// The answer to an RMCP+ Open Session Request offering only cipher suite 0
    /// (no authentication, integrity or confidentiality).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher_zero: Option<IpmiCipherZero>,
}

/// An RMCP/ASF presence pong.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct IpmiPresence {
    /// The IANA enterprise number the pong names (4542 = ASF).
    pub iana: u32,
    /// Whether the pong says IPMI is supported.
    pub ipmi_supported: bool,
}

/// Get Channel Authentication Capabilities, as answered.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct IpmiAuthCapabilities {
    /// IPMI completion code (0 = success).
    pub completion_code: u8,
    /// The channel number answered for.
    pub channel: u8,
    /// IPMI 1.5 authentication types enabled: `none`, `md2`, `md5`, `straight`, `oem`.
    #[serde(default)]
    pub auth_types: Vec<String>,
    /// IPMI 2.0 (RMCP+) supported.
    pub ipmi_v2: bool,
    /// Anonymous login (null user, null password) enabled.
    pub anonymous_login: bool,
    /// Null user names enabled.
    pub null_usernames: bool,
    /// Non-null user names enabled.
    pub non_null_usernames: bool,
    /// Per-message authentication disabled.
    pub per_message_auth_disabled: bool,
    /// The OEM IANA number, when not zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oem_iana: Option<u32>,
}

/// The answer to an Open Session Request with cipher suite 0.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct IpmiCipherZero {
    /// RMCP+ status code (0 = session opened with the algorithms offered).
    pub status: u8,
    /// Whether the BMC accepted: status 0 and every algorithm `none`.
    pub accepted: bool,
}

/// A DNS server's answer to a recursive query.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct DnsFacts {
    /// The name and type asked (`example.com. A`), with recursion desired.
    pub query: String,
    /// Response code (`NOERROR`, `SERVFAIL`, `NXDOMAIN`, `REFUSED`, ...).
    pub rcode: String,
    /// The RA bit: the server says it offers recursion to this client.
    pub recursion_available: bool,
    /// The AA bit.
    pub authoritative: bool,
    /// Records in the answer section.
    pub answers: u16,
}

/// What an NTP server answered to management queries.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct NtpFacts {
    /// The mode 6 `readvar` answer, when one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readvar: Option<NtpReadvar>,
    /// The mode 7 `monlist` answer, when one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monlist: Option<NtpMonlist>,
}

/// A mode 6 `readvar` answer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct NtpReadvar {
    /// The error bit of the answer.
    pub error: bool,
    /// The system variables returned (`version`, `system`, `stratum`, ...), escaped and capped.
    #[serde(default)]
    pub variables: std::collections::BTreeMap<String, String>,
    /// Bytes of variable text received.
    pub bytes: u32,
}

/// A mode 7 `MON_GETLIST_1` answer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct NtpMonlist {
    /// The error code of the answer (0 = the list was returned).
    pub error: u8,
    /// Entries in the answers received.
    pub entries: u32,
    /// Answer datagrams received.
    pub datagrams: u32,
    /// Bytes received in answer to one 48-byte request: the amplification an attacker gets.
    pub bytes: u32,
}

/// A TFTP server's answer to a read request.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct TftpFacts {
    /// The file name asked for (random; no server holds it).
    pub file_name: String,
    /// The opcode of the answer: `error`, `data` or `oack`.
    pub answer: String,
    /// The TFTP error code, for an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u16>,
    /// The error message, escaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The port the answer came from (a new one, per RFC 1350).
    pub from_port: u16,
}
