//! The facts journal: what a network scan learns, appended as it goes.
//!
//! A scan writes `postura-journal.jsonl` into its report folder, one JSON object per line:
//! first the plan (settings, the identity of the work, every host to scan), then one record per
//! host once its ports and service probes are done, one per evidence folder or backup tree,
//! `resumed` markers, and `finished` at the end. Lines are written whole and synced at
//! intervals, so a crash, a reboot or a killed pod leaves a journal that reads back: a line cut
//! short by the crash is the last one and is ignored, and the result judged from the journal
//! says which hosts are missing. `--resume` continues a journal; `postura merge` joins the
//! journals (or results) of shards.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{InputError, RunError};
use crate::evidence::Evidence;
use crate::facts::{Facts, HostFacts, ScanPlan, ScanSettings, ToolInfo};
use crate::targets::Target;

/// The journal's file name in the report folder.
pub const JOURNAL_FILE: &str = "postura-journal.jsonl";

/// The journal format this version writes and reads.
pub(crate) const JOURNAL_VERSION: u32 = 1;

/// The longest a written host waits for its sync to disk.
const SYNC_INTERVAL: Duration = Duration::from_secs(2);

/// The first record: everything needed to continue the scan or judge it without the command
/// line that started it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanRecord {
    /// The journal format ([`JOURNAL_VERSION`]).
    pub journal: u32,
    /// The program that started the scan.
    pub tool: ToolInfo,
    /// When the scan started.
    pub started_at: jiff::Timestamp,
    /// The scan's settings, with the identity of its work in `plan`.
    pub settings: ScanSettings,
    /// Every host of this scan (of this shard), in scan order.
    pub hosts: Vec<PlannedHost>,
}

impl PlanRecord {
    /// The identity of the work: what a resumed scan and the shards of a merge must share.
    pub fn identity(&self) -> &ScanPlan {
        self.settings
            .plan
            .as_ref()
            .expect("a journal's settings always carry the plan")
    }
}

/// One host to scan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlannedHost {
    /// Its address.
    pub address: IpAddr,
    /// Names from the target list that resolved to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// Ports named with `host:port` targets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<u16>,
    /// Whether `--ports` applies as well.
    pub all_ports: bool,
}

impl From<&Target> for PlannedHost {
    fn from(target: &Target) -> Self {
        Self {
            address: target.address,
            hostnames: target.hostnames.clone(),
            ports: target.ports.clone(),
            all_ports: target.all_ports,
        }
    }
}

impl From<&PlannedHost> for Target {
    fn from(host: &PlannedHost) -> Self {
        Self {
            address: host.address,
            hostnames: host.hostnames.clone(),
            ports: host.ports.clone(),
            all_ports: host.all_ports,
        }
    }
}

/// What one evidence folder or backup tree gave, as read before the first packet.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// The folder or `HOST=PATH` as given.
    pub source: String,
    /// What was read.
    pub evidence: Evidence,
}

/// The last record of a scan that ran to its end.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finished {
    /// When the scan finished.
    pub at: jiff::Timestamp,
    /// Service probes due on the open ports found (this run's part, after a resume).
    pub services_planned: u64,
    /// Service probes that finished.
    pub services_probed: u64,
}

/// One line of the journal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Record {
    Plan(Box<PlanRecord>),
    Host(Box<HostFacts>),
    Evidence(Box<EvidenceRecord>),
    Resumed { at: jiff::Timestamp },
    Finished(Finished),
}

/// A journal read back.
#[derive(Debug, Clone)]
pub struct Journal {
    /// The file.
    pub path: PathBuf,
    /// The plan.
    pub plan: PlanRecord,
    /// Hosts done, in the order they were written.
    pub hosts: Vec<HostFacts>,
    /// Evidence read by the scan.
    pub evidence: Vec<EvidenceRecord>,
    /// Present when the scan ran to its end.
    pub finished: Option<Finished>,
    /// The length of the whole lines: a line cut short by a crash starts here.
    pub valid_len: u64,
    /// The last line was cut short (written when the process died) and is ignored.
    pub torn_tail: bool,
}

impl Journal {
    /// The hosts done, by address.
    pub fn done(&self) -> HashMap<IpAddr, &HostFacts> {
        self.hosts
            .iter()
            .filter_map(|h| Some((h.address?, h)))
            .collect()
    }
}

