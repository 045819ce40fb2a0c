//! `causal check`: each finding kind on a hand-worked fixture, skew bounds on the samples and
//! on generated traces whose true clock offsets are known, exit status, stable output; and
//! `causal stamp --hlc`, the other clock-from-wall-time feature.

use std::collections::HashMap;

use predicates::prelude::*;
use serde_json::{json, Value};

use crate::{causal, fixture, json_lines, run_ok};

fn report(args: &[&str], code: i32) -> Value {
    crate::report("check", args, code)
}

fn kinds(r: &Value) -> Vec<&str> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect()
}

fn bound<'a>(r: &'a Value, a: &str, b: &str) -> &'a Value {
    r["skew"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["a"] == a && x["b"] == b)
        .unwrap_or_else(|| panic!("no bound for {a} {b}"))
}

fn msgs(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| m["msg"].as_str().unwrap())
        .collect()
}

#[test]
fn kv_store_bounds_the_slow_replica_and_flags_violations_and_the_lost_message() {
    let r = report(&["samples/kv-store.jsonl"], 1);
    assert_eq!(r["version"], 3);
    assert_eq!(
        r["skew_summary"],
        Value::Null,
        "JSON gives every pair of a few nodes"
    );
    assert_eq!(
        kinds(&r),
        ["unmatched-send", "clock-violation", "clock-violation"]
    );
    let lost = &r["findings"][0];
    assert_eq!(lost["msg"], "rep-3");
    assert_eq!(lost["to"], json!(["kv-3"]));
    assert_eq!(lost["events"][0]["line"], 42);
    let lines: Vec<u64> = r["findings"].as_array().unwrap()[1..]
        .iter()
        .map(|f| f["events"][0]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [4, 67], "the receives timed before their sends");
    assert_eq!(r["findings"][1]["events"][1]["line"], 2, "and their sends");
    // kv-1 -> kv-3 "sync-1-diff" appears to take -2.495 s; kv-3 -> kv-1 "epoch-3-ack-3"
    // 2.511 s: kv-3's clock is between 2.511 and 2.495 s behind kv-1's.
    let kv3 = bound(&r, "kv-1", "kv-3");
    assert_eq!((&kv3["lo"], &kv3["hi"]), (&json!(-2.511), &json!(-2.495)));
    assert_eq!(msgs(&kv3["lo_messages"]), ["epoch-3-ack-3"]);
    assert_eq!(msgs(&kv3["hi_messages"]), ["sync-1-diff"]);
    assert_eq!(kv3["hi_messages"][0]["delay"], json!(-2.495));
    // alice never talks to kv-3: bounded through kv-1.
    let alice = bound(&r, "alice", "kv-3");
    assert_eq!(msgs(&alice["hi_messages"]), ["c-a3", "sync-1-diff"]);
    assert_eq!(r["contradicted_nodes"], json!([]));
}

