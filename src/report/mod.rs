//! Reports. One JSON result file is the source of every other format: it holds the facts,
//! the check definitions that judged them, the findings and the scores, so a report can be
//! re-rendered later without the network.
//!
//! Files are written to a temporary name in the output folder and renamed into place, so a
//! crash or a full disk never leaves a half-written report under the final name.

mod baseline_view;
mod catalogue;
mod charts;
pub mod diff;
pub mod explain;
pub mod grundschutz;
mod html;
mod junit;
pub mod management;
#[cfg(feature = "pdf")]
mod pdf;
mod pipeline_formats;
mod sarif;
mod text;

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use catalogue::checks_markdown;
pub use html::labels;
pub(crate) use html::render_html;
pub use management::ReportInfo;
pub use text::render_summary;

use crate::checks::eval::{Finding, ManualItem, ResultState};
use crate::checks::{Check, CheckDef, Lang, Severity};
use crate::error::{InputError, RunError};
use crate::facts::{Facts, ToolInfo};
use crate::scoring::Scores;

/// Version of the result document. Bumped when a field changes meaning or disappears.
pub const RESULT_SCHEMA_VERSION: u32 = 2;

/// A check definition as recorded in a result (without its test examples).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct CheckInfo {
    /// The definition, texts in both languages.
    #[serde(flatten)]
    pub def: CheckDef,
    /// Where it came from (`checks/...` built in, or a file path).
    pub origin: String,
}

/// The canonical result of a run.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ScanResult {
    /// Always [`RESULT_SCHEMA_VERSION`] for documents this version writes.
    pub schema_version: u32,
    /// The program that judged.
    pub tool: ToolInfo,
    /// When the result was computed.
    #[schemars(with = "String")]
    pub generated_at: jiff::Timestamp,
    /// The reference time every age and validity was judged against (`--as-of`; else the
    /// time of the run).
    #[schemars(with = "String")]
    pub as_of: jiff::Timestamp,
    /// Language of the reasons in findings.
    pub lang: Lang,
    /// The checks that were run.
    pub checks: Vec<CheckInfo>,
    /// One finding per check and asset.
    pub findings: Vec<Finding>,
    /// Manual (attestation) items of the judged families: open for the assessor, not scored.
    #[serde(default)]
    pub manual: Vec<ManualItem>,
    /// Scores and grade.
    pub scores: Scores,
    /// Every baseline, judged: scores per row and in total, statuses, maturity stages.
    #[serde(default)]
    pub baselines: Vec<crate::scoring::baselines::BaselineResult>,
    /// The baselines the reports show, in order (all are in `baselines`).
    #[serde(default)]
    pub baselines_shown: Vec<String>,
    /// Findings open in the `--previous` result and no longer open in this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed_since_previous: Vec<diff::DiffFinding>,
    /// Each gate that failed, with why (`--fail-on`, `--min-score`, `--min-coverage`, an
    /// expired waiver, `--new-only`); empty when every gate passed.
    #[serde(default)]
    pub gate_failures: Vec<String>,
    /// SSL-Labs-style grade per TLS endpoint, with the reasons for caps.
    #[serde(default)]
    pub tls_grades: Vec<crate::scoring::tls_grade::EndpointGrade>,
    /// The TLS profile checks compared against (`id version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_profile: Option<String>,
    /// Who the report is for and by whom (the cover).
    #[serde(default)]
    pub report_info: management::ReportInfo,
    /// Earlier runs, oldest first, from `--previous` and its own history (the trend).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<management::HistoryPoint>,
    /// The facts that were judged.
    pub facts: Facts,
}

impl ScanResult {
    /// Assembles a result.
    pub fn new(
        checks: &[Check],
        facts: Facts,
        findings: Vec<Finding>,
        scores: Scores,
        lang: Lang,
        now: jiff::Timestamp,
    ) -> Self {
        let mut infos: Vec<CheckInfo> = checks
            .iter()
            .map(|c| {
                let mut def = c.def.clone();
                def.examples.clear();
                CheckInfo {
                    def,
                    origin: c.origin.to_string(),
                }
            })
            .collect();
        infos.sort_by(|a, b| a.def.id.cmp(&b.def.id));
        Self {
            schema_version: RESULT_SCHEMA_VERSION,
            tool: ToolInfo::current(),
            generated_at: now,
            as_of: now,
            lang,
            checks: infos,
            findings,
            manual: Vec::new(),
            scores,
            baselines: Vec::new(),
            baselines_shown: Vec::new(),
            fixed_since_previous: Vec::new(),
            gate_failures: Vec::new(),
            tls_profile: None,
            tls_grades: Vec::new(),
            report_info: management::ReportInfo::default(),
            history: Vec::new(),
            facts,
        }
    }

