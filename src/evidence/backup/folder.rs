//! Backup folders walked directly (`--backup-dir`).
//!
//! A backup set is a *series* written by one job: the files of one folder whose names differ
//! only by a date, a time or a sequence number (`shop_2026-11-24.sql.gz`,
//! `shop_2026-11-25.sql.gz`), found at any depth. Two series in one folder are two sets. A
//! folder whose name carries the date or sequence number (`2026-11-25/`, rsnapshot's
//! `daily.0/`) is one member of its series, with everything inside it. Rotation words
//! (`daily`, `weekly`, `monthly`, `full`, `incr`, weekday names) do not split a series, and
//! Veeam's full and incremental files (`.vbk`, `.vib`, `.vrb`) of one job are one series.
//!
//! Per series the newest good member is the last success. Not good, and counted as
//! incomplete: empty files and files below the smallest size of a non-empty archive of their
//! format (an empty gzip stream is 20 bytes), and partial or temporary files and folders
//! (`.partial`, `.part`, `.tmp`, `~`, rsync's `.name.XXXXXX`, vzdump's `.dat`/`.tmp`). A file
//! modified later than the walk began (beyond a five-minute clock skew) counts as neither and
//! is reported on its own. Metadata, index, checksum, log and readme files (`.vbm`, `.log`,
//! `.md5`, `SHA256SUMS`, `README*`, …) are not backups; they are counted as such. NAS system
//! folders (`@eaDir`, `#recycle`, `.snapshot`, `lost+found`) are not walked.
//!
//! Only per-series counts are kept, so a tree of a million files costs no memory beyond its
//! series.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use rayon::prelude::*;

use crate::facts::{BackupSetFacts, SourceRef};

/// Why a backup folder could not be walked.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct WalkError {
    /// The folder.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// One set per series.
    pub sets: Vec<BackupSetFacts>,
    /// Files that are not backups (metadata, logs, checksums, readmes).
    pub not_backups: u64,
}

/// How much later than the walk a modification time may lie before it counts as future.
const CLOCK_SKEW: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// Walks `root`. `now` is when the walk began.
pub fn walk(root: &Path, now: jiff::Timestamp) -> Result<Walk, WalkError> {
    let err = |message: String| WalkError {
        path: root.display().to_string(),
        message,
    };
    let entries = std::fs::read_dir(root).map_err(|e| err(e.to_string()))?;
    let mut tops: Vec<std::path::PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| err(e.to_string()))?;
        let kind = entry.file_type().map_err(|e| err(e.to_string()))?;
        if kind.is_dir() && !skipped_folder(&entry.file_name().to_string_lossy()) {
            tops.push(entry.path());
        }
    }
    tops.sort();
    let deadline = now.checked_add(CLOCK_SKEW).unwrap_or(now);
    // Loose files of the root, then each top folder on its own thread.
    let mut found = vec![Walker::new(root, deadline).walk(root, 1)];
    found.extend(
        tops.par_iter()
            .map(|top| Walker::new(root, deadline).walk(top, usize::MAX))
            .collect::<Vec<_>>(),
    );
    let mut all: BTreeMap<String, Series> = BTreeMap::new();
    let mut not_backups = 0;
    for walker in found {
        not_backups += walker.not_backups;
        for (key, series) in walker.series {
            match all.get_mut(&key) {
                Some(known) => known.absorb(series),
                None => {
                    all.insert(key, series);
                }
            }
        }
    }
    let repository = root.display().to_string();
    let sets = all.into_values().map(|s| s.into_set(&repository)).collect();
    Ok(Walk { sets, not_backups })
}

/// One folder on the way down: its part of the series key, and whether it is a member.
#[derive(Clone)]
struct FolderStep {
    /// Path relative to the root.
    rel: String,
    skeleton: String,
    label: String,
    /// The member folder this one is or lies in: a folder carrying a date or sequence number
    /// is, with everything inside it, one member of its series.
    member: Option<String>,
    partial: bool,
}

struct Walker<'a> {
    root: &'a Path,
    deadline: jiff::Timestamp,
    series: BTreeMap<String, Series>,
    not_backups: u64,
}

impl<'a> Walker<'a> {
    fn new(root: &'a Path, deadline: jiff::Timestamp) -> Self {
        Self {
            root,
            deadline,
            series: BTreeMap::new(),
            not_backups: 0,
        }
    }

