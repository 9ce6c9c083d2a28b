//! The assessment, stage by stage: the one place that knows their order.
//!
//! [`scan`] runs every stage:
//!
//! 1. **Inputs**: report formats, TLS profile, checks, attestations, ports and targets are
//!    validated before the first packet, so a typo costs nothing.
//! 2. **Local evidence**: `--evidence` folders are read and `--backup-dir` trees walked, still
//!    before the first packet: a wrong folder is an input error, not a wasted scan.
//! 3. **Targets**: expansion with exclusions and scope.
//! 4. **Probes**: the connect scan, then banners and service probes (`probes`).
//! 5. **Facts**: evidence merges into the scanned hosts or becomes hosts and identities of its
//!    own; `--rpo ASSET=` is applied; `--redact` replaces user names.
//! 6. **Judgement**: every check on every asset, the scores, the TLS grades, manual items.
//! 7. **Reports**: every requested format, rendered first and written atomically.
//! 8. **Gate**: evidence errors, then `--fail-on`, decide the [`Verdict`].
//!
//! [`evaluate`] starts at stage 5 from a saved facts file. The library never prints: what a
//! person should hear on the way is an [`Event`] for the caller's [`Observer`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::checks::attestation::{self, Attestations};
use crate::checks::eval::{self, Judgement};
use crate::checks::{self, Check, Lang, Schutzbedarf, Severity};
use crate::error::{Error, InputError, RunError};
use crate::evidence::{self, HostEvidence};
use crate::facts::{
    EvidenceStatus, FACTS_SCHEMA_VERSION, Facts, HostState, ScanSettings, ToolInfo,
};
use crate::probes::{self, ScanRequest};
use crate::report::{self, Format, ScanResult};
use crate::scoring;
use crate::selector::AssetSelector;
use crate::targets::{self, ExpandOptions, SystemResolver};

pub use crate::evidence::{Evidence, ReadOptions};
pub use crate::probes::{Profile, Progress, Stage};

/// The recovery point objective when neither `--rpo` nor a host manifest sets one: a week,
/// CIS Control 11.2 ("run backups weekly, or more frequently").
pub const DEFAULT_RPO_SECONDS: i64 = 7 * 24 * 3600;

/// Everything `postura scan` was asked to do.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Target expressions: addresses, networks, ranges, names, `host:port`, `@FILE` lists.
    pub targets: Vec<String>,
    /// Never contact these (same forms as targets).
    pub exclude: Vec<String>,
    /// A file of allowed networks; nothing outside is contacted.
    pub scope: Option<PathBuf>,
    /// The user confirmed a scope larger than a /16.
    pub confirmed_large: bool,
    /// The port expression (`22,80`, `top1000`, `all`, service names).
    pub ports: String,
    /// The timing profile.
    pub profile: Profile,
    /// New connections per second at most, over the profile's (0: unlimited).
    pub rate: Option<u32>,
    /// Connection attempts in flight at most, over the profile's.
    pub concurrency: Option<usize>,
    /// The longest wait for one connection, over the profile's.
    pub timeout: Option<Duration>,
    /// Grab banners and run the service probes on open ports.
    pub service_probes: bool,
    /// PEM bundle of extra trust anchors for certificate verdicts.
    pub ca_file: Option<PathBuf>,
    /// Evidence folders.
    pub evidence: Vec<PathBuf>,
    /// Zone of evidence times written without one; the machine's zone when `None`.
    pub evidence_tz: Option<jiff::tz::TimeZone>,
    /// Backup trees to walk, as `PATH` (this machine's) or `HOST=PATH`.
    pub backup_dirs: Vec<String>,
    /// How to judge and report.
    pub judge: JudgeOptions,
    /// A stop request (SIGINT, SIGTERM): no new probes, the grace time for those in flight,
    /// then the result and reports of what was covered, marked incomplete.
    pub interrupt: crate::interrupt::Interrupt,
}

