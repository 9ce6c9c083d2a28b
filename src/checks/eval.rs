//! Evaluates checks against facts with CEL.
//!
//! Each host becomes the CEL variable `host` (the JSON shape of [`HostFacts`]), each identity
//! source (cloud account, identity-provider tenant) the variable `identity` for the checks
//! with `asset: identity`. For each
//! check, `applicable_if`, `assessable_if` and `fail_if` are evaluated in that order, then
//! `evidence`. An expression that fails at run time (a field that is not there, a type
//! mismatch) gives the state `error` with CEL's message: never a silent pass.
//!
//! Helper functions available to conditions:
//! - `tls_profile`: the selected TLS profile (`profiles/tls/*.yaml`).
//! - `lists`: the lists several checks share (`data/lists.yaml`): `p.port in
//!   lists.database_ports`.
//! - `now`: the reference time of the judgement as an RFC 3339 string (`timestamp(now)`).
//! - `rpo`: the run's recovery point objective as a CEL duration string (`duration(rpo)`);
//!   a host's own `backup.rpo` overrides it.
//! - `patch_age`: the longest time allowed without an installed update (`--patch-age`), a CEL
//!   duration string; a host's own `patching.patch_age` overrides it.
//! - `scanned(PORTS)`: whether any of `PORTS` (an int or a list of ints) was probed on the
//!   host being judged.
//! - `RANGES.containing(PORT)`: the port ranges of a list (maps with `from` and `to`) that
//!   contain `PORT`, by binary search (`functions.rs`).

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use cel::{Context, Env, Program, Value};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::profiles::TlsProfile;
use super::{AssetKind, Check, CheckDef, Family, Lang, Schutzbedarf, Severity};
use crate::facts::{Facts, HostFacts, HostState, IdentityFacts, PortRange};

/// The state of one check on one asset (docs/scoring.md, "Result states").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ResultState {
    /// The condition was evaluated and the asset complies.
    Pass,
    /// The condition was evaluated and the asset does not comply.
    Fail,
    /// The condition could not be evaluated (an expression error).
    Error,
    /// The facts needed were not gathered: unknown, never counted as a pass.
    NotAssessed,
    /// The check does not apply to this asset.
    NotApplicable,
    /// A failure another control compensates (`--waivers`): earns the points, flagged.
    Compensated,
    /// A failure whose risk the owner accepted (`--waivers`): earns no points, listed apart.
    RiskAccepted,
}

impl ResultState {
    /// Snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Error => "error",
            Self::NotAssessed => "not_assessed",
            Self::NotApplicable => "not_applicable",
            Self::Compensated => "compensated",
            Self::RiskAccepted => "risk_accepted",
        }
    }
}

/// The compiled expressions of one check.
pub(crate) struct Programs {
    applicable_if: Option<Program>,
    assessable_if: Option<Program>,
    /// `None` for a manual item.
    fail_if: Option<Program>,
    evidence: Option<Program>,
    credit: Option<Program>,
    fingerprint: Option<Program>,
}

impl std::fmt::Debug for Programs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Programs { .. }")
    }
}

/// The CEL standard environment, built once: building it registers every stdlib function,
/// which costs more than evaluating all checks on a host.
/// The strings extension (cel-go's `ext.Strings()`) adds `list.join(sep)`, `lowerAscii()` and
/// friends, which evidence expressions use to build readable text; the lists extension
/// (`ext.Lists()`) adds `flatten()` for findings gathered per address family.
static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| {
    let mut env = Env::stdlib();
    // Registration only fails on a name clash, which the stdlib and this extension do not have.
    let _ = env.add_extension(cel::extensions::strings);
    let _ = env.add_extension(cel::extensions::lists);
    let _ = super::functions::register(&mut env);
    Arc::new(env)
});

/// `data/lists.yaml`, embedded.
const SHARED_LISTS: &str = include_str!("../../data/lists.yaml");

/// One entry of a shared list: a port or a name.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum ListEntry {
    Number(i64),
    Text(String),
}

