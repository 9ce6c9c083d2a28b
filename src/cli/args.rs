//! Command-line arguments (clap derive). Only the binary sees these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Security-posture scanner and compliance reporter: exposed services, TLS, MFA, firewall
/// rules, encryption at rest and backup freshness, scored against Zero Trust and DSGVO.
#[derive(Debug, Parser)]
#[command(name = "postura", version, about, max_term_width = 100)]
#[command(
    after_help = "Exit codes: 0 ran, no gate failed; 1 a gate failed (--fail-on); 2 usage or \
input error, named with file and line; 3 the run could not proceed; 4 nothing was assessed (no \
host answered, no evidence file used); 130 / 143 interrupted by SIGINT / SIGTERM, a partial \
result was written. When several apply: 130/143, then 2, 3, 4, 1."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan hosts and networks, judge the findings, write reports.
    Scan(Box<ScanArgs>),
    /// Judge saved facts (from `--format facts`, or a scan's journal) without touching the
    /// network.
    Evaluate(Box<EvaluateArgs>),
    /// Join the shards of a split scan (`scan --shard I/N`) into one result and reports: checks
    /// that they belong together, adds evidence, judges and applies the gates.
    Merge(Box<MergeArgs>),
    /// Render a saved result again in other formats, without scanning.
    Report {
        /// The result (`postura-result.json`).
        #[arg(value_name = "RESULT.json")]
        result: PathBuf,
        /// Formats: html, pdf, typst, json, facts, csv, md, sarif, junit, grundschutz-check
        /// (comma-separated).
        #[arg(
            short,
            long,
            value_name = "FORMAT",
            value_delimiter = ',',
            default_value = DEFAULT_REPORT_FORMATS
        )]
        format: Vec<String>,
        /// Folder for the reports (created if missing).
        #[arg(short, long, value_name = "DIR", default_value = "postura-report")]
        out: PathBuf,
        /// Report language; the result's own when omitted. Headings, titles and remediation
        /// switch; the reasons given with findings stay as they were judged.
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
        /// An earlier result, for the trend chart (when the result has no history).
        #[arg(long, value_name = "OLD.json")]
        previous: Option<PathBuf>,
        #[command(flatten)]
        look: LookArgs,
    },
    /// Compare two results: new, fixed, unchanged findings and those with another severity
    /// (by fingerprint), and the score and coverage of every family and baseline.
    Diff {
        /// The earlier result.
        #[arg(value_name = "OLD.json")]
        old: PathBuf,
        /// The later result.
        #[arg(value_name = "NEW.json")]
        new: PathBuf,
        /// Print the comparison as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Explain the scores of a saved result term by term: which finding cost how many points
    /// in which family, baseline row and baseline.
    Explain {
        /// The result (`postura-result.json`).
        #[arg(value_name = "RESULT.json")]
        result: PathBuf,
        /// A check id (`enc-volume-unencrypted`), a control (`ENC-01`) or a baseline row
        /// (`32(1)(a)`, `dsgvo:32(1)(a)`, `CON.3.A5`); every family and baseline when omitted.
        #[arg(value_name = "CHECK-ID|CONTROL")]
        query: Option<String>,
    },
    /// List, show and validate checks.
    #[command(subcommand)]
    Checks(ChecksCommand),
    /// List, show and validate the baselines scores are computed against (DSGVO, BSI
    /// IT-Grundschutz, CIS, ISO 27001, Zero Trust).
    #[command(subcommand)]
    Baselines(BaselinesCommand),
    /// Read an evidence folder and list what each file is and what was read from it, without
    /// judging: a quick look on-site before the full run.
    Evidence {
        /// The evidence folder.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Print the file list as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Gather this Linux host's evidence (firewall rules, block devices and LUKS headers,
    /// sshd and PAM settings, backup listings) into a new folder for `scan --evidence`, with
    /// a manifest of SHA-256 hashes. Reads only; changes nothing on the host.
    Collect {
        /// The folder to create.
        #[arg(short, long, value_name = "DIR")]
        out: PathBuf,
        /// A restic repository to list (RESTIC_PASSWORD or RESTIC_PASSWORD_FILE must be set);
        /// repeat for several.
        #[arg(long, value_name = "REPO")]
        restic_repo: Vec<String>,
        /// A borg repository to list (BORG_PASSPHRASE if the key needs one); repeat for
        /// several.
        #[arg(long, value_name = "REPO")]
        borg_repo: Vec<String>,
        /// The folder PAM files are copied from.
        #[arg(long, value_name = "DIR", default_value = "/etc/pam.d")]
        pam_dir: PathBuf,
        /// Print nothing but errors.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Print the JSON Schema of a document postura reads or writes.
    Schema {
        /// Which document.
        #[arg(value_enum)]
        document: SchemaDocument,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// Documents with a published schema.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SchemaDocument {
    /// The facts document (`postura-facts.json`).
    Facts,
    /// The result document (`postura-result.json`).
    Result,
    /// A check definition file (`checks/**/*.yaml`).
    Check,
    /// An attestations file (`--attestations`): answers to manual items and baseline rows.
    Attestations,
    /// A baseline file (`baselines/*.yaml`, `--baselines`).
    Baseline,
    /// A `postura-manifest.json` in an evidence folder: host, RPO, Schutzbedarf.
    Manifest,
    /// A waivers file (`--waivers`): accepted risks and compensated weaknesses.
    Waivers,
}

/// What a scan writes unless told otherwise: the result, the technical HTML report and, where
/// built in, the management PDF.
#[cfg(feature = "pdf")]
const DEFAULT_SCAN_FORMATS: &str = "json,html,pdf";
#[cfg(not(feature = "pdf"))]
const DEFAULT_SCAN_FORMATS: &str = "json,html";
/// What `postura report` renders unless told otherwise.
#[cfg(feature = "pdf")]
const DEFAULT_REPORT_FORMATS: &str = "html,pdf";
#[cfg(not(feature = "pdf"))]
const DEFAULT_REPORT_FORMATS: &str = "html";

/// How reports look: the cover and the templates.
#[derive(Debug, Args)]
pub struct LookArgs {
    /// The customer named on the cover and in the page header.
    #[arg(long, value_name = "NAME")]
    pub customer: Option<String>,
    /// Who assessed, for the cover.
    #[arg(long, value_name = "NAME")]
    pub assessor: Option<String>,
    /// The report title on the cover.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// The scope in words for the cover ("Standort Köln, Server-VLAN"); else the targets.
    #[arg(long = "scope-text", value_name = "TEXT")]
    pub scope_text: Option<String>,
    /// A YAML file with `customer`, `title`, `assessor` and `scope` for the cover, and
    /// `legal_notice` and `accent` (#rrggbb) (the options above win).
    #[arg(long, value_name = "FILE")]
    pub report_info: Option<PathBuf>,
    /// A consultancy's templates: `report.html.tera`, `report.typ`, `report.yaml` (cover
    /// defaults) and `logo.svg` or `logo.png`; what the folder lacks stays built in.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

impl LookArgs {
    /// The cover details given on the command line.
    pub fn info(&self) -> postura::report::ReportInfo {
        postura::report::ReportInfo {
            customer: self.customer.clone(),
            title: self.title.clone(),
            assessor: self.assessor.clone(),
            scope: self.scope_text.clone(),
            legal_notice: None,
            accent: None,
        }
    }
}

/// Options shared by everything that judges and reports.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Folder for the reports (created if missing).
    #[arg(short, long, value_name = "DIR", default_value = "postura-report")]
    pub out: PathBuf,
    /// Report formats to write: json, html, pdf (the management report, PDF/A-2b), typst (the
    /// PDF's source), facts, csv (every finding), md (a pull-request comment), sarif, junit,
    /// grundschutz-check (the IT-Grundschutz-Check as CSV for Excel); several allowed,
    /// comma-separated.
    #[arg(
        short,
        long,
        value_name = "FORMAT",
        value_delimiter = ',',
        default_value = DEFAULT_SCAN_FORMATS
    )]
    pub format: Vec<String>,
    /// Report language.
    #[arg(long, value_enum, default_value_t = LangArg::De, env = "POSTURA_LANG")]
    pub lang: LangArg,
    /// TLS profile to compare against: mozilla-intermediate, mozilla-modern, bsi-tr-02102-2.
    #[arg(long, value_name = "PROFILE", default_value = "mozilla-intermediate")]
    pub tls_profile: String,
    /// Exit with code 1 if a check fails at or above this severity (waived findings do not).
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::None)]
    pub fail_on: FailOn,
    /// Exit with code 1 if a score is below N: the overall score, or as SCOPE=N a family
    /// (`mfa=80`) or a baseline (`dsgvo=60`); repeat for several. A scope not assessed fails.
    #[arg(long, value_name = "[SCOPE=]N", value_parser = postura::pipeline::MinScore::parse)]
    pub min_score: Vec<postura::pipeline::MinScore>,
    /// Exit with code 1 if the overall coverage is below P percent.
    #[arg(long, value_name = "P", value_parser = parse_percent)]
    pub min_coverage: Option<f64>,
    /// YAML file of waivers: per entry `check` (id or control), `asset` (name, address or
    /// glob), `kind` (risk_accepted, or compensated with `control`), `reason`, `approver` and
    /// `expires` (YYYY-MM-DD). A waived failure stays visible as waived; an expired one fails
    /// the gate. `postura schema waivers` gives the schema.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// The previous result (`postura-result.json` of an earlier run): open findings are
    /// marked new or known by fingerprint.
    #[arg(long, value_name = "OLD.json")]
    pub previous: Option<PathBuf>,
    /// Gate only on findings new since --previous: with --fail-on on new ones at or above it,
    /// alone on any new failure.
    #[arg(long)]
    pub new_only: bool,
    /// Extra check folder; its checks are added, and replace built-ins with the same id.
    #[arg(long = "checks", value_name = "DIR")]
    pub checks: Vec<PathBuf>,
    /// Replace user names with stable pseudonyms (for reports that leave the customer).
    #[arg(long)]
    pub redact: bool,
    /// Judge as of this time instead of now (ages, expiry), e.g. to re-assess evidence as of
    /// its collection: RFC 3339 (2026-11-20T09:00:00Z) or a date and time in the machine's
    /// zone (2026-11-20, "2026-11-20 09:00").
    #[arg(long, value_name = "TIME", value_parser = parse_as_of)]
    pub as_of: Option<jiff::Timestamp>,
    /// Recovery point objective: the oldest the last successful backup may be (24h, 7d,
    /// 1d 12h), for every asset, or as `ASSET=DURATION` for the assets an exact name, address
    /// or glob selects (`db01=24h`, `'db*=12h'`, an evidence asset such as
    /// `vol-0a1b2c3d4e5f60718`); repeat for several. `ASSET=` beats a
    /// host's `postura-manifest.json` `rpo`, which beats the plain value. Default: 7d.
    #[arg(long, value_name = "[ASSET=]DURATION", value_parser = postura::pipeline::Rpo::parse)]
    pub rpo: Vec<postura::pipeline::Rpo>,
    /// The longest a host may go without an installed update (its newest entry in
    /// `/var/log/apt/history.log`), for every asset or as `ASSET=DURATION` for the assets a
    /// name, address or glob selects (`--patch-age 'db*=14d'`); repeat for several.
    /// Default: 30d.
    #[arg(long, value_name = "[ASSET=]DURATION", value_parser = postura::pipeline::Rpo::parse)]
    pub patch_age: Vec<postura::pipeline::Rpo>,
    /// Protection needs (Schutzbedarf, BSI-Standard 200-2): normal, hoch or sehr-hoch, for
    /// every asset or, as ASSET=LEVEL, for the assets an exact name, address or glob selects
    /// (`--schutzbedarf 'db*=sehr-hoch'`); repeat for several. Raises the severity of what
    /// fails on those assets (scores, grade caps and --fail-on alike). A host's
    /// `postura-manifest.json` `schutzbedarf` beats the plain value; ASSET=LEVEL beats both.
    #[arg(long, value_name = "[ASSET=]LEVEL", value_parser = postura::pipeline::SchutzbedarfArg::parse)]
    pub schutzbedarf: Vec<postura::pipeline::SchutzbedarfArg>,
    /// YAML file of answers to manual items (controls no evidence decides): per item its id
    /// or control, `met`, `by`, `date` and a `note`. Shown with the items; never scored. A
    /// baseline row is answered as `BASELINE:ROW` (`not_required: true` for BSI
    /// "entbehrlich", `met: true` on a Zero Trust function for Optimal).
    #[arg(long, value_name = "FILE")]
    pub attestations: Option<PathBuf>,
    /// Extra baseline folder; its files are added, and replace built-ins with the same id.
    #[arg(long = "baselines", value_name = "DIR")]
    pub baselines: Vec<PathBuf>,
    /// The baselines the reports show (all are computed and in the JSON result).
    /// Default: dsgvo, cisa-ztmm-2.0, bsi-grundschutz-2023. `postura baselines list` names them.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub report_baselines: Option<Vec<String>>,
    /// Judge without baselines: families and grade only, no baseline scores (for measuring
    /// what the baselines cost).
    #[arg(long, conflicts_with_all = ["baselines", "report_baselines"])]
    pub no_baselines: bool,
    #[command(flatten)]
    pub look: LookArgs,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// More detail on stderr (-v, -vv).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// `postura scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Targets: addresses, CIDR networks, ranges (10.0.0.1-20), host names, or @FILE lists.
    #[arg(value_name = "TARGETS", required_unless_present_any = ["evidence", "backup_dir"])]
    pub targets: Vec<String>,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    /// Never contact these (same forms as targets; repeat or separate with commas).
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// File of allowed networks; nothing outside it is ever contacted.
    #[arg(long, value_name = "FILE")]
    pub scope: Option<PathBuf>,
    /// Confirm scanning more than a /16 (65536 addresses).
    #[arg(long)]
    pub yes: bool,
    /// Ports: lists and ranges (22,80,8000-8100), service names, top100, top1000, all.
    #[arg(short, long, value_name = "PORTS", default_value = "top1000")]
    pub ports: String,
    /// Timing profile: gentle for fragile networks, fast for robust ones and loopback.
    #[arg(long, value_enum, default_value_t = ProfileArg::Normal)]
    pub profile: ProfileArg,
    /// New connections per second at most (0: unlimited).
    #[arg(long, value_name = "PER_SECOND")]
    pub rate: Option<u32>,
    /// Connection attempts in flight at most.
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Longest wait for one connection, e.g. 800ms or 2s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// Only the port scan: no banner grabs, no service probes.
    #[arg(long)]
    pub no_banners: bool,
    /// Also scan UDP: SNMP, IPMI, DNS, NTP and TFTP, each asked with its own request
    /// (README, "UDP services").
    #[arg(long)]
    pub udp: bool,
    /// The UDP ports: service names, numbers, ranges, or SERVICE:PORT for a service on another
    /// port [default with --udp: dns,tftp,ntp,snmp,ipmi]. Implies --udp.
    #[arg(long, value_name = "LIST")]
    pub udp_ports: Option<String>,
    /// PEM bundle of extra trusted roots (an internal PKI), besides the Mozilla roots.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Scan only part I of N of the hosts (I counts from 0, like a Kubernetes Job's
    /// JOB_COMPLETION_INDEX): every N-th address, each host wholly in one part. `postura merge`
    /// joins the parts, adds evidence and applies the gates; a shard exits 0 when it ran.
    #[arg(long, value_name = "I/N", value_parser = postura::pipeline::Shard::parse, env = "POSTURA_SHARD")]
    pub shard: Option<postura::pipeline::Shard>,
    /// Continue the interrupted scan whose report folder (journal) is DIR: same targets, ports,
    /// profile and checks; hosts already done are kept, the rest is scanned; the reports go to
    /// DIR.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["out", "resume_or_start"])]
    pub resume: Option<PathBuf>,
    /// Like --resume, but start a new scan in DIR when it holds no journal yet: one command
    /// line for the first run and every retry (a Kubernetes pod).
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub resume_or_start: Option<PathBuf>,
    /// Reporting options.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Evidence read from this machine: `scan`'s, and `merge`'s for the whole of a split scan.
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Folder of evidence files (exports, `sshd -T`, PAM files, `postura collect` output),
    /// alone or together with targets; repeat for several folders.
    #[arg(long, value_name = "DIR")]
    pub evidence: Vec<PathBuf>,
    /// A folder of backups to walk directly, as `PATH` (backups of this machine) or
    /// `HOST=PATH`; each folder in it is a backup set. Repeat for several.
    #[arg(long, value_name = "[HOST=]PATH")]
    pub backup_dir: Vec<String>,
    /// Time zone of evidence times written without one (borg, Excel exports), as an IANA
    /// name (Europe/Berlin) or UTC; default: the machine's zone.
    #[arg(long, value_name = "ZONE", value_parser = parse_time_zone)]
    pub evidence_tz: Option<jiff::tz::TimeZone>,
}

