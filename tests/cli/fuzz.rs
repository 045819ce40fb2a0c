//! Regressions found by fuzzing (fuzz/): one small fixture per defect, the exact output and
//! status.

use super::{causal, fixture};

/// Control characters in ids, node names and messages stayed raw in the table: a newline in
/// an id split its row in two, and an escape sequence reached the terminal.
#[test]
fn table_cells_hold_no_control_characters() {
    causal()
        .args(["stamp", "--format", "table"])
        .arg(fixture("fuzz-table-control.jsonl"))
        .assert()
        .code(0)
        .stdout(
            "LAMPORT  ID   NODE    KIND  MSG  VC              LABEL\n      \
             1  x y  a [31m  send  m 1  [a [31m:1]      bell\n      \
             2  b#1  b       recv  m 1  [a [31m:1 b:1]\n",
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
