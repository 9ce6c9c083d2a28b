//! One integration-test binary (faster to link than one per file).

#![allow(
    clippy::disallowed_macros,
    reason = "tests print what helps read a failure"
)]

mod support;

mod backup;
mod bad_input;
mod baselines;
mod cli;
mod collect;
mod deploy;
mod encryption;
mod evidence;
mod fingerprints;
mod firewall;
mod fixtures;
mod gates;
mod hostile;
mod lifecycle;
mod patching;
mod pipeline;
mod reports;
mod scale;
mod scan;
mod snapshots;
mod ssh;
mod tls;
mod udp;