    fn walk(mut self, dir: &Path, max_depth: usize) -> Self {
        // Steps of the folders above the current entry, by depth below the root.
        let mut steps: Vec<FolderStep> = Vec::new();
        let base_depth = dir
            .strip_prefix(self.root)
            .map_or(0, |rel| rel.components().count());
        let walker = walkdir::WalkDir::new(dir)
            .max_depth(max_depth)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !e.file_type().is_dir()
                    || !skipped_folder(&e.file_name().to_string_lossy())
            });
        for entry in walker.filter_map(Result::ok) {
            let depth = base_depth + entry.depth();
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_dir() {
                if depth == 0 {
                    continue;
                }
                steps.truncate(depth - 1);
                let parent = steps.last();
                let normal = normalize(strip_partial(&name));
                let rel = match parent {
                    Some(p) => format!("{}/{name}", p.rel),
                    None => name.to_string(),
                };
                let partial = partial_name(&name) || parent.is_some_and(|p| p.partial);
                let step = match parent.filter(|p| p.member.is_some()) {
                    // Everything inside a member folder belongs to that member.
                    Some(member) => FolderStep {
                        rel,
                        partial,
                        ..member.clone()
                    },
                    None => FolderStep {
                        skeleton: parent.map_or(String::new(), |p| p.skeleton.clone() + "/")
                            + &normal.skeleton,
                        label: parent.map_or(String::new(), |p| p.label.clone() + "/")
                            + &normal.label,
                        member: normal.varies.then(|| rel.clone()),
                        partial,
                        rel,
                    },
                };
                steps.push(step);
                continue;
            }
            if !entry.file_type().is_file() {
                continue;
            }
            steps.truncate(depth.saturating_sub(1));
            if not_a_backup(&name) {
                self.not_backups += 1;
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            let Some(modified) = meta
                .modified()
                .ok()
                .and_then(|m| jiff::Timestamp::try_from(m).ok())
            else {
                continue;
            };
            let parent = steps.last();
            let rel = match parent {
                Some(p) => format!("{}/{name}", p.rel),
                None => name.to_string(),
            };
            let state = if modified > self.deadline {
                FileState::Future
            } else if parent.is_some_and(|p| p.partial)
                || partial_name(&name)
                || too_small(entry.path(), &name, meta.len())
            {
                FileState::Incomplete
            } else {
                FileState::Good(modified)
            };
            let (key, label, member) = match parent {
                Some(FolderStep {
                    member: Some(member),
                    skeleton,
                    label,
                    ..
                }) => (skeleton.clone(), label.clone(), member.clone()),
                _ => {
                    let normal = normalize(strip_partial(&name));
                    let join = |above: Option<&String>, own: &str| match above {
                        Some(above) => format!("{above}/{own}"),
                        None => own.to_owned(),
                    };
                    (
                        join(parent.map(|p| &p.skeleton), &normal.skeleton),
                        join(parent.map(|p| &p.label), &normal.label),
                        rel,
                    )
                }
            };
            self.series
                .entry(key)
                .or_default()
                .add(&member, label, state);
        }
        for series in self.series.values_mut() {
            series.close();
        }
        self
    }
}

#[derive(Clone, Copy)]
enum FileState {
    Good(jiff::Timestamp),
    Incomplete,
    Future,
}

/// A member being read: a file, or a dated folder with everything in it.
struct Member {
    path: String,
    /// The series' name as this member spells it (`daily/` or `weekly/`, `.vbk` or `.vib`).
    label: String,
    newest_good: Option<jiff::Timestamp>,
    incomplete: bool,
}

#[derive(Default)]
struct Series {
    label: String,
    successful: u64,
    incomplete: u64,
    future: u64,
    newest: Option<(jiff::Timestamp, String)>,
    first: Option<jiff::Timestamp>,
    open: Option<Member>,
}

impl Series {
    fn add(&mut self, member: &str, label: String, state: FileState) {
        if self.open.as_ref().is_some_and(|m| m.path != member) {
            self.close();
        }
        let open = self.open.get_or_insert_with(|| Member {
            path: member.to_owned(),
            label,
            newest_good: None,
            incomplete: false,
        });
        match state {
            FileState::Good(at) => open.newest_good = open.newest_good.max(Some(at)),
            FileState::Incomplete => open.incomplete = true,
            FileState::Future => self.future += 1,
        }
    }

