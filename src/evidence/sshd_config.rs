//! `sshd_config` files (sshd_config(5)): the global settings, with OpenSSH's defaults for what
//! the file leaves unset, and one connection context per `Match` block.
//!
//! Keywords are case-insensitive and the first value given wins. A `Match` block runs to the
//! next `Match`; `Match all` returns to settings for every connection. A block's settings
//! override the global ones for the connections it matches, so each block is judged as the
//! global settings with its own on top. `Include` is followed into files of the evidence folder
//! that sit where the pattern points, by folder name (`Include /etc/ssh/sshd_config.d/*.conf`
//! reads `sshd_config.d/*.conf` next to the file); an `Include` whose files were not collected
//! is noted in the facts, since what they set is unknown.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Format, HostEvidence, Input, ParseError, Parsed};
use crate::facts::SshdConfigFacts;

/// The keywords of sshd_config(5), lower-case, including ones older versions knew.
const KEYWORDS: &[&str] = &[
    "acceptenv",
    "addressfamily",
    "allowagentforwarding",
    "allowgroups",
    "allowstreamlocalforwarding",
    "allowtcpforwarding",
    "allowusers",
    "authenticationmethods",
    "authorizedkeyscommand",
    "authorizedkeyscommanduser",
    "authorizedkeysfile",
    "authorizedprincipalscommand",
    "authorizedprincipalscommanduser",
    "authorizedprincipalsfile",
    "banner",
    "casignaturealgorithms",
    "channeltimeout",
    "challengeresponseauthentication",
    "chrootdirectory",
    "ciphers",
    "clientalivecountmax",
    "clientaliveinterval",
    "compression",
    "denygroups",
    "denyusers",
    "disableforwarding",
    "exposeauthinfo",
    "fingerprinthash",
    "forcecommand",
    "gatewayports",
    "gssapiauthentication",
    "gssapicleanupcredentials",
    "gssapikeyexchange",
    "gssapistrictacceptorcheck",
    "gssapistorecredentialsonrekey",
    "hostbasedacceptedalgorithms",
    "hostbasedacceptedkeytypes",
    "hostbasedauthentication",
    "hostbasedusesnamefrompacketonly",
    "hostcertificate",
    "hostkey",
    "hostkeyagent",
    "hostkeyalgorithms",
    "ignorerhosts",
    "ignoreuserknownhosts",
    "include",
    "ipqos",
    "kbdinteractiveauthentication",
    "kerberosauthentication",
    "kerberosgetafstoken",
    "kerberosorlocalpasswd",
    "kerberosticketcleanup",
    "kexalgorithms",
    "keyregenerationinterval",
    "listenaddress",
    "logingracetime",
    "loglevel",
    "logverbose",
    "macs",
    "match",
    "maxauthtries",
    "maxsessions",
    "maxstartups",
    "modulifile",
    "passwordauthentication",
    "permitemptypasswords",
    "permitlisten",
    "permitopen",
    "permitrootlogin",
    "permittty",
    "permittunnel",
    "permituserenvironment",
    "permituserrc",
    "persourcemaxstartups",
    "persourcenetblocksize",
    "persourcepenalties",
    "persourcepenaltyexemptlist",
    "pidfile",
    "port",
    "printlastlog",
    "printmotd",
    "protocol",
    "pubkeyacceptedalgorithms",
    "pubkeyacceptedkeytypes",
    "pubkeyauthentication",
    "pubkeyauthoptions",
    "rdomain",
    "rekeylimit",
    "refuseconnection",
    "requiredrsasize",
    "revokedkeys",
    "rhostsrsaauthentication",
    "rsaauthentication",
    "securitykeyprovider",
    "serverkeybits",
    "setenv",
    "streamlocalbindmask",
    "streamlocalbindunlink",
    "strictmodes",
    "subsystem",
    "syslogfacility",
    "tcpkeepalive",
    "trustedusercakeys",
    "unusedconnectiontimeout",
    "usedns",
    "uselogin",
    "usepam",
    "useprivilegeseparation",
    "versionaddendum",
    "x11displayoffset",
    "x11forwarding",
    "x11uselocalhost",
    "xauthlocation",
    "debianbanner",
    "gssapikexalgorithms",
    "gssapienablek5users",
    "kerberosusekuserok",
    "gssapidelegatecredentials",
];

