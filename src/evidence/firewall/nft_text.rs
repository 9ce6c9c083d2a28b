//! `nft list ruleset` (nft(8)): the text form, turned into the objects `nft -j` writes, so one
//! reader ([`super::nft_json`]) decides what every statement means. nft prints one rule per
//! line inside `table FAMILY NAME { chain NAME { ... } set NAME { ... } }` blocks.

use serde_json::{Value, json};

use crate::evidence::{Format, Input, ParseError, Parsed};

/// `nft list ruleset`.
pub struct NftText;

impl Format for NftText {
    fn name(&self) -> &'static str {
        "nft-list-ruleset"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let first = input
            .head
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        first.is_some_and(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.first() == Some(&"table")
                && words.last() == Some(&"{")
                && (words.len() == 4 || words.len() == 3)
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = crate::evidence::text::read_text(input.path)?;
        let document = to_json(&text)?;
        let document = crate::evidence::json::Node::from_value(&document);
        let ruleset = super::nft_json::parse(&document, "", input)?;
        Ok(ruleset.into_parsed(self.name(), input))
    }
}

/// Words of a line: quoted strings unquoted, braces and commas apart.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() {
            out.push(std::mem::take(word));
        }
    };
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                if !quoted {
                    // An empty quoted string is still a word.
                    out.push(std::mem::take(&mut word));
                }
            }
            c if quoted => word.push(c),
            '{' | '}' | ',' | ';' => {
                flush(&mut word, &mut out);
                out.push(c.to_string());
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The `nft -j` document of a ruleset's text.
pub fn to_json(text: &str) -> Result<Value, ParseError> {
    let mut items = Vec::new();
    let mut table: Option<(String, String)> = None;
    let mut chain: Option<String> = None;
    let mut set: Option<(String, Vec<Value>, u64)> = None;
    // Lines of a statement that continues (`elements = { a,` ... `}`).
    let mut pending = String::new();
    let mut pending_line = 0;
    for (index, raw) in text.lines().enumerate() {
        let line = index as u64 + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if !pending.is_empty() {
            pending.push(' ');
            pending.push_str(l);
        } else {
            pending = l.to_owned();
            pending_line = line;
        }
        if pending.matches('{').count() > pending.matches('}').count() && !pending.ends_with('{') {
            continue;
        }
        let statement = std::mem::take(&mut pending);
        let w = words(&statement);
        let at = pending_line;
        let err = |m: String| ParseError::at(at, m);
        match w.first().map(String::as_str) {
            Some("table") => {
                let (family, name) = match w.len() {
                    4 => (w[1].clone(), w[2].clone()),
                    3 => ("ip".to_owned(), w[1].clone()),
                    _ => {
                        return Err(err(format!(
                            "`{statement}`: expected `table FAMILY NAME {{`"
                        )));
                    }
                };
                items.push(json!({"table": {"family": family, "name": name}}));
                table = Some((family, name));
            }
            Some("chain") if set.is_none() => {
                let (family, tname) = table
                    .clone()
                    .ok_or_else(|| err("a chain outside a table".into()))?;
                let name = w
                    .get(1)
                    .cloned()
                    .ok_or_else(|| err("a chain without a name".into()))?;
                items.push(json!({"chain": {"family": family, "table": tname, "name": name}}));
                chain = Some(name);
            }
            Some("set" | "map") if chain.is_none() && set.is_none() => {
                let name = w
                    .get(1)
                    .cloned()
                    .ok_or_else(|| err("a set without a name".into()))?;
                set = Some((name, Vec::new(), at));
            }
            Some("}") => {
                if let Some((name, elements, _)) = set.take() {
                    let (family, tname) = table.clone().unwrap_or_default();
                    items.push(json!({"set": {"family": family, "table": tname, "name": name, "elem": elements}}));
                } else if chain.take().is_none() {
                    table = None;
                }
            }
            Some("elements") if set.is_some() => {
                let (_, elements, _) = set.as_mut().expect("checked");
                let start = w.iter().position(|t| t == "{").map_or(w.len(), |p| p + 1);
                elements.extend(list_items(&w[start..]));
            }
            Some("type") if chain.is_some() && w.iter().any(|t| t == "hook") => {
                chain_header(&mut items, &w);
            }
            Some("policy") if chain.is_some() => {
                let last = items.last_mut().and_then(|i| i.get_mut("chain"));
                if let (Some(Value::Object(c)), Some(p)) = (last, w.get(1)) {
                    c.insert("policy".into(), Value::from(p.as_str()));
                }
            }
            Some(_) if set.is_some() => {}
            Some(_) if chain.is_some() => {
                let (family, tname) = table.clone().unwrap_or_default();
                let expr = rule_exprs(&w);
                items.push(json!({"rule": {
                    "family": family, "table": tname, "chain": chain.clone().unwrap_or_default(),
                    "expr": expr, "postura_line": at, "postura_text": statement,
                }}));
            }
            Some(other) => {
                return Err(err(format!(
                    "`{other}` outside a chain: expected `table`, `chain`, `set` or a rule"
                )));
            }
            None => {}
        }
    }
    if table.is_some() {
        return Err(ParseError::whole(
            "the ruleset ends inside a table: a `}` is missing",
        ));
    }
    Ok(json!({ "nftables": items }))
}

/// The elements of `a, b-c, 10.0.0.0/8 }`.
fn list_items(words: &[String]) -> Vec<Value> {
    words
        .iter()
        .take_while(|w| *w != "}")
        .filter(|w| *w != ",")
        .map(|w| value(w))
        .collect()
}

/// One value as `nft -j` writes it.
fn value(word: &str) -> Value {
    if let Ok(n) = word.parse::<u64>() {
        return Value::from(n);
    }
    if let Some((a, b)) = word.split_once('-')
        && let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>())
    {
        return json!({"range": [a, b]});
    }
    if let Some((addr, len)) = word.split_once('/')
        && let Ok(len) = len.parse::<u64>()
        && addr.parse::<std::net::IpAddr>().is_ok()
    {
        return json!({"prefix": {"addr": addr, "len": len}});
    }
    if word.contains(',') {
        return Value::Array(word.split(',').map(value).collect());
    }
    Value::from(word)
}

