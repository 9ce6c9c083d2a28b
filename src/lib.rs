//! postura: a security-posture scanner and compliance reporter.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! targets ──► probes ──► facts ──► checks (YAML + CEL) ──► findings ──► scoring ──► report
//! ```
//!
//! - [`targets`]: target expressions, scope, exclusions, port lists.
//! - [`probes`]: the connect scan, banner grabs, read-only service probes. They gather, never
//!   judge.
//! - [`facts`]: the one typed fact model, serialised as JSON with a published schema.
//! - [`checks`]: checks as data, evaluated with CEL; result states and evidence.
//! - [`scoring`]: weights, coverage, range and grade (docs/scoring.md).
//! - [`report`]: the canonical JSON result, the terminal summary and the HTML report.
//! - [`pipeline`]: the stages in order, behind one call per command (`scan`, `evaluate`).
//!
//! The library never prints and never reads the clock itself: callers pass the time in, so
//! results are reproducible and testable.

#![forbid(unsafe_code)]

pub mod checks;
pub mod collect;
pub mod error;
pub mod evidence;
pub mod facts;
pub mod pipeline;
pub mod probes;
pub mod report;
pub mod scoring;
pub mod services;
pub mod targets;

pub use error::{Error, InputError, RunError};
pub use pipeline::DEFAULT_RPO_SECONDS;
