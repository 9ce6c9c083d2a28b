//! Firewall evidence: real iptables and nft exports read back, and rules held against a real
//! scan of two hosts in namespaces of our own (one with the exported rules loaded, one whose
//! rules were never restored).

use std::process::Command;

use crate::support::{
    Netns, finding_state, host_named, is_root, judge_evidence, repo, require, scan_with,
};

fn fixture(host: &str, file: &str) -> std::path::PathBuf {
    repo()
        .join("fixtures/evidence/firewall/hosts")
        .join(host)
        .join(file)
}

/// The verdict a family of a host's firewall facts gives `port`.
fn verdict(host: &serde_json::Value, family: &str, port: u64) -> String {
    let families = host["firewall"]["families"]
        .as_array()
        .expect("firewall facts");
    let f = families
        .iter()
        .find(|f| f["family"] == family)
        .unwrap_or_else(|| panic!("no {family} in {host}"));
    f["tcp"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["from"].as_u64().unwrap() <= port && port <= v["to"].as_u64().unwrap())
        .map(|v| v["verdict"].as_str().unwrap().to_owned())
        .expect("every port has a verdict")
}

#[test]
fn committed_exports_are_evaluated_as_a_packet_meets_them() {
    let result = judge_evidence(&repo().join("fixtures/evidence/firewall"), &[]);
    let web01 = host_named(&result, "web01");
    // SSH jumps to a chain that accepts only the admin network and returns: the policy drops.
    assert_eq!(verdict(web01, "ipv4", 22), "drop");
    assert_eq!(verdict(web01, "ipv4", 443), "accept");
    assert_eq!(verdict(web01, "ipv4", 9105), "accept");
    assert_eq!(verdict(web01, "ipv6", 5432), "reject");
    assert_eq!(
        finding_state(&result, "fw-inbound-default-allow", "web01"),
        "pass"
    );
    let db01 = host_named(&result, "db01");
    // The inet table accepts 5432, the later ip-only base chain drops it for IPv4 only.
    assert_eq!(verdict(db01, "ipv4", 5432), "drop");
    assert_eq!(verdict(db01, "ipv6", 5432), "accept");
    assert_eq!(verdict(db01, "ipv4", 8080), "reject");
    assert_eq!(
        finding_state(&result, "fw-sensitive-port-allowed", "db01"),
        "fail"
    );
    let legacy01 = host_named(&result, "legacy01");
    // The range 3000:4000 accepts 3389 before anything else is reached.
    assert_eq!(verdict(legacy01, "ipv4", 3389), "accept");
    assert_eq!(
        finding_state(&result, "fw-inbound-default-allow", "legacy01"),
        "fail"
    );
    assert_eq!(
        finding_state(&result, "fw-inbound-default-allow", "open01"),
        "fail"
    );
    // Windows: English netsh (CRLF), German netsh in code page 850, PowerShell 5.1 JSON in
    // UTF-16 with enums as numbers and `NotConfigured` meaning the Windows default.
    let profiles = |name: &str| host_named(&result, name)["firewall"]["profiles"].clone();
    assert_eq!(profiles("win01")[1]["default_inbound"], "allow");
    assert_eq!(profiles("win01")[2]["enabled"], false);
    assert_eq!(
        finding_state(&result, "fw-inbound-default-allow", "win01"),
        "fail"
    );
    assert_eq!(profiles("win02")[0]["enabled"], true);
    assert_eq!(profiles("win02")[0]["default_inbound"], "block");
    assert_eq!(profiles("win02")[0]["not_configured"][0], "Enabled");
    assert_eq!(profiles("win02")[2]["enabled"], false);
    assert_eq!(profiles("win03")[2]["name"], "public");
    assert_eq!(
        finding_state(&result, "fw-inbound-default-allow", "win03"),
        "pass"
    );
    assert_eq!(
        finding_state(&result, "fw-dropped-not-logged", "win03"),
        "fail"
    );
    // AWS security groups: each group is an asset; only 0.0.0.0/0 and ::/0 count as anywhere,
    // protocol -1 opens everything, UDP does not count for TCP.
    assert_eq!(
        verdict(host_named(&result, "sg-0a3f7c2e9b1d40001"), "ipv4", 22),
        "drop"
    );
    assert_eq!(
        verdict(host_named(&result, "sg-0a3f7c2e9b1d40001"), "ipv6", 443),
        "accept"
    );
    assert_eq!(
        verdict(host_named(&result, "sg-0b1e5a7c9d3f20011"), "ipv4", 3306),
        "accept"
    );
    assert_eq!(
        verdict(host_named(&result, "sg-0b1e5a7c9d3f20011"), "ipv4", 5432),
        "drop"
    );
    assert_eq!(
        finding_state(&result, "fw-inbound-default-allow", "sg-0c7d1f3a5e9b60021"),
        "fail"
    );
    // `nft list ruleset` text is read too.
    let text = result["facts"]["evidence_files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "hosts/db01/nft-list-ruleset.txt")
        .expect("listed");
    assert_eq!(text["status"], "used");
    assert_eq!(text["format"], "nft-list-ruleset");
}

/// A namespace reached from ours over a veth pair: `address` inside, `peer` on our side.
struct Remote {
    ns: Netns,
    address: String,
}

impl Remote {
    fn new(tag: &str, subnet: u8) -> Self {
        let ns = Netns::new(tag);
        let ours = format!("pf{tag}{}", std::process::id() % 10000);
        let theirs = format!("{ours}x");
        run(&[
            "ip", "link", "add", &ours, "type", "veth", "peer", "name", &theirs,
        ]);
        run(&["ip", "link", "set", &theirs, "netns", &ns.0]);
        run(&[
            "ip",
            "addr",
            "add",
            &format!("10.231.{subnet}.1/30"),
            "dev",
            &ours,
        ]);
        run(&["ip", "link", "set", &ours, "up"]);
        let address = format!("10.231.{subnet}.2");
        ns.exec_ok(&[
            "ip",
            "addr",
            "add",
            &format!("{address}/30"),
            "dev",
            &theirs,
        ]);
        ns.exec_ok(&["ip", "link", "set", &theirs, "up"]);
        Self { ns, address }
    }

    /// Loads an iptables-save export into the namespace.
    fn restore(&self, export: &std::path::Path) {
        let status = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns.0,
                "iptables-restore",
                "--counters",
            ])
            .stdin(std::fs::File::open(export).unwrap())
            .status()
            .unwrap();
        assert!(status.success(), "iptables-restore {}", export.display());
    }

    fn listen(&self, ports: &[u16]) -> Vec<crate::support::Server> {
        ports
            .iter()
            .map(|port| {
                self.ns.spawn(&[
                    "python3",
                    "-c",
                    &format!(
                        "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('0.0.0.0',{port}))\ns.listen(64)\ntime.sleep(120)"
                    ),
                ])
            })
            .collect()
    }
}

