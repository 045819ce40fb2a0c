//! `causal slice`: each selector on the samples, and slices checked against a brute-force
//! filter of `stamp`'s output written here (clocks unchanged, exactly the events named).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::{causal, json_lines, run_ok};

fn slice(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["slice", "samples/kv-store.jsonl"];
    all.extend_from_slice(args);
    json_lines(&run_ok(&all, 0))
}

fn ids(lines: &[Value]) -> Vec<&str> {
    lines.iter().map(|l| l["id"].as_str().unwrap()).collect()
}

#[test]
fn nodes_and_a_key_keep_those_nodes_accesses_with_cut_messages_marked() {
    let out = slice(&["--nodes", "alice,kv-1", "--key", "cart:42"]);
    assert_eq!(
        ids(&out),
        [
            "kv-1#10",
            "alice#7",
            "alice-put-1",
            "kv-1#12",
            "kv-1#16",
            "kv-1#18",
            "alice#11",
            "kv-1#22"
        ]
    );
    // alice-put-1's receive (kv-1#12) is kept: no mark; kv-1#10's send (alice#6) is not.
    assert_eq!(out[0]["outside"], "send");
    assert!(out[2].get("outside").is_none());
}

#[test]
fn between_two_nodes_keeps_the_messages_both_ways() {
    let out = slice(&["--between", "bob,kv-2"]);
    let msgs: BTreeSet<&str> = out.iter().map(|l| l["msg"].as_str().unwrap()).collect();
    assert_eq!(
        msgs.into_iter().collect::<Vec<_>>(),
        [
            "c-b1", "c-b1-ok", "c-b2", "c-b2-ok", "c-b3", "c-b3-ok", "c-b4", "c-b4-ok", "c-b5",
            "c-b5-ok"
        ]
    );
    assert!(out
        .iter()
        .all(|l| l["node"] == "bob" || l["node"] == "kv-2"));
}

#[test]
fn selectors_name_their_problems() {
    for (args, message) in [
        (&["--between", "bob"][..], "causal: --between: expected two nodes A,B, found \"bob\"\n"),
        (&["--lamport", "3-7"], "causal: --lamport: expected a range FROM..TO (either end may be left out), found \"3-7\"\n"),
        (&["--field", "req"], "causal: --field: expected KEY=VALUE, found \"req\"\n"),
        (&["--nodes", "zed"], "causal: unknown node \"zed\" in --nodes: the nodes are \"alice\", \"bob\", \"kv-1\", \"kv-2\", \"kv-3\"\n"),
    ] {
        causal()
            .arg("slice")
            .arg("samples/kv-store.jsonl")
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(message.to_string());
    }
}

