//! Checks are data: YAML files with a CEL condition over the facts.
//!
//! The built-in checks live in `checks/` and are embedded in the binary; `--checks DIR` adds
//! files, and a file whose `id` matches a built-in replaces it. Every check is validated when
//! loaded: ids unique and kebab-case, both languages present, every CEL expression compiles.
//! `postura checks validate` also runs each check against the fact fixtures named in its
//! `examples`, so a misspelt field (which CEL only notices when evaluating) fails validation
//! rather than a customer's scan.

pub mod attestation;
pub mod eval;
mod functions;
pub mod profiles;
mod shared;
pub mod validate;
pub mod waiver;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use include_dir::{Dir, include_dir};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::InputError;

static BUILTIN_CHECKS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/checks");
static BUILTIN_FIXTURES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/facts");

/// Severity of a failed check; the weight in the score derives from it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational; weight 0.
    Info,
    /// Weight 1.
    Low,
    /// Weight 2.
    Medium,
    /// Weight 4.
    High,
    /// Weight 8.
    Critical,
}

impl Severity {
    /// Weight in the score (docs/scoring.md: doubling per level).
    pub fn weight(self) -> u32 {
        match self {
            Self::Info => 0,
            Self::Low => 1,
            Self::Medium => 2,
            Self::High => 4,
            Self::Critical => 8,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// One step more severe (critical stays critical; info stays info: it is never a risk).
    pub fn raised(self, steps: u8) -> Self {
        let mut severity = self;
        for _ in 0..steps {
            severity = match severity {
                Self::Info => return Self::Info,
                Self::Low => Self::Medium,
                Self::Medium => Self::High,
                Self::High | Self::Critical => Self::Critical,
            };
        }
        severity
    }

    /// All severities, most severe first.
    pub const ALL: [Severity; 5] = [
        Self::Critical,
        Self::High,
        Self::Medium,
        Self::Low,
        Self::Info,
    ];
}

/// Protection needs of an asset (Schutzbedarf, BSI-Standard 200-2).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Schutzbedarf {
    /// Normal: damage limited and manageable.
    #[default]
    Normal,
    /// Hoch: damage can be considerable.
    Hoch,
    /// Sehr hoch: damage can reach an existentially threatening, catastrophic extent.
    SehrHoch,
}

impl Schutzbedarf {
    /// The name as written on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Hoch => "hoch",
            Self::SehrHoch => "sehr-hoch",
        }
    }

    /// Parses `normal`, `hoch` or `sehr-hoch` (also `sehr hoch`, `sehr_hoch`, any case).
    pub fn parse(text: &str) -> Result<Self, String> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '_'], "-")
            .as_str()
        {
            "normal" => Ok(Self::Normal),
            "hoch" => Ok(Self::Hoch),
            "sehr-hoch" => Ok(Self::SehrHoch),
            other => Err(format!(
                "`{other}` is not a Schutzbedarf: expected normal, hoch or sehr-hoch"
            )),
        }
    }
}

/// One step of the default Schutzbedarf scale (`data/schutzbedarf.yaml`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScaleStep {
    raise: u8,
    at_most: Severity,
}

/// The default scale, for checks without `severity_by_schutzbedarf`.
static SCHUTZBEDARF_SCALE: std::sync::LazyLock<BTreeMap<Schutzbedarf, ScaleStep>> =
    std::sync::LazyLock::new(|| {
        serde_saphyr::from_str(include_str!("../../data/schutzbedarf.yaml")).unwrap_or_default()
    });

/// How much work a remediation takes: a configuration change, a project, or a change of
/// architecture or process.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Effort {
    /// A setting or a small change, hours.
    Low,
    /// Planned work over days, such as rolling a change out to many systems.
    Medium,
    /// A project: new infrastructure, a migration or a process change.
    High,
}

impl Effort {
    /// The name as written in check files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// A text in both report languages.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    /// German.
    pub de: String,
    /// English.
    pub en: String,
}

impl Localized {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::De => &self.de,
            Lang::En => &self.en,
        }
    }
}

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Deutsch.
    #[default]
    De,
    /// English.
    En,
}

