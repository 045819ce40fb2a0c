//! `causal stamp`: clocks checked against hand-worked values, every input path, output shapes.

use predicates::prelude::*;
use serde_json::{json, Value};

use crate::{by_id, causal, fixture, json_lines, run_ok};

#[test]
fn handworked_clocks_match() {
    let out = run_ok(&["stamp", fixture("handworked.jsonl").to_str().unwrap()], 0);
    let events = json_lines(&out);
    // (id, lamport, vc) worked out by hand from the fixture.
    let expected = [
        ("a#1", 1, json!({"a": 1})),
        ("b#1", 1, json!({"b": 1})),
        ("a#2", 2, json!({"a": 2})),
        ("a-done", 3, json!({"a": 3})),
        ("b#2", 3, json!({"a": 2, "b": 2})),
        ("b#3", 4, json!({"a": 2, "b": 3})),
        ("c#1", 5, json!({"a": 2, "b": 3, "c": 1})),
    ];
    let got: Vec<(String, u64, Value)> = events
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["lamport"].as_u64().unwrap(),
                e["vc"].clone(),
            )
        })
        .collect();
    let want: Vec<(String, u64, Value)> = expected
        .into_iter()
        .map(|(id, l, vc)| (id.to_string(), l, vc))
        .collect();
    assert_eq!(got, want, "Lamport order, ties by node name then position");
}

