//! Text as real exports write it: byte-order marks, UTF-16 from Windows PowerShell,
//! Windows-1252 from German Excel, `;`-separated CSV, CRLF, `dd.MM.yyyy` dates, `N/A`.
//!
//! CSV takes the delimiter sniffed from the header (`CsvFile` for files, `CsvTable` for text in
//! memory). A UTF-8 file without quotes is streamed in 1 MiB blocks through one reused buffer,
//! its lines found with memchr and turned into records in parallel (rayon, written in place in
//! line order); anything else (UTF-16, Windows-1252, quoted fields) is decoded whole and read
//! with the csv crate, lines counted from byte offsets because the crate's own count drifts on
//! quoted CRLF rows. Times become `jiff::Timestamp`s (RFC 3339 from its digits; ISO 8601,
//! `dd.MM.yyyy` and US dates through jiff; `N/A` and the Unix epoch mean "never").

use std::io::Read;

use rayon::prelude::*;
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

/// A whole file as UTF-8 text: already-UTF-8 files are taken as read, without a copy (BOM
/// dropped); others are decoded first.
pub fn read_utf8(path: &Path) -> Result<String, ParseError> {
    let bytes = std::fs::read(path).map_err(|e| ParseError::whole(e.to_string()))?;
    if bytes.starts_with(&[0xef, 0xbb, 0xbf])
        || bytes.starts_with(&[0xff, 0xfe])
        || bytes.starts_with(&[0xfe, 0xff])
    {
        return Ok(decode(&bytes));
    }
    String::from_utf8(bytes).or_else(|e| Ok(decode(e.as_bytes())))
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

/// Bytes read at a time when a CSV file is streamed.
const BLOCK_BYTES: usize = 1 << 20;

/// The header of a CSV text.
struct CsvHeader {
    /// Header fields, trimmed and lower-cased.
    fields: Vec<String>,
    delimiter: u8,
    /// 1-based line of the first line below the header.
    body_line: u64,
}

impl CsvHeader {
    /// Reads the header of `text`, skipping PowerShell 5's `#TYPE ...` lines; `None` when
    /// `text` ends before the header line does. Returns the header and the byte offset of the
    /// body.
    fn read(text: &str, complete: bool) -> Result<Option<(Self, usize)>, ParseError> {
        let mut offset = 0;
        let mut line = 1;
        let header = loop {
            let rest = &text[offset..];
            let (header, last) = match rest.find('\n') {
                Some(end) => (&rest[..end], false),
                None if complete => (rest, true),
                None => return Ok(None),
            };
            if !header.starts_with('#') {
                break header;
            }
            if last {
                return Err(ParseError::at(
                    line,
                    "only `#` comment lines: expected a CSV header line after them",
                ));
            }
            offset += header.len() + 1;
            line += 1;
        };
        let delimiter = csv_delimiter(header);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(header.as_bytes());
        let mut record = csv::StringRecord::new();
        reader
            .read_record(&mut record)
            .map_err(|e| ParseError::at(line, format!("not a valid CSV header: {e}")))?;
        let fields = record
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let body = (offset + header.len() + 1).min(text.len());
        Ok(Some((
            Self {
                fields,
                delimiter,
                body_line: line + 1,
            },
            body,
        )))
    }

    fn columns(&self, wanted: &[&str]) -> Vec<Option<usize>> {
        wanted
            .iter()
            .map(|w| self.fields.iter().position(|h| h.eq_ignore_ascii_case(w)))
            .collect()
    }
}

/// A CSV text in memory: its header and the rows below it.
pub struct CsvTable<'t> {
    header: CsvHeader,
    body: &'t str,
}

impl<'t> CsvTable<'t> {
    /// Reads the header of `text`; the delimiter is the one the header uses most.
    pub fn new(text: &'t str) -> Result<Self, ParseError> {
        let (header, body) = CsvHeader::read(text, true)?.expect("a complete text has a header");
        Ok(Self {
            header,
            body: &text[body..],
        })
    }

