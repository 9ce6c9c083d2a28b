//! `cryptsetup luksDump` output, LUKS1 (`Cipher name`/`Cipher mode`, `MK bits`, `Key Slot N:
//! ENABLED` with `Iterations`) and LUKS2 (`Data segments` with `cipher`, `Keyslots` with
//! `Key: N bits`, `PBKDF`, `Iterations` or `Time cost` and `Memory`).

use crate::evidence::{Format, HostEvidence, Input, ParseError, Parsed};
use crate::facts::{LuksFacts, LuksKeyslot};

/// `cryptsetup luksDump DEVICE`.
pub struct LuksDump;

impl Format for LuksDump {
    fn name(&self) -> &'static str {
        "cryptsetup-luksdump"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        input
            .head
            .trim_start()
            .starts_with("LUKS header information")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = crate::evidence::text::read_text(input.path)?;
        let header = parse(&text, input)?;
        Ok((
            Parsed::Host(Box::new(HostEvidence {
                luks: vec![header],
                ..HostEvidence::default()
            })),
            1,
        ))
    }
}

/// `Key:   value` of a dump line, trimmed.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    Some((key.trim(), value.trim()))
}

fn number(value: &str) -> Option<u64> {
    value.split_whitespace().next()?.parse().ok()
}

/// Parses one dump.
pub fn parse(text: &str, input: &Input<'_>) -> Result<LuksFacts, ParseError> {
    let first = text.lines().next().unwrap_or("");
    let device = first
        .strip_prefix("LUKS header information for ")
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map_or_else(|| input.rel.to_owned(), str::to_owned);
    let mut facts = LuksFacts {
        device,
        source: input.source(1),
        ..LuksFacts::default()
    };
    let (mut cipher_name, mut cipher_mode) = (String::new(), String::new());
    let mut section = "";
    let mut slot: Option<LuksKeyslot> = None;
    let mut slot_enabled = false;
    let finish = |slot: &mut Option<LuksKeyslot>, enabled: bool, facts: &mut LuksFacts| {
        if let Some(s) = slot.take()
            && enabled
        {
            facts.keyslots.push(s);
        }
    };
    for raw in text.lines() {
        let indented = raw.starts_with(['\t', ' ']);
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if !indented {
            // LUKS1 key slots: `Key Slot 0: ENABLED`.
            if let Some(rest) = line.strip_prefix("Key Slot ") {
                finish(&mut slot, slot_enabled, &mut facts);
                let (n, state) = rest.split_once(':').unwrap_or((rest, ""));
                slot_enabled = state.trim() == "ENABLED";
                slot = Some(LuksKeyslot {
                    slot: n.trim().parse().unwrap_or(0),
                    pbkdf: "pbkdf2".into(),
                    ..LuksKeyslot::default()
                });
                continue;
            }
            if let Some((key, value)) = key_value(line) {
                match key {
                    "Version" => facts.version = value.parse().unwrap_or(0),
                    "Cipher name" => cipher_name = value.to_owned(),
                    "Cipher mode" => cipher_mode = value.to_owned(),
                    "MK bits" => facts.key_bits = number(value).unwrap_or(0) as u32,
                    "UUID" => facts.uuid = value.to_owned(),
                    "Data segments" | "Keyslots" | "Tokens" | "Digests" => {
                        finish(&mut slot, slot_enabled, &mut facts);
                        section = match key {
                            "Data segments" => "segments",
                            "Keyslots" => "keyslots",
                            _ => "",
                        };
                    }
                    _ => {}
                }
            }
            continue;
        }
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        match (section, key) {
            ("segments", "cipher") if facts.cipher.is_empty() => facts.cipher = value.to_owned(),
            ("keyslots", n) if n.parse::<u32>().is_ok() && value.starts_with("luks2") => {
                finish(&mut slot, slot_enabled, &mut facts);
                slot_enabled = true;
                slot = Some(LuksKeyslot {
                    slot: n.parse().unwrap_or(0),
                    ..LuksKeyslot::default()
                });
            }
            ("keyslots", "Key") if facts.key_bits == 0 => {
                facts.key_bits = number(value).unwrap_or(0) as u32;
            }
            (_, "PBKDF") => {
                if let Some(s) = slot.as_mut() {
                    s.pbkdf = value.to_owned();
                }
            }
            (_, "Iterations" | "Time cost") => {
                if let Some(s) = slot.as_mut() {
                    s.iterations = number(value);
                }
            }
            (_, "Memory") => {
                if let Some(s) = slot.as_mut() {
                    s.memory_kib = number(value);
                }
            }
            _ => {}
        }
    }
    finish(&mut slot, slot_enabled, &mut facts);
    if facts.cipher.is_empty() && !cipher_name.is_empty() {
        facts.cipher = format!("{cipher_name}-{cipher_mode}");
    }
    if facts.version == 0 || facts.cipher.is_empty() {
        return Err(ParseError::whole(
            "no `Version` or cipher: expected the output of `cryptsetup luksDump`",
        ));
    }
    Ok(facts)
}
