//! `causal gen`: seeded, exact in size, readable by causal itself, one file per node on request.

use std::collections::BTreeMap;

use predicates::prelude::*;
use serde_json::Value;

use crate::{causal, json_lines, run_ok};

#[test]
fn the_same_seed_gives_the_same_trace_of_exactly_n_events() {
    let args = ["gen", "--nodes", "5", "--events", "700", "--seed", "42"];
    let first = run_ok(&args, 0);
    assert_eq!(first, run_ok(&args, 0));
    assert_eq!(first.lines().count(), 700);
    let other = run_ok(
        &["gen", "--nodes", "5", "--events", "700", "--seed", "43"],
        0,
    );
    assert_ne!(first, other);
    let events = json_lines(&first);
    let nodes: std::collections::BTreeSet<&str> =
        events.iter().map(|e| e["node"].as_str().unwrap()).collect();
    assert_eq!(
        nodes.into_iter().collect::<Vec<_>>(),
        ["n0", "n1", "n2", "n3", "n4"]
    );
    let kinds = |k: &str| events.iter().filter(|e| e["kind"] == k).count();
    assert!(kinds("send") > 50 && kinds("recv") > 50);
    assert!(
        events
            .iter()
            .any(|e| e["to"].as_array().is_some_and(|t| t.len() > 1)),
        "multicast"
    );
    assert!(
        events
            .iter()
            .any(|e| e["writes"] == serde_json::json!(["k0"])),
        "hot key"
    );
}

#[test]
fn generated_traces_are_valid_input_with_lost_messages_and_conflicts() {
    let trace = run_ok(
        &[
            "gen", "--nodes", "4", "--events", "2000", "--seed", "9", "--loss", "0.05",
        ],
        0,
    );
    let stamped = causal()
        .arg("stamp")
        .write_stdin(trace.clone())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_lines(&String::from_utf8(stamped).unwrap()).len(), 2000);
    let out = causal()
        .args(["check", "--format", "json", "--no-skew"])
        .write_stdin(trace.clone())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let r: Value = serde_json::from_slice(&out).unwrap();
    let findings = r["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["kind"] == "unmatched-send"));
    assert!(!findings.iter().any(|f| f["kind"] == "unmatched-recv"));
    causal()
        .arg("conflicts")
        .write_stdin(trace)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("k0: "));
}

#[test]
fn split_writes_one_file_per_node_with_the_same_events() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["gen", "--nodes", "3", "--events", "500", "--seed", "5"];
    let whole = run_ok(&args, 0);
    let split = dir.path().join("logs");
    let mut with_split = args.to_vec();
    with_split.extend(["--split", split.to_str().unwrap()]);
    assert_eq!(run_ok(&with_split, 0), "", "nothing on stdout");
    let mut per_node: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in whole.lines() {
        let node = serde_json::from_str::<Value>(line).unwrap()["node"]
            .as_str()
            .unwrap()
            .to_string();
        per_node.entry(node).or_default().push(line.to_string());
    }
    for (node, lines) in per_node {
        let file = std::fs::read_to_string(split.join(format!("{node}.jsonl"))).unwrap();
        assert_eq!(file.lines().collect::<Vec<_>>(), lines);
    }
}

#[test]
fn bad_settings_are_usage_errors() {
    for (args, message) in [
        (
            vec!["--msg-ratio", "1.5"],
            "causal: --msg-ratio must be between 0 and 1, found 1.5\n",
        ),
        (
            vec!["--nodes", "0"],
            "causal: --nodes must be between 1 and 1000000, found 0\n",
        ),
        (
            vec!["--max-offset=-1"],
            "causal: --max-offset must be between 0 and 3600 seconds, found -1\n",
        ),
    ] {
        causal()
            .arg("gen")
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(message);
    }
    causal()
        .args(["gen", "--events", "many"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: invalid value 'many' for '--events <N>'",
        ));
}
