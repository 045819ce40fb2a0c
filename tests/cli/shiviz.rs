//! Vector-clock logs: ShiViz (regex over the whole log, delimiters, upload layout), GoVector
//! and DistributedClocks/tracing; messages inferred from clocks, clock-mismatch diagnostics,
//! the ShiViz export and its round trip, and ShiViz's own counts on the shared corpus.

use std::collections::{BTreeMap, BTreeSet};

use predicates::prelude::*;
use serde_json::{json, Value};

use crate::{causal, corpus, fixture, json_lines, path, run_ok};

/// Runs `causal` with `args`, expects exit status `code`, returns stdout and stderr.
fn run(args: &[&str], code: i32) -> (String, String) {
    let out = causal().args(args).assert().code(code).get_output().clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A node name without its execution label (`run 1/a` -> `a`) when the event has one.
fn bare<'a>(event: &Value, name: &'a str) -> &'a str {
    match event["execution"].as_str() {
        Some(label) => name.strip_prefix(&format!("{label}/")).unwrap_or(name),
        None => name,
    }
}

/// Each node's vector clocks in program order (stamp lists them in Lamport order, which
/// keeps every node's events in program order).
fn lanes(out: &str) -> BTreeMap<String, Vec<Value>> {
    let mut lanes: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for e in json_lines(out) {
        lanes
            .entry(e["node"].as_str().unwrap().to_string())
            .or_default()
            .push(e["vc"].clone());
    }
    lanes
}

/// The clock the log gave an event, zero entries dropped (ShiViz drops them too).
fn logged_clock(event: &Value) -> Option<BTreeMap<String, u64>> {
    let clock = event.get("clock").or_else(|| event.get("VectorClock"))?;
    Some(
        clock
            .as_object()?
            .iter()
            .filter(|(_, n)| n.as_u64() != Some(0))
            .map(|(h, n)| (h.clone(), n.as_u64().unwrap()))
            .collect(),
    )
}

/// The clock causal computed for an event, with host names as the log spells them.
fn computed_clock(event: &Value) -> BTreeMap<String, u64> {
    event["vc"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(n, c)| (bare(event, n).to_string(), c.as_u64().unwrap()))
        .collect()
}

/// Every event's clock, computed from the inferred messages, equals the clock it logged.
fn assert_clocks_match_the_log(out: &str) {
    for e in json_lines(out) {
        let logged = logged_clock(&e).unwrap_or_else(|| panic!("no logged clock in {e}"));
        assert_eq!(logged, computed_clock(&e), "event {}", e["id"]);
    }
}