    /// Counts the member being read: good when it holds a good file.
    fn close(&mut self) {
        let Some(member) = self.open.take() else {
            return;
        };
        if self.label.is_empty() {
            self.label.clone_from(&member.label);
        }
        match member.newest_good {
            Some(at) => {
                self.successful += 1;
                self.first = Some(self.first.map_or(at, |f| f.min(at)));
                if self.newest.as_ref().is_none_or(|(t, _)| at > *t) {
                    self.newest = Some((at, member.path));
                    self.label = member.label;
                }
            }
            None if member.incomplete => self.incomplete += 1,
            None => {}
        }
    }

    /// Adds the same series found under another top folder (rotation folders).
    fn absorb(&mut self, other: Series) {
        self.successful += other.successful;
        self.incomplete += other.incomplete;
        self.future += other.future;
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some((at, path)) = other.newest
            && self.newest.as_ref().is_none_or(|(t, _)| at > *t)
        {
            self.newest = Some((at, path));
            self.label = other.label;
        }
    }

    fn into_set(self, repository: &str) -> BackupSetFacts {
        let folder = self.label.rsplit_once('/').map_or("", |(dir, _)| dir);
        let file = if folder.is_empty() {
            repository.to_owned()
        } else {
            format!("{}/{folder}", repository.trim_end_matches('/'))
        };
        BackupSetFacts {
            tool: "folder".into(),
            repository: repository.to_owned(),
            name: self.label,
            encrypted: None,
            successful: self.successful,
            incomplete: self.incomplete,
            future: self.future,
            last_success: self.newest.as_ref().map(|(t, _)| *t),
            first_success: self.first,
            newest: self.newest.map(|(_, path)| path),
            source: SourceRef {
                file: file.into(),
                line: 0,
            },
            ..BackupSetFacts::default()
        }
    }
}

/// A file or folder name reduced to what stays the same between runs of one job.
#[derive(Debug, PartialEq)]
struct Normal {
    /// What series are grouped by: the words left, rotation words dropped.
    skeleton: String,
    /// The name with each date, time and sequence number replaced by `*`.
    label: String,
    /// A date, time or sequence number was found.
    varies: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum TokenKind {
    Word,
    Digits,
    Date,
}

/// Splits a name into words, digit runs and dates, and keeps the words.
fn normalize(name: &str) -> Normal {
    let bytes = name.as_bytes();
    let mut tokens: Vec<(TokenKind, usize, usize)> = Vec::new();
    let mut i = 0;
    let mut start = None;
    let flush = |tokens: &mut Vec<(TokenKind, usize, usize)>, start: &mut Option<usize>, end| {
        if let Some(s) = start.take() {
            let digits = bytes[s..end].iter().all(u8::is_ascii_digit);
            let kind = if digits {
                TokenKind::Digits
            } else {
                TokenKind::Word
            };
            tokens.push((kind, s, end));
        }
    };
    while i < bytes.len() {
        let at_run = bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit());
        if at_run && let Some((from, to)) = date_span(bytes, i) {
            // Veeam's `D` before a date-time belongs to it (`dc01D2026-10-13T220012_1A2B`).
            let from = if from > 0 && bytes[from - 1] == b'D' && start.is_some_and(|s| s < from - 1)
            {
                from - 1
            } else {
                from
            };
            flush(&mut tokens, &mut start, from);
            tokens.push((TokenKind::Date, from, to));
            i = to;
            continue;
        }
        if matches!(bytes[i], b'-' | b'_' | b'.' | b' ' | b'+') {
            flush(&mut tokens, &mut start, i);
        } else if start.is_none() {
            start = Some(i);
        }
        i += 1;
    }
    flush(&mut tokens, &mut start, bytes.len());