#[test]
fn unmatched_messages_name_the_intended_receivers() {
    let out = run_ok(
        &["check", fixture("check-unmatched.jsonl").to_str().unwrap()],
        1,
    );
    let lines: Vec<&str> = out.lines().collect();
    // One finding per copy that its intended receiver never received: the multicast "m1"
    // reached b but not ghost; "lost" reached neither.
    assert_eq!(
        lines[..4],
        [
            "tests/fixtures/check-unmatched.jsonl:1: unmatched-send: a#1 on a sends \"m1\" to b, \
             ghost, but ghost never receives it (ghost logged nothing in this input)",
            "tests/fixtures/check-unmatched.jsonl:2: unmatched-send: a#2 on a sends \"lost\" to \
             b, ghost, but b never receives it",
            "tests/fixtures/check-unmatched.jsonl:2: unmatched-send: a#2 on a sends \"lost\" to \
             b, ghost, but ghost never receives it (ghost logged nothing in this input)",
            "tests/fixtures/check-unmatched.jsonl:4: unmatched-recv: b#2 on b receives \
             \"phantom\", which no event sends",
        ]
    );
    assert_eq!(
        lines.last().unwrap(),
        &"4 findings (3 unmatched-send, 1 unmatched-recv); skew bounds for 1 of 1 node against a"
    );
    let r = report(&[fixture("check-unmatched.jsonl").to_str().unwrap()], 1);
    assert_eq!(
        kinds(&r),
        [
            "unmatched-send",
            "unmatched-send",
            "unmatched-send",
            "unmatched-recv"
        ]
    );
    let receivers: Vec<&Value> = r["findings"].as_array().unwrap()[..3]
        .iter()
        .map(|f| &f["receiver"])
        .collect();
    assert_eq!(receivers, [&json!("ghost"), &json!("b"), &json!("ghost")]);
    assert_eq!(r["findings"][3]["msg"], "phantom");
    assert_eq!(
        r["findings"][3]["events"],
        json!([{"id": "b#2", "node": "b", "file": "tests/fixtures/check-unmatched.jsonl",
                "line": 4, "time": "2026-11-20T09:00:00.005Z"}])
    );
}

#[test]
fn a_negative_cycle_is_a_skew_contradiction_naming_its_messages() {
    let r = report(
        &[fixture("check-skew-contradiction.jsonl").to_str().unwrap()],
        1,
    );
    // ab +1 ms, bc +1 ms, ca -5 ms: the offsets around a -> b -> c -> a would sum to at most
    // -3 ms, but they sum to exactly 0. The -5 ms message is also a clock violation.
    assert_eq!(kinds(&r), ["clock-violation", "skew-contradiction"]);
    let c = &r["findings"][1];
    assert_eq!(msgs(&c["messages"]), ["ab", "bc", "ca"]);
    assert_eq!(c["total"], json!(-0.003));
    assert_eq!(
        c["explanation"],
        "no constant clock offsets explain 3 messages around a -> b -> c -> a: their apparent \
         delays add up to -0.003 s, but true delays cannot be negative"
    );
    assert_eq!(c["events"].as_array().unwrap().len(), 6);
    assert_eq!(r["contradicted_nodes"], json!(["a", "b", "c"]));
    // Nodes outside the contradiction still get bounds.
    let skew = r["skew"].as_array().unwrap();
    assert_eq!(skew.len(), 1);
    assert_eq!(
        (&skew[0]["a"], &skew[0]["b"], &skew[0]["lo"], &skew[0]["hi"]),
        (&json!("d"), &json!("e"), &Value::Null, &json!(0.002))
    );
}

#[test]
fn consistent_clocks_are_no_finding_and_bounds_combine_through_nodes() {
    let f = fixture("check-clean.jsonl");
    let r = report(&[f.to_str().unwrap()], 0);
    assert_eq!(r["findings"], json!([]));
    let ab = bound(&r, "a", "b");
    assert_eq!((&ab["lo"], &ab["hi"]), (&json!(-0.002), &json!(0.01)));
    // a and c never exchange a timed message: a -> b -> c gives the upper bound only.
    let ac = bound(&r, "a", "c");
    assert_eq!((&ac["lo"], &ac["hi"]), (&Value::Null, &json!(0.015)));
    assert_eq!(msgs(&ac["hi_messages"]), ["ping", "fwd"]);
    let text = run_ok(&["check", f.to_str().unwrap(), "--all-pairs"], 0);
    assert!(text.contains("  a  c  [  -inf, 0.015]"), "{text}");
    assert!(text.ends_with("no findings; skew bounds for 3 pairs of nodes\n"));
}

