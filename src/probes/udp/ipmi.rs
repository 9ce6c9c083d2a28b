//! IPMI over LAN (RMCP, UDP 623): what a BMC reveals before any login.
//!
//! - an RMCP/ASF presence ping (DMTF DSP0136), answered with a pong that says whether IPMI is
//!   supported;
//! - Get Channel Authentication Capabilities (IPMI 2.0 §22.13), sent outside a session with
//!   authentication type none, as every IPMI client does first;
//! - an RMCP+ Open Session Request (IPMI 2.0 §13.17) offering only cipher suite 0: no
//!   authentication, no integrity, no confidentiality. A BMC that opens the session accepts
//!   logins with any password for a known user (what nmap's `ipmi-cipher-zero` checks). No
//!   RAKP message follows: postura never logs in.

use crate::facts::{IpmiAuthCapabilities, IpmiCipherZero, IpmiFacts, IpmiPresence};

const RMCP_ASF: [u8; 4] = [0x06, 0x00, 0xff, 0x06];
const RMCP_IPMI: [u8; 4] = [0x06, 0x00, 0xff, 0x07];
const ASF_IANA: u32 = 4542;

/// An RMCP/ASF presence ping with message tag `tag`.
pub fn presence_ping(tag: u8) -> Vec<u8> {
    let mut out = RMCP_ASF.to_vec();
    out.extend_from_slice(&ASF_IANA.to_be_bytes());
    out.extend_from_slice(&[0x80, tag, 0x00, 0x00]);
    out
}

fn checksum(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0u8, |sum, b| sum.wrapping_add(*b))
        .wrapping_neg()
}

/// Get Channel Authentication Capabilities for the current channel at administrator level,
/// asking for the IPMI 2.0 extended data, in an IPMI 1.5 session-less message.
pub fn get_channel_auth_caps(sequence: u8) -> Vec<u8> {
    let header = [0x20, 0x06 << 2];
    let body = [0x81, sequence << 2, 0x38, 0x8e, 0x04];
    let mut message = header.to_vec();
    message.push(checksum(&header));
    message.extend_from_slice(&body);
    message.push(checksum(&body));
    let mut out = RMCP_IPMI.to_vec();
    out.push(0x00); // authentication type none
    out.extend_from_slice(&[0; 8]); // sequence, session id
    out.push(message.len() as u8);
    out.extend_from_slice(&message);
    out
}

