//! Google Workspace users: Admin SDK Directory API `users.list` (`{"kind":
//! "admin#directory#users", "users": [...], "nextPageToken": ...}`, pages possibly saved as
//! an array), with `isEnrolledIn2Sv` and `isEnforcedIn2Sv`. A `lastLoginTime` of the Unix epoch
//! means "never signed in".

use super::json::{self, LineFinder};
use super::text::parse_time;
use super::{Format, Input, ParseError, Parsed};
use crate::facts::UserFacts;

/// Directory API users.
pub struct Users;

impl Format for Users {
    fn name(&self) -> &'static str {
        "google-workspace-users"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let head = input.head;
        json::looks_like_json(head)
            && head.contains("\"primaryEmail\"")
            && (head.contains("\"isEnrolledIn2Sv\"") || head.contains("admin#directory#user"))
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let (document, body) = json::read_document(input.path)?;
        let mut lines = LineFinder::new(&body);
        let mut users = Vec::new();
        let mut customer = None;
        for record in json::records(&document, &["users"]) {
            let (email, line) = json::required(record, "primaryEmail", &mut lines)?;
            if customer.is_none() {
                customer = json::string(record, "customerId").map(str::to_owned);
            }
            let suspended = json::boolean(record, "suspended").unwrap_or(false)
                || json::boolean(record, "archived").unwrap_or(false);
            let last = match json::string(record, "lastLoginTime") {
                Some(t) => parse_time(t, input.tz)
                    .map_err(|m| ParseError::at(line, format!("`lastLoginTime`: {m}")))?,
                None => None,
            };
            users.push(UserFacts {
                name: email.to_owned(),
                enabled: Some(!suspended),
                interactive: true,
                admin: json::boolean(record, "isAdmin").unwrap_or(false)
                    || json::boolean(record, "isDelegatedAdmin").unwrap_or(false),
                mfa: json::boolean(record, "isEnrolledIn2Sv"),
                mfa_note: None,
                mfa_methods: Vec::new(),
                phishing_resistant: None,
                mfa_enforced: json::boolean(record, "isEnforcedIn2Sv"),
                last_sign_in: last,
                access_keys: Vec::new(),
                source: input.source(line),
                id: json::string(record, "id").map(str::to_owned),
            });
        }
        let domain = json::main_domain(users.iter().map(|u| u.name.as_str()))
            .or(customer)
            .unwrap_or_else(|| "unknown-domain".into());
        Ok(super::identity(
            format!("google:{domain}"),
            "google-workspace",
            input.rel,
            users,
        ))
    }
}
