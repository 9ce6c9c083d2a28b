//! NTP management queries: a mode 6 (control) `readvar` of the system variables, as `ntpq -c rv`
//! sends it (RFC 9327), and a mode 7 (private) `MON_GETLIST_1` request, the `ntpdc -c monlist`
//! that CVE-2013-5211 made a 500-fold reflection amplifier. Neither changes anything on the
//! server.

use std::collections::BTreeMap;

use crate::facts::{NtpFacts, NtpMonlist, NtpReadvar};

/// Variables kept from a `readvar` answer, and the longest value kept.
const MAX_VARIABLES: usize = 40;
const MAX_VALUE_CHARS: usize = 160;

/// Mode 6 `readvar` (opcode 2) of association 0, version 2 as `ntpq` sends.
pub fn readvar(sequence: u16) -> Vec<u8> {
    let mut out = vec![0x16, 0x02];
    out.extend_from_slice(&sequence.to_be_bytes());
    out.extend_from_slice(&[0; 8]);
    out
}

/// Mode 7 `MON_GETLIST_1` (request 42) to implementation 3 (`xntpd`), padded to the 48 bytes
/// `ntpd` requires of a request without authenticator.
pub fn monlist() -> Vec<u8> {
    let mut out = vec![0x17, 0x00, 0x03, 0x2a];
    out.resize(48, 0);
    out
}

/// One mode 6 answer datagram.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlFragment {
    /// Sequence number answered.
    pub sequence: u16,
    /// The error bit.
    pub error: bool,
    /// More fragments follow.
    pub more: bool,
    /// Offset of this fragment's data.
    pub offset: u16,
    /// The data.
    pub data: Vec<u8>,
}

/// Reads a mode 6 answer to `readvar`; `None` for anything else.
pub fn parse_control(data: &[u8]) -> Option<ControlFragment> {
    if data.len() < 12 || data[0] & 0x07 != 6 || data[1] & 0x80 == 0 || data[1] & 0x1f != 2 {
        return None;
    }
    let count = usize::from(u16::from_be_bytes([data[10], data[11]]));
    let body = data.get(12..12 + count.min(data.len() - 12))?;
    Some(ControlFragment {
        sequence: u16::from_be_bytes([data[2], data[3]]),
        error: data[1] & 0x40 != 0,
        more: data[1] & 0x20 != 0,
        offset: u16::from_be_bytes([data[8], data[9]]),
        data: body.to_vec(),
    })
}

/// One mode 7 answer datagram.
#[derive(Debug, Clone, PartialEq)]
pub struct PrivateAnswer {
    /// The error code (0 = no error).
    pub error: u8,
    /// Items in this datagram.
    pub items: u16,
    /// More datagrams follow.
    pub more: bool,
}

/// Reads a mode 7 answer to `MON_GETLIST_1`; `None` for anything else.
pub fn parse_private(data: &[u8]) -> Option<PrivateAnswer> {
    if data.len() < 8 || data[0] & 0x07 != 7 || data[0] & 0x80 == 0 || data[3] != 0x2a {
        return None;
    }
    let error_items = u16::from_be_bytes([data[4], data[5]]);
    Some(PrivateAnswer {
        error: (error_items >> 12) as u8,
        items: error_items & 0x0fff,
        more: data[0] & 0x40 != 0,
    })
}

/// Splits `readvar` text (`version="ntpd 4.2.8p15", stratum=2, ...`) into variables.
pub fn parse_variables(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = text;
    while !rest.is_empty() && out.len() < MAX_VARIABLES {
        rest = rest.trim_start_matches([',', ' ', '\r', '\n', '\t']);
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim().to_owned();
        let after = &rest[eq + 1..];
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        if !name.is_empty() && name.len() <= 64 {
            let value: String = value.trim().chars().take(MAX_VALUE_CHARS).collect();
            out.insert(
                crate::facts::escape_controls(&name),
                crate::facts::escape_controls(&value),
            );
        }
        rest = next;
    }
    out
}

/// The NTP conversation with one port.
pub struct NtpDialogue {
    sequence: u16,
    fragments: BTreeMap<u16, Vec<u8>>,
    readvar_error: Option<bool>,
    readvar_complete: bool,
    monlist: Option<NtpMonlist>,
    step: u8,
}

impl NtpDialogue {
    /// A dialogue with sequence number `sequence`.
    pub fn new(sequence: u16) -> Self {
        Self {
            sequence: sequence.max(1),
            fragments: BTreeMap::new(),
            readvar_error: None,
            readvar_complete: false,
            monlist: None,
            step: 0,
        }
    }

    /// The first request: mode 6 `readvar`.
    pub fn lead(&self) -> Vec<u8> {
        readvar(self.sequence)
    }

    /// Then, whatever `readvar` got, the monlist request.
    pub fn next_step(&mut self) -> Vec<Vec<u8>> {
        self.step += 1;
        if self.step == 1 {
            vec![monlist()]
        } else {
            Vec::new()
        }
    }

    /// Requests of the current step still unanswered.
    pub fn pending(&self) -> Vec<Vec<u8>> {
        if self.step == 1 && self.monlist.is_none() {
            vec![monlist()]
        } else {
            Vec::new()
        }
    }

    /// Takes an answer; `true` when it is NTP.
    pub fn take(&mut self, data: &[u8]) -> bool {
        if let Some(fragment) = parse_control(data) {
            if fragment.sequence != self.sequence {
                return false;
            }
            self.readvar_error = Some(self.readvar_error.unwrap_or(false) || fragment.error);
            if !fragment.more {
                self.readvar_complete = true;
            }
            if self.fragments.len() < 64 {
                self.fragments.insert(fragment.offset, fragment.data);
            }
            return true;
        }
        if let Some(answer) = parse_private(data) {
            let entry = self.monlist.get_or_insert(NtpMonlist {
                error: answer.error,
                entries: 0,
                datagrams: 0,
                bytes: 0,
            });
            entry.error = entry.error.max(answer.error);
            entry.entries += u32::from(answer.items);
            entry.datagrams += 1;
            entry.bytes = entry
                .bytes
                .saturating_add(u32::try_from(data.len()).unwrap_or(u32::MAX));
            return true;
        }
        false
    }

    /// Whether every answer of the lead came (`readvar` with its last fragment).
    pub fn lead_complete(&self) -> bool {
        self.readvar_complete
    }

    /// The facts gathered.
    pub fn finish(self) -> NtpFacts {
        let readvar = self.readvar_error.map(|error| {
            let text: Vec<u8> = self.fragments.values().flatten().copied().collect();
            NtpReadvar {
                error,
                variables: parse_variables(&String::from_utf8_lossy(&text)),
                bytes: u32::try_from(text.len()).unwrap_or(u32::MAX),
            }
        });
        NtpFacts {
            readvar,
            monlist: self.monlist,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_with_quotes_and_commas() {
        let vars = parse_variables(
            "version=\"ntpd 4.2.8p15@1.3728-o, Debian\", processor=\"x86_64\",\r\nstratum=2, leap=00",
        );
        assert_eq!(vars["version"], "ntpd 4.2.8p15@1.3728-o, Debian");
        assert_eq!(vars["stratum"], "2");
        assert_eq!(vars["leap"], "00");
    }

    #[test]
    fn requests_have_their_published_shape() {
        assert_eq!(readvar(1), [0x16, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(&monlist()[..4], b"\x17\x00\x03\x2a");
        assert_eq!(monlist().len(), 48);
    }
}