    let last_date = tokens.iter().rposition(|t| t.0 == TokenKind::Date);
    let ext_like = |t: &(TokenKind, usize, usize)| {
        t.0 == TokenKind::Word && t.2 - t.1 <= 5 && bytes[t.1].is_ascii_alphabetic()
    };
    let mut varying = vec![false; tokens.len()];
    let mut skeleton: Vec<String> = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        let text = &name[token.1..token.2];
        let vary = match token.0 {
            TokenKind::Date => true,
            // A sequence number: after the date, or last before the extensions.
            TokenKind::Digits => {
                index > 0
                    && (last_date.is_some_and(|d| index > d)
                        || tokens[index + 1..].iter().all(ext_like))
            }
            TokenKind::Word => false,
        };
        varying[index] = vary;
        if vary || ROTATION_WORDS.contains(&text.to_ascii_lowercase().as_str()) {
            continue;
        }
        let lower = text.to_ascii_lowercase();
        skeleton.push(match lower.as_str() {
            "vbk" | "vib" | "vrb" => "veeam".to_owned(),
            _ => text.to_owned(),
        });
    }
    // The label: the name with each varying token (and the separators between two of them)
    // replaced by one `*`.
    let mut label = String::with_capacity(name.len());
    let mut at = 0;
    for (index, token) in tokens.iter().enumerate() {
        if !varying[index] {
            continue;
        }
        let between = &name[at..token.1];
        if !(label.ends_with('*')
            && between
                .bytes()
                .all(|b| matches!(b, b'-' | b'_' | b'.' | b' ')))
        {
            label.push_str(between);
            label.push('*');
        }
        at = token.2;
    }
    label.push_str(&name[at..]);
    Normal {
        skeleton: skeleton.join("."),
        label,
        varies: varying.contains(&true),
    }
}

/// A file name's series: grouping key, label, and whether a date, time or number varies.
#[cfg(feature = "fuzzing")]
pub fn series_of(name: &str) -> (String, String, bool) {
    let normal = normalize(strip_partial(name));
    (normal.skeleton, normal.label, normal.varies)
}

