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
            let yes_no = |v: &str| -> Result<bool, ParseError> {
                match v {
                    "yes" => Ok(true),
                    "no" => Ok(false),
                    other => Err(ParseError::at(
                        line_no,
                        format!("`{keyword}`: expected yes or no, found `{other}`"),
                    )),
                }
            };
            let list = |v: &str| v.split(',').map(str::to_owned).collect::<Vec<_>>();
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
                _ => continue,
            }
            facts.lines.insert(keyword.to_owned(), line_no);
        }
        if facts.password_authentication.is_none() {
            return Err(ParseError::whole(
                "no `passwordauthentication` line: expected the complete output of `sshd -T`",
            ));
        }
        Ok((
            Parsed::Host(Box::new(HostEvidence {
                sshd: Some(facts),
                ..HostEvidence::default()
            })),
            settings,
        ))
    }
}