/// The shared lists as one CEL map, built once. A broken file is caught by the unit test
/// below and by every `checks validate`, whose examples then fail.
static LISTS: LazyLock<Value> = LazyLock::new(|| shared_lists().unwrap_or(Value::Null));

fn shared_lists() -> Result<Value, String> {
    let lists: std::collections::BTreeMap<String, Vec<ListEntry>> =
        serde_saphyr::from_str(SHARED_LISTS).map_err(|e| format!("data/lists.yaml: {e}"))?;
    cel::to_value(&lists).map_err(|e| format!("data/lists.yaml: {e}"))
}

fn env() -> Arc<Env> {
    Arc::clone(&ENV)
}

impl Programs {
    /// Compiles every expression of `def`; the error names the field.
    pub(crate) fn compile(def: &CheckDef) -> Result<Self, (&'static str, String)> {
        let env = env();
        let compile = |field: &'static str, src: &str| {
            env.compile(src)
                .map_err(|e| (field, e.to_string().replace('\n', " ")))
        };
        Ok(Self {
            applicable_if: def
                .applicable_if
                .as_deref()
                .map(|s| compile("applicable_if", s))
                .transpose()?,
            assessable_if: def
                .assessable_if
                .as_deref()
                .map(|s| compile("assessable_if", s))
                .transpose()?,
            fail_if: (!def.is_manual())
                .then(|| compile("fail_if", &def.fail_if))
                .transpose()?,
            evidence: def
                .evidence
                .as_deref()
                .map(|s| compile("evidence", s))
                .transpose()?,
            credit: def
                .credit
                .as_deref()
                .map(|s| compile("credit", s))
                .transpose()?,
            fingerprint: def
                .fingerprint
                .as_deref()
                .map(|s| compile("fingerprint", s))
                .transpose()?,
        })
    }
}

/// The result of one check on one asset, with what decided it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Finding {
    /// Check id.
    pub check_id: String,
    /// Control catalogue id.
    pub control: String,
    /// Family.
    pub family: Family,
    /// Severity if failed: the check's, scaled by the asset's Schutzbedarf.
    pub severity: Severity,
    /// The asset's Schutzbedarf the severity was scaled by (normal when not written).
    #[serde(default, skip_serializing_if = "is_normal")]
    pub schutzbedarf: Schutzbedarf,
    /// The asset: a host address (or the name evidence gives it), or an identity source id.
    pub asset: String,
    /// Host names of the asset.
    #[serde(default)]
    pub asset_names: Vec<String>,
    /// How many hosts the asset stands for: more than one for hosts counted rather than listed
    /// (`facts.closed_hosts`), each of which the finding counts for in the scores.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub assets: u64,
    /// Result state.
    pub state: ResultState,
    /// Why the state is not pass/fail (not assessed, error), in the report language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The facts that decided the result (the check's `evidence` expression).
    #[serde(default)]
    pub evidence: serde_json::Value,
    /// Partial credit of a failing asset, 0–1 (the check's `credit` expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<f64>,
    /// Stable identity of the finding across runs: SHA-256 over check id, asset and the key
    /// the check declares as deciding (its `fingerprint` expression: the ports, users or
    /// series that fail), 32 hex digits. Never depends on times or order.
    #[serde(default)]
    pub fingerprint: String,
    /// The waiver that waives this failure, or that would but has expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<super::waiver::WaiverRecord>,
    /// New or known against `--previous` (open findings only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub novelty: Option<crate::report::diff::Novelty>,
}

/// The fingerprint of a finding: check id, asset and deciding key, hashed.
pub fn fingerprint(check_id: &str, asset: &str, key: &str) -> String {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    for part in [check_id, asset, key] {
        hash.update(part.as_bytes());
        // A separator no part contains, so ("ab", "c") and ("a", "bc") differ.
        hash.update([0u8]);
    }
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The deciding key as text: a list is sorted and joined, so order never matters.
fn fingerprint_key(value: &Value) -> String {
    match value.json() {
        Ok(serde_json::Value::Array(items)) => {
            let mut parts: Vec<String> = items.iter().map(json_text).collect();
            parts.sort();
            parts.dedup();
            parts.join("\n")
        }
        Ok(other) => json_text(&other),
        Err(_) => String::new(),
    }
}

fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn one() -> u64 {
    1
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes a reference"
)]
fn is_one(n: &u64) -> bool {
    *n == 1
}

