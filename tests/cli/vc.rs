//! `--vc full|delta|none`: delta lines read back to exactly the clocks full lines carry, for
//! `stamp` (both orders), slices and generated traces with many nodes; `none` writes Lamport
//! clocks only; the errors.

use crate::{causal, path, run_ok};

/// `stamp --vc delta FILE | stamp -` writes what `stamp FILE` writes: every clock rebuilt.
fn delta_reads_back(args: &[&str]) {
    let full = run_ok(args, 0);
    let mut delta_args = args.to_vec();
    delta_args.extend(["--vc", "delta"]);
    let delta = run_ok(&delta_args, 0);
    assert!(delta.contains("\"vc_delta\":") && !delta.contains("\"vc\":"));
    assert!(delta.len() < full.len(), "a delta is smaller");
    let back = causal()
        .args(["stamp", "-"])
        .write_stdin(delta)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let again = causal()
        .args(["stamp", "-"])
        .write_stdin(full)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(back).unwrap(),
        String::from_utf8(again).unwrap()
    );
}

#[test]
fn delta_reads_back_as_the_full_clocks_on_the_samples() {
    delta_reads_back(&["stamp", "samples/kv-store.jsonl"]);
    delta_reads_back(&["stamp", "samples/slow-path.jsonl"]);
    delta_reads_back(&[
        "stamp",
        "samples/raft/n1.jsonl",
        "samples/raft/n2.jsonl",
        "samples/raft/n3.jsonl",
    ]);
    delta_reads_back(&["stamp", "--order", "input", "samples/kv-store.jsonl"]);
}

#[test]
fn a_slice_in_deltas_keeps_the_whole_execution_s_clocks() {
    // Deltas against each node's previous line of the slice, which skips events.
    delta_reads_back(&["slice", "samples/kv-store.jsonl", "--nodes", "alice,kv-3"]);
    delta_reads_back(&["past", "alice#11", "samples/kv-store.jsonl"]);
}

#[test]
fn delta_reads_back_on_a_generated_trace_of_many_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("g.jsonl");
    let trace = run_ok(
        &[
            "gen", "--nodes", "60", "--events", "3000", "--seed", "7", "--keys", "20",
        ],
        0,
    );
    std::fs::write(&file, trace).unwrap();
    delta_reads_back(&["stamp", file.to_str().unwrap()]);
}

#[test]
fn none_writes_lamport_clocks_only() {
    let out = run_ok(&["stamp", "--vc", "none", &path("stats-small.jsonl")], 0);
    let first = out.lines().next().unwrap();
    assert!(first.ends_with("\"id\":\"a#1\",\"lamport\":1}"), "{first}");
    assert!(!out.contains("\"vc"));
}

#[test]
fn both_clocks_on_a_line_or_delta_in_another_format_are_errors() {
    causal()
        .args(["stamp", "-"])
        .write_stdin(
            "{\"node\":\"a\",\"id\":\"a#1\",\"lamport\":1,\"vc\":{\"a\":1},\"vc_delta\":{\"a\":1}}\n",
        )
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "<stdin>:1:",
        ))
        .stderr(predicates::str::contains(
            "expected \"vc\" or \"vc_delta\", not both",
        ));
    causal()
        .args([
            "stamp",
            "--vc",
            "delta",
            "--format",
            "table",
            "samples/kv-store.jsonl",
        ])
        .assert()
        .code(2)
        .stderr("causal: --vc delta and --vc none need --format jsonl or parquet\n");
}
