//! `postura baselines list | show | validate`.

use std::path::PathBuf;

use postura::baselines::{self, Baseline, BaselineKind, TotalCounts};
use postura::checks::{self, Check, Lang};
use postura::{Error, InputError};

use super::args::BaselinesCommand;
use super::{Exit, lang, print_stdout};

/// The checks of the built-in catalogue plus `dirs`, with their references filled from the
/// built-in baselines.
pub(crate) fn checks_with_references(dirs: &[PathBuf]) -> Result<Vec<Check>, Error> {
    let mut loaded = checks::load(dirs)?;
    baselines::load(&[], &mut loaded)?;
    Ok(loaded)
}

pub(crate) fn command(command: BaselinesCommand) -> Result<Exit, Error> {
    match command {
        BaselinesCommand::List {
            baselines: dirs,
            json,
            lang: l,
        } => {
            let mut loaded_checks = checks::load(&[])?;
            let loaded = baselines::load(&dirs, &mut loaded_checks)?;
            if json {
                let defs: Vec<_> = loaded.iter().map(|b| &b.def).collect();
                return print_stdout(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&defs).unwrap_or_default()
                ));
            }
            let mut text = String::new();
            for b in &loaded {
                text.push_str(&format!(
                    "{:<26} {:>4} {:<28} {}{}\n",
                    b.def.id,
                    b.def.rows.len(),
                    coverage_line(b, lang(l)),
                    b.def.title.get(lang(l)),
                    match b.def.status {
                        baselines::BaselineStatus::Rolling => " (rolling)",
                        baselines::BaselineStatus::Final => "",
                    }
                ));
            }
            print_stdout(&text)
        }
        BaselinesCommand::Show {
            id,
            baselines: dirs,
            lang: l,
        } => {
            let mut loaded_checks = checks::load(&[])?;
            let loaded = baselines::load(&dirs, &mut loaded_checks)?;
            let baseline =
                loaded
                    .iter()
                    .find(|b| b.def.id == id)
                    .ok_or_else(|| InputError::Option {
                        option: "baselines show".into(),
                        message: format!(
                            "no baseline with id `{id}`: expected one of {}",
                            loaded
                                .iter()
                                .map(|b| b.def.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })?;
            print_stdout(&show(baseline, lang(l)))
        }
        BaselinesCommand::Validate { dir, checks: dirs } => {
            let mut loaded_checks = checks::load(&dirs)?;
            let extra: Vec<PathBuf> = dir.into_iter().collect();
            let loaded = baselines::load(&extra, &mut loaded_checks)?;
            let rows: usize = loaded.iter().map(|b| b.def.rows.len()).sum();
            print_stdout(&format!(
                "{} baselines valid, {rows} rows, every named check exists and every check's references agree\n",
                loaded.len()
            ))
        }
    }
}

/// "13 of 99 articles".
fn coverage_line(b: &Baseline, lang: Lang) -> String {
    let of = match lang {
        Lang::De => "von",
        Lang::En => "of",
    };
    format!(
        "{} {of} {} {}",
        baselines::mapped_count(&b.def),
        b.def.total.count,
        b.def.total.unit.get(lang)
    )
}

fn show(b: &Baseline, lang: Lang) -> String {
    let def = &b.def;
    let mut text = format!(
        "# {} — {}\n# {} · {}\n# {}\n# source file: {}\n",
        def.id,
        def.title.get(lang),
        def.version,
        def.publisher,
        def.source,
        b.origin
    );
    let counted = match def.total.counts {
        TotalCounts::Rows => "",
        TotalCounts::Groups => match lang {
            Lang::De => " (Gruppen)",
            Lang::En => " (groups)",
        },
    };
    text.push_str(&format!("# {}{counted}\n", coverage_line(b, lang)));
    if let Some(note) = &def.note {
        text.push_str(&format!("# {}\n", note.get(lang)));
    }
    text.push('\n');
    for row in &def.rows {
        let mut tags = Vec::new();
        if let Some(level) = row.level {
            tags.push(level.label().to_owned());
        }
        if let Some(ig) = row.ig {
            tags.push(format!("IG{ig}"));
        }
        text.push_str(&format!(
            "{:<24} {:<10} {}\n",
            row.label(lang),
            tags.join(" "),
            row.title.get(lang)
        ));
        match def.kind {
            BaselineKind::Requirements => {
                if !row.checks.is_empty() {
                    text.push_str(&format!("{:<35} {}\n", "", row.checks.join(", ")));
                }
            }
            BaselineKind::Maturity => {
                for (stage, ids) in &row.stages {
                    text.push_str(&format!("{:<35} {stage}: {}\n", "", ids.join(", ")));
                }
            }
        }
    }
    text
}
