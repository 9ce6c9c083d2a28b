//! PAM service files (`/etc/pam.d/<service>`): which `auth` modules run, in order.

use super::{Format, HostEvidence, Input, ParseError, Parsed};
use crate::facts::{PamModuleFacts, PamServiceFacts};

/// Modules that are a second factor.
const SECOND_FACTOR_MODULES: [&str; 7] = [
    "pam_google_authenticator.so",
    "pam_oath.so",
    "pam_duo.so",
    "pam_u2f.so",
    "pam_yubico.so",
    "pam_radius_auth.so",
    "pam_totp.so",
];

const TYPES: [&str; 4] = ["auth", "account", "password", "session"];

/// Whether a line is a PAM rule or include; comments and blank lines are `None`.
fn is_rule(line: &str) -> Option<bool> {
    let line = strip_comment(line);
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    if line.starts_with("@include ") {
        return Some(true);
    }
    let kind = line.split_whitespace().next()?.trim_start_matches('-');
    Some(TYPES.contains(&kind) && line.split_whitespace().count() >= 2)
}

/// The line without a trailing `# comment` (Debian's files have them: `pam_env.so # [1]`).
fn strip_comment(line: &str) -> &str {
    let line = line.trim();
    match line.find('#') {
        Some(at) if at == 0 || line[..at].ends_with(char::is_whitespace) => line[..at].trim(),
        _ => line,
    }
}

/// A PAM service file.
pub struct PamService;

impl Format for PamService {
    fn name(&self) -> &'static str {
        "pam"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let verdicts: Vec<bool> = input.head.lines().take(200).filter_map(is_rule).collect();
        !verdicts.is_empty() && verdicts.iter().all(|&v| v)
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let text = super::text::read_text(input.path)?;
        let service = std::path::Path::new(input.rel)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut facts = PamServiceFacts {
            service,
            source: input.source(0),
            ..PamServiceFacts::default()
        };
        let mut rules = 0u64;
        for (index, raw) in text.lines().enumerate() {
            let line_no = u64::try_from(index + 1).unwrap_or(u64::MAX);
            let line = strip_comment(raw.trim_end_matches('\r'));
            match is_rule(line) {
                None => continue,
                Some(false) => {
                    return Err(ParseError::at(
                        line_no,
                        format!(
                            "expected `TYPE CONTROL MODULE [ARGS]` or `@include FILE`, found `{line}`"
                        ),
                    ));
                }
                Some(true) => rules += 1,
            }
            if let Some(file) = line.strip_prefix("@include ") {
                facts.includes.push(file.trim().to_owned());
                continue;
            }
            let (kind, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let rest = rest.trim_start();
            // A bracketed control (`[success=1 default=ignore]`) contains spaces.
            let (control, rest) = if rest.starts_with('[') {
                match rest.find(']') {
                    Some(end) => (&rest[..=end], rest[end + 1..].trim_start()),
                    None => {
                        return Err(ParseError::at(
                            line_no,
                            "`[` of the control is never closed",
                        ));
                    }
                }
            } else {
                rest.split_once(char::is_whitespace).unwrap_or((rest, ""))
            };
            let mut words = rest.split_whitespace();
            let module = words.next().unwrap_or("");
            if matches!(control, "include" | "substack") {
                facts.includes.push(module.to_owned());
                continue;
            }
            if kind.trim_start_matches('-') != "auth" {
                continue;
            }
            let module_name = module.rsplit('/').next().unwrap_or(module).to_owned();
            facts.auth.push(PamModuleFacts {
                second_factor: SECOND_FACTOR_MODULES.contains(&module_name.as_str()),
                module: module_name,
                control: control.to_owned(),
                args: words.map(str::to_owned).collect(),
                line: line_no,
            });
        }
        Ok((
            Parsed::Host(Box::new(HostEvidence {
                pam: vec![facts],
                ..HostEvidence::default()
            })),
            rules,
        ))
    }
}
