//! Regressions found by fuzzing (fuzz/): one small fixture per defect, the exact output and
//! status.

use super::{causal, fixture};

/// Control characters in ids, node names and messages stayed raw in the table: a newline in
/// an id split its row in two, and an escape sequence reached the terminal. Now line breaks
/// and tabs are spaces and other control characters are shown escaped.
#[test]
fn table_cells_hold_no_control_characters() {
    causal()
        .args(["stamp", "--format", "table"])
        .arg(fixture("fuzz-table-control.jsonl"))
        .assert()
        .code(0)
        .stdout(
            "LAMPORT  ID   NODE       KIND  MSG  VC                 LABEL\n      \
             1  x y  a\\x1b[31m  send  m 1  [a\\x1b[31m:1]      bell\\x07\n      \
             2  b#1  b          recv  m 1  [a\\x1b[31m:1 b:1]\n",
        )
        .stderr("");
}

/// ShiViz trims a log before matching it: a blank label on the last event left a blank last
/// line, and the last event was lost when the output was read back.
#[test]
fn shiviz_output_keeps_an_event_with_a_blank_label() {
    let out = causal()
        .args(["stamp", "--format", "shiviz"])
        .arg(fixture("fuzz-shiviz-blank-label.jsonl"))
        .assert()
        .code(0)
        .stdout(
            "^(?<host>.*) (?<clock>{.*})\\n(?<event>.*)\n\n\
             a {\"a\":1}\nhello\n\
             b {\"a\":1,\"b\":1}\nrecv m\n",
        )
        .get_output()
        .stdout
        .clone();
    causal()
        .args(["stamp", "--from", "shiviz", "--format", "table"])
        .write_stdin(out)
        .assert()
        .code(0)
        .stdout(
            "LAMPORT  ID   NODE  KIND  MSG       VC         LABEL\n      \
             1  a#1  a     send  a#1->b#1  [a:1]      hello\n      \
             2  b#1  b     recv  a#1->b#1  [a:1 b:1]  recv m\n",
        )
        .stderr("");
}