#[test]
fn input_fields_pass_through_unchanged() {
    let out = run_ok(&["stamp", fixture("handworked.jsonl").to_str().unwrap()], 0);
    let events = json_lines(&out);
    let c1 = by_id(&events, "c#1");
    assert_eq!(c1["note"], json!({"deep": [1, 2]}));
    assert_eq!(c1["reads"], "x");
    let first = by_id(&events, "a#1");
    assert_eq!(first["time"], "2026-11-20T09:00:00.000000001Z");
    let b1 = by_id(&events, "b#1");
    assert_eq!(b1["time"], json!(1795000000.125));
    // `host` is accepted for `node`; the output names the node under `node` as well.
    let done = by_id(&events, "a-done");
    assert_eq!(done["host"], "a");
    assert_eq!(done["node"], "a");
    // Input field order is kept, computed fields come last.
    let line = out.lines().find(|l| l.contains("\"m2\",\"to\"")).unwrap();
    assert!(
        line.starts_with(r#"{"node":"b","kind":"send","msg":"m2","to":["c"],"writes":["x","y"],"id":"b#3","lamport":4"#),
        "{line}"
    );
}

#[test]
fn kv_store_sample_matches_an_independent_computation() {
    // Values computed by a separate Python script when the sample was written.
    let out = run_ok(&["stamp", "samples/kv-store.jsonl"], 0);
    let events = json_lines(&out);
    assert_eq!(events.len(), 69);
    let alice = by_id(&events, "alice-put-1");
    assert_eq!(alice["lamport"], 18);
    assert_eq!(
        alice["vc"],
        json!({"kv-1": 11, "kv-2": 3, "kv-3": 2, "alice": 8})
    );
    let bob = by_id(&events, "bob-put-1");
    assert_eq!(bob["lamport"], 25);
    assert_eq!(
        bob["vc"],
        json!({"kv-1": 7, "kv-2": 9, "kv-3": 2, "alice": 4, "bob": 8})
    );
    let kv3 = by_id(&events, "kv-3#6");
    assert_eq!(kv3["lamport"], 40);
    assert_eq!(
        kv3["vc"],
        json!({"kv-1": 22, "kv-2": 16, "kv-3": 6, "alice": 10, "bob": 10})
    );
    assert_eq!(
        by_id(&events, "kv-3#1")["vc"],
        json!({"kv-1": 2, "kv-3": 1})
    );
}

#[test]
fn output_is_in_lamport_order_and_every_event_follows_its_predecessors() {
    let out = run_ok(&["stamp", "samples/kv-store.jsonl"], 0);
    let events = json_lines(&out);
    let keys: Vec<(u64, String, u64)> = events
        .iter()
        .map(|e| {
            let node = e["node"].as_str().unwrap().to_string();
            let own = e["vc"][&node].as_u64().unwrap();
            (e["lamport"].as_u64().unwrap(), node, own)
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn one_file_per_node_takes_node_names_from_file_stems() {
    let out = run_ok(
        &[
            "stamp",
            "samples/raft/n3.jsonl",
            "samples/raft/n1.jsonl",
            "samples/raft/n2.jsonl",
        ],
        0,
    );
    let events = json_lines(&out);
    assert_eq!(events.len(), 55);
    let nodes: std::collections::BTreeSet<&str> =
        events.iter().map(|e| e["node"].as_str().unwrap()).collect();
    assert_eq!(nodes.into_iter().collect::<Vec<_>>(), ["n1", "n2", "n3"]);
    // The multicast RequestVote is received by both followers, each after n1 sent it.
    let votes: Vec<&Value> = events
        .iter()
        .filter(|e| e["msg"] == "rv-1" && e["kind"] == "recv")
        .collect();
    assert_eq!(votes.len(), 2);
    for v in votes {
        assert_eq!(v["vc"]["n1"], 3);
    }
    // File order on the command line does not change the result.
    let again = run_ok(
        &[
            "stamp",
            "samples/raft/n1.jsonl",
            "samples/raft/n2.jsonl",
            "samples/raft/n3.jsonl",
        ],
        0,
    );
    assert_eq!(out, again);
}

#[test]
fn node_option_names_lines_without_a_node() {
    let out = causal()
        .args(["stamp", "--node", "solo"])
        .write_stdin("{\"label\":\"one\"}\n\n{\"label\":\"two\"}\n")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let events = json_lines(&String::from_utf8(out).unwrap());
    assert_eq!(events[1]["id"], "solo#2");
    assert_eq!(events[1]["vc"], json!({"solo": 2}));
}

#[test]
fn standard_input_is_read_with_dash_and_with_no_file() {
    let input = std::fs::read_to_string(fixture("handworked.jsonl")).unwrap();
    let from_file = run_ok(&["stamp", fixture("handworked.jsonl").to_str().unwrap()], 0);
    for args in [vec!["stamp"], vec!["stamp", "-"]] {
        causal()
            .args(&args)
            .write_stdin(input.clone())
            .assert()
            .code(0)
            .stdout(from_file.clone());
    }
}

#[test]
fn regex_sample_parses_plain_text() {
    let pattern = std::fs::read_to_string("samples/checkout.regex").unwrap();
    let out = run_ok(
        &[
            "stamp",
            "samples/checkout.log",
            "--regex",
            pattern.trim_end(),
        ],
        0,
    );
    let events = json_lines(&out);
    assert_eq!(events.len(), 39);
    let first = &events[0];
    assert_eq!(first["node"], "web");
    assert_eq!(first["lamport"], 1);
    // `msg` and `to` groups that do not take part are absent, not empty strings.
    assert!(first.get("msg").is_none());
    let send = events
        .iter()
        .find(|e| e["msg"] == "m1" && e["kind"] == "send")
        .unwrap();
    assert_eq!(send["to"], json!(["gateway"]));
    let recv = events
        .iter()
        .find(|e| e["msg"] == "m1" && e["kind"] == "recv")
        .unwrap();
    assert_eq!(recv["vc"]["web"], send["vc"]["web"]);
}

#[test]
fn regex_node_comes_from_the_file_stem_and_unmatched_lines_can_be_skipped() {
    let pattern = r"^(?<node>\w+) (?<kind>\w+) (?<msg>\w+)$";
    causal()
        .args([
            "stamp",
            fixture("crlf.log").to_str().unwrap(),
            "--regex",
            pattern,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "crlf.log:3: expected a line matching --regex",
        ));
    let out = causal()
        .args([
            "stamp",
            fixture("crlf.log").to_str().unwrap(),
            "--regex",
            pattern,
            "--skip-unmatched",
        ])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "skipped 2 lines that did not match --regex",
        ))
        .get_output()
        .stdout
        .clone();
    let events = json_lines(&String::from_utf8(out).unwrap());
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["vc"], json!({"a": 1, "b": 1}));
    // Streaming counts the skipped lines per file, as batch mode does.
    causal()
        .args([
            "stamp",
            "--order",
            "input",
            fixture("crlf.log").to_str().unwrap(),
            "--regex",
            pattern,
            "--skip-unmatched",
        ])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "crlf.log: skipped 2 lines that did not match --regex",
        ));

    let stem_only = r"^(?<kind>send|recv) (?<msg>\w+)$";
    let out = causal()
        .args(["stamp", "-", "--regex", stem_only, "--node", "db"])
        .write_stdin("send x\n")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("\"id\":\"db#1\""));
}