#[test]
fn skew_against_one_node_and_no_skew() {
    let r = report(&["samples/kv-store.jsonl", "--skew-against", "kv-3"], 1);
    let skew = r["skew"].as_array().unwrap();
    assert_eq!(skew.len(), 4);
    let kv1 = skew.iter().find(|b| b["b"] == "kv-1").unwrap();
    assert_eq!(kv1["a"], "kv-3");
    assert_eq!((&kv1["lo"], &kv1["hi"]), (&json!(2.495), &json!(2.511)));
    let none = report(&["samples/kv-store.jsonl", "--no-skew"], 1);
    assert_eq!(none["skew"], json!([]));
    causal()
        .args(["check", "samples/kv-store.jsonl", "--skew-against", "kv-9"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("causal: --skew-against: no node named \"kv-9\" in the input\n");
}

#[test]
fn bad_input_exits_two() {
    causal()
        .args(["check", fixture("duplicate-send.jsonl").to_str().unwrap()])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "tests/fixtures/duplicate-send.jsonl:3: expected each message to be sent once",
        ));
}

/// Generates a trace with `causal gen`, one file per node, and the true offsets.
fn generated(dir: &std::path::Path, nodes: &str, events: &str, seed: &str) -> HashMap<String, i64> {
    let split = dir.join("logs");
    let truth = dir.join("offsets.json");
    run_ok(
        &[
            "gen",
            "--nodes",
            nodes,
            "--events",
            events,
            "--seed",
            seed,
            "--max-offset",
            "0.05",
            "--split",
            split.to_str().unwrap(),
            "--offsets",
            truth.to_str().unwrap(),
        ],
        0,
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(truth).unwrap()).unwrap();
    assert_eq!(doc["unit"], "ns");
    doc["offsets"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(n, o)| (n.clone(), o.as_i64().unwrap()))
        .collect()
}

