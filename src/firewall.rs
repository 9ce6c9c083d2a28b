//! The firewall rule model every export parses into, and its evaluation:
//! [`Ruleset::evaluate`] follows a new inbound TCP connection from anywhere through the rules,
//! for all 65,536 destination ports at once, as the kernel would: chains in order, jumps and
//! gotos, RETURN, base chains by priority, the policy at the end. The parsers of the export
//! formats live in `evidence/firewall/`; this module reads no file.
//!
//! "From anywhere" means any source address (a rule restricted to some network does not
//! match), arriving on an interface that is not loopback. Matches an export cannot decide (an
//! interface name, an ipset, an iptables extension) are assumed to match when they would
//! accept, and not to match when they would drop: the result never claims protection it cannot
//! show, and such verdicts are marked `uncertain`.

use std::collections::{BTreeMap, HashMap};

use crate::facts::{
    FirewallFacts, FirewallFamilyFacts, FirewallProfileFacts, PortVerdict, SourceRef,
};

/// An address family.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Family {
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
}

impl Family {
    /// `ipv4` / `ipv6`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ipv4 => "ipv4",
            Self::Ipv6 => "ipv6",
        }
    }
}

/// What a rule does when it matches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Action {
    /// The packet is accepted (by this base chain).
    Accept,
    /// The packet is dropped.
    Drop,
    /// The packet is refused with an error.
    Reject,
    /// Back to the calling chain.
    Return,
    /// Into another chain, then back.
    Jump(String),
    /// Into another chain, not back.
    Goto(String),
    /// Nothing decided (counter, log, mark).
    Continue,
}

/// One condition of a rule, as it applies to a new TCP connection from anywhere.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Match {
    /// Always true for such a packet (`--syn`, `-m limit`, a source port).
    Always,
    /// Never true for such a packet (`-p icmp`, `-i lo`, an output interface).
    Never,
    /// Only for packets of this family (`ip saddr` in an `inet` table).
    Family(Family),
    /// Destination ports (inclusive ranges); `negated` for `!=`.
    DestPorts {
        /// The ranges named.
        ranges: Vec<(u16, u16)>,
        /// The rule matches ports *outside* the ranges.
        negated: bool,
    },
    /// The export does not say whether it matches; the text says what it was.
    Unknown(String),
}

/// One rule.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    /// All must match.
    pub matches: Vec<Match>,
    /// What happens then.
    pub action: Action,
    /// Where it was read.
    pub source: SourceRef,
    /// The rule as the export shows it (an iptables line, `table inet filter chain input
    /// handle 4`), for reports.
    pub text: String,
}

/// A chain of rules.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Chain {
    /// In order.
    pub rules: Vec<Rule>,
}

/// A chain the kernel calls at the input hook.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BaseChain {
    /// Key into [`Ruleset::chains`].
    pub chain: String,
    /// Lower runs first.
    pub priority: i32,
    /// The families whose packets pass it.
    pub families: Vec<Family>,
    /// `accept` or `drop`: what happens to packets no rule decided.
    pub policy_drops: bool,
}

/// The rules of one export.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Ruleset {
    /// Chains by key (format-specific: `filter/INPUT`, `inet filter input`).
    pub chains: HashMap<String, Chain>,
    /// Base chains at the input hook.
    pub input: Vec<BaseChain>,
    /// The families this export speaks for.
    pub families: Vec<Family>,
}

/// Ports not decided yet: disjoint ranges keyed by their first port, each with whether an
/// uncertain match led there.
type Pending = BTreeMap<u16, Segment>;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    to: u16,
    uncertain: bool,
}

/// Chains deeper than this are a loop; iptables refuses them, nft too.
const MAX_DEPTH: usize = 64;

/// A decided range: ports, verdict, uncertain, deciding rule.
type Decided<'r> = (u16, u16, Verdict, bool, Option<&'r Rule>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accept,
    Drop,
    Reject,
}

impl Verdict {
    fn name(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Drop => "drop",
            Self::Reject => "reject",
        }
    }
}

/// Removes the ports `from..=to` from `pending` and returns them.
fn extract(pending: &mut Pending, from: u16, to: u16) -> Vec<(u16, Segment)> {
    // A segment that starts before `from` and reaches into it is split.
    if let Some((&start, &seg)) = pending.range(..from).next_back()
        && seg.to >= from
    {
        pending.insert(
            start,
            Segment {
                to: from - 1,
                ..seg
            },
        );
        pending.insert(from, seg);
    }
    let keys: Vec<u16> = pending.range(from..=to).map(|(&k, _)| k).collect();
    let mut taken = Vec::with_capacity(keys.len());
    for key in keys {
        let Some(seg) = pending.remove(&key) else {
            continue;
        };
        if seg.to > to {
            pending.insert(to + 1, seg);
            taken.push((key, Segment { to, ..seg }));
        } else {
            taken.push((key, seg));
        }
    }
    taken
}

