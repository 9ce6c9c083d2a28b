//! Firewall rule exports: iptables-save, `nft -j` and `nft list ruleset`, Windows Defender
//! Firewall profiles and AWS security groups, each parsed into the one rule model of
//! [`crate::firewall`], which evaluates them.

pub mod aws_sg;
pub mod iptables;
pub mod nft_json;
pub mod nft_text;
pub mod windows;

pub use crate::firewall::{Action, BaseChain, Chain, Family, Match, Rule, Ruleset, host_facts};

impl Ruleset {
    /// What a file with this ruleset contributes: host evidence, counted in rules.
    pub fn into_parsed(
        self,
        format: &str,
        input: &crate::evidence::Input<'_>,
    ) -> (crate::evidence::Parsed, u64) {
        let rules = self.chains.values().map(|c| c.rules.len() as u64).sum();
        (
            crate::evidence::Parsed::Host(Box::new(crate::evidence::HostEvidence {
                firewall: vec![(format.to_owned(), input.source(0), self)],
                ..Default::default()
            })),
            rules,
        )
    }
}

/// A port or range as exports write it (`22`, `1024:65535`, `1024-65535`); service names are
/// looked up in a short list of the usual ones.
pub fn parse_port_range(text: &str) -> Option<(u16, u16)> {
    let port = |t: &str| -> Option<u16> {
        let t = t.trim();
        t.parse().ok().or_else(|| crate::services::port_of_name(t))
    };
    match text.split_once([':', '-']) {
        Some((a, b)) => {
            let from = if a.is_empty() { 0 } else { port(a)? };
            let to = if b.is_empty() { 65535 } else { port(b)? };
            (from <= to).then_some((from, to))
        }
        None => port(text).map(|p| (p, p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_as_exports_write_them() {
        assert_eq!(parse_port_range("22"), Some((22, 22)));
        assert_eq!(parse_port_range("1024:65535"), Some((1024, 65535)));
        assert_eq!(parse_port_range("3000-3400"), Some((3000, 3400)));
        assert_eq!(parse_port_range(":1023"), Some((0, 1023)));
        assert_eq!(parse_port_range("ssh"), Some((22, 22)));
        assert_eq!(parse_port_range("5:1"), None);
    }
}
