//! Installed Windows updates and the Windows release: `Get-HotFix | ConvertTo-Json` and
//! `systeminfo`.
//!
//! `Get-HotFix` (Win32_QuickFixEngineering) gives each update's `HotFixID` and `InstalledOn`,
//! which real exports write in many ways: Windows PowerShell 5.1 wraps dates as
//! `{"value": "/Date(1652054400000)/", "DateTime": "..."}`, PowerShell 7 writes ISO 8601, a
//! `Select-Object` with a string property writes the display locale (`09.05.2022` in de-DE,
//! `5/9/2022` in en-US, `09/05/2022` in en-GB), and old WMI providers leave the raw value (a
//! hexadecimal FILETIME, or `yyyyMMdd`) or nothing. Slashed dates are read day-first when any
//! date of the file has a first number above 12, month-first otherwise (en-US, the default).
//!
//! `systeminfo` is translated, labels and all, so its fields are found by position and shape:
//! the value column is where the first line's value starts, the OS name is the second field
//! and its version the third; installed updates are the `[01]: KB5012170` lines. It gives no
//! install dates. Both the default list and `systeminfo /fo csv` are read.

use serde_json::Value;

use super::{host, line_number};
use crate::evidence::{Format, HostEvidence, Input, ParseError, Parsed, json, text};
use crate::facts::PatchFacts;

/// Installed updates named in the facts, at most.
const HOTFIXES_NAMED: usize = 200;

/// An `InstalledOn` value, read.
enum InstalledOn {
    At(jiff::Timestamp),
    /// `dd/MM/yyyy` or `MM/dd/yyyy`, decided once the whole file is read.
    Slashed(u8, u8, jiff::civil::DateTime),
    Unknown,
}

/// A .NET `/Date(1652054400000)/` or `/Date(1652054400000+0200)/` (the offset only says which
/// zone the value was in: the milliseconds are UTC).
fn dotnet_date(value: &str) -> Option<jiff::Timestamp> {
    let inner = value.strip_prefix("/Date(")?.strip_suffix(")/")?;
    // A sign after the first character starts the offset; the first may be a minus.
    let end = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, '+' | '-'))
        .map_or(inner.len(), |(i, _)| i);
    jiff::Timestamp::from_millisecond(inner.get(..end)?.parse().ok()?).ok()
}

/// A raw Win32_QuickFixEngineering `InstalledOn`: a FILETIME in hexadecimal (100 ns since
/// 1601) as some providers leave it.
fn filetime(value: &str) -> Option<jiff::Timestamp> {
    if value.len() != 16 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let ticks = i64::from_str_radix(value, 16).ok()?;
    const UNIX_EPOCH_IN_FILETIME_SECONDS: i64 = 11_644_473_600;
    jiff::Timestamp::from_second(ticks / 10_000_000 - UNIX_EPOCH_IN_FILETIME_SECONDS).ok()
}

/// `M/d/yyyy[ h:mm:ss AM]` or `dd/MM/yyyy[ HH:mm:ss]`: both numbers and the rest.
fn slashed(value: &str) -> Option<(u8, u8, jiff::civil::DateTime)> {
    let (date, time) = value.split_once(' ').unwrap_or((value, ""));
    let mut parts = date.split('/');
    let first: u8 = parts.next()?.parse().ok()?;
    let second: u8 = parts.next()?.parse().ok()?;
    let year: i16 = parts.next()?.parse().ok()?;
    let time = match time.trim() {
        "" => jiff::civil::Time::midnight(),
        t => jiff::civil::Time::strptime("%I:%M:%S %p", t)
            .or_else(|_| jiff::civil::Time::strptime("%H:%M:%S", t))
            .or_else(|_| jiff::civil::Time::strptime("%H:%M", t))
            .ok()?,
    };
    // The date itself is set once the order is known.
    let placeholder = jiff::civil::Date::new(year, 1, 1).ok()?;
    Some((first, second, placeholder.to_datetime(time)))
}

fn installed_on(value: Option<&Value>, tz: &jiff::tz::TimeZone) -> Result<InstalledOn, String> {
    let text = match value {
        None | Some(Value::Null) => return Ok(InstalledOn::Unknown),
        // Windows PowerShell 5.1: `{"value": "/Date(...)/", "DateTime": "Monday, May 9, ..."}`.
        Some(Value::Object(wrapper)) => match wrapper.get("value") {
            Some(Value::String(s)) => s.as_str(),
            Some(Value::Null) | None => return Ok(InstalledOn::Unknown),
            Some(other) => return Err(format!("`{other}` is not a date")),
        },
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(format!("`{other}` is not a date")),
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(InstalledOn::Unknown);
    }
    if let Some(at) = dotnet_date(text).or_else(|| filetime(text)) {
        return Ok(InstalledOn::At(at));
    }
    if text.len() == 8
        && text.bytes().all(|b| b.is_ascii_digit())
        && let Ok(date) = jiff::civil::Date::strptime("%Y%m%d", text)
    {
        return tz
            .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
            .map(InstalledOn::At)
            .map_err(|e| e.to_string());
    }
    if let Some((first, second, rest)) = slashed(text) {
        return Ok(InstalledOn::Slashed(first, second, rest));
    }
    match text::parse_time(text, tz) {
        Ok(Some(at)) => Ok(InstalledOn::At(at)),
        Ok(None) => Ok(InstalledOn::Unknown),
        Err(_) => Err(format!(
            "`{text}` is not a date: expected /Date(ms)/, ISO 8601, dd.MM.yyyy or M/d/yyyy"
        )),
    }
}