fn is_normal(level: &Schutzbedarf) -> bool {
    *level == Schutzbedarf::Normal
}

/// What a judgement needs besides checks and facts.
#[derive(Debug, Clone)]
pub struct Judgement {
    /// Language of reasons.
    pub lang: Lang,
    /// Reference time of the judgement (certificate validity, ages): `--as-of`, or the time
    /// of the run.
    pub now: jiff::Timestamp,
    /// When the judgement is made (the wall clock; equals `now` unless `--as-of` is given).
    pub generated_at: jiff::Timestamp,
    /// The TLS profile checks compare against (`tls_profile` in conditions).
    pub tls_profile: TlsProfile,
    /// The recovery point objective backups are judged against (`--rpo`), in seconds.
    pub rpo_seconds: i64,
    /// The longest time allowed without an installed update (`--patch-age`), in seconds.
    pub patch_age_seconds: i64,
    /// The assessor's answers to manual items (`--attestations`).
    pub attestations: super::attestation::Attestations,
    /// Each asset's Schutzbedarf by asset id, where it is not normal (`--schutzbedarf`, a
    /// manifest's `schutzbedarf`).
    pub schutzbedarf: BTreeMap<String, Schutzbedarf>,
}

fn context_for(
    kind: &str,
    asset_value: &(dyn cel::common::value::Val + 'static),
    scanned_ranges: Arc<Vec<PortRange>>,
    judgement: &Judgement,
    profile_value: &Value,
) -> Context<'static, 'static> {
    let mut ctx = Context::with_env(env());
    ctx.add_variable_as_val(kind.to_owned(), asset_value.clone_as_boxed());
    // The reference time of the judgement, RFC 3339: `timestamp(now)` in conditions.
    ctx.add_variable_from_value("now", Value::String(Arc::new(judgement.now.to_string())));
    ctx.add_variable_from_value("tls_profile", profile_value.clone());
    ctx.add_variable_from_value("lists", LISTS.clone());
    ctx.add_variable_from_value(
        "rpo",
        Value::String(Arc::new(format!("{}s", judgement.rpo_seconds))),
    );
    ctx.add_variable_from_value(
        "patch_age",
        Value::String(Arc::new(format!("{}s", judgement.patch_age_seconds))),
    );
    // `scanned` is not a stdlib name, so registration cannot fail.
    let _ = ctx.add_function("scanned", move |ports: Value| {
        scanned(&scanned_ranges, ports)
    });
    ctx
}

/// `scanned(PORTS)`: whether any of `PORTS` (an int or a list of ints) was probed on this host.
fn scanned(ranges: &[PortRange], ports: Value) -> bool {
    let wanted: Vec<i64> = match ports {
        Value::List(list) => list.iter().filter_map(as_int).collect(),
        other => as_int(&other).into_iter().collect(),
    };
    wanted
        .iter()
        .filter_map(|&p| u16::try_from(p).ok())
        .any(|p| PortRange::contains(ranges, p))
}

/// The CEL view of a host: its facts without `scanned_ports`, which conditions reach through
/// `scanned()` instead. CEL copies a variable on every access, and a top-1000 scan has
/// hundreds of ranges, so leaving them out makes evaluation an order of magnitude cheaper.
fn cel_host(host: &HostFacts) -> Result<Value, String> {
    let mut json = serde_json::to_value(host).map_err(|e| e.to_string())?;
    if let Some(map) = json.as_object_mut() {
        map.remove("scanned_ports");
    }
    cel::to_value(json).map_err(|e| e.to_string())
}

fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) => Some(*i),
        Value::UInt(u) => i64::try_from(*u).ok(),
        _ => None,
    }
}

