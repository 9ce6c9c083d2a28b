//! Text as real exports write it: byte-order marks, UTF-16 from Windows PowerShell,
//! Windows-1252 from German Excel, `;`-separated CSV, CRLF, `dd.MM.yyyy` dates, `N/A`.

use std::io::Read;
use std::path::Path;

use super::ParseError;

/// Bytes read to recognise a file's format.
pub const HEAD_BYTES: usize = 64 * 1024;

/// Windows-1252 characters for 0x80–0x9F (the rest of the upper half is Latin-1).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Decodes bytes to text: UTF-8 (BOM dropped), UTF-16 with a BOM, else Windows-1252.
pub fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    let utf16 = |rest: &[u8], little: bool| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return utf16(rest, false);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        // A head cut in the middle of a UTF-8 sequence is still UTF-8.
        Err(e) if e.error_len().is_none() => String::from_utf8_lossy(bytes).into_owned(),
        Err(_) => bytes
            .iter()
            .map(|&b| match b {
                0x80..=0x9f => CP1252_HIGH[usize::from(b - 0x80)],
                _ => char::from(b),
            })
            .collect(),
    }
}

/// The first [`HEAD_BYTES`] of a file, decoded.
pub fn read_head(path: &Path) -> std::io::Result<String> {
    let mut bytes = Vec::with_capacity(4096);
    std::fs::File::open(path)?
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut bytes)?;
    Ok(decode(&bytes))
}

/// A whole file as UTF-8 bytes: already-UTF-8 files are returned as read (BOM dropped),
/// others are decoded first.
pub fn read_utf8(path: &Path) -> Result<Vec<u8>, ParseError> {
    let bytes = std::fs::read(path).map_err(|e| ParseError::whole(e.to_string()))?;
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return Ok(rest.to_vec());
    }
    if bytes.starts_with(&[0xff, 0xfe])
        || bytes.starts_with(&[0xfe, 0xff])
        || std::str::from_utf8(&bytes).is_err()
    {
        return Ok(decode(&bytes).into_bytes());
    }
    Ok(bytes)
}

/// A whole file as text (see [`decode`]).
pub fn read_text(path: &Path) -> Result<String, ParseError> {
    let bytes = std::fs::read(path).map_err(|e| ParseError::whole(e.to_string()))?;
    Ok(decode(&bytes))
}

/// The header line of a CSV head: the first line that is not a PowerShell `#TYPE` comment.
pub fn csv_header(head: &str) -> &str {
    head.lines()
        .find(|l| !l.starts_with('#'))
        .unwrap_or("")
        .trim_end_matches('\r')
}

/// The CSV delimiter of a header line: `;` (German Excel, `Export-Csv -UseCulture`), tab or
/// `,`, whichever occurs most outside quotes.
pub fn csv_delimiter(header: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Header fields of a CSV line, unquoted and lower-cased.
pub fn csv_header_fields(header: &str) -> Vec<String> {
    let delimiter = char::from(csv_delimiter(header));
    header
        .split(delimiter)
        .map(|f| f.trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect()
}

/// A CSV reader over UTF-8 bytes with the delimiter of its first line. PowerShell 5 writes a
/// `#TYPE ...` line before the header; it is skipped, and line numbers stay true.
pub fn csv_reader(bytes: &[u8]) -> (csv::Reader<&[u8]>, u64) {
    let mut skipped = 0;
    let mut data = bytes;
    while data.starts_with(b"#") {
        match data.iter().position(|&b| b == b'\n') {
            Some(end) => {
                data = &data[end + 1..];
                skipped += 1;
            }
            None => break,
        }
    }
    let header_end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let header = String::from_utf8_lossy(&data[..header_end]);
    let reader = csv::ReaderBuilder::new()
        .delimiter(csv_delimiter(&header))
        .flexible(true)
        .from_reader(data);
    (reader, skipped)
}

/// Reads the next non-blank record; returns its 1-based line (counting skipped `#` lines),
/// `None` at the end, or an error naming the line.
pub fn next_record(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::ByteRecord,
    skipped: u64,
) -> Result<Option<u64>, ParseError> {
    loop {
        match reader.read_byte_record(record) {
            Ok(false) => return Ok(None),
            Ok(true) if record.iter().all(<[u8]>::is_empty) => {}
            Ok(true) => return Ok(Some(record.position().map_or(0, |p| p.line()) + skipped)),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line()) + skipped;
                return Err(ParseError::at(line, format!("not valid CSV: {e}")));
            }
        }
    }
}

/// The column index of each wanted header name (case-insensitive), `None` when absent.
pub fn columns(headers: &csv::ByteRecord, wanted: &[&str]) -> Vec<Option<usize>> {
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase())
        .collect();
    wanted
        .iter()
        .map(|w| names.iter().position(|n| n == &w.to_ascii_lowercase()))
        .collect()
}

/// A field of a record as trimmed text; empty when the column is absent.
pub fn field(record: &csv::ByteRecord, column: Option<usize>) -> &str {
    column
        .and_then(|c| record.get(c))
        .and_then(|b| std::str::from_utf8(b).ok())
        .map_or("", str::trim)
}

/// Values exports write for "nothing here".
pub fn is_empty_value(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || v.eq_ignore_ascii_case("n/a")
        || v.eq_ignore_ascii_case("no_information")
        || v.eq_ignore_ascii_case("not_supported")
        || v.eq_ignore_ascii_case("null")
        || v == "-"
}