/// Payload fields that follow a protocol word.
const FIELDS: [&str; 10] = [
    "dport", "sport", "saddr", "daddr", "protocol", "nexthdr", "flags", "version", "type", "length",
];

/// The `expr` array of one rule.
fn rule_exprs(w: &[String]) -> Vec<Value> {
    let mut exprs = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let word = w[i].as_str();
        let next = w.get(i + 1).map(String::as_str).unwrap_or("");
        let left = match word {
            "tcp" | "udp" | "th" | "sctp" | "dccp" | "ip" | "ip6" | "icmp" | "icmpv6"
                if FIELDS.contains(&next) =>
            {
                i += 2;
                json!({"payload": {"protocol": word, "field": next}})
            }
            "meta" if !next.is_empty() && w.get(i + 2).map(String::as_str) != Some("set") => {
                i += 2;
                json!({"meta": {"key": next}})
            }
            "iifname" | "oifname" | "iif" | "oif" | "l4proto" | "nfproto" | "pkttype" => {
                i += 1;
                json!({"meta": {"key": word}})
            }
            "ct" if !next.is_empty() && w.get(i + 2).map(String::as_str) != Some("set") => {
                i += 2;
                json!({"ct": {"key": next}})
            }
            "fib" => {
                // `fib daddr type local`
                i += 4;
                exprs.push(json!({"match": {"op": "==", "left": {"fib": {}}, "right": "local"}}));
                continue;
            }
            "accept" | "drop" | "return" | "continue" | "queue" => {
                exprs.push(json!({ word: null }));
                break;
            }
            "reject" => {
                exprs.push(json!({"reject": null}));
                break;
            }
            "jump" | "goto" => {
                exprs.push(json!({ word: {"target": next} }));
                break;
            }
            "counter" => {
                i += 1;
                if w.get(i).map(String::as_str) == Some("packets") {
                    i += 4;
                }
                continue;
            }
            "log" | "limit" | "comment" | "meta" | "ct" | "notrack" | "mark" => {
                // Statements that do not decide: skip to the next word that starts a match
                // or a verdict.
                i += 1;
                while i < w.len() && !starts_expression(&w[i]) {
                    i += 1;
                }
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        // The right-hand side: an optional operator, then a value, a set or a verdict map.
        let mut op = "==";
        if let Some(o) = w.get(i).map(String::as_str)
            && matches!(o, "==" | "!=" | "<" | ">" | "<=" | ">=")
        {
            op = match o {
                "==" => "==",
                "!=" => "!=",
                "<" => "<",
                ">" => ">",
                "<=" => "<=",
                _ => ">=",
            };
            i += 1;
        }
        match w.get(i).map(String::as_str) {
            Some("vmap") => {
                let end = w[i..]
                    .iter()
                    .position(|t| t == "}")
                    .map_or(w.len(), |p| i + p);
                let inner = &w[(i + 2).min(end)..end];
                let mut elements = Vec::new();
                for element in inner.split(|t| t == ",") {
                    if let [k, colon, v, rest @ ..] = element
                        && colon == ":"
                    {
                        let verdict = match v.as_str() {
                            "jump" | "goto" => {
                                json!({ v.as_str(): {"target": rest.first().cloned().unwrap_or_default()} })
                            }
                            other => json!({ other: null }),
                        };
                        elements.push(json!([value(k), verdict]));
                    }
                }
                exprs.push(json!({"vmap": {"key": left, "data": {"set": elements}}}));
                break;
            }
            Some("{") => {
                let items = list_items(&w[i + 1..]);
                let end = w[i..]
                    .iter()
                    .position(|t| t == "}")
                    .map_or(w.len(), |p| i + p + 1);
                i = end;
                exprs.push(json!({"match": {"op": op, "left": left, "right": {"set": items}}}));
            }
            Some(v) => {
                i += 1;
                exprs.push(json!({"match": {"op": op, "left": left, "right": value(v)}}));
            }
            None => break,
        }
    }
    exprs
}

/// Words that begin a match or a verdict.
fn starts_expression(word: &str) -> bool {
    matches!(
        word,
        "tcp"
            | "udp"
            | "th"
            | "ip"
            | "ip6"
            | "meta"
            | "iifname"
            | "oifname"
            | "iif"
            | "oif"
            | "ct"
            | "fib"
            | "accept"
            | "drop"
            | "reject"
            | "return"
            | "jump"
            | "goto"
            | "counter"
            | "log"
            | "limit"
            | "continue"
            | "queue"
    )
}

/// `type filter hook input priority 0; policy drop;`: the base-chain settings of the chain
/// last opened, as `nft -j` writes them.
fn chain_header(items: &mut [Value], w: &[String]) {
    let value = |key: &str| {
        w.iter()
            .position(|t| t == key)
            .and_then(|p| w.get(p + 1))
            .cloned()
    };
    let priority: Vec<&str> = w
        .iter()
        .skip_while(|t| *t != "priority")
        .skip(1)
        .take_while(|t| *t != ";")
        .map(String::as_str)
        .collect();
    let priority = priority.join(" ");
    let priority = priority
        .parse::<i64>()
        .map_or_else(|_| Value::String(priority.clone()), Value::from);
    let last = items.last_mut().and_then(|i| i.get_mut("chain"));
    if let Some(Value::Object(c)) = last {
        c.insert(
            "type".into(),
            value("type").map_or(Value::Null, Value::from),
        );
        c.insert(
            "hook".into(),
            value("hook").map_or(Value::Null, Value::from),
        );
        c.insert("prio".into(), priority);
        c.insert(
            "policy".into(),
            value("policy").map_or_else(|| Value::from("accept"), Value::from),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_become_the_objects_nft_json_writes() {
        let w = words(
            r#"ip saddr @admin tcp dport { 22, 2222-2230 } counter packets 3 bytes 180 accept comment "ssh""#,
        );
        let exprs = rule_exprs(&w);
        assert_eq!(exprs[0]["match"]["right"], "@admin");
        assert_eq!(
            exprs[1]["match"]["right"]["set"][1]["range"],
            json!([2222, 2230])
        );
        assert_eq!(exprs[2], json!({"accept": null}));
        let vmap = rule_exprs(&words(
            "ct state vmap { invalid : drop, established : accept }",
        ));
        assert_eq!(
            vmap[0]["vmap"]["data"]["set"][1],
            json!(["established", {"accept": null}])
        );
        let neg = rule_exprs(&words(r#"iifname != "lo" tcp dport != 22 drop"#));
        assert_eq!(neg[0]["match"]["op"], "!=");
        assert_eq!(neg[1]["match"]["right"], 22);
    }
}
