//! Helpers for JSON exports whose key case depends on the tool (Graph REST is camelCase,
//! Graph PowerShell's `ConvertTo-Json` PascalCase) and whose users sit in pages.

use serde_json::Value;

/// Whether a head starts like a JSON document (object or array).
pub fn looks_like_json(head: &str) -> bool {
    let head = head.trim_start();
    head.starts_with('{') || head.starts_with('[')
}

/// A whole JSON file: the parsed document and its text (for [`LineFinder`]).
pub fn read_document(path: &std::path::Path) -> Result<(Value, String), super::ParseError> {
    let text = super::text::read_utf8(path)?;
    let document = serde_json::from_str(&text).map_err(|e| super::ParseError::json(&e))?;
    Ok((document, text))
}

/// The value of `key` in an object, compared case-insensitively.
pub fn get<'v>(object: &'v Value, key: &str) -> Option<&'v Value> {
    object
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The string member `key` every record must have, and the line it is on; an error naming
/// the line of the record that lacks it.
pub fn required<'v>(
    record: &'v Value,
    key: &str,
    lines: &mut LineFinder<'_>,
) -> Result<(&'v str, u64), super::ParseError> {
    match string(record, key) {
        Some(value) => Ok((value, lines.next(value))),
        None => Err(super::ParseError::at(
            lines.next(key),
            format!("a record without `{key}`"),
        )),
    }
}

/// A string member, trimmed; `None` when absent, null or empty.
pub fn string<'v>(object: &'v Value, key: &str) -> Option<&'v str> {
    get(object, key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A boolean member; also `"true"`/`"false"` strings.
pub fn boolean(object: &Value, key: &str) -> Option<bool> {
    match get(object, key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => super::text::parse_bool(s),
        _ => None,
    }
}

/// The records of an export: an array of records, a page `{ "<list_key>": [...] }`, or an
/// array of such pages (several pages saved into one file).
pub fn records<'v>(document: &'v Value, list_keys: &[&str]) -> Vec<&'v Value> {
    let from_page = |page: &'v Value| -> Option<Vec<&'v Value>> {
        list_keys
            .iter()
            .find_map(|k| get(page, k).and_then(Value::as_array))
            .map(|list| list.iter().collect())
    };
    match document {
        Value::Array(items) => {
            if items.iter().all(|i| from_page(i).is_some()) && !items.is_empty() {
                items.iter().filter_map(from_page).flatten().collect()
            } else {
                items.iter().collect()
            }
        }
        other => from_page(other).unwrap_or_default(),
    }
}

/// Line numbers of records: the line where each record's `needle` value first appears after
/// the previous one. Records keep their order, so one forward scan finds them all.
pub struct LineFinder<'t> {
    text: &'t str,
    offset: usize,
    line: u64,
}

impl<'t> LineFinder<'t> {
    /// Starts at the top of `text`.
    pub fn new(text: &'t str) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of the next occurrence of `"value"`; 0 when not found.
    pub fn next(&mut self, value: &str) -> u64 {
        let quoted = serde_json::to_string(value).unwrap_or_default();
        match self.text[self.offset..].find(&quoted) {
            Some(at) => {
                let end = self.offset + at;
                self.line += u64::try_from(
                    self.text.as_bytes()[self.offset..end]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count(),
                )
                .unwrap_or(0);
                self.offset = end;
                self.line
            }
            None => 0,
        }
    }
}

/// The most common domain of e-mail-like names (the tenant or customer domain).
pub fn main_domain<'a>(names: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for name in names {
        // Guests in Entra look like `jane_partner.de#EXT#@contoso.onmicrosoft.com`.
        if name.contains("#EXT#") {
            continue;
        }
        if let Some((_, domain)) = name.rsplit_once('@') {
            *counts.entry(domain.to_ascii_lowercase()).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(d, c)| (*c, std::cmp::Reverse(d.clone())))
        .map(|(d, _)| d)
}