/// Whether a journal recorded anything: its plan line is whole. A writer killed before that
/// leaves nothing worth keeping, and a scan starts over it.
pub fn has_plan(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let mut first = Vec::new();
    BufReader::new(file)
        .read_until(b'\n', &mut first)
        .is_ok_and(|_| first.ends_with(b"\n"))
}

/// Whether a file starts like a journal (its first record is the plan).
pub fn is_journal(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let mut start = [0u8; 10];
    let mut reader = BufReader::new(file);
    std::io::Read::read(&mut reader, &mut start)
        .is_ok_and(|n| start[..n].starts_with(b"{\"plan\":"))
}

/// Reads a journal. A last line without its newline is what a killed writer leaves and is
/// ignored (`torn_tail`); a whole line that is not a record is an error naming its line.
pub fn read(path: &Path) -> Result<Journal, InputError> {
    let read_error = |source| InputError::ReadFile {
        path: path.to_owned(),
        source,
    };
    let mut reader = BufReader::new(File::open(path).map_err(read_error)?);
    let mut line = Vec::new();
    let mut number = 0usize;
    let mut offset = 0u64;
    let mut plan = None;
    let mut journal_hosts = Vec::new();
    let mut evidence = Vec::new();
    let mut finished = None;
    let mut torn_tail = false;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(read_error)?;
        if n == 0 {
            break;
        }
        number += 1;
        if !line.ends_with(b"\n") {
            // What a killed writer leaves: ignored, and cut off before a resume appends.
            torn_tail = true;
            break;
        }
        let record = serde_json::from_slice::<Record>(&line).map_err(|e| InputError::Json {
            path: path.to_owned(),
            line: number,
            column: e.column(),
            message: format!(
                "expected a journal record (plan, host, evidence, resumed, finished): {e}"
            ),
        })?;
        match (record, &plan) {
            (Record::Plan(record), None) => {
                if record.journal != JOURNAL_VERSION || record.settings.plan.is_none() {
                    return Err(InputError::Json {
                        path: path.to_owned(),
                        line: number,
                        column: 1,
                        message: format!(
                            "journal format {} is not supported: expected {JOURNAL_VERSION}",
                            record.journal
                        ),
                    });
                }
                plan = Some(*record);
            }
            (_, None) | (Record::Plan(_), Some(_)) => {
                return Err(InputError::Json {
                    path: path.to_owned(),
                    line: number,
                    column: 1,
                    message: "expected the plan record once, as the first line of a postura \
                              journal"
                        .into(),
                });
            }
            (Record::Host(host), Some(_)) => journal_hosts.push(*host),
            (Record::Evidence(record), Some(_)) => evidence.push(*record),
            (Record::Resumed { .. }, Some(_)) => {}
            (Record::Finished(end), Some(_)) => finished = Some(end),
        }
        offset += n as u64;
    }
    let Some(plan) = plan else {
        return Err(InputError::Json {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message: "the journal is empty: expected its plan record".into(),
        });
    };
    Ok(Journal {
        path: path.to_owned(),
        plan,
        hosts: journal_hosts,
        evidence,
        finished,
        valid_len: offset,
        torn_tail,
    })
}

/// Appends records to a journal.
#[derive(Debug)]
pub struct JournalWriter {
    file: File,
    path: PathBuf,
    last_sync: Instant,
    unsynced: bool,
}

impl JournalWriter {
    /// Starts a new journal with its plan (replacing a finished one).
    pub fn create(path: &Path, plan: &PlanRecord) -> Result<Self, RunError> {
        let file = File::create(path).map_err(|source| write_error(path, source))?;
        let mut writer = Self {
            file,
            path: path.to_owned(),
            last_sync: Instant::now(),
            unsynced: false,
        };
        writer.write(&Record::Plan(Box::new(plan.clone())))?;
        writer.sync()?;
        Ok(writer)
    }

