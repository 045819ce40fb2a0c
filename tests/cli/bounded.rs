//! Hostile input must not take the machine: `stamp --order input` lets clocks go and bounds
//! what it holds (`--max-in-flight`), tells duplicate and empty ids, and many nodes are
//! stamped without nodes x nodes tables. Memory itself is measured in BENCHMARKS.md, not here.

use crate::{causal, fixture, run_ok};

/// Runs `causal` with `args`, expects exit status `code`, returns (stdout, stderr).
fn run(args: &[&str], code: i32) -> (String, String) {
    let out = causal().args(args).assert().code(code).get_output().clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_clock_is_let_go_once_every_receiver_its_to_names_has_it() {
    let file = fixture("stream-to.jsonl");
    let file = file.to_str().unwrap();
    let (out, err) = run(&["stamp", "--order", "input", file], 0);
    assert_eq!(
        out,
        r#"{"node":"a","kind":"send","msg":"m","to":["b","c"],"id":"a#1","lamport":1,"vc":{"a":1}}
{"node":"b","kind":"recv","msg":"m","id":"b#1","lamport":2,"vc":{"a":1,"b":1}}
{"node":"c","kind":"recv","msg":"m","id":"c#1","lamport":2,"vc":{"a":1,"c":1}}
{"node":"d","kind":"recv","msg":"m","id":"d#1","lamport":1,"vc":{"d":1}}
"#
    );
    assert_eq!(
        err,
        "causal: warning: tests/fixtures/stream-to.jsonl:4: d#1 receives \"m\", sent at \
         tests/fixtures/stream-to.jsonl:1, after its clock was let go (every node its \"to\" \
         names had received it, or --max-in-flight was reached): stamped as received from \
         outside\n"
    );
    // In Lamport order the whole input is known: d, which the send does not name, gets a:1.
    let batch = run_ok(&["stamp", file], 0);
    assert!(batch.contains(r#""id":"d#1","lamport":2,"vc":{"a":1,"d":1}"#));
}

#[test]
fn max_in_flight_drops_the_oldest_clock_and_lets_go_of_the_longest_held_receive() {
    let file = fixture("stream-limit.jsonl");
    let (out, err) = run(
        &[
            "stamp",
            "--order",
            "input",
            "--max-in-flight",
            "1",
            file.to_str().unwrap(),
        ],
        0,
    );
    assert_eq!(
        out,
        r#"{"node":"a","kind":"send","msg":"m1","id":"a#1","lamport":1,"vc":{"a":1}}
{"node":"a","kind":"send","msg":"m2","to":["b","x","y"],"id":"a#2","lamport":2,"vc":{"a":2}}
{"node":"b","kind":"recv","msg":"m1","id":"b#1","lamport":1,"vc":{"b":1}}
{"node":"b","kind":"recv","msg":"m2","id":"b#2","lamport":3,"vc":{"a":2,"b":2}}
{"node":"c","kind":"recv","msg":"later","id":"c#1","lamport":1,"vc":{"c":1}}
{"node":"c","kind":"local","id":"c#2","lamport":2,"vc":{"c":2}}
{"node":"e","kind":"send","msg":"later","id":"e#1","lamport":1,"vc":{"e":1}}
{"node":"d","kind":"recv","msg":"never","id":"d#1","lamport":1,"vc":{"d":1}}
"#
    );
    let f = "tests/fixtures/stream-limit.jsonl";
    let expected = [
        format!(
            "{f}:1: the clock of \"m1\" is dropped, as more than --max-in-flight 1 sends await \
             receives; its later receives are stamped as received from outside"
        ),
        format!(
            "{f}:3: b#1 receives \"m1\", sent at {f}:1, after its clock was let go (every node \
             its \"to\" names had received it, or --max-in-flight was reached): stamped as \
             received from outside"
        ),
        format!(
            "{f}:5: c#1 receives \"later\", whose send has not been read, and more than \
             --max-in-flight 1 events are held back: stamped as received from outside"
        ),
        format!(
            "{f}:2: the clock of \"m2\" (not yet received by 2 of the nodes its \"to\" names) \
             is dropped, as more than --max-in-flight 1 sends await receives; its later \
             receives are stamped as received from outside"
        ),
        format!("{f}:7: d#1 receives \"never\", which no event sends; stamped as a local event"),
    ];
    let expected: String = expected
        .iter()
        .map(|w| format!("causal: warning: {w}\n"))
        .collect();
    assert_eq!(err, expected);
}

#[test]
fn the_default_limit_changes_nothing_on_that_input() {
    let file = fixture("stream-limit.jsonl");
    let (out, err) = run(&["stamp", "--order", "input", file.to_str().unwrap()], 0);
    assert!(
        out.contains(r#""id":"b#1","lamport":2,"vc":{"a":1,"b":1}"#),
        "{out}"
    );
    assert!(
        out.contains(r#""id":"c#1","lamport":2,"vc":{"c":1,"e":1}"#),
        "{out}"
    );
    assert_eq!(
        err,
        "causal: warning: tests/fixtures/stream-limit.jsonl:7: d#1 receives \"never\", which no \
         event sends; stamped as a local event\n"
    );
}

/// An endless input must not fill the terminal: ten warnings of a kind, a line saying more
/// are counted, and the count when the input ends.
#[test]
fn warnings_past_ten_of_a_kind_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sends.jsonl");
    let lines: String = (0..15)
        .map(|i| format!("{{\"node\":\"a\",\"kind\":\"send\",\"msg\":\"m{i}\"}}\n"))
        .collect();
    std::fs::write(&path, lines).unwrap();
    let path = path.to_str().unwrap();
    let (out, err) = run(
        &["stamp", "--order", "input", "--max-in-flight", "0", path],
        0,
    );
    assert_eq!(out.lines().count(), 15);
    let mut expected: String = (0..10)
        .map(|i| {
            format!(
                "causal: warning: {path}:{}: the clock of \"m{i}\" is dropped, as more than \
                 --max-in-flight 0 sends await receives; its later receives are stamped as \
                 received from outside\n",
                i + 1
            )
        })
        .collect();
    expected.push_str(
        "causal: warning: more clocks dropped by --max-in-flight follow; they are counted, not shown\n\
         causal: warning: 5 more clocks dropped by --max-in-flight\n",
    );
    assert_eq!(err, expected);
}

#[test]
fn max_in_flight_applies_to_input_order_only() {
    let (out, err) = run(
        &["stamp", "--max-in-flight", "5", "samples/kv-store.jsonl"],
        2,
    );
    assert_eq!(out, "");
    assert_eq!(err, "causal: --max-in-flight applies to --order input\n");
}

/// Table: fixture, where the error is (the second use), and what the message says.
#[test]
fn input_order_refuses_duplicate_and_empty_ids() {
    let cases = [
        (
            "stream-duplicate-id.jsonl",
            "2",
            r#"id "x" already used at tests/fixtures/stream-duplicate-id.jsonl:1"#,
        ),
        (
            "stream-duplicate-positional.jsonl",
            "2",
            r#"id "a#1" already used at tests/fixtures/stream-duplicate-positional.jsonl:1"#,
        ),
        (
            "stream-duplicate-later.jsonl",
            "3",
            r#"id "a#2" already used at tests/fixtures/stream-duplicate-later.jsonl:2"#,
        ),
        (
            "stream-empty-node.jsonl",
            "2:2",
            r#"expected "node" (string) to name a node, found """#,
        ),
        (
            "stream-empty-id.jsonl",
            "2:13",
            r#"expected "id" to name the event, found """#,
        ),
    ];
    for (name, at, message) in cases {
        let file = fixture(name);
        let file = file.to_str().unwrap();
        let (out, err) = run(&["stamp", "--order", "input", file], 2);
        assert_eq!(
            err,
            format!("causal: tests/fixtures/{name}:{at}: {message}\n"),
            "{name}"
        );
        // The lines before it were stamped and written.
        let line: usize = at.split(':').next().unwrap().parse().unwrap();
        assert_eq!(out.lines().count(), line - 1, "{name}");
        // Lamport order (which reads everything first) refuses the same input alike.
        let (out, batch) = run(&["stamp", file], 2);
        assert_eq!((out.as_str(), batch), ("", err), "{name}");
    }
}

/// A trace of `nodes` nodes with one local event each, names zero-padded (name order is
/// number order), as bench/many-nodes.sh writes it.
fn many_nodes(dir: &std::path::Path, nodes: usize) -> String {
    let path = dir.join("many.jsonl");
    let lines: String = (0..nodes)
        .map(|i| format!("{{\"node\":\"n{i:05}\",\"kind\":\"local\"}}\n"))
        .collect();
    std::fs::write(&path, lines).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn tree_clocks_give_way_to_flat_rows_past_2048_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let path = many_nodes(dir.path(), 2049);
    let (tree, err) = run(&["stamp", "--engine", "tree", &path], 0);
    assert_eq!(
        err,
        "causal: warning: --engine tree keeps every node's counter in every clock; with 2049 \
         nodes (more than 2048) flat rows are used instead\n"
    );
    let (flat, err) = run(&["stamp", "--engine", "flat", &path], 0);
    assert_eq!(err, "");
    assert_eq!(tree, flat);
    assert_eq!(
        flat.lines().nth(2048).unwrap(),
        r#"{"node":"n02048","kind":"local","id":"n02048#1","lamport":1,"vc":{"n02048":1}}"#
    );
}

/// Many nodes that each see one or two others: every output format and order writes the
/// clocks that the small, dense computation gives.
#[test]
fn many_nodes_with_sparse_clocks_stamp_as_few_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pairs.jsonl");
    // 600 nodes: n2k sends to n2k+1; the last node receives from everyone's first message.
    let mut lines = String::new();
    for k in 0..300 {
        lines.push_str(&format!(
            "{{\"node\":\"n{:05}\",\"kind\":\"send\",\"msg\":\"m{k}\",\"to\":[\"n{:05}\"]}}\n",
            2 * k,
            2 * k + 1
        ));
        lines.push_str(&format!(
            "{{\"node\":\"n{:05}\",\"kind\":\"recv\",\"msg\":\"m{k}\"}}\n",
            2 * k + 1
        ));
    }
    std::fs::write(&path, lines).unwrap();
    let path = path.to_str().unwrap();
    let lamport = run_ok(&["stamp", path], 0);
    let online = run_ok(&["stamp", "--order", "input", path], 0);
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines.sort();
        lines
    };
    assert_eq!(sorted(&lamport), sorted(&online));
    for k in [0, 151, 299] {
        let (s, r) = (2 * k, 2 * k + 1);
        let line = format!(
            r#"{{"node":"n{r:05}","kind":"recv","msg":"m{k}","id":"n{r:05}#1","lamport":2,"vc":{{"n{s:05}":1,"n{r:05}":1}}}}"#
        );
        assert!(lamport.lines().any(|l| l == line), "{line}");
    }
    let table = run_ok(&["stamp", "--format", "table", path], 0);
    assert!(table.contains("[n00302:1 n00303:1]"), "{table}");
    let graph = run_ok(&["graph", "--format", "json", path], 0);
    let graph: serde_json::Value = serde_json::from_str(&graph).unwrap();
    let event = graph["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "n00599#1")
        .unwrap();
    assert_eq!(event["vc"], serde_json::json!({"n00598": 1, "n00599": 1}));
    let (hb, _) = run(&["hb", "n00598#1", "n00599#1", path], 0);
    assert!(
        hb.starts_with("before: n00598#1 happened before n00599#1\n"),
        "{hb}"
    );
}