    /// Failed findings at or above `severity`.
    pub fn failures_at_or_above(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.state == ResultState::Fail && f.severity >= severity)
            .count()
    }

    /// The definition of a check by id.
    pub fn check(&self, id: &str) -> Option<&CheckDef> {
        self.checks.iter().find(|c| c.def.id == id).map(|c| &c.def)
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// The canonical result (`postura-result.json`).
    Json,
    /// Self-contained HTML report (`postura-report.html`).
    Html,
    /// The raw facts (`postura-facts.json`), for `postura evaluate`.
    Facts,
    /// The IT-Grundschutz-Check as CSV for Excel and LibreOffice
    /// (`postura-grundschutz-check.csv`).
    GrundschutzCheck,
    /// Every finding as CSV (`postura-findings.csv`).
    Csv,
    /// A Markdown summary for a pull-request comment (`postura-summary.md`).
    Markdown,
    /// SARIF 2.1.0 for code scanning (`postura.sarif`).
    Sarif,
    /// JUnit XML test report (`postura-junit.xml`).
    Junit,
    /// The management report as PDF/A-2b (`postura-report.pdf`).
    Pdf,
    /// The typst source of the PDF (`postura-report.typ`), for a consultancy to adjust.
    Typst,
}

impl Format {
    /// File name in the output folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Json => "postura-result.json",
            Self::Html => "postura-report.html",
            Self::Facts => "postura-facts.json",
            Self::GrundschutzCheck => "postura-grundschutz-check.csv",
            Self::Csv => "postura-findings.csv",
            Self::Markdown => "postura-summary.md",
            Self::Sarif => "postura.sarif",
            Self::Junit => "postura-junit.xml",
            Self::Pdf => "postura-report.pdf",
            Self::Typst => "postura-report.typ",
        }
    }

    /// Parses a format name.
    pub fn parse(name: &str) -> Result<Self, InputError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "html" => Ok(Self::Html),
            "facts" => Ok(Self::Facts),
            "grundschutz-check" => Ok(Self::GrundschutzCheck),
            "csv" => Ok(Self::Csv),
            "md" | "markdown" => Ok(Self::Markdown),
            "sarif" => Ok(Self::Sarif),
            "junit" => Ok(Self::Junit),
            "pdf" if cfg!(feature = "pdf") => Ok(Self::Pdf),
            "pdf" => Err(InputError::Option {
                option: "--format".into(),
                message: "this postura was built without PDF support (cargo feature `pdf`): use html, or the typst source with `typst`".into(),
            }),
            "typst" | "typ" => Ok(Self::Typst),
            other => Err(InputError::Option {
                option: "--format".into(),
                message: format!(
                    "`{other}` is not a known format: expected json, html, pdf, typst, facts, sarif, junit, csv, md or grundschutz-check"
                ),
            }),
        }
    }
}

/// The templates reports are rendered with: the built-in ones from `report-templates/`, or a
/// consultancy's own folder (`--templates DIR`) where it has `report.html.tera`, `report.typ`,
/// a `report.yaml` with cover defaults and a logo (`logo.svg` or `logo.png`).
#[derive(Debug, Clone)]
pub struct Templates {
    /// The HTML template (tera).
    pub html: String,
    /// The PDF template (typst; `data` is bound to the view model).
    pub typst: String,
    /// Files the templates may load (the logo), by name.
    pub files: Vec<(String, Vec<u8>)>,
    /// Cover defaults from the folder's `report.yaml`.
    pub info: ReportInfo,
}

/// Name of the cover-defaults file in a templates folder.
pub const REPORT_INFO_FILE: &str = "report.yaml";

impl Default for Templates {
    fn default() -> Self {
        Self {
            html: html::TEMPLATE.to_owned(),
            typst: BUILTIN_TYPST.to_owned(),
            files: Vec::new(),
            info: ReportInfo::default(),
        }
    }
}

const BUILTIN_TYPST: &str = include_str!("../../report-templates/report.typ");