/// `true`/`false` as exports write them (`TRUE`, `True`, `Wahr`, `yes`, `1`).
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "wahr" | "yes" | "ja" | "1" => Some(true),
        "false" | "falsch" | "no" | "nein" | "0" => Some(false),
        _ => None,
    }
}

/// A point in time from an export, as RFC 3339 UTC. Accepts RFC 3339 / ISO 8601 with an
/// offset, `dd.MM.yyyy[ HH:mm[:ss]]` (German locale), `M/d/yyyy h:mm:ss AM` (US locale) and
/// `yyyy-MM-dd[ HH:mm:ss]`; times without a zone are read as UTC. Empty values, `N/A` and the
/// Unix epoch (Google's "never signed in") are `None`. `Err` when the value is not a time.
pub fn parse_time(value: &str) -> Result<Option<String>, String> {
    let v = value.trim();
    if is_empty_value(v) {
        return Ok(None);
    }
    if is_plain_rfc3339(v) {
        return Ok(Some(v.to_owned()));
    }
    let to_string = |ts: jiff::Timestamp| {
        if ts.as_second() <= 0 {
            None
        } else {
            Some(ts.to_string())
        }
    };
    if let Ok(ts) = v.parse::<jiff::Timestamp>() {
        return Ok(to_string(ts));
    }
    let naive = |dt: jiff::civil::DateTime| {
        jiff::tz::TimeZone::UTC
            .to_timestamp(dt)
            .map(to_string)
            .map_err(|e| e.to_string())
    };
    for format in [
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(dt) = jiff::civil::DateTime::strptime(format, v) {
            return naive(dt);
        }
    }
    for format in ["%d.%m.%Y", "%Y-%m-%d", "%m/%d/%Y"] {
        if let Ok(date) = jiff::civil::Date::strptime(format, v) {
            return naive(date.to_datetime(jiff::civil::Time::midnight()));
        }
    }
    Err(format!(
        "`{v}` is not a time: expected ISO 8601 (2026-11-27T09:30:00Z), dd.MM.yyyy HH:mm:ss or N/A"
    ))
}

/// Whether `v` is already an RFC 3339 time after 1970 (`2026-05-01T12:34:56[.fff](Z|±hh:mm)`),
/// which can be kept as written. Exports write hundreds of thousands of these; parsing and
/// printing each one again was most of the time spent reading a credential report.
fn is_plain_rfc3339(v: &str) -> bool {
    let b = v.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u32, |n, &c| n * 10 + u32::from(c - b'0')))
    };
    let shape = b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':';
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    // The epoch itself is Google's "never signed in": the full parser handles it.
    if !shape || year <= 1970 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest {
        [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] => {
            matches!(sign, b'+' | b'-')
                && [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') < 24
                && (m1 - b'0') * 10 + (m2 - b'0') < 60
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_real_exports_use() {
        assert_eq!(decode(b"\xef\xbb\xbfuser"), "user");
        assert_eq!(decode(b"\xff\xfeu\x00\xfc\x00"), "uü");
        assert_eq!(decode(b"M\xfcller \x80"), "Müller €");
        assert_eq!(decode("Müller".as_bytes()), "Müller");
    }

    #[test]
    fn delimiters() {
        assert_eq!(csv_delimiter("a;b;\"c,d\""), b';');
        assert_eq!(csv_delimiter("a,b,c"), b',');
        assert_eq!(csv_delimiter("a\tb"), b'\t');
        assert_eq!(
            csv_header_fields("\"User\";\"IsAdmin\""),
            ["user", "isadmin"]
        );
    }

    #[test]
    fn times_in_the_shapes_exports_write() {
        // RFC 3339 as written is kept; anything else is normalised to UTC.
        assert_eq!(
            parse_time("2026-05-01T12:34:56+00:00").unwrap().as_deref(),
            Some("2026-05-01T12:34:56+00:00")
        );
        assert_eq!(
            parse_time("2026-05-01 12:34:56").unwrap().as_deref(),
            Some("2026-05-01T12:34:56Z")
        );
        for not_plain in [
            "2026-13-01T00:00:00Z",
            "2026-05-01T24:00:00Z",
            "2026-05-01T12:34:56",
            "2026-05-01T12:34:56+0000",
        ] {
            assert!(!is_plain_rfc3339(not_plain), "{not_plain}");
        }
        assert!(is_plain_rfc3339("2026-11-26T23:14:02.9834921Z"));
        assert_eq!(
            parse_time("01.05.2026 12:34:56").unwrap().as_deref(),
            Some("2026-05-01T12:34:56Z")
        );
        assert_eq!(
            parse_time("5/1/2026 1:34:56 PM").unwrap().as_deref(),
            Some("2026-05-01T13:34:56Z")
        );
        assert_eq!(parse_time("N/A").unwrap(), None);
        assert_eq!(parse_time("no_information").unwrap(), None);
        assert_eq!(parse_time("1970-01-01T00:00:00.000Z").unwrap(), None);
        assert!(parse_time("gestern").is_err());
    }

    #[test]
    fn powershell_type_line_is_skipped() {
        let (mut reader, skipped) = csv_reader(b"#TYPE Foo\r\n\"a\";\"b\"\r\n\"1\";\"2\"\r\n");
        assert_eq!(skipped, 1);
        let mut record = csv::ByteRecord::new();
        assert!(reader.read_byte_record(&mut record).unwrap());
        assert_eq!(&record[1], b"2");
    }
}
