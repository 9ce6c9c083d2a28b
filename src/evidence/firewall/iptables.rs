//! `iptables-save` and `ip6tables-save` output (iptables(8), iptables-extensions(8)): `*table`,
//! `:CHAIN POLICY [packets:bytes]`, `-A CHAIN options...`, `COMMIT`. The filter table's INPUT
//! chain is what an inbound connection meets.

use std::collections::HashMap;

use super::{Action, BaseChain, Family, Match, Rule, Ruleset, parse_port_range};
use crate::evidence::{Format, Input, ParseError, Parsed};

/// `iptables-save` / `ip6tables-save`.
pub struct IptablesSave;

impl Format for IptablesSave {
    fn name(&self) -> &'static str {
        "iptables-save"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let mut lines = input
            .head
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        lines.next().is_some_and(|l| l.starts_with('*'))
            && lines.next().is_some_and(|l| l.starts_with(':'))
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = crate::evidence::text::read_text(input.path)?;
        let ruleset = parse(&text, input)?;
        Ok(ruleset.into_parsed(self.name(), input))
    }
}

/// Parses the text of an `iptables-save` file.
pub fn parse(text: &str, input: &Input<'_>) -> Result<Ruleset, ParseError> {
    let ipv6 = text
        .lines()
        .take(5)
        .any(|l| l.starts_with('#') && l.contains("ip6tables"))
        || text.contains("/128")
        || text.contains("ipv6-icmp")
        || text.contains("icmp6");
    let family = if ipv6 { Family::Ipv6 } else { Family::Ipv4 };
    let mut ruleset = Ruleset {
        families: vec![family],
        ..Ruleset::default()
    };
    let mut table: Option<String> = None;
    let mut policies: HashMap<String, bool> = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index as u64 + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(name) = l.strip_prefix('*') {
            table = Some(name.trim().to_owned());
            continue;
        }
        if l == "COMMIT" {
            table = None;
            continue;
        }
        let Some(current) = table.as_deref() else {
            return Err(ParseError::at(
                line,
                format!("`{l}` outside a table: expected `*filter` (or another table) first"),
            ));
        };
        if let Some(decl) = l.strip_prefix(':') {
            let mut parts = decl.split_whitespace();
            let (Some(chain), Some(policy)) = (parts.next(), parts.next()) else {
                return Err(ParseError::at(
                    line,
                    format!("`{l}`: expected `:CHAIN POLICY [packets:bytes]`"),
                ));
            };
            let key = format!("{current}/{chain}");
            ruleset.chains.entry(key.clone()).or_default();
            if policy != "-" {
                policies.insert(key, policy.eq_ignore_ascii_case("DROP"));
            }
            continue;
        }
        // `iptables-save -c` writes the counters first: `[12:3456] -A INPUT ...`.
        let l = match l.strip_prefix('[').and_then(|rest| rest.split_once(']')) {
            Some((_, rule)) => rule.trim_start(),
            None => l,
        };
        let words = split_words(l).map_err(|m| ParseError::at(line, m))?;
        let (Some(command), Some(chain)) = (words.first(), words.get(1)) else {
            return Err(ParseError::at(
                line,
                format!("`{l}`: expected `-A CHAIN ...`"),
            ));
        };
        if command != "-A" && command != "--append" {
            return Err(ParseError::at(
                line,
                format!("`{command}`: expected `-A` (iptables-save writes only appends)"),
            ));
        }
        let (matches, action) =
            rule_parts(&words[2..], current).map_err(|m| ParseError::at(line, m))?;
        ruleset.push_rule(
            format!("{current}/{chain}"),
            Rule {
                matches,
                action,
                source: input.source(line),
                text: l.to_owned(),
            },
        );
    }
    if ruleset.chains.contains_key("filter/INPUT") {
        ruleset.input.push(BaseChain {
            chain: "filter/INPUT".into(),
            priority: 0,
            families: vec![family],
            policy_drops: policies.get("filter/INPUT").copied().unwrap_or(false),
        });
    }
    Ok(ruleset)
}

/// Words of a rule line; double quotes group (`--comment "allow ssh"`), `\"` escapes.
fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Options that take a value and do not decide anything for an inbound TCP connection
/// (comments, target options, rate limits).
const IGNORED_WITH_VALUE: [&str; 16] = [
    "--comment",
    "--reject-with",
    "--log-prefix",
    "--log-level",
    "--limit",
    "--limit-burst",
    "--set-mark",
    "--set-xmark",
    "--dst-type",
    "--src-type",
    "--to-ports",
    "--to-destination",
    "--to-source",
    "--nflog-group",
    "--nflog-prefix",
    "--mss",
];

/// The matches and the action of a rule's options.
fn rule_parts(words: &[String], table: &str) -> Result<(Vec<Match>, Action), String> {
    let mut matches = Vec::new();
    let mut action = Action::Continue;
    let mut negate = false;
    let mut i = 0;
    while i < words.len() {
        let word = words[i].as_str();
        if word == "!" {
            negate = true;
            i += 1;
            continue;
        }
        let negated = std::mem::take(&mut negate);
        if let Some(taken) = option_match(words, i, negated, &mut matches)? {
            i += taken;
            continue;
        }
        match word {
            "-j" | "--jump" | "-g" | "--goto" => {
                action = jump_action(word, option_value(words, i)?, table);
                i += 2;
            }
            w if IGNORED_WITH_VALUE.contains(&w) => i += 2,
            w if w.starts_with("--") => {
                // An extension option this reader does not know: its values follow until the
                // next option.
                matches.push(Match::Unknown(w.to_owned()));
                i += 1;
                while i < words.len() && !words[i].starts_with('-') && words[i] != "!" {
                    i += 1;
                }
            }
            other => return Err(format!("`{other}`: expected an iptables option")),
        }
    }
    Ok((matches, action))
}

