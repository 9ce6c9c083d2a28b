//! Pending security updates from `dnf updateinfo list --security` (dnf 4 on RHEL 8/9, Rocky,
//! Alma, Fedora up to 40), `yum updateinfo list security` (RHEL 7) and dnf 5's table
//! (`dnf updateinfo list --security`, an alias of `dnf advisory list --security`).
//!
//! dnf 4 and yum print `ADVISORY  SEVERITY/Sec.  PACKAGE-VERSION-RELEASE.ARCH` per package
//! (`i ` in front with `--installed`); dnf 5 prints a table `Name Type Severity Package
//! Issued`. Labels and headers are translated, advisory ids and package names are not: a row
//! is found by its shape, a security row by its `/Sec.`-style label or its `security` type.
//! dnf 5's `--json` (`[{"name", "type", "severity", "nevra", "buildtime"}]`) is read too.
//!
//! dnf refreshes its metadata before answering when it is older than `metadata_expire`, and
//! prints `Last metadata expiration check: 0:41:07 ago on Tue 01 Dec 2026 09:33:15 AM UTC.`
//! (when the check is at least a second old). The time after `on` is the newest repository
//! metadata's own time, not the moment of the check, so the lists were at least that fresh:
//! it is taken as the lists' time, in the C, English or German locale.

use super::host;
use crate::evidence::{Format, Input, ParseError, Parsed, json, text};
use crate::facts::{PatchFacts, PendingUpdates};

/// Architectures an RPM package name ends with.
const ARCHES: &[&str] = &[
    "x86_64", "noarch", "aarch64", "i686", "i386", "ppc64le", "s390x", "armv7hl", "src",
];

/// A package `NAME-[EPOCH:]VERSION-RELEASE.ARCH`, split into name and `VERSION-RELEASE`.
fn nevra(package: &str) -> Option<(&str, &str)> {
    let (rest, arch) = package.rsplit_once('.')?;
    if !ARCHES.contains(&arch) {
        return None;
    }
    let (name_version, _release) = rest.rsplit_once('-')?;
    let (name, _version) = name_version.rsplit_once('-')?;
    if name.is_empty() {
        return None;
    }
    Some((name, &rest[name.len() + 1..]))
}

/// One advisory row: advisory id, type or severity label, package.
struct Row<'a> {
    advisory: &'a str,
    security: bool,
    package: (&'a str, &'a str),
}

/// A label that marks a security advisory: dnf 4's `Important/Sec.` (translations keep the
/// slash; other types have none) or dnf 5's `security` type column.
fn is_security_label(label: &str) -> bool {
    label.contains('/') || label.eq_ignore_ascii_case("security")
}

fn row(line: &str) -> Option<Row<'_>> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let words = match words.first() {
        Some(&"i") => &words[1..],
        _ => &words[..],
    };
    match words {
        // dnf 4 / yum: advisory, label, package.
        [advisory, label, package] => Some(Row {
            advisory,
            security: is_security_label(label),
            package: nevra(package)?,
        }),
        // dnf 5: advisory, type, severity (empty for many Fedora advisories), package,
        // issued date and time.
        [advisory, kind, severity @ .., package, date, time]
            if severity.len() <= 1 && date.len() == 10 && time.contains(':') =>
        {
            Some(Row {
                advisory,
                security: kind.eq_ignore_ascii_case("security"),
                package: nevra(package)?,
            })
        }
        _ => None,
    }
}

/// Month names as C, English and German locales abbreviate them.
fn month(word: &str) -> Option<i8> {
    let lower = word.trim_end_matches('.').to_lowercase();
    let names: [&[&str]; 12] = [
        &["jan", "januar", "january"],
        &["feb", "februar", "february"],
        &["mar", "mär", "mrz", "märz", "march"],
        &["apr", "april"],
        &["may", "mai"],
        &["jun", "juni", "june"],
        &["jul", "juli", "july"],
        &["aug", "august"],
        &["sep", "sept", "september"],
        &["oct", "okt", "oktober", "october"],
        &["nov", "november"],
        &["dec", "dez", "dezember", "december"],
    ];
    names
        .iter()
        .position(|n| n.contains(&lower.as_str()))
        .and_then(|i| i8::try_from(i + 1).ok())
}

