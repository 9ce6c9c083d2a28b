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
    EvidenceStatus, FACTS_SCHEMA_VERSION, Facts, HostState, ScanPlan, ScanSettings, ToolInfo,
};
use crate::journal::{self, Journal, JournalWriter, PlanRecord, PlannedHost};
use crate::probes::{self, ScanRequest};
use crate::report::{self, Format, ScanResult};
use crate::scoring;
use crate::selector::AssetSelector;
use crate::targets::{self, ExpandOptions, SystemResolver};

pub use crate::evidence::{Evidence, ReadOptions};
pub use crate::facts::Shard;
pub use crate::journal::JOURNAL_FILE;
pub use crate::probes::{Profile, Progress, Stage};

/// The recovery point objective when neither `--rpo` nor a host manifest sets one: a week,
/// CIS Control 11.2 ("run backups weekly, or more frequently").
pub const DEFAULT_RPO_SECONDS: i64 = 7 * 24 * 3600;

/// The default longest time without an installed update (`--patch-age`): 30 days.
pub const DEFAULT_PATCH_AGE_SECONDS: i64 = 30 * 24 * 3600;

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
    /// UDP ports to ask (`--udp`, `--udp-ports`), `None` for no UDP scan.
    pub udp_ports: Option<String>,
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
    /// Scan only this part of the hosts (`--shard I/N`); `postura merge` joins the parts.
    pub shard: Option<Shard>,
    /// Continue the scan whose journal is in this folder (or this file).
    pub resume: Option<PathBuf>,
    /// With `resume`: start a new scan there when the folder holds no journal yet (what a
    /// retried Kubernetes pod does).
    pub resume_or_start: bool,
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
    /// The longest time without an installed update, for every asset or for some
    /// (`--patch-age`, same grammar as `--rpo`).
    pub patch_age: Vec<Rpo>,
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
    /// A scan's journal was read (`postura evaluate` on a journal).
    JournalRead {
        /// The journal.
        path: &'a Path,
        /// Hosts it records as done.
        hosts_done: u64,
        /// Hosts the scan planned.
        hosts_planned: u64,
        /// The scan ran to its end.
        finished: bool,
        /// Its last line was cut short (the writer died) and is ignored.
        torn_tail: bool,
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
    if options.shard.is_some() {
        check_shard_options(options)?;
    }
    let resume = match &options.resume {
        Some(dir) => open_journal(dir, options.resume_or_start)?,
        None => None,
    };
    let read_options = ReadOptions {
        tz: options
            .evidence_tz
            .clone()
            .unwrap_or_else(jiff::tz::TimeZone::system),
    };
    let mut local = Vec::new();
    for dir in &options.evidence {
        local.push((
            dir.display().to_string(),
            read_evidence_folder(dir, &read_options, observer)?,
        ));
    }
    for tree in &options.backup_dirs {
        local.push((tree.clone(), walk_backup_tree(tree, observer, clock)?));
    }
    let offline = specs.is_empty();
    let (mut facts, services) = if offline {
        (Facts::empty(clock()), (0, 0))
    } else {
        let work = Work {
            options,
            checks: &prepared.checks,
            ports,
            local: &local,
            resume,
        };
        scan_network(work, specs, observer, clock)?
    };
    for (_, found) in local {
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
    } else if options.shard.is_some() {
        // A shard that ran has done its part; `postura merge` judges and gates the whole.
        outcome.verdict = Verdict::Passed;
    }
    Ok(outcome)
}

/// A shard scans; evidence and gates belong to `postura merge`, which sees the whole.
fn check_shard_options(options: &ScanOptions) -> Result<(), InputError> {
    let misplaced = |option: &str, why: &str| InputError::Option {
        option: option.into(),
        message: format!("{why}: give it to `postura merge`, which joins the shards"),
    };
    if !options.evidence.is_empty() || !options.backup_dirs.is_empty() {
        return Err(misplaced(
            "--evidence",
            "evidence is judged once for the whole scan, not per shard",
        ));
    }
    let judge = &options.judge;
    if judge.fail_on.is_some()
        || !judge.min_score.is_empty()
        || judge.min_coverage.is_some()
        || judge.new_only
    {
        return Err(misplaced(
            "--fail-on",
            "gates (--fail-on, --min-score, --min-coverage, --new-only) decide on the whole \
             scan; a shard exits 0 when it ran",
        ));
    }
    Ok(())
}

