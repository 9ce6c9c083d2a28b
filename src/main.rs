//! The `postura` command: parse arguments, run, map the outcome to an exit code.

#![forbid(unsafe_code)]

#[allow(
    clippy::disallowed_macros,
    reason = "the edge is the one place that prints"
)]
mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = <cli::args::Cli as clap::Parser>::parse();
    match cli::run(args) {
        Ok(code) => code.into(),
        Err(err) => cli::report_error(&err).into(),
    }
}