/// The time a `%c`-formatted date names (`Tue Dec  1 09:33:15 2026`, `Tue 01 Dec 2026
/// 09:33:15 AM UTC`, `Di 01 Dez 2026 09:33:15 CET`): day, month name, year and the last
/// `H:M:S` of the text, read in `tz` unless the text names UTC or central European time.
fn locale_time(text: &str, tz: &jiff::tz::TimeZone) -> Option<jiff::Timestamp> {
    let (mut day, mut month_number, mut year, mut time, mut pm) = (None, None, None, None, None);
    let mut after_time = false;
    for word in text
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', '.']))
    {
        let follows_time = std::mem::take(&mut after_time);
        if let Some(m) = month(word) {
            month_number = Some(m);
        } else if word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()) {
            year = word.parse::<i16>().ok();
        } else if word.len() <= 2 && word.bytes().all(|b| b.is_ascii_digit()) {
            day = word.parse::<i8>().ok();
        } else if word.matches(':').count() == 2 {
            time = jiff::civil::Time::strptime("%H:%M:%S", word).ok();
            pm = None;
            after_time = true;
        } else if follows_time
            && (word.eq_ignore_ascii_case("am") || word.eq_ignore_ascii_case("pm"))
        {
            // Only right after the time: German `am` ("on") comes before the date.
            pm = Some(word.eq_ignore_ascii_case("pm"));
        }
    }
    let mut time = time?;
    match (pm, time.hour()) {
        (Some(true), h) if h < 12 => time = time.with().hour(h + 12).build().ok()?,
        (Some(false), 12) => time = time.with().hour(0).build().ok()?,
        _ => {}
    }
    let date = jiff::civil::Date::new(year?, month_number?, day?).ok()?;
    // The zone abbreviation where it is unambiguous; else the evidence zone.
    let named = text
        .split_whitespace()
        .find_map(|w| match w.trim_end_matches('.') {
            "UTC" | "GMT" => Some(0),
            "CET" | "MEZ" => Some(1),
            "CEST" | "MESZ" => Some(2),
            _ => None,
        });
    let zone = match named {
        Some(hours) => &jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(hours)),
        None => tz,
    };
    zone.to_timestamp(date.to_datetime(time)).ok()
}

/// `dnf updateinfo list --security`, `yum updateinfo list security`.
pub struct UpdateinfoSecurity;

