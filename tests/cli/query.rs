//! `causal hb`, `causal past`, `causal future`: relations and chains worked out by hand on a
//! small fixture, cuts checked for consistency on the samples, errors and piping.

use std::collections::{BTreeSet, HashMap};

use predicates::prelude::*;
use serde_json::{json, Value};

use crate::{causal, fixture, json_lines, run_ok};

fn small() -> String {
    fixture("graph-small.jsonl").to_str().unwrap().to_string()
}

fn hb_json(a: &str, b: &str, input: &[&str]) -> Value {
    let mut args = vec!["hb", a, b];
    args.extend(input);
    args.extend(["--format", "json"]);
    serde_json::from_str(&run_ok(&args, 0)).unwrap()
}

#[test]
fn hb_before_gives_a_shortest_chain_through_messages() {
    let small = small();
    assert_eq!(
        hb_json("a#1", "c#2", &[&small]),
        json!({
            "version": 1,
            "a": "a#1",
            "b": "c#2",
            "relation": "before",
            "path": ["a#1", "a#2", "b#1", "b#2", "c#2"],
            "messages": ["m1", "m2"],
            "outside_after": null,
        })
    );
    let text = run_ok(&["hb", "b#1", "a-done", &small], 0);
    insta::assert_snapshot!("hb-before-text", text);
}

#[test]
fn hb_after_is_the_same_chain_from_the_earlier_event() {
    let small = small();
    let got = hb_json("a-done", "a#2", &[&small]);
    assert_eq!(got["relation"], "after");
    // a#2 -> a#3 -> a#4 -> a#5 -> a-done is four steps; via b and c it is five.
    assert_eq!(got["path"], json!(["a#2", "a#3", "a#4", "a#5", "a-done"]));
    assert_eq!(got["messages"], json!([]));
    let text = run_ok(&["hb", "a-done", "a#2", &small], 0);
    assert!(
        text.starts_with("after: a-done happened after a#2\n"),
        "{text}"
    );
}

#[test]
fn hb_concurrent_and_same_have_no_chain() {
    let small = small();
    let got = hb_json("a#3", "b#1", &[&small]);
    assert_eq!(got["relation"], "concurrent");
    assert_eq!(got["path"], json!([]));
    causal()
        .args(["hb", "a#3", "b#1", &small])
        .assert()
        .code(0)
        .stdout("concurrent: neither a#3 nor b#1 happened before the other\n");
    // Two spellings of one event: the user's id and NODE#N.
    let got = hb_json("a-done", "a#6", &[&small]);
    assert_eq!(got["relation"], "same");
    assert_eq!(got["path"], json!(["a-done"]));
    causal()
        .args(["hb", "a#6", "a-done", &small])
        .assert()
        .code(0)
        .stdout("same: both name the event a-done\n");
}

#[test]
fn hb_agrees_with_the_vector_clocks_of_stamp_on_a_sample() {
    let stamped = json_lines(&run_ok(&["stamp", "samples/kv-store.jsonl"], 0));
    let vc: HashMap<&str, (&str, u64, &Value)> = stamped
        .iter()
        .map(|e| {
            let node = e["node"].as_str().unwrap();
            (
                e["id"].as_str().unwrap(),
                (node, e["vc"][node].as_u64().unwrap(), &e["vc"]),
            )
        })
        .collect();
    let before = |a: &str, b: &str| {
        let (node, seq, _) = vc[a];
        vc[b].2[node].as_u64().unwrap_or(0) >= seq && a != b
    };
    for (a, b) in [
        ("alice-put-1", "bob-put-1"),
        ("kv-1#2", "kv-3#6"),
        ("kv-3#6", "kv-1#2"),
        ("alice-login", "bob-login"),
    ] {
        let got = hb_json(a, b, &["samples/kv-store.jsonl"]);
        let want = if before(a, b) {
            "before"
        } else if before(b, a) {
            "after"
        } else {
            "concurrent"
        };
        assert_eq!(got["relation"], want, "{a} {b}");
        let path = got["path"].as_array().unwrap();
        if want != "concurrent" {
            let (first, last) = if want == "before" { (a, b) } else { (b, a) };
            assert_eq!(path.first().unwrap(), first);
            assert_eq!(path.last().unwrap(), last);
            // Each step keeps happening-before.
            for pair in path.windows(2) {
                assert!(before(pair[0].as_str().unwrap(), pair[1].as_str().unwrap()));
            }
        }
    }
}

