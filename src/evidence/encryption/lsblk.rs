//! `lsblk` output (lsblk(8)): JSON (`-J`, with `-O`, `-b`, `-f` or the default columns; the
//! device tree in `children`; `mountpoint` before util-linux 2.37, `mountpoints` after) and
//! key-value pairs (`-P`, one device per line; the tree only when `PKNAME` is listed).
//! A filesystem is encrypted when it or a device under it is a `crypt` device.

use serde_json::Value;

use crate::evidence::{Format, HostEvidence, Input, ParseError, Parsed, json};
use crate::facts::VolumeFacts;

/// `lsblk -J` in any column set.
pub struct LsblkJson;

/// `lsblk -P`.
pub struct LsblkPairs;

impl Format for LsblkJson {
    fn name(&self) -> &'static str {
        "lsblk-json"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        json::looks_like_json(input.head) && input.head.contains("\"blockdevices\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let (document, text) = json::read_document(input.path)?;
        let top = json::get(&document, "blockdevices")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::at(1, "no `blockdevices` array: expected `lsblk -J`"))?;
        let mut devices = Vec::new();
        let mut lines = json::LineFinder::new(&text);
        for device in top {
            flatten(device, None, &mut devices, &mut lines);
        }
        Ok(volumes(devices, true, input))
    }
}

impl Format for LsblkPairs {
    fn name(&self) -> &'static str {
        "lsblk-pairs"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let first = input.head.lines().next().unwrap_or("");
        first.starts_with("NAME=\"") && first.contains(" TYPE=\"")
            || first.starts_with("NAME=\"") && first.contains(" FSTYPE=\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = crate::evidence::text::read_text(input.path)?;
        let mut devices = Vec::new();
        let mut has_parent = false;
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let pairs = pairs(line).map_err(|m| ParseError::at(index as u64 + 1, m))?;
            let get = |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(k))
                    .map(|(_, v)| v.clone())
                    .filter(|v| !v.is_empty())
            };
            has_parent |= pairs.iter().any(|(k, _)| k == "PKNAME");
            let mountpoints = get("MOUNTPOINTS")
                .or_else(|| get("MOUNTPOINT"))
                .map(|m| m.split("\\x0a").map(str::to_owned).collect())
                .unwrap_or_default();
            devices.push(Device {
                name: get("NAME").unwrap_or_default(),
                kind: get("TYPE").unwrap_or_default(),
                fstype: get("FSTYPE"),
                uuid: get("UUID"),
                mountpoints,
                parent_name: get("PKNAME"),
                parent: None,
                line: index as u64 + 1,
            });
        }
        // With PKNAME the tree can be rebuilt; without it only a device's own type tells.
        for i in 0..devices.len() {
            if let Some(p) = devices[i].parent_name.clone() {
                devices[i].parent = devices.iter().position(|d| d.name == p);
            }
        }
        Ok(volumes(devices, has_parent, input))
    }
}

/// `KEY="value" KEY2="value"` with `\"` escapes; lsblk writes `\x0a` for line breaks.
fn pairs(line: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let (key, after) = rest
            .split_once("=\"")
            .ok_or_else(|| format!("`{rest}`: expected KEY=\"value\" pairs"))?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, next)) = chars.next() {
                        if next == '"' || next == '\\' {
                            value.push(next);
                        } else {
                            value.push('\\');
                            value.push(next);
                        }
                    }
                }
                '"' => {
                    end = Some(i);
                    break;
                }
                c => value.push(c),
            }
        }
        let end = end.ok_or_else(|| format!("the value of {key} is not closed"))?;
        out.push((key.trim().to_owned(), value));
        rest = after[end + 1..].trim_start();
    }
    Ok(out)
}

struct Device {
    name: String,
    kind: String,
    fstype: Option<String>,
    uuid: Option<String>,
    mountpoints: Vec<String>,
    parent_name: Option<String>,
    parent: Option<usize>,
    line: u64,
}

fn flatten(
    value: &Value,
    parent: Option<usize>,
    out: &mut Vec<Device>,
    lines: &mut json::LineFinder<'_>,
) {
    let text = |k: &str| {
        json::get(value, k)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let name = text("name").or_else(|| text("kname")).unwrap_or_default();
    let line = lines.next(&name);
    let mut mountpoints: Vec<String> = json::get(value, "mountpoints")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if mountpoints.is_empty()
        && let Some(m) = text("mountpoint")
    {
        mountpoints.push(m);
    }
    out.push(Device {
        name,
        kind: text("type").unwrap_or_default(),
        fstype: text("fstype"),
        uuid: text("uuid"),
        mountpoints,
        parent_name: None,
        parent,
        line,
    });
    let me = out.len() - 1;
    for child in json::get(value, "children")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        flatten(child, Some(me), out, lines);
    }
}

/// Mount points that hold only what booting needs, or read-only packages.
fn only_boot_or_packages(device: &Device) -> bool {
    device
        .mountpoints
        .iter()
        .all(|m| m == "/boot" || m == "/boot/efi" || m == "/efi" || m.starts_with("/snap/"))
        || matches!(device.fstype.as_deref(), Some("squashfs" | "iso9660"))
        || device.kind == "rom"
}

fn volumes(devices: Vec<Device>, tree: bool, input: &Input<'_>) -> (Parsed, u64) {
    let any_crypt = devices
        .iter()
        .any(|d| d.kind == "crypt" || d.fstype.as_deref() == Some("crypto_LUKS"));
    let mut volumes = Vec::new();
    for device in devices.iter().filter(|d| !d.mountpoints.is_empty()) {
        // The device itself, then every device under it.
        let mut chain = vec![device];
        let mut at = device.parent;
        // `PKNAME` comes from the export: a device listed as its own parent (or a loop of
        // them) must end the walk, not grow the chain until memory runs out.
        while let Some(i) = at.filter(|_| chain.len() <= devices.len()) {
            chain.push(&devices[i]);
            at = devices[i].parent;
        }
        // An encrypted layer: a `crypt` device (TYPE), or a device on a LUKS or BitLocker
        // container (FSTYPE), whichever columns the export has.
        let container =
            |d: &Device| matches!(d.fstype.as_deref(), Some("crypto_LUKS" | "BitLocker"));
        let crypt_at = chain.iter().position(|d| d.kind == "crypt").or_else(|| {
            chain
                .iter()
                .position(|d| container(d))
                .and_then(|i| i.checked_sub(1))
        });
        let encrypted = match crypt_at {
            Some(_) => Some(true),
            None if tree || !any_crypt => Some(false),
            None => None,
        };
        // The container under the crypt device names the LUKS header by UUID.
        let layer = crypt_at.map(|i| match chain.get(i + 1).and_then(|d| d.uuid.clone()) {
            Some(uuid) => format!("crypt {} on LUKS {uuid}", chain[i].name),
            None => format!("crypt {}", chain[i].name),
        });
        volumes.push(VolumeFacts {
            name: device.name.clone(),
            kind: "filesystem".into(),
            mountpoints: device.mountpoints.clone(),
            fstype: device.fstype.clone(),
            holds_data: !only_boot_or_packages(device),
            encrypted,
            layer,
            method: None,
            key_protectors: Vec::new(),
            source: input.source(device.line),
            also_in: Vec::new(),
        });
    }
    let count = volumes.len() as u64;
    (
        Parsed::Host(Box::new(HostEvidence {
            volumes,
            ..HostEvidence::default()
        })),
        count,
    )
}
