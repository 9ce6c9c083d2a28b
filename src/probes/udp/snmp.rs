//! SNMP: a GET of `sysDescr.0` with each default community, as SNMPv1 and SNMPv2c, and an
//! SNMPv3 engine discovery (RFC 3414 §4), which an agent answers with a report naming its
//! engine before any credentials. Requests are built here (a few fixed BER structures);
//! answers are read with `snmp-parser`.

use snmp_parser::{
    ObjectSyntax, ScopedPduData, SecurityParameters, SnmpGenericMessage, SnmpPdu, VarBindValue,
};

use crate::facts::{SnmpAccepted, SnmpFacts, SnmpV3Engine};

/// The communities tried: the two every agent ships with, and common vendor defaults.
pub const COMMUNITIES: [&str; 6] = [
    "public",
    "private",
    "community",
    "manager",
    "admin",
    "cisco",
];

/// `1.3.6.1.2.1.1.1.0` (sysDescr.0), BER-encoded.
const SYS_DESCR_OID: [u8; 8] = [0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00];
/// Longest `sysDescr` kept.
const MAX_DESCR_CHARS: usize = 256;

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn integer(value: u32) -> Vec<u8> {
    // Four bytes with the top bit clear: always a positive INTEGER.
    tlv(0x02, &(value & 0x7fff_ffff).to_be_bytes())
}

fn small(value: u8) -> Vec<u8> {
    tlv(0x02, &[value])
}

fn get_pdu(request_id: u32, with_sys_descr: bool) -> Vec<u8> {
    let bindings = if with_sys_descr {
        let binding = [tlv(0x06, &SYS_DESCR_OID), vec![0x05, 0x00]].concat();
        tlv(0x30, &tlv(0x30, &binding))
    } else {
        tlv(0x30, &[])
    };
    tlv(
        0xa0,
        &[integer(request_id), small(0), small(0), bindings].concat(),
    )
}

/// A GetRequest for `sysDescr.0` (`version` 0 = SNMPv1, 1 = SNMPv2c).
pub fn get_sys_descr(version: u8, community: &str, request_id: u32) -> Vec<u8> {
    tlv(
        0x30,
        &[
            small(version),
            tlv(0x04, community.as_bytes()),
            get_pdu(request_id, true),
        ]
        .concat(),
    )
}

/// An SNMPv3 discovery request: no user, no engine id, reportable, empty GET.
pub fn v3_discovery(message_id: u32) -> Vec<u8> {
    let global = tlv(
        0x30,
        &[
            integer(message_id),
            tlv(0x02, &[0x00, 0xff, 0xe3]), // msgMaxSize 65507
            tlv(0x04, &[0x04]),             // reportable, no auth, no priv
            small(3),                       // USM
        ]
        .concat(),
    );
    let usm = tlv(
        0x30,
        &[
            tlv(0x04, &[]),
            small(0),
            small(0),
            tlv(0x04, &[]),
            tlv(0x04, &[]),
            tlv(0x04, &[]),
        ]
        .concat(),
    );
    let scoped = tlv(
        0x30,
        &[tlv(0x04, &[]), tlv(0x04, &[]), get_pdu(message_id, false)].concat(),
    );
    tlv(0x30, &[small(3), global, tlv(0x04, &usm), scoped].concat())
}

/// What one SNMP answer says.
#[derive(Debug, Clone, PartialEq)]
pub enum SnmpAnswer {
    /// A v1/v2c response to the request with this id.
    Response {
        /// The request id answered.
        request_id: u32,
        /// 0 = v1, 1 = v2c.
        version: u32,
        /// SNMP error status.
        error_status: u32,
        /// `sysDescr.0`, escaped.
        sys_descr: Option<String>,
    },
    /// A v3 report answering the discovery with this message id.
    Report {
        /// The message id answered.
        message_id: u32,
        /// The engine revealed.
        engine: SnmpV3Engine,
    },
}

/// Reads an SNMP datagram; `None` for anything that is not an SNMP response or report.
pub fn parse_answer(data: &[u8]) -> Option<SnmpAnswer> {
    let (_, message) = snmp_parser::parse_snmp_generic_message(data).ok()?;
    match message {
        SnmpGenericMessage::V1(m) | SnmpGenericMessage::V2(m) => {
            let SnmpPdu::Generic(pdu) = &m.pdu else {
                return None;
            };
            // GetResponse (2).
            if pdu.pdu_type.0 != 2 {
                return None;
            }
            let sys_descr = pdu.var.iter().find_map(|v| match &v.val {
                VarBindValue::Value(ObjectSyntax::String(bytes)) => Some(text(bytes)),
                _ => None,
            });
            Some(SnmpAnswer::Response {
                request_id: pdu.req_id,
                version: m.version,
                error_status: pdu.err.0,
                sys_descr,
            })
        }
        SnmpGenericMessage::V3(m) => {
            let SecurityParameters::USM(usm) = &m.security_params else {
                return None;
            };
            if let ScopedPduData::Plaintext(scoped) = &m.data
                && let SnmpPdu::Generic(pdu) = &scoped.data
                && pdu.pdu_type.0 != 8
            {
                // Only a Report (8) answers a discovery.
                return None;
            }
            let id = usm.msg_authoritative_engine_id;
            Some(SnmpAnswer::Report {
                message_id: m.header_data.msg_id,
                engine: SnmpV3Engine {
                    engine_id: id.iter().map(|b| format!("{b:02x}")).collect(),
                    enterprise: enterprise(id),
                    engine_boots: usm.msg_authoritative_engine_boots,
                    engine_time: usm.msg_authoritative_engine_time,
                },
            })
        }
    }
}

