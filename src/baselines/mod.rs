//! Baselines: the catalogues a run is scored against (DSGVO, BSI IT-Grundschutz, Grundschutz++,
//! CIS Controls, ISO/IEC 27001 Annex A, NIST SP 800-207, CISA's Zero Trust Maturity Model),
//! as data. One YAML file per baseline in `baselines/`, built into the binary; `--baselines
//! DIR` adds files or replaces built-in ones by id.
//!
//! Each row is a control postura can speak to, with the checks (and manual items) that give
//! evidence for it. The baseline files are the one source of the mapping: a check's
//! `references` and `ztmm` are filled from them when the catalogue loads, and a check file that
//! writes its own must agree with them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::checks::{
    Check, Lang, Localized, ReferenceKey, ZtmmPillar, ZtmmRef, ZtmmStage, load_dir_files,
};
use crate::error::InputError;

static BUILTIN_BASELINES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/baselines");

/// A text in the languages its official source has: German, English, or both. Never a
/// translation of a licensed text.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct SourceText {
    /// German, where an official German text exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub de: Option<String>,
    /// English, where an official English text exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl SourceText {
    /// The text in `lang`, else in the other language.
    pub fn get(&self, lang: Lang) -> &str {
        let (first, second) = match lang {
            Lang::De => (&self.de, &self.en),
            Lang::En => (&self.en, &self.de),
        };
        first.as_deref().or(second.as_deref()).unwrap_or_default()
    }

    fn is_empty(&self) -> bool {
        self.de.as_deref().is_none_or(|t| t.trim().is_empty())
            && self.en.as_deref().is_none_or(|t| t.trim().is_empty())
    }
}

/// What a baseline's rows are.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum BaselineKind {
    /// Requirements or controls, each met or not: scored per row and in total.
    Requirements,
    /// A maturity model: functions reach stages as their required checks pass.
    Maturity,
}

/// Whether the source is fixed or still published continuously.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum BaselineStatus {
    /// A published, fixed edition.
    Final,
    /// Published continuously: ids and titles may change (Grundschutz++).
    Rolling,
}

/// What [`Total::count`] counts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum TotalCounts {
    /// Rows: the baseline has `count` controls of the kind its rows are.
    Rows,
    /// Groups: the baseline has `count` groups (articles, Bausteine, pillars).
    Groups,
}

/// The size of the whole baseline, so a report can say how much of it a technical
/// assessment speaks to at all.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Total {
    /// How many controls (or groups) the baseline has.
    pub count: u32,
    /// Whether `count` counts rows or groups.
    pub counts: TotalCounts,
    /// What is counted (`Artikel` / `articles`).
    pub unit: Localized,
}

/// A requirement's level: BSI Basis, Standard, erhöht (Kompendium 2023) and normal-SdT,
/// erhöht (Grundschutz++).
#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord,
)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Basis-Anforderung (B).
    Basis,
    /// Standard-Anforderung (S).
    Standard,
    /// Normal protection needs, state of the art (Grundschutz++ `normal-SdT`).
    Normal,
    /// Anforderung bei erhöhtem Schutzbedarf (H; Grundschutz++ `erhöht`).
    Erhoeht,
}

impl Level {
    /// The level as the source writes it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Basis => "Basis",
            Self::Standard => "Standard",
            Self::Normal => "normal-SdT",
            Self::Erhoeht => "erhöht",
        }
    }
}

/// One control of a baseline as written in its file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RowDef {
    /// The control's id in the source (`32(1)(a)`, `CON.3.A5`, `6.5`, `identity/authentication`).
    pub id: String,
    /// The group it belongs to (`Art. 32`, `CON.3`, `6`, `identity`), a key of `groups`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// How reports name it, where that differs from the id (`Art. 32 Abs. 1 lit. a`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Localized>,
    /// The title, in the source's languages.
    pub title: SourceText,
    /// BSI level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// CIS Implementation Group: the lowest (1–3) that includes the safeguard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ig: Option<u8>,
    /// Checks and manual items that give evidence for it (requirements baselines).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
    /// Checks that must pass for the function to reach each stage (maturity baselines):
    /// `initial`, `advanced`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stages: BTreeMap<ZtmmStage, Vec<String>>,
}