/// `postura merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' report folders (or their journals, results or facts files), one per
    /// shard of `scan --shard I/N`.
    #[arg(value_name = "SHARD", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Evidence, judged once with the merged scan.
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    /// Merge shards that did not finish into a result marked incomplete (else an error).
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Reporting options.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `postura evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// A facts file written by `postura scan --format facts`, a scan's journal
    /// (`postura-journal.jsonl`), or the report folder that holds it: an unfinished scan's
    /// journal gives a result marked incomplete.
    #[arg(value_name = "FACTS.json|JOURNAL|DIR")]
    pub facts: PathBuf,
    /// Reporting options.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `postura checks ...`.
#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// List the checks (built-in plus --checks folders).
    List {
        /// Extra check folders.
        #[arg(long = "checks", value_name = "DIR")]
        checks: Vec<PathBuf>,
        /// Output as JSON.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Output as a Markdown catalogue with descriptions, remediation and references
        /// (`docs/checks.md`).
        #[arg(long)]
        markdown: bool,
        /// Language of the titles.
        #[arg(long, value_enum, default_value_t = LangArg::De, env = "POSTURA_LANG")]
        lang: LangArg,
    },
    /// Show one check in full.
    Show {
        /// Check id.
        id: String,
        /// Extra check folders.
        #[arg(long = "checks", value_name = "DIR")]
        checks: Vec<PathBuf>,
    },
    /// Validate check files: parse, compile every condition, run every example.
    Validate {
        /// Folder of checks; the built-in checks when omitted.
        dir: Option<PathBuf>,
    },
}

/// `postura baselines ...`.
#[derive(Debug, Subcommand)]
pub enum BaselinesCommand {
    /// List the baselines (built-in plus --baselines folders).
    List {
        /// Extra baseline folders.
        #[arg(long = "baselines", value_name = "DIR")]
        baselines: Vec<PathBuf>,
        /// Output as JSON.
        #[arg(long)]
        json: bool,
        /// Language of the titles.
        #[arg(long, value_enum, default_value_t = LangArg::De, env = "POSTURA_LANG")]
        lang: LangArg,
    },
    /// Show one baseline: every row with its title, level and the checks that give evidence
    /// for it.
    Show {
        /// Baseline id.
        id: String,
        /// Extra baseline folders.
        #[arg(long = "baselines", value_name = "DIR")]
        baselines: Vec<PathBuf>,
        /// Language of the titles (a title the source has in one language only stays in it).
        #[arg(long, value_enum, default_value_t = LangArg::De, env = "POSTURA_LANG")]
        lang: LangArg,
    },
    /// Validate baseline files against the checks: every referenced check exists, ids and
    /// stages are well-formed, check files that carry references agree.
    Validate {
        /// Folder of baseline files; the built-in baselines when omitted.
        dir: Option<PathBuf>,
        /// Extra check folders the baselines may name.
        #[arg(long = "checks", value_name = "DIR")]
        checks: Vec<PathBuf>,
    },
}

/// `--lang`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LangArg {
    /// Deutsch.
    De,
    /// English.
    En,
}

/// `--profile`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ProfileArg {
    /// 64 connections in flight, 200 per second, long waits, two retries.
    Gentle,
    /// 1024 in flight, adaptive timeouts up to 1.5 s, one retry.
    Normal,
    /// 4096 in flight, adaptive timeouts up to 1 s.
    Fast,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    /// Never fail on findings.
    None,
    /// Informational and above.
    Info,
    /// Low and above.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    High,
    /// Critical only.
    Critical,
}

/// Parses `500ms`, `2s`, `1.5s` or a bare number of milliseconds.
/// `--as-of`: RFC 3339, or a civil date and time in the machine's zone.
pub fn parse_as_of(text: &str) -> Result<jiff::Timestamp, String> {
    let t = text.trim();
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Ok(ts);
    }
    let civil = t.parse::<jiff::civil::DateTime>().or_else(|_| {
        t.parse::<jiff::civil::Date>()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    });
    civil
        .ok()
        .and_then(|dt| jiff::tz::TimeZone::system().to_timestamp(dt).ok())
        .ok_or_else(|| {
            format!("`{text}` is not a time: expected e.g. 2026-11-20T09:00:00Z, 2026-11-20 or \"2026-11-20 09:00\"")
        })
}

/// `--evidence-tz`: an IANA zone name or UTC.
pub fn parse_time_zone(text: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(text.trim()).map_err(|_| {
        format!(
            "`{text}` is not a known time zone: expected an IANA name such as Europe/Berlin, or UTC"
        )
    })
}

pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else {
        (t, 1e-3)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: expected e.g. 800ms or 2s"))?;
    if !(value.is_finite() && value > 0.0 && value * scale <= 600.0) {
        return Err(format!(
            "`{text}` is out of range: expected more than 0 and at most 600s"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(value * scale))
}

/// A percentage 0–100.
fn parse_percent(text: &str) -> Result<f64, String> {
    text.trim()
        .trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
        .ok_or_else(|| format!("`{text}` is not a percentage: expected 0–100"))
}
