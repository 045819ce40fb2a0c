//! `causal conflicts`: hand-worked counts, the lost update in the sample, filters, exit status
//! and stable output shapes.

use predicates::prelude::*;
use serde_json::{json, Value};

use crate::{causal, fixture, run_ok};

fn report(args: &[&str], code: i32) -> Value {
    crate::report("conflicts", args, code)
}

fn key<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key"] == name)
        .unwrap_or_else(|| panic!("no key {name}"))
}

#[test]
fn handworked_counts_match() {
    // x: a#1 w || c#1 w, b#3 w || c#1 w (write-write); a#1 w || b#1 r, b#1 r || c#1 w
    // (read-write); a#1 -> b#3 through m1. y: c#2 w || a#3 r; c#1 and a#3 only read y.
    let r = report(
        &[fixture("conflicts-handworked.jsonl").to_str().unwrap()],
        1,
    );
    assert_eq!(r["version"], 1);
    assert_eq!(r["total"], 5);
    let keys: Vec<&str> = r["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["x", "y"], "most conflicts first");
    let x = key(&r, "x");
    assert_eq!(
        (&x["write_write"], &x["read_write"], &x["total"]),
        (&json!(2), &json!(2), &json!(4))
    );
    let pairs: Vec<(String, String, String)> = x["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["a"]["id"].as_str().unwrap().to_string(),
                p["b"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("write-write", "a#1", "c#1"),
        ("write-write", "c#1", "b#3"),
        ("read-write", "a#1", "b#1"),
        ("read-write", "b#1", "c#1"),
    ];
    assert_eq!(
        pairs,
        expected.map(|(k, a, b)| (k.to_string(), a.to_string(), b.to_string()))
    );
    let y = key(&r, "y");
    assert_eq!(
        (&y["write_write"], &y["read_write"]),
        (&json!(0), &json!(1))
    );
    let pair = &y["pairs"][0];
    assert_eq!(pair["a"]["op"], "write");
    assert_eq!(pair["b"]["op"], "read");
    assert_eq!(
        pair["evidence"],
        "a#3 had seen nothing of c, and c#2 had seen nothing of a: neither happened before the other"
    );
}

#[test]
fn the_kv_store_lost_update_is_reported() {
    let r = report(&["samples/kv-store.jsonl"], 1);
    let cart = key(&r, "cart:42");
    assert_eq!(r["keys"][0]["key"], "cart:42");
    assert!(cart["write_write"].as_u64().unwrap() >= 1);
    let lost_update = cart["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["a"]["id"] == "alice-put-1" && p["b"]["id"] == "bob-put-1")
        .expect("alice-put-1 and bob-put-1 are a witness");
    assert_eq!(lost_update["kind"], "write-write");
    assert_eq!(lost_update["a"]["node"], "alice");
    assert_eq!(lost_update["a"]["time"], "2026-11-20T09:14:00.502Z");
    assert_eq!(lost_update["a"]["lamport"], 18);
    assert_eq!(
        lost_update["a"]["vc"],
        json!({"alice": 8, "kv-1": 11, "kv-2": 3, "kv-3": 2})
    );
    assert_eq!(lost_update["b"]["file"], "samples/kv-store.jsonl");
    assert_eq!(lost_update["b"]["line"], 39);
    assert_eq!(
        lost_update["evidence"],
        "bob-put-1 had seen alice only up to alice#4, and alice-put-1 had seen nothing of bob: \
         neither happened before the other"
    );
    let text = run_ok(&["conflicts", "samples/kv-store.jsonl"], 1);
    assert!(text.starts_with("cart:42: "), "{text}");
}

#[test]
fn no_conflicts_exits_zero() {
    let out = run_ok(
        &[
            "conflicts",
            fixture("conflicts-none.jsonl").to_str().unwrap(),
        ],
        0,
    );
    assert_eq!(out, "no conflicts\n");
    let r = report(&[fixture("conflicts-none.jsonl").to_str().unwrap()], 0);
    assert_eq!(r, json!({"version": 1, "total": 0, "keys": []}));
}

#[test]
fn limit_caps_witnesses_and_zero_shows_all() {
    let f = fixture("conflicts-handworked.jsonl");
    let f = f.to_str().unwrap();
    let one = report(&[f, "--limit", "1"], 1);
    assert_eq!(key(&one, "x")["pairs"].as_array().unwrap().len(), 1);
    assert_eq!(key(&one, "x")["total"], 4, "counts stay exact");
    let all = report(&[f, "--limit", "0"], 1);
    assert_eq!(key(&all, "x")["pairs"].as_array().unwrap().len(), 4);
    let text = run_ok(&["conflicts", f, "--limit", "1"], 1);
    assert!(
        text.contains("(1 of 4 pairs shown; --limit 0 shows all)"),
        "{text}"
    );
}

#[test]
fn keys_restrict_the_report_and_unknown_keys_warn() {
    let f = fixture("conflicts-handworked.jsonl");
    let r = report(&[f.to_str().unwrap(), "--keys", "y"], 1);
    assert_eq!(r["total"], 1);
    assert_eq!(r["keys"].as_array().unwrap().len(), 1);
    causal()
        .args(["conflicts", f.to_str().unwrap(), "--keys", "nope"])
        .assert()
        .code(0)
        .stdout("no conflicts\n")
        .stderr(predicate::str::contains(
            "causal: warning: key \"nope\" does not appear in the input",
        ));
}

#[test]
fn bad_input_and_usage_exit_two() {
    causal()
        .args(["conflicts", fixture("bad-kind.jsonl").to_str().unwrap()])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "causal: tests/fixtures/bad-kind.jsonl:1:13:",
        ));
    causal()
        .args(["conflicts", "samples/kv-store.jsonl", "--limit", "-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: unexpected argument '-1' found",
        ));
}

#[test]
fn color_always_paints_and_plain_output_has_no_escapes() {
    let painted = run_ok(
        &["--color", "always", "conflicts", "samples/kv-store.jsonl"],
        1,
    );
    assert!(painted.contains("\u{1b}["));
    let plain = run_ok(&["conflicts", "samples/kv-store.jsonl"], 1);
    assert!(!plain.contains('\u{1b}'));
}

#[test]
fn samples_report_to_stable_snapshots() {
    insta::assert_snapshot!(
        "kv-store-text",
        run_ok(&["conflicts", "samples/kv-store.jsonl", "--limit", "3"], 1)
    );
    let json: Value = report(&["samples/kv-store.jsonl", "--limit", "3"], 1);
    insta::assert_snapshot!(
        "kv-store-json",
        serde_json::to_string_pretty(&json).unwrap()
    );
    // Raft's nodes share no state: each one's log, term and commit index are its own keys.
    let raft = run_ok(
        &[
            "conflicts",
            "samples/raft/n1.jsonl",
            "samples/raft/n2.jsonl",
            "samples/raft/n3.jsonl",
        ],
        0,
    );
    assert_eq!(raft, "no conflicts\n");
}

#[test]
fn wide_clocks_show_the_pairs_nodes_for_people_and_whole_in_json() {
    // z hears from 17 nodes (a among them) before it writes x; a writes x after telling z.
    let file = fixture("conflicts-wide-clock.jsonl");
    let text = run_ok(&["conflicts", file.to_str().unwrap()], 1);
    let clocks: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("lamport"))
        .map(str::trim)
        .collect();
    assert_eq!(
        clocks,
        ["lamport 2  vc [a:2]", "lamport 19  vc [a:1 z:18 +16 more]"]
    );
    assert!(
        text.contains(
            "(clocks of more than 16 members show only the two nodes of their pair; \
             --format json gives them whole)\n"
        ),
        "{text}"
    );
    let r = report(&[file.to_str().unwrap()], 1);
    let vc = r["keys"][0]["pairs"][0]["b"]["vc"].as_object().unwrap();
    assert_eq!(vc.len(), 18);
    assert_eq!(
        (&vc["a"], &vc["n07"], &vc["z"]),
        (&json!(1), &json!(1), &json!(18))
    );
    // Narrow clocks are whole, and say nothing of cutting.
    let text = run_ok(&["conflicts", "samples/kv-store.jsonl"], 1);
    assert!(
        text.contains("vc [alice:8 kv-1:11 kv-2:3 kv-3:2]"),
        "{text}"
    );
    assert!(!text.contains("more than 16"), "{text}");
}