    /// Continues a journal read back: a line cut short is cut off, then `resumed` is written.
    pub fn resume(journal: &Journal, at: jiff::Timestamp) -> Result<Self, RunError> {
        let path = &journal.path;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|source| write_error(path, source))?;
        file.set_len(journal.valid_len)
            .and_then(|()| file.seek(std::io::SeekFrom::End(0)).map(drop))
            .map_err(|source| write_error(path, source))?;
        let mut writer = Self {
            file,
            path: path.clone(),
            last_sync: Instant::now(),
            unsynced: false,
        };
        writer.write(&Record::Resumed { at })?;
        Ok(writer)
    }

    /// Records a host whose scan is complete; synced within [`SYNC_INTERVAL`].
    pub fn host(&mut self, host: &HostFacts) -> Result<(), RunError> {
        self.write(&Record::Host(Box::new(host.clone())))
    }

    /// Records what an evidence folder or backup tree gave.
    pub fn evidence(&mut self, source: &str, evidence: &Evidence) -> Result<(), RunError> {
        self.write(&Record::Evidence(Box::new(EvidenceRecord {
            source: source.to_owned(),
            evidence: evidence.clone(),
        })))
    }

    /// Syncs to disk when the last sync is [`SYNC_INTERVAL`] ago.
    pub fn sync_if_due(&mut self) -> Result<(), RunError> {
        if self.unsynced && self.last_sync.elapsed() >= SYNC_INTERVAL {
            self.sync()?;
        }
        Ok(())
    }

    /// Writes the last record and syncs.
    pub fn finish(mut self, finished: Finished) -> Result<(), RunError> {
        self.write(&Record::Finished(finished))?;
        self.sync()
    }

    /// Syncs what was written (an interrupted scan's journal ends here).
    pub fn sync(&mut self) -> Result<(), RunError> {
        self.file
            .sync_data()
            .map_err(|source| write_error(&self.path, source))?;
        self.last_sync = Instant::now();
        self.unsynced = false;
        Ok(())
    }

    fn write(&mut self, record: &Record) -> Result<(), RunError> {
        let mut line = serde_json::to_vec(record).expect("records serialise");
        line.push(b'\n');
        // One write per line: a crash cuts at most the last line short.
        self.file
            .write_all(&line)
            .map_err(|source| write_error(&self.path, source))?;
        self.unsynced = true;
        Ok(())
    }
}

/// What differs between two identities of work, named for a person. The addresses (which
/// need the expansion) count only with `addresses`; the shard never does.
pub fn differences(a: &ScanPlan, b: &ScanPlan, addresses: bool) -> Vec<&'static str> {
    let mut differ = Vec::new();
    let mut compare = |same: bool, name: &'static str| {
        if !same {
            differ.push(name);
        }
    };
    compare(a.tool_version == b.tool_version, "postura version");
    compare(a.targets == b.targets, "targets");
    compare(a.exclude == b.exclude, "--exclude");
    compare(a.scope_sha256 == b.scope_sha256, "--scope file");
    compare(a.ports == b.ports, "--ports");
    compare(a.profile == b.profile, "--profile");
    compare(a.service_probes == b.service_probes, "--no-banners");
    compare(a.udp_ports == b.udp_ports, "--udp / --udp-ports");
    compare(a.ca_sha256 == b.ca_sha256, "--ca-file");
    compare(a.checks_sha256 == b.checks_sha256, "checks");
    if addresses {
        compare(
            a.addresses == b.addresses && a.addresses_sha256 == b.addresses_sha256,
            "expanded addresses (names resolved differently?)",
        );
    }
    differ
}

fn write_error(path: &Path, source: std::io::Error) -> RunError {
    RunError::Write {
        path: path.to_owned(),
        source,
    }
}