    /// The column index of each wanted header name (case-insensitive), `None` when absent.
    pub fn columns(&self, wanted: &[&str]) -> Vec<Option<usize>> {
        self.header.columns(wanted)
    }

    /// Calls `row` with the fields and the 1-based line of every row that is not blank and
    /// collects the results in order; the first error (in line order) ends the reading.
    pub fn rows<T: Send + Default>(&self, row: impl RowFn<T>) -> Result<Vec<T>, ParseError> {
        let mut rows = Vec::new();
        if self.body.contains('"') {
            quoted_rows(&self.header, self.body, &row, &mut rows)?;
        } else {
            plain_rows(
                &self.header,
                self.body,
                self.header.body_line,
                &row,
                &mut rows,
            )?;
        }
        Ok(rows)
    }

    /// The first `Some` that `f` gives for a row, reading rows one after another.
    pub fn find_map<T>(&self, mut f: impl FnMut(&[&str]) -> Option<T>) -> Option<T> {
        let mut reader = body_reader(&self.header, self.body);
        let mut record = csv::StringRecord::new();
        while let Ok(true) = reader.read_record(&mut record) {
            let fields: Vec<&str> = record.iter().collect();
            if let Some(found) = f(&fields) {
                return Some(found);
            }
        }
        None
    }
}

/// What turns one row (its fields and 1-based line) into a fact.
pub trait RowFn<T>: Fn(&[&str], u64) -> Result<T, ParseError> + Sync {}
impl<T, F: Fn(&[&str], u64) -> Result<T, ParseError> + Sync> RowFn<T> for F {}

/// A CSV file, streamed when it can be. Credential reports hold 100,000 rows: reading them
/// into memory whole cost more than parsing them, so UTF-8 files without quotes are read in
/// blocks into one reused buffer. Other files (UTF-16, Windows-1252, quoted fields, as
/// PowerShell and Excel write them) are decoded whole and read with the csv crate.
pub struct CsvFile {
    header: CsvHeader,
    source: CsvSource,
}

enum CsvSource {
    Streamed {
        file: std::fs::File,
        /// Read but not yet parsed: `buffer[start..filled]`.
        buffer: Vec<u8>,
        start: usize,
        filled: usize,
        bytes: u64,
    },
    Whole(String),
}

impl CsvFile {
    /// Opens `path` and reads its header.
    pub fn open(path: &Path) -> Result<Self, ParseError> {
        let io = |e: std::io::Error| ParseError::whole(e.to_string());
        let mut file = std::fs::File::open(path).map_err(io)?;
        let bytes = file.metadata().map_err(io)?.len();
        let mut buffer =
            vec![0; BLOCK_BYTES.min(usize::try_from(bytes).unwrap_or(BLOCK_BYTES) + 1)];
        let mut filled = 0;
        loop {
            if filled == buffer.len() {
                buffer.resize(buffer.len() * 2, 0);
            }
            let read = file.read(&mut buffer[filled..]).map_err(io)?;
            filled += read;
            let head = &buffer[..filled];
            let start = if head.starts_with(&[0xef, 0xbb, 0xbf]) {
                3
            } else {
                0
            };
            let complete = read == 0;
            let streamable = !head.starts_with(&[0xff, 0xfe])
                && !head.starts_with(&[0xfe, 0xff])
                && memchr::memchr(b'"', head).is_none();
            // Whole lines only: a block may end inside a character.
            let lines = match memchr::memrchr(b'\n', head) {
                Some(end) if !complete => &head[start..=end],
                _ => &head[start..],
            };
            let text = match std::str::from_utf8(lines) {
                Ok(text) if streamable => text,
                _ => return Self::whole(path),
            };
            if let Some((header, body)) = CsvHeader::read(text, complete)? {
                return Ok(Self {
                    header,
                    source: CsvSource::Streamed {
                        file,
                        buffer,
                        start: start + body,
                        filled,
                        bytes,
                    },
                });
            }
            if complete {
                return Self::whole(path);
            }
        }
    }