fn run(args: &[&str]) {
    let status = Command::new(args[0]).args(&args[1..]).status().unwrap();
    assert!(status.success(), "{args:?}");
}

#[test]
fn rules_are_held_against_a_real_scan() {
    if !is_root() || !require("iptables-restore") || !require("python3") {
        return;
    }
    // legacy: the exported rules are in force; 445 and 3389 (in 3000:4000) answer.
    let legacy = Remote::new("l", 7);
    legacy.restore(&fixture("legacy01", "iptables-save.txt"));
    let _legacy_services = legacy.listen(&[445, 3389]);
    // unrestored: web01's export, but the host came back from a reboot without its rules;
    // PostgreSQL (rejected by the export) and 8080 (dropped by its policy) answer.
    let unrestored = Remote::new("u", 8);
    let _unrestored_services = unrestored.listen(&[5432, 8080]);
    std::thread::sleep(std::time::Duration::from_millis(500));

    // Evidence folders named by address join the scanned hosts.
    let evidence = tempfile::tempdir().unwrap();
    for (remote, host) in [(&legacy, "legacy01"), (&unrestored, "web01")] {
        let dir = evidence.path().join(&remote.address);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(
            fixture(host, "iptables-save.txt"),
            dir.join("iptables-save.txt"),
        )
        .unwrap();
    }
    // The second address rides along as one more target.
    let (_out, facts, result) = scan_with(
        &legacy.address,
        "80,443,445,3389,5432,8080,9100-9110",
        &[
            unrestored.address.as_ref(),
            "--evidence".as_ref(),
            evidence.path().as_os_str(),
        ],
    );
    let state = |check: &str, host: &str| finding_state(&result, check, host);
    assert_eq!(
        state("fw-sensitive-port-allowed-and-open", &legacy.address),
        "fail"
    );
    assert_eq!(state("fw-open-despite-rules", &legacy.address), "pass");
    assert_eq!(state("fw-open-despite-rules", &unrestored.address), "fail");
    assert_eq!(
        state("fw-allowed-port-without-service", &unrestored.address),
        "fail"
    );
    assert_eq!(
        state("fw-sensitive-port-allowed-and-open", &unrestored.address),
        "pass"
    );
    let drift = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["check_id"] == "fw-open-despite-rules" && f["asset"] == unrestored.address.as_str()
        })
        .unwrap();
    let evidence_text = drift["evidence"].to_string();
    assert!(
        evidence_text.contains("5432/tcp open, the rules reject it"),
        "{evidence_text}"
    );
    assert!(
        evidence_text.contains("8080/tcp open, the rules drop it by the policy"),
        "{evidence_text}"
    );

    if std::env::var_os("POSTURA_WRITE_FIXTURES").is_some() {
        // Check examples: one facts file per scanned host.
        for (remote, name) in [(&legacy, "scan-legacy"), (&unrestored, "scan-unrestored")] {
            let mut doc = facts.clone();
            let kept: Vec<_> = facts["hosts"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| h["address"] == remote.address.as_str())
                .cloned()
                .collect();
            doc["hosts"] = serde_json::Value::Array(kept);
            std::fs::write(
                repo().join(format!("fixtures/facts/firewall/{name}.json")),
                serde_json::to_string_pretty(&doc).unwrap() + "\n",
            )
            .unwrap();
        }
    }
}