impl Templates {
    /// The built-in templates, with what `dir` holds in their place.
    pub fn load(dir: Option<&Path>) -> Result<Self, InputError> {
        let mut templates = Self::default();
        let Some(dir) = dir else {
            return Ok(templates);
        };
        if !dir.is_dir() {
            return Err(InputError::Option {
                option: "--templates".into(),
                message: format!("{} is not a folder", dir.display()),
            });
        }
        let read = |name: &str| -> Result<Option<Vec<u8>>, InputError> {
            let path = dir.join(name);
            match std::fs::read(&path) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(InputError::ReadFile { path, source }),
            }
        };
        let text = |name: &str, bytes: Vec<u8>| {
            String::from_utf8(bytes).map_err(|_| InputError::Option {
                option: "--templates".into(),
                message: format!("{} is not UTF-8 text", dir.join(name).display()),
            })
        };
        if let Some(bytes) = read("report.html.tera")? {
            templates.html = text("report.html.tera", bytes)?;
        }
        if let Some(bytes) = read("report.typ")? {
            templates.typst = text("report.typ", bytes)?;
        }
        for logo in ["logo.svg", "logo.png"] {
            if let Some(bytes) = read(logo)? {
                templates.files.push((logo.to_owned(), bytes));
                break;
            }
        }
        if dir.join(REPORT_INFO_FILE).is_file() {
            templates.info = read_report_info(&dir.join(REPORT_INFO_FILE))?;
        }
        Ok(templates)
    }

    /// The logo, if the folder has one: its name and a `data:` URI for the HTML report.
    pub(crate) fn logo(&self) -> Option<(String, String)> {
        use base64::Engine as _;
        let (name, bytes) = self.files.iter().find(|(n, _)| n.starts_with("logo."))?;
        let mime = if name.ends_with(".svg") {
            "image/svg+xml"
        } else {
            "image/png"
        };
        Some((
            name.clone(),
            format!(
                "data:{mime};base64,{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            ),
        ))
    }
}

/// Reads cover details (`customer`, `title`, `assessor`, `scope`, `legal_notice`, `accent`)
/// from a YAML file.
pub fn read_report_info(path: &Path) -> Result<ReportInfo, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    let info: ReportInfo = serde_saphyr::from_str(&text).map_err(|e| InputError::Option {
        option: "report.yaml".into(),
        message: format!(
            "{}: {e} (expected `customer`, `title`, `assessor`, `scope`, `legal_notice` and `accent`, each text)",
            path.display()
        ),
    })?;
    if let Some(accent) = info
        .accent
        .as_deref()
        .filter(|c| !management::is_hex_colour(c))
    {
        return Err(InputError::Option {
            option: "report.yaml".into(),
            message: format!(
                "{}: accent `{accent}` is not a colour: expected #rrggbb, e.g. #0f766e",
                path.display()
            ),
        });
    }
    Ok(info)
}