    fn whole(path: &Path) -> Result<Self, ParseError> {
        let text = read_utf8(path)?;
        let (header, _) = CsvHeader::read(&text, true)?.expect("a complete text has a header");
        Ok(Self {
            header,
            source: CsvSource::Whole(text),
        })
    }

    /// The column index of each wanted header name (case-insensitive), `None` when absent.
    pub fn columns(&self, wanted: &[&str]) -> Vec<Option<usize>> {
        self.header.columns(wanted)
    }

    /// The rows, as [`CsvTable::rows`] gives them.
    pub fn rows<T: Send + Default>(
        self,
        path: &Path,
        row: impl RowFn<T>,
    ) -> Result<Vec<T>, ParseError> {
        let (mut file, mut buffer, mut start, mut filled, bytes) = match self.source {
            CsvSource::Streamed {
                file,
                buffer,
                start,
                filled,
                bytes,
            } => (file, buffer, start, filled, bytes),
            CsvSource::Whole(text) => return CsvTable::new(&text)?.rows(row),
        };
        let mut rows = Vec::new();
        let mut line = self.header.body_line;
        let mut complete = false;
        loop {
            let block = &buffer[start..filled];
            let cut = match memchr::memrchr(b'\n', block) {
                _ if complete => block.len(),
                Some(end) => end + 1,
                None => 0,
            };
            if cut > 0 {
                let Ok(text) = std::str::from_utf8(&block[..cut]) else {
                    return Self::whole(path)?.rows(path, row);
                };
                if memchr::memchr(b'"', text.as_bytes()).is_some() {
                    return Self::whole(path)?.rows(path, row);
                }
                if rows.capacity() == 0 {
                    // Sized from the first block, so the rows are not moved as they grow.
                    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count().max(1);
                    let estimate = bytes as f64 * lines as f64 / text.len() as f64;
                    rows.reserve(estimate as usize + estimate as usize / 16 + 16);
                }
                line += plain_rows(&self.header, text, line, &row, &mut rows)?;
                start += cut;
            }
            if complete {
                return Ok(rows);
            }
            // Keep the unparsed tail, then fill the rest of the buffer.
            buffer.copy_within(start..filled, 0);
            filled -= start;
            start = 0;
            if filled == buffer.len() {
                buffer.resize(buffer.len() * 2, 0);
            }
            let read = file
                .read(&mut buffer[filled..])
                .map_err(|e| ParseError::whole(e.to_string()))?;
            filled += read;
            complete = read == 0;
        }
    }
}

/// Parses unquoted whole lines (the first is line `first`) into `rows`, in parallel and in
/// order; returns the number of line breaks read. Without quotes a field cannot hold a
/// delimiter or a line break, so lines and fields are split at bytes.
fn plain_rows<T: Send + Default>(
    header: &CsvHeader,
    text: &str,
    first: u64,
    row: &impl RowFn<T>,
    rows: &mut Vec<T>,
) -> Result<u64, ParseError> {
    let bytes = text.as_bytes();
    let mut lines: Vec<(usize, usize, u64)> = Vec::new();
    let mut start = 0;
    let mut line = first;
    for end in memchr::memchr_iter(b'\n', bytes).chain([bytes.len()]) {
        let content = bytes[start..end]
            .strip_suffix(b"\r")
            .unwrap_or(&bytes[start..end]);
        if content
            .iter()
            .any(|&b| b != header.delimiter && !b.is_ascii_whitespace())
        {
            lines.push((start, start + content.len(), line));
        }
        start = end + 1;
        line += 1;
    }
    let first_error: std::sync::Mutex<Option<ParseError>> = std::sync::Mutex::new(None);
    rows.par_extend(lines.par_iter().map_init(
        || Vec::with_capacity(header.fields.len()),
        |fields: &mut Vec<&str>, &(from, to, line)| {
            let content = &text[from..to];
            fields.clear();
            // Fields are short: a plain loop beats starting a vector search for each.
            let mut field_start = 0;
            for (at, &b) in content.as_bytes().iter().enumerate() {
                if b == header.delimiter {
                    fields.push(&content[field_start..at]);
                    field_start = at + 1;
                }
            }
            fields.push(&content[field_start..]);
            row(fields, line).unwrap_or_else(|err| {
                let mut first = first_error.lock().unwrap_or_else(|e| e.into_inner());
                if first.as_ref().is_none_or(|f| f.line > err.line) {
                    *first = Some(err);
                }
                T::default()
            })
        },
    ));
    match first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(err) => Err(err),
        None => Ok(line - first - 1),
    }
}