/// Zero Trust maturity this check evidences (CISA ZTMM v2.0).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ZtmmRef {
    /// Pillar.
    pub pillar: ZtmmPillar,
    /// Function within the pillar (kebab-case, e.g. `traffic-encryption`).
    pub function: String,
    /// Stage that passing this check evidences, or that failing keeps the function below.
    pub stage: ZtmmStage,
}

/// The five pillars of CISA's Zero Trust Maturity Model v2.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ZtmmPillar {
    /// Identity.
    Identity,
    /// Devices.
    Devices,
    /// Networks.
    Networks,
    /// Applications and workloads.
    Applications,
    /// Data.
    Data,
}

/// The four maturity stages of CISA's Zero Trust Maturity Model v2.0.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ZtmmStage {
    /// Traditional.
    Traditional,
    /// Initial.
    Initial,
    /// Advanced.
    Advanced,
    /// Optimal.
    Optimal,
}

macro_rules! display_as_serde {
    ($($ty:ty),*) => {$(
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }
    )*};
}

impl ZtmmPillar {
    /// The name as written in check files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Devices => "devices",
            Self::Networks => "networks",
            Self::Applications => "applications",
            Self::Data => "data",
        }
    }
}

impl ZtmmStage {
    /// The name as written in check files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Traditional => "traditional",
            Self::Initial => "initial",
            Self::Advanced => "advanced",
            Self::Optimal => "optimal",
        }
    }
}

/// A check family: the part of the posture a check speaks to. Declared in report order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Open ports and services reachable from the scanner.
    ExposedServices,
    /// Encryption in transit: TLS and SSH configuration and certificates. `tls` is accepted as
    /// its former name.
    #[serde(alias = "tls")]
    TransportEncryption,
    /// MFA enforcement and sign-in hygiene.
    Mfa,
    /// Firewall rules.
    Firewall,
    /// Encryption at rest.
    Encryption,
    /// Backup freshness, location and protection.
    Backup,
    /// Patch state and support life cycles of operating systems and products.
    Patching,
    /// Organisational controls no evidence decides (breach notification, security testing):
    /// manual items only, listed in every run, never scored.
    Organisation,
}

impl Family {
    /// Every scored family in report order (not [`Family::Organisation`], whose items are
    /// all manual).
    pub const ALL: [Family; 7] = [
        Self::ExposedServices,
        Self::TransportEncryption,
        Self::Mfa,
        Self::Firewall,
        Self::Encryption,
        Self::Backup,
        Self::Patching,
    ];

    /// The name as written in check files and results.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExposedServices => "exposed-services",
            Self::TransportEncryption => "transport-encryption",
            Self::Mfa => "mfa",
            Self::Firewall => "firewall",
            Self::Encryption => "encryption",
            Self::Backup => "backup",
            Self::Patching => "patching",
            Self::Organisation => "organisation",
        }
    }

    /// The prefix of this family's control ids in the catalogue (`EXP-01`).
    pub fn control_prefix(self) -> &'static str {
        match self {
            Self::ExposedServices => "EXP",
            Self::TransportEncryption => "TLS",
            Self::Mfa => "MFA",
            Self::Firewall => "FW",
            Self::Encryption => "ENC",
            Self::Backup => "BKP",
            Self::Patching => "PAT",
            Self::Organisation => "ORG",
        }
    }

    /// Whether a folder of check files may hold this family's checks: its own name, or a
    /// former name.
    pub fn matches_folder(self, folder: &str) -> bool {
        folder == self.as_str() || (self == Self::TransportEncryption && folder == "tls")
    }
}

/// What a check judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AssetKind {
    /// A host, scanned or known from evidence (CEL variable `host`).
    #[default]
    Host,
    /// A cloud account or identity-provider tenant (CEL variable `identity`).
    Identity,
}

impl AssetKind {
    /// The name as written in check files, and the CEL variable of the asset.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Identity => "identity",
        }
    }
}

/// A framework a check's `references` point into. Declared in the order the keys sort as
/// text, so results list them as they always did.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum ReferenceKey {
    /// BSI IT-Grundschutz-Kompendium, Edition 2023.
    #[serde(rename = "bsi_gs_2023")]
    BsiGs2023,
    /// BSI Grundschutz++ (the modernised catalogue).
    #[serde(rename = "bsi_gspp")]
    BsiGspp,
    /// CIS Critical Security Controls v8.
    #[serde(rename = "cis_v8")]
    CisV8,
    /// DSGVO / GDPR articles.
    #[serde(rename = "gdpr")]
    Gdpr,
    /// ISO/IEC 27001:2022 Annex A.
    #[serde(rename = "iso27001_2022")]
    Iso27001_2022,
    /// NIST SP 800-207 Zero Trust tenets.
    #[serde(rename = "nist_800_207")]
    Nist800_207,
}