#[test]
fn a_receive_of_a_message_never_sent_is_local_with_a_warning() {
    let out = causal()
        .args(["stamp", fixture("unmatched-recv.jsonl").to_str().unwrap()])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "warning: tests/fixtures/unmatched-recv.jsonl:2: b#1 receives \"ghost\", which no event sends",
        ))
        .get_output()
        .stdout
        .clone();
    let events = json_lines(&String::from_utf8(out).unwrap());
    assert_eq!(by_id(&events, "b#1")["vc"], json!({"b": 1}));
}

#[test]
fn table_is_aligned_and_plain_off_a_terminal() {
    let out = run_ok(
        &[
            "stamp",
            fixture("handworked.jsonl").to_str().unwrap(),
            "--format",
            "table",
        ],
        0,
    );
    insta::assert_snapshot!(out);
    assert!(!out.contains('\u{1b}'));
}

#[test]
fn color_always_paints_the_table_and_never_does_not() {
    let painted = run_ok(
        &[
            "--color",
            "always",
            "stamp",
            fixture("handworked.jsonl").to_str().unwrap(),
            "--format",
            "table",
        ],
        0,
    );
    assert!(painted.contains("\u{1b}["));
    let plain = causal()
        .args([
            "--color",
            "auto",
            "stamp",
            fixture("handworked.jsonl").to_str().unwrap(),
            "--format",
            "table",
        ])
        .env("NO_COLOR", "1")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(!String::from_utf8(plain).unwrap().contains('\u{1b}'));
}

#[test]
fn samples_stamp_to_stable_snapshots() {
    insta::assert_snapshot!("kv-store", run_ok(&["stamp", "samples/kv-store.jsonl"], 0));
    insta::assert_snapshot!(
        "raft-table",
        run_ok(
            &[
                "stamp",
                "samples/raft/n1.jsonl",
                "samples/raft/n2.jsonl",
                "samples/raft/n3.jsonl",
                "--format",
                "table"
            ],
            0
        )
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // `causal stamp big | head -1`: emulate with a large input and a reader that stops early.
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let mut input = String::new();
    for i in 0..200_000 {
        input.push_str(&format!(
            "{{\"node\":\"n{}\",\"label\":\"event {i}\"}}\n",
            i % 7
        ));
    }
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("causal"))
        .arg("stamp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("\"lamport\":1"));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn gzip_input_is_recognised_on_files_and_stdin() {
    let plain = run_ok(&["stamp", fixture("handworked.jsonl").to_str().unwrap()], 0);
    // The file stem of `x.jsonl.gz` is `x`, but these lines name their nodes.
    let gz = run_ok(
        &["stamp", fixture("handworked.jsonl.gz").to_str().unwrap()],
        0,
    );
    assert_eq!(plain, gz);
    let bytes = std::fs::read(fixture("handworked.jsonl.gz")).unwrap();
    causal()
        .arg("stamp")
        .write_stdin(bytes)
        .assert()
        .code(0)
        .stdout(plain);
}

#[test]
fn a_single_execution_can_be_selected_by_index() {
    let out = run_ok(
        &[
            "stamp",
            "--execution",
            "1",
            fixture("handworked.jsonl").to_str().unwrap(),
        ],
        0,
    );
    assert_eq!(json_lines(&out).len(), 7);
}