/// Words naming a rotation or a kind of run, not a job.
const ROTATION_WORDS: &[&str] = &[
    "hourly",
    "daily",
    "weekly",
    "monthly",
    "yearly",
    "annual",
    "hour",
    "day",
    "week",
    "month",
    "year",
    "full",
    "incr",
    "inc",
    "incremental",
    "diff",
    "differential",
    "taeglich",
    "täglich",
    "woechentlich",
    "wöchentlich",
    "monatlich",
    "jaehrlich",
    "jährlich",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn digits(bytes: &[u8], at: usize, count: usize) -> Option<u32> {
    let run = bytes.get(at..at + count)?;
    if !run.iter().all(u8::is_ascii_digit) {
        return None;
    }
    run.iter()
        .try_fold(0u32, |n, b| Some(n * 10 + u32::from(b - b'0')))
}

/// A date (with an optional time) starting at `at`: `2026-11-25`, `20261125`, `2026_11_25`,
/// `25.11.2026`, each optionally followed by `T220012`, `_06h25m`, `-01_00_03`, …
fn date_span(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let sep = |i: usize| {
        bytes
            .get(i)
            .copied()
            .filter(|b| matches!(b, b'-' | b'_' | b'.'))
    };
    let year_ok = |y: u32| (1970..=2099).contains(&y);
    let month_ok = |m: u32| (1..=12).contains(&m);
    let day_ok = |d: u32| (1..=31).contains(&d);
    let mut end = None;
    // Year first, with one separator kind or none.
    if let Some(year) = digits(bytes, at, 4).filter(|y| year_ok(*y)) {
        let s = sep(at + 4);
        let step = usize::from(s.is_some());
        let m_at = at + 4 + step;
        let d_at = m_at + 2 + step;
        if digits(bytes, m_at, 2).is_some_and(month_ok)
            && (s.is_none() || bytes.get(m_at + 2).copied() == s)
            && digits(bytes, d_at, 2).is_some_and(day_ok)
        {
            let _ = year;
            end = Some(d_at + 2);
        }
    }
    // German order: 25.11.2026.
    if end.is_none()
        && digits(bytes, at, 2).is_some_and(day_ok)
        && let Some(s) = sep(at + 2)
        && digits(bytes, at + 3, 2).is_some_and(month_ok)
        && bytes.get(at + 5).copied() == Some(s)
        && digits(bytes, at + 6, 4).is_some_and(year_ok)
    {
        end = Some(at + 10);
    }
    let mut end = end?;
    if bytes.get(end).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    if let Some(time_end) = time_span(bytes, end) {
        end = time_end;
        // Veeam's random suffix after the date-time: `_1A2B` before the extension.
        if bytes.get(end) == Some(&b'_')
            && bytes
                .get(end + 1..end + 5)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            && bytes.get(end + 5).is_none_or(|b| *b == b'.')
        {
            end += 5;
        }
    }
    Some((at, end))
}

/// A time right after a date: `T220012`, `_0625`, `-01_00_03`, `_06h25m`, `T22:00:12`.
fn time_span(bytes: &[u8], at: usize) -> Option<usize> {
    let lead = *bytes.get(at)?;
    if !matches!(lead, b'T' | b'_' | b'-' | b' ' | b'.') {
        return None;
    }
    let h_at = at + 1;
    digits(bytes, h_at, 2).filter(|h| *h < 24)?;
    let minute_ok = |i: usize| digits(bytes, i, 2).is_some_and(|m| m < 60);
    let not_digit = |i: usize| !bytes.get(i).is_some_and(u8::is_ascii_digit);
    // 06h25m(13s)
    if bytes.get(h_at + 2) == Some(&b'h')
        && minute_ok(h_at + 3)
        && bytes.get(h_at + 5) == Some(&b'm')
    {
        let mut end = h_at + 6;
        if minute_ok(end) && bytes.get(end + 2) == Some(&b's') {
            end += 3;
        }
        return Some(end);
    }
    let sep = bytes
        .get(h_at + 2)
        .copied()
        .filter(|b| matches!(b, b'-' | b'_' | b'.' | b':'));
    let step = usize::from(sep.is_some());
    let m_at = h_at + 2 + step;
    if !minute_ok(m_at) {
        return None;
    }
    let mut end = m_at + 2;
    let s_at = end + step;
    if (sep.is_none() || bytes.get(end).copied() == sep) && minute_ok(s_at) && not_digit(s_at + 2) {
        end = s_at + 2;
    } else if !not_digit(end) {
        return None;
    }
    Some(end)
}

/// Folders of NAS systems and file systems, never backups.
fn skipped_folder(name: &str) -> bool {
    matches!(
        name,
        "@eaDir"
            | "#recycle"
            | "#snapshot"
            | ".snapshot"
            | ".snapshots"
            | "lost+found"
            | ".zfs"
            | "$RECYCLE.BIN"
            | "System Volume Information"
            | ".Trash"
            | ".AppleDouble"
    ) || name.starts_with(".Trash-")
}

/// Metadata, index, checksum, log and readme files.
fn not_a_backup(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    const EXTENSIONS: &[&str] = &[
        ".vbm",
        ".log",
        ".md5",
        ".sha1",
        ".sha256",
        ".sha512",
        ".sfv",
        ".sig",
        ".asc",
        ".idx",
        ".lock",
        ".lck",
        ".pid",
        ".nfo",
        ".notes",
        ".sums",
        ".checksum",
    ];
    EXTENSIONS.iter().any(|e| lower.ends_with(e))
        || lower.contains(".log.")
        || lower.starts_with("readme")
        || lower.ends_with("sums")
        || lower.starts_with("checksum")
        || matches!(
            lower.as_str(),
            ".ds_store" | "thumbs.db" | "desktop.ini" | ".gitkeep" | ".keep" | ".directory"
        )
}

/// Endings of files and folders still being written.
const PARTIAL_SUFFIXES: [&str; 8] = [
    ".partial",
    ".part",
    ".tmp",
    ".temp",
    ".incomplete",
    ".inprogress",
    ".crdownload",
    "~",
];

/// Partial, temporary and in-progress names.
fn partial_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    PARTIAL_SUFFIXES.iter().any(|s| lower.ends_with(s))
        || lower.starts_with(".~")
        || lower.starts_with("~$")
        || (lower.starts_with("vzdump-") && lower.ends_with(".dat"))
        || rsync_temporary(name)
}

/// The name a partial file will have when it is complete, so it joins its series.
fn strip_partial(name: &str) -> &str {
    if let Some(rest) = name.strip_prefix('.')
        && rsync_temporary(name)
    {
        return rest.rsplit_once('.').map_or(rest, |(stem, _)| stem);
    }
    let lower = name.to_ascii_lowercase();
    for suffix in PARTIAL_SUFFIXES {
        if lower.ends_with(suffix) {
            return &name[..name.len() - suffix.len()];
        }
    }
    name.strip_prefix(".~").unwrap_or(name)
}

/// rsync writes `.name.XXXXXX` (six random letters and digits) until the file is complete.
fn rsync_temporary(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    rest.rsplit_once('.').is_some_and(|(stem, suffix)| {
        !stem.is_empty()
            && suffix.len() == 6
            && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
            && suffix.bytes().any(|b| b.is_ascii_uppercase())
    })
}