/// Reads quoted CSV (the body below `header`) with the csv crate, one row after another.
fn quoted_rows<T>(
    header: &CsvHeader,
    body: &str,
    row: &impl RowFn<T>,
    rows: &mut Vec<T>,
) -> Result<(), ParseError> {
    let mut reader = body_reader(header, body);
    // Lines are counted from the byte offset: the csv crate's own count falls behind on CRLF
    // lines, and its offset can point at the line feed of the line before.
    let mut counted = (0, header.body_line);
    let mut line_of = |p: Option<&csv::Position>| {
        let byte = p.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let (from, line) = counted;
        let mut byte = byte.clamp(from, body.len());
        while body
            .as_bytes()
            .get(byte)
            .is_some_and(|&b| b == b'\n' || b == b'\r')
        {
            byte += 1;
        }
        let line = line + memchr::memchr_iter(b'\n', &body.as_bytes()[from..byte]).count() as u64;
        counted = (byte, line);
        line
    };
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) if record.iter().all(|f| f.trim().is_empty()) => {}
            Ok(true) => {
                let line = line_of(record.position());
                let fields: Vec<&str> = record.iter().collect();
                rows.push(row(&fields, line)?);
            }
            Err(e) => {
                return Err(ParseError::at(
                    line_of(e.position()),
                    format!("not valid CSV: {e}"),
                ));
            }
        }
    }
}

fn body_reader<'t>(header: &CsvHeader, body: &'t str) -> csv::Reader<&'t [u8]> {
    csv::ReaderBuilder::new()
        .delimiter(header.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes())
}

/// A field of a row as trimmed text; empty when the column is absent.
pub fn field<'r>(fields: &[&'r str], column: Option<usize>) -> &'r str {
    column
        .and_then(|c| fields.get(c))
        .map_or("", |f| f.trim_ascii())
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

