//! AWS `ec2 describe-security-groups` output (EC2 API Reference, DescribeSecurityGroups and
//! IpPermission): every group becomes an asset of its own (`sg-...`). A security group allows
//! only what its inbound permissions list; a permission matches "from anywhere" when it names
//! `0.0.0.0/0` (IPv4) or `::/0` (IPv6). Protocol `-1` is every protocol and port.

use serde_json::Value;

use super::{Action, BaseChain, Chain, Family, Match, Rule, Ruleset};
use crate::evidence::{Format, HostEvidence, Input, ParseError, Parsed, json};

/// `aws ec2 describe-security-groups`.
pub struct SecurityGroups;

impl Format for SecurityGroups {
    fn name(&self) -> &'static str {
        "aws-security-groups"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        json::looks_like_json(input.head)
            && input.head.contains("\"SecurityGroups\"")
            && input.head.contains("\"GroupId\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let (document, text) = json::read_document(input.path)?;
        let groups = json::get(&document, "SecurityGroups")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::at(1, "no `SecurityGroups` array"))?;
        let mut lines = json::LineFinder::new(&text);
        let mut assets = Vec::new();
        for group in groups {
            let id = json::string(group, "GroupId").ok_or_else(|| {
                ParseError::at(lines.next("GroupId"), "a group without `GroupId`")
            })?;
            let line = lines.next(id);
            let name = json::string(group, "GroupName").unwrap_or("");
            let mut chain = Chain::default();
            for permission in json::get(group, "IpPermissions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let protocol = json::string(permission, "IpProtocol").unwrap_or("-1");
                let ports = match protocol {
                    "-1" | "all" => Some((0, 65535)),
                    "tcp" | "6" => {
                        let port = |key: &str| {
                            json::get(permission, key)
                                .and_then(Value::as_i64)
                                .and_then(|p| u16::try_from(p).ok())
                        };
                        match (port("FromPort"), port("ToPort")) {
                            (Some(a), Some(b)) if a <= b => Some((a, b)),
                            _ => Some((0, 65535)),
                        }
                    }
                    _ => None,
                };
                let Some(ports) = ports else { continue };
                for (family, key, cidr_key, anywhere) in [
                    (Family::Ipv4, "IpRanges", "CidrIp", "0.0.0.0/0"),
                    (Family::Ipv6, "Ipv6Ranges", "CidrIpv6", "::/0"),
                ] {
                    for range in json::get(permission, key)
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let cidr = json::string(range, cidr_key).unwrap_or("");
                        if cidr != anywhere {
                            continue;
                        }
                        let description = json::string(range, "Description")
                            .map(|d| format!(" ({d})"))
                            .unwrap_or_default();
                        let port_text = if matches!(protocol, "-1" | "all") {
                            "all traffic".to_owned()
                        } else if ports == (0, 65535) {
                            "all ports".to_owned()
                        } else if ports.0 == ports.1 {
                            format!("{protocol} port {}", ports.0)
                        } else {
                            format!("{protocol} ports {}-{}", ports.0, ports.1)
                        };
                        chain.rules.push(Rule {
                            matches: vec![
                                Match::Family(family),
                                Match::DestPorts {
                                    ranges: vec![ports],
                                    negated: false,
                                },
                            ],
                            action: Action::Accept,
                            source: input.source(line),
                            text: format!(
                                "{id} {name}: inbound {port_text} from {cidr}{description}"
                            ),
                        });
                    }
                }
            }
            let mut ruleset = Ruleset {
                families: vec![Family::Ipv4, Family::Ipv6],
                ..Ruleset::default()
            };
            ruleset.chains.insert("inbound".into(), chain);
            // What no permission allows is denied.
            ruleset.input.push(BaseChain {
                chain: "inbound".into(),
                priority: 0,
                families: vec![Family::Ipv4, Family::Ipv6],
                policy_drops: true,
            });
            assets.push((
                id.to_owned(),
                HostEvidence {
                    firewall: vec![(self.name().to_owned(), input.source(line), ruleset)],
                    ..HostEvidence::default()
                },
            ));
        }
        Ok((Parsed::Assets(assets), groups.len() as u64))
    }
}