/// An RMCP+ Open Session Request offering only cipher suite 0, at the highest privilege the
/// BMC allows for it.
pub fn open_session_cipher_zero(tag: u8, console_session_id: u32) -> Vec<u8> {
    let mut payload = vec![tag, 0x00, 0x00, 0x00];
    payload.extend_from_slice(&console_session_id.max(1).to_le_bytes());
    for kind in [0x00u8, 0x01, 0x02] {
        payload.extend_from_slice(&[kind, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00]);
    }
    let mut out = RMCP_IPMI.to_vec();
    out.extend_from_slice(&[0x06, 0x10]); // RMCP+, Open Session Request
    out.extend_from_slice(&[0; 8]); // session id, sequence
    out.extend_from_slice(&(payload.len() as u16).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// What one IPMI datagram answers.
#[derive(Debug, Clone, PartialEq)]
pub enum IpmiAnswer {
    /// A presence pong.
    Pong(IpmiPresence),
    /// Get Channel Authentication Capabilities.
    AuthCapabilities(IpmiAuthCapabilities),
    /// An RMCP+ Open Session Response.
    OpenSession(IpmiCipherZero),
}

/// Reads an RMCP datagram; `None` for anything else.
pub fn parse_answer(data: &[u8]) -> Option<IpmiAnswer> {
    let header = data.get(..4)?;
    if header[0] != 0x06 || header[2] != 0xff {
        return None;
    }
    match header[3] & 0x1f {
        0x06 => parse_pong(&data[4..]),
        0x07 => parse_ipmi(&data[4..]),
        _ => None,
    }
}

fn parse_pong(asf: &[u8]) -> Option<IpmiAnswer> {
    let iana = u32::from_be_bytes(asf.get(..4)?.try_into().ok()?);
    // Message type 0x40 = presence pong; data starts after tag, reserved and length.
    if *asf.get(4)? != 0x40 {
        return None;
    }
    let data = asf.get(8..)?;
    let entities = *data.get(8)?;
    Some(IpmiAnswer::Pong(IpmiPresence {
        iana,
        ipmi_supported: entities & 0x80 != 0,
    }))
}

fn parse_ipmi(session: &[u8]) -> Option<IpmiAnswer> {
    let auth_type = *session.first()?;
    if auth_type == 0x06 {
        return parse_rmcp_plus(&session[1..]);
    }
    // IPMI 1.5 session header: type, sequence (4), session id (4), [auth code (16)], length.
    let mut at = 9;
    if auth_type != 0 {
        at += 16;
    }
    let length = usize::from(*session.get(at)?);
    let message = session.get(at + 1..at + 1 + length)?;
    // rqAddr, netFn/LUN, checksum, rsAddr, rqSeq, command, completion code, data...
    if message.len() < 8 || message[1] >> 2 != 0x07 || message[5] != 0x38 {
        return None;
    }
    let completion_code = message[6];
    let data = &message[7..message.len() - 1];
    if completion_code != 0 || data.len() < 7 {
        return Some(IpmiAnswer::AuthCapabilities(IpmiAuthCapabilities {
            completion_code,
            channel: data.first().copied().unwrap_or(0),
            auth_types: Vec::new(),
            ipmi_v2: false,
            anonymous_login: false,
            null_usernames: false,
            non_null_usernames: false,
            per_message_auth_disabled: false,
            oem_iana: None,
        }));
    }
    let support = data[1];
    let names = [
        (0x01, "none"),
        (0x02, "md2"),
        (0x04, "md5"),
        (0x10, "straight"),
        (0x20, "oem"),
    ];
    let oem = u32::from_le_bytes([data[4], data[5], data[6], 0]);
    Some(IpmiAnswer::AuthCapabilities(IpmiAuthCapabilities {
        completion_code,
        channel: data[0],
        auth_types: names
            .iter()
            .filter(|(bit, _)| support & bit != 0)
            .map(|(_, name)| (*name).to_owned())
            .collect(),
        ipmi_v2: support & 0x80 != 0 && data[3] & 0x02 != 0,
        anonymous_login: data[2] & 0x01 != 0,
        null_usernames: data[2] & 0x02 != 0,
        non_null_usernames: data[2] & 0x04 != 0,
        per_message_auth_disabled: data[2] & 0x10 != 0,
        oem_iana: (oem != 0).then_some(oem),
    }))
}

fn parse_rmcp_plus(after_type: &[u8]) -> Option<IpmiAnswer> {
    // payload type, session id (4), sequence (4), length (2, little endian), payload.
    let payload_type = *after_type.first()? & 0x3f;
    if payload_type != 0x11 {
        return None;
    }
    let length = usize::from(u16::from_le_bytes([
        *after_type.get(9)?,
        *after_type.get(10)?,
    ]));
    let payload = after_type.get(11..11 + length.min(after_type.len().saturating_sub(11)))?;
    let status = *payload.get(1)?;
    // Algorithms at 16 (authentication), 24 (integrity), 32 (confidentiality).
    let all_none = [16, 24, 32]
        .iter()
        .all(|&at| payload.get(at).is_none_or(|alg| alg & 0x3f == 0));
    Some(IpmiAnswer::OpenSession(IpmiCipherZero {
        status,
        accepted: status == 0 && all_none,
    }))
}

/// The IPMI conversation with one port.
pub struct IpmiDialogue {
    tag: u8,
    facts: IpmiFacts,
    step: u8,
}

impl IpmiDialogue {
    /// A dialogue whose tags and session id derive from `seed`.
    pub fn new(seed: u32) -> Self {
        Self {
            tag: (seed & 0x3f) as u8,
            facts: IpmiFacts::default(),
            step: 0,
        }
    }

    /// The first request: Get Channel Authentication Capabilities, which every BMC answers.
    pub fn lead(&self) -> Vec<u8> {
        get_channel_auth_caps(self.tag)
    }

    /// Then the presence ping; and once the BMC answered anything, the cipher-zero offer.
    pub fn next_step(&mut self, open: bool) -> Vec<Vec<u8>> {
        self.step += 1;
        match self.step {
            1 => vec![presence_ping(self.tag)],
            2 if open || self.facts.presence.is_some() => {
                vec![open_session_cipher_zero(
                    self.tag,
                    0x5053_0000 | u32::from(self.tag),
                )]
            }
            _ => Vec::new(),
        }
    }

    /// Requests of the current step still unanswered.
    pub fn pending(&self) -> Vec<Vec<u8>> {
        match self.step {
            1 if self.facts.presence.is_none() => vec![presence_ping(self.tag)],
            2 if self.facts.cipher_zero.is_none() => vec![open_session_cipher_zero(
                self.tag,
                0x5053_0000 | u32::from(self.tag),
            )],
            _ => Vec::new(),
        }
    }

    /// Takes an answer; `true` when it is IPMI.
    pub fn take(&mut self, data: &[u8]) -> bool {
        match parse_answer(data) {
            Some(IpmiAnswer::Pong(pong)) => self.facts.presence = Some(pong),
            Some(IpmiAnswer::AuthCapabilities(caps)) => {
                self.facts.auth_capabilities.get_or_insert(caps);
            }
            Some(IpmiAnswer::OpenSession(answer)) => self.facts.cipher_zero = Some(answer),
            None => return false,
        }
        true
    }

    /// The facts gathered.
    pub fn finish(self) -> IpmiFacts {
        self.facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_caps_request_matches_ipmitool_bytes() {
        // ipmitool -I lanplus sends this for "Get Channel Auth Capabilities" (sequence 0).
        assert_eq!(
            get_channel_auth_caps(0),
            [
                0x06, 0x00, 0xff, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x09, 0x20, 0x18, 0xc8, 0x81,
                0x00, 0x38, 0x8e, 0x04, 0xb5
            ]
        );
    }

    #[test]
    fn open_session_request_offers_only_cipher_zero() {
        let request = open_session_cipher_zero(1, 0xa0a2a3a4);
        assert_eq!(request.len(), 4 + 2 + 8 + 2 + 32);
        assert_eq!(&request[16..20], &[1, 0, 0, 0]);
        assert!(request[24..].chunks(8).all(|c| c[4] == 0));
    }
}