/// `Get-HotFix | ConvertTo-Json`.
pub struct GetHotFixJson;

impl Format for GetHotFixJson {
    fn name(&self) -> &'static str {
        "get-hotfix-json"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        json::looks_like_json(input.head) && input.head.contains("\"HotFixID\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let (document, text) = json::read_document(input.path)?;
        let records: Vec<&Value> = match &document {
            Value::Array(items) => items.iter().collect(),
            // `ConvertTo-Json` of an array held in a property: `{"value": [...], "Count": n}`.
            Value::Object(o) if o.get("value").is_some_and(Value::is_array) => o["value"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            one => vec![one],
        };
        let mut lines = json::LineFinder::new(&text);
        let mut read: Vec<(String, InstalledOn)> = Vec::new();
        for record in &records {
            let id = json::string(record, "HotFixID").ok_or_else(|| {
                ParseError::at(lines.next("HotFixID"), "an update without `HotFixID`")
            })?;
            let line = lines.next(id);
            let when = installed_on(json::get(record, "InstalledOn"), input.tz)
                .map_err(|e| ParseError::at(line, format!("`InstalledOn` of {id}: {e}")))?;
            read.push((crate::facts::escape_controls(id.trim()), when));
        }
        let day_first = read
            .iter()
            .any(|(_, w)| matches!(w, InstalledOn::Slashed(first, _, _) if *first > 12));
        let mut patching = PatchFacts {
            sources: vec![input.source(0)],
            ..PatchFacts::default()
        };
        for (id, when) in read {
            let at = match when {
                InstalledOn::At(at) => Some(at),
                InstalledOn::Slashed(first, second, rest) => {
                    let (day, month) = if day_first {
                        (first, second)
                    } else {
                        (second, first)
                    };
                    let date = i8::try_from(month)
                        .ok()
                        .zip(i8::try_from(day).ok())
                        .and_then(|(m, d)| jiff::civil::Date::new(rest.year(), m, d).ok())
                        .ok_or_else(|| {
                            ParseError::whole(format!(
                                "`InstalledOn` of {id}: {first}/{second}/{} is not a date",
                                rest.year()
                            ))
                        })?;
                    input.tz.to_timestamp(date.to_datetime(rest.time())).ok()
                }
                InstalledOn::Unknown => None,
            };
            if at.is_some() && at > patching.last_update_at {
                patching.last_update_at = at;
                patching.last_update = Some(id.clone());
            }
            if patching.hotfixes.len() < HOTFIXES_NAMED && !patching.hotfixes.contains(&id) {
                patching.hotfixes.push(id);
            }
        }
        patching.hotfixes_undated = patching.last_update_at.is_none() && !records.is_empty();
        let count = u64::try_from(records.len()).unwrap_or(u64::MAX);
        Ok((host(patching).0, count))
    }
}

/// The fields of a `systeminfo` list, by position: value and continuation lines, with the
/// line each starts on.
fn systeminfo_list(text: &str) -> Option<Vec<(usize, String, Vec<String>)>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (first_index, first) = lines.next()?;
    // `Host Name:                 WIN-SRV01`: the value column, in characters.
    let colon = first.chars().position(|c| c == ':')?;
    let column = colon
        + 1
        + first
            .chars()
            .skip(colon + 1)
            .take_while(|c| *c == ' ')
            .count();
    if column < colon + 3 || first.chars().count() <= column {
        return None;
    }
    let value_of = |line: &str| {
        line.chars()
            .skip(column)
            .collect::<String>()
            .trim()
            .to_owned()
    };
    let mut fields = vec![(first_index, value_of(first), Vec::new())];
    for (index, line) in lines {
        if line.starts_with([' ', '\t']) {
            fields.last_mut()?.2.push(line.trim().to_owned());
        } else {
            fields.push((index, value_of(line), Vec::new()));
        }
    }
    Some(fields)
}

/// The fields of `systeminfo /fo csv`: a header row and one row of values; lists inside a
/// value are comma-separated (`3 Hotfix(s) Installed.,[01]: KB5012170,...`).
fn systeminfo_csv(text: &str) -> Option<Vec<(usize, String, Vec<String>)>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.trim_start().as_bytes());
    let row = reader.records().next()?.ok()?;
    Some(
        row.iter()
            .map(|value| {
                let mut parts = value.split(',').map(|p| p.trim().to_owned());
                let head = parts.next().unwrap_or_default();
                // The values are on the second line.
                (1, head, parts.collect())
            })
            .collect(),
    )
}

/// `[01]: KB5012170` (list) or `[01]: KB5012170` (CSV part): the update.
fn hotfix_entry(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let (number, id) = rest.split_once("]:")?;
    number
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| id.trim())
        .filter(|id| !id.is_empty())
}