/// The same live ruleset exported as text and as JSON gives the same verdicts.
#[test]
fn nft_text_and_json_exports_agree() {
    if !is_root() || !require("nft") {
        return;
    }
    let ns = Netns::new("nftboth");
    ns.nft(
        "table inet filter {\n\
           set admins { type ipv4_addr; flags interval; elements = { 10.20.0.0/16, 192.0.2.0/24 } }\n\
           chain ssh { ip saddr @admins accept; return; }\n\
           chain tls { ip6 nexthdr tcp accept; }\n\
           chain web { tcp dport 8443 goto tls; }\n\
           chain input {\n\
             type filter hook input priority filter; policy drop;\n\
             ct state vmap { established : accept, related : accept, invalid : drop }\n\
             iifname \"lo\" accept\n\
             tcp dport { 22, 2222 } jump ssh\n\
             tcp dport vmap { 80 : accept, 443 : accept, 8443 : jump web }\n\
             tcp dport 3000-3999 counter log prefix \"dev \" accept\n\
             tcp dport != 25 tcp dport < 1024 reject with tcp reset\n\
           }\n\
         }\n",
    );
    let export = |args: &[&str]| {
        let out = Command::new("ip")
            .args(["netns", "exec", &ns.0, "nft"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let verdicts = |file: &str, content: Vec<u8>| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("gw01")).unwrap();
        std::fs::write(dir.path().join("gw01").join(file), content).unwrap();
        let result = judge_evidence(dir.path(), &[]);
        let gw = host_named(&result, "gw01").clone();
        let families = gw["firewall"]["families"].as_array().unwrap().clone();
        let ranges: Vec<(u64, u64, String)> = families
            .iter()
            .flat_map(|f| f["tcp"].as_array().unwrap().clone())
            .map(|v| {
                (
                    v["from"].as_u64().unwrap(),
                    v["to"].as_u64().unwrap(),
                    v["verdict"].to_string(),
                )
            })
            .collect();
        (gw, ranges)
    };
    let (text_host, from_text) = verdicts("nft-list-ruleset.txt", export(&["list", "ruleset"]));
    let (_, from_json) = verdicts("nft.json", export(&["-j", "list", "ruleset"]));
    assert_eq!(from_text, from_json);
    // SSH returns from its chain (the source is not an admin) and meets the low-port REJECT.
    assert_eq!(verdict(&text_host, "ipv4", 22), "reject");
    assert_eq!(verdict(&text_host, "ipv4", 443), "accept");
    assert_eq!(verdict(&text_host, "ipv4", 3500), "accept");
    assert_eq!(verdict(&text_host, "ipv4", 25), "drop");
    assert_eq!(verdict(&text_host, "ipv4", 111), "reject");
    // 8443 jumps to web, goes to tls, which accepts only IPv6; falling out of a goto returns
    // past the jump in input, so IPv4 meets the policy.
    assert_eq!(verdict(&text_host, "ipv4", 8443), "drop");
    assert_eq!(verdict(&text_host, "ipv6", 8443), "accept");
}

/// Found by the evidence fuzzer: a named set that lists itself sent the set lookup round in
/// circles until the stack overflowed, and one that lists itself many times took exponential
/// time. Each set is read once; one that holds itself is read as far as it goes.
#[test]
fn a_named_set_that_holds_itself_ends() {
    let dir = tempfile::tempdir().unwrap();
    let host = dir.path().join("loop01");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(
        host.join("nft-ruleset.json"),
        r#"{"nftables": [
  {"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
  {"table": {"family": "inet", "name": "filter", "handle": 1}},
  {"set": {"family": "inet", "name": "s", "table": "filter", "type": "inet_service", "handle": 2, "elem": ["@s", "@s", "@s", "@s", "@s", "@s", "@s", "@s", "@s", "@s", 22]}},
  {"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 3, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
  {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 4, "expr": [
    {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": "@s"}},
    {"accept": null}]}}
]}"#,
    )
    .unwrap();
    let result = crate::support::judge_evidence(dir.path(), &[]);
    let loop01 = crate::support::host_named(&result, "loop01");
    assert_eq!(loop01["firewall"]["formats"][0], "nft-json");
    assert!(
        !loop01["firewall"]["families"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