/// Evaluates every check against every asset of `facts`: host checks against hosts, identity
/// checks against identity sources.
pub(crate) fn evaluate(checks: &[Check], facts: &Facts, judgement: &Judgement) -> Vec<Finding> {
    use rayon::prelude::*;
    // Assets are independent; a tenant of 100,000 users is worth a core of its own.
    let hosts = facts
        .hosts
        .par_iter()
        .flat_map_iter(|host| evaluate_host(checks, host, judgement));
    let identities = facts
        .identities
        .par_iter()
        .flat_map_iter(|identity| evaluate_identity(checks, identity, judgement));
    // A group of counted hosts is judged once, on one of its hosts: they are alike in
    // everything a check reads.
    let counted = facts.closed_hosts.par_iter().flat_map_iter(|group| {
        let first = group.each_address().next();
        let host = group.host(first.unwrap_or(std::net::IpAddr::from([0, 0, 0, 0])));
        let mut asset = host_asset(&host, judgement);
        asset.id = group.asset_id();
        asset.stands_for = group.count;
        asset.schutzbedarf = judgement
            .schutzbedarf
            .get(&asset.id)
            .copied()
            .unwrap_or_default();
        evaluate_asset(checks, &asset, judgement)
    });
    hosts.chain(counted).chain(identities).collect()
}

fn host_not_answering(lang: Lang, state: HostState) -> String {
    match (lang, state) {
        (Lang::De, HostState::Unreachable) => "Host laut Netzwerk nicht erreichbar".into(),
        (Lang::De, _) => "Host hat auf keinen Port geantwortet".into(),
        (Lang::En, HostState::Unreachable) => "the network reported the host unreachable".into(),
        (Lang::En, _) => "the host answered on no port".into(),
    }
}

/// One asset as the evaluator sees it.
struct Asset {
    kind: AssetKind,
    id: String,
    names: Vec<String>,
    value: Result<Box<dyn cel::common::value::Val>, String>,
    scanned: Arc<Vec<PortRange>>,
    /// Set when nothing about the asset can be judged (a host that answered nothing).
    not_assessed: Option<String>,
    /// Its protection needs, which scale the severity of its findings.
    schutzbedarf: Schutzbedarf,
    /// How many hosts it stands for (a group of counted hosts).
    stands_for: u64,
}

/// Evaluates every host check against one host.
pub(crate) fn evaluate_host(
    checks: &[Check],
    host: &HostFacts,
    judgement: &Judgement,
) -> Vec<Finding> {
    evaluate_asset(checks, &host_asset(host, judgement), judgement)
}

/// A host as the evaluator sees it.
fn host_asset(host: &HostFacts, judgement: &Judgement) -> Asset {
    let silent = matches!(host.state, HostState::NoResponse | HostState::Unreachable);
    Asset {
        kind: AssetKind::Host,
        id: host.asset_id(),
        names: if host.address.is_some() {
            host.hostnames.clone()
        } else {
            Vec::new()
        },
        value: cel_host(host).and_then(super::shared::shared),
        scanned: Arc::new(PortRange::parse_list(&host.scanned_ports)),
        not_assessed: silent.then(|| host_not_answering(judgement.lang, host.state)),
        schutzbedarf: judgement
            .schutzbedarf
            .get(&host.asset_id())
            .copied()
            .unwrap_or_default(),
        stands_for: 1,
    }
}

/// Evaluates every identity check against one identity source.
pub(crate) fn evaluate_identity(
    checks: &[Check],
    identity: &IdentityFacts,
    judgement: &Judgement,
) -> Vec<Finding> {
    let asset = Asset {
        kind: AssetKind::Identity,
        id: identity.id.clone(),
        names: Vec::new(),
        value: cel::to_value(identity)
            .map_err(|e| e.to_string())
            .and_then(super::shared::shared),
        scanned: Arc::new(Vec::new()),
        not_assessed: None,
        schutzbedarf: judgement
            .schutzbedarf
            .get(&identity.id)
            .copied()
            .unwrap_or_default(),
        stands_for: 1,
    };
    evaluate_asset(checks, &asset, judgement)
}