#[test]
fn above_a_thousand_timed_nodes_json_summarises_against_the_node_in_most_messages() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wide.jsonl");
    let trace = run_ok(
        &["gen", "--nodes", "1100", "--events", "12000", "--seed", "5"],
        0,
    );
    std::fs::write(&file, &trace).unwrap();
    // The oracle: the node in most messages, counted here from the generated lines.
    let lines = json_lines(&trace);
    let mut sender: HashMap<&str, &str> = HashMap::new();
    for l in &lines {
        if l["kind"] == "send" {
            sender.insert(l["msg"].as_str().unwrap(), l["node"].as_str().unwrap());
        }
    }
    let mut count: HashMap<&str, u64> = HashMap::new();
    for l in lines.iter().filter(|l| l["kind"] == "recv") {
        let (from, to) = (
            sender[l["msg"].as_str().unwrap()],
            l["node"].as_str().unwrap(),
        );
        *count.entry(from).or_default() += 1;
        if from != to {
            *count.entry(to).or_default() += 1;
        }
    }
    let most = count.values().max().unwrap();
    let reference = count
        .iter()
        .filter(|(_, c)| *c == most)
        .map(|(n, _)| *n)
        .min()
        .unwrap();

    let out = causal()
        .args(["check", file.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = &r["skew_summary"];
    assert_eq!(summary["reference"], reference);
    assert!(summary["timed_nodes"].as_u64().unwrap() > 1000, "{summary}");
    let skew = r["skew"].as_array().unwrap();
    assert!(skew.iter().all(|b| b["a"] == reference));
    // The same bounds as asking for them against that node, tightest first.
    let against = report(
        &[file.to_str().unwrap(), "--skew-against", reference],
        out.status.code().unwrap(),
    );
    let key = |b: &Value| b["b"].as_str().unwrap().to_string();
    let mut got: Vec<&Value> = skew.iter().collect();
    let mut want: Vec<&Value> = against["skew"].as_array().unwrap().iter().collect();
    let two_sided = summary["two_sided"].as_u64().unwrap() as usize;
    let width = |b: &Value| b["hi"].as_f64().unwrap() - b["lo"].as_f64().unwrap();
    assert!(got[..two_sided]
        .windows(2)
        .all(|w| width(w[0]) <= width(w[1]) + 1e-12));
    got.sort_by_key(|b| key(b));
    want.sort_by_key(|b| key(b));
    assert_eq!(got, want);
    // Every other node is bounded, left unbounded, or in a contradiction.
    let unbounded = summary["unbounded_nodes"].as_array().unwrap().len();
    let contradicted = r["contradicted_nodes"].as_array().unwrap().len();
    assert_eq!(skew.len() + unbounded + contradicted, 1100 - 1);
}

#[test]
fn text_summarises_the_bounds_and_all_pairs_lists_them() {
    let text = run_ok(&["check", "samples/kv-store.jsonl"], 1);
    assert!(
        text.contains(
            "clock offsets against kv-1, the node in most messages (offset of the node's clock \
         minus kv-1's, in seconds):\n  alice  [-0.006, 0.006]\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("skew bounds for 4 of 4 nodes against kv-1\n"),
        "{text}"
    );
    let all = run_ok(&["check", "samples/kv-store.jsonl", "--all-pairs"], 1);
    assert!(all.contains("  kv-2   kv-3  [-2.517, -2.489]\n"), "{all}");
    assert!(
        all.ends_with("skew bounds for 10 pairs of nodes\n"),
        "{all}"
    );
    causal()
        .args([
            "check",
            "samples/kv-store.jsonl",
            "--all-pairs",
            "--no-skew",
        ])
        .assert()
        .code(2);
}

#[test]
fn every_reported_interval_contains_the_true_offset() {
    for (nodes, events, seed) in [("6", "3000", "1"), ("12", "2000", "2"), ("30", "1500", "3")] {
        let dir = tempfile::tempdir().unwrap();
        let offsets = generated(dir.path(), nodes, events, seed);
        let mut files: Vec<String> = std::fs::read_dir(dir.path().join("logs"))
            .unwrap()
            .map(|e| e.unwrap().path().display().to_string())
            .collect();
        files.sort();
        let mut args: Vec<&str> = files.iter().map(String::as_str).collect();
        args.push("--format");
        args.push("json");
        let out = causal().arg("check").args(&args).output().unwrap();
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        // Offsets of +-50 ms against 0.1-4 ms latencies: receives before sends are expected,
        // but constant offsets explain every message, so nothing contradicts.
        assert!(!kinds(&r).contains(&"skew-contradiction"));
        assert_eq!(
            out.status.code(),
            Some(if kinds(&r).is_empty() { 0 } else { 1 })
        );
        let skew = r["skew"].as_array().unwrap();
        assert!(
            skew.len() >= offsets.len() - 1,
            "connected nodes get bounds"
        );
        for b in skew {
            let (a, bn) = (b["a"].as_str().unwrap(), b["b"].as_str().unwrap());
            let truth = (offsets[bn] - offsets[a]) as f64 / 1e9;
            if let Some(lo) = b["lo"].as_f64() {
                assert!(lo < truth, "{a} {bn}: lo {lo} vs true {truth}");
            }
            if let Some(hi) = b["hi"].as_f64() {
                assert!(truth < hi, "{a} {bn}: hi {hi} vs true {truth}");
            }
        }
    }
}

#[test]
fn samples_report_to_stable_snapshots() {
    insta::assert_snapshot!(
        "kv-store-text",
        run_ok(&["check", "samples/kv-store.jsonl"], 1)
    );
    let json = report(&["samples/kv-store.jsonl"], 1);
    insta::assert_snapshot!(
        "kv-store-json",
        serde_json::to_string_pretty(&json).unwrap()
    );
    insta::assert_snapshot!(
        "raft-text",
        run_ok(
            &[
                "check",
                "samples/raft/n1.jsonl",
                "samples/raft/n2.jsonl",
                "samples/raft/n3.jsonl"
            ],
            0
        )
    );
}

#[test]
fn stamp_hlc_follows_the_papers_rules_and_inherits_on_events_without_time() {
    let out = run_ok(
        &[
            "stamp",
            "--hlc",
            fixture("handworked.jsonl").to_str().unwrap(),
        ],
        0,
    );
    let events = json_lines(&out);
    let hlc: HashMap<&str, &Value> = events
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), &e["hlc"]))
        .collect();
    let a_start = "2026-11-20T09:00:00.000000001Z";
    // a#1 has a time; a#2 and a-done have none and inherit it with the counter bumped.
    assert_eq!(hlc["a#1"], &json!({"l": a_start, "c": 0}));
    assert_eq!(hlc["a#2"], &json!({"l": a_start, "c": 1}));
    assert_eq!(hlc["a-done"], &json!({"l": a_start, "c": 2}));
    // b#1's own time is two days earlier; b#2 receives a#2's larger l: (l, c + 1).
    assert_eq!(
        hlc["b#1"],
        &json!({"l": "2026-11-18T11:06:40.125000000Z", "c": 0})
    );
    assert_eq!(hlc["b#2"], &json!({"l": a_start, "c": 2}));
    assert_eq!(hlc["c#1"], &json!({"l": a_start, "c": 4}));
    // Without --hlc the output has no hlc field.
    let plain = run_ok(&["stamp", fixture("handworked.jsonl").to_str().unwrap()], 0);
    assert!(!plain.contains("\"hlc\""));
}