#[test]
fn computed_fields_replace_input_fields_and_odd_keys_survive() {
    let out = causal()
        .arg("stamp")
        .write_stdin(
            "{\"node\":\"a\",\"lamport\":99,\"vc\":\"x\",\"na\\\"me\":[1, 2],\"nested\":{\"k\": [ true ]}}\n\
             {\"node\":\"a\",\"label\":\"x\",\"label\":\"y\"}\n{}\n",
        )
        .args(["--node", "a"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        r#"{"node":"a","na\"me":[1,2],"nested":{"k":[true]},"id":"a#1","lamport":1,"vc":{"a":1}}"#
    );
    assert_eq!(
        lines[1],
        r#"{"node":"a","label":"y","id":"a#2","lamport":2,"vc":{"a":2}}"#
    );
    assert_eq!(
        lines[2],
        r#"{"id":"a#3","node":"a","lamport":3,"vc":{"a":3}}"#
    );
}

#[test]
fn input_order_gives_the_same_clocks_as_lamport_order() {
    let clocks = |args: &[&str]| -> std::collections::BTreeMap<String, (u64, Value)> {
        json_lines(&run_ok(args, 0))
            .into_iter()
            .map(|e| {
                let id = e["id"].as_str().unwrap().to_string();
                (id, (e["lamport"].as_u64().unwrap(), e["vc"].clone()))
            })
            .collect()
    };
    for files in [
        vec!["samples/kv-store.jsonl"],
        vec![
            "samples/raft/n3.jsonl",
            "samples/raft/n1.jsonl",
            "samples/raft/n2.jsonl",
        ],
        vec!["tests/fixtures/handworked.jsonl"],
    ] {
        let mut batch = vec!["stamp"];
        batch.extend(&files);
        let mut online = batch.clone();
        online.extend(["--order", "input"]);
        assert_eq!(clocks(&batch), clocks(&online), "{files:?}");
    }
}

#[test]
fn input_order_writes_each_event_before_the_input_ends() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("causal"))
        .args(["stamp", "--order", "input"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // A receive before its send is held back; the send releases both, while stdin is open.
    writeln!(stdin, r#"{{"node":"b","kind":"recv","msg":"m"}}"#).unwrap();
    writeln!(stdin, r#"{{"node":"a","kind":"send","msg":"m"}}"#).unwrap();
    stdin.flush().unwrap();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains(r#""id":"a#1""#), "{line}");
    line.clear();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains(r#""vc":{"a":1,"b":1}"#), "{line}");
    // Later lines come out as they arrive too, not when the input ends, even when the writer
    // has already sent part of the next line.
    stdin
        .write_all(b"{\"node\":\"a\",\"kind\":\"local\"}\n{\"node\":\"a\",\"ki")
        .unwrap();
    stdin.flush().unwrap();
    line.clear();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains(r#""id":"a#2""#), "{line}");
    writeln!(stdin, r#"nd":"local"}}"#).unwrap();
    stdin.flush().unwrap();
    line.clear();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains(r#""id":"a#3""#), "{line}");
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn input_order_reports_lost_messages_cycles_and_other_formats() {
    causal()
        .args([
            "stamp",
            "--order",
            "input",
            fixture("unmatched-recv.jsonl").to_str().unwrap(),
        ])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "tests/fixtures/unmatched-recv.jsonl:2: b#1 receives \"ghost\", which no event sends",
        ));
    causal()
        .args([
            "stamp",
            "--order",
            "input",
            fixture("cycle.jsonl").to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "tests/fixtures/cycle.jsonl:1: A#1 receives \"m2\", sent by B#2 at tests/fixtures/cycle.jsonl:4",
        ));
    causal()
        .args([
            "stamp",
            "--order",
            "input",
            fixture("duplicate-send.jsonl").to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "duplicate-send.jsonl:3: expected each message to be sent once",
        ));
    causal()
        .args([
            "stamp",
            "--order",
            "input",
            "--format",
            "table",
            "samples/kv-store.jsonl",
        ])
        .assert()
        .code(2)
        .stderr("causal: --order input writes --format jsonl, without --hlc\n");
    let pattern = std::fs::read_to_string("samples/checkout.regex").unwrap();
    let out = run_ok(
        &[
            "stamp",
            "--order",
            "input",
            "samples/checkout.log",
            "--regex",
            pattern.trim_end(),
        ],
        0,
    );
    assert_eq!(json_lines(&out).len(), 39);
}

/// The engines differ in speed only: on a generated trace with enough nodes for `auto` to try
/// tree clocks, and on a lock-passing STD trace, every engine writes the same bytes.
#[test]
fn every_engine_writes_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let generated = dir.path().join("gen-300.jsonl");
    let trace = run_ok(
        &["gen", "--nodes", "300", "--events", "6000", "--seed", "7"],
        0,
    );
    std::fs::write(&generated, trace).unwrap();
    let std_trace = fixture("std-locks.std");
    for input in [generated.to_str().unwrap(), std_trace.to_str().unwrap()] {
        for command in [
            &["stamp"][..],
            &["conflicts", "--format", "json"][..],
            &["past", "T2#2"][..],
        ] {
            if command[0] == "past" && input.ends_with(".jsonl") {
                continue;
            }
            let outputs: Vec<_> = ["flat", "tree", "auto"]
                .iter()
                .map(|engine| {
                    let out = causal()
                        .args(command)
                        .args(["--engine", engine, input])
                        .output()
                        .unwrap();
                    // conflicts finds the lost updates of these traces; the others are clean.
                    let expected = if command[0] == "conflicts" { 1 } else { 0 };
                    assert_eq!(out.status.code(), Some(expected), "{command:?} on {input}");
                    out.stdout
                })
                .collect();
            assert!(
                !outputs[0].is_empty(),
                "{command:?} on {input} wrote nothing"
            );
            assert!(
                outputs[1] == outputs[0],
                "{command:?} on {input}: tree differs"
            );
            assert!(
                outputs[2] == outputs[0],
                "{command:?} on {input}: auto differs"
            );
        }
    }
}

/// Batch and online stamping find a cycle by the same walk and say it in the same words (the
/// online report once named only the receives it held, without their sends).
#[test]
fn input_order_reports_a_cycle_as_batch_ordering_does() {
    for name in ["cycle.jsonl", "fuzz-control-cycle.jsonl"] {
        let file = fixture(name);
        let batch = causal()
            .args(["stamp", file.to_str().unwrap()])
            .assert()
            .code(2);
        let online = causal()
            .args(["stamp", "--order", "input", file.to_str().unwrap()])
            .assert()
            .code(2);
        let said = String::from_utf8_lossy(&batch.get_output().stderr).to_string();
        assert!(said.contains("sent by"), "{said}");
        assert_eq!(said, String::from_utf8_lossy(&online.get_output().stderr));
    }
}

#[test]
fn stamped_lines_of_many_batches_come_out_whole_and_in_lamport_order() {
    // 12,000 events: lines are written in batches of at most 4,096 on a second thread.
    let dir = tempfile::tempdir().unwrap();
    let generated = dir.path().join("gen-12k.jsonl");
    let trace = run_ok(
        &["gen", "--nodes", "8", "--events", "12000", "--seed", "3"],
        0,
    );
    std::fs::write(&generated, trace).unwrap();
    let last_id = {
        let out = run_ok(&["stamp", generated.to_str().unwrap()], 0);
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 12_000);
        let mut last_lamport = 0;
        let mut next_seq: std::collections::HashMap<String, u64> = Default::default();
        for line in &lines {
            let lamport = line["lamport"].as_u64().unwrap();
            assert!(lamport >= last_lamport, "Lamport order broken at {line}");
            last_lamport = lamport;
            let node = line["node"].as_str().unwrap().to_string();
            let seq = next_seq.entry(node.clone()).or_insert(1);
            assert_eq!(
                line["id"],
                format!("{node}#{seq}"),
                "a node's events in order"
            );
            assert_eq!(
                line["vc"][&node], *seq,
                "own clock entry counts the node's events"
            );
            *seq += 1;
        }
        lines.last().unwrap()["id"].as_str().unwrap().to_string()
    };
    // A slice keeping part of them, across the same batches: its past, in order, whole.
    let out = run_ok(&["past", &last_id, generated.to_str().unwrap()], 0);
    let lamports: Vec<u64> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["lamport"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert!(
        lamports.len() > 4_096,
        "{} events in the past",
        lamports.len()
    );
    assert!(lamports.windows(2).all(|w| w[0] <= w[1]));
    assert!(out
        .lines()
        .last()
        .unwrap()
        .contains(&format!("\"id\":\"{last_id}\"")));
}
