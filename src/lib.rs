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

pub mod baselines;
pub mod checks;
pub mod collect;
pub mod error;
pub(crate) mod evidence;
pub mod facts;
pub(crate) mod firewall;
pub mod interrupt;
pub(crate) mod journal;
pub mod lifecycle;
pub mod pipeline;
pub(crate) mod probes;
pub mod report;
pub mod scoring;
pub mod selector;
pub(crate) mod services;
pub(crate) mod shards;
pub(crate) mod targets;

pub use error::{Error, InputError, RunError};
pub use pipeline::DEFAULT_RPO_SECONDS;

/// The parsers of untrusted input, reachable for fuzz targets only; not a stable interface.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::evidence::placement::parse_manifest;
    pub use crate::evidence::{Evidence, FormatTrial, ParseError, ReadOptions, read_folder};
    pub use crate::probes::banner::{guess_from_banner, parse_http_response};
    pub use crate::probes::rdp::read_connection_confirm;
    pub use crate::probes::services::{
        ftp_offers_tls, ftp_reply_code, read_elasticsearch_reply, read_memcached_stats,
        redis_info_version, strip_telnet_commands,
    };
    pub use crate::probes::smb::{
        read_negotiate_reply, read_ntlm_challenge, read_smb1_negotiate_reply,
    };
    pub use crate::probes::ssh::{KexInit, parse_kexinit};
    pub use crate::probes::tls::cert::parse_certificate;
    pub use crate::probes::tls::flight::{
        certificate_chain, dh_prime_bits, server_hello_extensions,
    };
    pub use crate::probes::tls::https::parse_hsts;
    pub use crate::probes::tls::{Reply, parse_reply};
    pub use crate::probes::udp::{dns, ipmi, ntp, snmp, tftp};

    /// Reads a scan journal and the facts it gives, as `postura evaluate` and `postura merge`
    /// would: (hosts done, hosts planned, hosts in the facts).
    pub fn read_journal(
        path: &std::path::Path,
    ) -> Result<(usize, usize, usize), crate::InputError> {
        let journal = crate::journal::read(path)?;
        let facts = crate::journal::facts(&journal, jiff::Timestamp::UNIX_EPOCH)?;
        Ok((
            journal.hosts.len(),
            journal.plan.hosts.len(),
            facts.hosts.len(),
        ))
    }

    /// Parses and validates one check file as `--checks` would.
    pub fn parse_check(text: &str) -> Result<crate::checks::Check, crate::InputError> {
        crate::checks::parse_check(text, crate::checks::Origin::Builtin("fuzz.yaml".into()))
    }

    /// Reads an attestations file against the built-in checks and baselines, as
    /// `--attestations` would.
    pub fn read_attestations(path: &std::path::Path) -> Result<usize, crate::InputError> {
        // Loading the checks compiles their CEL: once per process, not per input.
        type Catalogue = (Vec<crate::checks::Check>, Vec<crate::baselines::Baseline>);
        static CATALOGUE: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        let (checks, baselines) = CATALOGUE.get_or_init(|| {
            let mut checks = crate::checks::load_builtin().unwrap_or_default();
            let baselines = crate::baselines::load(&[], &mut checks).unwrap_or_default();
            (checks, baselines)
        });
        crate::checks::attestation::read(path, checks, baselines).map(|a| a.len())
    }

    /// Reads a waivers file against the built-in checks, as `--waivers` would.
    pub fn read_waivers(path: &std::path::Path) -> Result<usize, crate::InputError> {
        static CHECKS: std::sync::OnceLock<Vec<crate::checks::Check>> = std::sync::OnceLock::new();
        let checks = CHECKS.get_or_init(|| crate::checks::load_builtin().unwrap_or_default());
        crate::checks::waiver::read(path, checks).map(|w| w.len())
    }

    /// Parses a baseline file and validates it against the built-in checks, as `--baselines`
    /// would: how many rows it has.
    pub fn parse_baseline(text: &str) -> Result<usize, crate::InputError> {
        static CHECKS: std::sync::OnceLock<Vec<crate::checks::Check>> = std::sync::OnceLock::new();
        let checks = CHECKS.get_or_init(|| crate::checks::load_builtin().unwrap_or_default());
        let baseline = crate::baselines::parse(text, "fuzz.yaml".into())?;
        crate::baselines::validate_rows(&baseline, checks)?;
        Ok(baseline.def.rows.len())
    }

    /// How many evidence formats there are.
    pub fn evidence_formats() -> usize {
        crate::evidence::FORMATS.len()
    }

    /// Offers the file at `path` to evidence format `index` (modulo the count): whether it
    /// recognises the file, and, recognised or not, what parsing it as that format gives. The
    /// parser is run either way, so a fuzzer reaches every parser from any input.
    pub fn parse_evidence_as(index: usize, path: &std::path::Path) -> FormatTrial {
        crate::evidence::parse_as(index, path)
    }

    /// Where a file of host evidence at `rel` would be placed without a manifest, and the
    /// `sshd -T -C` specification its name carries.
    pub fn place(rel: &str) -> (String, Option<(String, String)>) {
        let path = std::path::Path::new(rel);
        (
            crate::evidence::placement::first_place(std::path::Path::new("/nonexistent"), path).0,
            crate::evidence::placement::context_spec(path),
        )
    }

    /// A backup file name reduced to its series: grouping key, label, and whether it varies.
    pub fn backup_series(name: &str) -> (String, String, bool) {
        crate::evidence::backup::folder::series_of(name)
    }
}
