//! `manage-bde -status` (Microsoft Learn, "manage-bde status"), in English or German: one block
//! per volume (`Volume C: [Windows]`), then `Key: value` lines and the key protectors indented
//! below `Key Protectors:`. A volume is encrypted when its protection is on; a fully encrypted
//! volume with protection suspended is not protected.

use crate::evidence::{Format, HostEvidence, Input, ParseError, Parsed};
use crate::facts::VolumeFacts;

/// `manage-bde -status`.
pub struct ManageBde;

impl Format for ManageBde {
    fn name(&self) -> &'static str {
        "manage-bde-status"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        input.head.contains("BitLocker") && input.head.lines().any(|l| l.starts_with("Volume "))
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = crate::evidence::text::read_text(input.path)?;
        let volumes = parse(&text, input)?;
        let count = volumes.len() as u64;
        Ok((
            Parsed::Host(Box::new(HostEvidence {
                volumes,
                ..HostEvidence::default()
            })),
            count,
        ))
    }
}

/// Compares keys by their ASCII letters only: German output redirected by cmd.exe is in code
/// page 850, and its umlauts do not survive every decoding the same way.
fn is_key(key: &str, names: &[&str]) -> bool {
    let ascii = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let key = ascii(key);
    names.iter().any(|n| ascii(n) == key)
}

/// Parses the volume blocks.
pub fn parse(text: &str, input: &Input<'_>) -> Result<Vec<VolumeFacts>, ParseError> {
    let mut volumes: Vec<(VolumeFacts, Option<bool>)> = Vec::new();
    let mut in_protectors = false;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if let Some(rest) = line.strip_prefix("Volume ") {
            // `Volume C: [Windows]` or `Volume "C:" [Windows]`.
            let drive = rest
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches('"')
                .to_owned();
            let label = rest.find('[').and_then(|a| {
                rest[a + 1..]
                    .find(']')
                    .map(|b| rest[a + 1..a + 1 + b].to_owned())
            });
            volumes.push((
                VolumeFacts {
                    name: drive,
                    kind: "bitlocker".into(),
                    mountpoints: label.into_iter().collect(),
                    holds_data: true,
                    source: input.source(index as u64 + 1),
                    ..VolumeFacts::default()
                },
                None,
            ));
            in_protectors = false;
            continue;
        }
        let Some((volume, protection)) = volumes.last_mut() else {
            continue;
        };
        let trimmed = line.trim();
        if trimmed.is_empty() {
            in_protectors = false;
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            if in_protectors {
                volume.key_protectors.push(trimmed.to_owned());
            }
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        in_protectors = false;
        if is_key(key, &["Key Protectors", "Schlüsselschutzvorrichtungen"]) {
            in_protectors = value.is_empty();
            if !value.is_empty()
                && !value.to_lowercase().contains("none")
                && !value.to_lowercase().contains("keine")
            {
                volume.key_protectors.push(value.to_owned());
            }
        } else if is_key(key, &["Encryption Method", "Verschlüsselungsmethode"]) {
            let none = value.eq_ignore_ascii_case("none") || value.eq_ignore_ascii_case("keine");
            volume.method = (!none).then(|| value.to_owned());
        } else if is_key(key, &["Protection Status", "Schutzstatus"]) {
            let lower = value.to_lowercase();
            *protection = Some(
                lower.contains("protection on")
                    || (lower.contains("aktiviert") && !lower.contains("deaktiviert")),
            );
        }
    }
    if volumes.is_empty() {
        return Err(ParseError::whole(
            "no `Volume X:` block: expected `manage-bde -status`",
        ));
    }
    Ok(volumes
        .into_iter()
        .map(|(mut volume, protection)| {
            volume.encrypted = protection;
            if protection == Some(true) {
                volume.layer = Some("BitLocker".into());
            }
            volume
        })
        .collect())
}