/// A JSON value that borrows its keys and strings from the document text and keeps objects as
/// lists of members. Reading a large export (an 18 MB `nft -j` ruleset) into it allocates a
/// small fraction of what [`Value`] does, which allocates a `String` per key and string and a
/// map per object, and it is as quick to drop.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer.
    Unsigned(u64),
    /// A negative integer.
    Signed(i64),
    /// Any other number.
    Float(f64),
    /// A string; borrowed unless it had escapes.
    Str(std::borrow::Cow<'a, str>),
    /// An array.
    Array(Vec<Node<'a>>),
    /// An object's members in document order.
    Object(Vec<(std::borrow::Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// Parses a whole document.
    pub fn parse(text: &'a str) -> Result<Self, super::ParseError> {
        serde_json::from_str(text).map_err(|e| super::ParseError::json(&e))
    }

    /// An owned copy of a [`Value`] (for documents built in memory).
    pub fn from_value(value: &Value) -> Node<'static> {
        use std::borrow::Cow;
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Node::Unsigned(u),
                (None, Some(i)) => Node::Signed(i),
                _ => Node::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Node::Str(Cow::Owned(s.clone())),
            Value::Array(items) => Node::Array(items.iter().map(Node::from_value).collect()),
            Value::Object(members) => Node::Object(
                members
                    .iter()
                    .map(|(k, v)| (Cow::Owned(k.clone()), Node::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// The member `key` of an object (the first, as serde_json keeps the last of duplicates
    /// only in maps, which exports do not have).
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Self::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The element at `index` of an array.
    pub fn at(&self, index: usize) -> Option<&Node<'a>> {
        self.as_array()?.get(index)
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Unsigned(n) => Some(*n),
            _ => None,
        }
    }

    /// An integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Unsigned(n) => i64::try_from(*n).ok(),
            Self::Signed(n) => Some(*n),
            _ => None,
        }
    }

    /// The elements of an array.
    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members of an object.
    pub fn as_object(&self) -> Option<&[(std::borrow::Cow<'a, str>, Node<'a>)]> {
        match self {
            Self::Object(members) => Some(members),
            _ => None,
        }
    }
}

/// A string that stays borrowed from the document where it can.
struct BorrowedStr<'a>(std::borrow::Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for BorrowedStr<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = BorrowedStr<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(BorrowedStr(std::borrow::Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

impl<'de> serde::Deserialize<'de> for Node<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Node<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                serde::Deserialize::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Node::Bool(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Node::Unsigned(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(if v >= 0 {
                    Node::Unsigned(v.unsigned_abs())
                } else {
                    Node::Signed(v)
                })
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Node::Float(v))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Node::Str(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Node::Str(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Node::Str(std::borrow::Cow::Owned(v)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Array(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((BorrowedStr(key), value)) = map.next_entry()? {
                    members.push((key, value));
                }
                Ok(Node::Object(members))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::Node;

    #[test]
    fn node_borrows_plain_strings_and_owns_escaped_ones() {
        let text = r#"{"name": "input", "comment": "a \"quoted\" word", "prio": -150,
                       "handle": 7, "rate": 2.5, "flags": [true, null]}"#;
        let node = Node::parse(text).unwrap();
        assert!(matches!(
            node.get("name"),
            Some(Node::Str(Cow::Borrowed("input")))
        ));
        assert_eq!(
            node.get("comment").and_then(Node::as_str),
            Some(r#"a "quoted" word"#)
        );
        assert!(matches!(
            node.get("comment"),
            Some(Node::Str(Cow::Owned(_)))
        ));
        assert_eq!(node.get("prio").and_then(Node::as_i64), Some(-150));
        assert_eq!(node.get("prio").and_then(Node::as_u64), None);
        assert_eq!(node.get("handle").and_then(Node::as_u64), Some(7));
        assert_eq!(node.get("rate"), Some(&Node::Float(2.5)));
        let flags = node.get("flags").unwrap();
        assert_eq!(flags.at(0), Some(&Node::Bool(true)));
        assert_eq!(flags.at(1), Some(&Node::Null));
        assert_eq!(node.get("missing"), None);
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        // serde_json sorts members; the values are the same.
        let copy = Node::from_value(&value);
        for (key, member) in node.as_object().unwrap() {
            assert_eq!(copy.get(key), Some(member), "{key}");
        }
    }

    #[test]
    fn node_reports_the_line_of_broken_json() {
        let err = Node::parse("{\n\"a\": [1,\n 2,,\n]}").unwrap_err();
        assert_eq!(err.line, Some(3), "{}", err.message);
    }
}