/// The IANA enterprise number of an RFC 3411 engine id (first bit set, four bytes).
fn enterprise(engine_id: &[u8]) -> Option<u32> {
    let first: [u8; 4] = engine_id.get(..4)?.try_into().ok()?;
    let value = u32::from_be_bytes(first);
    (value & 0x8000_0000 != 0).then_some(value & 0x7fff_ffff)
}

fn text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let kept: String = text.chars().take(MAX_DESCR_CHARS).collect();
    crate::facts::escape_controls(kept.trim_end_matches(['\r', '\n', '\0']))
}

/// The SNMP conversation with one port: request ids name community and version.
pub struct SnmpDialogue {
    base_id: u32,
    facts: SnmpFacts,
    answered: Vec<bool>,
    discovery_answered: bool,
    step: u8,
}

impl SnmpDialogue {
    /// A dialogue whose request ids start at `base_id`.
    pub fn new(base_id: u32) -> Self {
        Self {
            base_id: base_id & 0x3fff_ff00,
            facts: SnmpFacts {
                communities_tried: COMMUNITIES.iter().map(|c| (*c).to_owned()).collect(),
                ..SnmpFacts::default()
            },
            answered: vec![false; COMMUNITIES.len() * 2],
            discovery_answered: false,
            step: 0,
        }
    }

    fn id(&self, community: usize, version: u8) -> u32 {
        self.base_id + (community as u32) * 2 + u32::from(version)
    }

    fn discovery_id(&self) -> u32 {
        self.base_id + 0xf0
    }

    /// The first request: SNMPv2c with `public`, the one most agents answer.
    pub fn lead(&self) -> Vec<u8> {
        get_sys_descr(1, COMMUNITIES[0], self.id(0, 1))
    }

    /// The rest: SNMPv1 `public`, the other communities in both versions, and the v3
    /// discovery; only those not yet answered.
    pub fn next_step(&mut self) -> Vec<Vec<u8>> {
        if self.step > 0 {
            return Vec::new();
        }
        self.step = 1;
        self.pending()
    }

    /// Requests of the current step still unanswered.
    pub fn pending(&self) -> Vec<Vec<u8>> {
        if self.step == 0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (index, community) in COMMUNITIES.iter().enumerate() {
            for version in [1u8, 0] {
                if !self.answered[index * 2 + usize::from(version)] {
                    out.push(get_sys_descr(version, community, self.id(index, version)));
                }
            }
        }
        if !self.discovery_answered {
            out.push(v3_discovery(self.discovery_id()));
        }
        out
    }

    /// Takes an answer; `true` when it answers one of this dialogue's requests.
    pub fn take(&mut self, data: &[u8]) -> bool {
        match parse_answer(data) {
            Some(SnmpAnswer::Response {
                request_id,
                version,
                error_status,
                sys_descr,
            }) => {
                let Some(offset) = request_id.checked_sub(self.base_id) else {
                    return false;
                };
                let index = (offset / 2) as usize;
                let asked_version = offset % 2;
                if index >= COMMUNITIES.len() || asked_version != version {
                    return false;
                }
                let slot = index * 2 + asked_version as usize;
                if !self.answered[slot] {
                    self.answered[slot] = true;
                    self.facts.accepted.push(SnmpAccepted {
                        community: COMMUNITIES[index].to_owned(),
                        version: if version == 0 { "v1" } else { "v2c" }.to_owned(),
                        sys_descr,
                        error_status,
                    });
                }
                true
            }
            Some(SnmpAnswer::Report { message_id, engine }) => {
                if message_id != self.discovery_id() {
                    return false;
                }
                self.discovery_answered = true;
                self.facts.v3 = Some(engine);
                true
            }
            None => false,
        }
    }

    /// The facts gathered; communities in list order.
    pub fn finish(mut self) -> SnmpFacts {
        self.facts.accepted.sort_by_key(|a| {
            (
                COMMUNITIES.iter().position(|c| *c == a.community),
                a.version.clone(),
            )
        });
        self.facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_read_back_as_snmp() {
        let request = get_sys_descr(1, "public", 0x1234);
        let (_, message) = snmp_parser::parse_snmp_v2c(&request).expect("parses");
        assert_eq!(message.community, "public");
        assert_eq!(message.version, 1);
        let discovery = v3_discovery(77);
        let (_, v3) = snmp_parser::parse_snmp_v3(&discovery).expect("parses");
        assert_eq!(v3.header_data.msg_id, 77);
        assert_eq!(v3.header_data.msg_flags, 4);
    }

    #[test]
    fn engine_ids_name_their_enterprise() {
        assert_eq!(enterprise(&[0x80, 0x00, 0x1f, 0x88, 0x80]), Some(8072));
        assert_eq!(enterprise(&[0x00, 0x00, 0x00, 0x09, 0x01]), None);
        assert_eq!(enterprise(&[0x80]), None);
    }
}
