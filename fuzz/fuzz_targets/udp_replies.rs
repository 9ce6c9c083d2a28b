//! What UDP services answer: SNMP responses and v3 reports, RMCP/IPMI answers, DNS messages,
//! NTP mode 6 and mode 7 answers, TFTP packets. Strings read from them go into reports.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// A string read from a reply goes into reports: no control characters.
fn inert(text: &str) {
    assert!(!text.chars().any(char::is_control), "{text:?}");
}

fuzz_target!(|data: &[u8]| {
    use postura::fuzzing::{dns, ipmi, ntp, snmp, tftp};
    if let Some(snmp::SnmpAnswer::Response { sys_descr: Some(text), .. }) = snmp::parse_answer(data) {
        inert(&text);
        assert!(text.chars().count() <= 256 * 4 + 8);
    }
    let mut dialogue = snmp::SnmpDialogue::new(0x0100);
    let _ = dialogue.take(data);
    for accepted in dialogue.finish().accepted {
        accepted.sys_descr.as_deref().map(inert);
    }
    let _ = ipmi::parse_answer(data);
    if data.len() >= 2 {
        let _ = dns::parse_answer(data, u16::from_be_bytes([data[0], data[1]]));
    }
    if let Some(fragment) = ntp::parse_control(data) {
        assert!(fragment.data.len() <= data.len());
        for (name, value) in ntp::parse_variables(&String::from_utf8_lossy(&fragment.data)) {
            inert(&name);
            inert(&value);
        }
    }
    if let Some(answer) = ntp::parse_private(data) {
        assert!(answer.items <= 0x0fff);
    }
    if let Some(answer) = tftp::parse_answer(data, "x", 1) {
        answer.message.as_deref().map(inert);
    }
});