/// Renders `formats` and writes them into `dir`; returns the paths written.
pub(crate) fn write_reports(
    result: &ScanResult,
    dir: &Path,
    formats: &[Format],
    templates: &Templates,
) -> Result<Vec<PathBuf>, RunError> {
    std::fs::create_dir_all(dir).map_err(|source| RunError::Write {
        path: dir.to_owned(),
        source,
    })?;
    // Render everything first, so a template error leaves no partial set of files.
    let mut rendered = Vec::new();
    for &format in formats {
        let bytes = match format {
            Format::Json => to_json(result)?,
            Format::Facts => to_json(&result.facts)?,
            Format::Html => render_html(result, templates)?.into_bytes(),
            Format::Typst => typst_source(result, templates)?.into_bytes(),
            #[cfg(feature = "pdf")]
            Format::Pdf => pdf::render(
                typst_source(result, templates)?,
                templates.files.clone(),
                result.as_of,
            )?,
            #[cfg(not(feature = "pdf"))]
            Format::Pdf => {
                return Err(RunError::Render {
                    format: "pdf".into(),
                    message: "built without the `pdf` feature".into(),
                });
            }
            Format::GrundschutzCheck => grundschutz::render(result)?,
            Format::Csv => pipeline_formats::findings_csv(result)?,
            Format::Markdown => pipeline_formats::markdown(result).into_bytes(),
            Format::Sarif => to_json(&sarif::render(result))?,
            Format::Junit => junit::render(result).into_bytes(),
        };
        rendered.push((dir.join(format.file_name()), bytes));
    }
    let mut written = Vec::new();
    for (path, bytes) in rendered {
        write_atomically(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// The typst source of the PDF report: the view model as JSON, then the template.
pub(crate) fn typst_source(result: &ScanResult, templates: &Templates) -> Result<String, RunError> {
    let mut view = serde_json::to_value(html::build_view(result, templates)).map_err(|e| {
        RunError::Render {
            format: "typst".into(),
            message: e.to_string(),
        }
    })?;
    // What only the HTML uses stays out of the PDF's data: the filter script, the filterable
    // table of every finding with its raw evidence and the per-asset lists (the appendix lists
    // each check's open findings with their evidence as text). At 10,000 findings they would
    // add megabytes that typst parses and keeps.
    if let Some(fields) = view.as_object_mut() {
        for key in [
            "script",
            "script_hash",
            "filters",
            "logo",
            "finding_lines",
            "assets",
        ] {
            fields.remove(key);
        }
        // The template loads the logo by its file name.
        let logo = templates.logo().map(|(name, _)| serde_json::json!([name]));
        fields.insert("logo".into(), logo.unwrap_or(serde_json::Value::Null));
    }
    printable(&mut view);
    Ok(typst_source_of(&view.to_string(), &templates.typst))
}

/// `data` bound to the view model, then the template. The JSON goes in as a typst string
/// literal, so only `\\`, `"` and line breaks need escaping.
fn typst_source_of(view_json: &str, template: &str) -> String {
    let mut out = String::with_capacity(view_json.len() + template.len() + 64);
    out.push_str("#let data = json(bytes(\"");
    for c in view_json.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push_str("\"))\n");
    out.push_str(template);
    out
}

/// Makes every string of the view printable in the PDF: a character no embedded font has
/// (a private-use code point, a script none covers) is written as its code point `[U+F0000]` instead of
/// an empty box, which PDF/A forbids; control characters become spaces. The JSON result
/// keeps the original.
fn printable(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) if text.chars().any(|c| c.is_control() || !font_has(c)) => {
            *text = text
                .chars()
                .map(|c| {
                    if c.is_control() {
                        " ".to_owned()
                    } else if font_has(c) {
                        c.to_string()
                    } else {
                        format!("[U+{:04X}]", u32::from(c))
                    }
                })
                .collect();
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(printable),
        serde_json::Value::Object(map) => map.values_mut().for_each(printable),
        _ => {}
    }
}

#[cfg(feature = "pdf")]
fn font_has(c: char) -> bool {
    c.is_ascii() || pdf::covered(c)
}

#[cfg(not(feature = "pdf"))]
fn font_has(_: char) -> bool {
    true
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, RunError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| RunError::Render {
        format: "json".into(),
        message: e.to_string(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(source) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(RunError::Write {
            path: path.to_owned(),
            source,
        });
    }
    Ok(())
}

/// Formats a number for the report language (German decimal comma).
/// A count with thousands grouped as each language writes them (`512,000`, `512.000`).
pub(crate) fn format_count(value: u64, lang: Lang) -> String {
    let digits = value.to_string();
    let separator = match lang {
        Lang::De => '.',
        Lang::En => ',',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

pub(crate) fn format_number(value: f64, decimals: usize, lang: Lang) -> String {
    // Rounding a tiny negative, or -0.0 itself, must not print "-0".
    let rounded = format!("{value:.decimals$}");
    let text = match rounded.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_owned(),
        _ => rounded,
    };
    match lang {
        Lang::De => text.replace('.', ","),
        Lang::En => text,
    }
}

/// The overall range `floor–ceiling`, or "–" when no family was assessed: "0–0" would read as
/// a result.
pub(crate) fn overall_range(scores: &crate::scoring::Scores, lang: Lang) -> String {
    if scores.overall.score.is_none() {
        return "–".to_owned();
    }
    format!(
        "{}–{}",
        format_number(scores.overall.floor, 0, lang),
        format_number(scores.overall.ceiling, 0, lang)
    )
}

/// A maturity stage as reports write it: `Initial`, `≥ Initial (next stage not verifiable)`,
/// or "not assessed".
pub(crate) fn stage_text(
    stage: Option<crate::checks::ZtmmStage>,
    next_not_verifiable: bool,
    l: &std::collections::BTreeMap<String, String>,
) -> String {
    let label = |key: &str| l.get(key).cloned().unwrap_or_else(|| key.to_owned());
    match stage {
        None => label("not_assessed_family"),
        Some(stage) if next_not_verifiable && stage != crate::checks::ZtmmStage::Optimal => {
            format!(
                "≥ {} ({})",
                label(&format!("stage_{stage}")),
                label("stage_not_verifiable")
            )
        }
        Some(stage) => label(&format!("stage_{stage}")),
    }
}

/// How the rows of a baseline stand: for the BSI catalogues the IT-Grundschutz-Check status
/// (`ja 3 · teilweise 1 · …`), for the others rows with and without failing checks. Counts of
/// zero are left out.
pub(crate) fn status_counts(
    baseline: &crate::scoring::baselines::BaselineResult,
    l: &std::collections::BTreeMap<String, String>,
) -> String {
    use crate::scoring::baselines::ImplementationStatus as S;
    let label = |key: &str| l.get(key).cloned().unwrap_or_else(|| key.to_owned());
    let count = |status: S| baseline.rows.iter().filter(|r| r.status == status).count();
    let parts: Vec<(String, usize)> = if baseline.id.starts_with("bsi-") {
        [
            (S::Yes, "status_yes"),
            (S::Partly, "status_partly"),
            (S::No, "status_no"),
            (S::NotChecked, "status_not_checked"),
            (S::NotRequired, "status_not_required"),
        ]
        .into_iter()
        .map(|(status, key)| (label(key), count(status)))
        .collect()
    } else {
        vec![
            (label("rows_failing"), count(S::No) + count(S::Partly)),
            (label("rows_clean"), count(S::Yes)),
            (label("status_not_checked"), count(S::NotChecked)),
        ]
    };
    parts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// How a saved result is rendered again (`postura report`).
#[derive(Debug, Clone, Default)]
pub struct Presentation {
    /// The report language; the result's own when `None`.
    pub lang: Option<Lang>,
    /// Cover details; each given one replaces the result's.
    pub info: ReportInfo,
    /// A `report.yaml` with cover details (`info` wins).
    pub info_file: Option<PathBuf>,
    /// A consultancy's templates folder.
    pub templates: Option<PathBuf>,
    /// An earlier result for the trend, when the result has no history of its own.
    pub previous: Option<PathBuf>,
}

/// Renders a saved result again in `formats` into `dir`, without scanning (`postura report`),
/// in `lang` where given: headings, titles and remediation switch language; the reasons the
/// findings were given stay in the language they were judged in.
pub fn rerender(
    result: &Path,
    formats: &[String],
    dir: &Path,
    presentation: &Presentation,
) -> Result<Vec<PathBuf>, crate::Error> {
    let mut parsed = formats
        .iter()
        .map(|n| Format::parse(n))
        .collect::<Result<Vec<_>, _>>()?;
    parsed.sort();
    parsed.dedup();
    let templates = Templates::load(presentation.templates.as_deref())?;
    let from_file = presentation
        .info_file
        .as_deref()
        .map(read_report_info)
        .transpose()?
        .unwrap_or_default();
    let previous = presentation
        .previous
        .as_deref()
        .map(read_result)
        .transpose()?;
    let mut result = read_result(result)?;
    if let Some(lang) = presentation.lang {
        result.lang = lang;
    }
    result.report_info = presentation
        .info
        .clone()
        .or(from_file)
        .or(result.report_info)
        .or(templates.info.clone());
    if let Some(previous) = &previous
        && result.history.is_empty()
    {
        result.history = management::history_with(previous);
    }
    Ok(write_reports(&result, dir, &parsed, &templates)?)
}

/// Reads a result written by `--format json` of this version.
pub fn read_result(path: &Path) -> Result<ScanResult, InputError> {
    // The version first: an older document fails on the version, not on a missing field.
    let version: serde_json::Value = read_json(path)?;
    let found = version["schema_version"].as_u64().unwrap_or(0);
    if found != u64::from(RESULT_SCHEMA_VERSION) {
        return Err(InputError::Json {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message: format!(
                "result schema_version {found} is not supported: expected {RESULT_SCHEMA_VERSION} (judge the facts again with `postura evaluate`)"
            ),
        });
    }
    read_json(path)
}

/// Reads a JSON file into `T`, with file, line and column on error.
pub(crate) fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|err| InputError::Json {
        path: path.to_owned(),
        line: err.line(),
        column: err.column(),
        message: err
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned(),
    })
}

/// The JSON Schema of the result document.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ScanResult)).unwrap_or_default()
}

/// The heading and the coverage line of an interrupted run, in the report's language.
pub(crate) fn interruption_text(
    result: &ScanResult,
    l: &std::collections::BTreeMap<String, String>,
) -> Option<(String, String)> {
    let stop = result.facts.interrupted.as_ref()?;
    let label = |key: &str| l.get(key).cloned().unwrap_or_default();
    let n = |v: u64| format_count(v, result.lang);
    let title_key = if stop.signal == crate::interrupt::signal_name(crate::facts::UNFINISHED) {
        "incomplete_unfinished_title"
    } else {
        "incomplete_title"
    };
    let title = label(title_key)
        .replace("{signal}", &stop.signal)
        .replace("{at}", &html::format_time(stop.at, result.lang));
    let covered = label("incomplete_covered")
        .replace("{hosts_complete}", &n(stop.hosts_complete))
        .replace("{hosts_planned}", &n(stop.hosts_planned))
        .replace("{hosts_partial}", &n(stop.hosts_partial))
        .replace("{ports_scanned}", &n(stop.ports_scanned))
        .replace("{ports_planned}", &n(stop.ports_planned))
        .replace("{services_probed}", &n(stop.services_probed))
        .replace("{services_planned}", &n(stop.services_planned))
        .replace("{evidence_files}", &n(stop.evidence_files));
    Some((title, covered))
}

#[cfg(test)]
mod tests {
    use crate::checks::Lang;

    /// Any text at all, typst and HTML syntax, controls and characters without a glyph
    /// included, typesets: it reaches typst as a string and is shown, never evaluated.
    #[cfg(feature = "pdf")]
    #[test]
    fn any_text_typesets_as_itself() {
        // Typst and HTML syntax, line breaks and controls, Latin, CJK, a character without a
        // glyph, an emoji and a bidi override.
        const POOL: &str =
            "#[]$\\\"*_<>@=/`~{}();:'-+\n\r\t\u{0}\u{1b}\u{9b}ßąğệ李\u{F0000}\u{1F600}\u{202E}a ";
        let pool: Vec<char> = POOL.chars().collect();
        let mut seed: u64 = 0x5eed;
        for _ in 0..24 {
            let text: String = (0..48)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    pool[(seed >> 33) as usize % pool.len()]
                })
                .collect();
            let mut view = serde_json::json!({ "s": text, "list": [text.clone()] });
            super::printable(&mut view);
            let source = super::typst_source_of(
                &view.to_string(),
                "#set text(font: (\"DejaVu Sans\", \"Droid Sans Fallback\"))\n#data.s #data.list.at(0)\n",
            );
            let pdf = super::pdf::render(source, Vec::new(), jiff::Timestamp::UNIX_EPOCH);
            assert!(pdf.is_ok(), "{text:?}: {pdf:?}");
        }
    }

    #[test]
    fn counts_are_grouped_per_language() {
        assert_eq!(super::format_count(512_000, Lang::En), "512,000");
        assert_eq!(super::format_count(1_234_567, Lang::De), "1.234.567");
        assert_eq!(super::format_count(999, Lang::De), "999");
        assert_eq!(super::format_count(0, Lang::En), "0");
    }

    #[test]
    fn every_label_exists_in_both_languages() {
        let (de, en) = (super::html::labels(Lang::De), super::html::labels(Lang::En));
        assert!(
            de.len() > 50 && de.len() == en.len(),
            "labels.yaml parses with both languages"
        );
        for code in crate::scoring::tls_grade::CAP_CODES {
            let key = format!("tlscap_{}", code.replace('-', "_"));
            assert!(de.contains_key(&key), "{key} has no German label");
            assert_ne!(crate::scoring::tls_grade::cap_reason(code), "other");
        }
        let caps = super::html::localized_caps(&["≤B:legacy-tls".to_owned()], &de);
        assert_eq!(caps, "≤B: TLS 1.0 oder 1.1 angeboten");
    }

    #[test]
    fn long_evidence_lists_are_cut_in_reports() {
        let names: Vec<String> = (0..30).map(|i| format!("user{i}")).collect();
        let text = super::html::evidence_text(&serde_json::json!(names));
        assert!(text.starts_with("user0; user1;"));
        assert!(
            text.contains("user24") && !text.contains("user25"),
            "{text}"
        );
        assert!(text.ends_with("… +5 (postura-result.json)"), "{text}");
    }
}