#[test]
fn stamp_hlc_is_null_before_any_time_is_known_and_needs_jsonl() {
    let out = causal()
        .args(["stamp", "--hlc", "--node", "n"])
        .write_stdin("{\"label\":\"no time\",\"hlc\":\"input\"}\n{\"time\":5}\n")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let events = json_lines(&String::from_utf8(out).unwrap());
    assert_eq!(
        events[0]["hlc"],
        Value::Null,
        "the input's own hlc is replaced"
    );
    assert_eq!(
        events[1]["hlc"],
        json!({"l": "1970-01-01T00:00:05.000000000Z", "c": 0})
    );
    causal()
        .args([
            "stamp",
            "--hlc",
            "--format",
            "table",
            "samples/kv-store.jsonl",
        ])
        .assert()
        .code(2)
        .stderr("causal: --hlc needs --format jsonl\n");
}

#[test]
fn findings_are_not_repeated_as_warnings() {
    crate::causal()
        .args(["check", fixture("check-unmatched.jsonl").to_str().unwrap()])
        .assert()
        .code(1)
        .stderr("");
}

#[test]
fn duplicate_receives_reordered_channels_and_clocks_that_go_back() {
    let file = crate::path("check-channels.jsonl");
    let out = run_ok(&["check", "--no-skew", &file], 1);
    assert_eq!(
        out,
        "tests/fixtures/check-channels.jsonl:5: duplicate-recv: b#3 on b receives \"m1\" from a#1 \
         on a again: b#2 received it already at tests/fixtures/check-channels.jsonl:4\n\
         tests/fixtures/check-channels.jsonl:6: clock-regression: b#4 is timed \
         2026-11-20T09:00:00.005Z, before b#3 at 2026-11-20T09:00:00.012Z \
         (tests/fixtures/check-channels.jsonl:5), the event before it on b: the node's clock went \
         back\n\
         tests/fixtures/check-channels.jsonl:4: reordered (information): b#2 on b receives \"m1\" \
         after \"m2\", which a sent later (b#1 at tests/fixtures/check-channels.jsonl:3): the \
         channel from a reordered them\n\n\
         2 findings (1 duplicate-recv, 1 clock-regression); 1 reordered message (not findings)\n"
    );
    // The lock hand-off l1 received twice by d is synchronisation: no finding.
    assert!(!out.contains("l1"));
    // With FIFO channels promised, the reordering is a finding.
    let r = report(&["--no-skew", "--fifo", &file], 1);
    assert_eq!(
        kinds(&r),
        ["duplicate-recv", "reordered", "clock-regression"]
    );
    assert_eq!(r["findings"][1]["overtaken_by"], "m2");
    assert_eq!(r["information"], json!([]));
    let r = report(&["--no-skew", &file], 1);
    assert_eq!(r["information"][0]["kind"], "reordered");
}