/// Message edges (from, to) of the happens-before graph.
fn message_edges(args: &[&str]) -> BTreeSet<(String, String)> {
    let mut full = vec!["graph", "--format", "json"];
    full.extend_from_slice(args);
    let out = run_ok(&full, 0);
    let graph: Value = serde_json::from_str(&out).unwrap();
    graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "message")
        .map(|e| {
            (
                e["from"].as_str().unwrap().to_string(),
                e["to"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn edges(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn events_spanning_lines_are_read_with_the_regex_next_to_the_log() {
    let log = path("shiviz-multiline.log");
    let (out, err) = run(&["stamp", &log], 0);
    assert_eq!(err, format!("causal: reading {log} as shiviz\n"));
    let events = json_lines(&out);
    assert_eq!(events.len(), 9);
    assert_clocks_match_the_log(&out);
    let query = events.iter().find(|e| e["id"] == "db#2").unwrap();
    assert_eq!(query["event"], "query from server");
    assert_eq!(query["date"], "2026-11-20 09:00:03");
    assert_eq!(query["level"], "INFO");
    assert_eq!(query["where"], "db/query.go:12");
    assert_eq!(query["host"], "db");
    // Rises explained by a received clock are not messages: db#2 learns client:2 from
    // server#2, and client#3 learns db:3 from server#3.
    assert_eq!(
        message_edges(&[&log]),
        edges(&[
            ("client#2", "server#2"),
            ("server#2", "db#2"),
            ("db#3", "server#3"),
            ("server#3", "client#3"),
        ])
    );
    insta::assert_snapshot!(
        "multiline-table",
        run_ok(&["stamp", &log, "--format", "table"], 0)
    );
}

#[test]
fn a_shiviz_regex_in_the_javascript_dialect_is_taken_from_the_command_line() {
    let regex = std::fs::read_to_string(fixture("shiviz-multiline.regex")).unwrap();
    let log = std::fs::read(fixture("shiviz-multiline.log")).unwrap();
    causal()
        .args(["stamp", "--regex", regex.trim()])
        .write_stdin(log.clone())
        .assert()
        .code(0)
        .stderr("causal: reading <stdin> as shiviz\n")
        .stdout(predicate::function(|out: &str| out.lines().count() == 9));
    causal()
        .args(["stamp", "--from", "shiviz", "--regex", regex.trim()])
        .write_stdin(log)
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn a_delimiter_splits_executions_named_by_its_trace_group() {
    let log = path("shiviz-executions.log");
    let out = run_ok(&["stamp", &log], 0);
    let events = json_lines(&out);
    assert_eq!(
        events.len(),
        6,
        "the preamble before the first delimiter holds no event"
    );
    let nodes: BTreeSet<&str> = events.iter().map(|e| e["node"].as_str().unwrap()).collect();
    assert_eq!(
        nodes,
        BTreeSet::from(["first/a", "first/b", "second/a", "second/b"])
    );
    assert_eq!(events[0]["execution"], "first");
    assert_clocks_match_the_log(&out);
    assert_eq!(
        message_edges(&[&log]),
        edges(&[("first/a#1", "first/b#1"), ("second/b#2", "second/a#2")])
    );

    let second = json_lines(&run_ok(&["stamp", &log, "--execution", "second"], 0));
    assert_eq!(second.len(), 4);
    assert!(second.iter().all(|e| e.get("execution").is_none()));
    assert_eq!(
        message_edges(&[&log, "--execution", "second"]),
        edges(&[("b#2", "a#2")])
    );
    let first = json_lines(&run_ok(&["stamp", &log, "--execution", "1"], 0));
    assert_eq!(first.len(), 2);
    causal()
        .args(["stamp", &log, "--execution", "third"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no execution \"third\": the input holds 1 (\"first\"), 2 (\"second\")",
        ));
}

#[test]
fn the_upload_layout_carries_the_regex_and_one_event_can_have_three_roles() {
    let log = path("shiviz-upload.log");
    let (out, err) = run(&["stamp", &log], 0);
    assert_eq!(err, format!("causal: reading {log} as shiviz\n"));
    assert_clocks_match_the_log(&out);
    // z#1 receives from x and from y, and x#2 receives from z#1 (y:1 comes with it).
    assert_eq!(
        message_edges(&[&log]),
        edges(&[("x#1", "z#1"), ("y#1", "z#1"), ("z#1", "x#2")])
    );
    let z = json_lines(&out)
        .into_iter()
        .find(|e| e["id"] == "z#1")
        .unwrap();
    assert_eq!(z["event"], "z merges x and y");
}

#[test]
fn relaxed_clock_forms_are_read_without_complaint() {
    let (out, err) = run(&["stamp", &path("shiviz-relaxed.log")], 0);
    assert!(!err.contains("warning"), "{err}");
    assert_clocks_match_the_log(&out);
    let events = json_lines(&out);
    assert_eq!(events.len(), 4);
    // The logged clock is kept as the log meant it, zero entries included.
    let q1 = events.iter().find(|e| e["id"] == "q#1").unwrap();
    assert_eq!(q1["clock"], json!({"q": 1, "p": 0}));
}

#[test]
fn crlf_line_ends_stay_out_of_the_text() {
    let out = run_ok(&["stamp", &path("shiviz-crlf.log")], 0);
    let labels: Vec<Value> = json_lines(&out)
        .iter()
        .map(|e| e["event"].clone())
        .collect();
    assert_eq!(labels, vec![json!("first"), json!("second")]);
    assert_clocks_match_the_log(&out);
}

/// One fixture per clock defect: the events read, the diagnostic (after `causal: warning: `).
const CLOCK_PROBLEMS: &[(&str, usize, &str)] = &[
    ("shiviz-bad-clock.log", 6, "shiviz-bad-clock.log:9: clock-mismatch: expected a vector clock such as {\"host\":1}, found \"{\\\"b\\\":2 \\\"a\\\":2}\": expected ',' or '}', found '\"' at character 8"),
    ("shiviz-own-skip.log", 2, "shiviz-own-skip.log:5: clock-mismatch: a#2's own clock entry goes from \"a\":1 to \"a\":3, expected 2"),
    ("shiviz-own-start.log", 2, "shiviz-own-start.log:3: clock-mismatch: a#1's own clock entry is \"a\":2, expected 1"),
    ("shiviz-own-missing.log", 2, "shiviz-own-missing.log:5: clock-mismatch: a#1's clock has no entry for its own host \"a\""),
    ("shiviz-goes-down.log", 4, "shiviz-goes-down.log:9: clock-mismatch: b#2's clock entry for \"a\" goes down from 2 to 1"),
    ("shiviz-unknown-host.log", 1, "shiviz-unknown-host.log:3: clock-mismatch: a#1's clock has \"ghost\":3, but the log has no event of host \"ghost\""),
    ("shiviz-missing-event.log", 3, "shiviz-missing-event.log:7: clock-mismatch: b#1's clock has \"a\":9, but no event of \"a\" has own entry 9 (it has 2 events)"),
    ("shiviz-merge.log", 4, "shiviz-merge.log:9: clock-mismatch: b#2 receives from a#1 (\"a\":1) but has \"c\":0 where the sender has \"c\":1"),
    ("shiviz-cycle.log", 2, "shiviz-cycle.log:3: clock-mismatch: the clocks say d#1 receives from e#1 and also that e#1 comes after d#1 (a happens-before cycle)"),
    ("tracing-bad-clock.jsonl", 3, "tracing-bad-clock.jsonl:2: clock-mismatch: expected \"VectorClock\" (object of host counts), found none"),
];

#[test]
fn each_clock_problem_is_one_diagnostic_and_the_rest_is_read() {
    for (file, count, message) in CLOCK_PROBLEMS {
        let (out, err) = run(&["stamp", &path(file)], 0);
        let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
        assert_eq!(warnings.len(), 1, "{file}: {err}");
        let expected = format!("causal: warning: tests/fixtures/{message}");
        assert!(
            warnings[0].starts_with(&expected),
            "{file}:\n{}\n{expected}",
            warnings[0]
        );
        assert_eq!(json_lines(&out).len(), *count, "{file}");
    }
}

#[test]
fn an_unreadable_clock_keeps_its_place_in_program_order() {
    // b#2's clock cannot be read, yet a#3's clock names it as b:2: the receive still holds.
    let log = path("shiviz-bad-clock.log");
    assert_eq!(
        message_edges(&[&log]),
        edges(&[("a#2", "b#1"), ("b#2", "a#3")])
    );
    let events = json_lines(&run_ok(&["stamp", &log], 0));
    let b2 = events.iter().find(|e| e["id"] == "b#2").unwrap();
    assert_eq!(b2["vc"], json!({"a": 2, "b": 2}));
    assert_eq!(
        b2["clock"], "{\"b\":2 \"a\":2}",
        "the unreadable text is kept"
    );
}

#[test]
fn clock_warnings_are_capped() {
    let mut log = String::from("(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)\n\n");
    for n in 1..=15 {
        log.push_str(&format!("a {{\"a\":{n}, \"ghost\":{n}}}\nevent {n}\n"));
    }
    causal()
        .arg("stamp")
        .write_stdin(log)
        .assert()
        .code(0)
        .stderr(
            predicate::function(|err: &str| err.matches("clock-mismatch").count() == 10).and(
                predicate::str::contains(
                    "causal: warning: 5 more problems with the input's clocks",
                ),
            ),
        );
}

/// Malformed input: arguments, and the message after `causal: ` (exit 2).
const ERRORS: &[(&[&str], &str)] = &[
    (&["tests/fixtures/shiviz-bad-regex.log"], "tests/fixtures/shiviz-bad-regex.log:1: invalid regex: regex parse error:"),
    (&["tests/fixtures/shiviz-no-match.log"], "tests/fixtures/shiviz-no-match.log:3: expected text that the ShiViz regex (from tests/fixtures/shiviz-no-match.log:1) matches, found none"),
    (&["tests/fixtures/shiviz-empty-host.log"], "tests/fixtures/shiviz-empty-host.log:5: expected the \"host\" group to match a host name, found nothing"),
    (&["--from", "shiviz", "tests/fixtures/plain.txt"], "tests/fixtures/plain.txt: expected a ShiViz parser regex with groups host, clock and event"),
    (&["--from", "shiviz", "--regex", "(?<host>\\S*) (?<clock>{.*})", "tests/fixtures/plain.txt"], "invalid --regex: expected the ShiViz regex to have named groups host, clock and event, missing event"),
    (&["--from", "govector", "tests/fixtures/plain.txt"], "tests/fixtures/plain.txt:1: expected a GoVector clock line such as `HOST {\"HOST\":1}`, found \"hello world\""),
    (&["tests/fixtures/tracing-bad-json.jsonl"], "tests/fixtures/tracing-bad-json.jsonl:2:61: expected a JSON object: key must be a string"),
    (&["tests/fixtures/tracing-bad-identity.jsonl"], "tests/fixtures/tracing-bad-identity.jsonl:1: expected \"TracerIdentity\" (non-empty string), found number"),
];

#[test]
fn malformed_vector_clock_logs_fail_naming_file_and_line() {
    for (args, message) in ERRORS {
        causal()
            .arg("stamp")
            .args(*args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!("causal: {message}")));
    }
}

#[test]
fn per_node_govector_logs_are_read_together() {
    let files = [
        path("govector-client-Log.txt"),
        path("govector-server-Log.txt"),
        path("govector-db-Log.txt"),
    ];
    let mut args = vec!["stamp"];
    args.extend(files.iter().map(String::as_str));
    let (out, err) = run(&args, 0);
    for f in &files {
        assert!(
            err.contains(&format!("causal: reading {f} as govector\n")),
            "{err}"
        );
    }
    assert!(!err.contains("warning"), "{err}");
    assert_clocks_match_the_log(&out);
    let events = json_lines(&out);
    assert_eq!(events.len(), 10);
    let done = events.iter().find(|e| e["id"] == "client#4").unwrap();
    assert_eq!(done["event"], "Done\n  a message that spans two lines");
    // db#2 receives from server#3 and is received by server#4, which is received by client#3.
    assert_eq!(
        message_edges(&args[1..]),
        edges(&[
            ("client#2", "server#2"),
            ("server#3", "db#2"),
            ("db#2", "server#4"),
            ("server#4", "client#3"),
        ])
    );
}

#[test]
fn one_node_log_alone_says_to_read_the_others_too() {
    let (out, err) = run(&["stamp", &path("govector-db-Log.txt")], 0);
    assert_eq!(json_lines(&out).len(), 2);
    assert!(
        err.contains(
            "tests/fixtures/govector-db-Log.txt:3: clock-mismatch: db#2's clock has \"server\":3, \
             but the log has no event of host \"server\" (read every node's log together)"
        ),
        "{err}"
    );
}

#[test]
fn govector_runs_split_by_a_delimiter_are_executions() {
    let out = run_ok(
        &[
            "stamp",
            "--from",
            "govector",
            "--delimiter",
            "^=== (?<trace>.*) ===$",
            &path("govector-runs.log"),
        ],
        0,
    );
    let nodes: BTreeSet<String> = json_lines(&out)
        .iter()
        .map(|e| e["node"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(nodes, BTreeSet::from(["Run 1/w".into(), "Run 2/w".into()]));
}

#[test]
fn tracing_records_keep_their_fields_and_messages_come_from_clocks() {
    let log = path("tracing-kvs.jsonl");
    let (out, err) = run(&["stamp", &log], 0);
    assert_eq!(err, format!("causal: reading {log} as tracing\n"));
    assert_clocks_match_the_log(&out);
    let events = json_lines(&out);
    let put = events.iter().find(|e| e["id"] == "server#1").unwrap();
    assert_eq!(put["Tag"], "ReceivePut");
    assert_eq!(put["Body"], json!({"Key": "k"}));
    assert_eq!(put["TraceID"], 42);
    assert_eq!(
        message_edges(&[&log]),
        edges(&[("client#2", "server#1"), ("server#2", "client#3")])
    );
    run_ok(&["stamp", "--from", "tracing", &log], 0);
}

#[test]
fn the_shiviz_export_starts_with_the_regex_shiviz_needs() {
    let out = run_ok(
        &["stamp", &path("handworked.jsonl"), "--format", "shiviz"],
        0,
    );
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some(r"^(?<host>.*) (?<clock>{.*})\n(?<event>.*)")
    );
    assert_eq!(lines.next(), Some(""), "no delimiter for one execution");
    insta::assert_snapshot!("handworked-export", out);
    let runs = run_ok(
        &[
            "stamp",
            &path("shiviz-executions.log"),
            "--format",
            "shiviz",
        ],
        0,
    );
    insta::assert_snapshot!("executions-export", runs);
}

/// Inputs whose ShiViz export must read back to the same clocks.
const ROUND_TRIPS: &[&[&str]] = &[
    &["samples/kv-store.jsonl"],
    &[
        "samples/raft/n1.jsonl",
        "samples/raft/n2.jsonl",
        "samples/raft/n3.jsonl",
    ],
    &["tests/fixtures/handworked.jsonl"],
    &["tests/fixtures/shiviz-multiline.log"],
    &["tests/fixtures/shiviz-executions.log"],
    &["tests/fixtures/shiviz-upload.log"],
    &["tests/fixtures/shiviz-relaxed.log"],
    &[
        "tests/fixtures/govector-client-Log.txt",
        "tests/fixtures/govector-server-Log.txt",
        "tests/fixtures/govector-db-Log.txt",
    ],
    &["tests/fixtures/tracing-kvs.jsonl"],
];

fn assert_round_trip(args: &[&str]) {
    let mut stamp = vec!["stamp"];
    stamp.extend_from_slice(args);
    let direct = run_ok(&stamp, 0);
    stamp.extend(["--format", "shiviz"]);
    let export = run_ok(&stamp, 0);
    for from in ["auto", "shiviz"] {
        let back = causal()
            .args(["stamp", "--from", from])
            .write_stdin(export.clone())
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        assert_eq!(
            lanes(&direct),
            lanes(&String::from_utf8(back).unwrap()),
            "{args:?} read back with --from {from}"
        );
    }
}

#[test]
fn the_shiviz_export_reads_back_to_the_same_clocks() {
    for args in ROUND_TRIPS {
        assert_round_trip(args);
    }
    let regex = std::fs::read_to_string("samples/checkout.regex")
        .or_else(|_| std::fs::read_to_string(crate::root().join("samples/checkout.regex")))
        .unwrap();
    assert_round_trip(&["samples/checkout.log", "--regex", regex.trim()]);
}

/// ShiViz's own results for the ShiViz-format logs of the corpus (../shared/corpus/README.md):
/// file, events, hosts, events per execution, and whether ShiViz accepts the log.
const SHIVIZ_TABLE: &[(&str, usize, usize, &[usize], bool)] = &[
    ("shiviz__chord.log", 1235, 8, &[1235], true),
    ("shiviz__ewd998.log", 990, 7, &[77, 248, 665], true),
    ("shiviz__facebook.log", 47, 4, &[47], true),
    ("shiviz__facebook-multiple.log", 88, 4, &[47, 41], true),
    ("shiviz__simple-reliable-broadcast.log", 39, 3, &[39], true),
    ("shiviz__simpledb.log", 509, 5, &[509], true),
    ("shiviz__tsviz_fslock_24t_4sp.log", 2001, 30, &[2001], true),
    ("shiviz__voldemort-simple-threadnames.log", 863, 19, &[863], true),
    ("shiviz__graph_viz__RpcClientServer.log", 10, 2, &[10], true),
    ("shiviz__test.js__basic.log", 4, 2, &[4], true),
    ("shiviz__test.js__diff-hosts.log", 6, 4, &[6], true),
    ("shiviz-logs__CPSC416-2017W2-P2-Twittor__execution1.log", 39, 9, &[39], true),
    ("shiviz-logs__CPSC416-2018W1-P2-Slack__execution1.log", 121, 2, &[121], true),
    ("shiviz-logs__CPSC416-2018W1-P2-Slack__execution1_twonodes_raw_logs__userName0GoVec-Log.txt", 62, 1, &[62], false),
    ("shiviz-logs__CPSC416-2018W1-P2-Slack__execution1_twonodes_raw_logs__userName1GoVec-Log.txt", 59, 1, &[59], false),
    ("govector__README__output-example.log", 4, 1, &[4], true),
    ("govector__HIST__example-Log.txt", 11, 1, &[6, 5], false),
    ("cvector__example__basiclog.shiviz", 4, 1, &[4], true),
    // ShiViz cannot parse `{myPID: 1}`; causal reads the relaxed form (not ShiViz's count).
    ("cppvector__example__logFile.log", 6, 1, &[6], true),
    // DistributedClocks/tracing JSON Lines (ShiViz does not read them directly).
    ("tracechecker__traces__example2.log", 625, 2, &[625], true),
    ("dinv__helloMutant__Shiviz.log", 6, 2, &[6], true),
    ("dinv__linear__Shiviz.log", 411, 3, &[411], true),
];

/// What causal must say about each log ShiViz rejects.
const REJECTED: &[(&str, &str)] = &[
    (
        "userName0GoVec-Log.txt",
        "but the log has no event of host \"userName1\" (read every node's log together)",
    ),
    (
        "userName1GoVec-Log.txt",
        "but the log has no event of host \"userName0\" (read every node's log together)",
    ),
    (
        "govector__HIST__example-Log.txt",
        "example#6's own clock entry goes from \"example\":5 to \"example\":7, expected 6",
    ),
];

#[test]
fn corpus_vector_clock_logs_give_shivizs_counts() {
    let Some(dir) = corpus() else {
        return crate::skipped("../shared/corpus not found");
    };
    let dir = dir.join("shiviz");
    for &(file, events, hosts, per_execution, accepted) in SHIVIZ_TABLE {
        let log = dir.join(file);
        let log = log.to_str().unwrap();
        let (out, err) = run(&["stamp", log], 0);
        let stamped = json_lines(&out);
        assert_eq!(stamped.len(), events, "{file}: events");
        let host_names: BTreeSet<&str> = stamped
            .iter()
            .map(|e| e.get("host").or_else(|| e.get("TracerIdentity")).unwrap())
            .map(|h| h.as_str().unwrap())
            .collect();
        assert_eq!(host_names.len(), hosts, "{file}: hosts");
        let mut counts: Vec<(String, usize)> = Vec::new();
        for e in &stamped {
            let label = e["execution"].as_str().unwrap_or("").to_string();
            match counts.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => counts.push((label, 1)),
            }
        }
        let mut got: Vec<usize> = counts.iter().map(|(_, n)| *n).collect();
        let mut want = per_execution.to_vec();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "{file}: events per execution");
        if accepted {
            assert!(!err.contains("warning"), "{file}: {err}");
            assert_clocks_match_the_log(&out);
        } else {
            let (_, said) = REJECTED
                .iter()
                .find(|(name, _)| file.ends_with(name))
                .expect("each rejected log has an expected diagnostic");
            assert!(
                err.contains("clock-mismatch") && err.contains(said),
                "{file}: {err}"
            );
        }
    }
}

#[test]
fn corpus_per_node_logs_shiviz_rejects_alone_are_consistent_together() {
    let Some(dir) = corpus() else {
        return crate::skipped("../shared/corpus not found");
    };
    let prefix = "shiviz-logs__CPSC416-2018W1-P2-Slack__execution1_twonodes_raw_logs__";
    let logs: Vec<String> = ["userName0GoVec-Log.txt", "userName1GoVec-Log.txt"]
        .iter()
        .map(|n| dir.join("shiviz").join(format!("{prefix}{n}")))
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    let (out, err) = run(&["stamp", &logs[0], &logs[1]], 0);
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(json_lines(&out).len(), 121);
    assert_clocks_match_the_log(&out);
}

#[test]
fn check_reports_each_clock_problem_as_a_finding_instead_of_a_warning() {
    let log = path("shiviz-goes-down.log");
    causal()
        .args(["check", &log])
        .assert()
        .code(1)
        .stderr(format!("causal: reading {log} as shiviz\n"))
        .stdout(predicate::str::starts_with(format!(
            "{log}:9: clock-mismatch: b#2's clock entry for \"a\" goes down from 2 to 1"
        )));
    let out = run_ok(&["check", &log, "--format", "json"], 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["findings"][0]["kind"], "clock-mismatch");
    assert_eq!(report["findings"][0]["events"][0]["id"], "b#2");
    assert_eq!(report["findings"][0]["events"][0]["line"], 9);
    run_ok(&["check", &path("shiviz-multiline.log")], 0);
}