impl ReferenceKey {
    /// The key as written in check files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BsiGs2023 => "bsi_gs_2023",
            Self::BsiGspp => "bsi_gspp",
            Self::CisV8 => "cis_v8",
            Self::Gdpr => "gdpr",
            Self::Iso27001_2022 => "iso27001_2022",
            Self::Nist800_207 => "nist_800_207",
        }
    }
}

display_as_serde!(
    ZtmmPillar,
    ZtmmStage,
    Family,
    AssetKind,
    ReferenceKey,
    Severity
);

/// One check as written in its YAML file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    /// Stable kebab-case id naming the bad pattern (`exp-rdp-exposed`).
    pub id: String,
    /// Control catalogue id, e.g. `EXP-01` (docs/checks.md lists them).
    pub control: String,
    /// Check family: the evidence the check reads. The check file must sit in the folder of
    /// that name, and the check counts in that family's score.
    pub family: Family,
    /// The family whose part of the control catalogue `control` comes from, when it is not
    /// `family`: a check may read one family's evidence and evidence another family's control
    /// (ENC-04, an unencrypted backup repository, is read from backup listings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_family: Option<Family>,
    /// Severity when the check fails on an asset of normal protection needs.
    pub severity: Severity,
    /// Severity by the asset's Schutzbedarf (`hoch`, `sehr-hoch`), where it differs from the
    /// default scale of `data/schutzbedarf.yaml`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severity_by_schutzbedarf: BTreeMap<Schutzbedarf, Severity>,
    /// What kind of asset the check judges: `host` (scanned or known from evidence, CEL
    /// variable `host`) or `identity` (a cloud account or identity-provider tenant, CEL
    /// variable `identity`).
    #[serde(default)]
    pub asset: AssetKind,
    /// Short title.
    pub title: Localized,
    /// What the check looks for and why it matters.
    pub description: Localized,
    /// What to do about a failure.
    pub remediation: Localized,
    /// The risk in one sentence for management: what can happen while this fails (the
    /// executive summary quotes it for the biggest risks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<Localized>,
    /// How much work the remediation takes, for the roadmap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<Effort>,
    /// Control references per framework.
    #[serde(default)]
    pub references: BTreeMap<ReferenceKey, Vec<String>>,
    /// Zero Trust maturity reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ztmm: Option<ZtmmRef>,
    /// CEL: false means the check does not apply to this asset (`not_applicable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicable_if: Option<String>,
    /// CEL: false means the facts needed were not gathered (`not_assessed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessable_if: Option<String>,
    /// Why the check could not be assessed when `assessable_if` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_assessed_reason: Option<Localized>,
    /// CEL: true means the check fails. Required, except for a manual item.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fail_if: String,
    /// Makes the check a manual (attestation) item: what the assessor verifies by interview or
    /// document review, for a control that no evidence postura reads can decide. A manual item
    /// has no conditions and no examples; every run that judges its family lists it as open
    /// (`not_assessed`), outside the score, never as a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<Localized>,
    /// CEL: the facts that decided the result, shown with the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// CEL: the key that decides a failure (the ports, users, files or series that fail), part
    /// of the finding's fingerprint with the check id and the asset; a list is sorted first.
    /// Without it the fingerprint is the check on the asset. Never a time or a count that
    /// moves between runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// CEL: partial credit 0.0–1.0 of a failing asset, for checks that measure a ratio
    /// (MFA coverage = covered / total users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
    /// Fact fixtures with the expected result, run by `checks validate`.
    #[serde(default)]
    pub examples: Vec<CheckExample>,
}