/// How facts are judged and reported: shared by `scan` and `evaluate`.
#[derive(Debug, Clone)]
pub struct JudgeOptions {
    /// The report folder.
    pub out: PathBuf,
    /// Report format names (`json`, `html`, `facts`).
    pub formats: Vec<String>,
    /// Report language.
    pub lang: Lang,
    /// The TLS profile id the profile checks compare against.
    pub tls_profile: String,
    /// Findings at or above this severity fail the gate.
    pub fail_on: Option<Severity>,
    /// Extra check folders.
    pub checks: Vec<PathBuf>,
    /// Replace user names with stable pseudonyms.
    pub redact: bool,
    /// Judge as of this time instead of now.
    pub as_of: Option<jiff::Timestamp>,
    /// Recovery point objectives, for every asset or for some.
    pub rpo: Vec<Rpo>,
    /// Protection needs, for every asset or for some.
    pub schutzbedarf: Vec<SchutzbedarfArg>,
    /// The assessor's answers to manual items and baseline rows.
    pub attestations: Option<PathBuf>,
    /// Extra baseline folders (adding baselines, or replacing built-in ones by id).
    pub baselines: Vec<PathBuf>,
    /// The baselines the reports show (all are computed); `None` for the default set.
    pub report_baselines: Option<Vec<String>>,
    /// Judge without any baseline: no baseline scores, no references on the checks.
    pub no_baselines: bool,
    /// Waivers: accepted risks and compensated weaknesses, with approver and expiry.
    pub waivers: Option<PathBuf>,
    /// Minimum scores: overall (`None` scope), a family or a baseline.
    pub min_score: Vec<MinScore>,
    /// Minimum overall coverage in percent.
    pub min_coverage: Option<f64>,
    /// The previous result: findings are marked new or known by fingerprint.
    pub previous: Option<PathBuf>,
    /// Gate on new findings only (needs `previous`).
    pub new_only: bool,
    /// The cover: customer, title, assessor and scope given on the command line.
    pub report_info: report::ReportInfo,
    /// A `report.yaml` with the cover's details (the command line wins).
    pub report_info_file: Option<PathBuf>,
    /// A consultancy's templates folder.
    pub templates: Option<PathBuf>,
}

/// `VALUE` or `ASSET=VALUE`: the asset selector, if any, and the value's text.
fn per_asset<'t>(text: &'t str, example: &str) -> Result<(Option<AssetSelector>, &'t str), String> {
    // Values have no `=`; asset names (ARNs included) do not either.
    match text.rsplit_once('=') {
        Some((asset, value)) if !asset.trim().is_empty() => {
            Ok((Some(AssetSelector::parse(asset)?), value))
        }
        Some(_) => Err(format!(
            "`{text}` names no asset before `=`: expected ASSET=VALUE, e.g. {example}"
        )),
        None => Ok((None, text)),
    }
}

/// One recovery point objective (`--rpo [ASSET=]DURATION`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rpo {
    /// The assets it applies to (a name, an address or a glob); every asset when `None`.
    pub asset: Option<AssetSelector>,
    /// The objective in seconds.
    pub seconds: i64,
}

impl Rpo {
    /// Parses `DURATION` or `ASSET=DURATION` (`24h`, `db01=1d 12h`, `db*=12h`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (asset, duration) = per_asset(text, "db01=24h or db*=24h")?;
        let seconds = evidence::text::parse_duration_seconds(duration)?;
        Ok(Self { asset, seconds })
    }
}

/// A minimum score (`--min-score [SCOPE=]N`): overall, a family or a baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct MinScore {
    /// A family (`mfa`) or baseline id (`dsgvo`); the overall score when `None`.
    pub scope: Option<String>,
    /// The minimum, 0–100.
    pub score: f64,
}

impl MinScore {
    /// Parses `N` or `SCOPE=N` (`70`, `mfa=80`, `dsgvo=60`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (scope, number) = match text.rsplit_once('=') {
            Some((scope, number)) => (Some(scope.trim().to_owned()), number),
            None => (None, text),
        };
        let score: f64 = number
            .trim()
            .parse()
            .ok()
            .filter(|n: &f64| (0.0..=100.0).contains(n))
            .ok_or_else(|| {
                format!(
                    "`{text}` is not a score: expected 0–100, or SCOPE=N such as mfa=80 or dsgvo=60"
                )
            })?;
        Ok(Self { scope, score })
    }
}