impl RowDef {
    /// Every check and manual item of the row, stages in order.
    pub fn all_checks(&self) -> impl Iterator<Item = &String> {
        self.checks.iter().chain(self.stages.values().flatten())
    }

    /// How reports name the row.
    pub fn label(&self, lang: Lang) -> &str {
        self.label
            .as_ref()
            .map_or(self.id.as_str(), |l| l.get(lang))
    }
}

/// One baseline as written in its file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BaselineDef {
    /// Stable id (`dsgvo`, `bsi-grundschutz-2023`, `cisa-ztmm-2.0`).
    pub id: String,
    /// The check reference key this baseline is the source of (`gdpr`): every check's
    /// `references` under that key are the rows that list it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<ReferenceKey>,
    /// Requirements or a maturity model.
    pub kind: BaselineKind,
    /// A fixed edition, or published continuously.
    pub status: BaselineStatus,
    /// Name of the source, in its languages.
    pub title: SourceText,
    /// A short name for tables and the terminal (`DSGVO`, `CISA ZTMM 2.0`).
    pub short_title: SourceText,
    /// The heading of the report section, where it must say more than the title (DSGVO:
    /// "Technische Indizien zur DSGVO", never "konform").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<Localized>,
    /// Edition or version.
    pub version: String,
    /// Who publishes it.
    pub publisher: String,
    /// Where the source document is.
    pub source: String,
    /// The size of the whole baseline.
    pub total: Total,
    /// What a reader must know to read the scores (DSGVO: indications, not compliance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Localized>,
    /// Group titles by group id, in the source's languages.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, SourceText>,
    /// The controls postura speaks to.
    pub rows: Vec<RowDef>,
}

/// A loaded baseline.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The definition.
    pub def: BaselineDef,
    /// Where it came from: `baselines/NAME.yaml (built in)` or a path.
    pub origin: String,
    /// The line of each row in its file, for messages.
    lines: Vec<usize>,
}

impl Baseline {
    fn at(&self, row: usize) -> String {
        match self.lines.get(row) {
            Some(line) => format!("{}:{line}", self.origin),
            None => self.origin.clone(),
        }
    }
}

