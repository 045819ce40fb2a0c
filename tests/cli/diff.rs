//! `causal diff`: the two runs of the slow-path sample (exact text), an execution against
//! itself, a copy without one message, two executions of one log, JSON, DOT and bad usage.

use predicates::prelude::*;
use serde_json::json;

use crate::{causal, path, report, run_ok};

// Run 2 has no lock wait but a cache miss: the rows reach api before the prefs, so api's two
// receives knew otherwise; request ids (r-881, r-902) normalise away.
const RUNS: &str = r#"A: samples/slow-path.jsonl (24 events on 5 nodes)
B: samples/slow-path-2.jsonl (23 events on 5 nodes)
22 events matched; 2 only in A, 1 only in B; 0 messages only in A, 0 only in B; 2 matched events knew otherwise

events only in A (2)
  db#2  samples/slow-path.jsonl:15  waiting for lock on orders (autovacuum holds it)
  db#3  samples/slow-path.jsonl:16  lock acquired after 337 ms

events only in B (1)
  cache#2  samples/slow-path-2.jsonl:16  miss prefs:7, loaded from store

matched events that knew otherwise (2; the first in B's Lamport order)
  api#7 (B: api#6)  r-881: 42 rows
    api: A knew up to api#7, B up to api#6; only A knew api#6
    cache: A knew up to cache#2, B nothing; only A knew cache#1, cache#2
  api#6 (B: api#7)  r-881: prefs cached
    api: A knew up to api#6, B up to api#7; only B knew api#6
    db: A knew nothing, B up to db#3; only B knew db#1, db#2, db#3
"#;

#[test]
fn the_two_runs_of_the_slow_path_sample_differ_as_told() {
    assert_eq!(
        run_ok(
            &[
                "diff",
                "samples/slow-path.jsonl",
                "--",
                "samples/slow-path-2.jsonl"
            ],
            1
        ),
        RUNS
    );
}

#[test]
fn an_execution_against_itself_has_no_difference() {
    causal()
        .args([
            "diff",
            "samples/kv-store.jsonl",
            "--",
            "samples/kv-store.jsonl",
        ])
        .assert()
        .code(0)
        .stdout(
            "A: samples/kv-store.jsonl (69 events on 5 nodes)\n\
             B: samples/kv-store.jsonl (69 events on 5 nodes)\n\
             no difference: every event matched, the same messages, the same knowledge\n",
        );
}

#[test]
fn a_copy_without_one_message_reports_exactly_that_message() {
    // diff-drop.jsonl is stats-small.jsonl with m2 (b answers a) made local on both ends.
    let r = report(
        "diff",
        &[&path("stats-small.jsonl"), "--", &path("diff-drop.jsonl")],
        1,
    );
    assert_eq!((&r["version"], &r["differ"]), (&json!(1), &json!(true)));
    assert_eq!(r["matched"], 12);
    assert_eq!(
        (&r["only_a"]["count"], &r["only_b"]["count"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(r["messages_only_a"]["count"], 1);
    assert_eq!(r["messages_only_a"]["items"][0]["msg"], "m2");
    assert_eq!(r["messages_only_b"]["count"], 0);
    // a#3 (a hears b) no longer knows b#1, b#2, and everything after it on a and c likewise.
    assert_eq!(r["knowledge"]["items"][0]["a"]["id"], "a#3");
}

#[test]
fn two_executions_of_one_log_compare_with_against() {
    let out = run_ok(
        &[
            "diff",
            &path("shiviz-executions.log"),
            "--execution",
            "1",
            "--against",
            "2",
            "--format",
            "json",
        ],
        1,
    );
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (&r["a"]["events"], &r["b"]["events"]),
        (&json!(2), &json!(4))
    );
    assert_eq!(
        (
            &r["messages_only_a"]["count"],
            &r["messages_only_b"]["count"]
        ),
        (&json!(1), &json!(1))
    );
}

/// Standard input read once serves both sides: before, B found stdin already drained and
/// reported that the input held no execution "2".
#[test]
fn two_executions_of_one_log_on_standard_input() {
    let log = std::fs::read(path("shiviz-executions.log")).unwrap();
    // The files beside the log that say how to read it, given as options (stdin has none).
    let regex = std::fs::read_to_string(path("shiviz-executions.regex")).unwrap();
    let delimiter = std::fs::read_to_string(path("shiviz-executions.delimiter")).unwrap();
    let args = [
        "diff",
        "--regex",
        regex.trim_end(),
        "--delimiter",
        delimiter.trim_end(),
        "--execution",
        "1",
        "--against",
        "2",
        "--format",
        "json",
    ];
    let piped = causal()
        .args(args)
        .write_stdin(log.clone())
        .assert()
        .code(1);
    let r: serde_json::Value = serde_json::from_slice(&piped.get_output().stdout).unwrap();
    assert_eq!(
        (&r["a"]["events"], &r["b"]["events"]),
        (&json!(2), &json!(4))
    );
    assert_eq!(r["messages_only_a"]["count"], json!(1));
    // `-` named on the command line reads the same bytes.
    let dash = causal()
        .args(args)
        .arg("-")
        .write_stdin(log)
        .assert()
        .code(1);
    assert_eq!(dash.get_output().stdout, piped.get_output().stdout);
}

/// The two sides are read at once; A's error is the one reported, as when read in turn.
#[test]
fn a_bad_a_is_reported_before_a_bad_b() {
    causal()
        .args(["diff", &path("bad-json.jsonl"), "--", &path("cycle.jsonl")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad-json.jsonl:"))
        .stderr(predicate::str::contains("cycle").not());
    causal()
        .args(["diff", &path("cycle.jsonl"), "--", &path("bad-json.jsonl")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("happens-before cycle"))
        .stderr(predicate::str::contains("bad-json").not());
}

#[test]
fn dot_draws_b_with_the_differences_colored() {
    let out = run_ok(
        &[
            "diff",
            "--format",
            "dot",
            "samples/slow-path.jsonl",
            "--",
            "samples/slow-path-2.jsonl",
        ],
        1,
    );
    assert!(out.contains("\ndigraph causal {\n"), "{out}");
    assert!(
        out.contains("label=\"B: samples/slow-path-2.jsonl compared with A"),
        "{out}"
    );
    assert!(
        out.contains("fillcolor=\"#ffe0a0\""),
        "matched events that knew otherwise: {out}"
    );
}

#[test]
fn b_must_be_given_once() {
    causal()
        .args(["diff", "samples/slow-path.jsonl"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("no execution B"));
    causal()
        .args([
            "diff",
            &path("bad-kind.jsonl"),
            "--",
            "samples/slow-path.jsonl",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "causal: tests/fixtures/bad-kind.jsonl:1:13:",
        ));
}

/// Stamped copies of the two runs (clocks taken as given, summaries folded from the given
/// clocks) differ exactly as the runs themselves: the same counts and the same witnesses.
#[test]
fn stamped_copies_differ_as_the_runs_do() {
    let dir = crate::view::out_dir();
    let mut stamped = Vec::new();
    for run in ["slow-path.jsonl", "slow-path-2.jsonl"] {
        let out = run_ok(&["stamp", &format!("samples/{run}")], 0);
        let file = dir.join(format!("stamped-{run}"));
        std::fs::write(&file, out).unwrap();
        stamped.push(file.to_str().unwrap().to_string());
    }
    let raw = run_ok(
        &[
            "diff",
            "--format",
            "json",
            "samples/slow-path.jsonl",
            "--",
            "samples/slow-path-2.jsonl",
        ],
        1,
    );
    let given = run_ok(
        &["diff", "--format", "json", &stamped[0], "--", &stamped[1]],
        1,
    );
    let (raw, given): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&raw).unwrap(),
        serde_json::from_str(&given).unwrap(),
    );
    // What the report says, without where the events were read.
    fn unplaced(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => m
                .iter()
                .filter(|(k, _)| *k != "file" && *k != "line")
                .map(|(k, v)| (k.clone(), unplaced(v)))
                .collect(),
            serde_json::Value::Array(a) => a.iter().map(unplaced).collect(),
            other => other.clone(),
        }
    }
    let said = |r: &serde_json::Value| {
        let ids = |list: &serde_json::Value| -> Vec<String> {
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        (
            r["matched"].clone(),
            [&r["only_a"], &r["only_b"], &r["knowledge"]].map(|l| l["count"].clone()),
            ids(&r["only_a"]),
            ids(&r["only_b"]),
            unplaced(&r["knowledge"]["items"]),
        )
    };
    assert_eq!(given["knowledge"]["count"], json!(2));
    assert_eq!(said(&given), said(&raw));
}