impl CheckDef {
    /// The severity of a failure on an asset of `level`: the check's own table, else the
    /// default scale; never below the check's severity at normal.
    pub fn severity_at(&self, level: Schutzbedarf) -> Severity {
        if level == Schutzbedarf::Normal {
            return self.severity;
        }
        if let Some(own) = self.severity_by_schutzbedarf.get(&level) {
            return (*own).max(self.severity);
        }
        match SCHUTZBEDARF_SCALE.get(&level) {
            Some(step) => self
                .severity
                .raised(step.raise)
                .min(step.at_most)
                .max(self.severity),
            None => self.severity,
        }
    }

    /// Whether this is a manual (attestation) item rather than a condition over facts.
    pub fn is_manual(&self) -> bool {
        self.attestation.is_some()
    }
}

/// A fixture and the result the check must give on it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CheckExample {
    /// Facts file, relative to the check file.
    pub facts: String,
    /// Expected state for every host in the file.
    pub expect: eval::ResultState,
    /// TLS profile to judge with; the default profile when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_profile: Option<String>,
    /// What the evidence of a failing example must show: the offending values (`3des-cbc`),
    /// each found in the evidence text. Required with `expect: fail`, so a finding never
    /// reaches a report with an empty or unrelated explanation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shows: Vec<String>,
}

/// Where a check came from, for messages and for resolving example paths.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// Embedded in the binary; the path is relative to `checks/`.
    Builtin(String),
    /// Read from disk.
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Builtin(path) => write!(f, "checks/{path} (built in)"),
            Self::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A loaded and compiled check.
#[derive(Debug, Clone)]
pub struct Check {
    /// The definition.
    pub def: CheckDef,
    /// Where it came from.
    pub origin: Origin,
    /// Compiled expressions.
    pub(crate) programs: Arc<eval::Programs>,
}

/// Loads the built-in checks, then the files of each `extra` directory (overriding by id).
pub fn load(extra: &[PathBuf]) -> Result<Vec<Check>, InputError> {
    let mut by_id: BTreeMap<String, Check> = BTreeMap::new();
    for check in load_builtin()? {
        by_id.insert(check.def.id.clone(), check);
    }
    for dir in extra {
        let mut seen_here: BTreeMap<String, Origin> = BTreeMap::new();
        for check in load_dir(dir)? {
            if let Some(first) = seen_here.insert(check.def.id.clone(), check.origin.clone()) {
                return Err(InputError::Check {
                    location: check.origin.to_string(),
                    message: format!(
                        "duplicate check id `{}`, already defined in {first}",
                        check.def.id
                    ),
                });
            }
            by_id.insert(check.def.id.clone(), check);
        }
    }
    Ok(by_id.into_values().collect())
}

/// The checks embedded in the binary.
pub fn load_builtin() -> Result<Vec<Check>, InputError> {
    let mut files = Vec::new();
    collect_embedded(&BUILTIN_CHECKS, &mut files);
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut checks = Vec::new();
    for (path, text) in files {
        let folder = path.split('/').rev().nth(1).map(str::to_owned);
        let check = parse_check(&text, Origin::Builtin(path))?;
        ensure_family_folder(&check, folder.as_deref())?;
        checks.push(check);
    }
    ensure_unique(&checks)?;
    Ok(checks)
}

fn collect_embedded(dir: &Dir<'_>, out: &mut Vec<(String, String)>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().into_owned();
        if is_check_file(file.path()) {
            out.push((path, file.contents_utf8().unwrap_or_default().to_owned()));
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

fn is_check_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// Loads every `*.yaml`/`*.yml` file below `dir`.
pub fn load_dir(dir: &Path) -> Result<Vec<Check>, InputError> {
    let mut paths = Vec::new();
    walk(dir, &mut paths)?;
    paths.sort();
    let mut checks = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|source| InputError::ReadFile {
            path: path.clone(),
            source,
        })?;
        // A file directly in `dir` has no family folder; one in a subfolder must be in its
        // family's.
        let folder = path
            .parent()
            .filter(|parent| *parent != dir)
            .and_then(Path::file_name)
            .map(|name| name.to_string_lossy().into_owned());
        let check = parse_check(&text, Origin::File(path))?;
        ensure_family_folder(&check, folder.as_deref())?;
        checks.push(check);
    }
    ensure_unique(&checks)?;
    Ok(checks)
}

