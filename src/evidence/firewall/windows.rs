//! Windows Defender Firewall profiles: `netsh advfirewall show allprofiles` (any display
//! language: the blocks are found by their shape, the policy by its language-independent
//! value `BlockInbound,AllowOutbound`) and `Get-NetFirewallProfile | ConvertTo-Json`
//! (Windows PowerShell 5.1 writes enums as numbers, PowerShell 7 with `-EnumsAsStrings` as
//! names). `NotConfigured` means the Windows default: enabled, inbound blocked, nothing logged.

use serde_json::Value;

use crate::evidence::{Format, HostEvidence, Input, ParseError, Parsed, json};
use crate::facts::FirewallProfileFacts;

/// `netsh advfirewall show allprofiles` (or `show currentprofile`).
pub struct NetshProfiles;

impl Format for NetshProfiles {
    fn name(&self) -> &'static str {
        "netsh-advfirewall"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        input.head.contains("BlockInbound") || input.head.contains("AllowInbound")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = crate::evidence::text::read_text(input.path)?;
        let profiles = parse_netsh(&text, input)?;
        Ok(host(profiles))
    }
}

/// `Get-NetFirewallProfile | ConvertTo-Json`.
pub struct ProfileJson;

impl Format for ProfileJson {
    fn name(&self) -> &'static str {
        "get-netfirewallprofile-json"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        json::looks_like_json(input.head)
            && input.head.contains("\"DefaultInboundAction\"")
            && input.head.contains("\"Name\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let (document, text) = json::read_document(input.path)?;
        let records: Vec<&Value> = match &document {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        let mut lines = json::LineFinder::new(&text);
        let mut profiles = Vec::new();
        for record in records {
            let name = json::string(record, "Name")
                .or_else(|| json::string(record, "Profile"))
                .ok_or_else(|| ParseError::at(lines.next("Name"), "a profile without `Name`"))?;
            let line = lines.next(name);
            let mut not_configured = Vec::new();
            let mut setting = |key: &str| -> Option<String> {
                let v = json::get(record, key)?;
                let word = match v {
                    // Windows PowerShell 5.1: GpoBoolean False=0 True=1 NotConfigured=2;
                    // Action NotConfigured=0 Allow=2 Block=4.
                    Value::Number(n) => match (key, n.as_u64()?) {
                        ("DefaultInboundAction", 0) => "NotConfigured",
                        ("DefaultInboundAction", 2) => "Allow",
                        ("DefaultInboundAction", 4) => "Block",
                        (_, 0) => "False",
                        (_, 1) => "True",
                        (_, 2) => "NotConfigured",
                        _ => return None,
                    }
                    .to_owned(),
                    Value::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
                    Value::String(s) => s.clone(),
                    _ => return None,
                };
                if word.eq_ignore_ascii_case("NotConfigured") {
                    not_configured.push(key.to_owned());
                    return None;
                }
                Some(word)
            };
            let enabled = setting("Enabled").is_none_or(|v| v.eq_ignore_ascii_case("true"));
            let inbound = setting("DefaultInboundAction")
                .map_or("block".to_owned(), |v| v.to_ascii_lowercase());
            let log_dropped = setting("LogBlocked").map(|v| v.eq_ignore_ascii_case("true"));
            profiles.push(FirewallProfileFacts {
                name: profile_name(name),
                enabled,
                default_inbound: inbound,
                log_dropped: log_dropped.or(Some(false)),
                not_configured,
                source: input.source(line),
            });
        }
        Ok(host(profiles))
    }
}

fn host(profiles: Vec<FirewallProfileFacts>) -> (Parsed, u64) {
    let count = profiles.len() as u64;
    (
        Parsed::Host(Box::new(HostEvidence {
            profiles,
            ..HostEvidence::default()
        })),
        count,
    )
}

/// `domain`, `private` or `public` from a profile name in English or German.
fn profile_name(name: &str) -> String {
    let lower = name.to_lowercase();
    if lower.contains("dom") {
        "domain".into()
    } else if lower.contains("priv") {
        "private".into()
    } else if lower.contains("public") || lower.contains("ffentl") {
        "public".into()
    } else {
        lower.trim().trim_end_matches(':').to_owned()
    }
}

/// Profile blocks: a header line ending in `:` above a dashed line, then `Key   Value`
/// lines. The first setting is the state (ON/OFF, EIN/AUS), the policy the value of the form
/// `BlockInbound,AllowOutbound`, the dropped-packet log the line naming `LogDropped`.
fn parse_netsh(text: &str, input: &Input<'_>) -> Result<Vec<FirewallProfileFacts>, ParseError> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut profiles = Vec::new();
    let mut i = 0;
    while i + 1 < lines.len() {
        let header = lines[i].trim();
        let is_block = header.ends_with(':') && lines[i + 1].trim_start().starts_with("-----");
        if !is_block {
            i += 1;
            continue;
        }
        let line = i as u64 + 1;
        let mut profile = FirewallProfileFacts {
            name: profile_name(header),
            source: input.source(line),
            default_inbound: String::new(),
            ..FirewallProfileFacts::default()
        };
        let mut state: Option<String> = None;
        let mut j = i + 2;
        while j < lines.len() {
            let l = lines[j].trim();
            if j + 1 < lines.len()
                && l.ends_with(':')
                && lines[j + 1].trim_start().starts_with("-----")
            {
                break;
            }
            let mut parts = l.split_whitespace();
            let (Some(key), Some(value)) = (parts.next(), parts.last()) else {
                j += 1;
                continue;
            };
            if state.is_none() {
                state = Some(value.to_owned());
            } else if value.contains("Inbound") && value.contains("Outbound") {
                let inbound = value.split(',').next().unwrap_or("");
                profile.default_inbound = match inbound {
                    "BlockInboundAlways" => "block_always",
                    "BlockInbound" => "block",
                    "AllowInbound" => "allow",
                    "NotConfigured" => "block",
                    _ => "",
                }
                .to_owned();
            } else if key.eq_ignore_ascii_case("LogDroppedConnections") {
                profile.log_dropped = Some(is_on(value));
            }
            j += 1;
        }
        let state = state.unwrap_or_default();
        if state.eq_ignore_ascii_case("NotConfigured") {
            profile.not_configured.push("State".into());
            profile.enabled = true;
        } else {
            profile.enabled = is_on(&state);
        }
        if profile.default_inbound.is_empty() {
            return Err(ParseError::at(
                line,
                format!(
                    "profile `{header}` without a firewall policy: expected a line such as `Firewall Policy  BlockInbound,AllowOutbound`"
                ),
            ));
        }
        profiles.push(profile);
        i = j;
    }
    if profiles.is_empty() {
        return Err(ParseError::whole(
            "no profile block: expected `Domain Profile Settings:` above a dashed line",
        ));
    }
    Ok(profiles)
}

/// ON / EIN / Enable / Aktivieren.
fn is_on(value: &str) -> bool {
    let v = value.to_lowercase();
    v == "on" || v == "ein" || v.starts_with("enable") || v.starts_with("aktiv")
}
