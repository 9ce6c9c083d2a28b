//! `sshd -T`: the effective server configuration, one lower-case `keyword value` per line.

use super::{Format, HostEvidence, Input, ParseError, Parsed};
use crate::facts::SshdConfigFacts;

/// Keywords every `sshd -T` prints; three of them among the first lines recognise the format.
const MARKERS: [&str; 6] = [
    "port ",
    "addressfamily ",
    "listenaddress ",
    "logingracetime ",
    "permitrootlogin ",
    "pubkeyauthentication ",
];

/// `sshd -T` output.
pub struct SshdT;

impl Format for SshdT {
    fn name(&self) -> &'static str {
        "sshd-t"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let lines: Vec<&str> = input.head.lines().take(60).collect();
        let markers = MARKERS
            .iter()
            .filter(|m| lines.iter().any(|l| l.starts_with(*m)))
            .count();
        // Configuration files are mixed case (`PasswordAuthentication`); `sshd -T` is not.
        markers >= 3
            && lines.iter().filter(|l| !l.trim().is_empty()).all(|l| {
                l.split(' ').next().is_some_and(|k| {
                    k.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
            })
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = super::text::read_text(input.path)?;
        let mut facts = SshdConfigFacts {
            read_from: "sshd -T".into(),
            context: super::placement::context_spec(std::path::Path::new(input.rel))
                .map(|(spec, _)| spec),
            source: input.source(0),
            ..SshdConfigFacts::default()
        };
        let mut settings = 0u64;
        for (index, raw) in text.lines().enumerate() {
            let line_no = u64::try_from(index + 1).unwrap_or(u64::MAX);
            let line = raw.trim_end_matches('\r').trim();
            if line.is_empty() {
                continue;
            }
            let (keyword, value) = line.split_once(' ').unwrap_or((line, ""));
            if !keyword
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                return Err(ParseError::at(
                    line_no,
                    format!(
                        "expected a lower-case `keyword value` line of `sshd -T`, found `{line}`"
                    ),
                ));
            }
            settings += 1;
            let at = format!("{}:{line_no}", input.rel);
            apply_setting(&mut facts, keyword, value, at)
                .map_err(|message| ParseError::at(line_no, message))?;
        }
        if facts.password_authentication.is_none() {
            return Err(ParseError::whole(
                "no `passwordauthentication` line: expected the complete output of `sshd -T`",
            ));
        }
        Ok((
            Parsed::Host(Box::new(HostEvidence {
                sshd: vec![facts],
                ..HostEvidence::default()
            })),
            settings,
        ))
    }
}

/// Sets one judged setting (lower-case keyword) from its value; other keywords are ignored.
/// `at` says where it was read. Returns what was expected when the value is not understood.
pub fn apply_setting(
    facts: &mut SshdConfigFacts,
    keyword: &str,
    value: &str,
    at: String,
) -> Result<(), String> {
    let yes_no = |v: &str| -> Result<bool, String> {
        match v.to_ascii_lowercase().as_str() {
            "yes" => Ok(true),
            "no" => Ok(false),
            other => Err(format!("`{keyword}`: expected yes or no, found `{other}`")),
        }
    };
    // `sshd_config` may add to, remove from or put before the defaults (`+3des-cbc`); what it
    // adds or puts first is offered, what it removes is not.
    let list = |v: &str| {
        v.split(',')
            .filter(|a| !a.is_empty() && !a.starts_with('-'))
            .map(|a| a.trim_start_matches(['+', '^']).to_owned())
            .collect::<Vec<_>>()
    };
    match keyword {
        "passwordauthentication" => facts.password_authentication = Some(yes_no(value)?),
        // OpenSSH before 8.7 prints the older name.
        "kbdinteractiveauthentication" | "challengeresponseauthentication" => {
            facts.kbd_interactive_authentication = Some(yes_no(value)?);
        }
        "pubkeyauthentication" => facts.pubkey_authentication = Some(yes_no(value)?),
        "permitemptypasswords" => facts.permit_empty_passwords = Some(yes_no(value)?),
        "usepam" => facts.use_pam = Some(yes_no(value)?),
        "permitrootlogin" => facts.permit_root_login = Some(value.to_owned()),
        "authenticationmethods" => {
            facts.authentication_methods = if value == "any" {
                Vec::new()
            } else {
                value.split_whitespace().map(list).collect()
            };
        }
        "kexalgorithms" => facts.kex = list(value),
        "ciphers" => facts.ciphers = list(value),
        "macs" => facts.macs = list(value),
        "hostkeyalgorithms" => facts.host_key_algorithms = list(value),
        // Settings no check reads are counted, not kept.
        _ => return Ok(()),
    }
    let keyword = if keyword == "challengeresponseauthentication" {
        "kbdinteractiveauthentication"
    } else {
        keyword
    };
    facts.at.insert(keyword.to_owned(), at);
    Ok(())
}
