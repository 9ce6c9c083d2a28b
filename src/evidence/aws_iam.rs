//! AWS IAM credential report: the CSV of `aws iam get-credential-report` (documented in the
//! IAM User Guide, "Getting credential reports"), and the CLI's JSON around it with the CSV
//! base64-encoded in `Content`.

use base64::Engine;

use super::text::{
    columns, csv_header, csv_header_fields, csv_reader, field, next_record, parse_time,
};
use super::{Format, Input, ParseError, Parsed};
use crate::facts::{AccessKeyFacts, SourceRef, UserFacts};

const REQUIRED: [&str; 4] = ["user", "arn", "password_enabled", "mfa_active"];

/// The credential report as CSV.
pub struct CredentialReport;

impl Format for CredentialReport {
    fn name(&self) -> &'static str {
        "aws-iam-credential-report"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let fields = csv_header_fields(csv_header(input.head));
        REQUIRED.iter().all(|r| fields.iter().any(|f| f == r))
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let bytes = super::text::read_utf8(input.path)?;
        parse_report(&bytes, input.rel, input.rel)
    }
}

/// `aws iam get-credential-report` output: `{"Content": "<base64 CSV>", "ReportFormat":
/// "text/csv", "GeneratedTime": ...}`.
pub struct CredentialReportJson;

#[derive(serde::Deserialize)]
struct ReportJson {
    #[serde(rename = "Content")]
    content: String,
    #[serde(rename = "ReportFormat", default)]
    report_format: Option<String>,
}

impl Format for CredentialReportJson {
    fn name(&self) -> &'static str {
        "aws-iam-credential-report-json"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let head = input.head.trim_start();
        head.starts_with('{') && head.contains("\"Content\"") && head.contains("\"ReportFormat\"")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let bytes = super::text::read_utf8(input.path)?;
        let report: ReportJson =
            serde_json::from_slice(&bytes).map_err(|e| ParseError::json(&e))?;
        if let Some(format) = report.report_format.as_deref()
            && format != "text/csv"
        {
            return Err(ParseError::whole(format!(
                "`ReportFormat` is `{format}`: expected `text/csv`"
            )));
        }
        let compact: String = report.content.split_whitespace().collect();
        let csv = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|e| ParseError::whole(format!("`Content` is not base64: {e}")))?;
        parse_report(&csv, input.rel, &format!("{} (Content)", input.rel))
    }
}

fn parse_report(bytes: &[u8], rel: &str, cite: &str) -> Result<(Parsed, u64), ParseError> {
    let (mut reader, skipped) = csv_reader(bytes);
    let headers = reader
        .byte_headers()
        .map_err(|e| ParseError::at(1 + skipped, e.to_string()))?
        .clone();
    let wanted = [
        "user",
        "arn",
        "password_enabled",
        "password_last_used",
        "mfa_active",
        "access_key_1_active",
        "access_key_1_last_rotated",
        "access_key_1_last_used_date",
        "access_key_2_active",
        "access_key_2_last_rotated",
        "access_key_2_last_used_date",
    ];
    let col = columns(&headers, &wanted);
    for (name, c) in wanted.iter().zip(&col).take(5) {
        if c.is_none() {
            return Err(ParseError::at(
                1 + skipped,
                format!("no `{name}` column: expected the header of an IAM credential report"),
            ));
        }
    }
    let mut users = Vec::new();
    let mut account = None;
    let mut record = csv::ByteRecord::new();
    while let Some(line) = next_record(&mut reader, &mut record, skipped)? {
        let get = |i: usize| field(&record, col[i]);
        let flag = |i: usize| -> Result<bool, ParseError> {
            match get(i) {
                "true" | "TRUE" | "True" => Ok(true),
                "false" | "FALSE" | "False" | "not_supported" | "N/A" | "" => Ok(false),
                other => Err(ParseError::at(
                    line,
                    format!("`{}`: expected true or false, found `{other}`", wanted[i]),
                )),
            }
        };
        let time = |i: usize| {
            parse_time(get(i)).map_err(|m| ParseError::at(line, format!("`{}`: {m}", wanted[i])))
        };
        let name = get(0).to_owned();
        if name.is_empty() {
            return Err(ParseError::at(
                line,
                "empty `user`: expected an IAM user name or <root_account>",
            ));
        }
        let arn = get(1);
        if account.is_none() {
            account = arn
                .split(':')
                .nth(4)
                .filter(|a| !a.is_empty())
                .map(str::to_owned);
        }
        let root = name == "<root_account>";
        let mut access_keys = Vec::new();
        for (slot, base) in [(1u8, 5usize), (2, 8)] {
            if col[base].is_none() {
                continue;
            }
            access_keys.push(AccessKeyFacts {
                slot,
                active: flag(base)?,
                last_rotated: time(base + 1)?,
                last_used: time(base + 2)?,
            });
        }
        users.push(UserFacts {
            name,
            enabled: None,
            // The root user always has a console password; the report says `not_supported`.
            interactive: root || flag(2)?,
            admin: root,
            mfa: Some(flag(4)?),
            mfa_methods: Vec::new(),
            phishing_resistant: None,
            mfa_enforced: None,
            last_sign_in: time(3)?,
            access_keys,
            source: SourceRef {
                file: cite.to_owned(),
                line,
            },
            id: None,
        });
    }
    let account = account.unwrap_or_else(|| "unknown-account".into());
    Ok(super::identity(
        format!("aws:{account}"),
        "aws-iam",
        rel,
        users,
    ))
}