/// OpenSSH's defaults for the judged settings a file leaves unset (sshd_config(5)).
const DEFAULTS: [(&str, &str); 7] = [
    ("passwordauthentication", "yes"),
    ("kbdinteractiveauthentication", "yes"),
    ("pubkeyauthentication", "yes"),
    ("permitemptypasswords", "no"),
    ("permitrootlogin", "prohibit-password"),
    ("usepam", "no"),
    ("authenticationmethods", "any"),
];

/// How deep `Include`s are followed (OpenSSH's own limit is 16).
const MAX_INCLUDE_DEPTH: usize = 16;

/// `sshd_config` and the files it includes.
pub struct SshdConfig;

/// `Keyword value` or `Keyword=value`, keyword lower-cased.
fn split_line(line: &str) -> Option<(String, &str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let value = line[end..]
        .trim_start()
        .trim_start_matches('=')
        .trim()
        .trim_matches('"');
    Some((line[..end].to_ascii_lowercase(), value))
}

impl Format for SshdConfig {
    fn name(&self) -> &'static str {
        "sshd-config"
    }

    fn recognise(&self, input: &Input<'_>) -> bool {
        let mut known = 0usize;
        let mut other = 0usize;
        let mut mixed_case = false;
        for line in input.head.lines().take(400) {
            let Some((keyword, _)) = split_line(line) else {
                continue;
            };
            if KEYWORDS.contains(&keyword.as_str()) {
                known += 1;
                mixed_case |= line
                    .trim_start()
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_uppercase());
            } else {
                other += 1;
            }
        }
        // A drop-in (`sshd_config.d/50-cloud-init.conf`) may set a single keyword.
        let named = input.rel.contains("sshd_config");
        mixed_case && other * 10 <= known && (known >= 2 || (named && known >= 1))
    }

    fn parse(&self, input: &Input<'_>) -> Result<(Parsed, u64), ParseError> {
        let mut reader = Reader {
            root_rel: input.rel,
            global: BTreeMap::new(),
            blocks: Vec::new(),
            scope: None,
            included: Vec::new(),
            notes: Vec::new(),
            settings: 0,
        };
        let text = super::text::read_text(input.path)?;
        reader.read(input.rel, input.path, &text, 0)?;
        let Reader {
            global,
            blocks,
            included,
            notes,
            settings,
            ..
        } = reader;
        let mut contexts = Vec::with_capacity(blocks.len() + 1);
        let mut effective_global = global.clone();
        for (keyword, default) in DEFAULTS {
            effective_global
                .entry(keyword.to_owned())
                .or_insert_with(|| Setting {
                    value: default.to_owned(),
                    at: format!("{} (OpenSSH default)", input.rel),
                });
        }
        contexts.push(context_facts(input, None, &effective_global, &notes)?);
        for block in blocks {
            let mut settings = effective_global.clone();
            settings.extend(block.settings);
            let mut facts = context_facts(input, Some(block.condition), &settings, &notes)?;
            facts.source = input.source(block.line);
            contexts.push(facts);
        }
        Ok((
            Parsed::Host(Box::new(HostEvidence {
                sshd: contexts,
                consumed: included,
                ..HostEvidence::default()
            })),
            settings,
        ))
    }
}

#[derive(Clone)]
struct Setting {
    value: String,
    at: String,
}

struct Block {
    condition: String,
    line: u64,
    settings: BTreeMap<String, Setting>,
}

struct Reader<'a> {
    root_rel: &'a str,
    global: BTreeMap<String, Setting>,
    blocks: Vec<Block>,
    /// The `Match` block being read, if any.
    scope: Option<usize>,
    /// Evidence files read through `Include`, relative to the evidence folder.
    included: Vec<String>,
    notes: Vec<String>,
    settings: u64,
}