/// A point in time from an export. Accepts RFC 3339 / ISO 8601 with an offset,
/// `dd.MM.yyyy[ HH:mm[:ss]]` (German locale), `M/d/yyyy h:mm:ss AM` (US locale) and
/// `yyyy-MM-dd[ HH:mm:ss]`; times without a zone are read in `tz`. Empty values, `N/A` and the
/// Unix epoch (Google's "never signed in") are `None`. `Err` when the value is not a time.
pub fn parse_time(value: &str, tz: &jiff::tz::TimeZone) -> Result<Option<jiff::Timestamp>, String> {
    let v = value.trim();
    if is_empty_value(v) {
        return Ok(None);
    }
    let after_epoch = |ts: jiff::Timestamp| (ts.as_second() > 0).then_some(ts);
    if let Some(ts) = plain_rfc3339(v) {
        return Ok(after_epoch(ts));
    }
    if let Ok(ts) = v.parse::<jiff::Timestamp>() {
        return Ok(after_epoch(ts));
    }
    let naive = |dt: jiff::civil::DateTime| {
        tz.to_timestamp(dt)
            .map(after_epoch)
            .map_err(|e| e.to_string())
    };
    // ISO 8601 without a zone, fractions included (borg: `2026-11-26T22:00:00.000000`).
    if let Ok(dt) = v.parse::<jiff::civil::DateTime>() {
        return naive(dt);
    }
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

/// A duration as people write it (`24h`, `7d`, `90m`, `1d 12h`, ISO 8601 `P7D`), in seconds;
/// a day is 24 hours. Used for recovery point objectives.
pub fn parse_duration_seconds(text: &str) -> Result<i64, String> {
    let span: jiff::Span = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: expected e.g. 24h, 7d or 1d 12h"))?;
    let seconds = span
        .total((
            jiff::Unit::Second,
            jiff::SpanRelativeTo::days_are_24_hours(),
        ))
        .map_err(|e| format!("`{text}`: {e}"))?;
    if seconds <= 0.0 {
        return Err(format!("`{text}` is not a positive duration"));
    }
    Ok(seconds.round() as i64)
}

/// `v` as a time when it is plain RFC 3339 (`2026-05-01T12:34:56[.fff](Z|±hh:mm)`), read
/// from its digits. Exports write hundreds of thousands of these; the general parser was most
/// of the time spent reading a credential report.
fn plain_rfc3339(v: &str) -> Option<jiff::Timestamp> {
    let b = v.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0i32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0'))
        })
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let mut rest = &b[19..];
    let mut nanosecond = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        nanosecond = fraction[..digits.min(9)]
            .iter()
            .chain(std::iter::repeat(&b'0'))
            .take(9)
            .fold(0i32, |n, &c| n * 10 + i32::from(c - b'0'));
        rest = &fraction[digits..];
    }
    let offset_seconds = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digit = |c: &u8| c.is_ascii_digit().then(|| i32::from(c - b'0'));
            let hours = digit(h1)? * 10 + digit(h2)?;
            let minutes = digit(m1)? * 10 + digit(m2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            (hours * 3600 + minutes * 60) * if *sign == b'-' { -1 } else { 1 }
        }
        _ => return None,
    };
    // A leap second is read as the second before it, as jiff's parser reads it.
    let time = jiff::civil::Time::new(
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second.min(59)).ok()?,
        nanosecond,
    )
    .ok()?;
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    jiff::tz::Offset::from_seconds(offset_seconds)
        .ok()?
        .to_timestamp(date.to_datetime(time))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_of_comment_lines_only_is_an_error_not_a_panic() {
        // Found by the evidence fuzzer: the last `#` line without a newline ran past the end.
        let err = CsvHeader::read("# {\"hostK\": \"db", true).err().unwrap();
        assert_eq!(err.line, Some(1));
        assert!(CsvHeader::read("#TYPE x\n#more", true).is_err());
        assert!(CsvHeader::read("#TYPE x", false).unwrap().is_none());
    }

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
        let utc = |v: &str| {
            parse_time(v, &jiff::tz::TimeZone::UTC)
                .unwrap()
                .map(|t| t.to_string())
        };
        assert_eq!(
            utc("2026-05-01T12:34:56+02:00").as_deref(),
            Some("2026-05-01T10:34:56Z")
        );
        assert_eq!(
            utc("2026-05-01T12:34:56-01:30").as_deref(),
            Some("2026-05-01T14:04:56Z")
        );
        assert_eq!(
            utc("2026-11-26T23:14:02.9834921Z").as_deref(),
            Some("2026-11-26T23:14:02.9834921Z")
        );
        assert_eq!(
            utc("2026-05-01 12:34:56").as_deref(),
            Some("2026-05-01T12:34:56Z")
        );
        assert_eq!(
            utc("01.05.2026 12:34:56").as_deref(),
            Some("2026-05-01T12:34:56Z")
        );
        assert_eq!(
            utc("5/1/2026 1:34:56 PM").as_deref(),
            Some("2026-05-01T13:34:56Z")
        );
        // The digit fast path and jiff's parser agree, and reject the same shapes.
        for v in [
            "2024-02-29T23:59:59Z",
            "2026-12-31T23:59:60Z",
            "1999-01-01T00:00:00.5+14:00",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-05-01T24:00:00Z",
        ] {
            assert_eq!(plain_rfc3339(v), v.parse::<jiff::Timestamp>().ok(), "{v}");
        }
        assert_eq!(plain_rfc3339("2026-05-01T12:34:56"), None);
        assert_eq!(plain_rfc3339("2026-05-01T12:34:56+0000"), None);
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        // Times without a zone are read in the evidence zone; times with one keep theirs.
        let in_berlin = |v: &str| parse_time(v, &berlin).unwrap().map(|t| t.to_string());
        assert_eq!(
            in_berlin("2026-07-01 12:00:00").as_deref(),
            Some("2026-07-01T10:00:00Z")
        );
        assert_eq!(
            in_berlin("01.12.2026 12:00").as_deref(),
            Some("2026-12-01T11:00:00Z")
        );
        assert_eq!(
            in_berlin("2026-07-01T12:00:00Z").as_deref(),
            Some("2026-07-01T12:00:00Z")
        );
        assert_eq!(utc("N/A"), None);
        assert_eq!(utc("no_information"), None);
        assert_eq!(utc("1970-01-01T00:00:00.000Z"), None);
        assert!(parse_time("gestern", &berlin).is_err());
    }

    #[test]
    fn powershell_type_line_is_skipped() {
        let text = "#TYPE Foo\r\n\"a\";\"B\"\r\n\"1\";\"2\"\r\n\"\";\"\"\r\n\"3\";\"4\"\r\n";
        let table = CsvTable::new(text).unwrap();
        assert_eq!(table.columns(&["b", "c"]), [Some(1), None]);
        let rows = table
            .rows(|f, line| Ok((field(f, Some(1)).to_owned(), line)))
            .unwrap();
        // Quoted CRLF rows, as PowerShell writes them, keep their true lines.
        assert_eq!(rows, [("2".to_owned(), 3), ("4".to_owned(), 5)]);
    }

    /// 200,000 rows (several stream blocks, umlauts across block ends), with a blank line
    /// after every thousandth row.
    fn large_csv(quote_at_the_end: bool) -> String {
        let mut text = String::from("\u{feff}name,n\r\n");
        for i in 0..200_000 {
            text.push_str(&format!("jörg.müller{i},{i}\r\n"));
            if i % 1000 == 0 {
                text.push_str(",\r\n");
            }
        }
        if quote_at_the_end {
            text.push_str("\"quoted, name\",200000\r\n");
        }
        text
    }

    #[test]
    fn large_files_are_streamed_in_parallel_with_true_lines() {
        let check = |rows: Vec<(u64, u64)>, quoted: bool| {
            assert_eq!(rows.len(), 200_000 + usize::from(quoted));
            assert_eq!(rows[0], (0, 2));
            // Row i sits below the header and one blank line per started thousand.
            assert_eq!(rows[199_999], (199_999, 2 + 199_999 + 200));
        };
        let number = |f: &[&str], line| Ok((field(f, Some(1)).parse::<u64>().unwrap(), line));
        let dir = tempfile::tempdir().unwrap();
        for quoted in [false, true] {
            let text = large_csv(quoted);
            let text_without_bom = text.trim_start_matches('\u{feff}');
            check(
                CsvTable::new(text_without_bom)
                    .unwrap()
                    .rows(number)
                    .unwrap(),
                quoted,
            );
            // A quote after the first blocks sends the file to the csv crate, same rows.
            let path = dir.path().join("report.csv");
            std::fs::write(&path, &text).unwrap();
            let file = CsvFile::open(&path).unwrap();
            assert_eq!(file.columns(&["N", "name"]), [Some(1), Some(0)]);
            check(file.rows(&path, number).unwrap(), quoted);
            if quoted {
                continue;
            }
            let err = CsvFile::open(&path)
                .unwrap()
                .rows(&path, |f, line| match field(f, Some(0)) {
                    "jörg.müller142000" | "jörg.müller180000" => {
                        Err(ParseError::at(line, "stop"))
                    }
                    _ => Ok(()),
                })
                .unwrap_err();
            assert_eq!(err.line, Some(2 + 142_000 + 142));
        }
    }
}
