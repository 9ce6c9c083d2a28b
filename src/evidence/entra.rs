//! Microsoft Entra ID user registration details: Graph `GET
//! /reports/authenticationMethods/userRegistrationDetails` (JSON pages linked by
//! `@odata.nextLink`), `Get-MgReportAuthenticationMethodUserRegistrationDetail | ConvertTo-Json`
//! (PascalCase), and the same cmdlet piped to `Export-Csv` (German Excel: `;`, `dd.MM.yyyy`).

use std::borrow::Cow;

use super::json::{self, LineFinder};
use super::text::{self, CsvFile, csv_header, csv_header_fields, field};
use super::{Format, Input, ParseError, Parsed};
use crate::facts::{SourceRef, UserFacts};

/// Methods that resist phishing (Microsoft: "phishing-resistant MFA" strength).
const PHISHING_RESISTANT: [&str; 8] = [
    "fido2",
    "windowshelloforbusiness",
    "passkeydevicebound",
    "passkeydeviceboundauthenticator",
    "passkeydeviceboundwindowshello",
    "passkeysynced",
    "x509certificatemultifactor",
    "platformcredential",
];

fn phishing_resistant(methods: &[String]) -> Option<bool> {
    (!methods.is_empty()).then(|| {
        methods
            .iter()
            .any(|m| PHISHING_RESISTANT.contains(&m.to_ascii_lowercase().as_str()))
    })
}

fn identity(users: Vec<UserFacts>, rel: &str) -> (Parsed, u64) {
    let tenant = json::main_domain(users.iter().map(|u| u.name.as_str()))
        .unwrap_or_else(|| "unknown-tenant".into());
    super::identity(format!("entra:{tenant}"), "entra-id", rel, users)
}

/// One user as both export shapes give it. Guests authenticate in their home tenant and do not
/// count as interactive users of this one.
fn user(
    upn: &str,
    guest: bool,
    admin: Option<bool>,
    (registered, capable): (Option<bool>, Option<bool>),
    methods: Vec<String>,
    id: Option<&str>,
    source: SourceRef,
) -> UserFacts {
    // `isMfaCapable` is false when none of the registered methods is one the tenant's
    // authentication-methods policy allows: such a user cannot complete MFA.
    let (mfa, mfa_note) = match (registered, capable) {
        (Some(true), Some(false)) => (
            Some(false),
            Some(
                "registered, but no method the tenant's policy allows (isMfaCapable false)".into(),
            ),
        ),
        _ => (registered, None),
    };
    UserFacts {
        name: upn.to_owned(),
        enabled: None,
        interactive: !guest,
        admin: admin.unwrap_or(false),
        mfa,
        mfa_note,
        phishing_resistant: phishing_resistant(&methods),
        mfa_methods: methods,
        mfa_enforced: None,
        last_sign_in: None,
        access_keys: Vec::new(),
        source,
        id: id.filter(|s| !s.is_empty()).map(str::to_owned),
    }
}

/// Graph JSON (REST or PowerShell).
pub struct RegistrationDetailsJson;

impl Format for RegistrationDetailsJson {
    fn name(&self) -> &'static str {
        "entra-user-registration-details"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let head = input.head.trim_start();
        let lower = head
            .get(..head.len().min(16 * 1024))
            .unwrap_or(head)
            .to_ascii_lowercase();
        json::looks_like_json(head)
            && lower.contains("\"userprincipalname\"")
            && (lower.contains("\"ismfaregistered\"") || lower.contains("\"methodsregistered\""))
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = text::read_utf8(input.path)?;
        // A Graph page, a list of pages, or the list `ConvertTo-Json` writes.
        let records: Vec<GraphRecord<'_>> = if text.trim_start().starts_with('[') {
            serde_json::from_str(&text).map_err(|e| ParseError::json(&e))?
        } else {
            vec![serde_json::from_str(&text).map_err(|e| ParseError::json(&e))?]
        };
        let mut lines = LineFinder::new(&text);
        let mut users = Vec::new();
        for record in records.into_iter().flat_map(GraphRecord::users) {
            let Some(upn) = record.upn.as_deref() else {
                return Err(ParseError::at(
                    lines.next("userPrincipalName"),
                    "a record without `userPrincipalName`",
                ));
            };
            let line = lines.next(upn);
            users.push(user(
                upn,
                record
                    .user_type
                    .is_some_and(|t| t.eq_ignore_ascii_case("guest")),
                record.is_admin,
                (record.mfa, record.capable),
                record
                    .methods
                    .unwrap_or_default()
                    .into_iter()
                    .map(Cow::into_owned)
                    .collect(),
                record.id.as_deref(),
                input.source(line),
            ));
        }
        Ok(identity(users, input.rel))
    }
}