fn evaluate_asset(checks: &[Check], asset: &Asset, judgement: &Judgement) -> Vec<Finding> {
    let lang = judgement.lang;
    let checks = checks
        .iter()
        .filter(|c| c.def.asset == asset.kind && !c.def.is_manual());
    let value = match &asset.value {
        Ok(v) => v,
        Err(err) => {
            return checks
                .map(|c| {
                    finding(
                        c,
                        asset,
                        ResultState::Error,
                        Some(format!("facts not usable: {err}")),
                    )
                })
                .collect();
        }
    };
    let profile_value = cel::to_value(&judgement.tls_profile).unwrap_or(Value::Null);
    let ctx = context_for(
        asset.kind.as_str(),
        value.as_ref(),
        Arc::clone(&asset.scanned),
        judgement,
        &profile_value,
    );
    checks
        .map(|check| {
            if let Some(reason) = &asset.not_assessed {
                return finding(check, asset, ResultState::NotAssessed, Some(reason.clone()));
            }
            let (state, reason) = decide(check, &ctx, lang);
            let mut found = finding(check, asset, state, reason);
            // Evidence explains a pass or a fail; conditions may assume applicability, so it
            // is not computed for the other states.
            if matches!(state, ResultState::Pass | ResultState::Fail)
                && let Some(program) = &check.programs.evidence
            {
                found.evidence = match program.execute(&ctx) {
                    Ok(value) => value.json().unwrap_or(serde_json::Value::Null),
                    Err(err) => serde_json::json!({ "error": err.to_string() }),
                };
            }
            // Only a failure has a deciding key; every other state is the check on the asset.
            let key = match (&check.programs.fingerprint, state) {
                (Some(program), ResultState::Fail) => program
                    .execute(&ctx)
                    .map(|v| fingerprint_key(&v))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            found.fingerprint = fingerprint(&check.def.id, &asset.id, &key);
            if state == ResultState::Fail
                && let Some(program) = &check.programs.credit
            {
                found.credit = match program.execute(&ctx) {
                    Ok(Value::Float(f)) if f.is_finite() => Some(f.clamp(0.0, 1.0)),
                    Ok(Value::Int(i)) => Some(if i > 0 { 1.0 } else { 0.0 }),
                    _ => None,
                };
            }
            found
        })
        .collect()
}

fn decide(check: &Check, ctx: &Context<'_, '_>, lang: Lang) -> (ResultState, Option<String>) {
    let programs = &check.programs;
    let run = |program: &Program, field: &str| -> Result<bool, String> {
        match program.execute(ctx) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!(
                "`{field}` gave {:?}, expected true or false",
                other.type_of()
            )),
            Err(err) => Err(format!("`{field}`: {err}")),
        }
    };
    if let Some(program) = &programs.applicable_if {
        match run(program, "applicable_if") {
            Ok(false) => return (ResultState::NotApplicable, None),
            Ok(true) => {}
            Err(message) => return (ResultState::Error, Some(message)),
        }
    }
    if let Some(program) = &programs.assessable_if {
        match run(program, "assessable_if") {
            Ok(false) => {
                let reason = check
                    .def
                    .not_assessed_reason
                    .as_ref()
                    .map(|r| r.get(lang).to_owned())
                    .unwrap_or_else(|| match lang {
                        Lang::De => "benötigte Fakten wurden nicht erhoben".into(),
                        Lang::En => "the facts needed were not gathered".into(),
                    });
                return (ResultState::NotAssessed, Some(reason));
            }
            Ok(true) => {}
            Err(message) => return (ResultState::Error, Some(message)),
        }
    }
    let Some(fail_if) = &programs.fail_if else {
        return (ResultState::NotAssessed, None);
    };
    match run(fail_if, "fail_if") {
        Ok(true) => (ResultState::Fail, None),
        Ok(false) => (ResultState::Pass, None),
        Err(message) => (ResultState::Error, Some(message)),
    }
}