/// One Schutzbedarf (`--schutzbedarf [ASSET=]LEVEL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchutzbedarfArg {
    /// The assets it applies to (a name, an address or a glob); every asset when `None`.
    pub asset: Option<AssetSelector>,
    /// The level.
    pub level: Schutzbedarf,
}

impl SchutzbedarfArg {
    /// Parses `LEVEL` or `ASSET=LEVEL` (`hoch`, `db*=sehr-hoch`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (asset, level) = per_asset(text, "db*=sehr-hoch")?;
        Ok(Self {
            asset,
            level: Schutzbedarf::parse(level)?,
        })
    }
}

/// Something a person should hear while a run goes on.
#[derive(Debug)]
pub enum Event<'a> {
    /// A recognised evidence file could not be parsed; the rest is judged regardless.
    EvidenceFileError {
        /// The file.
        path: PathBuf,
        /// The line, where the parser knows it.
        line: Option<u64>,
        /// What was expected.
        message: &'a str,
    },
    /// An evidence folder was read.
    EvidenceFolderRead {
        /// The folder.
        dir: &'a Path,
        /// Files found.
        files: usize,
        /// Files a format recognised and read.
        used: usize,
        /// Files recognised but not parseable.
        errors: usize,
        /// Files judged as assets of their own: several exports of one kind in one place
        /// without a manifest joining them.
        separate: usize,
    },
    /// A backup tree was walked.
    BackupTreeWalked {
        /// The tree as given.
        path: &'a str,
        /// The host its sets belong to.
        host: &'a str,
        /// Backup series found.
        sets: usize,
        /// Backups in them (files, or dated folders), good or incomplete.
        members: u64,
        /// Files that are not backups (metadata, logs, checksums, readmes).
        not_backups: u64,
    },
    /// A waiver matched no failing finding.
    WaiverUnused {
        /// Where it is written: `file:line`.
        source: &'a str,
    },
    /// `--rpo ASSET=…` or `--schutzbedarf ASSET=…` selected no asset of the run.
    UnknownAsset {
        /// The option (`--rpo`).
        option: &'static str,
        /// The selector given.
        name: &'a str,
    },
}

/// Receives progress and events from a run.
pub trait Observer: Progress {
    /// Something worth telling the user happened.
    fn event(&mut self, event: Event<'_>);
}

/// How a run ended, for the caller's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Reports written; nothing at or above the gate.
    Passed,
    /// Reports written; a finding at or above `--fail-on`.
    GateFailed,
    /// Reports written; an evidence file could not be parsed (bad input, whatever the gate).
    EvidenceErrors,
    /// Reports written, but nothing was assessed: no host answered and no evidence was used.
    /// A wrong folder or a dead network must not pass a pipeline.
    NothingAssessed,
    /// Stopped by a signal (its number); the reports cover what was done and say so.
    Interrupted(i32),
}

/// What a run produced.
#[derive(Debug)]
pub struct Outcome {
    /// The judged result, the source of every report.
    pub result: ScanResult,
    /// The report files written.
    pub written: Vec<PathBuf>,
    /// How the run ended.
    pub verdict: Verdict,
    /// Each gate that failed, with why: one line each.
    pub gate_failures: Vec<String>,
}

/// What `scan` and `evaluate` validate before they touch anything.
struct Prepared {
    formats: Vec<Format>,
    tls_profile: checks::profiles::TlsProfile,
    checks: Vec<Check>,
    baselines: Vec<crate::baselines::Baseline>,
    shown: Vec<String>,
    attestations: Attestations,
    waivers: Vec<checks::waiver::Waiver>,
    previous: Option<ScanResult>,
    templates: report::Templates,
    report_info: report::ReportInfo,
}