/// The `*.yaml`/`*.yml` files below `dir`, sorted.
pub(crate) fn load_dir_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    let mut paths = Vec::new();
    walk(dir, &mut paths)?;
    paths.sort();
    Ok(paths)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let entries = std::fs::read_dir(dir).map_err(|source| InputError::ReadFile {
        path: dir.to_owned(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| InputError::ReadFile {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_check_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// A check in a family folder must belong to that family, so the folder tree is the catalogue.
fn ensure_family_folder(check: &Check, folder: Option<&str>) -> Result<(), InputError> {
    match folder {
        Some(folder) if !check.def.family.matches_folder(folder) => Err(InputError::Check {
            location: check.origin.to_string(),
            message: format!(
                "the check is in folder `{folder}` but its family is `{}`: move it to `{}/` or correct `family`",
                check.def.family, check.def.family
            ),
        }),
        _ => Ok(()),
    }
}

fn ensure_unique(checks: &[Check]) -> Result<(), InputError> {
    let mut seen: BTreeMap<&str, &Origin> = BTreeMap::new();
    for check in checks {
        if let Some(first) = seen.insert(&check.def.id, &check.origin) {
            return Err(InputError::Check {
                location: check.origin.to_string(),
                message: format!(
                    "duplicate check id `{}`, already defined in {first}",
                    check.def.id
                ),
            });
        }
    }
    Ok(())
}

/// Parses and validates one check file.
pub(crate) fn parse_check(text: &str, origin: Origin) -> Result<Check, InputError> {
    let def: CheckDef = serde_saphyr::from_str(text).map_err(|err| InputError::Check {
        location: origin.to_string(),
        message: yaml_message(&err.to_string()),
    })?;
    validate_def(&def).map_err(|message| InputError::Check {
        location: origin.to_string(),
        message,
    })?;
    let programs = eval::Programs::compile(&def).map_err(|(field, message)| InputError::Check {
        location: origin.to_string(),
        message: format!("`{field}` is not a valid CEL expression: {message}"),
    })?;
    Ok(Check {
        def,
        origin,
        programs: Arc::new(programs),
    })
}

fn yaml_message(raw: &str) -> String {
    // serde-saphyr names the line and column; keep its text but on one line.
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn validate_def(def: &CheckDef) -> Result<(), String> {
    let kebab = !def.id.is_empty()
        && def
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !def.id.starts_with('-')
        && !def.id.ends_with('-');
    if !kebab {
        return Err(format!(
            "check id `{}` is not valid: expected lower-case kebab-case like `exp-rdp-exposed`",
            def.id
        ));
    }
    let control_family = def.control_family.unwrap_or(def.family);
    let prefix = control_family.control_prefix();
    if def.control.split('-').next() != Some(prefix) {
        return Err(match def.control_family {
            Some(named) => format!(
                "control `{}` is not one of {named}'s controls: expected `{prefix}-…`",
                def.control
            ),
            None => format!(
                "control `{}` is not one of {}'s controls (`{prefix}-…`): name the control's family in `control_family`",
                def.control, def.family
            ),
        });
    }
    for (field, text) in [
        ("title", &def.title),
        ("description", &def.description),
        ("remediation", &def.remediation),
    ] {
        if text.de.trim().is_empty() || text.en.trim().is_empty() {
            return Err(format!("`{field}` needs non-empty `de` and `en` texts"));
        }
    }
    match &def.attestation {
        None if def.fail_if.trim().is_empty() => {
            Err("`fail_if` is missing: a check needs a condition, or `attestation` to make it a manual item".into())
        }
        None => Ok(()),
        Some(text) if text.de.trim().is_empty() || text.en.trim().is_empty() => {
            Err("`attestation` needs non-empty `de` and `en` texts".into())
        }
        Some(_) => {
            let conditions = [
                ("fail_if", !def.fail_if.trim().is_empty()),
                ("applicable_if", def.applicable_if.is_some()),
                ("assessable_if", def.assessable_if.is_some()),
                ("evidence", def.evidence.is_some()),
                ("credit", def.credit.is_some()),
                ("examples", !def.examples.is_empty()),
            ];
            match conditions.iter().find(|(_, present)| *present) {
                Some((field, _)) => Err(format!(
                    "`{field}` does not belong in a manual item: `attestation` items are verified by the assessor, not evaluated"
                )),
                None => Ok(()),
            }
        }
    }
}

/// Reads an example's facts file: relative to the check file on disk, or from the embedded
/// fixtures for built-in checks.
pub(crate) fn example_text(
    check: &Check,
    example: &CheckExample,
) -> Result<(String, String), InputError> {
    match &check.origin {
        Origin::File(path) => {
            let full = path.parent().unwrap_or(Path::new(".")).join(&example.facts);
            let text = std::fs::read_to_string(&full).map_err(|source| InputError::ReadFile {
                path: full.clone(),
                source,
            })?;
            Ok((full.display().to_string(), text))
        }
        Origin::Builtin(path) => {
            // Built-in examples point into fixtures/facts/ (../../fixtures/facts/x.json).
            let name = example
                .facts
                .rsplit("fixtures/facts/")
                .next()
                .unwrap_or(&example.facts);
            let file = BUILTIN_FIXTURES
                .get_file(name)
                .ok_or_else(|| InputError::Check {
                    location: Origin::Builtin(path.clone()).to_string(),
                    message: format!(
                        "example facts `{}` are not among the built-in fixtures",
                        example.facts
                    ),
                })?;
            Ok((
                format!("fixtures/facts/{name}"),
                file.contents_utf8().unwrap_or_default().to_owned(),
            ))
        }
    }
}

/// The JSON Schema of a check file.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(CheckDef)).unwrap_or_default()
}

#[cfg(test)]
mod example_snapshots;

#[cfg(test)]
mod schutzbedarf_tests {
    use super::*;

    fn def(severity: Severity, own: &[(Schutzbedarf, Severity)]) -> CheckDef {
        let mut check = load_builtin().unwrap().remove(0).def;
        check.severity = severity;
        check.severity_by_schutzbedarf = own.iter().copied().collect();
        check
    }

    /// The default scale of `data/schutzbedarf.yaml`, worked by hand:
    ///
    /// | at normal | hoch (+1, at most high) | sehr hoch (+1, at most critical) |
    /// |-----------|-------------------------|----------------------------------|
    /// | info      | info                    | info                             |
    /// | low       | medium                  | medium                           |
    /// | medium    | high                    | high                             |
    /// | high      | high                    | critical                         |
    /// | critical  | critical                | critical                         |
    #[test]
    fn severity_rises_with_schutzbedarf_by_the_scale_or_the_checks_table() {
        use Schutzbedarf::{Hoch, Normal, SehrHoch};
        use Severity::{Critical, High, Info, Low, Medium};
        for (at_normal, at_hoch, at_sehr_hoch) in [
            (Info, Info, Info),
            (Low, Medium, Medium),
            (Medium, High, High),
            (High, High, Critical),
            (Critical, Critical, Critical),
        ] {
            let check = def(at_normal, &[]);
            assert_eq!(check.severity_at(Normal), at_normal);
            assert_eq!(check.severity_at(Hoch), at_hoch, "{at_normal:?} at hoch");
            assert_eq!(
                check.severity_at(SehrHoch),
                at_sehr_hoch,
                "{at_normal:?} at sehr hoch"
            );
        }
        // A check's own table beats the scale, but never lowers the severity at normal.
        let own = def(Low, &[(Hoch, Low), (SehrHoch, Info)]);
        assert_eq!(own.severity_at(Hoch), Low);
        assert_eq!(own.severity_at(SehrHoch), Low);
        assert_eq!(Schutzbedarf::parse("Sehr Hoch"), Ok(SehrHoch));
        assert!(Schutzbedarf::parse("extrem").is_err());
    }
}

#[cfg(test)]
mod management_text_tests {
    /// The executive summary quotes a check's risk and the roadmap its effort: every built-in
    /// check has both, the risk one sentence in each language.
    #[test]
    fn every_builtin_check_states_its_risk_and_effort() {
        for check in super::load_builtin().unwrap() {
            let def = &check.def;
            let risk = def
                .risk
                .as_ref()
                .unwrap_or_else(|| panic!("{} has no risk", def.id));
            assert!(def.effort.is_some(), "{} has no effort", def.id);
            for text in [&risk.de, &risk.en] {
                assert!(
                    text.ends_with('.') && !text.contains('\n') && text.chars().count() < 200,
                    "{}: the risk is one sentence: {text}",
                    def.id
                );
            }
        }
    }
}
