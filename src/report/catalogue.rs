//! The check catalogue as Markdown (`postura checks list --markdown`, committed as
//! `docs/checks.md`): one table per family, then every check with what it looks for, what
//! to do, its references and how it is decided.

use std::fmt::Write as _;

use super::html::labels;
use crate::checks::{Check, Family, Lang, Origin};

/// Renders the catalogue of `checks` in `lang`, families in report order.
pub fn checks_markdown(checks: &[Check], lang: Lang) -> String {
    let l = labels(lang);
    let label = |key: &str| l.get(key).cloned().unwrap_or_else(|| key.to_owned());
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", label("catalogue_title"));
    let _ = writeln!(out, "{}\n", label("catalogue_intro"));
    for family in Family::ALL.into_iter().chain([Family::Organisation]) {
        let in_family: Vec<&Check> = checks.iter().filter(|c| c.def.family == family).collect();
        if in_family.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "## {}\n",
            label(&format!("family_{}", family.as_str().replace('-', "_")))
        );
        let _ = writeln!(out, "| id | control | severity | asset | title |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for check in &in_family {
            let def = &check.def;
            let manual = if def.is_manual() {
                format!(" ({})", label("manual_marker"))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| [`{id}`](#{id}) | {} | {} | {} | {}{manual} |",
                def.control,
                def.severity.as_str(),
                def.asset,
                def.title.get(lang),
                id = def.id,
            );
        }
        out.push('\n');
        for check in in_family {
            write_check(&mut out, check, lang);
        }
    }
    out
}

fn write_check(out: &mut String, check: &Check, lang: Lang) {
    let def = &check.def;
    let _ = writeln!(
        out,
        "### {}\n\n**{}** · {} · {} · `{}`\n",
        def.id,
        def.title.get(lang),
        def.control,
        def.severity.as_str(),
        match &check.origin {
            Origin::Builtin(path) => format!("checks/{path}"),
            Origin::File(path) => path.display().to_string(),
        }
    );
    let _ = writeln!(out, "{}\n", def.description.get(lang).trim());
    if let Some(attestation) = &def.attestation {
        let _ = writeln!(out, "Manual item: {}\n", attestation.get(lang).trim());
    }
    let _ = writeln!(out, "Remediation: {}\n", def.remediation.get(lang).trim());
    if !def.references.is_empty() || def.ztmm.is_some() {
        let mut refs: Vec<String> = def
            .references
            .iter()
            .map(|(framework, ids)| format!("{framework}: {}", ids.join(", ")))
            .collect();
        if let Some(z) = &def.ztmm {
            refs.push(format!("ztmm: {} / {} / {}", z.pillar, z.function, z.stage));
        }
        let _ = writeln!(out, "References: {}\n", refs.join(" · "));
    }
    if !def.fail_if.is_empty() {
        let _ = writeln!(out, "Fails when:\n\n```cel\n{}\n```\n", def.fail_if.trim());
    }
}
