//! Okta users (`GET /api/v1/users`, optionally with `_embedded.factors`) and factors (`GET
//! /api/v1/users/{id}/factors`, one file per user). A factor counts only when its status is
//! `ACTIVE`: `PENDING_ACTIVATION` and `NOT_SETUP` are not a second factor. Users are joined to
//! factor files by the user id in the factors' `_links` or in the file name.

use serde_json::Value;

use super::json::{self, LineFinder};
use super::text::parse_time;
use super::{Format, Input, ParseError, Parsed};
use crate::facts::{IdentityFacts, UserFacts};

/// Okta factor types that resist phishing.
const PHISHING_RESISTANT: [&str; 2] = ["webauthn", "u2f"];

/// The org host and user id in an Okta API link
/// (`https://example.okta.com/api/v1/users/00u.../factors/...`).
fn org_and_user(href: &str) -> Option<(String, String)> {
    let rest = href
        .strip_prefix("https://")
        .or_else(|| href.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    let user = path
        .strip_prefix("api/v1/users/")?
        .split('/')
        .next()?
        .to_owned();
    Some((host.to_owned(), user))
}

fn self_href(record: &Value) -> Option<&str> {
    json::get(record, "_links")
        .and_then(|l| json::get(l, "self"))
        .and_then(|s| json::string(s, "href"))
}

/// An Okta user id in a file name (`factors-00u1a2b3c4d5e6f7g8h9.json`).
fn user_id_in_name(rel: &str) -> Option<String> {
    let name = rel.rsplit('/').next()?;
    let at = name.find("00u")?;
    let id: String = name[at..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (id.len() >= 15).then_some(id)
}

/// Active factor types of a factor list (pending ones do not count).
fn active_factors(factors: &[Value]) -> Vec<String> {
    factors
        .iter()
        .filter(|f| json::string(f, "status").is_some_and(|s| s.eq_ignore_ascii_case("ACTIVE")))
        .filter_map(|f| json::string(f, "factorType").map(str::to_owned))
        .collect()
}

/// Sets the MFA facts of a user from active factor types. A security question is not a
/// second factor.
fn apply_factors(user: &mut UserFacts, factors: &[String]) {
    for factor in factors {
        if !user.mfa_methods.contains(factor) {
            user.mfa_methods.push(factor.clone());
        }
    }
    user.mfa = Some(user.mfa_methods.iter().any(|f| f != "question"));
    user.phishing_resistant = Some(
        user.mfa_methods
            .iter()
            .any(|f| PHISHING_RESISTANT.contains(&f.as_str())),
    );
}

/// Okta users.
pub struct Users;

impl Format for Users {
    fn name(&self) -> &'static str {
        "okta-users"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let head = input.head.trim_start();
        head.starts_with('[')
            && head.contains("\"profile\"")
            && head.contains("\"login\"")
            && head.contains("\"status\"")
            && head.contains("/api/v1/users/")
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let (document, body) = json::read_document(input.path)?;
        let mut lines = LineFinder::new(&body);
        let Some(list) = document.as_array() else {
            return Err(ParseError::at(1, "expected a JSON array of Okta users"));
        };
        let mut org = None;
        let mut users = Vec::new();
        for record in list {
            let profile = json::get(record, "profile").unwrap_or(&Value::Null);
            let (login, line) = json::required(profile, "login", &mut lines)?;
            if org.is_none() {
                org = self_href(record)
                    .and_then(org_and_user)
                    .map(|(host, _)| host);
            }
            let status = json::string(record, "status").unwrap_or("");
            // STAGED and PROVISIONED users have not activated yet; SUSPENDED and
            // DEPROVISIONED cannot sign in.
            let enabled = matches!(
                status,
                "ACTIVE" | "PASSWORD_EXPIRED" | "LOCKED_OUT" | "RECOVERY"
            );
            let last = match json::string(record, "lastLogin") {
                Some(t) => parse_time(t, input.tz)
                    .map_err(|m| ParseError::at(line, format!("`lastLogin`: {m}")))?,
                None => None,
            };
            let mut user = UserFacts {
                name: login.to_owned(),
                enabled: Some(enabled),
                interactive: true,
                admin: false,
                mfa: None,
                mfa_note: None,
                mfa_methods: Vec::new(),
                phishing_resistant: None,
                mfa_enforced: None,
                last_sign_in: last,
                access_keys: Vec::new(),
                source: input.source(line),
                id: json::string(record, "id").map(str::to_owned),
            };
            let embedded = json::get(record, "_embedded")
                .and_then(|e| json::get(e, "factors"))
                .or_else(|| json::get(record, "factors"))
                .and_then(Value::as_array);
            if let Some(factors) = embedded {
                apply_factors(&mut user, &active_factors(factors));
            }
            users.push(user);
        }
        let org = org.unwrap_or_else(|| "unknown-org".into());
        Ok(super::identity(
            format!("okta:{org}"),
            "okta",
            input.rel,
            users,
        ))
    }
}

/// Factors of one user.
pub struct Factors;

impl Format for Factors {
    fn name(&self) -> &'static str {
        "okta-factors"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let head = input.head.trim_start();
        let empty_list = head.trim_end() == "[]" && user_id_in_name(input.rel).is_some();
        empty_list || (head.starts_with('[') && head.contains("\"factorType\""))
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let (document, _) = json::read_document(input.path)?;
        let Some(list) = document.as_array() else {
            return Err(ParseError::at(1, "expected a JSON array of Okta factors"));
        };
        let from_name = user_id_in_name(input.rel);
        let mut org = None;
        let mut user = from_name.clone();
        for factor in list {
            if let Some((host, id)) = self_href(factor).and_then(org_and_user) {
                org.get_or_insert(host);
                user.get_or_insert(id);
            }
        }
        let Some(user) = user else {
            return Err(ParseError::whole(
                "cannot tell whose factors these are: expected `_links.self.href` with /api/v1/users/<id>/ or the user id (00u...) in the file name",
            ));
        };
        let active = active_factors(list);
        let records = u64::try_from(list.len()).unwrap_or(u64::MAX);
        Ok((
            Parsed::OktaFactors {
                id: org.map(|o| format!("okta:{o}")).unwrap_or_default(),
                user,
                active,
            },
            records,
        ))
    }
}

/// Joins one user's factor list to the users of its org (any Okta org when the factor file
/// did not name one).
pub fn join_factors(
    identities: &mut [IdentityFacts],
    id: &str,
    user_id: &str,
    active: &[String],
) -> Option<String> {
    for identity in identities
        .iter_mut()
        .filter(|i| i.provider == "okta" && (id.is_empty() || i.id == id))
    {
        if let Some(user) = identity
            .users
            .iter_mut()
            .find(|u| u.id.as_deref() == Some(user_id))
        {
            apply_factors(user, active);
            return Some(identity.id.clone());
        }
    }
    None
}
