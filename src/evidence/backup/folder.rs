//! Backup folders walked directly (`--backup-dir`): each folder directly under the root is a
//! backup set (the root itself when it holds files). Per set the newest and oldest good file
//! count as the last and first successful backup; empty files and `.partial`, `.part`, `.tmp`
//! or `~` files are incomplete; files modified after the walk began are counted apart. Only
//! counts are kept, so a tree of a million files costs no memory beyond its sets.

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

fn incomplete_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".partial", ".part", ".tmp", ".temp", ".incomplete", "~"]
        .iter()
        .any(|s| lower.ends_with(s))
        || lower.starts_with(".~")
}

/// Walks `root` and returns one backup set per folder directly under it. `now` is when the
/// walk began: files modified later are counted as `future`.
pub fn walk(root: &Path, now: jiff::Timestamp) -> Result<Vec<BackupSetFacts>, WalkError> {
    let err = |message: String| WalkError {
        path: root.display().to_string(),
        message,
    };
    let entries = std::fs::read_dir(root).map_err(|e| err(e.to_string()))?;
    let mut sets: Vec<std::path::PathBuf> = Vec::new();
    let mut loose_files = false;
    for entry in entries {
        let entry = entry.map_err(|e| err(e.to_string()))?;
        let kind = entry.file_type().map_err(|e| err(e.to_string()))?;
        if kind.is_dir() {
            sets.push(entry.path());
        } else if kind.is_file() {
            loose_files = true;
        }
    }
    sets.sort();
    let repository = root.display().to_string();
    let mut out: Vec<BackupSetFacts> = sets
        .par_iter()
        .map(|dir| {
            let name = dir
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            walk_set(dir, &name, &repository, now, usize::MAX)
        })
        .collect();
    if loose_files {
        // Files directly in the root form a set of their own; the sub-folders are theirs.
        out.insert(0, walk_set(root, ".", &repository, now, 1));
    }
    Ok(out)
}

fn walk_set(
    dir: &Path,
    name: &str,
    repository: &str,
    now: jiff::Timestamp,
    depth: usize,
) -> BackupSetFacts {
    let mut set = BackupSetFacts {
        tool: "folder".into(),
        repository: repository.to_owned(),
        name: name.to_owned(),
        encrypted: None,
        source: SourceRef {
            file: dir.display().to_string().into(),
            line: 0,
        },
        ..BackupSetFacts::default()
    };
    for entry in walkdir::WalkDir::new(dir)
        .max_depth(depth)
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let modified = meta
            .modified()
            .ok()
            .and_then(|m| jiff::Timestamp::try_from(m).ok());
        let Some(modified) = modified else { continue };
        if modified > now {
            set.future += 1;
            continue;
        }
        let file_name = entry.file_name().to_string_lossy();
        if meta.len() == 0 || incomplete_name(&file_name) {
            set.incomplete += 1;
            continue;
        }
        set.successful += 1;
        set.last_success = set.last_success.max(Some(modified));
        set.first_success = Some(set.first_success.map_or(modified, |t| t.min(modified)));
    }
    set
}