/// One record of the JSON exports: a user, or a page whose `value` holds users. Graph writes
/// camelCase, Graph PowerShell PascalCase; fields nobody reads are skipped, not built.
#[derive(serde::Deserialize)]
struct GraphRecord<'a> {
    #[serde(default, alias = "Value")]
    value: Option<Vec<GraphRecord<'a>>>,
    #[serde(
        default,
        borrow,
        rename = "userPrincipalName",
        alias = "UserPrincipalName"
    )]
    upn: Option<Cow<'a, str>>,
    #[serde(
        default,
        rename = "isAdmin",
        alias = "IsAdmin",
        deserialize_with = "lenient_bool"
    )]
    is_admin: Option<bool>,
    #[serde(
        default,
        rename = "isMfaRegistered",
        alias = "IsMfaRegistered",
        deserialize_with = "lenient_bool"
    )]
    mfa: Option<bool>,
    #[serde(
        default,
        rename = "isMfaCapable",
        alias = "IsMfaCapable",
        deserialize_with = "lenient_bool"
    )]
    capable: Option<bool>,
    #[serde(
        default,
        borrow,
        rename = "methodsRegistered",
        alias = "MethodsRegistered"
    )]
    methods: Option<Vec<Cow<'a, str>>>,
    #[serde(default, borrow, rename = "userType", alias = "UserType")]
    user_type: Option<Cow<'a, str>>,
    #[serde(default, borrow, rename = "id", alias = "Id")]
    id: Option<Cow<'a, str>>,
}

impl<'a> GraphRecord<'a> {
    /// The users this record stands for: the page's, or itself.
    fn users(self) -> Vec<GraphRecord<'a>> {
        match self.value {
            Some(page) => page,
            None => vec![self],
        }
    }
}

/// `true`, `false`, `null`, or the same as strings (`"True"` from some exports).
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Flag<'s> {
        Bool(bool),
        Text(&'s str),
    }
    match <Option<Flag<'_>> as serde::Deserialize>::deserialize(d)? {
        None => Ok(None),
        Some(Flag::Bool(b)) => Ok(Some(b)),
        Some(Flag::Text(t)) => text::parse_bool(t).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("expected true or false, found `{t}`"))
        }),
    }
}

/// `Export-Csv` of the registration details.
pub struct RegistrationDetailsCsv;

impl Format for RegistrationDetailsCsv {
    fn name(&self) -> &'static str {
        "entra-user-registration-details-csv"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let fields = csv_header_fields(csv_header(input.head));
        ["userprincipalname", "ismfaregistered"]
            .iter()
            .all(|r| fields.iter().any(|f| f == r))
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let table = CsvFile::open(input.path)?;
        let wanted = [
            "userprincipalname",
            "isadmin",
            "ismfaregistered",
            "methodsregistered",
            "usertype",
            "id",
            "ismfacapable",
        ];
        let col = table.columns(&wanted);
        let users = table.rows(input.path, |fields, line| {
            let upn = field(fields, col[0]);
            if upn.is_empty() {
                return Err(ParseError::at(line, "empty `UserPrincipalName`"));
            }
            let flag = |i: usize| -> Result<Option<bool>, ParseError> {
                let value = field(fields, col[i]);
                if text::is_empty_value(value) {
                    return Ok(None);
                }
                text::parse_bool(value).map(Some).ok_or_else(|| {
                    ParseError::at(
                        line,
                        format!("`{}`: expected True or False, found `{value}`", wanted[i]),
                    )
                })
            };
            let raw_methods = field(fields, col[3]);
            // `Export-Csv` writes an unjoined array as its type name: the methods are unknown.
            let methods: Vec<String> = if raw_methods.starts_with("System.") {
                Vec::new()
            } else {
                raw_methods
                    .split([',', ';', ' '])
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            Ok(user(
                upn,
                field(fields, col[4]).eq_ignore_ascii_case("guest"),
                flag(1)?,
                (flag(2)?, flag(6)?),
                methods,
                Some(field(fields, col[5])),
                input.source(line),
            ))
        })?;
        Ok(identity(users, input.rel))
    }
}
