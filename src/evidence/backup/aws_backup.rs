//! AWS Backup `list-recovery-points-by-backup-vault` and `list-recovery-points-by-resource`
//! (AWS Backup API Reference, RecoveryPointByBackupVault / RecoveryPointByResource). AWS CLI v1
//! writes `CreationDate` as epoch seconds, v2 as ISO 8601; both are read. Only `COMPLETED`
//! recovery points are successes: `PARTIAL`, `FAILED`, `ABORTED` and the rest count as
//! incomplete. Each protected resource becomes an asset named by the last part of its ARN
//! (`vol-...`, `i-...`); the by-resource listing names no resource, so its file name does.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::evidence::{Format, HostEvidence, Input, ParseError, Parsed, json, text};
use crate::facts::BackupSetFacts;

/// `aws backup list-recovery-points-by-*`.
pub struct RecoveryPoints;

impl Format for RecoveryPoints {
    fn name(&self) -> &'static str {
        "aws-backup-recovery-points"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        json::looks_like_json(input.head) && input.head.contains("\"RecoveryPoints\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let (document, text) = json::read_document(input.path)?;
        let points = json::get(&document, "RecoveryPoints")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::at(1, "no `RecoveryPoints` array"))?;
        let file_stem = input
            .path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let mut lines = json::LineFinder::new(&text);
        let mut sets: BTreeMap<(String, String), BackupSetFacts> = BTreeMap::new();
        for point in points {
            let arn = json::string(point, "RecoveryPointArn").unwrap_or("");
            let line = lines.next(arn).max(1);
            let resource = json::string(point, "ResourceArn").unwrap_or(&file_stem);
            let asset = resource
                .rsplit(['/', ':'])
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or(resource)
                .to_owned();
            let vault = json::string(point, "BackupVaultName").unwrap_or("unknown vault");
            let created = match json::get(point, "CreationDate") {
                Some(Value::Number(n)) => n
                    .as_f64()
                    .and_then(|s| jiff::Timestamp::from_millisecond((s * 1000.0) as i64).ok()),
                Some(Value::String(s)) => text::parse_time(s, input.tz)
                    .map_err(|m| ParseError::at(line, format!("`CreationDate`: {m}")))?,
                _ => None,
            }
            .ok_or_else(|| ParseError::at(line, "a recovery point without `CreationDate`"))?;
            let set = sets
                .entry((asset.clone(), vault.to_owned()))
                .or_insert_with(|| BackupSetFacts {
                    tool: "aws-backup".into(),
                    repository: vault.to_owned(),
                    name: resource.to_owned(),
                    source: input.source(line),
                    ..BackupSetFacts::default()
                });
            if let Some(encrypted) = json::boolean(point, "IsEncrypted") {
                set.encrypted = Some(set.encrypted.unwrap_or(true) && encrypted);
                set.encryption = json::string(point, "EncryptionKeyArn")
                    .map(str::to_owned)
                    .or(set.encryption.take());
            }
            match json::string(point, "Status") {
                Some("COMPLETED") => {
                    set.successful += 1;
                    set.last_success = set.last_success.max(Some(created));
                    set.first_success = Some(set.first_success.map_or(created, |t| t.min(created)));
                }
                _ => set.incomplete += 1,
            }
        }
        let mut assets: BTreeMap<String, HostEvidence> = BTreeMap::new();
        for ((asset, _), set) in sets {
            assets.entry(asset).or_default().backups.push(set);
        }
        Ok((
            Parsed::Assets(assets.into_iter().collect()),
            points.len() as u64,
        ))
    }
}