/// Every input format `--from` names has a fuzz target of its own (fuzz/Cargo.toml), and CI
/// runs the fuzz command the README gives.
#[test]
fn every_input_format_has_a_fuzz_target_that_ci_runs() {
    let help = causal()
        .args(["stamp", "--help"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(help).unwrap();
    let section = help
        .split("--from <FORMAT>")
        .nth(1)
        .and_then(|s| s.split("[default: auto]").next())
        .expect("--help lists the formats");
    let formats: Vec<&str> = section
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .filter_map(|l| l.split(':').next())
        .filter(|&f| f != "auto")
        .collect();
    assert!(formats.len() >= 9, "{formats:?}");
    let manifest = std::fs::read_to_string(crate::root().join("fuzz/Cargo.toml")).unwrap();
    for format in formats {
        // Parquet rows are read as stamped lines (the `stamped` target fuzzes that reader);
        // the fuzz crate builds causal-core without Parquet, so that it never compiles Arrow.
        // Malformed files are checked in tests/cli/parquet.rs instead.
        if format == "parquet" {
            continue;
        }
        assert!(
            manifest.contains(&format!(
                "name = \"{format}\"\npath = \"fuzz_targets/{format}.rs\""
            )),
            "no fuzz target for --from {format}"
        );
    }
    let readme = std::fs::read_to_string(crate::root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(crate::root().join(".ci/run")).unwrap();
    assert!(readme.contains("\n    fuzz/run.sh "));
    assert!(ci.contains("\nfuzz/run.sh -runs="));
}

/// The check report and the graph diagram passed control characters from node names, ids
/// and clock-mismatch messages to the terminal raw.
#[test]
fn check_and_graph_text_hold_no_control_characters() {
    let file = "tests/fixtures/fuzz-control-names.jsonl";
    causal()
        .args(["check", file])
        .assert()
        .code(1)
        .stdout(format!(
            "{file}:5: unmatched-send: b#2 on b sends \"lost\", but no event receives it\n\
             {file}:4: clock-violation: b#1 receives \"m\\u{{7}}\" at 1970-01-01T00:00:00.500Z \
             by b's clock, 0.5 s before a\\x1b[2J#1 sent it at 1970-01-01T00:00:01Z by \
             a\\x1b[2J's clock: at least one of the two clocks is wrong\n    \
             \"m\\u{{7}}\" a\\x1b[2J -> b, delay -0.5 s (a\\x1b[2J#1 {file}:1 -> b#1 {file}:4)\n\
             \n\
             clock offsets against a\\x1b[2J, the node in most messages (offset of the \
             node's clock minus a\\x1b[2J's, in seconds):\n  \
             bounded on one side only: 1 node\n    \
             b  [-inf, -0.5]\n        \
             hi: \"m\\u{{7}}\" a\\x1b[2J -> b, delay -0.5 s (a\\x1b[2J#1 {file}:1 -> b#1 \
             {file}:4)\n  \
             every pair of the 2 nodes with timed messages: --all-pairs\n\
             \n\
             2 findings (1 unmatched-send, 1 clock-violation); skew bounds for 1 of 1 node \
             against a\\x1b[2J\n"
        ))
        .stderr("");
    causal()
        .args([
            "graph",
            file,
            "--format",
            "text",
            "--collapse-local",
            "--clock",
            "vector",
        ])
        .assert()
        .code(0)
        .stdout(
            "  L a\\…2J b\n  \
             1 ●     │      a\\x1b[2J#1 [a\\x1b[2J:1]  send m\\x07\n\
             2-3 ▣     │      a\\x1b[2J#2 … a\\x1b[2J#3 [a\\x1b[2J:3]  2 local events\n  \
             2 ├────▶◉      b#1 [a\\x1b[2J:1 b:1]  recv m\\x07\n  \
             3 │     ●      b#2 [a\\x1b[2J:1 b:2]  send lost (never received)\n",
        );
}

/// `stamp --format shiviz` wrote the id of an event without label or message as its text
/// line without putting it on one line: a newline in the id made a line ShiViz read as the
/// next event's.
#[test]
fn shiviz_output_puts_ids_on_one_line() {
    let out = causal()
        .args(["stamp", "--format", "shiviz"])
        .arg(fixture("fuzz-shiviz-newline-node.jsonl"))
        .assert()
        .code(0)
        .stdout("^(?<host>.*) (?<clock>{.*})\\n(?<event>.*)\n\nx y {\"x y\":1}\nx y#1\n")
        .get_output()
        .stdout
        .clone();
    causal()
        .args(["stamp", "--from", "shiviz", "-"])
        .write_stdin(out)
        .assert()
        .code(0)
        .stdout(
            "{\"host\":\"x y\",\"clock\":{\"x y\":1},\"event\":\"x y#1\",\"label\":\"x y#1\",\
             \"id\":\"x y#1\",\"node\":\"x y\",\"lamport\":1,\"vc\":{\"x y\":1}}\n",
        );
}

/// Warnings and errors quote ids from the input: they reached standard error with their
/// control characters (the same defect as in the reports, outside the fuzz targets).
#[test]
fn warnings_and_errors_hold_no_control_characters() {
    let warning = "tests/fixtures/fuzz-control-warning.jsonl";
    causal()
        .args(["stamp", warning])
        .assert()
        .code(0)
        .stderr(format!(
            "causal: warning: {warning}:1: a\\x1b[2J#1 receives \"ghost\", which no event sends; \
             stamped as a local event\n"
        ));
    let cycle = "tests/fixtures/fuzz-control-cycle.jsonl";
    causal()
        .args(["stamp", cycle])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "causal: no causal order exists: each receive below comes, in program order, before \
             the send of the message the previous one waits for (a happens-before cycle)\n  \
             {cycle}:1: a\\x1b[2J#1 receives \"m2\", sent by b#2 at {cycle}:4\n  \
             {cycle}:3: b#1 receives \"m1\", sent by a\\x1b[2J#2 at {cycle}:2\n"
        ));
}

/// `--node` names standard input only, and files keep their stems: `stamp --order input`
/// still let `--node` rename every file's node, so it disagreed with batch `stamp` (found by
/// the stream fuzz target).
#[test]
fn input_order_keeps_file_stems_under_node_as_batch_stamp_does() {
    let file = "tests/fixtures/fuzz-node-stem.jsonl";
    let line = "{\"kind\":\"local\",\"id\":\"fuzz-node-stem#1\",\"node\":\"fuzz-node-stem\",\
                \"lamport\":1,\"vc\":{\"fuzz-node-stem\":1}}\n";
    for order in ["lamport", "input"] {
        causal()
            .args(["stamp", "--node", "X", "--order", order, file])
            .assert()
            .code(0)
            .stdout(line)
            .stderr("");
    }
    causal()
        .args(["stamp", "--node", "X", "--order", "input"])
        .write_stdin("{\"kind\":\"local\"}\n")
        .assert()
        .code(0)
        .stdout(
            "{\"kind\":\"local\",\"id\":\"X#1\",\"node\":\"X\",\"lamport\":1,\"vc\":{\"X\":1}}\n",
        );
}

/// A synchronisation receive with nothing released before it (a lock's first acquire) is no
/// finding for batch ordering, but `stamp --order input` warned that no event sends it. Both
/// now stamp it as a local event, silently.
#[test]
fn first_acquire_is_no_lost_message_in_either_order() {
    for order in ["lamport", "input"] {
        causal()
            .args(["stamp", "--order", order])
            .arg(fixture("fuzz-sync-first-acquire.jsonl"))
            .assert()
            .code(0)
            .stderr("")
            .stdout(
                "{\"node\":\"c\",\"kind\":\"local\",\"label\":\"no release yet\",\"id\":\"c#1\",\
                 \"lamport\":1,\"vc\":{\"c\":1}}\n\
                 {\"node\":\"d\",\"kind\":\"recv\",\"msg\":\"lock-1\",\"sync\":true,\
                 \"label\":\"first acquire\",\"id\":\"d#1\",\"lamport\":1,\"vc\":{\"d\":1}}\n",
            );
    }
}

/// A stamped line whose `vc` names a node twice (JSON allows a repeated key) was read as a
/// clock with two entries for one node, which the clock engines then disagreed about. Now it
/// is an input error at its line, for `vc` and `vc_delta` alike.
#[test]
fn a_clock_naming_a_node_twice_is_an_input_error() {
    for key in ["vc", "vc_delta"] {
        causal()
            .args(["stamp", "-"])
            .write_stdin(format!(
                "{{\"node\":\"a\",\"id\":\"a#1\",\"lamport\":1,\"{key}\":{{\"a\":1}}}}\n\
                 {{\"node\":\"a\",\"id\":\"a#2\",\"lamport\":2,\"{key}\":{{\"a\":3,\"b\":1,\"a\":2}}}}\n"
            ))
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "causal: <stdin>:2: expected each node once in \"{key}\", but \"a\" appears \
                 twice\n"
            ));
    }
}
