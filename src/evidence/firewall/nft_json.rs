//! `nft -j list ruleset` (libnftables-json(5)): `{"nftables": [{"metainfo": ...}, {"table":
//! ...}, {"chain": ...}, {"rule": ...}, {"set": ...}]}`. Base chains of type filter at the input
//! hook are what an inbound connection meets; `inet` tables serve both families.
//!
//! The document is read into a `json::Node` tree whose keys and strings borrow the file's
//! text and whose objects are member lists, not maps: an 18 MB export of 50,000 rules is read
//! and evaluated in about half a second, where a `serde_json::Value` tree spent 0.9 s on
//! allocating and freeing alone (BENCHMARKS.md).

use std::collections::HashMap;

use super::{Action, BaseChain, Family, Match, Rule, Ruleset, parse_port_range};
use crate::evidence::json::Node;
use crate::evidence::{Format, Input, ParseError, Parsed, json};

/// `nft -j list ruleset`.
pub struct NftJson;

impl Format for NftJson {
    fn name(&self) -> &'static str {
        "nft-json"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let head = input.head.trim_start();
        head.starts_with('{') && head.contains("\"nftables\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = crate::evidence::text::read_utf8(input.path)?;
        let document = Node::parse(&text)?;
        let ruleset = parse(&document, &text, input)?;
        Ok(ruleset.into_parsed(self.name(), input))
    }
}

fn families_of(table_family: &str) -> Vec<Family> {
    match table_family {
        "ip" => vec![Family::Ipv4],
        "ip6" => vec![Family::Ipv6],
        "inet" => vec![Family::Ipv4, Family::Ipv6],
        _ => Vec::new(),
    }
}

/// Parses a `nft -j list ruleset` document; `text` is its text, for the lines rules cite
/// (`nft -j` writes one line, `jq` one per member).
pub fn parse(document: &Node<'_>, text: &str, input: &Input<'_>) -> Result<Ruleset, ParseError> {
    let items = document
        .get("nftables")
        .and_then(Node::as_array)
        .ok_or_else(|| ParseError::at(1, "no `nftables` array: expected `nft -j list ruleset`"))?;
    let key = |o: &Node<'_>| -> Option<String> {
        Some(format!(
            "{} {} {}",
            o.get("family")?.as_str()?,
            o.get("table")?.as_str()?,
            o.get("chain").or_else(|| o.get("name"))?.as_str()?
        ))
    };
    // Named sets first: rules refer to them as `@name`.
    let empty = Node::Array(Vec::new());
    let mut sets: HashMap<String, &Node<'_>> = HashMap::new();
    for item in items {
        if let Some(set) = item.get("set").or_else(|| item.get("map"))
            && let (Some(family), Some(table), Some(name)) = (
                set.get("family").and_then(Node::as_str),
                set.get("table").and_then(Node::as_str),
                set.get("name").and_then(Node::as_str),
            )
        {
            let elements = set.get("elem").unwrap_or(&empty);
            sets.insert(format!("{family} {table} {name}"), elements);
        }
    }
    // The kernel filters both families whatever tables exist: a family without a base chain
    // at the input hook is not filtered at all.
    let mut ruleset = Ruleset {
        families: vec![Family::Ipv4, Family::Ipv6],
        ..Ruleset::default()
    };
    for (index, item) in items.iter().enumerate() {
        if let Some(chain) = item.get("chain") {
            let Some(name) = key(chain) else {
                return Err(ParseError::at(
                    1,
                    format!("chain {index} without family, table or name"),
                ));
            };
            ruleset.chains.entry(name.clone()).or_default();
            let family = chain.get("family").and_then(Node::as_str).unwrap_or("");
            for f in families_of(family) {
                if !ruleset.families.contains(&f) {
                    ruleset.families.push(f);
                }
            }
            let is_input_filter = chain.get("hook").and_then(Node::as_str) == Some("input")
                && chain.get("type").and_then(Node::as_str) == Some("filter");
            if is_input_filter {
                ruleset.input.push(BaseChain {
                    chain: name,
                    priority: priority(chain.get("prio")),
                    families: families_of(family),
                    policy_drops: chain.get("policy").and_then(Node::as_str) == Some("drop"),
                });
            }
        } else if let Some(table) = item.get("table") {
            for f in families_of(table.get("family").and_then(Node::as_str).unwrap_or("")) {
                if !ruleset.families.contains(&f) {
                    ruleset.families.push(f);
                }
            }
        }
    }
    let mut lines = json::LineFinder::new(text);
    for item in items {
        let Some(rule) = item.get("rule") else {
            continue;
        };
        // Rules read from `nft list ruleset` text carry their line and text.
        let line = match rule.get("postura_line").and_then(Node::as_u64) {
            Some(line) => line,
            None => lines.next("rule").max(1),
        };
        let Some(chain) = key(rule) else {
            return Err(ParseError::at(1, "a rule without family, table or chain"));
        };
        let family = rule.get("family").and_then(Node::as_str).unwrap_or("");
        let table = rule.get("table").and_then(Node::as_str).unwrap_or("");
        let handle = rule.get("handle").and_then(Node::as_u64).unwrap_or(0);
        let rule_text = match rule.get("postura_text").and_then(Node::as_str) {
            Some(text) => text.to_owned(),
            None => format!(
                "table {family} {table} chain {} handle {handle}",
                chain.rsplit(' ').next().unwrap_or("")
            ),
        };
        let scope = Scope {
            family,
            table,
            sets: &sets,
        };
        let exprs = rule.get("expr").and_then(Node::as_array).unwrap_or(&[]);
        for (matches, action) in scope.rule(exprs) {
            // Jumps name a chain of the same table.
            let action = match action {
                Action::Jump(t) => Action::Jump(format!("{family} {table} {t}")),
                Action::Goto(t) => Action::Goto(format!("{family} {table} {t}")),
                other => other,
            };
            ruleset.push_rule(
                chain.clone(),
                Rule {
                    matches,
                    action,
                    source: input.source(line),
                    text: rule_text.clone(),
                },
            );
        }
    }
    Ok(ruleset)
}

