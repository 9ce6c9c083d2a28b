//! Joining the parts of a split scan (`postura merge`): shard results, facts or journals are
//! checked to belong together (one plan, every shard once) and their hosts interleaved back
//! into the order one scan of the whole would have given.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::InputError;
use crate::facts::{Facts, ScanPlan, Shard};
use crate::journal::{self, JOURNAL_FILE};

/// One shard's facts, with the file they came from.
#[derive(Debug)]
pub struct Part {
    /// The file given (or found in the folder given).
    pub path: PathBuf,
    /// What the shard gathered.
    pub facts: Facts,
}

impl Part {
    fn plan(&self) -> &ScanPlan {
        self.facts
            .scan
            .as_ref()
            .and_then(|s| s.plan.as_ref())
            .expect("checked when read")
    }

    fn shard(&self) -> Shard {
        self.plan().shard.unwrap_or(Shard { index: 0, count: 1 })
    }
}

/// Reads a shard: a report folder (its journal, else its result, else its facts), a journal,
/// a result or a facts file. `read_at` is when an unfinished journal is judged.
pub fn read_part(path: &Path, read_at: jiff::Timestamp) -> Result<Part, InputError> {
    let file = if path.is_dir() {
        [
            "postura-journal.jsonl",
            "postura-result.json",
            "postura-facts.json",
        ]
        .iter()
        .map(|name| path.join(name))
        .find(|p| p.exists())
        .ok_or_else(|| InputError::Option {
            option: "merge".into(),
            message: format!(
                "{} holds no {JOURNAL_FILE}, postura-result.json or postura-facts.json",
                path.display()
            ),
        })?
    } else {
        path.to_owned()
    };
    let mut facts = read_facts_of_any(&file, read_at)?;
    // A shard's result counts its closed hosts; the merge interleaves every host, then
    // counts again over the whole.
    facts.list_closed_hosts();
    let part = Part { path: file, facts };
    let not_a_scan = |why: &str| InputError::Option {
        option: "merge".into(),
        message: format!("{}: {why}", part.path.display()),
    };
    if part
        .facts
        .scan
        .as_ref()
        .and_then(|s| s.plan.as_ref())
        .is_none()
    {
        return Err(not_a_scan(
            "not the output of a network scan that records its plan (postura 0.1 with journals \
             or later)",
        ));
    }
    if !part.facts.evidence_files.is_empty() || !part.facts.identities.is_empty() {
        return Err(not_a_scan(
            "holds evidence; shards carry none: give the evidence folders to `postura merge`",
        ));
    }
    Ok(part)
}

/// The facts of a journal, a result or a facts file, told apart by content.
pub fn read_facts_of_any(path: &Path, read_at: jiff::Timestamp) -> Result<Facts, InputError> {
    if journal::is_journal(path) {
        let journal = journal::read(path)?;
        let read_at = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| jiff::Timestamp::try_from(t).ok())
            .unwrap_or(read_at);
        return journal::facts(&journal, read_at);
    }
    let document: serde_json::Value = crate::report::read_json(path)?;
    if document
        .get("facts")
        .is_some_and(serde_json::Value::is_object)
    {
        Ok(crate::report::read_result(path)?.facts)
    } else {
        crate::pipeline::read_facts(path)
    }
}

/// Checks that the parts are the shards of one plan, each once, none missing, and joins their
/// hosts in the order of the whole scan. Unfinished shards are an error unless
/// `allow_incomplete`.
pub fn join(mut parts: Vec<Part>, allow_incomplete: bool) -> Result<Facts, InputError> {
    let error = |message: String| InputError::Option {
        option: "merge".into(),
        message,
    };
    let Some(first) = parts.first() else {
        return Err(error("no shards given".into()));
    };
    let count = first.shard().count;
    for part in &parts[1..] {
        let differ = journal::differences(first.plan(), part.plan(), true);
        if !differ.is_empty() {
            return Err(error(format!(
                "{} and {} are not shards of one scan: {} differ(s)",
                first.path.display(),
                part.path.display(),
                differ.join(", ")
            )));
        }
        if part.shard().count != count {
            return Err(error(format!(
                "{} is shard {} but {} is shard {}: the scan was split differently",
                first.path.display(),
                first.shard(),
                part.path.display(),
                part.shard()
            )));
        }
    }
    let mut by_index: BTreeMap<u32, &Part> = BTreeMap::new();
    for part in &parts {
        if let Some(other) = by_index.insert(part.shard().index, part) {
            return Err(error(format!(
                "shard {} is given twice: {} and {}",
                part.shard(),
                other.path.display(),
                part.path.display()
            )));
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(error(format!(
            "shard(s) {} missing: every shard 0/{count} … {}/{count} is needed",
            missing.join(", "),
            count - 1
        )));
    }
    let unfinished: Vec<String> = parts
        .iter()
        .filter(|p| p.facts.interrupted.is_some())
        .map(|p| format!("{} ({})", p.shard(), p.path.display()))
        .collect();
    if !unfinished.is_empty() && !allow_incomplete {
        return Err(error(format!(
            "shard(s) {} did not finish: continue each with `postura scan … --resume DIR`, or \
             merge with --allow-incomplete for a result marked incomplete",
            unfinished.join(", ")
        )));
    }
    let total = usize::try_from(first.plan().addresses).unwrap_or(usize::MAX);
    let count = count as usize;
    parts.sort_by_key(|p| p.shard().index);
    for part in &parts {
        let index = part.shard().index as usize;
        let expected = total / count + usize::from(index < total % count);
        if part.facts.hosts.len() != expected {
            return Err(error(format!(
                "{} holds {} hosts, but shard {} of {total} addresses has {expected}",
                part.path.display(),
                part.facts.hosts.len(),
                part.shard()
            )));
        }
    }
    let started_at = parts.iter().map(|p| p.facts.started_at).min();
    let finished_at = parts.iter().map(|p| p.facts.finished_at).max();
    let mut settings = parts[0].facts.scan.clone().expect("checked when read");
    if let Some(plan) = &mut settings.plan {
        plan.shard = None;
    }
    let mut shards: Vec<std::vec::IntoIter<crate::facts::HostFacts>> = parts
        .iter_mut()
        .map(|p| std::mem::take(&mut p.facts.hosts).into_iter())
        .collect();
    let hosts = (0..total)
        .filter_map(|position| shards[position % count].next())
        .collect();
    let mut facts = Facts {
        started_at: started_at.unwrap_or_default(),
        finished_at: finished_at.unwrap_or_default(),
        scan: Some(settings),
        hosts,
        ..std::mem::replace(
            &mut parts[0].facts,
            Facts::empty(jiff::Timestamp::UNIX_EPOCH),
        )
    };
    facts.interrupted = None;
    if !unfinished.is_empty() {
        facts.interrupted = Some(crate::pipeline::coverage(
            &facts,
            crate::facts::UNFINISHED,
            (0, 0),
            finished_at.unwrap_or_default(),
        ));
    }
    Ok(facts)
}