#[test]
fn an_unknown_event_id_is_an_error_naming_it() {
    let small = small();
    for args in [
        vec!["hb", "a#1", "zz#1", &small],
        vec!["hb", "nope", "a#1", &small],
        vec!["past", "a#99", &small],
        vec!["future", "b#0", &small],
    ] {
        let bad = if args[0] == "hb" {
            if args[1] == "nope" {
                "nope"
            } else {
                "zz#1"
            }
        } else {
            args[1]
        };
        causal()
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::ends_with(format!(
                "\ncausal: unknown event id {bad:?}: expected the input's \"id\" or NODE#N, such as \"a#1\"\n"
            )));
    }
    causal()
        .args([
            "hb",
            "a#1",
            "a#2",
            fixture("graph-empty.jsonl").to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(
            "causal: warning: no events read: the input holds no event\n\
             causal: unknown event id \"a#1\": the input has no events\n",
        );
    causal()
        .args(["hb", "a#1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("<B>"));
}

#[test]
fn hb_reads_standard_input() {
    let input = std::fs::read_to_string(crate::root().join(small())).unwrap();
    causal()
        .args(["hb", "c#3", "a-done", "--format", "json"])
        .write_stdin(input)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "\"relation\":\"before\",\"path\":[\"c#3\",\"a-done\"],\"messages\":[\"m3\"]",
        ));
}

fn ids(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn past_and_future_on_the_small_fixture() {
    let small = small();
    let past = json_lines(&run_ok(&["past", "c#2", &small], 0));
    assert_eq!(ids(&past), ["a#1", "c#1", "a#2", "b#1", "b#2", "c#2"]);
    let strict = json_lines(&run_ok(&["past", "c#2", &small, "--strict"], 0));
    assert_eq!(ids(&strict), ["a#1", "c#1", "a#2", "b#1", "b#2"]);
    let future = json_lines(&run_ok(&["future", "b#2", &small], 0));
    assert_eq!(ids(&future), ["b#2", "b#3", "c#2", "c#3", "a-done", "c#4"]);
    let strict = json_lines(&run_ok(&["future", "a-done", &small, "--strict"], 0));
    assert!(strict.is_empty());
}

#[test]
fn past_output_has_the_shape_of_stamp_and_is_a_consistent_cut() {
    let stamp = run_ok(&["stamp", "samples/kv-store.jsonl"], 0);
    let stamp_lines: BTreeSet<&str> = stamp.lines().collect();
    for id in ["alice-put-1", "bob-put-1", "kv-3#6", "kv-1#1"] {
        let out = run_ok(&["past", id, "samples/kv-store.jsonl"], 0);
        // Each line is stamp's, with sends whose receive lies after the cut marked so.
        for line in out.lines() {
            let unmarked = match line.strip_suffix(",\"outside\":\"recv\"}") {
                Some(rest) => format!("{rest}}}"),
                None => line.to_string(),
            };
            assert!(
                stamp_lines.contains(unmarked.as_str()),
                "not a stamp line: {line}"
            );
        }
        let events = json_lines(&out);
        assert_eq!(
            events.last().unwrap()["id"],
            id,
            "the event itself comes last"
        );
        // Consistent: every receive's send is in, and every event's node predecessor is in.
        let sends: BTreeSet<&str> = events
            .iter()
            .filter(|e| e["kind"] == "send")
            .map(|e| e["msg"].as_str().unwrap())
            .collect();
        let have: BTreeSet<(String, u64)> = events
            .iter()
            .map(|e| {
                let node = e["node"].as_str().unwrap().to_string();
                let seq = e["vc"][&node].as_u64().unwrap();
                (node, seq)
            })
            .collect();
        for e in &events {
            if e["kind"] == "recv" {
                assert!(sends.contains(e["msg"].as_str().unwrap()), "{id}: {e}");
            }
        }
        for (node, seq) in &have {
            assert!(*seq == 1 || have.contains(&(node.clone(), seq - 1)));
        }
    }
}

#[test]
fn future_holds_exactly_the_events_that_saw_the_event() {
    let stamped = json_lines(&run_ok(&["stamp", "samples/kv-store.jsonl"], 0));
    let id = "kv-1#2";
    let x = stamped.iter().find(|e| e["id"] == id).unwrap();
    let seq = x["vc"]["kv-1"].as_u64().unwrap();
    let want: Vec<String> = stamped
        .iter()
        .filter(|e| e["vc"]["kv-1"].as_u64().unwrap_or(0) >= seq)
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    let got = json_lines(&run_ok(&["future", id, "samples/kv-store.jsonl"], 0));
    assert_eq!(ids(&got), want);
}

#[test]
fn a_cut_pipes_into_graph_with_its_ids_kept() {
    let past = run_ok(
        &[
            "past",
            "n1-leader-t1",
            "samples/raft/n1.jsonl",
            "samples/raft/n2.jsonl",
            "samples/raft/n3.jsonl",
        ],
        0,
    );
    let out = causal()
        .args(["graph", "--format", "json"])
        .write_stdin(past.clone())
        .assert()
        .code(0)
        .stderr("causal: reading <stdin> as stamped\n")
        .get_output()
        .stdout
        .clone();
    let graph: Value = serde_json::from_slice(&out).unwrap();
    let got: Vec<&str> = graph["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    let want: Vec<String> = ids(&json_lines(&past));
    assert_eq!(got, want);
    // n3 took no part in the election that n1 won first.
    assert_eq!(graph["nodes"], json!(["n1", "n2"]));
}

#[test]
fn why_tells_what_an_event_knew_node_by_node_and_through_whom() {
    let raft = [
        "samples/raft/n1.jsonl",
        "samples/raft/n2.jsonl",
        "samples/raft/n3.jsonl",
    ];
    let mut args = vec!["why", "n1-leader-t1"];
    args.extend(raft);
    assert_eq!(
        run_ok(&args, 0),
        "what n1-leader-t1 on n1 knew, node by node:\n  \
         n2  up to n2#3  not yet n2#4 (after)       via n2#3 → n1#4 → n1-leader-t1 (1 message)\n  \
         n3  nothing     not yet n3#1 (concurrent)\n"
    );
    args.extend(["--format", "json"]);
    let doc: Value = serde_json::from_str(&run_ok(&args, 0)).unwrap();
    assert_eq!(
        doc,
        json!({"version": 1, "event": "n1-leader-t1", "nodes": [
            {"node": "n2", "seen": 3, "last_known": "n2#3",
             "chain": ["n2#3", "n1#4", "n1-leader-t1"], "messages": ["vote-1-n2"],
             "first_unknown": {"id": "n2#4", "relation": "after"}},
            {"node": "n3", "seen": 0, "last_known": null, "chain": [], "messages": [],
             "first_unknown": {"id": "n3#1", "relation": "concurrent"}}
        ]})
    );
    // Each chain's ends agree with hb: the last known event happened before.
    let hb = run_ok(
        &["hb", "n2#3", "n1-leader-t1", raft[0], raft[1], raft[2]],
        0,
    );
    assert!(
        hb.starts_with("before: n2#3 happened before n1-leader-t1"),
        "{hb}"
    );
}