/// The complement of sorted, possibly overlapping ranges within 0–65535.
fn complement(ranges: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut sorted = ranges.to_vec();
    sorted.sort_unstable();
    let mut out = Vec::new();
    let mut next: u32 = 0;
    for (a, b) in sorted {
        if u32::from(a) > next {
            out.push((next as u16, a - 1));
        }
        next = next.max(u32::from(b) + 1);
    }
    if next <= 65535 {
        out.push((next as u16, 65535));
    }
    out
}

/// The intersection of two sorted lists of disjoint ranges.
fn intersect(a: &[(u16, u16)], b: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let from = a[i].0.max(b[j].0);
        let to = a[i].1.min(b[j].1);
        if from <= to {
            out.push((from, to));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Sorted, merged ranges.
fn normalise(ranges: &[(u16, u16)]) -> Vec<(u16, u16)> {
    complement(&complement(ranges))
}

/// How a rule's conditions apply to a new TCP connection from anywhere of `family`: `None`
/// when it cannot match; else the ports it matches and whether that rests on an assumption.
fn classify(rule: &Rule, family: Family) -> Option<(Vec<(u16, u16)>, bool)> {
    let mut ports = vec![(0u16, 65535u16)];
    let mut uncertain = false;
    for m in &rule.matches {
        match m {
            Match::Always => {}
            Match::Never => return None,
            Match::Family(f) if *f != family => return None,
            Match::Family(_) => {}
            Match::DestPorts { ranges, negated } => {
                let set = if *negated {
                    complement(ranges)
                } else {
                    normalise(ranges)
                };
                ports = intersect(&ports, &set);
                if ports.is_empty() {
                    return None;
                }
            }
            Match::Unknown(_) => uncertain = true,
        }
    }
    // Unknown conditions are assumed to hold only where that could let the packet in.
    if uncertain && matches!(rule.action, Action::Drop | Action::Reject) {
        return None;
    }
    Some((ports, uncertain))
}

impl Ruleset {
    /// Appends `rule` to the chain named `chain`, creating the chain on first use.
    pub fn push_rule(&mut self, chain: String, rule: Rule) {
        self.chains
            .entry(chain.to_owned())
            .or_default()
            .rules
            .push(rule);
    }

    /// Follows ports through `chain`; returns the ports that come back (RETURN, or the end of
    /// a chain that is not a base chain) and adds decided ranges to `decided`.
    fn walk<'r>(
        &'r self,
        chain: &str,
        family: Family,
        mut pending: Pending,
        depth: usize,
        decided: &mut Vec<Decided<'r>>,
    ) -> Pending {
        let mut returned = Pending::new();
        let Some(rules) = self.chains.get(chain).map(|c| &c.rules) else {
            return pending;
        };
        if depth > MAX_DEPTH {
            return pending;
        }
        for rule in rules {
            if pending.is_empty() {
                break;
            }
            let Some((ranges, uncertain)) = classify(rule, family) else {
                continue;
            };
            if matches!(rule.action, Action::Continue) {
                continue;
            }
            let mut matched = Pending::new();
            for (from, to) in ranges {
                for (key, mut seg) in extract(&mut pending, from, to) {
                    seg.uncertain |= uncertain;
                    matched.insert(key, seg);
                }
            }
            if matched.is_empty() {
                continue;
            }
            let verdict = match &rule.action {
                Action::Accept => Some(Verdict::Accept),
                Action::Drop => Some(Verdict::Drop),
                Action::Reject => Some(Verdict::Reject),
                _ => None,
            };
            match (&rule.action, verdict) {
                (_, Some(verdict)) => decided.extend(
                    matched
                        .into_iter()
                        .map(|(from, seg)| (from, seg.to, verdict, seg.uncertain, Some(rule))),
                ),
                (Action::Return, _) => returned.extend(matched),
                (Action::Jump(target), _) => {
                    let back = self.walk(target, family, matched, depth + 1, decided);
                    pending.extend(back);
                }
                (Action::Goto(target), _) => {
                    let back = self.walk(target, family, matched, depth + 1, decided);
                    returned.extend(back);
                }
                _ => {}
            }
        }
        returned.extend(pending);
        returned
    }

    /// What a new TCP connection from anywhere of `family` meets, per destination port.
    pub fn evaluate(&self, family: Family) -> FirewallFamilyFacts {
        let mut bases: Vec<&BaseChain> = self
            .input
            .iter()
            .filter(|b| b.families.contains(&family))
            .collect();
        bases.sort_by_key(|b| b.priority);
        // Ports still on their way in, with the last rule that accepted them.
        let mut open: BTreeMap<u16, (u16, bool, Option<&Rule>)> = BTreeMap::new();
        open.insert(0, (65535, false, None));
        let mut closed: Vec<Decided<'_>> = Vec::new();
        for base in &bases {
            let mut pending = Pending::new();
            for (&from, &(to, uncertain, _)) in &open {
                pending.insert(from, Segment { to, uncertain });
            }
            let mut decided = Vec::new();
            let fell_through = self.walk(&base.chain, family, pending, 0, &mut decided);
            let mut next = BTreeMap::new();
            for (from, to, verdict, uncertain, rule) in decided {
                match verdict {
                    Verdict::Accept => {
                        next.insert(from, (to, uncertain, rule));
                    }
                    _ => closed.push((from, to, verdict, uncertain, rule)),
                }
            }
            for (from, seg) in fell_through {
                if base.policy_drops {
                    closed.push((from, seg.to, Verdict::Drop, seg.uncertain, None));
                } else {
                    // Accepted by policy: the rule that accepted it before (if any) stays.
                    let before = open
                        .range(..=from)
                        .next_back()
                        .and_then(|(_, &(_, _, rule))| rule);
                    next.insert(from, (seg.to, seg.uncertain, before));
                }
            }
            open = next;
        }
        let mut ranges: Vec<Decided<'_>> = closed;
        ranges.extend(
            open.into_iter()
                .map(|(from, (to, uncertain, rule))| (from, to, Verdict::Accept, uncertain, rule)),
        );
        ranges.sort_by_key(|r| r.0);
        let mut tcp: Vec<PortVerdict> = Vec::with_capacity(ranges.len());
        for (from, to, verdict, uncertain, rule) in ranges {
            let source = rule.map(|r| r.source.clone());
            if let Some(last) = tcp.last_mut()
                && last.verdict == verdict.name()
                && last.uncertain == uncertain
                && last.rule == source
                && u32::from(last.to) + 1 == u32::from(from)
            {
                last.to = to;
                continue;
            }
            tcp.push(PortVerdict {
                from,
                to,
                verdict: verdict.name().to_owned(),
                uncertain,
                rule: source,
                rule_text: rule.map(|r| r.text.clone()),
            });
        }
        let policies: Vec<bool> = bases.iter().map(|b| b.policy_drops).collect();
        FirewallFamilyFacts {
            family: family.name().to_owned(),
            input_filtered: !bases.is_empty(),
            input_policy: (!policies.is_empty()).then(|| {
                if policies.contains(&true) {
                    "drop".to_owned()
                } else {
                    "accept".to_owned()
                }
            }),
            default_verdict: self.default_verdict(&tcp),
            tcp,
            source: SourceRef::default(),
        }
    }

    /// The verdict for a port no rule names.
    fn default_verdict(&self, tcp: &[PortVerdict]) -> String {
        let named: Vec<(u16, u16)> = self
            .chains
            .values()
            .flat_map(|c| &c.rules)
            .flat_map(|r| &r.matches)
            .filter_map(|m| match m {
                Match::DestPorts { ranges, .. } => Some(ranges.iter().copied()),
                _ => None,
            })
            .flatten()
            .collect();
        let unnamed = complement(&named);
        // The highest unnamed port: services cluster low, so it is the least likely to be
        // special. With every port named there is no default; the last range stands in.
        let port = unnamed.last().map_or(65535, |r| r.1);
        tcp.iter()
            .find(|v| v.from <= port && port <= v.to)
            .map_or_else(|| "accept".to_owned(), |v| v.verdict.clone())
    }
}

/// The firewall facts of one host from its rule exports (format name, file, rules) and
/// Windows profiles. Per family, an nft export wins over iptables exports: it shows every
/// table the kernel runs, iptables-nft's included.
pub fn host_facts(
    exports: &[(String, SourceRef, Ruleset)],
    profiles: Vec<FirewallProfileFacts>,
) -> FirewallFacts {
    let mut facts = FirewallFacts::default();
    for profile in &profiles {
        let file = SourceRef {
            file: profile.source.file.clone(),
            line: 0,
        };
        if !facts.sources.contains(&file) {
            facts.sources.push(file);
        }
    }
    facts.profiles = profiles;
    for (format, source, _) in exports {
        facts.sources.push(source.clone());
        if !facts.formats.contains(format) {
            facts.formats.push(format.clone());
        }
    }
    // Every export is judged, also two of one ruleset (`nft list ruleset` and `nft -j`): one
    // left out could hide what the other allows.
    for family in [Family::Ipv4, Family::Ipv6] {
        for (_, source, ruleset) in exports
            .iter()
            .filter(|(_, _, r)| r.families.contains(&family))
        {
            let mut evaluated = ruleset.evaluate(family);
            evaluated.source = SourceRef {
                file: source.file.clone(),
                line: 0,
            };
            facts.families.push(evaluated);
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(matches: Vec<Match>, action: Action, line: u64) -> Rule {
        Rule {
            matches,
            action,
            source: SourceRef {
                file: "rules".into(),
                line,
            },
            text: format!("rule {line}"),
        }
    }

    fn ports(ranges: &[(u16, u16)]) -> Match {
        Match::DestPorts {
            ranges: ranges.to_vec(),
            negated: false,
        }
    }

    fn ruleset(input: Vec<Rule>, policy_drops: bool, extra: Vec<(&str, Vec<Rule>)>) -> Ruleset {
        let mut chains = HashMap::new();
        chains.insert("INPUT".to_owned(), Chain { rules: input });
        for (name, rules) in extra {
            chains.insert(name.to_owned(), Chain { rules });
        }
        Ruleset {
            chains,
            input: vec![BaseChain {
                chain: "INPUT".into(),
                priority: 0,
                families: vec![Family::Ipv4],
                policy_drops,
            }],
            families: vec![Family::Ipv4],
        }
    }

    fn verdict(facts: &FirewallFamilyFacts, port: u16) -> (&str, Option<u64>) {
        let v = facts
            .tcp
            .iter()
            .find(|v| v.from <= port && port <= v.to)
            .expect("every port has a verdict");
        (v.verdict.as_str(), v.rule.as_ref().map(|r| r.line))
    }

    #[test]
    fn chain_order_jumps_returns_and_policy() {
        let rules = ruleset(
            vec![
                rule(vec![Match::Never], Action::Accept, 1),
                rule(vec![ports(&[(22, 22)])], Action::Jump("SSH".into()), 2),
                rule(vec![ports(&[(80, 80), (443, 443)])], Action::Accept, 3),
                rule(vec![ports(&[(3000, 4000)])], Action::Accept, 4),
                rule(vec![ports(&[(3389, 3389)])], Action::Drop, 5),
            ],
            true,
            vec![(
                "SSH",
                vec![
                    rule(
                        vec![Match::Unknown("-m recent".into()), ports(&[(22, 22)])],
                        Action::Drop,
                        10,
                    ),
                    rule(vec![], Action::Return, 11),
                ],
            )],
        );
        let facts = rules.evaluate(Family::Ipv4);
        // 22 jumps, is not dropped by the uncertain rule, returns, falls to the policy.
        assert_eq!(verdict(&facts, 22), ("drop", None));
        assert_eq!(verdict(&facts, 443), ("accept", Some(3)));
        // The range that contains 3389 accepts it before the DROP rule is reached.
        assert_eq!(verdict(&facts, 3389), ("accept", Some(4)));
        assert_eq!(verdict(&facts, 4001), ("drop", None));
        assert_eq!(facts.default_verdict, "drop");
        assert_eq!(facts.input_policy.as_deref(), Some("drop"));
        let covered: u32 = facts
            .tcp
            .iter()
            .map(|v| u32::from(v.to) - u32::from(v.from) + 1)
            .sum();
        assert_eq!(covered, 65536);
    }

    #[test]
    fn catch_all_accept_before_a_drop_policy_and_reject_after_accept_policy() {
        let catch_all = ruleset(
            vec![
                rule(vec![ports(&[(22, 22)])], Action::Accept, 1),
                rule(vec![], Action::Accept, 2),
            ],
            true,
            vec![],
        );
        let facts = catch_all.evaluate(Family::Ipv4);
        assert_eq!(facts.default_verdict, "accept");
        assert_eq!(verdict(&facts, 3389), ("accept", Some(2)));

        let reject_all = ruleset(
            vec![
                rule(vec![ports(&[(443, 443)])], Action::Accept, 1),
                rule(vec![], Action::Reject, 2),
            ],
            false,
            vec![],
        );
        let facts = reject_all.evaluate(Family::Ipv4);
        assert_eq!(facts.input_policy.as_deref(), Some("accept"));
        assert_eq!(facts.default_verdict, "reject");
        assert_eq!(verdict(&facts, 443), ("accept", Some(1)));
    }

    #[test]
    fn gotos_do_not_come_back_and_negated_ports() {
        let rules = ruleset(
            vec![
                rule(vec![], Action::Goto("G".into()), 1),
                rule(vec![], Action::Accept, 2),
            ],
            true,
            vec![(
                "G",
                vec![rule(
                    vec![Match::DestPorts {
                        ranges: vec![(22, 22)],
                        negated: true,
                    }],
                    Action::Drop,
                    10,
                )],
            )],
        );
        let facts = rules.evaluate(Family::Ipv4);
        // 22 falls out of G and goes back past INPUT (goto), so rule 2 never sees it.
        assert_eq!(verdict(&facts, 22), ("drop", None));
        assert_eq!(verdict(&facts, 23), ("drop", Some(10)));
    }
}
