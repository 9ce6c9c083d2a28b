//! The edge: turns arguments into core calls, prints, draws progress, maps exit codes.

pub mod args;
mod progress;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::CommandFactory;

use args::{
    ChecksCommand, Cli, Command, EvaluateArgs, FailOn, LangArg, ProfileArg, ReportArgs, ScanArgs,
};
use postura::checks::{self, Check, Lang, Severity};
use postura::facts::ScanSettings;
use postura::probes::{Profile, ScanRequest};
use postura::report::{self, Format, ScanResult};
use postura::targets::{self, ExpandOptions, SourcedSpec, SystemResolver};
use postura::{Error, InputError, RunError};

/// Exit codes of the CI contract (DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Ran; nothing at or above the gate.
    Ok = 0,
    /// Findings at or above `--fail-on`.
    Gate = 1,
    /// Usage or input error.
    Input = 2,
    /// The scan could not run.
    Run = 3,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// Prints an error for a person and returns its exit code.
pub fn report_error(err: &Error) -> Exit {
    eprintln!("postura: error: {err}");
    match err {
        Error::Input(_) => Exit::Input,
        Error::Run(RunError::Write { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            Exit::Ok
        }
        Error::Run(_) => Exit::Run,
    }
}

/// Runs one command.
pub fn run(cli: Cli) -> Result<Exit, Error> {
    match cli.command {
        Command::Scan(args) => scan(*args),
        Command::Evaluate(args) => evaluate(args),
        Command::Checks(command) => checks_command(command),
        Command::Evidence { dir, json } => evidence_command(&dir, json),
        Command::Collect {
            out,
            restic_repo,
            borg_repo,
            pam_dir,
            quiet,
        } => collect_command(
            &out,
            &postura::collect::CollectOptions {
                restic_repos: restic_repo,
                borg_repos: borg_repo,
                pam_dir,
            },
            quiet,
        ),
        Command::Schema { document } => {
            let schema = match document {
                args::SchemaDocument::Facts => postura::facts::json_schema(),
                args::SchemaDocument::Result => report::json_schema(),
                args::SchemaDocument::Check => checks::json_schema(),
                args::SchemaDocument::Attestations => checks::attestation::json_schema(),
            };
            print_stdout(&format!(
                "{}\n",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            ))
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "postura", &mut out);
            print_stdout(&String::from_utf8_lossy(&out))
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| RunError::Write {
                    path: PathBuf::from("<stdout>"),
                    source: e,
                })?;
            print_stdout(&String::from_utf8_lossy(&out))
        }
    }
}

fn print_stdout(text: &str) -> Result<Exit, Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(Exit::Ok),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Ok),
        Err(source) => Err(RunError::Write {
            path: PathBuf::from("<stdout>"),
            source,
        }
        .into()),
    }
}

fn lang(arg: LangArg) -> Lang {
    match arg {
        LangArg::De => Lang::De,
        LangArg::En => Lang::En,
    }
}

fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("POSTURA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("postura={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

fn parse_specs(items: &[String]) -> Result<Vec<SourcedSpec>, InputError> {
    targets::parse_target_args(items)
}

fn scan(args: ScanArgs) -> Result<Exit, Error> {
    init_logging(args.report.verbose, args.report.quiet);
    // Validate everything before the first packet.
    let formats = parse_formats(&args.report.format)?;
    checks::profiles::tls_profile(&args.report.tls_profile)?;
    let checks = checks::load(&args.report.checks)?;
    let attestations = read_attestations(&args.report, &checks)?;
    let ports = targets::ports::parse_ports(&args.ports)?;
    let specs = parse_specs(&args.targets)?;
    if specs.is_empty() && args.evidence.is_empty() && args.backup_dir.is_empty() {
        return Err(InputError::NoTargets.into());
    }
    // Evidence is local: read it before the first packet, so a wrong folder costs nothing.
    let read_options = postura::evidence::ReadOptions {
        tz: args
            .evidence_tz
            .clone()
            .unwrap_or_else(jiff::tz::TimeZone::system),
    };
    let mut evidence = read_evidence(&args.evidence, &read_options, args.report.quiet)?;
    evidence.extend(walk_backup_dirs(&args.backup_dir, args.report.quiet)?);
    if specs.is_empty() {
        let started_at = now();
        let mut facts = postura::facts::Facts::empty(started_at);
        for found in evidence {
            postura::evidence::merge_into(&mut facts, found);
        }
        facts.finished_at = now();
        return finish(&checks, facts, &args.report, formats, attestations);
    }
    let exclude = parse_specs(&args.exclude)?;
    let scope = args
        .scope
        .as_deref()
        .map(targets::read_target_file)
        .transpose()?;
    let profile = match args.profile {
        ProfileArg::Gentle => Profile::Gentle,
        ProfileArg::Normal => Profile::Normal,
        ProfileArg::Fast => Profile::Fast,
    };
    let settings =
        ScanRequest::settings_with_overrides(profile, args.concurrency, args.rate, args.timeout)?;
    let extra_roots = match &args.ca_file {
        Some(path) => postura::probes::tls::cert::read_ca_file(path)?,
        None => Vec::new(),
    };
    let resolver = SystemResolver::new().map_err(RunError::Startup)?;
    let expansion = targets::expand(
        &specs,
        &ExpandOptions {
            exclude: &exclude,
            scope: scope.as_deref(),
            confirmed_large: args.yes,
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
        targets: args.targets.clone(),
        ports: args.ports.clone(),
        profile: profile.name().to_owned(),
        concurrency: settings.concurrency,
        rate: settings.rate,
        max_timeout_ms: u64::try_from(settings.timing.max_timeout.as_millis()).unwrap_or(u64::MAX),
        skipped_addresses: expansion.skipped,
    };
    let request = ScanRequest {
        targets: expansion.targets,
        ports,
        settings,
        service_probes: !args.no_banners,
        extra_roots: std::sync::Arc::new(extra_roots),
    };
    let show_progress = !args.report.quiet && std::io::stderr().is_terminal();
    let mut bar = progress::Bar::new(show_progress);
    let mut facts = postura::scan(&request, scan_settings, &mut bar, &now)?;
    bar.finish();
    for found in evidence {
        postura::evidence::merge_into(&mut facts, found);
    }
    finish(&checks, facts, &args.report, formats, attestations)
}

/// Walks every `--backup-dir` into host evidence.
fn walk_backup_dirs(
    dirs: &[String],
    quiet: bool,
) -> Result<Vec<postura::evidence::Evidence>, Error> {
    let mut all = Vec::new();
    for spec in dirs {
        let (host, path) = match spec.split_once('=') {
            Some((host, path)) if !host.contains('/') => (host.to_owned(), path),
            _ => (postura::collect::host_name(), spec.as_str()),
        };
        let started = now();
        let sets = postura::evidence::backup::folder::walk(std::path::Path::new(path), started)
            .map_err(|e| InputError::EvidenceFolder {
                path: path.into(),
                message: e.message,
            })?;
        if !quiet {
            let files: u64 = sets
                .iter()
                .map(|s| s.successful + s.incomplete + s.future)
                .sum();
            eprintln!(
                "postura: {path}: {} backup sets, {files} files, for {host}",
                sets.len()
            );
        }
        let mut evidence = postura::evidence::Evidence::default();
        evidence.hosts.insert(
            host,
            postura::evidence::HostEvidence {
                backups: sets,
                ..Default::default()
            },
        );
        all.push(evidence);
    }
    Ok(all)
}

/// Reads every evidence folder and tells the user about files that could not be parsed.
fn read_evidence(
    dirs: &[PathBuf],
    options: &postura::evidence::ReadOptions,
    quiet: bool,
) -> Result<Vec<postura::evidence::Evidence>, Error> {
    let mut all = Vec::new();
    for dir in dirs {
        let found = postura::evidence::read_folder(dir, options).map_err(|e| {
            InputError::EvidenceFolder {
                path: e.path,
                message: e.message,
            }
        })?;
        for file in found.errors() {
            let line = file.error_line.map(|l| format!(":{l}")).unwrap_or_default();
            eprintln!(
                "postura: error: {}{line}: {}",
                dir.join(&file.path).display(),
                file.error.as_deref().unwrap_or("cannot be parsed")
            );
        }
        if !quiet {
            let used = found
                .files
                .iter()
                .filter(|f| f.status == postura::facts::EvidenceStatus::Used)
                .count();
            eprintln!(
                "postura: {}: {} files, {used} used, {} with errors",
                dir.display(),
                found.files.len(),
                found.errors().count()
            );
        }
        all.push(found);
    }
    Ok(all)
}

fn evaluate(args: EvaluateArgs) -> Result<Exit, Error> {
    init_logging(args.report.verbose, args.report.quiet);
    let formats = parse_formats(&args.report.format)?;
    let checks = checks::load(&args.report.checks)?;
    let attestations = read_attestations(&args.report, &checks)?;
    let facts = postura::read_facts(&args.facts)?;
    finish(&checks, facts, &args.report, formats, attestations)
}

fn parse_formats(names: &[String]) -> Result<Vec<Format>, InputError> {
    let mut formats = names
        .iter()
        .map(|n| Format::parse(n))
        .collect::<Result<Vec<_>, _>>()?;
    formats.sort();
    formats.dedup();
    Ok(formats)
}

/// The answers of `--attestations`, none without it.
fn read_attestations(
    args: &ReportArgs,
    checks: &[Check],
) -> Result<checks::attestation::Attestations, InputError> {
    match &args.attestations {
        Some(path) => checks::attestation::read(path, checks),
        None => Ok(Default::default()),
    }
}

fn finish(
    checks: &[Check],
    facts: postura::facts::Facts,
    args: &ReportArgs,
    formats: Vec<Format>,
    attestations: checks::attestation::Attestations,
) -> Result<Exit, Error> {
    let generated_at = now();
    let judgement = postura::checks::eval::Judgement {
        lang: lang(args.lang),
        now: args.as_of.unwrap_or(generated_at),
        generated_at,
        rpo_seconds: args
            .rpo
            .iter()
            .rev()
            .find(|r| r.asset.is_none())
            .map_or(postura::DEFAULT_RPO_SECONDS, |r| r.seconds),
        tls_profile: checks::profiles::tls_profile(&args.tls_profile)?,
        attestations,
    };
    let mut facts = facts;
    let per_asset: Vec<(String, i64)> = args
        .rpo
        .iter()
        .filter_map(|r| Some((r.asset.clone()?, r.seconds)))
        .collect();
    for name in postura::set_asset_rpo(&mut facts, &per_asset) {
        if !args.quiet {
            eprintln!("postura: warning: --rpo {name}=...: no asset of this run is named `{name}`");
        }
    }
    if args.redact {
        postura::evidence::redact(&mut facts);
    }
    let evidence_errors = facts
        .evidence_files
        .iter()
        .any(|f| f.status == postura::facts::EvidenceStatus::Error);
    let result = postura::judge(checks, facts, &judgement);
    let written = report::write_reports(&result, &args.out, &formats)?;
    if !args.quiet {
        let mut text = report::render_summary(&result);
        for path in &written {
            text.push_str(&format!("→ {}\n", path.display()));
        }
        print_stdout(&text)?;
    }
    // The report is complete; an evidence file that could not be parsed is still bad input.
    if evidence_errors {
        return Ok(Exit::Input);
    }
    Ok(gate(&result, args.fail_on))
}

fn gate(result: &ScanResult, fail_on: FailOn) -> Exit {
    let threshold = match fail_on {
        FailOn::None => return Exit::Ok,
        FailOn::Info => Severity::Info,
        FailOn::Low => Severity::Low,
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
        FailOn::Critical => Severity::Critical,
    };
    if result.failures_at_or_above(threshold) > 0 {
        Exit::Gate
    } else {
        Exit::Ok
    }
}

fn evidence_command(dir: &std::path::Path, json: bool) -> Result<Exit, Error> {
    let options = postura::evidence::ReadOptions::default();
    let found = read_evidence(std::slice::from_ref(&dir.to_path_buf()), &options, json)?
        .pop()
        .unwrap_or_default();
    let text = if json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&found.files).unwrap_or_default()
        )
    } else {
        found
            .files
            .iter()
            .map(|f| {
                format!(
                    "{:<9} {:<40} {:<44} {:>8}  {}\n",
                    serde_json::to_value(f.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    f.format.as_deref().unwrap_or("-"),
                    f.path,
                    f.records,
                    f.asset.as_deref().unwrap_or("")
                )
            })
            .collect()
    };
    let exit = print_stdout(&text)?;
    if found.errors().next().is_some() {
        return Ok(Exit::Input);
    }
    Ok(exit)
}

fn collect_command(
    out: &std::path::Path,
    options: &postura::collect::CollectOptions,
    quiet: bool,
) -> Result<Exit, Error> {
    let mut progress = |step: &str| {
        if !quiet {
            eprintln!("postura: collecting {step}");
        }
    };
    let manifest = postura::collect::collect(out, options, now(), &mut progress).map_err(|e| {
        InputError::CollectFolder {
            path: e.path,
            message: e.message,
        }
    })?;
    if !quiet {
        for missing in &manifest.missing {
            eprintln!(
                "postura: not collected: {}: {}",
                missing.command, missing.reason
            );
        }
        eprintln!(
            "postura: {} files from {} into {} (manifest with SHA-256: {}/{})",
            manifest.files.len(),
            manifest.host,
            out.display(),
            out.display(),
            postura::collect::MANIFEST
        );
    }
    Ok(Exit::Ok)
}

fn checks_command(command: ChecksCommand) -> Result<Exit, Error> {
    match command {
        ChecksCommand::List {
            checks: dirs,
            json,
            lang: l,
        } => {
            let loaded = checks::load(&dirs)?;
            if json {
                let defs: Vec<_> = loaded.iter().map(|c| &c.def).collect();
                return print_stdout(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&defs).unwrap_or_default()
                ));
            }
            let labels = postura::report::labels(lang(l));
            let manual = labels.get("manual_marker").cloned().unwrap_or_default();
            let mut text = String::new();
            for c in &loaded {
                let marker = if c.def.is_manual() {
                    format!("[{manual}] ")
                } else {
                    String::new()
                };
                text.push_str(&format!(
                    "{:<36} {:<7} {:<17} {:<9} {marker}{}\n",
                    c.def.id,
                    c.def.control,
                    c.def.family,
                    c.def.severity.as_str(),
                    c.def.title.get(lang(l))
                ));
            }
            print_stdout(&text)
        }
        ChecksCommand::Show { id, checks: dirs } => {
            let loaded = checks::load(&dirs)?;
            let check =
                loaded
                    .iter()
                    .find(|c| c.def.id == id)
                    .ok_or_else(|| InputError::Option {
                        option: "checks show".into(),
                        message: format!("no check with id `{id}`: see `postura checks list`"),
                    })?;
            let mut text = format!("# {}\n# source: {}\n", check.def.id, check.origin);
            text.push_str(&serde_saphyr::to_string(&check.def).unwrap_or_default());
            print_stdout(&text)
        }
        ChecksCommand::Validate { dir } => {
            let loaded = match &dir {
                Some(dir) => checks::load_dir(dir)?,
                None => checks::load_builtin()?,
            };
            let report = postura::validate_checks(&loaded);
            for p in &report.problems {
                eprintln!(
                    "postura: {}: check `{}`: {}",
                    p.location, p.check_id, p.message
                );
            }
            if report.problems.is_empty() {
                print_stdout(&format!(
                    "{} checks valid, {} examples evaluated as expected\n",
                    report.checks, report.examples
                ))
            } else {
                eprintln!(
                    "postura: {} problem(s) in {} checks",
                    report.problems.len(),
                    report.checks
                );
                Ok(Exit::Input)
            }
        }
    }
}
