//! Typed errors of the core. The binary turns them into friendly messages and exit codes:
//! [`InputError`] is the user's to fix (exit 2), [`RunError`] means the run itself failed
//! (exit 3). Network failures are not errors at all; they are facts.

use std::path::PathBuf;

use thiserror::Error;

/// Bad input: a target, port list, check file, facts file or option the user must correct.
#[derive(Debug, Error)]
pub enum InputError {
    /// A target expression that does not parse.
    #[error("{}target `{input}` is not valid: expected {expected}", origin_prefix(.origin))]
    Target {
        /// The text as written.
        input: String,
        /// `file:line` for targets read from an `@file` list.
        origin: Option<String>,
        /// What would have been accepted.
        expected: String,
    },
    /// A port expression that does not parse.
    #[error("port list item `{input}` is not valid: expected {expected}")]
    Ports {
        /// The offending item.
        input: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A host name that did not resolve.
    #[error("{}cannot resolve `{name}`: {reason}", origin_prefix(.origin))]
    Resolve {
        /// The name.
        name: String,
        /// `file:line` when it came from a list.
        origin: Option<String>,
        /// The resolver's answer.
        reason: String,
    },
    /// A target outside the `--scope` file.
    #[error("{}target `{target}` lies entirely outside the scope file; nothing of it will be contacted", origin_prefix(.origin))]
    OutOfScope {
        /// The target text.
        target: String,
        /// `file:line` when it came from a list.
        origin: Option<String>,
    },
    /// More than a /16 without `--yes`.
    #[error("the targets cover {count} addresses, more than a /16 (65536); add --yes to confirm")]
    NeedsConfirmation {
        /// Number of addresses.
        count: u128,
    },
    /// Too many addresses to scan at all.
    #[error("the targets cover {count} addresses; postura scans at most {limit} in one run")]
    TooManyAddresses {
        /// Number of addresses.
        count: u128,
        /// The limit.
        limit: u128,
    },
    /// An evidence folder that cannot be walked.
    #[error("evidence folder {}: {message}", .path.display())]
    EvidenceFolder {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The folder `postura collect` writes cannot be made.
    #[error("collect into {}: {message}", .path.display())]
    CollectFolder {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// No target given at all.
    #[error("no targets given: name at least one address, network, range or host name")]
    NoTargets,
    /// A file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A check definition is invalid.
    #[error("{}: {message}", .location)]
    Check {
        /// `file` or `file:line:column`.
        location: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A baseline file is invalid, or disagrees with the checks.
    #[error("{location}: {message}")]
    Baseline {
        /// `file` or `file:line`.
        location: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A waivers file is invalid.
    #[error("{}:{line}: {message}", .path.display())]
    Waiver {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// An attestations file is invalid.
    #[error("{}:{line}: {message}", .path.display())]
    Attestation {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A facts or result JSON file is invalid.
    #[error("{}:{line}:{column}: {message}", .path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde said was expected.
        message: String,
    },
    /// An option value out of its range.
    #[error("{option}: {message}")]
    Option {
        /// The option, e.g. `--rate`.
        option: String,
        /// What was expected.
        message: String,
    },
}

fn origin_prefix(origin: &Option<String>) -> String {
    origin
        .as_ref()
        .map(|o| format!("{o}: "))
        .unwrap_or_default()
}

/// The run itself could not proceed: output could not be written, a runtime failed to start.
#[derive(Debug, Error)]
pub enum RunError {
    /// Writing a report or facts file failed.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The async runtime or the scanner's poller could not be created.
    #[error("cannot start the scanner: {0}")]
    Startup(std::io::Error),
    /// A report template failed to render.
    #[error("cannot render the {format} report: {message}")]
    Render {
        /// Report format.
        format: String,
        /// Details.
        message: String,
    },
}

/// Any error of the core.
#[derive(Debug, Error)]
pub enum Error {
    /// See [`InputError`].
    #[error(transparent)]
    Input(#[from] InputError),
    /// See [`RunError`].
    #[error(transparent)]
    Run(#[from] RunError),
}