/// Below the size of the smallest non-empty archive of the format the name says, or a gzip
/// stream whose trailer says it holds nothing.
fn too_small(path: &Path, name: &str, bytes: u64) -> bool {
    if bytes == 0 {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    let empty_size = match ext {
        "gz" | "tgz" => 20,
        "bz2" | "tbz2" => 14,
        "xz" | "txz" | "7z" => 32,
        "zst" | "tzst" => 13,
        "zip" => 22,
        "tar" => 1024,
        _ => 0,
    };
    if bytes <= empty_size {
        return true;
    }
    // gzip's last four bytes are the uncompressed size; a small file saying 0 holds nothing
    // (a dump piped into gzip from a command that failed).
    matches!(ext, "gz" | "tgz") && bytes < 64 * 1024 && gzip_holds_nothing(path)
}

fn gzip_holds_nothing(path: &Path) -> bool {
    let read = || -> std::io::Result<[u8; 4]> {
        let mut file = std::fs::File::open(path)?;
        file.seek(SeekFrom::End(-4))?;
        let mut size = [0u8; 4];
        file.read_exact(&mut size)?;
        Ok(size)
    };
    read().is_ok_and(|size| size == [0; 4])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str) -> String {
        normalize(name).label
    }

    fn same_series(a: &str, b: &str) -> bool {
        normalize(a).skeleton == normalize(b).skeleton
    }

    #[test]
    fn dates_times_and_sequence_numbers_vary() {
        assert_eq!(label("shop_2026-11-25.sql.gz"), "shop_*.sql.gz");
        assert_eq!(label("erp-20261125T0100.dump"), "erp-*.dump");
        assert_eq!(label("backup.001"), "backup.*");
        assert_eq!(label("shop.sql.gz.1"), "shop.sql.gz.*");
        assert_eq!(
            label("vzdump-qemu-101-2026_11_25-01_00_03.vma.zst"),
            "vzdump-qemu-101-*.vma.zst"
        );
        assert_eq!(label("dc01D2026-10-13T220012_1A2B.vib"), "dc01*.vib");
        assert_eq!(label("Sicherung_25.11.2026.zip"), "Sicherung_*.zip");
        assert_eq!(label("2026-11-25"), "*");
        assert_eq!(label("daily.0"), "daily.*");
        assert!(!normalize("dc01").varies);
        assert!(!normalize("12345678.bin").varies, "not a date: month 56");
    }

    #[test]
    fn series_keep_jobs_apart_and_rotations_together() {
        assert!(same_series(
            "shop_2026-11-24.sql.gz",
            "shop_2026-11-25.sql.gz"
        ));
        assert!(!same_series(
            "shop_2026-11-24.sql.gz",
            "erp_2026-11-24.sql.gz"
        ));
        assert!(!same_series(
            "vzdump-qemu-101-2026_11_25-01_00_03.vma.zst",
            "vzdump-qemu-102-2026_11_25-01_00_03.vma.zst"
        ));
        assert!(same_series(
            "dc01-2026-10-13.vbk",
            "dc01-2026-10-14T220012.vib"
        ));
        assert!(same_series(
            "dc01D2026-10-13T220012_1A2B.vbk",
            "dc01D2026-10-14T220015_9F3C.vib"
        ));
        assert!(same_series(
            "shop_2026-11-25_06h25m.Wednesday.sql.gz",
            "shop_2026-11-22_06h25m.Sunday.sql.gz"
        ));
        assert!(same_series(
            "files-full-2026-11-01.tar",
            "files-incr-2026-11-02.tar"
        ));
        assert!(!same_series("dc01-2026-10-13.vbk", "dc02-2026-10-13.vbk"));
    }

    #[test]
    fn metadata_partial_and_empty_files_are_recognised() {
        for name in [
            "dc01.vbm",
            "job.log",
            "SHA256SUMS",
            "README.md",
            "dump.sql.gz.md5",
        ] {
            assert!(not_a_backup(name), "{name}");
        }
        for name in ["x.sql.gz.partial", ".shop.sql.gz.Ab3xZ9", "a.tmp", "b~"] {
            assert!(partial_name(name), "{name}");
        }
        assert!(!partial_name("shop.sql.gz"));
        assert_eq!(strip_partial(".shop.sql.gz.Ab3xZ9"), "shop.sql.gz");
        assert_eq!(
            strip_partial("db-2026-03-08.sql.gz.partial"),
            "db-2026-03-08.sql.gz"
        );
        assert!(!rsync_temporary(".bashrc"));
    }
}