impl Reader<'_> {
    fn read(&mut self, rel: &str, path: &Path, text: &str, depth: usize) -> Result<(), ParseError> {
        for (index, raw) in text.lines().enumerate() {
            let line_no = u64::try_from(index + 1).unwrap_or(u64::MAX);
            let Some((keyword, value)) = split_line(raw) else {
                continue;
            };
            let in_root = rel == self.root_rel;
            let error = |message: String| {
                if in_root {
                    ParseError::at(line_no, message)
                } else {
                    ParseError::at(line_no, format!("{rel}: {message}"))
                }
            };
            match keyword.as_str() {
                "match" if value.eq_ignore_ascii_case("all") => self.scope = None,
                "match" => {
                    if value.is_empty() {
                        return Err(error("`Match` without criteria".into()));
                    }
                    self.blocks.push(Block {
                        condition: format!("Match {value}"),
                        line: line_no,
                        settings: BTreeMap::new(),
                    });
                    self.scope = Some(self.blocks.len() - 1);
                }
                "include" => {
                    if depth >= MAX_INCLUDE_DEPTH {
                        return Err(error(format!(
                            "`Include` nested deeper than {MAX_INCLUDE_DEPTH} files"
                        )));
                    }
                    for pattern in value.split_whitespace() {
                        let files = included_files(path, pattern);
                        if files.is_empty() {
                            self.notes.push(format!(
                                "{rel}:{line_no}: Include {pattern}: the included files are not in the evidence; what they set is unknown"
                            ));
                        }
                        for file in files {
                            let file_rel = sibling_rel(rel, path, &file);
                            let text = super::text::read_text(&file)?;
                            self.included.push(file_rel.clone());
                            self.read(&file_rel, &file, &text, depth + 1)?;
                        }
                    }
                }
                _ if KEYWORDS.contains(&keyword.as_str()) => {
                    self.settings += 1;
                    // Checked here so a bad value is reported where it is written.
                    let mut probe = SshdConfigFacts::default();
                    super::sshd::apply_setting(&mut probe, &keyword, value, String::new())
                        .map_err(error)?;
                    let scope = match self.scope {
                        Some(index) => &mut self.blocks[index].settings,
                        None => &mut self.global,
                    };
                    scope.entry(keyword).or_insert_with(|| Setting {
                        value: value.to_owned(),
                        at: format!("{rel}:{line_no}"),
                    });
                }
                // A keyword of a newer or patched OpenSSH: noted, the rest is still judged.
                _ => self.notes.push(format!(
                    "{rel}:{line_no}: `{}` is not an sshd_config keyword postura knows; ignored",
                    raw.split_whitespace().next().unwrap_or_default()
                )),
            }
        }
        Ok(())
    }
}

/// The facts of one context from its settings.
fn context_facts(
    input: &Input<'_>,
    context: Option<String>,
    settings: &BTreeMap<String, Setting>,
    notes: &[String],
) -> Result<SshdConfigFacts, ParseError> {
    let mut facts = SshdConfigFacts {
        read_from: "sshd_config".into(),
        context,
        source: input.source(0),
        notes: notes.to_vec(),
        ..SshdConfigFacts::default()
    };
    for (keyword, setting) in settings {
        super::sshd::apply_setting(&mut facts, keyword, &setting.value, setting.at.clone())
            .map_err(ParseError::whole)?;
    }
    Ok(facts)
}

/// The evidence files an `Include` pattern names: its folder's name and file pattern, looked
/// up next to the including file (`/etc/ssh/sshd_config.d/*.conf` → `sshd_config.d/*.conf`).
/// A pattern in `/etc/ssh` itself (or relative, which sshd reads from `/etc/ssh`) is looked
/// up in the including file's own folder.
fn included_files(including: &Path, pattern: &str) -> Vec<PathBuf> {
    let here = including.parent().unwrap_or(Path::new("."));
    let pattern_path = Path::new(pattern);
    let Some(file_pattern) = pattern_path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
    else {
        return Vec::new();
    };
    let folder = pattern_path
        .parent()
        .and_then(Path::file_name)
        .map(|f| f.to_string_lossy().into_owned())
        .filter(|f| f != "ssh");
    let dir = match folder {
        Some(folder) => here.join(folder),
        None => here.to_path_buf(),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| glob_match(&file_pattern, &e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .filter(|p| p != including)
        .collect();
    // sshd reads the files of a glob in lexical order.
    files.sort();
    files
}

/// The evidence-relative name of a file found next to `rel`.
fn sibling_rel(rel: &str, path: &Path, file: &Path) -> String {
    let base = path.parent().unwrap_or(Path::new(""));
    let tail = file
        .strip_prefix(base)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/");
    match rel.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{tail}"),
        None => tail,
    }
}

/// `*` and `?` as glob(7) matches them in one path component, in linear time (the pattern
/// comes from evidence).
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|b| *b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_lines() {
        assert!(glob_match("*.conf", "50-cloud-init.conf"));
        assert!(!glob_match("*.conf", "50-cloud-init.conf.bak"));
        assert!(glob_match("0?-x", "01-x"));
        assert_eq!(
            split_line("  PasswordAuthentication=yes"),
            Some(("passwordauthentication".into(), "yes"))
        );
        assert_eq!(split_line("# Port 22"), None);
    }
}
