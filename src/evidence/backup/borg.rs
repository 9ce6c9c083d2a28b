//! `borg list --json REPO` and `borg info --json REPO::ARCHIVE` (Borg 1.x manual, "JSON
//! output": `repository.location`, `encryption.mode`, `archives[]` with `start`/`time`).
//! Borg writes local time without a zone: times are read in `--evidence-tz`. Archives named
//! `*.checkpoint` are interrupted backups and do not count as successes.

use serde_json::Value;

use crate::evidence::{Format, HostEvidence, Input, ParseError, Parsed, json, text};
use crate::facts::BackupSetFacts;

/// `borg list --json` and `borg info --json`.
pub struct Listing;

impl Format for Listing {
    fn name(&self) -> &'static str {
        "borg-json"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        json::looks_like_json(input.head)
            && input.head.contains("\"repository\"")
            && input.head.contains("\"encryption\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let (document, text) = json::read_document(input.path)?;
        let location = document
            .pointer("/repository/location")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ParseError::at(1, "no `repository.location`: expected `borg list --json`")
            })?;
        let mode = document
            .pointer("/encryption/mode")
            .and_then(Value::as_str)
            .unwrap_or("unknown");
        let mut set = BackupSetFacts {
            tool: "borg".into(),
            repository: location.to_owned(),
            name: location.to_owned(),
            encrypted: match mode {
                "none" | "authenticated" | "authenticated-blake2" => Some(false),
                "unknown" => None,
                _ => Some(true),
            },
            encryption: Some(mode.to_owned()),
            source: input.source(1),
            ..BackupSetFacts::default()
        };
        let mut lines = json::LineFinder::new(&text);
        let archives = document
            .get("archives")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for archive in &archives {
            let name = json::string(archive, "name")
                .or_else(|| json::string(archive, "archive"))
                .unwrap_or("");
            let line = lines.next(name).max(1);
            let when = json::string(archive, "end")
                .or_else(|| json::string(archive, "start"))
                .or_else(|| json::string(archive, "time"))
                .ok_or_else(|| {
                    ParseError::at(line, format!("archive `{name}` without `start` or `time`"))
                })?;
            let time = text::parse_time(when, input.tz)
                .map_err(|m| ParseError::at(line, format!("archive `{name}`: {m}")))?;
            let Some(time) = time else { continue };
            if name.ends_with(".checkpoint") || name.contains(".checkpoint.") {
                set.incomplete += 1;
                continue;
            }
            set.successful += 1;
            set.last_success = set.last_success.max(Some(time));
            set.first_success = Some(set.first_success.map_or(time, |t| t.min(time)));
        }
        Ok((
            Parsed::Host(Box::new(HostEvidence {
                backups: vec![set],
                ..HostEvidence::default()
            })),
            archives.len() as u64,
        ))
    }
}
