//! The fact fixtures made from evidence (`fixtures/facts/{mfa,encryption,backup,firewall}`) are
//! what postura reads from `fixtures/evidence/` today: one facts file per asset, so each check
//! example judges exactly one. A parser change that alters them fails here;
//! `POSTURA_UPDATE_FIXTURES=1 cargo test fixtures` rewrites them, keeping each file's times
//! (examples are judged as of them). Fixtures captured from live servers (`ssh-probe-*.json`,
//! `firewall/scan-*.json`, the `tls/` and `exposed/` folders) are not made here.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::{postura, read_json, repo};

/// Reads one evidence folder into facts.
fn facts_of(family: &str) -> Value {
    let out = tempfile::tempdir().unwrap();
    postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence").join(family))
        .args(["-q", "-f", "facts", "--evidence-tz", "UTC", "--out"])
        .arg(out.path())
        .assert()
        .success();
    read_json(&out.path().join("postura-facts.json"))
}

/// The facts of `all` narrowed to some identities and hosts, with their evidence files.
fn narrowed(all: &Value, identities: Vec<Value>, hosts: Vec<Value>) -> Value {
    let assets: Vec<Value> = identities
        .iter()
        .map(|i| i["id"].clone())
        .chain(hosts.iter().map(|h| h["hostnames"][0].clone()))
        .collect();
    let mut doc = all.clone();
    doc["identities"] = Value::Array(identities);
    doc["hosts"] = Value::Array(hosts);
    doc["evidence_files"] = Value::Array(
        all["evidence_files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| assets.contains(&f["asset"]))
            .cloned()
            .collect(),
    );
    doc
}

/// One fixture per host, named after its first host name.
fn per_host(all: &Value) -> BTreeMap<String, Value> {
    all["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|host| {
            let name = host["hostnames"][0]
                .as_str()
                .unwrap()
                .replace([':', '/'], "-");
            (
                format!("{name}.json"),
                narrowed(all, Vec::new(), vec![host.clone()]),
            )
        })
        .collect()
}

/// The MFA fixtures: one per identity source and host, and Contoso with only its FIDO2
/// administrator left (the phishing-resistant pass case).
fn mfa(all: &Value) -> BTreeMap<String, Value> {
    let identity = |id: &str| {
        all["identities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap_or_else(|| panic!("no identity {id}"))
            .clone()
    };
    let host = |name: &str| {
        all["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["hostnames"][0] == name)
            .unwrap_or_else(|| panic!("no host {name}"))
            .clone()
    };
    let mut fixtures = BTreeMap::new();
    for (file, id) in [
        ("aws-123456789012.json", "aws:123456789012"),
        ("aws-210987654321.json", "aws:210987654321"),
        ("entra-contoso.json", "entra:contoso.de"),
        ("entra-fabrikam-csv.json", "entra:fabrikam.de"),
        ("okta.json", "okta:example-gmbh.okta.com"),
        ("google.json", "google:praxis-beispiel.de"),
    ] {
        fixtures.insert(
            file.to_owned(),
            narrowed(all, vec![identity(id)], Vec::new()),
        );
    }
    let mut fido = identity("entra:contoso.de");
    fido["users"]
        .as_array_mut()
        .unwrap()
        .retain(|u| u["name"] != "it.leitung@contoso.de" && u["name"] != "global.admin@contoso.de");
    fixtures.insert(
        "entra-contoso-fido2-admins.json".to_owned(),
        narrowed(all, vec![fido], Vec::new()),
    );
    // The Google tenant with only users whose 2SV is enforced or absent: the pass case.
    let mut enforced = identity("google:praxis-beispiel.de");
    enforced["users"]
        .as_array_mut()
        .unwrap()
        .retain(|u| u["name"] != "buchhaltung@praxis-beispiel.de");
    fixtures.insert(
        "google-2sv-enforced.json".to_owned(),
        narrowed(all, vec![enforced], Vec::new()),
    );
    for name in ["web01", "bastion", "keyonly01"] {
        fixtures.insert(
            format!("host-{name}.json"),
            narrowed(all, Vec::new(), vec![host(name)]),
        );
    }
    fixtures
}

/// The fields that say when and by what a fixture was made, not what it holds.
const RUN_FIELDS: [&str; 3] = ["started_at", "finished_at", "tool"];

#[test]
fn fact_fixtures_from_evidence_are_current() {
    let update = std::env::var_os("POSTURA_UPDATE_FIXTURES").is_some();
    let mut stale = Vec::new();
    for family in ["mfa", "encryption", "backup", "firewall", "patching"] {
        let all = facts_of(family);
        let fixtures = if family == "mfa" {
            mfa(&all)
        } else {
            per_host(&all)
        };
        for (file, mut made) in fixtures {
            let path = repo().join("fixtures/facts").join(family).join(&file);
            let committed: Option<Value> = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| serde_json::from_str(&text).ok());
            // The committed times stay: the examples are judged as of them.
            if let Some(committed) = &committed {
                for field in RUN_FIELDS {
                    made[field] = committed[field].clone();
                }
            }
            if committed.as_ref() == Some(&made) {
                continue;
            }
            if update {
                // Through the typed model, so fields keep the order postura writes them in.
                let typed: postura::facts::Facts = serde_json::from_value(made).unwrap();
                let mut text = serde_json::to_string_pretty(&typed).unwrap();
                text.push('\n');
                std::fs::write(&path, text).unwrap();
            } else {
                stale.push(format!("fixtures/facts/{family}/{file}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale fact fixtures (run POSTURA_UPDATE_FIXTURES=1 cargo test fixtures, review the diff): {stale:?}"
    );
}