impl Format for UpdateinfoSecurity {
    fn name(&self) -> &'static str {
        "dnf-updateinfo"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        if json::looks_like_json(input.head) {
            return input.head.contains("\"nevra\"") && input.head.contains("\"type\"");
        }
        let mut metadata_line = false;
        for line in input
            .head
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take(20)
        {
            if let Some(row) = row(line) {
                return row.advisory.contains('-');
            }
            // `Last metadata expiration check: ...`, translated (`Metadaten`, `metadati`).
            metadata_line |= line.contains("etadat")
                && line
                    .split_once(':')
                    .is_some_and(|(_, rest)| locale_time(rest, &jiff::tz::TimeZone::UTC).is_some());
        }
        // Nothing pending: dnf prints only when it checked the metadata.
        metadata_line
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let mut pending = PendingUpdates {
            security_only: true,
            ..PendingUpdates::default()
        };
        if json::looks_like_json(input.head) {
            let (document, text) = json::read_document(input.path)?;
            let mut lines = json::LineFinder::new(&text);
            let items = document.as_array().ok_or_else(|| {
                ParseError::whole("expected an array of advisories (dnf5 --json)")
            })?;
            for item in items {
                let package = json::string(item, "nevra").unwrap_or_default();
                let line = lines.next(package);
                let (name, version) = nevra(package).ok_or_else(|| {
                    ParseError::at(
                        line,
                        format!("expected a package NAME-VERSION-RELEASE.ARCH, found `{package}`"),
                    )
                })?;
                if json::string(item, "type").is_some_and(|t| t.eq_ignore_ascii_case("security")) {
                    pending.add(name, version, true);
                    pending.add_advisory(json::string(item, "name").unwrap_or_default());
                }
            }
            return Ok(host(PatchFacts {
                pending: Some(pending),
                sources: vec![input.source(0)],
                ..PatchFacts::default()
            }));
        }
        let text = text::read_text(input.path)?;
        let mut checked: Option<jiff::Timestamp> = None;
        let mut rows = 0u64;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(row) = row(line) {
                rows += 1;
                if row.security {
                    pending.add(row.package.0, row.package.1, true);
                    pending.add_advisory(row.advisory);
                }
            } else if rows == 0
                && let Some(at) = line
                    .split_once(':')
                    .and_then(|(_, rest)| locale_time(rest, input.tz))
            {
                // The metadata check, before the rows (translated, so known by its shape).
                checked = checked.max(Some(at));
            }
        }
        Ok(host(PatchFacts {
            pending: Some(pending),
            lists_updated_at: checked,
            sources: vec![input.source(0)],
            ..PatchFacts::default()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_and_rows() {
        assert_eq!(
            nevra("kernel-core-4.18.0-553.5.1.el8_10.x86_64"),
            Some(("kernel-core", "4.18.0-553.5.1.el8_10"))
        );
        assert_eq!(
            nevra("openssl-libs-1:3.2.2-3.fc40.x86_64"),
            Some(("openssl-libs", "1:3.2.2-3.fc40"))
        );
        assert_eq!(nevra("Moderate/Sec."), None);
        let dnf4 = row("RHSA-2024:3501 Important/Sec.  kernel-4.18.0-553.5.1.el8_10.x86_64");
        assert!(dnf4.is_some_and(|r| r.security && r.advisory == "RHSA-2024:3501"));
        let bugfix = row("RHBA-2024:3502 bugfix  tzdata-2024a-1.el8.noarch");
        assert!(bugfix.is_some_and(|r| !r.security));
        let dnf5 = row(
            "FEDORA-2024-5e4f6d2f1b security Moderate  openssl-libs-1:3.2.2-3.fc40.x86_64 2024-07-26 01:12:51",
        );
        assert!(dnf5.is_some_and(|r| r.security && r.package.0 == "openssl-libs"));
        assert!(row("Name Type Severity Package Issued").is_none());
        assert!(row("Loaded plugins: langpacks, product-id").is_none());
    }

    #[test]
    fn metadata_check_times_in_three_locales() {
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let at = |t: &str| locale_time(t, &berlin).map(|t| t.to_string());
        let utc = |t: &str| locale_time(t, &jiff::tz::TimeZone::UTC).map(|t| t.to_string());
        // The named zone wins over the evidence zone.
        assert_eq!(
            utc(" vor 0:41:07 am Di 01 Dez 2026 09:33:15 CET."),
            Some("2026-12-01T08:33:15Z".into())
        );
        assert_eq!(
            at(" 0:41:07 ago on Tue 01 Dec 2026 09:33:15 AM UTC."),
            Some("2026-12-01T09:33:15Z".into())
        );
        assert_eq!(
            at(" 0:41:07 ago on Tue 01 Dec 2026 01:33:15 PM UTC."),
            Some("2026-12-01T13:33:15Z".into())
        );
        assert_eq!(
            at(" 0:02:11 ago on Tue Dec  1 09:33:15 2026."),
            Some("2026-12-01T08:33:15Z".into())
        );
        assert_eq!(
            at(" vor 0:41:07 am Di 01 Dez 2026 09:33:15 CET."),
            Some("2026-12-01T08:33:15Z".into())
        );
        assert_eq!(
            at(" vor 0:41:07 am Di 01 Dez 2026 12:33:15 CET."),
            Some("2026-12-01T11:33:15Z".into())
        );
        assert_eq!(at(" 0:41:07 ago"), None);
    }
}
