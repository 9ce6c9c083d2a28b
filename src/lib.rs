//! postura: a security-posture scanner and compliance reporter.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! targets ──► probes ──► facts ──► checks (YAML + CEL) ──► findings ──► scoring ──► report
//! ```
//!
//! [`pipeline`] runs the stages in order; it is the entry point. The stages that only it
//! drives (targets, probes, evidence reading) are private to the crate. Public:
//!
//! - [`facts`]: the one typed fact model, serialised as JSON with a published schema.
//! - [`checks`]: checks as data, evaluated with CEL; result states and evidence.
//! - [`scoring`]: weights, coverage, range and grade (docs/scoring.md).
//! - [`report`]: the canonical JSON result, the terminal summary and the HTML report.
//! - [`pipeline`]: the stages in order, behind one call per command (`scan`, `evaluate`).
//! - [`collect`]: `postura collect`, a host's evidence into a folder.
//!
//! The library never prints and never reads the clock itself: callers pass the time in, so
//! results are reproducible and testable.

#![forbid(unsafe_code)]

pub mod checks;
pub mod collect;
pub mod error;
pub(crate) mod evidence;
pub mod facts;
pub(crate) mod firewall;
pub mod interrupt;
pub mod pipeline;
pub(crate) mod probes;
pub mod report;
pub mod scoring;
pub(crate) mod services;
pub(crate) mod targets;

pub use error::{Error, InputError, RunError};
pub use pipeline::DEFAULT_RPO_SECONDS;

/// The parsers of untrusted input, reachable for fuzz targets only; not a stable interface.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::evidence::{Evidence, ReadOptions, read_folder};
    pub use crate::probes::banner::parse_http_response;
    pub use crate::probes::ssh::{KexInit, parse_kexinit};
    pub use crate::probes::tls::cert::parse_certificate;
    pub use crate::probes::tls::https::parse_hsts;
    pub use crate::probes::tls::{Reply, parse_reply};

    /// Parses and validates one check file as `--checks` would.
    pub fn parse_check(text: &str) -> Result<crate::checks::Check, crate::InputError> {
        crate::checks::parse_check(text, crate::checks::Origin::Builtin("fuzz.yaml".into()))
    }
}
