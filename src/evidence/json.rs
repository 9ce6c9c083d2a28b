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
