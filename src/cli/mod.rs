//! The edge: turns arguments into core calls, prints, draws progress, maps exit codes.

pub mod args;
mod baselines;
mod progress;

use postura::interrupt::Interrupt;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use args::{
    ChecksCommand, Cli, Command, EvaluateArgs, FailOn, LangArg, MergeArgs, ProfileArg, ReportArgs,
    ScanArgs,
};
use postura::checks::{self, Lang, Severity};
use postura::pipeline::{self, Event, JudgeOptions, Observer, Outcome, ScanOptions, Verdict};
use postura::pipeline::{Profile, Progress, Stage};
use postura::report;
use postura::{Error, InputError, RunError};

/// Exit codes of the CI contract (README, "Exit codes").
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
    /// Nothing was assessed: no host answered and no evidence file was used.
    NothingAssessed = 4,
    /// Interrupted by SIGINT; a partial result was written.
    Interrupted = 130,
    /// Interrupted by SIGTERM; a partial result was written.
    Terminated = 143,
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
        Command::Evaluate(args) => evaluate(*args),
        Command::Merge(args) => merge(*args),
        Command::Checks(command) => checks_command(command),
        Command::Report {
            result,
            format,
            out,
            lang: l,
            previous,
            look,
        } => {
            let presentation = report::Presentation {
                lang: l.map(lang),
                info: look.info(),
                info_file: look.report_info.clone(),
                templates: look.templates.clone(),
                previous,
            };
            let written = report::rerender(&result, &format, &out, &presentation)?;
            let text: String = written
                .iter()
                .map(|p| format!("→ {}\n", p.display()))
                .collect();
            print_stdout(&text)
        }
        Command::Diff { old, new, json } => {
            let diff = report::diff::diff(&report::read_result(&old)?, &report::read_result(&new)?);
            if json {
                print_stdout(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&diff).unwrap_or_default()
                ))
            } else {
                print_stdout(&report::diff::render(&diff))
            }
        }
        Command::Explain { result, query } => {
            let result = report::read_result(&result)?;
            print_stdout(&report::explain::explain(&result, query.as_deref())?)
        }
        Command::Baselines(command) => baselines::command(command),
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
                apt_log_dir: std::path::PathBuf::from("/var/log/apt"),
            },
            quiet,
        ),
        Command::Schema { document } => {
            let schema = match document {
                args::SchemaDocument::Facts => postura::facts::json_schema(),
                args::SchemaDocument::Result => report::json_schema(),
                args::SchemaDocument::Check => checks::json_schema(),
                args::SchemaDocument::Attestations => checks::attestation::json_schema(),
                args::SchemaDocument::Baseline => postura::baselines::json_schema(),
                args::SchemaDocument::Manifest => postura::collect::manifest_schema(),
                args::SchemaDocument::Waivers => checks::waiver::json_schema(),
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

pub(crate) fn print_stdout(text: &str) -> Result<Exit, Error> {
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

/// What the user sees while a run goes on: progress bars on a terminal, and the run's events
/// on stderr (all of them but errors silenced by `-q`).
struct Terminal {
    quiet: bool,
    bar: progress::Bar,
}

impl Terminal {
    fn new(quiet: bool) -> Self {
        let show_progress = !quiet && std::io::stderr().is_terminal();
        Self {
            quiet,
            bar: progress::Bar::new(show_progress),
        }
    }
}

impl Progress for Terminal {
    fn update(&mut self, stage: Stage, done: u64, total: u64) {
        self.bar.update(stage, done, total);
    }
}

impl Observer for Terminal {
    fn event(&mut self, event: Event<'_>) {
        self.bar.finish();
        match event {
            Event::EvidenceFileError {
                path,
                line,
                message,
            } => {
                let line = line.map(|l| format!(":{l}")).unwrap_or_default();
                eprintln!("postura: error: {}{line}: {message}", path.display());
            }
            _ if self.quiet => {}
            Event::EvidenceFolderRead {
                dir,
                files,
                used,
                errors,
                separate,
            } => {
                eprintln!(
                    "postura: {}: {files} files, {used} used, {errors} with errors",
                    dir.display()
                );
                if separate > 0 {
                    eprintln!(
                        "postura: {}: {separate} files are several exports of one kind in one place and are judged as separate assets; a postura-manifest.json with {{\"host\": \"NAME\"}} in a folder joins its files into one host",
                        dir.display()
                    );
                }
            }
            Event::BackupTreeWalked {
                path,
                host,
                sets,
                members,
                not_backups,
            } => eprintln!(
                "postura: {path}: {sets} backup series, {members} backups, {not_backups} other files (metadata, logs, checksums), for {host}"
            ),
            Event::WaiverUnused { source } => eprintln!(
                "postura: warning: the waiver at {source} matches no failing finding of this run"
            ),
            Event::JournalRead {
                path,
                hosts_done,
                hosts_planned,
                finished,
                torn_tail,
            } => {
                if torn_tail {
                    eprintln!(
                        "postura: {}: the last line was cut short when the scan stopped and is ignored",
                        path.display()
                    );
                }
                if !finished {
                    eprintln!(
                        "postura: {}: the scan did not finish ({hosts_done} of {hosts_planned} hosts done); the result is marked incomplete",
                        path.display()
                    );
                }
            }
            Event::UnknownAsset { option, name } => eprintln!(
                "postura: warning: {option} {name}=...: no asset of this run is named or matches `{name}`"
            ),
        }
    }
}

fn judge_options(args: &ReportArgs) -> JudgeOptions {
    JudgeOptions {
        out: args.out.clone(),
        formats: args.format.clone(),
        lang: lang(args.lang),
        tls_profile: args.tls_profile.clone(),
        fail_on: match args.fail_on {
            FailOn::None => None,
            FailOn::Info => Some(Severity::Info),
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
        },
        checks: args.checks.clone(),
        redact: args.redact,
        as_of: args.as_of,
        rpo: args.rpo.clone(),
        patch_age: args.patch_age.clone(),
        schutzbedarf: args.schutzbedarf.clone(),
        attestations: args.attestations.clone(),
        baselines: args.baselines.clone(),
        report_baselines: args.report_baselines.clone(),
        no_baselines: args.no_baselines,
        waivers: args.waivers.clone(),
        min_score: args.min_score.clone(),
        min_coverage: args.min_coverage,
        previous: args.previous.clone(),
        new_only: args.new_only,
        report_info: args.look.info(),
        report_info_file: args.look.report_info.clone(),
        templates: args.look.templates.clone(),
    }
}

fn scan(args: ScanArgs) -> Result<Exit, Error> {
    init_logging(args.report.verbose, args.report.quiet);
    let options = ScanOptions {
        targets: args.targets,
        exclude: args.exclude,
        scope: args.scope,
        confirmed_large: args.yes,
        ports: args.ports,
        profile: match args.profile {
            ProfileArg::Gentle => Profile::Gentle,
            ProfileArg::Normal => Profile::Normal,
            ProfileArg::Fast => Profile::Fast,
        },
        rate: args.rate,
        concurrency: args.concurrency,
        timeout: args.timeout,
        service_probes: !args.no_banners,
        udp_ports: match (&args.udp_ports, args.udp) {
            (Some(list), _) => Some(list.clone()),
            (None, true) => Some(postura::pipeline::DEFAULT_UDP_PORTS.to_owned()),
            (None, false) => None,
        },
        ca_file: args.ca_file,
        evidence: args.evidence.evidence,
        evidence_tz: args.evidence.evidence_tz,
        backup_dirs: args.evidence.backup_dir,
        judge: judge_options(&args.report),
        interrupt: Interrupt::new(),
        shard: args.shard,
        resume_or_start: args.resume_or_start.is_some(),
        resume: args.resume.or(args.resume_or_start),
    };
    let mut options = options;
    if let Some(dir) = &options.resume {
        // The reports go where the journal is.
        options.judge.out = if dir.is_file() {
            dir.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            dir.clone()
        };
    }
    watch_signals(&options.interrupt)?;
    let mut terminal = Terminal::new(args.report.quiet);
    let outcome = match pipeline::scan(&options, &mut terminal, &now) {
        Ok(outcome) => outcome,
        // An interrupted run's code wins over an error that followed (see the exit codes).
        Err(err) if options.interrupt.is_raised() => {
            report_error(&err);
            return Ok(interrupted_exit(options.interrupt.signal().unwrap_or(2)));
        }
        Err(err) => return Err(err),
    };
    terminal.bar.finish();
    finish(&outcome, args.report.quiet)
}

fn merge(args: MergeArgs) -> Result<Exit, Error> {
    init_logging(args.report.verbose, args.report.quiet);
    let mut terminal = Terminal::new(args.report.quiet);
    let options = pipeline::MergeOptions {
        inputs: args.inputs,
        evidence: args.evidence.evidence,
        evidence_tz: args.evidence.evidence_tz,
        backup_dirs: args.evidence.backup_dir,
        allow_incomplete: args.allow_incomplete,
        judge: judge_options(&args.report),
    };
    let outcome = pipeline::merge(&options, &mut terminal, &now)?;
    finish(&outcome, args.report.quiet)
}

fn evaluate(args: EvaluateArgs) -> Result<Exit, Error> {
    init_logging(args.report.verbose, args.report.quiet);
    let mut terminal = Terminal::new(args.report.quiet);
    let outcome = pipeline::evaluate(
        &args.facts,
        &judge_options(&args.report),
        &mut terminal,
        &now,
    )?;
    finish(&outcome, args.report.quiet)
}

/// Prints the summary and the files written, and maps the verdict to an exit code.
fn finish(outcome: &Outcome, quiet: bool) -> Result<Exit, Error> {
    if !quiet {
        let mut text = report::render_summary(&outcome.result);
        for path in &outcome.written {
            text.push_str(&format!("→ {}\n", path.display()));
        }
        print_stdout(&text)?;
    }
    for failure in &outcome.gate_failures {
        eprintln!("postura: gate failed: {failure}");
    }
    Ok(match outcome.verdict {
        Verdict::Passed => Exit::Ok,
        Verdict::GateFailed => Exit::Gate,
        Verdict::EvidenceErrors => Exit::Input,
        Verdict::NothingAssessed => {
            eprintln!(
                "postura: nothing was assessed: no host answered and no evidence file was used"
            );
            Exit::NothingAssessed
        }
        Verdict::Interrupted(signal) => {
            eprintln!(
                "postura: interrupted by {}: the result and reports cover what was done and are marked incomplete",
                postura::interrupt::signal_name(signal)
            );
            interrupted_exit(signal)
        }
    })
}

fn interrupted_exit(signal: i32) -> Exit {
    if signal == signal_hook::consts::SIGTERM {
        Exit::Terminated
    } else {
        Exit::Interrupted
    }
}

/// The first SIGINT or SIGTERM asks the run to stop and write what it has; a second one ends
/// the process at once.
fn watch_signals(interrupt: &Interrupt) -> Result<(), Error> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .map_err(|e| Error::Run(RunError::Startup(e)))?;
    let interrupt = interrupt.clone();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if interrupt.is_raised() {
                    eprintln!("\npostura: {}: stopping now", postura::interrupt::signal_name(signal));
                    std::process::exit(128 + signal);
                }
                interrupt.raise(signal);
                eprintln!(
                    "\npostura: {}: no new probes; those in flight get {} s, then the result of what was covered is written (again to stop at once)",
                    postura::interrupt::signal_name(signal),
                    postura::interrupt::GRACE.as_secs()
                );
            }
        })
        .map_err(|e| Error::Run(RunError::Startup(e)))?;
    Ok(())
}

fn evidence_command(dir: &std::path::Path, json: bool) -> Result<Exit, Error> {
    let options = pipeline::ReadOptions::default();
    let found = pipeline::read_evidence_folder(dir, &options, &mut Terminal::new(json))?;
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
            markdown,
            lang: l,
        } => {
            let loaded = baselines::checks_with_references(&dirs)?;
            if markdown {
                return print_stdout(&report::checks_markdown(&loaded, lang(l)));
            }
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
            let loaded = baselines::checks_with_references(&dirs)?;
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
            let report = checks::validate::validate(&loaded);
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