/// The keys an event of stamp's output reads or writes.
fn keys(l: &Value) -> Vec<String> {
    ["reads", "writes"]
        .iter()
        .flat_map(|k| match &l[k] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

#[test]
fn a_slice_is_exactly_the_events_a_plain_filter_keeps_with_their_clocks() {
    let stamped = json_lines(&run_ok(&["stamp", "samples/kv-store.jsonl"], 0));
    let nodes = ["alice", "bob", "kv-1", "kv-2", "kv-3"];
    let all_keys: BTreeSet<String> = stamped.iter().flat_map(keys).collect();
    let all_keys: Vec<String> = all_keys.into_iter().collect();
    let mut seed: u64 = 7;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    for _ in 0..40 {
        let chosen: Vec<&str> = nodes.iter().copied().filter(|_| next(2) == 0).collect();
        let key = (next(3) == 0).then(|| all_keys[next(all_keys.len() as u64) as usize].clone());
        let (lo, hi) = (1 + next(20), 10 + next(40));
        let label = ["GET", "PUT", "repl", "ack"][next(4) as usize];
        let mut args: Vec<String> = vec!["--lamport".into(), format!("{lo}..{hi}")];
        if !chosen.is_empty() {
            args.extend(["--nodes".into(), chosen.join(",")]);
        }
        if let Some(k) = &key {
            args.extend(["--key".into(), k.clone()]);
        }
        let use_label = next(2) == 0;
        if use_label {
            args.extend(["--label".into(), label.into()]);
        }
        let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let got = slice(&arg_refs);
        let want: Vec<&Value> = stamped
            .iter()
            .filter(|l| {
                let lamport = l["lamport"].as_u64().unwrap();
                (chosen.is_empty() || chosen.contains(&l["node"].as_str().unwrap()))
                    && key.as_ref().is_none_or(|k| keys(l).contains(k))
                    && (lo..=hi).contains(&lamport)
                    && (!use_label || l["label"].as_str().unwrap_or("").contains(label))
            })
            .collect();
        assert_eq!(
            ids(&got),
            want.iter()
                .map(|l| l["id"].as_str().unwrap())
                .collect::<Vec<_>>(),
            "{args:?}"
        );
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(
                (&g["lamport"], &g["vc"]),
                (&w["lamport"], &w["vc"]),
                "{args:?}"
            );
        }
    }
}

#[test]
fn a_slice_read_back_reports_no_finding_the_whole_does_not() {
    let out = run_ok(
        &["slice", "samples/kv-store.jsonl", "--nodes", "bob,kv-2"],
        0,
    );
    let check = causal()
        .args(["check", "--no-skew"])
        .write_stdin(out)
        .output()
        .unwrap();
    let text = String::from_utf8(check.stdout).unwrap();
    assert!(!text.contains("unmatched"), "{text}");
}

/// In a slice of alice and kv-3, alice's PUT reached kv-3 only through kv-1, which the slice
/// left out: the given clocks order the two, and `hb` says how (it used to panic looking for
/// a chain within the input). The chain leaves the input at the send to kv-1 and comes back
/// at the first event that learned of it from outside.
#[test]
fn hb_in_a_slice_names_the_step_through_left_out_events() {
    let slice = run_ok(
        &["slice", "samples/kv-store.jsonl", "--nodes", "alice,kv-3"],
        0,
    );
    causal()
        .args(["hb", "alice-put-1", "kv-3#6", "-", "--color", "never"])
        .write_stdin(slice.clone())
        .assert()
        .code(0)
        .stdout(
            "before: alice-put-1 happened before kv-3#6\n\
             causal chain, partly through events this input left out: 1 step, 0 messages\n  \
             alice-put-1  L18  send c-a4         PUT cart:42 = [book, mug]\n    \
             ↓ through events this input left out\n  \
             kv-3#6       L40  recv sync-1-diff  apply sync diff from kv-1\n",
        );
    causal()
        .args(["hb", "kv-3#2", "alice#7", "-", "--format", "json"])
        .write_stdin(slice)
        .assert()
        .code(0)
        .stdout(
            "{\"version\":1,\"a\":\"kv-3#2\",\"b\":\"alice#7\",\"relation\":\"before\",\
             \"path\":[\"kv-3#2\",\"alice#3\",\"alice-put-addr\",\"alice#5\",\"alice#6\",\
             \"alice#7\"],\"messages\":[],\"outside_after\":\"kv-3#2\"}\n",
        );
}

/// Where knowledge re-entered a slice is the first event none of whose predecessors in the
/// slice knew it: c#1 learned of a#1 from b#2 (inside), not from outside, even though the
/// search reaches b#2 first through b#3. The chain re-enters at b#1.
#[test]
fn hb_re_enters_a_slice_where_knowledge_came_from_outside() {
    causal()
        .args(["hb", "a#1", "c#2", "--format", "json"])
        .arg(crate::fixture("slice-diamond.jsonl"))
        .assert()
        .code(0)
        .stdout(
            "{\"version\":1,\"a\":\"a#1\",\"b\":\"c#2\",\"relation\":\"before\",\
             \"path\":[\"a#1\",\"b#1\",\"b#2\",\"b#3\",\"c#2\"],\"messages\":[\"m2\"],\
             \"outside_after\":\"a#1\"}\n",
        );
}