/// The value after the option at `i`.
fn option_value(words: &[String], i: usize) -> Result<&str, String> {
    words
        .get(i + 1)
        .map(String::as_str)
        .ok_or_else(|| format!("`{}` without a value", words[i]))
}

/// Reads the match option at `i` into `matches` and returns how many words it took; `None`
/// when the option is not one that matches packets.
fn option_match(
    words: &[String],
    i: usize,
    negated: bool,
    matches: &mut Vec<Match>,
) -> Result<Option<usize>, String> {
    let value = || option_value(words, i);
    // A condition that a new inbound TCP connection from anywhere meets or not.
    let met = |hit: bool| {
        if hit != negated {
            Match::Always
        } else {
            Match::Never
        }
    };
    let any_address = |list: &str| list.split(',').any(|a| a == "0.0.0.0/0" || a == "::/0");
    let (found, taken) = match words[i].as_str() {
        "-p" | "--protocol" => {
            let proto = value()?.to_ascii_lowercase();
            (met(matches!(proto.as_str(), "tcp" | "6" | "all" | "0")), 2)
        }
        // From anywhere, only a rule for every address matches.
        "-s" | "--source" | "--src-range" => (met(any_address(value()?)), 2),
        "-d" | "--destination" | "--dst-range" => {
            let to = value()?;
            if any_address(to) && !negated {
                (Match::Always, 2)
            } else {
                (Match::Unknown(format!("destination {to}")), 2)
            }
        }
        "-i" | "--in-interface" => {
            let name = value()?;
            let found = match name {
                "lo" => met(false),
                "+" => met(true),
                _ => Match::Unknown(format!(
                    "input interface {}{name}",
                    if negated { "! " } else { "" }
                )),
            };
            (found, 2)
        }
        // Inbound traffic has no output interface yet.
        "-o" | "--out-interface" => (met(false), 2),
        "-m" | "--match" => {
            let module = value()?;
            if matches!(
                module,
                "set" | "recent" | "geoip" | "owner" | "string" | "u32"
            ) {
                (Match::Unknown(format!("-m {module}")), 2)
            } else {
                return Ok(Some(2));
            }
        }
        "--dport" | "--destination-port" | "--dports" | "--destination-ports" => {
            let ranges = value()?
                .split(',')
                .map(|p| parse_port_range(p).ok_or_else(|| format!("`{p}` is not a port or range")))
                .collect::<Result<Vec<_>, _>>()?;
            (Match::DestPorts { ranges, negated }, 2)
        }
        // Anyone can send from any port.
        "--sport" | "--source-port" | "--sports" | "--source-ports" if negated => {
            (Match::Unknown("! source port".into()), 2)
        }
        "--sport" | "--source-port" | "--sports" | "--source-ports" => (Match::Always, 2),
        "--ctstate" | "--state" => {
            let new = value()?.split(',').any(|s| s.eq_ignore_ascii_case("NEW"));
            (met(new), 2)
        }
        "--syn" => (met(true), 1),
        "--tcp-flags" => {
            let (mask, set) = (value()?, words.get(i + 2).map_or("", String::as_str));
            let has = |list: &str, flag: &str| list.split(',').any(|f| f == flag || f == "ALL");
            // A new connection's first packet carries SYN only.
            let flags = ["SYN", "ACK", "FIN", "RST", "URG", "PSH"];
            let hit = flags
                .iter()
                .filter(|f| has(mask, f))
                .all(|f| has(set, f) == (*f == "SYN"));
            (met(hit), 3)
        }
        "--icmp-type" | "--icmpv6-type" => (Match::Never, 2),
        "-f" | "--fragment" => (met(false), 1),
        _ => return Ok(None),
    };
    matches.push(found);
    Ok(Some(taken))
}

/// The action of `-j`/`-g TARGET` in `table`.
fn jump_action(option: &str, target: &str, table: &str) -> Action {
    match target {
        "ACCEPT" => Action::Accept,
        "DROP" => Action::Drop,
        "REJECT" => Action::Reject,
        "RETURN" => Action::Return,
        t if t.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            && KNOWN_TARGETS.contains(&t) =>
        {
            Action::Continue
        }
        chain if option == "-g" || option == "--goto" => Action::Goto(format!("{table}/{chain}")),
        chain => Action::Jump(format!("{table}/{chain}")),
    }
}

/// Targets that only mark, log or count: the packet goes on.
const KNOWN_TARGETS: [&str; 12] = [
    "LOG", "NFLOG", "ULOG", "MARK", "CONNMARK", "TCPMSS", "NOTRACK", "CT", "AUDIT", "TRACE",
    "CLASSIFY", "DSCP",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_comments_and_negation() {
        assert_eq!(
            split_words(r#"-A INPUT -m comment --comment "allow \"ssh\" in" -j ACCEPT"#).unwrap(),
            [
                "-A",
                "INPUT",
                "-m",
                "comment",
                "--comment",
                "allow \"ssh\" in",
                "-j",
                "ACCEPT"
            ]
        );
        let words: Vec<String> = "! -i lo -p tcp ! --dport 22 -j DROP"
            .split(' ')
            .map(str::to_owned)
            .collect();
        let (matches, action) = rule_parts(&words, "filter").unwrap();
        assert_eq!(action, Action::Drop);
        assert_eq!(
            matches,
            [
                Match::Always,
                Match::Always,
                Match::DestPorts {
                    ranges: vec![(22, 22)],
                    negated: true
                }
            ]
        );
    }
}