fn is_kb(id: &str) -> bool {
    id.strip_prefix("KB")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The OS version field: `10.0.17763 N/A Build 17763` in any language.
fn is_os_version(value: &str) -> bool {
    let first = value.split_whitespace().next().unwrap_or_default();
    first.split('.').count() == 3 && first.split('.').all(|p| p.parse::<u32>().is_ok())
}

/// `systeminfo`, as a list or `/fo csv`, in any display language.
pub struct SystemInfo;

impl SystemInfo {
    fn fields(text: &str) -> Option<Vec<(usize, String, Vec<String>)>> {
        let fields = if text.trim_start().starts_with('"') {
            systeminfo_csv(text)?
        } else {
            systeminfo_list(text)?
        };
        let shaped = fields.len() > 3
            && fields[1].1.starts_with("Microsoft")
            && fields[1].1.contains("Windows")
            && is_os_version(&fields[2].1);
        shaped.then_some(fields)
    }
}

impl Format for SystemInfo {
    fn name(&self) -> &'static str {
        "systeminfo"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        Self::fields(input.head).is_some()
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = text::read_text(input.path)?;
        let fields = Self::fields(&text).ok_or_else(|| {
            ParseError::whole(
                "expected systeminfo: host name, then `Microsoft Windows ...`, then a version `10.0.17763 ...`",
            )
        })?;
        let (name_line, os_name, _) = &fields[1];
        let name_line = *name_line;
        let os_version = &fields[2].1;
        // The update list: the field whose entries are `KB` numbers (processors and network
        // cards have entries too).
        let hotfixes: Vec<String> = fields
            .iter()
            .map(|(_, _, entries)| {
                entries
                    .iter()
                    .filter_map(|e| hotfix_entry(e))
                    .collect::<Vec<_>>()
            })
            .find(|entries| entries.iter().any(|id| is_kb(id)))
            .unwrap_or_default()
            .into_iter()
            .take(HOTFIXES_NAMED)
            .map(crate::facts::escape_controls)
            .collect();
        let seen = crate::lifecycle::from_windows(os_name, os_version).unwrap_or(
            // A release without data: listed by its name, not judged.
            crate::lifecycle::Seen {
                kind: "os",
                product: "windows".into(),
                version: os_version
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .into(),
                basis: "evidence",
            },
        );
        let lifecycle = vec![crate::lifecycle::fact_named(
            &seen,
            input.rel,
            Some(os_name),
        )];
        let patching = PatchFacts {
            hotfixes_undated: !hotfixes.is_empty(),
            hotfixes,
            sources: vec![input.source(line_number(name_line))],
            ..PatchFacts::default()
        };
        Ok((
            Parsed::Host(Box::new(HostEvidence {
                lifecycle,
                patching: Some(patching),
                ..HostEvidence::default()
            })),
            1,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_on_as_exports_write_it() {
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let at = |v: Value| match installed_on(Some(&v), &berlin) {
            Ok(InstalledOn::At(t)) => Some(t.to_string()),
            _ => None,
        };
        assert_eq!(
            at(
                serde_json::json!({"value": "/Date(1652047200000)/", "DateTime": "Montag, 9. Mai 2022 00:00:00"})
            ),
            Some("2022-05-08T22:00:00Z".into())
        );
        assert_eq!(
            at(Value::String("/Date(1652047200000+0200)/".into())),
            Some("2022-05-08T22:00:00Z".into())
        );
        assert_eq!(
            at(Value::String("2022-05-09T00:00:00".into())),
            Some("2022-05-08T22:00:00Z".into())
        );
        assert_eq!(
            at(Value::String("09.05.2022".into())),
            Some("2022-05-08T22:00:00Z".into())
        );
        assert_eq!(
            at(Value::String("09.05.2022 00:00:00".into())),
            Some("2022-05-08T22:00:00Z".into())
        );
        assert_eq!(
            at(Value::String("20220509".into())),
            Some("2022-05-08T22:00:00Z".into())
        );
        assert_eq!(
            at(Value::String("01d86337b9dc4000".into())).map(|t| t[..10].to_owned()),
            Some("2022-05-09".into())
        );
        assert!(matches!(
            installed_on(None, &berlin),
            Ok(InstalledOn::Unknown)
        ));
        assert!(matches!(
            installed_on(Some(&Value::String("5/9/2022 12:00:00 AM".into())), &berlin),
            Ok(InstalledOn::Slashed(5, 9, _))
        ));
        assert!(installed_on(Some(&Value::String("gestern".into())), &berlin).is_err());
    }

    #[test]
    fn systeminfo_entries() {
        assert_eq!(hotfix_entry("[01]: KB5012170"), Some("KB5012170"));
        assert_eq!(hotfix_entry("[02]: File 1"), Some("File 1"));
        assert_eq!(hotfix_entry("IP address(es)"), None);
        assert!(is_kb("KB5012170") && !is_kb("KB") && !is_kb("File 1"));
        assert!(is_os_version("10.0.17763 Nicht zutreffend Build 17763"));
        assert!(!is_os_version("Microsoft Corporation"));
    }
}