/// The facts a journal holds, as a scan would have returned them: hosts in plan order (those
/// not done yet as not scanned), its evidence merged, and, when the scan did not finish, what
/// it covered. `read_at` is when an unfinished journal is judged.
pub fn facts(journal: &Journal, read_at: jiff::Timestamp) -> Result<Facts, InputError> {
    let default_ports = crate::targets::ports::parse_ports(&journal.plan.settings.ports)?;
    let done = journal.done();
    let hosts = journal
        .plan
        .hosts
        .iter()
        .map(|planned| match done.get(&planned.address) {
            Some(host) => (*host).clone(),
            None => crate::probes::unscanned_host(&Target::from(planned), &default_ports),
        })
        .collect();
    let mut facts = Facts {
        schema_version: crate::facts::FACTS_SCHEMA_VERSION,
        tool: journal.plan.tool.clone(),
        started_at: journal.plan.started_at,
        finished_at: journal.finished.as_ref().map_or(read_at, |f| f.at),
        scan: Some(journal.plan.settings.clone()),
        hosts,
        identities: Vec::new(),
        evidence_files: Vec::new(),
        closed_hosts: Vec::new(),
        interrupted: None,
    };
    for record in &journal.evidence {
        crate::evidence::merge_into(&mut facts, record.evidence.clone());
    }
    if journal.finished.is_none() {
        facts.interrupted = Some(crate::pipeline::coverage(
            &facts,
            crate::facts::UNFINISHED,
            (0, 0),
            read_at,
        ));
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> PlanRecord {
        PlanRecord {
            journal: JOURNAL_VERSION,
            tool: ToolInfo::current(),
            started_at: jiff::Timestamp::UNIX_EPOCH,
            settings: ScanSettings {
                targets: vec!["127.0.0.1-2".into()],
                ports: "22,80".into(),
                udp_ports: None,
                profile: "fast".into(),
                concurrency: 10,
                rate: None,
                max_timeout_ms: 100,
                skipped_addresses: 0,
                plan: Some(ScanPlan::default()),
            },
            hosts: ["127.0.0.1", "127.0.0.2"]
                .iter()
                .map(|a| PlannedHost {
                    address: a.parse().unwrap(),
                    hostnames: Vec::new(),
                    ports: Vec::new(),
                    all_ports: true,
                })
                .collect(),
        }
    }

    /// Every cut of a journal reads back: whole lines count, a line cut short is ignored,
    /// and what is missing is reported as not scanned.
    #[test]
    fn every_cut_of_a_journal_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JOURNAL_FILE);
        let mut writer = JournalWriter::create(&path, &plan()).unwrap();
        let mut host = crate::probes::unscanned_host(&Target::from(&plan().hosts[0]), &[22, 80]);
        host.state = crate::facts::HostState::Up;
        host.ports_not_scanned = 0;
        writer.host(&host).unwrap();
        writer.sync().unwrap();
        let whole = std::fs::read(&path).unwrap();
        let first_line = whole.iter().position(|&b| b == b'\n').unwrap() + 1;
        // Killed before its plan was whole: nothing recorded, and a scan may start over it.
        for cut in [0, 1, first_line - 1] {
            std::fs::write(&path, &whole[..cut]).unwrap();
            assert!(!has_plan(&path), "{cut}");
            assert!(read(&path).is_err(), "{cut}");
        }
        for cut in first_line..=whole.len() {
            std::fs::write(&path, &whole[..cut]).unwrap();
            assert!(has_plan(&path), "{cut}");
            let journal = read(&path).unwrap();
            assert_eq!(
                journal.hosts.len(),
                usize::from(cut == whole.len()),
                "{cut}"
            );
            let facts = facts(&journal, jiff::Timestamp::UNIX_EPOCH).unwrap();
            assert_eq!(facts.hosts.len(), 2);
            let covered = facts.interrupted.unwrap();
            assert_eq!(covered.hosts_planned, 2);
            assert_eq!(covered.hosts_complete, journal.hosts.len() as u64);
        }
        // Resuming cuts the torn line off before it appends.
        std::fs::write(&path, &whole[..whole.len() - 5]).unwrap();
        let journal = read(&path).unwrap();
        assert!(journal.torn_tail);
        let mut writer = JournalWriter::resume(&journal, jiff::Timestamp::UNIX_EPOCH).unwrap();
        writer.host(&host).unwrap();
        writer
            .finish(Finished {
                at: jiff::Timestamp::UNIX_EPOCH,
                services_planned: 0,
                services_probed: 0,
            })
            .unwrap();
        let journal = read(&path).unwrap();
        assert!(!journal.torn_tail && journal.finished.is_some());
        assert_eq!(journal.hosts.len(), 1);
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("{\"resumed\":")
        );
    }

    #[test]
    fn another_udp_list_is_other_work() {
        let recorded = ScanPlan::default();
        let with_udp = ScanPlan {
            udp_ports: Some("dns:53,snmp:161".into()),
            ..ScanPlan::default()
        };
        assert_eq!(
            differences(&recorded, &with_udp, false),
            ["--udp / --udp-ports"]
        );
        assert!(differences(&with_udp, &with_udp.clone(), false).is_empty());
    }

    #[test]
    fn a_broken_line_inside_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JOURNAL_FILE);
        JournalWriter::create(&path, &plan()).unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"host\": 7}\n{\"resumed\":{\"at\":\"2026-01-01T00:00:00Z\"}}\n");
        std::fs::write(&path, text).unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains(":2:") && err.contains("expected a journal record"),
            "{err}"
        );
        std::fs::write(&path, "{\"resumed\":{\"at\":\"2026-01-01T00:00:00Z\"}}\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains(":1:") && err.contains("plan record"), "{err}");
    }
}
