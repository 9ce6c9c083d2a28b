//! The pipeline called as a library, without the binary: events reach the observer, the
//! verdict follows the gate, and the reports are written.

use postura::checks::{Lang, Severity};
use postura::pipeline::{
    self, Event, JudgeOptions, Observer, Profile, Progress, Rpo, ScanOptions, Stage, Verdict,
};

use crate::support::repo;

/// Keeps every event as text.
#[derive(Default)]
struct Recorder(Vec<String>);

impl Progress for Recorder {
    fn update(&mut self, _stage: Stage, _done: u64, _total: u64) {}
}

impl Observer for Recorder {
    fn event(&mut self, event: Event<'_>) {
        self.0.push(format!("{event:?}"));
    }
}

fn judge_options(out: &std::path::Path) -> JudgeOptions {
    JudgeOptions {
        out: out.to_owned(),
        formats: vec!["json".into()],
        lang: Lang::En,
        tls_profile: "mozilla-intermediate".into(),
        fail_on: Some(Severity::High),
        checks: Vec::new(),
        redact: false,
        as_of: Some("2026-06-01T00:00:00Z".parse().unwrap()),
        rpo: vec![Rpo::parse("nosuchhost=1d").unwrap()],
        patch_age: Vec::new(),
        schutzbedarf: Vec::new(),
        attestations: None,
        baselines: Vec::new(),
        report_baselines: None,
        no_baselines: false,
        waivers: None,
        min_score: Vec::new(),
        min_coverage: None,
        previous: None,
        new_only: false,
        report_info: postura::report::ReportInfo::default(),
        report_info_file: None,
        templates: None,
    }
}

fn clock() -> jiff::Timestamp {
    "2026-06-02T00:00:00Z".parse().unwrap()
}

#[test]
fn evaluate_gates_and_tells_the_observer() {
    let out = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::default();
    let outcome = pipeline::evaluate(
        &repo().join("fixtures/facts/tls/legacy.json"),
        &judge_options(out.path()),
        &mut recorder,
        &clock,
    )
    .unwrap();
    assert_eq!(outcome.verdict, Verdict::GateFailed);
    assert!(outcome.result.failures_at_or_above(Severity::High) > 0);
    assert_eq!(
        outcome.written,
        vec![out.path().join("postura-result.json")]
    );
    assert_eq!(outcome.result.generated_at, clock());
    assert!(
        recorder
            .0
            .iter()
            .any(|e| e.contains("UnknownAsset") && e.contains("--rpo")),
        "{:?}",
        recorder.0
    );
}

#[test]
fn scan_of_evidence_alone_reports_each_folder() {
    let out = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::default();
    let mut judge = judge_options(out.path());
    judge.fail_on = None;
    let options = ScanOptions {
        targets: Vec::new(),
        exclude: Vec::new(),
        scope: None,
        confirmed_large: false,
        ports: "top1000".into(),
        profile: Profile::Normal,
        rate: None,
        concurrency: None,
        timeout: None,
        service_probes: true,
        udp_ports: None,
        ca_file: None,
        evidence: vec![repo().join("fixtures/evidence/firewall")],
        evidence_tz: Some(jiff::tz::TimeZone::UTC),
        backup_dirs: Vec::new(),
        judge,
        interrupt: postura::interrupt::Interrupt::new(),
        shard: None,
        resume: None,
        resume_or_start: false,
    };
    let outcome = pipeline::scan(&options, &mut recorder, &clock).unwrap();
    assert_eq!(outcome.verdict, Verdict::Passed);
    assert!(outcome.result.facts.scan.is_none(), "no network scan ran");
    assert!(
        recorder.0.iter().any(|e| e.contains("EvidenceFolderRead")),
        "{:?}",
        recorder.0
    );
}

/// A stop requested before the network stage: nothing is probed, the evidence is still judged,
/// and the result says what was covered.
#[test]
fn stop_requested_before_the_scan_writes_what_was_covered() {
    let out = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::default();
    let interrupt = postura::interrupt::Interrupt::new();
    interrupt.raise(15);
    let options = ScanOptions {
        targets: vec!["127.0.0.1".into()],
        exclude: Vec::new(),
        scope: None,
        confirmed_large: false,
        ports: "1-100".into(),
        profile: Profile::Fast,
        rate: None,
        concurrency: None,
        timeout: None,
        service_probes: true,
        udp_ports: None,
        ca_file: None,
        evidence: vec![repo().join("fixtures/evidence/firewall")],
        evidence_tz: Some(jiff::tz::TimeZone::UTC),
        backup_dirs: Vec::new(),
        judge: judge_options(out.path()),
        interrupt,
        shard: None,
        resume: None,
        resume_or_start: false,
    };

    let outcome = pipeline::scan(&options, &mut recorder, &clock).unwrap();
    assert_eq!(outcome.verdict, Verdict::Interrupted(15));
    let covered = outcome
        .result
        .facts
        .interrupted
        .as_ref()
        .expect("marked incomplete");
    assert_eq!(covered.signal, "SIGTERM");
    assert_eq!((covered.hosts_planned, covered.hosts_complete), (1, 0));
    assert_eq!((covered.ports_planned, covered.ports_scanned), (100, 0));
    assert!(covered.evidence_files > 0);
    let host = &outcome.result.facts.hosts[0];
    assert_eq!(host.ports_not_scanned, 100);
    assert!(!outcome.written.is_empty(), "the reports are written");
}