/// A chain priority: a number, or a name (`filter` = 0, `raw` = -300, `mangle` = -150,
/// `security` = 50), optionally with an offset (`filter + 10`).
fn priority(value: Option<&Node<'_>>) -> i32 {
    match value {
        Some(n @ (Node::Unsigned(_) | Node::Signed(_))) => {
            n.as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or(0)
        }
        Some(Node::Str(s)) => {
            let (name, offset) = match s.split_once(['+', '-']) {
                Some((name, n)) => {
                    let n: i32 = n.trim().parse().unwrap_or(0);
                    (name.trim(), if s.contains('-') { -n } else { n })
                }
                None => (s.trim(), 0),
            };
            let base = match name {
                "raw" => -300,
                "mangle" => -150,
                "dstnat" => -100,
                "security" => 50,
                "srcnat" => 100,
                _ => 0,
            };
            base + offset
        }
        _ => 0,
    }
}

struct Scope<'s, 'd> {
    family: &'s str,
    table: &'s str,
    sets: &'s HashMap<String, &'s Node<'d>>,
}

/// Port ranges, strings and prefixes of a match's right-hand side.
#[derive(Default)]
struct Values {
    ports: Vec<(u16, u16)>,
    words: Vec<String>,
    any_prefix: bool,
    unreadable: bool,
    /// Named sets already read into these values, and those being read: each set is read
    /// once, and a set that holds itself ends there.
    sets_read: Vec<String>,
    sets_reading: Vec<String>,
}

