//! `restic snapshots --json` (restic manual, "Scripting": a JSON array of snapshots with
//! `time`, `hostname`, `paths`, `id`). restic lists only completed snapshots, and every restic
//! repository is encrypted. Snapshots are grouped by host and paths, as `restic forget
//! --group-by host,paths` groups them.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::evidence::{Format, HostEvidence, Input, ParseError, Parsed, json, text};
use crate::facts::BackupSetFacts;

/// `restic snapshots --json`.
pub struct Snapshots;

#[derive(Deserialize)]
struct Snapshot {
    time: String,
    #[serde(default)]
    hostname: String,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    short_id: String,
}

impl Format for Snapshots {
    fn name(&self) -> &'static str {
        "restic-snapshots"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let head = input.head.trim_start();
        head.starts_with('[')
            && head.contains("\"tree\"")
            && head.contains("\"paths\"")
            && head.contains("\"time\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = text::read_utf8(input.path)?;
        let snapshots: Vec<Snapshot> =
            serde_json::from_str(&text).map_err(|e| ParseError::json(&e))?;
        let mut lines = json::LineFinder::new(&text);
        let mut sets: BTreeMap<(String, Vec<String>), BackupSetFacts> = BTreeMap::new();
        for snapshot in &snapshots {
            let line = lines.next(&snapshot.time).max(1);
            let time = text::parse_time(&snapshot.time, input.tz)
                .map_err(|m| {
                    ParseError::at(line, format!("snapshot {}: `time`: {m}", snapshot.short_id))
                })?
                .ok_or_else(|| {
                    ParseError::at(
                        line,
                        format!("snapshot {} without a time", snapshot.short_id),
                    )
                })?;
            let set = sets
                .entry((snapshot.hostname.clone(), snapshot.paths.clone()))
                .or_insert_with(|| BackupSetFacts {
                    tool: "restic".into(),
                    repository: input.rel.to_owned(),
                    name: format!("{}:{}", snapshot.hostname, snapshot.paths.join(",")),
                    encrypted: Some(true),
                    encryption: Some("restic (AES-256, always on)".into()),
                    source: input.source(line),
                    ..BackupSetFacts::default()
                });
            set.successful += 1;
            set.last_success = set.last_success.max(Some(time));
            set.first_success = Some(set.first_success.map_or(time, |t| t.min(time)));
        }
        let count = snapshots.len() as u64;
        Ok((
            Parsed::Host(Box::new(HostEvidence {
                backups: sets.into_values().collect(),
                ..HostEvidence::default()
            })),
            count,
        ))
    }
}