fn prepare(options: &JudgeOptions) -> Result<Prepared, Error> {
    let mut formats = options
        .formats
        .iter()
        .map(|n| Format::parse(n))
        .collect::<Result<Vec<_>, _>>()?;
    formats.sort();
    formats.dedup();
    let tls_profile = checks::profiles::tls_profile(&options.tls_profile)?;
    let mut checks = checks::load(&options.checks)?;
    let baselines = if options.no_baselines {
        Vec::new()
    } else {
        crate::baselines::load(&options.baselines, &mut checks)?
    };
    let shown = crate::baselines::shown(&baselines, options.report_baselines.as_deref())?;
    let attestations = match &options.attestations {
        Some(path) => attestation::read(path, &checks, &baselines)?,
        None => Attestations::default(),
    };
    let waivers = match &options.waivers {
        Some(path) => checks::waiver::read(path, &checks)?,
        None => Vec::new(),
    };
    for min in &options.min_score {
        if let Some(scope) = &min.scope {
            let known = checks::Family::ALL.iter().any(|f| f.as_str() == scope)
                || baselines.iter().any(|b| &b.def.id == scope);
            if !known {
                return Err(InputError::Option {
                    option: "--min-score".into(),
                    message: format!(
                        "`{scope}` is neither a family nor a baseline: expected one of {}, {}",
                        checks::Family::ALL.map(checks::Family::as_str).join(", "),
                        baselines
                            .iter()
                            .map(|b| b.def.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
                .into());
            }
        }
    }
    if options.new_only && options.previous.is_none() {
        return Err(InputError::Option {
            option: "--new-only".into(),
            message:
                "gates on findings new since a previous result: give it with --previous OLD.json"
                    .into(),
        }
        .into());
    }
    let previous = options
        .previous
        .as_deref()
        .map(report::read_result)
        .transpose()?;
    let templates = report::Templates::load(options.templates.as_deref())?;
    let from_file = options
        .report_info_file
        .as_deref()
        .map(report::read_report_info)
        .transpose()?
        .unwrap_or_default();
    let report_info = options
        .report_info
        .clone()
        .or(from_file)
        .or(templates.info.clone());
    Ok(Prepared {
        templates,
        report_info,
        formats,
        tls_profile,
        checks,
        baselines,
        shown,
        attestations,
        waivers,
        previous,
    })
}

/// Scans, reads evidence, judges, writes the reports and applies the gate. `clock` is asked
/// for the time at each stage that records one.
pub fn scan(
    options: &ScanOptions,
    observer: &mut dyn Observer,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<Outcome, Error> {
    let prepared = prepare(&options.judge)?;
    let ports = targets::ports::parse_ports(&options.ports)?;
    let specs = targets::parse_target_args(&options.targets)?;
    if specs.is_empty() && options.evidence.is_empty() && options.backup_dirs.is_empty() {
        return Err(InputError::NoTargets.into());
    }
    let read_options = ReadOptions {
        tz: options
            .evidence_tz
            .clone()
            .unwrap_or_else(jiff::tz::TimeZone::system),
    };
    let mut local = Vec::new();
    for dir in &options.evidence {
        local.push(read_evidence_folder(dir, &read_options, observer)?);
    }
    for tree in &options.backup_dirs {
        local.push(walk_backup_tree(tree, observer, clock)?);
    }
    let offline = specs.is_empty();
    let (mut facts, services) = if offline {
        (Facts::empty(clock()), (0, 0))
    } else {
        scan_network(options, specs, ports, observer, clock)?
    };
    for found in local {
        evidence::merge_into(&mut facts, found);
    }
    if offline {
        facts.finished_at = clock();
    }
    if let Some(signal) = options.interrupt.signal() {
        facts.interrupted = Some(coverage(&facts, signal, services, clock()));
    }
    let mut outcome = judge_and_report(prepared, facts, &options.judge, observer, clock)?;
    if let Some(signal) = options.interrupt.signal() {
        outcome.verdict = Verdict::Interrupted(signal);
    }
    Ok(outcome)
}

/// What an interrupted run covered. `services` is (due, finished).
fn coverage(
    facts: &Facts,
    signal: i32,
    services: (u64, u64),
    at: jiff::Timestamp,
) -> crate::facts::Interruption {
    let mut covered = crate::facts::Interruption {
        signal: crate::interrupt::signal_name(signal),
        at,
        services_planned: services.0,
        services_probed: services.1,
        evidence_files: facts.evidence_files.len() as u64,
        ..Default::default()
    };
    for host in facts.hosts.iter().filter(|h| h.address.is_some()) {
        let c = &host.port_counts;
        let scanned = u64::from(c.open + c.closed + c.filtered + c.unreachable);
        covered.hosts_planned += 1;
        covered.ports_planned += scanned + host.ports_not_scanned;
        covered.ports_scanned += scanned;
        if host.ports_not_scanned == 0 {
            covered.hosts_complete += 1;
        } else if scanned > 0 {
            covered.hosts_partial += 1;
        }
    }
    covered
}

/// Judges a saved facts file (from `--format facts`), writes the reports and applies the gate.
pub fn evaluate(
    facts: &Path,
    options: &JudgeOptions,
    observer: &mut dyn Observer,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<Outcome, Error> {
    let prepared = prepare(options)?;
    let facts = read_facts(facts)?;
    judge_and_report(prepared, facts, options, observer, clock)
}

/// Reads one evidence folder, telling the observer about files in error and the totals.
pub fn read_evidence_folder(
    dir: &Path,
    options: &ReadOptions,
    observer: &mut dyn Observer,
) -> Result<Evidence, Error> {
    let found = evidence::read_folder(dir, options).map_err(|e| InputError::EvidenceFolder {
        path: e.path,
        message: e.message,
    })?;
    for file in found.errors() {
        observer.event(Event::EvidenceFileError {
            path: dir.join(&file.path),
            line: file.error_line,
            message: file.error.as_deref().unwrap_or("cannot be parsed"),
        });
    }
    observer.event(Event::EvidenceFolderRead {
        dir,
        files: found.files.len(),
        used: found
            .files
            .iter()
            .filter(|f| f.status == EvidenceStatus::Used)
            .count(),
        errors: found.errors().count(),
        separate: found
            .files
            .iter()
            .filter(|f| {
                matches!(
                    f.placement,
                    Some(crate::facts::Placement::SeparateAsset { .. })
                )
            })
            .count(),
    });
    Ok(found)
}

/// Walks one `--backup-dir [HOST=]PATH` into host evidence.
fn walk_backup_tree(
    spec: &str,
    observer: &mut dyn Observer,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<Evidence, Error> {
    let (host, path) = match spec.split_once('=') {
        Some((host, path)) if !host.contains('/') => (host.to_owned(), path),
        _ => (crate::collect::host_name(), spec),
    };
    let walked = evidence::backup::folder::walk(Path::new(path), clock()).map_err(|e| {
        InputError::EvidenceFolder {
            path: path.into(),
            message: e.message,
        }
    })?;
    observer.event(Event::BackupTreeWalked {
        path,
        host: &host,
        sets: walked.sets.len(),
        members: walked
            .sets
            .iter()
            .map(|s| s.successful + s.incomplete)
            .sum(),
        not_backups: walked.not_backups,
    });
    let mut found = Evidence::default();
    found.hosts.insert(
        host,
        HostEvidence {
            backups: walked.sets,
            not_backups: walked.not_backups,
            ..Default::default()
        },
    );
    Ok(found)
}

/// Stages 3 and 4: expands the targets and runs the probes.
fn scan_network(
    options: &ScanOptions,
    specs: Vec<targets::SourcedSpec>,
    ports: Vec<u16>,
    observer: &mut dyn Observer,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<(Facts, (u64, u64)), Error> {
    let exclude = targets::parse_target_args(&options.exclude)?;
    let scope = options
        .scope
        .as_deref()
        .map(targets::read_target_file)
        .transpose()?;
    let settings = ScanRequest::settings_with_overrides(
        options.profile,
        options.concurrency,
        options.rate,
        options.timeout,
    )?;
    let extra_roots = match &options.ca_file {
        Some(path) => probes::tls::cert::read_ca_file(path)?,
        None => Vec::new(),
    };
    let resolver = SystemResolver::new().map_err(RunError::Startup)?;
    let expansion = targets::expand(
        &specs,
        &ExpandOptions {
            exclude: &exclude,
            scope: scope.as_deref(),
            confirmed_large: options.confirmed_large,
        },
        &resolver,
    )?;
    if expansion.targets.is_empty() {
        return Err(InputError::Option {
            option: "targets".into(),
            message: "every address was excluded: nothing left to scan".into(),
        }
        .into());
    }
    tracing::info!(
        hosts = expansion.targets.len(),
        ports = ports.len(),
        "scan starting"
    );
    let scan_settings = ScanSettings {
        targets: options.targets.clone(),
        ports: options.ports.clone(),
        profile: options.profile.name().to_owned(),
        concurrency: settings.concurrency,
        rate: settings.rate,
        max_timeout_ms: u64::try_from(settings.timing.max_timeout.as_millis()).unwrap_or(u64::MAX),
        skipped_addresses: expansion.skipped,
    };
    let request = ScanRequest {
        targets: expansion.targets,
        ports,
        settings,
        service_probes: options.service_probes,
        extra_roots: Arc::new(extra_roots),
        interrupt: options.interrupt.clone(),
    };
    let started_at = clock();
    let run = probes::run_scan(&request, observer)?;
    let facts = Facts {
        schema_version: FACTS_SCHEMA_VERSION,
        tool: ToolInfo::current(),
        started_at,
        finished_at: clock(),
        scan: Some(scan_settings),
        hosts: run.hosts,
        identities: Vec::new(),
        evidence_files: Vec::new(),
        interrupted: None,
    };
    Ok((facts, (run.services_planned, run.services_probed)))
}

/// Stages 5 to 8.
fn judge_and_report(
    prepared: Prepared,
    mut facts: Facts,
    options: &JudgeOptions,
    observer: &mut dyn Observer,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<Outcome, Error> {
    let generated_at = clock();
    let judgement = Judgement {
        lang: options.lang,
        now: options.as_of.unwrap_or(generated_at),
        generated_at,
        rpo_seconds: options
            .rpo
            .iter()
            .rev()
            .find(|r| r.asset.is_none())
            .map_or(DEFAULT_RPO_SECONDS, |r| r.seconds),
        tls_profile: prepared.tls_profile,
        attestations: prepared.attestations,
        schutzbedarf: BTreeMap::new(),
    };
    let mut judgement = judgement;
    for name in set_asset_rpo(&mut facts, &options.rpo) {
        observer.event(Event::UnknownAsset {
            option: "--rpo",
            name: &name,
        });
    }
    let (levels, unmatched) = schutzbedarf_by_asset(&facts, &options.schutzbedarf);
    judgement.schutzbedarf = levels;
    for name in unmatched {
        observer.event(Event::UnknownAsset {
            option: "--schutzbedarf",
            name: &name,
        });
    }
    if options.redact {
        evidence::redact(&mut facts);
    }
    let evidence_errors = facts
        .evidence_files
        .iter()
        .any(|f| f.status == EvidenceStatus::Error);
    let (mut result, applied) = judge(
        &prepared.checks,
        &prepared.baselines,
        &prepared.waivers,
        facts,
        &judgement,
    );
    result.baselines_shown = prepared.shown;
    result.report_info = prepared.report_info.clone();
    if let Some(previous) = &prepared.previous {
        report::diff::mark_novelty(&mut result, previous);
        result.fixed_since_previous = report::diff::diff(previous, &result).fixed;
        result.history = report::management::history_with(previous);
    }
    for source in &applied.unmatched {
        observer.event(Event::WaiverUnused { source });
    }
    let gate_failures = gate_failures(&result, options, &applied);
    result.gate_failures = gate_failures.clone();
    let written = report::write_reports(
        &result,
        &options.out,
        &prepared.formats,
        &prepared.templates,
    )?;
    // The report is complete; an evidence file that could not be parsed is still bad input,
    // and a run that assessed nothing is not a pass. The first that applies wins.
    let verdict = if evidence_errors {
        Verdict::EvidenceErrors
    } else if nothing_assessed(&result.facts) {
        Verdict::NothingAssessed
    } else if !gate_failures.is_empty() {
        Verdict::GateFailed
    } else {
        Verdict::Passed
    };
    Ok(Outcome {
        result,
        written,
        verdict,
        gate_failures,
    })
}

/// No host answered and no evidence was read: no asset to judge. Hosts known from evidence
/// (`not_scanned`) and identity sources come only from evidence that was used.
fn nothing_assessed(facts: &Facts) -> bool {
    let host_known = facts
        .hosts
        .iter()
        .any(|h| matches!(h.state, HostState::Up | HostState::NotScanned));
    let evidence_used = facts
        .evidence_files
        .iter()
        .any(|f| f.status == EvidenceStatus::Used);
    !host_known && facts.identities.is_empty() && !evidence_used
}

/// Every asset's names a selector may match: its id, host names and address.
fn host_names(host: &crate::facts::HostFacts) -> Vec<String> {
    let mut names = vec![host.asset_id()];
    names.extend(host.hostnames.iter().cloned());
    names.extend(host.address.map(|a| a.to_string()));
    names
}

/// Sets the recovery point objective of the assets selected by `--rpo ASSET=DURATION` (in
/// seconds), over what their manifests say; a later option beats an earlier one. Returns the
/// selectors that matched no asset.
fn set_asset_rpo(facts: &mut Facts, rpo: &[Rpo]) -> Vec<String> {
    let mut unmatched = Vec::new();
    for Rpo { asset, seconds } in rpo {
        let Some(selector) = asset else { continue };
        let mut matched = false;
        for host in &mut facts.hosts {
            if !selector.matches(host_names(host).iter().map(String::as_str)) {
                continue;
            }
            matched = true;
            if let Some(backup) = &mut host.backup {
                backup.rpo = Some(format!("{seconds}s"));
            }
        }
        if !matched {
            unmatched.push(selector.as_str().to_owned());
        }
    }
    unmatched
}

/// Each asset's Schutzbedarf where it is not normal: the last `--schutzbedarf ASSET=LEVEL`
/// that selects it, else its manifest's, else the last plain `--schutzbedarf LEVEL`. Returns
/// the levels by asset id and the selectors that matched no asset.
fn schutzbedarf_by_asset(
    facts: &Facts,
    args: &[SchutzbedarfArg],
) -> (BTreeMap<String, Schutzbedarf>, Vec<String>) {
    let plain = args
        .iter()
        .rev()
        .find(|a| a.asset.is_none())
        .map(|a| a.level);
    let selected = |names: &[String]| {
        args.iter()
            .rev()
            .find(|a| {
                a.asset
                    .as_ref()
                    .is_some_and(|s| s.matches(names.iter().map(String::as_str)))
            })
            .map(|a| a.level)
    };
    let mut levels = BTreeMap::new();
    let assets = facts
        .hosts
        .iter()
        .map(|h| (h.asset_id(), host_names(h), h.schutzbedarf))
        .chain(
            facts
                .identities
                .iter()
                .map(|i| (i.id.clone(), vec![i.id.clone()], None)),
        );
    let mut used = vec![false; args.len()];
    for (id, names, manifest) in assets {
        for (i, arg) in args.iter().enumerate() {
            if let Some(selector) = &arg.asset
                && selector.matches(names.iter().map(String::as_str))
            {
                used[i] = true;
            }
        }
        let level = selected(&names).or(manifest).or(plain).unwrap_or_default();
        if level != Schutzbedarf::Normal {
            levels.insert(id, level);
        }
    }
    let unmatched = args
        .iter()
        .zip(used)
        .filter_map(|(arg, used)| Some(arg.asset.as_ref()?.as_str().to_owned()).filter(|_| !used))
        .collect();
    (levels, unmatched)
}

/// Judges facts: evaluates every check, computes the scores, grades TLS endpoints and lists
/// the manual items.
pub(crate) fn judge(
    checks: &[Check],
    baselines: &[crate::baselines::Baseline],
    waivers: &[checks::waiver::Waiver],
    facts: Facts,
    judgement: &Judgement,
) -> (ScanResult, checks::waiver::Applied) {
    let mut findings = eval::evaluate(checks, &facts, judgement);
    let applied = checks::waiver::apply(
        &mut findings,
        waivers,
        jiff::tz::TimeZone::UTC.to_datetime(judgement.now).date(),
    );
    let scores = scoring::score(checks, &findings);
    let baseline_results =
        scoring::baselines::score_all(baselines, checks, &scores.checks, &judgement.attestations);
    let manual = eval::manual_items(checks, &findings, &judgement.attestations);
    let mut result = ScanResult::new(
        checks,
        facts,
        findings,
        scores,
        judgement.lang,
        judgement.generated_at,
    );
    result.as_of = judgement.now;
    result.manual = manual;
    result.baselines = baseline_results;
    result.tls_profile = Some(format!(
        "{} {}",
        judgement.tls_profile.id, judgement.tls_profile.version
    ));
    result.tls_grades = scoring::tls_grade::grade_all(&result.facts);
    (result, applied)
}

/// Every gate that failed, each with why: `--fail-on`, expired waivers, `--min-score`,
/// `--min-coverage`.
fn gate_failures(
    result: &ScanResult,
    options: &JudgeOptions,
    applied: &checks::waiver::Applied,
) -> Vec<String> {
    let mut failures = Vec::new();
    // `--new-only` alone gates on any new failure; with `--fail-on` on new ones at or above.
    let threshold = options
        .fail_on
        .or(options.new_only.then_some(Severity::Info));
    if let Some(threshold) = threshold {
        let gated: Vec<&eval::Finding> = result
            .findings
            .iter()
            .filter(|f| f.state == eval::ResultState::Fail && f.severity >= threshold)
            .filter(|f| !options.new_only || f.novelty == Some(report::diff::Novelty::New))
            .collect();
        let mut failing: Vec<&str> = gated.iter().map(|f| f.check_id.as_str()).collect();
        failing.sort_unstable();
        failing.dedup();
        if !failing.is_empty() {
            failures.push(format!(
                "{}--fail-on {threshold}: {} {}finding(s) at {threshold} or above ({})",
                if options.new_only { "--new-only " } else { "" },
                gated.len(),
                if options.new_only { "new " } else { "" },
                failing.join(", ")
            ));
        }
    }
    for expired in &applied.expired {
        failures.push(format!("expired waiver: {expired} fails again"));
    }
    for min in &options.min_score {
        let scope = match &min.scope {
            None => Some(("overall".to_owned(), &result.scores.overall)),
            Some(name) => result
                .scores
                .families
                .iter()
                .find(|f| &f.scope == name)
                .or_else(|| {
                    result
                        .baselines
                        .iter()
                        .find(|b| &b.id == name)
                        .map(|b| &b.score)
                })
                .map(|s| (name.clone(), s)),
        };
        match scope {
            Some((name, score)) => match score.score {
                Some(value) if value + 1e-9 >= min.score => {}
                Some(value) => failures.push(format!(
                    "--min-score {name}={}: the score is {value:.1}",
                    min.score
                )),
                // An unassessed scope never passes a minimum.
                None => failures.push(format!(
                    "--min-score {name}={}: {name} was not assessed",
                    min.score
                )),
            },
            None => failures.push(format!(
                "--min-score: `{}` is neither a family nor a baseline of this run",
                min.scope.as_deref().unwrap_or_default()
            )),
        }
    }
    if let Some(minimum) = options.min_coverage
        && result.scores.overall.coverage + 1e-9 < minimum
    {
        failures.push(format!(
            "--min-coverage {minimum}: coverage is {:.1} %",
            result.scores.overall.coverage
        ));
    }
    failures
}

/// Reads a facts file written by `postura scan --format facts`.
fn read_facts(path: &Path) -> Result<Facts, InputError> {
    let facts: Facts = report::read_json(path)?;
    if facts.schema_version != FACTS_SCHEMA_VERSION {
        return Err(InputError::Json {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message: format!(
                "facts schema_version {} is not supported: expected {FACTS_SCHEMA_VERSION}",
                facts.schema_version
            ),
        });
    }
    Ok(facts)
}