/// The built-in baselines, then those of each `extra` folder (replacing by id); validated
/// against `checks`, whose `references` and `ztmm` they then fill.
pub fn load(extra: &[PathBuf], checks: &mut [Check]) -> Result<Vec<Baseline>, InputError> {
    let mut by_id: BTreeMap<String, Baseline> = BTreeMap::new();
    let mut files: Vec<(String, String)> = BUILTIN_BASELINES
        .files()
        .filter(|f| is_yaml(f.path()))
        .map(|f| {
            (
                format!("baselines/{} (built in)", f.path().display()),
                f.contents_utf8().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    files.sort();
    for dir in extra {
        for path in load_dir_files(dir)? {
            let text = std::fs::read_to_string(&path).map_err(|source| InputError::ReadFile {
                path: path.clone(),
                source,
            })?;
            files.push((path.display().to_string(), text));
        }
    }
    for (origin, text) in files {
        let baseline = parse(&text, origin)?;
        by_id.insert(baseline.def.id.clone(), baseline);
    }
    let baselines: Vec<Baseline> = by_id.into_values().collect();
    for baseline in &baselines {
        validate_rows(baseline, checks)?;
    }
    attach(&baselines, checks)?;
    Ok(baselines)
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// Parses one baseline file and checks what it says about itself.
pub(crate) fn parse(text: &str, origin: String) -> Result<Baseline, InputError> {
    let error = |message: String| InputError::Baseline {
        location: origin.clone(),
        message,
    };
    let def: BaselineDef = serde_saphyr::from_str(text).map_err(|e| {
        error(
            e.to_string()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        )
    })?;
    // Row lines, read from a second pass that keeps positions.
    #[derive(Deserialize)]
    struct Positions {
        rows: Vec<serde_saphyr::Spanned<serde::de::IgnoredAny>>,
    }
    let lines = serde_saphyr::from_str::<Positions>(text)
        .map(|p| {
            p.rows
                .iter()
                .map(|r| r.referenced.line() as usize)
                .collect()
        })
        .unwrap_or_default();
    let baseline = Baseline { def, origin, lines };
    validate_def(&baseline)?;
    Ok(baseline)
}

fn validate_def(baseline: &Baseline) -> Result<(), InputError> {
    let def = &baseline.def;
    let whole = |message: String| InputError::Baseline {
        location: baseline.origin.clone(),
        message,
    };
    let valid_id = !def.id.is_empty()
        && def
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if !valid_id {
        return Err(whole(format!(
            "baseline id `{}` is not valid: expected lower-case letters, digits, `-` and `.` like `cisa-ztmm-2.0`",
            def.id
        )));
    }
    if def.title.is_empty() {
        return Err(whole("`title` is empty: give `de`, `en` or both".into()));
    }
    if def.kind == BaselineKind::Maturity && def.references.is_some() {
        return Err(whole(
            "a maturity baseline fills the checks' `ztmm`, not `references`: remove `references`"
                .into(),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, row) in def.rows.iter().enumerate() {
        let at = |message: String| InputError::Baseline {
            location: baseline.at(i),
            message,
        };
        if !seen.insert(row.id.as_str()) {
            return Err(at(format!("row `{}` is listed twice", row.id)));
        }
        if row.title.is_empty() {
            return Err(at(format!("row `{}` has no title", row.id)));
        }
        if let Some(group) = &row.group
            && !def.groups.is_empty()
            && !def.groups.contains_key(group)
        {
            return Err(at(format!(
                "row `{}` is in group `{group}`, which `groups` does not name",
                row.id
            )));
        }
        match def.kind {
            BaselineKind::Requirements if !row.stages.is_empty() => {
                return Err(at(format!(
                    "row `{}` has `stages`, which only a maturity baseline has: list its checks in `checks`",
                    row.id
                )));
            }
            BaselineKind::Maturity if !row.checks.is_empty() => {
                return Err(at(format!(
                    "row `{}` has `checks`: a maturity baseline lists them under `stages` (initial, advanced)",
                    row.id
                )));
            }
            BaselineKind::Maturity => {
                if row.stages.contains_key(&ZtmmStage::Traditional) {
                    return Err(at(format!(
                        "row `{}`: Traditional is the floor and needs no checks; list them under `initial` or `advanced`",
                        row.id
                    )));
                }
                if row.stages.contains_key(&ZtmmStage::Optimal) {
                    return Err(at(format!(
                        "row `{}`: Optimal is never read from a point-in-time scan; it is attested",
                        row.id
                    )));
                }
                let (pillar, function) = row.id.split_once('/').unwrap_or_default();
                if pillar_of(pillar).is_none() || function.is_empty() {
                    return Err(at(format!(
                        "row `{}` is not `pillar/function`: expected a pillar of identity, devices, networks, applications, data",
                        row.id
                    )));
                }
            }
            BaselineKind::Requirements => {}
        }
        if let Some(ig) = row.ig
            && !(1..=3).contains(&ig)
        {
            return Err(at(format!(
                "row `{}`: `ig` {ig} is not an Implementation Group: expected 1, 2 or 3",
                row.id
            )));
        }
    }
    let mapped = mapped_count(def);
    if def.total.count < mapped {
        return Err(whole(format!(
            "`total.count` {} is smaller than the {mapped} the rows name",
            def.total.count
        )));
    }
    Ok(())
}

/// How many of [`Total::count`] the rows name: rows, or their distinct groups.
pub fn mapped_count(def: &BaselineDef) -> u32 {
    let n = match def.total.counts {
        TotalCounts::Rows => def.rows.len(),
        TotalCounts::Groups => def
            .rows
            .iter()
            .map(|r| r.group.as_deref().unwrap_or(&r.id))
            .collect::<BTreeSet<_>>()
            .len(),
    };
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn pillar_of(name: &str) -> Option<ZtmmPillar> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

/// Every check a row names exists.
pub(crate) fn validate_rows(baseline: &Baseline, checks: &[Check]) -> Result<(), InputError> {
    let known: BTreeSet<&str> = checks.iter().map(|c| c.def.id.as_str()).collect();
    for (i, row) in baseline.def.rows.iter().enumerate() {
        for id in row.all_checks() {
            if !known.contains(id.as_str()) {
                return Err(InputError::Baseline {
                    location: baseline.at(i),
                    message: format!(
                        "row `{}` names check `{id}`, which does not exist: run `postura checks list` for the ids",
                        row.id
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Fills every check's `references` and `ztmm` from the baselines. A check file that writes
/// its own must say what the baselines say.
fn attach(baselines: &[Baseline], checks: &mut [Check]) -> Result<(), InputError> {
    let maturity: Vec<&Baseline> = baselines
        .iter()
        .filter(|b| b.def.kind == BaselineKind::Maturity)
        .collect();
    if let [first, second, ..] = maturity.as_slice() {
        return Err(InputError::Baseline {
            location: second.origin.clone(),
            message: format!(
                "a second maturity baseline: `{}` already fills the checks' `ztmm`",
                first.def.id
            ),
        });
    }
    let mut by_key: BTreeMap<ReferenceKey, &Baseline> = BTreeMap::new();
    for baseline in baselines {
        if let Some(key) = baseline.def.references
            && let Some(first) = by_key.insert(key, baseline)
        {
            return Err(InputError::Baseline {
                location: baseline.origin.clone(),
                message: format!(
                    "`references: {key}` is already the mapping of baseline `{}`",
                    first.def.id
                ),
            });
        }
    }
    for check in checks.iter_mut() {
        let id = check.def.id.clone();
        let mut references: BTreeMap<ReferenceKey, Vec<String>> = BTreeMap::new();
        for (key, baseline) in &by_key {
            let rows: Vec<String> = baseline
                .def
                .rows
                .iter()
                .filter(|r| r.checks.contains(&id))
                .map(|r| r.id.clone())
                .collect();
            if !rows.is_empty() {
                references.insert(*key, rows);
            }
        }
        for (key, written) in &check.def.references {
            let generated = references.get(key).cloned().unwrap_or_default();
            let same = written.iter().collect::<BTreeSet<_>>()
                == generated.iter().collect::<BTreeSet<_>>();
            if !same {
                let source = by_key.get(key).map_or_else(
                    || "no baseline defines it".to_owned(),
                    |b| format!("baseline `{}` ({}) lists {generated:?}", b.def.id, b.origin),
                );
                return Err(InputError::Check {
                    location: check.origin.to_string(),
                    message: format!(
                        "`references.{key}` is {written:?} but {source}: the baseline files are the one source of the mapping; correct the baseline (--baselines DIR) or remove `references` from the check"
                    ),
                });
            }
        }
        check.def.references = references;
        let mut ztmm = None;
        if let Some(baseline) = maturity.first() {
            for row in &baseline.def.rows {
                for (stage, ids) in &row.stages {
                    if ids.contains(&id) {
                        let (pillar, function) = row.id.split_once('/').unwrap_or_default();
                        let found = ZtmmRef {
                            pillar: pillar_of(pillar).unwrap_or(ZtmmPillar::Identity),
                            function: function.to_owned(),
                            stage: *stage,
                        };
                        if let Some(first) = ztmm.replace(found) {
                            let first: ZtmmRef = first;
                            return Err(InputError::Baseline {
                                location: baseline.origin.clone(),
                                message: format!(
                                    "check `{id}` is required for two functions or stages ({} / {} / {} and {}): list it once",
                                    first.pillar, first.function, first.stage, row.id
                                ),
                            });
                        }
                    }
                }
            }
        }
        if let Some(written) = &check.def.ztmm
            && Some(written) != ztmm.as_ref()
        {
            return Err(InputError::Check {
                location: check.origin.to_string(),
                message: format!(
                    "`ztmm` is {} / {} / {} but the maturity baseline says {}: the baseline files are the one source of the mapping",
                    written.pillar,
                    written.function,
                    written.stage,
                    ztmm.as_ref().map_or("nothing".to_owned(), |z| format!(
                        "{} / {} / {}",
                        z.pillar, z.function, z.stage
                    ))
                ),
            });
        }
        check.def.ztmm = ztmm;
    }
    Ok(())
}

/// The baselines reports show when `--report-baselines` is not given: the ones the product
/// is about.
pub const SHOWN_BY_DEFAULT: &[&str] = &["dsgvo", "cisa-ztmm-2.0", "bsi-grundschutz-2023"];

/// The ids of the baselines reports show: those named (each must exist), or the default set
/// among those loaded.
pub fn shown(baselines: &[Baseline], named: Option<&[String]>) -> Result<Vec<String>, InputError> {
    let known: Vec<&str> = baselines.iter().map(|b| b.def.id.as_str()).collect();
    match named {
        Some(named) => named
            .iter()
            .map(|id| {
                let id = id.trim();
                if known.contains(&id) {
                    Ok(id.to_owned())
                } else {
                    Err(InputError::Baseline {
                        location: "--report-baselines".into(),
                        message: format!(
                            "`{id}` is not a baseline: expected one of {}",
                            known.join(", ")
                        ),
                    })
                }
            })
            .collect(),
        None => Ok(SHOWN_BY_DEFAULT
            .iter()
            .filter(|id| known.contains(id))
            .map(|id| (*id).to_owned())
            .collect()),
    }
}

/// The JSON Schema of a baseline file.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(BaselineDef)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_baselines_load_and_fill_every_mapped_check() {
        let mut checks = crate::checks::load_builtin().unwrap();
        let baselines = load(&[], &mut checks).unwrap();
        let ids: Vec<&str> = baselines.iter().map(|b| b.def.id.as_str()).collect();
        for id in [
            "bsi-grundschutz-2023",
            "bsi-grundschutz-plusplus",
            "cis-controls-v8",
            "cisa-ztmm-2.0",
            "dsgvo",
            "iso27001-2022",
            "nist-800-207",
        ] {
            assert!(ids.contains(&id), "{id} in {ids:?}");
        }
        let mfa = checks
            .iter()
            .find(|c| c.def.id == "mfa-admin-without-mfa")
            .unwrap();
        assert_eq!(
            mfa.def.references.get(&ReferenceKey::BsiGs2023),
            Some(&vec!["OPS.1.1.2.A16".to_owned(), "ORP.4.A10".to_owned()])
        );
        let ztmm = mfa.def.ztmm.as_ref().unwrap();
        assert_eq!(
            (ztmm.pillar, ztmm.function.as_str(), ztmm.stage),
            (ZtmmPillar::Identity, "authentication", ZtmmStage::Initial)
        );
        // Every scored check speaks to at least one DSGVO row.
        for check in checks.iter().filter(|c| !c.def.is_manual()) {
            assert!(
                check.def.references.contains_key(&ReferenceKey::Gdpr),
                "{} has no DSGVO row",
                check.def.id
            );
        }
    }
}