/// The journal `--resume DIR` names: `DIR/postura-journal.jsonl`, or the file itself. With
/// `or_start`, a folder without one means a new scan.
fn open_journal(dir: &Path, or_start: bool) -> Result<Option<Journal>, Error> {
    let path = if dir.is_dir() {
        dir.join(JOURNAL_FILE)
    } else {
        dir.to_owned()
    };
    if !journal::has_plan(&path) {
        if or_start {
            return Ok(None);
        }
        return Err(InputError::Option {
            option: "--resume".into(),
            message: format!(
                "{} holds no journal ({JOURNAL_FILE}) of an earlier scan, or one that ended \
                 before its first line: expected the report folder of the scan to continue",
                dir.display()
            ),
        }
        .into());
    }
    Ok(Some(journal::read(&path)?))
}

/// What the network scan works from.
struct Work<'a> {
    options: &'a ScanOptions,
    checks: &'a [Check],
    ports: Vec<u16>,
    /// Evidence read before the scan, by source, for the journal.
    local: &'a [(String, Evidence)],
    resume: Option<Journal>,
}

/// What an interrupted run covered. `services` is (due, finished).
pub(crate) fn coverage(
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
    for group in &facts.closed_hosts {
        let ports = u64::from(
            group
                .host(std::net::Ipv4Addr::UNSPECIFIED.into())
                .port_counts
                .closed,
        );
        covered.hosts_planned += group.count;
        covered.hosts_complete += group.count;
        covered.ports_planned += ports * group.count;
        covered.ports_scanned += ports * group.count;
    }
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

/// Judges saved facts, writes the reports and applies the gate. `facts` is a facts file
/// (`--format facts`), a scan's journal, or a report folder holding one: the journal of a
/// scan that did not finish gives a result marked incomplete, naming what is missing.
pub fn evaluate(
    facts: &Path,
    options: &JudgeOptions,
    observer: &mut dyn Observer,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<Outcome, Error> {
    let prepared = prepare(options)?;
    let path = if facts.is_dir() {
        facts.join(JOURNAL_FILE)
    } else {
        facts.to_owned()
    };
    let facts = if journal::is_journal(&path) {
        let journal = journal::read(&path)?;
        observer.event(Event::JournalRead {
            path: &path,
            hosts_done: journal.done().len() as u64,
            hosts_planned: journal.plan.hosts.len() as u64,
            finished: journal.finished.is_some(),
            torn_tail: journal.torn_tail,
        });
        crate::shards::read_facts_of_any(&path, clock())?
    } else {
        read_facts(&path)?
    };
    judge_and_report(prepared, facts, options, observer, clock)
}

/// Everything `postura merge` was asked to do.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    /// The shards: report folders, journals, results or facts files.
    pub inputs: Vec<PathBuf>,
    /// Evidence folders, judged once with the merged scan.
    pub evidence: Vec<PathBuf>,
    /// Zone of evidence times written without one; the machine's zone when `None`.
    pub evidence_tz: Option<jiff::tz::TimeZone>,
    /// Backup trees to walk, as `PATH` or `HOST=PATH`.
    pub backup_dirs: Vec<String>,
    /// Merge shards that did not finish into a result marked incomplete.
    pub allow_incomplete: bool,
    /// How to judge and report.
    pub judge: JudgeOptions,
}

/// Joins the shards of a split scan into one result (checking they belong together, none
/// missing or given twice), adds the evidence, judges, writes the reports and applies the
/// gate: the whole scan's verdict.
pub fn merge(
    options: &MergeOptions,
    observer: &mut dyn Observer,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<Outcome, Error> {
    let prepared = prepare(&options.judge)?;
    let read_at = clock();
    let parts = options
        .inputs
        .iter()
        .map(|path| crate::shards::read_part(path, read_at))
        .collect::<Result<Vec<_>, _>>()?;
    let mut facts = crate::shards::join(parts, options.allow_incomplete)?;
    let read_options = ReadOptions {
        tz: options
            .evidence_tz
            .clone()
            .unwrap_or_else(jiff::tz::TimeZone::system),
    };
    for dir in &options.evidence {
        let found = read_evidence_folder(dir, &read_options, observer)?;
        evidence::merge_into(&mut facts, found);
    }
    for tree in &options.backup_dirs {
        let found = walk_backup_tree(tree, observer, clock)?;
        evidence::merge_into(&mut facts, found);
    }
    if let Some(covered) = &mut facts.interrupted {
        covered.evidence_files = facts.evidence_files.len() as u64;
    }
    judge_and_report(prepared, facts, &options.judge, observer, clock)
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

/// Stages 3 and 4: expands the targets (or takes them from the journal being resumed) and
/// runs the probes batch by batch, writing each finished host to the journal.
fn scan_network(
    work: Work<'_>,
    specs: Vec<targets::SourcedSpec>,
    observer: &mut dyn Observer,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<(Facts, (u64, u64)), Error> {
    let options = work.options;
    let settings = ScanRequest::settings_with_overrides(
        options.profile,
        options.concurrency,
        options.rate,
        options.timeout,
    )?;
    let extra_roots = Arc::new(match &options.ca_file {
        Some(path) => probes::tls::cert::read_ca_file(path)?,
        None => Vec::new(),
    });
    let identity = plan_identity(options, work.checks)?;
    let (plan, done, writer) = match work.resume {
        Some(journal) => resume_journal(journal, &identity, clock)?,
        None => {
            let plan = new_plan(options, specs, identity, &settings, clock)?;
            let writer = start_journal(&options.judge.out, &plan, work.local)?;
            (plan, Vec::new(), Some(writer))
        }
    };
    tracing::info!(
        hosts = plan.hosts.len(),
        done = done.len(),
        ports = work.ports.len(),
        "scan starting"
    );
    let request = ScanRequest {
        targets: Vec::new(),
        ports: work.ports,
        settings,
        service_probes: options.service_probes,
        extra_roots,
        interrupt: options.interrupt.clone(),
        udp_ports: udp_ports(options)?,
    };
    let mut scanned: std::collections::HashMap<std::net::IpAddr, crate::facts::HostFacts> = done
        .into_iter()
        .filter_map(|h| Some((h.address?, h)))
        .collect();
    let pending: Vec<targets::Target> = plan
        .hosts
        .iter()
        .filter(|h| !scanned.contains_key(&h.address))
        .map(targets::Target::from)
        .collect();
    let services = run_batches(&request, &pending, writer, &mut scanned, observer, clock)?;
    let hosts = plan
        .hosts
        .iter()
        .map(|planned| {
            scanned.remove(&planned.address).unwrap_or_else(|| {
                probes::unscanned_host(&targets::Target::from(planned), &request.ports)
            })
        })
        .collect();
    let facts = Facts {
        schema_version: FACTS_SCHEMA_VERSION,
        tool: ToolInfo::current(),
        started_at: plan.started_at,
        finished_at: clock(),
        scan: Some(plan.settings),
        hosts,
        identities: Vec::new(),
        evidence_files: Vec::new(),
        closed_hosts: Vec::new(),
        interrupted: None,
    };
    Ok((facts, services))
}

/// Port probes in one batch at most: hosts are scanned a batch at a time, so a finished
/// batch's hosts reach the journal while the next one runs, and memory stays bounded.
const BATCH_PROBES: usize = 1 << 16;

/// Scans `pending` batch by batch, adding each host to `scanned` and, once its batch ran
/// without interruption, to the journal. Returns the service probes (due, finished).
fn run_batches(
    request: &ScanRequest,
    pending: &[targets::Target],
    mut writer: Option<JournalWriter>,
    scanned: &mut std::collections::HashMap<std::net::IpAddr, crate::facts::HostFacts>,
    observer: &mut dyn Observer,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<(u64, u64), Error> {
    let per_batch = (BATCH_PROBES / request.ports.len().max(1)).max(16);
    let probes_of = |hosts: &[targets::Target]| -> u64 {
        hosts
            .iter()
            .map(|t| probes::ports_for(t, &request.ports).len() as u64)
            .sum()
    };
    let mut progress = BatchProgress {
        inner: observer,
        batched: pending.len() > per_batch,
        ports_done: 0,
        ports_total: probes_of(pending),
    };
    let mut services = (0, 0);
    for batch in pending.chunks(per_batch) {
        if request.interrupt.is_raised() {
            break;
        }
        let batch_request = ScanRequest {
            targets: batch.to_vec(),
            ..request.clone()
        };
        let run = probes::run_scan(&batch_request, &mut progress)?;
        services.0 += run.services_planned;
        services.1 += run.services_probed;
        // A batch cut short holds hosts half done: they stay out of the journal and a
        // resumed scan does them again.
        let complete = !request.interrupt.is_raised();
        for host in run.hosts {
            if complete && let Some(writer) = &mut writer {
                writer.host(&host)?;
            }
            if let Some(address) = host.address {
                scanned.insert(address, host);
            }
        }
        if let Some(writer) = &mut writer {
            writer.sync_if_due()?;
        }
        progress.ports_done += probes_of(batch);
    }
    if let Some(mut writer) = writer {
        if request.interrupt.is_raised() {
            writer.sync()?;
        } else {
            writer.finish(journal::Finished {
                at: clock(),
                services_planned: services.0,
                services_probed: services.1,
            })?;
        }
    }
    Ok(services)
}

/// Progress over all batches: one bar of port probes when there are several batches (the
/// service probes of each batch are short and would make the bar jump between stages).
struct BatchProgress<'o> {
    inner: &'o mut dyn Observer,
    batched: bool,
    ports_done: u64,
    ports_total: u64,
}

impl Progress for BatchProgress<'_> {
    fn update(&mut self, stage: Stage, done: u64, total: u64) {
        match (self.batched, stage) {
            (false, _) => self.inner.update(stage, done, total),
            (true, Stage::Ports) => {
                self.inner
                    .update(Stage::Ports, self.ports_done + done, self.ports_total);
            }
            (true, Stage::Services | Stage::Udp) => {}
        }
    }
}

/// The UDP ports `--udp` asks without `--udp-ports`.
pub const DEFAULT_UDP_PORTS: &str = probes::udp::DEFAULT_UDP_PORTS;

/// The UDP ports of `--udp` / `--udp-ports`, empty without UDP.
fn udp_ports(options: &ScanOptions) -> Result<Vec<probes::udp::UdpPort>, InputError> {
    match &options.udp_ports {
        None => Ok(Vec::new()),
        Some(text) => probes::udp::parse_udp_ports(text).map_err(|message| InputError::Option {
            option: "--udp-ports".into(),
            message,
        }),
    }
}

/// What identifies this scan's work (all but the addresses, which need the expansion).
fn plan_identity(options: &ScanOptions, checks: &[Check]) -> Result<ScanPlan, Error> {
    let file_sha = |path: &Path| -> Result<String, InputError> {
        let bytes = std::fs::read(path).map_err(|source| InputError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        Ok(sha256_hex(&bytes))
    };
    let mut defs = Vec::new();
    for check in checks {
        defs.extend(serde_json::to_vec(&check.def).unwrap_or_default());
        defs.push(b'\n');
    }
    Ok(ScanPlan {
        tool_version: ToolInfo::current().version,
        targets: options.targets.clone(),
        exclude: options.exclude.clone(),
        scope_sha256: options.scope.as_deref().map(file_sha).transpose()?,
        ports: options.ports.clone(),
        profile: options.profile.name().to_owned(),
        service_probes: options.service_probes,
        udp_ports: Some(udp_ports(options)?)
            .filter(|ports| !ports.is_empty())
            .map(|ports| probes::udp::format_udp_ports(&ports)),
        ca_sha256: options.ca_file.as_deref().map(file_sha).transpose()?,
        checks_sha256: sha256_hex(&defs),
        addresses: 0,
        addresses_sha256: String::new(),
        shard: options.shard,
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Expands the targets and keeps this shard's hosts: every N-th address of the sorted list,
/// so each shard gets a share of every subnet.
fn new_plan(
    options: &ScanOptions,
    specs: Vec<targets::SourcedSpec>,
    mut identity: ScanPlan,
    settings: &probes::ProfileSettings,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<PlanRecord, Error> {
    let exclude = targets::parse_target_args(&options.exclude)?;
    let scope = options
        .scope
        .as_deref()
        .map(targets::read_target_file)
        .transpose()?;
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
    let all: Vec<PlannedHost> = expansion.targets.iter().map(PlannedHost::from).collect();
    identity.addresses = all.len() as u64;
    identity.addresses_sha256 = sha256_hex(&serde_json::to_vec(&all).unwrap_or_default());
    let hosts = match options.shard {
        Some(shard) => all
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i as u64 % u64::from(shard.count) == u64::from(shard.index))
            .map(|(_, h)| h)
            .collect(),
        None => all,
    };
    Ok(PlanRecord {
        journal: journal::JOURNAL_VERSION,
        tool: ToolInfo::current(),
        started_at: clock(),
        settings: ScanSettings {
            targets: options.targets.clone(),
            ports: options.ports.clone(),
            udp_ports: identity.udp_ports.clone(),
            profile: options.profile.name().to_owned(),
            concurrency: settings.concurrency,
            rate: settings.rate,
            max_timeout_ms: u64::try_from(settings.timing.max_timeout.as_millis())
                .unwrap_or(u64::MAX),
            skipped_addresses: expansion.skipped,
            plan: Some(identity),
        },
        hosts,
    })
}

/// Starts the journal in the report folder, refusing to replace one of a scan that did not
/// finish (that is `--resume`'s to continue), and records the evidence read.
fn start_journal(
    out: &Path,
    plan: &PlanRecord,
    local: &[(String, Evidence)],
) -> Result<JournalWriter, Error> {
    let path = out.join(JOURNAL_FILE);
    if journal::has_plan(&path) {
        let unfinished = journal::read(&path).map_or(true, |j| j.finished.is_none());
        if unfinished {
            return Err(InputError::Option {
                option: "--out".into(),
                message: format!(
                    "{} holds the journal of a scan that did not finish: continue it with \
                     --resume {}, or remove {} to start over",
                    out.display(),
                    out.display(),
                    path.display()
                ),
            }
            .into());
        }
    }
    std::fs::create_dir_all(out).map_err(|source| RunError::Write {
        path: out.to_owned(),
        source,
    })?;
    let mut writer = JournalWriter::create(&path, plan)?;
    for (source, evidence) in local {
        writer.evidence(source, evidence)?;
    }
    writer.sync()?;
    Ok(writer)
}

/// Continues a journal: its work must be this scan's, field by field.
fn resume_journal(
    journal: Journal,
    identity: &ScanPlan,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<
    (
        PlanRecord,
        Vec<crate::facts::HostFacts>,
        Option<JournalWriter>,
    ),
    Error,
> {
    let recorded = journal.plan.identity();
    let mut differences = journal::differences(recorded, identity, false);
    if recorded.shard != identity.shard {
        differences.push("--shard");
    }
    if !differences.is_empty() {
        return Err(InputError::Option {
            option: "--resume".into(),
            message: format!(
                "{} is the journal of other work: {} differ(s); resume with the command line \
                 of the scan that wrote it",
                journal.path.display(),
                differences.join(", ")
            ),
        }
        .into());
    }
    let writer = match journal.finished {
        Some(_) => None,
        None => Some(JournalWriter::resume(&journal, clock())?),
    };
    Ok((journal.plan, journal.hosts, writer))
}

/// Stages 5 to 8.
fn judge_and_report(
    prepared: Prepared,
    mut facts: Facts,
    options: &JudgeOptions,
    observer: &mut dyn Observer,
    clock: &dyn Fn() -> jiff::Timestamp,
) -> Result<Outcome, Error> {
    facts.count_closed_hosts();
    crate::lifecycle::annotate(&mut facts);
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
        patch_age_seconds: options
            .patch_age
            .iter()
            .rev()
            .find(|r| r.asset.is_none())
            .map_or(DEFAULT_PATCH_AGE_SECONDS, |r| r.seconds),
        tls_profile: prepared.tls_profile,
        attestations: prepared.attestations,
        schutzbedarf: BTreeMap::new(),
    };
    let mut judgement = judgement;
    let unmatched_rpo = set_asset_durations(&mut facts, &options.rpo, |host, rpo| {
        if let Some(backup) = &mut host.backup {
            backup.rpo = Some(rpo);
        }
    });
    let unmatched_patch_age = set_asset_durations(&mut facts, &options.patch_age, |host, age| {
        if let Some(patching) = &mut host.patching {
            patching.patch_age = Some(age);
        }
    });
    for (option, names) in [
        ("--rpo", unmatched_rpo),
        ("--patch-age", unmatched_patch_age),
    ] {
        for name in names {
            observer.event(Event::UnknownAsset {
                option,
                name: &name,
            });
        }
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
    let host_known = !facts.closed_hosts.is_empty()
        || facts
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

/// Sets a per-asset duration (`--rpo` or `--patch-age ASSET=DURATION`, in seconds) on the
/// selected assets through `set`, over what their manifests say; a later option beats an
/// earlier one. Returns the selectors that matched no asset.
fn set_asset_durations(
    facts: &mut Facts,
    durations: &[Rpo],
    set: impl Fn(&mut crate::facts::HostFacts, String),
) -> Vec<String> {
    let mut unmatched = Vec::new();
    for Rpo { asset, seconds } in durations {
        let Some(selector) = asset else { continue };
        let mut matched = false;
        for host in &mut facts.hosts {
            if selector.matches(host_names(host).iter().map(String::as_str)) {
                matched = true;
                set(host, format!("{seconds}s"));
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
        .chain(facts.closed_hosts.iter().map(|g| {
            let id = g.asset_id();
            (id.clone(), vec![id], None)
        }))
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
pub(crate) fn read_facts(path: &Path) -> Result<Facts, InputError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{HostFacts, LISTED_CLOSED_HOSTS, PortCounts};

    fn closed_host(address: std::net::IpAddr) -> HostFacts {
        HostFacts {
            address: Some(address),
            hostnames: Vec::new(),
            state: HostState::Up,
            scanned_ports: "21-23,80,443,3389".into(),
            port_counts: PortCounts {
                closed: 6,
                ..PortCounts::default()
            },
            ..HostFacts::from_evidence("")
        }
    }

    /// Counting the closed hosts of a sweep changes how they are written, never a score, a
    /// state count or the coverage; listing them again restores every host.
    #[test]
    fn counted_hosts_judge_as_if_listed() {
        let checks = checks::load(&[]).unwrap();
        let mut facts = Facts::empty(jiff::Timestamp::UNIX_EPOCH);
        for i in 0..(LISTED_CLOSED_HOSTS as u32 + 300) {
            facts.hosts.push(closed_host(
                std::net::Ipv4Addr::from(0x0a00_0000 + i * 3 / 2).into(),
            ));
        }
        // One host with an open Telnet port fails a check the others pass.
        let mut telnet = closed_host("10.9.0.1".parse().unwrap());
        telnet.port_counts = PortCounts {
            open: 1,
            closed: 5,
            ..PortCounts::default()
        };
        telnet.ports.push(crate::facts::PortFacts::new(
            23,
            crate::facts::PortState::Open,
            crate::facts::PortReason::SynAck,
        ));
        facts.hosts.push(telnet);
        let judgement = || Judgement {
            schutzbedarf: BTreeMap::new(),
            lang: Lang::En,
            now: jiff::Timestamp::UNIX_EPOCH,
            generated_at: jiff::Timestamp::UNIX_EPOCH,
            tls_profile: checks::profiles::tls_profile(checks::profiles::DEFAULT_TLS_PROFILE)
                .unwrap(),
            rpo_seconds: DEFAULT_RPO_SECONDS,
            patch_age_seconds: DEFAULT_PATCH_AGE_SECONDS,
            attestations: Attestations::default(),
        };
        let mut counted = facts.clone();
        counted.count_closed_hosts();
        assert_eq!(counted.hosts.len(), 1);
        assert_eq!(counted.closed_hosts.len(), 1);
        assert_eq!(
            counted.closed_hosts[0].count,
            LISTED_CLOSED_HOSTS as u64 + 300
        );
        // Every third address is skipped: runs of two consecutive ones.
        assert!(counted.closed_hosts[0].addresses[0].contains('-'));
        let (listed, _) = judge(&checks, &[], &[], facts.clone(), &judgement());
        let (grouped, _) = judge(&checks, &[], &[], counted.clone(), &judgement());
        assert!(grouped.findings.len() < listed.findings.len() / 100);
        assert_eq!(
            serde_json::to_value(&listed.scores).unwrap(),
            serde_json::to_value(&grouped.scores).unwrap()
        );
        let failing = listed
            .scores
            .checks
            .iter()
            .find(|c| c.check_id == "exp-cleartext-admin-protocol");
        assert_eq!(
            failing.unwrap().states["pass"],
            LISTED_CLOSED_HOSTS as u32 + 300
        );
        let mut relisted = counted;
        relisted.list_closed_hosts();
        let mut original = facts.hosts.clone();
        original.sort_by_key(|h| h.address);
        assert_eq!(relisted.hosts, original);
    }
}
