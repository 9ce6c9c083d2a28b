//! AWS `ec2 describe-volumes` (EC2 API Reference, Volume: `Encrypted`, `KmsKeyId`) and
//! `s3api get-bucket-encryption` (S3 API Reference, ServerSideEncryptionConfiguration). Each
//! EBS volume is an asset (`vol-...`, the name AWS Backup recovery points use too); a bucket is
//! named by the file, since the output does not name it (`get-bucket-encryption-BUCKET.json`
//! → `s3:BUCKET`).

use serde_json::Value;

use crate::evidence::{Format, HostEvidence, Input, ParseError, Parsed, json};
use crate::facts::VolumeFacts;

/// `aws ec2 describe-volumes`.
pub struct Volumes;

/// `aws s3api get-bucket-encryption`.
pub struct BucketEncryption;

impl Format for Volumes {
    fn name(&self) -> &'static str {
        "aws-ebs-volumes"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        json::looks_like_json(input.head)
            && input.head.contains("\"Volumes\"")
            && input.head.contains("\"VolumeId\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let (document, text) = json::read_document(input.path)?;
        let volumes = json::get(&document, "Volumes")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::at(1, "no `Volumes` array"))?;
        let mut lines = json::LineFinder::new(&text);
        let mut assets = Vec::new();
        for volume in volumes {
            let id = json::string(volume, "VolumeId").ok_or_else(|| {
                ParseError::at(lines.next("VolumeId"), "a volume without `VolumeId`")
            })?;
            let line = lines.next(id).max(1);
            let encrypted = json::boolean(volume, "Encrypted")
                .ok_or_else(|| ParseError::at(line, format!("volume {id} without `Encrypted`")))?;
            let attached: Vec<String> = json::get(volume, "Attachments")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    Some(format!(
                        "{} {}",
                        json::string(a, "InstanceId")?,
                        json::string(a, "Device").unwrap_or("")
                    ))
                })
                .collect();
            assets.push((
                id.to_owned(),
                HostEvidence {
                    volumes: vec![VolumeFacts {
                        name: id.to_owned(),
                        kind: "aws-ebs".into(),
                        mountpoints: attached,
                        fstype: json::string(volume, "VolumeType").map(str::to_owned),
                        holds_data: true,
                        encrypted: Some(encrypted),
                        layer: encrypted.then(|| "EBS encryption".to_owned()),
                        method: json::string(volume, "KmsKeyId").map(str::to_owned),
                        key_protectors: Vec::new(),
                        source: input.source(line),
                        also_in: Vec::new(),
                    }],
                    ..HostEvidence::default()
                },
            ));
        }
        Ok((Parsed::Assets(assets), volumes.len() as u64))
    }
}

impl Format for BucketEncryption {
    fn name(&self) -> &'static str {
        "aws-s3-bucket-encryption"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        json::looks_like_json(input.head)
            && input.head.contains("\"ServerSideEncryptionConfiguration\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let (document, _) = json::read_document(input.path)?;
        let rules = document
            .pointer("/ServerSideEncryptionConfiguration/Rules")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::at(1, "no `ServerSideEncryptionConfiguration.Rules`"))?;
        let algorithm = rules
            .iter()
            .find_map(|r| r.pointer("/ApplyServerSideEncryptionByDefault/SSEAlgorithm"))
            .and_then(Value::as_str);
        let stem = input
            .path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let bucket = stem
            .strip_prefix("get-bucket-encryption-")
            .or_else(|| stem.strip_prefix("bucket-encryption-"))
            .unwrap_or(&stem)
            .to_owned();
        let asset = format!("s3:{bucket}");
        Ok((
            Parsed::Assets(vec![(
                asset.clone(),
                HostEvidence {
                    volumes: vec![VolumeFacts {
                        name: asset,
                        kind: "aws-s3".into(),
                        holds_data: true,
                        encrypted: Some(algorithm.is_some()),
                        layer: algorithm.map(|_| "S3 default encryption".to_owned()),
                        method: algorithm.map(str::to_owned),
                        source: input.source(1),
                        ..VolumeFacts::default()
                    }],
                    ..HostEvidence::default()
                },
            )]),
            rules.len() as u64,
        ))
    }
}
