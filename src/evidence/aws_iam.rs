//! AWS IAM credential report: the CSV of `aws iam get-credential-report` (documented in the
//! IAM User Guide, "Getting credential reports"), and the CLI's JSON around it with the CSV
//! base64-encoded in `Content`.

use base64::Engine;

use std::sync::Arc;

use super::text::{CsvFile, CsvTable, RowFn, csv_header, csv_header_fields, field, parse_time};
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
        let csv = CsvFile::open(input.path)?;
        let col = columns(|wanted| csv.columns(wanted))?;
        let users = csv.rows(input.path, report_row(&col, &input.cite, input.tz))?;
        // The head holds the first rows, whose ARNs name the account.
        let account = CsvTable::new(input.head)
            .ok()
            .and_then(|t| account(&t, &col));
        Ok(report_identity(account, input.rel, users))
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
        let text = super::text::read_utf8(input.path)?;
        let report: ReportJson = serde_json::from_str(&text).map_err(|e| ParseError::json(&e))?;
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
        let csv = String::from_utf8(csv).unwrap_or_else(|e| super::text::decode(e.as_bytes()));
        let table = CsvTable::new(&csv)?;
        let col = columns(|wanted| table.columns(wanted))?;
        let cite: Arc<str> = format!("{} (Content)", input.rel).into();
        let users = table.rows(report_row(&col, &cite, input.tz))?;
        Ok(report_identity(account(&table, &col), input.rel, users))
    }
}

/// The report's columns, in the order [`report_row`] reads them.
const WANTED: [&str; 11] = [
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

/// The index of every [`WANTED`] column; an error when one of the first five is missing.
fn columns(
    find: impl FnOnce(&[&str]) -> Vec<Option<usize>>,
) -> Result<Vec<Option<usize>>, ParseError> {
    let col = find(&WANTED);
    match WANTED.iter().zip(&col).take(5).find(|(_, c)| c.is_none()) {
        Some((name, _)) => Err(ParseError::at(
            1,
            format!("no `{name}` column: expected the header of an IAM credential report"),
        )),
        None => Ok(col),
    }
}

/// The account id: the fifth part of the first ARN (`arn:aws:iam::123456789012:user/anna`).
fn account(table: &CsvTable<'_>, col: &[Option<usize>]) -> Option<String> {
    table.find_map(|fields| {
        field(fields, col[1])
            .split(':')
            .nth(4)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
    })
}

fn report_identity(account: Option<String>, rel: &str, users: Vec<UserFacts>) -> (Parsed, u64) {
    let account = account.unwrap_or_else(|| "unknown-account".into());
    super::identity(format!("aws:{account}"), "aws-iam", rel, users)
}

/// One user of the report.
fn report_row<'a>(
    col: &'a [Option<usize>],
    cite: &'a Arc<str>,
    tz: &'a jiff::tz::TimeZone,
) -> impl RowFn<UserFacts> + 'a {
    move |fields, line| {
        let get = |i: usize| field(fields, col[i]);
        let flag = |i: usize| -> Result<bool, ParseError> {
            match get(i) {
                "true" | "TRUE" | "True" => Ok(true),
                "false" | "FALSE" | "False" | "not_supported" | "N/A" | "" => Ok(false),
                other => Err(ParseError::at(
                    line,
                    format!("`{}`: expected true or false, found `{other}`", WANTED[i]),
                )),
            }
        };
        let time = |i: usize| {
            parse_time(get(i), tz)
                .map_err(|m| ParseError::at(line, format!("`{}`: {m}", WANTED[i])))
        };
        let name = get(0);
        if name.is_empty() {
            return Err(ParseError::at(
                line,
                "empty `user`: expected an IAM user name or <root_account>",
            ));
        }
        let root = name == "<root_account>";
        let mut slots = [None, None];
        for (slot, base) in [(0, 5usize), (1, 8)] {
            if col[base].is_none() {
                continue;
            }
            let key = AccessKeyFacts {
                slot: slot as u8 + 1,
                active: flag(base)?,
                last_rotated: time(base + 1)?,
                last_used: time(base + 2)?,
            };
            // An inactive slot that was never rotated nor used holds no key.
            if key.active || key.last_rotated.is_some() || key.last_used.is_some() {
                slots[slot] = Some(key);
            }
        }
        // Sized exactly: 100,000 users with room for four keys each is memory for nothing.
        let mut access_keys = Vec::with_capacity(slots.iter().flatten().count());
        access_keys.extend(slots.into_iter().flatten());
        Ok(UserFacts {
            name: name.to_owned(),
            enabled: None,
            // The root user always has a console password; the report says `not_supported`.
            interactive: root || flag(2)?,
            admin: root,
            mfa: Some(flag(4)?),
            mfa_note: None,
            mfa_methods: Vec::new(),
            phishing_resistant: None,
            mfa_enforced: None,
            last_sign_in: time(3)?,
            access_keys,
            source: SourceRef {
                file: Arc::clone(cite),
                line,
            },
            id: None,
        })
    }
}