/// A manual (attestation) item of a run: a control no evidence decides, open for the assessor.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ManualItem {
    /// Check id of the manual item.
    pub check_id: String,
    /// Control catalogue id.
    pub control: String,
    /// Family.
    pub family: Family,
    /// Severity the control carries when it is not met.
    pub severity: Severity,
    /// Always `not_assessed`: postura does not decide it, with or without an answer.
    pub state: ResultState,
    /// The assessor's answer (`--attestations`), shown with the item, never scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<super::attestation::Attestation>,
}

/// The manual items a run lists: those of every family that at least one check judged
/// (pass or fail) in this run, the organisational ones (no family judges them), and those the
/// assessor answered. A scan of web servers alone lists no backup items.
pub(crate) fn manual_items(
    checks: &[Check],
    findings: &[Finding],
    answers: &super::attestation::Attestations,
) -> Vec<ManualItem> {
    let judged: std::collections::BTreeSet<Family> = findings
        .iter()
        .filter(|f| {
            matches!(
                f.state,
                ResultState::Pass
                    | ResultState::Fail
                    | ResultState::Compensated
                    | ResultState::RiskAccepted
            )
        })
        .map(|f| f.family)
        .collect();
    let mut items: Vec<ManualItem> = checks
        .iter()
        .filter(|c| {
            c.def.is_manual()
                && (judged.contains(&c.def.family)
                    || c.def.family == Family::Organisation
                    || answers.contains_key(&c.def.id))
        })
        .map(|c| ManualItem {
            check_id: c.def.id.clone(),
            control: c.def.control.clone(),
            family: c.def.family,
            severity: c.def.severity,
            state: ResultState::NotAssessed,
            attestation: answers.get(&c.def.id).cloned(),
        })
        .collect();
    // Families are declared in report order.
    items.sort_by(|a, b| {
        a.family
            .cmp(&b.family)
            .then(a.control.cmp(&b.control))
            .then(a.check_id.cmp(&b.check_id))
    });
    items
}

fn finding(check: &Check, asset: &Asset, state: ResultState, reason: Option<String>) -> Finding {
    Finding {
        check_id: check.def.id.clone(),
        control: check.def.control.clone(),
        family: check.def.family,
        severity: check.def.severity_at(asset.schutzbedarf),
        schutzbedarf: asset.schutzbedarf,
        asset: asset.id.clone(),
        asset_names: asset.names.clone(),
        assets: asset.stands_for,
        state,
        reason,
        evidence: serde_json::Value::Null,
        credit: None,
        fingerprint: fingerprint(&check.def.id, &asset.id, ""),
        waiver: None,
        novelty: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_follow_check_asset_and_key_never_order() {
        let a = fingerprint("exp-database-exposed", "10.0.0.5", "3306\n5432");
        assert_eq!(a.len(), 32);
        assert_eq!(
            a,
            fingerprint("exp-database-exposed", "10.0.0.5", "3306\n5432")
        );
        assert_ne!(
            a,
            fingerprint("exp-database-exposed", "10.0.0.6", "3306\n5432")
        );
        assert_ne!(a, fingerprint("exp-rdp-exposed", "10.0.0.5", "3306\n5432"));
        assert_ne!(a, fingerprint("exp-database-exposed", "10.0.0.5", "3306"));
        // The parts are separated: moving a character from one to the next changes it.
        assert_ne!(fingerprint("ab", "c", ""), fingerprint("a", "bc", ""));
        let list =
            |items: &[i64]| Value::List(Arc::new(items.iter().map(|i| Value::Int(*i)).collect()));
        assert_eq!(
            fingerprint_key(&list(&[5432, 3306, 5432])),
            fingerprint_key(&list(&[3306, 5432]))
        );
    }

    #[test]
    fn shared_lists_are_one_map_of_ints_and_strings() {
        let lists = shared_lists().expect("data/lists.yaml parses");
        let Value::Map(map) = lists else {
            panic!("data/lists.yaml is not a map");
        };
        let key = cel::objects::Key::from("database_ports");
        let Some(Value::List(ports)) = map.map.get(&key) else {
            panic!("database_ports is not a list");
        };
        assert!(ports.contains(&Value::Int(5432)));
    }
}