impl<'s, 'd> Scope<'s, 'd> {
    /// A rule's matches and action; a verdict map becomes one rule per element.
    fn rule(&self, exprs: &[Node<'_>]) -> Vec<(Vec<Match>, Action)> {
        let mut matches = Vec::new();
        for expr in exprs {
            if let Some(m) = expr.get("match") {
                // `ip ...` and `ip6 ...` in an inet table also say which family.
                let protocol = m
                    .get("left")
                    .and_then(|l| l.get("payload"))
                    .and_then(|p| p.get("protocol"))
                    .and_then(Node::as_str);
                match protocol {
                    Some("ip") if self.family == "inet" => {
                        matches.push(Match::Family(Family::Ipv4))
                    }
                    Some("ip6") if self.family == "inet" => {
                        matches.push(Match::Family(Family::Ipv6))
                    }
                    _ => {}
                }
                matches.push(self.condition(m));
                continue;
            }
            if let Some(vmap) = expr.get("vmap") {
                return self.verdict_map(&matches, vmap);
            }
            if let Some(action) = action(expr) {
                return vec![(matches, action)];
            }
            if let Some(xt) = expr.get("xt") {
                // iptables-nft rules: the extension's options are not in the JSON.
                let name = xt.get("name").and_then(Node::as_str).unwrap_or("?");
                match xt.get("type").and_then(Node::as_str) {
                    Some("target") => {
                        let action = match name {
                            "REJECT" => Action::Reject,
                            "DROP" => Action::Drop,
                            "ACCEPT" => Action::Accept,
                            _ => Action::Continue,
                        };
                        return vec![(matches, action)];
                    }
                    _ => matches.push(Match::Unknown(format!("iptables -m {name}"))),
                }
            }
            // counter, log, limit, meta set, ...: the packet goes on.
        }
        vec![(matches, Action::Continue)]
    }

    fn verdict_map(&self, before: &[Match], vmap: &Node<'_>) -> Vec<(Vec<Match>, Action)> {
        let key = vmap.get("key").unwrap_or(&Node::Null);
        let elements = match vmap.get("data") {
            Some(Node::Str(name)) => self.named_set(name),
            Some(data) => data.get("set"),
            None => None,
        };
        let mut rules = Vec::new();
        for element in elements.and_then(Node::as_array).into_iter().flatten() {
            let (Some(k), Some(v)) = (element.at(0), element.at(1)) else {
                continue;
            };
            let Some(action) = action(v) else { continue };
            let mut matches = before.to_vec();
            matches.push(self.comparison("==", key, k));
            rules.push((matches, action));
        }
        rules
    }

    fn named_set(&self, reference: &str) -> Option<&'s Node<'d>> {
        let name = reference.strip_prefix('@')?;
        self.sets
            .get(&format!("{} {} {name}", self.family, self.table))
            .copied()
    }

    /// What a match means for a new TCP connection from anywhere.
    fn condition(&self, m: &Node<'_>) -> Match {
        let op = m.get("op").and_then(Node::as_str).unwrap_or("==");
        let left = m.get("left").unwrap_or(&Node::Null);
        let right = m.get("right").unwrap_or(&Node::Null);
        self.comparison(op, left, right)
    }

    /// What `left op right` means for a new TCP connection from anywhere.
    fn comparison(&self, op: &str, left: &Node<'_>, right: &Node<'_>) -> Match {
        let negated = op == "!=";
        let truth = |hit: bool| {
            if hit != negated {
                Match::Always
            } else {
                Match::Never
            }
        };
        let mut values = Values::default();
        self.collect(right, &mut values, 0);
        if let Some(payload) = left.get("payload") {
            let protocol = payload.get("protocol").and_then(Node::as_str).unwrap_or("");
            let field = payload.get("field").and_then(Node::as_str).unwrap_or("");
            return match (protocol, field) {
                ("udp" | "sctp" | "dccp" | "icmp" | "icmpv6" | "igmp" | "esp" | "ah", _) => {
                    Match::Never
                }
                ("tcp" | "th", "dport") => {
                    let ranges = match op {
                        "<" | "<=" | ">" | ">=" => comparison(op, &values.ports),
                        _ => values.ports,
                    };
                    if values.unreadable {
                        Match::Unknown("tcp dport".into())
                    } else {
                        Match::DestPorts { ranges, negated }
                    }
                }
                ("tcp" | "th", "sport") => Match::Always,
                ("tcp", "flags") => Match::Unknown("tcp flags".into()),
                ("ip", "saddr") | ("ip6", "saddr") => {
                    if values.unreadable {
                        Match::Unknown(format!("{protocol} saddr"))
                    } else {
                        truth(values.any_prefix)
                    }
                }
                ("ip", "protocol") | ("ip6", "nexthdr") => {
                    truth(values.words.iter().any(|w| w == "tcp" || w == "6"))
                }
                _ => Match::Unknown(format!("{protocol} {field}")),
            };
        }
        if let Some(meta) = left.get("meta") {
            let key = meta.get("key").and_then(Node::as_str).unwrap_or("");
            return match key {
                "l4proto" | "protocol" => {
                    truth(values.words.iter().any(|w| w == "tcp" || w == "6"))
                }
                "nfproto" => {
                    let v4 = values.words.iter().any(|w| w == "ipv4");
                    let v6 = values.words.iter().any(|w| w == "ipv6");
                    match (v4 != negated, v6 != negated) {
                        (true, true) => Match::Always,
                        (true, false) => Match::Family(Family::Ipv4),
                        (false, true) => Match::Family(Family::Ipv6),
                        (false, false) => Match::Never,
                    }
                }
                "iifname" | "iif" => {
                    if values.words.iter().all(|w| w == "lo") && !values.words.is_empty() {
                        truth(false)
                    } else {
                        Match::Unknown(format!("{key} {}", values.words.join(",")))
                    }
                }
                "oifname" | "oif" => truth(false),
                "pkttype" => truth(values.words.iter().any(|w| w == "host")),
                _ => Match::Unknown(format!("meta {key}")),
            };
        }
        if let Some(ct) = left.get("ct") {
            let key = ct.get("key").and_then(Node::as_str).unwrap_or("");
            return match key {
                "state" => truth(values.words.iter().any(|w| w == "new")),
                "status" => truth(false),
                _ => Match::Unknown(format!("ct {key}")),
            };
        }
        if left.get("fib").is_some() {
            // `fib daddr type local`: the packet is for this host.
            return Match::Always;
        }
        Match::Unknown("an expression".into())
    }

    /// Ports, prefixes and words of a value. `depth` counts the sets and objects passed
    /// through: a named set that holds itself (`@s` in `s`) must end, not recurse forever.
    fn collect(&self, value: &Node<'_>, out: &mut Values, depth: usize) {
        const MAX_DEPTH: usize = 16;
        if depth > MAX_DEPTH {
            out.unreadable = true;
            return;
        }
        let depth = depth + 1;
        match value {
            Node::Unsigned(n) => match u16::try_from(*n) {
                Ok(p) => out.ports.push((p, p)),
                Err(_) => out.unreadable = true,
            },
            Node::Str(s) if s.starts_with('@') => {
                let name = s.to_string();
                if out.sets_reading.contains(&name) {
                    out.unreadable = true;
                } else if !out.sets_read.contains(&name) {
                    match self.named_set(s) {
                        Some(elements) => {
                            out.sets_reading.push(name.clone());
                            self.collect(elements, out, depth);
                            out.sets_reading.pop();
                            out.sets_read.push(name);
                        }
                        None => out.unreadable = true,
                    }
                }
            }
            Node::Str(s) => {
                if let Some(range) = parse_port_range(s) {
                    out.ports.push(range);
                }
                if s == "0.0.0.0/0" || s == "::/0" {
                    out.any_prefix = true;
                }
                out.words.push(s.to_string());
            }
            Node::Array(items) => items.iter().for_each(|i| self.collect(i, out, depth)),
            o @ Node::Object(_) => {
                if let Some(set) = o.get("set") {
                    self.collect(set, out, depth);
                } else if let Some(Node::Array(bounds)) = o.get("range") {
                    let bound = |i: usize| {
                        bounds
                            .get(i)
                            .and_then(Node::as_u64)
                            .and_then(|n| u16::try_from(n).ok())
                    };
                    match (bound(0), bound(1)) {
                        (Some(a), Some(b)) if a <= b => out.ports.push((a, b)),
                        _ => out.unreadable = true,
                    }
                } else if let Some(prefix) = o.get("prefix") {
                    if prefix.get("len").and_then(Node::as_u64) == Some(0) {
                        out.any_prefix = true;
                    }
                } else if let Some(elem) = o.get("elem") {
                    // A set element with options (`{"elem": {"val": 22, "timeout": 30}}`).
                    self.collect(elem.get("val").unwrap_or(elem), out, depth);
                } else {
                    out.unreadable = true;
                }
            }
            _ => out.unreadable = true,
        }
    }
}

/// Ports below / above a bound.
fn comparison(op: &str, bounds: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let Some(&(n, _)) = bounds.first() else {
        return Vec::new();
    };
    match op {
        "<" if n > 0 => vec![(0, n - 1)],
        "<=" => vec![(0, n)],
        ">" if n < 65535 => vec![(n + 1, 65535)],
        ">=" => vec![(n, 65535)],
        _ => Vec::new(),
    }
}

fn action(expr: &Node<'_>) -> Option<Action> {
    let (name, value) = expr.as_object()?.first()?;
    let target = || {
        value
            .get("target")
            .and_then(Node::as_str)
            .map(str::to_owned)
    };
    Some(match name.as_ref() {
        "accept" => Action::Accept,
        "drop" => Action::Drop,
        "reject" => Action::Reject,
        "return" => Action::Return,
        "jump" => Action::Jump(target()?),
        "goto" => Action::Goto(target()?),
        _ => return None,
    })
}
